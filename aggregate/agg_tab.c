/* aggregate/agg_tab.c - lock-free per-(day, domain, policy) counters
 *
 * SYNOPSIS
 *	#include "aggregate/agg_tab.h"
 *
 *	t = agg_tab_create();
 *	agg_tab_add_mt(t, &rec, n);		(any number of threads)
 *	agg_tab_note_tls_host_mt(t, loghost);	(any number of threads)
 *	... join the adders ...
 *	v = agg_view_create_st(t, AGG_PLAIN_AUTO);
 *	agg_tab_walk_st(t, save_fn, ctx);
 *	v = agg_view_free(v);
 *	t = agg_tab_free(t);
 * DESCRIPTION
 *	The table maps a key (the session record minus its time, with the
 *	per-connection fields of a TLS success cleared) to a session count.
 *	Storage is a chain of open-addressing segments, 16384 slots first,
 *	each next one four times the size of the one before. A slot is claimed by
 *	a CAS on its 64-bit XXH3 hash word (0 = free); the claimer then
 *	publishes a pointer to the key bytes with a release store, which is
 *	the slot's "ready" flag. Counters are relaxed atomic adds.
 *
 *	A writer looks its key up in every segment, oldest first, and adds
 *	where it finds it; otherwise it claims a slot in the newest segment.
 *	A segment takes at most half its size in claims (reserved with a
 *	fetch-add before claiming); the writer that finds it at its limit
 *	allocates a segment four times as large and links it with a CAS on
 *	`next` (a loser frees its own). Two writers that race across a
 *	growth may store the same key in two segments; each add still lands
 *	in exactly one slot, and every _st reader merges equal keys by
 *	summing, so counts stay exact. Each segment has a small filter of
 *	the keys claimed in it, asked before its slots. Key copies are
 *	bumped from blocks that each adding thread maps for the table,
 *	and unmapped with it. See docs/internals/agg_tab.md.
 *
 *	The TLS-host set is a push-only CAS-linked list of log host names.
 * THREADS
 *	agg_tab_add_mt() and agg_tab_note_tls_host_mt() take no lock. A
 *	writer waits only for another writer that has just claimed a slot
 *	with the same 64-bit hash (in practice: the same key) and has not
 *	yet done its next store, the key pointer. Everything named _st runs
 *	after all writers have joined (the join orders all their stores
 *	before the _st reads, so _st code uses relaxed loads).
 * OWNERSHIP
 *	The table copies every key on first insert; callers keep their
 *	records. A view owns copies of its strings and stays valid after
 *	the table is freed.
 * DIAGNOSTICS
 *	Out of memory is fatal (x-functions). An unknown plaintext mode is
 *	a panic.
 * COST
 *	Add: O(S) expected probes, S = number of segments, at most
 *	1 + log2(keys / 512); never allocates for an existing key. Memory:
 *	2 to 8 slots (16 bytes each) plus one key copy per distinct key.
 *	View, walk and key count: O(slots + K) for K stored keys (a radix
 *	sort of the day and the domain's first bytes), and O(m log m) for
 *	each run of m keys alike in those.
 */
#include "agg_tab.h"

#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <sys/mman.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../util/dname.h"
#include "../util/htab.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"
#include "../util/par.h"

/* Slots in segment 0 (a power of 2) and the growth factor. An add
 * probes every older segment before the one holding its key, each probe
 * a likely cache miss: few, large segments keep that short. 16384 slots
 * are 256 KiB; four times the size per step makes a table of 40,000
 * keys two segments (with 1024 and doubling it was seven). */
#define AGG_SEG_FIRST 16384
#define AGG_SEG_GROW 4

/* bytes of the canonical key: day, policy, result, flags, 6 strings */
#define AGG_KEY_MAX AGG_TAB_KEY_MAX

/* one stored key: the canonical serialisation that was hashed */
struct agg_key {
    _Atomic uint64_t count;             /* sessions; relaxed adds */
    uint32_t len;
    char    blob[];                     /* day policy result flags cert
                                         * cert_problem domain\0
                                         * mx\0 helo\0 ip\0 loghost\0
                                         * reason\0 */
};

/* A slot is 16 bytes, four to a cache line: the count lives in the key,
 * whose line an add reads anyway (to compare) or has just written. */
struct agg_slot {
    _Atomic uint64_t hash;              /* 0: free; set once, by CAS */
    _Atomic(struct agg_key *) key;      /* NULL until published */
};

struct agg_seg {
    size_t  mask;                       /* slots - 1 */
    size_t  limit;                      /* claims allowed: slots / 2 */
    atomic_size_t used;                 /* claims made or in flight */
    _Atomic(struct agg_seg *) next;     /* the next, larger segment */
    _Atomic uint64_t *filt;             /* the keys' bits (agg_filt_*) */
    size_t  fmask;                      /* words of filt - 1 */
    _Atomic uint64_t *touched;          /* pages of slots written to */
    struct agg_slot slots[];
};

/* The slots of a new segment are pages never touched. A page first
 * read maps the shared zero page, and the write that follows (a claim)
 * faults again to copy it, a TLB flush on every CPU that runs one of
 * our threads included. So a claim first writes to its page (an atomic
 * add of 0 to the slot's hash), once a page as `touched` tells: one
 * fault, no flush. */
#define AGG_PAGE 4096

/* A segment's filter: one 64-bit word per AGG_FILT_KEYS claims it
 * allows, in which each claimed key sets three bits chosen by its hash
 * (a Bloom filter blocked by word, 16 bits a key). An add asks the
 * filter of every older segment before it probes the segment's slots:
 * a new key, which misses in all of them, then reads a word of each
 * filter (about 1.4 MiB for a million keys, mostly in cache) instead of
 * a slot of each segment (tens of MiB, a cache and TLB miss each). A
 * full segment's words have about 17 % of their bits set, so about
 * 1 % of the keys it does not hold still probe it (0.17 cubed, and
 * more where keys bunch in a word). A bit is set after the claim; an
 * add that reads the word before that skips the segment and stores the
 * key in the newest one too, a duplicate that the readers merge ("Why
 * duplicates across segments are harmless"). */
#define AGG_FILT_KEYS 4

/* agg_filt_word - the filter word of hash h in seg */
static inline _Atomic uint64_t *
agg_filt_word(const struct agg_seg *seg, uint64_t h)
{
    return &seg->filt[(size_t) (h >> 24) & seg->fmask];
}

/* agg_filt_bits - the three bits of hash h within its word (from bits
 * of h that neither the slot nor the word index uses) */
static inline uint64_t
agg_filt_bits(uint64_t h)
{
    return ((uint64_t) 1 << (h >> 58)) | ((uint64_t) 1 << ((h >> 52) & 63))
        | ((uint64_t) 1 << ((h >> 46) & 63));
}

struct agg_host {
    struct agg_host *next;              /* fixed before publication */
    size_t  len;                        /* strlen(name) */
    char    name[];
};

/* A block of key copies: each adding thread bumps through its own
 * block (struct agg_arena), and the blocks are unmapped together with
 * the table: no malloc or free per key. */
struct agg_blk {
    struct agg_blk *next;               /* fixed before publication */
    size_t  size;                       /* bytes mapped, this included */
    const char *used;                   /* end of the keys; its thread's */
    size_t  nkeys;                      /* keys made, dead ones included;
                                         * its thread's */
};

/* in a key's len: made, then dropped where it could not be given back
 * (agg_key_drop); passes over the blocks skip it */
#define AGG_LEN_DEAD ((uint32_t) 1 << 31)

/* Blocks are mapped, AGG_BLK_MIN bytes first, each next one of a thread
 * twice the one before up to AGG_BLK_MAX: a small table costs a page or
 * four per thread, a large one a mapping per MiB. */
#define AGG_BLK_MIN 16384
#define AGG_BLK_MAX (1024 * 1024)

/* A block of AGG_BLK_FILL bytes or more is made resident at once, with
 * one call (Linux 5.14 on; elsewhere the call fails and the pages fault
 * in one by one, as before): its keys fill it from start to end, and a
 * page fault per 4 KiB costs more than its share of one call. Only a
 * thread's last block is left partly unused, at most AGG_BLK_MAX. */
#define AGG_BLK_FILL (64 * 1024)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

struct agg_tab {
    struct agg_seg *first;              /* fixed after create */
    uint64_t id;                        /* unique; names the arenas */
    _Atomic(struct agg_host *) hosts;   /* push-only list head */
    _Atomic(struct agg_blk *) blks;     /* push-only list of key blocks */
};

/* The block a thread copies keys into, for the table `id` (ids are
 * never reused, so a freed table's cursor is never followed). */
struct agg_arena {
    uint64_t id;                        /* 0: none */
    char   *next;                       /* first free byte */
    char   *end;
    size_t  size;                       /* size of the current block */
    struct agg_blk *blk;                /* the current block */
};

static _Atomic uint64_t agg_tab_ids;
static _Thread_local struct agg_arena agg_arena;

/* one key decoded, or one row of a view being built */
struct agg_item {
    int32_t day;
    uint8_t policy;
    uint8_t kind;                       /* view: AGG_K_*; walk: 0 */
    uint8_t result;
    uint8_t flags;                      /* walk: SESS_F_*; view: 0 */
    uint8_t cert;                       /* enum sess_cert */
    uint8_t cert_problem;               /* enum sess_result */
    const char *domain;
    const char *mx;
    const char *helo;
    const char *ip;
    const char *loghost;
    const char *reason;
    size_t  dlen;                       /* strlen(domain) */
    uint64_t count;
};

#define AGG_K_SUCCESS 0
#define AGG_K_IGNORED 1
#define AGG_K_DETAIL 2

/* A block of a view's strings. Each thread that builds a part of a
 * view bumps through blocks of its own, AGG_SBLK_MIN bytes first and
 * twice the one before up to AGG_SBLK_MAX: the strings of a part are
 * not known before it is built. A row's strings are at most a key's. */
struct agg_sblk {
    struct agg_sblk *next;
    char    bytes[];
};

#define AGG_SBLK_MIN (16 * 1024)
#define AGG_SBLK_MAX (1024 * 1024)

/* one (day, log host) of the keys a view was made from */
struct agg_vhost {
    int32_t day;
    char   *name;
};

struct agg_view {
    size_t  ndoms;                      /* distinct domains */
    size_t  ngroups;
    struct agg_group *groups;
    struct agg_detail *details;
    struct agg_sblk *strings;           /* every string of the view */
    size_t  nhosts;
    struct agg_vhost *hosts;            /* distinct (day, log host) */
};

/* agg_seg_new - zeroed segment of nslots (a power of 2); never NULL */
static struct agg_seg *
agg_seg_new(size_t nslots)
{
    struct agg_seg *s;
    size_t  nwords = nslots / 2 / AGG_FILT_KEYS;
    size_t  npages = nslots * sizeof(s->slots[0]) / AGG_PAGE + 1;

    /* All-zero bytes are free slots: hash 0, key NULL; an empty filter
     * after the slots, and no page touched. */
    s = xcalloc(1, sizeof(*s) + nslots * sizeof(s->slots[0])
                + nwords * sizeof(*s->filt)
                + (npages + 63) / 64 * sizeof(*s->touched));
    s->mask = nslots - 1;
    s->limit = nslots / 2;
    s->filt = (_Atomic uint64_t *) &s->slots[nslots];
    s->fmask = nwords - 1;
    s->touched = s->filt + nwords;
    atomic_init(&s->used, 0);
    atomic_init(&s->next, NULL);
    return s;
}

