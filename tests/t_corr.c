/* tests/t_corr.c - the correlator core's emit step against the plain
 * code
 *
 * The emit step makes a session's recipient domain canonical through a
 * memo of the domains its thread saw (corr_dom_memo in parsers/corr.c,
 * which the parsing threads' corr_canon_dom_mt asks too), left alone
 * while it misses. Here a correlator of a made-up MTA hands over
 * sessions of generated domains (valid, upper case, numeric, bad bytes,
 * empty labels, long, with a final dot; few repeated, then many new,
 * then few again: the memo hit, missed, set aside and asked again), and
 * each record's domain and disposition are checked against what
 * dname_norm() and dname_is_numeric() make of the same text; and the
 * lengths that go with the record (host names and addresses measured
 * 32 bytes at a time, corr_strlen32) against strlen(). A failure's
 * reason (a slug, measured and copied 32 bytes at a time) against its
 * text. The waiting connections of a key (a ring) and its flush,
 * through random steps, against a plain model. And the key table under
 * the correlators (util/htab.c): its
 * hash against libxxhash's XXH3_64bits() for every length from 0 to
 * 300, and keys that differ in one byte (compared a word at a time)
 * found, not found and dropped by address (htab_delete_inline); a
 * table that fetches only part of its next spare (htab_fetch_set)
 * against one that fetches all of it, through the same random steps:
 * the same keys, values and spares reused. The length of an address
 * key cut by a NUL of its own (corr_strlen64) against strlen(). What
 * Exim's new connections take of their peers through the correlator's
 * memory of pairs (parsers/ex_sess.c) against the fill without it.
 * Postfix's failure reasons through its memos of folded texts
 * (parsers/pf_sess.c) against the same connections each through a
 * parser of its own, whose memos are empty. The time and key that
 * Exim's classifier makes for the apply (struct ex_pre) against what
 * the apply made of the line's prefix and envelope itself.
 */
#include "../parsers/corr.h"
#include "../parsers/ex.h"
#include "../parsers/ex_sess.h"
#include "../parsers/parser.h"
#include "../parsers/ts.h"
#include "../parsers/wrap.h"
#include "../util/dname.h"
#include "../util/htab.h"
#include "testlib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

struct t_got {
    int     n;
    int     badlen;                 /* a length that is not strlen() */
    enum sess_disp d;
    size_t  dlen;
    char    domain[DNAME_MAX + 1];
    size_t  rlen;
    char    reason[SESS_MAX_REASON + 1];
};

/* t_view_bad - 1 when a string of view v is not as long as it says, or
 * (the address sanitizer) has not SESS_VIEW_ROOM bytes to read */
static int
t_view_bad(const struct sess_view *v)
{
    const struct span *s[6] = {&v->domain, &v->mx, &v->helo, &v->ip,
        &v->loghost, &v->reason};
    char    room[SESS_VIEW_ROOM];
    int     i, bad = 0;

    for (i = 0; i < 6; i++) {
        memcpy(room, s[i]->ptr, sizeof(room));
        bad |= s[i]->ptr[s[i]->len] != 0 || strlen(s[i]->ptr) != s[i]->len
            || (s[i]->len < sizeof(room) && strlen(room) != s[i]->len);
    }
    return bad;
}

static void
t_session_view(void *ctx, const struct sess_view *v, enum sess_disp d)
{
    struct t_got *g = ctx;
    struct sess_rec r;

    sess_view_rec(v, &r);
    g->n++;
    g->badlen += t_view_bad(v);
    g->d = d;
    g->dlen = v->domain.len;
    memcpy(g->domain, r.domain, sizeof(g->domain));
    g->rlen = v->reason.len;
    memcpy(g->reason, r.reason, sizeof(g->reason));
}

static void
t_tls_host(void *ctx, const char *loghost, size_t len)
{
    (void) ctx;
    (void) loghost;
    (void) len;
}

static int
t_outcome(const struct corr_conn *c, int *plain)
{
    (void) c;
    *plain = 0;
    return SESS_SUCCESS;
}

static int
t_judge(const struct corr_conn *c, struct corr_verdict *v)
{
    *v = (struct corr_verdict) {.result = t_outcome(c, &v->plain),
                                .reason = ""};
    return v->result;
}

struct t_mta {
    struct corr *k;
};

/* a connection: the core's part and the peer's names */
struct t_conn {
    struct corr_conn k;
    struct corr_names n;
};
#define T_NAMES(c) (&((struct t_conn *) (c))->n)

static const struct corr_ops t_ops = {
    .name = "test", .mta = 0,
    .sess_size = sizeof(struct t_mta), .conn_size = sizeof(struct t_conn),
    .names = offsetof(struct t_conn, n),
    .pre_size = 8, .hint = 16, .max_pend = 4, .sweep_every = 1024,
    .outcome = t_outcome, .judge = t_judge,
};

/* t_rand - a small deterministic generator */
static uint64_t
t_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* t_name - a hostile name into out (its length): mostly names, some
 * upper case, numeric, bad bytes, empty labels, final dots, long */
static size_t
t_name(uint64_t *s, unsigned pool, char *out)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789-.";
    uint64_t seed = pool ? t_rand(s) % pool : t_rand(s);
    uint64_t r = seed * 0x9e3779b97f4a7c15ULL + 1;
    size_t  n, i, len;

    switch (r % 11) {
    case 0:
        return (size_t) snprintf(out, 300, "%u.%u.%u.%u", (unsigned) (r >> 8)
                                 % 256, (unsigned) (r >> 16) % 256,
                                 (unsigned) (r >> 24) % 256,
                                 (unsigned) (r >> 32) % 256);
    case 1:
        n = (size_t) snprintf(out, 300, "MX%u.Example.TEST",
                              (unsigned) (r >> 8) % 97);
        return n;
    case 2:
        n = (size_t) snprintf(out, 300, "d%u.example.", (unsigned) (r >> 8)
                              % 89);
        return n;
    case 3:
        len = 1 + (size_t) (r >> 8) % 280;
        for (i = 0; i < len; i++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            out[i] = alpha[(r >> 33) % (sizeof(alpha) - 1)];
        }
        return len;
    case 4:
        len = 1 + (size_t) (r >> 8) % 40;
        for (i = 0; i < len; i++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            out[i] = (char) (r >> 40);
        }
        return len;
    case 5:
        return (size_t) snprintf(out, 300, "a..d%u.example",
                                 (unsigned) (r >> 8) % 13);
    default:
        len = 10 + (size_t) (r >> 8) % 56;
        for (i = 0; i < len; i++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            out[i] = alpha[(r >> 33) % 36];
        }
        out[(r >> 20) % (len - 4) + 2] = '.';
        return len;
    }
}

/* t_open - a correlator of ops with conf and cb cleared, its sessions
 * to session_view with ctx, and key entered at 1700000000: its process
 * (new: whether the key was made) */
