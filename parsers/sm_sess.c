/* parsers/sm_sess.c - Sendmail lines tied into sessions (see sm_sess.h)
 *
 * Per process (log host, program, pid) we keep the connection being set
 * up or last used ("cur") and up to SM_MAX_PEND earlier connections of
 * the delivery under way: each MX host tried leaves one STARTTLS=client
 * line (or a handshake error, or a tls_server reject) and no line of its
 * own naming the message. The delivery line "QID: to=<rcpt>, ...,
 * relay=HOST. [IP], ..., stat=..." that follows names the recipient
 * domain of all of them; only the last relay is in it. A delivery line
 * naming the relay of a connection already handed over is one more
 * message down Sendmail's connection cache: no new session, unless the
 * cache closed that connection (sm_mci_open: Sendmail's own rule, its
 * size and timeout from sess_conf) and it was a plaintext one, which
 * Sendmail then opened again without a line of its own. A delivery
 * to an MX with no TLS line before it is a plaintext session
 * (SESS_F_PLAINTEXT), counted only when the log host logs TLS.
 * The line "QID: from=<sender>, size=..." of our own report address
 * notes the queue id (sess_own): the sessions of its deliveries are not
 * counted.
 */
#include "sm_sess.h"
#include "corr.h"
#include "sm.h"
#include "../util/dname.h"
#include "../util/ipaddr.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <string.h>

#define SM_REASON_MAX 64        /* failure-reason-code, bytes */

/* corr_key_proc() writes at most CORR_KEY_MAX bytes */
_Static_assert(SM_KEY_MAX >= CORR_KEY_MAX, "struct sm_pre: key too small");

struct sm_conn {
    struct corr_conn k;         /* first: the core's part */
    int     loopback;           /* MSP -> MTA hop over loopback */
    int     tls;                /* handshake completed (summary line) */
    int     verify;             /* enum sm_verify of the summary line */
    int     cond;               /* certificate problem (verifymsg=), or -1 */
    int     fail;               /* failure decided, or -1 */
    int     hs_err;             /* "error: connect failed" logged */
    int     reject;             /* tls_server rejected it: it ended */
    int     reject_v;           /* the ${verify} of that reject */
    int     local;              /* our doing, not the receiver's */
    int     plain;              /* delivered without STARTTLS */
    int     slot;               /* its slot in Sendmail's cache, or -1 */
    int     evicted;            /* the cache closed it (sm_mci_open) */
    int64_t lastuse;            /* log time of its last line */
    /* last, read up to their NUL only: an idle key's flush reads the
     * numbers above and the names' first bytes together */
    struct corr_names n;        /* the peer */
    char    reason[SM_REASON_MAX + 1];
};

/* sm_open clears the numbers and the reason by its first byte: it is
 * the connection's last field, else what follows must be cleared too */
_Static_assert(sizeof(struct sm_conn) - offsetof(struct sm_conn, reason)
               - sizeof(((struct sm_conn *) 0)->reason) < 8,
               "sm_conn ends with its reason");

/* a process's state is the core's struct corr_proc (own: the delivery
 * under way is our report) */
#define sm_proc corr_proc
#define SM_CUR(p) ((struct sm_conn *) (p)->cur)

struct sm_sess {
    struct corr *k;             /* processes, emit, flush */
    unsigned long kept;         /* open though sm_mci_open closed them */
    char    kept_host[SESS_MAX_LOGHOST + 1];    /* the first one's */
};

/* The last relays made canonical on this thread (sm_peer_set()), as
 * logged (relay= and the address in its brackets) and as made: a log
 * names the same few MX hosts again and again, and dname_norm(),
 * ipaddr_norm() and the local hop test of one cost 530 instructions
 * (a fifth of a delivery line's), a hit a compare and a copy. What is
 * kept is what the call wrote, its strings and lengths: a hit writes
 * the same. Sets of two, filled in turn: a 20 MB slice of a Sendmail
 * log names 74 relays in turn, and 32 places of one missed 42 % of
 * them, 64 sets of two 8 %, 128 sets (66 KB) 1.6 %. Per thread: no
 * sharing; a function of the texts alone */
#define SM_MEMO_MX 80               /* a relay kept is shorter */
#define SM_MEMO_IN 128              /* relay and address, bytes */
#define SM_MEMO_SETS 128            /* by sm_memo_at(): 2^7 */
_Static_assert(SM_MEMO_SETS == 1 << 7, "sm_memo_at() takes 7 bits");

