/* parsers/corr.c - the correlator core (see corr.h)
 *
 * A key's state lives in its entry of the key table (htab_create_inline:
 * the struct corr_proc followed by its current connection, ops->conn_size
 * bytes; one allocation with the key), and the entries of forgotten keys
 * serve new ones. The ring of waiting connections (and of open ones) is
 * taken when a first one waits and given back when the key is flushed,
 * to a list of spare rings of the correlator: most keys never have one.
 * So a steady state allocates nothing per key or session (a new smtp
 * process per delivery used to cost two to four malloc/free pairs).
 */
#include "corr.h"
#include "../util/dname.h"
#include "../util/htab.h"
#include "../util/ipaddr.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <stddef.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif


static const int corr_default_ports[] = {25};

/* a key's own part is one cache line (corr.h) */
_Static_assert(sizeof(void *) != 8 || sizeof(struct corr_proc) == 64,
               "struct corr_proc is one cache line");

/* corr_key_proc - key of a line: host, NUL, program, NUL, pid */
size_t
corr_key_proc(const struct wrap_rec *r, char *key, size_t pidmax)
{
    size_t  n = 0;
    size_t  hl = r->host.len > SESS_MAX_LOGHOST ? SESS_MAX_LOGHOST : r->host.len;
    size_t  il = r->ident.len > 128 ? 128 : r->ident.len;
    size_t  pl = r->pid.len > pidmax ? pidmax : r->pid.len;

    if (pl > 24)
        pl = 24;
    /* spans of absent fields may have a NULL pointer: copy only bytes
     * (span_mem_put: no call for a field of up to 16 bytes, where three
     * memcpy() calls were two thirds of the cost) */
    span_mem_put(key + n, r->host.ptr, hl);
    n += hl;
    key[n++] = 0;
    span_mem_put(key + n, r->ident.ptr, il);
    n += il;
    key[n++] = 0;
    span_mem_put(key + n, r->pid.ptr, pl);
    n += pl;
    return n;
}

/* corr_hash_proc - the hash of corr_key_proc's key (corr.h) */
uint64_t
corr_hash_proc(const struct wrap_rec *r, size_t pidmax)
{
    char    key[CORR_KEY_MAX];

    return htab_hash(key, corr_key_proc(r, key, pidmax));
}

/* The last names and addresses made canonical on this thread (as
 * written, and what dname_check() and ipaddr_norm() made of them): the
 * lines of a log name the same few MX hosts and domains again and again,
 * and a text seen again costs a compare instead of its check (an IPv6
 * address costs inet_pton() and inet_ntop(), some 3,400 instructions).
 * What is kept is a function of the text alone. Per thread: no sharing */
#define CORR_MEMO_IN 64             /* longer texts are not kept */
#define CORR_MEMO_WAYS 16           /* texts kept per table */

struct corr_memo {
    uint8_t len;                    /* of in; 0: nothing kept */
    uint8_t st;                     /* enum corr_canon */
    uint8_t clen;                   /* CORR_CANON_RAW: canonical length */
    uint8_t num;                    /* CORR_CANON_RAW names: numeric */
    char    in[CORR_MEMO_IN];
    char    out[IPADDR_MAX + 1];    /* CORR_CANON_BUF addresses */
};

_Thread_local int corr_canon_ahead;

static _Thread_local struct corr_memo corr_memo_host[CORR_MEMO_WAYS];
static _Thread_local struct corr_memo corr_memo_ip[CORR_MEMO_WAYS];

/* the memo of recipient domains (corr_dom_memo: the emit step's and
 * corr_canon_dom_mt's): the domains of a log's sessions, more than
 * CORR_MEMO_WAYS often (the replayed Exim log: 34, which 16 places
 * kept a third of them out) */
#define CORR_EMIT_BITS 7
static _Thread_local struct corr_memo corr_memo_emit[1 << CORR_EMIT_BITS];
static _Thread_local uint8_t corr_emit_last[1 << (CORR_EMIT_BITS - 1)];

/* its asks (corr_dom_memo): left of the CORR_DOM_TRY being counted,
 * missed among them, and the domains left that do not ask it */
static _Thread_local struct {
    unsigned left;
    unsigned miss;
    unsigned rest;
} corr_dom_ask;

/* corr_memo_find - the place of text t (0 < len) in a table; *hit set
 * to 1 when it holds t */
static inline struct corr_memo *
corr_memo_find(struct corr_memo *tab, struct span t, int *hit)
{
    unsigned h = (unsigned) t.len * 31u + (unsigned char) t.ptr[0] * 7u
        + (unsigned char) t.ptr[t.len - 1] + (unsigned char) t.ptr[t.len / 2];
    struct corr_memo *m = &tab[h % CORR_MEMO_WAYS];

    *hit = t.len == m->len && memcmp(t.ptr, m->in, t.len) == 0;
    return m;
}

/* corr_memo_keep - note text t in m (when it fits) */
static inline void
corr_memo_keep(struct corr_memo *m, struct span t)
{
    if (t.len > CORR_MEMO_IN) {
        m->len = 0;
        return;
    }
    m->len = (uint8_t) t.len;
    memcpy(m->in, t.ptr, t.len);
}

/* corr_canon_at - corr_canon_name at place m of its table (hit: m holds
 * n) */
static inline int
corr_canon_at(struct corr_memo *m, int hit, struct span n, uint8_t *clen,
              uint8_t *num)
{
    size_t  len, i;
    int     rc;

    if (!hit) {
        corr_memo_keep(m, n);
        m->num = 0;
        if ((rc = dname_check(n.ptr, n.len, &len)) < 0) {
            m->st = CORR_CANON_BAD;
        } else if (rc > 0) {
            m->st = CORR_CANON_MAP;
        } else {
            m->st = CORR_CANON_RAW;
            m->clen = (uint8_t) len;
            for (i = 0; i < len; i++)   /* dname_is_numeric() */
                if (!((n.ptr[i] >= '0' && n.ptr[i] <= '9') || n.ptr[i] == '.'))
                    break;
            m->num = i == len;
        }
    }
    *clen = m->clen;
    *num = m->num;
    return m->st;
}

