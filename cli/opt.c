/* cli/opt.c - parse a command's arguments, print help (see opt.h)
 *
 * cli_parse() walks argv once: each option is looked up among the
 * entries of opt_defs[] for this command; its value is checked and
 * stored where the entry says. Whatever goes wrong ends the process
 * with status 2 and one line naming the command: unknown option (with
 * the nearest known one), option of other commands (naming them),
 * missing or bad value (with the values allowed).
 */
#include "cli.h"
#include "conf.h"
#include "opt.h"
#include "../util/date.h"
#include "../util/msg.h"
#include "../util/near.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MTR_VERSION
#define MTR_VERSION "0.0"
#endif

#define OPT_COLS 79             /* help is wrapped at this width */
#define OPT_HELP_COL 26         /* where option texts start */

/* opt_in_list - 1 when word is one of the space-separated list */
static int
opt_in_list(const char *list, const char *word)
{
    size_t  n = strlen(word);
    const char *p = list;

    while ((p = strstr(p, word)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
            return 1;
        p += n;
    }
    return 0;
}

/* opt_takes - the entry applies to the command */
int
opt_takes(const struct opt_def *d, const char *cmd)
{
    return opt_in_list(d->cmds, cmd);
}

/* opt_cmd_find - a command by name */
const struct opt_cmd *
opt_cmd_find(const char *name)
{
    size_t  i;

    for (i = 0; i < opt_ncmds; i++)
        if (strcmp(opt_cmds[i].name, name) == 0)
            return &opt_cmds[i];
    return NULL;
}

/* opt_cmd_near - did you mean: the nearest command name, or NULL */
const char *
opt_cmd_near(const char *name)
{
    const char *best = NULL;
    int     rank = 0, r;
    size_t  i;

    for (i = 0; i < opt_ncmds; i++)
        if ((r = near_close(name, opt_cmds[i].name)) > rank) {
            rank = r;
            best = opt_cmds[i].name;
        }
    return best;
}

/* opt_usage_fail - a usage error of cmd: one line, a hint, exit 2 */
static _Noreturn void opt_usage_fail(const char *cmd, const char *fmt, ...)
            __attribute__((format(printf, 2, 3)));

static _Noreturn void
opt_usage_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "mailtlsrpt %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nmailtlsrpt %s --help shows its options\n", cmd);
    exit(EXIT_USAGE);
}

/* opt_show - "--name" or "-x" as the user would write it */
static const char *
opt_show(const struct opt_def *d, char *buf, size_t cap)
{
    if (d->name)
        snprintf(buf, cap, "--%s", d->name);
    else
        snprintf(buf, cap, "-%c", d->letter);
    return buf;
}

/* opt_cmds_of - "report and run": the commands that take an option
 * (every entry of the same name), for a message */
static void
opt_cmds_of(const char *name, int letter, char *buf, size_t cap)
{
    size_t  i, k, n = 0;
    const char *names[32];

    for (i = 0; i < opt_ncmds; i++)
        for (k = 0; k < opt_ndefs; k++) {
            const struct opt_def *d = &opt_defs[k];

            if (((name && d->name && strcmp(d->name, name) == 0)
                 || (!name && d->letter == letter))
                && opt_takes(d, opt_cmds[i].name) && n < 32) {
                names[n++] = opt_cmds[i].name;
                break;
            }
        }
    buf[0] = 0;
    for (i = 0; i < n; i++) {
        size_t  len = strlen(buf);

        snprintf(buf + len, cap - len, "%s%s", i == 0 ? "" : i + 1 == n
                 ? " and " : ", ", names[i]);
    }
}

/* opt_lookup - the entry of an option for cmd; exits when there is none */
static const struct opt_def *
opt_lookup(const char *cmd, const char *name, int letter)
{
    const struct opt_def *best = NULL;
    const char *near = NULL;
    char    show[80], cmds[256];
    int     rank = 0, r, other = 0;
    size_t  k;

    for (k = 0; k < opt_ndefs; k++) {
        const struct opt_def *d = &opt_defs[k];

        if ((name && d->name && strcmp(d->name, name) == 0)
            || (!name && d->letter == letter)) {
            if (opt_takes(d, cmd))
                return d;
            other = 1;
            best = d;
        }
    }
    if (name)
        snprintf(show, sizeof(show), "--%.60s", name);
    else
        snprintf(show, sizeof(show), "-%c", letter);
    if (other) {
        opt_cmds_of(best->name, best->letter, cmds, sizeof(cmds));
        opt_usage_fail(cmd, "%s does not apply to %s (an option of %s)",
                       show, cmd, cmds);
    }
    /* did you mean: options of this command first, then of any */
    for (k = 0; name && k < opt_ndefs; k++) {
        const struct opt_def *d = &opt_defs[k];

        if (d->name && (r = near_close(name, d->name)) > 0
            && r * 2 + opt_takes(d, cmd) > rank) {
            rank = r * 2 + opt_takes(d, cmd);
            near = d->name;
        }
    }
    if (near)
        opt_usage_fail(cmd, "unknown option %s; did you mean --%s?", show,
                       near);
    opt_usage_fail(cmd, "unknown option %s", show);
}

