/* parsers/corr.h - the correlator core: log lines tied into sessions
 *
 * What the three MTA correlators (pf_sess, ex_sess, sm_sess) share. A
 * correlation key ("proc": a process for Postfix and Sendmail, a
 * message for Exim) owns the connection being set up or last used
 * ("cur"), a ring of at most max_pend earlier connections that ended
 * before a line named their recipient domain, and, for an MTA that
 * caches connections (ops.cache: Sendmail), at most CORR_MAX_OPEN
 * connections already handed over that the process still holds open: a
 * later delivery line naming one of their hosts is one more message
 * down that connection, no new session (corr_cached). The core keeps
 * the table of keys (log time, idle flush, end-of-input flush, the
 * hold/keep hooks of saved states), makes, flushes and frees each MTA's
 * correlator, and makes the one emit step: outcome, record,
 * disposition, in one order for every MTA (corr_emit in corr.c,
 * docs/internals/corr.md):
 *   unattributed, relayhost (the MTA's own hop), bad-domain, undated,
 *   lmtp, local-no-starttls, port, relayhost (relay_hosts), own-report,
 *   counted.
 * What differs between the logs stays in each MTA's file: which lines
 * open, fill and end a connection, and the outcome of a connection
 * (struct corr_ops.outcome, judge). Each MTA's connection type
 * starts with a struct corr_conn; the core copies connections by
 * ops->conn_size.
 * Cost: one hash look-up per line; retire, emit and attribute are
 * O(max_pend + CORR_MAX_OPEN) per delivery line.
 * Thread safety: one struct corr per thread of correlation.
 */
#ifndef PARSERS_CORR_H
#define PARSERS_CORR_H

#include <stddef.h>
#include <stdint.h>

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "parser.h"
#include "sess_own.h"
#include "trace.h"
#include "wrap.h"
#include "../global/sess.h"
#include "../util/htab.h"

#define CORR_KEY_MAX (SESS_MAX_LOGHOST + 160)   /* bytes of a key */
#define CORR_MAX_OPEN 8         /* connections held open per key */

/* the part of a connection that every MTA's log gives: what the idle
 * sweep and the emit step read first (24 bytes), the MTA's own small
 * fields right after it (its outcome's), and its peer's names (struct
 * corr_names) past them, at ops.names: the names have 300 bytes of
 * room and are short, and a connection read at the flush of an idle key
 * is a cache miss a line (a Postfix connection's outcome fields were
 * 330 bytes in, behind the room of the host name) */
struct corr_conn {
    int     active;             /* in use */
    int     dated;              /* its first line had a time stamp */
    int     attributed;         /* handed over (or judged no session) */
    int     port;               /* -1: not logged */
    int64_t t0;                 /* time of its first line */
};

/* the peer of a connection, strings read up to their NUL only: the
 * address first (46 bytes), so that the first bytes of both lie close */
struct corr_names {
    char    ip[IPADDR_MAX + 1]; /* canonical address, or "" */
    char    mx[DNAME_MAX + 1];  /* canonical host name, or "" */
};

/* the verdict of an MTA on one finished connection (corr_ops.judge) */
struct corr_verdict {
    int     result;             /* enum sess_result */
    int     plain;              /* SESS_F_PLAINTEXT */
    int     cert;               /* enum sess_cert */
    int     cert_problem;       /* enum sess_result, or SESS_SUCCESS */
    const char *reason;         /* failure-reason-code ("" none) */
    int     slug;               /* reason is sess_slug() output of at
                                 * most SESS_MAX_REASON bytes: what
                                 * sess_set_reason() would leave as is;
                                 * in a field of at least 32 bytes (the
                                 * connection's: corr_emit reads 32) */
    int     local;              /* our doing: local-no-starttls */
    int     hop;                /* the MTA's own relay hop (corr_relay) */
};

struct corr_proc;

/* what corr_ops.classify_mt says of a line */
#define CORR_PRE_NOT_MINE 0     /* not this MTA's: offer it to the next */
#define CORR_PRE_DONE 1         /* this MTA's, no state to change */
#define CORR_PRE_EVENT 2        /* this MTA's: to apply, in order */

