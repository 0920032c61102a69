/* parsers/parser_int.h - the parser set as parser.c keeps it, and its
 * classifying step inline (parser_pre_slash_in)
 *
 * For parser.c and the per-line loops of engine/pipe.c only: a call of
 * parser_pre_slash_mt() a line, its frame and the reloads of what the
 * caller kept in registers, was 20 of its 50 instructions a line on an
 * Exim log (18 of 46 on a Postfix one). Everything here is what
 * parser.h declares: the same answers, by the same code.
 * Thread safety: parser_pre_slash_in() reads the set only.
 */
#ifndef PARSERS_PARSER_INT_H
#define PARSERS_PARSER_INT_H

#include <string.h>

#include "parser.h"
#include "corr.h"
#include "ex_sess.h"
#include "pf_sess.h"

#define PARSER_COUNT 3          /* parser.c's parser_table */

struct parser_set {
    const struct corr_ops *ops[PARSER_COUNT];
    void   *state[PARSER_COUNT];
    /* corr_sess_own_mt() of each state, kept: two loads a line fewer */
    const struct sess_own *own[PARSER_COUNT];
    size_t  n;
    int     all;                /* every parser, in parser_table's order */
    struct sess_conf conf;      /* as given: for parser_set_reset() */
    struct sess_cb cb;
};

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

_Static_assert(CORR_PRE_DONE == PARSER_PRE_DONE
               && CORR_PRE_EVENT == PARSER_PRE_EVENT,
               "parser_try: a classify_mt answer is the kind");

/* parser_try - parser i of the set, op, classifies the line: 1 when
 * it claims it (pre filled), 0 when not. With op known where it is
 * called, the call is direct */
static inline int
parser_try(const struct parser_set *ps, size_t i, const struct corr_ops *op,
           const struct wrap_rec *r, struct parser_pre *pre)
{
    int     k;

    k = op->classify_mt(r, ps->own[i], pre->u, &pre->tr);
    if (k == CORR_PRE_NOT_MINE)
        return 0;
    pre->kind = (enum parser_pre_kind) k;       /* DONE or EVENT */
    pre->mta = op->mta;
    pre->at = (int) i;
    return 1;
}

/* parser_try_pf - parser_try() of the Postfix parser (first in a set
 * of every parser), the program of the line's ident known (prog: what
 * pf_sess_ident_prog() said of it): its classify_mt without the
 * look-up of the program by tag that it makes of its own (the engine
 * made one already, parser_ident_slash_mt) */
static inline int
parser_try_pf(const struct parser_set *ps, const struct wrap_rec *r,
              struct parser_pre *pre, int prog)
{
    int     k;

    k = pf_sess_classify_prog_mt(r, ps->own[0], pre->u, &pre->tr, prog);
    if (k == CORR_PRE_NOT_MINE)
        return 0;
    pre->kind = (enum parser_pre_kind) k;       /* DONE or EVENT */
    pre->mta = SESS_MTA_POSTFIX;
    pre->at = 0;
    return 1;
}

/* parser_pf_silent - parser_pre_silent() of a line the Postfix parser
 * claimed */
static inline int
parser_pf_silent(const struct parser_pre *pre)
{
    return pre->kind == PARSER_PRE_DONE && pre->tr.kind != TRACE_BAD;
}

/* parser_pre_digit_in - parser_pre_slash_in() of a set of every parser
 * (ps->all) and a line without ident whose message begins with a digit
 * (see there): Exim's first. The engine's loops call it at once for a
 * line that wrap_parse() knows to be Exim's (WRAP_EXIM: no ident, the
 * message the line, a digit first), sparing it the noise test of its
 * ident and the tests of parser_pre_slash_in() */
