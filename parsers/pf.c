/* parsers/pf.c - Postfix smtp(8)/lmtp(8)/tlsproxy(8) message classifier
 *
 * Shapes (format strings from the Postfix sources, see pf.h):
 *   tls_misc.c tls_log_summary():
 *     "%s TLS connection %s %s %s%s%s: %s with cipher %s (%d/%d bits)..."
 *     e.g. "Verified TLS connection established to mx[192.0.2.1]:25: ..."
 *   tls_verify.c tls_log_verify_error():
 *     "certificate verification failed for %s: untrusted issuer %s"
 *     "%s certificate verification failed for %s: num=%d:%s"
 *   tls_client.c: "SSL_connect error to %s: %d" / ": lost connection"
 *   smtp_trouble.c: "%s: %s" (queue id, reason) for a non-final MX
 *   log_adhoc.c: "%s: to=<%s>, relay=%s, ..., status=%s (%s)"
 *   tlsrpt_wrapper.c: "TLSRPT: status=%s, domain=%s, receiving_mx=%s..."
 * Nothing here allocates; every field is a span into the message.
 */
#include "pf.h"
#include "../global/sess.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PF_MAX_PEER 300
#define PF_MAX_QID 24

/* the event of a message that says nothing (pf_classify) */
static const struct pf_event pf_event_empty = {
    .kind = PF_IGNORE, .result = -1, .port = -1,
};

/* pf_starts - span_starts(s, lit) of the n bytes at lit (n a constant:
 * pf_same()'s branches fold, and up to sixteen bytes are two words each,
 * no byte by byte compare and branch) */
static inline int
pf_starts(struct span s, const char *lit, size_t n)
{
    return s.len >= n && pf_same(s.ptr, lit, n);
}

/* pf_skip - span_skip(s, lit) of the n bytes at lit, as pf_starts() */
static inline int
pf_skip(struct span *s, const char *lit, size_t n)
{
    if (!pf_starts(*s, lit, n))
        return -1;
    s->ptr += n;
    s->len -= n;
    return 0;
}

#define PF_STARTS(s, lit) pf_starts((s), (lit), sizeof(lit) - 1)
#define PF_SKIP(sp, lit) pf_skip((sp), (lit), sizeof(lit) - 1)

/* pf_peer_plain - "host[ip]:port", "host[ip]" or "host" at the cursor */
static int
pf_peer_plain(struct span *s, struct pf_event *ev)
{
    /* bytes that may end the host name: one table look-up per byte */
    static const unsigned char stop[256] = {
        ['['] = 1, [' '] = 1, [','] = 1, [':'] = 1,
    };
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    const char *p = s->ptr;
    size_t  i = 0;
    size_t  n = s->len < PF_MAX_PEER ? s->len : PF_MAX_PEER;

    ev->port = -1;
#ifdef __SSE2__
    /* sixteen at a time first: the same bytes flagged as below (a byte
     * of 0x80 or more is no stop, as the word test's high bit says) */
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *) (const void *) (p + i));
        __m128i lo = _mm_and_si128(_mm_cmplt_epi8(x, _mm_set1_epi8('-')),
                                   _mm_cmpgt_epi8(x, _mm_set1_epi8(-1)));
        unsigned m = (unsigned) _mm_movemask_epi8(_mm_or_si128(lo,
                       _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('[')),
                                    _mm_cmpeq_epi8(x, _mm_set1_epi8(':')))));

        if (m != 0) {
            i += (size_t) __builtin_ctz(m);
            goto stop;
        }
    }
#endif
    /* eight bytes at a time while none of them is '[', ':' or below
     * '-' (' ' and ',' are; host names have none): the lowest flagged
     * byte of each test is exact, so the bytes before the lowest of all
     * are none of the stop bytes (two tests and a range instead of four
     * tests, and the ']' found in line: 246 instructions a peer of
     * generated lines, 218 now) */
    for (; i + 8 <= n; i += 8) {
        uint64_t w, a, d, z;

        memcpy(&w, p + i, 8);
        a = w ^ (ones * '[');
        d = w ^ (ones * ':');
        z = ((w - ones * '-') & ~w) | ((a - ones) & ~a) | ((d - ones) & ~d);
        if ((z &= high) != 0) {
            if (span_little_endian())
                i += (size_t) (__builtin_ctzll(z) >> 3);
            break;
        }
    }
#ifdef __SSE2__
  stop:
#endif
    for (; i < n; i++)
        if (stop[(unsigned char) p[i]] && (p[i] != ':' || i + 1 >= s->len
                                           || p[i + 1] == ' '))
            break;
    if (i == 0)
        return -1;
    ev->peer_host = span_make(p, i);
    if (i < s->len && p[i] == '[') {
        size_t  j = i + 1;

#ifdef __SSE2__
        for (; j + 16 <= n; j += 16) {
            unsigned m = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(
                _mm_loadu_si128((const __m128i *) (const void *) (p + j)),
                _mm_set1_epi8(']')));

            if (m != 0) {
                j += (size_t) __builtin_ctz(m);
                goto rb;
            }
        }
#endif
        /* the ']' among the bytes before n, eight at a time */
        for (; j + 8 <= n && span_little_endian(); j += 8) {
            uint64_t w, x, z;

            memcpy(&w, p + j, 8);
            x = w ^ (ones * ']');
            if ((z = (x - ones) & ~x & high) != 0) {
                j += (size_t) (__builtin_ctzll(z) >> 3);
                goto rb;
            }
        }
        while (j < n && p[j] != ']')
            j++;
        if (j >= n)
            return -1;
      rb:
        ev->peer_ip = span_make(p + i + 1, j - i - 1);
        i = j + 1;
        if (i + 1 < s->len && p[i] == ':' && p[i + 1] >= '0'
            && p[i + 1] <= '9') {
            int     port = 0;

            i++;
            while (i < s->len && p[i] >= '0' && p[i] <= '9') {
                if (port < 100000)
                    port = port * 10 + (p[i] - '0');
                i++;
            }
            ev->port = port;
        }
    }
    span_drop(s, i);
    return 0;
}

/* The peers pf_peer() read last on this thread, each in one of two
 * slots chosen by its first sixteen bytes and the eight before its ']'
 * (pf_peer_addr_end: a host with many addresses,
 * "gmail-smtp-in.l.google.com[...]", spreads), each slot with the last
 * eight bytes of its text to compare first: a log names a few peers
 * again and again (a replayed real log: 71 in 55,040 status and TLS
 * lines), and what a peer was read as, with what pf_sess.c made
 * canonical of it, is kept. A text that begins with one kept is read as
 * it was when the bytes after it would have ended it there
 * (pf_peer_ends): what pf_peer_plain() makes of a peer depends on its
 * bytes and on the two after it only. Kept: each shape that ends at a
 * known byte, "host[ip]:port", "host[ip]" and "host" (the forms "TLS is
 * required, but was not offered by host H[ip]" and "certificate
 * verification failed for H: ..." write).
 * What a look-up reads of a slot lies in its first cache line for a
 * peer of up to 48 bytes (95 % of those of the replayed corpus): the
 * sets of four slots of 192 bytes each it replaced read one line for
 * each slot's length, then the text's and the canonical forms' lines,
 * and missed the data cache on 36,760 of 58,537 look-ups of the corpus
 * slice (the peers of a log come back far apart: other lines' data
 * evicts them in between). Per thread: no sharing */
#define PF_PEER_SLOT_BITS 8
#define PF_PEER_SLOTS (1U << PF_PEER_SLOT_BITS)
#define PF_PEER_KEEP 96                 /* a peer kept is shorter */
#define PF_PEER_HEAD 40                 /* bytes of text in the first line */

enum pf_peer_shape {
    PF_PEER_HOST,                       /* "host" */
    PF_PEER_IP,                         /* "host[ip]" */
    PF_PEER_PORT,                       /* "host[ip]:port" */
};

struct pf_peer_slot {
    _Alignas(64) uint64_t tail;         /* the text's last eight bytes */
    uint8_t len;                        /* bytes taken, 8 to PF_PEER_KEEP
                                         * - 1; 0: slot unused */
    uint8_t hlen;                       /* the host's */
    uint8_t iplen;                      /* the address's, after '[' */
    uint8_t shape;                      /* enum pf_peer_shape */
    uint16_t port1;                     /* the port + 1 (0: none) */
    uint16_t used;                      /* pf_peer_clock when last found */
    struct pf_peer_canon canon;         /* pf_event.canon */
    uint8_t spare;
    char    text[PF_PEER_KEEP - 8];     /* the text's first bytes, up to
                                         * all of them */
};

_Static_assert(sizeof(struct pf_peer_slot) == 128
               && offsetof(struct pf_peer_slot, text) + PF_PEER_HEAD == 64,
               "a slot's first line holds its tags and 40 bytes of text");

static _Thread_local struct pf_peer_slot pf_peer_slots[PF_PEER_SLOTS];
static _Thread_local uint16_t pf_peer_clock;    /* look-ups that found */

/* the canonical address of each slot's peer (pf_peer_canon_ipbuf):
 * seldom read, not in the slot's lines */
static _Thread_local char pf_peer_ipbuf[PF_PEER_SLOTS][IPADDR_MAX + 1];

/* pf_peer_canon_ipbuf - see pf.h */
char   *
pf_peer_canon_ipbuf(struct pf_peer_canon *m)
{
    struct pf_peer_slot *e = (struct pf_peer_slot *) (void *)
        ((char *) m - offsetof(struct pf_peer_slot, canon));

    return pf_peer_ipbuf[e - pf_peer_slots];
}

/* pf_peer_ends - 1 when pf_peer_plain() of a text that begins with the
 * l bytes of a peer of this shape (a span of n bytes at p) takes those l
 * bytes and no more */
