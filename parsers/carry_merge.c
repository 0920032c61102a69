/* parsers/carry_merge.c - carried sessions of many pieces stitched
 * together, and replayed through fresh correlators
 *
 * SYNOPSIS
 *	#include "parsers/carry.h"
 *
 *	m = carry_merge(loaded, n, whole, &replay, &sink, err, errcap);
 *	carry_finish(m, &replay, &sink);	(the end of all input)
 * DESCRIPTION
 *	Merging sorts the segments of each key into log order (by --piece
 *	number, else by the times of the key's log host) and stitches
 *	neighbours that are known to follow each other: a head after a
 *	known state (a tail, or a closed head) is replayed, counted, on
 *	top of that state; heads before any known state are concatenated
 *	and stay a head. Segments with a piece of their host missing in
 *	between stay apart until a later merge brings it. Finishing (the
 *	whole log) stitches all and replays what is left as the end of one
 *	run would. A replay feeds the lines through a fresh parser set
 *	(parser.h) of the caller's configuration: first the quiet ones
 *	(already counted: they only rebuild state), then the counted ones,
 *	then, if asked, the end of input. Proof sketch:
 *	docs/internals/agg_state.md.
 */
#include "carry_int.h"
#include "parser.h"
#include "wrap.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct carry_ent {
    const struct carry_seg *g;
    uint64_t sum;
    size_t  idx;
};

struct carry_group {
    char    host[SESS_MAX_LOGHOST + 1];
    struct carry_ent *v;
    size_t  n;
    size_t  cap;
};

struct carry_gather {
    struct carry *const *in;
    size_t  cur;
    struct htab *groups;
};

/* a replay in progress: where its sessions go, and whether they count */
struct carry_run {
    const struct carry_sink *sink;
    int     counting;
};

/* carry_run_session - sess_cb.session of a replay */
static void
carry_run_session(void *ctx, const struct sess_rec *r, enum sess_disp d)
{
    struct carry_run *cr = ctx;

    if (cr->counting)           /* else rebuilding state: counted before */
        cr->sink->session(cr->sink->ctx, r, d);
}

/* carry_run_tls_host - sess_cb.tls_host of a replay */
static void
carry_run_tls_host(void *ctx, const char *loghost, size_t len)
{
    struct carry_run *cr = ctx;

    (void) len;
    cr->sink->tls_host(cr->sink->ctx, loghost);
}

/* carry_feed - the lines of v into ps; bad ones told when counting */
static void
carry_feed(struct parser_set *ps, struct carry_run *cr,
           const struct carry_vec *v)
{
    struct wrap_rec r;
    struct trace tr;
    size_t  i;

    for (i = 0; v != NULL && i < v->n; i++) {
        carry_line_rec(v->v[i], &r);
        parser_feed(ps, &r, &tr);
        if (cr->counting && tr.kind == TRACE_BAD)
            cr->sink->bad(cr->sink->ctx);
    }
}

/* carry_replay_run - quiet lines, then counted ones (either NULL: none),
 * then the end of input if flush, through fresh correlators */
static void
carry_replay_run(const struct carry_replay *rp, const struct carry_sink *into,
                 const struct carry_vec *quiet,
                 const struct carry_vec *counted, int flush)
{
    struct carry_run cr;
    struct sess_cb cb;
    struct parser_set *ps;

    memset(&cb, 0, sizeof(cb));
    cb.session = carry_run_session;
    cb.tls_host = carry_run_tls_host;
    cb.ctx = &cr;
    cr.sink = into;
    if ((ps = parser_set_create(rp->mta, rp->conf, &cb)) == NULL)
        msg_fatal("unknown MTA \"%s\"", rp->mta);
    cr.counting = 0;
    carry_feed(ps, &cr, quiet);
    cr.counting = 1;
    carry_feed(ps, &cr, counted);
    if (flush)
        parser_flush(ps);
    parser_set_free(ps);
}

/* carry_group_free - htab destructor */
static void
carry_group_free(void *v)
{
    struct carry_group *g = v;

    xfree(g->v);
    xfree(g);
}

