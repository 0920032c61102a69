/* parsers/ex_sess.h - Exim log lines tied into sessions
 *
 * Same contract as parsers/pf_sess.h, in two steps: ex_corr_ops.
 * classify_mt reads one line alone (envelope removed by wrap_parse(); an
 * Exim main-log line arrives undated, whole, and Exim's own stamp is
 * read here) on any thread, and says whether it is Exim's, what it
 * meant when it changes no state, or else the event (struct ex_pre);
 * ex_corr_ops.apply takes the event into the state in input order.
 * Lines are tied per (log host, message id);
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

#include <stddef.h>
#include <stdint.h>

#include "ex.h"
#include "../global/sess.h"

struct corr_ops;

/* one Exim line before correlation: what ex_corr_ops.classify_mt read
 * of it alone (spans into the line), for its apply */
struct ex_pre {
    /* an event's (not the arrival's): its message's key, made here so
     * that the correlating thread reads neither the line nor a hash.
     * The fields are in the order that thread reads them, the key (up
     * to 103 bytes) and the sender last: each of the struct's cache
     * lines it touches was written on another core, and is a miss
     * there (ex_apply() waited most on its first reads) */
    uint64_t khash;             /* htab_hash() of key */
    uint32_t klen;
    int     arrival;            /* "ID <= own_from": note the id */
    uint32_t cipher_h;          /* a delivery's ex_cipher_hash() of its
                                 * X=, when ev.tls (made here: the one
                                 * correlating thread need not read it) */
    uint32_t pid_h;             /* ex_pid_hash() of its process id */
    struct span dom;            /* corr_rcpt_domain(ev.rcpt) */
    struct ex_line ln;          /* stamp, [pid], message id */
    struct ex_event ev;
    char    key[SESS_MAX_LOGHOST + 40];     /* log host, NUL, message id */
    struct span from;           /* the arrival's sender */
};

/* Exim to the correlator core (parsers/corr.h) and to parser.c */
extern const struct corr_ops ex_corr_ops;

#endif
