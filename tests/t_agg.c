/* tests/t_agg.c - unit tests for aggregate/agg_tab.c
 *
 * Single-threaded adds against exact view contents (groups, order,
 * details, success collapse), rejected records, the three plaintext
 * modes, the TLS-host set, the state walk, segment growth, one key
 * stored in two segments (as two writers racing across a growth leave
 * it), the view's log hosts per day and over all days, and a 4-thread
 * run whose views must equal a single-threaded reference table
 * exactly, and views made on 2, 3 and 7 threads that must equal the
 * one-thread view, with every group's domain place checked against a
 * sort of the names.
 *
 * White box: this file includes agg_tab.c itself, so that
 * test_dup_segments() can make the cross-segment duplicate that threads
 * make only rarely. The linker then takes no agg_tab.o from the library.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../aggregate/agg_tab.c"
#include "../global/sess.h"
#include "testlib.h"

/* rec_set - fill r; NULL strings mean "" */
static void
rec_set(struct sess_rec *r, int32_t day, const char *domain, int policy,
        int result, int flags, const char *mx, const char *helo,
        const char *ip, const char *loghost, const char *reason)
{
    memset(r, 0, sizeof(*r));
    r->day = day;
    r->time = (int64_t) day * 86400 + 60;
    r->policy = (uint8_t) policy;
    r->result = (uint8_t) result;
    r->flags = (uint8_t) flags;
    snprintf(r->domain, sizeof(r->domain), "%s", domain ? domain : "");
    snprintf(r->mx, sizeof(r->mx), "%s", mx ? mx : "");
    snprintf(r->helo, sizeof(r->helo), "%s", helo ? helo : "");
    snprintf(r->ip, sizeof(r->ip), "%s", ip ? ip : "");
    snprintf(r->loghost, sizeof(r->loghost), "%s", loghost ? loghost : "");
    snprintf(r->reason, sizeof(r->reason), "%s", reason ? reason : "");
}

/* add - rec_set then agg_tab_add_mt; returns its result */
static int
add(struct agg_tab *t, uint64_t n, int32_t day, const char *domain,
    int policy, int result, int flags, const char *mx, const char *helo,
    const char *ip, const char *loghost, const char *reason)
{
    struct sess_rec r;

    rec_set(&r, day, domain, policy, result, flags, mx, helo, ip, loghost,
            reason);
    return agg_tab_add_mt(t, &r, n);
}

/* detail_is - 1 when d has exactly these fields */
static int
detail_is(const struct agg_detail *d, int result, const char *mx,
          const char *helo, const char *ip, const char *loghost,
          const char *reason, uint64_t count)
{
    return d->result == result && strcmp(d->mx, mx) == 0
        && strcmp(d->helo, helo) == 0 && strcmp(d->ip, ip) == 0
        && strcmp(d->loghost, loghost) == 0
        && strcmp(d->reason, reason) == 0 && d->count == count;
}

/* group_is - 1 when g has this key and these totals */
static int
group_is(const struct agg_group *g, int32_t day, const char *domain,
         int policy, uint64_t success, uint64_t failure, uint64_t ignored,
         size_t ndetails)
{
    return g != NULL && g->day == day && strcmp(g->domain, domain) == 0
        && g->policy == policy && g->success == success
        && g->failure == failure && g->plain_ignored == ignored
        && g->ndetails == ndetails;
}

struct walk_ctx {
    size_t  visits;
    uint64_t sum;
    int     dup;                        /* a key visited twice in a row */
    int     cleared;                    /* a TLS success kept helo/ip */
    struct sess_rec prev;
};

/* walk_fn - count visits; check that no two consecutive keys are equal */
static void
walk_fn(const struct sess_rec *r, uint64_t n, void *ctx)
{
    struct walk_ctx *w = ctx;

    if (w->visits > 0 && w->prev.day == r->day
        && w->prev.policy == r->policy && w->prev.result == r->result
        && w->prev.flags == r->flags && w->prev.cert == r->cert
        && w->prev.cert_problem == r->cert_problem
        && strcmp(w->prev.domain, r->domain) == 0
        && strcmp(w->prev.mx, r->mx) == 0
        && strcmp(w->prev.helo, r->helo) == 0
        && strcmp(w->prev.ip, r->ip) == 0
        && strcmp(w->prev.loghost, r->loghost) == 0
        && strcmp(w->prev.reason, r->reason) == 0)
        w->dup = 1;
    if (r->result == SESS_SUCCESS && !(r->flags & SESS_F_PLAINTEXT)
        && (r->ip[0] || r->helo[0] || r->reason[0]))
        w->cleared = 1;
    w->prev = *r;
    w->visits++;
    w->sum += n;
}

/* test_basic - groups, their order, details order, success collapse */
static void
test_basic(void)
{
    struct agg_tab *t = agg_tab_create();
    struct agg_view *v;
    const struct agg_group *g;
    struct walk_ctx w;

    T_CHECK(add(t, 1, 19000, "b.example", SESS_POL_STS, SESS_SUCCESS, 0,
                "mx1.b.example", "mx1.b.example", "192.0.2.1", "h1", "")
            == 0, "add");
    add(t, 1, 19000, "b.example", SESS_POL_STS, SESS_SUCCESS, 0,
        "mx2.b.example", "", "192.0.2.2", "h1", "x");
    add(t, 5, 19000, "b.example", SESS_POL_STS, SESS_SUCCESS, 0,
        "mx1.b.example", "", "192.0.2.1", "h2", "");
    add(t, 2, 19000, "a.example", SESS_POL_NONE, SESS_CERT_EXPIRED, 0,
        "mx.a.example", "mx.a.example", "192.0.2.9", "h1", "x");
    add(t, 1, 19000, "a.example", SESS_POL_NONE,
        SESS_STARTTLS_NOT_SUPPORTED, 0, "mx.a.example", "mx.a.example",
        "192.0.2.9", "h1", "");
    add(t, 1, 19000, "a.example", SESS_POL_NONE, SESS_CERT_EXPIRED, 0,
        "mx.a.example", "mx.a.example", "192.0.2.10", "h1", "x");
    add(t, 4, 19000, "a.example", SESS_POL_NONE, SESS_CERT_EXPIRED, 0,
        "mx.a.example", "mx.a.example", "192.0.2.9", "h1", "x");
    add(t, 10, 19000, "a.example", SESS_POL_STS, SESS_SUCCESS, 0,
        "mx.a.example", "", "192.0.2.9", "h1", "");
    add(t, 1, 18999, "z.example", SESS_POL_TLSA, SESS_DNSSEC_INVALID, 0,
        "", "", "", "", "");
    add(t, 1, 19000, "a.example", SESS_POL_NONE, SESS_SUCCESS, 0,
        "mx.a.example", "", "192.0.2.9", "h1", "");

    /* successes keep their MX (for judging them under a policy later):
     * mx1/h1, mx2/h1, mx1/h2 of b.example are 3 keys */
    T_CHECK(agg_tab_keys_st(t) == 9, "keys %zu", agg_tab_keys_st(t));
    T_CHECK(agg_tab_sessions_st(t) == 27, "sessions %llu",
            (unsigned long long) agg_tab_sessions_st(t));

    v = agg_view_create_st(t, AGG_PLAIN_AUTO);
    T_CHECK(agg_view_count(v) == 4, "groups %zu", agg_view_count(v));
    T_CHECK(agg_view_get(v, 4) == NULL, "out of range");
    g = agg_view_get(v, 0);
    T_CHECK(group_is(g, 18999, "z.example", SESS_POL_TLSA, 0, 1, 0, 1),
            "group 0");
    T_CHECK(g && detail_is(&g->details[0], SESS_DNSSEC_INVALID, "", "", "",
                           "", "", 1), "group 0 detail");
    g = agg_view_get(v, 1);
    T_CHECK(group_is(g, 19000, "a.example", SESS_POL_NONE, 1, 8, 0, 3),
            "group 1");
    if (g && g->ndetails == 3) {
        T_CHECK(detail_is(&g->details[0], SESS_STARTTLS_NOT_SUPPORTED,
                          "mx.a.example", "mx.a.example", "192.0.2.9", "h1",
                          "", 1), "detail 0");
        T_CHECK(detail_is(&g->details[1], SESS_CERT_EXPIRED, "mx.a.example",
                          "mx.a.example", "192.0.2.10", "h1", "x", 1),
                "detail 1 (ip by strcmp)");
        T_CHECK(detail_is(&g->details[2], SESS_CERT_EXPIRED, "mx.a.example",
                          "mx.a.example", "192.0.2.9", "h1", "x", 6),
                "detail 2 (merged 2 + 4)");
    }
    g = agg_view_get(v, 2);
    T_CHECK(group_is(g, 19000, "a.example", SESS_POL_STS, 10, 0, 0, 0),
            "group 2");
    g = agg_view_get(v, 3);
    T_CHECK(group_is(g, 19000, "b.example", SESS_POL_STS, 7, 0, 0, 0),
            "group 3 (successes collapse)");
    agg_tab_free(t);                    /* the view keeps its own copies */
    g = agg_view_get(v, 1);
    T_CHECK(g && strcmp(g->domain, "a.example") == 0
            && strcmp(g->details[2].ip, "192.0.2.9") == 0,
            "view outlives table");
    v = agg_view_free(v);
    T_CHECK(v == NULL, "free returns NULL");

    t = agg_tab_create();
    add(t, 3, 19000, "b.example", SESS_POL_STS, SESS_SUCCESS, 0,
        "mx1.b.example", "", "192.0.2.1", "h1", "");
    add(t, 2, 19000, "b.example", SESS_POL_STS, SESS_SUCCESS, 0,
        "mx2.b.example", "", "192.0.2.2", "h1", "");
    add(t, 1, 19000, "b.example", SESS_POL_STS, SESS_CERT_EXPIRED, 0,
        "mx2.b.example", "", "192.0.2.2", "h1", "");
    memset(&w, 0, sizeof(w));
    agg_tab_walk_st(t, walk_fn, &w);
    T_CHECK(w.visits == 3 && w.sum == 6 && !w.dup && !w.cleared,
            "walk visits %zu sum %llu", w.visits,
            (unsigned long long) w.sum);
    t = agg_tab_free(t);
    T_CHECK(t == NULL, "free returns NULL");

    t = agg_tab_create();
    v = agg_view_create_st(t, AGG_PLAIN_AUTO);
    T_CHECK(agg_view_count(v) == 0 && agg_tab_keys_st(t) == 0
            && agg_tab_sessions_st(t) == 0, "empty table");
    agg_view_free(v);
    agg_tab_free(t);
}

