/* emit/resolution/sts.h - MTA-STS (RFC 8461): the _mta-sts record, the policy file,
 * MX patterns and the HTTPS fetch of the policy
 *
 * sts_txt_parse(), sts_policy_parse() and sts_mx_match() are pure: no
 * I/O, no global state (sts_policy_parse() allocates the parsed policy,
 * released with sts_policy_free()). They treat their input as hostile:
 * every length is bounded and every MX pattern validated.
 *
 * sts_fetch() (emit/resolution/sts_fetch.c) gets https://mta-sts.<domain>/.well-
 * known/mta-sts.txt with libcurl from addresses the caller resolved
 * (CURLOPT_RESOLVE: the checked address is the one connected to), with
 * full certificate and name validation, no redirects, no proxy, a size
 * cap and timeouts, and says which RFC 8460 result type a failure is.
 * Call sts_global_init() once before any thread starts.
 * Thread safety: every function may run in many threads at once.
 */
#ifndef EMIT_STS_H
#define EMIT_STS_H

#include <stddef.h>

#include "../../global/sess.h"
#include "../../util/dname.h"
#include "../../util/span.h"

#define STS_MAX_BODY 65536      /* policy file, bytes (RFC 8461 3.3) */
#define STS_MAX_LINE 1000       /* one policy line, bytes */
#define STS_MAX_LINES 300       /* lines of one policy */
#define STS_MAX_MX 64           /* mx patterns of one policy */
#define STS_MAX_AGE 31557600L   /* max_age upper bound (RFC 8461 3.2) */
#define STS_MAX_ID 32           /* id: 1..32 letters and digits */
#define STS_MAX_TXT 1024        /* _mta-sts record, bytes */
#define STS_MSG 200             /* one message, bytes with NUL */

enum sts_txt_status {
    STS_TXT_OK = 0,             /* exactly one v=STSv1 record, valid */
    STS_TXT_NONE,               /* none starts with v=STSv1; */
    STS_TXT_MULTIPLE,           /* more than one does */
    STS_TXT_SYNTAX,             /* breaks the grammar, or no id */
};

struct sts_txt {
    int     status;             /* enum sts_txt_status */
    char    id[STS_MAX_ID + 1];
    char    record[STS_MAX_TXT + 1];    /* printable copy */
    char    error[STS_MSG];
};

enum sts_mode {
    STS_MODE_NONE = 0,
    STS_MODE_TESTING,
    STS_MODE_ENFORCE,
};

struct sts_policy {
    int     mode;               /* enum sts_mode */
    long    max_age;            /* seconds, 0..STS_MAX_AGE */
    size_t  nlines;             /* policy-string: the lines as published, */
    char  **lines;              /* line endings removed, blank lines left
                                 * out, file order */
    size_t  nmx;                /* mx-host: the mx values in policy order, */
    char  **mx;                 /* canonical ("*.example.com" or a name) */
    char   *text;               /* storage of lines and mx */
};

/* sts_txt_parse - judge the TXT records (strings joined) of one
 * _mta-sts name (RFC 8461 3.1); returns out->status. O(total bytes) */
int     sts_txt_parse(const struct span *txt, size_t n, struct sts_txt *out);

/* sts_policy_parse - parse a policy body (LF or CRLF lines, RFC 8461 3.2);
 * 0, or -1 with why[STS_MSG] (p is then empty). p is overwritten; free
 * it with sts_policy_free(). Cost O(len) */
int     sts_policy_parse(const char *body, size_t len, struct sts_policy *p,
                         char *why);

/* sts_policy_free - release what sts_policy_parse() allocated; p empty */
void    sts_policy_free(struct sts_policy *p);

/* sts_policy_copy - deep copy of src into dst (dst overwritten) */
void    sts_policy_copy(struct sts_policy *dst, const struct sts_policy *src);

/* sts_mx_match - 1 when the canonical host matches the canonical pattern
 * (RFC 8461 4.1: equal, or "*.d" with exactly one more left label) */
int     sts_mx_match(const char *pattern, const char *host);

/* 1 when host matches one of the policy's mx patterns */
int     sts_policy_mx_ok(const struct sts_policy *p, const char *host);

/* "none", "testing", "enforce" */
const char *sts_mode_name(int mode);

/* fetch configuration */
struct sts_fetch_conf {
    const char *ca_file;        /* extra trusted CAs (PEM), or NULL */
    long    timeout_ms;         /* whole transfer */
    long    connect_timeout_ms;
    int     port;               /* 443; other values for tests only */
};

struct sts_fetch_res {
    int     result;             /* SESS_SUCCESS, or SESS_STS_POLICY_FETCH_
                                 * ERROR, SESS_STS_WEBPKI_INVALID */
    char    reason[SESS_MAX_REASON + 1];        /* failure-reason-code */
    char    error[STS_MSG];     /* for people */
    long    http_status;        /* 0 when no answer */
    char    content_type[64];   /* printable, "" when absent */
    char   *body;               /* SESS_SUCCESS: malloc'd, NUL-terminated */
    size_t  len;
};

/* sts_global_init - libcurl's global set-up; once, before threads */
void    sts_global_init(void);

/* sts_fetch - GET the policy of canonical domain from the n addresses
 * (ipaddr_norm form) found for mta-sts.<domain>; 0 when a 200 answer of
 * at most STS_MAX_BODY bytes came (res->body set), -1 otherwise with
 * res->result, reason and error set. Free with sts_fetch_res_free(). */
int     sts_fetch(const char *domain, const char *const *addrs, size_t n,
                  const struct sts_fetch_conf *conf,
                  struct sts_fetch_res *res);
void    sts_fetch_res_free(struct sts_fetch_res *res);

#endif
