/* tests/t_pfmemo.c - the memories of the Postfix classifier against
 * the plain code
 *
 * pf_parse_peer() remembers the peers it read last and answers a text
 * that begins with one of them without reading it; pf_corr_ops'
 * classify_mt copies what was made canonical of a remembered peer
 * instead of checking it again. Both must give what the plain code
 * gives, on generated hostile texts: peers alike but for a byte, every
 * byte that may end a host, an address or a port after each, texts cut
 * short, hosts ending in ':'.
 */
#include "../parsers/corr.h"
#include "../parsers/pf.h"
#include "../parsers/pf_sess.h"
#include "../parsers/sess_own.h"
#include "../global/sess.h"
#include "../parsers/wrap.h"
#include "../util/htab.h"
#include "../util/ipaddr.h"
#include "../util/span.h"
#include "testfp.h"
#include "testlib.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* t_next - the generator (an LCG) */
static unsigned
t_next(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned) (*x >> 33);
}

/* peers alike but for a byte, of every shape the memory keeps and some
 * it must not: a host ending in ':', a port cut, no ']' */
static const char *const t_peer[] = {
    "mx.example.com[192.0.2.1]:25", "mx.example.com[192.0.2.1]:2",
    "mx.example.com[192.0.2.1]", "mx.example.com[192.0.2.10]:25",
    "mx.example.com", "mx.example.co", "mx.example.com:",
    "mx.example.com:x", "mx.example.com.[192.0.2.1]:25",
    "MX.Example.COM[192.0.2.1]:25", "mx.example.com[2001:DB8::1]:25",
    "mx.example.com[2001:db8::1]:25", "mx.example.com[IPv6:2001:db8::1]",
    "mx.example.com[192.0.2.01]:25", "mx.example.com[]:25",
    "mx.example.com[192.0.2.1", "gmail-smtp-in.l.google.com[74.125.136.26]:25",
    "gmail-smtp-in.l.google.com[74.125.136.27]:25",
    "gmail-smtp-in.l.google.com[173.194.222.26]:25",
    "gmail-smtp-in.l.google.com", "gmail-smtp-in.l.google.com[1.2.3.4]",
    /* more addresses of one host than a set has slots (the set is
     * chosen by the bytes before the first ']' too), ']' in a host */
    "gmail-smtp-in.l.google.com[74.125.136.28]:25",
    "gmail-smtp-in.l.google.com[74.125.136.29]:25",
    "gmail-smtp-in.l.google.com[2a00:1450:4013:c01::1a]:25",
    "a]b.example.com[192.0.2.1]:25", "mx.example.com]x[192.0.2.1]:25",
    ("a-host-name-long-enough-that-its-closing-bracket-is-past-48.example"
     "[192.0.2.1]:25"),
    "1.2.3.4[1.2.3.4]:25", "1.2.3.4", "a[1.2.3.4]:25", "ab", "a:b[1.2.3.4]:25",
    "bad_name!.example[192.0.2.1]:25", "x..y.example[192.0.2.1]:25",
    ("a-host-name-so-long-that-with-its-address-the-peer-is-past-the-kept"
     "-length.example.com[192.0.2.1]:25"),
    ("a-host-name-so-long-that-with-its-address-the-peer-is-just-kept.e"
     "x[192.0.2.1]:25"),
};

/* what may follow a peer: every byte that ends or goes on with a host,
 * an address or a port (sizeof: NUL bytes count) */
#define T_AFTER(s) {s, sizeof(s) - 1}
static const struct {
    const char *text;
    size_t  len;
} t_after[] = {
    T_AFTER(""), T_AFTER(": TLSv1.3 with cipher x"), T_AFTER(":"),
    T_AFTER(": "), T_AFTER(":9"), T_AFTER(":25"), T_AFTER("9"),
    T_AFTER("0: x"), T_AFTER(" "), T_AFTER(","), T_AFTER(", delay=1"),
    T_AFTER("["), T_AFTER("[1.2.3.4]:25"), T_AFTER("]"), T_AFTER("x"),
    T_AFTER(":x"), T_AFTER("::"), T_AFTER(":\0"), T_AFTER(" said: 450"),
    T_AFTER("\0"),
};

/* t_text - a peer, what follows it, a byte changed now and then, cut
 * now and then; its length */
static size_t
t_text(uint64_t *x, char *buf, size_t cap)
{
    const char *p = t_peer[t_next(x) % (sizeof(t_peer) / sizeof(t_peer[0]))];
    unsigned a = t_next(x) % (sizeof(t_after) / sizeof(t_after[0]));
    size_t  pl = strlen(p), fl = t_after[a].len, n;

    if (pl + fl + 1 > cap)
        return 0;
    memcpy(buf, p, pl);
    memcpy(buf + pl, t_after[a].text, fl);
    n = pl + fl;
    if (t_next(x) % 6 == 0 && n > 0)
        buf[t_next(x) % n] = "[]:, .9aZ\0-"[t_next(x) % 11];
    if (t_next(x) % 8 == 0 && n > 0)
        n -= t_next(x) % n;
    return n;
}

/* t_peer_ref - what pf_peer_plain() reads, a byte at a time: the host
 * to the first '[', ' ', ',' or ':' followed by a space or the end,
 * among the first 300 bytes (PF_MAX_PEER); then "[ip]" whose ']' lies
 * among them; then ":digits" */
static int
t_peer_ref(struct span *s, struct pf_event *ev)
{
    const char *p = s->ptr;
    size_t  n = s->len < 300 ? s->len : 300, i, j;

    ev->port = -1;
    for (i = 0; i < n; i++)
        if (p[i] == '[' || p[i] == ' ' || p[i] == ','
            || (p[i] == ':' && (i + 1 >= s->len || p[i + 1] == ' ')))
            break;
    if (i == 0)
        return -1;
    ev->peer_host = span_make(p, i);
    if (i < s->len && p[i] == '[') {
        for (j = i + 1; j < n && p[j] != ']'; j++)
            ;
        if (j >= n)
            return -1;
        ev->peer_ip = span_make(p + i + 1, j - i - 1);
        i = j + 1;
        if (i + 1 < s->len && p[i] == ':' && p[i + 1] >= '0'
            && p[i + 1] <= '9') {
            int     port = 0;

            for (i++; i < s->len && p[i] >= '0' && p[i] <= '9'; i++)
                if (port < 100000)
                    port = port * 10 + (p[i] - '0');
            ev->port = port;
        }
    }
    span_drop(s, i);
    return 0;
}

