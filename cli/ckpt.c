/* cli/ckpt.c - the checkpoint of mailtlsrpt follow
 *
 * Format (all integers big-endian):
 *	"MTRFOLLW" u32 version u32 0 u64 body length
 *	body:	i64 since, i64 newest, i32 closed
 *		u32 n inputs, each: u8 journal, str name, then
 *		  file: u64 dev, ino, off, hash, u32 hlen;
 *		  journal: str cursor
 *		u32 n days, each: i32 day, u8 closed, u8 again, i64
 *		  closed_at, u32 INPUT_BAD_COUNT, u32
 *		  SESS_D_COUNT, u64 files, files_failed, lines, bytes,
 *		  bad[..], bad_parse, duplicates (not in version 1),
 *		  sessions[..] (global/run.c)
 *		u8 dup have, i64 t, u8 dated, 4 x u32 len, u64 hash
 *		u32 n clocks, each: u64 feeds, i64 newest time
 *		u64 n, n bytes: the saved state (aggregate/agg_state.c)
 *	u64 XXH64 of everything before it
 * str: u16 length and the bytes. Every length is checked against its
 * field before it is used.
 */
#include "ckpt.h"
#include "../util/afile.h"
#include "../util/mymalloc.h"
#include "../util/wire.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define CK_MAGIC "MTRFOLLW"
#define CK_HDR 24
#define CK_MAX_FILE (1ULL << 34)        /* 16 GiB: more is not ours */

/* ckpt_save - the checkpoint, atomically */
int
ckpt_save(const char *dir, const struct ckpt *k, char *err)
{
    struct wire_buf b = {NULL, 0, 0};
    unsigned char *sp;
    size_t  sn, i;
    int     dfd, rc;

    wire_put(&b, CK_MAGIC, 8);
    wire_put_u(&b, CKPT_VERSION, 4);
    wire_put_u(&b, 0, 4);
    wire_put_u(&b, 0, 8);
    wire_put_u(&b, (uint64_t) k->since, 8);
    wire_put_u(&b, (uint64_t) k->newest, 8);
    wire_put_u(&b, (uint32_t) k->closed, 4);
    wire_put_u(&b, k->nin, 4);
    for (i = 0; i < k->nin; i++) {
        const struct ckpt_input *in = &k->in[i];

        wire_put_u(&b, (uint64_t) (in->journal != 0), 1);
        wire_put_str(&b, in->name, strlen(in->name));
        if (in->journal) {
            wire_put_str(&b, in->cursor, strlen(in->cursor));
        } else {
            wire_put_u(&b, in->pos.dev, 8);
            wire_put_u(&b, in->pos.ino, 8);
            wire_put_u(&b, in->pos.off, 8);
            wire_put_u(&b, in->pos.hash, 8);
            wire_put_u(&b, in->pos.hlen, 4);
        }
    }
    wire_put_u(&b, k->ndays, 4);
    for (i = 0; i < k->ndays; i++) {
        wire_put_u(&b, (uint32_t) k->days[i].day, 4);
        wire_put_u(&b, (uint64_t) (k->days[i].closed != 0), 1);
        wire_put_u(&b, (uint64_t) (k->days[i].again != 0), 1);
        wire_put_u(&b, (uint64_t) k->days[i].closed_at, 8);
        run_stats_put(&b, &k->days[i].st);
    }
    wire_put_u(&b, (uint64_t) (k->dup.have != 0), 1);
    wire_put_u(&b, (uint64_t) k->dup.t, 8);
    wire_put_u(&b, (uint64_t) (k->dup.dated != 0), 1);
    for (i = 0; i < 4; i++)
        wire_put_u(&b, k->dup.len[i], 4);
    wire_put_u(&b, k->dup.hash, 8);
    wire_put_u(&b, k->nclocks, 4);
    for (i = 0; i < k->nclocks; i++) {
        wire_put_u(&b, k->feeds[i], 8);
        wire_put_u(&b, (uint64_t) k->max_t[i], 8);
    }
    agg_state_encode(k->state, &sp, &sn);
    wire_put_u(&b, sn, 8);
    wire_put(&b, sp, sn);
    xfree(sp);
    wire_set_u(&b, 16, b.n - CK_HDR, 8);
    wire_put_u(&b, XXH64(b.p, b.n, 0), 8);
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        snprintf(err, AGG_STATE_ERR, "%.160s: cannot open directory: %.60s",
                 dir, strerror(errno));
        xfree(b.p);
        return -1;
    }
    rc = afile_replace(dfd, CKPT_FILE, b.p, b.n, 0640);
    if (rc != 0)
        snprintf(err, AGG_STATE_ERR, "%.160s/%s: cannot write: %.60s", dir,
                 CKPT_FILE, strerror(errno));
    close(dfd);
    xfree(b.p);
    return rc;
}

/* ck_read - the whole file; 0, 1 when absent, -1 (a read error, or
 * larger than any checkpoint) */
static int
ck_read(const char *path, unsigned char **d, size_t *n)
{
    int     fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat sb;
    char   *data = NULL;
    int     rc;

    if (fd < 0)
        return errno == ENOENT ? 1 : -1;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    rc = afile_read_fd(fd, CK_MAX_FILE, &data, n);
    close(fd);
    *d = (unsigned char *) data;
    return rc;
}

