/* parsers/sm_sess.h - Sendmail log lines tied into sessions
 *
 * Same contract as parsers/pf_sess.h: sm_sess_feed() takes one line
 * (envelope removed), returns 1 when the line is Sendmail's and says in
 * tr what it meant; finished sessions go to cb->session with a
 * disposition. State is bounded and flushed at the end of input.
 * Thread safety: one struct sm_sess per thread of correlation.
 */
#ifndef PARSERS_SM_SESS_H
#define PARSERS_SM_SESS_H

#include "sess.h"
#include "wrap.h"

struct sm_sess;

struct sm_sess *sm_sess_create(const struct sess_conf *conf,
                               const struct sess_cb *cb);
struct sm_sess *sm_sess_free(struct sm_sess *s);       /* always NULL */
int     sm_sess_feed(struct sm_sess *s, const struct wrap_rec *r,
                     struct trace *tr);
void    sm_sess_flush(struct sm_sess *s);

#endif
