/* cli/cmd_report.c - "mailtlsrpt report": RFC 8460 reports into a folder
 *
 * One report per (policy domain, UTC day), holding one policy entry per
 * policy seen for that domain. File names follow RFC 8460 section 5.1;
 * every file is written atomically, so an interrupted run leaves either
 * the old report or the new one, never half of one.
 */
#include "cli.h"
#include "conf.h"
#include "pipe.h"
#include "../emit/rpt.h"
#include "../parsers/ts.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* cli_setup - configuration and zone, shared by the subcommands */
void
cli_setup(const struct cli_opts *o, struct conf *c)
{
    const char *tz;

    conf_load(c, o->config, o->config != NULL);
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
}

/* report_mkdir - create dir (one level) if missing */
static int
report_mkdir(const char *dir)
{
    struct stat st;

    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode) ? 0 : -1;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        msg_warn("%s: cannot create: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* report_one - write the report of groups[0..n) (same day and domain) */
static int
report_one(const struct conf *c, const struct cli_opts *o,
           const struct agg_group *const *groups, size_t n)
{
    struct rpt_conf rc;
    struct rpt_policy *pols = xcalloc(n, sizeof(*pols));
    char    name[1024];
    char   *json;
    size_t  i;
    int     rcode = -1;

    memset(&rc, 0, sizeof(rc));
    rc.org_name = c->org_name;
    rc.contact = c->contact;
    rc.submitter = c->submitter;
    rc.unique_id = c->unique_id;
    rc.sending_ip = conf_sending_ip;
    rc.sending_ip_ctx = c;
    for (i = 0; i < n; i++)
        pols[i].group = groups[i];
    if (rpt_file_name(&rc, groups[0]->day, groups[0]->domain, !o->no_gzip,
                      name, sizeof(name)) != 0) {
        msg_warn("%s: no valid report file name; skipped", groups[0]->domain);
        goto end;
    }
    if ((json = rpt_json(&rc, groups[0]->day, groups[0]->domain, pols, n))
        == NULL) {
        msg_warn("%s: report could not be built; skipped", groups[0]->domain);
        goto end;
    }
    rcode = rpt_write(o->out ? o->out : ".", name, json, strlen(json),
                      !o->no_gzip);
    free(json);
end:
    xfree(pols);
    return rcode;
}

/* cmd_report - the report subcommand */
int
cmd_report(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    struct pipe_opts po;
    struct pipe_stats st;
    struct agg_tab *tab;
    struct agg_view *v;
    const struct agg_group **batch;
    size_t  i, n, nb;
    int32_t day;
    int     rc;
    unsigned long written = 0;
    unsigned long failed = 0;
    unsigned long domains = 0;
    char    tail[256];
    char    daybuf[11];

    cli_parse(argc, argv, "report", &o);
    if (!o.offline) {
        fprintf(stderr, "mailtlsrpt report: online mode (TLSRPT, MTA-STS "
                "and DANE lookups) is not built yet; use --offline, which "
                "writes a no-policy-found report for every domain\n");
        return EXIT_USAGE;
    }
    cli_setup(&o, &c);
    if (c.defaulted)
        msg_warn("submitter and contact-info are guessed (%s, %s): set "
                 "them in the configuration", c.submitter, c.contact);
    day = o.have_day ? o.day : (int32_t) (time(NULL) / 86400 - 1);
    memset(&po, 0, sizeof(po));
    po.files = o.files;
    po.log_year = o.log_year;
    po.verbose = o.verbose;
    po.mta = o.mta;
    tab = agg_tab_create();
    rc = pipe_run(&c, &po, tab, &st);
    if (report_mkdir(o.out ? o.out : ".") != 0)
        msg_fatal("%s: not a usable output directory", o.out ? o.out : ".");
    v = agg_view_create_st(tab, c.plaintext);
    n = agg_view_count(v);
    batch = xcalloc(n ? n : 1, sizeof(*batch));
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
        if (total == 0 || (!o.all_days && g->day != day))
            continue;
        domains++;
        if (report_one(&c, &o, batch, nb) == 0)
            written++;
        else
            failed++;
    }
    ts_day_str(day, daybuf);
    snprintf(tail, sizeof(tail), "%lu domains, %lu reports written to "
             "%s%s%s%s", domains, written,
             o.out ? o.out : ".", o.all_days ? " (all days)" : " for ",
             o.all_days ? "" : daybuf, failed ? ", SOME FAILED" : "");
    pipe_summary(&st, tail);
    xfree(batch);
    agg_view_free(v);
    agg_tab_free(tab);
    conf_free(&c);
    return (rc || failed) ? EXIT_PARTIAL : EXIT_DONE;
}
