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

/* dname_norm - validate and canonicalise; cost O(len), one table
 * look-up per byte */
int
dname_norm(const char *in, size_t len, char *out)
{
    size_t  i;
    size_t  label = 0;
    size_t  o = 0;

    if (len > 0 && in[len - 1] == '.')
        len--;
    if (len == 0 || len > DNAME_MAX)
        return -1;
    for (i = 0; i < len; i++) {
        unsigned char c = dname_map[(unsigned char) in[i]];

        if (c >= '0') {                 /* letter or digit: most bytes */
            if (++label > 63)
                return -1;
            out[o++] = (char) c;
        } else if (c == '.') {
            if (label == 0 || out[o - 1] == '-')
                return -1;
            label = 0;
            out[o++] = '.';
        } else if (c == '-') {
            if (label == 0 || ++label > 63)
                return -1;
            out[o++] = '-';
        } else {
            return -1;
        }
    }
    if (label == 0 || out[o - 1] == '-')
        return -1;
    out[o] = 0;
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
