/* tests/t_input.c - unit tests for the input forms: decomp, input, jrnl,
 * the journal/5424/socklog envelopes of wrap, and order
 *
 * Compressed test files are made here with the same libraries the
 * reader uses (zlib, liblzma, libzstd, libbz2), in a temporary
 * directory, from generated text. Real journal lines come from
 * testdata/forms/ (see its README.md). main() sets TZ=UTC.
 */
#include "../parsers/decomp.h"
#include "../parsers/input.h"
#include "../parsers/jrnl.h"
#include "../parsers/order.h"
#include "../parsers/ts.h"
#include "../parsers/wrap.h"
#include "testlib.h"

#include <bzlib.h>
#include <lzma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static char tdir[64];

/* ------------------------------------------------------------ helpers */

struct buf {
    char   *p;
    size_t  len;
    size_t  cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
    if (n > SIZE_MAX / 4 - b->len)
        abort();                /* no test grows a buffer this far */
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            abort();
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void
buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* what one input_read() delivered */
struct got {
    struct buf text;            /* lines, each + "\n" */
    struct buf recs;            /* "t|host|ident|pid|msg\n" per record */
    size_t  lines;
    size_t  recs_n;
    size_t  bad[INPUT_BAD_COUNT];
    size_t  skip;
    struct buf ev;              /* "L<n>", "B<n> <why>", "S<n>": what came,
                                 * by line number, in order */
    size_t  batches;            /* calls of cb_lines */
    size_t  batch_wrong;        /* of them, breaking input.h's rules */
};

/* 1: got_cb and place_lines take lines in batches (input_cb.lines) */
static int use_batch;

static void
got_ev(struct got *g, char kind, uint64_t lineno, int why)
{
    char    t[48];

    snprintf(t, sizeof(t), why >= 0 ? "%c%llu %d\n" : "%c%llu\n", kind,
             (unsigned long long) lineno, why);
    buf_str(&g->ev, t);
}

static void
got_free(struct got *g)
{
    free(g->text.p);
    free(g->recs.p);
    free(g->ev.p);
    memset(g, 0, sizeof(*g));
}

static void
cb_line(void *ctx, const struct input_src *src, uint64_t lineno,
        struct span line)
{
    struct got *g = ctx;

    (void) src;
    g->lines++;
    buf_add(&g->text, line.ptr, line.len);
    buf_add(&g->text, "\n", 1);
    got_ev(g, 'L', lineno, -1);
}

/* cb_lines - a batch: each line as cb_line, and the rules of input.h
 * checked (src->lines counts the batch, 1 to INPUT_BATCH lines, none
 * begins with a byte of input.c's input_k_tab.rare) */
static void
cb_lines(void *ctx, const struct input_src *src, uint64_t lineno,
         const struct span *ls, size_t n)
{
    struct got *g = ctx;
    size_t  i;

    g->batches++;
    if (n == 0 || n > INPUT_BATCH || src->lines != lineno + n - 1)
        g->batch_wrong++;
    for (i = 0; i < n; i++) {
        /* never a line input.c looks at twice (input.h) */
        if (ls[i].len > 0 && memchr("-\xe2\x1e" "d{", ls[i].ptr[0], 5))
            g->batch_wrong++;
        cb_line(ctx, src, lineno + i, ls[i]);
    }
}

static void
cb_rec(void *ctx, const struct input_src *src, uint64_t lineno,
       const struct wrap_rec *r)
{
    struct got *g = ctx;
    char    t[32];

    (void) src;
    (void) lineno;
    g->recs_n++;
    snprintf(t, sizeof(t), "%lld|", r->dated ? (long long) r->t : -1LL);
    buf_str(&g->recs, t);
    buf_add(&g->recs, r->host.ptr, r->host.len);
    buf_add(&g->recs, "|", 1);
    buf_add(&g->recs, r->ident.ptr, r->ident.len);
    buf_add(&g->recs, "|", 1);
    buf_add(&g->recs, r->pid.ptr, r->pid.len);
    buf_add(&g->recs, "|", 1);
    buf_add(&g->recs, r->msg.ptr, r->msg.len);
    buf_add(&g->recs, "\n", 1);
}

static void
cb_bad(void *ctx, const struct input_src *src, uint64_t lineno,
       enum input_bad why)
{
    struct got *g = ctx;

    (void) src;
    g->bad[why]++;
    got_ev(g, 'B', lineno, (int) why);
}

static void
cb_skip(void *ctx, const struct input_src *src, uint64_t lineno)
{
    struct got *g = ctx;

    (void) src;
    g->skip++;
    got_ev(g, 'S', lineno, -1);
}

/* got_cb - cb, emptied, with every callback into g (emptied too) */
static void
got_cb(struct input_cb *cb, struct got *g)
{
    memset(g, 0, sizeof(*g));
    memset(cb, 0, sizeof(*cb));
    cb->line = cb_line;
    cb->lines = use_batch ? cb_lines : NULL;
    cb->rec = cb_rec;
    cb->bad = cb_bad;
    cb->skip = cb_skip;
    cb->ctx = g;
    cb->quiet = 1;
}

/* readf - input_read a file into g; its return value */
static int
readf(const char *path, struct got *g, struct input_src *src)
{
    struct input_cb cb;

    got_cb(&cb, g);
    return input_read(path, &cb, src);
}

/* tpath - a file name in the temporary directory */
static const char *
tpath(const char *name)
{
    static char p[256];

    snprintf(p, sizeof(p), "%s/%s", tdir, name);
    return p;
}

static void
writef(const char *path, const void *p, size_t n)
{
    FILE   *fp = fopen(path, "wb");

    if (fp == NULL || (n && fwrite(p, 1, n, fp) != n) || fclose(fp) != 0)
        abort();
}

/* gen_text - n syslog lines */
static void
gen_text(struct buf *b, size_t n)
{
    size_t  i;
    char    line[256];

    for (i = 0; i < n; i++) {
        snprintf(line, sizeof(line), "Nov 23 %02zu:%02zu:%02zu mail "
                 "postfix/smtp[%zu]: line %zu of the test text, with some "
                 "padding so that blocks fill: %08zx\n", i / 3600 % 24,
                 i / 60 % 60, i % 60, 1000 + i % 97, i, i * 2654435761u);
        buf_str(b, line);
    }
}

/* ------------------------------------------------------ compressors */

enum fmt { F_GZ, F_XZ, F_ZST, F_BZ2, F_COUNT };
static const char *const fmt_name[F_COUNT] = {"gzip", "xz", "zstd", "bzip2"};

/* zcompress - one member of in into out (appended) */
static void
zcompress(enum fmt f, const char *in, size_t n, struct buf *out, int level)
{
    size_t  cap = n + n / 2 + 1024;
    unsigned char *o = malloc(cap);
    size_t  olen = 0;

    if (o == NULL)
        abort();
    if (f == F_GZ) {
        z_stream zs;

        memset(&zs, 0, sizeof(zs));
        if (deflateInit2(&zs, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY)
            != Z_OK)
            abort();
        zs.next_in = (unsigned char *) (uintptr_t) in;
        zs.avail_in = (uInt) n;
        zs.next_out = o;
        zs.avail_out = (uInt) cap;
        if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
            abort();
        olen = zs.total_out;
        deflateEnd(&zs);
    } else if (f == F_XZ) {
        if (lzma_easy_buffer_encode((uint32_t) level, LZMA_CHECK_CRC64, NULL,
                                    (const uint8_t *) in, n, o, &olen, cap)
            != LZMA_OK)
            abort();
    } else if (f == F_ZST) {
        olen = ZSTD_compress(o, cap, in, n, level);
        if (ZSTD_isError(olen))
            abort();
    } else {
        unsigned int bl = (unsigned int) cap;

        if (BZ2_bzBuffToBuffCompress((char *) o, &bl, (char *) (uintptr_t) in,
                                     (unsigned int) n, level, 0, 0) != BZ_OK)
            abort();
        olen = bl;
    }
    buf_add(out, o, olen);
    free(o);
}

/* a level per format that gives several blocks for a few MB */
static int
fmt_level(enum fmt f)
{
    return f == F_BZ2 ? 1 : f == F_XZ ? 1 : 3;
}

/* ---------------------------------------------------------- decoders */

static void
t_decomp(void)
{
    struct buf text = {0};
    struct input_src src;
    struct got g;
    int     f;
    size_t  nlines = 12000;

    gen_text(&text, nlines);
    for (f = 0; f < F_COUNT; f++) {
        struct buf z = {0};
        struct buf two = {0};
        struct buf pad = {0};
        size_t  half = text.len / 2;
        const double cuts[] = {0.1, 0.5, 0.9};
        size_t  k;
        int     rc;

        while (text.p[half] != '\n')
            half++;
        half++;
        zcompress((enum fmt) f, text.p, text.len, &z, fmt_level((enum fmt) f));
        T_CHECK(decomp_sniff((unsigned char *) z.p, z.len, NULL)
                == (enum decomp_kind) (f + 1), "%s sniffed", fmt_name[f]);

        /* intact: every line, exactly */
        writef(tpath("z"), z.p, z.len);
        rc = readf(tpath("z"), &g, &src);
        T_CHECK(rc == 0, "%s intact: rc %d", fmt_name[f], rc);
        T_CHECK(g.lines == nlines && g.text.len == text.len
                && memcmp(g.text.p, text.p, text.len) == 0,
                "%s intact: %zu lines, same bytes", fmt_name[f], g.lines);
        T_CHECK(strcmp(src.format, fmt_name[f]) == 0, "%s format name %s",
                fmt_name[f], src.format);
        T_CHECK(!src.truncated, "%s intact: not truncated", fmt_name[f]);
        got_free(&g);

        /* two members (pigz, pbzip2, pzstd, cat a.xz b.xz), then zero
         * padding where the format allows it */
        zcompress((enum fmt) f, text.p, half, &two, 1);
        zcompress((enum fmt) f, text.p + half, text.len - half, &two, 1);
        buf_add(&pad, two.p, two.len);
        if (f != F_ZST)
            buf_add(&pad, "\0\0\0\0\0\0\0\0", 8);
        writef(tpath("two"), pad.p, pad.len);
        rc = readf(tpath("two"), &g, &src);
        T_CHECK(rc == 0 && g.lines == nlines && g.text.len == text.len
                && memcmp(g.text.p, text.p, text.len) == 0,
                "%s two members (+padding): rc %d, %zu lines", fmt_name[f],
                rc, g.lines);
        got_free(&g);

        /* trailing garbage: everything before it, then -1 */
        buf_str(&two, "this is not compressed data\n");
        writef(tpath("garbage"), two.p, two.len);
        rc = readf(tpath("garbage"), &g, &src);
        T_CHECK(rc == -1 && src.truncated, "%s garbage after: rc %d",
                fmt_name[f], rc);
        T_CHECK(g.lines == nlines && memcmp(g.text.p, text.p, text.len) == 0,
                "%s garbage after: %zu lines before it", fmt_name[f],
                g.lines);
        got_free(&g);

        /* truncated: a prefix of whole lines, then -1 */
        for (k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
            size_t  cut = (size_t) ((double) z.len * cuts[k]);

            writef(tpath("cut"), z.p, cut);
            rc = readf(tpath("cut"), &g, &src);
            T_CHECK(rc == -1 && src.truncated, "%s cut at %.0f%%: rc %d",
                    fmt_name[f], cuts[k] * 100, rc);
            T_CHECK(g.lines < nlines && g.text.len <= text.len
                    && (g.text.len == 0
                        || memcmp(g.text.p, text.p, g.text.len) == 0),
                    "%s cut at %.0f%%: %zu lines, a prefix", fmt_name[f],
                    cuts[k] * 100, g.lines);
            T_CHECK(cuts[k] < 0.5 || g.lines > 0,
                    "%s cut at %.0f%%: lines before the damage (%zu)",
                    fmt_name[f], cuts[k] * 100, g.lines);
            T_CHECK(g.bad[INPUT_BAD_CUT] <= 1 && src.lines == g.lines
                    + g.bad[INPUT_BAD_CUT], "%s cut: the cut line is bad",
                    fmt_name[f]);
            got_free(&g);
        }

        /* a damaged byte in the middle: no crash, never more lines */
        z.p[z.len / 2] ^= 0x55;
        z.p[z.len / 2 + 1] ^= 0xaa;
        writef(tpath("flip"), z.p, z.len);
        rc = readf(tpath("flip"), &g, &src);
        T_CHECK(rc == 0 || rc == -1, "%s damaged: rc %d", fmt_name[f], rc);
        T_CHECK(g.lines <= nlines + 10, "%s damaged: %zu lines", fmt_name[f],
                g.lines);
        got_free(&g);

        /* the empty stream */
        z.len = 0;
        zcompress((enum fmt) f, "", 0, &z, 6);
        writef(tpath("empty"), z.p, z.len);
        rc = readf(tpath("empty"), &g, &src);
        T_CHECK(rc == 0 && g.lines == 0, "%s of nothing: rc %d, %zu lines",
                fmt_name[f], rc, g.lines);
        got_free(&g);
        free(z.p);
        free(two.p);
        free(pad.p);
    }
    free(text.p);
}

static void
t_sniff(void)
{
    static const struct {
        const char *bytes;
        size_t  len;
        enum decomp_kind kind;
        int     refused;
    } c[] = {
        {"\x1f\x8b\x08", 3, DECOMP_GZIP, 0},
        {"\xfd" "7zXZ\0\0\0", 8, DECOMP_XZ, 0},
        {"\x28\xb5\x2f\xfd\0", 5, DECOMP_ZSTD, 0},
        {"\x50\x2a\x4d\x18\0", 5, DECOMP_ZSTD, 0},      /* skippable frame */
        {"BZh91AY&SY", 10, DECOMP_BZIP2, 0},
        {"BZh9 is not", 11, DECOMP_NONE, 0},
        {"\x04\x22\x4d\x18", 4, DECOMP_NONE, 1},
        {"\x1f\x9d\x90", 3, DECOMP_NONE, 1},
        {"PK\x03\x04", 4, DECOMP_NONE, 1},
        {"Nov 23 01:09:05 mail", 20, DECOMP_NONE, 0},
        {"\x1f", 1, DECOMP_NONE, 0},
        {"", 0, DECOMP_NONE, 0},
    };
    size_t  i;
    struct input_src src;
    struct got g;

    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        const char *ref;

        T_CHECK(decomp_sniff((const unsigned char *) c[i].bytes, c[i].len,
                             &ref) == c[i].kind && (ref != NULL) == c[i].refused,
                "sniff case %zu", i);
    }
    /* a format we know but cannot read: refused, -1 */
    writef(tpath("lz4"), "\x04\x22\x4d\x18\x64\x40\xa7rest", 11);
    T_CHECK(readf(tpath("lz4"), &g, &src) == -1 && g.lines == 0,
            "lz4 refused");
    got_free(&g);
    /* short plain files are not mistaken for anything */
    writef(tpath("x"), "x", 1);
    T_CHECK(readf(tpath("x"), &g, &src) == 0 && g.lines == 1
            && strcmp(g.text.p, "x\n") == 0, "one byte file");
    got_free(&g);
    writef(tpath("bzh"), "BZh9\n", 5);
    T_CHECK(readf(tpath("bzh"), &g, &src) == 0 && g.lines == 1,
            "\"BZh9\" is text");
    got_free(&g);
}

