/* emit/delivery/dlv_https.c - deliver a report by HTTPS POST (RFC 8460 5.4)
 *
 * NAME
 *      dlv_https - one POST with libcurl
 * SYNOPSIS
 *      #include "emit/delivery/dlv.h"
 * DESCRIPTION
 *      The body is the report file as stored: gzip with Content-Type
 *      application/tlsrpt+gzip, or JSON with application/tlsrpt+json.
 *      "Expect:" is sent empty so that no 100-continue round trip
 *      delays small bodies. Only https is allowed, redirects are not
 *      followed (a 3xx is a failure naming its Location: the report is
 *      posted to the rua the domain published, nowhere else), proxies
 *      from the environment are not used, and curl connects only to the
 *      addresses dlv_pin() vetted: the URL handed to curl carries the
 *      checked host (lower case, no trailing dot), so that the
 *      CURLOPT_RESOLVE pin is the entry curl looks up ("EXAMPLE.com."
 *      missed the pin "example.com:443:..." and was resolved by the
 *      system, unchecked), and an open-socket callback refuses every
 *      address that is not public once more at connect time, unless
 *      allow_private: whatever way curl found an address, a rua from DNS
 *      does not reach into private networks.
 *
 *      The answer body is read into a DLV_EXCERPT-byte excerpt; past
 *      DLV_ANSWER_MAX bytes the transfer is aborted (no server can make
 *      us store much). Any 2xx is delivered.
 * DIAGNOSTICS
 *      The outcome, delivered or not, is written to status.
 */
#include "dlv.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "../../util/ipaddr.h"
#include "../../util/ipclass.h"

#define DLV_ANSWER_MAX (1UL << 20)

struct dlv_sink {
    char    buf[DLV_EXCERPT + 1];
    size_t  len;
    size_t  total;
};

struct dlv_sock {
    int     allow_private;
    int     refused;                    /* class of the refused address */
    char    addr[IPADDR_MAX + 1];
};

/* dlv_https_socket - open a socket only for a public address */
static curl_socket_t
dlv_https_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct dlv_sock *s = arg;
    unsigned char bin[16];
    const char *sa = (const char *) &a->addr;
    int     cls = IPCLASS_RESERVED;

    (void) purpose;
    if (a->family == AF_INET
        && a->addrlen >= sizeof(struct sockaddr_in)) {
        memcpy(bin, sa + offsetof(struct sockaddr_in, sin_addr), 4);
        cls = ipclass_bin(AF_INET, bin);
    } else if (a->family == AF_INET6
               && a->addrlen >= sizeof(struct sockaddr_in6)) {
        memcpy(bin, sa + offsetof(struct sockaddr_in6, sin6_addr), 16);
        cls = ipclass_bin(AF_INET6, bin);
    }
    if (cls != IPCLASS_PUBLIC && !s->allow_private) {
        s->refused = cls;
        if ((a->family != AF_INET && a->family != AF_INET6)
            || inet_ntop(a->family, bin, s->addr, sizeof(s->addr)) == NULL)
            snprintf(s->addr, sizeof(s->addr), "(family %d)", a->family);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* dlv_https_url - url with the checked host put in; curl_free() it */
static char *
dlv_https_url(const char *url, const struct dlv_target *t)
{
    CURLU  *u = curl_url();
    char   *out = NULL;

    if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK
        || (!t->literal && curl_url_set(u, CURLUPART_HOST, t->host, 0)
            != CURLUE_OK)
        || curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK)
        out = NULL;
    curl_url_cleanup(u);
    return out;
}

/* dlv_https_write - keep an excerpt of the answer; abort past the cap */
static size_t
dlv_https_write(char *p, size_t size, size_t n, void *arg)
{
    struct dlv_sink *s = arg;
    size_t  k = size * n;
    size_t  room = DLV_EXCERPT - s->len;

    s->total += k;
    if (s->total > DLV_ANSWER_MAX)
        return 0;
    memcpy(s->buf + s->len, p, k < room ? k : room);
    s->len += k < room ? k : room;
    s->buf[s->len] = 0;
    return k;
}

