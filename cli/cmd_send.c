/* cli/cmd_send.c - "mailtlsrpt send", "run" and "spool": delivery
 *
 * Not built yet: the spool and delivery by HTTPS and mail come with the
 * delivery work (emit/spool.c, emit/dlv.c).
 */
#include "cli.h"

#include <stdio.h>

/* cmd_notyet - common refusal */
static int
cmd_notyet(int argc, char **argv, const char *name)
{
    struct cli_opts o;

    cli_parse(argc, argv, name, &o);
    fprintf(stderr, "mailtlsrpt %s: not built yet\n", name);
    return EXIT_USAGE;
}

int
cmd_send(int argc, char **argv)
{
    return cmd_notyet(argc, argv, "send");
}

int
cmd_run(int argc, char **argv)
{
    return cmd_notyet(argc, argv, "run");
}

int
cmd_spool(int argc, char **argv)
{
    return cmd_notyet(argc, argv, "spool");
}