/* corr_canon_name - what dname_norm() and dname_is_numeric() make of a
 * name n (len > 0), remembered in tab */
static int
corr_canon_name(struct corr_memo *tab, struct span n, uint8_t *clen,
                uint8_t *num)
{
    struct corr_memo *m;
    int     hit;

    m = corr_memo_find(tab, n, &hit);
    return corr_canon_at(m, hit, n, clen, num);
}

/* corr_canon_host_mt - a peer's host name made canonical (corr.h) */
int
corr_canon_host_mt(struct span n, uint8_t *clen, uint8_t *num)
{
    return corr_canon_name(corr_memo_host, n, clen, num);
}

/* corr_canon_ip_mt - a peer's address made canonical (corr.h) */
int
corr_canon_ip_mt(struct span a, uint8_t *clen, char *buf)
{
    struct corr_memo *m;
    size_t  n;
    int     hit;

    m = corr_memo_find(corr_memo_ip, a, &hit);
    if (!hit) {
        corr_memo_keep(m, a);
        if (ipaddr_norm(a.ptr, a.len, m->out) != 0) {
            m->st = CORR_CANON_BAD;
        } else if ((n = strlen(m->out)) == a.len
                   && memcmp(m->out, a.ptr, n) == 0) {
            m->st = CORR_CANON_RAW;
            m->clen = (uint8_t) n;
        } else {
            m->st = CORR_CANON_BUF;
        }
    }
    *clen = m->clen;
    if (m->st == CORR_CANON_BUF)
        memcpy(buf, m->out, strlen(m->out) + 1);
    return m->st;
}

/* Spare rings: a stack of their addresses (struct corr_spares), the
 * last given back taken first. It was a list linked through each
 * ring's first bytes: taking a ring read the one taken (the next's
 * address), long out of the cache since a flush gave it back, and
 * giving one back wrote it. That read was nine tenths of the samples
 * of corr_retire_active() at -j 2 on corpus.log (perf record), and the
 * write a line more of each idle key's flush. Now the address of the
 * next ring to be taken is known, and its first line, which taking it
 * writes (corr_pend_get), is fetched when the one before is taken. At
 * most as many as keys had rings at once */

/* corr_ring_get - a ring of size bytes, spare or new */
static void *
corr_ring_get(struct corr_spares *s, size_t size)
{
    void   *r;

    if (s->n == 0)
        return xmalloc(size);
    r = s->v[--s->n];
    if (s->n > 0)
        __builtin_prefetch(s->v[s->n - 1], 1);
    return r;
}

/* corr_ring_put - ring r (NULL: none) to the spares; NULL */
static void *
corr_ring_put(struct corr_spares *s, void *r)
{
    if (r != NULL) {
        if (__builtin_expect(s->n == s->cap, 0)) {
            s->cap = s->cap ? s->cap * 2 : 64;
            s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
        }
        s->v[s->n++] = r;
    }
    return NULL;
}

/* corr_ring_drain - free the spare rings */
static void
corr_ring_drain(struct corr_spares *s)
{
    while (s->n > 0)
        xfree(s->v[--s->n]);
    xfree(s->v);
    s->v = NULL;
    s->cap = 0;
}

/* The ring of waiting connections: max_pend places, each a pointer to
 * a connection, then max_pend connections of ops.conn_size bytes. A
 * connection that starts to wait is not copied into a place: the
 * place's pointer and cur are swapped (corr_retire_active), and the
 * memory of the free place is the key's cur from then on. So cur and
 * the waiting ones lie in the ring's memory and in the key's entry in
 * any order; a flush puts cur back into the entry (corr_flush_slow),
 * and a ring taken sets its places again (corr_pend_get) */

/* corr_pend_get - a ring of waiting connections, each place at its own
 * connection */
static void *
corr_pend_get(struct corr *k)
{
    size_t  n = (size_t) k->ops.max_pend;
    size_t  sz = k->ops.conn_size;
    void   *r = corr_ring_get(&k->spare_pend, n * (sizeof(void *) + sz));
    char   *conn = (char *) r + n * sizeof(void *);
    size_t  i;

    for (i = 0; i < n; i++) {
        struct corr_conn *c = (struct corr_conn *) (conn + i * sz);

        memcpy((char *) r + i * sizeof(void *), &c, sizeof(c));
    }
    return r;
}

/* corr_pend_at - the place of waiting connection i of p */
static inline struct corr_conn **
corr_pend_at(const struct corr *k, const struct corr_proc *p, unsigned i)
{
    return (struct corr_conn **) p->pend
        + ((p->phead + i) & (unsigned) (k->ops.max_pend - 1));
}

/* corr_pend - waiting connection i of p: the one of place i */
struct corr_conn *
corr_pend(const struct corr *k, const struct corr_proc *p, int i)
{
    return *corr_pend_at(k, p, (unsigned) i);
}

/* corr_is_mx_port - port of an MX session (unknown counts as 25) */
int
corr_is_mx_port(const struct corr *k, int port)
{
    size_t  i;

    if (port < 0)
        return 1;
    for (i = 0; i < k->conf.nmx_ports; i++)
        if (k->conf.mx_ports[i] == port)
            return 1;
    return 0;
}

