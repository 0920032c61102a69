/* parsers/sm.c - Sendmail message classifier (see sm.h)
 *
 * Shapes, with the Sendmail 8.17 source that writes them (8.12-8.16
 * write the same fields; differences noted):
 *   tls.c tls_get_info(), LogLevel > 8:
 *     "STARTTLS=%s, relay=%.100s, version=%.16s, verify=%.16s,
 *      cipher=%.64s, bits=%.6s/%.6s%s%s"   (8.17 adds ", pubkey_fp=FP")
 *   tls.c tls_get_info(), LogLevel > 11:
 *     "STARTTLS=%s, cert-subject=%.256s, cert-issuer=%.256s, verifymsg=%s"
 *   deliver.c starttls(), LogLevel > 5:
 *     "STARTTLS=client, error: connect failed=%d, reason=%s, SSL_error=%d,
 *      errno=%d, retry=%d"       (8.14: "connect failed=%d, SSL_error=%d")
 *     "STARTTLS=client, error: SSL_new failed" (and SSL_set_xfd, ...)
 *   tls.c tlslogerr(): "STARTTLS=%s: %s:%s:%d:%s" (8.14: "%s: %lu:%s...")
 *   tls.c inittls(): "STARTTLS=client, error: SSL_CTX_check_private_key
 *     failed(%s): %d" and other set-up errors: local, not a session
 *   deliver.c deliver(), DANE, LogLevel > 8: "STARTTLS=client,
 *     relay=%.100s, warning=DANE configured in DNS but no STARTTLS available"
 *   deliver.c deliver(), debug 11.1 only: "STARTTLS=client, relay=%.100s,
 *     tlsstate=%d, status=trying_again"
 *   parseaddr.c rscheck(), LogLevel > 5 (tls_server) or > 3 (tls_rcpt):
 *     "ruleset=%s, arg1=%s%s, reject=%s", the middle "%s" holding
 *     ", relay=HOST"; the reject text from cf/m4/proto.m4 TLS_connection
 *   deliver.c logdelivery(): "QID: to=%s, [ctladdr=%s, ]delay=%s,
 *     xdelay=%s, mailer=%s, pri=%ld, relay=%s [%s], dsn=%s, stat=%s"
 * Queue ids are 14+ characters ("s1H8ZKsI024804"); STARTTLS lines carry
 * none (NOQID), but one FreeBSD build logged them with one: both work.
 */
#include "sm.h"
#include "corr.h"
#include "../global/sess.h"
#include "../util/dname.h"
#include "../util/ipaddr.h"

#include <string.h>

#define SM_MAX_QID 24
#define SM_MAX_RELAY 300        /* tls.c prints at most 100 bytes */
#define SM_MAX_VALUE 1024
#define SM_MAX_WORD 64

/* sm_qid - a Sendmail queue id followed by ": " at the cursor */
static int
sm_qid(struct span *s, struct span *qid)
{
    size_t  i = 0;
    int     digit = 0;

    while (i < s->len && i <= SM_MAX_QID) {
        char    c = s->ptr[i];

        if (c >= '0' && c <= '9')
            digit = 1;
        else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            break;
        i++;
    }
    if (i < 8 || i > SM_MAX_QID || !digit || i + 1 >= s->len
        || s->ptr[i] != ':' || s->ptr[i + 1] != ' ')
        return -1;
    *qid = span_make(s->ptr, i);
    span_drop(s, i + 2);
    return 0;
}

/* sm_value - value of "key=" at the start of s or after ", ", up to the
 * next ", " (at most max bytes); 0 or -1 */
static int
sm_value(struct span s, const char *key, struct span *val, size_t max)
{
    size_t  klen = strlen(key);
    long    off = -1;
    long    end;

    if (span_starts(s, key)) {
        off = 0;
    } else {
        struct span t = s;

        while (t.len > 0) {
            long    c = span_find(t, ", ");

            if (c < 0)
                break;
            span_drop(&t, (size_t) c + 2);
            if (span_starts(t, key)) {
                off = (long) (t.ptr - s.ptr);
                break;
            }
        }
    }
    if (off < 0)
        return -1;
    span_drop(&s, (size_t) off + klen);
    end = span_find(s, ", ");
    if (end >= 0)
        s.len = (size_t) end;
    if (s.len > max)
        return -1;
    *val = s;
    return 0;
}