/* The sorted pass reads the keys in sorted order, not in the order
 * they were made: each a likely cache miss. It asks for the key
 * AGG_AHEAD places ahead before it reads one. */
#define AGG_AHEAD 8

/* agg_key_size - bytes a key of len bytes takes in a block (a multiple
 * of 8, for the next key's count) */
static inline size_t
agg_key_size(size_t len)
{
    return (offsetof(struct agg_key, blob) + len + 7) & ~(size_t) 7;
}

/* Where a pass over every key (_st) is: it reads the blocks, each from
 * its start to its `used`, so the keys come in the order each thread
 * made them, one after the other in memory (a pass over the slots met
 * them in hash order, a cache and TLB miss each). */
struct agg_kpos {
    const struct agg_blk *b;            /* NULL: done */
    const char *p;                      /* next key in b */
};

/* agg_kpos_init - pos before t's first key */
static void
agg_kpos_init(const struct agg_tab *t, struct agg_kpos *pos)
{
    /* _st: after the join, relaxed loads see every published pointer */
    pos->b = atomic_load_explicit(&t->blks, memory_order_relaxed);
    pos->p = pos->b != NULL ? (const char *) (pos->b + 1) : NULL;
}

/* agg_kpos_next - the next stored key, or NULL after the last; every
 * key made and not dropped (each is in a slot), in block order */
static const struct agg_key *
agg_kpos_next(struct agg_kpos *pos)
{
    const struct agg_key *k;

    while (pos->b != NULL) {
        if (pos->p < pos->b->used) {
            k = (const struct agg_key *) pos->p;
            pos->p += agg_key_size(k->len & ~AGG_LEN_DEAD);
            if ((k->len & AGG_LEN_DEAD) == 0)
                return k;
            continue;
        }
        pos->b = pos->b->next;
        pos->p = pos->b != NULL ? (const char *) (pos->b + 1) : NULL;
    }
    return NULL;
}

/* agg_tab_create - empty table with one small segment; never NULL */
struct agg_tab *
agg_tab_create(void)
{
    struct agg_tab *t = xmalloc(sizeof(*t));

    t->first = agg_seg_new(AGG_SEG_FIRST);
    /* relaxed: only uniqueness matters */
    t->id = atomic_fetch_add_explicit(&agg_tab_ids, 1,
                                      memory_order_relaxed) + 1;
    atomic_init(&t->hosts, NULL);
    atomic_init(&t->blks, NULL);
    return t;
}

/* agg_tab_free - release everything; returns NULL; cost O(segments +
 * blocks): the keys go with their blocks */
struct agg_tab *
agg_tab_free(struct agg_tab *t)
{
    struct agg_seg *s;
    struct agg_seg *sn;
    struct agg_host *h;
    struct agg_host *hn;
    struct agg_blk *b;
    struct agg_blk *bn;

    if (t == NULL)
        return NULL;
    /* _st: after the join, relaxed loads see every published pointer */
    for (s = t->first; s != NULL; s = sn) {
        sn = atomic_load_explicit(&s->next, memory_order_relaxed);
        free(s);
    }
    for (b = atomic_load_explicit(&t->blks, memory_order_relaxed);
         b != NULL; b = bn) {
        bn = b->next;
        munmap(b, b->size);
    }
    for (h = atomic_load_explicit(&t->hosts, memory_order_relaxed);
         h != NULL; h = hn) {
        hn = h->next;
        free(h);
    }
    free(t);
    return NULL;
}

/* agg_str_ok - 1 when field (of size cap) holds a terminated string */
static int
agg_str_ok(const char *field, size_t cap)
{
    return strnlen(field, cap) < cap;
}

/* agg_rec_valid - 1 when every field of r may be stored (with names
 * 0: domain and mx are trusted to be canonical); cost O(size) */
static int
agg_rec_valid(const struct sess_rec *r, int names)
{
    if (r->result >= SESS_RESULT_COUNT || r->policy >= SESS_POL_COUNT
        || r->cert >= SESS_CERT_COUNT || r->cert_problem >= SESS_RESULT_COUNT)
        return 0;
    if (!agg_str_ok(r->domain, sizeof(r->domain))
        || !agg_str_ok(r->mx, sizeof(r->mx))
        || !agg_str_ok(r->helo, sizeof(r->helo))
        || !agg_str_ok(r->ip, sizeof(r->ip))
        || !agg_str_ok(r->loghost, sizeof(r->loghost))
        || !agg_str_ok(r->reason, sizeof(r->reason)))
        return 0;
    if (r->domain[0] == 0)
        return 0;
    if (!names)
        return 1;
    if (!dname_valid(r->domain))
        return 0;
    if (r->mx[0] != 0 && !dname_valid(r->mx))
        return 0;
    return 1;
}

/* agg_put - append s and its NUL at p; returns the end */
static char *
agg_put(char *p, const char *s)
{
    size_t  n = strlen(s) + 1;

    memcpy(p, s, n);
    return p + n;
}

/* agg_put_field - append field (of size cap) and its NUL at p, or only
 * a NUL when clear; the end, or NULL when field holds no terminated
 * string */
static inline char *
agg_put_field(char *p, const char *field, size_t cap, int clear)
{
    size_t  n = strnlen(field, cap);

    if (n == cap)
        return NULL;
    if (clear)
        n = 0;
    memcpy(p, field, n);
    p[n] = 0;
    return p + n + 1;
}

/* agg_key_encode - canonical key bytes of r into buf[AGG_KEY_MAX];
 * returns the length. A TLS success (not plaintext) drops helo, ip and
 * reason so that successes collapse per (day, domain, policy, mx, cert,
 * cert_problem, loghost): what a policy resolved later needs to judge
 * them again; a plaintext session keeps every field for its possible
 * starttls-not-supported detail. 0 when a string field holds no
 * terminated string. */
static size_t
agg_key_encode(const struct sess_rec *r, char *buf)
{
    int     clear = r->result == SESS_SUCCESS
        && (r->flags & SESS_F_PLAINTEXT) == 0;
    char   *p = buf;

    memcpy(p, &r->day, sizeof(r->day));
    p += sizeof(r->day);
    memcpy(p++, &r->policy, 1);
    memcpy(p++, &r->result, 1);
    memcpy(p++, &r->flags, 1);
    memcpy(p++, &r->cert, 1);
    memcpy(p++, &r->cert_problem, 1);
    /* each string measured once, by the bounded look that checks it */
    if ((p = agg_put_field(p, r->domain, sizeof(r->domain), 0)) == NULL
        || (p = agg_put_field(p, r->mx, sizeof(r->mx), 0)) == NULL
        || (p = agg_put_field(p, r->helo, sizeof(r->helo), clear)) == NULL
        || (p = agg_put_field(p, r->ip, sizeof(r->ip), clear)) == NULL
        || (p = agg_put_field(p, r->loghost, sizeof(r->loghost), 0)) == NULL
        || (p = agg_put_field(p, r->reason, sizeof(r->reason), clear)) == NULL)
        return 0;
    return (size_t) (p - buf);
}

/* agg_arena_more - a new block of at least need bytes for this thread's
 * keys of t, linked to t; never fails (out of memory is fatal) */