/* corr_rcpt_domain - domain part of an address span */
struct span
corr_rcpt_domain(struct span rcpt)
{
    /* memrchr, not a loop a byte at a time: 1 % of an Exim log's run */
    const char *at = rcpt.len ? memrchr(rcpt.ptr, '@', rcpt.len) : NULL;

    if (at == NULL)
        return span_make(rcpt.ptr, 0);
    return span_make(at + 1, rcpt.len - (size_t) (at + 1 - rcpt.ptr));
}

/* corr_own_from - note the id of our own report mail (corr.h) */
int
corr_own_from(struct corr *k, const struct wrap_rec *r, struct span qid,
              struct span addr, int64_t t, struct trace *tr)
{
    if (!sess_own_sender(k->own, addr))
        return 0;
    sess_own_note(k->own, r->host, qid, t);
    tr->kind = TRACE_CONTEXT;
    return 1;
}

/* corr_local_hop - a relay naming the local host (corr.h) */
int
corr_local_hop(const char *mx, const char *ip)
{
    if (strcmp(mx, "localhost") == 0 || strncmp(mx, "localhost.", 10) == 0)
        return 1;
    return mx[0] == 0 && (strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0);
}

/* corr_relay - a configured relay host, or the MTA's own relay hop */
int
corr_relay(const struct corr *k, const char *mx, const char *ip, int hop)
{
    return hop || (k->conf.is_relay
                   && k->conf.is_relay(mx, ip, k->conf.is_relay_ctx));
}

/* A view's strings (corr_emit_rec) may be read SESS_VIEW_ROOM bytes
 * from their start: the names' fields and a verdict's slug have that
 * room, and a key's log host (the key's first bytes in its entry of the
 * key table) is followed in the entry by the rest of the key's room
 * and its struct corr_proc */
_Static_assert(sizeof(((struct corr_names *) 0)->ip) >= SESS_VIEW_ROOM
               && sizeof(((struct corr_names *) 0)->mx) >= SESS_VIEW_ROOM
               && sizeof(struct corr_proc) >= SESS_VIEW_ROOM
               && DNAME_MAX + 1 >= SESS_VIEW_ROOM
               && SESS_MAX_REASON + 1 >= SESS_VIEW_ROOM,
               "a view's strings have SESS_VIEW_ROOM bytes");

/* corr_strlen32 - strlen(s) of a string in a field of at least 32
 * bytes (a connection's host name or address): its first 32 bytes
 * looked at by two compares of 16, no call (a strlen() call each was
 * a tenth of the emit step); a longer one measured on from there */
static inline size_t
corr_strlen32(const char *s)
{
#ifdef __SSE2__
    __m128i z = _mm_setzero_si128();
    unsigned m = (unsigned) _mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *) s), z))
        | (unsigned) _mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *) (s + 16)),
                           z)) << 16;

    if (__builtin_expect(m != 0, 1))
        return (size_t) __builtin_ctz(m);
    return 32 + strlen(s + 32);
#else
    return strlen(s);
#endif
}

/* corr_dom_memo - what dname_norm() and dname_is_numeric() make of a
 * recipient domain dom (len > 0), as corr_canon_dom_mt() returns it, or
 * CORR_CANON_NONE when its memo is not asked: the domains of a log's
 * sessions are few (the replayed Exim log's 20 MB: every check but a
 * few hundred made before), and a domain seen again costs a compare
 * instead of its check (dname_check(), some 120 instructions). A log of
 * as many domains as sessions (a bulk sender) would only add the memo's
 * misses to the checks: while fewer than a quarter of CORR_DOM_TRY asks
 * hit, the memo is left alone for CORR_DOM_REST domains. Either way the
 * answer is the same. One memo a thread, for the emit step (corr_emit:
 * one thread) and the parsing threads' classifiers (corr_canon_dom_mt) */
#define CORR_DOM_TRY 256
#define CORR_DOM_REST 32768

/* corr_emit_slot - the place of a domain (len > 0) in corr_memo_emit,
 * a pair of ways:
 * its length and its first, middle and last eight bytes, mixed. A few
 * bytes picked from it (sess_text_slot) gave names alike in shape one
 * place ("valid.test", "multi.test": a third of the replayed Postfix
 * corpus's sessions; "danebroken1.test.ex" to "danebroken6...": a
 * sixth of Exim's), which then pushed each other out */
static inline unsigned
corr_emit_slot(struct span t)
{
    uint64_t a = 0, b = 0, c = 0;

    if (t.len >= 8) {
        memcpy(&a, t.ptr, 8);
        memcpy(&b, t.ptr + t.len - 8, 8);
        memcpy(&c, t.ptr + t.len / 2 - 4, 8);
    } else if (t.len >= 4) {
        uint32_t x, y;

        memcpy(&x, t.ptr, 4);
        memcpy(&y, t.ptr + t.len - 4, 4);
        a = x;
        b = y;
    } else {
        a = (unsigned char) t.ptr[0] | (unsigned) (unsigned char)
            t.ptr[t.len / 2] << 8 | (unsigned) (unsigned char)
            t.ptr[t.len - 1] << 16;
    }
    a = (a ^ (b * 0xc2b2ae3d27d4eb4fULL) ^ (c * 0x165667b19e3779f9ULL)
         ^ t.len) * 0x9e3779b97f4a7c15ULL;
    return (unsigned) (a >> (64 - CORR_EMIT_BITS + 1));
}

/* corr_text_same - memcmp(a, b, n) == 0 of a domain (span_mem_same):
 * one of 17 to 32 bytes (the replayed Exim log's "danebroken1.test.ex"
 * and the like: 11,544 memcmp() calls in 20 MB) as four words, the
 * last two ending with it; nothing read past n bytes */
static inline int
corr_text_same(const char *a, const char *b, size_t n)
{
    if (n <= 16 || n > 32)
        return span_mem_same(a, b, n);
    return span_mem_same32(a, b, n);
}

