/* emit/resolution/dns.c - DNS lookups through one configured resolver (ldns)
 *
 * NAME
 *      dns - ask the configured resolver, read the answer within bounds
 * SYNOPSIS
 *      #include "emit/resolution/dns.h"
 *
 *      struct dns *dns_create(conf, err)
 *      int   dns_query(d, name, type, ans)
 *      int   dns_answer_wire(wire, len, name, type, ans)
 *      void  dns_ans_free(ans)
 * DESCRIPTION
 *      Each query is built here (random ID from getrandom(2), RD, EDNS0
 *      with DO and a 1232-byte buffer, CD only for the bogus check) and
 *      sent with ldns_resolver_send_pkt(), which retries and falls back
 *      to TCP on truncation. The reply must echo the ID and the question;
 *      otherwise it is an error, never data.
 *
 *      From the answer section only records of the asked type whose
 *      owner is the end of the CNAME chain starting at the question name
 *      are taken (at most DNS_MAX_CNAME links): a resolver that adds
 *      other records cannot smuggle them in. The TTL is the smallest of
 *      the records and CNAMEs used; a negative answer takes
 *      min(SOA TTL, SOA minimum) from the authority section (RFC 2308),
 *      or 300 s without SOA.
 *
 *      The exchange is ours (dns_exchange()), not ldns's: a connected UDP
 *      socket per nameserver and try, so that an ICMP port unreachable
 *      ("connection refused": nothing listens there) ends that server's
 *      part at once instead of after its timeout; TCP when the reply is
 *      truncated. Every nameserver is tried in order, tries times, each
 *      try at most timeout_ms and never past the budget (dns_budget()).
 *      No answer from any of them is DNS_TIMEOUT, its why saying
 *      whether they refused or were silent.
 * THREADS
 *      A struct dns is used by one thread at a time.
 */
#include "dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "../../util/dname.h"
#include "../../util/ipaddr.h"
#include "../../util/mymalloc.h"

#define DNS_EDNS_SIZE 1232      /* DNS flag day 2020 */
#define DNS_NEG_TTL 300         /* negative answer without SOA */

struct dns {
    ldns_resolver *res;
    long    try_ms;             /* per try */
    int     tries;
    struct timespec deadline;   /* dns_budget(); tv_sec 0: none */
};

/* dns_rc_name - text of a result */
const char *
dns_rc_name(int rc)
{
    static const char *const names[] = {
        "ok", "nodata", "nxdomain", "servfail", "bogus", "timeout", "error",
    };

    if (rc < 0 || (size_t) rc >= sizeof(names) / sizeof(names[0]))
        return "error";
    return names[rc];
}

/* dns_split - ADDR[:PORT] or [V6]:PORT into addr[INET6_ADDRSTRLEN] and
 * *port, and the family of the address; 0 or -1 */
static int
dns_split(const char *s, char *addr, int *port, int *family)
{
    const char *colon;
    const char *end;
    size_t  alen;
    unsigned char bin[16];
    char   *e;
    long    p = 53;

    if (s == NULL || *s == 0)
        return -1;
    if (*s == '[') {
        if ((end = strchr(s, ']')) == NULL)
            return -1;
        alen = (size_t) (end - s - 1);
        s++;
        colon = end[1] == ':' ? end + 1 : NULL;
        if (end[1] != 0 && colon == NULL)
            return -1;
    } else if ((colon = strchr(s, ':')) != NULL && strchr(colon + 1, ':')) {
        alen = strlen(s);       /* bare IPv6, no port */
        colon = NULL;
    } else {
        alen = colon ? (size_t) (colon - s) : strlen(s);
    }
    if (alen == 0 || alen >= INET6_ADDRSTRLEN)
        return -1;
    memcpy(addr, s, alen);
    addr[alen] = 0;
    if (colon != NULL) {
        p = strtol(colon + 1, &e, 10);
        if (colon[1] == 0 || *e != 0 || p < 1 || p > 65535)
            return -1;
    }
    *port = (int) p;
    if (inet_pton(AF_INET, addr, bin) == 1)
        *family = AF_INET;
    else if (inet_pton(AF_INET6, addr, bin) == 1)
        *family = AF_INET6;
    else
        return -1;
    return 0;
}

/* dns_conf_check - validate a --resolver value */
int
dns_conf_check(const char *server, char *err)
{
    char    addr[INET6_ADDRSTRLEN];
    int     port, fam;

    if (dns_split(server, addr, &port, &fam) != 0) {
        snprintf(err, DNS_MSG, "resolver \"%.60s\" is not ADDR, ADDR:PORT"
                 " or [IPV6]:PORT", server ? server : "");
        return -1;
    }
    return 0;
}

