/* emit/delivery/spool.c - crash-safe spool of report deliveries: states, repair
 *
 * NAME
 *      spool - jobs in state directories, moved by rename(2)
 * SYNOPSIS
 *      #include "emit/delivery/spool.h"
 * DESCRIPTION
 *      The layout and the rules are in spool.h and docs/delivery.md.
 *      This file opens and repairs the spool, reads and writes job
 *      files, and moves jobs between states; spool_enq.c adds jobs.
 *
 *      A job file is text, one "key value" line each, at most
 *      SPOOL_JOB_MAX bytes; every field is checked when read, so a file
 *      changed by hand cannot put a bad address or name into a request.
 *
 *      A state change renames the job file from one state directory
 *      to the other first, so the state is right the moment rename(2)
 *      returns, and only then writes the new content (tmp/, fsync,
 *      rename over). If the content cannot be written (disk full), the
 *      state is still right, only the outcome text is stale.
 * DIAGNOSTICS
 *      Functions that change the spool return -1 with the reason in err;
 *      spool_open() repairs and says what it did with msg_info().
 */
#include "spool.h"
#include "spool_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../util/afile.h"
#include "../../util/msg.h"
#include "../../util/mymalloc.h"

void    (*spool_crash_hook) (const char *point);

static const char *const spool_dirs[SPOOL_NSTATES] = {
    "pending", "active", "done", "failed",
};

/* spool_point - call the test hook */
void
spool_point(const char *point)
{
    if (spool_crash_hook)
        spool_crash_hook(point);
}

/* spool_state_name - text of a state */
const char *
spool_state_name(int state)
{
    return state >= 0 && state < SPOOL_NSTATES ? spool_dirs[state] : "?";
}

/* spool_backoff - seconds after the n-th failure: 5 min doubling, 6 h max */
long
spool_backoff(unsigned n)
{
    long    d = SPOOL_BACKOFF_BASE;

    while (n > 1 && d < SPOOL_BACKOFF_MAX) {
        d *= 2;
        n--;
    }
    return d > SPOOL_BACKOFF_MAX ? SPOOL_BACKOFF_MAX : d;
}

/* spool_err - format an error with errno text */
void
spool_err(char *err, size_t cap, const char *what, int e)
{
    snprintf(err, cap, "%s: %s", what, strerror(e));
}

