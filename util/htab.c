/* util/htab.c - string-keyed hash table (see htab.h) */
#include "htab.h"
#include "msg.h"
#include "mymalloc.h"
#include "span.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
/* the whole of XXH3 in this file (not libxxhash's): htab_hash() takes
 * its short paths without a call, and its values are XXH3_64bits()'s */
#define XXH_INLINE_ALL
#include <xxhash.h>

struct htab_ent {
    struct htab_ent *next;
    void   *value;              /* the caller's, or the room below */
    size_t  klen;
    unsigned long long hash;
    int64_t stamp;              /* inline: htab_stamp() */
    char    key[];              /* then, in tables of values inline, the
                                 * rest of the key's room, a pointer to
                                 * this entry (htab_stamp) and the
                                 * value's room: what a look-up reads
                                 * first is together */
};

/* Tables of values inline keep their entries in two sizes: keys of up
 * to HTAB_KEY_SMALL bytes (most: "host\0postfix/smtp\0pid" is about 30)
 * and up to kmax, each size with its own spares */
#define HTAB_KEY_SMALL 48

/* Entries of tables of values inline come from slabs, 64-byte aligned
 * (an entry's header and the key's first bytes on one line), the slabs
 * growing from HTAB_SLAB_MIN to HTAB_SLAB_MAX bytes; those of
 * HTAB_SLAB_MAX are offered to the kernel for huge pages. A table of
 * tens of thousands of keys spread over as many 4 KiB pages missed the
 * TLB on most look-ups (and, under a hypervisor, walked two page
 * tables). Slabs are freed with the table only: entries of deleted keys
 * are kept as spares anyway. */
#define HTAB_SLAB_MIN (64 * 1024)
#define HTAB_SLAB_MAX (2 * 1024 * 1024)
#define HTAB_ENT_ALIGN 64

struct htab_slab {
    struct htab_slab *next;
};

/* The next HTAB_AHEAD slabs of HTAB_SLAB_MAX bytes are made before
 * they are needed, and offered here for another thread to fault in
 * (htab_prefault_mt): the first write to each 2 MiB of a table's slabs
 * had the kernel zero a huge page on the owner's thread, up to 12 % of
 * the correlating thread's samples at -j 2 on a log with a new process
 * per delivery (perf record, clear_page_erms under corr_enter_slow; on
 * this shared virtual machine a first touch can take far longer than
 * the zeroing). Two ahead: the one after next is offered, so that the
 * faults have the time it takes to fill a whole slab. One box for all
 * tables: the slabs offered last (0: none) */
#define HTAB_AHEAD 2
static _Atomic uintptr_t htab_ahead_box[HTAB_AHEAD];
static unsigned htab_ahead_seq;         /* the owner's: where to offer */

/* slots to walk whose first entries' first lines a stamped sweep has
 * fetched ahead (and up to a group more: the ring's size, a power of
 * two, holds them), and of those the slots whose entries to drop it
 * has fetched whole */
#define HTAB_SWEEP_AHEAD 32
#define HTAB_SWEEP_NEAR 8
#define HTAB_SWEEP_RING 64

struct htab {
    struct htab_ent **slot;
    size_t  size;               /* power of two */
    size_t  count;
    void    (*free_fn) (void *);
    size_t  vsize;              /* 0: values are the caller's pointers */
    size_t  kmax;               /* inline: longest key */
    size_t  kroom[2];           /* inline: room of a small and of a large
                                 * key, multiples of 16 */
    struct htab_ent *spare[2];  /* inline: entries of deleted keys, by
                                 * size */
    size_t  fetch[2];           /* inline: bytes of a spare fetched
                                 * ahead, by size (htab_fetch_set) */
    struct htab_slab *slabs;    /* inline: where entries come from */
    char   *slab_at;            /* the next entry's room in slabs */
    size_t  slab_left;          /* bytes left there */
    size_t  slab_next;          /* size of the next slab */
    void   *ahead[HTAB_AHEAD];  /* the next slabs of HTAB_SLAB_MAX
                                 * bytes, made before they are needed,
                                 * or NULL */
    int64_t *smin;              /* inline: per group of HTAB_SMIN_SLOTS
                                 * slots, at most the least stamp of
                                 * their entries (INT64_MAX: none) */
};

