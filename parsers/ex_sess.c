/* parsers/ex_sess.c - Exim lines tied into sessions (see ex_sess.h)
 *
 * Exim writes every line of a delivery attempt with the message id, so
 * lines are tied per (log host, message id), not per process (cPanel's
 * splogger gives every line a pid of its own). Per message we keep the
 * connection being set up ("cur": certificate problems, DANE notes) and
 * up to EX_MAX_PEND earlier connections of the same delivery that ended
 * with a line of their own ("ID H=host [ip]: a TLS session is required,
 * ...", "DANE attempt failed; ...", "TLS session: ...: delivering
 * unencrypted to ..."). A delivery line "ID => rcpt ... H=host [ip] ..."
 * (or ->, **, ==, >>) names the recipient domain for all of them; it
 * is the same connection as cur when it names the same address, a new
 * one otherwise. "]*" marks a connection made (and counted) for another
 * message; "->" lines are more recipients down the connection of the
 * "=>" before them. Lines without a message id (exim -d/-v echoes,
 * callouts) share one state per log host. Rules: docs/parsers/exim.md.
 * The arrival line "ID <= sender ..." of our own report address notes
 * the message id (sess_own); its sessions are not counted, "Completed"
 * forgets it.
 */
#include "ex_sess.h"
#include "corr.h"
#include "ex.h"
#include "../util/dname.h"
#include "../util/ipaddr.h"
#include "../util/mymalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define EX_MAX_PEND 8           /* ended connections waiting per message */
#define EX_KEY_MAX 63           /* address as written, for matching */
#define EX_SWEEP_EVERY 8192     /* lines between sweeps of idle messages */

struct ex_conn {
    struct corr_conn k;         /* first: the core's part */
    /* the numbers, as bytes, and then the peer's names: what a new
     * connection writes and the emit step reads lies on three lines of
     * the key's entry (the connection starts 160 bytes into an entry
     * aligned to 64, util/htab.c: 32 into a line) */
    uint32_t pid;               /* ex_pid_hash() of its first line */
    uint8_t keylen;             /* strlen(key); 0: key holds none (its
                                 * bytes not read) */
    uint8_t tls;                /* X=: the handshake completed */
    uint8_t cv;                 /* enum ex_cv */
    int8_t  cond;               /* certificate/DANE problem seen, or -1 */
    int8_t  fail;               /* failure decided, or -1 */
    uint8_t dane;
    uint8_t plain;              /* delivered (or past EHLO) without TLS */
    uint8_t hs;                 /* a handshake ran ("SSL verify error") */
    uint8_t ended;              /* a per-MX line after the handshake */
    uint8_t closed;             /* ended with a line of its own */
    uint8_t clear;              /* E14: the retry goes in clear */
    uint8_t in_clear;           /* this is that retry */
    uint8_t tlserr;             /* ended by an old "TLS error on ... to" */
    uint8_t cand;               /* waiting: cand_dom is its domain unless
                                 * a line naming its host comes */
    uint8_t has_reason;         /* reason holds one (else not read) */
    /* the strings, only read as C strings (ex_conn_start): the peer's
     * names, whose first bytes the emit step reads with the numbers;
     * the rest only while the numbers say they hold something */
    struct corr_names n;        /* the peer */
    char    pad_[9];            /* key on a line of its own */
    char    key[EX_KEY_MAX + 1];        /* "[...]" text, to match lines
                                         * (while keylen > 0) */
    char    cand_dom[DNAME_MAX + 1];    /* while cand is set */
    char    creason[EX_REASON_MAX + 1];  /* of the certificate problem
                                          * (while cond >= 0) */
    char    reason[EX_REASON_MAX + 1];   /* of the failure (while
                                          * has_reason) */
};
_Static_assert((offsetof(struct ex_conn, key) + 32) % 64 == 0,
               "an Exim connection's key starts a line of the key's entry");

/* a message's state is the core's struct corr_proc (own: our report) */
#define ex_msg corr_proc
#define EX_CUR(m) ((struct ex_conn *) (m)->cur)

struct ex_peers;

struct ex_sess {
    struct corr *k;             /* messages, emit, flush */
    uint32_t pid;               /* ex_pid_hash() of the line being fed */
    struct ex_peers *peers;     /* what new connections took of their
                                 * peers (ex_conn_take), made on first
                                 * need; NULL: not yet, or no memory */
    int     peers_failed;       /* no memory for it: not asked again */
};

/* ex_bytes_same - the n bytes at a and b are the same: words of eight
 * (the last one overlapping), not a call of memcmp(), whose set-up
 * costs more than the compare of a name or an address */
static inline int
ex_bytes_same(const char *a, const char *b, size_t n)
{
    uint64_t x, y, d = 0;
    size_t  i;

    if (n < 8)
        return n == 0 || memcmp(a, b, n) == 0;
    for (i = 0; i + 8 < n; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        d |= x ^ y;
    }
    memcpy(&x, a + n - 8, 8);
    memcpy(&y, b + n - 8, 8);
    return (d | (x ^ y)) == 0;
}

/* ex_bytes_copy - memcpy() of n bytes, in words of eight (the last one
 * overlapping) */
static inline void
ex_bytes_copy(char *dst, const char *src, size_t n)
{
    uint64_t x;
    size_t  i;

    if (n < 8) {
        if (n > 0)
            memcpy(dst, src, n);
        return;
    }
    for (i = 0; i + 8 < n; i += 8) {
        memcpy(&x, src + i, 8);
        memcpy(dst + i, &x, 8);
    }
    memcpy(&x, src + n - 8, 8);
    memcpy(dst + n - 8, &x, 8);
}

/* The last host name and address made canonical on this thread, as
 * written and as made (dname_norm(), ipaddr_norm()): the lines of a log
 * name the same few MX hosts again and again, and a name read again
 * costs a compare and a copy instead of its check (a fifth of the
 * instructions of ex_apply()). What is kept is what the call wrote,
 * byte for byte, and its result (and of a name, whether it is
 * numeric: dname_is_numeric()): a hit writes the same. Per thread: no
 * sharing; a function of the text alone */
#define EX_MEMO_IN 64               /* longer texts are not kept */
#define EX_MEMO_OUT 64              /* nor longer results */
#define EX_MEMO_BITS 7              /* 128 places: with 64 a slice of an
                                     * Exim log of 63 MX hosts missed on a
                                     * name in five (places shared); 256
                                     * made the static thread-local
                                     * block, with the kept walks of
                                     * ex.c, larger than the stack of the
                                     * policy workers (emit/resolution/
                                     * pol.c), which then did not start */

struct ex_memo {
    size_t  len;                    /* of in; 0: nothing kept */
    char    in[EX_MEMO_IN];
    int     rc;                     /* what the call returned */
    int     num;                    /* a name: rc 0 and numeric */
    size_t  out_len;                /* bytes it wrote, its NUL included */
    char    out[EX_MEMO_OUT + 1];
};

static _Thread_local struct ex_memo ex_memo_host[1 << EX_MEMO_BITS];
static _Thread_local struct ex_memo ex_memo_ip[1 << EX_MEMO_BITS];

/* ex_memo_at - the place of text t (len > 0) in a table of memos: the
 * top bits of ex_memo_hash() (ex.h) with the eight bytes in its middle
 * mixed in. A log's MX names come in families alike at both ends
 * ("danebroken1.test.ex", "danebroken3.test.ex"): by the ends alone
 * they took one place, and a slice of an Exim log of 63 names missed
 * on one in six */
static inline struct ex_memo *
ex_memo_at(struct ex_memo *tab, struct span t)
{
    uint64_t h = ex_memo_hash(t), mid = 0;

    if (t.len > 16)
        memcpy(&mid, t.ptr + (t.len - 8) / 2, 8);
    h = (h ^ mid) * 0x9e3779b97f4a7c15ULL;
    return &tab[h >> (64 - EX_MEMO_BITS)];
}

/* ex_memo_has - 1 when m holds text t */
static inline int
ex_memo_has(const struct ex_memo *m, struct span t)
{
    return t.len == m->len && ex_bytes_same(t.ptr, m->in, t.len);
}

/* ex_memo_keep - remember what a call of text t returned and wrote */
static inline void
ex_memo_keep(struct ex_memo *m, struct span t, int rc, const char *out,
             int num)
{
    if (t.len == 0 || t.len > EX_MEMO_IN) {
        m->len = 0;
        return;
    }
    m->len = t.len;
    memcpy(m->in, t.ptr, t.len);
    m->rc = rc;
    m->num = num;
    m->out_len = rc == 0 ? strlen(out) + 1 : 0;
    if (m->out_len > EX_MEMO_OUT + 1) {
        m->len = 0;
        return;
    }
    if (m->out_len)
        memcpy(m->out, out, m->out_len);
}

/* ex_small_same - the n bytes (n < 16) at a and b are the same: two
 * words that overlap, of eight, four or one byte, no call of memcmp()
 * (a call needs registers saved: ex_sess_dname_mt()) */
