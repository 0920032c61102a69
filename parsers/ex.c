/* parsers/ex.c - Exim main log line classifier (see ex.h)
 *
 * Shapes (format strings from the Exim sources, src/src/; E-numbers are
 * those of the corpus catalogue, docs/parsers/exim.md):
 *   tod.c tod_stamp(tod_log_bare / tod_log_zone):
 *     "%04u-%02u-%02u %02u:%02u:%02u[.%03u][ %+03d%02d]" (+millisec,
 *     log_timezone); log.c log_write() adds "[%d] " (+pid) and "%s "
 *     (message id) before the text
 *   deliver.c delivery_log(), d_hostlog(), d_tlslog():
  *     "=> addr [<parent>] [F=<>] [P=<>] R=r T=t [S=n]
 *      H=name[ DS] [ip][:port][*]
 *      [X=cipher CV=yes|no|dane] [DN="dn"] ... [C="reply"]"      (E1-E3, E5)
 *     "->" further recipients of one delivery, "*>" -N, ">>" cutthrough
 *   deliver.c failure_log(): "** addr ... R= T= H=name [ip] X= CV= DN=: text"
 *   deliver.c deferral_log():
 *     "== addr R= T= defer (%d)[: strerror][ H=name [ip][:port]][: text]"
 *   transports/smtp.c write_logs(): "H=%s [%s][:%d]: %s", "H=%s [%s] %s"
 *   transports/smtp.c smtp_setup_conn() and smtp_transport_entry():
 *     "a TLS session is required, but %s"                           (E6, E7)
 *     "SMTP error from remote mail server after STARTTLS: %s"           (E8)
 *     "TLS session: %s" (tls_errstr "(func): text")             (E9-E11)
 *     "%s: delivering unencrypted to H=%s [%s] (not in hosts_require_tls)"
 *                                                                    (E14)
 *     "DANE attempt failed; TLS connection to %s [%s]: %s"            (E19)
 *     "DANE error: tlsa lookup %s", "DANE error: %s lookup not DNSSEC",
 *     "DANE error: TLSA lookup for %s not DNSSEC"               (E15-E18)
 *   tls-openssl.c verify_callback():
 *     "[%s] SSL verify error: depth=%d error=%s cert=%s"               (E13)
 *     "[%s] SSL verify error: certificate name mismatch: DN=\"%s\" H=\"%s\""
 *                                                                    (E12)
 *   tls-openssl.c dane_tlsa_load(): "DANE error: No usable TLSA records" (E20)
 *   tls-gnu.c / tls-openssl.c tls_error(), client side:
 *     "H=%s [%s] TLS error on connection (%s): %s" (close, E21);
 *     Exim <= 4.8x "TLS error on connection to %s [%s] (%s): %s"       (E24)
 *   verify.c do_callout(): "%s: callout unencrypted to %s [%s] (...)",
 *     "Could not complete recipient verify callout: %s [%s] : %s"
 * Nothing here allocates; every field is a span into the line.
 */
#include "ex.h"
#include "../global/sess.h"
#include "../util/date.h"

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Literal compares of this file: span_starts(), span_skip(), span_eq(),
 * span_ends() and span_find() of util/span.h with the literal's length
 * known here (sizeof, not strlen()), always inlined, and the bytes
 * compared a word at a time (ex_same_n()). The profile-guided build
 * kept the shared helpers out of line where its training saw few such
 * lines: a call, a strlen() and a memcmp() call for each test of a
 * literal; and a memcmp() of a constant length stays a call there too
 * (gcc expands it only where it optimizes for speed). The "" lit ""
 * takes string literals only. */
#define EX_STARTS(s, lit)  ex_starts_n((s), "" lit "", sizeof(lit) - 1)
#define EX_SKIP(s, lit)    ex_skip_n((s), "" lit "", sizeof(lit) - 1)
#define EX_EQ(s, lit)      ex_eq_n((s), "" lit "", sizeof(lit) - 1)
#define EX_ENDS(s, lit)    ex_ends_n((s), "" lit "", sizeof(lit) - 1)
#define EX_FIND(s, lit)    ex_find_n((s), "" lit "", sizeof(lit) - 1)

static inline __attribute__((always_inline)) uint64_t
ex_ld8(const char *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return v;
}

static inline __attribute__((always_inline)) uint32_t
ex_ld4(const char *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return v;
}

static inline __attribute__((always_inline)) uint16_t
ex_ld2(const char *p)
{
    uint16_t v;

    memcpy(&v, p, 2);
    return v;
}

/* ex_same_n - memcmp(p, lit, n) == 0 for a constant n, the n bytes at
 * p known to be there: words of 8 (the last one overlapping the one
 * before), or two of 4 or of 2 that may overlap, or a byte */
static inline __attribute__((always_inline)) int
ex_same_n(const char *p, const char *lit, size_t n)
{
    uint64_t d = 0;
    size_t  i;

    if (n >= 8) {
        for (i = 0; i + 8 <= n; i += 8)
            d |= ex_ld8(p + i) ^ ex_ld8(lit + i);
        if (i < n)
            d |= ex_ld8(p + n - 8) ^ ex_ld8(lit + n - 8);
    } else if (n >= 4) {
        d = (uint64_t) ((ex_ld4(p) ^ ex_ld4(lit))
                        | (ex_ld4(p + n - 4) ^ ex_ld4(lit + n - 4)));
    } else if (n >= 2) {
        d = (uint64_t) ((ex_ld2(p) ^ ex_ld2(lit))
                        | (ex_ld2(p + n - 2) ^ ex_ld2(lit + n - 2)));
    } else if (n == 1) {
        d = (unsigned char) p[0] ^ (unsigned char) lit[0];
    }
    return d == 0;
}

static inline __attribute__((always_inline)) int
ex_starts_n(struct span s, const char *lit, size_t n)
{
    return s.len >= n && ex_same_n(s.ptr, lit, n);
}

static inline __attribute__((always_inline)) int
ex_skip_n(struct span *s, const char *lit, size_t n)
{
    if (s->len < n || !ex_same_n(s->ptr, lit, n))
        return -1;
    s->ptr += n;
    s->len -= n;
    return 0;
}

static inline __attribute__((always_inline)) int
ex_eq_n(struct span s, const char *lit, size_t n)
{
    return s.len == n && ex_same_n(s.ptr, lit, n);
}

static inline __attribute__((always_inline)) int
ex_ends_n(struct span s, const char *lit, size_t n)
{
    return s.len >= n && ex_same_n(s.ptr + s.len - n, lit, n);
}

/* ex_find_n - span_find() of a literal of n > 0 bytes */
static inline __attribute__((always_inline)) long
ex_find_n(struct span s, const char *lit, size_t n)
{
    const char *p;
    const char *last;

    if (s.len < n)
        return -1;
    p = s.ptr;
    last = s.ptr + (s.len - n);
    while ((p = memchr(p, lit[0], (size_t) (last - p) + 1)) != NULL) {
        if (ex_same_n(p + 1, lit + 1, n - 1))
            return (long) (p - s.ptr);
        if (p == last)
            break;
        p++;
    }
    return -1;
}

#define EX_MAX_FIELDS 128       /* tokens looked at on one delivery line */
#define EX_MAX_HOST 300         /* bytes of "name[ DS] [address]:port*" */
#define EX_MAX_ADDR 64          /* bytes inside [...] */

/* The minutes of the last EX_SEEN stamps read on this thread, each
 * "YYYY-MM-DD HH:MM" found valid: most lines repeat the minute of a
 * line just before (two: a log may carry syslog's lines beside Exim's
 * own, whose inner stamps run on another clock), and their date need not
 * be read again. What a minute gives is a function of its text alone
 * (the zone of --log-tz is set before any thread starts): the UTC
 * seconds of its start, with and without the local zone, and a stamp's
 * time is that plus its seconds (ts_local_to_utc() adds them as well:
 * one offset per hour). Per thread: no sharing. */
#define EX_SEEN 2

struct ex_seen {
    char    text[16];           /* "YYYY-MM-DD HH:MM"; 0: unused */
    int     y, mo, d, h, mi;
    int64_t utc;                /* its start, the fields as UTC */
    int64_t local;              /* its start in the local zone */
    int     has_local;          /* local is set */
    /* the seconds of the last main-log stamp of this minute (":SS ",
     * bytes 16-19, with bit 32 set; 0: none) and its time: a log
     * writes many lines a second */
    uint64_t sec_key;
    int64_t sec_t;
};

static _Thread_local struct ex_seen ex_seen[EX_SEEN];

static struct ex_seen *ex_seen_read(const char *);
static struct ex_seen *ex_seen_front(int);

/* ex_seen_minute - the minute at p (16 bytes), known or read; NULL when
 * it is no valid date and minute. A minute found second is moved to
 * the first place only on a line of the shape ex_read_quick() reads
 * (front: the main log's own stamp without [pid]), which looks at the
 * first place alone: a syslog-wrapped line's inner stamp (a [pid], a
 * clock of its own) moved its minute first, and the main log's next
 * line then went the slow way */
static inline struct ex_seen *
ex_seen_minute(const char *p, int front)
{
    uint64_t a, b, x, y;
    int     k;

    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 8);
    for (k = 0; k < EX_SEEN; k++) {
        memcpy(&x, ex_seen[k].text, 8);
        memcpy(&y, ex_seen[k].text + 8, 8);
        if (a == x && b == y)
            return k == 0 ? &ex_seen[0] : front ? ex_seen_front(k)
                : &ex_seen[k];
    }
    return ex_seen_read(p);
}

/* ex_seen_front - the minute of place k moved to the first place, the
 * others one on: the minute found last is tested first (most lines of
 * a log give the minute of the line before) */
__attribute__((noinline))
static struct ex_seen *
ex_seen_front(int k)
{
    struct ex_seen m = ex_seen[k];

    memmove(&ex_seen[1], &ex_seen[0], sizeof(ex_seen[0]) * (size_t) k);
    ex_seen[0] = m;
    return &ex_seen[0];
}

/* ex_seen_read - a minute not seen, read into the last place, then the
 * first (ex_seen_front()). Out of line, and marked cold: inlined, its
 * registers were saved and restored by ex_prefix() on every line */
__attribute__((noinline, cold))
static struct ex_seen *
ex_seen_read(const char *p)
{
    struct ex_seen *m;

    m = &ex_seen[EX_SEEN - 1];
    if (p[4] != '-' || p[7] != '-' || p[10] != ' ' || p[13] != ':'
        || date_digits(p, 4, &m->y) || date_digits(p + 5, 2, &m->mo)
        || date_digits(p + 8, 2, &m->d) || date_digits(p + 11, 2, &m->h)
        || date_digits(p + 14, 2, &m->mi)
        || m->mo < 1 || m->mo > 12 || m->d < 1 || m->d > 31 || m->h > 23
        || m->mi > 59) {
        m->text[0] = 0;                 /* matches no stamp: a digit */
        return NULL;
    }
    memcpy(m->text, p, 16);
    m->sec_key = 0;
    m->utc = date_days_from_civil(m->y, m->mo, m->d) * 86400 + m->h * 3600
        + m->mi * 60;
    m->has_local = 0;
    return ex_seen_front(EX_SEEN - 1);
}

/* ex_ts_own - the zone-offset cache of the calling thread's own, for
 * a caller that gives none (tc NULL: ex_read() of ex_sess.c), made on
 * first need: a minute's local start is read once, and the test of a
 * made context on every line was three instructions of each */
__attribute__((noinline, cold))
static struct ts_ctx *
ex_ts_own(void)
{
    static _Thread_local struct ts_ctx tc;
    static _Thread_local int made;

    if (!made) {
        ts_ctx_init_year(&tc, 1970);
        made = 1;
    }
    return &tc;
}

/* ex_stamp - "YYYY-MM-DD HH:MM:SS[.fff][ +hhmm] " at the cursor (tc
 * NULL: ex_ts_own()) */