/* The stamp bounds are kept per group of HTAB_SMIN_SLOTS slots (slot i
 * in group i >> HTAB_SMIN_SHIFT), not per slot: a table that grows
 * writes its bounds anew on memory not in the cache, 8 bytes a slot
 * when each had one (a log with a new process per delivery: one per
 * four slots saved 6,300 of its 206,000 first writes per 20 MB, by
 * valgrind --tool=cachegrind). A sweep walks every slot of a
 * group whose bound is below its time, and asks only about the entries
 * stamped below it, in slot order: the same entries asked, in the same
 * order, as with a bound per slot; the others cost a read of their
 * stamp */
#define HTAB_SMIN_SHIFT 2
#define HTAB_SMIN_SLOTS (1u << HTAB_SMIN_SHIFT)

/* htab_smin_clear - no stamp in any slot of a table of n slots (a
 * power of two of at least HTAB_SMIN_SLOTS) */
static void
htab_smin_clear(int64_t *smin, size_t n)
{
    size_t  i;

    for (i = 0; i < n >> HTAB_SMIN_SHIFT; i++)
        smin[i] = INT64_MAX;
}

/* htab_create - empty table sized for about hint entries */
struct htab *
htab_create(size_t hint, void (*free_fn)(void *value))
{
    struct htab *t = xcalloc(1, sizeof(*t));

    t->size = 16;
    while (t->size < hint)
        t->size <<= 1;
    t->slot = xcalloc(t->size, sizeof(*t->slot));
    t->free_fn = free_fn;
    return t;
}

/* htab_create_inline - values of vsize bytes in the entries (htab.h) */
struct htab *
htab_create_inline(size_t hint, size_t vsize, size_t kmax,
                   void (*free_fn)(void *value))
{
    struct htab *t = htab_create(hint, free_fn);

    t->vsize = vsize ? (vsize + 15) & ~(size_t) 15 : 16;
    t->kmax = kmax;
    t->kroom[1] = (kmax + 15) & ~(size_t) 15;
    t->kroom[0] = t->kroom[1] < HTAB_KEY_SMALL ? t->kroom[1] : HTAB_KEY_SMALL;
    t->smin = xmalloc((t->size >> HTAB_SMIN_SHIFT) * sizeof(*t->smin));
    htab_smin_clear(t->smin, t->size);
    t->slab_next = HTAB_SLAB_MIN;
    t->ahead[0] = t->ahead[1] = NULL;
    htab_fetch_set(t, 0);
    return t;
}

/* htab_fetch_set - what of a spare is fetched ahead (htab.h): the
 * entry's head and key's room, and vbytes of its value (its length
 * made here, not per new key) */
void
htab_fetch_set(struct htab *t, size_t vbytes)
{
    int     z;

    if (vbytes == 0 || vbytes > t->vsize)
        vbytes = t->vsize;
    for (z = 0; z < 2; z++)
        t->fetch[z] = sizeof(struct htab_ent) + t->kroom[z]
            + sizeof(struct htab_ent *) + vbytes;
}

/* htab_ent_size - the size of an inline entry for a key of klen bytes:
 * 0 small, 1 large */
static int
htab_ent_size(const struct htab *t, size_t klen)
{
    return klen > t->kroom[0];
}

/* htab_ent_drop - an entry out of the table: its value to the
 * destructor, the entry to the spares (inline) or freed */
static void
htab_ent_drop(struct htab *t, struct htab_ent *e)
{
    if (t->free_fn)
        t->free_fn(e->value);
    if (t->vsize) {
        int     z = htab_ent_size(t, e->klen);

        e->next = t->spare[z];
        t->spare[z] = e;
    } else {
        xfree(e);
    }
    t->count--;
}

/* htab_slab_new - a slab of n bytes, not touched */
static void *
htab_slab_new(size_t n)
{
    void   *p;

    if (posix_memalign(&p, n >= HTAB_SLAB_MAX ? HTAB_SLAB_MAX
                       : HTAB_ENT_ALIGN, n) != 0)
        xnomem("hash table");
#ifdef MADV_HUGEPAGE
    if (n >= HTAB_SLAB_MAX)
        (void) madvise(p, n, MADV_HUGEPAGE);    /* a hint: may fail */
#endif
    return p;
}

/* htab_prefault_mt - fault in the slabs a table made ahead, if some
 * wait (htab.h) */
