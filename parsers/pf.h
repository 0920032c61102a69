/* parsers/pf.h - Postfix smtp(8)/lmtp(8)/tlsproxy(8) message classifier
 *
 * pf_classify() turns the message part of one Postfix log line into an
 * event: what the line says about the outbound connection being set up
 * by that process, with spans pointing into the line. It keeps no state;
 * tying events into sessions is pf_sess.c's job. Every shape it knows is
 * listed, with the Postfix source that writes it, in docs/architecture.md
 * ("Postfix line shapes").
 * Thread safety: any thread; pf_classify() and pf_text_facts() keep
 * per-thread memories of the peers and texts read last (each thread its
 * own), the output as without them.
 */
#ifndef PARSERS_PF_H
#define PARSERS_PF_H

#include <stdint.h>
#include <string.h>

#include "../util/ipaddr.h"
#include "../util/span.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum pf_kind {
    PF_IGNORE = 0,              /* not about outbound TLS */
    PF_DETAIL,                  /* TLS detail without a verdict */
    PF_TLS_EST,                 /* <Trust> TLS connection established to */
    PF_TLS_REUSED,              /* <Trust> TLS connection reused to */
    PF_CERT_FAIL,               /* certificate verification failed for */
    PF_HANDSHAKE_FAIL,          /* SSL_connect error to */
    PF_TLS_LIBPROB,             /* warning: TLS library problem: */
    PF_NOT_OFFERED,             /* QID: TLS is required, but was not offered */
    PF_SOFT,                    /* QID: text   (non-final, per MX) */
    PF_STATUS,                  /* QID: to=<...>, relay=..., status=... */
    PF_STATUS_BAD,              /* QID: to=<...> but cut short */
    PF_TLSRPT,                  /* TLSRPT: status=... (Postfix >= 3.10) */
    PF_NO_STARTTLS_LOCAL,       /* discarding EHLO keywords: ... STARTTLS */
    PF_PROXY_CONNECT,           /* tlsproxy CONNECT/DISCONNECT */
    PF_STATUS_FORGED,           /* QID: to=<...> whose fields an address
                                 * may have written (pf.c, pf_status_own) */
};

enum pf_trust {
    PF_TRUST_NONE = 0,          /* old form without a trust word */
    PF_TRUST_ANON,
    PF_TRUST_UNTRUSTED,
    PF_TRUST_TRUSTED,
    PF_TRUST_VERIFIED,
};

/* what the correlator made canonical of a peer pf_classify() remembers
 * (pf_sess.c writes it, pf.c clears it when the slot takes another
 * peer): the same text gives the same forms, so a peer seen again is
 * copied, not checked again. Each enum corr_canon (parsers/corr.h) */
struct pf_peer_canon {
    uint8_t seen;               /* lines that named this peer (up to 255) */
    /* made to ip_len in the order of struct pf_pre's peer_made to ip_len
     * (pf_sess.h): copied as one block */
    uint8_t made;               /* 0: the fields below are not set */
    uint8_t host;               /* of ev.peer_host */
    uint8_t host_len;
    uint8_t host_num;
    uint8_t ip;                 /* of ev.peer_ip */
    uint8_t ip_len;
};

/* pf_peer_canon_ipbuf - where m keeps the canonical text of an address
 * of CORR_CANON_BUF (IPADDR_MAX + 1 bytes, beside the slot: seldom
 * read). m: a pf_event.canon of this thread */
char   *pf_peer_canon_ipbuf(struct pf_peer_canon *m);

struct pf_event {
    enum pf_kind kind;
    int     trust;              /* enum pf_trust, PF_TLS_EST */
    int     result;             /* enum sess_result or -1 */
    int     certain;            /* 1: a failure under any policy */
    int     dane;               /* the line shows a DANE policy */
    struct span peer_host;      /* MX host name; may be empty */
    struct span peer_ip;        /* as written; may be empty */
    int     port;               /* -1 when not given */
    struct span qid;
    struct span rcpt;           /* to=<...> address */
    struct span status;         /* sent, deferred, bounced, ... */
    struct span text;           /* reason text */
    struct span tls;            /* tls= feature status (3.11+) */
    struct span reason;         /* failure-reason-code source text */
    int     relay_none;         /* relay=none */
    int     conn_use;           /* conn_use=N, 0 when absent */
    /* the memo slot of peer_host and peer_ip, or NULL: valid on the
     * calling thread until its next pf_classify() */
    struct pf_peer_canon *canon;
};

/* classify one message (envelope already removed); cost O(len). rcpt,
 * status and tls are written for PF_STATUS only, text for PF_STATUS,
 * PF_SOFT, PF_HANDSHAKE_FAIL, PF_TLS_LIBPROB and PF_TLSRPT, reason for PF_CERT_FAIL (no
 * other event has them: never read), every other field for every
 * event */
void    pf_classify(struct span msg, struct pf_event *ev);

/* what a status text says failed, beyond its result type: how
 * pf_sess.c refines the type with what the connection's lines showed */