static inline int
pf_peer_ends(int shape, const char *p, size_t l, size_t n)
{
    if (l == n)
        return 1;
    switch (shape) {
    case PF_PEER_PORT:                  /* more digits: a longer port */
        return p[l] < '0' || p[l] > '9';
    case PF_PEER_IP:                    /* ":digit": a port */
        return !(p[l] == ':' && l + 1 < n && p[l + 1] >= '0'
                 && p[l + 1] <= '9');
    default:                            /* the host's stop bytes */
        return p[l] == ' ' || p[l] == ','
            || (p[l] == ':' && (l + 1 >= n || p[l + 1] == ' '));
    }
}

/* pf_peer_addr_end - the eight bytes before the first ']' among the
 * first 48 of a text (n >= 16 bytes at p), mixed, or 0: with its first
 * sixteen bytes, what chooses the set of a peer's slots. A host of
 * many addresses ("gmail-smtp-in.l.google.com[...]", eight in the
 * replayed corpus) filled its set of four by its first sixteen bytes
 * alone, and lines that took turns among them read 5,176 peers in
 * full in its slice. For a peer "host[ip]..." whose ']' lies among
 * those 48 bytes, or a peer of at least 48, this depends on the peer's
 * bytes only, as the slot's must for it to be found again; any other
 * text may find its peer in another set, read it in full and keep it
 * there too: what is read is the same */
static inline uint64_t
pf_peer_addr_end(const char *p, size_t n)
{
#ifdef __SSE2__
    const __m128i cb = _mm_set1_epi8(']');
    size_t  w = n < 48 ? n : 48;
    uint64_t m = 0, t;
    size_t  j, r;

    if (n >= 48) {
        /* most texts: three blocks, no bounds to mind */
        for (j = 0; j < 3; j++) {
            __m128i x = _mm_loadu_si128((const __m128i *) (const void *)
                                        (p + 16 * j));

            m |= (uint64_t) (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(x, cb))
                << (16 * j);
        }
    } else {
        for (j = 0; j < 3; j++) {
            size_t  at = 16 * j;
            size_t  b = at + 16 <= w ? at : w - 16;
            size_t  sh = at - b < 16 ? at - b : 16;
            __m128i x = _mm_loadu_si128((const __m128i *) (const void *)
                                        (p + b));

            m |= (uint64_t) ((unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(x,
                                                                       cb))
                             >> sh) << at;
        }
    }
    r = (size_t) __builtin_ctzll(m | 1ULL << 63);
    if (r < 8 || r >= w)
        return 0;
    memcpy(&t, p + r - 8, 8);
    return t * 0xc4ceb9fe1a85ec53ULL;
#else
    (void) p;
    (void) n;
    return 0;
#endif
}

/* pf_peer_text_same - 1 when the n bytes before a slot's tail (its
 * text at a, at least min(n + 8, PF_PEER_KEEP - 8) bytes kept) equal
 * those at b (n + 8 bytes): up to PF_PEER_HEAD bytes, those of the
 * slot's first line, in two words or three blocks of sixteen that
 * overlap, no loop whose end is mispredicted as the length changes
 * peer by peer */
static inline int
pf_peer_text_same(const char *a, const char *b, size_t n)
{
    if (n <= 16) {
        /* the words at 0 and n - 8 (n < 8: at 0, the tail's bytes
         * among them kept in a too) */
        size_t  k = n >= 8 ? n - 8 : 0;
        uint64_t x0, x1, y0, y1;

        memcpy(&x0, a, 8);
        memcpy(&y0, b, 8);
        memcpy(&x1, a + k, 8);
        memcpy(&y1, b + k, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
#ifdef __SSE2__
    if (n <= PF_PEER_HEAD) {
        size_t  mid = n - 16 < 16 ? n - 16 : 16;
        __m128i x = _mm_cmpeq_epi8(
            _mm_loadu_si128((const __m128i *) (const void *) a),
            _mm_loadu_si128((const __m128i *) (const void *) b));
        __m128i y = _mm_cmpeq_epi8(
            _mm_loadu_si128((const __m128i *) (const void *) (a + mid)),
            _mm_loadu_si128((const __m128i *) (const void *) (b + mid)));
        __m128i z = _mm_cmpeq_epi8(
            _mm_loadu_si128((const __m128i *) (const void *) (a + n - 16)),
            _mm_loadu_si128((const __m128i *) (const void *) (b + n - 16)));

        return _mm_movemask_epi8(_mm_and_si128(_mm_and_si128(x, y), z))
            == 0xffff;
    }
#endif
    return pf_same(a, b, n);
}

/* pf_peer_found - 1 when slot e holds the peer at the start of the n
 * bytes at p (n >= 16) */
static inline int
pf_peer_found(const struct pf_peer_slot *e, const char *p, size_t n)
{
    size_t  l = e->len;
    uint64_t t;

    if (l - 8 > n - 8)
        return 0;                       /* unused, or longer than p */
    memcpy(&t, p + l - 8, 8);
    return t == e->tail && pf_peer_text_same(e->text, p, l - 8)
        && pf_peer_ends(e->shape, p, l, n);
}

static int pf_peer_miss(struct span *s, struct pf_event *ev, uint64_t h);

/* the two slots of a peer by its hash */
#define PF_PEER_AT(h) ((h) >> (64 - PF_PEER_SLOT_BITS))
#define PF_PEER_AT2(h) (((h) >> (48 - PF_PEER_SLOT_BITS)) \
                        & (PF_PEER_SLOTS - 1))

/* pf_peer_hash - what chooses the slots of the peer at the start of the
 * n bytes at p (n >= 16, a little-endian machine) */
static inline uint64_t
pf_peer_hash(const char *p, size_t n)
{
    uint64_t a, b;

    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 8);
    return ((a ^ (b * 0x9e3779b97f4a7c15ULL)) ^ pf_peer_addr_end(p, n))
        * 0xff51afd7ed558ccdULL;
}

/* pf_peer_at - pf_peer() of a text of 16 bytes or more, h its
 * pf_peer_hash(). One copy: pf_peer() jumps to it */
static __attribute__((noinline)) int
pf_peer_at(struct span *s, struct pf_event *ev, uint64_t h)
{
    const char *p = s->ptr;
    struct pf_peer_slot *e;

    ev->canon = NULL;
    e = pf_peer_slots + PF_PEER_AT(h);
    if (!pf_peer_found(e, p, s->len)) {
        e = pf_peer_slots + PF_PEER_AT2(h);
        if (!pf_peer_found(e, p, s->len))
            return pf_peer_miss(s, ev, h);
    }
    e->used = ++pf_peer_clock;
    ev->peer_host = span_make(p, e->hlen);
    ev->port = (int) e->port1 - 1;
    span_drop(s, e->len);
    if (e->shape != PF_PEER_HOST)
        ev->peer_ip = span_make(p + e->hlen + 1, e->iplen);
    else if (ev->peer_ip.len > 0)
        return 0;               /* an address from before: not the slot's */
    e->canon.seen += e->canon.seen < 255;
    ev->canon = &e->canon;
    return 0;
}

/* pf_peer - pf_peer_plain(), the peers read last remembered: the same
 * result and fields; ev->canon the slot of the peer, or NULL */
static int
pf_peer(struct span *s, struct pf_event *ev)
{
    if (s->len < 16 || !span_little_endian()) {
        ev->canon = NULL;
        return pf_peer_plain(s, ev);
    }
    return pf_peer_at(s, ev, pf_peer_hash(s->ptr, s->len));
}

/* pf_peer_ahead - the hash of a peer at the start of the n bytes at p
 * that pf_peer_at() reads later, its first slot asked of the memory now
 * (a line of the cache it is seldom in: other work hides the wait), or
 * 0 when pf_peer() should be called then */
static inline uint64_t
pf_peer_ahead(const char *p, size_t n)
{
    uint64_t h;

    if (n < 16 || !span_little_endian())
        return 0;
    h = pf_peer_hash(p, n);
    __builtin_prefetch(pf_peer_slots + PF_PEER_AT(h));
    return h;
}

/* pf_peer_miss - pf_peer() of a peer neither of its slots holds (h:
 * its hash): read in full, kept in an unused slot of the two or in the
 * one used longer ago. Out of line: the registers it takes were saved
 * on every call */
static __attribute__((noinline)) int
pf_peer_miss(struct span *s, struct pf_event *ev, uint64_t h)
{
    const char *p = s->ptr;
    struct pf_peer_slot *e = pf_peer_slots + PF_PEER_AT(h);
    struct pf_peer_slot *o = pf_peer_slots + PF_PEER_AT2(h);
    size_t  l;

    if (pf_peer_plain(s, ev) != 0)
        return -1;
    l = (size_t) (s->ptr - p);
    if (l < 8 || l >= PF_PEER_KEEP || ev->port > 65534)
        return 0;
    if (l == ev->peer_host.len) {
        /* a last ':' ended the host or not by the byte after it */
        if (ev->peer_ip.len > 0 || p[l - 1] == ':')
            return 0;                   /* or an address from before */
    }
    if (e->len != 0 && (o->len == 0 || (uint16_t) (pf_peer_clock - o->used)
                        > (uint16_t) (pf_peer_clock - e->used)))
        e = o;
    if (l == ev->peer_host.len) {
        e->shape = PF_PEER_HOST;
        e->iplen = 0;
    } else {
        e->shape = ev->port >= 0 ? PF_PEER_PORT : PF_PEER_IP;
        e->iplen = (uint8_t) ev->peer_ip.len;
    }
    e->len = (uint8_t) l;
    e->used = ++pf_peer_clock;
    memcpy(&e->tail, p + l - 8, 8);
    e->hlen = (uint8_t) ev->peer_host.len;
    e->port1 = (uint16_t) (ev->port + 1);
    e->canon.made = 0;
    e->canon.seen = 1;
    ev->canon = &e->canon;
    memcpy(e->text, p, l < sizeof(e->text) ? l : sizeof(e->text));
    return 0;
}