static void
agg_arena_more(struct agg_tab *t, size_t need)
{
    struct agg_arena *a = &agg_arena;
    struct agg_blk *b;
    struct agg_blk *head;
    size_t  size;

    size = a->id != t->id ? AGG_BLK_MIN
        : a->size < AGG_BLK_MAX ? 2 * a->size : AGG_BLK_MAX;
    while (size < need + sizeof(*b))
        size *= 2;
    if ((b = mmap(NULL, size, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
        xnomem("session table");
    if (size >= AGG_BLK_FILL)
        (void) madvise(b, size, MADV_POPULATE_WRITE);
    b->size = size;
    /* release: b's fields are visible to whoever acquires the head;
     * relaxed on failure: head is only the next value to try */
    head = atomic_load_explicit(&t->blks, memory_order_relaxed);
    do
        b->next = head;
    while (!atomic_compare_exchange_weak_explicit(&t->blks, &head, b,
                                                  memory_order_release,
                                                  memory_order_relaxed));
    b->used = (char *) b + sizeof(*b);
    b->nkeys = 0;
    a->id = t->id;
    a->blk = b;
    a->size = size;
    a->next = (char *) b + sizeof(*b);
    a->end = (char *) b + size;
}

/* agg_key_new - copy of len key bytes in this thread's block of t,
 * count 0; never NULL; cost O(len), a mapping per block */
static struct agg_key *
agg_key_new(struct agg_tab *t, const char *buf, size_t len)
{
    struct agg_arena *a = &agg_arena;
    size_t  size = agg_key_size(len);
    struct agg_key *k;

    if (a->id != t->id || (size_t) (a->end - a->next) < size)
        agg_arena_more(t, size);
    k = (struct agg_key *) a->next;
    a->next += size;
    a->blk->used = a->next;
    a->blk->nkeys++;
    atomic_init(&k->count, 0);
    k->len = (uint32_t) len;
    memcpy(k->blob, buf, len);
    return k;
}

/* agg_key_drop - give back k, made by agg_key_new(t) and never
 * published, when nothing was copied after it */
static void
agg_key_drop(struct agg_tab *t, struct agg_key *k)
{
    struct agg_arena *a = &agg_arena;

    if (k == NULL)
        return;
    if (a->id == t->id && a->next == (char *) k + agg_key_size(k->len)) {
        a->next = (char *) k;
        a->blk->used = a->next;
        a->blk->nkeys--;
    } else {
        k->len |= AGG_LEN_DEAD;
    }
}

/* agg_key_hash - XXH3 of the key bytes, never 0 (0 marks a free slot);
 * cost O(len) */
static uint64_t
agg_key_hash(const char *buf, size_t len)
{
    uint64_t h = XXH3_64bits(buf, len);

    return h != 0 ? h : 1;
}

/* agg_slot_key - the key of a slot whose hash is set; waits only while
 * its claimer is between the hash CAS and the key store */
static const struct agg_key *
agg_slot_key(struct agg_slot *s)
{
    struct agg_key *k;
    unsigned spins = 0;

    /* acquire: pairs with the claimer's release store, so the key bytes
     * written before it are visible here */
    while ((k = atomic_load_explicit(&s->key, memory_order_acquire))
           == NULL)
        if (++spins > 64)
            sched_yield();
    return k;
}

/* agg_slot_match - 1 when a claimed slot holds exactly buf[len] */
static int
agg_slot_match(struct agg_slot *s, const char *buf, size_t len)
{
    const struct agg_key *k = agg_slot_key(s);

    return k->len == len && memcmp(k->blob, buf, len) == 0;
}

/* agg_seg_find - the slot holding the key in seg, or NULL; expected
 * O(1) probes at half load, at most all slots */
static struct agg_slot *
agg_seg_find(struct agg_seg *seg, uint64_t h, const char *buf, size_t len)
{
    size_t  i = (size_t) h & seg->mask;
    uint64_t sh;

    for (;;) {
        struct agg_slot *s = &seg->slots[i];

        /* relaxed: the hash is a value on its own; key bytes are read
         * only through the acquire load in agg_slot_key(). 0: the key
         * is not (yet) in this segment. */
        sh = atomic_load_explicit(&s->hash, memory_order_relaxed);
        if (sh == 0)
            return NULL;
        if (sh == h && agg_slot_match(s, buf, len))
            return s;
        i = (i + 1) & seg->mask;
    }
}

/* agg_filt_add - note hash h in seg's filter. Relaxed: a reader that
 * misses the bits only makes a duplicate (see AGG_FILT_KEYS). No load
 * first: a new key's bits are rarely all set already, and a write is
 * the best first touch of a page (see AGG_PAGE). */
static void
agg_filt_add(struct agg_seg *seg, uint64_t h)
{
    atomic_fetch_or_explicit(agg_filt_word(seg, h), agg_filt_bits(h),
                             memory_order_relaxed);
}

/* agg_seg_touch - make sure the page of slot s of seg was written to
 * before it is read (see AGG_PAGE); cost a load from a small bitmap */
static inline void
agg_seg_touch(struct agg_seg *seg, struct agg_slot *s)
{
    size_t  pg = (size_t) ((char *) s - (char *) seg->slots) / AGG_PAGE;
    _Atomic uint64_t *w = &seg->touched[pg / 64];
    uint64_t b = (uint64_t) 1 << (pg % 64);

    /* relaxed: a hint; two writers may both touch, which is harmless
     * (adding 0 leaves the hash as it is, whoever claims it) */
    if ((atomic_load_explicit(w, memory_order_relaxed) & b) == 0) {
        atomic_fetch_add_explicit(&s->hash, 0, memory_order_relaxed);
        atomic_fetch_or_explicit(w, b, memory_order_relaxed);
    }
}

/* agg_filt_may - 0 when seg's filter says the key of hash h is not in
 * seg (not yet, at least); relaxed, see agg_filt_add() */
static inline int
agg_filt_may(const struct agg_seg *seg, uint64_t h)
{
    uint64_t b = agg_filt_bits(h);

    return (atomic_load_explicit(agg_filt_word(seg, h), memory_order_relaxed)
            & b) == b;
}

/* agg_seg_claim - find the key in seg or claim a slot for it; NULL when
 * seg is at its claim limit. *kp is the prepared key copy (made here on
 * first need); it is consumed (set to NULL) when this writer claims. */
static struct agg_slot *
agg_seg_claim(struct agg_tab *t, struct agg_seg *seg, uint64_t h,
              const char *buf, size_t len, struct agg_key **kp)
{
    size_t  i = (size_t) h & seg->mask;
    int     reserved = 0;
    uint64_t sh;

    agg_seg_touch(seg, &seg->slots[i]);
    for (;;) {
        struct agg_slot *s = &seg->slots[i];

        sh = atomic_load_explicit(&s->hash, memory_order_relaxed);
        if (sh == 0) {
            /* Reserve a claim first: at most `limit` (< slots) claims
             * ever succeed, so a probe always meets a free slot. Relaxed:
             * the counter orders nothing, it only bounds the load. */
            if (!reserved) {
                if (atomic_fetch_add_explicit(&seg->used, 1,
                                              memory_order_relaxed)
                    >= seg->limit)
                    return NULL;
                reserved = 1;
            }
            if (*kp == NULL)
                *kp = agg_key_new(t, buf, len);
            /* The claim: exactly one writer moves a slot's hash from 0.
             * Relaxed: the RMW alone makes the claim exclusive; nothing
             * else is published by it. On failure `sh` is the winner's
             * hash, and its key comes through agg_slot_key(). */
            if (atomic_compare_exchange_strong_explicit(&s->hash, &sh, h,
                                                        memory_order_relaxed,
                                                     memory_order_relaxed)) {
                /* release: the key bytes are visible to whoever
                 * acquire-loads this pointer (agg_slot_key) */
                atomic_store_explicit(&s->key, *kp, memory_order_release);
                *kp = NULL;
                agg_filt_add(seg, h);
                return s;
            }
        }
        if (sh == h && agg_slot_match(s, buf, len)) {
            if (reserved)               /* relaxed: bound only */
                atomic_fetch_sub_explicit(&seg->used, 1,
                                          memory_order_relaxed);
            return s;
        }
        i = (i + 1) & seg->mask;
    }
}

/* agg_seg_grow - the segment after seg, made and linked if missing;
 * cost one allocation of AGG_SEG_GROW times seg's size when this writer
 * grows */
static struct agg_seg *
agg_seg_grow(struct agg_seg *seg)
{
    struct agg_seg *next;
    struct agg_seg *mine;

    /* acquire: a linked segment's size fields and zeroed slots are
     * visible before we probe it */
    next = atomic_load_explicit(&seg->next, memory_order_acquire);
    if (next != NULL)
        return next;
    mine = agg_seg_new(AGG_SEG_GROW * (seg->mask + 1));
    /* release: publishes mine's initialised fields to acquire loaders;
     * on failure, acquire: `next` is the winner's, fully visible */
    if (atomic_compare_exchange_strong_explicit(&seg->next, &next, mine,
                                                memory_order_release,
                                                memory_order_acquire))
        return mine;
    free(mine);
    return next;
}

/* agg_tab_ask - ask for what an add of hash h reads first: the filter
 * word of every older segment, the first slot of the newest and its
 * filter word (for writing: a new key claims the one and sets bits in
 * the other). A hint only; the table may grow
 * before the add. */
static inline void
agg_tab_ask(const struct agg_tab *t, uint64_t h)
{
    struct agg_seg *seg;
    struct agg_seg *next;

    for (seg = t->first; seg != NULL; seg = next) {
        /* acquire: see agg_seg_grow() */
        next = atomic_load_explicit(&seg->next, memory_order_acquire);
        if (next != NULL) {
            __builtin_prefetch(agg_filt_word(seg, h));
        } else {
            __builtin_prefetch(&seg->slots[(size_t) h & seg->mask], 1);
            __builtin_prefetch(agg_filt_word(seg, h), 1);
        }
    }
}

/* agg_tab_add_hashed - add n (> 0) sessions of the key buf[len] of hash
 * h. No lock; allocates only for a key new to the table (and a segment
 * when growing). Cost O(segments) expected probes. */
static struct agg_key *
agg_tab_add_hashed(struct agg_tab *t, const char *buf, size_t len,
                   uint64_t h, uint64_t n)
{
    struct agg_key *mine = NULL;
    struct agg_seg *seg;
    struct agg_seg *next;
    struct agg_slot *s;
    struct agg_key *k;

    for (seg = t->first;;) {
        /* acquire: see agg_seg_grow() */
        next = atomic_load_explicit(&seg->next, memory_order_acquire);
        if (next != NULL) {
            if (agg_filt_may(seg, h)
                && (s = agg_seg_find(seg, h, buf, len)) != NULL)
                break;
            seg = next;
            continue;
        }
        if ((s = agg_seg_claim(t, seg, h, buf, len, &mine)) != NULL)
            break;
        seg = agg_seg_grow(seg);
    }
    agg_key_drop(t, mine);              /* prepared, but found instead */
    /* acquire: this thread stored the pointer or read it so already */
    k = atomic_load_explicit(&s->key, memory_order_acquire);
    /* relaxed: counters are read only after the adders have joined */
    atomic_fetch_add_explicit(&k->count, n, memory_order_relaxed);
    return k;
}

/* agg_tab_add_key - add n sessions of the key buf[len]; the misses of
 * one add follow each other (agg_tab_add_list_mt() overlaps those of
 * several) */
static void
agg_tab_add_key(struct agg_tab *t, const char *buf, size_t len, uint64_t n)
{
    uint64_t h;

    if (n == 0)
        return;
    h = agg_key_hash(buf, len);
    agg_tab_ask(t, h);
    agg_tab_add_hashed(t, buf, len, h, n);
}

/* agg_tab_add - add n sessions like r; 0, or -1 when r is invalid
 * (names: validate domain and mx as well) */
static int
agg_tab_add(struct agg_tab *t, const struct sess_rec *r, uint64_t n,
            int names)
{
    char    buf[AGG_KEY_MAX];
    size_t  len;

    /* the names checked first when not trusted; the rest by the key */
    if (t == NULL || r == NULL || (names && !agg_rec_valid(r, 1))
        || (len = agg_tab_key_trusted(r, buf)) == 0)
        return -1;
    if (n > 0)
        agg_tab_add_key(t, buf, len, n);
    return 0;
}

/* agg_tab_key_trusted - see agg_tab.h */
size_t
agg_tab_key_trusted(const struct sess_rec *r, char *buf)
{
    /* agg_rec_valid(r, 0), with the strings checked by the encoding */
    if (r == NULL || r->result >= SESS_RESULT_COUNT
        || r->policy >= SESS_POL_COUNT || r->cert >= SESS_CERT_COUNT
        || r->cert_problem >= SESS_RESULT_COUNT || r->domain[0] == 0)
        return 0;
    return agg_key_encode(r, buf);
}

/* agg_put_room - append the n bytes of s and a NUL at p (the end), s
 * a string in a field of at least 32 bytes: a string of up to 32 bytes
 * (nearly all: names, addresses, reasons) is copied as 32 bytes
 * whatever its length, and its NUL put after it. No branch on the
 * length, where a copy by size classes took three or four that each
 * session's lengths decided (pipe_key_push: 44,000 mispredicts on the
 * replayed corpus's 20 MB, 89,000 on Exim's). The bytes past the NUL
 * are overwritten by the next field, or lie past the key's end: the
 * key is its length's bytes. Every field of a sess_rec has at least 32
 * bytes of room (below), so the 32 read are the record's; and no write
 * goes past AGG_TAB_KEY_MAX bytes of buf: a field starts at most where
 * it would in a key of every field full, and there its room (at least
 * 32) is left in buf */
_Static_assert(IPADDR_MAX + 1 >= 32 && SESS_MAX_LOGHOST + 1 >= 32
               && SESS_MAX_REASON + 1 >= 32 && DNAME_MAX + 1 >= 32,
               "agg_put_room reads and writes 32 bytes of every field");
static inline __attribute__((always_inline)) char *
agg_put_room(char *p, const char *s, size_t n)
{
    if (__builtin_expect(n <= 32, 1)) {
        memcpy(p, s, 32);       /* a constant size: two 16-byte moves */
    } else {
        memcpy(p, s, n);
    }
    p[n] = 0;
    return p + n + 1;
}

/* agg_view_head - the key's first bytes (day, policy, result, flags,
 * cert, cert_problem) of a view at p: a view keeps them in the key's
 * order, one word and a byte */
_Static_assert(offsetof(struct sess_view, policy)
               == offsetof(struct sess_view, day) + 4
               && offsetof(struct sess_view, result)
               == offsetof(struct sess_view, day) + 5
               && offsetof(struct sess_view, flags)
               == offsetof(struct sess_view, day) + 6
               && offsetof(struct sess_view, cert)
               == offsetof(struct sess_view, day) + 7
               && offsetof(struct sess_view, cert_problem)
               == offsetof(struct sess_view, day) + 8
               && sizeof(((struct sess_view *) 0)->day) == 4,
               "agg_view_head copies day to cert as one word");
_Static_assert(SESS_VIEW_ROOM >= 32, "agg_put_room reads 32 bytes");
static inline __attribute__((always_inline)) char *
agg_view_head(char *p, const struct sess_view *v)
{
    memcpy(p, &v->day, 8);
    p[8] = (char) v->cert_problem;
    return p + 9;
}

/* agg_tab_key_view - see agg_tab.h */
size_t
agg_tab_key_view(const struct sess_view *v, char *buf)
{
    size_t  keep;
    char   *p;

    /* what the copies below write of buf depends on (each length below
     * its field's room in a record), what later steps index tables by
     * (the enumerations), and a domain. That each string ends where
     * its length says and has SESS_VIEW_ROOM bytes is the maker's word
     * (sess_cb.session_view: corr.c measures them; t_corr checks it)
     * and is not looked at again: a wrong length still gives a key of
     * at most AGG_TAB_KEY_MAX bytes, only not the session's */
    if (v == NULL || v->result >= SESS_RESULT_COUNT
        || v->policy >= SESS_POL_COUNT || v->cert >= SESS_CERT_COUNT
        || v->cert_problem >= SESS_RESULT_COUNT
        || v->domain.len - 1 >= DNAME_MAX || v->mx.len > DNAME_MAX
        || v->helo.len > DNAME_MAX || v->ip.len > IPADDR_MAX
        || v->loghost.len > SESS_MAX_LOGHOST
        || v->reason.len > SESS_MAX_REASON)
        return 0;
    /* a clear success keeps no helo, address or reason: their lengths
     * masked, not tested (a test of "clear" went either way by the
     * session, some 26,000 mispredicted branches in the replayed Exim
     * log's 20 MB, 16,000 in the Postfix corpus's) */
    keep = (size_t) 0 - (size_t) ((v->result != SESS_SUCCESS)
                                  | (v->flags & SESS_F_PLAINTEXT));
    p = agg_view_head(buf, v);
    p = agg_put_room(p, v->domain.ptr, v->domain.len);
    p = agg_put_room(p, v->mx.ptr, v->mx.len);
    /* no parser fills helo (corr_emit_rec): its NUL alone, on a branch
     * that goes one way */
    if (__builtin_expect((v->helo.len & keep) == 0, 1))
        *p++ = 0;
    else
        p = agg_put_room(p, v->helo.ptr, v->helo.len);
    p = agg_put_room(p, v->ip.ptr, v->ip.len & keep);
    p = agg_put_room(p, v->loghost.ptr, v->loghost.len);
    p = agg_put_room(p, v->reason.ptr, v->reason.len & keep);
    return (size_t) (p - buf);
}

/* agg_tab_key_lens - see agg_tab.h: the view of r with those lengths */
size_t
agg_tab_key_lens(const struct sess_rec *r, const size_t len[AGG_TAB_STRS],
                 char *buf)
{
    struct sess_view v;

    /* a length not below its field's size is refused (a record's
     * field, the view's room, is read no further) */
    if (r == NULL || len[0] >= sizeof(r->domain) || len[1] >= sizeof(r->mx)
        || len[2] >= sizeof(r->helo) || len[3] >= sizeof(r->ip)
        || len[4] >= sizeof(r->loghost) || len[5] >= sizeof(r->reason))
        return 0;
    v.day = r->day;
    v.policy = r->policy;
    v.result = r->result;
    v.flags = r->flags;
    v.cert = r->cert;
    v.cert_problem = r->cert_problem;
    v.time = r->time;
    v.domain = span_make(r->domain, len[0]);
    v.mx = span_make(r->mx, len[1]);
    v.helo = span_make(r->helo, len[2]);
    v.ip = span_make(r->ip, len[3]);
    v.loghost = span_make(r->loghost, len[4]);
    v.reason = span_make(r->reason, len[5]);
    return agg_tab_key_view(&v, buf);
}

/* agg_tab_add_key_mt - see agg_tab.h */
int
agg_tab_add_key_mt(struct agg_tab *t, const char *key, size_t len,
                   uint64_t n)
{
    if (t == NULL || key == NULL || len == 0 || len > AGG_KEY_MAX)
        return -1;
    agg_tab_add_key(t, key, len, n);
    return 0;
}

/* Keys a list add hashes and asks for before it adds the first of them:
 * as many cache (and TLB) misses in flight, where one add alone waits
 * for each of its own. */
#define AGG_AHEAD_KEYS 8

/* The keys this thread's list adds found last in a table, by
 * agg_recent_at() of their bytes: a log's sessions fall on few keys (the
 * replayed Postfix corpus: 30 for 16,208 counted sessions of a 20 MB
 * slice), and a key met again is counted after a compare of its bytes,
 * not its hash and the table's probes (some 170 instructions). A key
 * stays where it is for the table's life, and a table's id is never
 * reused: a key of another table, or freed, is never read. */
#define AGG_RECENT_BITS 9
#define AGG_RECENT (1 << AGG_RECENT_BITS)
#define AGG_RECENT_MIN 16               /* shorter keys: not kept */

static _Thread_local struct agg_recent {
    uint64_t id;                        /* the table's, 0: none */
    /* a log of as many keys as sessions (a million domains) would only
     * add the asks to each add: while fewer than one in eight of
     * AGG_RECENT_TRY asks hit, the next AGG_RECENT_REST keys are not
     * asked (the same counts either way) */
    unsigned asks;
    unsigned hits;
    unsigned rest;
    struct agg_key *k[AGG_RECENT];
} agg_recent;

#define AGG_RECENT_TRY 1024
#define AGG_RECENT_REST 32768

/* agg_recent_at - the place of key (AGG_RECENT_MIN bytes or more) in
 * agg_recent: its length and 40 of its bytes (the day and enums, the
 * domain's first bytes, a third and two thirds in, the end: log host
 * and reason), mixed. Keys alike in fewer bytes shared a place and
 * pushed each other out (the replayed Exim log's 105 keys: one add in
 * six missed) */
static inline unsigned
agg_recent_at(const char *key, size_t len)
{
    uint64_t a, b, c, d, e;

    memcpy(&a, key, 8);
    memcpy(&b, key + len / 3 - 4, 8);
    memcpy(&c, key + len / 3 * 2 - 4, 8);
    memcpy(&d, key + len - 8, 8);
    memcpy(&e, key + 8, 8);
    a ^= (b * 0x9e3779b97f4a7c15ULL) ^ (c + len) * 0xc2b2ae3d27d4eb4fULL;
    a ^= (d * 0x165667b19e3779f9ULL) ^ (e * 0xff51afd7ed558ccdULL);
    return (unsigned) ((a * 0x9e3779b97f4a7c15ULL) >> (64 - AGG_RECENT_BITS));
}

/* agg_tab_add_list_mt - see agg_tab.h */
int
agg_tab_add_list_mt(struct agg_tab *t, const char *list, size_t len)
{
    struct {
        const char *key;
        size_t  len;
        uint64_t h;
        unsigned at;                    /* agg_recent_at(), or AGG_RECENT */
    }       ring[AGG_AHEAD_KEYS];
    struct agg_recent *m = &agg_recent;
    struct agg_key *k;
    size_t  at;
    size_t  n;
    size_t  in = 0;                     /* keys hashed and asked for */
    size_t  out = 0;                    /* keys added */
    unsigned ra;

    if (t == NULL || (list == NULL && len > 0))
        return -1;
    /* every length checked before the first add: all or nothing */
    for (at = 0; at < len; at += n + 2) {
        if (len - at < 2)
            return -1;
        n = ((size_t) (unsigned char) list[at] << 8)
            | (unsigned char) list[at + 1];
        if (n == 0 || n > AGG_KEY_MAX || n > len - at - 2)
            return -1;
    }
    if (m->id != t->id) {
        memset(m->k, 0, sizeof(m->k));
        m->id = t->id;
        m->asks = m->hits = m->rest = 0;
    }
    for (at = 0;;) {
        while (in - out < AGG_AHEAD_KEYS && at < len) {
            const char *key = list + at + 2;

            n = ((size_t) (unsigned char) list[at] << 8)
                | (unsigned char) list[at + 1];
            at += n + 2;
            ra = AGG_RECENT;
            if (m->rest > 0) {
                m->rest--;
            } else if (n >= AGG_RECENT_MIN) {
                if (++m->asks == AGG_RECENT_TRY) {
                    if (m->hits < AGG_RECENT_TRY / 8)
                        m->rest = AGG_RECENT_REST;
                    m->asks = m->hits = 0;
                }
                ra = agg_recent_at(key, n);
                if ((k = m->k[ra]) != NULL && k->len == n
                    && memcmp(k->blob, key, n) == 0) {
                    /* relaxed: as agg_tab_add_hashed() */
                    atomic_fetch_add_explicit(&k->count, 1,
                                              memory_order_relaxed);
                    m->hits++;
                    continue;
                }
            }
            ring[in % AGG_AHEAD_KEYS].key = key;
            ring[in % AGG_AHEAD_KEYS].len = n;
            ring[in % AGG_AHEAD_KEYS].h = agg_key_hash(key, n);
            ring[in % AGG_AHEAD_KEYS].at = ra;
            agg_tab_ask(t, ring[in % AGG_AHEAD_KEYS].h);
            in++;
        }
        if (out == in)
            return 0;
        k = agg_tab_add_hashed(t, ring[out % AGG_AHEAD_KEYS].key,
                               ring[out % AGG_AHEAD_KEYS].len,
                               ring[out % AGG_AHEAD_KEYS].h, 1);
        if ((ra = ring[out % AGG_AHEAD_KEYS].at) < AGG_RECENT)
            m->k[ra] = k;
        out++;
    }
}

/* agg_tab_add_mt - add n sessions like r, every field checked */
int
agg_tab_add_mt(struct agg_tab *t, const struct sess_rec *r, uint64_t n)
{
    return agg_tab_add(t, r, n, 1);
}

/* agg_tab_add_trusted_mt - the same for a parser's record, whose names
 * are canonical already (global/sess.h) */
int
agg_tab_add_trusted_mt(struct agg_tab *t, const struct sess_rec *r,
                       uint64_t n)
{
    return agg_tab_add(t, r, n, 0);
}

/* agg_tab_note_tls_host_mt - add loghost to the TLS-host set; no lock.
 * Names longer than SESS_MAX_LOGHOST cannot match a record and are
 * ignored; NULL means "". Cost O(hosts) compares; allocates once per
 * new host. */
void
agg_tab_note_tls_host_mt(struct agg_tab *t, const char *loghost)
{
    struct agg_host *head;
    struct agg_host *seen = NULL;
    struct agg_host *h;
    struct agg_host *mine = NULL;
    size_t  len;

    if (loghost == NULL)
        loghost = "";
    if ((len = strnlen(loghost, SESS_MAX_LOGHOST + 1)) > SESS_MAX_LOGHOST)
        return;
    /* acquire: pairs with the pushing CAS, so names and next pointers
     * of every node reachable from head are visible */
    head = atomic_load_explicit(&t->hosts, memory_order_acquire);
    for (;;) {
        /* The list only grows at its head: nodes from `seen` on were
         * compared in an earlier round. */
        /* a length, then the bytes of a name as long: no strcmp()
         * call a host (a note cost some 400 instructions over the 14
         * hosts of a replayed Sendmail log) */
        for (h = head; h != seen; h = h->next) {
            if (h->len == len && memcmp(h->name, loghost, len) == 0) {
                if (mine != NULL)
                    free(mine);
                return;
            }
        }
        seen = head;
        if (mine == NULL) {
            mine = xmalloc(sizeof(*mine) + len + 1);
            memcpy(mine->name, loghost, len + 1);
            mine->len = len;
        }
        mine->next = head;
        /* release: mine's name and next are visible to acquire loaders
         * of the head; on failure, acquire: head is the newer list */
        if (atomic_compare_exchange_weak_explicit(&t->hosts, &head, mine,
                                                  memory_order_release,
                                                  memory_order_acquire))
            return;
    }
}

/* agg_tab_host_logs_tls_st - 1 when loghost was noted; cost O(hosts) */
int
agg_tab_host_logs_tls_st(const struct agg_tab *t, const char *loghost)
{
    const struct agg_host *h;

    if (loghost == NULL)
        loghost = "";
    /* _st: relaxed; the join ordered every push before this load */
    for (h = atomic_load_explicit(&t->hosts, memory_order_relaxed);
         h != NULL; h = h->next)
        if (strcmp(h->name, loghost) == 0)
            return 1;
    return 0;
}

/* agg_str_cmp - qsort comparator for an array of strings */
static int
agg_str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* agg_tab_walk_tls_hosts_st - visit each noted host once, in strcmp
 * order; cost O(H log H) */
void
agg_tab_walk_tls_hosts_st(const struct agg_tab *t,
                          void (*fn)(const char *loghost, void *ctx),
                          void *ctx)
{
    const struct agg_host *h;
    const char **names;
    size_t  n = 0;
    size_t  i;

    for (h = atomic_load_explicit(&t->hosts, memory_order_relaxed);
         h != NULL; h = h->next)
        n++;
    names = xcalloc(n, sizeof(*names));
    n = 0;
    for (h = atomic_load_explicit(&t->hosts, memory_order_relaxed);
         h != NULL; h = h->next)
        names[n++] = h->name;
    qsort(names, n, sizeof(*names), agg_str_cmp);
    for (i = 0; i < n; i++)
        fn(names[i], ctx);
    free(names);
}

/* agg_str_next - the string after the one at p: most strings of a key
 * but the domain are empty (a success keeps only its domain and log
 * host), and a byte read is cheaper than a call of strlen() */
static inline const char *
agg_str_next(const char *p)
{
    return *p ? p + strlen(p) + 1 : p + 1;
}

/* agg_key_decode - fields of a stored key into it (strings point into
 * the key), with count */
static void
agg_key_decode(const struct agg_key *k, uint64_t count,
               struct agg_item *it)
{
    const char *p = k->blob;

    memcpy(&it->day, p, sizeof(it->day));
    p += sizeof(it->day);
    memcpy(&it->policy, p++, 1);
    memcpy(&it->result, p++, 1);
    memcpy(&it->flags, p++, 1);
    memcpy(&it->cert, p++, 1);
    memcpy(&it->cert_problem, p++, 1);
    it->kind = 0;
    it->domain = p;
    it->dlen = strlen(p);
    p += it->dlen + 1;
    it->mx = p;
    p = agg_str_next(p);
    it->helo = p;
    p = agg_str_next(p);
    it->ip = p;
    p = agg_str_next(p);
    it->loghost = p;
    it->reason = agg_str_next(p);
    it->count = count;
}

/* Listing the keys in order. The view, the walk and the key count want
 * every stored key in agg_item_cmp order, equal keys merged. Sorting a
 * million decoded keys with qsort and agg_item_cmp (a strcmp of the
 * domains in nearly every one of its twenty compares a key) was most of
 * the end of a run. Each key now gets the start of its order as two
 * numbers (struct agg_ord: the day, then the domain's first 12 bytes,
 * big-endian and zero past the name's end, which orders like strcmp),
 * an in-place radix sort orders them, and only keys whose numbers are
 * equal (the same day and domain, or names alike in 12 bytes) are
 * decoded together and ordered by agg_item_cmp. No field before the
 * domain in that order changes when a key is classified, so the runs
 * of equal numbers are the same for the view and the walk. */
struct agg_ord {
    uint64_t k0;                        /* day + 2^31, domain bytes 0-3 */
    uint64_t k1;                        /* domain bytes 4-11 */
    const struct agg_key *key;          /* and its count */
};

#define AGG_KEY_HEAD (sizeof(int32_t) + 5)      /* blob bytes before the
                                                 * domain */
#define AGG_ORD_BYTES 16                /* radix digits: bytes of k0, k1 */
#define AGG_ORD_SMALL 32                /* insertion sort at or below */

/* agg_be32, agg_be64 - bytes loaded from memory as a big-endian
 * number (a byte swap, not a loop of shifts: a million keys) */
static inline uint32_t
agg_be32(uint32_t w)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap32(w);
#else
    return w;
#endif
}

static inline uint64_t
agg_be64(uint64_t q)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap64(q);
#else
    return q;
#endif
}

/* agg_ord_set - o for key k */
static inline void
agg_ord_set(struct agg_ord *o, const struct agg_key *k)
{
    unsigned char b[12] = {0};
    const char *dom = k->blob + AGG_KEY_HEAD;
    uint32_t day;
    uint32_t w;
    uint64_t q;

    memcpy(&day, k->blob, sizeof(day));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (k->len >= AGG_KEY_HEAD + sizeof(b)) {
        uint64_t lo;
        uint32_t hi;
        uint64_t z;
        uint32_t z4;

        /* the 12 bytes loaded as they are, those from the name's NUL on
         * cleared: the lowest byte flagged by the zero-byte test is
         * the first NUL (a call of strnlen and one of memcpy a key) */
        memcpy(&lo, dom, sizeof(lo));
        memcpy(&hi, dom + sizeof(lo), sizeof(hi));
        z = (lo - 0x0101010101010101u) & ~lo & 0x8080808080808080u;
        if (z != 0) {
            lo &= ((uint64_t) 1 << (__builtin_ctzll(z) & ~7u)) - 1;
            hi = 0;
        } else if ((z4 = (hi - 0x01010101u) & ~hi & 0x80808080u) != 0) {
            hi &= (uint32_t) (((uint64_t) 1 << (__builtin_ctz(z4) & ~7u))
                              - 1);
        }
        w = (uint32_t) lo;
        q = lo >> 32 | (uint64_t) hi << 32;
    } else
#endif
    {
        memcpy(b, dom, strnlen(dom, sizeof(b)));
        memcpy(&w, b, sizeof(w));
        memcpy(&q, b + 4, sizeof(q));
    }
    /* the sign bit flipped: signed order as unsigned order; the name's
     * bytes as big-endian numbers, which order like strcmp */
    o->k0 = (uint64_t) (day ^ 0x80000000u) << 32 | agg_be32(w);
    o->k1 = agg_be64(q);
    o->key = k;
}

/* agg_ord_byte - radix digit i (0 = most significant) of o */
static inline unsigned
agg_ord_byte(const struct agg_ord *o, unsigned i)
{
    return i < 8 ? (unsigned) (o->k0 >> (56 - 8 * i)) & 0xff
        : (unsigned) (o->k1 >> (120 - 8 * i)) & 0xff;
}

/* agg_ord_part - put a[n] in the order of digit i (cnt[]: how many of
 * each value, counted by the caller): each element goes to the next free
 * place of its bucket, and the one there moves on in turn, until the
 * cycle closes (American flag sort, in place). Cost O(n). */
static void
agg_ord_part(struct agg_ord *a, unsigned i, const size_t *cnt)
{
    size_t  next[256];
    size_t  end[256];
    struct agg_ord x;
    struct agg_ord y;
    size_t  j;
    unsigned b;
    unsigned d;

    for (j = 0, b = 0; b < 256; b++) {
        next[b] = j;
        j += cnt[b];
        end[b] = j;
    }
    for (b = 0; b < 256; b++) {
        while (next[b] < end[b]) {
            x = a[next[b]];
            while ((d = agg_ord_byte(&x, i)) != b) {
                y = a[next[d]];
                a[next[d]++] = x;
                x = y;
            }
            a[next[b]++] = x;
        }
    }
}

/* agg_ord_hist - cnt[] of digit i over a[n]; 0 when all n share the
 * digit (nothing to do) */
static int
agg_ord_hist(const struct agg_ord *a, size_t n, unsigned i, size_t *cnt)
{
    size_t  j;

    memset(cnt, 0, 256 * sizeof(*cnt));
    for (j = 0; j < n; j++)
        cnt[agg_ord_byte(&a[j], i)]++;
    return cnt[agg_ord_byte(&a[0], i)] != n;
}

/* agg_ord_sort - sort a[n] by (k0, k1), given that they agree in the
 * digits before digit i, and that every element of the whole array
 * agrees in the digits whose bit is clear in vary (those are skipped
 * without a pass; digit 0 is bit 0): most significant digit first, in
 * place, a digit that all share skipped, insertion sort for short runs.
 * Cost O(n) per digit taken, recursion at most 16 deep. */
static void
agg_ord_sort(struct agg_ord *a, size_t n, unsigned i, unsigned vary)
{
    size_t  cnt[256];
    struct agg_ord x;
    size_t  j;
    size_t  k;
    unsigned b;

    for (; n > AGG_ORD_SMALL && i < AGG_ORD_BYTES; i++) {
        if ((vary >> i & 1) == 0 || !agg_ord_hist(a, n, i, cnt))
            continue;
        agg_ord_part(a, i, cnt);
        for (j = 0, b = 0; b < 256; j += cnt[b], b++)
            if (cnt[b] > 1)
                agg_ord_sort(a + j, cnt[b], i + 1, vary);
        return;
    }
    if (i >= AGG_ORD_BYTES)
        return;
    for (j = 1; j < n; j++) {
        x = a[j];
        for (k = j; k > 0 && (a[k - 1].k0 > x.k0
                              || (a[k - 1].k0 == x.k0
                                  && a[k - 1].k1 > x.k1)); k--)
            a[k] = a[k - 1];
        a[k] = x;
    }
}

/* agg_key_loghost - the log host of k, its length in *lenp: the last
 * string but one, found from the key's end (the strings hold no NUL and
 * follow the fixed bytes) */
static const char *
agg_key_loghost(const struct agg_key *k, size_t *lenp)
{
    const char *end = memrchr(k->blob, 0, k->len - 1);
    const char *host = (const char *) memrchr(k->blob, 0,
                                              (size_t) (end - k->blob)) + 1;

    *lenp = (size_t) (end - host);
    return host;
}

/* the (day, log host) noted last: most keys share it with the key
 * before */
struct agg_vlast {
    const char *host;                   /* NULL: none yet */
    size_t  len;
    size_t  tail;                       /* bytes from host to the key's end */
    int32_t day;
};

/* agg_view_host - note k's (day, log host) in v, once; seen holds the
 * pairs noted, *last the pair noted last */
static void
agg_view_host(struct agg_view *v, struct htab *seen,
              struct agg_vlast *last, const struct agg_key *k)
{
    char    pair[sizeof(int32_t) + SESS_MAX_LOGHOST + 1];
    const char *host;
    size_t  len;
    int32_t day;
    struct agg_vhost *h;

    memcpy(&day, k->blob, sizeof(day));
    /* the key ends as the last one did (its log host, its NUL, its
     * reason, its NUL) after a NUL: its last two strings are the same,
     * without a search for them */
    if (last->host != NULL && last->day == day && k->len > last->tail
        && k->blob[k->len - last->tail - 1] == 0
        && memcmp(k->blob + k->len - last->tail, last->host, last->tail)
        == 0)
        return;
    host = agg_key_loghost(k, &len);
    if (last->host != NULL && last->day == day && last->len == len
        && memcmp(last->host, host, len) == 0)
        return;
    last->host = host;
    last->len = len;
    last->tail = (size_t) (k->blob + k->len - host);
    last->day = day;
    if (len > SESS_MAX_LOGHOST)         /* not from agg_key_encode */
        msg_panic("agg_view_host: log host of %zu bytes", len);
    memcpy(pair, k->blob, sizeof(int32_t));
    memcpy(pair + sizeof(int32_t), host, len);
    if (htab_find(seen, pair, sizeof(int32_t) + len) != NULL)
        return;
    htab_enter(seen, pair, sizeof(int32_t) + len, v);
    v->hosts = xrealloc(v->hosts, (v->nhosts + 1) * sizeof(*v->hosts));
    h = &v->hosts[v->nhosts++];
    memcpy(&h->day, k->blob, sizeof(h->day));
    h->name = xmalloc(len + 1);
    memcpy(h->name, host, len);
    h->name[len] = 0;
}

/* agg_view_host_merge - move the pair h, noted by another part of the
 * pass, into v unless seen holds it already (then its name is freed) */
static void
agg_view_host_merge(struct agg_view *v, struct htab *seen,
                    struct agg_vhost *h)
{
    char    pair[sizeof(int32_t) + SESS_MAX_LOGHOST + 1];
    size_t  len = strlen(h->name);

    memcpy(pair, &h->day, sizeof(int32_t));
    memcpy(pair + sizeof(int32_t), h->name, len);
    if (htab_find(seen, pair, sizeof(int32_t) + len) != NULL) {
        free(h->name);
        return;
    }
    htab_enter(seen, pair, sizeof(int32_t) + len, v);
    v->hosts = xrealloc(v->hosts, (v->nhosts + 1) * sizeof(*v->hosts));
    v->hosts[v->nhosts++] = *h;
}

/* at most this many sorted runs of numbers, and parts of a view */
#define AGG_ORD_RUNS_MAX 17

/* every stored key's numbers, in runs each sorted (agg_ord_list) */
struct agg_ords {
    struct agg_ord *a;
    size_t  n;
    size_t  bytes;                      /* their lengths past the numbers */
    unsigned vary;                      /* digits not all the same: bit i
                                         * for digit i */
    int     nrun;                       /* runs: a[run[r], run[r + 1]) */
    size_t  run[AGG_ORD_RUNS_MAX + 1];
};

/* keys' numbers in order from at up to end (a part of a sorted run) */
struct agg_span {
    const struct agg_ord *at;
    const struct agg_ord *end;
};

/* A part of the pass that collects the keys' numbers: the keys of the
 * blocks [b, stop) of the table's list, into out[] (room for at most
 * cap), with each key's (day, log host) noted in hv (its hosts only)
 * when hv is not NULL. */
struct agg_ocoll {
    const struct agg_blk *b;
    const struct agg_blk *stop;
    struct agg_ord *out;
    size_t  cap;
    size_t  n;
    size_t  bytes;                      /* lengths past the numbers */
    uint64_t d0;                        /* differences from out[0] */
    uint64_t d1;
    struct agg_view *hv;
    struct htab *seen;                  /* the pairs noted in hv */
};

/* agg_ocoll_run - thread: collect one part (agg_ocoll). Cost O(keys of
 * the part). */
static void *
agg_ocoll_run(void *arg)
{
    struct agg_ocoll *c = arg;
    struct agg_vlast last = {0};
    const struct agg_blk *b;
    const struct agg_key *k;
    const char *p;
    struct agg_ord *ord = c->out;
    size_t  n = 0;
    size_t  bytes = 0;
    uint64_t d0 = 0;
    uint64_t d1 = 0;

    /* block by block, the keys made and not dropped (agg_kpos_next,
     * which would go on into the next part's first block) */
    for (b = c->b; b != c->stop; b = b->next)
        for (p = (const char *) (b + 1); p < b->used;
             p += agg_key_size(k->len & ~AGG_LEN_DEAD)) {
            k = (const struct agg_key *) p;
            if ((k->len & AGG_LEN_DEAD) != 0)
                continue;
            if (n == c->cap)
                msg_panic("agg_ord_collect: more keys than its blocks made");
            agg_ord_set(&ord[n], k);
            d0 |= ord[n].k0 ^ ord[0].k0;
            d1 |= ord[n].k1 ^ ord[0].k1;
            n++;
            bytes += k->len - AGG_KEY_HEAD;
            if (c->hv != NULL)
                agg_view_host(c->hv, c->seen, &last, k);
        }
    c->n = n;
    c->bytes = bytes;
    c->d0 = d0;
    c->d1 = d1;
    return NULL;
}

/* Past this many bytes of key blocks, and with more than one thread
 * allowed, the keys' numbers are collected by several threads, each
 * over a run of blocks (domains.log of `make bench`, a million keys:
 * this pass took some 30 ms of one thread, the last part of the run
 * left on one thread but for the first partition). */
#define AGG_OCOLL_PAR_MIN (4 * 1024 * 1024)
#define AGG_OCOLL_PARTS 16

/* agg_ord_collect - every stored key (a key in two segments twice) in
 * block order, in o; with v, each key's (day, log host) noted in v.
 * With jobs > 1 and enough keys, runs of blocks are collected by up to
 * jobs threads (the caller's among them), each into its own place of
 * one array, then moved together: the same keys in the same order, the
 * same pairs noted in the same order, whatever jobs. Cost O(K), 24
 * bytes a key. */
static void
agg_ord_collect(const struct agg_tab *t, struct agg_ords *o,
                struct agg_view *v, int jobs)
{
    struct agg_ocoll c[AGG_OCOLL_PARTS];
    struct agg_view hv[AGG_OCOLL_PARTS];
    const struct agg_seg *s;
    const struct agg_blk *b;
    const struct agg_blk *first;
    struct agg_ord *ord;
    struct agg_vhost *h;
    size_t  cap = 0;
    size_t  total = 0;
    size_t  room;
    size_t  sum;
    size_t  keys;
    size_t  used;
    size_t  n;
    size_t  i;
    uint64_t d0;
    uint64_t d1;
    int     np;
    int     k;

    /* claims are at most the reservations, and at most the limit */
    for (s = t->first; s != NULL;
         s = atomic_load_explicit(&s->next, memory_order_relaxed)) {
        used = atomic_load_explicit(&s->used, memory_order_relaxed);
        cap += used < s->limit ? used : s->limit;
    }
    /* _st: after the join, relaxed loads see every published pointer */
    first = atomic_load_explicit(&t->blks, memory_order_relaxed);
    for (b = first; b != NULL; b = b->next)
        total += (size_t) (b->used - (const char *) (b + 1));
    np = jobs < AGG_OCOLL_PARTS ? jobs : AGG_OCOLL_PARTS;
    if (np < 1 || total < AGG_OCOLL_PAR_MIN)
        np = 1;
    /* runs of blocks of about total / np bytes each, the last one
     * taking what is left; each part's room the keys its blocks made
     * (dead ones too: at most a few), so that the parts lie one after
     * the other as the keys will */
    memset(c, 0, sizeof(c));
    b = first;
    room = 0;
    for (k = 0; k < np; k++) {
        c[k].b = b;
        for (sum = keys = 0; b != NULL && (k + 1 == np
                                           || sum < total / (size_t) np);
             b = b->next) {
            sum += (size_t) (b->used - (const char *) (b + 1));
            keys += b->nkeys;
        }
        c[k].stop = b;
        c[k].cap = keys;
        room += keys;
    }
    ord = xmalloc((room ? room : 1) * sizeof(*ord));
    for (k = 0, room = 0; k < np; k++) {
        c[k].out = ord + room;
        room += c[k].cap;
        if (v != NULL) {
            memset(&hv[k], 0, sizeof(hv[k]));
            c[k].hv = k == 0 ? v : &hv[k];
            c[k].seen = htab_create(16, NULL);
        }
    }
    par_run(agg_ocoll_run, c, sizeof(c[0]), np);
    /* the parts one after the other; each part's differences from its
     * own first key, and that key's from the very first, tell which
     * digits vary; the pairs of a later part not noted before, after */
    n = c[0].n;
    o->bytes = c[0].bytes;
    d0 = c[0].d0;
    d1 = c[0].d1;
    for (k = 1; k < np; k++) {
        if (c[k].n > 0) {
            if (n > 0) {
                d0 |= c[k].d0 | (c[k].out[0].k0 ^ ord[0].k0);
                d1 |= c[k].d1 | (c[k].out[0].k1 ^ ord[0].k1);
            } else {
                d0 = c[k].d0;
                d1 = c[k].d1;
            }
            if (c[k].out != ord + n)    /* dead keys before */
                memmove(ord + n, c[k].out, c[k].n * sizeof(*ord));
        }
        n += c[k].n;
        o->bytes += c[k].bytes;
        if (v == NULL)
            continue;
        for (i = 0; i < hv[k].nhosts; i++) {
            h = &hv[k].hosts[i];
            agg_view_host_merge(v, c[0].seen, h);
        }
        free(hv[k].hosts);
        htab_free(c[k].seen);
    }
    if (v != NULL)
        htab_free(c[0].seen);
    if (n > cap)
        msg_panic("agg_ord_collect: more keys than claims");
    o->a = ord;
    o->n = n;
    for (o->vary = 0, k = 0; k < 8; k++)
        o->vary |= (unsigned) ((d0 >> (56 - 8 * k) & 0xff) != 0) << k
            | (unsigned) ((d1 >> (56 - 8 * k) & 0xff) != 0) << (k + 8);
}

/* Past this many keys, and with more than one thread allowed, the
 * numbers are cut into one run per thread and each thread sorts its
 * run, whole: nothing of the sort is left to one thread. The runs are
 * merged as the rows are made (agg_ord_emit). Before, the first
 * partition of the whole array was made on the calling thread, then
 * its buckets sorted on several (domains.log of `make bench`, a
 * million keys: that partition was some 8 ms of one thread while the
 * others waited). */
#define AGG_ORD_PAR_MIN 65536

/* one run of numbers sorted by one thread */
struct agg_ord_run {
    struct agg_ord *a;
    size_t  n;
    unsigned vary;
};

/* agg_ord_run_sort - thread: sort one run (agg_ord_run) */
static void *
agg_ord_run_sort(void *arg)
{
    struct agg_ord_run *r = arg;

    agg_ord_sort(r->a, r->n, 0, r->vary);
    return NULL;
}

/* agg_ord_list - every stored key's numbers in o, in o->nrun runs each
 * sorted; with v, the (day, log host) pairs noted in v; up to jobs
 * threads sort (one run when jobs is 1). The order of keys with equal
 * numbers is left as the sort leaves them, and agg_ord_emit orders
 * them anyway. */
static void
agg_ord_list(const struct agg_tab *t, struct agg_ords *o,
             struct agg_view *v, int jobs)
{
    struct agg_ord_run r[AGG_ORD_RUNS_MAX];
    int     nr;
    int     k;

    agg_ord_collect(t, o, v, jobs);
    nr = jobs < AGG_ORD_RUNS_MAX ? jobs : AGG_ORD_RUNS_MAX;
    if (nr < 1 || o->n < AGG_ORD_PAR_MIN)
        nr = 1;
    o->nrun = nr;
    for (k = 0; k < nr; k++) {
        o->run[k] = o->n / (size_t) nr * (size_t) k;
        o->run[k + 1] = k + 1 == nr ? o->n : o->n / (size_t) nr
            * (size_t) (k + 1);
        r[k].a = o->a + o->run[k];
        r[k].n = o->run[k + 1] - o->run[k];
        r[k].vary = o->vary;
    }
    par_run(agg_ord_run_sort, r, sizeof(r[0]), nr);
}

/* agg_ord_less - 1 when a's numbers are below b's */
static inline int
agg_ord_less(const struct agg_ord *a, const struct agg_ord *b)
{
    return a->k0 < b->k0 || (a->k0 == b->k0 && a->k1 < b->k1);
}

/* agg_ord_lower - the first of a[n] (sorted) whose numbers are not
 * below x's; cost O(log n) */
static const struct agg_ord *
agg_ord_lower(const struct agg_ord *a, size_t n, const struct agg_ord *x)
{
    size_t  lo = 0;
    size_t  hi = n;
    size_t  mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (agg_ord_less(&a[mid], x))
            lo = mid + 1;
        else
            hi = mid;
    }
    return a + lo;
}

