/* tests/t_dlib.c - unit tests for util/dlib: the network and crypto
 * libraries, loaded on first use
 *
 * util/dlib.h promises: nothing is opened until a function is called;
 * every function util/dlib.c stands in for is found in the library it
 * names (a misspelt name or a wrong soname would stop a delivery at run
 * time, not at link time); calls reach the library and its answers come
 * back, variadic ones included.
 */
#include "../util/dlib.h"
#include "testlib.h"

#include <curl/curl.h>
#include <ldns/ldns.h>
#include <openssl/evp.h>

#include <string.h>

int
main(void)
{
    size_t  found, total;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    CURL   *c;
    CURLU  *u;
    char   *host = NULL;
    long    code = -1;
    ldns_rdf *d;

    T_CHECK(dlib_opened() == 0, "no library opened before a call: %d",
            dlib_opened());

    /* OpenSSL: SHA-256 of "abc" (FIPS 180-2's example) */
    T_CHECK(EVP_Digest("abc", 3, md, &mdlen, EVP_sha256(), NULL) == 1
            && mdlen == 32 && md[0] == 0xba && md[31] == 0xad,
            "EVP_Digest through the loader: %u bytes", mdlen);
    T_CHECK(dlib_opened() == 1, "one library opened: %d", dlib_opened());

    /* ldns: a name parsed and its labels counted */
    d = ldns_dname_new_frm_str("mail.example.org.");
    T_CHECK(d != NULL && ldns_dname_label_count(d) == 3,
            "ldns_dname_label_count: %d",
            d ? ldns_dname_label_count(d) : -1);
    if (d)
        ldns_rdf_deep_free(d);

    /* libcurl: the variadic setopt (a long, a string) and getinfo (a
     * pointer); the URL API */
    c = curl_easy_init();
    T_CHECK(c != NULL, "curl_easy_init");
    if (c) {
        T_CHECK(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 1500L) == CURLE_OK,
                "setopt, a long");
        T_CHECK(curl_easy_setopt(c, CURLOPT_URL, "https://example.org/x")
                == CURLE_OK, "setopt, a string");
        T_CHECK(curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                                 (curl_off_t) 1 << 20) == CURLE_OK,
                "setopt, an off_t");
        T_CHECK(curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code)
                == CURLE_OK && code == 0, "getinfo before a transfer: %ld",
                code);
        T_CHECK(curl_easy_setopt(c, (CURLoption) 99999, 1L) != CURLE_OK,
                "setopt of an unknown option is refused");
        curl_easy_cleanup(c);
    }
    u = curl_url();
    T_CHECK(u != NULL
            && curl_url_set(u, CURLUPART_URL, "https://mta-sts.example.org/"
                            ".well-known/mta-sts.txt", 0) == CURLUE_OK
            && curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK
            && host != NULL && strcmp(host, "mta-sts.example.org") == 0,
            "curl_url: host \"%s\"", host ? host : "(none)");
    if (host)
        curl_free(host);
    if (u)
        curl_url_cleanup(u);

    /* every function, in the library named for it */
    found = dlib_resolve_all(&total);
    T_CHECK(total > 90 && found == total, "resolved %zu of %zu functions",
            found, total);
    T_CHECK(dlib_opened() == 5, "all five libraries opened: %d",
            dlib_opened());
    return T_DONE();
}