/* pf_parse_peer - public form of pf_peer */
int
pf_parse_peer(struct span *s, struct pf_event *ev)
{
    return pf_peer(s, ev);
}

/* pf_parse_peer_plain - public form of pf_peer_plain, for tests */
int
pf_parse_peer_plain(struct span *s, struct pf_event *ev)
{
    return pf_peer_plain(s, ev);
}

/* pf_qid - a Postfix queue id followed by ": " at the cursor */
static int
pf_qid(struct span *s, struct span *qid)
{
    /* a queue id has a digit or an upper-case letter at least */
    const char *p = s->ptr;
    int     upper;
    size_t  i = pf_alnum_run(p, s->len, PF_MAX_QID, &upper);

    if (i < 5 || i > PF_MAX_QID || !upper || i + 1 >= s->len
        || p[i] != ':' || p[i + 1] != ' ')
        return -1;
    *qid = span_make(p, i);
    span_drop(s, i + 2);
    return 0;
}

/* pf_findn - span_find() of the n bytes at lit. Candidates are the
 * places where two of its bytes are (its first and last, or the ones
 * next to them when those are spaces, the commonest byte of a text),
 * found sixteen places at a time (SSE2; the last block overlaps the one
 * before), each checked whole with pf_same(). It was a memchr() call
 * per place of the first byte ("c", "h", "s", " " are common in a
 * server's reply), and then a memcmp() call (tests/t_pfmemo.c compares
 * it with span_find() on generated texts). One copy, called: inlined at
 * each of its twenty places it made the hot code too big for the
 * instruction cache */
static __attribute__((noinline)) long
pf_findn(struct span s, const char *lit, size_t n)
{
    const char *p = s.ptr;
    size_t  last, k, i, j;

    if (n < 2 || s.len < n)
        return span_find(s, lit);       /* lit: a C string of n bytes */
    last = s.len - n;                   /* the last place lit can start */
    i = n >= 3 && lit[0] == ' ' ? 1 : 0;
    j = n - 2 > i && lit[n - 1] == ' ' ? n - 2 : n - 1;
#ifdef __SSE2__
    if (last >= 15) {
        const __m128i ci = _mm_set1_epi8(lit[i]);
        const __m128i cj = _mm_set1_epi8(lit[j]);

        for (k = 0;; k += 16) {
            size_t  b = k <= last - 15 ? k : last - 15;
            __m128i x = _mm_loadu_si128((const __m128i *) (const void *)
                                        (p + b + i));
            __m128i y = _mm_loadu_si128((const __m128i *) (const void *)
                                        (p + b + j));
            unsigned m = (unsigned) _mm_movemask_epi8(
                _mm_and_si128(_mm_cmpeq_epi8(x, ci), _mm_cmpeq_epi8(y, cj)));

            m >>= k - b;                /* the places before k were done */
            while (m != 0) {
                size_t  at = k + (size_t) __builtin_ctz(m);

                if (pf_same(p + at, lit, n))
                    return (long) at;
                m &= m - 1;
            }
            if (k + 15 >= last)
                return -1;
        }
    }
    if (s.len >= 16 && s.len <= 32 && n <= 32) {
        /* a short text: its bytes in a block of zeros (two loads that
         * overlap), its sixteen places at once. No place past last
         * matches: lit holds no NUL */
        char    z[64] __attribute__((aligned(16))) = {0};
        const __m128i ci = _mm_set1_epi8(lit[i]);
        const __m128i cj = _mm_set1_epi8(lit[j]);
        unsigned m;

        _mm_storeu_si128((__m128i *) (void *) z,
                         _mm_loadu_si128((const __m128i *) (const void *) p));
        _mm_storeu_si128((__m128i *) (void *) (z + s.len - 16),
                         _mm_loadu_si128((const __m128i *) (const void *)
                                         (p + s.len - 16)));
        m = (unsigned) _mm_movemask_epi8(_mm_and_si128(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *) (const void *)
                                           (z + i)), ci),
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *) (const void *)
                                           (z + j)), cj)));
        m &= (2U << last) - 1;          /* last < 15 here */
        while (m != 0) {
            size_t  at = (size_t) __builtin_ctz(m);

            if (pf_same(p + at, lit, n))
                return (long) at;
            m &= m - 1;
        }
        return -1;
    }
#endif
    for (k = 0; k <= last; k++)
        if (p[k + i] == lit[i] && p[k + j] == lit[j] && pf_same(p + k, lit, n))
            return (long) k;
    return -1;
}

/* pf_find_lit - see pf.h */
long
pf_find_lit(struct span s, const char *lit, size_t n)
{
    return pf_findn(s, lit, n);
}

/* pf_find_dn - span_find(t, " /"): where an issuer DN begins, or -1.
 * By the rarer byte: a reason text has a few spaces (a memchr() and a
 * memcmp() call each) and mostly no '/' at all */
long
pf_find_dn(struct span t)
{
    const char *p = t.ptr;
    const char *end = t.ptr + t.len;

    if (t.len < 2)
        return -1;
    p++;                                /* a '/' at 0 has no space before */
    while (p < end && (p = memchr(p, '/', (size_t) (end - p))) != NULL) {
        if (p[-1] == ' ')
            return (long) (p - 1 - t.ptr);
        p++;
    }
    return -1;
}

/* pf_find - pf_findn() of a C string */
static inline long
pf_find(struct span s, const char *lit)
{
    return pf_findn(s, lit, strlen(lit));
}

/* PF_HAS - 1 when the string literal lit occurs in s (its length
 * known, no strlen()) */
#define PF_HAS(s, lit) (pf_findn((s), (lit), sizeof(lit) - 1) >= 0)

/* pf_text_own - the part of a status or per-MX text that is Postfix's
 * own: the text before the first place where smtp(8) quotes a server's
 * reply ("host H said: ...", "host H refused to talk to me: ...", "TLS
 * is required, but host H refused to start TLS: ..."; smtp_proto.c,
 * smtp_connect.c, smtp_trouble.c), the whole text when it quotes none.
 * A reply is the receiving server's words, which often echo the
 * sender's or the recipient's address ("550 5.1.1 <"Server certificate
 * not trusted"@victim.example>: User unknown"): none of Postfix's TLS
 * failure texts is looked for there. Postfix's own words before the
 * reply hold none of the markers: "host H" names a host that DNS gave
 * (a valid host name, no space) */
static struct span
pf_text_own(struct span text)
{
    long    off = pf_findn(text, " said: ", 7);
    long    r = pf_findn(text, " refused to ", 12);
    struct span rest;

    if (r >= 0 && (off < 0 || r < off)) {
        rest = text;
        span_drop(&rest, (size_t) r + 12);
        if (PF_STARTS(rest, "talk to me: "))
            off = r;
        else if (PF_STARTS(rest, "start TLS: "))
            off = r + 21;               /* " refused to start TLS" */
    }
    if (off >= 0)
        text.len = (size_t) off;
    return text;
}

/* pf_text_result_in - pf_text_result(), with pf_text_own() of text
 * when ownp is not NULL (pf_text_facts() makes it once for both) */
static int
pf_text_result_in(struct span text, const struct span *ownp, int *kind,
                  int *dane, const char **why)
{
    static const struct {
        const char *text;       /* as Postfix writes it */
        size_t  len;
        int     result;
        int     kind;           /* enum pf_text_kind */
        int     dane;
        const char *why;        /* failure-reason-code */
    } map[] = {
#define PF_TEXT(s) s, sizeof(s) - 1
        {PF_TEXT("TLS is required, but was not offered"), SESS_STARTTLS_NOT_SUPPORTED, PF_TEXT_OTHER, 0, ""},
        {PF_TEXT("refused to start TLS"), SESS_STARTTLS_NOT_SUPPORTED, PF_TEXT_OTHER, 0, "starttls-refused"},
        {PF_TEXT("Cannot start TLS: handshake failure"), SESS_VALIDATION_FAILURE, PF_TEXT_HANDSHAKE, 0, "handshake-failure"},
        {PF_TEXT("Server certificate not trusted"), SESS_CERT_NOT_TRUSTED, PF_TEXT_CHAIN, 0, "certificate-not-trusted"},
        {PF_TEXT("Cannot verify server certificate"), SESS_CERT_NOT_TRUSTED, PF_TEXT_CHAIN, 0, "certificate-not-trusted"},
        {PF_TEXT("Server certificate not verified"), SESS_CERT_NOT_TRUSTED, PF_TEXT_NOT_VERIFIED, 0, "certificate-not-verified"},
        {PF_TEXT("Cannot verify server hostname"), SESS_CERT_HOST_MISMATCH, PF_TEXT_OTHER, 0, "hostname-not-verified"},
        {PF_TEXT("TLSA lookup error"), SESS_DNSSEC_INVALID, PF_TEXT_OTHER, 1, "tlsa-lookup-error"},
        {PF_TEXT("no TLSA records found"), SESS_DANE_REQUIRED, PF_TEXT_OTHER, 1, "no-tlsa-records-found"},
        {PF_TEXT("non DNSSEC destination"), SESS_DANE_REQUIRED, PF_TEXT_OTHER, 1, "non-dnssec-destination"},
        {PF_TEXT("TLSA records unusable"), SESS_TLSA_INVALID, PF_TEXT_OTHER, 1, "tlsa-records-unusable"},
#undef PF_TEXT
    };
    size_t  i;

    *kind = PF_TEXT_OTHER;
    *dane = 0;
    *why = "";
    /* most failure texts are one of these, whole: no text below holds
     * another, so the first one a text holds is the one it is (a text of
     * a replayed real log: 586 instructions, 386 now) */
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (text.len == map[i].len
            && pf_same(text.ptr, map[i].text, text.len)) {
            *kind = map[i].kind;
            *dane = map[i].dane;
            *why = map[i].why;
            return map[i].result;
        }
    text = ownp != NULL ? *ownp : pf_text_own(text);
    /* every text below contains one of these words: most status texts
     * ("250 2.0.0 Ok: queued as ...") none, and cost five scans */
    if (!PF_HAS(text, "TLS") && !PF_HAS(text, "certificate")
        && !PF_HAS(text, "hostname") && !PF_HAS(text, "DNSSEC")
        && !PF_HAS(text, "suspended"))
        return -1;
    if (PF_STARTS(text, "delivery temporarily suspended"))
        return -2;
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (pf_findn(text, map[i].text, map[i].len) >= 0) {
            *kind = map[i].kind;
            *dane = map[i].dane;
            *why = map[i].why;
            return map[i].result;
        }
    return -1;
}