/* dns_create - one resolver object */
struct dns *
dns_create(const struct dns_conf *c, char *err)
{
    ldns_resolver *r = NULL;
    struct timeval tv;
    long    ms = c->timeout_ms > 0 ? c->timeout_ms : 2000;
    int     tries = c->tries > 0 ? c->tries : 2;
    struct dns *d;

    if (c->server != NULL) {
        char    addr[INET6_ADDRSTRLEN];
        int     port, fam;
        ldns_rdf *ns;

        if (dns_conf_check(c->server, err) != 0)
            return NULL;
        dns_split(c->server, addr, &port, &fam);
        if ((r = ldns_resolver_new()) == NULL) {
            snprintf(err, DNS_MSG, "out of memory");
            return NULL;
        }
        ns = ldns_rdf_new_frm_str(fam == AF_INET ? LDNS_RDF_TYPE_A
                                  : LDNS_RDF_TYPE_AAAA, addr);
        if (ns == NULL || ldns_resolver_push_nameserver(r, ns)
            != LDNS_STATUS_OK) {
            ldns_rdf_deep_free(ns);
            ldns_resolver_deep_free(r);
            snprintf(err, DNS_MSG, "cannot use resolver %s", addr);
            return NULL;
        }
        ldns_rdf_deep_free(ns);
        ldns_resolver_set_port(r, (uint16_t) port);
    } else if (ldns_resolver_new_frm_file(&r, NULL) != LDNS_STATUS_OK
               || r == NULL || ldns_resolver_nameserver_count(r) == 0) {
        if (r != NULL)
            ldns_resolver_deep_free(r);
        snprintf(err, DNS_MSG, "no nameserver in /etc/resolv.conf; use"
                 " --resolver");
        return NULL;
    }
    ldns_resolver_set_recursive(r, true);
    ldns_resolver_set_dnssec(r, true);
    ldns_resolver_set_dnssec_cd(r, false);
    ldns_resolver_set_edns_udp_size(r, DNS_EDNS_SIZE);
    ldns_resolver_set_fallback(r, true);
    ldns_resolver_set_defnames(r, false);
    ldns_resolver_set_dnsrch(r, false);
    ldns_resolver_set_random(r, false);
    ldns_resolver_set_retrans(r, 0);
    ldns_resolver_set_retry(r, (uint8_t) (tries > 10 ? 10 : tries));
    ldns_resolver_set_fail(r, false);
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    ldns_resolver_set_timeout(r, tv);
    d = xcalloc(1, sizeof(*d));
    d->res = r;
    d->try_ms = ms;
    d->tries = tries > 10 ? 10 : tries;
    return d;
}

/* dns_free - release a resolver */
struct dns *
dns_free(struct dns *d)
{
    if (d != NULL) {
        ldns_resolver_deep_free(d->res);
        free(d);
    }
    return NULL;
}

/* dns_ans_free - release the records of an answer */
void
dns_ans_free(struct dns_ans *a)
{
    size_t  i;

    for (i = 0; i < a->n; i++)
        free(a->rr[i].data);
    a->n = 0;
}

/* dns_name_ok - 1 when name is LDH/underscore labels, <= 253 bytes */
static int
dns_name_ok(const char *name)
{
    size_t  label = 0;
    size_t  len = 0;
    const char *p;

    for (p = name; *p; p++, len++) {
        unsigned char c = (unsigned char) *p;

        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_')
            || ++label > 63)
            return 0;
    }
    return len > 0 && len <= DNAME_MAX && label > 0;
}

/* dns_add - append a record text (copied) */
static void
dns_add(struct dns_ans *a, const char *data, size_t len, unsigned pref)
{
    struct dns_rr *r;

    if (a->n >= DNS_MAX_RR) {
        a->dropped++;
        return;
    }
    r = &a->rr[a->n++];
    r->data = xmalloc(len + 1);
    memcpy(r->data, data, len);
    r->data[len] = 0;
    r->len = len;
    r->pref = pref;
}

