/* parsers/ex.h - Exim main log line classifier
 *
 * ex_prefix() takes the message part of a line (for an undated main-log
 * line: the whole line) and splits off Exim's own prefix: time stamp
 * ("2024-09-07 01:34:12[.mmm][ +hhmm]"), "[pid]" (+pid) and message id
 * (6-6-2 before Exim 4.97, 6-11-4 since). ex_classify() turns what
 * follows into an event: what the line says about an outbound
 * connection, with spans into the line. Nothing here keeps state or
 * allocates; tying events into sessions is ex_sess.c's job. Every shape,
 * with the Exim source that writes it, is listed in ex.c and in
 * docs/parsers/exim.md.
 * Thread safety: pure functions (ex_prefix uses the caller's ts_ctx only
 * as a cache of zone offsets; given none, tc NULL, one of the calling
 * thread's own).
 */
#ifndef PARSERS_EX_H
#define PARSERS_EX_H

#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../util/span.h"
#include "ts.h"

#define EX_REASON_MAX 64        /* failure-reason-code, bytes */

enum ex_kind {
    EX_NONE = 0,                /* not recognisably Exim's */
    EX_IGNORE,                  /* Exim's, not about outbound TLS */
    EX_DETAIL,                  /* TLS detail without a verdict */
    EX_DELIVERY,                /* => -> ** == *> >> delivery line */
    EX_HOST,                    /* ID H=host [ip][:port]: text (per MX) */
    EX_TLS_CLOSE,               /* ID H=h [ip] TLS error on connection (..) */
    EX_VERIFY,                  /* ID [ip] SSL verify error: ... */
    EX_TLS_FAIL,                /* TLS session: ..: delivering unencrypted */
    EX_TLS_ERR_OLD,             /* TLS error on connection to h [ip] (f): t */
    EX_DANE_FAIL,               /* DANE attempt failed; TLS connection to */
    EX_DANE_COND,               /* DANE error: TLSA lookup for H not DNSSEC */
    EX_DANE_ERR,                /* DANE error: No usable TLSA records */
    EX_DANE_EVENT,              /* dane:fail <type> (event_action logwrite) */
    EX_CALLOUT,                 /* ... verify callout: h [ip] : text */
    EX_COMPLETED,               /* ID Completed */
};

/* CV= of a delivery line (log_selector +tls_certificate_verified) */
enum ex_cv {
    EX_CV_NONE = 0,             /* not logged */
    EX_CV_NO,
    EX_CV_YES,
    EX_CV_DANE,
};

/* Exim's own prefix of a line. What the correlating thread reads of
 * it (the stamp) is last, next to the event's first fields in struct
 * ex_pre (parsers/ex_sess.h): what only the classifying thread reads
 * (pid, body) first */
struct ex_line {
    struct span body;           /* what follows the prefix */
    struct span pid;            /* [pid] of +pid; may be empty */
    struct span id;             /* message id; may be empty */
    int64_t t;                  /* its UTC time, when stamped */
    unsigned char stamped;      /* began with Exim's time stamp */
};

/* in the order the correlating thread reads them (ex_sess.c): what
 * every event's apply reads, a byte a flag, and the host group first
 * (48 bytes), the spans that only some kinds read and the reason last:
 * the struct is read there from another core's cache, a line at a
 * time */
struct ex_event {
    unsigned char kind;         /* enum ex_kind */
    char    mark;               /* delivery: '=' =>, '-' ->, '*' **, 'd' ==,
                                 * 'f' *> (-N: no connection), 'c' >>
                                 * (cutthrough) */
    unsigned char cont;         /* "]*": a continued connection */
    unsigned char has_t;        /* T= (a transport ran) */
    unsigned char tls;          /* X= (log_selector +tls_cipher) */
    unsigned char dn;           /* DN= (+tls_peerdn: a peer certificate) */
    unsigned char cv;           /* enum ex_cv */
    signed char result;         /* enum sess_result implied, or -1 */
    unsigned char refine;       /* a handshake failure: a certificate
                                 * problem logged before says why */
    unsigned char dane;         /* the text is about a DANE policy */
    unsigned char past_ehlo;    /* the dialogue got past EHLO */
    unsigned char clear;        /* E14: retried in clear next */
    int     port;               /* -1 when absent or not a number */
    struct span host;           /* MX name; may be empty */
    struct span ip;             /* inside the brackets; may be empty */
    struct span rcpt;           /* recipient address */
    struct span aux;            /* sender (F=<>) of a callout line */
    struct span cipher;         /* what follows X= */
    struct span text;           /* error text; may be empty */
    char    reason[EX_REASON_MAX + 1];  /* failure-reason-code */
};

