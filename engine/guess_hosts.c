/* engine/guess_hosts.c - what the log hosts of a run write (see
 * guess_hosts.h) */
#include "guess_hosts.h"
#include "../parsers/parser.h"
#include "../util/dname.h"
#include "../util/ipaddr.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"
#include "../util/span.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#define GUESS_SHOW_HOSTS 10     /* hosts warned about one by one */

struct guess_loghost {
    char    name[SESS_MAX_LOGHOST + 1];        /* cut as the correlators
                                                 * cut it: 63 bytes */
    size_t  len;                /* strlen(name) */
    unsigned mtas;              /* 1 << enum sess_mta of its lines */
    uint64_t sessions;          /* sessions of its lines */
    /* its counted sessions: all to one host, for how many domains
     * (counted up to 3)? */
    uint64_t counted;
    int     many_mx;
    char    mx[DNAME_MAX + 1];  /* the host of the first */
    char    ip[IPADDR_MAX + 1];
    uint64_t dom[2];            /* hashes of the first two domains */
    int     ndom;
};

/* slots of the index by name: a power of two, four per host kept */
#define GUESS_SLOTS (4 * GUESS_MAX_LOGHOSTS)
#define GUESS_HINTS 64          /* a power of two */

struct guess_hosts {
    struct guess_loghost *v;    /* GUESS_MAX_LOGHOSTS, made on first use */
    size_t  n;
    size_t  last;               /* index of the last one found */
    /* the hosts found last, by guess_hint_at(): 1 + the place in v, 0
     * none. The lines of a log come from one host, or a few interleaved
     * (the host found last was another on most lines of a replayed
     * archive of five): a compare finds nearly all, no hash of the name
     * (XXH3 and the probe were 140 instructions a line) */
    uint16_t hint[GUESS_HINTS];
    /* v's index by hash of the name, open addressing: 1 + the place
     * in v, 0 free. A log of hundreds of hosts (a merged archive) would
     * compare with each of them on every line */
    uint16_t slot[GUESS_SLOTS];
};

/* guess_hosts_create - an empty table */
struct guess_hosts *
guess_hosts_create(void)
{
    return xcalloc(1, sizeof(struct guess_hosts));
}

/* guess_hosts_free - NULL */
struct guess_hosts *
guess_hosts_free(struct guess_hosts *g)
{
    if (g != NULL) {
        xfree(g->v);
        xfree(g);
    }
    return NULL;
}

/* guess_hint_at - the place of host name[0..len) in g->hint: from its
 * length and three of its bytes, no pass over it */
static inline unsigned
guess_hint_at(const char *name, size_t len)
{
    if (len == 0)
        return 0;
    return (unsigned) (len * 37 + (unsigned char) name[0] * 11
                       + (unsigned char) name[len / 2] * 3
                       + (unsigned char) name[len - 1]) & (GUESS_HINTS - 1);
}

/* guess_host_probe - the record of host name[0..len) by its hash, if
 * there is one; noted as the one found last and at its hint */
static struct guess_loghost *
guess_host_probe(struct guess_hosts *g, const char *name, size_t len)
{
    struct guess_loghost *h;
    size_t  i;

    for (i = XXH3_64bits(name, len) & (GUESS_SLOTS - 1); g->slot[i] != 0;
         i = (i + 1) & (GUESS_SLOTS - 1)) {
        h = &g->v[g->slot[i] - 1];
        if (h->len == len && span_mem_same(h->name, name, len)) {
            g->hint[guess_hint_at(name, len)] = g->slot[i];
            g->last = g->slot[i] - 1;
            return h;
        }
    }
    return NULL;
}

/* guess_host_find - the record of host name[0..len) if there is one:
 * the last one found first, then the one last found at its hint, then
 * by hash. The names compared without a call (span_mem_same), and the
 * first two tests inline where a line's host is asked for: memcmp()
 * and the calls were half the cost (4 M instructions of a 20 MB slice
 * of the replayed Postfix corpus, five hosts interleaved) */
