/* tests/t_jsonw.c - util/jsonw against jansson, byte for byte
 *
 * util/jsonw.h promises the bytes json_dumpf() writes of the same
 * document with JSON_PRESERVE_ORDER and the same indentation and
 * compactness, and the same refusals of strings that are not UTF-8.
 * Log lines are attacker-influenced, so the strings here are hostile:
 * every control byte, quotes, backslashes, slashes, DEL, valid UTF-8
 * of one to four bytes, and the invalid kinds (a lone continuation
 * byte, C0/C1 and F5..FF, overlong forms, surrogates, above U+10FFFF,
 * sequences cut short), then random bytes. Each document is built
 * twice, a jansson tree and a jsonw stream, from one seeded random
 * walk; strings jansson refuses leave their member out of both.
 */
#include "../util/jsonw.h"
#include "testlib.h"

#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t t_seed = 0x9e3779b97f4a7c15ULL;
static size_t t_disagree;       /* strings jsonw and jansson judged apart */
static size_t t_strings;        /* strings offered to both */
static size_t t_shown;          /* differing documents printed */

/* rnd - xorshift64*: the same documents on every run */
static uint64_t
rnd(void)
{
    t_seed ^= t_seed >> 12;
    t_seed ^= t_seed << 25;
    t_seed ^= t_seed >> 27;
    return t_seed * 0x2545f4914f6cdd1dULL;
}

/* pieces strings are made of: each alone, and strung together */
static const char *const t_piece[] = {
    "", "a", "example.com", "\"", "\\", "/", "\\\"", "\"\\", "\x7f",
    "\b", "\f", "\n", "\r", "\t", "\x01", "\x1f", "\x1b[31m", "\x0b",
    "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbf",
    "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80", "\xc2\x80",
    "\xe0\xa0\x80", "\xf0\x90\x80\x80",
    /* invalid */
    "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf",
    "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xed\xa0\x80", "\xed\xbf\xbf",
    "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe", "\xc3",
    "\xe2\x82", "\xf0\x9f\x98", "\xc3\x28", "\xe2\x28\xa1",
    "\xf8\x88\x80\x80\x80",
};
#define T_NPIECE (sizeof(t_piece) / sizeof(t_piece[0]))

/* t_string - a hostile string into buf[cap] */
static const char *
t_string(char *buf, size_t cap)
{
    size_t  len = 0, i, n;

    switch (rnd() % 4) {
    case 0:                     /* one piece */
        return t_piece[rnd() % T_NPIECE];
    case 1:                     /* random bytes, no NUL */
        n = rnd() % 24;
        for (i = 0; i < n; i++)
            buf[i] = (char) (1 + rnd() % 255);
        buf[n] = 0;
        return buf;
    case 2:                     /* random control and ASCII bytes */
        n = rnd() % 24;
        for (i = 0; i < n; i++)
            buf[i] = (char) (1 + rnd() % 127);
        buf[n] = 0;
        return buf;
    default:                    /* pieces strung together */
        n = 1 + rnd() % 6;
        buf[0] = 0;
        for (i = 0; i < n; i++) {
            const char *p = t_piece[rnd() % T_NPIECE];

            if (len + strlen(p) + 1 > cap)
                break;
            memcpy(buf + len, p, strlen(p) + 1);
            len += strlen(p);
        }
        return buf;
    }
}

/* the keys: valid UTF-8 that needs escaping too */
static const char *const t_key[] = {
    "domain", "first-day", "a\"b", "back\\slash", "tab\tnl\n", "\x01",
    "caf\xc3\xa9", "", "k",
};
#define T_NKEY (sizeof(t_key) / sizeof(t_key[0]))

/* t_int - integers at the edges and between */
static long long
t_int(void)
{
    switch (rnd() % 6) {
    case 0:
        return LLONG_MIN;
    case 1:
        return LLONG_MAX;
    case 2:
        return 0;
    case 3:
        return -(long long) (rnd() % 1000);
    case 4:
        return (long long) (uint64_t) rnd();    /* any, as summary casts */
    default:
        return (long long) (rnd() % 100000);
    }
}

/* t_fill - members of container c (depth d) into both, at random;
 * c is an object when obj */
