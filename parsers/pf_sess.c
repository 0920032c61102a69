/* parsers/pf_sess.c - Postfix lines tied into sessions (see pf_sess.h)
 *
 * Per process (log host, program, pid) we keep the connection being set
 * up ("cur") and up to PF_MAX_PEND earlier connections of the same
 * delivery that ended without a status line of their own (a non-final
 * MX: "QID: Server certificate not trusted", "QID: host H said: 4xx").
 * A status line "QID: to=<rcpt>, relay=H[IP]:P, ..." names the recipient
 * domain for cur and for every waiting connection of that queue id.
 * qmgr's "QID: from=<sender>, size=..." line marks a queue id whose
 * sender is our own report address (sess_own); its sessions are not
 * counted, and "QID: removed" forgets it.
 */
#include "pf_sess.h"
#include "corr.h"
#include "pf.h"
#include "../util/dname.h"
#include "../util/htab.h"
#include "../util/ipaddr.h"
#include "../util/mymalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PF_MAX_QIDLEN 24

#define PF_REASON_MAX 64

_Static_assert(PF_REASON_MAX <= SESS_MAX_REASON, "a reason fits a record");

struct pf_conn {
    struct corr_conn k;         /* first: the core's part */
    /* bytes, not ints (13 bytes after the core's 24, not 52): a new
     * connection's numbers and its names' first bytes lie in one cache
     * line of the key's entry (its connection starts 160 bytes into a
     * 64-byte aligned entry, util/htab.c), where they were two */
    int8_t  tls;                /* handshake completed */
    int8_t  trust;              /* enum pf_trust */
    int8_t  cond;               /* certificate problem seen, or -1 */
    int8_t  fail;               /* failure decided, or -1 */
    int8_t  rpt;                /* Postfix's own TLSRPT verdict, or -1 */
    int8_t  hs_fail;            /* SSL_connect error logged */
    int8_t  libprob;            /* failure known only from a warning */
    int8_t  dane;
    int8_t  local_notls;
    int8_t  reused;             /* no new handshake: not a session */
    int8_t  pre_tls;            /* ended before STARTTLS: not a session */
    int8_t  past_ehlo;          /* plaintext dialogue went past EHLO */
    int8_t  closed;             /* ended without a status line */
    /* last, read up to their NUL only: what an idle key's flush reads
     * (the core's part, the numbers above, the names' first bytes) is
     * the connection's first 116 bytes, not 470 */
    struct corr_names n;        /* the peer */
    /* at 352, not 337: the first bytes of qid and reason, which
     * pf_conn_start clears, then share a line of the entry (at 512 and
     * 537 of it) where they took two (write misses of a 20 MB slice of
     * the churn shape, a new process a line: 210 k with ints, 226 k
     * with bytes and qid at 337) */
    _Alignas(16) char qid[PF_MAX_QIDLEN + 1];
    char    reason[PF_REASON_MAX + 1];
};

/* a process's state is the core's struct corr_proc */
#define pf_proc corr_proc
#define PF_CUR(p) ((struct pf_conn *) (p)->cur)

/* The failure-reason-codes of status texts folded last (pf_why_put),
 * by the address of the code: a status text's code (struct pf_pre's
 * text_why) is a string constant of pf_text_result()'s table, or "".
 * A log's failures name a few (the replayed corpus's 20 MB: some 8,300
 * codes folded, each some 150 instructions with its strlen()) */
#define PF_WHY_SLOTS 8          /* a power of two */

struct pf_why {
    const char *why;            /* the code as pf_text_result() gave it;
                                 * NULL: slot unused */
    size_t  len;                /* strlen(out) */
    char    out[PF_REASON_MAX + 1];     /* pf_slug() of it */
};

_Static_assert(PF_WHY_SLOTS <= 8 && PF_REASON_MAX + 1 >= 32,
               "a slot is 3 bits of a mix; a code is copied as 32 bytes");

/* The certificate failures' and TLS library problems' texts folded
 * last (pf_reason_put), by their length and first and last eight bytes:
 * a log's lines give a few texts again and again (the replayed corpus's
 * 20 MB: 9,478 certificate texts folded, some 140 instructions each
 * with the memo of folded texts of sess_slug_mt() behind the "num=" and
 * issuer cuts; 1,434 library problems, some 340) */
#define PF_RSN_BITS 5
#define PF_RSN_SLOTS (1 << PF_RSN_BITS)
#define PF_RSN_MIN 8            /* shorter texts, and longer than */
#define PF_RSN_KEEP 160         /* this, folded every time */

struct pf_rsn {
    size_t  len;                /* of text; 0: slot unused */
    size_t  olen;               /* strlen(out) */
    int     openssl;            /* out is pf_openssl_reason()'s */
    char    text[PF_RSN_KEEP];
    char    out[PF_REASON_MAX + 1];     /* pf_slug() of it */
};

struct pf_sess {
    struct corr *k;             /* processes, emit, flush */
    struct htab *proxy;         /* tlsproxy verdicts per (host, peer) */
    int64_t proxy_t;            /* newest time of a verdict */
    struct pf_why why[PF_WHY_SLOTS];
    struct pf_rsn rsn[PF_RSN_SLOTS];
};

/* what tlsproxy(8) said of the last handshake with one peer */
struct pf_proxy {
    int64_t t;                  /* log time of its line */
    int     cond;               /* certificate problem, or -1: none */
    int     dane;
    char    reason[PF_REASON_MAX + 1];
};

#define PF_PROXY_MAX 4096       /* peers remembered per correlator */
#define PF_PROXY_SECS 2         /* "the same moment": log time apart */

/* pf_slug - failure-reason-code from a Postfix text: "num=N:" and an
 * issuer DN dropped (the DN describes the receiver's CA), then folded */
static void
pf_slug(struct span t, char *out)
{
    long    off;

    if (span_skip(&t, "num=") == 0) {       /* "num=20:text" */
        while (t.len > 0 && t.ptr[0] >= '0' && t.ptr[0] <= '9')
            span_drop(&t, 1);
        (void) span_skip(&t, ":");
    }
    if ((off = pf_find_dn(t)) >= 0)
        t.len = (size_t) off;
    sess_slug_mt(t, out, PF_REASON_MAX + 1);
}

/* pf_openssl_reason - the reason field of an OpenSSL error queue line */
static void
pf_openssl_reason(struct span t, char *out)
{
    long    off = span_find(t, "error:");
    struct span reason;

    if (off < 0) {
        pf_slug(t, out);
        return;
    }
    span_drop(&t, (size_t) off);
    if (pf_error_reason(t, &reason) == 0)
        t = reason;
    pf_slug(t, out);
}

/* pf_why_put - pf_slug() of a status text's failure-reason-code why
 * (a string constant: pf_text_result()) into out (PF_REASON_MAX + 1
 * bytes), the codes folded last remembered by their address: the same
 * bytes, without the fold or a strlen() (pf_slug and its memo of texts
 * were some 150 instructions a failure) */
static inline void
pf_why_put(struct pf_sess *ps, char *out, const char *why)
{
    struct pf_why *m = &ps->why[(unsigned) (((uintptr_t) why
                                              * 0x9e3779b97f4a7c15ULL)
                                             >> 61) & (PF_WHY_SLOTS - 1)];

    if (__builtin_expect(m->why != why, 0)) {
        pf_slug(span_make(why, strlen(why)), m->out);
        m->len = strlen(m->out);
        m->why = why;
    }
    /* both fields have PF_REASON_MAX + 1 bytes: a short code as 32 */
    if (m->len < 32)
        memcpy(out, m->out, 32);
    else
        memcpy(out, m->out, m->len + 1);
}

/* pf_reason_put - pf_slug(t, out), or pf_openssl_reason(t, out) when
 * openssl (out: PF_REASON_MAX + 1 bytes), the texts folded last
 * remembered: a text seen again costs a compare and a copy, not the
 * cuts and the memo of sess_slug_mt() (the same bytes) */
