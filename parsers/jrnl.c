/* parsers/jrnl.c - systemd journal records as struct wrap_rec (see jrnl.h)
 *
 * The JSON reader is a bounded scanner, not a general JSON library: it
 * walks one object, decodes the values of the few fields we use into
 * fixed buffers and skips every other value without allocating. Every
 * loop advances the cursor, and no read goes past the end of the line.
 */
#include "jrnl.h"
#include "../util/mymalloc.h"

#include <stdint.h>
#include <string.h>

enum jrnl_f {
    JF_MSG = 0, JF_HOST, JF_IDENT, JF_COMM, JF_PID, JF_SPID, JF_RT, JF_SRT,
    JF_COUNT
};

static const char *const jrnl_names[JF_COUNT] = {
    "MESSAGE", "_HOSTNAME", "SYSLOG_IDENTIFIER", "_COMM", "_PID",
    "SYSLOG_PID", "__REALTIME_TIMESTAMP", "_SOURCE_REALTIME_TIMESTAMP",
};

struct jrnl {
    char   *mem;                /* one allocation for every buffer */
    char   *buf[JF_COUNT];
    size_t  len[JF_COUNT];
    int     have[JF_COUNT];
    const char *bad;            /* reason the record is unreadable */
};

struct jcur {
    const char *p;
    const char *end;
};

/* jrnl_cap - size of a field's buffer */
static size_t
jrnl_cap(int f)
{
    return f == JF_MSG ? JRNL_MAX_MSG : JRNL_MAX_FIELD;
}

/* jrnl_create - buffers for one reader */
struct jrnl *
jrnl_create(void)
{
    struct jrnl *j = xcalloc(1, sizeof(*j));
    char   *p;
    int     f;

    j->mem = xmalloc(JRNL_MAX_MSG + (JF_COUNT - 1) * JRNL_MAX_FIELD);
    for (p = j->mem, f = 0; f < JF_COUNT; f++) {
        j->buf[f] = p;
        p += jrnl_cap(f);
    }
    return j;
}

/* jrnl_free - release; returns NULL */
struct jrnl *
jrnl_free(struct jrnl *j)
{
    if (j) {
        xfree(j->mem);
        xfree(j);
    }
    return NULL;
}

/* jrnl_lookup - index of a field we use, or -1 */
static int
jrnl_lookup(const char *k, size_t n)
{
    int     f;

    for (f = 0; f < JF_COUNT; f++)
        if (strlen(jrnl_names[f]) == n && memcmp(jrnl_names[f], k, n) == 0)
            return f;
    return -1;
}

/* jrnl_field_name - journal field name rules (systemd journal_field_valid) */
int
jrnl_field_name(struct span k)
{
    size_t  i;

    if (k.len == 0 || k.len > 64 || (k.ptr[0] >= '0' && k.ptr[0] <= '9'))
        return 0;
    for (i = 0; i < k.len; i++) {
        char    c = k.ptr[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* jrnl_reset - forget the previous record */
static void
jrnl_reset(struct jrnl *j)
{
    memset(j->have, 0, sizeof(j->have));
    memset(j->len, 0, sizeof(j->len));
    j->bad = NULL;
}

/* jrnl_set - store a complete value of field f */
static void
jrnl_set(struct jrnl *j, int f, const char *p, size_t n)
{
    if (n > jrnl_cap(f)) {
        if (f == JF_MSG)
            j->bad = "MESSAGE too long";
        j->have[f] = 0;
        return;
    }
    if (n)
        memcpy(j->buf[f], p, n);
    j->len[f] = n;
    j->have[f] = 1;
}

/* jrnl_usec - decimal microseconds; -1 unless 1 .. year 9999 */
static int64_t
jrnl_usec(const char *p, size_t n)
{
    uint64_t v = 0;
    size_t  i;

    if (n == 0 || n > 18)
        return -1;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (uint64_t) (p[i] - '0');
    }
    if (v == 0 || v > 253402300799ULL * 1000000ULL)
        return -1;
    return (int64_t) v;
}

/* jrnl_digits - 1 when field f holds only digits (a pid) */
static int
jrnl_digits(const struct jrnl *j, int f)
{
    size_t  i;

    if (!j->have[f] || j->len[f] == 0)
        return 0;
    for (i = 0; i < j->len[f]; i++)
        if (j->buf[f][i] < '0' || j->buf[f][i] > '9')
            return 0;
    return 1;
}

/* jrnl_rec - the fields of the current record as a wrap_rec */
static int
jrnl_rec(struct jrnl *j, struct wrap_rec *r, const char **why)
{
    int64_t us = -1;
    int     f;

    memset(r, 0, sizeof(*r));
    if (j->bad) {
        *why = j->bad;
        return -1;
    }
    if (!j->have[JF_MSG]) {
        *why = "journal record without MESSAGE";
        return -1;
    }
    if (j->len[JF_MSG] && memchr(j->buf[JF_MSG], 0, j->len[JF_MSG])) {
        *why = "NUL byte in MESSAGE";
        return -1;
    }
    if (j->have[JF_SRT])
        us = jrnl_usec(j->buf[JF_SRT], j->len[JF_SRT]);
    if (us < 0 && j->have[JF_RT])
        us = jrnl_usec(j->buf[JF_RT], j->len[JF_RT]);
    if (us >= 0) {
        r->dated = 1;
        r->t = us / 1000000;
    }
    r->msg = span_make(j->buf[JF_MSG], j->len[JF_MSG]);
    r->host = span_make(j->buf[JF_HOST], j->have[JF_HOST] ? j->len[JF_HOST] : 0);
    f = j->have[JF_IDENT] && j->len[JF_IDENT] ? JF_IDENT : JF_COMM;
    r->ident = span_make(j->buf[f], j->have[f] ? j->len[f] : 0);
    f = jrnl_digits(j, JF_PID) ? JF_PID : JF_SPID;
    r->pid = span_make(j->buf[f], jrnl_digits(j, f) ? j->len[f] : 0);
    return 0;
}

/* ---------------------------------------------------------------- JSON */

/* jc_ws - skip JSON white space */
static void
jc_ws(struct jcur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n'
                             || *c->p == '\r'))
        c->p++;
}

