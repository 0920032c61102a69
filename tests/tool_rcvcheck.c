/* tests/tool_rcvcheck.c - check TLSRPT reports the way receivers do
 *
 * NAME
 *      tool_rcvcheck - receiver-side validator for RFC 8460 reports
 * SYNOPSIS
 *      tool_rcvcheck FILE...
 * DESCRIPTION
 *      Reads each report (plain JSON, or gzip when the file starts with
 *      1f 8b), parses it with jansson and applies the union of the rules
 *      of the receivers in the spec's RECEIVERS.md section 2 (parsedmarc,
 *      mox, Stalwart, dmarc-report-viewer, tlsrpt-rs, Mail::TLSRPT except
 *      its mx-host-as-string rule, tlsrpt-digest, Viesti), the I-JSON
 *      rules of RFC 8460 section 4, and a few stricter rules of our own:
 *      - exactly the five template members at the top level, and no
 *        members outside the section 4.4 template anywhere;
 *      - date-range exactly "YYYY-MM-DDT00:00:00Z" .. "...T23:59:59Z" of
 *        one day;
 *      - policy-domain canonical: lower case, no trailing dot;
 *      - total-failure-session-count == sum of failed-session-count;
 *      - IPs in RFC 5952 canonical form (inet_pton, then inet_ntop must
 *        give the same text back);
 *      - optional text fields not empty (omit unknown fields instead);
 *      - a file name of the section 5.1 shape (any name containing '!')
 *        must agree with the JSON: gzip iff ".json.gz", begin and end
 *        equal to the date-range, the policy domain equal to one of the
 *        policies' policy-domain (unless all are tlsa: their policy-domain
 *        is the MX host's, CHECKLIST 3), the sender equal to the
 *        contact-info domain (CHECKLIST item 20).
 *
 *      Independent of libmailtlsrpt on purpose: the checker shares no code
 *      with the generator it checks.
 * DIAGNOSTICS
 *      One line per problem on stdout, "FILE: problem". Exit status 0 when
 *      every file passes, 1 when any problem was found, 2 on usage errors.
 *      A null value is reported once, where it occurs, not again as a
 *      type error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#define ZLIB_CONST
#include <zlib.h>

#define RC_MAX_JSON (20u << 20)         /* mox: decompressed JSON 20 MB */
#define RC_MAX_GZ (10u << 20)           /* RFC 8460 5.2: ~10 MB */
#define RC_U32_MAX 4294967295LL
#define RC_IJSON_MAX 9007199254740991LL /* 2^53 - 1 */

struct rc_ctx {
    const char *file;
    int     problems;
};

static const char *const rc_top[] = {
    "organization-name", "date-range", "contact-info", "report-id",
    "policies", NULL,
};
static const char *const rc_policy_types[] = {
    "sts", "tlsa", "no-policy-found", NULL,
};
static const char *const rc_result_types[] = {
    "starttls-not-supported", "certificate-host-mismatch",
    "certificate-expired", "certificate-not-trusted", "validation-failure",
    "tlsa-invalid", "dnssec-invalid", "dane-required",
    "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid",
    NULL,
};
static const char *const rc_entry_keys[] = {
    "policy", "summary", "failure-details", NULL,
};
static const char *const rc_policy_keys[] = {
    "policy-type", "policy-string", "policy-domain", "mx-host", NULL,
};
static const char *const rc_summary_keys[] = {
    "total-successful-session-count", "total-failure-session-count", NULL,
};
static const char *const rc_detail_keys[] = {
    "result-type", "sending-mta-ip", "receiving-mx-hostname",
    "receiving-mx-helo", "receiving-ip", "failed-session-count",
    "additional-information", "failure-reason-code", NULL,
};
static const char *const rc_range_keys[] = {
    "start-datetime", "end-datetime", NULL,
};

/* rc_problem - print "FILE: problem" and count it */
__attribute__((format(printf, 2, 3)))
static void
rc_problem(struct rc_ctx *x, const char *fmt, ...)
{
    va_list ap;

    printf("%s: ", x->file);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    x->problems++;
}

