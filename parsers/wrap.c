/* parsers/wrap.c - strip the envelope of a log line (see wrap.h) */
#include "wrap.h"
#include "../util/date.h"

#include <ctype.h>
#include <string.h>
#include <xxhash.h>

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

/* wrap_pidmask - accept "name[xxxxx]: " (pid masked by a poster) */
static int
wrap_ident_masked(struct span *s, struct span *ident, struct span *pid)
{
    long    lb = span_find(*s, "[");
    long    rb = span_find(*s, "]: ");

    if (lb <= 0 || rb <= lb || rb > WRAP_MAX_IDENT
        || memchr(s->ptr, ' ', (size_t) lb) != NULL)
        return -1;
    *ident = span_make(s->ptr, (size_t) lb);
    *pid = span_make(s->ptr + lb + 1, (size_t) (rb - lb - 1));
    span_drop(s, (size_t) rb + 3);
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

    while (i < n && (isalnum((unsigned char) s->ptr[i]) || s->ptr[i] == '-'
                     || s->ptr[i] == '_' || s->ptr[i] == '.'))
        i++;
    if (i == 0 || i >= n || s->ptr[i] != ' ')
        return;
    while (i < n && s->ptr[i] == ' ')
        i++;
    if (i + 2 >= s->len || s->ptr[i] != '|' || s->ptr[i + 1] != ' ')
        return;
    /* only when a time stamp follows: Exim's debug echo has its own form */
    if (!isdigit((unsigned char) s->ptr[i + 2])
        && !isupper((unsigned char) s->ptr[i + 2]))
        return;
    span_drop(s, i + 2);
}

/* The host and idents of the lines before, each known to be ident
 * bytes only (wrap_plain): a line that repeats one is read without
 * looking at its bytes one by one. Per thread: no sharing. */
#define WRAP_SEEN_IDENTS 8
#define WRAP_SEEN_HOSTS 4
#define WRAP_SEEN_MAX 64

struct wrap_seen {
    char    host[WRAP_SEEN_HOSTS][WRAP_SEEN_MAX + 1];  /* with its space */
    size_t  host_len[WRAP_SEEN_HOSTS];  /* 0: none */
    unsigned host_next;                 /* slot to replace */
    char    ident[WRAP_SEEN_IDENTS][WRAP_SEEN_MAX + 1];   /* with '[' */
    size_t  ident_len[WRAP_SEEN_IDENTS];
    uint64_t ident_gen[WRAP_SEEN_IDENTS];      /* bumped when replaced */
    unsigned next;                      /* slot to replace */
};

/* wrap_ident_tag - the tag of seen ident slot k (wrap_rec.ident_tag):
 * the slot and its generation, never 0 */
#define wrap_ident_tag(w, k) ((w)->ident_gen[k] << 4 | ((uint64_t) (k) + 1))

static _Thread_local struct wrap_seen wrap_seen;

/* wrap_seen_eq - 1 when p[0, n) equals the n bytes of text (n > 0) */
static inline int
wrap_seen_eq(const char *p, const char *text, size_t n)
{
    uint64_t a, b;

    /* idents and hosts are mostly 6 to 16 bytes: words, no call */
    if (n >= 8 && n <= 16) {
        memcpy(&a, p, 8);
        memcpy(&b, text, 8);
        if (a != b)
            return 0;
        memcpy(&a, p + n - 8, 8);
        memcpy(&b, text + n - 8, 8);
        return a == b;
    }
    if (n >= 4 && n < 8) {
        uint32_t c, d;

        memcpy(&c, p, 4);
        memcpy(&d, text, 4);
        if (c != d)
            return 0;
        memcpy(&c, p + n - 4, 4);
        memcpy(&d, text + n - 4, 4);
        return c == d;
    }
    return memcmp(p, text, n) == 0;
}

/* wrap_little_endian - 1 on a little-endian host: the first byte in
 * memory is the lowest of a word (a constant the compiler folds) */
static inline int
wrap_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;

    memcpy(&b, &one, 1);
    return b == 1;
}

/* wrap_ident_seen - wrap_ident() for "name[pid]: " where "name[" is a
 * name seen before: the same result with the name's bytes compared at
 * once; -1 when no name seen before starts s (r untouched) */
