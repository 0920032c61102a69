/* emit/report/rpt.c - RFC 8460 report JSON, file names and atomic output
 *
 * NAME
 *      rpt - build, name and write one SMTP TLS report
 * SYNOPSIS
 *      #include "emit/report/rpt.h"
 *
 *      int   rpt_report_id(conf, day, domain, buf, cap)
 *      int   rpt_file_name(conf, day, domain, gz, buf, cap)
 *      char *rpt_json(conf, day, domain, pols, npols)
 *      int   rpt_write(dir, name, data, len, gz)
 *
 *      struct rpt_batch *rpt_batch_open(dir)
 *      int   rpt_batch_add_mt(batch, name, data, len, gz, tag)
 *      int   rpt_batch_gzip_mt(batch, data, len, out, outlen)
 *      size_t rpt_batch_commit(batch, done, ctx)
 *      struct rpt_batch *rpt_batch_free(batch)
 * DESCRIPTION
 *      rpt_json() turns the aggregated counters of one (policy domain, UTC
 *      day) into the RFC 8460 section 4.4 JSON object, built with jansson:
 *      compact, members in template order, failure details in the order
 *      given. It follows the union of what real receivers accept
 *      (RECEIVERS.md section 2): all five top-level members always there,
 *      date-times "YYYY-MM-DDT00:00:00Z" / "...T23:59:59Z", policy-domain
 *      always present, mx-host only for sts and always an array,
 *      "failure-details" omitted when empty (as Google does), unknown
 *      optional fields omitted, never a JSON null.
 *
 *      rpt_report_id() and rpt_file_name() depend only on their inputs, so
 *      a rebuilt or re-sent report keeps its id and file name (RFC 8460
 *      section 5.3: receivers drop duplicates by report-id). Every name
 *      part is validated: domains must be canonical (util/dname.h), the
 *      unique id 1..32 letters and digits. Nothing that could carry '/',
 *      "..", '!' or '@' reaches a file name or an id.
 *
 *      rpt_write() writes a temporary file next to the final one, with
 *      O_CREAT|O_EXCL, optionally gzips it (one member, mtime 0, no file
 *      name: the same input gives the same bytes), fsyncs it, renames it
 *      over the final name and fsyncs the directory. A failed or partial
 *      write never replaces an existing file.
 *
 *      A batch does the same for many files with one flush: every
 *      temporary file written (from any number of threads), then one
 *      syncfs(2), the renames, one fsync of the directory. The cost of a
 *      report is then that of creating a small file, not of a journal
 *      commit.
 * THREADS
 *      No shared state; concurrent calls are safe when they write
 *      different names (the same name also works: the last rename wins).
 *      rpt_batch_add_mt() may run in many threads at once (a mutex
 *      guards the batch's list); commit and free in one.
 * OWNERSHIP
 *      rpt_json() returns a malloc(3)'d string the caller free(3)s. Inputs
 *      are only read.
 * DIAGNOSTICS
 *      rpt_json() and rpt_write() report why they failed with msg_warn();
 *      rpt_report_id() and rpt_file_name() only return -1.
 */
#include "rpt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#define ZLIB_CONST
#include <zlib.h>

#include "../../util/afile.h"
#include "../../util/date.h"
#include "../../util/dname.h"
#include "../../util/ipaddr.h"
#include "../../util/msg.h"
#include "../../util/mymalloc.h"

/*
 * Receivers hold the counts in u32 (Stalwart, tlsrpt-rs; RECEIVERS.md),
 * and Stalwart drops the whole report when a count does not fit. A day
 * with more than 4294967295 sessions for one domain is not a real case;
 * if it ever happens we clamp rather than lose the report.
 */
#define RPT_COUNT_MAX 4294967295ULL

#define RPT_UID_MAX 32          /* unique-id: letters and digits */
#define RPT_DAY_MAX 2932896     /* 9999-12-31: four-digit years only */
#define RPT_NAME_MAX 200        /* leaves room for ".NAME.tmp.PID.N" */
#define RPT_ZCHUNK (1U << 30)   /* bytes per deflate() input chunk */