/* ex_prefix - time stamp, [pid] and message id at the start of msg (a
 * line without them has an empty prefix and its whole text as body);
 * tc NULL: a zone-offset cache of the calling thread's own, of the
 * year 1970 (ex_read() too) */
void    ex_prefix(struct ts_ctx *tc, struct span msg, struct ex_line *ln);

/* ex_msgid - length of an Exim message id at the start of s, or 0 */
size_t  ex_msgid(struct span s);

/* flags of ex_classify() */
#define EX_F_ID     0x01        /* the line carried a message id */
#define EX_F_BARE   0x02        /* an echo without prefix (-d/-v output):
                                 * only unambiguous shapes are taken */
#define EX_F_STATS  0x04        /* eximstats "<li>N - " item: a "**" line
                                 * without its marker */

/* ex_classify - one line body into an event; cost O(len) */
void    ex_classify(struct span body, int flags, struct ex_event *ev);

/* ex_read - ex_prefix() of msg; when it found Exim's stamp or a message
 * id, ex_classify() of the body (EX_F_ID when it has the id) and 1;
 * else 0, ev not written. Of an event of kind EX_NONE, EX_IGNORE,
 * EX_DETAIL or EX_COMPLETED only the kind is sure (the rest may be a
 * line's before: it is cleared only on the ways that write a field); of an
 * EX_DELIVERY of marker =>, -> or >> without host or address the
 * fields of its text (text, result, reason, refine, dane, past_ehlo,
 * aux) are as cleared, not read; of any other kind every field is
 * what ex_classify() writes */
int     ex_read(struct ts_ctx *tc, struct span msg, struct ex_line *ln,
                struct ex_event *ev);

/* ex_read_quick - ex_prefix() of msg when it has the common shape
 * (the main log's own stamp of a minute read before, no [pid]): 1 and
 * ln written; else 0, ln not all written (ask ex_read()). Then
 * ex_read_body() - what ex_read() reads of the body after that prefix
 * (ev as ex_read() leaves it). The two are ex_read() in two steps, the
 * first without a call */
int     ex_read_quick(struct span msg, struct ex_line *ln);
void    ex_read_body(struct span msg, const struct ex_line *ln,
                     struct ex_event *ev);

/* ex_read_pid - ex_prefix() of msg when it has the shape of a line
 * with +pid (Exim's stamp of a minute and second read before, no
 * fraction nor zone, then "[pid] "): 1 and ln written; else 0, ln not
 * all written (ask ex_prefix()) */
int     ex_read_pid(struct span msg, struct ex_line *ln);

/* ex_read_dlv - ex_read_body() of a body that is a delivery of marker
 * "=> " (mark '=') or "-> " (mark '-') whose last byte is no space (as
 * the body of a line whose prefix ex_read_quick() read): s is what
 * follows the marker. The shape ex_classify() would find, without its
 * tests (a sixth of an Exim log's lines); *dom: the recipient's domain,
 * corr_rcpt_domain() of ev->rcpt, its last '@' found in the
 * recipient's scan */
void    ex_read_dlv(struct span s, char mark, struct ex_event *ev,
                    struct span *dom);

/* ex_plain_first - what ex_read_plain() makes of a body by its first
 * byte: 0 a plain line, 1 ask ex_read_body(), 2 plain unless its first
 * four bytes begin a shape of ex_classify() ("tls:", "SMTP", "Serv",
 * "OCSP", "Requ", "LOG:"), 3 plain only as "TLS error on connection
 * from" (ex.c) */
