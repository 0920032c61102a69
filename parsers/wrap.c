/* parsers/wrap.c - strip the envelope of a log line (see wrap.h) */
#include "wrap.h"
#include "../util/date.h"

#include <string.h>
#include <xxhash.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define WRAP_MAX_HOST 255
#define WRAP_MAX_IDENT 128

/* bytes that go on an ident without a decision: not '[', ':', ' ',
 * '\t', '"', '=', '<', ',' */
static const unsigned char wrap_plain[256] = {
    ['a'...'z'] = 1, ['A'...'Z'] = 1, ['0'...'9'] = 1, ['/'] = 1,
    ['-'] = 1, ['_'] = 1, ['.'] = 1,
};

/* wrap_ident - "name[pid]: " (or "name: " unless need_pid) at the cursor */
static int
wrap_ident(struct span *s, struct span *ident, struct span *pid, int need_pid)
{
    size_t  i;
    size_t  n = s->len < WRAP_MAX_IDENT ? s->len : WRAP_MAX_IDENT;

    for (i = 0; i < n; i++) {
        char    c;

        /* the common bytes of a name first: one table look-up each */
        while (i < n && wrap_plain[(unsigned char) s->ptr[i]])
            i++;
        if (i == n)
            break;
        c = s->ptr[i];
        if (c == '[') {
            size_t  j = i + 1;

            while (j < s->len && s->ptr[j] >= '0' && s->ptr[j] <= '9')
                j++;
            if (j == i + 1 || j + 1 >= s->len || s->ptr[j] != ']'
                || s->ptr[j + 1] != ':')
                return -1;
            /* "[xxxxx]" style masked pids are rejected above: fine */
            *ident = span_make(s->ptr, i);
            *pid = span_make(s->ptr + i + 1, j - i - 1);
            span_drop(s, j + 2);
            if (s->len > 0 && s->ptr[0] == ' ')
                span_drop(s, 1);
            return i > 0 ? 0 : -1;
        }
        if (c == ':') {
            if (need_pid || i == 0 || i + 1 > s->len || (i + 1 < s->len
                                              && s->ptr[i + 1] != ' '))
                return -1;
            *ident = span_make(s->ptr, i);
            *pid = span_make(s->ptr, 0);
            span_drop(s, i + 1);
            if (s->len > 0 && s->ptr[0] == ' ')
                span_drop(s, 1);
            return 0;
        }
        if (c == ' ' || c == '\t' || c == '"' || c == '=' || c == '<'
            || c == ',')
            return -1;
    }
    return -1;
}

/* wrap_ident_masked - accept "name[xxxxx]: " (pid masked by a poster):
 * the first '[' (after a name without a space), the first "]: " after
 * it at most WRAP_MAX_IDENT bytes in. Only that many bytes are read: a
 * "]: " before the '[' would put a space before it */
static int
wrap_ident_masked(struct span *s, struct span *ident, struct span *pid)
{
    const char *p = s->ptr;
    size_t  n = s->len < WRAP_MAX_IDENT ? s->len : WRAP_MAX_IDENT;
    size_t  lb, rb;

    for (lb = 0; lb < n && p[lb] != '[' && p[lb] != ' '; lb++)
        ;
    if (lb == 0 || lb >= n || p[lb] != '[')
        return -1;
    n = s->len < WRAP_MAX_IDENT + 3 ? s->len : WRAP_MAX_IDENT + 3;
    for (rb = lb + 1; rb + 3 <= n; rb++)
        if (p[rb] == ']' && p[rb + 1] == ':' && p[rb + 2] == ' ')
            break;
    if (rb + 3 > n)
        return -1;
    *ident = span_make(p, lb);
    *pid = span_make(p + lb + 1, rb - lb - 1);
    span_drop(s, rb + 3);
    return 0;
}

/* wrap_is_severity - container images print INFO/WARNING before ident */
static int
wrap_is_severity(struct span w)
{
    static const char *const sev[] = {"DEBUG", "INFO", "NOTICE", "WARNING",
        "WARN", "ERROR", "ERR", "CRIT", "ALERT", "EMERG", 0};
    int     i;

    /* every line has a host word here: most are no severity at all */
    if (w.len < 3 || w.len > 7 || w.ptr[0] < 'A' || w.ptr[0] > 'W'
        || w.ptr[1] < 'A' || w.ptr[1] > 'Z')
        return 0;
    for (i = 0; sev[i]; i++)
        if (span_eq(w, sev[i]))
            return 1;
    return 0;
}

/* wrap_solaris - drop "[ID 702911 mail.notice] " */
static void
wrap_solaris(struct span *msg)
{
    long    rb;

    if (!span_starts(*msg, "[ID "))
        return;
    rb = span_find(*msg, "] ");
    if (rb > 0 && rb < 64)
        span_drop(msg, (size_t) rb + 2);
}

/* wrap_pri - drop an RFC 5424/3164 "<PRI>" (1-3 digits) at the cursor */
static void
wrap_pri(struct span *s)
{
    size_t  i = 1;

    if (s->len < 3 || s->ptr[0] != '<')
        return;
    while (i < s->len && i <= 3 && s->ptr[i] >= '0' && s->ptr[i] <= '9')
        i++;
    if (i > 1 && i < s->len && s->ptr[i] == '>')
        span_drop(s, i + 1);
}

/* wrap_5424_sd - drop RFC 5424 STRUCTURED-DATA: "-" or "[..][..]";
 * inside a quoted PARAM-VALUE, '\' escapes '"', '\' and ']' */
static int
wrap_5424_sd(struct span *s)
{
    size_t  i = 0;

    if (s->len > 0 && s->ptr[0] == '-') {
        i = 1;
    } else {
        while (i < s->len && s->ptr[i] == '[') {
            int     q = 0;

            for (i++; i < s->len; i++) {
                char    ch = s->ptr[i];

                if (q && ch == '\\')
                    i++;
                else if (ch == '"')
                    q = !q;
                else if (!q && ch == ']')
                    break;
            }
            if (i >= s->len)
                return -1;
            i++;
        }
        if (i == 0)
            return -1;
    }
    if (i < s->len && s->ptr[i] != ' ')
        return -1;
    span_drop(s, i + 1);
    return 0;
}

/* wrap_5424 - "1 TIMESTAMP HOST APP PROCID MSGID SD [MSG]" (RFC 5424,
 * after any <PRI>); NILVALUE "-" leaves a field empty. Emitted e.g. by
 * rsyslog's RSYSLOG_SyslogProtocol23Format and syslog-ng's syslog(). */
static int
wrap_5424(struct span *line, struct wrap_rec *r)
{
    struct span s = *line;
    struct span host, app, procid, msgid;
    size_t  i;

    if (span_skip(&s, "1 ") != 0 || s.len == 0)
        return -1;
    if (span_skip(&s, "- ") == 0) {
        r->dated = 0;
    } else if (ts_parse_iso(&s, &r->t) == 0) {
        r->dated = 1;
    } else {
        return -1;
    }
    if (span_word(&s, &host, WRAP_MAX_HOST) != 0
        || span_word(&s, &app, WRAP_MAX_IDENT) != 0
        || span_word(&s, &procid, WRAP_MAX_IDENT) != 0
        || span_word(&s, &msgid, WRAP_MAX_IDENT) != 0
        || wrap_5424_sd(&s) != 0) {
        r->dated = 0;
        return -1;
    }
    r->host = span_eq(host, "-") ? span_make(host.ptr, 0) : host;
    r->ident = span_eq(app, "-") ? span_make(app.ptr, 0) : app;
    for (i = 0; i < procid.len; i++)
        if (procid.ptr[i] < '0' || procid.ptr[i] > '9')
            break;
    r->pid = i == procid.len && !span_eq(procid, "-") ? procid
        : span_make(procid.ptr, 0);
    span_skip(&s, "\xef\xbb\xbf");      /* BOM before a UTF-8 MSG */
    r->msg = s;
    return 0;
}

/* wrap_unix - journalctl -o short-unix "1732324145.123456 " */
static int
wrap_unix(struct span *s, int64_t *t)
{
    size_t  i = 0;
    int64_t v = 0;

    while (i < s->len && i < 12 && s->ptr[i] >= '0' && s->ptr[i] <= '9')
        v = v * 10 + (s->ptr[i++] - '0');
    if (i < 9 || i >= 12 || i + 8 > s->len || s->ptr[i] != '.')
        return -1;
    i++;
    while (i < s->len && s->ptr[i] >= '0' && s->ptr[i] <= '9')
        i++;
    if (i >= s->len || s->ptr[i] != ' ')
        return -1;
    *t = v;
    span_drop(s, i + 1);
    return 0;
}

/* wrap_svlogd_stamp - svlogd -tt/-ttt "YYYY-MM-DD[_T]HH:MM:SS.xxxxx "
 * (UTC, no zone) or svlogd -t TAI64N "@4000000063349a8e2e6f3b7c " */
