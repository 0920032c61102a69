/* benchmarks/replay.c - real logs replayed at scale with fresh ids
 *
 * Usage: replay [-s SEED] [-b BYTES] [-k STREAMS] [-r RATE] [-y YEAR]
 *               TEMPLATE...
 * Writes to stdout about BYTES bytes made of the lines of the TEMPLATE
 * logs, real MTA output (testdata/mta/logs/, testdata/corpus/), copied
 * over and over: each copy of a template gets fresh process ids, queue
 * and message ids, and every line a new time stamp, so that the copies
 * are new deliveries of the same shapes, not repeats. STREAMS copies
 * (default 16) are written at once, their lines interleaved at random
 * (seeded), as the processes of a busy host interleave; each stream
 * starts the next template when its copy ends. Lines keep their bytes
 * but for:
 * - the time stamp at the start (RFC 3164 "Mmm dd hh:mm:ss" with either
 *   day padding, Exim's "YYYY-MM-DD hh:mm:ss", RFC 3339's date and time,
 *   its fraction and offset kept): a clock that starts on Nov 1 of YEAR
 *   (default 2024), UTC, and advances RATE lines a second (default 20:
 *   a busy host; about a day for 250 MB), whatever the size;
 * - the pid in "prog[PID]:" (and Exim's "[PID] " after the stamp): the
 *   next of a counter that runs from 1000 to 4194303 and round;
 * - queue ids (a token of letters and digits with a digit before ": "
 *   after the pid; Exim's message id after the stamp), wherever else
 *   they occur in the template too (message-ids, "queued as"): a new id
 *   of the same length whose every character keeps its class (digit,
 *   A-F, G-Z, a-z), so each MTA's parser takes it as it took the old;
 *   the first character is kept.
 * Lines starting with '#' (the corpus' block headers) and empty lines
 * are left out. Same seed and templates, same bytes.
 */
#define _GNU_SOURCE             /* memmem, timegm */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RP_MAX_LINE 65536
#define RP_MAX_IDS 4096         /* queue ids and pids per template */
#define RP_MAX_EDITS 32         /* replaced spans per line */
#define RP_MAX_STREAMS 256
#define RP_PID_MIN 1000
#define RP_PID_MAX 4194303

enum rp_ts { RP_TS_NONE, RP_TS_3164, RP_TS_EXIM, RP_TS_3339 };
enum rp_kind { RP_E_PID, RP_E_QID };

struct rp_edit {
    unsigned off;               /* in the line */
    unsigned len;
    unsigned kind;              /* enum rp_kind */
    unsigned idx;               /* in the template's pids or ids */
};

struct rp_line {
    char   *text;
    size_t  len;
    int     ts;                 /* enum rp_ts */
    struct rp_edit edit[RP_MAX_EDITS];
    int     nedit;
};

struct rp_tmpl {
    struct rp_line *lines;
    size_t  nlines;
    char   *ids[RP_MAX_IDS];    /* queue ids as written */
    size_t  nids;
    unsigned long pids[RP_MAX_IDS];
    size_t  npids;
};

struct rp_stream {
    const struct rp_tmpl *t;
    size_t  at;                 /* next line */
    unsigned long pid[RP_MAX_IDS];      /* this copy's */
    char   *id[RP_MAX_IDS];
};

static uint64_t rp_state = 88172645463325252ULL;

/* rp_rand - xorshift64* */
static uint64_t
rp_rand(void)
{
    rp_state ^= rp_state >> 12;
    rp_state ^= rp_state << 25;
    rp_state ^= rp_state >> 27;
    return rp_state * 2685821657736338717ULL;
}

/* rp_isdig, rp_isalnum - ASCII classes */
static int
rp_isdig(int c)
{
    return c >= '0' && c <= '9';
}