/* dns_txt - strings of a TXT record joined (RFC 7208 3.3) */
static void
dns_txt(struct dns_ans *a, const ldns_rr *rr)
{
    char    buf[DNS_MAX_TXT + 1];
    size_t  len = 0;
    size_t  i;

    for (i = 0; i < ldns_rr_rd_count(rr); i++) {
        const ldns_rdf *f = ldns_rr_rdf(rr, i);
        const uint8_t *p = ldns_rdf_data(f);
        size_t  sz = ldns_rdf_size(f);
        size_t  n;

        if (ldns_rdf_get_type(f) != LDNS_RDF_TYPE_STR || sz < 1)
            continue;
        n = p[0] < sz - 1 ? p[0] : sz - 1;
        if (len + n > DNS_MAX_TXT + 1)
            n = DNS_MAX_TXT + 1 - len;
        memcpy(buf + len, p + 1, n);
        len += n;
        if (len > DNS_MAX_TXT)
            break;              /* too long: the caller will see it */
    }
    dns_add(a, buf, len, 0);
}

/* dns_host - canonical form of a dname rdf into out; 0, 1 for the root
 * (null MX, RFC 7505), -1 when invalid */
static int
dns_host(const ldns_rdf *f, char *out)
{
    char   *s;
    int     rc;

    if (f == NULL || ldns_rdf_get_type(f) != LDNS_RDF_TYPE_DNAME)
        return -1;
    if (ldns_dname_label_count(f) == 0) {
        out[0] = 0;
        return 1;
    }
    if ((s = ldns_rdf2str(f)) == NULL)
        return -1;
    /* escapes such as "\032" make dname_norm() refuse the name */
    rc = strlen(s) <= DNAME_MAX + 1 && dname_norm(s, strlen(s), out) == 0
        ? 0 : -1;
    free(s);
    return rc;
}

/* dns_mx - "preference host" */
static void
dns_mx(struct dns_ans *a, const ldns_rr *rr)
{
    char    host[DNAME_MAX + 1];
    const ldns_rdf *pref = ldns_rr_rdf(rr, 0);

    if (ldns_rr_rd_count(rr) != 2 || pref == NULL
        || ldns_rdf_size(pref) != 2 || dns_host(ldns_rr_rdf(rr, 1), host) < 0) {
        a->dropped++;
        return;
    }
    dns_add(a, host, strlen(host), ldns_read_uint16(ldns_rdf_data(pref)));
}

/* dns_tlsa - "U S M HEX" in the RFC 8460 4.5 presentation form */
static void
dns_tlsa(struct dns_ans *a, const ldns_rr *rr)
{
    static const char hex[] = "0123456789ABCDEF";
    char    buf[16 + 2 * DNS_MAX_TLSA];
    const ldns_rdf *f[4];
    const uint8_t *p;
    size_t  i, n, o;

    if (ldns_rr_rd_count(rr) != 4) {
        a->dropped++;
        return;
    }
    for (i = 0; i < 4; i++)
        f[i] = ldns_rr_rdf(rr, i);
    for (i = 0; i < 3; i++)
        if (f[i] == NULL || ldns_rdf_size(f[i]) != 1) {
            a->dropped++;
            return;
        }
    n = f[3] ? ldns_rdf_size(f[3]) : 0;
    if (n == 0 || n > DNS_MAX_TLSA) {
        a->dropped++;
        return;
    }
    o = (size_t) snprintf(buf, sizeof(buf), "%u %u %u ",
                          ldns_rdf_data(f[0])[0], ldns_rdf_data(f[1])[0],
                          ldns_rdf_data(f[2])[0]);
    p = ldns_rdf_data(f[3]);
    for (i = 0; i < n; i++) {
        buf[o++] = hex[p[i] >> 4];
        buf[o++] = hex[p[i] & 15];
    }
    dns_add(a, buf, o, 0);
}

/* dns_addr - A or AAAA record as canonical text */
static void
dns_addr(struct dns_ans *a, const ldns_rr *rr, int type)
{
    const ldns_rdf *f = ldns_rr_rdf(rr, 0);
    char    txt[INET6_ADDRSTRLEN];
    char    canon[IPADDR_MAX + 1];
    size_t  want = type == DNS_T_A ? 4 : 16;

    if (f == NULL || ldns_rdf_size(f) != want
        || inet_ntop(type == DNS_T_A ? AF_INET : AF_INET6, ldns_rdf_data(f),
                     txt, sizeof(txt)) == NULL
        || ipaddr_norm(txt, strlen(txt), canon) != 0) {
        a->dropped++;
        return;
    }
    dns_add(a, canon, strlen(canon), 0);
}

