/* engine/pipe.h - the thread engine: input -> parser -> sessions ->
 * aggregate, for one run
 *
 * pipe_run() reads every log source, oldest first by content
 * (parsers/order.h), in any input form (parsers/input.h: plain or
 * compressed, syslog or journal), strips envelopes, drops lines
 * repeated by a log written twice, feeds the correlators and adds
 * counted sessions to the table. It fills the run's statistics
 * (global/run.h) and warns about files that are no mail log and log
 * hosts that log no TLS (engine/guess_hosts.h). With trace set it
 * writes one "FILE:LINE<TAB>LABEL" line per input line; with sessions
 * set, one line per session (counted or not), for tests and operators:
 * tab-separated (day, domain, result, mx-host, mx-ip, reason,
 * disposition; "-" for none), or with sessions_json a JSON object with
 * these names (null for none).
 * With jobs > 1 (0: one per core) worker threads parse chunks of the
 * input while the calling thread reads and correlates in input order
 * (see pipe.c, docs/internals/pipeline.md); the result is the same
 * for any jobs. MAILTLSRPT_CHUNK
 * in the environment sets the chunk size in bytes (tests cut small logs
 * into many chunks with it); MAILTLSRPT_FUSE, for tests too, which
 * chunks the calling thread may classify and apply in one pass when it
 * finds them unclaimed (0: none; k > 1: those whose number is no
 * multiple of k; by default any).
 * Thread safety: call from one thread; it starts and joins its workers.
 */
#ifndef ENGINE_PIPE_H
#define ENGINE_PIPE_H

#include <stdint.h>
#include <stdio.h>

#include "../aggregate/agg_tab.h"
#include "../aggregate/agg_state.h"
#include "../global/run.h"
#include "../global/sess.h"
#include "../parsers/parser.h"

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
    /* aggregate: the parsers carry the sessions this piece cannot
     * judge alone into this saved state (carry_hold, carry_keep on
     * agg_state_carry) instead of closing what is open at the end of
     * input; NULL: a plain run */
    struct agg_state *state;
    /* the parsers' configuration: MX ports, relay hosts, the sender of
     * our own report mail (parsers/parser.h) */
    struct sess_conf parse;
    /* how plaintext sessions count: for the warning about a log host
     * without TLS lines (engine/guess_hosts.h) */
    enum agg_plain plaintext;
};

/* 0, or 1 when some input could not be read completely */
int     pipe_run(const struct pipe_opts *o, struct agg_tab *tab,
                 struct run_stats *st);

/* lines and records counted as bad, input and parsers together (the
 * "(N bad)" of the summary line; summary --json "bad-lines") */
uint64_t pipe_bad_lines(const struct run_stats *st);

/* one session as sessions --json writes it: one JSON object and a
 * newline (follow --events writes the same) */
void    pipe_session_json(FILE *fp, const struct sess_rec *r,
                          enum sess_disp d);

/* one-line summary on stderr */
void    pipe_summary(const struct run_stats *st, const char *tail);

#endif