static void
t_fill(struct jsonw *w, json_t *c, int obj, int d)
{
    char    buf[256];
    int     n = (int) (rnd() % (d > 3 ? 3 : 6)), i;

    for (i = 0; i < n; i++) {
        /* a fresh key per member of an object: no duplicates */
        char    key[64];
        const char *k = NULL;
        json_t *v;
        int     what = (int) (rnd() % (d < 6 ? 4 : 2));

        if (obj) {
            snprintf(key, sizeof(key), "%s%d", t_key[rnd() % T_NKEY], i);
            k = key;
        }
        if (what == 0) {
            const char *s = t_string(buf, sizeof(buf));

            v = json_string(s);
            t_strings++;
            t_disagree += (jsonw_str(w, k, s) == 0) != (v != NULL);
            if (v == NULL)
                continue;
        } else if (what == 1) {
            long long x = t_int();

            v = json_integer((json_int_t) x);
            jsonw_int(w, k, x);
        } else {
            v = what == 2 ? json_object() : json_array();
            jsonw_open(w, k, what == 2 ? '{' : '[');
            t_fill(w, v, what == 2, d + 1);
            jsonw_close(w);
        }
        if (obj ? json_object_set_new(c, k, v) : json_array_append_new(c, v))
            t_disagree++;       /* jansson refused a key: never here */
    }
}

/* t_doc - one random document both ways under indent/compact; 1 when
 * the bytes agree */
static int
t_doc(int indent, int compact)
{
    char   *mine = NULL;
    size_t  len = 0;
    FILE   *fp = open_memstream(&mine, &len);
    struct jsonw w;
    json_t *root;
    char   *ref;
    int     obj = (int) (rnd() % 4 != 0);
    int     same;

    jsonw_init(&w, fp, indent, compact);
    root = obj ? json_object() : json_array();
    jsonw_open(&w, NULL, obj ? '{' : '[');
    t_fill(&w, root, obj, 1);
    jsonw_close(&w);
    fclose(fp);
    ref = json_dumps(root, JSON_PRESERVE_ORDER
                     | (indent ? JSON_INDENT(indent) : 0)
                     | (compact ? JSON_COMPACT : 0));
    same = ref != NULL && strcmp(ref, mine) == 0;
    if (!same && t_shown++ < 3)
        fprintf(stderr, "indent %d compact %d\njansson:\n%s\njsonw:\n%s\n",
                indent, compact, ref ? ref : "(null)", mine);
    free(ref);
    free(mine);
    json_decref(root);
    return same;
}

/* t_utf8 - jsonw_utf8_ok agrees with json_string() on every piece,
 * pairs of pieces and random bytes */
static void
t_utf8(void)
{
    char    buf[64];
    size_t  i, j, bad = 0, n = 0;

    for (i = 0; i < T_NPIECE; i++)
        for (j = 0; j < T_NPIECE; j++) {
            json_t *v;

            snprintf(buf, sizeof(buf), "%s%s", t_piece[i], t_piece[j]);
            v = json_string(buf);
            bad += jsonw_utf8_ok(buf, strlen(buf)) != (v != NULL);
            n++;
            json_decref(v);
        }
    T_CHECK(bad == 0, "%zu of %zu pairs of pieces judged unlike jansson",
            bad, n);
    for (i = bad = 0; i < 200000; i++) {
        size_t  len = 1 + rnd() % 5;
        json_t *v;

        for (j = 0; j < len; j++)
            buf[j] = (char) (1 + rnd() % 255);
        buf[len] = 0;
        v = json_string(buf);
        bad += jsonw_utf8_ok(buf, len) != (v != NULL);
        json_decref(v);
    }
    T_CHECK(bad == 0, "%zu of 200000 random strings judged unlike jansson",
            bad);
    T_CHECK(jsonw_utf8_ok("", 0), "empty is UTF-8");
    T_CHECK(!jsonw_utf8_ok("\xed\xa0\x80", 3), "a surrogate is not");
    T_CHECK(!jsonw_utf8_ok("\xc0\xaf", 2), "an overlong slash is not");
    T_CHECK(!jsonw_utf8_ok("\xf4\x90\x80\x80", 4), "above U+10FFFF is not");
    T_CHECK(jsonw_utf8_ok("\xf4\x8f\xbf\xbf", 4), "U+10FFFF is");
}