/* what an MTA tells the core */
struct corr_ops {
    const char *name;           /* "postfix": --mta NAME */
    int     mta;                /* enum sess_mta: its place in parser.c's
                                 * table, sess_cb.hold and keep */
    size_t  sess_size;          /* sizeof the MTA's correlator */
    size_t  conn_size;          /* sizeof the MTA's connection */
    size_t  names;              /* offsetof its struct corr_names */
    size_t  pre_size;           /* sizeof what classify_mt leaves for
                                 * apply (struct pf_pre, ...) */
    size_t  hint;               /* keys expected (hash table size) */
    int     max_pend;           /* ended connections waiting per key */
    unsigned fetch;             /* bytes of a key's connection that a new
                                 * key uses first (its numbers and the
                                 * names' first bytes): what is fetched
                                 * of the key table's next spare entry
                                 * (htab_fetch_set); 0: all of it. In
                                 * max_pend's padding: the struct's size
                                 * (and the core's) is unchanged */
    unsigned long sweep_every;  /* lines between sweeps of idle keys (a
                                 * power of two) */
    /* one line (envelope off), alone: no state, any thread (own: the
     * no-loop tracker of its correlator, read only, or NULL). Returns
     * CORR_PRE_NOT_MINE (another program's: offered to the next
     * parser), CORR_PRE_DONE (this MTA's, no state to change: tr says
     * what it meant) or CORR_PRE_EVENT (pre, the MTA's own struct of
     * pre_size bytes, at most PARSER_PRE_ROOM, is for apply). pre may
     * hold spans into r: r must live until it is applied */
    int     (*classify_mt) (const struct wrap_rec *r,
                            const struct sess_own *own, void *pre,
                            struct trace *tr);
    /* a CORR_PRE_EVENT line into the state, in input order (tr was
     * cleared to irrelevant; pre is used up) */
    void    (*apply) (void *mta, const struct wrap_rec *r, void *pre,
                      struct trace *tr);
    /* optional: set up what the MTA's correlator holds beyond the core,
     * right after corr_sess_create() made both (undone by fini) */
    void    (*init) (void *mta);
    /* the result type of a finished connection (plain: set to 1 for
     * SESS_F_PLAINTEXT), or -1 when it is no session (no TLS attempt
     * known, a reused handshake, ...) */
    int     (*outcome) (const struct corr_conn *c, int *plain);
    /* the emit step's one question: outcome's result (-1: no session,
     * v then not read) and, of a session, every other field of v
     * (plain, cert, cert_problem, reason, slug, local, hop), all
     * written: one call where outcome and a describe were two, and v
     * not cleared first */
    int     (*judge) (const struct corr_conn *c, struct corr_verdict *v);
    /* optional: 1 when c carried our own report mail (asked last, and
     * only when own_from is set and an id of our own mail is noted,
     * sess_own_any: NULL asks p->own) */
    int     (*own) (void *ctx, const struct corr_proc *p,
                    const struct corr_conn *c);
    /* optional: c is over and not handed over; decide what its lines
     * leave open (Exim: a certificate problem without a line of its
     * own was a failed handshake) */
    void    (*retire) (struct corr_conn *c);
    /* optional: the domain a connection still waiting at the end of
     * its key takes (Exim: ex_pend_tie); 0: none, unattributed */
    int     (*candidate) (const struct corr_conn *c, struct span *dom);
    /* optional: free what the MTA's correlator holds beyond the core
     * (corr_sess_free) */
    void    (*fini) (void *mta);
    /* optional: parser_pre_prefetch() of a CORR_PRE_EVENT line (pre as
     * classify_mt left it): a hint, nothing changes (corr_prefetch) */
    void    (*prefetch) (const void *mta, const void *pre, int deep);
    int     cache;              /* keep connections handed over open
                                 * (corr_cached): Sendmail's MCI cache */
    int     lazy;               /* 1: nothing of cur is read while it is
                                 * not active (corr_start sets it up):
                                 * a new key zeroes the core's part only,
                                 * not the whole connection */
};

/* one correlation key: 64 bytes, one cache line (its log host is the
 * start of its key in the table entry, not a copy: a new key writes
 * one line fewer) */
struct corr_proc {
    int64_t last_t;             /* log time of its last dated line (also
                                 * its table stamp: htab_stamp) */
    const char *loghost;        /* its log host, a string: the key's
                                 * first bytes (htab_key_inline) */
    uint32_t hlen;              /* strlen(loghost) */
    int     own;                /* the delivery under way is our report */
    int     lmtp;               /* Postfix lmtp(8): no MX session */
    uint32_t note;              /* the MTA's own (Exim: ex_sess.c) */
    uint16_t npend;             /* connections in pend */
    uint16_t phead;             /* pend's oldest: a ring (corr_pend) */
    int     nopen;
    void   *pend;               /* max_pend connections, on demand: a
                                 * ring from phead, oldest first, of
                                 * pointers (corr.c: cur and the waiting
                                 * ones swap places) */
    void   *open;               /* CORR_MAX_OPEN connections handed over
                                 * and still open (ops.cache), on demand */
    struct corr_conn *cur;      /* ops->conn_size bytes: those after
                                 * this, or a place's of pend (a
                                 * flush puts it back) */
};

