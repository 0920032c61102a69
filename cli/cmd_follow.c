/* cli/cmd_follow.c - mailtlsrpt follow: the log, live
 *
 * One thread reads the inputs (util/tail.h for files, journalctl -f for
 * the journal), takes each line through the envelope and the parsers as
 * a batch run does (the same stateless filter and repeated-record rule
 * as engine/pipe.c), and counts finished sessions into one saved state
 * that never ends (aggregate/agg_state.h, as a piece that starts its
 * log: no heads). The correlators tell the state which keys they hold
 * open (parser_keep_open: without a flush), so a snapshot taken between
 * two lines holds the counters and exactly the lines that rebuild the
 * open sessions. A checkpoint (cli/ckpt.h) saves that snapshot with the
 * input position in one atomic file; a restart loads it, adds its
 * counters, replays the kept lines quietly through fresh correlators
 * and reads on from the position: every session counted once.
 *
 * Days: each UTC day with lines is open until the log's time passes its
 * end plus --grace (or the clock does, once every line written has been
 * read). At every checkpoint each open day's counters are written to
 * STATE_DIR/follow/YYYY-MM-DD.state (the newest with the open sessions,
 * so that summary --from-state counts what a batch run over the log so
 * far would). Closing a day finishes its state as the end of a log
 * would (state_finish), keeps that day's counters only, and, when the
 * follower saw the day whole, writes YYYY-MM-DD.done beside it: run
 * uses such a day's state instead of the logs (follow_day_state).
 * Metrics go to cli/prom.h (rendered by cli/fmet.h), finished sessions
 * to --events. Design and formats: docs/follow.md.
 */
#include "cli.h"
#include "ckpt.h"
#include "conf.h"
#include "fmet.h"
#include "../engine/pipe.h"
#include "prom.h"
#include "../aggregate/agg_state.h"
#include "../parsers/carry.h"
#include "../parsers/input.h"
#include "../parsers/jrnl.h"
#include "../parsers/order.h"
#include "../parsers/parser.h"
#include "../parsers/ts.h"
#include "../parsers/wrap.h"
#include "../util/afile.h"
#include "../util/date.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"
#include "../util/tail.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FOL_READ (1024 * 1024)  /* bytes per input between checks */
#define FOL_JBUF (JRNL_MAX_MSG * 2 + 8192)     /* a journal JSON line */
#define FOL_RENDER 1.0          /* seconds between metric renders */

struct fol {
    const struct cli_opts *o;
    const struct conf *c;
    char    dir[PATH_MAX];      /* STATE_DIR/follow */
    struct parser_set *ps;
    struct agg_state *live;
    struct ckpt *ck;            /* positions, days, dup: kept current */
    struct ts_ctx ts;
    struct jrnl *j;
    struct tail *t[CKPT_MAX_INPUTS];
    size_t  nt;
    char    tname[CKPT_MAX_INPUTS][CKPT_NAME_MAX + 1];  /* file being read */
    uint64_t tino[CKPT_MAX_INPUTS];     /* its inode */
    size_t  cur;                /* input of the line being read */
    /* journal */
    pid_t   jpid;
    int     jfd;
    char   *jbuf;
    size_t  jlen;
    int     jskip;              /* inside an overlong line */
    /* state of the run */
    int     replaying;          /* rebuilding: nothing is counted */
    int     dirty;              /* lines since the last checkpoint */
    int32_t closed_max;         /* newest day forgotten, or -1 */
    double  last_line;          /* clock of the last line read */
    uint64_t duplicates, late, lost;
    double  started, last_ckpt, caught_up, last_render;
    size_t  kept_keys, kept_lines;
    FILE   *events;
    struct prom *prom;
    struct fmet *met;
};

/* fol_now - the clock, in seconds */
static double
fol_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* fol_day - the statistics of UTC day d, made when new (days sorted);
 * NULL when no room is left */
static struct ckpt_day *
fol_day(struct fol *f, int32_t d)
{
    struct ckpt *k = f->ck;
    size_t  i;

    for (i = 0; i < k->ndays && k->days[i].day < d; i++)
        ;
    if (i < k->ndays && k->days[i].day == d)
        return &k->days[i];
    if (k->ndays == CKPT_MAX_DAYS || d <= f->closed_max)
        return NULL;
    memmove(&k->days[i + 1], &k->days[i], (k->ndays - i) * sizeof(*k->days));
    memset(&k->days[i], 0, sizeof(*k->days));
    k->days[i].day = d;
    k->ndays++;
    return &k->days[i];
}

/* fol_stats - the statistics a line or session of time t (dated) goes
 * to: its day's, else the newest day's; NULL before any day */
static struct run_stats *
fol_stats(struct fol *f, int dated, int64_t t)
{
    struct ckpt_day *d = NULL;

    if (dated && t >= 0)
        d = fol_day(f, (int32_t) (t / 86400));
    if (d == NULL && f->ck->ndays > 0)
        d = &f->ck->days[f->ck->ndays - 1];
    return d ? &d->st : NULL;
}

