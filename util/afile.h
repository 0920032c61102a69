/* util/afile.h - files that appear whole or not at all
 *
 * The pattern every durable write in mailtlsrpt follows: write a new
 * temporary file (O_CREAT|O_EXCL, never following a symlink), fsync it,
 * close it, rename(2) it over the final name, fsync the directory. A
 * crash at any point leaves the old file or the new one, never a mix.
 *
 * afile_tmp() does the first half and leaves the rename to the caller,
 * who may rename into another directory of the same file system (the
 * spool moves jobs between state directories this way). afile_replace()
 * is the whole sequence within one directory. afile_read() reads a file
 * whole, up to a bound; afile_read_fd() one the caller opened.
 *
 * afile_out_open() .. afile_out_done() is afile_replace() for data
 * written by parts, when it is too large to hold whole (summary's -o):
 * the caller writes to the descriptor it is given, then done fsyncs
 * it, names it and renames it over the final name, or drop throws it
 * away. Where Linux has O_TMPFILE (and /proc/self/fd to name such a
 * file by) the file has no name until done links it under a temporary
 * one: a crash or a kill while it is written leaves nothing behind.
 * Elsewhere it is the temporary file of afile_tmp(), removed by drop.
 *
 * Errors: -1 with errno set; nothing is printed (callers say what the
 * file was for). Thread safety: no shared state; directories are passed
 * as descriptors so that a caller can hold them open.
 */
#ifndef UTIL_AFILE_H
#define UTIL_AFILE_H

#include <stddef.h>
#include <sys/types.h>

#define AFILE_TMP_MAX 300       /* room for a temporary name */
#define AFILE_STEM_MAX 200      /* bytes of a name made temporary */

/* write(2) all of buf, retrying short writes and EINTR; 0 or -1 */
int     afile_write_all(int fd, const void *buf, size_t len);

/* new file ".STEM.tmp.PID[.N]" in dfd holding data, fsync'd and closed;
 * its name in tmp[cap]; 0, or -1 (a partial temporary file is removed).
 * stem: a plain file name (no '/'), at most 200 bytes */
int     afile_tmp(int dfd, const char *stem, const void *data, size_t len,
                  mode_t mode, char *tmp, size_t cap);

/* fsync(2) a directory descriptor; 0 or -1 */
int     afile_sync_dir(int dfd);

/* atomically replace dfd/name with data: afile_tmp, rename, fsync dfd.
 * On failure before the rename the old file is untouched; 0 or -1 */
int     afile_replace(int dfd, const char *name, const void *data,
                      size_t len, mode_t mode);

/* a file being written for afile_out_done() (the caller's, not to be
 * touched but fd) */
struct afile_out {
    int     fd;                 /* write the data here */
    int     dfd;                /* the directory, the caller's */
    int     anon;               /* O_TMPFILE: no name yet */
    char    name[AFILE_STEM_MAX + 1];
    char    tmp[AFILE_TMP_MAX]; /* the temporary name, once it has one */
};

/* start dfd/name anew (name: a plain file name of at most
 * AFILE_STEM_MAX bytes, not starting with '.'): a new file open for
 * writing in f->fd; 0, or -1 with errno (nothing created) */
int     afile_out_open(struct afile_out *f, int dfd, const char *name,
                       mode_t mode);

/* fsync f->fd, close it, rename the file over dfd/name, fsync dfd; 0,
 * or -1 with errno: before the rename nothing is left and the old file
 * is untouched */
int     afile_out_done(struct afile_out *f);

/* close f->fd and remove the file; errno is kept */
void    afile_out_drop(struct afile_out *f);

/* read dfd/name whole into a malloc'd buffer with a NUL after the data;
 * -1 with errno EFBIG when longer than max, ENOENT etc. as open(2) */
int     afile_read(int dfd, const char *name, size_t max, char **data,
                   size_t *len);

/* the same for a file the caller opened (following links, say); fd is
 * left open */
int     afile_read_fd(int fd, size_t max, char **data, size_t *len);

#endif
