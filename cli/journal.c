/* cli/journal.c - --journal: the mail log from the system journal */
#include "journal.h"
#include "../util/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* journal_open - journalctl's export output as our standard input */
pid_t
journal_open(int32_t day, const char *cmd)
{
    static char quiet[] = "--quiet", nopager[] = "--no-pager";
    static char output[] = "--output=export", mail[] = "SYSLOG_FACILITY=2";
    static char deflt[] = "journalctl";
    char   *prog = getenv("MAILTLSRPT_JOURNALCTL");
    char    since[32];
    char   *argv[7];
    posix_spawn_file_actions_t fa;
    int     fd[2], err;
    pid_t   pid;

    if (prog == NULL || *prog == 0)
        prog = deflt;
    snprintf(since, sizeof(since), "--since=@%" PRId64,
             (int64_t) day * 86400 - 3600);
    argv[0] = prog;
    argv[1] = quiet;
    argv[2] = nopager;
    argv[3] = output;
    argv[4] = since;
    argv[5] = mail;
    argv[6] = NULL;
    if (pipe2(fd, O_CLOEXEC) != 0) {
        msg_error("%s --journal: %s", cmd, strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
                                     O_RDONLY, 0);
    err = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    if (err != 0) {
        close(fd[0]);
        msg_error("%s --journal: cannot start %s: %s", cmd, prog,
                  strerror(err));
        return -1;
    }
    if (dup2(fd[0], STDIN_FILENO) < 0) {
        msg_error("%s --journal: %s", cmd, strerror(errno));
        close(fd[0]);
        return -1;
    }
    close(fd[0]);
    return pid;
}

/* journal_close - journalctl's exit, and whether it gave anything */
int
journal_close(pid_t pid, uint64_t lines, const char *cmd)
{
    int     status;

    /* what is left unread (an early end) must not block journalctl */
    close(STDIN_FILENO);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            msg_error("%s --journal: %s", cmd, strerror(errno));
            return -1;
        }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        msg_error("%s --journal: journalctl failed (%s %d): the log of the"
                  " day may be incomplete", cmd, WIFEXITED(status)
                  ? "exit status" : "signal", WIFEXITED(status)
                  ? WEXITSTATUS(status) : WTERMSIG(status));
        return -1;
    }
    if (lines == 0) {
        msg_error("%s --journal: the journal has no record of syslog"
                  " facility mail for the day: is this user in group adm or"
                  " systemd-journal?", cmd);
        return -1;
    }
    return 0;
}
