/* emit/delivery/mail.c - the report mail: RFC 8460 section 5.3 MIME message
 *
 * NAME
 *      mail - build a multipart/report; report-type="tlsrpt" message
 * SYNOPSIS
 *      #include "emit/delivery/mail.h"
 * DESCRIPTION
 *      See mail.h for the layout. The header block and the body are
 *      built separately so that emit/delivery/dkim.c can sign them; the signature
 *      field goes first. Lines end in CRLF (SMTP's form; the sendmail
 *      path turns them into LF). No line is longer than 998 bytes: the
 *      longest is the Content-Disposition with a 255-byte file name.
 * DIAGNOSTICS
 *      NULL with the reason in err.
 */
#include "mail.h"
#include "dkim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../util/dname.h"
#include "../../util/mymalloc.h"

#define MAIL_ATEXT "!#$%&'*+-/=?^_`{|}~"
#define MAIL_B64_LINE 76
#define MAIL_KEY_MAX 64

struct mail_buf {
    char   *p;
    size_t  len;
    size_t  cap;
    int     over;                   /* went past MAIL_MAX */
};

/* mail_put - append n bytes (bounded by MAIL_MAX) */
static void
mail_put(struct mail_buf *b, const char *s, size_t n)
{
    if (b->over || b->len + n > MAIL_MAX) {
        b->over = 1;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 4096;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

/* mail_puts - append a string */
static void
mail_puts(struct mail_buf *b, const char *s)
{
    mail_put(b, s, strlen(s));
}

/* mail_printf - append formatted text (one header line at most) */
static void __attribute__((format(printf, 2, 3)))
mail_printf(struct mail_buf *b, const char *fmt, ...)
{
    char    line[1024];
    va_list ap;
    int     n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t) n >= sizeof(line))
        b->over = 1;
    else
        mail_put(b, line, (size_t) n);
}

/* mail_dot_atom - 1 when s[0..n) is RFC 5322 dot-atom-text (mail.h) */
int
mail_dot_atom(const char *s, size_t n)
{
    size_t  i;

    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s[i];

        if (c == '.' ? s[i + 1] == '.'
            : !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9') || strchr(MAIL_ATEXT, c)))
            return 0;
    }
    return 1;
}

/* mail_addr_ok - plain local@domain */
int
mail_addr_ok(const char *addr)
{
    const char *at = strrchr(addr, '@');
    size_t  local;

    if (at == NULL || strlen(addr) > MAIL_ADDR_MAX)
        return 0;
    local = (size_t) (at - addr);
    return local <= 64 && mail_dot_atom(addr, local)
        && dname_valid(at + 1) && !dname_is_numeric(at + 1);
}

/* mail_addr_norm - lower-case the domain, then check */
int
mail_addr_norm(const char *addr, char *out)
{
    const char *at = strrchr(addr, '@');
    char    dom[DNAME_MAX + 1];
    size_t  local;

    if (at == NULL || strlen(addr) > MAIL_ADDR_MAX
        || dname_norm(at + 1, strlen(at + 1), dom) != 0)
        return -1;
    local = (size_t) (at - addr);
    if (local + 1 + strlen(dom) > MAIL_ADDR_MAX)
        return -1;
    memcpy(out, addr, local);
    out[local] = '@';
    strcpy(out + local + 1, dom);
    return mail_addr_ok(out) ? 0 : -1;
}

/* mail_addr_domain - after the last '@' */
const char *
mail_addr_domain(const char *addr)
{
    const char *at = strrchr(addr, '@');

    return at ? at + 1 : addr;
}