static int
wrap_svlogd_stamp(struct span *s, int64_t *t)
{
    const char *p = s->ptr;
    int     y, mon, d, h, mi, sec;
    size_t  i;

    if (s->len > 26 && p[0] == '@') {
        uint64_t v = 0;

        for (i = 1; i < 25; i++) {
            char    ch = p[i];
            int     x = ch >= '0' && ch <= '9' ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;

            if (x < 0)
                return -1;
            if (i <= 16)
                v = v << 4 | (uint64_t) x;
        }
        /* TAI64 label: 2^62 + TAI seconds; TAI - UTC = 10 s, as
         * daemontools' tai64nlocal assumes */
        if (p[25] != ' ' || v < 4611686018427387914ULL
            || v > 4611686018427387914ULL + 253402300799ULL)
            return -1;
        *t = (int64_t) (v - 4611686018427387914ULL);
        span_drop(s, 26);
        return 0;
    }
    if (s->len < 21 || p[4] != '-' || p[7] != '-'
        || (p[10] != 'T' && p[10] != '_') || p[13] != ':' || p[16] != ':'
        || date_digits(p, 4, &y) || date_digits(p + 5, 2, &mon)
        || date_digits(p + 8, 2, &d) || date_digits(p + 11, 2, &h)
        || date_digits(p + 14, 2, &mi) || date_digits(p + 17, 2, &sec)
        || mon < 1 || mon > 12 || d < 1 || d > 31 || h > 23 || mi > 59
        || sec > 60)
        return -1;
    i = 19;
    if (p[i] == '.') {
        i++;
        while (i < s->len && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    if (i >= s->len || p[i] != ' ')
        return -1;
    *t = date_days_from_civil(y, mon, d) * 86400 + h * 3600 + mi * 60 + sec;
    span_drop(s, i + 1);
    return 0;
}

/* wrap_socklog - runit socklog through svlogd: stamp (UTC), then
 * "facility.level: ", then the syslog line as socklog received it:
 * "Sep 28 21:09:10 smtpd[2699]: msg" (local time: ignored; no host)
 *   2022-09-28T19:09:10.78118 mail.info: Sep 28 21:09:10 smtpd[2699]: m */
static int
wrap_socklog(struct ts_ctx *c, struct span *line, struct wrap_rec *r)
{
    struct span s = *line;
    struct span save;
    int64_t t;
    int64_t inner;
    size_t  i = 0;
    int     dot = 0;

    if (wrap_svlogd_stamp(&s, &t) != 0)
        return -1;
    while (i < s.len && i < 32 && ((s.ptr[i] >= 'a' && s.ptr[i] <= 'z')
                                   || (s.ptr[i] >= '0' && s.ptr[i] <= '9')
                                   || (s.ptr[i] == '.' && !dot++)))
        i++;
    if (dot != 1 || i + 1 >= s.len || s.ptr[i] != ':' || s.ptr[i + 1] != ' ')
        return -1;
    span_drop(&s, i + 2);
    r->dated = 1;
    r->t = t;
    save = s;
    if (ts_parse_3164(c, &s, &inner) != 0)
        s = save;
    save = s;
    if (wrap_ident(&s, &r->ident, &r->pid, 0) != 0) {
        s = save;
        r->ident = span_make(s.ptr, 0);
    }
    wrap_solaris(&s);
    r->msg = s;
    return 0;
}

/* wrap_full - journalctl -o short-full "Sat 2024-11-23 01:09:05 UTC ":
 * UTC/GMT exactly; any other zone name as local time of --log-tz (the
 * name itself, e.g. CET or CEST, is not interpreted) */
static int
wrap_full(struct ts_ctx *c, struct span *s, int64_t *t)
{
    const char *p = s->ptr;
    int     y, mon, d, h, mi, sec;
    size_t  i, j;

    if (s->len < 26 || p[3] != ' ' || p[8] != '-' || p[11] != '-'
        || p[14] != ' ' || p[17] != ':' || p[20] != ':' || p[23] != ' ')
        return -1;
    for (i = 0; i < 3; i++)
        if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z')))
            return -1;
    if (date_digits(p + 4, 4, &y) || date_digits(p + 9, 2, &mon)
        || date_digits(p + 12, 2, &d) || date_digits(p + 15, 2, &h)
        || date_digits(p + 18, 2, &mi) || date_digits(p + 21, 2, &sec)
        || mon < 1 || mon > 12 || d < 1 || d > 31 || h > 23 || mi > 59
        || sec > 60)
        return -1;
    /* a zone name: "CET", or "+03" where the zone has no name */
    for (i = 24, j = i; j < s->len && j - i < 8 && p[j] != ' '; j++)
        if (!((p[j] >= 'A' && p[j] <= 'Z') || (p[j] >= '0' && p[j] <= '9')
              || p[j] == '+' || p[j] == '-'))
            return -1;
    if (j == i || j >= s->len || p[j] != ' ')
        return -1;
    if ((j - i == 3 && (memcmp(p + i, "UTC", 3) == 0
                        || memcmp(p + i, "GMT", 3) == 0))
        || (j - i == 1 && p[i] == 'Z'))
        *t = date_days_from_civil(y, mon, d) * 86400 + h * 3600 + mi * 60 + sec;
    else
        *t = ts_local_to_utc(c, y, mon, d, h, mi, sec);
    span_drop(s, j + 1);
    return 0;
}

/* wrap_compose - drop a "docker compose logs" prefix: the service name,
 * padding spaces, "| " (e.g. "postfix         | 2021-01-24T14:43:33..."),
 * when a dated line follows it; the inner line is then parsed as usual */
static void
wrap_compose(struct span *s)
{
    size_t  i = 0;
    size_t  n = s->len < 64 ? s->len : 64;

    /* a name: letters, digits, '-', '_' and '.' (isalnum() of the C
     * locale, which the program never leaves) */
    while (i < n && wrap_plain[(unsigned char) s->ptr[i]]
           && s->ptr[i] != '/')
        i++;
    if (i == 0 || i >= n || s->ptr[i] != ' ')
        return;
    while (i < n && s->ptr[i] == ' ')
        i++;
    if (i + 2 >= s->len || s->ptr[i] != '|' || s->ptr[i + 1] != ' ')
        return;
    /* only when a time stamp follows: Exim's debug echo has its own form */
    if (!(s->ptr[i + 2] >= '0' && s->ptr[i + 2] <= '9')
        && !(s->ptr[i + 2] >= 'A' && s->ptr[i + 2] <= 'Z'))
        return;
    span_drop(s, i + 2);
}

/* The hosts and idents of the lines before, each known to be ident
 * bytes only (wrap_plain; a host no severity word either): a line that
 * repeats one is read without looking at its bytes one by one. A word
 * is looked up by where it ends (its terminator, ' ' after a host, '['
 * after an ident, found eight bytes at a time) and a hash of its
 * length, first and last eight bytes: two slots to compare, however
 * many hosts and programs a log interleaves. (The 4 hosts and 8 idents
 * searched in turn before missed on a merged log of 7 hosts and 15
 * programs: 283 instructions a line in wrap_parse(), 227 now; the same
 * 210 on a log of one host.) The pairs "host ident" of the lines
 * before (wrap_pair_seen; those of 8 to 31 bytes have a table of
 * their own, wrap_pair32) in a third table: a merged log has many more
 * of them (a replayed real log: some 1,500), hence 128 sets of two
 * slots (with 32, one line in nine noted a pair again). Per thread: no
 * sharing. */
#define WRAP_SEEN_BITS 7                /* sets of two slots */
#define WRAP_SEEN_SLOTS (2U << WRAP_SEEN_BITS)
#define WRAP_SEEN_MAX 64                /* a word kept is shorter */

struct wrap_word {
    uint64_t head;                      /* bytes 0-7; zero past len */
    uint64_t tail;                      /* the 8 bytes before the
                                         * terminator; zero past len */
    uint64_t len;                       /* 0: slot unused */
    uint64_t tag;                       /* an ident's wrap_rec.ident_tag,
                                         * a host's wrap_rec.host_tag */
    uint64_t hlen;                      /* a pair's: its host's length,
                                         * and its host's tag << 8 (a
                                         * pair is shorter than 64) */
};

struct wrap_tab {
    struct wrap_word w[WRAP_SEEN_SLOTS];
    char    text[WRAP_SEEN_SLOTS][WRAP_SEEN_MAX];
    uint64_t seq[WRAP_SEEN_SLOTS];      /* when each came */
};

struct wrap_seen {
    struct wrap_tab host;
    struct wrap_tab ident;
    struct wrap_tab pair;               /* "host ident" (wrap_pair_seen) */
    uint64_t seq;                       /* words kept so far */
    uint64_t tags;                      /* ident tags given so far */
    /* the host of the line before, as wrap_host() compares it */
    uint64_t last_head;                 /* its first 8 bytes, masked */
    uint64_t last_mask;                 /* of its first min(len, 8) */
    uint64_t last_tail;                 /* its last 8 bytes (len > 8) */
    size_t  last_len;                   /* 0: none */
    uint64_t last_tag;                  /* its host tag */
    uint64_t host_tags;                 /* the last host tag given */
};

static _Thread_local struct wrap_seen wrap_seen;

/* wrap_word_end - the offset of the first byte b among the next
 * WRAP_SEEN_MAX bytes at p, of which avail are in the line, read eight
 * at a time while eight are there; -1 when not seen (the caller then
 * reads byte by byte). A word holds b where w ^ b*ones has a zero byte;
 * the lowest flagged byte is exact (a borrow spoils only bytes above) */
static inline long
wrap_word_end(const char *p, size_t avail, unsigned char b)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    size_t  i = 0;

    if (!span_little_endian())
        return -1;
#ifdef __SSE2__
    /* the first 32 bytes in two compares (the words of most hosts and
     * pairs end there): the first b among them is the one the loop
     * below finds, which reads them all when 32 are in the line */
    if (avail >= 32) {
        const __m128i v = _mm_set1_epi8((char) b);
        unsigned m = (unsigned) _mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *) p), v))
            | (unsigned) _mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *) (p + 16)), v))
            << 16;

        if (m != 0)
            return (long) __builtin_ctz(m);
        i = 32;
    }