static struct corr_proc *
t_open(struct sess_conf *conf, struct sess_cb *cb, const struct corr_ops *ops,
       void (*session_view) (void *, const struct sess_view *,
                             enum sess_disp),
       void *ctx, const char *key, size_t klen, struct t_mta **m, int *new)
{
    memset(conf, 0, sizeof(*conf));
    memset(cb, 0, sizeof(*cb));
    cb->session_view = session_view;
    cb->tls_host = t_tls_host;
    cb->ctx = ctx;
    *m = corr_sess_create(conf, cb, ops);
    return corr_enter((*m)->k, key, klen, span_make("host", 4), 1,
                      1700000000, NULL, new);
}

/* t_emit_dom - sessions of generated domains against the plain code */
static void
t_emit_dom(void)
{
    struct sess_conf conf;
    struct sess_cb cb;
    struct t_got got;
    struct t_mta *m;
    struct corr_proc *p;
    static const char key[] = "host\0test\0001";
    uint64_t s = 0x2545f4914f6cdd1dULL;
    int     new, phase, i, bad = 0, cbad = 0, dbad = 0, sessions = 0;
    int     counted = 0;
    char    name[300];

    memset(&got, 0, sizeof(got));
    p = t_open(&conf, &cb, &t_ops, t_session_view, &got, key,
               sizeof(key) - 1, &m, &new);
    T_CHECK(p != NULL && new, "a key");
    for (phase = 0; phase < 5; phase++) {
        /* few names repeated, then every name new, then few again */
        unsigned pool = phase % 2 == 0 ? 40 : 0;

        for (i = 0; i < 20000; i++) {
            size_t  n = t_name(&s, pool, name);
            struct span dom = span_make(name, n);
            char    want[DNAME_MAX + 1];
            int     rc = n > 0 ? dname_norm(name, n, want) : -1;
            int     valid = rc == 0 && !dname_is_numeric(want);

            /* the parsing threads' ask of the same memo
             * (corr_canon_dom_mt), between the emit step's: what it says
             * of every name, hit, missed or set aside */
            if (i % 3 != 0) {
                uint8_t clen = 0;
                int     st = corr_canon_dom_mt(dom, &clen);

                if (!(!valid ? st == CORR_CANON_BAD
                      : st == CORR_CANON_MAP ? strncmp(want, name, n) != 0
                      : st == CORR_CANON_RAW && clen == strlen(want)
                      && memcmp(want, name, clen) == 0) && dbad++ < 5)
                    fprintf(stderr, "canon: \"%.*s\": %d, %u\n", (int) n,
                            name, st, clen);
            }
            corr_start(p->cur, sizeof(struct corr_conn), T_NAMES(p->cur), 1,
                       1700000000);
            /* host names and addresses of 0 to 199 and 0 to 45 bytes,
             * over what was there before */
            memset(T_NAMES(p->cur)->mx, 'm', (size_t) i % 200);
            T_NAMES(p->cur)->mx[i % 200] = 0;
            memset(T_NAMES(p->cur)->ip, '1', (size_t) i % 46);
            T_NAMES(p->cur)->ip[i % 46] = 0;
            got.n = 0;
            corr_emit(m->k, p, p->cur, &dom, 0);
            sessions++;
            counted += got.d == SESS_D_COUNTED;
            if (got.n != 1
                || (valid ? got.d != SESS_D_COUNTED
                    || strcmp(got.domain, want) != 0
                    || got.dlen != strlen(want)
                    : got.d != SESS_D_BAD_DOMAIN || got.domain[0] != 0
                    || got.dlen != 0)) {
                if (bad++ < 5)
                    fprintf(stderr, "emit: \"%.*s\": disposition %d, "
                            "\"%s\" (%zu)\n", (int) n, name, got.d,
                            got.domain, got.dlen);
            }
        }
    }
    /* a domain made canonical before (corr_emit_canon: the Postfix
     * and Sendmail sessions of the parsing threads) of every length
     * from 1 to 80 bytes, in a buffer that ends with it, over a longer
     * one written before: copied whole, no byte past it */
    for (i = 0; i < 80 * 4; i++) {
        size_t  n = (size_t) (i % 80) + 1, j;
        char   *buf = malloc(n);

        for (j = 0; j < n; j++)
            buf[j] = (char) ('a' + (j * 7 + (size_t) i) % 26);
        corr_start(p->cur, sizeof(struct corr_conn), T_NAMES(p->cur), 1,
                       1700000000);
        got.n = 0;
        corr_emit_canon(m->k, p, p->cur, &(struct span) {
                        buf, n}, buf, n, 0);
        if (got.n != 1 || got.d != SESS_D_COUNTED || got.dlen != n
            || strlen(got.domain) != n || memcmp(got.domain, buf, n) != 0)
            cbad++;
        free(buf);
    }
    T_CHECK(dbad == 0, "canon: two in three generated domains made "
            "canonical (corr_canon_dom_mt, between the emit step's asks of "
            "its memo) as dname_norm() makes them (%d differ)", dbad);
    T_CHECK(cbad == 0, "emit: canonical domains of 1 to 80 bytes copied "
            "whole (%d not)", cbad);
    T_CHECK(got.badlen == 0, "emit: the lengths of host names, addresses "
            "and log hosts are their strlen() (%d not)", got.badlen);
    T_CHECK(bad == 0 && sessions == 100000 && counted > 30000
            && counted < sessions,
            "emit: %d sessions of generated domains, %d counted, as "
            "dname_norm() makes them (%d differ)", sessions, counted, bad);
    corr_sess_free(m);
}

/* a connection with a failure and its reason, as an MTA keeps them */
struct t_rconn {
    struct corr_conn k;
    struct corr_names n;
    char    reason[65];
};

static int
t_r_outcome(const struct corr_conn *c, int *plain)
{
    (void) c;
    *plain = 0;
    return SESS_CERT_EXPIRED;
}

static int
t_r_judge(const struct corr_conn *c, struct corr_verdict *v)
{
    int     plain;

    *v = (struct corr_verdict) {.result = t_r_outcome(c, &plain),
                                .reason = ((const struct t_rconn *) c)->reason,
                                .slug = 1};
    return v->result;
}

static const struct corr_ops t_rops = {
    .name = "test", .mta = 0,
    .sess_size = sizeof(struct t_mta), .conn_size = sizeof(struct t_rconn),
    .names = offsetof(struct t_rconn, n),
    .pre_size = 8, .hint = 16, .max_pend = 4, .sweep_every = 1024,
    .outcome = t_r_outcome, .judge = t_r_judge,
};

/* t_emit_reason - reasons of 0 to 64 bytes, over longer ones written
 * before, into the record whole and measured right */
