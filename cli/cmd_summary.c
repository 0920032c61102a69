/* cli/cmd_summary.c - "mailtlsrpt summary" and "mailtlsrpt sessions"
 *
 * summary: over the selected days (all unless --day), a header (period,
 * log hosts, lines, sessions), one row per policy domain (sessions,
 * successes, failures, failures by type) sorted by --sort (sessions,
 * most first, by default), the first --top of them (default 12: with
 * the header, the totals and the run's line on stderr, one screen of 24
 * lines; JSON: all), and the totals of every domain. On a terminal the
 * failures by type of a row are cut to its width (most first, "+K" for
 * the K left out) and the totals by type follow in full. --json gives the
 * same for machines, --html a self-contained page with a chart of
 * failures by type and day (cli/sum_html.c). Every form is written as
 * its rows are made, one at a time through a bounded buffer, so that
 * the memory of a run is that of its domains' sums whatever the number
 * of rows shown. Output goes to standard output or, with -o FILE,
 * replaces FILE whole (never an input) once it is complete.
 * sessions: a header line, then one line per session, counted or not,
 * with the reason when not; --json one JSON object per line; --trace
 * adds one line per input line saying what it meant.
 */
#include "cli.h"
#include "conf.h"
#include "guess.h"
#include "../engine/pipe.h"
#include "sum.h"
#include "../util/date.h"
#include "../util/afile.h"
#include "../util/jsonw.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"
#include "../util/par.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef MADV_POPULATE_WRITE
#define SUMMARY_POPULATE_WRITE MADV_POPULATE_WRITE
#else
#define SUMMARY_POPULATE_WRITE 23       /* Linux 5.14 */
#endif

#define SUM_TOP_DEFAULT 12      /* rows: the header, the rows, the totals
                                 * and the run's line on 24 lines */

/* One domain's sums before its row is made. A row (struct sum_dom) has
 * the counts by failure type, 136 bytes; over a million domains of
 * which --top shows twelve, the rows were the largest allocation of a
 * run. The sums are made for every domain, a row only when it is
 * written (summary_row), one at a time: a domain's groups are
 * gi[at .. at + n) (view indexes). */
struct summary_acc {
    const char *domain;
    uint64_t success;
    uint64_t failure;
    uint64_t plain_ignored;
    int32_t first_day;
    int32_t last_day;
    size_t  at;
    size_t  n;
};

/* summary_acc_group - add group g (at: its place among those summed) to
 * its domain's sums s, or start them with it when it is the domain's
 * first (written, not added to: a page of fresh memory first read maps
 * the zero page, and the write after faults again); its failures by
 * type to by_type[]. The view's days ascend within a domain. */
static inline void
summary_acc_group(struct summary_acc *s, const struct agg_group *g,
                  size_t at, int first, uint64_t *by_type)
{
    size_t  j;

    if (first) {
        s->domain = g->domain;
        s->success = g->success;
        s->failure = g->failure;
        s->plain_ignored = g->plain_ignored;
        s->first_day = s->last_day = g->day;
        s->at = at;
        s->n = 1;
    } else {
        s->success += g->success;
        s->failure += g->failure;
        s->plain_ignored += g->plain_ignored;
        s->last_day = g->day;
        s->n++;
    }
    for (j = 0; j < g->ndetails; j++)
        by_type[g->details[j].result] += g->details[j].count;
}

/* summary_collect - per-domain sums of the view's groups (of --day),
 * in domain order, with *gip their groups (a domain's in view order)
 * and by_type[] the failures by type of them all. Each group carries
 * its domain's place in the view's domain order (agg_group.dom): the
 * sums go straight to it. The view's groups are in (day, domain,
 * policy) order: those of one day (--day, or a log of one day) are in
 * domain order already; those of several are put in it by counting
 * (a qsort by name before: O(n log n) compares of strings). The
 * caller's a has room for agg_view_domains(v) sums, *gip for
 * agg_view_count(v) indexes. Cost O(groups). */
static struct summary_acc *
summary_collect(const struct agg_view *v, const struct cli_opts *o,
                struct summary_acc *a, size_t **gip, uint64_t *by_type,
                size_t *count)
{
    size_t  n = agg_view_count(v);
    size_t  nd = agg_view_domains(v);
    size_t *gi = *gip;
    uint64_t *seen = xcalloc(nd / 64 + 1, sizeof(*seen));
    struct summary_acc *s;
    size_t  ng = 0;
    size_t  i, k, at;
    int     sorted = 1, first;

    for (i = 0; i < n; i++) {
        const struct agg_group *g = agg_view_get(v, i);

        if (o->have_day && g->day != o->day)
            continue;
        if (g->dom >= nd)
            msg_panic("summary_collect: domain %zu of %zu", g->dom, nd);
        if (ng > 0 && g->dom < agg_view_get(v, gi[ng - 1])->dom)
            sorted = 0;
        s = &a[g->dom];
        first = (seen[g->dom / 64] >> (g->dom % 64) & 1) == 0;
        seen[g->dom / 64] |= (uint64_t) 1 << (g->dom % 64);
        summary_acc_group(s, g, ng, first, by_type);    /* at: when sorted */
        gi[ng++] = i;
    }
    if (!sorted) {              /* by domain, each in view order */
        size_t *by = xmalloc((ng ? ng : 1) * sizeof(*by));

        for (i = at = 0; i < nd; i++) {
            if ((seen[i / 64] >> (i % 64) & 1) == 0)
                a[i].n = 0;
            a[i].at = at;
            at += a[i].n;
        }
        for (i = 0; i < ng; i++)
            by[a[agg_view_get(v, gi[i])->dom].at++] = gi[i];
        for (i = 0; i < nd; i++)
            a[i].at -= a[i].n;
        free(gi);
        gi = by;
    }
    /* the domains of the selected days, in order (without --day:
     * every domain has a group) */
    for (i = k = 0; o->have_day && i < nd; i++) {
        if ((seen[i / 64] >> (i % 64) & 1) == 0)
            continue;
        if (k != i)
            a[k] = a[i];
        k++;
    }
    if (!o->have_day)
        k = nd;
    free(seen);
    *gip = gi;
    *count = k;
    return a;
}

