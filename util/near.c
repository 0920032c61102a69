/* util/near.c - "did you mean": the known word nearest to a typo (near.h) */
#include "near.h"

#include <string.h>

/* near_dist - optimal string alignment distance, three rows of DP */
int
near_dist(const char *a, const char *b)
{
    int     rows[3][NEAR_MAX + 1];
    int    *pp, *p, *c;
    size_t  la = strlen(a), lb = strlen(b);
    size_t  i, j;

    if (la > NEAR_MAX || lb > NEAR_MAX)
        return NEAR_MAX + 1;
    pp = rows[0];
    p = rows[1];
    c = rows[2];
    for (j = 0; j <= lb; j++)
        p[j] = (int) j;
    for (i = 1; i <= la; i++) {
        int    *t;

        c[0] = (int) i;
        for (j = 1; j <= lb; j++) {
            int     cost = a[i - 1] != b[j - 1];
            int     v = p[j] + 1;

            if (c[j - 1] + 1 < v)
                v = c[j - 1] + 1;
            if (p[j - 1] + cost < v)
                v = p[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2]
                && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
        }
        t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[lb];
}

/* near_close - 0: not near; else a rank, higher is nearer */
int
near_close(const char *word, const char *cand)
{
    size_t  lw = strlen(word);
    int     d, max;

    if (lw == 0 || strcmp(word, cand) == 0)
        return 0;
    d = near_dist(word, cand);
    max = lw <= 4 ? 1 : 2;
    if (d <= max)
        return 10 - d;
    if (lw >= 3 && strncmp(word, cand, lw) == 0)
        return 5;
    return 0;
}
