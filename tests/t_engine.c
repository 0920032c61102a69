/* tests/t_engine.c - unit tests for the thread engine (engine/pipe.c)
 *
 * pipe_run() in the test's own process: the same statistics and the
 * same counters for one thread and for several threads cut into small
 * chunks (MAILTLSRPT_CHUNK); a log written twice counts its repeated
 * lines and not their sessions; --trace labels every line; a piece of a
 * log run for a saved state carries its open sessions (the parsers'
 * carry) and counts into the state; lines that change no state, left
 * out of the chunks' items, count and warn as one thread does; a log
 * of thousands of live
 * processes, where one thread holds records back, counts and prints
 * its sessions as several threads do; a log of many default chunks
 * comes out the same at -j 2, 3 and 8, and so do tiny chunks, again
 * and again; four files of hostile lines, cut into chunks of which some
 * are classified and applied in one pass and the others parsed into
 * items, count, print and warn as one thread. The logs are
 * testdata/demo/maillog (60 sessions, all counted),
 * testdata/corpus/exim.log and one the test writes.
 */
#include "../engine/pipe.h"
#include "../aggregate/agg_state.h"
#include "../aggregate/agg_tab.h"
#include "../parsers/corr.h"
#include "../util/dname.h"
#include "../util/ipaddr.h"
#include "../util/msg.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEMO "testdata/demo/maillog"
#define EXIM "testdata/corpus/exim.log"

/* one run's counters, in the table's order, as text */
struct t_dump {
    char   *text;
    size_t  len;
    FILE   *fp;
};

/* t_dump_rec - agg_tab_walk_st: one counter as a line */
static void
t_dump_rec(const struct sess_rec *r, uint64_t n, void *ctx)
{
    struct t_dump *d = ctx;

    fprintf(d->fp, "%d %d %d %d %s %s %s %s %s %llu\n", (int) r->day,
            r->result, r->policy, r->flags, r->domain, r->mx, r->ip,
            r->loghost, r->reason, (unsigned long long) n);
}

/* where t_run prints the sessions (po.sessions), or NULL */
static FILE *t_sessions;

/* t_run - pipe_run over file with jobs threads and chunks of chunk
 * bytes (0: as configured), its counters into d; the exit status */
static int
t_run(const char *file, int jobs, const char *chunk, struct run_stats *st,
      struct t_dump *d, struct agg_state *state, FILE *trace)
{
    static char name[256];
    char   *files[2];
    struct pipe_opts po;
    struct agg_tab *tab;
    int     rc;

    snprintf(name, sizeof(name), "%s", file);
    files[0] = name;
    files[1] = NULL;
    memset(&po, 0, sizeof(po));
    po.files = files;
    po.log_year = 2024;
    po.quiet = 1;
    po.jobs = jobs;
    po.state = state;
    po.trace = trace;
    po.sessions = t_sessions;
    if (chunk)
        setenv("MAILTLSRPT_CHUNK", chunk, 1);
    else
        unsetenv("MAILTLSRPT_CHUNK");
    tab = state ? agg_state_tab(state) : agg_tab_create();
    rc = pipe_run(&po, tab, st);
    if (d != NULL) {
        d->fp = open_memstream(&d->text, &d->len);
        agg_tab_walk_st(tab, t_dump_rec, d);
        fclose(d->fp);
    }
    if (state == NULL)
        agg_tab_free(tab);
    return rc;
}

/* t_same - two runs counted alike */
static int
t_same(const struct run_stats *a, const struct t_dump *da,
       const struct run_stats *b, const struct t_dump *db)
{
    return a->lines == b->lines && a->bytes == b->bytes
        && a->bad_parse == b->bad_parse && a->duplicates == b->duplicates
        && memcmp(a->sessions, b->sessions, sizeof(a->sessions)) == 0
        && memcmp(a->bad, b->bad, sizeof(a->bad)) == 0
        && da->len == db->len && memcmp(da->text, db->text, da->len) == 0;
}

/* t_threads - -j 1 and -j 2, 3 in small chunks: the same result (in
 * chunks of 2,000 bytes, about as many items as the correlating loop
 * hints ahead, PIPE_TAIL: its hints reach past the last item on most) */
static void
t_threads(const char *file)
{
    static const struct {
        int     jobs;
        const char *chunk;
    } runs[] = {{2, "4096"}, {3, "1000"}, {2, "2000"}, {2, NULL}};
    struct run_stats one, st;
    struct t_dump d1, d;
    size_t  i;

    T_CHECK(t_run(file, 1, NULL, &one, &d1, NULL, NULL) == 0,
            "%s: -j 1 reads it", file);
    for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        T_CHECK(t_run(file, runs[i].jobs, runs[i].chunk, &st, &d, NULL,
                      NULL) == 0, "%s: -j %d reads it", file, runs[i].jobs);
        T_CHECK(t_same(&one, &d1, &st, &d), "%s: -j %d, chunks of %s "
                "bytes: not what one thread counted", file, runs[i].jobs,
                runs[i].chunk ? runs[i].chunk : "the default");
        free(d.text);
    }
    free(d1.text);
}

/* t_demo - the demo's counts, and the same log written twice */
static void
t_demo(void)
{
    char    twice[] = "/tmp/t_engine.XXXXXX";
    struct run_stats one, two;
    struct t_dump d1, d2;
    FILE   *in, *out;
    char    line[4096];
    int     fd;
    uint64_t sessions = 0;
    int     i;

    t_run(DEMO, 1, NULL, &one, &d1, NULL, NULL);
    for (i = 0; i < SESS_D_COUNT; i++)
        sessions += one.sessions[i];
    T_CHECK(one.files == 1 && one.lines == 301 && sessions == 60
            && one.sessions[SESS_D_COUNTED] == 60 && one.duplicates == 0
            && pipe_bad_lines(&one) == 0, "demo: %llu lines, %llu sessions",
            (unsigned long long) one.lines, (unsigned long long) sessions);

    /* every line twice, as a log written by two syslog rules */
    fd = mkstemp(twice);
    T_CHECK(fd >= 0 && (out = fdopen(fd, "w")) != NULL
            && (in = fopen(DEMO, "r")) != NULL, "a temporary log");
    if (fd < 0 || out == NULL || in == NULL)
        return;
    while (fgets(line, sizeof(line), in) != NULL) {
        fputs(line, out);
        fputs(line, out);
    }
    fclose(in);
    fclose(out);
    t_run(twice, 2, "2048", &two, &d2, NULL, NULL);
    T_CHECK(two.lines == 602 && two.duplicates > 0
            && two.duplicates <= 301, "twice: %llu lines, %llu repeated",
            (unsigned long long) two.lines,
            (unsigned long long) two.duplicates);
    T_CHECK(memcmp(one.sessions, two.sessions, sizeof(one.sessions)) == 0
            && d1.len == d2.len && memcmp(d1.text, d2.text, d1.len) == 0,
            "twice: the sessions of once");
    unlink(twice);
    free(d1.text);
    free(d2.text);
}

