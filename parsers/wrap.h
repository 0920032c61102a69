/* parsers/wrap.h - strip the envelope a log line arrives in
 *
 * Recognised envelopes (docs/architecture.md, "Input forms"):
 *   RFC 3164 syslog        "Nov 21 04:02:01 host ident[pid]: msg"
 *   Postfix maillog_file   "Jan 06 14:09:50 host postfix/smtp[1]: msg"
 *   RFC 3339 (rsyslog)     "2021-03-13T12:04:09.755361+01:00 host ident[pid]: msg"
 *   journalctl short-iso   "2023-09-08T17:20:30+0200 host ident[pid]: msg"
 *   container form         "2021-01-24T14:43:33.171226+00:00 INFO    ident[pid]: msg"
 *   no timestamp           "ident[pid]: msg"  (undated)
 *   message only           "msg"              (undated, no ident)
 * Solaris "[ID n facility.level] " tags before the message are removed.
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
};

/* wrap_parse - fill r from line; never fails (worst case: message only) */
void    wrap_parse(struct ts_ctx *c, struct span line, struct wrap_rec *r);

/* wrap_service - last path element of ident ("smtp" of "postfix-out/smtp") */
struct span wrap_service(struct span ident);

#endif
