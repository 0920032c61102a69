/* cli/pipe.c - one run of the pipeline (see pipe.h) */
#include "pipe.h"
#include "../parsers/order.h"
#include "progress.h"
#include "../parsers/parser.h"
#include "../parsers/ts.h"
#include "../parsers/wrap.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <inttypes.h>
#include <string.h>

#define PIPE_SHOW_BAD 10        /* --verbose: first bad lines shown */

struct pipe_ctx {
    const struct pipe_opts *o;
    struct agg_tab *tab;
    struct pipe_stats *st;
    struct parser_set *parsers;
    struct ts_ctx ts;
    int     shown_bad;
    struct progress *progress;  /* NULL: no progress line */
    uint64_t ticks;
};

/* pipe_session - a finished session: count it, maybe print it */
static void
pipe_session(void *ctx, const struct sess_rec *r, enum sess_disp d)
{
    struct pipe_ctx *pc = ctx;

    pc->st->sessions[d]++;
    if (d == SESS_D_COUNTED && agg_tab_add_mt(pc->tab, r, 1) != 0)
        msg_panic("session with invalid fields reached the table");
    if (pc->o->sessions) {
        char    day[11] = "-";

        if (d != SESS_D_UNDATED && d != SESS_D_UNATTRIBUTED
            && d != SESS_D_BAD_DOMAIN)
            ts_day_str(r->day, day);
        fprintf(pc->o->sessions, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", day,
                r->domain[0] ? r->domain : "-",
                (r->flags & SESS_F_PLAINTEXT) ? "plaintext"
                : sess_result_name(r->result),
                r->mx[0] ? r->mx : "-", r->ip[0] ? r->ip : "-",
                r->reason[0] ? r->reason : "-", sess_disp_name(d));
    }
}

/* pipe_tls_host - the log host logs outbound TLS */
static void
pipe_tls_host(void *ctx, const char *loghost)
{
    struct pipe_ctx *pc = ctx;

    agg_tab_note_tls_host_mt(pc->tab, loghost);
}

/* pipe_hold, pipe_keep - the saved state's hooks (pipe_opts.state) */
static int
pipe_hold(void *ctx, int mta, const void *key, size_t klen, int dated,
          int64_t t, const struct wrap_rec *r)
{
    return agg_state_hold(((struct pipe_ctx *) ctx)->o->state, mta, key,
                          klen, dated, t, r);
}

static int
pipe_keep(void *ctx, int mta, const void *key, size_t klen)
{
    return agg_state_keep(((struct pipe_ctx *) ctx)->o->state, mta, key,
                          klen);
}

/* pipe_show_bad - --verbose: the first bad lines, with place */
static void
pipe_show_bad(struct pipe_ctx *pc, const struct input_src *src,
              uint64_t lineno, const char *why)
{
    if (pc->o->verbose && pc->shown_bad < PIPE_SHOW_BAD) {
        pc->shown_bad++;
        msg_warn("%s:%" PRIu64 ": %s (skipped)", src->name, lineno, why);
    }
}

/* pipe_rec - one record (envelope already off) through the parsers */
static void
pipe_rec(void *ctx, const struct input_src *src, uint64_t lineno,
         const struct wrap_rec *r)
{
    struct pipe_ctx *pc = ctx;
    struct trace tr;
    char    label[64];

    parser_feed(pc->parsers, r, &tr);
    if (tr.kind == TRACE_BAD) {
        pc->st->bad_parse++;
        pipe_show_bad(pc, src, lineno, tr.bad);
    }
    if (pc->o->trace) {
        trace_format(&tr, label, sizeof(label));
        fprintf(pc->o->trace, "%s:%" PRIu64 "\t%s\n", src->name, lineno,
                label);
    }
}

/* pipe_line - one text line: envelope off, then as a record */
static void
pipe_line(void *ctx, const struct input_src *src, uint64_t lineno,
          struct span line)
{
    struct pipe_ctx *pc = ctx;
    struct wrap_rec r;

    if (pc->progress && (++pc->ticks & 0xffff) == 0)
        progress_tick(pc->progress, src->bytes);
    wrap_parse(&pc->ts, line, &r);
    pipe_rec(ctx, src, lineno, &r);
}

/* pipe_skip - journalctl catalog text: no record, labelled irrelevant */
static void
pipe_skip(void *ctx, const struct input_src *src, uint64_t lineno)
{
    struct pipe_ctx *pc = ctx;

    if (pc->o->trace)
        fprintf(pc->o->trace, "%s:%" PRIu64 "\tirrelevant\n", src->name,
                lineno);
}

/* pipe_bad - a line the reader had to skip */
static void
pipe_bad(void *ctx, const struct input_src *src, uint64_t lineno,
         enum input_bad why)
{
    struct pipe_ctx *pc = ctx;