/* random bytes: counted as unreadable lines, no crash, rc 0 */
static void
t_binary(void)
{
    static unsigned char junk[200000];
    struct input_src src;
    struct got g;
    uint32_t x = 1;
    size_t  i;
    int     rc;

    for (i = 0; i < sizeof(junk); i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (unsigned char) (x >> 16);
    }
    writef(tpath("junk"), junk, sizeof(junk));
    rc = readf(tpath("junk"), &g, &src);
    T_CHECK(rc == 0, "junk: rc %d", rc);
    T_CHECK(src.lines > 0 && src.unreadable * 2 > src.lines,
            "junk: %llu of %llu lines unreadable",
            (unsigned long long) src.unreadable,
            (unsigned long long) src.lines);
    got_free(&g);
    /* a log is not binary */
    writef(tpath("log"), "Nov 23 01:09:05 mail postfix/smtp[1]: a\tb\n",
           strlen("Nov 23 01:09:05 mail postfix/smtp[1]: a\tb\n"));
    readf(tpath("log"), &g, &src);
    T_CHECK(src.unreadable == 0, "text: nothing unreadable");
    got_free(&g);
}

/* --------------------------------------------------------- journal */

static void
t_catalog(void)
{
    struct input_src src;
    struct got g;
    int     rc;

    /* W-J001: 6 records, 7 catalog lines */
    rc = readf("testdata/forms/wj001-journal-x.log", &g, &src);
    T_CHECK(rc == 0 && g.lines == 6 && g.skip == 7 && src.lines == 13,
            "W-J001: rc %d, %zu lines, %zu catalog", rc, g.lines, g.skip);
    T_CHECK(strstr(g.text.p, "-- ") == NULL, "W-J001: no catalog line given");
    got_free(&g);
    {
        const char *cat = "-- Boot 8f3e0a5b5c2d --\n"
            "\xe2\x96\x91\xe2\x96\x91 Subject: A start job\n"
            "\xe2\x96\x91\xe2\x96\x91 \n--\nApr 09 09:29:47 h p[1]: m\n";

        writef(tpath("cat"), cat, strlen(cat));
    }
    rc = readf(tpath("cat"), &g, &src);
    T_CHECK(g.skip == 4 && g.lines == 1, "catalog markers: %zu, %zu", g.skip,
            g.lines);
    got_free(&g);
}

/* jrec - one JSON line through jrnl_json, as "t|host|ident|pid|msg" */
static int
jrec(struct jrnl *j, const char *line, size_t len, char *out, size_t cap)
{
    struct wrap_rec r;
    const char *why = NULL;

    if (jrnl_json(j, span_make(line, len), &r, &why) != 0) {
        snprintf(out, cap, "bad: %s", why ? why : "?");
        return -1;
    }
    snprintf(out, cap, "%lld|%.*s|%.*s|%.*s|%.*s",
             r.dated ? (long long) r.t : -1LL, (int) r.host.len, r.host.ptr,
             (int) r.ident.len, r.ident.ptr, (int) r.pid.len, r.pid.ptr,
             (int) r.msg.len, r.msg.ptr);
    return 0;
}

static void
t_json(void)
{
    static const struct {
        const char *in;
        const char *want;       /* NULL: bad */
    } c[] = {
        /* string, __REALTIME only */
        {"{\"MESSAGE\":\"hi\",\"__REALTIME_TIMESTAMP\":\"1732324145999999\","
         "\"_HOSTNAME\":\"mail\",\"SYSLOG_IDENTIFIER\":\"postfix/smtp\","
         "\"SYSLOG_PID\":\"42\"}", "1732324145|mail|postfix/smtp|42|hi"},
        /* _SOURCE_REALTIME wins; _PID wins; _COMM when no identifier */
        {"{\"_SOURCE_REALTIME_TIMESTAMP\":\"1000000\",\"__REALTIME_TIMESTAMP\":"
         "\"9000000\",\"_PID\":\"7\",\"SYSLOG_PID\":\"8\",\"_COMM\":\"smtp\","
         "\"MESSAGE\":\"m\"}", "1||smtp|7|m"},
        /* an invalid _SOURCE_REALTIME falls back; a bad _PID too */
        {"{\"_SOURCE_REALTIME_TIMESTAMP\":\"x\",\"__REALTIME_TIMESTAMP\":"
         "\"9000000\",\"_PID\":\"7a\",\"SYSLOG_PID\":\"8\",\"MESSAGE\":\"m\"}",
         "9|||8|m"},
        /* byte array; escapes; surrogates */
        {"{\"MESSAGE\":[104,105,10,255]}", "-1||||hi\n\xff"},
        {"{\"MESSAGE\":\"a\\\"b\\\\c\\/d\\u00e9\\ud83d\\ude00\\ud800x\\n\"}",
         "-1||||a\"b\\c/d\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx\n"},
        /* multi-valued: the first value; nested byte arrays */
        {"{\"MESSAGE\":[\"one\",\"two\"]}", "-1||||one"},
        {"{\"MESSAGE\":[[111,110,101],[116]]}", "-1||||one"},
        {"{\"MESSAGE\":[]}", "-1||||"},
        /* noise of every type skipped; json-seq and json-sse framing */
        {"{\"A\":{\"b\":[1,{\"c\":null}],\"d\":\"}]\"},\"B\":-1.5e3,\"C\":true,"
         "\"\\u005fHOSTNAME\":\"x\",\"MESSAGE\":\"m\"}", "-1||||m"},
        {"\x1e{\"MESSAGE\":\"seq\"}", "-1||||seq"},
        {"data: {\"MESSAGE\":\"sse\"}", "-1||||sse"},
        {" { \"MESSAGE\" : \"sp\" } ", "-1||||sp"},
        /* bad */
        {"{\"MESSAGE\":null}", NULL},
        {"{\"PRIORITY\":\"6\"}", NULL},
        {"{\"MESSAGE\":\"a\\u0000b\"}", NULL},
        {"{\"MESSAGE\":[104,256]}", NULL},
        {"{\"MESSAGE\":[104,-1]}", NULL},
        {"{\"MESSAGE\":\"x\"} trailing", NULL},
        {"{\"MESSAGE\":\"x\",}", NULL},
        {"{\"MESSAGE\":\"\\q\"}", NULL},
        {"{\"MESSAGE\":\"a\x01\"}", NULL},
        {"{\"MESSAGE\" \"x\"}", NULL},
        {"{", NULL},
    };
    struct jrnl *j = jrnl_create();
    char    out[512];
    size_t  i;
    int     bad = 0;

    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        int     rc = jrec(j, c[i].in, strlen(c[i].in), out, sizeof(out));

        if (c[i].want)
            T_CHECK(rc == 0 && strcmp(out, c[i].want) == 0,
                    "json %zu: got \"%s\"", i, out);
        else
            T_CHECK(rc == -1, "json %zu bad: got \"%s\"", i, out);
    }
    /* every prefix of a good line is refused, never read past its end */
    for (i = 0; i < strlen(c[0].in); i++) {
        char   *cp = malloc(i ? i : 1);

        memcpy(cp, c[0].in, i);
        if (jrec(j, cp, i, out, sizeof(out)) == 0)
            bad++;
        free(cp);
    }
    T_CHECK(bad == 0, "json prefixes: %d accepted", bad);
    T_CHECK(jrnl_is_json(SPAN_LIT("{\"a\":1}")) && jrnl_is_json(SPAN_LIT("{ \"a\""))
            && !jrnl_is_json(SPAN_LIT("{")) && !jrnl_is_json(SPAN_LIT("{x"))
            && !jrnl_is_json(SPAN_LIT("Nov 23")), "jrnl_is_json");
    jrnl_free(j);
}

/* W-J002: the real -o json lines, through input_read */
static void
t_json_real(void)
{
    struct input_src src;
    struct got g;
    int     rc = readf("testdata/forms/wj002-journal.json", &g, &src);

    T_CHECK(rc == 0 && g.recs_n == 2 && g.lines == 0 && src.lines == 2,
            "W-J002: rc %d, %zu records", rc, g.recs_n);
    T_CHECK(g.recs.p && strstr(g.recs.p, "1789228152|andres|postfix/smtpd|"
                               "314894|NOQUEUE: reject: RCPT from unknown["
                               "91.92.41.82]: 554 5.7.1 <verify@test.com>: ")
            != NULL, "W-J002 record 1: %s", g.recs.p ? g.recs.p : "");
    T_CHECK(g.recs.p && strstr(g.recs.p, "\n1789199138|andres|niri|1000|"
                               "eight 1155 > 894)\n") != NULL,
            "W-J002 record 2 (MESSAGE as bytes)");
    got_free(&g);
}