/* spare rings of connections (corr.c): a stack of their addresses, in
 * order of giving back */
struct corr_spares {
    void  **v;
    size_t  n;
    size_t  cap;
};

/* the core; its fields are read by the inline functions below only */
struct corr {
    struct sess_conf conf;
    struct sess_cb cb;
    struct corr_ops ops;
    void   *ctx;                /* the MTA's correlator: ops' argument */
    struct sess_own *own;       /* ids of our own report mail, or NULL */
    struct htab *procs;         /* values inline (htab_create_inline) */
    struct corr_spares spare_pend;      /* rings given back (corr.c) */
    struct corr_spares spare_open;
    int64_t max_t;              /* newest log time seen */
    unsigned long feeds;        /* lines entered, for the sweep */
    unsigned long sweep_mask;   /* ops.sweep_every - 1 */
};

/* An MTA's correlator is a struct whose first member is its struct
 * corr *: the core makes, flushes and frees it (parser.c's interface:
 * each MTA is one struct corr_ops, e.g. pf_corr_ops in pf_sess.c).
 * corr_sess_create - ops->sess_size bytes of it, zeroed, its core made
 * with the no-loop tracker of conf (sess_own_create), then ops->init;
 * the core's ops get it as their ctx */
void   *corr_sess_create(const struct sess_conf *conf,
                         const struct sess_cb *cb,
                         const struct corr_ops *ops);

/* corr_sess_flush - end of input: every key flushed (unless
 * sess_cb.keep) */
void    corr_sess_flush(void *mta);

/* corr_sess_keep - between two lines: sess_cb.keep is asked for every
 * key held (what it answers changes nothing here); for a snapshot of a
 * state that goes on (aggregate/agg_state.h, follow) */
void    corr_sess_keep(void *mta);

/* corr_sess_clock - what decides where sweeps of idle keys fall: the
 * lines entered so far and the newest time; corr_sess_set_clock sets
 * them (a process that goes on where another stopped) and, with sweep
 * 0, holds sweeps back until it is called again with 1 (while lines are
 * replayed to rebuild open state: they were swept in the first run) */
void    corr_sess_clock(void *mta, unsigned long *feeds, int64_t *max_t);
void    corr_sess_set_clock(void *mta, unsigned long feeds, int64_t max_t,
                            int sweep);

/* corr_sess_keys - the keys an MTA's correlator holds now */
size_t  corr_sess_keys(const void *mta);

/* corr_sess_own_mt - the no-loop tracker of an MTA's correlator (NULL:
 * none), for its classify_mt. Thread safety: the pointer never
 * changes; what classify_mt reads of it (sess_own_sender) is
 * configuration */
const struct sess_own *corr_sess_own_mt(const void *mta);

/* corr_sess_free - ops->fini, the core, the struct; NULL */
void   *corr_sess_free(void *mta);

/* corr_key_proc - key (log host, program, pid) of a line into key
 * (CORR_KEY_MAX bytes), the pid cut at pidmax bytes; its length */
size_t  corr_key_proc(const struct wrap_rec *r, char *key, size_t pidmax);

/* corr_hash_proc - htab_hash() of that key: what classify_mt computes
 * for corr_enter_proc_hashed, off the correlating thread. Pure */
uint64_t corr_hash_proc(const struct wrap_rec *r, size_t pidmax);

/* what a classify_mt made of a name or an address, for its apply to
 * copy instead of checking it again on the correlating thread */
enum corr_canon {
    CORR_CANON_NONE = 0,        /* not made: apply calls the function */
    CORR_CANON_BAD,             /* invalid: dname_norm(), ipaddr_norm()
                                 * fail (a domain: or it is numeric) */
    CORR_CANON_RAW,             /* canonical as written: its first clen
                                 * bytes (a final dot off) */
    CORR_CANON_BUF,             /* an address: canonical in buf */
    CORR_CANON_MAP,             /* a name with upper case letters: apply
                                 * calls dname_norm() */
};

