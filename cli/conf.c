/* cli/conf.c - configuration file and its defaults (see conf.h) */
#include "conf.h"
#include "../parsers/parser.h"
#include "../parsers/ts.h"
#include "../util/dname.h"
#include "../util/ipaddr.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"
#include "../util/near.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONF_MAX_LINE 4096

/* how "mailtlsrpt config" prints a setting */
enum conf_kind {
    CK_STR,                     /* char *; NULL: empty */
    CK_ID,                      /* char *, who we are: empty unless set */
    CK_BOOL,                    /* int: yes or no */
    CK_SECONDS,                 /* long; -1: 0 */
    CK_PORTS,                   /* mx_ports[] */
    CK_RELAYS,                  /* relay_hosts[] */
    CK_IPMAP,                   /* ipmap[]: a line each */
    CK_PLAIN,                   /* enum agg_plain */
};

struct conf_key {
    const char *name;
    enum conf_kind kind;
    size_t  off;                /* offsetof(struct conf, field) */
    const char *choices;        /* values allowed, for "did you mean" */
    const char *help;           /* docs/mailtlsrpt.conf.example's words */
    const char *deflt;          /* default for help; NULL: none */
};

#define K(field) offsetof(struct conf, field)

/* every setting; bit i of conf.set is conf_keys[i] */
static const struct conf_key conf_keys[] = {
    {"organization_name", CK_ID, K(org_name), NULL,
        "Who answers for the reports (RFC 8460 organization-name); run and"
        " send refuse to send without it.", NULL},
    {"contact_info", CK_ID, K(contact), NULL,
        "Where receivers write back: a plain local@domain address"
        " (contact-info); run and send refuse to send without it.", NULL},
    {"submitter", CK_ID, K(submitter), NULL,
        "Your domain as report submitter: first part of every report file"
        " name and of the report-id; run and send refuse to send without"
        " it.", NULL},
    {"unique_id", CK_STR, K(unique_id), NULL,
        "Letters and digits telling your reporting hosts apart in file"
        " names and report-ids (RFC 8460 section 5.1); keep it fixed.",
        "this host's short name"},
    {"sending_mta_ip", CK_IPMAP, K(ipmap), NULL,
        "LOGHOST ADDRESS: the outbound address of each log host, for"
        " sending-mta-ip; repeat the line for each host; ADDRESS alone"
        " for every host not named and for lines without a host name.",
        "this machine's public address for its own host name where it"
        " has one; otherwise the field is left out, with a warning"},
    {"relay_hosts", CK_RELAYS, K(relay_hosts), NULL,
        "Smart hosts (names, [name]:port or addresses, separated by commas"
        " or spaces): connections to them are left out of reports.", NULL},
    {"mx_ports", CK_PORTS, K(mx_ports), NULL,
        "Ports of MX sessions; connections to other ports are left out.",
        "25"},
    {"sendmail_cache_size", CK_SECONDS, K(sm_cache_size), NULL,
        "Sendmail's ConnectionCacheSize (its sendmail.cf): the connections"
        " a queue runner keeps open, to tell when its cache closed a"
        " plaintext connection and opened it again, which its log does"
        " not say; 0: no cache.", "2"},
    {"sendmail_cache_timeout", CK_SECONDS, K(sm_cache_timeout), NULL,
        "Sendmail's ConnectionCacheTimeout, in seconds.", "300"},
    {"log_tz", CK_STR, K(log_tz), NULL,
        "Zone of syslog time stamps that carry no offset (--log-tz); an"
        " unknown zone is a configuration error.",
        "the machine's"},
    {"plaintext", CK_PLAIN, K(plaintext), "auto|always|never",
        "Plaintext deliveries as starttls-not-supported: auto, always,"
        " never (--plaintext).", "auto"},
    {"state_dir", CK_STR, K(state_dir), NULL,
        "Spool, policy cache, the reports of run and the day last reported"
        " (--state-dir).", CONF_DEFAULT_STATE_DIR},
    {"resolver", CK_STR, K(resolver), NULL,
        "DNS resolver for every lookup: ADDRESS or ADDRESS:PORT ([v6]:PORT)"
        " (--resolver).", "the first nameserver of /etc/resolv.conf"},
    {"ca_file", CK_STR, K(ca_file), NULL,
        "Extra trusted CAs (PEM) for HTTPS and SMTP (--ca-file).", NULL},
    {"keep_all", CK_BOOL, K(keep_all), "yes|no",
        "Also write reports for domains without a TLSRPT record"
        " (--keep-all).", "no"},
    {"smtp_relay", CK_STR, K(smtp_relay), NULL,
        "Relay URL for report mail (--smtp-relay).",
        "the local sendmail -t"},
    {"mail_from", CK_STR, K(mail_from), NULL,
        "Sender of report mail, also how our own report mail is recognised"
        " in the log (--mail-from).", "tlsrpt-noreply@SUBMITTER"},
    {"allow_private_targets", CK_BOOL, K(allow_private), "yes|no",
        "HTTPS report targets on loopback or private addresses, for tests"
        " (--allow-private-targets).", "no"},
    {"max_delay", CK_SECONDS, K(max_delay), NULL,
        "Random delay before sending, in seconds (--max-delay).", "0"},
    {"dkim_key", CK_STR, K(dkim_key), NULL,
        "DKIM key of report mail (--dkim-key).", NULL},
    {"dkim_selector", CK_STR, K(dkim_selector), NULL,
        "DKIM selector (--dkim-selector).", NULL},
    {"dkim_domain", CK_STR, K(dkim_domain), NULL,
        "DKIM domain (--dkim-domain).", NULL},
};