static void
t_emit_reason(void)
{
    struct sess_conf conf;
    struct sess_cb cb;
    struct t_got got;
    struct t_mta *m;
    struct corr_proc *p;
    struct t_rconn *c;
    static const char key[] = "host\0test\0002";
    struct span dom = span_make("example.test", 12);
    int     new, i, bad = 0;

    memset(&got, 0, sizeof(got));
    p = t_open(&conf, &cb, &t_rops, t_session_view, &got, key,
               sizeof(key) - 1, &m, &new);
    T_CHECK(p != NULL && new, "a key");
    c = (struct t_rconn *) p->cur;
    for (i = 0; i < 65 * 3; i++) {
        size_t  n = (size_t) (i * 7) % 65;

        corr_start(&c->k, sizeof(struct corr_conn), &c->n, 1, 1700000000);
        memset(c->reason, 'x', sizeof(c->reason));
        memset(c->reason, 'a' + i % 26, n);
        c->reason[n] = 0;
        got.n = 0;
        corr_emit(m->k, p, &c->k, &dom, 0);
        if (got.n != 1 || got.rlen != n || strcmp(got.reason, c->reason) != 0)
            bad++;
    }
    T_CHECK(bad == 0, "emit: reasons of 0 to 64 bytes copied whole and "
            "measured (%d not)", bad);
    corr_sess_free(m);
}

/* what t_ring_session saw: each session's connection (its t0) and
 * whether a domain came with it */
struct t_seen {
    int     n;
    int64_t id[64];
    int64_t ip[64];                 /* the id its address names */
    int     dom[64];
    int     badstr;                 /* a string the record left unset */
};

static void
t_ring_session(void *ctx, const struct sess_view *v, enum sess_disp d)
{
    struct t_seen *g = ctx;

    g->badstr += v->helo.ptr[0] != 0 || v->helo.len != 0
        || v->reason.ptr[0] != 0 || v->reason.len != 0 || t_view_bad(v);
    if (g->n < 64) {
        unsigned a = 0, b = 0;

        g->id[g->n] = v->time;
        g->ip[g->n] = sscanf(v->ip.ptr, "10.0.%u.%u", &a, &b) == 2
            && strlen(v->ip.ptr) == v->ip.len ? (int64_t) (a << 8 | b) : -1;
        g->dom[g->n] = d != SESS_D_UNATTRIBUTED;
    }
    g->n++;
}

/* t_pend_ring - the waiting connections (a ring from p->phead, no
 * memmove when full) and the flush of a key that holds only a cur
 * handed over (no call), against a plain model: random steps of new
 * connections (the cur before waits; the oldest handed over when the
 * ring is full), cur handed over, every waiting one attributed, some
 * handed over and the rest moved down by place (as pf_status_line
 * does), one taken out and the later ones moved down a place each (as
 * ex_pend_take does), and flushes; the sessions, in order, with and
 * without a domain, as the model says. A session's record: helo and a
 * success's reason empty, lengths as the strings. A connection that
 * starts to wait is not copied (cur and a place of the ring swap): the
 * cur corr_retire() returns is not the old one when that one waits,
 * the waiting ones are each their own connection with their names (an
 * address made from their number), and a flush puts cur back into the
 * key's entry. On every other step that leaves none waiting, the ring
 * is given back at once (corr_settle, as pf_status_line does): cur,
 * active or not, in the ring or in the entry, back in the entry with
 * every byte it had, the ring on the spares */
static void
t_pend_ring(void)
{
    struct sess_conf conf;
    struct sess_cb cb;
    struct t_seen got;
    struct t_mta *m;
    struct corr_proc *p;
    static const char key[] = "host\0test\0003";
    struct span dom = span_make("example.test", 12);
    int64_t pend[4], want_id[64], next = 1;
    int     want_dom[64];
    int     npend = 0, cur = 0, cur_att = 0, nwant, step, i, j, bad = 0;
    int     wraps = 0, fast = 0, moved = 0, stayed = 0;
    uint64_t s = 0x853c49e6748fea9bULL;

    p = t_open(&conf, &cb, &t_ops, t_ring_session, &got, key,
               sizeof(key) - 1, &m, &i);
    T_CHECK(p != NULL, "a key");
    for (step = 0; step < 200000; step++) {
        unsigned op = (unsigned) (t_rand(&s) % 16);

        memset(&got, 0, sizeof(got));
        nwant = 0;
#define T_WANT(x, d) (want_id[nwant] = (x), want_dom[nwant++] = (d))
        if (op < 7) {                   /* a new connection */
            if (cur && !cur_att) {
                if (npend == 4) {
                    T_WANT(pend[0], 0);
                    memmove(pend, pend + 1, 3 * sizeof(pend[0]));
                    npend--;
                    wraps++;
                }
                pend[npend++] = next - 1;
            }
            {
                /* cur as corr_retire() returns it: a waiting one is
                 * not copied, and cur is then another place's */
                struct corr_conn *was = p->cur, *c = corr_retire(m->k, p);

                bad += c != p->cur || c->active
                    || (cur && !cur_att ? c == was : c != was);
                corr_start(c, sizeof(struct corr_conn), T_NAMES(c), 1, next);
                snprintf(T_NAMES(c)->ip, sizeof(T_NAMES(c)->ip), "10.0.%d.%d",
                         (int) (next >> 8 & 255), (int) (next & 255));
                next++;
            }
            cur = 1;
            cur_att = 0;
        } else if (op < 9) {            /* cur handed over */
            if (cur && !cur_att) {
                T_WANT(next - 1, 1);
                corr_emit(m->k, p, p->cur, &dom, 0);
                cur_att = 1;
            }
        } else if (op < 11) {           /* every waiting one: a domain */
            for (i = 0; i < npend; i++)
                T_WANT(pend[i], 1);
            npend = 0;
            (void) corr_attribute(m->k, p, &dom, 0);
        } else if (op < 13) {           /* some handed over, the rest kept */
            for (i = j = 0; i < npend; i++) {
                if (pend[i] % 3 == 0)
                    T_WANT(pend[i], 1);
                else
                    pend[j++] = pend[i];
            }
            npend = j;
            for (i = j = 0; i < p->npend; i++) {
                struct corr_conn *w = corr_pend(m->k, p, i);

                if (w->t0 % 3 == 0)
                    corr_emit(m->k, p, w, &dom, 0);
                else            /* the whole connection, names too */
                    *(struct t_conn *) corr_pend(m->k, p, j++)
                        = *(struct t_conn *) w;
            }
            p->npend = (uint16_t) j;
            if (j == 0 && p->pend != NULL && step % 2 == 0) {
                struct corr_conn *e = (struct corr_conn *) (p + 1);
                struct t_conn was = *(struct t_conn *) p->cur;
                size_t  spares = m->k->spare_pend.n;

                moved += p->cur != e;
                stayed += p->cur == e;
                corr_settle(m->k, p);
                bad += p->cur != e || p->pend != NULL || p->phead != 0
                    || m->k->spare_pend.n != spares + 1
                    || memcmp(&was, p->cur, sizeof(was)) != 0;
            }
        } else if (op < 14) {           /* one taken out */
            if (npend > 0) {
                int     at = (int) (t_rand(&s) % (uint64_t) npend);
                struct t_conn w = *(struct t_conn *) corr_pend(m->k, p, at);

                bad += w.k.t0 != pend[at];
                memmove(pend + at, pend + at + 1,
                        (size_t) (npend - at - 1) * sizeof(pend[0]));
                npend--;
                for (i = at; i + 1 < p->npend; i++)
                    memcpy(corr_pend(m->k, p, i), corr_pend(m->k, p, i + 1),
                           sizeof(w));
                p->npend--;
            }
        } else {                        /* the key flushed */
            fast += npend == 0 && p->pend == NULL && (!cur || cur_att);
            if (cur && !cur_att) {
                if (npend == 4) {
                    T_WANT(pend[0], 0);
                    memmove(pend, pend + 1, 3 * sizeof(pend[0]));
                    npend--;
                }
                pend[npend++] = next - 1;
            }
            for (i = 0; i < npend; i++)
                T_WANT(pend[i], 0);
            npend = 0;
            cur = 0;
            corr_flush_proc(m->k, p);
            /* cur back in the key's entry, the ring given back */
            bad += p->cur != (struct corr_conn *) (p + 1) || p->pend != NULL;
        }
#undef T_WANT
        if (got.n != nwant || p->npend != npend || p->cur->active != cur
            || got.badstr != 0) {
            bad++;
            continue;
        }
        for (i = 0; i < nwant; i++)
            bad += got.id[i] != want_id[i] || got.dom[i] != want_dom[i];
        for (i = 0; i < npend; i++) {
            struct corr_conn *w = corr_pend(m->k, p, i);

            /* each its own connection, not cur's, its names kept */
            bad += w->t0 != pend[i] || w == p->cur || !w->active;
            for (j = 0; j < i; j++)
                bad += corr_pend(m->k, p, j) == w;
        }
        for (i = 0; i < nwant && i < 64; i++)
            bad += got.ip[i] != (want_id[i] & 0xffff);
    }
    T_CHECK(bad == 0 && wraps > 1000 && fast > 1000 && moved > 1000
            && stayed > 200,
            "waiting connections: a ring, in order through %d full rings, "
            "%d flushes without a call, %d rings given back with cur moved "
            "and %d with cur in place (%d steps wrong)", wraps, fast, moved,
            stayed, bad);
    corr_sess_free(m);
}

