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

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define SM_MAX_QID 24
#define SM_MAX_RELAY 300        /* tls.c prints at most 100 bytes */
#define SM_MAX_VALUE 1024
#define SM_MAX_WORD 64

/* A literal with its length, for the tables below: span_eq() and
 * span_starts() with a table's (not a constant) text would take a
 * strlen() and a memcmp() call per entry and line */
struct sm_lit {
    const char *text;
    size_t  len;
};

#define SM_LIT(s) { (s), sizeof(s) - 1 }

/* sm_lit_eq - 1 when w is the literal */
static inline int
sm_lit_eq(struct span w, const struct sm_lit *l)
{
    return w.len == l->len && memcmp(w.ptr, l->text, l->len) == 0;
}

/* sm_lit_starts - 1 when t begins with the literal (not empty); its
 * first byte before a call of memcmp() */
static inline int
sm_lit_starts(struct span t, const struct sm_lit *l)
{
    return t.len >= l->len && t.ptr[0] == l->text[0]
        && memcmp(t.ptr, l->text, l->len) == 0;
}

/* sm_lit_find - offset of the literal (not empty) in t, or -1: span_find
 * with a known length */
static long
sm_lit_find(struct span t, const struct sm_lit *l)
{
    const char *p = t.ptr;
    const char *last;

    if (t.len < l->len)
        return -1;
    last = t.ptr + (t.len - l->len);
    while ((p = memchr(p, l->text[0], (size_t) (last - p) + 1)) != NULL) {
        if (memcmp(p + 1, l->text + 1, l->len - 1) == 0)
            return (long) (p - t.ptr);
        if (p++ == last)
            break;
    }
    return -1;
}

/* sm_scan - offset of the first byte a, b, c or d in p[i..n), or n
 * (i <= n); avail (>= n) bytes at p may be read: the span scanned is
 * part of a message, whose bytes after it a block of 16 may take in
 * and mask off. Sixteen bytes a compare where SSE2 is (a last block
 * that would pass avail taken from its end, the bytes before i off),
 * else one at a time. A delivery line has ten fields and a to= list: a
 * call of memchr() per field and a loop per byte of the list were a
 * third of the classifier's instructions on Sendmail's log */
static inline size_t
sm_scan(const char *p, size_t i, size_t n, size_t avail,
        char a, char b, char c, char d)
{
#ifdef __SSE2__
    if (avail >= 16 && i < n) {
        const __m128i va = _mm_set1_epi8(a);
        const __m128i vb = _mm_set1_epi8(b);
        const __m128i vc = _mm_set1_epi8(c);
        const __m128i vd = _mm_set1_epi8(d);
        __m128i v;
        unsigned bits;
        size_t  at;

#define SM_SCAN_BITS(at) \
        (v = _mm_loadu_si128((const __m128i *) (const void *) (p + (at))), \
         (unsigned) _mm_movemask_epi8(_mm_or_si128( \
             _mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)), \
             _mm_or_si128(_mm_cmpeq_epi8(v, vc), _mm_cmpeq_epi8(v, vd)))))
        for (; i + 16 <= n; i += 16)
            if ((bits = SM_SCAN_BITS(i)) != 0)
                return i + (size_t) __builtin_ctz(bits);
        if (i >= n)
            return n;
        /* the n - i < 16 bytes left, in a block within avail */
        at = i + 16 <= avail ? i : avail - 16;
        bits = (SM_SCAN_BITS(at) >> (i - at)) & ((1u << (n - i)) - 1);
#undef SM_SCAN_BITS
        return bits != 0 ? i + (size_t) __builtin_ctz(bits) : n;
    }
#else
    (void) avail;
#endif
    for (; i < n; i++)
        if (p[i] == a || p[i] == b || p[i] == c || p[i] == d)
            break;
    return i;
}

/* sm_field_end - offset of the ", " that ends the field starting at off
 * (the fields of a message are separated by ", "), or s.len. Taking the
 * fields one after the other from the start meets the same ", " as
 * span_find(", ") from each place on: sm_value()'s fields */
