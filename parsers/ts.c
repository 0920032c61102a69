/* parsers/ts.c - log timestamps to UTC epoch seconds (see ts.h) */
#include "ts.h"
#include "../util/date.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* glibc's mktime() reads and writes the zone's state under a lock of
 * its own, which a thread sanitizer cannot see: the parsing threads take
 * this one around it (once an hour of log per thread: no contention) */
static pthread_mutex_t ts_zone_lock = PTHREAD_MUTEX_INITIALIZER;

/* ts_cache_clear - no hour's zone offset known */
static void
ts_cache_clear(struct ts_ctx *c)
{
    int     i;

    for (i = 0; i < TS_ZONES; i++)
        c->cache_key[i] = -1;
    c->cache_last = c->cache_next = 0;
}

/* ts_ctx_init - reference from a time, its year in the local zone */
void
ts_ctx_init(struct ts_ctx *c, time_t ref)
{
    struct tm tm;

    memset(c, 0, sizeof(*c));
    localtime_r(&ref, &tm);
    c->ref_year = tm.tm_year + 1900;
    c->ref_t = (int64_t) ref;
    ts_cache_clear(c);
    c->last_len = 0;
    c->prev_ok = 0;
}

/* ts_ctx_init_year - every line of year: no bound inside it */
void
ts_ctx_init_year(struct ts_ctx *c, int year)
{
    memset(c, 0, sizeof(*c));
    c->ref_year = year;
    /* a day past the year's end in any zone: never reached */
    c->ref_t = (date_days_from_civil(year + 1, 1, 1) + 1) * 86400;
    ts_cache_clear(c);
    c->last_len = 0;
    c->prev_ok = 0;
}

/* ts_hour_key - the cache key of an hour of local time */
static inline int64_t
ts_hour_key(int y, int mon, int d, int h)
{
    return ((int64_t) y * 13 + mon) * 32 * 24 + d * 24 + h;
}

/* ts_local_other - ts_local_to_utc() of an hour other than the last */
static int64_t
ts_local_other(struct ts_ctx *c, int y, int mon, int d, int h, int mi,
               int sec)
{
    int64_t key = ts_hour_key(y, mon, d, h);
    int64_t wall, off;
    int     i;

    for (i = 0; i < TS_ZONES; i++) {
        if (c->cache_key[i] == key) {
            c->cache_last = i;
            return c->cache_base[i] + mi * 60 + sec;
        }
    }
    wall = date_days_from_civil(y, mon, d) * 86400 + h * 3600;
    {
        struct tm tm;
        time_t  t;

        memset(&tm, 0, sizeof(tm));
        tm.tm_year = y - 1900;
        tm.tm_mon = mon - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_isdst = -1;
        pthread_mutex_lock(&ts_zone_lock);
        t = mktime(&tm);
        pthread_mutex_unlock(&ts_zone_lock);
        off = (t == (time_t) -1) ? 0 : wall - (int64_t) t;
    }
    i = c->cache_next;
    c->cache_next = (i + 1) % TS_ZONES;
    c->cache_key[i] = key;
    c->cache_base[i] = wall - off;
    c->cache_last = i;
    return wall + mi * 60 + sec - off;
}

/* ts_local_hour - ts_local_to_utc(), the hour of the last call without
 * a call */
static inline int64_t
ts_local_hour(struct ts_ctx *c, int y, int mon, int d, int h, int mi,
              int sec)
{
    if (ts_hour_key(y, mon, d, h) == c->cache_key[c->cache_last])
        return c->cache_base[c->cache_last] + mi * 60 + sec;
    return ts_local_other(c, y, mon, d, h, mi, sec);
}

/* ts_local_to_utc - local wall clock to UTC using mktime once per hour
 * (of the last TS_ZONES hours seen); cost O(TS_ZONES) when cached */
int64_t
ts_local_to_utc(struct ts_ctx *c, int y, int mon, int d, int h, int mi,
                int sec)
{
    return ts_local_hour(c, y, mon, d, h, mi, sec);
}