/* t_ring_spares - rings of waiting connections given back and taken
 * again by many keys at once (a stack of spares that grows past its
 * first room): in each of three rounds, each of 300 keys has a
 * connection wait (a ring taken, spare or new) and a new cur, then
 * each key is flushed (its ring given back) in turn from a random one.
 * Each flush hands over the waiting one, then cur, each with its own
 * address; the ring is gone from the key, cur back in its entry. The
 * second and third rounds take only spares */
static void
t_ring_spares(void)
{
    struct sess_conf conf;
    struct sess_cb cb;
    struct t_seen got;
    struct t_mta *m;
    struct corr_proc *p, *keys[300];
    int64_t id[300];
    char    key[32];
    uint64_t s = 0x6a09e667f3bcc908ULL;
    int     round, i, j, at, new, bad = 0, flushed = 0;
    static const char first[] = "host\0test\0x";

    p = t_open(&conf, &cb, &t_ops, t_ring_session, &got, first,
               sizeof(first) - 1, &m, &new);
    T_CHECK(p != NULL, "a key");
    for (round = 0; round < 3; round++) {
        int64_t next = 1 + round * 1000;

        for (i = 0; i < 300; i++) {
            int     n = snprintf(key, sizeof(key), "host%ctest%c%d", 0, 0, i);
            struct corr_conn *c;

            p = corr_enter(m->k, key, (size_t) n, span_make("host", 4), 1,
                           1700000000 + round, NULL, &new);
            keys[i] = p;
            bad += p == NULL || new != (round == 0);
            if (p == NULL)
                break;
            id[i] = next;
            for (j = 0; j < 2; j++) {   /* the first waits, then a cur */
                c = corr_retire(m->k, p);
                corr_start(c, sizeof(struct corr_conn), T_NAMES(c), 1, next);
                snprintf(T_NAMES(c)->ip, sizeof(T_NAMES(c)->ip),
                         "10.0.%d.%d", (int) (next >> 8 & 255),
                         (int) (next & 255));
                next++;
            }
            bad += p->npend != 1 || p->pend == NULL;
        }
        if (bad)
            break;
        at = (int) (t_rand(&s) % 300);
        for (j = 0; j < 300; j++) {
            i = (at + j) % 300;
            memset(&got, 0, sizeof(got));
            corr_flush_proc(m->k, keys[i]);
            flushed++;
            bad += got.n != 2 || got.badstr != 0
                || got.id[0] != id[i] || got.id[1] != id[i] + 1
                || got.ip[0] != (id[i] & 0xffff)
                || got.ip[1] != ((id[i] + 1) & 0xffff)
                || got.dom[0] || got.dom[1]
                || keys[i]->pend != NULL || keys[i]->npend != 0
                || keys[i]->cur != (struct corr_conn *) (keys[i] + 1);
        }
    }
    T_CHECK(bad == 0 && flushed == 900,
            "spare rings: 300 keys' rings given back and taken again, "
            "three rounds (%d flushes, %d wrong)", flushed, bad);
    corr_sess_free(m);
}

/* t_hash - htab_hash() is libxxhash's XXH3_64bits() at every length and
 * alignment */
static void
t_hash(void)
{
    unsigned char buf[300 + 8];
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    size_t  len, off, i;
    int     bad = 0;

    for (i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char) t_rand(&s);
    for (len = 0; len <= 300; len++)
        for (off = 0; off < 8; off++)
            bad += htab_hash(buf + off, len) != XXH3_64bits(buf + off, len);
    T_CHECK(bad == 0, "htab_hash: XXH3_64bits() of 0 to 300 bytes "
            "(%d differ)", bad);
}

/* t_htab_keys - keys of 1 to 64 bytes that differ in one byte: each
 * found as itself only; half dropped by address, the rest kept */
static void
t_htab_keys(void)
{
    struct htab *t = htab_create_inline(16, 16, 64, NULL);
    char    key[64], probe[64];
    void   *v[64][8];
    size_t  len;
    int     j, bad = 0, gone = 0;

    for (len = 1; len <= 64; len++)
        for (j = 0; j < 8; j++) {
            memset(key, 'k', len);
            key[(size_t) j * 9 % len] ^= (char) (j + 1);
            v[len - 1][j] = htab_enter_inline(t, key, len, 0);
            memcpy(v[len - 1][j], &len, sizeof(len));
        }
    for (len = 1; len <= 64; len++)
        for (j = 0; j < 8; j++) {
            size_t  at;

            memset(key, 'k', len);
            key[(size_t) j * 9 % len] ^= (char) (j + 1);
            bad += htab_find(t, key, len) != v[len - 1][j];
            /* one byte changed anywhere: another key, or none */
            for (at = 0; at < len; at++) {
                void   *f;

                memcpy(probe, key, len);
                probe[at] ^= 0x40;
                f = htab_find(t, probe, len);
                bad += f == v[len - 1][j];
            }
        }
    for (len = 1; len <= 64; len++)
        for (j = 0; j < 8; j += 2)
            htab_delete_inline(t, v[len - 1][j]);
    for (len = 1; len <= 64; len++)
        for (j = 0; j < 8; j++) {
            memset(key, 'k', len);
            key[(size_t) j * 9 % len] ^= (char) (j + 1);
            if (j % 2 == 0)
                gone += htab_find(t, key, len) == NULL;
            else
                bad += htab_find(t, key, len) != v[len - 1][j];
        }
    T_CHECK(bad == 0 && gone == 64 * 4 && htab_count(t) == 64 * 4,
            "htab: keys of 1 to 64 bytes found as themselves, half dropped "
            "by address (%d wrong, %d gone, %zu left)", bad, gone,
            htab_count(t));
    htab_free(t);
}

