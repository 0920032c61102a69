/* parsers/order.h - read rotated logs oldest first, by their content
 *
 * "mail.log mail.log.1 mail.log.2.gz", a shell glob, or any other order
 * of rotated files: order_files() peeks at each regular file (after
 * decompression, at most its first ORDER_PEEK bytes) for its first dated
 * record, in whatever form (parsers/input.h, parsers/wrap.h), and sorts
 * the files whose first time it found oldest first. Files whose first
 * times tie (to the second: pieces of a busy log cut inside a second)
 * are ordered by their rotation names where these say (logrotate's
 * "mail.log" is newer than "mail.log.1", which is newer than
 * "mail.log.2.gz"; dateext "mail.log-20241123" older than
 * "mail.log-20241124"), else by modification time (older first); when
 * neither says, they keep the order given and a warning names them.
 * Standard input, pipes, unreadable files and files without a dated
 * record in their first ORDER_PEEK bytes keep their place in the list;
 * the dated files are sorted among the remaining places.
 * RFC 3164 stamps get their year as in the run itself: order_ts_init().
 * Thread safety: none needed (called before the run).
 */
#ifndef PARSERS_ORDER_H
#define PARSERS_ORDER_H

#include <stddef.h>
#include <time.h>

#include "ts.h"

#define ORDER_PEEK (1024 * 1024)        /* uncompressed bytes per file */

/* how the year reference of a source was chosen (order_ts_init) */
enum order_ref {
    ORDER_REF_MTIME = 0,        /* the file's modification time */
    ORDER_REF_NOW,              /* standard input, a pipe: now */
    ORDER_REF_YEAR,             /* --log-year: the whole year */
    ORDER_REF_YEAR_MTIME,       /* --log-year, the file written that
                                 * year: no line after the file */
    ORDER_REF_YEAR_NOW,         /* --log-year of this year, standard
                                 * input: no line after now */
};

/* order_ts_init - the year reference of one source (parsers/ts.h): the
 * file's modification time, else (stdin, no stat) now; with log_year
 * (> 0) that year, bounded by the modification time (or now) when it
 * falls in that year, since no line is later than its file. Returns
 * enum order_ref; c->ref_t is the reference */
int     order_ts_init(struct ts_ctx *c, const char *name, int log_year);

/* order_first - the UTC time of the first dated record of a regular
 * file into *t; 0, or -1 (not a regular file, unreadable, none found) */
int     order_first(const char *name, int log_year, int64_t *t);

/* order_files - sort files[0..n) in place, oldest first (see above);
 * cost: one peek per file */
void    order_files(char **files, size_t n, int log_year);

/* order_same_file - the index of an earlier files[0..k) that is the
 * same regular file as files[k] (same device and inode: a name given
 * twice, a hard or symbolic link), else -1. Standard input and other
 * non-regular files are never the same. Cost: k + 1 stat calls */
long    order_same_file(char *const *files, size_t k);

#endif
