/* cli/guess.h - what a run guessed, and what it could not know
 *
 * The rule (docs/architecture.md, "Guesses"): where the tool has to
 * guess, it says what it guessed; where it cannot know, it refuses or
 * leaves the field out and says so. The engine itself warns about
 * files that are no mail log and log hosts whose TLS logging looks off
 * (engine/pipe.c, engine/guess_hosts.h); this module says the rest:
 *
 * guess_day_check() - a report or summary day without a session, while
 * the input has sessions on other days: which days it has, and how the
 * year of its syslog stamps was chosen (a fresh clone's file times make
 * last year's demo log this year's).
 *
 * guess_sip_*() - the sending-mta-ip of each failure detail: the log
 * host's own "sending_mta_ip = HOST ADDRESS", else the configuration's
 * default "sending_mta_ip = ADDRESS" (also for lines without a host
 * name), else, for this machine's own host name, its one public address
 * of the receiving address's family (said once per host: a guess),
 * else nothing: the field is left out, and guess_sip_end() warns once
 * per run naming every such host. MAILTLSRPT_TEST_IFADDRS (addresses
 * separated by spaces) stands in for this machine's interfaces in tests.
 * Thread safety: guess_sending_ip() from any number of threads (report
 * --offline builds reports on -j threads); the rest from one.
 */
#ifndef CLI_GUESS_H
#define CLI_GUESS_H

#include <stdint.h>

#include "conf.h"
#include "../global/run.h"
#include "../aggregate/agg_tab.h"

/* warn when tab has no session on day but some on others; given: the
 * day came from --day (else it is the default, yesterday) */
void    guess_day_check(const struct agg_tab *tab, int32_t day, int given,
                        const struct run_stats *st);

struct guess_sip;

struct guess_sip *guess_sip_create(const struct conf *c);

/* rpt_conf.sending_ip (emit/report/rpt.h); ctx: a struct guess_sip ** */
const char *guess_sending_ip(const char *loghost, const char *rcv_ip,
                             const void *ctx);

/* the one warning for the hosts whose address was left out; frees */
struct guess_sip *guess_sip_end(struct guess_sip *g);  /* always NULL */

#endif
