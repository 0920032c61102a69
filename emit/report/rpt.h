/* emit/report/rpt.h - RFC 8460 report JSON, file names and atomic output
 *
 * rpt_json() builds the report for one (policy domain, UTC day) from one
 * or more policy entries, with jansson. Output is deterministic: the
 * same input gives the same bytes (members in template order, compact,
 * failure details in the order given, which agg_view sorts), and the
 * report-id depends only on (day, domain, submitter, unique id), so a
 * rebuilt report keeps its id and receivers can drop the duplicate.
 * Thread safety: no shared state.
 */
#ifndef EMIT_RPT_H
#define EMIT_RPT_H

#include <stddef.h>
#include <stdint.h>

#include "../../aggregate/agg_tab.h"

struct rpt_conf {
    const char *org_name;       /* organization-name */
    const char *contact;        /* contact-info: an addr-spec */
    const char *submitter;      /* submitter domain (file name, mail) */
    const char *unique_id;      /* letters and digits; file name, id */
    /* sending-mta-ip for a log host name ("": lines without one) and
     * the detail's receiving-ip ("" when unknown: its family may
     * decide), or NULL when unknown (the field is then left out) */
    const char *(*sending_ip) (const char *loghost, const char *rcv_ip,
                               const void *ctx);
    const void *sending_ip_ctx;
};

/* one element of "policies" */
struct rpt_policy {
    const struct agg_group *group;      /* counters and failure details */
    const char *policy_domain;  /* NULL: group->domain */
    const char *const *policy_strings;  /* NULL/0: omitted */
    size_t  npolicy_strings;
    const char *const *mx_hosts;        /* sts only; NULL/0: omitted */
    size_t  nmx_hosts;
};

/* report-id "YYYYMMDD.UNIQUE.DOMAIN@SUBMITTER" into buf; 0, or -1 (and
 * buf "") if too long or invalid: domain and submitter must be canonical
 * (dname_valid), unique_id 1..32 letters/digits, 0 <= day <= 9999-12-31 */
int     rpt_report_id(const struct rpt_conf *c, int32_t day,
                      const char *domain, char *buf, size_t cap);

/* RFC 8460 section 5.1 file name
 * "SUBMITTER!DOMAIN!BEGIN!END!UNIQUE.json[.gz]", BEGIN = day * 86400,
 * END = BEGIN + 86399; gz selects .json.gz; 0, or -1 as rpt_report_id */
int     rpt_file_name(const struct rpt_conf *c, int32_t day,
                      const char *domain, int gz, char *buf, size_t cap);

/* the JSON text (malloc'd, NUL-terminated, no trailing newline) or NULL
 * (reason given with msg_warn): NULL also when org_name is empty, contact
 * is not a dot-atom addr-spec, a group's day is not day, a policy domain
 * is not canonical or a detail's result is not a registered failure.
 * Counts above 4294967295 are clamped (receivers use u32); details with
 * count 0 are skipped; IPs that do not parse are omitted, the others
 * written in RFC 5952 form */
char   *rpt_json(const struct rpt_conf *c, int32_t day, const char *domain,
                 const struct rpt_policy *pols, size_t npols);

/* write data to dir/name atomically (temp file, fsync, rename, fsync
 * dir), gzip-compressed when gz; 0 or -1 with errno-style message
 * already reported through msg_warn. name must not contain '/' or start
 * with '.'; on failure an existing dir/name is left untouched (except
 * when only the final directory fsync fails: the new file is in place) */
int     rpt_write(const char *dir, const char *name, const char *data,
                  size_t len, int gz);

/*
 * Batches: many reports into one directory with one flush instead of
 * one fsync per file. rpt_batch_add_mt() writes a report's temporary
 * file (no fsync) from any thread; rpt_batch_commit() flushes them all
 * (syncfs(2); on its failure each file is fsync'd), renames each over
 * its final name and fsyncs the directory once. A crash never leaves a
 * final name on data that was not on disk first: before the flush there
 * are temporary files only (hidden, ".NAME.tmp.PID"), after it complete
 * reports.
 */
struct rpt_batch;

/* told after a commit, for each file (dir/name, and the tag it was
 * added with), whether its report is in place */
typedef void (*rpt_batch_done_fn) (void *ctx, const char *dir,
                                   const char *name, const void *tag,
                                   int ok);

/* a batch writing into dir (which must exist); NULL, warned, when it
 * cannot be opened. Also makes rpt_json() safe to call from threads */
struct rpt_batch *rpt_batch_open(const char *dir);

/* data (gzipped if gz) into a temporary file for name (rules as
 * rpt_write); tag is handed back to done; 0, or -1 (warned; nothing
 * left behind). Safe from many threads */
int     rpt_batch_add_mt(struct rpt_batch *b, const char *name,
                         const char *data, size_t len, int gz,
                         const void *tag);

/* data gzipped into a malloc'd buffer *out of *outlen bytes, the bytes
 * rpt_batch_add_mt(..., gz = 1, ...) would write (so that threads can
 * compress while one writes: add them with gz = 0); 0, or -1 (warned).
 * Safe from many threads */
int     rpt_batch_gzip_mt(struct rpt_batch *b, const char *data,
                          size_t len, unsigned char **out, size_t *outlen);

/* files added since the last commit */
size_t  rpt_batch_count(const struct rpt_batch *b);

/* flush, rename, fsync the directory (one thread, no add running); done
 * (if not NULL) hears of every file; the batch is empty afterwards.
 * Returns the number of files not in place (each warned about) */
size_t  rpt_batch_commit(struct rpt_batch *b, rpt_batch_done_fn done,
                         void *ctx);

/* close: temporary files never committed are removed; NULL */
struct rpt_batch *rpt_batch_free(struct rpt_batch *b);

/* test hook: when set, called at every point where a crash leaves a
 * batch between two steps ("report:temp", "report:flushed",
 * "report:renamed"), from the thread that reached it */
extern void (*rpt_crash_hook) (const char *point);

#endif