/* agg_num_cmp - three-way compare of two integers */
#define agg_num_cmp(a, b) ((a) < (b) ? -1 : (a) > (b))

/* agg_item_cmp - order by day, domain, policy, kind, result, flags, mx,
 * ip, helo, loghost, reason; 0 only for identical keys */
static int
agg_item_cmp(const void *va, const void *vb)
{
    const struct agg_item *a = va;
    const struct agg_item *b = vb;
    int     c;

    if ((c = agg_num_cmp(a->day, b->day)) != 0
        || (c = strcmp(a->domain, b->domain)) != 0
        || (c = agg_num_cmp(a->policy, b->policy)) != 0
        || (c = agg_num_cmp(a->kind, b->kind)) != 0
        || (c = agg_num_cmp(a->result, b->result)) != 0
        || (c = agg_num_cmp(a->flags, b->flags)) != 0
        || (c = agg_num_cmp(a->cert, b->cert)) != 0
        || (c = agg_num_cmp(a->cert_problem, b->cert_problem)) != 0
        || (c = strcmp(a->mx, b->mx)) != 0
        || (c = strcmp(a->ip, b->ip)) != 0
        || (c = strcmp(a->helo, b->helo)) != 0
        || (c = strcmp(a->loghost, b->loghost)) != 0)
        return c;
    return strcmp(a->reason, b->reason);
}