/* corr_canon_host_mt - what dname_norm() and dname_is_numeric() make
 * of a peer's host name n (len > 0): CORR_CANON_BAD, _MAP or _RAW
 * (*clen, and *num: numeric). corr_canon_dom_mt - what corr_emit()
 * makes of a recipient domain: CORR_CANON_BAD (also numeric or empty),
 * _MAP or _RAW (*clen). corr_canon_ip_mt - what ipaddr_norm() makes of
 * an address a (len > 0): CORR_CANON_BAD, _RAW (*clen) or _BUF (buf,
 * IPADDR_MAX + 1 bytes, written). Each remembers the last texts it was
 * given on its thread. Thread safety: per thread state only */
int     corr_canon_host_mt(struct span n, uint8_t *clen, uint8_t *num);
int     corr_canon_dom_mt(struct span dom, uint8_t *clen);
int     corr_canon_ip_mt(struct span a, uint8_t *clen, char *buf);

/* corr_canon_ahead - whether a classify_mt on this thread makes names
 * canonical for the apply (another thread's: engine/pipe.c sets it on
 * its parsing threads). Where one thread does both, the memo of the
 * functions above only adds to a check made once anyway (churn.log,
 * new names on most lines: 4 % slower at -j 1), and apply makes them.
 * Either way the record is the same. Thread safety: per thread */
extern _Thread_local int corr_canon_ahead;

/* corr_held - 1 when the hold hook keeps the line (the caller skips
 * it); 0 when there is no hook */
static inline int
corr_held(struct corr *k, const void *key, size_t klen, int dated,
          int64_t t, const struct wrap_rec *orig)
{
    return k->cb.hold != NULL
        && k->cb.hold(k->cb.ctx, k->ops.mta, key, klen, dated, t, orig);
}

struct corr_proc *corr_enter_slow(struct corr *k, struct corr_proc *p,
                                  const void *key, size_t klen, uint64_t hash,
                                  struct span loghost, int dated, int64_t t,
                                  int *new);

/* corr_enter_hashed - corr_enter with the key's hash (htab_hash(key,
 * klen)) computed before: on the thread that classified the line */
static inline struct corr_proc *
corr_enter_hashed(struct corr *k, const void *key, size_t klen,
                  uint64_t hash, struct span loghost, int dated, int64_t t,
                  const struct wrap_rec *orig, int *new)
{
    struct corr_proc *p;

    *new = 0;
    if (corr_held(k, key, klen, dated, t, orig))
        return NULL;
    p = (++k->feeds & k->sweep_mask) == 0 ? NULL
        : htab_find_hashed(k->procs, key, klen, hash);
    if (p == NULL || (dated && p->last_t && t > p->last_t + SESS_IDLE_SECS))
        return corr_enter_slow(k, p, key, klen, hash, loghost, dated, t, new);
    if (dated) {
        p->last_t = t;
        htab_stamp(k->procs, p, t);     /* what the idle sweep reads */
        if (t > k->max_t)
            k->max_t = t;
    }
    return p;
}

/* corr_enter - the key of a line that changes state: asks the hold
 * hook (NULL: the caller keeps the line), sweeps idle keys now and
 * then, finds or makes the key (loghost: its log host; new: set to 1
 * when made), and flushes it when idle for SESS_IDLE_SECS before this
 * line. The key begins with the log host's first SESS_MAX_LOGHOST bytes
 * at most and a NUL (corr_key_proc, Exim's message key): the key's
 * struct corr_proc reads its loghost there (a key that does not is a
 * bug: panic). orig: the line as it came, for the hook. Inline: it
 * runs for every line that changes state; cost one hash look-up */
static inline struct corr_proc *
corr_enter(struct corr *k, const void *key, size_t klen,
           struct span loghost, int dated, int64_t t,
           const struct wrap_rec *orig, int *new)
{
    return corr_enter_hashed(k, key, klen, htab_hash(key, klen), loghost,
                             dated, t, orig, new);
}

/* corr_enter_proc - corr_enter with the key of a process (log host,
 * program, pid cut at pidmax bytes: corr_key_proc) and the line's time */
static inline struct corr_proc *
corr_enter_proc(struct corr *k, const struct wrap_rec *r, size_t pidmax,
                const struct wrap_rec *orig, int *new)
{
    char    key[CORR_KEY_MAX];
    size_t  n = corr_key_proc(r, key, pidmax);

    return corr_enter(k, key, n, r->host, r->dated, r->t, orig, new);
}

/* corr_enter_proc_hashed - corr_enter_proc with the key's hash given:
 * corr_hash_proc() of the same line and pidmax */
