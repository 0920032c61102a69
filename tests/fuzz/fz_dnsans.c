/* tests/fuzz/fz_dnsans.c - fuzz target: DNS answers (emit/resolution/dns.c)
 *
 * The first byte picks the type asked for (A, AAAA, MX, TXT, TLSA), the
 * rest is the resolver's reply in wire form to a question for
 * example.org; dns_answer_wire() judges it as dns_query() judges what
 * the resolver sent. It must never crash, and what it keeps must be
 * bounded and of the promised form: DNS_OK with 1..DNS_MAX_RR records,
 * anything else with none; each record NUL-terminated at its length;
 * A/AAAA canonical addresses (A never IPv6; an AAAA of ::ffff:a.b.c.d
 * is a.b.c.d, util/ipaddr.h); MX "" or a
 * canonical host name; TXT at most DNS_MAX_TXT + 1 bytes; TLSA
 * "U S M HEX" with upper-case hex of at most DNS_MAX_TLSA bytes.
 */
#include "../../emit/resolution/dns.h"
#include "../../util/dname.h"
#include "../../util/ipaddr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fz_tlsa_ok - 1 when s is "U S M HEX" (U, S, M 0..255) */
static int
fz_tlsa_ok(const char *s, size_t len)
{
    unsigned u, sel, m;
    int     off = 0;
    size_t  i, hex;

    if (sscanf(s, "%u %u %u %n", &u, &sel, &m, &off) != 3 || off <= 0
        || u > 255 || sel > 255 || m > 255)
        return 0;
    hex = len - (size_t) off;
    if (hex == 0 || hex % 2 != 0 || hex > 2 * DNS_MAX_TLSA)
        return 0;
    for (i = (size_t) off; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F')))
            return 0;
    return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int types[5] = {
        DNS_T_A, DNS_T_AAAA, DNS_T_MX, DNS_T_TXT, DNS_T_TLSA,
    };
    static struct dns_ans a;
    char    canon[IPADDR_MAX + 1];
    size_t  i;
    int     type, rc;

    if (size < 1)
        return 0;
    type = types[data[0] % 5];
    rc = dns_answer_wire(data + 1, size - 1, "example.org", type, &a);
    if (rc != a.rc || (rc == DNS_OK) != (a.n > 0) || a.n > DNS_MAX_RR
        || strlen(a.why) >= DNS_MSG)
        abort();
    for (i = 0; i < a.n; i++) {
        const struct dns_rr *r = &a.rr[i];

        if (r->data == NULL || r->data[r->len] != 0)
            abort();
        switch (type) {
        case DNS_T_A:
        case DNS_T_AAAA:
            if (strlen(r->data) != r->len
                || ipaddr_norm(r->data, r->len, canon) != 0
                || strcmp(canon, r->data) != 0
                || (type == DNS_T_A && strchr(r->data, ':') != NULL))
                abort();
            break;
        case DNS_T_MX:
            if (strlen(r->data) != r->len || r->pref > 65535
                || (r->len > 0 && !dname_valid(r->data)))
                abort();
            break;
        case DNS_T_TXT:
            if (r->len > DNS_MAX_TXT + 1)
                abort();
            break;
        default:
            if (strlen(r->data) != r->len || !fz_tlsa_ok(r->data, r->len))
                abort();
            break;
        }
    }
    dns_ans_free(&a);
    return 0;
}
