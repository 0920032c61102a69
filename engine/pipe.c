/* engine/pipe.c - one run of the pipeline (see pipe.h)
 *
 * Parallel and exact: with more than one job, line-mode sources are cut
 * into chunks of whole lines (parsers/input.h). Worker threads parse
 * chunks: envelope off (parsers/wrap.c), then what needs no state
 * (parser_pre_mt: the Postfix parser's classification); lines that
 * change no state are dropped at once, the rest kept as records whose
 * spans point into the chunk. The main thread reads, and correlates the
 * chunks strictly in input order: the correlators see exactly the records of a
 * one-thread run, in the same order, so every count is the same for any
 * number of jobs and any chunk size. A chunk is reused only after its
 * records were correlated. A chunk at the head of the order that no
 * thread has taken yet is not parsed into records: the main thread
 * classifies and applies its lines in one pass, as one thread does
 * (pipe_fuse), while workers parse the newer chunks. The sessions a
 * chunk's records complete are
 * kept with it, and a worker adds them to the lock-free table (counters
 * add up in any order) before the chunk is reused. --trace needs every
 * line in order, so it runs on one thread.
 */
#include "pipe.h"
#include "guess_hosts.h"
#include "progress.h"
#include "../parsers/input.h"
#include "../parsers/jrnl.h"
#include "../parsers/order.h"
#include "../parsers/parser.h"
#include "../parsers/parser_int.h"
#include "../parsers/ts.h"
#include "../parsers/wrap.h"
#include "../util/date.h"
#include "../util/htab.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PIPE_SHOW_BAD 10        /* --verbose: first bad lines shown */
#define PIPE_CHUNK (256 * 1024)         /* bytes per chunk: their lines, items
                                         * and what the parsers keep of
                                         * them stay in a core's L2 cache
                                         * (docs/internals/pipeline.md) */
#define PIPE_CHUNK_MAX (64 * 1024 * 1024)
#define PIPE_MAX_JOBS 1024
#define PIPE_DUP_MAX 1024       /* record bytes kept for the repeat test */
#define PIPE_AHEAD 8            /* records between a prefetch and its use */
#define PIPE_TAIL (2 * PIPE_AHEAD)      /* items past a parsed chunk's
                                         * last, of no kind to correlate,
                                         * so that pipe_correlate's hints
                                         * need no bounds (pipe_w_tail) */
#define PIPE_PRE_ALIGN 64       /* a record in pres starts a cache line */
#define PIPE_PRE_ROOM ((PARSER_PRE_ROOM + PIPE_PRE_ALIGN - 1) \
                       & ~(size_t) (PIPE_PRE_ALIGN - 1))
#define PIPE_DUP_FOLDED SIZE_MAX        /* pipe_chunk.dup_last: dup_rec */
#define PIPE_KEYS_BATCH (64 * 1024)     /* bytes of keys added at once
                                         * without a chunk */
#define PIPE_TLS_HOSTS 256      /* log hosts noted kept (pipe_tls_host):
                                 * a power of two */
#define PIPE_HOST_NOTES 64      /* log hosts told to guess_hosts kept:
                                 * a power of two */
#define PIPE_HOST_TAGS 64       /* host tags of those kept (wrap.c hands
                                 * them out in turn: the last ones differ
                                 * in their low bits) */
#define PIPE_TOP_PAD (64 * 1024 * 1024)   /* bytes a thread's heap grows
                                         * by at a time with workers
                                         * (pipe_par_start) */
#define PIPE_PING_N 16          /* round trips pipe_far() times */
#define PIPE_PING_FAR 250       /* ns a round trip: the CPUs far apart */
#define PIPE_PING_WAIT 200000   /* ns pipe_far() waits for a worker */
#define PIPE_PING_ROUND 20000   /* ns a round trip may take (longer: the
                                 * threads take turns on one CPU) */
#define PIPE_PING_DONE UINT_MAX /* pipe_far() is done */
#define PIPE_HELD 8             /* one thread: records classified and not
                                 * yet correlated (pipe_line): a power
                                 * of two */
#define PIPE_HELD_RING (2 * PIPE_HELD)  /* their ring: a record's slot is
                                         * written again PIPE_HELD records
                                         * after it was correlated, so the
                                         * repeated-line test may keep a
                                         * pointer to it (pipe_dup) */

/* one thread: a record classified, to be correlated PIPE_HELD records
 * on, meanwhile its key's place is fetched (pipe_line) */
struct pipe_held {
    const struct input_src *src;
    uint64_t lineno;
    struct wrap_rec r;
    struct parser_pre pre;      /* pre.u: room, set once (pipe_held_new) */
    union parser_pre_mta room;
    struct pipe_held *alt;      /* pipe_lines: the slot taking turns with
                                 * this one while nothing is held */
};

/* what a worker keeps of one line */
enum pipe_item_kind {
    PIPE_I_REC = 0,             /* envelope off: r */
    PIPE_I_JSON,                /* journal JSON line in r.msg: decoded in
                                 * order (the decoder's buffers are one) */
    PIPE_I_BAD,                 /* skipped by the reader: why */
    PIPE_I_DUP,                 /* r: the record the repeated-line test
                                 * saw last, its item folded (pipe_w_fold):
                                 * kept by the test, nothing else */
};

/* what the parsing thread found of a record and the repeated-line
 * test (pipe_dup): the record before it in the chunk that the test saw
 * is known there, except for the chunk's first and the first after a
 * journal record (decoded in order) */
enum pipe_dup_known {
    PIPE_DUP_ASK = 0,           /* pipe_dup() decides, in order */
    PIPE_DUP_NEW,               /* not the record before: kept by the test */
    PIPE_DUP_SAME,              /* repeats it */
    PIPE_DUP_NONE,              /* the test does not see it (no text) */
    PIPE_DUP_ASK_KEPT,          /* pipe_dup() decides, and the record is
                                 * known to change state (not an item's:
                                 * the one-thread path) */
};

struct pipe_item {
    uint32_t lineno;            /* within the chunk, from 1 */
    uint8_t kind;               /* enum pipe_item_kind */
    uint8_t why;                /* enum input_bad */
    uint8_t dup;                /* enum pipe_dup_known */
    struct wrap_rec r;
    struct parser_pre pre;      /* PIPE_I_REC; while the chunk is parsed
                                 * pre.u holds the offset of what the
                                 * parser kept in the chunk's pres, not a
                                 * pointer (pres may move meanwhile);
                                 * once parsed, the pointer (pipe_w_tail).
                                 * 144 bytes an item */
};

/* pipe_item_fetch asks for an item's lines by its first byte, the next
 * line and its last byte. The items of a malloc()ed array are
 * 16-aligned, so one of 144 bytes starts at most 48 bytes into a line
 * and ends in the third */
_Static_assert(sizeof(struct pipe_item) <= 144
               && sizeof(struct pipe_item) % 16 == 0,
               "struct pipe_item: on three cache lines at most");

enum pipe_chunk_state {
    PIPE_C_FREE = 0,
    PIPE_C_FILLING,             /* the reader writes into it */
    PIPE_C_QUEUED,
    PIPE_C_WORKING,
    PIPE_C_DONE,                /* parsed: to correlate */
    PIPE_C_ADDQ,                /* correlated: sessions to add */
    PIPE_C_ADDING,
};

struct pipe_chunk {
    unsigned char *buf;
    size_t  cap;
    int     fd;                 /* >= 0: its lines are still in this
                                 * plain file, at off: the thread that
                                 * parses it reads them into buf */
    uint64_t off;
    size_t  len;
    int     flags;              /* INPUT_CH_* */
    int     nlead;
    int     mta;                /* a line a worker dropped was an MTA's */
    int     state;              /* enum pipe_chunk_state */
    const struct parser_set *parsers;   /* for parser_pre_mt */
    struct input_src *src;      /* the source it belongs to */
    struct ts_ctx ts;           /* that source's year reference */
    struct input_src acc;       /* counts of its lines */
    int     owner;              /* who parsed into buf, items and pres
                                 * last: 0 the main thread, 1 a worker
                                 * (pipe_arenas) */
    struct pipe_item *items;
    size_t  nitems;
    size_t  cap_items;
    unsigned char *pres;        /* what each event's parser keeps for it
                                 * (parser_pre_size bytes, each record
                                 * 64-aligned, pipe_pres_grow): a
                                 * Postfix event takes 320 bytes, an
                                 * Exim one 384, a line that changes
                                 * nothing none */
    size_t  pres_len;
    size_t  pres_cap;
    size_t  dup_last;           /* 1 + the item the repeated-line test
                                 * saw last, while parsed (0: none;
                                 * PIPE_DUP_FOLDED: dup_rec) */
    struct wrap_rec dup_rec;    /* that record, when its item was folded */
    size_t  dups;               /* records folded as repeats */
    uint64_t told_tag;          /* a host tag and MTA of a kept item, */
    int     told_mta;           /* the line told pipe_claimed() */
    char   *keys;               /* counted sessions' table keys, each
                                 * after its 2-byte length */
    size_t  keys_len;
    size_t  keys_cap;
};

struct pipe_ctx;

struct pipe_par {
    pthread_mutex_t mu;
    pthread_cond_t work_cv;     /* a chunk was queued, or stop */
    pthread_cond_t done_cv;     /* a chunk was parsed, or added */
    struct pipe_chunk *chunks;
    struct pipe_chunk **order;  /* ring by sequence number */
    size_t  nchunks;
    uint64_t next_put;          /* sequence of the next chunk put */
    uint64_t next_corr;         /* next chunk to correlate */
    size_t  nqueue;             /* chunks in PIPE_C_QUEUED */
    int     fuse;               /* which chunks the main thread may
                                 * classify and apply in one pass when
                                 * it finds them unclaimed at the head
                                 * (pipe_fusable) */
    int     stop;
    size_t  nadd;               /* chunks in PIPE_C_ADDQ */
    int     idle;               /* workers waiting on work_cv */
    int     mwait;              /* the main thread waits on done_cv */
    struct agg_tab *tab;
    pthread_t *threads;
    int     nthreads;
    size_t  chunk_size;
    int     claim;              /* workers clear what they will write
                                 * (pipe_w_claim): the CPUs far apart */
    atomic_uint *ping;          /* pipe_far()'s cache line, */
    atomic_int ping_who;        /* and a worker answers it (1) */
};

struct pipe_ctx {
    const struct pipe_opts *o;
    struct agg_tab *tab;
    struct run_stats *st;
    struct parser_set *parsers;
    struct ts_ctx ts;
    int     shown_bad;
    struct progress *progress;  /* NULL: no progress line */
    uint64_t ticks;
    struct jrnl *j;             /* for PIPE_I_JSON, made when needed */
    struct input_src *src;      /* the source being read */
    struct pipe_par *par;       /* NULL: one thread */
    struct pipe_chunk *corr;    /* the chunk being correlated, or NULL */
    struct input_src *fuse_src; /* pipe_fuse: the chunk's source, */
    uint64_t fuse_base;         /* and its lines before the chunk */
    /* one thread: records held back (pipe_line), from held_first on */
    struct pipe_held *held;     /* PIPE_HELD_RING, made without --trace */
    unsigned held_first;
    unsigned held_n;
    int     line_slow;          /* a progress line or --trace: pipe_line
                                 * takes pipe_line_slow() */
    int     held_ahead;         /* hold back: the key tables are large
                                 * (parser_prefetch_useful), asked each
                                 * time the read buffer is refilled */
    /* one thread, or the end of input: counted sessions' keys kept to be
     * added as one list (agg_tab_add_list_mt), PIPE_KEYS_BATCH bytes at
     * a time and before anything reads the table */
    char   *keys;
    size_t  keys_len;
    size_t  keys_cap;
    /* log hosts noted as logging TLS (a set: noting one again changes
     * nothing), name and length + 1 (0: none), each in the place
     * pipe_tls_host_at() gives it */
    char    tls_host[PIPE_TLS_HOSTS][SESS_MAX_LOGHOST + 1];
    size_t  tls_host_len1[PIPE_TLS_HOSTS];
    /* the file being read: a line of an MTA seen; years of its stamps
     * (chunks parse with copies of ts: what they did, added up) */
    int     file_mta;
    int     file_ts_used;
    int     file_ts_back;
    struct guess_hosts *hosts;  /* log hosts: what they log (guess.h) */
    /* log hosts and the MTAs of their lines told to hosts, by
     * pipe_host_note_at() (pipe_claimed); len1: length + 1, 0 none */
    struct pipe_host_note {
        size_t  len1;
        unsigned mtas;
        char    name[SESS_MAX_LOGHOST + 1];
    }       host_note[PIPE_HOST_NOTES];
    struct pipe_host_note *host_note_last;      /* the one found last */
    /* the same, by the hosts' wrap tags (wrap_rec.host_tag), each in
     * slot tag & (PIPE_HOST_TAGS - 1), two arrays (a slot's place is
     * then the index, scaled by the load): tag 0 in none (its mtas 0) */
    uint64_t host_tag[PIPE_HOST_TAGS];
    unsigned char host_tag_mtas[PIPE_HOST_TAGS];
    int     tracing;            /* o->trace is set */
    /* the last record a parser needed, for pipe_dup() */
    uint64_t file_no;           /* the file being read, from 1 */
    uint64_t dup_file;          /* 0: none kept yet */
    struct wrap_rec dup_r;      /* its spans: into the input, or dup_buf */
    int     dup_kept;           /* spans point into dup_buf, or hashed */
    int     dup_hashed;         /* too long to keep: dup_hash instead */
    const struct wrap_rec *dup_pend;    /* the record the test kept, while
                                         * it is where it was correlated
                                         * (a chunk's item, a slot of the
                                         * held ring), not yet in dup_r
                                         * (pipe_dup_settle); NULL: dup_r */
    uint64_t dup_hash;
    char    dup_buf[PIPE_DUP_MAX];
};

