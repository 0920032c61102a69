/* tests/t_trec.c - unit tests for emit/resolution/trec.c: the TLSRPT record
 *
 * Each check names the rule of RFC 8460 section 3 (or our documented
 * choice, emit/resolution/trec.c and docs/resolution.md) that it holds us to.
 */
#include "../emit/resolution/trec.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

/* parse1 - trec_parse() of one record given as a C string */
static int
parse1(const char *rec, struct trec *t)
{
    struct span s = span_make(rec, strlen(rec));

    return trec_parse(&s, 1, t);
}

/* has_rua - 1 when t holds a rua whose uri is want */
static int
has_rua(const struct trec *t, const char *want)
{
    size_t  i;

    for (i = 0; i < t->nrua; i++)
        if (strcmp(t->rua[i].uri, want) == 0)
            return 1;
    return 0;
}

static void
t_prefix(void)
{
    static struct trec t;
    struct span two[2];
    struct span three[3];

    T_CHECK(parse1("v=TLSRPTv1;rua=mailto:r@example.com", &t) == TREC_OK
            && t.nrua == 1 && has_rua(&t, "mailto:r@example.com"),
            "RFC 8460 3.1.1 example is valid");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt",
                   &t) == TREC_OK
            && has_rua(&t, "https://reporting.example.com/v1/tlsrpt")
            && t.rua[0].scheme == TREC_HTTPS && t.rua[0].port == 443
            && strcmp(t.rua[0].host, "reporting.example.com") == 0,
            "RFC 8460 3.1.2 example is valid");
    T_CHECK(parse1("v=TLSRPTv1 ;rua=mailto:r@example.com", &t) == TREC_OK,
            "space before ';' accepted (CHECKLIST 8, as Postfix and mox)");
    T_CHECK(parse1("v=TLSRPTv1\t\t;rua=mailto:r@example.com", &t) == TREC_OK,
            "tabs before ';' accepted");
    T_CHECK(parse1("v=TLSRPTv10;rua=mailto:r@example.com", &t) == TREC_NONE,
            "v=TLSRPTv10 is another version");
    T_CHECK(parse1("v=TLSRPTv2; rua=mailto:r@example.com", &t) == TREC_NONE,
            "other version dropped");
    T_CHECK(parse1("V=TLSRPTv1; rua=mailto:r@example.com", &t) == TREC_NONE,
            "version is case-sensitive (%%s)");
    T_CHECK(parse1(" v=TLSRPTv1; rua=mailto:r@example.com", &t) == TREC_NONE,
            "leading space: not a TLSRPT record");
    T_CHECK(parse1("v=TLSRPTv1", &t) == TREC_NONE,
            "no ';' after the version: not a TLSRPT record");
    T_CHECK(parse1("v=spf1 -all", &t) == TREC_NONE && t.error[0] != 0,
            "unrelated TXT: no record, with a reason");

    two[0] = SPAN_LIT("v=TLSRPTv1; rua=mailto:a@example.com");
    two[1] = SPAN_LIT("v=TLSRPTv1; rua=mailto:b@example.com");
    T_CHECK(trec_parse(two, 2, &t) == TREC_MULTIPLE && t.nrua == 0
            && t.nrecords == 2, "two TLSRPT records: none applies (MUST)");
    three[0] = SPAN_LIT("v=spf1 -all");
    three[1] = SPAN_LIT("v=TLSRPTv1; rua=mailto:a@example.com");
    three[2] = SPAN_LIT("google-site-verification=abc");
    T_CHECK(trec_parse(three, 3, &t) == TREC_OK && t.nrecords == 1
            && has_rua(&t, "mailto:a@example.com"),
            "other TXT records are discarded, the one TLSRPT record used");
    T_CHECK(trec_parse(NULL, 0, &t) == TREC_NONE, "no records at all");
    T_CHECK(trec_is_v1(SPAN_LIT("v=TLSRPTv1 \t;")), "trec_is_v1 with WSP");
    T_CHECK(!trec_is_v1(SPAN_LIT("v=TLSRPTv1x;")), "trec_is_v1 strict");
}