/* jc_put - append a byte to out (counting past cap) */
static void
jc_put(char *out, size_t cap, size_t *n, unsigned char b)
{
    if (out && *n < cap)
        out[*n] = (char) b;
    (*n)++;
}

/* jc_hex4 - four hex digits at the cursor */
static int
jc_hex4(struct jcur *c, uint32_t *v)
{
    int     i;

    if (c->end - c->p < 4)
        return -1;
    *v = 0;
    for (i = 0; i < 4; i++) {
        char    ch = c->p[i];
        int     x = ch >= '0' && ch <= '9' ? ch - '0'
            : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
            : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;

        if (x < 0)
            return -1;
        *v = *v << 4 | (uint32_t) x;
    }
    c->p += 4;
    return 0;
}

/* jc_utf8 - a code point as UTF-8 */
static void
jc_utf8(char *out, size_t cap, size_t *n, uint32_t cp)
{
    if (cp < 0x80) {
        jc_put(out, cap, n, (unsigned char) cp);
    } else if (cp < 0x800) {
        jc_put(out, cap, n, (unsigned char) (0xc0 | cp >> 6));
        jc_put(out, cap, n, (unsigned char) (0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        jc_put(out, cap, n, (unsigned char) (0xe0 | cp >> 12));
        jc_put(out, cap, n, (unsigned char) (0x80 | (cp >> 6 & 0x3f)));
        jc_put(out, cap, n, (unsigned char) (0x80 | (cp & 0x3f)));
    } else {
        jc_put(out, cap, n, (unsigned char) (0xf0 | cp >> 18));
        jc_put(out, cap, n, (unsigned char) (0x80 | (cp >> 12 & 0x3f)));
        jc_put(out, cap, n, (unsigned char) (0x80 | (cp >> 6 & 0x3f)));
        jc_put(out, cap, n, (unsigned char) (0x80 | (cp & 0x3f)));
    }
}

/* jc_string - a JSON string at the cursor, decoded into out (may be
 * NULL: skip); 0, 1 when longer than cap (*len = cap), -1 bad syntax */
static int
jc_string(struct jcur *c, char *out, size_t cap, size_t *len)
{
    size_t  n = 0;

    if (c->p >= c->end || *c->p != '"')
        return -1;
    c->p++;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char) *c->p++;
        uint32_t cp;
        uint32_t lo;

        if (ch == '"') {
            *len = n > cap ? cap : n;
            return n > cap;
        }
        if (ch < 0x20)
            return -1;
        if (ch != '\\') {
            jc_put(out, cap, &n, ch);
            continue;
        }
        if (c->p >= c->end)
            return -1;
        switch (*c->p++) {
        case '"':
            jc_put(out, cap, &n, '"');
            break;
        case '\\':
            jc_put(out, cap, &n, '\\');
            break;
        case '/':
            jc_put(out, cap, &n, '/');
            break;
        case 'b':
            jc_put(out, cap, &n, '\b');
            break;
        case 'f':
            jc_put(out, cap, &n, '\f');
            break;
        case 'n':
            jc_put(out, cap, &n, '\n');
            break;
        case 'r':
            jc_put(out, cap, &n, '\r');
            break;
        case 't':
            jc_put(out, cap, &n, '\t');
            break;
        case 'u':
            if (jc_hex4(c, &cp) != 0)
                return -1;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                struct jcur save = *c;

                if (c->end - c->p >= 6 && c->p[0] == '\\' && c->p[1] == 'u'
                    && (c->p += 2, jc_hex4(c, &lo) == 0)
                    && lo >= 0xdc00 && lo <= 0xdfff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                } else {
                    *c = save;
                    cp = 0xfffd;        /* lone surrogate */
                }
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                cp = 0xfffd;
            }
            jc_utf8(out, cap, &n, cp);
            break;
        default:
            return -1;
        }
    }
    return -1;
}

