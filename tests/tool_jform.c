/* tests/tool_jform.c - render an RFC 3164 syslog file in another form
 *
 * Usage: tool_jform FORM YEAR <syslog >out
 *
 * Every input line "Mmm dd HH:MM:SS host ident[pid]: msg" (times in UTC,
 * of YEAR) becomes the record journalctl (or a syslog daemon) would
 * print for the same journal entry, so that tests/it_forms.sh can check
 * that every form gives byte-identical reports. FORM is one of:
 *   short, short-x (with -x catalog lines and "-- Boot" markers, in both
 *   the "-- " and the newer "\u2591\u2591 " spelling), short-precise,
 *   short-iso, short-iso-precise (offsets vary: +00:00, +0100, -05:00,
 *   +05:30), short-unix, json, json-seq, export, rfc5424.
 * json: keys in changing order, noise fields of every JSON type, escaped
 * characters, and every third MESSAGE as an array of byte values (as
 * journalctl writes a message that is not printable UTF-8). export:
 * every third MESSAGE in the binary framing (KEY\n, 64-bit little-endian
 * length, bytes, \n), binary noise fields holding newlines and NUL
 * bytes, and one field of 100000 bytes. Microseconds are made up from
 * the line number. Written independently of parsers/ (no library code),
 * so that a bug there cannot hide in the test input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec {
    int64_t t;                  /* UTC seconds */
    int     usec;
    int     mon, day, h, mi, s;
    char    host[256];
    char    ident[256];
    char    pid[32];
    const char *msg;
};

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* days_from_civil - days since 1970-01-01 (H. Hinnant) */
static int64_t
days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t) y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;

    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* civil - inverse of days_from_civil */
static void
civil(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int) (doy - (153 * mp + 2) / 5 + 1);
    *m = (int) (mp < 10 ? mp + 3 : mp - 9);
    *y = (int) (yoe + era * 400 + (*m <= 2));
}

/* parse - one syslog line; 0 or -1 */
static int
parse(char *line, int year, long n, struct rec *r)
{
    char    mon[4];
    int     off = 0;
    const char *m;
    char   *p, *q;

    if (sscanf(line, "%3s %d %d:%d:%d %n", mon, &r->day, &r->h, &r->mi,
               &r->s, &off) != 5 || off == 0)
        return -1;
    if ((m = strstr(months, mon)) == NULL || (m - months) % 3)
        return -1;
    r->mon = (int) (m - months) / 3 + 1;
    p = line + off;
    if ((q = strchr(p, ' ')) == NULL || q - p >= (long) sizeof(r->host))
        return -1;
    memcpy(r->host, p, (size_t) (q - p));
    r->host[q - p] = 0;
    p = q + 1;
    if ((q = strchr(p, '[')) == NULL || q - p >= (long) sizeof(r->ident))
        return -1;
    memcpy(r->ident, p, (size_t) (q - p));
    r->ident[q - p] = 0;
    p = q + 1;
    if ((q = strstr(p, "]: ")) == NULL || q - p >= (long) sizeof(r->pid))
        return -1;
    memcpy(r->pid, p, (size_t) (q - p));
    r->pid[q - p] = 0;
    r->msg = q + 3;
    r->t = days_from_civil(year, r->mon, r->day) * 86400 + r->h * 3600
        + r->mi * 60 + r->s;
    r->usec = (int) ((n * 7919 + 13) % 1000000);
    return 0;
}

/* stamp - "YYYY-MM-DDTHH:MM:SS" of t + off seconds */
static void
stamp(int64_t t, char *buf, size_t cap)
{
    int     y, m, d;
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t sec = t - days * 86400;

    civil(days, &y, &m, &d);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d,
             (int) (sec / 3600), (int) (sec / 60 % 60), (int) (sec % 60));
}

/* json_str - a JSON string; n varies the escaping */
static void
json_str(const char *s, long n)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else if (c == '/' && n % 5 == 0)
            fputs("\\/", stdout);
        else if (c == '<' && n % 7 == 0)
            fputs("\\u003c", stdout);
        else if (c == '>' && n % 7 == 0)
            fputs("\\u003E", stdout);
        else
            putchar(c);
    }
    putchar('"');
}

/* json_bytes - a value as journalctl writes a non-printable one */
static void
json_bytes(const char *s)
{
    const char *sep = "";

    putchar('[');
    for (; *s; s++, sep = ",")
        printf("%s%u", sep, (unsigned char) *s);
    putchar(']');
}