static inline size_t
sm_field_end(struct span s, size_t off)
{
    size_t  n = s.len > 0 ? s.len - 1 : 0;     /* where a ',' may begin
                                                 * ", " */

    while ((off = sm_scan(s.ptr, off, n, s.len, ',', ',', ',', ',')) < n) {
        if (s.ptr[off + 1] == ' ')
            return off;
        off++;
    }
    return s.len;
}

/* sm_open_at - 1 when the first n bytes of s end inside a quoted
 * string or an angle-bracketed address ("a\"b" a quoted pair): a
 * ", key=" there is a sender's text, not a field of Sendmail's. An
 * address is logged as it was given (deliver.c logdelivery(): to=,
 * parseaddr.c rscheck(): arg1=), and a quoted local part may hold
 * ", delay=..., relay=..., stat=..." */
static int
sm_open_at(struct span s, size_t n)
{
    size_t  i;
    int     q = 0;
    int     a = 0;

    for (i = 0; i < n && i < s.len; i++) {
        char    c = s.ptr[i];

        if (q) {
            if (c == '\\')
                i++;
            else if (c == '"')
                q = 0;
        } else if (c == '"') {
            q = 1;
        } else if (c == '<') {
            a = 1;
        } else if (c == '>') {
            a = 0;
        }
    }
    return q || a;
}

/* sm_field_end_q - sm_field_end() of a field that may hold an address:
 * the first ", " outside quotes and angle brackets, or s.len */
static size_t
sm_field_end_q(struct span s, size_t off)
{
    size_t  end = off;

    while ((end = sm_field_end(s, end)) < s.len
           && sm_open_at(span_make(s.ptr + off, s.len - off), end - off))
        end += 2;
    return end;
}

/* sm_qid_byte - 1: a letter, 2: a digit, 0: neither (a queue id's
 * bytes: two compares, no table) */
static inline int
sm_qid_byte(unsigned char c)
{
    return (unsigned) (c - '0') < 10 ? 2
        : (unsigned) ((c | 0x20) - 'a') < 26;
}

/* sm_qid_len - the length of a queue id followed by ": " at the start
 * of s, or 0: 8 to SM_MAX_QID letters and digits, a digit among them.
 * Every line asks (most have none, or one of 14 bytes): the bytes one by
 * one were 160 instructions a line, half the classifier's; where SSE2
 * is, one or two blocks of 16 */
static inline size_t
sm_qid_len(struct span s)
{
    const unsigned char *p = (const unsigned char *) s.ptr;
    size_t  i = 0;
    int     cls = 0;

#ifdef __SSE2__
    unsigned dig, dig2, m;

    /* a queue id and ": " end by byte 26: one block, or two */
    if (s.len >= 16 && ((m = span_alnum16(s.ptr, &dig)) != 0xffff
                        || s.len >= 32)) {
        if (m == 0xffff) {
            m |= span_alnum16(s.ptr + 16, &dig2) << 16;
            dig |= dig2 << 16;
        }
        if (m == 0xffffffffu)
            return 0;           /* 32 bytes: too long */
        i = (size_t) __builtin_ctz(~m);
        if (i < 8 || i > SM_MAX_QID || (dig & ((1u << i) - 1)) == 0
            || i + 1 >= s.len || p[i] != ':' || p[i + 1] != ' ')
            return 0;
        return i;
    }
#endif
    while (i < s.len && i <= SM_MAX_QID && sm_qid_byte(p[i]))
        cls |= sm_qid_byte(p[i++]);
    if (i < 8 || i > SM_MAX_QID || !(cls & 2) || i + 1 >= s.len
        || p[i] != ':' || p[i + 1] != ' ')
        return 0;
    return i;
}

