/* emit/report/pol_judge.h - each session judged under its domain's
 * policy, and the report's groups
 *
 * pol_judge() decides, for one stored session of the log, the policy it
 * was under and its result under that policy (docs/resolution.md has the
 * rule table), from what resolution found (emit/resolution/pol.h).
 * pol_groups() turns judged sessions into report groups: one per (day,
 * domain, policy), tlsa ones per TLSA base domain (MX).
 * Thread safety: pure functions; a pol_group array per caller.
 */
#ifndef EMIT_REPORT_POL_JUDGE_H
#define EMIT_REPORT_POL_JUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "../resolution/pol.h"
#include "../../aggregate/agg_tab.h"
#include "../../global/sess.h"

/* pol_judge - the session in (as stored by agg_tab) judged under d.
 * plain_counted: for a plaintext session, whether its log host logs TLS
 * (agg_plain rules). Writes the judged record to out: policy, result,
 * reason set; cert, cert_problem, flags cleared (except SESS_F_PLAINTEXT
 * for a plaintext session that is not counted); mx kept only where the
 * group needs it (tlsa, failures). Returns 0. */
int     pol_judge(const struct pol_dom *d, const struct sess_rec *in,
                  int plain_counted, struct sess_rec *out);

/* one report's worth of groups for (day, domain) */
struct pol_group {
    struct agg_group g;         /* counters and details (pol-owned) */
    const char *policy_domain;  /* tlsa: the MX host; else the domain */
    const char *const *strings; /* policy-string, or NULL */
    size_t  nstrings;
    const char *const *mx_hosts;        /* sts: mx patterns */
    size_t  nmx_hosts;
    struct agg_detail *det;     /* storage of g.details */
};

/* pol_groups - the groups of the judged records recs[0..n) (one day and
 * domain, in agg_tab_walk_st order, with counts) under d; *out is an
 * array of *nout groups in report order (no-policy-found, sts, tlsa by
 * base domain); free with pol_groups_free(). */
void    pol_groups(const struct pol_dom *d, const struct sess_rec *recs,
                   const uint64_t *counts, size_t n, struct pol_group **out,
                   size_t *nout);
void    pol_groups_free(struct pol_group *g, size_t n);

#endif
