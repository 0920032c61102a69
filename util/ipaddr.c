/* util/ipaddr.c - canonical IP address text (see ipaddr.h) */
#include "ipaddr.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ipaddr_v4_plain - dotted-quad fast path: the canonical form is the
 * input itself when every octet is 0..255 without leading zeros
 * (inet_pton's own rule); 1 and copied, 0 when not that shape (try the
 * full path) */
static int
ipaddr_v4_plain(const char *in, size_t len, char *out)
{
    const unsigned char *p = (const unsigned char *) in;
    const unsigned char *end = p + len;
    unsigned d0, d1, d2;
    int     dots;

    if (len < 7 || len > 15)
        return 0;
    /* four octets of one to three digits, three dots between: each
     * digit is looked at once (an unsigned c - '0' > 9 is no digit) */
    for (dots = 0;; dots++) {
        if ((d0 = (unsigned) *p - '0') > 9)
            return 0;
        if (++p < end && (d1 = (unsigned) *p - '0') <= 9) {
            if (d0 == 0)
                return 0;       /* leading zero */
            if (++p < end && (d2 = (unsigned) *p - '0') <= 9) {
                if (d0 * 100 + d1 * 10 + d2 > 255)
                    return 0;
                p++;
            }
        }
        if (dots == 3)
            break;
        if (p + 1 >= end || *p != '.')
            return 0;
        p++;
    }
    if (p != end)
        return 0;
    memcpy(out, in, len);
    out[len] = 0;
    return 1;
}

#if defined(__SSE2__) && defined(__BYTE_ORDER__) \
    && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* ipaddr_v4 - ipaddr_v4_plain() with the address's 7 to 15 bytes in
 * one register: its digits, dots and zeros as bit masks, whose shifts
 * tell the shape (three dots apart, octets of one to three digits, no
 * leading zero), the octets of three digits compared with "255", the
 * text and its NUL stored as one block (out has
 * IPADDR_MAX + 1 >= 16 bytes). A peer's address in a log of many
 * peers was some 125 instructions a byte at a time with a memcpy()
 * call (ipaddr_norm() 11.7 k times on the generated 20 MB slice);
 * tests/t_pfmemo.c compares the two on hostile texts */
static int
ipaddr_v4(const char *in, size_t len, char *out)
{
    uint64_t lo, hi = 0, w;
    uint32_t a, b;
    unsigned dm, gm, zm, st, t;
    __m128i v;

    if (len < 7 || len > 15)
        return 0;
    /* bytes 0 to len - 1, zeros after them: read from within the text */
    if (len >= 8) {
        memcpy(&lo, in, 8);
        if (len > 8) {
            memcpy(&w, in + len - 8, 8);
            hi = w >> (8 * (16 - len));
        }
    } else {
        memcpy(&a, in, 4);
        memcpy(&b, in + 3, 4);
        lo = a | (uint64_t) (b >> 8) << 32;
    }
    v = _mm_set_epi64x((long long) hi, (long long) lo);
    dm = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
    zm = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('0')));
    gm = (unsigned) _mm_movemask_epi8(_mm_and_si128(
        _mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
        _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1))));
    /* the octets' first digits (a digit at 0 or after a dot) */
    st = gm & ~(gm << 1);
    t = dm & (dm - 1);
    /* every byte a digit or a dot; three dots (two cleared leave one,
     * three none), none first or last, no two together; no four digits
     * together; no octet of a '0' and more digits (a leading zero) */
    if ((dm | gm) != (1U << len) - 1 || (t &= t - 1) == 0
        || (t & (t - 1)) != 0 || (dm & 1) != 0 || dm >> (len - 1) != 0
        || (dm & dm >> 1) != 0 || (gm & gm >> 1 & gm >> 2 & gm >> 3) != 0
        || (st & zm & gm >> 1) != 0)
        return 0;
    /* no octet of three digits above "255": its first digit above
     * '2', or '2' and the next above '5', or "25" and the last above
     * '5' */
    {
        unsigned g2 = (unsigned) _mm_movemask_epi8(_mm_cmpgt_epi8(v,
                                                     _mm_set1_epi8('2')));
        unsigned e2 = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(v,
                                                     _mm_set1_epi8('2')));
        unsigned g5 = (unsigned) _mm_movemask_epi8(_mm_cmpgt_epi8(v,
                                                     _mm_set1_epi8('5')));
        unsigned e5 = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(v,
                                                     _mm_set1_epi8('5')));

        if ((st & gm >> 1 & gm >> 2 & (g2 | (e2 & g5 >> 1)
                                       | (e2 & e5 >> 1 & g5 >> 2))) != 0)
            return 0;
    }
    _mm_storeu_si128((__m128i *) (void *) out, v);
    return 1;
}
#else
#define ipaddr_v4 ipaddr_v4_plain
#endif

