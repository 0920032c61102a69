/* tests/t_rpt.c - unit tests for emit/report/rpt.c
 *
 * Golden JSON (testdata/golden/rpt_basic.json) from hand-built
 * agg_group/agg_detail values (no agg_tab), report ids and file names
 * for valid and hostile input, rpt_write() atomicity and gzip output,
 * and the receiver-side checker ($BUILD/tests/tool_rcvcheck) on what
 * rpt_write() produced and on testdata/receiver/{good,bad}/.
 * Runs from the repository root; writes only below a mkdtemp(3)
 * directory in /tmp, which it removes.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ZLIB_CONST
#include <zlib.h>

#include "../emit/report/rpt.h"
#include "testlib.h"

#define T_DAY 19969                     /* 2024-09-03 */

static char t_dir[64];                  /* scratch directory */
static char t_tool[512];                /* the checker program */

/* t_read - whole file, NUL-terminated, malloc'd; NULL if unreadable */
static char *
t_read(const char *path, size_t *lenp)
{
    FILE   *fp = fopen(path, "rb");
    char   *buf = NULL;
    size_t  len = 0;
    size_t  cap = 0;
    size_t  n;

    if (fp == NULL)
        return NULL;
    do {
        if (len + 4096 + 1 > cap) {
            cap = (len + 4096 + 1) * 2;
            buf = realloc(buf, cap);
            if (buf == NULL)
                abort();
        }
        n = fread(buf + len, 1, 4096, fp);
        len += n;
    } while (n > 0);
    fclose(fp);
    buf[len] = 0;
    if (lenp)
        *lenp = len;
    return buf;
}

/* t_read_in - file name in the scratch directory */
static char *
t_read_in(const char *name, size_t *lenp)
{
    char    path[1024];

    snprintf(path, sizeof(path), "%s/%s", t_dir, name);
    return t_read(path, lenp);
}

/* t_gunzip - inflate one gzip member; malloc'd, NUL-terminated, or NULL */
static char *
t_gunzip(const char *in, size_t inlen, size_t *outlen)
{
    size_t  cap = inlen * 20 + 1024;
    char   *out = malloc(cap + 1);
    z_stream zs;
    int     zr;

    memset(&zs, 0, sizeof(zs));
    if (out == NULL || inflateInit2(&zs, 15 + 16) != Z_OK)
        abort();
    zs.next_in = (const Bytef *) in;
    zs.avail_in = (uInt) inlen;
    zs.next_out = (Bytef *) out;
    zs.avail_out = (uInt) cap;
    zr = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    if (zr != Z_STREAM_END || zs.avail_in != 0) {
        free(out);
        return NULL;
    }
    out[zs.total_out] = 0;
    *outlen = zs.total_out;
    return out;
}

/* t_sending_ip - the test's loghost -> sending-mta-ip table */
static const char *
t_sending_ip(const char *loghost, const char *rcv_ip, const void *ctx)
{
    (void) ctx;
    (void) rcv_ip;
    if (strcmp(loghost, "mta1") == 0)
        return "198.51.100.7";
    if (strcmp(loghost, "mta3") == 0)
        return "2001:DB8:0:0:0:0:0:7";  /* not canonical */
    if (strcmp(loghost, "mta4") == 0)
        return "not-an-ip";
    return NULL;                        /* mta2: unknown */
}

static const struct rpt_conf t_conf = {
    .org_name = "Example Org",
    .contact = "tlsrpt@example.org",
    .submitter = "example.org",
    .unique_id = "001",
    .sending_ip = t_sending_ip,
    .sending_ip_ctx = NULL,
};

static const struct agg_detail t_nopol_details[] = {
    {SESS_STARTTLS_NOT_SUPPORTED, "mx1.example.net", "mx1.example.net",
     "192.0.2.10", "mta1", "", 3},
    {SESS_CERT_EXPIRED, "mx2.example.net", "", "2001:db8::25", "mta2", "",
     2},
    {SESS_VALIDATION_FAILURE, "mx3.example.net", "smtp.example.com",
     "203.0.113.5", "mta1", "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
     1},
};

