/* util/tail.c - read a growing log file as "tail -F" does
 *
 * SYNOPSIS
 *	#include "util/tail.h"
 *
 *	t = tail_open("/var/log/mail.log", saved_or_NULL, &cb);
 *	for (;;) {
 *		poll tail_fd(t) ...; tail_events(t);
 *		while (tail_read(t, 1 << 20) > 0)
 *			...;
 *		tail_pos(t, &pos);	(save it with what the lines made)
 *	}
 * DESCRIPTION
 *	The file being read ("cur") is either the file at the name (live)
 *	or a rotated file being finished (catch-up), after which come the
 *	siblings rotated after it (queue) and then the file at the name
 *	from its first byte. Reading is pread() at the position: a line
 *	not finished yet is read again next time, never handed over in
 *	part. The position is the offset after the last whole line and a
 *	hash of that line's last bytes, so a restart can tell the same file
 *	with the same content from a truncated or replaced one.
 * DIAGNOSTICS
 *	Problems that may lose lines go to the lost callback; others (an
 *	unreadable directory) to msg_warn.
 */
#include "tail.h"
#include "msg.h"
#include "mymalloc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

struct tail {
    char   *path;
    char   *dir;
    char   *base;
    struct tail_cb cb;
    int     ifd;                /* inotify */
    int     wd[2];              /* watches for writes (or -1): on cur's */
    uint64_t wdev[2], wino[2];  /* file and on the one at the name */
    int     fd;                 /* cur, or -1: nothing at the name yet */
    uint64_t dev, ino;
    uint64_t off;
    uint64_t hash;
    uint32_t hlen;
    int     catchup;            /* cur is a rotated file being finished */
    char   *name;               /* cur's name */
    char  **queue;              /* siblings to read whole after cur: */
    int    *qfd;                /* opened when found (a later rotation
                                 * renames them, their files stay) */
    size_t  nqueue, iqueue;
    int     skipping;           /* inside an overlong line */
    struct tail_pos done;       /* after the last line handed over, in */
    int     have_done;          /* whichever file (0: none yet) */
    struct tail_pos prev;       /* the end of the file finished last */
    int     have_prev;
    uint64_t gone_ino;          /* for the message of a lost file */
    unsigned char *buf;
};

/* tail_hash_at - hash of the hlen bytes before off in fd; 1 when they
 * are there and match */
static int
tail_hash_at(int fd, uint64_t off, uint32_t hlen, uint64_t hash)
{
    unsigned char b[TAIL_HASH_MAX];
    ssize_t n;

    if (hlen == 0)
        return off == 0;
    if (hlen > TAIL_HASH_MAX || off < hlen)
        return 0;
    n = pread(fd, b, hlen, (off_t) (off - hlen));
    return n == (ssize_t) hlen && XXH64(b, hlen, 0) == hash;
}

/* tail_watch - writes to cur's file and to the file at the name wake
 * the poll (the directory's watch tells renames and new files, not
 * writes): a writer goes on in a renamed file until it reopens, and the
 * new file at the name is not cur until it has lines. A watch stays
 * with its file, not its name; cur's file is named by its descriptor */
static void
tail_watch(struct tail *t)
{
    uint64_t dv[2] = {0, 0}, in[2] = {0, 0};
    char    p[2][PATH_MAX];
    struct stat sb;
    int     k, j;

    if (t->fd >= 0) {
        dv[0] = t->dev;
        in[0] = t->ino;
        snprintf(p[0], sizeof(p[0]), "/proc/self/fd/%d", t->fd);
        if (access(p[0], F_OK) != 0)
            snprintf(p[0], sizeof(p[0]), "%s", t->name);
    }
    if (stat(t->path, &sb) == 0 && ((uint64_t) sb.st_dev != dv[0]
                                    || (uint64_t) sb.st_ino != in[0])) {
        dv[1] = (uint64_t) sb.st_dev;
        in[1] = (uint64_t) sb.st_ino;
        snprintf(p[1], sizeof(p[1]), "%s", t->path);
    }
    /* watches no longer wanted go; the others stay in their slots */
    for (k = 0; k < 2; k++) {
        if (t->wd[k] < 0)
            continue;
        for (j = 0; j < 2; j++)
            if (in[j] && dv[j] == t->wdev[k] && in[j] == t->wino[k])
                break;
        if (j == 2) {
            inotify_rm_watch(t->ifd, t->wd[k]);
            t->wd[k] = -1;
        } else {
            in[j] = 0;          /* watched already */
        }
    }
    for (j = 0; j < 2; j++) {
        if (in[j] == 0)
            continue;
        k = t->wd[0] < 0 ? 0 : 1;
        t->wd[k] = inotify_add_watch(t->ifd, p[j], IN_MODIFY);
        t->wdev[k] = dv[j];
        t->wino[k] = in[j];
    }
}

