/* tests/t_afile.c - util/afile: a file written by parts appears whole
 * or not at all
 *
 * afile_out_open .. afile_out_done (util/afile.h): the new content
 * replaces the old at done and not before; while it is written the
 * directory holds the old file only (Linux, O_TMPFILE: the new one has
 * no name), and nothing is left after a drop or a failed write (a file
 * size limit, RLIMIT_FSIZE, stands in for a full disk); names that are
 * no plain file name are refused. afile_replace and afile_read round
 * trip.
 */
#include "../util/afile.h"
#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* entries - the names in dir (but . and ..), joined by spaces, sorted
 * by readdir order: a count is enough where order does not matter */
static int
entries(const char *dir, char *names, size_t cap)
{
    DIR    *d = opendir(dir);
    struct dirent *e;
    int     n = 0;

    names[0] = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (strlen(names) + strlen(e->d_name) + 2 < cap) {
            strcat(names, " ");
            strcat(names, e->d_name);
        }
    }
    closedir(d);
    return n;
}

/* content - dfd/name holds exactly want */
static int
content(int dfd, const char *name, const char *want)
{
    char   *data;
    size_t  len;
    int     same;

    if (afile_read(dfd, name, 1 << 20, &data, &len) != 0)
        return 0;
    same = len == strlen(want) && memcmp(data, want, len) == 0;
    free(data);
    return same;
}

int
main(void)
{
    char    dir[] = "/tmp/t_afile.XXXXXX";
    char    names[512];
    char    big[4096];
    struct afile_out f;
    struct rlimit old, lim;
    int     dfd, n;

    if (mkdtemp(dir) == NULL || (dfd = open(dir, O_RDONLY | O_DIRECTORY))
        < 0) {
        perror("t_afile: a temporary directory");
        return 1;
    }

    /* afile_replace, afile_read */
    T_CHECK(afile_replace(dfd, "out", "old\n", 4, 0644) == 0,
            "afile_replace writes a new file");
    T_CHECK(content(dfd, "out", "old\n"), "afile_read reads it back");

    /* by parts: the old file until done, then the new one whole */
    T_CHECK(afile_out_open(&f, dfd, "out", 0644) == 0, "afile_out_open");
    T_CHECK(write(f.fd, "new ", 4) == 4, "a first part");
    n = entries(dir, names, sizeof(names));
#ifdef O_TMPFILE
    if (f.anon)
        T_CHECK(n == 1, "while written, the old file alone (O_TMPFILE):"
                "%s", names);
    else
#endif
        T_CHECK(n == 2, "while written, the old file and a temporary "
                "one:%s", names);
    T_CHECK(content(dfd, "out", "old\n"), "the old content until done");
    T_CHECK(write(f.fd, "content\n", 8) == 8, "a second part");
    T_CHECK(afile_out_done(&f) == 0, "afile_out_done");
    T_CHECK(content(dfd, "out", "new content\n"), "the new content whole");
    n = entries(dir, names, sizeof(names));
    T_CHECK(n == 1, "after done, one file:%s", names);

    /* dropped: the old file as it was, nothing else */
    T_CHECK(afile_out_open(&f, dfd, "out", 0644) == 0, "open again");
    T_CHECK(write(f.fd, "half", 4) == 4, "a part");
    errno = ENOSPC;
    afile_out_drop(&f);
    T_CHECK(errno == ENOSPC, "drop keeps errno");
    T_CHECK(content(dfd, "out", "new content\n"), "dropped: old content");
    n = entries(dir, names, sizeof(names));
    T_CHECK(n == 1, "dropped: nothing left:%s", names);

    /* a write that fails (file size limit, as a full disk): the caller
     * drops; nothing left, the old file whole */
    signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 1024;
    memset(big, 'x', sizeof(big));
    T_CHECK(afile_out_open(&f, dfd, "out", 0644) == 0, "open, small limit");
    T_CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0, "RLIMIT_FSIZE 1024");
    T_CHECK(write(f.fd, big, sizeof(big)) != (ssize_t) sizeof(big)
            && (write(f.fd, big, sizeof(big)) < 0 && errno == EFBIG),
            "a write past the limit fails: EFBIG");
    setrlimit(RLIMIT_FSIZE, &old);
    afile_out_drop(&f);
    T_CHECK(content(dfd, "out", "new content\n"), "failed: old content");
    n = entries(dir, names, sizeof(names));
    T_CHECK(n == 1, "failed: nothing left:%s", names);

    /* a new name: appears at done */
    T_CHECK(afile_out_open(&f, dfd, "fresh", 0600) == 0, "a new name");
    T_CHECK(entries(dir, names, sizeof(names)) == (f.anon ? 1 : 2),
            "not there before done:%s", names);
    T_CHECK(afile_out_done(&f) == 0 && content(dfd, "fresh", ""),
            "an empty file at done");

    /* names refused */
    T_CHECK(afile_out_open(&f, dfd, "a/b", 0644) == -1 && errno == EINVAL,
            "a slash: EINVAL");
    T_CHECK(afile_out_open(&f, dfd, ".hidden", 0644) == -1
            && errno == EINVAL, "a leading dot: EINVAL");
    T_CHECK(afile_out_open(&f, dfd, "", 0644) == -1 && errno == EINVAL,
            "empty: EINVAL");
    memset(big, 'n', 201);
    big[201] = 0;
    T_CHECK(afile_out_open(&f, dfd, big, 0644) == -1 && errno == EINVAL,
            "201 bytes: EINVAL");
    n = entries(dir, names, sizeof(names));
    T_CHECK(n == 2, "refused: nothing created:%s", names);

    unlinkat(dfd, "out", 0);
    unlinkat(dfd, "fresh", 0);
    close(dfd);
    rmdir(dir);
    return T_DONE();
}
