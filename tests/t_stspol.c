/* tests/t_stspol.c - unit tests for emit/resolution/sts.c: the _mta-sts record, the
 * MTA-STS policy file and MX pattern matching (RFC 8461 3.1, 3.2, 4.1)
 */
#include "../emit/resolution/sts.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

/* txt1 - sts_txt_parse() of one record */
static int
txt1(const char *rec, struct sts_txt *t)
{
    struct span s = span_make(rec, strlen(rec));

    return sts_txt_parse(&s, 1, t);
}

/* pol - sts_policy_parse() of a C string; 0 or -1 */
static int
pol(const char *body, struct sts_policy *p, char *why)
{
    return sts_policy_parse(body, strlen(body), p, why);
}

static void
t_txt(void)
{
    struct sts_txt t;
    struct span two[2];

    T_CHECK(txt1("v=STSv1; id=20160831085700Z;", &t) == STS_TXT_OK
            && strcmp(t.id, "20160831085700Z") == 0, "RFC 8461 3.1 example");
    T_CHECK(txt1("v=STSv1 ; id=abc", &t) == STS_TXT_OK,
            "WSP before ';' (erratum 6285, as for TLSRPT)");
    T_CHECK(txt1("v=STSv1;id=abc;ext=1", &t) == STS_TXT_OK,
            "extension ignored");
    T_CHECK(txt1("v=STSv1; ext=1", &t) == STS_TXT_SYNTAX,
            "id is required");
    T_CHECK(txt1("v=STSv1; id=", &t) == STS_TXT_SYNTAX, "empty id");
    T_CHECK(txt1("v=STSv1; id=a-b", &t) == STS_TXT_SYNTAX,
            "id of letters and digits only");
    T_CHECK(txt1("v=STSv1; id=123456789012345678901234567890123", &t)
            == STS_TXT_SYNTAX, "id of 33 characters");
    T_CHECK(txt1("v=STSv1; id=first; id=second", &t) == STS_TXT_OK
            && strcmp(t.id, "first") == 0,
            "a repeated field: only the first counts (RFC 8461 3.2)");
    T_CHECK(txt1("v=STSv2; id=1", &t) == STS_TXT_NONE, "other version");
    T_CHECK(txt1("v=STSv1", &t) == STS_TXT_NONE, "no ';' after version");
    two[0] = SPAN_LIT("v=STSv1; id=1");
    two[1] = SPAN_LIT("v=STSv1; id=2");
    T_CHECK(sts_txt_parse(two, 2, &t) == STS_TXT_MULTIPLE,
            "two STS records: no MTA-STS");
}

