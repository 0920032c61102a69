/* emit/delivery/spool_enq.c - add reports to the spool
 *
 * NAME
 *      spool_enqueue - one job per (report, destination), once
 * SYNOPSIS
 *      #include "emit/delivery/spool.h"
 * DESCRIPTION
 *      The report is checked before anything is written: its file name
 *      must be RFC 8460 section 5.1's, its size at most SPOOL_MAX_REPORT
 *      (SPOOL_MAX_JSON after gunzip), and its JSON must name the policy
 *      domain of the file name and carry a report-id fit for a Subject
 *      and a Message-ID. Subject, headers and file name are then made
 *      from the same data as the JSON (RFC 8460 section 5.6).
 *
 *      Order of writes: the body (bodies/HASH, content-addressed, so
 *      writing it again is harmless), then one job file per destination
 *      (tmp/, rename into pending/). A crash leaves at worst a body
 *      without a job, which spool_gc() removes.
 * DIAGNOSTICS
 *      -1 with the reason in err; refused destinations with msg_warn().
 */
#include "spool.h"
#include "spool_int.h"
#include "mail.h"
#include "dlv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#define ZLIB_CONST
#include <zlib.h>

#include "../../util/afile.h"
#include "../../util/msg.h"
#include "../../util/mymalloc.h"


/* spool_text_ok - printable ASCII only */
int
spool_text_ok(const char *s)
{
    for (; *s; s++)
        if ((unsigned char) *s < 0x20 || (unsigned char) *s > 0x7e)
            return 0;
    return 1;
}

/* spool_rid_ok - dot-atom-text "@" dot-atom-text, bounded */
int
spool_rid_ok(const char *s)
{
    const char *at = strchr(s, '@');
    size_t  n = strlen(s);

    return n <= SPOOL_MAX_RID && at != NULL && strchr(at + 1, '@') == NULL
        && mail_dot_atom(s, (size_t) (at - s))
        && mail_dot_atom(at + 1, n - (size_t) (at - s) - 1);
}

