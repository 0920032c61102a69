/* parsers/sm_sess.c - Sendmail lines tied into sessions (see sm_sess.h)
 *
 * Per process (log host, program, pid) we keep the connection being set
 * up or last used ("cur") and up to SM_MAX_PEND earlier connections of
 * the delivery under way: each MX host tried leaves one STARTTLS=client
 * line (or a handshake error, or a tls_server reject) and no line of its
 * own naming the message. The delivery line "QID: to=<rcpt>, ...,
 * relay=HOST. [IP], ..., stat=..." that follows names the recipient
 * domain of all of them; only the last relay is in it. A delivery line
 * naming the relay of a connection already handed over is one more
 * message down Sendmail's connection cache: no new session. A delivery
 * to an MX with no TLS line before it is a plaintext session
 * (SESS_F_PLAINTEXT), counted only when the log host logs TLS.
 * The line "QID: from=<sender>, size=..." of our own report address
 * notes the queue id (sess_own): the sessions of its deliveries are not
 * counted.
 */
#include "sm_sess.h"
#include "sm.h"
#include "../util/dname.h"
#include "../util/htab.h"
#include "../util/ipaddr.h"
#include "../util/mymalloc.h"

#include <string.h>

#define SM_REASON_MAX 64        /* failure-reason-code, bytes */

struct sm_conn {
    int     active;
    int     dated;
    int64_t t0;
    char    mx[DNAME_MAX + 1];
    char    ip[IPADDR_MAX + 1];
    int     loopback;           /* MSP -> MTA hop over loopback */
    int     tls;                /* handshake completed (summary line) */
    int     verify;             /* enum sm_verify of the summary line */
    int     cond;               /* certificate problem (verifymsg=), or -1 */
    int     fail;               /* failure decided, or -1 */
    int     hs_err;             /* "error: connect failed" logged */
    int     reject;             /* tls_server rejected it: it ended */
    int     reject_v;           /* the ${verify} of that reject */
    int     local;              /* our doing, not the receiver's */
    int     plain;              /* delivered without STARTTLS */
    int     attributed;         /* handed over */
    char    reason[SM_REASON_MAX + 1];
};

struct sm_proc {
    char    loghost[SESS_MAX_LOGHOST + 1];
    int     own;                /* the delivery under way is our report */
    int64_t last_t;
    struct sm_conn cur;
    struct sm_conn *pend;       /* allocated on demand: most have none */
    int     npend;
};

struct sm_sess {
    struct sess_conf conf;
    struct sess_cb cb;
    struct htab *procs;
    struct sess_own *own;       /* queue ids of our report mail */
    int64_t max_t;
    unsigned long feeds;
};

/* sm_set_reason - keep the first reason of a connection */
static void
sm_set_reason(struct sm_conn *c, const char *why)
{
    if (c->reason[0] == 0 && why != NULL)
        sess_slug(span_make(why, strlen(why)), c->reason, sizeof(c->reason));
}

/* sm_conn_same - 1 when the relay pe may be connection c's */
static int
sm_conn_same(const struct sm_conn *c, const struct sm_peer *pe)
{
    if (c->mx[0] && pe->mx[0])
        return strcmp(c->mx, pe->mx) == 0;
    if (c->ip[0] && pe->ip[0])
        return strcmp(c->ip, pe->ip) == 0;
    return 1;
}

/* sm_conn_fill - learn name and address of c from a later line */
static void
sm_conn_fill(struct sm_conn *c, const struct sm_peer *pe)
{
    if (c->mx[0] == 0)
        memcpy(c->mx, pe->mx, sizeof(c->mx));
    if (c->ip[0] == 0)
        memcpy(c->ip, pe->ip, sizeof(c->ip));
    c->loopback |= pe->loopback;
}

/* sm_outcome - result of a finished connection; -1: not a session */
static int
sm_outcome(const struct sm_conn *c, int *plain)
{
    *plain = 0;
    if (c->fail >= 0)
        return c->fail;
    if (c->tls)
        return SESS_SUCCESS;
    if (c->local)
        return SESS_STARTTLS_NOT_SUPPORTED;
    if (c->plain) {
        *plain = 1;
        return SESS_STARTTLS_NOT_SUPPORTED;
    }
    return -1;
}