/* agg_items_merge - sort and merge equal items by summing; returns the
 * new count; cost O(n log n) */
static size_t
agg_items_merge(struct agg_item *items, size_t n)
{
    size_t  i;
    size_t  o = 0;

    qsort(items, n, sizeof(*items), agg_item_cmp);
    for (i = 0; i < n; i++) {
        if (o > 0 && agg_item_cmp(&items[o - 1], &items[i]) == 0)
            items[o - 1].count += items[i].count;
        else
            items[o++] = items[i];
    }
    return o;
}

/* agg_tab_sessions_st - number of sessions added; cost O(slots) */
uint64_t
agg_tab_sessions_st(const struct agg_tab *t)
{
    struct agg_kpos pos;
    const struct agg_key *k;
    uint64_t sum = 0;

    agg_kpos_init(t, &pos);
    while ((k = agg_kpos_next(&pos)) != NULL)
        sum += atomic_load_explicit(&k->count, memory_order_relaxed);
    return sum;
}

/* agg_item_classify - turn a decoded key into a view row for mode */
static void
agg_item_classify(const struct agg_tab *t, enum agg_plain mode,
                  struct agg_item *it)
{
    int     counted;

    if (it->flags & SESS_F_PLAINTEXT) {
        switch (mode) {
        case AGG_PLAIN_ALWAYS:
            counted = 1;
            break;
        case AGG_PLAIN_NEVER:
            counted = 0;
            break;
        case AGG_PLAIN_AUTO:
            counted = agg_tab_host_logs_tls_st(t, it->loghost);
            break;
        default:
            msg_panic("agg_view_create_st: bad plaintext mode %d",
                      (int) mode);
        }
        if (counted) {
            it->kind = AGG_K_DETAIL;
            it->result = SESS_STARTTLS_NOT_SUPPORTED;
        } else {
            it->kind = AGG_K_IGNORED;
            it->mx = it->helo = it->ip = it->loghost = it->reason = "";
        }
    } else {
        it->kind = it->result == SESS_SUCCESS ? AGG_K_SUCCESS : AGG_K_DETAIL;
    }
    /* the certificate evidence and the MX of successes are for judging
     * sessions again under a resolved policy, not report fields */
    if (it->kind == AGG_K_SUCCESS)
        it->mx = "";
    it->cert = it->cert_problem = 0;
    it->flags = 0;
}

