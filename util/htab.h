/* util/htab.h - string-keyed hash table for single-threaded state
 *
 * Keys are byte strings (may contain NUL bytes); the table copies them.
 * Values are the caller's pointers, or (htab_create_inline) rooms of a
 * fixed size in the table's own entries (from slabs of up to 2 MiB,
 * offered for huge pages); htab_free() hands each to the destructor
 * given at creation. Grows by doubling at load 1; cost O(1)
 * expected per operation. Thread safety: none (one owner thread).
 */
#ifndef UTIL_HTAB_H
#define UTIL_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct htab;

struct htab *htab_create(size_t hint, void (*free_fn)(void *value));
struct htab *htab_free(struct htab *t);         /* always NULL */

/* a table whose values live in its entries: vsize bytes each, zeroed
 * when the key is entered (htab_enter_inline), keys of at most kmax
 * bytes. One allocation per key, not two, and the entries of deleted
 * keys are kept for new ones: no allocation once the table has held as
 * many keys as it will (memory stays at that peak). free_fn, if any,
 * gets the value's address when a key goes (to free what the value
 * holds, not the value). find, walk and sweep give that address */
struct htab *htab_create_inline(size_t hint, size_t vsize, size_t kmax,
                                void (*free_fn)(void *value));

/* htab_fetch_set - of a table of values inline: the first vbytes of a
 * value (0: all) are what a new key reads or writes first, and what is
 * fetched ahead of the spare entry it takes (htab_enter_hashed); the
 * rest comes when it is used. Nothing else changes */
void    htab_fetch_set(struct htab *t, size_t vbytes);

/* value for key, or NULL */
void   *htab_find(const struct htab *t, const void *key, size_t klen);

/* htab_prefault_mt - have the pages of the slab a table of values
 * inline made ahead of its need (the one offered last, by any table)
 * made present now, on this thread, so that the kernel zeroes them
 * here and not on the thread that owns the table; nothing when none
 * waits. Changes no byte: any thread, any time (engine/pipe.c: its
 * parsing threads, once per chunk). Cost: one atomic exchange, and the
 * faults of 2 MiB when a slab waits */
void    htab_prefault_mt(void);

/* htab_hash - the hash of key as the table computes it: for a caller
 * that hashes once per key (on another thread, say) and looks up with
 * htab_find_hashed and htab_enter_hashed. Pure, any thread */
uint64_t htab_hash(const void *key, size_t klen);

/* htab_find with hash = htab_hash(key, klen) */
void   *htab_find_hashed(const struct htab *t, const void *key, size_t klen,
                         uint64_t hash);

/* insert (key must be new); returns value */
void   *htab_enter(struct htab *t, const void *key, size_t klen, void *value);

/* insert into a table of values inline (key must be new, at most kmax
 * bytes) with a stamp (below); returns the value's room, zeroed */
void   *htab_enter_inline(struct htab *t, const void *key, size_t klen,
                          int64_t stamp);

/* htab_enter_hashed - htab_enter_inline with hash = htab_hash(key,
 * klen), and only the first zero bytes of the value's room zeroed (the
 * rest holds what it held: a caller that sets it up itself); zero is
 * clipped to the room */
void   *htab_enter_hashed(struct htab *t, const void *key, size_t klen,
                          uint64_t hash, int64_t stamp, size_t zero);

/* htab_key_inline - the key of an inline value (from find or enter),
 * as stored in its entry: valid while the key is in the table. O(1) */
const void *htab_key_inline(const void *value);

/* Stamps (tables of values inline): a number per entry, for sweeps of
 * the entries stamped before some value (an idle sweep: the time of
 * last use). The table keeps per group of four slots a lower bound of
 * their entries' stamps, so htab_sweep_stamped() walks only the slots
 * that may hold one: a sequential pass over one number per four slots,
 * instead of a visit of every entry.
 * htab_stamp - set the stamp of value (from find or enter); O(1) */
void    htab_stamp(struct htab *t, void *value, int64_t stamp);

/* htab_sweep_stamped - as htab_sweep, but drop is asked only about the
 * entries stamped before before (the others are kept unasked, and only
 * the slots that may hold one are walked): drop must keep every entry
 * stamped at or after before. The order of the entries asked, and of those dropped, is
 * htab_sweep's. Cost O(size + entries of the slots walked) */
size_t  htab_sweep_stamped(struct htab *t, int64_t before,
                           int (*drop)(const void *key, size_t klen,
                                       void *value, void *ctx), void *ctx);

/* htab_prefetch - a hint before a look-up of a key of hash (htab_hash):
 * fetch its slot and stamp bound (deep 0), or the first entry the slot
 * holds now and its value's first bytes (deep 1, once the slot is
 * fetched). Changes nothing */
void    htab_prefetch(const struct htab *t, uint64_t hash, int deep);

/* remove key, handing its value to the destructor */
void    htab_delete(struct htab *t, const void *key, size_t klen);

/* htab_delete with hash = htab_hash(key, klen) */
void    htab_delete_hashed(struct htab *t, const void *key, size_t klen,
                           uint64_t hash);

/* htab_delete_inline - remove the key of an inline value (from find or
 * enter, still in the table), handing the value to the destructor: the
 * entry found in its slot by address, no key compared */
void    htab_delete_inline(struct htab *t, void *value);

size_t  htab_count(const struct htab *t);

/* visit every entry and delete those for which drop returns 1 (their
 * values go to the destructor); drop may not modify the table itself.
 * Returns the number deleted; cost O(size + count) */
size_t  htab_sweep(struct htab *t,
                   int (*drop)(const void *key, size_t klen, void *value,
                               void *ctx), void *ctx);

/* visit every entry; fn may not modify the table */
void    htab_walk(const struct htab *t,
                  void (*fn)(const void *key, size_t klen, void *value,
                             void *ctx), void *ctx);

#endif