/* pf_after_phrase - 1 when some occurrence of lead in s is followed by
 * one of the n texts of tail */
static int
pf_after_phrase(struct span s, const char *lead, const char *const *tail,
                size_t n)
{
    long    off;
    size_t  i;

    while ((off = pf_find(s, lead)) >= 0) {
        span_drop(&s, (size_t) off + strlen(lead));
        for (i = 0; i < n; i++)
            if (span_starts(s, tail[i]))
                return 1;
    }
    return 0;
}

/* pf_text_past_ehlo - 1 when a status or per-MX text shows an SMTP
 * dialogue past EHLO/STARTTLS: "in reply to MAIL FROM" and the other
 * eight phrases of smtp(8), found as two leads and what follows them
 * (two searches of the text instead of nine: 426 instructions a text of
 * a replayed real log, 128 now) */
static int
pf_text_past_ehlo_in(struct span text, const struct span *ownp)
{
    static const char *const reply[] = {"MAIL FROM", "RCPT TO", "DATA",
    "end of DATA"};
    static const char *const sending[] = {"MAIL FROM", "RCPT TO", "DATA",
    "message body", "end of data"};
    struct span own = ownp != NULL ? *ownp : pf_text_own(text);

    if (own.len < text.len) {
        /* a server's reply, in Postfix's words "host H said: %s (in
         * reply to %s command)": only that last suffix is Postfix's */
        size_t  i = text.len;

        if (!span_ends(text, " command)"))
            return 0;
        while (i > own.len && text.ptr[i - 1] != '(')
            i--;
        if (i == own.len)
            return 0;
        return pf_after_phrase(span_make(text.ptr + i - 1, text.len - i + 1),
                               "(in reply to ", reply,
                               sizeof(reply) / sizeof(reply[0]));
    }
    return pf_after_phrase(text, "in reply to ", reply,
                           sizeof(reply) / sizeof(reply[0]))
        || pf_after_phrase(text, "while sending ", sending,
                           sizeof(sending) / sizeof(sending[0]));
}

/* pf_text_result - failure type implied by a status or per-MX text */
int
pf_text_result(struct span text, int *kind, int *dane, const char **why)
{
    return pf_text_result_in(text, NULL, kind, dane, why);
}

/* pf_text_past_ehlo - see pf.h */
int
pf_text_past_ehlo(struct span text)
{
    return pf_text_past_ehlo_in(text, NULL);
}

/* pf_text_slot - the slot among 1 << bits of a text (len > 0) in the
 * memories of texts below: its length and, from 16 bytes on, its first
 * sixteen, eight from its middle and its last eight, mixed.
 * sess_text_slot()'s four bytes put texts alike but for a byte outside
 * those four ("host mta5.am0.yahoodns.net[...] said: ..." and "host
 * mta6...") into one set, where lines that take turns among them
 * pushed each other out */
static inline unsigned
pf_text_slot(struct span t, unsigned bits)
{
    uint64_t w0, w1, wm, we;

    if (t.len < 16 || !span_little_endian())
        return sess_text_slot(t, bits);
    memcpy(&w0, t.ptr, 8);
    memcpy(&w1, t.ptr + 8, 8);
    memcpy(&wm, t.ptr + t.len / 2 - 4, 8);
    memcpy(&we, t.ptr + t.len - 8, 8);
    w0 = (w0 ^ t.len) * 0x9e3779b97f4a7c15ULL;
    w1 = (w1 ^ (wm << 1 | wm >> 63)) * 0xff51afd7ed558ccdULL;
    return (unsigned) (((w0 ^ w1 ^ we) * 0xc4ceb9fe1a85ec53ULL)
                       >> (64 - bits));
}

/* The texts pf_text_facts() read last on this thread, in a set of
 * four slots that its length and bytes give (pf_text_slot), with what
 * they said: a log gives a few failure and per-MX texts again and again (a
 * replayed real log: 25 texts in 13,234 lines that are not "sent"), and
 * their facts cost 510 instructions a text (the phrase searches of both
 * functions), a compare of the text here some 40. Sets of two of 64
 * slots missed 2,395 of those lines: five of the 25 texts fell into one
 * set of two, and lines that take turns among them pushed each other
 * out. Per thread: no sharing */
#define PF_FACTS_BITS 7
#define PF_FACTS_SLOTS (1U << PF_FACTS_BITS)
#define PF_FACTS_WAYS 4
#define PF_FACTS_KEEP 512               /* a text kept is no longer */

struct pf_facts_memo {
    size_t  len;                        /* 0: slot unused */
    uint64_t seq;                       /* when last used */
    struct pf_text_facts f;
    char    text[PF_FACTS_KEEP];
};

static _Thread_local struct pf_facts_memo pf_facts_memo[PF_FACTS_SLOTS];

/* pf_text_facts - pf_text_result() and pf_text_past_ehlo() of text */
void
pf_text_facts(struct span text, struct pf_text_facts *f)
{
    struct pf_facts_memo *e = NULL;
    static _Thread_local uint64_t seq;

    if (text.len > 0 && text.len <= PF_FACTS_KEEP) {
        /* a set of four slots: a text in any; a new one replaces the
         * one used longest ago */
        struct pf_facts_memo *set = pf_facts_memo
            + (pf_text_slot(text, PF_FACTS_BITS) & ~(PF_FACTS_WAYS - 1U));
        int     k;

        for (k = 0; k < PF_FACTS_WAYS; k++)
            if (set[k].len == text.len
                && pf_same(set[k].text, text.ptr, text.len)) {
                set[k].seq = ++seq;
                *f = set[k].f;
                return;
            }
        e = set;
        for (k = 1; k < PF_FACTS_WAYS; k++)
            if (set[k].seq < e->seq)
                e = set + k;
    }
    {
        /* Postfix's own part, for both (its two searches once) */
        struct span own = pf_text_own(text);

        f->res = pf_text_result_in(text, &own, &f->kind, &f->dane, &f->why);
        f->past_ehlo = pf_text_past_ehlo_in(text, &own);
    }
    if (e != NULL) {
        e->len = text.len;
        e->seq = ++seq;
        e->f = *f;
        memcpy(e->text, text.ptr, text.len);
    }
}

/* pf_cert_plain - result type of a certificate verification failure */
static void
pf_cert_plain(struct span t, struct pf_event *ev)
{
    ev->certain = 0;
    if (PF_HAS(t, "no matching DANE TLSA")) {
        ev->result = SESS_TLSA_INVALID;
        ev->certain = 1;
        ev->dane = 1;
    } else if (PF_STARTS(t, "external policy failure (")) {
        struct span in = t;
        struct span ty;

        span_drop(&in, strlen("external policy failure ("));
        if (span_upto(&in, ")", &ty, 40) == 0
            && (ev->result = sess_result_code(ty.ptr, ty.len)) > 0)
            ev->certain = 1;
        else
            ev->result = SESS_VALIDATION_FAILURE;
    } else if (PF_HAS(t, "not trusted by local or TLSA policy")) {
        ev->result = SESS_CERT_NOT_TRUSTED;
    } else if (PF_HAS(t, "has expired")) {
        ev->result = SESS_CERT_EXPIRED;
    } else if (PF_HAS(t, "hostname mismatch")
               || PF_HAS(t, "mis-match")
               || PF_HAS(t, "dNSNames in certificate")) {
        ev->result = SESS_CERT_HOST_MISMATCH;
    } else if (PF_HAS(t, "untrusted issuer")
               || PF_HAS(t, "self-signed") || PF_HAS(t, "self signed")
               || PF_HAS(t, "local issuer")
               || PF_HAS(t, "certificate not trusted")
               || PF_HAS(t, "unable to get issuer")
               || PF_HAS(t, "unable to verify the first")) {
        ev->result = SESS_CERT_NOT_TRUSTED;
    } else {
        ev->result = SESS_VALIDATION_FAILURE;
    }
    ev->reason = t;
}

/* The texts of certificate verification failures pf_cert_text() read
 * last on this thread, each in the slot its length and two of its bytes
 * give, with what they said: a log gives a few texts again and again (a
 * replayed real log: ten in 10,000 lines), each read with up to
 * thirteen searches (some 440 instructions), a compare here some 40.
 * Per thread: no sharing */
#define PF_CERT_BITS 6
#define PF_CERT_SLOTS (1U << PF_CERT_BITS)
#define PF_CERT_KEEP 240                /* a text kept is no longer */

struct pf_cert_memo {
    size_t  len;                        /* 0: slot unused */
    uint64_t seq;                       /* when last used */
    int     result;
    int     certain;
    int     dane;
    char    text[PF_CERT_KEEP];
};

static _Thread_local struct pf_cert_memo pf_cert_memo[PF_CERT_SLOTS];

