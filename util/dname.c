/* util/dname.c - domain names checked before use (see dname.h) */
#include "dname.h"

#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* dname_map - each byte as it is written in a canonical name: letters
 * in lower case, digits, '-' and '.'; 0 for a byte no name may hold */
static const unsigned char dname_map[256] = {
    ['-'] = '-', ['.'] = '.',
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
    ['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
    ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
    ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
    ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
    ['z'] = 'z',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
    ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
    ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
    ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
    ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
    ['Z'] = 'z',
};

/* dname_lower - 1 for the bytes a canonical label holds most: lower
 * case letters and digits */
static const unsigned char dname_lower[256] = {
    ['0'...'9'] = 1, ['a'...'z'] = 1,
};

#ifdef __SSE2__

/* dname_classes - a bit per byte of v (16 bytes) for each class: a
 * letter or digit, an upper case letter, a dot, a hyphen */
static inline __attribute__((always_inline)) void
dname_classes(__m128i v, unsigned m[4])
{
    /* signed compares: bytes from 0x80 are negative, in no range */
    __m128i lo = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('a' - 1)),
                               _mm_cmplt_epi8(v, _mm_set1_epi8('z' + 1)));
    __m128i dg = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                               _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    __m128i uc = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                               _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));

    m[0] = (unsigned) _mm_movemask_epi8(_mm_or_si128(lo, dg));
    m[1] = (unsigned) _mm_movemask_epi8(uc);
    m[2] = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(v,
                                                       _mm_set1_epi8('.')));
    m[3] = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(v,
                                                       _mm_set1_epi8('-')));
}

/* dname_check_short - dname_check of a name of 1 to 64 bytes (the
 * final dot off), 16 bytes at a time: a bit per byte for each class
 * (letter or digit, upper case, dot, hyphen), and the rules as bit
 * tests: every byte in a class; no dot where a label starts or ends
 * (an empty label); no hyphen there; a 64-byte name has a dot (a label
 * is at most 63 bytes). The bytes are read where they are, never past
 * the name: whole blocks, then a last block that ends with the name
 * (its bits shifted into place: a byte read twice is in the same class
 * twice); a name under 16 bytes as two overlapping words. On the
 * replayed Postfix corpus a check went from 164 instructions to 114
 * with a copy into a zeroed block, and that copy (two calls) was most
 * of it. t_util compares the two on generated names. */
static int
dname_check_short(const char *in, size_t len)
{
    uint64_t ok = 0, up = 0, dot = 0, dash = 0;
    uint64_t all = len == 64 ? ~(uint64_t) 0 : ((uint64_t) 1 << len) - 1;
    uint64_t start, end;
    unsigned m[4];
    size_t  k;

    if (len >= 16) {
        for (k = 0; k + 16 <= len; k += 16) {
            dname_classes(_mm_loadu_si128((const __m128i *) (in + k)), m);
            ok |= (uint64_t) m[0] << k;
            up |= (uint64_t) m[1] << k;
            dot |= (uint64_t) m[2] << k;
            dash |= (uint64_t) m[3] << k;
        }
        if (k < len) {
            k = len - 16;
            dname_classes(_mm_loadu_si128((const __m128i *) (in + k)), m);
            ok |= (uint64_t) m[0] << k;
            up |= (uint64_t) m[1] << k;
            dot |= (uint64_t) m[2] << k;
            dash |= (uint64_t) m[3] << k;
        }
    } else {
        __m128i v;
        unsigned sh, lo, i;

        if (len >= 8) {
            uint64_t a, b;

            memcpy(&a, in, 8);
            memcpy(&b, in + len - 8, 8);
            v = _mm_set_epi64x((long long) b, (long long) a);
            sh = 8;
        } else if (len >= 4) {
            uint32_t a, b;

            memcpy(&a, in, 4);
            memcpy(&b, in + len - 4, 4);
            v = _mm_set_epi32(0, 0, (int) b, (int) a);
            sh = 4;
        } else {
            uint32_t a = 0;

            for (i = 0; i < len; i++)
                a |= (uint32_t) (unsigned char) in[i] << (8 * i);
            v = _mm_cvtsi32_si128((int) a);
            sh = 0;
        }
        dname_classes(v, m);
        /* lanes 0 .. sh - 1: bytes 0 ..; lanes sh .. 2 sh - 1: the last
         * sh bytes (sh 0: lanes 0 .. 3 are bytes 0 .. 3) */
        for (i = 0; i < 4; i++) {
            lo = sh ? m[i] & ((1u << sh) - 1) : m[i] & 0xf;
            m[i] = sh ? lo | ((m[i] >> sh) & ((1u << sh) - 1))
                << (len - sh) : lo;
        }
        ok = m[0];
        up = m[1];
        dot = m[2];
        dash = m[3];
    }
    ok &= all;
    up &= all;
    dot &= all;
    dash &= all;
    if ((ok | up | dot | dash) != all)
        return -1;
    start = (1 | dot << 1) & all;
    end = (dot >> 1 | (uint64_t) 1 << (len - 1)) & all;
    if (((start | end) & (dot | dash)) != 0 || (len == 64 && dot == 0))
        return -1;
    return up != 0;
}
#endif