/* The rows in the order of --sort. The rows are in domain order, one
 * per domain, when they are sorted: by domain, nothing is left to do;
 * by sessions (most first, then by name) or failures (most first, then
 * sessions, then name), an order by numbers first and place in the
 * array last. The first --top rows of a long list are picked in one
 * pass; a whole list is sorted by the numbers, a byte at a time (a
 * stable radix sort; most counts take one or two bytes). */
struct summary_ord {
    uint64_t k0;                /* first number, largest first */
    uint64_t k1;                /* second number, largest first */
    size_t  i;                  /* place in the rows, smallest first */
};

#define SUMMARY_PICK_MAX 64     /* rows picked one by one, at most */
#define SUMMARY_COPY_MAX 65536  /* rows copied, at most; more are moved */

/* summary_ord_before - 1 when a comes before b */
static inline int
summary_ord_before(const struct summary_ord *a, const struct summary_ord *b)
{
    if (a->k0 != b->k0)
        return a->k0 > b->k0;
    if (a->k1 != b->k1)
        return a->k1 > b->k1;
    return a->i < b->i;
}

/* With -j, the sums of a view of one day over all days (no --day) are
 * made by several threads, each over a run of groups that begins with
 * a domain's first: a day's groups are in domain order, so a domain's
 * groups are one run, its place one after the last one's, and every
 * place has a group. The sums and the failures by type are what
 * summary_collect makes of the same view, and the groups' order is the
 * view's (no gi: summary_row takes it so). */
#define SUMMARY_PAR_MIN 65536   /* groups; fewer: one thread */
#define SUMMARY_PARTS 16

/* a run of groups [lo, hi) summed by one thread */
struct summary_part {
    const struct agg_view *v;
    struct summary_acc *a;
    size_t  nd;
    size_t  lo;
    size_t  hi;
    uint64_t by_type[SESS_RESULT_COUNT];
};

/* summary_part_run - thread: the sums of one run (summary_part) */
static void *
summary_part_run(void *arg)
{
    struct summary_part *p = arg;
    const struct agg_group *g;
    size_t  last = 0;
    size_t  i;

    for (i = p->lo; i < p->hi; i++) {
        g = agg_view_get(p->v, i);
        if (g->dom >= p->nd || (i > p->lo && g->dom < last))
            msg_panic("summary_part_run: domain %zu of %zu", g->dom, p->nd);
        summary_acc_group(&p->a[g->dom], g, i,
                          i == p->lo || g->dom != last, p->by_type);
        last = g->dom;
    }
    return NULL;
}

/* summary_collect_par_ok - 1 when summary_collect_par would take v */
static int
summary_collect_par_ok(const struct agg_view *v, const struct cli_opts *o,
                       int jobs)
{
    size_t  n = agg_view_count(v);

    return !o->have_day && jobs > 1 && n >= SUMMARY_PAR_MIN
        && agg_view_get(v, 0)->day == agg_view_get(v, n - 1)->day;
}

/* summary_cut - the end of part k of np of the view's groups, the part
 * beginning at lo: an even share, moved on to a domain's first group */
static size_t
summary_cut(const struct agg_view *v, size_t lo, int k, int np)
{
    size_t  n = agg_view_count(v);
    size_t  at = k + 1 == np ? n : n / (size_t) np * (size_t) (k + 1);

    if (at < lo)
        at = lo;
    while (at > 0 && at < n
           && agg_view_get(v, at)->dom == agg_view_get(v, at - 1)->dom)
        at++;
    return at;
}

/* summary_collect_par - summary_collect on up to jobs threads (the
 * caller's among them), for a view of one day and no --day; 0 when
 * that is not the case or too small to pay (nothing done) */
static int
summary_collect_par(const struct agg_view *v, const struct cli_opts *o,
                    int jobs, struct summary_acc *a, uint64_t *by_type,
                    size_t *count)
{
    struct summary_part p[SUMMARY_PARTS];
    size_t  at;
    size_t  r;
    int     np;
    int     k;

    if (!summary_collect_par_ok(v, o, jobs))
        return 0;
    np = jobs < SUMMARY_PARTS ? jobs : SUMMARY_PARTS;
    for (k = 0, at = 0; k < np; k++) {
        memset(&p[k], 0, sizeof(p[k]));
        p[k].v = v;
        p[k].a = a;
        p[k].nd = agg_view_domains(v);
        p[k].lo = at;
        p[k].hi = at = summary_cut(v, at, k, np);
    }
    par_run(summary_part_run, p, sizeof(p[0]), np);
    for (k = 0; k < np; k++)
        for (r = 0; r < SESS_RESULT_COUNT; r++)
            by_type[r] += p[k].by_type[r];
    *count = agg_view_domains(v);
    return 1;
}

/* The rows to show when they are few (--top 1 to SUMMARY_PICK_MAX,
 * the text's default 12) of a view summed on threads: each thread
 * makes a domain's sums as it reads the domain's groups, adds them to
 * its totals and offers them to its best rows, and no sums are written
 * for every domain (over a million domains: 56 MB of fresh memory, then
 * read again for the totals and the pick, some 20 ms of the calling
 * thread at -j 2, `perf record`, domains.log of `make bench`). The
 * best of every thread's best are the best of all: the same rows, the
 * same totals as summary_collect and summary_head make. */
struct summary_cand {
    struct summary_ord o;               /* o.i: the domain's place */
    struct summary_acc a;
};

/* a run of groups [lo, hi) summed and picked from by one thread */
struct summary_pick {
    const struct agg_view *v;
    size_t  nd;
    size_t  lo;
    size_t  hi;
    size_t  top;
    int     failures;                   /* --sort failures */
    int     bydomain;                   /* --sort domain */
    int     fonly;                      /* --failures-only */
    uint64_t by_type[SESS_RESULT_COUNT];
    struct sum_dom total;               /* success, failure, plain_ignored */
    int32_t first_day;                  /* of domains with sessions */
    int32_t last_day;
    size_t  nmatch;                     /* domains --failures-only keeps */
    size_t  nbest;
    struct summary_cand best[SUMMARY_PICK_MAX];
};

