/* benchmarks/gen.c - realistic large-provider maillog generator
 *
 * Usage: gen [-s SEED] [-b BYTES] [-d DOMAINS] [-D DAYS] [-y YEAR]
 *            [-m postfix|exim|sendmail] [-u USES] [-r]
 * Writes to stdout a syslog (RFC 3164, UTC) Postfix log of about BYTES
 * bytes spread over DAYS days ending Nov 30 of YEAR: outbound sessions
 * to DOMAINS recipient domains drawn from a Zipf distribution (s = 1.1,
 * like real mail traffic: a few huge providers, a long tail), with a
 * realistic mix of outcomes (see gen_outcome), connection reuse and
 * several recipients per delivery, among the noise lines a busy host
 * writes (smtpd, cleanup, qmgr). Processes behave as Postfix's do: a
 * pool of default_process_limit (100) smtp processes, each serving
 * max_use (100) deliveries before a new pid replaces it. Same seed,
 * same bytes.
 * -u USES: a process is replaced after USES deliveries instead of 100;
 * -u 0 gives every delivery a process of its own (max_use = 1, or many
 * transports: the high-churn shape).
 * -r: the domains in turn instead of Zipf: every one of DOMAINS appears
 * once the log has as many sessions (the distinct-keys shape).
 * -m exim: an Exim main log (its own "YYYY-MM-DD HH:MM:SS" stamps, one
 * message id per delivery: "<=", then "=>" with X= and CV=yes/no, "=>"
 * without X= for plaintext, the "a TLS session is required" and GnuTLS
 * "certificate verification failed" deferrals, "Completed").
 * -m sendmail: syslog lines of sm-mta ("from=" noise, "STARTTLS=client"
 * with verify=OK/FAIL, handshake errors with their "stat=Deferred",
 * deliveries without STARTTLS for plaintext).
 * On stderr: the sessions written per outcome, the ground truth a run
 * of mailtlsrpt must reproduce.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t gen_state = 88172645463325252ULL;

/* gen_rand - xorshift64*: fast, seeded, good enough for traffic */
static uint64_t
gen_rand(void)
{
    gen_state ^= gen_state >> 12;
    gen_state ^= gen_state << 25;
    gen_state ^= gen_state >> 27;
    return gen_state * 2685821657736338717ULL;
}

/* gen_unit - uniform in [0, 1) */
static double
gen_unit(void)
{
    return (double) (gen_rand() >> 11) / 9007199254740992.0;
}

static double *gen_cdf;
static int gen_ndom;

/* gen_zipf_init - cumulative Zipf(s) weights for n domains */
static void
gen_zipf_init(int n, double s)
{
    double  sum = 0;
    int     i;

    gen_cdf = malloc(sizeof(double) * (size_t) n);
    if (gen_cdf == NULL)
        exit(1);
    for (i = 0; i < n; i++)
        sum += 1.0 / pow(i + 1, s);
    for (i = 0; i < n; i++)
        gen_cdf[i] = (i ? gen_cdf[i - 1] : 0) + 1.0 / pow(i + 1, s) / sum;
    gen_ndom = n;
}

