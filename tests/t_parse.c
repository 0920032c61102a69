/* tests/t_parse.c - unit tests for parsers/: ts, wrap, pf_classify
 *
 * main() sets TZ=UTC first, so RFC 3164 stamps (local time) read as UTC
 * and the expected epoch values below hold on any machine. A few checks
 * switch to POSIX TZ strings (no tzdata needed) to see the zone applied.
 */
#include "../parsers/parser.h"
#include "../parsers/pf.h"
#include "../parsers/pf_sess.h"
#include "../parsers/corr.h"
#include "../global/sess.h"
#include "../parsers/ts.h"
#include "../util/date.h"
#include "../parsers/wrap.h"
#include "testfp.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>

/* epoch seconds of a UTC date-time */
static int64_t
utc(int y, int m, int d, int h, int mi, int s)
{
    return date_days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
}

/* p3164 - parse a 3164 stamp; 0 and *t and the rest in *rest, or -1 */
static int
p3164(struct ts_ctx *c, const char *in, int64_t *t, struct span *rest)
{
    struct span s = span_make(in, strlen(in));
    struct span keep = s;
    int     r = ts_parse_3164(c, &s, t);

    if (r != 0 && (s.ptr != keep.ptr || s.len != keep.len))
        return -2;              /* failure must leave the cursor */
    if (rest)
        *rest = s;
    return r;
}

/* piso - parse an ISO stamp */
static int
piso(const char *in, int64_t *t, struct span *rest)
{
    struct span s = span_make(in, strlen(in));
    struct span keep = s;
    int     r = ts_parse_iso(&s, t);

    if (r != 0 && (s.ptr != keep.ptr || s.len != keep.len))
        return -2;
    if (rest)
        *rest = s;
    return r;
}

static void
set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

/* ------------------------------------------------------------------ ts */

