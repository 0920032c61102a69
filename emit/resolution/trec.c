/* emit/resolution/trec.c - the TLSRPT record (RFC 8460 section 3)
 *
 * NAME
 *      trec - find, parse and judge a domain's TLSRPT record
 * SYNOPSIS
 *      #include "emit/resolution/trec.h"
 *
 *      int   trec_parse(txt, n, out)
 *      int   trec_is_v1(txt)
 *      int   trec_uri(uri, out, max, nout, why)
 *      int   trec_field_next(cur, name, value, why)
 * DESCRIPTION
 *      The grammar (RFC 8460 section 3, RFC 7405 %s = case-sensitive):
 *
 *        tlsrpt-record  = %s"v=TLSRPTv1" 1*(field-delim tlsrpt-field)
 *                         [field-delim]
 *        field-delim    = *WSP ";" *WSP
 *        tlsrpt-rua     = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 *        tlsrpt-ext-name  = (ALPHA / DIGIT) *31(ALPHA/DIGIT/"_"/"-"/".")
 *        tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
 *
 *      Choices where the RFC is silent or inconsistent (docs/resolution.md):
 *      - the prefix rule accepts "v=TLSRPTv1" + spaces/tabs + ";", as
 *        Postfix and mox do, and drops "v=TLSRPTv10;" (CHECKLIST 8);
 *      - a second rua field makes the record invalid: which list the
 *        domain meant is unknown, and a report must not go astray;
 *      - inside a URI "," "!" ";" must be %-encoded, so the list is split
 *        on "," first and each URI decoded afterwards;
 *      - mailto: the address part (before "?") is %-decoded; it may name
 *        several addresses (RFC 6068, "%2C"); each must be a dot-atom
 *        addr-spec with a domain of two or more labels; hfields ignored;
 *      - https: "//host[:port]/path[?query][#frag]", no userinfo; host a
 *        domain name of two or more labels, an IPv4 address or [IPv6];
 *        a name whose last label is all digits ("0x7f.1") is neither;
 *      - any other scheme is dropped with a warning.
 * DIAGNOSTICS
 *      Nothing is printed: the caller gets status, error and warnings.
 */
#include "trec.h"

#include <stdio.h>
#include <string.h>

#include "../../util/ipaddr.h"

#define TREC_WSP(c) ((c) == ' ' || (c) == '\t')
#define TREC_ALNUM(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') \
                       || ((c) >= '0' && (c) <= '9'))

/* trec_status_name - text for a status */
const char *
trec_status_name(int status)
{
    static const char *const names[] = {
        "ok", "no-record", "multiple-records", "invalid", "no-rua",
        "too-long",
    };

    if (status < 0 || (size_t) status >= sizeof(names) / sizeof(names[0]))
        return "unknown";
    return names[status];
}

/* trec_show - printable copy of s (other bytes as '?'), cut at cap - 1 */
void
trec_show(struct span s, char *buf, size_t cap)
{
    size_t  i;
    size_t  n = s.len < cap - 1 ? s.len : cap - 1;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s.ptr[i];

        buf[i] = (char) (c >= 0x20 && c < 0x7f ? c : '?');
    }
    buf[n] = 0;
}

/* trec_is_tag - 1 when txt starts with tag, then *WSP ";" (trec.h) */
int
trec_is_tag(struct span txt, const char *tag)
{
    if (span_skip(&txt, tag) != 0)
        return 0;
    while (txt.len > 0 && TREC_WSP(*txt.ptr))
        span_drop(&txt, 1);
    return txt.len > 0 && *txt.ptr == ';';
}

/* trec_is_v1 - 1 when txt starts "v=TLSRPTv1" *WSP ";" */
int
trec_is_v1(struct span txt)
{
    return trec_is_tag(txt, "v=TLSRPTv1");
}

/* trec_field_next - next "name=value" after a field delimiter at *cur.
 * *cur starts at a delimiter (or at the end); returns 1 with name and
 * value (value runs to the next ';' or the end, trailing WSP removed),
 * 0 at the end of the record (a trailing delimiter is allowed), -1 with
 * why[TREC_MSG] on a grammar error. Shared with the _mta-sts parser. */
