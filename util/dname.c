/* util/dname.c - domain names checked before use (see dname.h) */
#include "dname.h"

#include <string.h>

/* dname_map - each byte as it is written in a canonical name: letters
 * in lower case, digits, '-' and '.'; 0 for a byte no name may hold */
static const unsigned char dname_map[256] = {
    ['-'] = '-', ['.'] = '.',
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
    ['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
    ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
    ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
    ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
    ['z'] = 'z',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
    ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
    ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
    ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
    ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
    ['Z'] = 'z',
};

/* dname_lower - 1 for the bytes a canonical label holds most: lower
 * case letters and digits */
static const unsigned char dname_lower[256] = {
    ['0'...'9'] = 1, ['a'...'z'] = 1,
};

/* dname_check - validate; the canonical length into *clen. Returns -1
 * (invalid), 0 (canonical as written: the first *clen bytes of in) or 1
 * (upper case letters to map). The bytes of a canonical name are scanned
 * with one look-up each */
int
dname_check(const char *in, size_t len, size_t *clen)
{
    const unsigned char *p = (const unsigned char *) in;
    size_t  i = 0;
    size_t  start = 0;          /* first byte of the label */
    int     upper = 0;

    if (len > 0 && in[len - 1] == '.')
        len--;
    if (len == 0 || len > DNAME_MAX)
        return -1;
    for (;;) {
        while (i < len && dname_lower[p[i]])
            i++;
        if (i < len && p[i] != '.') {
            if (p[i] == '-') {
                if (i == start)
                    return -1;          /* a label starts with '-' */
            } else if (dname_map[p[i]] == 0) {
                return -1;
            } else {
                upper = 1;
            }
            i++;
            continue;
        }
        /* the label ends at i, at a dot or the end of the name */
        if (i == start || i - start > 63 || p[i - 1] == '-')
            return -1;
        if (i == len)
            break;
        start = ++i;
    }
    *clen = len;
    return upper;
}

/* dname_norm - validate and canonicalise; cost O(len): a canonical name
 * is copied at once, only a name with upper case letters is mapped byte
 * by byte */
int
dname_norm(const char *in, size_t len, char *out)
{
    const unsigned char *p = (const unsigned char *) in;
    size_t  i;
    int     rc = dname_check(in, len, &len);

    if (rc < 0)
        return -1;
    if (rc > 0) {
        for (i = 0; i < len; i++)
            out[i] = (char) dname_map[p[i]];
    } else {
        memcpy(out, in, len);
    }
    out[len] = 0;
    return 0;
}

/* dname_valid - 1 when in is a canonical name */
int
dname_valid(const char *in)
{
    char    buf[DNAME_MAX + 1];
    size_t  len = strnlen(in, DNAME_MAX + 2);

    if (len == 0 || len > DNAME_MAX || in[len - 1] == '.')
        return 0;
    return dname_norm(in, len, buf) == 0 && strcmp(buf, in) == 0;
}

/* dname_is_numeric - all labels digits: an IPv4 literal, not a name */
int
dname_is_numeric(const char *name)
{
    const char *p;

    for (p = name; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return 0;
    return 1;
}