static const struct agg_group t_nopol = {
    .day = T_DAY, .policy = SESS_POL_NONE, .domain = "example.net",
    .success = 12, .failure = 6, .plain_ignored = 4,
    .ndetails = 3, .details = t_nopol_details,
};

static const struct agg_group t_sts = {
    .day = T_DAY, .policy = SESS_POL_STS, .domain = "example.net",
    .success = 40, .failure = 0, .ndetails = 0, .details = NULL,
};

static const char *const t_sts_lines[] = {
    "version: STSv1", "mode: testing", "mx: mx1.example.net",
    "mx: *.example.net", "max_age: 86400",
};
static const char *const t_sts_mx[] = {"mx1.example.net", "*.example.net"};

static const struct rpt_policy t_basic[] = {
    {&t_nopol, NULL, NULL, 0, NULL, 0},
    {&t_sts, NULL, t_sts_lines, 5, t_sts_mx, 2},
};

/* t_json1 - rpt_json() of a single policy for the test conf */
static char *
t_json1(const struct rpt_conf *c, const struct rpt_policy *p)
{
    return rpt_json(c, T_DAY, "example.net", p, 1);
}

/* test_golden - the basic report equals testdata/golden/rpt_basic.json */
static void
test_golden(void)
{
    char   *want = t_read("testdata/golden/rpt_basic.json", NULL);
    char   *got = rpt_json(&t_conf, T_DAY, "example.net", t_basic, 2);
    char   *again = rpt_json(&t_conf, T_DAY, "example.net", t_basic, 2);
    size_t  n;

    T_CHECK(want != NULL, "cannot read testdata/golden/rpt_basic.json");
    T_CHECK(got != NULL, "rpt_json failed");
    if (want != NULL && got != NULL) {
        /* the file ends with one newline; the JSON text has none */
        n = strlen(want);
        if (n > 0 && want[n - 1] == '\n')
            want[n - 1] = 0;
        T_CHECK(strcmp(got, want) == 0, "golden mismatch:\n got %s\nwant %s",
                got, want);
        T_CHECK(strchr(got, '\n') == NULL, "newline in JSON");
    }
    T_CHECK(got && again && strcmp(got, again) == 0, "not deterministic");
    free(want);
    free(got);
    free(again);
}

/* test_json_variants - tlsa, clamping, IP forms, zero counts */
static void
test_json_variants(void)
{
    static const struct agg_detail det[] = {
        {SESS_TLSA_INVALID, "mx1.example.net", "", "192.0.2.1", "mta3", "",
         (uint64_t) 1 << 40},
        {SESS_DNSSEC_INVALID, "", "", "::ffff:192.0.2.9", "mta4", "", 7},
        {SESS_DANE_REQUIRED, "mx9.example.net", "", "bogus", NULL, NULL, 0},
    };
    struct agg_group tlsa = {
        .day = T_DAY, .policy = SESS_POL_TLSA, .domain = "example.net",
        .success = 5000000000ULL, .failure = ((uint64_t) 1 << 40) + 7,
        .ndetails = 3, .details = det,
    };
    struct rpt_policy pol = {&tlsa, "mx1.example.net", NULL, 0, t_sts_mx, 2};
    struct rpt_conf noip = t_conf;
    char   *s;

    s = t_json1(&t_conf, &pol);
    T_CHECK(s != NULL, "tlsa report failed");
    if (s == NULL)
        return;
    T_CHECK(strstr(s, "\"policy\":{\"policy-type\":\"tlsa\","
                   "\"policy-domain\":\"mx1.example.net\"}") != NULL,
            "tlsa policy: mx-host must be left out, override used: %s", s);
    T_CHECK(strstr(s, "\"total-successful-session-count\":4294967295,"
                   "\"total-failure-session-count\":4294967295") != NULL,
            "totals not clamped: %s", s);
    T_CHECK(strstr(s, "{\"result-type\":\"tlsa-invalid\","
                   "\"sending-mta-ip\":\"2001:db8::7\","
                   "\"receiving-mx-hostname\":\"mx1.example.net\","
                   "\"receiving-ip\":\"192.0.2.1\","
                   "\"failed-session-count\":4294967295}") != NULL,
            "detail 1 (canonical sending IP, clamped count): %s", s);
    T_CHECK(strstr(s, "{\"result-type\":\"dnssec-invalid\","
                   "\"receiving-ip\":\"192.0.2.9\","
                   "\"failed-session-count\":7}]") != NULL,
            "detail 2 (bad sending IP left out, mapped IPv4): %s", s);
    T_CHECK(strstr(s, "dane-required") == NULL, "zero count emitted: %s", s);
    T_CHECK(strstr(s, "null") == NULL, "null in %s", s);
    free(s);

    /* no sending_ip callback: no sending-mta-ip; all-zero: no details */
    noip.sending_ip = NULL;
    pol.policy_domain = NULL;
    s = t_json1(&noip, &(struct rpt_policy) {&t_nopol, NULL, NULL, 0,
                                             NULL, 0});
    T_CHECK(s && strstr(s, "sending-mta-ip") == NULL, "sending-mta-ip: %s",
            s ? s : "(null)");
    free(s);
    tlsa.ndetails = 0;
    tlsa.failure = 0;
    tlsa.success = 0;
    s = t_json1(&t_conf, &pol);
    T_CHECK(s && strstr(s, "failure-details") == NULL
            && strstr(s, "\"policy-domain\":\"example.net\"") != NULL
            && strstr(s, "\"total-successful-session-count\":0,") != NULL,
            "empty tlsa: %s", s ? s : "(null)");
    free(s);
}