/* t_trace - one label per line, on one thread whatever -j says */
static void
t_trace(void)
{
    struct run_stats st;
    char   *text = NULL;
    size_t  len = 0, n = 0, i;
    FILE   *fp = open_memstream(&text, &len);

    t_run(EXIM, 4, "512", &st, NULL, NULL, fp);
    fclose(fp);
    for (i = 0; i < len; i++)
        n += text[i] == '\n';
    T_CHECK(n == st.lines && n > 0, "trace: %zu labels, %llu lines", n,
            (unsigned long long) st.lines);
    T_CHECK(strstr(text, EXIM ":1\t") == text, "trace: FILE:LINE first");
    T_CHECK(strstr(text, "\tsuccess") != NULL
            && strstr(text, "\tirrelevant") != NULL, "trace: labels");
    free(text);
}

/* t_held - a log of more live processes than PARSER_PREFETCH_KEYS, so
 * that one thread holds records back to fetch their keys (pipe_line),
 * with bad lines (a NUL byte, overlong), journal JSON lines and
 * journalctl catalog lines among them: the same counts, and the same
 * sessions in the same order, as several threads in small chunks */
static void
t_held(void)
{
    char    log[] = "/tmp/t_engine.XXXXXX";
    char   *big;
    char   *text[2] = {NULL, NULL};
    size_t  len[2] = {0, 0};
    struct run_stats one, st;
    struct t_dump d1, d;
    FILE   *out;
    int     fd, pid, k;

    fd = mkstemp(log);
    T_CHECK(fd >= 0 && (out = fdopen(fd, "w")) != NULL, "a temporary log");
    if (fd < 0 || out == NULL)
        return;
    big = malloc(70 * 1024);
    memset(big, 'x', 70 * 1024 - 1);
    big[70 * 1024 - 1] = 0;
    /* 6000 processes open a TLS connection each, then each delivers */
    for (pid = 1000; pid < 7000; pid++)
        fprintf(out, "Nov 29 00:%02d:%02d relay postfix/smtp[%d]: Untrusted "
                "TLS connection established to mx%d.example.net[192.0.2.%d]"
                ":25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 "
                "bits)\n", pid / 600, pid / 10 % 60, pid, pid % 7,
                pid % 200 + 1);
    for (pid = 1000, k = 0; pid < 7000; pid++, k++) {
        fprintf(out, "Nov 29 00:%02d:%02d relay postfix/smtp[%d]: %X: to=<u"
                "@d%d.example>, relay=mx%d.example.net[192.0.2.%d]:25, "
                "delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n",
                10 + pid / 600, pid / 10 % 60, pid, 0x10000 + pid, pid % 13,
                pid % 7, pid % 200 + 1);
        if (k % 7 == 3)
            fwrite("Nov 29 00:20:00 relay postfix/smtp[1]: a\0b\n", 1, 44,
                   out);
        if (k % 500 == 11)
            fprintf(out, "Nov 29 00:20:00 relay postfix/smtp[2]: %s\n", big);
        if (k % 13 == 5)
            fprintf(out, "{\"MESSAGE\":\"%X: to=<v@e%d.example>, relay=mx1."
                    "example.net[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn"
                    "=2.0.0, status=sent (250 ok)\",\"SYSLOG_IDENTIFIER\":"
                    "\"postfix/smtp\",\"_PID\":\"%d\",\"_HOSTNAME\":"
                    "\"relay\",\"__REALTIME_TIMESTAMP\":\"1732840000000000"
                    "\"}\n", 0x20000 + pid, pid % 5, pid);
        if (k % 17 == 9)
            fputs("-- Boot 0123456789abcdef --\n", out);
    }
    fclose(out);
    free(big);
    t_sessions = open_memstream(&text[0], &len[0]);
    T_CHECK(t_run(log, 1, NULL, &one, &d1, NULL, NULL) == 0,
            "held: -j 1 reads it");
    fclose(t_sessions);
    t_sessions = open_memstream(&text[1], &len[1]);
    T_CHECK(t_run(log, 2, "3000", &st, &d, NULL, NULL) == 0,
            "held: -j 2 reads it");
    fclose(t_sessions);
    t_sessions = NULL;
    T_CHECK(one.sessions[SESS_D_COUNTED] > 5000 && one.bad[INPUT_BAD_NUL] > 0
            && one.bad[INPUT_BAD_LONG] > 0, "held: %llu counted, %llu NUL, "
            "%llu long", (unsigned long long) one.sessions[SESS_D_COUNTED],
            (unsigned long long) one.bad[INPUT_BAD_NUL],
            (unsigned long long) one.bad[INPUT_BAD_LONG]);
    T_CHECK(t_same(&one, &d1, &st, &d), "held: -j 2 in chunks of 3000 "
            "bytes: not what one thread counted");
    T_CHECK(len[0] > 0 && len[0] == len[1]
            && memcmp(text[0], text[1], len[0]) == 0,
            "held: the sessions of one thread, in its order");
    unlink(log);
    free(text[0]);
    free(text[1]);
    free(d1.text);
    free(d.text);
}

