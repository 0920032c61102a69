/* aggregate/agg_state.h - saved, mergeable aggregation state
 *
 * A state is what one run over a piece of the logs leaves for a later
 * run: the counter table (agg_tab.h), the run statistics, and, per
 * correlation key (a Postfix/Sendmail process, an Exim message), the
 * log lines that the piece alone cannot judge: the "head" (lines at the
 * start that may continue a session begun before the piece) and the
 * "tail" (lines of sessions still open at its end). Merging replays
 * heads on top of the tails before them, per key, in time order, so that
 * any cut of a host's log, also inside a session, reduces to exactly the
 * result of one run. Design and file format: docs/internals/agg_state.md.
 *
 * Aggregating: pass agg_state_hold() and agg_state_keep() as the
 * correlators' sess_cb.hold and .keep (parsers/sess.h), run the
 * pipeline into agg_state_tab(), flush the parsers, then call
 * agg_state_end(). Saving: agg_state_save() (atomic: temporary file,
 * fsync, rename). Loading: agg_state_load() checks magic, version,
 * length and an XXH64 checksum before decoding anything, and validates
 * every field. Merging and finishing need a replayer (the parsers): the
 * caller's struct agg_state_replay.
 * Thread safety: one thread per struct agg_state.
 */
#ifndef AGGREGATE_AGG_STATE_H
#define AGGREGATE_AGG_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "agg_tab.h"
#include "../parsers/input.h"
#include "../parsers/sess.h"
#include "../parsers/wrap.h"

#define AGG_STATE_VERSION 1
#define AGG_STATE_ERR 256       /* room for an error message */

/* run statistics; the same fields as the pipeline's */
struct agg_state_stats {
    uint64_t files;
    uint64_t files_failed;
    uint64_t lines;
    uint64_t bytes;
    uint64_t bad[INPUT_BAD_COUNT];
    uint64_t bad_parse;
    uint64_t sessions[SESS_D_COUNT];
};

/* one kept log line: the envelope fields the correlators read */
struct agg_state_line {
    int64_t t;
    uint8_t dated;
    uint16_t hl, il, pl;        /* host, ident, pid lengths */
    uint32_t ml;                /* message length */
    char    data[];             /* host, ident, pid, msg, unterminated */
};

struct agg_state;

/* replay kept lines through fresh correlators of the caller: first the
 * quiet lines (already counted: only rebuild state), then the counted
 * ones, then, if flush, the end of input; sessions handed over while
 * counting (and bad lines) go into agg_state_tab(into) and its stats */
struct agg_state_replay {
    void    (*run) (void *ctx, const struct agg_state_line *const *quiet,
                    size_t nquiet, const struct agg_state_line *const *counted,
                    size_t ncounted, int flush, struct agg_state *into);
    void   *ctx;
};

struct agg_state *agg_state_create(void);        /* never NULL */
struct agg_state *agg_state_free(struct agg_state *s);  /* always NULL */

struct agg_tab *agg_state_tab(struct agg_state *s);
struct agg_state_stats *agg_state_stats(struct agg_state *s);

/* the piece's place in its log (aggregate --piece N, N >= 0): pieces
 * that have one are taken in that order; others by time. A merged
 * state has the lowest of its inputs' */
void    agg_state_set_piece(struct agg_state *s, uint32_t n);

/* sess_cb.hold: 1 when the line belongs to the head (kept, not fed) */
int     agg_state_hold(void *s, int mta, const void *key, size_t klen,
                       int dated, int64_t t, const struct wrap_rec *r);

/* sess_cb.keep: 1 when the key's open sessions go into the tail */
int     agg_state_keep(void *s, int mta, const void *key, size_t klen);

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
 * left as they are. Pieces are stitched where they are known to follow
 * each other (consecutive --piece numbers, or pieces between them also
 * given; never when a piece number occurs twice); with whole set, v is
 * all of the logs and every key's pieces are stitched in order (for a
 * report). NULL, with the reason in err[AGG_STATE_ERR] naming the
 * inputs, when the order of two pieces that a key spans is not known:
 * both lie within the same second of their log host and not both have
 * a piece number (aggregate --piece N orders them) */
struct agg_state *agg_state_merge(struct agg_state *const *v, size_t n,
                                  int whole,
                                  const struct agg_state_replay *rp,
                                  char *err);

/* end of all input: replay every head and tail into the table, as the
 * end of one run would; s keeps only counters and statistics */
void    agg_state_finish(struct agg_state *s,
                         const struct agg_state_replay *rp);

/* Following a growing log (mailtlsrpt follow, docs/follow.md): one
 * state aggregates without end; between two lines the caller asks the
 * correlators which keys they hold open (sess_cb.keep, without a flush:
 * parser_keep_open()) and takes a snapshot, whose tails rebuild exactly
 * that open state in a later process (agg_state_tail_lines()). */

/* the piece starts its log: no heads, every key runs from its first
 * line (nothing before the piece can be open) */
void    agg_state_set_start(struct agg_state *s);

/* a saveable copy of s between two lines: statistics, log hosts, the
 * counters of UTC day (day < 0: of every day), heads, and, with tails
 * set, the window of every key agg_state_keep() accepted since the last
 * snapshot as the tail of its one segment; those marks are cleared,
 * and in a state that starts its log every key not marked is forgotten
 * (no correlator holds it: its next line starts afresh). s goes on
 * aggregating. Cost: O(counters + kept lines) */
struct agg_state *agg_state_snapshot(struct agg_state *s, int32_t day,
                                     int tails);

/* keep the counters of the UTC days lo..hi only */
void    agg_state_days(struct agg_state *s, int32_t lo, int32_t hi);

/* add the counters, the log hosts that log TLS and the statistics of
 * src to s */
void    agg_state_add_counts(struct agg_state *s,
                             const struct agg_state *src);

/* every tail line of s: each key's in its order, the keys' merged by
 * time (a line without one keeps the time of the line before it), ties
 * by key; *v is malloc'd (free it alone: the lines are s's); count */
size_t  agg_state_tail_lines(const struct agg_state *s,
                             const struct agg_state_line ***v);

/* the bytes agg_state_save() writes, malloc'd into *p, *n (read back
 * with agg_state_load_buf()) */
void    agg_state_encode(const struct agg_state *s, unsigned char **p,
                         size_t *n);


/* the wrap_rec of a kept line (spans point into l) */
void    agg_state_line_rec(const struct agg_state_line *l,
                           struct wrap_rec *r);

#endif