/* field_bin - an export binary field */
static void
field_bin(struct buf *b, const char *key, const char *v, uint64_t len,
          uint64_t claimed)
{
    unsigned char le[8];
    int     i;

    buf_str(b, key);
    buf_add(b, "\n", 1);
    for (i = 0; i < 8; i++)
        le[i] = (unsigned char) (claimed >> (8 * i));
    buf_add(b, le, 8);
    buf_add(b, v, (size_t) len);
    buf_add(b, "\n", 1);
}

static void
t_export(void)
{
    struct buf b = {0};
    struct buf big = {0};
    struct buf z = {0};
    struct input_src src;
    struct got g;
    int     rc;
    size_t  i;

    for (i = 0; i < 70000; i++)
        buf_add(&big, "y", 1);
    /* 1: text fields */
    buf_str(&b, "__CURSOR=s=1;i=1\n__REALTIME_TIMESTAMP=1732324145500000\n"
            "_HOSTNAME=mail\nSYSLOG_IDENTIFIER=postfix/smtp\nSYSLOG_PID=9\n"
            "MESSAGE=text = with = signs\n\n");
    /* 2: binary MESSAGE with a newline, noise with NUL, a big noise field */
    buf_str(&b, "__CURSOR=s=1;i=2\n__REALTIME_TIMESTAMP=1732324146000000\n");
    field_bin(&b, "X_NOISE", "a\0\nb", 4, 4);
    field_bin(&b, "X_BIG", big.p, big.len, big.len);
    field_bin(&b, "MESSAGE", "two\nlines", 9, 9);
    buf_str(&b, "_PID=10\n\n\n");  /* extra blank line: no empty record */
    /* 3: no MESSAGE: bad */
    buf_str(&b, "__CURSOR=s=1;i=3\nPRIORITY=6\n\n");
    /* 4: MESSAGE too big: bad */
    buf_str(&b, "__CURSOR=s=1;i=4\n");
    field_bin(&b, "MESSAGE", big.p, big.len, big.len);
    buf_str(&b, "\n");
    /* 4b: a text noise field over 64 KiB: skipped, the record is good */
    buf_str(&b, "__CURSOR=s=1;i=4b\nX_LONG=");
    buf_add(&b, big.p, big.len);
    buf_str(&b, "\nMESSAGE=after long\n\n");
    /* 4c, 4d: text fields over a whole block (2.5 MiB): a noise field is
     * skipped (the record is good), a MESSAGE makes the record bad */
    buf_str(&b, "__CURSOR=s=1;i=4c\nX_HUGE=");
    for (i = 0; i < 36; i++)
        buf_add(&b, big.p, big.len);
    buf_str(&b, "\nMESSAGE=after huge\n\n__CURSOR=s=1;i=4d\nMESSAGE=");
    for (i = 0; i < 36; i++)
        buf_add(&b, big.p, big.len);
    buf_str(&b, "\n\n");
    /* 5: a line that is no field: bad */
    buf_str(&b, "__CURSOR=s=1;i=5\nnot a field\nMESSAGE=m\n\n");
    /* 6: last record without the blank line, last field without \n */
    buf_str(&b, "__CURSOR=s=1;i=6\nMESSAGE=last");
    writef(tpath("export"), b.p, b.len);
    rc = readf(tpath("export"), &g, &src);
    T_CHECK(rc == 0 && src.journal_export, "export: rc %d, detected", rc);
    T_CHECK(g.recs_n == 5 && g.bad[INPUT_BAD_RECORD] == 4 && g.lines == 0
            && src.lines == 9, "export: %zu records, %zu bad, %llu in all",
            g.recs_n, g.bad[INPUT_BAD_RECORD], (unsigned long long) src.lines);
    T_CHECK(g.recs.p && strcmp(g.recs.p,
                               "1732324145|mail|postfix/smtp|9|text = with = signs\n"
                               "1732324146|||10|two\nlines\n"
                               "-1||||after long\n"
                               "-1||||after huge\n"
                               "-1||||last\n") == 0,
            "export records: %s", g.recs.p ? g.recs.p : "");
    got_free(&g);

    /* the same through xz, read in 1 MiB blocks across field borders */
    zcompress(F_XZ, b.p, b.len, &z, 1);
    writef(tpath("export.xz"), z.p, z.len);
    rc = readf(tpath("export.xz"), &g, &src);
    T_CHECK(rc == 0 && g.recs_n == 5 && g.bad[INPUT_BAD_RECORD] == 4,
            "export.xz: rc %d, %zu records", rc, g.recs_n);
    got_free(&g);

    /* hostile lengths: 2^64-1, cut inside a value, cut inside a length */
    b.len = 0;
    buf_str(&b, "__CURSOR=a\nMESSAGE=ok\n\n__CURSOR=b\n");
    field_bin(&b, "MESSAGE", "short", 5, UINT64_MAX);
    writef(tpath("exp-huge"), b.p, b.len);
    rc = readf(tpath("exp-huge"), &g, &src);
    T_CHECK(rc == 0 && g.recs_n == 1 && g.bad[INPUT_BAD_RECORD] == 1,
            "export 2^64-1 length: %zu records, %zu bad", g.recs_n,
            g.bad[INPUT_BAD_RECORD]);
    got_free(&g);
    b.len = 0;
    buf_str(&b, "__CURSOR=a\nMESSAGE=ok\n\n__CURSOR=b\n");
    field_bin(&b, "MESSAGE", "short", 5, 500);
    writef(tpath("exp-cut"), b.p, b.len);
    rc = readf(tpath("exp-cut"), &g, &src);
    T_CHECK(g.recs_n == 1 && g.bad[INPUT_BAD_RECORD] == 1,
            "export value cut: %zu records, %zu bad", g.recs_n,
            g.bad[INPUT_BAD_RECORD]);
    got_free(&g);
    writef(tpath("exp-cut2"), "__CURSOR=a\nMESSAGE\n\x05\0\0", 22);
    rc = readf(tpath("exp-cut2"), &g, &src);
    T_CHECK(g.recs_n == 0 && g.bad[INPUT_BAD_RECORD] == 1,
            "export length cut: %zu bad", g.bad[INPUT_BAD_RECORD]);
    got_free(&g);
    /* framing lost: the byte after a value is not \n */
    b.len = 0;
    buf_str(&b, "__CURSOR=a\n");
    field_bin(&b, "MESSAGE", "abc", 3, 2);
    buf_str(&b, "\n__CURSOR=b\nMESSAGE=fine\n\n");
    writef(tpath("exp-frame"), b.p, b.len);
    rc = readf(tpath("exp-frame"), &g, &src);
    T_CHECK(g.recs_n == 1 && g.bad[INPUT_BAD_RECORD] == 1
            && g.recs.p && strcmp(g.recs.p, "-1||||fine\n") == 0,
            "export framing lost: %zu records", g.recs_n);
    got_free(&g);
    T_CHECK(jrnl_is_export("__CURSOR=s", 10) && jrnl_is_export("__RE", 4)
            && !jrnl_is_export("_HOSTNAME=x", 11)
            && !jrnl_is_export("__cursor=", 9)
            && !jrnl_is_export("Nov 23", 6), "jrnl_is_export");
    free(b.p);
    free(big.p);
    free(z.p);
}

/* ------------------------------------------------------- envelopes */

struct wcase {
    const char *line;
    int     dated;
    int64_t t;
    const char *host;
    const char *ident;
    const char *pid;
    const char *msg;
};

static void
t_wrap_forms(void)
{
    static const struct wcase wc[] = {
        /* RFC 5424 with PRI, fractions, NIL MSGID and SD */
        {"<22>1 2024-11-23T01:09:05.123456Z mail postfix/smtp 2906 - - "
         "SSL_connect error", 1, 1732324145, "mail", "postfix/smtp", "2906",
         "SSL_connect error"},
        /* without PRI, offset, SD elements with escapes, BOM */
        {"1 2024-11-23T02:09:05+01:00 mail postfix/smtp 7 ID47 "
         "[ex@32473 iut=\"3\" s=\"a\\]b\\\"c\"][x@1 y=\"z\"] \xef\xbb\xbfmsg here",
         1, 1732324145, "mail", "postfix/smtp", "7", "msg here"},
        /* NIL time, host, app, procid; no MSG; non-numeric procid */
        {"<13>1 - - - - - -", 0, 0, "", "", "", ""},
        {"<13>1 2024-11-23T01:09:05Z h app abc - - m", 1, 1732324145, "h",
         "app", "", "m"},
        /* <PRI> before RFC 3164 */
        {"<22>Nov 23 01:09:05 mail postfix/smtp[1]: m", 1, 1732324145, "mail",
         "postfix/smtp", "1", "m"},
        /* journalctl -o short-precise / short-unix / short-iso */
        {"Nov 23 01:09:05.654321 mail postfix/smtp[1]: m", 1, 1732324145,
         "mail", "postfix/smtp", "1", "m"},
        {"1732324145.654321 mail postfix/smtp[1]: m", 1, 1732324145, "mail",
         "postfix/smtp", "1", "m"},
        /* -o short-full: UTC exact, other zone names as local (TZ=UTC) */
        {"Sat 2024-11-23 01:09:05 UTC mail postfix/smtp[1]: m", 1, 1732324145,
         "mail", "postfix/smtp", "1", "m"},
        {"Sat 2024-11-23 01:09:05 CET mail postfix/smtp[1]: m", 1, 1732324145,
         "mail", "postfix/smtp", "1", "m"},
        {"Sat 2024-11-23 01:09:05 mail postfix/smtp[1]: m", 0, 0, "", "", "",
         "Sat 2024-11-23 01:09:05 mail postfix/smtp[1]: m"},
        {"2024-11-23T06:39:05.5+05:30 mail postfix/smtp[1]: m", 1, 1732324145,
         "mail", "postfix/smtp", "1", "m"},
        /* socklog: svlogd stamp (UTC) wins over the inner local stamp */
        {"2022-09-28T19:09:10.78118 mail.info: Sep 28 21:09:10 smtpd[2699]: "
         "info: OpenSMTPD", 1, 1664392150, "", "smtpd", "2699",
         "info: OpenSMTPD"},
        {"2024-11-23_01:09:05.00001 mail.info: Nov 23 03:09:05 postfix/smtp[3]:"
         " m", 1, 1732324145, "", "postfix/smtp", "3", "m"},
        {"@40000000674129b9000f4240 mail.warn: postfix/smtp[3]: m", 1,
         1732323759, "", "postfix/smtp", "3", "m"},
        /* not socklog, not 5424: Exim main log stays message-only */
        {"2024-09-07 01:34:12 1smkL5-00000000e65-24eQ => a@b.example", 0, 0,
         "", "", "", "2024-09-07 01:34:12 1smkL5-00000000e65-24eQ => a@b.example"},
        {"2022-09-28T19:09:10.78118 not socklog", 0, 0, "", "", "",
         "2022-09-28T19:09:10.78118 not socklog"},
        {"1 apple", 0, 0, "", "", "", "1 apple"},
        {"<li>1 - x@y R=dnslookup", 0, 0, "", "", "", "<li>1 - x@y R=dnslookup"},
    };
    struct ts_ctx c;
    struct wrap_rec r;
    size_t  i;

    ts_ctx_init_year(&c, 2024);
    for (i = 0; i < sizeof(wc) / sizeof(wc[0]); i++) {
        const struct wcase *w = &wc[i];
        size_t  n;
        int     oob = 0;

        wrap_parse(&c, span_make(w->line, strlen(w->line)), &r);
        T_CHECK(r.dated == w->dated && (!w->dated || r.t == w->t),
                "form %zu: dated %d t %lld", i, r.dated, (long long) r.t);
        T_CHECK(span_eq(r.host, w->host) && span_eq(r.ident, w->ident)
                && span_eq(r.pid, w->pid) && span_eq(r.msg, w->msg),
                "form %zu: host \"%.*s\" ident \"%.*s\" pid \"%.*s\" "
                "msg \"%.*s\"", i, (int) r.host.len, r.host.ptr,
                (int) r.ident.len, r.ident.ptr, (int) r.pid.len, r.pid.ptr,
                (int) r.msg.len, r.msg.ptr);
        /* every prefix stays inside the line */
        for (n = 0; n <= strlen(w->line); n++) {
            char   *cp = malloc(n ? n : 1);

            memcpy(cp, w->line, n);
            wrap_parse(&c, span_make(cp, n), &r);
            if ((r.msg.len && (r.msg.ptr < cp || r.msg.ptr + r.msg.len > cp + n))
                || (r.host.len && (r.host.ptr < cp
                                   || r.host.ptr + r.host.len > cp + n))
                || (r.ident.len && (r.ident.ptr < cp
                                    || r.ident.ptr + r.ident.len > cp + n)))
                oob++;
            free(cp);
        }
        T_CHECK(oob == 0, "form %zu: %d prefixes out of bounds", i, oob);
    }
}

