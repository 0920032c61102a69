/* emit/delivery/dlv.c - deliver one report: destinations, addresses, dispatch
 *
 * NAME
 *      dlv - check a rua URI, resolve and vet its host, hand over to
 *      dlv_https.c or dlv_mail.c
 * SYNOPSIS
 *      #include "emit/delivery/dlv.h"
 * DESCRIPTION
 *      dlv_parse() is strict: the URI came from a DNS TXT record. For
 *      https it uses libcurl's URL parser (the one that will make the
 *      request), then checks the host itself: an address literal, or a
 *      name that passes dname_norm(). For mailto it decodes percent
 *      escapes and checks every address with mail_addr_norm().
 *
 *      dlv_pin() resolves an https host with the configured resolver
 *      (emit/resolution/dns.h, A and AAAA) or, when none is configured, with
 *      getaddrinfo(3); every address must be public (util/ipclass.h)
 *      unless allow_private. The result is a CURLOPT_RESOLVE entry, so
 *      curl connects to the addresses that were checked and to no other
 *      (no second lookup that could answer differently).
 * DIAGNOSTICS
 *      The reason goes into the caller's buffer; nothing is printed.
 */
#include "dlv.h"
#include "../resolution/dns.h"
#include "mail.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "../../util/ipaddr.h"
#include "../../util/ipclass.h"

#define DLV_MAX_DEST 512
#define DLV_MAX_PIN 8           /* addresses passed to curl */

#ifndef MTR_VERSION
#define MTR_VERSION "0"
#endif

/* dlv_init - libcurl's global state; SIGPIPE ignored (sockets, pipes) */
int
dlv_init(void)
{
    signal(SIGPIPE, SIG_IGN);
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

/* dlv_end - release libcurl's global state */
void
dlv_end(void)
{
    curl_global_cleanup();
}

/* dlv_sslctx - add the configured CA file to the default trust store */
static CURLcode
dlv_sslctx(CURL *h, void *sslctx, void *arg)
{
    X509_STORE *st = SSL_CTX_get_cert_store((SSL_CTX *) sslctx);

    (void) h;
    if (st == NULL || X509_STORE_load_file(st, (const char *) arg) != 1)
        return CURLE_SSL_CACERT_BADFILE;
    return CURLE_OK;
}

/* dlv_curl_common - options every transfer gets: verification on, no
 * proxy, no signals, timeouts, extra trust; 0 or -1 */
int
dlv_curl_common(CURL *h, const struct dlv_conf *c, char *errbuf)
{
    long    t = c->timeout > 0 ? c->timeout : DLV_TIMEOUT_DEFAULT;

    errbuf[0] = 0;
    if (curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_NOPROXY, "*") != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, t < 30 ? t : 30L)
        != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_TIMEOUT, t) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_USERAGENT, "mailtlsrpt/" MTR_VERSION)
        != CURLE_OK)
        return -1;
    if (c->ca_file == NULL)
        return 0;
    /* extra trust, not instead of the system's: OpenSSL store callback;
     * other TLS back ends only take a replacement bundle */
    if (curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, dlv_sslctx)
        == CURLE_OK)
        return curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, c->ca_file)
            == CURLE_OK ? 0 : -1;
    return curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file) == CURLE_OK
        ? 0 : -1;
}

/* dlv_printable - copy, control and non-ASCII bytes as '?', bounded */
void
dlv_printable(const char *in, size_t len, char *out, size_t cap)
{
    size_t  i, o = 0;

    if (cap == 0)
        return;
    for (i = 0; i < len && in[i] && o + 1 < cap; i++) {
        unsigned char c = (unsigned char) in[i];

        if (c == '\r' || c == '\n' || c == '\t')
            c = ' ';
        if (c == ' ' && (o == 0 || out[o - 1] == ' '))
            continue;                   /* runs of space as one */
        out[o++] = c >= 0x20 && c < 0x7f ? (char) c : '?';
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = 0;
}

/* dlv_redact - URL without user information */
void
dlv_redact(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url, "://");
    const char *at, *slash;

    if (p == NULL || (at = strchr(p + 3, '@')) == NULL
        || ((slash = strchr(p + 3, '/')) != NULL && slash < at)) {
        dlv_printable(url, strlen(url), out, cap);
        return;
    }
    snprintf(out, cap, "%.*s%s", (int) (p + 3 - url), url, at + 1);
}

/* dlv_text_ok - printable ASCII without space, bounded */
static int
dlv_text_ok(const char *s)
{
    size_t  i;

    for (i = 0; s[i]; i++)
        if (i >= DLV_MAX_DEST || (unsigned char) s[i] <= 0x20
            || (unsigned char) s[i] >= 0x7f)
            return 0;
    return i > 0;
}