/* tail_cur_pos - the position in cur (not the last line handed over) */
static void
tail_cur_pos(const struct tail *t, struct tail_pos *p)
{
    memset(p, 0, sizeof(*p));
    p->dev = t->dev;
    p->ino = t->ino;
    p->off = t->off;
    p->hash = t->hash;
    p->hlen = t->hlen;
}

/* tail_set_cur - cur becomes fd (name, from off) */
static void
tail_set_cur(struct tail *t, int fd, const char *name, uint64_t off,
             int catchup)
{
    struct stat sb;

    if (t->fd >= 0)
        close(t->fd);
    t->fd = fd;
    t->off = off;
    t->catchup = catchup;
    t->skipping = 0;
    xfree(t->name);
    t->name = xstrdup(name);
    if (fstat(fd, &sb) == 0) {
        t->dev = (uint64_t) sb.st_dev;
        t->ino = (uint64_t) sb.st_ino;
    }
    if (off == 0)
        t->hash = t->hlen = 0;
    tail_watch(t);
    if (t->cb.moved)
        t->cb.moved(t->cb.ctx, name, t->ino, off, catchup);
}

/* tail_open_path - the file at the name from its first byte; 0, or -1
 * when there is none yet */
static int
tail_open_path(struct tail *t)
{
    int     fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0)
        return -1;
    tail_set_cur(t, fd, t->path, 0, 0);
    return 0;
}

struct tail_sib {
    char   *name;
    struct timespec mtime;
    long    num;                /* NAME.N: N; else -1 */
    uint64_t dev, ino;
    uint64_t size;
    int     fd;                 /* open, or -1 */
};

/* tail_sib_cmp - oldest first: NAME.N by falling N (logrotate and
 * savelog number them so; a modification time can be later than that
 * of a file rotated after it: a writer writes to the old file until it
 * reopens, the new one may stay empty), others by modification time,
 * then by name */
static int
tail_sib_cmp(const void *a, const void *b)
{
    const struct tail_sib *x = a;
    const struct tail_sib *y = b;

    if (x->num >= 0 && y->num >= 0 && x->num != y->num)
        return x->num > y->num ? -1 : 1;
    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* tail_compressed - 1 for names a rotation compresses */
static int
tail_compressed(const char *n)
{
    static const char *const sfx[] = {".gz", ".xz", ".zst", ".bz2", ".lz4",
    ".Z", NULL};
    size_t  l = strlen(n);
    int     i;

    for (i = 0; sfx[i]; i++)
        if (l > strlen(sfx[i]) && strcmp(n + l - strlen(sfx[i]), sfx[i]) == 0)
            return 1;
    return 0;
}

/* tail_sib_free - a list of tail_siblings(), with the files still open */
static void
tail_sib_free(struct tail_sib *v, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (v[i].fd >= 0)
            close(v[i].fd);
        xfree(v[i].name);
    }
    xfree(v);
}

/* tail_list - one look at the directory: the rotated siblings of the
 * file (NAME.N, NAME-*), uncompressed regular files other than the file
 * at the name (its identity in self), by stat(), not opened, in the
 * directory's order; their number */
