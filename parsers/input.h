/* parsers/input.h - log input: files, compressed files and stdin, as lines
 *
 * input_read() reads one source in large blocks and calls back once per
 * line with a span that excludes the line ending ("\n" or "\r\n"). A line
 * longer than INPUT_MAX_LINE is not split into fake lines: it is skipped
 * whole and reported through the bad-line callback. A line containing a
 * NUL byte is reported the same way. gzip input (any number of members)
 * is recognised by its magic bytes, not by its name.
 * Thread safety: one reader per source; no shared state.
 */
#ifndef PARSERS_INPUT_H
#define PARSERS_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../util/span.h"

#define INPUT_MAX_LINE (64 * 1024)      /* bytes, line ending excluded */
#define INPUT_BLOCK (1024 * 1024)       /* read size */

enum input_bad {
    INPUT_BAD_LONG = 0,         /* over INPUT_MAX_LINE */
    INPUT_BAD_NUL,              /* contains a NUL byte */
    INPUT_BAD_COUNT
};

struct input_src {
    const char *name;           /* "-" for stdin */
    time_t  mtime;              /* of the file; now for stdin */
    uint64_t lines;             /* lines delivered or skipped so far */
    uint64_t bytes;             /* bytes read (uncompressed) */
    uint64_t bad[INPUT_BAD_COUNT];
    int     truncated;          /* compressed stream ended early */
};

struct input_cb {
    void    (*line) (void *ctx, const struct input_src *src, uint64_t lineno,
                     struct span line);
    void    (*bad) (void *ctx, const struct input_src *src, uint64_t lineno,
                    enum input_bad why);
    void   *ctx;
};

/* read all of name ("-": stdin); 0, or -1 after msg_warn (open/read error,
 * damaged compressed data: lines before the damage were delivered) */
int     input_read(const char *name, const struct input_cb *cb,
                   struct input_src *src);

const char *input_bad_name(enum input_bad why);

#endif