enum pf_text_kind {
    PF_TEXT_OTHER = 0,          /* the text's type stands */
    PF_TEXT_HANDSHAKE,          /* the handshake failed ("Cannot start
                                 * TLS: handshake failure") */
    PF_TEXT_CHAIN,              /* the chain is not trusted ("Server
                                 * certificate not trusted") */
    PF_TEXT_NOT_VERIFIED,       /* the certificate is not verified
                                 * ("Server certificate not verified") */
};

/* the result a status or per-MX text implies, or -1 (-2: "delivery
 * temporarily suspended", no connection): "TLS is required, but was not
 * offered", "Server certificate not trusted", ...; *kind gets what
 * failed (enum pf_text_kind), *dane whether the text shows a DANE
 * policy, *why a fixed failure-reason-code for it ("" when the type
 * says it all) */
int     pf_text_result(struct span text, int *kind, int *dane,
                       const char **why);

/* 1 when a status or per-MX text shows an SMTP dialogue past
 * EHLO/STARTTLS ("... (in reply to RCPT TO command)") */
int     pf_text_past_ehlo(struct span text);

/* what a status or per-MX text says: pf_text_result() and
 * pf_text_past_ehlo() of it */
struct pf_text_facts {
    int     res;                /* pf_text_result() */
    int     kind;               /* its *kind, *dane and *why */
    int     dane;
    const char *why;
    int     past_ehlo;          /* pf_text_past_ehlo() */
};

/* pf_text_facts - the facts of text into f; the texts read last on the
 * calling thread are remembered (per thread: safe in any thread) */
void    pf_text_facts(struct span text, struct pf_text_facts *f);

/* span_find(t, " /") (where an issuer DN begins in a reason), or -1 */
long    pf_find_dn(struct span t);

/* pf_text_is - span_is(s, str) for str in an array of cap bytes (the
 * connection's address or host name as stored): up to sixteen bytes as
 * two words each, up to 48 as three blocks of sixteen (SSE2) that
 * overlap, no byte loop (an IPv6 address, a host name: span_is() was
 * some six instructions a byte and a mispredicted loop end). Equal
 * bytes, no NUL among them (a word's zero byte) and a NUL after them
 * in str are span_is()'s answer: str then has no NUL before s.len */
static inline int
pf_text_is(struct span s, const char *str, size_t cap)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    uint64_t a0, a1, b0, b1;
    size_t  n = s.len;

    if (n < 8 || n > 16 || n >= cap) {
#ifdef __SSE2__
        if (n > 16 && n <= 48 && n < cap) {
            size_t  mid = n - 16 < 16 ? n - 16 : 16;
            __m128i x0 = _mm_loadu_si128((const __m128i *) (const void *)
                                         s.ptr);
            __m128i x1 = _mm_loadu_si128((const __m128i *) (const void *)
                                         (s.ptr + mid));
            __m128i x2 = _mm_loadu_si128((const __m128i *) (const void *)
                                         (s.ptr + n - 16));
            __m128i z = _mm_setzero_si128();
            __m128i eq = _mm_and_si128(_mm_and_si128(
                _mm_cmpeq_epi8(x0, _mm_loadu_si128(
                    (const __m128i *) (const void *) str)),
                _mm_cmpeq_epi8(x1, _mm_loadu_si128(
                    (const __m128i *) (const void *) (str + mid)))),
                _mm_cmpeq_epi8(x2, _mm_loadu_si128(
                    (const __m128i *) (const void *) (str + n - 16))));
            __m128i nul = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x0, z),
                                                    _mm_cmpeq_epi8(x1, z)),
                                       _mm_cmpeq_epi8(x2, z));

            if (_mm_movemask_epi8(nul) != 0)
                return span_is(s, str);     /* a NUL in s */
            return _mm_movemask_epi8(eq) == 0xffff && str[n] == 0;
        }
#endif
        return span_is(s, str);
    }
    memcpy(&a0, s.ptr, 8);
    memcpy(&a1, s.ptr + n - 8, 8);
    memcpy(&b0, str, 8);
    memcpy(&b1, str + n - 8, 8);
    if ((((a0 - ones) & ~a0) | ((a1 - ones) & ~a1)) & high)
        return span_is(s, str);         /* a NUL in s */
    return ((a0 ^ b0) | (a1 ^ b1)) == 0 && str[n] == 0;
}

/* pf_same - memcmp(a, b, n) == 0 without a call: up to 16 bytes as
 * span_mem_same(), longer sixteen bytes at a time (SSE2; the last
 * block overlaps the one before). Reads nothing past the n bytes of
 * either. A memcmp() call on the short texts of a line costs 15 to 30
 * instructions and, its length varying, a misprediction or two */
static inline int
pf_same(const char *a, const char *b, size_t n)
{
#ifdef __SSE2__
    if (n > 16) {
        size_t  i;
        __m128i x, y;

        for (i = 0; i + 16 < n; i += 16) {
            x = _mm_loadu_si128((const __m128i *) (const void *) (a + i));
            y = _mm_loadu_si128((const __m128i *) (const void *) (b + i));
            if (_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) != 0xffff)
                return 0;
        }
        x = _mm_loadu_si128((const __m128i *) (const void *) (a + n - 16));
        y = _mm_loadu_si128((const __m128i *) (const void *) (b + n - 16));
        return _mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) == 0xffff;
    }
