/* cli/opt.h - the command line: one table of commands, one of options
 *
 * Every command is one entry of opt_cmds[] (name, function, synopsis,
 * what it does) and every option one entry of opt_defs[] (names, the
 * commands that take it, where its value goes in struct cli_opts, how
 * the value is checked, its help and default), both in cli/opt_tab.c.
 * An option may have one entry per group of commands when its words or
 * default differ between them (--timeout, -o, --json, --day, --out).
 * The texts are the man page's (docs/mailtlsrpt.1); tests/it_cli.sh
 * checks that every option and command text appears there.
 *
 * cli_parse() (cli.h) reads a command's arguments with these tables:
 * long options as --name or --name=VALUE, short ones clustered (-qv,
 * -j4, -j 4), options and operands in any order, "--" ends the options,
 * "-" is an operand (standard input). A misspelled option or command
 * gets a "did you mean"; an option of another command is a usage error
 * naming the command; both exit with status 2. No abbreviations: a
 * script's options keep their meaning when options are added.
 *
 * Thread safety: the tables are constant; parsing runs in main only.
 */
#ifndef CLI_OPT_H
#define CLI_OPT_H

#include <stddef.h>
#include <stdio.h>

enum opt_type {
    OPT_FLAG,                   /* int field, set to 1 */
    OPT_STR,                    /* const char * field */
    OPT_NUM,                    /* long field, min..max */
    OPT_DAY,                    /* --day: day and have_day */
    OPT_CHOICE,                 /* const char * field, one of choices */
    OPT_LIST,                   /* repeatable: rua[] and nrua */
};

struct opt_def {
    const char *name;           /* long name without "--", or NULL */
    int     letter;             /* short name, or 0 */
    const char *arg;            /* name of its value; NULL: takes none */
    const char *cmds;           /* commands that take it, by name */
    enum opt_type type;
    size_t  off;                /* offsetof(struct cli_opts, field) */
    long    min, max;           /* OPT_NUM */
    const char *choices;        /* OPT_CHOICE: "a|b|c" */
    const char *help;           /* what it does, the man page's words */
    const char *deflt;          /* default, or NULL */
};

struct opt_cmd {
    const char *name;
    int     (*fn) (int argc, char **argv);
    const char *synopsis;       /* forms after "mailtlsrpt NAME", '\n'
                                 * between forms */
    const char *brief;          /* one line for the list of commands */
    const char *text;           /* what it does, the man page's words */
};

extern const struct opt_cmd opt_cmds[];
extern const size_t opt_ncmds;
extern const struct opt_def opt_defs[];
extern const size_t opt_ndefs;

/* the command of that name, or NULL */
const struct opt_cmd *opt_cmd_find(const char *name);

/* the nearest command name to a misspelled one, or NULL */
const char *opt_cmd_near(const char *name);

/* 1 when the option entry applies to the command */
int     opt_takes(const struct opt_def *d, const char *cmd);

/* the help of one command (synopsis, text, options with defaults) */
void    opt_help_cmd(FILE *fp, const struct opt_cmd *c);

/* the list of commands */
void    opt_help_all(FILE *fp);

/* text wrapped at 79 columns, every line indented by indent, the first
 * line starting at column col (already written) */
void    opt_wrap(FILE *fp, const char *text, int indent, int col);

/* "Help text (default: X)." into buf */
void    opt_with_default(char *buf, size_t cap, const char *help,
                         const char *deflt);

/* "a|b|c" as "a, b or c" */
void    opt_alternatives(const char *choices, char *buf, size_t cap);

#endif
