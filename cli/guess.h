/* cli/guess.h - what a run guessed, and what it could not know
 *
 * The rule (docs/architecture.md, "Guesses"): where the tool has to
 * guess, it says what it guessed; where it cannot know, it refuses or
 * leaves the field out and says so. The pipeline itself warns about
 * files that are no mail log and log hosts whose TLS logging looks off
 * (cli/pipe.c, with guess_hosts_*() below); this module says the rest:
 *
 * guess_hosts_*() - per log host of a run (at most GUESS_MAX_LOGHOSTS):
 * the MTAs whose lines it wrote and its sessions. guess_hosts_advise()
 * then warns, once per host, when a host with sessions wrote not one
 * TLS line (its TLS logging looks off: the setting of its MTA that turns
 * it on), and when all of a host's counted sessions, for 3 domains or
 * more, went to one host (a relay host that relay_hosts does not name?
 * they were taken for MX sessions).
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
#include "pipe.h"
#include "../aggregate/agg_tab.h"

#define GUESS_MAX_LOGHOSTS 256  /* log hosts a run keeps track of */

struct guess_hosts;

struct guess_hosts *guess_hosts_create(void);
struct guess_hosts *guess_hosts_free(struct guess_hosts *g);   /* NULL */

/* a line of log host name[0..len) that parser mta (enum sess_mta)
 * claimed; cost: a compare when the host is the one before */
void    guess_hosts_line(struct guess_hosts *g, const char *name, size_t len,
                         int mta);

/* a session of the run, with its disposition */
void    guess_hosts_session(struct guess_hosts *g, const struct sess_rec *r,
                            enum sess_disp d);

/* the warnings, after the run; tab: which hosts log TLS */
void    guess_hosts_advise(const struct guess_hosts *g,
                           const struct agg_tab *tab, enum agg_plain mode);

/* warn when tab has no session on day but some on others; given: the
 * day came from --day (else it is the default, yesterday) */
void    guess_day_check(const struct agg_tab *tab, int32_t day, int given,
                        const struct pipe_stats *st);

struct guess_sip;

struct guess_sip *guess_sip_create(const struct conf *c);

/* rpt_conf.sending_ip (emit/rpt.h); ctx: a struct guess_sip ** */
const char *guess_sending_ip(const char *loghost, const char *rcv_ip,
                             const void *ctx);

/* the one warning for the hosts whose address was left out; frees */
struct guess_sip *guess_sip_end(struct guess_sip *g);  /* always NULL */

#endif