static void
t_policy(void)
{
    struct sts_policy p;
    char    why[STS_MSG];
    char    big[STS_MAX_BODY + 2];

    T_CHECK(pol("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
                "mx: *.example.net\r\nmx: backupmx.example.com\r\n"
                "max_age: 604800\r\n", &p, why) == 0
            && p.mode == STS_MODE_ENFORCE && p.max_age == 604800
            && p.nmx == 3 && strcmp(p.mx[1], "*.example.net") == 0
            && p.nlines == 6 && strcmp(p.lines[5], "max_age: 604800") == 0,
            "RFC 8461 3.2 example with CRLF: %s", why);
    sts_policy_free(&p);
    T_CHECK(pol("version: STSv1\nmode: testing\nmx: MX.Example.COM\n"
                "max_age: 86400", &p, why) == 0 && p.mode == STS_MODE_TESTING
            && strcmp(p.mx[0], "mx.example.com") == 0
            && strcmp(p.lines[2], "mx: MX.Example.COM") == 0,
            "LF, no final line ending; mx canonical, line as published");
    sts_policy_free(&p);
    T_CHECK(pol("version: STSv1\nmode: none\nmax_age: 0\n", &p, why) == 0
            && p.mode == STS_MODE_NONE && p.nmx == 0,
            "mode none needs no mx; max_age 0 allowed");
    sts_policy_free(&p);
    T_CHECK(pol("version:STSv1\nmode:\t enforce \nmx:\tmx.example.com\n"
                "max_age: 1\n\n\n", &p, why) == 0 && p.nlines == 4,
            "WSP after ':' and at the end; blank lines skipped");
    sts_policy_free(&p);
    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: a.example.com\n"
                "max_age: 1\nfoo_bar: x y \xc3\xa9\nmode: none\n", &p, why)
            == 0 && p.mode == STS_MODE_ENFORCE,
            "unknown key (UTF-8 value) ignored; second mode ignored");
    sts_policy_free(&p);

    T_CHECK(pol("version: STSv1\nmode: enforce\nmax_age: 1\n", &p, why) < 0
            && strstr(why, "no mx"), "enforce without mx: %s", why);
    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: a.example.com\n", &p, why)
            < 0 && strstr(why, "max_age"), "no max_age");
    T_CHECK(pol("mode: enforce\nmx: a.example.com\nmax_age: 1\n", &p, why)
            < 0 && strstr(why, "version"), "no version");
    T_CHECK(pol("version: STSv1\nmx: a.example.com\nmax_age: 1\n", &p, why)
            < 0 && strstr(why, "mode"), "no mode");
    T_CHECK(pol("version: STSv2\nmode: enforce\nmx: a.example.com\n"
                "max_age: 1\n", &p, why) < 0, "version STSv2");
    T_CHECK(pol("version: STSv1\nmode: Enforce\nmx: a.example.com\n"
                "max_age: 1\n", &p, why) < 0, "mode is case-sensitive");
    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: a.example.com\n"
                "max_age: 31557601\n", &p, why) < 0, "max_age too large");
    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: a.example.com\n"
                "max_age: 31557600\n", &p, why) == 0, "max_age at the bound");
    sts_policy_free(&p);
    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: a.example.com\n"
                "max_age: 12345678901\n", &p, why) < 0, "11 digits");
    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: a.example.com\n"
                "max_age: -1\n", &p, why) < 0, "negative max_age");
    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: a.*.example.com\n"
                "max_age: 1\n", &p, why) < 0, "wildcard not left-most");
    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: *example.com\n"
                "max_age: 1\n", &p, why) < 0, "'*' without dot");
    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: mx_1.example.com\n"
                "max_age: 1\n", &p, why) < 0, "mx not LDH");
    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: a.example.com\n"
                "max_age: 1\nbroken line\n", &p, why) < 0
            && strstr(why, "line 5"), "line without ':': %s", why);
    T_CHECK(pol("<html><body>policy</body></html>\n", &p, why) < 0,
            "HTML is no policy");
    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: a.example.com\n"
                "max_age: 1\nx: \xff\n", &p, why) < 0, "bad UTF-8");
    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: a.example.com\n"
                "max_age: 1\nx: a\x01" "b\n", &p, why) < 0, "control byte");
    T_CHECK(sts_policy_parse("version: STSv1\0x", 16, &p, why) < 0,
            "NUL byte");
    T_CHECK(pol("", &p, why) < 0, "empty body");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    T_CHECK(pol(big, &p, why) < 0, "body over 64 KiB");
}

static void
t_copy(void)
{
    struct sts_policy p, q;
    char    why[STS_MSG];

    T_CHECK(pol("version: STSv1\nmode: enforce\nmx: a.example.com\n"
                "mx: *.b.example\nmax_age: 9\n", &p, why) == 0, "parse");
    sts_policy_copy(&q, &p);
    sts_policy_free(&p);
    T_CHECK(q.nmx == 2 && q.nlines == 5 && q.max_age == 9
            && strcmp(q.mx[1], "*.b.example") == 0
            && strcmp(q.lines[0], "version: STSv1") == 0,
            "copy outlives the original");
    sts_policy_free(&q);
}

static void
t_match(void)
{
    T_CHECK(sts_mx_match("mail.example.com", "mail.example.com"), "exact");
    T_CHECK(!sts_mx_match("mail.example.com", "mail2.example.com"),
            "exact only");
    T_CHECK(sts_mx_match("*.example.com", "mx.example.com"),
            "wildcard: one label");
    T_CHECK(!sts_mx_match("*.example.com", "example.com"),
            "wildcard needs a label");
    T_CHECK(!sts_mx_match("*.example.com", "a.b.example.com"),
            "wildcard: exactly one label");
    T_CHECK(!sts_mx_match("*.example.com", "xexample.com"),
            "wildcard: label boundary");
    T_CHECK(!sts_mx_match("*.example.com", ""), "empty host");
}

