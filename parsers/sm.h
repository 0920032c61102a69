/* parsers/sm.h - Sendmail message classifier
 *
 * sm_classify() turns the message part of one Sendmail log line (the
 * envelope already removed) into an event: what the line says about an
 * outbound connection of that process, with spans pointing into the
 * line. It keeps no state; tying events into sessions is sm_sess.c's
 * job. Every shape, with the Sendmail source that writes it, is quoted
 * in sm.c and explained in docs/parsers/sendmail.md.
 * Thread safety: pure functions. Nothing here allocates.
 */
#ifndef PARSERS_SM_H
#define PARSERS_SM_H

#include <stddef.h>

#include "../util/dname.h"
#include "../util/ipaddr.h"
#include "../util/span.h"

enum sm_kind {
    SM_IGNORE = 0,              /* not about outbound TLS */
    SM_INBOUND,                 /* STARTTLS=server, tls_client: inbound */
    SM_DETAIL,                  /* TLS detail without a verdict */
    SM_TLS,                     /* STARTTLS=client, relay=, ..., verify= */
    SM_TLS_BAD,                 /* the same, cut short (no verify=) */
    SM_VERIFYMSG,               /* STARTTLS=client, cert-subject=, verifymsg= */
    SM_HS_FAIL,                 /* STARTTLS=client, error: connect failed= */
    SM_SSL_ERR,                 /* STARTTLS=client: error:... (OpenSSL) */
    SM_LOCAL_ERR,               /* STARTTLS=client, error: local set-up */
    SM_CONN_LOCAL,              /* one connection failed locally */
    SM_DANE_NOTLS,              /* warning=DANE configured ... no STARTTLS */
    SM_CLEAR_RETRY,             /* tlsstate=N, status=trying_again */
    SM_RULESET,                 /* ruleset=tls_server|tls_rcpt ... reject= */
    SM_DELIVERY,                /* [QID: ]to=..., relay=..., stat=... */
    SM_DELIVERY_BAD,            /* the same, cut short (no stat=) */
};

/* ${verify} values (op guide "Macros", tls.c, deliver.c); from
 * SM_V_DANE_FAIL on, the value itself says why TLS was not usable */
enum sm_verify {
    SM_V_UNKNOWN = 0,
    SM_V_OK,                    /* chain verified */
    SM_V_TRUSTED,               /* DANE TLSA match (8.16+) */
    SM_V_FAIL,                  /* certificate presented, not verified */
    SM_V_NO,                    /* no certificate presented */
    SM_V_NOT,                   /* no certificate requested */
    SM_V_DANE_FAIL,             /* DANE: no TLSA record matched */
    SM_V_NONE,                  /* STARTTLS not performed */
    SM_V_CLEAR,                 /* STARTTLS disabled for a clear retry */
    SM_V_TEMP,                  /* temporary error */
    SM_V_PROTOCOL,              /* SMTP protocol error on STARTTLS */
    SM_V_SOFTWARE,              /* TLS handshake failed */
    SM_V_CONFIG,                /* tls_clt_features: local configuration */
    SM_V_FAILURE,               /* any other starttls() failure */
};

/* failure-reason-code of a failed handshake with no OpenSSL reason */
#define SM_HS_REASON "handshake-failure"

struct sm_event {
    enum sm_kind kind;
    int     verify;             /* enum sm_verify: SM_TLS, SM_RULESET */
    int     result;             /* failure type (enum sess_result) or -1 */
    int     local;              /* the failure is ours, not the receiver's */
    int     rcpt_rule;          /* SM_RULESET: tls_rcpt (per recipient) */
    const char *why;            /* fixed failure-reason-code, or NULL */
    struct span qid;            /* queue id; may be empty */
    struct span relay;          /* host as logged: "mx.", "[192.0.2.1]" */
    struct span ip;             /* delivery lines: inside "[...]" */
    struct span rcpt;           /* first recipient address */
    struct span domain;         /* its domain part; may be empty */
    struct span mailer;
    struct span dsn;
    struct span stat;
    struct span text;           /* reason=, verifymsg=, reject=, the
                                 * REASON field of an OpenSSL error */
    int     smtp;               /* SM_DELIVERY: an SMTP connection (not
                                 * local, prog, ...) */
    int     past_ehlo;          /* SM_DELIVERY: the dialogue got past EHLO
                                 * (stat=Sent, dsn=X.1.x or X.2.x) */
};

/* a relay as logged ("mx.example.", "[192.0.2.1]", "[IPv6:...]"),
 * canonical; fields empty when absent or invalid */
struct sm_peer {
    size_t  mxlen;              /* strlen(mx) */
    size_t  iplen;              /* strlen(ip) */
    int     loopback;           /* localhost, 127/8, ::1: an MSP hop */
    char    ip[IPADDR_MAX + 1];
    char    mx[DNAME_MAX + 1];
};

/* classify one message; cost O(len): the queue id, then the fields of
 * the shape its first bytes name, each once */
void    sm_classify(struct span msg, struct sm_event *ev);

/* 1 for the program names Sendmail logs under (sm-mta, sendmail, ...) */
int     sm_ident(struct span ident);

/* FortiMail event record 'type=event subtype=smtp ... session_id="ID"
 * msg="MESSAGE"': 0 with the Sendmail message and the session id, or -1 */
int     sm_forti(struct span line, struct span *msg, struct span *sid);

/* type of a certificate problem from OpenSSL's verify text (verifymsg=,
 * X509_verify_cert_error_string); SESS_SUCCESS for "ok" */
int     sm_cert_problem(struct span text);

/* relay name and address of a line into pe */
void    sm_peer_set(struct sm_peer *pe, struct span relay, struct span ip);

/* failure-reason-code from free text into out[cap]: [a-z0-9-] */

#endif
