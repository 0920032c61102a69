/* parsers/input.c - log input as bounded lines and records (see input.h)
 *
 * Uncompressed bytes come from a struct decomp (plain descriptor or a
 * decoder chosen by magic bytes) into a block buffer. In line mode
 * complete lines are handed out as spans into that buffer and the
 * unfinished tail is moved to the front before the next read; a line
 * that outgrows INPUT_MAX_LINE switches the reader to "skipping" until
 * its newline. In journal export mode (the first line is "__CURSOR=" or
 * another "__FIELD=") the same buffer is cut into fields instead, with
 * binary fields taken by their length; a field too big to keep is
 * skipped by counting bytes. Either way memory stays at one block plus
 * INPUT_CARRY, whatever the input.
 */
#include "input.h"
#include "decomp.h"
#include "jrnl.h"
#include "wrap.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __SSE2__
#include <immintrin.h>
#endif

#define INPUT_SNIFF 16          /* bytes wanted before choosing a decoder */
/* at most so many bytes read before the decoder is chosen: they are
 * copied into the decoder and out of it again (a 1 MiB head was 2.1 M
 * instructions of memcpy a run); a peek with max_bytes keeps reading
 * INPUT_BLOCK first, so that it stops where it always did */
#define INPUT_HEAD 4096
#define INPUT_CTRL_SCAN 32      /* bytes of a line checked for binary */
#define INPUT_KEY_SLACK 80      /* "KEY=" before a value */
/* bytes per read of the one-thread reader: the lines of a block are
 * parsed while the block is still in the core's cache (the kernel's
 * copy put it there); 1 MiB blocks were 5 % slower on the benchmark log */
#define INPUT_READ (256 * 1024)

/* With -j (chunks), a plain file of at least INPUT_FILE_MIN bytes is
 * not read by the main thread: it only finds where each chunk ends (a
 * pread(2) of the chunk's last INPUT_FILE_PEEK bytes) and hands the
 * chunk over by its place in the file; the thread that parses it reads
 * it (input_chunk_fetch), so the copy is shared by the threads and the
 * bytes are in that core's cache when it parses them. The main thread
 * reads and correlates in order, and bounds -j 2 on logs that change
 * state on most lines: the copy was 11 % of it at -j 2 on churn.log.
 * (A read-only mapping did the same before; its page faults, the
 * unmapping of read pages and the other core's TLB flushes cost more
 * than the copy, most of it on the main thread.) One thread keeps
 * read(2) of 256 KiB blocks: it parses a block while the copy has it in
 * the cache. The last INPUT_FILE_TAIL bytes, and whatever the file has
 * grown by since it was opened, are read as before: the unfinished last
 * line and a file that grows stay as they were. A line longer than a
 * chunk hands the rest of the file to read(2) too. */
#define INPUT_FILE_MIN (4 * 1024 * 1024)
#define INPUT_FILE_TAIL (INPUT_CARRY + 4096)
#define INPUT_FILE_PEEK 4096

struct input_rd {
    const struct input_cb *cb;
    struct input_src *src;
    struct jrnl *j;             /* created on the first journal record */
    int     skipping;           /* line mode: inside an overlong line */
    int     xskip_line;         /* export: skipping an overlong field */
    uint64_t xskip;             /* export: bytes of a big field to skip */
    int     xopen;              /* export: a record has begun */
    uint64_t xline;             /* export: its number */
};

/* The line split: the newlines of a buffer are found 16 KiB at a time
 * into a bit mask per 64-byte block, then taken one bit at a time, not
 * by a memchr() per line: for lines of 100 to 300 bytes the call and
 * its set-up cost as much as the search (memchr was 8 % of an Exim run
 * called from the split alone). AVX2 when the processor has it, else
 * SSE2; without SSE2 (not x86), memchr() per line. In a loop over a
 * 256 KiB block in cache: 5.5 to 8 ns a line with memchr(), 4 with
 * SSE2, under 3 with AVX2.
 *
 * The same pass tells whether a piece holds a NUL byte (the least byte
 * of the piece, one unsigned minimum per vector): a line that begins
 * at or after the end of the last piece with a NUL (nul_end) holds
 * none, and only the lines of such a piece are searched (a memchr()
 * each, as before). It replaces a memchr() of every buffer for its
 * first NUL, a second pass over every byte (2 M of 279 M instructions
 * on the replayed Postfix corpus, 20 MB). The bits are taken straight
 * from the masks (no list of offsets in between: 25 instructions a
 * line there) */
#ifdef __SSE2__
/* blocks of a piece: 16 KiB. Each piece costs its own set-up (the
 * mask pass's call and loop, the batch loop's reloads and its run's
 * limits), about 100 instructions: with 4 KiB pieces that was 3 an
 * Exim line (0.5 M of 136.6 M on a 20 MB slice); 32 KiB saves 0.1 M
 * more, and no time. The places (nlat) are 2-byte offsets in the
 * piece: a piece of at most 1023 blocks */
#define INPUT_NL_WORDS 256
_Static_assert(INPUT_NL_WORDS * 64 + 64 <= UINT16_MAX + 1,
               "input_nl.nlat: offsets in a piece fit in 16 bits");
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define INPUT_NL_AVX2 1         /* AVX2 where the processor has it */
#endif

struct input_nl {
    const unsigned char *base;
    size_t  len;
    size_t  at;                 /* start of the next piece */
    const unsigned char *piece; /* where the piece starts */
    const unsigned char *nul_end;       /* end of the last piece with a
                                         * NUL (base: none yet) */
    size_t  nat;                /* newlines of the piece */
    uint16_t nlat[INPUT_NL_WORDS * 64 + 1];     /* their places in it */
};

/* the split without AVX2 on any processor (input_test_sse2) */
static int input_sse2_only;

/* input_avx2 - the split may use AVX2 (and BMI1, which the processors
 * with AVX2 have) */
static inline int
input_avx2(void)
{
#ifdef INPUT_NL_AVX2
    return !input_sse2_only && __builtin_cpu_supports("avx2")
        && __builtin_cpu_supports("bmi");
#else
    return 0;
#endif
}

/* input_nl_word - the newlines of the 64-byte block at base of a piece
 * (the bits of m) into at[n...]; n and their number. A block's first
 * newline is written whether or not it has one (the count goes up only
 * if it has): most blocks of a log hold none or one, about half each,
 * and a test of which mispredicted about once a line where the bits
 * were taken one by one between the lines (133 k of 147 k
 * mispredictions of the split on a replayed real log, 20 MB); the rare
 * block with more goes through a loop. The bit 63 or-ed in gives the
 * scan a defined result on an empty block (the place is not counted) */
static inline size_t
input_nl_word(uint64_t m, unsigned base, uint16_t *at, size_t n)
{
    at[n] = (uint16_t) (base + (unsigned) __builtin_ctzll(m | 1ULL << 63));
    n += m != 0;
    m &= m - 1;
    if (__builtin_expect(m != 0, 0)) {
        do {
            at[n++] = (uint16_t) (base + (unsigned) __builtin_ctzll(m));
            m &= m - 1;
        } while (m != 0);
    }
    return n;
}

#ifdef INPUT_NL_AVX2
/* input_nl_word_bmi - input_nl_word() where the processor has AVX2,
 * and so BMI1 (input_avx2): tzcnt of an empty block is 64, so nothing
 * need be or-ed in, and one blsr drops a bit (3 instructions a block
 * fewer) */
__attribute__((target("bmi")))
static inline size_t
input_nl_word_bmi(uint64_t m, unsigned base, uint16_t *at, size_t n)
{
    uint64_t t;

    /* tzcnt by hand: gcc clears the destination first (a false
     * dependence on some Intel processors), 2 instructions a 128 bytes */
    __asm__("tzcnt %1, %0" : "=r"(t) : "r"(m) : "cc");
    at[n] = (uint16_t) (base + (unsigned) t);
    n += m != 0;
    m = _blsr_u64(m);
    if (__builtin_expect(m != 0, 0)) {
        do {
            at[n++] = (uint16_t) (base + (unsigned) _tzcnt_u64(m));
            m = _blsr_u64(m);
        } while (m != 0);
    }
    return n;
}
#endif

