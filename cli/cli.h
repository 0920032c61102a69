/* cli/cli.h - command line: options shared by the subcommands
 *
 * Exit codes (also in docs/mailtlsrpt.1 and README.md):
 *   0  done
 *   1  done, but some input was lost (unreadable file, damaged
 *      compressed data) or some report could not be written
 *   2  usage error: bad option or argument
 *   3  fatal error: bad configuration, out of memory, ...
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdint.h>

#define EXIT_DONE 0
#define EXIT_PARTIAL 1
#define EXIT_USAGE 2
#define EXIT_FATALERR 3

struct cli_opts {
    const char *config;
    const char *log_tz;
    int     log_year;
    const char *out;
    int     have_day;
    int32_t day;
    int     all_days;
    int     offline;
    int     no_gzip;
    int     json;
    const char *html;           /* --html FILE */
    int     trace;
    int     quiet;
    int     verbose;
    int     jobs;
    const char *plaintext;
    const char *mta;            /* --mta NAME */
    char  **files;              /* remaining arguments */
};

/* parse argv after the subcommand; exits EXIT_USAGE on error */
void    cli_parse(int argc, char **argv, const char *cmd,
                  struct cli_opts *o);

struct conf;

/* load configuration, set the log zone; shared by the subcommands */
void    cli_setup(const struct cli_opts *o, struct conf *c);

int     cmd_report(int argc, char **argv);
int     cmd_summary(int argc, char **argv);
int     cmd_sessions(int argc, char **argv);

#endif