#define CONF_NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

/* conf_key_find - index of a setting, or -1 */
static int
conf_key_find(const char *name)
{
    size_t  i;

    for (i = 0; i < CONF_NKEYS; i++)
        if (strcmp(conf_keys[i].name, name) == 0)
            return (int) i;
    return -1;
}

/* conf_key_near - did you mean: the nearest setting name, or NULL */
static const char *
conf_key_near(const char *name)
{
    const char *best = NULL;
    int     rank = 0, r;
    size_t  i;

    for (i = 0; i < CONF_NKEYS; i++)
        if ((r = near_close(name, conf_keys[i].name)) > rank) {
            rank = r;
            best = conf_keys[i].name;
        }
    return best;
}

/* conf_value_near - did you mean: the nearest allowed value, or "" */
static void
conf_value_near(const char *choices, const char *v, char *out, size_t cap)
{
    int     rank = 0, r;

    out[0] = 0;
    while (choices && *choices) {
        size_t  n = strcspn(choices, "|");
        char    w[32];

        snprintf(w, sizeof(w), "%.*s", (int) n, choices);
        if ((r = near_close(v, w)) > rank) {
            rank = r;
            snprintf(out, cap, "%s", w);
        }
        choices += n + (choices[n] == '|');
    }
}

/* conf_trim - strip white space at both ends, in place */
static char *
conf_trim(char *s)
{
    char   *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'
                     || e[-1] == '\r'))
        *--e = 0;
    return s;
}

/* conf_set_str - replace a string setting */
static void
conf_set_str(char **slot, const char *v)
{
    xfree(*slot);
    *slot = xstrdup(v);
}

/* conf_addr_spec_ok - a plain local@domain address, no header tricks */
static int
conf_addr_spec_ok(const char *v)
{
    const char *at = strrchr(v, '@');
    const char *p;

    if (at == NULL || at == v || strlen(v) > 254 || !dname_valid(at + 1))
        return 0;
    for (p = v; p < at; p++)
        if (!(isalnum((unsigned char) *p) || strchr(".!#$%&'*+/=?^_`{|}~-", *p)))
            return 0;
    return v[0] != '.' && at[-1] != '.' && strstr(v, "..") == NULL;
}