/* summary_cand_offer - put c among the best top of b[*n] (in order)
 * when it beats the last of them; cost O(top) when it does */
static void
summary_cand_offer(struct summary_cand *b, size_t *n, size_t top,
                   const struct summary_cand *c)
{
    size_t  j;

    if (*n == top && !summary_ord_before(&c->o, &b[*n - 1].o))
        return;
    for (j = *n < top ? (*n)++ : *n - 1;
         j > 0 && summary_ord_before(&c->o, &b[j - 1].o); j--)
        b[j] = b[j - 1];
    b[j] = *c;
}

/* summary_pick_take - one domain's sums c->a, its place dom, into p */
static void
summary_pick_take(struct summary_pick *p, struct summary_cand *c,
                  size_t dom)
{
    const struct summary_acc *s = &c->a;

    p->total.success += s->success;
    p->total.failure += s->failure;
    p->total.plain_ignored += s->plain_ignored;
    if (s->success + s->failure > 0) {
        if (s->first_day < p->first_day)
            p->first_day = s->first_day;
        if (s->last_day > p->last_day)
            p->last_day = s->last_day;
    }
    if (p->fonly && s->failure == 0)
        return;
    p->nmatch++;
    c->o.k0 = p->bydomain ? 0 : p->failures ? s->failure
        : s->success + s->failure;
    c->o.k1 = p->bydomain || !p->failures ? 0 : s->success + s->failure;
    c->o.i = dom;
    summary_cand_offer(p->best, &p->nbest, p->top, c);
}

/* summary_pick_run - thread: sum the domains of one run and keep its
 * best rows (summary_pick); a domain's groups are one run of places */
static void *
summary_pick_run(void *arg)
{
    struct summary_pick *p = arg;
    const struct agg_group *g;
    struct summary_cand c;
    size_t  dom = 0;
    size_t  i;

    for (i = p->lo; i < p->hi; i++) {
        g = agg_view_get(p->v, i);
        if (g->dom >= p->nd || (i > p->lo && g->dom < dom))
            msg_panic("summary_pick_run: domain %zu of %zu", g->dom, p->nd);
        if (i == p->lo || g->dom != dom) {
            if (i > p->lo)
                summary_pick_take(p, &c, dom);
        }
        summary_acc_group(&c.a, g, i, i == p->lo || g->dom != dom,
                          p->by_type);
        dom = g->dom;
    }
    if (p->hi > p->lo)
        summary_pick_take(p, &c, dom);
    return NULL;
}

/* summary_top - the rows --top asks for: 0 all */
static long
summary_top(const struct cli_opts *o)
{
    return o->top >= 0 ? o->top : o->json ? 0 : SUM_TOP_DEFAULT;
}

/* summary_head_run - the header's fields that do not depend on the
 * rows: hosts, lines, sessions, sort, ndomains, the totals by type */
static void
summary_head_run(uint64_t hosts, const struct run_stats *st,
                 const struct cli_opts *o, size_t nd,
                 const uint64_t *by_type, struct sum_head *h)
{
    int     r;

    memset(h, 0, sizeof(*h));
    h->first_day = INT32_MAX;
    h->last_day = INT32_MIN;
    for (r = 0; r < SESS_RESULT_COUNT; r++)
        h->total.by_type[r] = by_type[r];
    h->ndomains = nd;
    h->hosts = hosts;
    h->lines = st->lines;
    for (r = 0; r < SESS_D_COUNT; r++)
        h->sessions += st->sessions[r];
    h->counted = st->sessions[SESS_D_COUNTED];
    h->sort = o->sort ? o->sort : "sessions";
}

/* summary_pick_par - the header and the rows to show (at the front of
 * *ap, made here) of a view that summary_collect_par would take, when
 * --top asks for at most SUMMARY_PICK_MAX rows, on up to jobs threads;
 * 0 when that is not the case (nothing done). The same header and rows
 * as summary_collect_par and summary_head. */
static int
summary_pick_par(const struct agg_view *v, const struct cli_opts *o,
                 int jobs, uint64_t hosts, const struct run_stats *st,
                 struct summary_acc **ap, struct sum_head *h)
{
    struct summary_pick *p;
    struct summary_cand *best;
    struct summary_acc *a;
    uint64_t by_type[SESS_RESULT_COUNT] = {0};
    size_t  nbest = 0;
    size_t  at;
    size_t  i;
    size_t  r;
    long    top = summary_top(o);
    int     np;
    int     k;

    if (!summary_collect_par_ok(v, o, jobs) || top <= 0
        || top > SUMMARY_PICK_MAX)
        return 0;
    np = jobs < SUMMARY_PARTS ? jobs : SUMMARY_PARTS;
    p = xcalloc((size_t) np, sizeof(*p));
    for (k = 0, at = 0; k < np; k++) {
        p[k].v = v;
        p[k].nd = agg_view_domains(v);
        p[k].top = (size_t) top;
        p[k].failures = o->sort != NULL && strcmp(o->sort, "failures") == 0;
        p[k].bydomain = o->sort != NULL && strcmp(o->sort, "domain") == 0;
        p[k].fonly = o->failures_only;
        p[k].first_day = INT32_MAX;
        p[k].last_day = INT32_MIN;
        p[k].lo = at;
        p[k].hi = at = summary_cut(v, at, k, np);
    }
    par_run(summary_pick_run, p, sizeof(p[0]), np);
    best = xmalloc((size_t) top * sizeof(*best));
    for (k = 0; k < np; k++)
        for (r = 0; r < SESS_RESULT_COUNT; r++)
            by_type[r] += p[k].by_type[r];
    summary_head_run(hosts, st, o, agg_view_domains(v), by_type, h);
    for (k = 0; k < np; k++) {
        h->total.success += p[k].total.success;
        h->total.failure += p[k].total.failure;
        h->total.plain_ignored += p[k].total.plain_ignored;
        if (p[k].first_day < h->first_day)
            h->first_day = p[k].first_day;
        if (p[k].last_day > h->last_day)
            h->last_day = p[k].last_day;
        h->nmatch += p[k].nmatch;
        for (i = 0; i < p[k].nbest; i++)
            summary_cand_offer(best, &nbest, (size_t) top, &p[k].best[i]);
    }
    h->nrows = nbest;
    a = xmalloc((nbest ? nbest : 1) * sizeof(*a));
    for (i = 0; i < nbest; i++)
        a[i] = best[i].a;
    free(best);
    free(p);
    *ap = a;
    return 1;
}