static inline __attribute__((always_inline)) void
pf_reason_put(struct pf_sess *ps, char *out, struct span t, int openssl)
{
    struct pf_rsn *m;
    uint64_t a, b;

    if (t.len < PF_RSN_MIN || t.len > PF_RSN_KEEP) {
        if (openssl)
            pf_openssl_reason(t, out);
        else
            pf_slug(t, out);
        return;
    }
    memcpy(&a, t.ptr, 8);
    memcpy(&b, t.ptr + t.len - 8, 8);
    m = &ps->rsn[(unsigned) (((a ^ (b * 0xc2b2ae3d27d4eb4fULL)
                               ^ (t.len + ((uint64_t) openssl << 32)))
                              * 0x9e3779b97f4a7c15ULL)
                             >> (64 - PF_RSN_BITS))];
    if (m->len != t.len || m->openssl != openssl
        || memcmp(m->text, t.ptr, t.len) != 0) {
        if (openssl)
            pf_openssl_reason(t, m->out);
        else
            pf_slug(t, m->out);
        m->olen = strlen(m->out);
        memcpy(m->text, t.ptr, t.len);
        m->len = t.len;
        m->openssl = openssl;
    }
    /* both fields have PF_REASON_MAX + 1 bytes: a short code as 32 */
    if (m->olen < 32)
        memcpy(out, m->out, 32);
    else
        memcpy(out, m->out, m->olen + 1);
}

/* pf_canon_peer - the peer of pre->ev made canonical (struct pf_pre):
 * on the thread that classifies, so that the one that applies copies
 * (pf_host_norm, pf_ip_norm), or there for a line whose peer is seldom
 * needed (pf_peer_made). Pure */
static void
pf_canon_peer(struct pf_pre *pre)
{
    const struct pf_event *ev = &pre->ev;

    pre->peer_made = 1;
    pre->host = pre->ip = CORR_CANON_NONE;
    if (ev->peer_host.len > 0)
        pre->host = (uint8_t) corr_canon_host_mt(ev->peer_host,
                                                 &pre->host_len,
                                                 &pre->host_num);
    if (ev->peer_ip.len > 0)
        pre->ip = (uint8_t) corr_canon_ip_mt(ev->peer_ip, &pre->ip_len,
                                             pre->ipbuf);
}

/* the peer's forms of struct pf_peer_canon and struct pf_pre, from made
 * and peer_made to ip_len: the same bytes in the same order */
#define PF_CANON_BLOCK (offsetof(struct pf_pre, ip_len) + 1 \
                        - offsetof(struct pf_pre, peer_made))
_Static_assert(offsetof(struct pf_peer_canon, ip_len) + 1
               - offsetof(struct pf_peer_canon, made) == PF_CANON_BLOCK
               && offsetof(struct pf_peer_canon, host)
               - offsetof(struct pf_peer_canon, made)
               == offsetof(struct pf_pre, host)
               - offsetof(struct pf_pre, peer_made)
               && offsetof(struct pf_peer_canon, ip)
               - offsetof(struct pf_peer_canon, made)
               == offsetof(struct pf_pre, ip)
               - offsetof(struct pf_pre, peer_made),
               "pf_peer_canon and pf_pre hold the peer's forms alike");

static void pf_canon_keep(struct pf_pre *pre, struct pf_peer_canon *m);

/* pf_canon_memo - the peer of pre->ev made canonical from the memo
 * slot of its text (pf_event.canon, pf.c), where pf_canon_peer() keeps
 * what it made of a peer seen before: a log names a few peers again and
 * again (the replayed corpus: 40 relays in 22,095 status lines), each
 * checked for some 300 instructions (ipaddr_norm, dname_check), copied
 * here for some 20. A peer is made here when its slot has been read four
 * times, or when the line's apply will want it (need) and runs on
 * another thread (corr_canon_ahead); else apply makes it if it must,
 * without a memo: a log of a new peer every few lines (churn.log: each
 * read twice, by the TLS and the status line) costs nothing more.
 * tests/t_pfmemo.c compares the forms with corr_canon_host_mt() and
 * corr_canon_ip_mt() of the same texts. Per-thread state only */
static inline void
pf_canon_memo(struct pf_pre *pre, int need)
{
    struct pf_peer_canon *m = pre->ev.canon;

    if (m != NULL && m->made) {
        memcpy(&pre->peer_made, &m->made, PF_CANON_BLOCK);
        if (m->ip == CORR_CANON_BUF)
            memcpy(pre->ipbuf, pf_peer_canon_ipbuf(m), sizeof(pre->ipbuf));
        return;
    }
    if ((m != NULL && m->seen >= 4) || (need && corr_canon_ahead))
        pf_canon_keep(pre, m);
}

/* pf_canon_keep - pf_canon_peer(), kept in m when there is one */
static void
pf_canon_keep(struct pf_pre *pre, struct pf_peer_canon *m)
{
    pf_canon_peer(pre);
    if (m != NULL) {
        m->host = pre->host;
        m->host_len = pre->host_len;
        m->host_num = pre->host_num;
        m->ip = pre->ip;
        m->ip_len = pre->ip_len;
        if (pre->ip == CORR_CANON_BUF)
            memcpy(pf_peer_canon_ipbuf(m), pre->ipbuf, sizeof(pre->ipbuf));
        m->made = 1;
    }
}

/* pf_peer_made - pf_canon_peer() of pre, if not made yet */
static inline void
pf_peer_made(struct pf_pre *pre)
{
    if (!pre->peer_made)
        pf_canon_peer(pre);
}

/* pf_host_norm - dname_norm() of the peer's host name (len > 0) */
static inline int
pf_host_norm(struct pf_pre *pre, char *out)
{
    struct span h = pre->ev.peer_host;

    pf_peer_made(pre);
    switch (pre->host) {
    case CORR_CANON_BAD:
        return -1;
    case CORR_CANON_RAW:
        span_mem_put(out, h.ptr, pre->host_len);
        out[pre->host_len] = 0;
        return 0;
    default:
        return dname_norm(h.ptr, h.len, out);
    }
}

/* pf_host_numeric - dname_is_numeric() of what pf_host_norm() wrote */
static inline int
pf_host_numeric(struct pf_pre *pre, const char *mx)
{
    return pre->host == CORR_CANON_RAW ? pre->host_num : dname_is_numeric(mx);
}

/* pf_ip_norm - ipaddr_norm() of the peer's address (len > 0) */
static inline int
pf_ip_norm(struct pf_pre *pre, char *out)
{
    struct span a = pre->ev.peer_ip;

    pf_peer_made(pre);
    switch (pre->ip) {
    case CORR_CANON_BAD:
        return -1;
    case CORR_CANON_RAW:
        span_mem_put(out, a.ptr, pre->ip_len);
        out[pre->ip_len] = 0;
        return 0;
    case CORR_CANON_BUF:
        memcpy(out, pre->ipbuf, strlen(pre->ipbuf) + 1);
        return 0;
    default:
        return ipaddr_norm(a.ptr, a.len, out);
    }
}

/* the numbers of a connection are bytes: results (or -1), enum
 * pf_trust, flags */
_Static_assert(SESS_RESULT_COUNT <= INT8_MAX && PF_TRUST_VERIFIED <= INT8_MAX,
               "a connection's results and trust fit in a byte");

/* pf_conn_start clears our numbers and our two strings (read up to
 * their NUL only) by their first byte: they are the connection's last
 * fields, else what follows them must be cleared too */
_Static_assert(offsetof(struct pf_conn, qid)
               < offsetof(struct pf_conn, n) + sizeof(struct corr_names) + 16
               && offsetof(struct pf_conn, reason)
               == offsetof(struct pf_conn, qid) + sizeof(((struct pf_conn *)
                                                           0)->qid)
               && sizeof(struct pf_conn) - offsetof(struct pf_conn, reason)
               - sizeof(((struct pf_conn *) 0)->reason) < 16,
               "pf_conn ends with its names, qid and reason");