/* input_nl_sse2 - the places of the newlines of n whole 64-byte blocks
 * at q into at (their number into *nat); 1 when they hold a NUL */
static int
input_nl_sse2(const unsigned char *q, size_t n, uint16_t *at, size_t *nat)
{
    const __m128i nl = _mm_set1_epi8('\n');
    __m128i least = _mm_set1_epi8((char) 0xff);
    size_t  i, k = 0;

    for (i = 0; i < n; i++, q += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *) q);
        __m128i b = _mm_loadu_si128((const __m128i *) (q + 16));
        __m128i c = _mm_loadu_si128((const __m128i *) (q + 32));
        __m128i d = _mm_loadu_si128((const __m128i *) (q + 48));
        uint64_t m0 = (uint32_t) _mm_movemask_epi8(_mm_cmpeq_epi8(a, nl));
        uint64_t m1 = (uint32_t) _mm_movemask_epi8(_mm_cmpeq_epi8(b, nl));
        uint64_t m2 = (uint32_t) _mm_movemask_epi8(_mm_cmpeq_epi8(c, nl));
        uint64_t m3 = (uint32_t) _mm_movemask_epi8(_mm_cmpeq_epi8(d, nl));

        least = _mm_min_epu8(least, _mm_min_epu8(_mm_min_epu8(a, b),
                                                 _mm_min_epu8(c, d)));
        k = input_nl_word(m0 | m1 << 16 | m2 << 32 | m3 << 48,
                          (unsigned) i * 64, at, k);
    }
    *nat = k;
    return _mm_movemask_epi8(_mm_cmpeq_epi8(least, _mm_setzero_si128()))
        != 0;
}

#ifdef INPUT_NL_AVX2
/* input_nl_avx2 - input_nl_sse2 with 32-byte compares */
__attribute__((target("avx2,bmi")))
static int
input_nl_avx2(const unsigned char *q, size_t n, uint16_t *at, size_t *nat)
{
    const __m256i nl = _mm256_set1_epi8('\n');
    __m256i least = _mm256_set1_epi8((char) 0xff);
    size_t  i, k = 0;

    /* two blocks a turn: one test of the loop and one minimum of the
     * four vectors for both (24 instructions a block were 21) */
    for (i = 0; i + 2 <= n; i += 2, q += 128) {
        __m256i a = _mm256_loadu_si256((const __m256i *) q);
        __m256i b = _mm256_loadu_si256((const __m256i *) (q + 32));
        __m256i c = _mm256_loadu_si256((const __m256i *) (q + 64));
        __m256i d = _mm256_loadu_si256((const __m256i *) (q + 96));
        uint64_t m0 = (uint32_t) _mm256_movemask_epi8(_mm256_cmpeq_epi8(a,
                                                                        nl));
        uint64_t m1 = (uint32_t) _mm256_movemask_epi8(_mm256_cmpeq_epi8(b,
                                                                        nl));
        uint64_t m2 = (uint32_t) _mm256_movemask_epi8(_mm256_cmpeq_epi8(c,
                                                                        nl));
        uint64_t m3 = (uint32_t) _mm256_movemask_epi8(_mm256_cmpeq_epi8(d,
                                                                        nl));

        least = _mm256_min_epu8(least, _mm256_min_epu8(
                                    _mm256_min_epu8(a, b),
                                    _mm256_min_epu8(c, d)));
        k = input_nl_word_bmi(m0 | m1 << 32, (unsigned) i * 64, at, k);
        k = input_nl_word_bmi(m2 | m3 << 32, (unsigned) i * 64 + 64, at, k);
    }
    for (; i < n; i++, q += 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *) q);
        __m256i b = _mm256_loadu_si256((const __m256i *) (q + 32));
        uint64_t m0 = (uint32_t) _mm256_movemask_epi8(_mm256_cmpeq_epi8(a,
                                                                        nl));
        uint64_t m1 = (uint32_t) _mm256_movemask_epi8(_mm256_cmpeq_epi8(b,
                                                                        nl));

        least = _mm256_min_epu8(least, _mm256_min_epu8(a, b));
        k = input_nl_word_bmi(m0 | m1 << 32, (unsigned) i * 64, at, k);
    }
    *nat = k;
    return _mm256_movemask_epi8(_mm256_cmpeq_epi8(least,
                                                  _mm256_setzero_si256()))
        != 0;
}
#endif

/* input_nl_start - s set to split the n bytes at buf from their start */
static inline void
input_nl_start(struct input_nl *s, const unsigned char *buf, size_t n)
{
    s->base = buf;
    s->len = n;
    s->at = 0;
    s->nul_end = buf;
}

/* input_nl_fill - the masks of the next piece (bytes are left), by
 * AVX2 when avx2 is set */
static void
input_nl_fill(struct input_nl *s, int avx2)
{
    size_t  left = s->len - s->at;
    size_t  n = left / 64 < INPUT_NL_WORDS ? left / 64 : INPUT_NL_WORDS;
    size_t  nw = n;
    size_t  i;
    int     nul;

#ifdef INPUT_NL_AVX2
    if (avx2)
        nul = input_nl_avx2(s->base + s->at, n, s->nlat, &s->nat);
    else
#else
    (void) avx2;
#endif
        nul = input_nl_sse2(s->base + s->at, n, s->nlat, &s->nat);
    if (n < INPUT_NL_WORDS && left % 64 != 0) {
        /* the last bytes of the buffer: not a whole block */
        uint64_t m = 0;

        for (i = 0; i < left % 64; i++) {
            if (s->base[s->at + n * 64 + i] == '\n')
                m |= (uint64_t) 1 << i;
            else if (s->base[s->at + n * 64 + i] == 0)
                nul = 1;
        }
        s->nat = input_nl_word(m, (unsigned) nw * 64, s->nlat, s->nat);
        nw++;
    }
    s->piece = s->base + s->at;
    s->at += nw * 64;
    if (s->at > s->len)
        s->at = s->len;
    if (nul)
        s->nul_end = s->base + s->at;
}
#endif

/* input_bad_name - text for a bad-line reason */
const char *
input_bad_name(enum input_bad why)
{
    switch (why) {
    case INPUT_BAD_LONG:
        return "line too long";
    case INPUT_BAD_NUL:
        return "NUL byte in line";
    case INPUT_BAD_CUT:
        return "cut short by damaged compressed data";
    case INPUT_BAD_RECORD:
        return "unreadable journal record";
    default:
        return "bad line";
    }
}

/* input_stopped - a callback asked to stop */
static int
input_stopped(const struct input_rd *rd)
{
    return rd->cb->stop && *rd->cb->stop;
}

/* input_bad - count and report a line or record we cannot take */
static void
input_bad(struct input_rd *rd, uint64_t lineno, enum input_bad why)
{
    rd->src->bad[why]++;
    if (rd->cb->bad)
        rd->cb->bad(rd->cb->ctx, rd->src, lineno, why);
}

/* input_jrnl - the journal decoder, created when first needed */
static struct jrnl *
input_jrnl(struct input_rd *rd)
{
    if (rd->j == NULL)
        rd->j = jrnl_create();
    return rd->j;
}

/* input_k - what the split compares a line with: the bytes of the
 * control test (input_ctrl_none) and the first bytes of the lines
 * input_emit() looks at twice (rare), read through a pointer the
 * compiler cannot see into (input_k_get) in the batch loop: each
 * compare takes its operand from memory, where gcc made each constant
 * anew for every line (4 instructions, and one more for the table's
 * address) */
struct input_k {
    unsigned char sp[32];       /* 0x20: the least byte that is text */
    unsigned char del[32];      /* 0x7f */
    unsigned char tab[32];      /* below 0x20 and text: tab, ESC, RS */
    unsigned char esc[32];
    unsigned char rs[32];
    unsigned char us[32];       /* 0x1f: the greatest control byte */
    unsigned char rare[256];    /* first bytes looked at twice */
};

