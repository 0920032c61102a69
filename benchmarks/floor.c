/* benchmarks/floor.c - what creating N small files costs this file system
 *
 * Usage: floor DIR N SIZE
 * The least a program can do to leave N files of SIZE bytes in DIR (an
 * existing, empty directory) so that a crash shows each whole or not at
 * all: for each file open(2) a new temporary name (O_CREAT|O_EXCL),
 * write(2) SIZE bytes, close(2); then one flush (syncfs(2)), a rename(2)
 * of every file to its final name, one fsync(2) of the directory. The
 * names are as long as report names ("SUBMITTER!DOMAIN!BEGIN!END!ID
 * .json.gz"). Prints the wall seconds of all that, on one thread: the
 * floor that `mailtlsrpt report` is measured against (make bench).
 */
#define _GNU_SOURCE             /* syncfs */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FL_NAME 160

/* fl_now - monotonic seconds */
static double
fl_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* fl_name - final (tmp == 0) or temporary name of file i */
static void
fl_name(char *buf, unsigned long i, int tmp)
{
    snprintf(buf, FL_NAME, "%sexample.net!d%lu.example.com!1732924800!"
             "1733011199!mail01.json.gz%s", tmp ? "." : "", i,
             tmp ? ".tmp" : "");
}

int
main(int argc, char **argv)
{
    char    name[FL_NAME];
    char    tmp[FL_NAME];
    char   *data;
    unsigned long n, i;
    size_t  size;
    double  t0;
    int     dfd, fd;

    if (argc != 4) {
        fprintf(stderr, "usage: floor DIR N SIZE\n");
        return 2;
    }
    n = strtoul(argv[2], NULL, 10);
    size = strtoul(argv[3], NULL, 10);
    if ((data = malloc(size ? size : 1)) == NULL)
        return 1;
    for (i = 0; i < size; i++)
        data[i] = (char) ('a' + i % 26);
    if ((dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        perror(argv[1]);
        return 1;
    }
    t0 = fl_now();
    for (i = 0; i < n; i++) {
        fl_name(tmp, i, 1);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, data, size) != (ssize_t) size || close(fd)) {
            perror(tmp);
            return 1;
        }
    }
    if (syncfs(dfd) != 0) {
        perror("syncfs");
        return 1;
    }
    for (i = 0; i < n; i++) {
        fl_name(tmp, i, 1);
        fl_name(name, i, 0);
        if (renameat(dfd, tmp, dfd, name) != 0) {
            perror(name);
            return 1;
        }
    }
    if (fsync(dfd) != 0) {
        perror("fsync");
        return 1;
    }
    printf("%.3f\n", fl_now() - t0);
    free(data);
    close(dfd);
    return 0;
}
