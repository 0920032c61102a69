/* emit/resolution/sts.c - MTA-STS record, policy file and MX patterns (RFC 8461)
 *
 * NAME
 *      sts - parse the _mta-sts TXT record and the MTA-STS policy
 * SYNOPSIS
 *      #include "emit/resolution/sts.h"
 *
 *      int   sts_txt_parse(txt, n, out)
 *      int   sts_policy_parse(body, len, p, why)
 *      void  sts_policy_free(p)
 *      int   sts_mx_match(pattern, host)
 * DESCRIPTION
 *      sts_txt_parse(): records not starting with "v=STSv1" + optional
 *      space/tab + ";" are dropped (RFC 8461 erratum 6285, as for
 *      TLSRPT); exactly one must remain, follow the section 3.1 grammar
 *      and carry id=1*32(ALPHA / DIGIT); a repeated field counts only
 *      the first time (section 3.2, last paragraph).
 *
 *      sts_policy_parse(): "key: value" lines ended by LF or CRLF. Known
 *      keys are case-sensitive (%s in the ABNF). version must be STSv1,
 *      mode enforce/testing/none, max_age 1..10 digits and at most
 *      31557600, mx ["*."] Domain (A-labels; compared in lower case);
 *      version, mode and max_age are required, mx at least once unless
 *      mode is none. For every key but mx only the first occurrence
 *      counts; unknown keys are ignored but must follow the extension
 *      grammar (UTF-8 allowed, no controls, no leading or trailing
 *      space). Our choices: blank lines are skipped (not in the
 *      grammar, but harmless and seen in the wild); a line over
 *      STS_MAX_LINE bytes, more than STS_MAX_LINES lines or more than
 *      STS_MAX_MX mx patterns make the policy invalid.
 *
 *      sts_mx_match(): section 4.1: "mail.example.com" matches itself;
 *      "*.example.com" matches "mx.example.com" but neither
 *      "example.com" nor "a.b.example.com".
 * DIAGNOSTICS
 *      Nothing is printed: the caller gets the reason in why/error.
 */
#include "sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trec.h"
#include "../../util/mymalloc.h"

#define STS_WSP(c) ((c) == ' ' || (c) == '\t')
#define STS_ALNUM(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') \
                      || ((c) >= '0' && (c) <= '9'))

/* sts_mode_name - text of a mode */
const char *
sts_mode_name(int mode)
{
    return mode == STS_MODE_ENFORCE ? "enforce"
        : mode == STS_MODE_TESTING ? "testing" : "none";
}

/* sts_txt_parse - judge the TXT records of one _mta-sts name */
int
sts_txt_parse(const struct span *txt, size_t n, struct sts_txt *out)
{
    struct span rec = {NULL, 0};
    struct span cur, name, value;
    size_t  i;
    size_t  nv1 = 0;
    int     rc;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < n; i++)
        if (trec_is_tag(txt[i], "v=STSv1") && nv1++ == 0)
            rec = txt[i];
    if (nv1 == 0) {
        out->status = STS_TXT_NONE;
        snprintf(out->error, STS_MSG, "%zu TXT record%s, none starts with"
                 " \"v=STSv1;\"", n, n == 1 ? "" : "s");
        return out->status;
    }
    if (nv1 > 1) {
        out->status = STS_TXT_MULTIPLE;
        snprintf(out->error, STS_MSG, "%zu records start with \"v=STSv1;\":"
                 " RFC 8461 3.1 says the domain then has no MTA-STS", nv1);
        return out->status;
    }
    trec_show(rec, out->record, sizeof(out->record));
    if (rec.len > STS_MAX_TXT) {
        out->status = STS_TXT_SYNTAX;
        snprintf(out->error, STS_MSG, "record longer than %d bytes",
                 STS_MAX_TXT);
        return out->status;
    }
    cur = rec;
    span_drop(&cur, strlen("v=STSv1"));
    while ((rc = trec_field_next(&cur, &name, &value, out->error)) == 1) {
        if (span_eq(name, "id") && out->id[0] == 0) {
            for (i = 0; i < value.len; i++)
                if (!STS_ALNUM((unsigned char) value.ptr[i]))
                    break;
            if (value.len == 0 || value.len > STS_MAX_ID || i < value.len) {
                snprintf(out->error, STS_MSG, "id must be 1 to 32 letters"
                         " and digits");
                rc = -1;
                break;
            }
            memcpy(out->id, value.ptr, value.len);
            out->id[value.len] = 0;
        } else if (!trec_ext_value_ok(value)) {
            snprintf(out->error, STS_MSG, "field \"%.*s\": value empty or"
                     " with space, \"=\" or a control byte",
                     (int) (name.len > 32 ? 32 : name.len), name.ptr);
            rc = -1;
            break;
        }
    }
    if (rc == 0 && out->id[0] == 0) {
        snprintf(out->error, STS_MSG, "no id field");
        rc = -1;
    }
    if (rc < 0) {
        out->id[0] = 0;
        out->status = STS_TXT_SYNTAX;
        return out->status;
    }
    out->status = STS_TXT_OK;
    return out->status;
}