static inline struct corr_proc *
corr_enter_proc_hashed(struct corr *k, const struct wrap_rec *r,
                       size_t pidmax, uint64_t hash,
                       const struct wrap_rec *orig, int *new)
{
    char    key[CORR_KEY_MAX];
    size_t  n = corr_key_proc(r, key, pidmax);

    return corr_enter_hashed(k, key, n, hash, r->host, r->dated, r->t,
                             orig, new);
}

/* corr_tls_host - sess_cb.tls_host of p's log host */
static inline void
corr_tls_host(const struct corr *k, const struct corr_proc *p)
{
    k->cb.tls_host(k->cb.ctx, p->loghost, p->hlen);
}

/* corr_prefetch - a hint: fetch the place of the key of hash (deep 0),
 * or the key that place holds (deep 1); nothing changes */
static inline void
corr_prefetch(const struct corr *k, uint64_t hash, int deep)
{
    htab_prefetch(k->procs, hash, deep);
}

/* corr_find - the key if it exists; no state changes */
static inline struct corr_proc *
corr_find(struct corr *k, const void *key, size_t klen)
{
    return htab_find(k->procs, key, klen);
}

/* corr_forget - flush a key and drop it (Exim's "Completed") */
void    corr_forget(struct corr *k, const void *key, size_t klen);

/* corr_forget_hashed - corr_forget with the key's hash (htab_hash)
 * computed before: on the thread that classified the line */
void    corr_forget_hashed(struct corr *k, const void *key, size_t klen,
                           uint64_t hash);

/* corr_names - the names of connection c (ops.names bytes into it);
 * corr_names_c of a connection only read. c is the first member of the
 * MTA's connection (struct pf_conn, ex_conn, sm_conn) and the names lie
 * past it, in that larger object; GCC, having inlined an MTA's apply,
 * takes the pointer for one into the 24-byte member alone and warns
 * (-Wstringop-overread) of reads past it. The empty asm hides where
 * the pointer came from; it costs no instruction. */
static inline struct corr_names *
corr_names(const struct corr *k, struct corr_conn *c)
{
    char   *p = (char *) c + k->ops.names;

    __asm__("" : "+r"(p));
    return (struct corr_names *) p;
}

static inline const struct corr_names *
corr_names_c(const struct corr *k, const struct corr_conn *c)
{
    const char *p = (const char *) c + k->ops.names;

    __asm__("" : "+r"(p));
    return (const struct corr_names *) p;
}

/* corr_strlen64 - strlen(f) of a string in a field of 64 bytes whose
 * byte n (n < 64) is a NUL (a text of n bytes copied in, which may hold
 * a NUL of its own: Exim's address key). The field's 64 bytes are read
 * by four compares of 16 and the first NUL among its first n + 1 taken
 * (the bytes past n, not defined, are read but masked out): no call,
 * no branch, where a strlen() call was some 20 instructions for the
 * replayed Exim log's 10,000 addresses that are not valid (t_corr
 * checks it against strlen(), NUL bytes anywhere) */
static inline size_t
corr_strlen64(const char *f, size_t n)
{
#ifdef __SSE2__
    __m128i z = _mm_setzero_si128();
    uint64_t m = (uint64_t) (unsigned) _mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *) (const void *) f),
                       z))
        | (uint64_t) (unsigned) _mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)
                                           (const void *) (f + 16)), z)) << 16
        | (uint64_t) (unsigned) _mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)
                                           (const void *) (f + 32)), z)) << 32
        | (uint64_t) (unsigned) _mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)
                                           (const void *) (f + 48)), z)) << 48;

    /* bits 0 to n kept; bit n is set (f[n] is a NUL) */
    m &= ((uint64_t) 2 << (n & 63)) - 1;
    return (size_t) __builtin_ctzll(m);
#else
    (void) n;
    return strlen(f);
#endif
}

/* corr_start - connection c cleared and opened at time t: its first
 * size bytes (the core's part and what the MTA puts before its names)
 * zeroed, and its names n made empty. The names are strings, read up
 * to their NUL only (copied whole, never compared whole): their first
 * bytes are cleared, not their 300 bytes of room (an Exim connection,
 * 448 bytes, was zeroed whole for each message) */
static inline void
corr_start(struct corr_conn *c, size_t size, struct corr_names *n,
           int dated, int64_t t)
{
    memset(c, 0, size);
    n->mx[0] = 0;
    n->ip[0] = 0;
    c->active = 1;
    c->dated = dated;
    c->t0 = t;
    c->port = -1;
}

void    corr_retire_active(struct corr *k, struct corr_proc *p);