/* conf_relay_add - "[host]:port", "host" or an address */
static int
conf_relay_add(struct conf *c, const char *word)
{
    char    buf[DNAME_MAX + 3];
    char    canon[DNAME_MAX + 1];
    size_t  n = strlen(word);
    const char *p = word;

    if (n > DNAME_MAX + 2)
        return -1;
    if (*p == '[') {
        const char *rb = strchr(p, ']');

        if (rb == NULL)
            return -1;
        n = (size_t) (rb - p - 1);
        memcpy(buf, p + 1, n);
    } else {
        const char *colon = strchr(p, ':');

        if (colon && strchr(colon + 1, ':') == NULL)   /* host:port */
            n = (size_t) (colon - p);
        memcpy(buf, p, n);
    }
    buf[n] = 0;
    if (ipaddr_norm(buf, n, canon) != 0 && dname_norm(buf, n, canon) != 0)
        return -1;
    c->relay_hosts = xrealloc(c->relay_hosts,
                              (c->nrelay_hosts + 1) * sizeof(char *));
    c->relay_hosts[c->nrelay_hosts++] = xstrdup(canon);
    return 0;
}

/* conf_set - one "name = value"; 0, or -1 with *why set */
static int
conf_set(struct conf *c, const char *name, char *value, const char **why)
{
    char   *tok;
    char   *save = NULL;

    if (strcmp(name, "organization_name") == 0) {
        const char *p;

        for (p = value; *p; p++)
            if ((unsigned char) *p < 0x20 || *p == 0x7f) {
                *why = "control characters";
                return -1;
            }
        if (!*value || strlen(value) > 200) {
            *why = "empty or longer than 200 bytes";
            return -1;
        }
        conf_set_str(&c->org_name, value);
    } else if (strcmp(name, "contact_info") == 0) {
        if (!conf_addr_spec_ok(value)) {
            *why = "not a plain local@domain address";
            return -1;
        }
        conf_set_str(&c->contact, value);
    } else if (strcmp(name, "submitter") == 0) {
        char    canon[DNAME_MAX + 1];

        if (dname_norm(value, strlen(value), canon) != 0) {
            *why = "not a valid domain name";
            return -1;
        }
        conf_set_str(&c->submitter, canon);
    } else if (strcmp(name, "unique_id") == 0) {
        const char *p;

        for (p = value; *p; p++)
            if (!isalnum((unsigned char) *p)) {
                *why = "letters and digits only";
                return -1;
            }
        if (!*value || strlen(value) > 32) {
            *why = "1 to 32 letters and digits";
            return -1;
        }
        conf_set_str(&c->unique_id, value);
    } else if (strcmp(name, "log_tz") == 0) {
        static char zwhy[400];
        char    zerr[300];

        /* an unknown zone would be read as UTC, silently */
        if (ts_zone_check(value, zerr, sizeof(zerr)) != 0) {
            snprintf(zwhy, sizeof(zwhy), "unknown time zone: %s", zerr);
            *why = zwhy;
            return -1;
        }
        conf_set_str(&c->log_tz, value);
    } else if (strcmp(name, "mx_ports") == 0) {
        c->nmx_ports = 0;
        for (tok = strtok_r(value, " ,\t", &save); tok;
             tok = strtok_r(NULL, " ,\t", &save)) {
            char   *end;
            long    port = strtol(tok, &end, 10);

            if (*end || port < 1 || port > 65535
                || c->nmx_ports == CONF_MAX_PORTS) {
                *why = "ports are numbers 1-65535, at most 8";
                return -1;
            }
            c->mx_ports[c->nmx_ports++] = (int) port;
        }
        if (c->nmx_ports == 0) {
            *why = "no port given";
            return -1;
        }
    } else if (strcmp(name, "relay_hosts") == 0) {
        for (tok = strtok_r(value, " ,\t", &save); tok;
             tok = strtok_r(NULL, " ,\t", &save))
            if (conf_relay_add(c, tok) != 0) {
                *why = "not a host name or address";
                return -1;
            }
    } else if (strcmp(name, "sending_mta_ip") == 0) {
        char   *host = strtok_r(value, " \t", &save);
        char   *ip = strtok_r(NULL, " \t", &save);
        char    canon[IPADDR_MAX + 1];

        if (host != NULL && ip == NULL
            && ipaddr_norm(host, strlen(host), canon) == 0) {
            /* ADDRESS alone: every log host not named */
            conf_set_str(&c->sending_ip_default, canon);
            return 0;
        }
        if (host == NULL || ip == NULL || strtok_r(NULL, " \t", &save)
            || strlen(host) > SESS_MAX_LOGHOST
            || ipaddr_norm(ip, strlen(ip), canon) != 0) {
            *why = "expected: LOGHOST ADDRESS, or ADDRESS for every host";
            return -1;
        }
        c->ipmap = xrealloc(c->ipmap, (c->nipmap + 1) * sizeof(*c->ipmap));
        c->ipmap[c->nipmap].loghost = xstrdup(host);
        c->ipmap[c->nipmap].ip = xstrdup(canon);
        c->nipmap++;
    } else if (strcmp(name, "plaintext") == 0) {
        if (strcmp(value, "auto") == 0)
            c->plaintext = AGG_PLAIN_AUTO;
        else if (strcmp(value, "always") == 0)
            c->plaintext = AGG_PLAIN_ALWAYS;
        else if (strcmp(value, "never") == 0)
            c->plaintext = AGG_PLAIN_NEVER;
        else {
            *why = "auto, always or never";
            return -1;
        }
    } else if (strcmp(name, "state_dir") == 0 || strcmp(name, "ca_file") == 0
               || strcmp(name, "dkim_key") == 0) {
        if (value[0] != '/' || strlen(value) > 1024) {
            *why = "an absolute path";
            return -1;
        }
        conf_set_str(strcmp(name, "state_dir") == 0 ? &c->state_dir
                     : strcmp(name, "ca_file") == 0 ? &c->ca_file
                     : &c->dkim_key, value);
    } else if (strcmp(name, "resolver") == 0) {
        if (!*value || strlen(value) > 64 || strpbrk(value, " \t/")) {
            *why = "ADDRESS or ADDRESS:PORT ([ADDRESS]:PORT for IPv6)";
            return -1;
        }
        conf_set_str(&c->resolver, value);
    } else if (strcmp(name, "smtp_relay") == 0) {
        if ((strncmp(value, "smtp://", 7) != 0
             && strncmp(value, "smtps://", 8) != 0) || strlen(value) > 512
            || strpbrk(value, " \t\r\n")) {
            *why = "an smtp:// or smtps:// URL";
            return -1;
        }
        conf_set_str(&c->smtp_relay, value);
    } else if (strcmp(name, "mail_from") == 0) {
        if (!conf_addr_spec_ok(value)) {
            *why = "not a plain local@domain address";
            return -1;
        }
        conf_set_str(&c->mail_from, value);
    } else if (strcmp(name, "dkim_selector") == 0
               || strcmp(name, "dkim_domain") == 0) {
        char    canon[DNAME_MAX + 1];

        if (dname_norm(value, strlen(value), canon) != 0) {
            *why = "not a valid domain name or label";
            return -1;
        }
        conf_set_str(strcmp(name, "dkim_domain") == 0 ? &c->dkim_domain
                     : &c->dkim_selector, canon);
    } else if (strcmp(name, "allow_private_targets") == 0
               || strcmp(name, "keep_all") == 0) {
        int     yes = strcmp(value, "yes") == 0;

        if (!yes && strcmp(value, "no") != 0) {
            *why = "yes or no";
            return -1;
        }
        if (strcmp(name, "keep_all") == 0)
            c->keep_all = yes;
        else
            c->allow_private = yes;
    } else if (strcmp(name, "max_delay") == 0) {
        char   *end;
        long    v = strtol(value, &end, 10);

        if (*end || v < 0 || v > 86400) {
            *why = "0..86400 seconds";
            return -1;
        }
        c->max_delay = v;
    } else if (strcmp(name, "sendmail_cache_size") == 0
               || strcmp(name, "sendmail_cache_timeout") == 0) {
        char   *end;
        long    v = strtol(value, &end, 10);
        int     size = strcmp(name, "sendmail_cache_size") == 0;

        if (*end || end == value || v < (size ? 0 : 1)
            || v > (size ? 1000 : 86400)) {
            *why = size ? "0..1000 connections" : "1..86400 seconds";
            return -1;
        }
        if (size)
            c->sm_cache_size = v;
        else
            c->sm_cache_timeout = v;
    } else {
        return 1;               /* unknown */
    }
    return 0;
}