static inline __attribute__((always_inline)) int
ex_stamp(struct ts_ctx *tc, struct span *s, int64_t *t)
{
    const char *p = s->ptr;
    size_t  len = s->len;
    size_t  i = 19;
    int     sec, oh, om, zone = 0;
    struct ex_seen *m;

    unsigned s1, s0;
    uint32_t w;
    uint64_t key;

    if (len < 20 || (m = ex_seen_minute(p, p[19] == ' '
                                        && (len == 20
                                            || (p[20] != '['
                                                && p[20] != '+'
                                                && p[20] != '-'))))
        == NULL)
        return -1;
    /* the second of the main-log stamp before, again: what the tests
     * below take for it, its time as they made it */
    memcpy(&w, p + 16, 4);
    key = (uint64_t) w | (uint64_t) 1 << 32;
    if (key == m->sec_key && (len == 20 || (p[20] != '+' && p[20] != '-'))) {
        *t = m->sec_t;
        span_drop(s, 20);
        return 0;
    }
    if (p[16] != ':')
        return -1;
    s1 = (unsigned) (unsigned char) p[17] - '0';
    s0 = (unsigned) (unsigned char) p[18] - '0';
    if (s1 > 9 || s0 > 9 || (sec = (int) (s1 * 10 + s0)) > 60)
        return -1;
    if (p[19] == ' ' && (len == 20 || (p[20] != '+' && p[20] != '-'))
        && m->has_local) {
        /* the main log's own stamp: no fraction, no zone, a minute read
         * before (what the tests below take for it, in fewer of them) */
        *t = m->local + sec;
        m->sec_key = key;
        m->sec_t = *t;
        span_drop(s, 20);
        return 0;
    }
    if (p[i] == '.') {                  /* +millisec */
        i++;
        while (i < len && i < 27 && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    /* log_timezone: " +0100" */
    if (i + 6 <= len && p[i] == ' ' && (p[i + 1] == '+' || p[i + 1] == '-')
        && date_digits(p + i + 2, 2, &oh) == 0
        && date_digits(p + i + 4, 2, &om) == 0 && oh < 24 && om < 60
        && (i + 6 == len || p[i + 6] == ' ')) {
        zone = (p[i + 1] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        i += 6;
    } else {
        zone = 1 << 30;                 /* none: local time of --log-tz */
    }
    if (i < len && p[i] != ' ')
        return -1;
    if (zone == 1 << 30) {
        if (!m->has_local) {
            m->local = ts_local_to_utc(tc ? tc : ex_ts_own(), m->y, m->mo,
                                       m->d, m->h, m->mi, 0);
            m->has_local = 1;
        }
        *t = m->local + sec;
    } else {
        *t = m->utc + sec - zone;
    }
    span_drop(s, i + 1);
    return 0;
}

/* ex_msgid - "xxxxxx-xxxxxx-xx" (< 4.97) or "xxxxxx-xxxxxxxxxxx-xxxx",
 * then the end or a space. The byte after the second part's first six
 * says which it can be: a '-' ends the old shape's part (and is no
 * digit: the new shape fails there), a digit goes on into the new one */
#ifdef __SSE2__

static inline __attribute__((always_inline)) size_t
ex_msgid_in(struct span s)
{
    const char *p = s.ptr;
    size_t  n;

    if (s.len < 16 || p[6] != '-')
        return 0;
    /* bytes 0-5, 7-12 and 14-15, digits in either shape: one test */
    if ((span_alnum16(p, NULL) & 0xdfbf) != 0xdfbf)
        return 0;
    if (p[13] == '-')
        n = 16;                         /* 6-6-2 */
    else if (s.len >= 23 && p[18] == '-'
             && (span_alnum16(p + 7, NULL) & 0xf640) == 0xf640)
        n = 23;                         /* 6-11-4: bytes 13, 16-17, 19-22 */
    else
        return 0;
    return n == s.len || p[n] == ' ' ? n : 0;
}

#else

/* the base-62 digits of a message id */
static const unsigned char ex_b62[256] = {
    ['0'...'9'] = 1, ['A'...'Z'] = 1, ['a'...'z'] = 1,
};

/* ex_b62_at - 1 when the n bytes at p are all base-62 digits: one
 * look-up each, no branch between them */
static inline int
ex_b62_at(const char *p, size_t n)
{
    unsigned ok = 1;
    size_t  i;

    for (i = 0; i < n; i++)
        ok &= ex_b62[(unsigned char) p[i]];
    return ok;
}

static inline __attribute__((always_inline)) size_t
ex_msgid_in(struct span s)
{
    const char *p = s.ptr;
    size_t  n;

    if (s.len < 16 || !ex_b62_at(p, 6) || p[6] != '-' || !ex_b62_at(p + 7, 6))
        return 0;
    if (p[13] == '-') {
        n = 16;                         /* 6-6-2 */
        if (!ex_b62_at(p + 14, 2))
            return 0;
    } else {
        n = 23;                         /* 6-11-4 */
        if (s.len < 23 || !ex_b62_at(p + 13, 5) || p[18] != '-'
            || !ex_b62_at(p + 19, 4))
            return 0;
    }
    return n == s.len || p[n] == ' ' ? n : 0;
}

#endif

/* ex_msgid - ex_msgid_in(), a call (inlined where a line's prefix is
 * read: ex_prefix_in(), ex_read_quick()) */
size_t
ex_msgid(struct span s)
{
    return ex_msgid_in(s);
}

/* ex_prefix_in - ex_prefix(), inlined where a line is read whole
 * (ex_read()) */
static inline __attribute__((always_inline)) void
ex_prefix_in(struct ts_ctx *tc, struct span msg, struct ex_line *ln)
{
    struct span s = msg;
    size_t  n;

    memset(ln, 0, sizeof(*ln));
    if (s.len > 0 && s.ptr[0] >= '0' && s.ptr[0] <= '9'
        && ex_stamp(tc, &s, &ln->t) == 0) {
        ln->stamped = 1;
        if (s.len > 2 && s.ptr[0] == '[') {     /* +pid */
            size_t  i = 1;

            while (i < s.len && i < 12 && s.ptr[i] >= '0' && s.ptr[i] <= '9')
                i++;
            if (i > 1 && i + 1 < s.len && s.ptr[i] == ']'
                && s.ptr[i + 1] == ' ') {
                ln->pid = span_make(s.ptr + 1, i - 1);
                span_drop(&s, i + 2);
            }
        }
    }
    if ((n = ex_msgid_in(s)) > 0) {
        ln->id = span_make(s.ptr, n);
        span_drop(&s, n);
        (void) EX_SKIP(&s, " ");
    }
    ln->body = s;
}

/* ex_prefix - Exim's stamp, [pid] and message id at the start of msg */
void
ex_prefix(struct ts_ctx *tc, struct span msg, struct ex_line *ln)
{
    ex_prefix_in(tc, msg, ln);
}

/* ex_find_at - span_find(s, lit) that seeks lit[at], not its first
 * byte: the same first place, found with fewer stops when the first
 * byte is common (a space) and lit[at] is not */
static inline long
ex_find_at(struct span s, const char *lit, size_t at)
{
    size_t  n = strlen(lit);
    const char *p, *end;

    if (s.len < n)
        return -1;
    p = s.ptr + at;
    end = s.ptr + (s.len - n) + at + 1; /* past the last place of lit[at] */
    while (p < end && (p = memchr(p, lit[at], (size_t) (end - p))) != NULL) {
        if (memcmp(p - at, lit, n) == 0)
            return (long) (p - at - s.ptr);
        p++;
    }
    return -1;
}

/* ex_slug_plain - ex_slug() read from the text: issuer DN and
 * "cert=DN" dropped, then folded */
static void
ex_slug_plain(struct span t, char *out)
{
    long    off;

    if ((off = ex_find_at(t, " /", 1)) >= 0)    /* an issuer DN */
        t.len = (size_t) off;
    if ((off = ex_find_at(t, " cert=", 5)) >= 0)        /* "error=TEXT
                                                         * cert=DN" */
        t.len = (size_t) off;
    sess_slug(t, out, EX_REASON_MAX + 1);
}

/* The texts ex_slug() read last on this thread, each with its code, in
 * the place ex_memo_slot() gives: an Exim log gives a few error texts
 * again and again, and their codes cost 430 instructions each (the
 * cuts and the fold a byte at a time: 2 % of a run's on the 20 MB
 * slice of an Exim log); a text found here costs a compare and a copy.
 * Per thread: no sharing. What is kept is what ex_slug_plain() wrote
 * for the text, byte for byte: a function of the text alone */
#define EX_SLUG_IN 96               /* longer texts are not kept */

struct ex_slug_memo {
    size_t  len;                    /* of in; 0: nothing kept */
    size_t  out_len;                /* of out, its NUL included */
    char    in[EX_SLUG_IN];
    char    out[EX_REASON_MAX + 1];
};

static _Thread_local struct ex_slug_memo ex_slug_memo[EX_MEMO_WAYS];

/* ex_slug - failure-reason-code from an Exim text (ex_slug_plain()),
 * remembered by its text */
void
ex_slug(struct span t, char *out)
{
    struct ex_slug_memo *m;

    if (t.len == 0 || t.len > EX_SLUG_IN) {
        ex_slug_plain(t, out);
        return;
    }
    m = &ex_slug_memo[ex_memo_slot(t)];
    if (m->len == t.len && memcmp(m->in, t.ptr, t.len) == 0) {
        memcpy(out, m->out, m->out_len);
        return;
    }
    ex_slug_plain(t, out);
    m->len = t.len;
    memcpy(m->in, t.ptr, t.len);
    m->out_len = strlen(out) + 1;
    memcpy(m->out, out, m->out_len);
}

/* ex_set_reason - a fixed reason code, or the slug of t */
static void
ex_set_reason(struct ex_event *ev, const char *fixed, struct span t)
{
    if (fixed)
        ex_slug(span_make(fixed, strlen(fixed)), ev->reason);
    else
        ex_slug(t, ev->reason);
}

/* ex_contains - 1 when the literal lit occurs in s */
#define ex_contains(s, lit) (EX_FIND((s), lit) >= 0)

/* ex_cert_type_plain - result type of a certificate problem text, read
 * from it: its words sought in turn, a span_find() each */
static int
ex_cert_type_plain(struct span t, int dflt)
{
    if (ex_contains(t, "expired"))
        return SESS_CERT_EXPIRED;
    if (ex_contains(t, "name mismatch") || ex_contains(t, "hostname")
        || ex_contains(t, "mis-match"))
        return SESS_CERT_HOST_MISMATCH;
    if (ex_contains(t, "self signed") || ex_contains(t, "self-signed")
        || ex_contains(t, "local issuer")
        || ex_contains(t, "unable to get issuer")
        || ex_contains(t, "unable to verify the first")
        || ex_contains(t, "untrusted") || ex_contains(t, "not trusted")
        || ex_contains(t, "revoked"))
        return SESS_CERT_NOT_TRUSTED;
    return dflt;
}

/* The texts ex_cert_type() read last on this thread, each with its
 * type (0: none of its words, the caller's default), in the place
 * ex_memo_slot() gives: an Exim log gives a few certificate problems
 * again and again ("SSL verify error: ...", GnuTLS's "(certificate
 * verification failed): ..."), and each was twelve span_find()s, a
 * memchr() call or more each (1.5 % of a run's instructions on the
 * 20 MB slice of an Exim log). What is kept is a function of the text
 * alone. Per thread: no sharing */
#define EX_CERT_IN 128              /* longer texts are not kept */

struct ex_cert_memo {
    size_t  len;                    /* of in; 0: nothing kept */
    int     type;                   /* ex_cert_type_plain(in, 0) */
    char    in[EX_CERT_IN];
};

static _Thread_local struct ex_cert_memo ex_cert_memo[EX_MEMO_WAYS];

/* ex_cert_type - ex_cert_type_plain(), remembered by the text */
static int
ex_cert_type(struct span t, int dflt)
{
    struct ex_cert_memo *m;
    int     type;

    if (t.len == 0 || t.len > EX_CERT_IN)
        return ex_cert_type_plain(t, dflt);
    m = &ex_cert_memo[ex_memo_slot(t)];
    if (m->len != t.len || memcmp(m->in, t.ptr, t.len) != 0) {
        m->type = ex_cert_type_plain(t, 0);
        m->len = t.len;
        memcpy(m->in, t.ptr, t.len);
    }
    type = m->type;
    return type != 0 ? type : dflt;
}

/* ex_openssl_reason - the reason field of "error:CODE:LIB:FUNC:REASON" */
static int
ex_openssl_reason(struct span t, char *out)
{
    long    off = EX_FIND(t, "error:");
    int     field = 0;
    size_t  i, start = 0;

    if (off < 0)
        return -1;
    span_drop(&t, (size_t) off);
    for (i = 0; i < t.len; i++)
        if (t.ptr[i] == ':' && ++field == 4)
            start = i + 1;
        else if (t.ptr[i] == ':' && field == 5)
            break;
    if (field < 4 || i <= start)
        return -1;
    ex_slug(span_make(t.ptr + start, i - start), out);
    return out[0] ? 0 : -1;
}

/* ex_tls_errstr - tls_errstr "(func): text" or "(func) text": E9-E11 */
static void
ex_tls_errstr(struct span e, struct ex_event *ev)
{
    struct span fn = span_make(e.ptr, 0);
    struct span rest = e;

    if (rest.len > 0 && rest.ptr[0] == '(') {
        span_drop(&rest, 1);
        if (span_upto(&rest, ")", &fn, 64) != 0) {
            fn = span_make(e.ptr, 0);
            rest = e;
        }
    }
    (void) EX_SKIP(&rest, ":");
    while (rest.len > 0 && rest.ptr[0] == ' ')
        span_drop(&rest, 1);
    rest = span_trim(rest);
    ev->refine = 1;
    if (EX_EQ(fn, "certificate verification failed")) {
        /* GnuTLS: chain or name, it does not say which (E9) */
        ev->result = ex_cert_type(rest, SESS_CERT_NOT_TRUSTED);
        ex_set_reason(ev, NULL, rest.len ? rest : fn);
        return;
    }
    ev->result = SESS_VALIDATION_FAILURE;           /* E10, E11 */
    if (ex_openssl_reason(rest, ev->reason) != 0)
        ex_set_reason(ev, NULL, rest.len ? rest : fn);
    if (ev->reason[0] == 0)
        ex_set_reason(ev, "handshake-failure", rest);
}

/* ex_dane_text - "DANE error: ..." after the prefix: E15-E18, E20 */
static void
ex_dane_text(struct span t, struct ex_event *ev)
{
    long    off;

    ev->dane = 1;
    if (EX_STARTS(t, "tlsa lookup DEFER")) {
        ev->result = SESS_DNSSEC_INVALID;
    } else if (EX_STARTS(t, "tlsa lookup FAIL")) {
        ev->result = SESS_DANE_REQUIRED;
    } else if (EX_STARTS(t, "No usable TLSA records")) {
        ev->result = SESS_TLSA_INVALID;
    } else if (EX_STARTS(t, "TLSA lookup for ")
               || EX_STARTS(t, "TLSA lookup not")) {
        ev->result = SESS_DANE_REQUIRED;            /* cond: hosts_try_dane */
        ex_set_reason(ev, "tlsa-lookup-not-dnssec", t);
        return;
    } else if ((off = EX_FIND(t, " lookup not DNSSEC")) > 0) {
        ev->result = SESS_DANE_REQUIRED;    /* E17: "H lookup not DNSSEC" */
        ev->aux = span_make(t.ptr, (size_t) off);
        ex_set_reason(ev, "lookup-not-dnssec", t);
        return;
    } else {
        ev->result = SESS_VALIDATION_FAILURE;
    }
    ex_set_reason(ev, NULL, span_trim(t));
}

/* ex_past_ehlo - the text shows an SMTP dialogue that got past EHLO */
static int
ex_past_ehlo(struct span t)
{
    long    off = EX_FIND(t, "SMTP error from remote mail server after ");
    size_t  skip = strlen("SMTP error from remote mail server after ");

    if (off < 0) {
        off = EX_FIND(t, "closed connection in response to ");
        skip = strlen("closed connection in response to ");
    }
    if (off < 0)
        return 0;
    span_drop(&t, (size_t) off + skip);
    (void) EX_SKIP(&t, "pipelined ");
    if (EX_STARTS(t, "initial connection") || EX_STARTS(t, "EHLO")
        || EX_STARTS(t, "HELO") || EX_STARTS(t, "LHLO")
        || EX_STARTS(t, "STARTTLS"))
        return 0;
    return t.len > 0;
}

/* ex_own_len - the bytes at the start of an error text that are
 * Exim's own: up to the first "SMTP error from remote mail server
 * after " or "closed connection in response to " (what follows is the
 * command, with an address any sender may choose, "RCPT
 * TO:<"a TLS session is required, ..."@victim>", and the remote's
 * reply), and up to the first '<' or '"' (an address, a quoted local
 * part). Exim's TLS and DANE texts stand before any of them; one found
 * after them is a sender's or a remote server's, and made a counted
 * failure of the address's domain (testdata/exim/syn-forged-text) */
static size_t
ex_own_len(struct span t, long *smtp_err)
{
    size_t  n = t.len;
    const char *q;
    long    off;

    *smtp_err = EX_FIND(t, "SMTP error from remote mail server after ");
    if (*smtp_err >= 0)
        n = (size_t) *smtp_err;
    if ((off = EX_FIND(span_make(t.ptr, n),
                         "closed connection in response to ")) >= 0)
        n = (size_t) off;
    if ((q = memchr(t.ptr, '<', n)) != NULL)
        n = (size_t) (q - t.ptr);
    if ((q = memchr(t.ptr, '"', n)) != NULL)
        n = (size_t) (q - t.ptr);
    return n;
}

/* ex_text_plain - result type implied by an error text, or -1: Exim's
 * texts sought in its own part only (ex_own_len()), E8 by the command
 * the SMTP error names */
static void
ex_text_plain(struct span t, struct ex_event *ev)
{
    long    off, smtp_err;
    int     tls;
    struct span own;

    ev->text = t;
    if (t.len == 0) {
        ev->past_ehlo = 0;      /* nothing below is found in no text (a
                                 * delivery without error: most) */
        return;
    }
    own = span_make(t.ptr, ex_own_len(t, &smtp_err));
    /* each text of the TLS tests holds "TLS": one search for it tells
     * when none of them can match */
    tls = EX_FIND(own, "TLS") >= 0;
    if (tls && ex_contains(own, "a TLS session is required, but the server"
                           " did not")) {
        ev->result = SESS_STARTTLS_NOT_SUPPORTED;   /* E6 */
        ev->reason[0] = 0;
    } else if (tls && ex_contains(own, "a TLS session is required, but an"
                                  " attempt")) {
        ev->result = SESS_VALIDATION_FAILURE;       /* E7: Exim's own word */
        ex_set_reason(ev, "starttls-attempt-failed", t);
    } else if (smtp_err >= 0
               && (EX_STARTS(span_make(t.ptr + smtp_err + 41,
                                         t.len - (size_t) smtp_err - 41),
                               "STARTTLS")
                   || EX_STARTS(span_make(t.ptr + smtp_err + 41,
                                            t.len - (size_t) smtp_err - 41),
                                  "pipelined STARTTLS"))) {
        ev->result = SESS_STARTTLS_NOT_SUPPORTED;   /* E8 */
        ex_set_reason(ev, "starttls-refused", t);
    } else if (tls && (off = EX_FIND(own, "TLS session: ")) >= 0) {
        struct span e = t;
        long    end;

        span_drop(&e, (size_t) off + 13);
        if ((end = EX_FIND(e, ": delivering unencrypted to ")) >= 0
            || (end = EX_FIND(e, ": callout unencrypted to ")) >= 0)
            e.len = (size_t) end;
        ex_tls_errstr(e, ev);
    } else if (tls
               && (ex_contains(own, "TLS session failure")
                   || ex_contains(own, "failure while setting up TLS"
                                  " session"))) {
        ev->result = SESS_VALIDATION_FAILURE;       /* Exim <= 4.8x */
        ev->refine = 1;
        ex_set_reason(ev, "tls-session-failure", t);
    } else if ((off = EX_FIND(own, "DANE error: ")) >= 0) {
        struct span d = t;

        span_drop(&d, (size_t) off + 12);
        ex_dane_text(d, ev);
    } else {
        ev->past_ehlo = ex_past_ehlo(t);
    }
}

/* The texts ex_text() read last on this thread, each with what it
 * wrote of the event: the fields (result, reason, refine, dane, aux,
 * past_ehlo), each as the plain reading left it, in the place
 * ex_memo_slot() gives. An Exim log gives a few error texts again and
 * again, and reading one (its TLS, DANE and SMTP literals sought, the
 * function and the certificate's words, the reason folded) cost 385
 * instructions, a TLS handshake's 870: 2.4 % of a run's on the 20 MB
 * slice of an Exim log. What ex_text_plain() writes is a function of
 * the text alone: it reads no field of the event but the reason it
 * wrote itself. aux, when written, is a span into the text: kept as
 * its place in it. Per thread: no sharing */
#define EX_TEXT_IN 128              /* longer texts are not kept */
#define EX_TEXT_WAYS 256            /* texts kept: 2^8 (64 missed a third
                                     * of the texts of an Exim log) */
_Static_assert(EX_TEXT_WAYS == 1 << 8, "ex_text() takes 8 bits");

#define EX_TW_RESULT    0x01        /* the fields ex_text_plain() wrote */
#define EX_TW_REFINE    0x02
#define EX_TW_DANE      0x04
#define EX_TW_PAST      0x08
#define EX_TW_AUX       0x10
#define EX_TW_REASON    0x20

struct ex_text_memo {
    size_t  len;                    /* of in; 0: nothing kept */
    unsigned wrote;                 /* EX_TW_* */
    int     result, refine, dane, past_ehlo;
    size_t  aux_at, aux_len;
    char    in[EX_TEXT_IN];
    char    reason[EX_REASON_MAX + 1];  /* every byte, as written over
                                         * zeros */
};

static _Thread_local struct ex_text_memo ex_text_memo[EX_TEXT_WAYS];

/* ex_text_learn - ex_text_plain() of t on an event of marks (values it
 * never writes: SCHAR_MIN, UCHAR_MAX, a reason of 1 then zeros, aux at a byte of
 * its own), what it wrote kept in m */
static void
ex_text_learn(struct ex_text_memo *m, struct span t)
{
    static const char no_aux;
    struct ex_event e;

    e.result = SCHAR_MIN;
    e.refine = e.dane = e.past_ehlo = UCHAR_MAX;
    e.aux = span_make(&no_aux, 0);
    memset(e.reason, 0, sizeof(e.reason));
    e.reason[0] = 1;
    ex_text_plain(t, &e);
    m->wrote = (e.result != SCHAR_MIN ? EX_TW_RESULT : 0)
        | (e.refine != UCHAR_MAX ? EX_TW_REFINE : 0)
        | (e.dane != UCHAR_MAX ? EX_TW_DANE : 0)
        | (e.past_ehlo != UCHAR_MAX ? EX_TW_PAST : 0)
        | (e.aux.ptr != &no_aux ? EX_TW_AUX : 0)
        | (e.reason[0] != 1 ? EX_TW_REASON : 0);
    m->result = e.result;
    m->refine = e.refine;
    m->dane = e.dane;
    m->past_ehlo = e.past_ehlo;
    m->aux_at = e.aux.ptr != &no_aux ? (size_t) (e.aux.ptr - t.ptr) : 0;
    m->aux_len = e.aux.len;
    memcpy(m->reason, e.reason, sizeof(m->reason));
    m->len = t.len;
    memcpy(m->in, t.ptr, t.len);
}

/* ex_text - ex_text_plain(), remembered by the text. ev's reason is
 * all zero on entry (ex_classify() cleared the event, and no caller
 * writes a reason before): a kept reason is every byte the plain
 * reading leaves there */
static void
ex_text(struct span t, struct ex_event *ev)
{
    struct ex_text_memo *m;

    if (t.len == 0 || t.len > EX_TEXT_IN) {
        ex_text_plain(t, ev);
        return;
    }
    m = &ex_text_memo[ex_memo_hash(t) >> 56];
    if (m->len != t.len || memcmp(m->in, t.ptr, t.len) != 0)
        ex_text_learn(m, t);
    ev->text = t;
    if (m->wrote & EX_TW_RESULT)
        ev->result = m->result;
    if (m->wrote & EX_TW_REFINE)
        ev->refine = m->refine;
    if (m->wrote & EX_TW_DANE)
        ev->dane = m->dane;
    if (m->wrote & EX_TW_PAST)
        ev->past_ehlo = m->past_ehlo;
    if (m->wrote & EX_TW_AUX)
        ev->aux = span_make(t.ptr + m->aux_at, m->aux_len);
    if (m->wrote & EX_TW_REASON)
        memcpy(ev->reason, m->reason, sizeof(ev->reason));
}

/* ex_scan3 - the first j in [i, n) with p[j] == a, b or c, else max(i,
 * n). The long fields of a delivery line (X=, DN="..", C="..") are most
 * of its bytes, and each was read a byte at a time. With SSE2 (every
 * x86-64) sixteen bytes at a time: three compares and one mask, about a
 * fifth of the instructions of the eight-byte word test below (which
 * takes the tail, and every byte elsewhere: a word holds byte c when
 * w ^ c*ones has a zero byte; the lowest byte flagged is the first, as
 * a borrow only runs upwards) */
static inline size_t
ex_scan3(const char *p, size_t i, size_t n, char a, char b, char c)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    uint64_t w, x, y, z, m;

#ifdef __SSE2__
    if (n >= 16 && i < n) {
        const __m128i va = _mm_set1_epi8(a);
        const __m128i vb = _mm_set1_epi8(b);
        const __m128i vc = _mm_set1_epi8(c);
        __m128i v;
        unsigned bits;

#define EX_SCAN_BITS(at) \
        (v = _mm_loadu_si128((const __m128i *) (const void *) (p + (at))), \
         (unsigned) _mm_movemask_epi8(_mm_or_si128(_mm_or_si128( \
             _mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)), \
             _mm_cmpeq_epi8(v, vc))))
        for (; i + 16 <= n; i += 16)
            if ((bits = EX_SCAN_BITS(i)) != 0)
                return i + (size_t) __builtin_ctz(bits);
        if (i < n) {            /* the last 16 bytes, those before i off */
            bits = EX_SCAN_BITS(n - 16) >> (i - (n - 16));
            return bits != 0 ? i + (size_t) __builtin_ctz(bits) : n;
        }
#undef EX_SCAN_BITS
        return i;
    }
#endif
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        x = w ^ (ones * (unsigned char) a);
        y = w ^ (ones * (unsigned char) b);
        z = w ^ (ones * (unsigned char) c);
        m = (((x - ones) & ~x) | ((y - ones) & ~y) | ((z - ones) & ~z))
            & high;
        if (m != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return i + (size_t) (__builtin_ctzll(m) >> 3);
#else
            break;              /* the bytes one by one, below */
#endif
        }
    }
    for (; i < n; i++)
        if (p[i] == a || p[i] == b || p[i] == c)
            break;
    return i;
}

