/* cli/opt_tab.c - the commands and options of mailtlsrpt (see opt.h)
 *
 * A new command is one entry of opt_cmds[] and a function; a new option
 * is one entry of opt_defs[] and a field of struct cli_opts (cli.h).
 * The words are those of docs/mailtlsrpt.1: change both together
 * (tests/it_cli.sh compares them).
 */
#include "cli.h"
#include "opt.h"

#include <stddef.h>

#define F(field) offsetof(struct cli_opts, field)

/* the commands that read logs */
#define LOGS "report summary sessions run aggregate"
#define ALL "report summary sessions check-domain run send spool " \
            "aggregate merge config help follow"

const struct opt_cmd opt_cmds[] = {
    {"report", cmd_report,
        "[--offline] [--day YYYY-MM-DD | --all-days] [--out DIR] [OPTIONS]"
        " [LOG...]\n[--offline] --from-state [OPTIONS] STATE...",
        "write one RFC 8460 report per policy domain and UTC day",
        "Write one RFC 8460 report per policy domain for the UTC day given"
        " by --day (default: yesterday, UTC), or for every day present with"
        " --all-days. File names follow RFC 8460 section 5.1:"
        " SUBMITTER!DOMAIN!BEGIN!END!UNIQUE-ID.json.gz; files are written"
        " atomically. Online (the default), each recipient domain's TLSRPT"
        " record, MTA-STS policy and DANE TLSA records are looked up; only"
        " domains with a usable TLSRPT record get a report (unless"
        " --keep-all), and each session is counted under the policy it was"
        " under. With --offline nothing is looked up, every domain gets a"
        " report and every policy is no-policy-found. Where the"
        " configuration lacks organization_name, contact_info or submitter,"
        " the reports name this host's domain instead, and a warning says"
        " so."},
    {"summary", cmd_summary,
        "[--json | --html] [-o FILE] [--day YYYY-MM-DD] [--sort KEY]"
        " [--top N] [--failures-only] [OPTIONS] [LOG...]\n"
        "--from-state [OPTIONS] STATE...",
        "a header, the busiest domains and the totals",
        "Print a header (period, log hosts, lines, sessions), one row per"
        " recipient domain with its sessions, successes, failures and"
        " failures by result type, sorted by --sort and cut after --top"
        " rows, and the totals of all domains. --json prints the same for"
        " machines, --html as a self-contained HTML page with a chart of"
        " failures by type and day."},
    {"sessions", cmd_sessions,
        "[--json | --trace] [OPTIONS] [LOG...]",
        "one line per session (--trace: and per input line)",
        "Print a header line, then one tab-separated line per session: day,"
        " domain, result, MX host, MX address, failure reason, and whether"
        " it was counted (or why not). --json prints one JSON object per"
        " session and line instead; --trace adds one line per input line"
        " saying what it meant."},
    {"check-domain", cmd_check_domain,
        "[--json] [--resolver ADDR[:PORT]] [--timeout SECONDS] DOMAIN...",
        "what a sender finds for DOMAIN... (TLSRPT, MTA-STS, DANE)",
        "Print what a sender would find for each DOMAIN (- reads them from"
        " standard input): the TLSRPT record and its rua list, the MTA-STS"
        " record and policy, the MX hosts and their TLSA records, with every"
        " problem explained. A lookup that got no answer is \"unknown (no"
        " answer)\", never \"none\"."},
    {"run", cmd_run,
        "[--journal] [--rua URI]... [OPTIONS] [LOG...]",
        "report + send: the one command for cron and systemd",
        "The command for cron and systemd: report for yesterday (UTC), once"
        " per day (the day is kept in the state directory), into the state"
        " directory's reports/DAY/ unless --out; spool each report for every"
        " rua URI its domain publishes (and every --rua); then send. Refuses"
        " to make or send anything (exit status 3) unless the configuration"
        " sets organization_name, contact_info and submitter."},
    {"send", cmd_send,
        "[--now] [--rua URI]... [OPTIONS] [REPORT...]",
        "deliver due reports from the spool",
        "With REPORT files and --rua, spool each report for each URI (a pair"
        " already spooled is not added again); then attempt every due job:"
        " HTTPS POST for https: URIs, mail for mailto: URIs. A failure"
        " leaves the job pending with its reason, retried after 5 minutes,"
        " doubling up to 6 hours, until --retry-for hours after its first"
        " attempt; then it is failed. A report is delivered when one"
        " destination accepted it. Refuses to send (exit status 3) unless"
        " the configuration sets organization_name, contact_info and"
        " submitter."},
    {"spool", cmd_spool,
        "[--json] [--state-dir DIR]",
        "list pending, delivered and failed deliveries",
        "List every job: state (pending, active, done, failed), attempts,"
        " next or finish time, report, destination, last outcome; then"
        " counts per report."},
    {"aggregate", cmd_aggregate,
        "-o FILE [--piece N] [OPTIONS] [LOG...]",
        "save a piece of the logs as a mergeable state",
        "Read a piece of the logs and save its counters, run statistics and"
        " the lines of sessions the piece cannot judge alone (open at its"
        " end, or possibly begun before it) as a state file: versioned,"
        " checksummed, portable, written atomically."},
    {"merge", cmd_merge,
        "-o FILE [OPTIONS] STATE...",
        "add saved states (pieces in any order)",
        "Add saved states into one, in any order and grouping."},
    {"follow", cmd_follow,
        "[--state-dir DIR] [--metrics-listen ADDR:PORT] [--metrics-file FILE]"
        " [--events FILE] [OPTIONS] LOG...\n--journal [OPTIONS]"
        " [MATCH...]",
        "follow the log live: day states, metrics, events",
        "Read the growing LOG files as tail -F does (through rotation by"
        " rename or copytruncate, waiting with inotify), or, with --journal,"
        " the system journal through journalctl -f, and count sessions as"
        " they finish. Every few seconds and on SIGTERM it saves a"
        " checkpoint in the state directory (the counters and the open"
        " sessions with the input position, in one atomic file), so that a"
        " restart, even after kill -9, counts every session once. Each UTC"
        " day's counts are a saved state, follow/YYYY-MM-DD.state in the"
        " state directory, for summary --from-state at any time; once the"
        " day is over (plus --grace), run makes that day's reports from it"
        " without reading the logs. Metrics in the Prometheus text format"
        " go to --metrics-listen and --metrics-file, one JSON line per"
        " finished session to --events."},
    {"config", cmd_config,
        "[-d | -n] [--config FILE] [NAME...]",
        "print the settings (-d: the defaults), as postconf does",
        "Print the effective settings as NAME = VALUE lines (-d: the"
        " defaults; -n: only what the configuration file sets), all of them"
        " or the NAMEs given, as postconf does for Postfix."},
    {"help", cmd_help,
        "[COMMAND]",
        "the help of a command",
        "Print the help of COMMAND, or the list of commands."},
};
const size_t opt_ncmds = sizeof(opt_cmds) / sizeof(opt_cmds[0]);