/* spool_digits - n >= 1 decimal digits at s (at most 12); value or -1 */
static int64_t
spool_digits(const char *s, size_t n)
{
    int64_t v = 0;
    size_t  i;

    if (n == 0 || n > 12)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* spool_name_ok - "SUB!DOM!BEGIN!END[!UID].json[.gz]" */
int
spool_name_ok(const char *name, char *domain, int64_t *end)
{
    const char *f[5];
    size_t  len[5];
    const char *p, *ext;
    char    buf[DNAME_MAX + 1];
    size_t  n = strlen(name);
    size_t  nf = 0, i;
    int64_t b, e;

    if (n == 0 || n > SPOOL_MAX_NAME || strchr(name, '/'))
        return 0;
    if (n > 8 && strcmp(name + n - 8, ".json.gz") == 0)
        ext = name + n - 8;
    else if (n > 5 && strcmp(name + n - 5, ".json") == 0)
        ext = name + n - 5;
    else
        return 0;
    for (p = name; p < ext && nf < 5; nf++) {
        const char *bang = memchr(p, '!', (size_t) (ext - p));

        f[nf] = p;
        len[nf] = (size_t) ((bang ? bang : ext) - p);
        p = bang ? bang + 1 : ext;
        if (bang && p == ext)
            return 0;                   /* trailing '!' */
    }
    if (p != ext || nf < 4)
        return 0;
    for (i = 0; i < 2; i++) {
        if (len[i] > DNAME_MAX)
            return 0;
        memcpy(buf, f[i], len[i]);
        buf[len[i]] = 0;
        if (!dname_valid(buf))
            return 0;
        if (i == 1 && domain)
            memcpy(domain, buf, len[i] + 1);
    }
    b = spool_digits(f[2], len[2]);
    e = spool_digits(f[3], len[3]);
    if (b < 0 || e < b)
        return 0;
    if (nf == 5) {
        if (len[4] == 0 || len[4] > 32)
            return 0;
        for (i = 0; i < len[4]; i++)
            if (!((f[4][i] >= 'a' && f[4][i] <= 'z')
                  || (f[4][i] >= 'A' && f[4][i] <= 'Z')
                  || (f[4][i] >= '0' && f[4][i] <= '9')))
                return 0;
    }
    if (end)
        *end = e;
    return 1;
}

/* spool_hash - first 128 bits of SHA-256 of a[,"\n",b] as hex */
static int
spool_hash(const void *a, size_t alen, const char *b, char *hex)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int     ok;
    size_t  i;

    ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1
        && EVP_DigestUpdate(ctx, a, alen) == 1
        && (b == NULL || (EVP_DigestUpdate(ctx, "\n", 1) == 1
                          && EVP_DigestUpdate(ctx, b, strlen(b)) == 1))
        && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen >= 16;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return -1;
    for (i = 0; i < SPOOL_ID_LEN / 2; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* spool_gunzip - whole gzip data, at most SPOOL_MAX_JSON out; or NULL */
static char *
spool_gunzip(const void *data, size_t len, size_t *outlen, char *err,
             size_t cap)
{
    z_stream zs;
    size_t  have = 0, room = len * 4 + 4096;
    char   *out;
    int     zr;

    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 15 + 16) != Z_OK) {
        snprintf(err, cap, "gunzip: out of memory");
        return NULL;
    }
    if (room > SPOOL_MAX_JSON)
        room = SPOOL_MAX_JSON;
    out = xmalloc(room + 1);
    zs.next_in = data;
    zs.avail_in = (uInt) len;
    for (;;) {
        if (have == room) {
            if (room >= SPOOL_MAX_JSON) {
                snprintf(err, cap, "report JSON larger than %lu bytes",
                         SPOOL_MAX_JSON);
                goto fail;
            }
            room = room * 2 > SPOOL_MAX_JSON ? SPOOL_MAX_JSON : room * 2;
            out = xrealloc(out, room + 1);
        }
        zs.next_out = (Bytef *) out + have;
        zs.avail_out = (uInt) (room - have);
        zr = inflate(&zs, Z_NO_FLUSH);
        have = room - zs.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (zr != Z_OK && !(zr == Z_BUF_ERROR && have == room)) {
            snprintf(err, cap, "report is not valid gzip data");
            goto fail;
        }
    }
    if (zs.avail_in != 0) {
        snprintf(err, cap, "trailing data after the gzip report");
        goto fail;
    }
    inflateEnd(&zs);
    out[have] = 0;
    *outlen = have;
    return out;

fail:
    inflateEnd(&zs);
    free(out);
    return NULL;
}

/* spool_rid_domain - 1 when report-id rid is mailtlsrpt's
 * "YYYYMMDD.UNIQUE.DOMAIN@SUBMITTER" (emit/report/rpt.h) for domain */
static int
spool_rid_domain(const char *rid, const char *domain)
{
    const char *at = strchr(rid, '@');
    const char *p = rid;
    size_t  n = strlen(domain);
    int     i;

    for (i = 0; i < 8; i++, p++)
        if (*p < '0' || *p > '9')
            return 0;
    if (*p++ != '.')
        return 0;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
           || (*p >= '0' && *p <= '9'))
        p++;
    if (*p++ != '.' || at == NULL || at < p)
        return 0;
    return (size_t) (at - p) == n && strncmp(p, domain, n) == 0;
}