/* ex_scan_word - ex_scan3(p, 0, n, '=', ' ', '"'): the end of a word,
 * the recipient's or a key's. With SSE2 the space and the quote are one
 * compare (byte | 2 is '"' for those two bytes alone) and the '=' the
 * other: ex_scan3()'s loop of three compares, two of them on copies of
 * its constants, was 18 instructions a step, on every delivery */
static inline size_t
ex_scan_word(const char *p, size_t n)
{
#ifdef __SSE2__
    if (n >= 16) {
        const __m128i two = _mm_set1_epi8(2);
        const __m128i vq = _mm_set1_epi8('"');
        const __m128i ve = _mm_set1_epi8('=');
        size_t  i;
        unsigned bits;

#define EX_WORD_BITS(at) \
        (v = _mm_loadu_si128((const __m128i *) (const void *) (p + (at))), \
         (unsigned) _mm_movemask_epi8(_mm_or_si128( \
             _mm_cmpeq_epi8(_mm_or_si128(v, two), vq), \
             _mm_cmpeq_epi8(v, ve))))
        __m128i v;

        for (i = 0; i + 16 <= n; i += 16)
            if ((bits = EX_WORD_BITS(i)) != 0)
                return i + (size_t) __builtin_ctz(bits);
        if (i < n) {            /* the last 16 bytes, those before i off */
            bits = EX_WORD_BITS(n - 16) >> (i - (n - 16));
            return bits != 0 ? i + (size_t) __builtin_ctz(bits) : n;
        }
#undef EX_WORD_BITS
        return n;
    }
#endif
    return ex_scan3(p, 0, n, '=', ' ', '"');
}