/* corr_text_put - memcpy(d, s, n) of a domain (span_mem_put): one of
 * 17 to 32 bytes as two copies of 16 (the second ending with it), no
 * call; nothing read or written past n bytes */
static inline void
corr_text_put(char *d, const char *s, size_t n)
{
    char    x[16], y[16];

    if (n <= 16 || n > 32) {
        span_mem_put(d, s, n);
        return;
    }
    memcpy(x, s, 16);
    memcpy(y, s + n - 16, 16);
    memcpy(d, x, 16);
    memcpy(d + n - 16, y, 16);
}

static inline int
corr_dom_memo(struct span dom, uint8_t *clen)
{
    struct corr_memo *m;
    int     st, hit;
    unsigned at;
    uint8_t num;

    if (corr_dom_ask.rest > 0) {
        corr_dom_ask.rest--;
        return CORR_CANON_NONE;
    }
    /* two ways a place; a new text takes the one not asked last */
    at = corr_emit_slot(dom);
    m = &corr_memo_emit[at * 2];
    if ((hit = dom.len == m->len
         && corr_text_same(dom.ptr, m->in, dom.len)) != 0) {
        corr_emit_last[at] = 0;
    } else if (m++, (hit = dom.len == m->len
                     && corr_text_same(dom.ptr, m->in, dom.len)) != 0) {
        corr_emit_last[at] = 1;
    } else {
        corr_emit_last[at] ^= 1;
        m = &corr_memo_emit[at * 2 + corr_emit_last[at]];
    }
    if (!hit)
        corr_dom_ask.miss++;
    st = corr_canon_at(m, hit, dom, clen, &num);
    /* a count down, the misses counted: one step on a hit */
    if (corr_dom_ask.left-- == 0) {
        if (corr_dom_ask.miss > CORR_DOM_TRY - CORR_DOM_TRY / 4)
            corr_dom_ask.rest = CORR_DOM_REST;
        corr_dom_ask.left = CORR_DOM_TRY - 1;
        corr_dom_ask.miss = 0;
    }
    return st == CORR_CANON_RAW && num ? CORR_CANON_BAD : st;
}

/* corr_canon_dom_mt - a recipient domain as corr_emit takes it (corr.h):
 * by the memo of the emit step's domains (corr_dom_memo), or checked
 * while it rests. A table of 16 places by a name's length and three of
 * its bytes missed on a third of the replayed Postfix corpus's status
 * lines */
int
corr_canon_dom_mt(struct span dom, uint8_t *clen)
{
    size_t  len, i;
    int     st, rc;

    if (dom.len == 0)
        return CORR_CANON_BAD;
    if ((st = corr_dom_memo(dom, clen)) != CORR_CANON_NONE)
        return st;
    /* corr_canon_at() without a place to keep it */
    if ((rc = dname_check(dom.ptr, dom.len, &len)) < 0)
        return CORR_CANON_BAD;
    if (rc > 0)
        return CORR_CANON_MAP;
    for (i = 0; i < len; i++)           /* dname_is_numeric() */
        if (!((dom.ptr[i] >= '0' && dom.ptr[i] <= '9') || dom.ptr[i] == '.'))
            break;
    if (i == len)
        return CORR_CANON_BAD;
    *clen = (uint8_t) len;
    return CORR_CANON_RAW;
}

/* corr_view_empty - an empty string of a view: SESS_VIEW_ROOM bytes */
static const char corr_view_empty[SESS_VIEW_ROOM];

/* corr_emit_plain - a view as a record, to sess_cb.session (a caller
 * without session_view): out of line, the record's thousand bytes not
 * in the emit step's frame */
static void __attribute__((noinline))
corr_emit_plain(struct corr *k, const struct sess_view *sv, enum sess_disp d)
{
    struct sess_rec rec;

    sess_view_rec(sv, &rec);
    k->cb.session(k->cb.ctx, &rec, d);
}

/* corr_emit_rec - the one emit step: outcome, record, disposition
 * (corr_emit, corr_emit_canon: known 1 when canon is dom made canonical).
 * The disposition order, the first that holds:
 *   unattributed   no line named the recipient domain
 *   relayhost      the MTA's own relay hop, told by the line alone
 *                  (Sendmail's MSP hop to the local MTA, mailer relay):
 *                  not a delivery to an MX, whatever its recipient
 *   bad-domain     the domain fails validation (or is an address)
 *   undated        no time stamp: no report day
 *   lmtp           Postfix lmtp(8): local delivery, not an MX
 *   local-no-starttls  TLS switched off or broken on our side
 *   port           not an MX port (submission, a content filter)
 *   relayhost      a host named in relay_hosts (corr_relay)
 *   own-report     it carried our own report mail (RFC 8460 s. 3)
 *   counted
 * Past the MTA's own hop, what the session is (its domain, its day)
 * comes before what our side made of it (lmtp, local, port, relay
 * host, own report): a session without a valid domain or day cannot be
 * told to anyone, whoever caused it. A relay host reached on a
 * submission port is "port": the port says it from the line alone.
 * Inline in corr_emit and corr_emit_canon, each with known a constant:
 * a call of its own passed its eight arguments again (some ten
 * instructions a session) */
