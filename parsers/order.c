/* parsers/order.c - rotated logs oldest first, by content (see order.h) */
#include "order.h"
#include "input.h"
#include "wrap.h"
#include "../util/mymalloc.h"

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
    size_t  pos;                /* given position: the tie-breaker */
};

/* order_ts_init - --log-year, else mtime, else now */
void
order_ts_init(struct ts_ctx *c, const char *name, int log_year)
{
    time_t  ref = time(NULL);
    struct stat sb;

    if (log_year > 0) {
        ts_ctx_init_year(c, log_year);
        return;
    }
    if (strcmp(name, "-") != 0 && stat(name, &sb) == 0)
        ref = sb.st_mtime;
    ts_ctx_init(c, ref);
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

        if (order_first(files[i], log_year, &t) != 0)
            continue;
        it[m].name = files[i];
        it[m].t = t;
        it[m].pos = i;
        slot[m++] = i;
    }
    qsort(it, m, sizeof(*it), order_cmp);
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