struct sm_memo {
    uint8_t rlen;                   /* of the relay; 0: nothing kept */
    uint8_t ilen;                   /* of the address (after it in in[]) */
    uint8_t mxlen;
    uint8_t iplen;
    uint8_t loopback;
    uint8_t next;                   /* set[0]'s: the place to fill next */
    char    in[SM_MEMO_IN];
    char    mx[SM_MEMO_MX];         /* up to its NUL (mxlen <= rlen) */
    char    ip[IPADDR_MAX + 1];     /* up to its NUL */
};

static _Thread_local struct sm_memo sm_memo[SM_MEMO_SETS][2];

/* sm_memo_at - the set of a relay r (len > 0) and address a: the
 * relay's first and last eight bytes and both lengths, mixed by a
 * multiply, the top bits (as ex_sess.c's memo of host names) */
static inline struct sm_memo *
sm_memo_at(struct span r, struct span a)
{
    uint64_t x = 0, y = 0;

    if (r.len >= 8) {
        memcpy(&x, r.ptr, 8);
        memcpy(&y, r.ptr + r.len - 8, 8);
    } else {
        memcpy(&x, r.ptr, r.len);
    }
    x ^= (y + r.len + (a.len << 16)) * 0x9e3779b97f4a7c15ULL;
    return sm_memo[(x * 0xff51afd7ed558ccdULL) >> 57];
}

/* sm_memo_is - 1 when m holds relay r and address a */
static inline int
sm_memo_is(const struct sm_memo *m, struct span r, struct span a)
{
    return m->rlen == r.len && m->ilen == a.len
        && memcmp(m->in, r.ptr, r.len) == 0
        && (a.len == 0 || memcmp(m->in + r.len, a.ptr, a.len) == 0);
}

/* sm_peer_memo - sm_peer_set() of relay r and address a, remembered.
 * The copies are of the whole room, not up to the NUL: a known size is
 * a few vector moves, not a call */
static void
sm_peer_memo(struct sm_peer *pe, struct span r, struct span a)
{
    struct sm_memo *set, *m;

    if (r.len == 0 || r.len >= SM_MEMO_MX || r.len + a.len > SM_MEMO_IN) {
        sm_peer_set(pe, r, a);
        return;
    }
    set = sm_memo_at(r, a);
    if (sm_memo_is(&set[0], r, a)) {
        m = &set[0];
    } else if (sm_memo_is(&set[1], r, a)) {
        m = &set[1];
    } else {
        sm_peer_set(pe, r, a);
        m = &set[set[0].next];          /* the older of the two */
        set[0].next ^= 1;
        m->rlen = (uint8_t) r.len;
        m->ilen = (uint8_t) a.len;
        memcpy(m->in, r.ptr, r.len);
        if (a.len > 0)
            memcpy(m->in + r.len, a.ptr, a.len);
        m->mxlen = (uint8_t) pe->mxlen;
        m->iplen = (uint8_t) pe->iplen;
        m->loopback = (uint8_t) pe->loopback;
        memcpy(m->mx, pe->mx, sizeof(m->mx));
        memcpy(m->ip, pe->ip, sizeof(m->ip));
        return;
    }
    pe->mxlen = m->mxlen;
    pe->iplen = m->iplen;
    pe->loopback = m->loopback;
    memcpy(pe->mx, m->mx, sizeof(m->mx));
    memcpy(pe->ip, m->ip, sizeof(m->ip));
}

/* sm_ident() of the last ident tag seen on this thread (wrap_rec's
 * ident_tag: one tag, one ident): every line asks, most under one or
 * two program names. Per thread: no sharing */
static _Thread_local uint64_t sm_ident_tag;
static _Thread_local int sm_ident_is;

/* sm_ident_mt - sm_ident() of the ident of r, remembered by its tag */
static inline int
sm_ident_mt(const struct wrap_rec *r)
{
    if (r->ident_tag == 0)
        return sm_ident(r->ident);
    if (r->ident_tag != sm_ident_tag) {
        sm_ident_is = sm_ident(r->ident);
        sm_ident_tag = r->ident_tag;
    }
    return sm_ident_is;
}

/* sm_set_reason - keep the first reason of a connection */
static void
sm_set_reason(struct sm_conn *c, const char *why)
{
    if (c->reason[0] == 0 && why != NULL)
        sess_slug(span_make(why, strlen(why)), c->reason, sizeof(c->reason));
}