/* wx_one - wrap_parse() of the n bytes of line in a buffer of exactly
 * n bytes (out-of-bounds reads show under AddressSanitizer): once after
 * a line of warm's minute (the memo of Exim's stamps may take it), once
 * after a line of another minute (it cannot: the slow way), compared.
 * Returns 1 when the memo took it */
static int
wx_one(struct ts_ctx *c, const char *line, size_t n, const char *warm)
{
    static const char other[] = "1999-12-31 23:59:59 other minute";
    char   *cp = malloc(n ? n : 1);
    struct wrap_rec a, b;
    int     ka, kb;

    memcpy(cp, line, n);
    (void) wrap_parse(c, span_make(warm, strlen(warm)), &a);
    ka = wrap_parse(c, span_make(cp, n), &a);
    (void) wrap_parse(c, span_make(other, sizeof(other) - 1), &b);
    kb = wrap_parse(c, span_make(cp, n), &b);
    T_CHECK(kb == 0, "exim memo: \"%.*s\" taken after another minute",
            (int) n, cp);
    T_CHECK(a.dated == b.dated && (!a.dated || a.t == b.t)
            && a.host.ptr == b.host.ptr && a.host.len == b.host.len
            && a.ident.ptr == b.ident.ptr && a.ident.len == b.ident.len
            && a.pid.ptr == b.pid.ptr && a.pid.len == b.pid.len
            && a.msg.ptr == b.msg.ptr && a.msg.len == b.msg.len
            && (ka != WRAP_EXIM || (a.ident_tag == b.ident_tag
                                    && a.host_tag == b.host_tag)),
            "exim memo: \"%.*s\" (%zu bytes, %d) differs from the slow "
            "way", (int) n, cp, n, ka);
    if (ka == WRAP_EXIM)
        T_CHECK(n >= 20 && cp[0] >= '0' && cp[0] <= '9' && !a.dated
                && a.host.len == 0 && a.ident.len == 0 && a.pid.len == 0
                && a.msg.ptr == cp && a.msg.len == n && a.ident_tag == 0
                && a.host_tag == WRAP_HOST_TAG_NONE,
                "exim memo: \"%.*s\" taken, but not as wrap.h says",
                (int) n, cp);
    free(cp);
    return ka == WRAP_EXIM;
}

/* wx_fresh - wrap_parse() of a few lines on a thread of its own, whose
 * memo of Exim's stamps is as it starts ("0000-00-00 00:00"): a line
 * of 16 NUL bytes and ":00 " is not taken, one of that minute is */
static void *
wx_fresh(void *arg)
{
    static const char nul[24] = {[16] = ':', '0', '0', ' ', 'x'};
    static const char zero[] = "0000-00-00 00:00:07 zero";
    struct ts_ctx c;
    struct wrap_rec r;
    int    *ok = arg;

    ts_ctx_init_year(&c, 2024);
    ok[0] = wrap_parse(&c, span_make(nul, sizeof(nul)), &r) == 0
        && r.msg.ptr == nul && r.msg.len == sizeof(nul);
    ok[1] = wrap_parse(&c, span_make(zero, sizeof(zero) - 1), &r)
        == WRAP_EXIM && r.msg.ptr == zero && !r.dated && r.ident.len == 0;
    return NULL;
}

/* t_wrap_exim - wrap_parse()'s WRAP_EXIM answer (the memo of the last
 * Exim stamp's minute, which the engine's loops take without the noise
 * and ident tests) against the slow way on hostile lines: every byte
 * of the stamp (and of one with milliseconds) replaced by bytes that
 * break it or keep its shape, each cut at every length near the stamp */
static void
t_wrap_exim(void)
{
    static const char *const base[] = {
        "2024-11-01 00:00:17 1tXyz-000123-AB <= a@b.example H=x [192.0.2.1]",
        "2024-11-01 00:00:17.123 1tXyz-000123-AB => c@d.example R=dnslookup",
        "2024-11-01 00:00:59 Start queue run: pid=12345",
        "0000-00-00 00:00:07 the memo's first value",
    };
    static const char subst[] = "09/: .-aZ\t\x7f@T+";
    struct ts_ctx c;
    char    line[128];
    size_t  i, j, k, n;
    int     hits = 0, tries = 0;

    ts_ctx_init_year(&c, 2024);
    for (i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
        size_t  len = strlen(base[i]);

        for (n = 0; n <= len; n++)
            hits += wx_one(&c, base[i], n, base[i]), tries++;
        for (j = 0; j < 26 && j < len; j++) {
            for (k = 0; k < sizeof(subst); k++) {  /* the NUL too */
                memcpy(line, base[i], len);
                line[j] = subst[k];
                hits += wx_one(&c, line, len, base[i]), tries++;
                for (n = 16; n <= 25; n++)
                    hits += wx_one(&c, line, n, base[i]), tries++;
            }
        }
    }
    /* the memo is for the lines of a minute: most of these keep it */
    T_CHECK(hits > tries / 8 && hits < tries,
            "exim memo: taken on %d of %d lines", hits, tries);
    {
        pthread_t t;
        int     ok[2] = {0, 0};

        if (pthread_create(&t, NULL, wx_fresh, ok) != 0
            || pthread_join(t, NULL) != 0)
            abort();
        T_CHECK(ok[0] && ok[1], "exim memo: a fresh thread's (%d %d)",
                ok[0], ok[1]);
    }
}

/* wx_sec_ref - what wrap_exim_sec() says, byte by byte: ":DD " or
 * ":DD.DDD " at p (n bytes there) */
static int
wx_sec_ref(const unsigned char *p, size_t n)
{
#define WX_DIGIT(b) ((b) >= '0' && (b) <= '9')
    if (p[0] != ':' || !WX_DIGIT(p[1]) || !WX_DIGIT(p[2]))
        return 0;
    if (p[3] == ' ')
        return 1;
    return p[3] == '.' && n >= 8 && WX_DIGIT(p[4]) && WX_DIGIT(p[5])
        && WX_DIGIT(p[6]) && p[7] == ' ';
#undef WX_DIGIT
}

/* t_wrap_exim_sec - wrap_exim_sec() (the seconds after the memo's
 * minute, one test of four bytes) against the plain reading: every
 * value of the two digit bytes with the separators' bytes of a set
 * that holds each separator, its neighbours and the high bit, and a
 * tail of milliseconds or not, 4 and 8 bytes long */
static void
t_wrap_exim_sec(void)
{
    static const unsigned char sep[] = {
        ':', ' ', '.', 0x00, 0x1f, 0x21, 0x2d, 0x2f, 0x30, 0x39, 0x3b,
        0xa0, 0xae, 0xba, 0xff, 0x7f,
    };
    static const char *const tail[] = {"123 ", "12 3", "1x3 ", "123."};
    unsigned char p[8];
    unsigned b1, b2;
    size_t  i0, i3, t, n;
    long    bad = 0, yes = 0;

    for (i0 = 0; i0 < sizeof(sep); i0++)
        for (i3 = 0; i3 < sizeof(sep); i3++)
            for (t = 0; t < sizeof(tail) / sizeof(tail[0]); t++)
                for (b1 = 0; b1 < 256; b1++)
                    for (b2 = 0; b2 < 256; b2++) {
                        p[0] = sep[i0];
                        p[1] = (unsigned char) b1;
                        p[2] = (unsigned char) b2;
                        p[3] = sep[i3];
                        memcpy(p + 4, tail[t], 4);
                        for (n = 4; n <= 8; n += 4) {
                            int     w = wx_sec_ref(p, n);

                            yes += w;
                            bad += w != wrap_exim_sec((const char *) p, n);
                        }
                    }
    T_CHECK(bad == 0, "exim seconds: %ld of the tests differ", bad);
    /* ":DD " with each tail at both lengths, ":DD.123 " at 8 */
    T_CHECK(yes == 4 * 100 * 2 + 100, "exim seconds: %ld taken", yes);
}

/* t_wrap_exim_rec - wrap_exim_rec() (its 16-byte stores) over records
 * filled with other bytes first, as the engine's ring is: every field
 * as the field-by-field record has it, for lines at any address and of
 * any length, and no byte past the record written */
static void
t_wrap_exim_rec(void)
{
    static const unsigned char fill[] = {0x00, 0xa5, 0xff};
    static const char text[] = "2024-11-01 00:00:00 1tXyZz-000abc-1A <= a@b";
    struct {
        struct wrap_rec r;
        unsigned char guard[32];
    } w;
    size_t  f, off, len, g;
    long    bad = 0;

    for (f = 0; f < sizeof(fill); f++)
        for (off = 0; off < 8; off++)
            for (len = 0; len + off < sizeof(text); len++) {
                struct span line = span_make(text + off, len);

                memset(&w, fill[f], sizeof(w));
                wrap_exim_rec(line, &w.r);
                bad += w.r.dated != 0 || w.r.t != 0
                    || w.r.host.ptr != NULL || w.r.host.len != 0
                    || w.r.ident.ptr != line.ptr || w.r.ident.len != 0
                    || w.r.pid.ptr != NULL || w.r.pid.len != 0
                    || w.r.msg.ptr != line.ptr || w.r.msg.len != len
                    || w.r.ident_tag != 0
                    || w.r.host_tag != WRAP_HOST_TAG_NONE;
                for (g = 0; g < sizeof(w.guard); g++)
                    bad += w.guard[g] != fill[f];
            }
    T_CHECK(bad == 0, "exim record: %ld fields or bytes differ", bad);
}

/* t_wrap_bare - lines without a stamp whose first word (a letter
 * first, no space at 3) ends at a space at 4 to 47, the next byte
 * neither a space nor '|': undated, no host, ident or pid, the whole
 * line the message, as before wrap_bare() read those whose space is
 * among the first 32 bytes itself; each cut at every length, in a
 * buffer of its own length, the bytes after the space of a few kinds.
 * A '[' before the space, a space or '|' after it, or a line that ends
 * with the space go the other ways (read, not checked here). A copy
 * that read the first 32 bytes of lines of 16 to 31 (past their end,
 * and a space the search does not reach taken) fails 230 checks */
static void
t_wrap_bare(void)
{
    static const char after[] = "a|[ :0\t\x80";
    struct ts_ctx c;
    struct wrap_rec r;
    char    tmp[96];
    size_t  k, a, len, i, reach;
    long    bad = 0, taken = 0;

    ts_ctx_init_year(&c, 2024);
    for (k = 4; k < 48; k++)
        for (a = 0; a < sizeof(after) - 1; a++)
            for (len = 16; len <= 80; len++) {
                char   *p;
                int     simple;

                for (i = 0; i < sizeof(tmp); i++)
                    tmp[i] = i < k ? "postfixsmtpd/q"[i % 14] : 'x';
                if (k > 20 && a == 2)
                    tmp[k - 9] = '[';       /* "name[..." before the space */
                tmp[k] = ' ';
                tmp[k + 1] = after[a];
                tmp[k + 5] = '[';
                if ((p = malloc(len)) == NULL)
                    abort();
                memcpy(p, tmp, len);
                simple = k + 1 < len && after[a] != ' ' && after[a] != '|'
                    && !(k > 20 && a == 2);
                /* the search for the word's end reads 32 bytes at once,
                 * then 8 at a time, none of a last part shorter: a space
                 * beyond is not found, and the line is read as one of
                 * another form (no host tag given) */
                reach = len >= 32 ? 32 + (len - 32) / 8 * 8 : len / 8 * 8;
                memset(&r, 0xa5, sizeof(r));
                (void) wrap_parse(&c, span_make(p, len), &r);
                if (simple) {
                    taken++;
                    bad += r.dated != 0 || r.host.len != 0
                        || r.ident.ptr != p || r.ident.len != 0
                        || r.pid.len != 0 || r.msg.ptr != p
                        || r.msg.len != len || r.ident_tag != 0
                        || r.host_tag != (k < reach ? WRAP_HOST_TAG_NONE : 0);
                }
                free(p);
            }
    T_CHECK(bad == 0, "bare lines: %ld of %ld differ", bad, taken);
    T_CHECK(taken > 10000, "bare lines: %ld taken", taken);
}

