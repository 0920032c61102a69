/* cli/cmd_send.c - "mailtlsrpt send", "run" and "spool": delivery
 *
 * send [--rua URI]... [REPORT...]
 *      With REPORT files and --rua: enqueue each report for each URI
 *      (emit/delivery/spool.h; a pair already in the spool is not added again).
 *      Then deliver every due job (emit/delivery/dlv.h), after a random delay of
 *      up to --max-delay seconds, and record each outcome.
 * run [report options] [--rua URI]... [LOG...]
 *      "report" for the day, once per day (the day last reported is kept
 *      in STATE_DIR/reported-day; --day and --all-days always report),
 *      into STATE_DIR/reports/DAY/ unless --out; each report is enqueued
 *      for the rua its domain publishes and for each --rua; then "send".
 *      The command for cron and systemd.
 * spool [--json]
 *      every job: state, attempts, next or finish time, outcome.
 *
 * run and send refuse (exit status 3) before anything is read or sent
 * unless the configuration says who we are (conf_need_identity()), and
 * when the state directory cannot be written. --rua, --now, --retry-for
 * and --timeout are theirs only (cli/opt_tab.c).
 *
 * Test hook: MAILTLSRPT_TEST_CRASH=N in the environment makes the
 * process SIGKILL itself at the N-th spool step (spool_crash_hook),
 * after naming the step on stderr. Without the variable nothing
 * changes. MAILTLSRPT_SENDMAIL names the sendmail program (default
 * /usr/sbin/sendmail).
 */
#include "cli.h"
#include "conf.h"
#include "../emit/delivery/dkim.h"
#include "../emit/delivery/dlv.h"
#include "../emit/delivery/mail.h"
#include "../emit/delivery/spool.h"
#include "../util/date.h"
#include "../util/afile.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

struct send_opts {
    const char *rua[SPOOL_MAX_DESTS];
    size_t  nrua;
    int     now;                /* --now */
    long    retry_for;          /* seconds */
    long    timeout;            /* seconds */
};

/* a report "run" wrote, with its domain's published rua (online) */
struct run_file {
    char   *path;
    char   *rua[SPOOL_MAX_DESTS];
    size_t  nrua;
};

struct send_ctx {
    struct run_file *files;     /* run: reports written, online rua */
    size_t  nfiles;
    struct cli_opts o;
    struct conf c;
    struct send_opts so;
    struct dlv_conf dc;
    struct dkim *dkim;
    char    from[MAIL_ADDR_MAX + 1];
    const char *state_dir;
    int64_t due_at;             /* --max-delay: new jobs are due then, and
                                 * sending starts then */
};

static long send_pick_delay(long max);

static long send_crash_at;
static long send_crash_n;

/* send_crash - test hook: die at the configured step */
static void
send_crash(const char *point)
{
    if (++send_crash_n == send_crash_at) {
        msg_warn("test crash at step %ld: %s", send_crash_n, point);
        raise(SIGKILL);
    }
}