/* sm_conn_same - 1 when the relay pe may be connection c's */
static int
sm_conn_same(const struct sm_conn *c, const struct sm_peer *pe)
{
    if (c->n.mx[0] && pe->mx[0])
        return strcmp(c->n.mx, pe->mx) == 0;
    if (c->n.ip[0] && pe->ip[0])
        return strcmp(c->n.ip, pe->ip) == 0;
    return 1;
}

/* sm_str_put - a string s of len bytes (its NUL at len) into d, both
 * fields of at least 32 bytes: one shorter than 32 bytes (nearly every
 * host name and address) as 32 bytes, no call and no branch on its
 * length (strings are read up to their NUL only); a longer one by
 * memcpy() */
_Static_assert(sizeof(((struct corr_names *) 0)->mx) >= 32
               && sizeof(((struct corr_names *) 0)->ip) >= 32
               && sizeof(((struct sm_peer *) 0)->mx) >= 32
               && sizeof(((struct sm_peer *) 0)->ip) >= 32,
               "sm_str_put copies 32 bytes of a field");
static inline void
sm_str_put(char *d, const char *s, size_t len)
{
    if (__builtin_expect(len < 32, 1))
        memcpy(d, s, 32);
    else
        memcpy(d, s, len + 1);
}

/* sm_conn_fill - learn name and address of c from a later line */
static void
sm_conn_fill(struct sm_conn *c, const struct sm_peer *pe)
{
    if (c->n.mx[0] == 0)
        sm_str_put(c->n.mx, pe->mx, pe->mxlen);
    if (c->n.ip[0] == 0)
        sm_str_put(c->n.ip, pe->ip, pe->iplen);
    c->loopback |= pe->loopback;
}

/* sm_outcome - result of a finished connection; -1: not a session */
static int
sm_outcome(const struct corr_conn *kc, int *plain)
{
    const struct sm_conn *c = (const struct sm_conn *) kc;

    *plain = 0;
    if (c->fail >= 0)
        return c->fail;
    if (c->tls)
        return SESS_SUCCESS;
    if (c->local)
        return SESS_STARTTLS_NOT_SUPPORTED;
    if (c->plain) {
        *plain = 1;
        return SESS_STARTTLS_NOT_SUPPORTED;
    }
    return -1;
}

/* sm_cert - what the summary line says of the server certificate */
static int
sm_cert(const struct sm_conn *c)
{
    if (!c->tls)
        return SESS_CERT_UNKNOWN;
    switch (c->verify) {
    case SM_V_TRUSTED:
        return SESS_CERT_VERIFIED;      /* DANE: chain and name */
    case SM_V_OK:
        return SESS_CERT_TRUSTED;       /* chain only: no name check */
    case SM_V_NO:
    case SM_V_NOT:
        return SESS_CERT_ANON;
    default:
        return SESS_CERT_UNTRUSTED;
    }
}

/* sm_judge - corr_ops.judge: sm_outcome() and what a connection's
 * lines said, every field of v */
static int
sm_judge(const struct corr_conn *kc, struct corr_verdict *v)
{
    const struct sm_conn *c = (const struct sm_conn *) kc;
    int     result = sm_outcome(kc, &v->plain);

    if (result < 0)
        return result;
    v->cert = sm_cert(c);
    v->cert_problem = c->cond > 0 ? c->cond
        : c->verify == SM_V_DANE_FAIL ? SESS_TLSA_INVALID : SESS_SUCCESS;
    v->reason = c->reason;
    /* every reason is sess_slug()'s (sm_set_reason, and the texts slugged
     * in place), at most SM_REASON_MAX bytes in a field of more than 32:
     * what sess_set_reason() leaves as it is, measured and copied by the
     * emit step without it */
    v->slug = 1;
    v->local = c->local;
    v->hop = c->loopback;
    return result;
}

/* sm_emit - hand a connection over as a session, with disposition, of
 * the domain dom of a delivery line as its classify_mt made it (struct
 * sm_pre: corr_emit_canon); relay: the delivery used mailer=relay */
static void
sm_emit(struct sm_sess *s, struct sm_proc *p, struct sm_conn *c,
            const struct sm_pre *pre, const struct span *dom, int relay)
{
    if (pre->dom == CORR_CANON_RAW)
        corr_emit_canon(s->k, p, &c->k, dom, dom->ptr, pre->dom_clen, relay);
    else if (pre->dom == CORR_CANON_BAD)
        corr_emit_canon(s->k, p, &c->k, dom, NULL, 0, relay);
    else
        corr_emit(s->k, p, &c->k, dom, relay);
}