/* fol_session - sess_cb.session: count, show */
static void
fol_session(void *ctx, const struct sess_rec *r, enum sess_disp d)
{
    struct fol *f = ctx;
    struct run_stats *st;
    int     dated = d != SESS_D_UNDATED && d != SESS_D_UNATTRIBUTED
        && d != SESS_D_BAD_DOMAIN;

    if (f->replaying)
        return;                 /* counted before the checkpoint */
    agg_state_stats(f->live)->sessions[d]++;
    if ((st = fol_stats(f, dated, dated ? r->time : 0)) != NULL)
        st->sessions[d]++;
    if (d == SESS_D_COUNTED) {
        struct ckpt_day *cd;

        if (r->day <= f->closed_max) {
            f->late++;          /* its day is forgotten */
        } else {
            if (agg_tab_add_trusted_mt(agg_state_tab(f->live), r, 1) != 0)
                msg_panic("session with invalid fields reached the table");
            if ((cd = fol_day(f, r->day)) != NULL && cd->closed)
                cd->again = 1;  /* its final state is written again */
        }
    }
    if (f->events)
        pipe_session_json(f->events, r, d);
}

/* fol_tls_host - sess_cb.tls_host */
static void
fol_tls_host(void *ctx, const char *loghost, size_t len)
{
    struct fol *f = ctx;

    (void) len;
    agg_tab_note_tls_host_mt(agg_state_tab(f->live), loghost);
}

/* fol_hold, fol_keep - the state's hooks */
static int
fol_hold(void *ctx, int mta, const void *key, size_t klen, int dated,
         int64_t t, const struct wrap_rec *r)
{
    struct fol *f = ctx;

    return carry_hold(agg_state_carry(f->live), mta, key, klen, dated, t, r);
}

static int
fol_keep(void *ctx, int mta, const void *key, size_t klen)
{
    struct fol *f = ctx;

    return carry_keep(agg_state_carry(f->live), mta, key, klen);
}

/* fol_dup - 1 when r repeats the record before it that reached the
 * parsers, in the same file (engine/pipe.c's rule: a log written twice) */
static int
fol_dup(struct fol *f, const struct wrap_rec *r)
{
    struct ckpt_dup *d = &f->ck->dup;
    uint64_t h = wrap_rec_hash(r);

    if (d->have && d->t == r->t && d->dated == r->dated
        && d->len[0] == r->host.len && d->len[1] == r->ident.len
        && d->len[2] == r->pid.len && d->len[3] == r->msg.len
        && d->hash == h)
        return 1;
    d->have = 1;
    d->t = r->t;
    d->dated = r->dated;
    d->len[0] = (uint32_t) r->host.len;
    d->len[1] = (uint32_t) r->ident.len;
    d->len[2] = (uint32_t) r->pid.len;
    d->len[3] = (uint32_t) r->msg.len;
    d->hash = h;
    return 0;
}

/* fol_rec - one record (envelope off) through the parsers */
static void
fol_rec(struct fol *f, const struct wrap_rec *r, size_t bytes)
{
    struct run_stats *st;
    struct parser_pre pre;
    union parser_pre_mta room;
    struct trace tr;

    pre.u = &room;
    f->dirty = 1;
    f->last_line = fol_now();
    if (r->dated && r->t > f->ck->newest)
        f->ck->newest = r->t;
    if (r->dated && f->ck->since == 0)
        f->ck->since = r->t;    /* nothing before it is known */
    st = fol_stats(f, r->dated, r->t);
    agg_state_stats(f->live)->lines++;
    agg_state_stats(f->live)->bytes += bytes;
    if (st) {
        st->lines++;
        st->bytes += bytes;
    }
    parser_pre_mt(f->ps, r, &pre);
    if (parser_pre_silent(&pre))
        return;                 /* changes no state */
    if (r->msg.len > 0 && fol_dup(f, r)) {
        f->duplicates++;
        if (st)
            st->duplicates++;   /* the day state says so, as aggregate's */
        return;
    }
    parser_feed_pre(f->ps, r, &pre, &tr);
    if (tr.kind == TRACE_BAD) {
        agg_state_stats(f->live)->bad_parse++;
        if (st)
            st->bad_parse++;
        if (f->o->verbose)
            msg_warn("%s: %s (skipped)", f->tname[f->cur], tr.bad);
    }
}

/* fol_bad - a line that cannot be taken */
static void
fol_bad(struct fol *f, enum input_bad why, size_t bytes)
{
    struct run_stats *st = fol_stats(f, 0, 0);

    f->dirty = 1;
    agg_state_stats(f->live)->lines++;
    agg_state_stats(f->live)->bytes += bytes;
    agg_state_stats(f->live)->bad[why]++;
    if (st) {
        st->lines++;
        st->bytes += bytes;
        st->bad[why]++;
    }
    if (f->o->verbose)
        msg_warn("%s: %s (skipped)", f->tname[f->cur], input_bad_name(why));
}

/* fol_text - one text line: a journal JSON object or a syslog line */
static void
fol_text(struct fol *f, const char *p, size_t len)
{
    struct span line = span_make(p, len);
    struct wrap_rec r;
    const char *why;

    if (memchr(p, 0, len) != NULL) {
        fol_bad(f, INPUT_BAD_NUL, len + 1);
        return;
    }
    if (jrnl_is_json(line)) {
        if (f->j == NULL)
            f->j = jrnl_create();
        if (jrnl_json(f->j, line, &r, &why) != 0) {
            fol_bad(f, INPUT_BAD_RECORD, len + 1);
            return;
        }
    } else {
        wrap_parse(&f->ts, line, &r);
    }
    fol_rec(f, &r, len + 1);
}

