/* cli/conf.h - configuration file and its defaults
 *
 * The file (default /etc/mailtlsrpt.conf, or --config FILE) holds
 * "name = value" lines; '#' starts a comment; blank lines are ignored.
 * A value in double or single quotes is taken without them. Every name
 * is one of the table in conf.c (conf_keys[]: name, help, default, how
 * "mailtlsrpt config" prints it); an unknown name and a bad value are
 * fatal errors naming FILE:LINE, with the nearest known name or value
 * ("did you mean"): a misspelled setting must not silently change what
 * is reported to third parties. See docs/mailtlsrpt.conf.example.
 * Thread safety: read once by main, then read-only.
 */
#ifndef CLI_CONF_H
#define CLI_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "../aggregate/agg_tab.h"

#define CONF_DEFAULT_PATH "/etc/mailtlsrpt.conf"
#define CONF_MAX_PORTS 8
#define CONF_DEFAULT_STATE_DIR "/var/lib/mailtlsrpt"

struct conf_ipmap {
    char   *loghost;
    char   *ip;
};

struct conf {
    char   *org_name;
    char   *contact;
    char   *submitter;
    char   *unique_id;
    char   *log_tz;             /* NULL: the machine's zone */
    int     mx_ports[CONF_MAX_PORTS];
    size_t  nmx_ports;
    char  **relay_hosts;        /* canonical names or addresses */
    size_t  nrelay_hosts;
    struct conf_ipmap *ipmap;   /* sending_mta_ip = LOGHOST IP */
    size_t  nipmap;
    enum agg_plain plaintext;
    int     defaulted;          /* submitter/contact were guessed */
    char   *path;               /* the file read (or looked for) */
    int     found;              /* it was there */
    unsigned long set;          /* bit i: conf_keys[i] set in the file */
    /* network side: the same names as the command-line options */
    char   *state_dir;          /* state_dir (default /var/lib/mailtlsrpt) */
    char   *resolver;           /* resolver = ADDR[:PORT] */
    char   *ca_file;            /* ca_file */
    char   *smtp_relay;         /* smtp_relay = smtp://... or smtps://... */
    char   *mail_from;          /* mail_from = addr-spec */
    int     allow_private;      /* allow_private_targets = yes|no */
    long    max_delay;          /* max_delay = seconds; -1 unset */
    long    sm_cache_size;      /* sendmail_cache_size; -1 unset */
    long    sm_cache_timeout;   /* sendmail_cache_timeout; -1 unset */
    char   *dkim_key;           /* dkim_key = FILE */
    char   *dkim_selector;      /* dkim_selector = NAME */
    char   *dkim_domain;        /* dkim_domain = DOMAIN */
    int     keep_all;           /* keep_all = yes|no */
    char   *sending_ip_default; /* sending_mta_ip = ADDRESS: every log
                                 * host not named, and lines without one */
};

/* read path (NULL: default path, silently absent); fills defaults.
 * must_exist: a missing explicit --config file is fatal */
void    conf_load(struct conf *c, const char *path, int must_exist);
void    conf_free(struct conf *c);

/* settings from an open file, no defaults; 0, or -1 with "LINE: why" in
 * err (the fuzz target's entry point) */
int     conf_parse(struct conf *c, FILE *fp, char *err, size_t errlen);

/* "mailtlsrpt config": print the settings (NAME = VALUE): names[]
 * (NULL-terminated; empty: all), defaults (-d) or only those set in the
 * file (explicit, -n); 0, or -1 after naming an unknown name */
int     conf_print(FILE *fp, const struct conf *c, char **names,
                   int defaults, int explicit);

/* 1 when the configuration file sets name */
int     conf_is_set(const struct conf *c, const char *name);

/* the i-th setting's name, help and default (NULL: none), for
 * "config --help"; NULL past the last */
const char *conf_key_info(size_t i, const char **help, const char **deflt);

/* the commands that send (run, send): exit 3 naming the lines to add
 * unless organization_name, contact_info and submitter are set */
void    conf_need_identity(const struct conf *c, const char *cmd);

/* sending-mta-ip of a log host ("" for lines without one): its own
 * sending_mta_ip = LOGHOST ADDRESS, else the default, else NULL */
const char *conf_sending_ip(const char *loghost, const void *ctx);

/* 1 when host or ip names a configured relay host (sess_conf.is_relay) */
int     conf_is_relay(const char *host, const char *ip, const void *ctx);

struct sess_conf;

/* the parsers' configuration (parsers/parser.h): mx_ports, relay_hosts
 * (conf_is_relay, ctx c), mail_from; it points into c */
void    conf_sess(const struct conf *c, struct sess_conf *sc);
/* only Sendmail's cache settings (conf_sess does them too) */
void    conf_sess_sendmail(const struct conf *c, struct sess_conf *sc);

#endif
