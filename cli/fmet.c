/* cli/fmet.c - the metrics of mailtlsrpt follow
 *
 * Every series is written in one order (domains by name, then policy,
 * then result type), so that two renders of the same counts give the
 * same bytes. Domain names reach labels already canonical (parsers/
 * sess.h: letters, digits, '-', '.'); the label writer escapes anyway.
 */
#include "fmet.h"
#include "../global/sess.h"
#include "../util/htab.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FMET_OTHER "other"

struct fmet {
    size_t  n;
    int32_t day;                /* the day named holds for */
    struct htab *named;         /* domain -> (void *) 1 */
};

/* one domain of the day: its counts per policy and result */
struct fm_dom {
    const char *name;
    size_t  dom;                /* its place in name order (agg_group) */
    uint64_t sessions;
    uint64_t failures;
    uint64_t c[SESS_POL_COUNT][SESS_RESULT_COUNT];
};

/* fmet_create - n names of each kind */
struct fmet *
fmet_create(size_t n)
{
    struct fmet *m = xcalloc(1, sizeof(*m));

    m->n = n;
    m->day = -1;
    m->named = htab_create(64, NULL);
    return m;
}

/* fmet_free - NULL */
struct fmet *
fmet_free(struct fmet *m)
{
    if (m == NULL)
        return NULL;
    htab_free(m->named);
    xfree(m);
    return NULL;
}

/* fm_by_sessions, fm_by_failures, fm_by_name - qsort orders */
static int
fm_by_sessions(const void *a, const void *b)
{
    const struct fm_dom *x = a;
    const struct fm_dom *y = b;

    if (x->sessions != y->sessions)
        return x->sessions > y->sessions ? -1 : 1;
    return x->dom < y->dom ? -1 : x->dom > y->dom;
}

static int
fm_by_failures(const void *a, const void *b)
{
    const struct fm_dom *x = a;
    const struct fm_dom *y = b;

    if (x->failures != y->failures)
        return x->failures > y->failures ? -1 : 1;
    return x->dom < y->dom ? -1 : x->dom > y->dom;
}

static int
fm_by_name(const void *a, const void *b)
{
    const struct fm_dom *x = a;
    const struct fm_dom *y = b;

    /* the view's place of a name is its place in strcmp order */
    return x->dom < y->dom ? -1 : x->dom > y->dom;
}

/* fm_name - name a domain unless 4n are named */
static void
fm_name(struct fmet *m, const char *d)
{
    if (htab_find(m->named, d, strlen(d)) == NULL
        && htab_count(m->named) < 4 * m->n)
        htab_enter(m->named, d, strlen(d), (void *) 1);
}

/* fm_label - a label value, escaped as the text format asks */
static void
fm_label(FILE *fp, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            fprintf(fp, "\\%c", *v);
        else if (*v == '\n')
            fputs("\\n", fp);
        else
            fputc(*v, fp);
    }
}

/* fm_series - the series of one domain (or of "other") */
static void
fm_series(FILE *fp, const char *name, uint64_t c[][SESS_RESULT_COUNT])
{
    int     p, r;

    for (p = 0; p < SESS_POL_COUNT; p++)
        for (r = 0; r < SESS_RESULT_COUNT; r++) {
            if (c[p][r] == 0)
                continue;
            fputs("mailtlsrpt_sessions_total{domain=\"", fp);
            fm_label(fp, name);
            fprintf(fp, "\",policy_type=\"%s\",result_type=\"%s\"} %"
                    PRIu64 "\n", sess_policy_name(p), sess_result_name(r),
                    c[p][r]);
        }
}

/* fm_gauge, fm_counter - one series without labels */
static void
fm_one(FILE *fp, const char *name, const char *type, const char *help,
       double v)
{
    fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name,
            type, name, v);
}