#define INPUT_K32(c) {c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, \
        c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c}

/* input_k_tab; rare: the first bytes of the lines input_emit() looks
 * at twice:
 * "-- ", "\xe2\x96\x91" (input_catalog); 0x1e, "data: ", "{"
 * (jrnl_is_json). A table: the five compares were 18 instructions a
 * line. No such line goes into a batch (input.h: a JSON record is
 * never in one) */
static const struct input_k input_k_tab __attribute__((aligned(32))) = {
    INPUT_K32(0x20),
    INPUT_K32(0x7f),
    INPUT_K32('\t'),
    INPUT_K32(0x1b),
    INPUT_K32(0x1e),
    INPUT_K32(0x1f),
    {['-'] = 1, [0xe2] = 1, [0x1e] = 1, ['d'] = 1, ['{'] = 1},
};

/* input_k_get - input_k_tab, its bytes unknown to the compiler */
static inline const struct input_k *
input_k_get(void)
{
    const struct input_k *k = &input_k_tab;

#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(k));
#endif
    return k;
}

#ifdef __SSE2__
/* input_ctrl_none - 1 when none of the 32 bytes at p is below 0x20 or
 * 0x7f. The lesser of the two halves' bytes, place by place, is below
 * 0x20 where either is (11 instructions, where each half on its own
 * took 14) */
static inline int
input_ctrl_none(const unsigned char *p)
{
    const __m128i sp = _mm_set1_epi8(0x20);
    const __m128i del = _mm_set1_epi8(0x7f);
    __m128i a = _mm_loadu_si128((const __m128i *) p);
    __m128i b = _mm_loadu_si128((const __m128i *) (p + 16));
    __m128i lo = _mm_min_epu8(a, b);
    __m128i dl = _mm_or_si128(_mm_cmpeq_epi8(a, del), _mm_cmpeq_epi8(b, del));

    return _mm_movemask_epi8(_mm_andnot_si128(dl, _mm_cmpeq_epi8(
                                    _mm_max_epu8(lo, sp), lo))) == 0xffff;
}
#endif

/* input_ctrl - 1 when the start of a line holds control bytes (binary).
 * Inline: it runs for every line (its call was 7 of its 26
 * instructions a line) */
static inline int
input_ctrl(const unsigned char *p, size_t len)
{
    size_t  i;
    size_t  n = len < INPUT_CTRL_SCAN ? len : INPUT_CTRL_SCAN;

#ifdef __SSE2__
    /* 16 bytes at a time: no byte below 0x20 and none 0x7f is the rule
     * (14 instructions for the 32 bytes, where 8 at a time took 40) */
    if (n == INPUT_CTRL_SCAN && input_ctrl_none(p))
        return 0;
#else
    /* 8 bytes at a time: no byte below 0x20 and none 0x7f is the rule */
    if (n == INPUT_CTRL_SCAN) {
        const uint64_t ones = 0x0101010101010101ULL;
        const uint64_t high = 0x8080808080808080ULL;
        uint64_t any = 0;

        for (i = 0; i < n; i += 8) {
            uint64_t w;
            uint64_t x;

            memcpy(&w, p + i, 8);
            x = w ^ (ones * 0x7f);
            any |= ((w - ones * 0x20) & ~w & high)
                | ((x - ones) & ~x & high);
        }
        if (any == 0)
            return 0;
    }
#endif
    for (i = 0; i < n; i++)
        if ((p[i] < 0x20 && p[i] != '\t' && p[i] != 0x1b && p[i] != 0x1e)
            || p[i] == 0x7f)
            return 1;
    return 0;
}

#ifdef __SSE2__
/* input_ctrl_mask - the places among the 16 bytes at p of the bytes
 * that input_ctrl() counts (below 0x20 but tab, ESC and RS; DEL), as
 * bits */
static inline unsigned
input_ctrl_mask(const unsigned char *p)
{
    const __m128i v = _mm_loadu_si128((const __m128i *) p);
    __m128i ok = _mm_or_si128(
        _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x20)), v),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x1b)),
                                  _mm_cmpeq_epi8(v, _mm_set1_epi8(0x1e)))));

    return ((unsigned) _mm_movemask_epi8(ok) ^ 0xffffU)
        | (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(v,
                                                      _mm_set1_epi8(0x7f)));
}

/* input_ctrl_at - input_ctrl() of a line with 32 bytes readable at p:
 * a line shorter than that, or one with a tab among its first 32 bytes
 * (Exim's logs have both), is read by two masks of its bytes, not byte
 * by byte (a loop of 6 instructions a byte) */
static inline int
input_ctrl_at(const unsigned char *p, size_t len)
{
    unsigned m;

    if (len >= INPUT_CTRL_SCAN && input_ctrl_none(p))
        return 0;
    m = input_ctrl_mask(p) | input_ctrl_mask(p + 16) << 16;
    if (len < INPUT_CTRL_SCAN)
        m &= (1U << len) - 1;
    return m != 0;
}

#ifdef INPUT_NL_AVX2
/* input_ctrl_bits_avx2 - input_ctrl_bits() in one 32-byte compare: the
 * bytes that are at most 0x1f (the lesser of each and 0x1f is itself)
 * or 0x7f, their mask as it is (the bytes at least 0x20 and not 0x7f,
 * and the mask turned over, were an instruction more) */
__attribute__((target("avx2")))
static inline unsigned
input_ctrl_bits_avx2(const struct input_k *k, const unsigned char *p)
{
    __m256i v = _mm256_loadu_si256((const __m256i *) p);
    __m256i bad = _mm256_or_si256(
        _mm256_cmpeq_epi8(v, _mm256_load_si256((const __m256i *) k->del)),
        _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_load_si256(
                              (const __m256i *) k->us)), v));

    return (unsigned) _mm256_movemask_epi8(bad);
}

/* input_ctrl_at_avx2 - input_ctrl_at() in one 32-byte mask, the
 * constants read from k: where a line is shorter than INPUT_CTRL_SCAN
 * or has a tab among its first bytes (two 16-byte masks were 40
 * instructions, 15 here) */
__attribute__((target("avx2")))
static inline int
input_ctrl_at_avx2(const struct input_k *k, const unsigned char *p,
                   size_t len)
{
    __m256i v = _mm256_loadu_si256((const __m256i *) p);
    __m256i ok = _mm256_or_si256(
        _mm256_cmpeq_epi8(_mm256_max_epu8(v, _mm256_load_si256(
                              (const __m256i *) k->sp)), v),
        _mm256_or_si256(
            _mm256_cmpeq_epi8(v, _mm256_load_si256((const __m256i *) k->tab)),
            _mm256_or_si256(
                _mm256_cmpeq_epi8(v, _mm256_load_si256((const __m256i *)
                                                       k->esc)),
                _mm256_cmpeq_epi8(v, _mm256_load_si256((const __m256i *)
                                                       k->rs)))));
    unsigned m = ~(unsigned) _mm256_movemask_epi8(_mm256_andnot_si256(
        _mm256_cmpeq_epi8(v, _mm256_load_si256((const __m256i *) k->del)),
        ok));

    if (len < INPUT_CTRL_SCAN)
        m &= (1U << len) - 1;
    return m != 0;
}

/* input_ctrl_none_avx2 - input_ctrl_none() in one 32-byte compare */
__attribute__((target("avx2")))
static inline int
input_ctrl_none_avx2(const unsigned char *p)
{
    __m256i v = _mm256_loadu_si256((const __m256i *) p);
    __m256i ok = _mm256_andnot_si256(
        _mm256_cmpeq_epi8(v, _mm256_load_si256((const __m256i *)
                                               input_k_tab.del)),
        _mm256_cmpeq_epi8(_mm256_max_epu8(v, _mm256_load_si256(
                              (const __m256i *) input_k_tab.sp)), v));

    return _mm256_movemask_epi8(ok) == -1;
}
#endif

