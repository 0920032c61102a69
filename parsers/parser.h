/* parsers/parser.h - one front for every MTA's parser
 *
 * Each MTA parser fills in a struct corr_ops (parsers/corr.h, as
 * OpenSMTPD's back ends do): its name, its two steps of one line
 * (classify_mt alone, apply in order), its connection and what the
 * correlator core asks of it; the core makes, flushes and frees its
 * correlator. parser_feed() offers each line to the parsers in turn;
 * the first that says the line is its own keeps it. Detection is per
 * line (one host may run Postfix and Sendmail; journal output mixes
 * services), so no flag is needed; --mta NAME limits the run to one.
 * Thread safety: one struct parser_set per thread of correlation.
 */
#ifndef PARSERS_PARSER_H
#define PARSERS_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "ex_sess.h"
#include "pf_sess.h"
#include "sm_sess.h"
#include "trace.h"
#include "wrap.h"
#include "../global/sess.h"

/* which correlator a key belongs to (sess_cb.hold, keep) */
enum sess_mta {
    SESS_MTA_POSTFIX = 0,
    SESS_MTA_EXIM,
    SESS_MTA_SENDMAIL,
    SESS_MTA_COUNT
};

/* every correlator forgets a key idle this long (log time) */
#define SESS_IDLE_SECS 3600

/* what every parser needs to know of the configuration */
struct sess_conf {
    const int *mx_ports;        /* ports of MX sessions; NULL: {25} */
    size_t  nmx_ports;
    /* 1 when host (canonical name) or ip is a configured relay host */
    int     (*is_relay) (const char *host, const char *ip, const void *ctx);
    const void *is_relay_ctx;
    /* envelope sender of our own report mail (mail_from), or NULL:
     * sessions of messages from it are SESS_D_OWN_REPORT */
    const char *own_from;
    /* Sendmail's connection cache (sendmail.cf ConnectionCacheSize,
     * ConnectionCacheTimeout), which decides when a runner closes a
     * cached connection: sm_cache_size 0 is Sendmail's default (2), -1
     * its 0 (no cache); sm_cache_timeout 0 is its default (300 s) */
    int     sm_cache_size;
    long    sm_cache_timeout;
};

/* where every parser delivers sessions */
struct sess_cb {
    void    (*session) (void *ctx, const struct sess_rec *r,
                        enum sess_disp d);
    /* optional (NULL: session is called): the session as its maker
     * holds it (global/sess.h: its strings where they lie, with their
     * lengths; no record made), called instead of session when set */
    void    (*session_view) (void *ctx, const struct sess_view *v,
                             enum sess_disp d);
    /* the log host writes TLS lines for outbound connections (len:
     * strlen(loghost)) */
    void    (*tls_host) (void *ctx, const char *loghost, size_t len);
    void   *ctx;
    /* optional (NULL: none), for saved states (carry.h: carry_hold,
     * carry_keep): hold is asked before a line changes the state of
     * correlation key (key, klen) of parser mta (enum sess_mta), with
     * the time the correlator uses; 1: the caller keeps the line, the
     * correlator skips it. keep is asked at flush for every key still
     * open; 1: leave it open (not handed over as unattributed) */
    int     (*hold) (void *ctx, int mta, const void *key, size_t klen,
                     int dated, int64_t t, const struct wrap_rec *r);
    int     (*keep) (void *ctx, int mta, const void *key, size_t klen);
};

struct parser_set;

/* all parsers, or only the one named (NULL: all); NULL if unknown name */
struct parser_set *parser_set_create(const char *only,
                                     const struct sess_conf *conf,
                                     const struct sess_cb *cb);
struct parser_set *parser_set_free(struct parser_set *ps);      /* NULL */

/* every parser's state as parser_set_create() left it: nothing of the
 * lines fed before remains (the configuration and callbacks given to
 * parser_set_create() are kept, and must still be valid). For a caller
 * that runs many small inputs, each on its own (tests/fuzz/fz_line.c) */
void    parser_set_reset(struct parser_set *ps);

/* offer one line; tr is "irrelevant" when no parser claims it.
 * Returns the parser that claimed it (enum sess_mta), or -1 */
int     parser_feed(struct parser_set *ps, const struct wrap_rec *r,
                    struct trace *tr);

/* parser_feed() in two steps, for parsing on many threads:
 * parser_pre_mt() on any thread does what needs no state (each
 * parser's classify_mt, parsers/corr.h: which MTA's line it is, what it
 * meant when it changes no state, else its event), parser_feed_pre()
 * on the correlating thread, in input order, the rest. The same lines
 * through both give exactly what parser_feed() gives (which is the
 * two, one after the other). */
enum parser_pre_kind {
    PARSER_PRE_NONE = 0,        /* no parser's: irrelevant */
    PARSER_PRE_DONE,            /* claimed without state: tr is final */
    PARSER_PRE_EVENT,           /* an event for parser mta to apply */
};

/* what one parser read of a line alone (each is at most this big) */
union parser_pre_mta {
    struct pf_pre pf;
    struct ex_pre ex;
    struct sm_pre sm;
};

#define PARSER_PRE_ROOM sizeof(union parser_pre_mta)

