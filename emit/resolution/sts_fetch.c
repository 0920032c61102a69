/* emit/resolution/sts_fetch.c - fetch an MTA-STS policy over HTTPS (RFC 8461 3.3)
 *
 * NAME
 *      sts_fetch - GET https://mta-sts.<domain>/.well-known/mta-sts.txt
 * SYNOPSIS
 *      #include "emit/resolution/sts.h"
 *
 *      void  sts_global_init(void)
 *      int   sts_fetch(domain, addrs, n, conf, res)
 *      void  sts_fetch_res_free(res)
 * DESCRIPTION
 *      libcurl, one easy handle per fetch:
 *      - addresses: the caller resolved mta-sts.<domain> through our own
 *        resolver (emit/resolution/dns.c); CURLOPT_RESOLVE hands them to libcurl, so
 *        libcurl never resolves by itself and connects to an address we
 *        checked. A port other than 443 (tests only) is reached with
 *        CURLOPT_CONNECT_TO; the URL, SNI and Host stay those of 443;
 *      - validation: VERIFYPEER and VERIFYHOST (DNS-ID of the policy host,
 *        wildcard as the whole left-most label: OpenSSL's rules), TLS 1.2
 *        or later, https only, no redirects (3xx is a fetch error), no
 *        proxy from the environment, no content encoding asked for;
 *      - address class: not filtered (unlike report delivery, which
 *        refuses non-public rua targets, emit/delivery/dlv.c). The fetch is what
 *        the MTA's own MTA-STS resolver does for the same domain: one
 *        TLS handshake to port 443 with SNI mta-sts.<domain>, and no
 *        request is sent unless the certificate is valid for that name,
 *        so a private address can at most be told apart as connect
 *        failure versus TLS/certificate failure in the report;
 *      - trust store: the system's. With conf->ca_file, that file is
 *        added: CURLOPT_CAINFO = ca_file and CURLOPT_CAPATH = libcurl's
 *        built-in CA directory (Debian: /etc/ssl/certs, hashed links of
 *        the same roots as the bundle), so both are trusted;
 *      - bounds: STS_MAX_BODY bytes (CURLOPT_MAXFILESIZE when the length
 *        is announced, and the write callback stops the transfer past
 *        it), conf->timeout_ms for the whole transfer, connect timeout.
 *
 *      Result types (CHECKLIST 65): certificate validation failures are
 *      sts-webpki-invalid; everything else that stops a 200 answer of at
 *      most 64 KiB (DNS, connect, TLS handshake not about the certificate,
 *      timeout, status other than 200, size) is sts-policy-fetch-error.
 *      The body's media type and syntax are the caller's to judge.
 * THREADS
 *      sts_global_init() once before threads; sts_fetch() is then safe
 *      in many threads (CURLOPT_NOSIGNAL, nothing shared).
 */
#include "sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "../../util/msg.h"
#include "../../util/mymalloc.h"

#ifndef MTR_VERSION
#define MTR_VERSION "0"
#endif

struct sts_buf {
    char   *data;
    size_t  len;
    int     too_big;
};

/* sts_global_init - libcurl's global state; once, single-threaded */
void
sts_global_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        msg_fatal("cannot initialise libcurl");
}

/* sts_write - collect the body, refuse more than STS_MAX_BODY bytes */
static size_t
sts_write(char *ptr, size_t size, size_t nmemb, void *ctx)
{
    struct sts_buf *b = ctx;
    size_t  n = size * nmemb;

    if (n > STS_MAX_BODY - b->len) {
        b->too_big = 1;
        return 0;               /* stops the transfer: CURLE_WRITE_ERROR */
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    return n;
}

/* sts_verify_reason - reason code for an X509 verify result */
static void
sts_verify_reason(long v, char *buf, size_t cap)
{
    /* OpenSSL X509_V_ERR_* numbers, stable since 1.0 */
    static const struct {
        long    code;
        const char *name;
    } names[] = {
        {2, "unable-to-get-issuer-certificate"},
        {7, "certificate-signature-failure"},
        {9, "certificate-not-yet-valid"},
        {10, "certificate-has-expired"},
        {18, "self-signed-certificate"},
        {19, "self-signed-certificate-in-chain"},
        {20, "unable-to-get-local-issuer-certificate"},
        {21, "unable-to-verify-leaf-signature"},
        {23, "certificate-revoked"},
        {24, "invalid-ca"},
        {26, "unsupported-certificate-purpose"},
        {62, "hostname-mismatch"},
    };
    size_t  i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].code == v) {
            snprintf(buf, cap, "%s", names[i].name);
            return;
        }
    snprintf(buf, cap, "certificate-verify-error-%ld", v);
}

