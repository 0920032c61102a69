/* benchmarks/xcore.c - how far apart the first two CPUs are
 *
 * Usage: xcore [ROUNDS]
 * Two threads, pinned to the first two CPUs this process may run on,
 * pass one cache line back and forth ROUNDS times (default 200000):
 * each waits for the other's store, then stores. Prints the median of
 * nine such runs in nanoseconds per round trip.
 *
 * At -j 2 the main thread reads what the parsing thread wrote; what one
 * such read costs depends on where the two CPUs sit (on a virtual
 * machine, where the host put them, which can change between runs). A
 * 2-core VM of this project's bench showed two placements, about 100
 * ns and about 500 ns a round trip, and -j 2 ran about 1.5x slower in
 * the second. make bench prints this figure with its table so that
 * runs of the two kinds are not compared as one.
 */
#define _GNU_SOURCE             /* CPU_SET, pthread_setaffinity_np */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define XC_RUNS 9

static _Alignas(64) atomic_long xc_turn;
static long xc_rounds;

/* xc_now - monotonic nanoseconds */
static double
xc_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

/* xc_pin - the calling thread onto cpu; 0 or an error number */
static int
xc_pin(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* xc_other - the second thread: answers odd turns with even ones */
static void *
xc_other(void *arg)
{
    long    i;

    (void) xc_pin(*(int *) arg);    /* unpinned, it still answers */
    for (i = 0; i < xc_rounds; i++) {
        while (atomic_load_explicit(&xc_turn, memory_order_acquire)
               != 2 * i + 1)
            ;
        atomic_store_explicit(&xc_turn, 2 * i + 2, memory_order_release);
    }
    return NULL;
}

/* xc_cmp - qsort of doubles */
static int
xc_cmp(const void *a, const void *b)
{
    double  x = *(const double *) a, y = *(const double *) b;

    return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
    cpu_set_t mine;
    int     cpus[2], n = 0, c, r;
    double  ns[XC_RUNS];

    xc_rounds = argc > 1 ? atol(argv[1]) : 200000;
    if (xc_rounds < 1000 || xc_rounds > 100000000) {
        fprintf(stderr, "xcore: ROUNDS must be 1000 to 100000000\n");
        return 2;
    }
    if (sched_getaffinity(0, sizeof(mine), &mine) != 0) {
        perror("xcore: sched_getaffinity");
        return 1;
    }
    for (c = 0; c < CPU_SETSIZE && n < 2; c++)
        if (CPU_ISSET(c, &mine))
            cpus[n++] = c;
    if (n < 2) {
        fprintf(stderr, "xcore: fewer than two CPUs\n");
        return 1;
    }
    if (xc_pin(cpus[0]) != 0) {
        fprintf(stderr, "xcore: cannot pin to CPU %d\n", cpus[0]);
        return 1;
    }
    for (r = 0; r < XC_RUNS; r++) {
        pthread_t t;
        double  s;
        long    i;

        atomic_store(&xc_turn, 0);
        if (pthread_create(&t, NULL, xc_other, &cpus[1]) != 0) {
            fprintf(stderr, "xcore: cannot start a thread\n");
            return 1;
        }
        s = xc_now();
        for (i = 0; i < xc_rounds; i++) {
            atomic_store_explicit(&xc_turn, 2 * i + 1, memory_order_release);
            while (atomic_load_explicit(&xc_turn, memory_order_acquire)
                   != 2 * i + 2)
                ;
        }
        ns[r] = (xc_now() - s) / (double) xc_rounds;
        pthread_join(t, NULL);
    }
    qsort(ns, XC_RUNS, sizeof(ns[0]), xc_cmp);
    printf("%.0f\n", ns[XC_RUNS / 2]);
    return 0;
}