/* conf_defaults - what is not configured, from the host name */
static void
conf_defaults(struct conf *c)
{
    char    host[256];
    char    canon[DNAME_MAX + 1];
    const char *dot;
    char    buf[300];

    if (gethostname(host, sizeof(host) - 1) != 0)
        strcpy(host, "localhost");
    host[sizeof(host) - 1] = 0;
    if (c->submitter == NULL) {
        dot = strchr(host, '.');
        if (dot && strchr(dot + 1, '.')
            && dname_norm(dot + 1, strlen(dot + 1), canon) == 0)
            c->submitter = xstrdup(canon);
        else if (dname_norm(host, strlen(host), canon) == 0)
            c->submitter = xstrdup(canon);
        else
            c->submitter = xstrdup("localhost");
        c->defaulted = 1;
    }
    if (c->contact == NULL) {
        snprintf(buf, sizeof(buf), "postmaster@%s", c->submitter);
        c->contact = xstrdup(buf);
        c->defaulted = 1;
    }
    if (c->org_name == NULL)
        c->org_name = xstrdup(c->submitter);
    if (c->sm_cache_size < 0)
        c->sm_cache_size = 2;   /* Sendmail's own defaults */
    if (c->sm_cache_timeout < 0)
        c->sm_cache_timeout = 300;
    if (c->unique_id == NULL) {
        size_t  i, o = 0;

        for (i = 0; host[i] && host[i] != '.' && o < 32; i++)
            if (isalnum((unsigned char) host[i]))
                buf[o++] = host[i];
        buf[o] = 0;
        c->unique_id = xstrdup(o ? buf : "001");
    }
    if (c->nmx_ports == 0) {
        c->mx_ports[0] = 25;
        c->nmx_ports = 1;
    }
    if (c->state_dir == NULL)
        c->state_dir = xstrdup(CONF_DEFAULT_STATE_DIR);
    if (c->mail_from == NULL) {
        snprintf(buf, sizeof(buf), "tlsrpt-noreply@%s", c->submitter);
        c->mail_from = xstrdup(buf);
    }
}