/* ts_month - 1..12 for "Jan".."Dec" at p (3 bytes), else 0: the three
 * bytes as one number, compared in a switch (a search of the twelve
 * names cost 40 instructions for November) */
static int
ts_month(const char *p)
{
#define TS_MON(a, b, c) ((unsigned) (a) << 16 | (unsigned) (b) << 8 | (c))
    switch (TS_MON((unsigned char) p[0], (unsigned char) p[1],
                   (unsigned char) p[2])) {
    case TS_MON('J', 'a', 'n'): return 1;
    case TS_MON('F', 'e', 'b'): return 2;
    case TS_MON('M', 'a', 'r'): return 3;
    case TS_MON('A', 'p', 'r'): return 4;
    case TS_MON('M', 'a', 'y'): return 5;
    case TS_MON('J', 'u', 'n'): return 6;
    case TS_MON('J', 'u', 'l'): return 7;
    case TS_MON('A', 'u', 'g'): return 8;
    case TS_MON('S', 'e', 'p'): return 9;
    case TS_MON('O', 'c', 't'): return 10;
    case TS_MON('N', 'o', 'v'): return 11;
    case TS_MON('D', 'e', 'c'): return 12;
    default: return 0;
    }
#undef TS_MON
}

/* ts_digit - 1 when c is a decimal digit */
static inline int
ts_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ts_keep_3164 - the stamp of n bytes at p (with its space), read as t
 * from the fields f (ts_fields()), its minute's start mb in the
 * reference's year, becomes the last one; the 16-byte one before it the
 * one before */
static void
ts_keep_3164(struct ts_ctx *c, const char *p, size_t n, int64_t t,
             unsigned f, int64_t mb)
{
    if (n > sizeof(c->last))
        return;
    if (c->last_len == 16) {
        memcpy(c->prev, c->last, 16);
        c->prev_t = c->last_t;
        c->prev_f = c->last_f;
        c->prev_mb = c->last_mb;
        c->prev_ok = 1;
    }
    if (n == 16)
        memcpy(c->last, p, 16);
    else
        memcpy(c->last, p, n);
    c->last_len = n;
    c->last_t = t;
    c->last_f = f;
    c->last_mb = mb;
    /* "Nov  1" and "Nov 01": the same day (a 16-byte stamp with ':' at
     * 12 has its day in bytes 4 and 5) */
    c->alt_ok = n == 16 && p[12] == ':' && (p[4] == ' ' || p[4] == '0');
    memcpy(c->alt, c->last, 16);
    if (c->alt_ok)
        c->alt[4] = p[4] == ' ' ? '0' : ' ';
}

/* month, day, hour and minute of a stamp in one number */
#define ts_fields(mon, day, h, mi) \
    ((unsigned) (mon) << 24 | (unsigned) (day) << 16 | (unsigned) (h) << 8 \
     | (unsigned) (mi))

/* ts_same_minute - 1 when "Mmm dd HH:MM:SS " (16 bytes at p, len > 16)
 * is in the minute of a stamp read before (16 bytes at last), its day
 * written either way ("Nov  1", "Nov 01"): the caller takes month, day,
 * hour and minute from that one */
static inline int
ts_same_minute(const char *p, size_t len, const char *last)
{
    uint64_t b, y;
    uint32_t a, x;

    /* a stamp of 16 bytes with ':' at 12 has a two-byte day (a one-digit
     * day and a fraction make 16 bytes too, ':' at 11) */
    if (last[12] != ':' || len <= 16 || !ts_digit(p[13]) || !ts_digit(p[14])
        || p[15] != ' ')
        return 0;
    memcpy(&a, p, 4);
    memcpy(&b, p + 5, 8);
    memcpy(&x, last, 4);
    memcpy(&y, last + 5, 8);
    /* bytes 0-3 and 5-12 the same; byte 4 the same, or a space and a
     * '0' (b | 0x10 is '0' for these two bytes only): the day is the
     * digit at 5 either way */
    return a == x && b == y && (p[4] == last[4]
                                || (((unsigned char) p[4] | 0x10) == '0'
                                    && ((unsigned char) last[4] | 0x10)
                                    == '0'));
}

