/* parsers/ts.h - log timestamps to UTC epoch seconds
 *
 * Two families: ISO 8601 / RFC 3339 stamps that carry their own offset
 * (exact), and RFC 3164 "Mmm dd HH:MM:SS" stamps with neither year nor
 * zone. For those the zone is the process's local zone (main sets TZ
 * from --log-tz before any thread starts) and the year comes from a
 * reference time (the file's modification time, say): a line is of the
 * reference's year, unless it would then lie more than TS_SKEW seconds
 * after the reference (a line is never later than the file that holds
 * it; a day of clock skew allowed): then it is of the year before (a
 * December line in a file written in January, a Dec 29 line in a file
 * written on Dec 6). The rule depends only on the line and the
 * reference, never on earlier lines, so any split of the input gives
 * the same times. What the rule did is kept in the context (used,
 * back) so that the caller can say how the year was chosen.
 * ts_zone_check() tells a zone the C library knows from one it would
 * silently read as UTC.
 * Thread safety: a struct ts_ctx per thread (it caches zone offsets).
 */
#ifndef PARSERS_TS_H
#define PARSERS_TS_H

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "../util/span.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define TS_SKEW 86400           /* clock skew allowed past the reference */
#define TS_ZONES 4              /* hours whose zone offset is kept */

struct ts_ctx {
    int     ref_year;           /* year of the newest line */
    int64_t ref_t;              /* no line after ref_t + TS_SKEW (UTC) */
    int     used;               /* a stamp without year was read */
    int     back;               /* one was put in the year before
                                 * because it lay after the reference */
    /* cache of the local zone offset per (y, m, d, h), TS_ZONES hours:
     * a log whose lines carry two clocks (syslog's and the MTA's own
     * stamp, hours apart) would call mktime(3), and with it stat(2) of
     * the zone file, on every switch with one */
    int64_t cache_key[TS_ZONES];        /* -1: unused */
    int64_t cache_base[TS_ZONES];       /* UTC seconds of that hour's start */
    int     cache_last;         /* the entry used last */
    int     cache_next;         /* the entry filled next */
    /* the last RFC 3164 stamp parsed, with its following space */
    char    last[32];
    size_t  last_len;           /* 0: none */
    int64_t last_t;
    /* the 16-byte stamp parsed before it: logs merged from two hosts
     * (or two formats: "Nov  1", "Nov 01") alternate stamps within a
     * second */
    char    prev[16];
    int64_t prev_t;
    int     prev_ok;            /* prev holds one (else it is zeros:
                                 * ts_seen_3164() tests no flag) */
    /* month, day, hour and minute of last and prev (ts.c), and the
     * start of that minute in the reference's year (UTC seconds) */
    unsigned last_f;
    unsigned prev_f;
    int64_t last_mb;
    int64_t prev_mb;
    /* the 16 bytes of last with its day written the other way ("Nov
     * 1" for "Nov 01" and back: logs merged from hosts that write the
     * day each its own way alternate the two), when last is of 16
     * bytes and its day's first byte a space or '0' (alt_ok); else
     * last's 16 bytes as they are. Either way alt differs from last in
     * byte 4 at most */
    char    alt[16];
    int     alt_ok;
    /* the date, hour and minute of the last ISO 8601 stamp read by
     * ts_parse_iso_seen() ("2024-11-01T00:10"), as UTC seconds before
     * its offset */
    char    iso[16];
    int     iso_ok;             /* iso holds one */
    int64_t iso_t;
    /* the offset "+HH:MM" and its following space that ts_iso_zone()
     * read last (zone_ok), as a word of those seven bytes, and what it
     * subtracts (ts_parse_iso_seen) */
    uint64_t iso_zone;
    int64_t iso_off;
    int     iso_zone_ok;
};

/* reference from a time (file mtime, now) in the local zone */
void    ts_ctx_init(struct ts_ctx *c, time_t ref);

/* reference from an explicit year: every line is of that year (the
 * reference is its last second) */
void    ts_ctx_init_year(struct ts_ctx *c, int year);

/* "Mmm dd HH:MM:SS" (day space- or zero-padded, or one digit) at the
 * cursor; on success consume it and the following space, set *t */
int     ts_parse_3164(struct ts_ctx *c, struct span *s, int64_t *t);

