/* aggregate/agg_state.c - saved, mergeable aggregation state
 *
 * SYNOPSIS
 *	#include "aggregate/agg_state.h"
 *
 *	s = agg_state_create();
 *	cb.hold = agg_state_hold; cb.keep = agg_state_keep; cb.ctx = ...;
 *	... run the pipeline into agg_state_tab(s), flush the parsers ...
 *	agg_state_end(s);
 *	agg_state_save(s, "piece.state", err);
 *
 *	m = agg_state_merge(loaded, n, &replayer);
 *	agg_state_finish(m, &replayer);	(then report from agg_state_tab(m))
 * DESCRIPTION
 *	Every correlator forgets a key (a process, an Exim message) after
 *	SESS_IDLE_SECS of silence, so a key's state after such a gap does
 *	not depend on anything before it. Per key we therefore keep:
 *
 *	head	the key's lines from the start of the piece up to its first
 *		gap, when the key's first line is within SESS_IDLE_SECS of
 *		the first line of its log host in the piece: they may belong
 *		to a session begun before the piece. They are not fed to the
 *		correlators here; "closed" says a gap followed.
 *	tail	the key's lines since its last gap, when the correlator
 *		still holds the key open at the end of the piece: they were
 *		fed (and what they completed counted); replaying them quietly
 *		rebuilds the open state.
 *
 *	A key's kept lines of one piece are a segment. Merging sorts the
 *	segments of each key into log order (by --piece number, else by
 *	the times of the key's log host) and stitches neighbours that are
 *	known to follow each other: a head after a known state (a tail, or
 *	a closed head) is replayed, counted, on top of that state; heads
 *	before any known state are concatenated and stay a head. Segments
 *	with a piece of their host missing in between stay apart until a
 *	later merge brings it. Finishing (the whole log) stitches all and
 *	replays what is left as the end of one run would.
 *	File format and proof sketch: docs/internals/agg_state.md.
 */
#include "agg_state.h"
#include "../util/afile.h"
#include "../util/htab.h"
#include "../util/mymalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#define AS_MAGIC "MTRSTATE"
#define AS_HDR 24               /* magic, version, reserved, body length */
#define AS_KEY_MAX 512          /* mta byte + correlator key */
#define AS_LINE_MAX (INPUT_MAX_LINE + 1024)
#define AS_SWEEP_EVERY 65536

struct as_vec {
    struct agg_state_line **v;
    size_t  n;
    size_t  cap;
};

struct as_host {
    int     have;               /* a dated line was seen */
    int64_t first;              /* time of the first dated line */
    int64_t last;               /* latest time */
    uint64_t (*cov)[2];         /* pieces of this host covered: sorted */
    size_t  ncov;
    int     twice;              /* a piece number seen twice */
};

/* a stretch of one key's lines in one piece, or in pieces already
 * stitched: its head, whether a gap closed it, its tail */
struct as_seg {
    uint64_t lo, hi;            /* pieces covered (--piece N + 1), or 0 */
    int64_t first, last;        /* the key's host's times there */
    int     closed;
    struct as_vec head;
    struct as_vec tail;
};

struct as_key {
    char    host[SESS_MAX_LOGHOST + 1];
    struct as_seg *segs;        /* saved or merged: in order */
    size_t  nsegs;
    int     live;               /* past the head (aggregating) */
    int     closed;             /* a gap ended the head in this piece */
    int     tail;               /* kept open at the end */
    int64_t last_t;
    struct as_vec head;
    struct as_vec win;          /* lines since the last gap; the tail */
};

struct agg_state {
    struct agg_tab *tab;
    struct agg_state_stats st;
    struct htab *hosts;         /* host name -> struct as_host */
    struct htab *keys;          /* mta byte + key -> struct as_key */
    uint64_t sum;               /* checksum of the file read, or 0 */
    uint64_t piece;             /* --piece N + 1, or 0: not given */
    unsigned long holds;
    int     start;              /* the piece starts its log: no heads */
    char   *name;               /* the file it was loaded from, or NULL */
};

/* as_vec_push - append a line (the vector owns it) */
static void
as_vec_push(struct as_vec *v, struct agg_state_line *l)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 8;
        v->v = xrealloc(v->v, v->cap * sizeof(*v->v));
    }
    v->v[v->n++] = l;
}

/* as_vec_clear - free every line */
static void
as_vec_clear(struct as_vec *v)
{
    size_t  i;

    for (i = 0; i < v->n; i++)
        xfree(v->v[i]);
    v->v = xfree(v->v);
    v->n = v->cap = 0;
}

/* as_line_size - bytes of a line record */
static size_t
as_line_size(const struct agg_state_line *l)
{
    return sizeof(*l) + l->hl + l->il + l->pl + l->ml;
}

/* as_line_dup - a copy of a line */
static struct agg_state_line *
as_line_dup(const struct agg_state_line *l)
{
    size_t  n = as_line_size(l);
    struct agg_state_line *c = xmalloc(n);

    memcpy(c, l, n);
    return c;
}

/* as_vec_append - append copies of every line of src */
static void
as_vec_append(struct as_vec *dst, const struct as_vec *src)
{
    size_t  i;

    for (i = 0; i < src->n; i++)
        as_vec_push(dst, as_line_dup(src->v[i]));
}

/* as_line_make - a line record from a wrap_rec, fields bounded */
static struct agg_state_line *
as_line_make(int dated, int64_t t, const struct wrap_rec *r)
{
    size_t  hl = r->host.len > 255 ? 255 : r->host.len;
    size_t  il = r->ident.len > 255 ? 255 : r->ident.len;
    size_t  pl = r->pid.len > 64 ? 64 : r->pid.len;
    size_t  ml = r->msg.len > INPUT_MAX_LINE ? INPUT_MAX_LINE : r->msg.len;
    struct agg_state_line *l = xmalloc(sizeof(*l) + hl + il + pl + ml);
    char   *p = l->data;

    (void) dated;
    (void) t;
    l->t = r->t;                /* the envelope's: replay recomputes */
    l->dated = (uint8_t) (r->dated != 0);
    l->hl = (uint16_t) hl;
    l->il = (uint16_t) il;
    l->pl = (uint16_t) pl;
    l->ml = (uint32_t) ml;
    if (hl)
        memcpy(p, r->host.ptr, hl);
    p += hl;
    if (il)
        memcpy(p, r->ident.ptr, il);
    p += il;
    if (pl)
        memcpy(p, r->pid.ptr, pl);
    p += pl;
    if (ml)
        memcpy(p, r->msg.ptr, ml);
    return l;
}

/* agg_state_line_rec - the envelope of a kept line */
void
agg_state_line_rec(const struct agg_state_line *l, struct wrap_rec *r)
{
    const char *p = l->data;

    r->dated = l->dated;
    r->t = l->t;
    r->host = span_make(p, l->hl);
    p += l->hl;
    r->ident = span_make(p, l->il);
    p += l->il;
    r->pid = span_make(p, l->pl);
    p += l->pl;
    r->msg = span_make(p, l->ml);
}

