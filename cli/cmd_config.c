/* cli/cmd_config.c - "mailtlsrpt config": the settings, as postconf
 *
 * Usage: mailtlsrpt config [-d | -n] [--config FILE] [NAME...]
 *
 * Prints "NAME = VALUE" lines in the order of the table of cli/conf.c:
 * the effective values (what the file sets, else the defaults), with -d
 * the defaults, with -n only what the file sets (postconf -d, -n). The
 * settings of who we are (organization_name, contact_info, submitter)
 * print empty unless set: run and send refuse to send without them.
 * A bad file is refused as every command refuses it (exit status 3); an
 * unknown NAME is a usage error (2).
 */
#include "cli.h"
#include "conf.h"

#include <stdio.h>

/* cmd_config - the config subcommand */
int
cmd_config(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    int     rc;

    cli_parse(argc, argv, "config", &o);
    conf_load(&c, o.config, o.config != NULL);
    rc = conf_print(stdout, &c, o.files, o.defaults, o.explicit);
    conf_free(&c);
    if (fflush(stdout) != 0)
        return EXIT_FATALERR;
    return rc == 0 ? EXIT_DONE : EXIT_USAGE;
}