/* ws_rand - the tests' generator (xorshift64*) */
static uint64_t
ws_rand(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545f4914f6cdd1dULL;
}

/* ws_line - a hostile envelope into buf (at most cap bytes): RFC 3164
 * or ISO stamps of a few seconds and minutes, a few hosts and idents
 * (pairs shorter and longer than 32 bytes, a '[' early), pids of 0 to
 * 9 digits or masked, "]:" with and without its space, Solaris tags,
 * bytes replaced anywhere, cut anywhere. Returns its length */
static size_t
ws_line(uint64_t *x, char *buf, size_t cap)
{
    static const char *const host[] = {
        "mx", "mail.example.org", "h", "relay-01.dc3.example.net",
        "a.b", "INFO", "x[1]", "verylonghostname.subdomain.example.com",
    };
    static const char *const ident[] = {
        "postfix/smtp", "postfix/qmgr", "postfix/submission/smtpd", "sm-mta",
        "exim", "postfix/smtp-very-long-name/x", "p", "a@b", "cron[x",
    };
    static const char *const msg[] = {
        ("3F2A1B: to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25, "
         "status=sent"), "[ID 123456 mail.info] connect from x", "",
        "Trusted TLS connection established to mx.example:25",
        "[bracket", " starts with a space",
    };
    char    pid[16];
    uint64_t r = ws_rand(x);
    size_t  n, k;
    unsigned pl = (unsigned) (r >> 8) % 11;

    if (pl == 10)
        snprintf(pid, sizeof(pid), "xxxxx");
    else
        snprintf(pid, sizeof(pid), "%.*s", (int) pl, "918273645");
    if (r % 4 != 0)
        n = (size_t) snprintf(buf, cap, "Nov %2u 04:%02u:%02u %s %s[%s]%s%s",
                              1 + (unsigned) (r >> 16) % 2,
                              (unsigned) (r >> 20) % 2,
                              (unsigned) (r >> 24) % 5,
                              host[(r >> 28) % 8], ident[(r >> 32) % 9], pid,
                              (r >> 36) % 8 ? ": " : ":",
                              msg[(r >> 40) % 6]);
    else
        n = (size_t) snprintf(buf, cap, "2024-11-01T00:0%u:0%u.%06u+01:00 "
                              "%s %s[%s]: %s", (unsigned) (r >> 16) % 2,
                              (unsigned) (r >> 20) % 4,
                              (unsigned) (r >> 24) % 3,
                              host[(r >> 28) % 8], ident[(r >> 32) % 9], pid,
                              msg[(r >> 40) % 6]);
    if (n >= cap)
        n = cap - 1;
    r = ws_rand(x);
    if (r % 3 == 0 && n > 0) {
        static const char bytes[] = "[]: 0a/\t.";

        k = (size_t) (r >> 8) % n;
        buf[k] = bytes[(r >> 24) % (sizeof(bytes) - 1)];
    }
    if ((r >> 32) % 4 == 0)
        n = (size_t) (r >> 40) % (n + 1);
    return n;
}

#define WS_LINES 30000

struct ws_run {
    char  **line;
    size_t *len;
    struct wrap_rec *r;
    int    *k;
    int     reuse;              /* two records in turn, as the engine's */
};

/* ws_run_one - every line through wrap_parse() on a thread of its own
 * (fresh caches and tags); with reuse, into two records taken in turn
 * and filled with other bytes first (the engine's ring: no field may
 * be left from the line before, nor read before it is written) */
static void *
ws_run_one(void *arg)
{
    struct ws_run *w = arg;
    struct ts_ctx c;
    struct wrap_rec two[2];
    size_t  i;

    ts_ctx_init_year(&c, 2024);
    memset(two, 0xa5, sizeof(two));
    for (i = 0; i < WS_LINES; i++) {
        if (!w->reuse) {
            w->k[i] = wrap_parse(&c, span_make(w->line[i], w->len[i]),
                                 &w->r[i]);
            continue;
        }
        w->k[i] = wrap_parse(&c, span_make(w->line[i], w->len[i]),
                             &two[i & 1]);
        w->r[i] = two[i & 1];
    }
    return NULL;
}

/* ws_span_same - two spans at the same place of the same line */
static int
ws_span_same(struct span a, struct span b)
{
    return a.len == b.len && (a.len == 0 || a.ptr == b.ptr);
}

/* ws_make - w with WS_LINES lines from gen, fresh records, no reuse */
static void
ws_make(struct ws_run *w, size_t (*gen)(uint64_t *, char *, size_t),
        uint64_t *x)
{
    char    tmp[256];
    size_t  i;

    w->line = calloc(WS_LINES, sizeof(*w->line));
    w->len = calloc(WS_LINES, sizeof(*w->len));
    w->r = calloc(WS_LINES, sizeof(*w->r));
    w->k = calloc(WS_LINES, sizeof(*w->k));
    w->reuse = 0;
    if (!w->line || !w->len || !w->r || !w->k)
        abort();
    for (i = 0; i < WS_LINES; i++) {
        w->len[i] = gen(x, tmp, sizeof(tmp));
        if ((w->line[i] = malloc(w->len[i] ? w->len[i] : 1)) == NULL)
            abort();
        memcpy(w->line[i], tmp, w->len[i]);
    }
}

/* ws_twin - dst reads src's lines into records of its own */
static void
ws_twin(struct ws_run *dst, const struct ws_run *src, int reuse)
{
    *dst = *src;
    dst->r = calloc(WS_LINES, sizeof(*dst->r));
    dst->k = calloc(WS_LINES, sizeof(*dst->k));
    dst->reuse = reuse;
    if (!dst->r || !dst->k)
        abort();
}

/* ws_thread - ws_run_one(w) on a fresh thread */
static void
ws_thread(struct ws_run *w)
{
    pthread_t t;

    if (pthread_create(&t, NULL, ws_run_one, w) != 0
        || pthread_join(t, NULL))
        abort();
}

/* ws_rec_same - whether two readings of a line agree: the kinds, the
 * stamps, every field, the ident tags, the host tags but for the
 * thread's range */
static int
ws_rec_same(int kp, const struct wrap_rec *p, int kq,
            const struct wrap_rec *q)
{
    const uint64_t low = ((uint64_t) 1 << 40) - 1;

    return kp == kq && p->dated == q->dated
        && (!p->dated || p->t == q->t)
        && ws_span_same(p->host, q->host)
        && ws_span_same(p->ident, q->ident)
        && ws_span_same(p->pid, q->pid) && ws_span_same(p->msg, q->msg)
        && p->ident_tag == q->ident_tag
        && (p->host_tag & low) == (q->host_tag & low)
        && (p->host_tag > 1) == (q->host_tag > 1);
}

/* ws_free - w's records, and its lines when own */
static void
ws_free(struct ws_run *w, int own)
{
    size_t  i;

    if (own) {
        for (i = 0; i < WS_LINES; i++)
            free(w->line[i]);
        free(w->line);
        free(w->len);
    }
    free(w->r);
    free(w->k);
}

/* t_wrap_sse2 - wrap_parse() as this processor runs it (its pairs of
 * host and ident found by 32-byte compares where it has AVX2) against
 * the copy without AVX2, on generated hostile lines each in a buffer of
 * its own length, each copy on a fresh thread: the same records, the
 * same ident tags, the same host tags but for the thread's range */
static void
t_wrap_sse2(void)
{
    struct ws_run a, b, u;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    size_t  i, j;
    int     bad = 0, dated = 0;

    ws_make(&a, ws_line, &x);
    ws_twin(&b, &a, 0);
    ws_twin(&u, &a, 1);
    wrap_test_sse2(0);
    ws_thread(&a);
    ws_thread(&u);
    wrap_test_sse2(1);
    ws_thread(&b);
    wrap_test_sse2(0);
    for (i = 0; i < 2 * WS_LINES; i++) {
        const struct wrap_rec *p = &a.r[i % WS_LINES];
        const struct wrap_rec *q = i < WS_LINES ? &b.r[i] : &u.r[i - WS_LINES];
        const int *qk = i < WS_LINES ? b.k : u.k;

        j = i % WS_LINES;

        dated += i < WS_LINES && p->dated && p->host.len > 0
            && p->pid.len > 0;
        if (ws_rec_same(a.k[j], p, qk[j], q))
            continue;
        if (bad++ < 5)
            T_CHECK(0, "wrap sse2: line %zu \"%.*s\": the %s differ", j,
                    (int) a.len[j], a.line[j],
                    i < WS_LINES ? "copies" : "fresh and reused records");
    }
    T_CHECK(bad == 0, "wrap sse2: %d of %d lines differ", bad,
            2 * WS_LINES);
    /* most lines are the common form, taken by wrap_hot() */
    T_CHECK(dated > WS_LINES / 3, "wrap sse2: %d common lines", dated);
    ws_free(&a, 1);
    ws_free(&b, 0);
    ws_free(&u, 0);
}

/* wb_line - a hostile line for the short cut of lines without a stamp
 * (wrap_bare_seen) into buf (at most cap bytes): mostly
 * "ident[pid]: msg" with an ident of 1 to 40 bytes, a few of them
 * often and 700 others now and then (more than the ident table keeps:
 * idents leave it and come back with new tags), pids of 0 to 9 digits
 * or masked, "]:" with or without its space or broken, messages that
 * begin with '[' ("[ID " a Solaris tag) or a space; a fifth dated lines
 * of the same idents (they share the ident table), some a first word
 * that ends at a space; a byte replaced in a third, a quarter cut
 * anywhere. Returns its length */
static size_t
wb_line(uint64_t *x, char *buf, size_t cap)
{
    static const char *const hot[] = {
        "postfix/smtp", "postfix/smtpd", "postfix/qmgr", "postfix/cleanup",
        "postfix/pickup", "sendmail", "sm-mta", "postfix/submission/smtpd",
        "abcdefghijklmnopqrstuvwxyz01234", "abcdefghijklmnopqrstuvwxyz0123",
        "abcdefgh", "abcdefg", "p", "a@b", "postfix/smtp-very-long-name/xyz",
    };
    static const char *const msg[] = {
        "3F2A1B: to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25, x=1",
        "[ID 123456 mail.info] connect from x.example[192.0.2.7]", "",
        "Trusted TLS connection established to mx.example:25: TLSv1.3",
        "[bracket and more text after it, long enough to read", " space",
        "x",
    };
    static const char sep[][4] = {": ", ":", "]: ", " : ", "]x "};
    static const char bytes[] = "[]: 0a/\t.\x80";
    char    ident[48], pid[16];
    uint64_t r = ws_rand(x);
    unsigned pl = (unsigned) (r >> 8) % 11;
    size_t  n, k;

    if ((r >> 12) % 5 != 0) {
        snprintf(ident, sizeof(ident), "%s",
                 hot[(r >> 16) % (sizeof(hot) / sizeof(hot[0]))]);
    } else {
        unsigned id = (unsigned) (r >> 16) % 700;
        unsigned il = 1 + (unsigned) (r >> 28) % 40;

        for (k = 0; k < il; k++)
            ident[k] = "abcdefghijklmnopqrstuvwxyz/-_.0123456789"
                [(id * 7 + k * (id % 13 + 1)) % 40];
        ident[0] = (char) ('a' + id % 26);
        ident[il] = 0;
    }
    if (pl == 10)
        snprintf(pid, sizeof(pid), "xxxxx");
    else
        snprintf(pid, sizeof(pid), "%.*s", (int) pl, "918273645");
    switch ((r >> 34) % 10) {
    case 0:
    case 1:
        n = (size_t) snprintf(buf, cap, "Nov  1 04:00:0%u host%u %s[%s]: %s",
                              (unsigned) (r >> 40) % 4,
                              (unsigned) (r >> 44) % 3, ident, pid,
                              msg[(r >> 48) % 7]);
        break;
    case 2:
        n = (size_t) snprintf(buf, cap, "%s %s[%s]: %s", ident, ident, pid,
                              msg[(r >> 48) % 7]);
        break;
    default:
        n = (size_t) snprintf(buf, cap, "%s[%s%s%s", ident, pid,
                              (r >> 40) % 6 ? "]: " :
                              sep[(r >> 52) % 5], msg[(r >> 48) % 7]);
        break;
    }
    if (n >= cap)
        n = cap - 1;
    r = ws_rand(x);
    if (r % 3 == 0 && n > 0) {
        k = (size_t) (r >> 8) % n;
        buf[k] = bytes[(r >> 24) % (sizeof(bytes) - 1)];
    }
    if ((r >> 32) % 4 == 0)
        n = (size_t) (r >> 40) % (n + 1);
    return n;
}