/* ts_parse_3164 - "Mmm dd HH:MM:SS " with inferred year */
int
ts_parse_3164(struct ts_ctx *c, struct span *s, int64_t *t)
{
    if (s->len < 15 || s->ptr[3] != ' ')
        return -1;
    /* lines come many to a second: the same stamp text as the line
     * before gives the same time (the year rule looks only at the text
     * and the reference) */
    if (ts_seen_3164(c, s, t) == 0)
        return 0;
    return ts_parse_3164_new(c, s, t);
}

/* ts_parse_3164_new - ts_parse_3164() past ts_seen_3164() */
int
ts_parse_3164_new(struct ts_ctx *c, struct span *s, int64_t *t)
{
    const char *p = s->ptr;
    size_t  len = s->len;
    int     mon, day, h, mi, sec, y;
    unsigned f;
    int64_t mb;
    size_t  i;

    if (len < 15 || p[3] != ' ')
        return -1;
    if (c->last_len > 0 && c->last_len != 16 && len > c->last_len
        && memcmp(p, c->last, c->last_len) == 0) {
        *t = c->last_t;
        span_drop(s, c->last_len);
        return 0;
    }
    /* a new second, most often in the minute of one of the last two
     * stamps: only its seconds to read */
    if (c->last_len == 16 && ts_same_minute(p, len, c->last)) {
        f = c->last_f;
        mb = c->last_mb;
    } else if (c->prev_ok && ts_same_minute(p, len, c->prev)) {
        f = c->prev_f;
        mb = c->prev_mb;
    } else {
        f = 0;                  /* no stamp has month 0 */
        mb = 0;
    }
    if (f != 0) {
        sec = (p[13] - '0') * 10 + (p[14] - '0');
        /* the minute's start in the reference's year, kept: no zone
         * look-up (a pure function of the fields), the year rule as
         * below where the stamp is not past the reference */
        if (sec <= 60 && mb + sec <= c->ref_t + TS_SKEW) {
            *t = mb + sec;
            c->used = 1;
            ts_keep_3164(c, p, 16, *t, f, mb);
            span_drop(s, 16);
            return 0;
        }
        mon = (int) (f >> 24);
        day = (int) (f >> 16 & 0xff);
        h = (int) (f >> 8 & 0xff);
        mi = (int) (f & 0xff);
        sec = (p[13] - '0') * 10 + (p[14] - '0');
        if (sec > 60)
            return -1;
        i = 15;
        goto year;
    }
    mon = ts_month(p);
    if (mon == 0)
        return -1;
    i = 4;
    if (p[i] == ' ')            /* "Jun  6" */
        i++;
    if (!ts_digit(p[i]))
        return -1;
    day = p[i++] - '0';
    if (ts_digit(p[i]))
        day = day * 10 + (p[i++] - '0');
    if (len < i + 10 || p[i] != ' ' || p[i + 3] != ':' || p[i + 6] != ':'
        || !ts_digit(p[i + 1]) || !ts_digit(p[i + 2])
        || !ts_digit(p[i + 4]) || !ts_digit(p[i + 5])
        || !ts_digit(p[i + 7]) || !ts_digit(p[i + 8]))
        return -1;
    h = (p[i + 1] - '0') * 10 + (p[i + 2] - '0');
    mi = (p[i + 4] - '0') * 10 + (p[i + 5] - '0');
    sec = (p[i + 7] - '0') * 10 + (p[i + 8] - '0');
    if (day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    i += 9;
    if (i < len && p[i] == '.') {        /* some daemons add fractions */
        i++;
        while (i < len && ts_digit(p[i]))
            i++;
    }
    if (i >= len || p[i] != ' ')
        return -1;
  year:
    /* a line is never later than its reference (a day of skew): a
     * Dec 29 line in a file written on Dec 6 is of the year before */
    y = c->ref_year;
    *t = ts_local_hour(c, y, mon, day, h, mi, sec);
    mb = *t - sec;
    if (*t > c->ref_t + TS_SKEW) {
        *t = ts_local_hour(c, y - 1, mon, day, h, mi, sec);
        c->back = 1;
    }
    c->used = 1;
    ts_keep_3164(c, p, i + 1, *t, ts_fields(mon, day, h, mi), mb);
    span_drop(s, i + 1);
    return 0;
}

/* ts_iso_datetime - "YYYY-MM-DD[T ]HH:MM:SS" at p (len >= 20) as UTC
 * seconds before any offset: 0, or -1 */
static int
ts_iso_datetime(const char *p, int64_t *t)
{
    int     y, mon, d, h, mi, sec;

    if (p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ')
        || p[13] != ':' || p[16] != ':'
        || date_digits(p, 4, &y) || date_digits(p + 5, 2, &mon)
        || date_digits(p + 8, 2, &d) || date_digits(p + 11, 2, &h)
        || date_digits(p + 14, 2, &mi) || date_digits(p + 17, 2, &sec))
        return -1;
    if (mon < 1 || mon > 12 || d < 1 || d > 31 || h > 23 || mi > 59
        || sec > 60)
        return -1;
    *t = date_days_from_civil(y, mon, d) * 86400 + h * 3600 + mi * 60 + sec;
    return 0;
}

/* ts_iso_zone - the rest of an ISO stamp after its 19 bytes of date and
 * time (base, in UTC seconds before the offset): fraction, zone, the
 * following space; consumed, *t set; 0 or -1 */
static int
ts_iso_zone(struct span *s, int64_t base, int64_t *t)
{
    const char *p = s->ptr;
    size_t  len = s->len;
    int     oh = 0, om = 0;
    int     sign = 0;
    size_t  i = 19;

    if (i < len && (p[i] == '.' || p[i] == ',')) {
        i++;
        if (i + 8 <= len && span_little_endian()) {
            /* the fraction's end among the next eight bytes at once; a
             * loop of six digits was 50 instructions */
            unsigned k = span_digits8(p + i);

            i += k;
            if (k < 8)
                goto zone;
        }
        while (i < len && p[i] >= '0' && p[i] <= '9')
            i++;
    }
  zone:
    if (i < len && p[i] == 'Z') {
        i++;
    } else if (i < len && (p[i] == '+' || p[i] == '-')) {
        sign = p[i] == '-' ? -1 : 1;
        i++;
        if (len < i + 4 || date_digits(p + i, 2, &oh))
            return -1;
        i += 2;
        if (p[i] == ':')
            i++;
        if (len < i + 2 || date_digits(p + i, 2, &om))
            return -1;
        i += 2;
        if (oh > 23 || om > 59)
            return -1;
    } else {
        return -1;              /* no zone: not this family */
    }
    if (i < len && p[i] != ' ')
        return -1;
    *t = base - sign * (oh * 3600 + om * 60);
    span_drop(s, i + 1);
    return 0;
}

/* ts_parse_iso - RFC 3339 with offset; consumes the following space */
int
ts_parse_iso(struct span *s, int64_t *t)
{
    int64_t base;

    if (s->len < 20 || ts_iso_datetime(s->ptr, &base) != 0)
        return -1;
    return ts_iso_zone(s, base, t);
}

/* ts_iso_zone_seen - ts_iso_zone() of a stamp whose fraction
 * ('.' and up to seven digits) is followed by the offset read last
 * ("+HH:MM ", the same seven bytes): that offset, without reading its
 * digits again (ts_iso_zone() was a third of an ISO line's envelope);
 * else ts_iso_zone(), whose "+HH:MM " is kept. The offset of seven
 * bytes is a function of them: ts_iso_zone() of the same bytes after
 * the same fraction's end gives it */
static int
ts_iso_zone_seen(struct ts_ctx *c, struct span *s, int64_t base, int64_t *t)
{
    const char *p = s->ptr;
    const uint64_t seven = 0x00ffffffffffffffULL;
    uint64_t z;
    size_t  j;
    int     rc;

    if (s->len >= 36 && p[19] == '.' && span_little_endian()) {
        /* ts_iso_zone(): the fraction's end among 8 bytes at 20 */
        j = 20 + span_digits8(p + 20);
        if (j < 28 && j + 8 <= s->len) {
            memcpy(&z, p + j, 8);
            if (c->iso_zone_ok && (z & seven) == c->iso_zone) {
                *t = base - c->iso_off;
                span_drop(s, j + 7);
                return 0;
            }
        }
    }
    if ((rc = ts_iso_zone(s, base, t)) == 0 && span_little_endian()) {
        /* s is past the stamp and its space: keep "+HH:MM " */
        j = (size_t) (s->ptr - p);
        if (j >= 27 && p[19] == '.' && (p[j - 7] == '+' || p[j - 7] == '-')
            && p[j - 4] == ':' && p[j - 1] == ' ') {
            z = 0;              /* its 7 bytes: the line may end there */
            memcpy(&z, p + j - 7, 7);
            c->iso_zone = z;
            c->iso_off = base - *t;
            c->iso_zone_ok = 1;
        }
    }
    return rc;
}

/* ts_parse_iso_seen - ts_parse_iso() with the last date, hour and
 * minute kept: a stamp of the same minute reads only its seconds, a
 * fraction and an offset (where the whole date and time were read
 * again for every new second: 100 instructions a line on a replayed
 * real log with a container's stamps, most of them a second apart) */
int
ts_parse_iso_seen(struct ts_ctx *c, struct span *s, int64_t *t)
{
    const char *p = s->ptr;
    int     sec;

    if (s->len < 20)
        return -1;
    if (c->iso_ok && (sec = ts_iso_same_minute(c, p)) >= 0)
        return ts_iso_zone_seen(c, s, c->iso_t + sec, t);
    if (ts_iso_datetime(p, &c->iso_t) != 0)
        return -1;
    /* ts_iso_datetime() read the seconds as two digits at 17 */
    c->iso_t -= (p[17] - '0') * 10 + (p[18] - '0');
    memcpy(c->iso, p, 16);
    c->iso_ok = 1;
    return ts_iso_zone_seen(c, s, c->iso_t + (p[17] - '0') * 10
                            + (p[18] - '0'), t);
}

/* ts_tz_name - a POSIX TZ zone name at *p: 3+ letters, or <...> of 3+
 * letters, digits, '+' and '-'; advances *p; 0 or -1 */
static int
ts_tz_name(const char **p)
{
    const char *s = *p;
    size_t  n = 0;

    if (*s == '<') {
        for (s++; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')
             || (*s >= '0' && *s <= '9') || *s == '+' || *s == '-'; s++)
            n++;
        if (*s != '>' || n < 3)
            return -1;
        *p = s + 1;
        return 0;
    }
    for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'); s++)
        n++;
    if (n < 3)
        return -1;
    *p = s;
    return 0;
}

/* ts_tz_num - 1 to maxd digits at *p, at most max; advances *p */
static int
ts_tz_num(const char **p, int maxd, int max, int *v)
{
    int     n = 0, d = 0;

    while (**p >= '0' && **p <= '9' && d < maxd) {
        n = n * 10 + (**p - '0');
        (*p)++;
        d++;
    }
    if (d == 0 || n > max || (**p >= '0' && **p <= '9'))
        return -1;
    *v = n;
    return 0;
}

/* ts_tz_time - [+-]h[h[h]][:mm[:ss]], hours at most maxh (POSIX 24 for
 * offsets; glibc takes -167..167 for rule times); advances *p */
static int
ts_tz_time(const char **p, int sign_ok, int maxh)
{
    int     v;

    if (**p == '+' || **p == '-') {
        if (!sign_ok)
            return -1;
        (*p)++;
    }
    if (ts_tz_num(p, 3, maxh, &v) != 0)
        return -1;
    if (**p == ':') {
        (*p)++;
        if (ts_tz_num(p, 2, 59, &v) != 0)
            return -1;
        if (**p == ':') {
            (*p)++;
            if (ts_tz_num(p, 2, 59, &v) != 0)
                return -1;
        }
    }
    return 0;
}

/* ts_tz_date - Jn, n or Mm.w.d, then an optional /time; advances *p */
static int
ts_tz_date(const char **p)
{
    int     v;

    if (**p == 'J') {
        (*p)++;
        if (ts_tz_num(p, 3, 365, &v) != 0 || v < 1)
            return -1;
    } else if (**p == 'M') {
        (*p)++;
        if (ts_tz_num(p, 2, 12, &v) != 0 || v < 1 || *(*p)++ != '.'
            || ts_tz_num(p, 1, 5, &v) != 0 || v < 1 || *(*p)++ != '.'
            || ts_tz_num(p, 1, 6, &v) != 0)
            return -1;
    } else if (ts_tz_num(p, 3, 365, &v) != 0) {
        return -1;
    }
    if (**p == '/') {
        (*p)++;
        return ts_tz_time(p, 1, 167);
    }
    return 0;
}

/* ts_tz_posix - 0 when s is a whole POSIX TZ string:
 * std offset [dst [offset] [,date[/time],date[/time]]] */
static int
ts_tz_posix(const char *s)
{
    if (ts_tz_name(&s) != 0 || ts_tz_time(&s, 1, 24) != 0)
        return -1;
    if (*s == 0)
        return 0;
    if (ts_tz_name(&s) != 0)
        return -1;
    if (*s != ',' && *s != 0 && ts_tz_time(&s, 1, 24) != 0)
        return -1;
    if (*s == ',') {
        s++;
        if (ts_tz_date(&s) != 0 || *s++ != ',' || ts_tz_date(&s) != 0)
            return -1;
    }
    return *s == 0 ? 0 : -1;
}

/* ts_tz_file - 0 when path is a readable TZif file (a regular file:
 * never a device or a FIFO, which an open could set off or block on) */
static int
ts_tz_file(const char *path)
{
    char    magic[4];
    struct stat sb;
    int     fd;
    ssize_t n;

    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)
        || (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
        return -1;
    n = read(fd, magic, sizeof(magic));
    close(fd);
    return n == 4 && memcmp(magic, "TZif", 4) == 0 ? 0 : -1;
}

/* ts_zone_check - a zone the C library knows (ts.h) */
int
ts_zone_check(const char *tz, char *why, size_t cap)
{
    const char *name = tz[0] == ':' ? tz + 1 : tz;
    const char *dir = getenv("TZDIR");
    char    path[4096];
    const char *p;

    if (dir == NULL || *dir == 0)
        dir = "/usr/share/zoneinfo";
    if (*name == 0 || strlen(name) > 255) {
        snprintf(why, cap, "empty or longer than 255 bytes");
        return -1;
    }
    for (p = name; *p; p++)
        if ((unsigned char) *p <= 0x20 || *p == 0x7f) {
            snprintf(why, cap, "white space or control characters");
            return -1;
        }
    /* known to the C library without a file */
    if (strcmp(name, "UTC") == 0 || strcmp(name, "GMT") == 0)
        return 0;
    /* a zone file: a name under the zone directory, or a path */
    if (name[0] == '/') {
        if (ts_tz_file(name) == 0)
            return 0;
    } else if (strncmp(name, "../", 3) != 0 && strstr(name, "/../") == NULL
               && (size_t) snprintf(path, sizeof(path), "%s/%s", dir, name)
               < sizeof(path) && ts_tz_file(path) == 0) {
        return 0;
    }
    if (tz[0] != ':' && ts_tz_posix(name) == 0)
        return 0;
    if (name[0] == '/')
        snprintf(why, cap, "%.200s is not a time zone file", name);
    else
        snprintf(why, cap, "no such zone in %.200s, and not a POSIX TZ "
                 "string such as CET-1CEST,M3.5.0,M10.5.0/3", dir);
    return -1;
}
