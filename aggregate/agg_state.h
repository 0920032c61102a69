/* aggregate/agg_state.h - saved, mergeable aggregation state
 *
 * A state is what one run over a piece of the logs leaves for a later
 * run: the counter table (agg_tab.h), the run statistics
 * (global/run.h), and the sessions the piece cannot judge alone, which
 * the parsers carry (parsers/carry.h: per correlation key, the lines at
 * the piece's start that may continue a session begun before it, and
 * the lines of sessions still open at its end). Merging adds counters
 * and statistics and has the carried lines stitched and replayed, so
 * that any cut of a host's log, also inside a session, reduces to
 * exactly the result of one run. Design and file format:
 * docs/internals/agg_state.md.
 *
 * Aggregating: give the pipeline the state (engine/pipe.h, pipe_opts
 * .state): its correlators' hold and keep hooks are carry_hold() and
 * carry_keep() on agg_state_carry(); it counts into agg_state_tab() and
 * agg_state_stats(), flushes the parsers and calls agg_state_end().
 * Saving: agg_state_save() (atomic: temporary file, fsync, rename).
 * Loading: agg_state_load() checks magic, version, length and an XXH64
 * checksum before decoding anything, and validates every field.
 * Merging and finishing replay carried lines through fresh correlators
 * of the caller's configuration (struct carry_replay).
 * Thread safety: one thread per struct agg_state.
 */
#ifndef AGGREGATE_AGG_STATE_H
#define AGGREGATE_AGG_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "agg_tab.h"
#include "../global/run.h"
#include "../parsers/carry.h"

/* the file format's version: 2 adds the run's repeated lines skipped
 * (run_stats.duplicates); a state of another version is refused, with
 * the advice to aggregate the logs again */
#define AGG_STATE_VERSION 2
#define AGG_STATE_ERR 256       /* room for an error message */

struct agg_state;

struct agg_state *agg_state_create(void);        /* never NULL */
struct agg_state *agg_state_free(struct agg_state *s);  /* always NULL */

struct agg_tab *agg_state_tab(struct agg_state *s);
/* the run statistics (global/run.h): saved, loaded and added up */
struct run_stats *agg_state_stats(struct agg_state *s);

/* the piece's place in its log (aggregate --piece N, N >= 0): pieces
 * that have one are taken in that order; others by time. A merged
 * state has the lowest of its inputs' */
void    agg_state_set_piece(struct agg_state *s, uint32_t n);

/* the sessions carried: the ctx of carry_hold() and carry_keep(), the
 * correlators' sess_cb.hold and .keep while aggregating */
struct carry *agg_state_carry(struct agg_state *s);

/* after the correlators' flush: forget what is not kept */
void    agg_state_end(struct agg_state *s);

/* number of kept keys and lines (heads and tails), for messages */
void    agg_state_kept(const struct agg_state *s, size_t *keys,
                       size_t *lines);

/* write to path atomically; 0, or -1 with err[AGG_STATE_ERR] */
int     agg_state_save(const struct agg_state *s, const char *path,
                       char *err);

/* read and check path; NULL with err[AGG_STATE_ERR] when it is not a
 * complete state of this version */
struct agg_state *agg_state_load(const char *path, char *err);

/* the same for a state file's bytes d[0..n), named name in messages
 * (and in agg_state_merge's) */
struct agg_state *agg_state_load_buf(const unsigned char *d, size_t n,
                                     const char *name, char *err);

/* one state of all of v[0..n-1] (pieces in any order); the inputs are
 * left as they are. Counters and statistics are added; the carried
 * sessions are stitched where the pieces are known to follow each
 * other (carry_merge(), parsers/carry.h; with whole set, v is all of
 * the logs and everything is stitched, for a report), and what their
 * counted replays complete is added too. NULL, with the reason in
 * err[AGG_STATE_ERR] naming the inputs, when the order of two pieces
 * that a key spans is not known (aggregate --piece N orders them) */
struct agg_state *agg_state_merge(struct agg_state *const *v, size_t n,
                                  int whole,
                                  const struct carry_replay *rp,
                                  char *err);

/* end of all input: replay every head and tail into the table, as the
 * end of one run would; s keeps only counters and statistics */
void    agg_state_finish(struct agg_state *s,
                         const struct carry_replay *rp);

/* Following a growing log (mailtlsrpt follow, docs/follow.md): one
 * state aggregates without end; between two lines the caller asks the
 * correlators which keys they hold open (sess_cb.keep, without a flush:
 * parser_keep_open()) and takes a snapshot, whose tails rebuild exactly
 * that open state in a later process (carry_tail_lines() of its
 * carry). */

/* the piece starts its log: no heads, every key runs from its first
 * line (nothing before the piece can be open) */
void    agg_state_set_start(struct agg_state *s);

/* a saveable copy of s between two lines: statistics, the counters of
 * UTC day (day < 0: of every day) and the carried sessions
 * (carry_snapshot(): with tails, the windows of the keys kept since the
 * last snapshot). s goes on aggregating. Cost: O(counters + kept
 * lines) */
struct agg_state *agg_state_snapshot(struct agg_state *s, int32_t day,
                                     int tails);

/* keep the counters of the UTC days lo..hi only */
void    agg_state_days(struct agg_state *s, int32_t lo, int32_t hi);

/* add the counters, the log hosts that log TLS and the statistics of
 * src to s */
void    agg_state_add_counts(struct agg_state *s,
                             const struct agg_state *src);

/* the bytes agg_state_save() writes, malloc'd into *p, *n (read back
 * with agg_state_load_buf()) */
void    agg_state_encode(const struct agg_state *s, unsigned char **p,
                         size_t *n);

#endif
