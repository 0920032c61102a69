/* tests/t_corr.c - the correlator core's emit step against the plain
 * code
 *
 * The emit step makes a session's recipient domain canonical through a
 * memo of the domains it saw (corr_emit_dom in parsers/corr.c), left
 * alone while it misses. Here a correlator of a made-up MTA hands over
 * sessions of generated domains (valid, upper case, numeric, bad bytes,
 * empty labels, long, with a final dot; few repeated, then many new,
 * then few again: the memo hit, missed, set aside and asked again), and
 * each record's domain and disposition are checked against what
 * dname_norm() and dname_is_numeric() make of the same text; and the
 * lengths that go with the record (host names and addresses measured
 * 32 bytes at a time, corr_strlen32) against strlen().
 */
#include "../parsers/corr.h"
#include "../util/dname.h"
#include "testlib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct t_got {
    int     n;
    int     badlen;                 /* a length that is not strlen() */
    enum sess_disp d;
    size_t  dlen;
    char    domain[DNAME_MAX + 1];
};

static void
t_session_lens(void *ctx, const struct sess_rec *r,
               const struct sess_lens *l, enum sess_disp d)
{
    struct t_got *g = ctx;

    g->n++;
    g->badlen += l->mx != strlen(r->mx) || l->ip != strlen(r->ip)
        || l->loghost != strlen(r->loghost);
    g->d = d;
    g->dlen = l->domain;
    memcpy(g->domain, r->domain, sizeof(g->domain));
}

static void
t_tls_host(void *ctx, const char *loghost, size_t len)
{
    (void) ctx;
    (void) loghost;
    (void) len;
}

static int
t_outcome(const struct corr_conn *c, int *plain)
{
    (void) c;
    *plain = 0;
    return SESS_SUCCESS;
}

static void
t_describe(const struct corr_conn *c, struct corr_verdict *v)
{
    (void) c;
    (void) v;
}

struct t_mta {
    struct corr *k;
};

static const struct corr_ops t_ops = {
    .name = "test", .mta = 0,
    .sess_size = sizeof(struct t_mta), .conn_size = sizeof(struct corr_conn),
    .pre_size = 8, .hint = 16, .max_pend = 4, .sweep_every = 1024,
    .outcome = t_outcome, .describe = t_describe,
};

/* t_rand - a small deterministic generator */
static uint64_t
t_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* t_name - a hostile name into out (its length): mostly names, some
 * upper case, numeric, bad bytes, empty labels, final dots, long */
static size_t
t_name(uint64_t *s, unsigned pool, char *out)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789-.";
    uint64_t seed = pool ? t_rand(s) % pool : t_rand(s);
    uint64_t r = seed * 0x9e3779b97f4a7c15ULL + 1;
    size_t  n, i, len;

    switch (r % 11) {
    case 0:
        return (size_t) snprintf(out, 300, "%u.%u.%u.%u", (unsigned) (r >> 8)
                                 % 256, (unsigned) (r >> 16) % 256,
                                 (unsigned) (r >> 24) % 256,
                                 (unsigned) (r >> 32) % 256);
    case 1:
        n = (size_t) snprintf(out, 300, "MX%u.Example.TEST",
                              (unsigned) (r >> 8) % 97);
        return n;
    case 2:
        n = (size_t) snprintf(out, 300, "d%u.example.", (unsigned) (r >> 8)
                              % 89);
        return n;
    case 3:
        len = 1 + (size_t) (r >> 8) % 280;
        for (i = 0; i < len; i++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            out[i] = alpha[(r >> 33) % (sizeof(alpha) - 1)];
        }
        return len;
    case 4:
        len = 1 + (size_t) (r >> 8) % 40;
        for (i = 0; i < len; i++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            out[i] = (char) (r >> 40);
        }
        return len;
    case 5:
        return (size_t) snprintf(out, 300, "a..d%u.example",
                                 (unsigned) (r >> 8) % 13);
    default:
        len = 10 + (size_t) (r >> 8) % 56;
        for (i = 0; i < len; i++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            out[i] = alpha[(r >> 33) % 36];
        }
        out[(r >> 20) % (len - 4) + 2] = '.';
        return len;
    }
}

/* t_emit_dom - sessions of generated domains against the plain code */
static void
t_emit_dom(void)
{
    struct sess_conf conf;
    struct sess_cb cb;
    struct t_got got;
    struct t_mta *m;
    struct corr_proc *p;
    static const char key[] = "host\0test\0001";
    uint64_t s = 0x2545f4914f6cdd1dULL;
    int     new, phase, i, bad = 0, sessions = 0, counted = 0;
    char    name[300];

    memset(&conf, 0, sizeof(conf));
    memset(&cb, 0, sizeof(cb));
    memset(&got, 0, sizeof(got));
    cb.session_lens = t_session_lens;
    cb.tls_host = t_tls_host;
    cb.ctx = &got;
    m = corr_sess_create(&conf, &cb, &t_ops);
    p = corr_enter(m->k, key, sizeof(key) - 1, span_make("host", 4), 1,
                   1700000000, NULL, &new);
    T_CHECK(p != NULL && new, "a key");
    for (phase = 0; phase < 5; phase++) {
        /* few names repeated, then every name new, then few again */
        unsigned pool = phase % 2 == 0 ? 40 : 0;

        for (i = 0; i < 20000; i++) {
            size_t  n = t_name(&s, pool, name);
            struct span dom = span_make(name, n);
            char    want[DNAME_MAX + 1];
            int     rc = n > 0 ? dname_norm(name, n, want) : -1;
            int     valid = rc == 0 && !dname_is_numeric(want);

            corr_start(p->cur, sizeof(struct corr_conn), 1, 1700000000);
            /* host names and addresses of 0 to 199 and 0 to 45 bytes,
             * over what was there before */
            memset(p->cur->mx, 'm', (size_t) i % 200);
            p->cur->mx[i % 200] = 0;
            memset(p->cur->ip, '1', (size_t) i % 46);
            p->cur->ip[i % 46] = 0;
            got.n = 0;
            corr_emit(m->k, p, p->cur, &dom, 0);
            sessions++;
            counted += got.d == SESS_D_COUNTED;
            if (got.n != 1
                || (valid ? got.d != SESS_D_COUNTED
                    || strcmp(got.domain, want) != 0
                    || got.dlen != strlen(want)
                    : got.d != SESS_D_BAD_DOMAIN || got.domain[0] != 0
                    || got.dlen != 0)) {
                if (bad++ < 5)
                    fprintf(stderr, "emit: \"%.*s\": disposition %d, "
                            "\"%s\" (%zu)\n", (int) n, name, got.d,
                            got.domain, got.dlen);
            }
        }
    }
    T_CHECK(got.badlen == 0, "emit: the lengths of host names, addresses "
            "and log hosts are their strlen() (%d not)", got.badlen);
    T_CHECK(bad == 0 && sessions == 100000 && counted > 30000
            && counted < sessions,
            "emit: %d sessions of generated domains, %d counted, as "
            "dname_norm() makes them (%d differ)", sessions, counted, bad);
    corr_sess_free(m);
}

int
main(void)
{
    t_emit_dom();
    return T_DONE();
}