/* t_fetch_old - htab_sweep_stamped predicate: entries stamped before
 * the sweep's time go (every one asked) */
static int
t_fetch_old(const void *key, size_t klen, void *value, void *ctx)
{
    (void) key;
    (void) klen;
    (void) value;
    (void) ctx;
    return 1;
}

/* t_htab_fetch - tables of Exim's size of value (a key's struct
 * corr_proc and connection: 864 bytes), one fetching its whole next
 * spare ahead, the others its first bytes only (as Exim's correlator
 * asks, one byte, all of it asked for as 0 and as more than the value):
 * 40,000 random steps (enter with part of the value zeroed, find, drop
 * by address or by key, stamp, sweep) on the same keys of 12 to 40
 * bytes, many in the same slots. What the fetch asks is a hint only:
 * every find the same, every new value's bytes the same (its first
 * bytes zeroed, the rest what the spare it took held: the same spares
 * in the same order) */
static void
t_htab_fetch(void)
{
    enum { T_KEYS = 200, T_TABS = 5, T_VSIZE = 864, T_ZERO = 100 };
    static const size_t fetch[T_TABS] = {0, 185, 1, 0, 100000};
    struct htab *t[T_TABS];
    static void *v[T_TABS][T_KEYS];
    static void *seen[T_TABS][T_KEYS];  /* the rooms used so far */
    int     nseen[T_TABS] = {0};
    uint64_t s = 0x243f6a8885a308d3ULL;
    char    key[40];
    size_t  klen;
    int     i, k, step, bad = 0, found = 0, swept = 0;

    for (i = 0; i < T_TABS; i++) {
        t[i] = htab_create_inline(16, T_VSIZE, CORR_KEY_MAX, NULL);
        if (fetch[i] > 0 || i == 3)
            htab_fetch_set(t[i], fetch[i]);
    }
    for (step = 0; step < 40000; step++) {
        unsigned what = (unsigned) (t_rand(&s) % 512);
        uint64_t h;

        k = (int) (t_rand(&s) % T_KEYS);
        klen = 12 + (size_t) k % 29;
        memset(key, 'm', klen);
        memcpy(key + klen - sizeof(k), &k, sizeof(k));
        h = htab_hash(key, klen);
        what = what == 0 ? 0 : 1 + what % 15;
        if (what == 0) {
            /* a sweep of every key stamped before this step */
            size_t  n0 = htab_sweep_stamped(t[0], step, t_fetch_old, NULL);

            for (i = 1; i < T_TABS; i++) {
                bad += htab_sweep_stamped(t[i], step, t_fetch_old, NULL)
                    != n0;
            }
            for (k = 0; k < T_KEYS; k++)
                for (i = 0; i < T_TABS; i++)
                    v[i][k] = NULL;
            swept += (int) n0;
            continue;
        }
        for (i = 0; i < T_TABS; i++) {
            void   *f = htab_find_hashed(t[i], key, klen, h);

            bad += f != v[i][k];
        }
        if (v[0][k] == NULL && what < 9) {
            /* a new key: its first bytes zeroed, a mark past them */
            int     fresh[T_TABS];

            for (i = 0; i < T_TABS; i++) {
                int     j;

                v[i][k] = htab_enter_hashed(t[i], key, klen, h, step,
                                            T_ZERO);
                /* a room not used before: its bytes past the zeroed
                 * ones are not defined, set here (a spare's are those
                 * it held) */
                for (j = 0; j < nseen[i] && seen[i][j] != v[i][k]; j++)
                    ;
                fresh[i] = j == nseen[i];
                if (fresh[i] && nseen[i] < T_KEYS)
                    seen[i][nseen[i]++] = v[i][k];
                if (fresh[i])
                    memset((char *) v[i][k] + T_ZERO, 0x5a,
                           T_VSIZE - T_ZERO);
                bad += fresh[i] != fresh[0];
            }
            for (i = 0; i < T_TABS; i++) {
                bad += memcmp(v[i][k], v[0][k], T_VSIZE) != 0;
                bad += memcmp(htab_key_inline(v[i][k]), key, klen) != 0;
            }
            for (i = 0; i < T_TABS; i++)
                memset((char *) v[i][k] + T_ZERO + k % 700, k & 0xff, 32);
        } else if (v[0][k] != NULL && what < 12) {
            found++;
            for (i = 0; i < T_TABS; i++)
                htab_stamp(t[i], v[i][k], step);
        } else if (v[0][k] != NULL) {
            for (i = 0; i < T_TABS; i++) {
                if (what & 1)
                    htab_delete_inline(t[i], v[i][k]);
                else
                    htab_delete_hashed(t[i], key, klen, h);
                v[i][k] = NULL;
            }
        }
    }
    for (i = 1; i < T_TABS; i++)
        bad += htab_count(t[i]) != htab_count(t[0]);
    T_CHECK(bad == 0 && found > 5000 && swept > 1000 && nseen[0] < T_KEYS,
            "htab: a spare fetched in part or whole, the same keys, values "
            "and spares (%d found, %d swept, %d rooms, %d wrong)", found,
            swept, nseen[0], bad);
    for (i = 0; i < T_TABS; i++)
        htab_free(t[i]);
}

/* t_strlen64 - corr_strlen64() is strlen() of a text of n bytes (n from
 * 1 to 63) copied into a field of 64 bytes and ended there, whatever
 * the text holds (NUL bytes anywhere, none, several) and whatever the
 * bytes past n hold (random, all NUL, none NUL); the field on the heap,
 * exactly 64 bytes: the address sanitizer sees a read past it */
static void
t_strlen64(void)
{
    char   *f = malloc(64);
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    size_t  n, i;
    int     round, bad = 0, cut = 0;

    T_CHECK(f != NULL, "a field");
    for (round = 0; round < 20000; round++) {
        unsigned kind = (unsigned) (t_rand(&s) % 4);

        n = 1 + (size_t) (t_rand(&s) % 63);
        for (i = 0; i < 64; i++)        /* past n: garbage, NULs or none */
            f[i] = kind == 0 ? 0 : kind == 1 ? (char) (1 + t_rand(&s) % 255)
                : (char) t_rand(&s);
        for (i = 0; i < n; i++)         /* the text: a NUL now and then */
            f[i] = t_rand(&s) % 16 == 0 && kind != 3 ? 0
                : (char) (1 + t_rand(&s) % 255);
        f[n] = 0;
        cut += strlen(f) < n;
        bad += corr_strlen64(f, n) != strlen(f);
    }
    T_CHECK(bad == 0 && cut > 5000,
            "corr_strlen64 as strlen() of 20000 texts (%d cut by a NUL "
            "of their own; %d wrong)", cut, bad);
    free(f);
}