/* ipaddr_v4_check - see ipaddr.h */
int
ipaddr_v4_check(const char *in, size_t len)
{
    char    o1[IPADDR_MAX + 1], o2[IPADDR_MAX + 1];
    int     r1, r2;

    memset(o1, 1, sizeof(o1));
    memset(o2, 1, sizeof(o2));
    r1 = ipaddr_v4(in, len, o1);
    r2 = ipaddr_v4_plain(in, len, o2);
    return r1 == r2 && (r1 == 0 || strcmp(o1, o2) == 0);
}

/* ipaddr_v6_text - a[16] as inet_ntop(AF_INET6) prints it (RFC 5952:
 * lower-case hex without leading zeros, the first longest run of two or
 * more zero groups as "::", an IPv4-compatible address as ::a.b.c.d),
 * into out (IPADDR_MAX + 1 bytes). glibc prints each group with
 * sprintf(): 3,600 instructions an address, a fifth of all the
 * canonical-name work on the replayed Postfix corpus, where most peers
 * have IPv6 addresses; this takes about 200. t_util compares the two
 * on a million addresses. */
static void
ipaddr_v6_text(const unsigned char *a, char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned w[8];
    int     best = -1, blen = 0, cur = -1, clen = 0;
    int     i;
    char   *o = out;

    for (i = 0; i < 8; i++) {
        w[i] = (unsigned) a[2 * i] << 8 | a[2 * i + 1];
        if (w[i] == 0) {
            if (cur < 0)
                cur = i, clen = 0;
            if (++clen > blen)
                best = cur, blen = clen;
        } else {
            cur = -1;
        }
    }
    if (blen < 2)
        best = -1;
    for (i = 0; i < 8; i++) {
        unsigned v = w[i];

        if (best >= 0 && i >= best && i < best + blen) {
            if (i == best)
                *o++ = ':';
            continue;
        }
        if (i != 0)
            *o++ = ':';
        if (i == 6 && best == 0
            && (blen == 6 || (blen == 5 && w[5] == 0xffff))) {
            o += strlen(inet_ntop(AF_INET, a + 12, o, 16));
            break;
        }
        if (v >= 0x1000)
            *o++ = hex[v >> 12];
        if (v >= 0x100)
            *o++ = hex[v >> 8 & 15];
        if (v >= 0x10)
            *o++ = hex[v >> 4 & 15];
        *o++ = hex[v & 15];
    }
    if (best >= 0 && best + blen == 8)
        *o++ = ':';
    *o = 0;
}

/* ipaddr_norm - parse with inet_pton, print as inet_ntop (RFC 5952);
 * plain IPv4, the common case in logs, takes a path without either */
int
ipaddr_norm(const char *in, size_t len, char *out)
{
    char    buf[IPADDR_MAX + 1];
    unsigned char a[16];

    /* a dotted quad first: it holds no NUL and no "IPv6:" */
    if (len > 0 && in[0] >= '0' && in[0] <= '9' && ipaddr_v4(in, len, out))
        return 0;
    if (len >= 5 && strncasecmp(in, "IPv6:", 5) == 0) {
        in += 5;
        len -= 5;
    }
    if (len == 0 || len > IPADDR_MAX || memchr(in, 0, len) != NULL)
        return -1;
    if (ipaddr_v4(in, len, out))
        return 0;
    memcpy(buf, in, len);
    buf[len] = 0;
    if (inet_pton(AF_INET, buf, a) == 1)
        return inet_ntop(AF_INET, a, out, IPADDR_MAX + 1) ? 0 : -1;
    if (inet_pton(AF_INET6, buf, a) == 1) {
        static const unsigned char mapped[12] =
            {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

        if (memcmp(a, mapped, 12) == 0)
            return inet_ntop(AF_INET, a + 12, out, IPADDR_MAX + 1) ? 0 : -1;
        ipaddr_v6_text(a, out);
        return 0;
    }
    return -1;
}