/* sm_relay - "host. [192.0.2.1]", "[192.0.2.1] [192.0.2.1]", "host" */
static void
sm_relay(struct span v, struct span *host, struct span *ip)
{
    const char *sp = v.len ? memchr(v.ptr, ' ', v.len) : NULL;
    size_t  n = sp ? (size_t) (sp - v.ptr) : v.len;

    *host = span_make(v.ptr, n);
    span_drop(&v, n);
    (void) span_skip(&v, " ");
    if (span_skip(&v, "[") == 0) {
        long    rb = span_find(v, "]");

        if (rb > 0 && rb < 64)
            *ip = span_make(v.ptr, (size_t) rb);
    }
}

/* sm_verify_code - enum sm_verify of a ${verify} word */
static int
sm_verify_code(struct span w)
{
    static const struct {
        const char *word;
        int     code;
    } map[] = {
        {"OK", SM_V_OK}, {"TRUSTED", SM_V_TRUSTED}, {"FAIL", SM_V_FAIL},
        {"NO", SM_V_NO}, {"NOT", SM_V_NOT}, {"DANE_FAIL", SM_V_DANE_FAIL},
        {"NONE", SM_V_NONE}, {"CLEAR", SM_V_CLEAR}, {"TEMP", SM_V_TEMP},
        {"PROTOCOL", SM_V_PROTOCOL}, {"SOFTWARE", SM_V_SOFTWARE},
        {"CONFIG", SM_V_CONFIG}, {"FAILURE", SM_V_FAILURE},
    };
    size_t  i;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (span_eq(w, map[i].word))
            return map[i].code;
    return SM_V_UNKNOWN;
}

/* sm_verify_fail - failure type when tls_server rejected ${verify} = v
 * (docs/parsers/sendmail.md, "verify= values"); -1 when v says nothing */
static int
sm_verify_fail(int v, int *local, const char **why)
{
    switch (v) {
    case SM_V_SOFTWARE:
        *why = SM_HS_REASON;
        return SESS_VALIDATION_FAILURE;
    case SM_V_FAILURE:
        *why = "starttls-failure";
        return SESS_VALIDATION_FAILURE;
    case SM_V_PROTOCOL:
        *why = "starttls-failed";
        return SESS_STARTTLS_NOT_SUPPORTED;
    case SM_V_NONE:
        *why = "";
        return SESS_STARTTLS_NOT_SUPPORTED;
    case SM_V_TEMP:
        *why = "starttls-temporary-failure";
        return SESS_STARTTLS_NOT_SUPPORTED;
    case SM_V_DANE_FAIL:
        *why = "dane-check-failed";
        return SESS_TLSA_INVALID;
    case SM_V_FAIL:
        *why = "authentication-failed";
        return SESS_CERT_NOT_TRUSTED;
    case SM_V_NO:
        *why = "not-authenticated";
        return SESS_CERT_NOT_TRUSTED;
    case SM_V_NOT:
        *why = "no-authentication-requested";
        return SESS_CERT_NOT_TRUSTED;
    case SM_V_CLEAR:
        *local = 1;
        *why = "starttls-disabled-locally";
        return -1;
    case SM_V_CONFIG:
        *local = 1;
        *why = "starttls-not-possible-locally";
        return -1;
    default:
        return -1;
    }
}

/* sm_reject - failure type of a TLS_connection reply ("403 4.7.0 TLS
 * handshake failed."), as a reject= text or inside a stat= text; strict:
 * only a reply with enhanced code X.7.0 (stat= also holds replies of the
 * remote server); -1 when the text is not one of Sendmail's own */
