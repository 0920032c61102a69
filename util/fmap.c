/* util/fmap.c - read-only file mappings that survive truncation
 *
 * NAME
 *      fmap - mmap a regular file; SIGBUS on a lost page becomes zeros
 * SYNOPSIS
 *      #include "util/fmap.h"
 * DESCRIPTION
 *      See fmap.h. Live mappings are listed in a small fixed table that
 *      the SIGBUS handler reads without locks: a slot is filled before
 *      the mapping is used and emptied only after it is unmapped. The
 *      handler maps an anonymous zero page over the faulting page
 *      (MAP_FIXED: the mapping stays one piece), marks the mapping and
 *      returns, and the faulting load is retried on zeros. mmap(2) in a
 *      signal handler is a system call like any other here; it is not on
 *      POSIX's list of async-signal-safe functions only because it is
 *      not in POSIX's base set.
 * DIAGNOSTICS
 *      None printed: fmap_open() returns NULL and the caller reads.
 */
#include "fmap.h"
#include "mymalloc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FMAP_SLOTS 64           /* mappings live at once, process-wide */

struct fmap {
    unsigned char *data;
    size_t  len;                /* bytes of the file mapped */
    size_t  maplen;             /* len rounded up to pages */
    size_t  released;           /* pages before this were released */
    int     slot;
    atomic_int shrunk;
};

static _Atomic(struct fmap *) fmap_live[FMAP_SLOTS];
static pthread_once_t fmap_once = PTHREAD_ONCE_INIT;
static int fmap_handler_ok;
static struct sigaction fmap_prev;
static size_t fmap_page;

/* fmap_bus - SIGBUS: a page of one of our mappings lost, else the
 * previous disposition */
static void
fmap_bus(int sig, siginfo_t *si, void *uc)
{
    uintptr_t a = (uintptr_t) si->si_addr;
    int     i;

    for (i = 0; i < FMAP_SLOTS; i++) {
        struct fmap *m = atomic_load_explicit(&fmap_live[i],
                                              memory_order_acquire);
        uintptr_t b;

        if (m == NULL)
            continue;
        b = (uintptr_t) m->data;
        if (a >= b && a < b + m->maplen) {
            int     saved = errno;
            void   *pg = (void *) (a & ~(uintptr_t) (fmap_page - 1));

            if (mmap(pg, fmap_page, PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
                == MAP_FAILED)
                break;          /* cannot repair: die as we would have */
            atomic_store(&m->shrunk, 1);
            errno = saved;
            return;
        }
    }
    /* not ours: the disposition before us, as if we were not here */
    if (fmap_prev.sa_flags & SA_SIGINFO) {
        fmap_prev.sa_sigaction(sig, si, uc);
        return;
    }
    if (fmap_prev.sa_handler != SIG_DFL && fmap_prev.sa_handler != SIG_IGN) {
        fmap_prev.sa_handler(sig);
        return;
    }
    signal(SIGBUS, SIG_DFL);    /* the fault repeats and kills, as ever */
}

/* fmap_init - install the handler once */
static void
fmap_init(void)
{
    struct sigaction sa;

    fmap_page = (size_t) sysconf(_SC_PAGESIZE);
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fmap_bus;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    fmap_handler_ok = sigaction(SIGBUS, &sa, &fmap_prev) == 0;
}

/* fmap_open - see fmap.h */
struct fmap *
fmap_open(int fd, size_t len)
{
    struct fmap *m;
    void   *p;
    int     i;

    if (len == 0)
        return NULL;
    pthread_once(&fmap_once, fmap_init);
    if (!fmap_handler_ok)
        return NULL;
    m = xcalloc(1, sizeof(*m));
    m->len = len;
    m->maplen = (len + fmap_page - 1) & ~(fmap_page - 1);
    m->slot = -1;
    atomic_init(&m->shrunk, 0);
    p = mmap(NULL, m->maplen, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        xfree(m);
        return NULL;
    }
    m->data = p;
    /* listed before any byte is read (the CAS publishes m whole) */
    for (i = 0; i < FMAP_SLOTS && m->slot < 0; i++) {
        struct fmap *none = NULL;

        if (atomic_compare_exchange_strong(&fmap_live[i], &none, m))
            m->slot = i;
    }
    if (m->slot < 0) {
        munmap(p, m->maplen);
        xfree(m);
        return NULL;            /* too many at once: read instead */
    }
    return m;
}

const unsigned char *
fmap_data(const struct fmap *m)
{
    return m->data;
}

size_t
fmap_len(const struct fmap *m)
{
    return m->len;
}

/* fmap_release - see fmap.h; whole pages only */
void
fmap_release(struct fmap *m, size_t upto)
{
    size_t  end;

    if (upto > m->maplen)
        upto = m->maplen;
    end = upto & ~(fmap_page - 1);
    if (end <= m->released)
        return;
    (void) madvise(m->data + m->released, end - m->released,
                   MADV_DONTNEED);
    m->released = end;
}

int
fmap_shrunk(const struct fmap *m)
{
    return atomic_load(&m->shrunk);
}

/* fmap_close - unmap, then free the slot */
struct fmap *
fmap_close(struct fmap *m)
{
    if (m == NULL)
        return NULL;
    munmap(m->data, m->maplen);
    atomic_store(&fmap_live[m->slot], NULL);
    xfree(m);
    return NULL;
}
