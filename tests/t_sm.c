/* tests/t_sm.c - unit tests for the short cuts of a Sendmail line's path
 *
 * sm_classify() (parsers/sm.c) takes a line's queue id, its fields and
 * its first recipient with scans of many bytes at a time, and the
 * Sendmail classify_mt (parsers/sm_sess.c) remembers the relays it made
 * canonical. Here each is compared with what the plain byte-by-byte
 * reading of commit a78f26d gave, on generated hostile lines (fields
 * repeated, quoted, cut short, out of order, over-long, a byte changed):
 * a fingerprint of every field of every event, its spans by their place
 * in the line, and of what classify_mt left for the apply. Every line
 * is copied into a buffer of its exact length, so that a scan reading
 * past its span shows under AddressSanitizer (make asan).
 */
#include "../global/sess.h"
#include "../parsers/corr.h"
#include "../parsers/sess_own.h"
#include "../parsers/sm.h"
#include "../parsers/sm_sess.h"
#include "../parsers/wrap.h"
#include "testfp.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the fingerprints of what commit a78f26d (the plain reading) gave;
 * SM_FP_CLASSIFY and SM_FP_MT taken again when a ", ctladdr=" or
 * ", delay=" inside a quoted or bracketed address stopped ending a
 * to= list (and a list with only such ones became a cut delivery
 * line), tls_rcpt's arg1= ended at its first ", " outside quotes and
 * brackets (sm_open_at()), and a FortiMail record's msg= and
 * session_id= became its own fields only (sm_forti_fields()): with
 * sm_open_at() 0 and the record searched as before the fingerprints
 * of a78f26d, e74d88e40b3cff62 and b54521008f6ba2a3, come back */
#define SM_FP_CLASSIFY 0x5cd60cd27cf6c081ULL
#define SM_FP_PEER 0xc357d27852b19e7eULL
#define SM_FP_MT 0xa493ab4466eacb30ULL

/* ev_str - a C string (or NULL) into h */
static uint64_t
ev_str(uint64_t h, const char *s)
{
    return s ? ev_fnv(h, s, strlen(s) + 1) : ev_fnv(h, "\377", 1);
}

/* ev_hash - every field of an event into h */
static uint64_t
ev_hash(uint64_t h, const struct sm_event *ev, const char *line)
{
    int     v[8];

    v[0] = (int) ev->kind;
    v[1] = ev->verify;
    v[2] = ev->result;
    v[3] = ev->local;
    v[4] = ev->rcpt_rule;
    v[5] = ev->smtp;
    v[6] = ev->past_ehlo;
    v[7] = 0;
    h = ev_fnv(h, v, sizeof(v));
    h = ev_str(h, ev->why);
    h = ev_span(h, ev->qid, line);
    h = ev_span(h, ev->relay, line);
    h = ev_span(h, ev->ip, line);
    h = ev_span(h, ev->rcpt, line);
    h = ev_span(h, ev->domain, line);
    h = ev_span(h, ev->mailer, line);
    h = ev_span(h, ev->dsn, line);
    h = ev_span(h, ev->stat, line);
    return ev_span(h, ev->text, line);
}

/* pe_hash - a canonical relay into h */
static uint64_t
pe_hash(uint64_t h, const struct sm_peer *pe)
{
    size_t  v[3];

    v[0] = pe->mxlen;
    v[1] = pe->iplen;
    v[2] = (size_t) pe->loopback;
    h = ev_fnv(h, v, sizeof(v));
    h = ev_str(h, pe->mx);
    return ev_str(h, pe->ip);
}

/* The generator: a queue id or not, a head, fields from tok[] joined by
 * separators, at times a byte changed or the line cut */
static const char *const gen_qid[] = {
    "", "", "s1H8ZKsI024804: ", "s1H8ZKsI024804:", "abcdefghij: ",
    "1234567: ", "12345678: ", "a123456789012345678901234: ",
    "a12345678901234567890123: ", "NOQUEUE: ", "s1H8ZKsI024804: x: ",
    "s1H8ZK-sI024804: ", "S1H8ZKSI024804 : ", "q1234567890123: ",
};

