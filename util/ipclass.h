/* util/ipclass.h - is an address one the public Internet can reach?
 *
 * Report destinations come from DNS, which anyone can publish: a rua of
 * https://10.0.0.5/ would make us POST into our own network. Before a
 * connection is made, every address of the target is classified, and
 * anything but IPCLASS_PUBLIC is refused unless the operator allowed it.
 *
 * IPv4: 0/8, 255.255.255.255 and 240/4 reserved; 127/8 loopback;
 * 10/8, 172.16/12, 192.168/16, 100.64/10 (shared CGN space) private;
 * 169.254/16 link-local; 224/4 multicast; 192.0.0/24, 192.0.2/24,
 * 198.18/15, 198.51.100/24, 203.0.113/24 reserved (special purpose,
 * documentation, benchmarking). IPv6: :: reserved, ::1 loopback,
 * fc00::/7 private, fe80::/10 link-local, ff00::/8 multicast,
 * 2001:db8::/32, 100::/64 and Teredo 2001::/32 (a tunnel whose far end
 * is an IPv4 address we cannot check) reserved; fec0::/10 (deprecated
 * site-local) and 64:ff9b:1::/48 (local-use NAT64, RFC 8215: it maps
 * into whatever IPv4 space the local translator serves) private;
 * IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96),
 * IPv4-compatible, well-known NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
 * addresses are judged by the IPv4 address they carry, so
 * ::ffff:127.0.0.1 and 64:ff9b::7f00:1 are loopback, 64:ff9b::808:808
 * public.
 * Thread safety: pure functions.
 */
#ifndef UTIL_IPCLASS_H
#define UTIL_IPCLASS_H

enum ipclass {
    IPCLASS_PUBLIC = 0,
    IPCLASS_LOOPBACK,
    IPCLASS_PRIVATE,
    IPCLASS_LINKLOCAL,
    IPCLASS_MULTICAST,
    IPCLASS_RESERVED,
};

/* class of a binary address: family AF_INET (4 bytes) or AF_INET6 (16) */
int     ipclass_bin(int family, const unsigned char *addr);

/* class of an address in text (IPv4 or IPv6, no brackets), or -1 */
int     ipclass_text(const char *text);

/* "public", "loopback", "private", "link-local", "multicast",
 * "reserved" */
const char *ipclass_name(int cls);

#endif