/* t_peer_differ - 1 when two readings of one peer differ: the result,
 * where the cursor stops and, when read, the fields */
static int
t_peer_differ(int r1, int r2, struct span s1, struct span s2,
              const struct pf_event *e1, const struct pf_event *e2)
{
    return r1 != r2 || s1.ptr != s2.ptr || s1.len != s2.len
        || (r1 == 0 && (e1->peer_host.ptr != e2->peer_host.ptr
                        || e1->peer_host.len != e2->peer_host.len
                        || e1->peer_ip.ptr != e2->peer_ip.ptr
                        || e1->peer_ip.len != e2->peer_ip.len
                        || e1->port != e2->port));
}

/* t_peer_plain - pf_parse_peer_plain() (its host and ']' found sixteen
 * and eight bytes at a time) as t_peer_ref(): peers and random texts of
 * the bytes that stop or continue a host, NUL, bytes >= 0x80 and the
 * others below '-', 0 to 400 bytes (past the 300 read), each read from
 * a block of its own length */
static void
t_peer_plain(void)
{
    static const char abc[] = "ab.-[]:, 09!#\t\0\x80\xff";
    uint64_t x = 1018;
    char    buf[400];
    int     i, bad = 0;

    for (i = 0; i < 400000; i++) {
        size_t  n, j;
        char   *heap;
        struct span s1, s2;
        struct pf_event e1, e2;
        int     r1, r2;

        if (i % 2) {
            n = t_text(&x, buf, sizeof(buf));
        } else {
            n = t_next(&x) % (i % 8 ? 64 : 401);
            for (j = 0; j < n; j++)
                buf[j] = t_next(&x) % 3 ? "abcxyz.-9"[t_next(&x) % 9]
                    : abc[t_next(&x) % (sizeof(abc) - 1)];
        }
        if ((heap = malloc(n > 0 ? n : 1)) == NULL)
            abort();
        memcpy(heap, buf, n);
        s1 = s2 = span_make(heap, n);
        memset(&e1, 0, sizeof(e1));
        if (t_next(&x) % 4 == 0)        /* an address from before */
            e1.peer_ip = span_make(heap, n > 3 ? 3 : n);
        e1.port = 7;
        e2 = e1;
        r1 = pf_parse_peer_plain(&s1, &e1);
        r2 = t_peer_ref(&s2, &e2);
        if (t_peer_differ(r1, r2, s1, s2, &e1, &e2))
            bad++;
        free(heap);
    }
    T_CHECK(bad == 0, "pf_parse_peer_plain() as a byte loop (%d differ)",
            bad);
}

/* t_peer_memo - pf_parse_peer() as pf_parse_peer_plain(): the result,
 * the fields and where the cursor stops, with and without an address
 * set before (the host-only form leaves it) */
static void
t_peer_memo(void)
{
    uint64_t x = 72;
    char    buf[400];
    int     i, bad = 0, hits = 0;

    for (i = 0; i < 400000; i++) {
        size_t  n = t_text(&x, buf, sizeof(buf));
        struct span s1 = span_make(buf, n), s2 = s1;
        struct pf_event e1, e2;
        int     r1, r2;

        memset(&e1, 0, sizeof(e1));
        if (t_next(&x) % 4 == 0)        /* an address from before */
            e1.peer_ip = span_make(buf, n > 3 ? 3 : n);
        e1.port = 7;
        e2 = e1;
        r1 = pf_parse_peer(&s1, &e1);
        r2 = pf_parse_peer_plain(&s2, &e2);
        if (t_peer_differ(r1, r2, s1, s2, &e1, &e2)) {
            if (bad++ < 5)
                fprintf(stderr, "peer \"%.*s\": %d/%d host %zu/%zu "
                        "ip %zu/%zu port %d/%d\n", (int) n, buf, r1, r2,
                        e1.peer_host.len, e2.peer_host.len, e1.peer_ip.len,
                        e2.peer_ip.len, e1.port, e2.port);
        }
        if (e1.canon != NULL && e1.canon->seen > 1)
            hits++;
    }
    T_CHECK(bad == 0, "pf_parse_peer() as the plain code (%d differ)", bad);
    T_CHECK(hits > 100000, "pf_parse_peer() remembers peers (%d hits)", hits);
}

/* t_peer_lengths - pf_parse_peer() as pf_parse_peer_plain() for peers
 * of every length the memory keeps and around it (8 to 100 bytes, each
 * shape), read again as kept, then with one byte changed at each place
 * (the text compared in words, in blocks of sixteen that overlap, or
 * in a loop by its length), among as many other peers as fill both
 * slots of each: what is found is what the plain code reads, and a
 * peer read again is found */
static void
t_peer_lengths(void)
{
    static const char *const tail[] = {"[192.0.2.1]:25", "[2001:db8::1]",
    ""};
    char    buf[160], alt[160];
    uint64_t x = 5150;
    int     bad = 0, found = 0, tried = 0;
    size_t  len, i;
    unsigned sh, k;

    for (sh = 0; sh < 3; sh++) {
        for (len = 8; len <= 100; len++) {
            size_t  tl = strlen(tail[sh]);

            if (len <= tl + 1)
                continue;
            for (i = 0; i < len - tl; i++)
                buf[i] = "abcdefghij.-"[(i * 7 + len) % 12];
            memcpy(buf + len - tl, tail[sh], tl);
            memcpy(buf + len, ": x", 3);
            for (k = 0; k <= len; k++) {
                struct span s1, s2;
                struct pf_event e1, e2;
                int     r1, r2, o;

                memcpy(alt, buf, len + 3);
                if (k < len)            /* one byte changed, or none */
                    alt[k] = "[]:, .9aZ\0-"[t_next(&x) % 11];
                for (o = 0; o < 3; o++) {
                    /* others in between: each slot taken in turn */
                    char    other[64];
                    struct span so;
                    struct pf_event eo;
                    int     n = snprintf(other, sizeof(other),
                                         "o%u.example[192.0.2.%u]:25: x",
                                         t_next(&x) % 4000, o + 1);

                    memset(&eo, 0, sizeof(eo));
                    so = span_make(other, (size_t) n);
                    (void) pf_parse_peer(&so, &eo);
                }
                memset(&e1, 0, sizeof(e1));
                e1.port = 7;
                e2 = e1;
                s1 = s2 = span_make(alt, len + 3);
                r1 = pf_parse_peer(&s1, &e1);
                r2 = pf_parse_peer_plain(&s2, &e2);
                if (t_peer_differ(r1, r2, s1, s2, &e1, &e2)) {
                    if (bad++ < 5)
                        fprintf(stderr, "peer of %zu, byte %u: \"%.*s\"\n",
                                len, k, (int) len, alt);
                }
                if (k == len) {
                    /* the same text once more, nothing in between */
                    memset(&e1, 0, sizeof(e1));
                    s1 = span_make(alt, len + 3);
                    (void) pf_parse_peer(&s1, &e1);
                    tried++;
                    found += e1.canon != NULL && e1.canon->seen > 1;
                }
            }
        }
    }
    T_CHECK(bad == 0, "pf_parse_peer() of every length as the plain code "
            "(%d differ)", bad);
    T_CHECK(found > tried / 2, "peers of every length found again "
            "(%d of %d)", found, tried);
}