/* test_invalid - bad fields are refused and store nothing */
static void
test_invalid(void)
{
    struct agg_tab *t = agg_tab_create();
    struct sess_rec r;

    T_CHECK(add(t, 1, 1, "", 0, 0, 0, "", "", "", "", "") == -1,
            "empty domain");
    T_CHECK(add(t, 1, 1, "Example.com", 0, 0, 0, "", "", "", "", "") == -1,
            "non-canonical domain");
    T_CHECK(add(t, 1, 1, "a..b", 0, 0, 0, "", "", "", "", "") == -1,
            "empty label");
    T_CHECK(add(t, 1, 1, "example.com.", 0, 0, 0, "", "", "", "", "") == -1,
            "trailing dot");
    T_CHECK(add(t, 1, 1, "a.example", 0, 1, 0, "bad_mx.example", "", "", "",
                "") == -1, "bad mx");
    T_CHECK(add(t, 1, 1, "a.example", 0, SESS_RESULT_COUNT, 0, "", "", "",
                "", "") == -1, "result out of range");
    T_CHECK(add(t, 1, 1, "a.example", SESS_POL_COUNT, 0, 0, "", "", "",
                "", "") == -1, "policy out of range");
    rec_set(&r, 1, "a.example", 0, 1, 0, "", "", "", "", "");
    memset(r.reason, 'x', sizeof(r.reason));
    T_CHECK(agg_tab_add_mt(t, &r, 1) == -1, "unterminated reason");
    rec_set(&r, 1, "a.example", 0, 1, 0, "", "", "", "", "");
    memset(r.domain, 'a', sizeof(r.domain));
    T_CHECK(agg_tab_add_mt(t, &r, 1) == -1, "unterminated domain");
    T_CHECK(agg_tab_add_mt(t, NULL, 1) == -1, "NULL record");
    T_CHECK(agg_tab_keys_st(t) == 0 && agg_tab_sessions_st(t) == 0,
            "nothing stored");
    T_CHECK(add(t, 0, 1, "a.example", 0, 1, 0, "", "", "", "", "") == 0
            && agg_tab_keys_st(t) == 0, "n = 0 stores nothing");
    T_CHECK(add(t, 1, 1, "a.example", 0, 1, 0, "", "", "", "", "") == 0,
            "empty mx, ip accepted");
    T_CHECK(add(t, 1, 1, "a.example", SESS_POL_TLSA,
                SESS_STS_POLICY_FETCH_ERROR, 0, "mx.a.example",
                "any helo text", "2001:db8::1", "host", "reason") == 0,
            "last result and policy accepted");
    T_CHECK(agg_tab_keys_st(t) == 2, "two keys");
    /* a parser's record: names trusted, bounds and enums still checked */
    rec_set(&r, 1, "a.example", 0, 1, 0, "", "", "", "", "");
    T_CHECK(agg_tab_add_trusted_mt(t, &r, 2) == 0
            && agg_tab_keys_st(t) == 2 && agg_tab_sessions_st(t) == 4,
            "trusted add counts with the checked one");
    r.result = SESS_RESULT_COUNT;
    T_CHECK(agg_tab_add_trusted_mt(t, &r, 1) == -1, "trusted: enum checked");
    rec_set(&r, 1, "a.example", 0, 1, 0, "", "", "", "", "");
    memset(r.mx, 'x', sizeof(r.mx));
    T_CHECK(agg_tab_add_trusted_mt(t, &r, 1) == -1,
            "trusted: unterminated mx refused");
    rec_set(&r, 1, "", 0, 1, 0, "", "", "", "", "");
    T_CHECK(agg_tab_add_trusted_mt(t, &r, 1) == -1,
            "trusted: empty domain refused");
    T_CHECK(agg_tab_sessions_st(t) == 4, "refused adds stored nothing");
    agg_tab_free(t);
}

/* fill_plain - the plaintext fixture shared by test_plain */
static struct agg_tab *
fill_plain(int evidence)
{
    struct agg_tab *t = agg_tab_create();

    add(t, 3, 19000, "p.example", SESS_POL_NONE, SESS_SUCCESS,
        SESS_F_PLAINTEXT, "mx.p.example", "mx.p.example", "192.0.2.5",
        "tlshost", "");
    add(t, 2, 19000, "p.example", SESS_POL_NONE, SESS_SUCCESS,
        SESS_F_PLAINTEXT, "mx.p.example", "", "192.0.2.5", "quiet",
        "no starttls offered");
    add(t, 4, 19000, "p.example", SESS_POL_NONE,
        SESS_STARTTLS_NOT_SUPPORTED, 0, "mx.p.example", "mx.p.example",
        "192.0.2.5", "tlshost", "");
    add(t, 1, 19000, "p.example", SESS_POL_NONE, SESS_SUCCESS, 0,
        "mx.p.example", "mx.p.example", "192.0.2.5", "tlshost", "");
    add(t, 6, 19000, "q.example", SESS_POL_NONE, SESS_SUCCESS,
        SESS_F_PLAINTEXT, "mx.q.example", "", "192.0.2.6", "quiet", "");
    if (evidence) {
        agg_tab_note_tls_host_mt(t, "tlshost");
        agg_tab_note_tls_host_mt(t, "tlshost");
    }
    return t;
}

/* host_fn - append names to a buffer, separated by ',' */
static void
host_fn(const char *loghost, void *ctx)
{
    char   *buf = ctx;

    strcat(buf, loghost);
    strcat(buf, ",");
}

