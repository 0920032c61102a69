/* tests/t_tail.c - unit tests for util/tail: every line once, in order,
 * through rotations and restarts at any point between them
 *
 * A writer appends numbered lines to a log (O_APPEND, as syslog daemons
 * write) and rotates it as logrotate does: "create" (the siblings
 * NAME.N renamed up, the log renamed to NAME.1, a new empty log; the
 * writer goes on in the old file until it reopens) and "copytruncate"
 * (the siblings renamed up, the log copied to NAME.1, then truncated).
 * Modification times come from a clock that moves in whole seconds and
 * often stands still, as file times of a busy log do. Between any two
 * steps of the writer the reader reads some lines, or is stopped and
 * started again from its saved position (kill -9 between checkpoints:
 * the position of the last line handed over). Seeded sequences of such
 * steps, many of them; the reader must hand over every line written
 * exactly once, in order, and never say lines are lost (the writer never
 * writes between copy and truncation, the one loss copytruncate has).
 * Single cases name the interleavings that went wrong once.
 */
#include "../util/tail.h"
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define W_MAX_SIB 40

static int trace;               /* T_TAIL_TRACE: say each step */

#define TR(...) do { if (trace) fprintf(stderr, __VA_ARGS__); } while (0)

struct world {
    char    dir[256];
    char    path[300];
    int     wfd;                /* the writer's file */
    int     hup;                /* rotated by create, not reopened yet */
    int     nsib;               /* NAME.1 .. NAME.nsib */
    long    next;               /* number of the next line written */
    time_t  clock;
    uint64_t rnd;
    /* the reader */
    struct tail *t;
    struct tail_pos pos;
    long    want;               /* number of the next line expected */
    long    want_saved;         /* ... at the position saved */
    long    wrong, lost;
    char    first_wrong[200];
};

/* w_rand - xorshift64, n > 0: 0..n-1 */
static unsigned
w_rand(struct world *w, unsigned n)
{
    w->rnd ^= w->rnd << 13;
    w->rnd ^= w->rnd >> 7;
    w->rnd ^= w->rnd << 17;
    return (unsigned) (w->rnd % n);
}

/* w_stamp - the file's modification time is the clock's */
static void
w_stamp(int fd, time_t t)
{
    struct timespec ts[2];

    ts[0].tv_sec = ts[1].tv_sec = t;
    ts[0].tv_nsec = ts[1].tv_nsec = 0;
    (void) futimens(fd, ts);
}

/* w_tick - the clock moves on a second, or not */
static void
w_tick(struct world *w)
{
    if (w_rand(w, 2))
        w->clock++;
}

/* w_sib - NAME.k */
static void
w_sib(const struct world *w, int k, char *out, size_t cap)
{
    snprintf(out, cap, "%s.%d", w->path, k);
}