/* t_est_peer - the peer pf_classify() reads of a TLS line (its slot
 * asked for by the place the trust word gives, before the prefix is
 * read) as pf_parse_peer_plain() reads it after the prefix: every trust
 * word, "established" and "reused", the prefix cut or changed now and
 * then, peers and what follows them as t_text() makes them */
static void
t_est_peer(void)
{
    static const char *const lead[] = {
        "Verified TLS connection established to ",
        "Trusted TLS connection established to ",
        "Untrusted TLS connection established to ",
        "Anonymous TLS connection established to ",
        "Trusted TLS connection reused to ", "Verified TLS connection to ",
        "Untrusted TLS connection established ",
        "Anonymous TLS connection established to  ",
    };
    uint64_t x = 4242;
    char    buf[600], peer[400];
    int     i, bad = 0, taken = 0;

    for (i = 0; i < 200000; i++) {
        const char *l = lead[t_next(&x) % (sizeof(lead) / sizeof(lead[0]))];
        size_t  ll = strlen(l), n = t_text(&x, peer, sizeof(peer));
        struct pf_event ev, e2;
        struct span s;
        int     r;

        memcpy(buf, l, ll);
        memcpy(buf + ll, peer, n);
        if (t_next(&x) % 16 == 0)       /* the prefix changed */
            buf[t_next(&x) % ll] = "VTUAx "[t_next(&x) % 6];
        pf_classify(span_make(buf, ll + n), &ev);
        if (ev.kind != PF_TLS_EST && ev.kind != PF_TLS_REUSED)
            continue;
        taken++;
        /* where the peer starts: after "to " when the line has it */
        s = span_make(buf, ll + n);
        {
            const char *to = memmem(buf, ll + n, " to ", 4);

            if (to == NULL || to > buf + ll)
                continue;
            span_drop(&s, (size_t) (to + 4 - buf));
        }
        memset(&e2, 0, sizeof(e2));
        e2.port = -1;
        r = pf_parse_peer_plain(&s, &e2);
        if (r != 0 || ev.peer_host.ptr != e2.peer_host.ptr
            || ev.peer_host.len != e2.peer_host.len
            || ev.peer_ip.ptr != e2.peer_ip.ptr
            || ev.peer_ip.len != e2.peer_ip.len || ev.port != e2.port) {
            if (bad++ < 5)
                fprintf(stderr, "TLS line \"%.*s\"\n", (int) (ll + n), buf);
        }
    }
    T_CHECK(bad == 0, "the peer of a TLS line as the plain code (%d "
            "differ)", bad);
    T_CHECK(taken > 50000, "TLS lines read (%d)", taken);
}

/* t_est_ref - what pf_classify() makes of a TLS line, read the plain
 * way (the trust word by its first byte, then each word of the prefix
 * with span_skip()): 0 and kind, trust and peer set, or -1 when it is
 * no established or reused line to a peer */
static int
t_est_ref(struct span s, struct pf_event *ev)
{
    static const struct {
        const char *word;
        int     trust;
    } tw[] = {
        {"Verified ", PF_TRUST_VERIFIED}, {"Trusted ", PF_TRUST_TRUSTED},
        {"Untrusted ", PF_TRUST_UNTRUSTED}, {"Anonymous ", PF_TRUST_ANON},
    };
    size_t  i;

    memset(ev, 0, sizeof(*ev));
    ev->port = -1;
    ev->trust = PF_TRUST_NONE;
    for (i = 0; i < sizeof(tw) / sizeof(tw[0]); i++)
        if (s.len > 0 && s.ptr[0] == tw[i].word[0]) {
            if (span_skip(&s, tw[i].word) == 0)
                ev->trust = tw[i].trust;
            break;
        }
    if (span_skip(&s, "TLS connection ") != 0)
        return -1;
    if (span_skip(&s, "established ") == 0)
        ev->kind = PF_TLS_EST;
    else if (span_skip(&s, "reused ") == 0)
        ev->kind = PF_TLS_REUSED;
    else
        return -1;
    if (span_starts(s, "from "))
        return -1;
    (void) span_skip(&s, "to ");
    return pf_parse_peer_plain(&s, ev);
}

/* t_est_lead - pf_classify() of TLS lines (each trust word's whole
 * prefix compared at once where the peer has sixteen bytes or more) as
 * the plain reading: every trust word, established, reused and from,
 * a byte of the prefix changed at every place (to a byte of another
 * trust word's prefix, a space, NUL, a byte >= 0x80), lines cut short
 * in the prefix, peers short and long */
