/* emit/delivery/mail.h - the report mail: RFC 8460 section 5.3 MIME message
 *
 * mail_build() writes, with CRLF line ends:
 *
 *   [DKIM-Signature: ...              when a key is given (emit/delivery/dkim.h)]
 *   From: FROM
 *   To: RCPT[, RCPT]...
 *   Subject: Report Domain: DOMAIN
 *    Submitter: SUBMITTER
 *    Report-ID: <REPORT-ID>
 *   Date: RFC 5322 date (UTC)
 *   Message-ID: <KEY.REPORT-ID>      stable for a (report, destination),
 *                                    so a resent mail is a duplicate
 *   MIME-Version: 1.0
 *   TLS-Report-Domain: DOMAIN
 *   TLS-Report-Submitter: SUBMITTER
 *   TLS-Required: No                 RFC 8689: never held back by TLS
 *   Auto-Submitted: auto-generated   RFC 3834: no auto-replies
 *   Content-Type: multipart/report; report-type="tlsrpt";
 *    boundary="=_tlsrpt_KEY"
 *
 *   a text/plain part ("This is an aggregate TLS report from ..."), then
 *   the report as application/tlsrpt+gzip (or +json), base64 in lines
 *   of 76, Content-Disposition: attachment; filename="NAME", the same
 *   name also as the Content-Type's name parameter (as Google does).
 *
 * Every value put into a header is checked first (addresses with
 * mail_addr_ok(), domains canonical, the report-id dot-atom@dot-atom,
 * the file name RFC 8460's): no CR, LF or quote can get in.
 * Thread safety: no shared state.
 */
#ifndef EMIT_MAIL_H
#define EMIT_MAIL_H

#include <stddef.h>
#include <stdint.h>

#define MAIL_MAX (16UL << 20)   /* a whole message, bytes */
#define MAIL_ADDR_MAX 254

struct dkim;

struct mail_spec {
    const char *from;           /* envelope sender and From: */
    const char *const *to;      /* recipients (To:) */
    size_t  nto;
    const char *domain;         /* policy domain: TLS-Report-Domain */
    const char *submitter;      /* TLS-Report-Submitter */
    const char *report_id;      /* Subject's Report-ID */
    const char *file_name;      /* attachment name (RFC 8460 5.1) */
    const void *report;         /* the attachment's bytes */
    size_t  len;
    int     gz;                 /* application/tlsrpt+gzip, else +json */
    const char *key;            /* letters and digits: Message-ID and
                                 * boundary */
    int64_t date;               /* epoch seconds for Date: */
};

/* the message (malloc'd, *len bytes, NUL after them), DKIM-signed when
 * dk is not NULL; NULL with err[cap] when an input is refused */
char   *mail_build(const struct mail_spec *s, const struct dkim *dk,
                   size_t *len, char *err, size_t cap);

/* 1 when addr is a plain local@domain: a dot-atom local part of at most
 * 64 bytes, a canonical domain (util/dname.h), 254 bytes in all */
int     mail_addr_ok(const char *addr);

/* lower-case the domain of addr into out[MAIL_ADDR_MAX + 1] and check
 * it with mail_addr_ok(); 0 or -1 */
int     mail_addr_norm(const char *addr, char *out);

/* the domain of a checked address (after the last '@') */
const char *mail_addr_domain(const char *addr);

/* RFC 5322 date-time for t, UTC ("Mon, 02 Jan 2006 15:04:05 +0000") */
void    mail_date(int64_t t, char *buf, size_t cap);

/* 1 when s[0..n) is RFC 5322 dot-atom-text (atext and single dots) */
int     mail_dot_atom(const char *s, size_t n);

#endif