/* spool_meta - report-id, policy domain check, submitter from the JSON */
static int
spool_meta(const char *json, size_t len, const char *domain,
           struct spool_job *j, char *err, size_t cap)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    json_t *pols, *pol;
    const char *rid, *contact, *at, *pd;
    size_t  i;
    int     rc = -1, seen = 0, other = 0;

    if (root == NULL) {
        snprintf(err, cap, "report is not JSON: %s (line %d)", je.text,
                 je.line);
        return -1;
    }
    rid = json_string_value(json_object_get(root, "report-id"));
    contact = json_string_value(json_object_get(root, "contact-info"));
    pols = json_object_get(root, "policies");
    if (rid == NULL || !spool_rid_ok(rid)) {
        snprintf(err, cap, "report-id missing or not of the form "
                 "left@right (it goes into Subject and Message-ID)");
        goto end;
    }
    /* the report is for the domain of its file name (whose rua it goes
     * to) when a policy is; a tlsa policy's domain is the TLSA base
     * domain, an MX host (RFC 8460 4.4): a report of tlsa policies only
     * is for the domain its report-id names */
    json_array_foreach(pols, i, pol) {
        json_t *p = json_object_get(pol, "policy");
        const char *pt = json_string_value(json_object_get(p,
                                                           "policy-type"));

        pd = json_string_value(json_object_get(p, "policy-domain"));
        if (pd != NULL && strcmp(pd, domain) == 0)
            seen = 1;
        else if (pt == NULL || strcmp(pt, "tlsa") != 0)
            other = 1;
    }
    if (!seen && !other && json_array_size(pols) > 0
        && spool_rid_domain(rid, domain))
        seen = 1;
    if (!seen) {
        snprintf(err, cap, "no policy of the report is for %s, the domain "
                 "of its file name", domain);
        goto end;
    }
    if (contact == NULL || (at = strrchr(contact, '@')) == NULL
        || dname_norm(at + 1, strlen(at + 1), j->submitter) != 0) {
        snprintf(err, cap, "contact-info is not an address with a valid "
                 "domain (TLS-Report-Submitter must be that domain)");
        goto end;
    }
    snprintf(j->report_id, sizeof(j->report_id), "%s", rid);
    rc = 0;
end:
    json_decref(root);
    return rc;
}

/* spool_put_body - bodies/HASH unless there; 0 or -1 */
static int
spool_put_body(struct spool *sp, const char *hash, const void *data,
               size_t len, char *err, size_t cap)
{
    char    tmp[AFILE_TMP_MAX];
    struct stat st;

    if (fstatat(sp->bodyfd, hash, &st, AT_SYMLINK_NOFOLLOW) == 0
        && (size_t) st.st_size == len)
        return 0;
    if (afile_tmp(sp->tmpfd, hash, data, len, 0600, tmp, sizeof(tmp)) != 0) {
        spool_err(err, cap, "write report into spool", errno);
        return -1;
    }
    spool_point("enqueue:body-tmp");
    if (renameat(sp->tmpfd, tmp, sp->bodyfd, hash) != 0
        || afile_sync_dir(sp->bodyfd) != 0) {
        spool_err(err, cap, "store report in spool", errno);
        unlinkat(sp->tmpfd, tmp, 0);
        return -1;
    }
    spool_point("enqueue:body");
    return 0;
}

/* spool_put_job - a new pending job unless the id exists; 1 new, 0, -1 */
static int
spool_put_job(struct spool *sp, struct spool_job *j, char *err, size_t cap)
{
    char    tmp[AFILE_TMP_MAX];

    if (spool_exists(sp, j->id))
        return 0;
    if (spool_write_tmp(sp, j, tmp, sizeof(tmp)) != 0) {
        spool_err(err, cap, "write job into spool", errno);
        return -1;
    }
    spool_point("enqueue:job-tmp");
    if (renameat(sp->tmpfd, tmp, sp->dfd[SPOOL_PENDING], j->id) != 0
        || afile_sync_dir(sp->dfd[SPOOL_PENDING]) != 0) {
        spool_err(err, cap, "enqueue job", errno);
        unlinkat(sp->tmpfd, tmp, 0);
        return -1;
    }
    spool_point("enqueue:job");
    return 1;
}

