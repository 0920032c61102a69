/* cli/guess.c - what a run guessed, and what it could not know (guess.h) */
#include "guess.h"
#include "../parsers/order.h"
#include "../engine/guess_hosts.h"
#include "../util/date.h"
#include "../util/htab.h"
#include "../util/ipaddr.h"
#include "../util/ipclass.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define GUESS_MAX_OWN 16        /* public addresses of this machine kept */
#define GUESS_MAX_HOSTS 32      /* hosts named in the omission warning */

/* ---- the day asked for ---- */

struct guess_days {
    int32_t *day;
    uint64_t *n;
    size_t  count, cap;
};

/* guess_day_add - agg_tab_walk_st: sessions per day */
static void
guess_day_add(const struct sess_rec *r, uint64_t n, void *ctx)
{
    struct guess_days *d = ctx;
    size_t  i;

    if (n == 0)
        return;
    for (i = d->count; i > 0; i--)      /* the walk comes by day */
        if (d->day[i - 1] == r->day) {
            d->n[i - 1] += n;
            return;
        }
    if (d->count == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        d->day = xrealloc(d->day, d->cap * sizeof(*d->day));
        d->n = xrealloc(d->n, d->cap * sizeof(*d->n));
    }
    d->day[d->count] = r->day;
    d->n[d->count++] = n;
}

/* guess_zone - the zone of stamps without offset, and where it came
 * from, into buf[cap] */
static const char *
guess_zone(char *buf, size_t cap)
{
    const char *tz = getenv("TZ");
    char    link[512];
    ssize_t n;
    const char *z;

    if (tz != NULL && *tz) {
        snprintf(buf, cap, "%.100s (--log-tz or log_tz)",
                 tz[0] == ':' ? tz + 1 : tz);
        return buf;
    }
    n = readlink("/etc/localtime", link, sizeof(link) - 1);
    if (n > 0) {
        link[n] = 0;
        z = strstr(link, "zoneinfo/");
        snprintf(buf, cap, "%.100s (the machine's; --log-tz sets it)",
                 z ? z + 9 : link);
        return buf;
    }
    snprintf(buf, cap, "%.20s (the machine's; --log-tz sets it)", tzname[0]);
    return buf;
}

/* guess_year - how the year of syslog stamps was chosen, into buf */
static const char *
guess_year(const struct run_year *y, char *buf, size_t cap)
{
    time_t  t = (time_t) y->ref;
    struct tm tm;
    char    when[32];
    char    more[48] = "";

    localtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
    if (y->files > 1)
        snprintf(more, sizeof(more), " (and %" PRIu64 " other file%s)",
                 y->files - 1, y->files == 2 ? "" : "s");
    switch (y->kind) {
    case ORDER_REF_MTIME:
        snprintf(buf, cap, "the modification time of %s, %s%s", y->name,
                 when, more);
        break;
    case ORDER_REF_NOW:
        snprintf(buf, cap, "today's date (standard input)");
        break;
    case ORDER_REF_YEAR:
        snprintf(buf, cap, "--log-year %d", y->log_year);
        break;
    case ORDER_REF_YEAR_MTIME:
        snprintf(buf, cap, "--log-year %d, no line after the modification "
                 "time of %s, %s%s", y->log_year, y->name, when, more);
        break;
    default:
        snprintf(buf, cap, "--log-year %d, no line after now (standard "
                 "input)", y->log_year);
        break;
    }
    return buf;
}

/* guess_day_check - an empty day while the input has others (guess.h) */
void
guess_day_check(const struct agg_tab *tab, int32_t day, int given,
                const struct run_stats *st)
{
    struct guess_days d;
    uint64_t total = 0;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    char    want[11], first[11], last[11];
    char    year[400], zone[160], how[700] = "", range[64];
    size_t  i;

    memset(&d, 0, sizeof(d));
    agg_tab_walk_st(tab, guess_day_add, &d);
    for (i = 0; i < d.count; i++) {
        if (d.day[i] == day) {
            total = 0;
            break;
        }
        total += d.n[i];
        if (d.day[i] < lo)
            lo = d.day[i];
        if (d.day[i] > hi)
            hi = d.day[i];
    }
    if (i == d.count && total > 0) {
        size_t  ndays = d.count;

        date_day_str(day, want);
        date_day_str(lo, first);
        date_day_str(hi, last);
        if (st->year.files > 0)
            snprintf(how, sizeof(how), "; their syslog stamps carry no "
                     "year: it came from %s (--log-year YYYY sets it); "
                     "their zone is %s", guess_year(&st->year, year,
                                                    sizeof(year)),
                     guess_zone(zone, sizeof(zone)));
        if (ndays == 1)
            snprintf(range, sizeof(range), "all on %s", first);
        else
            snprintf(range, sizeof(range), "on %zu other days, %s to %s",
                     ndays, first, last);
        msg_warn("no session on %s (%s); the input has %" PRIu64
                 " session%s, %s%s", want, given ? "--day"
                 : "yesterday, UTC: --day YYYY-MM-DD picks the day", total,
                 total == 1 ? "" : "s", range, how);
    }
    xfree(d.day);
    xfree(d.n);
}