static void
t_est_lead(void)
{
    static const char *const lead[] = {
        "Verified TLS connection established to ",
        "Trusted TLS connection established to ",
        "Untrusted TLS connection established to ",
        "Anonymous TLS connection established to ",
        "Verified TLS connection reused to ",
        "Anonymous TLS connection established from ",
        "TLS connection established to ", "Trusted TLS connection to ",
        "Untrusted TLS connection established ",
    };
    static const char sub[] = "VTUAvtua ESDRsdr\0x\x80\xff:t";
    uint64_t x = 818;
    char    buf[600], peer[400];
    int     i, bad = 0, taken = 0, changed = 0;

    for (i = 0; i < 300000; i++) {
        const char *l = lead[t_next(&x) % (sizeof(lead) / sizeof(lead[0]))];
        size_t  ll = strlen(l), n = t_text(&x, peer, sizeof(peer)), len;
        struct pf_event ev, e2;
        int     r;

        memcpy(buf, l, ll);
        if (t_next(&x) % 3 == 0) {
            /* a long peer: its sixteen bytes there for the prefix's
             * compare */
            memcpy(buf + ll, "gmail-smtp-in.l.google.com[74.125.136.26]:25: x",
                   47);
            n = 47;
        } else
            memcpy(buf + ll, peer, n);
        len = ll + n;
        if (t_next(&x) % 2 == 0) {
            buf[t_next(&x) % ll] = sub[t_next(&x) % (sizeof(sub) - 1)];
            changed++;
        }
        if (t_next(&x) % 16 == 0)
            len = t_next(&x) % (len + 1);
        pf_classify(span_make(buf, len), &ev);
        r = t_est_ref(span_make(buf, len), &e2);
        if (r != 0) {
            if (ev.kind == PF_TLS_EST || ev.kind == PF_TLS_REUSED) {
                if (bad++ < 5)
                    fprintf(stderr, "not a TLS line \"%.*s\"\n", (int) len,
                            buf);
            }
            continue;
        }
        taken++;
        if (ev.kind != e2.kind || ev.trust != e2.trust
            || ev.peer_host.ptr != e2.peer_host.ptr
            || ev.peer_host.len != e2.peer_host.len
            || ev.peer_ip.ptr != e2.peer_ip.ptr
            || ev.peer_ip.len != e2.peer_ip.len || ev.port != e2.port) {
            if (bad++ < 5)
                fprintf(stderr, "TLS line \"%.*s\"\n", (int) len, buf);
        }
    }
    T_CHECK(bad == 0, "TLS lines as the plain reading (%d differ)", bad);
    T_CHECK(taken > 100000 && changed > 100000, "TLS lines read (%d), "
            "changed (%d)", taken, changed);
}

/* t_lines - a Postfix smtp message that names a peer */
static size_t
t_line(uint64_t *x, char *buf, size_t cap)
{
    static const char *const lead[] = {
        "Verified TLS connection established to ",
        "Untrusted TLS connection established to ",
        "Anonymous TLS connection reused to ", "SSL_connect error to ",
        "certificate verification failed for ",
        "server certificate verification failed for ",
        "A1B2C3D4E5: to=<a@b.example>, relay=",
        "A1B2C3D4E5: host ", "A1B2C3D4E5: lost connection with ",
        "A1B2C3D4E5: TLS is required, but was not offered by host ",
    };
    static const char *const tail[] = {
        ": TLSv1.3 with cipher x (256/256 bits)", ": -1",
        ": num=20:unable to get local issuer certificate",
        ", delay=1, delays=0/0/0/0, dsn=2.0.0, status=sent (250 ok)",
        (", delay=1, dsn=4.0.0, status=deferred (Server certificate not "
         "trusted)"), " said: 450 later (in reply to RCPT TO command)",
        " while sending MAIL FROM", "",
    };
    const char *l = lead[t_next(x) % (sizeof(lead) / sizeof(lead[0]))];
    const char *p = t_peer[t_next(x) % (sizeof(t_peer) / sizeof(t_peer[0]))];
    const char *t = tail[t_next(x) % (sizeof(tail) / sizeof(tail[0]))];
    int     n = snprintf(buf, cap, "%s%s%s", l, p, t);

    if (n < 0 || (size_t) n >= cap)
        return 0;
    if (t_next(x) % 8 == 0 && n > 0)
        buf[t_next(x) % (unsigned) n] = "[]:, .9aZ-"[t_next(x) % 10];
    return (size_t) n;
}

/* t_canon_memo - classify_mt's canonical peer, copied from the memory
 * of a peer seen before or made, as corr_canon_host_mt() and
 * corr_canon_ip_mt() make it of the same text, on one thread or two */
static void
t_canon_memo(void)
{
    uint64_t x = 73;
    char    buf[400];
    struct pf_pre *pre = malloc(PARSER_PRE_ROOM);
    struct trace tr;
    int     i, bad = 0, made = 0;

    for (i = 0; i < 200000; i++) {
        size_t  n = t_line(&x, buf, sizeof(buf));
        struct wrap_rec r;
        const struct pf_event *ev = &pre->ev;

        memset(&r, 0, sizeof(r));
        r.msg = span_make(buf, n);
        r.ident = SPAN_LIT("postfix/smtp");
        r.ident_tag = 1;
        r.host = SPAN_LIT("mail");
        r.pid = SPAN_LIT("123");
        corr_canon_ahead = (int) (t_next(&x) % 2);
        if (pf_corr_ops.classify_mt(&r, NULL, pre, &tr) != CORR_PRE_EVENT)
            continue;
        if (!pre->peer_made)
            continue;
        if ((pre->host != CORR_CANON_NONE && ev->peer_host.len == 0)
            || (pre->ip != CORR_CANON_NONE && ev->peer_ip.len == 0)) {
            bad++;                      /* made of no text */
            continue;
        }
        if (pre->host != CORR_CANON_NONE) {
            uint8_t clen = 0, num = 0;
            int     st = corr_canon_host_mt(ev->peer_host, &clen, &num);

            made++;
            if (st != pre->host || (st == CORR_CANON_RAW
                                    && (clen != pre->host_len
                                        || num != pre->host_num)))
                bad++;
        } else if (pre->ip != CORR_CANON_NONE && ev->peer_host.len > 0) {
            bad++;                      /* made for one, not the other */
        }
        if (pre->ip != CORR_CANON_NONE) {
            uint8_t clen = 0;
            char    ipbuf[IPADDR_MAX + 1];
            int     st = corr_canon_ip_mt(ev->peer_ip, &clen, ipbuf);

            if (st != pre->ip || (st == CORR_CANON_RAW && clen != pre->ip_len)
                || (st == CORR_CANON_BUF && strcmp(ipbuf, pre->ipbuf) != 0))
                bad++;
        } else if (pre->host != CORR_CANON_NONE && ev->peer_ip.len > 0) {
            bad++;
        }
    }
    corr_canon_ahead = 0;
    T_CHECK(bad == 0, "classify_mt's canonical peers as made (%d differ)",
            bad);
    T_CHECK(made > 50000, "classify_mt made canonical peers (%d)", made);
    free(pre);
}

