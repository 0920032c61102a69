/* parsers/pf_sess.h - Postfix lines tied into sessions
 *
 * pf_corr_ops takes one log line (envelope removed) and, when it
 * is a Postfix smtp(8)/lmtp(8)/tlsproxy(8) line, updates the state of
 * that process, keyed by (log host, program name, pid): one smtp
 * process sets up one connection at a time. When a connection's
 * outcome and its recipient domain are both known, the session is
 * handed to the session callback with a disposition (counted, or why
 * not). The rules are in docs/architecture.md ("Sessions", "Counting
 * rules"); the correlator core (keys, rings, flush, emit) is corr.h's.
 * State is bounded: per process at most PF_MAX_PEND connections wait
 * for their domain, and processes idle for SESS_IDLE_SECS (parser.h)
 * of log time are flushed (their waiting connections become
 * "unattributed").
 * A line takes two steps that may run on different threads:
 * pf_corr_ops.classify_mt looks at one line alone (which program, what
 * event, what a status text implies) and keeps no state, so it can run
 * on a parsing thread; pf_corr_ops.apply takes its result (struct
 * pf_pre), in input order, into the process state. The result holds
 * spans into the line: the line must live until it is applied.
 * Thread safety: one struct pf_sess per thread of correlation;
 * classify_mt is pure.
 */
#ifndef PARSERS_PF_SESS_H
#define PARSERS_PF_SESS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pf.h"
#include "../global/sess.h"
#include "../util/ipaddr.h"
#include "sess_own.h"
#include "trace.h"
#include "wrap.h"

#define PF_MAX_PEND 8
#define PF_PID_MAX 20           /* bytes of a pid in a process's key */
/* a process's key kept in struct pf_pre when it is at most this long
 * (most are: "host NUL postfix/smtp NUL pid" is some 25 bytes): the
 * struct's first 64 bytes hold the hash, the flags and such a key */
#define PF_KEY_INLINE 36

struct pf_sess;
struct corr_ops;

/* Postfix to the correlator core (parsers/corr.h) and to parser.c */
extern const struct corr_ops pf_corr_ops;

/* one Postfix line before correlation: what classify_mt read of it
 * alone (spans into the line), for its apply */
struct pf_pre {
    /* what the correlating thread reads first (pf_prefetch, some lines
     * ahead), together at the start: another thread wrote it, and each
     * line of it read is a miss to that thread's cache */
    /* the process's key (corr_key_proc) and its hash: made by the
     * thread that classifies, so that the one that applies, in order,
     * neither builds nor hashes it. A key longer than PF_KEY_INLINE is
     * built again there (klen 0): room for every key would double the
     * struct, and the memory each chunk's records take */
    uint64_t khash;
    uint8_t lmtp;               /* the program is lmtp(8) */
    uint8_t qmgr;               /* a qmgr line for the no-loop tracker */
    uint8_t proxy;              /* a tlsproxy(8) verdict (pf_sess.c) */
    /* the peer and the recipient domain made canonical here, not on
     * the correlating thread (pf_canon_peer, pf_canon_dom in pf_sess.c):
     * each enum corr_canon (corr.h). What the correlating thread writes from them
     * is what dname_norm() and ipaddr_norm() of the same text write */
    /* peer_made to ip_len: in the order of struct pf_peer_canon's made
     * to ip_len (pf.h), copied as one block (pf_canon_memo) */
    uint8_t peer_made;          /* host and ip set (else made when
                                 * needed, pf_peer_made) */
    uint8_t host;               /* ev.peer_host */
    uint8_t host_len;           /* CORR_CANON_RAW: its canonical length */
    uint8_t host_num;           /* CORR_CANON_RAW: dname_is_numeric() */
    uint8_t ip;                 /* ev.peer_ip */
    uint8_t ip_len;             /* CORR_CANON_RAW */
    uint8_t dom;                /* PF_STATUS: corr_rcpt_domain(ev.rcpt),
                                 * CORR_CANON_BAD also when numeric */
    uint8_t dom_clen;           /* CORR_CANON_RAW: its canonical length */
    uint16_t klen;              /* bytes of key; 0: not kept */
    uint32_t dom_len;           /* the domain's length in ev.rcpt */
    char    key[PF_KEY_INLINE];
    struct pf_event ev;
    /* pf_text_result() of ev.text, for PF_STATUS and PF_SOFT (not
     * written for the other events: never read) */
    int     text_res;
    int     text_kind;          /* enum pf_text_kind */
    int     text_dane;
    const char *text_why;
    int     past_ehlo;          /* PF_STATUS, PF_SOFT: the text shows a
                                 * dialogue past EHLO (pf_sess.c) */
    char    ipbuf[IPADDR_MAX + 1];      /* ip CORR_CANON_BUF: canonical */
};


