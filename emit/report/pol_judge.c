/* emit/report/pol_judge.c - under which policy a session was, and its result
 *
 * NAME
 *      pol_judge - judge a logged session again under the resolved policy
 * SYNOPSIS
 *      #include "emit/report/pol_judge.h"
 *
 *      int   pol_judge(dom, in, plain_counted, out)
 *      void  pol_groups(dom, recs, counts, n, out, nout)
 * DESCRIPTION
 *      The rule, first match wins (docs/resolution.md explains each line
 *      and what Postfix must log for it):
 *
 *      0. a plaintext session of a log host that does not log TLS is not
 *         counted (as offline); a counted one is starttls-not-supported;
 *      1. the log shows the sender applied DANE (tlsa-invalid,
 *         dnssec-invalid, dane-required): tlsa, the log's result;
 *      2. the log shows an MTA-STS verdict (sts-*): sts, the log's result;
 *      3. the session's MX has a bogus TLSA RRset (or SERVFAIL under a
 *         secure address): tlsa, dnssec-invalid;
 *      4. the MX has a secure TLSA RRset: tlsa (DANE before MTA-STS, RFC
 *         8461 2); a logged failure stays; a success counts if the
 *         records are all unusable (TLS is all that is asked) or the
 *         certificate was Verified, else validation-failure
 *         "tlsa-not-verified" (the sender did not authenticate);
 *      5. an MTA-STS policy in enforce or testing mode: sts; an MX the
 *         policy does not list: validation-failure "mx-not-in-sts-policy"
 *         (whatever the log says); a logged failure stays; a success
 *         whose certificate was Verified (or unknown) counts; Trusted
 *         (chain good, name not checked): certificate-host-mismatch
 *         "certificate-name-not-verified"; Untrusted: the logged
 *         certificate problem (e.g. certificate-expired), else
 *         certificate-not-trusted; Anonymous: validation-failure
 *         "no-server-certificate";
 *      6. a valid _mta-sts record whose policy could not be had: sts, and
 *         every counted session is that failure (sts-policy-fetch-error,
 *         sts-webpki-invalid, sts-policy-invalid) with its reason;
 *      7. otherwise no-policy-found and the log's result (as offline;
 *         also MTA-STS mode none, RFC 8461 5).
 */
#include "pol_judge.h"

#include <stdlib.h>
#include <string.h>

#include "../../util/mymalloc.h"

/* pol_is_dane - a result only a DANE client reports */
static int
pol_is_dane(int r)
{
    return r == SESS_TLSA_INVALID || r == SESS_DNSSEC_INVALID
        || r == SESS_DANE_REQUIRED;
}

/* pol_is_sts - a result only an MTA-STS client reports */
static int
pol_is_sts(int r)
{
    return r == SESS_STS_POLICY_INVALID || r == SESS_STS_WEBPKI_INVALID
        || r == SESS_STS_POLICY_FETCH_ERROR;
}

/* pol_set - result and reason into out */
static void
pol_set(struct sess_rec *out, int result, const char *reason)
{
    out->result = (uint8_t) result;
    sess_set_reason(out, reason, strlen(reason));
}

/* pol_cert_fail - the failure for a completed handshake whose
 * certificate was not verified, under MTA-STS (rule 5) */
static void
pol_cert_fail(const struct sess_rec *in, struct sess_rec *out)
{
    switch (in->cert) {
    case SESS_CERT_TRUSTED:
        pol_set(out, SESS_CERT_HOST_MISMATCH, "certificate-name-not-verified");
        break;
    case SESS_CERT_UNTRUSTED:
        if (in->cert_problem == SESS_CERT_EXPIRED
            || in->cert_problem == SESS_CERT_NOT_TRUSTED
            || in->cert_problem == SESS_VALIDATION_FAILURE)
            pol_set(out, in->cert_problem,
                    sess_result_name(in->cert_problem));
        else
            pol_set(out, SESS_CERT_NOT_TRUSTED, "certificate-not-trusted");
        break;
    case SESS_CERT_ANON:
        pol_set(out, SESS_VALIDATION_FAILURE, "no-server-certificate");
        break;
    default:
        break;                  /* verified, or the log does not say */
    }
}