static const char *const gen_head[] = {
    "STARTTLS=client, ", "STARTTLS=client: ", "STARTTLS=client",
    "STARTTLS=clientx, ", "STARTTLS=server, ", "STARTTLS: SSL_accept",
    "STARTTLS: x", "STARTTLS=", "ruleset=tls_server, ", "ruleset=tls_rcpt, ",
    "ruleset=tls_client, ", "ruleset=check_rcpt, ", "ruleset=",
    "ruleset=tls_server,", "to=", "to=<a@b.example>, ",
    "to=\"x, y\" <a@b.c>, ", "to=a@b,c@d, ", "to=<a@[192.0.2.1]>, ", "to=",
    "from=<tlsrpt@example.net>, ",
    "from=a@b, ", "tls_clt_features=empty, ", "engine=(null), ", "", "SMTP",
    "STARTTLS=client, relay=", "STARTTLS=client, error: ",
    "STARTTLS=client, cert-subject=/CN=x, ",
};

static const char *const gen_tok[] = {
    "relay=mx.b.", "relay=mx.b. [192.0.2.1]", "relay=[192.0.2.1]",
    "relay=[IPv6:::1]", "relay=[1.2.3.4] [1.2.3.4]", "relay=local",
    "relay=", "relay=localhost", "relay=[127.0.0.1]",
    "relay=MX.B.Example. [2001:DB8::1]", "relay=x [", "relay=x [999.1.1.1]",
    "relay=1.2.3.4", "relay=mx.b [192.0.2.01]",
    "relay=mx.b. [IPv6:2001:db8::1]",
    "relay=root@localhost", "relay=-bad-.x.", "relay=a..b",
    "version=TLSv1.3", "version=", "verify=OK", "verify=FAIL",
    "verify=TRUSTED", "verify=DANE_FAIL", "verify=NONE", "verify=SOFTWARE",
    "verify=", "verify=OKK", "verify=NO", "verify=NOT", "verify=TEMP",
    "cipher=TLS_AES_256_GCM_SHA384", "bits=256/256", "cert-subject=/CN=x",
    "cert-issuer=/CN=y", "verifymsg=ok", "verifymsg=certificate has expired",
    "verifymsg=self signed certificate", "verifymsg=Hostname mismatch",
    "error: connect failed=-1", "reason=unknown",
    "reason=certificate verify failed", "SSL_error=1", "errno=0",
    "error: SSL_new failed", "error: SSL_CTX_x failed",
    "error:0A000086:SSL routines::certificate verify failed",
    ("14094410:error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert"
     " handshake failure:s3_pkt.c:1260"),
    "warning=DANE configured in DNS but no STARTTLS available",
    "tlsstate=1", "status=trying_again", "get_tls_se_features=failed",
    "TLS_set_engine=failed", "arg1=SOFTWARE", "arg1=NONE", "arg1=OK",
    "arg1=FAIL", "arg1=CLEAR", "arg1=CONFIG", "arg1=", "arg1=DANE_FAIL",
    "reject=403 4.7.0 TLS handshake failed.",
    "reject=403 4.7.0 authentication failure NONE",
    "reject=403 4.7.0 CN mx does not match mx2",
    "reject=403 4.7.0 STARTTLS temporarily not possible",
    "reject=503 5.7.0 encryption too weak 0 less than 112", "reject=550 x",
    "reject=", "ctladdr=root (0/0)", "ctladdr=<a@b>", "delay=00:00:01",
    "xdelay=00:00:01", "mailer=esmtp", "mailer=relay", "mailer=local",
    "mailer=*file*", "mailer=", "mailer=lmtp", "mailer=dsmtp",
    "mailer=uucp-dom", "pri=30068", "dsn=2.0.0", "dsn=4.7.0", "dsn=5.1.1",
    "dsn=4.2.2", "dsn=", "stat=Sent (ok)",
    "stat=Deferred: 403 4.7.0 TLS handshake failed.",
    "stat=Deferred: 454 4.7.0 STARTTLS failed",
    "stat=Deferred: Connection refused by mx.b.", "stat=User unknown",
    "stat=", "stat=403 4.7.0 other side does not support STARTTLS",
    "stat=Deferred: 450 4.7.0 mx.b not listed in SANs",
    "stat=Deferred: 403 4.7.0 authentication failure FAIL",
    "to=<x@y>", "to=a@b,c@d", "to=\"a,b\" <q@r>", "to=<a@b>,<c@d>", "<", ">",
    "\"", ",", "=", "x@y", "@", "size=1", "from=<tlsrpt@example.net>",
    "from=a@b", "AltName=x", "\"<a,b>\"", "<\"x,\">",
};