static int
wrap_ident_seen(struct span *s, struct span *ident, struct span *pid,
                uint64_t *tag)
{
    struct wrap_seen *w = &wrap_seen;
    const char *p = s->ptr;
    size_t  k;
    size_t  i;
    size_t  j;

    for (k = 0; k < WRAP_SEEN_IDENTS; k++) {
        i = w->ident_len[k];
        if (i == 0 || i >= s->len || !wrap_seen_eq(p, w->ident[k], i))
            continue;
        /* every byte before the '[' is an ident byte and i < 128: the
         * scan of wrap_ident() stops at that '[' as well */
        j = i;
        if (i + 8 <= s->len) {
            /* the pid's end among the next eight bytes at once: a byte
             * is a digit when its high nibble is 3 before and after
             * adding 6; a carry out of a byte (>= 0xfa, no digit)
             * spoils only bytes after it, never the first non-digit */
            const uint64_t hi = 0xf0f0f0f0f0f0f0f0ULL;
            const uint64_t d3 = 0x3030303030303030ULL;
            uint64_t x, m;

            memcpy(&x, p + i, 8);
            m = ((x & hi) ^ d3) | (((x + 0x0606060606060606ULL) & hi) ^ d3);
            if (m != 0 && wrap_little_endian()) {
                j = i + (size_t) (__builtin_ctzll(m) >> 3);
                goto pid_end;
            }
        }
        while (j < s->len && p[j] >= '0' && p[j] <= '9')
            j++;
      pid_end:
        if (j == i || j + 1 >= s->len || p[j] != ']' || p[j + 1] != ':')
            return -2;          /* wrap_ident() fails as well */
        *ident = span_make(p, i - 1);
        *pid = span_make(p + i, j - i);
        *tag = wrap_ident_tag(w, k);
        span_drop(s, j + 2);
        if (s->len > 0 && s->ptr[0] == ' ')
            span_drop(s, 1);
        return 0;
    }
    return -1;
}

/* wrap_ident_note - remember the ident of a line just read */
static void
wrap_ident_note(const struct span *ident)
{
    struct wrap_seen *w = &wrap_seen;
    size_t  i;
    unsigned k;

    if (ident->len == 0 || ident->len + 1 > WRAP_SEEN_MAX
        || ident->ptr[ident->len] != '[')
        return;
    for (i = 0; i < ident->len; i++)
        if (!wrap_plain[(unsigned char) ident->ptr[i]])
            return;             /* e.g. "a@b": not for the short cut */
    k = w->next++ % WRAP_SEEN_IDENTS;
    memcpy(w->ident[k], ident->ptr, ident->len + 1);
    w->ident_len[k] = ident->len + 1;
    /* a new generation: tags of the ident replaced no longer match (60
     * bits: no wrap in any log) */
    w->ident_gen[k]++;
}

/* wrap_fast - the common form "Mmm dd HH:MM:SS host ident[pid]: msg"
 * read exactly as wrap_parse() reads it, with less work: 0 when r is
 * filled, -1 when the line is of another form (r to be redone) */
static int
wrap_fast(struct ts_ctx *c, struct span line, struct wrap_rec *r)
{
    struct span s = line;
    struct span save;
    const char *p;
    size_t  i = 0;
    size_t  j;
    unsigned k;

    /* a letter first: no "<PRI>", no 5424, ISO, unix or svlogd stamp;
     * and a compose prefix ("name  | ") cannot precede a 3164 stamp,
     * whose month is followed by spaces and a digit, never '|' */
    if (s.len < 16 || !((s.ptr[0] >= 'A' && s.ptr[0] <= 'Z')
                        || (s.ptr[0] >= 'a' && s.ptr[0] <= 'z'))
        || (ts_seen_3164(c, &s, &r->t) != 0
            && ts_parse_3164(c, &s, &r->t) != 0))
        return -1;
    p = s.ptr;
    while (i < s.len && p[i] == ' ')
        i++;
    /* a host word of ident bytes and a space: the ident try at the host
     * fails on that space, span_word() takes the word and one space.
     * Logs merged from several hosts interleave them: a few are kept */
    for (k = 0; k < WRAP_SEEN_HOSTS; k++) {
        size_t  hl = wrap_seen.host_len[k];

        if (hl > 0 && i + hl < s.len
            && wrap_seen_eq(p + i, wrap_seen.host[k], hl))
            break;
    }
    if (k < WRAP_SEEN_HOSTS) {
        j = i + wrap_seen.host_len[k] - 1;      /* a host without
                                                 * severity, seen */
        r->host = span_make(p + i, j - i);
    } else {
        for (j = i; j < s.len && wrap_plain[(unsigned char) p[j]]; j++)
            ;
        if (j == i || j >= s.len || p[j] != ' ' || j - i > WRAP_MAX_HOST)
            return -1;
        r->host = span_make(p + i, j - i);
        if (wrap_is_severity(r->host))
            return -1;
        if (j - i + 1 <= WRAP_SEEN_MAX) {
            k = wrap_seen.host_next++ % WRAP_SEEN_HOSTS;
            memcpy(wrap_seen.host[k], p + i, j - i + 1);
            wrap_seen.host_len[k] = j - i + 1;
        }
    }
    r->dated = 1;
    span_drop(&s, j + 1);
    save = s;
    /* every field is set below: no clear of the whole record */
    r->pid = span_make(NULL, 0);
    r->ident_tag = 0;
    switch (wrap_ident_seen(&s, &r->ident, &r->pid, &r->ident_tag)) {
    case 0:
        break;
    case -1:
        if (wrap_ident(&s, &r->ident, &r->pid, 0) == 0) {
            wrap_ident_note(&r->ident);
            break;
        }
        /* FALLTHROUGH */
    default:
        s = save;
        r->ident = span_make(s.ptr, 0);
        break;
    }
    if (s.len > 0 && s.ptr[0] == '[')
        wrap_solaris(&s);
    r->msg = s;
    return 0;
}