static size_t
tail_list(const struct tail *t, struct tail_sib **out, struct stat *self)
{
    DIR    *d = opendir(t->dir);
    struct dirent *e;
    struct tail_sib *v = NULL;
    size_t  n = 0, cap = 0;
    size_t  bl = strlen(t->base);
    struct stat sb;

    *out = NULL;
    if (stat(t->path, self) != 0)
        memset(self, 0, sizeof(*self));
    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char    full[PATH_MAX];
        char   *end;

        if (strncmp(e->d_name, t->base, bl) != 0
            || (e->d_name[bl] != '.' && e->d_name[bl] != '-')
            || e->d_name[bl + 1] == 0 || tail_compressed(e->d_name))
            continue;
        if (snprintf(full, sizeof(full), "%s/%s", t->dir, e->d_name)
            >= (int) sizeof(full) || stat(full, &sb) != 0
            || !S_ISREG(sb.st_mode))
            continue;
        if (sb.st_dev == self->st_dev && sb.st_ino == self->st_ino)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            v = xrealloc(v, cap * sizeof(*v));
        }
        v[n].name = xstrdup(full);
        v[n].mtime = sb.st_mtim;
        v[n].num = -1;
        if (e->d_name[bl] == '.') {
            long    k = strtol(e->d_name + bl + 1, &end, 10);

            if (*end == 0 && k >= 0 && isdigit((unsigned char)
                                               e->d_name[bl + 1]))
                v[n].num = k;
        }
        v[n].dev = (uint64_t) sb.st_dev;
        v[n].ino = (uint64_t) sb.st_ino;
        v[n].size = (uint64_t) sb.st_size;
        v[n].fd = -1;
        n++;
    }
    closedir(d);
    *out = v;
    return n;
}

/* tail_same_list - 1 when two looks saw the same names of the same files */
static int
tail_same_list(const struct tail_sib *a, size_t na, const struct stat *sa,
               const struct tail_sib *b, size_t nb, const struct stat *sb)
{
    size_t  i, j;

    if (na != nb || sa->st_dev != sb->st_dev || sa->st_ino != sb->st_ino)
        return 0;
    for (i = 0; i < na; i++) {
        for (j = 0; j < nb; j++)
            if (strcmp(a[i].name, b[j].name) == 0)
                break;
        if (j == nb || a[i].dev != b[j].dev || a[i].ino != b[j].ino)
            return 0;
    }
    return 1;
}

/* tail_siblings - the rotated siblings of the file, open, oldest first;
 * their number. A rotation may rename files while the directory is read
 * (readdir may then miss a file or give it twice, and a name may hold
 * another file by the time it is opened): the directory is read until
 * two looks agree, and each file opened is checked to be the one seen */