static void
t_ts_3164(void)
{
    struct ts_ctx c;
    int64_t t = 0;
    struct span rest;

    ts_ctx_init_year(&c, 2024);
    T_CHECK(c.ref_year == 2024 && c.ref_t > utc(2024, 12, 31, 23, 59, 59),
            "init_year: the whole year");
    /* space-padded, zero-padded and one-digit days */
    T_CHECK(p3164(&c, "Jun  6 00:21:31 host x", &t, &rest) == 0
            && t == utc(2024, 6, 6, 0, 21, 31) && span_eq(rest, "host x"),
            "space-padded day");
    T_CHECK(p3164(&c, "Jan 06 14:09:50 host x", &t, &rest) == 0
            && t == utc(2024, 1, 6, 14, 9, 50) && span_eq(rest, "host x"),
            "zero-padded day (maillog_file)");
    T_CHECK(p3164(&c, "Jun 6 00:21:31 host", &t, &rest) == 0
            && t == utc(2024, 6, 6, 0, 21, 31) && span_eq(rest, "host"),
            "one-digit day");
    T_CHECK(p3164(&c, "Nov 21 04:02:01 h", &t, NULL) == 0
            && t == utc(2024, 11, 21, 4, 2, 1), "two-digit day");
    T_CHECK(p3164(&c, "Feb 29 23:59:59 h", &t, NULL) == 0
            && t == utc(2024, 2, 29, 23, 59, 59), "leap day");
    T_CHECK(p3164(&c, "Dec 31 23:59:60 h", &t, NULL) == 0,
            "leap second accepted");
    T_CHECK(p3164(&c, "Mar  1 10:00:00.123456 h", &t, &rest) == 0
            && t == utc(2024, 3, 1, 10, 0, 0) && span_eq(rest, "h"),
            "fraction after seconds skipped");
    /* every month name */
    {
        static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May",
            "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        int     m, ok = 0;
        char    line[64];

        for (m = 0; m < 12; m++) {
            snprintf(line, sizeof(line), "%s 15 12:00:00 h", mon[m]);
            if (p3164(&c, line, &t, NULL) == 0
                && t == utc(2024, m + 1, 15, 12, 0, 0))
                ok++;
        }
        T_CHECK(ok == 12, "all twelve months (%d)", ok);
    }
    /* bad forms refused, cursor untouched */
    T_CHECK(p3164(&c, "jun  6 00:21:31 h", &t, NULL) == -1, "lower month");
    T_CHECK(p3164(&c, "Foo  6 00:21:31 h", &t, NULL) == -1, "bad month");
    T_CHECK(p3164(&c, "Jun 32 00:21:31 h", &t, NULL) == -1, "day 32");
    T_CHECK(p3164(&c, "Jun  0 00:21:31 h", &t, NULL) == -1, "day 0");
    T_CHECK(p3164(&c, "Jun 123 00:21:31 h", &t, NULL) == -1, "3-digit day");
    T_CHECK(p3164(&c, "Jun  6 24:00:00 h", &t, NULL) == -1, "hour 24");
    T_CHECK(p3164(&c, "Jun  6 23:60:00 h", &t, NULL) == -1, "minute 60");
    T_CHECK(p3164(&c, "Jun  6 23:59:61 h", &t, NULL) == -1, "second 61");
    T_CHECK(p3164(&c, "Jun  6 2:00:00 hxx", &t, NULL) == -1, "1-digit hour");
    T_CHECK(p3164(&c, "Jun  6 00-21-31 h", &t, NULL) == -1, "dashes");
    T_CHECK(p3164(&c, "Jun  6 00:21:31", &t, NULL) == -1,
            "no space after the stamp");
    T_CHECK(p3164(&c, "Jun  6 00:21:31x", &t, NULL) == -1, "junk after");
    T_CHECK(p3164(&c, "Jun  6 00:21", &t, NULL) == -1, "cut short");
    T_CHECK(p3164(&c, "", &t, NULL) == -1, "empty");
    T_CHECK(p3164(&c, "Jun", &t, NULL) == -1, "month only");
    T_CHECK(p3164(&c, "Jun   6 00:21:31 h", &t, NULL) == -1,
            "two pad spaces");

    /* year inference from a reference time (the file's mtime): a line
     * is never later than its file, a day of clock skew allowed */
    set_tz("UTC");
    ts_ctx_init(&c, (time_t) utc(2024, 1, 15, 12, 0, 0));
    T_CHECK(c.ref_year == 2024 && c.ref_t == utc(2024, 1, 15, 12, 0, 0)
            && !c.used && !c.back, "init: 2024-01-15 (%d)", c.ref_year);
    T_CHECK(p3164(&c, "Dec 31 23:59:59 h", &t, NULL) == 0
            && t == utc(2023, 12, 31, 23, 59, 59) && c.used && c.back,
            "December line in a January file: year before");
    T_CHECK(p3164(&c, "Jan  1 00:00:00 h", &t, NULL) == 0
            && t == utc(2024, 1, 1, 0, 0, 0), "January line: same year");
    T_CHECK(p3164(&c, "Jan 16 11:59:59 h", &t, NULL) == 0
            && t == utc(2024, 1, 16, 11, 59, 59),
            "within a day after the reference (clock skew): same year");
    T_CHECK(p3164(&c, "Jan 16 12:00:01 h", &t, NULL) == 0
            && t == utc(2023, 1, 16, 12, 0, 1),
            "more than a day after the reference: year before");
    T_CHECK(p3164(&c, "Jan 31 00:00:00 h", &t, NULL) == 0
            && t == utc(2023, 1, 31, 0, 0, 0),
            "later day of the reference month: year before");
    T_CHECK(p3164(&c, "Feb  1 00:00:00 h", &t, NULL) == 0
            && t == utc(2023, 2, 1, 0, 0, 0),
            "month after the reference: year before");
    /* the rule depends only on the line: same answer after other lines */
    T_CHECK(p3164(&c, "Dec 31 23:59:59 h", &t, NULL) == 0
            && t == utc(2023, 12, 31, 23, 59, 59), "order does not matter");
    /* issue: a Dec 29 line in a file written on Dec 6 */
    ts_ctx_init(&c, (time_t) utc(2026, 12, 6, 12, 0, 0));
    T_CHECK(p3164(&c, "Dec 29 10:00:01 h", &t, NULL) == 0
            && t == utc(2025, 12, 29, 10, 0, 1) && c.back,
            "Dec 29 in a file of Dec 6: the year before");
    T_CHECK(p3164(&c, "Dec  5 10:00:01 h", &t, NULL) == 0
            && t == utc(2026, 12, 5, 10, 0, 1), "Dec 5: the same year");
    ts_ctx_init(&c, (time_t) utc(2024, 12, 31, 23, 0, 0));
    T_CHECK(c.ref_year == 2024, "init: 2024-12");
    T_CHECK(p3164(&c, "Jan  1 00:00:00 h", &t, NULL) == 0
            && t == utc(2024, 1, 1, 0, 0, 0) && !c.back,
            "December reference");
    ts_ctx_init_year(&c, 2024);
    T_CHECK(p3164(&c, "Dec 31 23:59:59 h", &t, NULL) == 0
            && t == utc(2024, 12, 31, 23, 59, 59) && !c.back,
            "init_year: December of that year");

    /* zones the C library knows, and ones it would read as UTC */
    {
        char    why[300];

        T_CHECK(ts_zone_check("UTC", why, sizeof(why)) == 0, "UTC");
        T_CHECK(ts_zone_check(":GMT", why, sizeof(why)) == 0, ":GMT");
        T_CHECK(ts_zone_check("EST5", why, sizeof(why)) == 0, "EST5");
        T_CHECK(ts_zone_check("CET-1CEST,M3.5.0,M10.5.0/3", why,
                              sizeof(why)) == 0, "POSIX rule");
        T_CHECK(ts_zone_check("<+03>-3", why, sizeof(why)) == 0,
                "quoted name");
        T_CHECK(ts_zone_check("EST5EDT4,J60/2,300/-1:30", why,
                              sizeof(why)) == 0, "Jn, n and times");
        T_CHECK(ts_zone_check("Europe/Berln", why, sizeof(why)) == -1
                && strstr(why, "no such zone") != NULL,
                "misspelled name: %s", why);
        T_CHECK(ts_zone_check("Mars", why, sizeof(why)) == -1, "no offset");
        T_CHECK(ts_zone_check("CET-1CEST,M13.5.0,M10.5.0", why,
                              sizeof(why)) == -1, "month 13");
        T_CHECK(ts_zone_check("EST5x", why, sizeof(why)) == -1,
                "junk after");
        T_CHECK(ts_zone_check("", why, sizeof(why)) == -1, "empty");
        T_CHECK(ts_zone_check("../../etc/passwd", why, sizeof(why)) == -1,
                "outside the zone directory");
        T_CHECK(ts_zone_check("/etc/passwd", why, sizeof(why)) == -1,
                "a file that is no zone");
        T_CHECK(ts_zone_check("Europe/Berlin", why, sizeof(why)) == 0
                || access("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0,
                "Europe/Berlin (tzdata): %s", why);
    }

    /* the local zone applies to 3164 stamps */
    set_tz("EST5");
    ts_ctx_init_year(&c, 2024);
    T_CHECK(p3164(&c, "Jun  6 00:00:00 h", &t, NULL) == 0
            && t == utc(2024, 6, 6, 5, 0, 0), "EST5: +5 hours");
    set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
    ts_ctx_init_year(&c, 2024);
    T_CHECK(p3164(&c, "Jul  1 12:00:00 h", &t, NULL) == 0
            && t == utc(2024, 7, 1, 10, 0, 0), "CEST: -2 hours");
    T_CHECK(p3164(&c, "Jan  1 12:00:00 h", &t, NULL) == 0
            && t == utc(2024, 1, 1, 11, 0, 0), "CET: -1 hour");
    T_CHECK(p3164(&c, "Jan  1 12:30:15 h", &t, NULL) == 0
            && t == utc(2024, 1, 1, 11, 30, 15), "same hour from the cache");
    /* more hours than the cache keeps, in turn: each as the first time */
    {
        static const char *const line[] = {
            "Jul  1 12:00:00 h", "Jan  1 12:00:00 h", "Mar 31 01:59:59 h",
            "Mar 31 03:00:00 h", "Oct 27 01:00:00 h", "Dec 31 23:59:59 h",
        };
        int64_t first[6];
        int     i, k, ok = 1;

        ts_ctx_init_year(&c, 2024);
        for (k = 0; k < 4; k++) {
            for (i = 0; i < 6; i++) {
                if (p3164(&c, line[i], &t, NULL) != 0)
                    ok = 0;
                else if (k == 0)
                    first[i] = t;
                else if (t != first[i])
                    ok = 0;
            }
        }
        T_CHECK(ok && first[0] == utc(2024, 7, 1, 10, 0, 0)
                && first[2] == utc(2024, 3, 31, 0, 59, 59)
                && first[3] == utc(2024, 3, 31, 1, 0, 0)
                && first[5] == utc(2024, 12, 31, 22, 59, 59),
                "six hours in turn, four kept: the same times each round");
    }
    set_tz("UTC");
}

static void
t_ts_iso(void)
{
    int64_t t = 0;
    struct span rest;

    T_CHECK(piso("2024-01-02T03:04:05Z host", &t, &rest) == 0
            && t == utc(2024, 1, 2, 3, 4, 5) && span_eq(rest, "host"), "Z");
    T_CHECK(piso("2021-03-13T12:04:09.755361+01:00 host", &t, &rest) == 0
            && t == 1615633449 && span_eq(rest, "host"),
            "fraction and +hh:mm");
    T_CHECK(piso("2023-09-08T17:20:30+0200 host", &t, &rest) == 0
            && t == 1694186430 && span_eq(rest, "host"), "+hhmm (journalctl)");
    T_CHECK(piso("2024-01-01T00:30:00-05:30 h", &t, NULL) == 0
            && t == utc(2024, 1, 1, 6, 0, 0), "negative offset");
    T_CHECK(piso("2024-01-01T00:00:00+00:00 h", &t, NULL) == 0
            && t == utc(2024, 1, 1, 0, 0, 0), "+00:00");
    T_CHECK(piso("2024-01-01T00:00:00,5Z h", &t, NULL) == 0
            && t == utc(2024, 1, 1, 0, 0, 0), "comma fraction");
    T_CHECK(piso("2024-01-01T00:00:00.123456789Z h", &t, NULL) == 0
            && t == utc(2024, 1, 1, 0, 0, 0), "nanoseconds");
    T_CHECK(piso("2024-01-01 00:00:00+01:00 h", &t, NULL) == 0
            && t == utc(2023, 12, 31, 23, 0, 0), "space for T with offset");
    T_CHECK(piso("2024-01-01T00:00:00Z", &t, &rest) == 0 && rest.len == 0,
            "stamp at end of line");
    T_CHECK(piso("2024-06-30T23:59:60Z h", &t, NULL) == 0, "leap second");
    /* refused */
    T_CHECK(piso("2024-01-01T00:00:00 host", &t, NULL) == -1, "no zone");
    T_CHECK(piso("2024-01-01T00:00:00.5 host", &t, NULL) == -1,
            "fraction, no zone");
    T_CHECK(piso("2024-13-01T00:00:00Z h", &t, NULL) == -1, "month 13");
    T_CHECK(piso("2024-00-01T00:00:00Z h", &t, NULL) == -1, "month 0");
    T_CHECK(piso("2024-01-32T00:00:00Z h", &t, NULL) == -1, "day 32");
    T_CHECK(piso("2024-01-01T24:00:00Z h", &t, NULL) == -1, "hour 24");
    T_CHECK(piso("2024-01-01T00:00:00+24:00 h", &t, NULL) == -1,
            "offset hour 24");
    T_CHECK(piso("2024-01-01T00:00:00+01:60 h", &t, NULL) == -1,
            "offset minute 60");
    T_CHECK(piso("2024-01-01T00:00:00+1:00 h", &t, NULL) == -1,
            "one-digit offset");
    T_CHECK(piso("2024-01-01T00:00:00+01 h", &t, NULL) == -1,
            "offset without minutes");
    T_CHECK(piso("2024-01-01T00:00:00+01:0", &t, NULL) == -1,
            "offset cut short");
    T_CHECK(piso("2024-01-01T00:00:00Zx h", &t, NULL) == -1, "junk after Z");
    T_CHECK(piso("2024/01/01T00:00:00Z h", &t, NULL) == -1, "slashes");
    T_CHECK(piso("2024-01-01X00:00:00Z h", &t, NULL) == -1, "X for T");
    T_CHECK(piso("24-01-01T00:00:00Z h", &t, NULL) == -1, "two-digit year");
    T_CHECK(piso("2024-01-01T00:00Z h", &t, NULL) == -1, "no seconds");
    T_CHECK(piso("2024-01-01", &t, NULL) == -1, "date only");
    T_CHECK(piso("", &t, NULL) == -1, "empty");
}

/* ---------------------------------------------------------------- wrap */

struct wcase {
    const char *line;
    int     dated;
    int64_t t;
    const char *host;
    const char *ident;
    const char *pid;
    const char *msg;
};

/* t_wrap_seen - lines that repeat the host or ident of the lines before
 * them, with other endings: read as if seen for the first time */
static void
t_wrap_seen(void)
{
    static const struct wcase wc[] = {
        {"Nov 21 04:02:01 relay1 postfix/smtp[12]: a", 1, 0, "relay1",
         "postfix/smtp", "12", "a"},
        {"Nov 21 04:02:01 relay1 postfix/smtp[]: b", 1, 0, "relay1", "", "",
         "postfix/smtp[]: b"},
        {"Nov 21 04:02:01 relay1 postfix/smtp[1x]: c", 1, 0, "relay1", "", "",
         "postfix/smtp[1x]: c"},
        {"Nov 21 04:02:01 relay1 postfix/smtp[7] d", 1, 0, "relay1", "", "",
         "postfix/smtp[7] d"},
        {"Nov 21 04:02:01 relay1 postfix/smtp[10]:", 1, 0, "relay1",
         "postfix/smtp", "10", ""},
        {"Nov 21 04:02:01 relay1x postfix/smtp[8]: e", 1, 0, "relay1x",
         "postfix/smtp", "8", "e"},
        {"Nov 21 04:02:01 relay1 postfix/smtpd[9]: f", 1, 0, "relay1",
         "postfix/smtpd", "9", "f"},
        {"Nov 21 04:02:01 relay1 postfix/smtp[9]: f", 1, 0, "relay1",
         "postfix/smtp", "9", "f"},
        {"Nov 21 04:02:01 INFO postfix/smtp[3]: g", 1, 0, "", "postfix/smtp",
         "3", "g"},
        {"Nov 21 04:02:01 INFO postfix/smtp[4]: h", 1, 0, "", "postfix/smtp",
         "4", "h"},
        {"Nov 21 04:02:01 relay1 a@b[5]: i", 1, 0, "relay1", "a@b", "5", "i"},
        {"Nov 21 04:02:01 relay1 a@b[6]: j", 1, 0, "relay1", "a@b", "6", "j"},
        {"Nov 21 04:02:01 relay1 postfix/smtp[11]: [ID 1 mail.notice] k", 1,
         0, "relay1", "postfix/smtp", "11", "k"},
        {"Nov 21 04:02:01 relay1 postfix/smtp[12]", 1, 0, "relay1", "", "",
         "postfix/smtp[12]"},
        {"Nov 21 04:02:01 relay1 ", 1, 0, "relay1", "", "", ""},
        {"Nov 21 04:02:02 relay1  postfix/smtp[13]: l", 1, 0, "relay1", "",
         "", " postfix/smtp[13]: l"},
    };
    struct ts_ctx c;
    struct wrap_rec r;
    size_t  i;

    ts_ctx_init_year(&c, 2024);
    for (i = 0; i < sizeof(wc) / sizeof(wc[0]); i++) {
        const struct wcase *w = &wc[i];

        wrap_parse(&c, span_make(w->line, strlen(w->line)), &r);
        T_CHECK(r.dated == w->dated && span_eq(r.host, w->host)
                && span_eq(r.ident, w->ident) && span_eq(r.pid, w->pid)
                && span_eq(r.msg, w->msg), "seen %zu: \"%.*s\" \"%.*s\" "
                "\"%.*s\" \"%.*s\"", i, (int) r.host.len, r.host.ptr,
                (int) r.ident.len, r.ident.ptr, (int) r.pid.len, r.pid.ptr,
                (int) r.msg.len, r.msg.ptr);
        T_CHECK(r.t == utc(2024, 11, 21, 4, 2, 1 + (i == 15)),
                "seen %zu: time", i);
    }
}

/* t_wrap_seen_many - a log merged from more hosts, with more
 * programs, than the caches of wrap_parse and ts_parse_3164 hold, in
 * two stamp forms alternating within a second ("Nov  1", "Nov 01"):
 * every line read as if alone */
static void
t_wrap_seen_many(void)
{
    static const char *const host[] = {"sender", "localhost", "mail",
        "vorlon", "ridley", "mail2", "server"};
    static const char *const ident[] = {"postfix/smtp", "postfix/qmgr",
        "postfix/cleanup", "postfix/pickup", "postfix/smtpd",
        "postfix/smtps/smtpd", "postfix/master", "postfix/bounce",
        "postfix-x/smtp", "postfix/lmtp", "postfix/tlsproxy"};
    struct ts_ctx c, fresh;
    struct wrap_rec r, alone;
    char    line[200];
    int     i, ok = 1;

    ts_ctx_init_year(&c, 2024);
    for (i = 0; i < 2000; i++) {
        const char *h = host[(i * 5 + i / 7) % 7];
        const char *id = ident[(i * 3 + i / 11) % 11];
        int     sec = (i / 3) % 60, min = (i / 180) % 60;
        int     n = snprintf(line, sizeof(line), i % 2 ? "Nov  1 %02d:%02d:%02d"
                             " %s %s[%d]: m%d" : "Nov 01 %02d:%02d:%02d %s "
                             "%s[%d]: m%d", 3, min, sec, h, id, 100 + i, i);

        wrap_parse(&c, span_make(line, (size_t) n), &r);
        ts_ctx_init_year(&fresh, 2024);
        wrap_parse(&fresh, span_make(line, (size_t) n), &alone);
        if (!r.dated || r.t != utc(2024, 11, 1, 3, min, sec)
            || r.t != alone.t || !span_eq(r.host, h) || !span_eq(r.ident, id)
            || r.pid.len != alone.pid.len || r.msg.len != alone.msg.len
            || memcmp(r.msg.ptr, alone.msg.ptr, r.msg.len) != 0) {
            ok = 0;
            T_CHECK(0, "many %d: \"%s\"", i, line);
            break;
        }
    }
    T_CHECK(ok, "7 hosts, 11 programs, two stamp forms interleaved");
}

/* t_nul_host - a log host field with a NUL byte in it: the key's name
 * ends there, for the session and for the TLS-host note alike (the
 * length given with it is the C string's) */
struct t_nul {
    int     sessions, notes, bad;
};

static void
t_nul_session(void *ctx, const struct sess_rec *r, enum sess_disp d)
{
    struct t_nul *n = ctx;

    (void) d;
    n->sessions++;
    if (strcmp(r->loghost, "mx") != 0)
        n->bad++;
}

static void
t_nul_tls_host(void *ctx, const char *loghost, size_t len)
{
    struct t_nul *n = ctx;

    n->notes++;
    if (len != strlen(loghost) || strcmp(loghost, "mx") != 0)
        n->bad++;
}

static void
t_nul_host(void)
{
    static const char l1[] = "Nov 21 04:02:01 mx\0b postfix/smtp[12]: "
        "Verified TLS connection established to mx.example[192.0.2.1]:25: "
        "TLSv1.3 with cipher X (256/256 bits)";
    static const char l2[] = "Nov 21 04:02:02 mx\0b postfix/smtp[12]: "
        "ABCDE12345: to=<a@example.org>, relay=mx.example[192.0.2.1]:25, "
        "delay=1, status=sent (250 ok)";
    const char *lines[] = {l1, l2};
    size_t  lens[] = {sizeof(l1) - 1, sizeof(l2) - 1};
    struct sess_conf conf;
    struct sess_cb cb;
    struct t_nul n;
    struct parser_set *ps;
    struct ts_ctx ts;
    struct wrap_rec r;
    struct trace tr;
    size_t  i;

    memset(&conf, 0, sizeof(conf));
    memset(&cb, 0, sizeof(cb));
    memset(&n, 0, sizeof(n));
    cb.session = t_nul_session;
    cb.tls_host = t_nul_tls_host;
    cb.ctx = &n;
    ps = parser_set_create("postfix", &conf, &cb);
    ts_ctx_init_year(&ts, 2024);
    for (i = 0; i < 2; i++) {
        wrap_parse(&ts, span_make(lines[i], lens[i]), &r);
        (void) parser_feed(ps, &r, &tr);
    }
    parser_flush(ps);
    parser_set_free(ps);
    T_CHECK(n.sessions == 1 && n.notes == 1 && n.bad == 0,
            "a NUL in the log host: the name ends there (%d sessions, "
            "%d notes, %d bad)", n.sessions, n.notes, n.bad);
}

static void
t_wrap(void)
{
    struct wcase wc[] = {
        /* RFC 3164 syslog */
        {"Nov 21 04:02:01 mail postfix/smtp[1234]: 3F1A2B: to=<a@b.example>",
         1, 0, "mail", "postfix/smtp", "1234", "3F1A2B: to=<a@b.example>"},
        /* Postfix maillog_file: zero-padded day */
        {"Jan 06 14:09:50 mx1 postfix/smtp[1]: msg here",
         1, 0, "mx1", "postfix/smtp", "1", "msg here"},
        /* RFC 3339 (rsyslog) */
        {"2021-03-13T12:04:09.755361+01:00 host postfix/smtp[22]: m",
         1, 1615633449, "host", "postfix/smtp", "22", "m"},
        /* journalctl short-iso */
        {"2023-09-08T17:20:30+0200 jhost postfix/smtp[7]: hello world",
         1, 1694186430, "jhost", "postfix/smtp", "7", "hello world"},
        /* container form: severity instead of host */
        {"2021-01-24T14:43:33.171226+00:00 INFO    postfix/smtp[1]: x y",
         1, 0, "", "postfix/smtp", "1", "x y"},
        {"2021-01-24T14:43:33Z WARNING postfix/smtp[2]: warn",
         1, 0, "", "postfix/smtp", "2", "warn"},
        /* no timestamp */
        {"postfix/smtp[1]: msg", 0, 0, "", "postfix/smtp", "1", "msg"},
        {"postfix-out/smtp[987]: AB12C: to=<x@y.example>", 0, 0, "",
         "postfix-out/smtp", "987", "AB12C: to=<x@y.example>"},
        /* message only */
        {"Verified TLS connection established to mx[192.0.2.1]:25: TLSv1.3",
         0, 0, "", "", "",
         "Verified TLS connection established to mx[192.0.2.1]:25: TLSv1.3"},
        {"to=<a@b.example>, relay=mx[192.0.2.1]:25, status=sent (ok)",
         0, 0, "", "", "",
         "to=<a@b.example>, relay=mx[192.0.2.1]:25, status=sent (ok)"},
        {"", 0, 0, "", "", "", ""},
        /* Solaris tag */
        {"Jan  6 14:09:50 sol postfix/smtp[1]: [ID 702911 mail.notice] "
         "ABCDE1: removed", 1, 0, "sol", "postfix/smtp", "1", "ABCDE1: removed"},
        /* dated, no host field */
        {"Jun  6 00:21:31 postfix/smtp[3682]: msg", 1, 0, "", "postfix/smtp",
         "3682", "msg"},
        /* dated, ident without pid */
        {"Jun  6 00:21:31 h postfix/smtp: msg", 1, 0, "h", "postfix/smtp", "",
         "msg"},
        /* undated with masked pid (posted logs) */
        {"postfix/smtp[xxxxx]: msg", 0, 0, "", "postfix/smtp", "xxxxx", "msg"},
        /* dated line whose rest is not an ident */
        {"Jun  6 00:21:31 h some free text", 1, 0, "h", "", "",
         "some free text"},
    };
    struct ts_ctx c;
    struct wrap_rec r;
    size_t  i;

    wc[0].t = utc(2024, 11, 21, 4, 2, 1);
    wc[1].t = utc(2024, 1, 6, 14, 9, 50);
    wc[4].t = utc(2021, 1, 24, 14, 43, 33);
    wc[5].t = utc(2021, 1, 24, 14, 43, 33);
    wc[11].t = utc(2024, 1, 6, 14, 9, 50);
    wc[12].t = utc(2024, 6, 6, 0, 21, 31);
    wc[13].t = utc(2024, 6, 6, 0, 21, 31);
    wc[15].t = utc(2024, 6, 6, 0, 21, 31);
    ts_ctx_init_year(&c, 2024);
    for (i = 0; i < sizeof(wc) / sizeof(wc[0]); i++) {
        const struct wcase *w = &wc[i];

        wrap_parse(&c, span_make(w->line, strlen(w->line)), &r);
        T_CHECK(r.dated == w->dated, "wrap %zu dated %d", i, r.dated);
        T_CHECK(!w->dated || r.t == w->t, "wrap %zu t %lld want %lld", i,
                (long long) r.t, (long long) w->t);
        T_CHECK(span_eq(r.host, w->host), "wrap %zu host \"%.*s\"", i,
                (int) r.host.len, r.host.ptr);
        T_CHECK(span_eq(r.ident, w->ident), "wrap %zu ident \"%.*s\"", i,
                (int) r.ident.len, r.ident.ptr);
        T_CHECK(span_eq(r.pid, w->pid), "wrap %zu pid \"%.*s\"", i,
                (int) r.pid.len, r.pid.ptr);
        T_CHECK(span_eq(r.msg, w->msg), "wrap %zu msg \"%.*s\"", i,
                (int) r.msg.len, r.msg.ptr);
        /* spans point into the line */
        T_CHECK(r.msg.ptr >= w->line
                && r.msg.ptr + r.msg.len <= w->line + strlen(w->line),
                "wrap %zu msg inside the line", i);
    }
    /* a line is not read past its span: the same bytes cut short */
    {
        const char *full = "Nov 21 04:02:01 mail postfix/smtp[1234]: m";
        size_t  n;
        int     bad = 0;

        for (n = 0; n <= strlen(full); n++) {
            wrap_parse(&c, span_make(full, n), &r);
            if (r.msg.ptr < full || r.msg.ptr + r.msg.len > full + n
                || r.host.len > n || r.ident.len > n)
                bad++;
        }
        T_CHECK(bad == 0, "every prefix stays in bounds (%d bad)", bad);
    }
}

/* ---------------------------------------------------------- pf_classify */

static struct pf_event ev;

static enum pf_kind
cls(const char *msg)
{
    pf_classify(span_make(msg, strlen(msg)), &ev);
    return ev.kind;
}

static void
t_classify(void)
{
    /* TLS established */
    T_CHECK(cls("Verified TLS connection established to mx.example.com"
                "[192.0.2.1]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 "
                "(256/256 bits)") == PF_TLS_EST
            && ev.trust == PF_TRUST_VERIFIED
            && span_eq(ev.peer_host, "mx.example.com")
            && span_eq(ev.peer_ip, "192.0.2.1") && ev.port == 25,
            "Verified established");
    T_CHECK(cls("Trusted TLS connection established to mx.b.example"
                "[2001:db8::1]:25: TLSv1.2 with cipher X") == PF_TLS_EST
            && ev.trust == PF_TRUST_TRUSTED
            && span_eq(ev.peer_ip, "2001:db8::1"), "Trusted established v6");
    T_CHECK(cls("Untrusted TLS connection established to "
                "valid-example-recipient.com[192.168.33.7]:25: TLSv1.1 with "
                "cipher AECDH-AES256-SHA (256/256 bits)") == PF_TLS_EST
            && ev.trust == PF_TRUST_UNTRUSTED, "Untrusted established");
    T_CHECK(cls("Anonymous TLS connection established to mx[192.0.2.9]:587:"
                " TLSv1.3") == PF_TLS_EST && ev.trust == PF_TRUST_ANON
            && ev.port == 587, "Anonymous established, port 587");
    T_CHECK(cls("TLS connection established to smtp.gmail.com[72.14.247.109]"
                ":587: TLSv1 with cipher RC4-MD5 (128/128 bits)")
            == PF_TLS_EST && ev.trust == PF_TRUST_NONE, "old form, no trust");
    T_CHECK(cls("Anonymous TLS connection established from unknown"
                "[192.0.2.5]: TLSv1.3") == PF_IGNORE, "inbound (smtpd)");
    /* reused */
    T_CHECK(cls("Verified TLS connection reused to mx.example[192.0.2.1]:25:"
                " TLSv1.3") == PF_TLS_REUSED && ev.trust == PF_TRUST_VERIFIED,
            "reused");
    /* certificate failures */
    T_CHECK(cls("certificate verification failed for mx.example[192.0.2.1]"
                ":25: untrusted issuer /C=US/O=Example") == PF_CERT_FAIL
            && ev.result == SESS_CERT_NOT_TRUSTED && !ev.certain
            && span_eq(ev.peer_host, "mx.example"), "untrusted issuer");
    T_CHECK(cls("server certificate verification failed for mx.n.example"
                "[192.0.2.74]:25: certificate has expired") == PF_CERT_FAIL
            && ev.result == SESS_CERT_EXPIRED, "expired");
    T_CHECK(cls("certificate verification failed for mx[192.0.2.1]:25: "
                "num=62:hostname mismatch") == PF_CERT_FAIL
            && ev.result == SESS_CERT_HOST_MISMATCH, "hostname mismatch");
    T_CHECK(cls("certificate verification failed for mx[192.0.2.1]:25: "
                "self-signed certificate") == PF_CERT_FAIL
            && ev.result == SESS_CERT_NOT_TRUSTED, "self-signed");
    T_CHECK(cls("certificate verification failed for mx[192.0.2.1]:25: "
                "no matching DANE TLSA records") == PF_CERT_FAIL
            && ev.result == SESS_TLSA_INVALID && ev.certain && ev.dane,
            "DANE TLSA mismatch is certain");
    T_CHECK(cls("certificate verification failed for mx.p.example"
                "[192.0.2.76]:25: external policy failure "
                "(sts-webpki-invalid)") == PF_CERT_FAIL
            && ev.result == SESS_STS_WEBPKI_INVALID && ev.certain,
            "external policy failure type");
    T_CHECK(cls("certificate verification failed for mx[192.0.2.1]:25: "
                "something new") == PF_CERT_FAIL
            && ev.result == SESS_VALIDATION_FAILURE, "unknown text");
    T_CHECK(cls("certificate verification failed for ") == PF_CERT_FAIL
            && ev.result == SESS_VALIDATION_FAILURE, "cut after 'for'");
    /* handshake */
    T_CHECK(cls("SSL_connect error to valid-example-recipient.com"
                "[192.168.33.7]:25: -1") == PF_HANDSHAKE_FAIL
            && span_eq(ev.text, "-1") && ev.port == 25, "SSL_connect -1");
    T_CHECK(cls("SSL_connect error to mx[192.0.2.1]:25: lost connection")
            == PF_HANDSHAKE_FAIL && span_eq(ev.text, "lost connection"),
            "SSL_connect lost connection");
    T_CHECK(cls("warning: TLS library problem: error:0A000086:SSL routines::"
                "certificate verify failed:ssl/statem/statem_clnt.c:1889:")
            == PF_TLS_LIBPROB && span_starts(ev.text, "error:0A000086"),
            "TLS library problem");
    T_CHECK(cls("warning: database /etc/postfix/x.db is older") == PF_IGNORE,
            "other warning");
    /* details */
    T_CHECK(cls("SSL_connect:before SSL initialization") == PF_DETAIL,
            "SSL_connect: state");
    T_CHECK(cls("certificate verification depth=0 subject=/CN=x")
            == PF_DETAIL, "depth= detail");
    T_CHECK(cls("setting up TLS connection to mx[192.0.2.1]:25")
            == PF_DETAIL, "setting up");
    T_CHECK(cls("mx.example[192.0.2.1]:25: depth=0 verify=1 subject=/CN=x")
            == PF_DETAIL, "host[ip]:port: depth=");
    T_CHECK(cls("Host offered STARTTLS: [mx.example]") == PF_DETAIL,
            "Host offered STARTTLS");
    T_CHECK(cls("verify return: 1") == PF_DETAIL, "verify return");
    /* not offered */
    T_CHECK(cls("LLLLLLLLLL: TLS is required, but was not offered by host "
                "mx1.q.example[192.0.2.77]") == PF_NOT_OFFERED
            && span_eq(ev.qid, "LLLLLLLLLL")
            && span_eq(ev.peer_host, "mx1.q.example")
            && span_eq(ev.peer_ip, "192.0.2.77"), "not offered");
    /* per-MX soft */
    T_CHECK(cls("AF3B6480475: Server certificate not trusted") == PF_SOFT
            && span_eq(ev.qid, "AF3B6480475"), "soft: not trusted");
    T_CHECK(cls("MMMMMMMMMM: lost connection with mx.r.example[192.0.2.79] "
                "while sending RCPT TO") == PF_SOFT
            && span_eq(ev.peer_ip, "192.0.2.79"), "soft: lost connection");
    T_CHECK(cls("ABCDE12345: host mx.example[192.0.2.1] said: 421 busy")
            == PF_SOFT && span_eq(ev.peer_host, "mx.example"),
            "soft: host said");
    T_CHECK(cls("ABCDE12345: conversation with mx[192.0.2.1] timed out")
            == PF_SOFT, "soft: conversation");
    /* status */
    T_CHECK(cls("AF3B6480475: to=<vagrant@valid-example-recipient.com>, "
                "relay=valid-example-recipient.com[192.168.33.7]:25, "
                "delay=0.06, delays=0.03/0.03/0/0, dsn=4.7.5, "
                "status=deferred (Cannot start TLS: handshake failure)")
            == PF_STATUS && span_eq(ev.rcpt, "vagrant@valid-example-recipient.com")
            && span_eq(ev.status, "deferred")
            && span_eq(ev.text, "Cannot start TLS: handshake failure")
            && span_eq(ev.peer_ip, "192.168.33.7") && ev.port == 25
            && span_eq(ev.qid, "AF3B6480475"), "status deferred");
    T_CHECK(cls("JJJJJJJJJJ: to=<f@o.example>, relay=mx.o.example"
                "[2001:db8:0:0::1]:25, delay=1, delays=0/0/0.5/0.5, tls=dane,"
                " dsn=2.0.0, status=sent (250 ok)") == PF_STATUS
            && span_eq(ev.tls, "dane") && span_eq(ev.status, "sent")
            && span_eq(ev.text, "250 ok"), "status with tls=");
    T_CHECK(cls("GGGGGGGGGG: to=<c@l.example>, relay=none, delay=1, "
                "delays=0/0/0/0, dsn=4.7.5, status=deferred (TLSA lookup "
                "error for mx.l.example:25)") == PF_STATUS && ev.relay_none,
            "status relay=none");
    T_CHECK(cls("ABCDE12345: to=<a@b.example>, relay=mx[192.0.2.1]:25, "
                "conn_use=3, delay=1, dsn=2.0.0, status=sent (250 ok)")
            == PF_STATUS && ev.conn_use == 3, "status conn_use");
    T_CHECK(cls("ABCDE12345: to=<a@b.example>, relay=mx[192.0.2.1]:25, "
                "status=sent (250 o") == PF_STATUS_BAD, "status cut in text");
    T_CHECK(cls("ABCDE12345: to=<a@b.exam") == PF_STATUS_BAD,
            "status cut in address");
    T_CHECK(cls("ABCDE12345: to=<a@b.example>, relay=mx[192.0.2.1") ==
            PF_STATUS_BAD, "status cut in relay");
    T_CHECK(cls("to=<a@b.example>, relay=mx[192.0.2.1]:25, status=sent (ok)")
            == PF_STATUS && span_eq(ev.rcpt, "a@b.example") && ev.qid.len == 0,
            "status fragment without qid");
    /* smtp_header_checks and smtp_body_checks: the message's words */
    T_CHECK(cls("ABCDE12345: warning: header Subject: Server certificate "
                "not trusted") == PF_IGNORE
            && cls("ABCDE12345: warning: body TLS is required, but was not "
                   "offered by host mx[192.0.2.1]") == PF_IGNORE
            && cls("ABCDE12345: Server certificate not trusted") == PF_SOFT,
            "header and body checks are no per-MX text");
    /* an address that writes Postfix's fields (pf_addr, pf_status_own) */
    T_CHECK(cls("ABCDE12345: to=<\"x@v.example>, relay=mx.v.example[192.0.2.7]"
                ":25, y\"@a.example>, relay=mx.a.example[203.0.113.5]:25, "
                "dsn=2.0.0, status=sent (250 ok)") == PF_STATUS_FORGED,
            "status: a quoted address with relay=");
    T_CHECK(cls("ABCDE12345: to=<x@v.example>, relay=mx.v.example[192.0.2.7]"
                ":25, dsn=4.7.5, status=deferred (Server certificate not "
                "trusted)@a.example>, relay=mx.a.example[203.0.113.5]:25, "
                "dsn=2.0.0, status=sent (250 ok)") == PF_STATUS_FORGED,
            "status: an unquoted address with relay= and status=");
    T_CHECK(cls("ABCDE12345: to=<x@v.example>, relay=mx.v.example[192.0.2.7]"
                ":25, y@a.example>, relay=mx.a.example[203.0.113.5]:25, "
                "dsn=2.0.0, status=sent (250 ok)") == PF_STATUS_FORGED,
            "status: an unquoted address with relay=");
    T_CHECK(cls("ABCDE12345: to=<\"x@v.example>, orig_to=<w\"@a.example>, "
                "relay=mx.a.example[203.0.113.5]:25, dsn=2.0.0, status=sent "
                "(250 ok)") == PF_STATUS
            && span_eq(ev.rcpt, "\"x@v.example>, orig_to=<w\"@a.example")
            && span_eq(ev.peer_ip, "203.0.113.5"),
            "status: a quoted address with '>' read whole");
    T_CHECK(cls("ABCDE12345: to=<ed@<my domain>>, relay=mx[192.0.2.1]:25, "
                "dsn=2.0.0, status=sent (250 ok)") == PF_STATUS
            && span_eq(ev.rcpt, "ed@<my domain>"),
            "status: an address with <...> of its own");
    /* TLSRPT (Postfix >= 3.10) */
    T_CHECK(cls("TLSRPT: status=failure, domain=j.example, receiving_mx="
                "mx.j.example[192.0.2.70], failure_type=certificate_expired")
            == PF_TLSRPT && span_starts(ev.text, "status=failure"),
            "TLSRPT line");
    /* local no STARTTLS */
    T_CHECK(cls("discarding EHLO keywords: PIPELINING STARTTLS")
            == PF_NO_STARTTLS_LOCAL, "discarding STARTTLS");
    T_CHECK(cls("discarding EHLO keywords: PIPELINING") == PF_IGNORE,
            "discarding other keywords");
    /* tlsproxy */
    T_CHECK(cls("CONNECT to mx.example[192.0.2.1]:25") == PF_PROXY_CONNECT,
            "tlsproxy CONNECT");
    T_CHECK(cls("DISCONNECT [192.0.2.1]:25") == PF_PROXY_CONNECT,
            "tlsproxy DISCONNECT");
    /* ignored */
    T_CHECK(cls("AF3B6480475: removed") == PF_IGNORE, "removed");
    T_CHECK(cls("AF3B6480475: uid=0 from=<root>") == PF_IGNORE, "uid=");
    T_CHECK(cls("connect to mx.example[192.0.2.1]:25: Connection refused")
            == PF_IGNORE, "connect refused");
    T_CHECK(cls("") == PF_IGNORE, "empty message");
    T_CHECK(cls("V") == PF_IGNORE, "one byte V");
    T_CHECK(cls("abcde: to=<x@y>") == PF_IGNORE,
            "lower-case-only qid is not a qid");
    /* every prefix of a status line stays in bounds and never crashes */
    {
        const char *full = "AF3B6480475: to=<a@b.example>, relay=mx.b.example"
            "[192.0.2.1]:25, delay=1, conn_use=2, tls=verify, dsn=2.0.0, "
            "status=sent (250 ok)";
        size_t  n;
        int     bad = 0;

        for (n = 0; n <= strlen(full); n++) {
            pf_classify(span_make(full, n), &ev);
            if ((ev.kind == PF_STATUS && ev.rcpt.len
                 && ev.rcpt.ptr + ev.rcpt.len > full + n)
                || (ev.kind == PF_STATUS && ev.text.len
                    && ev.text.ptr + ev.text.len > full + n)
                || (ev.peer_ip.len
                    && ev.peer_ip.ptr + ev.peer_ip.len > full + n))
                bad++;
            if (n < strlen(full) - 1 && ev.kind == PF_STATUS
                && n > strlen("AF3B6480475: to=<a@b.example>"))
                bad += (ev.text.len > 0 && !span_eq(ev.text, "250 ok"));
        }
        T_CHECK(bad == 0, "status prefixes in bounds (%d bad)", bad);
        T_CHECK(cls(full) == PF_STATUS && ev.conn_use == 2
                && span_eq(ev.tls, "verify"), "full status line");
    }
}

/* t_fast_paths - the short cuts of ts.c, wrap.c and pf.c give what
 * reading the text whole gives: a new second in the minute of one of
 * the last two stamps (and the year rule inside that minute), an ISO
 * stamp whose date and time repeat with another fraction or offset, a
 * status text that is one of Postfix's phrases whole, and the phrases
 * of a dialogue past EHLO */
static void
t_fast_paths(void)
{
    static const char *const iso[] = {
        "2024-11-01T00:10:19.1+00:00 h", "2024-11-01T00:10:19.25+01:00 h",
        "2024-11-01T00:10:19Z h", "2024-11-01 00:10:19-0130 h",
        "2024-11-01T00:10:19 h", "2024-11-01T00:10:20Z h",
        "2024-11-01T00:10:19,5Z h", "2024-11-01T00:10:19+25:00 h",
    };
    static const struct {
        const char *text;
        int     past;
    } past[] = {
        {"host x said: 550 no (in reply to RCPT TO command)", 1},
        {"in reply to in reply to end of DATA command", 1},
        {"in reply to HELO command", 0},
        {"lost connection with x while sending message body", 1},
        {"while sending end of DATA", 0},
        {"while sending while sending DATA", 1},
        {"in reply to MAIL", 0},
        {"", 0},
    };
    struct ts_ctx c, fresh;
    int64_t t, t1;
    char    line[64];
    int     i, ok = 1, kind, dane;
    const char *why;

    /* the reference's last second plus a day of skew is 12:00:00 UTC:
     * 12:00:01 of the same minute is in the year before */
    ts_ctx_init(&c, (time_t) utc(2024, 12, 5, 12, 0, 0));
    T_CHECK(p3164(&c, "Dec 06 12:00:00 h", &t, NULL) == 0
            && t == utc(2024, 12, 6, 12, 0, 0) && !c.back, "last second");
    T_CHECK(p3164(&c, "Dec 06 12:00:01 h", &t, NULL) == 0
            && t == utc(2023, 12, 6, 12, 0, 1) && c.back,
            "the second after: the year before");
    T_CHECK(p3164(&c, "Dec 06 12:00:02 h", &t, NULL) == 0
            && t == utc(2023, 12, 6, 12, 0, 2), "and the next");
    /* two stamp forms alternating, each second new */
    ts_ctx_init_year(&c, 2024);
    for (i = 0; i < 120; i++) {
        snprintf(line, sizeof(line), i % 2 ? "Nov  1 03:%02d:%02d h"
                 : "Nov 01 03:%02d:%02d h", i / 60 * 59, i % 60);
        ts_ctx_init_year(&fresh, 2024);
        if (p3164(&c, line, &t, NULL) != 0 || p3164(&fresh, line, &t1, NULL)
            != 0 || t != t1 || t != utc(2024, 11, 1, 3, i / 60 * 59, i % 60))
            ok = 0;
    }
    T_CHECK(ok, "new seconds in two forms");
    T_CHECK(p3164(&c, "Nov 01 03:59:61 h", &t, NULL) == -1,
            "a second past 60 in a known minute");
    /* ISO: the same date and time, another fraction or offset */
    ok = 1;
    for (i = 0; i < (int) (sizeof(iso) / sizeof(iso[0])); i++) {
        struct span a = span_make(iso[i], strlen(iso[i]));
        struct span b = a;
        int     ra = ts_parse_iso(&a, &t);
        int     rb = ts_parse_iso_seen(&c, &b, &t1);

        if (ra != rb || (ra == 0 && (t != t1 || a.ptr != b.ptr)))
            ok = 0;
    }
    T_CHECK(ok, "ISO stamps with their date and time kept");
    /* ISO: the offset read last kept (ts_iso_zone_seen), on generated
     * stamps of two minutes: fractions of 0 to 10 digits after '.' or
     * ',', offsets right and wrong, what follows them, cut short */
    {
        static const char *const zone[] = {
            "+00:00", "-05:30", "+01:00", "+0100", "Z", "+23:59", "+24:00",
            "+00:60", "+0:00", "+00:0x", "-00:00", "+05:30", "+00:00:",
        };
        static const char *const after[] = {" h x", "h", " ", "", "  h"};
        uint64_t x = 5;
        char    st[96];
        int     n;

        ok = 1;
        ts_ctx_init_year(&c, 2024);
        for (i = 0; i < 200000; i++) {
            unsigned fd, zi, ai;
            struct span a, b;
            int     ra, rb;

            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            fd = (unsigned) (x >> 33) % 11;
            zi = (unsigned) (x >> 40) % (sizeof(zone) / sizeof(zone[0]));
            ai = (unsigned) (x >> 50) % (sizeof(after) / sizeof(after[0]));
            if ((x >> 20) % 4 == 0)     /* the offset before, mostly */
                zi = 0;
            n = snprintf(st, sizeof(st), "2024-11-01T00:%02u:%02u%s%.*s%s%s",
                         (unsigned) (x >> 30) % 2, (unsigned) (x >> 36) % 60,
                         fd == 0 ? "" : (x >> 45) % 9 ? "." : ",",
                         (int) fd, "0123456789", zone[zi], after[ai]);
            if ((x >> 55) % 7 == 0 && n > 1)
                n -= (int) ((x >> 24) % (unsigned) n);
            a = span_make(st, (size_t) n);
            b = a;
            ra = ts_parse_iso(&a, &t);
            rb = ts_parse_iso_seen(&c, &b, &t1);
            if (ra != rb || (ra == 0 && (t != t1 || a.ptr != b.ptr
                                         || a.len != b.len)))
                ok = 0;
        }
        T_CHECK(ok, "ISO stamps with their offset kept");
    }
    /* a status text that is a phrase whole, or holds one */
    T_CHECK(pf_text_result(SPAN_LIT("Server certificate not verified"),
                           &kind, &dane, &why) == SESS_CERT_NOT_TRUSTED
            && kind == PF_TEXT_NOT_VERIFIED && strcmp(why,
                                    "certificate-not-verified") == 0,
            "a phrase whole");
    T_CHECK(pf_text_result(SPAN_LIT("delivery temporarily suspended: "
                                    "Server certificate not verified"),
                           &kind, &dane, &why) == -2, "a phrase held");
    T_CHECK(pf_text_result(SPAN_LIT("no TLSA records found"), &kind, &dane,
                           &why) == SESS_DANE_REQUIRED && dane == 1,
            "a DANE phrase whole");
    /* a server's reply is not searched (pf_text_own) */
    T_CHECK(pf_text_result(SPAN_LIT("host mx[192.0.2.1] said: 550 5.1.1 "
                                    "<\"Server certificate not trusted\"@v"
                                    ".example>: unknown (in reply to RCPT TO"
                                    " command)"), &kind, &dane, &why) == -1,
            "a phrase in a server's reply");
    T_CHECK(pf_text_result(SPAN_LIT("host mx[192.0.2.1] said: 450 delivery "
                                    "temporarily suspended"), &kind, &dane,
                           &why) == -1, "suspended in a server's reply");
    T_CHECK(pf_text_result(SPAN_LIT("TLS is required, but host mx[192.0.2.1]"
                                    " refused to start TLS: 454 4.7.0 Server "
                                    "certificate not trusted"), &kind, &dane,
                           &why) == SESS_STARTTLS_NOT_SUPPORTED
            && strcmp(why, "starttls-refused") == 0,
            "refused to start TLS, whatever the reply says");
    T_CHECK(pf_text_past_ehlo(SPAN_LIT("host mx[192.0.2.1] said: 554 <\"(in "
                                       "reply to RCPT TO command)\"@x> (in "
                                       "reply to EHLO command)")) == 0
            && pf_text_past_ehlo(SPAN_LIT("host mx[192.0.2.1] said: 550 no "
                                          "(in reply to RCPT TO command)")) == 1,
            "past EHLO: only Postfix's last words after a reply");
    for (i = 0; i < (int) (sizeof(past) / sizeof(past[0])); i++)
        T_CHECK(pf_text_past_ehlo(span_make(past[i].text,
                                            strlen(past[i].text)))
                == past[i].past, "past EHLO: %s", past[i].text);
}

/* ------------------------------------------------------- fingerprints */

/* the hashes the code gave before the per-thread tables of what lines
 * repeat (pf_peer(), pf_cert_text(), pf_text_facts(), wrap_pair_seen()
 * and the undated shortcuts of wrap_slow()), the same on gcc and clang:
 * any change of a field of any line changes them. FP_CLASSIFY and
 * FP_TEXT taken again when Postfix's status lines and texts stopped
 * taking a sender's words for Postfix's own: an address ends at its
 * first '>' outside quotes and "<...>" (pf_addr), a line whose address
 * may hold its fields is PF_STATUS_FORGED (pf_status_own), a server's
 * reply is not searched for TLS failure texts, "delivery temporarily
 * suspended" nor "in reply to" (pf_text_own), and "QID: word: ..." (the
 * header and body checks of smtp(8)) is no per-MX text. With pf_addr()
 * the old span_upto(">"), pf_status_own() always 1, pf_text_own() the
 * whole text, "suspended" found anywhere and "QID: word: " read as
 * before, the old hashes, 0xb82e2717067375fa and 0x0ed0665baee58b3f,
 * come back */
#define FP_CLASSIFY 0x974081227fe0a69fULL
#define FP_TEXT 0x96d01ef7dc14a4d3ULL
#define FP_WRAP 0x6025cde1732dd5ccULL
#define FP_ENV 0x847c0e653d44048eULL

/* fp_next - the generator of the hostile texts below (an LCG) */
static unsigned
fp_next(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned) (*x >> 33);
}