/* sm_cert - what the summary line says of the server certificate */
static int
sm_cert(const struct sm_conn *c)
{
    if (!c->tls)
        return SESS_CERT_UNKNOWN;
    switch (c->verify) {
    case SM_V_TRUSTED:
        return SESS_CERT_VERIFIED;      /* DANE: chain and name */
    case SM_V_OK:
        return SESS_CERT_TRUSTED;       /* chain only: no name check */
    case SM_V_NO:
    case SM_V_NOT:
        return SESS_CERT_ANON;
    default:
        return SESS_CERT_UNTRUSTED;
    }
}

/* sm_emit - hand a connection over as a session, with disposition;
 * dom NULL: unattributed; relay: the delivery used mailer=relay */
static void
sm_emit(struct sm_sess *s, struct sm_proc *p, struct sm_conn *c,
        const struct span *dom, int relay)
{
    struct sess_rec rec;
    enum sess_disp d = SESS_D_COUNTED;
    int     plain;
    int     result = sm_outcome(c, &plain);
    int     valid;

    c->attributed = 1;
    if (result < 0)
        return;
    memset(&rec, 0, sizeof(rec));
    rec.time = c->t0;
    rec.day = (int32_t) (c->t0 >= 0 ? c->t0 / 86400 : (c->t0 - 86399) / 86400);
    rec.result = (uint8_t) result;
    rec.policy = SESS_POL_NONE;
    rec.flags = plain ? SESS_F_PLAINTEXT : 0;
    rec.cert = (uint8_t) sm_cert(c);
    rec.cert_problem = (uint8_t) (c->cond > 0 ? c->cond
                                  : c->verify == SM_V_DANE_FAIL
                                  ? SESS_TLSA_INVALID : SESS_SUCCESS);
    memcpy(rec.mx, c->mx, sizeof(rec.mx));
    memcpy(rec.ip, c->ip, sizeof(rec.ip));
    memcpy(rec.loghost, p->loghost, sizeof(rec.loghost));
    if (result != SESS_SUCCESS)
        sess_set_reason(&rec, c->reason, strlen(c->reason));
    valid = dom != NULL && dname_norm(dom->ptr, dom->len, rec.domain) == 0
        && !dname_is_numeric(rec.domain);
    if (dom == NULL)
        d = SESS_D_UNATTRIBUTED;
    else if (c->loopback || relay || (s->conf.is_relay
             && s->conf.is_relay(rec.mx, rec.ip, s->conf.is_relay_ctx)))
        d = SESS_D_RELAYHOST;
    else if (!valid)
        d = SESS_D_BAD_DOMAIN;
    else if (!c->dated)
        d = SESS_D_UNDATED;
    else if (c->local)
        d = SESS_D_LOCAL_NOTLS;
    else if (p->own)
        d = SESS_D_OWN_REPORT;
    if (!valid || d == SESS_D_UNATTRIBUTED)
        rec.domain[0] = 0;
    s->cb.session(s->cb.ctx, &rec, d);
}

/* sm_retire - cur is over: wait for the delivery line, or drop it */
static void
sm_retire(struct sm_sess *s, struct sm_proc *p)
{
    struct sm_conn *c = &p->cur;
    int     plain;

    if (!c->active)
        return;
    if (!c->attributed && sm_outcome(c, &plain) >= 0) {
        if (p->pend == NULL)
            p->pend = xmalloc(sizeof(*p->pend) * SM_MAX_PEND);
        if (p->npend == SM_MAX_PEND) {
            sm_emit(s, p, &p->pend[0], NULL, 0);
            memmove(p->pend, p->pend + 1,
                    sizeof(p->pend[0]) * (SM_MAX_PEND - 1));
            p->npend--;
        }
        p->pend[p->npend++] = *c;
    }
    c->active = 0;
}

