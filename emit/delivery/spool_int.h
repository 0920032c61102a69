/* emit/delivery/spool_int.h - what spool.c and spool_enq.c share; not an API
 *
 * The spool's descriptors and the job-file helpers. Only emit/spool*.c
 * include this file.
 */
#ifndef EMIT_SPOOL_INT_H
#define EMIT_SPOOL_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spool.h"

#define SPOOL_JOB_MAX 4096      /* bytes of one job file */

struct spool {
    char   *root;               /* STATE_DIR/spool */
    int     rootfd;
    int     lockfd;             /* flock'd, or -1 (read-only) */
    int     dfd[SPOOL_NSTATES]; /* pending, active, done, failed */
    int     tmpfd;
    int     bodyfd;
    int     ro;                 /* opened by spool_open_ro() */
};

/* "what: strerror(e)" into err */
void    spool_err(char *err, size_t cap, const char *what, int e);

/* 1 when s is SPOOL_ID_LEN lower-case hex digits */
int     spool_hex_ok(const char *s);

/* 1 when s is printable ASCII (0x20..0x7e) */
int     spool_text_ok(const char *s);

/* 1 when s is a report-id we put into Subject and Message-ID:
 * dot-atom-text "@" dot-atom-text, at most SPOOL_MAX_RID bytes */
int     spool_rid_ok(const char *s);

/* sorted hex names in a directory; count, or -1 with errno */
ssize_t spool_names(int dfd, char (**ids)[SPOOL_ID_LEN + 1]);

/* 1 when ID is in any state directory */
int     spool_exists(struct spool *sp, const char *id);

/* read state/ID; 0, or -1 (errno ENOENT: not there; EINVAL: bad) */
int     spool_read_job(struct spool *sp, int state, const char *id,
                       struct spool_job *j);

/* job text into a synced temporary file in tmp/, its name in tmp */
int     spool_write_tmp(struct spool *sp, const struct spool_job *j,
                        char *tmp, size_t cap);

/* status text, printable ASCII only, at most SPOOL_MAX_STATUS bytes */
void    spool_set_status(struct spool_job *j, const char *text);


#endif