/* ts_parse_3164() for the common case of the same 16-byte stamp text
 * ("Nov 30 00:00:00 ") as the line before, or the 16-byte one parsed
 * before that, or the one before with its day written the other way
 * ("Nov  1", "Nov 01": the same day), without a call: 0 and the stamp
 * consumed, or -1 (nothing consumed: ask ts_parse_3164_new()). The
 * year rule looks at the fields and the reference only: the same
 * fields, the same time (and what it did is in c already) */
static inline int
ts_seen_3164(const struct ts_ctx *c, struct span *s, int64_t *t)
{
    int     last, prev;

    if (c->last_len != 16 || s->len <= 16 || s->ptr[3] != ' ')
        return -1;
    /* every compare made, one test of them all: which stamp a line of
     * a merged log repeats (the last one, with its day written either
     * way, or the one before) follows no pattern a branch predictor
     * learns (60 k mispredictions in 114 k lines of a replayed real
     * log where the compares were tested one by one) */
#ifdef __SSE2__
    {
        /* alt is last but for byte 4: a byte equal to last's or alt's
         * at each place is the stamp of either */
        __m128i v = _mm_loadu_si128((const __m128i *) s->ptr);
        unsigned ml = (unsigned) _mm_movemask_epi8(_mm_or_si128(
            _mm_cmpeq_epi8(v, _mm_loadu_si128((const __m128i *) c->last)),
            _mm_cmpeq_epi8(v, _mm_loadu_si128((const __m128i *) c->alt))));
        unsigned mp = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(v,
                            _mm_loadu_si128((const __m128i *) c->prev)));

        last = ml == 0xffff;
        /* without prev_ok: a prev never written is zeros (ts_ctx_init),
         * and a stamp asked about has a space at 3 */
        prev = mp == 0xffff;
    }
#else
    {
        uint64_t w0, w1, l0, l1, a0, p0, p1;

        memcpy(&w0, s->ptr, 8);
        memcpy(&w1, s->ptr + 8, 8);
        memcpy(&l0, c->last, 8);
        memcpy(&l1, c->last + 8, 8);
        memcpy(&a0, c->alt, 8);
        memcpy(&p0, c->prev, 8);
        memcpy(&p1, c->prev + 8, 8);
        last = (w1 == l1) & ((w0 == l0) | (w0 == a0));
        prev = (w0 == p0) & (w1 == p1);
    }
#endif
    if ((last | prev) == 0)
        return -1;
    *t = last ? c->last_t : c->prev_t;
    s->ptr += 16;
    s->len -= 16;
    return 0;
}

#ifdef __SSE2__
/* ts_next_3164 - ts_parse_3164_new() of a 16-byte stamp in the minute of
 * the last one (a new second: a log's most common new stamp), without
 * a call: 0, the stamp consumed, *t set and c left as
 * ts_parse_3164_new() leaves it; or -1 (nothing changed: ask it). The
 * tests and the state kept are ts_same_minute()'s and ts_keep_3164()'s
 * (parsers/ts.c): bytes 0-12 those of the last stamp but byte 4,
 * which may be its day's other form (alt), two digits and a space
 * after them, the last stamp with ':' at 12; the time the minute's
 * kept start plus the seconds, unless past the reference */
static inline int
ts_next_3164(struct ts_ctx *c, struct span *s, int64_t *t)
{
    const char *p = s->ptr;
    __m128i v, l;
    unsigned ml, s1, s0;
    int64_t nt;

    if (c->last_len != 16 || s->len <= 16 || c->last[12] != ':')
        return -1;
    v = _mm_loadu_si128((const __m128i *) p);
    l = _mm_loadu_si128((const __m128i *) c->last);
    ml = (unsigned) _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, l),
        _mm_cmpeq_epi8(v, _mm_loadu_si128((const __m128i *) c->alt))));
    s1 = (unsigned) (unsigned char) p[13] - '0';
    s0 = (unsigned) (unsigned char) p[14] - '0';
    if ((ml & 0x1fff) != 0x1fff || s1 > 9 || s0 > 9 || p[15] != ' '
        || s1 * 10 + s0 > 60)
        return -1;
    nt = c->last_mb + (int64_t) (s1 * 10 + s0);
    if (nt > c->ref_t + TS_SKEW)
        return -1;
    /* ts_keep_3164(): the last stamp becomes the one before */
    _mm_storeu_si128((__m128i *) c->prev, l);
    c->prev_t = c->last_t;
    c->prev_f = c->last_f;
    c->prev_mb = c->last_mb;
    c->prev_ok = 1;
    _mm_storeu_si128((__m128i *) c->last, v);
    c->last_t = nt;
    /* ':' at 12 as the last one's: its day's other form if any */
    c->alt_ok = p[4] == ' ' || p[4] == '0';
    _mm_storeu_si128((__m128i *) c->alt, v);
    if (c->alt_ok)
        c->alt[4] = p[4] == ' ' ? '0' : ' ';
    c->used = 1;
    *t = nt;
    s->ptr += 16;
    s->len -= 16;
    return 0;
}
#endif