/* jc_scalar_char - a byte of a number or a literal */
static int
jc_scalar_char(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z')
        || ch == '-' || ch == '+' || ch == '.' || ch == 'E';
}

/* jc_skip - skip one value of any kind; -1 on bad syntax */
static int
jc_skip(struct jcur *c)
{
    size_t  depth = 0;
    size_t  n;

    do {
        const char *before;

        jc_ws(c);
        if (c->p >= c->end)
            return -1;
        before = c->p;
        if (*c->p == '"') {
            if (jc_string(c, NULL, 0, &n) < 0)
                return -1;
        } else if (*c->p == '{' || *c->p == '[') {
            depth++;
            c->p++;
            continue;
        } else if (*c->p == '}' || *c->p == ']') {
            if (depth == 0)
                return -1;
            depth--;
            c->p++;
        } else if (*c->p == ',' || *c->p == ':') {
            if (depth == 0)
                return -1;
            c->p++;
            continue;
        } else {
            while (c->p < c->end && jc_scalar_char(*c->p))
                c->p++;
            if (c->p == before)
                return -1;
        }
    } while (depth > 0);
    return 0;
}

/* jc_bytes - "[104, 105]" (bytes 0..255) at the cursor into out */
static int
jc_bytes(struct jcur *c, char *out, size_t cap, size_t *len)
{
    size_t  n = 0;

    c->p++;                     /* '[' */
    jc_ws(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        *len = 0;
        return 0;
    }
    for (;;) {
        unsigned v = 0;
        int     digits = 0;

        jc_ws(c);
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && digits < 4) {
            v = v * 10 + (unsigned) (*c->p++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return -1;
        jc_put(out, cap, &n, (unsigned char) v);
        jc_ws(c);
        if (c->p >= c->end)
            return -1;
        if (*c->p++ == ']')
            break;
        if (c->p[-1] != ',')
            return -1;
    }
    *len = n > cap ? cap : n;
    return n > cap;
}

/* jc_rest - skip the remaining elements of an array after the first */
static int
jc_rest(struct jcur *c)
{
    for (;;) {
        jc_ws(c);
        if (c->p >= c->end)
            return -1;
        if (*c->p == ']') {
            c->p++;
            return 0;
        }
        if (*c->p++ != ',' || jc_skip(c) != 0)
            return -1;
    }
}

/* jc_field - the value of a field we use: a string, a byte array, or
 * an array of those (the first one counts), or null (absent) */
static int
jc_field(struct jrnl *j, struct jcur *c, int f)
{
    size_t  cap = jrnl_cap(f);
    size_t  len = 0;
    int     rc;

    jc_ws(c);
    if (c->p >= c->end)
        return -1;
    if (*c->p == '"') {
        rc = jc_string(c, j->buf[f], cap, &len);
    } else if (*c->p == '[') {
        struct jcur look = *c;

        look.p++;
        jc_ws(&look);
        if (look.p < look.end && *look.p == '"') {
            c->p = look.p;
            rc = jc_string(c, j->buf[f], cap, &len);
            if (rc >= 0 && jc_rest(c) != 0)
                return -1;
        } else if (look.p < look.end && *look.p == '[') {
            c->p = look.p;
            rc = jc_bytes(c, j->buf[f], cap, &len);
            if (rc >= 0 && jc_rest(c) != 0)
                return -1;
        } else {
            rc = jc_bytes(c, j->buf[f], cap, &len);
        }
    } else {
        /* null (a field over 4096 bytes without --all), or odd types */
        if (f == JF_MSG && c->end - c->p >= 4 && memcmp(c->p, "null", 4) == 0)
            j->bad = "MESSAGE omitted (journalctl -o json without --all)";
        j->have[f] = 0;
        return jc_skip(c);
    }
    if (rc < 0)
        return -1;
    if (rc > 0) {
        if (f == JF_MSG)
            j->bad = "MESSAGE too long";
        j->have[f] = 0;
        return 0;
    }
    j->len[f] = len;
    j->have[f] = 1;
    return 0;
}

/* jrnl_is_json - the line opens a JSON object */
int
jrnl_is_json(struct span line)
{
    if (line.len > 0 && line.ptr[0] == 0x1e)
        span_drop(&line, 1);
    else if (span_starts(line, "data: "))
        span_drop(&line, 6);
    if (span_skip(&line, "{") != 0)
        return 0;
    while (line.len > 0 && (line.ptr[0] == ' ' || line.ptr[0] == '\t'))
        span_drop(&line, 1);
    return line.len > 0 && line.ptr[0] == '"';
}

/* jrnl_json - one journalctl -o json object */
int
jrnl_json(struct jrnl *j, struct span line, struct wrap_rec *r,
          const char **why)
{
    struct jcur c;

    jrnl_reset(j);
    memset(r, 0, sizeof(*r));
    if (line.len > 0 && line.ptr[0] == 0x1e)
        span_drop(&line, 1);
    else if (span_starts(line, "data: "))
        span_drop(&line, 6);
    c.p = line.ptr;
    c.end = line.ptr + line.len;
    *why = "broken journal JSON";
    jc_ws(&c);
    if (c.p >= c.end || *c.p++ != '{')
        return -1;
    jc_ws(&c);
    if (c.p < c.end && *c.p == '}') {
        c.p++;
    } else {
        for (;;) {
            const char *k;
            const char *q;
            int     f = -1;

            jc_ws(&c);
            if (c.p >= c.end || *c.p != '"')
                return -1;
            k = c.p + 1;
            q = memchr(k, '"', (size_t) (c.end - k));
            if (q && memchr(k, '\\', (size_t) (q - k)) == NULL) {
                f = jrnl_lookup(k, (size_t) (q - k));
                c.p = q + 1;
            } else {
                size_t  n;

                if (jc_string(&c, NULL, 0, &n) < 0)
                    return -1;
            }
            jc_ws(&c);
            if (c.p >= c.end || *c.p++ != ':')
                return -1;
            if ((f >= 0 ? jc_field(j, &c, f) : jc_skip(&c)) != 0)
                return -1;
            jc_ws(&c);
            if (c.p >= c.end)
                return -1;
            if (*c.p == '}') {
                c.p++;
                break;
            }
            if (*c.p++ != ',')
                return -1;
        }
    }
    jc_ws(&c);
    if (c.p != c.end)
        return -1;
    return jrnl_rec(j, r, why);
}

/* -------------------------------------------------------------- export */

/* jrnl_is_export - first line "__NAME=" */
int
jrnl_is_export(const char *p, size_t n)
{
    size_t  i;

    if (n < 3 || p[0] != '_' || p[1] != '_' || p[2] < 'A' || p[2] > 'Z')
        return 0;
    for (i = 2; i < n && i <= 64; i++) {
        if (p[i] == '=')
            return 1;
        if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9')
              || p[i] == '_'))
            return 0;
    }
    return i == n;              /* undecided at the end of the data */
}

/* jrnl_export_start - a new record */
void
jrnl_export_start(struct jrnl *j)
{
    jrnl_reset(j);
}

/* jrnl_export_field - one complete field */
void
jrnl_export_field(struct jrnl *j, struct span key, struct span value)
{
    int     f = jrnl_lookup(key.ptr, key.len);

    if (f >= 0)
        jrnl_set(j, f, value.ptr, value.len);
}

/* jrnl_export_lost - a field that could not be read */
void
jrnl_export_lost(struct jrnl *j, const struct span *key, const char *why)
{
    if (key == NULL || jrnl_lookup(key->ptr, key->len) >= 0)
        j->bad = why;
}

/* jrnl_export_end - the record */
int
jrnl_export_end(struct jrnl *j, struct wrap_rec *r, const char **why)
{
    return jrnl_rec(j, r, why);
}