/* test_plain - AGG_PLAIN_* modes, merge with a normal starttls detail */
static void
test_plain(void)
{
    struct agg_tab *t = fill_plain(1);
    struct agg_view *v;
    const struct agg_group *g;
    char    hosts[256];

    T_CHECK(agg_tab_keys_st(t) == 5, "plain keys %zu", agg_tab_keys_st(t));
    T_CHECK(agg_tab_host_logs_tls_st(t, "tlshost") == 1, "tlshost noted");
    T_CHECK(agg_tab_host_logs_tls_st(t, "quiet") == 0, "quiet not noted");
    T_CHECK(agg_tab_host_logs_tls_st(t, "") == 0, "'' not noted");

    /* auto with evidence: tlshost's plaintext merges with the normal
     * starttls-not-supported detail; quiet's is ignored */
    v = agg_view_create_st(t, AGG_PLAIN_AUTO);
    T_CHECK(agg_view_count(v) == 2, "auto groups");
    g = agg_view_get(v, 0);
    T_CHECK(group_is(g, 19000, "p.example", SESS_POL_NONE, 1, 7, 2, 1),
            "auto group p");
    T_CHECK(g && g->ndetails == 1
            && detail_is(&g->details[0], SESS_STARTTLS_NOT_SUPPORTED,
                         "mx.p.example", "mx.p.example", "192.0.2.5",
                         "tlshost", "", 7), "auto merged detail");
    g = agg_view_get(v, 1);
    T_CHECK(group_is(g, 19000, "q.example", SESS_POL_NONE, 0, 0, 6, 0),
            "ignored-only group still listed");
    v = agg_view_free(v);

    v = agg_view_create_st(t, AGG_PLAIN_ALWAYS);
    g = agg_view_get(v, 0);
    T_CHECK(group_is(g, 19000, "p.example", SESS_POL_NONE, 1, 9, 0, 2),
            "always group p");
    if (g && g->ndetails == 2) {
        T_CHECK(detail_is(&g->details[0], SESS_STARTTLS_NOT_SUPPORTED,
                          "mx.p.example", "", "192.0.2.5", "quiet",
                          "no starttls offered", 2), "always detail 0");
        T_CHECK(detail_is(&g->details[1], SESS_STARTTLS_NOT_SUPPORTED,
                          "mx.p.example", "mx.p.example", "192.0.2.5",
                          "tlshost", "", 7), "always detail 1");
    }
    g = agg_view_get(v, 1);
    T_CHECK(group_is(g, 19000, "q.example", SESS_POL_NONE, 0, 6, 0, 1),
            "always group q");
    v = agg_view_free(v);

    v = agg_view_create_st(t, AGG_PLAIN_NEVER);
    g = agg_view_get(v, 0);
    T_CHECK(group_is(g, 19000, "p.example", SESS_POL_NONE, 1, 4, 5, 1),
            "never group p");
    g = agg_view_get(v, 1);
    T_CHECK(group_is(g, 19000, "q.example", SESS_POL_NONE, 0, 0, 6, 0),
            "never group q");
    v = agg_view_free(v);

    hosts[0] = 0;
    agg_tab_note_tls_host_mt(t, "");
    agg_tab_note_tls_host_mt(t, "alpha");
    agg_tab_walk_tls_hosts_st(t, host_fn, hosts);
    T_CHECK(strcmp(hosts, ",alpha,tlshost,") == 0, "tls hosts '%s'", hosts);
    T_CHECK(agg_tab_host_logs_tls_st(t, "") == 1, "'' noted");
    agg_tab_free(t);

    /* names of one length told apart by their bytes (a note compares
     * lengths first), a prefix and an extension of a name, and the
     * longest name noted (63 bytes) and one too long (64: ignored) */
    {
        char    n63[65], n64[66];
        int     i;

        memset(n63, 'h', 63);
        n63[63] = 0;
        memset(n64, 'h', 64);
        n64[64] = 0;
        t = agg_tab_create();
        for (i = 0; i < 100; i++) {
            agg_tab_note_tls_host_mt(t, i % 3 ? "sender" : "server");
            agg_tab_note_tls_host_mt(t, i % 2 ? "send" : "senders");
        }
        agg_tab_note_tls_host_mt(t, n64);
        agg_tab_note_tls_host_mt(t, n63);
        agg_tab_note_tls_host_mt(t, n63);
        hosts[0] = 0;
        agg_tab_walk_tls_hosts_st(t, host_fn, hosts);
        T_CHECK(strncmp(hosts, "hhhh", 4) == 0 && strlen(hosts) == 64
                + strlen("send,sender,senders,server,"),
                "tls hosts of one length, prefixes, 63 and 64 bytes: '%s'",
                hosts);
        T_CHECK(agg_tab_host_logs_tls_st(t, "server") == 1
                && agg_tab_host_logs_tls_st(t, "sendes") == 0
                && agg_tab_host_logs_tls_st(t, n63) == 1
                && agg_tab_host_logs_tls_st(t, n64) == 0,
                "tls hosts of one length told apart");
        agg_tab_free(t);
    }

    /* auto without any evidence: every plaintext session is ignored */
    t = fill_plain(0);
    v = agg_view_create_st(t, AGG_PLAIN_AUTO);
    g = agg_view_get(v, 0);
    T_CHECK(group_is(g, 19000, "p.example", SESS_POL_NONE, 1, 4, 5, 1),
            "auto without evidence");
    agg_view_free(v);
    hosts[0] = 0;
    agg_tab_walk_tls_hosts_st(t, host_fn, hosts);
    T_CHECK(hosts[0] == 0, "no tls hosts");
    agg_tab_free(t);
}

/* test_growth - more keys than segment 0 takes: the table grows, and
 * every key is found again and counted once */
static void
test_growth(void)
{
    struct agg_tab *t = agg_tab_create();
    struct sess_rec r;
    const struct agg_seg *s;
    char    reason[16];
    size_t  nseg = 0;
    int     i;
    int     bad = 0;

    /* segment 0 takes 8192 keys, segment 1 32768: 50000 need three */
    for (i = 0; i < 100000; i++) {
        snprintf(reason, sizeof(reason), "r%d", i % 50000);
        rec_set(&r, 19000, "g.example", SESS_POL_STS, SESS_CERT_EXPIRED, 0,
                "mx.g.example", "", "192.0.2.1", "h", reason);
        bad += agg_tab_add_mt(t, &r, 1) != 0;
    }
    for (s = t->first; s != NULL; s = s->next)
        nseg++;
    T_CHECK(bad == 0 && nseg == 3, "segments %zu", nseg);
    T_CHECK(agg_tab_keys_st(t) == 50000 && agg_tab_sessions_st(t) == 100000,
            "growth keys %zu", agg_tab_keys_st(t));
    agg_tab_free(t);
}

/* test_list - a list of keys adds one session each; a list with a bad
 * length adds nothing */
static void
test_list(void)
{
    struct agg_tab *t = agg_tab_create();
    struct sess_rec r;
    char    key[AGG_TAB_KEY_MAX];
    char    list[3 * (AGG_TAB_KEY_MAX + 2)];
    size_t  kl;
    size_t  len = 0;
    int     i;

    rec_set(&r, 19000, "l.example", SESS_POL_STS, SESS_SUCCESS, 0,
            "mx.l.example", "", "192.0.2.1", "h", "");
    kl = agg_tab_key_trusted(&r, key);
    for (i = 0; i < 3; i++) {
        list[len++] = (char) (kl >> 8);
        list[len++] = (char) (kl & 0xff);
        memcpy(list + len, key, kl);
        len += kl;
    }
    T_CHECK(agg_tab_add_list_mt(t, list, 0) == 0, "empty list");
    T_CHECK(agg_tab_add_list_mt(t, list, len - 1) == -1
            && agg_tab_add_list_mt(t, list, kl + 3) == -1
            && agg_tab_sessions_st(t) == 0, "cut list refused, nothing added");
    list[0] = list[1] = 0;
    T_CHECK(agg_tab_add_list_mt(t, list, len) == -1
            && agg_tab_sessions_st(t) == 0, "length 0 refused");
    list[0] = (char) (kl >> 8);
    list[1] = (char) (kl & 0xff);
    T_CHECK(agg_tab_add_list_mt(t, list, len) == 0
            && agg_tab_keys_st(t) == 1 && agg_tab_sessions_st(t) == 3,
            "list: one key, 3 sessions");
    agg_tab_free(t);
}

/* key_rnd - xorshift64 */
static uint64_t
key_rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* key_numbers - r's numbers from e: mostly valid, at times one out of
 * its range (refused) */
static void
key_numbers(struct sess_rec *r, uint64_t e)
{
    r->time = (int64_t) (e >> 20);
    r->day = (int32_t) (e >> 40);
    r->result = (uint8_t) (e % 16 < 14 ? e % 3 : e % (SESS_RESULT_COUNT + 2));
    r->policy = (uint8_t) ((e >> 8) % (SESS_POL_COUNT + (e % 64 == 0)));
    r->flags = (uint8_t) ((e >> 16) % 2);
    r->cert = (uint8_t) ((e >> 20) % (SESS_CERT_COUNT + (e % 64 == 1)));
    r->cert_problem = (uint8_t) ((e >> 24) % (SESS_RESULT_COUNT
                                              + (e % 64 == 2)));
}

/* key_field - a string of cap bytes of room: random bytes (no NUL)
 * everywhere, then a NUL at a length mostly short, at times long, at
 * times none at all (an unterminated field); its length, or cap */
static size_t
key_field(uint64_t *x, char *f, size_t cap)
{
    size_t  i, n;
    uint64_t r = key_rnd(x);

    for (i = 0; i < cap; i++)
        f[i] = (char) (1 + key_rnd(x) % 255);
    switch (r % 8) {
    case 0:
        n = 0;
        break;
    case 1:
        n = cap - 1 - (size_t) (r >> 8) % 3;
        break;
    case 2:
        return cap;             /* no NUL */
    default:
        n = (size_t) (r >> 8) % (cap < 40 ? cap : 40);
        break;
    }
    f[n] = 0;
    return n;
}

/* test_key_lens - agg_tab_key_lens() with the strings' lengths given
 * makes the key agg_tab_key_trusted() makes, on generated records:
 * random bytes, every length from 0 to the field's room, unterminated
 * fields, enumerations out of range. A length at or past its field's
 * room, or a domain's of 0, is refused; a wrong length within the room
 * (the maker's word broken: not looked at) makes a key of at most
 * AGG_TAB_KEY_MAX bytes, written within a buffer of exactly that many
 * (made on the heap: the address sanitizer sees a byte past it) */