/* ts_parse_3164() of a stamp that ts_seen_3164() did not take */
int     ts_parse_3164_new(struct ts_ctx *c, struct span *s, int64_t *t);

/* "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|+hhmm)" at the cursor; also
 * accepts ' ' for 'T' when an offset follows */
int     ts_parse_iso(struct span *s, int64_t *t);

/* ts_parse_iso() that keeps the date, hour and minute of the stamp in
 * c: a stamp with the same first 16 bytes as the one before reads only
 * its seconds, fraction and offset */
int     ts_parse_iso_seen(struct ts_ctx *c, struct span *s, int64_t *t);

/* ts_iso_same_minute - the second (0 to 60) of the ISO stamp at p
 * (20 bytes readable) when its first 16 bytes are those of the last
 * stamp c read ("2024-11-01T00:10", c->iso_ok set) and ":SS" follows;
 * else -1 */
static inline int
ts_iso_same_minute(const struct ts_ctx *c, const char *p)
{
    uint64_t a, b, x, y;
    unsigned s1, s0;

    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 8);
    memcpy(&x, c->iso, 8);
    memcpy(&y, c->iso + 8, 8);
    s1 = (unsigned) (unsigned char) p[17] - '0';
    s0 = (unsigned) (unsigned char) p[18] - '0';
    if (a != x || b != y || p[16] != ':' || s1 > 9 || s0 > 9
        || s1 * 10 + s0 > 60)
        return -1;
    return (int) (s1 * 10 + s0);
}

/* ts_seen_iso - ts_parse_iso_seen() of a stamp it takes without a
 * call and without a change to c: the first 16 bytes those of the last
 * stamp read ("2024-11-01T00:10"), ":SS" a second of that minute, a
 * fraction of up to 7 digits and the offset with its space that
 * ts_parse_iso_seen() read last ("+00:00 "): 0, *t and the stamp with
 * its space consumed as ts_parse_iso_seen() gives them, or -1 (nothing
 * consumed: ask ts_parse_iso_seen()). s->len >= 36 */
static inline int
ts_seen_iso(const struct ts_ctx *c, struct span *s, int64_t *t)
{
    const char *p = s->ptr;
    uint64_t z;
    int     sec;
    size_t  j;

    if (!c->iso_zone_ok || !c->iso_ok || p[19] != '.'
        || !span_little_endian() || (sec = ts_iso_same_minute(c, p)) < 0)
        return -1;
    /* ts_iso_zone_seen(): the fraction's end among 8 bytes at 20 */
    j = 20 + span_digits8(p + 20);
    if (j >= 28 || j + 8 > s->len)
        return -1;
    memcpy(&z, p + j, 8);
    if ((z & 0x00ffffffffffffffULL) != c->iso_zone)
        return -1;
    *t = c->iso_t + (int64_t) sec - c->iso_off;
    s->ptr += j + 7;
    s->len -= j + 7;
    return 0;
}

/* ts_zone_check - 0 when tz (a TZ value: "Europe/Berlin", ":UTC",
 * "/path/file", "CET-1CEST,M3.5.0,M10.5.0/3") names a zone: a TZif
 * file under $TZDIR or /usr/share/zoneinfo (or the absolute path
 * given), "UTC"/"GMT" (which the C library knows without a file), or a
 * POSIX TZ string that parses; else -1 with the reason in why[cap].
 * The C library reads anything else as UTC, silently. */
int     ts_zone_check(const char *tz, char *why, size_t cap);

/* local date-time fields to UTC epoch seconds in the local zone */
int64_t ts_local_to_utc(struct ts_ctx *c, int y, int mon, int d, int h,
                        int mi, int sec);

#endif
