/* parsers/input.h - log input: files, compressed files and stdin, as lines
 * and journal records
 *
 * input_read() reads one source in large blocks. Compressed data (gzip,
 * xz, zstd, bzip2, any number of members) is recognised by its magic
 * bytes, not by its name (parsers/decomp.h). What comes out is, in the
 * order of the input:
 *   - text lines: the line callback, once per line, with a span that
 *     excludes the line ending ("\n" or "\r\n"), or the lines
 *     callback, once per batch of such lines;
 *   - journal records: the rec callback, once per journalctl -o json
 *     line or -o export record (parsers/jrnl.h), as a struct wrap_rec;
 *   - journalctl -x catalog lines ("-- ..." and "\u2591\u2591 ..."),
 *     and journalctl's "-- Boot ... --" markers: the skip callback;
 *   - lines that cannot be taken: the bad callback. A line longer than
 *     INPUT_MAX_LINE is not split into fake lines: it is skipped whole.
 *     So is a line with a NUL byte, a journal record we cannot read, and
 *     the unfinished last line before damaged compressed data.
 * A source counts "lines": text lines, JSON lines and export records,
 * each one.
 * Memory: one block of INPUT_BLOCK bytes plus INPUT_CARRY for a line or
 * record that crosses blocks, the decoder's state, and one struct jrnl
 * for journal records; nothing grows with the input. In chunks
 * (input_read_chunked), a plain file of 4 MiB or more is cut where it
 * lies and each chunk read by the thread that parses it (see
 * docs/internals/input.md).
 * Thread safety: one reader per source; no shared state.
 */
#ifndef PARSERS_INPUT_H
#define PARSERS_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../global/run.h"
#include "../util/span.h"

#define INPUT_MAX_LINE (64 * 1024)      /* bytes, line ending excluded */
#define INPUT_BLOCK (1024 * 1024)       /* read size */
#define INPUT_CARRY (INPUT_MAX_LINE + 256)      /* unfinished line/record */
/* lines a batch of input_cb.lines at most, 4 KiB of spans on the
 * reader's stack: each batch is a call and its set-up, and 64 lines a
 * batch were 1.3 instructions a line more (0.2 M of a 20 MB slice) */
#define INPUT_BATCH 256

struct input_src {
    const char *name;           /* "-" for stdin */
    time_t  mtime;              /* of the file; now for stdin */
    uint64_t lines;             /* lines delivered or skipped so far */
    uint64_t bytes;             /* bytes read (uncompressed) */
    uint64_t bad[INPUT_BAD_COUNT];
    uint64_t skipped;           /* journalctl catalog lines */
    uint64_t unreadable;        /* lines that look binary */
    int     truncated;          /* compressed stream damaged or cut */
    int     journal_export;     /* the source is journalctl -o export */
    const char *format;         /* "plain", "gzip", "xz", "zstd", "bzip2" */
};

struct wrap_rec;

struct input_cb {
    void    (*line) (void *ctx, const struct input_src *src, uint64_t lineno,
                     struct span line);
    /* optional: the plain lines of a buffer in batches instead of one
     * call of line each: ls[0, n) are lines lineno, lineno + 1, ...,
     * each as line would have had it (src->lines already counts them).
     * Every callback is still called in input order: a batch is handed
     * over before any other call. line is still called where lines is
     * not (a reader with stop, no SSE2, a line that needs a second
     * look: among them every line that begins with '-', 0xe2, 0x1e,
     * 'd' or '{', so no journal JSON record is in a batch), so it must
     * be set too */
    void    (*lines) (void *ctx, const struct input_src *src,
                      uint64_t lineno, const struct span *ls, size_t n);
    /* (n is 1 to INPUT_BATCH) */
    /* journal records; NULL: JSON lines go to line, export records are
     * dropped */
    void    (*rec) (void *ctx, const struct input_src *src, uint64_t lineno,
                    const struct wrap_rec *r);
    void    (*bad) (void *ctx, const struct input_src *src, uint64_t lineno,
                    enum input_bad why);
    /* optional: a line that is no log record (journalctl catalog text) */
    void    (*skip) (void *ctx, const struct input_src *src, uint64_t lineno);
    /* optional: the bytes of lines handed out so far are about to be
     * overwritten or freed (line mode, one thread: the buffer is
     * refilled, a read failed, the input ended); a caller that keeps
     * spans into them copies what it needs now */
    void    (*moving) (void *ctx);
    void   *ctx;
    /* optional, for peeking at a file (parsers/order.c): */
    int    *stop;               /* a callback sets *stop: reading ends */
    uint64_t max_bytes;         /* >0: stop after so many bytes, quietly */
    int     quiet;              /* no warnings */
};