static int
sm_reject(struct span t, int strict, int *local, const char **why)
{
    static const struct {
        const char *text;       /* cf/m4/proto.m4, deliver.c */
        int     start;          /* 1: begins the reply text */
        int     result;         /* -1: local (with local = 1) */
        const char *why;
        const char *also;       /* must occur too, or NULL */
    } map[] = {
        {"TLS handshake failed", 1, SESS_VALIDATION_FAILURE, SM_HS_REASON, NULL},
        {"DANE check failed", 1, SESS_TLSA_INVALID, "dane-check-failed", NULL},
        {"STARTTLS failed", 1, SESS_STARTTLS_NOT_SUPPORTED, "starttls-failed", NULL},
        {"STARTTLS temporarily not possible", 1, -1, "starttls-not-possible-locally", NULL},
        {"STARTTLS disabled locally", 1, -1, "starttls-disabled-locally", NULL},
        {"other side does not support STARTTLS", 1, SESS_STARTTLS_NOT_SUPPORTED, "", NULL},
        {"authentication required", 1, SESS_CERT_NOT_TRUSTED, "authentication-required", NULL},
        {"authentication failed", 1, SESS_CERT_NOT_TRUSTED, "authentication-failed", NULL},
        {"not authenticated", 1, SESS_CERT_NOT_TRUSTED, "not-authenticated", NULL},
        {"no authentication requested", 1, SESS_CERT_NOT_TRUSTED, "no-authentication-requested", NULL},
        {"server not authenticated", 1, SESS_VALIDATION_FAILURE, "server-not-authenticated", NULL},
        {"encryption too weak", 1, SESS_VALIDATION_FAILURE, "encryption-too-weak", NULL},
        {"CN ", 1, SESS_CERT_HOST_MISMATCH, "cn-mismatch", " does not match "},
        {"Cert Subject ", 1, SESS_CERT_HOST_MISMATCH, "cert-subject-mismatch", NULL},
        {"Cert Issuer ", 1, SESS_CERT_NOT_TRUSTED, "cert-issuer-not-acceptable", NULL},
        {"STS lookup temp fail", 1, SESS_STS_POLICY_FETCH_ERROR, "sts-lookup-temp-fail", NULL},
        {" not listed in SANs", 0, SESS_CERT_HOST_MISMATCH, "mx-not-listed-in-sans", NULL},
        {" not found in ", 0, SESS_VALIDATION_FAILURE, "mx-not-in-sts-policy", NULL},
    };
    static const char *const codes[] = {
        "403 4.7.0 ", "503 5.7.0 ", "454 4.7.0 ", "554 5.7.0 ", "450 4.7.0 ",
    };
    size_t  i;
    int     coded = 0;

    (void) span_skip(&t, "Deferred: ");
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (span_skip(&t, codes[i]) == 0) {
            coded = 1;
            break;
        }
    if (strict && !coded)
        return -1;              /* e.g. "535 5.7.0 authentication failed" */
    if (span_skip(&t, "authentication failure ") == 0) {
        struct span w = t;      /* "... failure " $&{verify} */

        if (span_word(&t, &w, SM_MAX_WORD) == 0)
            return sm_verify_fail(sm_verify_code(w), local, why);
        return -1;
    }
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (map[i].start ? !span_starts(t, map[i].text)
            : span_find(t, map[i].text) < 0)
            continue;
        if (map[i].also && span_find(t, map[i].also) < 0)
            continue;
        *why = map[i].why;
        if (map[i].result < 0)
            *local = 1;
        return map[i].result;
    }
    return -1;
}

/* sm_cert_problem - type of an OpenSSL verify text */
int
sm_cert_problem(struct span t)
{
    if (span_eq(t, "ok"))
        return SESS_SUCCESS;
    if (span_find(t, "has expired") >= 0)
        return SESS_CERT_EXPIRED;
    if (span_find(t, "ostname mismatch") >= 0)
        return SESS_CERT_HOST_MISMATCH;
    if (span_find(t, "TLSA") >= 0 || span_find(t, "DANE") >= 0)
        return SESS_TLSA_INVALID;
    if (span_find(t, "self signed") >= 0 || span_find(t, "self-signed") >= 0
        || span_find(t, "local issuer") >= 0
        || span_find(t, "unable to get issuer") >= 0
        || span_find(t, "unable to verify the first") >= 0
        || span_find(t, "invalid CA") >= 0
        || span_find(t, "not trusted") >= 0
        || span_find(t, "certificate rejected") >= 0)
        return SESS_CERT_NOT_TRUSTED;
    return SESS_VALIDATION_FAILURE;
}

