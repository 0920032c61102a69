/* util/par.h - one job cut in parts, run on threads and joined
 *
 * par_run() runs fn() on each of np parts laid out in one array (part
 * k at (char *) parts + k * size): parts 1 and on each on a thread of
 * its own, part 0 on the calling thread, which also runs any part no
 * thread could be made for. It returns when every part is done, so
 * what the parts wrote is visible to the caller (pthread_join).
 * Cost: np - 1 thread creations. Thread safety: the parts must not
 * share what they write.
 */
#ifndef UTIL_PAR_H
#define UTIL_PAR_H

#include <stddef.h>

void    par_run(void *(*fn)(void *), void *parts, size_t size, int np);

#endif