void
htab_prefault_mt(void)
{
    uintptr_t p;
    int     i;

    for (i = 0; i < HTAB_AHEAD; i++) {
        p = atomic_exchange_explicit(&htab_ahead_box[i], 0,
                                     memory_order_relaxed);
#ifdef MADV_POPULATE_WRITE
        /* pages made present as if written, their bytes unchanged: the
         * owner may write to them meanwhile, or have freed them (then
         * the call fails, or populates what took the place: no byte
         * changes) */
        if (p != 0)
            (void) madvise((void *) p, HTAB_SLAB_MAX, MADV_POPULATE_WRITE);
#else
        (void) p;
#endif
    }
}

/* htab_slab_ahead - a slab of HTAB_SLAB_MAX bytes made ahead, offered
 * to htab_prefault_mt */
static void *
htab_slab_ahead(void)
{
    void   *p = htab_slab_new(HTAB_SLAB_MAX);

    atomic_store_explicit(&htab_ahead_box[htab_ahead_seq++ % HTAB_AHEAD],
                          (uintptr_t) p, memory_order_relaxed);
    return p;
}

/* htab_slab_ent - the room of a new inline entry of size bytes (a
 * multiple of HTAB_ENT_ALIGN), from the slabs */
static struct htab_ent *
htab_slab_ent(struct htab *t, size_t size)
{
    struct htab_ent *e;

    if (t->slab_left < size) {
        size_t  n = t->slab_next;
        void   *p;

        while (n < size + HTAB_ENT_ALIGN)
            n *= 2;
        if (n == HTAB_SLAB_MAX && t->ahead[0] != NULL) {
            p = t->ahead[0];
            t->ahead[0] = t->ahead[1];
            t->ahead[1] = htab_slab_ahead();
        } else if (n == HTAB_SLAB_MAX) {
            /* the next ones now, for another thread to fault in while
             * this one fills: never touched here until used */
            p = htab_slab_new(n);
            t->ahead[0] = htab_slab_ahead();
            t->ahead[1] = htab_slab_ahead();
        } else {
            p = htab_slab_new(n);
        }
        ((struct htab_slab *) p)->next = t->slabs;
        t->slabs = p;
        t->slab_at = (char *) p + HTAB_ENT_ALIGN;
        t->slab_left = n - HTAB_ENT_ALIGN;
        if (t->slab_next < HTAB_SLAB_MAX)
            t->slab_next *= 2;
    }
    e = (struct htab_ent *) t->slab_at;
    t->slab_at += size;
    t->slab_left -= size;
    return e;
}

/* htab_free - destroy entries and table; NULL */
struct htab *
htab_free(struct htab *t)
{
    size_t  i, left;

    if (t == NULL)
        return NULL;
    /* stop at the last entry: a big, nearly empty table is common */
    for (i = 0, left = t->count; i < t->size && left > 0; i++) {
        struct htab_ent *e = t->slot[i];

        while (e) {
            struct htab_ent *n = e->next;

            if (t->free_fn)
                t->free_fn(e->value);
            if (t->vsize == 0)
                xfree(e);
            e = n;
            left--;
        }
    }
    for (i = 0; i < HTAB_AHEAD; i++) {
        /* offered, not used: taken back (if a thread takes it first,
         * it faults in pages that are then freed: no harm) */
        uintptr_t a = (uintptr_t) t->ahead[i];
        size_t  b;

        for (b = 0; a != 0 && b < HTAB_AHEAD; b++) {
            uintptr_t want = a;

            (void) atomic_compare_exchange_strong(&htab_ahead_box[b],
                                                  &want, 0);
        }
        free(t->ahead[i]);
    }
    while (t->slabs) {          /* inline entries, spares among them */
        struct htab_slab *n = t->slabs->next;

        free(t->slabs);
        t->slabs = n;
    }
    xfree(t->slot);
    xfree(t->smin);
    xfree(t);
    return NULL;
}

/* htab_key_same - memcmp(a, b, n) == 0 for a key whose hash matched:
 * keys of 16 to 32 bytes (most: "host\0postfix/smtp\0pid", an Exim
 * "host\0message id") as four words each, the last two overlapping the
 * first two, no call; others by memcmp(). Reads nothing past the n
 * bytes. The memcmp() call was about 18 instructions a look-up */