struct parser_pre {
    enum parser_pre_kind kind;
    int     mta;                /* enum sess_mta of the claiming parser */
    int     at;                 /* its place in the set */
    struct trace tr;            /* PARSER_PRE_DONE */
    /* PARSER_PRE_EVENT: the claiming parser's own struct (struct pf_pre,
     * ex_pre, sm_pre) of parser_pre_size() bytes. The caller gives
     * PARSER_PRE_ROOM bytes (8-byte aligned) here before parser_pre_mt()
     * and keeps what parser_pre_size() says until parser_feed_pre():
     * kept lines need not all take the largest room */
    void   *u;
};

/* parser_pre_silent - 1 when a classified line is the Postfix parser's,
 * changes no state and is not bad: a caller may drop it before its
 * repeated-line test. Exim's and Sendmail's such lines (and lines of no
 * MTA) are not: they have always gone through that test, which must go
 * on comparing the same records. Pure */
int     parser_pre_silent(const struct parser_pre *pre);

/* parser_pre_size - the bytes of pre->u that an event uses (0: none) */
size_t  parser_pre_size(const struct parser_set *ps,
                        const struct parser_pre *pre);

/* Postfix's classify_mt is not asked of a line it surely declines at
 * its first test (an ident without '/'; no ident and a message that
 * begins "DDDD-DD-DD "), nor Exim's of a line of another program that
 * cannot begin with Exim's stamp or message id (ex_sess_foreign()):
 * the answer is the same, without the call.
 * Thread safety: reads only the immutable parser list (and what
 * classify_mt may read of each correlator: its no-loop tracker's
 * configuration) */
void    parser_pre_mt(const struct parser_set *ps, const struct wrap_rec *r,
                      struct parser_pre *pre);

/* parser_pre_mt() with what parser_ident_slash() or
 * parser_ident_slash_mt() said of r's ident given (slash: 0 or more;
 * -1: not known): a caller that remembers it by
 * ident (wrap_rec.ident_tag) spares each line the test */
void    parser_pre_slash_mt(const struct parser_set *ps,
                            const struct wrap_rec *r, struct parser_pre *pre,
                            int slash);

/* 1 when ident holds a '/' (Postfix's "postfix/smtp"), 0 if not */
int     parser_ident_slash(struct span ident);

/* parser_ident_slash() for parser_pre_slash_mt() of this set, which
 * may say more: 0 when ident holds no '/', else 1 or more (2 and more
 * tell the set the ident's Postfix program as well: one look-up a
 * line fewer, for a caller that remembers the answer by ident tag).
 * Thread safety: as parser_pre_mt() */
int     parser_ident_slash_mt(const struct parser_set *ps, struct span ident);

/* 1 when parser_pre_mt() makes every line of this ident a
 * PARSER_PRE_DONE line of the Postfix parser with an irrelevant trace,
 * whatever its message (smtpd, cleanup and the other Postfix programs
 * that change no state): a caller that remembers such idents may drop
 * their lines unparsed.
 * Thread safety: as parser_pre_mt() */
int     parser_ident_noise_mt(const struct parser_set *ps, struct span ident);

/* pre is used up; returns as parser_feed() */
int     parser_feed_pre(struct parser_set *ps, const struct wrap_rec *r,
                        struct parser_pre *pre, struct trace *tr);

/* parser_pre_prefetch - a hint, on the correlating thread, some lines
 * before parser_feed_pre() of pre (pre->u set): fetch into the cache
 * what applying it will read first, in two steps (deep 0: the place of
 * its key in the key table; deep 1, later: the key's entry that place
 * holds then). Changes nothing: any line, any order, or none */
void    parser_pre_prefetch(const struct parser_set *ps,
                            const struct parser_pre *pre, int deep);

/* parser_classify_ahead_mt - the calling thread classifies lines that
 * another thread applies (engine/pipe.c's parsing threads): their
 * classify_mt then also make canonical the names the apply would
 * (corr_canon_ahead). Thread safety: per thread */
void    parser_classify_ahead_mt(void);

/* parser_prefetch_useful - 1 when a parser holds so many keys that
 * parser_pre_prefetch() is worth its cost (their tables outgrow the
 * caches); with a few hundred processes it is not */
int     parser_prefetch_useful(const struct parser_set *ps);

/* end of input */
void    parser_flush(struct parser_set *ps);

/* between two lines, for a snapshot of a state that goes on (follow):
 * sess_cb.keep is asked for every key a correlator holds, and nothing
 * is flushed or changed */
void    parser_keep_open(struct parser_set *ps);

/* what decides where each correlator sweeps idle keys (lines entered,
 * newest time), one entry per parser of the set, in its order (at most
 * PARSER_MAX_CLOCKS): a process that goes on where another stopped sets the
 * first one's, so that its sweeps fall on the same lines. With sweep
 * 0 no sweep runs until set again with 1 (replaying kept lines) */
#define PARSER_MAX_CLOCKS 3
size_t  parser_clocks(const struct parser_set *ps, unsigned long *feeds,
                      int64_t *max_t);
void    parser_set_clocks(struct parser_set *ps, const unsigned long *feeds,
                          const int64_t *max_t, int sweep);

/* 1 when a line that parser mta (enum sess_mta) claimed, with trace
 * tr, is recognisably that MTA's: Postfix and Sendmail claim only
 * their own programs' lines; Exim also takes any line in its time stamp
 * form (dpkg.log has them), so an irrelevant Exim line counts only
 * with an Exim program name or message id. For "not a mail log?".
 * Thread safety: pure */
int     parser_line_mine(int mta, const struct wrap_rec *r,
                         const struct trace *tr);

/* comma-separated names of the known parsers, for messages */
const char *parser_names(void);

#endif