/* sts_utf8_len - length of the UTF-8 sequence at p (of n bytes) or 0 when
 * it is not a well-formed UTF8-2/3/4 (RFC 3629 section 4) */
static size_t
sts_utf8_len(const unsigned char *p, size_t n)
{
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xe0 && p[0] <= 0xef) {
        if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f))
            return 0;
        return 3;
    }
    if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80
            || (p[3] & 0xc0) != 0x80)
            return 0;
        if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
            return 0;
        return 4;
    }
    return 0;
}

/* sts_value_ok - 1 when v is the extension-value grammar: vchar (ASCII
 * or UTF-8) [*(SP / vchar) vchar] */
static int
sts_value_ok(struct span v)
{
    const unsigned char *p = (const unsigned char *) v.ptr;
    size_t  i = 0;

    if (v.len == 0 || p[0] == ' ' || p[v.len - 1] == ' ')
        return 0;
    while (i < v.len) {
        size_t  k;

        if (p[i] >= 0x20 && p[i] <= 0x7e) {
            i++;
            continue;
        }
        if ((k = sts_utf8_len(p + i, v.len - i)) == 0)
            return 0;
        i += k;
    }
    return 1;
}

/* sts_mx_value - canonical pattern of an mx value into out; 0 or -1 */
static int
sts_mx_value(struct span v, char *out)
{
    int     wild = span_skip(&v, "*.") == 0;

    if (v.len == 0 || v.ptr[v.len - 1] == '.')
        return -1;
    if (dname_norm(v.ptr, v.len, out + (wild ? 2 : 0)) != 0
        || dname_is_numeric(out + (wild ? 2 : 0)))
        return -1;
    if (wild)
        memcpy(out, "*.", 2);
    return 0;
}

/* sts_policy_free - release a parsed policy */
void
sts_policy_free(struct sts_policy *p)
{
    if (p == NULL)
        return;
    free(p->lines);
    free(p->mx);
    free(p->text);
    memset(p, 0, sizeof(*p));
}

/* sts_fail - set why, free what was built, return -1 */
static int
sts_fail(struct sts_policy *p, char *why, size_t lineno, const char *text)
{
    if (lineno > 0)
        snprintf(why, STS_MSG, "line %zu: %s", lineno, text);
    else
        snprintf(why, STS_MSG, "%s", text);
    sts_policy_free(p);
    return -1;
}

