/* global/sess.c - names and helpers of the session record (see sess.h) */
#include "sess.h"

#include <string.h>

static const char *const sess_result_names[SESS_RESULT_COUNT] = {
    "success",
    "starttls-not-supported",
    "certificate-host-mismatch",
    "certificate-expired",
    "tlsa-invalid",
    "dnssec-invalid",
    "dane-required",
    "certificate-not-trusted",
    "sts-policy-invalid",
    "sts-webpki-invalid",
    "validation-failure",
    "sts-policy-fetch-error",
};

static const char *const sess_policy_names[SESS_POL_COUNT] = {
    "no-policy-found", "sts", "tlsa",
};

/* sess_result_name - RFC 8460 string for a result code */
const char *
sess_result_name(int result)
{
    if (result < 0 || result >= SESS_RESULT_COUNT)
        return "validation-failure";
    return sess_result_names[result];
}

/* sess_policy_name - RFC 8460 policy-type */
const char *
sess_policy_name(int policy)
{
    if (policy < 0 || policy >= SESS_POL_COUNT)
        return "no-policy-found";
    return sess_policy_names[policy];
}

/* sess_result_code - inverse of sess_result_name; '_' matches '-' */
int
sess_result_code(const char *name, unsigned long len)
{
    int     r;
    unsigned long i;

    for (r = 0; r < SESS_RESULT_COUNT; r++) {
        const char *want = sess_result_names[r];

        if (strlen(want) != len)
            continue;
        for (i = 0; i < len; i++) {
            char    c = name[i] == '_' ? '-' : name[i];

            if (c != want[i])
                break;
        }
        if (i == len)
            return r;
    }
    return -1;
}

/* sess_reason_plain - sess_set_reason() a byte at a time: what it
 * writes of any text */