static const char *const gen_sep[] = {
    ", ", ", ", ", ", ", ", ",", " ", "", ", , ", ",  ", ", \"", "\t",
};

/* t_rnd - the next of a sequence of numbers (a 64-bit LCG) */
static unsigned
t_rnd(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned) (*x >> 33);
}

#define T_RND(x) t_rnd(x)
#define T_PICK(x, a) ((a)[t_rnd(x) % (sizeof(a) / sizeof((a)[0]))])

/* gen_line - one generated message into line[cap]; its length */
static size_t
gen_line(uint64_t *x, char *line, size_t cap)
{
    const char *qid = T_PICK(x, gen_qid);
    const char *head = T_PICK(x, gen_head);
    size_t  len;
    int     n, j;

    len = (size_t) snprintf(line, cap, "%s%s", qid, head);
    n = (int) (T_RND(x) % 14);
    for (j = 0; j < n; j++) {
        const char *t = T_PICK(x, gen_tok);
        const char *sp = "";

        if (j + 1 < n || T_RND(x) % 3)
            sp = T_PICK(x, gen_sep);
        if (len + strlen(t) + strlen(sp) + 1 >= cap)
            break;
        len += (size_t) snprintf(line + len, cap - len, "%s%s", t, sp);
    }
    return len;
}

/* gen_pick - a token of gen_tok[] that begins with key */
static const char *
gen_pick(uint64_t *x, const char *key)
{
    size_t  n = sizeof(gen_tok) / sizeof(gen_tok[0]);
    size_t  i, at = T_RND(x) % n;

    for (i = 0; i < n; i++, at = (at + 1) % n)
        if (strncmp(gen_tok[at], key, strlen(key)) == 0)
            return gen_tok[at];
    return key;
}

/* gen_real - a line of one of Sendmail's shapes, its fields at times
 * left out, said twice or swapped */
static size_t
gen_real(uint64_t *x, char *line, size_t cap)
{
    static const char *const shape[][10] = {
        {"to=", "ctladdr=", "delay=", "xdelay=", "mailer=", "pri=", "relay=",
         "dsn=", "stat=", NULL},
        {"STARTTLS=client", "relay=", "version=", "verify=", "cipher=",
         "bits=", NULL},
        {"ruleset=tls_server", "arg1=", "relay=", "reject=", NULL},
        {"ruleset=tls_rcpt", "arg1=", "relay=", "reject=", NULL},
        {"STARTTLS=client", "cert-subject=", "cert-issuer=", "verifymsg=",
         NULL},
        {"STARTTLS=client", "error: connect failed=", "reason=",
         "SSL_error=", "errno=", NULL},
        {"STARTTLS=client", "relay=", "warning=", NULL},
        {"STARTTLS=client", "relay=", "tlsstate=", "status=", NULL},
    };
    const char *f[16];
    const char *qid = T_RND(x) % 3 ? "s1H8ZKsI024804: " : "";
    size_t  len, k = T_RND(x) % (sizeof(shape) / sizeof(shape[0]));
    int     n = 0, i;

    for (i = 0; shape[k][i] != NULL && n < 14; i++) {
        unsigned c = T_RND(x) % 16;

        if (c == 0 && i > 0)
            continue;                   /* left out */
        f[n++] = i == 0 && shape[k][0][0] != 't' ? shape[k][0]
            : gen_pick(x, shape[k][i]);
        if (c == 1)
            f[n++] = gen_pick(x, shape[k][i]);  /* twice */
    }
    if (n > 2 && T_RND(x) % 6 == 0) {           /* two swapped */
        int     a = 2 + (int) (T_RND(x) % (unsigned) (n - 2));
        const char *t = f[a];

        f[a] = f[a - 1];
        f[a - 1] = t;
    }
    len = (size_t) snprintf(line, cap, "%s", qid);
    for (i = 0; i < n; i++)
        len += (size_t) snprintf(line + len, cap - len, "%s%s",
                                 i ? (T_RND(x) % 20 ? ", " : ",") : "", f[i]);
    return len;
}