/* dns_neg_ttl - negative TTL from the SOA of the authority section */
static uint32_t
dns_neg_ttl(const ldns_pkt *p)
{
    const ldns_rr_list *auth = ldns_pkt_authority(p);
    size_t  i;

    for (i = 0; auth != NULL && i < ldns_rr_list_rr_count(auth); i++) {
        const ldns_rr *rr = ldns_rr_list_rr(auth, i);
        const ldns_rdf *min;
        uint32_t ttl = ldns_rr_ttl(rr);

        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA
            || ldns_rr_rd_count(rr) != 7
            || (min = ldns_rr_rdf(rr, 6)) == NULL || ldns_rdf_size(min) != 4)
            continue;
        if (ldns_read_uint32(ldns_rdf_data(min)) < ttl)
            ttl = ldns_read_uint32(ldns_rdf_data(min));
        return ttl;
    }
    return DNS_NEG_TTL;
}

/* dns_collect - records of type at the end of the CNAME chain from qname */
static void
dns_collect(struct dns_ans *a, const ldns_pkt *p, const ldns_rdf *qname,
            int type)
{
    const ldns_rr_list *ans = ldns_pkt_answer(p);
    const ldns_rdf *cur = qname;
    size_t  n = ans ? ldns_rr_list_rr_count(ans) : 0;
    size_t  i;
    int     links;
    int     ttl_set = 0;

    for (links = 0; links <= DNS_MAX_CNAME; links++) {
        const ldns_rdf *next = NULL;
        int     found = 0;

        for (i = 0; i < n; i++) {
            const ldns_rr *rr = ldns_rr_list_rr(ans, i);

            if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN
                || ldns_dname_compare(ldns_rr_owner(rr), cur) != 0)
                continue;
            if ((int) ldns_rr_get_type(rr) == type) {
                size_t  before = a->n;

                switch (type) {
                case DNS_T_TXT:
                    dns_txt(a, rr);
                    break;
                case DNS_T_MX:
                    dns_mx(a, rr);
                    break;
                case DNS_T_TLSA:
                    dns_tlsa(a, rr);
                    break;
                default:
                    dns_addr(a, rr, type);
                    break;
                }
                found = 1;
                if (a->n > before && (!ttl_set || ldns_rr_ttl(rr) < a->ttl)) {
                    a->ttl = ldns_rr_ttl(rr);
                    ttl_set = 1;
                }
            } else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME
                       && next == NULL && ldns_rr_rd_count(rr) == 1) {
                next = ldns_rr_rdf(rr, 0);
                if (!ttl_set || ldns_rr_ttl(rr) < a->ttl) {
                    a->ttl = ldns_rr_ttl(rr);
                    ttl_set = 1;
                }
            }
        }
        if (found || next == NULL)
            return;
        cur = next;
    }
    a->dropped++;               /* CNAME chain too long */
}

/* dns_judge - a NOERROR or NXDOMAIN reply into *a; a->rc */
static int
dns_judge(struct dns_ans *a, const ldns_pkt *p, const ldns_rdf *qname,
          int type)
{
    if (ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN) {
        a->rc = DNS_NXDOMAIN;
        a->ttl = dns_neg_ttl(p);
        snprintf(a->why, DNS_MSG, "no such name");
        return a->rc;
    }
    dns_collect(a, p, qname, type);
    if (a->n > 0) {
        a->rc = DNS_OK;
    } else {
        a->rc = DNS_NODATA;
        a->ttl = dns_neg_ttl(p);
        snprintf(a->why, DNS_MSG, "no %s record",
                 type == DNS_T_TXT ? "TXT" : type == DNS_T_MX ? "MX"
                 : type == DNS_T_TLSA ? "TLSA" : "address");
        dns_ans_free(a);
    }
    return a->rc;
}

/* dns_wire_name - the place after the name at pos (its labels, up to a
 * root label or a compression pointer), or 0 when it runs off the end */
static size_t
dns_wire_name(const unsigned char *w, size_t len, size_t pos)
{
    while (pos < len && w[pos] != 0 && (w[pos] & 0xc0) != 0xc0)
        pos += 1 + (size_t) w[pos];
    if (pos >= len)
        return 0;
    pos += (w[pos] & 0xc0) == 0xc0 ? 2 : 1;
    return pos <= len ? pos : 0;
}

/* dns_wire_rdata_ok - 1 when the rdata [at, end) of a record of type t
 * ends where ldns ends it. ldns reads a name in rdata to the name's
 * end, whatever the rdata length says, and goes on from there: for the
 * types whose rdata is names (and fixed fields after them), a length
 * that disagrees would have ldns read the rest of the reply framed
 * otherwise than dns_wire_tsig() walks it. */
