/* emit/resolution/dns.h - DNS lookups through one configured resolver (ldns)
 *
 * Every name mailtlsrpt looks up goes through dns_query(): TXT for
 * TLSRPT and MTA-STS, MX, TLSA, and A/AAAA of policy hosts and report
 * endpoints. The resolver is --resolver ADDR[:PORT] or the first
 * nameservers of /etc/resolv.conf. Queries carry RD and the DO bit
 * (EDNS0, 1232 bytes, TCP on truncation); answers are checked against
 * the question (ID, name, type) and read only up to bounds: at most
 * DNS_MAX_RR records of the type asked for, each of bounded size, at
 * the end of a CNAME chain of at most DNS_MAX_CNAME links.
 *
 * DNSSEC: the AD bit of the answer is passed on. It is trusted only
 * because the resolver is meant to be a local validating resolver
 * (docs/resolution.md says why this and not ldns's own validation).
 * A SERVFAIL is asked again with CD set: when the data then comes, the
 * answer was bogus (DNS_BOGUS), else the resolver failed (DNS_SERVFAIL).
 *
 * Thread safety: a struct dns belongs to one thread at a time; create
 * one per worker. dns_query() never prints; it says what went wrong in
 * the answer's why.
 */
#ifndef EMIT_DNS_H
#define EMIT_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_MAX_RR 32           /* records kept per answer */
#define DNS_MAX_CNAME 8         /* CNAME links followed */
#define DNS_MAX_TXT 4096        /* one TXT record, strings joined */
#define DNS_MAX_TLSA 1024       /* TLSA association data, bytes */
#define DNS_MSG 160

/* record types asked for */
#define DNS_T_A 1
#define DNS_T_MX 15
#define DNS_T_TXT 16
#define DNS_T_AAAA 28
#define DNS_T_TLSA 52

enum dns_rc {
    DNS_OK = 0,                 /* records of the type asked for */
    DNS_NODATA,                 /* the name exists, no such records */
    DNS_NXDOMAIN,               /* the name does not exist */
    DNS_SERVFAIL,               /* the resolver failed */
    DNS_BOGUS,                  /* DNSSEC validation failed */
    DNS_TIMEOUT,                /* no answer in time */
    DNS_ERROR,                  /* REFUSED, FORMERR, bad answer, ... */
};

struct dns_conf {
    const char *server;         /* "ADDR", "ADDR:PORT", "[V6]:PORT"; NULL:
                                 * /etc/resolv.conf */
    long    timeout_ms;         /* per try; 0: 2000 */
    int     tries;              /* 0: 2 */
};

/* a resolver that refuses (ICMP port unreachable on the connected
 * socket) fails the query at once, as one that does not answer does at
 * the end of its tries: both DNS_TIMEOUT, "no answer", told apart in
 * why. dns_budget() bounds the time of every query after it together
 * (check-domain: all lookups of one domain); a query begun after the
 * budget is spent fails at once. */

struct dns_rr {
    char   *data;               /* NUL-terminated; see dns_query() */
    size_t  len;                /* bytes of data without the NUL */
    unsigned pref;              /* MX preference */
};

struct dns_ans {
    int     rc;                 /* enum dns_rc */
    int     ad;                 /* AD bit: the resolver validated it */
    uint32_t ttl;               /* smallest TTL of what was used; for
                                 * NODATA/NXDOMAIN the SOA's negative TTL */
    size_t  n;
    struct dns_rr rr[DNS_MAX_RR];
    size_t  dropped;            /* records over the bounds or invalid */
    char    why[DNS_MSG];       /* rc != DNS_OK: what happened */
};

struct dns;                     /* opaque */

/* dns_create - a resolver for one thread; NULL with err[DNS_MSG] */
struct dns *dns_create(const struct dns_conf *c, char *err);
struct dns *dns_free(struct dns *d);    /* always NULL */

/* dns_budget - from now on, every query of d together takes at most ms
 * milliseconds (0: no bound); dns_left_ms() what is left (-1: no bound) */
void    dns_budget(struct dns *d, long ms);
long    dns_left_ms(const struct dns *d);

/* dns_conf_check - 0 when server parses as ADDR[:PORT]; -1 with err */
int     dns_conf_check(const char *server, char *err);

/* dns_query - ask for type at name (letters, digits, '-', '_' and dots,
 * at most 253 bytes); fills *a (free with dns_ans_free()), returns a->rc.
 * Record text: TXT the strings joined (bytes as published, may hold any
 * byte; longer than DNS_MAX_TXT: cut at DNS_MAX_TXT + 1 bytes so that
 * the caller sees it is too long); MX the canonical host (util/dname.h;
 * "" for the null MX "."); TLSA "U S M HEX" (upper-case hex); A/AAAA
 * the address in ipaddr_norm form. Cost: one or two round trips. */
int     dns_query(struct dns *d, const char *name, int type,
                  struct dns_ans *a);
void    dns_ans_free(struct dns_ans *a);

/* dns_answer_wire - a reply in wire form judged as dns_query() judges
 * the resolver's (no network; SERVFAIL without the CD re-query): for
 * tests and the fuzz target. Fills *a, returns a->rc. */
int     dns_answer_wire(const unsigned char *wire, size_t len,
                        const char *name, int type, struct dns_ans *a);

/* "ok", "nodata", "nxdomain", "servfail", "bogus", "timeout", "error" */
const char *dns_rc_name(int rc);

#endif
