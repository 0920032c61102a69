/* util/near.h - "did you mean": the known word nearest to a typo
 *
 * near_dist() is the optimal string alignment distance (Levenshtein
 * with transpositions of neighbours: "reprot" is 1 from "report"),
 * case-sensitive, over bytes. near_close() says whether a candidate is
 * near enough to be offered: at most 1 edit for words of up to 4 bytes,
 * 2 for longer ones, or the word is a prefix of the candidate of at
 * least 3 bytes ("--conf" for "--config").
 * Cost: O(len(a) * len(b)) time, no allocation; words longer than
 * NEAR_MAX bytes are never near anything.
 * Thread safety: pure functions.
 */
#ifndef UTIL_NEAR_H
#define UTIL_NEAR_H

#define NEAR_MAX 64

/* edit distance of a and b, or NEAR_MAX + 1 when either is too long */
int     near_dist(const char *a, const char *b);

/* a rank for offering cand for word: 0 when not near, else higher is
 * nearer (compare ranks to pick the best of many candidates) */
int     near_close(const char *word, const char *cand);

#endif