static int
dns_wire_rdata_ok(const unsigned char *w, size_t len, int t, size_t at,
                  size_t end)
{
    size_t  e;

    switch (t) {
    case LDNS_RR_TYPE_CNAME:
    case LDNS_RR_TYPE_NS:
    case LDNS_RR_TYPE_PTR:
    case LDNS_RR_TYPE_DNAME:
        return dns_wire_name(w, len, at) == end;
    case LDNS_RR_TYPE_MX:
        return at + 2 <= end && dns_wire_name(w, len, at + 2) == end;
    case LDNS_RR_TYPE_SOA:
        return (e = dns_wire_name(w, len, at)) != 0
            && (e = dns_wire_name(w, len, e)) != 0 && e + 20 == end;
    default:
        return 1;
    }
}

/* dns_wire_tsig - 1 when the reply in wire form is refused before ldns
 * reads it: it carries a TSIG record, or its records cannot all be
 * framed (names by their labels and pointers, each record's fixed part
 * and rdata length, names in rdata ending where the length says, and
 * nothing after the last record). We never sign a query: a TSIG in a
 * reply is not ours. ldns_wire2pkt() (ldns 1.8.3) keeps one TSIG per
 * packet and drops an earlier one without freeing it, so a reply with
 * two leaked memory on every read; a reply framed two ways could hide
 * them from this walk (the fuzz target found one: a CNAME whose rdata
 * length was 3 bytes short of its name). */
static int
dns_wire_tsig(const unsigned char *w, size_t len)
{
    size_t  pos = 12, i, n;

    if (len < 12)
        return 0;               /* ldns reads no record of it */
    n = (size_t) (w[4] << 8 | w[5]) + (size_t) (w[6] << 8 | w[7])
        + (size_t) (w[8] << 8 | w[9]) + (size_t) (w[10] << 8 | w[11]);
    for (i = 0; i < n; i++) {
        int     question = i < (size_t) (w[4] << 8 | w[5]);
        int     t;
        size_t  rd;

        if ((pos = dns_wire_name(w, len, pos)) == 0
            || pos + (question ? 4 : 10) > len)
            return 1;
        t = w[pos] << 8 | w[pos + 1];
        if (question) {
            pos += 4;
            continue;
        }
        if (t == LDNS_RR_TYPE_TSIG)
            return 1;
        rd = pos + 10;
        pos = rd + (size_t) (w[pos + 8] << 8 | w[pos + 9]);
        if (pos > len || !dns_wire_rdata_ok(w, len, t, rd, pos))
            return 1;
    }
    return pos != len;
}

/* dns_wire2pkt - ldns_wire2pkt() for a reply; NULL when it does not
 * parse or carries a TSIG record */
static ldns_pkt *
dns_wire2pkt(const unsigned char *w, size_t len)
{
    ldns_pkt *p = NULL;

    if (dns_wire_tsig(w, len) || ldns_wire2pkt(&p, w, len) != LDNS_STATUS_OK)
        return NULL;
    return p;
}

/* dns_answer_wire - judge a reply in wire form as dns_query() judges
 * what the resolver sent (question echo, CNAME chain, bounds), without
 * the network: for the fuzz target. SERVFAIL is DNS_SERVFAIL (no second
 * query). Fills *a; returns a->rc. */
int
dns_answer_wire(const unsigned char *wire, size_t len, const char *name,
                int type, struct dns_ans *a)
{
    char    fqdn[DNAME_MAX + 2];
    ldns_rdf *qname = NULL;
    ldns_pkt *p = NULL;
    const ldns_rr_list *qs;

    memset(a, 0, sizeof(*a));
    a->rc = DNS_ERROR;
    snprintf(a->why, DNS_MSG, "reply does not parse");
    if (name == NULL || !dns_name_ok(name))
        return a->rc;
    snprintf(fqdn, sizeof(fqdn), "%s.", name);
    if ((qname = ldns_dname_new_frm_str(fqdn)) == NULL
        || (p = dns_wire2pkt(wire, len)) == NULL) {
        ldns_rdf_deep_free(qname);
        return a->rc;
    }
    qs = ldns_pkt_question(p);
    if (ldns_pkt_qr(p) == false || qs == NULL
        || ldns_rr_list_rr_count(qs) != 1
        || ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(qs, 0)), qname)
        != 0 || (int) ldns_rr_get_type(ldns_rr_list_rr(qs, 0)) != type) {
        snprintf(a->why, DNS_MSG, "reply does not match the question");
    } else if (ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR
               || ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN) {
        a->why[0] = 0;
        a->ad = ldns_pkt_ad(p);
        dns_judge(a, p, qname, type);
    } else {
        a->rc = ldns_pkt_get_rcode(p) == LDNS_RCODE_SERVFAIL
            ? DNS_SERVFAIL : DNS_ERROR;
        snprintf(a->why, DNS_MSG, "resolver answered rcode %d",
                 (int) ldns_pkt_get_rcode(p));
    }
    ldns_pkt_free(p);
    ldns_rdf_deep_free(qname);
    return a->rc;
}