/* sm_mci_closed - Sendmail's MCIS_CLOSED: the connection ended (its
 * handshake or tls_server failed it), though it may keep its slot */
static int
sm_mci_closed(const struct sm_conn *c)
{
    return c->fail >= 0 || c->hs_err || c->reject;
}

/* sm_mci_size - the cache's slots (ConnectionCacheSize): 0 none, -1:
 * more than the core keeps open, not followed */
static int
sm_mci_size(const struct sm_sess *s)
{
    int     n = s->k->conf.sm_cache_size;

    if (n == 0)
        return 2;               /* Sendmail's default */
    if (n < 0)
        return 0;
    return n > CORR_MAX_OPEN ? -1 : n;
}

/* sm_mci_timeout - ConnectionCacheTimeout, seconds */
static long
sm_mci_timeout(const struct sm_sess *s)
{
    return s->k->conf.sm_cache_timeout > 0 ? s->k->conf.sm_cache_timeout
        : 300;
}

/* sm_mci_evict - the cache closes open connection o (mci_uncache) */
static void
sm_mci_evict(struct sm_conn *o)
{
    if (!sm_mci_closed(o))
        o->evicted = 1;
    o->slot = -1;
}

/* sm_mci_expire - mci_scan(NULL) at every delivery (mci_get): the
 * open connections of p that carried a delivery (cur and those
 * retired) close when idle for ConnectionCacheTimeout at time t, or
 * all of them without a cache (ConnectionCacheSize 0) */
static void
sm_mci_expire(struct sm_sess *s, struct sm_proc *p, int64_t t)
{
    int     i, none = sm_mci_size(s) == 0;

    for (i = -1; i < p->nopen; i++) {
        struct sm_conn *o = (struct sm_conn *) (i < 0 ? p->cur
                                                : corr_open_get(s->k, p, i));

        if ((i >= 0 || o->k.active) && o->k.attributed && !sm_mci_closed(o)
            && (none || (o->slot >= 0
                         && o->lastuse + sm_mci_timeout(s) <= t)))
            sm_mci_evict(o);
    }
}

/* sm_mci_open - c, cur, was just opened at time t: take its slot as
 * Sendmail's mci_cache() and mci_scan() do (sendmail/mci.c, 8.12 to
 * 8.18), with the open connections of p (handed over, retired into the
 * core's ring) as the cache. Per slot in order: an empty or closed
 * slot is taken (the last such), an open connection idle for the
 * timeout is closed and its slot taken, else the least recently used
 * open one is, but only against a slot that is not empty: a closed
 * slot before it does not save an older open connection, which is
 * closed (QUIT) to make room. Times are the log's, in seconds, as
 * Sendmail's curtime(). A host whose closed connection still holds a
 * slot keeps it. A runner's cache closing a connection writes nothing
 * at LogLevel 9: a TLS connection opened again shows its new
 * STARTTLS=client line, a plaintext one only this rule */
static void
sm_mci_open(struct sm_sess *s, struct sm_proc *p, struct sm_conn *c,
            int64_t t)
{
    struct sm_conn *occ[CORR_MAX_OPEN];
    int     n = sm_mci_size(s), i, best = 0;

    c->slot = -1;
    c->lastuse = t;
    if (n < 0)
        return;                 /* too large to follow */
    if (n == 0) {               /* no cache: every connection closes */
        for (i = 0; i < p->nopen; i++)
            sm_mci_evict((struct sm_conn *) corr_open_get(s->k, p, i));
        return;
    }
    memset(occ, 0, sizeof(occ));
    for (i = 0; i < p->nopen; i++) {
        struct sm_conn *o = (struct sm_conn *) corr_open_get(s->k, p, i);

        if (o->slot >= 0 && o->slot < n)
            occ[o->slot] = o;
    }
    for (i = 0; i < n; i++) {
        struct sm_conn *o = occ[i];

        if (o == NULL || sm_mci_closed(o)) {
            best = i;
            continue;
        }
        if (o->lastuse + sm_mci_timeout(s) <= t) {
            sm_mci_evict(o);
            occ[i] = NULL;
            best = i;
            continue;
        }
        if (occ[best] == NULL)
            continue;
        if (o->lastuse < occ[best]->lastuse)
            best = i;
    }
    for (i = 0; i < n; i++)
        if (occ[i] && (c->n.mx[0] || c->n.ip[0])
            && corr_cached(s->k, p, c->n.mx, c->n.ip) == &occ[i]->k) {
            occ[i]->slot = -1;  /* the host's MCI keeps its slot */
            c->slot = i;
            return;
        }
    if (occ[best])
        sm_mci_evict(occ[best]);
    c->slot = best;
}