/* conf_split - "name = value # comment" into name and value, in
 * place; a value in quotes loses them, a '#' inside them is kept.
 * 0 (name empty: nothing on the line), or -1 with *why */
static int
conf_split(char *line, char **name, char **value, const char **why)
{
    char   *s = conf_trim(line);
    char   *eq, *v, *e;

    *name = *value = s;
    if (*s == 0 || *s == '#') {
        *s = 0;
        return 0;
    }
    if ((eq = strchr(s, '=')) == NULL
        || ((e = strchr(s, '#')) != NULL && e < eq)) {
        *why = "expected \"name = value\"";
        return -1;
    }
    *eq = 0;
    *name = conf_trim(s);
    v = eq + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    if (*v == '"' || *v == '\'') {
        char    q = *v;

        if ((e = strchr(v + 1, q)) == NULL) {
            *why = "a quote without its closing quote";
            return -1;
        }
        *e = 0;
        e = conf_trim(e + 1);
        if (*e != 0 && *e != '#') {
            *why = "text after the closing quote";
            return -1;
        }
        *value = v + 1;
        return 0;
    }
    if ((e = strchr(v, '#')) != NULL)
        *e = 0;
    *value = conf_trim(v);
    return 0;
}

/* conf_parse - read settings from fp; 0, or -1 with the reason in err
 * ("LINE: what; did you mean ..."). Does not fill in defaults. */