/* dlv_https - one POST */
int
dlv_https(const struct dlv_conf *c, const char *url,
          const struct dlv_target *t, const struct dlv_report *r,
          char *status, size_t cap)
{
    struct curl_slist *hdrs = NULL, *resolve = NULL;
    struct dlv_sink sink;
    struct dlv_sock sock;
    char   *curl_url_text = NULL;
    char    errbuf[CURL_ERROR_SIZE];
    char    pin[1024], why[512], excerpt[DLV_EXCERPT + 1], where[160];
    char   *loc = NULL;
    long    code = 0;
    CURLcode cr;
    CURL   *h;
    int     gz, rc = -1;

    if (dlv_pin(c, t, pin, sizeof(pin), why, sizeof(why)) != 0) {
        snprintf(status, cap, "%s", why);
        return -1;
    }
    if ((curl_url_text = dlv_https_url(url, t)) == NULL) {
        snprintf(status, cap, "destination refused: not a valid https URL");
        return -1;
    }
    if ((h = curl_easy_init()) == NULL) {
        snprintf(status, cap, "curl_easy_init failed");
        curl_free(curl_url_text);
        return -1;
    }
    memset(&sock, 0, sizeof(sock));
    sock.allow_private = c->allow_private;
    gz = strlen(r->name) > 3 && strcmp(r->name + strlen(r->name) - 3,
                                       ".gz") == 0;
    hdrs = curl_slist_append(hdrs, gz ? "Content-Type: application/tlsrpt"
                             "+gzip" : "Content-Type: application/"
                             "tlsrpt+json");
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (pin[0])
        resolve = curl_slist_append(resolve, pin);
    memset(&sink, 0, sizeof(sink));
    if (hdrs == NULL || (pin[0] && resolve == NULL)
        || dlv_curl_common(h, c, errbuf) != 0
        || curl_easy_setopt(h, CURLOPT_URL, curl_url_text) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, dlv_https_socket)
        != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &sock) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_POST, 1L) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->data) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                            (curl_off_t) r->len) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK
        || (resolve && curl_easy_setopt(h, CURLOPT_RESOLVE, resolve)
            != CURLE_OK)
        || curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, dlv_https_write)
        != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink) != CURLE_OK) {
        snprintf(status, cap, "curl setup failed");
        goto end;
    }
    cr = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    dlv_printable(sink.buf, sink.len, excerpt, sizeof(excerpt));
    if (cr != CURLE_OK && sock.refused) {
        snprintf(status, cap, "refused at connect: %s is a %s address (a rua"
                 " from DNS must not reach into private networks;"
                 " --allow-private-targets permits it)", sock.addr,
                 ipclass_name(sock.refused));
        goto end;
    }
    if (cr != CURLE_OK) {
        dlv_printable(errbuf[0] ? errbuf : curl_easy_strerror(cr),
                      sizeof(errbuf), why, sizeof(why));
        if (cr == CURLE_WRITE_ERROR && sink.total > DLV_ANSWER_MAX)
            snprintf(why, sizeof(why), "answer longer than %lu bytes",
                     DLV_ANSWER_MAX);
        if (code >= 200 && code < 300) {
            /* the status line said yes; the answer was cut short */
            snprintf(status, cap, "HTTP %ld (answer incomplete: %s)", code,
                     why);
            rc = 0;
        } else {
            snprintf(status, cap, "%s (curl error %d)", why, (int) cr);
        }
        goto end;
    }
    if (code >= 200 && code < 300) {
        snprintf(status, cap, "HTTP %ld%s%s", code, excerpt[0] ? ": " : "",
                 excerpt);
        rc = 0;
    } else if (code >= 300 && code < 400) {
        curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
        dlv_printable(loc ? loc : "(none)", 120, where, sizeof(where));
        snprintf(status, cap, "HTTP %ld redirect to %s not followed", code,
                 where);
    } else {
        snprintf(status, cap, "HTTP %ld%s%s", code, excerpt[0] ? ": " : "",
                 excerpt);
    }
end:
    curl_slist_free_all(hdrs);
    curl_slist_free_all(resolve);
    curl_easy_cleanup(h);
    curl_free(curl_url_text);
    return rc;
}