/* sm_open - a new connection of p with relay pe (may be unknown) */
static struct sm_conn *
sm_open(struct sm_sess *s, struct sm_proc *p, const struct wrap_rec *r,
        const struct sm_peer *pe)
{
    struct sm_conn *c = (struct sm_conn *) corr_retire(s->k, p);

    /* our numbers cleared by stores of a size the compiler knows, the
     * names and the reason (strings, read up to their NUL only: the
     * connection's last fields) by their first bytes: the 65 bytes of
     * the reason's room were a memset()
     * call with the rest */
    corr_start(&c->k, offsetof(struct sm_conn, n), &c->n, r->dated, r->t);
    c->reason[0] = 0;
    c->cond = c->fail = -1;
    if (pe)
        sm_conn_fill(c, pe);
    if (r->dated)
        sm_mci_open(s, p, c, r->t);
    else
        c->slot = -1;
    return c;
}

/* sm_refine - a rejection's type, sharpened by the verifymsg= problem */
static int
sm_refine(const struct sm_conn *c, int res)
{
    if (res == SESS_CERT_NOT_TRUSTED && c->cond > 0
        && c->cond != SESS_CERT_HOST_MISMATCH)
        return c->cond;         /* e.g. "certificate has expired" */
    return res;
}

/* sm_delivery - "QID: to=...": attribute and emit sessions */
static void
sm_delivery(struct sm_sess *s, struct sm_proc *p, const struct wrap_rec *r,
            const struct sm_pre *pre, struct trace *tr)
{
    const struct sm_event *ev = &pre->ev;
    const struct sm_peer *pe = &pre->pe;
    struct span dom = ev->domain;
    int     relay = pre->relay_mailer;
    struct sm_conn *c = SM_CUR(p);
    struct sm_conn *o;
    int     named, fresh = 0, i;

    tr->kind = TRACE_CONTEXT;
    named = pe->mx[0] || pe->ip[0];
    p->own = sess_own_has(s->k->own, r->host, ev->qid);
    /* one more message or recipient down an open connection of this
     * process (Sendmail's connection cache: a runner holds several and
     * interleaves deliveries to them; only opening one is logged) */
    if (r->dated)
        sm_mci_expire(s, p, r->t);
    if (named && !(c->k.active && !c->k.attributed && sm_conn_same(c, pe))
        && (o = (struct sm_conn *) corr_cached(s->k, p, pe->mx, pe->ip))
        != NULL && !(o->evicted && o->plain)) {
        /* (a plaintext connection the cache closed was opened again) */
        if (o->evicted && o->tls && s->kept++ == 0)
            memcpy(s->kept_host, p->loghost, strlen(p->loghost) + 1);
        o->evicted = 0;         /* no new STARTTLS line: the cache kept
                                 * it, whatever sm_mci_open thought */
        if (r->dated && !sm_mci_closed(o))
            o->lastuse = r->t;  /* a closed one's stays: host status */
        if (ev->result >= 0) {
            tr->kind = TRACE_FAILURE;
            tr->result = o->fail >= 0 ? o->fail : ev->result;
        }
        p->own = 0;
        return;
    }
    /* the connections this delivery tried before its last one */
    for (i = 0; i < p->npend; i++)
        sm_emit(s, p, (struct sm_conn *) corr_pend(s->k, p, i), pre,
                    &dom, relay);   /* corr_attribute() */
    p->npend = 0;
    if (!(c->k.active && !c->k.attributed && sm_conn_same(c, pe))) {
        if (c->k.active && !c->k.attributed)
            sm_emit(s, p, c, pre, &dom, relay);
        corr_retire(s->k, p);   /* it stays open in the cache */
        if (!named) {
            p->own = 0;
            return;             /* no connection: DNS failure, ... */
        }
        c = sm_open(s, p, r, pe);
        fresh = 1;
    }
    sm_conn_fill(c, pe);
    if (ev->local) {
        c->local = 1;
        sm_set_reason(c, ev->why);
    } else if (ev->result >= 0) {
        if (c->fail < 0) {
            c->fail = sm_refine(c, ev->result);
            sm_set_reason(c, ev->why);
        }
        tr->kind = TRACE_FAILURE;
        tr->result = c->fail;
    } else if (fresh && ev->past_ehlo) {
        c->plain = 1;
        if (!c->loopback)
            tr->kind = TRACE_PLAINTEXT;
    }
    if (r->dated)
        c->lastuse = r->t;
    sm_emit(s, p, c, pre, &dom, relay);
    p->own = 0;
}