/* agg_ord_emit - the keys of the spans sp[ns] (each sorted by
 * agg_ord_sort; they are merged), in agg_item_cmp order with equal ones
 * merged: each decoded (classified for mode when view), to fn; returns
 * how many. Cost O(n ns) plus O(m log m) for each run of m keys with
 * equal numbers. */
static size_t
agg_ord_emit(const struct agg_tab *t, const struct agg_span *spans, int ns,
             int view, enum agg_plain mode,
             void (*fn)(const struct agg_item *it, void *ctx), void *ctx)
{
    struct agg_span sp[AGG_ORD_RUNS_MAX];
    struct agg_item *items = NULL;
    const struct agg_ord *min;
    size_t  cap = 0;
    size_t  out = 0;
    size_t  k;
    size_t  m;
    uint64_t k0;
    uint64_t k1;
    int     r;

    if (ns > AGG_ORD_RUNS_MAX)
        msg_panic("agg_ord_emit: %d spans", ns);
    memcpy(sp, spans, (size_t) ns * sizeof(*sp));
    for (;;) {
        for (min = NULL, r = 0; r < ns; r++)
            if (sp[r].at < sp[r].end
                && (min == NULL || agg_ord_less(sp[r].at, min)))
                min = sp[r].at;
        if (min == NULL)
            break;
        k0 = min->k0;
        k1 = min->k1;
        for (m = 0, r = 0; r < ns; r++) {
            /* sorted order is not memory order: ask for keys ahead */
            if (sp[r].end - sp[r].at > AGG_AHEAD)
                __builtin_prefetch(sp[r].at[AGG_AHEAD].key);
            for (; sp[r].at < sp[r].end && sp[r].at->k0 == k0
                 && sp[r].at->k1 == k1; sp[r].at++) {
                if (m == cap) {
                    cap = cap ? 2 * cap : 16;
                    items = xrealloc(items, cap * sizeof(*items));
                }
                agg_key_decode(sp[r].at->key,
                               atomic_load_explicit(&sp[r].at->key->count,
                                                    memory_order_relaxed),
                               &items[m]);
                if (view)
                    agg_item_classify(t, mode, &items[m]);
                m++;
            }
        }
        if (m > 1)
            m = agg_items_merge(items, m);
        for (k = 0; k < m; k++)
            fn(&items[k], ctx);
        out += m;
    }
    free(items);
    return out;
}