/* sm_openssl_reason - REASON of "error:CODE:LIB:FUNC:REASON:file:line"
 * (8.14 puts "PID:" before "error:"); empty when the shape differs */
static struct span
sm_openssl_reason(struct span t)
{
    long    off = span_find(t, "error:");
    int     field = 0;
    size_t  i;
    size_t  start = 0;

    if (off < 0)
        return span_make(t.ptr, 0);
    span_drop(&t, (size_t) off);
    for (i = 0; i < t.len; i++) {
        if (t.ptr[i] != ':')
            continue;
        if (++field == 4)
            start = i + 1;
        if (field == 5)
            return span_make(t.ptr + start, i - start);
    }
    return span_make(t.ptr, 0);
}

/* sm_client - the rest of a "STARTTLS=client..." message */
static void
sm_client(struct span s, struct sm_event *ev)
{
    struct span v;

    ev->kind = SM_DETAIL;
    if (span_skip(&s, ": ") == 0) {             /* tlslogerr() */
        ev->kind = SM_SSL_ERR;
        ev->text = sm_openssl_reason(s);
        return;
    }
    if (span_skip(&s, ", ") != 0)
        return;
    if (span_starts(s, "relay=")) {
        if (sm_value(s, "relay=", &ev->relay, SM_MAX_RELAY) != 0)
            ev->relay = span_make(s.ptr, 0);
        if (sm_value(s, "version=", &v, SM_MAX_WORD) == 0) {
            if (sm_value(s, "verify=", &v, SM_MAX_WORD) != 0
                || ev->relay.len == 0) {
                ev->kind = SM_TLS_BAD;
                return;
            }
            ev->kind = SM_TLS;
            ev->verify = sm_verify_code(v);
            return;
        }
        if (span_find(s, ", warning=DANE configured in DNS but no STARTTLS") >= 0)
            ev->kind = SM_DANE_NOTLS;
        else if (span_find(s, ", status=trying_again") >= 0)
            ev->kind = SM_CLEAR_RETRY;
        return;                 /* AltName=, field=...: detail */
    }
    if (span_starts(s, "cert-subject=")) {
        long    off = span_find(s, ", verifymsg=");

        if (off >= 0) {
            ev->kind = SM_VERIFYMSG;
            ev->text = s;
            span_drop(&ev->text, (size_t) off + 12);
        }
        return;
    }
    if (span_skip(&s, "error: ") == 0) {
        if (span_starts(s, "connect failed=")) {
            ev->kind = SM_HS_FAIL;
            if (sm_value(s, "reason=", &v, SM_MAX_VALUE) == 0)
                ev->text = v;
        } else if (span_starts(s, "SSL_new failed")
                   || span_starts(s, "SSL_set_ex_data failed")
                   || span_starts(s, "SSL_set_xfd failed")) {
            ev->kind = SM_CONN_LOCAL;
        } else {
            ev->kind = SM_LOCAL_ERR;
        }
        if (ev->kind != SM_HS_FAIL)
            ev->text = s;
        return;
    }
    if (span_starts(s, "get_tls_se_features=failed")
        || span_find(s, "TLS_set_engine=failed") >= 0)
        ev->kind = SM_CONN_LOCAL;
}

/* sm_ruleset - "ruleset=NAME, arg1=V, relay=H, reject=TEXT" */
static void
sm_ruleset(struct span s, struct sm_event *ev)
{
    struct span name;
    struct span v;
    long    off;

    span_drop(&s, 8);
    if (span_upto(&s, ", ", &name, SM_MAX_WORD) != 0)
        return;
    if (span_eq(name, "tls_client")) {
        ev->kind = SM_INBOUND;
        return;
    }
    if (!span_eq(name, "tls_server") && !span_eq(name, "tls_rcpt"))
        return;                 /* check_relay, check_rcpt, ...: not TLS */
    ev->kind = SM_DETAIL;
    ev->rcpt_rule = span_eq(name, "tls_rcpt");
    if (sm_value(s, "arg1=", &v, SM_MAX_VALUE) == 0 && !ev->rcpt_rule)
        ev->verify = sm_verify_code(v);
    if (sm_value(s, "relay=", &v, SM_MAX_RELAY) == 0)
        sm_relay(v, &ev->relay, &ev->ip);
    if ((off = span_find(s, ", reject=")) < 0)
        return;                 /* quarantine=, discard */
    ev->text = s;
    span_drop(&ev->text, (size_t) off + 9);
    ev->kind = SM_RULESET;
    /* no TLS (NONE, TEMP, ...): ${verify} says why; after a handshake
     * (OK, FAIL, ...) the text names the requirement not met */
    if (!ev->rcpt_rule && ev->verify >= SM_V_DANE_FAIL)
        ev->result = sm_verify_fail(ev->verify, &ev->local, &ev->why);
    else
        ev->result = sm_reject(ev->text, 0, &ev->local, &ev->why);
    if (ev->result < 0 && !ev->local && !ev->rcpt_rule)
        ev->result = sm_verify_fail(ev->verify, &ev->local, &ev->why);
    if (ev->result < 0 && !ev->local) {
        ev->result = SESS_VALIDATION_FAILURE;
        ev->why = "tls-policy-reject";
    }
}