/* input_ctrl_at_k - input_ctrl_at(), by AVX2 when avx2 is set */
static inline __attribute__((always_inline)) int
input_ctrl_at_k(const struct input_k *k, const unsigned char *p, size_t len,
                int avx2)
{
#ifdef INPUT_NL_AVX2
    if (avx2)
        return input_ctrl_at_avx2(k, p, len);
#else
    (void) avx2;
#endif
    (void) k;
    return input_ctrl_at(p, len);
}

/* input_ctrl_bits - not 0 when one of the 32 bytes at p is below 0x20
 * or 0x7f (!input_ctrl_none()), the constants read from k */
static inline __attribute__((always_inline)) unsigned
input_ctrl_bits(const struct input_k *k, const unsigned char *p, int avx2)
{
#ifdef INPUT_NL_AVX2
    if (avx2)
        return input_ctrl_bits_avx2(k, p);
#else
    (void) avx2;
#endif
    __m128i a = _mm_loadu_si128((const __m128i *) p);
    __m128i b = _mm_loadu_si128((const __m128i *) (p + 16));
    __m128i lo = _mm_min_epu8(a, b);
    __m128i del = _mm_load_si128((const __m128i *) k->del);
    __m128i dl = _mm_or_si128(_mm_cmpeq_epi8(a, del), _mm_cmpeq_epi8(b, del));

    return (unsigned) _mm_movemask_epi8(_mm_andnot_si128(dl,
                        _mm_cmpeq_epi8(_mm_max_epu8(lo, _mm_load_si128(
                                   (const __m128i *) k->sp)), lo))) ^ 0xffffU;
}
#endif

/* input_catalog - journalctl text that is no record: -x catalog lines
 * ("-- Subject: ...", "\u2591\u2591 Subject: ..." since systemd 246 in
 * UTF-8 locales) and markers ("-- Boot 8f3e... --", "-- No entries --") */
static int
input_catalog(struct span s)
{
    return span_starts(s, "-- ") || span_eq(s, "--")
        || span_starts(s, "\xe2\x96\x91\xe2\x96\x91");
}

static void input_emit_rare(struct input_rd *, struct span);

/* input_hand - a line that can be taken (ctrl: input_ctrl() of it) to
 * the callback it goes to, its first byte telling the rare ones; src
 * and cb are rd's (in the caller's registers) */
static inline __attribute__((always_inline)) void
input_hand(struct input_rd *rd, struct input_src *src,
           const struct input_cb *cb, const unsigned char *p, size_t len,
           int ctrl)
{
    struct span s = span_make((const char *) p, len);

    if (ctrl)
        src->unreadable++;
    if (len == 0 || !input_k_tab.rare[p[0]])
        cb->line(cb->ctx, src, src->lines, s);
    else
        input_emit_rare(rd, s);
}

/* input_emit - one complete line (line mode); clean: the line surely
 * holds no NUL (else it is searched). Inline: it runs for every line;
 * its rare cases (a journal catalog line, a JSON record) are told by
 * the first byte before anything is compared */
static inline __attribute__((always_inline)) void
input_emit(struct input_rd *rd, const unsigned char *p, size_t len,
           int clean)
{
    struct input_src *src = rd->src;

    src->lines++;
    if (len > 0 && p[len - 1] == '\r')
        len--;
    if (len > INPUT_MAX_LINE) {
        /* the reader lets INPUT_MAX_LINE + 1 bytes through for a CR */
        src->unreadable++;
        input_bad(rd, src->lines, INPUT_BAD_LONG);
        return;
    }
    if (!clean && memchr(p, 0, len) != NULL) {
        src->unreadable++;
        input_bad(rd, src->lines, INPUT_BAD_NUL);
        return;
    }
    input_hand(rd, src, rd->cb, p, len, input_ctrl(p, len));
}

/* input_emit_rare - input_emit() of a line whose first byte is one of
 * input_k.rare's */
static void
input_emit_rare(struct input_rd *rd, struct span s)
{
    struct input_src *src = rd->src;
    const struct input_cb *cb = rd->cb;

    if (input_catalog(s)) {
        src->skipped++;
        if (cb->skip)
            cb->skip(cb->ctx, src, src->lines);
        return;
    }
    if (cb->rec && jrnl_is_json(s)) {
        struct wrap_rec r;
        const char *why;

        if (jrnl_json(input_jrnl(rd), s, &r, &why) == 0)
            cb->rec(cb->ctx, src, src->lines, &r);
        else
            input_bad(rd, src->lines, INPUT_BAD_RECORD);
        return;
    }
    cb->line(cb->ctx, src, src->lines, s);
}

/* input_long - one overlong line, skipped whole */
static void
input_long(struct input_rd *rd)
{
    rd->src->lines++;
    rd->src->unreadable++;
    input_bad(rd, rd->src->lines, INPUT_BAD_LONG);
}

/* input_split_one - the line [p, nl) of input_split() */
static inline __attribute__((always_inline)) void
input_split_one(struct input_rd *rd, const unsigned char *p,
                const unsigned char *nl, int clean)
{
    if (rd->skipping) {
        rd->skipping = 0;
        input_long(rd);
    } else if ((size_t) (nl - p) > INPUT_MAX_LINE + 1) {
        input_long(rd);
    } else {
        input_emit(rd, p, (size_t) (nl - p), clean);
    }
}

#ifdef __SSE2__
/* input_split_odd - input_split_one() of a line that input_masks()
 * does not take itself (too long, or maybe with a NUL) */
static void __attribute__((noinline))
input_split_odd(struct input_rd *rd, const unsigned char *p,
                const unsigned char *nl, int clean)
{
    input_split_one(rd, p, nl, clean);
}

/* input_batch_flush - the lines of a batch to cb->lines, counted
 * first (see input.h) */
static inline __attribute__((always_inline)) void
input_batch_flush(struct input_src *src, const struct input_cb *cb,
                  const struct span *bt, size_t nb)
{
    src->lines += nb;
    cb->lines(cb->ctx, src, src->lines - nb + 1, bt, nb);
}


/* input_batch_one - a clean line of at most INPUT_MAX_LINE bytes that
 * input_masks_b() does not put in the batch at once (ctrl: its control
 * test; the first byte may be input_k.rare's): into the batch bt[0, nb)
 * at b, or, a line whose first byte may be a journal record or catalog
 * text, alone through input_hand() after the batch before it. Returns
 * where the batch's next line goes */
static inline __attribute__((always_inline)) struct span *
input_batch_one(struct input_rd *rd, const struct input_cb *cb,
                struct span *bt, struct span *b, const unsigned char *p,
                size_t len, int ctrl)
{
    struct input_src *src = rd->src;

    if (len == 0 || !input_k_tab.rare[p[0]]) {
        if (ctrl)
            src->unreadable++;
        *b++ = span_make((const char *) p, len);
        if (b == bt + INPUT_BATCH) {
            input_batch_flush(src, cb, bt, INPUT_BATCH);
            b = bt;
        }
        return b;
    }
    if (b > bt)
        input_batch_flush(src, cb, bt, (size_t) (b - bt));
    src->lines++;
    input_hand(rd, src, cb, p, len, ctrl);
    return bt;
}

/* input_masks - input_split() of buf[0, n) after its first line (not
 * the rest of an overlong one), one callback a line, the masks of a
 * piece taken word by word, the state in registers (a function that
 * handed out one newline a call kept it in memory: 30 instructions a
 * line). A line of at most INPUT_MAX_LINE bytes that begins past the
 * last NUL is input_emit()'s with its tests of length and NUL known to
 * pass; any other goes to input_split_one() as before. stop: cb->stop,
 * a constant where this is inlined (most readers have none: no test a
 * line). Readers that take batches go through input_masks_b() */