/* read all of name ("-": stdin); 0, or -1 after msg_warn (open/read error,
 * a compressed format we cannot read, damaged compressed data: lines
 * before the damage were delivered). A file that looks binary gives a
 * warning but 0: it was read completely. The callbacks are called in
 * input order; cb fields not used must be zero. */
int     input_read(const char *name, const struct input_cb *cb,
                   struct input_src *src);

const char *input_bad_name(enum input_bad why);

/* Chunked reading, for parsing on many threads. input_read_chunked()
 * reads a source like input_read(), but hands the bytes of a line-mode
 * source over in chunks of whole lines (about ccb->size bytes each,
 * cut at a line boundary) instead of calling cb->line: the caller parses
 * each chunk with input_chunk_lines_mt(), on any thread, and must take
 * the chunks' lines in the order they were put. Journal export sources
 * are not cut: their records go to cb->rec as with input_read(). Before
 * its closing warnings (which count lines) it calls ccb->drain: by then
 * the lines, bad and unreadable counts of every chunk put must be added
 * into src (see input_chunk_add). */
#define INPUT_CH_LAST 1         /* the source ends with this chunk: its
                                 * last line may have no newline */
#define INPUT_CH_CUT 2          /* with LAST: that line was cut short by
                                 * damaged compressed data */
#define INPUT_CH_TAIL_LONG 4    /* with LAST: the source ended inside an
                                 * overlong line */
#define INPUT_CH_DROP 8         /* with LAST: a read error; the unfinished
                                 * last line is dropped */

struct input_chunk_cb {
    /* an empty buffer; *cap gets its size, at least
     * INPUT_CHUNK_CAP(size) */
    unsigned char *(*get) (void *ctx, size_t *cap);
    /* buf[0, len): whole lines (see INPUT_CH_*), after nlead overlong
     * lines that are skipped whole */
    void    (*put) (void *ctx, unsigned char *buf, size_t len, int flags,
                    int nlead);
    void    (*drain) (void *ctx);
    /* optional: a chunk of whole lines that is still in the file: len
     * bytes at off of the plain file fd, which stays open until drain
     * has returned. The thread that parses it first reads it into buf
     * (from get) with input_chunk_fetch(). Without it every chunk is
     * read into its buffer by the reader. */
    void    (*put_file) (void *ctx, unsigned char *buf, int fd,
                         uint64_t off, size_t len);
    void   *ctx;
    size_t  size;               /* bytes per chunk, at least 1 */
};

#define INPUT_CHUNK_CAP(size) ((size) + INPUT_BLOCK + INPUT_CARRY)

int     input_read_chunked(const char *name, const struct input_cb *cb,
                           const struct input_chunk_cb *ccb,
                           struct input_src *src);

/* a chunk put with put_file, into buf (from any thread); a file that no
 * longer holds it (truncated or rewritten while it is read) stops the
 * run with a message on stderr and status 3 */
void    input_chunk_fetch(const char *name, int fd, uint64_t off,
                          unsigned char *buf, size_t len);

/* the lines of one chunk: the line, bad and skip callbacks of cb in
 * order (cb->rec is not used: JSON lines go to cb->line), numbered from
 * 1 within the chunk; lines, bad, unreadable and skipped are counted
 * into acc, which the caller zeroes. Thread safety: reentrant. */
void    input_chunk_lines_mt(const struct input_cb *cb,
                             struct input_src *acc,
                             const unsigned char *buf, size_t len,
                             int flags, int nlead);

/* add a chunk's counts (from input_chunk_lines_mt) into src */
void    input_chunk_add(struct input_src *src, const struct input_src *acc);

/* tests only: on, the line split runs as on a processor without AVX2
 * (SSE2), whatever this one has; off, as it can. Call it before any
 * reader runs, not while one does */
void    input_test_sse2(int on);

#endif
