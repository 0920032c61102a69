/* emit/resolution/pol_cache.c - the per-domain answer cache (see pol_cache.h)
 *
 * NAME
 *      pol_cache - keep DNS answers and MTA-STS policies between runs
 * SYNOPSIS
 *      #include "emit/resolution/pol_cache.h"
 * DESCRIPTION
 *      File layout (JSON, written with jansson):
 *        {"v":1, "domain":"example.com", "saved":T,
 *         "dns":{"KEY":{"rc":"ok","ad":0,"until":T,"rr":["HEX",...],
 *                       "pref":[10,...]}},
 *         "policy":{"id":"ID","body":"version: STSv1\n...",
 *                   "fetched":T,"expires":T},
 *         "fail":{"id":"ID","until":T,"type":N,"reason":"..","error":".."}}
 *      Records are hex so that any byte of a TXT record survives; they
 *      are parsed again after reading, as fresh answers are.
 *
 *      A file left by an older run may be damaged or written by someone
 *      else: it is opened without following a symlink or blocking on a
 *      FIFO, must be a regular file of at most POL_CACHE_MAX_FILE bytes,
 *      and every entry is checked as a fresh answer would be: an
 *      expiry no further away than the TTL cap, A/AAAA records canonical
 *      addresses, MX records host names, TLSA records printable text, a
 *      policy id 1..32 letters and digits and a policy expiry within
 *      STS_MAX_AGE. Whatever fails is a cache miss (fetched anew).
 *      Directories are made 0750 and files 0640, like the rest of the
 *      state directory: the file names are the domains we sent mail to.
 * DIAGNOSTICS
 *      A cache that cannot be written is reported once per process with
 *      msg_warn(); reading never reports (a bad file is a cache miss).
 */
#include "pol_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "../../global/sess.h"
#include "sts.h"
#include "../../util/dname.h"
#include "../../util/ipaddr.h"
#include "../../util/msg.h"
#include "../../util/mymalloc.h"

struct pol_cache {
    json_t *root;
};

static atomic_int pol_cache_warned;

/* pol_cache_new - an empty cache */
struct pol_cache *
pol_cache_new(void)
{
    struct pol_cache *c = xcalloc(1, sizeof(*c));

    c->root = xneed(json_object(), "json");
    return c;
}

/* pol_cache_free - release */
struct pol_cache *
pol_cache_free(struct pol_cache *c)
{
    if (c != NULL) {
        json_decref(c->root);
        free(c);
    }
    return NULL;
}

/* pol_cache_path - STATE/cache/XX/DOMAIN.json; dir_only: up to XX */
static int
pol_cache_path(const char *dir, const char *domain, char *buf, size_t cap,
               int dir_only)
{
    unsigned h = 2166136261u;   /* FNV-1a */
    const char *p;
    int     n;

    if (!dname_valid(domain))
        return -1;
    for (p = domain; *p; p++)
        h = (h ^ (unsigned char) *p) * 16777619u;
    if (dir_only)
        n = snprintf(buf, cap, "%s/cache/%02x", dir, h & 0xff);
    else
        n = snprintf(buf, cap, "%s/cache/%02x/%s.json", dir, h & 0xff,
                     domain);
    return n < 0 || (size_t) n >= cap ? -1 : 0;
}

/* pol_cache_load - read the file of domain (empty cache when absent) */
struct pol_cache *
pol_cache_load(const char *dir, const char *domain)
{
    struct pol_cache *c = pol_cache_new();
    char    path[4096];
    json_error_t jerr;
    json_t *root;
    struct stat st;
    int     fd;

    if (dir == NULL || pol_cache_path(dir, domain, path, sizeof(path), 0))
        return c;
    /* O_NONBLOCK: a FIFO planted at the path must not hang the run */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
        return c;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)
        || st.st_size > POL_CACHE_MAX_FILE) {
        close(fd);
        return c;
    }
    root = json_loadfd(fd, JSON_REJECT_DUPLICATES, &jerr);
    close(fd);
    if (root == NULL)
        return c;
    if (!json_is_object(root) || json_integer_value(json_object_get(root,
                                                                    "v")) != 1
        || !json_is_string(json_object_get(root, "domain"))
        || strcmp(json_string_value(json_object_get(root, "domain")),
                  domain) != 0) {
        json_decref(root);
        return c;
    }
    json_decref(c->root);
    c->root = root;
    return c;
}

