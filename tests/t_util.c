/* tests/t_util.c - unit tests for util/: dname, ipaddr, span, htab
 *
 * Every check states the rule from the header it tests (util/dname.h,
 * util/ipaddr.h, util/span.h, util/htab.h), so a failure says which
 * promise broke.
 */
#include "../util/date.h"
#include "../util/dname.h"
#include "../util/htab.h"
#include "../util/ipaddr.h"
#include "../util/near.h"
#include "../util/span.h"
#include "testlib.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- dname */

static void t_dname_gen(void);

/* norm_ok - dname_norm(in) succeeds and gives want */
static int
norm_ok(const char *in, const char *want)
{
    char    out[DNAME_MAX + 1];

    memset(out, 'Z', sizeof(out));
    if (dname_norm(in, strlen(in), out) != 0)
        return 0;
    return strcmp(out, want) == 0;
}

/* norm_bad - dname_norm(in) refuses */
static int
norm_bad(const char *in, size_t len)
{
    char    out[DNAME_MAX + 1];

    return dname_norm(in, len, out) == -1;
}

/* rep - n copies of c followed by tail into buf */
static char *
rep(char *buf, char c, size_t n, const char *tail)
{
    memset(buf, c, n);
    strcpy(buf + n, tail);
    return buf;
}

static void
t_dname(void)
{
    char    big[1024];
    char    name[DNAME_MAX + 64];
    char    out[DNAME_MAX + 1];
    size_t  i;

    /* valid names stay as they are */
    T_CHECK(norm_ok("example.com", "example.com"), "plain name");
    T_CHECK(norm_ok("a", "a"), "one label");
    T_CHECK(norm_ok("mx-1.mail.example.org", "mx-1.mail.example.org"),
            "inner hyphen");
    T_CHECK(norm_ok("a-b-c.d0", "a-b-c.d0"), "digits and hyphens");
    /* case folded */
    T_CHECK(norm_ok("Example.COM", "example.com"), "upper case folded");
    T_CHECK(norm_ok("MX.EXAMPLE.NET.", "mx.example.net"),
            "upper case and trailing dot");
    /* trailing dot stripped, once */
    T_CHECK(norm_ok("example.com.", "example.com"), "trailing dot stripped");
    T_CHECK(norm_bad("example.com..", 13), "two trailing dots refused");
    T_CHECK(norm_bad(".", 1), "root alone refused");
    T_CHECK(norm_bad("", 0), "empty refused");
    /* path characters and empty labels */
    T_CHECK(norm_bad("../../x", 7), "../../x refused");
    T_CHECK(norm_bad("a/b", 3), "slash refused");
    T_CHECK(norm_bad("x..y", 4), "empty label refused");
    T_CHECK(norm_bad(".x", 2), "leading dot refused");
    T_CHECK(norm_bad("a\\b", 3), "backslash refused");
    T_CHECK(norm_bad("a b", 3), "space refused");
    T_CHECK(norm_bad("a\0b.com", 7), "NUL inside refused");
    T_CHECK(norm_bad("exa\xc3\xa9mple.com", 13), "UTF-8 U-label refused");
    T_CHECK(norm_bad("\xff\xfe.com", 6), "invalid UTF-8 refused");
    /* underscore, hyphen at label ends */
    T_CHECK(norm_bad("_tcp.example.com", 16), "underscore refused");
    T_CHECK(norm_bad("a_b.example", 11), "inner underscore refused");
    T_CHECK(norm_bad("-a.example", 10), "leading hyphen refused");
    T_CHECK(norm_bad("a-.example", 10), "trailing hyphen refused");
    T_CHECK(norm_bad("a.example-", 10), "trailing hyphen last label");
    T_CHECK(norm_bad("a.-example", 10), "leading hyphen last label");
    T_CHECK(norm_bad("a.example-.", 11), "trailing hyphen before dot");
    /* IDN A-labels are ordinary LDH labels */
    T_CHECK(norm_ok("xn--bcher-kva.example", "xn--bcher-kva.example"),
            "A-label");
    T_CHECK(norm_ok("XN--BCHER-KVA.Example.", "xn--bcher-kva.example"),
            "A-label upper case");
    /* numeric names are names to dname_norm, flagged by is_numeric */
    T_CHECK(norm_ok("192.0.2.1", "192.0.2.1"), "numeric name accepted");
    T_CHECK(dname_is_numeric("192.0.2.1"), "numeric detected");
    T_CHECK(dname_is_numeric("123"), "digits only numeric");
    T_CHECK(!dname_is_numeric("1a.example"), "1a not numeric");
    T_CHECK(!dname_is_numeric("example.com"), "name not numeric");
    T_CHECK(!dname_is_numeric("1-2.3"), "hyphen not numeric");
    /* label length: 63 ok, 64 refused */
    rep(big, 'a', 63, ".example");
    T_CHECK(norm_ok(big, big), "63-byte label accepted");
    rep(big, 'a', 64, ".example");
    T_CHECK(norm_bad(big, strlen(big)), "64-byte label refused");
    rep(big, 'b', 64, "");
    T_CHECK(norm_bad(big, strlen(big)), "64-byte single label refused");
    /* total length: 253 ok, 254 refused, 300 refused */
    /* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 bytes */
    memset(name, 0, sizeof(name));
    for (i = 0; i < 253; i++)
        name[i] = (i == 63 || i == 127 || i == 191) ? '.' : 'a';
    T_CHECK(strlen(name) == 253 && norm_ok(name, name),
            "253-byte name accepted");
    name[253] = '.';            /* 254 bytes with the trailing dot */
    T_CHECK(dname_norm(name, 254, out) == 0 && strlen(out) == 253,
            "253 bytes plus trailing dot accepted");
    name[253] = 'a';            /* 254 bytes, last label 62 */
    T_CHECK(norm_bad(name, 254), "254-byte name refused");
    for (i = 0; i < 300; i++)
        big[i] = (i % 50 == 49) ? '.' : 'a';
    big[300] = 0;
    T_CHECK(norm_bad(big, 300), "300-byte name refused");
    rep(big, 'a', 300, "");
    T_CHECK(norm_bad(big, 300), "300-byte single label refused");
    /* the len argument bounds the read: no NUL needed */
    T_CHECK(dname_norm("example.comXXX", 11, out) == 0
            && strcmp(out, "example.com") == 0, "len bounds the input");
    /* dname_valid: canonical only */
    t_dname_gen();
    T_CHECK(dname_valid("example.com"), "valid canonical");
    T_CHECK(!dname_valid("Example.com"), "upper case not canonical");
    T_CHECK(!dname_valid("example.com."), "trailing dot not canonical");
    T_CHECK(!dname_valid(""), "empty not valid");
    T_CHECK(!dname_valid("../x"), "../x not valid");
    rep(big, 'a', 300, "");
    T_CHECK(!dname_valid(big), "300 bytes not valid");
}