/* pf_conn_start - fresh connection with the peer of pre: 13 bytes
 * cleared after the core's, not 136 (a "rep stos" of 17 words, some
 * 20 instructions a connection) */
static void
pf_conn_start(struct pf_conn *c, const struct wrap_rec *r,
              struct pf_pre *pre)
{
    const struct pf_event *ev = &pre->ev;

    corr_start(&c->k, offsetof(struct pf_conn, n), &c->n, r->dated, r->t);
    c->qid[0] = c->reason[0] = 0;
    c->cond = c->fail = c->rpt = -1;
    c->k.port = ev->port;
    if (ev->peer_host.len > 0 && pf_host_norm(pre, c->n.mx) != 0)
        c->n.mx[0] = 0;
    if (ev->peer_ip.len > 0 && pf_ip_norm(pre, c->n.ip) != 0)
        c->n.ip[0] = 0;
    if (c->n.mx[0] && pf_host_numeric(pre, c->n.mx))
        c->n.mx[0] = 0;           /* "1.2.3.4[1.2.3.4]": no host name */
}

/* pf_conn_same_slow - pf_conn_same() past its first test */
static int pf_conn_same_slow(const struct pf_conn *c, struct pf_pre *pre);

/* pf_conn_same - 1 when pre may be about connection c: most lines name
 * the address stored, as stored */
static inline int
pf_conn_same(const struct pf_conn *c, struct pf_pre *pre)
{
    if (!c->k.active)
        return 0;
    if (pre->ev.peer_ip.len > 0 && c->n.ip[0]
        && pf_text_is(pre->ev.peer_ip, c->n.ip, sizeof(c->n.ip)))
        return 1;
    return pf_conn_same_slow(c, pre);
}

static int
pf_conn_same_slow(const struct pf_conn *c, struct pf_pre *pre)
{
    const struct pf_event *ev = &pre->ev;
    char    ip[IPADDR_MAX + 1];
    char    mx[DNAME_MAX + 1];

    /* the same text as stored is the common case, answered by
     * pf_conn_same() (pf_text_is(), which is span_is()): no
     * normalising. Its one caller compared the address as written */
    if (ev->peer_ip.len > 0 && c->n.ip[0]) {
        pf_peer_made(pre);
        switch (pre->ip) {
        case CORR_CANON_BAD:
            break;
        case CORR_CANON_RAW:          /* canonical: the text just compared */
            return 0;
        case CORR_CANON_BUF:
            return strcmp(pre->ipbuf, c->n.ip) == 0;
        default:
            if (ipaddr_norm(ev->peer_ip.ptr, ev->peer_ip.len, ip) == 0)
                return strcmp(ip, c->n.ip) == 0;
        }
    }
    if (ev->peer_host.len > 0 && c->n.mx[0]) {
        if (pf_text_is(ev->peer_host, c->n.mx, sizeof(c->n.mx)))
            return 1;
        pf_peer_made(pre);
        switch (pre->host) {
        case CORR_CANON_BAD:
            break;
        case CORR_CANON_RAW:          /* less a final dot, if any */
            return span_is(span_make(ev->peer_host.ptr, pre->host_len),
                           c->n.mx);
        default:
            if (dname_norm(ev->peer_host.ptr, ev->peer_host.len, mx) == 0)
                return strcmp(mx, c->n.mx) == 0;
        }
    }
    return 1;
}

/* pf_conn_fill_slow - pf_conn_fill() of a connection that lacks a field */
static void
pf_conn_fill_slow(struct pf_conn *c, struct pf_pre *pre)
{
    const struct pf_event *ev = &pre->ev;

    if (c->n.ip[0] == 0 && ev->peer_ip.len > 0
        && pf_ip_norm(pre, c->n.ip) != 0)
        c->n.ip[0] = 0;
    if (c->n.mx[0] == 0 && ev->peer_host.len > 0
        && (pf_host_norm(pre, c->n.mx) != 0
            || pf_host_numeric(pre, c->n.mx)))
        c->n.mx[0] = 0;
    if (c->k.port < 0)
        c->k.port = ev->port;
}

/* pf_conn_fill - learn the address of c from a later line: most lines
 * find every field set */
static inline void
pf_conn_fill(struct pf_conn *c, struct pf_pre *pre)
{
    if ((c->n.ip[0] == 0 && pre->ev.peer_ip.len > 0)
        || (c->n.mx[0] == 0 && pre->ev.peer_host.len > 0) || c->k.port < 0)
        pf_conn_fill_slow(c, pre);
}

/* pf_outcome - result of a finished connection; -1: not a session */
static int
pf_outcome(const struct corr_conn *kc, int *plain)
{
    const struct pf_conn *c = (const struct pf_conn *) kc;

    *plain = 0;
    if (c->reused)
        return -1;
    if (c->rpt >= 0)
        return c->rpt;
    if (c->fail >= 0)
        return c->fail;
    if (c->tls || c->cond >= 0)
        return SESS_SUCCESS;
    if (c->local_notls)
        return SESS_STARTTLS_NOT_SUPPORTED;
    if (c->pre_tls || !c->past_ehlo)
        return -1;
    *plain = 1;
    return SESS_STARTTLS_NOT_SUPPORTED;
}

/* pf_judge - corr_ops.judge: pf_outcome() and what a connection's
 * lines said, every field of v */
static int
pf_judge(const struct corr_conn *kc, struct corr_verdict *v)
{
    const struct pf_conn *c = (const struct pf_conn *) kc;
    int     result = pf_outcome(kc, &v->plain);

    if (result < 0)
        return result;
    if (c->tls)
        v->cert = c->trust == PF_TRUST_VERIFIED ? SESS_CERT_VERIFIED
            : c->trust == PF_TRUST_TRUSTED ? SESS_CERT_TRUSTED
            : c->trust == PF_TRUST_ANON ? SESS_CERT_ANON
            : SESS_CERT_UNTRUSTED;
    else                        /* a problem, then no summary */
        v->cert = c->cond >= 0 ? SESS_CERT_UNTRUSTED : SESS_CERT_UNKNOWN;
    v->cert_problem = c->cond >= 0 ? c->cond : SESS_SUCCESS;
    v->reason = c->reason;
    v->slug = 1;                /* every reason is pf_slug()'s */
    v->local = c->local_notls;
    v->hop = 0;
    return result;
}

/* pf_own - corr_ops.own: the queue id is one of our report mail */
static int
pf_own(void *ctx, const struct corr_proc *p, const struct corr_conn *kc)
{
    const struct pf_sess *ps = ctx;
    const struct pf_conn *c = (const struct pf_conn *) kc;

    if (!sess_own_any(ps->k->own))
        return 0;
    return sess_own_has(ps->k->own, span_make(p->loghost, p->hlen),
                        span_make(c->qid, strlen(c->qid)));
}

/* pf_emit - hand a connection over as a session (corr_emit) of the
 * recipient domain dom of a status line (corr_canon_dom_mt) */
static void
pf_emit(struct pf_sess *ps, struct pf_proc *p, struct pf_conn *c,
        struct pf_pre *pre, struct span dom)
{
    const struct span *d = dom.ptr ? &dom : NULL;

    if (pre->dom == CORR_CANON_RAW)
        corr_emit_canon(ps->k, p, &c->k, d, dom.ptr, pre->dom_clen, 0);
    else if (pre->dom == CORR_CANON_BAD)
        corr_emit_canon(ps->k, p, &c->k, d, NULL, 0, 0);
    else
        corr_emit(ps->k, p, &c->k, d, 0);
}

static void pf_set_reason(struct pf_conn *c, struct span t, int openssl);

/* pf_proxy_key - "log host NUL address" of a peer into key; length, or
 * 0 when the line names no valid address */