static size_t
tail_siblings(const struct tail *t, struct tail_sib **out)
{
    struct tail_sib *v, *w;
    struct stat sv, sw, sb;
    size_t  n, m, i;
    int     tries, ok = 0;

    n = tail_list(t, &v, &sv);
    for (tries = 0; tries < 20 && !ok; tries++) {
        m = tail_list(t, &w, &sw);
        ok = tail_same_list(v, n, &sv, w, m, &sw);
        tail_sib_free(v, n);
        v = w;
        n = m;
        sv = sw;
        for (i = 0; ok && i < n; i++) {
            v[i].fd = open(v[i].name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
            if (v[i].fd < 0 && errno == ENOENT)
                ok = 0;         /* removed since: look again */
            else if (v[i].fd >= 0 && (fstat(v[i].fd, &sb) != 0
                                 || (uint64_t) sb.st_dev != v[i].dev
                                 || (uint64_t) sb.st_ino != v[i].ino))
                ok = 0;         /* renamed since: look again */
            else if (v[i].fd >= 0)
                v[i].size = (uint64_t) sb.st_size;
        }
        if (!ok)
            for (i = 0; i < n; i++)
                if (v[i].fd >= 0) {
                    close(v[i].fd);
                    v[i].fd = -1;
                }
    }
    if (!ok) {
        msg_warn("%s: rotated files keep changing while read; going on "
                 "with the last look", t->dir);
        for (i = 0; i < n; i++)
            if ((v[i].fd = open(v[i].name, O_RDONLY | O_CLOEXEC
                                | O_NOCTTY)) >= 0 && fstat(v[i].fd, &sb) == 0) {
                v[i].dev = (uint64_t) sb.st_dev;
                v[i].ino = (uint64_t) sb.st_ino;
                v[i].size = (uint64_t) sb.st_size;
            }
    }
    if (n)
        qsort(v, n, sizeof(*v), tail_sib_cmp);
    *out = v;
    return n;
}

/* tail_queue_free - the siblings not read yet */
static void
tail_queue_free(struct tail *t)
{
    size_t  j;

    for (j = 0; j < t->nqueue; j++) {
        if (j >= t->iqueue && t->qfd[j] >= 0)
            close(t->qfd[j]);
        xfree(t->queue[j]);
    }
    t->queue = xfree(t->queue);
    t->qfd = xfree(t->qfd);
    t->nqueue = t->iqueue = 0;
}

/* tail_catch_up - finish sibling i of v (sorted) from p, then the
 * siblings after it, then the file at the name; their files are taken
 * from v */
static void
tail_catch_up(struct tail *t, struct tail_sib *v, size_t n, size_t i,
              const struct tail_pos *p)
{
    size_t  j;

    tail_set_cur(t, v[i].fd, v[i].name, p->off, 1);
    v[i].fd = -1;
    t->hash = p->hash;
    t->hlen = p->hlen;
    tail_queue_free(t);
    t->queue = xcalloc(n - i, sizeof(*t->queue));
    t->qfd = xcalloc(n - i, sizeof(*t->qfd));
    for (j = i + 1; j < n; j++) {
        t->queue[t->nqueue] = xstrdup(v[j].name);
        t->qfd[t->nqueue++] = v[j].fd;
        v[j].fd = -1;
    }
}

/* tail_find - a sibling that is the file of p (by identity, when by_id)
 * or holds p's last line at p's offset (by content: a copy); 1 when
 * found and made cur, the siblings after it queued. With newer, only
 * when some sibling was rotated after it */
static int
tail_find(struct tail *t, const struct tail_pos *p, int by_id, int newer)
{
    struct tail_sib *v;
    size_t  n, i;

    if (!by_id && p->hlen == 0)
        return 0;               /* no line to know a copy by */
    n = tail_siblings(t, &v);
    /* newest first: the copy of a copytruncate is the newest sibling */
    for (i = n; i-- > 0;) {
        if (by_id && (v[i].dev != p->dev || v[i].ino != p->ino))
            continue;
        if (v[i].fd < 0 || v[i].size < p->off
            || !tail_hash_at(v[i].fd, p->off, p->hlen, p->hash))
            continue;
        if (newer && i + 1 == n)
            break;              /* found, and nothing rotated after it */
        tail_catch_up(t, v, n, i, p);
        tail_sib_free(v, n);
        return 1;
    }
    tail_sib_free(v, n);
    return 0;
}

/* tail_lost - say that lines may be lost: what happened to file name
 * (TAIL_L_*) after byte off */
enum {
    TAIL_L_TRUNC,               /* truncated, no copy found */
    TAIL_L_GONE,                /* the saved file is not found */
    TAIL_L_OPEN,                /* a sibling cannot be opened */
    TAIL_L_READ,                /* read error */
};

static void
tail_lost(struct tail *t, int what, const char *name, uint64_t off)
{
    char    why[PATH_MAX + 256];
    unsigned long long o = (unsigned long long) off;

    switch (what) {
    case TAIL_L_TRUNC:
        snprintf(why, sizeof(why), "%s was truncated and its copy is not "
                 "found: the lines after byte %llu of the old content are "
                 "not read", name, o);
        break;
    case TAIL_L_GONE:
        snprintf(why, sizeof(why), "the file read before (inode %llu) is "
                 "no longer at %s nor among its uncompressed rotated files: "
                 "the lines after byte %llu of it are not read",
                 (unsigned long long) t->gone_ino, name, o);
        break;
    case TAIL_L_OPEN:
        snprintf(why, sizeof(why), "%s: cannot open it to finish it: its "
                 "lines are not read", name);
        break;
    default:
        snprintf(why, sizeof(why), "%s: read error at byte %llu: %s", name,
                 o, strerror(errno));
        break;
    }
    if (t->cb.lost)
        t->cb.lost(t->cb.ctx, why);
    else
        msg_warn("%s", why);
}

/* tail_afresh - the place of the last line is lost: the file at the
 * name from its first byte */
static void
tail_afresh(struct tail *t)
{
    t->have_done = t->have_prev = 0;
    (void) tail_open_path(t);
}

/* tail_resume - cur from a saved position: the place after the last
 * line handed over (tail_pos) */
static void
tail_resume(struct tail *t, const struct tail_pos *p)
{
    struct stat sb;
    int     fd;

    if (p->ino == 0) {
        (void) tail_open_path(t);
        return;
    }
    if (p->off > 0) {
        t->done = *p;
        t->have_done = 1;
    }
    t->have_prev = 0;
    if ((fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) >= 0
        && fstat(fd, &sb) == 0 && (uint64_t) sb.st_dev == p->dev
        && (uint64_t) sb.st_ino == p->ino) {
        if (tail_hash_at(fd, p->off, p->hlen, p->hash)) {
            tail_set_cur(t, fd, t->path, p->off, 0);
            t->hash = p->hash;
            t->hlen = p->hlen;
            return;
        }
        close(fd);
        /* the same file, other content: copytruncate while we were
         * away; the rest is in the copy */
        if (tail_find(t, p, 0, 0))
            return;
        tail_lost(t, TAIL_L_TRUNC, t->path, p->off);
        tail_afresh(t);
        return;
    }
    if (fd >= 0)
        close(fd);
    /* renamed (by identity); or truncated by copytruncate, then renamed
     * by a later rotation (the rest is in the copy, by content) */
    if (tail_find(t, p, 1, 0) || tail_find(t, p, 0, 0))
        return;
    t->gone_ino = p->ino;
    tail_lost(t, TAIL_L_GONE, t->path, p->off);
    tail_afresh(t);
}

/* tail_open - follow path from pos */
struct tail *
tail_open(const char *path, const struct tail_pos *pos,
          const struct tail_cb *cb)
{
    struct tail *t = xcalloc(1, sizeof(*t));
    const char *slash = strrchr(path, '/');

    t->path = xstrdup(path);
    t->dir = slash ? xstrndup(path, slash == path ? 1
                              : (size_t) (slash - path)) : xstrdup(".");
    t->base = xstrdup(slash ? slash + 1 : path);
    t->cb = *cb;
    t->fd = -1;
    t->wd[0] = t->wd[1] = -1;
    t->buf = xmalloc(TAIL_BUF);
    if ((t->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0
        || inotify_add_watch(t->ifd, t->dir, IN_CREATE | IN_MOVED_TO
                             | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB
                             | IN_CLOSE_WRITE) < 0) {
        msg_warn("%s: cannot watch the directory: %s", t->dir,
                 strerror(errno));
        return tail_close(t);
    }
    if (pos)
        tail_resume(t, pos);
    else
        (void) tail_open_path(t);
    return t;
}

/* tail_close - stop following */
struct tail *
tail_close(struct tail *t)
{
    if (t == NULL)
        return NULL;
    if (t->fd >= 0)
        close(t->fd);
    if (t->ifd >= 0)
        close(t->ifd);
    tail_queue_free(t);
    xfree(t->name);
    xfree(t->path);
    xfree(t->dir);
    xfree(t->base);
    xfree(t->buf);
    xfree(t);
    return NULL;
}

/* tail_consumed - the line ending at buf[e] (its newline, or the last
 * byte of an unfinished last line) was handed over */
static void
tail_consumed(struct tail *t, size_t ls, size_t e)
{
    size_t  from = e + 1 - ls > TAIL_HASH_MAX ? e + 1 - TAIL_HASH_MAX : ls;

    t->hlen = (uint32_t) (e + 1 - from);
    t->hash = XXH64(t->buf + from, t->hlen, 0);
}

/* tail_lines - the whole lines of buf[0, n); with last, an unfinished
 * line at the end too; bytes consumed */
static size_t
tail_lines(struct tail *t, size_t n, int last)
{
    size_t  ls = 0;
    size_t  end, len;
    unsigned char *nl;

    while (ls < n) {
        nl = memchr(t->buf + ls, '\n', n - ls);
        if (nl == NULL && !last) {
            if (!t->skipping && n - ls <= TAIL_MAX_LINE + 1)
                break;          /* not finished yet */
            t->skipping = 1;    /* too long: skipped up to its newline */
            tail_consumed(t, ls, n - 1);
            ls = n;
            break;
        }
        end = nl ? (size_t) (nl - t->buf) : n;
        len = end - ls;
        if (nl && len > 0 && t->buf[end - 1] == '\r')
            len--;
        if (t->skipping || len > TAIL_MAX_LINE) {
            t->skipping = 0;
            if (t->cb.bad)
                t->cb.bad(t->cb.ctx);
        } else {
            t->cb.line(t->cb.ctx, (const char *) t->buf + ls, len);
        }
        tail_consumed(t, ls, nl ? end : n - 1);
        ls = nl ? end + 1 : n;
    }
    t->off += ls;
    if (ls > 0) {
        tail_cur_pos(t, &t->done);
        t->have_done = 1;
    }
    return ls;
}

/* tail_next - cur is finished: the next sibling, or the file at the
 * name from its first byte; 0, or -1 when there is none yet */
static int
tail_next(struct tail *t)
{
    tail_cur_pos(t, &t->prev);
    t->have_prev = 1;
    while (t->iqueue < t->nqueue) {
        const char *n = t->queue[t->iqueue];
        int     fd = t->qfd[t->iqueue++];

        if (fd >= 0) {
            tail_set_cur(t, fd, n, 0, 1);
            return 0;
        }
        tail_lost(t, TAIL_L_OPEN, n, 0);
    }
    if (tail_open_path(t) != 0) {
        close(t->fd);
        t->fd = -1;
        return -1;
    }
    return 0;
}

/* tail_truncated - cur, the file at the name, lost the content before
 * the position: its rest is read from the copy, if there is one */
static void
tail_truncated(struct tail *t)
{
    struct tail_pos p;

    tail_cur_pos(t, &p);
    if (tail_find(t, &p, 0, 0))
        return;
    tail_lost(t, TAIL_L_TRUNC, t->path, t->off);
    t->off = 0;
    t->hash = t->hlen = 0;
    t->have_done = t->have_prev = 0;
}

/* tail_same_at - 1 when fd a and fd b hold the same bytes in [from, to) */
static int
tail_same_at(int a, int b, uint64_t from, uint64_t to)
{
    unsigned char x[4096], y[4096];
    size_t  n;

    while (from < to) {
        n = to - from < sizeof(x) ? (size_t) (to - from) : sizeof(x);
        if (pread(a, x, n, (off_t) from) != (ssize_t) n
            || pread(b, y, n, (off_t) from) != (ssize_t) n
            || memcmp(x, y, n) != 0)
            return 0;
        from += n;
    }
    return 1;
}

/* tail_original - cur, a rotated file read to its end, is a copy that
 * copytruncate is making (or has made) of the file at the name, not
 * truncated yet: that file holds cur's last line at the same offset and
 * the bytes after it that cur has (a copy may stop within a line).
 * Reading goes on there from that offset (what is before it was read
 * from the copy; read from 0, it would be read twice, and a line cut by
 * the copy would be taken as a line); the truncation, when it comes,
 * finds the copy again by content. 1 when so */
static int
tail_original(struct tail *t)
{
    struct stat cs, sb;
    uint64_t off = t->off, hash = t->hash;
    uint32_t hlen = t->hlen;
    int     fd;

    if (fstat(t->fd, &cs) != 0 || (off == 0 && cs.st_size == 0)
        || (fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
        return 0;
    if (fstat(fd, &sb) != 0 || ((uint64_t) sb.st_dev == t->dev
                                && (uint64_t) sb.st_ino == t->ino)
        || sb.st_size < cs.st_size
        || !tail_hash_at(fd, off, hlen, hash)
        || !tail_same_at(t->fd, fd, off, (uint64_t) cs.st_size)) {
        close(fd);
        return 0;
    }
    tail_cur_pos(t, &t->prev);  /* finished: the copy up to off */
    t->have_prev = 1;
    tail_queue_free(t);
    tail_set_cur(t, fd, t->path, off, 0);
    t->hash = hash;
    t->hlen = hlen;
    return 1;
}

/* tail_at_end - nothing more in cur: truncation, rotation, or wait;
 * 1 when reading goes on in another file (or from 0) */
static int
tail_at_end(struct tail *t, int *finish)
{
    struct stat cur, at;

    *finish = 0;
    if (fstat(t->fd, &cur) != 0)
        return 0;
    if (!t->catchup && (uint64_t) cur.st_size < t->off) {
        tail_truncated(t);
        return 1;
    }
    if (t->catchup && t->iqueue < t->nqueue) {
        *finish = 1;
        return 1;
    }
    if (t->catchup) {
        struct tail_pos p;

        /* next is the file at the name; files rotated after cur since
         * it was found come before it */
        tail_cur_pos(t, &p);
        if (tail_find(t, &p, 1, 1))
            return 1;
        if (tail_original(t))
            return 1;
    }
    /* the file at the name is taken once it has lines: the writer may
     * write to the old one until it reopens */
    if (stat(t->path, &at) == 0 && (at.st_dev != cur.st_dev
                                    || at.st_ino != cur.st_ino)
        && at.st_size > 0) {
        *finish = 1;
        return 1;
    }
    return 0;
}

/* tail_rotated - cur is the file at the name, nothing of it read yet:
 * was a file rotated after the one finished last? At position 0 a
 * file tells nothing of what it held: after copytruncate, the lines
 * written since are in the copy. 1 when reading goes on there */
static int
tail_rotated(struct tail *t)
{
    struct tail_pos p = t->prev;

    return tail_find(t, &p, 1, 1);
}

/* tail_read - whole lines, at most about max bytes */
size_t
tail_read(struct tail *t, size_t max)
{
    size_t  done = 0;
    ssize_t n;
    int     finish;

    if (t->fd >= 0 && !t->catchup && t->off > 0
        && !tail_hash_at(t->fd, t->off, t->hlen, t->hash))
        tail_truncated(t);      /* and written again: copytruncate */
    while (done < max) {
        if (t->fd < 0 && tail_open_path(t) != 0)
            break;
        if (!t->catchup && t->off == 0 && t->have_prev && tail_rotated(t))
            continue;
        n = pread(t->fd, t->buf, TAIL_BUF, (off_t) t->off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            tail_lost(t, TAIL_L_READ, t->name, t->off);
            n = 0;
        }
        if (n > 0) {
            size_t  k = tail_lines(t, (size_t) n, 0);

            done += k;
            if (k > 0 || (size_t) n == TAIL_BUF)
                continue;
        }
        /* nothing whole at the end of cur */
        if (!tail_at_end(t, &finish))
            break;
        if (finish) {
            /* once more: lines written just before the switch */
            while ((n = pread(t->fd, t->buf, TAIL_BUF, (off_t) t->off)) > 0)
                done += tail_lines(t, (size_t) n, (size_t) n < TAIL_BUF);
            t->skipping = 0;
            if (!t->catchup) {
                struct tail_pos p;

                /* the live file was renamed: files rotated after it
                 * while we read it come before the one at the name */
                tail_cur_pos(t, &p);
                if (tail_find(t, &p, 1, 0))
                    continue;
            }
            if (tail_next(t) != 0)
                break;
        }
    }
    tail_watch(t);
    return done;
}

/* tail_pos - where reading stands */
void
tail_pos(const struct tail *t, struct tail_pos *p)
{
    memset(p, 0, sizeof(*p));
    if (t->fd >= 0 && t->off > 0)
        tail_cur_pos(t, p);
    else if (t->have_done)
        *p = t->done;           /* nothing of cur yet: the file before */
    else if (t->fd >= 0)
        tail_cur_pos(t, p);
}

/* tail_behind - bytes written and not read yet */
uint64_t
tail_behind(const struct tail *t)
{
    struct stat sb;
    uint64_t b = 0;

    if (t->fd >= 0 && fstat(t->fd, &sb) == 0 && (uint64_t) sb.st_size > t->off)
        b = (uint64_t) sb.st_size - t->off;
    if ((t->catchup || t->fd < 0) && stat(t->path, &sb) == 0)
        b += (uint64_t) sb.st_size;
    return b;
}

/* tail_fd - the descriptor to poll */
int
tail_fd(const struct tail *t)
{
    return t->ifd;
}

/* tail_events - drop what inotify says: the next read looks anyway */
void
tail_events(struct tail *t)
{
    char    b[4096]
        __attribute__((aligned(__alignof__(struct inotify_event))));

    while (read(t->ifd, b, sizeof(b)) > 0)
        ;
}

/* tail_name - the file being read */
const char *
tail_name(const struct tail *t)
{
    return t->name ? t->name : t->path;
}

/* tail_mtime - the modification time of the file being read */
int64_t
tail_mtime(const struct tail *t)
{
    struct stat sb;

    if (t->fd < 0 || fstat(t->fd, &sb) != 0)
        return 0;
    return (int64_t) sb.st_mtime;
}
