/* cli/cmd_check.c - "mailtlsrpt check-domain": what a sender would find
 *
 * Usage: mailtlsrpt check-domain [--json] [--resolver A[:P]]
 *            [--ca-file FILE] [--timeout S] DOMAIN... ("-" reads domains
 *            from stdin)
 *
 * For each domain: the TLSRPT record and its rua list, the MTA-STS record
 * and policy, the MX hosts and their TLSA records, with every problem
 * explained. Lookups are fresh (no cache), concurrent (emit/resolution/pol.c), and
 * the output keeps the order of the arguments: each domain is rendered
 * and freed by the worker that resolved it, and printed as soon as every
 * domain before it is, so memory holds only the rendered text of domains
 * that finished ahead of a slower one. All lookups and the policy fetch
 * of one domain together take at most --timeout seconds (default 5); a
 * resolver that refuses fails at once (emit/resolution/dns.h). A lookup without an
 * answer is "unknown (no answer)", never "none". --json writes one JSON
 * object per domain and line; docs/resolution.md documents its shape.
 * Exit status: 0 every domain has a usable TLSRPT record and no MTA-STS
 * or DANE problem; 1 some domain has a problem (printed); 2 usage; 3 the
 * resolver cannot be set up.
 */
#include "cli.h"
#include "conf.h"
#include "../emit/resolution/pol.h"
#include "../util/dname.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_LINE 1024         /* one domain read from stdin */
#define CHECK_TIMEOUT 5         /* seconds for all lookups of a domain */

/* check_add - append a canonical domain to the list */
static void
check_add(char ***v, size_t *n, size_t *cap, const char *in, size_t len,
          int *bad)
{
    char    canon[DNAME_MAX + 1];

    while (len > 0 && (in[len - 1] == '\n' || in[len - 1] == '\r'
                       || in[len - 1] == ' ' || in[len - 1] == '\t'))
        len--;
    while (len > 0 && (*in == ' ' || *in == '\t')) {
        in++;
        len--;
    }
    if (len == 0)
        return;
    if (len > DNAME_MAX + 1 || dname_norm(in, len, canon) != 0
        || dname_is_numeric(canon)) {
        fprintf(stderr, "mailtlsrpt check-domain: \"%.*s\" is not a domain"
                " name\n", (int) (len > 80 ? 80 : len), in);
        *bad = 1;
        return;
    }
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        *v = xrealloc(*v, *cap * sizeof(**v));
    }
    (*v)[(*n)++] = xstrdup(canon);
}

/* check_str - JSON string, or null for NULL/"" */
static json_t *
check_str(const char *s)
{
    return s != NULL && *s ? json_string(s) : json_null();
}

/* check_tlsrpt_error - why the domain has no usable record, or NULL */
static const char *
check_tlsrpt_error(const struct pol_dom *d, char *buf, size_t cap)
{
    if (d->trec != NULL && d->trec->status == TREC_OK)
        return NULL;
    if (d->trec != NULL)
        snprintf(buf, cap, "%s: %s", trec_status_name(d->trec->status),
                 d->trec->error);
    else
        snprintf(buf, cap, "%s: %s", dns_rc_name(d->trec_rc), d->trec_why);
    return buf;
}

/* check_unknown - "no answer" or "lookup failed" when a lookup result
 * says nothing about the domain (unlike nxdomain or nodata), else NULL */
static const char *
check_unknown(int rc)
{
    if (rc == DNS_TIMEOUT)
        return "no answer";
    if (rc == DNS_SERVFAIL || rc == DNS_ERROR)
        return "lookup failed";
    return NULL;
}

/* check_tlsrpt_status - one word for the TLSRPT state */
static const char *
check_tlsrpt_status(const struct pol_dom *d)
{
    return d->trec != NULL ? trec_status_name(d->trec->status)
        : dns_rc_name(d->trec_rc);
}

/* check_sts_error - what is wrong with MTA-STS, or NULL */
static const char *
check_sts_error(const struct pol_sts *s, char *buf, size_t cap)
{
    if (s == NULL)
        return NULL;
    if (s->state == POL_STS_FAILED) {
        snprintf(buf, cap, "%s (%s): %s", sess_result_name(s->result),
                 s->reason, s->error);
        return buf;
    }
    if (s->state == POL_STS_OK)
        return s->error[0] ? s->error : NULL;
    /* no MTA-STS: absence is no error, a broken record or lookup is */
    if (s->txt_rc == DNS_NXDOMAIN || s->txt_rc == DNS_NODATA
        || (s->txt_rc == DNS_OK && s->txt.status == STS_TXT_NONE))
        return NULL;
    snprintf(buf, cap, "%s", s->txt.error);
    return buf;
}

