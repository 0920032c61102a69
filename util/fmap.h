/* util/fmap.h - a regular file mapped read-only, safe against truncation
 *
 * Reading a large file through a mapping saves the copy read(2) makes
 * of every byte (the kernel's page cache is read in place). A mapping
 * has one hazard read(2) has not: when the file shrinks under it (say,
 * a log rotated with copytruncate while it is read), touching a page
 * past the new end raises SIGBUS. fmap catches that signal for its own
 * mappings only, puts a page of zero bytes in place of the lost one and
 * notes it: the reader sees NUL bytes there (which it counts as bad
 * lines) and fmap_shrunk() tells it so, instead of the process dying.
 * A SIGBUS at any other address keeps its default action.
 *
 * Pages read once are handed back with fmap_release() (the page cache
 * keeps them; a later touch reads them in again), so that the resident
 * size stays bounded by what is being read, not by the file size.
 * Thread safety: the data may be read from any thread; fmap_release()
 * and fmap_close() by one thread at a time.
 */
#ifndef UTIL_FMAP_H
#define UTIL_FMAP_H

#include <stddef.h>

struct fmap;

/* map len bytes of fd from offset 0; NULL when the file cannot be
 * mapped (the caller reads it instead) or len is 0 */
struct fmap *fmap_open(int fd, size_t len);

const unsigned char *fmap_data(const struct fmap *m);
size_t  fmap_len(const struct fmap *m);

/* bytes before upto are not needed again soon: their pages leave the
 * resident set (still readable: a touch reads them back in) */
void    fmap_release(struct fmap *m, size_t upto);

/* 1 when part of the mapping was lost to the file shrinking and reads
 * there gave NUL bytes */
int     fmap_shrunk(const struct fmap *m);

struct fmap *fmap_close(struct fmap *m);        /* always NULL */

#endif
