/* tests/t_dkim.c - unit tests for emit/delivery/dkim.c: relaxed canonicalisation
 *
 * The examples of RFC 6376 section 3.4.5, and the fields of our own
 * report mail whose values contain colons (Subject, the h= tag of the
 * signature), which a verifier canonicalises with the space kept.
 * Verification by independent verifiers is tests/it_dkim.sh.
 */
#include "../emit/delivery/dkim.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* hdr_is - relaxed form of one field equals want */
static int
hdr_is(const char *field, const char *want)
{
    size_t  n;
    char   *c = dkim_canon_header(field, strlen(field), &n);
    int     ok = n == strlen(want) && memcmp(c, want, n) == 0;

    if (!ok)
        fprintf(stderr, "canon_header(%s) = [%.*s]\n", field, (int) n, c);
    free(c);
    return ok;
}

/* body_is - relaxed form of a body equals want */
static int
body_is(const char *body, const char *want)
{
    size_t  n;
    char   *c = dkim_canon_body(body, strlen(body), &n);
    int     ok = n == strlen(want) && memcmp(c, want, n) == 0;

    if (!ok)
        fprintf(stderr, "canon_body(%s) = [%.*s]\n", body, (int) n, c);
    free(c);
    return ok;
}

int
main(void)
{
    /* RFC 6376 3.4.5 */
    T_CHECK(hdr_is("A: X", "a:X\r\n"), "3.4.5 A: X");
    T_CHECK(hdr_is("B : Y\t\r\n\tZ  ", "b:Y Z\r\n"), "3.4.5 B : Y Z");
    T_CHECK(body_is(" C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n"),
            "3.4.5 body");
    /* colons inside the value keep the space after them */
    T_CHECK(hdr_is("Subject: Report Domain: a.example\r\n Submitter: b",
                   "subject:Report Domain: a.example Submitter: b\r\n"),
            "subject with colons");
    T_CHECK(hdr_is("DKIM-Signature: h=from:to:\r\n\tdate; b=",
                   "dkim-signature:h=from:to: date; b=\r\n"),
            "folded h= tag");
    T_CHECK(hdr_is("X:   ", "x:\r\n"), "empty value");
    T_CHECK(hdr_is("X:a  :  b", "x:a : b\r\n"), "WSP around an inner colon");
    /* bodies: empty stays empty, bare LF lines become CRLF */
    T_CHECK(body_is("", ""), "empty body");
    T_CHECK(body_is("\r\n\r\n", ""), "only empty lines");
    T_CHECK(body_is("a\nb  \n\n", "a\r\nb\r\n"), "LF lines");
    T_CHECK(body_is("a", "a\r\n"), "no final line end");
    return T_DONE();
}