    pipe_show_bad(pc, src, lineno, input_bad_name(why));
    if (pc->o->trace)
        fprintf(pc->o->trace, "%s:%" PRIu64 "\tbad:%s\n", src->name, lineno,
                input_bad_name(why));
}

/* pipe_run - all sources, oldest first (parsers/order.h) */
int
pipe_run(const struct conf *c, const struct pipe_opts *o,
         struct agg_tab *tab, struct pipe_stats *st)
{
    static char dash[] = "-";
    char   *stdin_only[] = {dash, NULL};
    char  **given = (o->files && o->files[0]) ? o->files : stdin_only;
    char  **files;
    struct pipe_ctx pc;
    struct sess_conf pconf;
    struct sess_cb pcb;
    struct input_cb icb;
    struct input_src src;
    size_t  n;
    size_t  k;
    int     rc = 0;
    int     i;

    memset(&pc, 0, sizeof(pc));
    memset(st, 0, sizeof(*st));
    pc.o = o;
    pc.tab = tab;
    pc.st = st;
    memset(&pconf, 0, sizeof(pconf));
    pconf.mx_ports = c->mx_ports;
    pconf.nmx_ports = c->nmx_ports;
    pconf.is_relay = conf_is_relay;
    pconf.is_relay_ctx = c;
    pcb.session = pipe_session;
    pcb.tls_host = pipe_tls_host;
    pcb.ctx = &pc;
    pcb.hold = o->state ? pipe_hold : NULL;
    pcb.keep = o->state ? pipe_keep : NULL;
    if ((pc.parsers = parser_set_create(o->mta, &pconf, &pcb)) == NULL)
        msg_fatal("unknown MTA \"%s\": known are %s", o->mta,
                  parser_names());
    memset(&icb, 0, sizeof(icb));
    icb.line = pipe_line;
    icb.rec = pipe_rec;
    icb.bad = pipe_bad;
    icb.skip = pipe_skip;
    icb.ctx = &pc;

    /* rotated files in any order: oldest first, by content */
    for (n = 0; given[n]; n++)
        ;
    files = xcalloc(n + 1, sizeof(*files));
    memcpy(files, given, n * sizeof(*files));
    order_files(files, n, o->log_year);
    pc.progress = progress_start(files, n, o->quiet);

    for (k = 0; k < n; k++) {
        /* the year reference is per file: its own mtime */
        order_ts_init(&pc.ts, files[k], o->log_year);
        progress_file(pc.progress, k, files[k]);
        st->files++;
        memset(&src, 0, sizeof(src));
        if (input_read(files[k], &icb, &src) != 0) {
            st->files_failed++;
            rc = 1;
        }
        st->lines += src.lines;
        st->bytes += src.bytes;
        for (i = 0; i < INPUT_BAD_COUNT; i++)
            st->bad[i] += src.bad[i];
    }
    pc.progress = progress_end(pc.progress);
    xfree(files);
    parser_flush(pc.parsers);
    parser_set_free(pc.parsers);
    if (o->state)
        agg_state_end(o->state);
    return rc;
}

/* pipe_bad_lines - every line or record counted as bad, for summaries */
uint64_t
pipe_bad_lines(const struct pipe_stats *st)
{
    uint64_t bad = st->bad_parse;
    int     i;

    for (i = 0; i < INPUT_BAD_COUNT; i++)
        bad += st->bad[i];
    return bad;
}

/* pipe_summary - the run in one line on stderr */
void
pipe_summary(const struct pipe_stats *st, const char *tail)
{
    uint64_t bad = pipe_bad_lines(st);
    uint64_t sess = 0;
    uint64_t skipped;
    int     i;

    for (i = 0; i < SESS_D_COUNT; i++)
        sess += st->sessions[i];
    skipped = sess - st->sessions[SESS_D_COUNTED];
    msg_info("%" PRIu64 " lines read (%" PRIu64 " bad), %" PRIu64
             " sessions (%" PRIu64 " counted, %" PRIu64 " not: %" PRIu64
             " relay/port/lmtp, %" PRIu64 " unattributed, %" PRIu64
             " undated, %" PRIu64 " bad domain)%s%s",
             st->lines, bad, sess, st->sessions[SESS_D_COUNTED], skipped,
             st->sessions[SESS_D_PORT] + st->sessions[SESS_D_RELAYHOST]
             + st->sessions[SESS_D_LMTP] + st->sessions[SESS_D_LOCAL_NOTLS],
             st->sessions[SESS_D_UNATTRIBUTED], st->sessions[SESS_D_UNDATED],
             st->sessions[SESS_D_BAD_DOMAIN], tail ? ", " : "",
             tail ? tail : "");
}