#endif
    return span_mem_same(a, b, n);
}

/* pf_alnum_run - the number of bytes [0-9A-Za-z] at the start of the
 * n bytes at p, counted up to max (at most max + 1 returned, as a loop
 * that stops after max + 1 bytes would); *upper: 1 when one of them is
 * a digit or an upper-case letter. Sixteen bytes at a time where there
 * are sixteen (a queue id: a byte loop of 10 to 15 rounds, and its
 * end mispredicted, on most lines) */
static inline size_t
pf_alnum_run(const char *p, size_t n, size_t max, int *upper)
{
    size_t  i = 0;
    unsigned any = 0;

    if (n > max + 1)
        n = max + 1;
#ifdef __SSE2__
    if (n >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *) (const void *) p);
        __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
        __m128i u = _mm_sub_epi8(x, _mm_set1_epi8('A'));
        __m128i l = _mm_sub_epi8(x, _mm_set1_epi8('a'));
        unsigned ud, lo, al;

        d = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
        u = _mm_cmpeq_epi8(_mm_min_epu8(u, _mm_set1_epi8(25)), u);
        l = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(25)), l);
        ud = (unsigned) _mm_movemask_epi8(_mm_or_si128(d, u));
        lo = (unsigned) _mm_movemask_epi8(l);
        al = ud | lo;
        if (al != 0xffff) {
            i = (size_t) __builtin_ctz(~al);
            *upper = (ud & ((1U << i) - 1)) != 0;
            return i;
        }
        any = ud != 0;
        i = 16;
    }
#endif
    for (; i < n; i++) {
        unsigned char c = (unsigned char) p[i];

        if (c >= '0' && c <= '9')
            any = 1;
        else if (c >= 'A' && c <= 'Z')
            any = 1;
        else if (!(c >= 'a' && c <= 'z'))
            break;
    }
    *upper = (int) any;
    return i;
}

#ifdef __SSE2__
/* pf_mask_upto64 - the bytes equal to c among the len (16 to 64) at p
 * as bits, four loads of sixteen that overlap at the end, no branch */
static inline uint64_t
pf_mask_upto64(const char *p, size_t len, char c)
{
    const __m128i cc = _mm_set1_epi8(c);
    uint64_t m = 0;
    size_t  j;

    for (j = 0; j < 4; j++) {
        size_t  at = 16 * j;
        size_t  b = at + 16 <= len ? at : len - 16;
        size_t  sh = at - b < 16 ? at - b : 16;
        __m128i x = _mm_loadu_si128((const __m128i *) (const void *) (p + b));

        m |= (uint64_t) ((unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(x, cc))
                         >> sh) << at;
    }
    return m;
}
#endif

/* pf_find_lit - span_find(s, lit) of the n bytes at lit (no NUL among
 * them): candidates by two of its bytes, sixteen places at a time
 * (SSE2), each checked whole (pf_same). A memchr() call for each
 * place its first byte occurs was most of the cost of a search */
long    pf_find_lit(struct span s, const char *lit, size_t n);

/* pf_status_scan - what pf_classify() of a status line reads after the
 * addresses (s: ", relay=..." to the end of the line), in one pass
 * over its '=' bytes: the offset of the first " status=" or -1, before
 * it the first "relay=", "conn_use=" and ", tls=" (keys, -1: none), and
 * *forged 1 when ">, relay=" occurs anywhere in s. The same answers as
 * pf_status_scan_plain(), which searches for each (tests) */
long    pf_status_scan(struct span s, long keys[3], int *forged);
long    pf_status_scan_plain(struct span s, long keys[3], int *forged);

/* pf_qmgr_from - "from=<addr>, size=" at s (a qmgr message past the
 * queue id, from its ": ") into addr; 0, or -1 (none, or more than
 * one ">, size=": which is Postfix's cannot be told). Most lines hold
 * one '>' in all, found with a vector compare;
 * pf_qmgr_from_plain() searches (tests compare the two) */
int     pf_qmgr_from(struct span s, struct span *addr);
int     pf_qmgr_from_plain(struct span s, struct span *addr);

/* pf_error_reason - the REASON of an OpenSSL error queue text at t
 * ("error:CODE:LIB:FUNC:REASON:file:line": between the fourth and the
 * fifth ':') into out; 0, or -1 when t has fewer than five.
 * pf_error_reason_plain() reads it byte by byte (tests compare) */
int     pf_error_reason(struct span t, struct span *out);
int     pf_error_reason_plain(struct span t, struct span *out);

/* "host[ip]:port" at the cursor into ev->peer_*; 0 or -1 */
int     pf_parse_peer(struct span *s, struct pf_event *ev);

/* pf_parse_peer() without the memory of the peers read last (ev->canon
 * untouched): what tests compare it with */
int     pf_parse_peer_plain(struct span *s, struct pf_event *ev);

#endif
