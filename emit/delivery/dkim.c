/* emit/delivery/dkim.c - DKIM signatures (RFC 6376, RFC 8463) with OpenSSL
 *
 * NAME
 *      dkim - relaxed/relaxed signer for RSA-SHA256 and Ed25519-SHA256
 * SYNOPSIS
 *      #include "emit/delivery/dkim.h"
 * DESCRIPTION
 *      The signature covers the relaxed canonical form of the fields
 *      named in h= (each taken from the bottom up, RFC 6376 5.4.2) and
 *      then of the DKIM-Signature field itself with an empty b= and no
 *      trailing CRLF (3.7). rsa-sha256 signs those bytes with PKCS#1
 *      v1.5 and SHA-256; ed25519-sha256 signs their SHA-256 digest with
 *      PureEdDSA (RFC 8463 section 3). bh= is the SHA-256 of the relaxed
 *      canonical body; the whole body is covered (no l=).
 *
 *      The field is folded with CRLF TAB between tags and inside b=;
 *      relaxed canonicalisation makes the folding irrelevant to
 *      verifiers.
 * DIAGNOSTICS
 *      NULL with the reason (and OpenSSL's) in err.
 */
#include "dkim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../../util/dname.h"
#include "../../util/mymalloc.h"

#define DKIM_MAX_FIELDS 64      /* header fields looked at */
#define DKIM_B_LINE 64          /* b= characters per folded line */

static const char *const dkim_signed[] = {
    "from", "to", "subject", "date", "message-id", "mime-version",
    "content-type", "tls-report-domain", "tls-report-submitter",
    "auto-submitted",
};

#define DKIM_H_TAG "from:to:subject:date:message-id:\r\n\tmime-version:" \
    "content-type:tls-report-domain:\r\n\ttls-report-submitter:" \
    "auto-submitted"

struct dkim {
    EVP_PKEY *key;
    int     ed25519;
    char    selector[DNAME_MAX + 1];
    char    domain[DNAME_MAX + 1];
};

/* dkim_ossl - "what: OpenSSL reason" into err */
static void
dkim_ossl(char *err, size_t cap, const char *what)
{
    char    buf[256];
    unsigned long e = ERR_get_error();

    if (e) {
        ERR_error_string_n(e, buf, sizeof(buf));
        snprintf(err, cap, "%s: %s", what, buf);
    } else {
        snprintf(err, cap, "%s", what);
    }
    ERR_clear_error();
}

/* dkim_nopass - an encrypted key cannot be used unattended */
static int
dkim_nopass(char *buf, int size, int rw, void *u)
{
    (void) buf;
    (void) size;
    (void) rw;
    (void) u;
    return -1;
}

/* dkim_create - load key, check names */
struct dkim *
dkim_create(const char *keyfile, const char *selector, const char *domain,
            char *err, size_t cap)
{
    struct dkim *dk;
    BIO    *bio;
    int     id;

    if (keyfile == NULL || selector == NULL || domain == NULL) {
        snprintf(err, cap, "DKIM needs a key, a selector and a domain");
        return NULL;
    }
    dk = xcalloc(1, sizeof(*dk));
    if (dname_norm(selector, strlen(selector), dk->selector) != 0
        || dname_norm(domain, strlen(domain), dk->domain) != 0) {
        snprintf(err, cap, "DKIM selector or domain is not a valid name");
        return dkim_free(dk);
    }
    if ((bio = BIO_new_file(keyfile, "r")) == NULL) {
        dkim_ossl(err, cap, keyfile);
        return dkim_free(dk);
    }
    dk->key = PEM_read_bio_PrivateKey(bio, NULL, dkim_nopass, NULL);
    BIO_free(bio);
    if (dk->key == NULL) {
        dkim_ossl(err, cap, "DKIM key: not a PEM private key (or "
                  "encrypted)");
        return dkim_free(dk);
    }
    id = EVP_PKEY_get_base_id(dk->key);
    if (id == EVP_PKEY_ED25519) {
        dk->ed25519 = 1;
    } else if (id != EVP_PKEY_RSA || EVP_PKEY_get_bits(dk->key) < 1024) {
        snprintf(err, cap, "DKIM key: RSA of 1024 bits or more, or "
                 "Ed25519 (RFC 8301, RFC 8463)");
        return dkim_free(dk);
    }
    return dk;
}

/* dkim_free - release; NULL */
struct dkim *
dkim_free(struct dkim *dk)
{
    if (dk) {
        EVP_PKEY_free(dk->key);
        xfree(dk);
    }
    return NULL;
}

