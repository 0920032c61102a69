/* emit/resolution/pol.c - resolve TLSRPT, MTA-STS and DANE for many domains at once
 *
 * NAME
 *      pol - per-domain policy resolution with a bounded worker pool
 * SYNOPSIS
 *      #include "emit/resolution/pol.h"
 *
 *      int   pol_resolve_all(conf, doms, n, err)
 *      void  pol_dom_free(dom)
 * DESCRIPTION
 *      Each domain is resolved by one worker, start to end:
 *      1. TXT _smtp._tls.<domain>, judged by trec_parse();
 *      2. with tlsrpt_only, a domain without a usable TLSRPT record
 *         stops here (no report will be written for it);
 *      3. TXT _mta-sts.<domain>; when valid, the policy: the cached one
 *         if its id is the same and max_age has not run out, else A and
 *         AAAA of mta-sts.<domain> through our resolver and an HTTPS GET
 *         to those addresses (sts_fetch()); a 200 answer must be
 *         text/plain and parse (sts_policy_parse()). When the record is
 *         missing or the fetch fails but an unexpired cached policy
 *         exists, that policy applies (RFC 8461 5.1);
 *      4. MX hosts: the domain's MX RRset (want_mx) and the hosts the log
 *         names; for each, A (or AAAA) and only when that answer is
 *         DNSSEC-secure (AD) the TLSA RRset at _25._tcp.<host> (RFC 7672
 *         2.2.2: no TLSA lookup for an insecure address). The TLSA base
 *         domain is the MX host name: CNAME-expanded base domains (7672
 *         2.2.3) are not tried.
 *      Workers: min(conf->workers, n) threads take the next domain from
 *      an atomic counter; each owns a resolver (dns_create()) and makes
 *      its own HTTPS transfers, so a slow domain stalls one worker only.
 *      With conf->done, the worker hands each domain over as soon as it
 *      is resolved (check-domain prints and frees it), so memory does
 *      not grow with the number of domains.
 * THREADS
 *      Call sts_global_init() before. Each pol_dom is written by exactly
 *      one worker; the caller reads them after pol_resolve_all() returns
 *      (pthread_join orders the writes before the reads).
 */
#include "pol.h"

#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pol_cache.h"
#include "../../util/msg.h"
#include "../../util/mymalloc.h"

#define POL_STACK (512 * 1024)  /* a worker's own stack: no deep recursion
                                 * here; the thread-local data comes on top
                                 * (pol_stack_size) */

/* pol_tls_add - dl_iterate_phdr(): the static thread-local data of one
 * loaded object added to *data */
static int
pol_tls_add(struct dl_phdr_info *info, size_t size, void *data)
{
    size_t *sum = data;
    int     i;

    (void) size;
    for (i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_TLS)
            *sum += info->dlpi_phdr[i].p_memsz + info->dlpi_phdr[i].p_align;
    return 0;
}

/* pol_stack_size - a worker's stack: POL_STACK of its own, plus the
 * thread-local data of the program and its libraries, which glibc puts
 * on the same stack. The program's per-thread parser memories are some
 * 500 KB: with a fixed 512 KB no worker started and the lookups ran
 * one after another */
static size_t
pol_stack_size(void)
{
    size_t  tls = 0;

    dl_iterate_phdr(pol_tls_add, &tls);
    return POL_STACK + tls;
}

/* what one worker needs while it resolves one domain */
struct pol_run {
    const struct pol_conf *c;
    struct dns *dns;
    struct pol_cache *old;      /* read from the state directory */
    struct pol_cache *fresh;    /* written back */
    struct pol_dom *d;
    time_t  now;
};

struct pol_pool {
    const struct pol_conf *c;
    struct pol_dom *d;
    size_t  n;
    atomic_size_t next;
    time_t  now;
};

struct pol_worker {
    struct pol_pool *pool;
    struct dns *dns;
    pthread_t tid;
};

/* pol_env_long - a positive number from the environment, or def */
static long
pol_env_long(const char *name, long def, long max)
{
    const char *v = getenv(name);
    char   *end;
    long    n;

    if (v == NULL || *v == 0)
        return def;
    n = strtol(v, &end, 10);
    if (*end != 0 || n <= 0 || n > max) {
        msg_warn("%s=%s ignored: want 1..%ld", name, v, max);
        return def;
    }
    return n;
}