/* pipe_json_str - a JSON string value, or null for "" (the fields of a
 * session record are validated: no quote, backslash or control byte
 * reaches them, but escape anyway) */
static void
pipe_json_str(FILE *fp, const char *name, const char *v, int last)
{
    fprintf(fp, "\"%s\":", name);
    if (v == NULL || *v == 0) {
        fputs("null", fp);
    } else {
        fputc('"', fp);
        for (; *v; v++) {
            if (*v == '"' || *v == '\\')
                fprintf(fp, "\\%c", *v);
            else if ((unsigned char) *v < 0x20)
                fprintf(fp, "\\u%04x", (unsigned char) *v);
            else
                fputc(*v, fp);
        }
        fputc('"', fp);
    }
    fputs(last ? "}\n" : ",", fp);
}

/* pipe_session_json - sessions --json: one object per session */
void
pipe_session_json(FILE *fp, const struct sess_rec *r, enum sess_disp d)
{
    char    day[11] = "";

    if (d != SESS_D_UNDATED && d != SESS_D_UNATTRIBUTED
        && d != SESS_D_BAD_DOMAIN)
        date_day_str(r->day, day);
    fputc('{', fp);
    pipe_json_str(fp, "day", day, 0);
    pipe_json_str(fp, "domain", r->domain, 0);
    pipe_json_str(fp, "result", (r->flags & SESS_F_PLAINTEXT) ? "plaintext"
                  : sess_result_name(r->result), 0);
    pipe_json_str(fp, "mx-host", r->mx, 0);
    pipe_json_str(fp, "mx-ip", r->ip, 0);
    pipe_json_str(fp, "reason", r->reason, 0);
    pipe_json_str(fp, "disposition", sess_disp_name(d), 1);
}

/* pipe_host_note_at - the place of a log host's name in pc->host_note:
 * from its length and its first and last bytes */
static inline unsigned
pipe_host_note_at(const char *name, size_t len)
{
    if (len == 0)
        return 0;
    return (unsigned) (len * 37 + (unsigned char) name[0] * 11
                       + (unsigned char) name[len - 1]) & (PIPE_HOST_NOTES
                                                           - 1);
}

_Static_assert(SESS_MTA_COUNT <= 8, "pipe_ctx.host_tag_mtas: a byte");

/* pipe_claimed - a line parser mta (enum sess_mta, or -1: none) took.
 * What guess_hosts_line() keeps of a line is a set (the host, and the
 * MTAs of its lines): a line of a host and MTA told before changes
 * nothing there, and is not told again (pc->host_note: a compare, where
 * the call was 20 to 36 instructions a line). A host told is kept by
 * its wrap tag too (pc->host_tag): the line's tag finds it in one
 * load, whichever host the line before had (a log of hosts interleaved
 * changes host on most lines: the notes by name cost some 47
 * instructions each such line). A line without tag asks the host of
 * the line before next, with the file's MTA known; a note is never
 * longer than SESS_MAX_LOGHOST, so its length's compare tells that
 * test too (the tests in turn were 7 instructions a line more) */
static inline __attribute__((always_inline)) void
pipe_claimed(struct pipe_ctx *pc, const struct wrap_rec *r, int mta,
             const struct trace *tr)
{
    size_t  len = r->host.len;
    struct pipe_host_note *n = pc->host_note_last;
    size_t  t = (size_t) (r->host_tag & (PIPE_HOST_TAGS - 1));
    const char *name;

    if (__builtin_expect((unsigned) mta < SESS_MTA_COUNT && pc->file_mta
                         && pc->host_tag[t] == r->host_tag
                         && (pc->host_tag_mtas[t] >> mta & 1), 1))
        return;
    if (__builtin_expect((unsigned) mta < SESS_MTA_COUNT && pc->file_mta
                         && n->len1 == len + 1 && (n->mtas >> mta & 1)
                         && (len == 0 || span_mem_same(n->name, r->host.ptr,
                                                       len)), 1))
        goto told;
    if (mta < 0)
        return;
    name = r->host.ptr ? r->host.ptr : "";
    if (!pc->file_mta)
        pc->file_mta = parser_line_mine(mta, r, tr);
    if (len > SESS_MAX_LOGHOST || mta >= SESS_MTA_COUNT) {
        guess_hosts_line(pc->hosts, name, len, mta);
        return;
    }
    if (n->len1 == len + 1 && (n->mtas & (1u << mta))
        && (len == 0 || span_mem_same(n->name, name, len)))
        goto told;
    pc->host_note_last = n = &pc->host_note[pipe_host_note_at(name, len)];
    if (n->len1 == len + 1 && span_mem_same(n->name, name, len)) {
        if (n->mtas & (1u << mta))
            goto told;
    } else {
        memcpy(n->name, name, len);
        n->len1 = len + 1;
        n->mtas = 0;
    }
    n->mtas |= 1u << mta;
    guess_hosts_line(pc->hosts, name, len, mta);
  told:
    /* every MTA of n was told for this host: so for its tag (what the
     * slot kept of it, too: a note may have gone and come again) */
    if (r->host_tag != 0) {
        pc->host_tag_mtas[t] = (unsigned char)
            ((pc->host_tag[t] == r->host_tag ? pc->host_tag_mtas[t] : 0)
             | n->mtas);
        pc->host_tag[t] = r->host_tag;
    }
}

_Static_assert(AGG_TAB_KEY_MAX <= UINT16_MAX,
               "a key list holds a key's length in two bytes");

/* pipe_keys_grow - room for one more key on a key list (cold: a list
 * grows a few times a run) */
static void __attribute__((noinline, cold))
pipe_keys_grow(char **keys, size_t len, size_t *cap)
{
    do
        *cap = *cap ? *cap * 2 : 64 * 1024;
    while (*cap - len < AGG_TAB_KEY_MAX + 2);
    *keys = xrealloc(*keys, *cap);
}

/* pipe_key_push - a counted session's table key onto a key list (the
 * form of agg_tab_add_list_mt), made there from the session's view:
 * its strings copied once, from where its maker holds them, none
 * measured again (agg_tab_key_view). Inline in pipe_session_view, its
 * one caller: the call and its saved registers were a quarter of the
 * step */
static inline __attribute__((always_inline)) void
pipe_key_push(char **keys, size_t *len, size_t *cap,
              const struct sess_view *v)
{
    size_t  at = *len;
    size_t  n;
    uint16_t be;

    if (__builtin_expect(*cap - at < AGG_TAB_KEY_MAX + 2, 0))
        pipe_keys_grow(keys, at, cap);
    n = agg_tab_key_view(v, *keys + at + 2);
    if (n == 0)                 /* n <= AGG_TAB_KEY_MAX (below) */
        msg_panic("session with invalid fields reached the table");
    /* the length, most significant byte first: one store */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    be = __builtin_bswap16((uint16_t) n);
#else
    be = (uint16_t) n;
#endif
    memcpy(*keys + at, &be, sizeof(be));
    *len = at + n + 2;
}

/* pipe_keys_add - the keys kept without a chunk into the table */
static void
pipe_keys_add(struct pipe_ctx *pc)
{
    if (pc->keys_len > 0
        && agg_tab_add_list_mt(pc->tab, pc->keys, pc->keys_len) != 0)
        msg_panic("session with invalid fields reached the table");
    pc->keys_len = 0;
}

/* pipe_session_show - sessions: a finished session printed (out of
 * pipe_session_view: a summary or report prints none) */
static void __attribute__((noinline, cold))
pipe_session_show(struct pipe_ctx *pc, const struct sess_view *v,
                  enum sess_disp d)
{
    struct sess_rec rec;
    const struct sess_rec *r = &rec;

    sess_view_rec(v, &rec);
    if (pc->o->sessions_json) {
        pipe_session_json(pc->o->sessions, r, d);
    } else {
        char    day[11] = "-";

        if (d != SESS_D_UNDATED && d != SESS_D_UNATTRIBUTED
            && d != SESS_D_BAD_DOMAIN)
            date_day_str(r->day, day);
        fprintf(pc->o->sessions, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", day,
                r->domain[0] ? r->domain : "-",
                (r->flags & SESS_F_PLAINTEXT) ? "plaintext"
                : sess_result_name(r->result),
                r->mx[0] ? r->mx : "-", r->ip[0] ? r->ip : "-",
                r->reason[0] ? r->reason : "-", sess_disp_name(d));
    }
}

/* pipe_session_view - a finished session: count it, maybe print it
 * (sess_cb.session_view: its strings where its maker holds them). A
 * counted one's key goes onto the list of the chunk being correlated,
 * which a worker adds (pipe_add_chunk_mt: the key, not the record), or
 * without a chunk onto a list of our own, added a batch at a time (the
 * next keys' memory is asked for while one is added): one key push
 * inline for both */
static void
pipe_session_view(void *ctx, const struct sess_view *v, enum sess_disp d)
{
    struct pipe_ctx *pc = ctx;
    struct pipe_chunk *ch = pc->corr;

    pc->st->sessions[d]++;
    guess_hosts_session(pc->hosts, v, d);
    if (d == SESS_D_COUNTED) {
        /* the list picked, one push: the key's making inline once */
        pipe_key_push(ch != NULL ? &ch->keys : &pc->keys,
                      ch != NULL ? &ch->keys_len : &pc->keys_len,
                      ch != NULL ? &ch->keys_cap : &pc->keys_cap, v);
        if (ch == NULL && pc->keys_len >= PIPE_KEYS_BATCH)
            pipe_keys_add(pc);
    }
    if (__builtin_expect(pc->o->sessions != NULL, 0))
        pipe_session_show(pc, v, d);
}

/* pipe_session - sess_cb.session: pipe_session_view of the record */
static void
pipe_session(void *ctx, const struct sess_rec *r, enum sess_disp d)
{
    struct sess_view v;

    pipe_session_view(ctx, sess_rec_view(r, &v), d);
}

/* pipe_tls_host_at - the place of a host name in pc->tls_host: from
 * its length and its first and last bytes, no pass over it */
static inline unsigned
pipe_tls_host_at(const char *name, size_t len)
{
    if (len == 0)
        return 0;
    return (unsigned) (len * 37 + (unsigned char) name[0] * 11
                       + (unsigned char) name[len - 1]) & (PIPE_TLS_HOSTS - 1);
}

/* pipe_tls_host - the log host logs outbound TLS. The table's set of
 * such hosts is asked once per host while it holds its place in
 * pc->tls_host: a log of many hosts interleaved (a merged archive, or
 * every other line of two hosts) would ask it on every TLS line. Cost:
 * a length compare, and the name's on a match (span_mem_same: a
 * memcmp() call was 40 % of it) */
static void
pipe_tls_host(void *ctx, const char *loghost, size_t len)
{
    struct pipe_ctx *pc = ctx;
    unsigned i;

    if (loghost == NULL) {
        loghost = "";           /* as the table takes it */
        len = 0;
    }
    i = pipe_tls_host_at(loghost, len);
    if (pc->tls_host_len1[i] == len + 1
        && span_mem_same(pc->tls_host[i], loghost, len))
        return;
    agg_tab_note_tls_host_mt(pc->tab, loghost);
    if (len >= sizeof(pc->tls_host[0]))
        return;
    memcpy(pc->tls_host[i], loghost, len + 1);
    pc->tls_host_len1[i] = len + 1;
}

/* pipe_hold, pipe_keep - the correlators' hooks for a saved state
 * (pipe_opts.state): the parsers carry its open sessions */
static int
pipe_hold(void *ctx, int mta, const void *key, size_t klen, int dated,
          int64_t t, const struct wrap_rec *r)
{
    return carry_hold(agg_state_carry(((struct pipe_ctx *) ctx)->o->state),
                      mta, key, klen, dated, t, r);
}

static int
pipe_keep(void *ctx, int mta, const void *key, size_t klen)
{
    return carry_keep(agg_state_carry(((struct pipe_ctx *) ctx)->o->state),
                      mta, key, klen);
}

/* pipe_show_bad - --verbose: the first bad lines, with place */
static void
pipe_show_bad(struct pipe_ctx *pc, const struct input_src *src,
              uint64_t lineno, const char *why)
{
    if (pc->o->verbose && pc->shown_bad < PIPE_SHOW_BAD) {
        pc->shown_bad++;
        msg_warn("%s:%" PRIu64 ": %s (skipped)", src->name, lineno, why);
    }
}

/* pipe_traced_slow - pipe_traced() of a bad line, or with --trace */
static void __attribute__((noinline))
pipe_traced_slow(struct pipe_ctx *pc, const struct input_src *src,
                 uint64_t lineno, const struct trace *tr)
{
    char    label[64];

    if (tr->kind == TRACE_BAD) {
        pc->st->bad_parse++;
        pipe_show_bad(pc, src, lineno, tr->bad);
    }
    if (pc->tracing) {
        trace_format(tr, label, sizeof(label));
        fprintf(pc->o->trace, "%s:%" PRIu64 "\t%s\n", src->name, lineno,
                label);
    }
}