/* test_json_refused - input that must give NULL, not a bad report */
static void
test_json_refused(void)
{
    static const char *const with_null[] = {"version: STSv1", NULL};
    struct agg_detail bad_det = t_nopol_details[0];
    struct agg_group g = t_nopol;
    struct rpt_policy p = {&g, NULL, NULL, 0, NULL, 0};
    struct rpt_conf c;

    c = t_conf;
    c.contact = NULL;
    T_CHECK(t_json1(&c, &p) == NULL, "NULL contact accepted");
    c.contact = "";
    T_CHECK(t_json1(&c, &p) == NULL, "empty contact accepted");
    c.contact = "nobody";
    T_CHECK(t_json1(&c, &p) == NULL, "contact without @ accepted");
    c.contact = "a b@example.org";
    T_CHECK(t_json1(&c, &p) == NULL, "contact with space accepted");
    c.contact = "tlsrpt@exa_mple.org";
    T_CHECK(t_json1(&c, &p) == NULL, "contact with bad domain accepted");
    c = t_conf;
    c.org_name = "";
    T_CHECK(t_json1(&c, &p) == NULL, "empty organization-name accepted");
    c = t_conf;
    c.unique_id = "0-1";
    T_CHECK(t_json1(&c, &p) == NULL, "bad unique id accepted");
    T_CHECK(rpt_json(&t_conf, T_DAY, "example.net", &p, 0) == NULL,
            "no policies accepted");
    T_CHECK(rpt_json(&t_conf, T_DAY, "Example.net", &p, 1) == NULL,
            "upper-case domain accepted");
    T_CHECK(rpt_json(&t_conf, -1, "example.net", &p, 1) == NULL,
            "negative day accepted");
    p.policy_domain = "bad..example";
    T_CHECK(t_json1(&t_conf, &p) == NULL, "bad policy domain accepted");
    p.policy_domain = NULL;
    g.policy = SESS_POL_COUNT;
    T_CHECK(t_json1(&t_conf, &p) == NULL, "bad policy type accepted");
    g = t_nopol;
    g.details = &bad_det;
    g.ndetails = 1;
    bad_det.result = SESS_SUCCESS;
    T_CHECK(t_json1(&t_conf, &p) == NULL, "success detail accepted");
    bad_det.result = SESS_RESULT_COUNT;
    T_CHECK(t_json1(&t_conf, &p) == NULL, "unknown result accepted");
    bad_det.result = SESS_VALIDATION_FAILURE;
    bad_det.reason = "bad \xff utf-8";
    T_CHECK(t_json1(&t_conf, &p) == NULL, "invalid UTF-8 accepted");
    g = t_nopol;
    g.day = T_DAY + 1;
    T_CHECK(t_json1(&t_conf, &p) == NULL, "counters of another day accepted");
    g = t_sts;
    p.policy_strings = with_null;
    p.npolicy_strings = 2;
    T_CHECK(t_json1(&t_conf, &p) == NULL, "NULL policy string accepted");
}