/* agg_view_str - copy s to *pp, advance; returns the copy */
static const char *
agg_view_str(char **pp, const char *s)
{
    const char *copy = *pp;

    *pp = agg_put(*pp, s);
    return copy;
}

/* agg_ord_count - agg_ord_emit callback: count */
static void
agg_ord_count(const struct agg_item *it, void *ctx)
{
    (void) it;
    (void) ctx;
}

/* agg_tab_keys_st - number of distinct keys (copies in two segments
 * count once); cost O(K), O(m log m) per run (see agg_ord_emit) */
size_t
agg_tab_keys_st(const struct agg_tab *t)
{
    struct agg_ords o;
    struct agg_span sp;
    size_t  n;

    agg_ord_list(t, &o, NULL, 1);
    sp.at = o.a;
    sp.end = o.a + o.n;
    n = agg_ord_emit(t, &sp, 1, 0, AGG_PLAIN_AUTO, agg_ord_count, NULL);
    free(o.a);
    return n;
}

struct agg_walk {
    void    (*fn) (const struct sess_rec *r, uint64_t n, void *ctx);
    void   *ctx;
    struct sess_rec *r;
};

/* agg_walk_one - agg_ord_emit callback: one key as a record */
static void
agg_walk_one(const struct agg_item *it, void *ctx)
{
    struct agg_walk *w = ctx;
    struct sess_rec *r = w->r;

    memset(r, 0, sizeof(*r));
    r->time = (int64_t) it->day * 86400;
    r->day = it->day;
    r->result = it->result;
    r->policy = it->policy;
    r->flags = it->flags;
    r->cert = it->cert;
    r->cert_problem = it->cert_problem;
    /* lengths were checked against these fields on insert */
    strcpy(r->domain, it->domain);
    strcpy(r->mx, it->mx);
    strcpy(r->helo, it->helo);
    strcpy(r->ip, it->ip);
    strcpy(r->loghost, it->loghost);
    strcpy(r->reason, it->reason);
    w->fn(r, it->count, w->ctx);
}

/* agg_tab_walk_st - call fn once per distinct key, in key order, with
 * the merged count; r->time is the start of r->day. Cost O(K), O(m log
 * m) per run (see agg_ord_emit). */
void
agg_tab_walk_st(const struct agg_tab *t,
                void (*fn)(const struct sess_rec *r, uint64_t n, void *ctx),
                void *ctx)
{
    struct agg_walk w;
    struct agg_ords o;
    struct agg_span sp;

    w.fn = fn;
    w.ctx = ctx;
    w.r = xmalloc(sizeof(*w.r));
    agg_ord_list(t, &o, NULL, 1);
    sp.at = o.a;
    sp.end = o.a + o.n;
    agg_ord_emit(t, &sp, 1, 0, AGG_PLAIN_AUTO, agg_walk_one, &w);
    free(o.a);
    free(w.r);
}

/* a part of a view being built: rows of the keys of the spans sp[ns]
 * (one of each sorted run), lo of them in the parts before */
struct agg_build {
    const struct agg_tab *t;
    enum agg_plain mode;
    struct agg_span sp[AGG_ORD_RUNS_MAX];
    int     ns;
    int     drop;                       /* give the spans' pages back */
    size_t  lo;
    struct agg_group *groups;           /* room for hi - lo */
    size_t  ngroups;
    struct agg_group *g;                /* the group being filled */
    size_t  dlen;                       /* strlen(g->domain) */
    struct agg_detail *d;               /* the next detail */
    char   *p;                          /* the next string byte */
    char   *end;                        /* of the string block */
    size_t  sblk;                       /* size of the next block */
    struct agg_sblk *sblks;             /* the blocks, last first */
};

/* agg_build_room - make sure b has room for the strings of one row */
static void
agg_build_room(struct agg_build *b)
{
    struct agg_sblk *blk;

    if (b->p != NULL && (size_t) (b->end - b->p) >= AGG_KEY_MAX)
        return;
    blk = xmalloc(b->sblk);
    blk->next = b->sblks;
    b->sblks = blk;
    b->p = blk->bytes;
    b->end = (char *) blk + b->sblk;
    if (b->sblk < AGG_SBLK_MAX)
        b->sblk *= 2;
}

/* agg_view_add - agg_ord_emit callback: one row into the view being
 * built. Rows of a group come one after another, groups of one day and
 * domain too: a group's domain is that of the group before when they
 * share day and name (one copy of the string), and its `dom` counts the
 * (day, domain) pairs so far (agg_view_dom makes it the domain's place
 * when the view holds more than one day). */
static void
agg_view_add(const struct agg_item *it, void *ctx)
{
    struct agg_build *b = ctx;
    struct agg_group *g = b->g;
    struct agg_detail *d;
    int     same;

    agg_build_room(b);
    same = g != NULL && it->day == g->day && it->dlen == b->dlen
        && memcmp(it->domain, g->domain, it->dlen) == 0;
    if (!same || it->policy != g->policy) {
        b->g = g == NULL ? b->groups : g + 1;
        b->ngroups++;
        b->g->day = it->day;
        b->g->policy = it->policy;
        if (same) {
            b->g->domain = g->domain;
            b->g->dom = g->dom;
        } else {
            b->g->domain = b->p;
            memcpy(b->p, it->domain, it->dlen + 1);
            b->p += it->dlen + 1;
            b->g->dom = g == NULL ? 0 : g->dom + 1;
            b->dlen = it->dlen;
        }
        g = b->g;
        g->success = g->failure = g->plain_ignored = 0;
        g->ndetails = 0;
        g->details = b->d;              /* a group's details are next */
    }
    switch (it->kind) {
    case AGG_K_SUCCESS:
        g->success += it->count;
        break;
    case AGG_K_IGNORED:
        g->plain_ignored += it->count;
        break;
    default:
        d = b->d++;
        d->result = it->result;
        d->mx = agg_view_str(&b->p, it->mx);
        d->helo = agg_view_str(&b->p, it->helo);
        d->ip = agg_view_str(&b->p, it->ip);
        d->loghost = agg_view_str(&b->p, it->loghost);
        d->reason = agg_view_str(&b->p, it->reason);
        d->count = it->count;
        g->failure += it->count;
        g->ndetails++;
        break;
    }
}