static inline __attribute__((always_inline)) void
corr_emit_rec(struct corr *k, struct corr_proc *p, struct corr_conn *c,
              const struct span *dom, int known, const char *canon,
              size_t clen, int hop)
{
    struct sess_view sv;
    struct corr_verdict v;
    const struct corr_names *nm;
    enum sess_disp d = SESS_D_COUNTED;
    int     valid, st;
    long    n;
    size_t  i, dlen;
    uint8_t c8;
    char    dbuf[DNAME_MAX + 1];
    char    rbuf[SESS_MAX_REASON + 1];

    c->attributed = 1;
    /* one call: every field of v written by it (ops.judge) */
    if ((v.result = k->ops.judge(c, &v)) < 0)
        return;
    /* the session handed over as a view (global/sess.h): its strings
     * where they lie, each measured once, here, and copied once, into
     * the table key (engine/pipe.c), not first into a record */
    sv.time = c->t0;
    sv.day = (int32_t) (c->t0 >= 0 ? c->t0 / 86400 : (c->t0 - 86399) / 86400);
    sv.result = (uint8_t) v.result;
    sv.policy = SESS_POL_NONE;
    sv.flags = v.plain ? SESS_F_PLAINTEXT : 0;
    sv.cert = (uint8_t) v.cert;
    sv.cert_problem = (uint8_t) v.cert_problem;
    sv.helo = span_make(corr_view_empty, 0);
    /* the names' fields and the key's entry (its log host, then the
     * rest of the key's room and the key's struct corr_proc) have
     * SESS_VIEW_ROOM bytes and more */
    nm = corr_names_c(k, c);
    sv.mx = span_make(nm->mx, corr_strlen32(nm->mx));
    sv.ip = span_make(nm->ip, corr_strlen32(nm->ip));
    sv.loghost = span_make(p->loghost, p->hlen);
    if (v.result != SESS_SUCCESS && v.slug) {   /* as it is, no check */
        /* a field of at least 32 bytes (corr_verdict.slug): measured as
         * the host name is, no strlen() call */
        sv.reason = span_make(v.reason, corr_strlen32(v.reason));
    } else if (v.result != SESS_SUCCESS) {
        sv.reason = span_make(rbuf, sess_put_reason(rbuf, v.reason,
                                                    strlen(v.reason)));
    } else {
        sv.reason = span_make(corr_view_empty, 0);
    }
    dlen = 0;
    if (known) {                /* made canonical by the MTA's classify_mt */
        if ((valid = dom != NULL && canon != NULL) != 0) {
            corr_text_put(dbuf, canon, clen);
            dbuf[clen] = 0;
            dlen = clen;
        }
    } else if (dom != NULL && dom->len > 0
               && (st = corr_dom_memo(*dom, &c8)) != CORR_CANON_NONE) {
        /* what corr_canon_dom_mt() remembers of it: the same record */
        if ((valid = st == CORR_CANON_RAW) != 0) {
            corr_text_put(dbuf, dom->ptr, c8);
            dbuf[c8] = 0;
            dlen = c8;
        } else if (st == CORR_CANON_MAP) {
            dlen = (size_t) dname_norm_len(dom->ptr, dom->len, dbuf);
            valid = 1;
        }
    } else if (dom != NULL
               && (n = dname_norm_len(dom->ptr, dom->len, dbuf)) > 0) {
        /* dname_is_numeric() of the name just made */
        for (i = 0; i < (size_t) n; i++)
            if (!((dbuf[i] >= '0' && dbuf[i] <= '9') || dbuf[i] == '.'))
                break;
        valid = i < (size_t) n;
        dlen = (size_t) n;
    } else {
        valid = 0;
    }
    if (dom == NULL)
        d = SESS_D_UNATTRIBUTED;
    else if (hop || v.hop)
        d = SESS_D_RELAYHOST;
    else if (!valid)
        d = SESS_D_BAD_DOMAIN;
    else if (!c->dated)
        d = SESS_D_UNDATED;
    else if (p->lmtp)
        d = SESS_D_LMTP;
    else if (v.local)
        d = SESS_D_LOCAL_NOTLS;
    else if (!corr_is_mx_port(k, c->port))
        d = SESS_D_PORT;
    else if (corr_relay(k, nm->mx, nm->ip, 0))
        d = SESS_D_RELAYHOST;
    else if (k->own != NULL
             && (k->ops.own ? sess_own_any(k->own) && k->ops.own(k->ctx, p, c)
                 : p->own))
        d = SESS_D_OWN_REPORT;
    sv.domain = valid ? span_make(dbuf, dlen) : span_make(corr_view_empty, 0);
    if (k->cb.session_view != NULL)
        k->cb.session_view(k->cb.ctx, &sv, d);
    else
        corr_emit_plain(k, &sv, d);
}

void
corr_emit(struct corr *k, struct corr_proc *p, struct corr_conn *c,
          const struct span *dom, int hop)
{
    corr_emit_rec(k, p, c, dom, 0, NULL, 0, hop);
}

/* corr_emit_canon - corr_emit with the domain made canonical before */
void
corr_emit_canon(struct corr *k, struct corr_proc *p, struct corr_conn *c,
                const struct span *dom, const char *canon, size_t clen,
                int hop)
{
    corr_emit_rec(k, p, c, dom, 1, canon, clen, hop);
}

/* corr_peer_same - 1 when connection c is to host mx or address ip */
static int
corr_peer_same(const struct corr *k, const struct corr_conn *c,
               const char *mx, const char *ip)
{
    const struct corr_names *n = corr_names_c(k, c);

    if (n->mx[0] && mx[0])
        return strcmp(n->mx, mx) == 0;
    if (n->ip[0] && ip[0])
        return strcmp(n->ip, ip) == 0;
    return 0;
}

/* corr_open_at - open connection i of p */
static struct corr_conn *
corr_open_at(const struct corr *k, const struct corr_proc *p, int i)
{
    return (struct corr_conn *) ((char *) p->open
                                 + (size_t) i * k->ops.conn_size);
}

/* corr_open_get - open connection i of p (corr.h) */
struct corr_conn *
corr_open_get(const struct corr *k, const struct corr_proc *p, int i)
{
    return corr_open_at(k, p, i);
}