/* test_names - report ids and file names, valid and hostile */
static void
test_names(void)
{
    char    buf[600];
    char    big[301];
    char    uid33[34];
    struct rpt_conf c = t_conf;

    T_CHECK(rpt_report_id(&c, T_DAY, "example.net", buf, sizeof(buf)) == 0
            && strcmp(buf, "20240903.001.example.net@example.org") == 0,
            "report id: %s", buf);
    T_CHECK(rpt_file_name(&c, T_DAY, "example.net", 0, buf, sizeof(buf)) == 0
            && strcmp(buf, "example.org!example.net!1725321600!1725407999"
                      "!001.json") == 0, "file name: %s", buf);
    T_CHECK(rpt_file_name(&c, T_DAY, "example.net", 1, buf, sizeof(buf)) == 0
            && strcmp(buf, "example.org!example.net!1725321600!1725407999"
                      "!001.json.gz") == 0, "gz file name: %s", buf);
    T_CHECK(rpt_file_name(&c, 0, "example.net", 0, buf, sizeof(buf)) == 0
            && strcmp(buf, "example.org!example.net!0!86399!001.json") == 0,
            "day 0: %s", buf);
    T_CHECK(rpt_report_id(&c, 2932896, "example.net", buf, sizeof(buf)) == 0
            && strncmp(buf, "99991231.", 9) == 0, "last day: %s", buf);
    T_CHECK(rpt_report_id(&c, 2932897, "example.net", buf, sizeof(buf))
            == -1 && buf[0] == 0, "five-digit year accepted: %s", buf);
    T_CHECK(rpt_file_name(&c, -1, "example.net", 0, buf, sizeof(buf)) == -1,
            "negative day accepted");

    /* hostile domains */
    T_CHECK(rpt_file_name(&c, T_DAY, "../../x", 0, buf, sizeof(buf)) == -1
            && buf[0] == 0, "domain ../../x accepted: %s", buf);
    T_CHECK(rpt_report_id(&c, T_DAY, "../../x", buf, sizeof(buf)) == -1,
            "domain ../../x accepted in id");
    memset(big, 'a', 300);
    big[300] = 0;
    T_CHECK(rpt_file_name(&c, T_DAY, big, 0, buf, sizeof(buf)) == -1,
            "300-byte domain accepted");
    T_CHECK(rpt_report_id(&c, T_DAY, big, buf, sizeof(buf)) == -1,
            "300-byte domain accepted in id");
    T_CHECK(rpt_file_name(&c, T_DAY, "a/b.example", 0, buf, sizeof(buf))
            == -1, "domain with '/' accepted");
    T_CHECK(rpt_file_name(&c, T_DAY, "example.net.", 0, buf, sizeof(buf))
            == -1, "trailing dot accepted");
    T_CHECK(rpt_file_name(&c, T_DAY, "Example.NET", 0, buf, sizeof(buf))
            == -1, "upper case accepted");
    T_CHECK(rpt_file_name(&c, T_DAY, "", 0, buf, sizeof(buf)) == -1,
            "empty domain accepted");
    T_CHECK(rpt_file_name(&c, T_DAY, NULL, 0, buf, sizeof(buf)) == -1,
            "NULL domain accepted");
    T_CHECK(rpt_file_name(NULL, T_DAY, "example.net", 0, buf, sizeof(buf))
            == -1, "NULL conf accepted");

    /* hostile submitter and unique id */
    c.submitter = "..";
    T_CHECK(rpt_file_name(&c, T_DAY, "example.net", 0, buf, sizeof(buf))
            == -1, "submitter .. accepted");
    c = t_conf;
    c.unique_id = "a/b";
    T_CHECK(rpt_file_name(&c, T_DAY, "example.net", 0, buf, sizeof(buf))
            == -1 && buf[0] == 0, "unique id a/b accepted: %s", buf);
    T_CHECK(rpt_report_id(&c, T_DAY, "example.net", buf, sizeof(buf)) == -1,
            "unique id a/b accepted in id");
    c.unique_id = "";
    T_CHECK(rpt_file_name(&c, T_DAY, "example.net", 0, buf, sizeof(buf))
            == -1, "empty unique id accepted");
    c.unique_id = "..";
    T_CHECK(rpt_file_name(&c, T_DAY, "example.net", 0, buf, sizeof(buf))
            == -1, "unique id .. accepted");
    memset(uid33, '7', 33);
    uid33[33] = 0;
    c.unique_id = uid33;
    T_CHECK(rpt_file_name(&c, T_DAY, "example.net", 0, buf, sizeof(buf))
            == -1, "33-char unique id accepted");
    uid33[32] = 0;
    T_CHECK(rpt_file_name(&c, T_DAY, "example.net", 0, buf, sizeof(buf))
            == 0, "32-char unique id refused");

    /* buffer too small */
    c = t_conf;
    T_CHECK(rpt_file_name(&c, T_DAY, "example.net", 0, buf, 20) == -1
            && buf[0] == 0, "short buffer: %s", buf);
    T_CHECK(rpt_report_id(&c, T_DAY, "example.net", buf, 36) == -1
            && rpt_report_id(&c, T_DAY, "example.net", buf, 37) == 0,
            "id buffer bounds");
}

