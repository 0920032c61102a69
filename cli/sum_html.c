/* cli/sum_html.c - "mailtlsrpt summary --html": the page (see sum.h)
 *
 * One self-contained page (inline SVG and CSS, no script, no external
 * resource): the header of the text form, a chart of failed sessions
 * by result type and UTC day (stacked bars; a y axis with round ticks
 * from 0 to the top of the scale, a grid line at each; a legend of the
 * result types present only), or "no sessions" / "no failures" instead
 * of an empty chart; then the table of the rows shown, a row saying how
 * many are not, and the totals. Every text from the log (domain names)
 * is escaped, although the session records only ever hold validated
 * names.
 */
#include "sum.h"
#include "../util/date.h"
#include "../util/mymalloc.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef MTR_VERSION
#define MTR_VERSION "0.0"
#endif

#define HTML_MAX_DAYS 366       /* the chart's last days at most */

/* chart colours per result type, index = enum sess_result */
static const char *const html_colour[SESS_RESULT_COUNT] = {
    "#2e7d32", "#c62828", "#ef6c00", "#f9a825", "#6a1b9a", "#4527a0",
    "#283593", "#ad1457", "#00838f", "#00695c", "#5d4037", "#37474f",
};

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

/* html_step - a round tick step (1, 2 or 5 times a power of ten) that
 * puts at most 5 intervals between 0 and max */
static uint64_t
html_step(uint64_t max)
{
    uint64_t p = 1;

    for (;;) {
        if (max <= 5 * p)
            return p;
        if (max <= 10 * p)
            return 2 * p;
        if (max <= 25 * p)
            return 5 * p;
        if (p > UINT64_MAX / 100)
            return p * 10;
        p *= 10;
    }
}

/* html_types - "type&nbsp;N, ..." of a row, or "-" */
static void
html_types(FILE *fp, const struct sum_dom *d)
{
    int     r, first = 1;

    for (r = 1; r < SESS_RESULT_COUNT; r++)
        if (d->by_type[r]) {
            fprintf(fp, "%s<span class=\"t\">%s&nbsp;%" PRIu64 "</span>",
                    first ? "" : ", ", sess_result_name(r), d->by_type[r]);
            first = 0;
        }
    if (first)
        fputc('-', fp);
}

/* html_row - one table row */
static void
html_row(FILE *fp, const char *cls, const char *name, const struct sum_dom *d)
{
    fprintf(fp, "<tr class=\"%s\"><td>", cls);
    html_esc(fp, name);
    fprintf(fp, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td%s>%" PRIu64
            "</td><td class=\"types\">", d->success + d->failure,
            d->success, d->failure ? " class=\"fail\"" : "", d->failure);
    html_types(fp, d);
    fputs("</td></tr>\n", fp);
}

/* html_chart - failed sessions by type and day, with a real axis */
static void
html_chart(FILE *fp, const struct agg_view *v, int32_t day_filter,
           const struct sum_head *h)
{
    size_t  n = agg_view_count(v);
    int32_t first = h->first_day, last = h->last_day;
    uint64_t *cell, type_sum[SESS_RESULT_COUNT] = {0};
    uint64_t maxday = 0, step, top, t;
    size_t  ndays, i, j;
    int     r;
    char    day[11];
    const int W = 760, H = 260, L = 64, B = 40, T = 12;
    double  bw;

    if (h->total.success + h->total.failure == 0) {
        fputs("<p id=\"chart\" class=\"empty\">no sessions</p>\n", fp);
        return;
    }
    if (h->total.failure == 0) {
        fputs("<p id=\"chart\" class=\"empty\">no failures: every counted"
              " session succeeded</p>\n", fp);
        return;
    }
    ndays = (size_t) (last - first + 1);
    if (ndays > HTML_MAX_DAYS) {
        ndays = HTML_MAX_DAYS;
        first = last - HTML_MAX_DAYS + 1;
    }
    cell = xcalloc(ndays, sizeof(uint64_t) * SESS_RESULT_COUNT);
    for (i = 0; i < n; i++) {
        const struct agg_group *g = agg_view_get(v, i);

        if ((day_filter >= 0 && g->day != day_filter) || g->day < first
            || g->day > last)
            continue;
        for (j = 0; j < g->ndetails; j++) {
            cell[(size_t) (g->day - first) * SESS_RESULT_COUNT
                 + g->details[j].result] += g->details[j].count;
            type_sum[g->details[j].result] += g->details[j].count;
        }
    }
    for (i = 0; i < ndays; i++) {
        uint64_t sum = 0;

        for (r = 1; r < SESS_RESULT_COUNT; r++)
            sum += cell[i * SESS_RESULT_COUNT + r];
        if (sum > maxday)
            maxday = sum;
    }
    step = html_step(maxday ? maxday : 1);
    top = (maxday + step - 1) / step * step;
    if (top == 0)
        top = step;
    fprintf(fp, "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
            "width=\"%d\" height=\"%d\" role=\"img\" "
            "aria-label=\"failed sessions by result type and day\">\n", W,
            H + B);
    for (t = 0; t <= top; t += step) {
        double  y = H - (double) t * (H - T) / (double) top;

        fprintf(fp, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
                "y2=\"%.1f\" stroke=\"%s\"/>\n<text class=\"tick\" "
                "data-value=\"%" PRIu64 "\" x=\"%d\" y=\"%.1f\" "
                "font-size=\"11\" text-anchor=\"end\">%" PRIu64 "</text>\n",
                L, y, W, y, t ? "#e0e0e0" : "#888", t, L - 6, y + 4, t);
        if (t > UINT64_MAX - step)
            break;
    }
    fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
            "stroke=\"#888\"/>\n", L, T, L, H);
    fprintf(fp, "<text x=\"14\" y=\"%d\" font-size=\"11\" "
            "transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">failed "
            "sessions</text>\n", (H + T) / 2, (H + T) / 2);
    bw = (double) (W - L) / (double) ndays;
    for (i = 0; i < ndays; i++) {
        double  y = H;

        date_day_str(first + (int32_t) i, day);
        for (r = 1; r < SESS_RESULT_COUNT; r++) {
            uint64_t c = cell[i * SESS_RESULT_COUNT + r];
            double  hh = (double) c * (H - T) / (double) top;

            if (c == 0)
                continue;
            y -= hh;
            fprintf(fp, "<rect class=\"bar\" data-day=\"%s\" "
                    "data-type=\"%s\" data-count=\"%" PRIu64 "\" x=\"%.1f\" "
                    "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    "fill=\"%s\"><title>%s %s: %" PRIu64 "</title></rect>\n",
                    day, sess_result_name(r), c, L + i * bw + bw * 0.1, y,
                    bw * 0.8, hh, html_colour[r], day, sess_result_name(r),
                    c);
        }
        if (ndays <= 31 || i % (ndays / 15 + 1) == 0)
            fprintf(fp, "<text class=\"day\" x=\"%.1f\" y=\"%d\" "
                    "font-size=\"10\" text-anchor=\"middle\">%s</text>\n",
                    L + i * bw + bw / 2, H + 14, day + 5);
    }
    fprintf(fp, "<text x=\"%d\" y=\"%d\" font-size=\"11\" "
            "text-anchor=\"middle\">UTC day</text>\n</svg>\n",
            (W + L) / 2, H + 34);
    fputs("<p class=\"legend\">", fp);
    for (r = 1; r < SESS_RESULT_COUNT; r++)
        if (type_sum[r])
            fprintf(fp, "<span class=\"type\" data-type=\"%s\"><svg "
                    "width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" "
                    "fill=\"%s\"/></svg> %s (%" PRIu64 ")</span>",
                    sess_result_name(r), html_colour[r], sess_result_name(r),
                    type_sum[r]);
    fputs("</p>\n", fp);
    xfree(cell);
}

