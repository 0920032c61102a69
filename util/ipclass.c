/* util/ipclass.c - public, private, loopback... (see ipclass.h) */
#include "ipclass.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

/* ipclass_v4 - class of a 32-bit address in host order */
static int
ipclass_v4(unsigned long a)
{
    unsigned b0 = (unsigned) (a >> 24) & 0xff;
    unsigned b1 = (unsigned) (a >> 16) & 0xff;
    unsigned b2 = (unsigned) (a >> 8) & 0xff;

    if (b0 == 127)
        return IPCLASS_LOOPBACK;
    if (b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16)
        || (b0 == 192 && b1 == 168) || (b0 == 100 && (b1 & 0xc0) == 64))
        return IPCLASS_PRIVATE;
    if (b0 == 169 && b1 == 254)
        return IPCLASS_LINKLOCAL;
    if ((b0 & 0xf0) == 224)
        return IPCLASS_MULTICAST;
    if (b0 == 0 || (b0 & 0xf0) == 240
        || (b0 == 192 && b1 == 0 && (b2 == 0 || b2 == 2))
        || (b0 == 198 && (b1 & 0xfe) == 18)
        || (b0 == 198 && b1 == 51 && b2 == 100)
        || (b0 == 203 && b1 == 0 && b2 == 113))
        return IPCLASS_RESERVED;
    return IPCLASS_PUBLIC;
}

/* ipclass_get32 - big-endian 32 bits at p */
static unsigned long
ipclass_get32(const unsigned char *p)
{
    return ((unsigned long) p[0] << 24) | ((unsigned long) p[1] << 16)
        | ((unsigned long) p[2] << 8) | (unsigned long) p[3];
}

/* ipclass_v6 - class of a 16-byte address */
static int
ipclass_v6(const unsigned char *a)
{
    static const unsigned char zero[16];
    static const unsigned char mapped[12] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
    };
    static const unsigned char nat64[12] = {
        0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0,
    };
    static const unsigned char translated[12] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0,
    };
    static const unsigned char nat64_local[6] = {
        0, 0x64, 0xff, 0x9b, 0, 0x01,
    };

    if (memcmp(a, zero, 15) == 0)
        return a[15] == 1 ? IPCLASS_LOOPBACK : IPCLASS_RESERVED;
    if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0
        || memcmp(a, translated, 12) == 0
        || memcmp(a, zero, 12) == 0)    /* deprecated IPv4-compatible */
        return ipclass_v4(ipclass_get32(a + 12));
    if (a[0] == 0x20 && a[1] == 0x02)   /* 6to4 */
        return ipclass_v4(ipclass_get32(a + 2));
    if ((a[0] & 0xfe) == 0xfc || memcmp(a, nat64_local, 6) == 0
        || (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0))
        return IPCLASS_PRIVATE;
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0)
        return IPCLASS_RESERVED;        /* Teredo */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return IPCLASS_LINKLOCAL;
    if (a[0] == 0xff)
        return IPCLASS_MULTICAST;
    if ((a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
        || (a[0] == 0x01 && a[1] == 0 && memcmp(a + 2, zero, 6) == 0))
        return IPCLASS_RESERVED;
    return IPCLASS_PUBLIC;
}

/* ipclass_bin - class of a binary address */
int
ipclass_bin(int family, const unsigned char *addr)
{
    if (family == AF_INET)
        return ipclass_v4(ipclass_get32(addr));
    if (family == AF_INET6)
        return ipclass_v6(addr);
    return IPCLASS_RESERVED;
}

/* ipclass_text - class of a textual address, or -1 */
int
ipclass_text(const char *text)
{
    unsigned char buf[16];

    if (text == NULL)
        return -1;
    if (inet_pton(AF_INET, text, buf) == 1)
        return ipclass_bin(AF_INET, buf);
    if (inet_pton(AF_INET6, text, buf) == 1)
        return ipclass_bin(AF_INET6, buf);
    return -1;
}

/* ipclass_name - text of a class */
const char *
ipclass_name(int cls)
{
    static const char *const names[] = {
        "public", "loopback", "private", "link-local", "multicast",
        "reserved",
    };

    if (cls < 0 || cls > IPCLASS_RESERVED)
        return "invalid";
    return names[cls];
}