/* pol_cache_unhex - hex text into a malloc'd buffer; -1 when bad */
static int
pol_cache_unhex(const char *hex, char **out, size_t *len)
{
    size_t  n = strlen(hex);
    size_t  i;
    char   *b;

    if (n % 2 != 0 || n / 2 > DNS_MAX_TXT + 1)
        return -1;
    b = xmalloc(n / 2 + 1);
    for (i = 0; i < n / 2; i++) {
        int     v = 0;
        int     k;

        for (k = 0; k < 2; k++) {
            char    ch = hex[2 * i + (size_t) k];

            v <<= 4;
            if (ch >= '0' && ch <= '9')
                v |= ch - '0';
            else if (ch >= 'a' && ch <= 'f')
                v |= ch - 'a' + 10;
            else {
                free(b);
                return -1;
            }
        }
        b[i] = (char) v;
    }
    b[n / 2] = 0;
    *out = b;
    *len = n / 2;
    return 0;
}

/* pol_cache_rr_ok - 1 when a cached record is what a fresh answer of
 * the key's type holds (emit/resolution/dns.c): TXT any bytes, A/AAAA a canonical
 * address (an AAAA of ::ffff:a.b.c.d is kept as a.b.c.d), MX a host name ("" for a null MX), TLSA printable text */
static int
pol_cache_rr_ok(const char *key, const char *data, size_t len)
{
    char    canon[IPADDR_MAX + 1];
    size_t  i;

    if (strncmp(key, "txt:", 4) == 0)
        return 1;
    if (strlen(data) != len)
        return 0;               /* NUL byte inside */
    if (strncmp(key, "a:", 2) == 0 || strncmp(key, "aaaa:", 5) == 0)
        return ipaddr_norm(data, len, canon) == 0 && strcmp(canon, data) == 0;
    if (strcmp(key, "mx") == 0)
        return len == 0 || dname_valid(data);
    for (i = 0; i < len; i++)
        if ((unsigned char) data[i] < 0x20 || (unsigned char) data[i] >= 0x7f)
            return 0;
    return 1;
}

/* pol_cache_get - a still valid answer under key */
int
pol_cache_get(const struct pol_cache *c, const char *key, time_t now,
              struct dns_ans *a)
{
    json_t *e = json_object_get(json_object_get(c->root, "dns"), key);
    json_t *rr, *pref;
    const char *rc;
    json_int_t until;
    size_t  i;

    memset(a, 0, sizeof(*a));
    if (!json_is_object(e)
        || (until = json_integer_value(json_object_get(e, "until")))
        <= (json_int_t) now
        || (rc = json_string_value(json_object_get(e, "rc"))) == NULL)
        return 0;
    if (strcmp(rc, "ok") == 0)
        a->rc = DNS_OK;
    else if (strcmp(rc, "nodata") == 0)
        a->rc = DNS_NODATA;
    else if (strcmp(rc, "nxdomain") == 0)
        a->rc = DNS_NXDOMAIN;
    else
        return 0;
    /* no answer is kept longer than pol_cache_put() would keep it: a
     * file with a far "until" must not pin an answer for good */
    if (until - (json_int_t) now > (a->rc == DNS_OK ? POL_CACHE_MAX_TTL
                                    : POL_CACHE_MAX_NEG)) {
        a->rc = 0;
        return 0;
    }
    a->ad = json_is_true(json_object_get(e, "ad"));
    a->ttl = (uint32_t) (json_integer_value(json_object_get(e, "until"))
                         - (json_int_t) now);
    rr = json_object_get(e, "rr");
    pref = json_object_get(e, "pref");
    for (i = 0; json_is_array(rr) && i < json_array_size(rr)
         && i < DNS_MAX_RR; i++) {
        const char *hex = json_string_value(json_array_get(rr, i));
        struct dns_rr *r = &a->rr[a->n];

        if (hex == NULL || pol_cache_unhex(hex, &r->data, &r->len) != 0) {
            dns_ans_free(a);
            return 0;
        }
        if (!pol_cache_rr_ok(key, r->data, r->len)) {
            a->n++;
            dns_ans_free(a);
            return 0;
        }
        r->pref = (unsigned) json_integer_value(json_array_get(pref, i));
        a->n++;
    }
    if ((a->rc == DNS_OK) != (a->n > 0)) {
        dns_ans_free(a);
        return 0;
    }
    if (a->rc != DNS_OK)
        snprintf(a->why, DNS_MSG, "%s (cached)", rc);
    return 1;
}