static inline __attribute__((always_inline)) int
parser_pre_digit_in(const struct parser_set *ps, const struct wrap_rec *r,
                    struct parser_pre *pre)
{
    if (parser_try(ps, 1, &ex_corr_ops, r, pre)) {
        if (__builtin_expect(((const struct ex_pre *) pre->u)
                             ->ln.stamped, 1))
            return 0;
        if (!parser_pf_not_mine(r, -1)
            && parser_try(ps, 0, &pf_corr_ops, r, pre))
            return parser_pf_silent(pre);
        (void) parser_try(ps, 1, &ex_corr_ops, r, pre);
        return 0;
    }
    if (!parser_pf_not_mine(r, -1)
        && parser_try(ps, 0, &pf_corr_ops, r, pre))
        return parser_pf_silent(pre);
    if (parser_try(ps, 2, &sm_corr_ops, r, pre))
        return 0;
    pre->kind = PARSER_PRE_NONE;
    pre->mta = -1;
    pre->at = -1;
    return 0;
}

/* parser_pre_slash_in - the stateless part of parser_feed() (parser.h),
 * parser_pre_slash_mt() inline (slash: -1, or what
 * parser_ident_slash() or parser_ident_slash_mt() says of the ident): each
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
 * answer with each classify_mt asked in turn on generated lines).
 *
 * Returns parser_pre_silent() of the answer, told where the claiming
 * parser is known: an Exim or Sendmail line is never silent, so its
 * caller does not read pre again to ask (4 instructions an Exim line) */
static inline __attribute__((always_inline)) int
parser_pre_slash_in(const struct parser_set *ps, const struct wrap_rec *r,
                    struct parser_pre *pre, int slash)
{
    size_t  i;

    if (ps->all) {
        if (r->ident.len == 0 && r->msg.len > 0
            && r->msg.ptr[0] >= '0' && r->msg.ptr[0] <= '9') {
            /* no ident: slash is not read (-1 here spares Exim's
             * lines keeping it across the calls) */
            return parser_pre_digit_in(ps, r, pre);
        } else {
            /* slash 2 or more: the ident's program is slash - 2 */
            if (!parser_pf_not_mine(r, slash)
                && (slash >= 2 ? parser_try_pf(ps, r, pre, slash - 2)
                    : parser_try(ps, 0, &pf_corr_ops, r, pre)))
                return parser_pf_silent(pre);
            if ((!ex_sess_foreign(r)
                 && parser_try(ps, 1, &ex_corr_ops, r, pre))
                || parser_try(ps, 2, &sm_corr_ops, r, pre))
                return 0;
        }
    } else {
        for (i = 0; i < ps->n; i++) {
            if (ps->ops[i] == &pf_corr_ops && parser_pf_not_mine(r, slash))
                continue;       /* what pf_classify_mt() would say */
            if (ps->ops[i] == &ex_corr_ops && ex_sess_foreign(r))
                continue;       /* what ex_classify_mt() would say */
            if (parser_try(ps, i, ps->ops[i], r, pre))
                return ps->ops[i] == &pf_corr_ops && parser_pf_silent(pre);
        }
    }
    pre->kind = PARSER_PRE_NONE;
    pre->mta = -1;
    pre->at = -1;
    return 0;
}

/* parser_feed_pre_in - parser_feed_pre() inline, for the engine's
 * loops: the trace of a line that changes no state is pre->tr itself,
 * not a copy of it; tr, which it returns otherwise, is filled. *mta:
 * what parser_feed_pre() returns */
static inline __attribute__((always_inline)) const struct trace *
parser_feed_pre_in(struct parser_set *ps, const struct wrap_rec *r,
                   struct parser_pre *pre, struct trace *tr, int *mta)
{
    if (pre->kind == PARSER_PRE_DONE) {
        *mta = pre->mta;
        return &pre->tr;
    }
    memset(tr, 0, sizeof(*tr));
    tr->kind = TRACE_IRRELEVANT;
    if (pre->kind == PARSER_PRE_EVENT) {
        ps->ops[pre->at]->apply(ps->state[pre->at], r, pre->u, tr);
        *mta = pre->mta;
    } else {
        *mta = -1;
    }
    return tr;
}

/* parser_pre_silent_in - parser_pre_silent() inline */
static inline int
parser_pre_silent_in(const struct parser_pre *pre)
{
    return pre->kind == PARSER_PRE_DONE && pre->mta == SESS_MTA_POSTFIX
        && pre->tr.kind != TRACE_BAD;
}

#endif