/* fp_poke - a byte of set (k bytes) at a place of buf[n] (n > 0), the
 * place drawn first: in one expression the order of the two draws
 * would be the compiler's */
static void
fp_poke(uint64_t *x, char *buf, size_t n, const char *set, unsigned k)
{
    size_t  at = fp_next(x) % n;

    buf[at] = set[fp_next(x) % k];
}

/* fp_text - n pieces of the words Postfix lines are made of, with a
 * byte changed now and then, into buf (cap bytes); its length */
static size_t
fp_text(uint64_t *x, char *buf, size_t cap, const char *const *word,
        size_t nword, int pieces)
{
    size_t  n = 0;
    int     k;

    for (k = 0; k < pieces; k++) {
        const char *w = word[fp_next(x) % nword];
        size_t  l = strlen(w);

        if (n + l >= cap)
            break;
        memcpy(buf + n, w, l);
        n += l;
        if (fp_next(x) % 8 == 0 && n > 0)
            fp_poke(x, buf, n, "=[]:, <>(\0.-/9aZ", 16);
        if (fp_next(x) % 16 == 0 && n > 0)
            n -= fp_next(x) % n;            /* cut */
    }
    return n;
}

/* the words of Postfix's messages and the texts between them */
static const char *const fp_msg_word[] = {
    "to=<", "a@b.example", ">", ", orig_to=<", ", relay=", "none",
    "mx.example.com[192.0.2.1]:25", "gmail-smtp-in.l.google.com",
    "[2001:db8::1]", ":25", ":", "[", "]", ", conn_use=", "2", "17",
    ", delay=0.1", ", delays=0/0/0/0", ", dsn=4.7.5", ", tls=", "dane",
    "verify!", "secure", ", status=", " status=", "status=", "sent",
    "deferred", "bounced", " (", ")", "(", "250 2.0.0 Ok: queued as X",
    "TLS", "certificate", "hostname", "DNSSEC", "suspended",
    "delivery temporarily suspended: ", "Server certificate not trusted",
    "Server certificate not verified", "TLS is required, but was not offered",
    "Cannot start TLS: handshake failure", "refused to start TLS",
    "no TLSA records found", "non DNSSEC destination", "TLSA lookup error",
    "TLSA records unusable", "Cannot verify server hostname",
    "Cannot verify server certificate", "Verified ", "Trusted ",
    "Untrusted ", "Anonymous ", "TLS connection ", "established ",
    "reused ", "to ", "from ", "SSL_connect error to ", "host ", " said: ",
    "lost connection with ", "conversation with ", "A1B2C3D4E5: ",
    "abcde: ", "3Fz9Lm0qQ1zz: ", "certificate verification failed for ",
    "untrusted issuer /C=US", "num=20:unable to get local issuer",
    "TLSRPT: ", "warning: TLS library problem: ", "depth=0 ",
    "in reply to ", "RCPT TO", "while sending ", "end of DATA", " ", ", ",
    "=", "relay", "conn_use", ", tls", "c", "h", "s", "T", "D",
    "hostnam", "certificat", "DNSSE", "suspende",
    "certificate verification failed for mx.example[192.0.2.1]:25: ",
    "server certificate verification failed for x: ", "no matching DANE TLSA",
    "external policy failure (", "certificate-expired)", "not trusted by local",
    " or TLSA policy", "has expired", "hostname mismatch", "mis-match",
    "dNSNames in certificate", "untrusted issuer", "self-signed",
    "self signed", "local issuer", "certificate not trusted",
    "unable to get issuer", "unable to verify the first", "no matching",
    "has ", "self", "unable to ", "num=62:", "n", "u", "l", "m",
};