/* pol_cache_dns - the "dns" object, created on demand */
static json_t *
pol_cache_dns(struct pol_cache *c)
{
    json_t *d = json_object_get(c->root, "dns");

    if (d == NULL) {
        d = json_object();
        if (d == NULL || json_object_set_new(c->root, "dns", d) != 0)
            xnomem("json");
    }
    return d;
}

/* pol_cache_put - keep an answer for its TTL, capped */
void
pol_cache_put(struct pol_cache *c, const char *key, time_t now,
              const struct dns_ans *a)
{
    static const char hex[] = "0123456789abcdef";
    uint32_t ttl = a->ttl;
    json_t *e, *rr, *pref;
    size_t  i, k;

    if (a->rc != DNS_OK && a->rc != DNS_NODATA && a->rc != DNS_NXDOMAIN)
        return;
    if (ttl > (a->rc == DNS_OK ? POL_CACHE_MAX_TTL : POL_CACHE_MAX_NEG))
        ttl = a->rc == DNS_OK ? POL_CACHE_MAX_TTL : POL_CACHE_MAX_NEG;
    if (ttl == 0)
        return;
    e = json_object();
    rr = json_array();
    pref = json_array();
    if (e == NULL || rr == NULL || pref == NULL)
        xnomem("json");
    for (i = 0; i < a->n; i++) {
        char   *h = xmalloc(2 * a->rr[i].len + 1);

        for (k = 0; k < a->rr[i].len; k++) {
            h[2 * k] = hex[(unsigned char) a->rr[i].data[k] >> 4];
            h[2 * k + 1] = hex[(unsigned char) a->rr[i].data[k] & 15];
        }
        h[2 * k] = 0;
        json_array_append_new(rr, json_string(h));
        json_array_append_new(pref, json_integer(a->rr[i].pref));
        free(h);
    }
    json_object_set_new(e, "rc", json_string(dns_rc_name(a->rc)));
    json_object_set_new(e, "ad", json_boolean(a->ad));
    json_object_set_new(e, "until", json_integer((json_int_t) now + ttl));
    json_object_set_new(e, "rr", rr);
    json_object_set_new(e, "pref", pref);
    json_object_set_new(pol_cache_dns(c), key, e);
}

/* pol_cache_get_policy - the kept MTA-STS policy */
int
pol_cache_get_policy(const struct pol_cache *c, char *id, char **body,
                     time_t *fetched, time_t *expires)
{
    json_t *p = json_object_get(c->root, "policy");
    const char *i = json_string_value(json_object_get(p, "id"));
    const char *b = json_string_value(json_object_get(p, "body"));

    json_int_t f = json_integer_value(json_object_get(p, "fetched"));
    json_int_t x = json_integer_value(json_object_get(p, "expires"));
    size_t  k;

    if (i == NULL || b == NULL || strlen(i) > STS_MAX_ID
        || strlen(b) > STS_MAX_BODY)
        return 0;
    /* id 1*32(ALPHA / DIGIT) (RFC 8461 3.1): it reaches reports */
    for (k = 0; i[k]; k++)
        if (!((i[k] >= 'a' && i[k] <= 'z') || (i[k] >= 'A' && i[k] <= 'Z')
              || (i[k] >= '0' && i[k] <= '9')))
            return 0;
    /* a policy lives max_age from its fetch, max_age <= STS_MAX_AGE */
    if (k == 0 || f <= 0 || x < f || x - f > STS_MAX_AGE)
        return 0;
    strcpy(id, i);
    *body = xstrdup(b);
    *fetched = (time_t) f;
    *expires = (time_t) x;
    return 1;
}

