/* tests/fuzz/fz_state.c - fuzz target: saved states, decoded and merged
 *
 * A state file (aggregate/agg_state.h) is checked for magic, version,
 * length and an XXH64 checksum before anything is decoded, so random
 * bytes never reach the decoder. This target gives it both: an input
 * that starts with the magic is loaded as the whole file; any other
 * input is one or two bodies, separated by FZ_NEXT, each wrapped in a
 * right header and checksum, so that every mutation is decoded field by
 * field (agg_state_load_buf). What loads is then merged as "merge" does
 * (one state alone, or both) and saved, and the saved state must load
 * again; and as "report --from-state" does (whole, then
 * agg_state_finish), with the carried lines replayed through real
 * correlators (parsers/carry.h). A crash, a sanitizer report, a session
 * from a replay that the table refuses (a panic), or a saved state that
 * does not load is a finding.
 */
#include "../../aggregate/agg_state.h"
#include "../../parsers/parser.h"
#include "../../util/msg.h"
#include "../../util/mymalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#define FZ_NEXT "\nMTRNEXT\n"   /* between two bodies */
#define FZ_HDR 24

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_path[64];        /* where merged states are saved */

/* fz_load - body[0..n) as a state file with a right envelope */
static struct agg_state *
fz_load(const uint8_t *body, size_t n)
{
    unsigned char *f = xmalloc(FZ_HDR + n + 8);
    uint64_t sum;
    struct agg_state *s;
    char    err[AGG_STATE_ERR];
    int     i;

    memcpy(f, "MTRSTATE", 8);
    for (i = 0; i < 4; i++)     /* the version, big-endian; reserved */
        f[8 + i] = (unsigned char) (AGG_STATE_VERSION >> (24 - 8 * i));
    memset(f + 12, 0, 4);
    for (i = 0; i < 8; i++)
        f[16 + i] = (unsigned char) ((uint64_t) n >> (56 - 8 * i));
    if (n)
        memcpy(f + FZ_HDR, body, n);
    sum = XXH64(f, FZ_HDR + n, 0);
    for (i = 0; i < 8; i++)
        f[FZ_HDR + n + i] = (unsigned char) (sum >> (56 - 8 * i));
    s = agg_state_load_buf(f, FZ_HDR + n + 8, "fuzz", err);
    xfree(f);
    return s;
}

/* fz_roundtrip - a state we save must load again */
static void
fz_roundtrip(const struct agg_state *s)
{
    char    err[AGG_STATE_ERR];
    struct agg_state *t;

    if (agg_state_save(s, fz_path, err) != 0)
        return;                 /* a full disk is no finding */
    if ((t = agg_state_load(fz_path, err)) == NULL) {
        fprintf(stderr, "saved state does not load: %s\n", err);
        abort();
    }
    agg_state_free(t);
    unlink(fz_path);
}

/* fz_merge - merge v[0..n) as merge and as report --from-state do */
static void
fz_merge(struct agg_state *const *v, size_t n)
{
    static const struct sess_conf conf;
    static const struct carry_replay rp = {&conf, NULL};
    char    err[AGG_STATE_ERR];
    struct agg_state *m;

    if ((m = agg_state_merge(v, n, 0, &rp, err)) != NULL) {
        fz_roundtrip(m);
        agg_state_free(m);
    }
    if ((m = agg_state_merge(v, n, 1, &rp, err)) != NULL) {
        agg_state_finish(m, &rp);
        agg_state_free(m);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int started;
    struct agg_state *v[2] = {NULL, NULL};
    char    err[AGG_STATE_ERR];
    size_t  n = 0;

    if (!started) {
        started = 1;
        msg_quiet = 1;
        setenv("TZ", "UTC", 1);
        /* tmpfs where there is one: a save is synced */
        snprintf(fz_path, sizeof(fz_path), "%s/fz_state.%ld.st",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
                 (long) getpid());
    }
    if (size >= 8 && memcmp(data, "MTRSTATE", 8) == 0) {
        if ((v[0] = agg_state_load_buf(data, size, "fuzz", err)) != NULL)
            n = 1;
    } else {
        const uint8_t *sep = memmem(data, size, FZ_NEXT, strlen(FZ_NEXT));
        size_t  a = sep ? (size_t) (sep - data) : size;

        if ((v[n] = fz_load(data, a)) != NULL)
            n++;
        if (sep && (v[n] = fz_load(sep + strlen(FZ_NEXT), size - a
                                   - strlen(FZ_NEXT))) != NULL)
            n++;
    }
    if (n > 0)
        fz_merge(v, n);         /* one alone, or both */
    agg_state_free(v[0]);
    agg_state_free(v[1]);
    return 0;
}
