/* cli/cmd_summary.c - "mailtlsrpt summary" and "mailtlsrpt sessions"
 *
 * summary: a table per policy domain over the selected days (all days
 * unless --day): sessions, successes, failures and failures by type;
 * --json gives the same for machines (shape in docs/architecture.md);
 * --html FILE a self-contained page with a chart of failures by type and
 * day, for operators who would rather look than read.
 * sessions: one line per session, counted or not, with the reason when
 * not; --trace adds one line per input line saying what it meant.
 */
#include "cli.h"
#include "conf.h"
#include "guess.h"
#include "pipe.h"
#include "../parsers/ts.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <inttypes.h>
#include <stdint.h>
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

/* summary_collect - per-domain sums of the view's groups: one entry
 * per group, sorted by domain, then runs of one domain added up
 * (O(n log n): a provider's log has tens of thousands of domains) */
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
        struct dom_sum *s;

        if (o->have_day && g->day != o->day)
            continue;
        s = &d[nd++];
        s->domain = g->domain;
        s->first_day = s->last_day = g->day;
        s->success = g->success;
        s->failure = g->failure;
        s->plain_ignored = g->plain_ignored;
        for (j = 0; j < g->ndetails; j++)
            s->by_type[g->details[j].result] += g->details[j].count;
    }
    qsort(d, nd, sizeof(*d), summary_cmp);
    for (i = k = 0; i < nd; i++) {
        struct dom_sum *s;
        int     r;

        if (k == 0 || strcmp(d[k - 1].domain, d[i].domain) != 0) {
            if (k != i)
                d[k] = d[i];
            k++;
            continue;
        }
        s = &d[k - 1];
        s->success += d[i].success;
        s->failure += d[i].failure;
        s->plain_ignored += d[i].plain_ignored;
        for (r = 0; r < SESS_RESULT_COUNT; r++)
            s->by_type[r] += d[i].by_type[r];
        if (d[i].first_day < s->first_day)
            s->first_day = d[i].first_day;
        if (d[i].last_day > s->last_day)
            s->last_day = d[i].last_day;
    }
    *count = k;
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
                        json_integer((json_int_t) pipe_bad_lines(st)));
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

/* html_esc - write text with HTML metacharacters escaped */
static void
html_esc(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '&':
            fputs("&amp;", fp);
            break;
        case '"':
            fputs("&quot;", fp);
            break;
        default:
            fputc(*s, fp);
        }
    }
}

/* chart colours per result type, index = enum sess_result */
static const char *const html_colour[SESS_RESULT_COUNT] = {
    "#2e7d32", "#c62828", "#ef6c00", "#f9a825", "#6a1b9a", "#4527a0",
    "#283593", "#ad1457", "#00838f", "#00695c", "#5d4037", "#37474f",
};

/* summary_html - a self-contained page: chart of failures by type and
 * day (inline SVG, no script, no external resource) and the table */
