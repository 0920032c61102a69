/* aggregate/agg_state.c - saved, mergeable aggregation state
 *
 * SYNOPSIS
 *	#include "aggregate/agg_state.h"
 *
 *	s = agg_state_create();
 *	po.state = s; pipe_run(&po, agg_state_tab(s), agg_state_stats(s));
 *	agg_state_save(s, "piece.state", err);
 *
 *	m = agg_state_merge(loaded, n, whole, &replay, err);
 *	agg_state_finish(m, &replay);	(then report from agg_state_tab(m))
 * DESCRIPTION
 *	A state is three things saved in one file: the counters, the run
 *	statistics and the carried sessions (parsers/carry.h). This module
 *	writes and reads the file, adds counters and statistics, and hands
 *	the carried sessions to the parsers' carry for stitching; the
 *	sessions its replays complete come back through a sink and are
 *	counted here, as a run counts them.
 *
 *	File (big-endian; docs/internals/agg_state.md): a header (magic,
 *	version, reserved, body length), the piece number, the layout of
 *	the statistics and the statistics, the log hosts that log TLS, the
 *	carry's log hosts, the counters, the carry's keys, and an XXH64 of
 *	all before it.
 */
#include "agg_state.h"
#include "../util/afile.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"
#include "../util/wire.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#define AS_MAGIC "MTRSTATE"
#define AS_HDR 24               /* magic, version, reserved, body length */

struct agg_state {
    struct agg_tab *tab;
    struct run_stats st;
    struct carry *carry;
};

/* agg_state_create - empty state */
struct agg_state *
agg_state_create(void)
{
    struct agg_state *s = xcalloc(1, sizeof(*s));

    s->tab = agg_tab_create();
    s->carry = carry_create();
    return s;
}

/* agg_state_free - destroy; NULL */
struct agg_state *
agg_state_free(struct agg_state *s)
{
    if (s == NULL)
        return NULL;
    agg_tab_free(s->tab);
    carry_free(s->carry);
    xfree(s);
    return NULL;
}

/* agg_state_set_piece - the piece's place in its log */
void
agg_state_set_piece(struct agg_state *s, uint32_t n)
{
    carry_set_piece(s->carry, n);
}

/* agg_state_tab - the counters */
struct agg_tab *
agg_state_tab(struct agg_state *s)
{
    return s->tab;
}

/* agg_state_stats - the run statistics */
struct run_stats *
agg_state_stats(struct agg_state *s)
{
    return &s->st;
}

/* agg_state_carry - the carried sessions */
struct carry *
agg_state_carry(struct agg_state *s)
{
    return s->carry;
}

/* agg_state_end - after the flush: only what the carry keeps remains */
void
agg_state_end(struct agg_state *s)
{
    carry_end(s->carry);
}

/* agg_state_kept - number of kept keys and lines */
void
agg_state_kept(const struct agg_state *s, size_t *keys, size_t *lines)
{
    carry_kept(s->carry, keys, lines);
}

/* ---- encoding ---- */

/* as_put_counter - agg_tab_walk_st callback */
static void
as_put_counter(const struct sess_rec *r, uint64_t n, void *ctx)
{
    struct wire_buf *b = ctx;

    wire_put_u(b, (uint32_t) r->day, 4);
    wire_put_u(b, r->result, 1);
    wire_put_u(b, r->policy, 1);
    wire_put_u(b, r->flags, 1);
    wire_put_u(b, r->cert, 1);
    wire_put_u(b, r->cert_problem, 1);
    wire_put_str(b, r->domain, strlen(r->domain));
    wire_put_str(b, r->mx, strlen(r->mx));
    wire_put_str(b, r->helo, strlen(r->helo));
    wire_put_str(b, r->ip, strlen(r->ip));
    wire_put_str(b, r->loghost, strlen(r->loghost));
    wire_put_str(b, r->reason, strlen(r->reason));
    wire_put_u(b, n, 8);
}

/* as_count_host - agg_tab_walk_tls_hosts_st: count */
static void
as_count_host(const char *h, void *ctx)
{
    (void) h;
    ++*(uint64_t *) ctx;
}

/* as_put_host - agg_tab_walk_tls_hosts_st: name */
static void
as_put_host(const char *h, void *ctx)
{
    wire_put_str(ctx, h, strlen(h));
}

/* as_count_rec - agg_tab_walk_st: count */
static void
as_count_rec(const struct sess_rec *r, uint64_t n, void *ctx)
{
    (void) r;
    (void) n;
    ++*(uint64_t *) ctx;
}

