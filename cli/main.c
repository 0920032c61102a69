/* cli/main.c - mailtlsrpt: SMTP TLS Reporting (RFC 8460) from mail logs
 *
 * Usage: mailtlsrpt COMMAND [OPTIONS] [LOG...]
 * Commands: report, summary, sessions (see usage() and docs/).
 */
#include "cli.h"
#include "../parsers/parser.h"
#include "../parsers/ts.h"
#include "../util/msg.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef MTR_VERSION
#define MTR_VERSION "0.0"
#endif

static const char usage_text[] =
"usage: mailtlsrpt COMMAND [OPTIONS] [LOG...]\n"
"\n"
"Turn Postfix, Exim and Sendmail logs into SMTP TLS Reporting (RFC 8460)\n"
"reports. LOG is a file (plain, gzip, xz, zstd or bzip2, by content;\n"
"rotated files in any order) or - for standard input (also journalctl\n"
"output); with no LOG, standard input is read.\n"
"\n"
"Commands:\n"
"  report    write one RFC 8460 report per policy domain and UTC day\n"
"  summary   print a table per domain (--json for machines)\n"
"  sessions  print one line per session (--trace: one per input line)\n"
"  check-domain  what a sender finds for DOMAIN... (TLSRPT, MTA-STS, DANE)\n"
"  send      deliver due reports from the spool (--state-dir)\n"
"  run       report + send: the one command for cron and systemd\n"
"  spool     list pending, delivered and failed deliveries\n"
"  aggregate -o FILE LOG...  save the counters and open sessions of a\n"
"            piece of the logs as a mergeable state\n"
"  merge -o FILE STATE...    add saved states (pieces in any order)\n"
"\n"
"Options:\n"
"  --out DIR         where report writes (default: current directory)\n"
"  --day YYYY-MM-DD  the UTC day to report (default: yesterday, UTC)\n"
"  --all-days        every UTC day present in the logs\n"
"  --offline         never touch the network: a report for every domain\n"
"  --no-gzip         write .json instead of .json.gz\n"
"  --config FILE     configuration (default: " "/etc/mailtlsrpt.conf" ")\n"
"  --log-tz ZONE     zone of syslog timestamps without offset (default:\n"
"                    the machine's), e.g. Europe/Berlin or UTC\n"
"  --log-year YYYY   year of the newest syslog line (default: from the\n"
"                    file's modification time)\n"
"  --plaintext MODE  plaintext deliveries as starttls-not-supported:\n"
"                    auto (where the host logs TLS), always, never\n"
"  --mta NAME        read only this MTA's lines (default: detect per line)\n"
"  --json            summary as JSON\n"
"  --html FILE       summary as a self-contained HTML page (- for stdout)\n"
"  --trace           sessions: label every input line\n"
"  --from-state      report, summary: the arguments are saved states\n"
"  -o, --output FILE aggregate, merge: the state file to write\n"
"  --piece N         aggregate: the piece's place in its log (0, 1, ...):\n"
"                    orders pieces whose times tie\n"
"  --state-dir DIR   cache and spool (default: /var/lib/mailtlsrpt)\n"
"  --resolver A[:P]  DNS resolver for every lookup (default: the system's)\n"
"  --ca-file FILE    extra trusted CAs for HTTPS and SMTP\n"
"  --keep-all        online report: also domains without a TLSRPT record\n"
"  --smtp-relay URL  smtp:// or smtps:// relay for report mail\n"
"                    (default: the local sendmail -t)\n"
"  --mail-from ADDR  sender address of report mail\n"
"  --allow-private-targets  allow rua targets on private addresses\n"
"  --max-delay SECS  random delay before sending (0..86400)\n"
"  --rua URI         send, run: a destination (repeatable)\n"
"  --now             send, run: attempt every pending job now\n"
"  --retry-for H     send, run: give a job up after H hours (default 48)\n"
"  --timeout S       send, run: seconds per attempt (default 60)\n"
"  --dkim-key FILE, --dkim-selector NAME, --dkim-domain DOMAIN\n"
"                    sign report mail with DKIM\n"
"  -q, --quiet       no summary line\n"
"  -v, --verbose     show the first bad lines with file and line\n"
"  -j N              parsing threads (default: one per core)\n"
"  -h, --help        this text\n"
"  -V, --version     version\n"
"\n"
"Exit status: 0 done; 1 done but input lost or a report not written;\n"
"2 usage error; 3 fatal error.\n";