/* opt_choice_ok - value is one of "a|b|c"; else the nearest in near */
static int
opt_choice_ok(const char *choices, const char *v, char *near, size_t cap)
{
    const char *p = choices;
    int     rank = 0, r;

    near[0] = 0;
    while (*p) {
        size_t  n = strcspn(p, "|");
        char    w[64];

        snprintf(w, sizeof(w), "%.*s", (int) n, p);
        if (strcmp(w, v) == 0)
            return 1;
        if ((r = near_close(v, w)) > rank) {
            rank = r;
            snprintf(near, cap, "%s", w);
        }
        p += n + (p[n] == '|');
    }
    return 0;
}

/* opt_alternatives - "a|b|c" as "a, b or c" */
void
opt_alternatives(const char *choices, char *buf, size_t cap)
{
    size_t  len = 0;
    const char *p = choices;

    buf[0] = 0;
    while (*p && len + 1 < cap) {
        size_t  n = strcspn(p, "|");
        int     more = p[n] == '|';
        int     last = !more || strchr(p + n + 1, '|') == NULL;

        snprintf(buf + len, cap - len, "%.*s%s", (int) n, p,
                 !more ? "" : last ? " or " : ", ");
        len = strlen(buf);
        p += n + more;
    }
}

/* opt_store - check the value and put it where the entry says */
static void
opt_store(const char *cmd, const struct opt_def *d, const char *v,
          struct cli_opts *o)
{
    char   *field = (char *) o + d->off;
    char    show[80], near[64], alts[128];
    char   *end;
    long    x;

    opt_show(d, show, sizeof(show));
    switch (d->type) {
    case OPT_FLAG:
        *(int *) field = 1;
        break;
    case OPT_STR:
        if (*v == 0)
            opt_usage_fail(cmd, "%s wants %s, not an empty word", show,
                           d->arg);
        *(const char **) field = v;
        break;
    case OPT_NUM:
        x = strtol(v, &end, 10);
        if (*v == 0 || *end || x < d->min || x > d->max)
            opt_usage_fail(cmd, "%s wants a number %ld..%ld, not \"%.60s\"",
                           show, d->min, d->max, v);
        *(long *) field = x;
        break;
    case OPT_DAY:
        if (date_parse_day(v, &o->day) != 0)
            opt_usage_fail(cmd, "%s wants YYYY-MM-DD, not \"%.60s\"", show,
                           v);
        o->have_day = 1;
        break;
    case OPT_CHOICE:
        if (!opt_choice_ok(d->choices, v, near, sizeof(near))) {
            opt_alternatives(d->choices, alts, sizeof(alts));
            if (near[0])
                opt_usage_fail(cmd, "%s wants %s, not \"%.60s\"; did you mean"
                           " %s?", show, alts, v, near);
            opt_usage_fail(cmd, "%s wants %s, not \"%.60s\"", show, alts, v);
        }
        *(const char **) field = v;
        break;
    case OPT_LIST:
        if (*v == 0)
            opt_usage_fail(cmd, "%s wants %s, not an empty word", show,
                           d->arg);
        if (o->nrua >= CLI_MAX_RUA)
            opt_usage_fail(cmd, "at most %d %s", CLI_MAX_RUA, show);
        o->rua[o->nrua++] = v;
        break;
    }
}

/* opt_special - -h and -V end the run at once */
static void
opt_special(const char *cmd, const struct opt_def *d)
{
    if (d->letter == 'h') {
        opt_help_cmd(stdout, opt_cmd_find(cmd));
        exit(fflush(stdout) == 0 ? EXIT_DONE : EXIT_FATALERR);
    }
    if (d->letter == 'V') {
        printf("mailtlsrpt %s\n", MTR_VERSION);
        exit(EXIT_DONE);
    }
}