int
trec_field_next(struct span *cur, struct span *name, struct span *value,
                char *why)
{
    struct span s = *cur;
    char    shown[24];
    size_t  i;

    while (s.len > 0 && TREC_WSP(*s.ptr))
        span_drop(&s, 1);
    if (s.len == 0) {
        *cur = s;
        return 0;
    }
    if (*s.ptr != ';') {
        trec_show(s, shown, sizeof(shown));
        snprintf(why, TREC_MSG, "\";\" expected at \"%s\"", shown);
        return -1;
    }
    span_drop(&s, 1);
    while (s.len > 0 && TREC_WSP(*s.ptr))
        span_drop(&s, 1);
    if (s.len == 0) {
        *cur = s;
        return 0;
    }
    /* name: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") "=" */
    for (i = 0; i < s.len && i <= 32; i++) {
        unsigned char c = (unsigned char) s.ptr[i];

        if (!(TREC_ALNUM(c) || (i > 0 && (c == '_' || c == '-' || c == '.'))))
            break;
    }
    if (i == 0 || i > 32 || i >= s.len || s.ptr[i] != '=') {
        trec_show(s, shown, sizeof(shown));
        snprintf(why, TREC_MSG, "field name and \"=\" expected at \"%s\"",
                 shown);
        return -1;
    }
    name->ptr = s.ptr;
    name->len = i;
    span_drop(&s, i + 1);
    value->ptr = s.ptr;
    for (i = 0; i < s.len && s.ptr[i] != ';'; i++)
        ;
    value->len = i;
    span_drop(&s, i);
    while (value->len > 0 && TREC_WSP(value->ptr[value->len - 1]))
        value->len--;
    *cur = s;
    return 1;
}

/* trec_ext_value_ok - 1 when v is 1*(%x21-3A / %x3C / %x3E-7E) */
int
trec_ext_value_ok(struct span v)
{
    size_t  i;

    if (v.len == 0)
        return 0;
    for (i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char) v.ptr[i];

        if (c < 0x21 || c > 0x7e || c == ';' || c == '=')
            return 0;
    }
    return 1;
}

/* trec_hex - value of a hex digit, or -1 */
static int
trec_hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* trec_uri_chars_ok - 1 when every byte is an RFC 3986 URI character or
 * a complete %XX, and none of "," "!" ";" appears raw (RFC 8460 3) */
static int
trec_uri_chars_ok(struct span u, char *why)
{
    static const char other[] = "-._~:/?#[]@$&'()*+=";
    size_t  i;

    for (i = 0; i < u.len; i++) {
        unsigned char c = (unsigned char) u.ptr[i];

        if (c == '%') {
            if (i + 2 >= u.len) {
                snprintf(why, TREC_MSG, "incomplete %%-escape");
                return 0;
            }
            if (trec_hex((unsigned char) u.ptr[i + 1]) < 0
                || trec_hex((unsigned char) u.ptr[i + 2]) < 0) {
                snprintf(why, TREC_MSG, "bad %%-escape");
                return 0;
            }
            i += 2;
            continue;
        }
        if (TREC_ALNUM(c) || (c != 0 && strchr(other, c) != NULL))
            continue;
        if (c == '!' || c == ',' || c == ';')
            snprintf(why, TREC_MSG, "\"%c\" must be %%-encoded", c);
        else if (c == ' ' || c == '\t')
            snprintf(why, TREC_MSG, "space inside the URI");
        else
            snprintf(why, TREC_MSG, "byte 0x%02x is not a URI character", c);
        return 0;
    }
    return 1;
}

/* trec_decode - %-decode s into buf[cap]; 0, or -1 when a decoded byte is
 * not printable ASCII (NUL, controls, 8-bit) or the result is too long */
static int
trec_decode(struct span s, char *buf, size_t cap)
{
    size_t  i;
    size_t  o = 0;

    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char) s.ptr[i];

        if (c == '%' && i + 2 < s.len) {
            c = (unsigned char) (trec_hex((unsigned char) s.ptr[i + 1]) * 16
                                 + trec_hex((unsigned char) s.ptr[i + 2]));
            i += 2;
        }
        if (c < 0x21 || c > 0x7e || o + 1 >= cap)
            return -1;
        buf[o++] = (char) c;
    }
    buf[o] = 0;
    return 0;
}

/* trec_domain - canonical mail domain or host name of 2+ labels whose
 * last label is not all digits; 0/-1. No top-level domain is numeric
 * (RFC 3696 2): "0x7f.1" or "127.0x0.1" are inet_aton(3) spellings of
 * addresses, not names */
