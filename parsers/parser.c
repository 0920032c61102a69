/* parsers/parser.c - one front for every MTA's parser (see parser.h) */
#include "parser.h"
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

#define PARSER_COUNT (sizeof(parser_table) / sizeof(parser_table[0]))

/* keys of one parser from which fetching ahead pays: entries of about
 * a KiB, 4096 of them past the second-level cache of most machines */
#define PARSER_PREFETCH_KEYS 4096

struct parser_set {
    const struct corr_ops *ops[PARSER_COUNT];
    void   *state[PARSER_COUNT];
    size_t  n;
    int     all;                /* every parser, in parser_table's order */
    struct sess_conf conf;      /* as given: for parser_set_reset() */
    struct sess_cb cb;
};

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

/* parser_dated - 1 when the message at p (at least 11 bytes) begins
 * "DDDD-DD-DD ". On a little-endian machine two words, bytes 0-7 and
 * 3-10, each masked and compared once as it is and once with 6 added
 * to its digits: a byte is a digit when its high nibble is 3 and stays
 * 3 with 6 added (a low nibble above 9 carries: 0x3a + 6 = 0x40); the
 * '-' and ' ' bytes are compared whole. A byte that passes the first
 * test is below 0x40, so adding 6 carries out of none: each byte is
 * tested on its own. A loop of the bytes took 30 instructions a line,
 * one word and the last bytes one by one 33 (with the tests of the
 * separators), the two words 14 */
static inline int
parser_dated(const char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* bytes 0-7 "DDDD-DD-": digits' high nibbles, the '-' whole */
    const uint64_t m0 = 0xfff0f0fff0f0f0f0ULL;
    const uint64_t e0 = 0x2d30302d30303030ULL;
    const uint64_t a0 = 0x0006060006060606ULL;
    /* bytes 3-10: only 8-10, "DD " */
    const uint64_t m1 = 0xfff0f00000000000ULL;
    const uint64_t e1 = 0x2030300000000000ULL;
    const uint64_t a1 = 0x0006060000000000ULL;
    uint64_t w0, w1;

    memcpy(&w0, p, 8);
    memcpy(&w1, p + 3, 8);
    return (w0 & m0) == e0 && ((w0 + a0) & m0) == e0
        && (w1 & m1) == e1 && ((w1 + a1) & m1) == e1;
#else
    int     i;

    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (p[i] < '0' || p[i] > '9'))
            return 0;
    return p[4] == '-' && p[7] == '-' && p[10] == ' ';
#endif
}

/* parser_has_slash - 1 when the n bytes at p hold a '/'. An ident of 4
 * to 16 bytes is read as two words that overlap (bytes 0 to w - 1 and
 * n - w to n - 1), each tested for a '/' at once: a word holds one when
 * its bytes xor '/' hold a zero, and (x - 0x01..) & ~x & 0x80.. is not
 * zero exactly then. Nothing past the n bytes is read. A loop of the
 * bytes of "postfix/smtp" or "sm-mta" took 25 to 35 instructions a
 * line */
static inline int
parser_has_slash(const char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    const uint64_t sl = 0x2f2f2f2f2f2f2f2fULL;
    uint64_t a, b;
    uint32_t c, d;
    size_t  i;

    if (n >= 8 && n <= 16) {
        memcpy(&a, p, 8);
        memcpy(&b, p + n - 8, 8);
        a ^= sl;
        b ^= sl;
        return (((a - ones) & ~a) | ((b - ones) & ~b)) & high ? 1 : 0;
    }
    if (n >= 4 && n < 8) {
        memcpy(&c, p, 4);
        memcpy(&d, p + n - 4, 4);
        c ^= (uint32_t) sl;
        d ^= (uint32_t) sl;
        return (((c - (uint32_t) ones) & ~c) | ((d - (uint32_t) ones) & ~d))
            & (uint32_t) high ? 1 : 0;
    }
    for (i = 0; i < n; i++)
        if (p[i] == '/')
            return 1;
    return 0;
}

/* parser_pf_not_mine - 1 when the Postfix parser's classify_mt
 * (pf_classify_mt() in pf_sess.c) surely declines a line at its first
 * test, before it reads the message: an ident without a '/' names no
 * Postfix program (pf_prog(): PF_PROG_NONE; its "/smtp" and "/qmgr"
 * hold one), and a line without ident whose message begins
 * "DDDD-DD-DD " is Exim's main log (pf_dated_msg()). On an Exim log
 * that is every line, and the call, its trace's clearing and its tests
 * were 3 % of the instructions of a run; this reads a few bytes */
static inline int
parser_pf_not_mine(const struct wrap_rec *r, int slash)
{
    if (r->ident.len > 0)
        return slash >= 0 ? !slash
            : !parser_has_slash(r->ident.ptr, r->ident.len);
    return r->msg.len >= 11 && parser_dated(r->msg.ptr);
}

