/* emit/rpt.h - RFC 8460 report JSON, file names and atomic output
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

#include "../aggregate/agg_tab.h"

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

#endif