/* pipe_traced - what a line meant: count it if bad, trace it. Inline,
 * two tests: most lines are neither (a call was 20 instructions a
 * line) */
static inline __attribute__((always_inline)) void
pipe_traced(struct pipe_ctx *pc, const struct input_src *src,
            uint64_t lineno, const struct trace *tr)
{
    if (__builtin_expect(tr->kind == TRACE_BAD || pc->tracing, 0))
        pipe_traced_slow(pc, src, lineno, tr);
}

/* pipe_traced_nt - pipe_traced() where --trace is known to be off (the
 * held ring, chunks: --trace runs one line a call, on one thread) */
static inline __attribute__((always_inline)) void
pipe_traced_nt(struct pipe_ctx *pc, const struct input_src *src,
               uint64_t lineno, const struct trace *tr)
{
    if (__builtin_expect(tr->kind == TRACE_BAD, 0))
        pipe_traced_slow(pc, src, lineno, tr);
}

/* pipe_stateless - 1 when a classified line changes no state and needs
 * no count: a worker drops it (no trace runs on many threads). Only the
 * Postfix parser's such lines (parser_pre_silent): those of Exim and
 * Sendmail (and lines of no MTA) still go through the repeated-line
 * test in order (pipe_dup), as they always did */
static int
pipe_stateless(const struct parser_pre *pre)
{
    return parser_pre_silent_in(pre);
}

/* What parser_ident_noise_mt() and parser_ident_slash_mt() said of the
 * idents of the lines before, by their wrap tags (wrap_rec.ident_tag),
 * per thread: a line of a noise ident (smtpd, cleanup, ...) leaves
 * right after its envelope, with one compare, and the others are
 * classified with the '/' of their ident known (and its Postfix
 * program: the classifier looks it up no more). Tags are handed out in
 * turn (parsers/wrap.c), so the idents seen last differ in their low
 * bits: a tag's slot is tag & 63, as many slots as wrap.c keeps idents
 * (WRAP_SEEN_SLOTS). With 8, the replayed Postfix corpus (five hosts)
 * asked the parsers again on one line in 13, 1.1 M instructions of a
 * 20 MB slice; with 64, 14 times in all. */
#define PIPE_TAGS 64

struct pipe_noise {
    uint64_t tag[PIPE_TAGS];            /* 0: slot unused */
    unsigned char noise[PIPE_TAGS];
    unsigned char slash[PIPE_TAGS];
    const struct parser_set *ps;        /* the parsers they were for */
};

static _Thread_local struct pipe_noise pipe_noise;

/* pipe_noise_note - remember what the parsers say of r's ident, in
 * slot i */
static void
pipe_noise_note(const struct parser_set *ps, const struct wrap_rec *r,
                unsigned i)
{
    if (pipe_noise.ps != ps) {
        memset(&pipe_noise, 0, sizeof(pipe_noise));
        pipe_noise.ps = ps;
    }
    pipe_noise.tag[i] = r->ident_tag;
    pipe_noise.noise[i] = (unsigned char) parser_ident_noise_mt(ps, r->ident);
    pipe_noise.slash[i] = (unsigned char) parser_ident_slash_mt(ps,
                                                                r->ident);
}

/* pipe_noise_drop - 1 when r's ident is known to be noise: the line
 * leaves here; an ident not known yet is learnt (and its line kept).
 * *slash: parser_ident_slash() of it, -1 when not known */
static inline int
pipe_noise_drop(const struct parser_set *ps, const struct wrap_rec *r,
                int *slash)
{
    unsigned i = (unsigned) (r->ident_tag & (PIPE_TAGS - 1));

    if (r->ident_tag == 0) {
        *slash = -1;
        return 0;
    }
    if (pipe_noise.ps == ps && pipe_noise.tag[i] == r->ident_tag) {
        *slash = pipe_noise.slash[i];
        return pipe_noise.noise[i];
    }
    pipe_noise_note(ps, r, i);
    *slash = pipe_noise.slash[i];
    return 0;
}

