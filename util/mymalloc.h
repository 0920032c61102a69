/* util/mymalloc.h - allocation that either succeeds or does not return
 *
 * The x-functions call msg_fatal() when memory is exhausted; they never
 * return NULL. xfree(NULL) is a no-op and returns NULL so callers can
 * write p = xfree(p). Memory that a library allocates (jansson, libcurl,
 * stdio's memory streams) comes back NULL when it runs out: xneed() and
 * xnomem() make that the same fatal error, so that out of memory ends
 * the program here and nowhere else. Thread safety: as malloc(3).
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

/* p, or msg_fatal("out of memory (what)") when it is NULL */
void   *xneed(void *p, const char *what);

/* msg_fatal("out of memory (what)"); does not return */
_Noreturn void xnomem(const char *what);

#endif
