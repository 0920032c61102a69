/* tests/testlib.h - the smallest unit-test harness that can fail
 *
 * T_CHECK(cond, fmt, ...) counts a pass or prints the failure with its
 * place; T_DONE() prints the closing "N passed, N failed" line that
 * tests/run.sh adds up, and yields the exit status.
 */
#ifndef TESTS_TESTLIB_H
#define TESTS_TESTLIB_H

#include <stdio.h>

static int t_passed;
static int t_failed;

#define T_CHECK(cond, ...) do { \
        if (cond) { \
            t_passed++; \
        } else { \
            t_failed++; \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__); \
            fputc('\n', stderr); \
        } \
    } while (0)

#define T_DONE() (printf("%d passed, %d failed\n", t_passed, t_failed), \
                  t_failed ? 1 : 0)

#endif