/* dns_now_ms - a monotonic clock in milliseconds */
static int64_t
dns_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* dns_budget - bound the time of the queries that follow */
void
dns_budget(struct dns *d, long ms)
{
    if (ms <= 0) {
        d->deadline.tv_sec = 0;
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &d->deadline);
    d->deadline.tv_sec += ms / 1000;
    d->deadline.tv_nsec += (ms % 1000) * 1000000;
    if (d->deadline.tv_nsec >= 1000000000) {
        d->deadline.tv_sec++;
        d->deadline.tv_nsec -= 1000000000;
    }
}

/* dns_left_ms - what is left of the budget; -1: no bound */
long
dns_left_ms(const struct dns *d)
{
    int64_t end, now;

    if (d->deadline.tv_sec == 0)
        return -1;
    end = (int64_t) d->deadline.tv_sec * 1000
        + d->deadline.tv_nsec / 1000000;
    now = dns_now_ms();
    return end > now ? (long) (end - now) : 0;
}

/* dns_wait - poll fd for ev until end; 1 ready, 0 not in time */
static int
dns_wait(int fd, short ev, int64_t end)
{
    struct pollfd pfd;
    int64_t left;
    int     rc;

    for (;;) {
        left = end - dns_now_ms();
        if (left <= 0)
            return 0;
        pfd.fd = fd;
        pfd.events = ev;
        pfd.revents = 0;
        rc = poll(&pfd, 1, left > 60000 ? 60000 : (int) left);
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return 0;
    }
}

/* dns_io_all - read or write exactly n bytes (TCP) before end; 0 or -1 */
static int
dns_io_all(int fd, unsigned char *buf, size_t n, int wr, int64_t end)
{
    size_t  done = 0;
    ssize_t k;

    while (done < n) {
        if (!dns_wait(fd, wr ? POLLOUT : POLLIN, end))
            return -1;
        k = wr ? send(fd, buf + done, n - done, MSG_NOSIGNAL)
            : recv(fd, buf + done, n - done, 0);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k <= 0)
            return -1;
        done += (size_t) k;
    }
    return 0;
}

/* dns_tcp - one exchange over TCP (after a truncated UDP reply): the
 * reply in a malloc'd buffer of *rlen bytes, or NULL */
static unsigned char *
dns_tcp(const struct sockaddr_storage *ss, socklen_t sl,
        const unsigned char *q, size_t qlen, int64_t end, size_t *rlen)
{
    unsigned char hdr[2], *out = NULL, *buf;
    int     fd, err = 0;
    socklen_t el = sizeof(err);
    size_t  n;

    if ((fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK
                     | SOCK_CLOEXEC, 0)) < 0)
        return NULL;
    if (connect(fd, (const struct sockaddr *) ss, sl) != 0
        && (errno != EINPROGRESS || !dns_wait(fd, POLLOUT, end)
            || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0
            || err != 0))
        goto end;
    buf = xmalloc(qlen + 2);
    buf[0] = (unsigned char) (qlen >> 8);
    buf[1] = (unsigned char) (qlen & 0xff);
    memcpy(buf + 2, q, qlen);
    n = (size_t) dns_io_all(fd, buf, qlen + 2, 1, end);
    free(buf);
    if (n != 0 || dns_io_all(fd, hdr, 2, 0, end) != 0)
        goto end;
    n = (size_t) hdr[0] << 8 | hdr[1];
    if (n == 0)
        goto end;
    out = xmalloc(n);
    if (dns_io_all(fd, out, n, 0, end) != 0) {
        free(out);
        out = NULL;
        goto end;
    }
    *rlen = n;
end:
    close(fd);
    return out;
}

#define DNS_UDP_MAX 65535

/* dns_peer - "ADDR:PORT" of a nameserver, for messages */
static void
dns_peer(const struct sockaddr_storage *ss, char *out, size_t cap)
{
    char    txt[INET6_ADDRSTRLEN];
    const void *ad;
    unsigned port;

    if (ss->ss_family == AF_INET) {
        ad = &((const struct sockaddr_in *) ss)->sin_addr;
        port = ntohs(((const struct sockaddr_in *) ss)->sin_port);
    } else {
        ad = &((const struct sockaddr_in6 *) ss)->sin6_addr;
        port = ntohs(((const struct sockaddr_in6 *) ss)->sin6_port);
    }
    if (inet_ntop(ss->ss_family, ad, txt, sizeof(txt)) == NULL)
        snprintf(txt, sizeof(txt), "?");
    snprintf(out, cap, ss->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
             txt, port);
}