/* ---- sending-mta-ip ---- */

struct guess_host {
    char    name[SESS_MAX_LOGHOST + 1];
    const char *why;            /* why it is not known beyond "not
                                 * configured", or NULL */
};

struct guess_sip {
    pthread_mutex_t lock;       /* guess_sending_ip() on report threads */
    const struct conf *c;
    char    host[256];          /* this machine's host name */
    int     have_own;           /* own addresses looked up */
    char    own[2][GUESS_MAX_OWN][IPADDR_MAX + 1];      /* [v6][i] */
    size_t  nown[2];
    struct guess_host told[GUESS_MAX_HOSTS];    /* own-host guesses said */
    size_t  ntold;
    struct guess_host left[GUESS_MAX_HOSTS];    /* hosts left without */
    size_t  nleft;
    struct htab *more;          /* left without, beyond GUESS_MAX_HOSTS */
};

/* guess_own_add - one address of this machine, kept when public */
static void
guess_own_add(struct guess_sip *g, const char *text)
{
    char    canon[IPADDR_MAX + 1];
    int     v6;
    size_t  i;

    if (ipaddr_norm(text, strlen(text), canon) != 0
        || ipclass_text(canon) != IPCLASS_PUBLIC)
        return;
    v6 = strchr(canon, ':') != NULL;
    for (i = 0; i < g->nown[v6]; i++)
        if (strcmp(g->own[v6][i], canon) == 0)
            return;
    if (g->nown[v6] < GUESS_MAX_OWN)
        memcpy(g->own[v6][g->nown[v6]++], canon, sizeof(canon));
}

/* guess_own_load - this machine's public addresses (interfaces, or
 * MAILTLSRPT_TEST_IFADDRS) */
static void
guess_own_load(struct guess_sip *g)
{
    const char *env = getenv("MAILTLSRPT_TEST_IFADDRS");
    struct ifaddrs *ifa, *p;
    char    text[INET6_ADDRSTRLEN];

    g->have_own = 1;
    if (env != NULL) {
        char    buf[1024];
        char   *tok, *save = NULL;

        snprintf(buf, sizeof(buf), "%s", env);
        for (tok = strtok_r(buf, " ,\t", &save); tok;
             tok = strtok_r(NULL, " ,\t", &save))
            guess_own_add(g, tok);
        return;
    }
    if (getifaddrs(&ifa) != 0)
        return;
    for (p = ifa; p; p = p->ifa_next) {
        if (p->ifa_addr == NULL)
            continue;
        if (p->ifa_addr->sa_family == AF_INET
            && inet_ntop(AF_INET, &((struct sockaddr_in *)
                                    (void *) p->ifa_addr)->sin_addr,
                         text, sizeof(text)) != NULL)
            guess_own_add(g, text);
        else if (p->ifa_addr->sa_family == AF_INET6
                 && inet_ntop(AF_INET6, &((struct sockaddr_in6 *)
                                          (void *) p->ifa_addr)->sin6_addr,
                              text, sizeof(text)) != NULL)
            guess_own_add(g, text);
    }
    freeifaddrs(ifa);
}

/* guess_is_own - loghost names this machine: its host name, or the
 * first label of one of the two names is the other */
static int
guess_is_own(const struct guess_sip *g, const char *loghost)
{
    size_t  a = strcspn(g->host, ".");
    size_t  b = strcspn(loghost, ".");

    if (!loghost[0] || !g->host[0])
        return 0;
    if (strcasecmp(g->host, loghost) == 0)
        return 1;
    /* "mail" and "mail.example.net": one of them a short name */
    return a == b && (loghost[b] == 0 || g->host[a] == 0)
        && strncasecmp(g->host, loghost, a) == 0;
}

/* guess_extra - a host past the list, counted once however often it
 * is noted */
static void
guess_extra(struct htab **extra, const char *host)
{
    size_t  len = strlen(host);

    if (*extra == NULL)
        *extra = htab_create(16, NULL);
    if (htab_find(*extra, host, len) == NULL)
        (void) htab_enter(*extra, host, len, *extra);
}

/* guess_note - remember a host in list, in name order; 1 when it is
 * new. Report threads note hosts in no fixed order, so what is kept
 * must not depend on it: the list holds the GUESS_MAX_HOSTS first names
 * in that order (the others go to extra, when given, as distinct names)
 * and of two reasons for one host the first in byte order */