/* fm_domains - the sessions of the day by domain */
static void
fm_domains(struct fmet *m, const struct fmet_in *in, FILE *fp)
{
    struct agg_view *v = agg_view_create_st(in->tab, in->plain);
    size_t  n = agg_view_count(v), nd = 0, i, j;
    struct fm_dom *d = xcalloc(n + 1, sizeof(*d));
    uint64_t other[SESS_POL_COUNT][SESS_RESULT_COUNT];
    int     any_other = 0;

    /* groups come sorted by day, domain, policy: a domain's are
     * together */
    for (i = 0; i < n; i++) {
        const struct agg_group *g = agg_view_get(v, i);

        if (g->day != in->day || g->policy >= SESS_POL_COUNT)
            continue;
        if (nd == 0 || d[nd - 1].dom != g->dom) {
            d[nd].name = g->domain;
            d[nd++].dom = g->dom;
        }
        d[nd - 1].c[g->policy][SESS_SUCCESS] += g->success;
        d[nd - 1].sessions += g->success + g->failure;
        d[nd - 1].failures += g->failure;
        for (j = 0; j < g->ndetails; j++)
            if (g->details[j].result < SESS_RESULT_COUNT)
                d[nd - 1].c[g->policy][g->details[j].result]
                    += g->details[j].count;
    }
    if (m->day != in->day) {    /* a new day: names afresh */
        htab_free(m->named);
        m->named = htab_create(64, NULL);
        m->day = in->day;
    }
    qsort(d, nd, sizeof(*d), fm_by_sessions);
    for (i = 0; i < nd && i < m->n; i++)
        fm_name(m, d[i].name);
    qsort(d, nd, sizeof(*d), fm_by_failures);
    for (i = 0; i < nd && i < m->n && d[i].failures > 0; i++)
        fm_name(m, d[i].name);
    qsort(d, nd, sizeof(*d), fm_by_name);
    memset(other, 0, sizeof(other));
    fputs("# HELP mailtlsrpt_sessions_total Sessions of the current UTC day"
          " (reset at 00:00 UTC) by policy domain, policy type and result"
          " type, counted as summary counts them.\n"
          "# TYPE mailtlsrpt_sessions_total counter\n", fp);
    for (i = 0; i < nd; i++) {
        if (htab_find(m->named, d[i].name, strlen(d[i].name)) != NULL) {
            fm_series(fp, d[i].name, d[i].c);
            continue;
        }
        any_other = 1;
        for (j = 0; j < SESS_POL_COUNT * SESS_RESULT_COUNT; j++)
            other[j / SESS_RESULT_COUNT][j % SESS_RESULT_COUNT]
                += d[i].c[j / SESS_RESULT_COUNT][j % SESS_RESULT_COUNT];
    }
    if (any_other)
        fm_series(fp, FMET_OTHER, other);
    fprintf(fp, "# HELP mailtlsrpt_domains Policy domains with sessions in"
            " the current UTC day.\n# TYPE mailtlsrpt_domains gauge\n"
            "mailtlsrpt_domains %zu\n", nd);
    xfree(d);
    agg_view_free(v);
}

/* fmet_render - the whole text */
char   *
fmet_render(struct fmet *m, const struct fmet_in *in, size_t *len)
{
    char   *text = NULL;
    size_t  n = 0;
    FILE   *fp = xneed(open_memstream(&text, &n), "open_memstream");
    uint64_t bad = 0;
    int     i;

    fm_domains(m, in, fp);
    for (i = 0; i < INPUT_BAD_COUNT; i++)
        bad += in->st->bad[i];
    bad += in->st->bad_parse;
    fprintf(fp, "# HELP mailtlsrpt_follow_day_start_timestamp_seconds The"
            " start of the UTC day that mailtlsrpt_sessions_total counts.\n"
            "# TYPE mailtlsrpt_follow_day_start_timestamp_seconds gauge\n"
            "mailtlsrpt_follow_day_start_timestamp_seconds %" PRId64 "\n",
            (int64_t) in->day * 86400);
    fm_one(fp, "mailtlsrpt_follow_lines_total", "counter",
           "Log lines read (since the state began).",
           (double) in->st->lines);
    fm_one(fp, "mailtlsrpt_follow_bytes_total", "counter",
           "Bytes of log lines read.", (double) in->st->bytes);
    fm_one(fp, "mailtlsrpt_follow_bad_lines_total", "counter",
           "Lines that could not be read or parsed.", (double) bad);
    fm_one(fp, "mailtlsrpt_follow_repeated_lines_total", "counter",
           "Records repeating the one before, skipped.",
           (double) in->duplicates);
    fm_one(fp, "mailtlsrpt_follow_late_sessions_total", "counter",
           "Sessions of a day already closed (not in its state).",
           (double) in->late);
    fm_one(fp, "mailtlsrpt_follow_lost_total", "counter",
           "Times the position in a log could not be found again (lines"
           " may be lost).", (double) in->lost);
    fm_one(fp, "mailtlsrpt_follow_lag_seconds", "gauge",
           "How long the follower has had input written and not read (0:"
           " caught up).", in->lag);
    fm_one(fp, "mailtlsrpt_follow_behind_bytes", "gauge",
           "Bytes written to the logs and not read yet.",
           (double) in->behind);
    fm_one(fp, "mailtlsrpt_follow_last_line_timestamp_seconds", "gauge",
           "Log time of the newest line read.", (double) in->newest);
    fm_one(fp, "mailtlsrpt_follow_last_checkpoint_timestamp_seconds",
           "gauge", "When the checkpoint on disk was last known current.",
           in->checkpoint);
    fm_one(fp, "mailtlsrpt_follow_start_time_seconds", "gauge",
           "When the follower started.", in->started);
    fm_one(fp, "mailtlsrpt_follow_open_day_states", "gauge",
           "UTC days whose state is not closed yet.",
           (double) in->open_days);
    fm_one(fp, "mailtlsrpt_follow_open_keys", "gauge",
           "Correlation keys (processes, messages) with sessions open.",
           (double) in->kept_keys);
    fm_one(fp, "mailtlsrpt_follow_open_lines", "gauge",
           "Lines kept to rebuild the open sessions after a restart.",
           (double) in->kept_lines);
    if (fclose(fp) != 0)
        xnomem("metrics text");
    *len = n;
    return text;
}
