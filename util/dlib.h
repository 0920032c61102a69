/* util/dlib.h - the network and crypto libraries, loaded on first use
 *
 * libcurl, ldns, libmicrohttpd and OpenSSL bring about thirty shared
 * libraries with them (GnuTLS, Kerberos, LDAP, libssh2, ...). Linked
 * into the program, the dynamic linker maps and relocates all of them at
 * every start: 5 ms of a command that reads a log in 80, and most of
 * `--help`. Only `report` (resolution, the spool), `deliver`, `run`,
 * `resolve`, `check` and `follow --metrics` call them. So the program is
 * not linked with them: util/dlib.c defines each of their functions it
 * calls, under the library's own name and with the library's own
 * prototype (from its header, so the compiler checks each one), as a
 * call through a pointer that dlsym() finds on the first call, after
 * dlopen() of the library by its soname. Callers are unchanged.
 *
 * A library that cannot be loaded, or lacks a function, stops the run
 * with a message that names it and its Debian package (status 3).
 * debian/control names the packages the program needs, since
 * dpkg-shlibdeps no longer sees them.
 *
 * Thread safety: any thread may make the first call; the library is
 * opened once (a mutex) and each function's pointer published with an
 * atomic store.
 */
#ifndef UTIL_DLIB_H
#define UTIL_DLIB_H

#include <stddef.h>

/* resolve every function util/dlib.c stands in for (tests): the number
 * found; each one missing is written to stderr */
size_t  dlib_resolve_all(size_t *total);

/* the libraries opened so far, of how many (tests: a command that
 * needs none opens none) */
int     dlib_opened(void);

#endif
