/* parsers/sess_own.h - the queue ids of our own report mail
 *
 * RFC 8460 section 3: no report of reports. Queue ids (per log host) of
 * messages whose envelope sender is own_from (sess_conf, parser.h), for
 * the correlators: Postfix's qmgr "from=" line, Exim's "<=" line,
 * Sendmail's "from=" line note the id (corr_own_from, corr.h); the
 * delivery's sessions ask, and are excluded:own-report. Bounded: at
 * most SESS_OWN_MAX ids, each forgotten when the MTA says the message
 * is gone or SESS_OWN_SECS of log time after it was last noted (a
 * report mail queued longer is bounced by then). Full: new ids are not
 * noted (those sessions are counted).
 * Thread safety: one tracker per correlator; sess_own_sender() and
 * sess_own_any() only read.
 */
#ifndef PARSERS_SESS_OWN_H
#define PARSERS_SESS_OWN_H

#include <stddef.h>
#include <stdint.h>

#include "../util/span.h"

#define SESS_OWN_MAX 4096
#define SESS_OWN_SECS (6 * 86400)

struct sess_conf;
struct sess_own;

/* tracker for conf->own_from; NULL (nothing is ours) when it is unset */
struct sess_own *sess_own_create(const struct sess_conf *conf);
struct sess_own *sess_own_free(struct sess_own *o);     /* always NULL */

/* 1 when addr ("a@b" or "<a@b>", as logged) is own_from; o may be NULL */
int     sess_own_sender(const struct sess_own *o, struct span addr);

/* sess_own_sender_word - sess_own_sender() of the first word of s (up
 * to its first space, at most 320 bytes: span_word()), that word in
 * *word when it is own_from. A word of another length than own_from's
 * (or its with "<>") is not sought: the bytes at those two places tell
 * (an Exim log's every arrival asks) */
int     sess_own_sender_word(const struct sess_own *o, struct span s,
                             struct span *word);

/* own_from's length, 0 when o is NULL: a caller that asks on every
 * line keeps it and tests a word's length before it calls (a sender
 * of ours is that long, or two more with its "<>") */
size_t  sess_own_from_len(const struct sess_own *o);

/* note / ask / forget queue id qid of log host host; t: log time */
void    sess_own_note(struct sess_own *o, struct span host, struct span qid,
                      int64_t t);
/* 1 when any queue id is noted: cost O(1) */
int     sess_own_any(const struct sess_own *o);
int     sess_own_has(const struct sess_own *o, struct span host,
                     struct span qid);
void    sess_own_forget(struct sess_own *o, struct span host,
                        struct span qid);

#endif
