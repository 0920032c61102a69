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
 *	allocates a segment twice as large and links it with a CAS on
 *	`next` (a loser frees its own). Two writers that race across a
 *	growth may store the same key in two segments; each add still lands
 *	in exactly one slot, and every _st reader merges equal keys by
 *	summing, so counts stay exact. See docs/internals/agg_tab.md.
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
 *	2 to 4 slots (24 bytes each) plus one key copy per distinct key.
 *	View, walk and key count: O(K log K) for K stored keys.
 */
#include "agg_tab.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../util/dname.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

/* Slots in segment 0 (a power of 2) and the growth factor. An add
 * probes every older segment before the one holding its key, each probe
 * a likely cache miss: few, large segments keep that short. 16384 slots
 * are 384 KiB; four times the size per step makes a table of 40,000
 * keys two segments (with 1024 and doubling it was seven). */
#define AGG_SEG_FIRST 16384
#define AGG_SEG_GROW 4

/* bytes of the canonical key: day, policy, result, flags, 6 strings */
#define AGG_KEY_MAX AGG_TAB_KEY_MAX

/* one stored key: the canonical serialisation that was hashed */
struct agg_key {
    size_t  len;
    char    blob[];                     /* day policy result flags cert
                                         * cert_problem domain\0
                                         * mx\0 helo\0 ip\0 loghost\0
                                         * reason\0 */
};

struct agg_slot {
    _Atomic uint64_t hash;              /* 0: free; set once, by CAS */
    _Atomic uint64_t count;             /* sessions; relaxed adds */
    _Atomic(struct agg_key *) key;      /* NULL until published */
};

struct agg_seg {
    size_t  mask;                       /* slots - 1 */
    size_t  limit;                      /* claims allowed: slots / 2 */
    atomic_size_t used;                 /* claims made or in flight */
    _Atomic(struct agg_seg *) next;     /* the next, larger segment */
    struct agg_slot slots[];
};

struct agg_host {
    struct agg_host *next;              /* fixed before publication */
    char    name[];
};

struct agg_tab {
    struct agg_seg *first;              /* fixed after create */
    _Atomic(struct agg_host *) hosts;   /* push-only list head */
};

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
    uint64_t count;
};

#define AGG_K_SUCCESS 0
#define AGG_K_IGNORED 1
#define AGG_K_DETAIL 2

struct agg_view {
    size_t  ngroups;
    struct agg_group *groups;
    struct agg_detail *details;
    char   *strings;                    /* every string of the view */
};

/* agg_seg_new - zeroed segment of nslots (a power of 2); never NULL */
static struct agg_seg *
agg_seg_new(size_t nslots)
{
    struct agg_seg *s;

    /* All-zero bytes are free slots: hash 0, count 0, key NULL. */
    s = xcalloc(1, sizeof(*s) + nslots * sizeof(s->slots[0]));
    s->mask = nslots - 1;
    s->limit = nslots / 2;
    atomic_init(&s->used, 0);
    atomic_init(&s->next, NULL);
    return s;
}

/* agg_tab_create - empty table with one small segment; never NULL */
struct agg_tab *
agg_tab_create(void)
{
    struct agg_tab *t = xmalloc(sizeof(*t));

    t->first = agg_seg_new(AGG_SEG_FIRST);
    atomic_init(&t->hosts, NULL);
    return t;
}

