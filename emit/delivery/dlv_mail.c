/* emit/delivery/dlv_mail.c - deliver a report by mail: SMTP relay or sendmail
 *
 * NAME
 *      dlv_mail - build the message (emit/delivery/mail.c), hand it to an MTA
 * SYNOPSIS
 *      #include "emit/delivery/dlv.h"
 * DESCRIPTION
 *      With smtp_relay, libcurl speaks SMTP to it: smtp:// uses STARTTLS
 *      when the relay offers it and requires it when the URL carries a
 *      user name (AUTH never goes in the clear); smtps:// is TLS from
 *      the start. Certificates are verified (system CAs plus ca_file).
 *      libcurl does the dot-stuffing. MAIL FROM is mail_from, RCPT TO
 *      each address of the mailto URI. The relay's last reply is kept.
 *
 *      Without a relay the message goes to "SENDMAIL -t -oi -f FROM"
 *      with LF line ends (the local submission convention); exit status
 *      0 is delivered. The program gets the message on standard input
 *      and its output (first DLV_EXCERPT bytes) is kept for the status.
 *      A sendmail that does not finish within the timeout is killed.
 * DIAGNOSTICS
 *      The outcome is written to status.
 */
#include "dlv.h"
#include "mail.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../../util/mymalloc.h"

struct dlv_src {
    const char *p;
    size_t  left;
};

struct dlv_reply {
    char    line[DLV_EXCERPT + 1];
};

/* dlv_mail_read - feed the message to curl */
static size_t
dlv_mail_read(char *buf, size_t size, size_t n, void *arg)
{
    struct dlv_src *s = arg;
    size_t  k = size * n < s->left ? size * n : s->left;

    memcpy(buf, s->p, k);
    s->p += k;
    s->left -= k;
    return k;
}

/* dlv_mail_header - remember the server's last reply line */
static size_t
dlv_mail_header(char *p, size_t size, size_t n, void *arg)
{
    struct dlv_reply *r = arg;

    dlv_printable(p, size * n, r->line, sizeof(r->line));
    return size * n;
}

/* dlv_smtp - send through the relay with libcurl */
static int
dlv_smtp(const struct dlv_conf *c, const struct dlv_target *t,
         const char *msg, size_t len, char *status, size_t cap)
{
    struct curl_slist *rcpt = NULL;
    struct dlv_src src = {msg, len};
    struct dlv_reply reply;
    char    errbuf[CURL_ERROR_SIZE], relay[256], why[256], buf[300];
    char   *user = NULL;
    CURLU  *u = curl_url();
    long    code = 0;
    CURLcode cr;
    CURL   *h = curl_easy_init();
    size_t  i;
    int     rc = -1;

    dlv_redact(c->smtp_relay, relay, sizeof(relay));
    memset(&reply, 0, sizeof(reply));
    if (u == NULL || curl_url_set(u, CURLUPART_URL, c->smtp_relay, 0)
        != CURLUE_OK) {
        snprintf(status, cap, "relay %s: not a valid URL", relay);
        goto end;
    }
    curl_url_get(u, CURLUPART_USER, &user, 0);
    for (i = 0; i < t->nrcpt; i++) {
        snprintf(buf, sizeof(buf), "<%s>", t->rcpt[i]);
        if ((rcpt = curl_slist_append(rcpt, buf)) == NULL)
            goto setup;
    }
    snprintf(buf, sizeof(buf), "<%s>", c->mail_from);
    if (h == NULL || dlv_curl_common(h, c, errbuf) != 0
        || curl_easy_setopt(h, CURLOPT_URL, c->smtp_relay) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_USE_SSL, user ? (long) CURLUSESSL_ALL
                            : (long) CURLUSESSL_TRY) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_MAIL_FROM, buf) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_UPLOAD, 1L) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t) len)
        != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_READFUNCTION, dlv_mail_read)
        != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_READDATA, &src) != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, dlv_mail_header)
        != CURLE_OK
        || curl_easy_setopt(h, CURLOPT_HEADERDATA, &reply) != CURLE_OK) {
setup:
        snprintf(status, cap, "relay %s: curl setup failed", relay);
        goto end;
    }
    cr = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (cr != CURLE_OK) {
        dlv_printable(errbuf[0] ? errbuf : curl_easy_strerror(cr),
                      sizeof(errbuf), why, sizeof(why));
        snprintf(status, cap, "relay %s: %s%s%s (curl error %d)", relay,
                 why, reply.line[0] ? "; last reply: " : "", reply.line,
                 (int) cr);
        goto end;
    }
    snprintf(status, cap, "relay %s accepted: %s", relay,
             reply.line[0] ? reply.line : "250");
    rc = 0;
end:
    curl_free(user);
    curl_url_cleanup(u);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    return rc;
}