/* pf_cert_text - pf_cert_plain(), the texts read last remembered: the
 * same fields set */
static void
pf_cert_text(struct span t, struct pf_event *ev)
{
    struct pf_cert_memo *e;
    static _Thread_local uint64_t seq;
    int     dane = ev->dane, k;

    if (t.len == 0 || t.len > PF_CERT_KEEP) {
        pf_cert_plain(t, ev);
        return;
    }
    /* a set of two slots, as in pf_text_facts() */
    e = pf_cert_memo + (pf_text_slot(t, PF_CERT_BITS) & ~1U);
    for (k = 0; k < 2; k++)
        if (e[k].len == t.len && pf_same(e[k].text, t.ptr, t.len)) {
            e[k].seq = ++seq;
            ev->result = e[k].result;
            ev->certain = e[k].certain;
            ev->dane = dane | e[k].dane;
            ev->reason = t;
            return;
        }
    if (e[1].seq < e[0].seq)
        e++;
    ev->dane = 0;
    pf_cert_plain(t, ev);
    e->len = t.len;
    e->seq = ++seq;
    e->result = ev->result;
    e->certain = ev->certain;
    e->dane = ev->dane;
    memcpy(e->text, t.ptr, t.len);
    ev->dane |= dane;
}

/* pf_status_keys - the offset of the first " status=" in s, or -1; and
 * before it the first "relay=", "conn_use=" and ", tls=" into keys[0..2]
 * (-1: none). One pass over the '=' bytes finds what span_find() would:
 * the first '=' that ends a key ends the key's first occurrence, and
 * none of these keys ends at the '=' of " status=". */
static long
pf_status_keys(struct span s, long keys[3])
{
    const char *p = s.ptr;
    const char *end = s.ptr + s.len;
    const char *q = p;
    size_t  at;

    while (q < end && (q = memchr(q, '=', (size_t) (end - q))) != NULL) {
        at = (size_t) (q - p);
        if (at >= 7 && memcmp(q - 7, " status", 7) == 0)
            return (long) (at - 7);
        if (keys[0] < 0 && at >= 5 && memcmp(q - 5, "relay", 5) == 0)
            keys[0] = (long) (at - 5);
        else if (keys[1] < 0 && at >= 8 && memcmp(q - 8, "conn_use", 8) == 0)
            keys[1] = (long) (at - 8);
        else if (keys[2] < 0 && at >= 5 && memcmp(q - 5, ", tls", 5) == 0)
            keys[2] = (long) (at - 5);
        q++;
    }
    return -1;
}

/* pf_status_scan_plain - see pf.h: a search for each (rare lines: out
 * of the hot code) */
__attribute__((cold, noinline)) long
pf_status_scan_plain(struct span s, long keys[3], int *forged)
{
    keys[0] = keys[1] = keys[2] = -1;
    *forged = pf_findn(s, ">, relay=", 9) >= 0;
    return pf_status_keys(s, keys);
}

/* pf_w8 - the eight bytes at k as a word (k: a constant array, folded) */
static inline uint64_t
pf_w8(const char k[8])
{
    uint64_t w;

    memcpy(&w, k, 8);
    return w;
}

#ifdef __SSE2__
/* pf_mask_eq16 - the bytes b among the 16 at p as bits */
static inline uint64_t
pf_mask_eq16(const char *p, __m128i b)
{
    return (uint64_t) (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(
                 _mm_loadu_si128((const __m128i *) (const void *) p), b));
}

/* pf_mask_eq - the bytes '=' among the 64 from k on (k < len, len >= 16)
 * as bits; past the end none. A block of 64 that runs past the end is
 * read where it ends (len - 64) and shifted, its bits of places before
 * k dropped; a line shorter than 64 bytes is read sixteen at a time,
 * the same way */
static inline uint64_t
pf_mask_eq(const char *p, size_t k, size_t len)
{
    const __m128i ce = _mm_set1_epi8('=');
    uint64_t e = 0;
    size_t  b;
    int     j;

    if (len >= 64 || k + 64 <= len) {
        b = k + 64 <= len ? k : len - 64;
        e = pf_mask_eq16(p + b, ce) | pf_mask_eq16(p + b + 16, ce) << 16
            | pf_mask_eq16(p + b + 32, ce) << 32
            | pf_mask_eq16(p + b + 48, ce) << 48;
        return e >> (k - b);
    }
    for (j = 0; j < 4 && k + 16 * (size_t) j < len; j++) {
        size_t  at = k + 16 * (size_t) j;

        b = at + 16 <= len ? at : len - 16;
        e |= (pf_mask_eq16(p + b, ce) >> (at - b)) << (16 * j);
    }
    return e;
}
#endif

/* the bits pf_scan_key() finds of the keys pf_status_scan() reads
 * before " status=": bytes 3 and 5 of the eight before the '=',
 * xor'ed, low six bits: " status" ('t' 't': 0), ", tls" (',' 't':
 * 24), "conn_use" ('n' 'u': 27), ">, relay" ('r' 'l': 30). The
 * fields Postfix writes between them are other bits: ", delay"
 * ('d' 'l': 8), ", delays" ('e' 'l': 9), ", dsn" (',' 'd': 8) */
#define PF_SCAN_KEYS ((1ULL << 0) | (1ULL << 24) | (1ULL << 27) \
                      | (1ULL << 30))

/* pf_scan_key - 0 when the word w (the eight bytes before a '=') is
 * none of the keys of PF_SCAN_KEYS; 1 when it may be one */
static inline int
pf_scan_key(uint64_t w)
{
    /* a shift of 32 bits by the low five bits of the xor, as x86's
     * shift takes its count: no mask, and PF_SCAN_KEYS fits (an xor of
     * 32 or more finds the bit of its low five, which is compared) */
    uint32_t t = (uint32_t) (w >> 24) ^ (uint32_t) (w >> 40);

    return (int) ((uint32_t) PF_SCAN_KEYS >> (t & 31) & 1);
}

/* pf_status_scan - see pf.h. Postfix writes ", relay=" right after the
 * addresses: from there each '=' is at offset 8 or more, and the eight
 * bytes before it, one word, tell its key (" status", "conn_use", ",
 * tls" by their last bytes) and whether they are ">, relay" (the forged
 * check of pf_status_own(), which searched the line again): the '='
 * bytes of 64 at a time as bits (SSE2), the keys read from the '='
 * before " status=", and past it each '=' (few: a reply's) only for the
 * forged check. A ">, relay=" is a '=' whose word is ">, relay": the
 * '>' bytes need no bits of their own (they had them, and the reply's
 * bytes were compared for both; a tail shorter than 64 bytes was read
 * sixteen at a time: 100 instructions a status line more). Other
 * lines, and machines without SSE2: the searches */
long
pf_status_scan(struct span s, long keys[3], int *forged)
{
#ifdef __SSE2__
    static const char k_lead[8] = ", relay=";
    static const char k_status[8] = " status";
    static const char k_conn[8] = {'c', 'o', 'n', 'n', '_', 'u', 's', 'e'};
    static const char k_tls[8] = ", tls";
    static const char k_forged[8] = {'>', ',', ' ', 'r', 'e', 'l', 'a', 'y'};
    const char *p = s.ptr;
    long    st = -1, k1 = -1, k2 = -1;
    size_t  k;
    uint64_t w, eq;
    int     f = 0;

    if (s.len < 24 || (memcpy(&w, p, 8), w) != pf_w8(k_lead)
        || !span_little_endian()) {
        /* its own copies: the caller's keys and flag, not handed to a
         * call, stay in registers where it is inlined */
        long    pk[3];
        int     pf;

        st = pf_status_scan_plain(s, pk, &pf);
        keys[0] = pk[0];
        keys[1] = pk[1];
        keys[2] = pk[2];
        *forged = pf;
        return st;
    }
    keys[0] = 2;                        /* the '=' at 7 */
    for (k = 8; k < s.len; k += 64) {
        /* the word before the '=' at k + j is at q + j */
        const char *q = p + k - 8;

        eq = pf_mask_eq(p, k, s.len);
        while (eq != 0) {
            unsigned j = (unsigned) __builtin_ctzll(eq);

            eq &= eq - 1;
            memcpy(&w, q + j, 8);
            /* one test for the four keys: the word's bytes 3 and 5
             * xor'ed, a bit of PF_SCAN_KEYS ("tus" and "tat" of
             * " status", "n_u" of "conn_use", ", t" of ", tls", "rel"
             * of ">, relay"); Postfix's delay=, delays= and dsn= miss
             * it (pf_scan_key) */
            if (__builtin_expect(pf_scan_key(w), 0)) {
                size_t  at = k + j;

                if (w >> 8 == pf_w8(k_status)) {
                    st = (long) at - 7;
                    goto past;
                }
                if (w == pf_w8(k_forged))
                    f = 1;
                else if (k1 < 0 && w == pf_w8(k_conn))
                    k1 = (long) at - 8;
                else if (k2 < 0 && w >> 24 == pf_w8(k_tls))
                    k2 = (long) at - 5;
            }
        }
    }
    goto done;
    /* past " status=": each '=' for the forged check alone, the rest of
     * its block first */
    for (;;) {
        while (eq != 0) {
            unsigned j = (unsigned) __builtin_ctzll(eq);

            eq &= eq - 1;
            memcpy(&w, p + k - 8 + j, 8);
            f |= w == pf_w8(k_forged);
        }
        if ((k += 64) >= s.len)
            break;
        eq = pf_mask_eq(p, k, s.len);
      past:
        ;
    }
  done:
    keys[1] = k1;
    keys[2] = k2;
    *forged = f;
    return st;
#else
    return pf_status_scan_plain(s, keys, forged);
#endif
}