/* What a row is made of when it is written: its domain's sums, and the
 * groups (gi, or the view's order when NULL) whose details give its
 * failures by type. */
struct summary_src {
    const struct agg_view *v;
    const size_t *gi;
    const struct summary_acc *a;        /* the rows shown at the front */
};

/* summary_row - row i of src (struct summary_src) in *d (sum_rows.get);
 * cost the details of its groups */
static void
summary_row(const void *src, size_t i, struct sum_dom *d)
{
    const struct summary_src *s = src;
    const struct summary_acc *a = &s->a[i];
    size_t  j, k;

    memset(d, 0, sizeof(*d));
    d->domain = a->domain;
    d->success = a->success;
    d->failure = a->failure;
    d->plain_ignored = a->plain_ignored;
    d->first_day = a->first_day;
    d->last_day = a->last_day;
    for (k = a->at; k < a->at + a->n; k++) {
        const struct agg_group *g = agg_view_get(s->v, s->gi ? s->gi[k] : k);

        for (j = 0; j < g->ndetails; j++)
            d->by_type[g->details[j].result] += g->details[j].count;
    }
}

/* summary_ord_radix - sort a[n] stably by k of the digits that differ,
 * tmp[n] the room; cost O(n) per such byte */
static void
summary_ord_radix(struct summary_ord *a, struct summary_ord *tmp, size_t n,
                  int second)
{
    size_t  cnt[256];
    uint64_t diff = 0;
    uint64_t k;
    size_t  j;
    size_t  sum;
    unsigned b;
    int     shift;

    for (j = 1; j < n; j++)
        diff |= (second ? a[j].k1 ^ a[0].k1 : a[j].k0 ^ a[0].k0);
    for (shift = 0; shift < 64; shift += 8) {
        if (((diff >> shift) & 0xff) == 0)
            continue;
        memset(cnt, 0, sizeof(cnt));
        for (j = 0; j < n; j++) {
            k = second ? a[j].k1 : a[j].k0;
            cnt[0xff - ((k >> shift) & 0xff)]++;  /* largest first */
        }
        for (b = 0, sum = 0; b < 256; b++) {
            size_t  c = cnt[b];

            cnt[b] = sum;
            sum += c;
        }
        for (j = 0; j < n; j++) {
            k = second ? a[j].k1 : a[j].k0;
            tmp[cnt[0xff - ((k >> shift) & 0xff)]++] = a[j];
        }
        memcpy(a, tmp, n * sizeof(*a));
    }
}

/* summary_order - the first top rows (all when 0) of the nd rows in d
 * (in domain order), by failures or by sessions, at the front of d in
 * that order; cost O(nd) */
static void
summary_order(struct summary_acc *d, size_t nd, int failures, size_t top)
{
    struct summary_ord *o;
    struct summary_ord *tmp;
    struct summary_ord x;
    size_t  n = 0;
    size_t  i;
    size_t  j;
    size_t  k;
    struct summary_acc save;

    o = xmalloc((top > 0 && top <= SUMMARY_PICK_MAX ? top + 1 : nd ? nd : 1)
                * sizeof(*o));
    for (i = 0; i < nd; i++) {
        x.k0 = failures ? d[i].failure : d[i].success + d[i].failure;
        x.k1 = failures ? d[i].success + d[i].failure : 0;
        x.i = i;
        if (top == 0 || top > SUMMARY_PICK_MAX) {
            o[n++] = x;
            continue;
        }
        /* the best top so far, in order: x goes in if it beats the last */
        if (n == top && !summary_ord_before(&x, &o[n - 1]))
            continue;
        for (j = n < top ? n++ : n - 1; j > 0 && summary_ord_before(&x,
                                                                &o[j - 1]);
             j--)
            o[j] = o[j - 1];
        o[j] = x;
    }
    if (top == 0 || top > SUMMARY_PICK_MAX) {
        tmp = xmalloc((n ? n : 1) * sizeof(*tmp));
        if (failures)
            summary_ord_radix(o, tmp, n, 1);
        summary_ord_radix(o, tmp, n, 0);
        free(tmp);
    }
    if (top == 0 || top > n)
        top = n;
    if (top <= SUMMARY_COPY_MAX) {
        struct summary_acc *rows = xmalloc((top ? top : 1) * sizeof(*rows));

        for (j = 0; j < top; j++)
            rows[j] = d[o[j].i];
        memcpy(d, rows, top * sizeof(*rows));
        free(rows);
    } else {
        /* in place, a cycle at a time: row j gets old row o[j].i */
        for (j = 0; j < n; j++) {
            if (o[j].i == j)
                continue;
            save = d[j];
            for (k = j; o[k].i != j; k = i) {
                i = o[k].i;
                d[k] = d[i];
                o[k].i = k;
            }
            d[k] = save;
            o[k].i = k;
        }
    }
    free(o);
}

/* summary_head - period, hosts (counted before), lines, sessions,
 * totals (by_type: the failures by type of every domain); then sort the
 * domains and keep those to show at the front (h->nrows of them) */
