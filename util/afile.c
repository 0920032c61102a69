/* util/afile.c - files that appear whole or not at all
 *
 * NAME
 *      afile - temporary file, fsync, rename, fsync directory
 * SYNOPSIS
 *      #include "util/afile.h"
 * DESCRIPTION
 *      See afile.h. Temporary names start with '.' so that directory
 *      scans can skip them; a crash can leave one behind, and its PID may
 *      come round again, hence the numbered retries of O_EXCL.
 * DIAGNOSTICS
 *      None printed: -1 with errno.
 */
#include "afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AFILE_IO_MAX (1U << 30)         /* bytes per write(2) */
#define AFILE_TRIES 100                 /* temporary names tried */

/* afile_write_all - write everything, retrying short writes; 0 or -1 */
int
afile_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len > AFILE_IO_MAX ? AFILE_IO_MAX : len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

/* afile_tmp_name - try i of the temporary name of stem in tmp[cap] */
static void
afile_tmp_name(const char *stem, int i, char *tmp, size_t cap)
{
    long    pid = (long) getpid();

    if (i == 0)
        snprintf(tmp, cap, ".%s.tmp.%ld", stem, pid);
    else
        snprintf(tmp, cap, ".%s.tmp.%ld.%d", stem, pid, i);
}

/* afile_open_tmp - create ".STEM.tmp.PID[.N]" in dfd; fd, or -1 */
static int
afile_open_tmp(int dfd, const char *stem, mode_t mode, char *tmp,
               size_t cap)
{
    int     fd;
    int     i;

    for (i = 0; i < AFILE_TRIES; i++) {
        afile_tmp_name(stem, i, tmp, cap);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
                    | O_NOFOLLOW, mode);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

/* afile_tmp - a complete, synced temporary file; 0 or -1 */
int
afile_tmp(int dfd, const char *stem, const void *data, size_t len,
          mode_t mode, char *tmp, size_t cap)
{
    int     fd;
    int     err;

    if (cap > 0)
        tmp[0] = 0;
    if (stem == NULL || *stem == 0 || strchr(stem, '/') != NULL
        || strlen(stem) > AFILE_STEM_MAX || cap < AFILE_TMP_MAX
        || (data == NULL && len > 0)) {
        errno = EINVAL;
        return -1;
    }
    if ((fd = afile_open_tmp(dfd, stem, mode, tmp, cap)) < 0) {
        tmp[0] = 0;
        return -1;
    }
    if (afile_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        err = errno;
        close(fd);
        goto fail;
    }
    if (close(fd) != 0) {
        err = errno;
        goto fail;
    }
    return 0;

fail:
    unlinkat(dfd, tmp, 0);
    tmp[0] = 0;
    errno = err;
    return -1;
}

/* afile_sync_dir - make renames and unlinks in dfd durable; 0 or -1 */
int
afile_sync_dir(int dfd)
{
    return fsync(dfd);
}

/* afile_replace - temp file, rename over name, fsync dfd; 0 or -1 */
int
afile_replace(int dfd, const char *name, const void *data, size_t len,
              mode_t mode)
{
    char    tmp[AFILE_TMP_MAX];
    int     err;

    if (name == NULL || *name == 0 || *name == '.' || strchr(name, '/')) {
        errno = EINVAL;
        return -1;
    }
    if (afile_tmp(dfd, name, data, len, mode, tmp, sizeof(tmp)) != 0)
        return -1;
    if (renameat(dfd, tmp, dfd, name) != 0) {
        err = errno;
        unlinkat(dfd, tmp, 0);
        errno = err;
        return -1;
    }
    return afile_sync_dir(dfd);
}

/* afile_out_open - a new file for dfd/name: unnamed (O_TMPFILE) where
 * it can be named later, else the temporary file; 0 or -1 */
int
afile_out_open(struct afile_out *f, int dfd, const char *name, mode_t mode)
{
    f->fd = -1;
    f->dfd = dfd;
    f->anon = 0;
    f->tmp[0] = 0;
    if (name == NULL || *name == 0 || *name == '.' || strchr(name, '/')
        || strlen(name) > AFILE_STEM_MAX) {
        errno = EINVAL;
        return -1;
    }
    memcpy(f->name, name, strlen(name) + 1);
#ifdef O_TMPFILE
    /* any failure (a file system or kernel without it, or one that
     * refuses it) leaves the answer to the named way, as before */
    if (access("/proc/self/fd", X_OK) == 0
        && (f->fd = openat(dfd, ".", O_WRONLY | O_TMPFILE | O_CLOEXEC,
                           mode)) >= 0) {
        f->anon = 1;
        return 0;
    }
#endif
    if ((f->fd = afile_open_tmp(dfd, name, mode, f->tmp,
                                sizeof(f->tmp))) < 0) {
        f->tmp[0] = 0;
        return -1;
    }
    return 0;
}

/* afile_out_link - give the unnamed file f->fd a temporary name in
 * f->dfd; 0 or -1 */
static int
afile_out_link(struct afile_out *f)
{
    char    proc[64];
    int     i;

    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->fd);
    for (i = 0; i < AFILE_TRIES; i++) {
        afile_tmp_name(f->name, i, f->tmp, sizeof(f->tmp));
        if (linkat(AT_FDCWD, proc, f->dfd, f->tmp, AT_SYMLINK_FOLLOW) == 0)
            return 0;
        if (errno != EEXIST)
            break;
    }
    f->tmp[0] = 0;
    return -1;
}