/* usage - print help; exit with status */
static _Noreturn void
usage(int status)
{
    fputs(usage_text, status ? stderr : stdout);
    exit(status);
}

/* cli_parse - options common to every subcommand */
void
cli_parse(int argc, char **argv, const char *cmd, struct cli_opts *o)
{
    enum {
        O_OUT = 256, O_DAY, O_ALL, O_OFFLINE, O_NOGZ, O_CONFIG, O_TZ,
        O_YEAR, O_JSON, O_TRACE, O_PLAIN, O_MTA, O_HTML, O_STATE, O_RESOLVER,
        O_CAFILE, O_KEEPALL, O_SMTPRELAY, O_MAILFROM, O_PRIVATE, O_MAXDELAY,
        O_DKIMKEY, O_DKIMSEL, O_DKIMDOM,
        O_FROMSTATE, O_PIECE,
    };
    static const struct option lo[] = {
        {"out", required_argument, 0, O_OUT},
        {"day", required_argument, 0, O_DAY},
        {"all-days", no_argument, 0, O_ALL},
        {"offline", no_argument, 0, O_OFFLINE},
        {"no-gzip", no_argument, 0, O_NOGZ},
        {"config", required_argument, 0, O_CONFIG},
        {"log-tz", required_argument, 0, O_TZ},
        {"log-year", required_argument, 0, O_YEAR},
        {"json", no_argument, 0, O_JSON},
        {"html", required_argument, 0, O_HTML},
        {"trace", no_argument, 0, O_TRACE},
        {"plaintext", required_argument, 0, O_PLAIN},
        {"mta", required_argument, 0, O_MTA},
        {"state-dir", required_argument, 0, O_STATE},
        {"resolver", required_argument, 0, O_RESOLVER},
        {"ca-file", required_argument, 0, O_CAFILE},
        {"keep-all", no_argument, 0, O_KEEPALL},
        {"smtp-relay", required_argument, 0, O_SMTPRELAY},
        {"mail-from", required_argument, 0, O_MAILFROM},
        {"allow-private-targets", no_argument, 0, O_PRIVATE},
        {"max-delay", required_argument, 0, O_MAXDELAY},
        {"dkim-key", required_argument, 0, O_DKIMKEY},
        {"dkim-selector", required_argument, 0, O_DKIMSEL},
        {"dkim-domain", required_argument, 0, O_DKIMDOM},
        {"output", required_argument, 0, 'o'},
        {"from-state", no_argument, 0, O_FROMSTATE},
        {"piece", required_argument, 0, O_PIECE},
        {"quiet", no_argument, 0, 'q'},
        {"verbose", no_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0},
    };
    int     ch;
    char   *end;

    memset(o, 0, sizeof(*o));
    o->jobs = 1;
    o->max_delay = -1;
    o->piece = -1;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "qvhVj:o:", lo, NULL)) != -1) {
        switch (ch) {
        case O_OUT:
            o->out = optarg;
            break;
        case O_DAY:
            if (ts_parse_day(optarg, &o->day) != 0) {
                fprintf(stderr, "mailtlsrpt %s: --day wants YYYY-MM-DD, "
                        "not \"%s\"\n", cmd, optarg);
                exit(EXIT_USAGE);
            }
            o->have_day = 1;
            break;
        case O_ALL:
            o->all_days = 1;
            break;
        case O_OFFLINE:
            o->offline = 1;
            break;
        case O_NOGZ:
            o->no_gzip = 1;
            break;
        case O_CONFIG:
            o->config = optarg;
            break;
        case O_TZ:
            o->log_tz = optarg;
            break;
        case O_YEAR:
            o->log_year = (int) strtol(optarg, &end, 10);
            if (*end || o->log_year < 1970 || o->log_year > 9999) {
                fprintf(stderr, "mailtlsrpt %s: --log-year wants a year, "
                        "not \"%s\"\n", cmd, optarg);
                exit(EXIT_USAGE);
            }
            break;
        case O_JSON:
            o->json = 1;
            break;
        case O_HTML:
            o->html = optarg;
            break;
        case O_TRACE:
            o->trace = 1;
            break;
        case O_PLAIN:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always")
                && strcmp(optarg, "never")) {
                fprintf(stderr, "mailtlsrpt %s: --plaintext wants auto, "
                        "always or never\n", cmd);
                exit(EXIT_USAGE);
            }
            o->plaintext = optarg;
            break;
        case O_STATE:
            o->state_dir = optarg;
            break;
        case O_RESOLVER:
            o->resolver = optarg;
            break;
        case O_CAFILE:
            o->ca_file = optarg;
            break;
        case O_KEEPALL:
            o->keep_all = 1;
            break;
        case O_SMTPRELAY:
            o->smtp_relay = optarg;
            break;
        case O_MAILFROM:
            o->mail_from = optarg;
            break;
        case O_PRIVATE:
            o->allow_private = 1;
            break;
        case O_MAXDELAY:
            o->max_delay = strtol(optarg, &end, 10);
            if (*end || o->max_delay < 0 || o->max_delay > 86400) {
                fprintf(stderr, "mailtlsrpt %s: --max-delay wants 0..86400 "
                        "seconds\n", cmd);
                exit(EXIT_USAGE);
            }
            break;
        case O_DKIMKEY:
            o->dkim_key = optarg;
            break;
        case O_DKIMSEL:
            o->dkim_selector = optarg;
            break;
        case O_DKIMDOM:
            o->dkim_domain = optarg;
            break;
        case O_MTA:
            if (!parser_known(optarg)) {
                fprintf(stderr, "mailtlsrpt %s: --mta wants one of: %s\n",
                        cmd, parser_names());
                exit(EXIT_USAGE);
            }
            o->mta = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case O_FROMSTATE:
            o->from_state = 1;
            break;
        case O_PIECE:
            o->piece = strtol(optarg, &end, 10);
            if (*end || end == optarg || o->piece < 0
                || o->piece > 4294967294L) {
                fprintf(stderr, "mailtlsrpt %s: --piece wants a number "
                        "0..4294967294\n", cmd);
                exit(EXIT_USAGE);
            }
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'j':
            o->jobs = (int) strtol(optarg, &end, 10);
            if (*end || o->jobs < 1 || o->jobs > 1024) {
                fprintf(stderr, "mailtlsrpt %s: -j wants 1..1024\n", cmd);
                exit(EXIT_USAGE);
            }
            break;
        case 'h':
            usage(EXIT_DONE);
        case 'V':
            printf("mailtlsrpt %s\n", MTR_VERSION);
            exit(EXIT_DONE);
        default:
            fprintf(stderr, "mailtlsrpt %s: try --help\n", cmd);
            exit(EXIT_USAGE);
        }
    }
    if (o->have_day && o->all_days) {
        fprintf(stderr, "mailtlsrpt %s: --day and --all-days exclude each "
                "other\n", cmd);
        exit(EXIT_USAGE);
    }
    o->files = argv + optind;
    msg_quiet = o->quiet;
    msg_verbose = o->verbose;
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int     (*fn) (int, char **);
    } cmds[] = {
        {"report", cmd_report},
        {"summary", cmd_summary},
        {"sessions", cmd_sessions},
        {"check-domain", cmd_check_domain},
        {"send", cmd_send},
        {"run", cmd_run},
        {"spool", cmd_spool},
        {"aggregate", cmd_aggregate},
        {"merge", cmd_merge},
    };
    size_t  i;

    msg_set_progname("mailtlsrpt");
    if (argc < 2)
        usage(EXIT_USAGE);
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0
        || strcmp(argv[1], "help") == 0)
        usage(EXIT_DONE);
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("mailtlsrpt %s\n", MTR_VERSION);
        return EXIT_DONE;
    }
    for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "mailtlsrpt: unknown command \"%s\"; try --help\n",
            argv[1]);
    return EXIT_USAGE;
}