/* sm_first_rcpt - the first address of a to= list: "<a@x>,<b@y>",
 * "Name <a@x>", "a@x" (quotes and angle brackets may hold commas) */
static struct span
sm_first_rcpt(struct span to)
{
    size_t  i;
    int     q = 0;
    int     a = 0;
    long    lt;
    long    gt;

    for (i = 0; i < to.len; i++) {
        char    c = to.ptr[i];

        if (c == '"')
            q = !q;
        else if (!q && c == '<')
            a = 1;
        else if (!q && c == '>')
            a = 0;
        else if (!q && !a && c == ',')
            break;
    }
    to.len = i;
    if ((lt = span_find(to, "<")) >= 0) {
        span_drop(&to, (size_t) lt + 1);
        if ((gt = span_find(to, ">")) >= 0)
            to.len = (size_t) gt;
    }
    return to;
}

/* sm_smtp - 1 when a delivery went over an SMTP connection */
static int
sm_smtp(const struct sm_event *ev)
{
    static const char *const local[] = {
        "local", "prog", "*file*", "*include*", "*error*", "procmail",
        "cyrus", "cyrusv2", "lmtp", "dovecot", "mail11", "usenet", "fax",
        "pop", "phquery", "mailman", "uucp", "uucp-old", "uucp-new",
        "uucp-dom", "uucp-uudom",
    };
    size_t  i;

    if (ev->mailer.len == 0 && ev->relay.len == 0 && ev->ip.len == 0)
        return 0;
    for (i = 0; i < sizeof(local) / sizeof(local[0]); i++)
        if (span_eq(ev->mailer, local[i]))
            return 0;
    return !span_eq(ev->relay, "local");
}

/* sm_delivery - "to=LIST, ..., mailer=M, ..., relay=R, dsn=D, stat=S" */
static void
sm_delivery(struct span s, struct sm_event *ev)
{
    struct span to;
    struct span rest;
    struct span v;
    long    a, b, end;

    ev->kind = SM_DELIVERY_BAD;
    span_drop(&s, 3);
    a = span_find(s, ", ctladdr=");
    b = span_find(s, ", delay=");
    end = a >= 0 && (b < 0 || a < b) ? a : b;
    if (end < 0 && (end = span_find(s, ", ")) < 0)
        return;
    to = span_make(s.ptr, (size_t) end);
    rest = s;
    span_drop(&rest, (size_t) end + 2);
    ev->rcpt = sm_first_rcpt(to);
    (void) sm_value(rest, "mailer=", &ev->mailer, SM_MAX_WORD);
    if (sm_value(rest, "relay=", &v, SM_MAX_RELAY) == 0)
        sm_relay(v, &ev->relay, &ev->ip);
    (void) sm_value(rest, "dsn=", &ev->dsn, SM_MAX_WORD);
    if (span_starts(rest, "stat="))
        end = 0;
    else if ((end = span_find(rest, ", stat=")) >= 0)
        end += 2;
    else
        return;
    ev->stat = rest;
    span_drop(&ev->stat, (size_t) end + 5);
    ev->kind = SM_DELIVERY;
    ev->result = sm_reject(ev->stat, 1, &ev->local, &ev->why);
    ev->smtp = sm_smtp(ev);
    /* a reply to RCPT or later: the session got past EHLO and STARTTLS */
    ev->past_ehlo = span_starts(ev->stat, "Sent")
        || span_starts(ev->dsn, "2.")
        || span_starts(ev->dsn, "4.1.") || span_starts(ev->dsn, "5.1.")
        || span_starts(ev->dsn, "4.2.") || span_starts(ev->dsn, "5.2.");
    ev->domain = ev->rcpt;      /* after the last '@', if any */
    while ((a = span_find(ev->domain, "@")) >= 0)
        span_drop(&ev->domain, (size_t) a + 1);
    if (ev->domain.len == ev->rcpt.len)
        ev->domain.len = 0;
}