/* sm_open - a new connection of p with relay pe (may be unknown) */
static struct sm_conn *
sm_open(struct sm_sess *s, struct sm_proc *p, const struct wrap_rec *r,
        const struct sm_peer *pe)
{
    struct sm_conn *c = &p->cur;

    sm_retire(s, p);
    memset(c, 0, sizeof(*c));
    c->active = 1;
    c->dated = r->dated;
    c->t0 = r->t;
    c->cond = c->fail = -1;
    if (pe)
        sm_conn_fill(c, pe);
    return c;
}

/* sm_refine - a rejection's type, sharpened by the verifymsg= problem */
static int
sm_refine(const struct sm_conn *c, int res)
{
    if (res == SESS_CERT_NOT_TRUSTED && c->cond > 0
        && c->cond != SESS_CERT_HOST_MISMATCH)
        return c->cond;         /* e.g. "certificate has expired" */
    return res;
}

/* sm_delivery - "QID: to=...": attribute and emit sessions */
static void
sm_delivery(struct sm_sess *s, struct sm_proc *p, const struct wrap_rec *r,
            const struct sm_event *ev, struct trace *tr)
{
    struct span dom = ev->domain;
    int     relay = span_eq(ev->mailer, "relay");
    struct sm_conn *c = &p->cur;
    struct sm_peer pe;
    int     named, fresh = 0, i;

    tr->kind = TRACE_CONTEXT;
    sm_peer_set(&pe, ev->relay, ev->ip);
    named = pe.mx[0] || pe.ip[0];
    p->own = sess_own_has(s->own, r->host, ev->qid);
    /* the connections this delivery tried before its last one */
    for (i = 0; i < p->npend; i++)
        sm_emit(s, p, &p->pend[i], &dom, relay);
    p->npend = 0;
    if (c->active && c->attributed && named && (c->mx[0] || c->ip[0])
        && sm_conn_same(c, &pe)) {
        /* one more message or recipient down a cached connection */
        if (ev->result >= 0) {
            tr->kind = TRACE_FAILURE;
            tr->result = c->fail >= 0 ? c->fail : ev->result;
        }
        return;
    }
    if (!(c->active && !c->attributed && sm_conn_same(c, &pe))) {
        if (c->active && !c->attributed)
            sm_emit(s, p, c, &dom, relay);
        c->active = 0;
        if (!named) {
            p->own = 0;
            return;             /* no connection: DNS failure, ... */
        }
        c = sm_open(s, p, r, &pe);
        fresh = 1;
    }
    sm_conn_fill(c, &pe);
    if (ev->local) {
        c->local = 1;
        sm_set_reason(c, ev->why);
    } else if (ev->result >= 0) {
        if (c->fail < 0) {
            c->fail = sm_refine(c, ev->result);
            sm_set_reason(c, ev->why);
        }
        tr->kind = TRACE_FAILURE;
        tr->result = c->fail;
    } else if (fresh && ev->past_ehlo) {
        c->plain = 1;
        if (!c->loopback)
            tr->kind = TRACE_PLAINTEXT;
    }
    sm_emit(s, p, c, &dom, relay);
    p->own = 0;
}

/* sm_from_line - "QID: from=<addr>, size=...": note our own mail */
static void
sm_from_line(struct sm_sess *s, const struct wrap_rec *r, struct trace *tr)
{
    struct span m = r->msg;
    struct span qid, addr;

    if (span_upto(&m, ": from=", &qid, 32) != 0 || qid.len == 0
        || span_upto(&m, ", size=", &addr, 320) != 0
        || !sess_own_sender(s->own, addr))
        return;
    sess_own_note(s->own, r->host, qid, r->dated ? r->t : 0);
    tr->kind = TRACE_CONTEXT;
}

