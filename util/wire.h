/* util/wire.h - big-endian fields in a byte buffer, read back bounded
 *
 * For the files the program writes and reads again (saved states): a
 * growing buffer to which integers (big-endian, 1 to 8 bytes), bytes
 * and short strings (a 16-bit length, then the bytes) are appended,
 * and a reader whose every read is bounded by its buffer. A read past
 * the end, or of a string too long for the caller's room or holding a
 * NUL, yields 0 (or nothing) and sets bad, which stays set: a decoder
 * reads on and checks once.
 * Thread safety: one thread per buffer or reader.
 */
#ifndef UTIL_WIRE_H
#define UTIL_WIRE_H

#include <stddef.h>
#include <stdint.h>

struct wire_buf {
    unsigned char *p;           /* xmalloc'd; the caller frees it */
    size_t  n;                  /* bytes written */
    size_t  cap;
};

/* append n bytes of d; grows by doubling (64 KiB first) */
void    wire_put(struct wire_buf *b, const void *d, size_t n);

/* append v as an unsigned big-endian integer of bytes (1..8) bytes */
void    wire_put_u(struct wire_buf *b, uint64_t v, int bytes);

/* append a 16-bit length n, then s[0..n) */
void    wire_put_str(struct wire_buf *b, const char *s, size_t n);

/* overwrite bytes (1..8) bytes at off (< b->n) with v, big-endian: a
 * length known only after what it counts is written */
void    wire_set_u(struct wire_buf *b, size_t off, uint64_t v, int bytes);

struct wire_rd {
    const unsigned char *p;
    size_t  n;                  /* bytes that may be read */
    size_t  off;                /* next byte */
    int     bad;                /* a read went past n, or was malformed */
};

/* an unsigned big-endian integer of bytes (1..8) bytes; 0 when bad */
uint64_t wire_get_u(struct wire_rd *r, int bytes);

/* a pointer to the next n bytes (into r->p); NULL when bad */
const void *wire_get_bytes(struct wire_rd *r, size_t n);

/* a 16-bit length and its bytes into out[cap], NUL-terminated; its
 * length, or 0 and bad when it is longer than cap - 1 or holds a NUL */
size_t  wire_get_str(struct wire_rd *r, char *out, size_t cap);

#endif
