/* cli/cmd_state.c - aggregate, merge, and --from-state
 *
 * aggregate -o FILE LOG...   one pipeline run whose correlators keep
 *                            heads and tails (aggregate/agg_state.h),
 *                            saved atomically to FILE
 * merge -o FILE STATE...     saved states added into one (any order)
 * report/summary --from-state STATE...   state_open(): merge, then close
 *                            what is open as the end of one run would
 *
 * The replayer feeds kept lines through fresh correlators built from the
 * same configuration as a plain run (mx_ports, relay_hosts, --mta), so
 * use the same configuration and --log-tz to aggregate and to report.
 * A state file that is damaged, truncated or of another format version
 * is refused with its reason; nothing is written (exit status 3).
 */
#include "cli.h"
#include "conf.h"
#include "pipe.h"
#include "../aggregate/agg_state.h"
#include "../parsers/parser.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct replay {
    const struct conf *c;
    const char *mta;
};

struct replay_run {
    struct agg_state *into;
    int     counting;
};

/* replay_session - a session closed by replayed lines */
static void
replay_session(void *ctx, const struct sess_rec *r, enum sess_disp d)
{
    struct replay_run *rr = ctx;

    if (!rr->counting)
        return;                 /* rebuilding state: counted before */
    agg_state_stats(rr->into)->sessions[d]++;
    if (d == SESS_D_COUNTED
        && agg_tab_add_mt(agg_state_tab(rr->into), r, 1) != 0)
        msg_panic("session with invalid fields reached the table");
}

/* replay_tls_host - the log host logs outbound TLS */
static void
replay_tls_host(void *ctx, const char *loghost)
{
    struct replay_run *rr = ctx;

    agg_tab_note_tls_host_mt(agg_state_tab(rr->into), loghost);
}

/* replay_lines - feed lines; count bad ones when counting */
static void
replay_lines(struct parser_set *ps, struct replay_run *rr,
             const struct agg_state_line *const *v, size_t n)
{
    struct wrap_rec r;
    struct trace tr;
    size_t  i;

    for (i = 0; i < n; i++) {
        agg_state_line_rec(v[i], &r);
        parser_feed(ps, &r, &tr);
        if (rr->counting && tr.kind == TRACE_BAD)
            agg_state_stats(rr->into)->bad_parse++;
    }
}

/* replay_run - struct agg_state_replay.run: fresh correlators */
static void
replay_run(void *ctx, const struct agg_state_line *const *quiet,
           size_t nquiet, const struct agg_state_line *const *counted,
           size_t ncounted, int flush, struct agg_state *into)
{
    struct replay *rp = ctx;
    struct replay_run rr;
    struct sess_conf pconf;
    struct sess_cb pcb;
    struct parser_set *ps;

    memset(&pconf, 0, sizeof(pconf));
    pconf.mx_ports = rp->c->mx_ports;
    pconf.nmx_ports = rp->c->nmx_ports;
    pconf.is_relay = conf_is_relay;
    pconf.is_relay_ctx = rp->c;
    memset(&pcb, 0, sizeof(pcb));
    pcb.session = replay_session;
    pcb.tls_host = replay_tls_host;
    pcb.ctx = &rr;
    rr.into = into;
    if ((ps = parser_set_create(rp->mta, &pconf, &pcb)) == NULL)
        msg_fatal("unknown MTA \"%s\"", rp->mta);
    rr.counting = 0;
    replay_lines(ps, &rr, quiet, nquiet);
    rr.counting = 1;
    replay_lines(ps, &rr, counted, ncounted);
    if (flush)
        parser_flush(ps);
    parser_set_free(ps);
}

/* state_stats_in, state_stats_out - between pipeline and state stats */
static void
state_stats_in(struct agg_state_stats *a, const struct pipe_stats *p)
{
    memset(a, 0, sizeof(*a));
    a->files = p->files;
    a->files_failed = p->files_failed;
    a->lines = p->lines;
    a->bytes = p->bytes;
    memcpy(a->bad, p->bad, sizeof(a->bad));
    a->bad_parse = p->bad_parse;
    memcpy(a->sessions, p->sessions, sizeof(a->sessions));
}

static void
state_stats_out(struct pipe_stats *p, const struct agg_state_stats *a)
{
    memset(p, 0, sizeof(*p));
    p->files = a->files;
    p->files_failed = a->files_failed;
    p->lines = a->lines;
    p->bytes = a->bytes;
    memcpy(p->bad, a->bad, sizeof(p->bad));
    p->bad_parse = a->bad_parse;
    memcpy(p->sessions, a->sessions, sizeof(p->sessions));
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
    struct replay rp = {c, mta};
    struct agg_state_replay r = {replay_run, &rp};
    struct agg_state **v;
    struct agg_state *m;
    size_t  n, i;

    char    err[AGG_STATE_ERR];

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
           struct agg_tab **tab, struct pipe_stats *st)
{
    struct replay rp = {c, o->mta};
    struct agg_state_replay r = {replay_run, &rp};
    struct agg_state *m = state_merge_all("--from-state", c, o->mta, o->files, 1);

    agg_state_finish(m, &r);
    *tab = agg_tab_create();
    agg_tab_walk_st(agg_state_tab(m), state_copy_rec, *tab);
    agg_tab_walk_tls_hosts_st(agg_state_tab(m), state_copy_tls, *tab);
    state_stats_out(st, agg_state_stats(m));
    agg_state_free(m);
}

/* state_finish - the end of all input for s (cli.h) */
void
state_finish(const struct conf *c, const char *mta, struct agg_state *s)
{
    struct replay rp = {c, mta};
    struct agg_state_replay r = {replay_run, &rp};

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
    struct pipe_stats st;
    struct agg_state *s;
    char    err[AGG_STATE_ERR];
    char    tail[400];
    size_t  keys, lines;
    int     rc;

    cli_parse(argc, argv, "aggregate", &o);
    state_need_output("aggregate", &o);
    cli_setup(&o, &c);
    s = agg_state_create();
    memset(&po, 0, sizeof(po));
    po.files = o.files;
    po.log_year = o.log_year;
    po.verbose = o.verbose;
    po.mta = o.mta;
    po.quiet = o.quiet;
    po.jobs = o.jobs;
    po.state = s;
    if (o.piece >= 0)
        agg_state_set_piece(s, (uint32_t) o.piece);
    rc = pipe_run(&c, &po, agg_state_tab(s), &st);
    state_stats_in(agg_state_stats(s), &st);
    if (agg_state_save(s, o.output, err) != 0) {
        fprintf(stderr, "mailtlsrpt aggregate: %s\n", err);
        agg_state_free(s);
        conf_free(&c);
        return EXIT_FATALERR;
    }
    agg_state_kept(s, &keys, &lines);
    snprintf(tail, sizeof(tail), "state %.300s (%zu keys, %zu lines kept "
             "open)", o.output, keys, lines);
    pipe_summary(&st, tail);
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
