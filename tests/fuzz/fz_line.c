/* tests/fuzz/fz_line.c - fuzz target: log text through every parser
 *
 * The input is a log: split into lines, each through wrap_parse() and
 * parser_feed() (Postfix, Exim, Sendmail), then flushed. Every session
 * that comes out must keep the record's invariants (sess.h): valid or
 * empty domain and MX names, canonical or empty addresses, a result in
 * range, a reason of printable ASCII. A violation aborts: a finding.
 * Speed is what lets a fuzzer explore: the parser set is made once and
 * reset before each input (parser_set_reset: nothing of an input
 * outlives it, so every finding replays alone), and scripts/fuzz.sh
 * runs this target on inputs of at most 4 KiB (seed logs cut into
 * pieces of 16 lines): a few sessions' lines, which is all the
 * correlators' state spans; long lines are the reader's business
 * (parsers/input.c, tests/t_input.c and testdata/badinput).
 */
#include "../../parsers/parser.h"
#include "../../parsers/ts.h"
#include "../../util/dname.h"
#include "../../util/ipaddr.h"
#include "../../util/msg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fz_check - the invariants of one session record */
static void
fz_session(void *ctx, const struct sess_rec *r, enum sess_disp d)
{
    char    ip[IPADDR_MAX + 1];
    const char *p;

    (void) ctx;
    if ((unsigned) d >= SESS_D_COUNT || r->result >= SESS_RESULT_COUNT
        || r->policy >= SESS_POL_COUNT)
        abort();
    if (memchr(r->domain, 0, sizeof(r->domain)) == NULL
        || (r->domain[0] && !dname_valid(r->domain))
        || (d == SESS_D_COUNTED && !r->domain[0]))
        abort();
    if (memchr(r->mx, 0, sizeof(r->mx)) == NULL
        || (r->mx[0] && !dname_valid(r->mx)))
        abort();
    if (r->ip[0] && (ipaddr_norm(r->ip, strlen(r->ip), ip) != 0
                     || strcmp(ip, r->ip) != 0))
        abort();
    for (p = r->reason; *p; p++)
        if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
            abort();
}

static void
fz_tls_host(void *ctx, const char *loghost, size_t len)
{
    (void) ctx;
    if (strlen(loghost) != len || len > SESS_MAX_LOGHOST)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sess_conf conf;
    static struct sess_cb cb;
    static struct parser_set *ps;
    struct ts_ctx ts;
    const char *p = (const char *) data;
    const char *end = p + size;

    if (ps == NULL) {
        setenv("TZ", "UTC", 1);
        tzset();
        msg_quiet = 1;
        cb.session = fz_session;
        cb.tls_host = fz_tls_host;
        conf.own_from = "tlsrpt@example.net";   /* no-loops state too */
        ps = parser_set_create(NULL, &conf, &cb);
    }
    ts_ctx_init_year(&ts, 2024);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t) (end - p));
        size_t  len = nl ? (size_t) (nl - p) : (size_t) (end - p);
        struct wrap_rec r;
        struct trace tr;
        char    label[64];

        wrap_parse(&ts, span_make(p, len), &r);
        parser_feed(ps, &r, &tr);
        trace_format(&tr, label, sizeof(label));
        p += len + 1;
    }
    parser_flush(ps);
    /* fresh states for the next input; at the end, so that what this
     * input allocated is freed within it (libFuzzer runs its leak check
     * on inputs that allocate more than they free) */
    parser_set_reset(ps);
    return 0;
}
