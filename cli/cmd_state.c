/* cli/cmd_state.c - aggregate, merge, and --from-state
 *
 * aggregate -o FILE LOG...   one pipeline run whose correlators keep
 *                            heads and tails (aggregate/agg_state.h),
 *                            saved atomically to FILE
 * merge -o FILE STATE...     saved states added into one (any order)
 * report/summary --from-state STATE...   state_open(): merge, then close
 *                            what is open as the end of one run would
 *
 * The parsers replay carried lines (parsers/carry.h) through fresh
 * correlators built from the same configuration as a plain run
 * (mx_ports, relay_hosts, --mta), so use the same configuration and
 * --log-tz to aggregate and to report.
 * A state file that is damaged, truncated or of another format version
 * is refused with its reason; nothing is written (exit status 3).
 */
#include "cli.h"
#include "conf.h"
#include "../engine/pipe.h"
#include "../aggregate/agg_state.h"
#include "../parsers/carry.h"
#include "../parsers/parser.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* state_replay - how carried lines are replayed: correlators of the
 * same configuration as a plain run, without mail_from (the queue ids
 * of our own report mail are not carried across pieces) */
static void
state_replay(const struct conf *c, const char *mta, struct sess_conf *pc,
             struct carry_replay *rp)
{
    conf_sess(c, pc);
    pc->own_from = NULL;
    rp->conf = pc;
    rp->mta = mta;
}

/* state_load_all - every named state, or exit 3 naming the bad one */
static struct agg_state **
state_load_all(const char *cmd, char **files, size_t *np)
{
    struct agg_state **v;
    char    err[AGG_STATE_ERR];
    size_t  n, i;

    for (n = 0; files[n]; n++)
        ;
    if (n == 0) {
        fprintf(stderr, "mailtlsrpt %s: no state files given\n", cmd);
        exit(EXIT_USAGE);
    }
    v = xcalloc(n, sizeof(*v));
    for (i = 0; i < n; i++) {
        if ((v[i] = agg_state_load(files[i], err)) == NULL) {
            fprintf(stderr, "mailtlsrpt %s: %s; nothing written\n", cmd,
                    err);
            exit(EXIT_FATALERR);
        }
    }
    *np = n;
    return v;
}

/* state_merge_all - load and merge the named states */
static struct agg_state *
state_merge_all(const char *cmd, const struct conf *c, const char *mta,
                char **files, int whole)
{
    struct sess_conf pc;
    struct carry_replay r;
    struct agg_state **v;
    struct agg_state *m;
    size_t  n, i;

    char    err[AGG_STATE_ERR];

    state_replay(c, mta, &pc, &r);
    v = state_load_all(cmd, files, &n);
    m = agg_state_merge(v, n, whole, &r, err);
    for (i = 0; i < n; i++)
        agg_state_free(v[i]);
    xfree(v);
    if (m == NULL) {            /* pieces whose order is not known */
        fprintf(stderr, "mailtlsrpt %s: %s; nothing written\n", cmd, err);
        exit(EXIT_FATALERR);
    }
    return m;
}

/* state_copy_rec - agg_tab_walk_st: into the caller's table */
static void
state_copy_rec(const struct sess_rec *r, uint64_t n, void *ctx)
{
    if (agg_tab_add_mt(ctx, r, n) != 0)
        msg_panic("state counter with invalid fields");
}

/* state_copy_tls - agg_tab_walk_tls_hosts_st: into the caller's table */
static void
state_copy_tls(const char *h, void *ctx)
{
    agg_tab_note_tls_host_mt(ctx, h);
}

/* state_open - --from-state: merged, finished, as a plain table */
void
state_open(const struct conf *c, const struct cli_opts *o,
           struct agg_tab **tab, struct run_stats *st)
{
    struct sess_conf pc;
    struct carry_replay r;
    struct agg_state *m = state_merge_all("--from-state", c, o->mta, o->files, 1);

    state_replay(c, o->mta, &pc, &r);
    agg_state_finish(m, &r);
    *tab = agg_tab_create();
    agg_tab_walk_st(agg_state_tab(m), state_copy_rec, *tab);
    agg_tab_walk_tls_hosts_st(agg_state_tab(m), state_copy_tls, *tab);
    *st = *agg_state_stats(m);
    agg_state_free(m);
}

/* state_finish - the end of all input for s (cli.h) */
void
state_finish(const struct conf *c, const char *mta, struct agg_state *s)
{
    struct sess_conf pc;
    struct carry_replay r;

    state_replay(c, mta, &pc, &r);
    agg_state_finish(s, &r);
}

/* state_need_output - -o is required */
static void
state_need_output(const char *cmd, const struct cli_opts *o)
{
    if (o->output == NULL || o->output[0] == 0) {
        fprintf(stderr, "mailtlsrpt %s: -o FILE is required\n", cmd);
        exit(EXIT_USAGE);
    }
}

/* cmd_aggregate - one piece of the logs into a saved state */
int
cmd_aggregate(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    struct pipe_opts po;
    struct agg_state *s;
    char    err[AGG_STATE_ERR];
    char    tail[400];
    size_t  keys, lines;
    int     rc;

    cli_parse(argc, argv, "aggregate", &o);
    state_need_output("aggregate", &o);
    cli_setup(&o, &c);
    s = agg_state_create();
    cli_pipe_opts(&o, &c, &po);
    po.state = s;
    if (o.piece >= 0)
        agg_state_set_piece(s, (uint32_t) o.piece);
    rc = pipe_run(&po, agg_state_tab(s), agg_state_stats(s));
    if (agg_state_save(s, o.output, err) != 0) {
        fprintf(stderr, "mailtlsrpt aggregate: %s\n", err);
        agg_state_free(s);
        conf_free(&c);
        return EXIT_FATALERR;
    }
    agg_state_kept(s, &keys, &lines);
    snprintf(tail, sizeof(tail), "state %.300s (%zu keys, %zu lines kept "
             "open)", o.output, keys, lines);
    pipe_summary(agg_state_stats(s), tail);
    agg_state_free(s);
    conf_free(&c);
    return rc ? EXIT_PARTIAL : EXIT_DONE;
}

/* cmd_merge - saved states into one */
int
cmd_merge(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    struct agg_state *m;
    char    err[AGG_STATE_ERR];
    size_t  keys, lines;

    cli_parse(argc, argv, "merge", &o);
    state_need_output("merge", &o);
    cli_setup(&o, &c);
    m = state_merge_all("merge", &c, o.mta, o.files, 0);
    if (agg_state_save(m, o.output, err) != 0) {
        fprintf(stderr, "mailtlsrpt merge: %s\n", err);
        agg_state_free(m);
        conf_free(&c);
        return EXIT_FATALERR;
    }
    agg_state_kept(m, &keys, &lines);
    msg_info("%" PRIu64 " lines in, %zu keys and %zu lines kept open, "
             "written to %s", agg_state_stats(m)->lines, keys, lines,
             o.output);
    agg_state_free(m);
    conf_free(&c);
    return EXIT_DONE;
}