/* pipe_span_same - the bytes of two spans are the same */
static inline int
pipe_span_same(struct span a, struct span b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* pipe_dup - 1 when r repeats, time, host, program, pid and text, the
 * record just before it of the same source that reached the parsers:
 * a log written twice (two syslog rules, a relay that resends) would
 * otherwise count its sessions twice. Called in input order only, so
 * the result is the same for every -j and chunking. The record before
 * is kept as spans into the input while its bytes stay there, and
 * copied (pipe_dup_keep) only before they go: so a record costs a few
 * stores, and a compare only when time and lengths match. */
/* pipe_rec_same - d and r are the same line to the repeated-line test
 * (their bytes compared; not the file) */
static inline int
pipe_rec_same(const struct wrap_rec *d, const struct wrap_rec *r)
{
    /* the tests most lines fail first: the message's length, then the
     * time (a busy log has many lines in a second) */
    return d->msg.len == r->msg.len && d->t == r->t && d->dated == r->dated
        && d->host.len == r->host.len && d->ident.len == r->ident.len
        && d->pid.len == r->pid.len && pipe_span_same(d->msg, r->msg)
        && pipe_span_same(d->pid, r->pid)
        && pipe_span_same(d->ident, r->ident)
        && pipe_span_same(d->host, r->host);
}

/* pipe_dup_settle - the record that the test kept last, into dup_r:
 * before the place it was correlated from is written again or its
 * bytes go */
static inline void
pipe_dup_settle(struct pipe_ctx *pc)
{
    if (pc->dup_pend != NULL) {
        pc->dup_file = pc->file_no;
        pc->dup_r = *pc->dup_pend;
        pc->dup_kept = pc->dup_hashed = 0;
        pc->dup_pend = NULL;
    }
}

/* pipe_dup - (see above) the record before is kept by its place
 * (dup_pend) while it is where it was correlated, a chunk's item or a
 * slot of the held ring: one store a record, where a copy of it was 22
 * loads and stores a line. It is the current file's and not hashed;
 * dup_r, once settled, may be neither */
static inline __attribute__((always_inline)) int
pipe_dup(struct pipe_ctx *pc, const struct wrap_rec *r)
{
    const struct wrap_rec *d = pc->dup_pend;

    if (__builtin_expect(d == NULL, 0)) {
        d = &pc->dup_r;
        if (pc->dup_file != pc->file_no) {
            pc->dup_pend = r;
            return 0;
        }
        if (pc->dup_hashed) {
            /* the tests most lines fail first: the message's length,
             * then the time (a busy log has many lines in a second) */
            if (d->msg.len == r->msg.len && d->t == r->t
                && d->dated == r->dated && d->host.len == r->host.len
                && d->ident.len == r->ident.len && d->pid.len == r->pid.len
                && wrap_rec_hash(r) == pc->dup_hash)
                return 1;
            pc->dup_pend = r;
            return 0;
        }
    }
    if (pipe_rec_same(d, r))
        return 1;
    pc->dup_pend = r;
    return 0;
}

/* pipe_dup_keep - the input under the spans of the record pipe_dup()
 * keeps is about to change: copy its bytes (or its hash, when longer
 * than PIPE_DUP_MAX) */
static void
pipe_dup_keep(struct pipe_ctx *pc)
{
    struct wrap_rec *d = &pc->dup_r;
    struct span *f[4] = {&d->host, &d->ident, &d->pid, &d->msg};
    size_t  off = 0;
    int     i;

    pipe_dup_settle(pc);
    /* another file's record is never compared: its bytes may be gone */
    if (pc->dup_file != pc->file_no || pc->dup_kept)
        return;
    pc->dup_kept = 1;
    if (d->host.len + d->ident.len + d->pid.len + d->msg.len
        > sizeof(pc->dup_buf)) {
        pc->dup_hashed = 1;
        pc->dup_hash = wrap_rec_hash(d);
        return;
    }
    for (i = 0; i < 4; i++) {
        if (f[i]->len > 0)
            memcpy(pc->dup_buf + off, f[i]->ptr, f[i]->len);
        f[i]->ptr = pc->dup_buf + off;
        off += f[i]->len;
    }
}

static void pipe_rec_pre(struct pipe_ctx *, const struct input_src *,
                         uint64_t, const struct wrap_rec *,
                         struct parser_pre *);
static inline __attribute__((always_inline)) void
pipe_rec_pre_known(struct pipe_ctx *, const struct input_src *, uint64_t,
                   const struct wrap_rec *, struct parser_pre *, int, int);

/* pipe_held_one - the oldest record held back, correlated now; the
 * key of the one PIPE_HELD / 2 on is fetched (its place was, when it
 * was held) */
static void
pipe_held_one(struct pipe_ctx *pc)
{
    struct pipe_held *h = &pc->held[pc->held_first];

    if (pc->held_n > PIPE_HELD / 2)
        parser_pre_prefetch(pc->parsers, &pc->held[(pc->held_first
                                                    + PIPE_HELD / 2)
                                                   & (PIPE_HELD_RING - 1)].pre,
                            1);
    pc->held_first = (pc->held_first + 1) & (PIPE_HELD_RING - 1);
    pc->held_n--;
    /* inline: a call's frame was 20 instructions a record */
    pipe_rec_pre_known(pc, h->src, h->lineno, &h->r, &h->pre,
                       PIPE_DUP_ASK_KEPT, 0);
}

/* pipe_held_drain - every record held back, correlated: before
 * anything else of the input is told (a bad line, a record, the end of
 * the file), and before the bytes under their spans change */
static void
pipe_held_drain(struct pipe_ctx *pc)
{
    while (pc->held_n > 0)
        pipe_held_one(pc);
}

/* pipe_moving - input: the reader's buffer is about to be refilled, or
 * freed */
static void
pipe_moving(void *ctx)
{
    struct pipe_ctx *pc = ctx;

    pipe_held_drain(pc);
    pipe_dup_keep(pc);
    pc->held_ahead = parser_prefetch_useful(pc->parsers);
}

/* pipe_duplicate - a repeated record: counted, labelled, not parsed */
static void
pipe_duplicate(struct pipe_ctx *pc, const struct input_src *src,
               uint64_t lineno)
{
    struct trace tr;

    memset(&tr, 0, sizeof(tr));
    tr.kind = TRACE_DUPLICATE;
    pc->st->duplicates++;
    pipe_traced(pc, src, lineno, &tr);
}

/* pipe_rec - one record (envelope already off) through the parsers */
static void
pipe_rec(void *ctx, const struct input_src *src, uint64_t lineno,
         const struct wrap_rec *r)
{
    struct pipe_ctx *pc = ctx;
    struct parser_pre pre;
    union parser_pre_mta room;

    pipe_held_drain(pc);
    pre.u = &room;
    parser_pre_mt(pc->parsers, r, &pre);
    pipe_rec_pre(pc, src, lineno, r, &pre);
    pipe_dup_keep(pc);          /* r lives in the decoder: gone next */
}

/* pipe_rec_pre_known - a record after parser_pre_mt(), in input
 * order, and what the repeated-line test makes of it if known (enum
 * pipe_dup_known); traced: --trace may be on */
static inline __attribute__((always_inline)) void
pipe_rec_pre_known(struct pipe_ctx *pc, const struct input_src *src,
                   uint64_t lineno, const struct wrap_rec *r,
                   struct parser_pre *pre, int known, int traced)
{
    struct trace trb;
    const struct trace *tr;
    int     mta;

    if (known == PIPE_DUP_NEW) {
        pc->dup_pend = r;
    } else if (known == PIPE_DUP_SAME
               || (known == PIPE_DUP_ASK && !pipe_stateless(pre)
                   && r->msg.len > 0 && pipe_dup(pc, r))
               || (known == PIPE_DUP_ASK_KEPT && r->msg.len > 0
                   && pipe_dup(pc, r))) {
        pipe_duplicate(pc, src, lineno);
        return;
    }
    /* a line that changes no state: its trace where it is (a copy was
     * 4 instructions) */
    tr = parser_feed_pre_in(pc->parsers, r, pre, &trb, &mta);
    pipe_claimed(pc, r, mta, tr);
    if (traced)
        pipe_traced(pc, src, lineno, tr);
    else
        pipe_traced_nt(pc, src, lineno, tr);
}

/* pipe_rec_pre - a record after parser_pre_mt(), in input order */
static void
pipe_rec_pre(struct pipe_ctx *pc, const struct input_src *src,
             uint64_t lineno, const struct wrap_rec *r,
             struct parser_pre *pre)
{
    pipe_rec_pre_known(pc, src, lineno, r, pre, PIPE_DUP_ASK, 1);
}


/* pipe_held_new - the held ring, each slot's pre.u its room: set
 * here once (nothing else writes the pre.u of a slot), not on every
 * line in pipe_line_pre() (2 instructions a line) */
static struct pipe_held *
pipe_held_new(void)
{
    struct pipe_held *ring = xmalloc(PIPE_HELD_RING * sizeof(*ring));
    size_t  i;

    for (i = 0; i < PIPE_HELD_RING; i++)
        ring[i].pre.u = &ring[i].room;
    return ring;
}

/* pipe_line_pre - a line into the held ring's slot h (its pre.u its
 * room): its envelope, classified; 1 when it changes state (else it is
 * dropped here) */
static inline __attribute__((always_inline)) int
pipe_line_pre(struct pipe_ctx *pc, struct pipe_held *h, struct span line)
{
    int     slash;
    int     silent;

    if (__builtin_expect(pc->dup_pend == &h->r, 0))
        pipe_dup_settle(pc);    /* kept by the test PIPE_HELD lines ago */
    if (wrap_parse_in(&pc->ts, line, &h->r) == WRAP_EXIM
        && pc->parsers->all) {
        /* no ident: no noise test, and Exim's first */
        silent = parser_pre_digit_in(pc->parsers, &h->r, &h->pre);
    } else {
        if (pipe_noise_drop(pc->parsers, &h->r, &slash)) {
            pc->file_mta = 1;   /* a Postfix program that says nothing */
            return 0;
        }
        silent = parser_pre_slash_in(pc->parsers, &h->r, &h->pre, slash);
    }
    if (silent) {
        pc->file_mta = 1;       /* pipe_stateless(): Postfix's */
        return 0;
    }
    return 1;
}

/* pipe_line_held - pipe_line() without --trace: a record that changes
 * state is held back PIPE_HELD records, and the place of its key asked
 * for now: a key table larger than the caches missed on most look-ups
 * (htab_find_hashed was 8 % of a run on the replayed Postfix corpus).
 * Classifying reads no state, so it may run ahead of correlating;
 * everything else runs in input order. While the key tables are small
 * (parser_prefetch_useful) nothing is held (pipe_lines has a loop of
 * its own for that). One place correlates, inline, whichever record is
 * due (this line's, or the oldest held once a ninth is held): a call
 * of pipe_held_one() a record was 20 instructions of frame, and a
 * second copy of the correlating code in the loop */
static inline __attribute__((always_inline)) void
pipe_line_held(struct pipe_ctx *pc, const struct input_src *src,
               uint64_t lineno, struct span line)
{
    struct pipe_held *h;

    h = &pc->held[(pc->held_first + pc->held_n) & (PIPE_HELD_RING - 1)];
    if (!pipe_line_pre(pc, h, line))
        return;
    if (!pc->held_ahead) {      /* nothing to wait for (none held) */
        /* the next line in the next slot: the test may keep this one */
        pc->held_first = (pc->held_first + 1) & (PIPE_HELD_RING - 1);
    } else {
        h->src = src;
        h->lineno = lineno;
        parser_pre_prefetch(pc->parsers, &h->pre, 0);
        if (++pc->held_n <= PIPE_HELD)
            return;
        /* pipe_held_one(): the oldest, and the key of the one PIPE_HELD
         * / 2 on fetched (its place was, when it was held) */
        h = &pc->held[pc->held_first];
        parser_pre_prefetch(pc->parsers, &pc->held[(pc->held_first
                                                    + PIPE_HELD / 2)
                                                   & (PIPE_HELD_RING -
                                                      1)].pre, 1);
        pc->held_first = (pc->held_first + 1) & (PIPE_HELD_RING - 1);
        pc->held_n--;
        src = h->src;
        lineno = h->lineno;
    }
    pipe_rec_pre_known(pc, src, lineno, &h->r, &h->pre, PIPE_DUP_ASK_KEPT,
                       0);
}

/* pipe_line_slow - pipe_line() with a progress line or --trace */
static void
pipe_line_slow(struct pipe_ctx *pc, const struct input_src *src,
               uint64_t lineno, struct span line)
{
    struct wrap_rec r;
    struct parser_pre pre;
    union parser_pre_mta room;

    if (pc->progress && (++pc->ticks & 0xffff) == 0)
        progress_tick(pc->progress, src->bytes);
    if (pc->o->trace == NULL) {
        pipe_line_held(pc, src, lineno, line);
        return;
    }
    pre.u = &room;
    wrap_parse(&pc->ts, line, &r);
    parser_pre_mt(pc->parsers, &r, &pre);
    pipe_rec_pre(pc, src, lineno, &r, &pre);
    pipe_dup_settle(pc);        /* r goes now */
}

/* pipe_line - one text line: envelope off, then as a record. One test
 * for a progress line and --trace (line_slow): four were 12
 * instructions a line */
static void
pipe_line(void *ctx, const struct input_src *src, uint64_t lineno,
          struct span line)
{
    struct pipe_ctx *pc = ctx;

    if (pc->line_slow)
        pipe_line_slow(pc, src, lineno, line);
    else
        pipe_line_held(pc, src, lineno, line);
}

/* pipe_held_next - the slot after h in the ring */
static inline struct pipe_held *
pipe_held_next(struct pipe_held *ring, struct pipe_held *h)
{
    return h + 1 < ring + PIPE_HELD_RING ? h + 1 : ring;
}

/* pipe_lines_held - pipe_line_held() of a batch of lines: the ring's
 * first slot, the next free one, the one PIPE_HELD / 2 after the
 * first and the count in locals, written back at the end (nothing that
 * a record's correlation calls holds or drains records; their loads
 * and stores in pc, and a slot's place made from them, were 15
 * instructions a line), the lines walked by pointer. Inlined into
 * pipe_lines() always, as gcc chose to before the envelope's memo was
 * inlined there too: out of line, a profile-guided build (whose
 * training holds no records: small key tables) put its whole loop
 * among the cold code, 4 % more CPU time on corpus.log at -j 1 */
static inline __attribute__((always_inline)) void
pipe_lines_held(struct pipe_ctx *pc, const struct input_src *src,
                uint64_t lineno, const struct span *ls, size_t n)
{
    struct pipe_held *ring = pc->held;
    struct pipe_held *first = &ring[pc->held_first];
    struct pipe_held *mid = &ring[(pc->held_first + PIPE_HELD / 2)
                                  & (PIPE_HELD_RING - 1)];
    struct pipe_held *next = &ring[(pc->held_first + pc->held_n)
                                   & (PIPE_HELD_RING - 1)];
    unsigned nh = pc->held_n;
    const struct span *l;
    const struct span *end = ls + n;

    for (l = ls; l < end; l++, lineno++) {
        struct pipe_held *h = next;

        if (!pipe_line_pre(pc, h, *l))
            continue;
        h->src = src;
        h->lineno = lineno;
        parser_pre_prefetch(pc->parsers, &h->pre, 0);
        next = pipe_held_next(ring, h);
        if (++nh <= PIPE_HELD)
            continue;
        /* pipe_held_one(), inline (see pipe_line_held) */
        h = first;
        parser_pre_prefetch(pc->parsers, &mid->pre, 1);
        first = pipe_held_next(ring, first);
        mid = pipe_held_next(ring, mid);
        nh--;
        pipe_rec_pre_known(pc, h->src, h->lineno, &h->r, &h->pre,
                           PIPE_DUP_ASK_KEPT, 0);
    }
    pc->held_first = (unsigned) (first - ring);
    pc->held_n = nh;
}

/* pipe_lines - pipe_line() of a batch of lines (input_cb.lines): one
 * call and one test of line_slow for many lines */
static void
pipe_lines(void *ctx, const struct input_src *src, uint64_t lineno,
           const struct span *ls, size_t n)
{
    struct pipe_ctx *pc = ctx;
    size_t  i;

    if (__builtin_expect(pc->line_slow, 0)) {
        for (i = 0; i < n; i++)
            pipe_line_slow(pc, src, lineno + i, ls[i]);
        return;
    }
    if (!pc->held_ahead) {
        /* nothing held, nor will be in this batch (held_ahead changes
         * when the input moves): the slot a pointer, the lines walked
         * by one (an index of each, kept across the calls in memory,
         * was 7 instructions a line more). Two slots of the ring take
         * turns (the wrap's compare and loads were 2 instructions a
         * line more): the repeated-line
         * test's record is settled when its slot is to be written
         * (pipe_line_pre), a line after it at the earliest. The
         * other slot is read from the one in use (alt), after the
         * record is correlated: the xor's mask and the slot were kept
         * in memory across the calls, 4 instructions a line */
        struct pipe_held *ring = pc->held;
        struct pipe_held *h = &ring[pc->held_first];
        const struct span *l;
        const struct span *end = ls + n;

        h->alt = pipe_held_next(ring, h);
        h->alt->alt = h;
        for (l = ls; l < end; l++, lineno++) {
            if (!pipe_line_pre(pc, h, *l))
                continue;
            pipe_rec_pre_known(pc, src, lineno, &h->r, &h->pre,
                               PIPE_DUP_ASK_KEPT, 0);
            h = h->alt;
        }
        pc->held_first = (unsigned) (h - ring);
        return;
    }
    pipe_lines_held(pc, src, lineno, ls, n);
}

/* pipe_skip - journalctl catalog text: no record, labelled irrelevant */
static void
pipe_skip(void *ctx, const struct input_src *src, uint64_t lineno)
{
    struct pipe_ctx *pc = ctx;

    pipe_held_drain(pc);
    if (pc->o->trace)
        fprintf(pc->o->trace, "%s:%" PRIu64 "\tirrelevant\n", src->name,
                lineno);
}

/* pipe_bad - a line the reader had to skip */
static void
pipe_bad(void *ctx, const struct input_src *src, uint64_t lineno,
         enum input_bad why)
{
    struct pipe_ctx *pc = ctx;

    pipe_held_drain(pc);
    pipe_show_bad(pc, src, lineno, input_bad_name(why));
    if (pc->o->trace)
        fprintf(pc->o->trace, "%s:%" PRIu64 "\tbad:%s\n", src->name, lineno,
                input_bad_name(why));
}

/* pipe_pres_grow - ch's pres to cap bytes, 64-aligned, what it holds
 * kept. Each record in it starts a cache line (its size rounded up to
 * 64): the worker writes it and the correlating thread reads it, and
 * the two runs of 64 bytes of an Exim record that ex_apply reads first
 * (parsers/ex_sess.h) lay on two lines each 7 times in 8 when records
 * were 8-aligned in a 16-aligned arena */
static void
pipe_pres_grow(struct pipe_chunk *ch, size_t cap)
{
    void   *p;

    if (posix_memalign(&p, PIPE_PRE_ALIGN, cap) != 0)
        msg_fatal("out of memory allocating %zu bytes", cap);
    if (ch->pres_len > 0)
        memcpy(p, ch->pres, ch->pres_len);
    free(ch->pres);
    ch->pres = p;
    ch->pres_cap = cap;
}

/* pipe_item_new - room for one more item of a chunk (the array grows
 * to the most a chunk ever needed and is kept: no per-line allocation) */
static struct pipe_item *
pipe_item_new(struct pipe_chunk *ch, uint64_t lineno, int kind)
{
    struct pipe_item *it;

    if (ch->nitems == ch->cap_items) {
        ch->cap_items = ch->cap_items ? ch->cap_items * 2 : 1024;
        ch->items = xrealloc(ch->items, ch->cap_items * sizeof(*ch->items));
    }
    it = &ch->items[ch->nitems++];
    it->lineno = (uint32_t) lineno;
    it->kind = (uint8_t) kind;
    it->why = 0;
    it->dup = PIPE_DUP_ASK;
    return it;
}

/* pipe_w_dup_rec - worker: the record the repeated-line test saw last,
 * of ch->dup_last (not 0) */
static inline const struct wrap_rec *
pipe_w_dup_rec(struct pipe_chunk *ch, size_t dup_last)
{
    return dup_last == PIPE_DUP_FOLDED ? &ch->dup_rec
        : &ch->items[dup_last - 1].r;
}

/* pipe_w_dup_item - worker: when the record the repeated-line test saw
 * last was folded, an item that hands it to the correlating thread
 * (before a journal record, which it compares in order, and at the end
 * of the chunk, for the next one's first) */
static void
pipe_w_dup_item(struct pipe_chunk *ch)
{
    if (ch->dup_last == PIPE_DUP_FOLDED) {
        pipe_item_new(ch, 0, PIPE_I_DUP)->r = ch->dup_rec;
        ch->dup_last = ch->nitems;
    }
}

/* pipe_w_fold - worker: 1 when the record just classified into item it
 * needs no item, having nothing for the correlating thread to do but
 * what the chunk's counts tell: a repeat of the record before (counted
 * in ch->dups: that thread only counted it, pipe_duplicate), or a line
 * that changes no state (no parser's, or claimed without a state) that
 * is not bad, whose repeated-line test was made here and, if claimed,
 * whose log host and MTA an item of this chunk before it tells
 * (pipe_claimed: told again, nothing changes; a host tag is its host's
 * alone). The test's record is then in ch->dup_rec, *dup pointed
 * there. Else *dup is set for the kept item (unless it has no text)
 * and its host tag and MTA noted as told. On Exim's log over half the
 * lines change no state: each was an item, written by a worker and read
 * on the correlating thread, where it cost more than the rest of its
 * way there (docs/internals/pipeline.md) */
static inline __attribute__((always_inline)) int
pipe_w_fold(struct pipe_chunk *ch, const struct pipe_item *it,
            const struct wrap_rec **dup, int *mta)
{
    const struct parser_pre *pre = &it->pre;

    if (it->dup == PIPE_DUP_SAME) {
        ch->dups++;             /* *dup: the same bytes */
        return 1;
    }
    if (it->dup != PIPE_DUP_ASK
        && (pre->kind == PARSER_PRE_NONE
            || (pre->kind == PARSER_PRE_DONE && pre->tr.kind != TRACE_BAD
                && it->r.host_tag != 0 && it->r.host_tag == ch->told_tag
                && pre->mta == ch->told_mta))) {
        /* pipe_claimed() of a claimed line notes the file as an MTA's
         * (pipe_file_done) when parser_line_mine() says so */
        if (pre->kind == PARSER_PRE_DONE && !*mta)
            *mta = parser_line_mine(pre->mta, &it->r, &pre->tr);
        if (it->dup == PIPE_DUP_NEW) {
            ch->dup_rec = it->r;
            *dup = &ch->dup_rec;
        }
        return 1;
    }
    if (it->dup != PIPE_DUP_NONE)
        *dup = &it->r;
    if (pre->kind != PARSER_PRE_NONE) {
        ch->told_tag = it->r.host_tag;
        ch->told_mta = pre->mta;
    }
    return 0;
}

/* pipe_w_line_in - worker: one line of a chunk; json: it may be a
 * journal JSON record (a batch's line is not: input_cb.lines) */
static inline __attribute__((always_inline)) void
pipe_w_line_in(struct pipe_chunk *ch, uint64_t lineno, struct span line,
               int json)
{
    struct pipe_item *it;
    struct wrap_rec r;
    int     slash;

    /* a JSON record opens with 0x1e, "data: " or "{" (jrnl_is_json) */
    if (json && line.len > 0 && (line.ptr[0] == 0x1e || line.ptr[0] == 'd'
                         || line.ptr[0] == '{') && jrnl_is_json(line)) {
        pipe_w_dup_item(ch);    /* decoded in order: the test's record */
        memset(&r, 0, sizeof(r));
        r.msg = line;
        pipe_item_new(ch, lineno, PIPE_I_JSON)->r = r;
        ch->dup_last = 0;       /* decoded in order: the next one asks */
        return;
    }
    /* the envelope straight into the next item: taken back if the line
     * is dropped (a copy of the record, kept or not, was 11 loads and
     * stores a line) */
    it = pipe_item_new(ch, lineno, PIPE_I_REC);
    wrap_parse(&ch->ts, line, &it->r);
    if (pipe_noise_drop(ch->parsers, &it->r, &slash)) {
        ch->nitems--;
        ch->mta = 1;
        return;
    }
    if (ch->pres_cap - ch->pres_len < PIPE_PRE_ROOM)
        pipe_pres_grow(ch, ch->pres_cap ? ch->pres_cap * 2 : 64 * 1024);
    it->pre.u = ch->pres + ch->pres_len;
    if (parser_pre_slash_in(ch->parsers, &it->r, &it->pre, slash)) {
        ch->nitems--;           /* nothing to keep */
        ch->mta = 1;
    } else {
        size_t  off = ch->pres_len;

        ch->pres_len += (parser_pre_size(ch->parsers, &it->pre) + 63)
            & ~(size_t) 63;
        it->pre.u = (void *) (uintptr_t) off;   /* pipe_item_pre */
        /* the repeated-line test against the record before it here,
         * where the lines are (pipe_dup: the same compare, in order) */
        if (it->r.msg.len == 0) {
            it->dup = PIPE_DUP_NONE;
        } else {
            if (ch->dup_last != 0)
                it->dup = pipe_rec_same(pipe_w_dup_rec(ch, ch->dup_last),
                                        &it->r) ? PIPE_DUP_SAME
                    : PIPE_DUP_NEW;
            ch->dup_last = ch->nitems;
        }
    }
}

/* pipe_w_line_mt - worker: one line of a chunk (input_cb.line) */
static void
pipe_w_line_mt(void *ctx, const struct input_src *src, uint64_t lineno,
               struct span line)
{
    (void) src;
    pipe_w_line_in(ctx, lineno, line, 1);
}

/* pipe_w_room - room for n more items and n more events' pres in ch
 * (the arrays grow to the most a chunk ever needed and are kept) */
static void
pipe_w_room(struct pipe_chunk *ch, size_t n)
{
    if (ch->cap_items - ch->nitems < n) {
        while (ch->cap_items - ch->nitems < n)
            ch->cap_items = ch->cap_items ? ch->cap_items * 2 : 1024;
        ch->items = xrealloc(ch->items, ch->cap_items * sizeof(*ch->items));
    }
    if ((ch->pres_cap - ch->pres_len) / PIPE_PRE_ROOM < n) {
        size_t  cap = ch->pres_cap;

        while ((cap - ch->pres_len) / PIPE_PRE_ROOM < n)
            cap = cap ? cap * 2 : 64 * 1024;
        pipe_pres_grow(ch, cap);
    }
}

/* pipe_w_item_head - an item's lineno ln, kind PIPE_I_REC, why 0 and
 * dup PIPE_DUP_ASK: on a little-endian host one 8-byte store of ln
 * (the padding byte after dup written too), where gcc made three (a
 * word, two bytes and a byte) */
_Static_assert(offsetof(struct pipe_item, kind) == 4
               && offsetof(struct pipe_item, why) == 5
               && offsetof(struct pipe_item, dup) == 6
               && offsetof(struct pipe_item, r) == 8
               && PIPE_I_REC == 0 && PIPE_DUP_ASK == 0,
               "pipe_w_item_head: the head is lineno and three zero bytes");
static inline void
pipe_w_item_head(struct pipe_item *it, uint32_t ln)
{
    if (span_little_endian()) {
        uint64_t h = ln;

        memcpy(it, &h, sizeof(h));
    } else {
        it->lineno = ln;
        it->kind = PIPE_I_REC;
        it->why = 0;
        it->dup = PIPE_DUP_ASK;
    }
}

/* pipe_w_lines_mt - worker: a batch of lines of a chunk
 * (input_cb.lines), pipe_w_line_in() of each with the room of the
 * whole batch asked for once, and the chunk's counts (items, pres,
 * the item the repeated-line test saw last) in locals, written back at
 * the end: the calls of a line may write anywhere, for the compiler,
 * so each line loaded and stored them in ch again (about 15
 * instructions a line) */
static void
pipe_w_lines_mt(void *ctx, const struct input_src *src, uint64_t lineno,
                const struct span *ls, size_t n)
{
    struct pipe_chunk *ch = ctx;
    const struct parser_set *ps = ch->parsers;
    const struct span *l;
    const struct span *end = ls + n;
    struct pipe_item *it;
    const struct wrap_rec *dup;
    unsigned char *pres;
    size_t  pres_len;
    uint32_t ln = (uint32_t) lineno;
    int     mta = 0;

    (void) src;
    pipe_w_room(ch, n);
    it = ch->items + ch->nitems;
    dup = ch->dup_last != 0 ? pipe_w_dup_rec(ch, ch->dup_last) : NULL;
    pres = ch->pres;
    pres_len = ch->pres_len;
    for (l = ls; l < end; l++, ln++) {
        int     slash;
        int     silent;

        /* the envelope straight into the next item, taken back (not
         * counted) if the line is dropped */
        pipe_w_item_head(it, ln);
        if (wrap_parse_in(&ch->ts, *l, &it->r) == WRAP_EXIM && ps->all) {
            /* no ident: no noise test, and Exim's first */
            it->pre.u = pres + pres_len;
            silent = parser_pre_digit_in(ps, &it->r, &it->pre);
        } else {
            if (pipe_noise_drop(ps, &it->r, &slash)) {
                mta = 1;
                continue;
            }
            it->pre.u = pres + pres_len;
            silent = parser_pre_slash_in(ps, &it->r, &it->pre, slash);
        }
        if (silent) {
            mta = 1;            /* nothing to keep */
            continue;
        }
        it->pre.u = (void *) (uintptr_t) pres_len;      /* pipe_item_pre */
        pres_len += (parser_pre_size(ps, &it->pre) + 63) & ~(size_t) 63;
        /* the repeated-line test against the record before it here,
         * where the lines are (pipe_dup: the same compare, in order) */
        if (it->r.msg.len == 0)
            it->dup = PIPE_DUP_NONE;
        else if (dup != NULL)
            it->dup = pipe_rec_same(dup, &it->r) ? PIPE_DUP_SAME
                : PIPE_DUP_NEW;
        if (pipe_w_fold(ch, it, &dup, &mta)) {
            pres_len = (uintptr_t) it->pre.u;   /* taken back */
            continue;
        }
        it++;
    }
    ch->nitems = (size_t) (it - ch->items);
    ch->pres_len = pres_len;
    ch->dup_last = dup == NULL ? 0 : dup == &ch->dup_rec ? PIPE_DUP_FOLDED
        : (size_t) ((const struct pipe_item *) ((const char *) dup
                          - offsetof(struct pipe_item, r)) - ch->items) + 1;
    if (mta)
        ch->mta = 1;
}

/* pipe_w_bad_mt - worker: a line the reader skips */
static void
pipe_w_bad_mt(void *ctx, const struct input_src *src, uint64_t lineno,
              enum input_bad why)
{
    struct pipe_chunk *ch = ctx;

    (void) src;
    pipe_item_new(ch, lineno, PIPE_I_BAD)->why = (uint8_t) why;
}

/* pipe_w_tail - a parsed chunk made ready for the correlating thread:
 * each record's pre.u from its offset in pres to a pointer (pres moves
 * no more), so that pipe_correlate hands the item's parser_pre on as
 * it is, not a copy with pre.u set (7 instructions a record) and asks
 * for what the parser kept without adding the base (2 a fetch, 3
 * fetches a record); and the PIPE_TAIL items after ch's last told
 * apart from a record's (kind PIPE_I_BAD, nothing else written):
 * pipe_correlate reads the kind of items up to PIPE_TAIL on, and asks
 * for their lines, without testing each time whether they are the
 * chunk's (three tests an item). Here the items were just written, by
 * this thread; on the correlating thread, bound on a Postfix log,
 * each was read from another core's cache */
static void
pipe_w_tail(struct pipe_chunk *ch)
{
    struct pipe_item *it = ch->items;
    struct pipe_item *end = it + ch->nitems;
    size_t  i;

    for (; it < end; it++)
        if (it->kind == PIPE_I_REC)
            it->pre.u = ch->pres + (uintptr_t) it->pre.u;

    if (ch->cap_items - ch->nitems < PIPE_TAIL) {
        while (ch->cap_items - ch->nitems < PIPE_TAIL)
            ch->cap_items = ch->cap_items ? ch->cap_items * 2 : 1024;
        ch->items = xrealloc(ch->items, ch->cap_items * sizeof(*ch->items));
    }
    for (i = 0; i < PIPE_TAIL; i++)
        ch->items[ch->nitems + i].kind = PIPE_I_BAD;
}

/* pipe_w_claim - a worker, before it parses ch: the items and the
 * records' bytes it is about to write (as many as the chunk that used
 * them last wrote), cleared in one pass. The correlating thread read
 * them since, and a store to a line that the other core holds waits
 * for that core's copy to go, line after line as the parser writes
 * them: in the far placement of the two CPUs (a round trip of about
 * 400 ns) a worker parsed a chunk in twice the time one thread takes.
 * memset() writes whole lines, whose old bytes need not be read, and
 * takes them back as a stream; the parser's stores then find them in
 * this core's cache. Both threads' CPU time at -j 2 about 14 % less on
 * the Exim log and 10 % on the Postfix ones in the far placement, 1 to
 * 3 % more in the near one
 * (docs/internals/pipeline.md, round 18). The main thread parses into
 * buffers it wrote and read itself (pipe_arenas): nothing to take */
static void
pipe_w_claim(struct pipe_chunk *ch)
{
    size_t  n = ch->nitems + PIPE_TAIL;

    if (ch->items != NULL)
        memset(ch->items, 0, (n < ch->cap_items ? n : ch->cap_items)
               * sizeof(*ch->items));
    if (ch->pres != NULL)
        memset(ch->pres, 0, ch->pres_len < ch->pres_cap ? ch->pres_len
               : ch->pres_cap);
}

/* pipe_parse_chunk_mt - a worker (1) or the main thread (0): every
 * line of one chunk into items */
static void
pipe_parse_chunk_mt(struct pipe_par *pp, struct pipe_chunk *ch, int worker)
{
    struct input_cb cb;

    if (worker && pp->claim)
        pipe_w_claim(ch);
    memset(&cb, 0, sizeof(cb));
    cb.line = pipe_w_line_mt;
    cb.lines = pipe_w_lines_mt;
    cb.bad = pipe_w_bad_mt;
    cb.ctx = ch;
    cb.quiet = 1;
    ch->nitems = 0;
    ch->pres_len = 0;
    ch->mta = 0;
    ch->dup_last = 0;
    ch->dups = 0;
    ch->told_tag = 0;
    memset(&ch->acc, 0, sizeof(ch->acc));
    if (ch->fd >= 0) {
        input_chunk_fetch(ch->src->name, ch->fd, ch->off, ch->buf, ch->len);
        ch->fd = -1;
    }
    input_chunk_lines_mt(&cb, &ch->acc, ch->buf, ch->len, ch->flags,
                         ch->nlead);
    pipe_w_dup_item(ch);        /* for the next chunk's first record */
    pipe_w_tail(ch);
}

/* pipe_add_chunk_mt - worker: a correlated chunk's sessions into the
 * table */
static void
pipe_add_chunk_mt(struct pipe_par *pp, struct pipe_chunk *ch)
{
    /* the queue is the table's key list: the next keys' memory is asked
     * for while one is added */
    if (agg_tab_add_list_mt(pp->tab, ch->keys, ch->keys_len) != 0)
        msg_panic("session with invalid fields reached the table");
    ch->keys_len = 0;
}

/* pipe_fusable - 1 when chunk seq may be fused (pipe_fuse) if the
 * main thread finds it unclaimed at the head: any, unless
 * MAILTLSRPT_FUSE said otherwise (pipe_par.fuse: 0 none, k > 1 those
 * whose sequence number is no multiple of k: tests mix the two paths
 * in a known pattern) */
static inline int
pipe_fusable(const struct pipe_par *pp, uint64_t seq)
{
    return pp->fuse == 1 || (pp->fuse > 1 && seq % (uint64_t) pp->fuse != 0);
}

/* pipe_pick - a queued chunk for thread worker (1: a worker, 0: the
 * main thread) to parse into items, or NULL. Never the head when it
 * may be fused: the main thread classifies and applies it in one pass
 * when it gets there (pipe_settle, pipe_fuse). A worker takes the
 * newest, so that the chunks next to the head stay unclaimed while it
 * has any other; the main thread (the head being parsed) the oldest,
 * as before. Without fusing, the oldest. Called with pp->mu held */
static struct pipe_chunk *
pipe_pick(const struct pipe_par *pp, int worker)
{
    uint64_t s;
    struct pipe_chunk *ch;

    if (pp->nqueue == 0)
        return NULL;
    if (worker && pp->fuse) {
        for (s = pp->next_put; s > pp->next_corr; s--) {
            ch = pp->order[(s - 1) % pp->nchunks];
            if (ch->state == PIPE_C_QUEUED
                && (s - 1 > pp->next_corr || !pipe_fusable(pp, s - 1)))
                return ch;
        }
        return NULL;
    }
    for (s = pp->next_corr; s < pp->next_put; s++) {
        ch = pp->order[s % pp->nchunks];
        if (ch->state == PIPE_C_QUEUED
            && (s > pp->next_corr || !pipe_fusable(pp, s)))
            return ch;
    }
    return NULL;
}

/* pipe_eligible - queued chunks a worker may take (pipe_pick). Called
 * with pp->mu held */
static uint64_t
pipe_eligible(const struct pipe_par *pp)
{
    if (pp->nqueue > 0 && pp->next_corr < pp->next_put
        && pp->order[pp->next_corr % pp->nchunks]->state == PIPE_C_QUEUED
        && pipe_fusable(pp, pp->next_corr))
        return pp->nqueue - 1;
    return pp->nqueue;
}

/* pipe_wake_wanted - the workers to wake (0, 1, or 2: all) now that
 * work was queued: those asleep, when there is work. Called with pp->mu
 * held */
static int
pipe_wake_wanted(const struct pipe_par *pp)
{
    uint64_t pend = pipe_eligible(pp) + pp->nadd;

    if (pp->idle == 0 || pend == 0)
        return 0;
    return pend > 1 && pp->idle > 1 ? 2 : 1;
}

/* pipe_wake - wake what pipe_wake_wanted() said, pp->mu not held (a
 * worker woken with it held would wait for it at once) */
static void
pipe_wake(struct pipe_par *pp, int wake)
{
    if (wake == 1)
        pthread_cond_signal(&pp->work_cv);
    else if (wake > 1)
        pthread_cond_broadcast(&pp->work_cv);
}

/* pipe_arenas - before thread worker (1: a worker, 0: the main
 * thread) parses ch, whose lines are still in the file: the buffer,
 * items and pres that this thread wrote last, taken from a free chunk
 * if ch's were another's. A thread writing a cache line that the other
 * thread wrote or read cost three times what it costs when that thread
 * wrote it last, on a machine whose two CPUs lie far apart
 * (docs/internals/pipeline.md, "What crosses between the threads"):
 * so only what the correlating thread read of a worker's chunk comes
 * back to the worker, and the main thread writes only its own. Called
 * with pp->mu held */
static void
pipe_arenas(struct pipe_par *pp, struct pipe_chunk *ch, int worker)
{
    struct pipe_chunk *o;
    size_t  i;

    if (ch->fd < 0 || ch->owner == worker)
        return;
    for (i = 0; i < pp->nchunks; i++) {
        o = &pp->chunks[i];
        if (o->state == PIPE_C_FREE && o->owner == worker) {
#define PIPE_SWAP(t, f) do { t x_ = ch->f; ch->f = o->f; o->f = x_; } while (0)
            PIPE_SWAP(unsigned char *, buf);
            PIPE_SWAP(size_t, cap);
            PIPE_SWAP(struct pipe_item *, items);
            PIPE_SWAP(size_t, cap_items);
            PIPE_SWAP(unsigned char *, pres);
            PIPE_SWAP(size_t, pres_cap);
#undef PIPE_SWAP
            o->owner = !worker;
            break;
        }
    }
    ch->owner = worker;
}

/* pipe_work_one - one piece of the workers' work, adding first (it
 * frees a chunk for the reader), else parsing the next queued chunk;
 * 0 when there was none. Called with pp->mu held, which it drops while
 * working. Run by the workers (worker 1) and, while it waits, the main
 * thread. */
static int
pipe_work_one(struct pipe_par *pp, int worker)
{
    struct pipe_chunk *ch;
    size_t  i;
    int     wake;

    if (pp->nadd > 0) {
        for (i = 0; pp->chunks[i].state != PIPE_C_ADDQ; i++)
            ;
        ch = &pp->chunks[i];
        ch->state = PIPE_C_ADDING;
        pp->nadd--;
        pthread_mutex_unlock(&pp->mu);
        pipe_add_chunk_mt(pp, ch);
        pthread_mutex_lock(&pp->mu);
        ch->state = PIPE_C_FREE;
        if (pp->mwait)
            pthread_cond_signal(&pp->done_cv);
        return 1;
    }
    if ((ch = pipe_pick(pp, worker)) == NULL)
        return 0;
    ch->state = PIPE_C_WORKING;
    pp->nqueue--;
    pipe_arenas(pp, ch, worker);
    wake = worker ? 0 : pipe_wake_wanted(pp);
    pthread_mutex_unlock(&pp->mu);
    pipe_wake(pp, wake);
    /* the correlators' next key slab, faulted in by a worker rather
     * than by the correlating thread (util/htab.h) */
    if (worker)
        htab_prefault_mt();
    pipe_parse_chunk_mt(pp, ch, worker);
    pthread_mutex_lock(&pp->mu);
    ch->state = PIPE_C_DONE;
    if (pp->mwait)
        pthread_cond_signal(&pp->done_cv);
    return 1;
}

/* pipe_relax - a spinning thread's pause */
static inline void
pipe_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* pipe_ping_answer - a worker, first: the first to come answers
 * pipe_far()'s round trips, each odd number with the next, until done.
 * The answer is a compare-and-swap: a plain store could land after
 * the done of a pipe_far() that gave up waiting, and this thread wait
 * for a number that never comes */
static void
pipe_ping_answer(struct pipe_par *pp)
{
    unsigned seen = 0;
    unsigned v;

    if (atomic_exchange(&pp->ping_who, 1) != 0)
        return;
    for (;;) {
        v = atomic_load_explicit(pp->ping, memory_order_acquire);
        if (v == PIPE_PING_DONE)
            return;
        if (v == seen) {
            pipe_relax();
            continue;
        }
        if (atomic_compare_exchange_strong_explicit(pp->ping, &v, v + 1,
                                                    memory_order_acq_rel,
                                                    memory_order_acquire))
            seen = v + 1;
    }
}

/* pipe_worker_mt - thread: add and parse queued chunks until stopped */
static void *
pipe_worker_mt(void *arg)
{
    struct pipe_par *pp = arg;

    pipe_ping_answer(pp);
    parser_classify_ahead_mt();         /* the main thread applies */
    pthread_mutex_lock(&pp->mu);
    for (;;) {
        while (!pp->stop && pp->nadd == 0 && pipe_pick(pp, 1) == NULL) {
            pp->idle++;
            pthread_cond_wait(&pp->work_cv, &pp->mu);
            pp->idle--;
        }
        if (!pipe_work_one(pp, 1))
            break;              /* stopped, nothing left */
    }
    pthread_mutex_unlock(&pp->mu);
    return NULL;
}

/* pipe_item_pre - where what the parser kept of item it of a parsed
 * chunk is (pipe_w_tail) */
static inline void *
pipe_item_pre(const struct pipe_chunk *ch, const struct pipe_item *it)
{
    (void) ch;
    return it->pre.u;
}

/* pipe_item_prefetch - parser_pre_prefetch() of a record of ch not
 * correlated yet, or of an item that is none (pipe_w_tail): its
 * parser's hook called here, with where its record is (a copy of the
 * item's parser_pre with pre.u set was 11 instructions) */
static inline __attribute__((always_inline)) void
pipe_item_prefetch(const struct parser_set *ps, const struct pipe_chunk *ch,
                   const struct pipe_item *it, int deep)
{
    if (it->kind == PIPE_I_REC && it->pre.kind == PARSER_PRE_EVENT) {
        const struct corr_ops *op = ps->ops[it->pre.at];

        if (op->prefetch)
            op->prefetch(ps->state[it->pre.at], pipe_item_pre(ch, it), deep);
    }
}

/* pipe_item_fetch - a hint: item i of ch and the first line of what
 * its parser kept. A worker wrote both, on another core: without it,
 * the first read of each (pipe_item_prefetch, PIPE_AHEAD items on)
 * waited for that core's cache (pf_prefetch was 8 % of the main
 * thread at -j 2 on the replayed Postfix corpus): every cache line of
 * the item (one of 152 bytes lay on four lines one time in four, and
 * the fourth was not asked for; one of 144 lies on three: the
 * _Static_assert after the struct). What the parser kept and the line are
 * asked for of the item PIPE_AHEAD / 2 before, asked for then. Always
 * inline: a function of prefetches alone counts as pure to gcc, and a
 * call of it is dropped */
static inline __attribute__((always_inline)) void
pipe_item_fetch(const struct pipe_chunk *ch, size_t i)
{
    const char *p = (const char *) &ch->items[i];
    const struct pipe_item *half = &ch->items[i - PIPE_AHEAD / 2];

    /* its three lines: its first byte's, the next and its last byte's
     * (a loop over the lines from the first was 12 instructions) */
    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);
    __builtin_prefetch(p + sizeof(struct pipe_item) - 1);
    if (half->kind == PIPE_I_REC) {
        const char *pre = pipe_item_pre(ch, half);

        /* its first line: a record starts one (pipe_pres_grow), so
         * its byte 31, asked for too when records were 8-aligned, is
         * on it */
        __builtin_prefetch(pre);
        if (half->pre.kind == PARSER_PRE_EVENT) {
            /* its next two lines: what an Exim event's apply reads
             * lies on the first and the third (its kind, time and
             * hashes at bytes 128 on; a key with a log host runs on
             * into the second) */
            __builtin_prefetch(pre + 64);
            __builtin_prefetch(pre + 128);
        }
        /* the line itself, read long before: its key (host, program,
         * pid) and the start of its message */
        __builtin_prefetch(half->r.host.ptr);
        __builtin_prefetch(half->r.msg.ptr);
    }
}