static int
trec_domain(const char *in, size_t len, char *out)
{
    const char *last;

    if (dname_norm(in, len, out) != 0 || (last = strrchr(out, '.')) == NULL
        || dname_is_numeric(last + 1))
        return -1;
    return 0;
}

/* trec_addr - a[len] as dot-atom "@" domain: "mailto:ADDR" in out[cap],
 * the canonical domain in dom; 0, or -1 when it is no such address */
static int
trec_addr(const char *a, size_t len, char *out, size_t cap, char *dom)
{
    /* RFC 5322 atext less "%" and "?": a decoded "%3F" or "%25" would
     * turn the URI written back ("mailto:ADDR") into hfields or an
     * escape; no report address needs them */
    static const char atext[] = "!#$&'*+-/=^_`{|}~";
    const char *at = NULL;
    size_t  i;

    for (i = 0; i < len; i++)
        if (a[i] == '@')
            at = a + i;
    if (at == NULL || at == a || a[0] == '.' || at[-1] == '.'
        || (size_t) (at - a) > 64)
        return -1;
    for (i = 0; a + i < at; i++) {
        unsigned char c = (unsigned char) a[i];

        if (c == '.' && a[i + 1] == '.')
            return -1;
        if (!(TREC_ALNUM(c) || c == '.' || (c != 0 && strchr(atext, c))))
            return -1;
    }
    if (trec_domain(at + 1, len - (size_t) (at + 1 - a), dom) != 0
        || at[len - (size_t) (at - a) - 1] == '.')
        return -1;
    if ((size_t) snprintf(out, cap, "mailto:%.*s@%s", (int) (at - a), a, dom)
        >= cap)
        return -1;
    return 0;
}

/* trec_mailto - "mailto:" URI body (after the colon): addresses */
static int
trec_mailto(struct span body, struct trec_rua *out, size_t max,
            size_t *nout, char *why)
{
    char    to[TREC_MAX_URI + 1];
    const char *q = body.len ? memchr(body.ptr, '?', body.len) : NULL;
    char   *p;
    char   *comma;

    /* hfields (subject, body, ...) are not ours to follow: ignored */
    if (q != NULL)
        body.len = (size_t) (q - body.ptr);
    if (body.len == 0) {
        snprintf(why, TREC_MSG, "mailto: without an address");
        return -1;
    }
    if (trec_decode(body, to, sizeof(to)) != 0) {
        snprintf(why, TREC_MSG, "mailto: address decodes to a space,"
                 " control or 8-bit byte");
        return -1;
    }
    *nout = 0;
    for (p = to; p != NULL; p = comma ? comma + 1 : NULL) {
        struct trec_rua *r;

        if ((comma = strchr(p, ',')) != NULL)
            *comma = 0;
        if (*nout >= max) {
            snprintf(why, TREC_MSG, "more than %zu addresses", max);
            return -1;
        }
        r = &out[*nout];
        memset(r, 0, sizeof(*r));
        r->scheme = TREC_MAILTO;
        if (trec_addr(p, strlen(p), r->uri, sizeof(r->uri), r->host) != 0) {
            snprintf(why, TREC_MSG, "mailto: \"%.80s\" is not an address"
                     " local@domain (dot-atom, domain of 2+ labels)", p);
            return -1;
        }
        (*nout)++;
    }
    return 0;
}

