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
#include "wrap.h"
#include "../global/sess.h"

struct corr_ops;

/* one Exim line before correlation: what ex_corr_ops.classify_mt read
 * of it alone (spans into the line), for its apply. Each of the
 * struct's cache lines that the correlating thread reads was written
 * on another core and is a miss there (ex_apply() waited most on its
 * first reads), so what it reads of an event is on two lines of the
 * record's first three, the lines the engine fetches ahead of a record
 * (engine/pipe.c, pipe_item_fetch): the first holds the key's hash,
 * the event's time, the recipient's domain, the process id's hash and
 * the key (24 bytes without a log host); the third the X= hash and the
 * event's first 48 bytes (its kind, flags as bytes, the host group). A
 * key with a log host runs on into the second. The rest (the line's
 * stamp, body and pid, the event's spans and reason) is read by few
 * events or none. 384 bytes, six lines: the engine keeps each record
 * at a line's start */
struct ex_pre {
    /* an event's (not the arrival's): its message's key, made here so
     * that the correlating thread reads neither the line nor a hash */
    uint64_t khash;             /* htab_hash() of key */
    int64_t t;                  /* the event's time: Exim's stamp, else
                                 * the envelope's, else 0 (dated) */
    union {
        struct span dom;        /* an event's corr_rcpt_domain(ev.rcpt) */
        struct span from;       /* an arrival's sender (its only field
                                 * here besides the line's prefix) */
    };
    uint32_t pid_h;             /* a delivery's ex_pid_hash() of its
                                 * process id (0 for other events) */
    uint8_t klen;
    unsigned char dated;        /* t is a time */
    unsigned char arrival;      /* "ID <= own_from": note the id */
    /* log host, NUL, message id (ex_msgid(): 16 or 23 bytes) */
    char    key[SESS_MAX_LOGHOST + 1 + 25];
    uint32_t cipher_h;          /* a delivery's ex_cipher_hash() of its
                                 * X=, when ev.tls (made here: the one
                                 * correlating thread need not read it;
                                 * gcc loads it with the event's first
                                 * fields, read or not) */
    struct ex_event ev;
    struct ex_line ln;          /* [pid], message id, stamp */
};

/* the two lines above: the first with a main log's key (without a log
 * host: a NUL and an id of up to 23 bytes), the third with the
 * event's first fields */
_Static_assert(offsetof(struct ex_pre, key) + 24 <= 64
               && offsetof(struct ex_pre, cipher_h) >= 128
               && offsetof(struct ex_pre, ev.ip) + sizeof(struct span) <= 192
               && sizeof(struct ex_pre) <= 384,
               "struct ex_pre: what apply reads on lines one and three");

/* ex_sess_ident - 1 when a syslog program name is Exim's (exim, exim4,
 * syslog_processname variants) or cPanel's splogger. Pure */
static inline int
ex_sess_ident(struct span ident)
{
    return span_starts(ident, "exim") || span_eq(ident, "splogger");
}

/* ex_sess_foreign - 1 when ex_corr_ops.classify_mt surely declines a
 * line (CORR_PRE_NOT_MINE) before its message is read: the line has a
 * syslog ident and it is not Exim's (ex_sess_ident()), and its message
 * can hold neither Exim's stamp nor a message id at its start. That
 * classify_mt declines such a line whatever follows ("another
 * program's line") unless ex_prefix() finds one of the two there:
 *  - a stamp is read only from a message of at least 20 bytes, and
 *    only when its first 16 bytes are a minute read before or one read
 *    now (ex_seen_minute() in ex.c): either way "YYYY-MM-DD HH:MM",
 *    with the '-' at offset 4 (an unused or spoilt place of that cache
 *    begins with a NUL byte, and a stamp is tried only on a message
 *    that begins with a digit);
 *  - without a stamp a message id is sought at the message's start,
 *    and ex_msgid() wants at least 16 bytes and a '-' at offset 6.
 * A program of Exim's own (exim, exim4, splogger, and any line of an
 * Exim that logs through syslog: it names itself so) is never foreign.
 * Exim's classifier is asked before Sendmail's: on a Sendmail log its
 * call on every line was 80 instructions of about 2,300; this reads
 * the ident and two bytes (tests/t_ex.c compares it with the call on
 * generated lines). Pure */
static inline int
ex_sess_foreign(const struct wrap_rec *r)
{
    const char *p = r->msg.ptr;
    size_t  n = r->msg.len;

    return r->ident.len > 0 && !(n >= 20 && p[4] == '-')
        && !(n >= 16 && p[6] == '-') && !ex_sess_ident(r->ident);
}

/* ex_sess_dname_mt - dname_norm() of a host name as logged into out
 * (DNAME_MAX + 1 bytes; nothing written when it fails), and in *num
 * (unless NULL) whether the name is numeric (dname_is_numeric()). The
 * last names read on the calling thread are remembered by their text
 * (a log names the same MX hosts again and again): a hit writes what
 * the call wrote. ex_sess_addr_mt - ipaddr_norm() of an address as
 * logged into out (IPADDR_MAX + 1 bytes), remembered alike. What a
 * connection takes of a line's host group (tests/t_ex.c compares them
 * with the plain calls). Thread safety: per thread state only */
int     ex_sess_dname_mt(struct span h, char *out, int *num);
int     ex_sess_addr_mt(struct span ip, char *out);

/* ex_sess_peer_take - what a new connection of the Exim correlator mta
 * takes of a line's host and address as logged: its name and address
 * made canonical ("" when invalid, or the name numeric) into mx
 * (DNAME_MAX + 1 bytes) and nip (IPADDR_MAX + 1), the address as
 * logged, its key, into key (the first of the returned length, at most
 * 63, written). kept 1: through the correlator's memory of the pairs
 * it saw, as ex_apply() takes them; 0: made as without it. -1 when
 * the connection is not as it should be. For tests (tests/t_corr.c) */
int     ex_sess_peer_take(void *mta, struct span host, struct span ip,
                          int kept, char *mx, char *nip, char *key);

/* Exim to the correlator core (parsers/corr.h) and to parser.c */
extern const struct corr_ops ex_corr_ops;

#endif