/* spool_mkdirat - create dfd/name if missing; 0 or -1 */
static int
spool_mkdirat(int dfd, const char *name, mode_t mode)
{
    if (mkdirat(dfd, name, mode) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* spool_opendir - open dfd/name as a directory; fd or -1 */
static int
spool_opendir(int dfd, const char *name)
{
    return openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC
                  | O_NOFOLLOW);
}

/* spool_hex_ok - 1 when s is exactly SPOOL_ID_LEN lower-case hex digits */
int
spool_hex_ok(const char *s)
{
    size_t  i;

    for (i = 0; i < SPOOL_ID_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[i] == 0;
}

/* spool_names - sorted ids (hex names) in a directory; count or -1 */
ssize_t
spool_names(int dfd, char (**ids)[SPOOL_ID_LEN + 1])
{
    DIR    *d;
    struct dirent *e;
    size_t  n = 0, cap = 16;
    int     fd;

    *ids = NULL;
    if ((fd = dup(dfd)) < 0)
        return -1;
    if ((d = fdopendir(fd)) == NULL) {
        close(fd);
        return -1;
    }
    rewinddir(d);
    *ids = xmalloc(cap * sizeof(**ids));
    while ((e = readdir(d)) != NULL) {
        if (!spool_hex_ok(e->d_name))
            continue;
        if (n == cap) {
            cap *= 2;
            *ids = xrealloc(*ids, cap * sizeof(**ids));
        }
        memcpy((*ids)[n++], e->d_name, SPOOL_ID_LEN + 1);
    }
    closedir(d);
    qsort(*ids, n, sizeof(**ids),
          (int (*)(const void *, const void *)) strcmp);
    return (ssize_t) n;
}

/* spool_has - 1 when a sorted id list holds id */
static int
spool_has(char (*ids)[SPOOL_ID_LEN + 1], size_t n, const char *id)
{
    return n > 0 && bsearch(id, ids, n, sizeof(*ids),
                   (int (*)(const void *, const void *)) strcmp) != NULL;
}

/* spool_exists - 1 when ID is in any state directory */
int
spool_exists(struct spool *sp, const char *id)
{
    struct stat st;
    int     s;

    for (s = 0; s < SPOOL_NSTATES; s++)
        if (fstatat(sp->dfd[s], id, &st, AT_SYMLINK_NOFOLLOW) == 0)
            return 1;
    return 0;
}

/* spool_open_dirs - open root and its directories (create: make them) */
static struct spool *
spool_open_dirs(const char *state_dir, int create, char *err, size_t cap)
{
    struct spool *sp;
    char    path[4096];
    int     s;

    if (state_dir == NULL || *state_dir == 0
        || strlen(state_dir) > sizeof(path) - 16) {
        snprintf(err, cap, "no usable state directory");
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/spool", state_dir);
    if (create && ((mkdir(state_dir, 0750) != 0 && errno != EEXIST)
                   || (mkdir(path, 0700) != 0 && errno != EEXIST))) {
        spool_err(err, cap, path, errno);
        return NULL;
    }
    sp = xcalloc(1, sizeof(*sp));
    sp->lockfd = sp->tmpfd = sp->bodyfd = -1;
    for (s = 0; s < SPOOL_NSTATES; s++)
        sp->dfd[s] = -1;
    sp->root = xstrdup(path);
    if ((sp->rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        goto fail;
    for (s = 0; s < SPOOL_NSTATES; s++) {
        if ((create && spool_mkdirat(sp->rootfd, spool_dirs[s], 0700) != 0)
            || (sp->dfd[s] = spool_opendir(sp->rootfd, spool_dirs[s])) < 0)
            goto fail;
    }
    if ((create && (spool_mkdirat(sp->rootfd, "tmp", 0700) != 0
                    || spool_mkdirat(sp->rootfd, "bodies", 0700) != 0))
        || (sp->tmpfd = spool_opendir(sp->rootfd, "tmp")) < 0
        || (sp->bodyfd = spool_opendir(sp->rootfd, "bodies")) < 0)
        goto fail;
    return sp;

fail:
    spool_err(err, cap, path, errno);
    spool_close(sp);
    return NULL;
}

/* spool_close - release lock and descriptors; NULL */
struct spool *
spool_close(struct spool *sp)
{
    int     s;

    if (sp == NULL)
        return NULL;
    for (s = 0; s < SPOOL_NSTATES; s++)
        if (sp->dfd[s] >= 0)
            close(sp->dfd[s]);
    if (sp->tmpfd >= 0)
        close(sp->tmpfd);
    if (sp->bodyfd >= 0)
        close(sp->bodyfd);
    if (sp->rootfd >= 0)
        close(sp->rootfd);
    if (sp->lockfd >= 0)
        close(sp->lockfd);              /* releases the flock */
    xfree(sp->root);
    xfree(sp);
    return NULL;
}

/* spool_open_ro - read-only view, no lock */
struct spool *
spool_open_ro(const char *state_dir, char *err, size_t cap)
{
    struct spool *sp = spool_open_dirs(state_dir, 0, err, cap);

    if (sp)
        sp->ro = 1;
    return sp;
}

/* ------------------------------------------------------------ job files */

/* spool_job_text - serialise a job; bytes written (< cap) */
static size_t
spool_job_text(const struct spool_job *j, char *buf, size_t cap)
{
    int     n = snprintf(buf, cap,
                         "mailtlsrpt-job 1\nid %s\nreport %s\nbody %s\n"
                         "dest %s\ndomain %s\nsubmitter %s\nreport-id %s\n"
                         "created %" PRId64 "\nfirst %" PRId64 "\n"
                         "attempts %u\nnext %" PRId64 "\nfinished %" PRId64
                         "\nstatus %s\n",
                         j->id, j->report, j->body, j->dest, j->domain,
                         j->submitter, j->report_id, j->created, j->first,
                         j->attempts, j->next, j->finished, j->status);

    return n < 0 || (size_t) n >= cap ? 0 : (size_t) n;
}

/* spool_num - a decimal field; 0 or -1 */
static int
spool_num(const char *v, int64_t *out)
{
    char   *end;
    long long x;

    errno = 0;
    x = strtoll(v, &end, 10);
    if (*v == 0 || *end || errno || x < 0)
        return -1;
    *out = (int64_t) x;
    return 0;
}

/* spool_copy - a text field into a bounded buffer; 0 or -1 */
static int
spool_copy(char *dst, size_t cap, const char *v)
{
    size_t  n = strlen(v);

    if (n >= cap)
        return -1;
    memcpy(dst, v, n + 1);
    return 0;
}

/* spool_parse_job - fill j from file text; 0 or -1 when anything fails */
static int
spool_parse_job(char *text, const char *id, struct spool_job *j)
{
    char   *line, *next, *v;
    int64_t x;
    int     rc = 0;

    memset(j, 0, sizeof(*j));
    if (strncmp(text, "mailtlsrpt-job 1\n", 17) != 0)
        return -1;
    for (line = text + 17; *line && rc == 0; line = next) {
        if ((next = strchr(line, '\n')) == NULL)
            return -1;
        *next++ = 0;
        if ((v = strchr(line, ' ')) == NULL)
            return -1;
        *v++ = 0;
        if (strcmp(line, "id") == 0)
            rc = spool_copy(j->id, sizeof(j->id), v);
        else if (strcmp(line, "report") == 0)
            rc = spool_copy(j->report, sizeof(j->report), v);
        else if (strcmp(line, "body") == 0)
            rc = spool_copy(j->body, sizeof(j->body), v);
        else if (strcmp(line, "dest") == 0)
            rc = spool_copy(j->dest, sizeof(j->dest), v);
        else if (strcmp(line, "domain") == 0)
            rc = spool_copy(j->domain, sizeof(j->domain), v);
        else if (strcmp(line, "submitter") == 0)
            rc = spool_copy(j->submitter, sizeof(j->submitter), v);
        else if (strcmp(line, "report-id") == 0)
            rc = spool_copy(j->report_id, sizeof(j->report_id), v);
        else if (strcmp(line, "status") == 0)
            rc = spool_copy(j->status, sizeof(j->status), v);
        else if (strcmp(line, "attempts") == 0)
            rc = spool_num(v, &x) || x > 100000 ? -1
                : (j->attempts = (unsigned) x, 0);
        else if (strcmp(line, "created") == 0)
            rc = spool_num(v, &j->created);
        else if (strcmp(line, "first") == 0)
            rc = spool_num(v, &j->first);
        else if (strcmp(line, "next") == 0)
            rc = spool_num(v, &j->next);
        else if (strcmp(line, "finished") == 0)
            rc = spool_num(v, &j->finished);
        /* unknown keys: written by a newer version; ignored */
    }
    if (rc != 0 || strcmp(j->id, id) != 0 || !spool_hex_ok(j->body)
        || !spool_name_ok(j->report, NULL, NULL)
        || !dname_valid(j->domain) || !dname_valid(j->submitter)
        || !spool_rid_ok(j->report_id) || !spool_text_ok(j->dest)
        || !spool_text_ok(j->status))
        return -1;
    return 0;
}

/* spool_read_job - read state/id into j; 0 or -1 */
int
spool_read_job(struct spool *sp, int state, const char *id,
               struct spool_job *j)
{
    char   *text;
    size_t  len;
    int     rc;

    if (afile_read(sp->dfd[state], id, SPOOL_JOB_MAX, &text, &len) != 0)
        return -1;
    rc = strlen(text) == len ? spool_parse_job(text, id, j) : -1;
    free(text);
    if (rc == 0)
        j->state = state;
    else
        errno = EINVAL;
    return rc;
}

/* spool_write_tmp - job text into a synced temporary file in tmp/ */
int
spool_write_tmp(struct spool *sp, const struct spool_job *j, char *tmp,
                size_t cap)
{
    char    buf[SPOOL_JOB_MAX];
    size_t  n = spool_job_text(j, buf, sizeof(buf));

    if (n == 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return afile_tmp(sp->tmpfd, j->id, buf, n, 0600, tmp, cap);
}

/* spool_move - job j from state `from` to `to`, then its new content;
 * 0 or -1. The rename comes first: the state is right the moment it
 * returns (a delivered job is done before anything else is written).
 * Then the content: tmp, rename over to/ID, fsync. Without room for the
 * content the job keeps its old text (a warning says so). */
static int
spool_move(struct spool *sp, struct spool_job *j, int from, int to,
           const char *pt, char *err, size_t cap)
{
    char    tmp[AFILE_TMP_MAX];
    char    what[64];

    if (renameat(sp->dfd[from], j->id, sp->dfd[to], j->id) != 0) {
        spool_err(err, cap, "move job", errno);
        return -1;
    }
    j->state = to;
    if (afile_sync_dir(sp->dfd[to]) != 0 || afile_sync_dir(sp->dfd[from])) {
        spool_err(err, cap, "fsync spool directory", errno);
        return -1;
    }
    snprintf(what, sizeof(what), "%s:moved", pt);
    spool_point(what);
    if (spool_write_tmp(sp, j, tmp, sizeof(tmp)) != 0) {
        msg_warn("spool: job %s is %s, but its outcome was not recorded "
                 "(%s)", j->id, spool_state_name(to), strerror(errno));
        return 0;
    }
    snprintf(what, sizeof(what), "%s:tmp", pt);
    spool_point(what);
    if (renameat(sp->tmpfd, tmp, sp->dfd[to], j->id) != 0) {
        msg_warn("spool: job %s is %s, but its outcome was not recorded "
                 "(%s)", j->id, spool_state_name(to), strerror(errno));
        unlinkat(sp->tmpfd, tmp, 0);
        return 0;
    }
    afile_sync_dir(sp->dfd[to]);
    snprintf(what, sizeof(what), "%s:done", pt);
    spool_point(what);
    return 0;
}

/* spool_stamp - "YYYY-MM-DD HH:MM:SS" UTC */
void
spool_stamp(int64_t t, char *buf, size_t cap)
{
    time_t  tt = (time_t) t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL
        || strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(buf, cap, "%" PRId64, t);
}

/* spool_set_status - copy text, printable ASCII only, bounded */
void
spool_set_status(struct spool_job *j, const char *text)
{
    size_t  i, o = 0;

    for (i = 0; text[i] && o < SPOOL_MAX_STATUS; i++) {
        unsigned char c = (unsigned char) text[i];

        j->status[o++] = c >= 0x20 && c < 0x7f ? (char) c : '?';
    }
    j->status[o] = 0;
}

/* spool_claim - pending -> active, one more attempt */
int
spool_claim(struct spool *sp, struct spool_job *j, int64_t now, char *err,
            size_t cap)
{
    struct spool_job cur;
    char    ts[32], buf[64];

    if (sp->ro || spool_read_job(sp, SPOOL_PENDING, j->id, &cur) != 0) {
        spool_err(err, cap, "claim job", sp->ro ? EROFS : errno);
        return -1;
    }
    *j = cur;
    j->attempts++;
    if (j->first == 0)
        j->first = now;
    spool_stamp(now, ts, sizeof(ts));
    snprintf(buf, sizeof(buf), "attempt %u started %s", j->attempts, ts);
    spool_set_status(j, buf);
    return spool_move(sp, j, SPOOL_PENDING, SPOOL_ACTIVE, "claim", err, cap);
}

/* spool_finish - active -> done, pending (backoff) or failed (expired) */
int
spool_finish(struct spool *sp, struct spool_job *j, int ok,
             const char *status, int64_t now, long retry_for, char *err,
             size_t cap)
{
    char    buf[SPOOL_MAX_STATUS + 64];
    int     to;

    if (ok) {
        to = SPOOL_DONE;
        j->finished = now;
        spool_set_status(j, status);
    } else if (now - j->first >= retry_for) {
        to = SPOOL_FAILED;
        j->finished = now;
        snprintf(buf, sizeof(buf), "expired after %u attempts: %s",
                 j->attempts, status);
        spool_set_status(j, buf);
    } else {
        to = SPOOL_PENDING;
        j->next = now + spool_backoff(j->attempts);
        spool_set_status(j, status);
    }
    return spool_move(sp, j, SPOOL_ACTIVE, to, "finish", err, cap);
}

/* spool_repair - settle duplicates and interrupted attempts (locked) */
static int
spool_repair(struct spool *sp, int64_t now, char *err, size_t cap)
{
    char    (*ids[SPOOL_NSTATES])[SPOOL_ID_LEN + 1];
    ssize_t n[SPOOL_NSTATES];
    char    tmp[AFILE_TMP_MAX];
    struct spool_job j;
    ssize_t i;
    int     s, t, rc = -1;
    DIR    *d;
    struct dirent *e;
    int     fd;

    memset(ids, 0, sizeof(ids));
    for (s = 0; s < SPOOL_NSTATES; s++)
        if ((n[s] = spool_names(sp->dfd[s], &ids[s])) < 0) {
            spool_err(err, cap, "read spool directory", errno);
            goto end;
        }
    /* precedence done > failed > active > pending: drop lower copies */
    for (s = SPOOL_PENDING; s <= SPOOL_FAILED; s++)
        for (i = 0; i < n[s]; i++)
            for (t = s + 1; t < SPOOL_NSTATES; t++)
                if (spool_has(ids[t], (size_t) n[t], ids[s][i])) {
                    unlinkat(sp->dfd[s], ids[s][i], 0);
                    ids[s][i][0] = 0;
                    break;
                }
    for (i = 0; i < n[SPOOL_ACTIVE]; i++) {
        if (ids[SPOOL_ACTIVE][i][0] == 0)
            continue;
        if (spool_read_job(sp, SPOOL_ACTIVE, ids[SPOOL_ACTIVE][i], &j) != 0) {
            msg_warn("spool: active/%s unreadable; left alone",
                     ids[SPOOL_ACTIVE][i]);
            continue;
        }
        msg_info("spool: job %s (%s to %s): attempt %u was interrupted, "
                 "outcome unknown; it will be sent again", j.id, j.report,
                 j.dest, j.attempts);
        snprintf(tmp, sizeof(tmp), "attempt %u interrupted (outcome "
                 "unknown); sending again", j.attempts);
        spool_set_status(&j, tmp);
        j.next = now;
        if (spool_move(sp, &j, SPOOL_ACTIVE, SPOOL_PENDING, "repair", err,
                       cap) != 0)
            goto end;
    }
    /* we hold the lock: any temporary file is a dead writer's */
    if ((fd = dup(sp->tmpfd)) >= 0 && (d = fdopendir(fd)) != NULL) {
        while ((e = readdir(d)) != NULL)
            if (e->d_name[0] == '.' && strcmp(e->d_name, ".")
                && strcmp(e->d_name, ".."))
                unlinkat(sp->tmpfd, e->d_name, 0);
        closedir(d);
    } else if (fd >= 0) {
        close(fd);
    }
    rc = 0;
end:
    for (s = 0; s < SPOOL_NSTATES; s++)
        xfree(ids[s]);
    return rc;
}

/* spool_open - lock, repair */
struct spool *
spool_open(const char *state_dir, int wait, int *busy, char *err,
           size_t cap)
{
    struct spool *sp;

    if (busy)
        *busy = 0;
    if ((sp = spool_open_dirs(state_dir, 1, err, cap)) == NULL)
        return NULL;
    if ((sp->lockfd = openat(sp->rootfd, "lock", O_RDWR | O_CREAT
                             | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
        spool_err(err, cap, "open spool lock", errno);
        return spool_close(sp);
    }
    while (flock(sp->lockfd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
        if (errno == EINTR)
            continue;
        if (errno == EWOULDBLOCK && busy)
            *busy = 1;
        spool_err(err, cap, errno == EWOULDBLOCK ? "spool busy (another "
                  "mailtlsrpt send or run holds the lock)" : "lock spool",
                  errno);
        return spool_close(sp);
    }
    if (spool_repair(sp, (int64_t) time(NULL), err, cap) != 0)
        return spool_close(sp);
    return sp;
}

/* spool_job_cmp - by state, report, destination */
static int
spool_job_cmp(const void *a, const void *b)
{
    const struct spool_job *x = a, *y = b;
    int     c;

    if (x->state != y->state)
        return x->state < y->state ? -1 : 1;
    if ((c = strcmp(x->report, y->report)) != 0)
        return c;
    return strcmp(x->dest, y->dest);
}

/* spool_list - every readable job */
int
spool_list(struct spool *sp, struct spool_job **jobs, size_t *n,
           size_t *bad)
{
    char    (*ids)[SPOOL_ID_LEN + 1];
    ssize_t k, i;
    size_t  cap = 16;
    int     s;

    *n = 0;
    *bad = 0;
    *jobs = xmalloc(cap * sizeof(**jobs));
    for (s = 0; s < SPOOL_NSTATES; s++) {
        if ((k = spool_names(sp->dfd[s], &ids)) < 0) {
            *jobs = xfree(*jobs);
            return -1;
        }
        for (i = 0; i < k; i++) {
            if (*n == cap) {
                cap *= 2;
                *jobs = xrealloc(*jobs, cap * sizeof(**jobs));
            }
            if (spool_read_job(sp, s, ids[i], &(*jobs)[*n]) == 0)
                (*n)++;
            else if (errno != ENOENT)   /* moved while we looked: fine */
                (*bad)++;
        }
        xfree(ids);
    }
    qsort(*jobs, *n, sizeof(**jobs), spool_job_cmp);
    return 0;
}

/* spool_body - read bodies/BODY */
char   *
spool_body(struct spool *sp, const struct spool_job *j, size_t *len,
           char *err, size_t cap)
{
    char   *data;

    if (afile_read(sp->bodyfd, j->body, SPOOL_MAX_REPORT, &data, len) != 0) {
        spool_err(err, cap, "read report body", errno);
        return NULL;
    }
    return data;
}

/* spool_gc - unneeded bodies and old records */
size_t
spool_gc(struct spool *sp, int64_t now)
{
    char    (*ids)[SPOOL_ID_LEN + 1];
    char    (*need)[SPOOL_ID_LEN + 1] = NULL;
    size_t  nneed = 0;
    struct spool_job j;
    ssize_t k, i;
    size_t  removed = 0;
    int     s;

    if (sp->ro)
        return 0;
    for (s = 0; s < SPOOL_NSTATES; s++) {
        if ((k = spool_names(sp->dfd[s], &ids)) < 0)
            return removed;
        for (i = 0; i < k; i++) {
            if (spool_read_job(sp, s, ids[i], &j) != 0) {
                if (s <= SPOOL_ACTIVE) {
                    /* cannot tell which body it needs: keep them all */
                    xfree(ids);
                    xfree(need);
                    return removed;
                }
                continue;
            }
            if (s <= SPOOL_ACTIVE) {
                need = xrealloc(need, (nneed + 1) * sizeof(*need));
                memcpy(need[nneed++], j.body, SPOOL_ID_LEN + 1);
            } else if (j.finished > 0
                       && now - j.finished > SPOOL_KEEP_DAYS * 86400L
                       && unlinkat(sp->dfd[s], ids[i], 0) == 0) {
                removed++;
            }
        }
        xfree(ids);
    }
    if (nneed > 0)
        qsort(need, nneed, sizeof(*need),
              (int (*)(const void *, const void *)) strcmp);
    spool_point("gc");
    if ((k = spool_names(sp->bodyfd, &ids)) >= 0) {
        for (i = 0; i < k; i++)
            if (!spool_has(need, nneed, ids[i])
                && unlinkat(sp->bodyfd, ids[i], 0) == 0)
                removed++;
        xfree(ids);
    }
    xfree(need);
    if (removed)
        afile_sync_dir(sp->bodyfd);
    return removed;
}
