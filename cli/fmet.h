/* cli/fmet.h - the metrics of mailtlsrpt follow, in the Prometheus text
 * format (names and meaning: docs/follow.md)
 *
 * fmet_render() counts the sessions of one UTC day from a counter table
 * as summary counts them (agg_view_create_st: successes, failures by
 * result type, plaintext sessions by the plaintext mode) and writes them
 * as mailtlsrpt_sessions_total{domain,policy_type,result_type}, with
 * the follower's own gauges and counters. Label cardinality is bounded:
 * the n busiest and the n most failing domains of the day are named,
 * and stay named for the rest of the day once named (so that their
 * series do not jump between a name and "other"), up to 4n names;
 * every other domain is counted as domain="other".
 * Thread safety: one thread per struct fmet.
 */
#ifndef CLI_FMET_H
#define CLI_FMET_H

#include <stddef.h>
#include <stdint.h>

#include "../aggregate/agg_state.h"
#include "../aggregate/agg_tab.h"

/* what the follower says of itself */
struct fmet_in {
    const struct agg_tab *tab;          /* counters of the day (others are
                                         * skipped) */
    int32_t day;                        /* the newest UTC day open */
    enum agg_plain plain;
    const struct run_stats *st;   /* since the state began */
    uint64_t duplicates;
    uint64_t late;                      /* sessions of closed days */
    uint64_t lost;                      /* times lines may have been lost */
    double  lag;                        /* seconds with unread input */
    uint64_t behind;                    /* bytes written, not read */
    int64_t newest;                     /* newest log time read, or 0 */
    double  checkpoint;                 /* state on disk current as of */
    double  started;                    /* process start */
    size_t  open_days;
    size_t  kept_keys, kept_lines;      /* open correlation */
};

struct fmet;

struct fmet *fmet_create(size_t n);
struct fmet *fmet_free(struct fmet *m);         /* always NULL */

/* the text, malloc'd, its length in *len */
char   *fmet_render(struct fmet *m, const struct fmet_in *in, size_t *len);

#endif
