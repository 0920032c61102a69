/* tests/t_polcache.c - unit tests for emit/pol_cache: damaged and hostile
 * cache files under the state directory
 *
 * A cache file left by an older run may be truncated, garbage, a symlink,
 * a FIFO, or hand-written to pin answers: every such file must be a cache
 * miss (the caller asks DNS again), never a crash, a hang or an answer a
 * fresh lookup could not have produced.
 */
#include "../emit/resolution/pol_cache.h"
#include "../emit/resolution/sts.h"
#include "testlib.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NOW ((time_t) 1700000000)
#define DOM "example.org"

static char root[256];
static char path[512];

/* cache_path - root/cache/XX/DOM.json (FNV-1a as in pol_cache.c) */
static void
cache_path(void)
{
    unsigned h = 2166136261u;
    const char *p;
    char    dir[400];

    for (p = DOM; *p; p++)
        h = (h ^ (unsigned char) *p) * 16777619u;
    snprintf(dir, sizeof(dir), "%s/cache/%02x", root, h & 0xff);
    snprintf(path, sizeof(path), "%s/" DOM ".json", dir);
    mkdir(root, 0700);
}

/* put_file - replace the cache file with text */
static void
put_file(const char *text, size_t len)
{
    FILE   *fp;

    unlink(path);
    rmdir(path);
    if ((fp = fopen(path, "w")) == NULL) {
        perror(path);
        exit(2);
    }
    fwrite(text, 1, len, fp);
    fclose(fp);
}

/* hex - lower-case hex of s (static buffer) */
static const char *
hex(const char *s)
{
    static char buf[1024];
    size_t  i;

    for (i = 0; s[i] && 2 * i + 2 < sizeof(buf); i++)
        snprintf(buf + 2 * i, 3, "%02x", (unsigned char) s[i]);
    buf[2 * i] = 0;
    return buf;
}

/* dns_file - a cache file with one "dns" entry */
static void
dns_file(const char *key, const char *rc, long long until, const char *rr)
{
    char    buf[2048];
    int     n;

    n = snprintf(buf, sizeof(buf), "{\"v\":1,\"domain\":\"" DOM "\","
                 "\"saved\":%lld,\"dns\":{\"%s\":{\"rc\":\"%s\",\"ad\":false,"
                 "\"until\":%lld,\"rr\":[%s%s%s],\"pref\":[%s]}}}",
                 (long long) NOW, key, rc, until, rr ? "\"" : "",
                 rr ? hex(rr) : "", rr ? "\"" : "", rr ? "10" : "");
    put_file(buf, (size_t) n);
}

/* hit - 1 when the file at path gives an answer under key */
static int
hit(const char *key, char *first, size_t cap)
{
    struct pol_cache *c = pol_cache_load(root, DOM);
    struct dns_ans a;
    int     got = pol_cache_get(c, key, NOW, &a);

    if (first != NULL) {
        first[0] = 0;
        if (got && a.n > 0)
            snprintf(first, cap, "%s", a.rr[0].data);
    }
    if (got)
        dns_ans_free(&a);
    pol_cache_free(c);
    return got;
}

/* policy_file - a cache file with one "policy" entry */
static void
policy_file(const char *id, long long fetched, long long expires)
{
    char    buf[1024];
    int     n;

    n = snprintf(buf, sizeof(buf), "{\"v\":1,\"domain\":\"" DOM "\","
                 "\"policy\":{\"id\":\"%s\",\"body\":\"version: STSv1\\n"
                 "mode: enforce\\nmx: mx.example.org\\nmax_age: 86400\\n\","
                 "\"fetched\":%lld,\"expires\":%lld}}", id, fetched, expires);
    put_file(buf, (size_t) n);
}

/* policy_hit - 1 when the file gives a policy */
static int
policy_hit(void)
{
    struct pol_cache *c = pol_cache_load(root, DOM);
    char    id[STS_MAX_ID + 1];
    char   *body = NULL;
    time_t  f, x;
    int     got = pol_cache_get_policy(c, id, &body, &f, &x);

    free(body);
    pol_cache_free(c);
    return got;
}

