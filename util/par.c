/* util/par.c - one job cut in parts, run on threads and joined (par.h) */
#include "par.h"

#include <pthread.h>
#include <stdlib.h>

#include "mymalloc.h"

/* par_run - fn() of every part, parts 1.. on threads of their own */
void
par_run(void *(*fn)(void *), void *parts, size_t size, int np)
{
    char   *base = parts;
    pthread_t *th;
    int     nth;
    int     k;

    if (np <= 0)
        return;
    th = xmalloc((size_t) np * sizeof(*th));
    for (k = 1, nth = 0; k < np; k++, nth++)
        if (pthread_create(&th[k - 1], NULL, fn, base + (size_t) k * size)
            != 0)
            break;
    (void) fn(base);
    for (k = nth + 1; k < np; k++)      /* parts no thread took */
        (void) fn(base + (size_t) k * size);
    for (k = 0; k < nth; k++)
        pthread_join(th[k], NULL);
    free(th);
}