/* lines the tests mix into logs: a journal export record of a
 * Postfix delivery, a line with a NUL byte, a line of an empty message */
#define T_JRNL_REC "{\"MESSAGE\":\"1A2B3C011: to=<v@e.example>, relay=" \
    "mx1.example.net[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, " \
    "status=sent (250 ok)\",\"SYSLOG_IDENTIFIER\":\"postfix/smtp\"," \
    "\"_PID\":\"2906\",\"_HOSTNAME\":\"mail\"," \
    "\"__REALTIME_TIMESTAMP\":\"1732840000000000\"}\n"
#define T_NUL_LINE "Nov 23 01:09:05 mail postfix/smtp[1]: a\0b\n"
#define T_EMPTY_MSG "Nov 23 01:09:05 mail postfix/smtp[2906]: \n"

/* t_dup_write - line (no newline) into out as it is, or changed in one
 * byte: a record the repeated-line test must not take for the one
 * before (another time, host, pid or text), by what r picks */
static void
t_dup_write(FILE *out, const char *line, size_t len, uint64_t r)
{
    char    buf[4096];
    size_t  at;

    if (len >= sizeof(buf))
        len = sizeof(buf) - 1;
    memcpy(buf, line, len);
    if (r % 5 != 0 && len > 20) {
        at = r % 5 == 1 ? 17                    /* a second of the time */
            : r % 5 == 2 ? len - 1              /* the text's end */
            : r % 5 == 3 ? (size_t) (strchr(buf, '[') ? strchr(buf, '[')
                                     - buf + 1 : 5)     /* the pid */
            : 16 + (r >> 8) % (len - 16);       /* anywhere */
        buf[at] = buf[at] == '7' ? '8' : '7';
    }
    buf[len] = '\n';
    fwrite(buf, 1, len + 1, out);
}

/* t_dups - the repeated-line test made by the parsing threads within a
 * chunk, and in order across chunks, against -j 1's (pipe_dup alone):
 * the lines of three logs, each written once to four times, or followed
 * by a record one byte off, with journal records, empty messages and
 * lines the reader skips in between, read in chunks of 61 bytes to
 * 64 KiB: the same repeats, the same sessions in the same order */
static void
t_dups(void)
{
    static const char *const src[] = {DEMO, EXIM,
        "testdata/corpus/postfix.log"};
    static const struct {
        int     jobs;
        const char *chunk;
    } runs[] = {{2, "61"}, {2, "300"}, {3, "1000"}, {2, "65536"},
                {8, "4096"}};
    char    log[] = "/tmp/t_engine.XXXXXX";
    char    line[4096];
    char   *text[2] = {NULL, NULL};
    size_t  len[2] = {0, 0};
    struct run_stats one, st;
    struct t_dump d1, d;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    FILE   *out, *in;
    size_t  i, n, k;
    int     fd;

    fd = mkstemp(log);
    T_CHECK(fd >= 0 && (out = fdopen(fd, "w")) != NULL, "dups: a log");
    if (fd < 0 || out == NULL)
        return;
    for (i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
        if ((in = fopen(src[i], "r")) == NULL)
            continue;
        while (fgets(line, sizeof(line), in) != NULL) {
            n = strcspn(line, "\n");
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for (k = 0; k < 1 + x % 4; k++)
                t_dup_write(out, line, n, 0);
            if ((x >> 8) % 3 == 0)
                t_dup_write(out, line, n, 1 + (x >> 16));
            if ((x >> 24) % 11 == 0)
                fputs(T_EMPTY_MSG, out);
            if ((x >> 28) % 13 == 0)
                fputs(T_JRNL_REC, out);
            if ((x >> 32) % 17 == 0)
                fwrite(T_NUL_LINE, 1, sizeof(T_NUL_LINE) - 1, out);
        }
        fclose(in);
    }
    fclose(out);
    t_sessions = open_memstream(&text[0], &len[0]);
    T_CHECK(t_run(log, 1, NULL, &one, &d1, NULL, NULL) == 0,
            "dups: -j 1 reads it");
    fclose(t_sessions);
    T_CHECK(one.duplicates > 300 && one.sessions[SESS_D_COUNTED] > 50,
            "dups: %llu repeats, %llu counted",
            (unsigned long long) one.duplicates,
            (unsigned long long) one.sessions[SESS_D_COUNTED]);
    for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        t_sessions = open_memstream(&text[1], &len[1]);
        T_CHECK(t_run(log, runs[i].jobs, runs[i].chunk, &st, &d, NULL,
                      NULL) == 0, "dups: -j %d reads it", runs[i].jobs);
        fclose(t_sessions);
        T_CHECK(t_same(&one, &d1, &st, &d) && len[0] == len[1]
                && memcmp(text[0], text[1], len[0]) == 0,
                "dups: -j %d in chunks of %s: %llu repeats, -j 1 %llu",
                runs[i].jobs, runs[i].chunk,
                (unsigned long long) st.duplicates,
                (unsigned long long) one.duplicates);
        free(text[1]);
        text[1] = NULL;
        free(d.text);
    }
    t_sessions = NULL;
    unlink(log);
    free(text[0]);
    free(d1.text);
}

/* t_err_take - what a run wrote to the file name (its stderr) into
 * *err, *len bytes (NULL when the file is gone); the file removed */
static void
t_err_take(const char *name, char **err, size_t *len)
{
    FILE   *fp;

    *err = NULL;
    *len = 0;
    if ((fp = fopen(name, "r")) != NULL) {
        char    buf[4096];
        size_t  n;
        FILE   *out = open_memstream(err, len);

        while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
            fwrite(buf, 1, n, out);
        fclose(out);
        fclose(fp);
    }
    unlink(name);
}

/* t_err_run - t_run() with the run's stderr (warnings: log hosts that
 * log no TLS, files of no MTA) into *err */
static int
t_err_run(const char *file, int jobs, const char *chunk,
          struct run_stats *st, struct t_dump *d, char **err, size_t *len)
{
    char    name[] = "/tmp/t_engine_err.XXXXXX";
    int     fd = mkstemp(name);
    int     keep = dup(2);
    int     rc;

