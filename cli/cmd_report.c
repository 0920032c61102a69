/* cli/cmd_report.c - "mailtlsrpt report": RFC 8460 reports into a folder
 *
 * One report per (policy domain, UTC day), holding one policy entry per
 * policy seen for that domain. File names follow RFC 8460 section 5.1;
 * every file is written atomically, so an interrupted run leaves either
 * the old report or the new one, never half of one.
 *
 * --offline: every session under no-policy-found, a report for every
 * domain. Online (the default): the domains of the selected day(s) are
 * resolved (emit/pol.c: TLSRPT, MTA-STS, DANE, concurrently, cached in
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
#include "journal.h"
#include "pipe.h"
#include "../emit/pol.h"
#include "../emit/rpt.h"
#include "../parsers/ts.h"
#include "../util/htab.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct report_sink report_sink;        /* set by "run" only */

/* cli_setup - configuration and zone, shared by the subcommands */
void
cli_setup(const struct cli_opts *o, struct conf *c)
{
    const char *tz;

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
    ts_day_str(day, d);
    snprintf(buf, cap, "%s/%s", report_base, d);
    if (report_mkdirs(buf) != 0) {
        msg_warn("cannot create %s: %s", buf, strerror(errno));
        return NULL;
    }
    return buf;
}

/* report_write - write the report of pols[0..n) (same day and domain);
 * trec: the domain's TLSRPT record (online), for report_sink */
static int
report_write(const struct conf *c, const struct cli_opts *o,
             const struct rpt_policy *pols, size_t n,
             const struct trec *trec)
{
    const struct agg_group *g = pols[0].group;
    struct rpt_conf rc;
    char    name[1024], dirbuf[4096], path[4096 + 1024];
    const char *dir, *in;
    char   *json;
    int     rcode;

    memset(&rc, 0, sizeof(rc));
    rc.org_name = c->org_name;
    rc.contact = c->contact;
    rc.submitter = c->submitter;
    rc.unique_id = c->unique_id;
    rc.sending_ip = conf_sending_ip;
    rc.sending_ip_ctx = c;
    if (rpt_file_name(&rc, g->day, g->domain, !o->no_gzip, name,
                      sizeof(name)) != 0) {
        msg_warn("%s: no valid report file name; skipped", g->domain);
        return -1;
    }
    if ((dir = report_day_dir(g->day, dirbuf, sizeof(dirbuf))) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((in = guard_check(path)) != NULL) {
        msg_warn("%s: not written: it is %s, an input", path, in);
        return -1;
    }
    if ((json = rpt_json(&rc, g->day, g->domain, pols, n)) == NULL) {
        msg_warn("%s: report could not be built; skipped", g->domain);
        return -1;
    }
    rcode = rpt_write(dir, name, json, strlen(json), !o->no_gzip);
    free(json);
    if (rcode == 0 && report_sink.written) {
        const char *rua[TREC_MAX_RUA];
        size_t  i, nrua = 0;

        for (i = 0; trec && trec->status == TREC_OK && i < trec->nrua
             && i < TREC_MAX_RUA; i++)
            rua[nrua++] = trec->rua[i].uri;
        report_sink.written(report_sink.ctx, path, rua, nrua);
    }
    return rcode;
}

/* report_one - write the offline report of groups[0..n) */
static int
report_one(const struct conf *c, const struct cli_opts *o,
           const struct agg_group *const *groups, size_t n)
{
    struct rpt_policy *pols = xcalloc(n, sizeof(*pols));
    size_t  i;
    int     rcode;

    for (i = 0; i < n; i++)
        pols[i].group = groups[i];
    rcode = report_write(c, o, pols, n, NULL);
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

/* report_offline - every group under no-policy-found, every domain */
static void
report_offline(const struct conf *c, const struct cli_opts *o,
               const struct agg_tab *tab, int32_t day,
               struct report_stats *rs)
{
    struct agg_view *v = agg_view_create_st(tab, c->plaintext);
    size_t  n = agg_view_count(v);
    const struct agg_group **batch = xcalloc(n ? n : 1, sizeof(*batch));
    size_t  i, nb;

    for (i = 0; i < n; i += nb) {
        const struct agg_group *g = agg_view_get(v, i);
        uint64_t total = 0;

        for (nb = 0; i + nb < n; nb++) {
            const struct agg_group *h = agg_view_get(v, i + nb);

            if (h->day != g->day || strcmp(h->domain, g->domain) != 0)
                break;
            batch[nb] = h;
            total += h->success + h->failure;
        }
        if (total == 0 || (!o->all_days && g->day != day))
            continue;
        rs->domains++;
        if (report_one(c, o, batch, nb) == 0)
            rs->written++;
        else
            rs->failed++;
    }
    xfree(batch);
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
    if (total > 0) {
        if (report_write(on->c, on->o, pols, ng,
                         on->doms[od->idx].trec) == 0)
            on->rs->written++;
        else
            on->rs->failed++;
    }
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
    struct pipe_stats st;
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

    memset(&po, 0, sizeof(po));
    po.files = o->files;
    po.log_year = (int) o->log_year;
    po.verbose = o->verbose;
    po.mta = o->mta;
    po.quiet = o->quiet;
    po.jobs = (int) o->jobs;
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
        rc = pipe_run(c, &po, tab, &st);
    }
    if (jpid > 0 && journal_close(jpid, st.lines, o->cmd) != 0)
        rc = 1;
    memset(&rs, 0, sizeof(rs));
    if (o->offline)
        report_offline(c, o, tab, day, &rs);
    else
        report_online(c, o, tab, day, &rs);
    ts_day_str(day, daybuf);
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
