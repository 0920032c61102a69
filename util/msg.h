/* util/msg.h - diagnostics on a fixed scale of severity
 *
 * msg_info, msg_warn, msg_error report and return; msg_fatal exits with
 * status 3 (MSG_EXIT_FATAL); msg_panic reports a broken internal invariant
 * and aborts. Every message goes to stderr prefixed with the program name.
 * msg_verbose and msg_quiet are set once by main before any thread starts.
 * Thread safety: each call writes one line with one write(2).
 */
#ifndef UTIL_MSG_H
#define UTIL_MSG_H

#define MSG_EXIT_FATAL 3

extern int msg_verbose;         /* >0: msg_debug prints */
extern int msg_quiet;           /* >0: msg_info is silent */

void    msg_set_progname(const char *name);
void    msg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void    msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void    msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void    msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void msg_fatal(const char *fmt, ...)
            __attribute__((format(printf, 1, 2)));
_Noreturn void msg_panic(const char *fmt, ...)
            __attribute__((format(printf, 1, 2)));

#endif
