/* emit/delivery/spool.h - crash-safe spool of report deliveries
 *
 * A job is one (report, destination) pair. It lives in exactly one of
 * four state directories under STATE_DIR/spool and moves between them
 * by rename(2), maildir style:
 *
 *   pending/ID   waiting for its next attempt (due at "next")
 *   active/ID    an attempt is under way; found at open, the attempt
 *                was interrupted and the job goes back to pending, due
 *                at once (at least once: see docs/delivery.md)
 *   done/ID      a destination accepted the report
 *   failed/ID    given up: retried until the expiry without success
 *
 * bodies/HASH holds each report's bytes once (content-addressed) for as
 * long as a pending or active job needs them; tmp/ holds files being
 * written; "lock" is flock(2)ed by whoever changes the spool. A new job
 * is written to tmp/, fsync'd and renamed into pending/. A state change
 * is one rename(2) from one state directory to the other (both fsync'd),
 * after which the job's new content (attempts, outcome) is written to
 * tmp/ and renamed over it. Should the same ID ever be in two
 * directories, spool_open() keeps one: done > failed > active > pending.
 *
 * ID = first 128 bits of SHA-256(report file name, "\n", destination),
 * in hex: enqueueing the same report for the same destination again,
 * in whatever state the first job is, adds nothing. Records of done and
 * failed jobs are kept SPOOL_KEEP_DAYS days; reports whose date range
 * ended longer ago than SPOOL_MAX_AGE_DAYS are not enqueued, so a
 * report is never sent twice because its record was purged.
 *
 * Thread safety: a struct spool belongs to one thread. Processes are
 * serialised by the lock (spool_open() takes it; spool_open_ro() does
 * not and only reads).
 */
#ifndef EMIT_SPOOL_H
#define EMIT_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "../../util/dname.h"

#define SPOOL_MAX_REPORT (10UL << 20)   /* report file as sent, bytes */
#define SPOOL_MAX_JSON (20UL << 20)     /* JSON after gunzip, bytes */
#define SPOOL_MAX_DEST 512      /* destination URI, bytes */
#define SPOOL_MAX_DESTS 8       /* destinations per report */
#define SPOOL_MAX_NAME 255      /* report file name, bytes */
#define SPOOL_MAX_RID 255       /* report-id, bytes */
#define SPOOL_MAX_STATUS 400    /* last outcome text, bytes */
#define SPOOL_ID_LEN 32         /* hex digits of a job or body id */
#define SPOOL_KEEP_DAYS 35
#define SPOOL_MAX_AGE_DAYS 30
#define SPOOL_RETRY_DEFAULT (48 * 3600L)        /* retry window, seconds */
#define SPOOL_BACKOFF_BASE 300L /* after the first failure, seconds */
#define SPOOL_BACKOFF_MAX (6 * 3600L)

enum spool_state {
    SPOOL_PENDING = 0,
    SPOOL_ACTIVE,
    SPOOL_DONE,
    SPOOL_FAILED,
    SPOOL_NSTATES
};

struct spool_job {
    int     state;              /* enum spool_state */
    char    id[SPOOL_ID_LEN + 1];
    char    body[SPOOL_ID_LEN + 1];     /* bodies/BODY */
    char    report[SPOOL_MAX_NAME + 1]; /* RFC 8460 section 5.1 name */
    char    dest[SPOOL_MAX_DEST + 1];   /* https:... or mailto:... */
    char    domain[DNAME_MAX + 1];      /* policy domain */
    char    submitter[DNAME_MAX + 1];   /* domain of contact-info */
    char    report_id[SPOOL_MAX_RID + 1];
    int64_t created;            /* enqueued, epoch seconds */
    int64_t first;              /* first attempt, 0: none yet */
    int64_t next;               /* next attempt due */
    int64_t finished;           /* done or failed, 0: not yet */
    unsigned attempts;
    char    status[SPOOL_MAX_STATUS + 1];       /* last outcome */
};

struct spool;                   /* opaque */

/* open STATE_DIR/spool (created if missing), take the lock (wait: block;
 * else give up at once when another process holds it, *busy = 1) and
 * settle what a crash left behind. NULL with err[cap] on failure */
struct spool *spool_open(const char *state_dir, int wait, int *busy,
                         char *err, size_t cap);

/* open for reading only: no lock, no repair; NULL with err */
struct spool *spool_open_ro(const char *state_dir, char *err, size_t cap);

/* release the lock and memory; always NULL */
struct spool *spool_close(struct spool *sp);

/* enqueue the report file at path (name as RFC 8460 section 5.1, .json
 * or .json.gz, at most SPOOL_MAX_REPORT bytes) for each destination;
 * the report-id, policy domain and contact-info domain are read from its
 * JSON. Returns the number of new jobs (0: all were there already), or
 * -1 with err (nothing half-written; jobs enqueued before the failure
 * stay). A destination whose syntax is refused is skipped with a
 * warning and not counted. */
int     spool_enqueue_file(struct spool *sp, const char *path,
                           const char *const *dests, size_t ndests,
                           int64_t now, char *err, size_t cap);

/* the same for a report in memory, name being its file name */
int     spool_enqueue(struct spool *sp, const char *name, const void *data,
                      size_t len, const char *const *dests, size_t ndests,
                      int64_t now, char *err, size_t cap);

/* every job (all states, sorted by state, report, destination) into a
 * malloc'd array; *bad counts job files that could not be read. 0/-1 */
int     spool_list(struct spool *sp, struct spool_job **jobs, size_t *n,
                   size_t *bad);

/* pending -> active: attempts + 1, first attempt set; 0 or -1 (err).
 * The job's pending file must still be there (else -1, ENOENT) */
int     spool_claim(struct spool *sp, struct spool_job *j, int64_t now,
                    char *err, size_t cap);

/* active -> done (ok), or -> pending with backoff, or -> failed when
 * now - first >= retry_for; status is the outcome, kept with the job.
 * 0 or -1 with err (the job then stays active: settled at next open) */
int     spool_finish(struct spool *sp, struct spool_job *j, int ok,
                     const char *status, int64_t now, long retry_for,
                     char *err, size_t cap);

/* the report bytes of a job (malloc'd) or NULL with err */
char   *spool_body(struct spool *sp, const struct spool_job *j,
                   size_t *len, char *err, size_t cap);

/* remove bodies no pending or active job needs, and done/failed records
 * older than SPOOL_KEEP_DAYS; returns files removed */
size_t  spool_gc(struct spool *sp, int64_t now);

/* seconds to wait after the n-th failed attempt (n >= 1) */
long    spool_backoff(unsigned n);

/* "YYYY-MM-DD HH:MM:SS" (UTC) */
void    spool_stamp(int64_t t, char *buf, size_t cap);

/* "pending", "active", "done", "failed" */
const char *spool_state_name(int state);

/* 1 when name is an RFC 8460 report file name this spool accepts;
 * fills domain (policy domain from the name) and end (end timestamp) */
int     spool_name_ok(const char *name, char *domain, int64_t *end);

/*
 * Test hook: when set, called at every point where a crash would leave
 * the spool between two steps, with the point's name. Never set in
 * normal operation (cli/cmd_send.c sets it only when the environment
 * variable MAILTLSRPT_TEST_CRASH is present; docs/delivery.md).
 */
extern void (*spool_crash_hook) (const char *point);

/* call the test hook, if any (also used by the delivery loop) */
void    spool_point(const char *point);

#endif
