/* cli/guard.h - no command writes over a file it was given as input
 *
 * guard_inputs() notes the device and inode of every file a command
 * reads (LOG and STATE arguments, the configuration, --ca-file,
 * --dkim-key); guard_check() is asked before any output file is written
 * or replaced (-o, report files) and says which input it would hit,
 * however the two paths are spelled (links, "./", symlinks).
 * Thread safety: main thread only, before and between runs.
 */
#ifndef CLI_GUARD_H
#define CLI_GUARD_H

struct cli_opts;
struct conf;

/* note the inputs of a command (what exists of them) */
void    guard_inputs(const struct cli_opts *o, const struct conf *c);

/* the input that path is (the name it was given by), or NULL */
const char *guard_check(const char *path);

/* 1 when no input was named in folder dir (as given or with links
 * resolved; an input whose folder is unknown counts as named there):
 * a file made there under a new name and renamed cannot replace one,
 * and guard_check() per file can be left out (report writes thousands) */
int     guard_folder_clear(const char *dir);

/* exit 2 when -o names an input: "-o X is an input (Y); nothing read" */
void    guard_output(const struct cli_opts *o);

#endif