/* sts_fail - set a failure result; returns -1 */
static int
sts_fail(struct sts_fetch_res *res, int type, const char *reason,
         const char *error)
{
    res->result = type;
    snprintf(res->reason, sizeof(res->reason), "%s", reason);
    snprintf(res->error, sizeof(res->error), "%s", error);
    return -1;
}

/* sts_classify - result of a finished transfer; 0 or -1 */
static int
sts_classify(CURL *h, CURLcode rc, const struct sts_buf *b,
             const char *errbuf, struct sts_fetch_res *res)
{
    char    reason[SESS_MAX_REASON + 1];
    char    error[STS_MSG];
    long    verify = 0;
    char   *ctype = NULL;

    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->http_status);
    curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &verify);
    if (b->too_big || rc == CURLE_FILESIZE_EXCEEDED)
        return sts_fail(res, SESS_STS_POLICY_FETCH_ERROR, "policy-too-large",
                        "policy larger than 64 KiB");
    switch (rc) {
    case CURLE_OK:
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
        /* curl checks the host name itself after OpenSSL's chain check:
         * the verify result then says nothing useful (0, or 1 with
         * OpenSSL 3), the message names the subject */
        if (strstr(errbuf, "subject name") != NULL || verify == 0
            || verify == 1)
            snprintf(reason, sizeof(reason), "hostname-mismatch");
        else
            sts_verify_reason(verify, reason, sizeof(reason));
        snprintf(error, sizeof(error), "certificate of the policy host: %.160s",
                 errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return sts_fail(res, SESS_STS_WEBPKI_INVALID, reason, error);
    case CURLE_SSL_CONNECT_ERROR:
        if (verify != 0) {
            sts_verify_reason(verify, reason, sizeof(reason));
            snprintf(error, sizeof(error), "certificate of the policy host:"
                     " %.160s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
            return sts_fail(res, SESS_STS_WEBPKI_INVALID, reason, error);
        }
        snprintf(error, sizeof(error), "TLS handshake: %.160s",
                 errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return sts_fail(res, SESS_STS_POLICY_FETCH_ERROR,
                        "tls-handshake-failed", error);
    case CURLE_OPERATION_TIMEDOUT:
        return sts_fail(res, SESS_STS_POLICY_FETCH_ERROR, "timeout",
                        "no complete answer in time");
    case CURLE_COULDNT_CONNECT:
        snprintf(error, sizeof(error), "connect: %.160s",
                 errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return sts_fail(res, SESS_STS_POLICY_FETCH_ERROR, "connect-failed",
                        error);
    default:
        snprintf(reason, sizeof(reason), "fetch-error-%d", (int) rc);
        snprintf(error, sizeof(error), "%.160s",
                 errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return sts_fail(res, SESS_STS_POLICY_FETCH_ERROR, reason, error);
    }
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK
        && ctype != NULL) {
        size_t  i;

        for (i = 0; ctype[i] && i < sizeof(res->content_type) - 1; i++)
            res->content_type[i] = (char) ((unsigned char) ctype[i] >= 0x20
                                           && (unsigned char) ctype[i] < 0x7f
                                           ? ctype[i] : '?');
        res->content_type[i] = 0;
    }
    if (res->http_status != 200) {
        snprintf(reason, sizeof(reason), "http-status-%ld",
                 res->http_status);
        snprintf(error, sizeof(error), "HTTP status %ld, not 200%s",
                 res->http_status, res->http_status >= 300
                 && res->http_status < 400 ? " (redirects are not followed)"
                 : "");
        return sts_fail(res, SESS_STS_POLICY_FETCH_ERROR, reason, error);
    }
    return 0;
}

/* sts_fetch - GET the policy from the given addresses */
int
sts_fetch(const char *domain, const char *const *addrs, size_t n,
          const struct sts_fetch_conf *conf, struct sts_fetch_res *res)
{
    char    url[DNAME_MAX + 64];
    char    resolve[DNAME_MAX + 32 + 8 * 48];
    char    connect_to[2 * DNAME_MAX + 64];
    char    errbuf[CURL_ERROR_SIZE];
    struct curl_slist *rl = NULL;
    struct curl_slist *cl = NULL;
    struct sts_buf b;
    CURL   *h;
    CURLcode rc;
    char   *capath = NULL;
    int     port = conf->port > 0 ? conf->port : 443;
    size_t  i, o;
    int     ret;

    memset(res, 0, sizeof(*res));
    if (!dname_valid(domain) || strlen(domain) > DNAME_MAX - 8) {
        return sts_fail(res, SESS_STS_POLICY_FETCH_ERROR, "bad-domain",
                        "invalid policy domain");
    }
    if (n == 0)
        return sts_fail(res, SESS_STS_POLICY_FETCH_ERROR, "no-address",
                        "no address for the policy host");
    snprintf(url, sizeof(url), "https://mta-sts.%s/.well-known/mta-sts.txt",
             domain);
    o = (size_t) snprintf(resolve, sizeof(resolve), "mta-sts.%s:%d:",
                          domain, port);
    for (i = 0; i < n && i < 8; i++) {
        int     v6 = strchr(addrs[i], ':') != NULL;

        o += (size_t) snprintf(resolve + o, sizeof(resolve) - o, "%s%s%s%s",
                               i ? "," : "", v6 ? "[" : "", addrs[i],
                               v6 ? "]" : "");
        if (o >= sizeof(resolve))
            return sts_fail(res, SESS_STS_POLICY_FETCH_ERROR, "bad-address",
                            "address list too long");
    }
    h = xneed(curl_easy_init(), "curl_easy_init");
    b.data = xmalloc(STS_MAX_BODY + 1);
    b.len = 0;
    b.too_big = 0;
    errbuf[0] = 0;
    rl = curl_slist_append(NULL, resolve);
    if (port != 443) {
        snprintf(connect_to, sizeof(connect_to), "mta-sts.%s:443:mta-sts.%s:%d",
                 domain, domain, port);
        cl = curl_slist_append(NULL, connect_to);
    }
    if (rl == NULL || (port != 443 && cl == NULL))
        xnomem("curl_slist_append");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_RESOLVE, rl);
    if (cl != NULL)
        curl_easy_setopt(h, CURLOPT_CONNECT_TO, cl);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
    if (conf->ca_file != NULL) {
        if (curl_easy_getinfo(h, CURLINFO_CAPATH, &capath) == CURLE_OK
            && capath != NULL)
            curl_easy_setopt(h, CURLOPT_CAPATH, capath);
        curl_easy_setopt(h, CURLOPT_CAINFO, conf->ca_file);
    }
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     conf->timeout_ms > 0 ? conf->timeout_ms : 60000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     conf->connect_timeout_ms > 0 ? conf->connect_timeout_ms
                     : 10000L);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE, (long) STS_MAX_BODY);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sts_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "mailtlsrpt/" MTR_VERSION);
    rc = curl_easy_perform(h);
    ret = sts_classify(h, rc, &b, errbuf, res);
    if (ret == 0) {
        b.data[b.len] = 0;
        res->body = b.data;
        res->len = b.len;
        res->result = SESS_SUCCESS;
    } else {
        free(b.data);
    }
    curl_easy_cleanup(h);
    curl_slist_free_all(rl);
    curl_slist_free_all(cl);
    return ret;
}

/* sts_fetch_res_free - release the body */
void
sts_fetch_res_free(struct sts_fetch_res *res)
{
    free(res->body);
    res->body = NULL;
    res->len = 0;
}