/* send_setup - options, configuration, DKIM; exits on bad settings */
static void
send_setup(struct send_ctx *x, int argc, char **argv, const char *cmd)
{
    const char *from, *key, *sel, *dom, *env;
    char    err[512], buf[MAIL_ADDR_MAX + 1];
    size_t  fl, dl;

    memset(x, 0, sizeof(*x));
    cli_parse(argc, argv, cmd, &x->o);
    cli_setup(&x->o, &x->c);
    conf_need_identity(&x->c, cmd);
    memcpy(x->so.rua, x->o.rua, sizeof(x->so.rua));
    x->so.nrua = x->o.nrua;
    x->so.now = x->o.now;
    x->so.retry_for = x->o.retry_for >= 0 ? x->o.retry_for * 3600L
        : SPOOL_RETRY_DEFAULT;
    x->so.timeout = x->o.timeout > 0 ? x->o.timeout : DLV_TIMEOUT_DEFAULT;
    x->state_dir = x->o.state_dir ? x->o.state_dir : x->c.state_dir;
    cli_dir_ok(cmd, "to the state directory ", x->state_dir);
    /* the random delay is picked now: the jobs this run enqueues are due
     * only then, so a "send" started meanwhile (mailtlsrpt-send.timer)
     * does not defeat it */
    x->due_at = (int64_t) time(NULL) + send_pick_delay(x->o.max_delay >= 0
                                                       ? x->o.max_delay
                                                       : x->c.max_delay);
    if ((env = getenv("MAILTLSRPT_TEST_CRASH")) != NULL) {
        send_crash_at = strtol(env, NULL, 10);
        spool_crash_hook = send_crash;
    }
    x->dc.smtp_relay = x->o.smtp_relay ? x->o.smtp_relay : x->c.smtp_relay;
    x->dc.sendmail = getenv("MAILTLSRPT_SENDMAIL");
    x->dc.ca_file = x->o.ca_file ? x->o.ca_file : x->c.ca_file;
    x->dc.resolver = x->o.resolver ? x->o.resolver : x->c.resolver;
    x->dc.allow_private = x->o.allow_private || x->c.allow_private;
    x->dc.timeout = x->so.timeout;
    if (x->dc.smtp_relay && strncmp(x->dc.smtp_relay, "smtp://", 7) != 0
        && strncmp(x->dc.smtp_relay, "smtps://", 8) != 0) {
        fprintf(stderr, "mailtlsrpt %s: --smtp-relay wants smtp:// or "
                "smtps://\n", cmd);
        exit(EXIT_USAGE);
    }
    from = x->o.mail_from ? x->o.mail_from : x->c.mail_from;
    if (from == NULL) {
        snprintf(buf, sizeof(buf), "tlsrpt-noreply@%s", x->c.submitter);
        from = buf;
    }
    if (mail_addr_norm(from, x->from) != 0) {
        fprintf(stderr, "mailtlsrpt %s: --mail-from \"%s\" is not a plain "
                "local@domain address\n", cmd, from);
        exit(EXIT_USAGE);
    }
    x->dc.mail_from = x->from;
    key = x->o.dkim_key ? x->o.dkim_key : x->c.dkim_key;
    sel = x->o.dkim_selector ? x->o.dkim_selector : x->c.dkim_selector;
    dom = x->o.dkim_domain ? x->o.dkim_domain : x->c.dkim_domain;
    if ((key || sel || dom) && !(key && sel && dom)) {
        fprintf(stderr, "mailtlsrpt %s: DKIM needs all of --dkim-key, "
                "--dkim-selector and --dkim-domain\n", cmd);
        exit(EXIT_USAGE);
    }
    if (key) {
        if ((x->dkim = dkim_create(key, sel, dom, err, sizeof(err))) == NULL)
            msg_fatal("%s", err);
        /* receivers (mox) want d= to be the From domain or a parent */
        from = mail_addr_domain(x->from);
        fl = strlen(from);
        dl = strlen(dkim_domain(x->dkim));
        if (!(strcmp(from, dkim_domain(x->dkim)) == 0
              || (fl > dl + 1 && from[fl - dl - 1] == '.'
                  && strcmp(from + fl - dl, dkim_domain(x->dkim)) == 0)))
            msg_fatal("DKIM domain %s is neither the domain of the sender "
                      "%s nor a parent of it; receivers drop such reports",
                      dkim_domain(x->dkim), x->from);
        x->dc.dkim = x->dkim;
    }
    if (dlv_init() != 0)
        msg_fatal("libcurl initialisation failed");
}

/* send_teardown - pair of send_setup */
static void
send_teardown(struct send_ctx *x)
{
    x->dkim = dkim_free(x->dkim);
    dlv_end();
    conf_free(&x->c);
}