static void
test_key_lens(void)
{
    static struct sess_rec r;
    static const size_t room[AGG_TAB_STRS] = {
        sizeof(r.domain), sizeof(r.mx), sizeof(r.helo), sizeof(r.ip),
        sizeof(r.loghost), sizeof(r.reason),
    };
    char   *a = xmalloc(AGG_TAB_KEY_MAX);
    char    b[AGG_TAB_KEY_MAX];
    size_t  la, lb, ls[AGG_TAB_STRS], keep;
    uint64_t x = 0x2545f4914f6cdd1dULL;
    int     i, k, bad = 0, keys = 0, refused = 0, wrong = 0, masked = 0;

    for (i = 0; i < 200000; i++) {
        uint64_t e = key_rnd(&x);

        key_numbers(&r, e);
        ls[0] = key_field(&x, r.domain, sizeof(r.domain));
        ls[1] = key_field(&x, r.mx, sizeof(r.mx));
        ls[2] = key_field(&x, r.helo, sizeof(r.helo));
        ls[3] = key_field(&x, r.ip, sizeof(r.ip));
        ls[4] = key_field(&x, r.loghost, sizeof(r.loghost));
        ls[5] = key_field(&x, r.reason, sizeof(r.reason));
        memset(a, 0x5a, AGG_TAB_KEY_MAX);
        memset(b, 0xa5, sizeof(b));
        la = agg_tab_key_lens(&r, ls, a);
        lb = agg_tab_key_trusted(&r, b);
        keys += lb > 0;
        if (la != lb || memcmp(a, b, la) != 0) {
            if (bad++ < 5)
                fprintf(stderr, "  record %d: key of %zu bytes, %zu by "
                        "measure\n", i, la, lb);
            continue;
        }
        if (lb == 0)
            continue;
        /* a clear success whose helo, address or reason is not empty:
         * their lengths masked to 0 (no branch), as measured */
        masked += r.result == SESS_SUCCESS && (r.flags & SESS_F_PLAINTEXT) == 0
            && (ls[2] | ls[3] | ls[5]) != 0;
        /* one length at the room or past it (or a domain's 0):
         * refused */
        k = (int) ((e >> 32) % AGG_TAB_STRS);
        keep = ls[k];
        ls[k] = (e >> 36) % 4 == 0 ? room[k] : (e >> 36) % 4 == 1
            ? room[k] + 1000 : (e >> 36) % 4 == 2 ? (size_t) -1
            : k == 0 ? 0 : room[k];
        if (agg_tab_key_lens(&r, ls, a) != 0) {
            if (bad++ < 5)
                fprintf(stderr, "  record %d: length %d of %zu taken\n", i,
                        k, ls[k]);
        } else {
            refused++;
        }
        /* the longest length within the room, wrong: a key, bounded */
        ls[k] = room[k] - 1;
        la = agg_tab_key_lens(&r, ls, a);
        if (la == 0 || la > AGG_TAB_KEY_MAX) {
            if (bad++ < 5)
                fprintf(stderr, "  record %d: length %d of %zu: key of %zu "
                        "bytes\n", i, k, ls[k], la);
        }
        wrong++;
        ls[k] = keep;
    }
    /* every length at its longest: the largest key fits */
    memset(&r, 'x', sizeof(r));
    r.result = SESS_CERT_EXPIRED;
    r.policy = r.flags = r.cert = r.cert_problem = 0;
    for (k = 0; k < AGG_TAB_STRS; k++)
        ls[k] = room[k] - 1;
    r.domain[ls[0]] = r.mx[ls[1]] = r.helo[ls[2]] = r.ip[ls[3]] = 0;
    r.loghost[ls[4]] = r.reason[ls[5]] = 0;
    la = agg_tab_key_lens(&r, ls, a);
    lb = agg_tab_key_trusted(&r, b);
    if (la != AGG_TAB_KEY_MAX || la != lb || memcmp(a, b, la) != 0)
        bad++;
    xfree(a);
    T_CHECK(bad == 0 && keys > 20000 && refused == keys && wrong > 10000
            && masked > 5000,
            "key by lengths as by measure: %d of 200000 differ (%d keys, "
            "%d clear successes with strings dropped, %d refused, %d wrong "
            "lengths bounded)", bad, keys, masked, refused, wrong);
}

/* view_str - string f (length n, terminated) on the heap alone, in
 * exactly max(SESS_VIEW_ROOM, n + 1) bytes, the room past its NUL
 * garbage: the address sanitizer sees a read past what a view
 * promises */
static char *
view_str(uint64_t *x, const char *f, size_t n)
{
    size_t  cap = n + 1 > SESS_VIEW_ROOM ? n + 1 : SESS_VIEW_ROOM;
    char   *p = xmalloc(cap);
    size_t  i;

    for (i = n + 1; i < cap; i++)
        p[i] = (char) key_rnd(x);
    memcpy(p, f, n + 1);
    return p;
}

/* test_key_view - agg_tab_key_view() of a session's view (each string
 * where its maker holds it: here a heap buffer of its own, of the room
 * a view promises and no more) makes the key agg_tab_key_trusted()
 * makes of the record; sess_view_rec() gives that record back and
 * sess_rec_view() measures it right. Generated records as
 * test_key_lens's (terminated fields, every length to the room,
 * enumerations out of range, garbage past each NUL) */
static void
test_key_view(void)
{
    static struct sess_rec r, back;
    struct sess_view v, w;
    struct span *s[AGG_TAB_STRS] = {&v.domain, &v.mx, &v.helo, &v.ip,
        &v.loghost, &v.reason};
    char   *f[AGG_TAB_STRS] = {r.domain, r.mx, r.helo, r.ip, r.loghost,
        r.reason};
    const size_t cap[AGG_TAB_STRS] = {sizeof(r.domain), sizeof(r.mx),
        sizeof(r.helo), sizeof(r.ip), sizeof(r.loghost), sizeof(r.reason)};
    char   *a = xmalloc(AGG_TAB_KEY_MAX);
    char    b[AGG_TAB_KEY_MAX];
    char   *own[AGG_TAB_STRS];
    size_t  la, lb, n;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    int     i, k, bad = 0, keys = 0, refused = 0;

    for (i = 0; i < 100000; i++) {
        uint64_t e = key_rnd(&x);

        key_numbers(&r, e);
        for (k = 0; k < AGG_TAB_STRS; k++) {
            if ((n = key_field(&x, f[k], cap[k])) == cap[k])
                f[k][n = cap[k] - 1] = 0;       /* terminated: a record */
            own[k] = view_str(&x, f[k], n);
        }
        if (sess_rec_view(&r, &v) != &v)
            bad++;
        for (k = 0; k < AGG_TAB_STRS; k++) {
            if (s[k]->ptr != f[k] || s[k]->len != strlen(f[k]))
                bad++;
            s[k]->ptr = own[k];
        }
        memset(a, 0x5a, AGG_TAB_KEY_MAX);
        memset(b, 0xa5, sizeof(b));
        la = agg_tab_key_view(&v, a);
        lb = agg_tab_key_trusted(&r, b);
        keys += lb > 0;
        if (la != lb || memcmp(a, b, la) != 0) {
            if (bad++ < 5)
                fprintf(stderr, "  record %d: key of %zu bytes by view, %zu "
                        "by record\n", i, la, lb);
        }
        memset(&back, 0x77, sizeof(back));
        sess_view_rec(&v, &back);
        if (back.time != r.time || back.day != r.day
            || back.result != r.result || back.policy != r.policy
            || back.flags != r.flags || back.cert != r.cert
            || back.cert_problem != r.cert_problem
            || strcmp(back.domain, r.domain) != 0
            || strcmp(back.mx, r.mx) != 0 || strcmp(back.helo, r.helo) != 0
            || strcmp(back.ip, r.ip) != 0
            || strcmp(back.loghost, r.loghost) != 0
            || strcmp(back.reason, r.reason) != 0)
            bad++;
        /* one length past its record field's room (or a domain's 0):
         * refused, nothing read there */
        k = (int) ((e >> 32) % AGG_TAB_STRS);
        w = v;
        s[k]->len = k == 0 && (e >> 36) % 2 ? 0 : cap[k];
        if (agg_tab_key_view(&v, a) != 0)
            bad++;
        else
            refused++;
        v = w;
        for (k = 0; k < AGG_TAB_STRS; k++)
            xfree(own[k]);
    }
    xfree(a);
    T_CHECK(bad == 0 && keys > 10000 && refused == 100000,
            "key by view as by record: %d of 100000 differ (%d keys, %d "
            "refused)", bad, keys, refused);
}

/* recent_dump - agg_tab_walk_st: a counter as a line */
static void
recent_dump(const struct sess_rec *r, uint64_t n, void *ctx)
{
    fprintf(ctx, "%d %d %d %d %d %d %s|%s|%s|%s|%s|%s %llu\n", (int) r->day,
            r->policy, r->result, r->flags, r->cert, r->cert_problem,
            r->domain, r->mx, r->helo, r->ip, r->loghost, r->reason,
            (unsigned long long) n);
}

