/* aggregate/agg_tab.h - lock-free per-(day, domain, policy) counters
 *
 * Many threads add sessions concurrently with agg_tab_add_mt(): no locks
 * on that path (CAS to claim a slot, atomic counters). Everything named
 * _st runs only after all adders have joined. Memory grows with the
 * number of distinct keys, never with the number of sessions added.
 *
 * The key of a counter is the whole session record except its time:
 * (day, domain, policy, result, flags, mx, helo, ip, loghost, reason).
 * For SESS_SUCCESS the per-connection fields (mx, helo, ip, reason) are
 * cleared before keying, so successes collapse to one counter per
 * (day, domain, policy, loghost). A plaintext session (SESS_F_PLAINTEXT)
 * keeps them whatever its result: it may become a failure detail.
 *
 * agg_view_create_st() takes a sorted, grouped snapshot for the emitter:
 * one agg_group per (day, domain, policy), sorted by day, then domain,
 * then policy; details sorted by every key field. Plaintext sessions
 * (SESS_F_PLAINTEXT) become starttls-not-supported failures when the
 * plaintext mode says so (see enum agg_plain); otherwise they are only
 * counted in agg_group.plain_ignored.
 */
#ifndef AGGREGATE_AGG_TAB_H
#define AGGREGATE_AGG_TAB_H

#include <stddef.h>
#include <stdint.h>

#include "../global/sess.h"

struct agg_tab;                                 /* opaque */
struct agg_view;                                /* opaque */

struct agg_tab *agg_tab_create(void);            /* never NULL */
struct agg_tab *agg_tab_free(struct agg_tab *t);        /* always NULL */

/* add n sessions like r; 0, or -1 when a field is invalid; never blocks
 * (n == 0 stores nothing). Cost and design: docs/internals/agg_tab.md */
int     agg_tab_add_mt(struct agg_tab *t, const struct sess_rec *r,
                       uint64_t n);

/* the same for a record straight from a parser (global/sess.h: domain
 * and mx already canonical): bounds and enums are checked, the names
 * are not validated again */
int     agg_tab_add_trusted_mt(struct agg_tab *t, const struct sess_rec *r,
                               uint64_t n);

/* a parser's record as its table key, made on one thread and added on
 * another: agg_tab_key_trusted() checks r as agg_tab_add_trusted_mt()
 * does and writes its key into buf[AGG_TAB_KEY_MAX] (its length, or 0
 * when r is invalid); agg_tab_add_key_mt() adds n sessions of that key
 * (0, or -1 for a length out of range). A key is about a hundred bytes,
 * a record about a thousand: what a caller queues is the key. */
#define AGG_TAB_KEY_MAX (sizeof(int32_t) + 5 + 3 * (DNAME_MAX + 1) \
                         + IPADDR_MAX + 1 + SESS_MAX_LOGHOST + 1 \
                         + SESS_MAX_REASON + 1)
size_t  agg_tab_key_trusted(const struct sess_rec *r, char *buf);

/* agg_tab_key_lens - agg_tab_key_trusted() of r when the length
 * (strlen) of each of its strings is known, in len[]: domain, mx, helo,
 * ip, loghost, reason. The same key (0 when r is invalid), without
 * measuring the strings again: a session's maker measured them
 * (parsers/corr.c). A length not below its field's size, or a domain's
 * of 0, is refused (0); that each string's NUL is at its length is the
 * caller's word, not looked at: a wrong length within the field gives
 * another key, still of at most AGG_TAB_KEY_MAX bytes read from the
 * field. buf[AGG_TAB_KEY_MAX] may be written past the key's length
 * (short strings are copied 32 bytes at once). Cost: the copies, ten
 * tests */
#define AGG_TAB_STRS 6
size_t  agg_tab_key_lens(const struct sess_rec *r,
                         const size_t len[AGG_TAB_STRS], char *buf);

