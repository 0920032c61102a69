/* parsers/order.c - rotated logs oldest first, by content (see order.h) */
#include "order.h"
#include "input.h"
#include "wrap.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct order_peek {
    struct ts_ctx ts;
    int     found;
    int64_t t;
};

struct order_item {
    char   *name;
    int64_t t;
    size_t  pos;                /* given position: the last tie-breaker */
    int     have_mtime;
    struct timespec mtime;
};

/* order_ts_init - mtime, else now; --log-year bounded by them */
int
order_ts_init(struct ts_ctx *c, const char *name, int log_year)
{
    time_t  ref = time(NULL);
    int     kind = ORDER_REF_NOW;
    struct stat sb;
    struct tm tm;

    if (strcmp(name, "-") != 0 && stat(name, &sb) == 0
        && S_ISREG(sb.st_mode)) {
        ref = sb.st_mtime;
        kind = ORDER_REF_MTIME;
    }
    if (log_year <= 0) {
        ts_ctx_init(c, ref);
        return kind;
    }
    localtime_r(&ref, &tm);
    if (tm.tm_year + 1900 == log_year) {
        ts_ctx_init(c, ref);
        return kind == ORDER_REF_MTIME ? ORDER_REF_YEAR_MTIME
            : ORDER_REF_YEAR_NOW;
    }
    ts_ctx_init_year(c, log_year);
    return ORDER_REF_YEAR;
}

/* order_line - a text line: dated? */
static void
order_line(void *ctx, const struct input_src *src, uint64_t lineno,
           struct span line)
{
    struct order_peek *pk = ctx;
    struct wrap_rec r;

    (void) src;
    (void) lineno;
    wrap_parse(&pk->ts, line, &r);
    if (r.dated) {
        pk->found = 1;
        pk->t = r.t;
    }
}

/* order_rec - a journal record: dated? */
static void
order_rec(void *ctx, const struct input_src *src, uint64_t lineno,
          const struct wrap_rec *r)
{
    struct order_peek *pk = ctx;

    (void) src;
    (void) lineno;
    if (r->dated) {
        pk->found = 1;
        pk->t = r->t;
    }
}

/* order_first - peek at a regular file */
int
order_first(const char *name, int log_year, int64_t *t)
{
    struct order_peek pk;
    struct input_cb cb;
    struct input_src src;
    struct stat sb;

    /* never peek at stdin or a pipe: what we read would be lost */
    if (strcmp(name, "-") == 0 || stat(name, &sb) != 0
        || !S_ISREG(sb.st_mode))
        return -1;
    memset(&pk, 0, sizeof(pk));
    order_ts_init(&pk.ts, name, log_year);
    memset(&cb, 0, sizeof(cb));
    cb.line = order_line;
    cb.rec = order_rec;
    cb.ctx = &pk;
    cb.stop = &pk.found;
    cb.max_bytes = ORDER_PEEK;
    cb.quiet = 1;
    (void) input_read(name, &cb, &src);
    if (!pk.found)
        return -1;
    *t = pk.t;
    return 0;
}