    if (fd < 0 || keep < 0)
        return -1;
    fflush(stderr);
    dup2(fd, 2);
    rc = t_run(file, jobs, chunk, st, d, NULL, NULL);
    fflush(stderr);
    dup2(keep, 2);
    close(keep);
    close(fd);
    t_err_take(name, err, len);
    return rc;
}

/* t_fold - lines that change no state, folded by the parsing threads
 * into the chunk's counts (pipe_w_fold): an Exim log through syslog
 * from 300 log hosts, more than the run keeps track of (the first 256
 * seen: which they are depends on the order each host is first told),
 * each host first seen on lines that change no state or on events by
 * turns, with repeated lines, lines of no MTA, bad lines and journal
 * records between; -j 2 and 3 in chunks of 61 bytes to 64 KiB count,
 * print the same sessions and warn of the same log hosts as -j 1 */
static void
t_fold(void)
{
    static const struct {
        int     jobs;
        const char *chunk;
    } runs[] = {{2, "61"}, {3, "700"}, {2, "4096"}, {2, "65536"}};
    char    log[] = "/tmp/t_engine.XXXXXX";
    char    line[4096];
    char   *text[2] = {NULL, NULL};
    size_t  len[2] = {0, 0};
    char   *err[2];
    size_t  elen[2];
    struct run_stats one, st;
    struct t_dump d1, d;
    uint64_t x = 0x2545f4914f6cdd1dULL;
    FILE   *out, *in;
    size_t  i, n, k, h, host = 0;
    int     fd, pass;

    fd = mkstemp(log);
    T_CHECK(fd >= 0 && (out = fdopen(fd, "w")) != NULL, "fold: a log");
    if (fd < 0 || out == NULL)
        return;
    for (pass = 0; pass < 16; pass++) {
        if ((in = fopen(EXIM, "r")) == NULL)
            break;
        while (fgets(line, sizeof(line), in) != NULL) {
            n = strcspn(line, "\n");
            if (n == 0 || line[0] == '#')
                continue;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* a new host now and then, else the one before; a host in
             * four logs no TLS (it is warned of, if it is kept) */
            if (x % 3 == 0 || host == 0)
                host++;
            h = host > 2 && (x >> 12) % 4 == 0 ? host - 1 : host;
            if (h % 4 == 0 && (strstr(line, "X=") || strstr(line, "TLS")))
                continue;
            for (k = 0; k < 1 + (x >> 8) % 3; k++)
                fprintf(out, "Nov 23 01:09:05 h%zu exim[%d]: %.*s\n", h,
                        100 + pass, (int) n, line);
            if ((x >> 16) % 5 == 0)
                fprintf(out, "Nov 23 01:09:05 h%zu kernel: eth0 up\n",
                        host + 1);
            if ((x >> 20) % 9 == 0)
                fprintf(out, "Nov 23 01:09:06 h%zu exim[%d]: "
                        "2024-09-07 01:34:12 Start queue run: pid=1\n",
                        host + 1, 100 + pass);
            if ((x >> 24) % 23 == 0)
                fputs("Nov 23 01:09:05 mail postfix/smtp[1]: a\0b\n", out);
            if ((x >> 28) % 29 == 0)
                fputs("{\"MESSAGE\":\"2024-09-07 01:34:12 Start queue "
                      "run: pid=2\",\"SYSLOG_IDENTIFIER\":\"exim\","
                      "\"_PID\":\"7\",\"_HOSTNAME\":\"h9\","
                      "\"__REALTIME_TIMESTAMP\":\"1732840000000000\"}\n",
                      out);
        }
        fclose(in);
    }
    fclose(out);
    T_CHECK(host > 300, "fold: %zu log hosts", host);
    t_sessions = open_memstream(&text[0], &len[0]);
    T_CHECK(t_err_run(log, 1, NULL, &one, &d1, &err[0], &elen[0]) == 0,
            "fold: -j 1 reads it");
    fclose(t_sessions);
    T_CHECK(one.duplicates > 100 && one.sessions[SESS_D_COUNTED] > 50
            && elen[0] > 0, "fold: %llu repeats, %llu counted, %zu bytes "
            "of warnings", (unsigned long long) one.duplicates,
            (unsigned long long) one.sessions[SESS_D_COUNTED], elen[0]);
    for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        t_sessions = open_memstream(&text[1], &len[1]);
        T_CHECK(t_err_run(log, runs[i].jobs, runs[i].chunk, &st, &d,
                          &err[1], &elen[1]) == 0, "fold: -j %d reads it",
                runs[i].jobs);
        fclose(t_sessions);
        T_CHECK(t_same(&one, &d1, &st, &d) && len[0] == len[1]
                && memcmp(text[0], text[1], len[0]) == 0,
                "fold: -j %d in chunks of %s: %llu repeats, -j 1 %llu",
                runs[i].jobs, runs[i].chunk,
                (unsigned long long) st.duplicates,
                (unsigned long long) one.duplicates);
        T_CHECK(elen[0] == elen[1] && memcmp(err[0], err[1], elen[0]) == 0,
                "fold: -j %d in chunks of %s: other warnings", runs[i].jobs,
                runs[i].chunk);
        free(text[1]);
        text[1] = NULL;
        free(err[1]);
        free(d.text);
    }
    t_sessions = NULL;
    unlink(log);
    free(text[0]);
    free(err[0]);
    free(d1.text);
}

/* t_handoff - tiny chunks: nearly every chunk is parsed by one thread
 * and correlated by another (engine/pipe.c, pipe_settle), the main
 * thread parses some of them while it waits, and with more threads
 * than cores a thread is often preempted mid-chunk. Every run must
 * count, print its sessions and warn as one thread does; each is made
 * three times (a race shows as a run that differs now and then) */
