/* cli/cmd_report.c - "mailtlsrpt report": RFC 8460 reports into a folder
 *
 * One report per (policy domain, UTC day), holding one policy entry per
 * policy seen for that domain. File names follow RFC 8460 section 5.1;
 * every file is written atomically, so an interrupted run leaves either
 * the old report or the new one, never half of one.
 *
 * --offline: every session under no-policy-found, a report for every
 * domain. Online (the default): the domains of the selected day(s) are
 * resolved (emit/resolution/pol.c: TLSRPT, MTA-STS, DANE, concurrently, cached in
 * the state directory); only domains with a usable TLSRPT record get a
 * report unless --keep-all; every stored session is judged again under
 * its domain's policy (pol_judge(), rule table in docs/resolution.md)
 * into a second table, from which the reports are built: sts entries
 * carry the policy lines and mx patterns, tlsa entries (one per TLSA
 * base domain) the TLSA records.
 *
 * Where: --out DIR, else the working directory; "run" without --out
 * writes under the state directory, STATE_DIR/reports/DAY/, one folder
 * per report day. The folder (and an explicit state directory) must be
 * writable before a line is read: an unwritable one is a fatal error
 * (exit status 3), not a warning per report after an hour of parsing.
 * A report file never replaces a file given as input (cli/guard.h).
 */
#include "cli.h"
#include "conf.h"
#include "guard.h"
#include "guess.h"
#include "journal.h"
#include "../engine/pipe.h"
#include "../emit/report/pol_judge.h"
#include "../emit/resolution/pol.h"
#include "../emit/report/rpt.h"
#include "../parsers/ts.h"
#include "../util/date.h"
#include "../util/htab.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct report_sink report_sink;        /* set by "run" only */

#define REPORT_MAX_JOBS 1024    /* as -j */

/* sending-mta-ip of the reports of one run, and the hosts left without */
static struct guess_sip *report_sip;

/* cli_pipe_opts - the engine's options of a command that reads logs */
void
cli_pipe_opts(const struct cli_opts *o, const struct conf *c,
              struct pipe_opts *po)
{
    memset(po, 0, sizeof(*po));
    po->files = o->files;
    po->log_year = (int) o->log_year;
    po->verbose = o->verbose;
    po->mta = o->mta;
    po->quiet = o->quiet;
    po->jobs = (int) o->jobs;
    conf_sess(c, &po->parse);
    po->plaintext = c->plaintext;
}

/* cli_setup - configuration and zone, shared by the subcommands */
void
cli_setup(const struct cli_opts *o, struct conf *c)
{
    const char *tz;
    char    why[300];

    /* a zone the C library does not know would be read as UTC, silently:
     * a usage error here, a configuration error in log_tz (conf.c) */
    if (o->log_tz && ts_zone_check(o->log_tz, why, sizeof(why)) != 0) {
        fprintf(stderr, "mailtlsrpt: --log-tz: unknown time zone \"%.64s\""
                ": %s\n", o->log_tz, why);
        exit(EXIT_USAGE);
    }
    conf_load(c, o->config, o->config != NULL);
    if (o->mail_from) {         /* also what "no loops" looks for */
        xfree(c->mail_from);
        c->mail_from = xstrdup(o->mail_from);
    }
    tz = o->log_tz ? o->log_tz : c->log_tz;
    if (tz) {
        /* before any thread starts: mktime reads TZ */
        if (setenv("TZ", tz, 1) != 0)
            msg_fatal("cannot set time zone %s", tz);
    }
    tzset();
    if (o->plaintext)
        c->plaintext = strcmp(o->plaintext, "always") == 0 ? AGG_PLAIN_ALWAYS
            : strcmp(o->plaintext, "never") == 0 ? AGG_PLAIN_NEVER
            : AGG_PLAIN_AUTO;
    guard_inputs(o, c);
    guard_output(o);
}

/* where the reports of this run go (report_run sets them) */
static const char *report_dir;          /* --out, or "." */
static char *report_base;              /* run: STATE_DIR/reports */