/* pipe_correlate - main thread: a parsed chunk's records, in order */
static void
pipe_correlate(struct pipe_ctx *pc, struct pipe_chunk *ch)
{
    struct input_src *src = ch->src;
    uint64_t base = src->lines;
    size_t  i;
    size_t  n = ch->nitems;
    int     ahead = parser_prefetch_useful(ch->parsers);
    const struct parser_set *ps = ch->parsers;

    /* the items up to PIPE_TAIL past the last are there, of no kind
     * asked for (pipe_w_tail) */
    for (i = 0; i < n; i++) {
        struct pipe_item *it = &ch->items[i];
        uint64_t lineno = base + it->lineno;

        /* key tables larger than the caches: what a record some items
         * on reads first is fetched now, its key's slot and, half way
         * there, the entry the slot holds */
        pipe_item_fetch(ch, i + 2 * PIPE_AHEAD);
        if (ahead) {
            pipe_item_prefetch(ps, ch, &ch->items[i + PIPE_AHEAD], 0);
            pipe_item_prefetch(ps, ch, &ch->items[i + PIPE_AHEAD / 2], 1);
        }
        if (it->kind == PIPE_I_REC) {
            /* the item as it is: read here, not written (pre.u points
             * to its record: pipe_w_tail) */
            pipe_rec_pre_known(pc, src, lineno, &it->r, &it->pre, it->dup, 0);
        } else if (it->kind == PIPE_I_BAD) {
            pipe_show_bad(pc, src, lineno, input_bad_name(it->why));
        } else if (it->kind == PIPE_I_DUP) {
            pc->dup_pend = &it->r;
        } else {
            struct wrap_rec r;
            const char *why;

            if (pc->j == NULL)
                pc->j = jrnl_create();
            if (jrnl_json(pc->j, it->r.msg, &r, &why) == 0) {
                pipe_rec(pc, src, lineno, &r);
            } else {
                src->bad[INPUT_BAD_RECORD]++;
                pipe_show_bad(pc, src, lineno,
                              input_bad_name(INPUT_BAD_RECORD));
            }
        }
    }
    pipe_dup_keep(pc);          /* the chunk is reused after this */
    pc->st->duplicates += ch->dups;
    input_chunk_add(src, &ch->acc);
    pc->file_mta |= ch->mta;
    pc->file_ts_used |= ch->ts.used;
    pc->file_ts_back |= ch->ts.back;
}