static size_t
pf_proxy_key(const struct wrap_rec *r, struct pf_pre *pre, char *key)
{
    size_t  hl = r->host.len > SESS_MAX_LOGHOST ? SESS_MAX_LOGHOST
        : r->host.len;
    char    ip[IPADDR_MAX + 1];

    if (!r->dated || pre->ev.peer_ip.len == 0 || pf_ip_norm(pre, ip) != 0)
        return 0;
    if (hl)
        memcpy(key, r->host.ptr, hl);
    key[hl] = 0;
    memcpy(key + hl + 1, ip, strlen(ip));
    return hl + 1 + strlen(ip);
}

/* pf_proxy_free - htab destructor of a verdict */
static void
pf_proxy_free(void *value)
{
    xfree(value);
}

/* pf_proxy_old - htab_sweep predicate: a verdict older than a minute */
static int
pf_proxy_old(const void *key, size_t klen, void *value, void *ctx)
{
    const struct pf_sess *ps = ctx;
    const struct pf_proxy *v = value;

    (void) key;
    (void) klen;
    return v->t + 60 < ps->proxy_t;
}

/* pf_proxy_note - a tlsproxy(8) line: "server certificate verification
 * failed for H[ip]:port: why" notes why, per peer. With
 * smtp_tls_connection_reuse only tlsproxy logs the reason; the smtp
 * process that uses the handshake logs "Untrusted TLS connection established" to the same
 * peer at the same moment, and then only "Server certificate not
 * verified" (pf_proxy_take). Bounded: PF_PROXY_MAX peers, swept of
 * verdicts older than a minute of log time when full. */
static void
pf_proxy_note(struct pf_sess *ps, const struct wrap_rec *r,
              struct pf_pre *pre)
{
    const struct pf_event *ev = &pre->ev;
    char    key[SESS_MAX_LOGHOST + IPADDR_MAX + 2];
    size_t  n = pf_proxy_key(r, pre, key);
    struct pf_proxy *v;

    if (n == 0)
        return;
    if (r->t > ps->proxy_t)
        ps->proxy_t = r->t;
    if ((v = htab_find(ps->proxy, key, n)) == NULL) {
        if (htab_count(ps->proxy) >= PF_PROXY_MAX
            && htab_sweep(ps->proxy, pf_proxy_old, ps) == 0)
            return;
        v = htab_enter(ps->proxy, key, n, xcalloc(1, sizeof(*v)));
        v->cond = -1;
    }
    if (v->t != r->t || v->cond < 0 || v->cond == SESS_VALIDATION_FAILURE) {
        v->cond = ev->result;
        v->dane = ev->dane;
        v->reason[0] = 0;
        if (ev->reason.len > 0)
            pf_slug(ev->reason, v->reason);
    }
    v->t = r->t;
}

/* pf_proxy_take - c, a TLS connection of an smtp process that logged
 * no certificate problem of its own, takes tlsproxy's verdict for the
 * same peer at the same moment (PF_PROXY_SECS) */
static void
pf_proxy_take(struct pf_sess *ps, struct pf_conn *c, const struct wrap_rec *r)
{
    char    key[SESS_MAX_LOGHOST + IPADDR_MAX + 2];
    size_t  hl = r->host.len > SESS_MAX_LOGHOST ? SESS_MAX_LOGHOST
        : r->host.len;
    size_t  il;
    const struct pf_proxy *v;

    /* no verdict noted (no tlsproxy on most logs): no address measured */
    if (htab_count(ps->proxy) == 0 || !r->dated
        || (il = strlen(c->n.ip)) == 0)
        return;
    if (hl)
        memcpy(key, r->host.ptr, hl);
    key[hl] = 0;
    memcpy(key + hl + 1, c->n.ip, il);
    if ((v = htab_find(ps->proxy, key, hl + 1 + il)) == NULL || v->cond < 0
        || r->t < v->t || r->t > v->t + PF_PROXY_SECS)
        return;
    c->cond = v->cond;
    c->dane |= v->dane;
    if (v->reason[0])
        pf_set_reason(c, span_make(v->reason, strlen(v->reason)), 0);
}

/* pf_open - cur for ev: the same connection, or a new one */
static struct pf_conn *
pf_open(struct pf_sess *ps, struct pf_proc *p, const struct wrap_rec *r,
        struct pf_pre *pre, int fresh)
{
    struct pf_conn *c = PF_CUR(p);

    if (!fresh && c->k.active && !c->closed && !c->k.attributed
        && pf_conn_same(c, pre)) {
        pf_conn_fill(c, pre);
        return c;
    }
    c = (struct pf_conn *) corr_retire(ps->k, p);
    pf_conn_start(c, r, pre);
    return c;
}

/* pf_refine - final failure type from a status text's type r and kind
 * (enum pf_text_kind) and what the connection's lines showed */
static int
pf_refine(const struct pf_conn *c, int r, int kind)
{
    switch (kind) {
    case PF_TEXT_HANDSHAKE:
        return c->fail >= 0 ? c->fail : c->cond >= 0 ? c->cond : r;
    case PF_TEXT_CHAIN:
        if (c->fail >= 0)
            return c->fail;
        return c->cond >= 0 && c->cond != SESS_CERT_HOST_MISMATCH
            ? c->cond : SESS_CERT_NOT_TRUSTED;
    case PF_TEXT_NOT_VERIFIED:
        if (c->fail >= 0)
            return c->fail;
        if (c->dane)
            return SESS_TLSA_INVALID;
        if (c->cond >= 0)
            return c->cond;
        return c->trust == PF_TRUST_TRUSTED ? SESS_CERT_HOST_MISMATCH
            : SESS_CERT_NOT_TRUSTED;
    default:
        return r;
    }
}

/* pf_set_reason - keep the first reason text for a connection */
static void
pf_set_reason(struct pf_conn *c, struct span t, int openssl)
{
    if (c->reason[0])
        return;
    if (openssl)
        pf_openssl_reason(t, c->reason);
    else
        pf_slug(t, c->reason);
}

/* pf_copy_qid - remember the queue id of a connection: span_copy()
 * without its memcpy() call (a queue id has 5 to 24 bytes; the call was
 * some 20 instructions on most status lines) */
static inline void
pf_copy_qid(struct pf_conn *c, struct span qid)
{
    if (qid.len >= sizeof(c->qid)) {
        c->qid[0] = 0;
        return;
    }
    if (qid.len > 16) {
        span_mem_put(c->qid, qid.ptr, 16);
        span_mem_put(c->qid + qid.len - 16, qid.ptr + qid.len - 16, 16);
    } else
        span_mem_put(c->qid, qid.ptr, qid.len);
    c->qid[qid.len] = 0;
}

/* pf_status_line - a delivery status: attribute and emit sessions */
static void
pf_status_line(struct pf_sess *ps, struct pf_proc *p,
               const struct wrap_rec *r, struct pf_pre *pre,
               struct trace *tr)
{
    const struct pf_event *ev = &pre->ev;
    struct span dom = pre->dom_len > 0 ? span_make(ev->rcpt.ptr
                                                   + ev->rcpt.len
                                                   - pre->dom_len,
                                                   pre->dom_len)
        : span_make(ev->rcpt.ptr, 0);     /* corr_rcpt_domain() */
    int     kind = pre->text_kind, dane = pre->text_dane, i, j;
    const char *why = pre->text_why;
    int     res = pre->text_res;
    struct pf_conn *c = PF_CUR(p);