/* recent_text - a table's counters as text (free it) */
static char *
recent_text(const struct agg_tab *t, size_t *len)
{
    char   *text = NULL;
    FILE   *fp = open_memstream(&text, len);

    agg_tab_walk_st(t, recent_dump, fp);
    fclose(fp);
    return text;
}

/* test_list_recent - list adds, which count a key met again by its
 * place among the keys added last (agg_recent), against one add per
 * key: keys drawn again and again from a few hundred, many of one
 * length and one byte apart, then 40,000 keys each new (the memo, which
 * misses, left alone for a while), then a few hundred again; two tables
 * filled in turn on one thread, each by lists cut at random: the same
 * counters */
static void
test_list_recent(void)
{
    static struct sess_rec r;
    struct agg_tab *a[2], *b[2];
    char    key[AGG_TAB_KEY_MAX];
    char   *list[2];
    char   *ta, *tb;
    size_t  kl, len[2] = {0, 0}, la, lb;
    uint64_t x = 0x853c49e6748fea9bULL;
    int     i, k, bad = 0, same = 0;

    for (k = 0; k < 2; k++) {
        a[k] = agg_tab_create();
        b[k] = agg_tab_create();
        list[k] = malloc(8 << 20);
    }
    for (i = 0; i < 100000; i++) {
        uint64_t e = key_rnd(&x);
        unsigned v = (unsigned) (e % 300);

        memset(&r, 0, sizeof(r));
        r.day = 19000 + (int32_t) (v % 3);
        r.result = (uint8_t) (v % 7 == 0 ? SESS_STARTTLS_NOT_SUPPORTED
                              : SESS_SUCCESS);
        r.flags = (uint8_t) (v % 7 == 0);
        /* names of one length, one byte apart */
        if (i >= 20000 && i < 60000)
            snprintf(r.domain, sizeof(r.domain), "n%06d.example", i);
        else
            snprintf(r.domain, sizeof(r.domain), "d%03u.example", v);
        snprintf(r.mx, sizeof(r.mx), "mx%u.d.example", v % 10);
        snprintf(r.ip, sizeof(r.ip), "192.0.2.%u", v % 10);
        snprintf(r.loghost, sizeof(r.loghost), "h%u", v % 4);
        if (v % 7 == 0)
            snprintf(r.reason, sizeof(r.reason), "r%u", v % 5);
        kl = agg_tab_key_trusted(&r, key);
        k = (int) ((e >> 40) % 2);
        if (agg_tab_add_key_mt(b[k], key, kl, 1) != 0)
            bad++;
        list[k][len[k]++] = (char) (kl >> 8);
        list[k][len[k]++] = (char) (kl & 0xff);
        memcpy(list[k] + len[k], key, kl);
        len[k] += kl;
        if ((e >> 48) % 61 == 0) {
            if (agg_tab_add_list_mt(a[k], list[k], len[k]) != 0)
                bad++;
            len[k] = 0;
        }
    }
    for (k = 0; k < 2; k++) {
        if (agg_tab_add_list_mt(a[k], list[k], len[k]) != 0)
            bad++;
        ta = recent_text(a[k], &la);
        tb = recent_text(b[k], &lb);
        same += la == lb && la > 1000 && memcmp(ta, tb, la) == 0;
        free(ta);
        free(tb);
        a[k] = agg_tab_free(a[k]);
        b[k] = agg_tab_free(b[k]);
        free(list[k]);
    }
    T_CHECK(bad == 0 && same == 2, "recent keys: list adds count as one "
            "add per key (%d of 2 tables the same)", same);
}

/* test_dup_segments - one key in two segments counts once, summed */
static void
test_dup_segments(void)
{
    struct agg_tab *t = agg_tab_create();
    struct agg_seg *s1;
    struct agg_slot *slot;
    struct agg_key *k = NULL;
    struct sess_rec r;
    struct walk_ctx w;
    struct agg_view *v;
    const struct agg_group *g;
    char    buf[AGG_KEY_MAX];
    size_t  len;

    /* plaintext in segment 0 */
    rec_set(&r, 19000, "m.example", SESS_POL_STS, SESS_SUCCESS,
            SESS_F_PLAINTEXT, "mx.m.example", "", "192.0.2.7", "h", "");
    agg_tab_add_mt(t, &r, 2);
    /* a writer that found segment 0 full grew the table and, having
     * missed the copy in segment 0, claimed the same key in segment 1 */
    s1 = agg_seg_grow(t->first);
    T_CHECK(s1 == agg_seg_grow(t->first), "second grow links nothing");
    len = agg_key_encode(&r, buf);
    slot = agg_seg_claim(t, s1, agg_key_hash(buf, len), buf, len, &k);
    T_CHECK(slot != NULL && k == NULL, "claimed in segment 1");
    atomic_fetch_add_explicit(&atomic_load(&slot->key)->count, 3,
                              memory_order_relaxed);
    agg_tab_add_mt(t, &r, 1);           /* finds segment 0's copy */
    /* a normal starttls-not-supported detail with the same fields,
     * new, so it goes to segment 1 */
    rec_set(&r, 19000, "m.example", SESS_POL_STS,
            SESS_STARTTLS_NOT_SUPPORTED, 0, "mx.m.example", "", "192.0.2.7",
            "h", "");
    agg_tab_add_mt(t, &r, 10);

    T_CHECK(agg_tab_keys_st(t) == 2, "dup keys %zu", agg_tab_keys_st(t));
    T_CHECK(agg_tab_sessions_st(t) == 16, "dup sessions");
    memset(&w, 0, sizeof(w));
    agg_tab_walk_st(t, walk_fn, &w);
    T_CHECK(w.visits == 2 && w.sum == 16 && !w.dup, "dup walk %zu",
            w.visits);
    v = agg_view_create_st(t, AGG_PLAIN_ALWAYS);
    g = agg_view_get(v, 0);
    T_CHECK(agg_view_count(v) == 1
            && group_is(g, 19000, "m.example", SESS_POL_STS, 0, 16, 0, 1)
            && detail_is(&g->details[0], SESS_STARTTLS_NOT_SUPPORTED,
                         "mx.m.example", "", "192.0.2.7", "h", "", 16),
            "dup view: one detail of 16");
    agg_view_free(v);
    v = agg_view_create_st(t, AGG_PLAIN_NEVER);
    T_CHECK(group_is(agg_view_get(v, 0), 19000, "m.example", SESS_POL_STS,
                     0, 10, 6, 1), "dup view, never: 6 ignored");
    agg_view_free(v);
    agg_tab_free(t);
}

/* test_loghosts - the view's log hosts: all keys (counted or not, in
 * any segment), distinct per day, and over all days */
static void
test_loghosts(void)
{
    struct agg_tab *t = agg_tab_create();
    struct agg_view *v;
    int32_t day;

    v = agg_view_create_st(t, AGG_PLAIN_AUTO);
    T_CHECK(agg_view_loghosts(v, NULL) == 0, "no keys, no hosts");
    agg_view_free(v);
    add(t, 1, 19000, "a.example", SESS_POL_STS, SESS_SUCCESS, 0,
        "mx.a.example", NULL, NULL, "h1", NULL);
    add(t, 2, 19000, "b.example", SESS_POL_STS, SESS_SUCCESS, 0,
        "mx.b.example", NULL, NULL, "h1", NULL);
    add(t, 1, 19000, "c.example", SESS_POL_STS, SESS_SUCCESS,
        SESS_F_PLAINTEXT, "mx.c.example", "", "192.0.2.1", "h2", "");
    add(t, 1, 19001, "a.example", SESS_POL_STS, SESS_VALIDATION_FAILURE, 0,
        "mx.a.example", "", "192.0.2.2", "h2", "x");
    add(t, 1, 19001, "a.example", SESS_POL_STS, SESS_SUCCESS, 0,
        "mx.a.example", NULL, NULL, "", NULL);
    /* plaintext of h2 is ignored (h2 logs no TLS), yet h2 is a host */
    v = agg_view_create_st(t, AGG_PLAIN_AUTO);
    day = 19000;
    T_CHECK(agg_view_loghosts(v, &day) == 2, "day 19000: h1, h2");
    day = 19001;
    T_CHECK(agg_view_loghosts(v, &day) == 2, "day 19001: h2, \"\"");
    day = 19002;
    T_CHECK(agg_view_loghosts(v, &day) == 0, "day 19002: none");
    T_CHECK(agg_view_loghosts(v, NULL) == 3, "all days: h1, h2, \"\"");
    agg_view_free(v);
    agg_tab_free(t);
    /* hosts that end as others do, keys that end alike: a key whose end
     * is the last key's log host and reason, but not after a NUL, has
     * another host */
    t = agg_tab_create();
    add(t, 1, 19000, "a.example", SESS_POL_STS, SESS_SUCCESS, 0, NULL,
        NULL, NULL, "h.example", NULL);
    add(t, 1, 19000, "a.example", SESS_POL_STS, SESS_SUCCESS, 0, NULL,
        NULL, NULL, "ah.example", NULL);
    add(t, 1, 19000, "a.example", SESS_POL_STS, SESS_SUCCESS, 0, NULL,
        NULL, NULL, "bah.example", NULL);
    add(t, 1, 19000, "b.example", SESS_POL_STS, SESS_CERT_EXPIRED, 0,
        "mx.example", NULL, NULL, "h.example", "x");
    add(t, 1, 19000, "b.example", SESS_POL_STS, SESS_CERT_EXPIRED, 0,
        "mx.example", NULL, NULL, "h.example", "y");
    add(t, 1, 19000, "b.example", SESS_POL_STS, SESS_CERT_EXPIRED, 0,
        "mx.example", NULL, NULL, "ch.example", "y");
    add(t, 1, 19001, "b.example", SESS_POL_STS, SESS_CERT_EXPIRED, 0,
        "mx.example", NULL, NULL, "ch.example", "y");
    v = agg_view_create_st(t, AGG_PLAIN_AUTO);
    day = 19000;
    T_CHECK(agg_view_loghosts(v, &day) == 4, "suffix hosts: %zu of 4",
            agg_view_loghosts(v, &day));
    day = 19001;
    T_CHECK(agg_view_loghosts(v, &day) == 1, "suffix hosts, day 19001");
    agg_view_free(v);
    agg_tab_free(t);
}

