/* parsers/wrap.h - strip the envelope a log line arrives in
 *
 * Recognised envelopes (docs/architecture.md, "Input forms", and
 * docs/input.md):
 *   RFC 3164 syslog        "Nov 21 04:02:01 host ident[pid]: msg"
 *   Postfix maillog_file   "Jan 06 14:09:50 host postfix/smtp[1]: msg"
 *   journalctl -o short[-precise]  "Apr 09 09:29:47[.123456] host ident[pid]: msg"
 *   RFC 3339 (rsyslog)     "2021-03-13T12:04:09.755361+01:00 host ident[pid]: msg"
 *   journalctl short-iso   "2023-09-08T17:20:30+0200 host ident[pid]: msg"
 *   journalctl short-unix  "1732324145.123456 host ident[pid]: msg"
 *   journalctl short-full  "Sat 2024-11-23 01:09:05 UTC host ident[pid]: msg"
 *                          (UTC/GMT exact; other zone names: --log-tz)
 *   container form         "2021-01-24T14:43:33.171226+00:00 INFO    ident[pid]: msg"
 *   RFC 5424               "<22>1 2024-11-23T01:09:05Z host app procid msgid [sd] msg"
 *                          (also without <PRI>; "-" fields are empty)
 *   socklog (svlogd)       "2022-09-28T19:09:10.78118 mail.info: Sep 28 21:09:10 ident[pid]: msg"
 *                          (svlogd stamp is UTC; also "_" for "T", and
 *                          TAI64N "@4000000063349a8e2e6f3b7c"; the inner
 *                          syslog stamp is skipped, never used)
 *   no timestamp           "ident[pid]: msg"  (undated)
 *   message only           "msg"              (undated, no ident)
 * A leading "<PRI>" is removed before any of these. Solaris
 * "[ID n facility.level] " tags before the message are removed.
 * journalctl -o json and -o export records are not lines: parsers/input.c
 * turns them into a struct wrap_rec with parsers/jrnl.c.
 * Spans point into the caller's line; nothing is copied.
 * Thread safety: as the struct ts_ctx passed in.
 */
#ifndef PARSERS_WRAP_H
#define PARSERS_WRAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "../util/span.h"
#include "ts.h"

struct wrap_rec {
    int     dated;              /* 1 when t is known */
    int64_t t;                  /* UTC epoch seconds */
    struct span host;           /* may be empty */
    struct span ident;          /* program, e.g. "postfix/smtp"; may be empty */
    struct span pid;            /* digits; may be empty */
    struct span msg;            /* the message text */
    /* 0, or a tag of the ident bytes: two records read by one thread
     * with the same nonzero tag have the same ident, so a caller may
     * keep what it learnt about an ident by tag (no compare) */
    uint64_t ident_tag;
    /* 0, or a tag of the host bytes: two records read by any threads of
     * the process with the same nonzero tag have the same host (each
     * thread gives tags of its own range), so a caller may keep what it
     * learnt about a host by tag, even on another thread.
     * WRAP_HOST_TAG_NONE: the host is empty */
    uint64_t host_tag;
};

#define WRAP_HOST_TAG_NONE 1

/* wrap_parse - fill r from line; never fails (worst case: message only).
 * Returns WRAP_EXIM when the line is known to begin with an Exim
 * main-log stamp ("YYYY-MM-DD HH:MM:SS " or with ".mmm", in the minute
 * of the last such stamp this thread took): r is then undated, with no
 * host, ident or pid, its message the whole line (at least 20 bytes,
 * its first byte a digit) and its ident_tag 0; else 0, which tells
 * nothing (an Exim line may give 0 too) */
int     wrap_parse(struct ts_ctx *c, struct span line, struct wrap_rec *r);

#define WRAP_EXIM 1

/* wrap_parse_other - wrap_parse() of a line not taken by the Exim memo
 * below (for wrap_parse_in() only): the copy for this processor (AVX2
 * or not), set before main() */
extern void (*wrap_parse_other) (struct ts_ctx *c, struct span line,
                                 struct wrap_rec *r);

/* tests only: on, wrap_parse() runs as on a processor without AVX2,
 * whatever this one has; off, as it can. Not while a thread parses */
void    wrap_test_sse2(int on);

/* tests only: on, no ident is kept for the short cut of lines without
 * a stamp (wrap.c, wrap_bare_seen), whose every line then takes the
 * way it took before; off, as it runs. Not while a thread parses */
void    wrap_test_bare(int off);

/* wrap_exim_word - 1 when the 8 bytes at p have the shape of the 8 of
 * lit and dig: the bytes between the digits equal lit's, and where dig
 * is 0xff a digit, whose byte has high nibble 3 before and after adding
 * 6 (no byte of a word that passes the first two tests carries into
 * another when 6 is added: the result is exact) */
static inline int
wrap_exim_word(const char *p, const char *lit, const unsigned char *dig)
{
    const uint64_t n3 = 0x3030303030303030ULL;
    const uint64_t hi = 0xf0f0f0f0f0f0f0f0ULL;
    const uint64_t six = 0x0606060606060606ULL;
    uint64_t x, l, d;

    memcpy(&x, p, 8);
    memcpy(&l, lit, 8);
    memcpy(&d, dig, 8);
    return (x & ~d) == l && (x & d & hi) == (n3 & d)
        && ((x + six) & d & hi) == (n3 & d);
}