    tr->kind = TRACE_CONTEXT;
    /* waiting connections of this delivery get its domain */
    for (i = j = 0; i < p->npend; i++) {
        struct pf_conn *w = (struct pf_conn *) corr_pend(ps->k, p, i);

        if (ev->qid.len == 0 || w->qid[0] == 0
            || pf_text_is(ev->qid, w->qid, sizeof(w->qid))) {
            if (w->qid[0] == 0)
                pf_copy_qid(w, ev->qid);
            pf_emit(ps, p, w, pre, dom);
        }
        else
            *(struct pf_conn *) corr_pend(ps->k, p, j++) = *w;
    }
    p->npend = j;
    /* nothing waits: the ring back now, cur to the entry (corr_settle) */
    if (j == 0 && p->pend != NULL) {
        corr_settle(ps->k, p);
        c = PF_CUR(p);
    }
    if (res == -2)              /* "delivery temporarily suspended" */
        return;
    if (ev->relay_none || (ev->peer_host.len == 0 && ev->peer_ip.len == 0)) {
        if (res >= 0) {         /* dane-only: no TLSA, not DNSSEC */
            struct pf_conn none;

            pf_conn_start(&none, r, pre);
            pf_copy_qid(&none, ev->qid);
            none.fail = res;
            none.dane = dane;
            pf_why_put(ps, none.reason, why);
            tr->kind = TRACE_FAILURE;
            tr->result = res;
            pf_emit(ps, p, &none, pre, dom);
        }
        return;
    }
    if (c->k.active && c->k.attributed && pf_conn_same(c, pre)
        && (pf_text_is(ev->qid, c->qid, sizeof(c->qid))
            || ev->conn_use >= 2)) {
        /* another recipient or message down the same connection */
        if (res >= 0) {
            tr->kind = TRACE_FAILURE;
            tr->result = pf_refine(c, res, kind);
        }
        return;
    }
    if (ev->conn_use >= 2) {
        /* a cached connection set up (and counted) by another process */
        corr_retire(ps->k, p);
        return;
    }
    if (!(c->k.active && !c->k.attributed && pf_conn_same(c, pre))) {
        c = (struct pf_conn *) corr_retire(ps->k, p);
        pf_conn_start(c, r, pre);
    }
    pf_conn_fill(c, pre);
    pf_copy_qid(c, ev->qid);
    if (res >= 0) {
        c->fail = pf_refine(c, res, kind);
        c->dane |= dane;
        if (!c->reason[0])      /* pf_set_reason() of the code */
            pf_why_put(ps, c->reason, why);
        tr->kind = TRACE_FAILURE;
        tr->result = c->fail;
    } else {
        c->past_ehlo |= pre->past_ehlo;
        if (ev->tls.len > 0 && span_find(ev->tls, "!") < 0
            && (span_starts(ev->tls, "dane") || span_starts(ev->tls, "verify")
                || span_starts(ev->tls, "secure"))) {
            c->tls = 1;
            c->trust = PF_TRUST_VERIFIED;
            if (span_starts(ev->tls, "dane"))
                c->dane = 1;
            tr->kind = TRACE_SUCCESS;
        }
    }
    pf_emit(ps, p, c, pre, dom);
}

/* pf_tlsrpt_line - "TLSRPT: status=..., failure_type=T, ..." */
static void
pf_tlsrpt_line(struct pf_sess *ps, struct pf_proc *p,
               const struct wrap_rec *r, struct pf_pre *pre,
               struct trace *tr)
{
    struct pf_event *ev = &pre->ev;
    struct span s = ev->text;
    long    off;
    struct pf_conn *c;
    int     res = SESS_SUCCESS;

    if ((off = span_find(s, "receiving_mx=")) >= 0) {
        struct span m = s;

        span_drop(&m, (size_t) off + 13);
        (void) (m.len > 0 && pf_parse_peer(&m, ev) == 0);
        pre->peer_made = 0;     /* a peer read here */
    }
    if (span_starts(s, "status=failure")) {
        res = SESS_VALIDATION_FAILURE;
        if ((off = span_find(s, "failure_type=")) >= 0) {
            struct span t = s;
            size_t  n = 0;
            int     code;

            span_drop(&t, (size_t) off + 13);
            while (n < t.len && t.ptr[n] != ',' && t.ptr[n] != ' ')
                n++;
            if ((code = sess_result_code(t.ptr, n)) > 0)
                res = code;
        }
    } else if (!span_starts(s, "status=success")) {
        tr->kind = TRACE_BAD;
        tr->bad = "TLSRPT line";
        return;
    }
    c = pf_open(ps, p, r, pre, 0);
    c->rpt = res;
    c->tls |= res == SESS_SUCCESS;
    if (res != SESS_SUCCESS && (off = span_find(s, "failure_reason=")) >= 0) {
        struct span t = s;

        span_drop(&t, (size_t) off + 15);
        c->reason[0] = 0;
        pf_slug(t, c->reason);
    }
    tr->kind = res == SESS_SUCCESS ? TRACE_SUCCESS : TRACE_FAILURE;
    tr->result = res;
}

/* pf_qmgr_qid - the queue id at the start of a qmgr message into qid,
 * s moved past it; 0, or -1 when there is none: its bytes are
 * [0-9A-Za-z] (pf_alnum_run) */
static int
pf_qmgr_qid(struct span *s, struct span *qid)
{
    int     upper;
    size_t  n = pf_alnum_run(s->ptr, s->len, PF_MAX_QIDLEN, &upper);

    if (n == 0 || n > PF_MAX_QIDLEN)
        return -1;
    *qid = span_make(s->ptr, n);
    span_drop(s, n);
    return 0;
}


/* pf_qmgr_line - "QID: from=<addr>, size=..." of our own sender notes
 * the queue id, "QID: removed" forgets it */
static void
pf_qmgr_line(struct pf_sess *ps, const struct wrap_rec *r, struct trace *tr)
{
    struct span s = r->msg;
    struct span qid, addr;

    /* most lines: "QID: removed" while none of our own mail is known */
    if (span_ends(s, ": removed") && !sess_own_any(ps->k->own))
        return;
    if (pf_qmgr_qid(&s, &qid) != 0)
        return;
    if (span_eq(s, ": removed")) {
        sess_own_forget(ps->k->own, r->host, qid);
        return;
    }
    if (pf_qmgr_from(s, &addr) == 0)
        (void) corr_own_from(ps->k, r, qid, addr, r->dated ? r->t : 0, tr);
}

/* pf_qmgr_own_len - 0 when the qmgr message past its queue id (s, at
 * its ": ") cannot hold our own sender, whose address is n bytes long
 * (sess_own_from_len()): sess_own_sender() takes an address of n bytes,
 * or of n + 2 with its "<>", and pf_qmgr_from() gives one only where
 * ">, size=" follows it, so the '>' after ": from=<" (8 bytes) and the
 * address stands at 8 + n or 8 + n + 2. Else 1 (ask them). Most qmgr
 * lines are other senders' mail: pf_qmgr_from()'s search is then not
 * made (tests/t_pfmemo.c compares the answer with the full test) */
static inline int
pf_qmgr_own_len(struct span s, size_t n)
{
    return (s.len > n + 8 && s.ptr[n + 8] == '>')
        || (s.len > n + 10 && s.ptr[n + 10] == '>');
}

/* pf_qmgr_mine_mt - a qmgr line the no-loop tracker needs: our own
 * sender's "QID: from=<addr>, size=", or any "QID: removed" */
static int
pf_qmgr_mine_mt(const struct sess_own *own, struct span s)
{
    struct span qid, addr;

    if (pf_qmgr_qid(&s, &qid) != 0)
        return 0;
    if (span_eq(s, ": removed"))
        return 1;
    return pf_qmgr_own_len(s, sess_own_from_len(own))
        && pf_qmgr_from(s, &addr) == 0 && sess_own_sender(own, addr);
}

/* the Postfix program a non-empty ident names */
enum pf_prog {
    PF_PROG_NONE,               /* no "syslog_name/" prefix: not Postfix */
    PF_PROG_SMTP,
    PF_PROG_LMTP,
    PF_PROG_TLSPROXY,
    PF_PROG_QMGR,
    PF_PROG_OTHER,              /* smtpd, cleanup, error, ...: no state */
};

/* pf_prog - the program of ident (len > 0): the service after its last
 * '/', by length first (most lines are smtpd, cleanup or qmgr) */