/* fol_line, fol_long, fol_lost - the tail callbacks */
static void
fol_line(void *ctx, const char *p, size_t len)
{
    fol_text(ctx, p, len);
}

static void
fol_long(void *ctx)
{
    fol_bad(ctx, INPUT_BAD_LONG, TAIL_MAX_LINE);
}

/* fol_lost - lines may be missing: no day before now is whole */
static void
fol_lost(void *ctx, const char *why)
{
    struct fol *f = ctx;

    msg_warn("%s", why);
    f->lost++;
    f->dirty = 1;
    if (f->ck->newest > f->ck->since)
        f->ck->since = f->ck->newest;
    else if (f->ck->since == 0)
        f->ck->since = (int64_t) fol_now();
}

/* fol_moved - tail_cb.moved: reading goes on in file ino. Another
 * file: the repeated-record rule starts afresh, as a batch run's does
 * for each file (not when the same file is found again under another
 * name, nor after a restart in the file of the checkpoint). With -v,
 * say where */
static void
fol_moved(void *ctx, const char *name, uint64_t ino, uint64_t off,
          int catchup)
{
    struct fol *f = ctx;

    if (ino != f->tino[f->cur]) {
        f->tino[f->cur] = ino;
        f->ck->dup.have = 0;
    }
    if (f->o->verbose)
        msg_info("reading %s (inode %llu) from byte %llu%s", name,
                 (unsigned long long) ino, (unsigned long long) off,
                 catchup ? ", a rotated file to finish" : "");
}

/* fol_cursor - the __CURSOR of a journal JSON line into out; 0 or -1
 * (journalctl writes "__CURSOR" : "s=...;i=...;b=...;m=...;t=...;x=...") */
static int
fol_cursor(const char *p, size_t len, char *out)
{
    static const char key[] = "\"__CURSOR\"";
    const char *e = p + len;
    const char *k = memmem(p, len, key, sizeof(key) - 1);
    size_t  n = 0;

    if (k == NULL)
        return -1;
    for (k += sizeof(key) - 1; k < e && (*k == ' ' || *k == '\t'); k++)
        ;
    if (k == e || *k++ != ':')
        return -1;
    for (; k < e && (*k == ' ' || *k == '\t'); k++)
        ;
    if (k == e || *k++ != '"')
        return -1;
    for (; k < e && *k != '"'; k++) {
        unsigned char c = (unsigned char) *k;

        if (n == CKPT_CURSOR_MAX || !(c == '=' || c == ';' || c == '-'
                                      || c == '_' || (c >= '0' && c <= '9')
                                      || (c >= 'a' && c <= 'z')
                                      || (c >= 'A' && c <= 'Z')))
            return -1;
        out[n++] = (char) c;
    }
    if (k == e || n == 0)
        return -1;
    out[n] = 0;
    return 0;
}

/* fol_jline - one line of journalctl -o json */
static void
fol_jline(struct fol *f, const char *p, size_t len)
{
    char    cur[CKPT_CURSOR_MAX + 1];

    fol_text(f, p, len);
    if (fol_cursor(p, len, cur) == 0)
        memcpy(f->ck->in[0].cursor, cur, strlen(cur) + 1);
}

/* fol_journal_start - journalctl -f -o json, after the cursor saved or
 * from an hour before the UTC day began; its output on f->jfd */
static int
fol_journal_start(struct fol *f, char **matches)
{
    const char *prog = getenv("MAILTLSRPT_JOURNALCTL");
    char   *argv[CKPT_MAX_INPUTS + 16];
    char    from[CKPT_CURSOR_MAX + 32];
    char    fac[] = "SYSLOG_FACILITY=2";
    char    a_f[] = "--follow", a_o[] = "--output=json";
    char    a_p[] = "--no-pager", a_a[] = "--all";
    char    name[PATH_MAX];
    sigset_t stop, old;
    int     fd[2];
    size_t  n = 0, i;

    snprintf(name, sizeof(name), "%s", prog && *prog ? prog : "journalctl");
    prog = name;
    argv[n++] = name;
    argv[n++] = a_f;
    argv[n++] = a_o;
    argv[n++] = a_p;
    argv[n++] = a_a;
    if (f->ck->in[0].cursor[0])
        snprintf(from, sizeof(from), "--after-cursor=%s", f->ck->in[0].cursor);
    else
        snprintf(from, sizeof(from), "--since=@%lld",
                 (long long) ((time(NULL) / 86400) * 86400 - SESS_IDLE_SECS));
    argv[n++] = from;
    for (i = 0; matches && matches[i] && n < CKPT_MAX_INPUTS + 14; i++)
        argv[n++] = matches[i];
    if (i == 0)
        argv[n++] = fac;
    argv[n] = NULL;
    if (pipe2(fd, O_CLOEXEC) != 0)
        return -1;
    /* SIGTERM and SIGINT blocked until the child has dropped our
     * handler: a SIGTERM sent to it before it runs journalctl ends it */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, &old);
    if ((f->jpid = fork()) < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return -1;
    }
    if (f->jpid == 0) {
        sigset_t none;

        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        dup2(fd[1], 1);
        execvp(prog, argv);
        fprintf(stderr, "mailtlsrpt follow: cannot run %s: %s\n", prog,
                strerror(errno));
        _exit(127);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(fd[1]);
    f->jfd = fd[0];
    fcntl(f->jfd, F_SETFL, fcntl(f->jfd, F_GETFL) | O_NONBLOCK);
    f->jbuf = xmalloc(FOL_JBUF);
    return 0;
}