/* dlv_parse_https - scheme, no user, host and port */
static int
dlv_parse_https(const char *dest, struct dlv_target *t, char *why,
                size_t cap)
{
    CURLU  *u = curl_url();
    char   *host = NULL, *port = NULL, *user = NULL;
    unsigned char bin[16];
    size_t  n;
    int     rc = -1;

    if (u == NULL || curl_url_set(u, CURLUPART_URL, dest, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(why, cap, "not a valid https URL");
        goto end;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
        snprintf(why, cap, "user information in an https destination");
        goto end;
    }
    if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK) {
        char   *end;
        long    p = strtol(port, &end, 10);

        if (*end || p < 1 || p > 65535) {
            snprintf(why, cap, "bad port");
            goto end;
        }
        t->port = (unsigned) p;
    } else {
        t->port = 443;
    }
    n = strlen(host);
    if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
        if (n - 2 > IPADDR_MAX) {
            snprintf(why, cap, "bad IPv6 literal");
            goto end;
        }
        memcpy(t->host, host + 1, n - 2);
        t->host[n - 2] = 0;
        if (inet_pton(AF_INET6, t->host, bin) != 1) {
            snprintf(why, cap, "bad IPv6 literal (zone ids refused)");
            goto end;
        }
        t->literal = 1;
    } else if (n <= IPADDR_MAX && inet_pton(AF_INET, host, bin) == 1) {
        memcpy(t->host, host, n + 1);
        t->literal = 1;
    } else if (dname_norm(host, n, t->host) != 0
               || dname_is_numeric(t->host)) {
        snprintf(why, cap, "host is not a valid DNS name");
        goto end;
    }
    rc = 0;
end:
    curl_free(host);
    curl_free(port);
    curl_free(user);
    curl_url_cleanup(u);
    return rc;
}

/* dlv_unhex - value of a hex digit or -1 */
static int
dlv_unhex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* dlv_parse_mailto - RFC 6068 "to" part; hfields ignored */
static int
dlv_parse_mailto(const char *dest, struct dlv_target *t, char *why,
                 size_t cap)
{
    const char *p = dest + 7;
    char    addr[DLV_MAX_ADDR + 1];

    while (*p && *p != '?') {
        size_t  o = 0;

        for (; *p && *p != '?' && *p != ','; p++) {
            int     c = (unsigned char) *p;

            if (c == '%') {
                int     hi = dlv_unhex(p[1]);
                int     lo = hi < 0 ? -1 : dlv_unhex(p[2]);

                if (lo < 0) {
                    snprintf(why, cap, "bad percent escape in mailto");
                    return -1;
                }
                c = hi * 16 + lo;
                p += 2;
            }
            if (o >= DLV_MAX_ADDR || c <= 0x20 || c >= 0x7f) {
                snprintf(why, cap, "mailto address too long or with "
                         "control characters");
                return -1;
            }
            addr[o++] = (char) c;
        }
        addr[o] = 0;
        if (t->nrcpt >= DLV_MAX_RCPT) {
            snprintf(why, cap, "more than %d addresses in one mailto",
                     DLV_MAX_RCPT);
            return -1;
        }
        if (mail_addr_norm(addr, t->rcpt[t->nrcpt]) != 0) {
            snprintf(why, cap, "mailto address is not a plain "
                     "local@domain");
            return -1;
        }
        t->nrcpt++;
        if (*p == ',')
            p++;
    }
    if (t->nrcpt == 0) {
        snprintf(why, cap, "mailto without an address");
        return -1;
    }
    return 0;
}

/* dlv_parse - check a destination */
int
dlv_parse(const char *dest, struct dlv_target *t, char *why, size_t cap)
{
    memset(t, 0, sizeof(*t));
    if (dest == NULL || !dlv_text_ok(dest)) {
        snprintf(why, cap, "empty, longer than %d bytes, or with spaces "
                 "or control characters", DLV_MAX_DEST);
        return -1;
    }
    if (strncasecmp(dest, "https://", 8) == 0) {
        t->kind = DLV_HTTPS;
        return dlv_parse_https(dest, t, why, cap);
    }
    if (strncasecmp(dest, "mailto:", 7) == 0) {
        t->kind = DLV_MAILTO;
        return dlv_parse_mailto(dest, t, why, cap);
    }
    snprintf(why, cap, "only https: and mailto: destinations exist "
             "(RFC 8460 section 3)");
    return -1;
}

struct dlv_addrs {
    char    a[DLV_MAX_PIN][IPADDR_MAX + 1];
    size_t  n;
};

/* dlv_add - add a canonical address once */
static void
dlv_add(struct dlv_addrs *v, const char *addr)
{
    char    canon[IPADDR_MAX + 1];
    size_t  i;

    if (ipaddr_norm(addr, strlen(addr), canon) != 0)
        return;
    for (i = 0; i < v->n; i++)
        if (strcmp(v->a[i], canon) == 0)
            return;
    if (v->n < DLV_MAX_PIN)
        memcpy(v->a[v->n++], canon, sizeof(canon));
}