static inline int
htab_key_same(const void *a, const void *b, size_t n)
{
    if (n >= 16 && n <= 32)
        return span_mem_same32(a, b, n);
    return memcmp(a, b, n) == 0;
}

/* htab_hash_long - XXH3_64bits() of a key of more than 128 bytes (few:
 * a Sendmail envelope's id, a long log host): out of line */
static __attribute__((noinline)) uint64_t
htab_hash_long(const void *key, size_t klen)
{
    return XXH3_64bits(key, klen);
}

/* htab_hash - the table's hash of a key (htab.h): XXH3_64bits(), whose
 * value for a key of up to 128 bytes is that of these two paths of it
 * (xxhash.h: XXH3_64bits_internal() with seed 0 and the default
 * secret), taken without the dispatch and the call through the PLT
 * (the library's was 35 instructions a key of 17 to 32 bytes, a line's
 * key on the parsing thread). tests/t_corr.c checks every length from
 * 0 to 300 against the library */
inline uint64_t
htab_hash(const void *key, size_t klen)
{
    if (klen <= 16)
        return XXH3_len_0to16_64b(key, klen, XXH3_kSecret, 0);
    if (klen <= 128)
        return XXH3_len_17to128_64b(key, klen, XXH3_kSecret,
                                    sizeof(XXH3_kSecret), 0);
    return htab_hash_long(key, klen);
}

/* htab_find_hashed - value or NULL, the key's hash given; O(1) expected.
 * inline: the look-up of every line a correlator applies, worth its
 * place in the caller (a call was some 12 instructions more a line) */
inline void *
htab_find_hashed(const struct htab *t, const void *key, size_t klen,
                 uint64_t h)
{
    struct htab_ent *e;

    for (e = t->slot[h & (t->size - 1)]; e; e = e->next)
        if (e->hash == h && e->klen == klen && htab_key_same(e->key, key, klen))
            return e->value;
    return NULL;
}

/* htab_find - value or NULL; O(1) expected */
void   *
htab_find(const struct htab *t, const void *key, size_t klen)
{
    return htab_find_hashed(t, key, klen, htab_hash(key, klen));
}

/* htab_prefetch - fetch what a look-up of hash reads first (htab.h) */
void
htab_prefetch(const struct htab *t, uint64_t hash, int deep)
{
    const struct htab_ent *e;
    size_t  i = hash & (t->size - 1);

    if (!deep) {
        __builtin_prefetch(&t->slot[i]);
        if (t->smin != NULL)
            __builtin_prefetch(&t->smin[i >> HTAB_SMIN_SHIFT], 1);
                                                    /* htab_stamp */
    } else if ((e = t->slot[i]) != NULL) {
        __builtin_prefetch(e);
        __builtin_prefetch((const char *) e + 64);
    }
}

/* htab_grow - double the slot array (out of line and cold: a new key's
 * htab_link() then saves no registers for it, 12 instructions a key) */
static __attribute__((noinline, cold)) void
htab_grow(struct htab *t)
{
    size_t  nsize = t->size * 2;
    struct htab_ent **ns = xcalloc(nsize, sizeof(*ns));
    int64_t *nmin = NULL;
    size_t  i, j;

    if (t->smin) {
        nmin = xmalloc((nsize >> HTAB_SMIN_SHIFT) * sizeof(*nmin));
        htab_smin_clear(nmin, nsize);
    }
    for (i = 0; i < t->size; i++) {
        struct htab_ent *e = t->slot[i];

        while (e) {
            struct htab_ent *n = e->next;

            j = e->hash & (nsize - 1);
            e->next = ns[j];
            ns[j] = e;
            if (nmin && e->stamp < nmin[j >> HTAB_SMIN_SHIFT])
                nmin[j >> HTAB_SMIN_SHIFT] = e->stamp;
            e = n;
        }
    }
    xfree(t->slot);
    xfree(t->smin);
    t->slot = ns;
    t->smin = nmin;
    t->size = nsize;
}

/* htab_key_put - a key of n bytes into an entry: no call for keys of
 * up to 32 bytes (nearly all: a Postfix process key is about 30, an
 * Exim message key about 25), two overlapping moves of 16 bytes or
 * less; nothing read or written past the n bytes */