static enum pf_prog
pf_prog(struct span ident)
{
    const char *slash;
    struct span svc;

    /* the programs with state first, by their last bytes: no search */
    if (span_ends(ident, "/smtp"))
        return PF_PROG_SMTP;
    if (span_ends(ident, "/qmgr"))
        return PF_PROG_QMGR;
    if ((slash = memrchr(ident.ptr, '/', ident.len)) == NULL)
        return PF_PROG_NONE;
    svc = span_make(slash + 1, ident.len - (size_t) (slash + 1 - ident.ptr));
    if (svc.len != 4 && svc.len != 8)
        return PF_PROG_OTHER;
    return span_eq(svc, "smtp") ? PF_PROG_SMTP
        : span_eq(svc, "qmgr") ? PF_PROG_QMGR
        : span_eq(svc, "lmtp") ? PF_PROG_LMTP
        : span_eq(svc, "tlsproxy") ? PF_PROG_TLSPROXY : PF_PROG_OTHER;
}

/* pf_prog() of the idents of the lines before, by their wrap tags
 * (wrap_rec.ident_tag: one tag, one ident; tags handed out in turn
 * differ in their low bits): a tag's slot is tag & 63, as many as
 * wrap.c keeps idents. A Postfix log interleaves a few programs line by
 * line: pf_prog() of each line's ident was 3 % of a run's instructions
 * on a replayed real log; with 8 slots, a merged log of five hosts
 * still asked it again on one line in fifteen. Per thread: no sharing */
#define PF_PROG_TAGS 64

static _Thread_local uint64_t pf_prog_tag[PF_PROG_TAGS];
static _Thread_local unsigned char pf_prog_of[PF_PROG_TAGS];

/* pf_prog_mt - pf_prog() of the ident of r (len > 0), remembered by
 * its tag */
static inline enum pf_prog
pf_prog_mt(const struct wrap_rec *r)
{
    unsigned i = (unsigned) (r->ident_tag & (PF_PROG_TAGS - 1));

    if (r->ident_tag == 0)
        return pf_prog(r->ident);
    if (pf_prog_tag[i] != r->ident_tag) {
        pf_prog_of[i] = (unsigned char) pf_prog(r->ident);
        pf_prog_tag[i] = r->ident_tag;
    }
    return (enum pf_prog) pf_prog_of[i];
}

/* pf_sess_ident_noise - see pf_sess.h: the programs for which
 * pf_classify_mt() returns CORR_PRE_DONE before the message */
int
pf_sess_ident_noise(const struct sess_own *own, struct span ident)
{
    enum pf_prog prog;

    if (ident.len == 0)
        return 0;
    prog = pf_prog(ident);
    return prog == PF_PROG_OTHER || (prog == PF_PROG_QMGR && own == NULL);
}

/* pf_dated_msg - 1 when a message begins "DDDD-DD-DD " (Exim's main
 * log, whose lines carry no syslog ident). pf_classify() finds nothing
 * in such a message, so a line without ident is not Postfix's:
 *  - its first byte, a digit, takes no case of its switch;
 *  - it does not begin "to=<" or "status=";
 *  - pf_qid() stops at the '-' at offset 4: fewer than 5 bytes;
 *  - pf_peer() stops at the space at offset 10 (no byte before it is
 *    '[', ' ', ',' or ':'): a host without "[address]", and the last
 *    test wants an address.
 * It returns PF_IGNORE, and pf_classify_mt() CORR_PRE_NOT_MINE: the
 * same answer, without reading the line (Exim lines were a tenth of
 * the work of a run on an Exim log) */
static inline int
pf_dated_msg(struct span m)
{
    const char *p = m.ptr;
    int     i;

    if (m.len < 11 || p[4] != '-' || p[7] != '-' || p[10] != ' ')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (p[i] < '0' || p[i] > '9'))
            return 0;
    return 1;
}

/* pf_key_mt - the process's key of r and its hash into pre (struct
 * pf_pre: a key longer than PF_KEY_INLINE is not kept); n: what
 * pf_key_line() of r into pre->key said, some time before. Pure */
static void
pf_key_mt(struct pf_pre *pre, const struct wrap_rec *r, size_t n)
{
    static const char none[2] = {0, 0};
    char    key[CORR_KEY_MAX];

    if (n == 0 && (r->host.len | r->ident.len | r->pid.len) == 0) {
        /* a message without its envelope or ident (5.5 k lines of the
         * replayed corpus slice): corr_key_proc()'s key is two NULs,
         * its hash a constant */
        memcpy(pre->key, none, 2);
        pre->klen = 2;
        pre->khash = htab_hash(none, 2);
        return;
    }
    if (n > 0) {
        /* most lines: the key's bytes from the line, no fields copied,
         * written before the message was read: the key's 16-byte and
         * byte stores, read back by XXH3's 8-byte loads right after,
         * were a store no load can be forwarded from (the loads waited
         * for the stores to reach the cache: a tenth of
         * pf_pre_event()'s samples) */
        if (n < 16 || n > PF_KEY_INLINE)
            __builtin_unreachable();    /* pf_key_line()'s: XXH3's path
                                         * known */
        pre->klen = (uint16_t) n;
        pre->khash = htab_hash(pre->key, n);
        return;
    }
    n = corr_key_proc(r, key, PF_PID_MAX);
    pre->khash = htab_hash(key, n);
    pre->klen = n <= PF_KEY_INLINE ? (uint16_t) n : 0;
    if (n > 16 && n <= 32) {
        /* most keys: two blocks of sixteen that overlap, no call */
        memcpy(pre->key, key, 16);
        memcpy(pre->key + n - 16, key + n - 16, 16);
    } else if (pre->klen > 0)
        span_mem_put(pre->key, key, n);
}

/* pf_rcpt_domain - corr_rcpt_domain(rcpt): the last '@' among the
 * address's last sixteen bytes found at once (SSE2), most domains
 * being shorter; else, and for shorter addresses, its memrchr() call
 * (some 25 instructions on most status lines). tests/t_pfmemo.c
 * compares the two */
static inline struct span
pf_rcpt_domain(struct span rcpt)
{
#ifdef __SSE2__
    if (rcpt.len >= 16) {
        const char *e = rcpt.ptr + rcpt.len;
        unsigned m = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(
            _mm_loadu_si128((const __m128i *) (const void *) (e - 16)),
            _mm_set1_epi8('@')));

        if (m != 0) {
            size_t  k = 16 - (size_t) (31 - __builtin_clz(m));

            return span_make(e - k + 1, k - 1);
        }
    }
#endif
    return corr_rcpt_domain(rcpt);
}

/* pf_sess_rcpt_domain - see pf_sess.h */
struct span
pf_sess_rcpt_domain(struct span rcpt)
{
    return pf_rcpt_domain(rcpt);
}

/* pf_sess_ident_prog - see pf_sess.h */
int
pf_sess_ident_prog(struct span ident)
{
    return (int) pf_prog(ident);
}

/* pf_classify_mt - corr_ops.classify_mt: what a line is before any
 * state (corr.h): its program by its ident's tag, then as below */
static int
pf_classify_mt(const struct wrap_rec *r, const struct sess_own *own,
               void *prep, struct trace *tr)
{
    return pf_sess_classify_prog_mt(r, own, prep, tr, r->ident.len > 0
                                    ? (int) pf_prog_mt(r) : -1);
}

/* the events other than a status line whose peer pf_pre_event() makes
 * canonical ahead (pf_canon_memo): those that open or match a
 * connection */
#define PF_KINDS_PEER ((1U << PF_TLS_EST) | (1U << PF_TLS_REUSED) \
                       | (1U << PF_CERT_FAIL) | (1U << PF_HANDSHAKE_FAIL) \
                       | (1U << PF_TLS_LIBPROB) | (1U << PF_NOT_OFFERED) \
                       | (1U << PF_SOFT) | (1U << PF_NO_STARTTLS_LOCAL))

