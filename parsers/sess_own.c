/* parsers/sess_own.c - the queue ids of our own report mail (see
 * sess_own.h) */
#include "sess_own.h"
#include "parser.h"
#include "../global/sess.h"
#include "../util/htab.h"
#include "../util/mymalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SESS_OWN_ADDR 254       /* envelope address, bytes */
#define SESS_OWN_QID 32         /* queue id, bytes */

struct sess_own {
    char    from[SESS_OWN_ADDR + 1];
    size_t  flen;
    struct htab *ids;           /* host NUL qid -> int64_t last noted */
    int64_t max_t;
};

/* sess_own_create - tracker of our own report mail, or NULL */
struct sess_own *
sess_own_create(const struct sess_conf *conf)
{
    struct sess_own *o;
    size_t  n;

    if (conf->own_from == NULL || (n = strlen(conf->own_from)) == 0
        || n > SESS_OWN_ADDR)
        return NULL;
    o = xcalloc(1, sizeof(*o));
    memcpy(o->from, conf->own_from, n + 1);
    o->flen = n;
    o->ids = htab_create(16, free);
    return o;
}

/* sess_own_free - destroy; NULL */
struct sess_own *
sess_own_free(struct sess_own *o)
{
    if (o) {
        htab_free(o->ids);
        xfree(o);
    }
    return NULL;
}

/* sess_own_sender - the logged address is our own (case folded) */
int
sess_own_sender(const struct sess_own *o, struct span addr)
{
    if (o == NULL)
        return 0;
    if (addr.len >= 2 && addr.ptr[0] == '<' && addr.ptr[addr.len - 1] == '>')
        addr = span_make(addr.ptr + 1, addr.len - 2);
    return addr.len == o->flen && strncasecmp(addr.ptr, o->from, o->flen) == 0;
}

/* sess_own_sender_word - see sess_own.h. The first word's length is
 * the place of the first space (or the end): own_from's length, or two
 * more with its "<>", only when the byte at that place is a space or
 * the end. Else the word is no sender of ours (sess_own_sender() wants
 * one of those two lengths), and no memchr() for it */
int
sess_own_sender_word(const struct sess_own *o, struct span s,
                     struct span *word)
{
    size_t  n;

    if (o == NULL)
        return 0;
    n = o->flen;
    if (!(s.len == n || (s.len > n && s.ptr[n] == ' ') || s.len == n + 2
          || (s.len > n + 2 && s.ptr[n + 2] == ' ')))
        return 0;
    return span_word(&s, word, 320) == 0 && sess_own_sender(o, *word);
}

/* sess_own_from_len - see sess_own.h */
size_t
sess_own_from_len(const struct sess_own *o)
{
    return o == NULL ? 0 : o->flen;
}

/* sess_own_key - "host NUL qid" into key (bounded); length, 0: no qid */
static size_t
sess_own_key(struct span host, struct span qid, char *key)
{
    size_t  hl = host.len > SESS_MAX_LOGHOST ? SESS_MAX_LOGHOST : host.len;

    if (qid.len == 0 || qid.len > SESS_OWN_QID)
        return 0;
    if (hl)
        memcpy(key, host.ptr, hl);
    key[hl] = 0;
    memcpy(key + hl + 1, qid.ptr, qid.len);
    return hl + 1 + qid.len;
}

/* sess_own_old - htab_sweep predicate: noted too long ago */
static int
sess_own_old(const void *key, size_t klen, void *value, void *ctx)
{
    const struct sess_own *o = ctx;

    (void) key;
    (void) klen;
    return *(int64_t *) value + SESS_OWN_SECS < o->max_t;
}

/* sess_own_note - qid of host carries our own mail */
void
sess_own_note(struct sess_own *o, struct span host, struct span qid,
              int64_t t)
{
    char    key[SESS_MAX_LOGHOST + SESS_OWN_QID + 2];
    size_t  n;
    int64_t *v;

    if (o == NULL || (n = sess_own_key(host, qid, key)) == 0)
        return;
    if (t > o->max_t)
        o->max_t = t;
    if ((v = htab_find(o->ids, key, n)) != NULL) {
        if (t > *v)
            *v = t;
        return;
    }
    if (htab_count(o->ids) >= SESS_OWN_MAX)
        htab_sweep(o->ids, sess_own_old, o);
    if (htab_count(o->ids) >= SESS_OWN_MAX)
        return;
    v = xmalloc(sizeof(*v));
    *v = t;
    htab_enter(o->ids, key, n, v);
}

/* sess_own_any - 1 when any queue id is noted */
int
sess_own_any(const struct sess_own *o)
{
    return o != NULL && htab_count(o->ids) > 0;
}

/* sess_own_has_id - sess_own_has() of a tracker that holds an id: out
 * of line, so that the common case (nothing noted: no report mail in
 * the log) costs a test, not the set-up of a key on the stack (a call
 * of each kind on every new message and every "Completed" of an Exim
 * log) */
__attribute__((noinline))
static int
sess_own_has_id(const struct sess_own *o, struct span host, struct span qid)
{
    char    key[SESS_MAX_LOGHOST + SESS_OWN_QID + 2];
    size_t  n;
    int64_t *v;

    if ((n = sess_own_key(host, qid, key)) == 0
        || (v = htab_find(o->ids, key, n)) == NULL)
        return 0;
    return *v + SESS_OWN_SECS >= o->max_t;
}

/* sess_own_has - qid of host carries our own mail. Not inlined: its
 * callers' code stays as it was (inlined by the link-time optimizer,
 * the code of Postfix's and Sendmail's classifiers moved, and the
 * simulated instruction-cache misses of a run on their logs doubled) */
__attribute__((noinline))
int
sess_own_has(const struct sess_own *o, struct span host, struct span qid)
{
    /* no own mail pending is the common case: no key, no hash */
    return sess_own_any(o) && sess_own_has_id(o, host, qid);
}

/* sess_own_forget_id - sess_own_forget() of a tracker that holds an id
 * (out of line: sess_own_has_id()) */
__attribute__((noinline))
static void
sess_own_forget_id(struct sess_own *o, struct span host, struct span qid)
{
    char    key[SESS_MAX_LOGHOST + SESS_OWN_QID + 2];
    size_t  n;

    if ((n = sess_own_key(host, qid, key)) == 0)
        return;
    if (htab_find(o->ids, key, n) != NULL)
        htab_delete(o->ids, key, n);
}

/* sess_own_forget - the MTA is done with qid of host (not inlined:
 * sess_own_has()) */
__attribute__((noinline))
void
sess_own_forget(struct sess_own *o, struct span host, struct span qid)
{
    if (sess_own_any(o))
        sess_own_forget_id(o, host, qid);
}