static void
t_handoff(const char *file)
{
    static const int jobs[] = {2, 3, 8};
    static const char *chunks[] = {"97", "1500", "4096"};
    char   *text[2] = {NULL, NULL};
    size_t  len[2] = {0, 0};
    char   *err[2];
    size_t  elen[2];
    struct run_stats one, st;
    struct t_dump d1, d;
    size_t  j, c;
    int     round;

    t_sessions = open_memstream(&text[0], &len[0]);
    T_CHECK(t_err_run(file, 1, NULL, &one, &d1, &err[0], &elen[0]) == 0,
            "handoff %s: -j 1 reads it", file);
    fclose(t_sessions);
    for (round = 0; round < 3; round++)
        for (j = 0; j < sizeof(jobs) / sizeof(jobs[0]); j++)
            for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
                t_sessions = open_memstream(&text[1], &len[1]);
                T_CHECK(t_err_run(file, jobs[j], chunks[c], &st, &d,
                                  &err[1], &elen[1]) == 0,
                        "handoff %s: -j %d reads it", file, jobs[j]);
                fclose(t_sessions);
                T_CHECK(t_same(&one, &d1, &st, &d) && len[0] == len[1]
                        && memcmp(text[0], text[1], len[0]) == 0
                        && elen[0] == elen[1]
                        && memcmp(err[0], err[1], elen[0]) == 0,
                        "handoff %s: -j %d in chunks of %s, round %d: not "
                        "what one thread made", file, jobs[j], chunks[c],
                        round);
                free(text[1]);
                text[1] = NULL;
                free(err[1]);
                free(d.text);
            }
    t_sessions = NULL;
    free(text[0]);
    free(err[0]);
    free(d1.text);
}

/* t_files_run - pipe_run over the files with --verbose, in chunks of
 * chunk bytes (NULL: the default; none at -j 1), MAILTLSRPT_FUSE set
 * to fuse (NULL: unset), the workers clearing what they will write
 * (MAILTLSRPT_CLAIM, pipe_far) every other run and not the others;
 * sessions into *text, stderr into *err */
static int
t_files_run(char **files, int jobs, const char *chunk, const char *fuse,
            struct run_stats *st, struct t_dump *d, char **text,
            size_t *len, char **err, size_t *elen)
{
    char    name[] = "/tmp/t_engine_err.XXXXXX";
    int     fd = mkstemp(name);
    int     keep = dup(2);
    struct pipe_opts po;
    struct agg_tab *tab = agg_tab_create();
    static int nrun;
    int     rc;

    if (fd < 0 || keep < 0)
        return -1;
    setenv("MAILTLSRPT_CLAIM", nrun++ % 2 ? "1" : "0", 1);
    if (chunk)
        setenv("MAILTLSRPT_CHUNK", chunk, 1);
    else
        unsetenv("MAILTLSRPT_CHUNK");
    if (fuse)
        setenv("MAILTLSRPT_FUSE", fuse, 1);
    else
        unsetenv("MAILTLSRPT_FUSE");
    memset(&po, 0, sizeof(po));
    po.files = files;
    po.log_year = 2024;
    po.quiet = 1;
    po.verbose = 1;
    po.jobs = jobs;
    po.sessions = open_memstream(text, len);
    fflush(stderr);
    dup2(fd, 2);
    rc = pipe_run(&po, tab, st);
    fflush(stderr);
    dup2(keep, 2);
    close(keep);
    close(fd);
    fclose(po.sessions);
    unsetenv("MAILTLSRPT_FUSE");
    unsetenv("MAILTLSRPT_CLAIM");
    d->fp = open_memstream(&d->text, &d->len);
    agg_tab_walk_st(tab, t_dump_rec, d);
    fclose(d->fp);
    agg_tab_free(tab);
    t_err_take(name, err, elen);
    return rc;
}

/* t_files - a run of four files whose chunks end anywhere: the first
 * line of each file the last of the one before (another file's: no
 * repeat), Exim's, Postfix's and Sendmail's lines written once to
 * three times or one byte off, with lines longer than a line may be
 * (dropped where they lie, across chunks), lines longer than a chunk,
 * NUL bytes, journal records good and bad, catalog lines and empty
 * messages between, and a file of no MTA. Chunks classified and
 * applied in one pass by the main thread (pipe_fuse) next to chunks
 * parsed into items and applied from them (pipe_correlate), in every
 * order: MAILTLSRPT_FUSE=k lets only chunks whose number is no
 * multiple of k be fused, so at -j 1 in chunks every second or third
 * chunk is parsed into items and the others fused, and at -j 2, 3 and
 * 8 a worker takes some of either; chunks of 61 bytes to 64 KiB. The
 * same counts, sessions, repeats, bad lines shown with their file and
 * line, and warnings as one thread without chunks */
