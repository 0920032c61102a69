/* parsers/sess.h - the session record: what crosses from parsers/ into
 * aggregate/
 *
 * One record = one outbound SMTP connection to one MX address with at
 * most one TLS handshake (docs/architecture.md, "Sessions"). The record
 * has a fixed size, holds no heap pointers, and every string field is
 * bounded and already validated: domain and mx are canonical names
 * (util/dname.h) or empty, ip is canonical (util/ipaddr.h) or empty,
 * reason is printable ASCII without quotes or backslashes.
 * Thread safety: plain data.
 */
#ifndef PARSERS_SESS_H
#define PARSERS_SESS_H

#include <stddef.h>
#include <stdint.h>

#include "../util/dname.h"
#include "../util/span.h"
#include "../util/ipaddr.h"

struct wrap_rec;

#define SESS_MAX_REASON 96      /* failure-reason-code, bytes */
#define SESS_MAX_LOGHOST 63     /* host name field of the log line */

/* RFC 8460 section 4.3 result types, IANA registry order; SUCCESS first */
enum sess_result {
    SESS_SUCCESS = 0,
    SESS_STARTTLS_NOT_SUPPORTED,
    SESS_CERT_HOST_MISMATCH,
    SESS_CERT_EXPIRED,
    SESS_TLSA_INVALID,
    SESS_DNSSEC_INVALID,
    SESS_DANE_REQUIRED,
    SESS_CERT_NOT_TRUSTED,
    SESS_STS_POLICY_INVALID,
    SESS_STS_WEBPKI_INVALID,
    SESS_VALIDATION_FAILURE,
    SESS_STS_POLICY_FETCH_ERROR,
    SESS_RESULT_COUNT
};

/* the policy the session was under, as far as is known */
enum sess_policy {
    SESS_POL_NONE = 0,          /* no-policy-found */
    SESS_POL_STS,               /* sts */
    SESS_POL_TLSA,              /* tlsa */
    SESS_POL_COUNT
};

/* what the log says of the server certificate, kept so that a session
 * can be judged again under a policy resolved later (MTA-STS, DANE):
 * a success under no-policy-found may be a failure under a policy */
enum sess_cert {
    SESS_CERT_UNKNOWN = 0,      /* no TLS, or the log does not say */
    SESS_CERT_VERIFIED,         /* chain and name verified (Postfix
                                 * Verified, Exim CV=yes/dane) */
    SESS_CERT_TRUSTED,          /* chain trusted, name not verified */
    SESS_CERT_UNTRUSTED,        /* chain not trusted */
    SESS_CERT_ANON,             /* no certificate (anonymous cipher) */
    SESS_CERT_COUNT
};

/* flags */
#define SESS_F_PLAINTEXT 0x01   /* no TLS seen: starttls-not-supported only
                                 * if the log host logs TLS (decided when
                                 * the report is built) */

struct sess_rec {
    int64_t time;               /* UTC epoch seconds of the first line */
    int32_t day;                /* UTC day number: time / 86400 */
    uint8_t result;             /* enum sess_result */
    uint8_t policy;             /* enum sess_policy */
    uint8_t flags;              /* SESS_F_* */
    uint8_t cert;               /* enum sess_cert */
    uint8_t cert_problem;       /* enum sess_result of a certificate
                                 * problem the log showed, or SESS_SUCCESS */
    char    domain[DNAME_MAX + 1];      /* policy (recipient) domain */
    char    mx[DNAME_MAX + 1];  /* receiving-mx-hostname, or "" */
    char    helo[DNAME_MAX + 1];        /* receiving-mx-helo, or "" */
    char    ip[IPADDR_MAX + 1]; /* receiving-ip, or "" */
    char    loghost[SESS_MAX_LOGHOST + 1];      /* sending host, or "" */
    char    reason[SESS_MAX_REASON + 1];        /* failure-reason-code */
};

/* RFC 8460 spelling of a result ("success" for SESS_SUCCESS) */
const char *sess_result_name(int result);

/* RFC 8460 policy-type string */
const char *sess_policy_name(int policy);

/* result code for an RFC 8460 spelling (also accepts '_' for '-'), or -1 */
int     sess_result_code(const char *name, unsigned long len);

/* sess_slug - failure-reason-code from free text into out[cap]: lower
 * case [a-z0-9] with single '-' between words, at most cap - 1 bytes;
 * used by every parser so that the same text gives the same code */
void    sess_slug(struct span t, char *out, size_t cap);

/* sess_set_reason - copy text into rec->reason, keeping only printable
 * ASCII other than '"' and '\\', folding runs of spaces, truncating */
void    sess_set_reason(struct sess_rec *rec, const char *text,
                        unsigned long len);

