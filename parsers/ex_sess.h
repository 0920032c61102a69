/* parsers/ex_sess.h - Exim log lines tied into sessions
 *
 * Same contract as parsers/pf_sess.h: ex_sess_feed() takes one line
 * (envelope removed), returns 1 when the line is Exim's and says in
 * tr what it meant; finished sessions go to cb->session with a
 * disposition. State is bounded and flushed at the end of input.
 * Thread safety: one struct ex_sess per thread of correlation.
 */
#ifndef PARSERS_EX_SESS_H
#define PARSERS_EX_SESS_H

#include "sess.h"
#include "wrap.h"

struct ex_sess;

struct ex_sess *ex_sess_create(const struct sess_conf *conf,
                               const struct sess_cb *cb);
struct ex_sess *ex_sess_free(struct ex_sess *s);       /* always NULL */
int     ex_sess_feed(struct ex_sess *s, const struct wrap_rec *r,
                     struct trace *tr);
void    ex_sess_flush(struct ex_sess *s);

#endif