/* sm_from_mt - "QID: from=<addr>, size=...": 1 when addr is our own
 * report address (own_from), with the queue id and the address */
static int
sm_from_mt(const struct sess_own *own, struct span m, struct span *qid,
           struct span *addr)
{
    struct span head = m;       /* the id is at most 32 bytes: look no
                                 * further for ": from=" (every line of
                                 * no event comes here) */

    if (head.len > 32 + 7)
        head.len = 32 + 7;
    if (span_upto(&head, ": from=", qid, 32) != 0 || qid->len == 0)
        return 0;
    span_drop(&m, (size_t) (head.ptr - m.ptr));
    return span_upto(&m, ", size=", addr, 320) == 0
        && sess_own_sender(own, *addr);
}

/* sm_ruleset - "ruleset=tls_server|tls_rcpt, ..., reject=TEXT" */
static void
sm_ruleset(struct sm_sess *s, struct sm_proc *p, const struct wrap_rec *r,
           const struct sm_pre *pre, struct trace *tr)
{
    const struct sm_event *ev = &pre->ev;
    const struct sm_peer *pe = &pre->pe;
    struct sm_conn *c = SM_CUR(p);

    if (ev->rcpt_rule) {
        /* per recipient, on the connection in use (maybe cached) */
        if (!(c->k.active && sm_conn_same(c, pe)))
            c = sm_open(s, p, r, pe);
    } else if (!(c->k.active && !c->k.attributed && !c->reject
                 && (c->tls || c->hs_err || c->local || c->fail >= 0)
                 && sm_conn_same(c, pe))) {
        c = sm_open(s, p, r, pe);       /* nothing logged before it */
    }
    sm_conn_fill(c, pe);
    if (!ev->rcpt_rule) {
        c->reject = 1;
        c->reject_v = ev->verify;
    }
    if (ev->local) {
        c->local = 1;
        sm_set_reason(c, ev->why);
        tr->kind = TRACE_DETAIL;
        return;
    }
    tr->kind = TRACE_FAILURE;
    tr->result = ev->result;
    if (c->k.attributed)
        return;                 /* a cached connection, already counted */
    if (c->fail < 0) {
        c->fail = sm_refine(c, ev->result);
        sm_set_reason(c, ev->why);
    }
    tr->result = c->fail;
}

/* sm_generic - 1 when the reason of c says no more than its type */
static int
sm_generic(const struct sm_conn *c)
{
    return c->reason[0] == 0 || strcmp(c->reason, SM_HS_REASON) == 0;
}

/* sm_hs_fail - "STARTTLS=client, error: connect failed=..." */
static void
sm_hs_fail(struct sm_sess *s, struct sm_proc *p, const struct wrap_rec *r,
           const struct sm_event *ev, struct trace *tr)
{
    struct sm_conn *c = SM_CUR(p);

    /* the tls_server line is logged after this one; take either order */
    if (!(c->k.active && !c->k.attributed && c->reject && !c->hs_err && !c->tls
          && c->reject_v == SM_V_SOFTWARE))
        c = sm_open(s, p, r, NULL);
    c->hs_err = 1;
    if (c->fail < 0)
        c->fail = SESS_VALIDATION_FAILURE;
    if (ev->text.len > 0 && !span_eq(ev->text, "unknown") && sm_generic(c))
        sess_slug(ev->text, c->reason, sizeof(c->reason));
    sm_set_reason(c, SM_HS_REASON);
    tr->kind = TRACE_FAILURE;
    tr->result = c->fail;
}

/* sm_event_mt - an event of classify_mt: the key of its process (a
 * FortiMail record's: program "fortimail", its session id for the pid) */