/* corr_cached - an open connection of p to mx or ip (corr.h) */
struct corr_conn *
corr_cached(const struct corr *k, const struct corr_proc *p, const char *mx,
            const char *ip)
{
    int     i;

    if (p->cur->active && p->cur->attributed
        && corr_peer_same(k, p->cur, mx, ip))
        return p->cur;
    for (i = p->nopen - 1; i >= 0; i--)
        if (corr_peer_same(k, corr_open_at(k, p, i), mx, ip))
            return corr_open_at(k, p, i);
    return NULL;
}

/* corr_keep_open - c, handed over, stays open in p's cache: it replaces
 * one to the same host, or the oldest when the cache is full */
static void
corr_keep_open(struct corr *k, struct corr_proc *p, const struct corr_conn *c)
{
    const struct corr_names *n = corr_names_c(k, c);
    size_t  sz = k->ops.conn_size;
    int     i;

    if (n->mx[0] == 0 && n->ip[0] == 0)
        return;
    if (p->open == NULL)
        p->open = corr_ring_get(&k->spare_open, sz * CORR_MAX_OPEN);
    for (i = 0; i < p->nopen; i++)
        if (corr_peer_same(k, corr_open_at(k, p, i), n->mx, n->ip))
            break;
    if (i == p->nopen && p->nopen == CORR_MAX_OPEN)
        i = 0;
    if (i < p->nopen) {
        memmove(corr_open_at(k, p, i), corr_open_at(k, p, i + 1),
                sz * (size_t) (p->nopen - i - 1));
        p->nopen--;
    }
    memcpy(corr_open_at(k, p, p->nopen++), c, sz);
}

/* corr_retire_active - corr_retire of an active cur (out of line: the
 * callers' common path is corr_retire()'s test) */
void    __attribute__((noinline))
corr_retire_active(struct corr *k, struct corr_proc *p)
{
    struct corr_conn *c = p->cur;
    int     plain;

    if (!c->attributed && k->ops.retire)
        k->ops.retire(c);
    if (!c->attributed && k->ops.outcome(c, &plain) >= 0) {
        struct corr_conn **at;

        if (p->pend == NULL)
            p->pend = corr_pend_get(k);
        if (p->npend == k->ops.max_pend) {
            struct span dom;
            struct corr_conn *w = corr_pend(k, p, 0);

            /* the oldest handed over, its place the ring's next: no
             * memmove() of the others (seven Postfix connections, 3.6
             * KB: 340 instructions) */
            corr_emit(k, p, w, k->ops.candidate && k->ops.candidate(w, &dom)
                      ? &dom : NULL, 0);
            p->phead = (uint16_t) ((p->phead + 1u)
                                   & (unsigned) (k->ops.max_pend - 1));
            p->npend--;
        }
        /* c waits where it is (still active, as a waiting one is), and
         * the connection of its place, free, is cur: a swap of two
         * pointers, where a copy of every byte of c (a Postfix
         * connection's 470) was a miss a line on both sides */
        at = corr_pend_at(k, p, p->npend++);
        p->cur = *at;
        *at = c;
        p->cur->active = 0;
        return;
    } else if (c->attributed && k->ops.cache) {
        corr_keep_open(k, p, c);
    }
    c->active = 0;
}

/* corr_attribute - every waiting connection gets the domain; how many */
int
corr_attribute(struct corr *k, struct corr_proc *p, const struct span *dom,
               int hop)
{
    int     i, n = p->npend;

    for (i = 0; i < n; i++)
        corr_emit(k, p, corr_pend(k, p, i), dom, hop);
    p->npend = 0;
    return n;
}

/* corr_settle - p waits for nothing but still holds its ring: cur back
 * in the key's entry (copied there when it lies in the ring), and the
 * ring given back now, while its lines are in the cache. Held to the
 * key's flush, the ring kept the key busy (corr_flush_proc), so the
 * sweep's flush of it read cur in the ring, a line the sweep had not
 * fetched, and every later connection of the key was set up in the
 * ring, not in the entry its line's look-up fetched */
void
corr_settle(struct corr *k, struct corr_proc *p)
{
    struct corr_conn *e = (struct corr_conn *) (p + 1);

    if (p->npend != 0 || p->pend == NULL)
        msg_panic("corr_settle: a key that waits, or holds no ring");
    if (p->cur != e) {
        /* when cur is not in the entry the entry's place is free: with
         * nothing waiting, every place but cur's is */
        memcpy(e, p->cur, k->ops.conn_size);
        p->cur = e;
    }
    p->phead = 0;
    p->pend = corr_ring_put(&k->spare_pend, p->pend);
}

/* corr_flush_slow - corr_flush_proc of a key that holds something */
static void __attribute__((noinline))
corr_flush_slow(struct corr *k, struct corr_proc *p)
{
    struct corr_conn *c = p->cur;
    int     i, plain, last = 0;
    struct span dom;

    /* a cur handed over would only be copied into the open ones
     * (corr_keep_open), given back right below: it just ends. One not
     * handed over that is a session is handed over last, where it is
     * (corr_retire would copy it, every byte of it, into the ring and
     * hand it over from there: the same sessions in the same order, for
     * a read of the few lines of it the emit step reads; the flush of
     * an idle key, a miss a line) */
    if (c->active && !c->attributed) {
        if (k->ops.retire)
            k->ops.retire(c);
        last = k->ops.outcome(c, &plain) >= 0;
    }
    c->active = 0;
    /* one call of the emit step for both (two made the code after it
     * move: the simulated I1 misses of the slices rose by a third) */
    for (i = 0; i < p->npend + last; i++) {
        struct corr_conn *w = i < p->npend ? corr_pend(k, p, i) : c;

        corr_emit(k, p, w, k->ops.candidate && k->ops.candidate(w, &dom)
                  ? &dom : NULL, 0);
    }
    p->npend = 0;
    p->phead = 0;
    /* cur back in the key's entry (it may have been a place's of the
     * ring, which goes with the ring), ended */
    if (p->pend != NULL) {
        p->cur = (struct corr_conn *) (p + 1);
        p->cur->active = 0;
    }
    p->pend = corr_ring_put(&k->spare_pend, p->pend);
    p->open = corr_ring_put(&k->spare_open, p->open);
    p->nopen = 0;
}

