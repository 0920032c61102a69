/* parsers/decomp.c - compressed log input by magic bytes (see decomp.h)
 *
 * One compressed buffer (in, DECOMP_IN bytes) feeds whichever decoder
 * the magic bytes chose. Each decoder loop fills the caller's buffer as
 * far as it can and stops at the end of the data or at the first
 * damage; "mid" says whether we are inside a member, which is what
 * tells a clean end from a truncated one.
 */
#include "decomp.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <bzlib.h>
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

struct decomp {
    enum decomp_kind kind;
    int     fd;
    unsigned char *in;          /* compressed bytes, DECOMP_IN */
    size_t  in_pos;
    size_t  in_len;
    int     in_eof;             /* read(2) said end of file */
    uint64_t consumed;          /* compressed bytes given to the decoder */
    int     mid;                /* inside a member whose end is unseen */
    int     done;               /* clean end or damage: no more output */
    char    damage[96];         /* "" while sound */
    z_stream zs;
    int     zs_init;
    lzma_stream xz;
    int     xz_init;
    ZSTD_DStream *zd;
    bz_stream bz;
    int     bz_init;
};

/* decomp_name - printable name of a format */
const char *
decomp_name(enum decomp_kind kind)
{
    switch (kind) {
    case DECOMP_GZIP:
        return "gzip";
    case DECOMP_XZ:
        return "xz";
    case DECOMP_ZSTD:
        return "zstd";
    case DECOMP_BZIP2:
        return "bzip2";
    default:
        return "plain";
    }
}

/* decomp_sniff - format from the magic bytes */
enum decomp_kind
decomp_sniff(const unsigned char *p, size_t n, const char **refused)
{
    static const unsigned char xz[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
    static const unsigned char zst[4] = {0x28, 0xb5, 0x2f, 0xfd};
    static const unsigned char bzblk[6] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59};
    static const unsigned char bzeos[6] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90};
    static const struct {
        const char *magic;
        size_t  len;
        const char *name;
    } nope[] = {
        {"\x04\x22\x4d\x18", 4, "lz4"},
        {"\x02\x21\x4c\x18", 4, "lz4 (legacy)"},
        {"\x1f\x9d", 2, "compress (.Z)"},
        {"PK\x03\x04", 4, "zip"},
        {"LZIP", 4, "lzip"},
        {"7z\xbc\xaf\x27\x1c", 6, "7z"},
    };
    size_t  i;

    if (refused)
        *refused = NULL;
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return DECOMP_GZIP;
    if (n >= 6 && memcmp(p, xz, 6) == 0)
        return DECOMP_XZ;
    if (n >= 4 && (memcmp(p, zst, 4) == 0
                   || ((p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d
                       && p[3] == 0x18)))
        return DECOMP_ZSTD;
    if (n >= 10 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' && p[3] >= '1'
        && p[3] <= '9' && (memcmp(p + 4, bzblk, 6) == 0
                           || memcmp(p + 4, bzeos, 6) == 0))
        return DECOMP_BZIP2;
    for (i = 0; i < sizeof(nope) / sizeof(nope[0]); i++)
        if (n >= nope[i].len && memcmp(p, nope[i].magic, nope[i].len) == 0) {
            if (refused)
                *refused = nope[i].name;
            break;
        }
    return DECOMP_NONE;
}

/* decomp_more - refill the compressed buffer when it is empty; -1 on
 * a read error */