/* pol_conf_env - knobs from the environment (docs/resolution.md) */
void
pol_conf_env(struct pol_conf *c)
{
    c->dns.timeout_ms = pol_env_long("MAILTLSRPT_DNS_TIMEOUT_MS",
                                     c->dns.timeout_ms ? c->dns.timeout_ms
                                     : 2000, 60000);
    c->fetch.timeout_ms = pol_env_long("MAILTLSRPT_HTTP_TIMEOUT_MS",
                                       c->fetch.timeout_ms
                                       ? c->fetch.timeout_ms : 60000,
                                       600000);
    c->fetch.connect_timeout_ms = c->fetch.timeout_ms < 10000
        ? c->fetch.timeout_ms : 10000;
    c->fetch.port = (int) pol_env_long("MAILTLSRPT_HTTPS_PORT",
                                       c->fetch.port ? c->fetch.port : 443,
                                       65535);
    c->workers = (int) pol_env_long("MAILTLSRPT_WORKERS",
                                    c->workers ? c->workers : POL_WORKERS,
                                    POL_MAX_WORKERS);
}

/* pol_has_tlsrpt - exactly one valid record with a usable rua */
int
pol_has_tlsrpt(const struct pol_dom *d)
{
    return d->trec != NULL && d->trec->status == TREC_OK;
}

/* pol_find_mx - the entry of a host, or NULL */
const struct pol_tlsa *
pol_find_mx(const struct pol_dom *d, const char *host)
{
    size_t  i;

    for (i = 0; host != NULL && *host && i < d->nmx; i++)
        if (strcmp(d->mx[i].host, host) == 0)
            return &d->mx[i];
    return NULL;
}

/* pol_ask - an answer from the cache or the resolver; kept for next time */
static int
pol_ask(struct pol_run *r, const char *key, const char *name, int type,
        struct dns_ans *a)
{
    if (r->old != NULL && pol_cache_get(r->old, key, r->now, a)) {
        r->d->from_cache = 1;
    } else if (strlen(name) > DNAME_MAX) {
        memset(a, 0, sizeof(*a));
        a->rc = DNS_ERROR;
        snprintf(a->why, DNS_MSG, "name longer than 253 bytes");
        return a->rc;
    } else {
        dns_query(r->dns, name, type, a);
    }
    if (r->fresh != NULL)
        pol_cache_put(r->fresh, key, r->now, a);
    return a->rc;
}

/* pol_spans - the records of an answer as spans (at most DNS_MAX_RR) */
static size_t
pol_spans(const struct dns_ans *a, struct span *s)
{
    size_t  i;

    for (i = 0; i < a->n; i++)
        s[i] = span_make(a->rr[i].data, a->rr[i].len);
    return a->n;
}

/* pol_tlsrpt - step 1 */
static void
pol_tlsrpt(struct pol_run *r)
{
    struct pol_dom *d = r->d;
    struct span s[DNS_MAX_RR];
    struct dns_ans a;
    char    name[DNAME_MAX + 32];

    snprintf(name, sizeof(name), "_smtp._tls.%s", d->domain);
    d->trec_rc = pol_ask(r, "txt:_smtp._tls", name, DNS_T_TXT, &a);
    snprintf(d->trec_why, sizeof(d->trec_why), "%s", a.why);
    if (a.rc == DNS_OK) {
        d->trec = xmalloc(sizeof(*d->trec));
        trec_parse(s, pol_spans(&a, s), d->trec);
    }
    dns_ans_free(&a);
}

/* pol_text_plain - 1 when a Content-Type is text/plain (parameters are
 * ignored, RFC 8461 3.2) */