/* sts_policy_parse - parse a policy body */
int
sts_policy_parse(const char *body, size_t len, struct sts_policy *p,
                 char *why)
{
    char    mxbuf[DNAME_MAX + 3];
    char    msg[STS_MSG];
    size_t  pos = 0;
    size_t  lineno = 0;
    size_t  mxlen = 0;
    int     have_version = 0;
    int     have_mode = 0;
    int     have_age = 0;
    char   *store;

    memset(p, 0, sizeof(*p));
    why[0] = 0;
    if (body == NULL || len == 0)
        return sts_fail(p, why, 0, "empty policy");
    if (len > STS_MAX_BODY)
        return sts_fail(p, why, 0, "policy larger than 64 KiB");
    if (memchr(body, 0, len) != NULL)
        return sts_fail(p, why, 0, "NUL byte in the policy");

    /*
     * One block holds the lines (NUL-terminated copies) and then the mx
     * patterns: len + 1 bytes for the lines, and at most STS_MAX_MX
     * canonical patterns of DNAME_MAX + 3 bytes.
     */
    store = xmalloc(len + 1 + (size_t) STS_MAX_MX * (DNAME_MAX + 3));
    p->text = store;
    p->lines = xcalloc(STS_MAX_LINES, sizeof(*p->lines));
    p->mx = xcalloc(STS_MAX_MX, sizeof(*p->mx));
    memcpy(store, body, len);
    store[len] = 0;

    while (pos < len) {
        char   *line = store + pos;
        char   *nl = memchr(line, '\n', len - pos);
        size_t  ll = nl ? (size_t) (nl - line) : len - pos;
        struct span key, val;
        size_t  i;

        pos += ll + (nl != NULL);
        lineno++;
        if (ll > 0 && line[ll - 1] == '\r')
            ll--;
        if (memchr(line, '\r', ll) != NULL)
            return sts_fail(p, why, lineno, "CR inside a line");
        line[ll] = 0;
        for (i = 0; i < ll && STS_WSP(line[i]); i++)
            ;
        if (i == ll)
            continue;           /* blank line: skipped */
        if (ll > STS_MAX_LINE)
            return sts_fail(p, why, lineno, "line longer than 1000 bytes");
        if (p->nlines >= STS_MAX_LINES)
            return sts_fail(p, why, lineno, "more than 300 lines");
        p->lines[p->nlines++] = line;

        /* key ":" *WSP value *WSP */
        for (i = 0; i < ll && i <= 32; i++)
            if (!(STS_ALNUM((unsigned char) line[i])
                  || (i > 0 && (line[i] == '_' || line[i] == '-'
                                || line[i] == '.'))))
                break;
        if (i == 0 || i > 32 || i >= ll || line[i] != ':') {
            trec_show(span_make(line, ll), msg, 40);
            snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
                     ": not \"key: value\"");
            return sts_fail(p, why, lineno, msg);
        }
        key = span_make(line, i);
        val = span_make(line + i + 1, ll - i - 1);
        while (val.len > 0 && STS_WSP(*val.ptr))
            span_drop(&val, 1);
        while (val.len > 0 && STS_WSP(val.ptr[val.len - 1]))
            val.len--;
        if (!sts_value_ok(val))
            return sts_fail(p, why, lineno, "empty value, or a control"
                            " byte or bad UTF-8 in the value");
        if (span_eq(key, "version")) {
            if (have_version++)
                continue;
            if (!span_eq(val, "STSv1"))
                return sts_fail(p, why, lineno, "version is not STSv1");
        } else if (span_eq(key, "mode")) {
            if (have_mode++)
                continue;
            if (span_eq(val, "enforce"))
                p->mode = STS_MODE_ENFORCE;
            else if (span_eq(val, "testing"))
                p->mode = STS_MODE_TESTING;
            else if (span_eq(val, "none"))
                p->mode = STS_MODE_NONE;
            else
                return sts_fail(p, why, lineno, "mode is not enforce,"
                                " testing or none");
        } else if (span_eq(key, "max_age")) {
            long    age = 0;

            if (have_age++)
                continue;
            if (val.len > 10)
                return sts_fail(p, why, lineno, "max_age longer than 10"
                                " digits");
            for (i = 0; i < val.len; i++) {
                if (val.ptr[i] < '0' || val.ptr[i] > '9')
                    return sts_fail(p, why, lineno, "max_age is not a"
                                    " number");
                age = age * 10 + (val.ptr[i] - '0');
            }
            if (age > STS_MAX_AGE)
                return sts_fail(p, why, lineno, "max_age above 31557600");
            p->max_age = age;
        } else if (span_eq(key, "mx")) {
            if (p->nmx >= STS_MAX_MX)
                return sts_fail(p, why, lineno, "more than 64 mx patterns");
            if (sts_mx_value(val, mxbuf) != 0)
                return sts_fail(p, why, lineno, "mx is not a host name or"
                                " \"*.\" and a domain (A-labels)");
            p->mx[p->nmx] = store + len + 1 + mxlen;
            strcpy(p->mx[p->nmx++], mxbuf);
            mxlen += strlen(mxbuf) + 1;
        }
        /* unknown keys: ignored once their grammar is checked */
    }
    if (!have_version)
        return sts_fail(p, why, 0, "no version line");
    if (!have_mode)
        return sts_fail(p, why, 0, "no mode line");
    if (!have_age)
        return sts_fail(p, why, 0, "no max_age line");
    if (p->nmx == 0 && p->mode != STS_MODE_NONE)
        return sts_fail(p, why, 0, "no mx line in a policy whose mode is"
                        " not none");
    return 0;
}

/* sts_policy_copy - deep copy (re-parsing would also do; this is exact) */
void
sts_policy_copy(struct sts_policy *dst, const struct sts_policy *src)
{
    size_t  i;
    size_t  bytes = 0;
    char   *q;

    memset(dst, 0, sizeof(*dst));
    dst->mode = src->mode;
    dst->max_age = src->max_age;
    for (i = 0; i < src->nlines; i++)
        bytes += strlen(src->lines[i]) + 1;
    for (i = 0; i < src->nmx; i++)
        bytes += strlen(src->mx[i]) + 1;
    dst->text = q = xmalloc(bytes + 1);
    dst->lines = xcalloc(src->nlines + 1, sizeof(*dst->lines));
    dst->mx = xcalloc(src->nmx + 1, sizeof(*dst->mx));
    for (i = 0; i < src->nlines; i++) {
        dst->lines[i] = strcpy(q, src->lines[i]);
        q += strlen(q) + 1;
    }
    for (i = 0; i < src->nmx; i++) {
        dst->mx[i] = strcpy(q, src->mx[i]);
        q += strlen(q) + 1;
    }
    dst->nlines = src->nlines;
    dst->nmx = src->nmx;
}

/* sts_mx_match - RFC 8461 4.1 pattern match of canonical names */
int
sts_mx_match(const char *pattern, const char *host)
{
    const char *dot;

    if (pattern == NULL || host == NULL || *host == 0)
        return 0;
    if (strncmp(pattern, "*.", 2) != 0)
        return strcmp(pattern, host) == 0;
    /* exactly one non-empty label before the pattern's suffix */
    if ((dot = strchr(host, '.')) == NULL || dot == host)
        return 0;
    return strcmp(dot + 1, pattern + 2) == 0;
}

/* sts_policy_mx_ok - 1 when host matches one of the policy's patterns */
int
sts_policy_mx_ok(const struct sts_policy *p, const char *host)
{
    size_t  i;

    for (i = 0; i < p->nmx; i++)
        if (sts_mx_match(p->mx[i], host))
            return 1;
    return 0;
}