/* t_temp_files - number of hidden entries (temp files) in the dir */
static int
t_temp_files(void)
{
    DIR    *d = opendir(t_dir);
    struct dirent *e;
    int     n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0
            && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* t_run - run the checker on files; exit status, lines in *nlines */
static int
t_run(const char *files, int *nlines)
{
    char    cmd[4096];
    char    line[1024];
    FILE   *fp;
    int     st;
    int     n = 0;

    snprintf(cmd, sizeof(cmd), "%s %s", t_tool, files);
    if ((fp = popen(cmd, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof(line), fp) != NULL) {
        fputs(line, stderr);            /* shows up with a failure */
        n++;
    }
    st = pclose(fp);
    if (nlines)
        *nlines = n;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* what a batch's done callback heard */
struct t_heard {
    int     ok;
    int     failed;
    int     tags;                       /* tags that came back right */
};

/* t_done - rpt_batch_done_fn */
static void
t_done(void *ctx, const char *dir, const char *name, const void *tag, int ok)
{
    struct t_heard *h = ctx;

    if (ok)
        h->ok++;
    else
        h->failed++;
    if (tag != NULL && strcmp(dir, t_dir) == 0
        && strncmp(name, (const char *) tag, strlen(tag)) == 0)
        h->tags++;
}

/* t_exists - name is in the scratch directory */
static int
t_exists(const char *name)
{
    char    path[1024];

    snprintf(path, sizeof(path), "%s/%s", t_dir, name);
    return access(path, F_OK) == 0;
}

struct t_adder {
    struct rpt_batch *b;
    int     id;
    int     added;
};

/* t_add_mt - thread: 50 reports into one batch */
static void *
t_add_mt(void *arg)
{
    struct t_adder *a = arg;
    char    name[64];
    int     i;

    for (i = 0; i < 50; i++) {
        snprintf(name, sizeof(name), "par-%d-%d.json", a->id, i);
        a->added += rpt_batch_add_mt(a->b, name, name, strlen(name), 1,
                                     "par-") == 0;
    }
    return NULL;
}

/* test_batch - many reports, one flush: nothing visible before the
 * commit, everything after, temporary files gone, tags handed back */
static void
test_batch(void)
{
    struct t_heard h;
    struct rpt_batch *b;
    struct t_adder ad[4];
    pthread_t th[4];
    char   *got, *ref;
    size_t  glen, rlen;
    int     before = t_temp_files();
    int     i, n;

    memset(&h, 0, sizeof(h));
    T_CHECK(rpt_batch_open("/nonexistent/t_rpt") == NULL, "missing dir");
    b = rpt_batch_open(t_dir);
    T_CHECK(b != NULL, "batch open");
    if (b == NULL)
        return;
    T_CHECK(rpt_batch_add_mt(b, "batch-a.json", "{\"a\":1}", 7, 0,
                             "batch-a") == 0, "add plain");
    T_CHECK(rpt_batch_add_mt(b, "batch-b.json.gz", "{\"b\":2}", 7, 1,
                             "batch-b") == 0, "add gz");
    T_CHECK(rpt_batch_add_mt(b, ".hidden", "{}", 2, 0, NULL) == -1
            && rpt_batch_add_mt(b, "a/b.json", "{}", 2, 0, NULL) == -1
            && rpt_batch_add_mt(b, NULL, "{}", 2, 0, NULL) == -1,
            "bad names added");
    T_CHECK(rpt_batch_count(b) == 2, "count %zu", rpt_batch_count(b));
    T_CHECK(t_temp_files() == before + 2, "temporary files: %d",
            t_temp_files() - before);
    T_CHECK(!t_exists("batch-a.json") && !t_exists("batch-b.json.gz"),
            "visible before the commit");
    T_CHECK(rpt_batch_commit(b, t_done, &h) == 0, "commit failed");
    T_CHECK(h.ok == 2 && h.failed == 0 && h.tags == 2,
            "done heard %d ok, %d failed, %d tags", h.ok, h.failed, h.tags);
    T_CHECK(t_temp_files() == before, "temporary files left: %d",
            t_temp_files() - before);
    T_CHECK(rpt_batch_count(b) == 0, "not empty after the commit");
    got = t_read_in("batch-a.json", &glen);
    T_CHECK(got && glen == 7 && memcmp(got, "{\"a\":1}", 7) == 0,
            "plain content");
    free(got);
    /* the same bytes as rpt_write's gzip */
    T_CHECK(rpt_write(t_dir, "batch-ref.json.gz", "{\"b\":2}", 7, 1) == 0,
            "reference write");
    got = t_read_in("batch-b.json.gz", &glen);
    ref = t_read_in("batch-ref.json.gz", &rlen);
    T_CHECK(got && ref && glen == rlen && memcmp(got, ref, glen) == 0,
            "gzip content differs from rpt_write's");
    free(got);
    free(ref);

    /* never committed: nothing left, old file untouched */
    T_CHECK(rpt_batch_add_mt(b, "batch-a.json", "{\"a\":2}", 7, 0, NULL) == 0,
            "add again");
    b = rpt_batch_free(b);
    got = t_read_in("batch-a.json", &glen);
    T_CHECK(got && glen == 7 && memcmp(got, "{\"a\":1}", 7) == 0
            && t_temp_files() == before, "uncommitted batch left traces");
    free(got);

    /* four threads, one commit */
    b = rpt_batch_open(t_dir);
    T_CHECK(b != NULL, "batch open");
    if (b == NULL)
        return;
    for (i = 0; i < 4; i++) {
        ad[i].b = b;
        ad[i].id = i;
        ad[i].added = 0;
        pthread_create(&th[i], NULL, t_add_mt, &ad[i]);
    }
    for (i = n = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        n += ad[i].added;
    }
    memset(&h, 0, sizeof(h));
    T_CHECK(n == 200 && rpt_batch_commit(b, t_done, &h) == 0 && h.ok == 200
            && h.tags == 200, "threads: %d added, %d in place", n, h.ok);
    T_CHECK(t_exists("par-0-0.json") && t_exists("par-3-49.json")
            && t_temp_files() == before, "threads: files");
    rpt_batch_free(b);
}

/* test_write - rpt_write: content, gzip, atomic replace, failures */
static void
test_write(void)
{
    char    name[256];
    char    gzname[256];
    char    path[1024];
    char    files[2048];
    char    big_name[260];
    char   *json = rpt_json(&t_conf, T_DAY, "example.net", t_basic, 2);
    char   *got;
    char   *gzdata;
    char   *gz2;
    char   *plain;
    char   *blob;
    size_t  len;
    size_t  gzlen;
    size_t  gz2len;
    size_t  plen;
    struct stat st;
    struct rlimit old;
    struct rlimit lim;
    int     n = 0;

    T_CHECK(json != NULL, "rpt_json failed");
    if (json == NULL)
        return;
    len = strlen(json);
    rpt_file_name(&t_conf, T_DAY, "example.net", 0, name, sizeof(name));
    rpt_file_name(&t_conf, T_DAY, "example.net", 1, gzname, sizeof(gzname));

    /* plain and gzip */
    T_CHECK(rpt_write(t_dir, name, json, len, 0) == 0, "plain write");
    got = t_read_in(name, &plen);
    T_CHECK(got && plen == len && memcmp(got, json, len) == 0,
            "plain content differs");
    free(got);
    snprintf(path, sizeof(path), "%s/%s", t_dir, name);
    T_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644,
            "mode %o", (unsigned) st.st_mode & 0777);
    T_CHECK(rpt_write(t_dir, gzname, json, len, 1) == 0, "gz write");
    gzdata = t_read_in(gzname, &gzlen);
    T_CHECK(gzdata != NULL && gzlen >= 18, "gz file missing");
    if (gzdata != NULL && gzlen >= 18) {
        /* magic, deflate, no flags (no name), mtime 0 */
        T_CHECK(memcmp(gzdata, "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8) == 0,
                "gzip header not deterministic");
        plain = t_gunzip(gzdata, gzlen, &plen);
        T_CHECK(plain && plen == len && memcmp(plain, json, len) == 0,
                "gunzip differs");
        free(plain);
    }
    T_CHECK(rpt_write(t_dir, gzname, json, len, 1) == 0, "gz rewrite");
    gz2 = t_read_in(gzname, &gz2len);
    T_CHECK(gzdata && gz2 && gzlen == gz2len
            && memcmp(gzdata, gz2, gzlen) == 0, "gz bytes differ");
    free(gzdata);
    free(gz2);

    /* names that must be refused; the existing file stays */
    T_CHECK(rpt_write(t_dir, "../x.json", "{}", 2, 0) == -1, "../ name");
    T_CHECK(rpt_write(t_dir, "a/b.json", "{}", 2, 0) == -1, "a/b name");
    T_CHECK(rpt_write(t_dir, ".hidden", "{}", 2, 0) == -1, "hidden name");
    T_CHECK(rpt_write(t_dir, "..", "{}", 2, 0) == -1, ".. name");
    T_CHECK(rpt_write(t_dir, "", "{}", 2, 0) == -1, "empty name");
    T_CHECK(rpt_write(t_dir, NULL, "{}", 2, 0) == -1, "NULL name");
    memset(big_name, 'x', 250);
    big_name[250] = 0;
    T_CHECK(rpt_write(t_dir, big_name, "{}", 2, 0) == -1, "long name");
    T_CHECK(rpt_write("/nonexistent/t_rpt", name, "{}", 2, 0) == -1,
            "missing dir");

    /* rename fails: the final name is a directory */
    snprintf(path, sizeof(path), "%s/blocked.json", t_dir);
    T_CHECK(mkdir(path, 0755) == 0, "mkdir %s", path);
    T_CHECK(rpt_write(t_dir, "blocked.json", json, len, 0) == -1,
            "rename over a directory succeeded");
    T_CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "directory gone");
    rmdir(path);

    /* a write that fails half-way (file size limit) replaces nothing */
    blob = malloc(1 << 20);
    if (blob == NULL)
        abort();
    memset(blob, ' ', 1 << 20);
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 64 * 1024;
    signal(SIGXFSZ, SIG_IGN);
    T_CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0, "setrlimit");
    T_CHECK(rpt_write(t_dir, name, blob, 1 << 20, 0) == -1,
            "oversized write succeeded");
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    free(blob);
    got = t_read_in(name, &plen);
    T_CHECK(got && plen == len && memcmp(got, json, len) == 0,
            "failed write damaged the existing file");
    free(got);

    /* not writable (only meaningful when not root) */
    if (geteuid() != 0) {
        chmod(t_dir, 0555);
        T_CHECK(rpt_write(t_dir, name, "{}", 2, 0) == -1,
                "write to read-only dir succeeded");
        chmod(t_dir, 0700);
        got = t_read_in(name, &plen);
        T_CHECK(got && plen == len && memcmp(got, json, len) == 0,
                "read-only dir: existing file changed");
        free(got);
    }
    T_CHECK(t_temp_files() == 0, "temp files left behind: %d",
            t_temp_files());

    /* the receiver-side checker accepts both outputs */
    snprintf(files, sizeof(files), "'%s/%s' '%s/%s'", t_dir, name, t_dir,
             gzname);
    T_CHECK(t_run(files, NULL) == 0, "checker rejects our reports");

    /* and notices a name that does not match the JSON */
    T_CHECK(rpt_write(t_dir, "example.org!example.com!1725321600!1725407999"
                      "!001.json", json, len, 0) == 0, "write wrong name");
    snprintf(files, sizeof(files), "'%s/example.org!example.com!1725321600"
             "!1725407999!001.json'", t_dir);
    T_CHECK(t_run(files, &n) == 1 && n == 1, "wrong policy domain: %d", n);
    T_CHECK(rpt_write(t_dir, "example.org!example.net!1725321600!1725407999"
                      "!002.json", json, len, 1) == 0, "write gz as .json");
    snprintf(files, sizeof(files), "'%s/example.org!example.net!1725321600"
             "!1725407999!002.json'", t_dir);
    T_CHECK(t_run(files, &n) == 1 && n == 1, "gzip named .json: %d", n);
    free(json);
}

/* test_checker - testdata/receiver: good files pass, each bad one fails */
static void
test_checker(void)
{
    char    one[1024];
    DIR    *d;
    struct dirent *e;
    int     nbad = 0;
    int     n = 0;

    T_CHECK(t_run("testdata/receiver/good/*", NULL) == 0,
            "good reports rejected");
    T_CHECK(t_run("testdata/golden/rpt_basic.json", NULL) == 0,
            "golden report rejected");
    T_CHECK(t_run("/nonexistent/report.json", NULL) == 1,
            "missing file accepted");
    if ((d = opendir("testdata/receiver/bad")) == NULL) {
        T_CHECK(0, "no testdata/receiver/bad");
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(one, sizeof(one), "'testdata/receiver/bad/%s'", e->d_name);
        /* one file, one defect: exactly one problem line */
        T_CHECK(t_run(one, &n) == 1 && n == 1, "%s: %d problems, want 1",
                e->d_name, n);
        nbad++;
    }
    closedir(d);
    T_CHECK(nbad >= 6, "only %d bad samples", nbad);
}

/* t_cleanup - remove the scratch directory and its files */
static void
t_cleanup(void)
{
    DIR    *d = opendir(t_dir);
    struct dirent *e;
    char    path[1024];

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", t_dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(t_dir);
}

int
main(void)
{
    const char *build = getenv("BUILD");

    snprintf(t_tool, sizeof(t_tool), "%s/tests/tool_rcvcheck",
             build && *build ? build : "build");
    umask(022);
    strcpy(t_dir, "/tmp/t_rpt.XXXXXX");
    if (mkdtemp(t_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_golden();
    test_json_variants();
    test_json_refused();
    test_names();
    test_write();
    test_batch();
    if (access(t_tool, X_OK) != 0)
        T_CHECK(0, "%s not built", t_tool);
    else
        test_checker();
    t_cleanup();
    return T_DONE();
}
