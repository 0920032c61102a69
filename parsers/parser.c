/* parsers/parser.c - one front for every MTA's parser (see parser.h) */
#include "parser.h"
#include "parser_int.h"
#include "corr.h"
#include "ex.h"
#include "ex_sess.h"
#include "pf_sess.h"
#include "sm_sess.h"
#include "../util/mymalloc.h"

#include <string.h>

/* every MTA, in enum sess_mta order: each is one struct corr_ops (its
 * name, its feed, its sizes and what its core asks of it); the core
 * makes, flushes and frees every MTA's correlator (parsers/corr.h) */
static const struct corr_ops *const parser_table[] = {
    &pf_corr_ops, &ex_corr_ops, &sm_corr_ops,
};

_Static_assert(sizeof(parser_table) / sizeof(parser_table[0])
               == PARSER_COUNT, "PARSER_COUNT: parser_int.h");

/* keys of one parser from which fetching ahead pays: entries of about
 * a KiB, 4096 of them past the second-level cache of most machines */
#define PARSER_PREFETCH_KEYS 4096

/* parser_line_mine - a claimed line that is surely the MTA's (parser.h) */
int
parser_line_mine(int mta, const struct wrap_rec *r, const struct trace *tr)
{
    struct ts_ctx tc;
    struct ex_line ln;

    if (mta != SESS_MTA_EXIM)
        return mta >= 0 && mta < SESS_MTA_COUNT;
    if (tr->kind != TRACE_IRRELEVANT || ex_sess_ident(r->ident))
        return 1;
    ts_ctx_init_year(&tc, 1970);        /* ex_prefix: a zone cache only */
    ex_prefix(&tc, r->msg, &ln);
    return ln.id.len > 0;
}

/* parser_names - for usage messages */
const char *
parser_names(void)
{
    return "postfix, exim, sendmail";
}

/* parser_set_create - instantiate all parsers or the one named */
struct parser_set *
parser_set_create(const char *only, const struct sess_conf *conf,
                  const struct sess_cb *cb)
{
    struct parser_set *ps = xcalloc(1, sizeof(*ps));
    size_t  i;

    for (i = 0; i < PARSER_COUNT; i++) {
        if (only && strcmp(only, parser_table[i]->name) != 0)
            continue;
        ps->ops[ps->n] = parser_table[i];
        ps->state[ps->n] = corr_sess_create(conf, cb, parser_table[i]);
        ps->own[ps->n] = corr_sess_own_mt(ps->state[ps->n]);
        ps->n++;
    }
    if (ps->n == 0) {
        xfree(ps);
        return NULL;
    }
    ps->all = ps->n == PARSER_COUNT;
    ps->conf = *conf;
    ps->cb = *cb;
    return ps;
}

/* parser_set_reset - fresh states, same parsers (parser.h) */
void
parser_set_reset(struct parser_set *ps)
{
    size_t  i;

    for (i = 0; i < ps->n; i++) {
        corr_sess_free(ps->state[i]);
        ps->state[i] = corr_sess_create(&ps->conf, &ps->cb, ps->ops[i]);
        ps->own[i] = corr_sess_own_mt(ps->state[i]);
    }
}

/* parser_set_free - destroy every parser; NULL */
struct parser_set *
parser_set_free(struct parser_set *ps)
{
    size_t  i;

    if (ps == NULL)
        return NULL;
    for (i = 0; i < ps->n; i++)
        corr_sess_free(ps->state[i]);
    xfree(ps);
    return NULL;
}

/* parser_feed - first parser that claims the line keeps it: both steps
 * on this thread */
int
parser_feed(struct parser_set *ps, const struct wrap_rec *r, struct trace *tr)
{
    struct parser_pre pre;
    union parser_pre_mta room;

    pre.u = &room;
    parser_pre_mt(ps, r, &pre);
    return parser_feed_pre(ps, r, &pre, tr);
}

/* parser_ident_slash - see parser.h */
int
parser_ident_slash(struct span ident)
{
    return parser_has_slash(ident.ptr, ident.len);
}

/* parser_ident_slash_mt - see parser.h: with a '/', a set of every
 * parser (Postfix's first) is told the Postfix program too */
int
parser_ident_slash_mt(const struct parser_set *ps, struct span ident)
{
    if (!parser_has_slash(ident.ptr, ident.len))
        return 0;
    return ps->all ? 2 + pf_sess_ident_prog(ident) : 1;
}