/* test_roundtrip - what pol_cache_save() wrote is read back (baseline) */
static void
test_roundtrip(void)
{
    struct pol_cache *c = pol_cache_new();
    struct dns_ans a;
    struct stat st;
    char    first[64];

    memset(&st, 0, sizeof(st));
    memset(&a, 0, sizeof(a));
    a.rc = DNS_OK;
    a.ttl = 600;
    a.n = 1;
    a.rr[0].data = strdup("192.0.2.7");
    a.rr[0].len = strlen(a.rr[0].data);
    pol_cache_put(c, "a:mta-sts", NOW, &a);
    dns_ans_free(&a);
    pol_cache_put_policy(c, "20240101", "version: STSv1\nmode: testing\n"
                         "mx: mx.example.org\nmax_age: 600\n", NOW, NOW + 600);
    T_CHECK(pol_cache_save(root, DOM, c, NOW) == 0, "save");
    pol_cache_free(c);
    T_CHECK(stat(root, &st) == 0 && (st.st_mode & 0077) == 0,
            "state directory kept as made");
    {
        char    dir[512];

        snprintf(dir, sizeof(dir), "%s/cache", root);
        T_CHECK(stat(dir, &st) == 0 && (st.st_mode & 0007) == 0,
                "cache directory not open to others (mode %o)",
                (unsigned) st.st_mode & 0777);
    }
    T_CHECK(stat(path, &st) == 0 && (st.st_mode & 0007) == 0,
            "cache file not readable by others (mode %o)",
            (unsigned) st.st_mode & 0777);
    T_CHECK(hit("a:mta-sts", first, sizeof(first))
            && strcmp(first, "192.0.2.7") == 0,
            "saved answer read back: \"%s\"", first);
    T_CHECK(policy_hit(), "saved policy read back");
}

/* test_damaged - truncated, garbage, empty, a directory, too big */
static void
test_damaged(void)
{
    static const char garbage[] = "\x00\xff{\"v\":1,\"domain\"\x01\n\r";
    struct pol_cache *c;
    char    buf[4096];
    FILE   *fp;
    size_t  n;
    char   *big;

    /* truncated: the first half of a good file */
    dns_file("a:mta-sts", "ok", (long long) NOW + 600, "192.0.2.7");
    T_CHECK(hit("a:mta-sts", NULL, 0), "good file before truncation");
    fp = fopen(path, "r");
    n = fp ? fread(buf, 1, sizeof(buf), fp) : 0;
    if (fp)
        fclose(fp);
    put_file(buf, n / 2);
    T_CHECK(!hit("a:mta-sts", NULL, 0), "truncated file is a miss");
    put_file(garbage, sizeof(garbage) - 1);
    T_CHECK(!hit("a:mta-sts", NULL, 0), "garbage file is a miss");
    put_file("", 0);
    T_CHECK(!hit("a:mta-sts", NULL, 0), "empty file is a miss");
    put_file("[1,2,3]", 7);
    T_CHECK(!hit("a:mta-sts", NULL, 0), "JSON array is a miss");
    put_file("{\"v\":1,\"domain\":\"other.example\",\"dns\":{}}", 42);
    T_CHECK(!hit("a:mta-sts", NULL, 0), "file of another domain is a miss");
    unlink(path);
    mkdir(path, 0700);
    T_CHECK(!hit("a:mta-sts", NULL, 0), "directory in place of the file");
    rmdir(path);
    /* more than POL_CACHE_MAX_FILE: not even parsed */
    big = malloc(POL_CACHE_MAX_FILE + 2);
    memset(big, ' ', POL_CACHE_MAX_FILE + 1);
    dns_file("a:mta-sts", "ok", (long long) NOW + 600, "192.0.2.7");
    fp = fopen(path, "r");
    n = fp ? fread(buf, 1, sizeof(buf), fp) : 0;
    if (fp)
        fclose(fp);
    memcpy(big, buf, n);
    put_file(big, POL_CACHE_MAX_FILE + 1);
    free(big);
    T_CHECK(!hit("a:mta-sts", NULL, 0), "file over the size cap is a miss");
    /* a cache that is NULL-free after load can still be used */
    c = pol_cache_load(root, "not a domain/../x");
    T_CHECK(c != NULL, "invalid domain gives an empty cache");
    pol_cache_free(c);
}

/* test_links - symlink and FIFO in place of the file */
static void
test_links(void)
{
    char    target[600];

    dns_file("a:mta-sts", "ok", (long long) NOW + 600, "192.0.2.7");
    snprintf(target, sizeof(target), "%s.real", path);
    rename(path, target);
    T_CHECK(symlink(target, path) == 0, "symlink made");
    T_CHECK(!hit("a:mta-sts", NULL, 0), "symlinked cache file not followed");
    unlink(path);
    unlink(target);
    T_CHECK(mkfifo(path, 0600) == 0, "FIFO made");
    alarm(10);                  /* a hang ends the test with SIGALRM */
    T_CHECK(!hit("a:mta-sts", NULL, 0), "FIFO is a miss, without blocking");
    alarm(0);
    unlink(path);
}

