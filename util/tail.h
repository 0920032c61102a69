/* util/tail.h - read a growing log file as "tail -F" does, with a
 * position that survives a restart
 *
 * tail_open() opens a file and resumes at a saved position (or starts
 * at its first byte); tail_read() hands over the whole lines written
 * since, in order, and never a line before its newline is written.
 * Rotation:
 *   - rename and create (logrotate "create", savelog): when the name
 *     points to a new file that is not empty, the old file is read to
 *     its end first (a writer still writing there until it reopens is
 *     not lost), then any file rotated after it meanwhile, then the new
 *     one from its first byte; a rotated file being finished is left for
 *     the file at the name under the same rule;
 *   - copytruncate: the file shrinks below the position (or, after a
 *     restart, no longer has the saved last line there); the rest of the
 *     old content is read from the copy (the newest rotated sibling that
 *     has the saved last line at the saved offset), then the file from
 *     its first byte. A copy found before the truncation (being made,
 *     or made and the file not truncated yet: the file at the name
 *     holds the copy's bytes at the same offsets) is left for that file
 *     at the same offset, not read again from 0. Lines written between
 *     copy and truncation are in neither file (a property of
 *     copytruncate).
 * Resuming: the position is that of the last line handed over (in the
 * file before, while nothing of the file being read is: byte 0 of a file
 * tells nothing of what it held when a copytruncate came since). The
 * file is found by identity (device, inode) at the name or among its
 * rotated siblings (NAME.N and NAME-*, uncompressed), checked by the
 * hash of its last line; it is read to its end, then every sibling
 * rotated after it, then the file at the name. Siblings are in rotation
 * order: NAME.N by falling N, others by modification time. When the
 * saved place cannot be found, the lost callback says so and reading
 * starts at the file's first byte. A position taken before the first
 * line was read is byte 0 of the file: a copytruncate before the next
 * position loses what the copy holds.
 * Waiting: tail_fd() is an inotify descriptor watching the file's
 * directory (create, move, delete) and, for writes, the file being read
 * and the file at the name; poll it, then tail_events() and
 * tail_read(). No timer is needed.
 * Lines longer than TAIL_MAX_LINE are skipped whole (the bad callback).
 * Memory: one buffer of TAIL_BUF bytes per file followed.
 * Thread safety: one thread per struct tail.
 */
#ifndef UTIL_TAIL_H
#define UTIL_TAIL_H

#include <stddef.h>
#include <stdint.h>

#define TAIL_MAX_LINE (64 * 1024)       /* bytes, newline excluded */
#define TAIL_BUF (1024 * 1024 + TAIL_MAX_LINE + 2)
#define TAIL_HASH_MAX 4096      /* bytes of the last line hashed */

/* where reading stands: after the last whole line handed over */
struct tail_pos {
    uint64_t dev;
    uint64_t ino;
    uint64_t off;               /* bytes of the file consumed */
    uint64_t hash;              /* XXH64 of the hlen bytes before off */
    uint32_t hlen;              /* the last line's end, newline included,
                                 * at most TAIL_HASH_MAX; 0 at off 0 */
};

struct tail_cb {
    /* one whole line, without its "\n" (or "\r\n") */
    void    (*line) (void *ctx, const char *p, size_t len);
    /* a line longer than TAIL_MAX_LINE, skipped */
    void    (*bad) (void *ctx);
    /* lines may be lost: why (a sentence) */
    void    (*lost) (void *ctx, const char *why);
    /* optional: reading goes on in file name (inode ino) from byte off;
     * catchup: a rotated file being finished */
    void    (*moved) (void *ctx, const char *name, uint64_t ino,
                      uint64_t off, int catchup);
    void   *ctx;
};

struct tail;

/* follow path from pos (NULL: from the first byte); NULL after a
 * message when the directory cannot be watched. A file that does not
 * exist yet is waited for */
struct tail *tail_open(const char *path, const struct tail_pos *pos,
                       const struct tail_cb *cb);
struct tail *tail_close(struct tail *t);        /* always NULL */

/* hand over whole lines, at most about max bytes of them; the number of
 * bytes consumed (0: nothing new). Handles rotation as above */
size_t  tail_read(struct tail *t, size_t max);

/* the position after the last line handed over */
void    tail_pos(const struct tail *t, struct tail_pos *pos);

/* bytes written to the file being read and not read yet */
uint64_t tail_behind(const struct tail *t);

/* the inotify descriptor (readable: something changed) */
int     tail_fd(const struct tail *t);

/* read and drop the pending inotify events */
void    tail_events(struct tail *t);

/* the modification time of the file being read (0: none), the year
 * reference of its syslog time stamps, as for a file read whole */
int64_t tail_mtime(const struct tail *t);

/* the name of the file being read (the path, or a rotated sibling) */
const char *tail_name(const struct tail *t);

#endif