/* rc_in - 1 when s is one of the NULL-terminated list */
static int
rc_in(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* rc_walk - report every null and every integer outside I-JSON range */
static void
rc_walk(struct rc_ctx *x, const json_t *v, const char *path)
{
    char    sub[512];
    const char *key;
    size_t  i;
    json_t *el;

    if (json_is_null(v)) {
        rc_problem(x, "%s: null value (omit unknown fields instead)", path);
    } else if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);

        if (n > RC_IJSON_MAX || n < -RC_IJSON_MAX)
            rc_problem(x, "%s: integer outside I-JSON range", path);
    } else if (json_is_object(v)) {
        /* json_object_foreach takes a non-const object; we only read */
        json_object_foreach((json_t *) (uintptr_t) v, key, el) {
            snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "",
                     key);
            rc_walk(x, el, sub);
        }
    } else if (json_is_array(v)) {
        for (i = 0; i < json_array_size(v); i++) {
            snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
            rc_walk(x, json_array_get(v, i), sub);
        }
    }
}

/* rc_members - report members of obj not in the list */
static void
rc_members(struct rc_ctx *x, const json_t *obj, const char *path,
           const char *const *allowed)
{
    const char *key;
    json_t *el;

    json_object_foreach((json_t *) (uintptr_t) obj, key, el) {
        (void) el;
        if (!rc_in(key, allowed))
            rc_problem(x, "%s: unknown member \"%s\"", path, key);
    }
}

/*
 * The rc_get_* helpers fetch a member and check its type. They return
 * NULL, after reporting, when it is missing (and required) or of the
 * wrong type; a null value returns NULL silently (rc_walk reported it).
 */

/* rc_get - member key of obj with type check; NULL if absent or bad */
static json_t *
rc_get(struct rc_ctx *x, const json_t *obj, const char *path,
       const char *key, json_type type, int required)
{
    static const char *const names[] = {
        "an object", "an array", "a string", "an integer", "a number",
        "true", "false", "null",
    };
    json_t *v = json_object_get(obj, key);
    const char *dot = *path ? "." : "";

    if (v == NULL) {
        if (required)
            rc_problem(x, "%s%s%s: missing", path, dot, key);
        return NULL;
    }
    if (json_is_null(v))
        return NULL;
    if (json_typeof(v) != type) {
        rc_problem(x, "%s%s%s: not %s", path, dot, key, names[type]);
        return NULL;
    }
    return v;
}

/* rc_domain_problem - why s is not a canonical A-label domain, or NULL */
static const char *
rc_domain_problem(const char *s)
{
    size_t  len = strlen(s);
    size_t  label = 0;
    size_t  i;

    if (len == 0)
        return "empty";
    if (s[len - 1] == '.')
        return "trailing dot";
    if (len > 253)
        return "longer than 253 bytes";
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s[i];

        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return "empty label or label ending in '-'";
            label = 0;
            continue;
        }
        if (c >= 'A' && c <= 'Z')
            return "not lower case";
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return "character other than a-z, 0-9, '-' (U-label?)";
        if (c == '-' && label == 0)
            return "label starting with '-'";
        if (++label > 63)
            return "label longer than 63 bytes";
    }
    if (s[len - 1] == '-')
        return "label ending in '-'";
    return NULL;
}

/* rc_addr_problem - why s is not a dot-atom addr-spec, or NULL */
static const char *
rc_addr_problem(const char *s)
{
    static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
    const char *at = strrchr(s, '@');
    const char *p;
    char    dom[256];
    size_t  i;

    if (*s == 0)
        return "empty";
    if (at == NULL)
        return "no '@'";
    if (at == s || s[0] == '.' || at[-1] == '.')
        return "bad local part";
    for (p = s; p < at; p++) {
        unsigned char c = (unsigned char) *p;

        if ((c == '.' && p[1] == '.')
            || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                 || (c >= '0' && c <= '9') || c == '.'
                 || (c != 0 && strchr(atext, c) != NULL)))
            return "bad local part";
    }
    /* the domain is case-insensitive: compare in lower case */
    if (strlen(at + 1) >= sizeof(dom))
        return "domain too long";
    for (i = 0; at[1 + i]; i++)
        dom[i] = (char) ((at[1 + i] >= 'A' && at[1 + i] <= 'Z')
                         ? at[1 + i] - 'A' + 'a' : at[1 + i]);
    dom[i] = 0;
    return rc_domain_problem(dom) ? "bad domain" : NULL;
}

