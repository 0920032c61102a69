/* util/dlib.c - the network and crypto libraries, loaded on first use
 * (see dlib.h)
 *
 * Each function below is the library's, under its name and prototype:
 * DLIB_FN and DLIB_VOID define it as a call through a pointer found on
 * the first call. The three variadic ones are written out: libmicrohttpd
 * has a va_list form of MHD_start_daemon; libcurl's curl_easy_setopt
 * takes one argument whose type the option's number gives (curl's own
 * CURLOPTTYPE ranges), and curl_easy_getinfo a pointer.
 */
#include "dlib.h"
#include "msg.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <ldns/ldns.h>
#include <microhttpd.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct dlib {
    const char *soname;
    const char *package;        /* Debian's */
    void   *handle;             /* dlopen(), once */
};

static struct dlib dlib_curl = {"libcurl.so.4", "libcurl4", NULL};
static struct dlib dlib_ldns = {"libldns.so.3", "libldns3", NULL};
static struct dlib dlib_mhd = {"libmicrohttpd.so.12", "libmicrohttpd12",
                               NULL};
static struct dlib dlib_crypto = {"libcrypto.so.3", "libssl3", NULL};
static struct dlib dlib_ssl = {"libssl.so.3", "libssl3", NULL};

static pthread_mutex_t dlib_mu = PTHREAD_MUTEX_INITIALIZER;

/* dlib_find - name in lib, the library opened first if need be; NULL
 * when it cannot be (dlerror() says why) */
static void *
dlib_find(struct dlib *lib, const char *name)
{
    void   *h = __atomic_load_n(&lib->handle, __ATOMIC_ACQUIRE);

    if (h == NULL) {
        pthread_mutex_lock(&dlib_mu);
        if ((h = lib->handle) == NULL
            && (h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL)) != NULL)
            __atomic_store_n(&lib->handle, h, __ATOMIC_RELEASE);
        pthread_mutex_unlock(&dlib_mu);
        if (h == NULL)
            return NULL;
    }
    return dlsym(h, name);
}

/* dlib_sym - the address of name in lib, cached in *slot; stops the run
 * when the library or the function cannot be found */
static void *
dlib_sym(struct dlib *lib, void **slot, const char *name)
{
    void   *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

    if (p != NULL)
        return p;
    if ((p = dlib_find(lib, name)) == NULL) {
        const char *err = dlerror();

        msg_fatal("cannot load %s from %s (Debian package %s): %s", name,
                  lib->soname, lib->package, err ? err : "not found");
    }
    __atomic_store_n(slot, p, __ATOMIC_RELEASE);
    return p;
}

