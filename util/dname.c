/* util/dname.c - domain names checked before use (see dname.h) */
#include "dname.h"

#include <string.h>

/* dname_norm - validate and canonicalise; cost O(len) */
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
        unsigned char c = (unsigned char) in[i];

        if (c == '.') {
            if (label == 0 || out[o - 1] == '-')
                return -1;
            label = 0;
            out[o++] = '.';
            continue;
        }
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char) (c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return -1;
        if (c == '-' && label == 0)
            return -1;
        if (++label > 63)
            return -1;
        out[o++] = (char) c;
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