/* dkim_domain - d= */
const char *
dkim_domain(const struct dkim *dk)
{
    return dk->domain;
}

/* dkim_algorithm - a= */
const char *
dkim_algorithm(const struct dkim *dk)
{
    return dk->ed25519 ? "ed25519-sha256" : "rsa-sha256";
}

/* dkim_wsp - space or tab */
static int
dkim_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* dkim_canon_body - relaxed body: WSP runs to one SP, none at line
 * ends, no empty lines at the end, CRLF after the last line */
char   *
dkim_canon_body(const char *body, size_t len, size_t *out)
{
    char   *o = xmalloc(2 * len + 3);      /* bare LF lines grow to CRLF */
    size_t  n = 0, i = 0, empty = 0;

    while (i < len) {
        size_t  eol = i, end, k;
        int     sp = 0, text = 0;

        while (eol < len && body[eol] != '\n')
            eol++;
        end = eol > i && body[eol - 1] == '\r' && eol < len ? eol - 1 : eol;
        for (k = i; k < end; k++)
            if (!dkim_wsp(body[k]))
                text = 1;
        if (!text) {
            empty++;                    /* held back: may be trailing */
        } else {
            for (; empty > 0; empty--) {
                o[n++] = '\r';
                o[n++] = '\n';
            }
            for (k = i; k < end; k++) {
                if (dkim_wsp(body[k])) {
                    sp = 1;
                    continue;
                }
                if (sp)
                    o[n++] = ' ';
                sp = 0;
                o[n++] = body[k];
            }
            o[n++] = '\r';
            o[n++] = '\n';
        }
        i = eol < len ? eol + 1 : eol;
    }
    *out = n;
    return o;
}

/* dkim_canon_header - relaxed field "name:value\r\n" */
char   *
dkim_canon_header(const char *field, size_t len, size_t *out)
{
    const char *colon = memchr(field, ':', len);
    char   *o = xmalloc(len + 3);
    size_t  n = 0, i, nl, v0;
    int     sp = 0;

    if (colon == NULL) {
        *out = 0;
        o[0] = 0;
        return o;
    }
    nl = (size_t) (colon - field);
    while (nl > 0 && dkim_wsp(field[nl - 1]))
        nl--;
    for (i = 0; i < nl; i++)
        o[n++] = (field[i] >= 'A' && field[i] <= 'Z')
            ? (char) (field[i] + 32) : field[i];
    o[n++] = ':';
    v0 = n;                             /* no WSP before the value */
    for (i = (size_t) (colon - field) + 1; i < len; i++) {
        char    c = field[i];

        if (c == '\r' || c == '\n')
            continue;                   /* unfold */
        if (dkim_wsp(c)) {
            sp = 1;
            continue;
        }
        if (sp && n > v0)
            o[n++] = ' ';
        sp = 0;
        o[n++] = c;
    }
    o[n++] = '\r';
    o[n++] = '\n';
    *out = n;
    return o;
}

struct dkim_field {
    const char *p;
    size_t  len;                /* without the final CRLF */
    size_t  nlen;               /* bytes of the name */
    int     used;
};

/* dkim_fields - split a header block into fields; count */
static size_t
dkim_fields(const char *h, size_t len, struct dkim_field *f, size_t max)
{
    size_t  n = 0, i = 0;

    while (i < len && n < max) {
        size_t  start = i;
        const char *colon;

        if (h[i] == '\r' || h[i] == '\n')
            break;                      /* the empty line: end of header */
        for (;;) {
            while (i < len && h[i] != '\n')
                i++;
            if (i < len)
                i++;
            if (i >= len || !dkim_wsp(h[i]))
                break;                  /* no continuation line */
        }
        f[n].p = h + start;
        f[n].len = i - start;
        while (f[n].len > 0 && (f[n].p[f[n].len - 1] == '\n'
                                || f[n].p[f[n].len - 1] == '\r'))
            f[n].len--;
        colon = memchr(f[n].p, ':', f[n].len);
        f[n].nlen = colon ? (size_t) (colon - f[n].p) : 0;
        while (f[n].nlen > 0 && dkim_wsp(f[n].p[f[n].nlen - 1]))
            f[n].nlen--;
        f[n].used = 0;
        n++;
    }
    return n;
}

