/* global/run.c - what one run read, counted and guessed (see run.h) */
#include "run.h"
#include "../util/wire.h"

/* run_stats_add - the counts of one run (a piece) into another's */
void
run_stats_add(struct run_stats *to, const struct run_stats *from)
{
    int     i;

    to->files += from->files;
    to->files_failed += from->files_failed;
    to->lines += from->lines;
    to->bytes += from->bytes;
    for (i = 0; i < INPUT_BAD_COUNT; i++)
        to->bad[i] += from->bad[i];
    to->bad_parse += from->bad_parse;
    to->duplicates += from->duplicates;
    for (i = 0; i < SESS_D_COUNT; i++)
        to->sessions[i] += from->sessions[i];
}

/* run_stats_put - the saved counts, appended (run.h) */
void
run_stats_put(struct wire_buf *b, const struct run_stats *st)
{
    int     i;

    wire_put_u(b, INPUT_BAD_COUNT, 4);
    wire_put_u(b, SESS_D_COUNT, 4);
    wire_put_u(b, st->files, 8);
    wire_put_u(b, st->files_failed, 8);
    wire_put_u(b, st->lines, 8);
    wire_put_u(b, st->bytes, 8);
    for (i = 0; i < INPUT_BAD_COUNT; i++)
        wire_put_u(b, st->bad[i], 8);
    wire_put_u(b, st->bad_parse, 8);
    wire_put_u(b, st->duplicates, 8);
    for (i = 0; i < SESS_D_COUNT; i++)
        wire_put_u(b, st->sessions[i], 8);
}

/* run_stats_get - the saved counts, read back bounded (run.h) */
int
run_stats_get(struct wire_rd *r, struct run_stats *st, int dups)
{
    int     i;

    if (wire_get_u(r, 4) != INPUT_BAD_COUNT
        || wire_get_u(r, 4) != SESS_D_COUNT)
        return -1;
    st->files = wire_get_u(r, 8);
    st->files_failed = wire_get_u(r, 8);
    st->lines = wire_get_u(r, 8);
    st->bytes = wire_get_u(r, 8);
    for (i = 0; i < INPUT_BAD_COUNT; i++)
        st->bad[i] = wire_get_u(r, 8);
    st->bad_parse = wire_get_u(r, 8);
    st->duplicates = dups ? wire_get_u(r, 8) : 0;
    for (i = 0; i < SESS_D_COUNT; i++)
        st->sessions[i] = wire_get_u(r, 8);
    return 0;
}