static inline void
htab_key_put(char *d, const char *s, size_t n)
{
    if (n >= 16 && n <= 32) {
        char    a[16], b[16];

        memcpy(a, s, 16);
        memcpy(b, s + n - 16, 16);
        memcpy(d, a, 16);
        memcpy(d + n - 16, b, 16);
    } else if (n < 16) {
        span_mem_put(d, s, n);
    } else {
        memcpy(d, s, n);
    }
}

/* htab_link - a new entry with key (of hash h) into the table */
static void
htab_link(struct htab *t, struct htab_ent *e, const void *key, size_t klen,
          uint64_t h)
{
    size_t  i;

    if (t->count >= t->size)
        htab_grow(t);
    e->hash = h;
    e->klen = klen;
    htab_key_put(e->key, key, klen);
    i = e->hash & (t->size - 1);
    e->next = t->slot[i];
    t->slot[i] = e;
    t->count++;
    if (t->smin && e->stamp < t->smin[i >> HTAB_SMIN_SHIFT])
        t->smin[i >> HTAB_SMIN_SHIFT] = e->stamp;
}

/* htab_enter - add a new key; returns value */
void   *
htab_enter(struct htab *t, const void *key, size_t klen, void *value)
{
    struct htab_ent *e = xmalloc(sizeof(*e) + klen);

    if (t->vsize)
        msg_panic("htab_enter on a table of values inline");
    e->value = value;
    htab_link(t, e, key, klen, htab_hash(key, klen));
    return value;
}

/* htab_enter_hashed - add a new key of hash h; its value's room, the
 * first zero bytes of it zeroed (htab.h) */
void   *
htab_enter_hashed(struct htab *t, const void *key, size_t klen, uint64_t h,
                  int64_t stamp, size_t zero)
{
    struct htab_ent *e;
    int     z;

    if (t->vsize == 0 || klen > t->kmax)
        msg_panic("htab_enter_inline: not a table of values inline, or a "
                  "key of %zu bytes", klen);
    z = htab_ent_size(t, klen);
    if ((e = t->spare[z]) != NULL) {
        t->spare[z] = e->next;
        /* the spares were dropped by a sweep long before: the next one
         * is fetched now, while lines are read, not when a new key
         * needs it. All of it: a correlator's new key writes its log
         * host and later reads its connection, lines past the first
         * 256 bytes (a log with a new smtp process per delivery, one
         * thread: 0.253 s to 0.232 s; two: 0.173 s to 0.161 s). Or
         * what the owner said a new key uses first (htab_fetch_set: an
         * Exim message's 960 bytes were sixteen lines fetched, of which
         * a new message uses six) */
        if (e->next != NULL) {
            const char *n = (const char *) e->next;
            size_t  len = t->fetch[z];
            size_t  o;

            /* four lines a round: the loop's own count and test were
             * three instructions a line (a correlator's entry is 10 to
             * 16 lines). Up to three lines past the entry may be asked
             * for: a prefetch never faults */
            for (o = 0; o < len; o += 256) {
                __builtin_prefetch(n + o, 1);
                __builtin_prefetch(n + o + 64, 1);
                __builtin_prefetch(n + o + 128, 1);
                __builtin_prefetch(n + o + 192, 1);
            }
        }
    } else {
        e = htab_slab_ent(t, (sizeof(*e) + t->kroom[z] + sizeof(e)
                              + t->vsize + HTAB_ENT_ALIGN - 1)
                          & ~(size_t) (HTAB_ENT_ALIGN - 1));
        memcpy(e->key + t->kroom[z], &e, sizeof(e));
        e->value = e->key + t->kroom[z] + sizeof(e);
    }
    if (zero > 0)
        memset(e->value, 0, zero < t->vsize ? zero : t->vsize);
    e->stamp = stamp;
    htab_link(t, e, key, klen, h);
    return e->value;
}

/* htab_enter_inline - add a new key; its value's room, zeroed */
void   *
htab_enter_inline(struct htab *t, const void *key, size_t klen,
                  int64_t stamp)
{
    return htab_enter_hashed(t, key, klen, htab_hash(key, klen), stamp,
                             t->vsize);
}

/* htab_key_inline - the key of an inline value (htab.h) */
const void *
htab_key_inline(const void *value)
{
    const struct htab_ent *e;

    memcpy(&e, (const char *) value - sizeof(e), sizeof(e));
    return e->key;
}