static inline __attribute__((always_inline)) size_t
input_masks(struct input_rd *rd, const unsigned char *buf, size_t n,
            const int *stop, int avx2)
{
    const unsigned char *p = buf;
    const unsigned char *end = buf + n;
    struct input_src *src = rd->src;
    const struct input_cb *cb = rd->cb;
    struct input_nl sc;
    size_t  k, nat;

    input_nl_start(&sc, buf, n);
    while (sc.at < n) {
        const unsigned char *q;
        const unsigned char *nul_end;

        input_nl_fill(&sc, avx2);
        /* in locals: the callbacks may write anywhere, for the
         * compiler; so sc is read again after each line otherwise */
        q = sc.piece;
        nul_end = sc.nul_end;
        nat = sc.nat;
        for (k = 0; k < nat; k++) {
            const unsigned char *nl = q + sc.nlat[k];
            size_t  len = (size_t) (nl - p);

            if (stop && *stop)
                return (size_t) (p - buf);
            if (__builtin_expect(len > INPUT_MAX_LINE || p < nul_end, 0)) {
                input_split_odd(rd, p, nl, p >= nul_end);
            } else {
                /* input_emit(), clean, at most INPUT_MAX_LINE */
                int     ctrl;

                src->lines++;
                if (len > 0 && p[len - 1] == '\r')
                    len--;
#ifdef INPUT_NL_AVX2
                if (avx2 && len >= INPUT_CTRL_SCAN
                    && input_ctrl_none_avx2(p))
                    ctrl = 0;
                else
#endif
                    ctrl = len >= INPUT_CTRL_SCAN
                        || (size_t) (end - p) >= INPUT_CTRL_SCAN
                        ? input_ctrl_at(p, len) : input_ctrl(p, len);
                input_hand(rd, src, cb, p, len, ctrl);
            }
            p = nl + 1;
        }
    }
    return (size_t) (p - buf);
}

/* input_masks_b - input_masks() for a reader that takes batches
 * (cb->lines) and has no stop: the plain lines go into bt, INPUT_BATCH
 * at a time at most, handed over before any other callback is called
 * and before this returns (no indirect call, frame and reload of the
 * reader's state a line: 20 to 30 instructions a line in the caller
 * and here). Most lines (more than INPUT_CTRL_SCAN bytes counting a
 * CR, at most INPUT_MAX_LINE, past the last NUL, no control byte in
 * their first INPUT_CTRL_SCAN, a first byte not input_k.rare's) take one
 * path of about 30 instructions: the length in one unsigned compare,
 * the control test and the first byte's in one branch, the constants
 * read from memory by the compares (input_k); the others the old one
 * (46 instructions a line were 3 of them the constants made anew, 3
 * the batch's index, 4 reloads of spilled state). The batch's room and
 * the last NUL are asked once a run of lines, not once a line (37
 * instructions): a line past the last NUL leaves the next past it too,
 * and a line adds at most one span */
static inline __attribute__((always_inline)) size_t
input_masks_b(struct input_rd *rd, const unsigned char *buf, size_t n,
              int avx2)
{
    const unsigned char *p = buf;
    const unsigned char *end = buf + n;
    struct input_src *src = rd->src;
    const struct input_cb *cb = rd->cb;
    const struct input_k *kc = input_k_get();
    struct input_nl sc;
    struct span bt[INPUT_BATCH];
    struct span *b = bt;

    input_nl_start(&sc, buf, n);
    while (sc.at < n) {
        const unsigned char *q;
        const unsigned char *nul_end;
        const uint16_t *at;
        const uint16_t *at_end;

        input_nl_fill(&sc, avx2);
        q = sc.piece;
        nul_end = sc.nul_end;
        at_end = sc.nlat + sc.nat;
        at = sc.nlat;
        while (at < at_end) {
            const uint16_t *at_lim;

            if (__builtin_expect(p < nul_end, 0)) {
                /* a line that may hold a NUL: searched, alone */
                const unsigned char *nl = q + *at++;

                if (b > bt) {
                    input_batch_flush(src, cb, bt, (size_t) (b - bt));
                    b = bt;
                }
                input_split_odd(rd, p, nl, 0);
                p = nl + 1;
                continue;
            }
            /* p stays past the last NUL, and each line adds at most
             * one span: up to at_lim, neither is asked a line */
            at_lim = at_end - at <= bt + INPUT_BATCH - b ? at_end
                : at + (bt + INPUT_BATCH - b);
            for (; at < at_lim; at++) {
                const unsigned char *nl = q + *at;
                size_t  len = (size_t) (nl - p);
                int     ctrl;

                if (__builtin_expect(len - (INPUT_CTRL_SCAN + 1)
                                     <= INPUT_MAX_LINE - (INPUT_CTRL_SCAN
                                                          + 1), 1)) {
                    unsigned bad;

                    len -= p[len - 1] == '\r';
                    bad = input_ctrl_bits(kc, p, avx2);
                    if (__builtin_expect((bad | kc->rare[p[0]]) == 0, 1)) {
                        *b++ = span_make((const char *) p, len);
                        p = nl + 1;
                        continue;
                    }
                    ctrl = bad != 0 && input_ctrl_at_k(kc, p, len, avx2);
                    b = input_batch_one(rd, cb, bt, b, p, len, ctrl);
                    p = nl + 1;
                    continue;
                }
                if (__builtin_expect(len > INPUT_MAX_LINE, 0)) {
                    if (b > bt) {
                        input_batch_flush(src, cb, bt, (size_t) (b - bt));
                        b = bt;
                    }
                    input_split_odd(rd, p, nl, 1);
                } else {
                    /* input_emit(), clean, at most INPUT_CTRL_SCAN bytes
                     * counting a CR */
                    if (len > 0 && p[len - 1] == '\r')
                        len--;
                    ctrl = (size_t) (end - p) >= INPUT_CTRL_SCAN
                        ? input_ctrl_at_k(kc, p, len, avx2)
                        : input_ctrl(p, len);
                    b = input_batch_one(rd, cb, bt, b, p, len, ctrl);
                }
                p = nl + 1;
            }
            if (b == bt + INPUT_BATCH) {
                input_batch_flush(src, cb, bt, INPUT_BATCH);
                b = bt;
            }
        }
    }
    if (b > bt)
        input_batch_flush(src, cb, bt, (size_t) (b - bt));
    return (size_t) (p - buf);
}

/* input_masks_sse2 - input_masks() without AVX2 */
static size_t __attribute__((noinline))
input_masks_sse2(struct input_rd *rd, const unsigned char *buf, size_t n)
{
    return input_masks(rd, buf, n, NULL, 0);
}

/* input_masks_sse2_b - input_masks_sse2() in batches */
static size_t __attribute__((noinline))
input_masks_sse2_b(struct input_rd *rd, const unsigned char *buf, size_t n)
{
    return input_masks_b(rd, buf, n, 0);
}

#ifdef INPUT_NL_AVX2
/* input_masks_avx2 - input_masks() where the processor has AVX2: the
 * control test of a line's 32 bytes in one compare, the compiler's
 * three-operand forms in the rest (no copies of registers) */
__attribute__((target("avx2")))
static size_t __attribute__((noinline))
input_masks_avx2(struct input_rd *rd, const unsigned char *buf, size_t n)
{
    return input_masks(rd, buf, n, NULL, 1);
}

/* input_masks_avx2_b - input_masks_avx2() in batches */
__attribute__((target("avx2")))
static size_t __attribute__((noinline))
input_masks_avx2_b(struct input_rd *rd, const unsigned char *buf, size_t n)
{
    return input_masks_b(rd, buf, n, 1);
}
#endif
#endif

/* input_split - every line of buf[0, n) that ends in a newline, in
 * order (an overlong one counted, else input_emit()), until a callback
 * stops the reading; returns the bytes consumed */
