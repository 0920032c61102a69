/* parsers/input.c - log input as bounded lines (see input.h)
 *
 * Raw bytes come from a "byte source" (plain file descriptor or zlib
 * stream) into a block buffer; complete lines are handed out as spans
 * into that buffer, the unfinished tail is moved to the front before the
 * next read. A line that outgrows INPUT_MAX_LINE switches the reader to
 * "skipping" until its newline, so memory stays at one block plus one
 * maximal line whatever the input.
 */
#include "input.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct input_bytes {
    int     fd;
    int     gz;                 /* zlib stream active */
    z_stream zs;
    unsigned char *zbuf;
    size_t  zcap;
    int     zeof;               /* compressed input exhausted */
    int     zerr;               /* damaged or truncated stream */
};

/* input_bad_name - text for a bad-line reason */
const char *
input_bad_name(enum input_bad why)
{
    switch (why) {
    case INPUT_BAD_LONG:
        return "line too long";
    case INPUT_BAD_NUL:
        return "NUL byte in line";
    default:
        return "bad line";
    }
}

/* input_fill_raw - read(2) up to cap bytes, retrying EINTR; -1 on error */
static ssize_t
input_fill_raw(int fd, unsigned char *buf, size_t cap)
{
    ssize_t n;

    do {
        n = read(fd, buf, cap);
    } while (n < 0 && errno == EINTR);
    return n;
}

/* input_fill - next uncompressed bytes into buf; 0 at end, -1 on error */
static ssize_t
input_fill(struct input_bytes *b, unsigned char *buf, size_t cap)
{
    int     zr;
    ssize_t n;

    if (!b->gz)
        return input_fill_raw(b->fd, buf, cap);
    b->zs.next_out = buf;
    b->zs.avail_out = (uInt) cap;
    while (b->zs.avail_out == cap) {
        if (b->zs.avail_in == 0 && !b->zeof) {
            n = input_fill_raw(b->fd, b->zbuf, b->zcap);
            if (n < 0)
                return -1;
            if (n == 0)
                b->zeof = 1;
            b->zs.next_in = b->zbuf;
            b->zs.avail_in = (uInt) n;
        }
        if (b->zs.avail_in == 0 && b->zeof) {
            /* stream ended inside a member unless we just reset */
            if (b->zs.total_in > 0 || b->zs.total_out > 0)
                b->zerr = 1;
            break;
        }
        zr = inflate(&b->zs, Z_NO_FLUSH);
        if (zr == Z_STREAM_END) {
            /* another gzip member may follow (concatenated .gz) */
            if (inflateReset(&b->zs) != Z_OK) {
                b->zerr = 1;
                break;
            }
            if (b->zs.avail_in == 0 && b->zeof)
                break;
            continue;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            b->zerr = 1;
            break;
        }
    }
    return (ssize_t) (cap - b->zs.avail_out);
}

/* input_emit - hand one complete line to the callbacks */
static void
input_emit(const struct input_cb *cb, struct input_src *src,
           const char *p, size_t len)
{
    src->lines++;
    if (len > 0 && p[len - 1] == '\r')
        len--;
    if (len > INPUT_MAX_LINE) {
        /* the reader lets INPUT_MAX_LINE + 1 bytes through for a CR */
        src->bad[INPUT_BAD_LONG]++;
        if (cb->bad)
            cb->bad(cb->ctx, src, src->lines, INPUT_BAD_LONG);
        return;
    }
    if (memchr(p, 0, len) != NULL) {
        src->bad[INPUT_BAD_NUL]++;
        if (cb->bad)
            cb->bad(cb->ctx, src, src->lines, INPUT_BAD_NUL);
        return;
    }
    cb->line(cb->ctx, src, src->lines, span_make(p, len));
}

/* input_read - deliver every line of one source; cost O(bytes) */
int
input_read(const char *name, const struct input_cb *cb,
           struct input_src *src)
{
    struct input_bytes b;
    unsigned char *buf;
    size_t  cap = INPUT_BLOCK + INPUT_MAX_LINE + 2;
    size_t  have = 0;           /* bytes in buf */
    int     skipping = 0;       /* inside an overlong line */
    int     rc = 0;
    struct stat st;
    ssize_t n;

