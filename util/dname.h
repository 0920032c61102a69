/* util/dname.h - domain names checked before they reach files, DNS or mail
 *
 * dname_norm() turns a name as written in a log (any case, optional
 * trailing dot) into the canonical form used everywhere in mailtlsrpt:
 * lower case, no trailing dot, A-labels only (LDH letters, digits and
 * hyphens; underscores refused), 1..63 bytes per label, at most 253
 * bytes, at least one label, no label starting or ending with '-'.
 * A name that fails any rule is refused as a whole; nothing is repaired.
 * Thread safety: pure functions.
 */
#ifndef UTIL_DNAME_H
#define UTIL_DNAME_H

#include <stddef.h>

#define DNAME_MAX 253

/* 0 and canonical name in out[DNAME_MAX + 1], or -1 when invalid */
int     dname_norm(const char *in, size_t len, char *out);

/* dname_norm() that also gives the canonical name's length: it, or -1
 * when invalid (out as dname_norm() leaves it) */
long    dname_norm_len(const char *in, size_t len, char *out);

/* dname_norm() without writing: -1 when invalid, else the canonical
 * length into *clen and 0 when the first *clen bytes of in are the
 * canonical name, 1 when upper case letters are to be mapped */
int     dname_check(const char *in, size_t len, size_t *clen);

/* 1 when in is already canonical */
int     dname_valid(const char *in);

/* 1 when a canonical name is an address literal such as 192.0.2.1 */
int     dname_is_numeric(const char *name);

#endif
