/* util/date.h - calendar dates and UTC day numbers
 *
 * A day number counts days since 1970-01-01 (negative before it) in the
 * proleptic Gregorian calendar, as a UTC day of the reports does: the
 * one place where the program turns dates into day numbers and back
 * (log time stamps, report names and date ranges, --day, summaries).
 * H. Hinnant's algorithms ("chrono-compatible low-level date
 * algorithms"): exact for every year an int holds, no table, no loop.
 * Thread safety: pure functions.
 */
#ifndef UTIL_DATE_H
#define UTIL_DATE_H

#include <stdint.h>

/* date_digits - the n decimal digits at p (a field of a date or time:
 * "2024", "09") into *out; 0, or -1 when one is not a digit. Inline: the
 * time stamp of every log line is read with it */
static inline int
date_digits(const char *p, int n, int *out)
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

/* days since 1970-01-01 of year y, month m (1..12), day d (1..31);
 * cost O(1) */
int64_t date_days_from_civil(int y, int m, int d);

/* the year, month and day of day number z; cost O(1) */
void    date_civil_from_days(int64_t z, int *y, int *m, int *d);

/* "YYYY-MM-DD" of day number day into buf[11] (year 0000 outside
 * 0..9999) */
void    date_day_str(int32_t day, char *buf);

/* "YYYY-MM-DD" into a day number; 0, or -1 when s is not exactly that
 * form or no such date (2024-02-30) */
int     date_parse_day(const char *s, int32_t *day);

#endif
