/* util/span.h - bounded, non-owning views of bytes
 *
 * A span is (ptr, len) into someone else's buffer; nothing here
 * allocates or writes through the pointer, and no function reads past
 * ptr + len. Functions that advance a cursor return 0 on success and -1
 * when the input does not match, leaving the cursor unchanged, so that
 * calls chain with ||, as in curl's strparse.
 */
#ifndef UTIL_SPAN_H
#define UTIL_SPAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct span {
    const char *ptr;
    size_t  len;
};

#define SPAN_LIT(s) ((struct span) { (s), sizeof(s) - 1 })

/* span_make - span over a C string */
static inline struct span
span_make(const char *p, size_t len)
{
    struct span s = {p, len};

    return s;
}

/* span_eq - 1 when the whole span equals the literal
 * (absent fields are spans with len 0 and maybe a NULL ptr: every helper
 * here touches memory only when len > 0) */
static inline int
span_eq(struct span s, const char *lit)
{
    size_t  n = strlen(lit);

    return s.len == n && (n == 0 || memcmp(s.ptr, lit, n) == 0);
}

/* span_is - 1 when the whole span equals the C string str: span_eq()
 * without measuring str first (a name kept in a struct, compared with
 * a line's field: most differ in their first bytes) */
static inline int
span_is(struct span s, const char *str)
{
    size_t  i;

    for (i = 0; i < s.len; i++)
        if (str[i] != s.ptr[i] || str[i] == 0)
            return 0;
    return str[s.len] == 0;
}

/* span_starts - 1 when s begins with lit */
static inline int
span_starts(struct span s, const char *lit)
{
    size_t  n = strlen(lit);

    return s.len >= n && (n == 0 || memcmp(s.ptr, lit, n) == 0);
}

/* span_ends - 1 when s ends with lit */
static inline int
span_ends(struct span s, const char *lit)
{
    size_t  n = strlen(lit);

    return s.len >= n && (n == 0 || memcmp(s.ptr + s.len - n, lit, n) == 0);
}

/* span_skip - consume lit at the cursor */
static inline int
span_skip(struct span *s, const char *lit)
{
    size_t  n = strlen(lit);

    if (s->len < n || (n > 0 && memcmp(s->ptr, lit, n) != 0))
        return -1;
    s->ptr += n;
    s->len -= n;
    return 0;
}

/* span_find - offset of the first lit in s, or -1. memchr for the first
 * byte, then memcmp: for the short texts and needles of log lines much
 * cheaper than memmem's set-up; cost O(len * strlen(lit)) at worst */
static inline long
span_find(struct span s, const char *lit)
{
    size_t  n = strlen(lit);
    const char *p;
    const char *last;

    if (n == 0)
        return 0;
    if (s.len < n)
        return -1;
    p = s.ptr;
    last = s.ptr + (s.len - n);         /* the last place lit can start */
    while ((p = memchr(p, lit[0], (size_t) (last - p) + 1)) != NULL) {
        if (memcmp(p + 1, lit + 1, n - 1) == 0)
            return (long) (p - s.ptr);
        if (p++ == last)
            break;
    }
    return -1;
}

/* span_upto - take bytes before lit into out (at most max), consume lit */
static inline int
span_upto(struct span *s, const char *lit, struct span *out, size_t max)
{
    long    off = span_find(*s, lit);

    if (off < 0 || (size_t) off > max)
        return -1;
    out->ptr = s->ptr;
    out->len = (size_t) off;
    s->ptr += (size_t) off + strlen(lit);
    s->len -= (size_t) off + strlen(lit);
    return 0;
}

/* span_word - take bytes up to the next space (or end) into out */
static inline int
span_word(struct span *s, struct span *out, size_t max)
{
    const char *sp = s->len ? memchr(s->ptr, ' ', s->len) : NULL;
    size_t  n = sp ? (size_t) (sp - s->ptr) : s->len;

    if (n == 0 || n > max)
        return -1;
    out->ptr = s->ptr;
    out->len = n;
    s->ptr += n;
    s->len -= n;
    if (s->len > 0) {
        s->ptr++;
        s->len--;
    }
    return 0;
}

/* span_drop - drop n bytes from the front (n clipped to len) */
static inline void
span_drop(struct span *s, size_t n)
{
    if (n > s->len)
        n = s->len;
    s->ptr += n;
    s->len -= n;
}

/* span_trim - remove trailing spaces, tabs, CR and LF */
static inline struct span
span_trim(struct span s)
{
    while (s.len > 0 && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'
                         || s.ptr[s.len - 1] == '\r'
                         || s.ptr[s.len - 1] == '\n'))
        s.len--;
    return s;
}

/* span_copy - copy into a C buffer of size cap; -1 (and "") if too long */
static inline int
span_copy(struct span s, char *buf, size_t cap)
{
    if (cap == 0)
        return -1;
    if (s.len >= cap) {
        buf[0] = 0;
        return -1;
    }
    if (s.len)
        memcpy(buf, s.ptr, s.len);
    buf[s.len] = 0;
    return 0;
}

/* span_little_endian - 1 on a little-endian host, where the first byte
 * in memory is the lowest of a word read with memcpy (a constant the
 * compiler folds): for scans of 8 bytes at a time */