/* report_mkdirs - dir and its missing parents; 0, or -1 with errno */
static int
report_mkdirs(const char *dir)
{
    char    buf[4096];
    char   *p;
    struct stat st;

    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        errno = ENOTDIR;
        return -1;
    }
    if (strlen(dir) >= sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(buf, dir);
    for (p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* cli_dir_ok - dir exists or is made, and we may write in it; else
 * a fatal error in words a person reads (exit status 3) */
void
cli_dir_ok(const char *cmd, const char *what, const char *dir)
{
    if (report_mkdirs(dir) != 0 || access(dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "mailtlsrpt %s: cannot write %s%s: %s; nothing"
                " was read\n", cmd, what, dir, strerror(errno));
        exit(EXIT_FATALERR);
    }
}

/* report_day_dir - the folder of a report of day */
static const char *
report_day_dir(int32_t day, char *buf, size_t cap)
{
    char    d[11];

    if (report_base == NULL)
        return report_dir;
    date_day_str(day, d);
    snprintf(buf, cap, "%s/%s", report_base, d);
    if (report_mkdirs(buf) != 0) {
        msg_warn("cannot create %s: %s", buf, strerror(errno));
        return NULL;
    }
    return buf;
}

/*
 * Writing the reports: every report's temporary file first, then one
 * flush for all (emit/report/rpt.h, batches: one per folder written to), at
 * most REPORT_BATCH_MAX files at a time (a bound on the names held).
 * Offline, -j threads build, compress and write the reports.
 */
#define REPORT_BATCH_MAX 65536

static pthread_mutex_t report_out_mu = PTHREAD_MUTEX_INITIALIZER;
static struct report_out {
    char   *dir;
    struct rpt_batch *b;
    int     clear;                      /* guard_folder_clear(dir) */
}      *report_outs;                    /* the batches of this run */
static size_t report_nouts;

/* report_batch - the batch of dir, opened on first use, and whether no
 * input was named there (*clear); NULL (warned) when dir cannot be
 * opened. Safe from many threads */
static struct rpt_batch *
report_batch(const char *dir, int *clear)
{
    struct rpt_batch *b = NULL;
    size_t  i;

    pthread_mutex_lock(&report_out_mu);
    for (i = 0; i < report_nouts && b == NULL; i++)
        if (strcmp(report_outs[i].dir, dir) == 0) {
            b = report_outs[i].b;
            *clear = report_outs[i].clear;
        }
    if (b == NULL && (b = rpt_batch_open(dir)) != NULL) {
        report_outs = xrealloc(report_outs, (report_nouts + 1)
                               * sizeof(*report_outs));
        report_outs[report_nouts].dir = xstrdup(dir);
        report_outs[report_nouts].clear = *clear = guard_folder_clear(dir);
        report_outs[report_nouts++].b = b;
    }
    pthread_mutex_unlock(&report_out_mu);
    return b;
}

/* a report made and compressed, not written yet */
struct report_made {
    struct rpt_batch *b;        /* the batch of its folder */
    char   *name;               /* its file name */
    char   *path;               /* its folder and name */
    int     clear;              /* no input was named in its folder */
    unsigned char *data;        /* the bytes of the file */
    size_t  len;
};

/* report_make - the report of pols[0..n) (same day and domain), its
 * folder's batch and its bytes (gzip'd unless --no-gzip) into m;
 * 0, or -1 (warned). Safe from many threads */
static int
report_make(const struct conf *c, const struct cli_opts *o,
            const struct rpt_policy *pols, size_t n, struct report_made *m)
{
    const struct agg_group *g = pols[0].group;
    struct rpt_conf rc;
    char    name[1024], dirbuf[4096], path[4096 + 1024];
    const char *dir;
    char   *json;
    int     rcode = 0;

    memset(m, 0, sizeof(*m));
    memset(&rc, 0, sizeof(rc));
    rc.org_name = c->org_name;
    rc.contact = c->contact;
    rc.submitter = c->submitter;
    rc.unique_id = c->unique_id;
    rc.sending_ip = guess_sending_ip;   /* cli/guess.c */
    rc.sending_ip_ctx = &report_sip;
    if (rpt_file_name(&rc, g->day, g->domain, !o->no_gzip, name,
                      sizeof(name)) != 0) {
        msg_warn("%s: no valid report file name; skipped", g->domain);
        return -1;
    }
    if ((dir = report_day_dir(g->day, dirbuf, sizeof(dirbuf))) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((json = rpt_json(&rc, g->day, g->domain, pols, n)) == NULL) {
        msg_warn("%s: report could not be built; skipped", g->domain);
        return -1;
    }
    if ((m->b = report_batch(dir, &m->clear)) == NULL) {
        free(json);
        return -1;
    }
    if (o->no_gzip) {
        m->data = (unsigned char *) json;
        m->len = strlen(json);
    } else {
        rcode = rpt_batch_gzip_mt(m->b, json, strlen(json), &m->data,
                                  &m->len);
        free(json);
    }
    if (rcode == 0) {
        m->name = xstrdup(name);
        m->path = xstrdup(path);
    }
    return rcode;
}

/* report_put - a made report into its batch's temporary file (in place
 * after the next commit), its memory freed; trec: the domain's TLSRPT
 * record (online), for report_sink. 0, or -1 (warned) */
static int
report_put(struct report_made *m, const struct trec *trec)
{
    const char *in;
    int     rcode = -1;

    /* a look-up per file only where an input was named: it costs a
     * sixth of creating the file */
    if (!m->clear && (in = guard_check(m->path)) != NULL)
        msg_warn("%s: not written: it is %s, an input", m->path, in);
    else
        rcode = rpt_batch_add_mt(m->b, m->name, (const char *) m->data,
                                 m->len, 0, trec);
    m->data = xfree(m->data);
    m->name = xfree(m->name);
    m->path = xfree(m->path);
    return rcode;
}

/* report_write - the report of pols[0..n) made and put */
static int
report_write(const struct conf *c, const struct cli_opts *o,
             const struct rpt_policy *pols, size_t n,
             const struct trec *trec)
{
    struct report_made m;

    if (report_make(c, o, pols, n, &m) != 0)
        return -1;
    return report_put(&m, trec);
}

/* report_one - the offline report of groups[0..n) made into m */
static int
report_one(const struct conf *c, const struct cli_opts *o,
           const struct agg_group *const *groups, size_t n,
           struct report_made *m)
{
    struct rpt_policy *pols = xcalloc(n, sizeof(*pols));
    size_t  i;
    int     rcode;

    for (i = 0; i < n; i++)
        pols[i].group = groups[i];
    rcode = report_make(c, o, pols, n, m);
    xfree(pols);
    return rcode;
}

/* what a report run did, for the summary line */
struct report_stats {
    unsigned long domains;      /* domains of the selected day(s) */
    unsigned long no_tlsrpt;    /* online: without usable TLSRPT record */
    unsigned long lookup_failed;        /* online: TLSRPT lookup failed */
    unsigned long policy_failed;        /* online: an MTA-STS or DANE lookup
                                         * failed: policy may be wrong */
    unsigned long written;
    unsigned long failed;
};

/* report_done - rpt_batch_done_fn: count a report, hand it on */
static void
report_done(void *ctx, const char *dir, const char *name, const void *tag,
            int ok)
{
    struct report_stats *rs = ctx;
    const struct trec *trec = tag;
    const char *rua[TREC_MAX_RUA];
    char    path[4096 + 1024];
    size_t  i, nrua = 0;

    if (!ok) {
        rs->failed++;
        return;
    }
    rs->written++;
    if (report_sink.written == NULL)
        return;
    for (i = 0; trec && trec->status == TREC_OK && i < trec->nrua
         && i < TREC_MAX_RUA; i++)
        rua[nrua++] = trec->rua[i].uri;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    report_sink.written(report_sink.ctx, path, rua, nrua);
}

/*
 * Test hook: MAILTLSRPT_TEST_REPORT_CRASH=N in the environment kills the
 * run (SIGKILL, as a crash) at the N-th point where a batch is between
 * two steps (emit/report/rpt.h: a temporary file written, the flush done, a
 * file renamed); tests/it_crash.sh walks N over all of them.
 */
static long report_crash_at;
static long report_crash_seen;

/* report_crash - rpt_crash_hook */
static void
report_crash(const char *point)
{
    if (__atomic_add_fetch(&report_crash_seen, 1, __ATOMIC_SEQ_CST)
        == report_crash_at) {
        msg_info("test crash at report step %ld: %s", report_crash_at,
                 point);
        kill(getpid(), SIGKILL);
    }
}

/* report_commit - every batch flushed, renamed, synced; counts in rs */
static void
report_commit(struct report_stats *rs)
{
    size_t  i;

    for (i = 0; i < report_nouts; i++)
        rpt_batch_commit(report_outs[i].b, report_done, rs);
}

/* report_pending - files written and not committed yet */
static size_t
report_pending(void)
{
    size_t  i, n = 0;

    for (i = 0; i < report_nouts; i++)
        n += rpt_batch_count(report_outs[i].b);
    return n;
}

/* report_close - the batches closed (uncommitted files removed) */
static void
report_close(void)
{
    size_t  i;

    for (i = 0; i < report_nouts; i++) {
        rpt_batch_free(report_outs[i].b);
        xfree(report_outs[i].dir);
    }
    xfree(report_outs);
    report_outs = NULL;
    report_nouts = 0;
}

/* report_jobs - threads for writing: -j, else one per core */
static int
report_jobs(const struct cli_opts *o)
{
    long    n = o->jobs > 0 ? o->jobs : sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > REPORT_MAX_JOBS ? REPORT_MAX_JOBS : (int) n;
}

/*
 * The offline reports of a run: units of the view (one report each),
 * made (JSON, gzip) by -j - 1 threads into slots, while the caller's
 * thread writes the files in unit order as they come: creating files
 * in one folder is serial in the kernel anyway (the folder's lock), and
 * one writer never waits for it, while the making goes on beside it.
 * With -j 1 one thread makes and writes each in turn.
 */
struct report_slot {
    struct report_made m;
    int     state;              /* 0 not yet, 1 made, -1 failed */
};

struct report_par {
    const struct conf *c;
    const struct cli_opts *o;
    const struct agg_view *v;
    const size_t *first;        /* per unit: its first group in v */
    const size_t *ngroups;      /* per unit: its groups */
    size_t  next;               /* next unit to make (atomic) */
    size_t  from, end;          /* units of this batch */
    struct report_slot *slot;   /* per unit of this batch */
    pthread_mutex_t mu;         /* guards slot[].state */
    pthread_cond_t made;        /* a slot's state was set */
};

/* report_par_make - unit u made into its slot; state 1 or -1 */
static int
report_par_make(struct report_par *p, size_t u, struct report_made *m)
{
    const struct agg_group *one[1];
    const struct agg_group **groups = one;
    size_t  k;
    int     rcode;

    if (p->ngroups[u] > 1)
        groups = xcalloc(p->ngroups[u], sizeof(*groups));
    for (k = 0; k < p->ngroups[u]; k++)
        groups[k] = agg_view_get(p->v, p->first[u] + k);
    rcode = report_one(p->c, p->o, groups, p->ngroups[u], m);
    if (groups != one)
        xfree(groups);
    return rcode == 0 ? 1 : -1;
}

/* report_par_mt - thread: make units until the batch's are taken */
static void *
report_par_mt(void *arg)
{
    struct report_par *p = arg;
    size_t  u;

    while ((u = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED)) < p->end) {
        struct report_slot *sl = &p->slot[u - p->from];
        int     st = report_par_make(p, u, &sl->m);

        pthread_mutex_lock(&p->mu);
        sl->state = st;
        pthread_cond_broadcast(&p->made);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

/* report_par_run - units [from, to): made by jobs - 1 threads, written
 * by this one in order (with -j 1 both by this one), then one commit */
static void
report_par_run(struct report_par *p, size_t from, size_t to, int jobs,
               struct report_stats *rs)
{
    pthread_t th[REPORT_MAX_JOBS];
    struct report_made m;
    int     nth = 0;
    int     k, st;
    size_t  u;

    p->next = from;
    p->from = from;
    p->end = to;
    p->slot = xcalloc(to - from, sizeof(*p->slot));
    if ((size_t) jobs - 1 > to - from)
        jobs = (int) (to - from) + 1;
    for (k = 0; k < jobs - 1 && k < REPORT_MAX_JOBS; k++)
        if (pthread_create(&th[nth], NULL, report_par_mt, p) == 0)
            nth++;
    for (u = from; u < to; u++) {
        struct report_slot *sl = &p->slot[u - from];

        if (nth == 0) {         /* -j 1, or no thread could start */
            st = report_par_make(p, u, &sl->m);
        } else {
            pthread_mutex_lock(&p->mu);
            while ((st = sl->state) == 0)
                pthread_cond_wait(&p->made, &p->mu);
            pthread_mutex_unlock(&p->mu);
        }
        m = sl->m;
        if (st < 0 || report_put(&m, NULL) != 0)
            rs->failed++;
    }
    for (k = 0; k < nth; k++)
        pthread_join(th[k], NULL);
    p->slot = xfree(p->slot);
    report_commit(rs);
}

/* report_offline - every group under no-policy-found, every domain */
static void
report_offline(const struct conf *c, const struct cli_opts *o,
               const struct agg_tab *tab, int32_t day,
               struct report_stats *rs)
{
    struct agg_view *v = agg_view_create_par_st(tab, c->plaintext,
                                                report_jobs(o));
    size_t  n = agg_view_count(v);
    size_t *first = xcalloc(n ? n : 1, sizeof(*first));
    size_t *ngroups = xcalloc(n ? n : 1, sizeof(*ngroups));
    struct report_par p;
    size_t  i, nb, nu = 0;

    /* units: the groups of one (day, domain) with sessions */
    for (i = 0; i < n; i += nb) {
        const struct agg_group *g = agg_view_get(v, i);
        uint64_t total = 0;

        for (nb = 0; i + nb < n; nb++) {
            const struct agg_group *h = agg_view_get(v, i + nb);

            if (h->day != g->day || h->dom != g->dom)
                break;
            total += h->success + h->failure;
        }
        if (total == 0 || (!o->all_days && g->day != day))
            continue;
        first[nu] = i;
        ngroups[nu++] = nb;
    }
    rs->domains += nu;
    memset(&p, 0, sizeof(p));
    p.c = c;
    p.o = o;
    p.v = v;
    p.first = first;
    p.ngroups = ngroups;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.made, NULL);
    for (i = 0; i < nu; i += nb) {
        nb = nu - i < REPORT_BATCH_MAX ? nu - i : REPORT_BATCH_MAX;
        report_par_run(&p, i, i + nb, report_jobs(o), rs);
    }
    pthread_cond_destroy(&p.made);
    pthread_mutex_destroy(&p.mu);
    xfree(first);
    xfree(ngroups);
    agg_view_free(v);
}

/* one recipient domain of the selected days (online mode) */
struct online_dom {
    size_t  idx;                /* in online.names and online.doms */
    char   *mx[POL_MAX_MX];     /* MX hosts the log names */
    size_t  nmx;
};

struct online {
    const struct conf *c;
    const struct cli_opts *o;
    const struct agg_tab *tab;  /* the log */
    struct agg_tab *judged;     /* sessions judged under their policy */
    int32_t day;
    struct htab *idx;           /* domain -> struct online_dom */
    char  **names;              /* domains, in table (sorted) order */
    struct online_dom **od;
    size_t  n, cap;
    struct pol_dom *doms;
    struct sess_rec *recs;      /* the (day, domain) being reported */
    uint64_t *counts;
    size_t  nrecs, caprecs;
    struct report_stats *rs;
};

/* online_dom_free - htab destructor */
static void
online_dom_free(void *v)
{
    struct online_dom *od = v;
    size_t  i;

    for (i = 0; i < od->nmx; i++)
        free(od->mx[i]);
    free(od);
}

/* online_selected - 1 when a stored record belongs to the report days */
static int
online_selected(const struct online *on, const struct sess_rec *r)
{
    return on->o->all_days || r->day == on->day;
}

/* online_collect - walk callback: domains and their MX hosts */
static void
online_collect(const struct sess_rec *r, uint64_t n, void *ctx)
{
    struct online *on = ctx;
    size_t  len = strlen(r->domain);
    struct online_dom *od;
    size_t  i;

    if (n == 0 || !online_selected(on, r))
        return;
    if ((od = htab_find(on->idx, r->domain, len)) == NULL) {
        od = xcalloc(1, sizeof(*od));
        if (on->n == on->cap) {
            on->cap = on->cap ? 2 * on->cap : 64;
            on->names = xrealloc(on->names, on->cap * sizeof(*on->names));
            on->od = xrealloc(on->od, on->cap * sizeof(*on->od));
        }
        od->idx = on->n;
        on->names[on->n] = xstrdup(r->domain);
        on->od[on->n++] = od;
        htab_enter(on->idx, r->domain, len, od);
    }
    if (r->mx[0] == 0 || od->nmx >= POL_MAX_MX)
        return;
    for (i = 0; i < od->nmx; i++)
        if (strcmp(od->mx[i], r->mx) == 0)
            return;
    od->mx[od->nmx++] = xstrdup(r->mx);
}

/* online_judge - walk callback: judge a stored record, keep it */
static void
online_judge(const struct sess_rec *r, uint64_t n, void *ctx)
{
    struct online *on = ctx;
    const struct online_dom *od;
    const struct pol_dom *d;
    struct sess_rec out;
    int     counted = 0;

    if (n == 0 || !online_selected(on, r)
        || (od = htab_find(on->idx, r->domain, strlen(r->domain))) == NULL)
        return;
    d = &on->doms[od->idx];
    if (!on->o->keep_all && !pol_has_tlsrpt(d))
        return;
    if (r->flags & SESS_F_PLAINTEXT)
        counted = on->c->plaintext == AGG_PLAIN_ALWAYS
            || (on->c->plaintext == AGG_PLAIN_AUTO
                && agg_tab_host_logs_tls_st(on->tab, r->loghost));
    pol_judge(d, r, counted, &out);
    if (agg_tab_add_mt(on->judged, &out, n) != 0)
        msg_warn("%s: a judged session could not be stored", r->domain);
}

/* online_flush - write the report of the collected (day, domain) */
static void
online_flush(struct online *on)
{
    const struct online_dom *od;
    struct pol_group *gs;
    struct rpt_policy *pols;
    uint64_t total = 0;
    size_t  ng, i;

    if (on->nrecs == 0)
        return;
    od = htab_find(on->idx, on->recs[0].domain, strlen(on->recs[0].domain));
    if (od == NULL)
        msg_panic("online_flush: unknown domain %s", on->recs[0].domain);
    pol_groups(&on->doms[od->idx], on->recs, on->counts, on->nrecs, &gs, &ng);
    pols = xcalloc(ng ? ng : 1, sizeof(*pols));
    for (i = 0; i < ng; i++) {
        total += gs[i].g.success + gs[i].g.failure;
        pols[i].group = &gs[i].g;
        pols[i].policy_domain = gs[i].policy_domain;
        pols[i].policy_strings = gs[i].strings;
        pols[i].npolicy_strings = gs[i].nstrings;
        pols[i].mx_hosts = gs[i].mx_hosts;
        pols[i].nmx_hosts = gs[i].nmx_hosts;
    }
    if (total > 0 && report_write(on->c, on->o, pols, ng,
                                  on->doms[od->idx].trec) != 0)
        on->rs->failed++;
    if (report_pending() >= REPORT_BATCH_MAX)
        report_commit(on->rs);
    xfree(pols);
    pol_groups_free(gs, ng);
    on->nrecs = 0;
}

/* online_batch - walk callback over judged records: one report per
 * (day, domain); the walk comes sorted by day, then domain */
static void
online_batch(const struct sess_rec *r, uint64_t n, void *ctx)
{
    struct online *on = ctx;

    if (on->nrecs > 0 && (r->day != on->recs[0].day
                          || strcmp(r->domain, on->recs[0].domain) != 0))
        online_flush(on);
    if (on->nrecs == on->caprecs) {
        on->caprecs = on->caprecs ? 2 * on->caprecs : 16;
        on->recs = xrealloc(on->recs, on->caprecs * sizeof(*on->recs));
        on->counts = xrealloc(on->counts, on->caprecs * sizeof(*on->counts));
    }
    on->recs[on->nrecs] = *r;
    on->counts[on->nrecs++] = n;
}

/* online_state_dir - the cache directory if usable, else NULL; the
 * default one may be missing (report from a checkout), one named by
 * --state-dir or state_dir must work (report_run checked it) */
static const char *
online_state_dir(const char *dir)
{
    struct stat st;

    if (dir == NULL || *dir == 0)
        return NULL;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && access(dir, W_OK) == 0)
        return dir;
    if (mkdir(dir, 0755) == 0)
        return dir;
    msg_warn("state directory %s not usable (%s): answers are not cached",
             dir, strerror(errno));
    return NULL;
}

/* online_failed - 1 when a lookup result says nothing about the data
 * (timeout, SERVFAIL, bogus, other errors), unlike NXDOMAIN or NODATA */
static int
online_failed(int rc)
{
    return rc == DNS_SERVFAIL || rc == DNS_TIMEOUT || rc == DNS_BOGUS
        || rc == DNS_ERROR;
}

/* online_policy_failed - why the policy of a domain with a TLSRPT record
 * is not known for sure, or NULL: the _mta-sts lookup failed and no
 * cached policy stands in, or a logged MX host's DANE state is unknown */
static const char *
online_policy_failed(const struct pol_dom *d, char *buf, size_t cap)
{
    const struct pol_sts *s = d->sts;
    size_t  i;

    if (s != NULL && s->state == POL_STS_NONE && online_failed(s->txt_rc)) {
        snprintf(buf, cap, "_mta-sts lookup: %s", s->txt.error);
        return buf;
    }
    for (i = 0; i < d->nmx; i++)
        if (d->mx[i].state == POL_DANE_UNKNOWN) {
            snprintf(buf, cap, "DANE of %s: %s", d->mx[i].host,
                     d->mx[i].why);
            return buf;
        }
    return NULL;
}

/* online_done - pol_conf.done: a domain that gets no report keeps only
 * why (its TLSRPT record is the bulk of its memory) */
static void
online_done(struct pol_dom *d, size_t i, void *ctx)
{
    (void) i;
    (void) ctx;
    if (d->trec != NULL && !pol_has_tlsrpt(d)) {
        snprintf(d->trec_why, sizeof(d->trec_why), "%.20s: %.130s",
                 trec_status_name(d->trec->status), d->trec->error);
        free(d->trec);
        d->trec = NULL;
    }
}

#define ONLINE_MAX_WARN 20      /* lookup failures warned about one by one */

/* online_count - sort the resolved domains into the summary's counts,
 * warn about lookups that failed */
static void
online_count(const struct online *on, struct report_stats *rs)
{
    const struct pol_dom *d;
    unsigned long warned = 0;
    char    buf[DNAME_MAX + STS_MSG + 32];
    const char *why;
    size_t  i;

    for (i = 0; i < on->n; i++) {
        d = &on->doms[i];
        if (pol_has_tlsrpt(d)) {
            if ((why = online_policy_failed(d, buf, sizeof(buf))) == NULL)
                continue;
            rs->policy_failed++;
            if (warned++ < ONLINE_MAX_WARN || msg_verbose)
                msg_warn("%s: policy lookup failed, the report may name the"
                         " wrong policy: %s", d->domain, why);
        } else if (online_failed(d->trec_rc)) {
            rs->lookup_failed++;
            if (warned++ < ONLINE_MAX_WARN || msg_verbose)
                msg_warn("%s: TLSRPT lookup failed (%s): %s", d->domain,
                         dns_rc_name(d->trec_rc), on->o->keep_all
                         || on->c->keep_all ? "report without policy"
                         : "no report");
        } else {
            rs->no_tlsrpt++;
            if (msg_verbose)
                msg_info("%s: no report: %s", d->domain, d->trec
                         ? d->trec->error : d->trec_why);
        }
    }
    if (warned > ONLINE_MAX_WARN && !msg_verbose)
        msg_warn("%lu more lookup failures not shown (-v shows all)",
                 warned - ONLINE_MAX_WARN);
}

/* report_online - resolve, judge again, write reports */
static void
report_online(const struct conf *c, const struct cli_opts *o,
              const struct agg_tab *tab, int32_t day,
              struct report_stats *rs)
{
    struct online on;
    struct pol_conf pc;
    char    err[DNS_MSG];
    size_t  i;

    memset(&on, 0, sizeof(on));
    on.c = c;
    on.o = o;
    on.tab = tab;
    on.day = day;
    on.rs = rs;
    on.idx = htab_create(1024, online_dom_free);
    agg_tab_walk_st(tab, online_collect, &on);

    memset(&pc, 0, sizeof(pc));
    pc.dns.server = o->resolver ? o->resolver : c->resolver;
    pc.fetch.ca_file = o->ca_file ? o->ca_file : c->ca_file;
    pc.state_dir = online_state_dir(o->state_dir ? o->state_dir
                                    : c->state_dir);
    pc.tlsrpt_only = !(o->keep_all || c->keep_all);
    if (pc.tlsrpt_only)
        pc.done = online_done;
    pol_conf_env(&pc);
    on.doms = xcalloc(on.n ? on.n : 1, sizeof(*on.doms));
    for (i = 0; i < on.n; i++) {
        on.doms[i].domain = on.names[i];
        on.doms[i].want_mx = (const char *const *) on.od[i]->mx;
        on.doms[i].nwant_mx = on.od[i]->nmx;
    }
    sts_global_init();
    if (pol_resolve_all(&pc, on.doms, on.n, err) != 0)
        msg_fatal("resolver: %s", err);
    online_count(&on, rs);
    rs->domains = on.n;

    on.judged = agg_tab_create();
    agg_tab_walk_st(tab, online_judge, &on);
    agg_tab_walk_st(on.judged, online_batch, &on);
    online_flush(&on);
    report_commit(rs);

    for (i = 0; i < on.n; i++) {
        pol_dom_free(&on.doms[i]);
        free(on.names[i]);
    }
    free(on.doms);
    free(on.names);
    free(on.od);
    free(on.recs);
    free(on.counts);
    htab_free(on.idx);
    agg_tab_free(on.judged);
}

/* report_run - read the logs (or states), write the reports of the
 * day(s); run: under the state directory unless --out. EXIT_* */
int
report_run(const struct cli_opts *o, struct conf *c, int run)
{
    struct pipe_opts po;
    struct run_stats st;
    struct report_stats rs;
    struct agg_tab *tab;
    int32_t day;
    int     rc;
    char    tail[4400];
    char    daybuf[11];
    char    err[DNS_MSG];
    char    skipped[192];
    char    base[4096];
    const char *ca, *where;
    const char *sd = o->state_dir ? o->state_dir : c->state_dir;
    char    dash[] = "-";
    char   *journal_in[2];
    pid_t   jpid = -1;
    char   *follow_state = NULL;
    char   *follow_in[2];
    struct cli_opts fo;

    if (!o->offline) {
        const char *res = o->resolver ? o->resolver : c->resolver;

        if (res != NULL && dns_conf_check(res, err) != 0) {
            fprintf(stderr, "mailtlsrpt %s: %s\n", o->cmd, err);
            return EXIT_USAGE;
        }
        ca = o->ca_file ? o->ca_file : c->ca_file;
        if (ca != NULL && access(ca, R_OK) != 0) {
            fprintf(stderr, "mailtlsrpt %s: cannot read the CA file %s: %s\n",
                    o->cmd, ca, strerror(errno));
            return EXIT_FATALERR;
        }
    }
    if (c->defaulted)
        msg_warn("submitter and contact-info are guessed (%s, %s): set "
                 "them in %s", c->submitter, c->contact, c->path);
    day = o->have_day ? o->day : (int32_t) (time(NULL) / 86400 - 1);

    /* where the reports go: checked before a line is read */
    report_dir = o->out ? o->out : ".";
    report_base = NULL;
    if (run && o->out == NULL) {
        snprintf(base, sizeof(base), "%s/reports", sd);
        report_base = base;
    }
    if (run || (!o->offline && (o->state_dir
                                || conf_is_set(c, "state_dir"))))
        cli_dir_ok(o->cmd, "to the state directory ", sd);
    cli_dir_ok(o->cmd, "reports to ", report_base ? report_base
                  : report_dir);
    where = report_base ? report_base : report_dir;

    if (run && !o->from_state && !o->all_days
        && (follow_state = follow_day_state(sd, day)) != NULL) {
        /* the follower closed this day whole: its state, not the logs
         * (docs/follow.md) */
        follow_in[0] = follow_state;
        follow_in[1] = NULL;
        fo = *o;
        fo.files = follow_in;
        fo.from_state = 1;
        fo.journal = 0;
        o = &fo;
        if (!o->quiet)
            msg_info("%s: the day's state from mailtlsrpt follow; the "
                     "logs are not read", follow_state);
    }
    cli_pipe_opts(o, c, &po);
    if (o->journal) {
        if ((jpid = journal_open(day, o->cmd)) < 0)
            return EXIT_PARTIAL;
        journal_in[0] = dash;
        journal_in[1] = NULL;
        po.files = journal_in;
    }
    if (o->from_state) {
        state_open(c, o, &tab, &st);        /* cli/cmd_state.c */
        rc = st.files_failed > 0;
    } else {
        tab = agg_tab_create();
        rc = pipe_run(&po, tab, &st);
    }
    if (jpid > 0 && journal_close(jpid, st.lines, o->cmd) != 0)
        rc = 1;
    memset(&rs, 0, sizeof(rs));
    if (getenv("MAILTLSRPT_TEST_REPORT_CRASH") != NULL) {
        report_crash_at = strtol(getenv("MAILTLSRPT_TEST_REPORT_CRASH"),
                                 NULL, 10);
        rpt_crash_hook = report_crash;
    }
    if (!o->all_days)           /* an empty day says why (cli/guess.c) */
        guess_day_check(tab, day, o->have_day, &st);
    report_sip = guess_sip_create(c);
    if (o->offline)
        report_offline(c, o, tab, day, &rs);
    else
        report_online(c, o, tab, day, &rs);
    report_close();
    report_sip = guess_sip_end(report_sip);
    date_day_str(day, daybuf);
    skipped[0] = 0;
    if (!o->offline) {
        int     n = snprintf(skipped, sizeof(skipped), " (%lu without TLSRPT"
                             " record%s", rs.no_tlsrpt, o->keep_all
                             || c->keep_all ? ", kept" : ", skipped");

        if (rs.lookup_failed && n > 0 && (size_t) n < sizeof(skipped))
            n += snprintf(skipped + n, sizeof(skipped) - (size_t) n, "; %lu"
                          " TLSRPT LOOKUPS FAILED%s", rs.lookup_failed,
                          o->keep_all || c->keep_all ? ", kept" : ", skipped");
        if (rs.policy_failed && n > 0 && (size_t) n < sizeof(skipped))
            n += snprintf(skipped + n, sizeof(skipped) - (size_t) n, "; %lu"
                          " with a POLICY LOOKUP FAILED", rs.policy_failed);
        if (n > 0 && (size_t) n < sizeof(skipped) - 1)
            snprintf(skipped + n, sizeof(skipped) - (size_t) n, ")");
    }
    snprintf(tail, sizeof(tail), "%lu domains%s, %lu reports written to "
             "%s%s%s%s", rs.domains, skipped, rs.written, where,
             o->all_days ? " (all days)" : " for ",
             o->all_days ? "" : daybuf, rs.failed ? ", SOME FAILED" : "");
    pipe_summary(&st, tail);
    agg_tab_free(tab);
    xfree(follow_state);
    return (rc || rs.failed || rs.lookup_failed || rs.policy_failed)
        ? EXIT_PARTIAL : EXIT_DONE;
}

/* cmd_report - the report subcommand */
int
cmd_report(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    int     rc;

    cli_parse(argc, argv, "report", &o);
    cli_setup(&o, &c);
    rc = report_run(&o, &c, 0);
    conf_free(&c);
    return rc;
}
