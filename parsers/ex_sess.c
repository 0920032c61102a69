/* parsers/ex_sess.c - Exim parser: not written yet, claims no line */
#include "ex_sess.h"
#include "../util/mymalloc.h"

struct ex_sess {
    struct sess_conf conf;
    struct sess_cb cb;
};

struct ex_sess *
ex_sess_create(const struct sess_conf *conf, const struct sess_cb *cb)
{
    struct ex_sess *s = xcalloc(1, sizeof(*s));

    s->conf = *conf;
    s->cb = *cb;
    return s;
}

struct ex_sess *
ex_sess_free(struct ex_sess *s)
{
    xfree(s);
    return NULL;
}

int
ex_sess_feed(struct ex_sess *s, const struct wrap_rec *r, struct trace *tr)
{
    (void) s;
    (void) r;
    (void) tr;
    return 0;
}

void
ex_sess_flush(struct ex_sess *s)
{
    (void) s;
}