/* The concurrent test: NADD records over about NKEY distinct keys. */
#ifdef __SANITIZE_THREAD__
#define NADD 40000                      /* tsan is 10x to 50x slower */
#define NROUND 1
#else
#define NADD 200000
#define NROUND 3
#endif
#define NKEY 20011
#define NTHREAD 4

static struct sess_rec *recs;           /* the NKEY records, made once */

/* gen_key - record id of the concurrent test into r */
static void
gen_key(unsigned id, struct sess_rec *r)
{
    char    domain[32];
    char    mx[48];
    char    ip[IPADDR_MAX + 1];
    char    host[16];
    char    reason[32];
    int     result = id % 5 == 0 ? SESS_SUCCESS : 1 + (int) (id % 11);

    snprintf(domain, sizeof(domain), "d%u.example", id % 97);
    snprintf(mx, sizeof(mx), "mx%u.d%u.example", id % 7, id % 97);
    if (id % 2)
        snprintf(ip, sizeof(ip), "192.0.2.%u", id % 251);
    else
        snprintf(ip, sizeof(ip), "2001:db8::%x", id % 509);
    snprintf(host, sizeof(host), "h%u", id % 4);
    snprintf(reason, sizeof(reason), "r%u", id);
    rec_set(r, 19000 + (int32_t) (id % 3), domain, (int) (id % 3), result,
            id % 13 == 0 ? SESS_F_PLAINTEXT : 0, mx, id % 3 ? mx : "", ip,
            host, reason);
}

/* gen - record number i of the concurrent test in *rp, and its count */
static uint64_t
gen(size_t i, const struct sess_rec **rp)
{
    size_t  id;

    if (recs == NULL) {                 /* first call: before any thread */
        recs = calloc(NKEY, sizeof(*recs));
        for (id = 0; id < NKEY; id++)
            gen_key((unsigned) id, &recs[id]);
    }
    *rp = &recs[i % NKEY];
    return 1 + i % 3;
}

struct worker {
    struct agg_tab *t;
    int     id;
    int     bad;
};

/* worker_list - queue n sessions of r's key in list (of *len bytes),
 * adding the list first when it is full */
static void
worker_list(struct worker *w, char *list, size_t cap, size_t *len,
            const struct sess_rec *r, uint64_t n)
{
    char    key[AGG_TAB_KEY_MAX];
    size_t  kl = agg_tab_key_trusted(r, key);

    if (kl == 0) {
        w->bad++;
        return;
    }
    while (n-- > 0) {
        if (cap - *len < kl + 2) {
            w->bad += agg_tab_add_list_mt(w->t, list, *len) != 0;
            *len = 0;
        }
        list[(*len)++] = (char) (kl >> 8);
        list[(*len)++] = (char) (kl & 0xff);
        memcpy(list + *len, key, kl);
        *len += kl;
    }
}

/* worker_run - add every record once; threads 2 and 3 run backwards,
 * threads 1 and 3 add lists of keys */
static void *
worker_run(void *arg)
{
    struct worker *w = arg;
    const struct sess_rec *r;
    char    list[4096];
    size_t  len = 0;
    uint64_t n;
    size_t  j;
    size_t  i;

    for (j = 0; j < NADD; j++) {
        i = w->id < 2 ? j : NADD - 1 - j;
        n = gen(i, &r);
        if (w->id % 2 == 1)
            worker_list(w, list, sizeof(list), &len, r, n);
        else if (agg_tab_add_mt(w->t, r, n) != 0)
            w->bad++;
        if (j % 1000 == 0)
            agg_tab_note_tls_host_mt(w->t, j % 2000 ? "h1" : "h3");
    }
    w->bad += agg_tab_add_list_mt(w->t, list, len) != 0;
    return NULL;
}

/* key_cmp - qsort comparator for canonical key strings */
static int
key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* distinct_keys - count distinct keys of the generated records, computed
 * without the table: the same clearing rule, then sort and unique */
static size_t
distinct_keys(void)
{
    char  **keys = calloc(NKEY, sizeof(*keys));
    const struct sess_rec *rp;
    size_t  i;
    size_t  n = 0;
    int     clear;

    for (i = 0; i < NKEY; i++) {
        gen(i, &rp);
        clear = rp->result == SESS_SUCCESS
            && !(rp->flags & SESS_F_PLAINTEXT);
        keys[i] = malloc(1024);
        snprintf(keys[i], 1024, "%d|%d|%d|%d|%s|%s|%s|%s|%s|%s", rp->day,
                 rp->policy, rp->result, rp->flags, rp->domain,
                 rp->mx, clear ? "" : rp->helo,
                 clear ? "" : rp->ip, rp->loghost, clear ? "" : rp->reason);
    }
    qsort(keys, NKEY, sizeof(*keys), key_cmp);
    for (i = 0; i < NKEY; i++)
        if (i == 0 || strcmp(keys[i], keys[i - 1]) != 0)
            n++;
    for (i = 0; i < NKEY; i++)
        free(keys[i]);
    free(keys);
    return n;
}

/* views_equal - 1 when two views have identical groups and details */
static int
views_equal(const struct agg_view *a, const struct agg_view *b)
{
    size_t  i;
    size_t  j;

    if (agg_view_count(a) != agg_view_count(b))
        return 0;
    for (i = 0; i < agg_view_count(a); i++) {
        const struct agg_group *x = agg_view_get(a, i);
        const struct agg_group *y = agg_view_get(b, i);

        if (!group_is(x, y->day, y->domain, y->policy, y->success,
                      y->failure, y->plain_ignored, y->ndetails)) {
            fprintf(stderr, "group %zu differs\n", i);
            return 0;
        }
        for (j = 0; j < x->ndetails; j++) {
            const struct agg_detail *e = &y->details[j];

            if (!detail_is(&x->details[j], e->result, e->mx, e->helo, e->ip,
                           e->loghost, e->reason, e->count)) {
                fprintf(stderr, "group %zu detail %zu differs\n", i, j);
                return 0;
            }
        }
    }
    return 1;
}

/* copy_fn, copy_host_fn - re-add walked keys: a save/load round trip */
static void
copy_fn(const struct sess_rec *r, uint64_t n, void *ctx)
{
    if (agg_tab_add_mt(ctx, r, n) != 0)
        T_CHECK(0, "walked record refused");
}

static void
copy_host_fn(const char *loghost, void *ctx)
{
    agg_tab_note_tls_host_mt(ctx, loghost);
}

