/* tests/t_ipclass.c - unit tests for util/ipclass: which addresses a rua
 * from DNS may reach
 *
 * Each row is an address and the class util/ipclass.h promises for it;
 * the disguises of loopback and private space (IPv4-mapped, -translated
 * and -compatible IPv6, NAT64, 6to4, Teredo) are the point.
 */
#include "../util/ipclass.h"
#include "testlib.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

int
main(void)
{
    static const struct {
        const char *addr;
        int     cls;
    } rows[] = {
        /* IPv4 */
        {"8.8.8.8", IPCLASS_PUBLIC},
        {"1.1.1.1", IPCLASS_PUBLIC},
        {"127.0.0.1", IPCLASS_LOOPBACK},
        {"127.255.255.254", IPCLASS_LOOPBACK},
        {"0.0.0.0", IPCLASS_RESERVED},
        {"0.1.2.3", IPCLASS_RESERVED},
        {"10.0.0.5", IPCLASS_PRIVATE},
        {"172.16.0.1", IPCLASS_PRIVATE},
        {"172.31.255.255", IPCLASS_PRIVATE},
        {"172.32.0.1", IPCLASS_PUBLIC},
        {"192.168.1.1", IPCLASS_PRIVATE},
        {"100.64.0.1", IPCLASS_PRIVATE},
        {"100.127.255.255", IPCLASS_PRIVATE},
        {"100.128.0.1", IPCLASS_PUBLIC},
        {"169.254.169.254", IPCLASS_LINKLOCAL},
        {"224.0.0.1", IPCLASS_MULTICAST},
        {"239.255.255.255", IPCLASS_MULTICAST},
        {"240.0.0.1", IPCLASS_RESERVED},
        {"255.255.255.255", IPCLASS_RESERVED},
        {"192.0.2.7", IPCLASS_RESERVED},
        {"198.18.0.1", IPCLASS_RESERVED},
        /* IPv6 */
        {"2a00:1450::1", IPCLASS_PUBLIC},
        {"::", IPCLASS_RESERVED},
        {"::1", IPCLASS_LOOPBACK},
        {"fc00::1", IPCLASS_PRIVATE},
        {"fd12:3456::1", IPCLASS_PRIVATE},
        {"fe80::1", IPCLASS_LINKLOCAL},
        {"febf::1", IPCLASS_LINKLOCAL},
        {"fec0::1", IPCLASS_PRIVATE},
        {"ff02::1", IPCLASS_MULTICAST},
        {"2001:db8::1", IPCLASS_RESERVED},
        {"100::1", IPCLASS_RESERVED},
        /* IPv4 inside IPv6 */
        {"::ffff:127.0.0.1", IPCLASS_LOOPBACK},
        {"::ffff:10.1.2.3", IPCLASS_PRIVATE},
        {"::ffff:8.8.8.8", IPCLASS_PUBLIC},
        {"::ffff:0:127.0.0.1", IPCLASS_LOOPBACK},
        {"::ffff:0:8.8.8.8", IPCLASS_PUBLIC},
        {"::127.0.0.1", IPCLASS_LOOPBACK},
        {"::169.254.169.254", IPCLASS_LINKLOCAL},
        {"64:ff9b::7f00:1", IPCLASS_LOOPBACK},
        {"64:ff9b::10.0.0.1", IPCLASS_PRIVATE},
        {"64:ff9b::808:808", IPCLASS_PUBLIC},
        {"64:ff9b:1::808:808", IPCLASS_PRIVATE},
        {"64:ff9b:1:2::a00:1", IPCLASS_PRIVATE},
        {"2002:7f00:1::", IPCLASS_LOOPBACK},
        {"2002:c0a8:101::1", IPCLASS_PRIVATE},
        {"2002:808:808::1", IPCLASS_PUBLIC},
        {"2001::1", IPCLASS_RESERVED},
        {"2001:0:4136:e378:8000:63bf:3fff:fdd2", IPCLASS_RESERVED},
    };
    unsigned char bin[16];
    size_t  i;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int     got = ipclass_text(rows[i].addr);

        T_CHECK(got == rows[i].cls, "%s: %s, not %s", rows[i].addr,
                ipclass_name(got), ipclass_name(rows[i].cls));
    }
    T_CHECK(ipclass_text("[::1]") == -1, "brackets are not an address");
    T_CHECK(ipclass_text("127.1") == -1, "short IPv4 form is not parsed");
    T_CHECK(ipclass_text("fe80::1%eth0") == -1, "zone id is not parsed");
    T_CHECK(ipclass_text(NULL) == -1, "NULL");
    memset(bin, 0, sizeof(bin));
    T_CHECK(ipclass_bin(AF_UNIX, bin) == IPCLASS_RESERVED,
            "unknown family is never public");
    T_CHECK(strcmp(ipclass_name(99), "invalid") == 0, "name of a bad class");
    return T_DONE();
}