/* as_key_free - htab destructor */
static void
as_key_free(void *v)
{
    struct as_key *k = v;
    size_t  i;

    as_vec_clear(&k->head);
    as_vec_clear(&k->win);
    for (i = 0; i < k->nsegs; i++) {
        as_vec_clear(&k->segs[i].head);
        as_vec_clear(&k->segs[i].tail);
    }
    xfree(k->segs);
    xfree(k);
}

/* as_seg_add - append an empty segment to k */
static struct as_seg *
as_seg_add(struct as_key *k)
{
    k->segs = xrealloc(k->segs, (k->nsegs + 1) * sizeof(*k->segs));
    memset(&k->segs[k->nsegs], 0, sizeof(k->segs[0]));
    return &k->segs[k->nsegs++];
}

/* as_host_free - htab destructor */
static void
as_host_free(void *v)
{
    struct as_host *h = v;

    xfree(h->cov);
    xfree(h);
}

/* agg_state_create - empty state */
struct agg_state *
agg_state_create(void)
{
    struct agg_state *s = xcalloc(1, sizeof(*s));

    s->tab = agg_tab_create();
    s->hosts = htab_create(64, as_host_free);
    s->keys = htab_create(1024, as_key_free);
    return s;
}

/* agg_state_free - destroy; NULL */
struct agg_state *
agg_state_free(struct agg_state *s)
{
    if (s == NULL)
        return NULL;
    agg_tab_free(s->tab);
    htab_free(s->hosts);
    htab_free(s->keys);
    xfree(s->name);
    xfree(s);
    return NULL;
}

/* agg_state_set_piece - the piece's place in its log */
void
agg_state_set_piece(struct agg_state *s, uint32_t n)
{
    s->piece = (uint64_t) n + 1;
}

/* agg_state_tab - the counters */
struct agg_tab *
agg_state_tab(struct agg_state *s)
{
    return s->tab;
}

/* agg_state_stats - the run statistics */
struct agg_state_stats *
agg_state_stats(struct agg_state *s)
{
    return &s->st;
}

/* as_host_get - the record of a log host, created on first use */
static struct as_host *
as_host_get(struct htab *hosts, const char *name, size_t len)
{
    struct as_host *h;

    if ((h = htab_find(hosts, name, len)) == NULL)
        h = htab_enter(hosts, name, len, xcalloc(1, sizeof(*h)));
    return h;
}

/* as_sweep_dead - htab_sweep predicate: a key silent for longer than
 * the idle time before its host's latest line is closed by the
 * correlator whatever follows; its window is not needed */
static int
as_sweep_dead(const void *key, size_t klen, void *value, void *ctx)
{
    struct agg_state *s = ctx;
    struct as_key *k = value;
    struct as_host *h = htab_find(s->hosts, k->host, strlen(k->host));

    (void) key;
    (void) klen;
    if (!k->live || k->last_t == 0 || h == NULL
        || k->last_t + SESS_IDLE_SECS >= h->last)
        return 0;
    if (k->head.n == 0)
        return 1;
    as_vec_clear(&k->win);
    return 0;
}

/* agg_state_hold - sess_cb.hold: keep head lines, track windows */
int
agg_state_hold(void *ctx, int mta, const void *key, size_t klen,
               int dated, int64_t t, const struct wrap_rec *r)
{
    struct agg_state *s = ctx;
    unsigned char kb[AS_KEY_MAX];
    size_t  hl = r->host.len > SESS_MAX_LOGHOST ? SESS_MAX_LOGHOST
        : r->host.len;
    struct as_host *h = as_host_get(s->hosts, hl ? r->host.ptr : "", hl);
    struct as_key *k;

    if (klen + 1 > sizeof(kb))
        klen = sizeof(kb) - 1;  /* correlator keys are shorter */
    kb[0] = (unsigned char) mta;
    memcpy(kb + 1, key, klen);
    if (dated) {
        if (!h->have) {
            h->have = 1;
            h->first = h->last = t;
        } else if (t > h->last) {
            h->last = t;
        }
    }
    if ((k = htab_find(s->keys, kb, klen + 1)) == NULL) {
        k = xcalloc(1, sizeof(*k));
        if (hl)
            memcpy(k->host, r->host.ptr, hl);
        k->host[hl] = 0;
        /* a first line an idle time after the host's first: nothing
         * before the piece can still be open for this key */
        k->live = s->start || (dated && t > h->first + SESS_IDLE_SECS);
        htab_enter(s->keys, kb, klen + 1, k);
    }
    if (!k->live) {
        if (dated && k->last_t && t > k->last_t + SESS_IDLE_SECS) {
            k->live = 1;        /* a gap: the head is complete */
            k->closed = 1;
        } else {
            as_vec_push(&k->head, as_line_make(dated, t, r));
            if (dated)
                k->last_t = t;
            return 1;
        }
    } else if (dated && k->last_t && t > k->last_t + SESS_IDLE_SECS) {
        as_vec_clear(&k->win);  /* the correlator starts afresh */
    }
    as_vec_push(&k->win, as_line_make(dated, t, r));
    if (dated)
        k->last_t = t;
    /* from its start, keys the correlators let go are dropped at each
     * snapshot instead (agg_state_snapshot) */
    if (++s->holds % AS_SWEEP_EVERY == 0 && !s->start)
        htab_sweep(s->keys, as_sweep_dead, s);
    return 0;
}

/* agg_state_keep - sess_cb.keep: an open key with a window is a tail */
int
agg_state_keep(void *ctx, int mta, const void *key, size_t klen)
{
    struct agg_state *s = ctx;
    unsigned char kb[AS_KEY_MAX];
    struct as_key *k;

    if (klen + 1 > sizeof(kb))
        klen = sizeof(kb) - 1;
    kb[0] = (unsigned char) mta;
    memcpy(kb + 1, key, klen);
    if ((k = htab_find(s->keys, kb, klen + 1)) == NULL || !k->live
        || k->win.n == 0)
        return 0;
    /* even a key silent for long: a log host's time need not rise, and
     * the replay's own idle check closes it where one run would */
    k->tail = 1;
    return 1;
}

/* as_drop_unkept - htab_sweep predicate for agg_state_end: what is
 * kept becomes the key's one segment */
static int
as_drop_unkept(const void *key, size_t klen, void *value, void *ctx)
{
    struct agg_state *s = ctx;
    struct as_key *k = value;
    struct as_host *h = htab_find(s->hosts, k->host, strlen(k->host));
    struct as_seg *g;

    (void) key;
    (void) klen;
    if (!k->tail)
        as_vec_clear(&k->win);
    if (k->head.n == 0 && k->win.n == 0)
        return 1;
    g = as_seg_add(k);
    g->lo = g->hi = s->piece;
    g->first = h && h->have ? h->first : INT64_MAX;
    g->last = h && h->have ? h->last : INT64_MAX;
    g->closed = k->closed;
    g->head = k->head;
    g->tail = k->win;
    memset(&k->head, 0, sizeof(k->head));
    memset(&k->win, 0, sizeof(k->win));
    return 0;
}