/* fol_journal_stop - journalctl ends: SIGTERM, and SIGKILL when it is
 * still there 2 seconds later (a stopped follower never hangs on it) */
static void
fol_journal_stop(pid_t pid)
{
    struct timespec tick = {0, 20 * 1000 * 1000};
    int     i;

    kill(pid, SIGTERM);
    for (i = 0; i < 100; i++) {
        if (waitpid(pid, NULL, WNOHANG) != 0)
            return;
        nanosleep(&tick, NULL);
    }
    msg_warn("journalctl (pid %ld) did not end on SIGTERM: killed",
             (long) pid);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* fol_journal_read - what journalctl wrote; bytes, or -1 when it ended */
static ssize_t
fol_journal_read(struct fol *f)
{
    ssize_t n = read(f->jfd, f->jbuf + f->jlen, FOL_JBUF - f->jlen);
    size_t  ls = 0, i;

    if (n == 0)
        return -1;
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    f->jlen += (size_t) n;
    for (i = 0; i < f->jlen; i++) {
        if (f->jbuf[i] != '\n')
            continue;
        if (f->jskip)
            fol_bad(f, INPUT_BAD_RECORD, i - ls + 1);
        else
            fol_jline(f, f->jbuf + ls, i - ls);
        f->jskip = 0;
        ls = i + 1;
    }
    if (ls == 0 && f->jlen == FOL_JBUF) {
        f->jskip = 1;           /* a record too big: skipped whole */
        f->jlen = 0;
        return n;
    }
    memmove(f->jbuf, f->jbuf + ls, f->jlen - ls);
    f->jlen -= ls;
    return n;
}

/* fol_day_path - STATE_DIR/follow/YYYY-MM-DD.ext */
static void
fol_day_path(const char *dir, int32_t day, const char *ext, char *out,
             size_t cap)
{
    char    d[11];

    date_day_str(day, d);
    snprintf(out, cap, "%s/%s.%s", dir, d, ext);
}

/* fol_save_view - s as the state of one day, with its statistics */
static void
fol_save_view(struct fol *f, struct agg_state *s, const struct ckpt_day *d)
{
    char    path[PATH_MAX + 32];
    char    err[AGG_STATE_ERR];

    *agg_state_stats(s) = d->st;
    fol_day_path(f->dir, d->day, "state", path, sizeof(path));
    if (agg_state_save(s, path, err) != 0)
        msg_warn("%s", err);
}

static void fol_final(struct fol *, struct ckpt_day *, int);

/* fol_checkpoint - the checkpoint, then each day's state (with final:
 * every closed day's again, as the end of the input) */
static int
fol_checkpoint(struct fol *f, int final)
{
    struct agg_state *snap, *v;
    char    err[AGG_STATE_ERR];
    size_t  i;
    long    newest;
    int     rc;

    f->ck->nclocks = parser_clocks(f->ps, f->ck->feeds, f->ck->max_t);
    parser_keep_open(f->ps);
    snap = agg_state_snapshot(f->live, -1, 1);
    for (i = 0; i < f->nt; i++)
        tail_pos(f->t[i], &f->ck->in[i].pos);
    f->ck->closed = f->closed_max;
    f->ck->state = snap;
    rc = ckpt_save(f->dir, f->ck, err);
    f->ck->state = NULL;
    if (rc != 0) {
        msg_warn("%s", err);
        agg_state_free(snap);
        return -1;
    }
    f->dirty = 0;
    f->last_ckpt = fol_now();
    agg_state_kept(snap, &f->kept_keys, &f->kept_lines);
    newest = -1;
    for (i = 0; i < f->ck->ndays; i++)
        if (!f->ck->days[i].closed)
            newest = (long) i;
    for (i = 0; i < f->ck->ndays; i++) {
        struct ckpt_day *d = &f->ck->days[i];

        if (d->closed) {
            if (d->again || final)
                fol_final(f, d, 0);
        } else if ((long) i != newest) {
            v = agg_state_snapshot(f->live, d->day, 0);
            fol_save_view(f, v, d);
            agg_state_free(v);
        } else {
            /* the newest open day: with the open sessions, which
             * summary --from-state closes as the end of a log would */
            agg_state_days(snap, d->day, d->day);
            fol_save_view(f, snap, d);
        }
    }
    agg_state_free(snap);
    return 0;
}

/* fol_final - the final state of day d (closed): what is counted, and
 * what is open now closed as the end of a log would close it; with
 * say, its .done when the follower saw the day whole */
static void
fol_final(struct fol *f, struct ckpt_day *d, int say)
{
    struct agg_state *v;
    char    path[PATH_MAX + 32];
    char    text[512];
    char    day[11];
    char    since[32];
    int     whole = f->ck->since > 0
        && f->ck->since <= (int64_t) d->day * 86400 - SESS_IDLE_SECS;
    int     dfd;

    parser_keep_open(f->ps);
    v = agg_state_snapshot(f->live, -1, 1);
    state_finish(f->c, f->o->mta, v);   /* the end of a log, there */
    agg_state_days(v, d->day, d->day);
    fol_save_view(f, v, d);
    agg_state_free(v);
    d->again = 0;
    date_day_str(d->day, day);
    fol_day_path(f->dir, d->day, "done", path, sizeof(path));
    if (!whole) {
        (void) unlink(path);
        date_day_str((int32_t) (f->ck->since / 86400), since);
        if (say)
            msg_warn("day %s closed, but the input read does not cover all "
                     "of it (it begins on %s, or lines were lost): run reads "
                     "the logs for that day", day, since);
        return;
    }
    snprintf(text, sizeof(text), "day %s closed at %lld: %" PRIu64
             " lines, %" PRIu64 " sessions counted\n", day,
             (long long) d->closed_at, d->st.lines,
             d->st.sessions[SESS_D_COUNTED]);
    if ((dfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
        || afile_replace(dfd, strrchr(path, '/') + 1, text, strlen(text),
                         0640) != 0)
        msg_warn("%s: cannot write: %s", path, strerror(errno));
    if (dfd >= 0)
        close(dfd);
    if (say && !f->o->quiet)
        msg_info("day %s closed: %" PRIu64 " sessions counted; run makes "
                 "its reports from %s/%s.state", day,
                 d->st.sessions[SESS_D_COUNTED], f->dir, day);
}

/* fol_forget - closed days kept a day after closing are forgotten */
static void
fol_forget(struct fol *f)
{
    struct ckpt *k = f->ck;
    int64_t now = (int64_t) fol_now();
    int     any = 0;

    while (k->ndays > 0 && k->days[0].closed
           && k->days[0].closed_at + 86400 < now) {
        if (k->days[0].again)
            fol_final(f, &k->days[0], 0);
        if (k->days[0].day > f->closed_max)
            f->closed_max = k->days[0].day;
        memmove(&k->days[0], &k->days[1], (k->ndays - 1) * sizeof(*k->days));
        k->ndays--;
        any = 1;
    }
    if (any) {
        agg_state_days(f->live, f->closed_max + 1, INT32_MAX);
        f->dirty = 1;
    }
}

/* fol_close_due - close every day that is over */
static void
fol_close_due(struct fol *f, int64_t grace, int idle)
{
    double  now = fol_now();
    size_t  i;

    for (i = 0; i < f->ck->ndays; i++) {
        struct ckpt_day *d = &f->ck->days[i];
        int64_t end = ((int64_t) d->day + 1) * 86400 + grace;

        if (d->closed)
            continue;
        if (!(f->ck->newest >= end || (idle && now >= (double) end)))
            break;
        d->closed = 1;
        d->closed_at = (int64_t) now;
        fol_final(f, d, 1);
        f->dirty = 1;
    }
    fol_forget(f);
}

/* fol_render - the metrics now */
static void
fol_render(struct fol *f, uint64_t behind, int write_file)
{
    struct fmet_in in;
    char   *text;
    size_t  len, i;
    double  now = fol_now();

    if (f->prom == NULL)
        return;
    memset(&in, 0, sizeof(in));
    in.tab = agg_state_tab(f->live);
    in.day = f->ck->ndays ? f->ck->days[f->ck->ndays - 1].day
        : (int32_t) (now / 86400);
    for (i = 0; i < f->ck->ndays; i++)
        if (!f->ck->days[i].closed)
            in.open_days++;
    in.plain = f->c->plaintext;
    in.st = agg_state_stats(f->live);
    in.duplicates = f->duplicates;
    in.late = f->late;
    in.lost = f->lost;
    in.lag = behind > 0 ? now - f->caught_up : 0;
    in.behind = behind;
    in.newest = f->ck->newest;
    in.checkpoint = f->last_ckpt;
    in.started = f->started;
    in.kept_keys = f->kept_keys;
    in.kept_lines = f->kept_lines;
    text = fmet_render(f->met, &in, &len);
    (void) prom_publish(f->prom, text, len, write_file);
    free(text);
    f->last_render = now;
}

/* fol_restore - go on from the checkpoint, if there is one: 1, or 0 */
static int
fol_restore(struct fol *f)
{
    const struct carry_line **v;
    struct wrap_rec r;
    struct trace tr;
    char    err[AGG_STATE_ERR];
    unsigned long tf[PARSER_MAX_CLOCKS];
    int64_t tm[PARSER_MAX_CLOCKS];
    size_t  n, i;
    int     rc = ckpt_load(f->dir, f->ck, err);

    if (rc < 0) {
        fprintf(stderr, "mailtlsrpt follow: %s; nothing read (move it away "
                "to start afresh: the counts of the days still open in it "
                "are then lost)\n", err);
        exit(EXIT_FATALERR);
    }
    if (rc == 0) {
        f->ck->closed = -1;
        return 0;
    }
    f->closed_max = f->ck->closed;
    agg_state_add_counts(f->live, f->ck->state);
    n = carry_tail_lines(agg_state_carry(f->ck->state), &v);
    /* the kept lines rebuild what was open, without sweeps (they were
     * swept in the first run); then the sweeps go on where they were */
    parser_set_clocks(f->ps, NULL, NULL, 0);
    f->replaying = 1;
    for (i = 0; i < n; i++) {
        carry_line_rec(v[i], &r);
        parser_feed(f->ps, &r, &tr);
    }
    f->replaying = 0;
    if (f->ck->nclocks != parser_clocks(f->ps, tf, tm)) {
        msg_warn("the checkpoint was made with other parsers (--mta)");
        parser_set_clocks(f->ps, tf, tm, 1);
    } else {
        parser_set_clocks(f->ps, f->ck->feeds, f->ck->max_t, 1);
    }
    xfree(v);
    ckpt_clear(f->ck);
    if (f->o->verbose)
        msg_info("resumed from %s/%s: %zu lines of open sessions replayed",
                 f->dir, CKPT_FILE, n);
    return 1;
}

/* fol_inputs - the inputs now, at their saved positions */
static void
fol_inputs(struct fol *f, char **logs, int resumed)
{
    struct ckpt_input saved[CKPT_MAX_INPUTS];
    size_t  nsaved = resumed ? f->ck->nin : 0;
    struct tail_cb cb = {fol_line, fol_long, fol_lost, fol_moved, f};
    size_t  i, j;

    memcpy(saved, f->ck->in, nsaved * sizeof(*saved));
    memset(f->ck->in, 0, sizeof(f->ck->in));
    f->ck->nin = 0;
    if (f->o->journal) {
        f->ck->nin = 1;
        snprintf(f->ck->in[0].name, sizeof(f->ck->in[0].name), "journal");
        f->ck->in[0].journal = 1;
        for (j = 0; j < nsaved; j++)
            if (saved[j].journal)
                memcpy(f->ck->in[0].cursor, saved[j].cursor,
                       sizeof(saved[j].cursor));
        return;
    }
    for (i = 0; logs[i]; i++) {
        const struct tail_pos *pos = NULL;
        struct ckpt_input *in = &f->ck->in[i];

        if (i == CKPT_MAX_INPUTS)
            msg_fatal("at most %d logs can be followed", CKPT_MAX_INPUTS);
        if (strlen(logs[i]) > CKPT_NAME_MAX)
            msg_fatal("%.100s...: name too long", logs[i]);
        snprintf(in->name, sizeof(in->name), "%s", logs[i]);
        for (j = 0; j < nsaved; j++)
            if (!saved[j].journal && strcmp(saved[j].name, logs[i]) == 0)
                pos = &saved[j].pos;
        f->cur = i;
        snprintf(f->tname[i], sizeof(f->tname[i]), "%s", logs[i]);
        f->tino[i] = pos ? pos->ino : 0;       /* the saved record's */
        if ((f->t[i] = tail_open(logs[i], pos, &cb)) == NULL)
            exit(EXIT_FATALERR);
        snprintf(f->tname[i], sizeof(f->tname[i]), "%s",
                 tail_name(f->t[i]));
        f->nt = f->ck->nin = i + 1;
    }
}

/* fol_lock - one follower per state directory */
static int
fol_lock(const struct fol *f)
{
    char    path[PATH_MAX + 8];
    int     fd;

    snprintf(path, sizeof(path), "%s/lock", f->dir);
    if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0)
        msg_fatal("%s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "mailtlsrpt follow: another mailtlsrpt follow "
                "uses %s\n", f->dir);
        exit(EXIT_FATALERR);
    }
    return fd;
}