/* a day's groups while agg_view_dom merges the days */
struct agg_vday {
    size_t  at;                         /* the next group */
    size_t  end;                        /* past the day's last */
};

/* agg_vday_before - 1 when a's next domain sorts before b's */
static inline int
agg_vday_before(const struct agg_group *gs, const struct agg_vday *a,
                const struct agg_vday *b)
{
    return strcmp(gs[a->at].domain, gs[b->at].domain) < 0;
}

/* agg_vday_down - restore the heap h[n] below place i */
static void
agg_vday_down(const struct agg_group *gs, struct agg_vday *h, size_t n,
              size_t i)
{
    struct agg_vday x = h[i];
    size_t  c;

    while ((c = 2 * i + 1) < n) {
        if (c + 1 < n && agg_vday_before(gs, &h[c + 1], &h[c]))
            c++;
        if (!agg_vday_before(gs, &h[c], &x))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

/* agg_view_dom - each group's `dom`, its domain's place among the
 * distinct domains of all days, when the view holds ndays > 1 days:
 * each day's groups are in domain order already, so the days are
 * merged (a heap of days by their next domain), not sorted. Cost
 * O(groups log days) compares of names. */
static void
agg_view_dom(struct agg_view *v)
{
    struct agg_group *gs = v->groups;
    struct agg_vday *h;
    const char *last = NULL;
    size_t  ndays = 1;
    size_t  dom = 0;
    size_t  n = 0;
    size_t  i;
    size_t  j;

    for (i = 1; i < v->ngroups; i++)
        ndays += gs[i].day != gs[i - 1].day;
    h = xmalloc(ndays * sizeof(*h));

    for (i = 0; i < v->ngroups; i = j) {
        for (j = i + 1; j < v->ngroups && gs[j].day == gs[i].day; j++)
             /* void */ ;
        h[n].at = i;
        h[n++].end = j;
    }
    for (i = n / 2; i-- > 0;)
        agg_vday_down(gs, h, n, i);
    while (n > 0) {
        /* the smallest next domain: the groups of its day that share
         * it (its policies) take the same place */
        i = h[0].at;
        if (last != NULL && strcmp(last, gs[i].domain) != 0)
            dom++;
        last = gs[i].domain;
        for (j = i; j < h[0].end && gs[j].domain == gs[i].domain; j++)
            gs[j].dom = dom;
        if ((h[0].at = j) == h[0].end)
            h[0] = h[--n];
        if (n > 0)
            agg_vday_down(gs, h, n, 0);
    }
    v->ndoms = last != NULL ? dom + 1 : 0;
    free(h);
}

/* agg_build_run - thread: build one part of a view; with b->drop, the
 * whole pages of its spans are given back as soon as they are read
 * (each thread its own: unmapping a million keys' numbers at once took
 * the calling thread 4 ms, `perf record`, domains.log of `make bench`) */
static void *
agg_build_run(void *arg)
{
    struct agg_build *b = arg;
    uintptr_t pg = AGG_PAGE;
    uintptr_t lo;
    uintptr_t hi;
    int     r;

    agg_ord_emit(b->t, b->sp, b->ns, 1, b->mode, agg_view_add, b);
    for (r = 0; b->drop && r < b->ns; r++) {
        lo = ((uintptr_t) b->sp[r].at + pg - 1) & ~(pg - 1);
        hi = (uintptr_t) b->sp[r].end & ~(pg - 1);
        if (hi > lo)
            (void) madvise((void *) lo, hi - lo, MADV_DONTNEED);
    }
    return NULL;
}

/* the keys sampled from each run to place the bounds of a view's parts:
 * the parts' keys are within about 1/AGG_ORD_SAMPLES of a run of their
 * share (the runs are cuts of the keys in the order they were made, and
 * a log may bring its domains in order: bounds taken from one run alone
 * gave one part three quarters of the keys) */
#define AGG_ORD_SAMPLES 64

/* agg_ord_cmp - qsort comparator of numbers */
static int
agg_ord_cmp(const void *a, const void *b)
{
    return agg_ord_less(a, b) ? -1 : agg_ord_less(b, a);
}

/* agg_view_create_par_st - sorted, grouped snapshot (see agg_tab.h);
 * never NULL. The keys' numbers come in sorted runs (agg_ord_list);
 * the view is cut into one part per thread by numbers: part k takes,
 * of every run, the keys from the first whose numbers are not below
 * its bound (the numbers a k-th of the way along a sample of every
 * run) to the next part's bound, so that the keys of equal numbers (every group, and
 * every run that agg_ord_emit orders) are in one part. Each part's rows
 * are made by a pass over its keys in order, the runs merged: the
 * groups and details of a part that has lo keys in the parts before go
 * to [lo, lo + its keys) of arrays as long as the keys (pages never
 * written are never touched), the groups of the later parts are then
 * moved down behind those of the first. With one part, what one thread
 * did before. Cost O(K) time (see agg_ord_emit), about 24 + 64 bytes a
 * key of memory besides the strings. */
struct agg_view *
agg_view_create_par_st(const struct agg_tab *t, enum agg_plain mode,
                       int jobs)
{
    struct agg_view *v = xcalloc(1, sizeof(*v));
    struct agg_build b[AGG_ORD_RUNS_MAX];
    const struct agg_ord *bound[AGG_ORD_RUNS_MAX + 1];
    struct agg_ord *smp = NULL;
    size_t  nsmp = 0;
    const struct agg_ord *run;
    struct agg_sblk *sb;
    struct agg_ords o;
    size_t  len;
    size_t  n;
    size_t  at;
    size_t  dom;
    size_t  i;
    int     nb;
    int     k;
    int     r;

    agg_ord_list(t, &o, v, jobs);
    n = o.n;
    v->groups = xmalloc((n ? n : 1) * sizeof(*v->groups));
    v->details = xmalloc((n ? n : 1) * sizeof(*v->details));
    nb = jobs > 1 && n >= AGG_ORD_PAR_MIN ? jobs : 1;
    if (nb > AGG_ORD_RUNS_MAX)
        nb = AGG_ORD_RUNS_MAX;
    /* the parts' bounds: a sample of every run, sorted, cut evenly */
    if (nb > 1) {
        smp = xmalloc((size_t) o.nrun * AGG_ORD_SAMPLES * sizeof(*smp));
        for (r = 0; r < o.nrun; r++) {
            len = o.run[r + 1] - o.run[r];
            for (i = 0; len > 0 && i < AGG_ORD_SAMPLES; i++)
                smp[nsmp++] = o.a[o.run[r] + (2 * i + 1) * len
                                  / (2 * AGG_ORD_SAMPLES)];
        }
        qsort(smp, nsmp, sizeof(*smp), agg_ord_cmp);
        for (k = 1; k < nb; k++)
            bound[k] = &smp[nsmp * (size_t) k / (size_t) nb];
    }
    for (k = 0, at = 0; k < nb; k++) {
        memset(&b[k], 0, sizeof(b[k]));
        b[k].t = t;
        b[k].mode = mode;
        b[k].ns = o.nrun;
        b[k].drop = nb > 1;
        b[k].lo = at;
        for (r = 0; r < o.nrun; r++) {
            run = o.a + o.run[r];
            len = o.run[r + 1] - o.run[r];
            b[k].sp[r].at = k == 0 ? run : agg_ord_lower(run, len, bound[k]);
            b[k].sp[r].end = k + 1 == nb ? run + len
                : agg_ord_lower(run, len, bound[k + 1]);
            at += (size_t) (b[k].sp[r].end - b[k].sp[r].at);
        }
        b[k].groups = v->groups + b[k].lo;
        b[k].d = v->details + b[k].lo;
        b[k].sblk = AGG_SBLK_MIN;
    }
    par_run(agg_build_run, b, sizeof(b[0]), nb);
    free(smp);
    free(o.a);
    /* the groups one after the other, each part's domain places after
     * those of the parts before; the details stay where they are (the
     * groups point into them) */
    v->ngroups = b[0].ngroups;
    for (k = 1; k < nb; k++) {
        dom = v->ngroups > 0 ? v->groups[v->ngroups - 1].dom + 1 : 0;
        for (i = 0; i < b[k].ngroups; i++) {
            v->groups[v->ngroups] = b[k].groups[i];
            v->groups[v->ngroups++].dom += dom;
        }
    }
    for (k = 0; k < nb; k++)
        while ((sb = b[k].sblks) != NULL) {
            b[k].sblks = sb->next;
            sb->next = v->strings;
            v->strings = sb;
        }
    v->groups = xrealloc(v->groups, (v->ngroups ? v->ngroups : 1)
                         * sizeof(*v->groups));
    if (v->ngroups > 0 && v->groups[0].day != v->groups[v->ngroups - 1].day)
        agg_view_dom(v);
    else
        v->ndoms = v->ngroups > 0 ? v->groups[v->ngroups - 1].dom + 1 : 0;
    return v;
}

/* agg_view_create_st - the same on this thread alone */
struct agg_view *
agg_view_create_st(const struct agg_tab *t, enum agg_plain mode)
{
    return agg_view_create_par_st(t, mode, 1);
}

/* agg_view_count - number of groups; O(1) */
size_t
agg_view_count(const struct agg_view *v)
{
    return v != NULL ? v->ngroups : 0;
}

/* agg_view_domains - number of distinct domains; O(1) */
size_t
agg_view_domains(const struct agg_view *v)
{
    return v != NULL ? v->ndoms : 0;
}

/* agg_view_get - group i, or NULL when i is out of range; O(1) */
const struct agg_group *
agg_view_get(const struct agg_view *v, size_t i)
{
    return v != NULL && i < v->ngroups ? &v->groups[i] : NULL;
}

/* agg_view_loghosts - see agg_tab.h; cost O(pairs) */
size_t
agg_view_loghosts(const struct agg_view *v, const int32_t *day)
{
    struct htab *names;
    size_t  n = 0;
    size_t  i;
    size_t  len;

    if (v == NULL)
        return 0;
    if (day != NULL) {                  /* the pairs are distinct */
        for (i = 0; i < v->nhosts; i++)
            n += v->hosts[i].day == *day;
        return n;
    }
    names = htab_create(16, NULL);
    for (i = 0; i < v->nhosts; i++) {
        len = strlen(v->hosts[i].name);
        if (htab_find(names, v->hosts[i].name, len) == NULL) {
            htab_enter(names, v->hosts[i].name, len, names);
            n++;
        }
    }
    htab_free(names);
    return n;
}

/* agg_view_free - release a view; returns NULL */
struct agg_view *
agg_view_free(struct agg_view *v)
{
    struct agg_sblk *sb;
    size_t  i;

    if (v != NULL) {
        free(v->groups);
        free(v->details);
        while ((sb = v->strings) != NULL) {
            v->strings = sb->next;
            free(sb);
        }
        for (i = 0; i < v->nhosts; i++)
            free(v->hosts[i].name);
        free(v->hosts);
        free(v);
    }
    return NULL;
}