/* cli_parse - a command's arguments into o; exits 2 on a usage error */
void
cli_parse(int argc, char **argv, const char *cmd, struct cli_opts *o)
{
    char  **ops = argv + 1;     /* operands, moved to the front */
    size_t  nops = 0;
    int     i;

    memset(o, 0, sizeof(*o));
    o->cmd = cmd;
    o->max_delay = -1;
    o->piece = -1;
    o->retry_for = -1;
    o->timeout = -1;
    o->top = -1;
    o->checkpoint_every = -1;
    o->grace = -1;
    o->metrics_domains = -1;
    for (i = 1; i < argc; i++) {
        char   *a = argv[i];
        const struct opt_def *d;

        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++)
                ops[nops++] = argv[i];
            break;
        }
        if (a[0] != '-' || a[1] == 0) {
            ops[nops++] = a;
            continue;
        }
        if (a[1] == '-') {
            char    name[NEAR_MAX + 1];
            const char *eq = strchr(a + 2, '=');
            size_t  n = eq ? (size_t) (eq - a - 2) : strlen(a + 2);

            if (n > NEAR_MAX)
                opt_usage_fail(cmd, "unknown option %.70s...", a);
            memcpy(name, a + 2, n);
            name[n] = 0;
            d = opt_lookup(cmd, name, 0);
            opt_special(cmd, d);
            if (d->arg == NULL && eq)
                opt_usage_fail(cmd, "--%s takes no value", name);
            if (d->arg != NULL && eq == NULL && i + 1 >= argc)
                opt_usage_fail(cmd, "--%s wants a value (%s)", name, d->arg);
            opt_store(cmd, d, d->arg == NULL ? "" : eq ? eq + 1 : argv[++i],
                      o);
            continue;
        }
        for (a++; *a; a++) {    /* -qv, -j4, -j 4, -oFILE */
            d = opt_lookup(cmd, NULL, (unsigned char) *a);
            opt_special(cmd, d);
            if (d->arg == NULL) {
                opt_store(cmd, d, "", o);
                continue;
            }
            if (a[1] == 0 && i + 1 >= argc)
                opt_usage_fail(cmd, "-%c wants a value (%s)", *a, d->arg);
            opt_store(cmd, d, a[1] ? a + 1 : argv[++i], o);
            break;
        }
    }
    ops[nops] = NULL;
    if (o->have_day && o->all_days)
        opt_usage_fail(cmd, "--day and --all-days exclude each other");
    if (o->json && o->html)
        opt_usage_fail(cmd, "--json and --html exclude each other");
    if (o->json && o->trace)
        opt_usage_fail(cmd, "--json and --trace exclude each other");
    if (o->defaults && o->explicit)
        opt_usage_fail(cmd, "-d and -n exclude each other");
    if (o->journal && nops > 0)
        opt_usage_fail(cmd, "--journal reads the journal: no LOG files"
                       " with it (\"%.60s\")", ops[0]);
    if (o->from_state && (o->log_tz || o->log_year || o->jobs))
        opt_usage_fail(cmd, "%s does not apply with --from-state: the"
                       " states carry the times of their lines", o->log_tz
                       ? "--log-tz" : o->log_year ? "--log-year" : "-j");
    if (o->journal && o->from_state)
        opt_usage_fail(cmd, "--journal and --from-state exclude each"
                       " other");
    o->files = ops;
    msg_quiet = o->quiet;
    msg_verbose = o->verbose;
}

/* opt_word - length of the word at p: up to a space outside brackets
 * (a synopsis keeps "[--out DIR]" on one line) */
static size_t
opt_word(const char *p)
{
    size_t  n = 0;
    int     depth = 0;

    for (; p[n] && (p[n] != ' ' || depth > 0); n++)
        if (p[n] == '[')
            depth++;
        else if (p[n] == ']' && depth > 0)
            depth--;
    return n;
}

