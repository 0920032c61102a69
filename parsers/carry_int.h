/* parsers/carry_int.h - what carry.c and carry_merge.c share
 *
 * Not for other modules: the carried lines, segments, keys and log
 * hosts (see carry.h and docs/internals/agg_state.md).
 */
#ifndef PARSERS_CARRY_INT_H
#define PARSERS_CARRY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "carry.h"
#include "../util/htab.h"

#define CARRY_KEY_MAX 512       /* mta byte + correlator key */
#define CARRY_SWEEP_EVERY 65536 /* holds between sweeps of dead windows */

/* one kept log line: the envelope fields the correlators read */
struct carry_line {
    int64_t t;
    uint8_t dated;
    uint16_t hl, il, pl;        /* host, ident, pid lengths */
    uint32_t ml;                /* message length */
    char    data[];             /* host, ident, pid, msg, unterminated */
};

struct carry_vec {
    struct carry_line **v;      /* each line owned by the vector */
    size_t  n;
    size_t  cap;
};

struct carry_host {
    int     have;               /* a dated line was seen */
    int64_t first;              /* time of the first dated line */
    int64_t last;               /* latest time */
    uint64_t (*cov)[2];         /* pieces of this host covered: sorted */
    size_t  ncov;
    int     twice;              /* a piece number seen twice */
};

/* a stretch of one key's lines in one piece, or in pieces already
 * stitched: its head, whether a gap closed it, its tail */
struct carry_seg {
    uint64_t lo, hi;            /* pieces covered (--piece N + 1), or 0 */
    int64_t first, last;        /* the key's host's times there */
    int     closed;
    struct carry_vec head;
    struct carry_vec tail;
};

struct carry_key {
    char    host[SESS_MAX_LOGHOST + 1];
    struct carry_seg *segs;     /* saved or merged: in order */
    size_t  nsegs;
    int     live;               /* past the head (aggregating) */
    int     closed;             /* a gap ended the head in this piece */
    int     tail;               /* kept open at the end */
    int64_t last_t;
    struct carry_vec head;
    struct carry_vec win;       /* lines since the last gap; the tail */
};

struct carry {
    struct htab *hosts;         /* host name -> struct carry_host */
    struct htab *keys;          /* mta byte + key -> struct carry_key */
    uint64_t sum;               /* checksum of the file read, or 0 */
    uint64_t piece;             /* --piece N + 1, or 0: not given */
    unsigned long holds;
    int     start;              /* the piece starts its log: no heads */
    char   *name;               /* the file it was loaded from, or NULL */
};

/* an htab entry, for walking a table in key order */
struct carry_ref {
    const void *key;
    size_t  klen;
    void   *value;
};

struct carry_refs {
    struct carry_ref *v;        /* xmalloc'd: the caller frees it */
    size_t  n;
};

void    carry_vec_clear(struct carry_vec *v);
void    carry_vec_append(struct carry_vec *dst, const struct carry_vec *src);
void    carry_key_free(void *v);
struct carry_seg *carry_seg_add(struct carry_key *k);
struct carry_host *carry_host_get(struct htab *hosts, const char *name,
                                  size_t len);
/* htab_walk: a log host's times and pieces into the hosts of ctx */
void    carry_add_host(const void *key, size_t klen, void *value, void *ctx);

/* every entry of t, sorted by key bytes, then length */
struct carry_refs carry_sorted(const struct htab *t);

#endif