/* The first 16 bytes of the last line wrap.c's wrap_exim_stamp() took
 * ("2024-11-01 00:00"), per thread; before any, "0000-00-00 00:00",
 * the shape of one (whatever the digits, wrap_exim_stamp() takes it),
 * so that a line that begins with them begins with a digit: no test of
 * its first byte is needed (4 instructions a line). A line that begins
 * with them and goes on ":DD " (or ":DD.DDD ") begins with an Exim
 * stamp too: wrap_exim_stamp() reads nothing else. Exim logs many
 * lines a minute: their stamps are taken with two compares of the
 * line's first 16 bytes and one of the next 4, in wrap_parse_in()
 * before anything else (no call, no registers saved for the other
 * forms). Written by wrap.c only */
extern _Thread_local unsigned char wrap_exim_last[16];

/* wrap_exim_sec - 1 when the 4 bytes at p are ":DD " (digits at D), or
 * ":DD." and a stamp with milliseconds goes on ("DDD " at p + 4, the
 * line at least 24 bytes long: n bytes at p) */
static inline int
wrap_exim_sec(const char *p, size_t n)
{
    static const char ms_lit[8] = {':', 0, 0, '.', 0, 0, 0, ' '};
    static const unsigned char ms_dig[8] = {0, 0xff, 0xff, 0, 0xff, 0xff,
    0xff, 0};
    uint32_t x, y;

    memcpy(&x, p, 4);
    /* ":DD ": y has zeros where x has ':' and ' ', and a digit's value
     * where x has a digit (a byte below 10: below 0x80, and below 0x80
     * with 0x76 added; a byte that passes the first test carries into
     * no other when it is added). One test for the four bytes: the
     * digits' two tests and the separators' were 11 instructions a
     * line, 7 now */
    y = x ^ 0x2030303aU;
    if (((y & 0xff8080ffU) | ((y + 0x00767600U) & 0x00808000U)) == 0)
        return 1;
    return (x & 0xff0000ffU) == 0x2e00003aU && n >= 8
        && wrap_exim_word(p, ms_lit, ms_dig);
}

/* wrap_exim_seen - wrap_exim_stamp() of a line whose first 16 bytes are
 * those of the last line it took (len >= 20) */
static inline int
wrap_exim_seen(struct span line)
{
    uint64_t a, b, ma, mb;

    memcpy(&a, line.ptr, 8);
    memcpy(&b, line.ptr + 8, 8);
    memcpy(&ma, wrap_exim_last, 8);
    memcpy(&mb, wrap_exim_last + 8, 8);
    return a == ma && b == mb
        && wrap_exim_sec(line.ptr + 16, line.len - 16);
}

/* wrap_exim_rec - r as wrap_slow() leaves an Exim line: undated, the
 * whole line the message. Not by memset() (a "rep stos", slow to
 * start). With SSE2 the zeros go in 16-byte stores (dated with the
 * padding after it and t; host; pid) and ident, a pointer and a zero,
 * from one register: 10 instructions where the fields one by one were
 * 12 stores. The two tags as one constant's store was no instruction
 * fewer, and gcc then laid out pipe_lines() otherwise: 0.07 M more on
 * a Sendmail log, which takes no such line */
static inline void
wrap_exim_rec(struct span line, struct wrap_rec *r)
{
#if defined(__SSE2__) && defined(__x86_64__)
    _Static_assert(offsetof(struct wrap_rec, t) == 8
                   && offsetof(struct wrap_rec, host) == 16
                   && offsetof(struct wrap_rec, ident) == 32
                   && offsetof(struct wrap_rec, pid) == 48
                   && offsetof(struct wrap_rec, msg) == 64
                   && offsetof(struct wrap_rec, ident_tag) == 80
                   && offsetof(struct wrap_rec, host_tag) == 88
                   && sizeof(struct wrap_rec) == 96,
                   "wrap_exim_rec: the record's layout");
    char   *p = (char *) r;
    const __m128i z = _mm_setzero_si128();

    _mm_storeu_si128((__m128i *) p, z);
    _mm_storeu_si128((__m128i *) (p + 16), z);
    _mm_storeu_si128((__m128i *) (p + 32),
                     _mm_cvtsi64_si128((long long) (uintptr_t) line.ptr));
    _mm_storeu_si128((__m128i *) (p + 48), z);
    r->msg = line;
    r->ident_tag = 0;
    r->host_tag = WRAP_HOST_TAG_NONE;
#else
    r->dated = 0;
    r->t = 0;
    r->host = span_make(NULL, 0);
    r->ident = span_make(line.ptr, 0);
    r->pid = span_make(NULL, 0);
    r->msg = line;
    r->ident_tag = 0;
    r->host_tag = WRAP_HOST_TAG_NONE;
#endif
}

/* wrap_parse_in - wrap_parse() inline, for the engine's per-line loops:
 * an Exim line of the last stamp's minute is taken without a call, and
 * where the caller tests the answer, a line that is not goes on with the
 * answer known (no test). The call of wrap_parse(), its jump on to
 * wrap_parse_any() and the return value's test were 8 instructions an
 * Exim line, and 2 a Postfix line */
static inline __attribute__((always_inline)) int
wrap_parse_in(struct ts_ctx *c, struct span line, struct wrap_rec *r)
{
    if (line.len >= 20 && span_little_endian() && wrap_exim_seen(line)) {
        wrap_exim_rec(line, r);
        return WRAP_EXIM;
    }
    wrap_parse_other(c, line, r);
    return 0;
}


/* a hash of what makes two records the same line (host, ident, pid,
 * message; not the time): the repeated-record rule of engine/pipe.c
 * and of follow compares it first */
uint64_t wrap_rec_hash(const struct wrap_rec *r);

#endif