/* pipe_f_line, pipe_f_lines, pipe_f_bad - pipe_fuse: a chunk's lines
 * as the one-thread reader hands them over (pipe_line, pipe_lines,
 * pipe_bad), with the chunk's source and its line numbers in the file;
 * a journal JSON record decoded here, in order, as pipe_correlate does
 * (a chunk's reader leaves it to the line callback) */
static void
pipe_f_line(void *ctx, const struct input_src *acc, uint64_t lineno,
            struct span line)
{
    struct pipe_ctx *pc = ctx;
    struct input_src *src = pc->fuse_src;

    (void) acc;
    lineno += pc->fuse_base;
    if (line.len > 0 && (line.ptr[0] == 0x1e || line.ptr[0] == 'd'
                         || line.ptr[0] == '{') && jrnl_is_json(line)) {
        struct wrap_rec r;
        const char *why;

        pipe_held_drain(pc);
        if (pc->j == NULL)
            pc->j = jrnl_create();
        if (jrnl_json(pc->j, line, &r, &why) == 0) {
            pipe_rec(pc, src, lineno, &r);
        } else {
            src->bad[INPUT_BAD_RECORD]++;
            pipe_show_bad(pc, src, lineno, input_bad_name(INPUT_BAD_RECORD));
        }
        return;
    }
    pipe_line(pc, src, lineno, line);
}

