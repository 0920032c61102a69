/* engine/progress.c - a progress line on stderr (see progress.h) */
#include "progress.h"
#include "../util/mymalloc.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct progress {
    size_t  nfiles;
    size_t  file;               /* current, 0-based */
    const char *name;
    uint64_t total;             /* on-disk bytes of all inputs */
    int     eta;                /* every input a plain regular file */
    uint64_t done;              /* bytes of the files already read */
    uint64_t cur;               /* bytes of the current file so far */
    double  t0;
    double  last;
};

/* progress_now - monotonic seconds */
static double
progress_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* progress_plain - 1 when a file starts with no compression magic */
static int
progress_plain(const char *name)
{
    unsigned char m[6] = {0};
    FILE   *fp = fopen(name, "rb");
    size_t  n;

    if (fp == NULL)
        return 0;
    n = fread(m, 1, sizeof(m), fp);
    fclose(fp);
    return !(n >= 2 && ((m[0] == 0x1f && m[1] == 0x8b)         /* gzip */
                        || (m[0] == 0xfd && m[1] == '7')        /* xz */
                        || (m[0] == 0x28 && m[1] == 0xb5)       /* zstd */
                        || (m[0] == 'B' && m[1] == 'Z')));      /* bzip2 */
}

/* progress_start - decide whether to show progress; sum input sizes */
struct progress *
progress_start(char *const *files, size_t n, int quiet)
{
    struct progress *p;
    size_t  i;

    if (quiet || !isatty(STDERR_FILENO))
        return NULL;
    p = xcalloc(1, sizeof(*p));
    p->nfiles = n;
    p->eta = 1;
    for (i = 0; i < n; i++) {
        struct stat st;

        if (strcmp(files[i], "-") != 0 && stat(files[i], &st) == 0
            && S_ISREG(st.st_mode)) {
            p->total += (uint64_t) st.st_size;
            if (!progress_plain(files[i]))
                p->eta = 0;
        } else {
            p->eta = 0;
        }
    }
    p->t0 = p->last = progress_now();
    return p;
}

/* progress_draw - one line, overwritten in place */
static void
progress_draw(struct progress *p, double now)
{
    double  secs = now - p->t0;
    uint64_t read = p->done + p->cur;
    double  rate = secs > 0.05 ? (double) read / secs : 0;
    char    eta[32] = "";

    if (p->eta && rate > 0 && p->total >= read) {
        long    left = (long) ((double) (p->total - read) / rate + 0.5);

        snprintf(eta, sizeof(eta), ", ETA %ld:%02ld", left / 60, left % 60);
    }
    fprintf(stderr, "\r\033[Kmailtlsrpt: file %zu/%zu %.40s: %.1f MB, "
            "%.0f MB/s%s", p->file + 1, p->nfiles, p->name ? p->name : "",
            (double) read / 1e6, rate / 1e6, eta);
    fflush(stderr);
    p->last = now;
}

/* progress_file - a new file begins */
void
progress_file(struct progress *p, size_t k, const char *name)
{
    if (p == NULL)
        return;
    p->done += p->cur;
    p->cur = 0;
    p->file = k;
    p->name = name;
    progress_draw(p, progress_now());
}

/* progress_tick - redraw when half a second has passed */
void
progress_tick(struct progress *p, uint64_t file_bytes)
{
    double  now;

    if (p == NULL)
        return;
    p->cur = file_bytes;
    now = progress_now();
    if (now - p->last >= 0.5)
        progress_draw(p, now);
}

/* progress_end - erase the line */
struct progress *
progress_end(struct progress *p)
{
    if (p == NULL)
        return NULL;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    xfree(p);
    return NULL;
}