/* gen_any - gen_line() or gen_real(), at times a byte changed or the
 * line cut, at times with white space after it */
static size_t
gen_any(uint64_t *x, char *line, size_t cap)
{
    size_t  len = T_RND(x) % 2 ? gen_real(x, line, cap)
        : gen_line(x, line, cap);

    if (T_RND(x) % 4 == 0 && len > 0) {
        size_t  m = T_RND(x) % len;

        if (T_RND(x) % 2)
            line[m] = ", :\"=<>[]@.\t"[T_RND(x) % 12];
        else
            len = m;
    }
    if (T_RND(x) % 8 == 0 && len + 2 < cap)
        line[len++] = " \t\n\r"[T_RND(x) % 4];
    return len;
}

/* gen_long - a line with two fields of n and m bytes, the others
 * short: every place a scan's block of 16 (or 8) can end */
static size_t
gen_long(int i, char *line, size_t cap)
{
    static const char *const shape[][3] = {
        {"s1H8ZKsI024804: to=<", ("@b.example>, delay=00:00:01,"
         " mailer=esmtp, relay=mx.b. [192.0.2.1], dsn=2.0.0, stat=Sent ("),
         ")"},
        {"s1H8ZKsI024804: to=\"", (", x\" <a@b.example>, ctladdr=r, delay=1,"
         " mailer=relay, relay=[127.0.0.1] [127.0.0.1], dsn=4.7.0,"
         " stat=Deferred: 403 4.7.0 "), ""},
        {"STARTTLS=client, relay=", ".example., version=TLSv1.3, verify=OK,"
         " cipher=", ""},
        {"ruleset=tls_server, arg1=SOFTWARE, relay=mx", (".b. [192.0.2.1],"
         " reject=403 4.7.0 TLS handshake failed "), ""},
        {"STARTTLS=client, cert-subject=/CN=", (", cert-issuer=/CN=y,"
         " verifymsg="), ""},
        {"", ": to=<a@b>, delay=1, mailer=esmtp, relay=x [1.2.3.4], stat=",
         ""},
        {"s1H8ZKsI024804: to=<a@b>, delay=1, mailer=", ", relay=", ""},
    };
    static char fill[512];
    size_t  ns = sizeof(shape) / sizeof(shape[0]);
    int     n = i / (int) ns;

    if (fill[0] == 0) {
        size_t  k;

        for (k = 0; k < sizeof(fill); k++)
            fill[k] = "abcdefghij0123456789,<>\" "[k % 25 < 20 ? k % 20
                                                  : (k * 7) % 25];
    }
    return (size_t) snprintf(line, cap, "%s%.*s%s%.*s%s", shape[i % ns][0],
                             n % 300, fill, shape[i % ns][1], (n * 7) % 301,
                             fill + 3, shape[i % ns][2]);
}

/* exact - a copy of line in a buffer of exactly len bytes */
static char *
exact(const char *line, size_t len)
{
    char   *p = malloc(len ? len : 1);

    if (p == NULL)
        abort();
    memcpy(p, line, len);
    return p;
}

/* t_classify - sm_classify() on generated and long lines, against the
 * fingerprint of what commit a78f26d gave */