/* dlv_lookup_dns - A and AAAA through the configured resolver */
static int
dlv_lookup_dns(const char *server, const char *host, struct dlv_addrs *v,
               char *why, size_t cap)
{
    static const int types[2] = {DNS_T_A, DNS_T_AAAA};
    struct dns_conf dc;
    struct dns_ans a;
    struct dns *d;
    char    derr[DNS_MSG];
    int     rc[2];
    size_t  i, k;

    memset(&dc, 0, sizeof(dc));
    dc.server = server;
    if ((d = dns_create(&dc, derr)) == NULL) {
        snprintf(why, cap, "resolver %s: %s", server, derr);
        return -1;
    }
    for (k = 0; k < 2; k++) {
        rc[k] = dns_query(d, host, types[k], &a);
        if (rc[k] == DNS_OK)
            for (i = 0; i < a.n; i++)
                dlv_add(v, a.rr[i].data);
        dns_ans_free(&a);
    }
    dns_free(d);
    if (v->n == 0) {
        snprintf(why, cap, "%s: no address (A %s, AAAA %s, resolver %s)",
                 host, dns_rc_name(rc[0]), dns_rc_name(rc[1]), server);
        return -1;
    }
    return 0;
}

/* dlv_lookup_sys - addresses from getaddrinfo(3) */
static int
dlv_lookup_sys(const char *host, struct dlv_addrs *v, char *why,
               size_t cap)
{
    struct addrinfo hints, *res, *ai;
    char    buf[INET6_ADDRSTRLEN];
    int     e;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if ((e = getaddrinfo(host, NULL, &hints, &res)) != 0) {
        snprintf(why, cap, "%s: %s", host, gai_strerror(e));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        const void *src = ai->ai_family == AF_INET
            ? (const void *) &((struct sockaddr_in *) ai->ai_addr)->sin_addr
            : (const void *) &((struct sockaddr_in6 *) ai->ai_addr)->sin6_addr;

        if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
            && inet_ntop(ai->ai_family, src, buf, sizeof(buf)) != NULL)
            dlv_add(v, buf);
    }
    freeaddrinfo(res);
    if (v->n == 0) {
        snprintf(why, cap, "%s: no address", host);
        return -1;
    }
    return 0;
}

/* dlv_pin - resolve and vet; "HOST:PORT:ADDR,..." into pin ("" for an
 * address literal); 0, or -1 with why */
int
dlv_pin(const struct dlv_conf *c, const struct dlv_target *t, char *pin,
        size_t pcap, char *why, size_t cap)
{
    struct dlv_addrs v;
    size_t  i, o;
    int     cls;

    memset(&v, 0, sizeof(v));
    pin[0] = 0;
    if (t->literal)
        dlv_add(&v, t->host);
    else if ((c->resolver ? dlv_lookup_dns(c->resolver, t->host, &v, why,
                                           cap)
              : dlv_lookup_sys(t->host, &v, why, cap)) != 0)
        return -1;
    for (i = 0; i < v.n; i++) {
        cls = ipclass_text(v.a[i]);
        if (cls != IPCLASS_PUBLIC && !c->allow_private) {
            if (t->literal)
                snprintf(why, cap, "refused: %s is a %s address (a rua "
                         "from DNS must not reach into private networks; "
                         "--allow-private-targets permits it)", t->host,
                         ipclass_name(cls));
            else
                snprintf(why, cap, "refused: %s has address %s, a %s "
                         "address (a rua from DNS must not reach into "
                         "private networks; --allow-private-targets "
                         "permits it)", t->host, v.a[i], ipclass_name(cls));
            return -1;
        }
    }
    if (t->literal)
        return 0;
    o = (size_t) snprintf(pin, pcap, "%s:%u:", t->host, t->port);
    for (i = 0; i < v.n && o < pcap; i++)
        o += (size_t) snprintf(pin + o, pcap - o, strchr(v.a[i], ':')
                               ? "%s[%s]" : "%s%s", i ? "," : "", v.a[i]);
    if (o >= pcap) {
        snprintf(why, cap, "too many addresses");
        return -1;
    }
    return 0;
}

/* dlv_deliver - one attempt to one destination */
int
dlv_deliver(const struct dlv_conf *c, const char *dest,
            const struct dlv_report *r, char *status, size_t cap)
{
    struct dlv_target t;
    char    why[256];

    if (dlv_parse(dest, &t, why, sizeof(why)) != 0) {
        snprintf(status, cap, "destination refused: %s", why);
        return -1;
    }
    if (t.kind == DLV_HTTPS)
        return dlv_https(c, dest, &t, r, status, cap);
    return dlv_mail(c, &t, r, status, cap);
}