static int
rp_isalnum(int c)
{
    return rp_isdig(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* rp_ts_kind - the stamp at the start of a line, and its length */
static int
rp_ts_kind(const char *s, size_t len, size_t *tlen)
{
    static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    size_t  i;

    if (len >= 16 && s[3] == ' ' && s[6] == ' ' && s[9] == ':'
        && s[12] == ':' && s[15] == ' ') {
        for (i = 0; i < 12; i++)
            if (memcmp(s, mon + 3 * i, 3) == 0) {
                *tlen = 15;
                return RP_TS_3164;
            }
    }
    if (len >= 20 && s[4] == '-' && s[7] == '-' && s[13] == ':'
        && s[16] == ':' && rp_isdig(s[0]) && rp_isdig(s[18])) {
        *tlen = 19;
        if (s[10] == ' ')
            return RP_TS_EXIM;
        if (s[10] == 'T')
            return RP_TS_3339;
    }
    *tlen = 0;
    return RP_TS_NONE;
}

/* rp_pid_idx - index of pid in the template's table (added) */
static unsigned
rp_pid_idx(struct rp_tmpl *t, unsigned long pid)
{
    size_t  i;

    for (i = 0; i < t->npids; i++)
        if (t->pids[i] == pid)
            return (unsigned) i;
    if (t->npids == RP_MAX_IDS) {
        fprintf(stderr, "replay: too many pids in a template\n");
        exit(1);
    }
    t->pids[t->npids] = pid;
    return (unsigned) t->npids++;
}

/* rp_id_note - remember a queue id of the template */
static void
rp_id_note(struct rp_tmpl *t, const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < t->nids; i++)
        if (strlen(t->ids[i]) == len && memcmp(t->ids[i], s, len) == 0)
            return;
    if (t->nids == RP_MAX_IDS) {
        fprintf(stderr, "replay: too many ids in a template\n");
        exit(1);
    }
    t->ids[t->nids] = malloc(len + 1);
    if (t->ids[t->nids] == NULL)
        exit(1);
    memcpy(t->ids[t->nids], s, len);
    t->ids[t->nids++][len] = 0;
}

/* rp_add_edit - one span of a line to replace; overlaps are refused */
static void
rp_add_edit(struct rp_line *l, size_t off, size_t len, int kind,
            unsigned idx)
{
    int     i, j;

    for (i = 0; i < l->nedit; i++)
        if (off < l->edit[i].off + l->edit[i].len
            && l->edit[i].off < off + len)
            return;
    if (l->nedit == RP_MAX_EDITS)
        return;
    /* kept in order of offset */
    for (i = l->nedit; i > 0 && l->edit[i - 1].off > off; i--)
        ;
    for (j = l->nedit; j > i; j--)
        l->edit[j] = l->edit[j - 1];
    l->edit[i].off = (unsigned) off;
    l->edit[i].len = (unsigned) len;
    l->edit[i].kind = (unsigned) kind;
    l->edit[i].idx = idx;
    l->nedit++;
}

/* rp_scan_header - the pid and the queue id of a line, as edits; queue
 * ids also noted in the template */
static void
rp_scan_header(struct rp_tmpl *t, struct rp_line *l, size_t tlen)
{
    const char *s = l->text;
    size_t  len = l->len;
    size_t  i, j, k;

    /* Exim: "STAMP [PID] ID ..." or "STAMP ID ..." */
    if (l->ts == RP_TS_EXIM) {
        i = tlen + 1;
        if (i < len && s[i] == '[') {
            for (j = i + 1; j < len && rp_isdig(s[j]); j++)
                ;
            if (j > i + 1 && j + 1 < len && s[j] == ']' && s[j + 1] == ' ') {
                rp_add_edit(l, i + 1, j - i - 1, RP_E_PID,
                            rp_pid_idx(t, strtoul(s + i + 1, NULL, 10)));
                i = j + 2;
            }
        }
        for (j = i; j < len && (rp_isalnum(s[j]) || s[j] == '-'); j++)
            ;
        if (j - i >= 16 && j - i <= 23 && s[i + 6] == '-' && j < len
            && s[j] == ' ')
            rp_id_note(t, s + i, j - i);
        return;
    }
    /* syslog: "prog[PID]: " within the first 200 bytes */
    for (i = tlen; i < len && i < 200; i++) {
        if (s[i] != '[')
            continue;
        for (j = i + 1; j < len && rp_isdig(s[j]); j++)
            ;
        if (j == i + 1 || j + 2 >= len || s[j] != ']' || s[j + 1] != ':'
            || s[j + 2] != ' ')
            continue;
        rp_add_edit(l, i + 1, j - i - 1, RP_E_PID,
                    rp_pid_idx(t, strtoul(s + i + 1, NULL, 10)));
        /* the queue id after it: letters and digits, a digit among them */
        k = j + 3;
        for (j = k; j < len && rp_isalnum(s[j]); j++)
            ;
        if (j - k >= 5 && j - k <= 20 && j + 1 < len && s[j] == ':'
            && s[j + 1] == ' ') {
            size_t  m;

            for (m = k; m < j && !rp_isdig(s[m]); m++)
                ;
            if (m < j)
                rp_id_note(t, s + k, j - k);
        }
        return;
    }
}

/* rp_scan_ids - every place a queue id of the template occurs */
static void
rp_scan_ids(struct rp_tmpl *t, struct rp_line *l)
{
    size_t  i;

    for (i = 0; i < t->nids; i++) {
        size_t  n = strlen(t->ids[i]);
        const char *p = l->text;
        const char *end = l->text + l->len;

        while ((p = memmem(p, (size_t) (end - p), t->ids[i], n)) != NULL) {
            /* whole tokens only */
            if ((p == l->text || !rp_isalnum(p[-1]))
                && (p + n == end || !rp_isalnum(p[n])))
                rp_add_edit(l, (size_t) (p - l->text), n, RP_E_QID,
                            (unsigned) i);
            p += n;
        }
    }
}

/* rp_load - a template: its lines and what to replace in them */
static void
rp_load(struct rp_tmpl *t, const char *path)
{
    FILE   *fp = fopen(path, "r");
    static char buf[RP_MAX_LINE];
    size_t  cap = 0;
    size_t  i, tlen;

    if (fp == NULL) {
        perror(path);
        exit(1);
    }
    memset(t, 0, sizeof(*t));
    while (fgets(buf, sizeof(buf), fp) != NULL) {
        size_t  len = strlen(buf);
        struct rp_line *l;

        if (len > 0 && buf[len - 1] == '\n')
            buf[--len] = 0;
        if (len == 0 || buf[0] == '#')
            continue;
        if (t->nlines == cap) {
            cap = cap ? 2 * cap : 256;
            t->lines = realloc(t->lines, cap * sizeof(*t->lines));
            if (t->lines == NULL)
                exit(1);
        }
        l = &t->lines[t->nlines++];
        memset(l, 0, sizeof(*l));
        if ((l->text = malloc(len + 1)) == NULL)
            exit(1);
        memcpy(l->text, buf, len + 1);
        l->len = len;
        l->ts = rp_ts_kind(l->text, len, &tlen);
        rp_scan_header(t, l, tlen);
    }
    fclose(fp);
    for (i = 0; i < t->nlines; i++)
        rp_scan_ids(t, &t->lines[i]);
    if (t->nlines == 0) {
        fprintf(stderr, "replay: %s: no lines\n", path);
        exit(1);
    }
}

/* rp_new_id - id n in the shape of old: the first character kept, each
 * other one of its class, from the last one back */
static void
rp_new_id(const char *old, uint64_t n, char *out)
{
    size_t  len = strlen(old);
    size_t  i;

    out[len] = 0;
    out[0] = old[0];
    for (i = len; i-- > 1;) {
        char    c = old[i];

        if (rp_isdig(c)) {
            out[i] = (char) ('0' + n % 10);
            n /= 10;
        } else if (c >= 'A' && c <= 'F') {
            out[i] = (char) ('A' + n % 6);
            n /= 6;
        } else if (c >= 'G' && c <= 'Z') {
            out[i] = (char) ('G' + n % 20);
            n /= 20;
        } else if (c >= 'a' && c <= 'z') {
            out[i] = (char) ('a' + n % 26);
            n /= 26;
        } else {
            out[i] = c;
        }
    }
}

static unsigned long rp_next_pid = RP_PID_MIN;
static uint64_t rp_next_id;

/* rp_start - stream s begins a copy of template t: fresh ids */
static void
rp_start(struct rp_stream *s, const struct rp_tmpl *t)
{
    size_t  i;

    s->t = t;
    s->at = 0;
    for (i = 0; i < t->npids; i++) {
        s->pid[i] = rp_next_pid;
        rp_next_pid = rp_next_pid >= RP_PID_MAX ? RP_PID_MIN : rp_next_pid + 1;
    }
    for (i = 0; i < t->nids; i++) {
        free(s->id[i]);
        if ((s->id[i] = malloc(strlen(t->ids[i]) + 1)) == NULL)
            exit(1);
        rp_new_id(t->ids[i], rp_next_id++, s->id[i]);
    }
}

/* rp_stamp - the stamp of kind ts for time t (UTC) into out, in the
 * shape of the old one (RFC 3164 day padding); its length */
static size_t
rp_stamp(int ts, const char *old, time_t t, char *out)
{
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May",
        "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;

    gmtime_r(&t, &tm);
    switch (ts) {
    case RP_TS_3164:
        return (size_t) sprintf(out, old[4] == '0' ? "%s %02d %02d:%02d:%02d"
                                : "%s %2d %02d:%02d:%02d", mon[tm.tm_mon],
                                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    default:
        return (size_t) sprintf(out, "%04d-%02d-%02d%c%02d:%02d:%02d",
                                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                ts == RP_TS_EXIM ? ' ' : 'T', tm.tm_hour,
                                tm.tm_min, tm.tm_sec);
    }
}

/* rp_emit - the next line of stream s at time t; bytes written */
static size_t
rp_emit(struct rp_stream *s, time_t t)
{
    const struct rp_line *l = &s->t->lines[s->at++];
    char    num[24];
    size_t  at = 0;
    size_t  n = 0;
    int     i;

    if (l->ts != RP_TS_NONE) {
        char    st[40];
        size_t  k = rp_stamp(l->ts, l->text, t, st);

        fwrite(st, 1, k, stdout);
        n += k;
        at = l->ts == RP_TS_3164 ? 15 : 19;
    }
    for (i = 0; i < l->nedit; i++) {
        const struct rp_edit *e = &l->edit[i];
        const char *rep;
        size_t  rlen;

        if (e->off < at)
            continue;
        fwrite(l->text + at, 1, e->off - at, stdout);
        n += e->off - at;
        if (e->kind == RP_E_PID) {
            rlen = (size_t) sprintf(num, "%lu", s->pid[e->idx]);
            rep = num;
        } else {
            rep = s->id[e->idx];
            rlen = strlen(rep);
        }
        fwrite(rep, 1, rlen, stdout);
        n += rlen;
        at = e->off + e->len;
    }
    fwrite(l->text + at, 1, l->len - at, stdout);
    putchar('\n');
    return n + l->len - at + 1;
}

int
main(int argc, char **argv)
{
    uint64_t bytes = 100ULL << 20;
    uint64_t seed = 1;
    uint64_t written = 0;
    uint64_t lines = 0;
    int     k = 16, rate = 20, year = 2024;
    int     i, ntmpl;
    size_t  next_tmpl = 0;
    struct rp_tmpl *tmpl;
    struct rp_stream *st;
    static char buf[1 << 16];
    struct tm tm0;
    time_t  t0;

    for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "-s") == 0)
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "-b") == 0)
            bytes = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "-k") == 0)
            k = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-r") == 0)
            rate = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-y") == 0)
            year = atoi(argv[i + 1]);
        else
            break;
    }
    if (i >= argc || k < 1 || k > RP_MAX_STREAMS || rate < 1
        || argv[i][0] == '-') {
        fprintf(stderr, "usage: replay [-s SEED] [-b BYTES] [-k STREAMS] "
                "[-r RATE] [-y YEAR] TEMPLATE...\n");
        return 2;
    }
    ntmpl = argc - i;
    tmpl = calloc((size_t) ntmpl, sizeof(*tmpl));
    st = calloc((size_t) k, sizeof(*st));
    if (tmpl == NULL || st == NULL)
        return 1;
    for (int j = 0; j < ntmpl; j++)
        rp_load(&tmpl[j], argv[i + j]);
    rp_state ^= seed * 0x9E3779B97F4A7C15ULL;
    memset(&tm0, 0, sizeof(tm0));
    tm0.tm_year = year - 1900;
    tm0.tm_mon = 10;
    tm0.tm_mday = 1;
    t0 = timegm(&tm0);
    setvbuf(stdout, buf, _IOFBF, sizeof(buf));
    for (i = 0; i < k; i++)
        rp_start(&st[i], &tmpl[next_tmpl++ % (size_t) ntmpl]);
    while (written < bytes) {
        struct rp_stream *s = &st[rp_rand() % (uint64_t) k];

        written += rp_emit(s, t0 + (time_t) (lines / (uint64_t) rate));
        lines++;
        if (s->at == s->t->nlines)
            rp_start(s, &tmpl[next_tmpl++ % (size_t) ntmpl]);
    }
    fflush(stdout);
    fprintf(stderr, "# lines %llu, copies %llu\n", (unsigned long long) lines,
            (unsigned long long) (next_tmpl - (size_t) k));
    return ferror(stdout) ? 1 : 0;
}