static inline int
ex_small_same(const char *a, const char *b, size_t n)
{
    uint64_t x, y, u, v;
    uint32_t x4, y4, u4, v4;

    if (n >= 8) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        memcpy(&u, a + n - 8, 8);
        memcpy(&v, b + n - 8, 8);
        return ((x ^ y) | (u ^ v)) == 0;
    }
    if (n >= 4) {
        memcpy(&x4, a, 4);
        memcpy(&y4, b, 4);
        memcpy(&u4, a + n - 4, 4);
        memcpy(&v4, b + n - 4, 4);
        return ((x4 ^ y4) | (u4 ^ v4)) == 0;
    }
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2]
                      && a[n - 1] == b[n - 1]);
}

/* ex_small_copy - memcpy() of n bytes (n < 16), as ex_small_same()
 * reads them */
static inline void
ex_small_copy(char *dst, const char *src, size_t n)
{
    uint64_t x, u;
    uint32_t x4, u4;

    if (n >= 8) {
        memcpy(&x, src, 8);
        memcpy(&u, src + n - 8, 8);
        memcpy(dst, &x, 8);
        memcpy(dst + n - 8, &u, 8);
    } else if (n >= 4) {
        memcpy(&x4, src, 4);
        memcpy(&u4, src + n - 4, 4);
        memcpy(dst, &x4, 4);
        memcpy(dst + n - 4, &u4, 4);
    } else if (n > 0) {
        char    c0 = src[0], c1 = src[n / 2], c2 = src[n - 1];

        dst[0] = c0;
        dst[n / 2] = c1;
        dst[n - 1] = c2;
    }
}

/* ex_name_same - ex_bytes_same() of a name (n <= EX_MEMO_IN): sixteen
 * bytes a step from 16 on (ex_same16; a name of 20 to 30 bytes was
 * four words of eight and their loop), two words below */
static inline int
ex_name_same(const char *a, const char *b, size_t n)
{
    if (n >= 16)
        return ex_same16(a, b, n);
    return ex_small_same(a, b, n);
}

/* ex_name_copy - ex_bytes_copy() of a name, as ex_name_same() reads */
static inline void
ex_name_copy(char *dst, const char *src, size_t n)
{
#ifdef __SSE2__
    if (n >= 16) {
        __m128i last = _mm_loadu_si128((const __m128i *) (const void *)
                                       (src + n - 16));
        size_t  i;

        for (i = 0; i + 16 < n; i += 16)
            _mm_storeu_si128((__m128i *) (void *) (dst + i),
                             _mm_loadu_si128((const __m128i *)
                                             (const void *) (src + i)));
        _mm_storeu_si128((__m128i *) (void *) (dst + n - 16), last);
        return;
    }
    ex_small_copy(dst, src, n);
#else
    ex_bytes_copy(dst, src, n);
#endif
}

/* ex_sess_dname_miss - ex_sess_dname_mt() of a name not kept: the
 * call, and the name kept in m (NULL: too long to keep) */
__attribute__((noinline))
static int
ex_sess_dname_miss(struct span h, char *out, int *num, struct ex_memo *m)
{
    int     rc, n;

    rc = dname_norm(h.ptr, h.len, out);
    n = rc == 0 && dname_is_numeric(out);
    if (m != NULL)
        ex_memo_keep(m, h, rc, out, n);
    if (num)
        *num = n;
    return rc;
}

/* ex_sess_dname_mt - see ex_sess.h (dname_norm() writes nothing when
 * it fails). A name kept is read without a call (four registers are
 * saved still, after the length's test, but no frame is set up): the
 * rest is ex_sess_dname_miss(), a tail call */
int
ex_sess_dname_mt(struct span h, char *out, int *num)
{
    struct ex_memo *m;

    if (h.len == 0 || h.len > EX_MEMO_IN)
        return ex_sess_dname_miss(h, out, num, NULL);
    m = ex_memo_at(ex_memo_host, h);
    if (m->len != h.len || !ex_name_same(h.ptr, m->in, h.len))
        return ex_sess_dname_miss(h, out, num, m);
    if (m->out_len)
        ex_name_copy(out, m->out, m->out_len);
    if (num)
        *num = m->num;
    return m->rc;
}

/* ex_sess_addr_mt - see ex_sess.h (ipaddr_norm() writes nothing when
 * it fails) */
int
ex_sess_addr_mt(struct span ip, char *out)
{
    struct ex_memo *m;
    int     rc;

    if (ip.len == 0)
        return ipaddr_norm(ip.ptr, ip.len, out);
    m = ex_memo_at(ex_memo_ip, ip);
    if (ex_memo_has(m, ip)) {
        if (m->out_len)
            ex_bytes_copy(out, m->out, m->out_len);
        return m->rc;
    }
    rc = ipaddr_norm(ip.ptr, ip.len, out);
    ex_memo_keep(m, ip, rc, out, 0);
    return rc;
}

/* ex_conn_fill - learn the peer of c from a line: its name canonical
 * unless invalid or numeric ("127.0.0.1 [127.0.0.1]": no name), its
 * address as logged (the key lines are matched by) and canonical
 * (munged, "ip4.ip4.ip4.ip4": matched only) */
static void
ex_conn_fill(struct ex_conn *c, const struct ex_event *ev)
{
    int     num;

    if (c->n.mx[0] == 0 && ev->host.len > 0
        && (ex_sess_dname_mt(ev->host, c->n.mx, &num) != 0 || num))
        c->n.mx[0] = 0;
    if (c->keylen == 0 && ev->ip.len > 0 && ev->ip.len < sizeof(c->key)) {
        /* sixteen bytes a step (ex_name_copy): an address of 9 to 32
         * bytes was a loop of words of eight */
        ex_name_copy(c->key, ev->ip.ptr, ev->ip.len);
        c->key[ev->ip.len] = 0;
        /* a valid address holds no NUL (ipaddr_norm): its length is the
         * line's, no strlen() call (13 instructions and the call's) */
        if (ex_sess_addr_mt(ev->ip, c->n.ip) == 0) {
            c->keylen = (uint8_t) ev->ip.len;
        } else {
            c->n.ip[0] = 0;
            /* a NUL ends it: the first of the field's, no call */
            c->keylen = (uint8_t) corr_strlen64(c->key, ev->ip.len);
        }
    }
    if (c->k.port < 0)
        c->k.port = ev->port;
}

/* what ex_conn_start writes from pid on: our numbers and the
 * address's first bytes (a string: cleared by its first byte anyway),
 * by two 16-byte stores of a pattern that is 0 but for cond and fail
 * (-1) */
#define EX_CONN_CLEAR 32
_Static_assert(offsetof(struct ex_conn, pid) == sizeof(struct corr_conn)
               && offsetof(struct ex_conn, pid) + EX_CONN_CLEAR
               <= offsetof(struct ex_conn, n)
               + sizeof(((struct corr_names *) 0)->ip),
               "ex_conn_start writes 32 bytes, into the address only");

/* what ex_conn_clear() stores: a constant, not a pattern made on the
 * stack (whose 16-byte loads after its byte stores wait for the
 * stores: no forwarding) */
#define EX_CONN_AT(f) (offsetof(struct ex_conn, f) - offsetof(struct ex_conn, pid))
static const unsigned char ex_conn_init[EX_CONN_CLEAR] = {
    [EX_CONN_AT(cond)] = 0xff, [EX_CONN_AT(fail)] = 0xff,
};

/* ex_conn_clear - the numbers of c zeroed, cond and fail -1 */
static inline void
ex_conn_clear(struct ex_conn *c)
{
    memcpy(&c->pid, ex_conn_init, sizeof(ex_conn_init));
}

/* The peers new connections took, by the host and address as logged
 * (a line's "H=host [address]"): a log names the same few dozen pairs
 * again and again (the 20 MB slice of the Exim log in make bench: 63
 * pairs, 36 addresses, "[127.0.0.1]" behind many names). A new
 * connection whose pair is kept copies what ex_conn_fill() wrote for
 * it, in blocks of a fixed size: its canonical name and address (each
 * NUL-terminated, zeros after), the address as logged for its key
 * (zeros after: its NUL) and the key's length. Where ex_conn_fill()
 * asked two memories (ex_sess_dname_mt(), ex_sess_addr_mt()), each
 * with its own place, compare and copy, after a call (about 190
 * instructions a new connection), one place is found and read. Per
 * correlator (struct ex_sess), on the heap, made on first need: a
 * function of the texts alone, what is kept is what the fill wrote
 * (tests/t_corr.c compares both ways on hostile pairs) */
#define EX_PEER_BITS 7              /* 128 places, 64 sets of two */
#define EX_PEER_IP 48               /* an address as logged: up to 47
                                     * bytes kept (and its NUL) */
#define EX_PEER_HOST 64             /* a name as logged: up to 63 */

struct ex_peer {                    /* four lines: what a look-up
                                     * compares is in the first two */
    uint8_t iplen;                  /* of ip; 0: nothing kept */
    uint8_t hlen;                   /* of host (0: the line had none) */
    uint8_t keylen;                 /* what ex_conn_fill() made of it */
    char    pad_[13];
    char    ip[EX_PEER_IP];         /* as logged, zeros after: the key */
    char    host[EX_PEER_HOST];     /* as logged */
    char    mx[EX_PEER_HOST];       /* struct corr_names.mx as the fill
                                     * left it, zeros after */
    char    nip[EX_PEER_IP];        /* struct corr_names.ip, alike */
    char    pad2_[16];
};

