/* tests/fuzz/fz_trec.c - fuzz target: the TLSRPT record parser
 *
 * The input is a set of TXT records separated by LF (each record's
 * strings already joined, as emit/resolution/dns.c hands them over). trec_parse()
 * must never crash, and what it accepts must hold only validated data:
 * status OK means one record and 1..TREC_MAX_RUA usable URIs, each
 * printable, "mailto:" + an address with a canonical domain or
 * "https://" with a canonical host (name or address) and a port; a
 * host whose last label is all digits is a canonical address.
 */
#include "../../emit/resolution/trec.h"
#include "../../util/dname.h"
#include "../../util/ipaddr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fz_printable - 1 when s is non-empty printable ASCII without space */
static int
fz_printable(const char *s)
{
    if (*s == 0)
        return 0;
    for (; *s; s++)
        if ((unsigned char) *s <= 0x20 || (unsigned char) *s >= 0x7f)
            return 0;
    return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct trec t;
    struct span txt[16];
    char    canon[IPADDR_MAX + 1];
    size_t  n = 0;
    size_t  i;
    const char *p = (const char *) data;
    const char *end = p + size;

    while (n < 16 && p <= end) {
        const char *nl = memchr(p, '\n', (size_t) (end - p));

        txt[n++] = span_make(p, nl ? (size_t) (nl - p) : (size_t) (end - p));
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    trec_parse(txt, n, &t);
    if (t.status != TREC_OK) {
        if (t.nrua != 0 || t.error[0] == 0)
            abort();            /* a refusal keeps nothing and says why */
        return 0;
    }
    if (t.nrecords != 1 || t.nrua == 0 || t.nrua > TREC_MAX_RUA
        || t.error[0] != 0)
        abort();
    for (i = 0; i < t.nrua; i++) {
        const struct trec_rua *r = &t.rua[i];

        if (!fz_printable(r->uri) || strlen(r->uri) > TREC_MAX_URI)
            abort();
        if (strrchr(r->host, '.') != NULL
            && strspn(strrchr(r->host, '.') + 1, "0123456789")
            == strlen(strrchr(r->host, '.') + 1)
            && (ipaddr_norm(r->host, strlen(r->host), canon) != 0
                || strcmp(canon, r->host) != 0))
            abort();            /* numeric last label: an address or nothing */
        if (r->scheme == TREC_MAILTO) {
            const char *at = strrchr(r->uri, '@');

            if (strncmp(r->uri, "mailto:", 7) != 0 || at == NULL
                || strcmp(at + 1, r->host) != 0 || !dname_valid(r->host)
                || strchr(r->uri, ',') || strchr(r->uri, '?'))
                abort();
        } else if (r->scheme == TREC_HTTPS) {
            if (strncmp(r->uri, "https://", 8) != 0 || r->port < 1
                || r->port > 65535)
                abort();
            if (!dname_valid(r->host)
                && (ipaddr_norm(r->host, strlen(r->host), canon) != 0
                    || strcmp(canon, r->host) != 0))
                abort();
        } else {
            abort();
        }
    }
    return 0;
}