/* corr_retire - cur is over: it waits for its domain in the ring
 * (the oldest waiting one handed over unattributed when full), stays
 * in the open connections (ops.cache), or is dropped when it is no
 * session. Returns cur, not active: when the old one waits, another
 * place's (the one that waits is not copied: corr_retire_active), so a
 * pointer to cur taken before is not cur after. Inline: most calls
 * find no active cur */
static inline struct corr_conn *
corr_retire(struct corr *k, struct corr_proc *p)
{
    if (p->cur->active)
        corr_retire_active(k, p);
    return p->cur;
}

/* corr_emit - hand connection c of p over as a session of recipient
 * domain dom (NULL: unattributed); hop: the line that named the
 * domain went to the MTA's own relay hop (corr_relay) */
void    corr_emit(struct corr *k, struct corr_proc *p, struct corr_conn *c,
                  const struct span *dom, int hop);

/* corr_emit_canon - corr_emit with dom's canonical form made before
 * (by classify_mt, off the correlating thread): canon, clen bytes (no
 * NUL), when dname_norm() takes dom to a name that is not numeric, NULL
 * when not (a bad domain) */
void    corr_emit_canon(struct corr *k, struct corr_proc *p,
                        struct corr_conn *c, const struct span *dom,
                        const char *canon, size_t clen, int hop);

/* corr_cached - the open connection of p (handed over, cur or one
 * cached by corr_retire) to host mx (canonical, or "") or address ip,
 * or NULL: one more message down it is no new session. Matched by
 * name when both have one, else by address. Cost O(CORR_MAX_OPEN) */
struct corr_conn *corr_cached(const struct corr *k, const struct corr_proc *p,
                              const char *mx, const char *ip);

/* corr_open_get - open connection i of p (i < p->nopen), oldest
 * first: what an MTA's own cache rule (Sendmail's slots) looks at */
struct corr_conn *corr_open_get(const struct corr *k,
                                const struct corr_proc *p, int i);

/* corr_pend - waiting connection i of p (i < p->npend), oldest
 * first: place i of the ring from p->phead (ops.max_pend is a power
 * of two). Waiting connections are moved by their places (a compaction
 * from i to j <= i copies corr_pend(j) from corr_pend(i)), never by one
 * memmove() of several: the ring does not lie in order in memory */
struct corr_conn *corr_pend(const struct corr *k, const struct corr_proc *p,
                            int i);

/* corr_attribute - every waiting connection of p gets dom; how many */
int     corr_attribute(struct corr *k, struct corr_proc *p,
                       const struct span *dom, int hop);

/* corr_settle - p, its ring held and nothing waiting in it (npend 0):
 * cur back in the key's entry and the ring given back. A pointer to cur
 * taken before is not cur after */
void    corr_settle(struct corr *k, struct corr_proc *p);

/* corr_flush_proc - all that waits in p is handed over unattributed */
void    corr_flush_proc(struct corr *k, struct corr_proc *p);

/* corr_flush - end of input: every key flushed (unless sess_cb.keep) */
void    corr_flush(struct corr *k);

/* corr_relay - the one rule of what a relay host is, for every MTA:
 * a host named in relay_hosts (sess_conf.is_relay), or the MTA's own
 * relay hop (hop: Sendmail's MSP hop or mailer relay) */
int     corr_relay(const struct corr *k, const char *mx, const char *ip,
                   int hop);

/* corr_rcpt_domain - the domain part of an address (after its last
 * '@'; empty when there is none) */
struct span corr_rcpt_domain(struct span rcpt);

/* corr_own_from - the sender addr of queue id (or message id) qid of
 * the line's log host at time t is our own report address: notes the
 * id (sess_own_note), says so in tr, and returns 1; else 0 */
int     corr_own_from(struct corr *k, const struct wrap_rec *r,
                      struct span qid, struct span addr, int64_t t,
                      struct trace *tr);

/* corr_local_hop - 1 when a relay names the local host, not an MX:
 * the name localhost (or localhost.*), or no name and a loopback
 * address (127.0.0.0/8, ::1): Sendmail's MSP relays "[127.0.0.1]",
 * "localhost", "[IPv6:::1]". A named host on a loopback address
 * (mx1.example.test [127.0.0.11]) is an MX like any other */
int     corr_local_hop(const char *mx, const char *ip);

/* corr_is_mx_port - port of an MX session (-1, not logged, counts as
 * one) */
int     corr_is_mx_port(const struct corr *k, int port);

#endif