struct ex_peers {
    struct ex_peer at[1 << EX_PEER_BITS];
};

_Static_assert(sizeof(struct ex_peer) == 256
               && IPADDR_MAX + 1 <= EX_PEER_IP && IPADDR_MAX + 1 > 32
               && sizeof(((struct ex_conn *) 0)->key) >= EX_PEER_IP
               && DNAME_MAX + 1 >= EX_PEER_HOST,
               "struct ex_peer: blocks a new connection copies whole");

/* ex_peer_at - the first of the two places of a pair (ip.len > 0): the
 * top bits of ex_memo_hash() of the address, and of the name (with its
 * middle bytes: names alike at both ends, ex_memo_at()). Sets of two:
 * 63 pairs in 128 places of one took one pair in ten a place another
 * held */
static inline struct ex_peer *
ex_peer_at(struct ex_peers *pt, struct span host, struct span ip)
{
    uint64_t h = ex_memo_hash(ip);

    if (host.len > 0) {
        uint64_t mid = 0;

        if (host.len > 16)
            memcpy(&mid, host.ptr + (host.len - 8) / 2, 8);
        h ^= (ex_memo_hash(host) ^ mid) * 0x9e3779b97f4a7c15ULL;
    }
    return &pt->at[(h >> (64 - EX_PEER_BITS)) & ~(uint64_t) 1];
}

/* ex_peer_has - 1 when e holds the pair */
static inline int
ex_peer_has(const struct ex_peer *e, struct span host, struct span ip)
{
    return e->iplen == ip.len && e->hlen == host.len
        && ex_name_same(ip.ptr, e->ip, ip.len)
        && ex_name_same(host.ptr, e->host, host.len);
}

/* ex_peer_keep - a new connection c filled from ev (ex_conn_fill):
 * what it took of its pair, into e, the first of its set's two places,
 * whose pair moves to the second (the other's leaves); e emptied when
 * it does not fit */
static void
ex_peer_keep(struct ex_peer *e, const struct ex_conn *c,
             const struct ex_event *ev)
{
    size_t  ml = strlen(c->n.mx), il = strlen(c->n.ip);

    memcpy(e + 1, e, sizeof(*e));
    memset(e, 0, sizeof(*e));
    if (ml >= sizeof(e->mx) || il >= sizeof(e->nip))
        return;
    e->hlen = (uint8_t) ev->host.len;
    e->keylen = c->keylen;
    memcpy(e->ip, ev->ip.ptr, ev->ip.len);
    if (ev->host.len > 0)
        memcpy(e->host, ev->host.ptr, ev->host.len);
    memcpy(e->mx, c->n.mx, ml);
    memcpy(e->nip, c->n.ip, il);
    e->iplen = (uint8_t) ev->ip.len;
}

/* ex_peers_make - ex_conn_take() before s's memory of pairs is made:
 * made now (not again when there is no memory), c filled without it.
 * A tail call: a call that returned to ex_conn_take() had it save six
 * registers on every call */
__attribute__((noinline, cold))
static void
ex_peers_make(struct ex_sess *s, struct ex_conn *c, const struct ex_event *ev)
{
    if (!s->peers_failed && (s->peers = calloc(1, sizeof(*s->peers))) == NULL)
        s->peers_failed = 1;
    ex_conn_fill(c, ev);
}

/* ex_conn_take_miss - ex_conn_take() of a pair not kept: the fill, and
 * what it made kept in e (NULL: no memory) */
__attribute__((noinline))
static void
ex_conn_take_miss(struct ex_peer *e, struct ex_conn *c,
                  const struct ex_event *ev)
{
    ex_conn_fill(c, ev);
    if (e != NULL)
        ex_peer_keep(e, c, ev);
}

/* ex_conn_take - ex_conn_fill() of a new connection (no name, no key,
 * port -1: ex_conn_start()), through s's memory of pairs. Out of line,
 * one copy: its ways out are tail calls, and it saves no register */
__attribute__((noinline))
static void
ex_conn_take(struct ex_sess *s, struct ex_conn *c, const struct ex_event *ev)
{
    struct ex_peers *pt = s->peers;
    struct ex_peer *e;
    struct span host = ev->host, ip = ev->ip;

    if (ip.len == 0 || ip.len >= EX_PEER_IP || host.len >= EX_PEER_HOST) {
        ex_conn_fill(c, ev);
        return;
    }
    if (__builtin_expect(pt == NULL, 0)) {
        ex_peers_make(s, c, ev);
        return;
    }
    e = ex_peer_at(pt, host, ip);
    if (!ex_peer_has(e, host, ip) && !ex_peer_has(++e, host, ip)) {
        ex_conn_take_miss(e - 1, c, ev);
        return;
    }
    /* blocks of fixed sizes: the strings' bytes past their NUL are not
     * read (n.ip's 46 bytes as 32 and the last 16) */
    memcpy(c->key, e->ip, EX_PEER_IP);
    memcpy(c->n.ip, e->nip, 32);
    memcpy(c->n.ip + IPADDR_MAX + 1 - 16, e->nip + IPADDR_MAX + 1 - 16, 16);
    memcpy(c->n.mx, e->mx, EX_PEER_HOST);
    c->keylen = e->keylen;
    c->k.port = ev->port;
}

/* ex_conn_start_in - fresh connection with the peer of ev: inline
 * where a delivery line starts one (two thirds of the calls: a call
 * saved six registers, 18 instructions a connection) */
static inline __attribute__((always_inline)) void
ex_conn_start_in(struct ex_sess *s, struct ex_conn *c, int dated, int64_t t,
                 const struct ex_event *ev)
{
    /* the strings are only read as strings, the core's name and
     * address too (its new message's connection is cleared so,
     * corr_enter_slow()): each cleared by its first byte, the core's
     * fields before them and ours between (once 452 bytes were
     * cleared, 65 instructions a connection) */
    corr_start(&c->k, sizeof(struct corr_conn), &c->n, dated, t);
    /* our numbers by two 16-byte stores of a constant. The strings
     * past the names are read only while the numbers say they hold
     * something: key while keylen does, creason while cond >= 0
     * (written together), cand_dom while cand is set (ex_pend_tie),
     * reason while has_reason is (ex_judge). Their first bytes lie on
     * lines of the key's entry that nothing else of a new connection
     * writes */
    ex_conn_clear(c);
    ex_conn_take(s, c, ev);
}

/* ex_conn_start - ex_conn_start_in(), a call */
static void
ex_conn_start(struct ex_sess *s, struct ex_conn *c, int dated, int64_t t,
              const struct ex_event *ev)
{
    ex_conn_start_in(s, c, dated, t, ev);
}

/* ex_key_eq - an address as logged equals the key of a connection
 * (strncasecmp(): the same bytes first, as they mostly are) */
static int
ex_key_eq(const struct ex_conn *c, struct span ip)
{
    return ip.len == (size_t) c->keylen
        && (ex_name_same(c->key, ip.ptr, ip.len)
            || strncasecmp(c->key, ip.ptr, ip.len) == 0);
}

/* ex_sess_peer_take - see ex_sess.h */
int
ex_sess_peer_take(void *mta, struct span host, struct span ip, int kept,
                  char *mx, char *nip, char *key)
{
    struct ex_conn c;
    struct ex_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.host = host;
    ev.ip = ip;
    ev.port = 587;
    memset(&c, 0x5a, sizeof(c));
    if (kept) {
        ex_conn_start(mta, &c, 1, 1700000000, &ev);
    } else {
        corr_start(&c.k, sizeof(struct corr_conn), &c.n, 1, 1700000000);
        ex_conn_clear(&c);
        ex_conn_fill(&c, &ev);
    }
    if (c.k.port != 587 || !c.k.active)
        return -1;
    memcpy(mx, c.n.mx, strlen(c.n.mx) + 1);
    memcpy(nip, c.n.ip, strlen(c.n.ip) + 1);
    memcpy(key, c.key, c.keylen);
    return c.keylen;
}

/* ex_conn_same - 1 when ev may be about connection c */
static int
ex_conn_same(const struct ex_conn *c, const struct ex_event *ev)
{
    char    mx[DNAME_MAX + 1];

    if (!c->k.active)
        return 0;
    if (ev->ip.len > 0 && c->keylen > 0)      /* key holds one */
        return ex_key_eq(c, ev->ip);
    if (ev->host.len > 0 && c->n.mx[0]
        && ex_sess_dname_mt(ev->host, mx, NULL) == 0)
        return strcmp(mx, c->n.mx) == 0;
    return 1;
}

/* ex_outcome - result of a finished connection; -1: not a session */
static int
ex_outcome(const struct corr_conn *kc, int *plain)
{
    const struct ex_conn *c = (const struct ex_conn *) kc;

    *plain = 0;
    if (c->fail >= 0)
        return c->fail;
    if (c->tls || c->hs)
        return SESS_SUCCESS;
    if (c->plain) {
        *plain = 1;
        return SESS_STARTTLS_NOT_SUPPORTED;
    }
    return -1;                  /* nothing known of TLS (pre-TLS, or "==") */
}