/* afile_out_done - fsync, close, name, rename over the name, fsync the
 * directory; 0 or -1 */
int
afile_out_done(struct afile_out *f)
{
    int     err;

    if (fsync(f->fd) != 0 || (f->anon && afile_out_link(f) != 0)) {
        afile_out_drop(f);
        return -1;
    }
    if (close(f->fd) != 0) {
        f->fd = -1;
        afile_out_drop(f);
        return -1;
    }
    f->fd = -1;
    if (renameat(f->dfd, f->tmp, f->dfd, f->name) != 0) {
        err = errno;
        unlinkat(f->dfd, f->tmp, 0);
        f->tmp[0] = 0;
        errno = err;
        return -1;
    }
    f->tmp[0] = 0;
    return afile_sync_dir(f->dfd);
}

/* afile_out_drop - close and remove what afile_out_open made */
void
afile_out_drop(struct afile_out *f)
{
    int     err = errno;

    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->tmp[0] != 0)
        unlinkat(f->dfd, f->tmp, 0);
    f->tmp[0] = 0;
    errno = err;
}

/* afile_read_fd - the rest of open file fd (a regular file) up to max
 * bytes, NUL-terminated; 0 or -1 with errno; fd stays open */
int
afile_read_fd(int fd, size_t max, char **data, size_t *len)
{
    struct stat st;
    char   *buf;
    size_t  got = 0;
    int     err;

    *data = NULL;
    *len = 0;
    if (fstat(fd, &st) != 0)
        return -1;
    if (!S_ISREG(st.st_mode) || (uint64_t) st.st_size > max
        || (uint64_t) st.st_size >= SIZE_MAX) {
        errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
        return -1;
    }
    if ((buf = malloc((size_t) st.st_size + 1)) == NULL) {
        errno = ENOMEM;
        return -1;
    }
    /* read one byte more than stat said: a file that grew is refused */
    for (;;) {
        ssize_t n = read(fd, buf + got, (size_t) st.st_size + 1 - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = errno;
            free(buf);
            errno = err;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t) n;
        if (got > (size_t) st.st_size) {
            free(buf);
            errno = EFBIG;
            return -1;
        }
    }
    buf[got] = 0;
    *data = buf;
    *len = got;
    return 0;
}

/* afile_read - whole file up to max bytes, NUL-terminated; 0 or -1 */
int
afile_read(int dfd, const char *name, size_t max, char **data, size_t *len)
{
    int     fd;
    int     rc;
    int     err;

    *data = NULL;
    *len = 0;
    /* O_NONBLOCK: a FIFO in place of the file must not hang the reader */
    if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW
                     | O_NONBLOCK)) < 0)
        return -1;
    rc = afile_read_fd(fd, max, data, len);
    err = errno;
    close(fd);
    errno = err;
    return rc;
}