/* ck_decode - the body; NULL, or what is wrong */
static const char *
ck_decode(struct wire_rd *r, struct ckpt *k, uint32_t version,
          const char *path, char *err)
{
    size_t  i;
    uint64_t sn;

    k->since = (int64_t) wire_get_u(r, 8);
    k->newest = (int64_t) wire_get_u(r, 8);
    k->closed = (int32_t) wire_get_u(r, 4);
    k->nin = (size_t) wire_get_u(r, 4);
    if (k->nin > CKPT_MAX_INPUTS)
        return "too many inputs";
    for (i = 0; i < k->nin && !r->bad; i++) {
        struct ckpt_input *in = &k->in[i];

        in->journal = (int) wire_get_u(r, 1);
        (void) wire_get_str(r, in->name, sizeof(in->name));
        if (in->journal) {
            (void) wire_get_str(r, in->cursor, sizeof(in->cursor));
        } else {
            in->pos.dev = wire_get_u(r, 8);
            in->pos.ino = wire_get_u(r, 8);
            in->pos.off = wire_get_u(r, 8);
            in->pos.hash = wire_get_u(r, 8);
            in->pos.hlen = (uint32_t) wire_get_u(r, 4);
            if (in->pos.hlen > TAIL_HASH_MAX)
                return "bad position";
        }
    }
    k->ndays = (size_t) wire_get_u(r, 4);
    if (k->ndays > CKPT_MAX_DAYS)
        return "too many days";
    for (i = 0; i < k->ndays && !r->bad; i++) {
        k->days[i].day = (int32_t) wire_get_u(r, 4);
        if (k->days[i].day < 0
            || (i > 0 && k->days[i].day <= k->days[i - 1].day))
            return "bad day";
        k->days[i].closed = (int) wire_get_u(r, 1);
        k->days[i].again = (int) wire_get_u(r, 1);
        k->days[i].closed_at = (int64_t) wire_get_u(r, 8);
        if (run_stats_get(r, &k->days[i].st, version > 1) != 0)
            return "statistics of another layout";
    }
    k->dup.have = (int) wire_get_u(r, 1);
    k->dup.t = (int64_t) wire_get_u(r, 8);
    k->dup.dated = (int) wire_get_u(r, 1);
    for (i = 0; i < 4; i++)
        k->dup.len[i] = (uint32_t) wire_get_u(r, 4);
    k->dup.hash = wire_get_u(r, 8);
    k->nclocks = (size_t) wire_get_u(r, 4);
    if (k->nclocks > CKPT_CLOCKS)
        return "too many correlators";
    for (i = 0; i < k->nclocks; i++) {
        k->feeds[i] = (unsigned long) wire_get_u(r, 8);
        k->max_t[i] = (int64_t) wire_get_u(r, 8);
    }
    sn = wire_get_u(r, 8);
    if (r->bad || sn != r->n - r->off)
        return "truncated or extended";
    k->state = agg_state_load_buf(r->p + r->off, (size_t) sn, path, err);
    if (k->state == NULL)
        return "";
    return NULL;
}

/* ckpt_load - read and check the checkpoint */
int
ckpt_load(const char *dir, struct ckpt *k, char *err)
{
    char    path[CKPT_NAME_MAX + 32];
    unsigned char *d = NULL;
    size_t  n = 0;
    struct wire_rd r;
    const char *why;
    uint32_t version = 0;
    int     rc;

    memset(k, 0, sizeof(*k));
    snprintf(path, sizeof(path), "%.*s/%s", CKPT_NAME_MAX, dir, CKPT_FILE);
    if ((rc = ck_read(path, &d, &n)) != 0) {
        if (rc < 0)
            snprintf(err, AGG_STATE_ERR, "%.160s: cannot read: %.80s", path,
                     strerror(errno));
        return rc > 0 ? 0 : -1;
    }
    r.p = d;
    r.n = n;
    r.off = 8;
    r.bad = 0;
    why = NULL;
    if (n < CK_HDR + 8 || memcmp(d, CK_MAGIC, 8) != 0)
        why = "not a checkpoint of mailtlsrpt follow";
    else if ((version = (uint32_t) wire_get_u(&r, 4)) < 1
             || version > CKPT_VERSION)
        why = "a checkpoint of another format version";
    else if ((void) wire_get_u(&r, 4), wire_get_u(&r, 8) != n - CK_HDR - 8)
        why = "truncated or extended";
    else if (XXH64(d, n - 8, 0) != (r.off = n - 8, wire_get_u(&r, 8)))
        why = "checksum mismatch: the file is damaged";
    if (why == NULL) {
        r.n = n - 8;
        r.off = CK_HDR;
        why = ck_decode(&r, k, version, path, err);
    }
    xfree(d);
    if (why != NULL) {
        if (*why)
            snprintf(err, AGG_STATE_ERR, "%.160s: %.90s", path, why);
        ckpt_clear(k);
        return -1;
    }
    return 1;
}

/* ckpt_clear - free what k owns */
void
ckpt_clear(struct ckpt *k)
{
    k->state = agg_state_free(k->state);
}