/* wrap_exim_stamp - 1 when the line begins with an Exim main-log stamp
 * "DDDD-DD-DD DD:DD:DD " (digits where D stands). wrap_parse() reads
 * such a line as an undated message, whole, and so may take it without
 * the tries below:
 *  - no compose prefix: the name would be the first 10 bytes, and the
 *    byte after its space is a digit, not '|'; no <PRI>, no "1 " (5424);
 *  - no ISO stamp: ts_parse_iso() wants 'Z', '.', ',' or an offset
 *    where this stamp has its space (offset 19); no unix stamp (4
 *    digits, then '-'); no svlogd stamp (a space at 10, not 'T' or '_');
 *  - undated, then: no "ident[pid]: " (wrap_ident() stops at the space
 *    at 10), no masked one (a space before any '['), no Solaris tag.
 * Exim's lines are most of an Exim log: each went through all of these.
 * Eight bytes at a time (bytes 0-7, 8-15, 12-19): the bytes between the
 * digits equal the shape's, and a digit's byte has high nibble 3 before
 * and after adding 6 (no byte of a word that passes the first two tests
 * carries into another when 6 is added: the result is exact) */
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
    const uint64_t n3 = 0x3030303030303030ULL;
    const uint64_t hi = 0xf0f0f0f0f0f0f0f0ULL;
    const uint64_t six = 0x0606060606060606ULL;
    static const int at[3] = {0, 8, 12};
    uint64_t x, l, d;
    int     k;

    if (line.len < 20)
        return 0;
    for (k = 0; k < 3; k++) {
        memcpy(&x, line.ptr + at[k], 8);
        memcpy(&l, lit + at[k], 8);
        memcpy(&d, dig + at[k], 8);
        if ((x & ~d) != l || (x & d & hi) != (n3 & d)
            || ((x + six) & d & hi) != (n3 & d))
            return 0;
    }
    return 1;
}

/* wrap_parse - split a line into time, host, ident, pid and message */
void
wrap_parse(struct ts_ctx *c, struct span line, struct wrap_rec *r)
{
    struct span s = line;
    struct span save;
    struct span w;

    if (wrap_fast(c, line, r) == 0)
        return;
    if (wrap_exim_stamp(line)) {
        /* as the tries below leave it, field by field: a memset() of
         * the record is a "rep stos", slow to start */
        r->dated = 0;
        r->t = 0;
        r->host = span_make(NULL, 0);
        r->ident = span_make(line.ptr, 0);
        r->pid = span_make(NULL, 0);
        r->msg = line;
        r->ident_tag = 0;
        return;
    }
    memset(r, 0, sizeof(*r));
    r->msg = line;
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
    } else if (ts_parse_3164(c, &s, &r->t) == 0
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
    /* undated: "ident[pid]: msg" or bare message */
    save = s;
    if (wrap_ident(&s, &r->ident, &r->pid, 1) != 0) {
        s = save;
        if (wrap_ident_masked(&s, &r->ident, &r->pid) != 0) {
            s = save;
            r->ident = span_make(s.ptr, 0);
        }
    }
done:
    wrap_solaris(&s);
    r->msg = s;
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