static void
t_files(void)
{
    static const char *const src[] = {EXIM, "testdata/corpus/postfix.log",
        "testdata/corpus/sendmail.log"};
    static const struct {
        int     jobs;
        const char *chunk;
        const char *fuse;
    } runs[] = {{1, "97", "2"}, {1, "1500", "3"}, {1, "4096", "2"},
                {1, "300", NULL}, {1, "700", "0"}, {2, "97", "2"},
                {2, "1500", "3"}, {2, "4096", NULL}, {2, "61", "0"},
                {3, "700", "2"}, {3, "61", "3"}, {8, "4096", "2"},
                {2, "65536", "3"}, {3, NULL, NULL}};
    char    logs[4][32];
    char   *files[5];
    char    line[4096];
    char    first[4096] = "";
    char   *big;
    char   *text[2] = {NULL, NULL};
    size_t  len[2] = {0, 0};
    char   *err[2];
    size_t  elen[2];
    struct run_stats one, st;
    struct t_dump d1, d;
    uint64_t x = 0x853c49e6748fea9bULL;
    FILE   *out = NULL, *in;
    size_t  i, n, k, nl = 0;
    int     f, fd, pass;

    big = malloc(70 * 1024);
    if (big == NULL)
        return;
    memset(big, 'y', 70 * 1024 - 1);
    big[70 * 1024 - 1] = 0;
    for (f = 0; f < 4; f++) {
        snprintf(logs[f], sizeof(logs[f]), "/tmp/t_engine.XXXXXX");
        fd = mkstemp(logs[f]);
        files[f] = logs[f];
        T_CHECK(fd >= 0 && (out = fdopen(fd, "w")) != NULL, "files: a log");
        if (fd < 0 || out == NULL)
            return;
        if (f == 3) {           /* no MTA's line: warned of */
            for (k = 0; k < 400; k++)
                fprintf(out, "Nov 23 01:09:%02zu gw kernel: eth0 link up "
                        "%zu\n", k % 60, k);
            fclose(out);
            continue;
        }
        if (first[0])
            fputs(first, out);
        for (pass = 0; pass < 2 && (in = fopen(src[f], "r")) != NULL;
             pass++) {
            while (fgets(line, sizeof(line), in) != NULL) {
                n = strcspn(line, "\n");
                if (n == 0 || line[0] == '#')
                    continue;
                nl++;
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                for (k = 0; k < 1 + x % 3; k++)
                    t_dup_write(out, line, n, 0);
                if ((x >> 8) % 4 == 0)
                    t_dup_write(out, line, n, 1 + (x >> 16));
                if ((x >> 20) % 41 == 0)    /* over INPUT_MAX_LINE: dropped */
                    fprintf(out, "Nov 23 01:09:05 mail postfix/smtp[3]: %s\n",
                            big);
                if ((x >> 26) % 37 == 0)    /* longer than most chunks */
                    fprintf(out, "Nov 23 01:09:05 mail postfix/smtp[4]: "
                            "%.2000s\n", big);
                if ((x >> 32) % 53 == 0)
                    fwrite(T_NUL_LINE, 1, sizeof(T_NUL_LINE) - 1, out);
                if ((x >> 38) % 31 == 0)
                    fputs(T_EMPTY_MSG, out);
                if ((x >> 44) % 43 == 0)
                    fputs(T_JRNL_REC, out);
                if ((x >> 50) % 47 == 0)
                    fputs("{\"MESSAGE\":\"broken\n", out);
                if ((x >> 54) % 59 == 0)
                    fputs("-- Boot 0123456789abcdef --\n", out);
                snprintf(first, sizeof(first), "%.*s\n", (int) n, line);
            }
            fclose(in);
        }
        fputs(first, out);      /* the next file's first line too */
        fclose(out);
    }
    files[4] = NULL;
    free(big);
    T_CHECK(t_files_run(files, 1, NULL, NULL, &one, &d1, &text[0], &len[0],
                        &err[0], &elen[0]) == 0, "files: -j 1 reads it");
    T_CHECK(nl > 500 && one.duplicates > 300
            && one.sessions[SESS_D_COUNTED] > 50
            && one.bad[INPUT_BAD_LONG] > 3 && one.bad[INPUT_BAD_NUL] > 3
            && one.bad[INPUT_BAD_RECORD] > 3 && one.not_mail == 1
            && elen[0] > 0, "files: %llu repeats, %llu counted, %llu long, "
            "%llu NUL, %llu records bad",
            (unsigned long long) one.duplicates,
            (unsigned long long) one.sessions[SESS_D_COUNTED],
            (unsigned long long) one.bad[INPUT_BAD_LONG],
            (unsigned long long) one.bad[INPUT_BAD_NUL],
            (unsigned long long) one.bad[INPUT_BAD_RECORD]);
    for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        T_CHECK(t_files_run(files, runs[i].jobs, runs[i].chunk,
                            runs[i].fuse, &st, &d, &text[1], &len[1],
                            &err[1], &elen[1]) == 0, "files: -j %d reads it",
                runs[i].jobs);
        T_CHECK(t_same(&one, &d1, &st, &d) && st.not_mail == one.not_mail
                && len[0] == len[1] && memcmp(text[0], text[1], len[0]) == 0
                && elen[0] == elen[1] && memcmp(err[0], err[1], elen[0]) == 0,
                "files: -j %d in chunks of %s, fused %s: %llu repeats, "
                "-j 1 %llu", runs[i].jobs,
                runs[i].chunk ? runs[i].chunk : "the default",
                runs[i].fuse ? runs[i].fuse : "any",
                (unsigned long long) st.duplicates,
                (unsigned long long) one.duplicates);
        free(text[1]);
        free(err[1]);
        free(d.text);
    }
    for (f = 0; f < 4; f++)
        unlink(logs[f]);
    free(text[0]);
    free(err[0]);
    free(d1.text);
}

/* t_held_dups - repeated lines while one thread holds records back: a
 * log of more live processes than PARSER_PREFETCH_KEYS whose lines are
 * written once to three times, or followed by one a byte off, with bad
 * lines between. The repeated-line test keeps the record before by its
 * place in the ring of held records (pipe_line_held), copied only when
 * the slot is written again: the same repeats, counts and sessions as
 * --trace (one line a call, no ring) and as two threads in chunks */