static int
summary_html(FILE *fp, const struct agg_view *v, const struct cli_opts *o,
             const struct dom_sum *d, size_t nd)
{
    size_t  n = agg_view_count(v);
    int32_t first = INT32_MAX, last = INT32_MIN;
    uint64_t *cell;             /* [day][type] */
    uint64_t maxday = 1;
    size_t  ndays, i, j;
    int     r;
    char    day[11];
    const int W = 720, H = 260, L = 50, B = 40;

    for (i = 0; i < n; i++) {
        const struct agg_group *g = agg_view_get(v, i);

        if (o->have_day && g->day != o->day)
            continue;
        if (g->day < first)
            first = g->day;
        if (g->day > last)
            last = g->day;
    }
    ndays = first <= last ? (size_t) (last - first + 1) : 0;
    if (ndays > 366)
        ndays = 366, first = last - 365;
    cell = xcalloc(ndays ? ndays : 1, sizeof(uint64_t) * SESS_RESULT_COUNT);
    for (i = 0; i < n; i++) {
        const struct agg_group *g = agg_view_get(v, i);

        if ((o->have_day && g->day != o->day) || g->day < first)
            continue;
        for (j = 0; j < g->ndetails; j++)
            cell[(size_t) (g->day - first) * SESS_RESULT_COUNT
                 + g->details[j].result] += g->details[j].count;
    }
    for (i = 0; i < ndays; i++) {
        uint64_t sum = 0;

        for (r = 1; r < SESS_RESULT_COUNT; r++)
            sum += cell[i * SESS_RESULT_COUNT + r];
        if (sum > maxday)
            maxday = sum;
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<title>mailtlsrpt summary</title><style>"
          "body{font:14px sans-serif;margin:2em;color:#222}"
          "table{border-collapse:collapse}"
          "th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}"
          "th:first-child,td:first-child{text-align:left}"
          "td.fail{color:#c62828;font-weight:bold}.legend span{margin-right:1em}"
          "</style></head><body>\n<h1>TLS sessions per recipient domain</h1>\n",
          fp);
    fputs("<h2>Failures by type and day (UTC)</h2>\n", fp);
    fprintf(fp, "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
            "width=\"%d\" height=\"%d\" role=\"img\" "
            "aria-label=\"failures by type and day\">\n", W, H + B);
    fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
            "stroke=\"#888\"/>\n", L, H, W, H);
    fprintf(fp, "<text x=\"%d\" y=\"12\" font-size=\"11\" "
            "text-anchor=\"end\">%llu</text>\n", L - 4,
            (unsigned long long) maxday);
    for (i = 0; i < ndays; i++) {
        double  bw = (double) (W - L) / (double) ndays;
        double  y = H;

        ts_day_str(first + (int32_t) i, day);
        for (r = 1; r < SESS_RESULT_COUNT; r++) {
            uint64_t c = cell[i * SESS_RESULT_COUNT + r];
            double  h = (double) c * (H - 20) / (double) maxday;

            if (c == 0)
                continue;
            y -= h;
            fprintf(fp, "<rect class=\"bar\" data-day=\"%s\" "
                    "data-type=\"%s\" data-count=\"%llu\" x=\"%.1f\" "
                    "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    "fill=\"%s\"><title>%s %s: %llu</title></rect>\n", day,
                    sess_result_name(r), (unsigned long long) c,
                    L + i * bw + bw * 0.1, y, bw * 0.8, h, html_colour[r],
                    day, sess_result_name(r), (unsigned long long) c);
        }
        if (ndays <= 31 || i % (ndays / 15 + 1) == 0)
            fprintf(fp, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" "
                    "text-anchor=\"middle\">%s</text>\n", L + i * bw + bw / 2,
                    H + 14, day + 5);
    }
    fputs("</svg>\n<p class=\"legend\">", fp);
    for (r = 1; r < SESS_RESULT_COUNT; r++)
        fprintf(fp, "<span><svg width=\"10\" height=\"10\"><rect width=\"10\" "
                "height=\"10\" fill=\"%s\"/></svg> %s</span>", html_colour[r],
                sess_result_name(r));
    fputs("</p>\n<h2>Domains</h2>\n<table id=\"domains\">\n<thead><tr>"
          "<th>domain</th><th>sessions</th><th>successful</th><th>failed</th>"
          "<th>failures by type</th></tr></thead>\n<tbody>\n", fp);
    for (i = 0; i < nd; i++) {
        int     firstt = 1;

        fputs("<tr class=\"domain\"><td>", fp);
        html_esc(fp, d[i].domain);
        fprintf(fp, "</td><td>%llu</td><td>%llu</td><td%s>%llu</td><td>",
                (unsigned long long) (d[i].success + d[i].failure),
                (unsigned long long) d[i].success,
                d[i].failure ? " class=\"fail\"" : "",
                (unsigned long long) d[i].failure);
        for (r = 1; r < SESS_RESULT_COUNT; r++)
            if (d[i].by_type[r]) {
                fprintf(fp, "%s%s&nbsp;%llu", firstt ? "" : ", ",
                        sess_result_name(r), (unsigned long long) d[i].by_type[r]);
                firstt = 0;
            }
        fputs("</td></tr>\n", fp);
    }
    fputs("</tbody></table>\n<p>Written by mailtlsrpt " MTR_VERSION
          ". Successes and failures as defined in RFC 8460; how each log "
          "line is counted is in docs/architecture.md.</p>\n</body></html>\n",
          fp);
    xfree(cell);
    return ferror(fp) ? -1 : 0;
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
    po.quiet = o.quiet;
    po.jobs = o.jobs;
    if (o.from_state) {
        state_open(&c, &o, &tab, &st);      /* cli/cmd_state.c */
        rc = st.files_failed > 0;
    } else {
        tab = agg_tab_create();
        rc = pipe_run(&c, &po, tab, &st);
    }
    if (o.have_day)             /* an empty day says why (cli/guess.c) */
        guess_day_check(tab, o.day, 1, &st);
    v = agg_view_create_st(tab, c.plaintext);
    d = summary_collect(v, &o, &nd);
    if (o.html) {
        FILE   *fp = strcmp(o.html, "-") == 0 ? stdout : fopen(o.html, "w");

        if (fp == NULL || summary_html(fp, v, &o, d, nd) != 0
            || (fp != stdout && fclose(fp) != 0)) {
            msg_warn("%s: cannot write the HTML summary", o.html);
            rc = 1;
        }
    } else if (o.json)
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
    po.quiet = o.quiet;
    po.jobs = o.jobs;
    po.sessions = stdout;
    po.trace = o.trace ? stdout : NULL;
    tab = agg_tab_create();
    rc = pipe_run(&c, &po, tab, &st);
    pipe_summary(&st, NULL);
    agg_tab_free(tab);
    conf_free(&c);
    return rc ? EXIT_PARTIAL : EXIT_DONE;
}
