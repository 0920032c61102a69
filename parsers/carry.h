/* parsers/carry.h - open sessions carried from one piece of a log to
 * the next
 *
 * A piece of a log (aggregate --piece N, a shard of a Slurm job) cannot
 * judge every session alone: lines at its start may continue a session
 * begun before it, and sessions still open at its end go on in the
 * next. The correlators keep their state per key (a Postfix or
 * Sendmail process, an Exim message) and forget a key after
 * SESS_IDLE_SECS of silence (parser.h), so per key it is enough to keep
 * the "head" (lines at the start of the piece, up to the key's first
 * gap, that may continue something older: not fed to the correlators)
 * and the "tail" (lines since the key's last gap when the correlator
 * still holds it open at the end: fed, and replayed quietly to rebuild
 * the open state). carry_hold() and carry_keep() are the correlators'
 * sess_cb.hold and .keep (parser.h): every correlator calls them through
 * its core (corr_enter, corr_flush in corr.c), so a fourth MTA carries
 * its sessions without code of its own.
 *
 * Merging sorts the kept lines of each key into log order and stitches
 * neighbours that are known to follow each other, replaying them
 * through fresh correlators (parser_set_create) of the caller's
 * configuration; what a counted replay completes goes to the caller's
 * sink. Finishing (the whole log) replays what is left as the end of
 * one run would. The saved form is three parts of a state file
 * (aggregate/agg_state.c writes and reads the file around them).
 * Design, file format and proof sketch: docs/internals/agg_state.md.
 *
 * Cost: per held line one hash look-up and a copy of the line; memory
 * about an hour of each log host's relevant lines (heads and open
 * tails; windows of keys silent for an hour are swept every
 * CARRY_SWEEP_EVERY holds).
 * Thread safety: one thread per struct carry; carry_merge() reads its
 * inputs only.
 */
#ifndef PARSERS_CARRY_H
#define PARSERS_CARRY_H

#include <stddef.h>
#include <stdint.h>

#include "../global/sess.h"
#include "../util/wire.h"

struct carry;                   /* opaque */
struct carry_line;              /* one kept line: opaque */
struct sess_conf;
struct wrap_rec;

/* where a replay's sessions go: session and bad only for lines replayed
 * counted (already counted lines only rebuild state), tls_host always */
struct carry_sink {
    void    (*session) (void *ctx, const struct sess_rec *r,
                        enum sess_disp d);
    void    (*tls_host) (void *ctx, const char *loghost);
    void    (*bad) (void *ctx);         /* a replayed line was bad */
    void   *ctx;
};

/* how kept lines are replayed: fresh correlators of this configuration
 * (the same as the run that kept them, or lines are judged otherwise) */
struct carry_replay {
    const struct sess_conf *conf;
    const char *mta;            /* --mta: only this parser; NULL: all */
};

struct carry *carry_create(void);               /* never NULL */
struct carry *carry_free(struct carry *c);      /* always NULL */

/* the piece's place in its log (aggregate --piece N, N >= 0): pieces
 * that have one are taken in that order; others by time */
void    carry_set_piece(struct carry *c, uint32_t n);

/* sess_cb.hold (ctx: the struct carry): 1 when the line belongs to the
 * head (kept, not fed); tracks the key's window otherwise */
int     carry_hold(void *c, int mta, const void *key, size_t klen,
                   int dated, int64_t t, const struct wrap_rec *r);

/* sess_cb.keep: 1 when the key's open sessions go into the tail */
int     carry_keep(void *c, int mta, const void *key, size_t klen);

/* after the correlators' flush: forget what is not kept */
void    carry_end(struct carry *c);

/* number of kept keys and lines (heads and tails), for messages */
void    carry_kept(const struct carry *c, size_t *keys, size_t *lines);

/* the parts of a state file: the piece number (8 bytes), the log hosts
 * (times and pieces covered), the keys (their segments of lines).
 * carry_get_*() validate every field and set r->bad on anything out of
 * bounds; source (the file's name, for messages) and sum (its
 * checksum, which orders pieces that tie on every other count) are
 * kept for carry_merge() */
void    carry_put_piece(const struct carry *c, struct wire_buf *b);
void    carry_put_hosts(const struct carry *c, struct wire_buf *b);
void    carry_put_keys(const struct carry *c, struct wire_buf *b);
void    carry_get_piece(struct carry *c, struct wire_rd *r);
void    carry_get_hosts(struct carry *c, struct wire_rd *r);
void    carry_get_keys(struct carry *c, struct wire_rd *r);
void    carry_set_source(struct carry *c, const char *name, uint64_t sum);

/* one carry of all of v[0..n-1] (pieces in any order); the inputs are
 * left as they are. Pieces are stitched where they are known to follow
 * each other (consecutive --piece numbers, or pieces between them also
 * given; never when a piece number occurs twice); with whole set, v is
 * all of the logs and every key's pieces are stitched in order (for a
 * report). Sessions and bad lines of counted replays go to into. NULL,
 * with the reason in err[errcap] naming the inputs, when the order of
 * two pieces that a key spans is not known: both lie within the same
 * second of their log host and not both have a piece number (aggregate
 * --piece N orders them) */
struct carry *carry_merge(struct carry *const *v, size_t n, int whole,
                          const struct carry_replay *rp,
                          const struct carry_sink *into, char *err,
                          size_t errcap);

/* end of all input: replay every head and tail, counted, into into, as
 * the end of one run would; c keeps nothing */
void    carry_finish(struct carry *c, const struct carry_replay *rp,
                     const struct carry_sink *into);

/* Following a growing log (mailtlsrpt follow, docs/follow.md): one
 * carry is filled without end, and snapshots of it are saved between
 * two lines; their tails rebuild the correlators' open state in a later
 * process. */

/* the piece starts its log: no heads, every key runs from its first
 * line (nothing before it can be open); keys are dropped at snapshots
 * instead of by sweeps */
void    carry_set_start(struct carry *c);

/* a saveable copy of c between two lines: log hosts, heads and, with
 * tails set, the window of every key carry_keep() accepted since the
 * last snapshot as the tail of its one segment; those marks are
 * cleared, and in a carry that starts its log every key not marked is
 * forgotten (no correlator holds it). c goes on. Cost: O(kept lines) */
struct carry *carry_snapshot(struct carry *c, int tails);

/* every tail line of c: each key's in its order, the keys' merged by
 * time (a line without one keeps the time of the line before it), ties
 * by key; *v is malloc'd (free it alone: the lines are c's); count */
size_t  carry_tail_lines(const struct carry *c,
                         const struct carry_line ***v);

/* the wrap_rec of a kept line (spans point into l) */
void    carry_line_rec(const struct carry_line *l, struct wrap_rec *r);

#endif