/* test_threads - 4 writers on one table equal one writer, exactly */
static void
test_threads(void)
{
    struct agg_tab *t = agg_tab_create();
    struct agg_tab *ref = agg_tab_create();
    struct agg_tab *copy;
    struct worker w[NTHREAD];
    pthread_t tid[NTHREAD];
    const struct sess_rec *r;
    struct agg_view *va;
    struct agg_view *vb;
    struct walk_ctx wc;
    uint64_t total = 0;
    size_t  nkeys = distinct_keys();
    size_t  i;
    int     bad = 0;
    int     mode;

    for (i = 0; i < NTHREAD; i++) {
        w[i].t = t;
        w[i].id = (int) i;
        w[i].bad = 0;
        if (pthread_create(&tid[i], NULL, worker_run, &w[i]) != 0) {
            T_CHECK(0, "pthread_create");
            return;
        }
    }
    for (i = 0; i < NTHREAD; i++) {
        pthread_join(tid[i], NULL);
        bad += w[i].bad;
    }
    T_CHECK(bad == 0, "%d adds refused", bad);

    for (i = 0; i < NADD; i++) {
        uint64_t n = gen(i, &r);

        agg_tab_add_mt(ref, r, NTHREAD * n);
        total += NTHREAD * n;
    }
    agg_tab_note_tls_host_mt(ref, "h3");
    agg_tab_note_tls_host_mt(ref, "h1");

    T_CHECK(agg_tab_keys_st(t) == nkeys, "keys %zu, want %zu",
            agg_tab_keys_st(t), nkeys);
    T_CHECK(agg_tab_keys_st(ref) == nkeys, "ref keys %zu, want %zu",
            agg_tab_keys_st(ref), nkeys);
    T_CHECK(agg_tab_sessions_st(t) == total, "sessions %llu, want %llu",
            (unsigned long long) agg_tab_sessions_st(t),
            (unsigned long long) total);
    for (mode = AGG_PLAIN_AUTO; mode <= AGG_PLAIN_NEVER; mode++) {
        va = agg_view_create_st(t, (enum agg_plain) mode);
        vb = agg_view_create_st(ref, (enum agg_plain) mode);
        T_CHECK(agg_view_count(va) > 100 && views_equal(va, vb),
                "mode %d: threaded view differs from reference", mode);
        agg_view_free(va);
        agg_view_free(vb);
    }
    memset(&wc, 0, sizeof(wc));
    agg_tab_walk_st(t, walk_fn, &wc);
    T_CHECK(wc.visits == nkeys && wc.sum == total && !wc.dup && !wc.cleared,
            "walk visits %zu sum %llu dup %d", wc.visits,
            (unsigned long long) wc.sum, wc.dup);

    copy = agg_tab_create();
    agg_tab_walk_st(t, copy_fn, copy);
    agg_tab_walk_tls_hosts_st(t, copy_host_fn, copy);
    va = agg_view_create_st(copy, AGG_PLAIN_AUTO);
    vb = agg_view_create_st(ref, AGG_PLAIN_AUTO);
    T_CHECK(agg_tab_keys_st(copy) == nkeys && views_equal(va, vb),
            "walked copy differs from reference");
    agg_view_free(va);
    agg_view_free(vb);
    agg_tab_free(copy);
    agg_tab_free(t);
    agg_tab_free(ref);
}

/* name_cmp - qsort: strings by strcmp */
static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* doms_right - 1 when every group's dom is its domain's place among
 * the view's distinct domains in strcmp order (found the long way: a
 * qsort of the names and a binary search) */
static int
doms_right(const struct agg_view *v)
{
    size_t  n = agg_view_count(v);
    const char **names = xmalloc((n ? n : 1) * sizeof(*names));
    const char **at;
    size_t  nd = 0;
    size_t  i;
    int     ok = 1;

    for (i = 0; i < n; i++)
        names[i] = agg_view_get(v, i)->domain;
    qsort(names, n, sizeof(*names), name_cmp);
    for (i = 0; i < n; i++)
        if (nd == 0 || strcmp(names[nd - 1], names[i]) != 0)
            names[nd++] = names[i];
    if (agg_view_domains(v) != nd) {
        fprintf(stderr, "%zu domains, want %zu\n", agg_view_domains(v), nd);
        ok = 0;
    }
    for (i = 0; ok && i < n; i++) {
        const struct agg_group *g = agg_view_get(v, i);

        at = bsearch(&g->domain, names, nd, sizeof(*names), name_cmp);
        if (at == NULL || g->dom != (size_t) (at - names)) {
            fprintf(stderr, "group %zu (%s): dom %zu\n", i, g->domain,
                    g->dom);
            ok = 0;
        }
    }
    free(names);
    return ok;
}

/* par_fill - a table for test_par_view: keys keys over days days, the
 * names alike in their first 12 bytes in runs of `alike` (long runs of
 * equal sort numbers, some cut between parts), a second policy for
 * some domains, failures with details, ignored plaintext */
static void
par_fill(struct agg_tab *t, size_t keys, int days, size_t alike,
         int in_order)
{
    char    dom[64];
    char    mx[64];
    size_t  i;

    for (i = 0; i < keys; i++) {
        /* a domain on one or two days, not in the order of its name
         * unless in_order (then the runs the keys are sorted in hold
         * names of different ranges, as a log that brings its domains
         * in order makes them) */
        size_t  d = in_order ? i : (i * 7919) % keys;
        int32_t day = 20000 + (int32_t) (d % (size_t) days);

        snprintf(dom, sizeof(dom), "shared-name-%zu.d%zu.example",
                 d / alike, d);
        snprintf(mx, sizeof(mx), "mx%zu.example", d % 5);
        switch (d % 7) {
        case 0:
            add(t, 1 + d % 3, day, dom, SESS_POL_STS, SESS_SUCCESS, 0,
                NULL, NULL, NULL, "h1", NULL);
            break;
        case 1:
            add(t, 2, day, dom, SESS_POL_NONE, SESS_CERT_EXPIRED, 0, mx,
                "helo", "192.0.2.1", "h1", "expired");
            break;
        case 2:
            add(t, 1, day, dom, SESS_POL_NONE, SESS_STARTTLS_NOT_SUPPORTED,
                SESS_F_PLAINTEXT, mx, NULL, "192.0.2.2", "h2", NULL);
            break;
        case 3:
            add(t, 1, day + 1, dom, SESS_POL_NONE, SESS_SUCCESS, 0, NULL,
                NULL, NULL, "h1", NULL);
            /* FALLTHROUGH */
        default:
            add(t, 3, day, dom, SESS_POL_NONE, SESS_SUCCESS, 0, NULL, NULL,
                NULL, "h1", NULL);
            break;
        }
    }
    agg_tab_note_tls_host_mt(t, "h1");
}

/* test_par_view - views made on 2, 3, 7, 17 and 20 threads (runs
 * sorted on threads and merged, parts past AGG_ORD_PAR_MIN keys) equal
 * the one-thread view, group by group, with the same domain places;
 * those places are right; on one day and on several, with runs of
 * alike names long and short (keys of equal numbers in every sorted
 * run), the names made in order of their ranks or not */
static void
test_par_view(void)
{
    static const int jobs[] = {2, 3, 7, AGG_ORD_RUNS_MAX, 20};
    static const struct {
        size_t  keys;
        int     days;
        size_t  alike;
        int     in_order;
    } shape[] = {
        {AGG_ORD_PAR_MIN + 5000, 1, 1, 0},
        {AGG_ORD_PAR_MIN + 5000, 5, 3, 0},
        {AGG_ORD_PAR_MIN / 2, 3, 1, 0},         /* below: one part */
        {AGG_ORD_PAR_MIN + 100, 2, 40000, 0},   /* runs past a cut */
        {AGG_ORD_PAR_MIN + 5000, 1, 1, 1},
        {AGG_ORD_PAR_MIN + 100, 1, 30000, 1},
    };
    struct agg_tab *t;
    struct agg_view *v1;
    struct agg_view *vn;
    size_t  s;
    size_t  j;
    size_t  i;
    int     same;

    for (s = 0; s < sizeof(shape) / sizeof(shape[0]); s++) {
        t = agg_tab_create();
        par_fill(t, shape[s].keys, shape[s].days, shape[s].alike,
                 shape[s].in_order);
        v1 = agg_view_create_st(t, AGG_PLAIN_AUTO);
        T_CHECK(agg_view_count(v1) > shape[s].keys / 2 && doms_right(v1),
                "shape %zu: one thread: %zu groups, places", s,
                agg_view_count(v1));
        for (j = 0; j < sizeof(jobs) / sizeof(jobs[0]); j++) {
            vn = agg_view_create_par_st(t, AGG_PLAIN_AUTO, jobs[j]);
            same = views_equal(vn, v1)
                && agg_view_domains(vn) == agg_view_domains(v1)
                && agg_view_loghosts(vn, NULL) == agg_view_loghosts(v1, NULL);
            for (i = 0; same && i < agg_view_count(v1); i++)
                same = agg_view_get(vn, i)->dom == agg_view_get(v1, i)->dom;
            T_CHECK(same, "shape %zu: -j %d view differs", s, jobs[j]);
            agg_view_free(vn);
        }
        agg_view_free(v1);
        agg_tab_free(t);
    }
}

/* a thread of test_par_collect's fill: keys [lo, hi) over 3 days and
 * 300 log hosts, with a key given back and one left dead now and then
 * (agg_key_drop: nkeys counts the dead one, not the one given back) */
struct pc_fill {
    struct agg_tab *t;
    size_t  lo;
    size_t  hi;
};

