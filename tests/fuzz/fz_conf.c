/* tests/fuzz/fz_conf.c - fuzz target: the configuration file parser
 *
 * Any bytes as a configuration file: conf_parse() must accept or refuse
 * them with a message, never crash, and whatever it accepts must hold
 * only validated values.
 */
#include "../../cli/conf.h"
#include "../../util/dname.h"
#include "../../util/msg.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct conf c;
    char    err[256];
    FILE   *fp;
    size_t  i;

    msg_quiet = 1;
    if (size == 0)
        return 0;
    if ((fp = fmemopen((void *) (uintptr_t) data, size, "r")) == NULL)
        return 0;
    memset(&c, 0, sizeof(c));
    if (conf_parse(&c, fp, err, sizeof(err)) == 0) {
        if (c.submitter && !dname_valid(c.submitter))
            abort();
        for (i = 0; i < c.nmx_ports; i++)
            if (c.mx_ports[i] < 1 || c.mx_ports[i] > 65535)
                abort();
        for (i = 0; i < c.nrelay_hosts; i++)
            if (strlen(c.relay_hosts[i]) > DNAME_MAX)
                abort();
    } else if (strlen(err) == 0) {
        abort();                /* a refusal must say why */
    }
    fclose(fp);
    conf_free(&c);
    return 0;
}