static int
sm_event_mt(const struct wrap_rec *r, struct sm_pre *pre)
{
    struct wrap_rec fr;

    if (pre->forti) {
        memset(&fr, 0, sizeof(fr));
        fr.host = r->host;
        fr.ident = SPAN_LIT("fortimail");
        fr.pid = pre->pid;
        r = &fr;
    }
    pre->klen = corr_key_proc(r, pre->key, 24);
    pre->khash = htab_hash(pre->key, pre->klen);
    return CORR_PRE_EVENT;
}

/* sm_classify_mt - corr_ops.classify_mt: one line alone (corr.h) */
static int
sm_classify_mt(const struct wrap_rec *r, const struct sess_own *own,
               void *prep, struct trace *tr)
{
    struct sm_pre *pre = prep;
    struct sm_event *ev = &pre->ev;
    struct span msg = r->msg;
    int     mine = 1;

    memset(tr, 0, sizeof(*tr));
    tr->kind = TRACE_IRRELEVANT;
    pre->forti = pre->from = 0;
    if (r->ident.len > 0) {
        if (!sm_ident_mt(r))
            return CORR_PRE_NOT_MINE;
    } else if (sm_forti(r->msg, &pre->msg, &pre->pid) == 0) {
        pre->forti = 1;
        msg = pre->msg;
    } else {
        mine = 0;               /* message only: only Sendmail's shapes */
    }
    sm_classify(msg, ev);
    switch (ev->kind) {
    case SM_IGNORE:
        if (!mine)
            return CORR_PRE_NOT_MINE;
        if (own && sm_from_mt(own, msg, &pre->qid, &pre->addr)) {
            pre->from = 1;
            return CORR_PRE_EVENT;
        }
        return CORR_PRE_DONE;
    case SM_INBOUND:
        return CORR_PRE_DONE;
    case SM_DETAIL:
    case SM_LOCAL_ERR:          /* set-up (S15): the session may succeed */
        tr->kind = TRACE_DETAIL;
        return CORR_PRE_DONE;
    case SM_TLS_BAD:
        tr->kind = TRACE_BAD;
        tr->bad = "truncated STARTTLS line";
        return CORR_PRE_DONE;
    case SM_DELIVERY_BAD:
        tr->kind = TRACE_BAD;
        tr->bad = "truncated delivery line";
        return CORR_PRE_DONE;
    case SM_DELIVERY:
        if (!ev->smtp)
            return CORR_PRE_DONE;       /* local, prog, ...: not SMTP */
        pre->relay_mailer = span_eq(ev->mailer, "relay");
        /* the domain as the emit step takes it: made here, not on the
         * correlating thread (corr_emit_canon) */
        pre->dom = corr_canon_ahead
            ? (uint8_t) corr_canon_dom_mt(ev->domain, &pre->dom_clen)
            : CORR_CANON_NONE;
        sm_peer_memo(&pre->pe, ev->relay, ev->ip);
        return sm_event_mt(r, pre);
    case SM_TLS:
    case SM_DANE_NOTLS:
    case SM_CLEAR_RETRY:
    case SM_RULESET:
        sm_peer_memo(&pre->pe, ev->relay, ev->ip);
        return sm_event_mt(r, pre);
    case SM_VERIFYMSG:
        pre->prob = sm_cert_problem(ev->text);
        return sm_event_mt(r, pre);
    default:
        return sm_event_mt(r, pre);
    }
}

/* sm_apply - corr_ops.apply: a Sendmail event into the state (corr.h).
 * A FortiMail record's process is in its key (sm_event_mt); its time
 * and log host are the line's */
