/* emit/delivery/dkim.h - DKIM signatures (RFC 6376) for report mail, in process
 *
 * RFC 8460 section 3: report mail MUST carry a valid DKIM signature of
 * the reporting domain, without l=; receivers such as mox drop it
 * otherwise, and accept only d= equal to the From domain or a parent.
 *
 * dkim_create() loads a PEM private key (RSA of at least 1024 bits, or
 * Ed25519) with OpenSSL. dkim_sign() returns the DKIM-Signature field
 * for a header block and body: v=1, a=rsa-sha256 or ed25519-sha256
 * (RFC 8463), c=relaxed/relaxed, d=, s=, t=, no l=, no x=, and
 * h=from:to:subject:date:message-id:mime-version:content-type:
 * tls-report-domain:tls-report-submitter:auto-submitted (the two
 * TLS-Report fields as RFC 8460 section 5.3 asks; TLS-Required is left
 * out because an MTA may remove it). A name in h= absent from the
 * header block is signed as absent, so it cannot be added later.
 *
 * The public key to publish at SELECTOR._domainkey.DOMAIN is
 * "v=DKIM1; k=rsa; s=tlsrpt; p=..." (or k=ed25519); docs/delivery.md
 * shows how to make it with openssl.
 *
 * Thread safety: a struct dkim is read-only after dkim_create().
 */
#ifndef EMIT_DKIM_H
#define EMIT_DKIM_H

#include <stddef.h>
#include <stdint.h>

struct dkim;                    /* opaque */

/* load key file; selector and domain as given (checked as DNS names);
 * NULL with err[cap] */
struct dkim *dkim_create(const char *keyfile, const char *selector,
                         const char *domain, char *err, size_t cap);
struct dkim *dkim_free(struct dkim *dk);        /* always NULL */

/* the signing domain (canonical) */
const char *dkim_domain(const struct dkim *dk);

/* "rsa-sha256" or "ed25519-sha256" */
const char *dkim_algorithm(const struct dkim *dk);

/* "DKIM-Signature: ...\r\n" (malloc'd) for hdrs (CRLF lines, may end
 * with the empty line) and body; NULL with err */
char   *dkim_sign(const struct dkim *dk, const char *hdrs, size_t hlen,
                  const char *body, size_t blen, int64_t now, char *err,
                  size_t cap);

/* relaxed canonical body (RFC 6376 3.4.4), malloc'd, *out bytes */
char   *dkim_canon_body(const char *body, size_t len, size_t *out);

/* relaxed canonical header field "name:value\r\n" (3.4.2) of one field
 * given with its continuation lines, without the final CRLF */
char   *dkim_canon_header(const char *field, size_t len, size_t *out);

#endif