static size_t
input_split(struct input_rd *rd, const unsigned char *buf, size_t n)
{
    const unsigned char *p = buf;
    const int *stop = rd->cb->stop;

#ifdef __SSE2__
    if (rd->skipping) {
        /* the end of an overlong line: only the first line of a
         * buffer can be, so that input_masks() need not ask */
        const unsigned char *nl = memchr(buf, '\n', n);

        if (nl == NULL || (stop && *stop))
            return 0;
        input_split_one(rd, buf, nl, 0);
        p = nl + 1;
    }
    if (stop != NULL)
        return (size_t) (p - buf)
            + input_masks(rd, p, (size_t) (buf + n - p), stop, 0);
#ifdef INPUT_NL_AVX2
    if (input_avx2())
        return (size_t) (p - buf)
            + (rd->cb->lines ? input_masks_avx2_b : input_masks_avx2)
            (rd, p, (size_t) (buf + n - p));
#endif
    return (size_t) (p - buf)
        + (rd->cb->lines ? input_masks_sse2_b : input_masks_sse2)
        (rd, p, (size_t) (buf + n - p));
#else
    const unsigned char *end = buf + n;
    const unsigned char *nul = NULL;    /* the first NUL at or after p,
                                         * or end; NULL: not searched */
    const unsigned char *nl;

    /* one search for NUL of a whole buffer, and one past each line
     * with a NUL */
    while (p < end && !(stop && *stop)
           && (nl = memchr(p, '\n', (size_t) (end - p))) != NULL) {
        if (nul == NULL || nul < p) {
            nul = memchr(p, 0, (size_t) (end - p));
            if (nul == NULL)
                nul = end;
        }
        input_split_one(rd, p, nl, nul > nl);
        p = nl + 1;
    }
#endif
    return (size_t) (p - buf);
}

/* input_lines - line mode: hand out the complete lines of buf[0, n);
 * returns the bytes consumed (the rest is an unfinished line) */
static size_t
input_lines(struct input_rd *rd, const unsigned char *buf, size_t n)
{
    const unsigned char *p = buf + input_split(rd, buf, n);
    const unsigned char *end = buf + n;

    if (input_stopped(rd))
        return (size_t) (p - buf);
    if ((size_t) (end - p) > INPUT_MAX_LINE + 1) {
        /* an unfinished line already too long: drop what we have */
        rd->skipping = 1;
        p = end;
    } else if (rd->skipping) {
        p = end;
    }
    return (size_t) (p - buf);
}

/* input_xbegin - export: open a record unless one is open */
static void
input_xbegin(struct input_rd *rd)
{
    if (rd->xopen)
        return;
    rd->xopen = 1;
    rd->xline = ++rd->src->lines;
    jrnl_export_start(input_jrnl(rd));
}

/* input_xend - export: the record is complete */
static void
input_xend(struct input_rd *rd)
{
    struct wrap_rec r;
    const char *why;

    if (!rd->xopen)
        return;
    rd->xopen = 0;
    if (jrnl_export_end(rd->j, &r, &why) != 0)
        input_bad(rd, rd->xline, INPUT_BAD_RECORD);
    else if (rd->cb->rec)
        rd->cb->rec(rd->cb->ctx, rd->src, rd->xline, &r);
}

/* input_xline - export: "KEY=VALUE" (or a line that is no field) */
static void
input_xline(struct input_rd *rd, const unsigned char *p, size_t len)
{
    const unsigned char *eq = memchr(p, '=', len);
    struct span key;

    input_xbegin(rd);
    if (eq == NULL) {
        jrnl_export_lost(rd->j, NULL, "not a journal field");
        return;
    }
    key = span_make((const char *) p, (size_t) (eq - p));
    if (!jrnl_field_name(key)) {
        jrnl_export_lost(rd->j, NULL, "not a journal field");
        return;
    }
    if (len > INPUT_MAX_LINE + INPUT_KEY_SLACK) {
        jrnl_export_lost(rd->j, &key, "journal field too long");
        return;
    }
    jrnl_export_field(rd->j, key, span_make((const char *) eq + 1,
                                            (size_t) (p + len - eq - 1)));
}