/* ex_scan_word_at - ex_scan_word() of a recipient in n >= 16 bytes
 * (the line's rest), and in the same loads the place of the last '@'
 * before the word's end (*at; -1: none): the domain without a second
 * pass over the recipient, back from its end (ex_read_dlv()) */
#ifdef __SSE2__
static inline __attribute__((always_inline)) size_t
ex_scan_word_at(const char *p, size_t n, long *at)
{
    const __m128i two = _mm_set1_epi8(2);
    const __m128i vq = _mm_set1_epi8('"');
    const __m128i ve = _mm_set1_epi8('=');
    const __m128i va = _mm_set1_epi8('@');
    long    last = -1;
    size_t  i, e;
    unsigned bits, a;
    __m128i v;

#define EX_WORD_AT(off) \
    (v = _mm_loadu_si128((const __m128i *) (const void *) (p + (off))), \
     a = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(v, va)), \
     bits = (unsigned) _mm_movemask_epi8(_mm_or_si128( \
         _mm_cmpeq_epi8(_mm_or_si128(v, two), vq), _mm_cmpeq_epi8(v, ve))))
    for (i = 0; i + 16 <= n; i += 16) {
        EX_WORD_AT(i);
        if (bits != 0) {
            /* the '@'s after the end off: the bits up to the end's
             * (no '@' is an end) */
            a &= bits ^ (bits - 1);
            *at = a != 0 ? (long) (i + 31 - (size_t) __builtin_clz(a)) : last;
            return i + (size_t) __builtin_ctz(bits);
        }
        if (a != 0)
            last = (long) (i + 31 - (size_t) __builtin_clz(a));
    }
    if (i < n) {                /* the last 16 bytes, those before i off */
        EX_WORD_AT(n - 16);
        bits >>= i - (n - 16);
        a >>= i - (n - 16);
        e = bits != 0 ? (size_t) __builtin_ctz(bits) : n - i;
        a &= (1u << e) - 1;
        *at = a != 0 ? (long) (i + 31 - (size_t) __builtin_clz(a)) : last;
        return i + e;
    }
#undef EX_WORD_AT
    *at = last;
    return n;
}
#endif

/* ex_scan - ex_scan3() of two bytes (b twice: the compiler folds it) */
static inline size_t
ex_scan(const char *p, size_t i, size_t n, char a, char b)
{
    return ex_scan3(p, i, n, a, b, b);
}

/* ex_hostgroup - "name[ DS] [address][:port][*]" at the cursor (after
 * "H=" or "to "); need_addr: fail without "[address]" */
static inline __attribute__((always_inline)) int
ex_hostgroup_in(struct span *s, struct ex_event *ev, int need_addr)
{
    size_t  n = s->len < EX_MAX_HOST ? s->len : EX_MAX_HOST;
    size_t  i = 0, j, k;

    i = ex_scan(s->ptr, 0, n, ' ', '[');
    if (i == 0 || s->ptr[0] == '(')
        return -1;                      /* "(helo)": an inbound client */
    j = i;
    if (j < n && s->ptr[j] == ' ')
        j++;
    if (j + 3 <= n && memcmp(s->ptr + j, "DS ", 3) == 0)
        j += 3;                         /* +dnssec */
    if (j >= n || s->ptr[j] != '[') {
        if (need_addr)
            return -1;
        ev->host = span_make(s->ptr, i);
        if (ev->host.len > 0 && ev->host.ptr[ev->host.len - 1] == ':')
            ev->host.len--;
        span_drop(s, i);
        return 0;
    }
    /* up to EX_MAX_ADDR bytes inside, then the ']' */
    k = ex_scan(s->ptr, j + 1, n < j + EX_MAX_ADDR + 1 ? n
                : j + EX_MAX_ADDR + 1, ']', ']');
    if (k >= n || s->ptr[k] != ']')
        return -1;
    ev->host = span_make(s->ptr, i);
    ev->ip = span_make(s->ptr + j + 1, k - j - 1);
    k++;
    if (k + 1 < s->len && s->ptr[k] == ':' && s->ptr[k + 1] != ' ') {
        int     port = 0, num = 1;      /* +outgoing_port; "PORT_D" munged */

        k++;
        while (k < s->len && k < n && s->ptr[k] != ' ' && s->ptr[k] != ':'
               && s->ptr[k] != '*') {
            if (s->ptr[k] < '0' || s->ptr[k] > '9')
                num = 0;
            else if (port < 100000)
                port = port * 10 + (s->ptr[k] - '0');
            k++;
        }
        ev->port = num ? port : -1;
    }
    if (k < s->len && s->ptr[k] == '*') {
        ev->cont = 1;                   /* continue_sequence > 1 */
        k++;
    }
    span_drop(s, k);
    return 0;
}

/* ex_hostgroup - ex_hostgroup_in(), a call: the walk of a delivery's
 * fields (ex_delivery_walk()) had it inlined, 1.7 KB of its code for
 * a group read on a fifth of the walks (most are kept) */
__attribute__((noinline))
static int
ex_hostgroup(struct span *s, struct ex_event *ev, int need_addr)
{
    return ex_hostgroup_in(s, ev, need_addr);
}

/* ex_key_byte - 1 when c may stand before the '=' of a key: none of
 * the bytes the key scan of ex_field_len() stops at */
static inline int
ex_key_byte(char c)
{
    return c != '=' && c != ' ' && c != '"';
}

/* ex_field_end - bytes of the field at p whose value starts at v (0:
 * no key): KEY="..", KEY=<..>, <..>, word */
static inline size_t
ex_field_end(const char *p, size_t n, size_t v)
{
    size_t  i = 0;
    int     q = 0;

    if (v == 0 && p[0] == '"') {        /* "local part"@domain */
        i = 1;
        while (i < n && p[i] != '"')
            i += p[i] == '\\' ? 2 : 1;        /* a quoted pair: "a\"b" */
        i = i < n ? i + 1 : n;
    } else if (v > 0 && v < n && p[v] == '"') {
        /* C="...", DN="...": \-escapes; ends at a '"' before ' ', ':'
         * or the end */
        for (i = v + 1; (i = ex_scan(p, i, n, '"', '\\')) < n; i++) {
            if (p[i] == '\\')
                i++;
            else if (i + 1 == n || p[i + 1] == ' ' || p[i + 1] == ':')
                break;
        }
        i = i < n ? i + 1 : n;
    } else if (v < n && p[v] == '<') {  /* F=<..>, <parent>: may quote */
        i = v + 1;
        while (i < n && !(p[i] == '>' && !q)) {
            if (p[i] == '"')
                q = !q;
            else if (p[i] == '\\' && q)
                i++;            /* a quoted pair: "a\">" is no end */
            i++;
        }
        i = i < n ? i + 1 : n;
    } else {
        i = v;
    }
    if (i >= n || p[i] == ' ')
        return i;                       /* after a quote or '>': the scan's
                                         * answer, without its set-up */
    return ex_scan(p, i, n, ' ', ' ');
}

/* ex_field_len - bytes of the field at p: KEY="..", KEY=<..>, <..>, word */
static inline size_t
ex_field_len(const char *p, size_t n)
{
    size_t  v;

    if (n > 2 && p[1] == '=' && p[0] != '=' && p[0] != '"'
        && p[0] != ' ')
        v = 2;                          /* "R=", "T=", ...: most keys */
    else if (n > 2 && p[2] == '=' && ex_key_byte(p[0]) && ex_key_byte(p[1]))
        v = 3;                          /* "CV=", "DN=": the scan below
                                         * finds this '=' first */
    else if ((v = ex_scan_word(p, n < 16 ? n : 16)) < n
             && p[v] == '=')
        v++;
    else
        v = 0;
    return ex_field_end(p, n, v);
}

/* ex_field_len_cold - ex_field_len() out of line, for a recipient
 * that is no plain word ("local part"@domain, <..>): seldom */
__attribute__((noinline, cold))
static size_t
ex_field_len_cold(const char *p, size_t n)
{
    return ex_field_len(p, n);
}

/* ex_delivery_key - what a field of a delivery line past the first
 * (the recipient) sets, by its first byte: each key below has its own */
static inline void
ex_delivery_key(const char *t, size_t n, struct ex_event *ev)
{
    struct span tok = span_make(t, n);

    if (n < 2)
        return;
    /* tests, not a switch: a jump table's one indirect jump went to
     * another place on most fields, and mispredicted */
    if (t[0] == 'C') {
        if (EX_STARTS(tok, "CV="))
            ev->cv = EX_EQ(tok, "CV=yes") ? EX_CV_YES
                : EX_EQ(tok, "CV=dane") ? EX_CV_DANE : EX_CV_NO;
    } else if (t[0] == 'D') {
        ev->dn |= EX_STARTS(tok, "DN=");
    } else if (t[0] == 'X') {
        if (t[1] == '=') {
            ev->tls = 1;
            ev->cipher = span_make(t + 2, n - 2);
        }
    } else if (t[0] == 'T') {
        if (t[1] == '=')
            ev->has_t = 1;
        else if (EX_EQ(tok, "TFO**"))
            ev->cont = 1;               /* "*" after the host group */
    } else if (t[0] == 'I' || t[0] == 'P') {
        if ((EX_STARTS(tok, "I=[") || EX_STARTS(tok, "PRX=["))
            && EX_ENDS(tok, "*"))
            ev->cont = 1;
    }
}

/* The fields of delivery lines walked last on this thread, from after
 * the recipient up to the field "C=" (the remote's confirmation, its
 * own on each line), each with what the walk had set when it came
 * there. A log repeats a few of them again and again ("R=dnslookup
 * T=remote_smtp H=mx.example [192.0.2.1] X=TLS1.3:... CV=yes
 * DN=\"...\" "), and their walk, a field's end sought and its key
 * told for each, was over half of the instructions of a delivery line
 * and a fifth of a run's mispredicted branches. A walk that comes to
 * the place of a kept one (ex_walk_at(): a hash of its first
 * EX_WALK_KEY bytes) with the same bytes takes what it set and goes on
 * from there. What the walk sets at the start of a field is a
 * function of the bytes before it alone: every field before it ended
 * there (its end found at a byte before it, every test of the line's
 * end true for those bytes in any line that holds them), and the
 * event was cleared before the walk (ex_event_start()). Spans are kept
 * as their place from the walk's start (-1: none). Per thread, on the
 * heap with the whole lines below (struct ex_mem): no sharing */
#define EX_WALK_KEY 48              /* bytes hashed: the least kept */
#define EX_WALK_IN 384              /* longer walks are not kept */
#define EX_WALK_BITS 7              /* 128 sets of EX_WALK_WAYS places:
                                     * walks alike in their first bytes
                                     * ("CV=dane" and "CV=no" of one host)
                                     * share a set, not a place; in 32
                                     * sets (the thread-local block's
                                     * limit) the 96 walks of the 20 MB
                                     * slice of an Exim log were kept
                                     * again 2,658 times, in 128 902 */
#define EX_WALK_WAYS 4

/* the flags a walk sets, bytes in a row of struct ex_event (cont,
 * has_t, tls, dn, cv): kept and taken as one block, a load and a
 * store or two (five of each, one a flag, when they were ints) */
#define EX_WALK_FL 5
#define EX_WALK_FL_AT offsetof(struct ex_event, cont)
_Static_assert(offsetof(struct ex_event, has_t) == EX_WALK_FL_AT + 1
               && offsetof(struct ex_event, tls) == EX_WALK_FL_AT + 2
               && offsetof(struct ex_event, dn) == EX_WALK_FL_AT + 3
               && offsetof(struct ex_event, cv) == EX_WALK_FL_AT + 4,
               "a walk's flags are five bytes in a row");

struct ex_walk_memo {
    uint32_t len;                   /* of in; 0: nothing kept */
    uint32_t nf;                    /* the walk's count of fields */
    int32_t host_at, ip_at, cipher_at;      /* -1: no span */
    uint32_t host_len, ip_len, cipher_len;
    int     port;
    unsigned char fl[EX_WALK_FL];   /* the event's cont to cv */
    char    in[EX_WALK_IN];
};