static void *
pc_fill_run(void *arg)
{
    struct pc_fill *f = arg;
    struct agg_key *k1;
    struct agg_key *k2;
    char    dom[64];
    char    host[32];
    size_t  i;

    for (i = f->lo; i < f->hi; i++) {
        snprintf(dom, sizeof(dom), "pc-%zu.example", (i * 7919) % 200003);
        snprintf(host, sizeof(host), "loghost-%zu", (i / 97) % 300);
        add(f->t, 1, 20000 + (int32_t) (i % 3), dom, SESS_POL_NONE,
            i % 5 ? SESS_SUCCESS : SESS_CERT_EXPIRED, 0,
            i % 5 ? NULL : "mx.example", NULL, NULL, host,
            i % 5 ? NULL : "expired");
        if (i % 10007 == 0) {
            k1 = agg_key_new(f->t, "dead key bytes", 14);
            k2 = agg_key_new(f->t, "given back", 10);
            agg_key_drop(f->t, k1);     /* not the last: left dead */
            agg_key_drop(f->t, k2);     /* the last: given back */
        }
    }
    return NULL;
}

/* test_par_collect - the keys' numbers collected by 2, 3 and 7 threads
 * (agg_ord_collect over runs of blocks) equal those of one thread: the
 * same keys in the same order, the same sums and digits that vary, the
 * same (day, log host) pairs in the same order; keys made by three
 * threads (interleaved blocks), dead keys among them */
static void
test_par_collect(void)
{
    static const int jobs[] = {2, 3, 7};
    struct agg_tab *t = agg_tab_create();
    struct pc_fill f[3];
    pthread_t th[3];
    struct agg_ords o1;
    struct agg_ords on;
    struct agg_view *v1 = xcalloc(1, sizeof(*v1));
    struct agg_view *vn;
    const struct agg_blk *b;
    size_t  total = 0;
    size_t  i;
    size_t  j;
    int     same;

    for (i = 0; i < 3; i++) {
        f[i].t = t;
        f[i].lo = i * 60000;
        f[i].hi = (i + 1) * 60000;
        pthread_create(&th[i], NULL, pc_fill_run, &f[i]);
    }
    for (i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    for (b = atomic_load(&t->blks); b != NULL; b = b->next)
        total += (size_t) (b->used - (const char *) (b + 1));
    T_CHECK(total >= 2 * AGG_OCOLL_PAR_MIN, "blocks %zu bytes", total);
    agg_ord_collect(t, &o1, v1, 1);
    T_CHECK(o1.n == agg_tab_keys_st(t) && v1->nhosts == 900,
            "one thread: %zu keys, %zu pairs", o1.n, v1->nhosts);
    for (j = 0; j < sizeof(jobs) / sizeof(jobs[0]); j++) {
        vn = xcalloc(1, sizeof(*vn));
        agg_ord_collect(t, &on, vn, jobs[j]);
        same = on.n == o1.n && on.bytes == o1.bytes && on.vary == o1.vary
            && vn->nhosts == v1->nhosts;
        for (i = 0; same && i < o1.n; i++)
            same = on.a[i].k0 == o1.a[i].k0 && on.a[i].k1 == o1.a[i].k1
                && on.a[i].key == o1.a[i].key;
        for (i = 0; same && i < v1->nhosts; i++)
            same = vn->hosts[i].day == v1->hosts[i].day
                && strcmp(vn->hosts[i].name, v1->hosts[i].name) == 0;
        T_CHECK(same, "-j %d: collected keys or pairs differ", jobs[j]);
        free(on.a);
        agg_view_free(vn);
    }
    free(o1.a);
    agg_view_free(v1);
    agg_tab_free(t);
}

/* ord_set_ref - agg_ord_set's numbers as the plain code makes them
 * (the first 12 bytes of the name, zero from its end on) */
static void
ord_set_ref(struct agg_ord *o, const struct agg_key *k)
{
    unsigned char b[12] = {0};
    const char *dom = k->blob + AGG_KEY_HEAD;
    uint32_t day;
    size_t  i;

    memcpy(&day, k->blob, sizeof(day));
    for (i = 0; i < sizeof(b) && dom[i] != 0; i++)
        b[i] = (unsigned char) dom[i];
    o->k0 = (uint64_t) (day ^ 0x80000000u) << 32 | (uint64_t) b[0] << 24
        | (uint64_t) b[1] << 16 | (uint64_t) b[2] << 8 | b[3];
    for (o->k1 = 0, i = 4; i < 12; i++)
        o->k1 = o->k1 << 8 | b[i];
}

/* test_ord_set - agg_ord_set (12 bytes loaded at once, cleared from the
 * name's NUL by a zero-byte test, for keys long enough) against the
 * plain code: every name length from 0 to 20, bytes of every value
 * (high ones too), keys cut short after the name, 200,000 of them */
static void
test_ord_set(void)
{
    union {
        struct agg_key k;
        char    room[sizeof(struct agg_key) + 64];
    } u;
    struct agg_ord a;
    struct agg_ord b;
    uint64_t x = 88172645463325252u;
    size_t  bad = 0;
    size_t  len;
    size_t  i;
    size_t  j;
    size_t  rest;

    for (i = 0; i < 200000; i++) {
        memset(u.room, 0, sizeof(u.room));
        for (j = 0; j < AGG_KEY_HEAD; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            u.k.blob[j] = (char) x;
        }
        len = i % 21;
        for (j = 0; j < len; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            u.k.blob[AGG_KEY_HEAD + j] = (char) (x % 255 + 1);
        }
        /* the rest of the key: none to five more strings' bytes */
        rest = 1 + (i / 21) % 24;
        for (j = 1; j < rest; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            u.k.blob[AGG_KEY_HEAD + len + j] = (char) (x % 3 ? x : 0);
        }
        u.k.len = (uint32_t) (AGG_KEY_HEAD + len + rest);
        agg_ord_set(&a, &u.k);
        ord_set_ref(&b, &u.k);
        bad += a.k0 != b.k0 || a.k1 != b.k1 || a.key != &u.k;
    }
    T_CHECK(bad == 0, "agg_ord_set: %zu of 200000 keys differ", bad);
}

/* cert_walk_fn - remember the certificate evidence the walk hands out */
static void
cert_walk_fn(const struct sess_rec *r, uint64_t n, void *ctx)
{
    int    *seen = ctx;

    seen[r->cert * 16 + r->cert_problem] += (int) n;
}

/* test_cert - certificate evidence is kept per key (the walk, hence saved
 * state, has it) but never splits a report row */
static void
test_cert(void)
{
    struct agg_tab *t = agg_tab_create();
    struct agg_view *v;
    const struct agg_group *g;
    struct sess_rec r;
    int     seen[SESS_CERT_COUNT * 16];

    rec_set(&r, 19000, "c.example", SESS_POL_NONE, SESS_SUCCESS, 0,
            "mx.c.example", "", "192.0.2.5", "h1", "");
    r.cert = SESS_CERT_TRUSTED;
    agg_tab_add_mt(t, &r, 2);
    r.cert = SESS_CERT_UNTRUSTED;
    r.cert_problem = SESS_CERT_EXPIRED;
    agg_tab_add_mt(t, &r, 3);
    rec_set(&r, 19000, "c.example", SESS_POL_NONE, SESS_CERT_NOT_TRUSTED, 0,
            "mx.c.example", "", "192.0.2.5", "h1", "untrusted-issuer");
    r.cert = SESS_CERT_UNTRUSTED;
    agg_tab_add_mt(t, &r, 1);
    r.cert = SESS_CERT_UNKNOWN;
    agg_tab_add_mt(t, &r, 1);
    r.cert = SESS_CERT_COUNT;
    T_CHECK(agg_tab_add_mt(t, &r, 1) != 0, "cert out of range refused");
    T_CHECK(agg_tab_keys_st(t) == 4, "cert keys %zu", agg_tab_keys_st(t));
    memset(seen, 0, sizeof(seen));
    agg_tab_walk_st(t, cert_walk_fn, seen);
    T_CHECK(seen[SESS_CERT_TRUSTED * 16 + SESS_SUCCESS] == 2
            && seen[SESS_CERT_UNTRUSTED * 16 + SESS_CERT_EXPIRED] == 3,
            "walk keeps certificate evidence");
    v = agg_view_create_st(t, AGG_PLAIN_AUTO);
    g = agg_view_get(v, 0);
    T_CHECK(group_is(g, 19000, "c.example", SESS_POL_NONE, 5, 2, 0, 1),
            "evidence does not split rows");
    T_CHECK(g && detail_is(&g->details[0], SESS_CERT_NOT_TRUSTED,
                           "mx.c.example", "", "192.0.2.5", "h1",
                           "untrusted-issuer", 2), "merged detail");
    agg_view_free(v);
    agg_tab_free(t);
}

int
main(void)
{
    int     round;

    test_basic();
    test_cert();
    test_invalid();
    test_plain();
    test_growth();
    test_list();
    test_key_lens();
    test_key_view();
    test_list_recent();
    test_dup_segments();
    test_loghosts();
    test_par_view();
    test_par_collect();
    test_ord_set();
    for (round = 0; round < NROUND; round++)
        test_threads();
    free(recs);
    return T_DONE();
}
