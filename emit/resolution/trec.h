/* emit/resolution/trec.h - the TLSRPT record: "_smtp._tls.<domain> TXT v=TLSRPTv1;..."
 *
 * trec_parse() applies RFC 8460 section 3 to the TXT records found at
 * _smtp._tls.<domain>: records not starting with "v=TLSRPTv1" + optional
 * space/tab + ";" are dropped (CHECKLIST 8); if not exactly one is left,
 * the domain has no TLSRPT; the one left must follow the section 3
 * grammar (unknown extension fields are ignored); its rua list is split
 * on "," before %-decoding; malformed and unsupported URIs are dropped
 * with a warning; without a usable URI the domain has no TLSRPT.
 * Every byte is treated as hostile: lengths are bounded, every mail
 * domain and URL host is validated (util/dname.h, util/ipaddr.h) before
 * it is stored. Pure: no I/O, no allocation, no global state.
 * Thread safety: pure functions.
 */
#ifndef EMIT_TREC_H
#define EMIT_TREC_H

#include <stddef.h>

#include "../../util/dname.h"
#include "../../util/span.h"

#define TREC_MAX_TEXT 2048      /* one joined record, bytes */
#define TREC_MAX_RUA 8          /* usable report URIs kept */
#define TREC_MAX_URI 400        /* one URI, bytes */
#define TREC_MAX_WARN 8         /* warnings kept */
#define TREC_MSG 200            /* one message, bytes with NUL */

enum trec_scheme {
    TREC_MAILTO = 1,            /* uri "mailto:LOCAL@DOMAIN", one address */
    TREC_HTTPS,                 /* uri: the https URL as published */
};

struct trec_rua {
    int     scheme;             /* enum trec_scheme */
    int     port;               /* https: explicit port or 443; mailto 0 */
    char    uri[TREC_MAX_URI + 1];
    char    host[DNAME_MAX + 1];        /* mail domain, or URL host: a
                                         * canonical name or an address
                                         * in ipaddr_norm form */
};

enum trec_status {
    TREC_OK = 0,                /* one record, at least one usable URI */
    TREC_NONE,                  /* no record starts with v=TLSRPTv1; */
    TREC_MULTIPLE,              /* more than one does */
    TREC_SYNTAX,                /* the record breaks the RFC 8460 grammar */
    TREC_NO_RUA,                /* no rua field or no usable URI in it */
    TREC_TOO_LONG,              /* longer than TREC_MAX_TEXT */
};

struct trec {
    int     status;             /* enum trec_status */
    size_t  nrecords;           /* records that start with v=TLSRPTv1 */
    char    record[TREC_MAX_TEXT + 1];  /* the TLSRPT record (printable:
                                         * other bytes shown as '?') */
    size_t  nrua;
    struct trec_rua rua[TREC_MAX_RUA];
    size_t  nwarn;              /* may exceed TREC_MAX_WARN: kept first */
    char    warn[TREC_MAX_WARN][TREC_MSG];
    char    error[TREC_MSG];    /* why status != TREC_OK, else "" */
};

/* trec_parse - judge the n TXT records (strings already joined) of one
 * _smtp._tls name; fills *out, returns out->status. Cost O(total bytes) */
int     trec_parse(const struct span *txt, size_t n, struct trec *out);

/* 1 when txt starts a TLSRPT version 1 record (the prefix rule) */
int     trec_is_v1(struct span txt);

/* text for a status: "ok", "no-record", "multiple-records", "invalid",
 * "no-rua", "too-long" */
const char *trec_status_name(int status);

/* trec_uri - judge one report URI (already split off the rua list, not
 * decoded); 0 and up to max entries in out[] (a mailto: URI may name
 * several addresses), *nout set; -1 with the reason in why[TREC_MSG]. */
int     trec_uri(struct span uri, struct trec_rua *out, size_t max,
                 size_t *nout, char *why);

/* trec_field_next - the next field of a "v=...; name=value; ..." TXT
 * record (RFC 8460 section 3, RFC 8461 section 3.1 share the shape).
 * *cur is just after the version or the previous value: 1 with name
 * (the ext-name grammar) and value (up to the next ';', trailing space
 * and tab removed; the caller checks its grammar), 0 at the end (a
 * trailing ';' is allowed), -1 with why[TREC_MSG] on a grammar error */
int     trec_field_next(struct span *cur, struct span *name,
                        struct span *value, char *why);

/* the helpers of that shared shape: 1 when txt starts with tag (e.g.
 * "v=STSv1") then *WSP ";"; 1 when v is a non-empty ext-value
 * (1*(%x21-3A / %x3C / %x3E-7E)); a printable copy of s (other bytes
 * '?') cut to buf[cap] */
int     trec_is_tag(struct span txt, const char *tag);
int     trec_ext_value_ok(struct span v);
void    trec_show(struct span s, char *buf, size_t cap);

#endif