int
conf_parse(struct conf *c, FILE *fp, char *err, size_t errlen)
{
    char    line[CONF_MAX_LINE];
    int     lineno = 0;

    while (fgets(line, sizeof(line), fp) != NULL) {
        char   *name, *value, copy[80];
        char    near[40];
        const char *why = "invalid";
        const char *alt;
        int     k, rc;

        lineno++;
        if (strchr(line, '\n') == NULL && !feof(fp)) {
            snprintf(err, errlen, "%d: line too long", lineno);
            return -1;
        }
        if (conf_split(line, &name, &value, &why) != 0) {
            snprintf(err, errlen, "%d: %s", lineno, why);
            return -1;
        }
        if (*name == 0)
            continue;
        if ((k = conf_key_find(name)) < 0) {
            alt = conf_key_near(name);
            snprintf(err, errlen, "%d: unknown setting \"%.64s\"%s%s%s",
                     lineno, name, alt ? "; did you mean " : "",
                     alt ? alt : "", alt ? "?" : "");
            return -1;
        }
        snprintf(copy, sizeof(copy), "%s", value);
        rc = conf_set(c, name, value, &why);
        if (rc > 0)
            msg_panic("setting %s in the table but not known", name);
        if (rc < 0) {
            conf_value_near(conf_keys[k].choices, copy, near, sizeof(near));
            snprintf(err, errlen, "%d: %s = \"%.64s\" is not valid (%s)%s%s"
                     "%s", lineno, name, copy, why, near[0] ? "; did you mean "
                     : "", near, near[0] ? "?" : "");
            return -1;
        }
        c->set |= 1UL << k;
    }
    if (ferror(fp)) {
        snprintf(err, errlen, "read error");
        return -1;
    }
    return 0;
}

/* conf_load - read the file and fill in defaults; bad file: fatal */
void
conf_load(struct conf *c, const char *path, int must_exist)
{
    FILE   *fp;
    char    err[256];
    const char *file = path ? path : CONF_DEFAULT_PATH;

    memset(c, 0, sizeof(*c));
    c->max_delay = -1;
    c->sm_cache_size = c->sm_cache_timeout = -1;
    c->path = xstrdup(file);
    if ((fp = fopen(file, "r")) == NULL) {
        if (must_exist || errno != ENOENT)
            msg_fatal("%s: cannot open: %s", file, strerror(errno));
        conf_defaults(c);
        return;
    }
    c->found = 1;
    if (conf_parse(c, fp, err, sizeof(err)) != 0)
        msg_fatal("%s:%s", file, err);
    fclose(fp);
    conf_defaults(c);
}

/* conf_free - release everything */
void
conf_free(struct conf *c)
{
    size_t  i;

    xfree(c->path);
    xfree(c->org_name);
    xfree(c->contact);
    xfree(c->submitter);
    xfree(c->unique_id);
    xfree(c->log_tz);
    xfree(c->state_dir);
    xfree(c->resolver);
    xfree(c->ca_file);
    xfree(c->smtp_relay);
    xfree(c->mail_from);
    xfree(c->dkim_key);
    xfree(c->dkim_selector);
    xfree(c->dkim_domain);
    xfree(c->sending_ip_default);
    for (i = 0; i < c->nrelay_hosts; i++)
        xfree(c->relay_hosts[i]);
    xfree(c->relay_hosts);
    for (i = 0; i < c->nipmap; i++) {
        xfree(c->ipmap[i].loghost);
        xfree(c->ipmap[i].ip);
    }
    xfree(c->ipmap);
    memset(c, 0, sizeof(*c));
}