/* t_ex_rnd - the next of a generator's numbers */
static unsigned
t_ex_rnd(uint64_t *r)
{
    *r = *r * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned) (*r >> 33);
}

/* t_ex_peer - Exim's memory of the pairs (host, address as logged) its
 * new connections took (ex_sess.c, ex_conn_take) against the fill
 * without it: the name and address made canonical, the key and its
 * length, for hostile pairs asked again and again in any order. Names
 * of every length to past what is kept (63 bytes), of any case, with a
 * final dot, numeric, invalid, with NUL and high bytes, alike but for
 * a middle byte; addresses of both families, munged, with a NUL, of
 * every length to past the key's room; no name; one address behind
 * many names and one name before many addresses; few pairs (found),
 * then many (places taken back and forth in each set of two) */
static void
t_ex_peer(void)
{
    static const char *const hosts[] = {
        "", "mx.b.example", "MX.B.Example.", "127.0.0.1", "a..b",
        "-x.example", "x_y.example", "danebroken1.test.ex",
        "danebroken3.test.ex", "h", "(helo.data.changed)",
        "xn--bcher-kva.example", "0123456789abcdef.example",
    };
    static const char *const ips[] = {
        "127.0.0.1", "ip4.ip4.ip4.ip4", "192.0.2.1", "2a02:6b8::311",
        "2A02:6B8::311", "::ffff:192.0.2.1", "1.2.3.256", "fe80::1%eth0",
        "::1", "1.2.3.4.", "ip6:ip6:ip6:ip6:ip6:ip6:ip6:ip6",
    };
    struct sess_conf conf;
    struct sess_cb cb;
    struct t_got got;
    void   *m;
    char    hp[200][80], ipp[200][80];
    size_t  hl[200], il[200];
    uint64_t r = 0x9e3779b97f4a7c15ULL;
    int     i, bad = 0, found = 0;

#define T_R() t_ex_rnd(&r)
    memset(&conf, 0, sizeof(conf));
    memset(&cb, 0, sizeof(cb));
    memset(&got, 0, sizeof(got));
    cb.session_view = t_session_view;
    cb.tls_host = t_tls_host;
    cb.ctx = &got;
    m = corr_sess_create(&conf, &cb, &ex_corr_ops);
    for (i = 0; i < 200; i++) {
        const char *h = hosts[T_R() % (sizeof(hosts) / sizeof(hosts[0]))];
        const char *a = ips[T_R() % (sizeof(ips) / sizeof(ips[0]))];
        size_t  n = strlen(h), k = strlen(a);

        memcpy(hp[i], h, n);
        memcpy(ipp[i], a, k);
        switch (T_R() % 7) {
        case 0:                         /* longer: to past what is kept */
            while (n < 78 && T_R() % 12 != 0) {
                hp[i][n++] = (char) ('a' + T_R() % 26);
                if (T_R() % 5 == 0 && n < 78)
                    hp[i][n++] = '.';
            }
            break;
        case 1:                         /* a byte changed in each */
            if (n > 0)
                hp[i][T_R() % n] = "A.-_:\0\x80 9zZ"[T_R() % 11];
            ipp[i][T_R() % k] = "A.:f\0\x80 9"[T_R() % 8];
            break;
        case 2:                         /* a middle byte of one before */
            if (i > 0 && hl[i - 1] > 16) {
                memcpy(hp[i], hp[i - 1], hl[i - 1]);
                n = hl[i - 1];
                hp[i][n / 2] ^= 1;
            }
            break;
        case 3:                         /* an address to past the key */
            while (k < 70 && T_R() % 10 != 0)
                ipp[i][k++] = "0123456789abcdef:."[T_R() % 18];
            break;
        case 4:                         /* short: every length */
            n = n > 0 ? T_R() % (n + 1) : 0;
            k = T_R() % (k + 1);
            break;
        default:
            break;
        }
        hl[i] = n;
        il[i] = k;
    }
    for (i = 0; i < 400000; i++) {
        unsigned a = T_R() % (i < 100000 ? 30 : 200);
        unsigned b = a;
        struct span h, ip;

        char    mx1[DNAME_MAX + 1], mx2[DNAME_MAX + 1];
        char    nip1[64], nip2[64], key1[64], key2[64];
        int     k1, k2;

        if (T_R() % 4 == 0)
            b = T_R() % (i < 100000 ? 30 : 200);
        h = span_make(hp[a], hl[a]);
        ip = span_make(ipp[b], il[b]);
        k1 = ex_sess_peer_take(m, h, ip, 1, mx1, nip1, key1);
        k2 = ex_sess_peer_take(m, h, ip, 0, mx2, nip2, key2);
        found += k1 > 0;
        if ((k1 < 0 || k1 != k2 || strcmp(mx1, mx2) != 0
             || strcmp(nip1, nip2) != 0 || memcmp(key1, key2, (size_t) k1) != 0)
            && bad++ < 5)
            fprintf(stderr, "peer: \"%.*s\" [%.*s]: %d/%d \"%s\"/\"%s\""
                    " \"%s\"/\"%s\"\n", (int) h.len, h.ptr, (int) ip.len,
                    ip.ptr, k1, k2, mx1, mx2, nip1, nip2);
    }
#undef T_R
    T_CHECK(bad == 0 && found > 100000,
            "Exim's new connections take their peers as without the "
            "memory of pairs (%d of 400000 with a key, %d differ)", found,
            bad);
    corr_sess_free(m);
}

/* t_ex_time_one - one line through Exim's classifier: an event's time
 * (pre.t, pre.dated) as the apply made it of the line's prefix and
 * envelope, its key the log host (cut), a NUL and the message id, in
 * the room kept for it; 1 when it differs. An undated record's time
 * field is set to a time: not read */
static int
t_ex_time_one(struct ts_ctx *ts, struct wrap_rec *r, const char *line,
              size_t len, int *events)
{
    static struct ex_pre pre;
    struct trace tr;
    char    key[SESS_MAX_LOGHOST + 40];
    size_t  hl;
    int64_t t;
    int     dated;

    wrap_parse(ts, span_make(line, len), r);
    if (!r->dated)
        r->t = 1234567;         /* no time, whatever the field holds */
    if (ex_corr_ops.classify_mt(r, NULL, &pre, &tr) != CORR_PRE_EVENT
        || pre.arrival || pre.ev.kind == EX_COMPLETED)
        return 0;       /* a Completed's time is read of its prefix
                         * (ex_completed()) */
    (*events)++;
    dated = pre.ln.stamped || r->dated;
    t = pre.ln.stamped ? pre.ln.t : r->dated ? r->t : 0;
    hl = r->host.len > SESS_MAX_LOGHOST ? SESS_MAX_LOGHOST : r->host.len;
    if (hl > 0)
        memcpy(key, r->host.ptr, hl);
    key[hl] = 0;
    if (pre.ln.id.len > 0)
        memcpy(key + hl + 1, pre.ln.id.ptr, pre.ln.id.len);
    return pre.dated != dated || pre.t != t
        || pre.klen != hl + 1 + pre.ln.id.len || pre.klen > sizeof(pre.key)
        || memcmp(pre.key, key, pre.klen) != 0
        || pre.khash != htab_hash(key, pre.klen);
}