extern const unsigned char ex_plain_first[256];

/* ex_w8 - the eight bytes at p as one word: the words a literal's
 * bytes are compared with (ex_read_plain()), loads the compiler keeps
 * inline where a memcmp() of more than four bytes may become a call
 * (the profile-guided build made those of ex_read_plain() calls through
 * the PLT, and ex_classify_mt(), which inlines it, saved six registers
 * and set up a frame on every line for them) */
static inline __attribute__((always_inline)) uint64_t
ex_w8(const char *p)
{
    uint64_t w;

    memcpy(&w, p, 8);
    return w;
}

/* ex_read_plain - what ex_read_body() makes of the body b of a line
 * whose prefix ex_read_quick() read (Exim's stamp: 20 bytes of the
 * same line before b, read here by the last step of the tab's scan),
 * when the body has no shape of ex_classify()'s: EX_DETAIL when it
 * holds a tab, else EX_IGNORE (its kind: nothing more is read of such
 * an event, ex_read()); EX_NONE when it may have a shape (ask
 * ex_read_body()). A body whose first byte begins no shape (ex.c:
 * ex_plain_first) and whose last byte is no space (ex_classify() trims
 * none) comes to the end of ex_classify() and its tab's test; on an
 * Exim log a third of the lines ("Start queue run", details of a test
 * suite's logwrites, inbound TLS errors), which took ex_classify_mt()'s
 * way through a call with six registers saved, the tests of every
 * shape and the scan for a callout's text (which only a line that
 * begins "H=" or "U=" may hold: ex_callout_own()) */
static inline int
ex_read_plain(struct span b)
{
    const char *p = b.ptr;
    size_t  n = b.len;
    unsigned k;

    if (n < 4 || (unsigned char) p[n - 1] <= ' '
        || (k = ex_plain_first[(unsigned char) p[0]]) == 1)
        return EX_NONE;
    if (k == 2) {
        /* compares of four bytes: one word each. "tls:cert " is a
         * detail whatever follows (the test of ex_classify()'s end that
         * takes it comes before the tab's and the callout's): a
         * tls_certificate_verified event of a test suite's log, where
         * it took the body's reading */
        if (memcmp(p, "tls:", 4) == 0)  /* "ls:cert ": bytes 1 to 8 */
            return n >= 9 && ex_w8(p + 1) == ex_w8("ls:cert ") ? EX_DETAIL
                : EX_NONE;
        if (memcmp(p, "SMTP", 4) == 0
            || memcmp(p, "Serv", 4) == 0 || memcmp(p, "OCSP", 4) == 0
            || memcmp(p, "Requ", 4) == 0 || memcmp(p, "LOG:", 4) == 0)
            return EX_NONE;
    } else if (k == 3) {
        /* "TLS error on connection f": bytes 0 to 24 in four words */
        if (n < 25 || ((ex_w8(p) ^ ex_w8("TLS erro"))
                       | (ex_w8(p + 8) ^ ex_w8("r on con"))
                       | (ex_w8(p + 16) ^ ex_w8("nection "))
                       | (ex_w8(p + 17) ^ ex_w8("ection f"))) != 0)
            return EX_NONE;
    }
#ifdef __SSE2__
    {
        const __m128i vt = _mm_set1_epi8('\t');
        size_t  i;

        for (i = 0; i + 16 <= n; i += 16)
            if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(
                    (const __m128i *) (const void *) (p + i)), vt)) != 0)
                return EX_DETAIL;
        /* the last 16 bytes, those before i (the prefix's, or seen) off */
        if (i < n && (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(
                _mm_loadu_si128((const __m128i *) (const void *)
                                (p + n - 16)), vt)) >> (i + 16 - n) != 0)
            return EX_DETAIL;
    }
#else
    if (memchr(p, '\t', n) != NULL)
        return EX_DETAIL;
#endif
    return EX_IGNORE;
}