/* rc_days - days since 1970-01-01 of a proleptic Gregorian date */
static long long
rc_days(int y, int m, int d)
{
    /* H. Hinnant's days_from_civil */
    long long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* rc_num - n decimal digits at s into *out; 0, or -1 */
static int
rc_num(const char *s, int n, int *out)
{
    int     v = 0;
    int     i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* rc_datetime - check one date-time; epoch seconds, or -1 after report */
static long long
rc_datetime(struct rc_ctx *x, const char *key, const char *s,
            const char *want_time)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
    31};
    int     y, mo, d, h, mi, se;
    size_t  len = strlen(s);

    /* YYYY-MM-DDTHH:MM:SS then the zone */
    if (len < 19 || rc_num(s, 4, &y) || s[4] != '-' || rc_num(s + 5, 2, &mo)
        || s[7] != '-' || rc_num(s + 8, 2, &d)
        || (s[10] != 'T' && s[10] != 't') || rc_num(s + 11, 2, &h)
        || s[13] != ':' || rc_num(s + 14, 2, &mi) || s[16] != ':'
        || rc_num(s + 17, 2, &se) || mo < 1 || mo > 12 || d < 1
        || d > mdays[mo - 1] || (mo == 2 && d == 29
                                 && (y % 4 != 0 || (y % 100 == 0
                                                    && y % 400 != 0)))
        || h > 23 || mi > 59 || se > 60) {
        rc_problem(x, "date-range.%s: \"%s\" is not an RFC 3339 date-time",
                   key, s);
        return -1;
    }
    if (len == 19) {
        rc_problem(x, "date-range.%s: \"%s\" has no time zone (Go and Rust"
                   " parsers reject it)", key, s);
        return -1;
    }
    if (len != 20 || s[10] != 'T' || s[19] != 'Z') {
        rc_problem(x, "date-range.%s: \"%s\" is not of the form"
                   " YYYY-MM-DDT%sZ", key, s, want_time);
        return -1;
    }
    if (strncmp(s + 11, want_time, 8) != 0) {
        rc_problem(x, "date-range.%s: \"%s\" is not at %sZ", key, s,
                   want_time);
        return -1;
    }
    return rc_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

/* rc_count - check a u32 count (>= min); value or -1 after report */
static long long
rc_count(struct rc_ctx *x, const json_t *obj, const char *path,
         const char *key, long long min)
{
    json_t *v = rc_get(x, obj, path, key, JSON_INTEGER, 1);
    long long n;

    if (v == NULL)
        return -1;
    n = json_integer_value(v);
    if (n < min || n > RC_U32_MAX) {
        rc_problem(x, "%s.%s: %lld outside %lld..%lld", path, key, n, min,
                   RC_U32_MAX);
        return -1;
    }
    return n;
}

/* rc_ip - check an optional IP member: parses and is RFC 5952 canonical */
static void
rc_ip(struct rc_ctx *x, const json_t *obj, const char *path,
      const char *key)
{
    json_t *v = rc_get(x, obj, path, key, JSON_STRING, 0);
    unsigned char a[16];
    char    canon[INET6_ADDRSTRLEN];
    const char *s;
    int     af;

    if (v == NULL)
        return;
    s = json_string_value(v);
    af = strchr(s, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(af, s, a) != 1) {
        rc_problem(x, "%s.%s: \"%s\" is not an IP address", path, key, s);
        return;
    }
    if (inet_ntop(af, a, canon, sizeof(canon)) == NULL
        || strcmp(canon, s) != 0)
        rc_problem(x, "%s.%s: \"%s\" is not RFC 5952 canonical (\"%s\")",
                   path, key, s, canon);
}

/* rc_text - check an optional non-empty string member */
static void
rc_text(struct rc_ctx *x, const json_t *obj, const char *path,
        const char *key)
{
    json_t *v = rc_get(x, obj, path, key, JSON_STRING, 0);

    if (v != NULL && json_string_length(v) == 0)
        rc_problem(x, "%s.%s: empty string (omit unknown fields)", path, key);
}

/* rc_strings - check an optional array of strings */
static void
rc_strings(struct rc_ctx *x, const json_t *obj, const char *path,
           const char *key)
{
    json_t *v = json_object_get(obj, key);
    size_t  i;

    if (v == NULL || json_is_null(v))
        return;
    if (!json_is_array(v)) {
        rc_problem(x, "%s.%s: not an array of strings", path, key);
        return;
    }
    for (i = 0; i < json_array_size(v); i++) {
        json_t *el = json_array_get(v, i);

        if (!json_is_string(el) && !json_is_null(el))
            rc_problem(x, "%s.%s[%zu]: not a string", path, key, i);
    }
}

/* rc_detail - check one failure-details element; its count or 0 */
static long long
rc_detail(struct rc_ctx *x, const json_t *d, const char *path)
{
    json_t *rt;
    long long n;

    if (!json_is_object(d)) {
        if (!json_is_null(d))
            rc_problem(x, "%s: not an object", path);
        return 0;
    }
    rc_members(x, d, path, rc_detail_keys);
    rt = rc_get(x, d, path, "result-type", JSON_STRING, 1);
    if (rt != NULL && !rc_in(json_string_value(rt), rc_result_types))
        rc_problem(x, "%s.result-type: \"%s\" is not a registered result"
                   " type", path, json_string_value(rt));
    rc_ip(x, d, path, "sending-mta-ip");
    rc_ip(x, d, path, "receiving-ip");
    rc_text(x, d, path, "receiving-mx-hostname");
    rc_text(x, d, path, "receiving-mx-helo");
    rc_text(x, d, path, "additional-information");
    rc_text(x, d, path, "failure-reason-code");
    n = rc_count(x, d, path, "failed-session-count", 1);
    return n < 0 ? 0 : n;
}

/* rc_entry - check one policies[] element */
static void
rc_entry(struct rc_ctx *x, const json_t *e, const char *path)
{
    char    ppath[64];
    char    dpath[96];
    json_t *pol;
    json_t *sum;
    json_t *det;
    json_t *v;
    const char *type = NULL;
    const char *why;
    long long failures = -1;
    long long total = 0;
    size_t  i;

    if (!json_is_object(e)) {
        if (!json_is_null(e))
            rc_problem(x, "%s: not an object", path);
        return;
    }
    rc_members(x, e, path, rc_entry_keys);
    if ((pol = rc_get(x, e, path, "policy", JSON_OBJECT, 1)) != NULL) {
        snprintf(ppath, sizeof(ppath), "%s.policy", path);
        rc_members(x, pol, ppath, rc_policy_keys);
        if ((v = rc_get(x, pol, ppath, "policy-type", JSON_STRING, 1))) {
            type = json_string_value(v);
            if (!rc_in(type, rc_policy_types))
                rc_problem(x, "%s.policy-type: \"%s\" is not sts, tlsa or"
                           " no-policy-found", ppath, type);
        }
        if ((v = rc_get(x, pol, ppath, "policy-domain", JSON_STRING, 1))
            && (why = rc_domain_problem(json_string_value(v))) != NULL)
            rc_problem(x, "%s.policy-domain: \"%s\": %s", ppath,
                       json_string_value(v), why);
        rc_strings(x, pol, ppath, "policy-string");
        rc_strings(x, pol, ppath, "mx-host");
        if (json_object_get(pol, "mx-host") != NULL && type != NULL
            && strcmp(type, "sts") != 0)
            rc_problem(x, "%s.mx-host: present for policy-type \"%s\""
                       " (sts only)", ppath, type);
    }
    if ((sum = rc_get(x, e, path, "summary", JSON_OBJECT, 1)) != NULL) {
        snprintf(ppath, sizeof(ppath), "%s.summary", path);
        rc_members(x, sum, ppath, rc_summary_keys);
        (void) rc_count(x, sum, ppath, "total-successful-session-count", 0);
        failures = rc_count(x, sum, ppath, "total-failure-session-count", 0);
    }
    det = rc_get(x, e, path, "failure-details", JSON_ARRAY, 0);
    for (i = 0; det != NULL && i < json_array_size(det); i++) {
        snprintf(dpath, sizeof(dpath), "%s.failure-details[%zu]", path, i);
        total += rc_detail(x, json_array_get(det, i), dpath);
    }
    if (failures >= 0 && (det != NULL || json_object_get(e, "failure-details")
                          == NULL) && failures != total)
        rc_problem(x, "%s: total-failure-session-count %lld != %lld, the"
                   " sum of failed-session-count", path, failures, total);
}

/* rc_is_tlsa - 1 when a policies[] entry is of policy-type tlsa */
static int
rc_is_tlsa(const json_t *e)
{
    const json_t *t = json_object_get(json_object_get(e, "policy"),
                                      "policy-type");

    return json_is_string(t) && strcmp(json_string_value(t), "tlsa") == 0;
}

/* rc_name - check a section 5.1 file name against the report */
static void
rc_name(struct rc_ctx *x, const char *path, int gz, const json_t *root,
        long long begin, long long end)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char    buf[1024];
    char   *part[6];
    char   *p;
    char   *q;
    int     n = 0;
    int     is_gz;
    size_t  len = strlen(base);
    size_t  i;
    long long t[2];
    const char *why;
    json_t *pols;
    json_t *ci;
    int     found = 0;
    int     all_tlsa = 1;

    if (strchr(base, '!') == NULL)
        return;                         /* not a section 5.1 name */
    if (len >= sizeof(buf)) {
        rc_problem(x, "file name: too long");
        return;
    }
    memcpy(buf, base, len + 1);
    if (len > 8 && strcmp(buf + len - 8, ".json.gz") == 0) {
        is_gz = 1;
        buf[len - 8] = 0;
    } else if (len > 5 && strcmp(buf + len - 5, ".json") == 0) {
        is_gz = 0;
        buf[len - 5] = 0;
    } else {
        rc_problem(x, "file name: extension is not .json or .json.gz");
        return;
    }
    if (is_gz != gz)
        rc_problem(x, "file name: extension %s but content is %s",
                   is_gz ? ".json.gz" : ".json", gz ? "gzip" : "plain");
    for (p = buf; n < 6; p = q + 1) {
        part[n++] = p;
        if ((q = strchr(p, '!')) == NULL)
            break;
        *q = 0;
    }
    if (n < 4 || n > 5) {
        rc_problem(x, "file name: not sender!domain!begin!end[!unique-id]");
        return;
    }
    if ((why = rc_domain_problem(part[0])) != NULL)
        rc_problem(x, "file name: sender \"%s\": %s", part[0], why);
    if ((why = rc_domain_problem(part[1])) != NULL)
        rc_problem(x, "file name: policy domain \"%s\": %s", part[1], why);
    for (i = 0; i < 2; i++) {
        const char *s = part[2 + i];
        size_t  k;

        t[i] = 0;
        for (k = 0; s[k] && k < 12; k++) {
            if (s[k] < '0' || s[k] > '9')
                break;
            t[i] = t[i] * 10 + (s[k] - '0');
        }
        if (k == 0 || s[k] != 0) {
            rc_problem(x, "file name: timestamp \"%s\" is not 1 to 12"
                       " digits", s);
            t[i] = -1;
        }
    }
    if (n == 5) {
        for (p = part[4]; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                  || (*p >= '0' && *p <= '9')))
                break;
        if (p == part[4] || *p != 0)
            rc_problem(x, "file name: unique-id \"%s\" is not letters and"
                       " digits", part[4]);
    }
    if (begin >= 0 && t[0] >= 0 && t[0] != begin)
        rc_problem(x, "file name: begin %lld != start-datetime %lld", t[0],
                   begin);
    if (end >= 0 && t[1] >= 0 && t[1] != end)
        rc_problem(x, "file name: end %lld != end-datetime %lld", t[1], end);
    pols = json_object_get(root, "policies");
    for (i = 0; json_is_array(pols) && i < json_array_size(pols); i++) {
        json_t *pd = json_object_get(json_object_get(json_array_get(pols, i),
                                                     "policy"),
                                     "policy-domain");

        if (json_is_string(pd) && strcmp(json_string_value(pd), part[1]) == 0)
            found = 1;
        if (!rc_is_tlsa(json_array_get(pols, i)))
            all_tlsa = 0;
    }
    /* a report of tlsa policies only answers the recipient domain's
     * TLSRPT record, while each tlsa policy-domain is the TLSA base
     * domain (the MX host; CHECKLIST 3): the file name names the former */
    if (!found && !(all_tlsa && json_array_size(pols) > 0))
        rc_problem(x, "file name: policy domain \"%s\" is no policy-domain"
                   " in the report", part[1]);
    ci = json_object_get(root, "contact-info");
    if (json_is_string(ci) && strrchr(json_string_value(ci), '@') != NULL
        && strcasecmp(strrchr(json_string_value(ci), '@') + 1, part[0]) != 0)
        rc_problem(x, "file name: sender \"%s\" is not the contact-info"
                   " domain", part[0]);
}