struct ex_walk_set {
    struct ex_walk_memo way[EX_WALK_WAYS];
    unsigned next;                  /* the place filled next */
};

/* ex_walk_at - the set in tab of the walk that starts at p
 * (EX_WALK_KEY bytes or more) */
static inline struct ex_walk_set *
ex_walk_at(struct ex_walk_set *tab, const char *p)
{
    uint64_t a, b, c, d, e, f;

    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 8);
    memcpy(&c, p + 16, 8);
    memcpy(&d, p + 24, 8);
    memcpy(&e, p + 32, 8);
    memcpy(&f, p + 40, 8);
    a = (a ^ d) * 0x9e3779b97f4a7c15ULL + (b ^ e);
    a = (a ^ (c + f)) * 0xff51afd7ed558ccdULL;
    return &tab[a >> (64 - EX_WALK_BITS)];
}

/* ex_walk_span - a span kept as its place from base (-1: none) */
static inline struct span
ex_walk_span(const char *base, int32_t at, uint32_t len)
{
    return at < 0 ? span_make(NULL, 0) : span_make(base + at, len);
}

/* ex_walk_place - a span's place from base, -1 for none */
static inline int32_t
ex_walk_place(const char *base, struct span sp)
{
    return sp.ptr == NULL ? -1 : (int32_t) (sp.ptr - base);
}

/* ex_walk_keep - what the walk from p0 set when it came to p */
__attribute__((noinline))
static void
ex_walk_keep(struct ex_walk_memo *m, const char *p0, const char *p,
             int nf, const struct ex_event *ev)
{
    m->len = (uint32_t) (p - p0);
    m->nf = (uint32_t) nf;
    m->host_at = ex_walk_place(p0, ev->host);
    m->host_len = (uint32_t) ev->host.len;
    m->ip_at = ex_walk_place(p0, ev->ip);
    m->ip_len = (uint32_t) ev->ip.len;
    m->cipher_at = ex_walk_place(p0, ev->cipher);
    m->cipher_len = (uint32_t) ev->cipher.len;
    m->port = ev->port;
    memcpy(m->fl, (const char *) ev + EX_WALK_FL_AT, EX_WALK_FL);
    memcpy(m->in, p0, m->len);
}

/* Whole lines kept per thread: the rest of a delivery line after its
 * recipient when the walk met no "C=" (the line ends in its fields or
 * in an error text: half of an Exim log's deliveries, to which the
 * kept walks above never apply), and the body of a line of the rarer
 * shapes with work in them (first byte 'H', '[', 'T', 'D' or 'd': a
 * per-MX line, a certificate problem, a TLS or DANE text, a DANE
 * event), each with the event its reading left. A log repeats them
 * again and again with another recipient or message id: "R=client
 * T=send_to_server defer (-37) H=h [ip]: TLS session: (certificate
 * verification failed)",
 * "H=mx.y [ip] Network is unreachable". What ex_delivery() sets after
 * the recipient is a function of those bytes, the marker, the kind it
 * starts with and lazy (the event was cleared before: ex_event_start()),
 * and what ex_classify() sets a function of the body and its flags
 * (it is pure, its memories functions of a text alone): a line whose
 * kept bytes and tag (those inputs) are the same takes the kept event.
 * Spans are kept as their place from the kept bytes' start (or from
 * the delivery body's start, for the empty text ex_delivery() leaves
 * there), NULL and other pointers as they are; an event with a span
 * elsewhere in the line is not kept. 128 sets of 4 places by a hash of
 * the first and last eight bytes, the length and the tag (in 32 sets of
 * up to 224 bytes 525 deliveries of the 20 MB slice of an Exim log were
 * too long, and the slice's 103 rests and bodies pushed each other
 * out), on the heap with the walks above (struct ex_mem, 550 KB: the
 * thread-local block is at its limit; calloc() leaves the pages never
 * written untouched), made on first need and freed at the thread's end */
#define EX_LM_IN 384                /* longer lines are not kept */
#define EX_LM_BITS 7
#define EX_LM_WAYS 4
#define EX_LM_SPANS 6
#define EX_LM_DLV 0x40000000u       /* a tag of a delivery's rest */

struct ex_lm {
    uint32_t len;                   /* of in; 0: nothing kept */
    uint32_t tag;
    int16_t at[EX_LM_SPANS];        /* -1: as kept; else its place from
                                     * in (or, with EX_LM_B0, the base) */
    struct ex_event ev;
    char    in[EX_LM_IN];
};

#define EX_LM_B0 0x4000             /* a place from the delivery body */

struct ex_lm_set {
    struct ex_lm way[EX_LM_WAYS];
    unsigned next;
};

static const size_t ex_lm_span_at[EX_LM_SPANS] = {
    offsetof(struct ex_event, host), offsetof(struct ex_event, ip),
    offsetof(struct ex_event, rcpt), offsetof(struct ex_event, aux),
    offsetof(struct ex_event, cipher), offsetof(struct ex_event, text),
};

/* what a thread keeps on the heap: the whole lines, the walks */
struct ex_mem {
    struct ex_lm_set lm[1 << EX_LM_BITS];
    struct ex_walk_set walk[1 << EX_WALK_BITS];
};

static _Thread_local struct ex_mem *ex_mem;
static _Thread_local int ex_lm_failed;
static pthread_key_t ex_lm_key;
static pthread_once_t ex_lm_once = PTHREAD_ONCE_INIT;
static int ex_lm_keyed;

/* ex_lm_key_make - the key whose end frees a thread's table */
static void
ex_lm_key_make(void)
{
    ex_lm_keyed = pthread_key_create(&ex_lm_key, free) == 0;
}

/* ex_lm_make - the calling thread's memories, made now; NULL without
 * them (no memory: lines are read as without it) */
__attribute__((noinline, cold))
static struct ex_mem *
ex_lm_make(void)
{
    if (ex_lm_failed)
        return NULL;
    (void) pthread_once(&ex_lm_once, ex_lm_key_make);
    if (!ex_lm_keyed || (ex_mem = calloc(1, sizeof(*ex_mem))) == NULL
        || pthread_setspecific(ex_lm_key, ex_mem) != 0) {
        free(ex_mem);
        ex_mem = NULL;
        ex_lm_failed = 1;
    }
    return ex_mem;
}

/* ex_mem_get - the calling thread's memories, made on first need */
static inline struct ex_mem *
ex_mem_get(void)
{
    struct ex_mem *mm = ex_mem;

    return mm != NULL ? mm : ex_lm_make();
}

/* ex_lm_same - the n bytes (n >= 8) at a and b are the same */
static inline int
ex_lm_same(const char *a, const char *b, size_t n)
{
    uint64_t x, y, u, v;

    if (n >= 16)
        return ex_same16(a, b, n);
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    memcpy(&u, a + n - 8, 8);
    memcpy(&v, b + n - 8, 8);
    return ((x ^ y) | (u ^ v)) == 0;
}

/* ex_lm_find - the kept line of bytes p (8 to EX_LM_IN) and tag, or
 * NULL and *fill: the set to keep it in */
static inline struct ex_lm *
ex_lm_find(const char *p, size_t n, uint32_t tag, struct ex_lm_set **fill)
{
    struct ex_mem *mm = ex_mem_get();
    struct ex_lm_set *set;
    uint64_t a, b;
    unsigned w;

    *fill = NULL;
    if (mm == NULL)
        return NULL;
    set = mm->lm;
    memcpy(&a, p, 8);
    memcpy(&b, p + n - 8, 8);
    a ^= (b + n + ((uint64_t) tag << 32)) * 0x9e3779b97f4a7c15ULL;
    set += (a * 0xff51afd7ed558ccdULL) >> (64 - EX_LM_BITS);
    for (w = 0; w < EX_LM_WAYS; w++) {
        struct ex_lm *m = &set->way[w];

        if (m->len == n && m->tag == tag && ex_lm_same(m->in, p, n))
            return m;
    }
    *fill = set;
    return NULL;
}

/* ex_lm_take - the kept event into ev, its spans placed at p (b0: the
 * delivery body's start) */
static inline void
ex_lm_take(const struct ex_lm *m, const char *p, const char *b0,
           struct ex_event *ev)
{
    int     i;

    *ev = m->ev;
    for (i = 0; i < EX_LM_SPANS; i++) {
        int     at = m->at[i];

        if (at >= 0) {
            struct span *sp = (struct span *) (void *)
                ((char *) ev + ex_lm_span_at[i]);

            sp->ptr = at & EX_LM_B0 ? b0 + (at & ~EX_LM_B0) : p + at;
        }
    }
}

/* ex_lm_keep - ev as left by the reading of the n bytes at p, kept in
 * set (b0: the delivery body's start, p itself for a body; skip: a span
 * not kept, the recipient of a delivery, set by the caller) */
__attribute__((noinline))
static void
ex_lm_keep(struct ex_lm_set *set, const char *p, size_t n, const char *b0,
           uint32_t tag, int skip, const struct ex_event *ev)
{
    struct ex_lm *m = &set->way[set->next++ % EX_LM_WAYS];
    int     i;

    for (i = 0; i < EX_LM_SPANS; i++) {
        const struct span *sp = (const struct span *) (const void *)
            ((const char *) ev + ex_lm_span_at[i]);
        uintptr_t q = (uintptr_t) sp->ptr;

        m->at[i] = -1;
        if (i == skip || sp->ptr == NULL)
            continue;
        if (q >= (uintptr_t) p && q <= (uintptr_t) (p + n))
            m->at[i] = (int16_t) (q - (uintptr_t) p);
        else if (q == (uintptr_t) b0)
            m->at[i] = EX_LM_B0;
        else if (q >= (uintptr_t) b0 && q < (uintptr_t) p) {
            m->len = 0;         /* in the recipient: not kept */
            return;
        }
    }
    m->ev = *ev;
    m->tag = tag;
    m->len = (uint32_t) n;
    memcpy(m->in, p, n);
}

/* What the walk of a delivery line's fields may keep when it ends:
 * the kept walk's place and start (wm, p0: none when p0 is NULL) and
 * the whole rest's set, bytes and tag (lm_fill: none when NULL) */
struct ex_dlv_keep {
    const char *p0;
    struct ex_walk_memo *wm;
    struct ex_lm_set *lm_fill;
    const char *lm_p;
    uint32_t lm_tag;
};

/* ex_delivery_end - the text of a delivery line at text (NULL: none),
 * read as ex_delivery() says (lazy) */
static inline void
ex_delivery_end(struct span s, const char *text, struct ex_event *ev,
                int lazy)
{
    const char *const end = s.ptr + s.len;

    if (text == NULL) {
        ex_text(span_make(s.ptr, 0), ev);       /* none: most lines */
    } else if (!(lazy && ev->host.len == 0 && ev->ip.len == 0
                 && (ev->mark == '=' || ev->mark == '-'
                     || ev->mark == 'c'))) {
        while (text < end && *text == ' ')
            text++;
        ex_text(span_trim(span_make(text, (size_t) (end - text))), ev);
    }
}

/* ex_delivery_walk - the fields of a delivery line from p (the nf-th)
 * to its end, its text, and what of it is kept (k). Out of line: the
 * lines the kept rests and walks answer (most) never come here, and
 * this code (the host group, every key, the text) was most of
 * ex_delivery()'s bytes, in the way of the instruction cache */
__attribute__((noinline))
static void
ex_delivery_walk(struct span s, const char *p, int nf, struct ex_event *ev,
                 int lazy, const struct ex_dlv_keep *k)
{
    const char *const end = s.ptr + s.len;
    const char *text = NULL;
    const char *t;
    const char *p0 = k->p0;
    size_t  n, len;
    int     sawc = 0;

    for (; nf < EX_MAX_FIELDS; nf++) {
        char    c;
        size_t  kn;

        while (p < end && *p == ' ')
            p++;
        if (p == end)
            break;
        len = (size_t) (end - p);
        c = *p;
        if (len > 2 && p[1] == '=' && c != '=' && c != '"') {
            /* "R=", "T=", "X=", ...: most fields, told by the bytes
             * ex_field_len() tests first (c is no space here) */
            if (c == 'H' && ev->host.len == 0)
                goto host;
            if (c == 'C') {
                sawc = 1;       /* the rest is not kept whole */
                if (p0 != NULL) {
                    /* "C=": the walk so far kept, when long enough */
                    if ((size_t) (p - p0) >= EX_WALK_KEY
                        && (size_t) (p - p0) <= EX_WALK_IN)
                        ex_walk_keep(k->wm, p0, p, nf, ev);
                    p0 = NULL;
                }
            }
            n = ex_field_end(p, len, 2);
            t = p;
            p += n;
            /* what ex_delivery_key() reads of a key of two bytes: X=,
             * T=, I= (n >= 2, t[1] is '=': a ':' at the end is no part
             * of the value) */
            kn = n - (t[n - 1] == ':');
            if (c == 'X') {
                ev->tls = 1;
                ev->cipher = span_make(t + 2, kn - 2);
            } else if (c == 'T') {
                ev->has_t = 1;
            } else if (c == 'I') {
                ex_delivery_key(t, kn, ev);
            }
            if (kn != n) {
                text = p;               /* "defer (-53): text" */
                break;
            }
            continue;
        } else {
            if (c == ':' && (len == 1 || p[1] == ' ')) {
                text = p + 1;           /* "T=t : DANE error: ..." */
                break;
            }
            if (c == 'H' && len >= 2 && p[1] == '=' && ev->host.len == 0)
                goto host;
            n = ex_field_len(p, len);
        }
        t = p;
        p += n;
        if (n > 1 && t[n - 1] == ':') {
            ex_delivery_key(t, n - 1, ev);      /* "defer (-53): text" */
            text = p;
            break;
        }
        ex_delivery_key(t, n, ev);
        continue;
      host:
        {
            struct span h = span_make(p + 2, len - 2);

            if (ex_hostgroup(&h, ev, 0) == 0 && h.len > 0
                && h.ptr[0] == ':' && (h.len == 1 || h.ptr[1] == ' ')) {
                text = h.ptr + 1;       /* "[ip]: text" */
                break;
            }
            p = h.ptr;
        }
    }
    ex_delivery_end(s, text, ev, lazy);
    if (k->lm_fill != NULL && !sawc)
        ex_lm_keep(k->lm_fill, k->lm_p, (size_t) (end - k->lm_p), s.ptr,
                   k->lm_tag, 2, ev);
}