/* rpt_day_ok - 1 when day has a four-digit year and a positive epoch */
static int
rpt_day_ok(int32_t day)
{
    return day >= 0 && day <= RPT_DAY_MAX;
}

/* rpt_uid_ok - 1 when the unique id is 1..32 letters and digits */
static int
rpt_uid_ok(const char *uid)
{
    size_t  i;

    if (uid == NULL)
        return 0;
    for (i = 0; uid[i]; i++) {
        unsigned char c = (unsigned char) uid[i];

        if (i >= RPT_UID_MAX
            || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                 || (c >= '0' && c <= '9')))
            return 0;
    }
    return i > 0;
}

/* rpt_names_ok - 1 when conf and domain may go into an id or file name */
static int
rpt_names_ok(const struct rpt_conf *c, int32_t day, const char *domain)
{
    return c != NULL && domain != NULL && c->submitter != NULL
        && rpt_day_ok(day) && dname_valid(domain)
        && dname_valid(c->submitter) && rpt_uid_ok(c->unique_id);
}

/* rpt_report_id - "YYYYMMDD.UNIQUE.DOMAIN@SUBMITTER"; 0, or -1 */
int
rpt_report_id(const struct rpt_conf *c, int32_t day, const char *domain,
              char *buf, size_t cap)
{
    int     y, m, d, n;

    if (buf != NULL && cap > 0)
        buf[0] = 0;
    if (buf == NULL || !rpt_names_ok(c, day, domain))
        return -1;
    date_civil_from_days(day, &y, &m, &d);
    n = snprintf(buf, cap, "%04d%02d%02d.%s.%s@%s", y, m, d,
                 c->unique_id, domain, c->submitter);
    if (n < 0 || (size_t) n >= cap) {
        if (cap > 0)
            buf[0] = 0;
        return -1;
    }
    return 0;
}

/* rpt_file_name - "SUBMITTER!DOMAIN!BEGIN!END!UNIQUE.json[.gz]"; 0, or -1 */
int
rpt_file_name(const struct rpt_conf *c, int32_t day, const char *domain,
              int gz, char *buf, size_t cap)
{
    long long begin;
    int     n;

    if (buf != NULL && cap > 0)
        buf[0] = 0;
    if (buf == NULL || !rpt_names_ok(c, day, domain))
        return -1;
    begin = (long long) day * 86400;
    n = snprintf(buf, cap, "%s!%s!%lld!%lld!%s.json%s", c->submitter,
                 domain, begin, begin + 86399, c->unique_id,
                 gz ? ".gz" : "");
    if (n < 0 || (size_t) n >= cap) {
        if (cap > 0)
            buf[0] = 0;
        return -1;
    }
    return 0;
}

/* rpt_addr_ok - 1 when s is a dot-atom addr-spec with a valid domain */
static int
rpt_addr_ok(const char *s)
{
    static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
    const char *at;
    const char *p;
    char    dom[DNAME_MAX + 1];

    if (s == NULL || (at = strrchr(s, '@')) == NULL || at == s
        || s[0] == '.' || at[-1] == '.')
        return 0;
    for (p = s; p < at; p++) {
        unsigned char ch = (unsigned char) *p;

        if (ch == '.' && p[1] == '.')
            return 0;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
              || (ch >= '0' && ch <= '9') || ch == '.'
              || (ch != 0 && strchr(atext, ch) != NULL)))
            return 0;
    }
    /* the domain may be in any case; dname_norm() checks LDH and lengths */
    return at[1] != 0 && at[strlen(at) - 1] != '.'
        && dname_norm(at + 1, strlen(at + 1), dom) == 0;
}

/* rpt_count - JSON integer for a counter, clamped to RPT_COUNT_MAX */
static json_t *
rpt_count(uint64_t n)
{
    return json_integer((json_int_t) (n > RPT_COUNT_MAX ? RPT_COUNT_MAX : n));
}

/* rpt_set_text - add key: text unless text is NULL or ""; 0 or -1 */
static int
rpt_set_text(json_t *obj, const char *key, const char *text)
{
    if (text == NULL || *text == 0)
        return 0;
    return json_object_set_new(obj, key, json_string(text));
}

