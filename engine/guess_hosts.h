/* engine/guess_hosts.h - what the log hosts of a run write, and the
 * warnings it makes
 *
 * Part of the rule "where the tool has to guess, it says what it
 * guessed" (docs/architecture.md, section 11): the engine tells this
 * module, per log host of a run (at most GUESS_MAX_LOGHOSTS), the MTAs
 * whose lines it wrote and its sessions. guess_hosts_advise() then
 * warns, once per host, when a host with sessions wrote not one TLS
 * line (its TLS logging looks off: the setting of its MTA that turns it
 * on), and when all of a host's counted sessions, for 3 domains or
 * more, went to one host (a relay host that relay_hosts does not name?
 * they were taken for MX sessions). The rest of what a run guessed is
 * the commands' (cli/guess.h).
 * Thread safety: one thread per table (the correlating thread).
 */
#ifndef ENGINE_GUESS_HOSTS_H
#define ENGINE_GUESS_HOSTS_H

#include <stddef.h>

#include "../aggregate/agg_tab.h"
#include "../global/sess.h"

#define GUESS_MAX_LOGHOSTS 256  /* log hosts a run keeps track of */

struct guess_hosts;

struct guess_hosts *guess_hosts_create(void);
struct guess_hosts *guess_hosts_free(struct guess_hosts *g);   /* NULL */

/* a line of log host name[0..len) that parser mta (enum sess_mta)
 * claimed; cost: a compare when the host is the one before */
void    guess_hosts_line(struct guess_hosts *g, const char *name, size_t len,
                         int mta);

/* a session of the run (as its maker holds it, global/sess.h), with
 * its disposition */
void    guess_hosts_session(struct guess_hosts *g, const struct sess_view *v,
                            enum sess_disp d);

/* the warnings, after the run; tab: which hosts log TLS */
void    guess_hosts_advise(const struct guess_hosts *g,
                           const struct agg_tab *tab, enum agg_plain mode);

/* a log host's name (from a log: untrusted) as printable ASCII into
 * out[cap], '?' for the rest; "(no host name)" for "" */
const char *guess_host_name(const char *name, char *out, size_t cap);

#endif