/* as_host_piece - htab_walk: the host's lines are in this piece */
static void
as_host_piece(const void *key, size_t klen, void *value, void *ctx)
{
    struct as_host *h = value;
    const struct agg_state *s = ctx;

    (void) key;
    (void) klen;
    h->cov = xrealloc(h->cov, sizeof(*h->cov));
    h->cov[0][0] = h->cov[0][1] = s->piece;
    h->ncov = 1;
}

/* agg_state_end - after the flush: only heads and tails remain */
void
agg_state_end(struct agg_state *s)
{
    htab_sweep(s->keys, as_drop_unkept, s);
    if (s->piece)
        htab_walk(s->hosts, as_host_piece, s);
}

/* as_count_kept - htab_walk: keys and lines */
static void
as_count_kept(const void *key, size_t klen, void *value, void *ctx)
{
    const struct as_key *k = value;
    size_t *c = ctx;
    size_t  i;

    (void) key;
    (void) klen;
    c[0]++;
    for (i = 0; i < k->nsegs; i++)
        c[1] += k->segs[i].head.n + k->segs[i].tail.n;
}

/* agg_state_kept - number of kept keys and lines */
void
agg_state_kept(const struct agg_state *s, size_t *keys, size_t *lines)
{
    size_t  c[2] = {0, 0};

    htab_walk(s->keys, as_count_kept, c);
    *keys = c[0];
    *lines = c[1];
}

/* ---- encoding: big-endian, lengths before bytes ---- */

struct as_buf {
    unsigned char *p;
    size_t  n;
    size_t  cap;
};

/* as_put - append bytes */
static void
as_put(struct as_buf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        while (b->n + n > b->cap)
            b->cap = b->cap ? 2 * b->cap : 65536;
        b->p = xrealloc(b->p, b->cap);
    }
    if (n)
        memcpy(b->p + b->n, d, n);
    b->n += n;
}

/* as_put_u - append an unsigned integer of bytes bytes, big-endian */
static void
as_put_u(struct as_buf *b, uint64_t v, int bytes)
{
    unsigned char x[8];
    int     i;

    for (i = bytes - 1; i >= 0; i--) {
        x[i] = (unsigned char) (v & 0xff);
        v >>= 8;
    }
    as_put(b, x, (size_t) bytes);
}

/* as_put_str - u16 length and the bytes */
static void
as_put_str(struct as_buf *b, const char *s, size_t n)
{
    as_put_u(b, n, 2);
    as_put(b, s, n);
}

/* as_put_line - one kept line */
static void
as_put_line(struct as_buf *b, const struct agg_state_line *l)
{
    as_put_u(b, (uint64_t) l->t, 8);
    as_put_u(b, l->dated, 1);
    as_put_u(b, l->hl, 2);
    as_put_u(b, l->il, 2);
    as_put_u(b, l->pl, 2);
    as_put_u(b, l->ml, 4);
    as_put(b, l->data, (size_t) l->hl + l->il + l->pl + l->ml);
}

/* as_put_vec - count and lines */
static void
as_put_vec(struct as_buf *b, const struct as_vec *v)
{
    size_t  i;

    as_put_u(b, v->n, 8);
    for (i = 0; i < v->n; i++)
        as_put_line(b, v->v[i]);
}

/* as_put_counter - agg_tab_walk_st callback */
static void
as_put_counter(const struct sess_rec *r, uint64_t n, void *ctx)
{
    struct as_buf *b = ctx;

    as_put_u(b, (uint32_t) r->day, 4);
    as_put_u(b, r->result, 1);
    as_put_u(b, r->policy, 1);
    as_put_u(b, r->flags, 1);
    as_put_u(b, r->cert, 1);
    as_put_u(b, r->cert_problem, 1);
    as_put_str(b, r->domain, strlen(r->domain));
    as_put_str(b, r->mx, strlen(r->mx));
    as_put_str(b, r->helo, strlen(r->helo));
    as_put_str(b, r->ip, strlen(r->ip));
    as_put_str(b, r->loghost, strlen(r->loghost));
    as_put_str(b, r->reason, strlen(r->reason));
    as_put_u(b, n, 8);
}

/* as_count_host - agg_tab_walk_tls_hosts_st: count */
static void
as_count_host(const char *h, void *ctx)
{
    (void) h;
    ++*(uint64_t *) ctx;
}

/* as_put_host - agg_tab_walk_tls_hosts_st: name */
static void
as_put_host(const char *h, void *ctx)
{
    as_put_str(ctx, h, strlen(h));
}

/* as_count_rec - agg_tab_walk_st: count */
static void
as_count_rec(const struct sess_rec *r, uint64_t n, void *ctx)
{
    (void) r;
    (void) n;
    ++*(uint64_t *) ctx;
}

struct as_ref {
    const void *key;
    size_t  klen;
    void   *value;
};

struct as_refs {
    struct as_ref *v;
    size_t  n;
};

/* as_collect - htab_walk: gather entries for sorting */
static void
as_collect(const void *key, size_t klen, void *value, void *ctx)
{
    struct as_refs *r = ctx;

    r->v[r->n].key = key;
    r->v[r->n].klen = klen;
    r->v[r->n].value = value;
    r->n++;
}

