/* global/sess.h - the session record and the RFC 8460 vocabulary
 *
 * What every stage knows of an outbound TLS session, and nothing of
 * any one stage (as Postfix's src/global knows mail, no daemon's): the
 * result types of RFC 8460 section 4.3 and their names, the policy
 * types, what a log says of the server certificate, failure-reason
 * codes, the dispositions (why a session is counted or not), and the
 * record itself. The parsers make records (parsers/corr.c), aggregate/
 * counts them, emit/ judges them under a policy and reports them; none
 * of them owns this module.
 *
 * One record = one outbound SMTP connection to one MX address with at
 * most one TLS handshake (docs/architecture.md, "Sessions"). The record
 * has a fixed size, holds no heap pointers, and every string field is
 * bounded and already validated: domain and mx are canonical names
 * (util/dname.h) or empty, ip is canonical (util/ipaddr.h) or empty,
 * reason is printable ASCII without quotes or backslashes.
 * Thread safety: plain data; the functions are pure.
 */
#ifndef GLOBAL_SESS_H
#define GLOBAL_SESS_H

#include <stddef.h>
#include <stdint.h>

#include "../util/dname.h"
#include "../util/span.h"
#include "../util/ipaddr.h"

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

/* sess_rec_clear - every field of r zero, every string empty. Only the
 * bytes of a string up to its NUL are defined (a record is about a
 * thousand bytes, mostly string room that a session does not use):
 * records are read, keyed and compared by field, never as a whole.
 * Inline: one call per session; cost a dozen stores */
static inline void
sess_rec_clear(struct sess_rec *r)
{
    r->time = 0;
    r->day = 0;
    r->result = r->policy = r->flags = r->cert = r->cert_problem = 0;
    r->domain[0] = r->mx[0] = r->helo[0] = r->ip[0] = r->loghost[0] = 0;
    r->reason[0] = 0;
}

/* sess_view - a session as its maker holds it (parsers/corr.c): the
 * record's numbers, and each of its strings where it lies, with its
 * length (strlen), none copied into a record. A string's NUL is at its
 * length, and at least SESS_VIEW_ROOM bytes are readable from its start
 * (a string shorter than that may be copied as that many bytes: the
 * table key, aggregate/agg_tab.c). The strings are what a record's
 * would be: bounded as its fields are, domain and mx canonical or
 * empty, helo empty. day to cert_problem lie in the order of the table
 * key (agg_tab.c asserts it). Valid during the call that hands it over
 * only */
#define SESS_VIEW_ROOM 32
struct sess_view {
    int32_t day;                /* as in struct sess_rec */
    uint8_t policy;
    uint8_t result;
    uint8_t flags;
    uint8_t cert;
    uint8_t cert_problem;
    int64_t time;
    struct span domain;
    struct span mx;
    struct span helo;
    struct span ip;
    struct span loghost;
    struct span reason;
};

/* sess_view_rec - the record of view v (each string cut to its field,
 * should a length not be below the field's room) */
void    sess_view_rec(const struct sess_view *v, struct sess_rec *r);

/* sess_rec_view - the view of record r (its strings measured); v */
struct sess_view *sess_rec_view(const struct sess_rec *r,
                                struct sess_view *v);

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

/* sess_text_slot - the slot among 1 << bits (bits <= 32) of a text
 * (len > 0) in the per-thread memories of texts read before: its
 * length and four of its bytes, mixed */
static inline unsigned
sess_text_slot(struct span t, unsigned bits)
{
    uint64_t h = (uint64_t) t.len
        | (uint64_t) (unsigned char) t.ptr[t.len / 2] << 16
        | (uint64_t) (unsigned char) t.ptr[t.len - 1] << 24
        | (uint64_t) (unsigned char) t.ptr[t.len / 4] << 32
        | (uint64_t) (unsigned char) t.ptr[t.len / 4 * 3] << 40;

    return (unsigned) ((h * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
}

/* sess_slug_mt - sess_slug(), the texts folded last on the calling
 * thread remembered (the same output; per thread: safe in any) */
void    sess_slug_mt(struct span t, char *out, size_t cap);

/* sess_set_reason - copy text into rec->reason, keeping only printable
 * ASCII other than '"' and '\\', folding runs of spaces, truncating */
void    sess_set_reason(struct sess_rec *rec, const char *text,
                        unsigned long len);

/* sess_put_reason - sess_set_reason() into out[SESS_MAX_REASON + 1]
 * (what a record's reason would hold); returns its length */
size_t  sess_put_reason(char *out, const char *text, unsigned long len);

/* what became of a session: counted, or why not (the correlators
 * decide, parsers/corr.c; runs and states count them; summaries show
 * them) */
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

/* the text of a disposition ("counted", "excluded:port", ...) */
const char *sess_disp_name(enum sess_disp d);

#endif