/* conf_print_key - one setting as "name = value" line(s) */
static void
conf_print_key(FILE *fp, const struct conf *c, size_t k)
{
    const struct conf_key *key = &conf_keys[k];
    const char *field = (const char *) c + key->off;
    const char *v;
    size_t  i;

    fprintf(fp, "%s =", key->name);
    switch (key->kind) {
    case CK_ID:
        if (!(c->set & (1UL << k)))
            break;
        /* FALLTHROUGH */
    case CK_STR:
        if ((v = *(char *const *) field) != NULL && *v)
            fprintf(fp, " %s", v);
        break;
    case CK_BOOL:
        fprintf(fp, " %s", *(const int *) field ? "yes" : "no");
        break;
    case CK_SECONDS:
        fprintf(fp, " %ld", *(const long *) field < 0 ? 0
                : *(const long *) field);
        break;
    case CK_PORTS:
        for (i = 0; i < c->nmx_ports; i++)
            fprintf(fp, "%s%d", i ? ", " : " ", c->mx_ports[i]);
        break;
    case CK_RELAYS:
        for (i = 0; i < c->nrelay_hosts; i++)
            fprintf(fp, "%s%s", i ? ", " : " ", c->relay_hosts[i]);
        break;
    case CK_IPMAP:
        for (i = 0; i < c->nipmap; i++)
            fprintf(fp, "%s %s %s", i ? "\nsending_mta_ip =" : "",
                    c->ipmap[i].loghost, c->ipmap[i].ip);
        if (c->sending_ip_default)
            fprintf(fp, "%s %s", c->nipmap ? "\nsending_mta_ip =" : "",
                    c->sending_ip_default);
        break;
    case CK_PLAIN:
        fprintf(fp, " %s", c->plaintext == AGG_PLAIN_ALWAYS ? "always"
                : c->plaintext == AGG_PLAIN_NEVER ? "never" : "auto");
        break;
    }
    fputc('\n', fp);
}

/* conf_print - "mailtlsrpt config [-d | -n] [NAME...]" */
int
conf_print(FILE *fp, const struct conf *c, char **names, int defaults,
           int explicit)
{
    struct conf d;
    const struct conf *show = c;
    const char *near;
    size_t  k;
    int     i, idx;

    if (defaults) {
        memset(&d, 0, sizeof(d));
        d.max_delay = -1;
        d.sm_cache_size = d.sm_cache_timeout = -1;
        conf_defaults(&d);
        show = &d;
    }
    for (i = 0; names[i] != NULL; i++)
        if (conf_key_find(names[i]) < 0) {
            near = conf_key_near(names[i]);
            fprintf(stderr, "mailtlsrpt config: unknown setting \"%.64s\"%s"
                    "%s%s\n", names[i], near ? "; did you mean " : "",
                    near ? near : "", near ? "?" : "");
            if (defaults)
                conf_free(&d);
            return -1;
        }
    if (names[0] != NULL) {
        for (i = 0; names[i] != NULL; i++) {
            idx = conf_key_find(names[i]);
            if (!explicit || (c->set & (1UL << idx)))
                conf_print_key(fp, show, (size_t) idx);
        }
    } else {
        for (k = 0; k < CONF_NKEYS; k++)
            if (!explicit || (c->set & (1UL << k)))
                conf_print_key(fp, show, k);
    }
    if (defaults)
        conf_free(&d);
    return 0;
}

/* conf_key_info - the i-th setting's name, help and default; NULL
 * past the last */
const char *
conf_key_info(size_t i, const char **help, const char **deflt)
{
    if (i >= CONF_NKEYS)
        return NULL;
    *help = conf_keys[i].help;
    *deflt = conf_keys[i].deflt;
    return conf_keys[i].name;
}