/* send_enqueue - files for the --rua destinations; failures counted */
static int
send_enqueue(struct send_ctx *x, char **files, size_t nfiles)
{
    struct spool *sp;
    char    err[512];
    size_t  i;
    int     n, failed = 0;

    if (nfiles == 0)
        return 0;
    if ((sp = spool_open(x->state_dir, 1, NULL, err, sizeof(err))) == NULL)
        msg_fatal("spool in %s: %s", x->state_dir, err);
    for (i = 0; i < nfiles; i++) {
        n = spool_enqueue_file(sp, files[i], x->so.rua, x->so.nrua,
                               x->due_at, err, sizeof(err));
        if (n < 0) {
            msg_error("%s: not enqueued: %s", files[i], err);
            failed++;
        } else {
            msg_info("%s: %d new job%s", files[i], n, n == 1 ? "" : "s");
        }
    }
    spool_close(sp);
    return failed;
}

/* send_pick_delay - a random time up to max seconds */
static long
send_pick_delay(long max)
{
    unsigned int r = 0;

    if (max <= 0)
        return 0;
    if (getrandom(&r, sizeof(r), 0) != (ssize_t) sizeof(r))
        r = (unsigned int) getpid();
    return (long) (r % (unsigned long) (max + 1));
}

/* send_wait - sleep until the time --max-delay picked */
static void
send_wait(int64_t until)
{
    struct timespec ts;
    int64_t now = (int64_t) time(NULL);

    if (until <= now)
        return;
    ts.tv_sec = (time_t) (until - now);
    ts.tv_nsec = 0;
    msg_info("waiting %ld s before sending (--max-delay)", (long) ts.tv_sec);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* send_one - one attempt for one claimed job; 0 delivered, -1 not */
static int
send_one(struct send_ctx *x, struct spool *sp, struct spool_job *j)
{
    struct dlv_report r;
    char    status[SPOOL_MAX_STATUS + 1], err[512], when[32];
    char   *body;
    size_t  len;
    int     ok;
    int64_t now = (int64_t) time(NULL);

    if ((body = spool_body(sp, j, &len, err, sizeof(err))) == NULL) {
        snprintf(status, sizeof(status), "report body: %.300s", err);
        ok = 0;
    } else {
        memset(&r, 0, sizeof(r));
        r.name = j->report;
        r.data = body;
        r.len = len;
        r.domain = j->domain;
        r.submitter = j->submitter;
        r.report_id = j->report_id;
        r.key = j->id;
        r.now = now;
        ok = dlv_deliver(&x->dc, j->dest, &r, status, sizeof(status)) == 0;
        free(body);
    }
    if (ok)
        spool_point("deliver:accepted");
    now = (int64_t) time(NULL);
    if (spool_finish(sp, j, ok, status, now, x->so.retry_for, err,
                     sizeof(err)) != 0)
        msg_error("job %s: outcome not recorded: %s", j->id, err);
    if (ok) {
        msg_info("delivered %s to %s: %s", j->report, j->dest, status);
    } else if (j->state == SPOOL_FAILED) {
        msg_warn("gave up %s to %s: %s", j->report, j->dest, j->status);
    } else {
        spool_stamp(j->next, when, sizeof(when));
        msg_warn("not delivered %s to %s (attempt %u, next %s UTC): %s",
                 j->report, j->dest, j->attempts, when, status);
    }
    return ok ? 0 : -1;
}

/* send_due - deliver due jobs; EXIT_* */
static int
send_due(struct send_ctx *x)
{
    struct spool *sp;
    struct spool_job *jobs;
    char    err[512];
    size_t  n, bad, i, due = 0, sent = 0, mailto = 0;
    int     busy, failed = 0;
    int64_t now;

    send_wait(x->due_at);
    if ((sp = spool_open(x->state_dir, 0, &busy, err, sizeof(err)))
        == NULL) {
        if (busy) {
            msg_info("%s; nothing done", err);
            return EXIT_DONE;
        }
        msg_fatal("spool in %s: %s", x->state_dir, err);
    }
    if (spool_list(sp, &jobs, &n, &bad) != 0)
        msg_fatal("spool in %s: cannot list: %s", x->state_dir,
                  strerror(errno));
    if (bad)
        msg_warn("%zu unreadable job files in %s/spool (left alone)", bad,
                 x->state_dir);
    now = (int64_t) time(NULL);
    for (i = 0; i < n; i++)
        if (jobs[i].state == SPOOL_PENDING && (x->so.now
                                               || jobs[i].next <= now)
            && strncasecmp(jobs[i].dest, "mailto:", 7) == 0)
            mailto++;
    if (mailto && x->dkim == NULL)
        msg_warn("report mail goes out without DKIM signature: receivers "
                 "must ignore it (RFC 8460 section 3) unless your relay "
                 "signs it; see --dkim-key");
    for (i = 0; i < n; i++) {
        struct spool_job *j = &jobs[i];

        if (j->state != SPOOL_PENDING || (!x->so.now && j->next > now))
            continue;
        due++;
        if (spool_claim(sp, j, (int64_t) time(NULL), err, sizeof(err))) {
            msg_error("job %s: not claimed: %s", j->id, err);
            failed++;
            continue;
        }
        if (send_one(x, sp, j) == 0)
            sent++;
        else
            failed++;
    }
    spool_gc(sp, (int64_t) time(NULL));
    spool_close(sp);
    xfree(jobs);
    msg_info("send: %zu due, %zu delivered, %d not", due, sent, failed);
    return failed ? EXIT_PARTIAL : EXIT_DONE;
}

/* cmd_send - the send subcommand */
int
cmd_send(int argc, char **argv)
{
    struct send_ctx x;
    size_t  nfiles = 0;
    int     rc, erc;

    send_setup(&x, argc, argv, "send");
    while (x.o.files[nfiles])
        nfiles++;
    if (nfiles > 0 && x.so.nrua == 0) {
        fprintf(stderr, "mailtlsrpt send: REPORT files need --rua URI\n");
        send_teardown(&x);
        return EXIT_USAGE;
    }
    erc = send_enqueue(&x, x.o.files, nfiles);
    rc = send_due(&x);
    send_teardown(&x);
    return erc && rc == EXIT_DONE ? EXIT_PARTIAL : rc;
}

/* run_marker - the day "run" last reported (-1: none) and where it is */
static int32_t
run_marker(const char *state_dir, int32_t set)
{
    char    buf[32], *data;
    size_t  len;
    int     dfd;
    int32_t day = -1;

    if ((dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return -1;
    if (set >= 0) {
        date_day_str(set, buf);
        strcat(buf, "\n");
        if (afile_replace(dfd, "reported-day", buf, strlen(buf), 0644) != 0)
            msg_warn("%s/reported-day: %s", state_dir, strerror(errno));
        day = set;
    } else if (afile_read(dfd, "reported-day", 64, &data, &len) == 0) {
        if (len >= 10) {
            data[10] = 0;
            if (date_parse_day(data, &day) != 0)
                day = -1;
        }
        free(data);
    }
    close(dfd);
    return day;
}

/* run_enqueue - the run's reports in the output folder, for --rua */
static int
run_enqueue(struct send_ctx *x, int32_t day)
{
    const char *dir = x->o.out;
    char  **files = NULL;
    char    domain[DNAME_MAX + 1];
    size_t  n = 0, i;
    struct dirent *e;
    int64_t end;
    DIR    *d;
    int     failed;

    if (x->so.nrua == 0)
        return 0;
    if (dir == NULL) {
        /* the state directory's folders: this run's reports */
        size_t  k;

        for (k = 0; k < x->nfiles; k++)
            n += x->files[k].path != NULL;
        files = xcalloc(n ? n : 1, sizeof(*files));
        for (k = 0, n = 0; k < x->nfiles; k++)
            if (x->files[k].path != NULL)
                files[n++] = xstrdup(x->files[k].path);
        failed = send_enqueue(x, files, n);
        for (i = 0; i < n; i++)
            xfree(files[i]);
        xfree(files);
        return failed;
    }
    if ((d = opendir(dir)) == NULL) {
        msg_error("%s: %s", dir, strerror(errno));
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !spool_name_ok(e->d_name, domain, &end)
            || (!x->o.all_days && end != (int64_t) day * 86400 + 86399))
            continue;
        files = xrealloc(files, (n + 1) * sizeof(*files));
        files[n] = xmalloc(strlen(dir) + strlen(e->d_name) + 2);
        sprintf(files[n++], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    failed = send_enqueue(x, files, n);
    for (i = 0; i < n; i++)
        xfree(files[i]);
    xfree(files);
    return failed;
}

/* run_written - report_sink callback: keep the file and its rua */
static void
run_written(void *ctx, const char *path, const char *const *rua,
            size_t nrua)
{
    struct send_ctx *x = ctx;
    struct run_file *f;
    size_t  i;

    x->files = xrealloc(x->files, (x->nfiles + 1) * sizeof(*x->files));
    f = &x->files[x->nfiles++];
    memset(f, 0, sizeof(*f));
    f->path = xstrdup(path);
    for (i = 0; i < nrua && f->nrua < SPOOL_MAX_DESTS; i++)
        f->rua[f->nrua++] = xstrdup(rua[i]);
}

/* run_enqueue_rua - each report written online, for the rua its domain
 * publishes (RFC 8460 section 3); failures counted */
static int
run_enqueue_rua(struct send_ctx *x)
{
    struct spool *sp;
    char    err[512];
    size_t  i, k;
    int     n, failed = 0;

    for (i = k = 0; i < x->nfiles; i++)
        k += x->files[i].nrua > 0;
    if (k == 0)
        goto end;
    if ((sp = spool_open(x->state_dir, 1, NULL, err, sizeof(err))) == NULL)
        msg_fatal("spool in %s: %s", x->state_dir, err);
    for (i = 0; i < x->nfiles; i++) {
        struct run_file *f = &x->files[i];

        if (f->nrua == 0)
            continue;
        n = spool_enqueue_file(sp, f->path, (const char *const *) f->rua,
                               f->nrua, x->due_at, err,
                               sizeof(err));
        if (n < 0) {
            msg_error("%s: not enqueued: %s", f->path, err);
            failed++;
        } else {
            msg_info("%s: %d new job%s for its rua", f->path, n,
                     n == 1 ? "" : "s");
        }
    }
    spool_close(sp);
end:
    for (i = 0; i < x->nfiles; i++) {
        for (k = 0; k < x->files[i].nrua; k++)
            xfree(x->files[i].rua[k]);
        xfree(x->files[i].path);
    }
    x->files = xfree(x->files);
    x->nfiles = 0;
    return failed;
}

/* cmd_run - report (once per day) + send: for cron and systemd */
int
cmd_run(int argc, char **argv)
{
    struct send_ctx x;
    int     rrc = EXIT_DONE, erc = 0, src;
    int32_t day;

    send_setup(&x, argc, argv, "run");
    day = x.o.have_day ? x.o.day : (int32_t) (time(NULL) / 86400 - 1);
    if (x.o.have_day || x.o.all_days
        || run_marker(x.state_dir, -1) != day) {
        report_sink.written = run_written;
        report_sink.ctx = &x;
        rrc = report_run(&x.o, &x.c, 1);
        report_sink.written = NULL;
        if (rrc == EXIT_DONE || rrc == EXIT_PARTIAL)
            erc = run_enqueue(&x, day) + run_enqueue_rua(&x);
        if (rrc == EXIT_DONE && erc == 0 && !x.o.have_day && !x.o.all_days)
            run_marker(x.state_dir, day);
    } else {
        msg_info("run: reports for this day were made already; sending "
                 "only");
    }
    src = send_due(&x);
    send_teardown(&x);
    if (rrc != EXIT_DONE && rrc != EXIT_PARTIAL)
        return rrc;
    return rrc != EXIT_DONE || erc || src != EXIT_DONE ? EXIT_PARTIAL
        : EXIT_DONE;
}

/* spool_json_job - one job as a JSON object */
static json_t *
spool_json_job(const struct spool_job *j)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:s}",
                     "state", spool_state_name(j->state), "id", j->id,
                     "report", j->report, "destination", j->dest,
                     "domain", j->domain, "report-id", j->report_id,
                     "attempts", (json_int_t) j->attempts,
                     "created", (json_int_t) j->created,
                     "first", (json_int_t) j->first,
                     "next", (json_int_t) j->next,
                     "finished", (json_int_t) j->finished,
                     "status", j->status);
}

/* cmd_spool - list the spool */
int
cmd_spool(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    struct spool *sp;
    struct spool_job *jobs;
    const char *dir;
    char    err[512], when[32];
    size_t  n, bad, i, k, nst[SPOOL_NSTATES] = {0};
    size_t  reports = 0, delivered = 0, gaveup = 0;
    json_t *arr;

    cli_parse(argc, argv, "spool", &o);
    cli_setup(&o, &c);
    dir = o.state_dir ? o.state_dir : c.state_dir;
    if ((sp = spool_open_ro(dir, err, sizeof(err))) == NULL) {
        printf(o.json ? "{\"jobs\":[]}\n" : "no spool in %s: nothing "
               "enqueued yet\n", dir);
        conf_free(&c);
        return EXIT_DONE;
    }
    if (spool_list(sp, &jobs, &n, &bad) != 0)
        msg_fatal("spool in %s: cannot list: %s", dir, strerror(errno));
    spool_close(sp);
    arr = json_array();
    if (!o.json)
        printf("state\tattempts\twhen (UTC)\treport\tdestination\t"
               "outcome\n");
    for (i = 0; i < n; i++) {
        const struct spool_job *j = &jobs[i];
        int     any_done = 0, all_failed = 1, first = 1;

        nst[j->state]++;
        if (o.json) {
            json_array_append_new(arr, spool_json_job(j));
        } else {
            spool_stamp(j->state >= SPOOL_DONE ? j->finished : j->next,
                        when, sizeof(when));
            printf("%s\t%u\t%s %s\t%s\t%s\t%s\n", spool_state_name(j->state),
                   j->attempts, j->state >= SPOOL_DONE ? "at" : "next",
                   when, j->report, j->dest, j->status);
        }
        /* per report: delivered once any destination took it */
        for (k = 0; k < n; k++) {
            if (strcmp(jobs[k].report, j->report) != 0)
                continue;
            if (k < i)
                first = 0;
            any_done |= jobs[k].state == SPOOL_DONE;
            all_failed &= jobs[k].state == SPOOL_FAILED;
        }
        if (first) {
            reports++;
            delivered += any_done;
            gaveup += all_failed;
        }
    }
    if (o.json) {
        json_t *top = json_pack("{s:o,s:{s:I,s:I,s:I}}", "jobs", arr,
                                "reports", "total", (json_int_t) reports,
                                "delivered", (json_int_t) delivered,
                                "failed", (json_int_t) gaveup);
        char   *text = json_dumps(top, JSON_COMPACT);

        printf("%s\n", text ? text : "{}");
        free(text);
        json_decref(top);
    } else {
        json_decref(arr);
        printf("reports: %zu, delivered %zu, not yet %zu, given up %zu\n",
               reports, delivered, reports - delivered - gaveup, gaveup);
        printf("jobs: pending %zu, active %zu, done %zu, failed %zu%s\n",
               nst[SPOOL_PENDING], nst[SPOOL_ACTIVE], nst[SPOOL_DONE],
               nst[SPOOL_FAILED], bad ? " (some unreadable)" : "");
    }
    xfree(jobs);
    conf_free(&c);
    return EXIT_DONE;
}