/* agg_tab_free - release everything; returns NULL; cost O(slots) */
struct agg_tab *
agg_tab_free(struct agg_tab *t)
{
    struct agg_seg *s;
    struct agg_seg *sn;
    struct agg_host *h;
    struct agg_host *hn;
    size_t  i;

    if (t == NULL)
        return NULL;
    /* _st: after the join, relaxed loads see every published pointer */
    for (s = t->first; s != NULL; s = sn) {
        sn = atomic_load_explicit(&s->next, memory_order_relaxed);
        for (i = 0; i <= s->mask; i++) {
            struct agg_key *k;

            k = atomic_load_explicit(&s->slots[i].key, memory_order_relaxed);

            if (k != NULL)      /* most slots are empty: no call */
                free(k);
        }
        free(s);
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

/* agg_key_new - heap copy of len key bytes; never NULL */
static struct agg_key *
agg_key_new(const char *buf, size_t len)
{
    struct agg_key *k = xmalloc(sizeof(*k) + len);

    k->len = len;
    memcpy(k->blob, buf, len);
    return k;
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

/* agg_seg_claim - find the key in seg or claim a slot for it; NULL when
 * seg is at its claim limit. *kp is the prepared key copy (made here on
 * first need); it is consumed (set to NULL) when this writer claims. */
static struct agg_slot *
agg_seg_claim(struct agg_seg *seg, uint64_t h, const char *buf, size_t len,
              struct agg_key **kp)
{
    size_t  i = (size_t) h & seg->mask;
    int     reserved = 0;
    uint64_t sh;

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
                *kp = agg_key_new(buf, len);
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

/* agg_tab_add_key - add n sessions of the key buf[len]. No lock;
 * allocates only for a key new to the table (and a segment when
 * growing). Cost O(segments) expected probes. */
static void
agg_tab_add_key(struct agg_tab *t, const char *buf, size_t len, uint64_t n)
{
    struct agg_key *mine = NULL;
    struct agg_seg *seg;
    struct agg_seg *next;
    struct agg_slot *s;
    uint64_t h;

    if (n == 0)
        return;
    h = agg_key_hash(buf, len);
    for (seg = t->first;;) {
        /* acquire: see agg_seg_grow() */
        next = atomic_load_explicit(&seg->next, memory_order_acquire);
        if (next != NULL) {
            if ((s = agg_seg_find(seg, h, buf, len)) != NULL)
                break;
            seg = next;
            continue;
        }
        if ((s = agg_seg_claim(seg, h, buf, len, &mine)) != NULL)
            break;
        seg = agg_seg_grow(seg);
    }
    free(mine);                         /* prepared, but found instead */
    /* relaxed: counters are read only after the adders have joined */
    atomic_fetch_add_explicit(&s->count, n, memory_order_relaxed);
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
        for (h = head; h != seen; h = h->next) {
            if (strcmp(h->name, loghost) == 0) {
                free(mine);
                return;
            }
        }
        seen = head;
        if (mine == NULL) {
            mine = xmalloc(sizeof(*mine) + len + 1);
            memcpy(mine->name, loghost, len + 1);
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
    p += strlen(p) + 1;
    it->mx = p;
    p += strlen(p) + 1;
    it->helo = p;
    p += strlen(p) + 1;
    it->ip = p;
    p += strlen(p) + 1;
    it->loghost = p;
    p += strlen(p) + 1;
    it->reason = p;
    it->count = count;
}

/* agg_tab_items - every stored key decoded, unmerged, in *np; the
 * array is malloc'd (strings point into the table); cost O(slots) */
static struct agg_item *
agg_tab_items(const struct agg_tab *t, size_t *np)
{
    const struct agg_seg *s;
    struct agg_item *items;
    const struct agg_key *k;
    size_t  n = 0;
    size_t  cap = 0;
    size_t  i;

    /* _st: relaxed loads; the join ordered all stores before them */
    for (s = t->first; s != NULL;
         s = atomic_load_explicit(&s->next, memory_order_relaxed))
        for (i = 0; i <= s->mask; i++)
            cap += atomic_load_explicit(&s->slots[i].key,
                                        memory_order_relaxed) != NULL;
    items = xcalloc(cap, sizeof(*items));
    for (s = t->first; s != NULL;
         s = atomic_load_explicit(&s->next, memory_order_relaxed)) {
        for (i = 0; i <= s->mask; i++) {
            k = atomic_load_explicit(&s->slots[i].key, memory_order_relaxed);
            if (k != NULL)
                agg_key_decode(k, atomic_load_explicit(&s->slots[i].count,
                                                       memory_order_relaxed),
                               &items[n++]);
        }
    }
    *np = n;
    return items;
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

/* agg_tab_keys_st - number of distinct keys (copies in two segments
 * count once); cost O(K log K) */
size_t
agg_tab_keys_st(const struct agg_tab *t)
{
    size_t  n;
    struct agg_item *items = agg_tab_items(t, &n);

    n = agg_items_merge(items, n);
    free(items);
    return n;
}

/* agg_tab_sessions_st - number of sessions added; cost O(slots) */
uint64_t
agg_tab_sessions_st(const struct agg_tab *t)
{
    const struct agg_seg *s;
    uint64_t sum = 0;
    size_t  i;

    for (s = t->first; s != NULL;
         s = atomic_load_explicit(&s->next, memory_order_relaxed))
        for (i = 0; i <= s->mask; i++)
            sum += atomic_load_explicit(&s->slots[i].count,
                                        memory_order_relaxed);
    return sum;
}

/* agg_tab_walk_st - call fn once per distinct key, in key order, with
 * the merged count; r->time is the start of r->day. Cost O(K log K). */
void
agg_tab_walk_st(const struct agg_tab *t,
                void (*fn)(const struct sess_rec *r, uint64_t n, void *ctx),
                void *ctx)
{
    struct agg_item *items;
    struct sess_rec *r = xmalloc(sizeof(*r));
    size_t  n;
    size_t  i;

    items = agg_tab_items(t, &n);
    n = agg_items_merge(items, n);
    for (i = 0; i < n; i++) {
        const struct agg_item *it = &items[i];

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
        fn(r, it->count, ctx);
    }
    free(r);
    free(items);
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

/* agg_view_str - copy s to *pp, advance; returns the copy */
static const char *
agg_view_str(char **pp, const char *s)
{
    const char *copy = *pp;

    *pp = agg_put(*pp, s);
    return copy;
}

/* agg_view_create_st - sorted, grouped snapshot (see agg_tab.h); never
 * NULL. Cost O(K log K) time, O(K) memory for K stored keys. */
struct agg_view *
agg_view_create_st(const struct agg_tab *t, enum agg_plain mode)
{
    struct agg_view *v = xcalloc(1, sizeof(*v));
    struct agg_item *items;
    struct agg_group *g = NULL;
    struct agg_detail *d;
    size_t  n;
    size_t  i;
    size_t  ndetails = 0;
    size_t  bytes = 0;
    char   *p;

    items = agg_tab_items(t, &n);
    for (i = 0; i < n; i++)
        agg_item_classify(t, mode, &items[i]);
    n = agg_items_merge(items, n);

    /* Pass 1: sizes. Items of a group are adjacent after the sort. */
    for (i = 0; i < n; i++) {
        const struct agg_item *it = &items[i];

        if (i == 0 || it->day != it[-1].day || it->policy != it[-1].policy
            || strcmp(it->domain, it[-1].domain) != 0) {
            v->ngroups++;
            bytes += strlen(it->domain) + 1;
        }
        if (it->kind == AGG_K_DETAIL) {
            ndetails++;
            bytes += strlen(it->mx) + strlen(it->helo) + strlen(it->ip)
                + strlen(it->loghost) + strlen(it->reason) + 5;
        }
    }
    v->groups = xcalloc(v->ngroups, sizeof(*v->groups));
    v->details = xcalloc(ndetails, sizeof(*v->details));
    v->strings = p = xmalloc(bytes);

    /* Pass 2: fill, copying strings so the view outlives the table. */
    d = v->details;
    for (i = 0; i < n; i++) {
        const struct agg_item *it = &items[i];

        if (g == NULL || it->day != g->day || it->policy != g->policy
            || strcmp(it->domain, g->domain) != 0) {
            g = g == NULL ? v->groups : g + 1;
            g->day = it->day;
            g->policy = it->policy;
            g->domain = agg_view_str(&p, it->domain);
            g->details = d;
        }
        switch (it->kind) {
        case AGG_K_SUCCESS:
            g->success += it->count;
            break;
        case AGG_K_IGNORED:
            g->plain_ignored += it->count;
            break;
        default:
            d->result = it->result;
            d->mx = agg_view_str(&p, it->mx);
            d->helo = agg_view_str(&p, it->helo);
            d->ip = agg_view_str(&p, it->ip);
            d->loghost = agg_view_str(&p, it->loghost);
            d->reason = agg_view_str(&p, it->reason);
            d->count = it->count;
            g->failure += it->count;
            g->ndetails++;
            d++;
            break;
        }
    }
    free(items);
    return v;
}

/* agg_view_count - number of groups; O(1) */
size_t
agg_view_count(const struct agg_view *v)
{
    return v != NULL ? v->ngroups : 0;
}

/* agg_view_get - group i, or NULL when i is out of range; O(1) */
const struct agg_group *
agg_view_get(const struct agg_view *v, size_t i)
{
    return v != NULL && i < v->ngroups ? &v->groups[i] : NULL;
}

/* agg_view_free - release a view; returns NULL */
struct agg_view *
agg_view_free(struct agg_view *v)
{
    if (v != NULL) {
        free(v->groups);
        free(v->details);
        free(v->strings);
        free(v);
    }
    return NULL;
}