/* rpt_set_ip - add key: canonical IP unless absent or unparsable; 0/-1 */
static int
rpt_set_ip(json_t *obj, const char *key, const char *ip)
{
    char    canon[IPADDR_MAX + 1];

    /*
     * A malformed IP makes Stalwart and dmarc-report-viewer drop the whole
     * report (RECEIVERS.md), so an address that does not parse is left
     * out rather than sent; one that parses is written in RFC 5952 form.
     */
    if (ip == NULL || *ip == 0 || ipaddr_norm(ip, strlen(ip), canon) != 0)
        return 0;
    return json_object_set_new(obj, key, json_string(canon));
}

/* rpt_strings - JSON array of n strings; NULL on failure */
static json_t *
rpt_strings(const char *const *v, size_t n)
{
    json_t *arr = json_array();
    size_t  i;

    if (arr == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        /* _new setters take ownership, even on error; NULL just fails */
        if (v[i] == NULL
            || json_array_append_new(arr, json_string(v[i])) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* rpt_policy - the "policy" member of one policies[] element */
static json_t *
rpt_policy(const struct rpt_policy *p)
{
    const struct agg_group *g = p->group;
    const char *pdom = p->policy_domain ? p->policy_domain : g->domain;
    json_t *obj;

    if (g->policy >= SESS_POL_COUNT || pdom == NULL || !dname_valid(pdom)) {
        msg_warn("no report: bad policy type %d or policy domain \"%s\"",
                 g->policy, pdom ? pdom : "(null)");
        return NULL;
    }
    obj = json_object();
    if (obj == NULL
        || json_object_set_new(obj, "policy-type",
                               json_string(sess_policy_name(g->policy))) != 0
        || (p->policy_strings != NULL && p->npolicy_strings > 0
            && json_object_set_new(obj, "policy-string",
                                   rpt_strings(p->policy_strings,
                                               p->npolicy_strings)) != 0)
        || json_object_set_new(obj, "policy-domain", json_string(pdom)) != 0
    /* mx-host is defined for sts only (RFC 8460 4.4); ignored otherwise */
        || (g->policy == SESS_POL_STS && p->mx_hosts != NULL
            && p->nmx_hosts > 0
            && json_object_set_new(obj, "mx-host",
                                   rpt_strings(p->mx_hosts,
                                               p->nmx_hosts)) != 0)) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* rpt_summary - the "summary" member: both totals, clamped */
static json_t *
rpt_summary(const struct agg_group *g)
{
    json_t *obj = json_object();

    if (obj == NULL
        || json_object_set_new(obj, "total-successful-session-count",
                               rpt_count(g->success)) != 0
        || json_object_set_new(obj, "total-failure-session-count",
                               rpt_count(g->failure)) != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* rpt_detail - one failure-details[] element */
static json_t *
rpt_detail(const struct rpt_conf *c, const struct agg_detail *d)
{
    const char *loghost = d->loghost ? d->loghost : "";
    const char *sip = NULL;
    json_t *obj;

    /* only the 11 registered types: three receivers drop the report */
    if (d->result == SESS_SUCCESS || d->result >= SESS_RESULT_COUNT) {
        msg_warn("no report: failure detail with result code %d", d->result);
        return NULL;
    }
    if (c->sending_ip != NULL)
        sip = c->sending_ip(loghost, d->ip ? d->ip : "", c->sending_ip_ctx);
    obj = json_object();
    if (obj == NULL
        || json_object_set_new(obj, "result-type",
                               json_string(sess_result_name(d->result))) != 0
        || rpt_set_ip(obj, "sending-mta-ip", sip) != 0
        || rpt_set_text(obj, "receiving-mx-hostname", d->mx) != 0
        || rpt_set_text(obj, "receiving-mx-helo", d->helo) != 0
        || rpt_set_ip(obj, "receiving-ip", d->ip) != 0
        || json_object_set_new(obj, "failed-session-count",
                               rpt_count(d->count)) != 0
        || rpt_set_text(obj, "failure-reason-code", d->reason) != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* rpt_details - failure-details[] in the order given; NULL on failure */
static json_t *
rpt_details(const struct rpt_conf *c, const struct agg_group *g)
{
    json_t *arr = json_array();
    size_t  i;

    if (arr == NULL)
        return NULL;
    for (i = 0; i < g->ndetails; i++) {
        /* a zero count stands for no session: a detail would say "0" */
        if (g->details[i].count == 0)
            continue;
        if (json_array_append_new(arr, rpt_detail(c, &g->details[i])) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* rpt_policy_entry - one element of "policies"; NULL on failure */
static json_t *
rpt_policy_entry(const struct rpt_conf *c, int32_t day,
                 const struct rpt_policy *p)
{
    json_t *ent;
    json_t *det = NULL;

    if (p->group == NULL || (p->group->ndetails > 0
                             && p->group->details == NULL)) {
        msg_warn("no report: policy without counters");
        return NULL;
    }
    if (p->group->day != day) {
        msg_warn("no report: counters of day %ld in the report of day %ld",
                 (long) p->group->day, (long) day);
        return NULL;
    }
    ent = json_object();
    if (ent == NULL
        || json_object_set_new(ent, "policy", rpt_policy(p)) != 0
        || json_object_set_new(ent, "summary", rpt_summary(p->group)) != 0
        || (det = rpt_details(c, p->group)) == NULL) {
        json_decref(ent);
        return NULL;
    }
    /* omitted when empty, as Google does; "[]" would also be accepted */
    if (json_array_size(det) == 0) {
        json_decref(det);
        return ent;
    }
    if (json_object_set_new(ent, "failure-details", det) != 0) {
        json_decref(ent);
        return NULL;
    }
    return ent;
}

/* rpt_policies - the "policies" array; NULL on failure */
static json_t *
rpt_policies(const struct rpt_conf *c, int32_t day,
             const struct rpt_policy *pols, size_t npols)
{
    json_t *arr = json_array();
    size_t  i;

    if (arr == NULL)
        return NULL;
    for (i = 0; i < npols; i++) {
        if (json_array_append_new(arr,
                                  rpt_policy_entry(c, day, &pols[i])) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* rpt_range - "date-range": the whole UTC day, 00:00:00Z to 23:59:59Z */
static json_t *
rpt_range(int32_t day)
{
    char    start[48];              /* room for any int, for -Wformat */
    char    end[48];
    int     y, m, d;
    json_t *obj;

    date_civil_from_days(day, &y, &m, &d);
    snprintf(start, sizeof(start), "%04d-%02d-%02dT00:00:00Z", y, m, d);
    snprintf(end, sizeof(end), "%04d-%02d-%02dT23:59:59Z", y, m, d);
    obj = json_object();
    if (obj == NULL
        || json_object_set_new(obj, "start-datetime", json_string(start)) != 0
        || json_object_set_new(obj, "end-datetime", json_string(end)) != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* rpt_json - the whole report as compact JSON; NULL on failure */
char   *
rpt_json(const struct rpt_conf *c, int32_t day, const char *domain,
         const struct rpt_policy *pols, size_t npols)
{
    char    id[3 * DNAME_MAX];
    json_t *root;
    char   *text = NULL;

    if (c == NULL || pols == NULL || npols == 0) {
        msg_warn("no report: no configuration or no policies");
        return NULL;
    }
    if (c->org_name == NULL || *c->org_name == 0 || !rpt_addr_ok(c->contact)) {
        msg_warn("no report: organization-name \"%s\" or contact-info \"%s\""
                 " missing or invalid", c->org_name ? c->org_name : "(null)",
                 c->contact ? c->contact : "(null)");
        return NULL;
    }
    if (rpt_report_id(c, day, domain, id, sizeof(id)) != 0) {
        msg_warn("no report: invalid day %ld, domain \"%s\", submitter \"%s\""
                 " or unique id \"%s\"", (long) day,
                 domain ? domain : "(null)",
                 c->submitter ? c->submitter : "(null)",
                 c->unique_id ? c->unique_id : "(null)");
        return NULL;
    }
    root = json_object();
    if (root == NULL
        || json_object_set_new(root, "organization-name",
                               json_string(c->org_name)) != 0
        || json_object_set_new(root, "date-range", rpt_range(day)) != 0
        || json_object_set_new(root, "contact-info",
                               json_string(c->contact)) != 0
        || json_object_set_new(root, "report-id", json_string(id)) != 0
        || json_object_set_new(root, "policies",
                               rpt_policies(c, day, pols, npols)) != 0) {
        msg_warn("no report: cannot build the report for %s: invalid field,"
                 " text that is not UTF-8, or out of memory", domain);
        json_decref(root);
        return NULL;
    }
    text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (text == NULL)
        msg_warn("no report: cannot serialise the report for %s", domain);
    return text;
}

/* rpt_name_ok - 1 when name is a plain, visible file name in dir */
static int
rpt_name_ok(const char *name)
{
    size_t  i;

    if (name == NULL || name[0] == 0 || name[0] == '.')
        return 0;
    for (i = 0; name[i]; i++) {
        unsigned char c = (unsigned char) name[i];

        if (i >= RPT_NAME_MAX || c == '/' || c < 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}

/* rpt_z_init - a deflate stream for reports; 0, or -1 (ENOMEM) */
static int
rpt_z_init(z_stream *zs)
{
    /*
     * windowBits 15 + 16 makes deflate write a gzip wrapper. Without
     * deflateSetHeader() the header has mtime 0, no file name and OS
     * "unix": the same JSON always gives the same bytes.
     */
    memset(zs, 0, sizeof(*zs));
    if (deflateInit2(zs, 6, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

/* rpt_write_gz - gzip data into fd as one member with zs (from
 * rpt_z_init; reset first, so a stream serves many files with the same
 * bytes as a new one); 0 or -1 with errno */
static int
rpt_write_gz(z_stream *zs, int fd, const char *data, size_t len)
{
    unsigned char out[16384];
    int     zr = Z_OK;
    int     flush;

    if (deflateReset(zs) != Z_OK) {
        errno = EIO;
        return -1;
    }
    zs->next_in = (const Bytef *) data;
    do {
        size_t  chunk = len > RPT_ZCHUNK ? RPT_ZCHUNK : len;

        zs->avail_in = (uInt) chunk;
        len -= chunk;
        flush = len == 0 ? Z_FINISH : Z_NO_FLUSH;
        do {
            zs->next_out = out;
            zs->avail_out = sizeof(out);
            zr = deflate(zs, flush);
            if (zr == Z_STREAM_ERROR) {
                errno = EIO;
                return -1;
            }
            if (afile_write_all(fd, out, sizeof(out) - zs->avail_out) != 0)
                return -1;
        } while (zs->avail_out == 0);
    } while (flush != Z_FINISH);
    if (zr != Z_STREAM_END) {
        errno = EIO;
        return -1;
    }
    return 0;
}

/* rpt_open_temp - create ".NAME.tmp.PID[.N]" in dfd; fd, or -1 */
static int
rpt_open_temp(int dfd, const char *name, char *tmp, size_t cap)
{
    long    pid = (long) getpid();
    int     fd;
    int     i;

    /* a crash can leave a temp file whose PID comes round again */
    for (i = 0; i < 100; i++) {
        if (i == 0)
            snprintf(tmp, cap, ".%s.tmp.%ld", name, pid);
        else
            snprintf(tmp, cap, ".%s.tmp.%ld.%d", name, pid, i);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
                    | O_NOFOLLOW, 0644);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

/* rpt_temp - write data (gzipped with zs unless NULL) into a new
 * temporary file for name in dfd, fsync'd if sync; 0, or -1 with errno,
 * *what the step that failed, and nothing left behind */
static int
rpt_temp(int dfd, const char *name, const char *data, size_t len,
         z_stream *zs, int sync, char *tmp, size_t cap, const char **what)
{
    int     fd;
    int     err;

    tmp[0] = 0;
    *what = "create";
    if ((fd = rpt_open_temp(dfd, name, tmp, cap)) < 0) {
        tmp[0] = 0;
        return -1;
    }
    *what = "write";
    if ((zs ? rpt_write_gz(zs, fd, data, len)
         : afile_write_all(fd, data, len)) != 0)
        goto fail;
    *what = "fsync";
    if (sync && fsync(fd) != 0)
        goto fail;
    *what = "close";
    err = close(fd);
    fd = -1;
    if (err != 0)
        goto fail;
    return 0;

fail:
    err = errno;
    if (fd >= 0)
        close(fd);
    unlinkat(dfd, tmp, 0);
    errno = err;
    return -1;
}

/* rpt_write - atomically replace dir/name with data (gzipped if gz) */
int
rpt_write(const char *dir, const char *name, const char *data, size_t len,
          int gz)
{
    char    tmp[RPT_NAME_MAX + 64];
    const char *what;
    z_stream zs;
    int     dfd;
    int     err;
    int     rc;

    if (dir == NULL || *dir == 0 || !rpt_name_ok(name)
        || (data == NULL && len > 0)) {
        msg_warn("cannot write report \"%s\" in \"%s\": empty, hidden,"
                 " too long or not a plain file name",
                 name ? name : "(null)", dir ? dir : "(null)");
        return -1;
    }
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        err = errno;
        msg_warn("cannot write reports to %s: %s", dir, strerror(err));
        return -1;
    }
    tmp[0] = 0;
    what = "compress";
    if (gz && rpt_z_init(&zs) != 0)
        goto fail;
    rc = rpt_temp(dfd, name, data, len, gz ? &zs : NULL, 1, tmp, sizeof(tmp),
                  &what);
    if (gz)
        deflateEnd(&zs);
    if (rc != 0)
        goto fail;
    what = "rename";
    if (renameat(dfd, tmp, dfd, name) != 0) {
        err = errno;
        unlinkat(dfd, tmp, 0);
        errno = err;
        goto fail;
    }

    /*
     * The new file is in place; without the directory fsync a crash may
     * still bring back the old one. Report it so the caller can retry
     * (which rewrites the same bytes).
     */
    if (fsync(dfd) != 0) {
        err = errno;
        msg_warn("report %s/%s written, but the directory could not be"
                 " synced: %s", dir, name, strerror(err));
        close(dfd);
        return -1;
    }
    close(dfd);
    return 0;

fail:
    err = errno;
    /* the final name: the temporary one means nothing to a person */
    msg_warn("cannot write report %s/%s (%s failed): %s", dir, name, what,
             strerror(err));
    close(dfd);
    errno = err;
    return -1;
}

/*
 * Batches: many reports, one flush. Each report is written to its
 * temporary file without an fsync; rpt_batch_commit() then makes them
 * all durable at once (syncfs(2) of the directory's file system), renames
 * each over its final name and fsyncs the directory once. A crash before
 * the flush leaves temporary files only, one after it complete reports:
 * a final name is only ever given to data already on disk.
 */
void    (*rpt_crash_hook) (const char *point);

struct rpt_batch_file {
    char   *tmp;                /* temporary name, in the directory */
    char   *name;               /* final name */
    const void *tag;            /* the caller's, for done */
};

/* a deflate stream kept for the next report (batches reuse them) */
struct rpt_z {
    z_stream zs;
    struct rpt_z *next;
};

struct rpt_batch {
    pthread_mutex_t mu;         /* guards files, n, cap, zfree */
    struct rpt_z *zfree;        /* streams not in use */
    char   *dir;
    int     dfd;
    struct rpt_batch_file *files;
    size_t  n;
    size_t  cap;
};

/* rpt_point - the test hook, if set */
static void
rpt_point(const char *point)
{
    if (rpt_crash_hook)
        rpt_crash_hook(point);
}

/* rpt_batch_open - a batch writing into dir; NULL (warned) when dir
 * cannot be opened */
struct rpt_batch *
rpt_batch_open(const char *dir)
{
    struct rpt_batch *b;
    int     dfd;

    if (dir == NULL || *dir == 0) {
        msg_warn("cannot write reports: no directory");
        return NULL;
    }
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        msg_warn("cannot write reports to %s: %s", dir, strerror(errno));
        return NULL;
    }
    /* jansson seeds its hash function once: here, before any thread */
    json_object_seed(0);
    b = xcalloc(1, sizeof(*b));
    pthread_mutex_init(&b->mu, NULL);
    b->dir = xstrdup(dir);
    b->dfd = dfd;
    return b;
}

/* rpt_batch_add_mt - data (gzipped if gz) into a temporary file for
 * name, tag kept for done; 0, or -1 (warned, nothing left behind) */
int
rpt_batch_add_mt(struct rpt_batch *b, const char *name, const char *data,
                 size_t len, int gz, const void *tag)
{
    char    tmp[RPT_NAME_MAX + 64];
    const char *what = "compress";
    struct rpt_z *z = NULL;
    int     rc;

    if (!rpt_name_ok(name) || (data == NULL && len > 0)) {
        msg_warn("cannot write report \"%s\" in \"%s\": empty, hidden,"
                 " too long or not a plain file name",
                 name ? name : "(null)", b->dir);
        return -1;
    }
    /* a stream of the pool, or a new one: no deflateInit per report */
    tmp[0] = 0;
    if (gz) {
        pthread_mutex_lock(&b->mu);
        if ((z = b->zfree) != NULL)
            b->zfree = z->next;
        pthread_mutex_unlock(&b->mu);
        if (z == NULL) {
            z = xmalloc(sizeof(*z));
            if (rpt_z_init(&z->zs) != 0) {
                xfree(z);
                z = NULL;
                msg_warn("cannot write report %s/%s (%s failed): %s",
                         b->dir, name, what, strerror(errno));
                return -1;
            }
        }
    }
    rc = rpt_temp(b->dfd, name, data, len, z ? &z->zs : NULL, 0, tmp,
                  sizeof(tmp), &what);
    if (z != NULL) {
        pthread_mutex_lock(&b->mu);
        z->next = b->zfree;
        b->zfree = z;
        pthread_mutex_unlock(&b->mu);
    }
    if (rc != 0) {
        /* the final name: the temporary one means nothing to a person */
        msg_warn("cannot write report %s/%s (%s failed): %s", b->dir, name,
                 what, strerror(errno));
        return -1;
    }
    pthread_mutex_lock(&b->mu);
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 256;
        b->files = xrealloc(b->files, b->cap * sizeof(*b->files));
    }
    b->files[b->n].tmp = xstrdup(tmp);
    b->files[b->n].name = xstrdup(name);
    b->files[b->n++].tag = tag;
    pthread_mutex_unlock(&b->mu);
    rpt_point("report:temp");
    return 0;
}

/* rpt_batch_gzip_mt - data gzipped into a malloc'd buffer (*out,
 * *outlen; the bytes a gzipped add writes) with a stream of the batch's
 * pool; 0, or -1 (warned) */
int
rpt_batch_gzip_mt(struct rpt_batch *b, const char *data, size_t len,
                  unsigned char **out, size_t *outlen)
{
    struct rpt_z *z;
    unsigned char *buf = NULL;
    size_t  cap;
    int     rc = -1;

    *out = NULL;
    *outlen = 0;
    pthread_mutex_lock(&b->mu);
    if ((z = b->zfree) != NULL)
        b->zfree = z->next;
    pthread_mutex_unlock(&b->mu);
    if (z == NULL) {
        z = xmalloc(sizeof(*z));
        if (rpt_z_init(&z->zs) != 0) {
            xfree(z);
            msg_warn("cannot compress a report: out of memory");
            return -1;
        }
    }
    if (len > RPT_ZCHUNK || deflateReset(&z->zs) != Z_OK) {
        msg_warn("cannot compress a report of %zu bytes", len);
        goto end;
    }
    cap = deflateBound(&z->zs, (uLong) len);
    buf = xmalloc(cap);
    z->zs.next_in = (const Bytef *) data;
    z->zs.avail_in = (uInt) len;
    z->zs.next_out = buf;
    z->zs.avail_out = (uInt) cap;
    if (deflate(&z->zs, Z_FINISH) != Z_STREAM_END) {
        msg_warn("cannot compress a report of %zu bytes", len);
        goto end;
    }
    *out = buf;
    *outlen = cap - z->zs.avail_out;
    buf = NULL;
    rc = 0;
end:
    xfree(buf);
    pthread_mutex_lock(&b->mu);
    z->next = b->zfree;
    b->zfree = z;
    pthread_mutex_unlock(&b->mu);
    return rc;
}

/* rpt_batch_count - files added since the last commit */
size_t
rpt_batch_count(const struct rpt_batch *b)
{
    return b->n;
}

/* rpt_batch_fsync - fsync one temporary file (the flush's fallback) */
static int
rpt_batch_fsync(const struct rpt_batch *b, const char *tmp)
{
    int     fd;
    int     err;

    if ((fd = openat(b->dfd, tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return -1;
    if (fsync(fd) != 0) {
        err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return close(fd);
}

/* rpt_batch_commit - flush, rename and sync the files added; done (if
 * not NULL) is told of each file whether its report is in place. The
 * batch is empty afterwards. Returns the number of files not in place */
size_t
rpt_batch_commit(struct rpt_batch *b, rpt_batch_done_fn done, void *ctx)
{
    size_t  i;
    size_t  failed = 0;
    int     flushed;
    int     err;
    char   *ok;

    if (b->n == 0)
        return 0;
    ok = xcalloc(b->n, 1);

    /*
     * One flush for every file. syncfs(2) reports a write-back error of
     * the file system since the last call, which may be another file's:
     * then each file is fsync'd on its own, and only those that fail are
     * dropped.
     */
    flushed = syncfs(b->dfd) == 0;
    if (!flushed)
        msg_warn("cannot flush the reports in %s at once (%s): each is"
                 " synced on its own", b->dir, strerror(errno));
    rpt_point("report:flushed");
    for (i = 0; i < b->n; i++) {
        struct rpt_batch_file *f = &b->files[i];

        if (!flushed && rpt_batch_fsync(b, f->tmp) != 0) {
            msg_warn("cannot write report %s/%s (fsync failed): %s", b->dir,
                     f->name, strerror(errno));
            unlinkat(b->dfd, f->tmp, 0);
            continue;
        }
        if (renameat(b->dfd, f->tmp, b->dfd, f->name) != 0) {
            err = errno;
            msg_warn("cannot write report %s/%s (rename failed): %s", b->dir,
                     f->name, strerror(err));
            unlinkat(b->dfd, f->tmp, 0);
            continue;
        }
        ok[i] = 1;
        rpt_point("report:renamed");
    }

    /* the renames durable: without it a crash may bring back old files */
    if (fsync(b->dfd) != 0) {
        msg_warn("reports in %s written, but the directory could not be"
                 " synced: %s", b->dir, strerror(errno));
        memset(ok, 0, b->n);
    }
    for (i = 0; i < b->n; i++) {
        failed += !ok[i];
        if (done)
            done(ctx, b->dir, b->files[i].name, b->files[i].tag, ok[i]);
        xfree(b->files[i].tmp);
        xfree(b->files[i].name);
    }
    xfree(ok);
    b->n = 0;
    return failed;
}

/* rpt_batch_free - close the batch; temporary files never committed are
 * removed; NULL */
struct rpt_batch *
rpt_batch_free(struct rpt_batch *b)
{
    size_t  i;

    if (b == NULL)
        return NULL;
    for (i = 0; i < b->n; i++) {
        unlinkat(b->dfd, b->files[i].tmp, 0);
        xfree(b->files[i].tmp);
        xfree(b->files[i].name);
    }
    while (b->zfree != NULL) {
        struct rpt_z *z = b->zfree;

        b->zfree = z->next;
        deflateEnd(&z->zs);
        xfree(z);
    }
    xfree(b->files);
    xfree(b->dir);
    close(b->dfd);
    pthread_mutex_destroy(&b->mu);
    xfree(b);
    return NULL;
}