static void
t_classify(void)
{
    char    line[1400];
    struct sm_event ev;
    uint64_t h = 0xcbf29ce484222325ULL, x = 17;
    int     i;

    for (i = 0; i < 400000; i++) {
        size_t  len = gen_any(&x, line, sizeof(line));
        char   *p = exact(line, len);

        sm_classify(span_make(p, len), &ev);
        h = ev_hash(h, &ev, p);
        free(p);
    }
    for (i = 0; i < 7 * 300; i++) {
        size_t  len = gen_long(i, line, sizeof(line));
        char   *p = exact(line, len);

        sm_classify(span_make(p, len), &ev);
        h = ev_hash(h, &ev, p);
        free(p);
    }
    if (h != SM_FP_CLASSIFY)
        printf("classify fingerprint %016llx\n", (unsigned long long) h);
    T_CHECK(h == SM_FP_CLASSIFY,
            "sm_classify() as before, on generated lines");
}

/* t_peer - sm_peer_set() on relays as logged, against the fingerprint
 * of commit a78f26d */
static void
t_peer(void)
{
    static const char *const relay[] = {
        "", "mx.b.", "MX.B.", "mx.b", "[192.0.2.1]", "[IPv6:::1]",
        "[IPv6:2001:DB8::1]", "localhost", "localhost.", "LocalHost.x.",
        "[127.0.0.1]", "1.2.3.4", "[1.2.3.4", "mx..b", "-x.b", "x-.b",
        "[]", "[999.1.1.1]", "a_b.c", "gmail-smtp-in.l.google.com.",
        "ALT1.gmail-smtp-in.l.google.com.", "x", "127.0.0.1.",
    };
    static const char *const ip[] = {
        "", "192.0.2.1", "127.0.0.1", "::1", "2001:DB8::1", "IPv6:::1",
        "192.0.2.01", "1.2.3", "::ffff:1.2.3.4", "x",
    };
    struct sm_peer pe;
    uint64_t h = 0xcbf29ce484222325ULL, x = 5;
    int     i;

    for (i = 0; i < 20000; i++) {
        const char *r = T_PICK(&x, relay);
        const char *a = T_PICK(&x, ip);
        char   *pr = exact(r, strlen(r));
        char   *pa = exact(a, strlen(a));

        memset(&pe, 0x5a, sizeof(pe));
        sm_peer_set(&pe, span_make(pr, strlen(r)), span_make(pa, strlen(a)));
        h = pe_hash(h, &pe);
        free(pr);
        free(pa);
    }
    if (h != SM_FP_PEER)
        printf("peer fingerprint %016llx\n", (unsigned long long) h);
    T_CHECK(h == SM_FP_PEER, "sm_peer_set() as before");
}

/* pre_hash - what classify_mt left for the apply of an event (k) of
 * kind kind into h: only what the apply reads for that kind */
static uint64_t
pre_hash(uint64_t h, const struct sm_pre *pre, const char *line)
{
    h = ev_fnv(h, &pre->from, sizeof(pre->from));
    if (pre->from) {
        h = ev_span(h, pre->qid, line);
        return ev_span(h, pre->addr, line);
    }
    h = ev_fnv(h, &pre->forti, sizeof(pre->forti));
    h = ev_hash(h, &pre->ev, line);
    h = ev_fnv(h, &pre->klen, sizeof(pre->klen));
    h = ev_fnv(h, pre->key, pre->klen);
    h = ev_fnv(h, &pre->khash, sizeof(pre->khash));
    switch (pre->ev.kind) {
    case SM_DELIVERY:
        h = ev_fnv(h, &pre->relay_mailer, sizeof(pre->relay_mailer));
        h = ev_fnv(h, &pre->dom, sizeof(pre->dom));
        if (pre->dom == CORR_CANON_RAW)
            h = ev_fnv(h, &pre->dom_clen, sizeof(pre->dom_clen));
        /* FALLTHROUGH */
    case SM_TLS:
    case SM_DANE_NOTLS:
    case SM_CLEAR_RETRY:
    case SM_RULESET:
        h = pe_hash(h, &pre->pe);
        break;
    case SM_VERIFYMSG:
        h = ev_fnv(h, &pre->prob, sizeof(pre->prob));
        break;
    default:
        break;
    }
    return h;
}

