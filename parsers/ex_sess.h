/* parsers/ex_sess.h - Exim log lines tied into sessions
 *
 * Same contract as parsers/pf_sess.h: ex_corr_ops.feed takes one line
 * (envelope removed by wrap_parse(); an Exim main-log line arrives
 * undated, whole, and Exim's own stamp is read here), returns 1 when the
 * line is Exim's and says in tr what it meant, 0 when it is not (Postfix,
 * Sendmail, other programs). Lines are tied per (log host, message id);
 * finished sessions go to cb->session with a disposition. The rules are
 * in docs/parsers/exim.md.
 * State is bounded: per message at most 8 connections wait for their
 * domain; a message's state is dropped at "Completed", and messages idle
 * for an hour of log time are flushed (what waits becomes unattributed).
 * corr_sess_flush() hands over everything still waiting at end of input.
 * Thread safety: one struct ex_sess per thread of correlation.
 */
#ifndef PARSERS_EX_SESS_H
#define PARSERS_EX_SESS_H


struct corr_ops;

/* Exim to the correlator core (parsers/corr.h) and to parser.c */
extern const struct corr_ops ex_corr_ops;

#endif