/* fol_events - --events FILE (appended) or - */
static FILE *
fol_events(const struct cli_opts *o)
{
    struct stat es, ls;
    size_t  i;
    int     fd;
    FILE   *fp;

    if (o->events == NULL)
        return NULL;
    if (strcmp(o->events, "-") == 0)
        fp = stdout;
    else if ((fd = open(o->events, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC
                        | O_NOCTTY, 0640)) < 0 || (fp = fdopen(fd, "a"))
             == NULL) {
        fprintf(stderr, "mailtlsrpt follow: --events %s: %s\n", o->events,
                strerror(errno));
        exit(EXIT_FATALERR);
    }
    if (fp != stdout && fstat(fileno(fp), &es) == 0)
        for (i = 0; o->files && o->files[i]; i++)
            if (!o->journal && stat(o->files[i], &ls) == 0
                && es.st_dev == ls.st_dev && es.st_ino == ls.st_ino) {
                fprintf(stderr, "mailtlsrpt follow: --events %s is a log "
                        "given as input; nothing read\n", o->events);
                exit(EXIT_USAGE);
            }
    setvbuf(fp, NULL, _IOLBF, 0);
    return fp;
}

/* fol_read_all - every input once: a tail's lines up to FOL_READ bytes;
 * 1 when some input may have more now */
