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
    dev_t   pdev[2];            /* the folders holding it: of the path */
    ino_t   pino[2];            /* as given, and with links resolved */
    const char *name;           /* as given (the caller's) */
};

static struct guard_in *guard_v;
static size_t guard_n;

/* guard_folder - the folder of path (links resolved if real) into g */
static void
guard_folder(const char *path, int real, struct guard_in *g)
{
    char   *p = real ? realpath(path, NULL) : xstrdup(path);
    char   *slash;
    struct stat st;
    int     k = real ? 1 : 0;

    g->pdev[k] = 0;
    g->pino[k] = 0;
    if (p == NULL)
        return;
    if ((slash = strrchr(p, '/')) == NULL)
        strcpy(p, ".");
    else if (slash == p)
        p[1] = 0;
    else
        *slash = 0;
    if (stat(p, &st) == 0) {
        g->pdev[k] = st.st_dev;
        g->pino[k] = st.st_ino;
    }
    free(p);
}

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
    guard_folder(name, 0, &guard_v[guard_n]);
    guard_folder(name, 1, &guard_v[guard_n]);
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

/* guard_folder_clear - 1 when no input was named in folder dir (nor
 * is there with its links resolved), so that no file created there by
 * a new name and a rename can replace an input's name: the check per
 * file can be left out */
int
guard_folder_clear(const char *dir)
{
    struct stat st;
    size_t  i;
    int     k;

    if (dir == NULL || stat(dir, &st) != 0)
        return 0;
    for (i = 0; i < guard_n; i++)
        for (k = 0; k < 2; k++)
            if ((guard_v[i].pdev[k] == 0 && guard_v[i].pino[k] == 0)
                || (guard_v[i].pdev[k] == st.st_dev
                    && guard_v[i].pino[k] == st.st_ino))
                return 0;
    return 1;
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