/* the reason of a connection without one: a field of the reason's
 * size, as corr_verdict.slug asks (its bytes are read 16 at a time) */
static const char ex_no_reason[EX_REASON_MAX + 1];

/* ex_judge - corr_ops.judge: ex_outcome() and what a connection's
 * lines said, every field of v */
static int
ex_judge(const struct corr_conn *kc, struct corr_verdict *v)
{
    const struct ex_conn *c = (const struct ex_conn *) kc;
    int     result = ex_outcome(kc, &v->plain);

    if (result < 0)
        return result;
    if (c->tls)
        v->cert = c->cv == EX_CV_YES || c->cv == EX_CV_DANE
            ? SESS_CERT_VERIFIED : c->cv == EX_CV_NO ? SESS_CERT_UNTRUSTED
            : SESS_CERT_UNKNOWN;
    else
        v->cert = c->cond >= 0 ? SESS_CERT_UNTRUSTED : SESS_CERT_UNKNOWN;
    v->cert_problem = c->cond >= 0 ? c->cond : SESS_SUCCESS;
    v->reason = c->has_reason ? c->reason : ex_no_reason;
    /* every reason is ex_slug()'s ([a-z0-9-], at most EX_REASON_MAX
     * bytes), one of the codes below, or "dane-" and one of those cut
     * there: what sess_set_reason() leaves as it is (tests/t_ex.c) */
    v->slug = 1;
    v->local = 0;
    v->hop = 0;
    return result;
}

/* ex_retire_hook - corr_ops.retire: a connection with a certificate or
 * DANE problem that ends without any line of its own failed its
 * handshake: transports/smtp.c writes no per-MX line for
 * ERRNO_TLSFAILURE before it tries the next MX */
static void
ex_retire_hook(struct corr_conn *kc)
{
    struct ex_conn *c = (struct ex_conn *) kc;

    if (c->fail < 0 && !c->tls && !c->plain && !c->ended && c->cond >= 0) {
        if (c->cond == SESS_CERT_NOT_TRUSTED || c->cond == SESS_CERT_EXPIRED
            || c->cond == SESS_CERT_HOST_MISMATCH) {
            c->fail = c->cond;
            memcpy(c->reason, c->creason, sizeof(c->reason));
            c->has_reason = 1;
        } else {
            c->fail = SESS_VALIDATION_FAILURE;
            memcpy(c->reason, "handshake-failure",
                   sizeof("handshake-failure"));
            c->has_reason = 1;
        }
    }
}

/* ex_emit - hand a connection over as a session; dom NULL: unattributed */
static void
ex_emit(struct ex_sess *s, struct ex_msg *m, struct ex_conn *c,
        const struct span *dom)
{
    corr_emit(s->k, m, &c->k, dom, 0);
}

/* ex_refine - failure type: a handshake failure after a certificate
 * problem of the same connection is that problem (E10 after E12/E13) */
static int
ex_refine(struct ex_conn *c, const struct ex_event *ev)
{
    int     cert = c->cond == SESS_CERT_NOT_TRUSTED
        || c->cond == SESS_CERT_EXPIRED || c->cond == SESS_CERT_HOST_MISMATCH;

    c->has_reason = 1;
    if (ev->refine && cert) {
        memcpy(c->reason, c->creason, sizeof(c->reason));
        return c->cond;
    }
    memcpy(c->reason, ev->reason, sizeof(c->reason));
    return ev->result;
}

/* ex_trace_conn - what a delivery line meant, from its connection */
static void
ex_trace_conn(const struct ex_conn *c, struct trace *tr)
{
    if (c->fail >= 0) {
        tr->kind = TRACE_FAILURE;
        tr->result = c->fail;
    } else if (c->tls) {
        tr->kind = c->cv == EX_CV_YES || c->cv == EX_CV_DANE ? TRACE_SUCCESS
            : TRACE_SUCCESS_UNAUTH;
    } else if (c->plain) {
        tr->kind = TRACE_PLAINTEXT;
    } else {
        tr->kind = TRACE_CONTEXT;
    }
}

/* ex_open - cur for a line about a connection still being set up */
static struct ex_conn *
ex_open(struct ex_sess *s, struct ex_msg *m, int dated, int64_t t,
        const struct ex_event *ev, int allow_closed)
{
    struct ex_conn *c = EX_CUR(m);

    if (c->k.active && !c->k.attributed && ex_conn_same(c, ev)
        && (!c->closed || allow_closed)) {
        ex_conn_fill(c, ev);
        return c;
    }
    c = (struct ex_conn *) corr_retire(s->k, m);
    ex_conn_start(s, c, dated, t, ev);
    return c;
}

/* ex_no_host - a delivery line without H=: local, context, or a verdict
 * reached before any connection (DANE lookups, E15-E17) */
static void
ex_no_host(struct ex_sess *s, struct ex_msg *m, int dated, int64_t t,
           const struct ex_event *ev, const struct span *dom,
           struct trace *tr)
{
    struct ex_conn *c = EX_CUR(m);
    struct ex_conn none;
    int     had = 0;

    if (ev->mark != '*' && ev->mark != 'd') {
        tr->kind = TRACE_IRRELEVANT;    /* local delivery */
        return;
    }
    tr->kind = TRACE_CONTEXT;
    tr->result = ev->result;
    had = corr_attribute(s->k, m, dom, 0);      /* earlier MX first */
    if (c->k.active && !c->k.attributed && (c->closed || ev->result >= 0)) {
        if (c->fail < 0 && ev->result >= 0)
            c->fail = ex_refine(c, ev);
        c->dane |= ev->dane;
        if (c->fail >= 0)
            tr->result = c->fail;
        ex_emit(s, m, c, dom);
        had = 1;
    }
    if (ev->result < 0)
        return;
    tr->kind = TRACE_FAILURE;
    if (had)
        return;
    /* "** rcpt R= T= : DANE error: tlsa lookup FAIL": no MX was tried
     * (ex_conn_start() writes every field but the strings' tails) */
    ex_conn_start(s, &none, dated, t, ev);
    if (ev->aux.len > 0 && dname_norm(ev->aux.ptr, ev->aux.len, none.n.mx) != 0)
        none.n.mx[0] = 0;
    none.fail = ev->result;
    none.dane = ev->dane;
    memcpy(none.reason, ev->reason, sizeof(none.reason));
    none.has_reason = 1;
    ex_emit(s, m, &none, dom);
}

#define EX_STALE_REASON "exim-x-of-previous-connection"

/* ex_pid_hash - a non-zero hash of a process id, 0 when there is none */
static uint32_t
ex_pid_hash(struct span pid)
{
    uint32_t h = 2166136261u;
    size_t  i;

    if (pid.len == 0)
        return 0;
    for (i = 0; i < pid.len; i++)
        h = (h ^ (unsigned char) pid.ptr[i]) * 16777619u;
    return h | 1;
}

/* ex_same_run - 1 when a delivery line is one more recipient of the
 * connection just handed over: one transport run delivers all the
 * recipients of a message for one host over one connection and writes
 * a line for each, "=>" for each when they went in separate
 * transactions, "==" or "**" for each when the connection failed. The
 * same host, the same process, the same second or the next, not
 * continued, and the same TLS and verdict as that connection's line. A
 * new attempt of the message is a new process. Without a process id
 * (no syslog pid, no log_selector +pid) nothing tells two attempts in
 * one second apart (the Exim test suite writes one time for all):
 * each line is then its own connection, as before */
static int
ex_same_run(const struct ex_sess *s, const struct ex_conn *c, int64_t t,
            const struct ex_event *ev)
{
    return (ev->mark == '=' || ev->mark == 'd' || ev->mark == '*')
        && !ev->cont && c->k.active && c->k.attributed
        && ex_conn_same(c, ev) && s->pid != 0 && c->pid == s->pid
        && t >= c->k.t0 && t <= c->k.t0 + 1
        && (ev->tls != 0) == (c->tls != 0)
        && (ev->result >= 0) == (c->fail >= 0);
}

/* ex_cipher_hash - a non-zero 32-bit hash of an X= value: htab_hash()
 * (XXH3, sixteen bytes a step) folded, where FNV-1a of a byte a step
 * took about 250 instructions and a loop's end of an X= of 56 bytes
 * (only its equality with another's is asked: ex_stale_x()) */
static uint32_t
ex_cipher_hash(struct span x)
{
    uint64_t h = htab_hash(x.ptr, x.len);

    return (uint32_t) (h ^ h >> 32) | 1;
}

/* ex_stale_x - a delivery line whose X= is not its own connection's.
 * After a continued TLS delivery ("]:25*" X=...), Exim 4.96 writes the
 * X= of that connection again on the next line of the same process for
 * a new connection to another host made in clear (seen under load with
 * remote_max_parallel and connection_max_messages). Such a line is not
 * continued, has CV=no and no DN= (a new handshake logs its peer's
 * certificate with +tls_peerdn) and the very X= of the continued line
 * before it. Notes each continued TLS line's X= in m->note; a line with
 * DN= (a handshake of its own) clears it. h: ex_cipher_hash() of its
 * X=, made when the line was classified, and only for a continued line
 * or one with CV=no and no DN= (0 else: not read). 1: do not trust its
 * X= */