/* t_text_is - pf_text_is() as span_is() on texts alike but for a byte,
 * NUL bytes in either, every length about the words' and the blocks'
 * (0 to 59 bytes, caps of 8 to 64: past the 48 the blocks read too).
 * The text is copied to a block of its own length and str to one of
 * cap bytes, so that a read past either is the sanitizer's */
static void
t_text_is(void)
{
    uint64_t x = 75;
    int     i, bad = 0, same = 0, longer = 0;

    for (i = 0; i < 600000; i++) {
        char    str[64], txt[64];
        size_t  cap = 8 + t_next(&x) % 57;     /* 8 to 64 */
        size_t  n = t_next(&x) % 60, sl = t_next(&x) % 4 ? n : t_next(&x) % 60;
        size_t  j;
        int     r1, r2;
        char   *tb, *sb;

        for (j = 0; j < sizeof(str); j++)
            str[j] = txt[j] = (char) ("0123.:9"[t_next(&x) % 7]);
        if (sl < cap)
            str[sl] = 0;
        else
            str[cap - 1] = 0;
        if (t_next(&x) % 6 == 0)
            txt[t_next(&x) % sizeof(txt)] = 0;
        if (t_next(&x) % 6 == 0)
            str[t_next(&x) % cap] = 0;
        if (t_next(&x) % 3 == 0)
            txt[t_next(&x) % sizeof(txt)] = 'x';
        tb = malloc(n ? n : 1);
        sb = malloc(cap);
        if (tb == NULL || sb == NULL)
            abort();
        memcpy(tb, txt, n);
        memcpy(sb, str, cap);
        r1 = pf_text_is(span_make(tb, n), sb, cap);
        r2 = span_is(span_make(tb, n), sb);
        bad += r1 != r2;
        same += r2;
        longer += r2 && n > 16;
        free(tb);
        free(sb);
    }
    T_CHECK(bad == 0, "pf_text_is() as span_is() (%d differ)", bad);
    T_CHECK(same > 10000, "pf_text_is() equal texts (%d)", same);
    T_CHECK(longer > 5000, "pf_text_is() equal texts past 16 (%d)", longer);
}

/* t_rand_text - n bytes at buf of the alphabet abc, some of the words
 * of ws planted at random places (cut at the end too) */
static void
t_rand_text(uint64_t *x, char *buf, size_t n, const char *abc,
            const char *const *ws, size_t nw)
{
    size_t  i, na = strlen(abc);

    for (i = 0; i < n; i++)
        buf[i] = abc[t_next(x) % na];
    for (i = t_next(x) % 6; i > 0 && n > 0; i--) {
        const char *w = ws[t_next(x) % nw];
        size_t  at = t_next(x) % n, l = strlen(w);

        if (t_next(x) % 4 == 0 && l <= n)
            at = n - l + t_next(x) % (l + 1);  /* at the end, or cut */
        if (at + l > n)
            l = n - at;
        memcpy(buf + at, w, l);
    }
}

/* t_find_lit - pf_find_lit() as span_find(), pf_same() as memcmp(),
 * on texts of the needles' own bytes, every length from 0 to 300 (the
 * blocks of sixteen, their overlapping last one, the short texts) */
static void
t_find_lit(void)
{
    static const char *const lit[] = {
        " said: ", " refused to ", ">, relay=", ">, size=", "TLS",
        "certificate", "hostname", "DNSSEC", "suspended", "in reply to ",
        "while sending ", "Server certificate not trusted", "ab", "  ",
        "no matching DANE TLSA", "a b", "xx",
    };
    uint64_t x = 7;
    char    buf[320], other[320];
    int     i, bad = 0, same = 0;

    for (i = 0; i < 200000; i++) {
        size_t  n = t_next(&x) % 301;
        const char *l = lit[t_next(&x) % (sizeof(lit) / sizeof(lit[0]))];
        struct span s;

        t_rand_text(&x, buf, n, i % 2 ? " asdr:>=,x" : " TLSc said:ab",
                    lit, sizeof(lit) / sizeof(lit[0]));
        s = span_make(buf, n);
        if (pf_find_lit(s, l, strlen(l)) != span_find(s, l))
            bad++;
        memcpy(other, buf, n);
        if (n > 0 && t_next(&x) % 2)
            other[t_next(&x) % n] ^= (char) (1 + t_next(&x) % 255);
        if (pf_same(buf, other, n) != (memcmp(buf, other, n) == 0))
            same++;
    }
    T_CHECK(bad == 0, "pf_find_lit() as span_find() (%d differ)", bad);
    T_CHECK(same == 0, "pf_same() as memcmp() (%d differ)", same);
}

/* t_status_scan - pf_status_scan() as pf_status_scan_plain(): the
 * fields after a status line's addresses, with keys, '=', '>' and
 * ">, relay=" planted anywhere, every length up to 300 */
static void
t_status_scan(void)
{
    static const char *const ws[] = {
        ", relay=", " status=", "conn_use=", ", tls=", ">, relay=",
        "relay=", "=", ">", " status", "conn_use", ", tls", "status=",
        ">, relay", ", delay=0.1, delays=0/0/0/0, dsn=2.0.0, status=",
        /* the fields pf_status_scan() passes by a bit of each word */
        ", delay=", ", delays=", ", dsn=", "conn_use=2, tls=",
        "x status=", "xconn_use=", "a, tls=", "t, tls=", "n_u=", ">, rel=",
        /* a case changed: the xor 32 more, which pf_scan_key() takes
         * for a key's bit and compares */
        " sTatus=", " staTus=", "conN_use=", "conn_Use=", ", Tls=",
        ">, reLay=", ">, Relay=",
    };
    uint64_t x = 9;
    char    buf[320];
    int     i, bad = 0;

    for (i = 0; i < 300000; i++) {
        size_t  n = t_next(&x) % 301;
        long    k1[3], k2[3];
        int     f1 = -1, f2 = -2;
        long    r1, r2;

        char   *heap = malloc(n + 1 > 1 ? n : 1);

        if (heap == NULL)
            abort();
        t_rand_text(&x, buf, n, i % 3 ? "ab =>,.[]" : "a=b>",
                    ws, sizeof(ws) / sizeof(ws[0]));
        if (n >= 8 && t_next(&x) % 8 != 0)
            memcpy(buf, ", relay=", 8);
        if (i % 5 == 0) {
            /* bytes >= 0x80 and NUL anywhere */
            buf[t_next(&x) % (n + 1)] = (char) (0x80 | t_next(&x));
            buf[t_next(&x) % (n + 1)] = 0;
        }
        /* the text ends where its block does: a read past it (the
         * 64-byte tail read where it ends) is the sanitizer's */
        memcpy(heap, buf, n);
        r1 = pf_status_scan(span_make(heap, n), k1, &f1);
        r2 = pf_status_scan_plain(span_make(heap, n), k2, &f2);
        free(heap);
        heap = NULL;
        if (r1 != r2 || f1 != f2
            || (r1 >= 0 && (k1[0] != k2[0] || k1[1] != k2[1]
                            || k1[2] != k2[2])))
            bad++;
    }
    T_CHECK(bad == 0, "pf_status_scan() as the plain searches (%d differ)",
            bad);
}