/* w_write - n lines */
static void
w_write(struct world *w, int n)
{
    char    line[400];
    int     i, len, pad;

    for (i = 0; i < n; i++) {
        pad = (int) w_rand(w, 120);
        len = snprintf(line, sizeof(line), "%08ld mail1 postfix/smtp[%d]: "
                       "%.*s\n", w->next++, 100 + (int) w_rand(w, 900), pad,
                       "to=<a@example.org>, relay=mx.example.org[192.0.2.1]"
                       ":25, delay=0.1, dsn=2.0.0, status=sent (250 ok) "
                       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        if (write(w->wfd, line, (size_t) len) != len)
            abort();
    }
    w_stamp(w->wfd, w->clock);
}

/* w_shift - NAME.k becomes NAME.k+1, oldest first */
static void
w_shift(struct world *w)
{
    char    a[320], b[320];
    int     k;

    for (k = w->nsib; k >= 1; k--) {
        w_sib(w, k, a, sizeof(a));
        w_sib(w, k + 1, b, sizeof(b));
        if (rename(a, b) != 0)
            abort();
    }
    w->nsib++;
}

/* w_reopen - the writer reopens the log (SIGHUP after "create") */
static void
w_reopen(struct world *w)
{
    close(w->wfd);
    if ((w->wfd = open(w->path, O_WRONLY | O_APPEND | O_CREAT, 0644)) < 0)
        abort();
    w->hup = 0;
}

/* w_create - logrotate "create": renames, a new empty log */
static void
w_create(struct world *w)
{
    char    one[320];
    int     fd;

    w_shift(w);
    w_sib(w, 1, one, sizeof(one));
    if (rename(w->path, one) != 0)
        abort();
    if ((fd = open(w->path, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0)
        abort();
    w_stamp(fd, w->clock);
    close(fd);
    w->hup = 1;
}

/* w_copy_begin - logrotate "copytruncate", first part: the siblings
 * renamed up, NAME.1 created and a part of the log copied (cut
 * anywhere, within a line too); the log not truncated yet */
static void
w_copy_begin(struct world *w)
{
    char    one[320], buf[65536];
    int     in, out;
    ssize_t n;
    off_t   size, part;

    w_shift(w);
    w_sib(w, 1, one, sizeof(one));
    if ((in = open(w->path, O_RDONLY)) < 0
        || (out = open(one, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0)
        abort();
    size = lseek(in, 0, SEEK_END);
    part = size > 0 ? (off_t) w_rand(w, (unsigned) size + 1) : 0;
    for (n = 0; n < part;) {
        ssize_t k = pread(in, buf, sizeof(buf) < (size_t) (part - n)
                          ? sizeof(buf) : (size_t) (part - n), n);

        if (k <= 0 || write(out, buf, (size_t) k) != k)
            abort();
        n += k;
    }
    close(out);
    close(in);
}

/* w_copy_end - the rest copied, the log truncated */
static void
w_copy_end(struct world *w)
{
    char    one[320], buf[65536];
    int     in, out;
    ssize_t n;

    w_sib(w, 1, one, sizeof(one));
    if ((in = open(w->path, O_RDONLY)) < 0
        || (out = open(one, O_WRONLY | O_APPEND)) < 0)
        abort();
    if (lseek(in, lseek(out, 0, SEEK_END), SEEK_SET) < 0)
        abort();
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t) n) != n)
            abort();
    w_stamp(out, w->clock);
    close(out);
    close(in);
    if (ftruncate(w->wfd, 0) != 0)
        abort();
    w_stamp(w->wfd, w->clock);
}

/* w_copytruncate - logrotate "copytruncate", at once */
static void
w_copytruncate(struct world *w)
{
    w_copy_begin(w);
    w_copy_end(w);
}

/* r_line, r_lost - the reader's callbacks */
static void
r_line(void *ctx, const char *p, size_t len)
{
    struct world *w = ctx;
    long    n = len >= 8 ? strtol(p, NULL, 10) : -1;

    if (n != w->want) {
        TR("  line %ld where %ld was due\n", n, w->want);
        if (w->wrong++ == 0)
            snprintf(w->first_wrong, sizeof(w->first_wrong), "line %ld "
                     "where %ld was due", n, w->want);
        if (n > w->want)
            w->want = n + 1;    /* skipped some: go on from there */
        return;
    }
    w->want++;
}

static void
r_bad(void *ctx)
{
    ((struct world *) ctx)->wrong++;
}

static void
r_lost(void *ctx, const char *why)
{
    struct world *w = ctx;

    if (w->lost++ == 0 && w->wrong == 0)
        snprintf(w->first_wrong, sizeof(w->first_wrong), "%.190s", why);
}

/* r_moved - with T_TAIL_TRACE, where reading goes on */
static void
r_moved(void *ctx, const char *name, uint64_t ino, uint64_t off,
        int catchup)
{
    (void) ctx;
    TR("  reading %s (inode %llu) from %llu%s\n", strrchr(name, '/') + 1,
       (unsigned long long) ino, (unsigned long long) off,
       catchup ? " (rotated)" : "");
}

/* r_start - the reader starts, from the saved position if any */
static void
r_start(struct world *w, int resume)
{
    struct tail_cb cb = {r_line, r_bad, r_lost, r_moved, w};

    w->t = tail_open(w->path, resume ? &w->pos : NULL, &cb);
    if (w->t == NULL)
        abort();
}

/* r_save - a checkpoint: the position and the lines read up to it */
static void
r_save(struct world *w)
{
    tail_pos(w->t, &w->pos);
    w->want_saved = w->want;
}

/* r_read - what there is to read now */
static void
r_read(struct world *w)
{
    int     i;

    tail_events(w->t);
    for (i = 0; i < 100 && tail_read(w->t, 1 << 20) > 0; i++)
        ;
}

/* r_kill - stopped (kill -9): started again from the last checkpoint,
 * the lines read since then are read again */
static void
r_kill(struct world *w)
{
    w->t = tail_close(w->t);
    w->want = w->want_saved;
    r_start(w, 1);
}

/* w_open - a new world in a new directory, the log empty, the reader
 * started on it */
static void
w_open(struct world *w, uint64_t seed)
{
    const char *tmp = getenv("TMPDIR");

    memset(w, 0, sizeof(*w));
    snprintf(w->dir, sizeof(w->dir), "%s/t_tail.XXXXXX", tmp && *tmp ? tmp
             : "/tmp");
    if (mkdtemp(w->dir) == NULL)
        abort();
    snprintf(w->path, sizeof(w->path), "%s/mail.log", w->dir);
    if ((w->wfd = open(w->path, O_WRONLY | O_APPEND | O_CREAT, 0644)) < 0)
        abort();
    w->rnd = seed * 2654435761u + 88172645463325252ull;
    w->clock = 1700000000;
    w_stamp(w->wfd, w->clock);
    r_start(w, 0);
    r_save(w);
}

/* w_close - every line read? the reader stopped, the directory gone */
static int
w_close(struct world *w, const char *what)
{
    char    p[320];
    int     k, ok;

    if (w->hup)
        w_reopen(w);
    /* a line in the log at the name: the writer is there, every file
     * before it is final (until then lines written to a renamed file
     * are waited for, not lost) */
    w_write(w, 1);
    r_read(w);
    r_read(w);
    ok = w->wrong == 0 && w->lost == 0 && w->want == w->next;
    if (!ok)
        fprintf(stderr, "%s: %ld of %ld lines read, %ld wrong, %ld lost "
                "(%s)\n", what, w->want, w->next, w->wrong, w->lost,
                w->first_wrong);
    w->t = tail_close(w->t);
    close(w->wfd);
    for (k = 1; k <= w->nsib; k++) {
        w_sib(w, k, p, sizeof(p));
        (void) unlink(p);
    }
    (void) unlink(w->path);
    (void) rmdir(w->dir);
    return ok;
}

/* random_run - one seeded sequence of steps */
static int
random_run(uint64_t seed, int steps)
{
    struct world w;
    char    what[64];
    int     s;

    w_open(&w, seed);
    /* a line read and saved first: a position at byte 0 of a file never
     * read tells nothing of what the file held (util/tail.h) */
    w_write(&w, 1);
    r_read(&w);
    r_save(&w);
    for (s = 0; s < steps; s++) {
        unsigned op = w_rand(&w, 20);

        w_tick(&w);
        if (op < 8) {
            w_write(&w, 1 + (int) w_rand(&w, 12));
            TR("t=%ld write, up to %ld\n", (long) w.clock, w.next);
        } else if (op < 12) {
            r_read(&w);
            TR("t=%ld read, up to %ld\n", (long) w.clock, w.want);
            if (w_rand(&w, 2)) {
                r_save(&w);
                TR("  save at %ld\n", w.want);
            }
        } else if (op < 15) {
            r_kill(&w);
            TR("t=%ld kill, from %ld\n", (long) w.clock, w.want);
        } else if (op < 16 && w.hup) {
            w_reopen(&w);
            TR("t=%ld reopen\n", (long) w.clock);
        } else if (op < 18 && w.nsib < W_MAX_SIB) {
            if (w.hup)
                w_reopen(&w);   /* postrotate has run before the next */
            w_create(&w);
            TR("t=%ld create\n", (long) w.clock);
        } else if (op < 20 && w.nsib < W_MAX_SIB) {
            int     k;

            if (w.hup)
                w_reopen(&w);
            /* the reader may look while the copy is being made */
            w_copy_begin(&w);
            TR("t=%ld copytruncate begins\n", (long) w.clock);
            for (k = (int) w_rand(&w, 3); k > 0; k--) {
                if (w_rand(&w, 3) == 0) {
                    r_kill(&w);
                    TR("  kill, from %ld\n", w.want);
                } else {
                    r_read(&w);
                    TR("  read, up to %ld\n", w.want);
                    if (w_rand(&w, 2))
                        r_save(&w);
                }
            }
            w_copy_end(&w);
            TR("t=%ld copytruncate ends\n", (long) w.clock);
        }
    }
    snprintf(what, sizeof(what), "random sequence, seed %llu",
             (unsigned long long) seed);
    return w_close(&w, what);
}

/* case_kill_between_rotations - stopped with its position in the live
 * file, which is then rotated by create and by copytruncate (twice
 * each, in both orders) before the reader starts again */
static int
case_kill_between_rotations(int order)
{
    struct world w;

    w_open(&w, 1);
    w_write(&w, 5);
    r_read(&w);
    r_save(&w);
    w_write(&w, 3);             /* not read before the stop */
    w.t = tail_close(w.t);
    w.clock += 2;
    if (order == 0) {
        w_create(&w);
        w_reopen(&w);
        w_write(&w, 4);
        w.clock += 2;
        w_copytruncate(&w);
    } else {
        w_copytruncate(&w);
        w_write(&w, 4);
        w.clock += 2;
        w_create(&w);
        w_reopen(&w);
    }
    w_write(&w, 2);
    r_start(&w, 1);
    return w_close(&w, order ? "stopped, copytruncate then create"
                   : "stopped, create then copytruncate");
}

/* case_stop_at_switch - stopped right after moving to the new log,
 * before a line of it was whole (its position at byte 0), the log then
 * rotated while the reader is down: by create, by copytruncate */
static int
case_stop_at_switch(int how)
{
    struct world w;

    w_open(&w, 2);
    w_write(&w, 5);
    r_read(&w);
    w.clock++;
    w_create(&w);
    w_reopen(&w);
    if (write(w.wfd, "0000", 4) != 4)   /* a line not finished yet */
        abort();
    r_read(&w);                 /* on the new log, at byte 0 */
    r_save(&w);
    w.t = tail_close(w.t);
    if (ftruncate(w.wfd, 0) != 0)
        abort();
    w_write(&w, 2);
    w.clock++;
    if (how == 0) {
        w_create(&w);
        w_reopen(&w);
    } else {
        w_copytruncate(&w);
    }
    w_write(&w, 3);
    r_start(&w, 1);
    return w_close(&w, how ? "stopped at the switch, copytruncate"
                   : "stopped at the switch, create");
}

int
main(int argc, char **argv)
{
    int     n = argc > 1 ? atoi(argv[1]) : 60;
    int     i, bad = 0;

    trace = getenv("T_TAIL_TRACE") != NULL;
    if (argc > 2) {             /* one seed */
        i = random_run((uint64_t) atoll(argv[2]), 80);
        T_CHECK(i, "seed %s", argv[2]);
        return T_DONE();
    }

    T_CHECK(case_kill_between_rotations(0), "stopped in the live file, "
            "create then copytruncate while down: every line once");
    T_CHECK(case_kill_between_rotations(1), "stopped in the live file, "
            "copytruncate then create while down: every line once");
    T_CHECK(case_stop_at_switch(0), "stopped at byte 0 of a new log, "
            "rotated by create while down: every line once");
    T_CHECK(case_stop_at_switch(1), "stopped at byte 0 of a new log, "
            "rotated by copytruncate while down: every line once");
    for (i = 0; i < n; i++)
        if (!random_run((uint64_t) i + 1, 80))
            bad++;
    T_CHECK(bad == 0, "%d of %d random sequences of writes, rotations both "
            "ways, reads and restarts: a line lost, repeated or out of "
            "order", bad, n);
    return T_DONE();
}
