/* tests/t_ex.c - unit tests for the short cuts of an Exim line's path
 *
 * ex_prefix() and ex_msgid() (parsers/ex.c) read a stamp's minute once
 * and a message id without a loop per part; here they are compared with
 * the byte-at-a-time forms they replaced (copied below as ref_*), on
 * fixed cases and on generated lines. wrap_parse() takes a line that
 * begins with Exim's stamp as an undated message without its other
 * tries (parsers/wrap.c), and Postfix's parser declines a line without
 * ident whose message begins with a date without reading it
 * (parsers/pf_sess.c), and parser_pre_mt() does not ask it of such a
 * line, nor of one whose ident holds no '/' (parsers/parser.c), nor
 * Exim's of a line of another program without Exim's prefix
 * (ex_sess_foreign(), parsers/ex_sess.h): each is checked to give
 * what the full paths give. main() sets TZ to a
 * POSIX string with summer time, so a stamp without zone is read in a
 * local zone of two offsets.
 */
#include "../global/sess.h"
#include "../parsers/corr.h"
#include "../parsers/ex.h"
#include "../parsers/ex_sess.h"
#include "../parsers/parser.h"
#include "../parsers/pf.h"
#include "../parsers/pf_sess.h"
#include "../parsers/sess_own.h"
#include "../parsers/sm_sess.h"
#include "../parsers/ts.h"
#include "../parsers/wrap.h"
#include "../util/date.h"
#include "../util/htab.h"
#include "testfp.h"
#include "testlib.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* T_RND - the next of a function's own pseudo-random sequence (its
 * uint64_t x, seeded there): a 64-bit LCG, its high 31 bits */
#define T_RND() (x = x * 6364136223846793005ULL + 1442695040888963407ULL, \
                 (unsigned) (x >> 33))

/* ref_b62 - the former ex_b62() */
static int
ref_b62(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z');
}

/* ref_msgid - the former ex_msgid(): each shape, part by part */
static size_t
ref_msgid(struct span s)
{
    static const int shape[2][3] = {{6, 6, 2}, {6, 11, 4}};
    int     k;

    for (k = 0; k < 2; k++) {
        size_t  i = 0;
        int     part, j;

        for (part = 0; part < 3; part++) {
            for (j = 0; j < shape[k][part]; j++, i++)
                if (i >= s.len || !ref_b62(s.ptr[i]))
                    break;
            if (j < shape[k][part])
                break;
            if (part < 2) {
                if (i >= s.len || s.ptr[i] != '-')
                    break;
                i++;
            }
        }
        if (part == 3 && (i == s.len || s.ptr[i] == ' '))
            return i;
    }
    return 0;
}