/* sm_ruleset - "ruleset=tls_server|tls_rcpt, ..., reject=TEXT" */
static void
sm_ruleset(struct sm_sess *s, struct sm_proc *p, const struct wrap_rec *r,
           const struct sm_event *ev, struct trace *tr)
{
    struct sm_conn *c = &p->cur;
    struct sm_peer pe;

    sm_peer_set(&pe, ev->relay, ev->ip);
    if (ev->rcpt_rule) {
        /* per recipient, on the connection in use (maybe cached) */
        if (!(c->active && sm_conn_same(c, &pe)))
            c = sm_open(s, p, r, &pe);
    } else if (!(c->active && !c->attributed && !c->reject
                 && (c->tls || c->hs_err || c->local || c->fail >= 0)
                 && sm_conn_same(c, &pe))) {
        c = sm_open(s, p, r, &pe);      /* nothing logged before it */
    }
    sm_conn_fill(c, &pe);
    if (!ev->rcpt_rule) {
        c->reject = 1;
        c->reject_v = ev->verify;
    }
    if (ev->local) {
        c->local = 1;
        sm_set_reason(c, ev->why);
        tr->kind = TRACE_DETAIL;
        return;
    }
    tr->kind = TRACE_FAILURE;
    tr->result = ev->result;
    if (c->attributed)
        return;                 /* a cached connection, already counted */
    if (c->fail < 0) {
        c->fail = sm_refine(c, ev->result);
        sm_set_reason(c, ev->why);
    }
    tr->result = c->fail;
}

/* sm_generic - 1 when the reason of c says no more than its type */
static int
sm_generic(const struct sm_conn *c)
{
    return c->reason[0] == 0 || strcmp(c->reason, SM_HS_REASON) == 0;
}

/* sm_hs_fail - "STARTTLS=client, error: connect failed=..." */
static void
sm_hs_fail(struct sm_sess *s, struct sm_proc *p, const struct wrap_rec *r,
           const struct sm_event *ev, struct trace *tr)
{
    struct sm_conn *c = &p->cur;

    /* the tls_server line is logged after this one; take either order */
    if (!(c->active && !c->attributed && c->reject && !c->hs_err && !c->tls
          && c->reject_v == SM_V_SOFTWARE))
        c = sm_open(s, p, r, NULL);
    c->hs_err = 1;
    if (c->fail < 0)
        c->fail = SESS_VALIDATION_FAILURE;
    if (ev->text.len > 0 && !span_eq(ev->text, "unknown") && sm_generic(c))
        sess_slug(ev->text, c->reason, sizeof(c->reason));
    sm_set_reason(c, SM_HS_REASON);
    tr->kind = TRACE_FAILURE;
    tr->result = c->fail;
}

#define SM_KEY_MAX (SESS_MAX_LOGHOST + 160)

/* sm_proc_key - correlation key of a line: host, program, pid */
static size_t
sm_proc_key(const struct wrap_rec *r, char *key)
{
    size_t  n = 0;
    size_t  hl = r->host.len > SESS_MAX_LOGHOST ? SESS_MAX_LOGHOST : r->host.len;
    size_t  il = r->ident.len > 128 ? 128 : r->ident.len;
    size_t  pl = r->pid.len > 24 ? 24 : r->pid.len;

    /* spans of absent fields may have a NULL pointer: copy only bytes */
    if (hl)
        memcpy(key + n, r->host.ptr, hl);
    n += hl;
    key[n++] = 0;
    if (il)
        memcpy(key + n, r->ident.ptr, il);
    n += il;
    key[n++] = 0;
    if (pl)
        memcpy(key + n, r->pid.ptr, pl);
    n += pl;
    return n;
}

/* sm_proc_get - state of one process, created on first use */
static struct sm_proc *
sm_proc_get(struct sm_sess *s, const struct wrap_rec *r)
{
    char    key[SM_KEY_MAX];
    size_t  n = sm_proc_key(r, key);
    struct sm_proc *p;
    size_t  hl = r->host.len > SESS_MAX_LOGHOST ? SESS_MAX_LOGHOST : r->host.len;

    if ((p = htab_find(s->procs, key, n)) != NULL)
        return p;
    p = xcalloc(1, sizeof(*p));
    if (hl)
        memcpy(p->loghost, r->host.ptr, hl);
    p->loghost[hl] = 0;
    return htab_enter(s->procs, key, n, p);
}