/* as_encode - the whole file image */
static void
as_encode(const struct agg_state *s, struct wire_buf *b)
{
    uint64_t n = 0;

    wire_put(b, AS_MAGIC, 8);
    wire_put_u(b, AGG_STATE_VERSION, 4);
    wire_put_u(b, 0, 4);
    wire_put_u(b, 0, 8);        /* body length, filled in below */
    carry_put_piece(s->carry, b);
    run_stats_put(b, &s->st);
    agg_tab_walk_tls_hosts_st(s->tab, as_count_host, &n);
    wire_put_u(b, n, 8);
    agg_tab_walk_tls_hosts_st(s->tab, as_put_host, b);
    carry_put_hosts(s->carry, b);
    n = 0;
    agg_tab_walk_st(s->tab, as_count_rec, &n);
    wire_put_u(b, n, 8);
    agg_tab_walk_st(s->tab, as_put_counter, b);
    carry_put_keys(s->carry, b);
    wire_set_u(b, 16, b->n - AS_HDR, 8);
    wire_put_u(b, XXH64(b->p, b->n, 0), 8);
}

/* agg_state_save - write the file atomically */
int
agg_state_save(const struct agg_state *s, const char *path, char *err)
{
    struct wire_buf b = {NULL, 0, 0};
    const char *slash = strrchr(path, '/');
    char   *dir;
    int     dfd;
    int     rc;

    as_encode(s, &b);
    dir = slash ? xstrndup(path, slash == path ? 1 : (size_t) (slash - path))
        : xstrdup(".");
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        snprintf(err, AGG_STATE_ERR, "%s: cannot open directory: %s", dir,
                 strerror(errno));
        xfree(dir);
        xfree(b.p);
        return -1;
    }
    rc = afile_replace(dfd, slash ? slash + 1 : path, b.p, b.n, 0644);
    if (rc != 0)
        snprintf(err, AGG_STATE_ERR, "%s: cannot write: %s", path,
                 strerror(errno));
    close(dfd);
    xfree(dir);
    xfree(b.p);
    return rc;
}

/* ---- decoding: every read is bounded by the buffer ---- */

/* as_get_counters - the counters part: each valid for the table */
static int
as_get_counters(struct agg_state *s, struct wire_rd *r, char *err,
                size_t cap)
{
    uint64_t n = wire_get_u(r, 8);
    uint64_t i;

    for (i = 0; i < n && !r->bad; i++) {
        struct sess_rec rec;
        uint64_t cnt;

        memset(&rec, 0, sizeof(rec));
        rec.day = (int32_t) (uint32_t) wire_get_u(r, 4);
        rec.time = (int64_t) rec.day * 86400;
        rec.result = (uint8_t) wire_get_u(r, 1);
        rec.policy = (uint8_t) wire_get_u(r, 1);
        rec.flags = (uint8_t) wire_get_u(r, 1);
        rec.cert = (uint8_t) wire_get_u(r, 1);
        rec.cert_problem = (uint8_t) wire_get_u(r, 1);
        wire_get_str(r, rec.domain, sizeof(rec.domain));
        wire_get_str(r, rec.mx, sizeof(rec.mx));
        wire_get_str(r, rec.helo, sizeof(rec.helo));
        wire_get_str(r, rec.ip, sizeof(rec.ip));
        wire_get_str(r, rec.loghost, sizeof(rec.loghost));
        wire_get_str(r, rec.reason, sizeof(rec.reason));
        cnt = wire_get_u(r, 8);
        if (r->bad)
            break;
        if (rec.cert >= SESS_CERT_COUNT
            || rec.cert_problem >= SESS_RESULT_COUNT
            || agg_tab_add_mt(s->tab, &rec, cnt) != 0) {
            snprintf(err, cap, "counter %" PRIu64 " has invalid "
                     "fields", i);
            return -1;
        }
    }
    return 0;
}

/* as_decode - body into s; 0, or -1 with a reason in err */
static int
as_decode(struct agg_state *s, struct wire_rd *r, char *err, size_t cap)
{
    uint64_t n, i;

    carry_get_piece(s->carry, r);
    if (run_stats_get(r, &s->st, 1) != 0) {
        snprintf(err, cap, "statistics of another layout");
        return -1;
    }
    n = wire_get_u(r, 8);
    for (i = 0; i < n && !r->bad; i++) {
        char    h[SESS_MAX_LOGHOST + 1];

        wire_get_str(r, h, sizeof(h));
        if (!r->bad)
            agg_tab_note_tls_host_mt(s->tab, h);
    }
    carry_get_hosts(s->carry, r);
    if (as_get_counters(s, r, err, cap) != 0)
        return -1;
    carry_get_keys(s->carry, r);
    if (r->bad) {
        snprintf(err, cap, "malformed contents near byte %zu", r->off);
        return -1;
    }
    if (r->off != r->n) {
        snprintf(err, cap, "%zu bytes of junk after the contents",
                 r->n - r->off);
        return -1;
    }
    return 0;
}