/* ex_dlv_domain - corr_rcpt_domain() of rcpt, its last '@' at at (-1:
 * none) */
static inline __attribute__((always_inline)) struct span
ex_dlv_domain(struct span rcpt, long at)
{
    if (at < 0)
        return span_make(rcpt.ptr, 0);
    return span_make(rcpt.ptr + at + 1, rcpt.len - (size_t) at - 1);
}

/* ex_last_at - the place of the last '@' of the n bytes at p (-1:
 * none), for the recipients ex_scan_word_at() does not read: short
 * rests, "local part"@domain, <..> (seldom) */
__attribute__((noinline, cold))
static long
ex_last_at(const char *p, size_t n)
{
    const char *q = n > 0 ? memrchr(p, '@', n) : NULL;

    return q != NULL ? (long) (q - p) : -1;
}

/* ex_delivery_in - the fields of a delivery line after its marker, in
 * one walk: a cursor and the line's end, each field's end found once (by
 * ex_field_len()), its key told by its first byte. A key that comes
 * again overwrites what it set (X=, CV=), or adds to it (DN=, "*"); H=
 * is read once, as the first field it starts after the recipient (a
 * later one is a field like any other); a key inside a quoted value
 * (C="... X=y") is no field: ex_field_len() walks over the quotes.
 * lazy: the text of a delivery line that names no host and was made
 * here (=>, ->, >>: a local delivery, and nothing of it but its marker
 * and that it names no host is read: ex_read() in ex.h) is not read,
 * its fields left as ex_event_start() wrote them (a third of the
 * delivery lines of an Exim log are ":blackhole:" ones, whose first
 * field ends in ':': the rest is their text) */
static inline __attribute__((always_inline)) void
ex_delivery_in(struct span s, struct ex_event *ev, int lazy,
               struct span *dom)
{
    const char *p = s.ptr;
    const char *const end = s.ptr + s.len;
    const char *t;
    struct ex_mem *mm;
    struct ex_lm *lm;                   /* the rest kept */
    struct ex_dlv_keep k = {NULL, NULL, NULL, NULL, 0};
    size_t  n, len;
    int     nf;

    long    at;                     /* the recipient's last '@' (-1:
                                         * none), with dom */

    /* the recipient, the first field */
    while (p < end && *p == ' ')
        p++;
    if (p == end) {
        if (dom != NULL)
            *dom = span_make(ev->rcpt.ptr, 0);
        ex_text(span_make(s.ptr, 0), ev);
        return;
    }
    len = (size_t) (end - p);
    if (*p == ':' && (len == 1 || p[1] == ' ')) {
        if (dom != NULL)
            *dom = span_make(ev->rcpt.ptr, 0);
        ex_delivery_end(s, p + 1, ev, lazy);    /* "T=t : DANE error" */
        return;
    }
    /* a word without '=' or '"' before its first space (an address,
     * most recipients): that space ends it, found in one scan, where
     * ex_field_len() scans for its key, then for its end; with dom,
     * the scan finds the last '@' before it too */
#ifdef __SSE2__
    if (dom != NULL && len >= 16) {
        if (*p != '"' && *p != '<'
            && ((n = ex_scan_word_at(p, len, &at)) == len || p[n] == ' '))
            ;
        else {
            n = ex_field_len_cold(p, len);
            at = ex_last_at(p, n);
        }
    } else
#endif
    {
        if (*p != '"' && *p != '<'
            && ((n = ex_scan_word(p, len)) == len || p[n] == ' '))
            ;
        else
            n = ex_field_len_cold(p, len);
        at = dom != NULL ? ex_last_at(p, n) : -1;
    }
    t = p;
    p += n;
    if (n > 1 && t[n - 1] == ':') {
        ev->rcpt = span_make(t, n - 1); /* "defer (-53): text" */
        if (dom != NULL)
            *dom = ex_dlv_domain(ev->rcpt, at);
        ex_delivery_end(s, p, ev, lazy);
        return;
    }
    ev->rcpt = span_make(t, n);
    if (dom != NULL)
        *dom = ex_dlv_domain(ev->rcpt, at);
    nf = 1;
    /* the whole rest kept: the event it left, the recipient this one.
     * Not sought for a line that ends in a quote: a C="..." (its own
     * text on each line: such a rest is seldom seen again, and its
     * walk up to C= is kept above) */
    if ((size_t) (end - p) >= 8 && (size_t) (end - p) <= EX_LM_IN
        && end[-1] != '"') {
        k.lm_tag = EX_LM_DLV | (unsigned char) ev->mark
            | (uint32_t) (lazy != 0) << 8 | (uint32_t) ev->kind << 9;
        if ((lm = ex_lm_find(p, (size_t) (end - p), k.lm_tag, &k.lm_fill))
            != NULL) {
            struct span rc = ev->rcpt;

            ex_lm_take(lm, p, s.ptr, ev);
            ev->rcpt = rc;
            return;
        }
        k.lm_p = p;
    }
    /* the walk of these bytes kept: what it set, and on from there */
    if ((size_t) (end - p) >= EX_WALK_KEY && (mm = ex_mem_get()) != NULL) {
        struct ex_walk_set *ws = ex_walk_at(mm->walk, p);
        struct ex_walk_memo *wm = NULL;
        size_t  w;

        for (w = 0; w < EX_WALK_WAYS; w++) {
            wm = &ws->way[w];
            if (wm->len != 0 && wm->len <= (size_t) (end - p)
                && ex_same16(wm->in, p, wm->len))
                break;
        }
        if (w < EX_WALK_WAYS) {
            ev->host = ex_walk_span(p, wm->host_at, wm->host_len);
            ev->ip = ex_walk_span(p, wm->ip_at, wm->ip_len);
            ev->cipher = ex_walk_span(p, wm->cipher_at, wm->cipher_len);
            ev->port = wm->port;
            memcpy((char *) ev + EX_WALK_FL_AT, wm->fl, EX_WALK_FL);
            nf = (int) wm->nf;
            p += wm->len;       /* kept: not again */
            /* C="..." to the line's end, with no other quote nor
             * escape in it (the reply, most lines): what the loop below
             * finds, without its steps: a field that sets nothing and
             * ends the line, no text */
            if (end - p > 4 && p[0] == 'C' && p[1] == '=' && p[2] == '"'
                && end[-1] == '"'
                && ex_scan(p, 3, (size_t) (end - p), '"', '\\')
                == (size_t) (end - p) - 1) {
                ex_text(span_make(s.ptr, 0), ev);       /* no text */
                return;
            }
        } else {
            k.wm = &ws->way[ws->next++ % EX_WALK_WAYS];
            k.p0 = p;
        }
    }
    ex_delivery_walk(s, p, nf, ev, lazy, &k);
}

/* ex_delivery - ex_delivery_in() as a call, for the body's reading
 * ("** ", "== " and the rarer markers) and an eximstats line. The
 * front's deliveries ("=> ", "-> ": ex_read_dlv()) have it inlined: a
 * call with six registers saved and a frame in ex_classify_dlv() of
 * ex_sess.c, which saves its own (0.84 million of the 119.1 million
 * instructions of the 20 MB slice of an Exim log) */
__attribute__((noinline))
static void
ex_delivery(struct span s, struct ex_event *ev, int lazy)
{
    ex_delivery_in(s, ev, lazy, NULL);
}

/* ex_verify - "[ip] SSL verify error: ..." (tls-openssl.c) */
static int
ex_verify(struct span s, struct ex_event *ev)
{
    struct span r;
    long    off;

    span_drop(&s, 1);
    if (span_upto(&s, "] SSL verify error: ", &ev->ip, EX_MAX_ADDR) != 0)
        return -1;
    ev->kind = EX_VERIFY;
    ev->text = s;
    if (EX_STARTS(s, "certificate name mismatch")) {
        ev->result = SESS_CERT_HOST_MISMATCH;       /* E12 */
        ex_set_reason(ev, "certificate-name-mismatch", s);
    } else if ((off = EX_FIND(s, "error=")) >= 0) {
        r = s;                                      /* E13 */
        span_drop(&r, (size_t) off + 6);
        if ((off = ex_find_at(r, " cert=", 5)) >= 0)
            r.len = (size_t) off;
        ev->result = ex_cert_type(r, SESS_VALIDATION_FAILURE);
        ex_set_reason(ev, NULL, r);
    } else {
        ev->result = SESS_VALIDATION_FAILURE;
        ex_set_reason(ev, NULL, s);
    }
    return 0;
}

/* ex_tls_fail - "TLS session: ERR: delivering unencrypted to H=h [ip] (..)"
 * (E14; the callout form says "callout unencrypted to h [ip]"), Exim
 * <= 4.8x "TLS session failure: delivering unencrypted to h [ip] (...)" */
static void
ex_tls_fail(struct span s, struct ex_event *ev)
{
    long    off;
    struct span to;

    ev->kind = EX_TLS_FAIL;
    ex_text(s, ev);
    if ((off = EX_FIND(s, "delivering unencrypted to ")) >= 0) {
        ev->clear = 1;
        to = s;
        span_drop(&to, (size_t) off + 26);
    } else if ((off = EX_FIND(s, "callout unencrypted to ")) >= 0) {
        to = s;
        span_drop(&to, (size_t) off + 23);
    } else {
        return;                         /* cut short: no peer named */
    }
    (void) EX_SKIP(&to, "H=");
    (void) ex_hostgroup(&to, ev, 1);
}

/* ex_inbound_host - 1 when what follows "ID H=host [ip]" is a
 * client's line, not a line of a host we delivered to: Exim's
 * host_and_ident() ("H=host [ip] I=[ip]:port U=ident"), then " F=<s>
 * rejected after DATA: ..." or an ACL's " Warning: ..." (acl.c). Its
 * text is the ACL's, and may echo what the sender wrote (a subject):
 * read as a per-MX line, it made the client a failed connection of the
 * message, counted for the domain of its delivery
 * (testdata/exim/syn-forged-inbound) */
static int
ex_inbound_host(struct span s)
{
    struct span w;

    for (;;) {
        while (s.len > 0 && s.ptr[0] == ' ')
            span_drop(&s, 1);
        if (EX_STARTS(s, "F=<") || EX_STARTS(s, "Warning: "))
            return 1;
        if (!EX_STARTS(s, "I=[") && !EX_STARTS(s, "U="))
            return 0;
        w = s;
        if (span_word(&s, &w, EX_MAX_HOST) != 0)
            return 0;
    }
}

/* ex_callout - "... verify callout: h [ip] : text" (verify.c) */
static void
ex_callout(struct span s, long off, struct ex_event *ev)
{
    struct span h = s;
    struct span a = s;
    long    at;

    span_drop(&h, (size_t) off + 16);
    if (ex_hostgroup(&h, ev, 1) != 0)
        return;
    while (h.len > 0 && (h.ptr[0] == ' ' || h.ptr[0] == ':'))
        span_drop(&h, 1);
    ex_text(h, ev);
    if (ev->result < 0)
        return;
    /* the domain verified: RCPT <addr> (recipient), F=<addr> (sender) */
    at = EX_FIND(s, "sender verify") >= 0 ? EX_FIND(s, "F=<")
        : EX_FIND(s, "RCPT <");
    if (at >= 0) {
        span_drop(&a, (size_t) at);
        (void) (EX_SKIP(&a, "F=<") == 0 || EX_SKIP(&a, "RCPT <") == 0);
        if (span_upto(&a, ">", &ev->rcpt, 1024) != 0)
            ev->rcpt = span_make(a.ptr, 0);
    }
    ev->kind = EX_CALLOUT;
}

/* ex_callout_own - whether the "verify callout: " at off is Exim's own
 * text, not a sender's. A callout is logged when an ACL rejects
 * ("F=<s> rejected RCPT <r>: Could not complete recipient verify
 * callout: h [ip] : text"): never on an arrival line, whose subject
 * (T="...") any sender writes, and never with a double quote before
 * it, which only a quoted local part of F=<> or RCPT <> (the sender's
 * too) can put there. Either would let anyone who can send mail to
 * the host make it report a TLS failure of a third party's domain;
 * a genuine callout of a quoted address is not counted (rare: the
 * cost of a wrong number sent to that domain is higher) */