/* fp_status - a status line of Postfix's fields, each one of the forms
 * above or a hostile one, into buf; its length */
static size_t
fp_status(uint64_t *x, char *buf, size_t cap)
{
    static const char *const part[][6] = {
        {"A1B2C3D4E5: ", "abcde: ", "", "A1B2C3D4E5:", "3Fz9Lm0qQ1zz: ", "AB: "},
        {"to=<a@b.example>", "to=<>", "to=<a=b@c>", "to=<a, status=x>",
         "to=<a", ""},
        {"", "", ", orig_to=<x@y>", ", orig_to=<relay=x>", ", orig_to=<", ""},
        {", relay=mx.example.com[192.0.2.1]:25", ", relay=none",
         ", relay=x[2001:db8::1]:25", ", relay=[1.2.3.4]", ", relay=",
         ", relay=h[1.2.3.4]:99999999"},
        {"", "", ", conn_use=2", ", conn_use=", ", conn_use=123456789", ""},
        {", delay=0.1, delays=0/0/0/0, dsn=2.0.0", ", dsn=4.7.5", "",
         ", delay=", ", x=y=z", ", relay=second[5.6.7.8]:26"},
        {"", ", tls=dane", ", tls=verify!", ", tls=secure, x", ", tls=", ""},
        {", status=", " status=", ", status=", ", status=", "status=", ", stat="},
        {"sent", "deferred", "bounced", "", "sent (", "x y"},
        {" (250 2.0.0 Ok: queued as X)", " (Server certificate not trusted)",
         " (TLS is required, but was not offered by host h[1.2.3.4])",
         " (delivery temporarily suspended: x)", " (", ""},
    };
    size_t  n = 0, k;

    for (k = 0; k < sizeof(part) / sizeof(part[0]); k++) {
        const char *w = part[k][fp_next(x) % 6];
        size_t  l = strlen(w);

        if (n + l >= cap)
            return 0;
        memcpy(buf + n, w, l);
        n += l;
    }
    if (fp_next(x) % 4 == 0 && n > 0)
        fp_poke(x, buf, n, "=[]:, <>(\0.-/9aZ", 16);
    return n;
}