static int
ex_stale_x(struct ex_msg *m, const struct ex_event *ev, uint32_t h)
{
    if (ev->cont) {
        m->note = h;
        return 0;
    }
    if (ev->dn) {
        m->note = 0;
        return 0;
    }
    return m->note == h && ev->cv == EX_CV_NO;
}

/* ex_pend_tie - a delivery line for host H and domain dom, and the
 * connections of the message that ended before it: one to H is this
 * delivery's (its "=="/"=>" repeats the host) and gets dom now. One to
 * another host is either an earlier MX of this delivery (Exim names
 * only the last host tried) or a parallel delivery of the same message
 * to another domain whose own line is still to come (remote_max_parallel:
 * the lines of one message interleave by host). It keeps waiting, with
 * dom as its candidate: a later line naming its host gives it that
 * line's domain; the end of the message (ex_settle) gives it the
 * candidate. So a failure is tied to its host, not to the next line */
static void
ex_pend_tie(struct ex_sess *s, struct ex_msg *m, const struct ex_event *ev,
            const struct span *dom)
{
    int     i, j;

    for (i = j = 0; i < m->npend; i++) {
        struct ex_conn *w = (struct ex_conn *) corr_pend(s->k, m, i);

        if (ex_conn_same(w, ev)) {
            ex_emit(s, m, w, dom);
            continue;
        }
        if (!w->cand) {
            w->cand = 1;
            if (span_copy(*dom, w->cand_dom, sizeof(w->cand_dom)) != 0)
                w->cand_dom[0] = 0;
        }
        if (j != i)
            memcpy(corr_pend(s->k, m, j), w, sizeof(*w));
        j++;
    }
    m->npend = j;
}

/* ex_pend_take - a "=="/"**" line of a connection that ended with a
 * line of its own ("DANE attempt failed; ...") before a line of
 * another host of the same message: that connection is cur again, so
 * that the line repeats it (one session, its host's domain). 1 when
 * one was found */
static int
ex_pend_take(struct ex_sess *s, struct ex_msg *m, const struct ex_event *ev)
{
    struct ex_conn w;
    int     i;

    for (i = m->npend - 1; i >= 0; i--) {
        struct ex_conn *p = (struct ex_conn *) corr_pend(s->k, m, i);

        if (p->closed && ex_conn_same(p, ev))
            break;
    }
    if (i < 0)
        return 0;
    memcpy(&w, corr_pend(s->k, m, i), sizeof(w));
    /* the later ones a place down, each by its place (a ring) */
    for (; i + 1 < m->npend; i++)
        memcpy(corr_pend(s->k, m, i), corr_pend(s->k, m, i + 1), sizeof(w));
    m->npend--;
    corr_retire(s->k, m);
    w.cand = 0;
    memcpy(EX_CUR(m), &w, sizeof(w));
    return 1;
}

/* ex_candidate - corr_ops.candidate: at the end of a message, what
 * still waits takes its candidate domain (ex_pend_tie) */
static int
ex_candidate(const struct corr_conn *kc, struct span *dom)
{
    const struct ex_conn *c = (const struct ex_conn *) kc;

    if (!c->cand)
        return 0;
    *dom = span_make(c->cand_dom, strlen(c->cand_dom));
    return 1;
}

/* ex_delivery_line - => -> ** == *> >>: attribute and emit sessions */
static void
ex_delivery_line(struct ex_sess *s, struct ex_msg *m, int dated, int64_t t,
                 const struct ex_event *ev, const struct span *rdom,
                 uint32_t cipher_h, struct trace *tr)
{
    struct span dom = *rdom;    /* corr_rcpt_domain(ev->rcpt) */
    struct ex_conn *c = EX_CUR(m);
    int     deliv = ev->mark == '=' || ev->mark == '-' || ev->mark == 'c';
    int     stale = 0, same;
    struct ex_event copy;

    if (ev->mark == 'f') {
        tr->kind = TRACE_IRRELEVANT;    /* "*>": -N, no connection made */
        return;
    }
    if (ev->tls)
        corr_tls_host(s->k, m);
    if (ev->host.len == 0 && ev->ip.len == 0) {
        ex_no_host(s, m, dated, t, ev, &dom, tr);
        return;
    }
    if (ev->tls && ex_stale_x(m, ev, cipher_h)) {
        /* Exim's X= and CV=no of the continued connection before it:
         * this connection's TLS is unknown; the receivers of our tests
         * saw no STARTTLS. Taken as a delivery in clear, and said so
         * in its failure-reason-code */
        copy = *ev;
        copy.tls = 0;
        ev = &copy;
        stale = 1;
    }
    if (ev->cont) {
        /* down a connection set up (and counted) for another message */
        if (c->k.active && !c->k.attributed && c->closed)
            corr_retire(s->k, m);
        if (m->npend > 0)
            ex_pend_tie(s, m, ev, &dom);
        tr->kind = ev->tls ? (ev->cv == EX_CV_YES || ev->cv == EX_CV_DANE
                              ? TRACE_SUCCESS : TRACE_SUCCESS_UNAUTH)
            : deliv ? TRACE_PLAINTEXT : TRACE_CONTEXT;
        return;
    }
    if (ev->mark == '-' && c->k.active && c->k.attributed
        && ex_conn_same(c, ev)) {
        ex_trace_conn(c, tr);   /* one more recipient, same connection */
        return;
    }
    if (ex_same_run(s, c, t, ev)) {
        ex_trace_conn(c, tr);   /* "=>"/"=="/"**" again: one connection */
        return;
    }
    same = c->k.active && !c->k.attributed && ex_conn_same(c, ev);
    if (!same && !deliv && !ev->tls && ex_pend_take(s, m, ev)) {
        c = EX_CUR(m);          /* its own line, then another host's */
        same = c->k.active && !c->k.attributed && ex_conn_same(c, ev);
    }
    if (same) {
        /* a connection that ended with its own line is repeated by the
         * "=="/"**" of its delivery; any other line used a new one */
        if (c->closed && (ev->tls || deliv || (c->clear && ev->result < 0))) {
            int     clear = c->clear;

            ex_conn_fill(c, ev);        /* the same MX: learn its name */
            c = (struct ex_conn *) corr_retire(s->k, m);
            ex_conn_start(s, c, dated, t, ev);
            c->in_clear = clear;
        } else {
            ex_conn_fill(c, ev);
        }
    } else {
        c = (struct ex_conn *) corr_retire(s->k, m);
        ex_conn_start_in(s, c, dated, t, ev);
    }
    if (m->npend > 0)           /* earlier hosts of this delivery (a
                                 * call only when one waits) */
        ex_pend_tie(s, m, ev, &dom);
    if (ev->tls) {
        c->tls = 1;
        c->cv = ev->cv;
    }
    if (ev->result >= 0) {
        if (c->fail < 0)
            c->fail = ex_refine(c, ev);
        c->dane |= ev->dane;
    } else if (!c->tls && c->fail < 0 && !c->hs
               && (deliv || (ev->past_ehlo
                             && (ev->mark == '*' || c->in_clear)))) {
        c->plain = 1;           /* "**" carries X= when TLS was used */
        if (stale && (!c->has_reason || c->reason[0] == 0)) {
            memcpy(c->reason, EX_STALE_REASON, sizeof(EX_STALE_REASON));
            c->has_reason = 1;
        }
    }
    c->pid = s->pid;
    ex_emit(s, m, c, &dom);
    ex_trace_conn(c, tr);
}

/* ex_fail_line - a line that says a connection failed (per-MX line,
 * E14, E19, E24, E20): close it unless more lines of it follow */
static void
ex_fail_line(struct ex_sess *s, struct ex_msg *m, int dated, int64_t t,
             const struct ex_event *ev, int close, struct trace *tr)
{
    struct ex_conn *c = EX_CUR(m);

    /* old Exim: "TLS error on connection to h" then "TLS session
     * failure: delivering unencrypted to h": one connection */
    c = ex_open(s, m, dated, t, ev, ev->kind == EX_TLS_FAIL && c->k.active
                && c->tlserr && !c->clear);
    if (c->fail < 0)
        c->fail = ex_refine(c, ev);
    c->dane |= ev->dane;
    c->closed |= close;
    c->clear |= ev->clear;
    c->tlserr |= ev->kind == EX_TLS_ERR_OLD;
    tr->kind = TRACE_FAILURE;
    tr->result = c->fail;
}

/* ex_msg_key - hash key of a message: log host, NUL, message id */
static size_t
ex_msg_key(const struct wrap_rec *r, struct span id, char *key)
{
    size_t  hl = r->host.len > SESS_MAX_LOGHOST ? SESS_MAX_LOGHOST
        : r->host.len;

    if (hl)
        memcpy(key, r->host.ptr, hl);
    key[hl] = 0;
    /* ex_msgid(): 16 or 23 bytes, as two copies of 16 of fixed size
     * (overlapping for 23): inlined, not a call of memcpy() of a
     * length known only here */
    if (id.len >= 16 && id.len <= 32) {
        memcpy(key + hl + 1, id.ptr, 16);
        memcpy(key + hl + 1 + id.len - 16, id.ptr + id.len - 16, 16);
    } else if (id.len) {
        memcpy(key + hl + 1, id.ptr, id.len);
    }
    return hl + 1 + id.len;
}