/* test_hostile - entries a fresh answer could not have produced */
static void
test_hostile(void)
{
    char    first[64];

    dns_file("a:mta-sts", "ok", (long long) NOW + 86400, "192.0.2.7");
    T_CHECK(hit("a:mta-sts", NULL, 0), "until at the TTL cap: kept");
    dns_file("a:mta-sts", "ok", (long long) NOW + 86401, "192.0.2.7");
    T_CHECK(!hit("a:mta-sts", NULL, 0), "until past the TTL cap: miss");
    dns_file("a:mta-sts", "ok", 9223372036854775807LL, "192.0.2.7");
    T_CHECK(!hit("a:mta-sts", NULL, 0), "until = INT64_MAX: miss");
    dns_file("txt:_smtp._tls", "nxdomain", (long long) NOW + 3601, NULL);
    T_CHECK(!hit("txt:_smtp._tls", NULL, 0), "negative past 1 h: miss");
    dns_file("txt:_smtp._tls", "nxdomain", (long long) NOW + 3600, NULL);
    T_CHECK(hit("txt:_smtp._tls", NULL, 0), "negative within 1 h: kept");
    /* addresses go into CURLOPT_RESOLVE: only canonical ones */
    dns_file("a:mta-sts", "ok", (long long) NOW + 600,
             "192.0.2.7,127.0.0.1");
    T_CHECK(!hit("a:mta-sts", NULL, 0), "address list smuggled in A: miss");
    dns_file("a:mta-sts", "ok", (long long) NOW + 600, "[2001:db8::1]:443");
    T_CHECK(!hit("a:mta-sts", NULL, 0), "address with brackets and port");
    dns_file("aaaa:mta-sts", "ok", (long long) NOW + 600, "2001:DB8::1");
    T_CHECK(!hit("aaaa:mta-sts", NULL, 0), "non-canonical AAAA: miss");
    dns_file("aaaa:mta-sts", "ok", (long long) NOW + 600, "2001:db8::1");
    T_CHECK(hit("aaaa:mta-sts", first, sizeof(first))
            && strcmp(first, "2001:db8::1") == 0, "canonical AAAA kept");
    dns_file("mx", "ok", (long long) NOW + 600, "mx..example.org");
    T_CHECK(!hit("mx", NULL, 0), "MX that is no host name: miss");
    dns_file("mx", "ok", (long long) NOW + 600, "mx.example.org\r\nX: y");
    T_CHECK(!hit("mx", NULL, 0), "MX with CRLF: miss");
    dns_file("mx", "ok", (long long) NOW + 600, "mx.example.org");
    T_CHECK(hit("mx", NULL, 0), "MX host name kept");
    dns_file("tlsa:mx.example.org", "ok", (long long) NOW + 600,
             "3 1 1 ab\x01\x7f");
    T_CHECK(!hit("tlsa:mx.example.org", NULL, 0), "TLSA with controls");
    /* TXT keeps any byte: the parsers judge it as a fresh answer */
    dns_file("txt:_smtp._tls", "ok", (long long) NOW + 600,
             "v=TLSRPTv1;rua=mailto:a@b.example\x01");
    T_CHECK(hit("txt:_smtp._tls", NULL, 0), "TXT bytes kept for the parser");
    /* policy: id grammar and max_age bound */
    policy_file("abc123", (long long) NOW, (long long) NOW + 86400);
    T_CHECK(policy_hit(), "good cached policy");
    policy_file("abc 123", (long long) NOW, (long long) NOW + 86400);
    T_CHECK(!policy_hit(), "policy id with a space refused");
    policy_file("..\\/x", (long long) NOW, (long long) NOW + 86400);
    T_CHECK(!policy_hit(), "policy id with punctuation refused");
    policy_file("", (long long) NOW, (long long) NOW + 86400);
    T_CHECK(!policy_hit(), "empty policy id refused");
    policy_file("abc", (long long) NOW, (long long) NOW + STS_MAX_AGE + 1);
    T_CHECK(!policy_hit(), "expiry past max_age's bound refused");
    policy_file("abc", (long long) NOW, (long long) NOW - 1);
    T_CHECK(!policy_hit(), "expiry before the fetch refused");
    policy_file("abc", 0, 9223372036854775807LL);
    T_CHECK(!policy_hit(), "expiry INT64_MAX refused");
}

int
main(void)
{
    char    cmd[300];

    snprintf(root, sizeof(root), "/tmp/t_polcache.%ld", (long) getpid());
    cache_path();
    test_roundtrip();
    test_damaged();
    test_links();
    test_hostile();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", root);
    return T_DONE();
}
