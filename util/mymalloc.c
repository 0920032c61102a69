/* util/mymalloc.c - allocation that either succeeds or does not return */
#include "mymalloc.h"
#include "msg.h"

#include <stdlib.h>
#include <string.h>

/* xmalloc - allocate len bytes (at least 1); never NULL */
void   *
xmalloc(size_t len)
{
    void   *p = malloc(len ? len : 1);

    if (p == NULL)
        msg_fatal("out of memory allocating %zu bytes", len);
    return p;
}

/* xcalloc - allocate zeroed array; never NULL, checks overflow */
void   *
xcalloc(size_t nmemb, size_t size)
{
    void   *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

    if (p == NULL)
        msg_fatal("out of memory allocating %zu x %zu bytes", nmemb, size);
    return p;
}

/* xrealloc - resize; never NULL */
void   *
xrealloc(void *ptr, size_t len)
{
    void   *p = realloc(ptr, len ? len : 1);

    if (p == NULL)
        msg_fatal("out of memory reallocating %zu bytes", len);
    return p;
}

/* xstrdup - copy a string */
char   *
xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

/* xstrndup - copy at most len bytes and terminate */
char   *
xstrndup(const char *s, size_t len)
{
    char   *p = xmalloc(len + 1);

    memcpy(p, s, len);
    p[len] = 0;
    return p;
}

/* xfree - free and return NULL */
void   *
xfree(void *ptr)
{
    free(ptr);
    return NULL;
}

/* xneed - a library's allocation that must not be NULL */
void   *
xneed(void *p, const char *what)
{
    if (p == NULL)
        xnomem(what);
    return p;
}

/* xnomem - a library ran out of memory */
_Noreturn void
xnomem(const char *what)
{
    msg_fatal("out of memory (%s)", what);
}