/* corr_flush_proc - everything of p that waits becomes unattributed.
 * Most keys flushed hold nothing but a cur handed over (an Exim
 * message at its Completed, 30,290 of 32,956 in the replayed log's 20
 * MB): it just ends, no call and no ring given back (the whole step
 * was some 42 instructions) */
void
corr_flush_proc(struct corr *k, struct corr_proc *p)
{
    struct corr_conn *c = p->cur;
    int     busy;

    /* the four tests as one: each a branch, they went either way by
     * the key (15,000 mispredicts in the replayed Exim log's 20 MB),
     * where the one result goes one way for most keys. cur is always a
     * connection's place (the entry's, or a ring's while pend is held) */
    busy = (p->npend != 0) | (p->pend != NULL) | (p->open != NULL)
        | ((c->active != 0) & (c->attributed == 0));
    if (__builtin_expect(!busy, 1)) {
        c->active = 0;
        return;
    }
    corr_flush_slow(k, p);
}

/* corr_sweep_idle - htab_sweep predicate: a key idle for SESS_IDLE_SECS
 * of log time is flushed and forgotten, so that state stays bounded by
 * the keys active in the last hour, not by all ever seen. Each key's
 * table stamp is its last_t (htab_stamp), so htab_sweep_stamped() asks
 * only about the slots that hold an idle key, in the order of a walk of
 * every slot: the same keys flushed in the same order as that walk, for
 * a pass over one number per slot (a table that holds the processes of
 * the last hour never shrinks, and most of it is not idle) */
static int
corr_sweep_idle(const void *key, size_t klen, void *value, void *ctx)
{
    struct corr *k = ctx;
    struct corr_proc *p = value;

    (void) key;
    (void) klen;
    if (p->last_t + SESS_IDLE_SECS >= k->max_t)
        return 0;
    corr_flush_proc(k, p);
    return 1;
}

/* corr_enter_slow - corr_enter past the look-up: sweep (n % sweep
 * lines), make the key, flush it when idle */
struct corr_proc *
corr_enter_slow(struct corr *k, struct corr_proc *p, const void *key,
                size_t klen, uint64_t hash, struct span loghost, int dated,
                int64_t t, int *new)
{
    size_t  hl = loghost.len > SESS_MAX_LOGHOST ? SESS_MAX_LOGHOST
        : loghost.len;

    if ((k->feeds & k->sweep_mask) == 0) {
        /* sweep before the look-up: the sweep frees idle keys, and
         * must never free the one this line is about */
        htab_sweep_stamped(k->procs, k->max_t - SESS_IDLE_SECS,
                           corr_sweep_idle, k);
        p = htab_find_hashed(k->procs, key, klen, hash);
    }
    if (p == NULL) {
        struct corr_conn *c;

        /* the log host is the key's start, a string there (corr.h:
         * every key begins with it and a NUL), not a copy of its own: a
         * cache line fewer written on memory that is not in the cache */
        if (klen <= hl || ((const char *) key)[hl] != 0
            || (hl > 0 && !span_mem_same(key, loghost.ptr, hl)))
            msg_panic("corr_enter: a key that does not begin with its "
                      "log host");
        /* an MTA whose cur is read only while active: the core's part
         * written here, not the whole connection (corr_start clears
         * it), and not zeroed first: each byte written once, by stores
         * of known size (no memset() call) */
        p = htab_enter_hashed(k->procs, key, klen, hash, dated ? t : 0,
                              k->ops.lazy ? 0 : (size_t) -1);
        c = (struct corr_conn *) (p + 1);
        *p = (struct corr_proc) {
            .loghost = htab_key_inline(p),
            /* the name as a C string: a host field with a NUL byte in
             * it ends there, as everything that reads loghost reads
             * it. Its length from the line, not from the new entry:
             * strlen() of what was just stored there waits for the
             * stores to a cold entry (7 % of a Sendmail log's run, a
             * new process a line) */
            .hlen = hl ? (uint32_t) strnlen(loghost.ptr, hl) : 0,
            .cur = c,
        };
        /* its names not cleared: an MTA not lazy has the entry zeroed
         * whole (htab_enter_hashed), and one that is reads nothing of
         * an inactive cur; corr_start clears them (their first bytes
         * were a line or two of the new entry written twice: 14 k of
         * the replayed Exim log's 108 k D1 write misses in 20 MB) */
        if (k->ops.lazy)
            memset(c, 0, sizeof(*c));
        *new = 1;
        /* its table stamp is t already (htab_enter_hashed) */
        if (dated) {
            p->last_t = t;
            if (t > k->max_t)
                k->max_t = t;
        }
        return p;
    }
    if (dated) {
        if (p->last_t && t > p->last_t + SESS_IDLE_SECS)
            corr_flush_proc(k, p);
        p->last_t = t;
        htab_stamp(k->procs, p, t);
        if (t > k->max_t)
            k->max_t = t;
    }
    return p;
}

/* corr_forget - drop the state of a key */
void
corr_forget(struct corr *k, const void *key, size_t klen)
{
    corr_forget_hashed(k, key, klen, htab_hash(key, klen));
}