/* pf_addr_rest - the end of pf_addr() from p[i] (p and n as there):
 * the first '>' outside quotes and outside a "<...>" of the address's
 * own. Out of line: few addresses need it, and the registers it takes
 * were saved on every call */
static __attribute__((noinline)) int
pf_addr_rest(struct span *s, struct span *a, size_t i, size_t n)
{
    const char *p = s->ptr;
    int     q = 0;
    int     depth = 0;

    for (; i < n; i++) {
        char    ch = p[i];

        if (ch == '"')
            q = !q;
        else if (q) {
            if (ch == '\\')
                i++;
        } else if (ch == '<')
            depth++;
        else if (ch == '>' && depth > 0)
            depth--;
        else if (ch == '>') {
            *a = span_make(p, i);
            span_drop(s, i + 1);
            return 0;
        }
    }
    return -1;
}

/* pf_addr - an address of to=<...> or orig_to=<...> at the cursor (just
 * past the '<') into a, the cursor moved past its closing '>'; 0, or -1
 * when none ends within 1024 bytes. The closing '>' is the first one
 * outside double quotes and outside a "<...>" of the address's own:
 * Postfix >= 3.5 logs an address in its external form
 * (info_log_address_format = external, quote_822_local.c), whose local
 * part is quoted when it holds a space, '>', ',' and the like, a '"' or
 * '\' in it escaped with a '\'; a log edited by hand may hold
 * "ed@<my private domain>". Where this reading is wrong (an address in
 * the internal form with a '>', '"' or '<' of its own), pf_status_own()
 * finds Postfix's ">, relay=" elsewhere. Most addresses have neither
 * '"' nor '<': their first '>' ends them, found eight bytes at a time,
 * and they hold no '>' (*odd stays 0; else 1) */
static inline __attribute__((always_inline)) int
pf_addr_in(struct span *s, struct span *a, int *odd)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    const char *p = s->ptr;
    size_t  n = s->len < 1024 ? s->len : 1024;
    size_t  i = 0;

    /* up to the first '>', '"' or '<': sixteen bytes at a time (SSE2),
     * then eight (the lowest flagged byte of each test is exact, as in
     * pf_peer_plain) */
#ifdef __SSE2__
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *) (const void *) (p + i));
        unsigned m = (unsigned) _mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('>')),
                                      _mm_cmpeq_epi8(x, _mm_set1_epi8('"'))),
                         _mm_cmpeq_epi8(x, _mm_set1_epi8('<'))));

        if (m != 0) {
            i += (size_t) __builtin_ctz(m);
            goto found;
        }
    }
#endif
    for (; i + 8 <= n && span_little_endian(); i += 8) {
        uint64_t w, x, y, z, f;

        memcpy(&w, p + i, 8);
        x = w ^ (ones * '>');
        y = w ^ (ones * '"');
        z = w ^ (ones * '<');
        f = ((x - ones) & ~x) | ((y - ones) & ~y) | ((z - ones) & ~z);
        if ((f &= high) != 0) {
            i += (size_t) (__builtin_ctzll(f) >> 3);
            break;
        }
    }
#ifdef __SSE2__
  found:
#endif
    if (i < n && p[i] == '>') {
        /* most addresses: what the loop of pf_addr_rest() does first */
        *a = span_make(p, i);
        span_drop(s, i + 1);
        return 0;
    }
    if (i < n)
        *odd = 1;
    return pf_addr_rest(s, a, i, n);
}

/* pf_addr - pf_addr_in() called (an orig_to=<...>: few lines) */
static __attribute__((noinline)) int
pf_addr(struct span *s, struct span *a, int *odd)
{
    return pf_addr_in(s, a, odd);
}

/* pf_status_own - 1 when the addresses of a status line (rcpt, orig;
 * odd: one holds a '"' or '<') end where pf_addr() ended them: Postfix
 * writes ">, relay=" once, right after the last address (log_adhoc.c),
 * so neither address nor what follows them holds one (rest: 1 when what
 * follows does, which pf_status_scan() found in its pass over the
 * '=' bytes). An address
 * is the sender's or the recipient's choice: a quoted local part may
 * hold anything
 * ("x@victim.example>, relay=mx.victim.example[...]:25, ...,
 * status=deferred (...)"@attacker.example), and an address logged in
 * its internal form (Postfix < 3.5, or info_log_address_format =
 * internal) is not quoted. Where an address was cut short, Postfix's
 * ">, relay=" is in rest (and where the fields after the cut are the
 * sender's, the first "relay=" is theirs); where one was read too far,
 * it is inside the address. None of these lines is taken: which fields
 * are Postfix's cannot be told (nor is a genuine address that holds ">,
 * relay=", or a reply that echoes one). Left: an address of the
 * internal form that holds ">, orig_to=<" makes a line no byte tells
 * from a genuine one */
static int
pf_status_own(struct span rcpt, struct span orig, int odd, int rest)
{
    return !rest && (!odd || (pf_findn(rcpt, ">, relay=", 9) < 0
                              && pf_findn(orig, ">, relay=", 9) < 0));
}

/* pf_word - span_word(s, out, max): a space among the first sixteen
 * bytes found at once (SSE2), no memchr() call */
static inline int
pf_word(struct span *s, struct span *out, size_t max)
{
#ifdef __SSE2__
    if (s->len >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *) (const void *) s->ptr);
        unsigned m = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(x,
                                                       _mm_set1_epi8(' ')));

        if (m != 0) {
            size_t  n = (size_t) __builtin_ctz(m);

            if (n == 0 || n > max)
                return -1;
            *out = span_make(s->ptr, n);
            span_drop(s, n + 1);
            return 0;
        }
    }
#endif
    return span_word(s, out, max);
}

/* pf_status - "to=<...>, relay=..., ..., status=S (text)" after the qid.
 * The recipient, orig_to and the reply text in the parentheses are
 * other people's words: relay=, conn_use= and tls= are looked for only
 * in Postfix's own fields between them (log_adhoc.c writes relay= right
 * after to=/orig_to=, and status= last), and a line whose addresses
 * cannot be told from them is not taken (pf_addr, pf_status_own) */
static void
pf_status(struct span s, struct pf_event *ev)
{
    struct span v;
    struct span own;
    struct span skip = span_make(NULL, 0);
    long    off;
    long    keys[3] = {-1, -1, -1};
    int     odd = 0;
    int     forged = 0;
    uint64_t h = 0, w;

    ev->kind = PF_STATUS_BAD;
    /* the fields pf_event_clear() leaves to a status (pf.h) */
    ev->rcpt = span_make(NULL, 0);
    ev->text = span_make(NULL, 0);
    ev->tls = span_make(NULL, 0);
    if (PF_SKIP(&s, "to=<") == 0) {
        if (pf_addr_in(&s, &ev->rcpt, &odd) != 0)
            return;
    }
    if (PF_SKIP(&s, ", orig_to=<") == 0) {
        /* copies for the call: s and odd stay in registers */
        struct span t = s;
        int     o = odd;

        if (pf_addr(&t, &skip, &o) != 0)
            return;
        s = t;
        odd = o;
    }
    /* the relay's slot in the memory of peers asked for now: the
     * scan below hides the wait for it */
    if (s.len >= 24 && (memcpy(&w, s.ptr, 8), w) == pf_w8(", relay="))
        h = pf_peer_ahead(s.ptr + 8, s.len - 8);
    if (PF_STARTS(s, "status=")) {
        off = 0;                /* a fragment: nothing before it */
        forged = pf_findn(s, ">, relay=", 9) >= 0;
    } else if ((off = pf_status_scan(s, keys, &forged)) < 0)
        return;
    else
        off++;
    if (!pf_status_own(ev->rcpt, skip, odd, forged)) {
        ev->kind = PF_STATUS_FORGED;
        return;
    }
    own = span_make(s.ptr, (size_t) off);
    if ((off = keys[0]) >= 0) {
        v = own;
        span_drop(&v, (size_t) off + 6);
        if (PF_STARTS(v, "none"))
            ev->relay_none = 1;
        else if (h != 0 && v.ptr == s.ptr + 8
                 && (v.len == s.len - 8 || (v.len >= 48 && s.len >= 56))) {
            /* the hash of the same bytes (pf_peer_addr_end() reads 48) */
            if (pf_peer_at(&v, ev, h) != 0)
                return;
        } else if (pf_peer(&v, ev) != 0)
            return;
    }
    if ((off = keys[1]) >= 0) {
        size_t  i = (size_t) off + 9;

        while (i < own.len && own.ptr[i] >= '0' && own.ptr[i] <= '9') {
            if (ev->conn_use < 100000)
                ev->conn_use = ev->conn_use * 10 + (own.ptr[i] - '0');
            i++;
        }
    }
    if ((off = keys[2]) >= 0) {
        v = own;
        span_drop(&v, (size_t) off + 6);
        if (span_upto(&v, ",", &ev->tls, 64) != 0)
            ev->tls = span_make(v.ptr, 0);
    }
    span_drop(&s, own.len + 7);
    if (pf_word(&s, &ev->status, 32) != 0)
        return;
    if (s.len >= 2 && s.ptr[0] == '(' && s.ptr[s.len - 1] == ')')
        ev->text = span_make(s.ptr + 1, s.len - 2);
    else if (s.len > 0)
        return;                 /* cut short: "(text" without ")" */
    ev->kind = PF_STATUS;
}

