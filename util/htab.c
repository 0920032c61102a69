/* util/htab.c - string-keyed hash table (see htab.h) */
#include "htab.h"
#include "mymalloc.h"

#include <string.h>
#include <xxhash.h>

struct htab_ent {
    struct htab_ent *next;
    void   *value;
    size_t  klen;
    unsigned long long hash;
    char    key[];
};

struct htab {
    struct htab_ent **slot;
    size_t  size;               /* power of two */
    size_t  count;
    void    (*free_fn) (void *);
};

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
            xfree(e);
            e = n;
            left--;
        }
    }
    xfree(t->slot);
    xfree(t);
    return NULL;
}

/* htab_find - value or NULL; O(1) expected */
void   *
htab_find(const struct htab *t, const void *key, size_t klen)
{
    unsigned long long h = XXH3_64bits(key, klen);
    struct htab_ent *e;

    for (e = t->slot[h & (t->size - 1)]; e; e = e->next)
        if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
            return e->value;
    return NULL;
}

/* htab_grow - double the slot array */
static void
htab_grow(struct htab *t)
{
    size_t  nsize = t->size * 2;
    struct htab_ent **ns = xcalloc(nsize, sizeof(*ns));
    size_t  i;

    for (i = 0; i < t->size; i++) {
        struct htab_ent *e = t->slot[i];

        while (e) {
            struct htab_ent *n = e->next;

            e->next = ns[e->hash & (nsize - 1)];
            ns[e->hash & (nsize - 1)] = e;
            e = n;
        }
    }
    xfree(t->slot);
    t->slot = ns;
    t->size = nsize;
}

/* htab_enter - add a new key; returns value */
void   *
htab_enter(struct htab *t, const void *key, size_t klen, void *value)
{
    struct htab_ent *e = xmalloc(sizeof(*e) + klen);
    size_t  i;

    if (t->count >= t->size)
        htab_grow(t);
    e->hash = XXH3_64bits(key, klen);
    e->klen = klen;
    e->value = value;
    memcpy(e->key, key, klen);
    i = e->hash & (t->size - 1);
    e->next = t->slot[i];
    t->slot[i] = e;
    t->count++;
    return value;
}

/* htab_delete - remove key if present */
void
htab_delete(struct htab *t, const void *key, size_t klen)
{
    unsigned long long h = XXH3_64bits(key, klen);
    struct htab_ent **pp = &t->slot[h & (t->size - 1)];

    for (; *pp; pp = &(*pp)->next) {
        struct htab_ent *e = *pp;

        if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0) {
            *pp = e->next;
            if (t->free_fn)
                t->free_fn(e->value);
            xfree(e);
            t->count--;
            return;
        }
    }
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
            if (t->free_fn)
                t->free_fn(e->value);
            xfree(e);
            t->count--;
            n++;
        }
    }
    return n;
}