enum sess_disp {
    SESS_D_COUNTED = 0,         /* goes into the report */
    SESS_D_PORT,                /* not an MX port: submission/smarthost */
    SESS_D_RELAYHOST,           /* a configured relay host */
    SESS_D_LMTP,                /* lmtp(8): local delivery, not an MX */
    SESS_D_LOCAL_NOTLS,         /* STARTTLS switched off locally */
    SESS_D_UNDATED,             /* line without a timestamp */
    SESS_D_BAD_DOMAIN,          /* recipient domain fails validation */
    SESS_D_UNATTRIBUTED,        /* no delivery line named its domain */
    SESS_D_OWN_REPORT,          /* carried our own report mail (RFC 8460
                                 * section 3: no report of reports) */
    SESS_D_COUNT
};

const char *sess_disp_name(enum sess_disp d);

/* what every parser needs to know of the configuration */
struct sess_conf {
    const int *mx_ports;        /* ports of MX sessions; NULL: {25} */
    size_t  nmx_ports;
    /* 1 when host (canonical name) or ip is a configured relay host */
    int     (*is_relay) (const char *host, const char *ip, const void *ctx);
    const void *is_relay_ctx;
    /* envelope sender of our own report mail (mail_from), or NULL:
     * sessions of messages from it are SESS_D_OWN_REPORT */
    const char *own_from;
};

/* Queue ids (per log host) of messages whose envelope sender is
 * own_from, for the correlators: Postfix's qmgr "from=" line, Exim's
 * "<=" line, Sendmail's "from=" line note the id; the delivery's
 * sessions ask. Bounded: at most SESS_OWN_MAX ids, each forgotten when
 * the MTA says the message is gone or SESS_OWN_SECS of log time after
 * it was last noted (a report mail queued longer is bounced by then).
 * Full: new ids are not noted (those sessions are counted). */
#define SESS_OWN_MAX 4096
#define SESS_OWN_SECS (6 * 86400)

struct sess_own;

/* tracker for conf->own_from; NULL (nothing is ours) when it is unset */
struct sess_own *sess_own_create(const struct sess_conf *conf);
struct sess_own *sess_own_free(struct sess_own *o);     /* always NULL */

/* 1 when addr ("a@b" or "<a@b>", as logged) is own_from; o may be NULL */
int     sess_own_sender(const struct sess_own *o, struct span addr);

/* note / ask / forget queue id qid of log host host; t: log time */
void    sess_own_note(struct sess_own *o, struct span host, struct span qid,
                      int64_t t);
/* 1 when any queue id is noted: cost O(1) */
int     sess_own_any(const struct sess_own *o);
int     sess_own_has(const struct sess_own *o, struct span host,
                     struct span qid);
void    sess_own_forget(struct sess_own *o, struct span host,
                        struct span qid);

/* where every parser delivers sessions */
struct sess_cb {
    void    (*session) (void *ctx, const struct sess_rec *r,
                        enum sess_disp d);
    /* the log host writes TLS lines for outbound connections */
    void    (*tls_host) (void *ctx, const char *loghost);
    void   *ctx;
    /* optional (NULL: none), for saved states (aggregate/agg_state.h):
     * hold is asked before a line changes the state of correlation key
     * (key, klen) of parser mta (enum sess_mta), with the time the
     * correlator uses; 1: the caller keeps the line, the correlator
     * skips it. keep is asked at flush for every key still open; 1:
     * leave it open (not handed over as unattributed) */
    int     (*hold) (void *ctx, int mta, const void *key, size_t klen,
                     int dated, int64_t t, const struct wrap_rec *r);
    int     (*keep) (void *ctx, int mta, const void *key, size_t klen);
};

/* which correlator a key belongs to (sess_cb.hold, keep) */
enum sess_mta {
    SESS_MTA_POSTFIX = 0,
    SESS_MTA_EXIM,
    SESS_MTA_SENDMAIL,
    SESS_MTA_COUNT
};

/* every correlator forgets a key idle this long (log time) */
#define SESS_IDLE_SECS 3600

/* What one input line meant, for --trace and the corpus tests; the
 * vocabulary of testdata/corpus/labels.tsv */
enum trace_kind {
    TRACE_IRRELEVANT = 0,       /* not about outbound TLS */
    TRACE_DETAIL,               /* TLS detail, no verdict */
    TRACE_CONTEXT,              /* ties a session to domain/relay/queue */
    TRACE_PLAINTEXT,            /* a session without TLS */
    TRACE_SUCCESS,              /* TLS, server authenticated */
    TRACE_SUCCESS_UNAUTH,       /* TLS, server not authenticated */
    TRACE_FAILURE,              /* failure of type result */
    TRACE_COND,                 /* failure of type result if required */
    TRACE_BAD,                  /* broken line, counted and skipped */
    TRACE_DUPLICATE,            /* the line before it again: skipped */
};

struct trace {
    enum trace_kind kind;
    int     result;             /* TRACE_FAILURE, TRACE_COND */
    const char *bad;            /* TRACE_BAD: why */
};

/* "failure:certificate-expired" etc. into buf */
void    trace_format(const struct trace *t, char *buf, unsigned long cap);

#endif