static int
pol_text_plain(const char *ct)
{
    size_t  n = strlen("text/plain");

    while (*ct == ' ' || *ct == '\t')
        ct++;
    return strncasecmp(ct, "text/plain", n) == 0
        && (ct[n] == 0 || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

/* pol_join_lines - the policy as text (lines joined by LF) */
static char *
pol_join_lines(const struct sts_policy *p)
{
    size_t  len = 1;
    size_t  i;
    char   *t, *q;

    for (i = 0; i < p->nlines; i++)
        len += strlen(p->lines[i]) + 1;
    t = q = xmalloc(len);
    for (i = 0; i < p->nlines; i++)
        q += sprintf(q, "%s\n", p->lines[i]);
    *q = 0;
    return t;
}

/* pol_fetch - addresses of mta-sts.<domain>, then the policy; 0 with
 * s->policy set, or -1 with result, reason and error */
static int
pol_fetch(struct pol_run *r, struct pol_sts *s)
{
    const char *domain = r->d->domain;
    char    host[DNAME_MAX + 16];
    char    addr[16][IPADDR_MAX + 1];
    const char *list[16];
    struct dns_ans a4, a6;
    struct sts_fetch_res res;
    struct sts_fetch_conf fc;
    char    why[STS_MSG];
    size_t  n = 0;
    size_t  i;
    long    left;

    snprintf(host, sizeof(host), "mta-sts.%s", domain);
    pol_ask(r, "a:mta-sts", host, DNS_T_A, &a4);
    pol_ask(r, "aaaa:mta-sts", host, DNS_T_AAAA, &a6);
    /* canonical addresses only: they go into CURLOPT_RESOLVE */
    for (i = 0; i < a4.n && n < 8; i++)
        if (ipaddr_norm(a4.rr[i].data, a4.rr[i].len, addr[n]) == 0)
            n++;
    for (i = 0; i < a6.n && n < 16; i++)
        if (ipaddr_norm(a6.rr[i].data, a6.rr[i].len, addr[n]) == 0)
            n++;
    for (i = 0; i < n; i++)
        list[i] = addr[i];
    if (n == 0) {
        const struct dns_ans *e = a4.rc != DNS_NODATA ? &a4 : &a6;

        s->result = SESS_STS_POLICY_FETCH_ERROR;
        snprintf(s->reason, sizeof(s->reason), "policy-host-%s",
                 dns_rc_name(e->rc));
        snprintf(s->error, sizeof(s->error), "no address for %.80s: %.90s", host,
                 e->why);
        dns_ans_free(&a4);
        dns_ans_free(&a6);
        return -1;
    }
    dns_ans_free(&a4);
    dns_ans_free(&a6);
    fc = r->c->fetch;
    if ((left = dns_left_ms(r->dns)) >= 0) {
        /* the domain's budget (check-domain) bounds the fetch too */
        if (left < 1) {
            s->result = SESS_STS_POLICY_FETCH_ERROR;
            snprintf(s->reason, sizeof(s->reason), "policy-fetch-timeout");
            snprintf(s->error, sizeof(s->error), "no time left to fetch"
                     " the policy of %.80s", domain);
            return -1;
        }
        if (fc.timeout_ms <= 0 || fc.timeout_ms > left)
            fc.timeout_ms = left;
        if (fc.connect_timeout_ms <= 0 || fc.connect_timeout_ms > left)
            fc.connect_timeout_ms = left;
    }
    if (sts_fetch(domain, list, n, &fc, &res) != 0) {
        s->result = res.result;
        snprintf(s->reason, sizeof(s->reason), "%s", res.reason);
        snprintf(s->error, sizeof(s->error), "%s", res.error);
        return -1;
    }
    if (!pol_text_plain(res.content_type)) {
        s->result = SESS_STS_POLICY_INVALID;
        snprintf(s->reason, sizeof(s->reason), "media-type-not-text-plain");
        snprintf(s->error, sizeof(s->error), "Content-Type \"%.60s\", not"
                 " text/plain", res.content_type);
        sts_fetch_res_free(&res);
        return -1;
    }
    if (sts_policy_parse(res.body, res.len, &s->policy, why) != 0) {
        s->result = SESS_STS_POLICY_INVALID;
        snprintf(s->reason, sizeof(s->reason), "policy-syntax");
        snprintf(s->error, sizeof(s->error), "policy does not parse: %.160s",
                 why);
        sts_fetch_res_free(&res);
        return -1;
    }
    sts_fetch_res_free(&res);
    return 0;
}

/* pol_sts - step 3 */
static void
pol_sts(struct pol_run *r)
{
    struct pol_dom *d = r->d;
    struct pol_sts *s = d->sts = xcalloc(1, sizeof(*d->sts));
    struct span sp[DNS_MAX_RR];
    struct dns_ans a;
    struct sts_policy cached;
    char    name[DNAME_MAX + 32];
    char    cid[STS_MAX_ID + 1];
    char    why[STS_MSG];
    char   *body = NULL;
    time_t  cfetched = 0, cexpires = 0;
    int     have_cached = 0;

    memset(&cached, 0, sizeof(cached));
    snprintf(name, sizeof(name), "_mta-sts.%s", d->domain);
    s->txt_rc = pol_ask(r, "txt:_mta-sts", name, DNS_T_TXT, &a);
    if (a.rc == DNS_OK) {
        sts_txt_parse(sp, pol_spans(&a, sp), &s->txt);
    } else {
        s->txt.status = STS_TXT_NONE;
        snprintf(s->txt.error, sizeof(s->txt.error), "%s: %s",
                 dns_rc_name(a.rc), a.why);
    }
    dns_ans_free(&a);
    if (r->old != NULL
        && pol_cache_get_policy(r->old, cid, &body, &cfetched, &cexpires)) {
        /* a cache file is not trusted to have kept max_age's bound */
        have_cached = cexpires > r->now && cexpires - r->now <= STS_MAX_AGE
            && sts_policy_parse(body, strlen(body), &cached, why) == 0;
        free(body);
    }
    if (s->txt.status == STS_TXT_OK && have_cached
        && strcmp(cid, s->txt.id) == 0) {
        /* same id, max_age not run out: no fetch (RFC 8461 5.1) */
    } else if (s->txt.status == STS_TXT_OK) {
        int     failed;

        if (r->old != NULL
            && pol_cache_get_fail(r->old, s->txt.id, r->now, &s->result,
                                  s->reason, sizeof(s->reason), s->error,
                                  sizeof(s->error))) {
            failed = 1;         /* no new attempt within 5 minutes */
        } else {
            failed = pol_fetch(r, s) != 0;
        }
        if (!failed) {
            char   *text = pol_join_lines(&s->policy);

            sts_policy_free(&cached);
            s->state = POL_STS_OK;
            snprintf(s->id, sizeof(s->id), "%s", s->txt.id);
            s->fetched = r->now;
            s->expires = r->now + s->policy.max_age;
            if (r->fresh != NULL)
                pol_cache_put_policy(r->fresh, s->id, text, s->fetched,
                                     s->expires);
            free(text);
            return;
        }
        if (r->fresh != NULL)
            pol_cache_put_fail(r->fresh, s->txt.id, r->now, s->result,
                               s->reason, s->error);
        if (!have_cached) {
            s->state = POL_STS_FAILED;
            return;
        }
        /* the refresh failed; the cached policy still applies */
    } else if (!have_cached) {
        s->state = POL_STS_NONE;
        return;
    }
    s->state = POL_STS_OK;
    s->cached = 1;
    s->policy = cached;
    snprintf(s->id, sizeof(s->id), "%s", cid);
    s->fetched = cfetched;
    s->expires = cexpires;
    if (r->fresh != NULL) {
        char   *text = pol_join_lines(&s->policy);

        pol_cache_put_policy(r->fresh, s->id, text, s->fetched, s->expires);
        free(text);
    }
}

/* pol_rr_cmp - qsort order of TLSA record texts */
static int
pol_rr_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* pol_tlsa_usable - usage 2/3, selector 0/1, matching 0/1/2 */
static int
pol_tlsa_usable(const char *rr)
{
    unsigned u, s, m;

    return sscanf(rr, "%u %u %u", &u, &s, &m) == 3 && (u == 2 || u == 3)
        && s <= 1 && m <= 2;
}

/* pol_dane - step 4 for one host */
static void
pol_dane(struct pol_run *r, struct pol_tlsa *t)
{
    char    key[DNAME_MAX + 16];
    char    name[DNAME_MAX + 16];
    struct dns_ans a;
    size_t  i;

    t->rc = -1;
    snprintf(key, sizeof(key), "a:%s", t->host);
    pol_ask(r, key, t->host, DNS_T_A, &a);
    if (a.rc == DNS_NODATA) {
        dns_ans_free(&a);
        snprintf(key, sizeof(key), "aaaa:%s", t->host);
        pol_ask(r, key, t->host, DNS_T_AAAA, &a);
    }
    t->addr_rc = a.rc;
    t->addr_ad = a.ad;
    dns_ans_free(&a);
    if (t->addr_rc == DNS_BOGUS) {
        t->state = POL_DANE_BOGUS;
        snprintf(t->why, sizeof(t->why), "address of the MX host: DNSSEC"
                 " validation failed");
        return;
    }
    if (t->addr_rc == DNS_NODATA || t->addr_rc == DNS_NXDOMAIN) {
        t->state = POL_DANE_NONE;
        snprintf(t->why, sizeof(t->why), "MX host has no address");
        return;
    }
    if (t->addr_rc != DNS_OK) {
        t->state = POL_DANE_UNKNOWN;
        snprintf(t->why, sizeof(t->why), "address lookup: %s",
                 dns_rc_name(t->addr_rc));
        return;
    }
    if (!t->addr_ad) {
        t->state = POL_DANE_NONE;
        snprintf(t->why, sizeof(t->why), "address not DNSSEC-validated:"
                 " TLSA not used (RFC 7672 2.2.2)");
        return;
    }
    snprintf(key, sizeof(key), "tlsa:%s", t->host);
    snprintf(name, sizeof(name), "_25._tcp.%s", t->host);
    t->rc = pol_ask(r, key, name, DNS_T_TLSA, &a);
    t->ad = a.ad;
    switch (a.rc) {
    case DNS_OK:
        if (!a.ad) {
            t->state = POL_DANE_NONE;
            snprintf(t->why, sizeof(t->why), "TLSA records not"
                     " DNSSEC-validated: ignored");
            break;
        }
        t->state = POL_DANE_SECURE;
        t->rr = xcalloc(a.n, sizeof(*t->rr));
        for (i = 0; i < a.n && t->nrr < POL_MAX_TLSA; i++) {
            t->rr[t->nrr++] = xstrdup(a.rr[i].data);
            if (pol_tlsa_usable(a.rr[i].data))
                t->usable = 1;
        }
        qsort(t->rr, t->nrr, sizeof(*t->rr), pol_rr_cmp);
        if (!t->usable)
            snprintf(t->why, sizeof(t->why), "only unusable TLSA records:"
                     " TLS required, no authentication");
        break;
    case DNS_NODATA:
    case DNS_NXDOMAIN:
        t->state = POL_DANE_NONE;
        snprintf(t->why, sizeof(t->why), "no TLSA records%s",
                 a.ad ? " (secure denial)" : "");
        break;
    case DNS_BOGUS:
    case DNS_SERVFAIL:
        t->state = POL_DANE_BOGUS;
        snprintf(t->why, sizeof(t->why), "TLSA lookup: %.140s", a.why);
        break;
    default:
        t->state = POL_DANE_UNKNOWN;
        snprintf(t->why, sizeof(t->why), "TLSA lookup: %.140s", a.why);
        break;
    }
    dns_ans_free(&a);
}

/* pol_add_mx - append a host unless present or full; its entry (valid
 * until the next call) or NULL */
static struct pol_tlsa *
pol_add_mx(struct pol_dom *d, const char *host, unsigned pref)
{
    struct pol_tlsa *t;

    if (host == NULL || !dname_valid(host)
        || pol_find_mx(d, host) != NULL || d->nmx >= POL_MAX_MX)
        return NULL;
    if ((d->nmx & (d->nmx - 1)) == 0) {
        /* grown at 1, 2, 4, 8 hosts: most domains have one or two */
        d->mx = xrealloc(d->mx, (d->nmx ? 2 * d->nmx : 1) * sizeof(*d->mx));
    }
    t = &d->mx[d->nmx++];
    memset(t, 0, sizeof(*t));
    snprintf(t->host, sizeof(t->host), "%s", host);
    t->pref = pref;
    return t;
}

/* pol_mx_cmp - MX order: preference, then name */
static int
pol_mx_cmp(const void *a, const void *b)
{
    const struct dns_rr *x = a;
    const struct dns_rr *y = b;

    if (x->pref != y->pref)
        return x->pref < y->pref ? -1 : 1;
    return strcmp(x->data, y->data);
}

/* pol_mx - step 4: the hosts, then DANE for each */
static void
pol_mx(struct pol_run *r)
{
    struct pol_dom *d = r->d;
    struct dns_ans a;
    size_t  i;

    d->mx_rc = -1;
    if (r->c->want_mx) {
        d->mx_rc = pol_ask(r, "mx", d->domain, DNS_T_MX, &a);
        d->mx_ad = a.ad;
        snprintf(d->mx_why, sizeof(d->mx_why), "%s", a.why);
        qsort(a.rr, a.n, sizeof(a.rr[0]), pol_mx_cmp);
        for (i = 0; i < a.n; i++) {
            struct pol_tlsa *t = pol_add_mx(d, a.rr[i].data, a.rr[i].pref);

            if (t != NULL)
                t->in_mx = 1;
        }
        dns_ans_free(&a);
    }
    for (i = 0; i < d->nwant_mx; i++)
        pol_add_mx(d, d->want_mx[i], 0);
    for (i = 0; i < d->nmx; i++)
        pol_dane(r, &d->mx[i]);
}

/* pol_resolve_one - every step for one domain */
static void
pol_resolve_one(struct pol_pool *pool, struct dns *dns, struct pol_dom *d)
{
    struct pol_run r;
    const char *dir = pool->c->state_dir;

    memset(&r, 0, sizeof(r));
    r.c = pool->c;
    r.dns = dns;
    r.d = d;
    r.now = pool->now;
    if (dir != NULL) {
        r.old = pol_cache_load(dir, d->domain);
        r.fresh = pol_cache_new();
    }
    dns_budget(dns, pool->c->domain_ms);
    pol_tlsrpt(&r);
    if (!pool->c->tlsrpt_only || pol_has_tlsrpt(d)) {
        pol_sts(&r);
        pol_mx(&r);
    }
    dns_budget(dns, 0);
    if (dir != NULL)
        pol_cache_save(dir, d->domain, r.fresh, r.now);
    pol_cache_free(r.old);
    pol_cache_free(r.fresh);
}

/* pol_work - a worker: take the next domain until none is left */
static void *
pol_work(void *arg)
{
    struct pol_worker *w = arg;
    struct pol_pool *p = w->pool;
    size_t  i;

    while ((i = atomic_fetch_add_explicit(&p->next, 1,
                                          memory_order_relaxed)) < p->n) {
        pol_resolve_one(p, w->dns, &p->d[i]);
        if (p->c->done != NULL)
            p->c->done(&p->d[i], i, p->c->done_ctx);
    }
    return NULL;
}

/* pol_resolve_all - resolve every domain with a bounded pool */
int
pol_resolve_all(const struct pol_conf *c, struct pol_dom *d, size_t n,
                char *err)
{
    struct pol_pool pool;
    struct pol_worker *w;
    pthread_attr_t attr;
    size_t  nw = (size_t) (c->workers > 0 ? c->workers : POL_WORKERS);
    size_t  i, started = 0;

    if (n == 0)
        return 0;
    if (nw > n)
        nw = n;
    if (nw > POL_MAX_WORKERS)
        nw = POL_MAX_WORKERS;
    pool.c = c;
    pool.d = d;
    pool.n = n;
    pool.now = c->now ? c->now : time(NULL);
    atomic_init(&pool.next, 0);
    w = xcalloc(nw, sizeof(*w));
    for (i = 0; i < nw; i++) {
        w[i].pool = &pool;
        if ((w[i].dns = dns_create(&c->dns, err)) == NULL) {
            while (i-- > 0)
                dns_free(w[i].dns);
            free(w);
            return -1;
        }
    }
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, pol_stack_size());
    for (i = 0; i < nw; i++) {
        if (pthread_create(&w[i].tid, &attr, pol_work, &w[i]) != 0)
            break;
        started++;
    }
    pthread_attr_destroy(&attr);
    if (started == 0)
        pol_work(&w[0]);        /* no thread at all: do it here */
    for (i = 0; i < started; i++)
        pthread_join(w[i].tid, NULL);
    for (i = 0; i < nw; i++)
        dns_free(w[i].dns);
    free(w);
    return 0;
}

/* pol_dom_free - release what resolution attached */
void
pol_dom_free(struct pol_dom *d)
{
    size_t  i, k;

    free(d->trec);
    d->trec = NULL;
    if (d->sts != NULL) {
        sts_policy_free(&d->sts->policy);
        free(d->sts);
        d->sts = NULL;
    }
    for (i = 0; i < d->nmx; i++) {
        for (k = 0; k < d->mx[i].nrr; k++)
            free(d->mx[i].rr[k]);
        free(d->mx[i].rr);
    }
    free(d->mx);
    d->mx = NULL;
    d->nmx = 0;
}