void
parser_pre_mt(const struct parser_set *ps, const struct wrap_rec *r,
              struct parser_pre *pre)
{
    (void) parser_pre_slash_in(ps, r, pre, -1);
}

/* parser_pre_slash_mt - parser_pre_mt(), the ident's '/' known (the
 * test was 21 of its 64 instructions a Postfix line) */
void
parser_pre_slash_mt(const struct parser_set *ps, const struct wrap_rec *r,
                    struct parser_pre *pre, int slash)
{
    (void) parser_pre_slash_in(ps, r, pre, slash);
}

/* parser_pre_silent - a Postfix line that changes nothing (parser.h) */
int
parser_pre_silent(const struct parser_pre *pre)
{
    return parser_pre_silent_in(pre);
}

/* parser_pre_size - what an event keeps (parser.h) */
size_t
parser_pre_size(const struct parser_set *ps, const struct parser_pre *pre)
{
    return pre->kind == PARSER_PRE_EVENT ? ps->ops[pre->at]->pre_size : 0;
}

/* parser_ident_noise_mt - the Postfix parser's noise idents */
int
parser_ident_noise_mt(const struct parser_set *ps, struct span ident)
{
    return ps->n > 0 && ps->ops[0] == &pf_corr_ops
        && pf_sess_ident_noise(corr_sess_own_mt(ps->state[0]), ident);
}

/* parser_feed_pre - the rest of parser_feed() after parser_pre_mt() */
int
parser_feed_pre(struct parser_set *ps, const struct wrap_rec *r,
                struct parser_pre *pre, struct trace *tr)
{
    switch (pre->kind) {
    case PARSER_PRE_DONE:
        *tr = pre->tr;
        return pre->mta;
    case PARSER_PRE_EVENT:
        memset(tr, 0, sizeof(*tr));
        tr->kind = TRACE_IRRELEVANT;
        ps->ops[pre->at]->apply(ps->state[pre->at], r, pre->u, tr);
        return pre->mta;
    default:
        memset(tr, 0, sizeof(*tr));
        tr->kind = TRACE_IRRELEVANT;
        return -1;
    }
}

/* parser_pre_prefetch - a hint before parser_feed_pre() (parser.h) */
void
parser_pre_prefetch(const struct parser_set *ps,
                    const struct parser_pre *pre, int deep)
{
    if (pre->kind == PARSER_PRE_EVENT && ps->ops[pre->at]->prefetch)
        ps->ops[pre->at]->prefetch(ps->state[pre->at], pre->u, deep);
}

/* parser_classify_ahead_mt - this thread classifies for another
 * (parser.h) */
void
parser_classify_ahead_mt(void)
{
    corr_canon_ahead = 1;
}

/* parser_prefetch_useful - many keys held (parser.h) */
int
parser_prefetch_useful(const struct parser_set *ps)
{
    size_t  i;

    for (i = 0; i < ps->n; i++)
        if (ps->ops[i]->prefetch
            && corr_sess_keys(ps->state[i]) >= PARSER_PREFETCH_KEYS)
            return 1;
    return 0;
}

/* parser_flush - end of input for every parser */
void
parser_flush(struct parser_set *ps)
{
    size_t  i;

    for (i = 0; i < ps->n; i++)
        corr_sess_flush(ps->state[i]);
}

/* parser_keep_open - every held key to sess_cb.keep, nothing flushed */
void
parser_keep_open(struct parser_set *ps)
{
    size_t  i;

    for (i = 0; i < ps->n; i++)
        corr_sess_keep(ps->state[i]);
}

/* parser_clocks - each parser's sweep clock, in the set's order */
size_t
parser_clocks(const struct parser_set *ps, unsigned long *feeds,
              int64_t *max_t)
{
    size_t  i;

    for (i = 0; i < ps->n; i++)
        corr_sess_clock(ps->state[i], &feeds[i], &max_t[i]);
    return ps->n;
}

/* parser_set_clocks - set them (NULL: zero), sweeps on or held back */
void
parser_set_clocks(struct parser_set *ps, const unsigned long *feeds,
                  const int64_t *max_t, int sweep)
{
    size_t  i;

    for (i = 0; i < ps->n; i++)
        corr_sess_set_clock(ps->state[i], feeds ? feeds[i] : 0,
                            max_t ? max_t[i] : 0, sweep);
}
