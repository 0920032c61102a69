/* util/date.c - calendar dates and UTC day numbers (see date.h) */
#include "date.h"

#include <string.h>

/* date_days_from_civil - H. Hinnant's days_from_civil */
int64_t
date_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t) y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

/* date_civil_from_days - inverse of date_days_from_civil */
void
date_civil_from_days(int64_t z, int *y, int *m, int *d)
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

/* date_day_str - format a day number as YYYY-MM-DD */
void
date_day_str(int32_t day, char *buf)
{
    int     y, m, d;

    date_civil_from_days(day, &y, &m, &d);
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

/* date_parse_day - "YYYY-MM-DD" into a day number */
int
date_parse_day(const char *s, int32_t *day)
{
    int     y, m, d;
    int     y2, m2, d2;
    int64_t n;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-'
        || date_digits(s, 4, &y) || date_digits(s + 5, 2, &m)
        || date_digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    n = date_days_from_civil(y, m, d);
    date_civil_from_days(n, &y2, &m2, &d2);
    if (d2 != d)                /* 2024-02-30 is not 2024-03-01 */
        return -1;
    *day = (int32_t) n;
    return 0;
}