#endif
    for (; i + 8 <= avail && i < WRAP_SEEN_MAX; i += 8) {
        uint64_t w, x, z;

        memcpy(&w, p + i, 8);
        x = w ^ (ones * b);
        z = (x - ones) & ~x & high;
        if (z != 0)
            return (long) (i + (size_t) (__builtin_ctzll(z) >> 3));
    }
    return -1;
}

#ifdef __SSE2__
/* wrap_mask2_32 - bit i set when byte i of the 32 at p is b or c */
static inline unsigned
wrap_mask2_32(const char *p, unsigned char b, unsigned char c)
{
    const __m128i vb = _mm_set1_epi8((char) b);
    const __m128i vc = _mm_set1_epi8((char) c);
    __m128i x = _mm_loadu_si128((const __m128i *) p);
    __m128i y = _mm_loadu_si128((const __m128i *) (p + 16));

    return (unsigned) _mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(x, vb), _mm_cmpeq_epi8(x, vc)))
        | (unsigned) _mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(y, vb), _mm_cmpeq_epi8(y, vc))) << 16;
}
#endif

/* wrap_word_end2 - wrap_word_end() of whichever of b and c comes
 * first */
static inline long
wrap_word_end2(const char *p, size_t avail, unsigned char b, unsigned char c)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    size_t  i = 0;

    if (!span_little_endian())
        return -1;
#ifdef __SSE2__
    if (avail >= 32) {
        unsigned m = wrap_mask2_32(p, b, c);

        if (m != 0)
            return (long) __builtin_ctz(m);
        i = 32;
    }
#endif
    for (; i + 8 <= avail && i < WRAP_SEEN_MAX; i += 8) {
        uint64_t w, x, y, z;

        memcpy(&w, p + i, 8);
        x = w ^ (ones * b);
        y = w ^ (ones * c);
        z = (((x - ones) & ~x) | ((y - ones) & ~y)) & high;
        if (z != 0)
            return (long) (i + (size_t) (__builtin_ctzll(z) >> 3));
    }
    return -1;
}

/* wrap_word_set - the first slot of the set of a word's key */
static inline unsigned
wrap_word_set(uint64_t head, uint64_t tail, size_t len)
{
    uint64_t h = (head ^ (tail * 0x9e3779b97f4a7c15ULL) ^ len)
        * 0xff51afd7ed558ccdULL;

    return (unsigned) (h >> (64 - WRAP_SEEN_BITS)) * 2;
}

/* wrap_word_is - 1 when slot k of tab holds the len bytes at p, whose
 * first and last eight make head and tail */
static inline int
wrap_word_is(const struct wrap_tab *tab, unsigned k, const char *p,
             size_t len, uint64_t head, uint64_t tail)
{
    size_t  o;
    uint64_t a, b;

    if (tab->w[k].head != head || tab->w[k].tail != tail
        || tab->w[k].len != len)
        return 0;
    /* the bytes between the first and last eight, eight at a time */
    for (o = 8; o + 8 < len; o += 8) {
        memcpy(&a, p + o, 8);
        memcpy(&b, tab->text[k] + o, 8);
        if (a != b)
            return 0;
    }
    return 1;
}

/* wrap_word_seen - the slot of tab that holds the word of len bytes at
 * p (8 bytes at p readable: a little-endian host), or NULL */
static inline const struct wrap_word *
wrap_word_seen(const struct wrap_tab *tab, const char *p, size_t len)
{
    uint64_t head, tail;
    unsigned k;

    if (len == 0 || len >= WRAP_SEEN_MAX)
        return NULL;
    memcpy(&head, p, 8);
    if (len >= 8) {
        memcpy(&tail, p + len - 8, 8);
    } else {
        head &= (1ULL << (8 * len)) - 1;
        tail = head;
    }
    k = wrap_word_set(head, tail, len);
    if (wrap_word_is(tab, k, p, len, head, tail))
        return tab->w + k;
    if (wrap_word_is(tab, k + 1, p, len, head, tail))
        return tab->w + k + 1;
    return NULL;
}

/* wrap_word_note - keep the word of len bytes at p in tab (the older
 * slot of its set); that slot, or NULL */
static struct wrap_word *
wrap_word_note(struct wrap_tab *tab, const char *p, size_t len)
{
    uint64_t head = 0, tail = 0;
    struct wrap_word *e;
    unsigned k;

    if (len == 0 || len >= WRAP_SEEN_MAX || !span_little_endian())
        return NULL;
    memcpy(&head, p, len < 8 ? len : 8);
    memcpy(&tail, p + (len < 8 ? 0 : len - 8), len < 8 ? len : 8);
    k = wrap_word_set(head, tail, len);
    if (tab->seq[k + 1] < tab->seq[k])
        k++;
    e = tab->w + k;
    e->head = head;
    e->tail = tail;
    e->len = len;
    memcpy(tab->text[k], p, len);
    tab->seq[k] = ++wrap_seen.seq;
    return e;
}

/* wrap_pid - "digits]:" at p[i] (the byte after an ident's '['): the
 * offset of the ']', or -1 */
static inline long
wrap_pid(const char *p, size_t len, size_t i)
{
    size_t  j = i;

    if (i + 8 <= len && span_little_endian()) {
        /* the pid's end among the next eight bytes at once */
        unsigned k = span_digits8(p + i);

        j = i + k;
        if (k < 8)
            goto end;
    }
    while (j < len && p[j] >= '0' && p[j] <= '9')
        j++;
  end:
    if (j == i || j + 1 >= len || p[j] != ']' || p[j + 1] != ':')
        return -1;
    return (long) j;
}

/* wrap_ident_seen - wrap_ident() for "name[pid]: " at p (n bytes) where
 * "name" is an ident seen before: the same result with the name's bytes
 * compared at once; the bytes taken (the ": " and one space after it),
 * -1 when no ident seen before starts p (nothing changed), -2 when one
 * does but no pid follows (wrap_ident() fails as well). bare: an
 * undated line, often a message without ident (-3: a space comes
 * before any '[', no ident of either form) */
static inline long
wrap_ident_seen_at(const char *p, size_t n, long i, struct span *ident,
                   struct span *pid, uint64_t *tag, int bare);

static inline long
wrap_ident_seen(const char *p, size_t n, struct span *ident,
                struct span *pid, uint64_t *tag, int bare)
{
    return wrap_ident_seen_at(p, n, bare ? wrap_word_end2(p, n, '[', ' ')
                              : wrap_word_end(p, n, '['), ident, pid, tag,
                              bare);
}

/* wrap_ident_seen_at - wrap_ident_seen() with its first search's
 * answer i given (wrap_bare() has made it) */
static inline long
wrap_ident_seen_at(const char *p, size_t n, long i, struct span *ident,
                   struct span *pid, uint64_t *tag, int bare)
{
    long    j;
    const struct wrap_word *e;

    /* the '[' (where messages without ident are common, the search
     * stops at a space too: no ident seen); every byte before it is an
     * ident byte and i < 128: the scan of wrap_ident() stops at that '['
     * as well. A space before any '[': wrap_ident() fails at or before
     * it (or at a ':', wanting a pid), and wrap_ident_masked() at it:
     * -3, no ident at all */
    if (bare && i >= 0 && p[i] == ' ')
        return -3;
    if (i <= 0 || p[i] != '['
        || (e = wrap_word_seen(&wrap_seen.ident, p, (size_t) i)) == NULL)
        return -1;
    if ((j = wrap_pid(p, n, (size_t) i + 1)) < 0)
        return -2;
    *ident = span_make(p, (size_t) i);
    *pid = span_make(p + i + 1, (size_t) (j - i - 1));
    *tag = e->tag;
    j += 2;                             /* j + 1 < n: wrap_pid() */
    return (size_t) j < n && p[j] == ' ' ? j + 1 : j;
}

/* wrap_ident_note - remember the ident of a line just read; its tag,
 * or 0 */
static uint64_t
wrap_ident_note(const struct span *ident)
{
    struct wrap_word *e;
    size_t  i;

    if (ident->len == 0 || ident->len >= WRAP_SEEN_MAX
        || ident->ptr[ident->len] != '[')
        return 0;
    for (i = 0; i < ident->len; i++)
        if (!wrap_plain[(unsigned char) ident->ptr[i]])
            return 0;           /* e.g. "a@b": not for the short cut */
    if ((e = wrap_word_note(&wrap_seen.ident, ident->ptr, ident->len)) == NULL)
        return 0;
    /* a tag never given before (64 bits: no wrap in any log): tags of
     * the ident replaced no longer match; and the idents kept last have
     * tags that differ in their low bits, by which engine/pipe.c keeps
     * what it learnt of an ident */
    return e->tag = ++wrap_seen.tags;
}

/* wrap_host_last - make the host in slot e the one a line's host is
 * compared with first (at most 16 bytes: most are shorter) */