/* corr_forget_hashed - corr_forget with the key's hash given */
void
corr_forget_hashed(struct corr *k, const void *key, size_t klen,
                   uint64_t hash)
{
    struct corr_proc *p;

    if ((p = htab_find_hashed(k->procs, key, klen, hash)) == NULL)
        return;
    corr_flush_proc(k, p);
    /* the entry just found: out of its slot by address, not looked up
     * again by its key (an Exim message's Completed line) */
    htab_delete_inline(k->procs, p);
}

/* corr_flush_one - htab_walk adapter for corr_flush */
static void
corr_flush_one(const void *key, size_t klen, void *value, void *ctx)
{
    struct corr *k = ctx;

    if (k->cb.keep && k->cb.keep(k->cb.ctx, k->ops.mta, key, klen))
        return;
    corr_flush_proc(k, value);
}

/* corr_flush - end of input */
void
corr_flush(struct corr *k)
{
    htab_walk(k->procs, corr_flush_one, k);
}

/* corr_ask_keep - htab_walk: sess_cb.keep of a key, nothing changed */
static void
corr_ask_keep(const void *key, size_t klen, void *value, void *ctx)
{
    struct corr *k = ctx;

    (void) value;
    (void) k->cb.keep(k->cb.ctx, k->ops.mta, key, klen);
}

/* corr_sess_keep - between two lines: every key held, to sess_cb.keep */
void
corr_sess_keep(void *mta)
{
    struct corr *k;

    memcpy(&k, mta, sizeof(k));
    if (k->cb.keep)
        htab_walk(k->procs, corr_ask_keep, k);
}

/* corr_sess_clock - what decides when keys are swept: lines entered
 * and the newest time */
void
corr_sess_clock(void *mta, unsigned long *feeds, int64_t *max_t)
{
    struct corr *k;

    memcpy(&k, mta, sizeof(k));
    *feeds = k->feeds;
    *max_t = k->max_t;
}

/* corr_sess_set_clock - set them; sweep 0: no sweeps until set again */
void
corr_sess_set_clock(void *mta, unsigned long feeds, int64_t max_t,
                    int sweep)
{
    struct corr *k;

    memcpy(&k, mta, sizeof(k));
    k->feeds = feeds;
    k->max_t = max_t;
    k->sweep_mask = sweep ? k->ops.sweep_every - 1 : ~0UL;
}

/* corr_proc_free - htab destructor of a key's state, when a key is
 * dropped and when the table is freed: its rings, which a flushed key
 * has given back already (nearly always nothing to free) */
static void
corr_proc_free(void *value)
{
    struct corr_proc *p = value;

    /* every key dropped (each Exim message at its Completed) comes
     * here flushed: two tests, not two calls of free(NULL) */
    if (__builtin_expect(p->pend != NULL, 0))
        xfree(p->pend);
    if (__builtin_expect(p->open != NULL, 0))
        xfree(p->open);
}

/* corr_sess_create - an MTA's correlator and its core (corr.h) */
void   *
corr_sess_create(const struct sess_conf *conf, const struct sess_cb *cb,
                 const struct corr_ops *ops)
{
    void   *mta = xcalloc(1, ops->sess_size);
    struct corr *k = xcalloc(1, sizeof(*k));

    k->conf = *conf;
    if (k->conf.mx_ports == NULL || k->conf.nmx_ports == 0) {
        k->conf.mx_ports = corr_default_ports;
        k->conf.nmx_ports = 1;
    }
    k->cb = *cb;
    k->ops = *ops;
    k->ctx = mta;
    k->sweep_mask = ops->sweep_every - 1;
    if (ops->names < sizeof(struct corr_conn)
        || ops->names + sizeof(struct corr_names) > ops->conn_size)
        msg_panic("corr_sess_create: names at %zu in a connection of %zu",
                  ops->names, ops->conn_size);
    if (ops->max_pend < 1 || ops->max_pend > 1 << 15
        || (ops->max_pend & (ops->max_pend - 1)) != 0)
        msg_panic("corr_sess_create: max_pend %d is not a power of two",
                  ops->max_pend);
    k->procs = htab_create_inline(ops->hint,
                                  sizeof(struct corr_proc) + ops->conn_size,
                                  CORR_KEY_MAX, corr_proc_free);
    if (ops->fetch > 0)
        htab_fetch_set(k->procs, sizeof(struct corr_proc) + ops->fetch);
    k->own = sess_own_create(conf);
    memcpy(mta, &k, sizeof(k));
    if (ops->init)
        ops->init(mta);
    return mta;
}

/* corr_sess_keys - the keys held (corr.h) */
size_t
corr_sess_keys(const void *mta)
{
    const struct corr *k;

    memcpy(&k, mta, sizeof(k));
    return htab_count(k->procs);
}

/* corr_sess_own_mt - the no-loop tracker, for classify_mt (corr.h) */
const struct sess_own *
corr_sess_own_mt(const void *mta)
{
    const struct corr *k;

    memcpy(&k, mta, sizeof(k));
    return k->own;
}

/* corr_sess_flush - end of input */
void
corr_sess_flush(void *mta)
{
    struct corr *k;

    memcpy(&k, mta, sizeof(k));
    corr_flush(k);
}

/* corr_sess_free - destroy an MTA's correlator; NULL */
void   *
corr_sess_free(void *mta)
{
    struct corr *k;

    if (mta == NULL)
        return NULL;
    memcpy(&k, mta, sizeof(k));
    if (k->ops.fini)
        k->ops.fini(mta);
    htab_free(k->procs);
    corr_ring_drain(&k->spare_pend);
    corr_ring_drain(&k->spare_open);
    sess_own_free(k->own);
    xfree(k);
    xfree(mta);
    return NULL;
}