/* the texts of certificate failures (the front of each, cut to its
 * case's length) */
static const char *const fp_cert[] = {
    "no matching DANE TLSA", "external policy failure (certificate-expired)",
    "external policy failure (bogus)", "not trusted by local or TLSA policy",
    "has expired", "hostname mismatch", "mis-match", "dNSNames in certificate",
    "untrusted issuer /C=US/O=x", "self-signed certificate", "self signed",
    "num=20:unable to get local issuer certificate", "certificate not trusted",
    "unable to get issuer", "unable to verify the first certificate",
    "num=62:hostname mismatch", "certificate has expired", "x",
    "external policy failure (", "has expired no matching DANE TLSA",
};

/* fp_peer_line - a line that names a peer, of a few peers asked again
 * and again, alike but for a byte, ports long and cut, hosts and texts
 * about the longest kept, what follows the peer of every kind; its
 * length */
static size_t
fp_peer_line(uint64_t *x, char *buf, size_t cap)
{
    static const char *const lead[] = {
        "Verified TLS connection established to ",
        "Untrusted TLS connection reused to ", "SSL_connect error to ",
        "certificate verification failed for ",
        "A1B2C3D4E5: to=<a@b.example>, relay=",
        "A1B2C3D4E5: host ", "A1B2C3D4E5: lost connection with ", "",
    };
    static const char *const peer[] = {
        "mx.example.com[192.0.2.1]:25", "mx.example.com[192.0.2.1]:2",
        "mx.example.com[192.0.2.1]:255", "mx.example.com[192.0.2.10]:25",
        "gmail-smtp-in.l.google.com[74.125.136.26]:25",
        "gmail-smtp-in.l.google.com[74.125.136.27]:25",
        "mail.sys4.de[2001:1578:400:111::7]:25", "valid.test[192.0.2.2]:25",
        "valid.test[192.0.2.2]", "valid.test", "a[1.2.3.4]:25", "[1.2.3.4]:25",
        "h[1.2.3.4]:99999999", "h[1.2.3.4]:0025", "h:x[1.2.3.4]:25",
        "a-host-name-so-long-that-with-its-address-the-peer-is-past-the-kept"
        "-length.example.com[192.0.2.1]:25",
        "a-host-name-so-long-that-with-its-address-the-peer-is-just-kept.e"
        "xample[192.0.2.1]:25",
        "x.example[2001:db8::1]:25", "x.example[2001:db8::1:25",
        "mx.example.com [192.0.2.1]:25",
    };
    static const char *const tail[] = {
        ": TLSv1.3 with cipher x", "", "0", "9: x", ", delay=1, status=sent (ok)",
        " said: 450 later", ":", ": ", " while sending RCPT TO", "]", "a",
    };
    const char *l = lead[fp_next(x) % 8];
    const char *pe = peer[fp_next(x) % (sizeof(peer) / sizeof(peer[0]))];
    const char *t = tail[fp_next(x) % (sizeof(tail) / sizeof(tail[0]))];
    int     n = snprintf(buf, cap, "%s%s%s", l, pe, t);

    if (n < 0 || (size_t) n >= cap)
        return 0;
    if (fp_next(x) % 4 == 0 && n > 0)
        fp_poke(x, buf, n, "[]:9 .,x", 8);
    return (size_t) n;
}

/* t_fp_classify - pf_classify() and pf_text_result() of hostile texts
 * made of the words of Postfix's lines: the fields each wrote, hashed,
 * are what the plain code gave (the value was taken from it) */
static void
t_fp_classify(void)
{
    uint64_t x = 18, h = 0xcbf29ce484222325ULL, ht = h;
    char    buf[400];
    int     i;

    for (i = 0; i < 300000; i++) {
        size_t  n = fp_text(&x, buf, sizeof(buf), fp_msg_word,
                            sizeof(fp_msg_word) / sizeof(fp_msg_word[0]),
                            1 + (int) (fp_next(&x) % 14));
        struct span s = span_make(buf, n);
        struct pf_event e;
        int     kind, dane, res;
        const char *why;
        long    v[8];

        if (i % 3 == 0 && (n = fp_status(&x, buf, sizeof(buf))) > 0)
            s = span_make(buf, n);
        if (i % 3 == 2 && fp_next(&x) % 2)
            s = span_make(buf, n = fp_peer_line(&x, buf, sizeof(buf)));
        if (i % 3 == 1) {
            /* a certificate failure of a few texts asked again and
             * again, alike but for a byte, some too long to be kept */
            size_t  k = fp_next(&x) % 40, m;

            n = (size_t) snprintf(buf, sizeof(buf), "%scertificate "
                                  "verification failed for mx[192.0.2.1]:25: ",
                                  k % 5 ? "" : "server ");
            m = k % 10 == 9 ? 230 + k : 3 + k * 5;
            memcpy(buf + n, fp_cert[k % 20], strlen(fp_cert[k % 20]));
            if (m > strlen(fp_cert[k % 20]))
                memset(buf + n + strlen(fp_cert[k % 20]), k % 2 ? 'x' : ' ',
                       m - strlen(fp_cert[k % 20]));
            if (fp_next(&x) % 4 == 0)
                fp_poke(&x, buf + n, m, "nNuh -()", 8);
            n += m;
            s = span_make(buf, n);
        }
        pf_classify(s, &e);
        v[0] = e.kind;
        v[1] = e.trust;
        v[2] = e.result;
        v[3] = e.certain;
        v[4] = e.dane;
        v[5] = e.port;
        v[6] = e.relay_none;
        v[7] = e.conn_use;
        h = ev_fnv(h, v, sizeof(v));
        h = ev_span(h, e.peer_host, buf);
        h = ev_span(h, e.peer_ip, buf);
        h = ev_span(h, e.qid, buf);
        /* the fields of some events only (pf.h) for those */
        if (e.kind == PF_STATUS) {
            h = ev_span(h, e.rcpt, buf);
            h = ev_span(h, e.status, buf);
        }
        if (e.kind == PF_STATUS || e.kind == PF_SOFT
            || e.kind == PF_HANDSHAKE_FAIL || e.kind == PF_TLS_LIBPROB
            || e.kind == PF_TLSRPT)
            h = ev_span(h, e.text, buf);
        if (e.kind == PF_STATUS)
            h = ev_span(h, e.tls, buf);
        if (e.kind != PF_CERT_FAIL)
            ;
        else if (e.reason.ptr >= buf && e.reason.ptr <= buf + n)
            h = ev_span(h, e.reason, buf);
        else
            h = ev_fnv(h, e.reason.ptr, e.reason.len);
        res = pf_text_result(s, &kind, &dane, &why);
        v[0] = res;
        v[1] = kind;
        v[2] = dane;
        ht = ev_fnv(ev_fnv(ht, v, 3 * sizeof(long)), why, strlen(why));
        v[0] = pf_text_past_ehlo(s);
        ht = ev_fnv(ht, v, sizeof(long));
    }
    if (getenv("T_FP_PRINT"))
        printf("fp classify %016llx text %016llx\n", (unsigned long long) h,
           (unsigned long long) ht);
    T_CHECK(h == FP_CLASSIFY, "pf_classify() of hostile texts as before");
    T_CHECK(ht == FP_TEXT, "pf_text_result() of hostile texts as before");
}

/* ref_slug - sess_slug() as it was: a byte at a time, two range tests
 * and the last byte written read back */