/* agg_state_load - read and check a state file */
struct agg_state *
agg_state_load(const char *path, char *err)
{
    char   *d;
    size_t  n;
    struct agg_state *s;
    int     fd;
    int     e;

    /* O_NONBLOCK: a FIFO named as a state must not hang the reader */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0
        || afile_read_fd(fd, SIZE_MAX - 1, &d, &n) != 0) {
        e = errno;
        if (fd >= 0)
            close(fd);
        snprintf(err, AGG_STATE_ERR, "%s: cannot read: %s", path,
                 strerror(e));
        return NULL;
    }
    close(fd);
    s = agg_state_load_buf((const unsigned char *) d, n, path, err);
    free(d);
    return s;
}

/* agg_state_load_buf - check and decode a state file's bytes */
struct agg_state *
agg_state_load_buf(const unsigned char *d, size_t n, const char *path,
                   char *err)
{
    struct wire_rd r;
    struct agg_state *s;
    uint64_t ver, blen, sum;
    char    why[96];

    if (n < AS_HDR + 8 || memcmp(d, AS_MAGIC, 8) != 0) {
        snprintf(err, AGG_STATE_ERR, "%s: not a mailtlsrpt state file%s",
                 path, n < AS_HDR + 8 && n >= 8 && memcmp(d, AS_MAGIC, 8) == 0
                 ? " (truncated)" : "");
        return NULL;
    }
    r.p = d;
    r.n = n;
    r.off = 8;
    r.bad = 0;
    ver = wire_get_u(&r, 4);
    (void) wire_get_u(&r, 4);
    blen = wire_get_u(&r, 8);
    if (ver != AGG_STATE_VERSION) {
        snprintf(err, AGG_STATE_ERR, "%s: state format version %" PRIu64
                 ", this mailtlsrpt reads version %d only: aggregate the "
                 "logs again", path, ver, AGG_STATE_VERSION);
        return NULL;
    }
    if (blen != n - AS_HDR - 8) {
        snprintf(err, AGG_STATE_ERR, "%s: truncated or extended state file "
                 "(%zu bytes, the header says %" PRIu64 ")", path, n,
                 blen + AS_HDR + 8);
        return NULL;
    }
    r.off = n - 8;
    sum = wire_get_u(&r, 8);
    if (sum != XXH64(d, n - 8, 0)) {
        snprintf(err, AGG_STATE_ERR, "%s: checksum mismatch: the state "
                 "file is damaged", path);
        return NULL;
    }
    s = agg_state_create();
    r.n = n - 8;
    r.off = AS_HDR;
    if (as_decode(s, &r, why, sizeof(why)) != 0) {
        snprintf(err, AGG_STATE_ERR, "%.150s: %.95s", path, why);
        return agg_state_free(s);
    }
    carry_set_source(s->carry, path, sum);
    return s;
}

/* agg_state_encode - the bytes agg_state_save writes */
void
agg_state_encode(const struct agg_state *s, unsigned char **p, size_t *n)
{
    struct wire_buf b = {NULL, 0, 0};

    as_encode(s, &b);
    *p = b.p;
    *n = b.n;
}

/* ---- merging ---- */

/* as_sink_session - carry_sink: a replayed session, counted as a run
 * counts one */
static void
as_sink_session(void *ctx, const struct sess_rec *r, enum sess_disp d)
{
    struct agg_state *s = ctx;

    s->st.sessions[d]++;
    if (d == SESS_D_COUNTED && agg_tab_add_mt(s->tab, r, 1) != 0)
        msg_panic("session with invalid fields reached the table");
}

/* as_sink_tls_host - carry_sink: the log host logs outbound TLS */
static void
as_sink_tls_host(void *ctx, const char *loghost)
{
    agg_tab_note_tls_host_mt(((struct agg_state *) ctx)->tab, loghost);
}

/* as_sink_bad - carry_sink: a replayed line was bad */
static void
as_sink_bad(void *ctx)
{
    ((struct agg_state *) ctx)->st.bad_parse++;
}

