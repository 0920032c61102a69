/* tests/t_spool.c - unit tests for emit/spool: names, enqueue once,
 * state machine, backoff and expiry, crash repair, lock, GC, refusals,
 * hostile files in the spool
 *
 * Every check names the rule of emit/delivery/spool.h it tests. Times are passed
 * in, so backoff and expiry are checked without waiting.
 */
#include "../emit/delivery/spool.h"
#include "../util/msg.h"
#include "testlib.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DAY0 20000                      /* 2024-10-04 */
#define NOW ((int64_t) DAY0 * 86400 + 86400 + 3600)

static char root[256];
static char cmd_buf[600];

/* name - the report file name for domain on DAY0 */
static const char *
name(const char *domain, const char *ext)
{
    static char buf[300];

    snprintf(buf, sizeof(buf), "example.net!%s!%d!%d!mail01.%s", domain,
             DAY0 * 86400, DAY0 * 86400 + 86399, ext);
    return buf;
}

/* json - a report for domain with report-id and contact */
static const char *
json(const char *domain, const char *rid, const char *contact)
{
    static char buf[1024];

    snprintf(buf, sizeof(buf), "{\"organization-name\":\"x\",\"date-range\":"
             "{},\"contact-info\":\"%s\",\"report-id\":\"%s\",\"policies\":"
             "[{\"policy\":{\"policy-type\":\"no-policy-found\","
             "\"policy-domain\":\"%s\"},\"summary\":{}}]}", contact, rid,
             domain);
    return buf;
}

