/* emit/delivery/dlv.h - deliver one report to one destination: HTTPS or mail
 *
 * dlv_parse() checks a destination (an RFC 8460 rua URI) and is used
 * both when a job is enqueued and when it is delivered:
 *   https://HOST[:PORT]/PATH   HOST a DNS name or an address literal;
 *                              no user information
 *   mailto:ADDR[,ADDR]...[?hfields]  RFC 6068; percent escapes decoded;
 *                              every ADDR a plain local@domain
 *                              (mail_addr_ok()); hfields are ignored
 * Anything else, and anything with control characters or spaces, is
 * refused: the destination came from DNS, which anyone can publish.
 *
 * dlv_deliver() makes one attempt:
 *   https: POST with libcurl. Body the report as stored, Content-Type
 *          application/tlsrpt+gzip (or +json). The host is resolved
 *          first (the configured resolver through emit/resolution/dns.h, else
 *          getaddrinfo(3)); every address must be public (util/ipclass.h)
 *          unless allow_private, and curl connects only to the addresses
 *          checked (CURLOPT_RESOLVE). TLS verification is always on
 *          (system CAs plus ca_file), no proxy, no redirects followed:
 *          a 3xx is a failure that names its Location. Any 2xx is
 *          delivered. Status and a bounded excerpt of the answer go into
 *          the outcome text.
 *   mailto: a multipart/report message (emit/delivery/mail.h), DKIM-signed when
 *          a key is configured, sent through smtp_relay (smtp:// with
 *          STARTTLS when offered, required when the URL carries a user
 *          name; smtps://) or piped to "sendmail -t -oi -f FROM".
 *
 * Thread safety: dlv_init() once before threads; then no shared state.
 */
#ifndef EMIT_DLV_H
#define EMIT_DLV_H

#include <stddef.h>
#include <stdint.h>

#include "../../util/dname.h"

#define DLV_MAX_RCPT 4          /* addresses in one mailto: URI */
#define DLV_MAX_ADDR 254        /* one address, bytes */
#define DLV_EXCERPT 160         /* bytes of a server answer kept */
#define DLV_TIMEOUT_DEFAULT 60L /* seconds per attempt */
#define DLV_SENDMAIL "/usr/sbin/sendmail"

enum dlv_kind {
    DLV_HTTPS = 1,
    DLV_MAILTO,
};

struct dlv_target {
    int     kind;               /* enum dlv_kind */
    char    host[DNAME_MAX + 1];        /* https: name or address, no [] */
    int     literal;            /* host is an address literal */
    unsigned port;              /* https: 443 unless given */
    char    rcpt[DLV_MAX_RCPT][DLV_MAX_ADDR + 1];       /* mailto: */
    size_t  nrcpt;
};

struct dkim;

struct dlv_conf {
    const char *smtp_relay;     /* smtp:// or smtps:// URL; NULL: sendmail */
    const char *sendmail;       /* sendmail program; NULL: DLV_SENDMAIL */
    const char *mail_from;      /* envelope and From: address */
    const char *ca_file;        /* extra trusted CAs, or NULL */
    const char *resolver;       /* ADDR[:PORT] for lookups, or NULL */
    int     allow_private;      /* allow non-public target addresses */
    long    timeout;            /* seconds per attempt; 0: default */
    const struct dkim *dkim;    /* NULL: mail goes unsigned */
};

struct dlv_report {
    const char *name;           /* RFC 8460 section 5.1 file name */
    const void *data;           /* the file's bytes */
    size_t  len;
    const char *domain;         /* policy domain */
    const char *submitter;      /* domain of contact-info */
    const char *report_id;      /* the JSON's report-id */
    const char *key;            /* stable per (report, destination): the
                                 * job id, for Message-ID and boundary */
    int64_t now;                /* Date: */
};

/* once per process, before any thread: curl_global_init; 0 or -1 */
int     dlv_init(void);
void    dlv_end(void);

/* parse and check a destination; 0, or -1 with why[cap] */
int     dlv_parse(const char *dest, struct dlv_target *t, char *why,
                  size_t cap);

/* one attempt; 0 delivered, -1 not (status[cap] says why either way) */
int     dlv_deliver(const struct dlv_conf *c, const char *dest,
                    const struct dlv_report *r, char *status, size_t cap);

/* dest with any user:password@ of a URL cut out, for logs */
void    dlv_redact(const char *url, char *out, size_t cap);

/* internal to emit/dlv*.c */
int     dlv_https(const struct dlv_conf *c, const char *url,
                  const struct dlv_target *t, const struct dlv_report *r,
                  char *status, size_t cap);
int     dlv_mail(const struct dlv_conf *c, const struct dlv_target *t,
                 const struct dlv_report *r, char *status, size_t cap);
void    dlv_printable(const char *in, size_t len, char *out, size_t cap);
int     dlv_curl_common(void *curl, const struct dlv_conf *c, char *errbuf);
int     dlv_pin(const struct dlv_conf *c, const struct dlv_target *t,
                char *pin, size_t pcap, char *why, size_t cap);

#endif