/* sum_html - the page, its rows made as they are written */
int
sum_html(FILE *fp, const struct agg_view *v, int32_t day_filter,
         const struct sum_head *h, const struct sum_rows *rows)
{
    char    a[11], b[11], tot[64];
    struct sum_dom d;
    size_t  i;

    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<title>mailtlsrpt summary</title><style>"
          "body{font:14px sans-serif;margin:2em;color:#222}"
          "table{border-collapse:collapse}"
          "th,td{padding:4px 10px;border-bottom:1px solid #ddd;"
          "text-align:right}"
          "th:first-child,td:first-child{text-align:left;white-space:nowrap}"
          "th:last-child,td.types{text-align:left}.t{white-space:nowrap}"
          "td.fail{color:#c62828;font-weight:bold}"
          "tr.total td{font-weight:bold;border-top:2px solid #888}"
          "tr.more td{color:#666;font-style:italic}"
          ".legend span{margin-right:1em}.empty{color:#666}"
          "</style></head><body>\n"
          "<h1>TLS sessions per recipient domain</h1>\n", fp);
    fputs("<p id=\"head\">", fp);
    if (h->first_day <= h->last_day) {
        date_day_str(h->first_day, a);
        date_day_str(h->last_day, b);
        fprintf(fp, "Period <span id=\"period\">%s%s%s</span> (UTC)", a,
                h->first_day == h->last_day ? "" : " .. ",
                h->first_day == h->last_day ? "" : b);
    } else {
        fputs("Period <span id=\"period\">-</span>", fp);
    }
    fprintf(fp, ", <span id=\"hosts\">%" PRIu64 "</span> log host%s, "
            "<span id=\"lines\">%" PRIu64 "</span> lines, "
            "<span id=\"sessions\">%" PRIu64 "</span> sessions "
            "(<span id=\"counted\">%" PRIu64 "</span> counted).</p>\n",
            h->hosts, h->hosts == 1 ? "" : "s", h->lines, h->sessions,
            h->counted);
    fputs("<h2>Failed sessions by result type and day (UTC)</h2>\n", fp);
    html_chart(fp, v, day_filter, h);
    fprintf(fp, "<h2>Domains, by %s</h2>\n<table id=\"domains\">\n<thead>"
            "<tr><th>domain</th><th>sessions</th><th>successful</th>"
            "<th>failed</th><th>failures by type</th></tr></thead>\n"
            "<tbody>\n", h->sort);
    for (i = 0; i < h->nrows && !ferror(fp); i++) {
        rows->get(rows->ctx, i, &d);
        html_row(fp, "domain", d.domain, &d);
    }
    if (h->nmatch > h->nrows)
        fprintf(fp, "<tr class=\"more\"><td colspan=\"5\">%zu more domain%s%s"
                " (--top 0 shows all)</td></tr>\n", h->nmatch - h->nrows,
                h->nmatch - h->nrows == 1 ? "" : "s",
                h->nmatch < h->ndomains ? " with failures" : "");
    if (h->ndomains == 0)
        fputs("<tr class=\"more\"><td colspan=\"5\">no sessions</td></tr>\n",
              fp);
    fputs("</tbody>\n<tfoot>\n", fp);
    snprintf(tot, sizeof(tot), "total (%zu domain%s)", h->ndomains,
             h->ndomains == 1 ? "" : "s");
    html_row(fp, "total", tot, &h->total);
    fputs("</tfoot></table>\n<p>Written by mailtlsrpt " MTR_VERSION
          ". Successes and failures as defined in RFC 8460; how each log "
          "line is counted is in docs/architecture.md.</p>\n</body></html>\n",
          fp);
    return ferror(fp) ? -1 : 0;
}