static inline void
wrap_host_last(const struct wrap_word *e)
{
    struct wrap_seen *w = &wrap_seen;

    w->last_len = e->len <= 16 ? e->len : 0;
    w->last_mask = e->len < 8 ? (1ULL << (8 * e->len)) - 1 : ~0ULL;
    w->last_head = e->head;
    w->last_tail = e->tail;
    w->last_tag = e->tag;
}

/* The threads that have given host tags so far: a thread's tags are
 * its number << 40 and up (no thread gives 2^40 of them), so a tag
 * names one host's bytes in the whole process, whichever thread read
 * the line (engine/pipe.c correlates the lines that other threads
 * read) */
static uint64_t wrap_host_threads;

/* wrap_host_tag_new - a host tag never given before */
static uint64_t
wrap_host_tag_new(void)
{
    struct wrap_seen *w = &wrap_seen;

    if (w->host_tags == 0)
        w->host_tags = __atomic_add_fetch(&wrap_host_threads, 1,
                                          __ATOMIC_RELAXED) << 40;
    return ++w->host_tags;
}

/* wrap_host - the host word at p[i] for wrap_fast(): ident bytes and a
 * space, no severity word: the offset of the space, or -1 (the line is
 * for wrap_slow() then); *tag its host tag (0: none kept). Most logs
 * have one host: the last one is compared first, in a word or two */
static inline long
wrap_host(const char *p, size_t len, size_t i, uint64_t *tag)
{
    const struct wrap_seen *w = &wrap_seen;
    const struct wrap_word *e;
    struct wrap_word *ne;
    size_t  l = w->last_len;
    long    n;
    size_t  j;

    if (l != 0 && i + l < len && i + 8 <= len) {
        uint64_t h, t;

        memcpy(&h, p + i, 8);
        if ((h & w->last_mask) == w->last_head && p[i + l] == ' ') {
            *tag = w->last_tag;
            if (l <= 8)
                return (long) (i + l);
            memcpy(&t, p + i + l - 8, 8);
            if (t == w->last_tail)
                return (long) (i + l);
        }
    }
    n = wrap_word_end(p + i, len - i, ' ');
    if (n > 0 && (e = wrap_word_seen(&wrap_seen.host, p + i, (size_t) n))
        != NULL) {
        wrap_host_last(e);
        *tag = e->tag;
        return (long) i + n;
    }
    *tag = 0;
    for (j = i; j < len && wrap_plain[(unsigned char) p[j]]; j++)
        ;
    if (j == i || j >= len || p[j] != ' ' || j - i > WRAP_MAX_HOST
        || wrap_is_severity(span_make(p + i, j - i)))
        return -1;
    if ((ne = wrap_word_note(&wrap_seen.host, p + i, j - i)) != NULL) {
        *tag = ne->tag = wrap_host_tag_new();
        wrap_host_last(ne);
    }
    return (long) j;
}

#if defined(__SSE2__)
#define WRAP_PAIR32 1
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WRAP_AVX2 1             /* wrap_hot() by AVX2 where it can */
#include <immintrin.h>
#endif

#define WRAP_K32(c) {c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, \
        c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c}

/* the constants of wrap_hot()'s compares, read from memory by the
 * compares themselves (wrap_k_get): made anew in registers, as gcc
 * does for AVX2 code (a move, a vmovd and a broadcast each), they were
 * 9 instructions a line */
struct wrap_k {
    unsigned char lb[32];               /* '[' */
    unsigned char d0[16];               /* '0' - 1 */
    unsigned char d9[16];               /* '9' + 1 */
};

static const struct wrap_k wrap_k_tab __attribute__((aligned(32))) = {
    WRAP_K32('['),
    {'0' - 1, '0' - 1, '0' - 1, '0' - 1, '0' - 1, '0' - 1, '0' - 1, '0' - 1,
     '0' - 1, '0' - 1, '0' - 1, '0' - 1, '0' - 1, '0' - 1, '0' - 1, '0' - 1},
    {'9' + 1, '9' + 1, '9' + 1, '9' + 1, '9' + 1, '9' + 1, '9' + 1, '9' + 1,
     '9' + 1, '9' + 1, '9' + 1, '9' + 1, '9' + 1, '9' + 1, '9' + 1, '9' + 1},
};

/* wrap_tz - __builtin_ctz(m) of an m that is not 0, as a size_t. On
 * x86-64 a tzcnt written by hand (a bsf to a processor without BMI1,
 * the same count where m is not 0): gcc clears the destination before
 * its own and sign-extends the int of __builtin_ctz() after it (a cast
 * to unsigned or __builtin_ctzll() did not spare that), 2 instructions
 * of the common line's pair and of its pid each */
static inline size_t
wrap_tz(uint32_t m)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    uint64_t t;

    __asm__("tzcnt %1, %0" : "=r"(t) : "r"((uint64_t) m) : "cc");
    return (size_t) t;
#else
    return (size_t) __builtin_ctz(m);
#endif
}

/* wrap_k_get - wrap_k_tab, its bytes unknown to the compiler */
static inline const struct wrap_k *
wrap_k_get(void)
{
    const struct wrap_k *k = &wrap_k_tab;

#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(k));
#endif
    return k;
}

/* wrap_k_digits - &wrap_k_tab.d0 (d9 after it) as wrap_k_get() gives
 * the table: asked for after the pair, its address made anew (one
 * instruction), not kept in a register across the pair's compares */
static inline const unsigned char *
wrap_k_digits(void)
{
    const unsigned char *d = wrap_k_tab.d0;

#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(d));
#endif
    return d;
}

/* The pairs "host ident" of at most 31 bytes (most: "sender
 * postfix/smtp") in a table of their own, read without a loop: a line's
 * first 32 bytes after its stamp, in the two registers that found its
 * '[', are compared with both slots of a set at once, the two results
 * chosen between without a branch. The table of words (wrap_pair_seen)
 * compared eight bytes at a time, a loop whose count was the pair's
 * length, then the second slot if the first missed: a branch a merged
 * log's pairs make unpredictable (68 k mispredictions in 120 k lines of
 * a replayed real log, 20 MB). Longer pairs stay there. A slot holds
 * the pair's bytes, its '[' and zeros to 32: the first '[' of a line
 * and the bytes before it equal a slot's to its '[' only where the
 * pair is the slot's (no slot's bytes hold a '[' before its own; an
 * unused slot holds none) */
#define WRAP_PAIR_BITS 7                /* sets of two slots */

struct wrap_pair {
    unsigned char text[32];             /* "host ident[", zeros */
    uint64_t tag;                       /* the ident's tag */
    uint64_t seq;                       /* when it came; 0: unused */
    uint32_t hlen;                      /* the host's length */
    uint32_t pad;
    uint64_t htag;                      /* the host's tag */
};

static _Thread_local struct wrap_pair wrap_pairs[2U << WRAP_PAIR_BITS]
    __attribute__((aligned(64)));
static _Thread_local uint64_t wrap_pair_seq;

/* wrap_text_eq - the bytes of the 32 at t (16-byte aligned) that equal
 * a and b, as bits */
static inline unsigned
wrap_text_eq(const unsigned char *t, __m128i a, __m128i b)
{
    return (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(a,
                          _mm_load_si128((const __m128i *) t)))
        | (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(b,
                          _mm_load_si128((const __m128i *) (t + 16))))
        << 16;
}

/* wrap_set_of - the first slot of the set, in a table of 2 << bits
 * slots in sets of two, of the k bytes at p (8 <= k < 32) */
static inline unsigned
wrap_set_of(const char *p, size_t k, unsigned bits)
{
    uint64_t head, tail;

    memcpy(&head, p, 8);
    memcpy(&tail, p + k - 8, 8);
    return (unsigned) (((head ^ tail ^ k) * 0x9e3779b97f4a7c15ULL)
                       >> (64 - bits)) * 2;
}

/* wrap_pair_eq - the bytes of slot e that equal a and b, as bits */
static inline unsigned
wrap_pair_eq(const struct wrap_pair *e, __m128i a, __m128i b)
{
    return wrap_text_eq(e->text, a, b);
}

/* wrap_pair_set - the first slot of the set of the pair of k bytes at
 * q (8 <= k < 32) */
static inline unsigned
wrap_pair_set(const char *q, size_t k)
{
    return wrap_set_of(q, k, WRAP_PAIR_BITS);
}

/* wrap_pair_find - the slot of the set at e0 that holds the pair of k
 * bytes whose first 32 bytes are a and b, or NULL: both slots
 * compared, the one that matched chosen without a branch */
static inline const struct wrap_pair *
wrap_pair_find(const struct wrap_pair *e0, __m128i a, __m128i b, unsigned k)
{
    /* the bytes to the '[' of both slots, the second's above bit 32 */
    uint64_t need = ((2ULL << k) - 1) * 0x100000001ULL;
    /* the bits of both in one word, one compare added at a time: the
     * four in registers of their own made the function that inlines
     * this save two more on every line */
    uint64_t eq = wrap_pair_eq(e0, a, b);
    uint64_t miss;

    eq |= (uint64_t) wrap_pair_eq(e0 + 1, a, b) << 32;
    miss = ~eq & need;
    if (((uint32_t) miss != 0) & (miss >> 32 != 0))
        return NULL;
    return e0 + ((uint32_t) miss != 0);
}

/* wrap_hot_pair - wrap_hot()'s pair: the first '[' among the 32 bytes
 * at q into *kp (31 when none) and the slot kept for the bytes before
 * it, or NULL (no '[', one before byte 8, or a pair not kept) */