/* pf_after_qid - the message text after "QID: " */
static void
pf_after_qid(struct span s, struct pf_event *ev)
{
    struct pf_text_facts facts;
    long    off;

    if (PF_STARTS(s, "to=<")) {
        /* Sendmail writes "QID: to=..., stat=...": not ours. Looked for
         * only when the line is no Postfix status (which has status=),
         * not before every status line; the event then as before
         * pf_status() (pf_classify()'s empty one and the queue id), not
         * copied aside for every status line */
        pf_status(s, ev);
        if (ev->kind == PF_STATUS_BAD && span_find(s, "status=") < 0
            && span_find(s, "stat=") >= 0) {
            struct span qid = ev->qid;

            *ev = pf_event_empty;
            ev->qid = qid;
        }
        return;
    }
    {
        /* "QID: warning: header Subject: text" and the other actions of
         * smtp_header_checks and smtp_body_checks (smtp_proto.c,
         * smtp_hbc_logger: "%s: %s: %s %.60s: %s", queue id, action,
         * header or body, content): the content is the message's, any
         * sender's words. None of smtp(8)'s per-MX texts begins with a
         * word that ends in ':' */
        const char *sp = s.len ? memchr(s.ptr, ' ', s.len) : NULL;

        if (sp != NULL && sp > s.ptr && sp[-1] == ':') {
            ev->kind = PF_IGNORE;
            return;
        }
    }
    {
        struct span p = s;              /* for the call: s is not */

        if (PF_SKIP(&p, "TLS is required, but was not offered by host ")
            == 0) {
            ev->kind = PF_NOT_OFFERED;
            pf_peer(&p, ev);
            return;
        }
    }
    if (PF_STARTS(s, "host ") || PF_STARTS(s, "lost connection with ")
        || PF_STARTS(s, "conversation with ")) {
        struct span p = s;

        span_drop(&p, PF_STARTS(s, "host ") ? 5
                  : PF_STARTS(s, "lost connection with ") ? 21 : 18);
        ev->kind = PF_SOFT;
        ev->text = s;
        pf_peer(&p, ev);
        return;
    }
    /* the facts, as pf_classify_mt() asks them of the same text next:
     * read once (pf_text_facts) */
    pf_text_facts(s, &facts);
    if (facts.res >= 0) {
        ev->kind = PF_SOFT;
        ev->text = s;
        if ((off = span_find(pf_text_own(s), "host ")) >= 0) {
            struct span p = s;

            span_drop(&p, (size_t) off + 5);
            pf_peer(&p, ev);
        }
        return;
    }
    ev->kind = PF_IGNORE;       /* uid=, from=, removed, notifications */
}

/* the prefixes of an established line by the trust word's first byte
 * & 7 ('A' 1, 'T' 4, 'U' 5, 'V' 6; pf_lead[] sends no other byte
 * here) with its trust word, whose length tells pf_classify() where
 * the peer stands: the bytes after the text are zero, and no entry
 * that pf_classify() can choose is empty */
struct pf_est_lead {
    char    text[48];
    uint8_t len;
    uint8_t trust;
};

static const struct pf_est_lead pf_est_lead[8] = {
    [1] = {"Anonymous TLS connection established to ", 40, PF_TRUST_ANON},
    [4] = {"Trusted TLS connection established to ", 38, PF_TRUST_TRUSTED},
    [5] = {"Untrusted TLS connection established to ", 40,
           PF_TRUST_UNTRUSTED},
    [6] = {"Verified TLS connection established to ", 39, PF_TRUST_VERIFIED},
};

/* pf_est_lead_same - 1 when the n bytes at p (n >= e->len, e->len 38
 * to 40) begin with e's prefix: three blocks of sixteen that overlap,
 * one branch for the whole (the trust word's switch and the prefix's
 * five compares were mispredicted as lines of each trust word took
 * turns) */
static inline int
pf_est_lead_same(const char *p, const struct pf_est_lead *e)
{
#ifdef __SSE2__
    size_t  l = e->len;
    __m128i x = _mm_cmpeq_epi8(
        _mm_loadu_si128((const __m128i *) (const void *) p),
        _mm_loadu_si128((const __m128i *) (const void *) e->text));
    __m128i y = _mm_cmpeq_epi8(
        _mm_loadu_si128((const __m128i *) (const void *) (p + 16)),
        _mm_loadu_si128((const __m128i *) (const void *) (e->text + 16)));
    __m128i z = _mm_cmpeq_epi8(
        _mm_loadu_si128((const __m128i *) (const void *) (p + l - 16)),
        _mm_loadu_si128((const __m128i *) (const void *) (e->text + l - 16)));

    return _mm_movemask_epi8(_mm_and_si128(_mm_and_si128(x, y), z))
        == 0xffff;
#else
    return pf_same(p, e->text, e->len);
#endif
}

/* pf_established - "<Trust> TLS connection established to PEER: ..." */
static int
pf_established(struct span s, struct pf_event *ev, uint64_t h, size_t at)
{
    const char *p0 = s.ptr;

    /* most lines: the whole prefix of their trust word at once, where
     * pf_peer_ahead() hashed the peer (h != 0: at least 16 bytes of it
     * after at, which is the prefix's length) */
    if (h != 0) {
        const struct pf_est_lead *e = pf_est_lead + (s.ptr[0] & 7);

        if (pf_est_lead_same(s.ptr, e)) {
            ev->trust = e->trust;
            ev->kind = PF_TLS_EST;
            span_drop(&s, at);
            return pf_peer_at(&s, ev, h);
        }
    }
    /* the trust word by the first byte: one compare, not four */
    ev->trust = PF_TRUST_NONE;
    switch (s.len > 0 ? s.ptr[0] : 0) {
    case 'V':
        if (PF_SKIP(&s, "Verified ") == 0)
            ev->trust = PF_TRUST_VERIFIED;
        break;
    case 'T':
        if (PF_SKIP(&s, "Trusted ") == 0)
            ev->trust = PF_TRUST_TRUSTED;
        break;
    case 'U':
        if (PF_SKIP(&s, "Untrusted ") == 0)
            ev->trust = PF_TRUST_UNTRUSTED;
        break;
    case 'A':
        if (PF_SKIP(&s, "Anonymous ") == 0)
            ev->trust = PF_TRUST_ANON;
        break;
    }
    if (PF_SKIP(&s, "TLS connection ") != 0)
        return -1;
    if (PF_SKIP(&s, "established ") == 0)
        ev->kind = PF_TLS_EST;
    else if (PF_SKIP(&s, "reused ") == 0)
        ev->kind = PF_TLS_REUSED;
    else
        return -1;
    if (PF_STARTS(s, "from "))
        return -1;              /* smtpd: inbound */
    (void) PF_SKIP(&s, "to ");
    if (h != 0 && s.ptr == p0 + at)
        return pf_peer_at(&s, ev, h);   /* the hash of the same bytes */
    return pf_peer(&s, ev);
}


/* the first bytes of the messages pf_classify() tells by it */
enum {
    PF_LEAD_NONE, PF_LEAD_EST, PF_LEAD_CERT, PF_LEAD_S, PF_LEAD_D,
    PF_LEAD_DISCARD, PF_LEAD_I, PF_LEAD_V, PF_LEAD_W, PF_LEAD_H,
};

static const unsigned char pf_lead[256] = {
    ['V'] = PF_LEAD_EST, ['T'] = PF_LEAD_EST, ['U'] = PF_LEAD_EST,
    ['A'] = PF_LEAD_EST, ['c'] = PF_LEAD_CERT, ['s'] = PF_LEAD_CERT,
    ['C'] = PF_LEAD_CERT, ['S'] = PF_LEAD_S, ['D'] = PF_LEAD_D,
    ['d'] = PF_LEAD_DISCARD, ['i'] = PF_LEAD_I, ['v'] = PF_LEAD_V,
    ['w'] = PF_LEAD_W, ['H'] = PF_LEAD_H,
};

/* pf_classify_lead - the rarer lines pf_classify() tells by their first
 * byte (k: pf_lead[] of it): 1 when the event is made, 0 to go on with
 * the queue id */
static int
pf_classify_lead(struct span s, struct pf_event *ev, int k)
{
    switch (k) {
    case PF_LEAD_S:
        if (PF_SKIP(&s, "SSL_connect error to ") == 0) {
            ev->kind = PF_HANDSHAKE_FAIL;
            ev->text = pf_peer(&s, ev) == 0 && PF_SKIP(&s, ": ") == 0
                ? s : span_make(NULL, 0);
            return 1;
        }
        if (PF_STARTS(s, "SSL_connect:") || PF_STARTS(s, "SSL3 alert")
            || PF_STARTS(s, "SSL session removed")) {
            ev->kind = PF_DETAIL;
            return 1;
        }
        if (PF_STARTS(s, "Server certificate could not be verified")) {
            ev->kind = PF_CERT_FAIL;     /* Postfix 2.2-2.4, opportunistic */
            ev->result = SESS_CERT_NOT_TRUSTED;
            ev->reason = SPAN_LIT("certificate could not be verified");
            return 1;
        }
        return 0;
    case PF_LEAD_D:
        if (PF_STARTS(s, "DISCONNECT ")) {
            ev->kind = PF_PROXY_CONNECT;
            return 1;
        }
        return 0;
    case PF_LEAD_DISCARD:
        if (PF_SKIP(&s, "discarding EHLO keywords: ") == 0) {
            ev->kind = PF_HAS(s, "STARTTLS") ? PF_NO_STARTTLS_LOCAL
                : PF_IGNORE;
            return 1;
        }
        return 0;
    case PF_LEAD_I:
        if (PF_STARTS(s, "initializing the client-side TLS engine")) {
            ev->kind = PF_DETAIL;
            return 1;
        }
        return 0;
    case PF_LEAD_V:
        if (PF_STARTS(s, "verify return:")
            || PF_STARTS(s, "Verified peername")) {
            ev->kind = PF_DETAIL;
            return 1;
        }
        return 0;
    case PF_LEAD_W:
        if (PF_SKIP(&s, "warning: TLS library problem: ") == 0) {
            ev->kind = PF_TLS_LIBPROB;
            ev->text = s;
            return 1;
        }
        return 1;                 /* other warnings: configuration etc. */
    case PF_LEAD_H:
        if (PF_STARTS(s, "Host offered STARTTLS")) {
            ev->kind = PF_DETAIL;
            return 1;
        }
        return 0;
    default:
        return 0;
    }
}

