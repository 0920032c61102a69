/* cli/pipe.h - input -> parser -> sessions -> aggregate, for one run
 *
 * pipe_run() reads every log source, oldest first by content
 * (parsers/order.h), in any input form (parsers/input.h: plain or
 * compressed, syslog or journal), strips envelopes, feeds the
 * correlators and adds counted sessions to the table. It
 * keeps the run's statistics for the summary line. With trace set it
 * writes one "FILE:LINE<TAB>LABEL" line per input line; with sessions
 * set, one line per session (counted or not), for tests and operators:
 * tab-separated (day, domain, result, mx-host, mx-ip, reason,
 * disposition; "-" for none), or with sessions_json a JSON object with
 * these names (null for none).
 * With jobs > 1 (0: one per core) worker threads parse chunks of the
 * input while the calling thread reads and correlates in input order
 * (see pipe.c); the result is the same for any jobs. MAILTLSRPT_CHUNK
 * in the environment sets the chunk size in bytes (tests cut small logs
 * into many chunks with it).
 * Thread safety: call from one thread; it starts and joins its workers.
 */
#ifndef CLI_PIPE_H
#define CLI_PIPE_H

#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "../aggregate/agg_tab.h"
#include "../aggregate/agg_state.h"
#include "../parsers/input.h"
#include "../parsers/sess.h"

struct pipe_opts {
    char  **files;              /* NULL-terminated; empty: stdin */
    int     log_year;           /* 0: from file mtime */
    FILE   *trace;              /* per-line labels, or NULL */
    FILE   *sessions;           /* per-session lines, or NULL */
    int     sessions_json;      /* ... as JSON objects, one per line */
    int     verbose;            /* show the first bad lines */
    const char *mta;            /* --mta: only this parser; NULL: all */
    int     quiet;              /* --quiet: no progress line */
    int     jobs;               /* -j: parsing threads; 0: one per core */
    /* aggregate: the correlators keep heads and tails for this saved
     * state (aggregate/agg_state.h) instead of closing what is open at
     * the end of input; NULL: a plain run */
    struct agg_state *state;
};

/* how the year of syslog stamps (no year in them) was chosen */
struct pipe_year {
    uint64_t files;             /* sources with such stamps */
    uint64_t back;              /* of them, with lines put in the year
                                 * before (they would lie after the
                                 * source's reference) */
    int     kind;               /* enum order_ref of the first source */
    int     log_year;           /* --log-year, or 0 */
    int64_t ref;                /* its reference time (UTC) */
    char    name[160];          /* its name, shortened */
};

struct pipe_stats {
    struct pipe_year year;
    uint64_t not_mail;          /* files with lines, none of an MTA read */
    uint64_t files;
    uint64_t files_failed;      /* unreadable or damaged */
    uint64_t lines;
    uint64_t bytes;
    uint64_t bad[INPUT_BAD_COUNT];
    uint64_t bad_parse;         /* lines cut short etc. */
    uint64_t duplicates;        /* records repeating the one before */
    uint64_t sessions[SESS_D_COUNT];
};

/* 0, or 1 when some input could not be read completely */
int     pipe_run(const struct conf *c, const struct pipe_opts *o,
                 struct agg_tab *tab, struct pipe_stats *st);

/* lines and records counted as bad, input and parsers together (the
 * "(N bad)" of the summary line; summary --json "bad-lines") */
uint64_t pipe_bad_lines(const struct pipe_stats *st);

/* one session as sessions --json writes it: one JSON object and a
 * newline (follow --events writes the same) */
void    pipe_session_json(FILE *fp, const struct sess_rec *r,
                          enum sess_disp d);

/* one-line summary on stderr */
void    pipe_summary(const struct pipe_stats *st, const char *tail);

#endif