/* trec_https - "https:" URI body (after the colon) */
static int
trec_https(struct span uri, struct span body, struct trec_rua *out,
           char *why)
{
    struct span host;
    char    hbuf[DNAME_MAX + 1];
    size_t  i;
    long    port = 443;

    memset(out, 0, sizeof(*out));
    if (span_skip(&body, "//") != 0) {
        snprintf(why, TREC_MSG, "https: without \"//host\"");
        return -1;
    }
    for (i = 0; i < body.len && body.ptr[i] != '/' && body.ptr[i] != '?'
         && body.ptr[i] != '#'; i++)
        if (body.ptr[i] == '@' || body.ptr[i] == '%') {
            snprintf(why, TREC_MSG, "https: user name or %%-escape in the"
                     " host part");
            return -1;
        }
    host = span_make(body.ptr, i);
    span_drop(&body, i);
    if (host.len > 0 && host.ptr[0] == '[') {
        const char *rb = memchr(host.ptr, ']', host.len);

        if (rb == NULL || ipaddr_norm(host.ptr + 1,
                                      (size_t) (rb - host.ptr - 1), hbuf) != 0
            || strchr(hbuf, ':') == NULL) {
            snprintf(why, TREC_MSG, "https: bad IPv6 literal");
            return -1;
        }
        span_drop(&host, (size_t) (rb - host.ptr) + 1);
        strcpy(out->host, hbuf);
    } else {
        const char *colon = host.len ? memchr(host.ptr, ':', host.len) : NULL;
        size_t  hl = colon ? (size_t) (colon - host.ptr) : host.len;

        if (hl == 0) {
            snprintf(why, TREC_MSG, "https: empty host");
            return -1;
        }
        if (hl <= DNAME_MAX && dname_norm(host.ptr, hl, hbuf) == 0
            && dname_is_numeric(hbuf)) {
            if (ipaddr_norm(host.ptr, hl, hbuf) != 0) {
                snprintf(why, TREC_MSG, "https: bad IPv4 address");
                return -1;
            }
        } else if (trec_domain(host.ptr, hl, hbuf) != 0
                   || host.ptr[hl - 1] == '.') {
            snprintf(why, TREC_MSG, "https: host \"%.*s\" is not a domain"
                     " name of 2+ labels or an address",
                     (int) (hl > 80 ? 80 : hl), host.ptr);
            return -1;
        }
        strcpy(out->host, hbuf);
        span_drop(&host, hl);
    }
    if (host.len > 0) {
        /* ":" port, 1..65535 */
        port = 0;
        if (*host.ptr != ':' || host.len < 2 || host.len > 6) {
            snprintf(why, TREC_MSG, "https: bad port");
            return -1;
        }
        for (i = 1; i < host.len; i++) {
            if (host.ptr[i] < '0' || host.ptr[i] > '9') {
                snprintf(why, TREC_MSG, "https: bad port");
                return -1;
            }
            port = port * 10 + (host.ptr[i] - '0');
        }
        if (port < 1 || port > 65535) {
            snprintf(why, TREC_MSG, "https: port out of range");
            return -1;
        }
    }
    /* the rest (path, query, fragment) has only URI characters, checked
     * by the caller; "[" "]" are allowed only in the host */
    if (body.len > 0 && (memchr(body.ptr, '[', body.len) != NULL
                         || memchr(body.ptr, ']', body.len) != NULL)) {
        snprintf(why, TREC_MSG, "https: \"[\" or \"]\" outside the host");
        return -1;
    }
    out->scheme = TREC_HTTPS;
    out->port = (int) port;
    /* published text, scheme in lower case */
    snprintf(out->uri, sizeof(out->uri), "https:%.*s",
             (int) (uri.len - 6), uri.ptr + 6);
    return 0;
}

/* trec_uri - judge one URI of the rua list */
int
trec_uri(struct span uri, struct trec_rua *out, size_t max, size_t *nout,
         char *why)
{
    size_t  i;

    *nout = 0;
    why[0] = 0;
    if (uri.len == 0) {
        snprintf(why, TREC_MSG, "empty URI");
        return -1;
    }
    if (uri.len > TREC_MAX_URI) {
        snprintf(why, TREC_MSG, "longer than %d bytes", TREC_MAX_URI);
        return -1;
    }
    if (!trec_uri_chars_ok(uri, why))
        return -1;
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
    for (i = 0; i < uri.len && uri.ptr[i] != ':'; i++)
        if (!(TREC_ALNUM((unsigned char) uri.ptr[i]) || uri.ptr[i] == '+'
              || uri.ptr[i] == '-' || uri.ptr[i] == '.')
            || (i == 0 && !TREC_ALNUM((unsigned char) uri.ptr[i]))) {
            snprintf(why, TREC_MSG, "no URI scheme");
            return -1;
        }
    if (i == 0 || i == uri.len) {
        snprintf(why, TREC_MSG, "no URI scheme");
        return -1;
    }
    if (i == 6 && strncasecmp(uri.ptr, "mailto", 6) == 0)
        return trec_mailto(span_make(uri.ptr + 7, uri.len - 7), out, max,
                           nout, why);
    if (i == 5 && strncasecmp(uri.ptr, "https", 5) == 0) {
        if (max < 1) {
            snprintf(why, TREC_MSG, "too many URIs");
            return -1;
        }
        if (trec_https(uri, span_make(uri.ptr + 6, uri.len - 6), out, why)
            != 0)
            return -1;
        *nout = 1;
        return 0;
    }
    snprintf(why, TREC_MSG, "scheme \"%.*s\" is neither mailto nor https",
             (int) (i > 20 ? 20 : i), uri.ptr);
    return -1;
}

