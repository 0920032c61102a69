/* global/run.c - what one run read, counted and guessed (see run.h) */
#include "run.h"

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