/* check_json - the documented JSON object of one domain */
static json_t *
check_json(const struct pol_dom *d)
{
    json_t *o = json_object();
    json_t *t = json_object();
    json_t *s = json_object();
    json_t *mxs = json_array();
    json_t *rua = json_array();
    json_t *warn = json_array();
    json_t *smx = json_array();
    json_t *lines = json_array();
    const struct pol_sts *st = d->sts;
    char    buf[512];
    size_t  i, k;

    if (o == NULL || t == NULL || s == NULL || mxs == NULL || rua == NULL
        || warn == NULL || smx == NULL || lines == NULL)
        xnomem("json");
    json_object_set_new(o, "domain", json_string(d->domain));
    json_object_set_new(t, "status", json_string(check_tlsrpt_status(d)));
    json_object_set_new(t, "dns", json_string(dns_rc_name(d->trec_rc)));
    json_object_set_new(t, "record", check_str(d->trec && d->trec->nrecords
                                               ? d->trec->record : NULL));
    for (i = 0; d->trec != NULL && i < d->trec->nrua; i++)
        json_array_append_new(rua, json_string(d->trec->rua[i].uri));
    for (i = 0; d->trec != NULL && i < d->trec->nwarn
         && i < TREC_MAX_WARN; i++)
        json_array_append_new(warn, json_string(d->trec->warn[i]));
    json_object_set_new(t, "rua", rua);
    json_object_set_new(t, "warnings", warn);
    json_object_set_new(t, "error",
                        check_str(check_tlsrpt_error(d, buf, sizeof(buf))));
    json_object_set_new(o, "tlsrpt", t);

    json_object_set_new(s, "status", json_string(
        st == NULL ? "not-checked" : st->state == POL_STS_OK ? "ok"
        : st->state == POL_STS_FAILED ? "failed"
        : check_unknown(st->txt_rc) ? "unknown" : "none"));
    json_object_set_new(s, "dns", json_string(st ? dns_rc_name(st->txt_rc)
                                              : "not-checked"));
    json_object_set_new(s, "record", check_str(st && st->txt.record[0]
                                               ? st->txt.record : NULL));
    json_object_set_new(s, "id", check_str(st && st->state == POL_STS_OK
                                           ? st->id : st ? st->txt.id : NULL));
    if (st != NULL && st->state == POL_STS_OK) {
        json_object_set_new(s, "mode",
                            json_string(sts_mode_name(st->policy.mode)));
        json_object_set_new(s, "max_age", json_integer(st->policy.max_age));
        for (i = 0; i < st->policy.nmx; i++)
            json_array_append_new(smx, json_string(st->policy.mx[i]));
        for (i = 0; i < st->policy.nlines; i++)
            json_array_append_new(lines, json_string(st->policy.lines[i]));
        json_object_set_new(s, "cached", json_boolean(st->cached));
    } else {
        json_object_set_new(s, "mode", json_null());
        json_object_set_new(s, "max_age", json_null());
        json_object_set_new(s, "cached", json_false());
    }
    json_object_set_new(s, "mx", smx);
    json_object_set_new(s, "policy", lines);
    json_object_set_new(s, "result_type", st && st->state == POL_STS_FAILED
                        ? json_string(sess_result_name(st->result))
                        : json_null());
    json_object_set_new(s, "reason", check_str(st && st->state
                                               == POL_STS_FAILED
                                               ? st->reason : NULL));
    json_object_set_new(s, "error",
                        check_str(check_sts_error(st, buf, sizeof(buf))));
    json_object_set_new(o, "sts", s);

    json_object_set_new(o, "mx_dns", json_string(d->mx_rc < 0 ? "not-checked"
                                                 : dns_rc_name(d->mx_rc)));
    for (i = 0; i < d->nmx; i++) {
        const struct pol_tlsa *m = &d->mx[i];
        json_t *e = json_object();
        json_t *ta = json_object();
        json_t *rr = json_array();

        if (e == NULL || ta == NULL || rr == NULL)
            xnomem("json");
        json_object_set_new(e, "host", json_string(m->host));
        json_object_set_new(e, "preference", m->in_mx
                            ? json_integer(m->pref) : json_null());
        json_object_set_new(e, "address", json_string(dns_rc_name(m->addr_rc)));
        json_object_set_new(e, "address_dnssec", json_boolean(m->addr_ad));
        json_object_set_new(ta, "status", json_string(
            m->state == POL_DANE_SECURE ? "secure"
            : m->state == POL_DANE_BOGUS ? "bogus"
            : m->state == POL_DANE_UNKNOWN ? "unknown" : "none"));
        json_object_set_new(ta, "dns", m->rc < 0 ? json_null()
                            : json_string(dns_rc_name(m->rc)));
        json_object_set_new(ta, "usable", json_boolean(m->usable));
        for (k = 0; k < m->nrr; k++)
            json_array_append_new(rr, json_string(m->rr[k]));
        json_object_set_new(ta, "records", rr);
        json_object_set_new(ta, "note", check_str(m->why));
        json_object_set_new(e, "tlsa", ta);
        json_array_append_new(mxs, e);
    }
    json_object_set_new(o, "mx", mxs);
    return o;
}