static int
decomp_more(struct decomp *d)
{
    ssize_t n;

    if (d->in_pos < d->in_len || d->in_eof)
        return 0;
    do {
        n = read(d->fd, d->in, DECOMP_IN);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    d->in_pos = 0;
    d->in_len = (size_t) n;
    if (n == 0)
        d->in_eof = 1;
    return 0;
}

/* decomp_take - the decoder used k compressed bytes */
static void
decomp_take(struct decomp *d, size_t k)
{
    d->in_pos += k;
    d->consumed += k;
}

/* decomp_fail - record damage; the stream ends here */
static void
decomp_fail(struct decomp *d, const char *why)
{
    if (why == NULL)
        snprintf(d->damage, sizeof(d->damage), "truncated");
    else
        snprintf(d->damage, sizeof(d->damage), "damaged (%s)", why);
    d->done = 1;
}

/* decomp_boundary - between members: skip zero padding. 1 when the
 * input ended cleanly, 0 when another member starts, -1 on read error */
static int
decomp_boundary(struct decomp *d)
{
    for (;;) {
        while (d->in_pos < d->in_len && d->in[d->in_pos] == 0)
            decomp_take(d, 1);
        if (d->in_pos < d->in_len)
            return 0;
        if (d->in_eof)
            return 1;
        if (decomp_more(d) < 0)
            return -1;
    }
}

/* decomp_gzip - inflate gzip members one after the other */
static ssize_t
decomp_gzip(struct decomp *d, unsigned char *buf, size_t cap)
{
    size_t  out = 0;

    while (out < cap && !d->done) {
        size_t  avail;
        int     zr;

        if (!d->mid) {
            int     b = decomp_boundary(d);

            if (b < 0)
                return out ? (ssize_t) out : -1;
            if (b > 0) {
                d->done = 1;
                break;
            }
            if (inflateReset(&d->zs) != Z_OK) {
                decomp_fail(d, "zlib reset failed");
                break;
            }
            d->mid = 1;
        }
        if (decomp_more(d) < 0)
            return out ? (ssize_t) out : -1;
        if (d->in_pos == d->in_len) {
            decomp_fail(d, NULL);
            break;
        }
        avail = d->in_len - d->in_pos;
        d->zs.next_in = d->in + d->in_pos;
        d->zs.avail_in = (uInt) avail;
        d->zs.next_out = buf + out;
        d->zs.avail_out = (uInt) (cap - out);
        zr = inflate(&d->zs, Z_NO_FLUSH);
        decomp_take(d, avail - d->zs.avail_in);
        if (zr == Z_BUF_ERROR && d->zs.avail_in == avail
            && cap - out == d->zs.avail_out)
            zr = Z_DATA_ERROR;  /* no progress with room on both sides */
        out = cap - d->zs.avail_out;
        if (zr == Z_STREAM_END)
            d->mid = 0;
        else if (zr != Z_OK && zr != Z_BUF_ERROR)
            decomp_fail(d, d->zs.msg ? d->zs.msg : "invalid data");
    }
    return (ssize_t) out;
}

/* decomp_xz_error - text for a liblzma return code */
static const char *
decomp_xz_error(lzma_ret r)
{
    switch (r) {
    case LZMA_MEMLIMIT_ERROR:
        return "needs more than 256 MiB of memory to decompress";
    case LZMA_FORMAT_ERROR:
        return "not xz data";
    case LZMA_OPTIONS_ERROR:
        return "unsupported options";
    case LZMA_DATA_ERROR:
        return "corrupt data";
    case LZMA_MEM_ERROR:
        return "out of memory";
    default:
        return "decoder error";
    }
}

/* decomp_xz - liblzma with LZMA_CONCATENATED: every stream, padding */
static ssize_t
decomp_xz(struct decomp *d, unsigned char *buf, size_t cap)
{
    size_t  out = 0;

    while (out < cap && !d->done) {
        size_t  avail;
        lzma_ret r;
        lzma_action act;

        if (decomp_more(d) < 0)
            return out ? (ssize_t) out : -1;
        avail = d->in_len - d->in_pos;
        act = (avail == 0 && d->in_eof) ? LZMA_FINISH : LZMA_RUN;
        d->xz.next_in = d->in + d->in_pos;
        d->xz.avail_in = avail;
        d->xz.next_out = buf + out;
        d->xz.avail_out = cap - out;
        r = lzma_code(&d->xz, act);
        decomp_take(d, avail - d->xz.avail_in);
        out = cap - d->xz.avail_out;
        if (r == LZMA_STREAM_END)
            d->done = 1;
        else if (r == LZMA_BUF_ERROR && act == LZMA_FINISH)
            decomp_fail(d, NULL);
        else if (r != LZMA_OK && r != LZMA_BUF_ERROR)
            decomp_fail(d, decomp_xz_error(r));
    }
    return (ssize_t) out;
}

/* decomp_zstd - zstd frames one after the other (skippable ones too) */
static ssize_t
decomp_zstd(struct decomp *d, unsigned char *buf, size_t cap)
{
    size_t  out = 0;

    while (out < cap && !d->done) {
        ZSTD_inBuffer ib;
        ZSTD_outBuffer ob;
        size_t  r;
        size_t  before;

        if (decomp_more(d) < 0)
            return out ? (ssize_t) out : -1;
        if (d->in_pos == d->in_len && !d->mid) {
            d->done = 1;        /* clean: at a frame boundary */
            break;
        }
        ib.src = d->in;
        ib.size = d->in_len;
        ib.pos = d->in_pos;
        ob.dst = buf;
        ob.size = cap;
        ob.pos = out;
        before = out;
        /* with no input left this still flushes what zstd holds */
        r = ZSTD_decompressStream(d->zd, &ob, &ib);
        decomp_take(d, ib.pos - d->in_pos);
        out = ob.pos;
        if (ZSTD_isError(r)) {
            decomp_fail(d, ZSTD_getErrorName(r));
            break;
        }
        d->mid = r != 0;
        if (d->in_pos == d->in_len && d->in_eof && d->mid && out == before)
            decomp_fail(d, NULL);
    }
    return (ssize_t) out;
}

/* decomp_bz_error - text for a libbz2 return code */
static const char *
decomp_bz_error(int r)
{
    switch (r) {
    case BZ_DATA_ERROR_MAGIC:
        return "not bzip2 data";
    case BZ_DATA_ERROR:
        return "corrupt data";
    case BZ_MEM_ERROR:
        return "out of memory";
    default:
        return "decoder error";
    }
}

/* decomp_bzip2 - bzip2 streams one after the other (pbzip2 writes many) */
static ssize_t
decomp_bzip2(struct decomp *d, unsigned char *buf, size_t cap)
{
    size_t  out = 0;

    while (out < cap && !d->done) {
        size_t  avail;
        int     r;

        if (!d->mid) {
            int     b = decomp_boundary(d);

            if (b < 0)
                return out ? (ssize_t) out : -1;
            if (b > 0) {
                d->done = 1;
                break;
            }
            if (d->bz_init)
                BZ2_bzDecompressEnd(&d->bz);
            memset(&d->bz, 0, sizeof(d->bz));
            d->bz_init = BZ2_bzDecompressInit(&d->bz, 0, 0) == BZ_OK;
            if (!d->bz_init) {
                decomp_fail(d, "out of memory");
                break;
            }
            d->mid = 1;
        }
        if (decomp_more(d) < 0)
            return out ? (ssize_t) out : -1;
        if (d->in_pos == d->in_len) {
            decomp_fail(d, NULL);
            break;
        }
        avail = d->in_len - d->in_pos;
        /* libbz2 takes char * and unsigned lengths; DECOMP_IN fits */
        d->bz.next_in = (char *) (d->in + d->in_pos);
        d->bz.avail_in = (unsigned) avail;
        d->bz.next_out = (char *) (buf + out);
        d->bz.avail_out = (unsigned) (cap - out > 0x40000000 ? 0x40000000
                                      : cap - out);
        r = BZ2_bzDecompress(&d->bz);
        decomp_take(d, avail - d->bz.avail_in);
        if (r == BZ_OK && d->bz.avail_in == avail
            && (unsigned char *) d->bz.next_out == buf + out)
            r = BZ_DATA_ERROR;  /* no progress with room on both sides */
        out = (size_t) ((unsigned char *) d->bz.next_out - buf);
        if (r == BZ_STREAM_END)
            d->mid = 0;
        else if (r != BZ_OK)
            decomp_fail(d, decomp_bz_error(r));
    }
    return (ssize_t) out;
}

/* decomp_plain - the sniffed head first, then the descriptor */
static ssize_t
decomp_plain(struct decomp *d, unsigned char *buf, size_t cap)
{
    ssize_t n;

    if (d->in_pos < d->in_len) {
        size_t  k = d->in_len - d->in_pos;

        if (k > cap)
            k = cap;
        memcpy(buf, d->in + d->in_pos, k);
        decomp_take(d, k);
        return (ssize_t) k;
    }
    if (d->in_eof)
        return 0;
    do {
        n = read(d->fd, buf, cap);
    } while (n < 0 && errno == EINTR);
    if (n == 0)
        d->in_eof = 1;
    if (n > 0)
        d->consumed += (uint64_t) n;
    return n;
}

/* decomp_open - set up the decoder for kind */
struct decomp *
decomp_open(enum decomp_kind kind, int fd, const unsigned char *head,
            size_t nhead)
{
    struct decomp *d = xcalloc(1, sizeof(*d));
    lzma_stream init = LZMA_STREAM_INIT;

    d->kind = kind;
    d->fd = fd;
    /* plain data needs room for the sniffed head only */
    d->in = xmalloc(kind == DECOMP_NONE ? nhead
                    : nhead > DECOMP_IN ? nhead : DECOMP_IN);
    if (nhead)
        memcpy(d->in, head, nhead);
    d->in_len = nhead;
    switch (kind) {
    case DECOMP_GZIP:
        if (inflateInit2(&d->zs, 15 + 16) != Z_OK)
            msg_fatal("zlib initialisation failed");
        d->zs_init = 1;
        break;
    case DECOMP_XZ:
        d->xz = init;
        if (lzma_stream_decoder(&d->xz, DECOMP_XZ_MEMLIMIT,
                                LZMA_CONCATENATED) != LZMA_OK)
            msg_fatal("liblzma initialisation failed");
        d->xz_init = 1;
        break;
    case DECOMP_ZSTD:
        if ((d->zd = ZSTD_createDStream()) == NULL
            || ZSTD_isError(ZSTD_initDStream(d->zd)))
            msg_fatal("libzstd initialisation failed");
        break;
    default:
        break;
    }
    return d;
}

/* decomp_read - next uncompressed bytes */
ssize_t
decomp_read(struct decomp *d, unsigned char *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    switch (d->kind) {
    case DECOMP_GZIP:
        return d->done ? 0 : decomp_gzip(d, buf, cap);
    case DECOMP_XZ:
        return d->done ? 0 : decomp_xz(d, buf, cap);
    case DECOMP_ZSTD:
        return d->done ? 0 : decomp_zstd(d, buf, cap);
    case DECOMP_BZIP2:
        return d->done ? 0 : decomp_bzip2(d, buf, cap);
    default:
        return decomp_plain(d, buf, cap);
    }
}

/* decomp_damage - what went wrong, or NULL */
const char *
decomp_damage(const struct decomp *d)
{
    return d->damage[0] ? d->damage : NULL;
}

/* decomp_offset - compressed bytes consumed */
uint64_t
decomp_offset(const struct decomp *d)
{
    return d->consumed;
}

/* decomp_close - free everything */
struct decomp *
decomp_close(struct decomp *d)
{
    if (d == NULL)
        return NULL;
    if (d->zs_init)
        inflateEnd(&d->zs);
    if (d->xz_init)
        lzma_end(&d->xz);
    if (d->zd)
        ZSTD_freeDStream(d->zd);
    if (d->bz_init)
        BZ2_bzDecompressEnd(&d->bz);
    xfree(d->in);
    xfree(d);
    return NULL;
}