static void
ref_slug(struct span t, char *out, size_t cap)
{
    size_t  o = 0;
    size_t  i;

    if (cap == 0)
        return;
    for (i = 0; i < t.len && o + 1 < cap; i++) {
        unsigned char c = (unsigned char) t.ptr[i];

        if (c >= 'A' && c <= 'Z')
            c = (unsigned char) (c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            c = '-';
        if (c == '-' && (o == 0 || out[o - 1] == '-'))
            continue;
        out[o++] = (char) c;
    }
    while (o > 0 && out[o - 1] == '-')
        o--;
    out[o] = 0;
}

/* ref_set_reason - sess_set_reason() as it was: a byte at a time */
static void
ref_set_reason(struct sess_rec *rec, const char *text, unsigned long len)
{
    size_t  o = 0;
    unsigned long i;

    for (i = 0; i < len && o < SESS_MAX_REASON; i++) {
        unsigned char c = (unsigned char) text[i];

        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            c = ' ';
        if (c == ' ' && (o == 0 || rec->reason[o - 1] == ' '))
            continue;
        rec->reason[o++] = (char) c;
    }
    while (o > 0 && rec->reason[o - 1] == ' ')
        o--;
    rec->reason[o] = 0;
}

/* t_fp_set_reason - sess_set_reason() (a clean code copied whole) as
 * ref_set_reason() on texts of every length to past SESS_MAX_REASON:
 * codes, codes with one byte of those the copy changes at any place
 * (the edges of each range: 0x20, 0x21, 0x7e, 0x7f, '"', '\\', NUL,
 * 0x80, 0xff), and bytes of every value; every byte of the record
 * compared, over the same bytes before */
static void
t_fp_set_reason(void)
{
    static const char edge[] = " !~\x7f\"\\\0\x80\xff\t";
    uint64_t x = 9;
    char    text[200];
    struct sess_rec a, b;
    int     i, j, ok = 1, fast = 0;

    for (i = 0; i < 300000; i++) {
        size_t  n = fp_next(&x) % (i % 3 ? 40 : sizeof(text));
        unsigned kind = fp_next(&x) % 4;

        for (j = 0; j < (int) n; j++)
            text[j] = kind == 3 ? (char) (fp_next(&x) % 256)
                : "abcxyz0189-_.:=/AZ"[fp_next(&x) % 18];
        if (kind == 1 && n > 0)         /* one byte changed: an edge */
            text[fp_next(&x) % n] = edge[fp_next(&x) % (sizeof(edge) - 1)];
        memset(&a, (int) (i & 0xff), sizeof(a));
        memset(&b, (int) (i & 0xff), sizeof(b));
        sess_set_reason(&a, text, (unsigned long) n);
        ref_set_reason(&b, text, (unsigned long) n);
        ok &= memcmp(a.reason, b.reason, sizeof(a.reason)) == 0;
        fast += strlen(a.reason) == (n < SESS_MAX_REASON ? n
                                     : SESS_MAX_REASON);
    }
    T_CHECK(ok && fast > 100000, "sess_set_reason() as the plain copy"
            " (%d texts copied whole)", fast);
}

/* t_fp_slug - sess_slug() as ref_slug() on texts of every byte and of
 * slug bytes, every cap from 0 past the text's length */
static void
t_fp_slug(void)
{
    uint64_t x = 5;
    char    text[200], a[100], b[100];
    int     i, j, ok = 1;

    for (i = 0; i < 100000; i++) {
        size_t  n = fp_next(&x) % sizeof(text), cap = fp_next(&x) % 100;

        for (j = 0; j < (int) n; j++)
            text[j] = i % 2 ? (char) (fp_next(&x) % 256)
                : "aZz09-_ /@`{[\x80"[fp_next(&x) % 14];
        memset(a, 'x', sizeof(a));
        memset(b, 'x', sizeof(b));
        sess_slug(span_make(text, n), a, cap);
        ref_slug(span_make(text, n), b, cap);
        ok &= memcmp(a, b, sizeof(a)) == 0;
    }
    T_CHECK(ok, "sess_slug() as the plain code, every byte and cap");
    /* the remembered texts: a pool asked again and again, more texts
     * than slots, alike but for a byte, lengths and caps about the
     * largest kept */
    ok = 1;
    {
        char    pool[32][200];
        size_t  plen[32];
        int     k;

        for (k = 0; k < 32; k++) {
            plen[k] = k % 4 == 3 ? 150 + (size_t) k % 20 : fp_next(&x) % 100;
            for (j = 0; j < (int) plen[k]; j++)
                pool[k][j] = "aZ0- /."[fp_next(&x) % 7];
        }
        for (i = 0; i < 200000; i++) {
            size_t  cap = i % 5 ? 65 : 70 + fp_next(&x) % 20;

            k = (int) (fp_next(&x) % 32);
            memcpy(text, pool[k], plen[k]);
            if (fp_next(&x) % 4 == 0 && plen[k] > 0)
                fp_poke(&x, text, plen[k], "aZ0- /.", 7);
            memset(a, 'x', sizeof(a));
            memset(b, 'x', sizeof(b));
            sess_slug_mt(span_make(text, plen[k]), a, cap);
            ref_slug(span_make(text, plen[k]), b, cap);
            ok &= memcmp(a, b, sizeof(a)) == 0;
        }
    }
    T_CHECK(ok, "sess_slug_mt() as the plain code, texts asked again");
}

/* t_fp_dn - pf_find_dn() as span_find(t, " /") on texts of spaces,
 * slashes and a letter */
static void
t_fp_dn(void)
{
    uint64_t x = 3;
    char    text[40];
    int     i, j, ok = 1;

    for (i = 0; i < 100000; i++) {
        size_t  n = fp_next(&x) % sizeof(text);

        for (j = 0; j < (int) n; j++)
            text[j] = " /a"[fp_next(&x) % 3];
        ok &= pf_find_dn(span_make(text, n))
            == span_find(span_make(text, n), " /");
    }
    T_CHECK(ok, "pf_find_dn() as span_find()");
}

/* t_fp_facts - pf_text_facts() as pf_text_result() and
 * pf_text_past_ehlo() on hostile texts asked again and again: more
 * than its slots hold, alike but for a byte, of every length about the
 * longest it keeps */
static void
t_fp_facts(void)
{
    uint64_t x = 11;
    char    pool[40][600];
    size_t  plen[40];
    int     i, ok = 1;

    for (i = 0; i < 40; i++) {
        plen[i] = fp_text(&x, pool[i], sizeof(pool[i]), fp_msg_word,
                          sizeof(fp_msg_word) / sizeof(fp_msg_word[0]),
                          1 + (int) (fp_next(&x) % 30));
        if (i % 8 == 7)
            plen[i] = 500 + i % 20;
        if (i % 8 == 7)
            memset(pool[i], 'T', plen[i]);
    }
    for (i = 0; i < 200000; i++) {
        int     k = (int) (fp_next(&x) % 40);
        char    text[600];
        size_t  n = plen[k];
        struct pf_text_facts f;
        int     kind, dane, res, past;
        const char *why;

        memcpy(text, pool[k], n);
        if (fp_next(&x) % 4 == 0 && n > 0)  /* a byte changed */
            fp_poke(&x, text, n, "TLS chd\0", 8);
        pf_text_facts(span_make(text, n), &f);
        res = pf_text_result(span_make(text, n), &kind, &dane, &why);
        past = pf_text_past_ehlo(span_make(text, n));
        ok &= f.res == res && f.kind == kind && f.dane == dane
            && strcmp(f.why, why) == 0 && f.past_ehlo == past;
    }
    T_CHECK(ok, "pf_text_facts() as the plain searches");
}

/* t_fp_prog - the program of a line's ident, which pf_classify_mt()
 * remembers by its wrap tag, as pf_sess_ident_noise() (the plain
 * reading) says: lines of more programs than the tags remembered,
 * interleaved in no order, some with idents alike but for a byte */
static void
t_fp_prog(void)
{
    static const struct {
        const char *ident;
        int     ret;            /* classify_mt of a TLS line */
    } id[] = {
        {"postfix/smtp", CORR_PRE_EVENT}, {"postfix/lmtp", CORR_PRE_EVENT},
        {"postfix/qmgr", CORR_PRE_DONE}, {"postfix/tlsproxy", CORR_PRE_DONE},
        {"postfix/smtpd", CORR_PRE_DONE}, {"postfix/cleanup", CORR_PRE_DONE},
        {"smtp", CORR_PRE_NOT_MINE}, {"postfix-a/smtp", CORR_PRE_EVENT},
        {"postfix/smtq", CORR_PRE_DONE}, {"postfix/tlsproxz", CORR_PRE_DONE},
        {"a/b/smtp", CORR_PRE_EVENT}, {"postfix/", CORR_PRE_DONE},
        {"qmgr", CORR_PRE_NOT_MINE}, {"x/lmtp", CORR_PRE_EVENT},
        {"postfix/pickup", CORR_PRE_DONE}, {"exim", CORR_PRE_NOT_MINE},
        {"postfix/smtps/smtpd", CORR_PRE_DONE}, {"b/qmgr", CORR_PRE_DONE},
    };
    struct ts_ctx c;
    struct wrap_rec r;
    struct trace tr;
    char    line[200];
    void   *pre = calloc(1, pf_corr_ops.pre_size);
    uint64_t x = 21;
    int     i, ok = 1, n;

    ts_ctx_init_year(&c, 2024);
    for (i = 0; i < 20000 && pre != NULL; i++) {
        unsigned k = fp_next(&x) % (sizeof(id) / sizeof(id[0]));
        int     ret;

        n = snprintf(line, sizeof(line), "Nov  1 00:00:%02d h%u %s[%u]: "
                     "Verified TLS connection established to mx[192.0.2.1]:"
                     "25: TLSv1.3", i % 60, fp_next(&x) % 3, id[k].ident,
                     fp_next(&x) % 100000);
        wrap_parse(&c, span_make(line, (size_t) n), &r);
        ret = pf_corr_ops.classify_mt(&r, NULL, pre, &tr);
        ok &= span_eq(r.ident, id[k].ident) && ret == id[k].ret
            && (ret == CORR_PRE_DONE) == pf_sess_ident_noise(NULL, r.ident)
            + (k == 3);
    }
    free(pre);
    T_CHECK(ok && i == 20000, "the program of an ident, remembered by tag");
}

/* the pieces of an envelope */
static const char *const fp_env_word[] = {
    "Nov  1 00:00:01 ", "Nov 01 00:00:01 ", "Nov  1 00:00:02 ",
    "Dec 31 23:59:59 ", "Nov 1 00:00:01 ", "2024-11-01T00:10:19.1+00:00 ",
    "2024-11-01T00:10:19Z ", "2024-11-01 00:10:19 ", "<22>", "1 ", "- ",
    "Sat 2024-11-23 01:09:05 UTC ", "1732324145.123456 ", "mail ",
    "precise32 ", "mail.example.com ", "a-very-long-host-name.example.org ",
    "INFO ", "sender ", "a@b ", "  ", " ", "postfix/smtp[", "postfix/qmgr[",
    "postfix/smtps/smtpd[", "postfix/cleanup[", "postfix-170.55.103.23/smtp[",
    "postfix/smtp: ", "smtp[", "1234", "5", "xxxxx", "]: ", "]:", "]", "[",
    ": ", ":", "[ID 702911 mail.notice] ", "Trusted TLS connection",
    "to=<a@b>", "A1B2C3: status=sent", "x", "|", "svc   | ", "@4000000063349a8e2e6f3b7c ",
    "2022-09-28T19:09:10.78118 mail.info: ",
};

/* fp_envelope - a line of the common form, "STAMP host ident[pid]: m",
 * its fields from lists (hosts and idents more than the caches hold,
 * alike but for a byte, some too long to be kept), a byte changed now
 * and then, into buf; its length */
static size_t
fp_envelope(uint64_t *x, char *buf, size_t cap)
{
    static const char *const stamp[] = {
        "Nov  1 00:00:01 ", "Nov 01 00:00:01 ", "Nov  1 00:00:02 ",
        "2024-11-01T00:10:19.1+00:00 ", "2024-11-01T00:10:19Z ",
        "Nov  1 00:00:01  ",
    };
    static const char *const host[] = {
        "mail", "mail2", "mail.example.com", "mail.example.org", "precise32",
        "sender", "a-very-long-host-name.example.org", "INFO", "WARN", "x",
        "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "mx.example.com",
        "a-host-name-longer-than-sixty-four-bytes-is-not-kept-in-a-slot.example",
        "12345678", "123456789", "1234567890123456", "12345678901234567",
        "ho=st", "ho[st",
    };
    static const char *const ident[] = {
        "postfix/smtp", "postfix/smtpd", "postfix/qmgr", "postfix/cleanup",
        "postfix/smtps/smtpd", "postfix/pickup", "postfix/master",
        "postfix-170.55.103.23/smtp", "postfix-x/smtp", "postfix/lmtp",
        "postfix/tlsproxy", "postfix/bounce", "postfix/error", "smtp", "a@b",
        "postfix/smtq", "sendmail", "exim", "postfix/anvil", "p",
        "an-ident-longer-than-sixty-four-bytes-is-not-kept-in-a-slot/smtp",
        "postfix/smtp postfix/smtp",
    };
    static const char *const pid[] = {"123", "1", "12345678", "123456789",
    "", "xxxxx", "12a", "4294967296"};
    static const char *const end[] = {"]: ", "]:", "] ", "]: [ID 1 a.b] ",
    "]:  ", "]"};
    char    tmp[300];
    const char *st = stamp[fp_next(x) % 6];
    const char *h = host[fp_next(x) % (sizeof(host) / sizeof(host[0]))];
    const char *sp = fp_next(x) % 8 ? " " : "  ";
    const char *id = ident[fp_next(x) % (sizeof(ident) / sizeof(ident[0]))];
    const char *pi = pid[fp_next(x) % 8];
    const char *en = end[fp_next(x) % 6];
    unsigned m = fp_next(x) % 10;
    int     n = snprintf(tmp, sizeof(tmp), "%s%s%s%s[%s%sm%u", st, h, sp, id,
                         pi, en, m);

    if (n < 0 || (size_t) n >= cap)
        return 0;
    memcpy(buf, tmp, (size_t) n);
    if (fp_next(x) % 8 == 0)
        fp_poke(x, buf, n, "[]: x=.\t", 8);
    return (size_t) n;
}

/* fp_rec_spans - the host, ident, pid and message of r, by their
 * places in buf, into h */
static uint64_t
fp_rec_spans(uint64_t h, const struct wrap_rec *r, const char *buf)
{
    h = ev_span(h, r->host, buf);
    h = ev_span(h, r->ident, buf);
    h = ev_span(h, r->pid, buf);
    return ev_span(h, r->msg, buf);
}

/* fp_wrap_one - wrap_parse() of the n bytes of line in buf (cap bytes),
 * the rest filled with what a reader past its end would take for more of
 * the line: dated, time, what the year rule did (used, back) and every
 * field into h */
static uint64_t
fp_wrap_one(uint64_t h, struct ts_ctx *c, char *buf, size_t cap, size_t n,
            int fill)
{
    struct wrap_rec r;
    long    v[4];

    memset(buf + n, fill, cap - n);
    wrap_parse(c, span_make(buf, n), &r);
    v[0] = r.dated;
    v[1] = (long) r.t;
    v[2] = c->used;
    v[3] = c->back;
    return fp_rec_spans(ev_fnv(h, v, sizeof(v)), &r, buf);
}

/* t_fp_wrap - wrap_parse() of hostile lines made of envelope pieces, in
 * one thread's sequence (its caches of hosts, idents and stamps at
 * work): every field hashed, as the plain code gave */
static void
t_fp_wrap(void)
{
    uint64_t x = 61, h = 0xcbf29ce484222325ULL;
    struct ts_ctx c;
    char    buf[300];
    int     i;

    ts_ctx_init_year(&c, 2024);
    for (i = 0; i < 300000; i++) {
        size_t  n = fp_text(&x, buf, sizeof(buf), fp_env_word,
                            sizeof(fp_env_word) / sizeof(fp_env_word[0]),
                            1 + (int) (fp_next(&x) % 9));
        struct wrap_rec r;
        long    v[2];

        if (i % 2 == 0)
            n = fp_envelope(&x, buf, sizeof(buf));
        /* room to read past the end as the caller's buffers give */
        memset(buf + n, i % 2 ? ' ' : '[', sizeof(buf) - n);
        wrap_parse(&c, span_make(buf, n), &r);
        v[0] = r.dated;
        v[1] = (long) r.t;
        h = fp_rec_spans(ev_fnv(h, v, sizeof(v)), &r, buf);
    }
    if (getenv("T_FP_PRINT"))
        printf("fp wrap %016llx\n", (unsigned long long) h);
    T_CHECK(h == FP_WRAP, "wrap_parse() of hostile lines as before");
}

/* the first lines of fp_env_next(): the envelope forms that repeat */
static const char *const fp_env_line[] = {
    "Nov  1 00:00:01 sender postfix/smtp[1234]: A1B2C3: to=<a@b>, status=sent",
    "Nov 01 00:00:01 sender postfix/cleanup[1]: A1B2C3: message-id=<x@y>",
    "Nov 01 00:00:59 precise32 postfix/smtpd[1020]: connect from x[1.2.3.4]",
    "Dec 31 23:59:59 h postfix/qmgr[12]: A1: removed",
    "Nov 30 23:59:60 mail.example.com postfix/smtps/smtpd[77]: m",
    "Nov  9 09:09:09 mail sendmail[1210]: s0G0G0aa000164: to=x, stat=Sent",
    "Jan  1 00:00:00.123456 mail postfix/smtp[5]: fraction",
    "Nov  1 00:00:01 a-host-name-that-is-long.example.org postfix-170.55.103.23/smtp[4294967296]: m",
    "2024-11-01 00:00:00 1aaaG0-00000000a00-00iK <= a@b H=(x) [1.2.3.4] P=esmtps",
    "2024-11-01 00:00:59.123 1aaaG0-00000000a00-00iK => a@b R=dnslookup",
    "2024-11-01 23:59:60 TLS error on connection from (x) [1.2.3.4] (recv)",
    "2024-11-01T00:10:19.1+00:00 host postfix/smtp[1]: m",
    "2024-11-01T00:10:19Z 638fbdd7968d postfix/smtp[1327]: Trusted TLS",
    "Trusted TLS connection established to mx[1.2.3.4]:25: TLSv1.3",
    "postfix/smtp[9925]: SSL_connect:SSLv3/TLS write finished",
    "postfix/smtp[xxxxx]: Untrusted TLS connection established to x",
    "to=<user@learndmarc.com>, relay=none, delay=0.64, status=deferred",
    "Nov  1 00:00:01 sender exim[1000]: 2026-12-06 04:31:58 [46] 1xa3 <= a",
    "Nov  1 00:00:01 host postfix/smtp[1]: [ID 702911 mail.notice] m",
    "Nov  1 00:00:01 INFO postfix/smtp[1]: m",
    "<22>Nov  1 00:00:01 host postfix/smtp[1]: m",
};

/* fp_env_next - the next line into buf[cap] from the one there (n
 * bytes): most often that line with one byte of its first 48 changed
 * (the stamp, host or program), or its day written the other way
 * ("Nov  1", "Nov 01"), or cut or made longer; else a line of
 * fp_env_line, with a new second, or minute and day, now and then; its
 * length */
static size_t
fp_env_next(uint64_t *x, char *buf, size_t cap, size_t n)
{
    static const char set[] = "0123456789 :[]-.T|/aZx\t\x7f";
    unsigned k = fp_next(x) % 16;

    if (n == 0 || k < 5) {
        const char *l = fp_env_line[fp_next(x) % (sizeof(fp_env_line)
                                                  / sizeof(fp_env_line[0]))];

        n = strlen(l);
        memcpy(buf, l, n);
        if (k == 1 && n > 19 && buf[2] == 'v') {
            buf[13] = (char) ('0' + fp_next(x) % 6);        /* second */
            buf[14] = (char) ('0' + fp_next(x) % 10);
        } else if (k == 2 && n > 19 && buf[4] == '-') {
            buf[17] = (char) ('0' + fp_next(x) % 6);
            buf[18] = (char) ('0' + fp_next(x) % 10);
        } else if (k == 3 && n > 19 && buf[2] == 'v') {
            buf[10] = (char) ('0' + fp_next(x) % 6);        /* minute */
            buf[11] = (char) ('0' + fp_next(x) % 10);
            buf[5] = (char) ('1' + fp_next(x) % 2);         /* day */
        }
        return n;
    }
    if (k < 11) {
        /* one byte of the envelope, or none (k == 10: the same line) */
        if (k < 10)
            buf[fp_next(x) % (n < 48 ? n : 48)] = set[fp_next(x)
                                                      % (sizeof(set) - 1)];
    } else if (k < 13 && n > 6 && (buf[4] == ' ' || buf[4] == '0')) {
        buf[4] = buf[4] == ' ' ? '0' : ' ';
    } else if (k == 13) {
        n = fp_next(x) % (n + 1);                   /* cut anywhere */
    } else if (k == 14 && n > 8) {
        n = 14 + fp_next(x) % 12;                   /* about the stamp's */
        if (n > cap)
            n = cap;
        memset(buf + 8, '0', n > 8 ? n - 8 : 0);
    } else {
        size_t  add = fp_next(x) % 90;              /* longer */

        if (n + add > cap)
            add = cap - n;
        memset(buf + n, 'a' + (int) (fp_next(x) % 3), add);
        n += add;
    }
    return n;
}

/* t_fp_env - wrap_parse() of lines each made from the one before
 * (fp_env_next), in one thread's sequence with every cache at work, with
 * a reference that puts December lines in the year before and one
 * that does not: dated, time, every field and what the year rule did
 * (used, back) hashed after each line, as the plain code gave */
static void
t_fp_env(void)
{
    uint64_t x = 77, h = 0xcbf29ce484222325ULL;
    char    buf[300];
    size_t  n = 0;
    int     i, pass;

    for (pass = 0; pass < 2; pass++) {
        struct ts_ctx c;

        if (pass == 0)
            ts_ctx_init_year(&c, 2024);
        else
            ts_ctx_init(&c, (time_t) utc(2024, 11, 15, 12, 0, 0));
        for (i = 0; i < 300000; i++) {
            n = fp_env_next(&x, buf, 200, n);
            h = fp_wrap_one(h, &c, buf, sizeof(buf), n,
                            i % 3 ? (i % 3 == 1 ? ' ' : '0') : '[');
        }
    }
    if (getenv("T_FP_PRINT"))
        printf("fp env %016llx\n", (unsigned long long) h);
    T_CHECK(h == FP_ENV, "wrap_parse() of lines changed byte by byte as "
            "before");
}

/* fp_hot_line - a line for the shortcuts of the eighth round's
 * envelope (wrap_hot(), the pairs of up to 31 bytes, wrap_bare(), a
 * new second of a known minute, ISO stamps by the minute) and for
 * every way out of them: stamps of a few minutes, either day form, now
 * and then a second past 59 or a second space; pairs of 6 to 40 bytes
 * (the table takes 8 to 31), more than its sets hold, alike but for a
 * byte; pids of 0 to 9 digits and what may follow them; lines of
 * about the 57 to 64 bytes the shortcut needs; bare messages, with a
 * '[' or a space first, a compose prefix or something like one; ISO
 * stamps of one minute with fractions of 0 to 12 digits and every
 * offset form; a byte changed anywhere now and then. Into buf (cap
 * bytes); its length */
static size_t
fp_hot_line(uint64_t *x, char *buf, size_t cap)
{
    static const char *const host[] = {
        "a", "mx", "mail", "sender", "vorlon", "ridley", "mail2",
        "precise32", "localhost", "pti-server", "ubuntu-server",
        "mail.example.com", "mail.example.org", "a-rather-long-host-name",
        "638fbdd7968d", "h1", "h2", "h3", "h4", "INFO", "ho[st",
    };
    static const char *const ident[] = {
        "p", "smtp", "sm-mta", "postfix/smtp", "postfix/qmgr",
        "postfix/smtpd", "postfix/cleanup", "postfix/pickup",
        "postfix/smtps/smtpd", "postfix/submission/smtpd",
        "postfix-170.55.103.23/smtp", "postfix/smtq", "a@b", "exim",
    };
    static const char *const pid[] = {"", "1", "12", "1234", "12345",
        "1234567", "12345678", "123456789", "12a", "xxxxx"};
    static const char *const end[] = {"]: ", "]:", "] ", "]", "]:  ",
        "]: [ID 702911 mail.notice] ", "]: [", "]:[x", "]: :"};
    static const char *const bare[] = {
        "postfix/smtp[%u]: SSL_connect:SSLv3/TLS write finished",
        "postfix/smtp[xxxxx]: Untrusted TLS connection established to x",
        "Untrusted TLS connection established to mx4.hotmail.com[1.2.3.4]",
        "to=<user@learndmarc.com>, relay=none, delay=0.64, status=deferred",
        "svc   | Nov  1 00:00:01 h postfix/smtp[%u]: inner",
        "svc | 2024-11-01T00:00:01Z h postfix/smtp[%u]: inner",
        "svc  |x", "svc  x", "svc[1] | m", "a/b c[d", "abcd[%u]: m",
        "SSL_connect error to mail.example.org[112.63.65.2]:25: -1",
        "Sat 2024-11-23 01:09:05 UTC host postfix/smtp[%u]: full",
        "Nov 1 00:00:01 h postfix/smtp[%u]: one-digit day",
        "Nov  1 00:00:01.123456 h postfix/smtp[%u]: fraction",
    };
    static const char *const zone[] = {"Z", "+00:00", "+0100", "-05:30",
        "+24:00", "+01", "", "z"};
    char    tmp[400];
    unsigned k, mi, sec;
    int     n;

    /* every draw in a statement of its own: the order of the arguments
     * of one call is the compiler's */
    k = fp_next(x) % 16;
    mi = fp_next(x) % 3;
    sec = fp_next(x) % 62;
    if (k < 3) {
        const char *t = bare[fp_next(x) % (sizeof(bare) / sizeof(bare[0]))];
        const char *u = strstr(t, "%u");
        unsigned pn = fp_next(x) % 100000;

        n = u ? snprintf(tmp, sizeof(tmp), "%.*s%u%s", (int) (u - t), t, pn,
                         u + 2) : snprintf(tmp, sizeof(tmp), "%s", t);
    } else if (k < 5) {
        char    frac[16];
        unsigned d = fp_next(x) % 13, i;
        unsigned day, dot, zi, hi, ii, pi, ei, m;

        for (i = 0; i < d; i++)
            frac[i] = (char) ('0' + fp_next(x) % 10);
        frac[d] = 0;
        day = 1 + fp_next(x) % 2;
        dot = fp_next(x) % 2;
        zi = fp_next(x) % 8;
        hi = fp_next(x) % 21;
        ii = fp_next(x) % 14;
        pi = fp_next(x) % 10;
        ei = fp_next(x) % 9;
        m = fp_next(x) % 10;
        n = snprintf(tmp, sizeof(tmp), "2024-11-0%uT00:1%u:%02u%s%s%s "
                     "%s %s[%s%sm%u", day, mi, sec, d ? (dot ? "." : ",")
                     : "", frac, zone[zi], host[hi], ident[ii], pid[pi],
                     end[ei], m);
    } else {
        unsigned day = 1 + fp_next(x) % 2;
        unsigned sp0 = fp_next(x) % 2, hr = fp_next(x) % 16 == 0;
        unsigned sp2 = fp_next(x) % 12 == 0, hi = fp_next(x) % 21;
        unsigned xi = fp_next(x) % 10 == 0, ii = fp_next(x) % 14;
        unsigned pi = fp_next(x) % 10, ei = fp_next(x) % 9;
        unsigned m = fp_next(x) % 10;

        n = snprintf(tmp, sizeof(tmp), "Nov %s%u 0%u:0%u:%02u %s%s%s %s[%s%s"
                     "m%u", sp0 ? " " : "0", day, hr, mi, sec, sp2 ? " " : "",
                     host[hi], xi ? "x" : "", ident[ii], pid[pi], end[ei], m);
        /* to about the length the shortcut needs, or far past it */
        if (n > 0 && (size_t) n < sizeof(tmp) - 80) {
            unsigned pad = fp_next(x) % 4 ? fp_next(x) % 12
                : fp_next(x) % 80;
            unsigned i;

            for (i = 0; i < pad; i++)
                tmp[n++] = (char) ('a' + (i % 26));
            tmp[n] = 0;
        }
    }
    if (n < 0 || (size_t) n >= cap)
        return 0;
    memcpy(buf, tmp, (size_t) n);
    if (n > 0 && fp_next(x) % 10 == 0)
        fp_poke(x, buf, (size_t) n, "[]: x|.\t\0/01", 13);
    return (size_t) n;
}

/* the hash the code gave before the shortcuts fp_hot_line() exercises
 * (the envelope code of main before the eighth round) */
#define FP_HOT 0xfa8d98479a9196daULL

/* t_fp_hot - wrap_parse() of fp_hot_line()'s lines in one thread's
 * sequence, every cache at work, with a reference inside a minute the
 * lines use (pass 1: a second of it lies past the reference and its
 * day of skew, one before it does not) and without: dated, time, what
 * the year rule did and every field, as the code before gave */
static void
t_fp_hot(void)
{
    uint64_t x = 2026, h = 0xcbf29ce484222325ULL;
    char    buf[400];
    int     i, pass;

    for (pass = 0; pass < 2; pass++) {
        struct ts_ctx c;

        if (pass == 0)
            ts_ctx_init_year(&c, 2024);
        else
            ts_ctx_init(&c, (time_t) utc(2024, 10, 31, 0, 1, 30));
        for (i = 0; i < 200000; i++) {
            size_t  n = fp_hot_line(&x, buf, 300);

            h = fp_wrap_one(h, &c, buf, sizeof(buf), n,
                            i % 3 ? (i % 3 == 1 ? ']' : '9') : '[');
        }
    }
    if (getenv("T_FP_PRINT"))
        printf("fp hot %016llx\n", (unsigned long long) h);
    T_CHECK(h == FP_HOT, "wrap_parse() of the shortcuts' lines and their "
            "edges as before");
}

/* t_fp_hot_iso - wrap_hot()'s ISO stamps (ts_seen_iso()): lines of a
 * few minutes' stamps ("2024-11-01T00:10:SS.frac+00:00 host ident[pid]:
 * msg"), fractions of 0 to 9 digits after '.' or ',', offsets of every
 * form, seconds up to 61, an Exim stamp's shape now and then, pairs of
 * hosts and idents, pids and ends as fp_hot_line()'s, the lines about
 * the 77 bytes the shortcut needs or longer, a byte of the first 40
 * changed now and then; each read from a block of its own length (a
 * read past it is the sanitizer's) with one context kept across the
 * lines (the shortcut at work) and with a new one (none: the whole
 * stamp read): every field the same, and the tags of the lines the
 * shortcut may take (a stamp of the minute before, host and ident in
 * 31 bytes; the others' may be new on each read: a host or an ident
 * that no memory keeps; what a tag names is t_wrap_tags()'s) */
static void
t_fp_hot_iso(void)
{
    static const char *const host[] = {
        "638fbdd7968d", "mail.example.com", "h1", "sender", "INFO",
        "a-rather-long-host-name", "ho[st", "",
    };
    static const char *const ident[] = {
        "postfix/smtp", "postfix/qmgr", "postfix/smtps/smtpd", "p",
        "postfix-170.55.103.23/smtp", "exim",
    };
    static const char *const pid[] = {"1327", "1", "1234567", "12345678",
        "", "12a"};
    static const char *const end[] = {"]: ", "]:", "] ", "]: [ID 1 m] ",
        "]: ["};
    static const char *const zone[] = {"+00:00", "+00:00", "+00:00",
        "-05:30", "Z", "+0100", "+01:00", "", " "};
    uint64_t x = 8460;
    struct ts_ctx c;
    int     i, bad = 0, hot = 0;

    ts_ctx_init_year(&c, 2024);
    for (i = 0; i < 200000; i++) {
        char    tmp[300], frac[16];
        unsigned d = fp_next(&x) % 10, k;
        unsigned mi = fp_next(&x) % 3, sec = fp_next(&x) % 62;
        unsigned zi = fp_next(&x) % 9, hi = fp_next(&x) % 8;
        unsigned ii = fp_next(&x) % 6, pi = fp_next(&x) % 6;
        unsigned ei = fp_next(&x) % 5, sep = fp_next(&x) % 8;
        unsigned pad = fp_next(&x) % 4 ? fp_next(&x) % 40 : fp_next(&x) % 120;
        int     n;
        char   *line;
        struct ts_ctx f;
        struct wrap_rec a, b;
        int     could;

        for (k = 0; k < d; k++)
            frac[k] = (char) ('0' + fp_next(&x) % 10);
        frac[d] = 0;
        n = snprintf(tmp, sizeof(tmp), "2024-11-01%c00:1%u:%02u%s%s%s %s%s"
                     "%s[%s%s", sep == 0 ? ' ' : 'T', mi, sec,
                     d ? (sep == 1 ? "," : ".") : "", frac, zone[zi],
                     host[hi], *host[hi] ? " " : "", ident[ii], pid[pi],
                     end[ei]);
        if (n < 0 || (size_t) n + pad + 1 > sizeof(tmp))
            continue;
        for (k = 0; k < pad; k++)
            tmp[n++] = (char) ('a' + k % 26);
        if (fp_next(&x) % 10 == 0)
            fp_poke(&x, tmp, 40, "[]: x|.+-T0\0 ", 13);
        line = malloc((size_t) n);
        if (line == NULL)
            abort();
        memcpy(line, tmp, (size_t) n);
        /* the kept context: a second of the minute before takes the
         * shortcut (when the line is long enough) */
        could = c.iso_ok && c.iso_zone_ok && n >= 77
            && memcmp(line, c.iso, 16) == 0;
        hot += could;
        wrap_parse(&c, span_make(line, (size_t) n), &a);
        ts_ctx_init_year(&f, 2024);
        wrap_parse(&f, span_make(line, (size_t) n), &b);
        if (a.dated != b.dated || a.t != b.t
            || a.host.ptr != b.host.ptr || a.host.len != b.host.len
            || a.ident.ptr != b.ident.ptr || a.ident.len != b.ident.len
            || a.pid.ptr != b.pid.ptr || a.pid.len != b.pid.len
            || a.msg.ptr != b.msg.ptr || a.msg.len != b.msg.len
            || (could && a.host.len > 0
                && a.ident.ptr + a.ident.len - a.host.ptr <= 31
                && (a.ident_tag != b.ident_tag
                    || a.host_tag != b.host_tag))) {
            if (bad++ < 5)
                fprintf(stderr, "t_fp_hot_iso: %.*s\n", n, line);
        }
        free(line);
    }
    T_CHECK(bad == 0, "wrap_parse() of ISO stamps of the minute before "
            "as of a stamp read whole");
    if (getenv("T_FP_PRINT"))
        printf("fp hot iso %d\n", hot);
    T_CHECK(hot > 20000, "the ISO shortcut's lines drawn");
}

/* t_wrap_tags - the ident tags of fp_hot_line()'s and fp_env_next()'s
 * lines, dated and undated, with a byte of the first 48 made NUL, a
 * byte >= 0x80, '[' or a space now and then, each line read from a
 * block of its own length (a read past it is the sanitizer's). A line
 * without its envelope whose ident was seen gets that ident's tag, as
 * a dated line does: what engine/pipe.c and pf_classify_mt() keep by
 * a tag is kept of one ident's bytes, so a tag must never name two.
 * Checked: every tag given names the bytes it named first, and the
 * undated lines of a known ident got one */
#define WRAP_TAG_KEEP 129                /* an ident with a tag is shorter */

struct t_tag {
    size_t  len;
    char    id[WRAP_TAG_KEEP];
};

static void
t_wrap_tags(void)
{
    uint64_t x = 1018;
    struct ts_ctx c;
    struct t_tag *tab = NULL;
    size_t  cap = 0, n = 0;
    char    buf[400];
    int     i, bad = 0, undated = 0;

    ts_ctx_init_year(&c, 2024);
    for (i = 0; i < 200000; i++) {
        struct wrap_rec r;
        char   *line;
        uint64_t t;

        n = i % 4 == 3 ? fp_env_next(&x, buf, 200, n)
            : fp_hot_line(&x, buf, 300);
        if (n > 0 && fp_next(&x) % 4 == 0)
            buf[fp_next(&x) % (n < 48 ? n : 48)] =
                "\0\x80\xff[ "[fp_next(&x) % 5];
        if ((line = malloc(n > 0 ? n : 1)) == NULL)
            abort();
        memcpy(line, buf, n);
        wrap_parse(&c, span_make(line, n), &r);
        t = r.ident_tag;
        if (t != 0) {
            if (t >= cap) {
                size_t  old = cap;

                cap = t * 2 + 64;
                if ((tab = realloc(tab, cap * sizeof(*tab))) == NULL)
                    abort();
                memset(tab + old, 0, (cap - old) * sizeof(*tab));
            }
            if (r.ident.len == 0 || r.ident.len >= WRAP_TAG_KEEP)
                bad++;
            else if (tab[t].len == 0) {
                tab[t].len = r.ident.len;
                memcpy(tab[t].id, r.ident.ptr, r.ident.len);
            } else if (tab[t].len != r.ident.len
                       || memcmp(tab[t].id, r.ident.ptr, r.ident.len) != 0)
                bad++;
            undated += !r.dated;
        }
        free(line);
    }
    free(tab);
    T_CHECK(bad == 0, "a tag names one ident's bytes (%d differ)", bad);
    T_CHECK(undated > 1000, "undated lines of a known ident tagged (%d)",
            undated);
}

/* t_host_rec - one record of t_host_run(): a host tag and its host's
 * bytes, hashed (FNV-1a) with their length */
struct t_host_rec {
    uint64_t tag;
    uint64_t hash;
};

struct t_host_run {
    unsigned seed;
    struct t_host_rec *rec;
    size_t  n;
    int     bad;                /* NONE with a host, a tag on no host */
    int     tagged;
};

/* t_host_cmp - by tag, then hash */
static int
t_host_cmp(const void *a, const void *b)
{
    const struct t_host_rec *x = a, *y = b;

    if (x->tag != y->tag)
        return x->tag < y->tag ? -1 : 1;
    return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* t_host_run - parse lines of hosts that are alike (the same length,
 * the same first and last bytes, one byte apart; 1 to 70 bytes; empty;
 * bytes no host has), of every envelope the generators make, and keep
 * each record's host tag and host */
static void *
t_host_run(void *arg)
{
    struct t_host_run *hr = arg;
    uint64_t x = hr->seed;
    struct ts_ctx c;
    char    hosts[48][80];
    size_t  hlen[48];
    char    buf[400];
    int     i, h;

    ts_ctx_init_year(&c, 2024);
    for (h = 0; h < 48; h++) {
        size_t  n = h < 16 ? 12 : h < 24 ? 1 + (size_t) h % 8
            : h < 40 ? 8 + (size_t) (h - 24) * 4 : 0;

        for (i = 0; i < (int) n; i++)
            hosts[h][i] = "mxabc0-."[(h * 7 + i) % 8];
        if (n > 2)
            hosts[h][n / 2] = (char) ('a' + h % 26);
        hosts[h][0] = 'm';
        if (n > 0)
            hosts[h][n - 1] = 'x';
        hlen[h] = n;
    }
    hr->rec = calloc(200000, sizeof(*hr->rec));
    if (hr->rec == NULL)
        abort();
    for (i = 0; i < 200000; i++) {
        struct wrap_rec r;
        char   *line;
        size_t  n, k;
        uint64_t hv = 1469598103934665603ULL;

        h = (int) (fp_next(&x) % 48);
        switch (fp_next(&x) % 5) {
        case 0:
            n = (size_t) snprintf(buf, sizeof(buf),
                                  "Nov %2d 0%d:1%d:2%d %.*s postfix/%s[%d]:"
                                  " 1A2B3C: to=<a@b.example>, status=sent"
                                  " (250 ok)", 1 + (int) (fp_next(&x) % 28),
                                  (int) (fp_next(&x) % 10), i % 6, i % 10,
                                  (int) hlen[h], hosts[h],
                                  fp_next(&x) % 2 ? "smtp" : "qmgr",
                                  (int) (fp_next(&x) % 100000));
            break;
        case 1:
            n = (size_t) snprintf(buf, sizeof(buf),
                                  "2024-11-0%dT10:1%d:00.5+01:00 %.*s "
                                  "postfix-out/smtp[%d]: x",
                                  1 + i % 9, i % 10, (int) hlen[h], hosts[h],
                                  (int) (fp_next(&x) % 1000));
            break;
        case 2:
            n = fp_env_next(&x, buf, 200, 0);
            break;
        default:
            n = fp_hot_line(&x, buf, 300);
            break;
        }
        if (n > sizeof(buf) - 1)
            n = sizeof(buf) - 1;
        if (n > 0 && fp_next(&x) % 5 == 0)
            buf[fp_next(&x) % (n < 64 ? n : 64)] =
                "\0\x80\xff[ :"[fp_next(&x) % 6];
        if ((line = malloc(n > 0 ? n : 1)) == NULL)
            abort();
        memcpy(line, buf, n);
        wrap_parse(&c, span_make(line, n), &r);
        if (r.host_tag == WRAP_HOST_TAG_NONE && r.host.len != 0)
            hr->bad++;
        for (k = 0; k < r.host.len; k++)
            hv = (hv ^ (unsigned char) r.host.ptr[k]) * 1099511628211ULL;
        hr->rec[hr->n].tag = r.host_tag;
        hr->rec[hr->n].hash = hv ^ r.host.len;
        hr->n++;
        hr->tagged += r.host_tag > WRAP_HOST_TAG_NONE;
        free(line);
    }
    return NULL;
}

/* t_wrap_host_tags - a host tag names one host's bytes, on every thread
 * together (engine/pipe.c keeps what it told of a host by tag, for
 * lines that other threads read): records of two threads sorted by tag,
 * every tag with one host */
static void
t_wrap_host_tags(void)
{
    struct t_host_run a = {.seed = 1019}, b = {.seed = 1019};
    struct t_host_rec *all;
    pthread_t th;
    size_t  i, n;
    int     bad = 0, shared = 0;

    t_host_run(&a);
    if (pthread_create(&th, NULL, t_host_run, &b) != 0)
        abort();
    pthread_join(th, NULL);
    n = a.n + b.n;
    if ((all = malloc(n * sizeof(*all))) == NULL)
        abort();
    memcpy(all, a.rec, a.n * sizeof(*all));
    memcpy(all + a.n, b.rec, b.n * sizeof(*all));
    qsort(all, n, sizeof(*all), t_host_cmp);
    for (i = 1; i < n; i++)
        if (all[i].tag != 0 && all[i].tag == all[i - 1].tag
            && all[i].hash != all[i - 1].hash)
            bad++;
    /* the same lines on both threads: no tag but NONE in both */
    qsort(a.rec, a.n, sizeof(*a.rec), t_host_cmp);
    for (i = 0; i < b.n; i++)
        if (b.rec[i].tag > WRAP_HOST_TAG_NONE
            && bsearch(&b.rec[i], a.rec, a.n, sizeof(*a.rec), t_host_cmp))
            shared++;
    T_CHECK(bad == 0, "a host tag names one host's bytes (%d differ)", bad);
    T_CHECK(a.bad == 0 && b.bad == 0, "WRAP_HOST_TAG_NONE: no host");
    T_CHECK(shared == 0, "threads give tags of their own (%d shared)",
            shared);
    T_CHECK(a.tagged > 50000 && a.tagged == b.tagged,
            "most lines with a host tagged (%d, %d)", a.tagged, b.tagged);
    free(all);
    free(a.rec);
    free(b.rec);
}

/* t_fp_prog_given - parser_pre_slash_mt() with what
 * parser_ident_slash_mt() says of the ident (the Postfix program, for
 * a set of every parser) answers what parser_pre_mt() does: kind,
 * parser, trace and the Postfix event, on near-miss idents and messages
 * of every Postfix program, with and without own mail tracked */
static void
t_fp_prog_given(void)
{
    static const char *const idents[] = {
        "postfix/smtp", "postfix/qmgr", "postfix/lmtp", "postfix/tlsproxy",
        "postfix/smtpd", "postfix/cleanup", "pf-out/smtp", "a/b/smtp",
        "/smtp", "/qmgr", "smtp", "qmgr", "postfix/smtpx", "postfix/",
        "/", "x/tlsproxyy", "postfix/lmtpx", "postfix/qmgr/", "exim",
        "sm-mta", "postfix/smt", "postfix/Smtp", "a/tlsproxy", "x/lmtp",
    };
    static const char *const msgs[] = {
        ("1A2B3C4D5E: to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25,"
         " delay=1, status=sent (250 ok)"),
        ("1A2B3C4D5E: to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25,"
         " delay=1, status=deferred (TLS is required, but was not offered)"),
        "Verified TLS connection established to mx.b.example[192.0.2.1]:25:"
        " TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
        "Untrusted TLS connection established to mx.b.example[192.0.2.1]:25:"
        " TLSv1.2 with cipher X (128/128 bits)",
        "server certificate verification failed for mx.b.example"
        "[192.0.2.1]:25: num=10:certificate has expired",
        "1A2B3C4D5E: from=<own@report.example>, size=1, nrcpt=1 (queue active)",
        "1A2B3C4D5E: removed", "connect from x[192.0.2.9]", "",
        "2024-11-01 00:00:00 1aa0aa-00000a-7R => a@b R=r T=t",
    };
    struct sess_conf conf;
    struct sess_cb cb;
    struct parser_set *sets[3];
    size_t  i, j, k;
    int     same = 1, known = 0, n = 0;

    memset(&conf, 0, sizeof(conf));
    memset(&cb, 0, sizeof(cb));
    sets[0] = parser_set_create(NULL, &conf, &cb);
    sets[1] = parser_set_create("postfix", &conf, &cb);
    conf.own_from = "own@report.example";
    sets[2] = parser_set_create(NULL, &conf, &cb);
    T_CHECK(sets[0] && sets[1] && sets[2], "parser sets");
    if (!sets[0] || !sets[1] || !sets[2])
        return;
    for (k = 0; k < 3; k++)
        for (i = 0; i < sizeof(idents) / sizeof(idents[0]); i++)
            for (j = 0; j < sizeof(msgs) / sizeof(msgs[0]); j++) {
                struct wrap_rec r;
                struct parser_pre p[2];
                union parser_pre_mta room[2];
                const struct pf_pre *a = (const void *) &room[0];
                const struct pf_pre *b = (const void *) &room[1];
                int     sl;

                memset(&r, 0, sizeof(r));
                r.host = SPAN_LIT("mx");
                r.ident = span_make(idents[i], strlen(idents[i]));
                r.pid = SPAN_LIT("123");
                r.msg = span_make(msgs[j], strlen(msgs[j]));
                r.dated = 1;
                r.ident_tag = j % 2 ? 0 : 1000 + i;    /* both ways */
                memset(p, 0, sizeof(p));
                memset(room, 0, sizeof(room));
                p[0].u = &room[0];
                p[1].u = &room[1];
                parser_pre_mt(sets[k], &r, &p[0]);
                sl = parser_ident_slash_mt(sets[k], r.ident);
                known += sl >= 2;
                same &= (sl != 0) == parser_ident_slash(r.ident);
                parser_pre_slash_mt(sets[k], &r, &p[1], sl);
                n++;
                same &= p[0].kind == p[1].kind && p[0].mta == p[1].mta
                    && p[0].at == p[1].at
                    && (p[0].kind != PARSER_PRE_DONE
                        || (p[0].tr.kind == p[1].tr.kind
                            && p[0].tr.result == p[1].tr.result));
                if (p[0].kind == PARSER_PRE_EVENT
                    && p[0].mta == SESS_MTA_POSTFIX)
                    same &= a->khash == b->khash && a->klen == b->klen
                        && a->lmtp == b->lmtp && a->qmgr == b->qmgr
                        && a->proxy == b->proxy
                        && a->ev.kind == b->ev.kind
                        && a->text_res == b->text_res;
            }
    T_CHECK(same, "the program given, the same answers (%d lines)", n);
    T_CHECK(known > 100, "the program told for a set of every parser (%d)",
            known);
    for (k = 0; k < 3; k++)
        parser_set_free(sets[k]);
}

int
main(void)
{
    set_tz("UTC");
    t_ts_3164();
    t_ts_iso();
    t_wrap();
    t_wrap_seen();
    t_wrap_seen_many();
    t_fast_paths();
    t_nul_host();
    t_classify();
    t_fp_classify();
    t_fp_wrap();
    t_fp_env();
    t_fp_hot();
    t_fp_hot_iso();
    t_wrap_tags();
    t_wrap_host_tags();
    t_fp_prog_given();
    t_fp_slug();
    t_fp_set_reason();
    t_fp_dn();
    t_fp_facts();
    t_fp_prog();
    return T_DONE();
}