/* rc_report - check the parsed report and its file name */
static void
rc_report(struct rc_ctx *x, const json_t *root, int gz)
{
    const char *const *k;
    json_t *v;
    json_t *start;
    json_t *end;
    long long t0 = -1;
    long long t1 = -1;
    const char *why;
    char    path[32];
    size_t  i;

    if (!json_is_object(root)) {
        rc_problem(x, "top level is not an object");
        return;
    }
    rc_walk(x, root, "");
    for (k = rc_top; *k; k++)
        if (json_object_get(root, *k) == NULL)
            rc_problem(x, "missing top-level member \"%s\"", *k);
    rc_members(x, root, "top level", rc_top);
    if ((v = rc_get(x, root, "", "organization-name", JSON_STRING,
                    0)) != NULL && json_string_length(v) == 0)
        rc_problem(x, "organization-name: empty");
    if ((v = rc_get(x, root, "", "contact-info", JSON_STRING, 0))
        != NULL && (why = rc_addr_problem(json_string_value(v))) != NULL)
        rc_problem(x, "contact-info: \"%s\" is not an addr-spec: %s",
                   json_string_value(v), why);
    if ((v = rc_get(x, root, "", "report-id", JSON_STRING, 0))
        != NULL && json_string_length(v) == 0)
        rc_problem(x, "report-id: empty");
    if ((v = rc_get(x, root, "", "date-range", JSON_OBJECT, 0))) {
        rc_members(x, v, "date-range", rc_range_keys);
        start = rc_get(x, v, "date-range", "start-datetime", JSON_STRING, 1);
        end = rc_get(x, v, "date-range", "end-datetime", JSON_STRING, 1);
        if (start != NULL)
            t0 = rc_datetime(x, "start-datetime", json_string_value(start),
                             "00:00:00");
        if (end != NULL)
            t1 = rc_datetime(x, "end-datetime", json_string_value(end),
                             "23:59:59");
        if (t0 >= 0 && t1 >= 0 && t1 != t0 + 86399)
            rc_problem(x, "date-range: start and end are not the same day");
    }
    if ((v = rc_get(x, root, "", "policies", JSON_ARRAY, 0))) {
        if (json_array_size(v) == 0)
            rc_problem(x, "policies: empty array");
        for (i = 0; i < json_array_size(v); i++) {
            snprintf(path, sizeof(path), "policies[%zu]", i);
            rc_entry(x, json_array_get(v, i), path);
        }
    }
    rc_name(x, x->file, gz, root, t0, t1);
}