/* pol_cache_put_policy - keep the MTA-STS policy in force */
void
pol_cache_put_policy(struct pol_cache *c, const char *id, const char *body,
                     time_t fetched, time_t expires)
{
    json_t *p = xneed(json_object(), "json");

    json_object_set_new(p, "id", json_string(id));
    json_object_set_new(p, "body", json_string(body));
    json_object_set_new(p, "fetched", json_integer((json_int_t) fetched));
    json_object_set_new(p, "expires", json_integer((json_int_t) expires));
    json_object_set_new(c->root, "policy", p);
}

/* pol_cache_get_fail - a recent failed fetch for the same id */
int
pol_cache_get_fail(const struct pol_cache *c, const char *id, time_t now,
                   int *result, char *reason, size_t rcap, char *error,
                   size_t ecap)
{
    json_t *f = json_object_get(c->root, "fail");
    const char *i = json_string_value(json_object_get(f, "id"));
    const char *r = json_string_value(json_object_get(f, "reason"));
    const char *e = json_string_value(json_object_get(f, "error"));
    json_int_t t = json_integer_value(json_object_get(f, "type"));

    if (i == NULL || r == NULL || e == NULL || strcmp(i, id) != 0
        || json_integer_value(json_object_get(f, "until")) <= (json_int_t) now
        || (t != SESS_STS_POLICY_FETCH_ERROR
            && t != SESS_STS_WEBPKI_INVALID
            && t != SESS_STS_POLICY_INVALID))
        return 0;
    *result = (int) t;
    snprintf(reason, rcap, "%s", r);
    snprintf(error, ecap, "%s (cached)", e);
    return 1;
}

/* pol_cache_put_fail - remember a failed fetch for five minutes */
void
pol_cache_put_fail(struct pol_cache *c, const char *id, time_t now,
                   int result, const char *reason, const char *error)
{
    json_t *f = xneed(json_object(), "json");

    json_object_set_new(f, "id", json_string(id));
    json_object_set_new(f, "until",
                        json_integer((json_int_t) now + POL_CACHE_FAIL_TTL));
    json_object_set_new(f, "type", json_integer(result));
    json_object_set_new(f, "reason", json_string(reason));
    json_object_set_new(f, "error", json_string(error));
    json_object_set_new(c->root, "fail", f);
}

/* pol_cache_mkdir - mkdir -p of STATE/cache/XX; 0750 as the state
 * directory itself (the files name every domain we sent mail to: not
 * for other users to list) */
static int
pol_cache_mkdir(const char *path)
{
    char    buf[4096];
    char   *p;

    if (strlen(path) >= sizeof(buf))
        return -1;
    strcpy(buf, path);
    for (p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0750) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0750) != 0 && errno != EEXIST ? -1 : 0;
}

/* pol_cache_warn - report a write problem once per process */
static void
pol_cache_warn(const char *what, const char *path)
{
    int     err = errno;

    if (atomic_exchange(&pol_cache_warned, 1) == 0)
        msg_warn("cache: %s %s: %s (further cache errors not shown)", what,
                 path, strerror(err));
}

/* pol_cache_save - write the cache file of domain atomically */
int
pol_cache_save(const char *dir, const char *domain,
               const struct pol_cache *c, time_t now)
{
    char    path[4096];
    char    tmp[4200];
    FILE   *fp;
    int     fd;

    if (dir == NULL || pol_cache_path(dir, domain, path, sizeof(path), 1))
        return -1;
    if (pol_cache_mkdir(path) != 0) {
        pol_cache_warn("cannot create", path);
        return -1;
    }
    pol_cache_path(dir, domain, path, sizeof(path), 0);
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long) getpid());
    json_object_set_new(c->root, "v", json_integer(1));
    json_object_set_new(c->root, "domain", json_string(domain));
    json_object_set_new(c->root, "saved", json_integer((json_int_t) now));
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                   0640)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
        pol_cache_warn("cannot write", tmp);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (json_dumpf(c->root, fp, JSON_COMPACT | JSON_SORT_KEYS) != 0
        || fclose(fp) != 0) {
        pol_cache_warn("cannot write", tmp);
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        pol_cache_warn("cannot rename to", path);
        unlink(tmp);
        return -1;
    }
    return 0;
}