const struct opt_def opt_defs[] = {
    /* what report and run make */
    {"offline", 0, NULL, "report run", OPT_FLAG, F(offline), 0, 0, NULL,
        "Never touch the network: every domain gets a report, every policy"
        " is no-policy-found.", NULL},
    {"day", 0, "YYYY-MM-DD", "report run", OPT_DAY, F(day), 0, 0, NULL,
        "The UTC day to report.", "yesterday, UTC"},
    {"day", 0, "YYYY-MM-DD", "summary", OPT_DAY, F(day), 0, 0, NULL,
        "Count only this UTC day.", "every day of the logs"},
    {"all-days", 0, NULL, "report run", OPT_FLAG, F(all_days), 0, 0, NULL,
        "Every UTC day present in the logs.", NULL},
    {"out", 0, "DIR", "report", OPT_STR, F(out), 0, 0, NULL,
        "Directory for the reports; it must be writable, or nothing is"
        " read.", "the current directory"},
    {"out", 0, "DIR", "run", OPT_STR, F(out), 0, 0, NULL,
        "Directory for the reports; it must be writable, or nothing is"
        " read.", "reports/DAY/ in the state directory"},
    {"no-gzip", 0, NULL, "report run", OPT_FLAG, F(no_gzip), 0, 0, NULL,
        "Write .json files instead of .json.gz.", NULL},
    {"keep-all", 0, NULL, "report run", OPT_FLAG, F(keep_all), 0, 0, NULL,
        "Online: also write reports for domains without a TLSRPT record.",
        NULL},
    {"journal", 0, NULL, "follow", OPT_FLAG, F(journal), 0, 0, NULL,
        "Follow the system journal through journalctl -f -o json instead"
        " of LOG files, resuming after the last record counted; the"
        " operands are journalctl matches.", "SYSLOG_FACILITY=2"},
    {"journal", 0, NULL, "report run", OPT_FLAG, F(journal), 0, 0, NULL,
        "Read the log from the system journal instead of LOG files: the"
        " records of syslog facility mail from an hour before the report"
        " day until now, through journalctl.", NULL},
    {"from-state", 0, NULL, "report summary", OPT_FLAG, F(from_state), 0, 0,
        NULL, "The arguments are states saved by aggregate or merge, not"
        " logs.", NULL},

    /* how logs are read */
    {"log-tz", 0, "ZONE", LOGS " follow", OPT_STR, F(log_tz), 0, 0, NULL,
        "Time zone of syslog time stamps that carry no offset: a zone"
        " name such as Europe/Berlin, UTC, or a POSIX TZ string; an"
        " unknown zone is a usage error.", "the machine's"},
    {"log-year", 0, "YYYY", LOGS " follow", OPT_NUM, F(log_year), 1970,
        9999, NULL,
        "Year of syslog lines, whose stamps carry none; no line is taken"
        " to be later than its file (a day of clock skew allowed): a line"
        " after it is of the year before.",
        "from each file's modification time"},
    {"mta", 0, "NAME", LOGS " merge follow", OPT_CHOICE, F(mta), 0, 0,
        "postfix|exim|sendmail",
        "Read only the lines of this MTA: postfix, exim or sendmail.",
        "detected per line"},
    {"plaintext", 0, "MODE", "report summary run follow", OPT_CHOICE,
        F(plaintext), 0, 0, "auto|always|never",
        "Whether plaintext deliveries count as starttls-not-supported: only"
        " for log hosts whose log shows TLS (auto), always, or never.",
        "auto"},
    {"mail-from", 0, "ADDR", LOGS " send follow", OPT_STR, F(mail_from),
        0, 0, NULL,
        "Sender of report mail. Sessions of messages from this address are"
        " our own report mail and not counted (RFC 8460 section 3).",
        "tlsrpt-noreply@SUBMITTER"},
    {NULL, 'j', "N", LOGS, OPT_NUM, F(jobs), 1, 1024, NULL,
        "Parsing threads; the result is the same for every N.",
        "one per core"},

    /* what summary, sessions, check-domain and spool print */
    {"json", 0, NULL, "summary", OPT_FLAG, F(json), 0, 0, NULL,
        "The summary as JSON.", NULL},
    {"json", 0, NULL, "sessions", OPT_FLAG, F(json), 0, 0, NULL,
        "One JSON object per session and line.", NULL},
    {"json", 0, NULL, "check-domain", OPT_FLAG, F(json), 0, 0, NULL,
        "One JSON object per domain and line.", NULL},
    {"json", 0, NULL, "spool", OPT_FLAG, F(json), 0, 0, NULL,
        "The jobs and counts as JSON.", NULL},
    {"html", 0, NULL, "summary", OPT_FLAG, F(html), 0, 0, NULL,
        "The summary as a self-contained HTML page.", NULL},
    {"output", 'o', "FILE", "summary", OPT_STR, F(output), 0, 0, NULL,
        "Write to FILE (replaced whole, atomically) instead of standard"
        " output; never to a file given as input.", NULL},
    {"output", 'o', "FILE", "aggregate merge", OPT_STR, F(output), 0, 0,
        NULL, "The state file to write (required); never a file given as"
        " input.", NULL},
    {"sort", 0, "KEY", "summary", OPT_CHOICE, F(sort), 0, 0,
        "sessions|failures|domain",
        "Order of the domains: sessions or failures (most first, then by"
        " name), or domain (by name).", "sessions"},
    {"top", 0, "N", "summary", OPT_NUM, F(top), 0, 100000000, NULL,
        "Show the first N domains only; 0 shows all. The totals count all"
        " domains.", "12, one screen; with --json all"},
    {"failures-only", 0, NULL, "summary", OPT_FLAG, F(failures_only), 0, 0,
        NULL, "Only domains with failures.", NULL},
    {"trace", 0, NULL, "sessions", OPT_FLAG, F(trace), 0, 0, NULL,
        "Also one line per input line saying what it meant.", NULL},
    {"piece", 0, "N", "aggregate", OPT_NUM, F(piece), 0, 4294967294L, NULL,
        "The piece's place in its log (0, 1, ...): orders pieces whose"
        " times tie.", NULL},

    /* follow */
    {"state-dir", 0, "DIR", "follow", OPT_STR, F(state_dir), 0, 0, NULL,
        "The checkpoint and the day states, under follow/ in it.",
        "/var/lib/mailtlsrpt"},
    {"checkpoint-every", 0, "SECONDS", "follow", OPT_NUM,
        F(checkpoint_every), 1, 3600, NULL, "Save the checkpoint this"
        " often when something changed (and always on SIGTERM).", "5"},
    {"grace", 0, "SECONDS", "follow", OPT_NUM, F(grace), 0, 86400, NULL,
        "A UTC day is closed this long after its end, by the log's time,"
        " or by the clock once every line written has been read.", "900"},
    {"metrics-listen", 0, "ADDR:PORT", "follow", OPT_STR, F(metrics_listen),
        0, 0, NULL, "Serve the metrics over HTTP at /metrics on this"
        " address ([ADDR6]:PORT for IPv6).", NULL},
    {"metrics-file", 0, "FILE", "follow", OPT_STR, F(metrics_file), 0, 0,
        NULL, "Write the metrics to FILE (replaced atomically), for"
        " node_exporter's textfile collector.", NULL},
    {"metrics-domains", 0, "N", "follow", OPT_NUM, F(metrics_domains), 1,
        1000, NULL, "Name the N busiest and the N most failing domains in"
        " the metrics; the others are domain=\"other\".", "20"},
    {"events", 0, "FILE", "follow", OPT_STR, F(events), 0, 0, NULL,
        "Append one JSON line per finished session (the fields of sessions"
        " --json) to FILE, or - for standard output.", NULL},

    /* policies and delivery */
    {"state-dir", 0, "DIR", "report run send spool", OPT_STR, F(state_dir),
        0, 0, NULL, "Spool, policy cache, the reports of run and the day"
        " last reported.", "/var/lib/mailtlsrpt"},
    {"resolver", 0, "ADDR[:PORT]", "report run send check-domain", OPT_STR,
        F(resolver), 0, 0, NULL, "The DNS resolver for every lookup; it"
        " should validate DNSSEC, since its AD bit is trusted for DANE.",
        "the first nameserver of /etc/resolv.conf"},
    {"ca-file", 0, "FILE", "report run send check-domain", OPT_STR,
        F(ca_file), 0, 0, NULL, "CA certificates trusted beside the"
        " system's, for HTTPS and SMTP (private CAs, tests).", NULL},
    {"smtp-relay", 0, "URL", "run send", OPT_STR, F(smtp_relay), 0, 0, NULL,
        "Relay for report mail: smtp://[USER:PASSWORD@]HOST[:PORT]"
        " (STARTTLS when offered, required with a user) or smtps://.",
        "the local sendmail -t"},
    {"dkim-key", 0, "FILE", "run send", OPT_STR, F(dkim_key), 0, 0, NULL,
        "Sign report mail with DKIM with this PEM key (RSA of 1024 bits or"
        " more, or Ed25519; relaxed/relaxed, no l=), with --dkim-selector"
        " and --dkim-domain.", "no signature: the relay is expected to sign"},
    {"dkim-selector", 0, "NAME", "run send", OPT_STR, F(dkim_selector), 0, 0,
        NULL, "The DKIM selector (s=).", NULL},
    {"dkim-domain", 0, "DOMAIN", "run send", OPT_STR, F(dkim_domain), 0, 0,
        NULL, "The DKIM domain (d=): the sender's domain or a parent of it.",
        NULL},
    {"allow-private-targets", 0, NULL, "run send", OPT_FLAG,
        F(allow_private), 0, 0, NULL, "Allow https destinations on"
        " loopback, private, link-local, multicast or reserved addresses"
        " (refused by default: anyone can publish a rua).", NULL},
    {"max-delay", 0, "SECONDS", "run send", OPT_NUM, F(max_delay), 0, 86400,
        NULL, "Wait a random time up to this long before sending, so that"
        " senders do not all post at midnight.", "0"},
    {"rua", 0, "URI", "run send", OPT_LIST, F(rua), 0, 0, NULL,
        "A destination (https: or mailto:) for every report, repeatable, at"
        " most 8; run also sends to the rua each domain publishes.", NULL},
    {"now", 0, NULL, "run send", OPT_FLAG, F(now), 0, 0, NULL,
        "Attempt every pending job, due or not.", NULL},
    {"retry-for", 0, "HOURS", "run send", OPT_NUM, F(retry_for), 0, 8760,
        NULL, "Give a job up this long after its first attempt (RFC 8460"
        " asks for 24 at least).", "48"},
    {"timeout", 0, "SECONDS", "run send", OPT_NUM, F(timeout), 1, 3600,
        NULL, "Bound of each delivery attempt.", "60"},
    {"timeout", 0, "SECONDS", "check-domain", OPT_NUM, F(timeout), 1, 3600,
        NULL, "Bound of all lookups of one domain together; a resolver that"
        " refuses fails at once.", "5"},

    /* config */
    {"defaults", 'd', NULL, "config", OPT_FLAG, F(defaults), 0, 0, NULL,
        "Print the default of each setting instead of its value.", NULL},
    {"explicit", 'n', NULL, "config", OPT_FLAG, F(explicit), 0, 0, NULL,
        "Print only the settings the configuration file sets.", NULL},

    /* every command */
    {"config", 0, "FILE", "report summary sessions check-domain run send"
        " spool aggregate merge config follow", OPT_STR, F(config), 0, 0,
        NULL,
        "Configuration file; a file named here must exist.",
        "/etc/mailtlsrpt.conf"},
    {"quiet", 'q', NULL, "report summary sessions check-domain run send"
        " spool aggregate merge follow", OPT_FLAG, F(quiet), 0, 0, NULL,
        "No summary line and no progress on standard error.", NULL},
    {"verbose", 'v', NULL, LOGS " follow", OPT_FLAG, F(verbose), 0, 0, NULL,
        "Show the first bad lines with file and line number, and every"
        " failed lookup.", NULL},
    {"help", 'h', NULL, ALL, OPT_FLAG, 0, 0, 0, NULL,
        "This help.", NULL},
    {"version", 'V', NULL, ALL, OPT_FLAG, 0, 0, 0, NULL,
        "The version.", NULL},
};
const size_t opt_ndefs = sizeof(opt_defs) / sizeof(opt_defs[0]);