static void
sm_apply(void *mta, const struct wrap_rec *r, void *prep, struct trace *tr)
{
    struct sm_sess *s = mta;
    struct sm_pre *pre = prep;
    struct sm_event *evp = &pre->ev;
    struct sm_proc *p;
    struct sm_conn *c;
    int     new;

    if (pre->from) {
        (void) corr_own_from(s->k, r, pre->qid, pre->addr,
                             r->dated ? r->t : 0, tr);
        return;
    }
    if ((p = corr_enter_hashed(s->k, pre->key, pre->klen, pre->khash,
                               r->host, r->dated, r->t, r, &new)) == NULL)
        return;
    c = SM_CUR(p);
    switch (evp->kind) {
    case SM_TLS:
        corr_tls_host(s->k, p);
        c = sm_open(s, p, r, &pre->pe);
        c->tls = 1;
        c->verify = evp->verify;
        if (evp->verify == SM_V_DANE_FAIL) {
            c->fail = SESS_TLSA_INVALID;
            sm_set_reason(c, "dane-check-failed");
        }
        tr->kind = c->loopback ? TRACE_DETAIL
            : evp->verify == SM_V_DANE_FAIL ? TRACE_FAILURE
            : evp->verify == SM_V_OK || evp->verify == SM_V_TRUSTED
            ? TRACE_SUCCESS : TRACE_SUCCESS_UNAUTH;
        tr->result = c->fail;
        break;
    case SM_VERIFYMSG:{
            int     prob = pre->prob;

            corr_tls_host(s->k, p);
            if (c->k.active && c->tls && !c->k.attributed && c->cond < 0
                && prob != SESS_SUCCESS) {
                c->cond = prob;
                if (c->reason[0] == 0)
                    sess_slug(evp->text, c->reason, sizeof(c->reason));
            }
            tr->kind = prob == SESS_SUCCESS ? TRACE_DETAIL : TRACE_COND;
            tr->result = prob;
            break;
        }
    case SM_HS_FAIL:
        sm_hs_fail(s, p, r, evp, tr);
        break;
    case SM_SSL_ERR:
        tr->kind = TRACE_DETAIL;
        if (c->k.active && c->hs_err && !c->k.attributed && sm_generic(c)
            && evp->text.len > 0)
            sess_slug(evp->text, c->reason, sizeof(c->reason));
        break;
    case SM_CONN_LOCAL:
        c = sm_open(s, p, r, NULL);
        c->local = 1;
        sm_set_reason(c, "local-tls-error");
        tr->kind = TRACE_DETAIL;
        break;
    case SM_DANE_NOTLS:
    case SM_CLEAR_RETRY:
        c = sm_open(s, p, r, &pre->pe);
        if (evp->kind == SM_CLEAR_RETRY) {
            c->local = 1;       /* TLSFallbacktoClear: our choice */
            sm_set_reason(c, "tls-fallback-to-clear");
            tr->kind = TRACE_PLAINTEXT;
            break;
        }
        corr_tls_host(s->k, p);
        c->fail = SESS_STARTTLS_NOT_SUPPORTED;
        sm_set_reason(c, "dane-tlsa-but-no-starttls");
        tr->kind = TRACE_FAILURE;
        tr->result = c->fail;
        break;
    case SM_RULESET:
        sm_ruleset(s, p, r, pre, tr);
        break;
    case SM_DELIVERY:
        sm_delivery(s, p, r, pre, tr);
        break;
    default:
        break;
    }
}

/* sm_prefetch - corr_ops.prefetch: the process's key (corr_prefetch) */
static void
sm_prefetch(const void *mta, const void *prep, int deep)
{
    const struct sm_pre *pre = prep;

    if (!pre->from)
        corr_prefetch(((const struct sm_sess *) mta)->k, pre->khash, deep);
}

/* sm_fini - corr_ops.fini: say when the log showed a larger cache */
static void
sm_fini(void *mta)
{
    struct sm_sess *s = mta;

    if (s->kept > 0)
        msg_warn("log host %s: Sendmail went on over %lu TLS connection%s"
                 " that a connection cache of %d for %ld s would have"
                 " closed: its ConnectionCacheSize or"
                 " ConnectionCacheTimeout looks larger, and plaintext"
                 " sessions may be counted too many; set"
                 " sendmail_cache_size and sendmail_cache_timeout as in"
                 " its sendmail.cf",
                 s->kept_host[0] ? s->kept_host : "(none)", s->kept,
                 s->kept == 1 ? "" : "s", sm_mci_size(s), sm_mci_timeout(s));
}

/* sm_corr_ops - Sendmail, to the core and to parser.c */
const struct corr_ops sm_corr_ops = {
    .name = "sendmail", .mta = SESS_MTA_SENDMAIL,
    .sess_size = sizeof(struct sm_sess), .conn_size = sizeof(struct sm_conn),
    .names = offsetof(struct sm_conn, n),
    .pre_size = sizeof(struct sm_pre),
    .hint = 256, .max_pend = SM_MAX_PEND, .sweep_every = 65536,
    .classify_mt = sm_classify_mt, .apply = sm_apply, .cache = 1,
    .fini = sm_fini, .prefetch = sm_prefetch,
    .outcome = sm_outcome, .judge = sm_judge, .lazy = 1,
};