/* input_le64 - 64-bit little-endian length of a binary export field */
static uint64_t
input_le64(const unsigned char *p)
{
    uint64_t v = 0;
    int     i;

    for (i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* input_export - export mode: fields and records of buf[0, n); returns
 * the bytes consumed (the rest is an unfinished field). With eof set,
 * whatever remains is the last of the input. */
static size_t
input_export(struct input_rd *rd, const unsigned char *buf, size_t n,
             int eof)
{
    size_t  i = 0;

    while (i < n && !input_stopped(rd)) {
        const unsigned char *p = buf + i;
        size_t  left = n - i;
        const unsigned char *nl;
        struct span key;
        uint64_t flen;
        size_t  len;

        if (rd->xskip) {
            size_t  k = rd->xskip < left ? (size_t) rd->xskip : left;

            i += k;
            rd->xskip -= k;
            continue;
        }
        nl = memchr(p, '\n', left);
        if (rd->xskip_line) {
            rd->xskip_line = nl == NULL;
            i = nl ? i + (size_t) (nl - p) + 1 : n;
            continue;
        }
        if (nl == NULL) {
            if (left > INPUT_MAX_LINE + INPUT_KEY_SLACK) {
                /* a text field too long to keep: lost; the record too
                 * if it is a field we use (or no field at all) */
                const unsigned char *eq = memchr(p, '=', INPUT_KEY_SLACK);

                key = span_make((const char *) p, eq ? (size_t) (eq - p) : 0);
                input_xbegin(rd);
                jrnl_export_lost(rd->j, eq && jrnl_field_name(key) ? &key
                                 : NULL, "journal field too long");
                rd->xskip_line = 1;
                i = n;
            } else if (eof) {
                input_xline(rd, p, left);
                i = n;
            }
            break;
        }
        len = (size_t) (nl - p);
        if (len == 0) {
            input_xend(rd);
            i++;
            continue;
        }
        key = span_make((const char *) p, len);
        if (memchr(p, '=', len) != NULL || !jrnl_field_name(key)) {
            input_xline(rd, p, len);
            i += len + 1;
            continue;
        }
        /* binary field: KEY \n le64 length, bytes \n */
        input_xbegin(rd);
        if (left - len - 1 < 8) {
            if (eof) {
                jrnl_export_lost(rd->j, &key, "journal field cut short");
                i = n;
            }
            break;
        }
        flen = input_le64(nl + 1);
        if (flen > INPUT_MAX_LINE) {
            jrnl_export_lost(rd->j, &key, "journal field too long");
            i += len + 1 + 8;
            rd->xskip = flen < UINT64_MAX ? flen + 1 : flen;
            continue;
        }
        if (left < len + 1 + 8 + (size_t) flen + 1) {
            if (eof) {
                jrnl_export_lost(rd->j, &key, "journal field cut short");
                i = n;
            }
            break;
        }
        if (nl[1 + 8 + flen] != '\n') {
            /* framing lost: go on at the byte after the value */
            jrnl_export_lost(rd->j, &key, "journal binary field framing");
            i += len + 1 + 8 + (size_t) flen;
            continue;
        }
        jrnl_export_field(rd->j, key, span_make((const char *) nl + 1 + 8,
                                                (size_t) flen));
        i += len + 1 + 8 + (size_t) flen + 1;
    }
    return i;
}

/* input_finish - end of input: the unfinished line or record */
static void
input_finish(struct input_rd *rd, const unsigned char *buf, size_t have,
             int damaged)
{
    if (rd->src->journal_export) {
        input_export(rd, buf, have, 1);
        if (rd->xopen && damaged) {
            rd->xopen = 0;
            input_bad(rd, rd->xline, INPUT_BAD_CUT);
        }
        input_xend(rd);
        return;
    }
    if (rd->skipping) {
        input_long(rd);
    } else if (have > 0 && damaged) {
        rd->src->lines++;
        input_bad(rd, rd->src->lines, INPUT_BAD_CUT);
    } else if (have > 0) {
        /* last line without a newline */
        input_emit(rd, buf, have, 0);
    }
}

/* input_chunk_lines_mt - every line of one chunk (see input.h) */
void
input_chunk_lines_mt(const struct input_cb *cb, struct input_src *acc,
                     const unsigned char *buf, size_t len, int flags,
                     int nlead)
{
    struct input_cb lcb = *cb;
    struct input_rd rd;
    const unsigned char *p = buf;
    const unsigned char *end = buf + len;

    lcb.rec = NULL;
    lcb.stop = NULL;
    memset(&rd, 0, sizeof(rd));
    rd.cb = &lcb;
    rd.src = acc;
    while (nlead-- > 0)
        input_long(&rd);
    p += input_split(&rd, buf, len);
    if (!(flags & INPUT_CH_LAST) || (flags & INPUT_CH_DROP))
        return;
    if (flags & INPUT_CH_TAIL_LONG) {
        input_long(&rd);
    } else if (p < end && (flags & INPUT_CH_CUT)) {
        acc->lines++;
        input_bad(&rd, acc->lines, INPUT_BAD_CUT);
    } else if (p < end) {
        input_emit(&rd, p, (size_t) (end - p), 0);
    }
}

/* input_chunk_add - counts of one parsed chunk into its source */
void
input_chunk_add(struct input_src *src, const struct input_src *acc)
{
    int     i;

    src->lines += acc->lines;
    src->unreadable += acc->unreadable;
    src->skipped += acc->skipped;
    for (i = 0; i < INPUT_BAD_COUNT; i++)
        src->bad[i] += acc->bad[i];
}

/* input_chunk_loop - line mode, chunked: read the rest of the source and
 * hand it over in chunks cut after a newline; buf[0, have) is what was
 * read so far. A line longer than INPUT_MAX_LINE that does not fit is
 * dropped while reading and counted as an overlong line before the next
 * chunk's lines, as input_lines() does. 0, or -1 on a read error. */
static int
input_chunk_loop(struct input_rd *rd, struct decomp *d,
                 const struct input_chunk_cb *ccb, const unsigned char *head,
                 size_t nhead)
{
    size_t  size = ccb->size ? ccb->size : 1;
    size_t  want = size < INPUT_BLOCK ? size : INPUT_BLOCK;
    size_t  cap;
    unsigned char *b = ccb->get(ccb->ctx, &cap);
    size_t  have = nhead;
    int     skipping = 0;
    int     nlead = 0;
    ssize_t n;

    if (cap < INPUT_CHUNK_CAP(size) || nhead > cap)
        msg_panic("input_chunk_loop: chunk buffer too small");
    memcpy(b, head, nhead);
    for (;;) {
        if (have >= size) {
            unsigned char *nl = memrchr(b, '\n', have);

            if (nl == NULL) {
                if (have > INPUT_MAX_LINE + 1) {
                    skipping = 1;
                    have = 0;
                }
            } else {
                size_t  used = (size_t) (nl + 1 - b);
                size_t  rest = have - used;
                size_t  ncap;
                unsigned char *nb = ccb->get(ccb->ctx, &ncap);

                if (ncap < INPUT_CHUNK_CAP(size))
                    msg_panic("input_chunk_loop: chunk buffer too small");
                if (rest > INPUT_MAX_LINE + 1) {
                    skipping = 1;
                    rest = 0;
                } else if (rest > 0) {
                    memcpy(nb, nl + 1, rest);
                }
                ccb->put(ccb->ctx, b, used, 0, nlead);
                nlead = 0;
                b = nb;
                cap = ncap;
                have = rest;
            }
        }
        n = decomp_read(d, b + have, want < cap - have ? want : cap - have);
        if (n < 0) {
            if (!rd->cb->quiet)
                msg_warn("%s: read error: %s", rd->src->name,
                         strerror(errno));
            ccb->put(ccb->ctx, b, have, INPUT_CH_LAST | INPUT_CH_DROP, nlead);
            return -1;
        }
        rd->src->bytes += (uint64_t) n;
        if (n == 0) {
            ccb->put(ccb->ctx, b, have, INPUT_CH_LAST
                     | (skipping ? INPUT_CH_TAIL_LONG : 0)
                     | (decomp_damage(d) != NULL ? INPUT_CH_CUT : 0), nlead);
            return 0;
        }
        if (skipping) {
            unsigned char *nl = memchr(b + have, '\n', (size_t) n);
            size_t  rest;

            if (nl == NULL)
                continue;       /* have stays 0: the bytes are dropped */
            skipping = 0;
            nlead++;
            rest = (size_t) (b + have + n - (nl + 1));
            memmove(b, nl + 1, rest);
            have = rest;
            continue;
        }
        have += (size_t) n;
    }
}

/* input_fill - bytes of fd into buf[0, cap) until at least min are
 * there or the input ends: by read(2) from where fd stands when off is
 * -1, else by pread(2) from off; how many, -1 on an error */
static ssize_t
input_fill(int fd, unsigned char *buf, size_t min, size_t cap, int64_t off)
{
    size_t  have = 0;

    while (have < min) {
        ssize_t n = off < 0 ? read(fd, buf + have, cap - have)
            : pread(fd, buf + have, cap - have, (off_t) (off + (int64_t) have));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        have += (size_t) n;
    }
    return (ssize_t) have;
}

/* input_head - the first bytes, at least INPUT_SNIFF unless the input
 * is shorter; -1 on a read error */
static ssize_t
input_head(int fd, unsigned char *buf, size_t cap)
{
    return input_fill(fd, buf, INPUT_SNIFF, cap, -1);
}

/* input_shrank - the plain file name no longer holds bytes it held when
 * its chunks were cut (truncated, or rotated by copying and truncating,
 * while it was read): stop with a message, from any thread. read(2)
 * alone would have counted a shorter file without a word. */
static _Noreturn void
input_shrank(const char *name, int err)
{
    static const char what[] = ": the file shrank while it was being "
        "read (truncated, or rotated by copying and truncating?): "
        "stopped; read it again once it is no longer rewritten\n";
    char    m[1024];
    int     n;
    ssize_t rc;

    /* one write, and _exit: another thread may be writing stdout */
    if (err != 0)
        n = snprintf(m, sizeof(m), "mailtlsrpt: %s: read error: %s: "
                     "stopped\n", name, strerror(err));
    else
        n = snprintf(m, sizeof(m), "mailtlsrpt: %s%s", name, what);
    if (n < 0 || (size_t) n >= sizeof(m)) {
        n = (int) sizeof(m) - 1;
        m[n - 1] = '\n';
    }
    rc = write(STDERR_FILENO, m, (size_t) n);
    (void) rc;
    _exit(MSG_EXIT_FATAL);
}

/* input_pread - len bytes of fd at off into buf; how many were there
 * (fewer only at the end of the file), -1 on an error */
static ssize_t
input_pread(int fd, unsigned char *buf, size_t len, uint64_t off)
{
    return input_fill(fd, buf, len, len, (int64_t) off);
}

/* input_chunk_fetch - a chunk put with put_file, into buf: the len
 * bytes at off of the plain file fd, which end with a newline; a file
 * that no longer holds them stops the run (input_shrank) */
void
input_chunk_fetch(const char *name, int fd, uint64_t off,
                  unsigned char *buf, size_t len)
{
    if (len == 0)
        return;
    ssize_t n = input_pread(fd, buf, len, off);

    if (n != (ssize_t) len || buf[len - 1] != '\n')
        input_shrank(name, n < 0 ? errno : 0);
}

/* input_file_len - the length of the plain file fd, when its chunks are
 * worth cutting where they lie (see INPUT_FILE_MIN); 0 otherwise */
static size_t
input_file_len(struct input_rd *rd, int fd, enum decomp_kind kind)
{
    struct stat st;

    if (fd == STDIN_FILENO || kind != DECOMP_NONE || rd->cb->stop
        || rd->cb->max_bytes || rd->src->journal_export
        || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)
        || st.st_size < INPUT_FILE_MIN
        || (uint64_t) st.st_size > (uint64_t) SIZE_MAX / 2)
        return 0;
    return (size_t) st.st_size;
}

/* input_chunk_file - line mode, chunked: the plain file fd's bytes [0,
 * limit) handed over in chunks of whole lines where they lie
 * (ccb->put_file: whoever parses a chunk reads it); returns where it
 * stopped, after a newline: before the last chunk's worth, or before a
 * line too long to keep (the read path skips it as it always has).
 * Only the end of each chunk is read here, to find its last newline. */
static size_t
input_chunk_file(struct input_rd *rd, const struct input_chunk_cb *ccb,
                 int fd, size_t limit)
{
    size_t  size = ccb->size ? ccb->size : 1;
    size_t  pos = 0;
    unsigned char tail[INPUT_FILE_PEEK];
    ssize_t n;

    while (limit - pos > size + INPUT_MAX_LINE + 1) {
        size_t  w = size < sizeof(tail) ? size : sizeof(tail);
        const unsigned char *nl;
        unsigned char *slot;
        size_t  cap;
        size_t  len;

        /* the last newline in [pos, pos + size): in its last w bytes,
         * nearly always */
        if ((n = input_pread(fd, tail, w, pos + size - w)) != (ssize_t) w)
            input_shrank(rd->src->name, n < 0 ? errno : 0);
        if ((nl = memrchr(tail, '\n', w)) != NULL) {
            len = size - w + (size_t) (nl + 1 - tail);
            slot = ccb->get(ccb->ctx, &cap);
            ccb->put_file(ccb->ctx, slot, fd, pos, len);
        } else {
            /* else the chunk is read here: the newline before, or the
             * first one past size bytes, as the read path cuts after
             * have >= size; none: a line too long for a chunk */
            size_t  want = size + INPUT_MAX_LINE + 1;

            slot = ccb->get(ccb->ctx, &cap);
            if (cap < want)
                msg_panic("input_chunk_file: chunk buffer too small");
            if ((n = input_pread(fd, slot, want, pos)) != (ssize_t) want)
                input_shrank(rd->src->name, n < 0 ? errno : 0);
            if ((nl = memrchr(slot, '\n', size - w)) == NULL
                && (nl = memchr(slot + size, '\n',
                                INPUT_MAX_LINE + 1)) == NULL)
                break;          /* the slot goes back at drain */
            len = (size_t) (nl + 1 - slot);
            ccb->put(ccb->ctx, slot, len, 0, 0);
        }
        pos += len;
        rd->src->bytes = pos;
    }
    return pos;
}

/* input_read_any - every line and record of one source, line-mode
 * sources in chunks when ccb is set; O(bytes) */
static int
input_read_any(const char *name, const struct input_cb *cb,
               const struct input_chunk_cb *ccb, struct input_src *src)
{
    struct input_rd rd;
    struct decomp *d = NULL;
    unsigned char *buf = NULL;
    size_t  cap = INPUT_BLOCK + INPUT_CARRY;
    size_t  have = 0;           /* bytes in buf */
    int     form_known = 0;
    int     peek_end = 0;
    int     rc = 0;
    int     fd;
    const char *refused;
    struct stat st;
    ssize_t n;
    enum decomp_kind kind;
    size_t  flen;               /* input_file_len() */

    memset(&rd, 0, sizeof(rd));
    memset(src, 0, sizeof(*src));
    rd.cb = cb;
    rd.src = src;
    src->name = name;
    src->mtime = time(NULL);
    src->format = "plain";
    if (strcmp(name, "-") == 0) {
        fd = STDIN_FILENO;
    } else if ((fd = open(name, O_RDONLY | O_CLOEXEC)) < 0) {
        if (!cb->quiet)
            msg_warn("%s: cannot open: %s", name, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (!cb->quiet)
            msg_warn("%s: is a directory", name);
        rc = -1;
        goto end;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        src->mtime = st.st_mtime;
    buf = xmalloc(cap);
    if ((n = input_head(fd, buf, cb->max_bytes ? INPUT_BLOCK
                        : INPUT_HEAD)) < 0) {
        if (!cb->quiet)
            msg_warn("%s: read error: %s", name, strerror(errno));
        rc = -1;
        goto end;
    }
    {
        kind = decomp_sniff(buf, (size_t) n, &refused);

        if (refused) {
            if (!cb->quiet)
                msg_warn("%s: %s data: cannot read this format; "
                         "decompress it first", name, refused);
            rc = -1;
            goto end;
        }
        d = decomp_open(kind, fd, buf, (size_t) n);
        src->format = decomp_name(kind);
    }
    for (;;) {
        size_t  used;

        if (input_stopped(&rd))
            break;
        if (cb->max_bytes && src->bytes >= cb->max_bytes) {
            peek_end = 1;
            break;
        }
        n = decomp_read(d, buf + have, INPUT_READ);
        if (n < 0) {
            if (cb->moving)     /* lines before it are told before it */
                cb->moving(cb->ctx);
            if (!cb->quiet)
                msg_warn("%s: read error after %llu lines: %s", name,
                         (unsigned long long) src->lines, strerror(errno));
            rc = -1;
            break;
        }
        src->bytes += (uint64_t) n;
        if (n == 0) {
            input_finish(&rd, buf, have, decomp_damage(d) != NULL);
            break;
        }
        have += (size_t) n;
        if (!form_known) {
            if (have < 3)
                continue;       /* too little to tell yet */
            src->journal_export = jrnl_is_export((const char *) buf, have);
            form_known = 1;
            if (ccb && ccb->put_file
                && (flen = input_file_len(&rd, fd, kind)) != 0) {
                size_t  at = input_chunk_file(&rd, ccb, fd,
                                              flen - INPUT_FILE_TAIL);

                /* the rest by read(2), from where the chunks stopped */
                if (lseek(fd, (off_t) at, SEEK_SET) != (off_t) at) {
                    if (!cb->quiet)
                        msg_warn("%s: cannot seek: %s", name,
                                 strerror(errno));
                    rc = -1;
                    break;
                }
                d = decomp_close(d);
                d = decomp_open(DECOMP_NONE, fd, buf, 0);
                src->bytes = at;
                have = 0;
            }
            if (ccb && !src->journal_export) {
                if (input_chunk_loop(&rd, d, ccb, buf, have) != 0)
                    rc = -1;
                break;
            }
        }
        used = src->journal_export ? input_export(&rd, buf, have, 0)
            : input_lines(&rd, buf, have);
        have -= used;
        if (cb->moving && used > 0)
            cb->moving(cb->ctx);
        if (have > 0 && used > 0)
            memmove(buf, buf + used, have);
    }
    if (cb->moving)             /* the buffer goes: nothing may stay */
        cb->moving(cb->ctx);
    if (ccb)
        ccb->drain(ccb->ctx);
    if (decomp_damage(d) && !peek_end && !input_stopped(&rd)) {
        src->truncated = 1;
        if (!cb->quiet)
            msg_warn("%s: %s data %s after %llu lines (%llu bytes, at "
                     "compressed byte %llu): the rest of this file is lost",
                     name, src->format, decomp_damage(d),
                     (unsigned long long) src->lines,
                     (unsigned long long) src->bytes,
                     (unsigned long long) decomp_offset(d));
        rc = -1;
    }
    if (!cb->quiet && !src->journal_export && src->lines > 0
        && src->unreadable * 2 > src->lines)
        msg_warn("%s: looks binary: %llu of %llu lines unreadable "
                 "(NUL or control bytes, or too long)", name,
                 (unsigned long long) src->unreadable,
                 (unsigned long long) src->lines);
end:
    d = decomp_close(d);
    rd.j = jrnl_free(rd.j);
    xfree(buf);
    if (fd != STDIN_FILENO)
        close(fd);
    return rc;
}

/* input_read - deliver every line and record of one source; O(bytes) */
int
input_read(const char *name, const struct input_cb *cb,
           struct input_src *src)
{
    return input_read_any(name, cb, NULL, src);
}

/* input_read_chunked - the same, line mode in chunks (see input.h) */
int
input_read_chunked(const char *name, const struct input_cb *cb,
                   const struct input_chunk_cb *ccb, struct input_src *src)
{
    return input_read_any(name, cb, ccb, src);
}

/* input_test_sse2 - tests: the split as a processor without AVX2 runs
 * it (on), or as this one can (off); before any reader runs */
void
input_test_sse2(int on)
{
#ifdef __SSE2__
    input_sse2_only = on;
#else
    (void) on;
#endif
}
