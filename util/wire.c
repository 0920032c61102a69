/* util/wire.c - big-endian fields in a byte buffer (see wire.h) */
#include "wire.h"
#include "mymalloc.h"

#include <string.h>

/* wire_put - append bytes */
void
wire_put(struct wire_buf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        while (b->n + n > b->cap)
            b->cap = b->cap ? 2 * b->cap : 65536;
        b->p = xrealloc(b->p, b->cap);
    }
    if (n)
        memcpy(b->p + b->n, d, n);
    b->n += n;
}

/* wire_be - v into x[0..bytes), big-endian */
static void
wire_be(unsigned char *x, uint64_t v, int bytes)
{
    int     i;

    for (i = bytes - 1; i >= 0; i--) {
        x[i] = (unsigned char) (v & 0xff);
        v >>= 8;
    }
}

/* wire_put_u - append an unsigned integer of bytes bytes */
void
wire_put_u(struct wire_buf *b, uint64_t v, int bytes)
{
    unsigned char x[8];

    wire_be(x, v, bytes);
    wire_put(b, x, (size_t) bytes);
}

/* wire_put_str - u16 length and the bytes */
void
wire_put_str(struct wire_buf *b, const char *s, size_t n)
{
    wire_put_u(b, n, 2);
    wire_put(b, s, n);
}

/* wire_set_u - overwrite an integer written before */
void
wire_set_u(struct wire_buf *b, size_t off, uint64_t v, int bytes)
{
    wire_be(b->p + off, v, bytes);
}

/* wire_get_u - an unsigned big-endian integer; 0 and bad past the end */
uint64_t
wire_get_u(struct wire_rd *r, int bytes)
{
    uint64_t v = 0;
    int     i;

    if (r->bad || r->n - r->off < (size_t) bytes) {
        r->bad = 1;
        return 0;
    }
    for (i = 0; i < bytes; i++)
        v = (v << 8) | r->p[r->off++];
    return v;
}

/* wire_get_bytes - a pointer to n bytes; NULL and bad past the end */
const void *
wire_get_bytes(struct wire_rd *r, size_t n)
{
    const void *p;

    if (r->bad || r->n - r->off < n) {
        r->bad = 1;
        return NULL;
    }
    p = r->p + r->off;
    r->off += n;
    return p;
}

/* wire_get_str - u16 length and bytes into out[cap], NUL-terminated */
size_t
wire_get_str(struct wire_rd *r, char *out, size_t cap)
{
    size_t  n = (size_t) wire_get_u(r, 2);
    const char *p;

    if (r->bad || n >= cap || (p = wire_get_bytes(r, n)) == NULL
        || memchr(p, 0, n) != NULL) {
        r->bad = 1;
        out[0] = 0;
        return 0;
    }
    memcpy(out, p, n);
    out[n] = 0;
    return n;
}