/* mail_date - RFC 5322 date, UTC, English names whatever the locale */
void
mail_date(int64_t t, char *buf, size_t cap)
{
    static const char days[7][4] = {
        "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
    };
    static const char mons[12][4] = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
        "Oct", "Nov", "Dec",
    };
    time_t  tt = (time_t) t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL)
        memset(&tm, 0, sizeof(tm));
    snprintf(buf, cap, "%s, %02d %s %04d %02d:%02d:%02d +0000",
             days[tm.tm_wday % 7], tm.tm_mday, mons[tm.tm_mon % 12],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* mail_safe - 1 when s is non-empty and of [A-Za-z0-9.!@_-] only */
static int
mail_safe(const char *s, size_t max)
{
    size_t  i;

    for (i = 0; s[i]; i++)
        if (i >= max || !((s[i] >= 'a' && s[i] <= 'z')
                          || (s[i] >= 'A' && s[i] <= 'Z')
                          || (s[i] >= '0' && s[i] <= '9')
                          || strchr(".!@_-", s[i])))
            return 0;
    return i > 0;
}

/* mail_rid_ok - report-id: dot-atom-text "@" dot-atom-text */
static int
mail_rid_ok(const char *rid)
{
    const char *at = strchr(rid, '@');
    size_t  n = strlen(rid);

    return at != NULL && n <= MAIL_ADDR_MAX && strchr(at + 1, '@') == NULL
        && mail_dot_atom(rid, (size_t) (at - rid))
        && mail_dot_atom(at + 1, n - (size_t) (at - rid) - 1);
}

/* mail_check - refuse anything that could break a header */
static int
mail_check(const struct mail_spec *s, char *err, size_t cap)
{
    size_t  i;

    if (s->from == NULL || !mail_addr_ok(s->from)) {
        snprintf(err, cap, "sender address refused (plain local@domain "
                 "only)");
        return -1;
    }
    if (s->nto == 0 || s->nto > 16) {
        snprintf(err, cap, "1..16 recipients, not %zu", s->nto);
        return -1;
    }
    for (i = 0; i < s->nto; i++)
        if (s->to[i] == NULL || !mail_addr_ok(s->to[i])) {
            snprintf(err, cap, "recipient address refused (plain "
                     "local@domain only)");
            return -1;
        }
    if (s->domain == NULL || !dname_valid(s->domain)
        || s->submitter == NULL || !dname_valid(s->submitter)
        || s->report_id == NULL || !mail_rid_ok(s->report_id)
        || s->file_name == NULL || !mail_safe(s->file_name, 255)
        || s->key == NULL || !mail_safe(s->key, MAIL_KEY_MAX)
        || strchr(s->key, '@') || strchr(s->key, '!')) {
        snprintf(err, cap, "report domain, submitter, report-id, file name "
                 "or key refused");
        return -1;
    }
    if (s->report == NULL || s->len == 0 || s->len > MAIL_MAX / 2) {
        snprintf(err, cap, "report size %zu refused", s->len);
        return -1;
    }
    return 0;
}

/* mail_base64 - data as base64 lines of MAIL_B64_LINE, CRLF after each */
static void
mail_base64(struct mail_buf *b, const unsigned char *d, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char    line[MAIL_B64_LINE + 2];
    size_t  i, o = 0;

    for (i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long) d[i] << 16;

        if (i + 1 < n)
            v |= (unsigned long) d[i + 1] << 8;
        if (i + 2 < n)
            v |= d[i + 2];
        line[o++] = tab[(v >> 18) & 63];
        line[o++] = tab[(v >> 12) & 63];
        line[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        line[o++] = i + 2 < n ? tab[v & 63] : '=';
        if (o == MAIL_B64_LINE || i + 3 >= n) {
            line[o++] = '\r';
            line[o++] = '\n';
            mail_put(b, line, o);
            o = 0;
        }
    }
}

/* mail_headers - the header block, ending with the empty line */
static void
mail_headers(struct mail_buf *h, const struct mail_spec *s)
{
    char    date[64];
    size_t  i;

    mail_date(s->date, date, sizeof(date));
    mail_printf(h, "From: %s\r\n", s->from);
    mail_printf(h, "To: %s", s->to[0]);
    for (i = 1; i < s->nto; i++)
        mail_printf(h, ",\r\n %s", s->to[i]);
    mail_puts(h, "\r\n");
    mail_printf(h, "Subject: Report Domain: %s\r\n Submitter: %s\r\n "
                "Report-ID: <%s>\r\n", s->domain, s->submitter,
                s->report_id);
    mail_printf(h, "Date: %s\r\n", date);
    mail_printf(h, "Message-ID: <%s.%s>\r\n", s->key, s->report_id);
    mail_puts(h, "MIME-Version: 1.0\r\n");
    mail_printf(h, "TLS-Report-Domain: %s\r\n", s->domain);
    mail_printf(h, "TLS-Report-Submitter: %s\r\n", s->submitter);
    mail_puts(h, "TLS-Required: No\r\n");
    mail_puts(h, "Auto-Submitted: auto-generated\r\n");
    mail_printf(h, "Content-Type: multipart/report; report-type=\"tlsrpt\";"
                "\r\n boundary=\"=_tlsrpt_%s\"\r\n", s->key);
    mail_puts(h, "\r\n");
}

/* mail_body - preamble, text part, report part, closing boundary */
static void
mail_body(struct mail_buf *b, const struct mail_spec *s)
{
    const char *type = s->gz ? "application/tlsrpt+gzip"
        : "application/tlsrpt+json";

    mail_puts(b, "This is a multipart message in MIME format.\r\n\r\n");
    mail_printf(b, "--=_tlsrpt_%s\r\n", s->key);
    mail_puts(b, "Content-Type: text/plain; charset=\"us-ascii\"\r\n"
              "Content-Transfer-Encoding: 7bit\r\n\r\n");
    mail_printf(b, "This is an aggregate TLS report from %s.\r\n\r\n",
                s->submitter);
    mail_printf(b, "Report domain: %s\r\n", s->domain);
    mail_printf(b, "Report-ID: <%s>\r\n", s->report_id);
    mail_puts(b, "The report (RFC 8460, SMTP TLS Reporting) is attached."
              "\r\n\r\n");
    mail_printf(b, "--=_tlsrpt_%s\r\n", s->key);
    mail_printf(b, "Content-Type: %s;\r\n name=\"%s\"\r\n", type,
                s->file_name);
    mail_puts(b, "Content-Transfer-Encoding: base64\r\n");
    mail_printf(b, "Content-Disposition: attachment;\r\n filename=\"%s\""
                "\r\n\r\n", s->file_name);
    mail_base64(b, s->report, s->len);
    mail_printf(b, "\r\n--=_tlsrpt_%s--\r\n", s->key);
}

/* mail_build - the whole message, signed when dk is given */
char   *
mail_build(const struct mail_spec *s, const struct dkim *dk, size_t *len,
           char *err, size_t cap)
{
    struct mail_buf h = {0}, b = {0}, m = {0};
    char   *sig = NULL;

    *len = 0;
    if (mail_check(s, err, cap) != 0)
        return NULL;
    mail_headers(&h, s);
    mail_body(&b, s);
    if (h.over || b.over) {
        snprintf(err, cap, "message larger than %lu bytes", MAIL_MAX);
        goto fail;
    }
    if (dk != NULL && (sig = dkim_sign(dk, h.p, h.len, b.p, b.len, s->date,
                                       err, cap)) == NULL)
        goto fail;
    if (sig)
        mail_puts(&m, sig);
    mail_put(&m, h.p, h.len);
    mail_put(&m, b.p, b.len);
    if (m.over) {
        snprintf(err, cap, "message larger than %lu bytes", MAIL_MAX);
        goto fail;
    }
    free(sig);
    xfree(h.p);
    xfree(b.p);
    *len = m.len;
    return m.p;

fail:
    free(sig);
    xfree(h.p);
    xfree(b.p);
    xfree(m.p);
    return NULL;
}
