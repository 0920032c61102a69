/* cli/ckpt.h - the checkpoint of mailtlsrpt follow
 *
 * One file, STATE_DIR/follow/checkpoint, replaced atomically (temporary
 * file, fsync, rename, fsync of the directory: util/afile.h) holds all
 * that a restarted follower needs to go on exactly where the last one
 * stopped: where each input stands (a file's identity, offset and the
 * hash of its last line, or a journal cursor), the UTC days still open
 * with their statistics, the record the duplicate check compares with,
 * and one saved state (aggregate/agg_state.h: the counters of the open
 * days, and the lines of every correlation key still open). Lines read
 * after the position are not in the counters, and the kept lines rebuild
 * the open sessions, so a restart counts every session once. Format:
 * docs/follow.md; a damaged file is refused with its reason.
 * Thread safety: one thread per struct ckpt.
 */
#ifndef CLI_CKPT_H
#define CLI_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "../aggregate/agg_state.h"
#include "../util/tail.h"

/* 2: each day's statistics with the duplicates; version 1 is read (no
 * duplicates then) */
#define CKPT_VERSION 2
#define CKPT_MAX_INPUTS 64
#define CKPT_MAX_DAYS 400
#define CKPT_NAME_MAX 1024
#define CKPT_CURSOR_MAX 512     /* journal cursors are about 130 bytes */
#define CKPT_FILE "checkpoint"
#define CKPT_CLOCKS 8

struct ckpt_input {
    char    name[CKPT_NAME_MAX + 1];    /* the LOG as given, or "journal" */
    int     journal;
    struct tail_pos pos;                /* files */
    char    cursor[CKPT_CURSOR_MAX + 1];        /* journal; "" none */
};

struct ckpt_day {
    int32_t day;                /* UTC day number */
    int     closed;             /* its final state is written */
    int     again;              /* closed, and sessions came since */
    int64_t closed_at;          /* when (clock), for keeping it a while */
    struct run_stats st;  /* its lines and sessions */
};

/* the last record that reached the correlators, for the check of
 * repeated records (the same rule as engine/pipe.c) */
struct ckpt_dup {
    int     have;
    int64_t t;
    int     dated;
    uint32_t len[4];            /* host, ident, pid, msg */
    uint64_t hash;              /* XXH3 of the four fields */
};

struct ckpt {
    int64_t since;              /* no line of the log from this time on
                                 * is missing (0: nothing read yet) */
    int64_t newest;             /* the newest log time read */
    int32_t closed;             /* the newest UTC day forgotten after
                                 * it was closed, or -1 */
    struct ckpt_input in[CKPT_MAX_INPUTS];
    size_t  nin;
    struct ckpt_day days[CKPT_MAX_DAYS];
    size_t  ndays;
    struct ckpt_dup dup;
    /* where each correlator's sweeps of idle keys fall (parser.h) */
    unsigned long feeds[CKPT_CLOCKS];
    int64_t max_t[CKPT_CLOCKS];
    size_t  nclocks;
    struct agg_state *state;    /* owned */
};

/* write dir/checkpoint atomically; 0, or -1 with err[AGG_STATE_ERR] */
int     ckpt_save(const char *dir, const struct ckpt *k, char *err);

/* read dir/checkpoint into k (zeroed first): 1, 0 when there is none,
 * -1 with err[AGG_STATE_ERR] when it is damaged or of another version */
int     ckpt_load(const char *dir, struct ckpt *k, char *err);

/* free what k owns */
void    ckpt_clear(struct ckpt *k);

#endif
