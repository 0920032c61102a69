/* cli/journal.h - --journal: the mail log from the system journal
 *
 * journal_open() starts journalctl for the records of syslog facility
 * mail (SYSLOG_FACILITY=2: Postfix, Exim and Sendmail log there) from
 * an hour before the report day until now, in its export format (every
 * field exact: time, host, identifier, pid), and puts its output on
 * standard input, where the pipeline reads journal records as it reads
 * "journalctl -o export | mailtlsrpt ... -". journal_close() waits for
 * it: a journalctl that failed, or a journal without a single record
 * for the period (not readable by this user: add it to group adm or
 * systemd-journal), is an error, so that "run" does not take the day
 * for done.
 * MAILTLSRPT_JOURNALCTL in the environment names another program with
 * journalctl's options (tests give it a journal file of their own);
 * default: journalctl from PATH.
 * Thread safety: main thread, before the pipeline starts its threads.
 */
#ifndef CLI_JOURNAL_H
#define CLI_JOURNAL_H

#include <stdint.h>
#include <sys/types.h>

/* start journalctl for the UTC day (and every day after it), its
 * output on fd 0; its pid, or -1 after a message */
pid_t   journal_open(int32_t day, const char *cmd);

/* wait for it; 0, or -1 after a message; lines: what was read */
int     journal_close(pid_t pid, uint64_t lines, const char *cmd);

#endif