/* t_alnum_run - pf_alnum_run() as a byte loop over [0-9A-Za-z] */
static void
t_alnum_run(void)
{
    uint64_t x = 5;
    char    buf[64];
    int     i, bad = 0;

    for (i = 0; i < 200000; i++) {
        size_t  n = t_next(&x) % 40, j, want = 0, max = 24;
        int     up = -1, wup = 0;

        for (j = 0; j < n; j++) {
            unsigned r = t_next(&x) % 100;

            buf[j] = (char) (r < 40 ? 'a' + (int) (r % 26)
                             : r < 60 ? 'A' + (int) (r % 26)
                             : r < 80 ? '0' + (int) (r % 10) : r < 85 ? ':'
                             : r < 90 ? (int) (t_next(&x) % 256)
                             : "@[`{/ \x7f"[r % 8]);
        }
        if (t_next(&x) % 3 == 0)
            max = t_next(&x) % 30;
        while (want < n && want < max + 1
               && ((buf[want] >= '0' && buf[want] <= '9')
                   || (buf[want] >= 'A' && buf[want] <= 'Z')
                   || (buf[want] >= 'a' && buf[want] <= 'z'))) {
            if (!(buf[want] >= 'a' && buf[want] <= 'z'))
                wup = 1;
            want++;
        }
        if (pf_alnum_run(buf, n, max, &up) != want || up != wup)
            bad++;
    }
    T_CHECK(bad == 0, "pf_alnum_run() as a byte loop (%d differ)", bad);
}

/* t_qmgr_from - pf_qmgr_from() as pf_qmgr_from_plain(): qmgr messages
 * with '>' and ">, size=" planted anywhere, every length up to 100
 * (the one block of up to 64 bytes and past it) */
static void
t_qmgr_from(void)
{
    static const char *const ws[] = {
        ">, size=", ">", ">, size", ", size=", ": from=<", ">>, size=",
        "tlsrpt@example.net",
    };
    uint64_t x = 13;
    char    buf[128];
    int     i, bad = 0;

    for (i = 0; i < 300000; i++) {
        size_t  n = t_next(&x) % 101;
        struct span a1 = {NULL, 0}, a2 = {NULL, 0};
        int     r1, r2;

        t_rand_text(&x, buf, n, i % 2 ? "ab@.>, size=" : "x@y.z",
                    ws, sizeof(ws) / sizeof(ws[0]));
        if (n >= 8 && t_next(&x) % 8 != 0)
            memcpy(buf, ": from=<", 8);
        r1 = pf_qmgr_from(span_make(buf, n), &a1);
        r2 = pf_qmgr_from_plain(span_make(buf, n), &a2);
        if (r1 != r2 || (r1 == 0 && (a1.ptr != a2.ptr || a1.len != a2.len)))
            bad++;
    }
    T_CHECK(bad == 0, "pf_qmgr_from() as the plain searches (%d differ)",
            bad);
}

/* t_qmgr_own - the classifier's answer to a qmgr line (an event only
 * for our own sender's "from=<...>, size=" and for "removed") as the
 * plain test: pf_qmgr_from_plain() and sess_own_sender() of every
 * address, so the length test made first (pf_qmgr_own_len) turns away
 * no line of ours. Addresses our sender's length and two more, one
 * byte off, case changed, with "<>", '>' and ">, size=" planted around
 * where our sender's would end, each message in a block of its own
 * length (a read past it is the sanitizer's) */
static void
t_qmgr_own(void)
{
    static const char *const addr[] = {
        "tlsrpt@example.net", "TLSRPT@Example.NET", "<tlsrpt@example.net>",
        "tlsrpt@example.nex", "tlsrpt@example.ne", "tlsrpt@example.net.",
        "xtlsrpt@example.net", "<tlsrpt@example.net", "tlsrpt@example.net>",
        "tlsrpt@example.net>, size=1", "a>, size=1, x@example.net",
        "tlsrpt@exa>ple.net", "", "<>", "someone@else.example.org", "a",
        "tlsrpt@example.net>, size=", "12345678901234567>",
        "1234567890123456789>",
    };
    static const char *const tail[] = {
        ">, size=2291, nrcpt=1 (queue active)", ">, size=", ">, size",
        ">", "", ">, size=1>, size=2", ">>, size=3", "> size=4",
    };
    static const char *const head[] = {
        ": from=<", ": from=", ": removed", ": to=<", ": from=<<", ":",
    };
    struct sess_conf conf;
    struct sess_own *own;
    struct pf_pre *pre;
    struct wrap_rec r;
    struct trace tr;
    uint64_t x = 41;
    int     prog = pf_sess_ident_prog(span_make("postfix/qmgr", 12));
    int     i, bad = 0, mine = 0, rest = 0;

    memset(&conf, 0, sizeof(conf));
    conf.own_from = "tlsrpt@example.net";
    own = sess_own_create(&conf);
    pre = malloc(sizeof(*pre));
    T_CHECK(own != NULL && pre != NULL, "a tracker and room");
    if (own == NULL || pre == NULL)
        return;
    memset(&r, 0, sizeof(r));
    r.ident = span_make("postfix/qmgr", 12);
    for (i = 0; i < 200000; i++) {
        char    tmp[160];
        const char *h = head[t_next(&x) % 6 < 4 ? 0 : t_next(&x) % 6];
        const char *a = addr[t_next(&x) % (sizeof(addr) / sizeof(addr[0]))];
        const char *t = tail[t_next(&x) % 4 ? 0
                             : t_next(&x) % (sizeof(tail) / sizeof(tail[0]))];
        int     n = snprintf(tmp, sizeof(tmp), "4F2A1B3C%s%s%s", h, a, t);
        struct span s, got;
        char   *m;
        int     want, ret;

        if (n <= 0 || (size_t) n >= sizeof(tmp))
            continue;
        if (t_next(&x) % 3 == 0)        /* a '>' or NUL planted */
            tmp[8 + t_next(&x) % (size_t) (n - 8)] = t_next(&x) % 2 ? '>' : 0;
        if (t_next(&x) % 5 == 0)        /* cut short */
            n = 8 + (int) (t_next(&x) % (size_t) (n - 7));
        if ((m = malloc((size_t) n + 1)) == NULL)
            abort();
        memcpy(m, tmp, (size_t) n);
        s = span_make(m + 8, (size_t) n - 8);
        want = span_eq(s, ": removed")
            || (pf_qmgr_from_plain(s, &got) == 0
                && sess_own_sender(own, got));
        r.msg = span_make(m, (size_t) n);
        ret = pf_sess_classify_prog_mt(&r, own, pre, &tr, prog);
        bad += (ret == CORR_PRE_EVENT) != want
            || (ret != CORR_PRE_EVENT && ret != CORR_PRE_DONE);
        mine += want && !span_eq(s, ": removed");
        rest += !want;
        free(m);
    }
    T_CHECK(bad == 0, "qmgr lines of our own sender as the plain test "
            "(%d differ)", bad);
    T_CHECK(mine > 10000 && rest > 50000, "our own sender's lines (%d) "
            "and others (%d)", mine, rest);
    free(pre);
    sess_own_free(own);
}

