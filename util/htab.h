/* util/htab.h - string-keyed hash table for single-threaded state
 *
 * Keys are byte strings (may contain NUL bytes); the table copies them.
 * Values are the caller's pointers; htab_free() hands each to the
 * destructor given at creation. Grows by doubling at load 1; cost O(1)
 * expected per operation. Thread safety: none (one owner thread).
 */
#ifndef UTIL_HTAB_H
#define UTIL_HTAB_H

#include <stddef.h>

struct htab;

struct htab *htab_create(size_t hint, void (*free_fn)(void *value));
struct htab *htab_free(struct htab *t);         /* always NULL */

/* value for key, or NULL */
void   *htab_find(const struct htab *t, const void *key, size_t klen);

/* insert (key must be new); returns value */
void   *htab_enter(struct htab *t, const void *key, size_t klen, void *value);

/* remove key, handing its value to the destructor */
void    htab_delete(struct htab *t, const void *key, size_t klen);

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
