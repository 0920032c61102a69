/* global/run.h - what one run read, counted and guessed
 *
 * The run statistics exist once, here: the engine fills them while it
 * reads (engine/pipe.c), a saved state keeps and adds their counts
 * (aggregate/agg_state.c: a merged state's are the sums of its
 * pieces'), and the commands show them (the summary line, summary
 * --json). Their saved form is written and read here only. A state saves the counts from files to sessions; year and
 * not_mail describe the reading of files, for the warnings of that run
 * only: a state's are zero.
 * Thread safety: plain data.
 */
#ifndef GLOBAL_RUN_H
#define GLOBAL_RUN_H

#include <stdint.h>

#include "sess.h"

/* why the reader skipped a line (parsers/input.c counts them, names
 * them with input_bad_name()) */
enum input_bad {
    INPUT_BAD_LONG = 0,         /* over INPUT_MAX_LINE */
    INPUT_BAD_NUL,              /* contains a NUL byte */
    INPUT_BAD_CUT,              /* cut short by damaged compressed data */
    INPUT_BAD_RECORD,           /* journal record we cannot read */
    INPUT_BAD_COUNT
};

/* how the year of syslog stamps (no year in them) was chosen */
struct run_year {
    uint64_t files;             /* sources with such stamps */
    uint64_t back;              /* of them, with lines put in the year
                                 * before (they would lie after the
                                 * source's reference) */
    int     kind;               /* enum order_ref of the first source */
    int     log_year;           /* --log-year, or 0 */
    int64_t ref;                /* its reference time (UTC) */
    char    name[160];          /* its name, shortened */
};

struct run_stats {
    struct run_year year;       /* not saved */
    uint64_t not_mail;          /* files with lines, none of an MTA read
                                 * (not saved) */
    uint64_t files;
    uint64_t files_failed;      /* unreadable or damaged */
    uint64_t lines;
    uint64_t bytes;
    uint64_t bad[INPUT_BAD_COUNT];
    uint64_t bad_parse;         /* lines cut short etc. */
    uint64_t duplicates;        /* records repeating the one before */
    uint64_t sessions[SESS_D_COUNT];
};

/* add the saved counts of from (files .. sessions) into to */
void    run_stats_add(struct run_stats *to, const struct run_stats *from);

/* The saved counts as saved states and the follower's checkpoint keep
 * them (big-endian): u32 INPUT_BAD_COUNT, u32 SESS_D_COUNT, u64 files,
 * files_failed, lines, bytes, bad[..], bad_parse, duplicates (when
 * dups), sessions[..]. run_stats_get returns -1 when the two counts
 * name another layout (a short read sets r->bad instead). dups is 0
 * only for the checkpoints of version 1, which had no duplicates. */
struct wire_buf;
struct wire_rd;
void    run_stats_put(struct wire_buf *b, const struct run_stats *st);
int     run_stats_get(struct wire_rd *r, struct run_stats *st, int dups);

#endif