/* rc_gunzip - inflate one gzip member; malloc'd text or NULL */
static char *
rc_gunzip(struct rc_ctx *x, const unsigned char *in, size_t inlen,
          size_t *outlen)
{
    z_stream zs;
    size_t  cap = 1 << 16;
    char   *out = malloc(cap);
    char   *bigger;
    int     zr = Z_OK;

    memset(&zs, 0, sizeof(zs));
    if (out == NULL || inflateInit2(&zs, 15 + 16) != Z_OK) {
        free(out);
        rc_problem(x, "out of memory");
        return NULL;
    }
    zs.next_in = in;
    zs.avail_in = (uInt) inlen;         /* inlen <= RC_MAX_JSON */
    while (zr != Z_STREAM_END) {
        if (zs.total_out == cap) {
            if (cap >= RC_MAX_JSON) {
                rc_problem(x, "gunzipped JSON larger than %u bytes (mox"
                           " limit)", RC_MAX_JSON);
                goto fail;
            }
            if ((bigger = realloc(out, cap * 2)) == NULL) {
                rc_problem(x, "out of memory");
                goto fail;
            }
            out = bigger;
            cap *= 2;
        }
        zs.next_out = (unsigned char *) out + zs.total_out;
        zs.avail_out = (uInt) (cap - zs.total_out);
        zr = inflate(&zs, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END) {
            rc_problem(x, "gzip: %s", zr == Z_BUF_ERROR ? "truncated"
                       : zs.msg ? zs.msg : "corrupt");
            goto fail;
        }
    }
    if (zs.avail_in != 0)
        rc_problem(x, "gzip: %u bytes after the first member", zs.avail_in);
    *outlen = zs.total_out;
    inflateEnd(&zs);
    return out;
fail:
    inflateEnd(&zs);
    free(out);
    return NULL;
}

