/* util/msg.c - diagnostics on a fixed scale of severity (see msg.h) */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int     msg_verbose;
int     msg_quiet;
static const char *msg_progname = "mailtlsrpt";

/* msg_set_progname - name used as the prefix of every message */
void
msg_set_progname(const char *name)
{
    const char *slash = strrchr(name, '/');

    msg_progname = slash ? slash + 1 : name;
}

/* msg_vemit - format one line and write it with a single write(2) */
static void msg_vemit(const char *level, const char *fmt, va_list ap)
            __attribute__((format(printf, 2, 0)));

static void
msg_vemit(const char *level, const char *fmt, va_list ap)
{
    char    buf[2048];
    int     n;
    int     m;

    n = snprintf(buf, sizeof(buf), "%s: %s%s", msg_progname, level,
                 *level ? ": " : "");
    if (n < 0 || (size_t) n >= sizeof(buf))
        n = 0;
    m = vsnprintf(buf + n, sizeof(buf) - (size_t) n - 1, fmt, ap);
    if (m < 0)
        m = 0;
    n += m;
    if ((size_t) n > sizeof(buf) - 2)
        n = (int) sizeof(buf) - 2;
    buf[n++] = '\n';
    if (write(STDERR_FILENO, buf, (size_t) n) < 0) {
        /* nothing left to report to */
    }
}

#define MSG_BODY(level) do { va_list ap; va_start(ap, fmt); \
        msg_vemit((level), fmt, ap); va_end(ap); } while (0)

void
msg_debug(const char *fmt, ...)
{
    if (msg_verbose > 0)
        MSG_BODY("debug");
}

void
msg_info(const char *fmt, ...)
{
    if (msg_quiet <= 0)
        MSG_BODY("");
}

void
msg_warn(const char *fmt, ...)
{
    MSG_BODY("warning");
}

void
msg_error(const char *fmt, ...)
{
    MSG_BODY("error");
}

void
msg_fatal(const char *fmt, ...)
{
    MSG_BODY("fatal");
    exit(MSG_EXIT_FATAL);
}

void
msg_panic(const char *fmt, ...)
{
    MSG_BODY("panic");
    abort();
}
