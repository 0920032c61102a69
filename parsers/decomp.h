/* parsers/decomp.h - compressed log input, recognised by its magic bytes
 *
 * A struct decomp turns a file descriptor into uncompressed bytes. The
 * format is chosen from the first bytes of the stream, never from the
 * file name: gzip (1f 8b), xz (fd 37 7a 58 5a 00), zstd (28 b5 2f fd,
 * or a skippable frame 5? 2a 4d 18), bzip2 ("BZh" 1-9 and a block or
 * end-of-stream magic); anything else is passed through unchanged.
 * Concatenated members (gzip members, xz streams, zstd frames, bzip2
 * streams) are read one after the other, as the command-line tools do;
 * zero bytes after a complete member are ignored (tape padding).
 * Memory is bounded whatever the input: one compressed block of
 * DECOMP_IN bytes plus the decoder's own state, for xz at most
 * DECOMP_XZ_MEMLIMIT, for zstd a window of at most 2^27 bytes (zstd's
 * default; larger windows are refused as damaged data).
 *
 * When the data ends inside a member, or a decoder reports an error,
 * decomp_read() returns 0 (end) from then on, and decomp_damage() says
 * what happened; every byte decoded before the damage has been returned.
 * Formats that we recognise but cannot read (lz4, compress, zip, lzip,
 * 7z) are refused by decomp_open() with a reason.
 * Thread safety: one struct decomp per thread.
 */
#ifndef PARSERS_DECOMP_H
#define PARSERS_DECOMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DECOMP_IN (1024 * 1024)                 /* compressed read size */
#define DECOMP_XZ_MEMLIMIT (256ULL << 20)       /* xz decoder memory */

enum decomp_kind {
    DECOMP_NONE = 0,            /* plain bytes */
    DECOMP_GZIP,
    DECOMP_XZ,
    DECOMP_ZSTD,
    DECOMP_BZIP2,
};

struct decomp;                  /* opaque */

/* decomp_sniff - the format of a stream from its first n bytes (n >= 10
 * when the stream has that many); DECOMP_NONE when none matches. If
 * refused is not NULL, it is set to the name of a compressed format we
 * know but cannot read ("lz4", ...), or NULL. */
enum decomp_kind decomp_sniff(const unsigned char *p, size_t n,
                              const char **refused);

/* decomp_open - read fd (not closed by us) as kind; the caller has
 * already read the first nhead bytes into head (copied here). Never
 * NULL: exhausted memory is fatal (mymalloc). */
struct decomp *decomp_open(enum decomp_kind kind, int fd,
                           const unsigned char *head, size_t nhead);

/* decomp_read - up to cap uncompressed bytes into buf: > 0 bytes, 0 at
 * the end (clean, or damaged: see decomp_damage), -1 on a read error
 * (errno set). Cost O(bytes). */
ssize_t decomp_read(struct decomp *d, unsigned char *buf, size_t cap);

/* decomp_damage - NULL while the data is sound; else a short text,
 * "truncated" or "damaged (REASON)" */
const char *decomp_damage(const struct decomp *d);

/* decomp_offset - compressed bytes consumed so far */
uint64_t decomp_offset(const struct decomp *d);

/* decomp_name - "gzip", "xz", "zstd", "bzip2" or "plain" */
const char *decomp_name(enum decomp_kind kind);

/* decomp_close - release decoder state; returns NULL */
struct decomp *decomp_close(struct decomp *d);

#endif