/* t_wrap_bare_seen - lines without a stamp read by the short cut of
 * idents kept (wrap_bare_seen) against the same lines with no ident
 * kept for it (wrap_test_bare(1): the way they took before), on fresh
 * threads, each line in a buffer of its own length: the same records
 * and ident tags (the same numbers: both threads give the same tags),
 * host tags but for the thread's range; with two records taken in turn
 * and filled with other bytes first, and with the copy without AVX2 */
static void
t_wrap_bare_seen(void)
{
    struct ws_run ref, a[3];
    uint64_t x = 0x2545f4914f6cdd1dULL;
    size_t  i, v;
    int     bad = 0, bare = 0;

    ws_make(&ref, wb_line, &x);
    for (v = 0; v < 3; v++)
        ws_twin(&a[v], &ref, v == 1);
    wrap_test_bare(1);
    ws_thread(&ref);
    wrap_test_bare(0);
    for (v = 0; v < 3; v++) {
        wrap_test_sse2(v == 2);
        ws_thread(&a[v]);
    }
    wrap_test_sse2(0);
    for (v = 0; v < 3; v++)
        for (i = 0; i < WS_LINES; i++) {
            const struct wrap_rec *p = &ref.r[i];
            const struct wrap_rec *q = &a[v].r[i];

            bare += v == 0 && !p->dated && p->ident.len > 0
                && p->ident.ptr == ref.line[i] && p->pid.len > 0;
            if (ws_rec_same(ref.k[i], p, a[v].k[i], q))
                continue;
            if (bad++ < 5)
                T_CHECK(0, "bare seen: line %zu \"%.*s\" (%zu): the %s "
                        "differ", i, (int) ref.len[i], ref.line[i], v,
                        v == 1 ? "reused records" : "records");
        }
    T_CHECK(bad == 0, "bare seen: %d of %d lines differ", bad,
            3 * WS_LINES);
    /* most lines are "ident[pid]: msg" */
    T_CHECK(bare > WS_LINES / 3, "bare seen: %d lines with an ident", bare);
    ws_free(&ref, 1);
    for (v = 0; v < 3; v++)
        ws_free(&a[v], 0);
}

/* W-J003 and W-S001 through the whole reader */
static void
t_forms_real(void)
{
    struct input_src src;
    struct got g;
    struct ts_ctx c;
    struct wrap_rec r;
    char   *p;
    char   *nl;
    int     n = 0;

    readf("testdata/forms/wj003-short-iso-socklog.log", &g, &src);
    ts_ctx_init_year(&c, 2024);
    for (p = g.text.p; p && (nl = strchr(p, '\n')); p = nl + 1, n++) {
        static const int64_t want[] = {1694186430, 1694186447, 1694186430,
                                       1664392150};

        wrap_parse(&c, span_make(p, (size_t) (nl - p)), &r);
        T_CHECK(n < 4 && r.dated && r.t == want[n] && r.ident.len > 0,
                "W-J003 line %d: t %lld", n + 1, (long long) r.t);
    }
    T_CHECK(n == 4, "W-J003: %d lines", n);
    got_free(&g);
}

/* ---------------------------------------------------------- in place */

/* a text of more than 8 MiB for the reader by place, with what the read
 * path must handle the same way: overlong lines (one longer than a
 * chunk), NUL bytes, CRLF, one overlong line among the last 300 KB,
 * and no final newline */
static void
place_text(struct buf *b)
{
    static char big[1536 * 1024];
    size_t  k;

    memset(big, 'x', sizeof(big));
    for (k = 0; k < 6; k++) {
        gen_text(b, 9000);
        buf_str(b, "Nov 23 01:00:00 mail postfix/smtp[7]: crlf\r\n");
        buf_add(b, "Nov 23 01:00:00 mail postfix/smtp[7]: n\0ul\n", 43);
        buf_add(b, big, k == 2 ? sizeof(big) : k == 4 ? 200000 : 70000);
        buf_str(b, "\n");
    }
    buf_add(b, big, 100000);
    buf_str(b, "\n");
    gen_text(b, 1000);
    buf_str(b, "Nov 23 02:00:00 mail postfix/smtp[8]: no newline at the end");
}

static const char *place_cut;     /* the file place_cut_line truncates */

static void
place_cut_line(void *ctx, const struct input_src *src, uint64_t lineno,
             struct span line)
{
    (void) ctx;
    (void) src;
    (void) line;
    if (lineno == 1 && truncate(place_cut, 0) != 0)
        _exit(9);
}

struct place_ccb {
    struct got *g;
    struct input_src acc;
    unsigned char *bufs[64];
    size_t  nbufs;
    size_t  size;
    size_t  by_place;           /* chunks put where the file lies */
    const char *name;
};

static unsigned char *
place_get(void *ctx, size_t *cap)
{
    struct place_ccb *m = ctx;

    if (m->nbufs == 64)
        abort();
    *cap = INPUT_CHUNK_CAP(m->size);
    if ((m->bufs[m->nbufs] = malloc(*cap)) == NULL)
        abort();
    return m->bufs[m->nbufs++];
}

static void
place_lines(struct place_ccb *m, unsigned char *buf, size_t len, int flags,
          int nlead)
{
    size_t  i;

    struct input_cb cb;

    memset(&cb, 0, sizeof(cb));
    cb.line = place_cut ? place_cut_line : cb_line;
    cb.lines = use_batch && !place_cut ? cb_lines : NULL;
    cb.bad = cb_bad;
    cb.skip = cb_skip;
    cb.ctx = m->g;
    cb.quiet = 1;
    input_chunk_lines_mt(&cb, &m->acc, buf, len, flags, nlead);
    /* parsed at once: the chunk's buffer is free again */
    for (i = 0; i < m->nbufs && m->bufs[i] != buf; i++)
         /* void */ ;
    if (i == m->nbufs)
        abort();
    free(buf);
    m->bufs[i] = m->bufs[--m->nbufs];
}

static void
place_put(void *ctx, unsigned char *buf, size_t len, int flags, int nlead)
{
    place_lines(ctx, buf, len, flags, nlead);
}

static void
place_put_file(void *ctx, unsigned char *buf, int fd, uint64_t off,
             size_t len)
{
    struct place_ccb *m = ctx;

    m->by_place++;
    input_chunk_fetch(m->name, fd, off, buf, len);
    place_lines(m, buf, len, 0, 0);
}

static void
place_drain(void *ctx)
{
    (void) ctx;
}

/* place_chunked - input_read_chunked of path into g, chunks of size
 * bytes, by place or not; the chunks put where the file lies */
static size_t
place_chunked(const char *path, struct got *g, size_t size, int by_place,
              struct input_src *src)
{
    struct input_cb cb;
    struct input_chunk_cb ccb;
    struct place_ccb m;

    memset(&m, 0, sizeof(m));
    memset(&ccb, 0, sizeof(ccb));
    m.g = g;
    m.size = size;
    m.name = path;
    got_cb(&cb, g);
    ccb.get = place_get;
    ccb.put = place_put;
    ccb.put_file = by_place ? place_put_file : NULL;
    ccb.drain = place_drain;
    ccb.ctx = &m;
    ccb.size = size;
    (void) input_read_chunked(path, &cb, &ccb, src);
    input_chunk_add(src, &m.acc);
    while (m.nbufs > 0)         /* taken, never put: the end of input */
        free(m.bufs[--m.nbufs]);
    return m.by_place;
}

/* read_split - path into g whole (size 0) or in chunks of size bytes,
 * by place or not, split by the SSE2 code alone when sse2 */
static void
read_split(const char *path, struct got *g, size_t size, int by_place,
           int sse2, struct input_src *src)
{
    input_test_sse2(sse2);
    if (size == 0)
        (void) readf(path, g, src);
    else
        (void) place_chunked(path, g, size, by_place, src);
    input_test_sse2(0);
}

/* place_same - g and h hold the same lines, bad lines and counts */
static int
place_same(const struct got *g, const struct got *h)
{
    return g->lines == h->lines && g->text.len == h->text.len
        && memcmp(g->text.p, h->text.p, g->text.len) == 0
        && memcmp(g->bad, h->bad, sizeof(g->bad)) == 0
        && g->skip == h->skip;
}

/* in chunks, a plain file of 4 MiB or more is cut where it lies and
 * each chunk read by the thread that parses it: the same lines, bad
 * lines and counts as read(2) gives (on standard input, and for one
 * thread); a file cut short while it is read stops the run with a
 * message, not a shorter count */
static void
t_in_place(void)
{
    struct buf b = {0};
    struct got ref, g;
    struct input_src rsrc, src;
    char    path[300];
    size_t  sizes[] = {61, 4096, 1024 * 1024};
    size_t  i, n;
    int     fd, saved, status;
    pid_t   pid;

    place_text(&b);
    T_CHECK(b.len > 8 * 1024 * 1024, "place text: %zu bytes", b.len);
    snprintf(path, sizeof(path), "%s", tpath("inplace.log"));
    writef(path, b.p, b.len);
    /* the reference: the same file as standard input, never by place */
    fd = open(path, O_RDONLY);
    saved = dup(0);
    if (fd < 0 || saved < 0 || dup2(fd, 0) < 0)
        abort();
    (void) readf("-", &ref, &rsrc);
    if (dup2(saved, 0) < 0)
        abort();
    close(fd);
    close(saved);
    T_CHECK(ref.bad[INPUT_BAD_LONG] == 7 && ref.bad[INPUT_BAD_NUL] == 6,
            "place reference: %zu long, %zu NUL", ref.bad[INPUT_BAD_LONG],
            ref.bad[INPUT_BAD_NUL]);
    (void) readf(path, &g, &src);
    T_CHECK(place_same(&ref, &g) && src.lines == rsrc.lines
            && src.bytes == rsrc.bytes && src.unreadable == rsrc.unreadable,
            "one thread: %zu lines, %llu bytes (stdin: %zu, %llu)",
            g.lines, (unsigned long long) src.bytes, ref.lines,
            (unsigned long long) rsrc.bytes);
    got_free(&g);
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        n = place_chunked(path, &g, sizes[i], 1, &src);
        /* 1 MiB chunks: by place up to the line longer than that;
         * 61-byte chunks: most hold no newline (a line longer than the
         * chunk), and the reader hands over what it read to find one */
        T_CHECK(n >= (sizes[i] < 4096 ? 1 : 3) && place_same(&ref, &g) && src.lines == rsrc.lines
                && src.bytes == rsrc.bytes,
                "by place, %zu-byte chunks: %zu chunks by place, %zu lines",
                sizes[i], n, g.lines);
        got_free(&g);
        n = place_chunked(path, &g, sizes[i], 0, &src);
        T_CHECK(n == 0 && place_same(&ref, &g) && src.lines == rsrc.lines,
                "copied, %zu-byte chunks: %zu lines", sizes[i], g.lines);
        got_free(&g);
    }
    got_free(&ref);

    /* cut short while read: the child stops with status 3 and says why */
    pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        int     err = open(tpath("cut.err"), O_WRONLY | O_CREAT | O_TRUNC,
                           0600);

        if (err < 0 || dup2(err, 2) < 0)
            _exit(8);
        place_cut = path;
        (void) place_chunked(path, &g, 4096, 1, &src);
        _exit(0);
    }
    T_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status)
            && WEXITSTATUS(status) == 3, "cut short: status %#x", status);
    {
        FILE   *fp = fopen(tpath("cut.err"), "r");
        char    line[512] = "";

        if (fp != NULL) {
            if (fgets(line, sizeof(line), fp) == NULL)
                line[0] = 0;
            fclose(fp);
        }
        T_CHECK(strstr(line, "inplace.log: the file shrank while it was "
                       "being read") != NULL, "cut short: \"%s\"", line);
    }
    free(b.p);
}

