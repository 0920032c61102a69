/* util/ipaddr.c - canonical IP address text (see ipaddr.h) */
#include "ipaddr.h"

#include <arpa/inet.h>
#include <string.h>

/* ipaddr_v4 - dotted-quad fast path: the canonical form is the input
 * itself when every octet is 0..255 without leading zeros (inet_pton's
 * own rule); 1 and copied, 0 when not that shape (try the full path) */
static int
ipaddr_v4(const char *in, size_t len, char *out)
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