    memset(&b, 0, sizeof(b));
    memset(src, 0, sizeof(*src));
    src->name = name;
    src->mtime = time(NULL);
    if (strcmp(name, "-") == 0) {
        b.fd = STDIN_FILENO;
    } else if ((b.fd = open(name, O_RDONLY | O_CLOEXEC)) < 0) {
        msg_warn("%s: cannot open: %s", name, strerror(errno));
        return -1;
    }
    if (fstat(b.fd, &st) == 0 && S_ISREG(st.st_mode))
        src->mtime = st.st_mtime;
    else if (fstat(b.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        msg_warn("%s: is a directory", name);
        if (b.fd != STDIN_FILENO)
            close(b.fd);
        return -1;
    }
    buf = xmalloc(cap);

    /* sniff the magic bytes: gzip starts 1f 8b */
    n = input_fill_raw(b.fd, buf, INPUT_BLOCK);
    if (n < 0) {
        msg_warn("%s: read error: %s", name, strerror(errno));
        rc = -1;
        goto end;
    }
    if (n >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
        b.gz = 1;
        b.zcap = INPUT_BLOCK;
        b.zbuf = xmalloc(b.zcap);
        memcpy(b.zbuf, buf, (size_t) n);
        b.zs.next_in = b.zbuf;
        b.zs.avail_in = (uInt) n;
        if (inflateInit2(&b.zs, 15 + 16) != Z_OK)
            msg_fatal("%s: zlib initialisation failed", name);
        n = input_fill(&b, buf, INPUT_BLOCK);
    }
    for (;;) {
        unsigned char *p;
        unsigned char *end;
        unsigned char *nl;

        if (n < 0) {
            msg_warn("%s: read error after %llu lines: %s", name,
                     (unsigned long long) src->lines, strerror(errno));
            rc = -1;
            break;
        }
        src->bytes += (uint64_t) n;
        if (n == 0) {
            /* last line without a newline */
            if (have > 0 && !skipping)
                input_emit(cb, src, (const char *) buf, have);
            else if (skipping) {
                src->lines++;
                src->bad[INPUT_BAD_LONG]++;
                if (cb->bad)
                    cb->bad(cb->ctx, src, src->lines, INPUT_BAD_LONG);
            }
            break;
        }
        have += (size_t) n;
        p = buf;
        end = buf + have;
        while (p < end && (nl = memchr(p, '\n', (size_t) (end - p))) != NULL) {
            if (skipping) {
                skipping = 0;
                src->lines++;
                src->bad[INPUT_BAD_LONG]++;
                if (cb->bad)
                    cb->bad(cb->ctx, src, src->lines, INPUT_BAD_LONG);
            } else if ((size_t) (nl - p) > INPUT_MAX_LINE + 1) {
                src->lines++;
                src->bad[INPUT_BAD_LONG]++;
                if (cb->bad)
                    cb->bad(cb->ctx, src, src->lines, INPUT_BAD_LONG);
            } else {
                input_emit(cb, src, (const char *) p, (size_t) (nl - p));
            }
            p = nl + 1;
        }
        have = (size_t) (end - p);
        if (have > INPUT_MAX_LINE + 1) {
            /* an unfinished line already too long: drop what we have */
            skipping = 1;
            have = 0;
        } else if (have > 0 && p != buf) {
            memmove(buf, p, have);
        }
        if (skipping)
            have = 0;
        n = input_fill(&b, buf + have, INPUT_BLOCK);
    }
    if (b.gz && b.zerr) {
        src->truncated = 1;
        msg_warn("%s: compressed data damaged or truncated after %llu "
                 "lines (%llu bytes): the rest of this file is lost",
                 name, (unsigned long long) src->lines,
                 (unsigned long long) src->bytes);
        rc = -1;
    }
end:
    if (b.gz) {
        inflateEnd(&b.zs);
        xfree(b.zbuf);
    }
    xfree(buf);
    if (b.fd != STDIN_FILENO)
        close(b.fd);
    return rc;
}
