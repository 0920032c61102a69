/* parsers/order.h - read rotated logs oldest first, by their content
 *
 * "mail.log mail.log.1 mail.log.2.gz", a shell glob, or any other order
 * of rotated files: order_files() peeks at each regular file (after
 * decompression, at most its first ORDER_PEEK bytes) for its first dated
 * record, in whatever form (parsers/input.h, parsers/wrap.h), and sorts
 * the files whose first time it found oldest first. Names are never
 * used. Files with equal first times keep the order given. Standard
 * input, pipes, unreadable files and files without a dated record in
 * their first ORDER_PEEK bytes keep their place in the list; the dated
 * files are sorted among the remaining places.
 * RFC 3164 stamps get their year as in the run itself: order_ts_init().
 * Thread safety: none needed (called before the run).
 */
#ifndef PARSERS_ORDER_H
#define PARSERS_ORDER_H

#include <stddef.h>
#include <time.h>

#include "ts.h"

#define ORDER_PEEK (1024 * 1024)        /* uncompressed bytes per file */

/* order_ts_init - the year reference of one source: log_year (> 0),
 * else the file's modification time, else (stdin, no stat) now */
void    order_ts_init(struct ts_ctx *c, const char *name, int log_year);

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