static void
summary_head(uint64_t hosts, const struct run_stats *st,
             const struct cli_opts *o, struct summary_acc *d, size_t nd,
             const uint64_t *by_type, struct sum_head *h)
{
    size_t  i, k;
    long    top;

    summary_head_run(hosts, st, o, nd, by_type, h);
    for (i = 0; i < nd; i++) {
        h->total.success += d[i].success;
        h->total.failure += d[i].failure;
        h->total.plain_ignored += d[i].plain_ignored;
        if (d[i].success + d[i].failure == 0)
            continue;
        if (d[i].first_day < h->first_day)
            h->first_day = d[i].first_day;
        if (d[i].last_day > h->last_day)
            h->last_day = d[i].last_day;
    }
    /* --failures-only keeps the domain order of what it keeps */
    for (i = k = 0; i < nd; i++)
        if (!o->failures_only || d[i].failure > 0) {
            if (k != i)
                d[k] = d[i];
            k++;
        }
    h->nmatch = k;
    top = summary_top(o);
    h->nrows = top > 0 && (size_t) top < k ? (size_t) top : k;
    if (strcmp(h->sort, "domain") != 0)
        summary_order(d, k, strcmp(h->sort, "failures") == 0,
                      (size_t) (top > 0 ? top : 0));
}

/* summary_types - "type=N type=N" of the failures, or "-"; with room
 * > 0 (a terminal) the types with most failures first, as many as fit
 * in room columns, then "+K" for the K left out ("K types" when not
 * even the first fits) */
static void
summary_types(FILE *fp, const struct sum_dom *d, int room)
{
    int     order[SESS_RESULT_COUNT], n = 0, i, j, used = 0;
    char    item[64];

    for (i = 1; i < SESS_RESULT_COUNT; i++)
        if (d->by_type[i])
            order[n++] = i;
    if (n == 0) {
        fputs("-\n", fp);
        return;
    }
    if (room > 0)               /* most first; ties in enum order */
        for (i = 1; i < n; i++)
            for (j = i; j > 0 && d->by_type[order[j]]
                 > d->by_type[order[j - 1]]; j--) {
                int     t = order[j];

                order[j] = order[j - 1];
                order[j - 1] = t;
            }
    for (i = 0; i < n; i++) {
        int     len = snprintf(item, sizeof(item), "%s%s=%" PRIu64,
                               i ? " " : "", sess_result_name(order[i]),
                               d->by_type[order[i]]);

        /* keep room for " +K" unless this is the last item */
        if (room > 0 && used + len + (i + 1 < n ? 4 : 0) > room) {
            if (i == 0)
                fprintf(fp, "%d type%s", n, n == 1 ? "" : "s");
            else
                fprintf(fp, " +%d", n - i);
            break;
        }
        fputs(item, fp);
        used += len;
    }
    fputc('\n', fp);
}

/* summary_type_lines - a terminal: the totals by type in full, most
 * first, wrapped at its width */
static void
summary_type_lines(FILE *fp, const struct sum_dom *d, int cols)
{
    int     done[SESS_RESULT_COUNT] = {0};
    int     col, k, r, best;
    char    item[64];

    col = fprintf(fp, "failures by type:");
    for (k = 1; k < SESS_RESULT_COUNT; k++) {
        int     len;

        for (best = 0, r = 1; r < SESS_RESULT_COUNT; r++)
            if (!done[r] && d->by_type[r] > 0
                && (best == 0 || d->by_type[r] > d->by_type[best]))
                best = r;
        if (best == 0)
            break;
        done[best] = 1;
        len = snprintf(item, sizeof(item), " %s=%" PRIu64,
                       sess_result_name(best), d->by_type[best]);
        if (col + len > cols) {
            fputs("\n ", fp);
            col = 1;
        }
        fputs(item, fp);
        col += len;
    }
    fputc('\n', fp);
}

/* summary_period - "2026-11-23 .. 2026-11-24", or "-" without sessions */
static void
summary_period(const struct sum_head *h, char *buf, size_t cap)
{
    char    a[11], b[11];

    if (h->first_day > h->last_day) {
        snprintf(buf, cap, "-");
        return;
    }
    date_day_str(h->first_day, a);
    date_day_str(h->last_day, b);
    if (h->first_day == h->last_day)
        snprintf(buf, cap, "%s", a);
    else
        snprintf(buf, cap, "%s .. %s", a, b);
}

/* summary_columns - the width of the terminal fp is, or 0 (a file, a
 * pipe: rows are never cut) */
