/* parsers/carry.c - open sessions carried from one piece to the next:
 * keeping them while a piece is read, and their saved form
 *
 * SYNOPSIS
 *	#include "parsers/carry.h"
 *
 *	c = carry_create();
 *	cb.hold = carry_hold; cb.keep = carry_keep; (ctx: c)
 *	... feed the piece to parser_set_create(.., &cb), parser_flush ...
 *	carry_end(c);
 *	carry_put_piece(c, &buf); ... (aggregate/agg_state.c: the file)
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
 *	A key's kept lines of one piece are a segment; carry_merge.c
 *	sorts and stitches them. File format: docs/internals/agg_state.md.
 */
#include "carry_int.h"
#include "input.h"
#include "parser.h"
#include "wrap.h"
#include "../util/mymalloc.h"

#include <stdlib.h>
#include <string.h>

/* carry_vec_push - append a line (the vector owns it) */
static void
carry_vec_push(struct carry_vec *v, struct carry_line *l)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 8;
        v->v = xrealloc(v->v, v->cap * sizeof(*v->v));
    }
    v->v[v->n++] = l;
}

/* carry_vec_clear - free every line */
void
carry_vec_clear(struct carry_vec *v)
{
    size_t  i;

    for (i = 0; i < v->n; i++)
        xfree(v->v[i]);
    v->v = xfree(v->v);
    v->n = v->cap = 0;
}

/* carry_line_size - bytes of a line record */
static size_t
carry_line_size(const struct carry_line *l)
{
    return sizeof(*l) + l->hl + l->il + l->pl + l->ml;
}

/* carry_vec_append - append copies of every line of src */
void
carry_vec_append(struct carry_vec *dst, const struct carry_vec *src)
{
    size_t  i;

    for (i = 0; i < src->n; i++) {
        size_t  n = carry_line_size(src->v[i]);
        struct carry_line *c = xmalloc(n);

        memcpy(c, src->v[i], n);
        carry_vec_push(dst, c);
    }
}

/* carry_line_make - a line record from a wrap_rec, fields bounded; its
 * time is the envelope's (a replay computes the correlator's again) */
