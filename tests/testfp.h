/* tests/testfp.h - fingerprints of what a classifier made of a line
 *
 * The parser tests (t_ex, t_sm) hash every field a classifier wrote,
 * spans by their place in the line, and compare the hash over many
 * generated lines with the one the code before a change gave.
 */
#ifndef TESTS_TESTFP_H
#define TESTS_TESTFP_H

#include <stddef.h>
#include <stdint.h>

#include "../util/span.h"

/* ev_fnv - FNV-1a of n bytes into h */
static inline uint64_t
ev_fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t  i;

    for (i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

/* ev_span - a span, by its place in the line, into h */
static inline uint64_t
ev_span(uint64_t h, struct span s, const char *line)
{
    long    at[2];

    at[0] = s.ptr ? (long) (s.ptr - line) : -1;
    at[1] = (long) s.len;
    return ev_fnv(h, at, sizeof(at));
}

#endif