/* opt_wrap - words of text from column col, lines indented by indent */
void
opt_wrap(FILE *fp, const char *text, int indent, int col)
{
    const char *p = text;

    while (*p) {
        size_t  n = opt_word(p);

        if (col > indent && col + 1 + (int) n > OPT_COLS) {
            fprintf(fp, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', fp);
            col++;
        } else if (col < indent) {
            fprintf(fp, "%*s", indent - col, "");
            col = indent;
        }
        fwrite(p, 1, n, fp);
        col += (int) n;
        p += n;
        while (*p == ' ')
            p++;
    }
    fputc('\n', fp);
}

/* opt_with_default - "Help text (default: X)." */
void
opt_with_default(char *buf, size_t cap, const char *help, const char *deflt)
{
    size_t  n = strlen(help);

    if (deflt == NULL) {
        snprintf(buf, cap, "%s", help);
        return;
    }
    if (n > 0 && help[n - 1] == '.')
        n--;
    snprintf(buf, cap, "%.*s (default: %s).", (int) n, help, deflt);
}

/* opt_help_cmd - synopsis, what it does, its options with defaults */
void
opt_help_cmd(FILE *fp, const struct opt_cmd *c)
{
    const char *s = c->synopsis;
    char    head[128], text[1024];
    size_t  k;
    int     first = 1;

    while (*s) {
        size_t  n = strcspn(s, "\n");
        char    form[512];

        snprintf(form, sizeof(form), "%.*s", (int) n, s);
        fprintf(fp, "%s mailtlsrpt %s", first ? "usage:" : "      ",
                c->name);
        opt_wrap(fp, form, 19 + (int) strlen(c->name),
                 18 + (int) strlen(c->name));
        first = 0;
        s += n + (s[n] == '\n');
    }
    fputc('\n', fp);
    opt_wrap(fp, c->text, 0, 0);
    fputs("\nOptions:\n", fp);
    for (k = 0; k < opt_ndefs; k++) {
        const struct opt_def *d = &opt_defs[k];
        int     col;

        if (!opt_takes(d, c->name))
            continue;
        if (d->name && d->letter)
            snprintf(head, sizeof(head), "  -%c, --%s%s%s", d->letter,
                     d->name, d->arg ? " " : "", d->arg ? d->arg : "");
        else if (d->name)
            snprintf(head, sizeof(head), "  --%s%s%s", d->name,
                     d->arg ? " " : "", d->arg ? d->arg : "");
        else
            snprintf(head, sizeof(head), "  -%c%s%s", d->letter,
                     d->arg ? " " : "", d->arg ? d->arg : "");
        fputs(head, fp);
        col = (int) strlen(head);
        if (col > OPT_HELP_COL - 2) {
            fputc('\n', fp);
            col = 0;
        }
        opt_with_default(text, sizeof(text), d->help, d->deflt);
        opt_wrap(fp, text, OPT_HELP_COL, col);
    }
    if (strcmp(c->name, "config") == 0) {
        const char *name, *help, *deflt;

        fputs("\nSettings (NAME = VALUE in the configuration file):\n", fp);
        for (k = 0; (name = conf_key_info(k, &help, &deflt)) != NULL; k++) {
            fprintf(fp, "  %s\n", name);
            opt_with_default(text, sizeof(text), help, deflt);
            opt_wrap(fp, text, 6, 0);
        }
    }
    fputs("\nExit status: 0 done; 1 done, but something was lost or not"
          " done; 2 usage\nerror; 3 fatal error. See mailtlsrpt(1).\n", fp);
}

/* opt_help_all - the list of commands */
void
opt_help_all(FILE *fp)
{
    size_t  i;

    fputs("usage: mailtlsrpt COMMAND [OPTIONS] [LOG...]\n\n"
          "Turn Postfix, Exim and Sendmail logs into SMTP TLS Reporting"
          " (RFC 8460)\nreports and deliver them. LOG is a file (plain, gzip,"
          " xz, zstd or bzip2, by\ncontent; rotated files in any order) or -"
          " for standard input (also journalctl\noutput); with no LOG,"
          " standard input is read.\n\nCommands:\n", fp);
    for (i = 0; i < opt_ncmds; i++)
        fprintf(fp, "  %-14s%s\n", opt_cmds[i].name, opt_cmds[i].brief);
    fputs("\nmailtlsrpt COMMAND --help (or mailtlsrpt help COMMAND) shows"
          " a command's\noptions; mailtlsrpt config --help the settings of"
          " the configuration file.\n", fp);
}

/* cmd_help - "mailtlsrpt help [COMMAND]" */
int
cmd_help(int argc, char **argv)
{
    struct cli_opts o;
    const struct opt_cmd *c;
    const char *near;

    cli_parse(argc, argv, "help", &o);
    if (o.files[0] == NULL) {
        opt_help_all(stdout);
        return fflush(stdout) == 0 ? EXIT_DONE : EXIT_FATALERR;
    }
    if (o.files[1] != NULL)
        opt_usage_fail("help", "one COMMAND at a time");
    if ((c = opt_cmd_find(o.files[0])) == NULL) {
        if ((near = opt_cmd_near(o.files[0])) != NULL)
            opt_usage_fail("help", "unknown command \"%.60s\"; did you mean"
                           " %s?", o.files[0], near);
        opt_usage_fail("help", "unknown command \"%.60s\"", o.files[0]);
    }
    opt_help_cmd(stdout, c);
    return fflush(stdout) == 0 ? EXIT_DONE : EXIT_FATALERR;
}
