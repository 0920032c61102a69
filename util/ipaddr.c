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

/* ipaddr_norm - parse with inet_pton, print with inet_ntop (RFC 5952);
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
        return inet_ntop(AF_INET6, a, out, IPADDR_MAX + 1) ? 0 : -1;
    }
    return -1;
}
