/* cli/main.c - mailtlsrpt: SMTP TLS Reporting (RFC 8460) from mail logs
 *
 * Usage: mailtlsrpt COMMAND [OPTIONS] [LOG...]
 * The commands and their options are the tables of cli/opt_tab.c; this
 * file only finds the command (with a "did you mean" for a typo) and
 * hands it its arguments.
 */
#include "cli.h"
#include "opt.h"
#include "../util/msg.h"

#include <stdio.h>
#include <string.h>

#ifndef MTR_VERSION
#define MTR_VERSION "0.0"
#endif

int
main(int argc, char **argv)
{
    const struct opt_cmd *c;
    const char *near;

    msg_set_progname("mailtlsrpt");
    if (argc < 2) {
        opt_help_all(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        opt_help_all(stdout);
        return fflush(stdout) == 0 ? EXIT_DONE : EXIT_FATALERR;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("mailtlsrpt %s\n", MTR_VERSION);
        return EXIT_DONE;
    }
    if ((c = opt_cmd_find(argv[1])) != NULL)
        return c->fn(argc - 1, argv + 1);
    if (argv[1][0] == '-')
        fprintf(stderr, "mailtlsrpt: \"%.60s\" before the command; the"
                " command comes first: mailtlsrpt COMMAND [OPTIONS]\n",
                argv[1]);
    else if ((near = opt_cmd_near(argv[1])) != NULL)
        fprintf(stderr, "mailtlsrpt: unknown command \"%.60s\"; did you"
                " mean %s?\n", argv[1], near);
    else
        fprintf(stderr, "mailtlsrpt: unknown command \"%.60s\"\n", argv[1]);
    fprintf(stderr, "mailtlsrpt --help lists the commands\n");
    return EXIT_USAGE;
}