/* parser_ident_slash - see parser.h */
int
parser_ident_slash(struct span ident)
{
    return parser_has_slash(ident.ptr, ident.len);
}

/* parser_try - parser i of the set, op, classifies the line: 1 when
 * it claims it (pre filled), 0 when not. With op known where it is
 * called, the call is direct */
static inline int
parser_try(const struct parser_set *ps, size_t i, const struct corr_ops *op,
           const struct wrap_rec *r, struct parser_pre *pre)
{
    int     k;

    k = op->classify_mt(r, corr_sess_own_mt(ps->state[i]), pre->u, &pre->tr);
    if (k == CORR_PRE_NOT_MINE)
        return 0;
    pre->kind = k == CORR_PRE_DONE ? PARSER_PRE_DONE : PARSER_PRE_EVENT;
    pre->mta = op->mta;
    pre->at = (int) i;
    return 1;
}

/* parser_pre_in - the stateless part of parser_feed() (parser.h), for
 * parser_pre_mt() and parser_pre_slash_mt() (slash: -1, or what
 * parser_ident_slash() says of the ident): each
 * parser's classify_mt in turn, up to the first that claims the line.
 * A set of every parser in parser_table's order (the default) has a
 * path of its own: each step a test and a direct call (the loop over
 * the set, its tests of which parser each is and the call through a
 * pointer were 40 of its 85 instructions a line on an Exim log).
 *
 * There a line without ident whose message begins with a digit (Exim's
 * main log: every line) is Exim's to read first: when it claims it and
 * found Exim's time stamp at its start (ex_pre.ln.stamped), the message
 * begins "YYYY-MM-DD HH:MM:SS" (ex_prefix() read every digit of it:
 * ex_seen_read() in ex.c), so "DDDD-DD-DD ", and Postfix's classify_mt
 * declines the line (parser_pf_not_mine()): Exim's answer is the
 * set's. Else the order is kept: Postfix is asked, and Exim again if
 * Postfix declines (its classify_mt is pure: the same answer). This
 * spares Exim's lines the date test of parser_pf_not_mine(), 25
 * instructions of its 70 a line (tests/t_ex.c compares the set's
 * answer with each classify_mt asked in turn on generated lines) */
static inline __attribute__((always_inline)) void
parser_pre_in(const struct parser_set *ps, const struct wrap_rec *r,
              struct parser_pre *pre, int slash)
{
    size_t  i;

    if (ps->all) {
        if (r->ident.len == 0 && r->msg.len > 0
            && r->msg.ptr[0] >= '0' && r->msg.ptr[0] <= '9') {
            /* no ident: slash is not read (-1 here spares Exim's
             * lines keeping it across the calls) */
            if (parser_try(ps, 1, &ex_corr_ops, r, pre)) {
                if (!((const struct ex_pre *) pre->u)->ln.stamped
                    && !parser_pf_not_mine(r, -1)
                    && !parser_try(ps, 0, &pf_corr_ops, r, pre))
                    (void) parser_try(ps, 1, &ex_corr_ops, r, pre);
                return;
            }
            if ((!parser_pf_not_mine(r, -1)
                 && parser_try(ps, 0, &pf_corr_ops, r, pre))
                || parser_try(ps, 2, &sm_corr_ops, r, pre))
                return;
        } else if ((!parser_pf_not_mine(r, slash)
                    && parser_try(ps, 0, &pf_corr_ops, r, pre))
                   || (!ex_sess_foreign(r)
                       && parser_try(ps, 1, &ex_corr_ops, r, pre))
                   || parser_try(ps, 2, &sm_corr_ops, r, pre)) {
            return;
        }
    } else {
        for (i = 0; i < ps->n; i++) {
            if (ps->ops[i] == &pf_corr_ops && parser_pf_not_mine(r, slash))
                continue;       /* what pf_classify_mt() would say */
            if (ps->ops[i] == &ex_corr_ops && ex_sess_foreign(r))
                continue;       /* what ex_classify_mt() would say */
            if (parser_try(ps, i, ps->ops[i], r, pre))
                return;
        }
    }
    pre->kind = PARSER_PRE_NONE;
    pre->mta = -1;
    pre->at = -1;
}

void
parser_pre_mt(const struct parser_set *ps, const struct wrap_rec *r,
              struct parser_pre *pre)
{
    parser_pre_in(ps, r, pre, -1);
}

/* parser_pre_slash_mt - parser_pre_mt(), the ident's '/' known (the
 * test was 21 of its 64 instructions a Postfix line) */
void
parser_pre_slash_mt(const struct parser_set *ps, const struct wrap_rec *r,
                    struct parser_pre *pre, int slash)
{
    parser_pre_in(ps, r, pre, slash);
}

/* parser_pre_silent - a Postfix line that changes nothing (parser.h) */
int
parser_pre_silent(const struct parser_pre *pre)
{
    return pre->kind == PARSER_PRE_DONE && pre->mta == SESS_MTA_POSTFIX
        && pre->tr.kind != TRACE_BAD;
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