/* sm_qid - a Sendmail queue id followed by ": " at the cursor */
static int
sm_qid(struct span *s, struct span *qid)
{
    size_t  i = sm_qid_len(*s);

    if (i == 0)
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

/* sm_relay - "host. [192.0.2.1]", "[192.0.2.1] [192.0.2.1]", "host";
 * avail (>= v.len) bytes at v.ptr may be read (sm_scan()) */
static void
sm_relay(struct span v, size_t avail, struct span *host, struct span *ip)
{
    size_t  n = sm_scan(v.ptr, 0, v.len, avail, ' ', ' ', ' ', ' ');

    *host = span_make(v.ptr, n);
    span_drop(&v, n);
    avail -= n;
    if (span_skip(&v, " ") == 0)
        avail--;
    if (span_skip(&v, "[") == 0) {
        size_t  rb = sm_scan(v.ptr, 0, v.len, avail - 1,
                             ']', ']', ']', ']');

        if (rb < v.len && rb > 0 && rb < 64)
            *ip = span_make(v.ptr, rb);
    }
}

/* sm_verify_code - enum sm_verify of a ${verify} word */
static int
sm_verify_code(struct span w)
{
    static const struct {
        struct sm_lit word;
        int     code;
    } map[] = {
        {SM_LIT("OK"), SM_V_OK}, {SM_LIT("TRUSTED"), SM_V_TRUSTED},
        {SM_LIT("FAIL"), SM_V_FAIL}, {SM_LIT("NO"), SM_V_NO},
        {SM_LIT("NOT"), SM_V_NOT}, {SM_LIT("DANE_FAIL"), SM_V_DANE_FAIL},
        {SM_LIT("NONE"), SM_V_NONE}, {SM_LIT("CLEAR"), SM_V_CLEAR},
        {SM_LIT("TEMP"), SM_V_TEMP}, {SM_LIT("PROTOCOL"), SM_V_PROTOCOL},
        {SM_LIT("SOFTWARE"), SM_V_SOFTWARE}, {SM_LIT("CONFIG"), SM_V_CONFIG},
        {SM_LIT("FAILURE"), SM_V_FAILURE},
    };
    size_t  i;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (sm_lit_eq(w, &map[i].word))
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
        struct sm_lit text;     /* cf/m4/proto.m4, deliver.c */
        int     start;          /* 1: begins the reply text */
        int     result;         /* -1: local (with local = 1) */
        const char *why;
        struct sm_lit also;     /* must occur too, or empty */
    } map[] = {
        {SM_LIT("TLS handshake failed"), 1, SESS_VALIDATION_FAILURE, SM_HS_REASON, {0}},
        {SM_LIT("DANE check failed"), 1, SESS_TLSA_INVALID, "dane-check-failed", {0}},
        {SM_LIT("STARTTLS failed"), 1, SESS_STARTTLS_NOT_SUPPORTED, "starttls-failed", {0}},
        {SM_LIT("STARTTLS temporarily not possible"), 1, -1, "starttls-not-possible-locally", {0}},
        {SM_LIT("STARTTLS disabled locally"), 1, -1, "starttls-disabled-locally", {0}},
        {SM_LIT("other side does not support STARTTLS"), 1, SESS_STARTTLS_NOT_SUPPORTED, "", {0}},
        {SM_LIT("authentication required"), 1, SESS_CERT_NOT_TRUSTED, "authentication-required", {0}},
        {SM_LIT("authentication failed"), 1, SESS_CERT_NOT_TRUSTED, "authentication-failed", {0}},
        {SM_LIT("not authenticated"), 1, SESS_CERT_NOT_TRUSTED, "not-authenticated", {0}},
        {SM_LIT("no authentication requested"), 1, SESS_CERT_NOT_TRUSTED, "no-authentication-requested", {0}},
        {SM_LIT("server not authenticated"), 1, SESS_VALIDATION_FAILURE, "server-not-authenticated", {0}},
        {SM_LIT("encryption too weak"), 1, SESS_VALIDATION_FAILURE, "encryption-too-weak", {0}},
        {SM_LIT("CN "), 1, SESS_CERT_HOST_MISMATCH, "cn-mismatch", SM_LIT(" does not match ")},
        {SM_LIT("Cert Subject "), 1, SESS_CERT_HOST_MISMATCH, "cert-subject-mismatch", {0}},
        {SM_LIT("Cert Issuer "), 1, SESS_CERT_NOT_TRUSTED, "cert-issuer-not-acceptable", {0}},
        {SM_LIT("STS lookup temp fail"), 1, SESS_STS_POLICY_FETCH_ERROR, "sts-lookup-temp-fail", {0}},
        {SM_LIT(" not listed in SANs"), 0, SESS_CERT_HOST_MISMATCH, "mx-not-listed-in-sans", {0}},
        {SM_LIT(" not found in "), 0, SESS_VALIDATION_FAILURE, "mx-not-in-sts-policy", {0}},
    };
    /* the replies of TLS_connection: "DDD D.7.0 " */
    static const struct sm_lit codes[] = {
        SM_LIT("403 4.7.0 "), SM_LIT("503 5.7.0 "), SM_LIT("454 4.7.0 "),
        SM_LIT("554 5.7.0 "), SM_LIT("450 4.7.0 "),
    };
    size_t  i;
    int     coded = 0;

    (void) span_skip(&t, "Deferred: ");
    if (strict && (t.len == 0 || (t.ptr[0] != '4' && t.ptr[0] != '5')))
        return -1;              /* "Sent (...)": no code begins so */
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (sm_lit_starts(t, &codes[i])) {
            span_drop(&t, codes[i].len);
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
        if (map[i].start ? !sm_lit_starts(t, &map[i].text)
            : sm_lit_find(t, &map[i].text) < 0)
            continue;
        if (map[i].also.len && sm_lit_find(t, &map[i].also) < 0)
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

/* sm_tls_fields - "relay=R, version=V, verify=W, ..." of a
 * STARTTLS=client summary in one pass over its fields: relay (empty when
 * longer than SM_MAX_RELAY) and the first version= and verify= (as
 * sm_value() finds them); 1 when version= was found and not too long */
static int
sm_tls_fields(struct span s, struct span *relay, struct span *verify,
              int *has_verify)
{
    size_t  at = sm_field_end(s, 0);
    int     version = -1;       /* not seen; 0 too long; 1 found */

    *relay = span_make(s.ptr + 6, at - 6);
    if (relay->len > SM_MAX_RELAY)
        *relay = span_make(s.ptr, 0);
    *has_verify = -1;
    while (at < s.len && (version < 0 || *has_verify < 0)) {
        size_t  start = at + 2;
        size_t  end = sm_field_end(s, start);
        struct span f = span_make(s.ptr + start, end - start);

        if (version < 0 && span_starts(f, "version="))
            version = f.len - 8 <= SM_MAX_WORD;
        else if (*has_verify < 0 && span_starts(f, "verify=")) {
            *verify = span_make(f.ptr + 7, f.len - 7);
            *has_verify = verify->len <= SM_MAX_WORD;
        }
        at = end;
    }
    if (*has_verify < 0)
        *has_verify = 0;
    return version == 1;
}

/* sm_client - the rest of a "STARTTLS=client..." message */
static void
sm_client(struct span s, struct sm_event *ev)
{
    struct span v;
    int     has_verify;

    ev->kind = SM_DETAIL;
    if (span_skip(&s, ": ") == 0) {             /* tlslogerr() */
        ev->kind = SM_SSL_ERR;
        ev->text = sm_openssl_reason(s);
        return;
    }
    if (span_skip(&s, ", ") != 0)
        return;
    if (span_starts(s, "relay=")) {
        if (sm_tls_fields(s, &ev->relay, &v, &has_verify)) {
            if (!has_verify || ev->relay.len == 0) {
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

/* sm_ruleset - "ruleset=NAME, arg1=V, relay=H, reject=TEXT": the fields
 * after the name taken once, the first arg1= and relay= and the first
 * reject= after a ", " (as sm_value() and span_find() find them) */
static void
sm_ruleset(struct span s, struct sm_event *ev)
{
    struct span name;
    struct span arg1 = {NULL, 0};
    struct span relay = {NULL, 0};
    size_t  at = 0;
    long    reject = -1;
    int     seen = 0;           /* 1 arg1=, 2 relay= */

    span_drop(&s, 8);
    if (span_upto(&s, ", ", &name, SM_MAX_WORD) != 0)
        return;
    if (span_eq(name, "tls_client")) {
        ev->kind = SM_INBOUND;
        return;
    }
    ev->rcpt_rule = span_eq(name, "tls_rcpt");
    if (!ev->rcpt_rule && !span_eq(name, "tls_server"))
        return;                 /* check_relay, check_rcpt, ...: not TLS */
    ev->kind = SM_DETAIL;
    for (;;) {
        size_t  end = sm_field_end(s, at);
        struct span f = span_make(s.ptr + at, end - at);

        if (!(seen & 1) && span_starts(f, "arg1=")) {
            /* tls_rcpt's is the recipient: its quotes may hold ", " */
            end = sm_field_end_q(s, at);
            f = span_make(s.ptr + at, end - at);
            arg1 = span_make(f.ptr + 5, f.len - 5);
            seen |= 1;
        } else if (!(seen & 2) && span_starts(f, "relay=")) {
            relay = span_make(f.ptr + 6, f.len - 6);
            seen |= 2;
        } else if (reject < 0 && at > 0 && span_starts(f, "reject=")) {
            reject = (long) at + 7;
        }
        if ((reject >= 0 && seen == 3) || end == s.len)
            break;
        at = end + 2;
    }
    if ((seen & 1) && arg1.len <= SM_MAX_VALUE && !ev->rcpt_rule)
        ev->verify = sm_verify_code(arg1);
    if ((seen & 2) && relay.len <= SM_MAX_RELAY)
        sm_relay(relay, (size_t) (s.ptr + s.len - relay.ptr), &ev->relay,
                 &ev->ip);
    if (reject < 0)
        return;                 /* quarantine=, discard */
    ev->text = s;
    span_drop(&ev->text, (size_t) reject);
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
 * "Name <a@x>", "a@x" (quotes and angle brackets may hold commas); the
 * list once: its end, and its first '<' with the first '>' after it;
 * avail (>= to.len) bytes at to.ptr may be read (sm_scan()).
 * Only the bytes '"', '<', '>' and ',' change anything: sm_scan() skips
 * the others */
static struct span
sm_first_rcpt(struct span to, size_t avail)
{
    size_t  i;
    int     q = 0;
    int     a = 0;
    long    lt = -1;
    long    gt = -1;

    for (i = 0;
         (i = sm_scan(to.ptr, i, to.len, avail, '"', '<', '>', ',')) < to.len;
         i++) {
        char    c = to.ptr[i];

        if (c == '"') {
            q = !q;
        } else if (c == '<') {
            if (lt < 0)
                lt = (long) i;
            if (!q)
                a = 1;
        } else if (c == '>') {
            if (lt >= 0 && gt < 0)
                gt = (long) i;
            if (!q)
                a = 0;
        } else if (!q && !a && c == ',') {
            break;
        }
    }
    to.len = i;
    if (lt >= 0) {
        span_drop(&to, (size_t) lt + 1);
        if (gt >= 0)
            to.len = (size_t) (gt - lt - 1);
    }
    return to;
}

/* sm_smtp - 1 when a delivery went over an SMTP connection */
static int
sm_smtp(const struct sm_event *ev)
{
    static const struct sm_lit local[] = {  /* none begins e, r or s */
        SM_LIT("local"), SM_LIT("prog"), SM_LIT("*file*"),
        SM_LIT("*include*"), SM_LIT("*error*"), SM_LIT("procmail"),
        SM_LIT("cyrus"), SM_LIT("cyrusv2"), SM_LIT("lmtp"),
        SM_LIT("dovecot"), SM_LIT("mail11"), SM_LIT("usenet"),
        SM_LIT("fax"), SM_LIT("pop"), SM_LIT("phquery"), SM_LIT("mailman"),
        SM_LIT("uucp"), SM_LIT("uucp-old"), SM_LIT("uucp-new"),
        SM_LIT("uucp-dom"), SM_LIT("uucp-uudom"),
    };
    size_t  i;

    if (ev->mailer.len == 0 && ev->relay.len == 0 && ev->ip.len == 0)
        return 0;
    /* esmtp, relay, smtp: no local mailer begins so (the table was a
     * compare and a memcmp() call per entry) */
    if (ev->mailer.len > 0 && ev->mailer.ptr[0] != 'e'
        && ev->mailer.ptr[0] != 'r' && ev->mailer.ptr[0] != 's')
        for (i = 0; i < sizeof(local) / sizeof(local[0]); i++)
            if (sm_lit_eq(ev->mailer, &local[i]))
                return 0;
    return !span_eq(ev->relay, "local");
}

/* sm_delivery - "to=LIST, ..., mailer=M, ..., relay=R, dsn=D, stat=S",
 * its fields taken once: the list ends at the first ctladdr= or delay=
 * (else at the first ", "); after it the first mailer=, relay=, dsn=
 * and stat= (as sm_value() and span_find() find them: the scan goes on
 * into the stat= text only for a field not found before it) */
static void
sm_delivery(struct span s, struct sm_event *ev)
{
    struct span f[3];           /* mailer=, relay=, dsn= */
    static const size_t klen[3] = {7, 6, 4};
    size_t  first, at, to_end = 0, stat = 0;
    int     seen = 0;           /* 1 mailer=, 2 relay=, 4 dsn=, 8 stat= */
    int     listed = 0;         /* ctladdr= or delay= ended the list */
    int     inside = 0;         /* one of them was inside an address */
    int     i;

    ev->kind = SM_DELIVERY_BAD;
    span_drop(&s, 3);
    if ((first = sm_field_end(s, 0)) == s.len)
        return;
    for (at = first + 2;;) {
        size_t  end = sm_field_end(s, at);
        struct span fl = span_make(s.ptr + at, end - at);

        /* by its first byte: a compare or two per field, not six */
        switch (fl.len > 0 ? fl.ptr[0] : 0) {
        case 'c':
        case 'd':
            if (!listed && (span_starts(fl, "ctladdr=")
                            || span_starts(fl, "delay="))) {
                if (sm_open_at(s, at - 2)) {
                    inside = 1; /* in a quoted address: the sender's */
                    break;
                }
                listed = 1;     /* what came before is in the list */
                to_end = at - 2;
                seen = 0;
            } else if (!(seen & 4) && span_starts(fl, "dsn=")) {
                f[2] = fl;
                seen |= 4;
            }
            break;
        case 'm':
            if (!(seen & 1) && span_starts(fl, "mailer=")) {
                f[0] = fl;
                seen |= 1;
            }
            break;
        case 'r':
            if (!(seen & 2) && span_starts(fl, "relay=")) {
                f[1] = fl;
                seen |= 2;
            }
            break;
        case 's':
            if (!(seen & 8) && span_starts(fl, "stat=")) {
                stat = at + 5;
                seen |= 8;
            }
            break;
        default:
            break;
        }
        if ((listed && seen == 15) || end == s.len)
            break;
        at = end + 2;
    }
    if (!listed && inside)
        return;                 /* the list's end unknown: cut short */
    if (!listed)
        to_end = first;
    ev->rcpt = sm_first_rcpt(span_make(s.ptr, to_end), s.len);
    for (i = 0; i < 3; i++)
        if ((seen & (1 << i)) && f[i].len - klen[i]
            <= (i == 1 ? SM_MAX_RELAY : SM_MAX_WORD))
            span_drop(&f[i], klen[i]);
        else
            f[i] = span_make(NULL, 0);
    ev->mailer = f[0];
    if (seen & 2 && f[1].ptr != NULL)
        sm_relay(f[1], (size_t) (s.ptr + s.len - f[1].ptr), &ev->relay,
                 &ev->ip);
    ev->dsn = f[2];
    if (!(seen & 8))
        return;
    ev->stat = span_make(s.ptr + stat, s.len - stat);
    ev->kind = SM_DELIVERY;
    ev->result = sm_reject(ev->stat, 1, &ev->local, &ev->why);
    ev->smtp = sm_smtp(ev);
    /* a reply to RCPT or later: the session got past EHLO and STARTTLS */
    ev->past_ehlo = span_starts(ev->stat, "Sent")
        || span_starts(ev->dsn, "2.")
        || span_starts(ev->dsn, "4.1.") || span_starts(ev->dsn, "5.1.")
        || span_starts(ev->dsn, "4.2.") || span_starts(ev->dsn, "5.2.");
    ev->domain = corr_rcpt_domain(ev->rcpt);    /* after the last '@' */
}

/* sm_event_clear - every field of ev empty (field by field: a memset
 * of the struct is a "rep stos", slower for its size; a field added to
 * struct sm_event is cleared here) */
static inline void
sm_event_clear(struct sm_event *ev)
{
    static const struct span none;

    ev->kind = SM_IGNORE;
    ev->verify = SM_V_UNKNOWN;
    ev->result = -1;
    ev->local = 0;
    ev->rcpt_rule = 0;
    ev->why = NULL;
    ev->qid = none;
    ev->relay = none;
    ev->ip = none;
    ev->rcpt = none;
    ev->domain = none;
    ev->mailer = none;
    ev->dsn = none;
    ev->stat = none;
    ev->text = none;
    ev->smtp = 0;
    ev->past_ehlo = 0;
}

/* sm_classify - one Sendmail message into an event: its queue id, then
 * one look at its first byte picks the shape */
void
sm_classify(struct span msg, struct sm_event *ev)
{
    struct span s = span_trim(msg);
    struct span t = s;
    int     had_qid;

    sm_event_clear(ev);
    had_qid = sm_qid(&t, &ev->qid) == 0;
    if (had_qid)
        s = t;
    if (s.len == 0)
        return;
    switch (s.ptr[0]) {
    case 'S':
        if (span_skip(&s, "STARTTLS=client") == 0) {
            sm_client(s, ev);
        } else if (span_starts(s, "STARTTLS=server")) {
            ev->kind = SM_INBOUND;
        } else if (span_skip(&s, "STARTTLS: ") == 0) {
            /* info callback, cert verify:, read/write error: no verdict */
            ev->kind = span_starts(s, "SSL_accept") ? SM_INBOUND : SM_DETAIL;
        }
        break;
    case 'r':
        if (span_starts(s, "ruleset="))
            sm_ruleset(s, ev);
        break;
    case 't':
        if (span_starts(s, "to=")) {
            sm_delivery(s, ev);
            if (ev->kind == SM_DELIVERY_BAD && !had_qid)
                ev->kind = SM_IGNORE;   /* not clearly a delivery line */
        }
        break;
    default:
        break;
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

/* sm_forti_fields - the place of the record's own msg=" field, or -1:
 * its fields read from the start, key=value separated by spaces, up
 * to msg=; a value before it may be quoted but hold no space (a
 * session id), and subtype=smtp must be one of them. A quoted value
 * with a space (a statistics record's subject, client name, from= or
 * to=: a sender's text) ends the reading: FortiMail does not escape a
 * quote in it, so " subtype=smtp msg=\"to=..." there could be anyone's
 * (testdata/sendmail/syn-forged-forti) */
static long
sm_forti_fields(struct span m)
{
    size_t  i = 0;
    int     smtp = 0;

    while (i < m.len) {
        size_t  start, eq;

        while (i < m.len && m.ptr[i] == ' ')
            i++;
        start = i;
        while (i < m.len && m.ptr[i] != '=' && m.ptr[i] != ' '
               && m.ptr[i] != '"')
            i++;
        if (i >= m.len || m.ptr[i] != '=' || i == start)
            return -1;
        eq = i++;
        if (eq - start == 3 && memcmp(m.ptr + start, "msg", 3) == 0)
            return smtp && i < m.len && m.ptr[i] == '"'
                ? (long) start - 1 : -1;
        if (i < m.len && m.ptr[i] == '"') {
            for (i++; i < m.len && m.ptr[i] != '"'; i++)
                if (m.ptr[i] == ' ')
                    return -1;
            if (i >= m.len)
                return -1;
            i++;
        } else {
            while (i < m.len && m.ptr[i] != ' ' && m.ptr[i] != '"')
                i++;
        }
        if (i < m.len && m.ptr[i] != ' ')
            return -1;
        if (i - start == 12 && memcmp(m.ptr + start, "subtype=smtp", 12) == 0)
            smtp = 1;
    }
    return -1;
}

/* sm_forti - the Sendmail message inside a FortiMail event record */
int
sm_forti(struct span line, struct span *msg, struct span *sid)
{
    struct span m = span_trim(line);
    struct span v;
    long    off;

    if (span_find(m, " subtype=smtp ") < 0
        || (off = sm_forti_fields(m)) < 0)
        return -1;
    *msg = m;
    span_drop(msg, (size_t) off + 6);
    if (msg->len == 0 || msg->ptr[msg->len - 1] != '"')
        return -1;
    msg->len--;
    *sid = span_make(m.ptr, 0);
    v = span_make(m.ptr, (size_t) off);  /* a field before msg= */
    if ((off = span_find(v, " session_id=\"")) >= 0) {
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
    pe->mxlen = strlen(pe->mx);
    pe->iplen = strlen(pe->ip);
    pe->loopback = corr_local_hop(pe->mx, pe->ip);
}