/* sm_classify - one Sendmail message into an event */
void
sm_classify(struct span msg, struct sm_event *ev)
{
    struct span s = span_trim(msg);
    struct span t = s;
    int     had_qid;

    memset(ev, 0, sizeof(*ev));
    ev->result = -1;
    ev->kind = SM_IGNORE;
    had_qid = sm_qid(&t, &ev->qid) == 0;
    if (had_qid)
        s = t;
    if (span_skip(&s, "STARTTLS=client") == 0) {
        sm_client(s, ev);
    } else if (span_starts(s, "STARTTLS=server")) {
        ev->kind = SM_INBOUND;
    } else if (span_skip(&s, "STARTTLS: ") == 0) {
        /* info callback, cert verify:, read/write error: no verdict */
        ev->kind = span_starts(s, "SSL_accept") ? SM_INBOUND : SM_DETAIL;
    } else if (span_starts(s, "ruleset=")) {
        sm_ruleset(s, ev);
    } else if (span_starts(s, "to=")) {
        sm_delivery(s, ev);
        if (ev->kind == SM_DELIVERY_BAD && !had_qid)
            ev->kind = SM_IGNORE;       /* not clearly a delivery line */
    }
}

/* sm_ident - program names of Sendmail (Debian, FreeBSD, RHEL, MSP) */
int
sm_ident(struct span ident)
{
    return span_eq(ident, "sm-mta") || span_eq(ident, "sendmail")
        || span_eq(ident, "sm-msp-queue") || span_eq(ident, "sendmail-mta")
        || span_eq(ident, "sendmail-msp");
}

/* sm_forti - the Sendmail message inside a FortiMail event record */
int
sm_forti(struct span line, struct span *msg, struct span *sid)
{
    struct span m = span_trim(line);
    struct span v;
    long    off;

    if (span_find(m, " subtype=smtp ") < 0
        || (off = span_find(m, " msg=\"")) < 0)
        return -1;
    *msg = m;
    span_drop(msg, (size_t) off + 6);
    if (msg->len == 0 || msg->ptr[msg->len - 1] != '"')
        return -1;
    msg->len--;
    *sid = span_make(m.ptr, 0);
    if ((off = span_find(m, " session_id=\"")) >= 0) {
        v = m;
        span_drop(&v, (size_t) off + 13);
        if (span_upto(&v, "\"", sid, 64) != 0)
            *sid = span_make(m.ptr, 0);
    }
    return 0;
}

/* sm_peer_set - canonical relay from "host.", "[192.0.2.1]" and an IP */
void
sm_peer_set(struct sm_peer *pe, struct span relay, struct span ip)
{
    pe->mx[0] = pe->ip[0] = 0;
    if (relay.len >= 2 && relay.ptr[0] == '['
        && relay.ptr[relay.len - 1] == ']') {
        if (ipaddr_norm(relay.ptr + 1, relay.len - 2, pe->ip) != 0)
            pe->ip[0] = 0;
    } else if (relay.len > 0
               && (dname_norm(relay.ptr, relay.len, pe->mx) != 0
                   || dname_is_numeric(pe->mx))) {
        pe->mx[0] = 0;
    }
    if (ip.len > 0) {
        char    buf[IPADDR_MAX + 1];

        if (ipaddr_norm(ip.ptr, ip.len, buf) == 0)
            memcpy(pe->ip, buf, sizeof(buf));
    }
    pe->loopback = corr_local_hop(pe->mx, pe->ip);
}