/* htab_stamp - a new stamp of an inline value (htab.h) */
void
htab_stamp(struct htab *t, void *value, int64_t stamp)
{
    struct htab_ent *e;
    size_t  i;

    memcpy(&e, (char *) value - sizeof(e), sizeof(e));
    i = e->hash & (t->size - 1);

    e->stamp = stamp;
    if (stamp < t->smin[i >> HTAB_SMIN_SHIFT])
        t->smin[i >> HTAB_SMIN_SHIFT] = stamp;
}

/* htab_sweep_fetch - an entry a stamped sweep is to walk, fetched:
 * every line of it. What a correlator's flush of an idle key reads is
 * all over its value: the key (its log host), the key's state, the
 * connection's first line, its address and, at the end, the MTA's own
 * fields (Postfix: the TLS outcome, queue id and reason, 330 to 470
 * bytes into the connection). With the value's first 192 bytes only,
 * the flush waited for the rest: the 14 sweeps of a 250 MB Postfix log
 * (15,600 keys dropped each) took 16.2 ms of one thread's run, 14.0
 * with every line asked for (medians of seven runs; Sendmail's and a
 * new process per delivery: the same). The size is known without
 * reading the entry: a small key's (nearly all); a large key's is
 * read to that size */
static inline void
htab_sweep_fetch(const struct htab *t, const struct htab_ent *e)
{
    const char *a = (const char *) e;
    size_t  len = sizeof(*e) + t->kroom[0] + sizeof(e) + t->vsize;
    size_t  o;

    /* four lines a round (as a spare's in htab_enter_hashed): up to
     * three lines past the entry may be asked for, a prefetch never
     * faults */
    for (o = 0; o < len; o += 256) {
        __builtin_prefetch(a + o);
        __builtin_prefetch(a + o + 64);
        __builtin_prefetch(a + o + 128);
        __builtin_prefetch(a + o + 192);
    }
}

/* htab_sweep_stamped - htab_sweep of the slots that may hold an entry
 * stamped before before (htab.h). Left to the compiler (inlined into its
 * one caller, a correlator's new-key path): kept out of line it saved
 * 0.1 M instructions of the Exim slice's 142.6 M, and moved the code
 * after it so that the slice's simulated I1 misses went from 0.65 M
 * to 0.71 M and its mispredicts from 1.29 M to 1.31 M (valgrind
 * --tool=cachegrind) */
size_t
htab_sweep_stamped(struct htab *t, int64_t before,
                   int (*drop)(const void *key, size_t klen, void *value,
                               void *ctx), void *ctx)
{
    size_t  ahead[HTAB_SWEEP_RING];     /* slots to walk, fetched, in a
                                         * ring: [walked, put) */
    size_t  put = 0;
    size_t  near = 0;           /* of them, those below near fetched near */
    size_t  walked = 0;
    size_t  groups = t->size >> HTAB_SMIN_SHIFT;
    size_t  g;
    size_t  h = 0;              /* groups below h were looked at ahead */
    size_t  n = 0;

    for (g = 0; g < groups; g++) {
        int64_t min = INT64_MAX;        /* of the kept entries */
        size_t  i;

        /* a group without an entry stamped before before: not walked
         * (its bound is written after its slots were) */
        if (t->smin[g] >= before)
            continue;
        /* the entries are all over memory: the first line of the first
         * entry of the next HTAB_SWEEP_AHEAD or so slots to walk (its
         * link and stamp) is fetched, however far on they are (a sweep
         * soon after the one before walks few) */
        while (put - walked < HTAB_SWEEP_AHEAD && h < groups) {
            if (t->smin[h] < before)
                for (i = h << HTAB_SMIN_SHIFT;
                     i < (h + 1) << HTAB_SMIN_SHIFT; i++)
                    if (t->slot[i] != NULL) {
                        __builtin_prefetch(t->slot[i]);
                        ahead[put++ % HTAB_SWEEP_RING] = i;
                    }
            h++;
        }
        for (i = g << HTAB_SMIN_SHIFT; i < (g + 1) << HTAB_SMIN_SHIFT; i++) {
            struct htab_ent **pp = &t->slot[i];

            /* and, of the next HTAB_SWEEP_NEAR of them, every line of
             * an entry to drop (what the drop reads: htab_sweep_fetch)
             * and the first line of the next of its chain. An entry
             * kept is not read past its first line: each entry fetched
             * whole (ten to sixteen lines), as before, filled the
             * core's miss buffers, and the lines further on waited */
            while (near - walked < HTAB_SWEEP_NEAR && near < put) {
                const struct htab_ent *e =
                    t->slot[ahead[near++ % HTAB_SWEEP_RING]];

                if (e != NULL) {
                    if (e->stamp < before)
                        htab_sweep_fetch(t, e);
                    if (e->next != NULL)
                        __builtin_prefetch(e->next);
                }
            }
            if (walked < put && ahead[walked % HTAB_SWEEP_RING] == i)
                walked++;       /* it was fetched */
            while (*pp) {
                struct htab_ent *e = *pp;

                /* the next of the chain: its first line was fetched
                 * near, the whole of it now if it is to go, and the
                 * first line of the one after it (a loaded table has
                 * chains of two and three) */
                if (e->next != NULL) {
                    const struct htab_ent *f = e->next;

                    if (f->stamp < before)
                        htab_sweep_fetch(t, f);
                    if (f->next != NULL)
                        __builtin_prefetch(f->next);
                }
                /* stamped at or after before: kept unasked (the value,
                 * further on, is not read) */
                if (e->stamp >= before || !drop(e->key, e->klen, e->value,
                                                 ctx)) {
                    if (e->stamp < min)
                        min = e->stamp;
                    pp = &e->next;
                    continue;
                }
                *pp = e->next;
                htab_ent_drop(t, e);
                n++;
            }
        }
        t->smin[g] = min;
    }
    return n;
}

