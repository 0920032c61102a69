/* emit/resolution/pol_cache.h - the per-domain answer cache in the state directory
 *
 * One JSON file per domain, STATE_DIR/cache/XX/DOMAIN.json (XX: two hex
 * digits of a hash of the canonical domain, so that no directory holds
 * a million files). It holds DNS answers by key ("txt:_smtp._tls",
 * "tlsa:mx.example.com", ...) with their result, AD bit, records (hex)
 * and the time they stop being valid (TTL), the MTA-STS policy with its
 * id, fetch time and expiry (max_age), and a failed fetch for five
 * minutes (RFC 8461 3.3: do not retry the same id sooner).
 * Only positive and negative answers are cached (never SERVFAIL, bogus
 * or timeouts); every TTL is capped at one day, negative ones at one
 * hour. Whatever is read back goes through the same parsers as fresh
 * answers. Files are written to a temporary name and renamed (without
 * fsync: a lost cache file is only a lookup more); a file that does not
 * parse is ignored.
 * Thread safety: one object per thread; different domains never share
 * a file.
 */
#ifndef EMIT_POL_CACHE_H
#define EMIT_POL_CACHE_H

#include <time.h>

#include "dns.h"

#define POL_CACHE_MAX_TTL 86400
#define POL_CACHE_MAX_NEG 3600
#define POL_CACHE_FAIL_TTL 300
#define POL_CACHE_MAX_FILE (1 << 20)

struct pol_cache;                       /* opaque */

struct pol_cache *pol_cache_new(void);  /* never NULL */
/* the file of domain, or an empty cache when absent or unreadable */
struct pol_cache *pol_cache_load(const char *dir, const char *domain);
struct pol_cache *pol_cache_free(struct pol_cache *c);  /* always NULL */

/* 1 and *a filled (free with dns_ans_free) when key holds an answer
 * still valid at now; else 0 */
int     pol_cache_get(const struct pol_cache *c, const char *key, time_t now,
                      struct dns_ans *a);
/* keep a's answer under key when it may be cached */
void    pol_cache_put(struct pol_cache *c, const char *key, time_t now,
                      const struct dns_ans *a);

/* the MTA-STS policy kept: 1 with id, body (malloc'd), fetched, expires */
int     pol_cache_get_policy(const struct pol_cache *c, char *id,
                             char **body, time_t *fetched, time_t *expires);
void    pol_cache_put_policy(struct pol_cache *c, const char *id,
                             const char *body, time_t fetched,
                             time_t expires);
/* a failed fetch for id still fresh at now: 1 with result, reason, error */
int     pol_cache_get_fail(const struct pol_cache *c, const char *id,
                           time_t now, int *result, char *reason,
                           size_t rcap, char *error, size_t ecap);
void    pol_cache_put_fail(struct pol_cache *c, const char *id, time_t now,
                           int result, const char *reason, const char *error);

/* write the cache of domain; 0 or -1 (reason through msg_warn once) */
int     pol_cache_save(const char *dir, const char *domain,
                       const struct pol_cache *c, time_t now);

#endif