/* dns_udp - one try at one nameserver: the reply (over TCP when it
 * came truncated), or NULL; *refused when nothing listens there */
static ldns_pkt *
dns_udp(const struct sockaddr_storage *ss, socklen_t sl, const uint8_t *wire,
        size_t wlen, uint16_t id, int64_t end, unsigned char *buf,
        int *refused)
{
    ldns_pkt *p = NULL;
    unsigned char *r;
    size_t  rl = 0;
    ssize_t n;
    int     fd;

    *refused = 0;
    fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    if (connect(fd, (const struct sockaddr *) ss, sl) != 0
        || send(fd, wire, wlen, 0) != (ssize_t) wlen) {
        *refused = errno == ECONNREFUSED;
        close(fd);
        return NULL;
    }
    while (p == NULL && dns_wait(fd, POLLIN, end)) {
        if ((n = recv(fd, buf, DNS_UDP_MAX, 0)) < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            *refused = errno == ECONNREFUSED;
            break;
        }
        if (n < 12 || (buf[0] << 8 | buf[1]) != id)
            continue;           /* a late reply to an earlier try */
        if (buf[2] & 0x02) {    /* TC: the whole answer over TCP */
            if ((r = dns_tcp(ss, sl, wire, wlen, end, &rl)) != NULL) {
                p = dns_wire2pkt(r, rl);
                free(r);
            }
            break;
        }
        p = dns_wire2pkt(buf, (size_t) n);
    }
    close(fd);
    return p;
}

/* dns_exchange - the query to each nameserver in turn, tries times,
 * until one answers with this id: the reply, or NULL with a->rc and
 * a->why set (a nameserver that refuses is not asked again) */
static ldns_pkt *
dns_exchange(struct dns *d, const ldns_pkt *q, uint16_t id, struct dns_ans *a)
{
    size_t  nns = ldns_resolver_nameserver_count(d->res);
    ldns_rdf **ns = ldns_resolver_nameservers(d->res);
    uint16_t port = ldns_resolver_port(d->res);
    uint8_t *wire = NULL;
    unsigned char *buf;
    unsigned char gone[64] = {0};
    ldns_pkt *p = NULL;
    size_t  wlen, i, ngone = 0;
    int     t, refused, silent = 0, spent = 0;
    char    who[INET6_ADDRSTRLEN + 8] = "";

    if (ldns_pkt2wire(&wire, q, &wlen) != LDNS_STATUS_OK) {
        a->rc = DNS_ERROR;
        snprintf(a->why, DNS_MSG, "cannot build the query");
        return NULL;
    }
    if (nns > sizeof(gone))
        nns = sizeof(gone);
    buf = xmalloc(DNS_UDP_MAX);
    for (t = 0; t < d->tries && p == NULL && !spent && ngone < nns; t++) {
        for (i = 0; i < nns && p == NULL; i++) {
            struct sockaddr_storage *ss;
            size_t  sl = 0;
            long    left = dns_left_ms(d);
            int64_t end;

            if (gone[i])
                continue;
            if (left == 0) {
                spent = 1;
                break;
            }
            end = dns_now_ms() + (left > 0 && left < d->try_ms ? left
                                  : d->try_ms);
            if ((ss = ldns_rdf2native_sockaddr_storage(ns[i], port, &sl))
                == NULL)
                continue;
            if (who[0] == 0)
                dns_peer(ss, who, sizeof(who));
            p = dns_udp(ss, (socklen_t) sl, wire, wlen, id, end, buf,
                        &refused);
            if (p == NULL && refused) {
                gone[i] = 1;
                ngone++;
            } else if (p == NULL) {
                silent++;
            }
            free(ss);
        }
    }
    free(buf);
    LDNS_FREE(wire);
    if (p != NULL)
        return p;
    a->rc = DNS_TIMEOUT;
    if (ngone > 0 && silent == 0)
        snprintf(a->why, DNS_MSG, "the resolver %s refused the query"
                 " (nothing listens there)", who);
    else if (spent && silent == 0)
        snprintf(a->why, DNS_MSG, "the time for this domain had run out");
    else
        snprintf(a->why, DNS_MSG, "no answer from the resolver %s in time",
                 who);
    return NULL;
}