/* gen_zipf - a domain index by binary search in the CDF */
static int
gen_zipf(void)
{
    double  u = gen_unit();
    int     lo = 0, hi = gen_ndom - 1;

    while (lo < hi) {
        int     mid = (lo + hi) / 2;

        if (gen_cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

enum gen_out {
    G_VERIFIED, G_TRUSTED, G_UNTRUSTED, G_NOTLS_REQ, G_PLAIN, G_NOTTRUSTED,
    G_EXPIRED, G_HANDSHAKE, G_MISMATCH, G_COUNT
};

static const char *const gen_out_name[G_COUNT] = {
    "success(verified)", "success(trusted)", "success(untrusted)",
    "starttls-not-supported(required)", "plaintext", "certificate-not-trusted",
    "certificate-expired", "validation-failure", "certificate-host-mismatch",
};

/* gen_outcome - the mix seen on busy outbound relays */
static enum gen_out
gen_outcome(int dom)
{
    double  u = gen_unit();

    if (dom % 97 == 13)
        return G_PLAIN;         /* a few domains never offer STARTTLS */
    if (u < 0.40)
        return G_VERIFIED;
    if (u < 0.80)
        return G_TRUSTED;
    if (u < 0.955)
        return G_UNTRUSTED;
    if (u < 0.965)
        return G_NOTLS_REQ;
    if (u < 0.975)
        return G_NOTTRUSTED;
    if (u < 0.982)
        return G_EXPIRED;
    if (u < 0.992)
        return G_HANDSHAKE;
    return G_MISMATCH;
}

static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* gen_exim_outcome - the Exim mix: the shapes Exim writes for each */
static enum gen_out
gen_exim_outcome(enum gen_out o)
{
    switch (o) {
    case G_TRUSTED:
        return G_VERIFIED;      /* Exim says CV=yes or CV=no */
    case G_EXPIRED:
    case G_MISMATCH:
    case G_HANDSHAKE:
        return G_NOTTRUSTED;    /* GnuTLS: "certificate verification
                                 * failed" */
    default:
        return o;
    }
}

/* gen_sm_outcome - the Sendmail mix */
static enum gen_out
gen_sm_outcome(enum gen_out o)
{
    switch (o) {
    case G_TRUSTED:
        return G_VERIFIED;      /* verify=OK */
    case G_EXPIRED:
    case G_MISMATCH:
    case G_NOTTRUSTED:
    case G_NOTLS_REQ:
        return G_HANDSHAKE;     /* "STARTTLS=client, error: connect failed" */
    default:
        return o;
    }
}

/* gen_exim - one Exim delivery (noise included); bytes written */
static int
gen_exim(const char *stamp, unsigned qid, unsigned pid, enum gen_out o,
         const char *rcptd, const char *mx, const char *addr, int nrcpt)
{
    char    id[32];
    int     n = 0;
    int     r;

    snprintf(id, sizeof(id), "1%05X-%06X-%02X", (qid >> 8) & 0xfffff,
             qid & 0xffffff, pid & 0xff);
    n += printf("%s %s <= sender%u@example.org H=client%u.example.org "
                "[192.0.2.%u] P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 "
                "CV=no S=%u id=%u.%X@example.org\n", stamp, id, pid % 777,
                pid % 9999, pid % 250, 1000 + pid * 7 % 90000, pid, qid);
    switch (o) {
    case G_VERIFIED:
    case G_UNTRUSTED:
        for (r = 0; r < nrcpt; r++)
            n += printf("%s %s %s u%d@%s R=dnslookup T=remote_smtp H=%s "
                        "[%s] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=%s "
                        "C=\"250 2.0.0 Ok: queued as 4XyZ\"\n", stamp, id,
                        r ? "->" : "=>", r, rcptd, mx, addr,
                        o == G_VERIFIED ? "yes" : "no");
        break;
    case G_PLAIN:
        n += printf("%s %s => u@%s R=dnslookup T=remote_smtp H=%s [%s] "
                    "C=\"250 ok\"\n", stamp, id, rcptd, mx, addr);
        break;
    case G_NOTLS_REQ:
        n += printf("%s %s H=%s [%s]: a TLS session is required, but the "
                    "server did not offer TLS support\n", stamp, id, mx, addr);
        n += printf("%s %s == u@%s R=dnslookup T=remote_smtp defer (-38) "
                    "H=%s [%s]: a TLS session is required, but the server "
                    "did not offer TLS support\n", stamp, id, rcptd, mx, addr);
        break;
    default:                    /* G_NOTTRUSTED */
        n += printf("%s %s == u@%s R=dnslookup T=remote_smtp defer (-37) "
                    "H=%s [%s]: TLS session: (certificate verification "
                    "failed): certificate invalid\n", stamp, id, rcptd, mx,
                    addr);
        break;
    }
    n += printf("%s %s Completed\n", stamp, id);
    return n;
}

/* gen_sm - one Sendmail delivery (noise included); bytes written */
static int
gen_sm(const char *stamp, unsigned qid, unsigned pid, enum gen_out o,
       const char *rcptd, const char *mx, const char *addr)
{
    char    q[32];
    int     n = 0;

    snprintf(q, sizeof(q), "4A%06Xs%06u", qid & 0xffffff, pid % 1000000);
    n += printf("%s relay1 sm-mta[%u]: %s: from=<sender%u@example.org>, "
                "size=%u, class=0, nrcpts=1, msgid=<%u.%X@example.org>, "
                "proto=ESMTPS, daemon=MTA, relay=client%u.example.org "
                "[192.0.2.%u]\n", stamp, pid + 5, q, pid % 777,
                1000 + pid * 7 % 90000, pid, qid, pid % 9999, pid % 250);
    switch (o) {
    case G_VERIFIED:
    case G_UNTRUSTED:
        n += printf("%s relay1 sm-mta[%u]: STARTTLS=client, relay=%s., "
                    "version=TLSv1.3, verify=%s, "
                    "cipher=TLS_AES_256_GCM_SHA384, bits=256/256\n", stamp,
                    pid, mx, o == G_VERIFIED ? "OK" : "FAIL");
        /* FALLTHROUGH */
    case G_PLAIN:
        n += printf("%s relay1 sm-mta[%u]: %s: to=<u@%s>, delay=00:00:01, "
                    "xdelay=00:00:01, mailer=esmtp, pri=120000, relay=%s. "
                    "[%s], dsn=2.0.0, stat=Sent (%s Message accepted for "
                    "delivery)\n", stamp, pid, q, rcptd, mx, addr, q);
        break;
    default:                    /* G_HANDSHAKE */
        n += printf("%s relay1 sm-mta[%u]: STARTTLS=client, error: connect "
                    "failed=-1, reason=unsupported protocol, SSL_error=1, "
                    "errno=0, retry=-1\n", stamp, pid);
        n += printf("%s relay1 sm-mta[%u]: %s: to=<u@%s>, delay=00:00:01, "
                    "xdelay=00:00:01, mailer=esmtp, pri=120000, relay=%s. "
                    "[%s], dsn=4.0.0, stat=Deferred: 403 4.7.0 TLS handshake "
                    "failed.\n", stamp, pid, q, rcptd, mx, addr);
        break;
    }
    return n;
}

int
main(int argc, char **argv)
{
    uint64_t bytes = 100ULL << 20;
    uint64_t seed = 1;
    uint64_t written = 0;
    uint64_t counts[G_COUNT] = {0};
    uint64_t sessions = 0;
    int     ndom = 20000, days = 1, year = 2024;
    int     uses = 100, in_turn = 0;
    uint64_t nsess = 0;
    int     i;
    unsigned qid = 0x10000000u;
    char    stamp[32];
    static char buf[1 << 16];
    unsigned pool[100];
    unsigned used[100];
    unsigned next_pid = 1000;
    const char *mta = "postfix";

    for (i = 1; i < argc; i += 2) {
        if (strcmp(argv[i], "-r") == 0) {
            in_turn = 1;
            i--;
        } else if (i + 1 >= argc)
            break;
        else if (strcmp(argv[i], "-u") == 0)
            uses = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-s") == 0)
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "-b") == 0)
            bytes = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "-d") == 0)
            ndom = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-D") == 0)
            days = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-y") == 0)
            year = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-m") == 0)
            mta = argv[i + 1];
        else {
            fprintf(stderr, "usage: gen [-s SEED] [-b BYTES] [-d DOMAINS] "
                    "[-D DAYS] [-y YEAR] [-m postfix|exim|sendmail] "
                    "[-u USES] [-r]\n");
            return 2;
        }
    }
    if (i != argc || uses < 0 || ndom < 1 || days < 1 || days > 28
        || (strcmp(mta, "postfix") != 0 && strcmp(mta, "exim") != 0
            && strcmp(mta, "sendmail") != 0))
        return 2;
    gen_state ^= seed * 0x9E3779B97F4A7C15ULL;
    gen_zipf_init(ndom, 1.1);
    setvbuf(stdout, buf, _IOFBF, sizeof(buf));
    for (i = 0; i < 100; i++) {
        pool[i] = next_pid;
        next_pid += 3;
        used[i] = (unsigned) (gen_rand() % 100);
    }
    while (written < bytes) {
        /* time advances evenly over the days, whatever the size */
        double  frac = (double) written / (double) bytes;
        long    t = (long) (frac * days * 86400.0);
        int     day = 30 - days + 1 + (int) (t / 86400);
        int     dom = in_turn ? (int) (nsess++ % (uint64_t) ndom) : gen_zipf();
        enum gen_out o = gen_outcome(dom);
        unsigned slot = (unsigned) (gen_rand() % 100);
        unsigned pid;
        unsigned ip = (unsigned) (dom * 2654435761u);
        char    mx[96], addr[32], rcptd[64];
        int     nrcpt = (gen_rand() % 10 == 0) ? 2 + (int) (gen_rand() % 3) : 1;
        int     reuse = gen_rand() % 8 == 0;
        int     n = 0;
        int     r;

        if (++used[slot] > (unsigned) uses) {   /* max_use: new process */
            pool[slot] = next_pid;
            next_pid = next_pid >= 4000000 ? 1000 : next_pid + 3;
            used[slot] = 0;
        }
        pid = pool[slot];
        snprintf(stamp, sizeof(stamp), "%s %2d %02ld:%02ld:%02ld", mon[10],
                 day, t / 3600 % 24, t / 60 % 60, t % 60);
        snprintf(rcptd, sizeof(rcptd), "d%d.example%s", dom,
                 dom % 3 ? ".com" : ".net");
        snprintf(mx, sizeof(mx), "mx%u.%s", (unsigned) (gen_rand() % 2 + 1),
                 rcptd);
        /* never 127/8: a loopback relay is a local smart host */
        snprintf(addr, sizeof(addr), "%u.%u.%u.%u", 10 + (ip >> 24) % 200
                 == 127 ? 126 : 10 + (ip >> 24) % 200,
                 (ip >> 16) & 255, (ip >> 8) & 255, 1 + (ip & 127));
        qid += 0x1f3;
        if (mta[0] != 'p') {
            if (mta[0] == 'e') {
                o = gen_exim_outcome(o);
                snprintf(stamp, sizeof(stamp), "%d-11-%02d %02ld:%02ld:%02ld",
                         year, day, t / 3600 % 24, t / 60 % 60, t % 60);
                n = gen_exim(stamp, qid, pid, o, rcptd, mx, addr, nrcpt);
            } else {
                o = gen_sm_outcome(o);
                n = gen_sm(stamp, qid, pid, o, rcptd, mx, addr);
            }
            sessions++;
            counts[o]++;
            written += (uint64_t) n;
            continue;
        }
        /* noise: inbound connection, cleanup, qmgr */
        n += printf("%s relay1 postfix/smtpd[%u]: connect from client%u."
                    "example.org[192.0.2.%u]\n", stamp, pid + 7, pid % 9999,
                    pid % 250);
        n += printf("%s relay1 postfix/smtpd[%u]: %X: client=client%u."
                    "example.org[192.0.2.%u]\n", stamp, pid + 7, qid,
                    pid % 9999, pid % 250);
        n += printf("%s relay1 postfix/cleanup[%u]: %X: message-id=<%u.%X@"
                    "example.org>\n", stamp, pid + 9, qid, pid, qid);
        n += printf("%s relay1 postfix/qmgr[811]: %X: from=<sender%u@"
                    "example.org>, size=%u, nrcpt=%d (queue active)\n", stamp,
                    qid, pid % 777, 1000 + pid * 7 % 90000, nrcpt);
        n += printf("%s relay1 postfix/smtpd[%u]: disconnect from client%u."
                    "example.org[192.0.2.%u] ehlo=1 mail=1 rcpt=1 data=1 "
                    "quit=1 commands=5\n", stamp, pid + 7, pid % 9999,
                    pid % 250);
        sessions++;
        counts[o]++;
        switch (o) {
        case G_VERIFIED:
        case G_TRUSTED:
        case G_UNTRUSTED:
        case G_EXPIRED:
        case G_MISMATCH:
        case G_NOTTRUSTED:
            if (o == G_EXPIRED)
                n += printf("%s relay1 postfix/smtp[%u]: server certificate "
                            "verification failed for %s[%s]:25: certificate "
                            "has expired\n", stamp, pid, mx, addr);
            if (o == G_NOTTRUSTED)
                n += printf("%s relay1 postfix/smtp[%u]: certificate "
                            "verification failed for %s[%s]:25: untrusted "
                            "issuer /C=XX/O=Example/CN=Example CA\n", stamp,
                            pid, mx, addr);
            n += printf("%s relay1 postfix/smtp[%u]: %s TLS connection "
                        "established to %s[%s]:25: TLSv1.3 with cipher "
                        "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange "
                        "X25519 server-signature RSA-PSS (2048 bits) "
                        "server-digest SHA256\n", stamp, pid,
                        o == G_VERIFIED ? "Verified" : o == G_TRUSTED
                        || o == G_MISMATCH ? "Trusted" : "Untrusted", mx, addr);
            for (r = 0; r < nrcpt; r++)
                n += printf("%s relay1 postfix/smtp[%u]: %X: to=<u%d@%s>, "
                            "relay=%s[%s]:25, delay=0.%d, delays=0.1/0/0.2/0.3,"
                            " dsn=%s, status=%s\n", stamp, pid, qid, r, rcptd,
                            mx, addr, r + 3,
                            o == G_MISMATCH || o == G_NOTTRUSTED ? "4.7.5"
                            : "2.0.0",
                            o == G_MISMATCH ? "deferred (Server certificate "
                            "not verified)" : o == G_NOTTRUSTED ? "deferred "
                            "(Server certificate not trusted)" : "sent (250 "
                            "2.0.0 Ok: queued as 4XyZ)");
            if (reuse && o <= G_UNTRUSTED)
                n += printf("%s relay1 postfix/smtp[%u]: %X: to=<v@%s>, "
                            "relay=%s[%s]:25, conn_use=2, delay=0.2, delays="
                            "0/0/0/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n",
                            stamp, pid + 1, qid + 1, rcptd, mx, addr);
            break;
        case G_NOTLS_REQ:
            n += printf("%s relay1 postfix/smtp[%u]: %X: to=<u@%s>, relay=%s[%s]"
                        ":25, delay=0.4, delays=0.1/0/0.3/0, dsn=4.7.4, status="
                        "deferred (TLS is required, but was not offered by "
                        "host %s[%s])\n", stamp, pid, qid, rcptd, mx, addr, mx,
                        addr);
            break;
        case G_PLAIN:
            n += printf("%s relay1 postfix/smtp[%u]: %X: to=<u@%s>, relay=%s[%s]"
                        ":25, delay=0.4, delays=0.1/0/0.2/0.1, dsn=2.0.0, "
                        "status=sent (250 ok)\n", stamp, pid, qid, rcptd, mx,
                        addr);
            break;
        case G_HANDSHAKE:
            n += printf("%s relay1 postfix/smtp[%u]: SSL_connect error to "
                        "%s[%s]:25: -1\n", stamp, pid, mx, addr);
            n += printf("%s relay1 postfix/smtp[%u]: warning: TLS library "
                        "problem: error:0A000102:SSL routines::unsupported "
                        "protocol:../ssl/statem/statem_lib.c:1986:\n", stamp, pid);
            n += printf("%s relay1 postfix/smtp[%u]: %X: to=<u@%s>, relay=%s[%s]"
                        ":25, delay=0.4, delays=0.1/0/0.3/0, dsn=4.7.5, status="
                        "deferred (Cannot start TLS: handshake failure)\n",
                        stamp, pid, qid, rcptd, mx, addr);
            break;
        default:
            break;
        }
        n += printf("%s relay1 postfix/qmgr[811]: %X: removed\n", stamp, qid);
        written += (uint64_t) n;
    }
    fflush(stdout);
    fprintf(stderr, "# sessions %llu\n", (unsigned long long) sessions);
    for (i = 0; i < G_COUNT; i++)
        fprintf(stderr, "# %s %llu\n", gen_out_name[i],
                (unsigned long long) counts[i]);
    return 0;
}