/* as_ref_cmp - qsort: by key bytes, then length */
static int
as_ref_cmp(const void *a, const void *b)
{
    const struct as_ref *x = a;
    const struct as_ref *y = b;
    size_t  n = x->klen < y->klen ? x->klen : y->klen;
    int     c = memcmp(x->key, y->key, n);

    if (c)
        return c;
    return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* as_sorted - every entry of t, sorted by key; caller frees v */
static struct as_refs
as_sorted(const struct htab *t)
{
    struct as_refs r;

    r.n = 0;
    r.v = xcalloc(htab_count(t) + 1, sizeof(*r.v));
    htab_walk(t, as_collect, &r);
    qsort(r.v, r.n, sizeof(*r.v), as_ref_cmp);
    return r;
}

/* as_encode - the whole file image */
static void
as_encode(const struct agg_state *s, struct as_buf *b)
{
    const struct agg_state_stats *st = &s->st;
    struct as_refs r;
    uint64_t n = 0;
    size_t  i, j;
    uint64_t h;

    as_put(b, AS_MAGIC, 8);
    as_put_u(b, AGG_STATE_VERSION, 4);
    as_put_u(b, 0, 4);
    as_put_u(b, 0, 8);          /* body length, filled in below */
    as_put_u(b, s->piece, 8);
    as_put_u(b, INPUT_BAD_COUNT, 4);
    as_put_u(b, SESS_D_COUNT, 4);
    as_put_u(b, st->files, 8);
    as_put_u(b, st->files_failed, 8);
    as_put_u(b, st->lines, 8);
    as_put_u(b, st->bytes, 8);
    for (i = 0; i < INPUT_BAD_COUNT; i++)
        as_put_u(b, st->bad[i], 8);
    as_put_u(b, st->bad_parse, 8);
    for (i = 0; i < SESS_D_COUNT; i++)
        as_put_u(b, st->sessions[i], 8);
    agg_tab_walk_tls_hosts_st(s->tab, as_count_host, &n);
    as_put_u(b, n, 8);
    agg_tab_walk_tls_hosts_st(s->tab, as_put_host, b);
    r = as_sorted(s->hosts);
    as_put_u(b, r.n, 8);
    for (i = 0; i < r.n; i++) {
        const struct as_host *ho = r.v[i].value;

        as_put_str(b, r.v[i].key, r.v[i].klen);
        as_put_u(b, (uint64_t) ho->have, 1);
        as_put_u(b, (uint64_t) ho->first, 8);
        as_put_u(b, (uint64_t) ho->last, 8);
        as_put_u(b, (uint64_t) ho->twice, 1);
        as_put_u(b, ho->ncov, 8);
        for (j = 0; j < ho->ncov; j++) {
            as_put_u(b, ho->cov[j][0], 8);
            as_put_u(b, ho->cov[j][1], 8);
        }
    }
    xfree(r.v);
    n = 0;
    agg_tab_walk_st(s->tab, as_count_rec, &n);
    as_put_u(b, n, 8);
    agg_tab_walk_st(s->tab, as_put_counter, b);
    r = as_sorted(s->keys);
    as_put_u(b, r.n, 8);
    for (i = 0; i < r.n; i++) {
        const struct as_key *k = r.v[i].value;

        as_put_str(b, r.v[i].key, r.v[i].klen);
        as_put_str(b, k->host, strlen(k->host));
        as_put_u(b, k->nsegs, 4);
        for (j = 0; j < k->nsegs; j++) {
            const struct as_seg *g = &k->segs[j];

            as_put_u(b, g->lo, 8);
            as_put_u(b, g->hi, 8);
            as_put_u(b, (uint64_t) g->first, 8);
            as_put_u(b, (uint64_t) g->last, 8);
            as_put_u(b, (uint64_t) g->closed, 1);
            as_put_vec(b, &g->head);
            as_put_vec(b, &g->tail);
        }
    }
    xfree(r.v);
    {                           /* body length, then the checksum */
        struct as_buf lb = {b->p + 16, 0, 8};

        lb.n = 0;
        as_put_u(&lb, b->n - AS_HDR, 8);
    }
    h = XXH64(b->p, b->n, 0);
    as_put_u(b, h, 8);
}

/* agg_state_save - write the file atomically */
int
agg_state_save(const struct agg_state *s, const char *path, char *err)
{
    struct as_buf b = {NULL, 0, 0};
    const char *slash = strrchr(path, '/');
    char   *dir;
    int     dfd;
    int     rc;

    as_encode(s, &b);
    dir = slash ? xstrndup(path, slash == path ? 1 : (size_t) (slash - path))
        : xstrdup(".");
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        snprintf(err, AGG_STATE_ERR, "%s: cannot open directory: %s", dir,
                 strerror(errno));
        xfree(dir);
        xfree(b.p);
        return -1;
    }
    rc = afile_replace(dfd, slash ? slash + 1 : path, b.p, b.n, 0644);
    if (rc != 0)
        snprintf(err, AGG_STATE_ERR, "%s: cannot write: %s", path,
                 strerror(errno));
    close(dfd);
    xfree(dir);
    xfree(b.p);
    return rc;
}

/* ---- decoding: every read is bounded by the buffer ---- */

struct as_rd {
    const unsigned char *p;
    size_t  n;
    size_t  off;
    int     bad;
};

/* as_get_u - an unsigned big-endian integer; 0 and bad set past end */
static uint64_t
as_get_u(struct as_rd *r, int bytes)
{
    uint64_t v = 0;
    int     i;

    if (r->bad || r->n - r->off < (size_t) bytes) {
        r->bad = 1;
        return 0;
    }
    for (i = 0; i < bytes; i++)
        v = (v << 8) | r->p[r->off++];
    return v;
}

/* as_get_bytes - a pointer to n bytes; NULL and bad set past end */
static const void *
as_get_bytes(struct as_rd *r, size_t n)
{
    const void *p;

    if (r->bad || r->n - r->off < n) {
        r->bad = 1;
        return NULL;
    }
    p = r->p + r->off;
    r->off += n;
    return p;
}

/* as_get_str - u16 length and bytes into out[cap] (NUL-terminated);
 * bad when longer than cap - 1 or holding a NUL */
static size_t
as_get_str(struct as_rd *r, char *out, size_t cap)
{
    size_t  n = (size_t) as_get_u(r, 2);
    const char *p;

    if (r->bad || n >= cap || (p = as_get_bytes(r, n)) == NULL
        || memchr(p, 0, n) != NULL) {
        r->bad = 1;
        out[0] = 0;
        return 0;
    }
    memcpy(out, p, n);
    out[n] = 0;
    return n;
}

/* as_get_vec - count and lines */
static void
as_get_vec(struct as_rd *r, struct as_vec *v)
{
    uint64_t n = as_get_u(r, 8);
    uint64_t i;

    if (n > r->n)               /* each line takes bytes */
        r->bad = 1;
    for (i = 0; i < n && !r->bad; i++) {
        struct agg_state_line h;
        struct agg_state_line *l;
        const void *d;
        size_t  len;

        h.t = (int64_t) as_get_u(r, 8);
        h.dated = (uint8_t) as_get_u(r, 1);
        h.hl = (uint16_t) as_get_u(r, 2);
        h.il = (uint16_t) as_get_u(r, 2);
        h.pl = (uint16_t) as_get_u(r, 2);
        h.ml = (uint32_t) as_get_u(r, 4);
        len = (size_t) h.hl + h.il + h.pl + h.ml;
        if (r->bad || h.dated > 1 || h.hl > 255 || h.il > 255 || h.pl > 64
            || h.ml > INPUT_MAX_LINE || (d = as_get_bytes(r, len)) == NULL) {
            r->bad = 1;
            break;
        }
        l = xmalloc(sizeof(*l) + len);
        *l = h;
        memcpy(l->data, d, len);
        as_vec_push(v, l);
    }
}

