/* parsers/ts.c - log timestamps to UTC epoch seconds (see ts.h) */
#include "ts.h"

#include <string.h>

/* ts_days_from_civil - H. Hinnant's algorithm; exact for all years */
int64_t
ts_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t) y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

/* ts_civil_from_days - inverse of ts_days_from_civil */
static void
ts_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era;
    int64_t doe;
    int64_t yoe;
    int64_t doy;
    int64_t mp;

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

/* ts_day_str - format a day number as YYYY-MM-DD */
void
ts_day_str(int32_t day, char *buf)
{
    int     y, m, d;

    ts_civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0;
    buf[0] = (char) ('0' + y / 1000);
    buf[1] = (char) ('0' + y / 100 % 10);
    buf[2] = (char) ('0' + y / 10 % 10);
    buf[3] = (char) ('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char) ('0' + m / 10);
    buf[6] = (char) ('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char) ('0' + d / 10);
    buf[9] = (char) ('0' + d % 10);
    buf[10] = 0;
}

/* ts_digits - n decimal digits at p into *out; -1 if not digits */
static int
ts_digits(const char *p, int n, int *out)
{
    int     v = 0;
    int     i;

    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

/* ts_parse_day - "YYYY-MM-DD" into a day number */
int
ts_parse_day(const char *s, int32_t *day)
{
    int     y, m, d;
    int     y2, m2, d2;
    int64_t n;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-'
        || ts_digits(s, 4, &y) || ts_digits(s + 5, 2, &m)
        || ts_digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    n = ts_days_from_civil(y, m, d);
    ts_civil_from_days(n, &y2, &m2, &d2);
    if (d2 != d)                /* 2024-02-30 is not 2024-03-01 */
        return -1;
    *day = (int32_t) n;
    return 0;
}

/* ts_ctx_init - reference month from a time in the local zone */
void
ts_ctx_init(struct ts_ctx *c, time_t ref)
{
    struct tm tm;

    memset(c, 0, sizeof(*c));
    localtime_r(&ref, &tm);
    c->ref_year = tm.tm_year + 1900;
    c->ref_mon = tm.tm_mon + 1;
    c->cache_key = -1;
    c->last_len = 0;
}

/* ts_ctx_init_year - newest line in December of year */
void
ts_ctx_init_year(struct ts_ctx *c, int year)
{
    memset(c, 0, sizeof(*c));
    c->ref_year = year;
    c->ref_mon = 12;
    c->cache_key = -1;
    c->last_len = 0;
}

/* ts_local_to_utc - local wall clock to UTC using mktime once per hour */
int64_t
ts_local_to_utc(struct ts_ctx *c, int y, int mon, int d, int h, int mi,
                int sec)
{
    int64_t key = ((int64_t) y * 13 + mon) * 32 * 24 + d * 24 + h;
    int64_t wall;

    if (key == c->cache_key)    /* the hot path: same hour as before */
        return c->cache_base + mi * 60 + sec;
    wall = ts_days_from_civil(y, mon, d) * 86400 + h * 3600;
    {
        struct tm tm;
        time_t  t;

        memset(&tm, 0, sizeof(tm));
        tm.tm_year = y - 1900;
        tm.tm_mon = mon - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_isdst = -1;
        t = mktime(&tm);
        c->cache_off = (t == (time_t) -1) ? 0 : wall - (int64_t) t;
        c->cache_key = key;
        c->cache_base = wall - c->cache_off;
    }
    return wall + mi * 60 + sec - c->cache_off;
}

static const char ts_months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* ts_month - 1..12 for "Jan".."Dec" at p (3 bytes), else 0 */
static int
ts_month(const char *p)
{
    const char *m;

    for (m = ts_months; *m; m += 3)
        if (p[0] == m[0] && p[1] == m[1] && p[2] == m[2])
            return (int) ((m - ts_months) / 3) + 1;
    return 0;
}

/* ts_parse_3164 - "Mmm dd HH:MM:SS " with inferred year */
int
ts_parse_3164(struct ts_ctx *c, struct span *s, int64_t *t)
{
    const char *p = s->ptr;
    size_t  len = s->len;
    int     mon, day, h, mi, sec, y;
    size_t  i;

    if (len < 15 || p[3] != ' ')
        return -1;
    /* lines come many to a second: the same stamp text as the line
     * before gives the same time (the year rule looks only at the text
     * and the reference) */
    if (ts_seen_3164(c, s, t) == 0)
        return 0;
    if (c->last_len > 0 && c->last_len != 16 && len > c->last_len
        && memcmp(p, c->last, c->last_len) == 0) {
        *t = c->last_t;
        span_drop(s, c->last_len);
        return 0;
    }
    mon = ts_month(p);
    if (mon == 0)
        return -1;
    i = 4;
    if (p[i] == ' ')            /* "Jun  6" */
        i++;
    if (p[i] < '0' || p[i] > '9')
        return -1;
    day = p[i++] - '0';
    if (p[i] >= '0' && p[i] <= '9')
        day = day * 10 + (p[i++] - '0');
    if (len < i + 10 || p[i] != ' ' || p[i + 3] != ':' || p[i + 6] != ':'
        || ts_digits(p + i + 1, 2, &h) || ts_digits(p + i + 4, 2, &mi)
        || ts_digits(p + i + 7, 2, &sec))
        return -1;
    if (day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    i += 9;
    if (i < len && p[i] == '.') {        /* some daemons add fractions */
        i++;
        while (i < len && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    if (i >= len || p[i] != ' ')
        return -1;
    y = mon > c->ref_mon ? c->ref_year - 1 : c->ref_year;
    *t = ts_local_to_utc(c, y, mon, day, h, mi, sec);
    if (i + 1 <= sizeof(c->last)) {
        memcpy(c->last, p, i + 1);
        c->last_len = i + 1;
        c->last_t = *t;
    }
    span_drop(s, i + 1);
    return 0;
}

/* ts_parse_iso - RFC 3339 with offset; consumes the following space */
int
ts_parse_iso(struct span *s, int64_t *t)
{
    const char *p = s->ptr;
    size_t  len = s->len;
    int     y, mon, d, h, mi, sec, oh = 0, om = 0;
    int     sign = 0;
    size_t  i;

    if (len < 20 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ')
        || p[13] != ':' || p[16] != ':'
        || ts_digits(p, 4, &y) || ts_digits(p + 5, 2, &mon)
        || ts_digits(p + 8, 2, &d) || ts_digits(p + 11, 2, &h)
        || ts_digits(p + 14, 2, &mi) || ts_digits(p + 17, 2, &sec))
        return -1;
    if (mon < 1 || mon > 12 || d < 1 || d > 31 || h > 23 || mi > 59
        || sec > 60)
        return -1;
    i = 19;
    if (i < len && (p[i] == '.' || p[i] == ',')) {
        i++;
        while (i < len && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    if (i < len && p[i] == 'Z') {
        i++;
    } else if (i < len && (p[i] == '+' || p[i] == '-')) {
        sign = p[i] == '-' ? -1 : 1;
        i++;
        if (len < i + 4 || ts_digits(p + i, 2, &oh))
            return -1;
        i += 2;
        if (p[i] == ':')
            i++;
        if (len < i + 2 || ts_digits(p + i, 2, &om))
            return -1;
        i += 2;
        if (oh > 23 || om > 59)
            return -1;
    } else {
        return -1;              /* no zone: not this family */
    }
    if (i < len && p[i] != ' ')
        return -1;
    *t = ts_days_from_civil(y, mon, d) * 86400 + h * 3600 + mi * 60 + sec
        - sign * (oh * 3600 + om * 60);
    span_drop(s, i + 1);
    return 0;
}