/* ex_bar_find - span_find() of " | " in the n bytes at p: the first bar
 * with a space on each side, by memchr() of the bar (the profile-guided
 * build kept span_find() out of line, a memchr() and a memcmp() at each
 * space: 360 instructions an eximstats line). tests/t_ex.c, t_unbare */
static long
ex_bar_find(const char *p, size_t n)
{
    const char *q = p, *const end = p + n;

    while (n >= 3 && (q = memchr(q, '|', (size_t) (end - q))) != NULL) {
        if (q > p && q + 1 < end && q[-1] == ' ' && q[1] == ' ')
            return (long) (q - 1 - p);
        q++;
    }
    return -1;
}

/* ex_unbare - an echo without prefix: drop "service | " (docker
 * compose), the pid column of exim -d, indentation, "<li>N - "
 * (eximstats); *stats: the rest is a "**" line without its marker */
static struct span
ex_unbare(struct span s, int *stats)
{
    /* a bar taken starts before byte 64: sought in the first 66 bytes
     * alone (the first one there is the line's first, when it is
     * taken), not in the whole line, a memchr() and memcmp() at each of
     * its spaces (an eximstats line, "<li>1 - a@b R=... : SMTP error
     * ...", is hundreds of bytes) */
    long    bar = ex_bar_find(s.ptr, s.len < 66 ? s.len : 66);
    size_t  i = 0;

    *stats = 0;
    if (bar > 0 && bar < 64) {          /* "name<spaces> | " */
        size_t  w = 0;

        while (w < (size_t) bar && s.ptr[w] != ' ')
            w++;
        while (w < (size_t) bar && s.ptr[w] == ' ')
            w++;
        if (w == (size_t) bar)
            span_drop(&s, (size_t) bar + 3);
    }
    while (s.len > 0 && s.ptr[0] == ' ')
        span_drop(&s, 1);
    while (i < s.len && i < 8 && s.ptr[i] >= '0' && s.ptr[i] <= '9')
        i++;
    if (i > 0 && i < s.len && s.ptr[i] == ' ') {
        span_drop(&s, i);       /* "  276   ** ...": exim -d pid column */
        while (s.len > 0 && s.ptr[0] == ' ')
            span_drop(&s, 1);
    }
    if (s.len >= 4 && s.ptr[0] == '<' && s.ptr[1] == 'l' && s.ptr[2] == 'i'
        && s.ptr[3] == '>') {
        span_drop(&s, 4);
        i = 0;
        while (i < s.len && i < 12 && s.ptr[i] >= '0' && s.ptr[i] <= '9')
            i++;
        span_drop(&s, i);
        if (s.len >= 3 && s.ptr[0] == ' ' && s.ptr[1] == '-'
            && s.ptr[2] == ' ') {
            span_drop(&s, 3);
            *stats = 1;
        }
    }
    return s;
}

/* ex_arrival_mt - "ID <= sender ...": 1 when the sender is our own
 * report address (own_from; *from: it as logged) */
static int
ex_arrival_mt(const struct sess_own *own, const struct ex_line *ln,
              struct span *from)
{
    struct span b = ln->body;

    /* "<= ", bytes compared in line (span_skip() was a call with the
     * profile) */
    return b.len >= 3 && b.ptr[0] == '<' && b.ptr[1] == '=' && b.ptr[2] == ' '
        && sess_own_sender_word(own, span_make(b.ptr + 3, b.len - 3), from);
}

/* ex_arrival - note the id of our own report mail (ex_arrival_mt): out
 * of line, rare (its key on the stack would give ex_apply() a frame) */
__attribute__((noinline))
static void
ex_arrival(struct ex_sess *s, const struct wrap_rec *r,
           const struct ex_line *ln, struct span from, struct trace *tr)
{
    char    key[SESS_MAX_LOGHOST + 40];
    struct ex_msg *m;

    if (!corr_own_from(s->k, r, ln->id, from,
                       ln->stamped ? ln->t : r->dated ? r->t : 0, tr))
        return;
    if ((m = corr_find(s->k, key, ex_msg_key(r, ln->id, key))) != NULL)
        m->own = 1;
}

/* the kinds ex_classify_mt() hands to ex_apply() with the message's
 * key: all but those of its switch's cases */
#define EX_EVENT_KINDS (~((1u << EX_NONE) | (1u << EX_IGNORE) \
                          | (1u << EX_DETAIL) | (1u << EX_TLS_CLOSE) \
                          | (1u << EX_DANE_EVENT)))

/* ex_classify_time - the event's time for ex_apply() (Exim's stamp,
 * else the envelope's), on the record's first line with the key;
 * ex_classify_key - the message's key and its hash for ex_apply(),
 * and the event's time (Exim's stamp, else the envelope's): on the
 * record's first line, with the key, so that ex_apply() reads no
 * field of the line's prefix (struct ex_pre) */
static inline __attribute__((always_inline)) void
ex_classify_time(const struct wrap_rec *r, struct ex_pre *pre)
{
    const struct ex_line *ln = &pre->ln;

    pre->dated = ln->stamped || r->dated;
    pre->t = ln->stamped ? ln->t : r->dated ? r->t : 0;
}

static inline __attribute__((always_inline)) void
ex_classify_key(const struct wrap_rec *r, struct ex_pre *pre)
{
    size_t  klen = ex_msg_key(r, pre->ln.id, pre->key);

    pre->klen = (uint8_t) klen;
    pre->khash = htab_hash(pre->key, klen);
    ex_classify_time(r, pre);
}

/* ex_classify_key_main - ex_classify_key() of a main log's line (no
 * log host) with a message id of n bytes, 16 or 23: ex_msg_key()'s
 * key, a NUL and the id, of a length the compiler knows to be 17 to 24
 * (the hash's paths of other lengths, which call, are not taken; nor
 * ex_msg_key()'s tests of the host and the id). No time: a Completed
 * reads its own (ex_completed()), a delivery adds ex_classify_time() */
static inline __attribute__((always_inline)) void
ex_classify_key_main(struct ex_pre *pre, size_t n)
{
    const char *id = pre->ln.id.ptr;

    pre->key[0] = 0;
    memcpy(pre->key + 1, id, 16);
    memcpy(pre->key + 1 + n - 16, id + n - 16, 16);
    pre->klen = (uint8_t) (n + 1);
    pre->khash = htab_hash(pre->key, n + 1);
}

/* ex_classify_dlv_rest - what ex_classify_tail() makes of a delivery
 * after its key: read by ex_apply() of a delivery only (ex_same_run(),
 * ex_stale_x()). ex_stale_x() reads the hash of a continued line (it
 * notes it) and of one with CV=no and no DN= (it compares it), no
 * other: FNV-1a is a chain of multiplies, and took a sixth of the time
 * of ex_classify_mt() when made for every X= */
static inline __attribute__((always_inline)) void
ex_classify_dlv_rest(const struct wrap_rec *r, struct ex_pre *pre,
                     int dom_read)
{
    const struct ex_event *ev = &pre->ev;

    pre->pid_h = ex_pid_hash(pre->ln.pid.len ? pre->ln.pid : r->pid);
    pre->cipher_h = ev->tls && (ev->cont || (!ev->dn && ev->cv == EX_CV_NO))
        ? ex_cipher_hash(ev->cipher) : 0;
    /* dom_read: ex_read_dlv() wrote it */
    if (!dom_read)
        pre->dom = corr_rcpt_domain(ev->rcpt);
}

/* ex_classify_tail - ex_classify_mt() after the line's reading: its
 * kind's key, hash and the rest for ex_apply() (or the arrival's
 * sender) */
static inline __attribute__((always_inline)) int
ex_classify_tail(const struct wrap_rec *r, const struct sess_own *own,
                 struct ex_pre *pre, struct trace *tr)
{
    struct ex_line *ln = &pre->ln;
    struct ex_event *ev = &pre->ev;

    pre->arrival = 0;
    /* the kinds that are events (most lines), by a mask: a test, not
     * the switch's indirect jump */
    if ((1u << ev->kind) & EX_EVENT_KINDS) {
        ex_classify_key(r, pre);
        if (ev->kind == EX_COMPLETED) {
            /* of its event only the kind is written (ex_read() in
             * ex.h), and ex_apply() reads no more */
            pre->cipher_h = pre->pid_h = 0;
            pre->dom = span_make(NULL, 0);
            return CORR_PRE_EVENT;
        }
        if (ev->kind == EX_DELIVERY) {
            ex_classify_dlv_rest(r, pre, 0);
            return CORR_PRE_EVENT;
        }
        pre->pid_h = pre->cipher_h = 0;
        pre->dom = corr_rcpt_domain(ev->rcpt);
        return CORR_PRE_EVENT;
    }
    if (ev->kind == EX_IGNORE) {
        if (own && ln->id.len > 0 && ex_arrival_mt(own, ln, &pre->from)) {
            pre->arrival = 1;
            return CORR_PRE_EVENT;
        }
        return CORR_PRE_DONE;
    }
    if (ev->kind == EX_NONE)
        return CORR_PRE_NOT_MINE;       /* an echo of nothing we know */
    if (ev->kind == EX_DANE_EVENT) {
        /* the verdict of a connection whose own line says the same */
        tr->kind = TRACE_FAILURE;
        tr->result = ev->result;
        return CORR_PRE_DONE;
    }
    /* EX_DETAIL; EX_TLS_CLOSE (E21: after the handshake, not a
     * failure) */
    tr->kind = TRACE_DETAIL;
    return CORR_PRE_DONE;
}