/* ref_check - dname_check as it was written before its SSE2 path, kept
 * here to test that path against */
static int
ref_check(const char *in, size_t len, size_t *clen)
{
    const unsigned char *p = (const unsigned char *) in;
    size_t  i = 0;
    size_t  start = 0;
    int     upper = 0;

    if (len > 0 && in[len - 1] == '.')
        len--;
    if (len == 0 || len > DNAME_MAX)
        return -1;
    for (;;) {
        while (i < len && ((p[i] >= '0' && p[i] <= '9')
                           || (p[i] >= 'a' && p[i] <= 'z')))
            i++;
        if (i < len && p[i] != '.') {
            if (p[i] == '-') {
                if (i == start)
                    return -1;
            } else if (p[i] >= 'A' && p[i] <= 'Z') {
                upper = 1;
            } else {
                return -1;
            }
            i++;
            continue;
        }
        if (i == start || i - start > 63 || p[i - 1] == '-')
            return -1;
        if (i == len)
            break;
        start = ++i;
    }
    *clen = len;
    return upper;
}

/* t_dname_gen - dname_check as the loop gives it, on two million
 * generated names of 0 to 80 bytes: mostly letters and digits, with
 * dots, hyphens, upper case, bytes no name holds (NUL, '_', 0x80 and
 * up) and long labels */
static void
t_dname_gen(void)
{
    static const char pool[] = "abcxyz0189..--AZQ_\x00\x80\xff\x7f/@";
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    char    name[96];
    int     i, bad = 0, valid = 0, upper = 0;

    for (i = 0; i < 2000000; i++) {
        size_t  len, k, c1 = 7, c2 = 7;
        int     a, b;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        len = (size_t) (x % 81);
        for (k = 0; k < len; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* three in four bytes a letter or digit: names that pass */
            name[k] = (x >> 20) % 4 ? "abcdefghijklmnopqrstuvwxyz0123456789"
                [(x >> 24) % 36] : pool[(x >> 32) % (sizeof(pool) - 1)];
        }
        a = dname_check(name, len, &c1);
        b = ref_check(name, len, &c2);
        if (i % 8 == 0) {
            /* the name at the end of a block of its own size: a read
             * past it is one AddressSanitizer sees (make asan) */
            char   *own = malloc(len ? len : 1);
            size_t  c3 = 7;

            memcpy(own, name, len);
            if (dname_check(own, len, &c3) != a || (a >= 0 && c3 != c1))
                b = a + 2;      /* counted as a difference below */
            free(own);
        }
        valid += a == 0;
        upper += a == 1;
        if (a != b || (a >= 0 && c1 != c2)) {
            if (bad++ < 5)
                fprintf(stderr, "  \"%.*s\" (%zu): %d, the loop %d\n",
                        (int) len, name, len, a, b);
        }
    }
    T_CHECK(bad == 0 && valid > 10000 && upper > 10000,
            "dname_check as the loop: %d of two million differ "
            "(%d valid, %d with upper case)", bad, valid, upper);
}

/* --------------------------------------------------------------- ipaddr */

static void t_ipaddr_v6_text(void);

/* ip_ok - ipaddr_norm(in) gives want */
static int
ip_ok(const char *in, const char *want)
{
    char    out[IPADDR_MAX + 1];

    if (ipaddr_norm(in, strlen(in), out) != 0) {
        fprintf(stderr, "  ipaddr_norm(%s) refused\n", in);
        return 0;
    }
    if (strcmp(out, want) != 0) {
        fprintf(stderr, "  ipaddr_norm(%s) = %s, want %s\n", in, out, want);
        return 0;
    }
    return 1;
}

/* ip_bad - ipaddr_norm(in) refuses */
static int
ip_bad(const char *in)
{
    char    out[IPADDR_MAX + 1];

    return ipaddr_norm(in, strlen(in), out) == -1;
}