static inline int
ex_callout_own(struct span s, long off)
{
    if (s.len >= 3 && s.ptr[0] == '<' && s.ptr[1] == '=' && s.ptr[2] == ' ')
        return 0;
    /* an ACL's line begins with host_and_ident(): "H=host [ip]" or, for
     * a local "exim -bs", "U=user". Other lines end with a client's
     * text unquoted: "rejected EHLO from [ip]: syntactically invalid
     * argument(s): ARG" (smtp_in.c) logs any HELO argument, "RCPT
     * <x@victim>: Could not complete recipient verify callout: ..." too
     * (testdata/exim/syn-forged-callout) */
    if (s.len < 2 || (s.ptr[0] != 'H' && s.ptr[0] != 'U') || s.ptr[1] != '=')
        return 0;
    return memchr(s.ptr, '"', (size_t) off) == NULL;
}

/* ex_callout_at - -2 when s holds a tab (a detail, whatever else it
 * holds), else the place of its first "verify callout: ", or -1. One
 * pass for the two: a line that reaches the end of ex_classify() (half
 * of an Exim log's) was read by a memchr() for the tab and another for
 * the 'v' of the text, each call's set-up as dear as its search on
 * lines of 100 bytes. With SSE2 thirty-two bytes a step, the tab's and
 * the 'v''s compares of both halves in one mask (ex_scan() sixteen
 * bytes a step: 70 instructions a line); a 'v' not followed by 'e' is
 * no start of the text, without a memcmp(). before: the bytes before
 * s.ptr that may be read (their compares are masked off) */
static inline __attribute__((always_inline)) long
ex_callout_at(struct span s, size_t before)
{
    static const char lit[] = "verify callout: ";
    const size_t n = sizeof(lit) - 1;
    const char *p = s.ptr;
    long    at = -1;
    size_t  i = 0;

#ifdef __SSE2__
    const __m128i vt = _mm_set1_epi8('\t');
    const __m128i vv = _mm_set1_epi8('v');

    for (; i + 32 <= s.len; i += 32) {
        __m128i a = _mm_loadu_si128((const __m128i *) (const void *) (p + i));
        __m128i b = _mm_loadu_si128((const __m128i *) (const void *)
                                    (p + i + 16));
        __m128i ta = _mm_cmpeq_epi8(a, vt), tb = _mm_cmpeq_epi8(b, vt);
        unsigned bits;

        if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(ta, tb),
                                           _mm_or_si128(_mm_cmpeq_epi8(a, vv),
                                                        _mm_cmpeq_epi8(b, vv))))
            == 0)
            continue;
        if (_mm_movemask_epi8(_mm_or_si128(ta, tb)) != 0)
            return -2;
        if (at >= 0)
            continue;
        bits = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(a, vv))
            | (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(b, vv)) << 16;
        for (; bits != 0; bits &= bits - 1) {
            size_t  j = i + (size_t) __builtin_ctz(bits);

            if (s.len - j >= n && p[j + 1] == 'e'
                && ex_same_n(p + j, lit, n)) {
                at = (long) j;
                break;
            }
        }
    }
    if (i < s.len && s.len + before >= 32) {
        /* the last 32 bytes, those before i off: one step more. A
         * line shorter than that is read so too when the caller may
         * read the bytes before it (a body after Exim's prefix), its
         * own bytes kept by the mask: the scalar scan below cost over
         * 60 instructions on such a line, most of them the short
         * details of a test suite's log ("tls_out_ver\tTLS1.2") */
        const char *q = p + s.len - 32;
        size_t  base = s.len - 32;              /* wraps: q is p + base */
        unsigned keep = ~0u << (i + 32 - s.len);  /* 1 to 31 off */
        __m128i a = _mm_loadu_si128((const __m128i *) (const void *) q);
        __m128i b = _mm_loadu_si128((const __m128i *) (const void *)
                                    (q + 16));
        unsigned bits;

        if ((((unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(a, vt))
              | (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(b, vt)) << 16)
             & keep) != 0)
            return -2;
        if (at >= 0)
            return at;
        bits = ((unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(a, vv))
                | (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(b, vv)) << 16)
            & keep;
        for (; bits != 0; bits &= bits - 1) {
            size_t  j = base + (size_t) __builtin_ctz(bits);

            if (s.len - j >= n && p[j + 1] == 'e'
                && ex_same_n(p + j, lit, n))
                return (long) j;
        }
        return -1;
    }
#endif
    /* the rest (a line under 32 bytes), as ex_scan() finds it */
    while ((i = ex_scan(p, i, s.len, '\t', 'v')) < s.len) {
        if (p[i] == '\t')
            return -2;
        if (at < 0 && s.len - i >= n && p[i + 1] == 'e'
            && ex_same_n(p + i, lit, n))
            at = (long) i;
        i++;
    }
    return at;
}

/* ex_event_clear - every byte of ev zero, in blocks of 64 bytes and a
 * tail of fixed size. memset() of its 184 bytes (or a plain loop, which
 * GCC turns back into one) compiles to "rep stos", whose start-up cost
 * more than the rest of reading a short line: a third of ex_classify()
 * on an Exim log. The empty asm hides the blocks' stride from that
 * rewrite only. With SSE2 the stores are of one zeroed register (the
 * blocks copied from a static array of zeros loaded it anew into four
 * registers on every line) */
static inline void
ex_event_clear(struct ex_event *ev)
{
    const size_t tail = sizeof(*ev) % 64;
    char   *p = (char *) ev;
    size_t  i;

#ifdef __SSE2__
    const __m128i z = _mm_setzero_si128();

    for (i = 0; i + 64 <= sizeof(*ev); i += 64) {
        char   *q = p + i;

        __asm__("" : "+r"(q));
        _mm_storeu_si128((__m128i *) (void *) q, z);
        _mm_storeu_si128((__m128i *) (void *) (q + 16), z);
        _mm_storeu_si128((__m128i *) (void *) (q + 32), z);
        _mm_storeu_si128((__m128i *) (void *) (q + 48), z);
    }
    for (i = sizeof(*ev) - tail; i + 16 <= sizeof(*ev); i += 16)
        _mm_storeu_si128((__m128i *) (void *) (p + i), z);
    if (tail % 16 != 0)
        _mm_storeu_si128((__m128i *) (void *) (p + sizeof(*ev) - 16), z);
#else
    static const char zero[64];

    for (i = 0; i + 64 <= sizeof(*ev); i += 64) {
        char   *q = p + i;

        __asm__("" : "+r"(q));
        memcpy(q, zero, 64);
    }
    if (tail > 0)
        memcpy(p + sizeof(*ev) - tail, zero, tail);
#endif
}

/* ex_mark - what the first two bytes of a line body say, when the
 * third is a space: the place + 1 of a delivery marker (=> -> ** == *>
 * >>) in ex_classify()'s kinds, EX_MARK_ARRIVAL for "<=", 0 for none.
 * Two look-ups and no branch: the second byte's class (> * =), then
 * the first byte in that class's row. An arrival (a quarter of an Exim
 * log's lines) went on through the tests of every other shape */
#define EX_MARK_ARRIVAL 7

static const unsigned char ex_mark_class[256] = {
    ['>'] = 1, ['*'] = 2, ['='] = 3,
};

static const unsigned char ex_mark_tab[4][256] = {
    [1] = {['='] = 1, ['-'] = 2, ['*'] = 5, ['>'] = 6},
    [2] = {['*'] = 3},
    [3] = {['='] = 4, ['<'] = EX_MARK_ARRIVAL},
};

static inline unsigned
ex_mark(char c0, char c1)
{
    return ex_mark_tab[ex_mark_class[(unsigned char) c1]][(unsigned char) c0];
}

/* ex_plain_first - ex.h: by the first byte of a body, whether it may
 * begin a shape of ex_classify_in(): a space or a control byte (the
 * body is trimmed), a delivery's or an arrival's marker, a byte of its
 * switch (the words of 'L', 'S' and 'T' read there, and those of 't',
 * 'O', 'R' and 'S' read after it), or 'U' ("U=user": an ACL's line of
 * a local "exim -bs", which may hold a callout's text) */
const unsigned char ex_plain_first[256] = {
    [0 ... ' '] = 1,
    ['<'] = 1, ['='] = 1, ['-'] = 1, ['*'] = 1, ['>'] = 1,
    ['H'] = 1, ['['] = 1, ['D'] = 1, ['d'] = 1, ['C'] = 1, ['U'] = 1,
    ['t'] = 2, ['S'] = 2, ['O'] = 2, ['R'] = 2, ['L'] = 2,
    ['T'] = 3,
};

/* ex_event_start - ev cleared, no result, no port, of kind k */
static inline __attribute__((always_inline)) void
ex_event_start(struct ex_event *ev, enum ex_kind k)
{
    ex_event_clear(ev);
    ev->result = -1;
    ev->port = -1;
    ev->kind = k;
}

/* ex_body_memo - ex_classify() of a body of the rarer shapes with work
 * in them, kept (ex_lm_find() above): its event, whole */
__attribute__((noinline))
static void
ex_body_memo(struct span s, int flags, struct ex_event *ev)
{
    struct ex_lm *m;
    struct ex_lm_set *fill;

    if (s.len < 8 || s.len > EX_LM_IN) {
        ex_classify(s, flags, ev);
        return;
    }
    if ((m = ex_lm_find(s.ptr, s.len, (uint32_t) flags, &fill)) != NULL) {
        ex_lm_take(m, s.ptr, s.ptr, ev);
        return;
    }
    ex_classify(s, flags, ev);
    if (fill != NULL)
        ex_lm_keep(fill, s.ptr, s.len, s.ptr, (uint32_t) flags, -1, ev);
}

/* ex_classify_in - ex_classify(), inlined where a line is read whole
 * (ex_read()). lazy: the event is cleared only on the ways that may
 * write a field of it; a line that ends as EX_NONE, EX_IGNORE or
 * EX_DETAIL without taking one has its kind written and nothing else
 * (nothing reads more of such a line: ex_read() in ex.h). Most lines
 * of an Exim log (arrivals, queue runs, details) are such lines, and
 * the clearing of the event's 224 bytes (184 since) was a tenth of the
 * instructions of reading one. before: the bytes before s the caller
 * may read (ex_callout_at(); 0: none) */