/* t_bounds - hostile policy bodies: counts and lengths are bounded */
static void
t_bounds(void)
{
    static char body[STS_MAX_BODY + 1];
    struct sts_policy p;
    char    why[STS_MSG];
    size_t  o;
    int     i;

    memset(&p, 0, sizeof(p));
    /* 10,000 mx lines: cut off by the body cap before anything else */
    o = (size_t) snprintf(body, sizeof(body), "version: STSv1\nmode: enforce"
                          "\nmax_age: 1\n");
    for (i = 0; i < 10000 && o + 16 < sizeof(body); i++)
        o += (size_t) snprintf(body + o, sizeof(body) - o, "mx: m%d.ex.io\n",
                               i);
    T_CHECK(i < 10000 && sts_policy_parse(body, o, &p, why) < 0
            && strstr(why, "line 68: more than 64 mx"),
            "thousands of mx lines: %s", why);
    /* thousands of other lines: at most STS_MAX_LINES */
    o = (size_t) snprintf(body, sizeof(body), "version: STSv1\nmode: none"
                          "\nmax_age: 1\n");
    for (i = 0; i < 10000 && o + 16 < sizeof(body); i++)
        o += (size_t) snprintf(body + o, sizeof(body) - o, "k%d: v\n", i);
    T_CHECK(sts_policy_parse(body, o, &p, why) < 0
            && strstr(why, "line 301: more than 300 lines"),
            "thousands of lines: %s", why);
    /* 65 mx lines: more than STS_MAX_MX patterns */
    o = (size_t) snprintf(body, sizeof(body), "version: STSv1\nmode: enforce"
                          "\nmax_age: 1\n");
    for (i = 0; i <= STS_MAX_MX; i++)
        o += (size_t) snprintf(body + o, sizeof(body) - o, "mx: m%d.ex.io\n",
                               i);
    T_CHECK(sts_policy_parse(body, o, &p, why) < 0
            && strstr(why, "64 mx"), "65 mx patterns: %s", why);
    /* exactly STS_MAX_MX: kept, all canonical */
    o = (size_t) snprintf(body, sizeof(body), "version: STSv1\nmode: enforce"
                          "\nmax_age: 1\n");
    for (i = 0; i < STS_MAX_MX; i++)
        o += (size_t) snprintf(body + o, sizeof(body) - o, "mx: M%d.Ex.IO\n",
                               i);
    T_CHECK(sts_policy_parse(body, o, &p, why) == 0 && p.nmx == STS_MAX_MX
            && strcmp(p.mx[STS_MAX_MX - 1], "m63.ex.io") == 0,
            "64 mx patterns kept, lower-cased");
    sts_policy_free(&p);
    /* one line of 60 KB (a 10 MB one never gets past the fetch cap) */
    o = (size_t) snprintf(body, sizeof(body), "version: STSv1\nmode: enforce"
                          "\nmax_age: 1\nmx: a.ex.io\nx: ");
    memset(body + o, 'y', 60000);
    o += 60000;
    body[o++] = '\n';
    T_CHECK(sts_policy_parse(body, o, &p, why) < 0
            && strstr(why, "longer than 1000"), "60 KB line: %s", why);
    T_CHECK(sts_policy_parse(body, STS_MAX_BODY + 1, &p, why) < 0
            && strstr(why, "64 KiB"), "one byte over the body cap");
    /* max_age: ten digits, overflow and leading zeros */
    T_CHECK(pol("version: STSv1\nmode: none\nmax_age: 9999999999\n", &p,
                why) < 0 && strstr(why, "31557600"),
            "ten nines: above the bound, no overflow");
    T_CHECK(pol("version: STSv1\nmode: none\nmax_age: 0031557600\n", &p,
                why) == 0 && p.max_age == STS_MAX_AGE,
            "leading zeros within ten digits");
    sts_policy_free(&p);
    T_CHECK(pol("version: STSv1\nmode: none\nmax_age: +1\n", &p, why) < 0,
            "sign refused");
    T_CHECK(pol("version: STSv1\nmode: none\nmax_age: 1\nmax_age: 2\n",
                &p, why) < 0 || p.max_age == 1 || p.max_age == 2,
            "max_age twice: refused or one of the two");
    sts_policy_free(&p);
}

int
main(void)
{
    t_txt();
    t_policy();
    t_bounds();
    t_copy();
    t_match();
    return T_DONE();
}
