/* cli/sum.h - "mailtlsrpt summary": what its three forms share
 *
 * cmd_summary.c adds the view's groups up per domain (struct sum_dom),
 * over all domains of the selected day(s) (struct sum_head: period, log
 * hosts, lines, sessions, totals), sorts them (--sort) and picks the
 * rows to show (--failures-only, --top); it prints the text table and
 * the JSON, sum_html.c the HTML page. Every form has the same header,
 * rows and totals. The rows are made one at a time as they are
 * written (struct sum_rows), never all at once: a million rows of
 * struct sum_dom would be 136 MB, their JSON tree more than a GB.
 * Thread safety: main thread only.
 */
#ifndef CLI_SUM_H
#define CLI_SUM_H

#include <stdint.h>
#include <stdio.h>

#include "../aggregate/agg_tab.h"
#include "../global/sess.h"

struct sum_dom {
    const char *domain;
    uint64_t success;
    uint64_t failure;
    uint64_t plain_ignored;
    uint64_t by_type[SESS_RESULT_COUNT];
    int32_t first_day;
    int32_t last_day;
};

struct sum_head {
    int32_t first_day, last_day;        /* of counted sessions; INT32_MAX,
                                         * INT32_MIN: none */
    uint64_t hosts;             /* log hosts of counted sessions */
    uint64_t lines;             /* read */
    uint64_t sessions;          /* seen (counted or not) */
    uint64_t counted;
    struct sum_dom total;       /* over every domain; domain unused */
    size_t  ndomains;           /* every domain of the selected day(s) */
    size_t  nrows;              /* rows shown */
    size_t  nmatch;             /* rows --failures-only lets through */
    const char *sort;           /* sessions, failures or domain */
};

/* the rows shown: get(ctx, i, d) makes row i (< sum_head.nrows) in *d */
struct sum_rows {
    void    (*get)(const void *ctx, size_t i, struct sum_dom *d);
    const void *ctx;
};

/* the page: header, chart of failures by type and day (from the view:
 * only the days of day_filter when >= 0), the rows, the totals;
 * 0, or -1 on a write error (the rows stop at the first) */
int     sum_html(FILE *fp, const struct agg_view *v, int32_t day_filter,
                 const struct sum_head *h, const struct sum_rows *rows);

#endif
