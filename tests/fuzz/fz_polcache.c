/* tests/fuzz/fz_polcache.c - fuzz target: the policy cache file loader
 *
 * The input is the content of one cache file (STATE/cache/XX/DOMAIN.json,
 * emit/resolution/pol_cache.c), as an older run, a damaged disk or someone with
 * write access to the state directory may have left it. Loading it and
 * asking for every kind of entry must never crash, and what comes back
 * must be what a fresh lookup could give: an expiry within the TTL caps,
 * canonical addresses under A/AAAA keys, host names under MX, printable
 * TLSA text, a policy id of 1..32 letters and digits with an expiry at
 * most STS_MAX_AGE after its fetch.
 */
#include "../../emit/resolution/pol_cache.h"
#include "../../emit/resolution/sts.h"
#include "../../util/dname.h"
#include "../../util/ipaddr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FZ_NOW ((time_t) 1700000000)
#define FZ_DOM "example.org"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_root[64];
static char fz_path[256];

/* fz_cleanup - remove the state directory at exit */
static void
fz_cleanup(void)
{
    char    dir[256];

    unlink(fz_path);
    rmdir(strrchr(strcpy(dir, fz_path), '/') ? (*strrchr(dir, '/') = 0, dir)
          : dir);
    snprintf(dir, sizeof(dir), "%s/cache", fz_root);
    rmdir(dir);
    rmdir(fz_root);
}

/* fz_setup - a private state directory and the file name of FZ_DOM */
static void
fz_setup(void)
{
    unsigned h = 2166136261u;
    const char *p;
    char    dir[128];

    if (fz_root[0])
        return;
    snprintf(fz_root, sizeof(fz_root), "/tmp/fz_polcache.%ld",
             (long) getpid());
    for (p = FZ_DOM; *p; p++)
        h = (h ^ (unsigned char) *p) * 16777619u;
    mkdir(fz_root, 0700);
    snprintf(dir, sizeof(dir), "%s/cache", fz_root);
    mkdir(dir, 0700);
    snprintf(dir, sizeof(dir), "%s/cache/%02x", fz_root, h & 0xff);
    mkdir(dir, 0700);
    snprintf(fz_path, sizeof(fz_path), "%s/" FZ_DOM ".json", dir);
    atexit(fz_cleanup);
}

/* fz_check - one key's answer, if any, holds only valid data */
static void
fz_check(const struct pol_cache *c, const char *key)
{
    struct dns_ans a;
    char    canon[IPADDR_MAX + 1];
    size_t  i, k;

    if (!pol_cache_get(c, key, FZ_NOW, &a))
        return;
    if (a.ttl > POL_CACHE_MAX_TTL || a.n > DNS_MAX_RR
        || (a.rc == DNS_OK) != (a.n > 0))
        abort();
    for (i = 0; i < a.n; i++) {
        const char *d = a.rr[i].data;

        if (d == NULL || d[a.rr[i].len] != 0)
            abort();
        if (strncmp(key, "a:", 2) == 0 || strncmp(key, "aaaa:", 5) == 0) {
            if (ipaddr_norm(d, a.rr[i].len, canon) != 0
                || strcmp(canon, d) != 0)
                abort();
        } else if (strcmp(key, "mx") == 0) {
            if (*d && !dname_valid(d))
                abort();
        } else if (strncmp(key, "tlsa:", 5) == 0) {
            for (k = 0; k < a.rr[i].len; k++)
                if ((unsigned char) d[k] < 0x20 || (unsigned char) d[k] >= 0x7f)
                    abort();
        }
    }
    dns_ans_free(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {
        "txt:_smtp._tls", "txt:_mta-sts", "a:mta-sts", "aaaa:mta-sts", "mx",
        "a:mx.example.org", "aaaa:mx.example.org", "tlsa:mx.example.org",
    };
    struct pol_cache *c;
    char    id[STS_MAX_ID + 1];
    char    reason[64], error[256];
    char   *body = NULL;
    time_t  f, x;
    int     result;
    size_t  i;
    FILE   *fp;

    fz_setup();
    if ((fp = fopen(fz_path, "wb")) == NULL)
        abort();
    if (size > 0 && fwrite(data, 1, size, fp) != size)
        abort();
    if (fclose(fp) != 0)
        abort();
    c = pol_cache_load(fz_root, FZ_DOM);
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        fz_check(c, keys[i]);
    if (pol_cache_get_policy(c, id, &body, &f, &x)) {
        if (id[0] == 0 || strlen(id) > STS_MAX_ID || x < f
            || x - f > STS_MAX_AGE || body == NULL)
            abort();
        for (i = 0; id[i]; i++)
            if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z')
                  || (id[i] >= '0' && id[i] <= '9')))
                abort();
        free(body);
    }
    (void) pol_cache_get_fail(c, "abc", FZ_NOW, &result, reason,
                              sizeof(reason), error, sizeof(error));
    pol_cache_free(c);
    unlink(fz_path);
    return 0;
}
