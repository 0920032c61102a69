/* util/ipaddr.h - IP address text in the canonical form reports need
 *
 * ipaddr_norm() accepts IPv4 dotted decimal, IPv6 (any RFC 4291 text
 * form, optionally with Sendmail's "IPv6:" prefix) and writes RFC 5952
 * canonical text (IPv4 as dotted decimal; IPv4-mapped IPv6 such as
 * ::ffff:192.0.2.1 becomes 192.0.2.1). Zone ids, ports and brackets are
 * refused. Thread safety: pure function.
 */
#ifndef UTIL_IPADDR_H
#define UTIL_IPADDR_H

#include <stddef.h>

#define IPADDR_MAX 45           /* INET6_ADDRSTRLEN - 1 */

/* 0 and canonical text in out[IPADDR_MAX + 1], or -1 */
int     ipaddr_norm(const char *in, size_t len, char *out);

/* 1 when the dotted-quad fast path of ipaddr_norm() and its byte loop
 * give the same answer and text for the len bytes at in (tests) */
int     ipaddr_v4_check(const char *in, size_t len);

#endif