static void
t_grammar(void)
{
    static struct trec t;
    char    big[TREC_MAX_TEXT + 64];
    size_t  n;

    T_CHECK(parse1("v=TLSRPTv1;rua=mailto:r@example.com;", &t) == TREC_OK,
            "trailing ';' allowed");
    T_CHECK(parse1("v=TLSRPTv1 ;  rua=mailto:r@example.com  ; ", &t)
            == TREC_OK, "WSP around every ';'");
    T_CHECK(parse1("v=TLSRPTv1; ext=1; rua=mailto:r@example.com; x.y-z_=a:b",
                   &t) == TREC_OK && t.nrua == 1,
            "unknown extension fields are ignored (SHALL)");
    T_CHECK(parse1("v=TLSRPTv1; ext=a b; rua=mailto:r@example.com", &t)
            == TREC_SYNTAX, "space inside an extension value");
    T_CHECK(parse1("v=TLSRPTv1; ext=; rua=mailto:r@example.com", &t)
            == TREC_SYNTAX, "empty extension value");
    T_CHECK(parse1("v=TLSRPTv1; ext=a=b; rua=mailto:r@example.com", &t)
            == TREC_SYNTAX, "'=' inside an extension value");
    T_CHECK(parse1("v=TLSRPTv1; _x=1; rua=mailto:r@example.com", &t)
            == TREC_SYNTAX, "extension name must start alphanumeric");
    T_CHECK(parse1("v=TLSRPTv1; "
                   "a23456789012345678901234567890123=1;"
                   " rua=mailto:r@example.com", &t) == TREC_SYNTAX,
            "extension name of 33 characters");
    T_CHECK(parse1("v=TLSRPTv1; "
                   "a2345678901234567890123456789012=1;"
                   " rua=mailto:r@example.com", &t) == TREC_OK,
            "extension name of 32 characters");
    T_CHECK(parse1("v=TLSRPTv1; rua", &t) == TREC_SYNTAX,
            "field without '='");
    T_CHECK(parse1("v=TLSRPTv1; ruf=mailto:r@example.com", &t)
            == TREC_NO_RUA && strstr(t.error, "no rua") != NULL,
            "rua is required");
    T_CHECK(parse1("v=TLSRPTv1; RUA=mailto:r@example.com", &t)
            == TREC_NO_RUA, "\"rua=\" is case-sensitive (%%s)");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:a@example.com; "
                   "rua=mailto:b@example.com", &t) == TREC_SYNTAX
            && t.nrua == 0, "rua twice: invalid (our choice)");
    T_CHECK(parse1("v=TLSRPTv1;; rua=mailto:r@example.com", &t)
            == TREC_SYNTAX, "empty field between two ';'");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:r@example.com x=1", &t)
            == TREC_NO_RUA && t.nrua == 0 && t.nwarn == 1,
            "a space inside a URI drops it (and here the only one)");

    /* bounded length */
    n = (size_t) snprintf(big, sizeof(big), "v=TLSRPTv1; rua=mailto:r@e.com"
                          "; x=");
    memset(big + n, 'a', sizeof(big) - n - 1);
    big[sizeof(big) - 1] = 0;
    T_CHECK(parse1(big, &t) == TREC_TOO_LONG, "record over 2048 bytes");
}