static size_t
sess_reason_plain(char *out, const char *text, unsigned long len)
{
    size_t  o = 0;
    unsigned long i;

    for (i = 0; i < len && o < SESS_MAX_REASON; i++) {
        unsigned char c = (unsigned char) text[i];

        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            c = ' ';
        if (c == ' ' && (o == 0 || out[o - 1] == ' '))
            continue;
        out[o++] = (char) c;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = 0;
    return o;
}

/* sess_reason_word - 1 when a word of 8 bytes holds a byte the plain
 * copy changes or drops: below 0x21 (a space, a control byte), above
 * 0x7e, '"' or '\\'. Each test is exact about whether any byte passes
 * it (a borrow runs only upwards from a byte that does) */
static inline int
sess_reason_word(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

    return (((w - ones * 0x21) & ~w)            /* a byte < 0x21 */
            | ((w + ones * (127 - 0x7e)) | w)   /* a byte > 0x7e */
            | ((q - ones) & ~q) | ((b - ones) & ~b)) & high ? 1 : 0;
}

/* sess_set_reason - bounded, sanitised copy of a reason text. The
 * codes the correlators hand over ("certificate-not-trusted",
 * "dane-tlsa-invalid") are clean: every byte printable, no space, no
 * quote or backslash, and the plain copy writes their first
 * SESS_MAX_REASON bytes as they are. Such a text is told a word at a
 * time (the two words at its ends overlap) and copied whole; any other
 * goes the plain way (a byte at a time, about ten instructions each:
 * 420 a session on an Exim log). tests/t_parse.c compares the two */
void
sess_set_reason(struct sess_rec *rec, const char *text, unsigned long len)
{
    (void) sess_put_reason(rec->reason, text, len);
}

/* sess_put_reason - sess_set_reason() into out (sess.h) */
size_t
sess_put_reason(char *out, const char *text, unsigned long len)
{
    size_t  n = len < SESS_MAX_REASON ? (size_t) len : SESS_MAX_REASON;
    size_t  i;
    uint64_t w;
    int     bad = 0;

    if (n < 8) {
        for (i = 0; i < n; i++) {
            unsigned char c = (unsigned char) text[i];

            bad |= c < 0x21 || c > 0x7e || c == '"' || c == '\\';
        }
    } else {
        for (i = 0; i + 8 <= n && !bad; i += 8) {
            memcpy(&w, text + i, 8);
            bad = sess_reason_word(w);
        }
        if (!bad && i < n) {
            memcpy(&w, text + n - 8, 8);
            bad = sess_reason_word(w);
        }
    }
    if (bad)
        return sess_reason_plain(out, text, len);
    memcpy(out, text, n);
    out[n] = 0;
    return n;
}

/* sess_view_str - string s into field d of cap bytes (cut to it) */
static void
sess_view_str(char *d, size_t cap, struct span s)
{
    size_t  n = s.len < cap ? s.len : cap - 1;

    memcpy(d, s.ptr, n);
    d[n] = 0;
}

/* sess_view_rec - the record of a view (sess.h) */
void
sess_view_rec(const struct sess_view *v, struct sess_rec *r)
{
    r->time = v->time;
    r->day = v->day;
    r->result = v->result;
    r->policy = v->policy;
    r->flags = v->flags;
    r->cert = v->cert;
    r->cert_problem = v->cert_problem;
    sess_view_str(r->domain, sizeof(r->domain), v->domain);
    sess_view_str(r->mx, sizeof(r->mx), v->mx);
    sess_view_str(r->helo, sizeof(r->helo), v->helo);
    sess_view_str(r->ip, sizeof(r->ip), v->ip);
    sess_view_str(r->loghost, sizeof(r->loghost), v->loghost);
    sess_view_str(r->reason, sizeof(r->reason), v->reason);
}

/* sess_rec_view - the view of a record (sess.h): every field of a
 * record has at least SESS_VIEW_ROOM bytes */
_Static_assert(IPADDR_MAX + 1 >= SESS_VIEW_ROOM
               && SESS_MAX_LOGHOST + 1 >= SESS_VIEW_ROOM
               && SESS_MAX_REASON + 1 >= SESS_VIEW_ROOM
               && DNAME_MAX + 1 >= SESS_VIEW_ROOM,
               "a record's strings are views of SESS_VIEW_ROOM bytes");
struct sess_view *
sess_rec_view(const struct sess_rec *r, struct sess_view *v)
{
    v->time = r->time;
    v->day = r->day;
    v->result = r->result;
    v->policy = r->policy;
    v->flags = r->flags;
    v->cert = r->cert;
    v->cert_problem = r->cert_problem;
    v->domain = span_make(r->domain, strnlen(r->domain, sizeof(r->domain)));
    v->mx = span_make(r->mx, strnlen(r->mx, sizeof(r->mx)));
    v->helo = span_make(r->helo, strnlen(r->helo, sizeof(r->helo)));
    v->ip = span_make(r->ip, strnlen(r->ip, sizeof(r->ip)));
    v->loghost = span_make(r->loghost,
                           strnlen(r->loghost, sizeof(r->loghost)));
    v->reason = span_make(r->reason, strnlen(r->reason, sizeof(r->reason)));
    return v;
}

/* sess_disp_name - text of a disposition */
const char *
sess_disp_name(enum sess_disp d)
{
    static const char *const names[SESS_D_COUNT] = {
        "counted", "excluded:port", "excluded:relayhost", "excluded:lmtp",
        "excluded:local-no-starttls", "undated", "bad-domain",
        "unattributed", "excluded:own-report",
    };

    return (unsigned) d < SESS_D_COUNT ? names[d] : "?";
}

/* sess_slug - [a-z0-9-] code of a text, bounded by cap: a byte's class
 * by two range tests (a letter is one once 0x20 is set) and the last
 * byte written kept in a flag, not read back (about half the
 * instructions a byte of the plain loop; tests/t_parse.c compares the
 * two on every byte and cap) */
void
sess_slug(struct span t, char *out, size_t cap)
{
    size_t  o = 0;
    size_t  i;
    int     dash = 1;               /* nothing written, or a '-' last */

    if (cap == 0)
        return;
    for (i = 0; i < t.len && o + 1 < cap; i++) {
        unsigned c = (unsigned char) t.ptr[i];
        unsigned l = c | 0x20;

        if (l - 'a' < 26) {
            out[o++] = (char) l;
            dash = 0;
        } else if (c - '0' < 10) {
            out[o++] = (char) c;
            dash = 0;
        } else if (!dash) {
            out[o++] = '-';
            dash = 1;
        }
    }
    while (o > 0 && out[o - 1] == '-')
        o--;
    out[o] = 0;
}

/* The texts sess_slug_mt() folded last on this thread, each in the slot
 * its length and four of its bytes give, with the code made of them: a
 * log gives a few certificate failure texts again and again (a replayed
 * real Postfix log: ten texts in 10,000 lines), and folding one costs
 * some 320 instructions, a compare of the text here some 60. Per
 * thread: no sharing */
#define SESS_SLUG_BITS 6
#define SESS_SLUG_SLOTS (1U << SESS_SLUG_BITS)
#define SESS_SLUG_KEEP 160              /* a text kept is no longer */
#define SESS_SLUG_CAP 80                /* nor a cap larger */

struct sess_slug_memo {
    size_t  len;                        /* of text; 0: slot unused */
    uint64_t seq;                       /* when last used */
    size_t  cap;
    size_t  olen;                       /* strlen(out) */
    char    text[SESS_SLUG_KEEP];
    char    out[SESS_SLUG_CAP];
};

static _Thread_local struct sess_slug_memo sess_slug_memo[SESS_SLUG_SLOTS];

/* sess_slug_mt - sess_slug(), the texts folded last on this thread
 * remembered */
void
sess_slug_mt(struct span t, char *out, size_t cap)
{
    struct sess_slug_memo *e;
    static _Thread_local uint64_t seq;
    int     k;

    if (t.len == 0 || t.len > SESS_SLUG_KEEP || cap == 0
        || cap > SESS_SLUG_CAP) {
        sess_slug(t, out, cap);
        return;
    }
    /* a set of two slots: a text in either; a new one replaces the one
     * used longer ago */
    e = sess_slug_memo + (sess_text_slot(t, SESS_SLUG_BITS) & ~1U);
    for (k = 0; k < 2; k++)
        if (e[k].len == t.len && e[k].cap == cap
            && memcmp(e[k].text, t.ptr, t.len) == 0) {
            e[k].seq = ++seq;
            memcpy(out, e[k].out, e[k].olen + 1);
            return;
        }
    if (e[1].seq < e[0].seq)
        e++;
    sess_slug(t, out, cap);
    e->len = t.len;
    e->seq = ++seq;
    e->cap = cap;
    e->olen = strlen(out);
    memcpy(e->text, t.ptr, t.len);
    memcpy(e->out, out, e->olen + 1);
}