/* dname_check - validate; the canonical length into *clen. Returns -1
 * (invalid), 0 (canonical as written: the first *clen bytes of in) or 1
 * (upper case letters to map). The bytes of a canonical name are scanned
 * with one look-up each */
int
dname_check(const char *in, size_t len, size_t *clen)
{
    const unsigned char *p = (const unsigned char *) in;
    size_t  i = 0;
    size_t  start = 0;          /* first byte of the label */
    int     upper = 0;

    if (len > 0 && in[len - 1] == '.')
        len--;
    if (len == 0 || len > DNAME_MAX)
        return -1;
#ifdef __SSE2__
    if (len <= 64) {
        int     rc = dname_check_short(in, len);

        if (rc >= 0)
            *clen = len;
        return rc;
    }
#endif
    for (;;) {
        while (i < len && dname_lower[p[i]])
            i++;
        if (i < len && p[i] != '.') {
            if (p[i] == '-') {
                if (i == start)
                    return -1;          /* a label starts with '-' */
            } else if (dname_map[p[i]] == 0) {
                return -1;
            } else {
                upper = 1;
            }
            i++;
            continue;
        }
        /* the label ends at i, at a dot or the end of the name */
        if (i == start || i - start > 63 || p[i - 1] == '-')
            return -1;
        if (i == len)
            break;
        start = ++i;
    }
    *clen = len;
    return upper;
}

/* dname_norm_len - validate and canonicalise; the length, or -1; cost
 * O(len): a canonical name is copied at once, only a name with upper
 * case letters is mapped byte by byte */
long
dname_norm_len(const char *in, size_t len, char *out)
{
    const unsigned char *p = (const unsigned char *) in;
    size_t  i;
    int     rc = dname_check(in, len, &len);

    if (rc < 0)
        return -1;
    if (rc > 0) {
        for (i = 0; i < len; i++)
            out[i] = (char) dname_map[p[i]];
    } else {
        memcpy(out, in, len);
    }
    out[len] = 0;
    return (long) len;
}

/* dname_norm - validate and canonicalise */
int
dname_norm(const char *in, size_t len, char *out)
{
    return dname_norm_len(in, len, out) < 0 ? -1 : 0;
}

/* dname_valid - 1 when in is a canonical name */
int
dname_valid(const char *in)
{
    char    buf[DNAME_MAX + 1];
    size_t  len = strnlen(in, DNAME_MAX + 2);

    if (len == 0 || len > DNAME_MAX || in[len - 1] == '.')
        return 0;
    return dname_norm(in, len, buf) == 0 && strcmp(buf, in) == 0;
}

/* dname_is_numeric - all labels digits: an IPv4 literal, not a name */
int
dname_is_numeric(const char *name)
{
    const char *p;

    for (p = name; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return 0;
    return 1;
}