/* out_json - one -o json object */
static void
out_json(const struct rec *r, long n, int seq)
{
    long long us = (long long) r->t * 1000000 + r->usec;

    if (seq)
        putchar(0x1e);
    if (n % 2 == 0) {
        fputs("{\"MESSAGE\":", stdout);
        if (n % 3 == 0)
            json_bytes(r->msg);
        else
            json_str(r->msg, n);
        printf(",\"__CURSOR\":\"s=0123;i=%lx;b=abc\",", n);
        printf("\"__REALTIME_TIMESTAMP\":\"%lld\",", us);
        printf("\"_SOURCE_REALTIME_TIMESTAMP\":\"%lld\",", us - r->usec / 2);
        printf("\"PRIORITY\":\"6\",\"_HOSTNAME\":\"%s\",", r->host);
        printf("\"SYSLOG_IDENTIFIER\":\"%s\",\"SYSLOG_PID\":\"%s\",", r->ident,
               r->pid);
        printf("\"COREDUMP\":null,\"TAG\":[\"a\",\"b\\\"}\"],"
               "\"X_BIN\":[1,2,3],\"_PID\":\"%s\"}\n", r->pid);
    } else {
        printf("{ \"_BOOT_ID\" : \"008efef5\" , \"_PID\":\"%s\",", r->pid);
        printf("\"SYSLOG_IDENTIFIER\":\"%s\",\"_COMM\":\"smtp\",", r->ident);
        printf("\"_HOSTNAME\":\"%s\",\"X_NESTED\":[[1,2],[3]],", r->host);
        printf("\"__REALTIME_TIMESTAMP\":\"%lld\",\"MESSAGE\":", us);
        if (n % 3 == 0)
            json_bytes(r->msg);
        else
            json_str(r->msg, n);
        printf(",\"\\u005fCMDLINE\":\"smtp -n smtp -t unix\"}\n");
    }
}

/* field_bin - KEY\n le64 bytes \n */
static void
field_bin(const char *key, const char *v, size_t len)
{
    int     i;

    printf("%s\n", key);
    for (i = 0; i < 8; i++)
        putchar((int) ((uint64_t) len >> (8 * i) & 0xff));
    fwrite(v, 1, len, stdout);
    putchar('\n');
}

/* out_export - one -o export record */
static void
out_export(const struct rec *r, long n)
{
    long long us = (long long) r->t * 1000000 + r->usec;

    printf("__CURSOR=s=0123;i=%lx;b=abc\n", n);
    printf("__REALTIME_TIMESTAMP=%lld\n", us);
    printf("__MONOTONIC_TIMESTAMP=%ld\n", 29082368151L + n);
    printf("_BOOT_ID=008efef50f404b3fabc40080aa3eb46e\nPRIORITY=6\n");
    if (n % 4 == 1)
        field_bin("X_BLOB", "a\nb\0c\n\n", 7);
    printf("_HOSTNAME=%s\nSYSLOG_IDENTIFIER=%s\n", r->host, r->ident);
    printf("SYSLOG_PID=%s\n_PID=%s\n", r->pid, r->pid);
    if (n == 10) {
        static char big[100000];

        memset(big, 'x', sizeof(big));
        big[500] = '\n';
        field_bin("X_BIG", big, sizeof(big));
    }
    if (n % 3 == 0)
        field_bin("MESSAGE", r->msg, strlen(r->msg));
    else
        printf("MESSAGE=%s\n", r->msg);
    printf("_TRANSPORT=syslog\n\n");
}

/* out_short - journalctl -o short[-precise] (zero-padded day) */
static void
out_short(const struct rec *r, long n, int precise, int catalog)
{
    if (catalog && n == 1)
        printf("-- Logs begin at Sat 2024-11-23 00:00:00 UTC, end at "
               "Sun 2024-11-24 00:00:00 UTC. --\n");
    if (catalog && n == 150)
        printf("-- Boot 8f3e0a5b5c2d4e6f8a9b0c1d2e3f4a5b --\n");
    printf("%.3s %02d %02d:%02d:%02d", months + 3 * (r->mon - 1), r->day,
           r->h, r->mi, r->s);
    if (precise)
        printf(".%06d", r->usec);
    printf(" %s %s[%s]: %s\n", r->host, r->ident, r->pid, r->msg);
    if (catalog && n % 10 == 0)
        printf("-- Subject: Unit postfix.service has finished start-up\n"
               "-- Defined-By: systemd\n"
               "-- Support: http://lists.freedesktop.org/mailman/listinfo/systemd-devel\n"
               "-- \n"
               "-- Unit postfix.service has finished starting up.\n");
    if (catalog && n % 10 == 5)
        printf("\xe2\x96\x91\xe2\x96\x91 Subject: A start job for unit "
               "postfix.service has finished successfully\n"
               "\xe2\x96\x91\xe2\x96\x91 \n");
}