/* agg_tab_key_view - the same key of a session handed over as a view
 * (global/sess.h: its strings where its maker holds them, with their
 * lengths, each readable for SESS_VIEW_ROOM bytes at least): each
 * string copied once, from there. The same checks (a length not below
 * its record field's size, or a domain's of 0, refused: 0), the same
 * key as agg_tab_key_lens() of the view's record; buf as there */
size_t  agg_tab_key_view(const struct sess_view *v, char *buf);
int     agg_tab_add_key_mt(struct agg_tab *t, const char *key, size_t len,
                           uint64_t n);

/* add one session of each key of list[len]: keys one after the other,
 * each as its length (two bytes, most significant first) and the bytes
 * of agg_tab_key_trusted(). Faster than a call per key: the memory of
 * the next few keys is asked for while one is added. 0, or -1 (and
 * nothing added) when a length is 0, over AGG_TAB_KEY_MAX or past the
 * end. */
int     agg_tab_add_list_mt(struct agg_tab *t, const char *list, size_t len);

/* remember that loghost writes TLS lines for its outbound sessions */
void    agg_tab_note_tls_host_mt(struct agg_tab *t, const char *loghost);
int     agg_tab_host_logs_tls_st(const struct agg_tab *t,
                                 const char *loghost);

/* number of distinct keys, and of sessions added */
size_t  agg_tab_keys_st(const struct agg_tab *t);
uint64_t agg_tab_sessions_st(const struct agg_tab *t);

/* visit every stored key once: for saving state. Keys come in sorted
 * order with their merged counts; r->time is the start of r->day, and
 * adding each r with its n to an empty table rebuilds this one. Hosts
 * come in strcmp order. */
void    agg_tab_walk_st(const struct agg_tab *t,
                        void (*fn)(const struct sess_rec *r, uint64_t n,
                                   void *ctx), void *ctx);
void    agg_tab_walk_tls_hosts_st(const struct agg_tab *t,
                                  void (*fn)(const char *loghost, void *ctx),
                                  void *ctx);

enum agg_plain {
    AGG_PLAIN_AUTO = 0,         /* count where the log host logs TLS */
    AGG_PLAIN_ALWAYS,           /* always starttls-not-supported */
    AGG_PLAIN_NEVER,            /* never counted */
};

struct agg_detail {
    uint8_t result;             /* enum sess_result, never SESS_SUCCESS */
    const char *mx;             /* "" when unknown */
    const char *helo;
    const char *ip;
    const char *loghost;
    const char *reason;
    uint64_t count;
};

struct agg_group {
    int32_t day;
    uint8_t policy;             /* enum sess_policy */
    const char *domain;
    size_t  dom;                /* the domain's place among the view's
                                 * distinct domains (of every day) in
                                 * strcmp order: groups of one domain
                                 * share it, and the same pointer within
                                 * a day */
    uint64_t success;           /* total-successful-session-count */
    uint64_t failure;           /* sum of details[].count */
    uint64_t plain_ignored;     /* plaintext sessions not counted */
    size_t  ndetails;
    const struct agg_detail *details;
};

/* sorted, grouped snapshot; valid until agg_view_free(), also after
 * agg_tab_free() (the view owns copies of its strings). agg_view_get()
 * returns NULL when i >= agg_view_count(). */
struct agg_view *agg_view_create_st(const struct agg_tab *t,
                                    enum agg_plain mode);
/* the same, sorting on up to jobs threads (the caller's included) when
 * the table is large; the view is the same whatever jobs */
struct agg_view *agg_view_create_par_st(const struct agg_tab *t,
                                        enum agg_plain mode, int jobs);
size_t  agg_view_count(const struct agg_view *v);
/* distinct domains of the view's groups (every agg_group.dom is less) */
size_t  agg_view_domains(const struct agg_view *v);
/* distinct log hosts among all the keys the view was made from (counted
 * or not), of day *day only when day is not NULL */
size_t  agg_view_loghosts(const struct agg_view *v, const int32_t *day);
const struct agg_group *agg_view_get(const struct agg_view *v, size_t i);
struct agg_view *agg_view_free(struct agg_view *v);     /* always NULL */

#endif