static int
summary_columns(FILE *fp)
{
    struct winsize ws;
    const char *env = getenv("COLUMNS");

    if (!isatty(fileno(fp)))
        return 0;
    if (ioctl(fileno(fp), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col;
    if (env != NULL && atoi(env) >= 40)
        return atoi(env);
    return 80;
}

/* summary_text - header, the rows shown, what is not shown, totals.
 * The domain column is as wide as the longest name shown (6..40). On a
 * terminal (cols > 0: its width) the number columns are as wide as
 * their numbers need and the failures by type are cut to its width,
 * their totals in full on a line of their own; elsewhere (cols 0) the
 * columns are fixed (scripts). The rows are made as they are written;
 * they stop at the first write error */
static void
summary_text(FILE *fp, const struct sum_head *h,
             const struct summary_src *src, int cols)
{
    char    period[32], num[24];
    struct sum_dom d;
    size_t  i;
    int     w = 6, room = 0;
    int     ws = 9, wo = 9, wf = 9;

    for (i = 0; i < h->nrows; i++)
        if ((int) strlen(src->a[i].domain) > w)
            w = (int) strlen(src->a[i].domain);
    if (w > 40)
        w = 40;
    if (cols > 0) {
        ws = snprintf(num, sizeof(num), "%" PRIu64, h->total.success
                      + h->total.failure);
        wo = snprintf(num, sizeof(num), "%" PRIu64, h->total.success);
        wf = snprintf(num, sizeof(num), "%" PRIu64, h->total.failure);
        ws = ws < 8 ? 8 : ws;
        wo = wo < 7 ? 7 : wo;
        wf = wf < 7 ? 7 : wf;
        room = cols - (w + ws + wo + wf + 5) - 1;
    }
    summary_period(h, period, sizeof(period));
    fprintf(fp, "period %s (UTC), %" PRIu64 " log host%s\n", period,
            h->hosts, h->hosts == 1 ? "" : "s");
    fprintf(fp, "read %" PRIu64 " lines, %" PRIu64 " sessions, %" PRIu64
            " counted, %zu domain%s%s\n", h->lines, h->sessions, h->counted,
            h->ndomains, h->ndomains == 1 ? "" : "s",
            h->ndomains == 0 ? ": no sessions" : "");
    fprintf(fp, "%-*s %*s %*s %*s  %s\n", w, "DOMAIN", ws, "SESSIONS", wo,
            "SUCCESS", wf, "FAILURE", "FAILURES BY TYPE");
    for (i = 0; i < h->nrows && !ferror(fp); i++) {
        summary_row(src, i, &d);
        fprintf(fp, "%-*s %*" PRIu64 " %*" PRIu64 " %*" PRIu64 "  ", w,
                d.domain, ws, d.success + d.failure, wo, d.success, wf,
                d.failure);
        summary_types(fp, &d, room);
    }
    if (h->nmatch > h->nrows)
        fprintf(fp, "(%zu more domain%s%s by %s; --top 0 shows all)\n",
                h->nmatch - h->nrows, h->nmatch - h->nrows == 1 ? "" : "s",
                h->nmatch < h->ndomains ? " with failures" : "", h->sort);
    fprintf(fp, "%-*s %*" PRIu64 " %*" PRIu64 " %*" PRIu64 "  ", w, "TOTAL",
            ws, h->total.success + h->total.failure, wo, h->total.success,
            wf, h->total.failure);
    summary_types(fp, &h->total, room);
    if (cols > 0 && h->total.failure > 0)
        summary_type_lines(fp, &h->total, cols);
}

/* summary_json_dom - the counts of one domain or of the totals, the
 * members after a row's domain and days */
static void
summary_json_dom(struct jsonw *w, const struct sum_dom *d)
{
    int     r;

    jsonw_int(w, "sessions", (long long) (d->success + d->failure));
    jsonw_int(w, "successful", (long long) d->success);
    jsonw_int(w, "failed", (long long) d->failure);
    jsonw_int(w, "plaintext-not-counted", (long long) d->plain_ignored);
    jsonw_open(w, "failures", '{');
    for (r = 1; r < SESS_RESULT_COUNT; r++)
        if (d->by_type[r])
            jsonw_int(w, sess_result_name(r), (long long) d->by_type[r]);
    jsonw_close(w);
}

/* summary_json - the same as JSON: "domains" (the rows shown, each as
 * before), "sessions" (the run's counts, as before), and the header:
 * "period", "log-hosts", "lines", "sort", "domains-total",
 * "domains-shown", "totals". Written as the rows are made (util/jsonw:
 * the bytes jansson's json_dumpf wrote of the whole tree, with
 * JSON_INDENT(2) | JSON_PRESERVE_ORDER, then a newline); the rows stop
 * at the first write error. A domain that were not UTF-8 would have no
 * "domain" member, as jansson left it out (the session records hold
 * checked names only). 0, or -1 on a write error */
static int
summary_json(FILE *fp, const struct sum_head *h,
             const struct summary_src *src, const struct run_stats *st)
{
    struct jsonw w;
    struct sum_dom d;
    size_t  i;
    int     r;
    char    a[11], b[11];

    jsonw_init(&w, fp, 2, 0);
    jsonw_open(&w, NULL, '{');
    jsonw_open(&w, "period", '{');
    if (h->first_day <= h->last_day) {
        date_day_str(h->first_day, a);
        date_day_str(h->last_day, b);
        jsonw_str(&w, "first-day", a);
        jsonw_str(&w, "last-day", b);
    }
    jsonw_close(&w);
    jsonw_int(&w, "log-hosts", (long long) h->hosts);
    jsonw_int(&w, "lines", (long long) h->lines);
    jsonw_str(&w, "sort", h->sort);
    jsonw_int(&w, "domains-total", (long long) h->ndomains);
    jsonw_int(&w, "domains-shown", (long long) h->nrows);
    jsonw_open(&w, "totals", '{');
    summary_json_dom(&w, &h->total);
    jsonw_close(&w);
    jsonw_open(&w, "domains", '[');
    for (i = 0; i < h->nrows && !ferror(fp); i++) {
        summary_row(src, i, &d);
        date_day_str(d.first_day, a);
        date_day_str(d.last_day, b);
        jsonw_open(&w, NULL, '{');
        (void) jsonw_str(&w, "domain", d.domain);   /* -1: left out */
        jsonw_str(&w, "first-day", a);
        jsonw_str(&w, "last-day", b);
        summary_json_dom(&w, &d);
        jsonw_close(&w);
    }
    jsonw_close(&w);
    jsonw_open(&w, "sessions", '{');
    jsonw_int(&w, "lines", (long long) st->lines);
    jsonw_int(&w, "bad-lines", (long long) pipe_bad_lines(st));
    for (r = 0; r < SESS_D_COUNT; r++)
        jsonw_int(&w, sess_disp_name((enum sess_disp) r),
                  (long long) st->sessions[r]);
    jsonw_close(&w);
    jsonw_close(&w);
    fputc('\n', fp);
    return ferror(fp) ? -1 : 0;
}

/* Where the summary goes: standard output, or -o FILE. A regular (or
 * new) FILE is replaced whole: the summary is written to a new file in
 * its directory as it is made, through stdio's buffer (SUMMARY_OUT_BUF),
 * then fsync'd and renamed over FILE (util/afile: where Linux has
 * O_TMPFILE that file has no name until then, so that a crash or a kill
 * while it is written leaves nothing; elsewhere a hidden temporary
 * file, removed on error). Anything else (a pipe, /dev/stdout) is
 * written to as it is. */
#define SUMMARY_OUT_BUF 65536

struct summary_sink {
    FILE   *fp;                 /* write here */
    const char *path;           /* -o FILE, or NULL: standard output */
    int     dfd;                /* FILE's directory, or -1: as it is */
    struct afile_out f;         /* the new file, when dfd >= 0 */
    char   *buf;                /* fp's buffer (-o) */
};

/* standard output's buffer when it is no terminal (stdio's own is of
 * 4 KB: 58,000 write(2) calls for the JSON of a million domains) */
static char summary_stdout_buf[SUMMARY_OUT_BUF];

/* summary_out_open - open s for -o path (NULL: standard output); 0, or
 * -1 after a message (nothing created) */
static int
summary_out_open(struct summary_sink *s, const char *path)
{
    struct stat st;
    char    dir[4096];
    const char *slash;
    int     fd;

    s->fp = stdout;
    s->path = path;
    s->dfd = -1;
    s->buf = NULL;
    if (path == NULL)
        return 0;
    slash = strrchr(path, '/');
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0) {
            msg_warn("cannot write %s: %s", path, strerror(errno));
            return -1;
        }
    } else {
        if (slash == NULL)
            snprintf(dir, sizeof(dir), ".");
        else if (slash == path)
            snprintf(dir, sizeof(dir), "/");
        else
            snprintf(dir, sizeof(dir), "%.*s", (int) (slash - path), path);
        if (strlen(slash ? slash + 1 : path) > 200 || (slash && !slash[1])) {
            msg_warn("cannot write %s: not a file name", path);
            return -1;
        }
        if ((s->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
            msg_warn("cannot write %s: %s", path, strerror(errno));
            return -1;
        }
        if (afile_out_open(&s->f, s->dfd, slash ? slash + 1 : path,
                           0644) != 0) {
            msg_warn("cannot write %s: %s", path, strerror(errno));
            close(s->dfd);
            return -1;
        }
        /* a descriptor of its own for stdio: the file's stays open
         * for afile_out_done */
        if ((fd = dup(s->f.fd)) < 0)
            xnomem("summary output descriptor");
    }
    if ((s->fp = fdopen(fd, "w")) == NULL)
        xnomem("summary output stream");
    s->buf = xmalloc(SUMMARY_OUT_BUF);
    setvbuf(s->fp, s->buf, _IOFBF, SUMMARY_OUT_BUF);
    return 0;
}

/* summary_out_close - finish what summary_out_open began: flush and
 * close, and make a new file FILE; on a write error the new file is
 * removed and FILE left as it was. 0, or -1 after a message */
static int
summary_out_close(struct summary_sink *s)
{
    int     err = 0;

    if (s->path == NULL) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
            msg_warn("standard output: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    if (fflush(s->fp) != 0 || ferror(s->fp))
        err = errno ? errno : EIO;
    if (fclose(s->fp) != 0 && err == 0)
        err = errno;
    free(s->buf);
    if (s->dfd >= 0) {
        if (err != 0)
            afile_out_drop(&s->f);
        else if (afile_out_done(&s->f) != 0)
            err = errno;
        close(s->dfd);
    }
    if (err != 0) {
        msg_warn("cannot write %s: %s", s->path, strerror(err));
        return -1;
    }
    return 0;
}

/* summary_old_html - "summary --html page.html LOG" was how the page
 * was written before --html became a format: such a LOG ending in .html
 * is refused (exit 2) rather than read as a log while the page goes to
 * standard output */
static void
summary_old_html(const struct cli_opts *o)
{
    size_t  i, n;

    for (i = 0; o->html && o->files[i] != NULL; i++) {
        n = strlen(o->files[i]);
        if ((n > 5 && strcmp(o->files[i] + n - 5, ".html") == 0)
            || (n > 4 && strcmp(o->files[i] + n - 4, ".htm") == 0)) {
            fprintf(stderr, "mailtlsrpt summary: %s is no log: --html is a"
                    " format and takes no file; write the page with -o %s\n",
                    o->files[i], o->files[i]);
            exit(EXIT_USAGE);
        }
    }
}

/* What the thread that frees the table does next: the sums of a
 * million domains are 56 MB of fresh memory, and a page fault costs
 * about 1.4 us; made resident by one call on the other core while this
 * one fills them (`perf`, domains.log of `make bench`, -j 2), most of
 * those faults are no longer on the thread that makes the rows. What
 * the memory holds is not changed. After the table is gone, not before:
 * made resident first, they raised the peak RSS of that run from 289
 * to 335 MB. */
struct summary_free {
    struct agg_tab *tab;
    void   *mem[2];                 /* to make resident, or NULL */
    size_t  len[2];
};

/* summary_populate - make the whole pages of p[len] resident (a hint:
 * where the kernel has no MADV_POPULATE_WRITE it fails, and the pages
 * fault in one by one as before) */
static void
summary_populate(void *p, size_t len)
{
    uintptr_t pg = (uintptr_t) sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t) p + pg - 1) & ~(pg - 1);
    uintptr_t hi = ((uintptr_t) p + len) & ~(pg - 1);

    if (p != NULL && hi > lo)
        (void) madvise((void *) lo, hi - lo, SUMMARY_POPULATE_WRITE);
}