static void
t_held_dups(void)
{
    char    log[] = "/tmp/t_engine.XXXXXX";
    char    line[512];
    char   *text[3] = {NULL, NULL, NULL};
    size_t  len[3] = {0, 0, 0};
    struct run_stats one, tr, st;
    struct t_dump d1, dt, d;
    uint64_t x = 0x2545f4914f6cdd1dULL;
    FILE   *out, *trace;
    char   *trace_text = NULL;
    size_t  trace_len = 0;
    int     fd, pid, k, n, i;

    fd = mkstemp(log);
    T_CHECK(fd >= 0 && (out = fdopen(fd, "w")) != NULL, "held dups: a log");
    if (fd < 0 || out == NULL)
        return;
    for (pid = 1000; pid < 7000; pid++) {
        n = snprintf(line, sizeof(line), "Nov 29 00:%02d:%02d relay postfix/"
                     "smtp[%d]: Untrusted TLS connection established to mx%d."
                     "example.net[192.0.2.%d]:25: TLSv1.3 with cipher TLS_AES"
                     "_256_GCM_SHA384 (256/256 bits)", pid / 600,
                     pid / 10 % 60, pid, pid % 7, pid % 200 + 1);
        t_dup_write(out, line, (size_t) n, 0);
        if (pid % 3 == 0)
            t_dup_write(out, line, (size_t) n, 0);
    }
    for (pid = 1000, k = 0; pid < 7000; pid++, k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        n = snprintf(line, sizeof(line), "Nov 29 00:%02d:%02d relay postfix/"
                     "smtp[%d]: %X: to=<u@d%d.example>, relay=mx%d.example."
                     "net[192.0.2.%d]:25, delay=1, delays=0/0/0/1, dsn=2.0.0"
                     ", status=sent (250 ok)", 10 + pid / 600, pid / 10 % 60,
                     pid, 0x10000 + pid, pid % 13, pid % 7, pid % 200 + 1);
        for (i = 0; i < 1 + (int) (x % 3); i++)
            t_dup_write(out, line, (size_t) n, 0);
        if ((x >> 8) % 3 == 0)
            t_dup_write(out, line, (size_t) n, 1 + (x >> 16));
        if (k % 9 == 4)
            fwrite("Nov 29 00:20:00 relay postfix/smtp[1]: a\0b\n", 1, 44,
                   out);
        if (k % 11 == 7)        /* noise between a line and its repeat */
            fprintf(out, "Nov 29 00:20:00 relay postfix/smtpd[9]: connect "
                    "from x[192.0.2.1]\n");
    }
    fclose(out);
    t_sessions = open_memstream(&text[0], &len[0]);
    T_CHECK(t_run(log, 1, NULL, &one, &d1, NULL, NULL) == 0,
            "held dups: -j 1 reads it");
    fclose(t_sessions);
    t_sessions = open_memstream(&text[1], &len[1]);
    trace = open_memstream(&trace_text, &trace_len);
    T_CHECK(t_run(log, 1, NULL, &tr, &dt, NULL, trace) == 0,
            "held dups: --trace reads it");
    fclose(trace);
    fclose(t_sessions);
    t_sessions = open_memstream(&text[2], &len[2]);
    T_CHECK(t_run(log, 2, "5000", &st, &d, NULL, NULL) == 0,
            "held dups: -j 2 reads it");
    fclose(t_sessions);
    t_sessions = NULL;
    T_CHECK(one.duplicates > 6000 && one.sessions[SESS_D_COUNTED] > 5000
            && one.bad[INPUT_BAD_NUL] > 0, "held dups: %llu repeats, %llu "
            "counted", (unsigned long long) one.duplicates,
            (unsigned long long) one.sessions[SESS_D_COUNTED]);
    T_CHECK(t_same(&one, &d1, &tr, &dt) && len[0] == len[1]
            && memcmp(text[0], text[1], len[0]) == 0,
            "held dups: --trace %llu repeats, -j 1 %llu",
            (unsigned long long) tr.duplicates,
            (unsigned long long) one.duplicates);
    T_CHECK(t_same(&one, &d1, &st, &d) && len[0] == len[2]
            && memcmp(text[0], text[2], len[0]) == 0,
            "held dups: -j 2 in chunks of 5000 bytes: %llu repeats, -j 1 "
            "%llu", (unsigned long long) st.duplicates,
            (unsigned long long) one.duplicates);
    unlink(log);
    for (i = 0; i < 3; i++)
        free(text[i]);
    free(trace_text);
    free(d1.text);
    free(dt.text);
    free(d.text);
}

/* t_pool - a log of many chunks of the default size (and over 4 MiB:
 * cut where it lies, each chunk read by the thread that parses it):
 * the pool of chunk buffers goes round many times, workers wait for
 * work and are woken, add sessions while the main thread correlates,
 * and the main thread parses while it waits; with more workers than
 * the work keeps busy (-j 8, small chunks) several wait at once. The
 * same counters and the same sessions, in the same order, as one
 * thread */
static void
t_pool(void)
{
    static const struct {
        int     jobs;
        const char *chunk;
    } runs[] = {{2, NULL}, {3, NULL}, {8, "4096"}, {2, "100000"}};
    char    log[] = "/tmp/t_engine.XXXXXX";
    char   *text[2] = {NULL, NULL};
    size_t  len[2] = {0, 0};
    struct run_stats one, st;
    struct t_dump d1, d;
    FILE   *out;
    int     fd, pid;
    size_t  i;

    fd = mkstemp(log);
    T_CHECK(fd >= 0 && (out = fdopen(fd, "w")) != NULL, "pool: a log");
    if (fd < 0 || out == NULL)
        return;
    for (pid = 10000; pid < 42000; pid++) {
        fprintf(out, "Nov 29 %02d:%02d:%02d relay%d postfix/smtp[%d]: "
                "Untrusted TLS connection established to mx%d.example.net"
                "[192.0.2.%d]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384"
                " (256/256 bits)\n", pid / 3600 % 24, pid / 60 % 60,
                pid % 60, pid % 5, pid, pid % 7, pid % 200 + 1);
        fprintf(out, "Nov 29 %02d:%02d:%02d relay%d postfix/smtp[%d]: %X: "
                "to=<u@d%d.example>, relay=mx%d.example.net[192.0.2.%d]:25"
                ", delay=1, delays=0/0/0/1, dsn=%s, status=%s\n",
                pid / 3600 % 24, pid / 60 % 60, pid % 60, pid % 5, pid,
                0x100000 + pid, pid % 97, pid % 7, pid % 200 + 1,
                pid % 11 ? "2.0.0" : "4.0.0", pid % 11 ? "sent (250 ok)"
                : "deferred (451 try later)");
    }
    fclose(out);
    t_sessions = open_memstream(&text[0], &len[0]);
    T_CHECK(t_run(log, 1, NULL, &one, &d1, NULL, NULL) == 0,
            "pool: -j 1 reads it");
    fclose(t_sessions);
    T_CHECK(one.bytes > 5 * 1024 * 1024
            && one.sessions[SESS_D_COUNTED] > 30000, "pool: %llu bytes, "
            "%llu counted", (unsigned long long) one.bytes,
            (unsigned long long) one.sessions[SESS_D_COUNTED]);
    for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        t_sessions = open_memstream(&text[1], &len[1]);
        T_CHECK(t_run(log, runs[i].jobs, runs[i].chunk, &st, &d, NULL,
                      NULL) == 0, "pool: -j %d reads it", runs[i].jobs);
        fclose(t_sessions);
        T_CHECK(t_same(&one, &d1, &st, &d) && len[0] == len[1]
                && memcmp(text[0], text[1], len[0]) == 0, "pool: -j %d, "
                "chunks of %s bytes: not what one thread counted",
                runs[i].jobs, runs[i].chunk ? runs[i].chunk : "the default");
        free(d.text);
        free(text[1]);
        text[1] = NULL;
    }
    t_sessions = NULL;
    unlink(log);
    free(text[0]);
    free(d1.text);
}