static inline const struct wrap_pair *
wrap_hot_pair(const struct wrap_k *kc, const char *q, unsigned *kp)
{
    __m128i a = _mm_loadu_si128((const __m128i *) q);
    __m128i b = _mm_loadu_si128((const __m128i *) (q + 16));
    __m128i lb = _mm_load_si128((const __m128i *) kc->lb);
    unsigned m, k;

    m = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(a, lb))
        | (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(b, lb)) << 16;
    k = (unsigned) __builtin_ctz(m | 1U << 31);
    *kp = k;
    if (k < 8 || q[k] != '[')
        return NULL;
    return wrap_pair_find(wrap_pairs + wrap_pair_set(q, k), a, b, k);
}

#ifdef WRAP_AVX2
/* wrap_hot_pair_avx2 - wrap_hot_pair() in 32-byte compares, where the
 * processor has AVX2 (wrap_parse_any_avx2): the '[' found in one
 * compare, each slot compared in one (two compares of 16 bytes, their
 * masks joined, and register copies were 14 instructions more) */
__attribute__((target("avx2")))
static inline const struct wrap_pair *
wrap_hot_pair_avx2(const struct wrap_k *kc, const char *q, size_t *kp)
{
    __m256i v = _mm256_loadu_si256((const __m256i *) q);
    const struct wrap_pair *e0;
    uint32_t lm, need, m0, m1;
    size_t  k;

    lm = (uint32_t) _mm256_movemask_epi8(_mm256_cmpeq_epi8(v,
                      _mm256_load_si256((const __m256i *) kc->lb)))
        | 1U << 31;
    k = wrap_tz(lm);
    *kp = k;
    if (k < 8 || q[k] != '[')
        return NULL;
    e0 = wrap_pairs + wrap_pair_set(q, k);
    /* as wrap_pair_find(): the bytes to the '[' of both slots (the
     * bits to the mask's lowest, no shift by k: its count register
     * and k's copy were two registers more), the one that matched
     * chosen without a branch */
    need = lm ^ (lm - 1);
    m0 = ~(uint32_t) _mm256_movemask_epi8(_mm256_cmpeq_epi8(v,
                      _mm256_load_si256((const __m256i *) e0[0].text)))
        & need;
    m1 = ~(uint32_t) _mm256_movemask_epi8(_mm256_cmpeq_epi8(v,
                      _mm256_load_si256((const __m256i *) e0[1].text)))
        & need;
    if ((m0 != 0) & (m1 != 0))
        return NULL;
    return e0 + (m0 != 0);
}
#endif

/* wrap_pair32 - wrap_pair_seen() of a pair of 8 to 31 bytes: the bytes
 * taken (to the message), -1 (a pair of that length not kept, or no
 * pid after it: nothing changed), -2 (no '[' among the first 32 bytes,
 * fewer than 32 there, or a pair shorter than 8 bytes:
 * wrap_pair_seen() may know it) */
static inline long
wrap_pair32(const char *p, size_t len, size_t i, struct wrap_rec *r)
{
    const char *q = p + i;
    const __m128i br = _mm_set1_epi8('[');
    __m128i a, b;
    const struct wrap_pair *e;
    unsigned m, k;
    long    j;

    if (len - i < 32)
        return -2;
    a = _mm_loadu_si128((const __m128i *) q);
    b = _mm_loadu_si128((const __m128i *) (q + 16));
    m = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(a, br))
        | (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(b, br)) << 16;
    if (m == 0)
        return -2;
    k = (unsigned) __builtin_ctz(m);
    if (k < 8)
        return -2;
    if ((e = wrap_pair_find(wrap_pairs + wrap_pair_set(q, k), a, b, k))
        == NULL || (j = wrap_pid(p, len, i + (size_t) k + 1)) < 0)
        return -1;
    r->host = span_make(q, e->hlen);
    r->ident = span_make(q + e->hlen + 1, (size_t) k - e->hlen - 1);
    r->pid = span_make(q + k + 1, (size_t) j - (i + (size_t) k + 1));
    r->ident_tag = e->tag;
    r->host_tag = e->htag;
    j += 2;                             /* j + 1 < len: wrap_pid() */
    return (size_t) j < len && p[j] == ' ' ? j + 1 : j;
}

/* wrap_pair32_note - keep the pair of r (its k bytes and the '[' after
 * them, 8 <= k < 32) in the older slot of its set */
static void
wrap_pair32_note(const struct wrap_rec *r, size_t k)
{
    unsigned set = wrap_pair_set(r->host.ptr, k);
    struct wrap_pair *e = wrap_pairs + set;

    if (e[1].seq < e[0].seq)
        e++;
    memset(e->text, 0, sizeof(e->text));
    memcpy(e->text, r->host.ptr, k + 1);
    e->hlen = (uint32_t) r->host.len;
    e->tag = r->ident_tag;
    e->htag = r->host_tag;
    e->seq = ++wrap_pair_seq;
}
#endif

/* wrap_pair_seen - the host and ident for wrap_fast() at p[i] (after
 * the stamp and its spaces) when "host ident[" is a pair read before
 * (wrap_pair_note), and the pid after it: the same fields as the host
 * and ident read one by one (what wrap_host() and wrap_ident_seen()
 * make of a line depends on these bytes only), with one search for the
 * '[' and one look-up instead of two of each. The bytes taken (to the
 * message), or -1 (nothing changed). Most lines of a log repeat a few
 * pairs: 52 instructions a line fewer on a replayed real log */
static inline long
wrap_pair_seen(const char *p, size_t len, size_t i, struct wrap_rec *r)
{
    long    k = wrap_word_end(p + i, len - i, '[');
    const struct wrap_word *e;
    long    j;

    if (k <= 0 || (e = wrap_word_seen(&wrap_seen.pair, p + i, (size_t) k))
        == NULL || (j = wrap_pid(p, len, i + (size_t) k + 1)) < 0)
        return -1;
    r->host = span_make(p + i, e->hlen & 0xff);
    r->ident = span_make(p + i + (e->hlen & 0xff) + 1,
                         (size_t) k - (e->hlen & 0xff) - 1);
    r->pid = span_make(p + i + k + 1, (size_t) j - (i + (size_t) k + 1));
    r->ident_tag = e->tag;
    r->host_tag = e->hlen >> 8;
    j += 2;                             /* j + 1 < len: wrap_pid() */
    return (size_t) j < len && p[j] == ' ' ? j + 1 : j;
}

/* wrap_pair_note - remember the host and ident of a line just read by
 * wrap_fast(): one space between them, and the ident one with a tag
 * (ident bytes only, a '[' after it) */
static inline void
wrap_pair_note(const struct wrap_rec *r)
{
    struct wrap_word *e;

    if (r->ident_tag == 0 || r->host.len == 0
        || r->ident.ptr != r->host.ptr + r->host.len + 1)
        return;
#ifdef WRAP_PAIR32
    if (r->host.len + 1 + r->ident.len < 32
        && r->host.len + 1 + r->ident.len >= 8) {
        wrap_pair32_note(r, r->host.len + 1 + r->ident.len);
        return;
    }
#endif
    if ((e = wrap_word_note(&wrap_seen.pair, r->host.ptr,
                            r->host.len + 1 + r->ident.len)) == NULL)
        return;
    e->hlen = r->host.len | r->host_tag << 8;
    e->tag = r->ident_tag;
}

/* wrap_exim_stamp - 1 when the line begins with an Exim main-log stamp
 * "DDDD-DD-DD DD:DD:DD " (digits where D stands), or with milliseconds
 * (log_selector +millisec) "DDDD-DD-DD DD:DD:DD.DDD ". wrap_slow() reads
 * such a line as an undated message, whole, and so may take it without
 * its tries:
 *  - no compose prefix: the name would be the first 10 bytes, and the
 *    byte after its space is a digit, not '|'; no <PRI>, no "1 " (5424);
 *  - no ISO stamp: ts_parse_iso() wants 'Z', '.', ',' or an offset
 *    where this stamp has its space (offset 19), and after a fraction
 *    'Z' or an offset where the other has its space (offset 23); no
 *    unix stamp (4 digits, then '-'); no svlogd stamp (a space at 10,
 *    not 'T' or '_');
 *  - undated, then: no "ident[pid]: " (wrap_ident() stops at the space
 *    at 10), no masked one (a space before any '['), no Solaris tag.
 * Exim's lines are most of an Exim log: each went through all of these.
 * Eight bytes at a time: 0-7, 8-15, then 12-19 or 16-23 */
static inline int
wrap_exim_stamp(struct span line)
{
    static const char lit[20] = {
        0, 0, 0, 0, '-', 0, 0, '-', 0, 0, ' ', 0, 0, ':', 0, 0, ':', 0, 0, ' ',
    };
    static const unsigned char dig[20] = {
        0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0, 0xff, 0xff,
        0, 0xff, 0xff, 0, 0xff, 0xff, 0, 0xff, 0xff, 0,
    };
    /* bytes 16-23 of the stamp with milliseconds: ":DD.DDD " */
    static const char ms_lit[8] = {':', 0, 0, '.', 0, 0, 0, ' '};
    static const unsigned char ms_dig[8] = {0, 0xff, 0xff, 0, 0xff, 0xff,
    0xff, 0};

    if (line.len < 20 || !wrap_exim_word(line.ptr, lit, dig)
        || !wrap_exim_word(line.ptr + 8, lit + 8, dig + 8))
        return 0;
    if (wrap_exim_word(line.ptr + 12, lit + 12, dig + 12))
        return 1;
    return line.len >= 24 && wrap_exim_word(line.ptr + 16, ms_lit, ms_dig);
}