static int
fol_read_all(struct fol *f, int *journal_quiet, int *ended)
{
    size_t  i;
    int     more = 0;
    ssize_t n;

    for (i = 0; i < f->nt; i++) {
        tail_events(f->t[i]);
        f->cur = i;
        /* the year reference of syslog stamps as a batch run takes it
         * for that file (parsers/order.h) */
        (void) order_ts_init(&f->ts, tail_name(f->t[i]),
                             (int) f->o->log_year);
        if (tail_read(f->t[i], FOL_READ) >= FOL_READ)
            more = 1;
        snprintf(f->tname[i], sizeof(f->tname[i]), "%s",
                 tail_name(f->t[i]));
    }
    *journal_quiet = 1;
    if (f->jfd >= 0) {
        f->cur = 0;
        (void) order_ts_init(&f->ts, "-", (int) f->o->log_year);
        if ((n = fol_journal_read(f)) < 0)
            *ended = 1;
        else if (n > 0)
            more = 1, *journal_quiet = 0;
    }
    return more;
}

/* fol_behind - bytes written and not read */
static uint64_t
fol_behind(const struct fol *f)
{
    uint64_t b = 0;
    size_t  i;

    for (i = 0; i < f->nt; i++)
        b += tail_behind(f->t[i]);
    return b;
}