static void
pipe_f_lines(void *ctx, const struct input_src *acc, uint64_t lineno,
             const struct span *ls, size_t n)
{
    struct pipe_ctx *pc = ctx;

    (void) acc;
    pipe_lines(pc, pc->fuse_src, pc->fuse_base + lineno, ls, n);
}

static void
pipe_f_bad(void *ctx, const struct input_src *acc, uint64_t lineno,
           enum input_bad why)
{
    struct pipe_ctx *pc = ctx;

    (void) acc;
    pipe_bad(pc, pc->fuse_src, pc->fuse_base + lineno, why);
}

/* pipe_fuse - main thread: the chunk at the head of the order, parsed
 * by no one, classified and applied in one pass as the one-thread
 * path does (the held ring: a record applied a few records after its
 * classification, while what the classifier wrote is in the L1 cache).
 * Its counts, lines and years as pipe_correlate's; what crosses into
 * the next chunk (the held ring drained, the repeated-line test's
 * record kept) is what a correlated chunk leaves */
static void
pipe_fuse(struct pipe_ctx *pc, struct pipe_chunk *ch)
{
    struct input_src *src = ch->src;
    struct input_cb cb;
    struct ts_ctx ts = pc->ts;

    memset(&ch->acc, 0, sizeof(ch->acc));
    if (ch->fd >= 0) {
        input_chunk_fetch(src->name, ch->fd, ch->off, ch->buf, ch->len);
        ch->fd = -1;
    }
    memset(&cb, 0, sizeof(cb));
    cb.line = pipe_f_line;
    cb.lines = pipe_f_lines;
    cb.bad = pipe_f_bad;
    cb.ctx = pc;
    cb.quiet = 1;
    pc->fuse_src = src;
    pc->fuse_base = src->lines;
    pc->ts = ch->ts;            /* the chunk's copy: as a worker's */
    pc->held_ahead = parser_prefetch_useful(ch->parsers);
    input_chunk_lines_mt(&cb, &ch->acc, ch->buf, ch->len, ch->flags,
                         ch->nlead);
    pipe_held_drain(pc);
    pipe_dup_keep(pc);          /* the chunk is reused after this */
    ch->ts = pc->ts;
    pc->ts = ts;
    input_chunk_add(src, &ch->acc);
    pc->file_ts_used |= ch->ts.used;
    pc->file_ts_back |= ch->ts.back;
}

/* pipe_settle - correlate parsed chunks at the head of the order, at
 * most max (0: no limit); the first one is waited for (doing a
 * worker's work meanwhile), later ones only taken when parsed. Called
 * with pp->mu held. */
static void
pipe_settle(struct pipe_ctx *pc, int max)
{
    struct pipe_par *pp = pc->par;
    int     done = 0;
    int     wait = 1;
    int     wake;

    while (pp->next_corr < pp->next_put && (max == 0 || done < max)) {
        struct pipe_chunk *ch = pp->order[pp->next_corr % pp->nchunks];

        int     fuse = ch->state == PIPE_C_QUEUED
            && pipe_fusable(pp, pp->next_corr);

        if (!fuse && ch->state != PIPE_C_DONE) {
            if (!wait)
                return;
            /* rather than wait, do a worker's work: the main thread is
             * one of the -j parsing threads */
            if (!pipe_work_one(pp, 0)) {
                pp->mwait = 1;
                pthread_cond_wait(&pp->done_cv, &pp->mu);
                pp->mwait = 0;
            }
            continue;
        }
        if (fuse) {                     /* unclaimed: ours, in one pass */
            ch->state = PIPE_C_WORKING;
            pp->nqueue--;
            pipe_arenas(pp, ch, 0);
        }
        wake = pipe_wake_wanted(pp);
        pthread_mutex_unlock(&pp->mu);
        pipe_wake(pp, wake);
        pc->corr = ch;
        ch->keys_len = 0;
        if (fuse)
            pipe_fuse(pc, ch);
        else
            pipe_correlate(pc, ch);
        pc->corr = NULL;
        pthread_mutex_lock(&pp->mu);
        if (ch->keys_len > 0) {
            ch->state = PIPE_C_ADDQ;
            pp->nadd++;
            if (pp->idle > 0)
                pthread_cond_signal(&pp->work_cv);
        } else {
            ch->state = PIPE_C_FREE;
        }
        pp->next_corr++;
        done++;
        wait = 0;               /* one chunk done: enough for a get */
    }
}

/* pipe_get - input: a free chunk buffer. The workers are kept fed:
 * while fewer chunks wait for a worker than there are workers, a free
 * buffer is filled before anything is correlated; otherwise one parsed
 * chunk is correlated first (never a run of them: the workers would
 * starve meanwhile), and the reader waits only when no buffer is free. */
static unsigned char *
pipe_get(void *ctx, size_t *cap)
{
    struct pipe_ctx *pc = ctx;
    struct pipe_par *pp = pc->par;
    struct pipe_chunk *ch;
    size_t  i;

    pthread_mutex_lock(&pp->mu);
    for (;;) {
        ch = NULL;
        for (i = 0; i < pp->nchunks && ch == NULL; i++)
            if (pp->chunks[i].state == PIPE_C_FREE)
                ch = &pp->chunks[i];
        if (ch != NULL && (pp->nqueue < (size_t) pp->nthreads
                           || pp->next_corr == pp->next_put
                           || pp->order[pp->next_corr % pp->nchunks]->state
                           != PIPE_C_DONE)) {
            ch->state = PIPE_C_FILLING;
            pthread_mutex_unlock(&pp->mu);
            *cap = ch->cap;
            return ch->buf;
        }
        if (pp->next_corr < pp->next_put)
            pipe_settle(pc, 1);         /* one chunk, waiting for it */
        else if (!pipe_work_one(pp, 0)) {       /* every chunk is being
                                                 * added */
            pp->mwait = 1;
            pthread_cond_wait(&pp->done_cv, &pp->mu);
            pp->mwait = 0;
        }
    }
}

/* pipe_put_at - input: a chunk, its lines in buf or (fd >= 0) at off
 * of the plain file fd, queued for the workers */
static void
pipe_put_at(struct pipe_ctx *pc, unsigned char *buf, int fd, uint64_t off,
            size_t len, int flags, int nlead)
{
    struct pipe_par *pp = pc->par;
    struct pipe_chunk *ch = NULL;
    size_t  i;
    int     wake;

    /* under the lock: a worker's pipe_arenas() swaps free chunks'
     * buffers meanwhile (never this one's, which is being filled) */
    pthread_mutex_lock(&pp->mu);
    for (i = 0; i < pp->nchunks; i++)
        if (pp->chunks[i].buf == buf)
            ch = &pp->chunks[i];
    pthread_mutex_unlock(&pp->mu);
    if (ch == NULL || ch->state != PIPE_C_FILLING)
        msg_panic("pipe_put: not a chunk being filled");
    ch->fd = fd;
    ch->off = off;
    ch->len = len;
    ch->flags = flags;
    ch->parsers = pc->parsers;
    ch->nlead = nlead;
    ch->src = pc->src;
    ch->ts = pc->ts;
    if (pc->progress)
        progress_tick(pc->progress, pc->src->bytes);
    pthread_mutex_lock(&pp->mu);
    ch->state = PIPE_C_QUEUED;
    pp->nqueue++;
    pp->order[pp->next_put++ % pp->nchunks] = ch;
    wake = pipe_wake_wanted(pp);
    pthread_mutex_unlock(&pp->mu);
    pipe_wake(pp, wake);
}

/* pipe_put - input: a filled chunk buffer */
static void
pipe_put(void *ctx, unsigned char *buf, size_t len, int flags, int nlead)
{
    pipe_put_at(ctx, buf, -1, 0, len, flags, nlead);
}

/* pipe_put_file - input: a chunk whose lines are still in the plain
 * file fd, at off (open until pipe_drain has returned) */
static void
pipe_put_file(void *ctx, unsigned char *buf, int fd, uint64_t off,
              size_t len)
{
    pipe_put_at(ctx, buf, fd, off, len, 0, 0);
}

/* pipe_drain - input: every chunk put so far correlated */
static void
pipe_drain(void *ctx)
{
    struct pipe_ctx *pc = ctx;
    struct pipe_par *pp = pc->par;
    size_t  i;

    pthread_mutex_lock(&pp->mu);
    while (pp->next_corr < pp->next_put)
        pipe_settle(pc, 0);
    /* a buffer taken but never put (end of input): free again */
    for (i = 0; i < pp->nchunks; i++)
        if (pp->chunks[i].state == PIPE_C_FILLING)
            pp->chunks[i].state = PIPE_C_FREE;
    pthread_mutex_unlock(&pp->mu);
}

/* pipe_jobs - threads to parse with: -j, else one per core */
static int
pipe_jobs(const struct pipe_opts *o)
{
    long    n;

    if (o->jobs > 0)
        return o->jobs > PIPE_MAX_JOBS ? PIPE_MAX_JOBS : o->jobs;
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > PIPE_MAX_JOBS ? PIPE_MAX_JOBS : (int) n;
}

/* pipe_env_num - a number from the environment for tests, lo..hi
 * (what names its unit, "" for none), dflt when unset or empty */
static unsigned long
pipe_env_num(const char *name, unsigned long lo, unsigned long hi,
             const char *what, unsigned long dflt)
{
    const char *e = getenv(name);
    char   *end;
    unsigned long v;

    if (e == NULL || *e == 0)
        return dflt;
    v = strtoul(e, &end, 10);
    if (*end || v < lo || v > hi)
        msg_fatal("%s wants %lu..%lu%s", name, lo, hi, what);
    return v;
}

/* pipe_chunk_env - bytes per chunk: MAILTLSRPT_CHUNK (for tests: a
 * small log cut into many chunks), else PIPE_CHUNK; 0 when unset */
static size_t
pipe_chunk_env(void)
{
    return pipe_env_num("MAILTLSRPT_CHUNK", 1, PIPE_CHUNK_MAX, " bytes", 0);
}

/* pipe_fuse_env - which chunks may be fused (pipe_fusable):
 * MAILTLSRPT_FUSE for tests (0: none; k > 1: those whose number is no
 * multiple of k), else 1: any */
static int
pipe_fuse_env(void)
{
    return (int) pipe_env_num("MAILTLSRPT_FUSE", 0, 1024, "", 1);
}

/* pipe_ns - a monotonic clock, ns */
static uint64_t
pipe_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* pipe_far - whether a worker's CPU is far from the main thread's: a
 * cache line passed back and forth PIPE_PING_N times with the first
 * worker to start, timed. On a virtual machine the host places the two
 * CPUs near (one cache: a round trip of about 100 ns) or far apart
 * (about 400 ns), and moves them now and then; far apart, a worker's
 * stores to the lines the main thread read wait for that core, and the
 * clear of pipe_w_claim() saves 10 to 15 % of both threads' CPU time,
 * where near it costs 1 to 3 % (docs/internals/pipeline.md, round 18).
 * About 2 us near, 7 far, once a run. What cannot be timed (no answer
 * within PIPE_PING_WAIT, a round trip over PIPE_PING_ROUND: the threads
 * share a CPU) counts as far. MAILTLSRPT_CLAIM for tests: 0 never
 * clear, 1 always, unset: as timed */