/* carry_gather_key - htab_walk over one input's keys: their segments */
static void
carry_gather_key(const void *key, size_t klen, void *value, void *ctx)
{
    struct carry_gather *m = ctx;
    const struct carry_key *k = value;
    struct carry_group *g = htab_find(m->groups, key, klen);
    size_t  i;

    if (g == NULL) {
        g = htab_enter(m->groups, key, klen, xcalloc(1, sizeof(*g)));
        memcpy(g->host, k->host, sizeof(g->host));
    }
    for (i = 0; i < k->nsegs; i++) {
        if (g->n == g->cap) {
            g->cap = g->cap ? 2 * g->cap : 4;
            g->v = xrealloc(g->v, g->cap * sizeof(*g->v));
        }
        g->v[g->n].g = &k->segs[i];
        g->v[g->n].sum = m->in[m->cur]->sum;
        g->v[g->n].idx = m->cur;
        g->n++;
    }
}

/* carry_ent_cmp - segments of a key in log order: by piece number
 * where both have one, else by time; ties as below, then by content */
static int
carry_ent_cmp(const void *a, const void *b)
{
    const struct carry_seg *x = ((const struct carry_ent *) a)->g;
    const struct carry_seg *y = ((const struct carry_ent *) b)->g;
    const struct carry_ent *ex = a;
    const struct carry_ent *ey = b;

    if (x->lo && y->lo && x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    if (x->last != y->last)
        return x->last < y->last ? -1 : 1;
    /* times equal to the second: a piece that starts the key afresh
     * before one whose head continues something, one that leaves the
     * key open before one that does not */
    if ((x->head.n > 0) != (y->head.n > 0))
        return x->head.n > 0 ? 1 : -1;
    if ((x->tail.n > 0) != (y->tail.n > 0))
        return x->tail.n > 0 ? -1 : 1;
    if (ex->sum != ey->sum)
        return ex->sum < ey->sum ? -1 : 1;
    return ex->idx < ey->idx ? -1 : ex->idx > ey->idx;
}

/* carry_seg_copy - dst (empty) becomes a copy of src */
static void
carry_seg_copy(struct carry_seg *dst, const struct carry_seg *src)
{
    dst->lo = src->lo;
    dst->hi = src->hi;
    dst->first = src->first;
    dst->last = src->last;
    dst->closed = src->closed;
    carry_vec_append(&dst->head, &src->head);
    carry_vec_append(&dst->tail, &src->tail);
}

/* carry_seg_fold - the next segment b of the same key stitched onto a:
 * a head after a known state is replayed on it (counted) */
static void
carry_seg_fold(struct carry_seg *a, const struct carry_seg *b,
               const struct carry_replay *rp, const struct carry_sink *into)
{
    int     known = a->closed || a->head.n == 0;

    if (b->head.n == 0) {
        /* b's first line of the key came after a gap */
        if (!known)
            a->closed = 1;
        else if (a->tail.n > 0)
            carry_replay_run(rp, into, &a->tail, NULL, 1);
        carry_vec_clear(&a->tail);
        carry_vec_append(&a->tail, &b->tail);
    } else if (known) {
        /* b's head continues a known state */
        carry_replay_run(rp, into, &a->tail, &b->head, b->closed);
        if (b->closed) {
            carry_vec_clear(&a->tail);
            carry_vec_append(&a->tail, &b->tail);
        } else {
            carry_vec_append(&a->tail, &b->head);
        }
    } else {
        /* still nothing known before: the heads join */
        carry_vec_append(&a->head, &b->head);
        a->closed = b->closed;
        carry_vec_clear(&a->tail);
        carry_vec_append(&a->tail, &b->tail);
    }
    a->hi = b->hi;
    if (b->last > a->last)
        a->last = b->last;
}

/* carry_cov_cmp - qsort: intervals by start */
static int
carry_cov_cmp(const void *a, const void *b)
{
    const uint64_t *x = a;
    const uint64_t *y = b;

    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* carry_covered - every piece lo..hi of host h is among the inputs */
static int
carry_covered(const struct carry_host *h, uint64_t lo, uint64_t hi)
{
    size_t  i;

    if (lo > hi)
        return 1;
    for (i = 0; i < h->ncov; i++)
        if (h->cov[i][0] <= lo && h->cov[i][1] >= hi)
            return 1;
    return 0;
}

/* carry_stitchable - b follows a (both of host) with nothing missing in
 * between: consecutive pieces of the host, or those between also here */
static int
carry_stitchable(const struct carry *out, const char *host,
                 const struct carry_seg *a, const struct carry_seg *b,
                 int whole)
{
    const struct carry_host *h;

    if (whole)
        return 1;
    if ((h = htab_find(out->hosts, host, strlen(host))) == NULL || h->twice)
        return 0;
    return a->hi && b->lo && a->hi < b->lo
        && carry_covered(h, a->hi + 1, b->lo - 1);
}

/* carry_cov_join - htab_walk: sort and join a host's piece intervals */
static void
carry_cov_join(const void *key, size_t klen, void *value, void *ctx)
{
    struct carry_host *h = value;
    size_t  i, k;

    (void) key;
    (void) klen;
    (void) ctx;
    if (h->ncov < 2)
        return;
    qsort(h->cov, h->ncov, sizeof(*h->cov), carry_cov_cmp);
    for (i = 1, k = 0; i < h->ncov; i++) {
        if (h->cov[i][0] <= h->cov[k][1])
            h->twice = 1;       /* a piece number given twice */
        if (h->cov[i][0] <= h->cov[k][1] + 1) {
            if (h->cov[i][1] > h->cov[k][1])
                h->cov[k][1] = h->cov[i][1];
        } else {
            k++;
            h->cov[k][0] = h->cov[i][0];
            h->cov[k][1] = h->cov[i][1];
        }
    }
    h->ncov = k + 1;
}

/* carry_add_host - htab_walk: host times into another carry's hosts */
void
carry_add_host(const void *key, size_t klen, void *value, void *ctx)
{
    const struct carry_host *src = value;
    struct carry_host *h = carry_host_get(ctx, key, klen);

    if (src->ncov) {
        h->cov = xrealloc(h->cov, (h->ncov + src->ncov) * sizeof(*h->cov));
        memcpy(h->cov + h->ncov, src->cov, src->ncov * sizeof(*h->cov));
        h->ncov += src->ncov;
    }
    h->twice |= src->twice;
    if (!src->have)
        return;
    if (!h->have) {
        h->have = 1;
        h->first = src->first;
        h->last = src->last;
        return;
    }
    if (src->first < h->first)
        h->first = src->first;
    if (src->last > h->last)
        h->last = src->last;
}

/* carry_tie - 1 when neighbours a, b (sorted) of one key cannot be put
 * in order: not both have piece numbers, and their host's first and
 * last times there are the same (both 0: nothing to compare). Pieces
 * cut in time order tie only when both lie within one second;
 * otherwise they overlap: the same piece twice? Pieces whose host has
 * no dated line there (INT64_MAX, carry_end) have no time to order by
 * at all */
static int
carry_tie(const struct carry_ent *a, const struct carry_ent *b)
{
    const struct carry_seg *x = a->g;
    const struct carry_seg *y = b->g;

    return !(x->lo && y->lo) && x->first == y->first && x->last == y->last
        && (x->first != 0 || x->last != 0);
}

/* carry_tie_err - the reason of a refused merge into err[errcap] */
static void
carry_tie_err(struct carry *const *v, const struct carry_ent *a,
              const struct carry_ent *b, const char *host, char *err,
              size_t errcap)
{
    time_t  t0 = (time_t) a->g->first;
    time_t  t1 = (time_t) a->g->last;
    struct tm tm;
    char    when[80];
    char    h[SESS_MAX_LOGHOST + 1];
    char    msg[512];
    size_t  i, k;
    /* named in the order given, not in the order sorted (which the
     * files' checksums break) */
    size_t  lo = a->idx < b->idx ? a->idx : b->idx;
    size_t  hi = a->idx < b->idx ? b->idx : a->idx;

    if (a->g->first == INT64_MAX || gmtime_r(&t0, &tm) == NULL) {
        /* neither piece has a dated line of the host (carry_end) */
        snprintf(when, sizeof(when), "have no time stamp");
    } else {
        k = strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
        if (t1 != t0 && gmtime_r(&t1, &tm) != NULL) {   /* overlapping */
            memmove(when + 5, when, k + 1);
            memcpy(when, "span ", 5);
            strftime(when + k + 5, sizeof(when) - k - 5,
                     " to %Y-%m-%d %H:%M:%S UTC (the same piece twice?)",
                     &tm);
        } else {
            memmove(when + 11, when, k + 1);
            memcpy(when, "lie within ", 11);
        }
    }
    for (i = 0; host[i] && i < SESS_MAX_LOGHOST; i++)
        h[i] = host[i] > 0x20 && host[i] < 0x7f ? host[i] : '?';
    h[i] = 0;
    snprintf(msg, sizeof(msg), "%.60s and %.60s: pieces of log host "
             "%.40s that both %s: their order is not known; "
             "aggregate them with --piece N (each piece's place in its "
             "log)", v[lo]->name ? v[lo]->name : "a merged state",
             v[hi]->name ? v[hi]->name : "a merged state",
             h[0] ? h : "(no host name)", when);
    k = strlen(msg) < errcap ? strlen(msg) : errcap - 1;
    memcpy(err, msg, k);
    err[k] = 0;
}

/* carry_merge - one carry of many */
struct carry *
carry_merge(struct carry *const *v, size_t n, int whole,
            const struct carry_replay *rp, const struct carry_sink *into,
            char *err, size_t errcap)
{
    struct carry *out = carry_create();
    struct carry_gather m;
    struct carry_refs r;
    size_t  i, j;

    m.in = v;
    m.groups = htab_create(1024, carry_group_free);
    for (i = 0; i < n; i++) {
        htab_walk(v[i]->hosts, carry_add_host, out->hosts);
        if (v[i]->piece && (out->piece == 0 || v[i]->piece < out->piece))
            out->piece = v[i]->piece;
        m.cur = i;
        htab_walk(v[i]->keys, carry_gather_key, &m);
    }
    /* the pieces covered, per host: sorted, touching intervals joined */
    htab_walk(out->hosts, carry_cov_join, NULL);
    r = carry_sorted(m.groups);
    for (i = 0; i < r.n; i++) {
        struct carry_group *g = r.v[i].value;
        struct carry_key *acc = xcalloc(1, sizeof(*acc));

        memcpy(acc->host, g->host, sizeof(acc->host));
        acc->live = 1;
        qsort(g->v, g->n, sizeof(*g->v), carry_ent_cmp);
        for (j = 1; j < g->n; j++)
            if (carry_tie(&g->v[j - 1], &g->v[j])) {
                carry_tie_err(v, &g->v[j - 1], &g->v[j], g->host, err,
                              errcap);
                carry_key_free(acc);
                xfree(r.v);
                htab_free(m.groups);
                return carry_free(out);
            }
        for (j = 0; j < g->n; j++) {
            if (acc->nsegs > 0
                && carry_stitchable(out, g->host, &acc->segs[acc->nsegs - 1],
                                    g->v[j].g, whole))
                carry_seg_fold(&acc->segs[acc->nsegs - 1], g->v[j].g, rp,
                               into);
            else
                carry_seg_copy(carry_seg_add(acc), g->v[j].g);
        }
        htab_enter(out->keys, r.v[i].key, r.v[i].klen, acc);
    }
    xfree(r.v);
    htab_free(m.groups);
    return out;
}

/* carry_drop_all - htab_sweep predicate */
static int
carry_drop_all(const void *key, size_t klen, void *value, void *ctx)
{
    (void) key;
    (void) klen;
    (void) value;
    (void) ctx;
    return 1;
}

/* carry_finish - the end of one run: replay heads and tails */
void
carry_finish(struct carry *c, const struct carry_replay *rp,
             const struct carry_sink *into)
{
    struct carry_refs r = carry_sorted(c->keys);
    size_t  i, j;

    for (i = 0; i < r.n; i++) {
        const struct carry_key *k = r.v[i].value;

        for (j = 0; j < k->nsegs; j++) {
            if (k->segs[j].head.n > 0)
                carry_replay_run(rp, into, NULL, &k->segs[j].head, 1);
            if (k->segs[j].tail.n > 0)
                carry_replay_run(rp, into, &k->segs[j].tail, NULL, 1);
        }
    }
    xfree(r.v);
    htab_sweep(c->keys, carry_drop_all, NULL);
}