/* ------------------------------------------------------------ hostile */

/* The line split (one bit per newline, the NUL test folded into the
 * pass that finds them: parsers/input.c, input_split) against a plain
 * one written here from what input.h promises, on generated text with
 * NUL and control bytes, CR, lines about INPUT_MAX_LINE long and far
 * longer, lines shorter than the 32 bytes the control test reads, the
 * first bytes input_emit() looks at twice, and no final
 * newline: one thread (256 KiB reads), and chunks of many sizes, read
 * in place and copied. */

static uint64_t hostile_seed = 0x9e3779b97f4a7c15ULL;

static uint64_t
hostile_rand(void)
{
    hostile_seed ^= hostile_seed << 13;
    hostile_seed ^= hostile_seed >> 7;
    hostile_seed ^= hostile_seed << 17;
    return hostile_seed;
}

/* hostile_line - one generated line, newline excluded */
static void
hostile_line(struct buf *b, size_t i)
{
    static const unsigned char bad[] = {0, 1, 0x1b, 0x1e, 0x7f, '\t', '\r',
        0x80, 0xff, 0xe2, 0x0b, 0x1f};
    static const char *const heads[] = {"-- Boot 8f3e --", "--", "-x",
        "\xe2\x96\x91\xe2\x96\x91 Subject: x", "\xe2\x96\x91x", "daemon: x",
        "", "\r", "-- \r"};
    static const size_t longs[] = {INPUT_MAX_LINE - 1, INPUT_MAX_LINE,
        INPUT_MAX_LINE + 1, INPUT_MAX_LINE + 2, 70000, 300000};
    char    line[400];
    size_t  k = hostile_rand() % 100;
    size_t  n, j;

    if (k < 4) {
        buf_str(b, heads[hostile_rand() % (sizeof(heads) / sizeof(heads[0]))]);
        return;
    }
    if (k < 6 && i % 7 == 0) {
        /* long: a NUL, a CR before the newline, or neither */
        size_t  len = longs[hostile_rand() % (sizeof(longs)
                                              / sizeof(longs[0]))];
        size_t  at = b->len;
        unsigned r = (unsigned) (hostile_rand() % 4);

        for (j = 0; j < len; j++)
            buf_add(b, "y", 1);
        if (r == 1)
            b->p[at + len - 1] = '\r';
        else if (r == 2)
            b->p[at + hostile_rand() % len] = 0;
        return;
    }
    if (k >= 92) {
        /* short: up to 40 bytes (the control test reads 32, by two
         * masks where 32 bytes can be read), hostile bytes anywhere */
        n = hostile_rand() % 41;
        for (j = 0; j < n; j++)
            line[j] = (char) ('a' + hostile_rand() % 26);
        for (j = hostile_rand() % 3; j > 0 && n > 0; j--)
            line[hostile_rand() % n] = (char) bad[hostile_rand() % sizeof(bad)];
        buf_add(b, line, n);
        return;
    }
    n = (size_t) snprintf(line, sizeof(line), "Nov 23 01:%02zu:%02zu mail "
                          "postfix/smtp[%zu]: line %zu", i / 60 % 60, i % 60,
                          i % 977, i);
    /* padding to a length of 0 to about 300 */
    for (j = hostile_rand() % 300; j > 0 && n < sizeof(line) - 1; j--)
        line[n++] = (char) ('a' + hostile_rand() % 26);
    if (k < 12 && n > 0) {
        /* hostile bytes: at the start (the control test reads 32), at
         * 31 and 32, or anywhere */
        for (j = hostile_rand() % 3 + 1; j > 0; j--) {
            size_t  r = hostile_rand() % 4;
            size_t  at = r == 0 ? 0 : r == 1 ? 31 : r == 2 ? 32
                : hostile_rand() % n;

            if (at < n)
                line[at] = (char) bad[hostile_rand() % sizeof(bad)];
        }
    }
    buf_add(b, line, n);
}

/* hostile_round - a log of hostile lines in b: 2 MB ending in a newline
 * (round 0), with a last line without one (1), 5 MB whose last line
 * has a NUL and no newline (2) */
static void
hostile_round(struct buf *b, size_t round)
{
    size_t  i;

    b->len = 0;
    buf_str(b, "Nov 23 01:00:00 mail postfix/smtp[1]: first\n");
    for (i = 0; b->len < (round == 2 ? 5u : 2u) * 1024 * 1024; i++) {
        hostile_line(b, i);
        buf_add(b, "\n", 1);
    }
    if (round == 1)             /* no final newline */
        buf_str(b, "Nov 23 02:00:00 mail postfix/smtp[8]: l\0ast");
    if (round == 2)             /* a last line with a NUL, no newline */
        buf_add(b, "Nov 23 02:00:00 mail x[8]: l\0ast", 32);
}

/* hostile_ref - what the reader should make of text[0, n), the plain
 * way: each line by memchr, its tests byte by byte */
static void
hostile_ref(const char *text, size_t n, struct got *g, uint64_t *lines,
            uint64_t *unreadable, uint64_t *skipped)
{
    const char *p = text;
    const char *end = text + n;

    memset(g, 0, sizeof(*g));
    *lines = *unreadable = *skipped = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t) (end - p));
        size_t  len = (size_t) ((nl ? nl : end) - p);
        size_t  j;
        int     ctrl = 0;

        ++*lines;
        if (len > 0 && p[len - 1] == '\r')
            len--;
        if (len > INPUT_MAX_LINE) {
            ++*unreadable;
            g->bad[INPUT_BAD_LONG]++;
        } else if (memchr(p, 0, len) != NULL) {
            ++*unreadable;
            g->bad[INPUT_BAD_NUL]++;
        } else {
            for (j = 0; j < len && j < 32; j++) {
                unsigned char c = (unsigned char) p[j];

                if ((c < 0x20 && c != '\t' && c != 0x1b && c != 0x1e)
                    || c == 0x7f)
                    ctrl = 1;
            }
            *unreadable += (uint64_t) ctrl;
            if ((len >= 3 && memcmp(p, "-- ", 3) == 0)
                || (len == 2 && memcmp(p, "--", 2) == 0)
                || (len >= 6 && memcmp(p, "\xe2\x96\x91\xe2\x96\x91", 6)
                    == 0)) {
                ++*skipped;
                g->skip++;
            } else {
                g->lines++;
                buf_add(&g->text, p, len);
                buf_add(&g->text, "\n", 1);
            }
        }
        p = nl ? nl + 1 : end;
    }
}

static void
t_hostile(void)
{
    size_t  sizes[] = {61, 4096, 100000, 1024 * 1024};
    struct buf b = {0};
    struct got ref, g;
    struct input_src src;
    uint64_t lines, unreadable, skipped;
    char    path[300];
    size_t  i, round;

    for (round = 0; round < 3; round++) {
        hostile_round(&b, round);
        hostile_ref(b.p, b.len, &ref, &lines, &unreadable, &skipped);
        T_CHECK(ref.bad[INPUT_BAD_NUL] > 10 && ref.bad[INPUT_BAD_LONG] > 3
                && unreadable > ref.bad[INPUT_BAD_NUL]
                + ref.bad[INPUT_BAD_LONG] + 10 && skipped > 10,
                "hostile %zu: the text has it all (%zu NUL, %zu long, "
                "%llu unreadable, %llu skipped)", round,
                ref.bad[INPUT_BAD_NUL], ref.bad[INPUT_BAD_LONG],
                (unsigned long long) unreadable,
                (unsigned long long) skipped);
        snprintf(path, sizeof(path), "%s", tpath("hostile.log"));
        writef(path, b.p, b.len);
        (void) readf(path, &g, &src);
        T_CHECK(place_same(&ref, &g) && src.lines == lines
                && src.unreadable == unreadable && src.skipped == skipped,
                "hostile %zu, one thread: %zu lines (plain split: %zu), "
                "%llu unreadable (%llu)", round, g.lines, ref.lines,
                (unsigned long long) src.unreadable,
                (unsigned long long) unreadable);
        got_free(&g);
        for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            size_t  by_place;

            for (by_place = 0; by_place < 2; by_place++) {
                (void) place_chunked(path, &g, sizes[i], (int) by_place,
                                     &src);
                T_CHECK(place_same(&ref, &g) && src.lines == lines
                        && src.unreadable == unreadable
                        && src.skipped == skipped,
                        "hostile %zu, %zu-byte chunks%s: %zu lines (%zu)",
                        round, sizes[i], by_place ? ", in place" : "",
                        g.lines,
                        ref.lines);
                got_free(&g);
            }
        }
        got_free(&ref);
    }
    free(b.p);
}

/* batches (input_cb.lines) against one call a line, on the hostile
 * text of t_hostile: the same lines, bad and skipped lines, with the
 * same numbers and in the same order, and the same counts, from a
 * file (one thread), in chunks of many sizes, and from standard input
 * written one byte at a time (every line cut across reads) */

/* batch_same - g and h saw the same, in the same order */
static int
batch_same(const struct got *g, const struct got *h)
{
    return place_same(g, h) && g->ev.len == h->ev.len
        && (g->ev.len == 0 || memcmp(g->ev.p, h->ev.p, g->ev.len) == 0);
}

/* batch_stdin - input_read("-") of text, written into a pipe one byte
 * a write by a child; its return value */
static int
batch_stdin(const char *text, size_t n, struct got *g, struct input_src *src)
{
    struct input_cb cb;
    int     fds[2];
    int     saved;
    int     rc;
    int     st;
    pid_t   pid;

    if (pipe(fds) != 0 || (saved = dup(STDIN_FILENO)) < 0)
        abort();
    if ((pid = fork()) < 0)
        abort();
    if (pid == 0) {
        size_t  i;

        close(fds[0]);
        for (i = 0; i < n; i++)
            if (write(fds[1], text + i, 1) != 1)
                _exit(1);
        _exit(0);
    }
    close(fds[1]);
    if (dup2(fds[0], STDIN_FILENO) < 0)
        abort();
    close(fds[0]);
    got_cb(&cb, g);
    rc = input_read("-", &cb, src);
    if (dup2(saved, STDIN_FILENO) < 0)
        abort();
    close(saved);
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)
        || WEXITSTATUS(st) != 0)
        rc = -2;
    return rc;
}

