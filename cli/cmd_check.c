/* cli/cmd_check.c - "mailtlsrpt check-domain": what a sender would find
 *
 * Not built yet: TLSRPT, MTA-STS and DANE resolution come with the
 * policy-resolution work (emit/dns.c, emit/sts.c).
 */
#include "cli.h"

#include <stdio.h>

/* cmd_check_domain - the check-domain subcommand */
int
cmd_check_domain(int argc, char **argv)
{
    struct cli_opts o;

    cli_parse(argc, argv, "check-domain", &o);
    fprintf(stderr, "mailtlsrpt check-domain: not built yet\n");
    return EXIT_USAGE;
}