/* count - files in root/spool/sub */
static int
count(const char *sub)
{
    char    cmd[512];
    FILE   *p;
    int     n = -1;

    snprintf(cmd, sizeof(cmd), "ls -A %s/spool/%s | wc -l",
             root, sub);
    if ((p = popen(cmd, "r")) != NULL) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

/* find - the job for dest in a listing, or NULL */
static struct spool_job *
find(struct spool_job *jobs, size_t n, const char *dest)
{
    size_t  i;

    for (i = 0; i < n; i++)
        if (strcmp(jobs[i].dest, dest) == 0)
            return &jobs[i];
    return NULL;
}

/* shell - run a shell command */
static int __attribute__((format(printf, 1, 2)))
shell(const char *fmt, ...)
{
    char    cmd[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd);
}

static void
test_names(void)
{
    char    dom[DNAME_MAX + 1];
    int64_t end = 0;

    T_CHECK(spool_name_ok("a.example!b.example!0!86399!x1.json.gz", dom,
                          &end) && strcmp(dom, "b.example") == 0
            && end == 86399, "RFC 8460 5.1 name with unique id");
    T_CHECK(spool_name_ok("a.example!b.example!10!20.json", NULL, NULL),
            "unique id is optional, .json allowed");
    T_CHECK(!spool_name_ok("a.example!b.example!10!20!x.json.bz2", 0, 0),
            "only .json and .json.gz");
    T_CHECK(!spool_name_ok("a.example!B..example!10!20.json", 0, 0),
            "domains must be valid");
    T_CHECK(!spool_name_ok("a.example!b.example!20!10.json", 0, 0),
            "end before begin refused");
    T_CHECK(!spool_name_ok("a.example!b.example!1!2!x-y.json", 0, 0),
            "unique id letters and digits only");
    T_CHECK(!spool_name_ok("../b.example!1!2.json", 0, 0), "no slash");
    T_CHECK(!spool_name_ok("a.example!b.example!1!2!.json", 0, 0),
            "empty unique id refused");
    T_CHECK(spool_backoff(1) == 300 && spool_backoff(2) == 600
            && spool_backoff(3) == 1200 && spool_backoff(7) == 19200
            && spool_backoff(8) == 21600 && spool_backoff(100) == 21600,
            "backoff 5 min doubling, at most 6 h");
}

static void
test_enqueue(void)
{
    const char *dests[] = {"https://r.example/tlsrpt",
        "mailto:tlsrpt@r.example", "ftp://r.example/", "https://r.example/tlsrpt"};
    const char *nm = name("r.example", "json");
    const char *js = json("r.example", "20241004.mail01.r.example@example.net",
                          "postmaster@Example.NET");
    struct spool *sp;
    struct spool_job *jobs, *j;
    char    err[256];
    size_t  n, bad;
    int     busy = 0;

    sp = spool_open(root, 1, &busy, err, sizeof(err));
    T_CHECK(sp != NULL, "open creates the spool: %s", err);
    if (sp == NULL)
        return;
    T_CHECK(spool_open(root, 0, &busy, err, sizeof(err)) == NULL && busy,
            "a second opener without wait is told the spool is busy");
    T_CHECK(spool_enqueue(sp, nm, js, strlen(js), dests, 4, NOW, err,
                          sizeof(err)) == 2,
            "two new jobs (bad scheme skipped, duplicate once): %s", err);
    T_CHECK(spool_enqueue(sp, nm, js, strlen(js), dests, 2, NOW, err,
                          sizeof(err)) == 0, "enqueued again: nothing new");
    T_CHECK(count("pending") == 2 && count("bodies") == 1,
            "one body for both jobs");
    T_CHECK(spool_list(sp, &jobs, &n, &bad) == 0 && n == 2 && bad == 0,
            "listing");
    j = find(jobs, n, "mailto:tlsrpt@r.example");
    T_CHECK(j && j->state == SPOOL_PENDING && j->attempts == 0
            && j->next == NOW && strcmp(j->submitter, "example.net") == 0
            && strcmp(j->domain, "r.example") == 0
            && strcmp(j->report_id,
                      "20241004.mail01.r.example@example.net") == 0,
            "job fields from the JSON (submitter lower-cased)");
    free(jobs);

    /* refusals: nothing written */
    T_CHECK(spool_enqueue(sp, nm, "{", 1, dests, 1, NOW, err, sizeof(err))
            < 0 && strstr(err, "not JSON"), "invalid JSON refused");
    js = json("other.example", "a@b", "x@example.net");
    T_CHECK(spool_enqueue(sp, nm, js, strlen(js), dests, 1, NOW, err,
                          sizeof(err)) < 0 && strstr(err, "no policy"),
            "policy domain must match the file name");
    js = json("r.example", "a\\r\\nBcc: x@y", "x@example.net");
    T_CHECK(spool_enqueue(sp, nm, js, strlen(js), dests, 1, NOW, err,
                          sizeof(err)) < 0 && strstr(err, "report-id"),
            "report-id with CRLF refused");
    js = json("r.example", "a@b", "nobody");
    T_CHECK(spool_enqueue(sp, nm, js, strlen(js), dests, 1, NOW, err,
                          sizeof(err)) < 0 && strstr(err, "contact-info"),
            "contact-info without domain refused");
    js = json("r.example", "a@b", "x@example.net");
    T_CHECK(spool_enqueue(sp, nm, js, strlen(js), dests, 1,
                          NOW + 31 * 86400L, err, sizeof(err)) < 0
            && strstr(err, "30 days"), "report too old refused");
    T_CHECK(spool_enqueue(sp, name("r.example", "json.gz"), js, strlen(js),
                          dests, 1, NOW, err, sizeof(err)) < 0
            && strstr(err, "gzip"), ".json.gz must be gzip");
    T_CHECK(count("pending") == 2, "refusals added nothing");
    spool_close(sp);
}

static void
test_states(void)
{
    struct spool *sp;
    struct spool_job *jobs, *h, *m, job;
    char    err[256];
    size_t  n, bad;
    char   *body;
    size_t  len;

    if ((sp = spool_open(root, 1, NULL, err, sizeof(err))) == NULL
        || spool_list(sp, &jobs, &n, &bad) != 0) {
        T_CHECK(0, "open: %s", err);
        return;
    }
    h = find(jobs, n, "https://r.example/tlsrpt");
    m = find(jobs, n, "mailto:tlsrpt@r.example");
    if (h == NULL || m == NULL) {
        T_CHECK(0, "jobs missing");
        return;
    }
    T_CHECK(spool_claim(sp, h, NOW, err, sizeof(err)) == 0
            && h->state == SPOOL_ACTIVE && h->attempts == 1
            && h->first == NOW && count("active") == 1
            && count("pending") == 1, "claim: pending -> active");
    job = *h;
    T_CHECK(spool_claim(sp, &job, NOW, err, sizeof(err)) != 0,
            "a claimed job cannot be claimed again");
    body = spool_body(sp, h, &len, err, sizeof(err));
    T_CHECK(body && len > 10 && memcmp(body, "{\"organization", 14) == 0,
            "body readable while active");
    free(body);
    T_CHECK(spool_finish(sp, h, 0, "HTTP 503: busy", NOW + 10, 86400, err,
                         sizeof(err)) == 0 && h->state == SPOOL_PENDING
            && h->next == NOW + 10 + 300
            && strcmp(h->status, "HTTP 503: busy") == 0,
            "failure: back to pending, next after 5 min, reason kept");
    T_CHECK(spool_claim(sp, h, NOW + 400, err, sizeof(err)) == 0
            && h->attempts == 2 && h->first == NOW, "second attempt");
    T_CHECK(spool_finish(sp, h, 0, "HTTP 500\001\n", NOW + 500, 86400, err,
                         sizeof(err)) == 0 && h->next == NOW + 500 + 600
            && strcmp(h->status, "HTTP 500??") == 0,
            "backoff doubles; status made printable");
    spool_claim(sp, h, NOW + 86400, err, sizeof(err));
    T_CHECK(spool_finish(sp, h, 0, "timeout", NOW + 86400, 86400, err,
                         sizeof(err)) == 0 && h->state == SPOOL_FAILED
            && strcmp(h->status, "expired after 3 attempts: timeout") == 0
            && count("failed") == 1, "past retry_for: failed");
    T_CHECK(count("bodies") == 1 && spool_gc(sp, NOW + 86400) == 0
            && count("bodies") == 1, "body kept while a job needs it");
    T_CHECK(spool_claim(sp, m, NOW, err, sizeof(err)) == 0
            && spool_finish(sp, m, 1, "relay accepted", NOW + 1, 86400, err,
                            sizeof(err)) == 0 && m->state == SPOOL_DONE
            && m->finished == NOW + 1 && count("done") == 1
            && count("active") == 0, "success: done");
    T_CHECK(spool_gc(sp, NOW + 2) == 1 && count("bodies") == 0,
            "body removed when no job needs it");
    T_CHECK(spool_gc(sp, NOW + 40 * 86400L) == 2 && count("done") == 0
            && count("failed") == 0, "old records purged");
    free(jobs);
    spool_close(sp);
}

static void
test_repair(void)
{
    const char *dests[] = {"https://a.example/", "https://b.example/"};
    const char *js = json("r.example", "x@y", "a@example.net");
    struct spool *sp;
    struct spool_job *jobs, *a, *b;
    char    err[256];
    size_t  n, bad;

    if ((sp = spool_open(root, 1, NULL, err, sizeof(err))) == NULL) {
        T_CHECK(0, "open: %s", err);
        return;
    }
    T_CHECK(spool_enqueue(sp, name("r.example", "json"), js, strlen(js),
                          dests, 2, NOW, err, sizeof(err)) == 2, "enqueue");
    spool_list(sp, &jobs, &n, &bad);
    a = find(jobs, n, dests[0]);
    b = find(jobs, n, dests[1]);
    if (a == NULL || b == NULL)
        return;
    /* crash after rename into active/, before unlink of pending/ */
    T_CHECK(shell("cp %s/spool/pending/%s %s/spool/active/", root, a->id,
                  root) == 0, "copy");
    /* crash after rename into done/, before unlink of active/ */
    shell("cp %s/spool/pending/%s %s/spool/done/", root, b->id, root);
    shell("mv %s/spool/pending/%s %s/spool/active/", root, b->id, root);
    /* a dead writer's temporary file, and a damaged job */
    shell("touch %s/spool/tmp/.%s.tmp.1", root, a->id);
    shell("echo junk > %s/spool/pending/%s", root,
          "0123456789abcdef0123456789abcdef");
    spool_close(sp);
    free(jobs);
    sp = spool_open(root, 1, NULL, err, sizeof(err));
    T_CHECK(sp != NULL, "reopen repairs: %s", err);
    if (sp == NULL)
        return;
    T_CHECK(count("active") == 0 && count("tmp") == 0,
            "no active job or temporary file after repair");
    spool_list(sp, &jobs, &n, &bad);
    a = find(jobs, n, dests[0]);
    b = find(jobs, n, dests[1]);
    T_CHECK(a && a->state == SPOOL_PENDING && a->next <= time(NULL)
            && strstr(a->status, "interrupted"),
            "interrupted attempt: pending, due at once, said so");
    T_CHECK(b && b->state == SPOOL_DONE, "done wins over active");
    T_CHECK(n == 2 && bad == 1, "damaged job counted, not listed");
    T_CHECK(spool_gc(sp, NOW) == 0 && count("bodies") == 1,
            "gc keeps bodies when a pending job is unreadable");
    free(jobs);
    spool_close(sp);
    T_CHECK(spool_open_ro("/nonexistent/x", err, sizeof(err)) == NULL,
            "read-only open of a missing spool fails");
}

/* test_schedule - the default retry window: a destination that never
 * answers is tried again and again for at least 24 hours (RFC 8460
 * section 5.5), never more than 6 hours apart, then given up with the
 * reason; the other destination's success makes the report delivered */
static void
test_schedule(void)
{
    const char *dests[] = {"https://down.example/tlsrpt"};
    const char *nm = name("s.example", "json");
    const char *js = json("s.example", "20241004.mail01.s.example@example.net",
                          "postmaster@example.net");
    struct spool *sp;
    struct spool_job *jobs, *j, job;
    char    err[256];
    size_t  n, bad;
    int64_t t = NOW, first = 0, maxgap = 0, last_try = 0;
    unsigned tries = 0;

    if ((sp = spool_open(root, 1, NULL, err, sizeof(err))) == NULL
        || spool_enqueue(sp, nm, js, strlen(js), dests, 1, NOW, err,
                         sizeof(err)) != 1
        || spool_list(sp, &jobs, &n, &bad) != 0
        || (j = find(jobs, n, dests[0])) == NULL) {
        T_CHECK(0, "schedule set-up: %s", err);
        if (sp)
            spool_close(sp);
        return;
    }
    job = *j;
    free(jobs);
    T_CHECK(SPOOL_RETRY_DEFAULT >= 24 * 3600L, "default window >= 24 h");
    while (job.state == SPOOL_PENDING && tries < 1000) {
        t = job.next;           /* each run at the first moment it is due */
        if (spool_claim(sp, &job, t, err, sizeof(err)) != 0)
            break;
        tries++;
        if (first == 0)
            first = t;
        if (last_try && t - last_try > maxgap)
            maxgap = t - last_try;
        last_try = t;
        if (spool_finish(sp, &job, 0, "connect: Connection refused", t + 1,
                         SPOOL_RETRY_DEFAULT, err, sizeof(err)) != 0)
            break;
    }
    T_CHECK(job.state == SPOOL_FAILED, "given up in the end (%s)", err);
    T_CHECK(last_try - first >= 24 * 3600L,
            "still tried after 24 h (last try %lld s after the first)",
            (long long) (last_try - first));
    T_CHECK(last_try - first <= SPOOL_RETRY_DEFAULT + SPOOL_BACKOFF_MAX,
            "not tried past the window");
    T_CHECK(maxgap <= SPOOL_BACKOFF_MAX + 1,   /* + the attempt itself */
            "never more than 6 h apart (%lld s)", (long long) maxgap);
    T_CHECK(tries >= 10 && job.attempts == tries,
            "%u attempts over the window", tries);
    if (getenv("T_SPOOL_SHOW"))
        printf("schedule: %u attempts, last %lld s after the first\n", tries,
               (long long) (last_try - first));
    T_CHECK(strncmp(job.status, "expired after ", 14) == 0
            && strstr(job.status, "Connection refused") != NULL,
            "reason kept: %s", job.status);
    spool_close(sp);
}

/* test_hostile - files in the spool someone else put there: a FIFO, a
 * symlink and garbage under job names are counted bad, never followed,
 * never block; jobs and bodies are private (0600 in 0700 directories) */
static void
test_hostile(void)
{
    static const char id[] = "c0ffee00c0ffee00c0ffee00c0ffee0f";
    const char *dests[] = {"https://h.example/tlsrpt"};
    const char *nm = name("h.example", "json");
    const char *js = json("h.example", "20241004.mail01.h.example@example.net",
                          "postmaster@example.net");
    struct spool *sp;
    struct spool_job *jobs;
    struct stat st;
    char    path[600], err[256];
    size_t  n = 0, bad = 0, bad0, i;
    int     fifo_ok, link_ok, junk_ok, private_ok = 1;
    FILE   *fp;

    if ((sp = spool_open(root, 1, NULL, err, sizeof(err))) == NULL
        || spool_enqueue(sp, nm, js, strlen(js), dests, 1, NOW, err,
                         sizeof(err)) != 1) {
        T_CHECK(0, "hostile set-up: %s", err);
        if (sp)
            spool_close(sp);
        return;
    }
    if (spool_list(sp, &jobs, &n, &bad) == 0)
        free(jobs);
    bad0 = bad;
    spool_close(sp);
    T_CHECK(strlen(id) == SPOOL_ID_LEN, "test id has the id length");
    snprintf(path, sizeof(path), "%s/spool/pending/%s", root, id);
    fifo_ok = mkfifo(path, 0600) == 0;
    path[strlen(path) - 1] = 'e';
    link_ok = symlink("/etc/passwd", path) == 0;
    path[strlen(path) - 1] = 'd';
    junk_ok = (fp = fopen(path, "w")) != NULL
        && fputs("mailtlsrpt-job 1\nid ../../etc\ndest x\n", fp) >= 0;
    if (fp)
        fclose(fp);
    T_CHECK(fifo_ok && link_ok && junk_ok, "hostile files made (%d %d %d)",
            fifo_ok, link_ok, junk_ok);
    alarm(10);                  /* a FIFO that blocks ends with SIGALRM */
    sp = spool_open(root, 1, NULL, err, sizeof(err));
    T_CHECK(sp != NULL && spool_list(sp, &jobs, &n, &bad) == 0,
            "spool with a FIFO, a symlink and garbage still opens: %s", err);
    alarm(0);
    if (sp == NULL)
        return;
    T_CHECK(bad == bad0 + 3, "three more unreadable job files counted"
            " (%zu, %zu before)", bad, bad0);
    for (i = 0; i < n; i++)
        T_CHECK(strcmp(jobs[i].id, id) != 0 && strncmp(jobs[i].id, id, 31)
                != 0, "no job from a hostile file");
    free(jobs);
    spool_close(sp);
    /* modes: what enqueue made holds reports that may be private */
    snprintf(path, sizeof(path), "%s/spool", root);
    if (stat(path, &st) != 0 || (st.st_mode & 0077) != 0)
        private_ok = 0;
    /* files the tests wrote themselves (junk, hostile) do not count */
    snprintf(cmd_buf, sizeof(cmd_buf), "find %s/spool -type f -perm /077"
             " ! -name '%.8s*' ! -name '0123456789abcdef*' | wc -l", root, id);
    if ((fp = popen(cmd_buf, "r")) == NULL || fscanf(fp, "%zu", &n) != 1
        || n != 0)
        private_ok = 0;
    if (fp)
        pclose(fp);
    T_CHECK(private_ok, "spool 0700, job and body files not open to group"
            " or others");
}

int
main(void)
{
    char    cmd[300];

    msg_quiet = 1;
    snprintf(root, sizeof(root), "/tmp/t_spool.%ld", (long) getpid());
    test_names();
    test_enqueue();
    test_states();
    test_repair();
    test_schedule();
    test_hostile();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", root);
    return T_DONE();
}