/* summary_tab_free - thread: free the table, make the sums resident
 * (pthread_create) */
static void *
summary_tab_free(void *arg)
{
    struct summary_free *f = arg;

    agg_tab_free(f->tab);
    summary_populate(f->mem[0], f->len[0]);
    summary_populate(f->mem[1], f->len[1]);
    return NULL;
}

/* What the end of a run leaves to the process's exit: a million
 * domains' view and sums are some 100 MB in a few large
 * mappings, and unmapping them one by one before exit took 15 to 20 ms
 * of the calling thread (`perf record`, domains.log of `make bench`),
 * where exit frees the same pages at once. They stay reachable from
 * summary_left, so that valgrind's memcheck reports no leak (volatile:
 * stores to a static never read are dropped); under AddressSanitizer,
 * whose leak check runs at exit too, they are freed as before. */
#if defined(__SANITIZE_ADDRESS__)
#define SUMMARY_FREE_AT_END 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SUMMARY_FREE_AT_END 1
#endif
#endif

#ifndef SUMMARY_FREE_AT_END
static void *volatile summary_left[3];
#endif

/* summary_leave - free, or leave to exit, what the rows were made of */
static void
summary_leave(struct agg_view *v, struct summary_acc *a, size_t *gi)
{
#ifdef SUMMARY_FREE_AT_END
    free(gi);
    free(a);
    agg_view_free(v);
#else
    summary_left[0] = v;
    summary_left[1] = a;
    summary_left[2] = gi;
#endif
}