/* t_state - a piece for a saved state: open sessions carried, counts
 * in the state */
static void
t_state(void)
{
    char    piece[] = "/tmp/t_engine.XXXXXX";
    struct agg_state *s = agg_state_create();
    FILE   *in, *out;
    char    line[4096];
    size_t  keys = 0, lines = 0;
    int     fd, n = 0;

    fd = mkstemp(piece);
    T_CHECK(fd >= 0 && (out = fdopen(fd, "w")) != NULL
            && (in = fopen(DEMO, "r")) != NULL, "a temporary piece");
    if (fd < 0 || out == NULL || in == NULL)
        return;
    while (fgets(line, sizeof(line), in) != NULL && n++ < 150)
        fputs(line, out);
    fclose(in);
    fclose(out);
    t_run(piece, 2, "4096", agg_state_stats(s), NULL, s, NULL);
    agg_state_kept(s, &keys, &lines);
    T_CHECK(keys > 0 && lines > 0, "piece: %zu keys, %zu lines carried",
            keys, lines);
    T_CHECK(agg_state_stats(s)->lines == 150, "piece: the state's lines");
    T_CHECK(agg_tab_sessions_st(agg_state_tab(s)) > 0, "piece: counted");
    agg_state_free(s);
    unlink(piece);
}

/* t_canon - what a parsing thread makes canonical (corr_canon_*_mt, for
 * the correlating thread to copy) is what dname_norm(), dname_is_numeric()
 * and ipaddr_norm() make of the same text, seen once or again */
static void
t_canon(void)
{
    static const char *const names[] = {
        "mx.example", "MX.Example", "mx.example.", "192.0.2.1", "1.2.3",
        "-bad.example", "bad-.example", "a_b.example", "a..example", ".",
        "",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x",
        "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmm.nnnnnnnnnnnnnnnnnnnnnnnnnnnnnn.example",
        "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMM.NNNNNNNNNNNNNNNNNNNNNNNNNNNNNN.EXAMPLE",
        "x\001y.example", "[192.0.2.1]",
    };
    static const char *const addrs[] = {
        "192.0.2.1", "192.0.2.01", "2001:DB8::1", "2001:db8::1",
        "2001:db8:0:0:0:0:0:1", "::ffff:192.0.2.9", "IPv6:2001:db8::2",
        "ipv6:::1", "999.1.1.1", "2001:db8::zz", "1.2.3", "",
        "2001:0db8:0000:0000:0000:0000:0000:0001:ffff:ffff:ffff:ffff:ffff",
    };
    char    over[300];
    size_t  i, round;

    memset(over, 'a', sizeof(over));
    for (i = 60; i < sizeof(over); i += 61)
        over[i] = '.';
    for (round = 0; round < 3; round++) {
        for (i = 0; i <= sizeof(names) / sizeof(names[0]); i++) {
            struct span n = i < sizeof(names) / sizeof(names[0])
                ? span_make(names[i], strlen(names[i]))
                : span_make(over, sizeof(over));
            char    out[DNAME_MAX + 1];
            int     rc = dname_norm(n.ptr, n.len, out);
            int     valid = rc == 0 && !dname_is_numeric(out);
            uint8_t clen = 0, num = 0;
            int     st;

            if (n.len > 0) {
                st = corr_canon_host_mt(n, &clen, &num);
                T_CHECK(rc < 0 ? st == CORR_CANON_BAD
                        : st == CORR_CANON_MAP ? strncmp(out, n.ptr, n.len) != 0
                        : st == CORR_CANON_RAW && clen == strlen(out)
                        && memcmp(out, n.ptr, clen) == 0
                        && num == dname_is_numeric(out),
                        "canon host %zu, round %zu: %d", i, round, st);
            }
            st = corr_canon_dom_mt(n, &clen);
            T_CHECK(!valid ? st == CORR_CANON_BAD
                    : st == CORR_CANON_MAP ? strncmp(out, n.ptr, n.len) != 0
                    : st == CORR_CANON_RAW && clen == strlen(out)
                    && memcmp(out, n.ptr, clen) == 0,
                    "canon domain %zu, round %zu: %d", i, round, st);
        }
        for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
            struct span a = span_make(addrs[i], strlen(addrs[i]));
            char    out[IPADDR_MAX + 1], buf[IPADDR_MAX + 1];
            int     rc = ipaddr_norm(a.ptr, a.len, out);
            uint8_t clen = 0;
            int     st;

            if (a.len == 0)
                continue;
            st = corr_canon_ip_mt(a, &clen, buf);
            T_CHECK(rc < 0 ? st == CORR_CANON_BAD
                    : st == CORR_CANON_RAW ? clen == strlen(out)
                    && clen == a.len && memcmp(out, a.ptr, clen) == 0
                    : st == CORR_CANON_BUF && strcmp(out, buf) == 0,
                    "canon address %s, round %zu: %d", addrs[i], round, st);
        }
    }
}

int
main(void)
{
    setenv("TZ", "UTC", 1);
    msg_quiet = 1;
    t_threads(DEMO);
    t_threads(EXIM);
    t_threads("testdata/corpus/sendmail.log");
    t_threads("testdata/corpus/postfix.log");
    t_handoff(EXIM);
    t_handoff("testdata/corpus/postfix.log");
    t_handoff("testdata/corpus/sendmail.log");
    t_demo();
    t_trace();
    t_held();
    t_dups();
    t_fold();
    t_held_dups();
    t_files();
    t_pool();
    t_state();
    t_canon();
    return T_DONE();
}