/* pf_pre_event - the part of pf_sess_classify_prog_mt() that reads the
 * message, pre->lmtp and pre->proxy set by its program (PF_PROG_LMTP,
 * PF_PROG_TLSPROXY).
 * A function of its own, called last: its frame (the event of a
 * loglevel-2 detail, a key's bytes, the text's facts) and the registers
 * it saves are paid by the lines it reads, not by the qmgr, other and
 * foreign lines that pf_sess_classify_prog_mt() answers first */
static __attribute__((noinline)) int
pf_pre_event(const struct wrap_rec *r, struct pf_pre *pre,
             struct trace *tr)
{
    struct pf_event *ev = &pre->ev;
    struct span dom;
    size_t  kn = pf_key_line(r, pre->key);      /* hashed below */

    pf_classify(r->msg, ev);
    if (ev->kind == PF_IGNORE)
        return r->ident.len > 0 ? CORR_PRE_DONE : CORR_PRE_NOT_MINE;
    /* what apply reads first (pf_apply, pf_prefetch); no line that
     * returns before here is applied */
    pre->qmgr = 0;
    /* one thread for both: apply makes the peer as it needs it, without
     * the memo (corr_canon_ahead) */
    pre->peer_made = !corr_canon_ahead;
    pre->host = pre->ip = CORR_CANON_NONE;
    pre->dom = CORR_CANON_NONE;
    if (pre->proxy) {
        /* tlsproxy's handshake is logged again by the smtp process that
         * uses it (Postfix >= 3.4): count it there, once. Only tlsproxy
         * says why a certificate failed: its verdict is noted for that
         * smtp process (pf_proxy_note), no session of its own */
        tr->kind = ev->kind == PF_TLS_EST
            ? (ev->trust == PF_TRUST_VERIFIED ? TRACE_SUCCESS
               : TRACE_SUCCESS_UNAUTH) : TRACE_DETAIL;
        return ev->kind != PF_CERT_FAIL ? CORR_PRE_DONE : CORR_PRE_EVENT;
    }
    pf_key_mt(pre, r, kn);
    /* the peer and domain in the form the session record holds: what
     * the thread that applies would make of them; and what the text
     * says of the dialogue (a search of nine phrases) and of a
     * failure, here rather than on the thread that applies, in order.
     * Only a status and a per-MX text's lines are asked (pf_apply(),
     * pf_status_line()): the other events' are not written. A status
     * line first, then the events that open or match a connection by
     * one test of a mask (a switch of compares was mispredicted on
     * some 23 k lines of the replayed corpus slice) */
    if (ev->kind == PF_STATUS) {
        /* most continue a connection that a TLS line opened: its peer
         * is compared as written, and made canonical (on the thread
         * that applies) only when it opens one */
        dom = pf_rcpt_domain(ev->rcpt);
        pre->dom_len = (uint32_t) dom.len;
        if (corr_canon_ahead)
            pre->dom = (uint8_t) corr_canon_dom_mt(dom, &pre->dom_clen);
        pf_canon_memo(pre, 0);
        /* a delivered message's text is the server's reply, never one
         * of Postfix's TLS failure texts (and a server's words are no
         * failure); "sent" shows a dialogue past EHLO without a
         * search */
        if (span_eq(ev->status, "sent")) {
            pre->past_ehlo = 1;
            pre->text_res = -1;
            pre->text_kind = PF_TEXT_OTHER;
            pre->text_dane = 0;
            pre->text_why = "";
            return CORR_PRE_EVENT;
        }
    } else if ((1U << ev->kind) & PF_KINDS_PEER) {
        pf_canon_memo(pre, 1);
        if (ev->kind != PF_SOFT)
            return CORR_PRE_EVENT;
    } else
        return CORR_PRE_EVENT;
    {
        struct pf_text_facts f;

        pf_text_facts(ev->text, &f);
        pre->past_ehlo = f.past_ehlo;
        pre->text_res = f.res;
        pre->text_kind = f.kind;
        pre->text_dane = f.dane;
        pre->text_why = f.why;
    }
    return CORR_PRE_EVENT;
}

/* pf_qmgr_pre - pf_sess_classify_prog_mt() of a qmgr line: an event
 * when the no-loop tracker needs it (pf_qmgr_mine_mt). A function of
 * its own, as pf_pre_event(): the spans its calls write are in its
 * frame, not in that of every line */
static __attribute__((noinline)) int
pf_qmgr_pre(const struct sess_own *own, struct span msg, struct pf_pre *pre)
{
    if (own == NULL || !pf_qmgr_mine_mt(own, msg))
        return CORR_PRE_DONE;
    pre->qmgr = 1;
    return CORR_PRE_EVENT;
}

/* pf_sess_classify_prog_mt - pf_classify_mt() with the program of the
 * ident given (pf_sess.h; prog -1: no ident). The lines answered by
 * their program alone (qmgr, other programs, foreign ones) return
 * without a frame; the rest is pf_pre_event(), a tail call. pre is
 * written only for a line to apply (CORR_PRE_EVENT: corr.h). Small
 * enough to be inlined into the engine's loop: no call for those lines,
 * and a direct jump to pf_pre_event() for the rest */
int
pf_sess_classify_prog_mt(const struct wrap_rec *r, const struct sess_own *own,
                         void *prep, struct trace *tr, int prog_of)
{
    struct pf_pre *pre = prep;

    memset(tr, 0, sizeof(*tr));
    tr->kind = TRACE_IRRELEVANT;
    if (prog_of >= 0) {
        /* by the commonest first, conditional branches (a jump by a
         * table, to a place that changes line by line, was mispredicted
         * on most lines) */
        enum pf_prog prog = (enum pf_prog) prog_of;

        if (prog != PF_PROG_SMTP) {
            if (prog == PF_PROG_QMGR)
                return pf_qmgr_pre(own, r->msg, pre);
            if (prog == PF_PROG_OTHER)
                return CORR_PRE_DONE;
            if (prog == PF_PROG_NONE)
                return CORR_PRE_NOT_MINE;
            pre->lmtp = prog == PF_PROG_LMTP;
            pre->proxy = prog == PF_PROG_TLSPROXY;
            return pf_pre_event(r, pre, tr);
        }
    } else if (pf_dated_msg(r->msg)) {
        return CORR_PRE_NOT_MINE;       /* what pf_classify() would say */
    }
    pre->lmtp = 0;
    pre->proxy = 0;
    return pf_pre_event(r, pre, tr);
}

/* bits of corr_proc.note, Postfix's own */
#define PF_NOTE_TLS_HOST 1U     /* corr_tls_host() told of this process */

/* pf_tls_host - corr_tls_host() of p, once a process: the set of log
 * hosts that log TLS only grows (sess_cb.tls_host), and a process's log
 * host is part of its key. A TLS line was a call on most lines of a
 * replayed real log (47,451 in 83,377 applied, 44 instructions each) */
static inline void
pf_tls_host(struct pf_sess *ps, struct pf_proc *p)
{
    if (!(p->note & PF_NOTE_TLS_HOST)) {
        p->note |= PF_NOTE_TLS_HOST;
        corr_tls_host(ps->k, p);
    }
}

/* pf_apply - corr_ops.apply: the state part of a line classified as
 * an event (corr.h) */