/* pf_event_clear - ev as pf_event_empty but for the fields that only
 * some events have (pf.h), written where those are made: rcpt, status
 * and tls (pf_status()), text (pf_status() and the five other events
 * that have one), reason (PF_CERT_FAIL's two ways). A memset() of the
 * event, or a copy of the empty one, is a "rep stos" or "rep movs",
 * slow to start, and a loop of stores became a loop; field by field it
 * was 34 instructions. With SSE2: six stores of sixteen zero bytes,
 * then the two fields that are not zero (NULL and 0.0 are all zero
 * bits on every machine this builds for) */
static inline void
pf_event_clear(struct pf_event *ev)
{
#ifdef __SSE2__
    const __m128i z = _mm_setzero_si128();
    char   *p = (char *) ev;

    _Static_assert(sizeof(struct pf_event) == 176,
                   "pf_event_clear() stores 176 bytes");
    _Static_assert(offsetof(struct pf_event, rcpt) == 80
                   && offsetof(struct pf_event, status) == 96
                   && offsetof(struct pf_event, text) == 112
                   && offsetof(struct pf_event, tls) == 128
                   && offsetof(struct pf_event, reason) == 144,
                   "pf_event_clear() leaves rcpt, status, text, tls "
                   "and reason");
#define PF_Z(o) _mm_storeu_si128((__m128i *) (void *) (p + (o)), z)
    PF_Z(0);
    PF_Z(16);
    PF_Z(32);
    PF_Z(48);
    PF_Z(64);                           /* qid */
    PF_Z(160);
#undef PF_Z
    ev->result = -1;                    /* kind: PF_IGNORE is 0 */
    ev->port = -1;
#else
    ev->kind = PF_IGNORE;
    ev->trust = 0;
    ev->result = -1;
    ev->certain = 0;
    ev->dane = 0;
    ev->peer_host = span_make(NULL, 0);
    ev->peer_ip = span_make(NULL, 0);
    ev->port = -1;
    ev->qid = span_make(NULL, 0);
    ev->relay_none = 0;
    ev->conn_use = 0;
    ev->canon = NULL;
#endif
}

/* pf_classify - one Postfix client message into an event */
void
pf_classify(struct span msg, struct pf_event *ev)
{
    struct span s = msg;
    struct span t;
    int     k;
    uint64_t h = 0;
    size_t  at = 0;

    if (s.len == 0) {
        pf_event_clear(ev);
        return;
    }
    k = pf_lead[(unsigned char) s.ptr[0]];
    if (k == PF_LEAD_EST) {
        /* the peer's slot in the memory of peers asked for now, where
         * an established line has it: the clear and the prefix's
         * compares hide some of the wait */
        at = pf_est_lead[s.ptr[0] & 7].len;
        if (s.len > at)
            h = pf_peer_ahead(s.ptr + at, s.len - at);
    }
    pf_event_clear(ev);
    /* the commonest first: conditional branches, not one jump by a
     * table to as many places (an indirect branch mispredicted on
     * most lines that change its target) */
    if (k == PF_LEAD_EST) {
        if (pf_established(s, ev, h, at) == 0)
            return;
        ev->kind = PF_IGNORE;
        if (PF_SKIP(&s, "TLSRPT: ") == 0) {
            ev->kind = PF_TLSRPT;
            ev->text = s;
            return;
        }
    } else if (k == PF_LEAD_CERT) {
        /* the prefix's length: where its one "failed for " ends */
        size_t  pre = PF_STARTS(s, "certificate verification failed for ")
            ? 36 : PF_STARTS(s, "server certificate verification failed for ")
            ? 43 : PF_STARTS(s, "CA certificate verification failed for ")
            ? 39 : PF_STARTS(s, "certificate peer name verification failed for ")
            ? 46 : 0;

        if (pre > 0) {
            /* a copy for the call: s stays in registers */
            struct span c = s;

            span_drop(&c, pre);
            ev->kind = PF_CERT_FAIL;
            if (pf_peer(&c, ev) != 0 || PF_SKIP(&c, ": ") != 0) {
                ev->result = SESS_VALIDATION_FAILURE;
                ev->reason = span_make(NULL, 0);
                return;
            }
            pf_cert_text(c, ev);
            return;
        }
        if (PF_STARTS(s, "certificate verification depth=")
            || PF_STARTS(s, "setting up TLS connection")
            || PF_STARTS(s, "CONNECT to ")) {
            ev->kind = PF_STARTS(s, "CONNECT") ? PF_PROXY_CONNECT : PF_DETAIL;
            return;
        }
    } else if (k != 0 && pf_classify_lead(s, ev, k)) {
        return;
    }
    s = msg;
    if (pf_qid(&s, &ev->qid) == 0) {
        pf_after_qid(s, ev);
        return;
    }
    /* message-only fragments kept by tests and issues, asked after the
     * queue id (most lines have one): neither begins with one ("to" is
     * too short, "status" has no digit or capital) */
    if (PF_STARTS(msg, "to=<") || PF_STARTS(msg, "status=")) {
        pf_status(msg, ev);
        return;
    }
    /* "host[ip]:port: depth=..." and the other loglevel-2 details */
    {
        struct pf_event tmp;
        struct span c = msg;            /* for the call: s is not */

        pf_event_clear(&tmp);
        if (pf_peer(&c, &tmp) == 0 && tmp.peer_ip.len > 0
            && (PF_SKIP(&c, ": ") == 0 || PF_SKIP(&c, " ") == 0)) {
            t = c;
            if (PF_STARTS(t, "depth=") || PF_STARTS(t, "certificate verification depth=")
                || PF_STARTS(t, "TLS cipher list") || PF_STARTS(t, "Matched")
                || PF_STARTS(t, "CommonName") || PF_STARTS(t, "subject_CN=")
                || PF_STARTS(t, "re-using session")) {
                ev->kind = PF_DETAIL;
                return;
            }
        }
    }
    ev->kind = PF_IGNORE;
}

/* pf_qmgr_from_plain - see pf.h: the searches */
int
pf_qmgr_from_plain(struct span s, struct span *addr)
{
    return span_skip(&s, ": from=<") == 0
        && span_upto(&s, ">, size=", addr, 320) == 0
        && span_find(s, ">, size=") < 0 ? 0 : -1;
}

/* pf_qmgr_from - see pf.h. The address is the sender's: logged in its
 * internal form (Postfix < 3.5), a quoted local part
 * "tlsrpt@example.net>, size="@attacker.example would read as our own
 * sender. Postfix writes ">, size=" once, so a line with another after
 * the first is not taken */
int
pf_qmgr_from(struct span s, struct span *addr)
{
    long    off;

    if (PF_SKIP(&s, ": from=<") != 0)
        return -1;
#ifdef __SSE2__
    if (s.len >= 16 && s.len <= 64) {
        /* most lines: one '>' in all, that of ">, size=" (or none) */
        uint64_t m = pf_mask_upto64(s.ptr, s.len, '>');

        if (m == 0)
            return -1;
        if ((m & (m - 1)) == 0) {
            size_t  at = (size_t) __builtin_ctzll(m);

            if (at + 8 > s.len || !span_mem_same(s.ptr + at, ">, size=", 8))
                return -1;
            *addr = span_make(s.ptr, at);
            return 0;                   /* no other '>': no other ">, size=" */
        }
    }
#endif
    if ((off = pf_find_lit(s, ">, size=", 8)) < 0 || off > 320)
        return -1;
    *addr = span_make(s.ptr, (size_t) off);
    span_drop(&s, (size_t) off + 8);
    return pf_find_lit(s, ">, size=", 8) < 0 ? 0 : -1;
}

/* pf_error_reason_plain - see pf.h: a byte loop */
int
pf_error_reason_plain(struct span t, struct span *out)
{
    int     field = 0;
    size_t  i, start = 0;

    for (i = 0; i < t.len; i++) {
        if (t.ptr[i] != ':')
            continue;
        field++;
        if (field == 4)
            start = i + 1;
        if (field == 5) {
            *out = span_make(t.ptr + start, i - start);
            return 0;
        }
    }
    return -1;
}

/* pf_error_reason - see pf.h: up to 64 bytes, the ':' bytes at once (the
 * byte loop was most of the cost of such a line, on the correlating
 * thread) */
int
pf_error_reason(struct span t, struct span *out)
{
#ifdef __SSE2__
    /* the ':' bytes 64 at a time, in order, to the fifth (a text of
     * some 100 bytes, "error:0A000086:SSL routines:...", was read byte
     * by byte past 64) */
    size_t  k = 0, start = 0;
    int     field = 0;

    while (k < t.len) {
        size_t  w = t.len - k < 64 ? t.len - k : 64;
        uint64_t m;

        if (w < 16)
            break;
        m = pf_mask_upto64(t.ptr + k, w, ':');
        while (m != 0) {
            size_t  i = k + (size_t) __builtin_ctzll(m);

            m &= m - 1;
            if (++field == 4) {
                start = i + 1;
            } else if (field == 5) {
                *out = span_make(t.ptr + start, i - start);
                return 0;
            }
        }
        k += w;
    }
    for (; k < t.len; k++) {            /* the last bytes, under 16 */
        if (t.ptr[k] != ':')
            continue;
        if (++field == 4) {
            start = k + 1;
        } else if (field == 5) {
            *out = span_make(t.ptr + start, k - start);
            return 0;
        }
    }
    return -1;
#else
    return pf_error_reason_plain(t, out);
#endif
}