static int
guess_note(struct guess_host *list, size_t *n, const char *host,
           const char *why, struct htab **extra)
{
    size_t  at;
    int     cmp = 1;

    for (at = 0; at < *n && (cmp = strcmp(list[at].name, host)) < 0; at++)
         /* void */ ;
    if (at < *n && cmp == 0) {
        if (why && (list[at].why == NULL || strcmp(why, list[at].why) < 0))
            list[at].why = why;
        return 0;
    }
    if (*n == GUESS_MAX_HOSTS) {
        if (extra == NULL)
            return 0;
        if (at == *n || (*extra && htab_find(*extra, host, strlen(host)))) {
            guess_extra(extra, host);
            return 0;
        }
        guess_extra(extra, list[*n - 1].name);
        (*n)--;
    }
    memmove(list + at + 1, list + at, (*n - at) * sizeof(*list));
    snprintf(list[at].name, sizeof(list[at].name), "%s", host);
    list[at].why = why;
    (*n)++;
    return 1;
}

/* guess_sip_create - for one report run */
struct guess_sip *
guess_sip_create(const struct conf *c)
{
    struct guess_sip *g = xcalloc(1, sizeof(*g));

    pthread_mutex_init(&g->lock, NULL);
    g->c = c;
    if (gethostname(g->host, sizeof(g->host) - 1) != 0)
        g->host[0] = 0;
    return g;
}

/* guess_own_pick - this machine's one public address of rcv_ip's
 * family (any family when rcv_ip is empty), or NULL with why */
static const char *
guess_own_pick(struct guess_sip *g, const char *rcv_ip, const char **why)
{
    int     v6 = strchr(rcv_ip, ':') != NULL;

    if (!g->have_own)
        guess_own_load(g);
    if (rcv_ip[0] == 0) {
        if (g->nown[0] + g->nown[1] == 1)
            return g->nown[0] ? g->own[0][0] : g->own[1][0];
        *why = g->nown[0] + g->nown[1] ? "this machine: more than one "
            "public address" : "this machine: no public address";
        return NULL;
    }
    if (g->nown[v6] == 1)
        return g->own[v6][0];
    *why = g->nown[v6] ? (v6 ? "this machine: more than one public IPv6 "
                          "address" : "this machine: more than one public "
                          "IPv4 address")
        : (v6 ? "this machine: no public IPv6 address"
           : "this machine: no public IPv4 address");
    return NULL;
}

/* guess_sending_ip - rpt_conf.sending_ip (guess.h) */
const char *
guess_sending_ip(const char *loghost, const char *rcv_ip, const void *ctx)
{
    struct guess_sip *g = *(struct guess_sip *const *) ctx;
    const char *ip = conf_sending_ip(loghost, g->c);
    const char *why = NULL;     /* not configured: nothing more to say */
    char    safe[SESS_MAX_LOGHOST + 1];

    if (ip != NULL)
        return ip;
    /* the look-up of own addresses and the notes are shared: one at a
     * time (the addresses picked stay in g until guess_sip_end) */
    pthread_mutex_lock(&g->lock);
    if (guess_is_own(g, loghost)
        && (ip = guess_own_pick(g, rcv_ip ? rcv_ip : "", &why)) != NULL) {
        guess_host_name(loghost, safe, sizeof(safe));
        if (guess_note(g->told, &g->ntold, loghost, NULL, NULL))
            msg_info("log host %s is this machine: sending-mta-ip %s, its "
                     "public address (sending_mta_ip = %s ADDRESS sets it)",
                     safe, ip, safe);
    } else {
        guess_note(g->left, &g->nleft, loghost, why, &g->more);
    }
    pthread_mutex_unlock(&g->lock);
    return ip;
}

/* guess_sip_end - one warning naming the hosts left without */
struct guess_sip *
guess_sip_end(struct guess_sip *g)
{
    char    list[3072];
    char    safe[SESS_MAX_LOGHOST + 1];
    size_t  i, n = 0;

    if (g == NULL)
        return NULL;
    list[0] = 0;
    /* at most GUESS_MAX_HOSTS names of at most 63 bytes: it fits */
    for (i = 0; i < g->nleft; i++) {
        const struct guess_host *h = &g->left[i];

        n += (size_t) snprintf(list + n, sizeof(list) - n, "%s%s%s%s%s%s",
                               i ? ", " : "", h->name[0] ? "log host "
                               : "lines without a host name", h->name[0]
                               ? guess_host_name(h->name, safe, sizeof(safe))
                               : "", h->why ? " (" : "",
                               h->why ? h->why : "", h->why ? ")" : "");
        if (n >= sizeof(list))
            break;
    }
    if (g->more && n + 1 < sizeof(list))
        snprintf(list + n, sizeof(list) - n, " and %zu more",
                 htab_count(g->more));
    if (g->nleft > 0)
        msg_warn("sending-mta-ip left out of the failure details of %s: "
                 "set sending_mta_ip = HOST ADDRESS for one host, or "
                 "sending_mta_ip = ADDRESS for every host not named",
                 list);
    if (g->more)
        g->more = htab_free(g->more);
    pthread_mutex_destroy(&g->lock);
    xfree(g);
    return NULL;
}