/* as_sink - what replays into s count */
static struct carry_sink
as_sink(struct agg_state *s)
{
    struct carry_sink k;

    k.session = as_sink_session;
    k.tls_host = as_sink_tls_host;
    k.bad = as_sink_bad;
    k.ctx = s;
    return k;
}

/* as_add_counter - agg_tab_walk_st: into another table */
static void
as_add_counter(const struct sess_rec *r, uint64_t n, void *ctx)
{
    if (agg_tab_add_mt(ctx, r, n) != 0)
        msg_panic("a counter of a loaded state does not fit the table");
}

/* as_add_tls - agg_tab_walk_tls_hosts_st: into another table */
static void
as_add_tls(const char *h, void *ctx)
{
    agg_tab_note_tls_host_mt(ctx, h);
}

/* agg_state_merge - one state of many */
struct agg_state *
agg_state_merge(struct agg_state *const *v, size_t n, int whole,
                const struct carry_replay *rp, char *err)
{
    struct agg_state *out = agg_state_create();
    struct carry_sink into = as_sink(out);
    struct carry **cv = xcalloc(n + 1, sizeof(*cv));
    size_t  i;

    for (i = 0; i < n; i++) {
        run_stats_add(&out->st, &v[i]->st);
        agg_tab_walk_st(v[i]->tab, as_add_counter, out->tab);
        agg_tab_walk_tls_hosts_st(v[i]->tab, as_add_tls, out->tab);
        cv[i] = v[i]->carry;
    }
    carry_free(out->carry);
    out->carry = carry_merge(cv, n, whole, rp, &into, err, AGG_STATE_ERR);
    xfree(cv);
    if (out->carry == NULL)     /* pieces whose order is not known */
        return agg_state_free(out);
    return out;
}

/* agg_state_finish - the end of one run: replay heads and tails */
void
agg_state_finish(struct agg_state *s, const struct carry_replay *rp)
{
    struct carry_sink into = as_sink(s);

    carry_finish(s->carry, rp, &into);
}

/* ---- following a growing log (cli/cmd_follow.c) ---- */

/* agg_state_set_start - the piece starts its log: no heads */
void
agg_state_set_start(struct agg_state *s)
{
    carry_set_start(s->carry);
}

struct as_snap {
    struct agg_tab *to;
    int32_t day;
};

/* as_snap_counter - agg_tab_walk_st: the counters of one day, or all */
static void
as_snap_counter(const struct sess_rec *r, uint64_t n, void *ctx)
{
    struct as_snap *sn = ctx;

    if (sn->day < 0 || r->day == sn->day)
        as_add_counter(r, n, sn->to);
}

/* agg_state_snapshot - a saveable copy of a state being aggregated */
struct agg_state *
agg_state_snapshot(struct agg_state *s, int32_t day, int tails)
{
    struct agg_state *out = xcalloc(1, sizeof(*out));
    struct as_snap sn;

    out->tab = agg_tab_create();
    out->st = s->st;
    out->carry = carry_snapshot(s->carry, tails);
    sn.to = out->tab;
    sn.day = day;
    agg_tab_walk_st(s->tab, as_snap_counter, &sn);
    agg_tab_walk_tls_hosts_st(s->tab, as_add_tls, out->tab);
    return out;
}

struct as_prune {
    int32_t lo, hi;
    struct agg_tab *to;
};

/* as_prune_counter - agg_tab_walk_st: the rows of the days kept */
static void
as_prune_counter(const struct sess_rec *r, uint64_t n, void *ctx)
{
    struct as_prune *pr = ctx;

    if (r->day >= pr->lo && r->day <= pr->hi)
        as_add_counter(r, n, pr->to);
}

/* agg_state_days - keep the counters of days lo..hi only */
void
agg_state_days(struct agg_state *s, int32_t lo, int32_t hi)
{
    struct as_prune pr;

    pr.lo = lo;
    pr.hi = hi;
    pr.to = agg_tab_create();
    agg_tab_walk_tls_hosts_st(s->tab, as_add_tls, pr.to);
    agg_tab_walk_st(s->tab, as_prune_counter, &pr);
    agg_tab_free(s->tab);
    s->tab = pr.to;
}

/* agg_state_add_counts - counters, log hosts that log TLS and
 * statistics of src added to s */
void
agg_state_add_counts(struct agg_state *s, const struct agg_state *src)
{
    agg_tab_walk_st(src->tab, as_add_counter, s->tab);
    agg_tab_walk_tls_hosts_st(src->tab, as_add_tls, s->tab);
    run_stats_add(&s->st, &src->st);
}
