/* cli/guard.c - no command writes over a file it was given as input */
#include "guard.h"
#include "cli.h"
#include "conf.h"
#include "../util/mymalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct guard_in {
    dev_t   dev;
    ino_t   ino;
    const char *name;           /* as given (the caller's) */
};

static struct guard_in *guard_v;
static size_t guard_n;

/* guard_add - one input, if it exists */
static void
guard_add(const char *name)
{
    struct stat st;

    if (name == NULL || strcmp(name, "-") == 0 || stat(name, &st) != 0
        || !S_ISREG(st.st_mode))
        return;
    guard_v = xrealloc(guard_v, (guard_n + 1) * sizeof(*guard_v));
    guard_v[guard_n].dev = st.st_dev;
    guard_v[guard_n].ino = st.st_ino;
    guard_v[guard_n++].name = name;
}

/* guard_inputs - note every file the command reads */
void
guard_inputs(const struct cli_opts *o, const struct conf *c)
{
    size_t  i;

    guard_n = 0;
    for (i = 0; o->files && o->files[i]; i++)
        guard_add(o->files[i]);
    guard_add(o->config);
    if (c != NULL) {
        guard_add(c->path);
        guard_add(c->ca_file);
        guard_add(c->dkim_key);
    }
    guard_add(o->ca_file);
    guard_add(o->dkim_key);
}

/* guard_check - the input path is, or NULL */
const char *
guard_check(const char *path)
{
    struct stat st;
    size_t  i;

    if (path == NULL || stat(path, &st) != 0)
        return NULL;
    for (i = 0; i < guard_n; i++)
        if (guard_v[i].dev == st.st_dev && guard_v[i].ino == st.st_ino)
            return guard_v[i].name;
    return NULL;
}

/* guard_output - -o must not be an input */
void
guard_output(const struct cli_opts *o)
{
    const char *in = guard_check(o->output);

    if (in == NULL)
        return;
    fprintf(stderr, "mailtlsrpt %s: -o %s is %s, an input: it is not"
            " overwritten; nothing was read or written\n", o->cmd,
            o->output, strcmp(in, o->output) == 0 ? "also given" : in);
    exit(EXIT_USAGE);
}