/* out_iso - journalctl -o short-iso[-precise], varying offsets */
static void
out_iso(const struct rec *r, long n, int precise)
{
    static const struct {
        int     off;            /* seconds east of UTC */
        const char *text;
    } z[] = {
        {0, "+00:00"}, {3600, "+0100"}, {-5 * 3600, "-05:00"},
        {5 * 3600 + 1800, "+05:30"},
    };
    char    buf[64];
    int     k = (int) (n % 4);

    stamp(r->t + z[k].off, buf, sizeof(buf));
    fputs(buf, stdout);
    if (precise)
        printf(".%06d", r->usec);
    printf("%s %s %s[%s]: %s\n", z[k].text, r->host, r->ident, r->pid,
           r->msg);
}

/* out_5424 - RFC 5424, with and without PRI, SD and fractions */
static void
out_5424(const struct rec *r, long n)
{
    char    buf[64];

    stamp(r->t, buf, sizeof(buf));
    if (n % 2 == 0)
        printf("<22>1 %s.%06dZ %s %s %s - - %s\n", buf, r->usec, r->host,
               r->ident, r->pid, r->msg);
    else
        printf("1 %sZ %s %s %s ID47 [ex@32473 iut=\"3\" src=\"a\\]b\\\"c\"]"
               "[x@1 y=\"z\"] \xef\xbb\xbf%s\n", buf, r->host, r->ident,
               r->pid, r->msg);
}

/* out_full - journalctl -o short-full --utc "Sat 2024-11-23 01:09:05 UTC" */
static void
out_full(const struct rec *r)
{
    static const char wd[] = "ThuFriSatSunMonTueWed";
    int64_t days = r->t >= 0 ? r->t / 86400 : (r->t - 86399) / 86400;
    char    buf[64];

    stamp(r->t, buf, sizeof(buf));
    buf[10] = ' ';
    printf("%.3s %s UTC %s %s[%s]: %s\n", wd + 3 * (int) (((days % 7) + 7) % 7),
           buf, r->host, r->ident, r->pid, r->msg);
}

int
main(int argc, char **argv)
{
    static char line[1 << 17];
    const char *form;
    int     year;
    long    n = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: tool_jform FORM YEAR <syslog\n");
        return 2;
    }
    form = argv[1];
    year = atoi(argv[2]);
    while (fgets(line, sizeof(line), stdin)) {
        struct rec r;
        size_t  len = strlen(line);

        if (len && line[len - 1] == '\n')
            line[--len] = 0;
        n++;
        if (parse(line, year, n, &r) != 0) {
            fprintf(stderr, "tool_jform: line %ld: not RFC 3164\n", n);
            return 1;
        }
        if (strcmp(form, "json") == 0 || strcmp(form, "json-seq") == 0)
            out_json(&r, n, form[4] == '-');
        else if (strcmp(form, "export") == 0)
            out_export(&r, n);
        else if (strcmp(form, "short") == 0)
            out_short(&r, n, 0, 0);
        else if (strcmp(form, "short-x") == 0)
            out_short(&r, n, 0, 1);
        else if (strcmp(form, "short-precise") == 0)
            out_short(&r, n, 1, 0);
        else if (strcmp(form, "short-iso") == 0)
            out_iso(&r, n, 0);
        else if (strcmp(form, "short-iso-precise") == 0)
            out_iso(&r, n, 1);
        else if (strcmp(form, "short-unix") == 0)
            printf("%lld.%06d %s %s[%s]: %s\n", (long long) r.t, r.usec,
                   r.host, r.ident, r.pid, r.msg);
        else if (strcmp(form, "short-full") == 0)
            out_full(&r);
        else if (strcmp(form, "rfc5424") == 0)
            out_5424(&r, n);
        else {
            fprintf(stderr, "tool_jform: unknown form %s\n", form);
            return 2;
        }
    }
    return 0;
}