/* The first 16 bytes of the last line wrap_exim_stamp() took
 * (wrap.h: wrap_parse_in() reads them) */
_Thread_local unsigned char wrap_exim_last[16] __attribute__((aligned(8)))
    = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0', ' ', '0', '0', ':',
    '0', '0'};

/* wrap_undated - the end of wrap_slow() for a line without a stamp (s
 * its rest, r cleared but msg): "ident[pid]: msg" or a bare message; a
 * known ident read at once. Its tag is given as for a dated line (one
 * tag, one ident's bytes): a log of messages without their envelope
 * ("postfix/smtp[1]: ...") asked pf_prog() and the noise test of
 * engine/pipe.c again on each line, 10 k lines of the replayed corpus
 * slice; a masked pid ("[xxxxx]") gets none */
static inline void
wrap_undated_at(struct span s, struct wrap_rec *r, long end);

static inline void
wrap_undated(struct span s, struct wrap_rec *r)
{
    wrap_undated_at(s, r, wrap_word_end2(s.ptr, s.len, '[', ' '));
}

/* wrap_undated_at - wrap_undated() with wrap_word_end2(s, '[', ' ')
 * given as end */
static inline void
wrap_undated_at(struct span s, struct wrap_rec *r, long end)
{
    struct span save = s;
    uint64_t tag;
    long    k;

    k = wrap_ident_seen_at(s.ptr, s.len, end, &r->ident, &r->pid, &tag, 1);
    if (k > 0) {
        span_drop(&s, (size_t) k);
        r->ident_tag = tag;
    } else if (k == -1 && wrap_ident(&s, &r->ident, &r->pid, 1) == 0)
        r->ident_tag = wrap_ident_note(&r->ident);
    else if (k == -3)
        r->ident = span_make(s.ptr, 0);
    else {
        s = save;
        if (wrap_ident_masked(&s, &r->ident, &r->pid) != 0) {
            s = save;
            r->ident = span_make(s.ptr, 0);
        }
    }
    wrap_solaris(&s);
    r->msg = s;
}

/* The idents of 8 to 31 bytes that began lines without a stamp
 * ("postfix/smtp[1]: ..."), as wrap_pairs keeps pairs: a slot holds
 * "ident[" and zeros to 32, the tag wrap_ident_seen_at() gave it, and
 * the set of the ident table (wrap_seen.ident) it was found in with the
 * tags of that set's two slots then. Every ident noted there gets a new
 * tag, so while both tags are the same the set holds what it held, and
 * wrap_ident_seen_at() gives the same tag: a slot's tag alone was not
 * enough, an ident may be in both slots of its set (one read where the
 * search for its '[' stops short, then noted again) and the first is
 * taken. A line's first 32 bytes equal a slot's to its '[' only where
 * the ident is the slot's (an ident holds no '['; an unused slot holds
 * none) */
static int __attribute__((noinline)) wrap_bare_ident(struct span,
                                                     struct wrap_rec *,
                                                     long);

#ifdef WRAP_PAIR32
#define WRAP_BARE_BITS 4                /* sets of two slots */

struct wrap_bare_slot {
    unsigned char text[32];             /* "ident[", zeros */
    uint64_t tag;                       /* the ident's tag */
    const struct wrap_word *set;        /* its set of wrap_seen.ident */
    uint64_t t0, t1;                    /* the tags of the set's slots */
};

/* wrap_bare_same - the set of slot e's ident holds what it held when
 * e was noted (an unused slot's: no) */
static inline int
wrap_bare_same(const struct wrap_bare_slot *e)
{
    return ((e->set[0].tag ^ e->t0) | (e->set[1].tag ^ e->t1)) == 0;
}

static _Thread_local struct wrap_bare_slot wrap_bares[2U << WRAP_BARE_BITS]
    __attribute__((aligned(64)));

/* wrap_bare_set - the first slot of the set of the ident of k bytes at
 * p (8 <= k < 32) */
static inline unsigned
wrap_bare_set(const char *p, size_t k)
{
    return wrap_set_of(p, k, WRAP_BARE_BITS);
}

/* wrap_bare_note - keep the ident of r (k bytes at the line's start,
 * a '[' after them, 8 <= k < 32, its tag r->ident_tag) in the slot of
 * its set that is not the one a line of it found last */
static int wrap_bare_off;                /* wrap_test_bare() */

static void __attribute__((noinline))
wrap_bare_note(const struct wrap_rec *r, size_t k)
{
    const struct wrap_word *w;
    struct wrap_bare_slot *e;

    if (wrap_bare_off
        || (w = wrap_word_seen(&wrap_seen.ident, r->ident.ptr, k)) == NULL
        || w->tag != r->ident_tag)
        return;
    e = wrap_bares + wrap_bare_set(r->ident.ptr, k);
    /* the one noted last goes first, the one before it second (a slot
     * whose set changed is not kept) */
    if (e[0].set != NULL && wrap_bare_same(&e[0]))
        e[1] = e[0];
    memset(e->text, 0, sizeof(e->text));
    memcpy(e->text, r->ident.ptr, k + 1);
    e->tag = r->ident_tag;
    e->set = wrap_seen.ident.w
        + ((size_t) (w - wrap_seen.ident.w) & ~(size_t) 1);
    e->t0 = e->set[0].tag;
    e->t1 = e->set[1].tag;
}
#endif

/* wrap_bare_seen - wrap_bare() of a line whose first '[' or space
 * among its first 32 bytes is a '[' at k: when the ident before it is
 * kept (wrap_bares) and still in the ident table, and a pid of 1 to 7
 * digits, "]:" and maybe a space follow, not then a '[' (a Solaris
 * tag), r as wrap_bare_ident() fills it, without its calls and saved
 * registers (150 instructions a line of the replayed corpus); else
 * wrap_bare_ident(). The line is at least 32 bytes long. c is not
 * read: the arguments are where wrap_bare() has them (no moves) */
static int __attribute__((noinline))
wrap_bare_seen(struct ts_ctx *c, struct span line, struct wrap_rec *r,
               long k)
{
    (void) c;
#ifdef WRAP_PAIR32
    const char *p = line.ptr;
    const struct wrap_bare_slot *e;
    const unsigned char *kd;
    __m128i a, b, x;
    unsigned need, m0, m1, dm;
    size_t  j, o;

    /* k + 1 + 8 pid bytes, "]:", a space and the byte after: k + 13 */
    if (k < 8 || line.len < 48)
        return wrap_bare_ident(line, r, k);
    e = wrap_bares + wrap_bare_set(p, (size_t) k);
    a = _mm_loadu_si128((const __m128i *) p);
    b = _mm_loadu_si128((const __m128i *) (p + 16));
    need = (2U << k) - 1;               /* k < 31 here: below */
    m0 = ~wrap_text_eq(e[0].text, a, b) & need;
    m1 = ~wrap_text_eq(e[1].text, a, b) & need;
    if ((m0 != 0) & (m1 != 0))
        return wrap_bare_ident(line, r, k);
    e += m0 != 0;
    if (!wrap_bare_same(e))
        return wrap_bare_ident(line, r, k);
    kd = wrap_k_digits();
    x = _mm_loadl_epi64((const __m128i *) (p + k + 1));
    dm = (unsigned) _mm_movemask_epi8(_mm_and_si128(
        _mm_cmpgt_epi8(x, _mm_load_si128((const __m128i *) kd)),
        _mm_cmplt_epi8(x, _mm_load_si128((const __m128i *)
                                         (kd + sizeof(wrap_k_tab.d0))))));
    j = (size_t) k + 1 + wrap_tz(~dm);
    if (j > (size_t) k + 8 || j == (size_t) k + 1 || p[j] != ']'
        || p[j + 1] != ':')
        return wrap_bare_ident(line, r, k);
    o = j + 2;
    o += p[o] == ' ';
    if (p[o] == '[')
        return wrap_bare_ident(line, r, k);
    r->dated = 0;
    r->t = 0;
    r->host = span_make(NULL, 0);
    r->ident = span_make(p, (size_t) k);
    r->pid = span_make(p + k + 1, j - (size_t) k - 1);
    r->msg = span_make(p + o, line.len - o);
    r->ident_tag = e->tag;
    r->host_tag = WRAP_HOST_TAG_NONE;
    return 0;
#else
    return wrap_bare_ident(line, r, k);
#endif
}

/* wrap_bare - wrap_parse() of a line without a stamp whose fourth byte
 * is no space and whose first a letter (a real log's message that
 * syslog got without its envelope, "postfix/smtp[1]: ..." or the text
 * alone): 0, r filled (where a "docker compose logs" prefix may come
 * first, by wrap_slow(), which tries no 3164 stamp: none can be
 * there). No <PRI>, 5424, ISO, unix, svlogd or TAI64N stamp begins
 * with a letter, no 3164 or short-full stamp without a space at 3.
 * wrap_compose() takes a prefix only where the first byte that is not
 * of a name (wrap_plain, no '/') is a space followed by spaces and
 * "| ": where the first '[' comes before the first space (a '[' is of
 * no name), or the byte after that space is neither a space nor '|',
 * there is none. The lines went through all of wrap_slow()'s tries
 * before: 200 instructions each.
 *
 * A first word that ends at a space (a message without ident, a third
 * of these lines on the replayed corpus) is read here: no ident of
 * either form (wrap_ident_seen_at() says -3), and no Solaris tag, which
 * begins with '[', not a letter; the whole line the message. The rest
 * goes on in wrap_bare_ident(), a jump, as does a line whose first 32
 * bytes hold no space nor '[' (wrap_bare_far(): the search's loop
 * needs registers to be saved). This function saves none: its six
 * pushes and pops were 19 instructions a line */