/* spool_enqueue - jobs for a report in memory */
int
spool_enqueue(struct spool *sp, const char *name, const void *data,
              size_t len, const char *const *dests, size_t ndests,
              int64_t now, char *err, size_t cap)
{
    struct spool_job j;
    struct dlv_target t;
    char    why[256];
    char   *json = NULL;
    size_t  jlen = 0, i, ntry = 0;
    int64_t end;
    int     gz, rc, added = 0;

    memset(&j, 0, sizeof(j));
    if (sp->ro) {
        snprintf(err, cap, "spool opened read-only");
        return -1;
    }
    if (name == NULL || !spool_name_ok(name, j.domain, &end)) {
        snprintf(err, cap, "not an RFC 8460 report file name "
                 "(SUBMITTER!DOMAIN!BEGIN!END[!ID].json[.gz])");
        return -1;
    }
    if (len == 0 || len > SPOOL_MAX_REPORT) {
        snprintf(err, cap, "report size %zu not within 1..%lu bytes", len,
                 SPOOL_MAX_REPORT);
        return -1;
    }
    if (end + SPOOL_MAX_AGE_DAYS * 86400L < now) {
        snprintf(err, cap, "report ended more than %d days ago; not sent",
                 SPOOL_MAX_AGE_DAYS);
        return -1;
    }
    gz = strcmp(name + strlen(name) - 3, ".gz") == 0;
    if (gz && (json = spool_gunzip(data, len, &jlen, err, cap)) == NULL)
        return -1;
    rc = spool_meta(gz ? json : data, gz ? jlen : len, j.domain, &j, err,
                    cap);
    free(json);
    if (rc != 0)
        return -1;
    snprintf(j.report, sizeof(j.report), "%s", name);
    if (spool_hash(data, len, NULL, j.body) != 0) {
        snprintf(err, cap, "SHA-256 failed");
        return -1;
    }
    j.created = now;
    j.next = now;
    spool_set_status(&j, "enqueued");
    for (i = 0; i < ndests; i++) {
        if (dlv_parse(dests[i], &t, why, sizeof(why)) != 0) {
            msg_warn("%s: destination \"%.80s\" refused: %s", name,
                     spool_text_ok(dests[i]) ? dests[i] : "(unprintable)",
                     why);
            continue;
        }
        if (++ntry > SPOOL_MAX_DESTS) {
            msg_warn("%s: more than %d destinations; \"%s\" and later "
                     "ones left out", name, SPOOL_MAX_DESTS, dests[i]);
            break;
        }
        snprintf(j.dest, sizeof(j.dest), "%s", dests[i]);
        if (spool_hash(name, strlen(name), j.dest, j.id) != 0) {
            snprintf(err, cap, "SHA-256 failed");
            return -1;
        }
        /* the body goes in first; once only */
        if (ntry == 1 && spool_put_body(sp, j.body, data, len, err, cap))
            return -1;
        if ((rc = spool_put_job(sp, &j, err, cap)) < 0)
            return -1;
        added += rc;
    }
    return added;
}

/* spool_enqueue_file - jobs for a report file */
int
spool_enqueue_file(struct spool *sp, const char *path,
                   const char *const *dests, size_t ndests, int64_t now,
                   char *err, size_t cap)
{
    const char *base = strrchr(path, '/');
    char   *data;
    size_t  len;
    int     rc;

    base = base ? base + 1 : path;
    if (afile_read(AT_FDCWD, path, SPOOL_MAX_REPORT, &data, &len) != 0) {
        if (errno == EFBIG)
            snprintf(err, cap, "report larger than %lu bytes (RFC 8460 "
                     "section 5.2: receivers refuse big reports)",
                     SPOOL_MAX_REPORT);
        else
            spool_err(err, cap, "read report", errno);
        return -1;
    }
    rc = spool_enqueue(sp, base, data, len, dests, ndests, now, err, cap);
    free(data);
    return rc;
}
