/* parsers/sm_sess.h - Sendmail log lines tied into sessions
 *
 * Same contract as parsers/pf_sess.h: sm_corr_ops.classify_mt reads one
 * line alone (envelope removed) on any thread and says whether it is
 * Sendmail's (programs sm-mta, sendmail, sm-msp-queue; message-only
 * lines of a Sendmail shape; FortiMail's msg="..." event records), what
 * it meant when it changes no state, or else the event (struct sm_pre);
 * sm_corr_ops.apply takes it into the state in input order; finished
 * sessions go to cb->session with a disposition.
 *
 * Sendmail's STARTTLS=client lines carry no queue id: they are tied by
 * process (log host, program, pid) to the next "QID: to=..." delivery
 * line of that process, which names the recipient domain for every
 * connection the process made for that delivery (one per MX tried).
 * The rules are in docs/parsers/sendmail.md.
 * State is bounded: per process at most SM_MAX_PEND connections wait
 * for their domain, processes idle for SESS_IDLE_SECS (parser.h) of log
 * time are flushed, and everything is flushed at the end of input.
 * Thread safety: one struct sm_sess per thread of correlation.
 */
#ifndef PARSERS_SM_SESS_H
#define PARSERS_SM_SESS_H


#include <stdint.h>

#include "sm.h"
#include "../global/sess.h"

#define SM_MAX_PEND 16
#define SM_KEY_MAX (SESS_MAX_LOGHOST + 160)     /* corr.h's CORR_KEY_MAX */

struct corr_ops;

/* one Sendmail line before correlation: what sm_corr_ops.classify_mt
 * read of it alone (spans into the line), for its apply. What needs no
 * state is done there, on a parsing thread: the key of the process,
 * the relay canonical (pe), the type of a certificate problem, whether
 * the mailer is relay */
struct sm_pre {
    /* what apply reads first, together */
    int     from;               /* "QID: from=<own_from>": note the id */
    int     forti;              /* a FortiMail record: msg and pid below
                                 * stand for the line's */
    int     relay_mailer;       /* SM_DELIVERY: mailer=relay */
    int     prob;               /* SM_VERIFYMSG: sm_cert_problem(text) */
    uint8_t dom;                /* SM_DELIVERY: enum corr_canon of
                                 * ev.domain (corr_canon_dom_mt) */
    uint8_t dom_clen;           /* CORR_CANON_RAW: its canonical length */
    size_t  klen;               /* key of the process (corr_key_proc) */
    /* the hash of that key (htab_hash): made by the parsing thread, so
     * that the correlating thread does not hash (corr_enter_hashed) */
    uint64_t khash;
    char    key[SM_KEY_MAX];
    struct sm_peer pe;          /* events with a relay: sm_peer_set() */
    struct sm_event ev;
    struct span msg;            /* its Sendmail message */
    struct span pid;            /* its session id */
    struct span qid;            /* of that line */
    struct span addr;           /* its sender */
};

/* Sendmail to the correlator core (parsers/corr.h) and to parser.c */
extern const struct corr_ops sm_corr_ops;

#endif