/* sm_proc_flush - everything of p that waits becomes unattributed */
static void
sm_proc_flush(struct sm_sess *s, struct sm_proc *p)
{
    int     i;

    sm_retire(s, p);
    for (i = 0; i < p->npend; i++)
        sm_emit(s, p, &p->pend[i], NULL, 0);
    p->npend = 0;
    p->pend = xfree(p->pend);
}

/* sm_sweep_idle - htab_sweep predicate: a process idle for SM_IDLE_SECS
 * of log time is flushed and forgotten, so that state stays bounded by
 * the active processes */
static int
sm_sweep_idle(const void *key, size_t klen, void *value, void *ctx)
{
    struct sm_sess *s = ctx;
    struct sm_proc *p = value;

    (void) key;
    (void) klen;
    if (p->last_t + SM_IDLE_SECS >= s->max_t)
        return 0;
    sm_proc_flush(s, p);
    return 1;
}

/* sm_sess_feed - one line; 1 when it was a Sendmail line */
int
sm_sess_feed(struct sm_sess *s, const struct wrap_rec *r, struct trace *tr)
{
    struct wrap_rec fr;
    const struct wrap_rec *orig = r;   /* as it came: for sess_cb.hold */
    struct sm_event ev;
    struct sm_proc *p;
    struct sm_conn *c;
    int     mine = 1;

    memset(tr, 0, sizeof(*tr));
    tr->kind = TRACE_IRRELEVANT;
    if (r->ident.len > 0) {
        if (!sm_ident(r->ident))
            return 0;
    } else if (sm_forti(r->msg, &fr.msg, &fr.pid) == 0) {
        fr.dated = r->dated;
        fr.t = r->t;
        fr.host = r->host;
        fr.ident = SPAN_LIT("fortimail");
        r = &fr;
    } else {
        mine = 0;               /* message only: only Sendmail's shapes */
    }
    sm_classify(r->msg, &ev);
    switch (ev.kind) {
    case SM_IGNORE:
        if (s->own && mine)
            sm_from_line(s, r, tr);
        return mine;
    case SM_INBOUND:
        return 1;
    case SM_DETAIL:
    case SM_LOCAL_ERR:          /* set-up (S15): the session may succeed */
        tr->kind = TRACE_DETAIL;
        return 1;
    case SM_TLS_BAD:
        tr->kind = TRACE_BAD;
        tr->bad = "truncated STARTTLS line";
        return 1;
    case SM_DELIVERY_BAD:
        tr->kind = TRACE_BAD;
        tr->bad = "truncated delivery line";
        return 1;
    case SM_DELIVERY:
        if (!ev.smtp)
            return 1;           /* local, prog, ...: not SMTP */
        break;
    default:
        break;
    }
    if (s->cb.hold) {
        char    key[SM_KEY_MAX];
        size_t  n = sm_proc_key(r, key);

        if (s->cb.hold(s->cb.ctx, SESS_MTA_SENDMAIL, key, n, r->dated,
                       r->t, orig))
            return 1;
    }
    if (++s->feeds % 65536 == 0)
        htab_sweep(s->procs, sm_sweep_idle, s);            /* before p is looked up: p may go */
    p = sm_proc_get(s, r);
    if (r->dated) {
        if (p->last_t && r->t > p->last_t + SM_IDLE_SECS)
            sm_proc_flush(s, p);
        p->last_t = r->t;
        if (r->t > s->max_t)
            s->max_t = r->t;
    }
    c = &p->cur;
    switch (ev.kind) {
    case SM_TLS:{
            struct sm_peer pe;

            s->cb.tls_host(s->cb.ctx, p->loghost);
            sm_peer_set(&pe, ev.relay, ev.ip);
            c = sm_open(s, p, r, &pe);
            c->tls = 1;
            c->verify = ev.verify;
            if (ev.verify == SM_V_DANE_FAIL) {
                c->fail = SESS_TLSA_INVALID;
                sm_set_reason(c, "dane-check-failed");
            }
            tr->kind = c->loopback ? TRACE_DETAIL
                : ev.verify == SM_V_DANE_FAIL ? TRACE_FAILURE
                : ev.verify == SM_V_OK || ev.verify == SM_V_TRUSTED
                ? TRACE_SUCCESS : TRACE_SUCCESS_UNAUTH;
            tr->result = c->fail;
            break;
        }
    case SM_VERIFYMSG:{
            int     prob = sm_cert_problem(ev.text);

            s->cb.tls_host(s->cb.ctx, p->loghost);
            if (c->active && c->tls && !c->attributed && c->cond < 0
                && prob != SESS_SUCCESS) {
                c->cond = prob;
                if (c->reason[0] == 0)
                    sess_slug(ev.text, c->reason, sizeof(c->reason));
            }
            tr->kind = prob == SESS_SUCCESS ? TRACE_DETAIL : TRACE_COND;
            tr->result = prob;
            break;
        }
    case SM_HS_FAIL:
        sm_hs_fail(s, p, r, &ev, tr);
        break;
    case SM_SSL_ERR:
        tr->kind = TRACE_DETAIL;
        if (c->active && c->hs_err && !c->attributed && sm_generic(c)
            && ev.text.len > 0)
            sess_slug(ev.text, c->reason, sizeof(c->reason));
        break;
    case SM_CONN_LOCAL:
        c = sm_open(s, p, r, NULL);
        c->local = 1;
        sm_set_reason(c, "local-tls-error");
        tr->kind = TRACE_DETAIL;
        break;
    case SM_DANE_NOTLS:
    case SM_CLEAR_RETRY:{
            struct sm_peer pe;

            sm_peer_set(&pe, ev.relay, ev.ip);
            c = sm_open(s, p, r, &pe);
            if (ev.kind == SM_CLEAR_RETRY) {
                c->local = 1;   /* TLSFallbacktoClear: our choice */
                sm_set_reason(c, "tls-fallback-to-clear");
                tr->kind = TRACE_PLAINTEXT;
                break;
            }
            s->cb.tls_host(s->cb.ctx, p->loghost);
            c->fail = SESS_STARTTLS_NOT_SUPPORTED;
            sm_set_reason(c, "dane-tlsa-but-no-starttls");
            tr->kind = TRACE_FAILURE;
            tr->result = c->fail;
            break;
        }
    case SM_RULESET:
        sm_ruleset(s, p, r, &ev, tr);
        break;
    case SM_DELIVERY:
        sm_delivery(s, p, r, &ev, tr);
        break;
    default:
        break;
    }
    return 1;
}