/* dkim_b64 - base64 of n bytes, NUL-terminated, malloc'd */
static char *
dkim_b64(const unsigned char *d, size_t n)
{
    char   *o = xmalloc(4 * ((n + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *) o, d, (int) n);
    return o;
}

/* dkim_sha256 - digest of data into md[32]; 0 or -1 */
static int
dkim_sha256(const void *data, size_t len, unsigned char *md)
{
    unsigned int mdlen = 0;

    return EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) == 1
        && mdlen == 32 ? 0 : -1;
}

/* dkim_append - grow buffer *b (len *n) by s[0..k) */
static void
dkim_append(char **b, size_t *n, const char *s, size_t k)
{
    *b = xrealloc(*b, *n + k + 1);
    memcpy(*b + *n, s, k);
    *n += k;
    (*b)[*n] = 0;
}

/* dkim_sign - the DKIM-Signature field */
char   *
dkim_sign(const struct dkim *dk, const char *hdrs, size_t hlen,
          const char *body, size_t blen, int64_t now, char *err, size_t cap)
{
    struct dkim_field f[DKIM_MAX_FIELDS];
    unsigned char md[32], sig[1024];
    size_t  nf, i, k, clen, dlen = 0, siglen = sizeof(sig);
    char   *canon, *data = NULL, *bh, *field = NULL, *b64;
    char    head[1024];
    EVP_MD_CTX *ctx = NULL;
    int     ok, hn;

    canon = dkim_canon_body(body, blen, &clen);
    ok = dkim_sha256(canon, clen, md) == 0;
    free(canon);
    if (!ok) {
        dkim_ossl(err, cap, "DKIM body hash");
        return NULL;
    }
    bh = dkim_b64(md, 32);
    hn = snprintf(head, sizeof(head), "DKIM-Signature: v=1; a=%s; "
                  "c=relaxed/relaxed; d=%s; s=%s;\r\n\tt=%lld; h=%s;\r\n\t"
                  "bh=%s;\r\n\tb=", dkim_algorithm(dk), dk->domain,
                  dk->selector, (long long) now, DKIM_H_TAG, bh);
    free(bh);
    if (hn < 0 || (size_t) hn >= sizeof(head)) {
        snprintf(err, cap, "DKIM-Signature field too long");
        return NULL;
    }
    /* the signed fields, bottom-up per name; absent ones add nothing */
    nf = dkim_fields(hdrs, hlen, f, DKIM_MAX_FIELDS);
    for (k = 0; k < sizeof(dkim_signed) / sizeof(dkim_signed[0]); k++) {
        for (i = nf; i-- > 0;) {
            if (f[i].used || f[i].nlen != strlen(dkim_signed[k])
                || strncasecmp(f[i].p, dkim_signed[k], f[i].nlen) != 0)
                continue;
            f[i].used = 1;
            canon = dkim_canon_header(f[i].p, f[i].len, &clen);
            dkim_append(&data, &dlen, canon, clen);
            free(canon);
            break;
        }
    }
    canon = dkim_canon_header(head, (size_t) hn, &clen);
    dkim_append(&data, &dlen, canon, clen - 2);         /* no CRLF */
    free(canon);

    ok = (ctx = EVP_MD_CTX_new()) != NULL;
    if (ok && dk->ed25519)
        ok = dkim_sha256(data, dlen, md) == 0
            && EVP_DigestSignInit(ctx, NULL, NULL, NULL, dk->key) == 1
            && EVP_DigestSign(ctx, NULL, &siglen, md, 32) == 1
            && siglen <= sizeof(sig)
            && EVP_DigestSign(ctx, sig, &siglen, md, 32) == 1;
    else if (ok)
        ok = EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, dk->key) == 1
            && EVP_DigestSign(ctx, NULL, &siglen, (unsigned char *) data,
                              dlen) == 1
            && siglen <= sizeof(sig)
            && EVP_DigestSign(ctx, sig, &siglen, (unsigned char *) data,
                              dlen) == 1;
    EVP_MD_CTX_free(ctx);
    free(data);
    if (!ok) {
        dkim_ossl(err, cap, "DKIM signing");
        return NULL;
    }
    b64 = dkim_b64(sig, siglen);
    clen = 0;
    dkim_append(&field, &clen, head, (size_t) hn);
    for (i = 0, k = strlen(b64); i < k; i += DKIM_B_LINE) {
        if (i > 0)
            dkim_append(&field, &clen, "\r\n\t", 3);
        dkim_append(&field, &clen, b64 + i,
                    k - i < DKIM_B_LINE ? k - i : DKIM_B_LINE);
    }
    dkim_append(&field, &clen, "\r\n", 2);
    free(b64);
    return field;
}