static void
pf_apply(void *mta, const struct wrap_rec *r, void *prep, struct trace *tr)
{
    struct pf_sess *ps = mta;
    struct pf_pre *pre = prep;
    struct pf_event *evp = &pre->ev;
    struct pf_proc *p;
    struct pf_conn *c;
    int     lmtp = pre->lmtp;
    int     new;

    if (pre->qmgr) {
        pf_qmgr_line(ps, r, tr);
        return;
    }
    if (pre->proxy) {
        pf_proxy_note(ps, r, pre);
        return;
    }
    if (pre->klen > 0)          /* the key made by pf_key_mt() */
        p = corr_enter_hashed(ps->k, pre->key, pre->klen, pre->khash,
                              r->host, r->dated, r->t, r, &new);
    else
        p = corr_enter_proc_hashed(ps->k, r, PF_PID_MAX, pre->khash, r,
                                   &new);
    if (p == NULL)
        return;
    if (new)
        p->lmtp = lmtp;
    /* the commonest kinds first, by conditional branches: a jump by a
     * table to a place that changes line by line was mispredicted on
     * most lines */
    if (evp->kind == PF_STATUS) {
        pf_status_line(ps, p, r, pre, tr);
        return;
    }
    if (evp->kind == PF_TLS_EST) {
        pf_tls_host(ps, p);
        c = PF_CUR(p);
        if (!(c->k.active && !c->tls && !c->closed && !c->k.attributed
              && !c->hs_fail && pf_conn_same(c, pre)))
            c = pf_open(ps, p, r, pre, 1);
        pf_conn_fill(c, pre);
        c->tls = 1;
        c->trust = evp->trust;
        if (c->cond < 0 && evp->trust != PF_TRUST_VERIFIED)
            pf_proxy_take(ps, c, r);
        tr->kind = evp->trust == PF_TRUST_VERIFIED ? TRACE_SUCCESS
            : TRACE_SUCCESS_UNAUTH;
        return;
    }
    if (evp->kind == PF_DETAIL) {
        pf_tls_host(ps, p);
        tr->kind = TRACE_DETAIL;
        return;
    }
    switch (evp->kind) {
    case PF_PROXY_CONNECT:
        tr->kind = TRACE_DETAIL;
        break;
    case PF_TLS_REUSED:
        c = pf_open(ps, p, r, pre, 1);
        c->reused = 1;
        tr->kind = TRACE_DETAIL;
        break;
    case PF_CERT_FAIL:
        pf_tls_host(ps, p);
        c = PF_CUR(p);
        if (!(c->k.active && !c->tls && !c->closed && !c->k.attributed
              && !c->hs_fail && pf_conn_same(c, pre)))
            c = pf_open(ps, p, r, pre, 1);
        pf_conn_fill(c, pre);
        if (c->cond < 0 || c->cond == SESS_VALIDATION_FAILURE)
            c->cond = evp->result;
        c->dane |= evp->dane;
        if (evp->certain && c->fail < 0)
            c->fail = evp->result;
        if (evp->reason.len > 0 && !c->reason[0])   /* pf_set_reason() */
            pf_reason_put(ps, c->reason, evp->reason, 0);
        tr->kind = evp->certain ? TRACE_FAILURE : TRACE_COND;
        tr->result = evp->result;
        break;
    case PF_HANDSHAKE_FAIL:
        pf_tls_host(ps, p);
        c = PF_CUR(p);
        if (!(c->k.active && !c->closed && !c->k.attributed && !c->hs_fail
              && pf_conn_same(c, pre)))
            c = pf_open(ps, p, r, pre, 1);
        pf_conn_fill(c, pre);
        c->hs_fail = 1;
        if (c->fail < 0)
            c->fail = c->cond >= 0 ? c->cond : SESS_VALIDATION_FAILURE;
        tr->kind = TRACE_FAILURE;
        tr->result = c->fail;
        break;
    case PF_TLS_LIBPROB:
        pf_tls_host(ps, p);
        c = PF_CUR(p);
        if (c->k.active && c->hs_fail && !c->libprob && !c->closed
            && !c->k.attributed) {
            c->libprob = 1;
            if (c->fail == SESS_VALIDATION_FAILURE)
                c->reason[0] = 0;
            if (!c->reason[0])  /* pf_set_reason() */
                pf_reason_put(ps, c->reason, evp->text, 1);
            tr->kind = TRACE_DETAIL;
            break;
        }
        /* a warning with no SSL_connect line (mail.warn files): one
         * failed handshake with an unknown peer */
        c = pf_open(ps, p, r, pre, 1);
        c->hs_fail = c->libprob = 1;
        c->fail = SESS_VALIDATION_FAILURE;
        if (!c->reason[0])      /* pf_set_reason() */
            pf_reason_put(ps, c->reason, evp->text, 1);
        tr->kind = TRACE_FAILURE;
        tr->result = c->fail;
        break;
    case PF_NOT_OFFERED:
        c = pf_open(ps, p, r, pre, 0);
        c->fail = SESS_STARTTLS_NOT_SUPPORTED;
        c->closed = 1;
        pf_copy_qid(c, evp->qid);
        tr->kind = TRACE_FAILURE;
        tr->result = c->fail;
        break;
    case PF_SOFT:{
            int     kind = pre->text_kind, dane = pre->text_dane;
            const char *why = pre->text_why;
            int     res = pre->text_res;

            c = PF_CUR(p);
            /* "host H said: 421 ..." then "lost connection with H": both
             * end the same connection */
            if (!(c->k.active && c->closed && !c->k.attributed
                  && pf_conn_same(c, pre) && span_is(evp->qid, c->qid)))
                c = pf_open(ps, p, r, pre, 0);
            c->closed = 1;
            pf_copy_qid(c, evp->qid);
            tr->kind = TRACE_CONTEXT;
            if (res >= 0) {
                c->fail = pf_refine(c, res, kind);
                c->dane |= dane;
                if (!c->reason[0])      /* pf_set_reason() of the code */
                    pf_why_put(ps, c->reason, why);
                tr->kind = TRACE_FAILURE;
                tr->result = c->fail;
            } else if (!c->tls && c->cond < 0 && c->fail < 0) {
                c->past_ehlo = pre->past_ehlo;
                c->pre_tls = !c->past_ehlo;
            }
            break;
        }
    case PF_STATUS_BAD:
        tr->kind = TRACE_BAD;
        tr->bad = "truncated delivery line";
        break;
    case PF_STATUS_FORGED:
        /* an address that holds '>' and Postfix's field names: which
         * fields are Postfix's cannot be told (pf.c, pf_status_own) */
        tr->kind = TRACE_BAD;
        tr->bad = "delivery line whose address holds its fields";
        break;
    case PF_TLSRPT:
        pf_tls_host(ps, p);
        pf_tlsrpt_line(ps, p, r, pre, tr);
        break;
    case PF_NO_STARTTLS_LOCAL:
        c = pf_open(ps, p, r, pre, 1);
        c->local_notls = 1;
        tr->kind = TRACE_PLAINTEXT;
        break;
    case PF_IGNORE:
    case PF_STATUS:             /* above */
    case PF_TLS_EST:
    case PF_DETAIL:
        break;
    }
}

/* pf_prefetch - corr_ops.prefetch: the process's key (corr_prefetch) */
static void
pf_prefetch(const void *mta, const void *prep, int deep)
{
    const struct pf_pre *pre = prep;

    if (!pre->qmgr && !pre->proxy)
        corr_prefetch(((const struct pf_sess *) mta)->k, pre->khash, deep);
}

/* pf_init, pf_fini - corr_ops.init and fini: the tlsproxy verdicts */
static void
pf_init(void *mta)
{
    ((struct pf_sess *) mta)->proxy = htab_create(64, pf_proxy_free);
}

static void
pf_fini(void *mta)
{
    htab_free(((struct pf_sess *) mta)->proxy);
}

/* pf_corr_ops - Postfix, to the core and to parser.c */
const struct corr_ops pf_corr_ops = {
    .name = "postfix", .mta = SESS_MTA_POSTFIX,
    .sess_size = sizeof(struct pf_sess), .conn_size = sizeof(struct pf_conn),
    .names = offsetof(struct pf_conn, n),
    .pre_size = sizeof(struct pf_pre),
    .hint = 1024, .max_pend = PF_MAX_PEND, .sweep_every = 65536,
    .classify_mt = pf_classify_mt, .apply = pf_apply,
    .init = pf_init, .fini = pf_fini, .prefetch = pf_prefetch,
    .outcome = pf_outcome, .judge = pf_judge, .own = pf_own,
    .lazy = 1,
};
