/* util/jsonw.c - JSON written as it is made, byte for byte as jansson
 *
 * NAME
 *      jsonw - streaming JSON writer
 * SYNOPSIS
 *      #include "util/jsonw.h"
 * DESCRIPTION
 *      See jsonw.h. The layout is jansson's do_dump() (src/dump.c):
 *      before the first member of a container a line break and the
 *      indentation of the level below, before each further one "," and
 *      the same (or ", " on one line, "," compact), before the closing
 *      bracket a line break and the container's own indentation; an
 *      empty container closes at once.
 * DIAGNOSTICS
 *      msg_panic on misuse (see jsonw.h); write errors are the stream's.
 */
#include "jsonw.h"
#include "msg.h"

#include <stdint.h>
#include <string.h>

/* jsonw_put - n bytes of p into the buffer, handing it over when full */
static void
jsonw_put(struct jsonw *w, const char *p, size_t n)
{
    if (w->len + n > sizeof(w->buf)) {
        jsonw_flush(w);
        if (n > sizeof(w->buf)) {
            (void) fwrite(p, 1, n, w->fp);
            return;
        }
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

/* jsonw_putc - one byte */
static inline void
jsonw_putc(struct jsonw *w, char c)
{
    if (w->len == sizeof(w->buf))
        jsonw_flush(w);
    w->buf[w->len++] = c;
}

/* jsonw_flush - the buffer to the stream; 0 or -1 */
int
jsonw_flush(struct jsonw *w)
{
    size_t  n = w->len;

    w->len = 0;
    if (n > 0 && fwrite(w->buf, 1, n, w->fp) != n)
        return -1;
    return 0;
}

/* jsonw_init - an empty writer to fp */
void
jsonw_init(struct jsonw *w, FILE *fp, int indent, int compact)
{
    if (indent < 0 || indent > 31)
        msg_panic("jsonw_init: indent %d", indent);
    w->fp = fp;
    w->indent = indent;
    w->compact = compact != 0;
    w->depth = 0;
    w->len = 0;
}

/* jsonw_break - jansson's dump_indent(): a line break and depth levels
 * of indentation, or on one line a space where space asks (not
 * compact) */
static void
jsonw_break(struct jsonw *w, int depth, int space)
{
    static const char blanks[] = "                                ";
    size_t  n;

    if (w->indent > 0) {
        jsonw_putc(w, '\n');
        for (n = (size_t) depth * (size_t) w->indent; n > 0;) {
            size_t  k = n < sizeof(blanks) - 1 ? n : sizeof(blanks) - 1;

            jsonw_put(w, blanks, k);
            n -= k;
        }
    } else if (space && !w->compact) {
        jsonw_putc(w, ' ');
    }
}

/* jsonw_esc - s[len] (valid UTF-8) in quotes, escaped as jansson does */
static void
jsonw_esc(struct jsonw *w, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *run = s;
    const char *end = s + len;
    char    e[6];

    jsonw_putc(w, '"');
    for (; s < end; s++) {
        unsigned char c = (unsigned char) *s;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        jsonw_put(w, run, (size_t) (s - run));
        run = s + 1;
        e[0] = '\\';
        switch (c) {
        case '"':
        case '\\':
            e[1] = (char) c;
            break;
        case '\b':
            e[1] = 'b';
            break;
        case '\f':
            e[1] = 'f';
            break;
        case '\n':
            e[1] = 'n';
            break;
        case '\r':
            e[1] = 'r';
            break;
        case '\t':
            e[1] = 't';
            break;
        default:
            e[1] = 'u';
            e[2] = '0';
            e[3] = '0';
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            jsonw_put(w, e, 6);
            continue;
        }
        jsonw_put(w, e, 2);
    }
    jsonw_put(w, run, (size_t) (s - run));
    jsonw_putc(w, '"');
}

/* jsonw_member - what goes before a member: the separator from the one
 * before or the break after the opening bracket, then "key": */
static void
jsonw_member(struct jsonw *w, const char *key)
{
    int     d = w->depth;

    if (d == 0) {
        if (key != NULL)
            msg_panic("jsonw: key \"%s\" outside an object", key);
        return;
    }
    if ((key != NULL) != (w->kind[d - 1] == '{'))
        msg_panic("jsonw: %s in an %s", key ? "key" : "no key",
                  w->kind[d - 1] == '{' ? "object" : "array");
    if (w->some[d - 1])
        jsonw_putc(w, ',');
    jsonw_break(w, d, w->some[d - 1]);
    w->some[d - 1] = 1;
    if (key != NULL) {
        jsonw_esc(w, key, strlen(key));
        jsonw_put(w, ": ", w->compact ? 1 : 2);
    }
}

/* jsonw_open - start an object or array */
void
jsonw_open(struct jsonw *w, const char *key, int kind)
{
    if (kind != '{' && kind != '[')
        msg_panic("jsonw_open: kind %d", kind);
    if (w->depth == JSONW_DEPTH_MAX)
        msg_panic("jsonw_open: deeper than %d", JSONW_DEPTH_MAX);
    jsonw_member(w, key);
    jsonw_putc(w, (char) kind);
    w->kind[w->depth] = (unsigned char) kind;
    w->some[w->depth] = 0;
    w->depth++;
}

/* jsonw_close - end the innermost container */
void
jsonw_close(struct jsonw *w)
{
    if (w->depth == 0)
        msg_panic("jsonw_close: nothing open");
    w->depth--;
    if (w->some[w->depth])
        jsonw_break(w, w->depth, 0);
    jsonw_putc(w, w->kind[w->depth] == '{' ? '}' : ']');
    if (w->depth == 0)
        jsonw_flush(w);
}

/* jsonw_str - a string, or -1 (nothing written) when not UTF-8 */
int
jsonw_str(struct jsonw *w, const char *key, const char *s)
{
    size_t  len = strlen(s);

    if (!jsonw_utf8_ok(s, len))
        return -1;
    jsonw_member(w, key);
    jsonw_esc(w, s, len);
    return 0;
}

/* jsonw_int - an integer, as jansson's "%lld" */
void
jsonw_int(struct jsonw *w, const char *key, long long v)
{
    char    num[24];
    char   *p = num + sizeof(num);
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long) v
        : (unsigned long long) v;

    jsonw_member(w, key);
    do {
        *--p = (char) ('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (v < 0)
        *--p = '-';
    jsonw_put(w, p, (size_t) (num + sizeof(num) - p));
}

/* jsonw_utf8_ok - RFC 3629 UTF-8: the shortest form, no surrogates,
 * at most U+10FFFF */
int
jsonw_utf8_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *) s;
    const unsigned char *end = p + len;

    while (p < end) {
        unsigned char c = *p;
        uint32_t cp;
        size_t  n, i;

        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            cp = c & 0x07;
        } else {
            return 0;           /* a continuation, C0, C1, F5..FF */
        }
        if ((size_t) (end - p) < n)
            return 0;
        for (i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i] & 0x3F);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)
            || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += n;
    }
    return 1;
}
