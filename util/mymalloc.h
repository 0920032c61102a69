/* util/mymalloc.h - allocation that either succeeds or does not return
 *
 * The x-functions call msg_fatal() when memory is exhausted; they never
 * return NULL. xfree(NULL) is a no-op and returns NULL so callers can
 * write p = xfree(p). Thread safety: as malloc(3).
 */
#ifndef UTIL_MYMALLOC_H
#define UTIL_MYMALLOC_H

#include <stddef.h>

void   *xmalloc(size_t len);
void   *xcalloc(size_t nmemb, size_t size);
void   *xrealloc(void *ptr, size_t len);
char   *xstrdup(const char *s);
char   *xstrndup(const char *s, size_t len);
void   *xfree(void *ptr);

#endif