/* t_ipaddr_v4 - the dotted quad of ipaddr_norm() read in one register
 * as byte by byte (ipaddr_v4_check), on texts of 0 to 20 bytes of
 * digits and dots (octets of 0 to 4 digits, "0", "00", "255", "256",
 * "299", dots doubled, leading and trailing), NUL, letters, ':', bytes
 * >= 0x80 planted; each text in a block of its own length (a read past
 * it is the sanitizer's); and ipaddr_norm() as inet_pton() */
static void
t_ipaddr_v4(void)
{
    static const char *const oct[] = {
        "0", "1", "9", "10", "99", "100", "199", "200", "249", "250",
        "255", "256", "260", "299", "300", "999", "00", "01", "010", "0255",
        "1234", "", "25", "2", "5",
    };
    static const char junk[] = ".0123456789:a\x80\xff\0 /";
    uint64_t x = 71;
    int     i, bad = 0, good = 0, ref = 0;

    for (i = 0; i < 400000; i++) {
        char    tmp[64];
        size_t  n = 0;
        int     k, parts = t_next(&x) % 4 ? 4 : 2 + (int) (t_next(&x) % 4);
        char   *m;

        for (k = 0; k < parts && n < 40; k++) {
            const char *o = oct[t_next(&x) % (sizeof(oct) / sizeof(oct[0]))];

            if (k > 0)
                tmp[n++] = '.';
            memcpy(tmp + n, o, strlen(o));
            n += strlen(o);
        }
        if (t_next(&x) % 4 == 0 && n > 0)       /* a byte changed */
            tmp[t_next(&x) % n] = junk[t_next(&x) % (sizeof(junk) - 1)];
        if (t_next(&x) % 8 == 0)
            n = t_next(&x) % (n + 1);           /* cut short */
        if ((m = malloc(n + 1)) == NULL)
            abort();
        memcpy(m, tmp, n);
        if (!ipaddr_v4_check(m, n))
            bad++;
        {
            char    out[IPADDR_MAX + 1], z[32];
            unsigned char a[4];
            int     r = ipaddr_norm(m, n, out);

            memcpy(z, m, n < 31 ? n : 31);
            z[n < 31 ? n : 31] = 0;
            if (r == 0 && strlen(out) == n && memcmp(out, m, n) == 0)
                good++;
            /* a dotted quad accepted is inet_pton()'s, and its text */
            if (n < 31 && strlen(z) == n && inet_pton(AF_INET, z, a) == 1
                && (r != 0 || strcmp(out, z) != 0))
                ref++;
        }
        free(m);
    }
    T_CHECK(bad == 0, "ipaddr_norm()'s dotted quad as the byte loop (%d "
            "differ)", bad);
    T_CHECK(ref == 0, "ipaddr_norm() as inet_pton() (%d differ)", ref);
    T_CHECK(good > 15000, "dotted quads taken (%d)", good);
}

/* t_error_reason - pf_error_reason() as pf_error_reason_plain() on
 * texts of ':' and words, every length up to 100 */
static void
t_error_reason(void)
{
    static const char *const ws[] = {
        "error:", "0A000086", ":SSL routines:", "::", ":", "certificate verify failed",
    };
    uint64_t x = 17;
    char    buf[320];
    int     i, bad = 0;

    for (i = 0; i < 200000; i++) {
        size_t  n = t_next(&x) % 301;
        struct span a1 = {NULL, 0}, a2 = {NULL, 0};
        int     r1, r2;

        t_rand_text(&x, buf, n, i % 2 ? "ab:" : "abcdef ./:",
                    ws, sizeof(ws) / sizeof(ws[0]));
        r1 = pf_error_reason(span_make(buf, n), &a1);
        r2 = pf_error_reason_plain(span_make(buf, n), &a2);
        if (r1 != r2 || (r1 == 0 && (a1.ptr != a2.ptr || a1.len != a2.len)))
            bad++;
    }
    T_CHECK(bad == 0, "pf_error_reason() as a byte loop (%d differ)", bad);
}

/* pf_key_line() against corr_key_proc(): a line of random bytes (NUL
 * among them), host, ident and pid cut from it of every length about
 * the limits (pid past PF_PID_MAX, key past PF_KEY_INLINE, fields past
 * corr_key_proc()'s caps), one byte apart or not, some absent */
