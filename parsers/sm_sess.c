/* parsers/sm_sess.c - Sendmail parser: not written yet, claims no line */
#include "sm_sess.h"
#include "../util/mymalloc.h"

struct sm_sess {
    struct sess_conf conf;
    struct sess_cb cb;
};

struct sm_sess *
sm_sess_create(const struct sess_conf *conf, const struct sess_cb *cb)
{
    struct sm_sess *s = xcalloc(1, sizeof(*s));

    s->conf = *conf;
    s->cb = *cb;
    return s;
}

struct sm_sess *
sm_sess_free(struct sm_sess *s)
{
    xfree(s);
    return NULL;
}

int
sm_sess_feed(struct sm_sess *s, const struct wrap_rec *r, struct trace *tr)
{
    (void) s;
    (void) r;
    (void) tr;
    return 0;
}

void
sm_sess_flush(struct sm_sess *s)
{
    (void) s;
}