static void
t_batch(void)
{
    size_t  sizes[] = {61, 4096, 100000, 1024 * 1024};
    struct buf b = {0};
    struct got one, g;
    struct input_src src1, src;
    char    path[300];
    size_t  i, round;
    size_t  nlong = 0;

    for (round = 0; round < 3; round++) {
        hostile_round(&b, round);
        snprintf(path, sizeof(path), "%s", tpath("batch.log"));
        writef(path, b.p, b.len);
        use_batch = 0;
        (void) readf(path, &one, &src1);
        use_batch = 1;
        (void) readf(path, &g, &src);
        T_CHECK(batch_same(&one, &g) && g.batches > 0 && g.batch_wrong == 0
                && one.batches == 0 && src.lines == src1.lines
                && src.unreadable == src1.unreadable
                && src.skipped == src1.skipped && src.bytes == src1.bytes,
                "batch %zu, one thread: %zu lines in %zu batches (%zu one "
                "by one), %zu wrong, %llu unreadable (%llu)", round, g.lines,
                g.batches, one.lines, g.batch_wrong,
                (unsigned long long) src.unreadable,
                (unsigned long long) src1.unreadable);
        got_free(&g);
        got_free(&one);
        for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            int     by_place;

            for (by_place = 0; by_place < 2; by_place++) {
                use_batch = 0;
                (void) place_chunked(path, &one, sizes[i], by_place, &src1);
                use_batch = 1;
                (void) place_chunked(path, &g, sizes[i], by_place, &src);
                T_CHECK(batch_same(&one, &g) && g.batch_wrong == 0
                        && g.batches > 0 && src.lines == src1.lines
                        && src.unreadable == src1.unreadable
                        && src.skipped == src1.skipped,
                        "batch %zu, %zu-byte chunks%s: %zu lines (%zu), "
                        "%zu wrong", round, sizes[i],
                        by_place ? ", in place" : "", g.lines, one.lines,
                        g.batch_wrong);
                got_free(&g);
                got_free(&one);
            }
        }
    }
    /* standard input one byte a write: a hostile text of 600 KB, its
     * first three lines longer than 2,000 bytes made 70,000 long (too
     * long), the others 300 */
    b.len = 0;
    for (i = 0; b.len < 600 * 1024; i++) {
        size_t  at = b.len;

        hostile_line(&b, i + 5);
        if (b.len - at > 2000)
            b.len = at + (nlong++ < 3 ? 70000 : 300);
        buf_str(&b, i % 5 == 0 ? "\r\n" : "\n");
    }
    buf_add(&b, "last\0", 5);
    use_batch = 0;
    T_CHECK(batch_stdin(b.p, b.len, &one, &src1) == 0, "batch stdin: read");
    use_batch = 1;
    T_CHECK(batch_stdin(b.p, b.len, &g, &src) == 0, "batch stdin: read");
    T_CHECK(batch_same(&one, &g) && g.batch_wrong == 0
            && src.lines == src1.lines && src.unreadable == src1.unreadable
            && one.lines > 1000 && one.bad[INPUT_BAD_NUL] > 0
            && one.bad[INPUT_BAD_LONG] > 0,
            "batch stdin, a byte a write: %zu lines in %zu batches (%zu one "
            "by one, of %llu), %zu wrong", g.lines, g.batches, one.lines,
            (unsigned long long) src1.lines, g.batch_wrong);
    got_free(&g);
    got_free(&one);
    use_batch = 0;
    free(b.p);
}

/* the SSE2 split (input_test_sse2: what a processor without AVX2
 * runs) against the split this processor runs and against the plain
 * split of t_hostile, on its hostile text: one call a line and
 * batches, from a file (one thread) and in chunks, read in place and
 * copied: the same lines, bad and skipped lines, numbers, order and
 * counts */
static void
t_sse2(void)
{
    size_t  sizes[] = {0, 61, 4096, 100000};
    struct buf b = {0};
    struct got ref, fast, g;
    struct input_src srcf, src;
    uint64_t lines, unreadable, skipped;
    char    path[300];
    size_t  i, round;
    int     batch, by_place;

    for (round = 0; round < 3; round++) {
        hostile_round(&b, round);
        hostile_ref(b.p, b.len, &ref, &lines, &unreadable, &skipped);
        snprintf(path, sizeof(path), "%s", tpath("sse2.log"));
        writef(path, b.p, b.len);
        for (batch = 0; batch < 2; batch++) {
            use_batch = batch;
            for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                for (by_place = 0; by_place < (i ? 2 : 1); by_place++) {
                    read_split(path, &fast, i ? sizes[i] : 0, by_place, 0,
                               &srcf);
                    read_split(path, &g, i ? sizes[i] : 0, by_place, 1, &src);
                    T_CHECK(batch_same(&fast, &g) && place_same(&ref, &g)
                            && g.batch_wrong == 0
                            && (g.batches > 0) == batch
                            && src.lines == lines && srcf.lines == lines
                            && src.unreadable == unreadable
                            && srcf.unreadable == unreadable
                            && src.skipped == skipped,
                            "sse2 %zu, %s, %zu-byte chunks%s: %zu lines "
                            "(%zu), %llu unreadable (%llu), %zu wrong",
                            round, batch ? "batches" : "one a call",
                            sizes[i], by_place ? ", in place" : "", g.lines,
                            ref.lines, (unsigned long long) src.unreadable,
                            (unsigned long long) unreadable, g.batch_wrong);
                    got_free(&fast);
                    got_free(&g);
                }
            }
        }
        got_free(&ref);
    }
    use_batch = 0;
    free(b.p);
}

/* dense_text - about 1.5 MB of lines of 33 to 70 bytes (more than a
 * batch of them in one 16 KiB piece of the split), among them, now and
 * then, a NUL (a piece with one: the lines around it searched), a CR
 * before the newline, a control byte at 0, 31 or 32, a rare first byte,
 * a short or empty line, runs of lines that end on 32- and 64-byte
 * boundaries, and an overlong line */
static void
dense_text(struct buf *b)
{
    static const unsigned char bad[] = {0, 1, 0x1b, 0x1e, 0x7f, '\t', '\r',
                                        0x1f, 0x20, 0x7e, 0x80, 0xff};
    static const char rare[] = {'-', 'd', '{', 0x1e, (char) 0xe2};
    char    line[100];
    size_t  i, j, n;

    b->len = 0;
    for (i = 0; b->len < 1536 * 1024; i++) {
        size_t  k = hostile_rand() % 1000;

        if (i % 4999 == 500) {
            for (j = 0; j < INPUT_MAX_LINE + 2 + i % 3; j++)
                buf_add(b, "z", 1);
            buf_add(b, "\n", 1);
            continue;
        }
        if (i % 3000 < 200)     /* its newline the last byte of a word */
            n = (32 - (b->len + 1) % 32) % 32 + 32 * (1 + hostile_rand() % 2);
        else
            n = 33 + hostile_rand() % 38;
        for (j = 0; j < n; j++)
            line[j] = (char) ('a' + hostile_rand() % 26);
        if (k < 8)
            line[hostile_rand() % n] = 0;
        else if (k < 20)
            line[n - 1] = '\r';
        else if (k < 40)
            line[k % 3 == 0 ? 0 : k % 3 == 1 ? 31 : 32] =
                (char) bad[hostile_rand() % sizeof(bad)];
        else if (k < 55)
            line[0] = rare[hostile_rand() % sizeof(rare)];
        else if (k < 70)
            n = hostile_rand() % 33;
        buf_add(b, line, n);
        buf_add(b, "\n", 1);
    }
    /* every byte at each of a line's first 34 places, lines of 33 to
     * 70 bytes: the control test's bounds (0x1f and 0x20, 0x7e to
     * 0x80, 0xff) wherever the 32 bytes it reads put them */
    for (i = 0; i < 256 * 34; i++) {
        n = 33 + i % 38;
        for (j = 0; j < n; j++)
            line[j] = (char) ('a' + (i + j) % 26);
        line[i % 34] = (char) (i / 34);
        buf_add(b, line, n);
        buf_add(b, "\n", 1);
    }
}

/* dense lines, through every split (SSE2 and this processor's, one
 * call a line and batches, a file and chunks) against the plain split
 * of t_hostile: the batch loop takes as many lines as a batch has room
 * for at once, a piece's lines more than a batch */
static void
t_dense(void)
{
    size_t  sizes[] = {0, 61, 4096, 100000};
    struct buf b = {0};
    struct got ref, g;
    struct input_src src;
    uint64_t lines, unreadable, skipped;
    char    path[300];
    size_t  i;
    int     batch, sse2, by_place;

    dense_text(&b);
    hostile_ref(b.p, b.len, &ref, &lines, &unreadable, &skipped);
    T_CHECK(ref.bad[INPUT_BAD_NUL] > 10 && ref.bad[INPUT_BAD_LONG] > 3
            && unreadable > 100 && lines > 20000,
            "dense: the text has it all (%zu NUL, %zu long, %llu "
            "unreadable, %llu lines)", ref.bad[INPUT_BAD_NUL],
            ref.bad[INPUT_BAD_LONG], (unsigned long long) unreadable,
            (unsigned long long) lines);
    snprintf(path, sizeof(path), "%s", tpath("dense.log"));
    writef(path, b.p, b.len);
    for (sse2 = 0; sse2 < 2; sse2++) {
        for (batch = 0; batch < 2; batch++) {
            use_batch = batch;
            for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                for (by_place = 0; by_place < (i ? 2 : 1); by_place++) {
                    read_split(path, &g, i ? sizes[i] : 0, by_place, sse2,
                               &src);
                    T_CHECK(place_same(&ref, &g) && g.batch_wrong == 0
                            && (g.batches > 0) == batch
                            && src.lines == lines
                            && src.unreadable == unreadable
                            && src.skipped == skipped,
                            "dense, %s, %s, %zu-byte chunks%s: %zu lines "
                            "(%zu), %llu unreadable (%llu), %zu wrong",
                            sse2 ? "sse2" : "this processor's",
                            batch ? "batches" : "one a call", sizes[i],
                            by_place ? ", in place" : "", g.lines,
                            ref.lines, (unsigned long long) src.unreadable,
                            (unsigned long long) unreadable, g.batch_wrong);
                    got_free(&g);
                }
            }
        }
    }
    got_free(&ref);
    use_batch = 0;
    free(b.p);
}

/* ------------------------------------------------------------ order */

static void
t_order(void)
{
    struct buf z = {0};
    char    a[300], b[300], c[300], d[300];
    char   *files[5];
    int64_t t;
    const char *lj = "{\"__REALTIME_TIMESTAMP\":\"1732400000000000\","
        "\"MESSAGE\":\"x\"}\n";

    /* oldest: an xz file; then a journal JSON file; then plain text;
     * and a file without any date */
    snprintf(a, sizeof(a), "%s", tpath("maillog"));
    writef(a, "junk first\nNov 25 00:00:00 h p[1]: m\n", 37);
    snprintf(b, sizeof(b), "%s", tpath("maillog.1.xz"));
    zcompress(F_XZ, "Nov 23 00:00:00 h p[1]: m\n", 26, &z, 6);
    writef(b, z.p, z.len);
    snprintf(c, sizeof(c), "%s", tpath("maillog.json"));
    writef(c, lj, strlen(lj));
    snprintf(d, sizeof(d), "%s", tpath("undated"));
    writef(d, "no date here\n", 13);
    T_CHECK(order_first(b, 2024, &t) == 0 && t == 1732320000,
            "order_first xz: %lld", (long long) t);
    T_CHECK(order_first(c, 2024, &t) == 0 && t == 1732400000,
            "order_first json");
    T_CHECK(order_first(d, 2024, &t) == -1, "order_first undated");
    T_CHECK(order_first("-", 2024, &t) == -1, "order_first stdin");
    T_CHECK(order_first(tpath("nonexistent"), 2024, &t) == -1,
            "order_first missing");

    /* given newest first, the undated file in the middle: it keeps its
     * place, the others are sorted around it */
    files[0] = a;
    files[1] = d;
    files[2] = c;
    files[3] = b;
    files[4] = NULL;
    order_files(files, 4, 2024);
    T_CHECK(files[0] == b && files[1] == d && files[2] == c && files[3] == a,
            "order_files: oldest first, undated in place");
    /* ties keep the given order */
    files[0] = a;
    files[1] = a;
    files[2] = b;
    order_files(files, 3, 2024);
    T_CHECK(files[0] == b && files[1] == a && files[2] == a, "order ties");
    free(z.p);
}

int
main(void)
{
    char    cmd[128];

    setenv("TZ", "UTC", 1);
    tzset();
    snprintf(tdir, sizeof(tdir), "%s/t_input.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(tdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    t_sniff();
    t_decomp();
    t_binary();
    t_catalog();
    t_json();
    t_json_real();
    t_export();
    t_wrap_forms();
    t_wrap_exim();
    t_wrap_exim_sec();
    t_wrap_exim_rec();
    t_wrap_bare();
    t_wrap_bare_seen();
    t_wrap_sse2();
    t_forms_real();
    t_in_place();
    t_hostile();
    t_batch();
    t_sse2();
    t_dense();
    t_order();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
    if (system(cmd) != 0)
        fprintf(stderr, "t_input: could not remove %s\n", tdir);
    return T_DONE();
}
