/* emit/resolution/pol.h - per-domain policy resolution: who gets a report, and under
 * which policy each session was
 *
 * pol_resolve_all() finds, for many recipient domains at once (a bounded
 * pool of worker threads, one resolver and one HTTPS client each, so a
 * slow domain holds up only its own worker):
 *   - the TLSRPT record (_smtp._tls TXT, emit/resolution/trec.c) and its rua list;
 *   - MTA-STS: the _mta-sts TXT record, the policy fetched over HTTPS
 *     from the address our resolver found (emit/resolution/sts.c), or which of the
 *     three sts-* result types stops it;
 *   - DANE: for each MX host (from the log, and with want_mx the
 *     domain's MX RRset), whether its address is DNSSEC-secure and then
 *     its TLSA RRset (secure, insecure, absent, bogus).
 * With a state directory, answers are cached per domain (emit/resolution/pol_cache.c)
 * for their TTL, and an MTA-STS policy for its max_age (RFC 8461 5.1).
 *
 * What the report makes of it, per session, is emit/report/pol_judge.h.
 *
 * Thread safety: pol_resolve_all() runs its own threads and returns
 * after they joined; everything else is single-threaded per object.
 * Ownership: pol_dom_free() releases what resolution attached.
 */
#ifndef EMIT_POL_H
#define EMIT_POL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dns.h"
#include "sts.h"
#include "trec.h"
#include "../../global/sess.h"

#define POL_MAX_MX 16           /* MX hosts per domain looked at */
#define POL_MAX_TLSA 16         /* TLSA records kept per host */
#define POL_MAX_WORKERS 256
#define POL_WORKERS 64          /* default: lookups wait on the network far
                                 * more than they use the CPU */

enum pol_sts_state {
    POL_STS_NONE = 0,           /* no (valid) _mta-sts record, no cache */
    POL_STS_OK,                 /* a policy applies (fetched or cached) */
    POL_STS_FAILED,             /* valid record, no policy: result/reason */
};

enum pol_dane {
    POL_DANE_NONE = 0,          /* no DANE: insecure, no TLSA, no MX */
    POL_DANE_SECURE,            /* secure TLSA RRset (usable or not) */
    POL_DANE_BOGUS,             /* bogus or SERVFAIL: dnssec-invalid */
    POL_DANE_UNKNOWN,           /* lookup timed out or failed otherwise */
};

struct pol_tlsa {               /* one MX host */
    char    host[DNAME_MAX + 1];
    unsigned pref;              /* MX preference, 0 when from the log */
    int     in_mx;              /* listed in the domain's MX RRset */
    int     addr_rc;            /* enum dns_rc of A (then AAAA) */
    int     addr_ad;
    int     rc;                 /* enum dns_rc of TLSA, -1 not asked */
    int     ad;
    int     state;              /* enum pol_dane */
    int     usable;             /* a record of usage 2/3, selector 0/1,
                                 * matching 0/1/2 (RFC 7672 3.1) */
    size_t  nrr;
    char  **rr;                 /* "U S M HEX", sorted */
    char    why[DNS_MSG];
    time_t  until;              /* cached until */
};

struct pol_sts {
    int     txt_rc;             /* enum dns_rc of _mta-sts TXT, -1 none */
    struct sts_txt txt;
    int     state;              /* enum pol_sts_state */
    struct sts_policy policy;   /* POL_STS_OK */
    char    id[STS_MAX_ID + 1]; /* id the policy was fetched for */
    time_t  fetched;
    time_t  expires;            /* fetched + max_age */
    int     cached;             /* policy came from the cache */
    int     result;             /* POL_STS_FAILED: sess_result */
    char    reason[SESS_MAX_REASON + 1];
    char    error[STS_MSG];     /* why; also a failed refresh when a
                                 * cached policy is used */
};

struct pol_dom {
    const char *domain;         /* canonical; the caller's */
    const char *const *want_mx; /* MX hosts the log names (caller's) */
    size_t  nwant_mx;
    int     trec_rc;            /* enum dns_rc of _smtp._tls TXT */
    char    trec_why[DNS_MSG];
    struct trec *trec;          /* when TXT records came; else NULL */
    struct pol_sts *sts;        /* NULL: not looked up */
    int     mx_rc;              /* enum dns_rc of MX, -1 not asked */
    int     mx_ad;
    char    mx_why[DNS_MSG];
    size_t  nmx;
    struct pol_tlsa *mx;
    int     from_cache;         /* some answer came from the cache */
};

struct pol_conf {
    struct dns_conf dns;
    struct sts_fetch_conf fetch;
    const char *state_dir;      /* cache; NULL: no cache */
    int     workers;            /* concurrent domains; 0: POL_WORKERS */
    long    domain_ms;          /* every lookup and fetch of one domain
                                 * together at most this long; 0: no
                                 * bound (check-domain --timeout) */
    int     want_mx;            /* look up the MX RRset (check-domain) */
    int     tlsrpt_only;        /* skip MTA-STS and DANE for domains
                                 * without a usable TLSRPT record */
    /* NULL, or called in the worker that resolved d[i] right after; it
     * may pol_dom_free(d). Runs in many threads at once. */
    void    (*done)(struct pol_dom *d, size_t i, void *ctx);
    void   *done_ctx;
    time_t  now;                /* 0: time(NULL) */
};

/* pol_conf_env - timeouts, port and workers from MAILTLSRPT_DNS_TIMEOUT_MS,
 * MAILTLSRPT_HTTP_TIMEOUT_MS, MAILTLSRPT_HTTPS_PORT (tests) and
 * MAILTLSRPT_WORKERS over the defaults already in c */
void    pol_conf_env(struct pol_conf *c);

/* pol_resolve_all - resolve d[0..n) (domain and want_mx set by the
 * caller); 0, or -1 when no resolver could be set up (err[DNS_MSG]) */
int     pol_resolve_all(const struct pol_conf *c, struct pol_dom *d,
                        size_t n, char *err);

/* pol_dom_free - release what resolution attached; domain stays */
void    pol_dom_free(struct pol_dom *d);

/* 1 when the domain has exactly one valid TLSRPT record with a usable
 * rua (a report may be sent) */
int     pol_has_tlsrpt(const struct pol_dom *d);

/* the MX host entry for a canonical name, or NULL */
const struct pol_tlsa *pol_find_mx(const struct pol_dom *d,
                                   const char *host);

#endif