/* sm_flush_one - htab_walk adapter for sm_sess_flush */
static void
sm_flush_one(const void *key, size_t klen, void *value, void *ctx)
{
    struct sm_sess *s = ctx;

    if (s->cb.keep && s->cb.keep(s->cb.ctx, SESS_MTA_SENDMAIL, key, klen))
        return;
    sm_proc_flush(s, value);
}

/* sm_sess_flush - end of input */
void
sm_sess_flush(struct sm_sess *s)
{
    htab_walk(s->procs, sm_flush_one, s);
}

/* sm_proc_free - htab destructor of a process's state */
static void
sm_proc_free(void *value)
{
    struct sm_proc *p = value;

    xfree(p->pend);
    xfree(p);
}

/* sm_sess_create - correlator with configuration and callbacks */
struct sm_sess *
sm_sess_create(const struct sess_conf *conf, const struct sess_cb *cb)
{
    struct sm_sess *s = xcalloc(1, sizeof(*s));

    s->conf = *conf;
    s->cb = *cb;
    s->procs = htab_create(256, sm_proc_free);
    s->own = sess_own_create(conf);
    return s;
}

/* sm_sess_free - destroy; NULL */
struct sm_sess *
sm_sess_free(struct sm_sess *s)
{
    if (s == NULL)
        return NULL;
    htab_free(s->procs);
    sess_own_free(s->own);
    xfree(s);
    return NULL;
}