static int __attribute__((noinline)) wrap_bare_ident(struct span,
                                                     struct wrap_rec *,
                                                     long);
static int __attribute__((noinline)) wrap_bare_far(struct ts_ctx *,
                                                   struct span,
                                                   struct wrap_rec *);
static void __attribute__((noinline)) wrap_slow(struct ts_ctx *,
                                                struct span,
                                                struct wrap_rec *, int);

static int __attribute__((noinline))
wrap_bare(struct ts_ctx *c, struct span line, struct wrap_rec *r)
{
    const char *p = line.ptr;
    long    k;

#ifdef __SSE2__
    unsigned m;

    if (line.len < 32 || !span_little_endian()
        || (m = wrap_mask2_32(p, '[', ' ')) == 0)
        return wrap_bare_far(c, line, r);
    k = (long) wrap_tz(m);              /* wrap_word_end2() */
#else
    return wrap_bare_far(c, line, r);
#endif
    if (p[k] != ' ')
        return wrap_bare_seen(c, line, r, k);
    if ((size_t) k + 1 >= line.len || p[k + 1] == ' ' || p[k + 1] == '|') {
        /* a compose prefix may come first: wrap_slow(), which tries no
         * 3164 stamp (none can be there) */
        wrap_slow(c, line, r, 1);
        return 0;
    }
    wrap_exim_rec(line, r);             /* the same record as Exim's */
    return 0;
}

/* wrap_bare_far - wrap_bare() of a line whose first word's end is
 * searched beyond 32 bytes */
static int __attribute__((noinline))
wrap_bare_far(struct ts_ctx *c, struct span line, struct wrap_rec *r)
{
    const char *p = line.ptr;
    long    k = wrap_word_end2(p, line.len, '[', ' ');

    if (k < 0 || (p[k] == ' ' && ((size_t) k + 1 >= line.len
                                  || p[k + 1] == ' ' || p[k + 1] == '|'))) {
        wrap_slow(c, line, r, 1);
        return 0;
    }
    return wrap_bare_ident(line, r, k);
}

/* wrap_bare_ident - the rest of wrap_bare(): the first word ends at
 * k, at its '[' (an ident seen before or another form) or at a space
 * (no ident, from wrap_bare_far()) */
static int __attribute__((noinline))
wrap_bare_ident(struct span line, struct wrap_rec *r, long k)
{
    r->dated = 0;
    r->t = 0;
    r->host = span_make(NULL, 0);
    r->ident = span_make(NULL, 0);
    r->pid = span_make(NULL, 0);
    r->ident_tag = 0;
    r->host_tag = WRAP_HOST_TAG_NONE;
    wrap_undated_at(line, r, k);        /* its search made once */
#ifdef WRAP_PAIR32
    /* an ident of 8 to 31 bytes read whole at the line's start, as
     * wrap_bare_seen() may take the next line of it */
    if (r->ident_tag != 0 && k >= 8 && k < 31 && r->ident.ptr == line.ptr
        && r->ident.len == (size_t) k && line.len >= 48)
        wrap_bare_note(r, (size_t) k);
#endif
    return 0;
}

/* wrap_host_ident - the host and ident of a line for wrap_fast() at
 * p[i] (after the stamp and its spaces) when no pair kept matched: the
 * bytes taken (to the message), or -1 (the line is for wrap_slow()).
 * Out of line: the lines that need it are few, and the registers it
 * uses would be saved on every line */
static long __attribute__((noinline))
wrap_host_ident(const char *p, size_t len, size_t i, struct wrap_rec *r)
{
    struct span s;
    size_t  o;
    long    j;

    /* a host word of ident bytes and a space: the ident try at the host
     * fails on that space, span_word() takes the word and one space */
    if ((j = wrap_host(p, len, i, &r->host_tag)) < 0)
        return -1;
    r->host = span_make(p + i, (size_t) j - i);
    o = (size_t) j + 1;                 /* p[j] is that space */
    /* every field is set below: no clear of the whole record */
    r->pid = span_make(NULL, 0);
    r->ident_tag = 0;
    if ((j = wrap_ident_seen(p + o, len - o, &r->ident, &r->pid,
                             &r->ident_tag, 0)) > 0) {
        o += (size_t) j;
    } else {
        s = span_make(p + o, len - o);
        if (j == -1 && wrap_ident(&s, &r->ident, &r->pid, 0) == 0) {
            r->ident_tag = wrap_ident_note(&r->ident);
            o = (size_t) (s.ptr - p);
        } else {
            r->ident = span_make(p + o, 0);
        }
    }
    wrap_pair_note(r);
    return (long) o;
}

/* wrap_fast - the common forms "STAMP host ident[pid]: msg", STAMP an
 * RFC 3164 or an ISO 8601 one, read exactly as wrap_slow() reads them,
 * with less work: 0 when r is filled, -1 when the line is of another
 * form (r to be redone), -2 when ts_parse_3164() of the whole line
 * failed (it would fail again: a failure changes no state) */
static inline int __attribute__((always_inline))
wrap_fast(struct ts_ctx *c, struct span line, struct wrap_rec *r)
{
    struct span s = line;
    const char *p;
    size_t  len;
    size_t  i = 0;
    long    j;
    unsigned char b;

    if (s.len < 16)
        return -1;
    b = (unsigned char) s.ptr[0];
    if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') {
        /* a letter first: no "<PRI>", no 5424, ISO, unix or svlogd
         * stamp; and a compose prefix ("name  | ") cannot precede a
         * 3164 stamp, whose month is followed by spaces and a digit,
         * never '|' */
        if (s.ptr[3] != ' ')
            return wrap_bare(c, line, r);
        if (ts_seen_3164(c, &s, &r->t) != 0
            && ts_parse_3164_new(c, &s, &r->t) != 0)
            return -2;
    } else if (b >= '0' && b <= '9') {
        if (wrap_exim_stamp(line)) {
            if (span_little_endian()) {
                memcpy(wrap_exim_last, line.ptr, 16);
            }
            wrap_exim_rec(line, r);
            return 0;
        }
        /* an ISO stamp: the first word ends at ':' (or at a space and
         * a digit), no compose prefix; "1" and a digit, no RFC 5424;
         * the stamp has no ' ' at 19, no Exim stamp. wrap_slow() then
         * tries an ident first, which fails on the host's space */
        if (ts_parse_iso_seen(c, &s, &r->t) != 0)
            return -1;
    } else {
        return -1;
    }
    p = s.ptr;
    len = s.len;
    while (i < len && p[i] == ' ')
        i++;
#ifdef WRAP_PAIR32
    if ((j = wrap_pair32(p, len, i, r)) == -2)
        j = wrap_pair_seen(p, len, i, r);
#else
    j = wrap_pair_seen(p, len, i, r);
#endif
    if (j < 0 && (j = wrap_host_ident(p, len, i, r)) < 0)
        return -1;
    r->dated = 1;
    p += j;
    len -= (size_t) j;
    r->msg = span_make(p, len);
    if (len > 0 && p[0] == '[')
        wrap_solaris(&r->msg);
    return 0;
}

#ifdef WRAP_PAIR32
/* wrap_hot - wrap_fast() of the most common line of all, without a
 * call: "Mmm dd HH:MM:SS host ident[pid]: msg" (no second space, the
 * message no Solaris tag), its stamp the last one read, the one before
 * or a new second of the last one's minute (16 bytes), its host and
 * ident a pair kept (8 to 31 bytes), its pid of 1 to 7 digits, the
 * line at least 59 bytes long (the pair's 32 bytes, the pid's 8 and
 * what follows readable): 0 and r filled as wrap_fast() fills it, or -1
 * (wrap_parse_rest() then, a tail call; a new second read here by
 * ts_next_3164() is left in c as ts_parse_3164_new() leaves it, and
 * wrap_fast() finds it there as the last stamp: the same time, the
 * same state), or -3 when the line begins with a letter and has no
 * space at 3 (no stamp: wrap_bare() then, as wrap_fast() would call it,
 * without wrap_parse_rest()'s frame and wrap_fast()'s first tests,
 * about 40 instructions a line). Without a call of its own it saves few registers, and
 * those only past its first tests (wrap_parse_any() spent 21
 * instructions a line on them, 8 then); the AVX2 copy saves none
 * (wrap_parse_any_avx2) */