/* as_decode - body into s; 0, or -1 with a reason in err */
static int
as_decode(struct agg_state *s, struct as_rd *r, char *err, size_t cap)
{
    struct agg_state_stats *st = &s->st;
    uint64_t n, i, nc;
    size_t  j, nseg;

    s->piece = as_get_u(r, 8);
    if (s->piece > (uint64_t) UINT32_MAX + 1)
        r->bad = 1;

    if (as_get_u(r, 4) != INPUT_BAD_COUNT || as_get_u(r, 4) != SESS_D_COUNT) {
        snprintf(err, cap, "statistics of another layout");
        return -1;
    }
    st->files = as_get_u(r, 8);
    st->files_failed = as_get_u(r, 8);
    st->lines = as_get_u(r, 8);
    st->bytes = as_get_u(r, 8);
    for (j = 0; j < INPUT_BAD_COUNT; j++)
        st->bad[j] = as_get_u(r, 8);
    st->bad_parse = as_get_u(r, 8);
    for (j = 0; j < SESS_D_COUNT; j++)
        st->sessions[j] = as_get_u(r, 8);
    n = as_get_u(r, 8);
    for (i = 0; i < n && !r->bad; i++) {
        char    h[SESS_MAX_LOGHOST + 1];

        as_get_str(r, h, sizeof(h));
        if (!r->bad)
            agg_tab_note_tls_host_mt(s->tab, h);
    }
    n = as_get_u(r, 8);
    for (i = 0; i < n && !r->bad; i++) {
        char    name[SESS_MAX_LOGHOST + 1];
        size_t  len = as_get_str(r, name, sizeof(name));
        struct as_host *h;

        if (r->bad || htab_find(s->hosts, name, len) != NULL) {
            r->bad = 1;
            break;
        }
        h = as_host_get(s->hosts, name, len);
        h->have = (int) as_get_u(r, 1);
        h->first = (int64_t) as_get_u(r, 8);
        h->last = (int64_t) as_get_u(r, 8);
        h->twice = (int) as_get_u(r, 1);
        nc = as_get_u(r, 8);
        if (h->have > 1 || h->twice > 1 || nc > r->n / 16) {
            r->bad = 1;
            break;
        }
        if (nc > 0) {
            h->cov = xcalloc((size_t) nc, sizeof(*h->cov));
            h->ncov = (size_t) nc;
        }
        for (j = 0; j < h->ncov && !r->bad; j++) {
            h->cov[j][0] = as_get_u(r, 8);
            h->cov[j][1] = as_get_u(r, 8);
            if (h->cov[j][0] == 0 || h->cov[j][0] > h->cov[j][1]
                || (j > 0 && h->cov[j][0] <= h->cov[j - 1][1] + 1))
                r->bad = 1;
        }
    }
    n = as_get_u(r, 8);
    for (i = 0; i < n && !r->bad; i++) {
        struct sess_rec rec;
        uint64_t cnt;

        memset(&rec, 0, sizeof(rec));
        rec.day = (int32_t) (uint32_t) as_get_u(r, 4);
        rec.time = (int64_t) rec.day * 86400;
        rec.result = (uint8_t) as_get_u(r, 1);
        rec.policy = (uint8_t) as_get_u(r, 1);
        rec.flags = (uint8_t) as_get_u(r, 1);
        rec.cert = (uint8_t) as_get_u(r, 1);
        rec.cert_problem = (uint8_t) as_get_u(r, 1);
        as_get_str(r, rec.domain, sizeof(rec.domain));
        as_get_str(r, rec.mx, sizeof(rec.mx));
        as_get_str(r, rec.helo, sizeof(rec.helo));
        as_get_str(r, rec.ip, sizeof(rec.ip));
        as_get_str(r, rec.loghost, sizeof(rec.loghost));
        as_get_str(r, rec.reason, sizeof(rec.reason));
        cnt = as_get_u(r, 8);
        if (r->bad)
            break;
        if (rec.cert >= SESS_CERT_COUNT
            || rec.cert_problem >= SESS_RESULT_COUNT
            || agg_tab_add_mt(s->tab, &rec, cnt) != 0) {
            snprintf(err, cap, "counter %" PRIu64 " has invalid "
                     "fields", i);
            return -1;
        }
    }
    n = as_get_u(r, 8);
    for (i = 0; i < n && !r->bad; i++) {
        unsigned char kb[AS_KEY_MAX];
        size_t  kl = (size_t) as_get_u(r, 2);
        const void *p;
        struct as_key *k;

        if (kl < 2 || kl > sizeof(kb) || (p = as_get_bytes(r, kl)) == NULL) {
            r->bad = 1;
            break;
        }
        memcpy(kb, p, kl);
        if (kb[0] >= SESS_MTA_COUNT || htab_find(s->keys, kb, kl) != NULL) {
            r->bad = 1;
            break;
        }
        k = htab_enter(s->keys, kb, kl, xcalloc(1, sizeof(*k)));
        as_get_str(r, k->host, sizeof(k->host));
        k->live = 1;
        nseg = (size_t) as_get_u(r, 4);
        if (nseg == 0 || nseg > r->n)
            r->bad = 1;
        for (j = 0; j < nseg && !r->bad; j++) {
            struct as_seg *g = as_seg_add(k);

            g->lo = as_get_u(r, 8);
            g->hi = as_get_u(r, 8);
            g->first = (int64_t) as_get_u(r, 8);
            g->last = (int64_t) as_get_u(r, 8);
            g->closed = (int) as_get_u(r, 1);
            as_get_vec(r, &g->head);
            as_get_vec(r, &g->tail);
            if (!r->bad && (g->closed > 1 || g->lo > g->hi
                            || (g->lo == 0) != (g->hi == 0)
                            || (g->head.n > 0 && !g->closed
                                && g->tail.n > 0)))
                r->bad = 1;
        }
    }
    if (r->bad) {
        snprintf(err, cap, "malformed contents near byte %zu",
                 r->off);
        return -1;
    }
    if (r->off != r->n) {
        snprintf(err, cap, "%zu bytes of junk after the contents",
                 r->n - r->off);
        return -1;
    }
    return 0;
}

/* as_read_file - whole file into a malloc'd buffer */
static int
as_read_file(const char *path, unsigned char **data, size_t *len)
{
    int     fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    size_t  got = 0;
    unsigned char *p;

    if (fd < 0)
        return -1;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    p = xmalloc((size_t) sb.st_size + 1);
    while (got < (size_t) sb.st_size) {
        ssize_t k = read(fd, p + got, (size_t) sb.st_size - got);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t) k;
    }
    close(fd);
    *data = p;
    *len = got;
    return 0;
}

/* agg_state_load - read and check a state file */
struct agg_state *
agg_state_load(const char *path, char *err)
{
    unsigned char *d;
    size_t  n;
    struct agg_state *s;

    if (as_read_file(path, &d, &n) != 0) {
        snprintf(err, AGG_STATE_ERR, "%s: cannot read: %s", path,
                 strerror(errno));
        return NULL;
    }
    s = agg_state_load_buf(d, n, path, err);
    xfree(d);
    return s;
}