/* trec_warn - keep a warning (the first TREC_MAX_WARN), count all */
static void
trec_warn(struct trec *t, struct span uri, const char *why)
{
    char    shown[64];

    if (t->nwarn < TREC_MAX_WARN) {
        trec_show(uri, shown, sizeof(shown));
        snprintf(t->warn[t->nwarn], TREC_MSG, "rua \"%s%s\" dropped: %.100s",
                 shown, uri.len >= sizeof(shown) ? "..." : "", why);
    }
    t->nwarn++;
}

/* trec_rua_list - split the rua value on "," and keep the usable URIs */
static void
trec_rua_list(struct trec *t, struct span v)
{
    char    why[TREC_MSG];

    while (1) {
        const char *comma = v.len ? memchr(v.ptr, ',', v.len) : NULL;
        struct span u = span_make(v.ptr, comma ? (size_t) (comma - v.ptr)
                                  : v.len);
        size_t  n = 0;

        while (u.len > 0 && TREC_WSP(*u.ptr))
            span_drop(&u, 1);
        while (u.len > 0 && TREC_WSP(u.ptr[u.len - 1]))
            u.len--;
        if (t->nrua >= TREC_MAX_RUA) {
            snprintf(why, TREC_MSG, "more than %d usable URIs", TREC_MAX_RUA);
            trec_warn(t, u, why);
        } else if (trec_uri(u, &t->rua[t->nrua], TREC_MAX_RUA - t->nrua, &n,
                            why) != 0) {
            trec_warn(t, u, why);
        } else {
            t->nrua += n;
        }
        if (comma == NULL)
            break;
        span_drop(&v, (size_t) (comma - v.ptr) + 1);
    }
}

/* trec_parse - judge the TXT records of one _smtp._tls name */
int
trec_parse(const struct span *txt, size_t n, struct trec *out)
{
    struct span rec = {NULL, 0};
    struct span cur, name, value;
    size_t  i;
    int     seen_rua = 0;
    int     rc;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < n; i++)
        if (trec_is_v1(txt[i])) {
            if (out->nrecords++ == 0)
                rec = txt[i];
        }
    if (out->nrecords == 0) {
        out->status = TREC_NONE;
        snprintf(out->error, TREC_MSG, "%zu TXT record%s, none starts with"
                 " \"v=TLSRPTv1;\"", n, n == 1 ? "" : "s");
        return out->status;
    }
    if (out->nrecords > 1) {
        out->status = TREC_MULTIPLE;
        snprintf(out->error, TREC_MSG, "%zu records start with"
                 " \"v=TLSRPTv1;\": RFC 8460 section 3 says the domain"
                 " then has no TLSRPT", out->nrecords);
        return out->status;
    }
    trec_show(rec, out->record, sizeof(out->record));
    if (rec.len > TREC_MAX_TEXT) {
        out->status = TREC_TOO_LONG;
        snprintf(out->error, TREC_MSG, "record of %zu bytes, more than %d",
                 rec.len, TREC_MAX_TEXT);
        return out->status;
    }
    cur = rec;
    span_drop(&cur, strlen("v=TLSRPTv1"));
    while ((rc = trec_field_next(&cur, &name, &value, out->error)) == 1) {
        if (span_eq(name, "rua")) {
            if (seen_rua++) {
                snprintf(out->error, TREC_MSG, "rua given twice");
                rc = -1;
                break;
            }
            trec_rua_list(out, value);
        } else if (!trec_ext_value_ok(value)) {
            /* unknown fields are ignored, but must follow the grammar */
            snprintf(out->error, TREC_MSG, "field \"%.*s\": value empty or"
                     " with space, \"=\" or a control byte",
                     (int) (name.len > 32 ? 32 : name.len), name.ptr);
            rc = -1;
            break;
        }
    }
    if (rc < 0) {
        out->status = TREC_SYNTAX;
        out->nrua = 0;
        return out->status;
    }
    if (!seen_rua || out->nrua == 0) {
        out->status = TREC_NO_RUA;
        snprintf(out->error, TREC_MSG, seen_rua ? "no usable rua URI"
                 : "no rua field");
        return out->status;
    }
    out->status = TREC_OK;
    return out->status;
}