/* t_classify_mt - the Sendmail classify_mt on generated lines under
 * Sendmail's program names and others, and in FortiMail records, with
 * and without the domain made ahead, against the fingerprint of commit
 * a78f26d: its answer, its trace, and what it left for the apply */
static void
t_classify_mt(void)
{
    static const char *const ident[] = {
        "sm-mta", "sendmail", "sm-msp-queue", "sendmail-mta", "sendmail-msp",
        "", "exim", "sendmailx", "sm-mt", "postfix/smtp", "sendmail",
        "sm-mta",
    };
    static const char *const host[] = {"mx1", "h.example", ""};
    static const char *const pid[] = {"1234", "", "99999999"};
    struct sess_conf conf;
    struct sess_own *own;
    struct sm_pre *pre;
    struct wrap_rec r;
    struct trace tr;
    char    msg[1400], line[1600];
    uint64_t h = 0xcbf29ce484222325ULL, x = 29;
    int     i, j, k, n = 0;

    memset(&conf, 0, sizeof(conf));
    conf.own_from = "tlsrpt@example.net";
    own = sess_own_create(&conf);
    pre = malloc(sizeof(*pre));
    T_CHECK(own != NULL && pre != NULL, "a tracker and room");
    if (own == NULL || pre == NULL)
        return;
    memset(pre, 0, sizeof(*pre));
    for (i = 0; i < 300000; i++) {
        size_t  mlen = i % 50 == 49 ? gen_long(i / 50, msg, sizeof(msg))
            : gen_any(&x, msg, sizeof(msg));
        const char *id = T_PICK(&x, ident);
        const char *hs, *ps;
        size_t  len;
        char   *p;

        memset(&r, 0, sizeof(r));
        if (*id == 0 && T_RND(&x) % 2) {        /* a FortiMail record */
            const char *sub = T_RND(&x) % 4 ? "smtp" : "smt";
            const char *sid = T_RND(&x) % 3 ? " session_id=\"S1x\"" : "";

            len = (size_t) snprintf(line, sizeof(line), "date=2024-11-01"
                                    " type=event subtype=%s%s msg=\"%.*s\"",
                                    sub, sid, (int) mlen, msg);
            if (T_RND(&x) % 5 == 0)
                len--;
        } else {
            memcpy(line, msg, mlen);
            len = mlen;
        }
        p = exact(line, len);
        r.msg = span_make(p, len);
        r.ident = span_make(id, strlen(id));
        /* a tag per ident (the first of equal names), or none */
        for (j = 0; strcmp(ident[j], id) != 0; j++)
            continue;
        r.ident_tag = T_RND(&x) % 4 ? 0 : (uint64_t) j + 1;
        hs = T_PICK(&x, host);
        ps = T_PICK(&x, pid);
        r.host = span_make(hs, strlen(hs));
        r.pid = span_make(ps, strlen(ps));
        r.dated = (int) (T_RND(&x) % 2);
        r.t = 1700000000 + i;
        corr_canon_ahead = (int) (T_RND(&x) % 2);
        k = sm_corr_ops.classify_mt(&r, T_RND(&x) % 4 ? own : NULL, pre, &tr);
        h = ev_fnv(h, &k, sizeof(k));
        h = ev_fnv(h, &tr.kind, sizeof(tr.kind));
        h = ev_fnv(h, &tr.result, sizeof(tr.result));
        h = ev_str(h, tr.bad);
        if (k == CORR_PRE_EVENT) {
            h = pre_hash(h, pre, p);
            n++;
        }
        free(p);
    }
    corr_canon_ahead = 0;
    if (h != SM_FP_MT)
        printf("classify_mt fingerprint %016llx (%d events)\n",
               (unsigned long long) h, n);
    T_CHECK(h == SM_FP_MT && n > 50000,
            "classify_mt as before, on generated lines");
    free(pre);
    sess_own_free(own);
}

int
main(void)
{
    t_classify();
    t_peer();
    t_classify_mt();
    return T_DONE();
}
