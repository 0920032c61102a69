/* parsers/pf_sess.h - Postfix lines tied into sessions
 *
 * pf_sess_feed() takes one log line (envelope removed) and, when it is a
 * Postfix smtp(8)/lmtp(8)/tlsproxy(8) line, updates the state of that
 * process, keyed by (log host, program name, pid): one smtp process sets
 * up one connection at a time. When a connection's outcome and its
 * recipient domain are both known, the session is handed to the session
 * callback with a disposition (counted, or why not). The rules are in
 * docs/architecture.md ("Sessions", "Counting rules").
 * State is bounded: per process at most PF_MAX_PEND connections wait for
 * their domain, and processes idle for PF_IDLE_SECS of log time are
 * flushed (their waiting connections become "unattributed").
 * Thread safety: one struct pf_sess per thread of correlation.
 */
#ifndef PARSERS_PF_SESS_H
#define PARSERS_PF_SESS_H

#include <stddef.h>

#include "sess.h"
#include "wrap.h"

#define PF_MAX_PEND 8
#define PF_IDLE_SECS 3600

enum sess_disp {
    SESS_D_COUNTED = 0,         /* goes into the report */
    SESS_D_PORT,                /* not an MX port: submission/smarthost */
    SESS_D_RELAYHOST,           /* a configured relay host */
    SESS_D_LMTP,                /* lmtp(8): local delivery, not an MX */
    SESS_D_LOCAL_NOTLS,         /* STARTTLS switched off locally */
    SESS_D_UNDATED,             /* line without a timestamp */
    SESS_D_BAD_DOMAIN,          /* recipient domain fails validation */
    SESS_D_UNATTRIBUTED,        /* no delivery line named its domain */
    SESS_D_COUNT
};

const char *sess_disp_name(enum sess_disp d);

struct pf_sess_conf {
    const int *mx_ports;        /* ports of MX sessions; NULL: {25} */
    size_t  nmx_ports;
    /* 1 when host (canonical name) or ip is a configured relay host */
    int     (*is_relay) (const char *host, const char *ip, const void *ctx);
    const void *is_relay_ctx;
};

struct pf_sess_cb {
    void    (*session) (void *ctx, const struct sess_rec *r,
                        enum sess_disp d);
    /* the log host writes TLS lines for outbound connections */
    void    (*tls_host) (void *ctx, const char *loghost);
    void   *ctx;
};

struct pf_sess;

struct pf_sess *pf_sess_create(const struct pf_sess_conf *conf,
                               const struct pf_sess_cb *cb);
struct pf_sess *pf_sess_free(struct pf_sess *ps);       /* always NULL */

/* 1 when the line was Postfix's (tr says what it meant), 0 if not */
int     pf_sess_feed(struct pf_sess *ps, const struct wrap_rec *r,
                     struct trace *tr);

/* end of input: hand over everything still waiting */
void    pf_sess_flush(struct pf_sess *ps);

#endif