static void
t_ipaddr(void)
{
    char    out[IPADDR_MAX + 1];
    char    big[128];

    /* IPv4 */
    T_CHECK(ip_ok("192.0.2.1", "192.0.2.1"), "IPv4");
    T_CHECK(ip_ok("0.0.0.0", "0.0.0.0"), "IPv4 zero");
    T_CHECK(ip_ok("255.255.255.255", "255.255.255.255"), "IPv4 max");
    T_CHECK(ip_bad("256.0.0.1"), "IPv4 octet > 255");
    T_CHECK(ip_bad("1.2.3"), "IPv4 three parts");
    T_CHECK(ip_bad("1.2.3.4.5"), "IPv4 five parts");
    T_CHECK(ip_bad("1.2.3.4 "), "IPv4 trailing space");
    /* IPv6 forms to RFC 5952 */
    T_CHECK(ip_ok("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), "lower case, ::");
    T_CHECK(ip_ok("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
            "leading zeros dropped");
    T_CHECK(ip_ok("2001:db8::0001", "2001:db8::1"), "compressed input");
    T_CHECK(ip_ok("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            "single zero field not compressed (5952 4.2.2)");
    T_CHECK(ip_ok("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            "first of equal runs compressed (5952 4.2.3)");
    T_CHECK(ip_ok("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
            "longest run compressed (5952 4.2.3)");
    T_CHECK(ip_ok("::", "::"), "unspecified");
    T_CHECK(ip_ok("0:0:0:0:0:0:0:1", "::1"), "loopback");
    T_CHECK(ip_ok("fe80:0:0:0:0:0:0:0", "fe80::"), "trailing run");
    T_CHECK(ip_ok("2001:1578:400:111::7", "2001:1578:400:111::7"),
            "corpus address unchanged");
    /* Sendmail prefix */
    T_CHECK(ip_ok("IPv6:2001:db8::1", "2001:db8::1"), "IPv6: prefix");
    T_CHECK(ip_ok("ipv6:2001:DB8::1", "2001:db8::1"), "ipv6: any case");
    T_CHECK(ip_bad("IPv6:"), "prefix alone");
    /* IPv4-mapped */
    T_CHECK(ip_ok("::ffff:1.2.3.4", "1.2.3.4"), "mapped to IPv4");
    T_CHECK(ip_ok("::FFFF:192.0.2.1", "192.0.2.1"), "mapped upper case");
    T_CHECK(ip_ok("0:0:0:0:0:ffff:c000:0201", "192.0.2.1"), "mapped hex");
    T_CHECK(ip_ok("IPv6:::ffff:192.0.2.1", "192.0.2.1"), "prefix + mapped");
    /* zone ids, brackets, ports refused */
    T_CHECK(ip_bad("fe80::1%eth0"), "zone id");
    T_CHECK(ip_bad("fe80::1%1"), "numeric zone id");
    T_CHECK(ip_bad("[2001:db8::1]"), "brackets");
    T_CHECK(ip_bad("[192.0.2.1]"), "IPv4 brackets");
    T_CHECK(ip_bad("192.0.2.1:25"), "IPv4 port");
    T_CHECK(ip_bad("[2001:db8::1]:25"), "IPv6 port");
    T_CHECK(ip_bad("2001:db8::1/64"), "prefix length");
    /* junk */
    T_CHECK(ip_bad(""), "empty");
    T_CHECK(ip_bad("example.com"), "name");
    T_CHECK(ip_bad("1:2:3:4:5:6:7:8:9"), "nine groups");
    T_CHECK(ip_bad("2001:db8::1::2"), "two ::");
    T_CHECK(ip_bad("12345::1"), "group over 4 digits");
    T_CHECK(ipaddr_norm("1.2.3.4\0x", 9, out) == -1, "NUL inside");
    memset(big, '1', sizeof(big));
    T_CHECK(ipaddr_norm(big, sizeof(big), out) == -1, "128 bytes refused");
    /* longest legal text form fits */
    T_CHECK(ip_ok("0000:0000:0000:0000:0000:ffff:255.255.255.255",
                  "255.255.255.255"), "45-byte input");
    T_CHECK(ip_ok("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
                  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            "45-byte input, longest output");
    /* len bounds the read */
    T_CHECK(ipaddr_norm("192.0.2.1]:25", 9, out) == 0
            && strcmp(out, "192.0.2.1") == 0, "len bounds the input");
    t_ipaddr_v6_text();
}

/* t_ipaddr_v6_text - IPv6 text as inet_ntop() prints it, on a million
 * addresses rich in zero groups (runs of every length and place, ties
 * between runs, IPv4-compatible forms), each given fully written out
 * in upper case */
static void
t_ipaddr_v6_text(void)
{
    uint64_t x = 88172645463325252ULL;
    unsigned char a[16];
    char    in[64], want[64], out[IPADDR_MAX + 1];
    int     i, k, bad = 0;
    static const unsigned char mapped[12] =
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    for (i = 0; i < 1000000; i++) {
        for (k = 0; k < 8; k++) {
            unsigned v;

            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            switch (x % 8) {
            case 0: case 1: case 2: case 3:
                v = 0;
                break;
            case 4:
                v = (unsigned) (x >> 8) & 0xf;
                break;
            case 5:
                v = 0xffff;
                break;
            default:
                v = (unsigned) (x >> 8) & ((1u << ((x >> 30) % 17)) - 1);
                break;
            }
            a[2 * k] = (unsigned char) (v >> 8);
            a[2 * k + 1] = (unsigned char) v;
        }
        if (memcmp(a, mapped, 12) == 0)
            continue;           /* printed as IPv4: checked above */
        snprintf(in, sizeof(in), "%02X%02X:%02X%02X:%02X%02X:%02X%02X:"
                 "%02X%02X:%02X%02X:%02X%02X:%02X%02X", a[0], a[1], a[2],
                 a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
                 a[12], a[13], a[14], a[15]);
        if (inet_ntop(AF_INET6, a, want, sizeof(want)) == NULL
            || ipaddr_norm(in, strlen(in), out) != 0
            || strcmp(out, want) != 0) {
            if (bad++ < 5)
                fprintf(stderr, "  %s: %s, inet_ntop %s\n", in, out, want);
        }
    }
    T_CHECK(bad == 0, "IPv6 text as inet_ntop's: %d of a million differ",
            bad);
}

/* ----------------------------------------------------------------- span */
/* ----------------------------------------------------------------- span */

/* span_mem_same and span_mem_put (the word-at-a-time forms) against
 * memcmp and memcpy: every length to 40, two strings that differ in
 * each one byte in turn (and not at all), at odd addresses; a copy
 * writes the n bytes and nothing around them */
static void
t_span_mem(void)
{
    unsigned char a[64], b[64], d[64];
    uint64_t seed = 0x2545f4914f6cdd1dULL;
    size_t  n, k, i;
    int     bad_same = 0, bad_put = 0;

    for (n = 0; n <= 40; n++) {
        for (k = 0; k <= n; k++) {      /* k == n: the same bytes */
            for (i = 0; i < sizeof(a); i++) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                a[i] = b[i] = (unsigned char) seed;
            }
            if (k < n)
                b[3 + k] ^= (unsigned char) (1 + (seed >> 8) % 255);
            if (span_mem_same(a + 3, b + 3, n)
                != (memcmp(a + 3, b + 3, n) == 0))
                bad_same++;
            memset(d, 0xa5, sizeof(d));
            span_mem_put(d + 5, b + 3, n);
            for (i = 0; i < sizeof(d); i++)
                if (d[i] != (i >= 5 && i < 5 + n ? b[i - 2] : 0xa5))
                    bad_put++;
        }
    }
    T_CHECK(bad_same == 0, "span_mem_same: %d differ from memcmp", bad_same);
    T_CHECK(bad_put == 0, "span_mem_put: %d bytes differ from memcpy",
            bad_put);
    T_CHECK(span_mem_same(NULL, NULL, 0), "span_mem_same: nothing");
    span_mem_put(d, NULL, 0);
    T_CHECK(d[0] == 0xa5, "span_mem_put: nothing");
}

static void
t_span(void)
{
    const char *text = "to=<a@b.example>, relay=mx[192.0.2.1]:25";
    struct span s = span_make(text, strlen(text));
    struct span out = {0, 0};
    struct span w;
    struct span lit = SPAN_LIT("abc");
    char    buf[8];
    char    nul[] = {'a', 0, 'b', 'c'};
    struct span sn = span_make(nul, 4);

    T_CHECK(lit.len == 3 && memcmp(lit.ptr, "abc", 3) == 0, "SPAN_LIT");
    T_CHECK(span_eq(lit, "abc") && !span_eq(lit, "ab")
            && !span_eq(lit, "abcd"), "span_eq whole span only");
    T_CHECK(span_eq(span_make("", 0), ""), "span_eq empty");
    T_CHECK(span_is(lit, "abc") && !span_is(lit, "ab") && !span_is(lit, "abcd")
            && !span_is(lit, "") && span_is(span_make(NULL, 0), "")
            && !span_is(span_make("ab\0", 3), "ab")
            && !span_is(span_make("ab", 2), "abc"),
            "span_is: the C string, whole");
    T_CHECK(span_starts(s, "to=<") && !span_starts(s, "relay"),
            "span_starts");
    T_CHECK(span_starts(lit, "") && !span_starts(lit, "abcd"),
            "span_starts empty, longer");
    T_CHECK(span_ends(s, ":25") && !span_ends(s, "26")
            && !span_ends(lit, "xabc"), "span_ends");
    /* span_ends must look at the span, not past it */
    T_CHECK(span_ends(span_make("abcdef", 3), "abc")
            && !span_ends(span_make("abcdef", 3), "def"), "span_ends bound");
    /* span_skip chains, unchanged on failure */
    w = s;
    T_CHECK(span_skip(&w, "relay") == -1 && w.ptr == s.ptr && w.len == s.len,
            "span_skip failure leaves cursor");
    T_CHECK(span_skip(&w, "to=<") == 0 && w.ptr == s.ptr + 4
            && w.len == s.len - 4, "span_skip success");
    T_CHECK(span_skip(&w, "") == 0 && w.ptr == s.ptr + 4, "span_skip empty");
    /* span_find */
    T_CHECK(span_find(s, "relay=") == 18, "span_find offset");
    T_CHECK(span_find(s, "nowhere") == -1, "span_find miss");
    T_CHECK(span_find(s, "") == 0, "span_find empty");
    T_CHECK(span_find(span_make("abcdef", 3), "de") == -1,
            "span_find stays inside");
    T_CHECK(span_find(span_make("abcdef", 4), "cd") == 2,
            "span_find at the end");
    T_CHECK(span_find(sn, "bc") == 2, "span_find across NUL");
    /* span_upto */
    w = s;
    (void) span_skip(&w, "to=<");
    T_CHECK(span_upto(&w, ">", &out, 100) == 0 && span_eq(out, "a@b.example")
            && span_starts(w, ", relay"), "span_upto");
    w = s;
    T_CHECK(span_upto(&w, ">", &out, 5) == -1 && w.ptr == s.ptr,
            "span_upto max refused, cursor kept");
    T_CHECK(span_upto(&w, "#", &out, 100) == -1 && w.ptr == s.ptr,
            "span_upto miss");
    w = span_make("x>", 2);
    T_CHECK(span_upto(&w, ">", &out, 1) == 0 && out.len == 1 && w.len == 0,
            "span_upto at max, to the end");
    /* span_word */
    w = span_make("one two  three", 14);
    T_CHECK(span_word(&w, &out, 10) == 0 && span_eq(out, "one")
            && span_eq(w, "two  three"), "span_word first");
    T_CHECK(span_word(&w, &out, 10) == 0 && span_eq(out, "two")
            && span_eq(w, " three"), "span_word eats one space");
    T_CHECK(span_word(&w, &out, 10) == -1 && span_eq(w, " three"),
            "span_word empty word refused");
    w = span_make("three", 5);
    T_CHECK(span_word(&w, &out, 4) == -1 && w.len == 5, "span_word max");
    T_CHECK(span_word(&w, &out, 5) == 0 && span_eq(out, "three")
            && w.len == 0, "span_word to end");
    T_CHECK(span_word(&w, &out, 5) == -1, "span_word on empty");
    /* span_drop */
    w = span_make("abc", 3);
    span_drop(&w, 1);
    T_CHECK(span_eq(w, "bc"), "span_drop 1");
    span_drop(&w, 99);
    T_CHECK(w.len == 0, "span_drop clipped");
    /* span_trim */
    T_CHECK(span_eq(span_trim(span_make("ab \t\r\n", 6)), "ab"), "span_trim");
    T_CHECK(span_eq(span_trim(span_make(" \r\n", 3)), ""), "span_trim all");
    T_CHECK(span_eq(span_trim(span_make(" a", 2)), " a"),
            "span_trim keeps leading");
    /* span_copy */
    T_CHECK(span_copy(span_make("1234567", 7), buf, sizeof(buf)) == 0
            && strcmp(buf, "1234567") == 0, "span_copy fits exactly");
    strcpy(buf, "junk");
    T_CHECK(span_copy(span_make("12345678", 8), buf, sizeof(buf)) == -1
            && buf[0] == 0, "span_copy too long gives \"\"");
    T_CHECK(span_copy(span_make("x", 1), buf, 0) == -1, "span_copy cap 0");
    T_CHECK(span_copy(span_make("", 0), buf, 1) == 0 && buf[0] == 0,
            "span_copy empty");
}

/* ----------------------------------------------------------------- htab */

static int t_freed;

static void
t_free(void *p)
{
    t_freed++;
    free(p);
}

struct walk_ctx {
    size_t  n;
    size_t  bytes;
    int     bad;
};

static void
t_walk(const void *key, size_t klen, void *value, void *ctx)
{
    struct walk_ctx *w = ctx;
    char    buf[32];
    int     k;

    w->n++;
    w->bytes += klen;
    /* keys are "k<number>" (not NUL-terminated); values hold the number */
    if (klen < 2 || klen >= sizeof(buf) || ((const char *) key)[0] != 'k') {
        w->bad++;
        return;
    }
    memcpy(buf, key, klen);
    buf[klen] = 0;
    if (sscanf(buf + 1, "%d", &k) != 1 || k != *(int *) value)
        w->bad++;
}

static int *
t_int(int v)
{
    int    *p = malloc(sizeof(*p));

    *p = v;
    return p;
}

static void
t_htab(void)
{
    struct htab *t = htab_create(0, t_free);
    char    key[32];
    int     i;
    int     found;
    int     wrong;
    int    *v;
    struct walk_ctx wc = {0, 0, 0};
    static const char k1[] = {'a', 0, 'b'};
    static const char k2[] = {'a', 0, 'c'};
    static const char k3[] = {'a'};
    static const char k4[] = {'a', 0};
    static const char k5[] = {0};

    T_CHECK(htab_count(t) == 0, "empty count");
    T_CHECK(htab_find(t, "x", 1) == NULL, "find in empty");
    htab_delete(t, "x", 1);
    T_CHECK(htab_count(t) == 0 && t_freed == 0, "delete missing is a no-op");
    /* keys are byte strings: NUL inside and NUL at the end differ */
    htab_enter(t, k1, 3, t_int(1));
    htab_enter(t, k2, 3, t_int(2));
    htab_enter(t, k3, 1, t_int(3));
    htab_enter(t, k4, 2, t_int(4));
    htab_enter(t, k5, 1, t_int(5));
    htab_enter(t, "", 0, t_int(6));
    T_CHECK(htab_count(t) == 6, "six NUL keys");
    v = htab_find(t, k1, 3);
    T_CHECK(v && *v == 1, "a\\0b");
    v = htab_find(t, k2, 3);
    T_CHECK(v && *v == 2, "a\\0c");
    v = htab_find(t, k3, 1);
    T_CHECK(v && *v == 3, "a");
    v = htab_find(t, k4, 2);
    T_CHECK(v && *v == 4, "a\\0");
    v = htab_find(t, k5, 1);
    T_CHECK(v && *v == 5, "\\0");
    v = htab_find(t, "", 0);
    T_CHECK(v && *v == 6, "empty key");
    htab_delete(t, k1, 3);
    T_CHECK(htab_find(t, k1, 3) == NULL && htab_find(t, k2, 3) != NULL
            && htab_count(t) == 5 && t_freed == 1,
            "delete a\\0b keeps a\\0c, value freed");
    htab_delete(t, k1, 3);
    T_CHECK(htab_count(t) == 5 && t_freed == 1, "second delete no-op");
    t = htab_free(t);
    T_CHECK(t == NULL && t_freed == 6, "htab_free frees every value");

    /* growth to 10000 keys from the smallest table */
    t_freed = 0;
    t = htab_create(1, t_free);
    for (i = 0; i < 10000; i++) {
        int     n = snprintf(key, sizeof(key), "k%d", i);

        htab_enter(t, key, (size_t) n, t_int(i));
    }
    T_CHECK(htab_count(t) == 10000, "10000 keys counted");
    found = wrong = 0;
    for (i = 0; i < 10000; i++) {
        int     n = snprintf(key, sizeof(key), "k%d", i);

        v = htab_find(t, key, (size_t) n);
        if (v && *v == i)
            found++;
        else
            wrong++;
    }
    T_CHECK(found == 10000 && wrong == 0, "all 10000 found after growth "
            "(%d found, %d wrong)", found, wrong);
    T_CHECK(htab_find(t, "k10000", 6) == NULL, "absent key");
    T_CHECK(htab_find(t, "k1", 1) == NULL, "prefix of a key is absent");
    htab_walk(t, t_walk, &wc);
    T_CHECK(wc.n == 10000 && wc.bad == 0, "walk visits each once (%zu, %d)",
            wc.n, wc.bad);
    /* delete the even keys */
    for (i = 0; i < 10000; i += 2) {
        int     n = snprintf(key, sizeof(key), "k%d", i);

        htab_delete(t, key, (size_t) n);
    }
    T_CHECK(htab_count(t) == 5000 && t_freed == 5000, "5000 deleted");
    found = wrong = 0;
    for (i = 0; i < 10000; i++) {
        int     n = snprintf(key, sizeof(key), "k%d", i);

        v = htab_find(t, key, (size_t) n);
        if ((i % 2 == 0) == (v == NULL) && (v == NULL || *v == i))
            found++;
        else
            wrong++;
    }
    T_CHECK(wrong == 0, "after delete: odd present, even gone (%d wrong)",
            wrong);
    /* re-enter deleted keys */
    for (i = 0; i < 10000; i += 2) {
        int     n = snprintf(key, sizeof(key), "k%d", i);

        htab_enter(t, key, (size_t) n, t_int(i));
    }
    wc.n = 0;
    wc.bad = 0;
    htab_walk(t, t_walk, &wc);
    T_CHECK(htab_count(t) == 10000 && wc.n == 10000 && wc.bad == 0,
            "re-entered keys walk (count %zu, walked %zu, bad %d)",
            htab_count(t), wc.n, wc.bad);
    t = htab_free(t);
    T_CHECK(t_freed == 15000, "all values freed (%d)", t_freed);
    T_CHECK(htab_free(NULL) == NULL, "htab_free(NULL)");

    /* a table without destructor */
    t = htab_create(4, NULL);
    htab_enter(t, "x", 1, &wc);
    T_CHECK(htab_find(t, "x", 1) != NULL, "no destructor: find");
    htab_delete(t, "x", 1);
    T_CHECK(htab_count(t) == 0, "no destructor: delete");
    htab_free(t);
}

/* t_odd - htab_sweep predicate: drop entries holding an odd number */
static int
t_odd(const void *key, size_t klen, void *value, void *ctx)
{
    (void) key;
    (void) klen;
    (*(int *) ctx)++;
    return *(int *) value % 2 == 1;
}

/* t_htab_sweep - delete while walking: the right ones go, all are seen */
static void
t_htab_sweep(void)
{
    struct htab *t = htab_create(0, t_free);
    char    key[32];
    int     i, visits = 0, ok = 1;
    size_t  gone;

    t_freed = 0;
    for (i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        htab_enter(t, key, strlen(key), t_int(i));
    }
    gone = htab_sweep(t, t_odd, &visits);
    T_CHECK(gone == 500 && visits == 1000 && t_freed == 500,
            "sweep deleted %zu of %d seen, freed %d", gone, visits, t_freed);
    T_CHECK(htab_count(t) == 500, "count after sweep %zu", htab_count(t));
    for (i = 0; i < 1000; i++) {
        int    *v;

        snprintf(key, sizeof(key), "k%d", i);
        v = htab_find(t, key, strlen(key));
        if ((i % 2 == 0) != (v != NULL && *v == i))
            ok = 0;
    }
    T_CHECK(ok, "even keys kept, odd keys gone");
    htab_free(t);
}

/* ---------------------------------------------- htab, values inline */

struct t_iv {
    int64_t last;               /* the stamp, as corr.c keeps it */
    int     v;
    char    pad[100];
};

struct t_order {
    char    keys[6000][8];      /* keys in the order seen */
    size_t  n;
    int64_t before;
    int     bad;
    int     zero;               /* values seen with pad not zeroed */
};

/* t_order_note - note a key of up to 7 bytes in the order seen */
static void
t_order_note(struct t_order *o, const void *key, size_t klen)
{
    if (o->n < 6000 && klen < 8) {
        memcpy(o->keys[o->n], key, klen);
        o->keys[o->n++][klen] = 0;
    }
}

/* t_iv_walk - htab_walk: note the keys stamped before ctx->before */
static void
t_iv_walk(const void *key, size_t klen, void *value, void *ctx)
{
    struct t_order *o = ctx;
    struct t_iv *iv = value;

    if (iv->last < o->before)
        t_order_note(o, key, klen);
}

/* t_iv_drop - htab_sweep_stamped predicate: drop what is stamped before;
 * note the order */
static int
t_iv_drop(const void *key, size_t klen, void *value, void *ctx)
{
    struct t_order *o = ctx;
    struct t_iv *iv = value;

    if (iv->last >= o->before)
        return 0;
    t_order_note(o, key, klen);
    return 1;
}

/* t_htab_key_lens - keys of every length from 1 to 300 bytes (the
 * copy of a new entry's key takes another way up to 16, up to 32 and
 * above), of any bytes, kept as given: found again, and the entry's
 * key is their bytes */
static void
t_htab_key_lens(void)
{
    struct htab *t = htab_create_inline(16, 32, 300, NULL);
    unsigned char keys[300][300];
    uint64_t x = 88172645463325252ULL;
    size_t  n, i;
    int     bad = 0;

    for (n = 1; n <= 300; n++) {
        for (i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            keys[n - 1][i] = (unsigned char) x;
        }
        (void) htab_enter_inline(t, keys[n - 1], n, 1);
    }
    for (n = 1; n <= 300; n++) {
        void   *v = htab_find(t, keys[n - 1], n);

        if (v == NULL || memcmp(htab_key_inline(v), keys[n - 1], n) != 0)
            bad++;
    }
    T_CHECK(bad == 0 && htab_count(t) == 300,
            "inline keys of 1 to 300 bytes kept as given (%d differ)", bad);
    htab_free(t);
}

/* t_htab_inline - values in the entries, stamps, the stamped sweep: the
 * same keys go as with a walk of every slot, in the same order */
static void
t_htab_inline(void)
{
    static struct t_order walk, swept;
    struct htab *t = htab_create_inline(1, sizeof(struct t_iv), 7, NULL);
    struct t_iv *iv;
    char    key[16];
    int     i, n, ok = 1;
    size_t  gone;

    for (i = 0; i < 5000; i++) {
        n = snprintf(key, sizeof(key), "k%d", i);
        iv = htab_enter_inline(t, key, (size_t) n, i);
        if (iv->last != 0 || iv->v != 0 || iv->pad[99] != 0)
            ok = 0;
        iv->last = i;
        iv->v = i;
        memset(iv->pad, 'x', sizeof(iv->pad));
    }
    T_CHECK(ok && htab_count(t) == 5000, "inline: 5000 values, zeroed");
    /* k10 goes later, k4000 earlier than first stamped */
    iv = htab_find(t, "k10", 3);
    iv->last = 9000;
    htab_stamp(t, iv, 9000);
    iv = htab_find(t, "k4000", 5);
    iv->last = 5;
    htab_stamp(t, iv, 5);
    walk.before = swept.before = 2500;
    htab_walk(t, t_iv_walk, &walk);
    gone = htab_sweep_stamped(t, 2500, t_iv_drop, &swept);
    T_CHECK(gone == 2500 && walk.n == 2500 && swept.n == 2500
            && memcmp(walk.keys, swept.keys, sizeof(walk.keys)) == 0,
            "stamped sweep: %zu gone, the keys and order of a full walk",
            gone);
    T_CHECK(htab_find(t, "k10", 3) != NULL && htab_find(t, "k4000", 5)
            == NULL && htab_find(t, "k2499", 5) == NULL
            && htab_find(t, "k2500", 5) != NULL,
            "a later stamp keeps a key, an earlier one drops it");
    /* a second sweep at the same point asks nobody */
    swept.n = 0;
    gone = htab_sweep_stamped(t, 2500, t_iv_drop, &swept);
    T_CHECK(gone == 0 && swept.n == 0, "second sweep: nothing (%zu)", gone);
    /* the entries of dropped keys serve new ones, zeroed */
    ok = 1;
    for (i = 0; i < 2500; i++) {
        n = snprintf(key, sizeof(key), "n%d", i);
        iv = htab_enter_inline(t, key, (size_t) n, 7000);
        if (iv->last != 0 || iv->v != 0 || iv->pad[0] != 0)
            ok = 0;
        iv->last = 7000;
    }
    iv = htab_find(t, "k3000", 5);
    T_CHECK(ok && htab_count(t) == 5000 && iv != NULL && iv->v == 3000,
            "reused entries zeroed, others kept");
    htab_delete(t, "k3000", 5);
    T_CHECK(htab_find(t, "k3000", 5) == NULL && htab_count(t) == 4999,
            "inline delete");
    walk.n = swept.n = 0;
    walk.before = swept.before = 7001;
    htab_walk(t, t_iv_walk, &walk);
    gone = htab_sweep_stamped(t, 7001, t_iv_drop, &swept);
    T_CHECK(gone == 4998 && memcmp(walk.keys, swept.keys,
                                   sizeof(walk.keys)) == 0,
            "sweep after growth and reuse: walk's order (%zu)", gone);
    htab_free(t);

    /* short and long keys (entries of two sizes), each reused by its
     * size: every key found, every value zeroed and its own */
    t = htab_create_inline(4, sizeof(struct t_iv), 100, NULL);
    ok = 1;
    for (n = 0; n < 2; n++) {
        for (i = 0; i < 300; i++) {
            int     len = (i + n) % 2 ? 90 : 12;

            {
                char    lk[100];

                memset(lk, 'a' + n, sizeof(lk));
                snprintf(lk, sizeof(lk), "%c%d", 'a' + n, i);
                lk[strlen(lk)] = 'z';
                iv = htab_enter_inline(t, lk, (size_t) len, 1);
                if (iv->v != 0 || iv->pad[99] != 0)
                    ok = 0;
                iv->v = i + 1;
                iv->last = n == 0 ? 1 : 3;
                htab_stamp(t, iv, iv->last);
                memset(iv->pad, 'y', sizeof(iv->pad));
            }
        }
        if (n == 0) {
            walk.before = swept.before = 2;
            swept.n = 0;
            if (htab_sweep_stamped(t, 2, t_iv_drop, &swept) != 300)
                ok = 0;
        }
    }
    for (i = 0; i < 300; i++) {
        char    lk[100];
        int     len = (i + 1) % 2 ? 90 : 12;

        memset(lk, 'b', sizeof(lk));
        snprintf(lk, sizeof(lk), "b%d", i);
        lk[strlen(lk)] = 'z';
        iv = htab_find(t, lk, (size_t) len);
        if (iv == NULL || iv->v != i + 1)
            ok = 0;
    }
    T_CHECK(ok && htab_count(t) == 300, "short and long keys, reused by "
            "size (count %zu)", htab_count(t));
    htab_free(t);
}

/* t_htab_hashed - look-ups and entries with the hash given (computed
 * on another thread in the parsers): the same keys found as without
 * it, only the bytes asked zeroed on a reused entry, prefetch changes
 * nothing */
static void
t_htab_hashed(void)
{
    struct htab *t = htab_create_inline(1, sizeof(struct t_iv), 16, NULL);
    struct t_iv *iv;
    char    key[16];
    int     i, n, ok = 1;
    size_t  zero = offsetof(struct t_iv, pad);

    for (i = 0; i < 3000; i++) {
        n = snprintf(key, sizeof(key), "h%d", i);
        htab_prefetch(t, htab_hash(key, (size_t) n), i % 2);
        iv = htab_enter_hashed(t, key, (size_t) n,
                               htab_hash(key, (size_t) n), i, zero);
        if (iv->last != 0 || iv->v != 0)
            ok = 0;
        iv->last = i;
        iv->v = i + 1;
        memset(iv->pad, 'p', sizeof(iv->pad));
    }
    for (i = 0; i < 3000; i++) {
        n = snprintf(key, sizeof(key), "h%d", i);
        htab_prefetch(t, htab_hash(key, (size_t) n), 0);
        htab_prefetch(t, htab_hash(key, (size_t) n), 1);
        iv = htab_find_hashed(t, key, (size_t) n, htab_hash(key, (size_t) n));
        if (iv == NULL || iv != htab_find(t, key, (size_t) n)
            || iv->v != i + 1)
            ok = 0;
    }
    T_CHECK(ok && htab_count(t) == 3000 && htab_find_hashed(t, "x", 1,
                                                htab_hash("x", 1)) == NULL,
            "hashed: 3000 keys entered and found, as without the hash");
    /* reused entries: the first zero bytes zeroed, the rest as left */
    for (i = 0; i < 3000; i++) {
        n = snprintf(key, sizeof(key), "h%d", i);
        iv = htab_find(t, key, (size_t) n);
        iv->last = 0;
        htab_stamp(t, iv, 0);
    }
    {
        static struct t_order o;

        o.before = 1;
        (void) htab_sweep_stamped(t, 1, t_iv_drop, &o);
    }
    ok = htab_count(t) == 0;
    for (i = 0; i < 100; i++) {
        n = snprintf(key, sizeof(key), "r%d", i);
        iv = htab_enter_hashed(t, key, (size_t) n,
                               htab_hash(key, (size_t) n), 5, zero);
        if (iv->last != 0 || iv->v != 0 || iv->pad[0] != 'p'
            || iv->pad[99] != 'p')
            ok = 0;
    }
    T_CHECK(ok && htab_count(t) == 100, "hashed: reused entries zeroed up "
            "to the bytes asked, the rest kept (%zu)", htab_count(t));
    htab_free(t);
}

/* t_stamp_drop - htab_sweep predicate of the twin table in
 * t_htab_groups: what htab_sweep_stamped asks about and drops (stamped
 * before o->before, and its own rule: an odd v is kept), noted */
static int
t_stamp_drop(const void *key, size_t klen, void *value, void *ctx)
{
    struct t_order *o = ctx;
    struct t_iv *iv = value;

    if (iv->last >= o->before)
        return 0;
    t_order_note(o, key, klen);
    return iv->v % 2 == 0;
}

/* t_htab_groups - the stamped sweep (a bound per group of slots) against
 * a walk of every entry (htab_sweep) of a twin table given the same keys,
 * stamps and sweeps: the same entries asked, in the same order, the same
 * dropped, over growth, re-stamps, reuse and sweeps at random times */
static void
t_htab_groups(void)
{
    static struct t_order a, b;
    struct htab *ts = htab_create_inline(1, sizeof(struct t_iv), 7, NULL);
    struct htab *tw = htab_create_inline(1, sizeof(struct t_iv), 7, NULL);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    int     round, i, n, ok = 1;
    char    key[16];

    for (round = 0; round < 60 && ok; round++) {
        int64_t before;

        for (i = 0; i < 400; i++) {
            struct t_iv *vs, *vw;
            int64_t stamp;

            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            n = snprintf(key, sizeof(key), "g%u", (unsigned) (x % 3000));
            stamp = (int64_t) (round * 100 + (int) (x >> 40) % 400);
            if ((vs = htab_find(ts, key, (size_t) n)) == NULL) {
                vs = htab_enter_inline(ts, key, (size_t) n, stamp);
                vw = htab_enter_inline(tw, key, (size_t) n, stamp);
                vs->v = vw->v = (int) (x >> 20) & 0xffff;
            } else if ((vw = htab_find(tw, key, (size_t) n)) == NULL) {
                ok = 0;
                break;
            }
            vs->last = vw->last = stamp;
            htab_stamp(ts, vs, stamp);
            htab_stamp(tw, vw, stamp);
        }
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        before = (int64_t) (round * 100) - (int64_t) (x % 300);
        a.n = b.n = 0;
        a.before = b.before = before;
        if (htab_sweep_stamped(ts, before, t_stamp_drop, &a)
            != htab_sweep(tw, t_stamp_drop, &b)
            || a.n != b.n || memcmp(a.keys, b.keys, sizeof(a.keys[0]) * a.n)
            || htab_count(ts) != htab_count(tw))
            ok = 0;
    }
    T_CHECK(ok, "stamped sweep, a bound per group of slots: the entries "
            "of a walk of all, in its order (round %d)", round);
    htab_free(ts);
    htab_free(tw);
}

/* what t_htab_groups_large keeps per key: a correlator's size */
struct t_big {
    int64_t last;
    unsigned id;
    char    pad[600];
};

/* t_big_order - an order-dependent sum of the keys asked about, and
 * the values found intact */
struct t_big_order {
    uint64_t sum;
    size_t  n;
    int64_t before;
    int     bad;
};

/* t_big_drop - htab_sweep predicate: asked about what is stamped
 * before o->before (noted in order), dropped unless its id is a
 * multiple of three; the value must be the one its key was given */
static int
t_big_drop(const void *key, size_t klen, void *value, void *ctx)
{
    struct t_big_order *o = ctx;
    struct t_big *b = value;
    size_t  i;

    if (b->last >= o->before)
        return 0;
    for (i = 0; i < klen; i++)
        o->sum = o->sum * 1099511628211ULL + ((const unsigned char *) key)[i];
    o->sum = o->sum * 31 + klen;
    o->n++;
    if (klen < 2 || b->id != (unsigned) strtoul((const char *) key + 1, NULL,
                                                10)
        || b->pad[0] != (char) b->id || b->pad[599] != (char) ~b->id)
        o->bad = 1;
    return b->id % 3 != 0;
}

/* t_htab_groups_large - the stamped sweep over entries of a
 * correlator's size (600-byte values, the sweep fetches all of each
 * entry), keys of 2 to 63 bytes (small and large entries, chains),
 * against htab_sweep of a twin table: the same entries asked, in the
 * same order, the same dropped, every value intact */
static void
t_htab_groups_large(void)
{
    struct htab *ts = htab_create_inline(1, sizeof(struct t_big), 64, NULL);
    struct htab *tw = htab_create_inline(1, sizeof(struct t_big), 64, NULL);
    uint64_t x = 0x2545f4914f6cdd1dULL;
    size_t  asked = 0, dropped = 0;
    int     round, i, n, ok = 1;
    char    key[80];

    for (round = 0; round < 40 && ok; round++) {
        struct t_big_order a = { 0 }, b = { 0 };
        int64_t before;

        for (i = 0; i < 500; i++) {
            struct t_big *vs, *vw;
            int64_t stamp;
            unsigned id;

            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            id = (unsigned) (x % 4000);
            /* the key's length from its id: the same id, the same key */
            n = snprintf(key, sizeof(key), "k%u.%.*s", id, (int) (id % 57),
                         "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcde");
            stamp = (int64_t) (round * 100 + (int) (x >> 40) % 400);
            if ((vs = htab_find(ts, key, (size_t) n)) == NULL) {
                vs = htab_enter_inline(ts, key, (size_t) n, stamp);
                vw = htab_enter_inline(tw, key, (size_t) n, stamp);
                vs->id = vw->id = id;
                vs->pad[0] = vw->pad[0] = (char) id;
                vs->pad[599] = vw->pad[599] = (char) ~id;
            } else if ((vw = htab_find(tw, key, (size_t) n)) == NULL) {
                ok = 0;
                break;
            }
            vs->last = vw->last = stamp;
            htab_stamp(ts, vs, stamp);
            htab_stamp(tw, vw, stamp);
        }
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        before = (int64_t) (round * 100) - (int64_t) (x % 300);
        a.before = b.before = before;
        n = (int) htab_sweep_stamped(ts, before, t_big_drop, &a);
        if ((size_t) n != htab_sweep(tw, t_big_drop, &b)
            || a.n != b.n || a.sum != b.sum || a.bad || b.bad
            || htab_count(ts) != htab_count(tw))
            ok = 0;
        asked += a.n;
        dropped += (size_t) n;
    }
    T_CHECK(ok && asked > 2000 && dropped > 1000 && dropped < asked,
            "stamped sweep, entries of 600-byte values and keys of up "
            "to 63 bytes: the entries of a walk of all, in its order, "
            "intact (round %d, %zu asked, %zu dropped)", round, asked, dropped);
    htab_free(ts);
    htab_free(tw);
}

/* t_near - "did you mean": distances and which candidates are offered */
static void
t_near(void)
{
    static const struct {
        const char *a, *b;
        int     d;
    } dist[] = {
        {"report", "report", 0}, {"reprot", "report", 1},
        {"ofline", "offline", 1}, {"organiztion_name", "organization_name", 1},
        {"relay_host", "relay_hosts", 1}, {"", "abc", 3}, {"abc", "", 3},
        {"kitten", "sitting", 3}, {"ab", "ba", 1},
    };
    char    big[NEAR_MAX + 2];
    size_t  i;

    for (i = 0; i < sizeof(dist) / sizeof(dist[0]); i++)
        T_CHECK(near_dist(dist[i].a, dist[i].b) == dist[i].d,
                "near_dist(%s, %s) = %d, want %d", dist[i].a, dist[i].b,
                near_dist(dist[i].a, dist[i].b), dist[i].d);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    T_CHECK(near_dist(big, "a") == NEAR_MAX + 1, "over-long word bounded");
    T_CHECK(near_close("reprot", "report") > 0, "reprot near report");
    T_CHECK(near_close("conf", "config") > 0, "a prefix is near");
    T_CHECK(near_close("report", "report") == 0, "itself is no suggestion");
    T_CHECK(near_close("xyz", "report") == 0, "xyz is not near report");
    T_CHECK(near_close("sesions", "sessions") > near_close("sesions",
                                                          "session"),
            "the nearer ranks higher");
    T_CHECK(near_close("ab", "xy") == 0, "short words: one edit at most");
}

static void
t_date(void)
{
    char    buf[11];
    int32_t d = 0;

    int     y, m, dd, v;

    T_CHECK(date_days_from_civil(1970, 1, 1) == 0, "epoch day");
    T_CHECK(date_days_from_civil(1969, 12, 31) == -1, "day before epoch");
    T_CHECK(date_days_from_civil(2000, 3, 1) == 11017, "2000-03-01");
    T_CHECK(date_days_from_civil(2024, 2, 29) == 19782, "2024-02-29");
    T_CHECK(date_days_from_civil(2024, 3, 1) == 19783, "2024-03-01");
    T_CHECK(date_days_from_civil(2038, 1, 19) == 24855, "2038-01-19");
    T_CHECK(date_days_from_civil(1900, 3, 1) == -25508, "1900-03-01");
    T_CHECK(date_days_from_civil(2100, 3, 1) == 47541, "2100-03-01");
    T_CHECK(date_days_from_civil(9999, 12, 31) == 2932896, "9999-12-31");
    T_CHECK(date_days_from_civil(2100, 3, 1) - date_days_from_civil(2100, 2, 28)
            == 1, "2100 is not a leap year");
    T_CHECK(date_days_from_civil(2000, 3, 1) - date_days_from_civil(2000, 2, 28)
            == 2, "2000 is a leap year");

    date_day_str(0, buf);
    T_CHECK(strcmp(buf, "1970-01-01") == 0, "day_str 0: %s", buf);
    date_day_str(19782, buf);
    T_CHECK(strcmp(buf, "2024-02-29") == 0, "day_str leap: %s", buf);
    date_day_str(-1, buf);
    T_CHECK(strcmp(buf, "1969-12-31") == 0, "day_str -1: %s", buf);
    date_day_str(2932896, buf);
    T_CHECK(strcmp(buf, "9999-12-31") == 0, "day_str max: %s", buf);
    date_day_str(11017, buf);
    T_CHECK(strcmp(buf, "2000-03-01") == 0, "day_str 2000: %s", buf);
    /* round trip over a span of days */
    {
        int32_t i;
        int     bad = 0;

        for (i = -800; i < 30000; i += 7) {
            date_day_str(i, buf);
            if (date_parse_day(buf, &d) != 0 || d != i)
                bad++;
        }
        T_CHECK(bad == 0, "day_str / parse_day round trip (%d bad)", bad);
    }

    T_CHECK(date_parse_day("2024-02-29", &d) == 0 && d == 19782, "parse_day");
    T_CHECK(date_parse_day("1970-01-01", &d) == 0 && d == 0, "parse_day 0");
    T_CHECK(date_parse_day("2024-2-29", &d) == -1, "one-digit month");
    T_CHECK(date_parse_day("2024-02-29 ", &d) == -1, "trailing space");
    T_CHECK(date_parse_day("2024-13-01", &d) == -1, "month 13");
    T_CHECK(date_parse_day("2024-00-01", &d) == -1, "month 0");
    T_CHECK(date_parse_day("2024-01-00", &d) == -1, "day 0");
    T_CHECK(date_parse_day("2024-01-32", &d) == -1, "day 32");
    T_CHECK(date_parse_day("2024/01/01", &d) == -1, "slashes");
    T_CHECK(date_parse_day("yesterday", &d) == -1, "word");
    T_CHECK(date_parse_day("", &d) == -1, "empty");
    T_CHECK(date_parse_day("2024-02-30", &d) == -1, "February 30");
    T_CHECK(date_parse_day("2023-02-29", &d) == -1, "29 Feb, no leap year");
    T_CHECK(date_parse_day("2024-04-31", &d) == -1, "April 31");
    for (v = -800000; v <= 800000; v += 997) {
        date_civil_from_days(v, &y, &m, &dd);
        if (date_days_from_civil(y, m, dd) != v)
            break;
    }
    T_CHECK(v > 800000, "civil_from_days round trip fails at day %d", v);
    T_CHECK(date_digits("2024x", 4, &v) == 0 && v == 2024, "digits");
    T_CHECK(date_digits("20a4", 4, &v) == -1, "digits: a letter");
}

int
main(void)
{
    t_near();
    t_date();
    t_dname();
    t_ipaddr();
    t_span();
    t_span_mem();
    t_htab();
    t_htab_sweep();
    t_htab_inline();
    t_htab_key_lens();
    t_htab_hashed();
    t_htab_groups();
    t_htab_groups_large();
    return T_DONE();
}