/* agg_state_load_buf - check and decode a state file's bytes */
struct agg_state *
agg_state_load_buf(const unsigned char *d, size_t n, const char *path,
                   char *err)
{
    struct as_rd r;
    struct agg_state *s;
    uint64_t ver, blen, sum;
    char    why[96];

    if (n < AS_HDR + 8 || memcmp(d, AS_MAGIC, 8) != 0) {
        snprintf(err, AGG_STATE_ERR, "%s: not a mailtlsrpt state file%s",
                 path, n < AS_HDR + 8 && n >= 8 && memcmp(d, AS_MAGIC, 8) == 0
                 ? " (truncated)" : "");
        return NULL;
    }
    r.p = d;
    r.n = n;
    r.off = 8;
    r.bad = 0;
    ver = as_get_u(&r, 4);
    (void) as_get_u(&r, 4);
    blen = as_get_u(&r, 8);
    if (ver != AGG_STATE_VERSION) {
        snprintf(err, AGG_STATE_ERR, "%s: state format version %" PRIu64
                 ", this mailtlsrpt reads version %d only: aggregate the "
                 "logs again", path, ver, AGG_STATE_VERSION);
        return NULL;
    }
    if (blen != n - AS_HDR - 8) {
        snprintf(err, AGG_STATE_ERR, "%s: truncated or extended state file "
                 "(%zu bytes, the header says %" PRIu64 ")", path, n,
                 blen + AS_HDR + 8);
        return NULL;
    }
    r.off = n - 8;
    sum = as_get_u(&r, 8);
    if (sum != XXH64(d, n - 8, 0)) {
        snprintf(err, AGG_STATE_ERR, "%s: checksum mismatch: the state "
                 "file is damaged", path);
        return NULL;
    }
    s = agg_state_create();
    s->sum = sum;
    r.n = n - 8;
    r.off = AS_HDR;
    if (as_decode(s, &r, why, sizeof(why)) != 0) {
        snprintf(err, AGG_STATE_ERR, "%.150s: %.95s", path, why);
        return agg_state_free(s);
    }
    s->name = xstrndup(path, strnlen(path, 200));
    return s;
}

/* agg_state_encode - the bytes agg_state_save writes */
void
agg_state_encode(const struct agg_state *s, unsigned char **p, size_t *n)
{
    struct as_buf b = {NULL, 0, 0};

    as_encode(s, &b);
    *p = b.p;
    *n = b.n;
}

/* ---- merging ---- */

struct as_ent {
    const struct as_seg *g;
    uint64_t sum;
    size_t  idx;
};

struct as_group {
    char    host[SESS_MAX_LOGHOST + 1];
    struct as_ent *v;
    size_t  n;
    size_t  cap;
};

struct as_merge {
    struct agg_state *const *in;
    size_t  cur;
    struct htab *groups;
};

/* as_group_free - htab destructor */
static void
as_group_free(void *v)
{
    struct as_group *g = v;

    xfree(g->v);
    xfree(g);
}