/* ex_slug - failure-reason-code from free text: [a-z0-9-], at most
 * EX_REASON_MAX bytes, an issuer DN (" /C=..") cut off. The last texts
 * read on the calling thread are remembered with their codes (a log
 * repeats a few error texts): a function of the text alone */
void    ex_slug(struct span t, char *out);

/* ex_memo_hash - a text t (len > 0) mixed into 64 bits whose top bits
 * place it in a table of remembered texts (ex_slug() and ex_text() in
 * ex.c, the names and addresses of ex_sess.c): its first and last
 * eight bytes and its length, mixed by a multiply (a text under eight
 * bytes: those, as memcpy() of them into a zero word gives). A sum of three
 * bytes and the length put a log's few dozen names on the same places:
 * 16 places (and 64 with that sum) missed 44 % (28 %) of the names
 * asked on an Exim log of 63 hosts */
static inline uint64_t
ex_memo_hash(struct span t)
{
    uint64_t a = 0, b = 0;

    if (t.len >= 8) {
        memcpy(&a, t.ptr, 8);
        memcpy(&b, t.ptr + t.len - 8, 8);
    } else if (t.len >= 4) {
        /* memcpy(&a, t.ptr, t.len) as two words that overlap: a call
         * of memcpy() of a length known only here needs registers
         * saved in its caller (ex_sess_dname_mt()) */
        uint32_t lo, hi;

        memcpy(&lo, t.ptr, 4);
        memcpy(&hi, t.ptr + t.len - 4, 4);
        a = (uint64_t) lo | (uint64_t) hi << (8 * (t.len - 4));
    } else {
        a = (uint64_t) (unsigned char) t.ptr[0]
            | (uint64_t) (unsigned char) t.ptr[t.len / 2] << (8 * (t.len / 2))
            | (uint64_t) (unsigned char) t.ptr[t.len - 1]
            << (8 * (t.len - 1));
    }
    a ^= (b + t.len) * 0x9e3779b97f4a7c15ULL;
    return a * 0xff51afd7ed558ccdULL;
}

/* ex_memo_slot - the place (0 to 63) of a text in a table of 64 */
#define EX_MEMO_WAYS 64
static inline unsigned
ex_memo_slot(struct span t)
{
    return (unsigned) (ex_memo_hash(t) >> 58);
}

/* ex_same16 - the n bytes at a and b (n >= 16) are the same: blocks of
 * sixteen with SSE2, the last one first (kept walks and names that
 * differ mostly differ last: one block decides), then the others.
 * Shared by the delivery walk's memories (ex.c) and the name memory
 * of the correlating side (ex_sess.c) */
static inline int
ex_same16(const char *a, const char *b, size_t n)
{
#ifdef __SSE2__
    __m128i d;
    size_t  i;

    d = _mm_xor_si128(
        _mm_loadu_si128((const __m128i *) (const void *) (a + n - 16)),
        _mm_loadu_si128((const __m128i *) (const void *) (b + n - 16)));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128())) != 0xffff)
        return 0;
    /* two blocks a step (a kept walk is 100 bytes and more: half the
     * steps' tests and additions), then the one left before the last */
    for (i = 0; i + 32 < n; i += 32)
        d = _mm_or_si128(d, _mm_or_si128(_mm_xor_si128(
            _mm_loadu_si128((const __m128i *) (const void *) (a + i)),
            _mm_loadu_si128((const __m128i *) (const void *) (b + i))),
            _mm_xor_si128(
            _mm_loadu_si128((const __m128i *) (const void *) (a + i + 16)),
            _mm_loadu_si128((const __m128i *) (const void *) (b + i + 16)))));
    if (i + 16 < n)
        d = _mm_or_si128(d, _mm_xor_si128(
            _mm_loadu_si128((const __m128i *) (const void *) (a + i)),
            _mm_loadu_si128((const __m128i *) (const void *) (b + i))));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128()))
        == 0xffff;
#else
    return memcmp(a, b, n) == 0;
#endif
}

#endif