/* ex_classify_body - ex_classify_mt() of a line whose prefix was read
 * (ex_read_quick() or ex_prefix()) and holds Exim's stamp or a message
 * id: the body's reading (ex_read_body()) and the rest */
__attribute__((noinline))
static int
ex_classify_body(const struct wrap_rec *r, const struct sess_own *own,
                 struct ex_pre *pre, struct trace *tr)
{
    ex_read_body(r->msg, &pre->ln, &pre->ev);
    return ex_classify_tail(r, own, pre, tr);
}

/* ex_classify_dlv - ex_classify_body() of a delivery of marker "=> "
 * or "-> " (ex_read_dlv()): the body's tests and the call with six
 * registers saved left out */
__attribute__((noinline))
static int
ex_classify_dlv(const struct wrap_rec *r, const struct sess_own *own,
                struct ex_pre *pre, struct trace *tr)
{
    struct span b = pre->ln.body;
    size_t  n;

    (void) own;
    (void) tr;
    ex_read_dlv(span_make(b.ptr + 3, b.len - 3), b.ptr[0], &pre->ev,
                &pre->dom);
    /* ex_classify_tail() of its kind, EX_DELIVERY (ex_read_dlv()),
     * without the tests of the kind it would read again (the key's
     * bytes are written through a char pointer) */
    pre->arrival = 0;
    n = pre->ln.id.len;
    if ((n == 16 || n == 23) && r->host.len == 0) {
        ex_classify_key_main(pre, n);   /* a main log's: most */
        ex_classify_time(r, pre);
    } else {
        ex_classify_key(r, pre);
    }
    ex_classify_dlv_rest(r, pre, 1);
    return CORR_PRE_EVENT;
}

/* ex_classify_spaced - ex_classify_body() of a line whose prefix
 * ex_read_quick() read and whose body ends in a space, a tab, a CR or
 * an LF: ex_read_plain() of the body trimmed as ex_classify() trims
 * it (a detail's empty value, "our cert subject\t", leaves a tab
 * last), or the body's reading. Out of line: in the front, the trim
 * made the compiler save three more registers on every line */
__attribute__((noinline))
static int
ex_classify_spaced(const struct wrap_rec *r, const struct sess_own *own,
                   struct ex_pre *pre, struct trace *tr)
{
    int     k;

    if ((k = ex_read_plain(span_trim(pre->ln.body))) == EX_NONE)
        return ex_classify_body(r, own, pre, tr);
    pre->ev.kind = (unsigned char) k;
    pre->arrival = 0;
    if (k == EX_DETAIL)
        tr->kind = TRACE_DETAIL;
    return CORR_PRE_DONE;
}

/* EX_NOIPA - a function out of line that keeps its arguments as they
 * are (GCC drops those it does not read, and a caller that tail-calls
 * it with its own then moves its registers on every call) */
#if defined(__GNUC__) && !defined(__clang__)
#define EX_NOIPA __attribute__((noipa))
#else
#define EX_NOIPA __attribute__((noinline))
#endif

/* ex_classify_own - ex_classify_body() of an arrival whose sender may
 * be own_from by its length (ex_own_maybe()), of a line with a message
 * id, own set: its event is its kind alone, EX_IGNORE, whatever its
 * text holds (ex_classify()), and the rest is ex_arrival_mt() of the
 * sender after "<= " (ex_classify_tail()), without the body's reading
 * (a call with six saved registers: 3,649 lines of the 20 MB slice of
 * an Exim log, about 100 instructions each) */
EX_NOIPA
static int
ex_classify_own(const struct wrap_rec *r, const struct sess_own *own,
                struct ex_pre *pre, struct trace *tr)
{
    struct span b = pre->ln.body;

    (void) r;           /* the front's arguments, in their registers */
    (void) tr;
    pre->ev.kind = EX_IGNORE;
    pre->arrival = 0;
    if (sess_own_sender_word(own, span_make(b.ptr + 3, b.len - 3),
                             &pre->from)) {
        pre->arrival = 1;
        return CORR_PRE_EVENT;
    }
    return CORR_PRE_DONE;
}

/* ex_own_maybe - whether the first word of s (an arrival's sender) may
 * be own_from, of n bytes, or it in "<>": the byte at either length is
 * a space or the end (sess_own_sender_word() asks no more of a word
 * that is not) */
static inline int
ex_own_maybe(struct span s, size_t n)
{
    /* a sender with more after it (most arrivals): the two bytes, one
     * test and no branch between them */
    if (s.len > n + 2)
        return (s.ptr[n] == ' ') | (s.ptr[n + 2] == ' ');
    return s.len == n || (s.len > n && s.ptr[n] == ' ') || s.len == n + 2;
}

/* ex_classify_after - ex_classify_mt() of a line whose prefix was read
 * and holds Exim's stamp or a message id (ex_read_quick(), or
 * ex_prefix() in ex_classify_full()): the arrival, a main log's
 * "Completed" and the plain lines at once, the others by a tail call */
static inline __attribute__((always_inline)) int
ex_classify_after(const struct wrap_rec *r, const struct sess_own *own,
                  struct ex_pre *pre, struct trace *tr)
{
    struct ex_line *ln = &pre->ln;
    struct span b;
    size_t  n;
    int     k;

    b = ln->body;
    if (b.len > 3 && b.ptr[0] == '<' && b.ptr[1] == '=' && b.ptr[2] == ' ') {
        /* an arrival, EX_IGNORE whatever its text holds (ex_classify()):
         * asked on the slow way only when its sender may be ours */
        if (own != NULL && ln->id.len > 0
            && ex_own_maybe(span_make(b.ptr + 3, b.len - 3),
                            sess_own_from_len(own)))
            return ex_classify_own(r, own, pre, tr);
        pre->ev.kind = EX_IGNORE;
        pre->arrival = 0;
        return CORR_PRE_DONE;
    }
    n = ln->id.len;
    if ((n == 16 || n == 23) && r->host.len == 0 && b.len >= 9
        && ex_w8(b.ptr) == ex_w8("Complete") && b.ptr[8] == 'd') {
        /* EX_COMPLETED (ex_classify(): its kind alone is written) of a
         * main log's line: the key is ex_msg_key()'s, of a length the
         * compiler knows (the hash's paths of other lengths, which call,
         * are not taken). "Completed" by a word and a byte: the
         * profile-guided build made a memcmp() of nine bytes a call
         * through the PLT in ex_classify_full() */
        pre->ev.kind = EX_COMPLETED;
        pre->arrival = 0;
        ex_classify_key_main(pre, n);
        pre->cipher_h = pre->pid_h = 0;
        pre->dom = span_make(NULL, 0);
        return CORR_PRE_EVENT;
    }
    /* a line of no shape (a third of an Exim log's): what
     * ex_classify_tail() makes of its kind, without the call (and
     * its six saved registers) */
    if ((k = ex_read_plain(b)) != EX_NONE) {
        pre->ev.kind = (unsigned char) k;
        pre->arrival = 0;
        if (k == EX_DETAIL)
            tr->kind = TRACE_DETAIL;
        return CORR_PRE_DONE;
    }
    /* a delivery "=> " or "-> " (a sixth), without the body's tests */
    if (b.len > 3 && b.ptr[1] == '>' && b.ptr[2] == ' '
        && (b.ptr[0] == '=' || b.ptr[0] == '-')
        && (unsigned char) b.ptr[b.len - 1] > ' ')
        return ex_classify_dlv(r, own, pre, tr);
    if (b.len > 4 && (unsigned char) b.ptr[b.len - 1] <= ' ')
        return ex_classify_spaced(r, own, pre, tr);
    return ex_classify_body(r, own, pre, tr);
}

/* ex_classify_full - ex_classify_mt() of a line whose prefix
 * ex_read_quick() did not read: ex_read() as ex_prefix() and then
 * ex_classify_body() (one copy of the body's reading: two made the
 * instruction cache miss more), or another program's line, an echo */
__attribute__((noinline))
static int
ex_classify_full(const struct wrap_rec *r, const struct sess_own *own,
                 struct ex_pre *pre, struct trace *tr)
{
    struct ex_line *ln = &pre->ln;
    struct span body;
    int     bare, stats = 0, flags;