/* order_cmp - by first time, then by given position (stable) */
static int
order_cmp(const void *a, const void *b)
{
    const struct order_item *x = a;
    const struct order_item *y = b;

    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* a rotated file's name: the base it was rotated from and its place */
struct order_rot {
    size_t  base_len;           /* name[0..base_len): the live name */
    int     kind;               /* 0 live, 1 ".N", 2 "-YYYYMMDD..." */
    uint64_t v;                 /* N, or the date digits */
};

/* order_rot_parse - "mail.log", "mail.log.2.gz", "mail.log-20241123.xz" */
static void
order_rot_parse(const char *name, struct order_rot *r)
{
    static const char *const zext[] = {".gz", ".xz", ".zst", ".zstd",
        ".bz2", ".lz4", ".Z", ".z", NULL};
    size_t  n = strlen(name);
    size_t  i, d;
    int     k;

    for (k = 0; zext[k]; k++) {
        size_t  e = strlen(zext[k]);

        if (n > e && strcmp(name + n - e, zext[k]) == 0) {
            n -= e;
            break;
        }
    }
    r->base_len = n;
    r->kind = 0;
    r->v = 0;
    for (i = n, d = 0; i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9';
         i--)
        d++;
    if (d == 0 || d > 14 || i < 2 || name[i - 2] == '/')
        return;
    if (name[i - 1] == '.' || (name[i - 1] == '-' && d >= 8)) {
        r->kind = name[i - 1] == '.' ? 1 : 2;
        r->base_len = i - 1;
        for (; i < n; i++)
            r->v = r->v * 10 + (uint64_t) (name[i] - '0');
    }
}

/* order_rot_cmp - which of two files of one first time is older by
 * their rotation names: -1 a, 1 b, 0 the names do not say */
static int
order_rot_cmp(const char *a, const char *b)
{
    struct order_rot x, y;

    order_rot_parse(a, &x);
    order_rot_parse(b, &y);
    if (x.base_len != y.base_len || memcmp(a, b, x.base_len) != 0
        || (x.kind == y.kind && x.v == y.v))
        return 0;
    if (x.kind == 0 || y.kind == 0)     /* the live file is the newest */
        return x.kind == 0 ? 1 : -1;
    if (x.kind != y.kind)
        return 0;
    if (x.kind == 1)                    /* .2 is older than .1 */
        return x.v > y.v ? -1 : 1;
    return x.v < y.v ? -1 : 1;          /* dates: the earlier is older */
}

/* order_tie_cmp - two files of one first time: rotation names, then
 * modification times; 0 when neither says */
static int
order_tie_cmp(const struct order_item *x, const struct order_item *y)
{
    int     c = order_rot_cmp(x->name, y->name);

    if (c != 0)
        return c;
    if (!x->have_mtime || !y->have_mtime)
        return 0;
    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
    return 0;
}

/* order_ties - it[lo..hi) share a first time: insertion sort by
 * order_tie_cmp (the given order where it says nothing); warn about
 * neighbours it cannot order */
static void
order_ties(struct order_item *it, size_t lo, size_t hi)
{
    size_t  i, j;

    for (i = lo + 1; i < hi; i++) {
        struct order_item x = it[i];

        for (j = i; j > lo && order_tie_cmp(&x, &it[j - 1]) < 0; j--)
            it[j] = it[j - 1];
        it[j] = x;
    }
    for (i = lo + 1; i < hi; i++) {
        time_t  t = (time_t) it[i].t;
        struct tm tm;
        char    when[32];

        if (order_tie_cmp(&it[i - 1], &it[i]) != 0)
            continue;
        gmtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
        msg_warn("%s and %s begin in the same second (%s), and neither "
                 "rotation names nor modification times say which is "
                 "older: read in the order given; a session across them "
                 "may be cut (name them oldest first, or as mail.log.2, "
                 "mail.log.1)", it[i - 1].name, it[i].name, when);
    }
}

/* order_files - dated files sorted into the places dated files held */
void
order_files(char **files, size_t n, int log_year)
{
    struct order_item *it;
    size_t *slot;
    size_t  m = 0;
    size_t  i;

    if (n < 2)
        return;
    it = xcalloc(n, sizeof(*it));
    slot = xcalloc(n, sizeof(*slot));
    for (i = 0; i < n; i++) {
        int64_t t;

        struct stat sb;

        if (order_first(files[i], log_year, &t) != 0)
            continue;
        it[m].name = files[i];
        it[m].t = t;
        it[m].pos = i;
        if (stat(files[i], &sb) == 0) {
            it[m].have_mtime = 1;
            it[m].mtime = sb.st_mtim;
        }
        slot[m++] = i;
    }
    qsort(it, m, sizeof(*it), order_cmp);
    for (i = 0; i < m;) {
        size_t  j = i + 1;

        while (j < m && it[j].t == it[i].t)
            j++;
        if (j - i > 1)
            order_ties(it, i, j);
        i = j;
    }
    for (i = 0; i < m; i++)
        files[slot[i]] = it[i].name;
    xfree(slot);
    xfree(it);
}

/* order_same_file - an earlier name of the same regular file (order.h) */
long
order_same_file(char *const *files, size_t k)
{
    struct stat a;
    struct stat b;
    size_t  i;

    if (strcmp(files[k], "-") == 0 || stat(files[k], &a) != 0
        || !S_ISREG(a.st_mode))
        return -1;
    for (i = 0; i < k; i++)
        if (strcmp(files[i], "-") != 0 && stat(files[i], &b) == 0
            && b.st_dev == a.st_dev && b.st_ino == a.st_ino)
            return (long) i;
    return -1;
}