static inline int __attribute__((always_inline))
wrap_hot(struct ts_ctx *c, struct span line, struct wrap_rec *r, int avx2)
{
    const char *p = line.ptr;
    const char *q;
    struct span s = line;
    const struct wrap_pair *e;
    const unsigned char *kd;
    __m128i x;
    unsigned dm;
    uint16_t rb;
    size_t  k, n, j, o;

    if (line.len < 59 || !span_little_endian()) {
        /* wrap_fast()'s first tests: a short line without a stamp too
         * (2,400 of the corpus slice's) */
        if (line.len >= 16
            && (unsigned char) (((unsigned char) p[0] | 0x20) - 'a') <= 25
            && p[3] != ' ')
            return -3;
        return -1;
    }
    if ((unsigned char) (((unsigned char) p[0] | 0x20) - 'a') <= 25) {
        if (p[3] != ' ')
            return -3;          /* no stamp: wrap_bare() */
        if (p[16] == ' '
            || (ts_seen_3164(c, &s, &r->t) != 0
                && ts_next_3164(c, &s, &r->t) != 0))
            return -1;
    } else if (line.len < 34 + 43 || ts_seen_iso(c, &s, &r->t) != 0) {
        /* an ISO stamp of the last one's minute, as wrap_fast() reads
         * it (no Exim stamp: '.' at 19, then a fraction and '+' or '-',
         * where Exim's has ' ' at 19 or 23); at most 34 bytes, and
         * the 43 below after it */
        return -1;
    }
    q = s.ptr;
    n = s.len;
#ifdef WRAP_AVX2
    if (avx2)
        e = wrap_hot_pair_avx2(wrap_k_get(), q, &k);
    else
#endif
    {
        unsigned k4;

        e = wrap_hot_pair(wrap_k_get(), q, &k4);
        k = k4;
    }
    (void) avx2;
    if (e == NULL)
        return -1;
    /* the pair's fields now, their registers free for the rest (a line
     * that fails below is read again by wrap_parse_rest(), whose every
     * way writes each field) */
    r->host = span_make(q, e->hlen);
    r->ident = span_make(q + e->hlen + 1, (size_t) k - e->hlen - 1);
    r->ident_tag = e->tag;
    r->host_tag = e->htag;
    /* the pid: digits from k + 1 to the first other byte among the next
     * 8 (k + 9 <= 40 < n; the other 8 bytes of the register are zero:
     * no digits), at most 7 of them (as in wrap_pid(): more go to
     * wrap_fast()), then "]:" (j <= 39) and maybe a space: the message
     * starts at o <= 42 < n */
    kd = wrap_k_digits();
    x = _mm_loadl_epi64((const __m128i *) (q + k + 1));
    dm = (unsigned) _mm_movemask_epi8(_mm_and_si128(
        _mm_cmpgt_epi8(x, _mm_load_si128((const __m128i *) kd)),
        _mm_cmplt_epi8(x, _mm_load_si128((const __m128i *)
                                         (kd + sizeof(wrap_k_tab.d0))))));
    j = k + 1 + wrap_tz(~dm);
    if (j > k + 8)
        return -1;
    memcpy(&rb, q + j, 2);
    if (j == k + 1 || rb != (':' << 8 | ']'))
        return -1;
    o = j + 2;
    o += q[o] == ' ';
    if (q[o] == '[')
        return -1;
    r->dated = 1;
    r->pid = span_make(q + k + 1, j - k - 1);
    r->msg = span_make(q + o, n - o);
    return 0;
}
#endif

/* wrap_slow - wrap_parse() for every form; apart from wrap_parse()
 * (never inlined) so that the common forms need not save the registers
 * all of this uses. no3164: wrap_fast() saw ts_parse_3164() of the
 * line fail (an undated message: not tried again) */
static void __attribute__((noinline))
wrap_slow(struct ts_ctx *c, struct span line, struct wrap_rec *r,
          int no3164)
{
    struct span s = line;
    struct span save;
    struct span w;

    /* field by field: a memset() of the record is a "rep stos", slow to
     * start */
    r->dated = 0;
    r->t = 0;
    r->host = span_make(NULL, 0);
    r->ident = span_make(NULL, 0);
    r->pid = span_make(NULL, 0);
    r->msg = line;
    r->ident_tag = 0;
    r->host_tag = 0;                    /* none read here */
    wrap_compose(&s);
    wrap_pri(&s);
    if (s.len > 0 && s.ptr[0] == '1' && wrap_5424(&s, r) == 0)
        return;
    if (s.len > 0 && s.ptr[0] >= '0' && s.ptr[0] <= '9') {
        if (ts_parse_iso(&s, &r->t) == 0 || wrap_unix(&s, &r->t) == 0)
            r->dated = 1;
        else if (wrap_socklog(c, &s, r) == 0)
            return;
    } else if (s.len > 0 && s.ptr[0] == '@') {
        if (wrap_socklog(c, &s, r) == 0)
            return;
    } else if ((!(no3164 && s.ptr == line.ptr)
                && ts_parse_3164(c, &s, &r->t) == 0)
               || wrap_full(c, &s, &r->t) == 0) {
        r->dated = 1;
    }
    if (r->dated) {
        while (s.len > 0 && s.ptr[0] == ' ')
            span_drop(&s, 1);
        save = s;
        /* ident directly (no host field), or host then ident */
        if (wrap_ident(&s, &r->ident, &r->pid, 0) == 0)
            goto done;
        s = save;
        if (span_word(&s, &w, WRAP_MAX_HOST) != 0) {
            r->msg = s;
            return;
        }
        if (wrap_is_severity(w)) {
            while (s.len > 0 && s.ptr[0] == ' ')
                span_drop(&s, 1);
        } else {
            r->host = w;
        }
        save = s;
        if (wrap_ident(&s, &r->ident, &r->pid, 0) != 0) {
            s = save;
            r->ident = span_make(s.ptr, 0);
        }
        goto done;
    }
    wrap_undated(s, r);
    return;
done:
    wrap_solaris(&s);
    r->msg = s;
}

/* wrap_parse_rest - wrap_parse_any() past wrap_hot() */
static void __attribute__((noinline))
wrap_parse_rest(struct ts_ctx *c, struct span line, struct wrap_rec *r)
{
    int     rc = wrap_fast(c, line, r);

    if (rc != 0)
        wrap_slow(c, line, r, rc == -2);
}

/* wrap_parse_any - wrap_parse() of a line that is not known to begin
 * with an Exim stamp: wrap_hot(), else the rest */
static void __attribute__((noinline))
wrap_parse_any(struct ts_ctx *c, struct span line, struct wrap_rec *r)
{
#ifdef WRAP_PAIR32
    int     rc = wrap_hot(c, line, r, 0);

    if (rc == 0)
        return;
    if (rc == -3) {
        wrap_bare(c, line, r);
        return;
    }
#endif
    wrap_parse_rest(c, line, r);
}

#ifdef WRAP_AVX2
/* wrap_parse_any_avx2 - wrap_parse_any() where the processor has AVX2:
 * wrap_hot()'s pair found by 32-byte compares, and the 16-byte ones
 * in three-operand form (no copies of registers). The line is written
 * into r->msg first, and the rest reads it from there: the line's
 * pointer and length need no registers across wrap_hot() (it writes
 * r->msg only when it takes the line). With that, the table's address
 * made again after the pair (wrap_k_digits) and the pair's mask made
 * without a shift, the common line uses the nine registers a call may
 * change and saves none: five pushes, five pops and eight moves of the
 * arguments a line fewer */
__attribute__((target("avx2")))
static void __attribute__((noinline))
wrap_parse_any_avx2(struct ts_ctx *c, struct span line, struct wrap_rec *r)
{
    int     rc;

    r->msg = line;
    if ((rc = wrap_hot(c, line, r, 1)) == 0)
        return;
    /* r->msg read back from memory, not kept (see above) */
    __asm__("" ::: "memory");
    if (rc == -3) {
        wrap_bare(c, r->msg, r);
        return;
    }
    wrap_parse_rest(c, r->msg, r);
}
#endif

/* wrap_parse_other - the copy of wrap_parse_any() this processor runs
 * (wrap.h); wrap_pick() sets it before main() */
void    (*wrap_parse_other) (struct ts_ctx *, struct span,
                             struct wrap_rec *) = wrap_parse_any;

/* wrap_pick - wrap_parse_other for this processor, once, before main()
 * and any thread (a test of the processor a line was 2 instructions;
 * the call through the pointer costs none more than a direct one) */
static void __attribute__((constructor))
wrap_pick(void)
{
#ifdef WRAP_AVX2
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        wrap_parse_other = wrap_parse_any_avx2;
#endif
}

/* wrap_test_bare - tests: see wrap.h */
void
wrap_test_bare(int off)
{
#ifdef WRAP_PAIR32
    wrap_bare_off = off;
#else
    (void) off;
#endif
}

/* wrap_test_sse2 - tests: see wrap.h */
void
wrap_test_sse2(int on)
{
    wrap_parse_other = wrap_parse_any;
    if (!on)
        wrap_pick();
}

/* wrap_parse - split a line into time, host, ident, pid and message;
 * WRAP_EXIM for a line of the last Exim stamp's minute (wrap.h) */
int
wrap_parse(struct ts_ctx *c, struct span line, struct wrap_rec *r)
{
    return wrap_parse_in(c, line, r);
}

/* wrap_rec_hash - hash of host, ident, pid and message */
uint64_t
wrap_rec_hash(const struct wrap_rec *r)
{
    uint64_t h = 0;

    h = XXH3_64bits_withSeed(r->host.ptr, r->host.len, h);
    h = XXH3_64bits_withSeed(r->ident.ptr, r->ident.len, h);
    h = XXH3_64bits_withSeed(r->pid.ptr, r->pid.len, h);
    return XXH3_64bits_withSeed(r->msg.ptr, r->msg.len, h);
}