static void
t_rua(void)
{
    static struct trec t;

    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:a@example.com,"
                   "https://r.example.net/x", &t) == TREC_OK && t.nrua == 2
            && has_rua(&t, "mailto:a@example.com")
            && has_rua(&t, "https://r.example.net/x"),
            "comma-separated list of mailto and https");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:a@example.com \t, \t"
                   "mailto:b@example.com", &t) == TREC_OK && t.nrua == 2,
            "WSP around the commas");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:a@example.com%2Cb@example.org",
                   &t) == TREC_OK && t.nrua == 2
            && has_rua(&t, "mailto:b@example.org"),
            "%%2C inside a mailto: two addresses (split before decoding)");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:tls%2Brpt@Example.COM", &t)
            == TREC_OK && has_rua(&t, "mailto:tls+rpt@example.com")
            && strcmp(t.rua[0].host, "example.com") == 0,
            "%%-decoding of the address, domain lower-cased");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:r@example.com?subject=hi%3Bthere",
                   &t) == TREC_OK && has_rua(&t, "mailto:r@example.com"),
            "hfields ignored, %%3B allowed inside");
    T_CHECK(parse1("v=TLSRPTv1; rua=MAILTO:r@example.com", &t) == TREC_OK,
            "scheme is case-insensitive (RFC 3986 3.1)");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:bad!x@example.com,"
                   "mailto:good@example.com", &t) == TREC_OK && t.nrua == 1
            && t.nwarn == 1 && strstr(t.warn[0], "must be %-encoded"),
            "raw '!' must be encoded: that URI dropped with a warning");
    T_CHECK(parse1("v=TLSRPTv1; rua=ftp://x.example.com/,"
                   "mailto:r@example.com", &t) == TREC_OK && t.nrua == 1
            && t.nwarn == 1 && strstr(t.warn[0], "neither mailto nor https"),
            "unknown scheme dropped with a warning");
    T_CHECK(parse1("v=TLSRPTv1; rua=http://r.example.com/", &t)
            == TREC_NO_RUA && t.nwarn == 1, "plain http is not allowed");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:no-at-sign", &t) == TREC_NO_RUA,
            "mailto without '@'");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:r@localhost", &t) == TREC_NO_RUA,
            "single-label mail domain refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:r@ex_ample.com", &t)
            == TREC_NO_RUA, "mail domain not LDH");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:a..b@example.com", &t)
            == TREC_NO_RUA, "local part with '..'");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:%22a%20b%22@example.com", &t)
            == TREC_NO_RUA, "quoted local part refused (dot-atom only)");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:r%00@example.com", &t)
            == TREC_NO_RUA, "%%00 refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:r@example.com%0d%0aBcc:x@y.z",
                   &t) == TREC_NO_RUA, "header injection by %%0D%%0A");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:r@example.com%2", &t)
            == TREC_NO_RUA, "incomplete escape");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://user@r.example.com/", &t)
            == TREC_NO_RUA, "userinfo in https refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://r.example.com:8443/a?b=c", &t)
            == TREC_OK && t.rua[0].port == 8443,
            "https with port and query");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://r.example.com:0/", &t)
            == TREC_NO_RUA, "port 0");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://r.example.com:65536/", &t)
            == TREC_NO_RUA, "port 65536");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://192.0.2.7/r", &t) == TREC_OK
            && strcmp(t.rua[0].host, "192.0.2.7") == 0, "IPv4 host");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://[2001:DB8::1]:444/r", &t)
            == TREC_OK && strcmp(t.rua[0].host, "2001:db8::1") == 0
            && t.rua[0].port == 444, "IPv6 literal host");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://[fe80::1%25eth0]/r", &t)
            == TREC_NO_RUA, "zone id refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://999.1.1.1/r", &t)
            == TREC_NO_RUA, "bad IPv4 address");
    T_CHECK(parse1("v=TLSRPTv1; rua=https:r.example.com/r", &t)
            == TREC_NO_RUA, "https without //");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://r.exa%6Dple.com/r", &t)
            == TREC_NO_RUA, "escape in the host refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://-bad.example.com/", &t)
            == TREC_NO_RUA, "host label starting with '-'");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://r.example.com/a\"b", &t)
            == TREC_NO_RUA, "'\"' is no URI character");
    /* hostile spellings (a review with concrete inputs) */
    T_CHECK(parse1("v=TLSRPTv1; rua=https://0x7f.1/r", &t) == TREC_NO_RUA
            && t.nwarn == 1 && strstr(t.warn[0], "not a domain name"),
            "inet_aton spelling 0x7f.1 of 127.0.0.1 is no host name");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://127.0x0.0.1/r", &t)
            == TREC_NO_RUA, "127.0x0.0.1: numeric last label refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:r@mail.0x7f.1", &t)
            == TREC_NO_RUA, "mail domain with a numeric last label");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://r.example.c0m/r", &t) == TREC_OK
            && strcmp(t.rua[0].host, "r.example.c0m") == 0,
            "a last label with a digit and a letter is a name");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://2130706433/r", &t)
            == TREC_NO_RUA, "one-number IPv4 spelling refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://127.1/r", &t) == TREC_NO_RUA,
            "short IPv4 spelling refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://[::ffff:127.0.0.1]/r", &t)
            == TREC_NO_RUA, "IPv4-mapped IPv6 literal refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://R.Example.COM./r", &t)
            == TREC_NO_RUA, "host with a trailing dot refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://R.Example.COM/r", &t) == TREC_OK
            && strcmp(t.rua[0].host, "r.example.com") == 0,
            "upper-case host checked in lower case");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://r.example.com\\@127.0.0.1/r",
                   &t) == TREC_NO_RUA, "backslash before '@' refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=https://r.example.com:443:443/r", &t)
            == TREC_NO_RUA, "two ports refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:a%3E@example.com", &t)
            == TREC_NO_RUA, "'>' in the local part (%%3E) refused");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:a@example.com%2C%3Cb@example.org",
                   &t) == TREC_NO_RUA, "'<' after a %%2C refused");
    {
        /* a TXT string may carry NUL: "...com" NUL "x", 2 bytes more */
        static const char rec[] = "v=TLSRPTv1; rua=mailto:r@example.com\0x";
        struct span sp = span_make(rec, sizeof(rec) - 1);

        T_CHECK(trec_parse(&sp, 1, &t) == TREC_NO_RUA && t.nrua == 0
                && strstr(t.warn[0], "0x00"), "NUL byte inside the URI");
    }
    {
        static char big[65536];
        struct span sp;

        memset(big, 'a', sizeof(big));
        memcpy(big, "v=TLSRPTv1; rua=mailto:r@example.com; x=", 40);
        sp = span_make(big, sizeof(big));
        T_CHECK(trec_parse(&sp, 1, &t) == TREC_TOO_LONG && t.nrua == 0
                && strlen(t.record) < sizeof(t.record),
                "64 KiB record refused, shown cut");
    }
    T_CHECK(parse1("v=TLSRPTv1; rua=,mailto:r@example.com", &t) == TREC_OK
            && t.nrua == 1 && t.nwarn == 1, "empty URI dropped");
    T_CHECK(parse1("v=TLSRPTv1; rua=mailto:a@x.example,mailto:b@x.example,"
                   "mailto:c@x.example,mailto:d@x.example,mailto:e@x.example,"
                   "mailto:f@x.example,mailto:g@x.example,mailto:h@x.example,"
                   "mailto:i@x.example,mailto:j@x.example", &t) == TREC_OK
            && t.nrua == TREC_MAX_RUA && t.nwarn == 2,
            "at most 8 URIs kept, the rest dropped with warnings");
}

int
main(void)
{
    t_prefix();
    t_grammar();
    t_rua();
    return T_DONE();
}