static inline __attribute__((always_inline)) void
ex_classify_in(struct span s, int flags, struct ex_event *ev, int lazy,
               size_t before)
{
    static const char kinds[] = "=-*dfc";       /* in ex_mark()'s order */
    int     has_id = (flags & EX_F_ID) != 0;
    int     bare = (flags & (EX_F_BARE | EX_F_STATS)) != 0;
    long    off;
    size_t  i;

    const enum ex_kind k0 = bare ? EX_NONE : EX_IGNORE;

#define EX_START() do { if (lazy) ex_event_start(ev, k0); } while (0)
    /* the rarer shapes with work in them, kept whole on the lazy way
     * (ex_body_memo(): an echo's flags are never this way's) */
#define EX_KEPT() do { if (lazy) { ex_body_memo(s, flags, ev); return; } } \
    while (0)
    if (lazy)
        ev->kind = k0;
    else
        ex_event_start(ev, k0);
    /* span_trim(): a last byte above ' ' is none it drops (most lines:
     * one test, not four) */
    if (s.len < 2)
        return;
    if ((unsigned char) s.ptr[s.len - 1] <= ' ' && (s = span_trim(s)).len < 2)
        return;
    if (flags & EX_F_STATS) {
        EX_START();
        ev->mark = '*';
        ex_delivery(s, ev, 0);
        ev->kind = ev->has_t && ev->host.len > 0 ? EX_DELIVERY : EX_NONE;
        return;
    }
    /* the marker: its second byte, then the first, no loop of memcmp()s
     * (a third of all lines of an Exim log are deliveries) */
    if (s.len > 3 && s.ptr[2] == ' '
        && (i = ex_mark(s.ptr[0], s.ptr[1])) != 0) {
        if (i == EX_MARK_ARRIVAL)
            return;             /* an arrival: none of the tests below
                                 * takes it (the last one returns on it,
                                 * whatever its text holds) */
        EX_START();
        ev->mark = kinds[i - 1];
        span_drop(&s, 3);
        ex_delivery(s, ev, lazy);
        /* an echo is taken only with Exim's fields */
        ev->kind = (!bare || ev->has_t || ev->host.len > 0) ? EX_DELIVERY
            : EX_NONE;
        return;
    }
    switch (s.ptr[0]) {
    case 'H':
        EX_KEPT();
        if (has_id && EX_SKIP(&s, "H=") == 0) {
            EX_START();
            if (ex_hostgroup(&s, ev, 1) != 0)
                break;
            if (ex_inbound_host(s)) {
                ev->kind = EX_IGNORE;           /* a client's line */
                return;
            }
            (void) EX_SKIP(&s, ":");
            while (s.len > 0 && s.ptr[0] == ' ')
                span_drop(&s, 1);
            if (EX_STARTS(s, "TLS error on connection (")) {
                ev->kind = EX_TLS_CLOSE;        /* E21: not a handshake */
                ev->text = s;
                return;
            }
            ev->kind = EX_HOST;
            ex_text(s, ev);
            return;
        }
        break;
    case '[':
        EX_KEPT();
        if (has_id) {
            EX_START();
            if (ex_verify(s, ev) == 0)
                return;
        }
        break;
    case 'T':
        EX_KEPT();
        if (EX_STARTS(s, "TLS session: ")
            || EX_STARTS(s, "TLS session failure:")) {
            EX_START();
            ex_tls_fail(s, ev);
            return;
        }
        if (EX_SKIP(&s, "TLS error on connection to ") == 0) {
            EX_START();
            ev->kind = EX_TLS_ERR_OLD;          /* E24 */
            if (ex_hostgroup(&s, ev, 0) == 0)
                (void) EX_SKIP(&s, " ");
            ex_tls_errstr(s, ev);
            if (ev->result == SESS_VALIDATION_FAILURE)
                ev->result = ex_cert_type(s, SESS_VALIDATION_FAILURE);
            ev->text = s;
            return;
        }
        break;
    case 'D':
        EX_KEPT();
        if (EX_SKIP(&s, "DANE attempt failed; ") == 0) {
            EX_START();
            if (EX_SKIP(&s, "TLS connection to ") == 0) {
                ev->kind = EX_DANE_FAIL;        /* E19 */
                (void) ex_hostgroup(&s, ev, 0);
                (void) EX_SKIP(&s, ":");
                while (s.len > 0 && s.ptr[0] == ' ')
                    span_drop(&s, 1);
                ex_tls_errstr(s, ev);
                memmove(ev->reason + 5, ev->reason, EX_REASON_MAX - 5);
                memcpy(ev->reason, "dane-", 5);
                ev->reason[EX_REASON_MAX] = 0;
            } else {
                ev->kind = EX_DANE_COND;        /* <= 4.8x: CA-root TLS next */
                if (EX_SKIP(&s, "trying CA-root TLS to ") == 0)
                    (void) ex_hostgroup(&s, ev, 0);
                ex_set_reason(ev, "dane-attempt-failed", s);
            }
            /* Exim writes this line for any failed handshake under a
             * DANE policy (and raises dane:fail "validation-failure");
             * a certificate that failed verification there matched no
             * TLSA record: tlsa-invalid (RFC 8460 4.3.1). GnuTLS:
             * "(certificate verification failed): Verification failed.
             * The certificate differs." (or "CA constrains were
             * violated.", "certificate invalid"); OpenSSL:
             * "(SSL_connect): error:...:certificate verify failed".
             * OCSP and protocol errors stay validation-failure. */
            ev->result = ev->kind == EX_DANE_FAIL
                && (EX_FIND(s, "(certificate verification failed)") >= 0
                    || EX_FIND(s, "certificate verify failed") >= 0)
                ? SESS_TLSA_INVALID : SESS_VALIDATION_FAILURE;
            ev->refine = 0;
            ev->dane = 1;
            return;
        }
        if (EX_SKIP(&s, "DANE error: ") == 0) {
            EX_START();
            ex_dane_text(s, ev);
            ev->text = s;
            if (EX_SKIP(&s, "TLSA lookup for ") == 0) {
                ev->kind = EX_DANE_COND;        /* E18 */
                if ((off = EX_FIND(s, " not DNSSEC")) > 0)
                    ev->host = span_make(s.ptr, (size_t) off);
            } else {
                ev->kind = EX_STARTS(ev->text, "TLSA lookup not")
                    ? EX_DANE_COND : EX_DANE_ERR;
            }
            return;
        }
        break;
    case 'd':
        /* kept too: "dane:fail <name>" looks its name up by a strlen()
         * of each (sess_result_code()), 250 instructions a line */
        EX_KEPT();
        if (EX_SKIP(&s, "dane:fail <") == 0 && EX_ENDS(s, ">")) {
            EX_START();
            ev->result = sess_result_code(s.ptr, s.len - 1);
            ev->kind = ev->result > 0 ? EX_DANE_EVENT : EX_DETAIL;
            return;
        }
        break;
    case 'C':
        if (has_id && EX_STARTS(s, "Completed")) {
            /* the kind alone: nothing reads more of it (ex_read() in
             * ex.h; a sixth of an Exim log's lines) */
            if (!lazy)
                ex_event_start(ev, k0);
            ev->kind = EX_COMPLETED;
            return;
        }
        break;
    case 'L':
        if (EX_STARTS(s, "LOG: ")) {          /* -d/-v: "LOG: MAIN" */
            ev->kind = EX_IGNORE;
            return;
        }
        break;
    case 'S':
        if (EX_STARTS(s, "SMTP<< ") || EX_STARTS(s, "SMTP>> ")
            || EX_STARTS(s, "SMTP(close)")) {
            ev->kind = EX_DETAIL;
            return;
        }
        break;
    default:
        break;
    }
    if (bare)
        return;
    /* each by its first byte: the longer literals cost a memcmp() call
     * on every line that comes here. A case above that read a prefix
     * and then broke off ("H=" with no host, "dane:fail <" with no
     * '>') left s shorter, down to nothing at the end of the input:
     * its first bytes are read only when it has them. */
    if (s.len < 3)
        goto callout;
    if ((s.ptr[0] == 't' && EX_STARTS(s, "tls:cert "))
        || (s.ptr[0] == 'O' && EX_STARTS(s, "OCSP "))
        || (s.ptr[0] == 'R'
            && EX_STARTS(s, "Required TLS certificate status"))
        || (s.ptr[0] == 'S' && EX_STARTS(s, "Server certificate "))) {
        ev->kind = EX_DETAIL;           /* events and test-suite logwrites */
        return;
    }
    if (s.ptr[0] == '<' && s.ptr[1] == '=' && s.ptr[2] == ' ')
        return;                 /* an arrival, whatever its text holds: a
                                 * tab in it (a sender's) made it a detail,
                                 * and hid our own report's arrival */
callout:
    if ((off = ex_callout_at(s, before)) == -2) {
        ev->kind = EX_DETAIL;
        return;
    }
    if (off >= 0 && ex_callout_own(s, off)) {
        EX_START();
        ex_callout(s, off, ev);
    }
#undef EX_START
#undef EX_KEPT
}

/* ex_classify - one line body into an event */
void
ex_classify(struct span s, int flags, struct ex_event *ev)
{
    ex_classify_in(s, flags, ev, 0, 0);
}

/* ex_read - ex_prefix() of msg, then, when it found Exim's stamp or a
 * message id, ex_classify() of the body that follows (flags EX_F_ID
 * when it has the id); 0 (ev not written) when it found neither. One
 * call for the two: the prefix's was a call of its own, its registers
 * saved and restored on every line */
int
ex_read(struct ts_ctx *tc, struct span msg, struct ex_line *ln,
        struct ex_event *ev)
{
    ex_prefix_in(tc, msg, ln);
    if (!ln->stamped && ln->id.len == 0)
        return 0;
    ex_classify_in(ln->body, ln->id.len > 0 ? EX_F_ID : 0, ev, 1,
                   (size_t) (ln->body.ptr - msg.ptr));
    return 1;
}

/* ex_read_dlv - ex_classify_in()'s way with a delivery, lazy, its
 * marker and trim known (ex.h) */
void
ex_read_dlv(struct span s, char mark, struct ex_event *ev, struct span *dom)
{
    ex_event_start(ev, EX_IGNORE);
    ev->mark = mark;
    ex_delivery_in(s, ev, 1, dom);
    ev->kind = EX_DELIVERY;
}

/* ex_seen_same - 1 when a and b, a stamp's first 16 bytes, are
 * those of the minute m keeps */
static inline __attribute__((always_inline)) int
ex_seen_same(const struct ex_seen *m, uint64_t a, uint64_t b)
{
    uint64_t x, y;

    memcpy(&x, m->text, 8);
    memcpy(&y, m->text + 8, 8);
    return ((a ^ x) | (b ^ y)) == 0;
}

/* ex_sec_key - the key of a stamp's ":SS " at p + 16, as struct ex_seen
 * keeps its second's (sec_key) */
static inline __attribute__((always_inline)) uint64_t
ex_sec_key(const char *p)
{
    uint32_t w;

    memcpy(&w, p + 16, 4);
    return (uint64_t) w | (uint64_t) 1 << 32;
}

/* ex_read_id - the message id at the start of s, if any, and the body
 * after it, into ln (ex_read_quick, ex_read_pid) */
static inline __attribute__((always_inline)) void
ex_read_id(struct span s, struct ex_line *ln)
{
    size_t  n;

    if ((n = ex_msgid_in(s)) > 0) {
        /* the id and the space after it, when not at the end (what
         * ex_msgid_in() found there): a sum, not span_drop()'s tests */
        size_t  skip = n + (n < s.len);

        ln->id = span_make(s.ptr, n);
        s.ptr += skip;
        s.len -= skip;
    } else {
        ln->id = span_make(NULL, 0);
    }
    ln->body = s;
}

/* ex_read_quick - ex_prefix() of msg in its common shape only: the
 * main log's own stamp (no fraction, no zone) of the first minute kept,
 * its second kept or its minute's local start read, no [pid], a message
 * id or none. 1 when it read it (ln as ex_prefix() writes it); 0 when
 * the line has another shape (ln not all written: ask ex_read()). No
 * call and few registers: its caller, ex_classify_mt() of ex_sess.c,
 * reads an arrival and a "Completed" without a saved register */
int
ex_read_quick(struct span msg, struct ex_line *ln)
{
    const char *p = msg.ptr;
    size_t  len = msg.len;
    struct ex_seen *m = &ex_seen[0];
    uint64_t a, b, key;
    unsigned s1, s0;
    struct span s;

    /* no stamp, or one with a zone after it: most lines have a body,
     * and the length's test comes first, once (not again for the byte
     * after the stamp) */
    if (len > 20) {
        if ((unsigned char) (p[0] - '0') > 9 || p[20] == '+' || p[20] == '-')
            return 0;
    } else if (len < 20 || (unsigned char) (p[0] - '0') > 9) {
        return 0;
    }
    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 8);
    if (!ex_seen_same(m, a, b))
        return 0;
    /* as ex_stamp(): the second before again, or one read in full */
    key = ex_sec_key(p);
    if (key == m->sec_key) {
        ln->t = m->sec_t;
    } else {
        s1 = (unsigned) (unsigned char) p[17] - '0';
        s0 = (unsigned) (unsigned char) p[18] - '0';
        if (p[16] != ':' || p[19] != ' ' || s1 > 9 || s0 > 9
            || s1 * 10 + s0 > 60 || !m->has_local)
            return 0;
        ln->t = m->sec_t = m->local + (int) (s1 * 10 + s0);
        m->sec_key = key;
    }
    s = span_make(p + 20, len - 20);
    if (s.len > 2 && s.ptr[0] == '[')
        return 0;                       /* +pid: ex_prefix() reads it */
    ln->stamped = 1;
    ln->pid = span_make(NULL, 0);
    ex_read_id(s, ln);
    return 1;
}

/* ex_read_pid - ex_prefix() of msg in the shape of a line with +pid
 * (a syslog-wrapped line's inner stamp, most of them): Exim's stamp
 * without fraction or zone of either minute kept and its second kept,
 * then "[pid] ", then a message id or none. 1 when it read it (ln as
 * ex_prefix() writes it, padding aside); 0 when the line has another
 * shape (ln not all written: ask ex_prefix()). ex_stamp() moves no
 * minute first on such a line, nor does this. Its callers are the
 * lines ex_read_quick() declines: a call of its own, with few
 * registers, where ex_prefix() saves six and sets up a frame for its
 * rarer ways */
int
ex_read_pid(struct span msg, struct ex_line *ln)
{
    const char *p = msg.ptr;
    size_t  len = msg.len, i;
    const struct ex_seen *m;
    uint64_t a, b;

    /* "[" and a digit after the stamp's space: no zone, and a pid
     * ex_prefix_in() takes when "] " follows its digits */
    if (len < 24 || (unsigned char) (p[0] - '0') > 9 || p[19] != ' '
        || p[20] != '[')
        return 0;
    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 8);
    m = &ex_seen[0];
    if (!ex_seen_same(m, a, b) && !ex_seen_same(m = &ex_seen[1], a, b))
        return 0;
    /* as ex_stamp(): the second of the main-log stamp before, again */
    if (ex_sec_key(p) != m->sec_key)
        return 0;
    /* as ex_prefix_in(): up to eleven digits, then "] " */
    for (i = 21; i < len && i < 32 && (unsigned char) (p[i] - '0') <= 9; i++)
        ;
    if (i == 21 || i + 1 >= len || p[i] != ']' || p[i + 1] != ' ')
        return 0;
    ln->t = m->sec_t;
    ln->stamped = 1;
    ln->pid = span_make(p + 21, i - 21);
    ex_read_id(span_make(p + i + 2, len - i - 2), ln);
    return 1;
}

/* ex_read_body - ex_read()'s body: ex_classify() of ln->body, the
 * lazy way, after ex_read_quick() read the prefix of msg */
void
ex_read_body(struct span msg, const struct ex_line *ln, struct ex_event *ev)
{
    ex_classify_in(ln->body, ln->id.len > 0 ? EX_F_ID : 0, ev, 1,
                   (size_t) (ln->body.ptr - msg.ptr));
}