/* dns_send - one exchange; the reply, or NULL with a->rc and why set */
static ldns_pkt *
dns_send(struct dns *d, const ldns_rdf *qname, int type, int cd,
         struct dns_ans *a)
{
    ldns_pkt *q;
    ldns_pkt *p = NULL;
    uint16_t id;
    const ldns_rr_list *qs;

    q = ldns_pkt_query_new(ldns_rdf_clone(qname), (ldns_rr_type) type,
                           LDNS_RR_CLASS_IN, LDNS_RD | (cd ? LDNS_CD : 0));
    if (q == NULL) {
        a->rc = DNS_ERROR;
        snprintf(a->why, DNS_MSG, "cannot build the query");
        return NULL;
    }
    if (getrandom(&id, sizeof(id), 0) != (ssize_t) sizeof(id))
        id = (uint16_t) random();
    ldns_pkt_set_id(q, id);
    ldns_pkt_set_edns_udp_size(q, DNS_EDNS_SIZE);
    ldns_pkt_set_edns_do(q, true);
    ldns_pkt_set_cd(q, cd != 0);
    if ((p = dns_exchange(d, q, id, a)) == NULL) {
        ldns_pkt_free(q);
        return NULL;
    }
    qs = ldns_pkt_question(p);
    if (ldns_pkt_id(p) != id || ldns_pkt_qr(p) == false || qs == NULL
        || ldns_rr_list_rr_count(qs) != 1
        || ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(qs, 0)), qname)
        != 0 || (int) ldns_rr_get_type(ldns_rr_list_rr(qs, 0)) != type) {
        a->rc = DNS_ERROR;
        snprintf(a->why, DNS_MSG, "reply does not match the question");
        ldns_pkt_free(q);
        ldns_pkt_free(p);
        return NULL;
    }
    ldns_pkt_free(q);
    return p;
}

/* dns_query - ask the resolver */
int
dns_query(struct dns *d, const char *name, int type, struct dns_ans *a)
{
    char    fqdn[DNAME_MAX + 2];
    ldns_rdf *qname;
    ldns_pkt *p;

    memset(a, 0, sizeof(*a));
    if (d == NULL || name == NULL || !dns_name_ok(name)
        || (type != DNS_T_A && type != DNS_T_AAAA && type != DNS_T_MX
            && type != DNS_T_TXT && type != DNS_T_TLSA)) {
        a->rc = DNS_ERROR;
        snprintf(a->why, DNS_MSG, "invalid query name or type");
        return a->rc;
    }
    snprintf(fqdn, sizeof(fqdn), "%s.", name);
    if ((qname = ldns_dname_new_frm_str(fqdn)) == NULL) {
        a->rc = DNS_ERROR;
        snprintf(a->why, DNS_MSG, "invalid query name");
        return a->rc;
    }
    if ((p = dns_send(d, qname, type, 0, a)) == NULL) {
        ldns_rdf_deep_free(qname);
        return a->rc;
    }
    a->ad = ldns_pkt_ad(p);
    switch (ldns_pkt_get_rcode(p)) {
    case LDNS_RCODE_NOERROR:
    case LDNS_RCODE_NXDOMAIN:
        dns_judge(a, p, qname, type);
        break;
    case LDNS_RCODE_SERVFAIL:{
            struct dns_ans cd;
            ldns_pkt *p2;

            /* again without validation: data now means bogus DNSSEC */
            memset(&cd, 0, sizeof(cd));
            a->rc = DNS_SERVFAIL;
            a->ad = 0;
            snprintf(a->why, DNS_MSG, "resolver answered SERVFAIL");
            if ((p2 = dns_send(d, qname, type, 1, &cd)) != NULL) {
                ldns_pkt_rcode r2 = ldns_pkt_get_rcode(p2);

                if (r2 == LDNS_RCODE_NOERROR || r2 == LDNS_RCODE_NXDOMAIN) {
                    a->rc = DNS_BOGUS;
                    snprintf(a->why, DNS_MSG, "DNSSEC validation failed"
                             " (SERVFAIL, data with CD set)");
                }
                ldns_pkt_free(p2);
            }
            break;
        }
    default:
        a->rc = DNS_ERROR;
        snprintf(a->why, DNS_MSG, "resolver answered rcode %d",
                 (int) ldns_pkt_get_rcode(p));
        break;
    }
    ldns_pkt_free(p);
    ldns_rdf_deep_free(qname);
    return a->rc;
}