static struct carry_line *
carry_line_make(const struct wrap_rec *r)
{
    size_t  hl = r->host.len > 255 ? 255 : r->host.len;
    size_t  il = r->ident.len > 255 ? 255 : r->ident.len;
    size_t  pl = r->pid.len > 64 ? 64 : r->pid.len;
    size_t  ml = r->msg.len > INPUT_MAX_LINE ? INPUT_MAX_LINE : r->msg.len;
    struct carry_line *l = xmalloc(sizeof(*l) + hl + il + pl + ml);
    char   *p = l->data;

    l->t = r->t;
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

/* carry_key_free - htab destructor */
void
carry_key_free(void *v)
{
    struct carry_key *k = v;
    size_t  i;

    carry_vec_clear(&k->head);
    carry_vec_clear(&k->win);
    for (i = 0; i < k->nsegs; i++) {
        carry_vec_clear(&k->segs[i].head);
        carry_vec_clear(&k->segs[i].tail);
    }
    xfree(k->segs);
    xfree(k);
}

/* carry_seg_add - append an empty segment to k */
struct carry_seg *
carry_seg_add(struct carry_key *k)
{
    k->segs = xrealloc(k->segs, (k->nsegs + 1) * sizeof(*k->segs));
    memset(&k->segs[k->nsegs], 0, sizeof(k->segs[0]));
    return &k->segs[k->nsegs++];
}

/* carry_host_free - htab destructor */
static void
carry_host_free(void *v)
{
    struct carry_host *h = v;

    xfree(h->cov);
    xfree(h);
}

/* carry_host_get - the record of a log host, created on first use */
struct carry_host *
carry_host_get(struct htab *hosts, const char *name, size_t len)
{
    struct carry_host *h;

    if ((h = htab_find(hosts, name, len)) == NULL)
        h = htab_enter(hosts, name, len, xcalloc(1, sizeof(*h)));
    return h;
}

/* carry_create - nothing carried */
struct carry *
carry_create(void)
{
    struct carry *c = xcalloc(1, sizeof(*c));

    c->hosts = htab_create(64, carry_host_free);
    c->keys = htab_create(1024, carry_key_free);
    return c;
}

/* carry_free - destroy; NULL */
struct carry *
carry_free(struct carry *c)
{
    if (c == NULL)
        return NULL;
    htab_free(c->hosts);
    htab_free(c->keys);
    xfree(c->name);
    xfree(c);
    return NULL;
}

/* carry_set_piece - the piece's place in its log */
void
carry_set_piece(struct carry *c, uint32_t n)
{
    c->piece = (uint64_t) n + 1;
}

/* carry_set_source - the file c was loaded from, and its checksum */
void
carry_set_source(struct carry *c, const char *name, uint64_t sum)
{
    xfree(c->name);
    c->name = xstrndup(name, strnlen(name, 200));
    c->sum = sum;
}

/* carry_sweep_dead - htab_sweep predicate: a key silent for longer than
 * the idle time before its host's latest line is closed by the
 * correlator whatever follows; its window is not needed */
static int
carry_sweep_dead(const void *key, size_t klen, void *value, void *ctx)
{
    struct carry *c = ctx;
    struct carry_key *k = value;
    struct carry_host *h = htab_find(c->hosts, k->host, strlen(k->host));

    (void) key;
    (void) klen;
    if (!k->live || k->last_t == 0 || h == NULL
        || k->last_t + SESS_IDLE_SECS >= h->last)
        return 0;
    if (k->head.n == 0)
        return 1;
    carry_vec_clear(&k->win);
    return 0;
}

/* carry_keybuf - the mta byte and the key into kb[CARRY_KEY_MAX]; its
 * length (correlator keys are shorter: cut, never overrun) */
static size_t
carry_keybuf(unsigned char *kb, int mta, const void *key, size_t klen)
{
    if (klen + 1 > CARRY_KEY_MAX)
        klen = CARRY_KEY_MAX - 1;
    kb[0] = (unsigned char) mta;
    memcpy(kb + 1, key, klen);
    return klen + 1;
}

/* carry_hold - sess_cb.hold: keep head lines, track windows */
int
carry_hold(void *ctx, int mta, const void *key, size_t klen,
           int dated, int64_t t, const struct wrap_rec *r)
{
    struct carry *c = ctx;
    unsigned char kb[CARRY_KEY_MAX];
    size_t  kl = carry_keybuf(kb, mta, key, klen);
    size_t  hl = r->host.len > SESS_MAX_LOGHOST ? SESS_MAX_LOGHOST
        : r->host.len;
    struct carry_host *h = carry_host_get(c->hosts, hl ? r->host.ptr : "",
                                          hl);
    struct carry_key *k;

    if (dated) {
        if (!h->have) {
            h->have = 1;
            h->first = h->last = t;
        } else if (t > h->last) {
            h->last = t;
        }
    }
    if ((k = htab_find(c->keys, kb, kl)) == NULL) {
        k = xcalloc(1, sizeof(*k));
        if (hl)
            memcpy(k->host, r->host.ptr, hl);
        k->host[hl] = 0;
        /* a first line an idle time after the host's first: nothing
         * before the piece can still be open for this key */
        k->live = c->start || (dated && t > h->first + SESS_IDLE_SECS);
        htab_enter(c->keys, kb, kl, k);
    }
    if (!k->live) {
        if (dated && k->last_t && t > k->last_t + SESS_IDLE_SECS) {
            k->live = 1;        /* a gap: the head is complete */
            k->closed = 1;
        } else {
            carry_vec_push(&k->head, carry_line_make(r));
            if (dated)
                k->last_t = t;
            return 1;
        }
    } else if (dated && k->last_t && t > k->last_t + SESS_IDLE_SECS) {
        carry_vec_clear(&k->win);       /* the correlator starts afresh */
    }
    carry_vec_push(&k->win, carry_line_make(r));
    if (dated)
        k->last_t = t;
    /* from its start, keys the correlators let go are dropped at each
     * snapshot instead (carry_snapshot) */
    if (++c->holds % CARRY_SWEEP_EVERY == 0 && !c->start)
        htab_sweep(c->keys, carry_sweep_dead, c);
    return 0;
}

/* carry_keep - sess_cb.keep: an open key with a window is a tail */
int
carry_keep(void *ctx, int mta, const void *key, size_t klen)
{
    struct carry *c = ctx;
    unsigned char kb[CARRY_KEY_MAX];
    size_t  kl = carry_keybuf(kb, mta, key, klen);
    struct carry_key *k;

    if ((k = htab_find(c->keys, kb, kl)) == NULL || !k->live
        || k->win.n == 0)
        return 0;
    /* even a key silent for long: a log host's time need not rise, and
     * the replay's own idle check closes it where one run would */
    k->tail = 1;
    return 1;
}

/* carry_drop_unkept - htab_sweep predicate for carry_end: what is kept
 * becomes the key's one segment */
static int
carry_drop_unkept(const void *key, size_t klen, void *value, void *ctx)
{
    struct carry *c = ctx;
    struct carry_key *k = value;
    struct carry_host *h = htab_find(c->hosts, k->host, strlen(k->host));
    struct carry_seg *g;

    (void) key;
    (void) klen;
    if (!k->tail)
        carry_vec_clear(&k->win);
    if (k->head.n == 0 && k->win.n == 0)
        return 1;
    g = carry_seg_add(k);
    g->lo = g->hi = c->piece;
    g->first = h && h->have ? h->first : INT64_MAX;
    g->last = h && h->have ? h->last : INT64_MAX;
    g->closed = k->closed;
    g->head = k->head;
    g->tail = k->win;
    memset(&k->head, 0, sizeof(k->head));
    memset(&k->win, 0, sizeof(k->win));
    return 0;
}

/* carry_host_piece - htab_walk: the host's lines are in this piece */
static void
carry_host_piece(const void *key, size_t klen, void *value, void *ctx)
{
    struct carry_host *h = value;
    const struct carry *c = ctx;

    (void) key;
    (void) klen;
    h->cov = xrealloc(h->cov, sizeof(*h->cov));
    h->cov[0][0] = h->cov[0][1] = c->piece;
    h->ncov = 1;
}

/* carry_end - after the flush: only heads and tails remain */
void
carry_end(struct carry *c)
{
    htab_sweep(c->keys, carry_drop_unkept, c);
    if (c->piece)
        htab_walk(c->hosts, carry_host_piece, c);
}

/* carry_line_rec - the envelope of a kept line (spans point into l) */
void
carry_line_rec(const struct carry_line *l, struct wrap_rec *r)
{
    const char *p = l->data;

    memset(r, 0, sizeof(*r));
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

/* carry_count_kept - htab_walk: keys and lines */
static void
carry_count_kept(const void *key, size_t klen, void *value, void *ctx)
{
    const struct carry_key *k = value;
    size_t *n = ctx;
    size_t  i;

    (void) key;
    (void) klen;
    n[0]++;
    for (i = 0; i < k->nsegs; i++)
        n[1] += k->segs[i].head.n + k->segs[i].tail.n;
}

/* carry_kept - number of kept keys and lines */
void
carry_kept(const struct carry *c, size_t *keys, size_t *lines)
{
    size_t  n[2] = {0, 0};

    htab_walk(c->keys, carry_count_kept, n);
    *keys = n[0];
    *lines = n[1];
}

/* carry_collect - htab_walk: gather entries for sorting */
static void
carry_collect(const void *key, size_t klen, void *value, void *ctx)
{
    struct carry_refs *r = ctx;

    r->v[r->n].key = key;
    r->v[r->n].klen = klen;
    r->v[r->n].value = value;
    r->n++;
}

/* carry_ref_cmp - qsort: by key bytes, then length */
static int
carry_ref_cmp(const void *a, const void *b)
{
    const struct carry_ref *x = a;
    const struct carry_ref *y = b;
    size_t  n = x->klen < y->klen ? x->klen : y->klen;
    int     c = memcmp(x->key, y->key, n);

    if (c)
        return c;
    return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* carry_sorted - every entry of t, sorted by key; caller frees v */
struct carry_refs
carry_sorted(const struct htab *t)
{
    struct carry_refs r;

    r.n = 0;
    r.v = xcalloc(htab_count(t) + 1, sizeof(*r.v));
    htab_walk(t, carry_collect, &r);
    qsort(r.v, r.n, sizeof(*r.v), carry_ref_cmp);
    return r;
}

/* ---- the saved form: big-endian, lengths before bytes ---- */

/* carry_put_vec - count and lines */
static void
carry_put_vec(struct wire_buf *b, const struct carry_vec *v)
{
    size_t  i;

    wire_put_u(b, v->n, 8);
    for (i = 0; i < v->n; i++) {
        const struct carry_line *l = v->v[i];

        wire_put_u(b, (uint64_t) l->t, 8);
        wire_put_u(b, l->dated, 1);
        wire_put_u(b, l->hl, 2);
        wire_put_u(b, l->il, 2);
        wire_put_u(b, l->pl, 2);
        wire_put_u(b, l->ml, 4);
        wire_put(b, l->data, (size_t) l->hl + l->il + l->pl + l->ml);
    }
}

/* carry_put_piece - the piece number part */
void
carry_put_piece(const struct carry *c, struct wire_buf *b)
{
    wire_put_u(b, c->piece, 8);
}

/* carry_put_hosts - the log hosts part, by name */
void
carry_put_hosts(const struct carry *c, struct wire_buf *b)
{
    struct carry_refs r = carry_sorted(c->hosts);
    size_t  i, j;

    wire_put_u(b, r.n, 8);
    for (i = 0; i < r.n; i++) {
        const struct carry_host *h = r.v[i].value;

        wire_put_str(b, r.v[i].key, r.v[i].klen);
        wire_put_u(b, (uint64_t) h->have, 1);
        wire_put_u(b, (uint64_t) h->first, 8);
        wire_put_u(b, (uint64_t) h->last, 8);
        wire_put_u(b, (uint64_t) h->twice, 1);
        wire_put_u(b, h->ncov, 8);
        for (j = 0; j < h->ncov; j++) {
            wire_put_u(b, h->cov[j][0], 8);
            wire_put_u(b, h->cov[j][1], 8);
        }
    }
    xfree(r.v);
}

/* carry_put_keys - the keys part, by key */
void
carry_put_keys(const struct carry *c, struct wire_buf *b)
{
    struct carry_refs r = carry_sorted(c->keys);
    size_t  i, j;

    wire_put_u(b, r.n, 8);
    for (i = 0; i < r.n; i++) {
        const struct carry_key *k = r.v[i].value;

        wire_put_str(b, r.v[i].key, r.v[i].klen);
        wire_put_str(b, k->host, strlen(k->host));
        wire_put_u(b, k->nsegs, 4);
        for (j = 0; j < k->nsegs; j++) {
            const struct carry_seg *g = &k->segs[j];

            wire_put_u(b, g->lo, 8);
            wire_put_u(b, g->hi, 8);
            wire_put_u(b, (uint64_t) g->first, 8);
            wire_put_u(b, (uint64_t) g->last, 8);
            wire_put_u(b, (uint64_t) g->closed, 1);
            carry_put_vec(b, &g->head);
            carry_put_vec(b, &g->tail);
        }
    }
    xfree(r.v);
}

/* carry_get_vec - count and lines, each bounded as carry_line_make's */
static void
carry_get_vec(struct wire_rd *r, struct carry_vec *v)
{
    uint64_t n = wire_get_u(r, 8);
    uint64_t i;

    if (n > r->n)               /* each line takes bytes */
        r->bad = 1;
    for (i = 0; i < n && !r->bad; i++) {
        struct carry_line h;
        struct carry_line *l;
        const void *d;
        size_t  len;

        h.t = (int64_t) wire_get_u(r, 8);
        h.dated = (uint8_t) wire_get_u(r, 1);
        h.hl = (uint16_t) wire_get_u(r, 2);
        h.il = (uint16_t) wire_get_u(r, 2);
        h.pl = (uint16_t) wire_get_u(r, 2);
        h.ml = (uint32_t) wire_get_u(r, 4);
        len = (size_t) h.hl + h.il + h.pl + h.ml;
        if (r->bad || h.dated > 1 || h.hl > 255 || h.il > 255 || h.pl > 64
            || h.ml > INPUT_MAX_LINE || (d = wire_get_bytes(r, len)) == NULL) {
            r->bad = 1;
            break;
        }
        l = xmalloc(sizeof(*l) + len);
        *l = h;
        memcpy(l->data, d, len);
        carry_vec_push(v, l);
    }
}

/* carry_get_piece - the piece number part */
void
carry_get_piece(struct carry *c, struct wire_rd *r)
{
    c->piece = wire_get_u(r, 8);
    if (c->piece > (uint64_t) UINT32_MAX + 1)
        r->bad = 1;
}

/* carry_get_hosts - the log hosts part: each once, pieces sorted */
void
carry_get_hosts(struct carry *c, struct wire_rd *r)
{
    uint64_t n = wire_get_u(r, 8);
    uint64_t i, nc;
    size_t  j;

    for (i = 0; i < n && !r->bad; i++) {
        char    name[SESS_MAX_LOGHOST + 1];
        size_t  len = wire_get_str(r, name, sizeof(name));
        struct carry_host *h;

        if (r->bad || htab_find(c->hosts, name, len) != NULL) {
            r->bad = 1;
            break;
        }
        h = carry_host_get(c->hosts, name, len);
        h->have = (int) wire_get_u(r, 1);
        h->first = (int64_t) wire_get_u(r, 8);
        h->last = (int64_t) wire_get_u(r, 8);
        h->twice = (int) wire_get_u(r, 1);
        nc = wire_get_u(r, 8);
        if (h->have > 1 || h->twice > 1 || nc > r->n / 16) {
            r->bad = 1;
            break;
        }
        if (nc > 0) {
            h->cov = xcalloc((size_t) nc, sizeof(*h->cov));
            h->ncov = (size_t) nc;
        }
        for (j = 0; j < h->ncov && !r->bad; j++) {
            h->cov[j][0] = wire_get_u(r, 8);
            h->cov[j][1] = wire_get_u(r, 8);
            if (h->cov[j][0] == 0 || h->cov[j][0] > h->cov[j][1]
                || (j > 0 && h->cov[j][0] <= h->cov[j - 1][1] + 1))
                r->bad = 1;
        }
    }
}

/* carry_get_keys - the keys part: each once, of a known correlator,
 * with segments that make sense */
void
carry_get_keys(struct carry *c, struct wire_rd *r)
{
    uint64_t n = wire_get_u(r, 8);
    uint64_t i;
    size_t  j, nseg;

    for (i = 0; i < n && !r->bad; i++) {
        unsigned char kb[CARRY_KEY_MAX];
        size_t  kl = (size_t) wire_get_u(r, 2);
        const void *p;
        struct carry_key *k;

        if (kl < 2 || kl > sizeof(kb) || (p = wire_get_bytes(r, kl)) == NULL) {
            r->bad = 1;
            break;
        }
        memcpy(kb, p, kl);
        if (kb[0] >= SESS_MTA_COUNT || htab_find(c->keys, kb, kl) != NULL) {
            r->bad = 1;
            break;
        }
        k = htab_enter(c->keys, kb, kl, xcalloc(1, sizeof(*k)));
        wire_get_str(r, k->host, sizeof(k->host));
        k->live = 1;
        nseg = (size_t) wire_get_u(r, 4);
        if (nseg == 0 || nseg > r->n)
            r->bad = 1;
        for (j = 0; j < nseg && !r->bad; j++) {
            struct carry_seg *g = carry_seg_add(k);

            g->lo = wire_get_u(r, 8);
            g->hi = wire_get_u(r, 8);
            g->first = (int64_t) wire_get_u(r, 8);
            g->last = (int64_t) wire_get_u(r, 8);
            g->closed = (int) wire_get_u(r, 1);
            carry_get_vec(r, &g->head);
            carry_get_vec(r, &g->tail);
            if (!r->bad && (g->closed > 1 || g->lo > g->hi
                            || (g->lo == 0) != (g->hi == 0)
                            || (g->head.n > 0 && !g->closed
                                && g->tail.n > 0)))
                r->bad = 1;
        }
    }
}

/* ---- following a growing log (cli/cmd_follow.c) ---- */

/* carry_set_start - the piece starts its log: no heads */
void
carry_set_start(struct carry *c)
{
    c->start = 1;
}

struct carry_snap {
    struct carry *out;
    int     tails;
    int     start;
};

/* carry_snap_key - htab_sweep: a marked key's window as one segment;
 * with tails, in a carry that starts its log, a key no correlator holds
 * is dropped (its next line starts afresh, whatever came before) */
static int
carry_snap_key(const void *key, size_t klen, void *value, void *ctx)
{
    struct carry_snap *sn = ctx;
    struct carry_key *k = value;
    struct carry_host *h;
    struct carry_key *c;
    struct carry_seg *g;
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
    g = carry_seg_add(c);
    g->lo = g->hi = sn->out->piece;
    g->first = h && h->have ? h->first : INT64_MAX;
    g->last = h && h->have ? h->last : INT64_MAX;
    g->closed = k->closed;
    carry_vec_append(&g->head, &k->head);
    if (tail)
        carry_vec_append(&g->tail, &k->win);
    htab_enter(sn->out->keys, key, klen, c);
    return 0;
}

/* carry_snapshot - a saveable copy of a carry being filled */
struct carry *
carry_snapshot(struct carry *c, int tails)
{
    struct carry_snap sn;

    sn.out = carry_create();
    sn.tails = tails;
    sn.start = c->start;
    sn.out->piece = c->piece;
    sn.out->start = c->start;
    htab_walk(c->hosts, carry_add_host, sn.out->hosts);
    if (c->piece)
        htab_walk(sn.out->hosts, carry_host_piece, sn.out);
    htab_sweep(c->keys, carry_snap_key, &sn);
    return sn.out;
}

struct carry_tl {
    int64_t t;                  /* the line's time, never below the
                                 * time of the key's line before it */
    size_t  key;                /* the key's place in sorted order */
    size_t  idx;                /* the line's place in its key */
    const struct carry_line *l;
};

/* carry_tl_cmp - qsort: by time, then key, then place */
static int
carry_tl_cmp(const void *a, const void *b)
{
    const struct carry_tl *x = a;
    const struct carry_tl *y = b;

    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* carry_tail_lines - every tail line, keys merged by time */
size_t
carry_tail_lines(const struct carry *c, const struct carry_line ***out)
{
    struct carry_refs r = carry_sorted(c->keys);
    struct carry_tl *v = NULL;
    size_t  n = 0, cap = 0;
    size_t  i, j, m;

    for (i = 0; i < r.n; i++) {
        const struct carry_key *k = r.v[i].value;
        size_t  idx = 0;

        for (j = 0; j < k->nsegs; j++) {
            const struct carry_vec *tv = &k->segs[j].tail;
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
        qsort(v, n, sizeof(*v), carry_tl_cmp);
    *out = xcalloc(n + 1, sizeof(**out));
    for (i = 0; i < n; i++)
        (*out)[i] = v[i].l;
    xfree(v);
    return n;
}