/* t_ex_time - the time and key Exim's classifier makes for the apply
 * (struct ex_pre: on the record's first line, ex_classify_key) against
 * the apply's own reading of the line's prefix and envelope, as it was
 * before: the lines of the Exim corpus (every kind of event) as the
 * main log writes them, with +pid, with a stamp's fraction and zone,
 * through syslog with and without Exim's stamp, through RFC 5424 with
 * no time, log hosts of
 * every length to past the key's cut, old and new message ids, and
 * every line cut short and with a byte changed */
static void
t_ex_time(void)
{
    static const char *const files[] = {
        "testdata/corpus/exim.log", "testdata/corpus/exim-testsuite.log",
    };
    static const char *const env[][2] = {     /* before and after the
                                                 * log host */
        {"", NULL}, {"Mar  1 12:00:00 ", " exim[123]: "},
        {"<13>1 - ", " exim 77 - - "},
        {"2024-03-01T12:00:00+01:00 ", " exim4[9]: "},
    };
    struct ts_ctx ts;
    struct wrap_rec r;
    uint64_t rs = 0x2545f4914f6cdd1dULL;
    char    buf[4096], host[100], line[4096];
    int     bad = 0, events = 0, n = 0;
    size_t  f;

    ts_ctx_init_year(&ts, 2024);
    memset(&r, 0, sizeof(r));
    for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        FILE   *fp = fopen(files[f], "r");

        if (fp == NULL)
            continue;
        while (fgets(line, sizeof(line), fp) != NULL) {
            size_t  len = strcspn(line, "\n");
            const char *body = line;
            int     v;

            line[len] = 0;
            if (line[0] == '#' || len < 21)
                continue;
            n++;
            if (line[4] == '-' && line[19] == ' ')
                body = line + 20;       /* the stamp off */
            for (v = 0; v < 24; v++) {
                size_t  hl = t_ex_rnd(&rs) % 72, i, k;
                const char *pfx[] = {
                    "", "2024-03-01 12:00:00 ", "2024-03-01 12:00:00 [4321] ",
                    "2024-03-01 12:00:00.123 +0200 ",
                };
                const char *const *e = env[v % 4];
                const char *p = v % 4 == 0 ? pfx[1 + (v / 4) % 3]
                    : pfx[(v / 4) % 4];
                int     m;

                for (i = 0; i < hl; i++)
                    host[i] = (char) ('a' + t_ex_rnd(&rs) % 26);
                host[hl ? hl : 1] = 0;
                if (hl == 0)
                    host[0] = 'h';
                if (e[1] == NULL)
                    m = snprintf(buf, sizeof(buf), "%s%s", p, body);
                else
                    m = snprintf(buf, sizeof(buf), "%s%s%s%s%s", e[0], host,
                                 e[1], p, body);
                k = (size_t) m;
                if (v >= 16) {          /* cut short, a byte changed */
                    k = t_ex_rnd(&rs) % (k + 1);
                    if (k > 0 && v >= 20)
                        buf[t_ex_rnd(&rs) % k] = "- [:0A\x80 "[t_ex_rnd(&rs) % 8];
                }
                if (t_ex_time_one(&ts, &r, buf, k, &events) && bad++ < 5)
                    fprintf(stderr, "ex time: %.*s\n", (int) k, buf);
            }
        }
        fclose(fp);
    }
    T_CHECK(n > 100 && events > 1000 && bad == 0,
            "Exim's events carry the time and key the apply made of the "
            "line (%d lines, %d events, %d differ)", n, events, bad);
}

/* t_pf_reasons - Postfix's failure reasons through its memos of folded
 * texts (pf_reason_put: a certificate line's text, pf_why_put: a status
 * text's code) against the same lines each through a parser of its
 * own, whose memos are empty: the same reason, result and disposition
 * for every session. Texts repeated (hits), new (misses), alike in
 * length and first and last bytes (one place), short, long, "num=" and
 * issuer cuts, upper case and bad bytes */
struct t_pfr {
    int     n;
    char    reason[4000][SESS_MAX_REASON + 1];
    int     result[4000], disp[4000], conn[4000];
};

static void
t_pfr_session(void *ctx, const struct sess_rec *r, enum sess_disp d)
{
    struct t_pfr *o = ctx;

    if (o->n < 4000) {
        memcpy(o->reason[o->n], r->reason, sizeof(o->reason[0]));
        o->result[o->n] = r->result;
        o->disp[o->n] = d;
        /* d<connection>.test; -1: none (unattributed, flushed last) */
        o->conn[o->n] = r->domain[0] ? atoi(r->domain + 1) : -1;
    }
    o->n++;
}

/* t_pfr_cmp - qsort of reasons */
static int
t_pfr_cmp(const void *x, const void *y)
{
    return strcmp((const char *) x, (const char *) y);
}

/* t_pfr_text - a certificate failure's text into out (its length) */
static size_t
t_pfr_text(uint64_t *s, char *out)
{
    static const char *const base[] = {
        "untrusted issuer /C=US/O=Example CA/CN=Example Root",
        "self-signed certificate", "certificate has expired",
        "num=62:hostname mismatch",
        "num=20:unable to get local issuer certificate",
        "num=19:self signed certificate in certificate chain",
        "Hostname Mismatch", "x", "short", "num=:", "num=7",
    };
    uint64_t r = t_rand(s);
    size_t  n, i;

    switch (r % 6) {
    case 0:
    case 1:                     /* a few texts again and again */
        return (size_t) snprintf(out, 300, "%s",
                                 base[(r >> 8) % (sizeof(base)
                                                  / sizeof(base[0]))]);
    case 2:                     /* one length, first and last bytes */
        return (size_t) snprintf(out, 300, "num=2%u:bad thing %c certificate",
                                 (unsigned) (r >> 8) % 10,
                                 'a' + (int) ((r >> 16) % 26));
    case 3:                     /* new ones, some past the memo's room */
        n = 1 + (size_t) (r >> 8) % 200;
        for (i = 0; i < n; i++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            out[i] = (char) (33 + (r >> 33) % 94);
            if (out[i] == '(' || out[i] == ')')
                out[i] = 'Q';
        }
        out[n] = 0;
        return n;
    default:
        return (size_t) snprintf(out, 300, "untrusted issuer /C=%c%c/O=CA %u",
                                 'A' + (int) ((r >> 8) % 3),
                                 'A' + (int) ((r >> 12) % 3),
                                 (unsigned) (r >> 16) % 7);
    }
}

static void
t_pfr_feed(struct parser_set *ps, const char *line)
{
    struct ts_ctx ts;
    struct wrap_rec r;
    struct trace tr;

    ts_ctx_init_year(&ts, 2024);
    wrap_parse(&ts, span_make(line, strlen(line)), &r);
    (void) parser_feed(ps, &r, &tr);
}

