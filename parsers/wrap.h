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

#include <stdint.h>

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

/* wrap_parse - fill r from line; never fails (worst case: message only) */
void    wrap_parse(struct ts_ctx *c, struct span line, struct wrap_rec *r);

/* a hash of what makes two records the same line (host, ident, pid,
 * message; not the time): the repeated-record rule of engine/pipe.c
 * and of follow compares it first */
uint64_t wrap_rec_hash(const struct wrap_rec *r);

#endif