/* SIGTERM and SIGINT: a flag and a byte down a pipe that the loop polls
 * (whichever thread the signal lands on) */
static volatile sig_atomic_t fol_signalled;
static int fol_sigpipe = -1;

/* fol_signal - the handler: async-signal-safe */
static void
fol_signal(int sig)
{
    int     e = errno;

    (void) sig;
    fol_signalled = 1;
    /* A full pipe already holds a wake-up: a short write loses nothing. */
    if (fol_sigpipe >= 0 && write(fol_sigpipe, "", 1) < 0)
        fol_signalled = 1;
    errno = e;
}

/* fol_loop - wait, read, count, save, until SIGTERM; EXIT_* */
static int
fol_loop(struct fol *f, int sfd)
{
    long    every = f->o->checkpoint_every > 0 ? f->o->checkpoint_every : 5;
    int64_t grace = f->o->grace >= 0 ? f->o->grace : 900;
    struct pollfd pfd[CKPT_MAX_INPUTS + 2];
    double  last_file = 0;
    int     more = 1, stop = 0, ended = 0, quiet = 1, rc = EXIT_DONE;

    for (;;) {
        double  now = fol_now(), next;
        uint64_t behind;
        size_t  n = 0, i;
        int     ms;

        pfd[n].fd = sfd;
        pfd[n++].events = POLLIN;
        for (i = 0; i < f->nt; i++) {
            pfd[n].fd = tail_fd(f->t[i]);
            pfd[n++].events = POLLIN;
        }
        if (f->jfd >= 0) {
            pfd[n].fd = f->jfd;
            pfd[n++].events = POLLIN;
        }
        next = now + 10;        /* days close by the clock too */
        if (f->dirty && f->last_ckpt + (double) every < next)
            next = f->last_ckpt + (double) every;
        if (f->prom && f->last_render + FOL_RENDER < next)
            next = f->last_render + FOL_RENDER;
        ms = more ? 0 : next <= now ? 0 : (int) ((next - now) * 1000) + 1;
        if (poll(pfd, n, ms) < 0 && errno != EINTR)
            msg_fatal("poll: %s", strerror(errno));
        if (pfd[0].revents & POLLIN) {
            char    b[64];

            while (read(sfd, b, sizeof(b)) > 0)
                ;
        }
        if (fol_signalled)
            stop = 1;
        more = stop ? 0 : fol_read_all(f, &quiet, &ended);
        behind = fol_behind(f);
        now = fol_now();
        if (behind == 0)
            f->caught_up = now;
        /* idle: every line written is read, and none came for 2 s */
        fol_close_due(f, grace, !more && behind == 0 && quiet
                      && now >= f->last_line + 2);
        if (ended) {
            msg_warn("journalctl ended: saving the checkpoint and stopping");
            stop = 1;
            rc = EXIT_FATALERR;
        }
        if (f->events && ferror(f->events)) {
            msg_warn("--events %s: cannot write: saving the checkpoint and "
                     "stopping", f->o->events);
            stop = 1;
            rc = EXIT_FATALERR;
        }
        if ((f->dirty || stop)
            && (stop || now >= f->last_ckpt + (double) every)) {
            if (fol_checkpoint(f, stop) != 0)
                rc = EXIT_PARTIAL;
        } else if (!f->dirty) {
            f->last_ckpt = now;         /* the state on disk is current */
        }
        if (f->prom && (stop || now >= f->last_render + FOL_RENDER)) {
            int     wf = stop || now >= last_file + (double) every;

            fol_render(f, behind, wf);
            if (wf)
                last_file = now;
        }
        if (stop)
            return rc;
    }
}

