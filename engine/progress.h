/* engine/progress.h - a progress line on stderr while logs are read
 *
 * Shown only when stderr is a terminal and --quiet is not given: file k
 * of n, megabytes read (uncompressed), MB/s, and an ETA when every input
 * is a plain regular file (for compressed input the size on disk does
 * not say how much work is left, so no ETA is guessed). Redrawn at the
 * start of each file and at most every half second; erased at the end.
 * Thread safety: one reader thread.
 */
#ifndef ENGINE_PROGRESS_H
#define ENGINE_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

struct progress;

/* NULL when progress is not wanted (not a terminal, or quiet) */
struct progress *progress_start(char *const *files, size_t n, int quiet);

/* file k (0-based) begins */
void    progress_file(struct progress *p, size_t k, const char *name);

/* bytes read so far of the current file; cheap unless a redraw is due */
void    progress_tick(struct progress *p, uint64_t file_bytes);

/* erase the line, free; returns NULL */
struct progress *progress_end(struct progress *p);

#endif