static int
pipe_far(struct pipe_par *pp)
{
    unsigned long e = pipe_env_num("MAILTLSRPT_CLAIM", 0, 1, "", 2);
    uint64_t lim = pipe_ns() + PIPE_PING_WAIT;
    uint64_t t0 = 0;
    unsigned i;
    int     far = 1;

    if (e != 2) {
        far = (int) e;
        goto out;
    }
    for (i = 0; i <= PIPE_PING_N; i++) {
        if (i == 1) {                   /* the first waited for a start */
            t0 = pipe_ns();
            lim = t0 + (uint64_t) PIPE_PING_N * PIPE_PING_ROUND;
        }
        atomic_store_explicit(pp->ping, 2 * i + 1, memory_order_release);
        while (atomic_load_explicit(pp->ping, memory_order_acquire)
               != 2 * i + 2) {
            pipe_relax();
            if (pipe_ns() > lim)
                goto out;
        }
    }
    far = (pipe_ns() - t0) / PIPE_PING_N > PIPE_PING_FAR;
out:
    atomic_store_explicit(pp->ping, PIPE_PING_DONE, memory_order_release);
    return far;
}

/* pipe_par_start - chunk buffers and worker threads */
static struct pipe_par *
pipe_par_start(int jobs, size_t chunk_size, struct agg_tab *tab)
{
    struct pipe_par *pp = xcalloc(1, sizeof(*pp));
    void   *line;
    size_t  i;
    int     k;

#ifdef M_TOP_PAD
    /* the heap grows 64 MiB at a time, not 128 KiB: each brk() of the
     * correlating thread (its key rings grow with the keys held: 70 of
     * them on corpus.log) waits for the address space's lock, held for
     * reading by a worker that faults in a huge page of the key table
     * (htab_prefault_mt) or a page of its chunk, and on a busy machine
     * for as long as that worker is preempted meanwhile: 17 ms of a
     * 170 ms run (docs/internals/pipeline.md). Address space only:
     * pages are still made resident as they are written */
    (void) mallopt(M_TOP_PAD, PIPE_TOP_PAD);
#endif
    pthread_mutex_init(&pp->mu, NULL);
    pthread_cond_init(&pp->work_cv, NULL);
    pthread_cond_init(&pp->done_cv, NULL);
    pp->chunk_size = chunk_size;
    pp->tab = tab;
    if (posix_memalign(&line, 64, 64) != 0)
        msg_fatal("out of memory");
    pp->ping = line;
    atomic_init(pp->ping, 0);
    atomic_init(&pp->ping_who, 0);
    pp->fuse = pipe_fuse_env();
    /* enough for every worker to have one and the next queued, the
     * reader to fill two and the main thread to correlate one */
    pp->nchunks = (size_t) jobs * 2 + 3;
    pp->chunks = xcalloc(pp->nchunks, sizeof(*pp->chunks));
    pp->order = xcalloc(pp->nchunks, sizeof(*pp->order));
    for (i = 0; i < pp->nchunks; i++) {
        pp->chunks[i].cap = INPUT_CHUNK_CAP(chunk_size);
        pp->chunks[i].buf = xmalloc(pp->chunks[i].cap);
    }
    /* the main thread parses too (pipe_settle): jobs - 1 workers */
    pp->threads = xcalloc((size_t) jobs, sizeof(*pp->threads));
    for (k = 0; k < jobs - 1; k++) {
        if (pthread_create(&pp->threads[k], NULL, pipe_worker_mt, pp) != 0)
            msg_fatal("cannot start a worker thread");
        pp->nthreads++;
    }
    if (pp->nthreads > 0)
        pp->claim = pipe_far(pp);
    return pp;
}

/* pipe_par_stop - join the workers, free everything; NULL */
static struct pipe_par *
pipe_par_stop(struct pipe_par *pp)
{
    size_t  i;
    int     k;

    if (pp == NULL)
        return NULL;
    pthread_mutex_lock(&pp->mu);
    while (pipe_work_one(pp, 0))
        ;                       /* adds left (no worker with -j 1) */
    pp->stop = 1;
    pthread_cond_broadcast(&pp->work_cv);
    pthread_mutex_unlock(&pp->mu);
    for (k = 0; k < pp->nthreads; k++)
        pthread_join(pp->threads[k], NULL);
    for (i = 0; i < pp->nchunks; i++) {
        xfree(pp->chunks[i].buf);
        xfree(pp->chunks[i].items);
        xfree(pp->chunks[i].pres);
        xfree(pp->chunks[i].keys);
    }
    xfree(pp->chunks);
    xfree(pp->order);
    xfree(pp->threads);
    free(pp->ping);
    pthread_cond_destroy(&pp->work_cv);
    pthread_cond_destroy(&pp->done_cv);
    pthread_mutex_destroy(&pp->mu);
    xfree(pp);
    return NULL;
}

/* pipe_safe - name as printable ASCII into out[cap] ('?' for the rest):
 * log host names and file names come from outside */
static const char *
pipe_safe(const char *name, char *out, size_t cap)
{
    size_t  i;

    for (i = 0; name[i] && i + 1 < cap; i++)
        out[i] = (name[i] >= 0x20 && name[i] < 0x7f) ? name[i] : '?';
    out[i] = 0;
    return out;
}

/* pipe_file_done - what the run learnt of one file: the year of its
 * syslog stamps (run_stats.year), and whether any line was an MTA's */
static void
pipe_file_done(struct pipe_ctx *pc, const struct input_src *src, int kind,
               int log_year)
{
    struct run_year *y = &pc->st->year;
    int     used = pc->file_ts_used | pc->ts.used;
    int     back = pc->file_ts_back | pc->ts.back;
    char    name[sizeof(y->name)];

    pipe_safe(src->name, name, sizeof(name));
    if (used) {
        if (y->files++ == 0) {
            y->kind = kind;
            y->log_year = log_year;
            y->ref = pc->ts.ref_t;
            memcpy(y->name, name, sizeof(y->name));
        }
        if (back) {
            time_t  t = (time_t) pc->ts.ref_t;
            struct tm tm;
            char    when[32];

            y->back++;
            localtime_r(&t, &tm);
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
            msg_info("%s: syslog stamps carry no year: those after %s, "
                     "%s, are taken as of %d%s", strcmp(src->name, "-") == 0
                     ? "standard input" : name, when,
                     kind == ORDER_REF_NOW || kind == ORDER_REF_YEAR_NOW
                     ? "now" : "the file's modification time",
                     pc->ts.ref_year - 1, kind == ORDER_REF_YEAR_MTIME
                     || kind == ORDER_REF_YEAR_NOW ? ", the year before "
                     "--log-year (no line is later than its file)"
                     : " (--log-year YYYY sets the year)");
        }
    }
    if (src->lines > 0 && !pc->file_mta) {
        pc->st->not_mail++;
        msg_warn("%s: none of its %" PRIu64 " line%s is a line of %s: "
                 "not a mail log?", strcmp(src->name, "-") == 0
                 ? "standard input" : name, src->lines,
                 src->lines == 1 ? "" : "s", pc->o->mta ? pc->o->mta
                 : "Postfix, Exim or Sendmail");
    }
}

/* pipe_run - all sources, oldest first (parsers/order.h) */
int
pipe_run(const struct pipe_opts *o, struct agg_tab *tab,
         struct run_stats *st)
{
    static char dash[] = "-";
    char   *stdin_only[] = {dash, NULL};
    char  **given = (o->files && o->files[0]) ? o->files : stdin_only;
    char  **files;
    struct pipe_ctx pc;
    struct sess_cb pcb;
    struct input_cb icb;
    struct input_chunk_cb ccb;
    struct input_src src;
    size_t  chunk_env = pipe_chunk_env();
    int     jobs = pipe_jobs(o);
    size_t  n;
    size_t  k;
    long    same;
    int     rc = 0;
    int     kind;
    int     i;

    memset(&pc, 0, sizeof(pc));
    memset(st, 0, sizeof(*st));
    pc.hosts = guess_hosts_create();
    pc.host_note_last = &pc.host_note[0];     /* len1 0: none */
    memset(&pipe_noise, 0, sizeof(pipe_noise));        /* new parsers */
    pc.o = o;
    pc.tab = tab;
    pc.st = st;
    memset(&pcb, 0, sizeof(pcb));
    pcb.session = pipe_session;
    pcb.session_view = pipe_session_view;
    pcb.tls_host = pipe_tls_host;
    pcb.ctx = &pc;
    pcb.hold = o->state ? pipe_hold : NULL;
    pcb.keep = o->state ? pipe_keep : NULL;
    if ((pc.parsers = parser_set_create(o->mta, &o->parse, &pcb)) == NULL)
        msg_fatal("unknown MTA \"%s\": known are %s", o->mta,
                  parser_names());
    memset(&icb, 0, sizeof(icb));
    icb.line = pipe_line;
    icb.lines = pipe_lines;
    icb.rec = pipe_rec;
    icb.bad = pipe_bad;
    icb.skip = pipe_skip;
    icb.moving = pipe_moving;
    icb.ctx = &pc;
    if ((jobs > 1 || chunk_env) && o->trace == NULL)
        pc.par = pipe_par_start(jobs, chunk_env ? chunk_env : PIPE_CHUNK,
                                tab);
    memset(&ccb, 0, sizeof(ccb));
    ccb.get = pipe_get;
    ccb.put = pipe_put;
    ccb.put_file = pipe_put_file;
    ccb.drain = pipe_drain;
    ccb.ctx = &pc;
    ccb.size = pc.par ? pc.par->chunk_size : 0;

    /* rotated files in any order: oldest first, by content */
    for (n = 0; given[n]; n++)
        ;
    files = xcalloc(n + 1, sizeof(*files));
    memcpy(files, given, n * sizeof(*files));
    order_files(files, n, o->log_year);
    pc.progress = progress_start(files, n, o->quiet);
    pc.line_slow = pc.progress != NULL || o->trace != NULL;
    pc.tracing = o->trace != NULL;
    if (o->trace == NULL)
        pc.held = pipe_held_new();

    for (k = 0; k < n; k++) {
        /* the year reference is per file: its own mtime */
        kind = order_ts_init(&pc.ts, files[k], o->log_year);
        progress_file(pc.progress, k, files[k]);
        if ((same = order_same_file(files, k)) >= 0) {
            msg_warn("%s: the same file as %s: read once", files[k],
                     files[same]);
            continue;
        }
        st->files++;
        memset(&src, 0, sizeof(src));
        pc.src = &src;
        pc.file_no = k + 1;
        pc.file_mta = pc.file_ts_used = pc.file_ts_back = 0;
        if ((pc.par ? input_read_chunked(files[k], &icb, &ccb, &src)
             : input_read(files[k], &icb, &src)) != 0) {
            st->files_failed++;
            rc = 1;
        }
        if (pc.held_n > 0)      /* input_read() told pipe_moving() */
            msg_panic("pipe_run: records held past their input");
        pipe_file_done(&pc, &src, kind, o->log_year);
        st->lines += src.lines;
        st->bytes += src.bytes;
        for (i = 0; i < INPUT_BAD_COUNT; i++)
            st->bad[i] += src.bad[i];
    }
    pc.progress = progress_end(pc.progress);
    pc.par = pipe_par_stop(pc.par);
    pc.j = jrnl_free(pc.j);
    xfree(pc.held);
    xfree(files);
    parser_flush(pc.parsers);
    parser_set_free(pc.parsers);
    pipe_keys_add(&pc);         /* before anything reads the table */
    xfree(pc.keys);
    if (o->state)
        agg_state_end(o->state);
    else                        /* a piece does not see the whole log */
        guess_hosts_advise(pc.hosts, tab, o->plaintext);
    pc.hosts = guess_hosts_free(pc.hosts);
    return rc;
}

/* pipe_bad_lines - every line or record counted as bad, for summaries */
uint64_t
pipe_bad_lines(const struct run_stats *st)
{
    uint64_t bad = st->bad_parse;
    int     i;

    for (i = 0; i < INPUT_BAD_COUNT; i++)
        bad += st->bad[i];
    return bad;
}

/* pipe_summary - the run in one line on stderr */
void
pipe_summary(const struct run_stats *st, const char *tail)
{
    uint64_t bad = pipe_bad_lines(st);
    uint64_t sess = 0;
    uint64_t skipped;
    char    own[48] = "";
    char    dup[48] = "";
    int     i;

    for (i = 0; i < SESS_D_COUNT; i++)
        sess += st->sessions[i];
    skipped = sess - st->sessions[SESS_D_COUNTED];
    if (st->sessions[SESS_D_OWN_REPORT])        /* shown only when seen */
        snprintf(own, sizeof(own), ", %" PRIu64 " own report mail",
                 st->sessions[SESS_D_OWN_REPORT]);
    if (st->duplicates)         /* shown only when seen */
        snprintf(dup, sizeof(dup), ", %" PRIu64 " repeated lines skipped",
                 st->duplicates);
    msg_info("%" PRIu64 " lines read (%" PRIu64 " bad), %" PRIu64
             " sessions (%" PRIu64 " counted, %" PRIu64 " not: %" PRIu64
             " relay/port/lmtp, %" PRIu64 " unattributed, %" PRIu64
             " undated, %" PRIu64 " bad domain%s)%s%s%s",
             st->lines, bad, sess, st->sessions[SESS_D_COUNTED], skipped,
             st->sessions[SESS_D_PORT] + st->sessions[SESS_D_RELAYHOST]
             + st->sessions[SESS_D_LMTP] + st->sessions[SESS_D_LOCAL_NOTLS],
             st->sessions[SESS_D_UNATTRIBUTED], st->sessions[SESS_D_UNDATED],
             st->sessions[SESS_D_BAD_DOMAIN], own, dup, tail ? ", " : "",
             tail ? tail : "");
}