/* ref_stamp - the former ex_stamp(): every field read on every line */
static int
ref_stamp(struct ts_ctx *tc, struct span *s, int64_t *t)
{
    const char *p = s->ptr;
    size_t  len = s->len;
    size_t  i = 19;
    int     y, mo, d, h, mi, sec, oh, om, zone = 0;

    if (len < 20 || p[4] != '-' || p[7] != '-' || p[10] != ' '
        || p[13] != ':' || p[16] != ':'
        || date_digits(p, 4, &y) || date_digits(p + 5, 2, &mo)
        || date_digits(p + 8, 2, &d) || date_digits(p + 11, 2, &h)
        || date_digits(p + 14, 2, &mi) || date_digits(p + 17, 2, &sec)
        || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59
        || sec > 60)
        return -1;
    if (p[i] == '.') {
        i++;
        while (i < len && i < 27 && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    if (i + 6 <= len && p[i] == ' ' && (p[i + 1] == '+' || p[i + 1] == '-')
        && date_digits(p + i + 2, 2, &oh) == 0
        && date_digits(p + i + 4, 2, &om) == 0 && oh < 24 && om < 60
        && (i + 6 == len || p[i + 6] == ' ')) {
        zone = (p[i + 1] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        i += 6;
    } else {
        zone = 1 << 30;
    }
    if (i < len && p[i] != ' ')
        return -1;
    if (zone == 1 << 30)
        *t = ts_local_to_utc(tc, y, mo, d, h, mi, sec);
    else
        *t = date_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec
            - zone;
    span_drop(s, i + 1);
    return 0;
}

/* ref_prefix - the former ex_prefix() */
static void
ref_prefix(struct ts_ctx *tc, struct span msg, struct ex_line *ln)
{
    struct span s = msg;
    size_t  n;

    memset(ln, 0, sizeof(*ln));
    if (s.len > 0 && s.ptr[0] >= '0' && s.ptr[0] <= '9'
        && ref_stamp(tc, &s, &ln->t) == 0) {
        ln->stamped = 1;
        if (s.len > 2 && s.ptr[0] == '[') {
            size_t  i = 1;

            while (i < s.len && i < 12 && s.ptr[i] >= '0' && s.ptr[i] <= '9')
                i++;
            if (i > 1 && i + 1 < s.len && s.ptr[i] == ']'
                && s.ptr[i + 1] == ' ') {
                ln->pid = span_make(s.ptr + 1, i - 1);
                span_drop(&s, i + 2);
            }
        }
    }
    if ((n = ref_msgid(s)) > 0) {
        ln->id = span_make(s.ptr, n);
        span_drop(&s, n);
        (void) span_skip(&s, " ");
    }
    ln->body = s;
}

/* same_span - the same place and length */
static int
same_span(struct span a, struct span b)
{
    return a.len == b.len && (a.len == 0 || a.ptr == b.ptr);
}

/* prefix_same - ex_prefix() and ref_prefix() agree on text; 1 if so */
static int
prefix_same(const char *text, size_t len)
{
    struct ts_ctx a, b;
    struct ex_line x, y;
    struct span s = span_make(text, len);

    ts_ctx_init_year(&a, 1970);
    ts_ctx_init_year(&b, 1970);
    ex_prefix(&a, s, &x);
    ref_prefix(&b, s, &y);
    return x.stamped == y.stamped && (!x.stamped || x.t == y.t)
        && same_span(x.id, y.id) && same_span(x.pid, y.pid)
        && same_span(x.body, y.body);
}

/* t_msgid - fixed ids, then every cut and change of two real ones */
static void
t_msgid(void)
{
    static const char *const ok[] = {
        "1aa0aa-00000a-7R", "1aa0aa-00000a-7R rest",
        "10GaaG-000000000aa-0037", "10GaaG-000000000aa-0037 Completed",
    };
    static const char *const bad[] = {
        "", "1aa0aa-00000a-7", "1aa0aa-00000a-7R9", "1aa0aa-00000a-7R:",
        "1aa0aa-00000aa-7R", "1aa0aa-00000-7R", "1aa0a-000000-7R",
        "10GaaG-000000000aa-003", "10GaaG-000000000aa-00377",
        "10GaaG-000000000a-0037", "10GaaG-0000000000aa-0037",
        "1aa0aa_00000a-7R", "1aa0aa-00000a_7R", "1aa0aa-00000a-7R\t",
        "1aa0aa-00000a--7", "10GaaG-000000000aa--0037",
    };
    static const char base[][32] = {
        "10GaaG-000000000aa-0037 =>", "1aa0aa-00000a-7R <=",
    };
    static const char subst[] = "0aZ- _:-/9@A[`z{\x80\xb0\xc1\xff";
    size_t  i, k, c;
    int     agree = 1;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct span s = span_make(ok[i], strlen(ok[i]));
        size_t  n = ex_msgid(s);
        size_t  want = strcspn(ok[i], " ");

        T_CHECK(n == want && n == ref_msgid(s), "id %s", ok[i]);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct span s = span_make(bad[i], strlen(bad[i]));

        T_CHECK(ex_msgid(s) == 0 && ref_msgid(s) == 0, "no id: %s", bad[i]);
    }
    /* every cut of each, and each byte changed to each of subst */
    for (k = 0; k < 2; k++) {
        char    buf[32];
        size_t  n = strlen(base[k]);

        for (i = 0; i <= n; i++)
            agree &= ex_msgid(span_make(base[k], i))
                == ref_msgid(span_make(base[k], i));
        for (i = 0; i < n; i++)
            for (c = 0; c < sizeof(subst) - 1; c++) {
                memcpy(buf, base[k], n);
                buf[i] = subst[c];
                agree &= ex_msgid(span_make(buf, n))
                    == ref_msgid(span_make(buf, n));
            }
    }
    T_CHECK(agree, "ex_msgid() as the part-by-part reading, cut and changed");
}

/* t_prefix - stamps of many minutes and forms, in an order that makes
 * the kept minutes hit, miss and be replaced */
static void
t_prefix(void)
{
    static const char *const forms[] = {   /* after the seconds */
        " 1aa0aa-00000a-7R => a@b R=r T=t",
        " [1234] 10GaaG-000000000aa-0037 Completed",
        ".123 1aa0aa-00000a-7R Completed",
        " +0100 1aa0aa-00000a-7R Completed",
        " -0530 Start queue run",
        ".5 +0200 [7] 1aa0aa-00000a-7R <= x",
        "",
        "Z 1aa0aa-00000a-7R",
        " +01 x",
        " +2400 x",
    };
    static const char *const minutes[] = {
        "2024-11-01 00:00", "2024-11-01 00:01", "2024-11-01 01:59",
        "2024-03-31 02:30", "2024-10-27 02:30", "2024-03-31 01:59",
        "2024-02-29 23:59", "2024-12-31 23:59", "2024-13-01 00:00",
        "2024-00-10 00:00", "2024-11-32 00:00", "2024-11-01 24:00",
        "2024-11-01 23:60", "2024-11-0a 00:00", "2024/11/01 00:00",
        "1970-01-01 00:00", "2038-01-19 03:14",
    };
    char    line[128];
    unsigned long r = 12345;
    int     i, n, agree = 1, stamped = 0;

    for (i = 0; i < 20000; i++) {
        const char *m;
        int     sec;

        r = r * 6364136223846793005UL + 1442695040888963407UL;
        /* runs of one minute, then another, sometimes two at once */
        m = minutes[(r >> 33) % 3 == 0 ? (r >> 40) % 17
                    : (unsigned long) (i / 50) % 17];
        sec = (int) ((r >> 20) % 62);
        n = snprintf(line, sizeof(line), "%s:%02d%s", m, sec,
                     forms[(r >> 50) % 10]);
        agree &= prefix_same(line, (size_t) n);
        if (n > 1)
            agree &= prefix_same(line, (size_t) n - 1);
        {
            struct ts_ctx tc;
            struct ex_line ln;

            ts_ctx_init_year(&tc, 1970);
            ex_prefix(&tc, span_make(line, (size_t) n), &ln);
            stamped += ln.stamped;
        }
    }
    {
        /* a minute just read with a zone (no second kept for it), then
         * the same minute and four NUL bytes where the seconds were:
         * no stamp (the kept second's test reads those four bytes) */
        static const char zoned[] = "2024-11-02 07:08:09 +0100 x";
        static const char nul[] = "2024-11-02 07:08\0\0\0\0 1aa0aa-00000a-7R x";

        agree &= prefix_same(zoned, sizeof(zoned) - 1);
        agree &= prefix_same(nul, sizeof(nul) - 1);
    }
    T_CHECK(agree, "ex_prefix() as the field-by-field reading, 20000 lines");
    T_CHECK(stamped > 5000 && stamped < 19000, "stamped: %d of 20000",
            stamped);
}

/* t_wrap - a line that begins with Exim's stamp is an undated message,
 * as the full path reads it; a stamp with a zone is not taken so */
static void
t_wrap(void)
{
    static const char *const exim[] = {
        "2024-11-01 00:00:00 1aa0aa-00000a-7R => a@b R=r T=t H=h [1.2.3.4]",
        "2024-11-01 00:00:00 ",
        "2024-11-01 00:00:00 +0100 1aa0aa-00000a-7R Completed",
        "2024-11-01 00:00:00 host prog[12]: text",
        "2024-11-01 00:00:00 [ID 12 mail.info] x[1]: y",
        "9999-99-99 99:99:99 | x",
    };
    struct ts_ctx c;
    struct wrap_rec r;
    size_t  i;

    ts_ctx_init_year(&c, 2024);
    for (i = 0; i < sizeof(exim) / sizeof(exim[0]); i++) {
        struct span line = span_make(exim[i], strlen(exim[i]));

        wrap_parse(&c, line, &r);
        T_CHECK(!r.dated && r.host.len == 0 && r.ident.len == 0
                && r.ident.ptr == line.ptr && r.pid.len == 0
                && r.msg.ptr == line.ptr && r.msg.len == line.len
                && r.ident_tag == 0, "undated message: %s", exim[i]);
    }
    wrap_parse(&c, span_make("2024-11-01 00:00:00Z h p[1]: m", 30), &r);
    T_CHECK(r.dated && span_eq(r.host, "h") && span_eq(r.ident, "p")
            && span_eq(r.msg, "m"), "a zone after the seconds: ISO");
    wrap_parse(&c, span_make("2024-11-01 00:00:00.5+01:00 h p[1]: m", 36), &r);
    T_CHECK(r.dated && span_eq(r.host, "h"), "fraction and offset: ISO");
    wrap_parse(&c, span_make("2024-11-01T00:00:00 h p[1]: m", 29), &r);
    T_CHECK(!r.dated && r.msg.len == 29, "a 'T' and no zone: no stamp");
}

/* t_postfix - no message that begins "DDDD-DD-DD " is an event of
 * Postfix's classifier, and its parser claims no such line without
 * ident, whatever follows; a Postfix line without ident is still its */
static void
t_postfix(void)
{
    static const char tail[] = "[]:, 0aZ=<>-.;";
    static const char *const after[] = {
        "[192.0.2.1]:25: depth=0", "host[192.0.2.1]: depth=0",
        "00:00:00 1aa0aa-00000a-7R => a@b", ": to=<a@b>, status=sent",
        "x: status=sent", "SSL_connect error to h[1.2.3.4]:25: -1",
    };
    struct sess_conf conf;
    struct sess_cb cb;
    struct parser_set *ps;
    struct parser_pre pre;
    union parser_pre_mta room;
    struct wrap_rec r;
    struct pf_event ev;
    char    msg[64];
    unsigned long x = 99;
    int     i, j, ignored = 1, declined = 1;
    size_t  k;

    memset(&conf, 0, sizeof(conf));
    memset(&cb, 0, sizeof(cb));
    ps = parser_set_create("postfix", &conf, &cb);
    T_CHECK(ps != NULL, "a Postfix parser");
    if (ps == NULL)
        return;
    pre.u = &room;
    memset(&r, 0, sizeof(r));
    for (i = 0; i < 20000; i++) {
        int     n;

        x = x * 6364136223846793005UL + 1442695040888963407UL;
        n = snprintf(msg, sizeof(msg), "%04d-%02d-%02d ",
                     (int) (x >> 50) % 10000, (int) (x >> 40) % 100,
                     (int) (x >> 30) % 100);
        if (i < (int) (sizeof(after) / sizeof(after[0])))
            n += snprintf(msg + n, sizeof(msg) - (size_t) n, "%s", after[i]);
        else
            for (j = 0; j < 20; j++)
                msg[n++] = tail[(x >> (j * 3 % 60)) % (sizeof(tail) - 1)];
        pf_classify(span_make(msg, (size_t) n), &ev);
        ignored &= ev.kind == PF_IGNORE;
        r.msg = span_make(msg, (size_t) n);
        parser_pre_mt(ps, &r, &pre);
        declined &= pre.kind == PARSER_PRE_NONE;
    }
    T_CHECK(ignored, "pf_classify(): nothing in a message after a date");
    T_CHECK(declined, "Postfix declines such lines without ident");
    for (k = 0; k < 2; k++) {
        static const char *const pf[] = {
            "1A2B3C4D5E: to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25,"
            " delay=1, status=sent (250 ok)",
            "mx.b.example[192.0.2.1]:25: depth=0 verify=1",
        };

        r.msg = span_make(pf[k], strlen(pf[k]));
        parser_pre_mt(ps, &r, &pre);
        T_CHECK(pre.kind != PARSER_PRE_NONE, "still Postfix's: %s", pf[k]);
    }
    parser_set_free(ps);
}

/* ref_slug - the former ex_slug(): span_find() of each cut */
static void
ref_slug(struct span t, char *out)
{
    long    off;

    if ((off = span_find(t, " /")) >= 0)
        t.len = (size_t) off;
    if ((off = span_find(t, " cert=")) >= 0)
        t.len = (size_t) off;
    sess_slug(t, out, EX_REASON_MAX + 1);
}

/* t_slug - ex_slug(), which seeks the rarer byte of each cut, as the
 * plain search, on texts made of the bytes of those cuts */
static void
t_slug(void)
{
    static const char alpha[] = " /cert=aX";
    char    text[48], a[EX_REASON_MAX + 1], b[EX_REASON_MAX + 1];
    unsigned long x = 7;
    int     i, j, agree = 1, agree2;

    for (i = 0; i < 50000; i++) {
        int     n;

        x = x * 6364136223846793005UL + 1442695040888963407UL;
        n = (int) ((x >> 33) % sizeof(text));
        for (j = 0; j < n; j++) {
            x = x * 6364136223846793005UL + 1442695040888963407UL;
            text[j] = alpha[(x >> 40) % (sizeof(alpha) - 1)];
        }
        ex_slug(span_make(text, (size_t) n), a);
        ref_slug(span_make(text, (size_t) n), b);
        agree &= strcmp(a, b) == 0;
    }
    agree2 = 1;
    for (i = 0; i < 50000; i++) {       /* every byte, texts past the cap */
        char    big[160];
        int     n;

        x = x * 6364136223846793005UL + 1442695040888963407UL;
        n = (int) ((x >> 33) % sizeof(big));
        for (j = 0; j < n; j++) {
            x = x * 6364136223846793005UL + 1442695040888963407UL;
            big[j] = i % 3 ? (char) ((x >> 40) % 256)
                : "aZ09-_ /\x80"[(x >> 40) % 10];
        }
        ex_slug(span_make(big, (size_t) n), a);
        ref_slug(span_make(big, (size_t) n), b);
        agree2 &= strcmp(a, b) == 0;
    }
    T_CHECK(agree2, "ex_slug() as sess_slug(), on every byte");
    /* the texts ex_slug() remembers: a pool of texts asked again and
     * again in any order, their lengths on both sides of the longest
     * kept, half of them alike but for a middle byte (the same place
     * in the memo: the first and last eight bytes and the length) */
    {
        static char pool[256][128];
        static size_t plen[256];
        int     agree3 = 1;

        for (i = 0; i < 256; i++) {
            x = x * 6364136223846793005UL + 1442695040888963407UL;
            plen[i] = i % 2 ? plen[i - 1] : 1 + (size_t) ((x >> 33) % 127);
            for (j = 0; j < (int) plen[i]; j++) {
                x = x * 6364136223846793005UL + 1442695040888963407UL;
                pool[i][j] = i % 2 ? pool[i - 1][j]
                    : "aZ09- /cert=\x80:"[(x >> 40) % 14];
            }
            if (i % 2)                  /* a middle byte changed */
                pool[i][plen[i] / 2] ^= 1;
        }
        for (i = 0; i < 200000; i++) {
            size_t  k;

            x = x * 6364136223846793005UL + 1442695040888963407UL;
            k = (size_t) ((x >> 33) % (i < 100000 ? 8 : 256));
            memset(a, 'q', sizeof(a));
            ex_slug(span_make(pool[k], plen[k]), a);
            ref_slug(span_make(pool[k], plen[k]), b);
            agree3 &= strcmp(a, b) == 0;
        }
        T_CHECK(agree3, "ex_slug() remembered as made, on texts asked"
                " again");
    }
    ex_slug(span_make("unable to get issuer cert=/CN=x /C=y", 36), a);
    T_CHECK(strcmp(a, "unable-to-get-issuer") == 0, "slug: %s", a);
    T_CHECK(agree, "ex_slug() as the plain search, on generated texts");
}

/* pf_slash_same - parser_pre_slash_mt() with the ident's '/' given as
 * parser_ident_slash() says, and with it not known (-1), answer what
 * parser_pre_mt() does, on the set ps */
static int
pf_slash_same(const struct parser_set *ps, const struct wrap_rec *r)
{
    struct parser_pre p[3];
    union parser_pre_mta room[3];
    int     i, same = 1;

    /* the trace is read of a PARSER_PRE_DONE line only (and set then) */
    memset(p, 0, sizeof(p));
    for (i = 0; i < 3; i++)
        p[i].u = &room[i];
    parser_pre_mt(ps, r, &p[0]);
    parser_pre_slash_mt(ps, r, &p[1], parser_ident_slash(r->ident));
    parser_pre_slash_mt(ps, r, &p[2], -1);
    for (i = 1; i < 3; i++)
        same &= p[0].kind == p[i].kind && p[0].mta == p[i].mta
            && p[0].at == p[i].at
            && (p[0].kind != PARSER_PRE_DONE
                || (p[0].tr.kind == p[i].tr.kind
                    && p[0].tr.result == p[i].tr.result));
    return same;
}

/* t_pf_skip - parser_pre_mt() does not ask Postfix's classify_mt of a
 * line whose ident holds no '/' or, without ident, whose message begins
 * "DDDD-DD-DD " (parser.c): for such lines and their near misses, what
 * it gives is what that classify_mt, asked itself, says */
static void
t_pf_skip(void)
{
    static const char *const idents[] = {
        "", "exim", "exim4", "splogger", "sendmail", "smtp", "qmgr",
        "postfix/smtp", "postfix/qmgr", "postfix/smtpd", "pf-out/smtp",
        "/", "a/", "/smtp", "exim/x",
    };
    static const char *const after[] = {
        "1aa0aa-00000a-7R => a@b R=r T=t H=h [192.0.2.1] X=x CV=yes",
        ("1A2B3C4D5E: to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25,"
         " delay=1, status=sent (250 ok)"),
        "mx.b.example[192.0.2.1]:25: depth=0 verify=1", "Completed", "",
    };
    static const char bytes[] = "0259-: a/\x80";
    struct sess_conf conf;
    struct sess_cb cb;
    struct parser_set *ps;
    struct parser_set *all;
    struct parser_pre pre;
    union parser_pre_mta room, room2;
    struct wrap_rec r;
    struct trace tr;
    char    msg[160];
    size_t  i, j, a, b;
    int     agree = 1, k, n = 0, slash_same = 1;

    memset(&conf, 0, sizeof(conf));
    memset(&cb, 0, sizeof(cb));
    ps = parser_set_create("postfix", &conf, &cb);
    all = parser_set_create(NULL, &conf, &cb);
    T_CHECK(ps != NULL && all != NULL, "a Postfix parser, every parser");
    if (ps == NULL || all == NULL)
        return;
    pre.u = &room;
    memset(&r, 0, sizeof(r));
    for (i = 0; i < sizeof(idents) / sizeof(idents[0]); i++)
        for (a = 0; a < sizeof(after) / sizeof(after[0]); a++)
            for (j = 0; j <= 12; j++)
                for (b = 0; b < sizeof(bytes) - 1; b++) {
                    int     len = snprintf(msg, sizeof(msg), "2024-11-01 %s",
                                           after[a]);

                    if (j < 11)         /* one byte of the date changed */
                        msg[j] = bytes[b];
                    else if (j == 11 && b > 0)  /* the date cut short */
                        len = (int) b;
                    else if (j == 12)   /* no date */
                        len = snprintf(msg, sizeof(msg), "%s", after[a]);
                    r.ident = span_make(idents[i], strlen(idents[i]));
                    r.msg = span_make(msg, (size_t) len);
                    k = pf_corr_ops.classify_mt(&r, NULL, &room2, &tr);
                    parser_pre_mt(ps, &r, &pre);
                    slash_same &= pf_slash_same(ps, &r)
                        && pf_slash_same(all, &r);
                    agree &= k == CORR_PRE_NOT_MINE
                        ? pre.kind == PARSER_PRE_NONE
                        : k == CORR_PRE_DONE
                        ? pre.kind == PARSER_PRE_DONE
                        && pre.tr.kind == tr.kind
                        && pre.tr.result == tr.result
                        : pre.kind == PARSER_PRE_EVENT;
                    n++;
                }
    T_CHECK(agree && n > 1000, "Postfix's answer without asking it (%d)", n);
    /* idents of every length to 24 with a '/' at every place, or a
     * byte next to it ('.', '0', '/' | 0x80) there, or none: the '/'
     * is sought a word at a time (parser_has_slash()) */
    agree = 1;
    n = 0;
    for (j = 1; j <= 24; j++)
        for (a = 0; a <= j; a++)
            for (b = 0; b < 4; b++) {
                char    id[32];

                memset(id, b == 3 ? 'A' : 'x', sizeof(id));
                if (a < j)
                    id[a] = "/.0\xaf"[b];
                r.ident = span_make(id, j);
                r.msg = span_make(after[1], strlen(after[1]));
                k = pf_corr_ops.classify_mt(&r, NULL, &room2, &tr);
                parser_pre_mt(ps, &r, &pre);
                slash_same &= pf_slash_same(ps, &r) && pf_slash_same(all, &r)
                    && parser_ident_slash(r.ident) == (a < j && b == 0);
                agree &= (k == CORR_PRE_NOT_MINE)
                    == (pre.kind == PARSER_PRE_NONE)
                    && (k == CORR_PRE_NOT_MINE) == (a == j || b > 0);
                n++;
            }
    T_CHECK(agree, "the '/' of an ident found as Postfix finds it (%d)", n);
    T_CHECK(slash_same, "parser_pre_slash_mt() answers as parser_pre_mt(), "
            "the '/' given or not");
    parser_set_free(ps);
    parser_set_free(all);
}

/* t_ex_skip - parser_pre_mt() does not ask Exim's classify_mt of a
 * line with an ident not Exim's whose message has no '-' at offset 4
 * (of 20 bytes or more) nor at offset 6 (of 16 or more): ex_sess.h,
 * ex_sess_foreign(). On generated lines (Exim's, through syslog and
 * not, Sendmail's, Postfix's, others; idents of Exim and near misses;
 * bytes changed, lines cut), what it gives is what that classify_mt,
 * asked itself, says */
static void
t_ex_skip(void)
{
    static const char *const idents[] = {
        "", "exim", "exim4", "exim-out", "exi", "xexim", "Exim", "splogger",
        "splogge", "sploggerx", "sm-mta", "sendmail", "postfix/smtp",
        "kernel", "e", "eximstats",
    };
    static const char *const msgs[] = {
        "2024-11-01 00:00:01 1aa0aa-00000a-7R => a@b R=r T=t H=h [192.0.2.1]"
        " X=x CV=yes",
        "2024-11-01 00:00:01.123 +0100 [77] 10GaaG-000000000aa-0185 Completed",
        "2024-11-01 00:00:01 Start queue run: pid=1234 -qf",
        "1aa0aa-00000a-7R ** a@b R=r T=t: DANE error: tlsa lookup FAIL",
        "10GaaG-000000000aa-0185 => a@b R=r T=t H=h [1.2.3.4]",
        "xB1NXb0f012345: to=<a@b.example>, delay=00:00:01, mailer=esmtp,"
        " relay=mx.b.example. [192.0.2.1], dsn=2.0.0, stat=Sent (ok)",
        "STARTTLS=client, relay=mx.b.example., version=TLSv1.3, verify=OK",
        "1A2B3C4D5E: to=<a@b.example>, relay=mx.b[192.0.2.1]:25, status=sent",
        "=> a@b R=r T=t H=mx.b [192.0.2.1] X=TLS1.3 CV=yes",
        "dane:fail <validation-failure>", "", "2024-11-01",
    };
    static const char bytes[] = "-0a 9:[\x80";
    struct sess_conf conf;
    struct sess_cb cb;
    struct parser_set *ps;
    struct parser_pre pre;
    union parser_pre_mta room, room2;
    struct wrap_rec r;
    struct trace tr;
    char    msg[200], ident[32];
    uint64_t x = 7;
    int     agree = 1, skipped = 0, k, i, n = 0;

    memset(&conf, 0, sizeof(conf));
    memset(&cb, 0, sizeof(cb));
    ps = parser_set_create("exim", &conf, &cb);
    T_CHECK(ps != NULL, "an Exim parser");
    if (ps == NULL)
        return;
    pre.u = &room;
    memset(&r, 0, sizeof(r));
    for (i = 0; i < 200000; i++) {
        const char *id = idents[T_RND() % (sizeof(idents)
                                           / sizeof(idents[0]))];
        size_t  il = strlen(id);
        size_t  len = (size_t) snprintf(msg, sizeof(msg), "%s",
                                        msgs[T_RND() % (sizeof(msgs)
                                                        / sizeof(msgs[0]))]);
        unsigned c = T_RND() % 8, m;

        memcpy(ident, id, il);
        if (c == 0 && il > 0) {         /* a byte of the ident changed */
            size_t  at = T_RND() % il;

            ident[at] = bytes[T_RND() % (sizeof(bytes) - 1)];
        }
        for (m = T_RND() % 3; m > 0 && len > 0; m--) {  /* of the message */
            size_t  at = T_RND() % (len < 24 ? len : 24);

            msg[at] = bytes[T_RND() % (sizeof(bytes) - 1)];
        }
        if (c == 1)                     /* cut short */
            len = T_RND() % (len + 1);
        r.ident = span_make(ident, il);
        r.msg = span_make(msg, len);
        memset(&room, 0, sizeof(room));
        memset(&room2, 0, sizeof(room2));
        k = ex_corr_ops.classify_mt(&r, NULL, &room2, &tr);
        parser_pre_mt(ps, &r, &pre);
        skipped += ex_sess_foreign(&r);
        agree &= k == CORR_PRE_NOT_MINE ? pre.kind == PARSER_PRE_NONE
            : k == CORR_PRE_DONE ? pre.kind == PARSER_PRE_DONE
            && pre.tr.kind == tr.kind && pre.tr.result == tr.result
            : pre.kind == PARSER_PRE_EVENT
            && memcmp(&room, &room2, sizeof(struct ex_pre)) == 0;
        n++;
    }
    T_CHECK(agree && skipped > n / 4 && skipped < n,
            "Exim's answer without asking it (%d lines, %d not asked)", n,
            skipped);
    parser_set_free(ps);
}

/* t_pre_same - two Exim events the same byte for byte, but for the
 * key's bytes past its length, which nothing reads (struct ex_pre puts
 * the key where another parser's record, asked first, may have left
 * bytes) */
static int
t_pre_same(const struct ex_pre *a, const struct ex_pre *b)
{
    struct ex_pre x = *a, y = *b;

    if (x.klen != y.klen || x.klen > sizeof(x.key))
        return 0;
    memset(x.key + x.klen, 0, sizeof(x.key) - x.klen);
    memset(y.key + y.klen, 0, sizeof(y.key) - y.klen);
    return memcmp(&x, &y, sizeof(x)) == 0;
}

/* t_set_order - parser_pre_mt() of the set of every parser (its own
 * path: Exim first on a line without ident that begins with a digit,
 * the skips of Postfix's and Exim's classify_mt) against each
 * classify_mt asked in turn, Postfix, Exim, Sendmail, up to the first
 * that claims the line, on generated lines: Exim's own (stamped or
 * not, with and without ident), Postfix's and Sendmail's, eximstats
 * and exim -d echoes, with bytes changed and lines cut. The claiming
 * parser and its answer must be the same, and Exim's event (its
 * struct ex_pre) too, byte for byte (t_pre_same()) */
static void
t_set_order(void)
{
    static const char *const idents[] = {
        "", "", "", "exim", "postfix/smtp", "postfix/qmgr", "sm-mta",
        "sendmail", "kernel", "exim4",
    };
    static const char *const msgs[] = {
        "2024-11-01 00:00:01 1aa0aa-00000a-7R => a@b R=r T=t H=h [192.0.2.1]"
        " X=x CV=yes",
        "2024-11-01 00:00:01.123 +0100 [77] 10GaaG-000000000aa-0185 Completed",
        "2024-11-01 00:00:01 1aa0aa-00000a-7R <= own@report.example H=h",
        "2024-11-01 00:00:01 Start queue run: pid=1234 -qf",
        "2024-11-01 00:00:61 1aa0aa-00000a-7R == a@b R=r T=t defer (-53): x",
        "1aa0aa-00000a-7R ** a@b R=r T=t: DANE error: tlsa lookup FAIL",
        "10GaaG-000000000aa-0185 => a@b R=r T=t H=h [1.2.3.4]",
        "1A2B3C4D5E: to=<a@b.example>, relay=mx.b[192.0.2.1]:25, delay=1,"
        " status=sent (250 ok)",
        "1A2B3C4D5E: removed", "2024-11-01 1A2B3C4D5E: removed",
        "xB1NXb0f012345: to=<a@b.example>, delay=00:00:01, mailer=esmtp,"
        " relay=mx.b.example. [192.0.2.1], dsn=2.0.0, stat=Sent (ok)",
        "STARTTLS=client, relay=mx.b.example., version=TLSv1.3, verify=OK",
        "  276   ** a@b R=r T=t H=mx.b [192.0.2.1]: x",
        "12 => a@b R=r T=t H=mx.b [192.0.2.1] X=x CV=no",
        "<li>3 - a@b R=r T=t H=mx.b [192.0.2.1]: TLS session: (x): y",
        "=> a@b R=r T=t H=mx.b [192.0.2.1] X=TLS1.3 CV=yes", "", "2",
    };
    static const char bytes[] = "-0a 9:[\\x80";
    static const struct corr_ops *const order[] = {
        &pf_corr_ops, &ex_corr_ops, &sm_corr_ops,
    };
    struct sess_conf conf;
    struct sess_cb cb;
    struct parser_set *ps;
    struct parser_pre pre;
    union parser_pre_mta room, room2;
    struct wrap_rec r;
    struct trace tr;
    void   *st[3];
    char    msg[200];
    uint64_t x = 13;
    int     agree = 1, i, k = CORR_PRE_NOT_MINE, n = 0, at, exfirst = 0;

    memset(&conf, 0, sizeof(conf));
    memset(&cb, 0, sizeof(cb));
    conf.own_from = "own@report.example";
    ps = parser_set_create(NULL, &conf, &cb);
    T_CHECK(ps != NULL, "every parser");
    if (ps == NULL)
        return;
    for (at = 0; at < 3; at++)
        st[at] = corr_sess_create(&conf, &cb, order[at]);
    pre.u = &room;
    memset(&r, 0, sizeof(r));
    for (i = 0; i < 200000; i++) {
        const char *id = idents[T_RND() % (sizeof(idents)
                                           / sizeof(idents[0]))];
        size_t  len = (size_t) snprintf(msg, sizeof(msg), "%s",
                                        msgs[T_RND() % (sizeof(msgs)
                                                        / sizeof(msgs[0]))]);
        unsigned m;

        for (m = T_RND() % 3; m > 0 && len > 0; m--) {
            size_t  p = T_RND() % (len < 30 ? len : 30);

            msg[p] = bytes[T_RND() % (sizeof(bytes) - 1)];
        }
        if (T_RND() % 8 == 0)
            len = T_RND() % (len + 1);
        r.ident = span_make(id, strlen(id));
        r.msg = span_make(msg, len);
        memset(&room, 0, sizeof(room));
        memset(&room2, 0, sizeof(room2));
        for (at = 0; at < 3; at++) {
            memset(&room2, 0, sizeof(room2));
            k = order[at]->classify_mt(&r, corr_sess_own_mt(st[at]), &room2,
                                       &tr);
            if (k != CORR_PRE_NOT_MINE)
                break;
        }
        parser_pre_mt(ps, &r, &pre);
        exfirst += r.ident.len == 0 && len > 0 && msg[0] >= '0'
            && msg[0] <= '9' && at == 1;
        agree &= at == 3 ? pre.kind == PARSER_PRE_NONE
            : pre.mta == order[at]->mta && pre.at == at
            && (k == CORR_PRE_DONE ? pre.kind == PARSER_PRE_DONE
                && pre.tr.kind == tr.kind && pre.tr.result == tr.result
                : pre.kind == PARSER_PRE_EVENT
                && (at != 1 || t_pre_same((const struct ex_pre *) &room,
                                          (const struct ex_pre *) &room2)));
        n++;
    }
    T_CHECK(agree && exfirst > n / 20,
            "every parser's answer in turn (%d lines, %d Exim's read first)",
            n, exfirst);
    for (at = 0; at < 3; at++)
        corr_sess_free(st[at]);
    parser_set_free(ps);
}

/* ev_hash - every field of an event into h */
static uint64_t
ev_hash(uint64_t h, const struct ex_event *ev, const char *line)
{
    int     v[14];

    v[0] = (int) ev->kind;
    v[1] = ev->mark;
    v[2] = ev->port;
    v[3] = ev->cont;
    v[4] = ev->has_t;
    v[5] = ev->tls;
    v[6] = ev->dn;
    v[7] = ev->cv;
    v[8] = ev->result;
    v[9] = ev->refine;
    v[10] = ev->dane;
    v[11] = ev->past_ehlo;
    v[12] = ev->clear;
    v[13] = 0;
    h = ev_fnv(h, v, sizeof(v));
    h = ev_span(h, ev->host, line);
    h = ev_span(h, ev->ip, line);
    h = ev_span(h, ev->rcpt, line);
    h = ev_span(h, ev->aux, line);
    h = ev_span(h, ev->cipher, line);
    h = ev_span(h, ev->text, line);
    return ev_fnv(h, ev->reason, strlen(ev->reason) + 1);
}

/* The texts ex_text() remembers (ex.c): lines of a pool are classified
 * again and again in any order, and each event is compared with the
 * line's event as classified first on a thread of its own (nothing
 * remembered there: the text read). The pool's texts come in families
 * alike but for a middle byte (the same place in the memo: the first
 * and last eight bytes and the length), of every kind of text */
#define T_POOL 384
#define T_POOL_PRINT 0x99f50818d482637dULL      /* the pool's fingerprint */

static char t_pool[T_POOL][200];
static size_t t_pool_len[T_POOL];
static uint64_t t_pool_ref[T_POOL];

/* t_pool_first - the reference event of pool line *arg, on a thread of
 * its own */
static void *
t_pool_first(void *arg)
{
    size_t  k = *(const size_t *) arg;
    struct ex_event ev;

    ex_classify(span_make(t_pool[k], t_pool_len[k]), EX_F_ID, &ev);
    t_pool_ref[k] = ev_hash(0xcbf29ce484222325ULL, &ev, t_pool[k]);
    return NULL;
}

static void
t_text_again(void)
{
    static const char *const shape[][3] = {
        {"=> :blackhole: <t",
         "@d", ".test.ex> R=server"},
        {"== a@b R=r T=t defer (-53): retry time not reached for"
         " any host for 'h",
         ".tld", "'"},
        {"** a@b R=r T=t H=mx.b [192.0.2.1]:25: TLS session:"
         " (certificate verification failed): certificate"
         " invalid ",
         " ", ""},
        {"** a@b R=r T=t H=mx.b [192.0.2.1]: TLS session:"
         " (SSL_connect): error:0A000086:SSL"
         " routines::certificate verify failed ",
         "", ""},
        {"** a@b R=r T=t : DANE error: h",
         ".test", " lookup not DNSSEC"},
        {"== a@b R=r T=t : DANE error: tlsa lookup FAIL ",
         " ", ""},
        {"H=mx.b [192.0.2.9]: SMTP error from remote mail server"
         " after RCPT TO:<a",
         "@b", ">: 550 no"},
        {"H=mx.b [192.0.2.9]: a TLS session is required, but the"
         " server did not offer TLS support ",
         "", ""},
        {"TLS session: (SSL_connect): error:1:2:3:reason ",
         ": delivering unencrypted to H=h [1.2.3.",
         "] (not in hosts_require_tls)"},
        {"H=mx.b [192.0.2.9]: TLS session failure ",
         " ", ""},
        {"== a@b R=r T=t defer (-38) H=h [1.2.3.4]: a TLS"
         " session is required, but an attempt to start TLS"
         " failed ",
         " ", ""},
    };
    uint64_t x = 5;
    size_t  k, idx[T_POOL];
    pthread_t th;
    int     i, agree = 1, made = 1;

    for (k = 0; k < T_POOL; k++) {
        const char *const *f = shape[T_RND() % (sizeof(shape)
                                                / sizeof(shape[0]))];
        unsigned a = T_RND() % 4, b = T_RND() % 4;

        t_pool_len[k] = (size_t) snprintf(t_pool[k], sizeof(t_pool[k]),
                                          "%s%u%s%u%s", f[0], a, f[1], b,
                                          f[2]);
        if (k % 2 && t_pool_len[k] > 40) {      /* a middle byte changed */
            memcpy(t_pool[k], t_pool[k - 1], sizeof(t_pool[k]));
            t_pool_len[k] = t_pool_len[k - 1];
            t_pool[k][t_pool_len[k] / 2 + 5] ^= 1;
        }
        idx[k] = k;
        made &= pthread_create(&th, NULL, t_pool_first, &idx[k]) == 0
            && pthread_join(th, NULL) == 0;
    }
    for (i = 0; i < 200000; i++) {
        struct ex_event ev;

        k = T_RND() % (i < 100000 ? 16 : T_POOL);
        ex_classify(span_make(t_pool[k], t_pool_len[k]), EX_F_ID, &ev);
        agree &= ev_hash(0xcbf29ce484222325ULL, &ev, t_pool[k])
            == t_pool_ref[k];
    }
    T_CHECK(made && agree, "ex_classify() of texts read again as read first");
    /* the pool's events, each line twice in a row, against the
     * fingerprint of what the reading without memo gave (ex.c of
     * commit a78f26d) */
    {
        uint64_t h = 0xcbf29ce484222325ULL;
        int     rep;

        for (k = 0; k < T_POOL; k++)
            for (rep = 0; rep < 2; rep++) {
                struct ex_event ev;

                ex_classify(span_make(t_pool[k], t_pool_len[k]), EX_F_ID,
                            &ev);
                h = ev_hash(h, &ev, t_pool[k]);
            }
        if (h != T_POOL_PRINT)
            printf("pool fingerprint %016llx\n", (unsigned long long) h);
        T_CHECK(h == T_POOL_PRINT, "ex_classify() of the pool as before");
    }
}

/* The types of certificate problems ex_cert_type() remembers and the
 * error texts of 129 to 256 bytes ex_text() now keeps (ex.c): as
 * t_text_again(), lines of a pool classified again and again in any
 * order against the line's event classified first on a thread of its
 * own. The pool holds "SSL verify error" lines and GnuTLS's
 * certificate texts with each word of a certificate problem (or none),
 * and long SMTP and TLS texts, in families alike but for a middle byte
 * or a length */
#define T_CPOOL 256

static char t_cpool[T_CPOOL][320];
static size_t t_cpool_len[T_CPOOL];
static uint64_t t_cpool_ref[T_CPOOL];

/* t_cpool_first - the reference event of pool line *arg, on a thread
 * of its own (nothing remembered there) */
static void *
t_cpool_first(void *arg)
{
    size_t  k = *(const size_t *) arg;
    struct ex_event ev;

    ex_classify(span_make(t_cpool[k], t_cpool_len[k]), EX_F_ID, &ev);
    t_cpool_ref[k] = ev_hash(0xcbf29ce484222325ULL, &ev, t_cpool[k]);
    return NULL;
}

static void
t_cert_again(void)
{
    static const char *const word[] = {
        "expired", "name mismatch", "hostname", "mis-match", "self signed",
        "self-signed", "local issuer", "unable to get issuer",
        "unable to verify the first", "untrusted", "not trusted",
        "revoked", "nothing known", "expire", "self  signed",
    };
    static const char *const shape[][3] = {    /* address, word, end */
        {"[192.0.2.", "] SSL verify error: depth=0 error=", " cert=/CN=x"},
        {"[192.0.2.", "] SSL verify error: depth=1 error=", ""},
        {"[192.0.2.", "] SSL verify error: certificate name mismatch:"
         " DN=\"/CN=", "\" H=\"h\""},
        {"** a@b R=r T=t H=mx.b [192.0.2.", "]:25: TLS session:"
         " (certificate verification failed): ", " end"},
        {"TLS error on connection to h [192.0.2.", "] (SSL_connect):"
         " error:1:2:3:", ""},
        {"** a@b R=r T=t H=mx.b [192.0.2.", "]: SMTP error from remote"
         " mail server after end of data: 550-5.7.1 ", " the message was"
         " refused by the policy of the receiving server; see the"
         " documentation of the service for the reasons why it"},
        {"== a@b R=r T=t defer (-53) H=h [192.0.2.", "]: a TLS session is"
         " required, but an attempt to start TLS failed and the text"
         " goes on: ", " for a long while, past the length of the texts"
         " kept before, to the end of the line"},
    };
    uint64_t x = 11;
    size_t  k, idx[T_CPOOL];
    pthread_t th;
    int     i, agree = 1, made = 1, longer = 0;

    for (k = 0; k < T_CPOOL; k++) {
        const char *const *f = shape[T_RND() % (sizeof(shape)
                                                / sizeof(shape[0]))];
        const char *w = word[T_RND() % (sizeof(word) / sizeof(word[0]))];
        unsigned a = T_RND() % 3, b = T_RND() % 3;

        t_cpool_len[k] = (size_t) snprintf(t_cpool[k], sizeof(t_cpool[k]),
                                           "%s%u%s%s%s%s", f[0], a, f[1], w,
                                           f[2], b ? " x" : "");
        if (k % 2 && t_cpool_len[k] > 40) {     /* a middle byte changed,
                                                 * or the last one cut */
            memcpy(t_cpool[k], t_cpool[k - 1], sizeof(t_cpool[k]));
            t_cpool_len[k] = t_cpool_len[k - 1];
            if (T_RND() % 2)
                t_cpool[k][t_cpool_len[k] / 2 + 3] ^= 1;
            else
                t_cpool_len[k]--;
        }
        longer += t_cpool_len[k] > 160;
        idx[k] = k;
        made &= pthread_create(&th, NULL, t_cpool_first, &idx[k]) == 0
            && pthread_join(th, NULL) == 0;
    }
    for (i = 0; i < 200000; i++) {
        struct ex_event ev;

        k = T_RND() % (i < 100000 ? 16 : T_CPOOL);
        ex_classify(span_make(t_cpool[k], t_cpool_len[k]), EX_F_ID, &ev);
        agree &= ev_hash(0xcbf29ce484222325ULL, &ev, t_cpool[k])
            == t_cpool_ref[k];
    }
    T_CHECK(made && agree && longer > 40,
            "certificate problems and long texts read again as read first"
            " (%d of %d longer than 160 bytes)", longer, T_CPOOL);
}

/* The walks of a delivery line's fields ex_delivery() keeps (ex.c),
 * up to a field "C=": lines of a pool are classified again and again
 * in any order, and each event is compared with the line's event as
 * classified first on a thread of its own (nothing kept there: the
 * plain walk). The pool's lines share their fields before "C=" in
 * families (the same set of places: the same first 48 bytes), of
 * every length about the least and the most kept, with hostile fields
 * (quotes, escapes, a "C=" inside a value, a host group twice, ": "
 * texts), a byte changed anywhere or the line cut, and tails of any
 * kind after the kept part */
#define T_WPOOL 512

static char t_wpool[T_WPOOL][640];
static size_t t_wpool_len[T_WPOOL];
static uint64_t t_wpool_ref[T_WPOOL];

/* t_wpool_first - the reference event of pool line *arg, on a thread
 * of its own */
static void *
t_wpool_first(void *arg)
{
    size_t  k = *(const size_t *) arg;
    struct ex_event ev;

    ex_classify(span_make(t_wpool[k], t_wpool_len[k]), EX_F_ID, &ev);
    t_wpool_ref[k] = ev_hash(0xcbf29ce484222325ULL, &ev, t_wpool[k]);
    return NULL;
}

static void
t_walk_again(void)
{
    static const char *const mark[] = {"=> ", "-> ", "** ", "== ", ">> "};
    static const char *const rcpt[] = {"a@b", "<p@q>", "\"x y\"@d", "c@d:"};
    static const char *const tok[] = {
        "R=dnslookup", "T=remote_smtp", "H=mx.b [192.0.2.1]:25",
        "H=mx.b [192.0.2.1]*", "H=h DS [::1]:PORT_D", "H=h:", "H=(x) [1.2.3.4]",
        "X=TLS1.3:ECDHE_SECP256R1__RSA_PSS_RSAE_SHA256__AES_256_GCM:256",
        "X=", "CV=yes", "CV=no", "CV=dane", "DN=\"/CN=a b\"",
        "DN=\"a\\\"b C=x\"", "DN=\"C=RU,O=Y LLC,CN=mx.y.ru\"", "I=[1.2.3.4]:5*",
        "PRX=[1.1.1.1]*", "TFO**", "F=<a\"> C=\">", "K", "S=123",
        "defer (-53):", "C=x", "=", "\"", "A=fixed", "PS=se",
    };
    static const char *const tail[] = {
        "C=\"250 OK id=1aaaaa-000000-0a\"", "C=\"250 ok\" QT=1s",
        "C=\"a \\\" b\": text", "C=\"250", "C=", "C=x y", (": TLS session:"
        " (x): y"), "", "C=\"250 ok\" H=other [192.0.2.9]",
        /* the reply to the line's end, read without the loop's steps
         * when it holds no other quote nor escape: these do */
        "C=\"a\"b\"", "C=\"a\\\\\"", "C=\"a\\\"\"", "C=\"\"", "C=\"x\"",
        "C=\"\x80\xff \t\"", "C=\"a\\b\"", "C=\"a\":", "C=\"a\" ",
        "C=\"a\": \"b\"", "C=\"250 2.0.0 accepted\"",
    };
    char    fam[16][480];
    size_t  flen[16];
    uint64_t x = 29;
    size_t  k, idx[T_WPOOL];
    pthread_t th;
    int     i, f, agree = 1, made = 1;

    /* families: the fields before the tail, of 30 to 430 bytes (the
     * most kept: 384) */
    for (f = 0; f < 16; f++) {
        size_t  want = 30 + T_RND() % 400;

        /* half of them with a delivery's usual first fields */
        flen[f] = (size_t) snprintf(fam[f], sizeof(fam[f]), "%s",
                                    f % 2 ? "" : " R=r T=t H=mx.b"
                                    " [192.0.2.1]:25");
        while (flen[f] < want) {
            const char *t = tok[T_RND() % (sizeof(tok) / sizeof(tok[0]))];

            if (flen[f] + strlen(t) + 2 >= sizeof(fam[f]))
                break;
            flen[f] += (size_t) snprintf(fam[f] + flen[f],
                                         sizeof(fam[f]) - flen[f], " %s", t);
        }
        if (T_RND() % 3 == 0 && flen[f] > 50)   /* a length about 48 */
            flen[f] = 44 + T_RND() % 8;
    }
    for (k = 0; k < T_WPOOL; k++) {
        int     fa = (int) (T_RND() % 16);
        const char *mk = mark[T_RND() % 5];
        const char *rc = rcpt[T_RND() % 4];
        const char *sp, *tl;
        size_t  len;

        len = (size_t) snprintf(t_wpool[k], sizeof(t_wpool[k]), "%s%s%.*s",
                                mk, rc, (int) flen[fa], fam[fa]);
        /* a field changed at the family's end: the same first bytes */
        if (T_RND() % 3 == 0 && len > 20)
            t_wpool[k][len - 1 - T_RND() % 8] ^= 1;
        sp = T_RND() % 4 ? " " : "  ";
        tl = tail[T_RND() % (sizeof(tail) / sizeof(tail[0]))];
        len += (size_t) snprintf(t_wpool[k] + len, sizeof(t_wpool[k]) - len,
                                 "%s%s", sp, tl);
        if (T_RND() % 4 == 0 && len > 0) {      /* a byte changed or cut */
            size_t  m = T_RND() % len;

            if (T_RND() % 2)
                t_wpool[k][m] = " :\"=<>\\[]*C\0\x80"[T_RND() % 13];
            else
                len = m;
        }
        t_wpool_len[k] = len;
        idx[k] = k;
        made &= pthread_create(&th, NULL, t_wpool_first, &idx[k]) == 0
            && pthread_join(th, NULL) == 0;
    }
    for (i = 0; i < 300000; i++) {
        struct ex_event ev;

        k = T_RND() % (i < 100000 ? 24 : T_WPOOL);
        ex_classify(span_make(t_wpool[k], t_wpool_len[k]), EX_F_ID, &ev);
        agree &= ev_hash(0xcbf29ce484222325ULL, &ev, t_wpool[k])
            == t_wpool_ref[k];
    }
    T_CHECK(made && agree, "delivery fields walked again as walked first");
}

/* t_classify - ex_classify() on hostile delivery lines (fields repeated,
 * quoted, cut short, out of order, inside another's value) and on the
 * lines that reach its last tests (tabs, "verify callout: "), against
 * the fingerprint of what the plain field-by-field reading of commit
 * 43b241f gave for the same lines: every field of every event, its
 * spans by their place in the line. Taken again when a "verify
 * callout: " on an arrival line or after a double quote stopped being
 * a callout (ex_callout_own; with it always true the old fingerprint,
 * a6fc1d3aad7b0c4d, comes back). Taken again when Exim's TLS and DANE
 * texts were sought only in its own part of an error text (not in the
 * command's address nor the remote's reply: ex_own_len(), E8 by the
 * command), a quoted pair ("a\">") stopped ending a quoted local part
 * or an F=<...>, an "ID H=host [ip]" line of a client (F=<, Warning:)
 * stopped being a per-MX line, and an arrival with a tab stopped being
 * a detail: with those five as before (ex_own_len() the whole text,
 * E8 anywhere, no quoted pairs, ex_inbound_host() 0, no arrival test)
 * the fingerprint above, aab0a6264aa805aa, comes back. Taken again
 * when a callout was taken only on a line that begins as an ACL's
 * ("H=", "U=": ex_callout_own()); with that test off, db7fa77111f33cd4
 * comes back */
static void
t_classify(void)
{
    static const char *const tok[] = {
        "a@b", "<p@q>", "\"x y\"@d", "F=<a\"> b\">", "F=<>", "R=r", "T=t",
        "T=", "H=mx.b", "H=mx.b [192.0.2.1]", "H=h DS [1.2.3.4]:25*",
        "H=h [::1]:PORT_D", "H=(helo) [1.2.3.4]", "H=h [1.2.3.4]:",
        "H=h [1.2.3.4]*", "H=h:", "[::1]:25", "X=TLS1.3:A:256", "X=",
        "X=a\"b c\"", "CV=yes", "CV=no", "CV=dane", "CV=yess", "CV=",
        "DN=\"/C=x/CN=y z\"", "DN=\"a\\\"b\" c\"", "DN=\"x:", "DNS=1",
        "C=\"250 ok\"", "C=\"250 \\\" x\":", "C=\"a b", "K", "TFO**", "TFO*",
        "I=[1.2.3.4]:5*", "I=[1.2.3.4]", "PRX=[1.1.1.1]*", "PRX=x*", ":",
        "defer (-53):", "retry", "TLS session: (SSL_connect): error:1:2:3:c",
        "TLS session: (certificate verification failed): expired",
        "DANE error: tlsa lookup FAIL", ("a TLS session is required, but the"
        " server did not offer TLS support"), ("SMTP error from remote mail"
        " server after RCPT TO:<a@b>: 550 no"), "verify callout: ", "\t", "=",
        "\"", "<", ">", "x=\"", "H=", "S=123", "A=fixed_cram", "=x",
        "\"=a\"", "abcdefghijklmnopq=x", "X=\"q r\" s", "C=<a b>", "Y=<\"a>",
    };
    static const char *const mark[] = {
        "=> ", "-> ", "** ", "== ", "*> ", ">> ", "", "<= ", "=>",
        "H=mx.b [192.0.2.9]: ", "H=mx.b [192.0.2.9] ", ("[192.0.2.9] SSL"
        " verify error: depth=0 error=self signed cert=x "), "Completed ",
        "TLS session: ", "Could not complete recipient verify callout: ",
    };
    static const char sep[][3] = {" ", " ", " ", " ", "", "  ", ": ", "\t"};
    static const int flag[] = {EX_F_ID, EX_F_ID, 0, EX_F_BARE, EX_F_STATS,
        EX_F_ID | EX_F_BARE};
    char    line[1024], fill[160];
    struct ex_event ev;
    uint64_t h = 0xcbf29ce484222325ULL, x = 11;
    int     i, j, n;

    for (i = 0; i < 300000; i++) {
        size_t  len, m;
        int     fl;

        len = (size_t) snprintf(line, sizeof(line), "%s",
                                mark[T_RND() % (sizeof(mark)
                                                / sizeof(mark[0]))]);
        n = (int) (T_RND() % 16);
        for (j = 0; j < n; j++) {
            const char *t = tok[T_RND() % (sizeof(tok) / sizeof(tok[0]))];
            const char *sp = sep[T_RND() % (sizeof(sep) / sizeof(sep[0]))];

            if (len + strlen(t) + 3 >= sizeof(line))
                break;
            len += (size_t) snprintf(line + len, sizeof(line) - len, "%s%s",
                                     t, sp);
        }
        if (T_RND() % 4 == 0 && len > 0) {      /* a byte changed or cut */
            m = T_RND() % len;
            if (T_RND() % 2)
                line[m] = " :\"=<>\\[]*"[T_RND() % 10];
            else
                len = m;
        }
        fl = flag[T_RND() % (sizeof(flag) / sizeof(flag[0]))];
        ex_classify(span_make(line, len), fl, &ev);
        h = ev_hash(h, &ev, line);
    }
    /* long fields, past every scan's block */
    memset(fill, 'y', sizeof(fill));
    fill[100] = ' ';
    for (i = 0; i < 400; i++) {
        size_t  len = (size_t) snprintf(line, sizeof(line), "=> a@b R=r T=t"
                                        " H=h [1.2.3.4] X=");

        memset(line + len, 'x', (size_t) i);
        len += (size_t) i;
        len += (size_t) snprintf(line + len, sizeof(line) - len, " CV=yes"
                                 " DN=\"%.*s\" C=\"%.*s\\\"\"",
                                 i % 97, fill, i % 131, fill + 7);
        ex_classify(span_make(line, len), EX_F_ID, &ev);
        h = ev_hash(h, &ev, line);
    }
    if (h != 0x896c6839c6fe5421ULL)
        printf("classify fingerprint %016llx\n", (unsigned long long) h);
    T_CHECK(h == 0x896c6839c6fe5421ULL,
            "ex_classify() as before, on generated lines");
}

/* t_dlv_split - ex_delivery() answers a line from its kept rests and
 * walks and leaves the rest (the fields' walk, the host group, the
 * text) to calls out of line: each way out of it, read three times in
 * a row (the first a walk, the others from what it kept), the same
 * event each time, its recipient, host and text where they are */
static void
t_dlv_split(void)
{
    static const struct {
        const char *line;
        const char *rcpt, *host, *text;
    } tc[] = {
        {"** \"a b\"@c R=r T=t: no such user here at all, none", "\"a b\"@c",
         NULL, "no such user here at all, none"},
        {"** <a@b> R=r T=t H=mx.b [192.0.2.1]: TLS session: (SSL_connect)"
         ": error", "<a@b>", "mx.b", "TLS session: (SSL_connect): error"},
        {"== a@b: retry time not reached for any host at all", "a@b",
         NULL, "retry time not reached for any host at all"},
        {"** : DANE error: tlsa lookup FAIL", NULL, NULL,
         "DANE error: tlsa lookup FAIL"},
        {"=> a@b R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.7]"
         " X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C=\"250 2.0.0 ok\"",
         "a@b", "mx.example.net", NULL},
        {"=> a@b R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.7]"
         " X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C=\"250 \\\"ok\"",
         "a@b", "mx.example.net", NULL},
        {"=> a@b R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.7]"
         " X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no", "a@b",
         "mx.example.net", NULL},
    };
    size_t  i;
    int     r, agree = 1;

    for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
        size_t  n = strlen(tc[i].line);
        char   *buf;
        uint64_t h0 = 0;

        if ((buf = malloc(n)) == NULL)
            continue;
        memcpy(buf, tc[i].line, n);
        for (r = 0; r < 3; r++) {
            struct ex_event ev;
            uint64_t h;

            ex_classify(span_make(buf, n), EX_F_ID, &ev);
            h = ev_hash(0xcbf29ce484222325ULL, &ev, buf);
            if (r == 0)
                h0 = h;
            agree &= h == h0;
            agree &= tc[i].rcpt == NULL ? ev.rcpt.len == 0
                : span_eq(ev.rcpt, tc[i].rcpt);
            agree &= tc[i].host == NULL ? ev.host.len == 0
                : span_eq(ev.host, tc[i].host);
            agree &= tc[i].text == NULL ? ev.text.len == 0
                : span_eq(ev.text, tc[i].text);
            if (!agree)
                fprintf(stderr, "t_dlv_split: line %zu, reading %d\n", i, r);
        }
        free(buf);
    }
    T_CHECK(agree, "delivery lines the same from the walk and the memories");
}

/* t_rcpt_words - a delivery's recipient, the first field, ends at its
 * first space: sought by ex_scan_word() (ex.c) for the first of '=',
 * ' ' and '"' sixteen bytes a step, and read on by ex_field_len() when
 * it is a '=' or a '"' (a word that begins with a letter and has no
 * quote or '<' after either ends at its first space as well). Words of
 * every length up to 80 with a '=', a '"', a space or another byte at
 * every place, each line in a buffer of its own length (asan), the
 * rest of the line of each length about a block of sixteen */
static void
t_rcpt_words(void)
{
    static const char special[] = "=\" \t@\x80:";
    static const char *const rest[] = {
        "", " R=r", " R=r T=t H=h [1.2.3.4] X=x CV=yes", " C=\"250 ok\"",
        " R=r T=t H=h [1.2.3.4] X=TLS1.3:ECDHE_X25519__RSA_PSS:256 CV=no",
    };
    char    word[96];
    int     len, at, sp, re, agree = 1, n = 0;

    for (len = 1; len <= 80; len++)
        for (at = 0; at < len; at++)
            for (sp = 0; sp < (int) sizeof(special) - 1; sp++)
                for (re = 0; re < (int) (sizeof(rest) / sizeof(rest[0])); re++) {
                    struct ex_event ev;
                    size_t  want, total;
                    char   *buf;
                    int     i;

                    for (i = 0; i < len; i++)
                        word[i] = (char) ('a' + (i * 7 + len) % 26);
                    /* one byte of the set at a place after the first,
                     * a letter after it; ':' not last (a text follows) */
                    if (at > 0 && at + 1 < len)
                        word[at] = special[sp];
                    want = (size_t) len;
                    for (i = 0; i < len; i++)
                        if (word[i] == ' ') {
                            want = (size_t) i;
                            break;
                        }
                    total = 3 + (size_t) len + strlen(rest[re]);
                    if ((buf = malloc(total)) == NULL)
                        continue;
                    memcpy(buf, "=> ", 3);
                    memcpy(buf + 3, word, (size_t) len);
                    memcpy(buf + 3 + len, rest[re], strlen(rest[re]));
                    ex_classify(span_make(buf, total), EX_F_ID, &ev);
                    agree &= ev.kind == EX_DELIVERY && ev.rcpt.ptr == buf + 3
                        && ev.rcpt.len == want;
                    n++;
                    free(buf);
                }
    T_CHECK(agree, "a recipient ends at its first space (%d words)", n);
}

/* ref_mark - the former ex_mark(): the place of a delivery marker (=>
 * -> ** == *> >>) in "=-*dfc", or 6 */
static size_t
ref_mark(char c0, char c1)
{
    static const char *const mk[] = {"=>", "->", "**", "==", "*>", ">>"};
    size_t  i;

    for (i = 0; i < 6; i++)
        if (c0 == mk[i][0] && c1 == mk[i][1])
            return i;
    return 6;
}

/* t_marks - ex_classify() tells a delivery marker and an arrival by two
 * look-ups of the first two bytes (ex_mark(), ex.c), and the keys of a
 * delivery line's fields by tests, not a jump table: every pair of
 * first bytes (all 65,536, a space third) before a delivery's fields,
 * and each key with each byte in place of its first, against what the
 * plain reading says: a delivery of its mark for the six markers only,
 * nothing read of an arrival, and a field's effect only under its own
 * key */
static void
t_marks(void)
{
    static const char rest[] = " a@b R=r T=t H=h [192.0.2.1] X=c CV=yes"
        " DN=\"d\"";
    static const char kinds[] = "=-*dfc";
    char    line[128];
    struct ex_event ev;
    int     c0, c1, bad = 0, flags;

    for (c0 = 0; c0 < 256; c0++)
        for (c1 = 0; c1 < 256; c1++)
            for (flags = 0; flags <= EX_F_ID; flags += EX_F_ID) {
                size_t  want = ref_mark((char) c0, (char) c1);
                int     arrival = c0 == '<' && c1 == '=';

                line[0] = (char) c0;
                line[1] = (char) c1;
                memcpy(line + 2, rest, sizeof(rest));
                ex_classify(span_make(line, 2 + sizeof(rest) - 1), flags,
                            &ev);
                if (want < 6)
                    bad += ev.kind != EX_DELIVERY || ev.mark != kinds[want]
                        || !ev.tls || ev.cv != EX_CV_YES || !ev.dn
                        || !ev.has_t || ev.cipher.len != 1;
                else if (arrival)
                    bad += ev.kind != EX_IGNORE || ev.mark != 0;
                else
                    bad += ev.kind == EX_DELIVERY;
            }
    T_CHECK(bad == 0, "the delivery markers and the arrival by look-up");
    bad = 0;
    for (c0 = 1; c0 < 256; c0++) {
        static const char *const key[] = {"X=c", "T=t", "CV=yes",
            "CV=dane", "CV=no", "DN=\"d\"", "I=[1.2.3.4]*"};
        size_t  k;

        if (c0 == ' ' || c0 == '"' || c0 == '=' || c0 == ':' || c0 == 'H')
            continue;           /* no key's first byte there */
        for (k = 0; k < sizeof(key) / sizeof(key[0]); k++) {
            size_t  len = (size_t) snprintf(line, sizeof(line),
                                            "=> a@b R=r %s", key[k]);
            int     own = (unsigned char) key[k][0] == c0;

            line[11] = (char) c0;
            ex_classify(span_make(line, len), EX_F_ID, &ev);
            switch (key[k][0]) {
            case 'X':
                bad += ev.tls != own || (own ? ev.cipher.len != 1
                                         : ev.cipher.len != 0);
                break;
            case 'T':
                bad += ev.has_t != own;
                break;
            case 'C':
                bad += ev.cv != (!own ? EX_CV_NONE : k == 2 ? EX_CV_YES
                                 : k == 3 ? EX_CV_DANE : EX_CV_NO);
                break;
            case 'D':
                bad += ev.dn != own;
                break;
            case 'I':
                bad += ev.cont != own;
                break;
            }
        }
    }
    T_CHECK(bad == 0, "a delivery line's keys, each under its own key only");
}

/* ex_read_kind_only - the kinds of which ex_read() writes only the kind
 * (ex.h) */
static int
ex_read_kind_only(enum ex_kind k)
{
    return k == EX_NONE || k == EX_IGNORE || k == EX_DETAIL
        || k == EX_COMPLETED;
}

/* t_cipher - the hash of a delivery's X= (ex_cipher_hash() of
 * ex_sess.c, made by classify_mt() for a continued line or one with
 * CV=no and no DN=, 0 for any other): the same for the same X=, another
 * for an X= alike but for one byte anywhere, or one byte shorter or
 * longer; never 0. X= of 0 to 95 bytes, each line in a buffer of its own
 * length (asan) */
static void
t_cipher(void)
{
    static const char fill[] =
        "TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256"
        "TLS1.2:ECDHE-RSA-AES128-GCM-SHA256:128:x";
    struct sess_conf conf;
    struct sess_cb cb;
    void   *st;
    const struct sess_own *own;
    char    x1[100], x2[100];
    uint64_t x = 13;
    int     i, agree = 1, n = 0;

    memset(&conf, 0, sizeof(conf));
    memset(&cb, 0, sizeof(cb));
    st = corr_sess_create(&conf, &cb, &ex_corr_ops);
    own = corr_sess_own_mt(st);
    for (i = 0; i < 20000; i++) {
        size_t  l1 = 1 + T_RND() % 95, l2 = l1;
        uint32_t h[2];
        int     w, same, tail = (int) (T_RND() % 3);

        memcpy(x1, fill, l1);
        memcpy(x2, fill, l1);
        switch (T_RND() % 4) {
        case 0:                 /* the same */
            break;
        case 1:                 /* one byte changed */
            w = (int) (T_RND() % l1);
            x2[w] = x2[w] == 'A' ? 'B' : 'A';
            break;
        case 2:                 /* one more byte */
            if (l1 < 95)
                x2[l2++] = fill[l1];
            break;
        default:                /* one fewer */
            if (l1 > 1)
                l2--;
            break;
        }
        if (x1[l1 - 1] == ':' || x2[l2 - 1] == ':')
            continue;           /* "X=a:" ends the fields: its text follows */
        same = l1 == l2 && memcmp(x1, x2, l1) == 0;
        for (w = 0; w < 2; w++) {
            static const char *const tails[] = {
                " CV=no", " CV=yes DN=\"CN=x\"", " CV=yes",
            };
            struct wrap_rec r;
            struct ex_pre pa;
            struct trace tr;
            char    line[300], *buf;
            int     len;

            /* "]:25*": a continued connection */
            len = snprintf(line, sizeof(line), "2024-11-01 00:00:07 "
                           "1aa0aa-00000a-7R => a@b R=r T=t H=h "
                           "[192.0.2.1]:25%s X=%.*s%s C=\"250 ok\"",
                           tail == 1 ? "*" : "", (int) (w ? l2 : l1),
                           w ? x2 : x1, tails[tail]);
            if ((buf = malloc((size_t) len)) == NULL)
                return;
            memcpy(buf, line, (size_t) len);
            memset(&r, 0, sizeof(r));
            r.msg = span_make(buf, (size_t) len);
            r.ident = span_make("exim", 4);
            memset(&pa, 0x5a, sizeof(pa));
            agree &= ex_corr_ops.classify_mt(&r, own, &pa, &tr)
                == CORR_PRE_EVENT && pa.ev.kind == EX_DELIVERY;
            h[w] = pa.cipher_h;
            agree &= (tail == 2) == (h[w] == 0);
            free(buf);
        }
        if (tail != 2) {
            agree &= same == (h[0] == h[1]);
            n++;
        }
    }
    corr_sess_free(st);
    T_CHECK(agree && n > 10000, "a delivery's X= hash: the same for the"
            " same X=, another for one alike (%d pairs)", n);
    printf("# t_cipher: %d pairs\n", n);
}

/* t_unbare_plain - ex_unbare() of ex_sess.c as it was, the bar sought
 * in the whole line (span_find()) */
static struct span
t_unbare_plain(struct span s, int *stats)
{
    long    bar = span_find(s, " | ");
    size_t  i = 0;

    *stats = 0;
    if (bar > 0 && bar < 64) {
        size_t  w = 0;

        while (w < (size_t) bar && s.ptr[w] != ' ')
            w++;
        while (w < (size_t) bar && s.ptr[w] == ' ')
            w++;
        if (w == (size_t) bar)
            span_drop(&s, (size_t) bar + 3);
    }
    while (s.len > 0 && s.ptr[0] == ' ')
        span_drop(&s, 1);
    while (i < s.len && i < 8 && s.ptr[i] >= '0' && s.ptr[i] <= '9')
        i++;
    if (i > 0 && i < s.len && s.ptr[i] == ' ') {
        span_drop(&s, i);
        while (s.len > 0 && s.ptr[0] == ' ')
            span_drop(&s, 1);
    }
    if (span_skip(&s, "<li>") == 0) {
        i = 0;
        while (i < s.len && i < 12 && s.ptr[i] >= '0' && s.ptr[i] <= '9')
            i++;
        span_drop(&s, i);
        if (span_skip(&s, " - ") == 0)
            *stats = 1;
    }
    return s;
}

/* t_unbare - an echo without prefix nor ident (docker compose's
 * "name | ", exim -d's pid column, eximstats' "<li>N - "): the event
 * classify_mt() makes of it against ex_classify() of the body as the
 * bar sought in the whole line left it. Bars at every place about
 * byte 64 (a name of 0 to 70 bytes and spaces), a second bar after the
 * first, none, words with spaces before the bar (not a name), lines
 * cut anywhere, each in a buffer of its own length (asan) */
static void
t_unbare(void)
{
    static const char *const names[] = {
        "", "x", "exim", "mailserver-1", "a b",
        "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz",
    };
    static const char *const rests[] = {
        "** a@b R=r T=t H=h [1.2.3.4]: SMTP error from remote mail server",
        "<li>1 - a@b R=r T=t H=h [1.2.3.4] X=TLS1.2:A:256 CV=yes: SMTP error",
        "  276   ** a@b R=r T=t H=h [1.2.3.4] | x",
        "1aa0aa-00000a-7R => a@b R=r T=t H=h [1.2.3.4] X=x CV=yes",
        "TLS session: (x): delivering unencrypted to H=h [1.2.3.4] (x)",
        "x | y | z", " | ", "<li>", "<li>12 -", "plain words | more",
        "x| y | z", "a |b | c", "|", " |", "| ", "||| | |", "<li> - x",
        "<li>123456789012345 - x", "<li>7 -x", "<li7 - x", "<lj>7 - x",
    };
    struct sess_conf conf;
    struct sess_cb cb;
    void   *st;
    const struct sess_own *own;
    char    line[400];
    uint64_t x = 97;
    int     i, agree = 1, bars = 0, stats = 0, n = 0;

    memset(&conf, 0, sizeof(conf));
    memset(&cb, 0, sizeof(cb));
    st = corr_sess_create(&conf, &cb, &ex_corr_ops);
    own = corr_sess_own_mt(st);
    for (i = 0; i < 200000; i++) {
        struct wrap_rec r;
        struct ex_pre pa;
        struct ex_event eb;
        struct trace tr;
        struct span body;
        size_t  len, sp = T_RND() % 72;
        const char *nm = names[T_RND() % (sizeof(names) / sizeof(names[0]))];
        int     k, st1, want;
        char   *buf;

        int     nl = (int) (T_RND() % 71);
        const char *rest = rests[T_RND() % (sizeof(rests)
                                            / sizeof(rests[0]))];

        len = (size_t) snprintf(line, sizeof(line), "%.*s%*s | %s", nl, nm,
                                (int) sp, "", rest);
        if (T_RND() % 4 == 0)           /* no bar before the rest's */
            len = (size_t) snprintf(line, sizeof(line), "%s", rest);
        if (T_RND() % 5 == 0)
            len = T_RND() % (len + 1);
        if ((buf = malloc(len ? len : 1)) == NULL)
            continue;
        memcpy(buf, line, len);
        memset(&r, 0, sizeof(r));
        r.msg = span_make(buf, len);
        memset(&pa, 0x5a, sizeof(pa));
        k = ex_corr_ops.classify_mt(&r, own, &pa, &tr);
        body = t_unbare_plain(span_make(buf, len), &st1);
        memset(&eb, 0x5a, sizeof(eb));
        ex_classify(body, EX_F_BARE | (st1 ? EX_F_STATS : 0), &eb);
        want = (1u << eb.kind) & ~((1u << EX_NONE) | (1u << EX_IGNORE)
                                   | (1u << EX_DETAIL)
                                   | (1u << EX_TLS_CLOSE)
                                   | (1u << EX_DANE_EVENT))
            ? CORR_PRE_EVENT : eb.kind == EX_NONE ? CORR_PRE_NOT_MINE
            : CORR_PRE_DONE;
        /* a line read with a prefix (the id in rests[3] at the start,
         * a stamp cut short) is not an echo: its answer is another */
        if (!(pa.ln.stamped || pa.ln.id.len > 0)) {
            agree &= k == want && pa.ev.kind == eb.kind
                && (k != CORR_PRE_EVENT
                    || ev_hash(0, &pa.ev, buf) == ev_hash(0, &eb, buf));
            n++;
            bars += body.ptr != buf;
            stats += st1;
        }
        free(buf);
    }
    corr_sess_free(st);
    T_CHECK(agree && n > 100000 && bars > n / 4 && stats > n / 50,
            "an echo's bar sought where it is taken (%d lines, %d"
            " unbared, %d eximstats)", n, bars, stats);
    printf("# t_unbare: %d lines, %d unbared, %d eximstats\n", n, bars,
           stats);
}

/* t_plain - ex_read_plain() against ex_read() (ex_prefix() and the
 * lazy ex_classify()) on generated bodies after a main-log stamp, one
 * with +pid or none, with and without a message id: the beginnings of
 * every shape and of none ("tls:cert " and its near misses too),
 * any first byte, tabs, spaces and a callout's text anywhere, bodies
 * cut short and ending in a space or a tab. Where the quick way
 * answers its kind must be ex_read()'s (which writes nothing else of
 * such a line: ex_read_kind_only()). Each line is copied to a buffer
 * of its own length: the scan's last step reads the bytes before the
 * body, none after its end (asan) */
static void
t_plain(void)
{
    static const char *const head[] = {
        "", "Start queue run", "End queue run: pid=1", "exim x.yz daemon",
        "\"rcpt ACL\"", "peer cert subject", "tls:cert 0 x", "tls_out_ver",
        "tls:cert ", "tls:cert", "tls:certx", "tls:cer", "tls:", "tls:Cert 0",
        "TLS error on connection from (h) [1.2.3.4] (recv): x",
        "TLS error on connection to h [1.2.3.4] (recv): x",
        "TLS error on connection f", "TLS error on connection", "TLS session: x",
        "TLS session failure: x", "SMTP<< 220", "SMTP>> EHLO", "SMTP(close)",
        "SMTPx", "Server certificate revoked", "Servant", "OCSP dates",
        "OCSx", "Required TLS certificate status", "Requ", "LOG: MAIN",
        "LOG:", "LOGx", "U=CALLER F=<a@b> rejected RCPT <c@d>: ",
        "H=h [1.2.3.4] F=<a@b> x: ", "dane:fail <validation-failure>",
        "Completed", "<= a@b", "=> a@b R=r T=t", "** a@b", "DANE error: x",
        "[1.2.3.4] SSL verify error: x", "Cx", "dx", "t3@x.test: error",
        "this will fail", "msg:delivery dane=yes", "x", "\xc3\xa9t\xc3\xa9",
        "verify callout: ",
    };
    static const char *const tail[] = {
        "", " ", "\t", "  x", "\tCN=x", " verify callout: h [1.2.3.4] : 550",
        "abcdefghijklmnopqrstuvwxyz0123456789", "\"q\"", "v", "ve", " \t ",
        "\r", ":", "x\ty",
    };
    static const char *const ids[] = {
        "", "1aa0aa-00000a-7R ", "10GaaG-000000000aa-0037 ",
    };
    /* the main log's stamp, one with +pid, none (ex_classify_full() of
     * ex_sess.c asks ex_read_plain() of the bodies ex_prefix() read) */
    static const char *const stamps[] = {
        "2024-11-01 00:00:07 ", "2024-11-01 00:00:07 ",
        "2024-11-01 00:00:07 [42] ", "",
    };
    static const char bytes[] = " \t\nx-<=>*HTtSULCd[v\x80\x01";
    char    line[400];
    uint64_t x = 41;
    int     i, agree = 1, plain = 0, detail = 0, n = 0, trimmed = 0;

    for (i = 0; i < 300000; i++) {
        struct ex_line ln;
        struct ex_event ev;
        size_t  len;
        unsigned a = T_RND() % 3, m;
        char   *buf;
        int     k, r;
        const char *id = ids[T_RND() % 3];
        const char *st = stamps[T_RND() % 4];

        len = (size_t) snprintf(line, sizeof(line), "%s%s%s", st,
                                id, head[T_RND() % (sizeof(head)
                                                    / sizeof(head[0]))]);
        for (m = 0; m < a && len < 300; m++)
            len += (size_t) snprintf(line + len, sizeof(line) - len, "%s",
                                     tail[T_RND() % (sizeof(tail)
                                                     / sizeof(tail[0]))]);
        for (m = T_RND() % 3; m > 0 && len > 20; m--) { /* bytes changed */
            size_t  at = 20 + T_RND() % (len - 20);

            line[at] = bytes[T_RND() % (sizeof(bytes) - 1)];
        }
        if (T_RND() % 6 == 0 && len > 20)               /* or cut short */
            len = 20 + T_RND() % (len - 20 + 1);
        if ((buf = malloc(len)) == NULL)
            continue;
        memcpy(buf, line, len);
        memset(&ev, 0x5a, sizeof(ev));
        r = ex_read(NULL, span_make(buf, len), &ln, &ev);
        if (r && (k = ex_read_plain(ln.body)) != EX_NONE) {
            agree &= k == ev.kind && ex_read_kind_only(ev.kind);
            plain++;
            detail += k == EX_DETAIL;
        }
        /* and trimmed first, as ex_classify_spaced() asks it */
        if (r && (k = ex_read_plain(span_trim(ln.body))) != EX_NONE) {
            agree &= k == ev.kind && ex_read_kind_only(ev.kind);
            trimmed += ln.body.len > 0
                && (unsigned char) ln.body.ptr[ln.body.len - 1] <= ' ';
        }
        n += r;
        free(buf);
    }
    T_CHECK(agree && plain > n / 5 && detail > plain / 20
            && trimmed > n / 50,
            "a plain line's kind without its reading (%d of %d lines, %d"
            " details, %d more trimmed)", plain, n, detail, trimmed);
    printf("# t_plain: %d of %d lines plain, %d details, %d more trimmed\n",
           plain, n, detail, trimmed);
}

/* ex_read_local - a delivery of which ex_read() does not read the text
 * (ex.h): => -> >> without host or address */
static int
ex_read_local(const struct ex_event *ev)
{
    return ev->kind == EX_DELIVERY && ev->host.len == 0 && ev->ip.len == 0
        && (ev->mark == '=' || ev->mark == '-' || ev->mark == 'c');
}

/* ev_hash_untext - ev_hash() of ev with the fields of its text as
 * cleared */
static uint64_t
ev_hash_untext(const struct ex_event *ev, const char *line)
{
    struct ex_event e = *ev;

    e.text = e.aux = span_make(NULL, 0);
    e.result = -1;
    e.refine = e.dane = e.past_ehlo = 0;
    memset(e.reason, 0, sizeof(e.reason));
    return ev_hash(0, &e, line);
}

/* t_read - ex_read() (the prefix and the body in one call, the main
 * log's own stamp read in fewer tests) against ref_prefix(), the
 * field-by-field prefix, and ex_classify() of the body it leaves, on
 * generated lines: stamps of a few minutes with and without fraction,
 * zone (good and spoilt) and pid, ids of both shapes or none, bodies of
 * every kind, bytes changed and lines cut. ex_read() is called first
 * on half of them, so that a minute is read by it as well as found.
 * Its answer, the prefix (time, spans) and the event (every field, its
 * spans by their place) must be the same */
static void
t_read(void)
{
    static const char *const minutes[] = {
        "2024-11-01 00:00", "2024-11-01 00:01", "2024-03-31 02:30",
        "2024-10-27 03:30", "2024-13-01 00:00", "2024-11-01 23:60",
    };                          /* not 2024-10-27 02:30, an hour that
                                 * comes twice: its offset is the one
                                 * the thread's kept minute read first,
                                 * and a fresh reading may take the
                                 * other (so before this change too) */
    static const char *const after[] = {   /* after the minute */
        ":07 ", ":59 ", ":60 ", ":61 ", ":7 ", ":07.123 ", ":07 +0100 ",
        ":07 -0530 ", ":07 +01 ", ":07 +2400 ", ":07 -", ":07 +",
        ":07 [42] ", ":07 [x] ", ":07Z ", ":07", ":07 ", ":a7 ",
    };
    static const char *const ids[] = {
        "", "1aa0aa-00000a-7R ", "10GaaG-000000000aa-0037 ",
        "1aa0aa-00000a-7R", "1aa0aa-00000a-7", "10GaaG-000000000aa-003 ",
    };
    static const char *const body[] = {
        "=> a@b R=r T=t H=mx.b [192.0.2.1]:25 X=TLS1.3:A:256 CV=yes"
        " DN=\"CN=x\" C=\"250 ok\"", "-> c@b R=r T=t H=mx.b [192.0.2.1]*",
        "** a@b R=r T=t H=mx.b [192.0.2.1]: TLS session: (SSL_connect):"
        " error:1:2:3:reason", "== a@b R=r T=t defer (-53): retry",
        "=> :blackhole: <t@d.test.ex> R=server", "-> x@y R=r T=t: TLS"
        " session: (x): y", ">> a@b R=r: DANE error: tlsa lookup FAIL",
        "=> a@b R=r T=t X=TLS1.3 H=: a TLS session is required, but the"
        " server did not offer TLS support",
        "Completed", "<= a@b H=(helo) [1.2.3.4] P=esmtps S=100",
        "<= a@b verify callout: h [1.2.3.4] : 550 no", "cipher\tTLS1.3",
        "H=mx.b [192.0.2.9]: a TLS session is required, but the server"
        " did not offer TLS support", "[192.0.2.9] SSL verify error: depth=0"
        " error=self signed cert=x", "DANE error: tlsa lookup FAIL",
        "dane:fail <validation-failure>", "Start queue run: pid=1 -qf",
        "tls:cert 0 x", "", " ", "TLS session: (x): y: delivering"
        " unencrypted to H=h [1.2.3.4] (not in hosts_require_tls)",
    };
    static const char bytes[] = " :-+.[]0a\t\0"; /* a NUL too: the
                                                    * kept second's test
                                                    * reads four bytes */
    char    line[400];
    uint64_t x = 23;
    int     i, agree = 1, read = 0, lazy = 0, local = 0;

    for (i = 0; i < 200000; i++) {
        struct ts_ctx ta, tb;
        struct ex_line la, lb;
        struct ex_event ea, eb;
        size_t  len;
        int     r, first = T_RND() % 2;
        unsigned mi = T_RND() % 6 == 0 ? T_RND() % 6 : (unsigned) (i / 100) % 2;
        unsigned af = T_RND() % (sizeof(after) / sizeof(after[0]));
        unsigned id = T_RND() % (sizeof(ids) / sizeof(ids[0]));
        unsigned bo = T_RND() % (sizeof(body) / sizeof(body[0]));

        len = (size_t) snprintf(line, sizeof(line), "%s%s%s%s", minutes[mi],
                                after[af], ids[id], body[bo]);
        if (T_RND() % 4 == 0 && len > 0) {      /* a byte changed or cut */
            size_t  m = T_RND() % (len < 48 ? len : 48);

            if (T_RND() % 2)
                line[m] = bytes[T_RND() % (sizeof(bytes) - 1)];
            else
                len = m;
        }
        if (T_RND() % 8 == 0)           /* no stamp: the id first */
            memmove(line, line + 20, len -= len < 20 ? len : 20);
        ts_ctx_init_year(&ta, 1970);
        ts_ctx_init_year(&tb, 1970);
        memset(&ea, 0x5a, sizeof(ea));
        memset(&eb, 0x5a, sizeof(eb));
        if (first)              /* tc NULL: ex.c's own (half the lines) */
            r = ex_read(i & 2 ? NULL : &ta, span_make(line, len), &la, &ea);
        ref_prefix(&tb, span_make(line, len), &lb);
        if (lb.stamped || lb.id.len > 0)
            ex_classify(lb.body, lb.id.len > 0 ? EX_F_ID : 0, &eb);
        if (!first)
            r = ex_read(i & 2 ? NULL : &ta, span_make(line, len), &la, &ea);
        read += r;
        agree &= r == (lb.stamped || lb.id.len > 0)
            && la.stamped == lb.stamped && (!la.stamped || la.t == lb.t)
            && same_span(la.id, lb.id) && same_span(la.pid, lb.pid)
            && same_span(la.body, lb.body)
            && (!r || ea.kind == eb.kind)
            && (!r || ex_read_kind_only(ea.kind)
                || (ex_read_local(&ea)
                    ? ev_hash_untext(&ea, line) == ev_hash_untext(&eb, line)
                    : ev_hash(0, &ea, line) == ev_hash(0, &eb, line)));
        lazy += r && ex_read_kind_only(ea.kind);
        local += r && ex_read_local(&ea) && eb.text.len > 0;
    }
    T_CHECK(agree && read > 50000 && read < 190000 && lazy > 20000
            && local > 3000,
            "ex_read() as the prefix and ex_classify() (%d of 200000 read,"
            " %d of a kind without fields, %d local with a text)", read,
            lazy, local);
}

/* t_read_short - ex_read() against the prefix and ex_classify(), as
 * t_read(), on lines whose body is short (under 32 bytes: ex_read()
 * scans it for a tab and "verify callout: " in one step of the line's
 * last 32 bytes, the prefix's compares masked off; ex_classify() reads
 * it alone) or about 32 bytes long, of hostile bytes: tabs and 'v's at
 * every place, the callout's text whole, cut or at the end, after
 * "H=" or a quote, and prefixes of every length Exim writes */
static void
t_read_short(void)
{
    static const char *const pre[] = {
        "2024-11-01 00:00:07 ", "2024-11-01 00:00:07 10GaaG-000000000aa-0037 ",
        "10GaaG-000000000aa-0037 ", "1aa0aa-00000a-7R ",
        "2024-11-01 00:00:07 [42] ", "2024-11-01 00:00:07.123 +0100 ",
        "2024-11-01 00:00:07 1aa0aa-00000a-7R ", "1vvvvv-vevevv-ve ",
    };
    static const char *const piece[] = {
        "verify callout: ", "verify callout: h [1.2.3.4] : 550 x",
        "verify callout", "ve", "v", "\t", "H=", "U=", "\"", "<= ",
        "Could not complete recipient ", "vv", "e",
    };
    static const char bytes[] = "\tvexa :=\"";
    char    line[300];
    uint64_t x = 57;
    int     i, agree = 1, read = 0, detail = 0, callout = 0;

    for (i = 0; i < 200000; i++) {
        struct ts_ctx ta, tb;
        struct ex_line la, lb;
        struct ex_event ea, eb;
        size_t  len, blen, b0;
        int     r;

        blen = T_RND() % 4 ? 32 : 100;
        blen = T_RND() % blen;
        len = (size_t) snprintf(line, sizeof(line), "%s",
                                pre[T_RND() % (sizeof(pre) / sizeof(pre[0]))]);
        b0 = len;
        if (T_RND() % 4 == 0) {         /* as an ACL's line begins */
            memcpy(line + len, T_RND() % 2 ? "H=" : "U=", 2);
            len += 2;
            if (T_RND() % 2 && blen >= 80) {
                static const char co[] = "verify callout: h [1.2.3.4] :"
                    " DANE error: tlsa lookup FAIL";

                memcpy(line + len, co, sizeof(co) - 1);
                len += sizeof(co) - 1;
            }
        }
        while (len < b0 + blen) {
            if (T_RND() % 3 == 0) {
                const char *pc = piece[T_RND() % (sizeof(piece)
                                                  / sizeof(piece[0]))];
                size_t  n = strlen(pc);

                if (n > b0 + blen - len)
                    n = b0 + blen - len;
                memcpy(line + len, pc, n);
                len += n;
            } else {
                line[len++] = bytes[T_RND() % (sizeof(bytes) - 1)];
            }
        }
        ts_ctx_init_year(&ta, 1970);
        ts_ctx_init_year(&tb, 1970);
        memset(&ea, 0x5a, sizeof(ea));
        memset(&eb, 0x5a, sizeof(eb));
        r = ex_read(&ta, span_make(line, len), &la, &ea);
        ref_prefix(&tb, span_make(line, len), &lb);
        if (lb.stamped || lb.id.len > 0)
            ex_classify(lb.body, lb.id.len > 0 ? EX_F_ID : 0, &eb);
        read += r;
        agree &= r == (lb.stamped || lb.id.len > 0)
            && same_span(la.body, lb.body)
            && (!r || ea.kind == eb.kind)
            && (!r || ex_read_kind_only(ea.kind)
                || ev_hash(0, &ea, line) == ev_hash(0, &eb, line));
        detail += r && ea.kind == EX_DETAIL;
        callout += r && ea.kind == EX_CALLOUT;
    }
    T_CHECK(agree && read == 200000 && detail > 50000 && callout > 100,
            "ex_read() of short bodies as ex_classify() (%d details,"
            " %d callouts)", detail, callout);
}

/* t_front - Exim's classify_mt reads an arrival, a "Completed" and a
 * line of no shape whose prefix has the main log's common shape by
 * itself (ex_read_quick(), ex_read_plain(): no call), a delivery "=> "
 * or "-> " by ex_read_dlv(), every other line by ex_read() or
 * ex_read_quick() and ex_read_body(). Against ex_read() and what the
 * one function before made of its event: the answer, the prefix, the
 * kind, the trace's kind; of a Completed its key (log host, NUL, id),
 * the key's hash (htab_hash()) and the fields cleared; of a delivery
 * the event (but for what ex_read() leaves unread) and the recipient's
 * domain; of an arrival of our own sender the sender's word
 * (sess_own_sender_word()), of another none. Generated lines: stamps
 * of the minutes before and others, seconds again and new, fractions
 * and zones, [pid]s; ids of both shapes, cut or spoilt; senders of
 * every length about own_from's, with and without <>, in other case;
 * "Completed" and near misses; log hosts or none; bytes changed. The
 * front is asked first on half the lines (the minutes it keeps are
 * ex_read()'s) */
static void
t_front(void)
{
    static const char *const stamps[] = {
        "2024-11-01 00:00:07 ", "2024-11-01 00:00:08 ", "2024-11-01 00:01:07 ",
        "2024-11-01 00:00:07.123 ", "2024-11-01 00:00:07 +0100 ",
        "2024-11-01 00:00:07 [42] ", "2024-11-01 00:00:61 ",
        "2024-11-01 00:00:7 ", "2026-12-06 04:31:58 [46] ", "", "Nov 1 ",
    };
    static const char *const ids[] = {
        "1aa0aa-00000a-7R ", "10GaaG-000000000aa-0037 ", "1aa0aa-00000a-7",
        "10GaaG-000000000aa-003 ", "", "1aa0aa-00000a-7R",
    };
    static const char *const bodies[] = {
        "<= own@report.example H=h", "<= <own@report.example> P=x",
        "<= OWN@Report.Example", "<= own@report.exampl H=h",
        "<= own@report.examplex H=h", "<= xown@report.example",
        "<= <own@report.example>", "<= own@report.example",
        "<= a@b H=h [1.2.3.4] P=esmtps S=100", "<= <> R=x", "<= ", "<=  ",
        "<= x\t", "<=", "Completed", "Completed QT=1s", "Complete",
        "completed", "Completed ", ("=> a@b R=r T=t H=h [192.0.2.1] X=x"
        " CV=yes"), "** a@b R=r T=t: DANE error: tlsa lookup FAIL",
        "cipher\tTLS1.3", "Start queue run: pid=1 -qf",
        "=> a@b@c.example.org R=r T=t H=h [192.0.2.1]",
        "=> @abcdefghijklmnopqrstu R=r T=t H=h [192.0.2.1]",
        "=> abcdefghijklmnop@ R=r T=t H=h [192.0.2.1]",
        "=> abcdefghijklmno@q R=r T=t H=h [192.0.2.1]",
        ("=> abcdefghijklmnopqrstuvwxyz0123456789@abcdefghijklmnopqrstuvw"
         "xyz R=r T=t H=h [192.0.2.1]"), "=> nodomain R=r T=t H=h [1.2.3.4]",
        ("=> abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvw"
         "xyz R=r T=t H=h [192.0.2.1]"), "=> @ R=r T=t H=h [1.2.3.4]",
        "=> \"a@b\"@x R=r T=t H=h [1.2.3.4]",
        "** x@y.z R=r T=t: DANE error: x",
        "TLS error on connection from (h) [1.2.3.4] (recv): x",
        "TLS error on connection to h [1.2.3.4] (recv): x",
        "peer cert subject\tCN=x", "tls:cert 0 x", "SMTP<< 220",
        "our cert subject\t", "peer cert \t \r", "x\t\t", "LOG: x\t",
        "Start queue run \x01 ", "tls:cert 0\t",
        "exim x.yz daemon started: pid=1", "this will fail\t", "LOG: MAIN\tx",
        ("U=CALLER F=<a@b> rejected RCPT <c@d>: Could not complete recipient"
         " verify callout: h [1.2.3.4] : 550 x"), "bits\t256", "End queue",
        ("-> b@c R=r T=t H=h [192.0.2.1]:25* X=TLS1.3:A:256 CV=yes"
         " DN=\"CN=x\" C=\"250 ok\""), "=> a@b R=r T=t H=h [192.0.2.1] ",
        "=> a@b R=r T=t H=h [192.0.2.1]\t", "=> :blackhole: <a@b> R=server",
        "=> a@b R=r T=t: DANE error: tlsa lookup FAIL", "=>  ", "-> x",
        "== a@b R=r T=t defer (-53): retry", "->", "=>x a@b R=r",
        ("=> a@b R=r T=t H=h [1.2.3.4]: a TLS session is required, but the"
         " server did not offer TLS support"),
    };
    static const char *const hosts[] = { "", "", "mail", "mx1.example" };
    static const char bytes[] = "-0a <=>\t:[";
    struct sess_conf conf;
    struct sess_cb cb;
    void   *st;
    const struct sess_own *own;
    char    line[300];
    uint64_t x = 71;
    int     i, agree = 1, quick = 0, comp = 0, mine = 0, dlv = 0, plain = 0;

    memset(&conf, 0, sizeof(conf));
    memset(&cb, 0, sizeof(cb));
    conf.own_from = "own@report.example";
    st = corr_sess_create(&conf, &cb, &ex_corr_ops);
    own = corr_sess_own_mt(st);
    for (i = 0; i < 300000; i++) {
        struct wrap_rec r;
        struct ex_pre pa;
        struct ex_line lb;
        struct ex_event eb;
        struct trace tr;
        const char *h = hosts[T_RND() % 4];
        unsigned st_ = T_RND() % 8, id_, bo_;
        size_t  len;
        int     k, rb, first = T_RND() % 2, want;

        st_ = st_ ? T_RND() % 3 : T_RND() % (sizeof(stamps)
                                              / sizeof(stamps[0]));
        id_ = T_RND() % (sizeof(ids) / sizeof(ids[0]));
        bo_ = T_RND() % (sizeof(bodies) / sizeof(bodies[0]));
        len = (size_t) snprintf(line, sizeof(line), "%s%s%s", stamps[st_],
                                ids[id_], bodies[bo_]);
        if (T_RND() % 6 == 0 && len > 0) {      /* a byte changed */
            size_t  at = T_RND() % len;

            line[at] = bytes[T_RND() % (sizeof(bytes) - 1)];
        }
        if (T_RND() % 10 == 0)
            len = T_RND() % (len + 1);
        memset(&r, 0, sizeof(r));
        r.msg = span_make(line, len);
        r.host = span_make(h, strlen(h));
        r.ident = span_make("exim", 4);
        memset(&pa, 0x5a, sizeof(pa));
        memset(&eb, 0x5a, sizeof(eb));
        if (first)
            k = ex_corr_ops.classify_mt(&r, own, &pa, &tr);
        rb = ex_read(NULL, r.msg, &lb, &eb);
        if (!first)
            k = ex_corr_ops.classify_mt(&r, own, &pa, &tr);
        if (!rb)
            continue;                   /* not read by ex_read(): as before */
        /* the answer the one function made of ex_read()'s event */
        if ((1u << eb.kind) & ~((1u << EX_NONE) | (1u << EX_IGNORE)
                                | (1u << EX_DETAIL) | (1u << EX_TLS_CLOSE)
                                | (1u << EX_DANE_EVENT)))
            want = CORR_PRE_EVENT;
        else if (eb.kind == EX_NONE)
            want = CORR_PRE_NOT_MINE;
        else
            want = CORR_PRE_DONE;
        if (eb.kind == EX_IGNORE && lb.id.len > 0) {
            struct span b = lb.body, w;

            if (span_skip(&b, "<= ") == 0
                && sess_own_sender_word(own, b, &w)) {
                want = CORR_PRE_EVENT;
                agree &= pa.arrival == 1 && same_span(pa.from, w);
                mine++;
            }
        }
        agree &= k == want && pa.ev.kind == eb.kind
            && pa.ln.stamped == lb.stamped && (!lb.stamped || pa.ln.t == lb.t)
            && same_span(pa.ln.id, lb.id) && same_span(pa.ln.pid, lb.pid)
            && same_span(pa.ln.body, lb.body)
            && (want != CORR_PRE_DONE || eb.kind != EX_IGNORE
                || pa.arrival == 0)
            && (want != CORR_PRE_DONE
                || tr.kind == (eb.kind == EX_DETAIL
                               || eb.kind == EX_TLS_CLOSE ? TRACE_DETAIL
                               : eb.kind == EX_DANE_EVENT ? TRACE_FAILURE
                               : TRACE_IRRELEVANT));
        plain += want == CORR_PRE_DONE && lb.stamped && !lb.pid.len
            && ex_read_plain(lb.body) != EX_NONE;
        if (k == CORR_PRE_EVENT && eb.kind == EX_DELIVERY) {
            /* the recipient's domain: corr_rcpt_domain()'s; the event
             * as ex_read() made it (ex_classify_dlv() reads "=> " and
             * "-> " its own way), but for what it leaves unread */
            struct span d = corr_rcpt_domain(pa.ev.rcpt);
            char    key[200];
            size_t  hl = r.host.len, kl = hl + 1 + lb.id.len;

            /* the message's key: ex_msg_key()'s (a main log's line with
             * an id of 16 or 23 bytes by its own way) */
            memcpy(key, r.host.ptr, hl);
            key[hl] = 0;
            if (lb.id.len > 0)
                memcpy(key + hl + 1, lb.id.ptr, lb.id.len);
            agree &= pa.klen == kl && memcmp(pa.key, key, kl) == 0
                && pa.khash == htab_hash(key, kl);
            agree &= same_span(pa.dom, d)
                && (ex_read_local(&eb)
                    ? ev_hash_untext(&pa.ev, line) == ev_hash_untext(&eb, line)
                    : ev_hash(0, &pa.ev, line) == ev_hash(0, &eb, line));
            dlv++;
        }
        if (k == CORR_PRE_EVENT && eb.kind == EX_COMPLETED) {
            char    key[200];
            size_t  hl = r.host.len, kl = hl + 1 + lb.id.len;

            memcpy(key, r.host.ptr, hl);
            key[hl] = 0;
            memcpy(key + hl + 1, lb.id.ptr, lb.id.len);
            agree &= pa.arrival == 0 && pa.klen == kl
                && memcmp(pa.key, key, kl) == 0
                && pa.khash == htab_hash(key, kl) && pa.pid_h == 0
                && pa.cipher_h == 0 && pa.dom.len == 0;
            comp++;
        }
        quick += lb.stamped && !lb.pid.len && h[0] == 0;
    }
    T_CHECK(agree && comp > 3000 && mine > 1000 && quick > 50000
            && dlv > 20000,
            "Exim's classify_mt of arrivals, Completed and deliveries as"
            " before (%d Completed, %d of our own, %d quick)", comp, mine,
            quick);
    printf("# t_front: %d Completed, %d of our own, %d quick, %d deliveries,"
           " %d plain\n", comp, mine, quick, dlv, plain);
    corr_sess_free(st);
}

/* t_read_pid - ex_read_pid() reads what ex_prefix() reads, or declines
 * (ex_classify_full() of ex_sess.c asks it first). Generated lines:
 * main-log stamps of a few minutes and seconds (which set the seconds
 * ex_read_pid() needs: its lines' stamps are their seconds again),
 * then the same stamps with "[pid] " of 0 to 13 digits, "[]", a letter
 * among the digits, "]" without its space, a zone or a fraction; ids
 * of both shapes, cut or spoilt, bodies or none; a byte changed
 * anywhere, lines cut. On half the lines ex_prefix() is asked first
 * (the minutes it keeps are ex_read_pid()'s) */
static void
t_read_pid(void)
{
    static const char *const stamps[] = {
        "2024-11-01 00:00:07", "2024-11-01 00:00:08", "2024-11-01 00:01:07",
        "2026-12-06 04:31:58", "2024-11-01 00:00:07.123",
        "2024-11-01 00:00:07 +0100", "2024-11-01 00:00:61",
    };
    static const char *const pids[] = {
        "", "[42] ", "[1] ", "[12345678901] ", "[123456789012] ",
        "[1234567890123] ", "[] ", "[4x2] ", "[42]", "[42]x", "[42] ",
        "[ 42] ", "[0] ",
    };
    static const char *const ids[] = {
        "1aa0aa-00000a-7R ", "10GaaG-000000000aa-0037 ", "1aa0aa-00000a-7",
        "10GaaG-000000000aa-003 ", "", "1aa0aa-00000a-7R",
        "10GaaG-000000000aa-0037",
    };
    static const char *const bodies[] = {
        "", "<= a@b H=h", "Completed", "=> a@b R=r T=t H=h [1.2.3.4]", "x",
    };
    static const char bytes[] = "-0a []:. 9";
    char    line[200];
    uint64_t x = 89;
    int     i, agree = 1, taken = 0, pid = 0;

    for (i = 0; i < 300000; i++) {
        struct ex_line la, lb;
        struct span m;
        size_t  len;
        int     r, first = T_RND() % 2;
        unsigned pi = 0, si, ii, bi;

        if (T_RND() % 3 != 0)
            pi = 1 + T_RND() % 12;
        si = T_RND() % (sizeof(stamps) / sizeof(stamps[0]));
        ii = T_RND() % (sizeof(ids) / sizeof(ids[0]));
        bi = T_RND() % (sizeof(bodies) / sizeof(bodies[0]));
        len = (size_t) snprintf(line, sizeof(line), "%s %s%s%s", stamps[si],
                                pids[pi], ids[ii], bodies[bi]);
        if (T_RND() % 8 == 0 && len > 0) {      /* a byte changed */
            size_t  at = T_RND() % len;

            line[at] = bytes[T_RND() % (sizeof(bytes) - 1)];
        }
        if (T_RND() % 8 == 0)
            len = T_RND() % (len + 1);
        m = span_make(line, len);
        memset(&la, 0x5a, sizeof(la));
        if (first)
            ex_prefix(NULL, m, &lb);
        r = ex_read_pid(m, &la);
        if (!first)
            ex_prefix(NULL, m, &lb);
        taken += r;
        pid += r && la.pid.len > 0;
        agree &= !r || (la.stamped == 1 && lb.stamped == 1 && la.t == lb.t
                        && same_span(la.id, lb.id)
                        && same_span(la.pid, lb.pid)
                        && same_span(la.body, lb.body));
    }
    T_CHECK(agree && taken > 15000 && pid == taken,
            "ex_read_pid() as ex_prefix() (%d of 300000 read)", taken);
    printf("# t_read_pid: %d of 300000 read\n", taken);
}

/* The whole lines ex.c keeps (ex_lm_find()): the rest of a delivery line
 * after its recipient when it meets no "C=", and the body of a line
 * that begins with 'H', '[', 'T' or 'D'. Lines of a pool are read
 * again and again in any order, by ex_read() (the lazy way, where
 * bodies are kept) and by ex_classify(), and each event is compared
 * with the line's as read first on a thread of its own (nothing kept
 * there: the plain reading). The pool's lines come in families of one
 * rest or body with other recipients and message ids, alike but for a
 * middle byte (the same first and last eight bytes and length: the
 * same set), of lengths about the least (8) and the most (384) kept,
 * with hostile bytes: quotes and escapes, NUL, bytes >= 0x80, a field
 * or the line cut, overlong values */
#define T_LPOOL 640

static char t_lpool[T_LPOOL][600];
static size_t t_lpool_len[T_LPOOL];
static uint64_t t_lpool_ref[T_LPOOL][2];
static enum ex_kind t_lpool_kind[T_LPOOL];
static int t_lpool_read[T_LPOOL];

/* t_lm_ref - line k read as ex_read() and ex_classify() read it; 0 on
 * an ex_read() that took nothing */
static void
t_lm_ref(size_t k, uint64_t *h, enum ex_kind *kind, int *read)
{
    const char *line = t_lpool[k];
    struct ex_line ln;
    struct ex_event ev;

    memset(&ev, 0x5a, sizeof(ev));
    *read = ex_read(NULL, span_make(line, t_lpool_len[k]), &ln, &ev);
    *kind = ev.kind;
    h[0] = !*read || ex_read_kind_only(ev.kind) ? 0
        : ex_read_local(&ev) ? ev_hash_untext(&ev, line)
        : ev_hash(0, &ev, line);
    ex_classify(ln.body, ln.id.len > 0 ? EX_F_ID : 0, &ev);
    h[1] = ev_hash(0, &ev, line);
}

/* t_lpool_first - the reference of pool line *arg, on a thread of its
 * own */
static void *
t_lpool_first(void *arg)
{
    size_t  k = *(const size_t *) arg;

    t_lm_ref(k, t_lpool_ref[k], &t_lpool_kind[k], &t_lpool_read[k]);
    return NULL;
}

static void
t_lm_again(void)
{
    static const char *const mark[] = {"=> ", "-> ", "** ", "== ", ">> ",
                                       "*> "};
    static const char *const rcpt[] = {"a@b", "<p@q>", "\"x y\"@d",
                                       "\"a\\\"b\"@c", "c@d:", ":blackhole:",
                                       "verylongrecipient.name@example.test"};
    static const char *const rest[] = {
        " R=server", " <CALLER@dane256ee.test.ex> R=server",
        " R=client T=send_to_server : DANE error: tlsa lookup FAIL",
        " R=client T=send_to_server defer (-36): DANE error: tlsa lookup"
        " DEFER", " R=to_test T=remote_smtp defer (-37) H=expired.test"
        " [192.0.2.4]:25: TLS session: (certificate verification failed):"
        " certificate invalid", " R=r T=t H=mx.b [192.0.2.1]:25 X=TLS1.3:A:256"
        " CV=yes DN=\"CN=a\\\" b\"", " retry timeout exceeded",
        " R=r T=t H=h DS [::1]:PORT_D*: a TLS session is required, but the"
        " server did not offer TLS support", " R=r T=t H=h [1.2.3.4] X=x"
        " CV=no: SMTP error from remote mail server after RCPT TO:<\"a TLS"
        " session is required\"@v>: 550 no", " F=<a\"> H=mx.v [9.9.9.9]:"
        " DANE error: x\"@y> R=r", " R=r T=t H=(helo) [1.2.3.4]",
        " I=[1.2.3.4]:5* R=r T=t H=h [5.6.7.8]* TFO**", " R=r T=t H=h:",
        " R=r T=t C=\"250 ok\"", " R=r T=t C=\"250 ok\" QT=1s",
    };
    static const char *const body[] = {
        "H=mx.yandex.ru [2a02:6b8::311] Network is unreachable",
        "H=mx.b [192.0.2.9]: a TLS session is required, but the server did"
        " not offer TLS support", "H=mx.b [192.0.2.9] TLS error on"
        " connection (recv): The TLS connection was non-properly terminated.",
        "H=(helo) [1.2.3.4] F=<a@b> rejected after DATA: H=x [1.1.1.1]: TLS"
        " session: (x)", "H=h [1.2.3.4] Warning: DANE error: x",
        "[192.0.2.9] SSL verify error: depth=0 error=self signed certificate"
        " cert=/CN=x", "[192.0.2.9] SSL verify error: certificate name"
        " mismatch: DN=\"/CN=a\\\"b\" H=\"h\"", "TLS error on connection"
        " from (v261955545.local) [43.6.92.12] (recv): The TLS connection"
        " was non-properly terminated.", "TLS session: (SSL_connect):"
        " error:0A000086:SSL routines::certificate verify failed: delivering"
        " unencrypted to H=h [1.2.3.4] (not in hosts_require_tls)",
        "TLS error on connection to h [1.2.3.4] (SSL_connect): error",
        "DANE attempt failed; TLS connection to h [1.2.3.4]: (certificate"
        " verification failed): Verification failed. The certificate"
        " differs.", "DANE attempt failed; trying CA-root TLS to h [1.2.3.4]",
        "DANE error: TLSA lookup for danebroken6.test.ex not DNSSEC",
        "DANE error: No usable TLSA records", "DANE error: tlsa lookup FAIL",
        "TLS session failure: x Could not complete recipient verify"
        " callout: h [1.2.3.4] : 550 no", "Haaaaaaa", "Daaaaaaaaaaaaaa:",
        "dane:fail <validation-failure>", "dane:fail <dane-required>",
        "dane:fail <no-such-result>", "dane:fail <tlsa-invalid", "daaaaaaaa",
    };
    static const char *const ids[] = {"1aa0aa-00000a-7R ",
                                      "10GaaG-000000000aa-0037 ", ""};
    static const char bytes[] = " :\"=<>\\[]*C\t\x80\xff";
    char    fam[24][480];
    size_t  flen[24];
    uint64_t x = 31;
    size_t  k, idx[T_LPOOL];
    pthread_t th;
    int     i, f, agree = 1, made = 1, kept = 0;

    /* families: a rest or a body, some stretched about the most kept or
     * cut about the least */
    for (f = 0; f < 24; f++) {
        const char *b = f % 2
            ? rest[T_RND() % (sizeof(rest) / sizeof(rest[0]))]
            : body[T_RND() % (sizeof(body) / sizeof(body[0]))];

        flen[f] = (size_t) snprintf(fam[f], sizeof(fam[f]), "%s", b);
        if (T_RND() % 4 == 0) {                 /* an overlong value */
            size_t  want = 200 + T_RND() % 240;

            while (flen[f] < want && flen[f] + 2 < sizeof(fam[f]))
                fam[f][flen[f]++] = "ab.\"x"[T_RND() % 5];
            fam[f][flen[f]] = 0;
        } else if (T_RND() % 6 == 0 && flen[f] > 16) {
            flen[f] = 6 + T_RND() % 12;         /* about 8 and 16 */
        }
    }
    for (k = 0; k < T_LPOOL; k++) {
        int     fa = (int) (T_RND() % 24);
        size_t  len;

        len = (size_t) snprintf(t_lpool[k], sizeof(t_lpool[k]),
                                "2024-11-01 00:00:07 %s",
                                ids[T_RND() % 3]);
        if (fa % 2) {
            const char *mk = mark[T_RND() % 6];
            const char *rc = rcpt[T_RND() % 7];

            len += (size_t) snprintf(t_lpool[k] + len,
                                     sizeof(t_lpool[k]) - len, "%s%s", mk,
                                     rc);
        }
        memcpy(t_lpool[k] + len, fam[fa], flen[fa]);
        if (T_RND() % 3 == 0 && flen[fa] > 16) { /* a middle byte: the
                                                  * same set, other bytes */
            size_t  m = len + 8 + T_RND() % (flen[fa] - 16);

            t_lpool[k][m] = bytes[T_RND() % (sizeof(bytes) - 1)];
        }
        len += flen[fa];
        if (T_RND() % 5 == 0) {                 /* a byte anywhere, a NUL
                                                 * too, or the line cut */
            size_t  m = T_RND() % len;

            char    c = bytes[T_RND() % (sizeof(bytes) - 1)];

            if (T_RND() % 3 == 0)
                len = m > 20 ? m : len;
            else
                t_lpool[k][m] = T_RND() % 4 ? c : 0;
        }
        if (T_RND() % 8 == 0)                   /* trailing blanks */
            len += (size_t) snprintf(t_lpool[k] + len,
                                     sizeof(t_lpool[k]) - len, "  ");
        t_lpool_len[k] = len;
        idx[k] = k;
        made &= pthread_create(&th, NULL, t_lpool_first, &idx[k]) == 0
            && pthread_join(th, NULL) == 0;
    }
    for (i = 0; i < 300000; i++) {
        uint64_t h[2];
        enum ex_kind kind;
        int     read;

        k = T_RND() % (i < 100000 ? 40 : T_LPOOL);
        t_lm_ref(k, h, &kind, &read);
        agree &= read == t_lpool_read[k] && kind == t_lpool_kind[k]
            && h[0] == t_lpool_ref[k][0] && h[1] == t_lpool_ref[k][1];
        kept += kind != EX_IGNORE && kind != EX_NONE;
    }
    T_CHECK(made && agree && kept > 100000,
            "whole lines read again as read first (%d of 300000 events)",
            kept);
}

/* t_peer - ex_sess_dname_mt() and ex_sess_addr_mt() (the names and
 * addresses a connection takes, remembered per thread, compared and
 * copied a word at a time) against dname_norm(), dname_is_numeric()
 * and ipaddr_norm() called each time, on generated texts asked again
 * and again in any order: names of any case, with a final dot,
 * numeric, invalid, of every length to past what is kept and past
 * DNAME_MAX, with NUL and high bytes; addresses of both families,
 * munged and invalid; families alike but for a middle byte (the same
 * first and last eight bytes and length: the same place) */
static void
t_peer(void)
{
    static const char *const base[] = {
        "mx.b.example", "MX.B.Example.", "127.0.0.1", "1.2.3.4.", "a..b",
        "-x.example", "x_y.example", ("mail-nwsmtp-mxfront-production-main-42"
        ".sas.yp-c.yandex.net"), "h", "", "xn--bcher-kva.example",
        "192.0.2.1", "2a02:6b8::311", "2A02:6B8::311", "::1",
        "ip4.ip4.ip4.ip4", "::ffff:192.0.2.1", "1.2.3.256", "fe80::1%eth0",
        "[1.2.3.4]", "a.b", "0123456789abcdef.example",
    };
    char    pool[256][300];
    size_t  plen[256];
    uint64_t x = 31;
    int     i, ok = 1;

    for (i = 0; i < 256; i++) {
        const char *b = base[T_RND() % (sizeof(base) / sizeof(base[0]))];
        size_t  n = strlen(b), k;

        memcpy(pool[i], b, n);
        switch (T_RND() % 6) {
        case 0:                         /* longer: to past what is kept */
            k = T_RND() % 280;
            while (n < k && n + 2 < sizeof(pool[i])) {
                pool[i][n++] = 'a' + (char) (T_RND() % 26);
                if (T_RND() % 5 == 0)
                    pool[i][n++] = '.';
            }
            break;
        case 1:                         /* a byte changed */
            if (n > 0) {
                size_t  at = T_RND() % n;

                pool[i][at] = "A.-_:\0\x80 9zZ"[T_RND() % 11];
            }
            break;
        case 3:                         /* short: every length to 16 */
            if (T_RND() % 2)
                n = n < 17 ? n : T_RND() % 17;
            break;
        case 2:                         /* a middle byte of one before */
            if (i > 0 && plen[i - 1] > 16) {
                memcpy(pool[i], pool[i - 1], plen[i - 1]);
                n = plen[i - 1];
                pool[i][n / 2] ^= 1;
            }
            break;
        default:
            break;
        }
        plen[i] = n;
    }
    for (i = 0; i < 300000; i++) {
        unsigned k = T_RND() % (i < 100000 ? 24 : 256);
        struct span t = span_make(pool[k], plen[k]);
        char    a[DNAME_MAX + 1], b[DNAME_MAX + 1];
        int     ra, rb, na = -1, nb;

        memset(a, 0x5a, sizeof(a));
        memset(b, 0x5a, sizeof(b));
        if (T_RND() % 2) {
            ra = ex_sess_dname_mt(t, a, T_RND() % 4 ? &na : NULL);
            rb = dname_norm(t.ptr, t.len, b);
            nb = rb == 0 && dname_is_numeric(b);
            ok &= ra == rb && (na < 0 || na == nb)
                && (ra != 0 || strcmp(a, b) == 0);
        } else {
            ra = ex_sess_addr_mt(t, a);
            rb = ipaddr_norm(t.ptr, t.len, b);
            ok &= ra == rb && (ra != 0 || strcmp(a, b) == 0);
        }
    }
    T_CHECK(ok, "the names and addresses kept as the plain calls make them");
}

/* t_reason_as_is - every failure-reason-code an Exim event or
 * connection hands over is what sess_set_reason() leaves as it is
 * (ex_judge() says so, and the core copies it without the check):
 * the reasons of generated lines of every kind with hostile texts, and
 * the codes ex_sess.c writes itself */
static void
t_reason_as_is(void)
{
    static const char *const head[] = {
        "** a@b R=r T=t H=mx.b [192.0.2.1]: ", "== a@b R=r T=t : ",
        "H=mx.b [192.0.2.9]: ", "[192.0.2.9] SSL verify error: ",
        "DANE attempt failed; TLS connection to h [1.2.3.4]: ",
        "DANE attempt failed; trying CA-root TLS to h [1.2.3.4]: ",
        "TLS session: ", "TLS error on connection to h [1.2.3.4] ",
        "DANE error: ", ("U=CALLER F=<s> rejected RCPT <r>: Could"
        " not complete recipient verify callout: h [1.2.3.4] : "),
    };
    static const char *const text[] = {
        "TLS session: (SSL_connect): error:0A000086:SSL routines::"
        "certificate verify failed", "(certificate verification failed):"
        " The certificate is NOT trusted. ", "(x) y \"q\" \\ z",
        "depth=0 error=self signed certificate cert=/CN=x", "tlsa lookup"
        " FAIL", "h.test lookup not DNSSEC", "No usable TLSA records",
        "certificate name mismatch: DN=\"/CN=x\" H=\"y\"",
        "a TLS session is required, but an attempt to start TLS failed",
        "TLS session failure", "error=\t\x01\x7f\xff ~!@#$%^&*()",
    };
    static const char *const own[] = {
        "handshake-failure", "exim-x-of-previous-connection",
    };
    char    line[600];
    struct ex_event ev;
    struct sess_rec rec;
    uint64_t x = 41;
    int     i, ok = 1, n = 0;

    for (i = 0; i < 100000; i++) {
        unsigned hd = T_RND() % (sizeof(head) / sizeof(head[0]));
        unsigned tx = T_RND() % (sizeof(text) / sizeof(text[0]));
        size_t  len = (size_t) snprintf(line, sizeof(line), "%s%s", head[hd],
                                        text[tx]);
        unsigned m;

        for (m = T_RND() % 3; m > 0; m--) {     /* bytes of every value */
            size_t  at = T_RND() % len;

            line[at] = (char) (T_RND() % 256);
        }
        if (T_RND() % 4 == 0) {                 /* longer than a code */
            memset(line + len, 'a' + (int) (T_RND() % 26), 200);
            len += 200;
        }
        ex_classify(span_make(line, len), EX_F_ID, &ev);
        memset(&rec, 0, sizeof(rec));
        sess_set_reason(&rec, ev.reason, strlen(ev.reason));
        ok &= strcmp(rec.reason, ev.reason) == 0;
        n += ev.reason[0] != 0;
    }
    for (i = 0; i < (int) (sizeof(own) / sizeof(own[0])); i++) {
        sess_set_reason(&rec, own[i], strlen(own[i]));
        ok &= strcmp(rec.reason, own[i]) == 0;
    }
    T_CHECK(ok && n > 50000, "Exim's reasons as sess_set_reason() leaves"
            " them (%d codes)", n);
}

/* t_dlv_domain - ex_read_dlv()'s domain (the recipient's last '@' found
 * in its scan, ex_scan_word_at()) against corr_rcpt_domain() of the
 * recipient it read, pointer and length. Generated recipients of 0 to
 * 200 bytes: no '@', one, many, first, last, '@' after the end in the
 * same block, quoted ("a@b"@c), <a@b>, '=' inside, bytes above 0x7f;
 * then the end of the line, a space and fields, ':' and a text, spaces
 * before. Each line in a buffer of its own length, after 15 bytes of
 * '@' that are none of it (asan) */
static void
t_dlv_domain(void)
{
    static const char bytes[] = "@@@ab.c-xZ9\x80\xff";
    static const char *const tails[] = {
        "", " R=r T=t H=h [192.0.2.1] X=x CV=yes",
        " R=r T=t H=h [192.0.2.1]", ": DANE error: x", " R=r@x T=t",
        " <a@b> R=r", " ", "  C=\"250 a@b\"",
    };
    uint64_t x = 13;
    int     i, agree = 1, found = 0, none = 0, longer = 0;

    for (i = 0; i < 300000; i++) {
        char    rc[256], *buf;
        size_t  n = T_RND() % 4 == 0 ? T_RND() % 201 : T_RND() % 48, k;
        size_t  pre = T_RND() % 8 == 0 ? T_RND() % 3 : 0, len;
        const char *tl = tails[T_RND() % (sizeof(tails) / sizeof(tails[0]))];
        struct ex_event ev;
        struct span dom, d;

        for (k = 0; k < n; k++)
            rc[k] = T_RND() % 5 == 0 ? '@'
                : bytes[T_RND() % (sizeof(bytes) - 1)];
        switch (T_RND() % 8) {
        case 0:                 /* none at all */
            for (k = 0; k < n; k++)
                if (rc[k] == '@')
                    rc[k] = 'q';
            break;
        case 1:                 /* quoted, or in <> */
            if (n > 2) {
                rc[0] = T_RND() % 2 ? '"' : '<';
                rc[1 + T_RND() % (n - 1)] = rc[0] == '"' ? '"' : '>';
            }
            break;
        case 2:                 /* a '=' or a '"' inside */
            if (n > 0) {
                char    c = T_RND() % 2 ? '=' : '"';

                rc[T_RND() % n] = c;
            }
            break;
        default:
            break;
        }
        len = 15 + pre + n + strlen(tl);
        if ((buf = malloc(len)) == NULL)
            abort();
        memset(buf, '@', 15);           /* before it: never read as its */
        memset(buf + 15, ' ', pre);
        memcpy(buf + 15 + pre, rc, n);
        memcpy(buf + 15 + pre + n, tl, strlen(tl));
        memset(&ev, 0x5a, sizeof(ev));
        memset(&dom, 0x5a, sizeof(dom));
        ex_read_dlv(span_make(buf + 15, len - 15), T_RND() % 2 ? '=' : '-',
                    &ev, &dom);
        d = corr_rcpt_domain(ev.rcpt);
        agree &= dom.ptr == d.ptr && dom.len == d.len;
        found += d.len > 0;
        none += d.ptr == ev.rcpt.ptr;
        longer += ev.rcpt.len > 32;
        free(buf);
    }
    T_CHECK(agree && found > 50000 && none > 20000 && longer > 10000,
            "a delivery's domain found in its recipient's scan (%d found,"
            " %d none, %d long)", found, none, longer);
}

/* t_same16 - ex_same16() against memcmp() on pairs of 16 to 400 bytes
 * that differ in one byte (at every place in turn) or none: the blocks
 * two a step and the one left must cover every byte */
static void
t_same16(void)
{
    char    a[400], b[400];
    size_t  n, at;
    int     agree = 1;

    for (n = 0; n < sizeof(a); n++)
        a[n] = (char) ('a' + n % 23);
    for (n = 16; n <= sizeof(a); n++) {
        memcpy(b, a, n);
        agree &= ex_same16(a, b, n) == 1;
        for (at = 0; at < n; at++) {
            b[at] ^= 0x20;
            agree &= ex_same16(a, b, n) == 0;
            b[at] ^= 0x20;
        }
    }
    T_CHECK(agree, "ex_same16() as memcmp() of 16 to 400 bytes");
}

/* t_literals - the literal compares of ex.c (a word at a time, the
 * last word overlapping the one before): each literal whole, an 'x'
 * after it, in a buffer of that length (asan: nothing read past it),
 * takes its kind; one byte short (its last byte the 'x'), or any one
 * of its bytes changed, it does not ("LOG: " takes the kind of no
 * shape: its near misses are not told apart).
 * And the commands of E8's test (ex_past_ehlo()): a text after one of
 * them is no dialogue past EHLO, after any byte of it changed it is */
static void
t_literals(void)
{
    static const struct {
        const char *lit;
        int     kind;
    } k[] = {
        {"Completed", EX_COMPLETED}, {"LOG: ", EX_IGNORE},
        {"SMTP<< ", EX_DETAIL}, {"SMTP>> ", EX_DETAIL},
        {"SMTP(close)", EX_DETAIL}, {"tls:cert ", EX_DETAIL},
        {"OCSP ", EX_DETAIL}, {"Server certificate ", EX_DETAIL},
        {"Required TLS certificate status", EX_DETAIL},
    };
    static const char *const cmd[] = {
        "initial connection", "EHLO", "HELO", "LHLO", "STARTTLS",
    };
    char    line[200];
    int     i, ok = 1, cases = 0;
    size_t  j, n;

    for (i = 0; i < (int) (sizeof(k) / sizeof(k[0])); i++) {
        struct ex_event ev;
        char   *buf;

        /* an 'x' after it: a body is trimmed of its last spaces */
        n = strlen(k[i].lit);
        if ((buf = malloc(n + 1)) == NULL)
            continue;
        memcpy(buf, k[i].lit, n);
        buf[n] = 'x';
        ex_classify(span_make(buf, n + 1), EX_F_ID, &ev);
        ok &= ev.kind == k[i].kind;
        buf[n - 1] = 'x';
        ex_classify(span_make(buf, n), EX_F_ID, &ev);
        ok &= ev.kind != k[i].kind || k[i].kind == EX_IGNORE;
        buf[n - 1] = k[i].lit[n - 1];
        for (j = 0; j < n; j++) {
            buf[j] ^= 0x01;
            ex_classify(span_make(buf, n + 1), EX_F_ID, &ev);
            ok &= ev.kind != k[i].kind || k[i].kind == EX_IGNORE;
            buf[j] ^= 0x01;
            cases++;
        }
        free(buf);
    }
    for (i = 0; i < (int) (sizeof(cmd) / sizeof(cmd[0])); i++) {
        struct ex_event ev;
        size_t  at;

        n = (size_t) snprintf(line, sizeof(line), "** a@b.example R=r T=t"
                              " H=h [192.0.2.1]: SMTP error from remote"
                              " mail server after %s", cmd[i]);
        at = n - strlen(cmd[i]);
        ex_classify(span_make(line, n), EX_F_ID, &ev);
        ok &= ev.kind == EX_DELIVERY && ev.past_ehlo == 0;
        for (j = at; j < n; j++) {
            line[j] ^= 0x01;
            ex_classify(span_make(line, n), EX_F_ID, &ev);
            ok &= ev.kind == EX_DELIVERY && ev.past_ehlo == 1;
            line[j] ^= 0x01;
            cases++;
        }
    }
    T_CHECK(ok, "literal compares, whole, short and one byte changed (%d)",
            cases);
}

int
main(void)
{
    /* central European time: offsets +1 and +2, switched in March and
     * October (2024-03-31 02:30 does not exist, 2024-10-27 02:30 twice) */
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    tzset();
    t_msgid();
    t_prefix();
    t_wrap();
    t_postfix();
    t_pf_skip();
    t_ex_skip();
    t_set_order();
    t_slug();
    t_classify();
    t_rcpt_words();
    t_dlv_split();
    t_marks();
    t_text_again();
    t_cert_again();
    t_walk_again();
    t_read();
    t_read_short();
    t_plain();
    t_unbare();
    t_cipher();
    t_front();
    t_read_pid();
    t_lm_again();
    t_peer();
    t_reason_as_is();
    t_dlv_domain();
    t_same16();
    t_literals();
    return T_DONE();
}