/* cmd_follow - the follow subcommand */
int
cmd_follow(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    struct fol f;
    struct sess_conf pconf;
    struct sess_cb pcb;
    char    err[PROM_ERR];
    const char *sd;
    size_t  i;
    int     sfd, lfd, rc, resumed;

    /* signals: a flag and a self-pipe, set up first: a SIGTERM
     * while starting up stops at the first turn of the loop, cleanly */
    {
        struct sigaction sa;
        int     sp[2];

        if (pipe2(sp, O_CLOEXEC | O_NONBLOCK) != 0)
            msg_fatal("pipe: %s", strerror(errno));
        sfd = sp[0];
        fol_sigpipe = sp[1];
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = fol_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sa.sa_handler = SIG_IGN;
        sigaction(SIGHUP, &sa, NULL);
        sigaction(SIGPIPE, &sa, NULL);
    }
    cli_parse(argc, argv, "follow", &o);
    if (!o.journal && (o.files == NULL || o.files[0] == NULL)) {
        fprintf(stderr, "mailtlsrpt follow: name the LOG files to follow, "
                "or --journal\n");
        return EXIT_USAGE;
    }
    for (i = 0; !o.journal && o.files[i]; i++)
        if (strcmp(o.files[i], "-") == 0) {
            fprintf(stderr, "mailtlsrpt follow: standard input cannot be "
                    "followed across restarts: name the file\n");
            return EXIT_USAGE;
        }
    cli_setup(&o, &c);
    memset(&f, 0, sizeof(f));
    f.o = &o;
    f.c = &c;
    f.jfd = -1;
    f.closed_max = -1;
    f.started = f.last_ckpt = f.caught_up = fol_now();
    sd = o.state_dir ? o.state_dir : c.state_dir;
    cli_dir_ok("follow", "to the state directory ", sd);
    if (snprintf(f.dir, sizeof(f.dir), "%s/follow", sd) >= (int) sizeof(f.dir))
        msg_fatal("%s: name too long", sd);
    if (mkdir(f.dir, 0750) != 0 && errno != EEXIST)
        msg_fatal("%s: %s", f.dir, strerror(errno));
    cli_dir_ok("follow", "to the state directory ", f.dir);
    lfd = fol_lock(&f);
    f.events = fol_events(&o);

    if ((o.metrics_listen || o.metrics_file)
        && (f.prom = prom_create(o.metrics_listen, o.metrics_file, err))
        == NULL) {
        fprintf(stderr, "mailtlsrpt follow: %s\n", err);
        if (f.events && f.events != stdout)
            fclose(f.events);
        close(sfd);
        close(lfd);
        conf_free(&c);
        return EXIT_FATALERR;
    }
    f.met = fmet_create(o.metrics_domains > 0 ? (size_t) o.metrics_domains
                        : 20);

    memset(&pconf, 0, sizeof(pconf));
    pconf.mx_ports = c.mx_ports;
    pconf.nmx_ports = c.nmx_ports;
    pconf.is_relay = conf_is_relay;
    pconf.is_relay_ctx = &c;
    pconf.own_from = c.mail_from;
    conf_sess_sendmail(&c, &pconf);
    memset(&pcb, 0, sizeof(pcb));
    pcb.session = fol_session;
    pcb.tls_host = fol_tls_host;
    pcb.hold = fol_hold;
    pcb.keep = fol_keep;
    pcb.ctx = &f;
    if ((f.ps = parser_set_create(o.mta, &pconf, &pcb)) == NULL)
        msg_fatal("unknown MTA \"%s\": known are %s", o.mta, parser_names());
    f.live = agg_state_create();
    agg_state_set_start(f.live);
    f.ck = xcalloc(1, sizeof(*f.ck));
    (void) order_ts_init(&f.ts, "-", (int) o.log_year);
    resumed = fol_restore(&f);
    fol_inputs(&f, o.files, resumed);
    if (!resumed)                /* where reading begins: kept from now */
        (void) fol_checkpoint(&f, 0);
    if (o.journal && fol_journal_start(&f, o.files) != 0)
        msg_fatal("cannot start journalctl: %s", strerror(errno));

    rc = fol_loop(&f, sfd);

    for (i = 0; i < f.nt; i++)
        f.t[i] = tail_close(f.t[i]);
    if (f.jpid > 0) {
        fol_journal_stop(f.jpid);
        close(f.jfd);
        xfree(f.jbuf);
    }
    if (f.events && f.events != stdout && fclose(f.events) != 0
        && rc == EXIT_DONE)
        rc = EXIT_PARTIAL;
    f.prom = prom_free(f.prom);
    f.met = fmet_free(f.met);
    f.j = jrnl_free(f.j);
    parser_set_free(f.ps);
    agg_state_free(f.live);
    xfree(f.ck);
    close(sfd);
    close(fol_sigpipe);
    fol_sigpipe = -1;
    close(lfd);
    conf_free(&c);
    return rc;
}

/* follow_day_state - a closed, whole day's state for run (cli.h) */
char   *
follow_day_state(const char *state_dir, int32_t day)
{
    char    path[PATH_MAX + 64];
    char    dir[PATH_MAX + 16];
    struct stat sb;

    snprintf(dir, sizeof(dir), "%s/follow", state_dir);
    fol_day_path(dir, day, "done", path, sizeof(path));
    if (stat(path, &sb) != 0)
        return NULL;
    fol_day_path(dir, day, "state", path, sizeof(path));
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return NULL;
    return xstrdup(path);
}
