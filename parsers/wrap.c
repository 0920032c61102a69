/* parsers/wrap.c - strip the envelope of a log line (see wrap.h) */
#include "wrap.h"

#include <string.h>

#define WRAP_MAX_HOST 255
#define WRAP_MAX_IDENT 128

/* wrap_ident - "name[pid]: " (or "name: " unless need_pid) at the cursor */
static int
wrap_ident(struct span *s, struct span *ident, struct span *pid, int need_pid)
{
    size_t  i;
    size_t  n = s->len < WRAP_MAX_IDENT ? s->len : WRAP_MAX_IDENT;

    for (i = 0; i < n; i++) {
        char    c = s->ptr[i];

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

/* wrap_parse - split a line into time, host, ident, pid and message */
void
wrap_parse(struct ts_ctx *c, struct span line, struct wrap_rec *r)
{
    struct span s = line;
    struct span save;
    struct span w;

    memset(r, 0, sizeof(*r));
    r->msg = line;
    if (s.len > 0 && s.ptr[0] >= '0' && s.ptr[0] <= '9') {
        if (ts_parse_iso(&s, &r->t) == 0)
            r->dated = 1;
    } else if (ts_parse_3164(c, &s, &r->t) == 0) {
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

/* wrap_service - last '/'-separated element of an ident */
struct span
wrap_service(struct span ident)
{
    size_t  i = ident.len;

    while (i > 0 && ident.ptr[i - 1] != '/')
        i--;
    return span_make(ident.ptr + i, ident.len - i);
}
