/* util/ipaddr.c - canonical IP address text (see ipaddr.h) */
#include "ipaddr.h"

#include <arpa/inet.h>
#include <string.h>

/* ipaddr_norm - parse with inet_pton, print with inet_ntop (RFC 5952) */
int
ipaddr_norm(const char *in, size_t len, char *out)
{
    char    buf[IPADDR_MAX + 1];
    unsigned char a[16];

    if (len >= 5 && strncasecmp(in, "IPv6:", 5) == 0) {
        in += 5;
        len -= 5;
    }
    if (len == 0 || len > IPADDR_MAX || memchr(in, 0, len) != NULL)
        return -1;
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