/* as_gather - htab_walk over one input's keys: their segments */
static void
as_gather(const void *key, size_t klen, void *value, void *ctx)
{
    struct as_merge *m = ctx;
    const struct as_key *k = value;
    struct as_group *g = htab_find(m->groups, key, klen);
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

/* as_ent_cmp - segments of a key in log order: by piece number where
 * both have one, else by time; ties as below, then by content */
static int
as_ent_cmp(const void *a, const void *b)
{
    const struct as_seg *x = ((const struct as_ent *) a)->g;
    const struct as_seg *y = ((const struct as_ent *) b)->g;
    const struct as_ent *ex = a;
    const struct as_ent *ey = b;

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

/* as_run - replay through the caller's correlators */
static void
as_run(const struct agg_state_replay *rp, const struct as_vec *quiet,
       const struct as_vec *counted, int flush, struct agg_state *into)
{
    static const struct as_vec none;

    if (quiet == NULL)
        quiet = &none;
    if (counted == NULL)
        counted = &none;
    rp->run(rp->ctx, (const struct agg_state_line *const *) quiet->v,
            quiet->n, (const struct agg_state_line *const *) counted->v,
            counted->n, flush, into);
}

/* as_seg_copy - dst (empty) becomes a copy of src */
static void
as_seg_copy(struct as_seg *dst, const struct as_seg *src)
{
    dst->lo = src->lo;
    dst->hi = src->hi;
    dst->first = src->first;
    dst->last = src->last;
    dst->closed = src->closed;
    as_vec_append(&dst->head, &src->head);
    as_vec_append(&dst->tail, &src->tail);
}

/* as_seg_fold - the next segment b of the same key stitched onto a:
 * a head after a known state is replayed on it (counted) */
static void
as_seg_fold(struct as_seg *a, const struct as_seg *b,
            const struct agg_state_replay *rp, struct agg_state *into)
{
    int     known = a->closed || a->head.n == 0;

    if (b->head.n == 0) {
        /* b's first line of the key came after a gap */
        if (!known)
            a->closed = 1;
        else if (a->tail.n > 0)
            as_run(rp, &a->tail, NULL, 1, into);
        as_vec_clear(&a->tail);
        as_vec_append(&a->tail, &b->tail);
    } else if (known) {
        /* b's head continues a known state */
        as_run(rp, &a->tail, &b->head, b->closed, into);
        if (b->closed) {
            as_vec_clear(&a->tail);
            as_vec_append(&a->tail, &b->tail);
        } else {
            as_vec_append(&a->tail, &b->head);
        }
    } else {
        /* still nothing known before: the heads join */
        as_vec_append(&a->head, &b->head);
        a->closed = b->closed;
        as_vec_clear(&a->tail);
        as_vec_append(&a->tail, &b->tail);
    }
    a->hi = b->hi;
    if (b->last > a->last)
        a->last = b->last;
}

/* as_cov_cmp - qsort: intervals by start */
static int
as_cov_cmp(const void *a, const void *b)
{
    const uint64_t *x = a;
    const uint64_t *y = b;

    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* as_covered - every piece lo..hi of host h is among the inputs */
static int
as_covered(const struct as_host *h, uint64_t lo, uint64_t hi)
{
    size_t  i;

    if (lo > hi)
        return 1;
    for (i = 0; i < h->ncov; i++)
        if (h->cov[i][0] <= lo && h->cov[i][1] >= hi)
            return 1;
    return 0;
}

/* as_stitchable - b follows a (both of host) with nothing missing in
 * between: consecutive pieces of the host, or those between also here */
static int
as_stitchable(const struct agg_state *out, const char *host,
              const struct as_seg *a, const struct as_seg *b, int whole)
{
    const struct as_host *h;

    if (whole)
        return 1;
    if ((h = htab_find(out->hosts, host, strlen(host))) == NULL || h->twice)
        return 0;
    return a->hi && b->lo && a->hi < b->lo
        && as_covered(h, a->hi + 1, b->lo - 1);
}

/* as_cov_join - sort and join a host's piece intervals */
static void
as_cov_join(const void *key, size_t klen, void *value, void *ctx)
{
    struct as_host *h = value;
    size_t  i, k;

    (void) key;
    (void) klen;
    (void) ctx;
    if (h->ncov < 2)
        return;
    qsort(h->cov, h->ncov, sizeof(*h->cov), as_cov_cmp);
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


/* as_add_counter - agg_tab_walk_st: into another table */
static void
as_add_counter(const struct sess_rec *r, uint64_t n, void *ctx)
{
    if (agg_tab_add_mt(ctx, r, n) != 0)
        abort();                /* it was valid in the table it came from */
}

/* as_add_tls - agg_tab_walk_tls_hosts_st: into another table */
static void
as_add_tls(const char *h, void *ctx)
{
    agg_tab_note_tls_host_mt(ctx, h);
}

/* as_add_host - htab_walk: host times into another state */
static void
as_add_host(const void *key, size_t klen, void *value, void *ctx)
{
    const struct as_host *src = value;
    struct as_host *h = as_host_get(ctx, key, klen);

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

/* as_tie - 1 when neighbours a, b (sorted) of one key cannot be put in
 * order: not both have piece numbers, and their host's first and last
 * times there are the same (0: no dated line, nothing to order by).
 * Pieces cut in time order tie only when both lie within one second;
 * otherwise they overlap: the same piece twice? */
static int
as_tie(const struct as_ent *a, const struct as_ent *b)
{
    const struct as_seg *x = a->g;
    const struct as_seg *y = b->g;

    return !(x->lo && y->lo) && x->first == y->first && x->last == y->last
        && (x->first != 0 || x->last != 0);
}

/* as_tie_err - the reason of a refused merge into err */
static void
as_tie_err(struct agg_state *const *v, const struct as_ent *a,
           const struct as_ent *b, const char *host, char *err)
{
    time_t  t0 = (time_t) a->g->first;
    time_t  t1 = (time_t) a->g->last;
    struct tm tm;
    char    when[80];
    char    h[SESS_MAX_LOGHOST + 1];
    char    msg[512];
    size_t  i, k;

    gmtime_r(&t0, &tm);
    k = strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
    if (t1 != t0) {             /* overlapping pieces */
        memmove(when + 5, when, k + 1);
        memcpy(when, "span ", 5);
        gmtime_r(&t1, &tm);
        strftime(when + k + 5, sizeof(when) - k - 5,
                 " to %Y-%m-%d %H:%M:%S UTC (the same piece twice?)", &tm);
    } else {
        memmove(when + 11, when, k + 1);
        memcpy(when, "lie within ", 11);
    }
    for (i = 0; host[i] && i < SESS_MAX_LOGHOST; i++)
        h[i] = host[i] > 0x20 && host[i] < 0x7f ? host[i] : '?';
    h[i] = 0;
    snprintf(msg, sizeof(msg), "%.60s and %.60s: pieces of log host "
             "%.40s that both %s: their order is not known; "
             "aggregate them with --piece N (each piece's place in its "
             "log)", v[a->idx]->name ? v[a->idx]->name : "a merged state",
             v[b->idx]->name ? v[b->idx]->name : "a merged state",
             h[0] ? h : "(no host name)", when);
    k = strlen(msg) < AGG_STATE_ERR ? strlen(msg) : AGG_STATE_ERR - 1;
    memcpy(err, msg, k);
    err[k] = 0;
}

/* agg_state_merge - one state of many */
struct agg_state *
agg_state_merge(struct agg_state *const *v, size_t n, int whole,
                const struct agg_state_replay *rp, char *err)
{
    struct agg_state *out = agg_state_create();
    struct as_merge m;
    struct as_refs r;
    size_t  i, j;

    m.in = v;
    m.groups = htab_create(1024, as_group_free);
    for (i = 0; i < n; i++) {
        const struct agg_state_stats *a = &v[i]->st;
        struct agg_state_stats *o = &out->st;

        o->files += a->files;
        o->files_failed += a->files_failed;
        o->lines += a->lines;
        o->bytes += a->bytes;
        for (j = 0; j < INPUT_BAD_COUNT; j++)
            o->bad[j] += a->bad[j];
        o->bad_parse += a->bad_parse;
        for (j = 0; j < SESS_D_COUNT; j++)
            o->sessions[j] += a->sessions[j];
        agg_tab_walk_st(v[i]->tab, as_add_counter, out->tab);
        agg_tab_walk_tls_hosts_st(v[i]->tab, as_add_tls, out->tab);
        htab_walk(v[i]->hosts, as_add_host, out->hosts);
        if (v[i]->piece && (out->piece == 0 || v[i]->piece < out->piece))
            out->piece = v[i]->piece;
        m.cur = i;
        htab_walk(v[i]->keys, as_gather, &m);
    }
    /* the pieces covered, per host: sorted, touching intervals joined */
    htab_walk(out->hosts, as_cov_join, NULL);
    r = as_sorted(m.groups);
    for (i = 0; i < r.n; i++) {
        struct as_group *g = r.v[i].value;
        struct as_key *acc = xcalloc(1, sizeof(*acc));

        memcpy(acc->host, g->host, sizeof(acc->host));
        acc->live = 1;
        qsort(g->v, g->n, sizeof(*g->v), as_ent_cmp);
        for (j = 1; j < g->n; j++)
            if (as_tie(&g->v[j - 1], &g->v[j])) {
                as_tie_err(v, &g->v[j - 1], &g->v[j], g->host, err);
                as_key_free(acc);
                xfree(r.v);
                htab_free(m.groups);
                return agg_state_free(out);
            }
        for (j = 0; j < g->n; j++) {
            if (acc->nsegs > 0
                && as_stitchable(out, g->host, &acc->segs[acc->nsegs - 1],
                                 g->v[j].g, whole))
                as_seg_fold(&acc->segs[acc->nsegs - 1], g->v[j].g, rp, out);
            else
                as_seg_copy(as_seg_add(acc), g->v[j].g);
        }
        htab_enter(out->keys, r.v[i].key, r.v[i].klen, acc);
    }
    xfree(r.v);
    htab_free(m.groups);
    return out;
}

/* as_drop_all - htab_sweep predicate */
static int
as_drop_all(const void *key, size_t klen, void *value, void *ctx)
{
    (void) key;
    (void) klen;
    (void) value;
    (void) ctx;
    return 1;
}

/* agg_state_finish - the end of one run: replay heads and tails */
void
agg_state_finish(struct agg_state *s, const struct agg_state_replay *rp)
{
    struct as_refs r = as_sorted(s->keys);
    size_t  i, j;

    for (i = 0; i < r.n; i++) {
        const struct as_key *k = r.v[i].value;

        for (j = 0; j < k->nsegs; j++) {
            if (k->segs[j].head.n > 0)
                as_run(rp, NULL, &k->segs[j].head, 1, s);
            if (k->segs[j].tail.n > 0)
                as_run(rp, &k->segs[j].tail, NULL, 1, s);
        }
    }
    xfree(r.v);
    htab_sweep(s->keys, as_drop_all, NULL);
}

/* ---- following a growing log (cli/cmd_follow.c) ---- */

/* agg_state_set_start - the piece starts its log: no heads */
void
agg_state_set_start(struct agg_state *s)
{
    s->start = 1;
}

struct as_snap {
    struct agg_state *out;
    int32_t day;
    int     tails;
    int     start;
};

/* as_snap_counter - agg_tab_walk_st: the counters of one day, or all */
static void
as_snap_counter(const struct sess_rec *r, uint64_t n, void *ctx)
{
    struct as_snap *sn = ctx;

    if (sn->day >= 0 && r->day != sn->day)
        return;
    as_add_counter(r, n, sn->out->tab);
}

/* as_snap_key - htab_sweep: a marked key's window as one segment; with
 * tails, in a state that starts its log, a key no correlator holds is
 * dropped (its next line starts afresh, whatever came before) */
static int
as_snap_key(const void *key, size_t klen, void *value, void *ctx)
{
    struct as_snap *sn = ctx;
    struct as_key *k = value;
    struct as_host *h;
    struct as_key *c;
    struct as_seg *g;
    int     tail = k->tail;

    if (!sn->tails)
        tail = 0;
    else
        k->tail = 0;            /* asked again at the next snapshot */
    if (!(tail && k->win.n > 0) && k->head.n == 0)
        return sn->tails && sn->start && !tail && k->head.n == 0;
    h = htab_find(sn->out->hosts, k->host, strlen(k->host));
    c = xcalloc(1, sizeof(*c));
    memcpy(c->host, k->host, sizeof(c->host));
    g = as_seg_add(c);
    g->lo = g->hi = sn->out->piece;
    g->first = h && h->have ? h->first : INT64_MAX;
    g->last = h && h->have ? h->last : INT64_MAX;
    g->closed = k->closed;
    as_vec_append(&g->head, &k->head);
    if (tail)
        as_vec_append(&g->tail, &k->win);
    htab_enter(sn->out->keys, key, klen, c);
    return 0;
}

/* agg_state_snapshot - a saveable copy of a state being aggregated */
struct agg_state *
agg_state_snapshot(struct agg_state *s, int32_t day, int tails)
{
    struct as_snap sn;

    sn.out = agg_state_create();
    sn.day = day;
    sn.tails = tails;
    sn.start = s->start;
    sn.out->st = s->st;
    sn.out->piece = s->piece;
    sn.out->start = s->start;
    agg_tab_walk_st(s->tab, as_snap_counter, &sn);
    agg_tab_walk_tls_hosts_st(s->tab, as_add_tls, sn.out->tab);
    htab_walk(s->hosts, as_add_host, sn.out->hosts);
    if (s->piece)
        htab_walk(sn.out->hosts, as_host_piece, sn.out);
    htab_sweep(s->keys, as_snap_key, &sn);
    return sn.out;
}

struct as_prune {
    int32_t lo, hi;
    struct agg_tab *to;
};

/* as_prune_counter - agg_tab_walk_st: the rows of the days kept */
static void
as_prune_counter(const struct sess_rec *r, uint64_t n, void *ctx)
{
    struct as_prune *pr = ctx;

    if (r->day >= pr->lo && r->day <= pr->hi)
        as_add_counter(r, n, pr->to);
}

/* agg_state_days - keep the counters of days lo..hi only */
void
agg_state_days(struct agg_state *s, int32_t lo, int32_t hi)
{
    struct as_prune pr;

    pr.lo = lo;
    pr.hi = hi;
    pr.to = agg_tab_create();
    agg_tab_walk_tls_hosts_st(s->tab, as_add_tls, pr.to);
    agg_tab_walk_st(s->tab, as_prune_counter, &pr);
    agg_tab_free(s->tab);
    s->tab = pr.to;
}

/* agg_state_add_counts - counters, log hosts that log TLS and
 * statistics of src added to s */
void
agg_state_add_counts(struct agg_state *s, const struct agg_state *src)
{
    size_t  i;

    agg_tab_walk_st(src->tab, as_add_counter, s->tab);
    agg_tab_walk_tls_hosts_st(src->tab, as_add_tls, s->tab);
    s->st.files += src->st.files;
    s->st.files_failed += src->st.files_failed;
    s->st.lines += src->st.lines;
    s->st.bytes += src->st.bytes;
    for (i = 0; i < INPUT_BAD_COUNT; i++)
        s->st.bad[i] += src->st.bad[i];
    s->st.bad_parse += src->st.bad_parse;
    for (i = 0; i < SESS_D_COUNT; i++)
        s->st.sessions[i] += src->st.sessions[i];
}

struct as_tl {
    int64_t t;                  /* the line's time, never below the
                                 * time of the key's line before it */
    size_t  key;                /* the key's place in sorted order */
    size_t  idx;                /* the line's place in its key */
    const struct agg_state_line *l;
};

/* as_tl_cmp - qsort: by time, then key, then place */
static int
as_tl_cmp(const void *a, const void *b)
{
    const struct as_tl *x = a;
    const struct as_tl *y = b;

    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* agg_state_tail_lines - every tail line, keys merged by time */
size_t
agg_state_tail_lines(const struct agg_state *s,
                     const struct agg_state_line ***out)
{
    struct as_refs r = as_sorted(s->keys);
    struct as_tl *v = NULL;
    size_t  n = 0, cap = 0;
    size_t  i, j, m;

    for (i = 0; i < r.n; i++) {
        const struct as_key *k = r.v[i].value;
        size_t  idx = 0;

        for (j = 0; j < k->nsegs; j++) {
            const struct as_vec *tv = &k->segs[j].tail;
            int64_t t = INT64_MIN;

            for (m = 0; m < tv->n; m++) {
                if (n == cap) {
                    cap = cap ? 2 * cap : 1024;
                    v = xrealloc(v, cap * sizeof(*v));
                }
                if (tv->v[m]->dated && tv->v[m]->t > t)
                    t = tv->v[m]->t;
                v[n].t = t;
                v[n].key = i;
                v[n].idx = idx++;
                v[n].l = tv->v[m];
                n++;
            }
        }
    }
    xfree(r.v);
    if (n)
        qsort(v, n, sizeof(*v), as_tl_cmp);
    *out = xcalloc(n + 1, sizeof(**out));
    for (i = 0; i < n; i++)
        (*out)[i] = v[i].l;
    xfree(v);
    return n;
}
