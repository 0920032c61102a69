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

#include <stddef.h>
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
    /* network side (resolution, delivery); NULL/0: configuration or default */
    const char *state_dir;      /* --state-dir DIR */
    const char *resolver;       /* --resolver ADDR[:PORT] */
    const char *ca_file;        /* --ca-file FILE */
    int     keep_all;           /* --keep-all */
    const char *smtp_relay;     /* --smtp-relay URL */
    const char *mail_from;      /* --mail-from ADDR */
    int     allow_private;      /* --allow-private-targets */
    long    max_delay;          /* --max-delay SECONDS, -1 unset */
    const char *dkim_key;       /* --dkim-key FILE */
    const char *dkim_selector;  /* --dkim-selector NAME */
    const char *dkim_domain;    /* --dkim-domain DOMAIN */
    int     domain_json;        /* check-domain --json (same as --json) */
    char  **files;              /* remaining arguments */
    const char *output;         /* -o FILE: aggregate, merge */
    int     from_state;         /* --from-state: arguments are states */
    long    piece;              /* aggregate --piece N, -1 unset */
};

/* parse argv after the subcommand; exits EXIT_USAGE on error */
void    cli_parse(int argc, char **argv, const char *cmd,
                  struct cli_opts *o);

struct conf;

/* load configuration, set the log zone; shared by the subcommands */
void    cli_setup(const struct cli_opts *o, struct conf *c);

int     cmd_report(int argc, char **argv);

/* "run" learns here of each report file cmd_report() writes: its path
 * and the rua URIs of the domain's TLSRPT record (none when offline) */
struct report_sink {
    void    (*written) (void *ctx, const char *path,
                        const char *const *rua, size_t nrua);
    void   *ctx;
};
extern struct report_sink report_sink;
int     cmd_summary(int argc, char **argv);
int     cmd_sessions(int argc, char **argv);
int     cmd_check_domain(int argc, char **argv);    /* cli/cmd_check.c */
int     cmd_send(int argc, char **argv);            /* cli/cmd_send.c */
int     cmd_run(int argc, char **argv);             /* cli/cmd_send.c */
int     cmd_spool(int argc, char **argv);           /* cli/cmd_send.c */
int     cmd_aggregate(int argc, char **argv);       /* cli/cmd_state.c */
int     cmd_merge(int argc, char **argv);           /* cli/cmd_state.c */

struct agg_tab;
struct pipe_stats;

/* --from-state: merge the state files named in o, close them as the end
 * of one run would, into a new table; exits 3 on a bad state file */
void    state_open(const struct conf *c, const struct cli_opts *o,
                   struct agg_tab **tab, struct pipe_stats *st);

#endif