/* conf_is_set - the file sets name */
int
conf_is_set(const struct conf *c, const char *name)
{
    int     k = conf_key_find(name);

    return k >= 0 && (c->set & (1UL << k)) != 0;
}

/* conf_need_identity - run, send: who we are must be configured */
void
conf_need_identity(const struct conf *c, const char *cmd)
{
    static const char *const need[] = {
        "organization_name", "contact_info", "submitter",
    };
    char    host[256], dom[DNAME_MAX + 1];
    const char *dot;
    size_t  i;
    int     missing = 0;

    for (i = 0; i < 3; i++)
        missing += !(c->set & (1UL << conf_key_find(need[i])));
    if (missing == 0)
        return;
    /* examples for the lines: this host's domain, as report would guess */
    if (gethostname(host, sizeof(host) - 1) != 0)
        strcpy(host, "localhost");
    host[sizeof(host) - 1] = 0;
    dot = strchr(host, '.');
    if (dot == NULL || dname_norm(dot + 1, strlen(dot + 1), dom) != 0)
        strcpy(dom, "example.net");
    if (c->found)
        fprintf(stderr, "mailtlsrpt %s: %s does not say who sends the"
                " reports; nothing was made or sent.\nAdd these lines to it,"
                " with your own values:\n", cmd, c->path);
    else
        fprintf(stderr, "mailtlsrpt %s: there is no %s to say who sends the"
                " reports; nothing was made or sent.\nCreate it with these"
                " lines, with your own values:\n", cmd, c->path
                ? c->path : CONF_DEFAULT_PATH);
    if (!(c->set & (1UL << conf_key_find("organization_name"))))
        fprintf(stderr, "    organization_name = %s mail operations\n", dom);
    if (!(c->set & (1UL << conf_key_find("contact_info"))))
        fprintf(stderr, "    contact_info = tlsrpt@%s\n", dom);
    if (!(c->set & (1UL << conf_key_find("submitter"))))
        fprintf(stderr, "    submitter = %s\n", dom);
    exit(3);
}

/* conf_sending_ip - configured address of a log host */
const char *
conf_sending_ip(const char *loghost, const void *ctx)
{
    const struct conf *c = ctx;
    size_t  i;

    for (i = 0; i < c->nipmap; i++)
        if (strcasecmp(c->ipmap[i].loghost, loghost) == 0)
            return c->ipmap[i].ip;
    return c->sending_ip_default;
}

/* conf_sess - what the parsers take of the configuration */
void
conf_sess(const struct conf *c, struct sess_conf *sc)
{
    memset(sc, 0, sizeof(*sc));
    sc->mx_ports = c->mx_ports;
    sc->nmx_ports = c->nmx_ports;
    /* no relay hosts: no call per session to find none (corr_relay) */
    sc->is_relay = c->nrelay_hosts > 0 ? conf_is_relay : NULL;
    sc->is_relay_ctx = c;
    sc->own_from = c->mail_from;
    conf_sess_sendmail(c, sc);
}

/* conf_sess_sendmail - Sendmail's cache settings into sc */
void
conf_sess_sendmail(const struct conf *c, struct sess_conf *sc)
{
    sc->sm_cache_size = c->sm_cache_size < 0 ? 0
        : c->sm_cache_size == 0 ? -1 : (int) c->sm_cache_size;
    /* (0 in sess_conf is the default: Sendmail's 0, no cache, is -1) */
    sc->sm_cache_timeout = c->sm_cache_timeout > 0 ? c->sm_cache_timeout : 0;
}

/* conf_is_relay - host or ip is a configured relay host */
int
conf_is_relay(const char *host, const char *ip, const void *ctx)
{
    const struct conf *c = ctx;
    size_t  i;

    for (i = 0; i < c->nrelay_hosts; i++)
        if ((host[0] && strcmp(c->relay_hosts[i], host) == 0)
            || (ip[0] && strcmp(c->relay_hosts[i], ip) == 0))
            return 1;
    return 0;
}