/* dlv_lf - CRLF to LF (sendmail's local convention); malloc'd */
static char *
dlv_lf(const char *msg, size_t len, size_t *out)
{
    char   *o = xmalloc(len + 1);
    size_t  i, n = 0;

    for (i = 0; i < len; i++)
        if (!(msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n'))
            o[n++] = msg[i];
    *out = n;
    return o;
}

/* dlv_now_ms - monotonic milliseconds */
static long long
dlv_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* dlv_sendmail - pipe the message to sendmail -t */
static int
dlv_sendmail(const struct dlv_conf *c, const char *msg, size_t len,
             char *status, size_t cap)
{
    const char *prog = c->sendmail ? c->sendmail : DLV_SENDMAIL;
    long long deadline = dlv_now_ms() + 1000LL
        * (c->timeout > 0 ? c->timeout : DLV_TIMEOUT_DEFAULT);
    char    out[DLV_EXCERPT + 1], shown[DLV_EXCERPT + 1], junk[512];
    size_t  olen = 0, left, lflen;
    char   *lf = dlv_lf(msg, len, &lflen);
    const char *p = lf;
    int     in[2] = {-1, -1}, ob[2] = {-1, -1}, st = 0, killed = 0;
    pid_t   pid;

    left = lflen;
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(ob, O_CLOEXEC) != 0) {
        snprintf(status, cap, "sendmail: pipe: %s", strerror(errno));
        goto fail;
    }
    if ((pid = fork()) < 0) {
        snprintf(status, cap, "sendmail: fork: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(ob[1], 1);
        dup2(ob[1], 2);
        signal(SIGPIPE, SIG_DFL);
        execl(prog, "sendmail", "-t", "-oi", "-f", c->mail_from,
              (char *) NULL);
        _exit(127);
    }
    close(in[0]);
    close(ob[1]);
    in[0] = ob[1] = -1;
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    if (left == 0) {
        close(in[1]);
        in[1] = -1;
    }
    /* write the message and read the output until both pipes are done */
    while (in[1] >= 0 || ob[0] >= 0) {
        struct pollfd pf[2];
        long long wait = deadline - dlv_now_ms();
        nfds_t  np = 0;

        if (wait <= 0) {
            kill(pid, SIGKILL);
            killed = 1;
            break;
        }
        if (in[1] >= 0)
            pf[np++] = (struct pollfd) {in[1], POLLOUT, 0};
        if (ob[0] >= 0)
            pf[np++] = (struct pollfd) {ob[0], POLLIN, 0};
        if (poll(pf, np, (int) (wait > 1000 ? 1000 : wait)) < 0
            && errno != EINTR)
            break;
        for (nfds_t k = 0; k < np; k++) {
            if (pf[k].fd == in[1] && pf[k].revents) {
                ssize_t w = write(in[1], p, left > 65536 ? 65536 : left);

                if (w > 0) {
                    p += w;
                    left -= (size_t) w;
                }
                if (left == 0 || (w < 0 && errno != EAGAIN
                                  && errno != EINTR)) {
                    close(in[1]);
                    in[1] = -1;
                }
            } else if (pf[k].fd == ob[0] && pf[k].revents) {
                ssize_t r = read(ob[0], junk, sizeof(junk));

                if (r <= 0 && !(r < 0 && errno == EINTR)) {
                    close(ob[0]);
                    ob[0] = -1;
                    continue;
                }
                if (r > 0 && olen < DLV_EXCERPT) {
                    size_t  k2 = (size_t) r < DLV_EXCERPT - olen
                        ? (size_t) r : DLV_EXCERPT - olen;

                    memcpy(out + olen, junk, k2);
                    olen += k2;
                }
            }
        }
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    out[olen] = 0;
    dlv_printable(out, olen, shown, sizeof(shown));
    free(lf);
    if (in[1] >= 0)
        close(in[1]);
    if (ob[0] >= 0)
        close(ob[0]);
    if (killed) {
        snprintf(status, cap, "%s: no answer within the timeout; killed",
                 prog);
        return -1;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && left == 0) {
        snprintf(status, cap, "%s -t accepted%s%s", prog,
                 shown[0] ? ": " : "", shown);
        return 0;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        snprintf(status, cap, "%s: cannot run%s%s", prog,
                 shown[0] ? ": " : "", shown);
    else if (WIFEXITED(st))
        snprintf(status, cap, "%s: exit status %d%s%s", prog,
                 WEXITSTATUS(st), shown[0] ? ": " : "", shown);
    else
        snprintf(status, cap, "%s: killed by signal %d", prog,
                 WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return -1;

fail:
    free(lf);
    if (in[0] >= 0)
        close(in[0]);
    if (in[1] >= 0)
        close(in[1]);
    if (ob[0] >= 0)
        close(ob[0]);
    if (ob[1] >= 0)
        close(ob[1]);
    return -1;
}

/* dlv_mail - build and send the report mail */
int
dlv_mail(const struct dlv_conf *c, const struct dlv_target *t,
         const struct dlv_report *r, char *status, size_t cap)
{
    struct mail_spec s;
    const char *to[DLV_MAX_RCPT];
    char    err[256];
    char   *msg;
    size_t  len, i;
    int     rc;

    if (c->mail_from == NULL || !mail_addr_ok(c->mail_from)) {
        snprintf(status, cap, "no usable sender address (--mail-from)");
        return -1;
    }
    for (i = 0; i < t->nrcpt; i++)
        to[i] = t->rcpt[i];
    memset(&s, 0, sizeof(s));
    s.from = c->mail_from;
    s.to = to;
    s.nto = t->nrcpt;
    s.domain = r->domain;
    s.submitter = r->submitter;
    s.report_id = r->report_id;
    s.file_name = r->name;
    s.report = r->data;
    s.len = r->len;
    s.gz = strlen(r->name) > 3
        && strcmp(r->name + strlen(r->name) - 3, ".gz") == 0;
    s.key = r->key;
    s.date = r->now;
    if ((msg = mail_build(&s, c->dkim, &len, err, sizeof(err))) == NULL) {
        snprintf(status, cap, "message not built: %s", err);
        return -1;
    }
    rc = c->smtp_relay ? dlv_smtp(c, t, msg, len, status, cap)
        : dlv_sendmail(c, msg, len, status, cap);
    free(msg);
    return rc;
}
