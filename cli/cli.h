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

#define CLI_MAX_RUA 8           /* --rua destinations (SPOOL_MAX_DESTS) */

struct cli_opts {
    const char *cmd;            /* the command these options are for */
    const char *config;
    const char *log_tz;
    long    log_year;           /* 0: from each file's time */
    const char *out;
    int     have_day;
    int32_t day;
    int     all_days;
    int     offline;
    int     no_gzip;
    int     json;
    int     html;               /* summary --html */
    int     trace;
    int     quiet;
    int     verbose;
    long    jobs;               /* -j; 0: one per core */
    const char *plaintext;
    const char *mta;            /* --mta NAME */
    int     journal;            /* --journal: read the system journal */
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
    const char *rua[CLI_MAX_RUA];       /* send, run: --rua URI... */
    size_t  nrua;
    int     now;                /* send, run: --now */
    long    retry_for;          /* send, run: --retry-for HOURS, -1 unset */
    long    timeout;            /* --timeout SECONDS, -1 unset */
    const char *sort;           /* summary --sort; NULL: sessions */
    long    top;                /* summary --top N, -1 unset, 0 all */
    int     failures_only;      /* summary --failures-only */
    int     defaults;           /* config -d */
    int     explicit;           /* config -n */
    char  **files;              /* remaining arguments */
    const char *output;         /* -o FILE: aggregate, merge, summary */
    int     from_state;         /* --from-state: arguments are states */
    long    piece;              /* aggregate --piece N, -1 unset */
    /* follow */
    long    checkpoint_every;   /* --checkpoint-every SECONDS, -1 unset */
    long    grace;              /* --grace SECONDS, -1 unset */
    const char *metrics_listen; /* --metrics-listen ADDR:PORT */
    const char *metrics_file;   /* --metrics-file FILE */
    long    metrics_domains;    /* --metrics-domains N, -1 unset */
    const char *events;         /* --events FILE|- */
};

/* parse argv (argv[0]: the command) with the tables of cli/opt_tab.c;
 * operands are left in o->files; exits EXIT_USAGE on error, 0 after
 * --help or --version */
void    cli_parse(int argc, char **argv, const char *cmd,
                  struct cli_opts *o);

struct conf;

/* load configuration, set the log zone, note the inputs (cli/guard.h);
 * shared by the subcommands */
void    cli_setup(const struct cli_opts *o, struct conf *c);

struct pipe_opts;

/* the engine's options (engine/pipe.h) from the command line's (files,
 * --log-year, -v, --mta, -q, -j) and the configuration's (conf_sess,
 * plaintext); the rest zero */
void    cli_pipe_opts(const struct cli_opts *o, const struct conf *c,
                      struct pipe_opts *po);

/* dir (and its parents) exists or is made, and is writable; else exit 3
 * with "mailtlsrpt CMD: cannot write WHATDIR: why; nothing was read" */
void    cli_dir_ok(const char *cmd, const char *what, const char *dir);

int     cmd_report(int argc, char **argv);

/* the work of report (run = 0) and of run's report step (run = 1:
 * reports under STATE_DIR/reports/DAY/ unless --out); EXIT_* */
int     report_run(const struct cli_opts *o, struct conf *c, int run);

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
int     cmd_config(int argc, char **argv);          /* cli/cmd_config.c */
int     cmd_follow(int argc, char **argv);          /* cli/cmd_follow.c */
int     cmd_help(int argc, char **argv);            /* cli/opt.c */

struct agg_tab;
struct run_stats;

/* --from-state: merge the state files named in o, close them as the end
 * of one run would, into a new table; exits 3 on a bad state file */
void    state_open(const struct conf *c, const struct cli_opts *o,
                   struct agg_tab **tab, struct run_stats *st);

struct agg_state;

/* the end of all input for a state (agg_state_finish), its kept lines
 * replayed through correlators of this configuration */
void    state_finish(const struct conf *c, const char *mta,
                     struct agg_state *s);

/* run: the follower's state of day (STATE_DIR/follow/DAY.state) when
 * the day is closed and complete (DAY.done beside it), else NULL;
 * malloc'd */
char   *follow_day_state(const char *state_dir, int32_t day);

#endif
