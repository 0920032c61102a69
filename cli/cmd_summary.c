/* cli/cmd_summary.c - "mailtlsrpt summary" and "mailtlsrpt sessions"
 *
 * summary: a table per policy domain over the selected days (all days
 * unless --day): sessions, successes, failures and failures by type;
 * --json gives the same for machines (shape in docs/architecture.md).
 * sessions: one line per session, counted or not, with the reason when
 * not; --trace adds one line per input line saying what it meant.
 */
#include "cli.h"
#include "conf.h"
#include "pipe.h"
#include "../parsers/ts.h"
#include "../util/mymalloc.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dom_sum {
    const char *domain;
    uint64_t success;
    uint64_t failure;
    uint64_t plain_ignored;
    uint64_t by_type[SESS_RESULT_COUNT];
    int32_t first_day;
    int32_t last_day;
};

/* summary_cmp - by domain name */
static int
summary_cmp(const void *a, const void *b)
{
    return strcmp(((const struct dom_sum *) a)->domain,
                  ((const struct dom_sum *) b)->domain);
}

/* summary_collect - per-domain sums of the view's groups */
static struct dom_sum *
summary_collect(const struct agg_view *v, const struct cli_opts *o,
                size_t *count)
{
    size_t  n = agg_view_count(v);
    struct dom_sum *d = xcalloc(n ? n : 1, sizeof(*d));
    size_t  nd = 0;
    size_t  i, k, j;

    for (i = 0; i < n; i++) {
        const struct agg_group *g = agg_view_get(v, i);
        struct dom_sum *s = NULL;

        if (o->have_day && g->day != o->day)
            continue;
        for (k = 0; k < nd; k++)
            if (strcmp(d[k].domain, g->domain) == 0) {
                s = &d[k];
                break;
            }
        if (s == NULL) {
            s = &d[nd++];
            s->domain = g->domain;
            s->first_day = s->last_day = g->day;
        }
        s->success += g->success;
        s->failure += g->failure;
        s->plain_ignored += g->plain_ignored;
        if (g->day < s->first_day)
            s->first_day = g->day;
        if (g->day > s->last_day)
            s->last_day = g->day;
        for (j = 0; j < g->ndetails; j++)
            s->by_type[g->details[j].result] += g->details[j].count;
    }
    qsort(d, nd, sizeof(*d), summary_cmp);
    *count = nd;
    return d;
}

/* summary_text - the human table */
static void
summary_text(const struct dom_sum *d, size_t nd)
{
    size_t  i;
    int     r;

    printf("%-40s %9s %9s %9s  %s\n", "DOMAIN", "SESSIONS", "SUCCESS",
           "FAILURE", "FAILURES BY TYPE");
    for (i = 0; i < nd; i++) {
        int     first = 1;

        printf("%-40s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 "  ", d[i].domain,
               d[i].success + d[i].failure, d[i].success, d[i].failure);
        for (r = 1; r < SESS_RESULT_COUNT; r++)
            if (d[i].by_type[r]) {
                printf("%s%s=%" PRIu64, first ? "" : " ",
                       sess_result_name(r), d[i].by_type[r]);
                first = 0;
            }
        printf("%s\n", first ? "-" : "");
    }
}

/* summary_json - the same as JSON on stdout */
static int
summary_json(const struct dom_sum *d, size_t nd, const struct pipe_stats *st)
{
    json_t *root = json_object();
    json_t *arr = json_array();
    json_t *stats = json_object();
    size_t  i;
    int     r;
    char    a[11], b[11];

    for (i = 0; i < nd; i++) {
        json_t *o = json_object();
        json_t *f = json_object();

        for (r = 1; r < SESS_RESULT_COUNT; r++)
            if (d[i].by_type[r])
                json_object_set_new(f, sess_result_name(r),
                                    json_integer((json_int_t) d[i].by_type[r]));
        ts_day_str(d[i].first_day, a);
        ts_day_str(d[i].last_day, b);
        json_object_set_new(o, "domain", json_string(d[i].domain));
        json_object_set_new(o, "first-day", json_string(a));
        json_object_set_new(o, "last-day", json_string(b));
        json_object_set_new(o, "sessions",
                            json_integer((json_int_t) (d[i].success + d[i].failure)));
        json_object_set_new(o, "successful", json_integer((json_int_t) d[i].success));
        json_object_set_new(o, "failed", json_integer((json_int_t) d[i].failure));
        json_object_set_new(o, "plaintext-not-counted",
                            json_integer((json_int_t) d[i].plain_ignored));
        json_object_set_new(o, "failures", f);
        json_array_append_new(arr, o);
    }
    json_object_set_new(stats, "lines", json_integer((json_int_t) st->lines));
    json_object_set_new(stats, "bad-lines",
                        json_integer((json_int_t) (st->bad[0] + st->bad[1]
                                                   + st->bad_parse)));
    for (r = 0; r < SESS_D_COUNT; r++)
        json_object_set_new(stats, sess_disp_name((enum sess_disp) r),
                            json_integer((json_int_t) st->sessions[r]));
    json_object_set_new(root, "domains", arr);
    json_object_set_new(root, "sessions", stats);
    r = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(root);
    return r;
}

/* cmd_summary - the summary subcommand */
int
cmd_summary(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    struct pipe_opts po;
    struct pipe_stats st;
    struct agg_tab *tab;
    struct agg_view *v;
    struct dom_sum *d;
    size_t  nd;
    int     rc;

    cli_parse(argc, argv, "summary", &o);
    cli_setup(&o, &c);
    memset(&po, 0, sizeof(po));
    po.files = o.files;
    po.log_year = o.log_year;
    po.verbose = o.verbose;
    po.mta = o.mta;
    tab = agg_tab_create();
    rc = pipe_run(&c, &po, tab, &st);
    v = agg_view_create_st(tab, c.plaintext);
    d = summary_collect(v, &o, &nd);
    if (o.json)
        summary_json(d, nd, &st);
    else
        summary_text(d, nd);
    pipe_summary(&st, NULL);
    xfree(d);
    agg_view_free(v);
    agg_tab_free(tab);
    conf_free(&c);
    return rc ? EXIT_PARTIAL : EXIT_DONE;
}

/* cmd_sessions - the sessions subcommand */
int
cmd_sessions(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    struct pipe_opts po;
    struct pipe_stats st;
    struct agg_tab *tab;
    int     rc;

    cli_parse(argc, argv, "sessions", &o);
    cli_setup(&o, &c);
    memset(&po, 0, sizeof(po));
    po.files = o.files;
    po.log_year = o.log_year;
    po.verbose = o.verbose;
    po.mta = o.mta;
    po.sessions = stdout;
    po.trace = o.trace ? stdout : NULL;
    tab = agg_tab_create();
    rc = pipe_run(&c, &po, tab, &st);
    pipe_summary(&st, NULL);
    agg_tab_free(tab);
    conf_free(&c);
    return rc ? EXIT_PARTIAL : EXIT_DONE;
}