/* DLIB_FN - ret name params: lib's, found on the first call */
#define DLIB_FN(lib, ret, name, params, args) \
    ret \
    name params \
    { \
        static void *sym; \
        void   *p = dlib_sym(&lib, &sym, #name); \
        ret   (*f) params; \
        \
        memcpy(&f, &p, sizeof(f)); \
        return f args; \
    }

/* DLIB_VOID - the same, for a function of no value */
#define DLIB_VOID(lib, name, params, args) \
    void \
    name params \
    { \
        static void *sym; \
        void   *p = dlib_sym(&lib, &sym, #name); \
        void  (*f) params; \
        \
        memcpy(&f, &p, sizeof(f)); \
        f args; \
    }

/* libcurl, ldns, libmicrohttpd, OpenSSL: the functions the program calls */

/* libcurl */
DLIB_VOID(dlib_curl, curl_easy_cleanup,
          (CURL *a0),
          (a0))
DLIB_FN(dlib_curl, CURL *, curl_easy_init,
        (void),
        ())
DLIB_FN(dlib_curl, CURLcode, curl_easy_perform,
        (CURL *a0),
        (a0))
DLIB_FN(dlib_curl, const char *, curl_easy_strerror,
        (CURLcode a0),
        (a0))
DLIB_VOID(dlib_curl, curl_free,
          (void *a0),
          (a0))
DLIB_VOID(dlib_curl, curl_global_cleanup,
          (void),
          ())
DLIB_FN(dlib_curl, CURLcode, curl_global_init,
        (long a0),
        (a0))
DLIB_FN(dlib_curl, struct curl_slist *, curl_slist_append,
        (struct curl_slist *a0, const char *a1),
        (a0, a1))
DLIB_VOID(dlib_curl, curl_slist_free_all,
          (struct curl_slist *a0),
          (a0))
DLIB_FN(dlib_curl, CURLU *, curl_url,
        (void),
        ())
DLIB_VOID(dlib_curl, curl_url_cleanup,
          (CURLU *a0),
          (a0))
DLIB_FN(dlib_curl, CURLUcode, curl_url_get,
        (CURLU *a0, CURLUPart a1, char **a2, unsigned int a3),
        (a0, a1, a2, a3))
DLIB_FN(dlib_curl, CURLUcode, curl_url_set,
        (CURLU *a0, CURLUPart a1, const char *a2, unsigned int a3),
        (a0, a1, a2, a3))

/* ldns */
DLIB_FN(dlib_ldns, int, ldns_dname_compare,
        (const ldns_rdf *a0, const ldns_rdf *a1),
        (a0, a1))
DLIB_FN(dlib_ldns, uint8_t, ldns_dname_label_count,
        (const ldns_rdf *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_rdf *, ldns_dname_new_frm_str,
        (const char *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_status, ldns_pkt2wire,
        (uint8_t **a0, const ldns_pkt *a1, size_t *a2),
        (a0, a1, a2))
DLIB_FN(dlib_ldns, bool, ldns_pkt_ad,
        (const ldns_pkt *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_rr_list *, ldns_pkt_answer,
        (const ldns_pkt *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_rr_list *, ldns_pkt_authority,
        (const ldns_pkt *a0),
        (a0))
DLIB_VOID(dlib_ldns, ldns_pkt_free,
          (ldns_pkt *a0),
          (a0))
DLIB_FN(dlib_ldns, ldns_pkt_rcode, ldns_pkt_get_rcode,
        (const ldns_pkt *a0),
        (a0))
DLIB_FN(dlib_ldns, uint16_t, ldns_pkt_id,
        (const ldns_pkt *a0),
        (a0))
DLIB_FN(dlib_ldns, bool, ldns_pkt_qr,
        (const ldns_pkt *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_pkt *, ldns_pkt_query_new,
        (ldns_rdf *a0, ldns_rr_type a1, ldns_rr_class a2, uint16_t a3),
        (a0, a1, a2, a3))
DLIB_FN(dlib_ldns, ldns_rr_list *, ldns_pkt_question,
        (const ldns_pkt *a0),
        (a0))
DLIB_VOID(dlib_ldns, ldns_pkt_set_cd,
          (ldns_pkt *a0, bool a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_pkt_set_edns_do,
          (ldns_pkt *a0, bool a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_pkt_set_edns_udp_size,
          (ldns_pkt *a0, uint16_t a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_pkt_set_id,
          (ldns_pkt *a0, uint16_t a1),
          (a0, a1))
DLIB_FN(dlib_ldns, struct sockaddr_storage *, ldns_rdf2native_sockaddr_storage,
        (const ldns_rdf *a0, uint16_t a1, size_t *a2),
        (a0, a1, a2))
DLIB_FN(dlib_ldns, char *, ldns_rdf2str,
        (const ldns_rdf *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_rdf *, ldns_rdf_clone,
        (const ldns_rdf *a0),
        (a0))
DLIB_FN(dlib_ldns, uint8_t *, ldns_rdf_data,
        (const ldns_rdf *a0),
        (a0))
DLIB_VOID(dlib_ldns, ldns_rdf_deep_free,
          (ldns_rdf *a0),
          (a0))
DLIB_FN(dlib_ldns, ldns_rdf_type, ldns_rdf_get_type,
        (const ldns_rdf *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_rdf *, ldns_rdf_new_frm_str,
        (ldns_rdf_type a0, const char *a1),
        (a0, a1))
DLIB_FN(dlib_ldns, size_t, ldns_rdf_size,
        (const ldns_rdf *a0),
        (a0))
DLIB_VOID(dlib_ldns, ldns_resolver_deep_free,
          (ldns_resolver *a0),
          (a0))
DLIB_FN(dlib_ldns, size_t, ldns_resolver_nameserver_count,
        (const ldns_resolver *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_rdf **, ldns_resolver_nameservers,
        (const ldns_resolver *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_resolver *, ldns_resolver_new,
        (void),
        ())
DLIB_FN(dlib_ldns, ldns_status, ldns_resolver_new_frm_file,
        (ldns_resolver **a0, const char *a1),
        (a0, a1))
DLIB_FN(dlib_ldns, uint16_t, ldns_resolver_port,
        (const ldns_resolver *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_status, ldns_resolver_push_nameserver,
        (ldns_resolver *a0, const ldns_rdf *a1),
        (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_defnames,
          (ldns_resolver *a0, bool a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_dnsrch,
          (ldns_resolver *a0, bool a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_dnssec,
          (ldns_resolver *a0, bool a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_dnssec_cd,
          (ldns_resolver *a0, bool a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_edns_udp_size,
          (ldns_resolver *a0, uint16_t a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_fail,
          (ldns_resolver *a0, bool a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_fallback,
          (ldns_resolver *a0, bool a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_port,
          (ldns_resolver *a0, uint16_t a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_random,
          (ldns_resolver *a0, bool a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_recursive,
          (ldns_resolver *a0, bool a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_retrans,
          (ldns_resolver *a0, uint8_t a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_retry,
          (ldns_resolver *a0, uint8_t a1),
          (a0, a1))
DLIB_VOID(dlib_ldns, ldns_resolver_set_timeout,
          (ldns_resolver *a0, struct timeval a1),
          (a0, a1))
DLIB_FN(dlib_ldns, ldns_rr_class, ldns_rr_get_class,
        (const ldns_rr *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_rr_type, ldns_rr_get_type,
        (const ldns_rr *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_rr *, ldns_rr_list_rr,
        (const ldns_rr_list *a0, size_t a1),
        (a0, a1))
DLIB_FN(dlib_ldns, size_t, ldns_rr_list_rr_count,
        (const ldns_rr_list *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_rdf *, ldns_rr_owner,
        (const ldns_rr *a0),
        (a0))
DLIB_FN(dlib_ldns, size_t, ldns_rr_rd_count,
        (const ldns_rr *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_rdf *, ldns_rr_rdf,
        (const ldns_rr *a0, size_t a1),
        (a0, a1))
DLIB_FN(dlib_ldns, uint32_t, ldns_rr_ttl,
        (const ldns_rr *a0),
        (a0))
DLIB_FN(dlib_ldns, ldns_status, ldns_wire2pkt,
        (ldns_pkt **a0, const uint8_t *a1, size_t a2),
        (a0, a1, a2))

/* libmicrohttpd */
DLIB_FN(dlib_mhd, enum MHD_Result, MHD_add_response_header,
        (struct MHD_Response *a0, const char *a1, const char *a2),
        (a0, a1, a2))
DLIB_FN(dlib_mhd, struct MHD_Response *, MHD_create_response_from_buffer,
        (size_t a0, void *a1, enum MHD_ResponseMemoryMode a2),
        (a0, a1, a2))
DLIB_VOID(dlib_mhd, MHD_destroy_response,
          (struct MHD_Response *a0),
          (a0))
DLIB_FN(dlib_mhd, enum MHD_Result, MHD_queue_response,
        (struct MHD_Connection *a0, unsigned int a1, struct MHD_Response *a2),
        (a0, a1, a2))
DLIB_VOID(dlib_mhd, MHD_stop_daemon,
          (struct MHD_Daemon *a0),
          (a0))

/* libcrypto */
DLIB_FN(dlib_crypto, int, BIO_free,
        (BIO *a0),
        (a0))
DLIB_FN(dlib_crypto, BIO *, BIO_new_file,
        (const char *a0, const char *a1),
        (a0, a1))
DLIB_VOID(dlib_crypto, ERR_clear_error,
          (void),
          ())
DLIB_VOID(dlib_crypto, ERR_error_string_n,
          (unsigned long a0, char *a1, size_t a2),
          (a0, a1, a2))
DLIB_FN(dlib_crypto, unsigned long, ERR_get_error,
        (void),
        ())
DLIB_FN(dlib_crypto, int, EVP_Digest,
        (const void *a0, size_t a1, unsigned char *a2, unsigned int *a3, const EVP_MD *a4, ENGINE *a5),
        (a0, a1, a2, a3, a4, a5))
DLIB_FN(dlib_crypto, int, EVP_DigestFinal_ex,
        (EVP_MD_CTX *a0, unsigned char *a1, unsigned int *a2),
        (a0, a1, a2))
DLIB_FN(dlib_crypto, int, EVP_DigestInit_ex,
        (EVP_MD_CTX *a0, const EVP_MD *a1, ENGINE *a2),
        (a0, a1, a2))
DLIB_FN(dlib_crypto, int, EVP_DigestSign,
        (EVP_MD_CTX *a0, unsigned char *a1, size_t *a2, const unsigned char *a3, size_t a4),
        (a0, a1, a2, a3, a4))
DLIB_FN(dlib_crypto, int, EVP_DigestSignInit,
        (EVP_MD_CTX *a0, EVP_PKEY_CTX **a1, const EVP_MD *a2, ENGINE *a3, EVP_PKEY *a4),
        (a0, a1, a2, a3, a4))
DLIB_FN(dlib_crypto, int, EVP_DigestUpdate,
        (EVP_MD_CTX *a0, const void *a1, size_t a2),
        (a0, a1, a2))
DLIB_FN(dlib_crypto, int, EVP_EncodeBlock,
        (unsigned char *a0, const unsigned char *a1, int a2),
        (a0, a1, a2))
DLIB_VOID(dlib_crypto, EVP_MD_CTX_free,
          (EVP_MD_CTX *a0),
          (a0))
DLIB_FN(dlib_crypto, EVP_MD_CTX *, EVP_MD_CTX_new,
        (void),
        ())
DLIB_VOID(dlib_crypto, EVP_PKEY_free,
          (EVP_PKEY *a0),
          (a0))
DLIB_FN(dlib_crypto, int, EVP_PKEY_get_base_id,
        (const EVP_PKEY *a0),
        (a0))
DLIB_FN(dlib_crypto, int, EVP_PKEY_get_bits,
        (const EVP_PKEY *a0),
        (a0))
DLIB_FN(dlib_crypto, const EVP_MD *, EVP_sha256,
        (void),
        ())
DLIB_FN(dlib_crypto, EVP_PKEY *, PEM_read_bio_PrivateKey,
        (BIO *a0, EVP_PKEY **a1, pem_password_cb *a2, void *a3),
        (a0, a1, a2, a3))
DLIB_FN(dlib_crypto, int, X509_STORE_load_file,
        (X509_STORE *a0, const char *a1),
        (a0, a1))

/* libssl */
DLIB_FN(dlib_ssl, X509_STORE *, SSL_CTX_get_cert_store,
        (const SSL_CTX *a0),
        (a0))

/* the variadic ones */

CURLcode
(curl_easy_setopt) (CURL *curl, CURLoption option, ...)
{
    static void *sym;
    void   *p = dlib_sym(&dlib_curl, &sym, "curl_easy_setopt");
    CURLcode (*f) (CURL *, CURLoption, ...);
    CURLcode rc;
    va_list ap;

    memcpy(&f, &p, sizeof(f));
    va_start(ap, option);
    /* the argument's type by the option's range, as curl reads it */
    if (option < CURLOPTTYPE_OBJECTPOINT) {
        long    v = va_arg(ap, long);

        rc = f(curl, option, v);
    } else if (option >= CURLOPTTYPE_OFF_T && option < CURLOPTTYPE_BLOB) {
        curl_off_t v = va_arg(ap, curl_off_t);

        rc = f(curl, option, v);
    } else {
        /* objects, strings, lists, callbacks, blobs: a pointer */
        void   *v = va_arg(ap, void *);

        rc = f(curl, option, v);
    }
    va_end(ap);
    return rc;
}

CURLcode
(curl_easy_getinfo) (CURL *curl, CURLINFO info, ...)
{
    static void *sym;
    void   *p = dlib_sym(&dlib_curl, &sym, "curl_easy_getinfo");
    CURLcode (*f) (CURL *, CURLINFO, ...);
    CURLcode rc;
    va_list ap;
    void   *v;

    memcpy(&f, &p, sizeof(f));
    va_start(ap, info);
    v = va_arg(ap, void *);     /* always where to store the answer */
    va_end(ap);
    rc = f(curl, info, v);
    return rc;
}

struct MHD_Daemon *
MHD_start_daemon(unsigned int flags, uint16_t port,
                 MHD_AcceptPolicyCallback apc, void *apc_cls,
                 MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
    static void *sym;
    void   *p = dlib_sym(&dlib_mhd, &sym, "MHD_start_daemon_va");
    struct MHD_Daemon *(*f) (unsigned int, uint16_t,
                             MHD_AcceptPolicyCallback, void *,
                             MHD_AccessHandlerCallback, void *, va_list);
    struct MHD_Daemon *d;
    va_list ap;

    memcpy(&f, &p, sizeof(f));
    va_start(ap, dh_cls);
    d = f(flags, port, apc, apc_cls, dh, dh_cls, ap);
    va_end(ap);
    return d;
}

/* every function above, for dlib_resolve_all */
static const struct {
    struct dlib *lib;
    const char *name;
} dlib_all[] = {
    {&dlib_curl, "curl_easy_cleanup"},
    {&dlib_curl, "curl_easy_init"},
    {&dlib_curl, "curl_easy_perform"},
    {&dlib_curl, "curl_easy_strerror"},
    {&dlib_curl, "curl_free"},
    {&dlib_curl, "curl_global_cleanup"},
    {&dlib_curl, "curl_global_init"},
    {&dlib_curl, "curl_slist_append"},
    {&dlib_curl, "curl_slist_free_all"},
    {&dlib_curl, "curl_url"},
    {&dlib_curl, "curl_url_cleanup"},
    {&dlib_curl, "curl_url_get"},
    {&dlib_curl, "curl_url_set"},
    {&dlib_ldns, "ldns_dname_compare"},
    {&dlib_ldns, "ldns_dname_label_count"},
    {&dlib_ldns, "ldns_dname_new_frm_str"},
    {&dlib_ldns, "ldns_pkt2wire"},
    {&dlib_ldns, "ldns_pkt_ad"},
    {&dlib_ldns, "ldns_pkt_answer"},
    {&dlib_ldns, "ldns_pkt_authority"},
    {&dlib_ldns, "ldns_pkt_free"},
    {&dlib_ldns, "ldns_pkt_get_rcode"},
    {&dlib_ldns, "ldns_pkt_id"},
    {&dlib_ldns, "ldns_pkt_qr"},
    {&dlib_ldns, "ldns_pkt_query_new"},
    {&dlib_ldns, "ldns_pkt_question"},
    {&dlib_ldns, "ldns_pkt_set_cd"},
    {&dlib_ldns, "ldns_pkt_set_edns_do"},
    {&dlib_ldns, "ldns_pkt_set_edns_udp_size"},
    {&dlib_ldns, "ldns_pkt_set_id"},
    {&dlib_ldns, "ldns_rdf2native_sockaddr_storage"},
    {&dlib_ldns, "ldns_rdf2str"},
    {&dlib_ldns, "ldns_rdf_clone"},
    {&dlib_ldns, "ldns_rdf_data"},
    {&dlib_ldns, "ldns_rdf_deep_free"},
    {&dlib_ldns, "ldns_rdf_get_type"},
    {&dlib_ldns, "ldns_rdf_new_frm_str"},
    {&dlib_ldns, "ldns_rdf_size"},
    {&dlib_ldns, "ldns_resolver_deep_free"},
    {&dlib_ldns, "ldns_resolver_nameserver_count"},
    {&dlib_ldns, "ldns_resolver_nameservers"},
    {&dlib_ldns, "ldns_resolver_new"},
    {&dlib_ldns, "ldns_resolver_new_frm_file"},
    {&dlib_ldns, "ldns_resolver_port"},
    {&dlib_ldns, "ldns_resolver_push_nameserver"},
    {&dlib_ldns, "ldns_resolver_set_defnames"},
    {&dlib_ldns, "ldns_resolver_set_dnsrch"},
    {&dlib_ldns, "ldns_resolver_set_dnssec"},
    {&dlib_ldns, "ldns_resolver_set_dnssec_cd"},
    {&dlib_ldns, "ldns_resolver_set_edns_udp_size"},
    {&dlib_ldns, "ldns_resolver_set_fail"},
    {&dlib_ldns, "ldns_resolver_set_fallback"},
    {&dlib_ldns, "ldns_resolver_set_port"},
    {&dlib_ldns, "ldns_resolver_set_random"},
    {&dlib_ldns, "ldns_resolver_set_recursive"},
    {&dlib_ldns, "ldns_resolver_set_retrans"},
    {&dlib_ldns, "ldns_resolver_set_retry"},
    {&dlib_ldns, "ldns_resolver_set_timeout"},
    {&dlib_ldns, "ldns_rr_get_class"},
    {&dlib_ldns, "ldns_rr_get_type"},
    {&dlib_ldns, "ldns_rr_list_rr"},
    {&dlib_ldns, "ldns_rr_list_rr_count"},
    {&dlib_ldns, "ldns_rr_owner"},
    {&dlib_ldns, "ldns_rr_rd_count"},
    {&dlib_ldns, "ldns_rr_rdf"},
    {&dlib_ldns, "ldns_rr_ttl"},
    {&dlib_ldns, "ldns_wire2pkt"},
    {&dlib_mhd, "MHD_add_response_header"},
    {&dlib_mhd, "MHD_create_response_from_buffer"},
    {&dlib_mhd, "MHD_destroy_response"},
    {&dlib_mhd, "MHD_queue_response"},
    {&dlib_mhd, "MHD_stop_daemon"},
    {&dlib_crypto, "BIO_free"},
    {&dlib_crypto, "BIO_new_file"},
    {&dlib_crypto, "ERR_clear_error"},
    {&dlib_crypto, "ERR_error_string_n"},
    {&dlib_crypto, "ERR_get_error"},
    {&dlib_crypto, "EVP_Digest"},
    {&dlib_crypto, "EVP_DigestFinal_ex"},
    {&dlib_crypto, "EVP_DigestInit_ex"},
    {&dlib_crypto, "EVP_DigestSign"},
    {&dlib_crypto, "EVP_DigestSignInit"},
    {&dlib_crypto, "EVP_DigestUpdate"},
    {&dlib_crypto, "EVP_EncodeBlock"},
    {&dlib_crypto, "EVP_MD_CTX_free"},
    {&dlib_crypto, "EVP_MD_CTX_new"},
    {&dlib_crypto, "EVP_PKEY_free"},
    {&dlib_crypto, "EVP_PKEY_get_base_id"},
    {&dlib_crypto, "EVP_PKEY_get_bits"},
    {&dlib_crypto, "EVP_sha256"},
    {&dlib_crypto, "PEM_read_bio_PrivateKey"},
    {&dlib_crypto, "X509_STORE_load_file"},
    {&dlib_ssl, "SSL_CTX_get_cert_store"},
    {&dlib_curl, "curl_easy_setopt"},
    {&dlib_curl, "curl_easy_getinfo"},
    {&dlib_mhd, "MHD_start_daemon_va"},
};

/* dlib_resolve_all - see dlib.h */
size_t
dlib_resolve_all(size_t *total)
{
    size_t  i, found = 0;

    for (i = 0; i < sizeof(dlib_all) / sizeof(dlib_all[0]); i++) {
        if (dlib_find(dlib_all[i].lib, dlib_all[i].name) != NULL)
            found++;
        else
            fprintf(stderr, "dlib: %s: not in %s\n", dlib_all[i].name,
                    dlib_all[i].lib->soname);
    }
    *total = i;
    return found;
}

/* dlib_opened - see dlib.h */
int
dlib_opened(void)
{
    struct dlib *all[] = {&dlib_curl, &dlib_ldns, &dlib_mhd, &dlib_crypto,
                          &dlib_ssl};
    size_t  i;
    int     n = 0;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        n += __atomic_load_n(&all[i]->handle, __ATOMIC_ACQUIRE) != NULL;
    return n;
}