static void
t_key_line(void)
{
    static const char abc[] = "ab.-/[]: 0123456789\0xyz\377";
    char    line[512];
    char    k1[PF_KEY_INLINE + 16], k2[CORR_KEY_MAX];
    struct wrap_rec r;
    uint64_t x = 61;
    int     i, bad = 0, fast = 0, nohost = 0;

    for (i = 0; i < 400000; i++) {
        size_t  hl = t_next(&x) % 40, il = t_next(&x) % 40;
        size_t  pl = t_next(&x) % 26, at = t_next(&x) % 8;
        size_t  g1 = t_next(&x) % 8 ? 1 : t_next(&x) % 3;
        size_t  g2 = t_next(&x) % 8 ? 1 : t_next(&x) % 3;
        size_t  j, n, m;

        if (t_next(&x) % 50 == 0)
            hl = 60 + t_next(&x) % 10;
        if (t_next(&x) % 50 == 0)
            il = 120 + t_next(&x) % 20;
        for (j = 0; j < sizeof(line); j++)
            line[j] = abc[t_next(&x) % (sizeof(abc) - 1)];
        memset(&r, 0, sizeof(r));
        r.host = span_make(hl || t_next(&x) % 2 ? line + at : NULL, hl);
        r.ident = span_make(line + at + hl + g1, il);
        r.pid = span_make(line + at + hl + g1 + il + g2, pl);
        if (t_next(&x) % 4 == 0) {
            /* no host: the ident first (a line without its envelope) */
            r.host = span_make(NULL, 0);
            r.ident = span_make(line + at, il);
            r.pid = span_make(line + at + il + g2, pl);
        }
        memset(k1, 0x55, sizeof(k1));
        n = pf_key_line(&r, k1);
        m = corr_key_proc(&r, k2, PF_PID_MAX);
        if (n > 0) {
            fast++;
            nohost += r.host.ptr == NULL;
            if (n != m || memcmp(k1, k2, n) != 0 || k1[n] != 0x55)
                bad++;
        }
    }
    T_CHECK(bad == 0, "pf_key_line() as corr_key_proc() (%d differ)", bad);
    T_CHECK(fast > 30000, "pf_key_line() takes many keys (%d)", fast);
    T_CHECK(nohost > 5000, "pf_key_line() takes keys without host (%d)",
            nohost);
}

/* t_key_pre - the key and hash the classifier leaves in struct pf_pre
 * for a TLS line as corr_key_proc() and htab_hash() make them: hosts,
 * idents and pids of 0 to 3 bytes and longer, absent (NULL or an empty
 * span into the line) in every mix, so that the short cut of a line
 * without any of the three (two NULs, a constant hash) is taken and
 * no other line takes it */
static void
t_key_pre(void)
{
    static const char msg[] = "Trusted TLS connection established to "
        "mx.example.com[192.0.2.1]:25: TLSv1.3 with cipher X";
    static const char abc[] = "ab/0\0\377[";
    struct pf_pre *pre = malloc(sizeof(*pre));
    char    line[256], key[CORR_KEY_MAX];
    struct wrap_rec r;
    struct trace tr;
    uint64_t x = 83;
    int     prog = pf_sess_ident_prog(span_make("postfix/smtp", 12));
    int     i, bad = 0, none = 0;

    if (pre == NULL)
        abort();
    for (i = 0; i < 100000; i++) {
        size_t  len[3], j, n;
        const char *at[3];
        int     ret;

        for (j = 0; j < sizeof(line); j++)
            line[j] = abc[t_next(&x) % (sizeof(abc) - 1)];
        for (j = 0; j < 3; j++) {
            len[j] = t_next(&x) % 3 ? 0 : t_next(&x) % 4 ? t_next(&x) % 4
                : t_next(&x) % 30;
            at[j] = len[j] || t_next(&x) % 2 ? line + 40 * j : NULL;
        }
        memset(&r, 0, sizeof(r));
        r.host = span_make(at[0], len[0]);
        r.ident = span_make(at[1], len[1]);
        r.pid = span_make(at[2], len[2]);
        r.msg = span_make(msg, sizeof(msg) - 1);
        memset(pre, 0x55, sizeof(*pre));
        ret = pf_sess_classify_prog_mt(&r, NULL, pre, &tr, prog);
        n = corr_key_proc(&r, key, PF_PID_MAX);
        none += n == 2;
        if (ret != CORR_PRE_EVENT || pre->khash != htab_hash(key, n)
            || (n <= PF_KEY_INLINE && (pre->klen != n
                                       || memcmp(pre->key, key, n) != 0))
            || (n > PF_KEY_INLINE && pre->klen != 0))
            bad++;
    }
    T_CHECK(bad == 0, "the classifier's key and hash as corr_key_proc()'s "
            "(%d differ)", bad);
    T_CHECK(none > 10000, "lines without host, ident and pid (%d)", none);
    free(pre);
}

/* t_rcpt_domain - pf_sess_rcpt_domain() as corr_rcpt_domain() on
 * addresses of 0 to 70 bytes, each in a block of its own length (a read
 * past its end is the sanitizer's), of '@', dots, letters, NUL and bytes
 * >= 0x80, no '@' or several, one among the last sixteen bytes or just
 * before them */
static void
t_rcpt_domain(void)
{
    static const char abc[] = "@a.x\0\x80\xff-";
    uint64_t x = 91;
    int     i, bad = 0, fast = 0;

    for (i = 0; i < 300000; i++) {
        size_t  n = t_next(&x) % 71, j;
        char   *a = malloc(n ? n : 1);
        struct span s1, s2;

        if (a == NULL)
            abort();
        for (j = 0; j < n; j++)
            a[j] = t_next(&x) % 3 ? "abcde.fgh"[t_next(&x) % 9]
                : abc[t_next(&x) % (sizeof(abc) - 1)];
        if (n > 0 && t_next(&x) % 2)    /* an '@' near the 16th last */
            a[n - 1 - (n > 20 ? 10 + t_next(&x) % 10 : t_next(&x) % n)] = '@';
        s1 = pf_sess_rcpt_domain(span_make(a, n));
        s2 = corr_rcpt_domain(span_make(a, n));
        bad += s1.ptr != s2.ptr || s1.len != s2.len;
        fast += n >= 16 && s2.len < 16 && s2.ptr != a;
        free(a);
    }
    T_CHECK(bad == 0, "pf_sess_rcpt_domain() as corr_rcpt_domain() (%d "
            "differ)", bad);
    T_CHECK(fast > 50000, "domains among the last sixteen bytes (%d)", fast);
}

int
main(void)
{
    t_peer_plain();
    t_peer_memo();
    t_peer_lengths();
    t_est_peer();
    t_est_lead();
    t_canon_memo();
    t_text_is();
    t_find_lit();
    t_status_scan();
    t_alnum_run();
    t_qmgr_from();
    t_qmgr_own();
    t_ipaddr_v4();
    t_error_reason();
    t_key_line();
    t_key_pre();
    t_rcpt_domain();
    return T_DONE();
}
