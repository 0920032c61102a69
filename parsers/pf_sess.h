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
#define PF_IDLE_SECS SESS_IDLE_SECS

struct pf_sess;

struct pf_sess *pf_sess_create(const struct sess_conf *conf,
                               const struct sess_cb *cb);
struct pf_sess *pf_sess_free(struct pf_sess *ps);       /* always NULL */

/* 1 when the line was Postfix's (tr says what it meant), 0 if not */
int     pf_sess_feed(struct pf_sess *ps, const struct wrap_rec *r,
                     struct trace *tr);

/* end of input: hand over everything still waiting */
void    pf_sess_flush(struct pf_sess *ps);

#endif