static inline __attribute__((always_inline)) struct guess_loghost *
guess_host_find(struct guess_hosts *g, const char *name, size_t len)
{
    struct guess_loghost *h;
    unsigned at;

    if (g->last < g->n) {
        h = &g->v[g->last];
        if (h->len == len && span_mem_same(h->name, name, len))
            return h;
    }
    at = guess_hint_at(name, len);
    if (g->hint[at] != 0) {
        h = &g->v[g->hint[at] - 1];
        if (h->len == len && span_mem_same(h->name, name, len)) {
            g->last = g->hint[at] - 1;
            return h;
        }
    }
    return g->n > 0 ? guess_host_probe(g, name, len) : NULL;
}

/* guess_host_new - the record of host name[0..len) (cut at a NUL) when
 * guess_host_find() found none, made on first use; NULL when the table
 * is full */
static struct guess_loghost *
guess_host_new(struct guess_hosts *g, const char *name, size_t len)
{
    struct guess_loghost *h;
    size_t  cut;
    size_t  i;

    cut = strnlen(name, len);
    if (cut != len && (h = guess_host_find(g, name, cut)) != NULL)
        return h;
    len = cut;
    if (g->n == GUESS_MAX_LOGHOSTS)
        return NULL;
    /* not there (above): its probe ends at a free slot */
    for (i = XXH3_64bits(name, len) & (GUESS_SLOTS - 1); g->slot[i] != 0;
         i = (i + 1) & (GUESS_SLOTS - 1))
         /* void */ ;
    g->slot[i] = (uint16_t) (g->n + 1);
    if (g->v == NULL)
        g->v = xcalloc(GUESS_MAX_LOGHOSTS, sizeof(*g->v));
    h = &g->v[g->n];
    memcpy(h->name, name, len);
    h->name[len] = 0;
    h->len = len;
    g->hint[guess_hint_at(name, len)] = (uint16_t) (g->n + 1);
    g->last = g->n++;
    return h;
}

/* guess_host_get - the record of host name[0..len) (cut at a NUL),
 * made on first use; NULL when the table is full. A name stored holds
 * no NUL, and names are stored once: one equal to all len bytes says
 * that they hold none, so the host of nearly every line is found
 * before strnlen() */
static inline struct guess_loghost *
guess_host_get(struct guess_hosts *g, const char *name, size_t len)
{
    struct guess_loghost *h;

    if (len > SESS_MAX_LOGHOST)
        len = SESS_MAX_LOGHOST;
    if ((h = guess_host_find(g, name, len)) != NULL)
        return h;
    return guess_host_new(g, name, len);
}

/* guess_hosts_line - a line of a host that a parser claimed */
void
guess_hosts_line(struct guess_hosts *g, const char *name, size_t len,
                 int mta)
{
    struct guess_loghost *h = guess_host_get(g, name, len);

    if (h != NULL && mta >= 0 && mta < SESS_MTA_COUNT)
        h->mtas |= 1u << mta;
}

/* guess_str_put - string s into field d of cap bytes (cut to it) */
static void
guess_str_put(char *d, size_t cap, struct span s)
{
    size_t  n = s.len < cap ? s.len : cap - 1;

    memcpy(d, s.ptr, n);
    d[n] = 0;
}

/* guess_hosts_session - a session: count it; a counted one, to the one
 * host of the sessions so far, and for how many domains */
void
guess_hosts_session(struct guess_hosts *g, const struct sess_view *v,
                    enum sess_disp d)
{
    struct guess_loghost *h = guess_host_get(g, v->loghost.ptr,
                                             v->loghost.len);
    uint64_t dh;