    /* a line with Exim's stamp or a message id is read whatever its
     * program (the zone-offset cache of Exim's stamps is ex.c's own
     * per thread, made when first needed: tc NULL) */
    if (!ex_read_pid(r->msg, ln))
        ex_prefix(NULL, r->msg, ln);
    if (ln->stamped || ln->id.len > 0)
        return ex_classify_after(r, own, pre, tr);
    if (r->ident.len > 0 && !ex_sess_ident(r->ident))
        return CORR_PRE_NOT_MINE;       /* another program's line */
    bare = r->ident.len == 0;
    body = bare ? ex_unbare(ln->body, &stats) : ln->body;
    flags = (bare ? EX_F_BARE : 0) | (stats ? EX_F_STATS : 0);
    ex_classify(body, flags, &pre->ev);
    return ex_classify_tail(r, own, pre, tr);
}

/* ex_classify_mt - corr_ops.classify_mt: one line alone (corr.h). The
 * two commonest lines of an Exim log, an arrival (a fifth) and a
 * "Completed" (a sixth), and the lines of no shape (ex_read_plain():
 * a third) are read here when their prefix has its common shape
 * (ex_read_quick()), with no call but the tail calls of the other
 * lines, and so with two registers saved and restored (six were 19
 * instructions a line; the two are for the plain lines' scan and the
 * deliveries' test: a function of its own for the scan cost more in
 * moves and a jump); a delivery "=> " or "-> " is read by
 * ex_classify_dlv(), a body that ends in white space by
 * ex_classify_spaced(), every other line by ex_classify_body() (the
 * prefix read) or ex_classify_full(), as the one function before */
static int
ex_classify_mt(const struct wrap_rec *r, const struct sess_own *own,
               void *prep, struct trace *tr)
{
    struct ex_pre *pre = prep;

    memset(tr, 0, sizeof(*tr));
    tr->kind = TRACE_IRRELEVANT;
    if (!ex_read_quick(r->msg, &pre->ln))
        return ex_classify_full(r, own, pre, tr);
    return ex_classify_after(r, own, pre, tr);
}

/* ex_span_or - the start of s, or p when s is empty (what to prefetch):
 * a select of two values (a conditional move), no branch */
static inline const void *
ex_span_or(struct span s, const void *p)
{
    return s.len > 0 ? (const void *) s.ptr : p;
}

/* ex_completed - ex_apply() of a "Completed": the message forgotten.
 * Apart: the events' way saves six registers and sets up a frame of a
 * kilobyte, 19 instructions a call that a Completed (two events in
 * five) does not need */
__attribute__((noinline))
static void
ex_completed(struct ex_sess *s, const struct wrap_rec *r,
             const struct ex_pre *pre)
{
    const struct ex_line *ln = &pre->ln;

    /* the time from the line's prefix, not pre->t: the classifier's
     * way for a Completed writes its key alone (ex_classify_after());
     * read only when a hold hook asks */
    if (s->k->cb.hold != NULL
        && corr_held(s->k, pre->key, pre->klen, ln->stamped || r->dated,
                     ln->stamped ? ln->t : r->dated ? r->t : 0, r))
        return;
    corr_forget_hashed(s->k, pre->key, pre->klen, pre->khash);
    /* a call with its two spans set up only when an id of our own mail
     * is noted (not on most logs: a test a message) */
    if (sess_own_any(s->k->own))
        sess_own_forget(s->k->own, r->host, ln->id);
}

/* ex_apply_event - ex_apply() of an event that is neither an arrival
 * nor a Completed */
__attribute__((noinline))
static void
ex_apply_event(struct ex_sess *s, const struct wrap_rec *r,
               struct ex_pre *pre, struct trace *tr)
{
    struct ex_event *evp = &pre->ev;
    struct ex_msg *m;
    struct ex_conn *c;
    int     dated = pre->dated;
    int64_t t = pre->t;

    {
        int     new;

        /* the line's bytes that a connection reads (its host and
         * address: ex_conn_fill, ex_conn_same) and the recipient's
         * domain were last read on the classifying thread's core:
         * fetched while the message is looked up, not waited for when
         * they are read. Each asked for whether the line has it or
         * not (the address of pre then, in the cache): a test of each
         * length went either way by the line, some 35,000 mispredicted
         * branches in the replayed log's 20 MB */
        __builtin_prefetch(ex_span_or(evp->host, pre));
        __builtin_prefetch(ex_span_or(evp->ip, pre));
        __builtin_prefetch(ex_span_or(pre->dom, pre));
        if ((m = corr_enter_hashed(s->k, pre->key, pre->klen, pre->khash,
                                   r->host, dated, t, r, &new)) == NULL)
            return;
        if (new)
            m->own = sess_own_any(s->k->own)
                && sess_own_has(s->k->own, r->host, pre->ln.id);
    }
    if (evp->kind == EX_DELIVERY) {
        /* most events: a test, not the switch's indirect jump */
        s->pid = pre->pid_h;
        ex_delivery_line(s, m, dated, t, evp, &pre->dom, pre->cipher_h, tr);
        return;
    }
    switch (evp->kind) {
    case EX_HOST:
        tr->kind = TRACE_CONTEXT;       /* "Connection timed out", ... */
        if (evp->result >= 0) {
            ex_fail_line(s, m, dated, t, evp, 1, tr);
            break;
        }
        /* the connection being set up ended, or one recipient was
         * refused: the handshake (if any) went through */
        c = EX_CUR(m);
        if (c->k.active && !c->k.attributed && !c->closed
            && ex_conn_same(c, evp)) {
            ex_conn_fill(c, evp);
            c->ended = 1;
            c->closed = !evp->past_ehlo;
        }
        break;
    case EX_TLS_FAIL:
    case EX_TLS_ERR_OLD:
    case EX_DANE_FAIL:
        ex_fail_line(s, m, dated, t, evp, 1, tr);
        break;
    case EX_DANE_ERR:           /* E20: the delivery line follows */
        ex_fail_line(s, m, dated, t, evp, 0, tr);
        break;
    case EX_VERIFY:
    case EX_DANE_COND:
        c = EX_CUR(m);
        if (!(c->k.active && !c->closed && !c->k.attributed && !c->tls
              && ex_conn_same(c, evp))) {
            c = (struct ex_conn *) corr_retire(s->k, m);
            ex_conn_start(s, c, dated, t, evp);
        } else {
            ex_conn_fill(c, evp);
        }
        if (c->cond < 0 || c->cond == SESS_VALIDATION_FAILURE) {
            c->cond = evp->result;
            memcpy(c->creason, evp->reason, sizeof(c->creason));
        }
        c->hs |= evp->kind == EX_VERIFY;
        c->dane |= evp->dane;
        tr->kind = TRACE_COND;
        tr->result = evp->result;
        break;
    case EX_CALLOUT:{
            struct ex_conn one;
            struct span dom = corr_rcpt_domain(evp->rcpt);

            ex_conn_start(s, &one, dated, t, evp);
            one.fail = ex_refine(&one, evp);
            one.dane = evp->dane;
            ex_emit(s, m, &one, evp->rcpt.len ? &dom : NULL);
            tr->kind = TRACE_FAILURE;
            tr->result = one.fail;
            break;
        }
    default:
        break;
    }
}

/* ex_apply - corr_ops.apply: an Exim event into the state (corr.h);
 * of a Completed only the kind is written (ex_read()). Three tail
 * calls, no frame */
static void
ex_apply(void *mta, const struct wrap_rec *r, void *prep, struct trace *tr)
{
    struct ex_pre *pre = prep;

    if (pre->arrival)
        ex_arrival(mta, r, &pre->ln, pre->from, tr);
    else if (pre->ev.kind == EX_COMPLETED)
        ex_completed(mta, r, pre);
    else
        ex_apply_event(mta, r, pre, tr);
}

/* ex_prefetch - corr_ops.prefetch: the message's key (corr_prefetch) */
static void
ex_prefetch(const void *mta, const void *prep, int deep)
{
    const struct ex_pre *pre = prep;

    if (!pre->arrival)
        corr_prefetch(((const struct ex_sess *) mta)->k, pre->khash, deep);
}

/* ex_fini - corr_ops.fini: what s holds beyond the core */
static void
ex_fini(void *mta)
{
    struct ex_sess *s = mta;

    free(s->peers);
    s->peers = NULL;
}

/* ex_corr_ops - Exim, to the core and to parser.c */
const struct corr_ops ex_corr_ops = {
    .name = "exim", .mta = SESS_MTA_EXIM,
    .sess_size = sizeof(struct ex_sess), .conn_size = sizeof(struct ex_conn),
    .names = offsetof(struct ex_conn, n),
    .pre_size = sizeof(struct ex_pre),
    .hint = 1024, .max_pend = EX_MAX_PEND, .sweep_every = EX_SWEEP_EVERY,
    .classify_mt = ex_classify_mt, .apply = ex_apply,
    .outcome = ex_outcome, .judge = ex_judge,
    .retire = ex_retire_hook, .candidate = ex_candidate,
    .prefetch = ex_prefetch, .fini = ex_fini, .lazy = 1,
    /* a new message writes its connection's numbers and its names'
     * first bytes (ex_conn_start), and its emit step reads them; the
     * rest of its 800 bytes only as lines say (key, candidate domain,
     * reasons). Fetched ahead of the spare it takes (the key table's
     * rounds of four lines: the entry's first eight of fifteen) */
    .fetch = offsetof(struct ex_conn, n) + offsetof(struct corr_names, mx)
        + 32,
};