/* check_text - the human-readable form of one domain */
static void
check_text(const struct pol_dom *d, FILE *fp)
{
    const struct pol_sts *st = d->sts;
    char    buf[512];
    const char *err, *u;
    size_t  i, k;

    fprintf(fp, "%s\n", d->domain);
    if (d->trec == NULL && (u = check_unknown(d->trec_rc)) != NULL)
        fprintf(fp, "  TLSRPT   unknown (%s): %s\n", u, d->trec_why);
    else if ((err = check_tlsrpt_error(d, buf, sizeof(buf))) != NULL)
        fprintf(fp, "  TLSRPT   %s: no report can be sent: %s\n", d->trec
                ? "invalid" : "none", err);
    else
        fprintf(fp, "  TLSRPT   %s\n", d->trec->record);
    for (i = 0; d->trec != NULL && i < d->trec->nrua; i++)
        fprintf(fp, "           rua %s\n", d->trec->rua[i].uri);
    for (i = 0; d->trec != NULL && i < d->trec->nwarn && i < TREC_MAX_WARN;
         i++)
        fprintf(fp, "           warning: %s\n", d->trec->warn[i]);
    if (st != NULL && st->state == POL_STS_OK) {
        fprintf(fp, "  MTA-STS  mode %s, max_age %ld, id %s%s\n",
                sts_mode_name(st->policy.mode), st->policy.max_age, st->id,
                st->cached ? " (cached)" : "");
        for (i = 0; i < st->policy.nmx; i++)
            fprintf(fp, "           mx %s\n", st->policy.mx[i]);
    } else if (st != NULL && st->state == POL_STS_NONE
               && (u = check_unknown(st->txt_rc)) != NULL) {
        fprintf(fp, "  MTA-STS  unknown (%s): %s\n", u, st->txt.error);
    } else if (st != NULL && st->state == POL_STS_NONE) {
        fprintf(fp, "  MTA-STS  none");
        if ((err = check_sts_error(st, buf, sizeof(buf))) != NULL)
            fprintf(fp, ": %s", err);
        fprintf(fp, "\n");
    }
    if (st != NULL && (err = check_sts_error(st, buf, sizeof(buf))) != NULL
        && st->state != POL_STS_NONE)
        fprintf(fp, "           %s: %s\n", st->state == POL_STS_FAILED
                ? "failure" : "note", err);
    if (d->mx_rc >= 0 && (u = check_unknown(d->mx_rc)) != NULL)
        fprintf(fp, "  MX       unknown (%s): %s\n", u, d->mx_why);
    else if (d->mx_rc >= 0 && d->mx_rc != DNS_OK)
        fprintf(fp, "  MX       none: %s: %s\n", dns_rc_name(d->mx_rc),
                d->mx_why);
    for (i = 0; i < d->nmx; i++) {
        const struct pol_tlsa *m = &d->mx[i];

        fprintf(fp, "  MX       %u %s: ", m->pref, m->host);
        if (m->state == POL_DANE_SECURE)
            fprintf(fp, "DANE, %zu TLSA record%s%s%s\n", m->nrr,
                    m->nrr == 1 ? "" : "s", m->why[0] ? ": " : "", m->why);
        else
            fprintf(fp, "%s: %s\n", m->state == POL_DANE_BOGUS
                    ? "DANE lookup failed (dnssec-invalid)"
                    : m->state == POL_DANE_UNKNOWN ? "DANE unknown"
                    : "no DANE", m->why);
        for (k = 0; k < m->nrr; k++)
            fprintf(fp, "             TLSA %s\n", m->rr[k]);
    }
}

/* check_problem - 1 when the domain has anything to complain about */
static int
check_problem(const struct pol_dom *d)
{
    char    buf[512];
    size_t  i;

    if (!pol_has_tlsrpt(d) || check_sts_error(d->sts, buf, sizeof(buf)))
        return 1;
    for (i = 0; i < d->nmx; i++)
        if (d->mx[i].state == POL_DANE_BOGUS
            || d->mx[i].state == POL_DANE_UNKNOWN)
            return 1;
    return 0;
}