    if (h == NULL)
        return;
    h->sessions++;
    if (d != SESS_D_COUNTED || h->many_mx)
        return;
    if (h->counted++ == 0) {
        guess_str_put(h->mx, sizeof(h->mx), v->mx);
        guess_str_put(h->ip, sizeof(h->ip), v->ip);
    } else if (strcmp(h->mx, v->mx.ptr) != 0 || strcmp(h->ip, v->ip.ptr) != 0) {
        h->many_mx = 1;
        return;
    }
    if (h->ndom >= 3)
        return;
    dh = XXH3_64bits(v->domain.ptr, v->domain.len);
    if ((h->ndom < 1 || h->dom[0] != dh) && (h->ndom < 2 || h->dom[1] != dh)) {
        if (h->ndom < 2)
            h->dom[h->ndom] = dh;
        h->ndom++;
    }
}

/* guess_host_name - a log host's name as printable ASCII */
const char *
guess_host_name(const char *name, char *out, size_t cap)
{
    size_t  i;

    if (name[0] == 0)
        return "(no host name)";
    for (i = 0; name[i] && i + 1 < cap; i++)
        out[i] = (name[i] > 0x20 && name[i] < 0x7f) ? name[i] : '?';
    out[i] = 0;
    return out;
}

/* the setting that makes each MTA log TLS (enum sess_mta order) */
static const char *const guess_tls_setting[SESS_MTA_COUNT] = {
    "Postfix: smtp_tls_loglevel = 1 in main.cf",
    "Exim: keep tls_cipher, a default, in log_selector",
    "Sendmail: LogLevel 9 or more",
};

/* guess_hosts_advise - TLS logging off, one host for every session */
void
guess_hosts_advise(const struct guess_hosts *g, const struct agg_tab *tab,
                   enum agg_plain mode)
{
    char    name[SESS_MAX_LOGHOST + 1];
    char    how[200];
    char    mx[DNAME_MAX + IPADDR_MAX + 3];
    size_t  i, n, warned = 0;
    int     m;

    for (i = 0; i < g->n; i++) {
        const struct guess_loghost *h = &g->v[i];

        if (h->sessions == 0 || agg_tab_host_logs_tls_st(tab, h->name)
            || (warned++ >= GUESS_SHOW_HOSTS && !msg_verbose))
            continue;
        how[0] = 0;
        for (m = 0, n = 0; m < SESS_MTA_COUNT; m++)
            if ((h->mtas & (1u << m)) && n < sizeof(how))
                n += (size_t) snprintf(how + n, sizeof(how) - n, "%s%s",
                                       n ? "; " : "", guess_tls_setting[m]);
        msg_warn("log host %s: %" PRIu64 " session%s, not one TLS line: "
                 "TLS logging looks off (%s); %s",
                 guess_host_name(h->name, name, sizeof(name)), h->sessions,
                 h->sessions == 1 ? "" : "s", n ? how : "see its MTA",
                 mode == AGG_PLAIN_ALWAYS
                 ? "--plaintext always counts each delivery without one as "
                 "starttls-not-supported"
                 : "deliveries without one are not counted");
    }
    if (warned > GUESS_SHOW_HOSTS && !msg_verbose)
        msg_warn("%zu more log hosts without a TLS line (-v names them)",
                 warned - GUESS_SHOW_HOSTS);
    /* every counted session of a host to one host, for 3 domains or
     * more: a smart host that relay_hosts does not name? */
    for (i = 0, warned = 0; i < g->n; i++) {
        const struct guess_loghost *h = &g->v[i];

        if (h->many_mx || h->ndom < 3 || (!h->mx[0] && !h->ip[0])
            || (warned++ >= GUESS_SHOW_HOSTS && !msg_verbose))
            continue;
        snprintf(mx, sizeof(mx), "%s%s%s%s", h->mx, h->ip[0] ? "[" : "",
                 h->ip, h->ip[0] ? "]" : "");
        msg_warn("log host %s: all its %" PRIu64 " counted sessions, for 3 "
                 "domains or more, went to one host, %s: taken for the "
                 "recipients' MX; if it is a relay host, set relay_hosts",
                 guess_host_name(h->name, name, sizeof(name)), h->counted, mx);
    }
}