/* htab_delete - remove key if present */
void
htab_delete(struct htab *t, const void *key, size_t klen)
{
    htab_delete_hashed(t, key, klen, htab_hash(key, klen));
}

/* htab_delete_hashed - htab_delete, the key's hash given (inline: an
 * Exim message's key is dropped at its Completed line) */
inline void
htab_delete_hashed(struct htab *t, const void *key, size_t klen, uint64_t h)
{
    struct htab_ent **pp = &t->slot[h & (t->size - 1)];

    for (; *pp; pp = &(*pp)->next) {
        struct htab_ent *e = *pp;

        if (e->hash == h && e->klen == klen && htab_key_same(e->key, key, klen)) {
            *pp = e->next;
            htab_ent_drop(t, e);
            return;
        }
    }
}

/* htab_delete_inline - htab_delete of an inline value's key (htab.h) */
inline void
htab_delete_inline(struct htab *t, void *value)
{
    struct htab_ent *e;
    struct htab_ent **pp;

    memcpy(&e, (char *) value - sizeof(e), sizeof(e));
    for (pp = &t->slot[e->hash & (t->size - 1)]; *pp; pp = &(*pp)->next)
        if (*pp == e) {
            *pp = e->next;
            htab_ent_drop(t, e);
            return;
        }
    msg_panic("htab_delete_inline: a value not in the table");
}

/* htab_count - number of entries */
size_t
htab_count(const struct htab *t)
{
    return t->count;
}

/* htab_walk - visit every entry */
void
htab_walk(const struct htab *t,
          void (*fn)(const void *key, size_t klen, void *value, void *ctx),
          void *ctx)
{
    size_t  i, left;
    struct htab_ent *e;

    /* fn may not change the table: stop at the last entry */
    for (i = 0, left = t->count; i < t->size && left > 0; i++)
        for (e = t->slot[i]; e; e = e->next, left--)
            fn(e->key, e->klen, e->value, ctx);
}

/* htab_sweep - delete the entries drop selects, while walking */
size_t
htab_sweep(struct htab *t,
           int (*drop)(const void *key, size_t klen, void *value, void *ctx),
           void *ctx)
{
    size_t  i;
    size_t  n = 0;

    for (i = 0; i < t->size; i++) {
        struct htab_ent **pp = &t->slot[i];

        while (*pp) {
            struct htab_ent *e = *pp;

            if (!drop(e->key, e->klen, e->value, ctx)) {
                pp = &e->next;
                continue;
            }
            *pp = e->next;
            htab_ent_drop(t, e);
            n++;
        }
    }
    return n;
}