/* what the workers share while they hand domains over (check_done) */
struct check_out {
    pthread_mutex_t lock;
    char  **text;               /* rendered, not yet printed; NULL */
    size_t  next;               /* first domain not yet printed */
    int     json;
    int     problems;
};

/* check_render - the output of one domain as a string (caller frees) */
static char *
check_render(const struct pol_dom *d, int json)
{
    char   *text = NULL;
    size_t  len = 0;
    FILE   *fp;

    if (json) {
        json_t *j = check_json(d);

        text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(j);
        if (text == NULL)
            msg_fatal("cannot write JSON for %s", d->domain);
        return text;
    }
    fp = xneed(open_memstream(&text, &len), "open_memstream");
    check_text(d, fp);
    if (fclose(fp) != 0 || text == NULL)
        xnomem("check text");
    return text;
}

/* check_done - pol_conf.done: render, free, print what is in order */
static void
check_done(struct pol_dom *d, size_t i, void *ctx)
{
    struct check_out *co = ctx;
    char   *text = check_render(d, co->json);
    int     problem = check_problem(d);

    pol_dom_free(d);
    pthread_mutex_lock(&co->lock);
    co->problems |= problem;
    co->text[i] = text;
    while (co->text[co->next] != NULL) {
        fputs(co->text[co->next], stdout);
        if (co->json)
            putchar('\n');
        free(co->text[co->next]);
        co->text[co->next++] = NULL;
    }
    pthread_mutex_unlock(&co->lock);
}

/* cmd_check_domain - the check-domain subcommand */
int
cmd_check_domain(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    struct pol_conf pc;
    struct pol_dom *doms;
    struct check_out co;
    char  **names = NULL;
    size_t  n = 0, cap = 0, i;
    char    err[DNS_MSG];
    int     bad = 0;

    cli_parse(argc, argv, "check-domain", &o);
    if (o.files[0] == NULL) {
        fprintf(stderr, "usage: mailtlsrpt check-domain [--json] DOMAIN..."
                " (- reads domains from standard input)\n");
        return EXIT_USAGE;
    }
    cli_setup(&o, &c);
    for (i = 0; o.files[i] != NULL; i++) {
        if (strcmp(o.files[i], "-") == 0) {
            char    line[CHECK_LINE];

            while (fgets(line, sizeof(line), stdin) != NULL) {
                size_t  len = strlen(line);
                int     ch;

                if (len > 0 && line[len - 1] != '\n' && !feof(stdin)) {
                    /* the rest of an over-long line is no new name */
                    while ((ch = getchar()) != EOF && ch != '\n')
                        ;
                    fprintf(stderr, "mailtlsrpt check-domain: a line of"
                            " more than %d bytes is not a domain name\n",
                            CHECK_LINE - 2);
                    bad = 1;
                    continue;
                }
                check_add(&names, &n, &cap, line, len, &bad);
            }
        } else {
            check_add(&names, &n, &cap, o.files[i], strlen(o.files[i]), &bad);
        }
    }
    memset(&pc, 0, sizeof(pc));
    pc.dns.server = o.resolver ? o.resolver : c.resolver;
    pc.fetch.ca_file = o.ca_file ? o.ca_file : c.ca_file;
    pc.want_mx = 1;
    pc.domain_ms = (o.timeout > 0 ? o.timeout : CHECK_TIMEOUT) * 1000L;
    pol_conf_env(&pc);
    if (pc.dns.server != NULL && dns_conf_check(pc.dns.server, err) != 0) {
        fprintf(stderr, "mailtlsrpt check-domain: %s\n", err);
        for (i = 0; i < n; i++)
            free(names[i]);
        free(names);
        conf_free(&c);
        return EXIT_USAGE;
    }
    sts_global_init();
    doms = xcalloc(n ? n : 1, sizeof(*doms));
    for (i = 0; i < n; i++)
        doms[i].domain = names[i];
    memset(&co, 0, sizeof(co));
    pthread_mutex_init(&co.lock, NULL);
    co.text = xcalloc(n + 1, sizeof(*co.text));        /* [n] stays NULL */
    co.json = o.json;
    pc.done = check_done;
    pc.done_ctx = &co;
    if (pol_resolve_all(&pc, doms, n, err) != 0)
        msg_fatal("%s", err);
    if (co.next != n)
        msg_panic("check-domain: %zu of %zu domains printed", co.next, n);
    pthread_mutex_destroy(&co.lock);
    for (i = 0; i < n; i++)
        free(names[i]);
    free(co.text);
    free(doms);
    free(names);
    conf_free(&c);
    if (fflush(stdout) != 0)
        msg_fatal("standard output: write error");
    return bad ? EXIT_USAGE : co.problems ? EXIT_PARTIAL : EXIT_DONE;
}
