/* cli/conf.c - configuration file and its defaults (see conf.h) */
#include "conf.h"
#include "../parsers/ts.h"
#include "../util/dname.h"
#include "../util/ipaddr.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONF_MAX_LINE 4096

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
            snprintf(zwhy, sizeof(zwhy), "unknown time zone \"%.64s\": %s",
                     value, zerr);
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

/* conf_parse - read settings from fp; 0, or -1 with the reason in err
 * ("LINE: name: why"). Does not fill in defaults. */
int
conf_parse(struct conf *c, FILE *fp, char *err, size_t errlen)
{
    char    line[CONF_MAX_LINE];
    int     lineno = 0;

    while (fgets(line, sizeof(line), fp) != NULL) {
        char   *s, *eq, *name, *value;
        const char *why = "invalid";
        int     rc;

        lineno++;
        if (strchr(line, '\n') == NULL && !feof(fp)) {
            snprintf(err, errlen, "%d: line too long", lineno);
            return -1;
        }
        if ((s = strchr(line, '#')) != NULL)
            *s = 0;
        s = conf_trim(line);
        if (*s == 0)
            continue;
        if ((eq = strchr(s, '=')) == NULL) {
            snprintf(err, errlen, "%d: expected \"name = value\"", lineno);
            return -1;
        }
        *eq = 0;
        name = conf_trim(s);
        value = conf_trim(eq + 1);
        rc = conf_set(c, name, value, &why);
        if (rc < 0) {
            snprintf(err, errlen, "%d: %.64s: %s", lineno, name, why);
            return -1;
        }
        if (rc > 0)
            msg_warn("line %d: unknown setting \"%.64s\" ignored", lineno,
                     name);
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
    if ((fp = fopen(file, "r")) == NULL) {
        if (must_exist || errno != ENOENT)
            msg_fatal("%s: cannot open: %s", file, strerror(errno));
        conf_defaults(c);
        return;
    }
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
