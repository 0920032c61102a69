/* tests/fuzz/fz_stspol.c - fuzz target: the MTA-STS policy file, the
 * _mta-sts record and MX pattern matching
 *
 * Any bytes as a policy body: sts_policy_parse() must accept or refuse
 * with a reason, never crash; an accepted policy has a valid mode,
 * max_age within the bound, canonical mx patterns (at least one unless
 * mode none) and lines without line endings. The same bytes go through
 * sts_txt_parse() (one record per LF-separated line) and each mx
 * pattern is matched against each line.
 */
#include "../../emit/resolution/sts.h"
#include "../../util/dname.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sts_policy p, q;
    struct sts_txt t;
    struct span txt[8];
    char    why[STS_MSG];
    const char *s = (const char *) data;
    const char *e = s + size;
    size_t  n = 0;
    size_t  i;

    if (sts_policy_parse(s, size, &p, why) == 0) {
        if (p.mode < STS_MODE_NONE || p.mode > STS_MODE_ENFORCE
            || p.max_age < 0 || p.max_age > STS_MAX_AGE
            || (p.nmx == 0 && p.mode != STS_MODE_NONE)
            || p.nmx > STS_MAX_MX || p.nlines > STS_MAX_LINES
            || p.nlines < 3 || why[0] != 0)
            abort();
        for (i = 0; i < p.nmx; i++) {
            const char *m = p.mx[i];

            if (!dname_valid(strncmp(m, "*.", 2) == 0 ? m + 2 : m))
                abort();
            if (strncmp(m, "*.", 2) != 0 && !sts_mx_match(m, m))
                abort();
        }
        for (i = 0; i < p.nlines; i++)
            if (strchr(p.lines[i], '\n') || strchr(p.lines[i], '\r')
                || strlen(p.lines[i]) > STS_MAX_LINE)
                abort();
        sts_policy_copy(&q, &p);
        if (q.nmx != p.nmx || q.nlines != p.nlines
            || (p.nmx > 0 && strcmp(q.mx[p.nmx - 1], p.mx[p.nmx - 1]) != 0))
            abort();
        sts_policy_free(&q);
    } else if (why[0] == 0 || p.lines != NULL || p.mx != NULL) {
        abort();                /* refused: say why, keep nothing */
    }

    while (n < 8 && s <= e) {
        const char *nl = memchr(s, '\n', (size_t) (e - s));

        txt[n++] = span_make(s, nl ? (size_t) (nl - s) : (size_t) (e - s));
        if (nl == NULL)
            break;
        s = nl + 1;
    }
    if (sts_txt_parse(txt, n, &t) == STS_TXT_OK) {
        size_t  len = strlen(t.id);

        if (len == 0 || len > STS_MAX_ID)
            abort();
    } else if (t.id[0] != 0) {
        abort();
    }
    for (i = 0; i < p.nmx; i++) {
        size_t  k;

        for (k = 0; k < n; k++) {
            char    host[DNAME_MAX + 1];

            if (txt[k].len <= DNAME_MAX
                && dname_norm(txt[k].ptr, txt[k].len, host) == 0)
                (void) sts_mx_match(p.mx[i], host);
        }
    }
    sts_policy_free(&p);
    return 0;
}