/* t_escape - every byte 1..255 alone, the escapes spelt out */
static void
t_escape(void)
{
    char   *mine = NULL;
    size_t  len = 0;
    FILE   *fp;
    struct jsonw w;
    json_t *arr = json_array();
    char   *ref;
    char    s[2] = "";
    int     c, bad = 0;

    fp = open_memstream(&mine, &len);
    jsonw_init(&w, fp, 0, 1);
    jsonw_open(&w, NULL, '[');
    for (c = 1; c < 256; c++) {
        json_t *v;

        s[0] = (char) c;
        v = json_string(s);
        bad += (jsonw_str(&w, NULL, s) == 0) != (v != NULL);
        if (v != NULL)
            json_array_append_new(arr, v);
    }
    jsonw_close(&w);
    fclose(fp);
    T_CHECK(bad == 0, "bytes 1..255: %d judged unlike jansson as UTF-8", bad);
    ref = json_dumps(arr, JSON_COMPACT);
    T_CHECK(ref != NULL && strcmp(ref, mine) == 0,
            "bytes 1..255: jansson\n%s\njsonw\n%s", ref, mine);
    T_CHECK(strstr(mine, "\"\\u001B\"") != NULL
            && strstr(mine, "\"\\b\",\"\\t\",\"\\n\",\"\\u000B\"") != NULL
            && strstr(mine, "\"\\\"\"") != NULL
            && strstr(mine, "\"\\\\\"") != NULL
            && strstr(mine, "\"/\"") != NULL
            && strstr(mine, "\"\x7f\"") != NULL,
            "escapes: upper-case \\u00XX, named ones, quote, backslash; "
            "slash and DEL as they are");
    free(ref);
    free(mine);
    json_decref(arr);
}

/* t_long - a string longer than the buffer, deep nesting, the summary's
 * own shape (indent 2, an empty object, negative counts) */
static void
t_long(void)
{
    char   *mine = NULL;
    size_t  len = 0;
    FILE   *fp;
    struct jsonw w;
    json_t *root = json_object(), *c = root, *inner;
    char   *big = malloc(3 * JSONW_BUF + 7);
    char   *ref;
    size_t  i;
    int     d;

    for (i = 0; i < 3 * JSONW_BUF + 6; i++)
        big[i] = "ab\"\\\ncd\x01"[i % 8];
    big[i] = 0;
    fp = open_memstream(&mine, &len);
    jsonw_init(&w, fp, 2, 0);
    jsonw_open(&w, NULL, '{');
    jsonw_str(&w, "big", big);
    json_object_set_new(root, "big", json_string(big));
    for (d = 2; d < JSONW_DEPTH_MAX; d++) {      /* with root, array: max */
        jsonw_open(&w, "in", '{');
        inner = json_object();
        json_object_set_new(c, "in", inner);
        c = inner;
    }
    jsonw_open(&w, "failures", '[');
    json_object_set_new(c, "failures", json_array());
    jsonw_close(&w);
    jsonw_int(&w, "n", (long long) (uint64_t) UINT64_MAX);
    json_object_set_new(c, "n", json_integer((json_int_t) UINT64_MAX));
    for (d = 1; d < JSONW_DEPTH_MAX; d++)
        jsonw_close(&w);
    fclose(fp);
    ref = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    T_CHECK(ref != NULL && strcmp(ref, mine) == 0,
            "a string of 3 buffers, %d levels: as jansson", JSONW_DEPTH_MAX);
    free(ref);
    free(mine);
    free(big);
    json_decref(root);
}

int
main(void)
{
    static const int indents[] = {0, 1, 2, 4, 8, 31};
    size_t  i;
    int     k, bad, compact;

    t_utf8();
    t_escape();
    t_long();
    for (i = 0; i < sizeof(indents) / sizeof(indents[0]); i++)
        for (compact = 0; compact < 2; compact++) {
            for (k = bad = 0; k < 400; k++)
                bad += !t_doc(indents[i], compact);
            T_CHECK(bad == 0, "indent %d compact %d: %d of 400 random "
                    "documents differ from jansson's", indents[i], compact,
                    bad);
        }
    T_CHECK(t_disagree == 0 && t_strings > 10000, "%zu of %zu strings in "
            "the documents judged unlike jansson", t_disagree, t_strings);
    return T_DONE();
}