/* cmd_summary - the summary subcommand */
int
cmd_summary(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    struct pipe_opts po;
    struct run_stats st;
    struct sum_head h;
    struct agg_tab *tab;
    struct agg_view *v;
    struct summary_acc *a;
    struct summary_src src;
    struct sum_rows rows;
    struct summary_sink out;
    size_t *gi;
    uint64_t by_type[SESS_RESULT_COUNT] = {0};
    uint64_t hosts;
    size_t  nd;
    pthread_t freer;
    struct summary_free fr;
    int     freeing = 0;
    int     par;
    int     pick;
    long    top;
    int     jobs;
    int     rc;

    /* before anything is written to it (a terminal keeps its line
     * buffering) */
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, summary_stdout_buf, _IOFBF,
                sizeof(summary_stdout_buf));
    cli_parse(argc, argv, "summary", &o);
    summary_old_html(&o);
    cli_setup(&o, &c);
    cli_pipe_opts(&o, &c, &po);
    if (o.from_state) {
        state_open(&c, &o, &tab, &st);      /* cli/cmd_state.c */
        rc = st.files_failed > 0;
    } else {
        tab = agg_tab_create();
        rc = pipe_run(&po, tab, &st);
    }
    if (o.have_day)             /* an empty day says why (cli/guess.c) */
        guess_day_check(tab, o.day, 1, &st);
    jobs = o.jobs > 0 ? (int) o.jobs : (int) sysconf(_SC_NPROCESSORS_ONLN);
    v = agg_view_create_par_st(tab, c.plaintext, jobs);
    hosts = agg_view_loghosts(v, o.have_day ? &o.day : NULL);
    /* the view holds what is left to read: the table goes before the
     * rows are made (a third of the peak memory over a million keys),
     * with -j on another thread meanwhile (unmapping a million keys'
     * pages: 13 ms) */
    par = summary_collect_par_ok(v, &o, jobs);
    top = summary_top(&o);
    pick = par && top > 0 && top <= SUMMARY_PICK_MAX;
    /* the sums of every domain, unless only the few rows shown are
     * picked; the groups' order, unless it is the view's (par) */
    a = pick ? NULL : xmalloc((agg_view_domains(v) ? agg_view_domains(v)
                               : 1) * sizeof(*a));
    gi = par ? NULL : xmalloc((agg_view_count(v) ? agg_view_count(v) : 1)
                              * sizeof(*gi));
    fr.tab = tab;
    fr.mem[0] = a;
    fr.len[0] = agg_view_domains(v) * sizeof(*a);
    fr.mem[1] = o.have_day ? NULL : gi;     /* --day: a part is used */
    fr.len[1] = agg_view_count(v) * sizeof(*gi);
    if (par)                    /* the summing threads fault them in */
        fr.mem[0] = fr.mem[1] = NULL;
    if (jobs > 1 && pthread_create(&freer, NULL, summary_tab_free, &fr) == 0)
        freeing = 1;
    else
        agg_tab_free(tab);
    tab = NULL;
    if (!pick || !summary_pick_par(v, &o, jobs, hosts, &st, &a, &h)) {
        if (a == NULL)
            a = xmalloc((agg_view_domains(v) ? agg_view_domains(v) : 1)
                        * sizeof(*a));
        if (!par || !summary_collect_par(v, &o, jobs, a, by_type, &nd)) {
            if (gi == NULL)
                gi = xmalloc((agg_view_count(v) ? agg_view_count(v) : 1)
                             * sizeof(*gi));
            a = summary_collect(v, &o, a, &gi, by_type, &nd);
        }
        summary_head(hosts, &st, &o, a, nd, by_type, &h);
    }
    /* the rows are made as they are written (summary_row) */
    src.v = v;
    src.gi = gi;
    src.a = a;
    rows.get = summary_row;
    rows.ctx = &src;
    if (summary_out_open(&out, o.output) != 0) {
        rc = 1;
    } else {
        if (o.html)
            (void) sum_html(out.fp, v, o.have_day ? o.day : -1, &h, &rows);
        else if (o.json)
            (void) summary_json(out.fp, &h, &src, &st);
        else            /* -o: never a terminal's columns */
            summary_text(out.fp, &h, &src,
                         o.output ? 0 : summary_columns(stdout));
        rc |= summary_out_close(&out) != 0;
    }
    pipe_summary(&st, NULL);
    summary_leave(v, a, gi);
    if (freeing)
        pthread_join(freer, NULL);
    conf_free(&c);
    return rc ? EXIT_PARTIAL : EXIT_DONE;
}

/* cmd_sessions - the sessions subcommand: a header line, then a line
 * (or JSON object) per session, written by the engine (engine/pipe.c) */
int
cmd_sessions(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    struct pipe_opts po;
    struct run_stats st;
    struct agg_tab *tab;
    int     rc;

    cli_parse(argc, argv, "sessions", &o);
    cli_setup(&o, &c);
    cli_pipe_opts(&o, &c, &po);
    po.sessions = stdout;
    po.sessions_json = o.json;
    po.trace = o.trace ? stdout : NULL;
    if (!o.json)                /* the columns of pipe_session() */
        fputs("#day\tdomain\tresult\tmx-host\tmx-ip\treason\t"
              "disposition\n", stdout);
    tab = agg_tab_create();
    rc = pipe_run(&po, tab, &st);
    pipe_summary(&st, NULL);
    agg_tab_free(tab);
    conf_free(&c);
    return rc ? EXIT_PARTIAL : EXIT_DONE;
}