/* pol_judge - see the rule above */
int
pol_judge(const struct pol_dom *d, const struct sess_rec *in,
          int plain_counted, struct sess_rec *out)
{
    const struct pol_tlsa *t = pol_find_mx(d, in->mx);
    const struct pol_sts *s = d->sts;
    int     plain = (in->flags & SESS_F_PLAINTEXT) != 0;

    *out = *in;
    out->cert = 0;
    out->cert_problem = 0;
    out->flags = 0;
    out->policy = SESS_POL_NONE;
    if (plain && !plain_counted) {
        out->flags = SESS_F_PLAINTEXT;  /* rule 0: counted nowhere */
        return 0;
    }
    if (plain)
        out->result = SESS_STARTTLS_NOT_SUPPORTED;
    if (pol_is_dane(out->result)) {                     /* rule 1 */
        out->policy = SESS_POL_TLSA;
    } else if (pol_is_sts(out->result)) {               /* rule 2 */
        out->policy = SESS_POL_STS;
    } else if (t != NULL && t->state == POL_DANE_BOGUS) {       /* 3 */
        out->policy = SESS_POL_TLSA;
        pol_set(out, SESS_DNSSEC_INVALID, t->rc == DNS_SERVFAIL
                ? "tlsa-lookup-servfail" : "tlsa-dnssec-bogus");
    } else if (t != NULL && t->state == POL_DANE_SECURE) {      /* 4 */
        out->policy = SESS_POL_TLSA;
        if (out->result == SESS_SUCCESS && t->usable && !plain
            && in->cert != SESS_CERT_VERIFIED && in->cert != SESS_CERT_UNKNOWN)
            pol_set(out, SESS_VALIDATION_FAILURE, "tlsa-not-verified");
    } else if (s != NULL && s->state == POL_STS_OK
               && s->policy.mode != STS_MODE_NONE) {    /* rule 5 */
        out->policy = SESS_POL_STS;
        if (in->mx[0] != 0 && !sts_policy_mx_ok(&s->policy, in->mx))
            pol_set(out, SESS_VALIDATION_FAILURE, "mx-not-in-sts-policy");
        else if (out->result == SESS_SUCCESS && !plain)
            pol_cert_fail(in, out);
    } else if (s != NULL && s->state == POL_STS_FAILED) {       /* 6 */
        out->policy = SESS_POL_STS;
        pol_set(out, s->result, s->reason);
    }                                                   /* rule 7 */
    if (out->result == SESS_SUCCESS) {
        /* successes collapse per group: only tlsa groups need the MX */
        out->reason[0] = 0;
        out->helo[0] = 0;
        out->ip[0] = 0;
        if (out->policy != SESS_POL_TLSA)
            out->mx[0] = 0;
    }
    return 0;
}

/* pol_base - the group key of a judged record: its TLSA base domain */
static const char *
pol_base(const struct pol_dom *d, const struct sess_rec *r)
{
    if (r->policy != SESS_POL_TLSA)
        return "";
    return r->mx[0] ? r->mx : d->domain;
}

/* pol_group_cmp - report order: policy type, then base domain */
static int
pol_group_cmp(const void *a, const void *b)
{
    const struct pol_group *x = a;
    const struct pol_group *y = b;

    if (x->g.policy != y->g.policy)
        return x->g.policy < y->g.policy ? -1 : 1;
    return strcmp(x->policy_domain, y->policy_domain);
}

/* pol_group_for - the group of (policy, base), created when new */
static struct pol_group *
pol_group_for(const struct pol_dom *d, const struct sess_rec *r,
              struct pol_group **gs, size_t *ng, size_t *cap)
{
    const char *base = pol_base(d, r);
    struct pol_group *g;
    size_t  i;

    for (i = 0; i < *ng; i++) {
        g = &(*gs)[i];
        if (g->g.policy == r->policy
            && strcmp(r->policy == SESS_POL_TLSA ? g->policy_domain : "",
                      base) == 0)
            return g;
    }
    if (*ng == *cap) {
        *cap = *cap ? 2 * *cap : 4;
        *gs = xrealloc(*gs, *cap * sizeof(**gs));
    }
    g = &(*gs)[(*ng)++];
    memset(g, 0, sizeof(*g));
    g->g.day = r->day;
    g->g.policy = r->policy;
    g->g.domain = d->domain;
    g->policy_domain = r->policy == SESS_POL_TLSA ? base : d->domain;
    if (r->policy == SESS_POL_STS && d->sts != NULL
        && d->sts->state == POL_STS_OK) {
        g->strings = (const char *const *) d->sts->policy.lines;
        g->nstrings = d->sts->policy.nlines;
        g->mx_hosts = (const char *const *) d->sts->policy.mx;
        g->nmx_hosts = d->sts->policy.nmx;
    } else if (r->policy == SESS_POL_TLSA) {
        const struct pol_tlsa *t = pol_find_mx(d, base);

        if (t != NULL && t->state == POL_DANE_SECURE) {
            g->strings = (const char *const *) t->rr;
            g->nstrings = t->nrr;
        }
    }
    return g;
}

/* pol_groups - group judged records of one (day, domain) */
void
pol_groups(const struct pol_dom *d, const struct sess_rec *recs,
           const uint64_t *counts, size_t n, struct pol_group **out,
           size_t *nout)
{
    struct pol_group *gs = NULL;
    size_t  ng = 0, cap = 0;
    size_t  i;

    for (i = 0; i < n; i++) {
        const struct sess_rec *r = &recs[i];
        struct pol_group *g = pol_group_for(d, r, &gs, &ng, &cap);
        struct agg_detail *det;

        if (r->flags & SESS_F_PLAINTEXT) {
            g->g.plain_ignored += counts[i];
            continue;
        }
        if (r->result == SESS_SUCCESS) {
            g->g.success += counts[i];
            continue;
        }
        g->det = xrealloc(g->det, (g->g.ndetails + 1) * sizeof(*det));
        g->g.details = g->det;
        det = &g->det[g->g.ndetails++];
        det->result = r->result;
        det->mx = r->mx;
        det->helo = r->helo;
        det->ip = r->ip;
        det->loghost = r->loghost;
        det->reason = r->reason;
        det->count = counts[i];
        g->g.failure += counts[i];
    }
    if (ng > 1)
        qsort(gs, ng, sizeof(*gs), pol_group_cmp);
    *out = gs;
    *nout = ng;
}

/* pol_groups_free - release what pol_groups() made */
void
pol_groups_free(struct pol_group *g, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++)
        free(g[i].det);
    free(g);
}