static void
t_pf_reasons(void)
{
    static const char *const why[] = {
        "Server certificate not trusted",
        "Cannot start TLS: handshake failure",
        "Server certificate not verified", "TLSA lookup error",
        "no TLSA records found", "refused to start TLS",
        "TLS is required, but was not offered",
        "Cannot verify server hostname",
        "TLSA records unusable", "non DNSSEC destination",
        "Cannot verify server certificate", "Ok",
    };
    /* each in parentheses: one string of two literals, not two */
    static const char *const lib[] = {
        ("error:1425F102:SSL routines:ssl_choose_client_version:"
         "unsupported protocol:../ssl/statem/h-e5bbe8e27039:1929:"),
        ("3682:error:140740BF:SSL routines:SSL23_CLIENT_HELLO:no "
         "protocols available:s23_clnt.c:381:"),
        ("20250:error:14090086:SSL routines:SSL3_GET_SERVER_"
         "CERTIFICATE:certificate verify failed:s3_clnt.c:894:"),
        ("error:0A000126:SSL routines::unexpected eof while "
         "reading:../ssl/record/rec_layer_s3.c:308:"),
    };
    static char lines[3000][2][600];
    static struct t_pfr a, b;
    struct sess_conf conf;
    struct sess_cb cb;
    struct parser_set *ps, *one;
    uint64_t s = 0x5eed0f0dULL;
    char    text[300];
    int     i, j, same = 1;

    for (i = 0; i < 3000; i++) {
        uint64_t r = t_rand(&s);
        const char *w = why[(r >> 8) % (sizeof(why) / sizeof(why[0]))];
        int     kind = (int) (r % 4);

        lines[i][0][0] = 0;
        if (kind == 3) {        /* a TLS library problem, then the status */

            if ((r >> 20) % 3 == 0)
                t_pfr_text(&s, text);
            else
                snprintf(text, sizeof(text), "%s",
                         lib[(r >> 24) % (sizeof(lib) / sizeof(lib[0]))]);
            snprintf(lines[i][0], sizeof(lines[i][0]), "Dec  2 14:31:17 "
                     "sender postfix/smtp[%d]: warning: TLS library "
                     "problem: %s", 1000 + i, text);
        }
        if (kind == 0) {        /* a certificate line, then the status */
            if ((r >> 20) % 4 == 0)     /* a library problem's text */
                snprintf(text, sizeof(text), "%s",
                         lib[(r >> 24) % (sizeof(lib) / sizeof(lib[0]))]);
            else
                t_pfr_text(&s, text);
            snprintf(lines[i][0], sizeof(lines[i][0]), "Dec  2 14:31:17 "
                     "sender postfix/smtp[%d]: server certificate "
                     "verification failed for mx%d.test[192.0.2.%d]:25: %s",
                     1000 + i, i % 50, 1 + i % 200, text);
        }
        if (kind == 2)          /* no peer: a code alone */
            snprintf(lines[i][1], sizeof(lines[i][1]), "Dec  2 14:31:18 "
                     "sender postfix/smtp[%d]: Q%dX: to=<a@d%d.test>, "
                     "relay=none, delay=1, delays=0/0/0/1, dsn=4.7.5, "
                     "status=deferred (%s)", 1000 + i, i, i, w);
        else
            snprintf(lines[i][1], sizeof(lines[i][1]), "Dec  2 14:31:18 "
                     "sender postfix/smtp[%d]: Q%dX: to=<a@d%d.test>, "
                     "relay=mx%d.test[192.0.2.%d]:25, delay=1, "
                     "delays=0/0/0/1, dsn=4.7.5, status=deferred (%s)",
                     1000 + i, i, i, i % 50, 1 + i % 200, w);
    }
    memset(&conf, 0, sizeof(conf));
    memset(&cb, 0, sizeof(cb));
    cb.session = t_pfr_session;
    cb.tls_host = t_tls_host;
    cb.ctx = &a;
    ps = parser_set_create("postfix", &conf, &cb);
    for (i = 0; i < 3000; i++)
        for (j = 0; j < 2; j++)
            if (lines[i][j][0])
                t_pfr_feed(ps, lines[i][j]);
    parser_flush(ps);
    parser_set_free(ps);
    cb.ctx = &b;
    for (i = 0; i < 3000; i++) {
        one = parser_set_create("postfix", &conf, &cb);
        for (j = 0; j < 2; j++)
            if (lines[i][j][0])
                t_pfr_feed(one, lines[i][j]);
        parser_flush(one);
        parser_set_free(one);
    }
    T_CHECK(a.n == b.n && a.n > 2000 && a.n <= 4000,
            "Postfix reasons: %d sessions, %d alone", a.n, b.n);
    /* the k-th session of each connection (its domain) in both */
    for (i = 0; i < a.n && i < 4000 && same; i++) {
        int     k = 0, m;

        if (a.conn[i] < 0)
            continue;
        for (m = 0; m < i; m++)
            k += a.conn[m] == a.conn[i];
        for (j = 0; j < b.n && j < 4000; j++)
            if (b.conn[j] == a.conn[i] && k-- == 0)
                break;
        if (j == b.n || j == 4000 || strcmp(a.reason[i], b.reason[j]) != 0
            || a.result[i] != b.result[j] || a.disp[i] != b.disp[j]) {
            T_CHECK(0, "Postfix reason of d%d: \"%s\" %d %d, alone %s",
                    a.conn[i], a.reason[i], a.result[i], a.disp[i],
                    j < b.n && j < 4000 ? b.reason[j] : "(none)");
            same = 0;
        }
    }
    /* the sessions of no domain, as a set: reason, result, disposition */
    {
        static char ua[4000][SESS_MAX_REASON + 8], ub[4000][SESS_MAX_REASON + 8];
        int     na = 0, nb = 0;

        for (i = 0; i < a.n && i < 4000; i++)
            if (a.conn[i] < 0)
                snprintf(ua[na++], sizeof(ua[0]), "%s %d %d", a.reason[i],
                         a.result[i], a.disp[i]);
        for (i = 0; i < b.n && i < 4000; i++)
            if (b.conn[i] < 0)
                snprintf(ub[nb++], sizeof(ub[0]), "%s %d %d", b.reason[i],
                         b.result[i], b.disp[i]);
        qsort(ua, (size_t) na, sizeof(ua[0]), t_pfr_cmp);
        qsort(ub, (size_t) nb, sizeof(ub[0]), t_pfr_cmp);
        T_CHECK(na == nb && na > 20, "Postfix reasons: %d sessions of no "
                "domain, %d alone", na, nb);
        for (i = 0; i < na && i < nb; i++)
            if (strcmp(ua[i], ub[i]) != 0) {
                T_CHECK(0, "Postfix reason of no domain: %s, alone %s",
                        ua[i], ub[i]);
                same = 0;
                break;
            }
    }
    T_CHECK(same, "Postfix reasons through the memos as alone");
}

int
main(void)
{
    t_strlen64();
    t_emit_dom();
    t_emit_reason();
    t_pend_ring();
    t_ring_spares();
    t_hash();
    t_htab_keys();
    t_htab_fetch();
    t_ex_peer();
    t_ex_time();
    t_pf_reasons();
    return T_DONE();
}