static inline int
span_little_endian(void)
{
    const unsigned short one = 1;
    unsigned char b;

    memcpy(&b, &one, 1);
    return b == 1;
}

/* span_digits8 - how many of the eight bytes at p, from the first, are
 * ASCII digits (0 to 8); p must have eight bytes to read, on a
 * little-endian host (span_little_endian). A byte is a digit when its
 * high nibble is 3 before and after adding 6; a carry out of a byte
 * (>= 0xfa, no digit) spoils only bytes after it, never the first
 * non-digit. No branch: a pid's or a fraction's end in one step */
static inline unsigned
span_digits8(const char *p)
{
    const uint64_t hi = 0xf0f0f0f0f0f0f0f0ULL;
    const uint64_t d3 = 0x3030303030303030ULL;
    uint64_t x, m;

    memcpy(&x, p, 8);
    m = ((x & hi) ^ d3) | (((x + 0x0606060606060606ULL) & hi) ^ d3);
    return m == 0 ? 8 : (unsigned) (__builtin_ctzll(m) >> 3);
}

/* span_mem_same32 - memcmp(a, b, n) == 0 for 16 <= n <= 32 (a table
 * key, a recipient domain): four words each, the last two overlapping
 * the first two, no call; reads nothing past the n bytes */
static inline int
span_mem_same32(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a;
    const unsigned char *y = b;
    uint64_t x0, x1, x2, x3, y0, y1, y2, y3;

    memcpy(&x0, x, 8);
    memcpy(&x1, x + 8, 8);
    memcpy(&x2, x + n - 16, 8);
    memcpy(&x3, x + n - 8, 8);
    memcpy(&y0, y, 8);
    memcpy(&y1, y + 8, 8);
    memcpy(&y2, y + n - 16, 8);
    memcpy(&y3, y + n - 8, 8);
    return ((x0 ^ y0) | (x1 ^ y1) | (x2 ^ y2) | (x3 ^ y3)) == 0;
}

/* span_mem_same - memcmp(a, b, n) == 0 for the short names of a log
 * line (hosts, programs, pids): up to 16 bytes as two words each that
 * overlap (bytes 0 to w - 1 and n - w to n - 1), no call; longer by
 * memcmp. Reads nothing past the n bytes. A memcmp() call cost 15 to
 * 20 instructions for a name of 4 to 16 bytes */
static inline int
span_mem_same(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a;
    const unsigned char *y = b;

    if (n >= 8 && n <= 16) {
        uint64_t x0, x1, y0, y1;

        memcpy(&x0, x, 8);
        memcpy(&y0, y, 8);
        memcpy(&x1, x + n - 8, 8);
        memcpy(&y1, y + n - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n >= 4 && n < 8) {
        uint32_t x0, x1, y0, y1;

        memcpy(&x0, x, 4);
        memcpy(&y0, y, 4);
        memcpy(&x1, x + n - 4, 4);
        memcpy(&y1, y + n - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n < 4)
        return n == 0 || (x[0] == y[0] && x[n / 2] == y[n / 2]
                          && x[n - 1] == y[n - 1]);
    return memcmp(x, y, n) == 0;
}

/* span_mem_put - memcpy(dst, src, n) for the short fields of a log
 * line, as span_mem_same() reads them: no call up to 16 bytes */
static inline void
span_mem_put(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (n >= 8 && n <= 16) {
        uint64_t a, b;

        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, b;

        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n < 4) {
        if (n > 0) {
            d[0] = s[0];
            d[n / 2] = s[n / 2];
            d[n - 1] = s[n - 1];
        }
    } else {
        memcpy(d, s, n);
    }
}

#ifdef __SSE2__
#include <emmintrin.h>

/* span_alnum16 - bit i set when byte i of the 16 at p is an ASCII
 * letter or digit; the digits' bits in *digit unless it is NULL (Exim's
 * message ids, Sendmail's queue ids). A range [lo, lo + n) is one
 * subtraction and one signed compare (x - lo - 128 < n - 128: the bytes
 * below lo wrap to the top); letters are one range once 0x20 is set
 * (the bytes that turns into a-z are A-Z and a-z). Reads 16 bytes. */
static inline unsigned
span_alnum16(const char *p, unsigned *digit)
{
    const __m128i v = _mm_loadu_si128((const __m128i *) (const void *) p);
    const __m128i dlo = _mm_set1_epi8((char) ('0' + 128));
    const __m128i llo = _mm_set1_epi8((char) ('a' + 128));
    const __m128i d = _mm_cmpgt_epi8(_mm_set1_epi8((char) (10 - 128)),
                                     _mm_sub_epi8(v, dlo));
    const __m128i l = _mm_cmpgt_epi8(_mm_set1_epi8((char) (26 - 128)),
                                     _mm_sub_epi8(_mm_or_si128(v,
                                                  _mm_set1_epi8(0x20)), llo));

    if (digit != NULL)
        *digit = (unsigned) _mm_movemask_epi8(d);
    return (unsigned) _mm_movemask_epi8(_mm_or_si128(d, l));
}
#endif

#endif