/* pf_key_line - corr_key_proc(r, key, PF_PID_MAX) of a line whose host,
 * ident and pid lie one byte apart in it ("host ident[pid", as
 * parsers/wrap.c reads most lines) and whose key has 16 to
 * PF_KEY_INLINE bytes: the bytes from the host's first to the pid's
 * last, its two separators made NUL, copied as two or three blocks of
 * sixteen; n, or 0 for any other line (corr_key_proc() then). key has
 * room for PF_KEY_INLINE bytes. tests/t_pfmemo.c compares the two on
 * generated fields of every length, apart or not */
static inline size_t
pf_key_line(const struct wrap_rec *r, char *key)
{
    const char *p = r->host.ptr;
    size_t  hl = r->host.len;
    size_t  il = r->ident.len;
    size_t  n = hl + il + r->pid.len + 2;

    if (p == NULL) {
        /* a line without host ("postfix/smtp[1]: ..." that syslog got
         * without its envelope, 14 k lines of the replayed corpus
         * slice): NUL, then the n - 1 bytes from the ident's first to
         * the pid's last, its separator made NUL */
        const char *q = r->ident.ptr;

        if (hl != 0 || q == NULL || r->pid.len > PF_PID_MAX
            || n - 17 > PF_KEY_INLINE - 17 || r->pid.ptr != q + il + 1)
            return 0;
        key[0] = 0;
        memcpy(key + 1, q, 16);
        if (n > 33)
            memcpy(key + 17, q + 16, 16);
        memcpy(key + n - 16, q + n - 17, 16);
        key[1 + il] = 0;
        return n;
    }
    /* n <= PF_KEY_INLINE: hl and il are below corr_key_proc()'s caps;
     * an empty field one byte after the one before is copied alike */
    if (r->pid.len > PF_PID_MAX || n - 16 > PF_KEY_INLINE - 16
        || r->ident.ptr != p + hl + 1 || r->pid.ptr != p + hl + il + 2)
        return 0;
    memcpy(key, p, 16);
    if (n > 32)
        memcpy(key + 16, p + 16, 16);
    memcpy(key + n - 16, p + n - 16, 16);
    key[hl] = 0;
    key[hl + 1 + il] = 0;
    return n;
}

/* 1 when pf_corr_ops.classify_mt with this own returns CORR_PRE_DONE
 * with an irrelevant trace for every line of this ident, whatever its
 * message: a Postfix program ("name/service") other than smtp, lmtp, tlsproxy
 * and (unless own is NULL: no own mail to track) qmgr. Pure. */
int     pf_sess_ident_noise(const struct sess_own *own, struct span ident);

/* the program of an ident (len > 0) as pf_corr_ops.classify_mt reads
 * it, a small number (0: not a Postfix program); and classify_mt with
 * it given (prog: what pf_sess_ident_prog() said of r's ident, or -1
 * when r has none): a caller that remembers it by ident tag spares the
 * line the classifier's own look-up. Pure. */
int     pf_sess_ident_prog(struct span ident);

/* corr_rcpt_domain(rcpt) as the classifier finds it (for tests) */
struct span pf_sess_rcpt_domain(struct span rcpt);
int     pf_sess_classify_prog_mt(const struct wrap_rec *r,
                                 const struct sess_own *own, void *prep,
                                 struct trace *tr, int prog);

#endif