/* rc_read - the whole file (at most limit bytes); malloc'd, or NULL */
static unsigned char *
rc_read(struct rc_ctx *x, size_t limit, size_t *len)
{
    FILE   *fp = fopen(x->file, "rb");
    unsigned char *buf;
    size_t  n;

    if (fp == NULL) {
        rc_problem(x, "cannot open: %s", strerror(errno));
        return NULL;
    }
    if ((buf = malloc(limit + 1)) == NULL) {
        fclose(fp);
        rc_problem(x, "out of memory");
        return NULL;
    }
    n = fread(buf, 1, limit + 1, fp);
    if (ferror(fp) || n > limit) {
        rc_problem(x, ferror(fp) ? "read error" : "file too large");
        fclose(fp);
        free(buf);
        return NULL;
    }
    fclose(fp);
    *len = n;
    return buf;
}

/* rc_file - check one report file; number of problems */
static int
rc_file(const char *file)
{
    struct rc_ctx x = {file, 0};
    unsigned char *raw;
    char   *text;
    size_t  rawlen;
    size_t  len;
    int     gz;
    json_t *root;
    json_error_t err;

    if ((raw = rc_read(&x, RC_MAX_JSON, &rawlen)) == NULL)
        return x.problems;
    gz = rawlen >= 2 && raw[0] == 0x1f && raw[1] == 0x8b;
    if (gz) {
        if (rawlen > RC_MAX_GZ)
            rc_problem(&x, "compressed report larger than %u bytes",
                       RC_MAX_GZ);
        text = rc_gunzip(&x, raw, rawlen, &len);
        free(raw);
        if (text == NULL)
            return x.problems;
    } else {
        text = (char *) raw;
        len = rawlen;
    }
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        rc_problem(&x, "UTF-8 byte order mark (I-JSON forbids it)");
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    free(text);
    if (root == NULL) {
        rc_problem(&x, "not I-JSON: line %d column %d: %s", err.line,
                   err.column, err.text);
        return x.problems;
    }
    rc_report(&x, root, gz);
    json_decref(root);
    return x.problems;
}

int
main(int argc, char **argv)
{
    int     bad = 0;
    int     i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++)
        if (rc_file(argv[i]) > 0)
            bad = 1;
    return bad;
}
