/* cli/prom.c - metrics in the Prometheus text format, served and written
 *
 * The HTTP side is libmicrohttpd's (its own polling thread, a bounded
 * number of connections and a timeout), not ours: we only answer GET
 * /metrics with a copy of the latest text.
 */
#include "prom.h"
#include "../util/afile.h"
#include "../util/msg.h"
#include "../util/mymalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROM_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct prom {
    struct MHD_Daemon *d;
    pthread_mutex_t mu;         /* guards text and len */
    char   *text;
    size_t  len;
    char   *file;
};

/* prom_addr - numeric address and port */
int
prom_addr(const char *s, struct sockaddr_storage *ss, unsigned *len)
{
    char    host[64];
    const char *colon;
    char   *end;
    long    port;

    memset(ss, 0, sizeof(*ss));
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');

        if (rb == NULL || rb[1] != ':'
            || (size_t) (rb - s - 1) >= sizeof(host))
            return -1;
        memcpy(host, s + 1, (size_t) (rb - s - 1));
        host[rb - s - 1] = 0;
        colon = rb + 1;
    } else {
        if ((colon = strrchr(s, ':')) == NULL
            || (size_t) (colon - s) >= sizeof(host))
            return -1;
        memcpy(host, s, (size_t) (colon - s));
        host[colon - s] = 0;
    }
    port = strtol(colon + 1, &end, 10);
    if (colon[1] == 0 || *end != 0 || port < 1 || port > 65535)
        return -1;
    if (s[0] == '[') {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *) ss;

        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t) port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return -1;
        *len = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *) ss;

        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t) port);
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return -1;
        *len = sizeof(*a);
    }
    return 0;
}

/* prom_reply - a response with a small text body */
static enum MHD_Result
prom_reply(struct MHD_Connection *c, unsigned status, char *body,
           size_t len, const char *type)
{
    struct MHD_Response *r;
    enum MHD_Result ok;

    r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    (void) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* prom_handler - libmicrohttpd's access handler: GET /metrics */
static enum MHD_Result
prom_handler(void *cls, struct MHD_Connection *c, const char *url,
             const char *method, const char *version,
             const char *upload, size_t *upload_len, void **con_cls)
{
    struct prom *p = cls;
    char   *body;
    size_t  len;

    (void) version;
    (void) upload;
    (void) con_cls;
    if (*upload_len != 0) {
        *upload_len = 0;        /* a body we do not want: dropped */
        return MHD_YES;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return prom_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED,
                          strdup("only GET\n"), 9, "text/plain");
    if (strcmp(url, "/metrics") != 0)
        return prom_reply(c, MHD_HTTP_NOT_FOUND,
                          strdup("see /metrics\n"), 13, "text/plain");
    pthread_mutex_lock(&p->mu);
    len = p->len;
    body = malloc(len + 1);
    if (body != NULL && len)
        memcpy(body, p->text, len);
    pthread_mutex_unlock(&p->mu);
    if (body == NULL)
        return MHD_NO;
    return prom_reply(c, MHD_HTTP_OK, body, len, PROM_TYPE);
}

/* prom_create - the server and the file, as asked */
struct prom *
prom_create(const char *listen, const char *file, char *err)
{
    struct prom *p = xcalloc(1, sizeof(*p));
    struct sockaddr_storage ss;
    unsigned sl;

    pthread_mutex_init(&p->mu, NULL);
    p->text = xstrdup("");
    p->file = file ? xstrdup(file) : NULL;
    if (listen == NULL)
        return p;
    if (prom_addr(listen, &ss, &sl) != 0) {
        snprintf(err, PROM_ERR, "--metrics-listen %.100s: not ADDR:PORT or "
                 "[ADDR6]:PORT with a numeric address", listen);
        return prom_free(p);
    }
    p->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD
                            | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                            0, NULL, NULL, prom_handler, p,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &ss,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned) 32,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 10,
                            MHD_OPTION_END);
    if (p->d == NULL) {
        snprintf(err, PROM_ERR, "--metrics-listen %.100s: cannot listen "
                 "there (address in use, or not this host's)", listen);
        return prom_free(p);
    }
    return p;
}

/* prom_free - stop serving; NULL */
struct prom *
prom_free(struct prom *p)
{
    if (p == NULL)
        return NULL;
    if (p->d)
        MHD_stop_daemon(p->d);
    pthread_mutex_destroy(&p->mu);
    xfree(p->text);
    xfree(p->file);
    xfree(p);
    return NULL;
}

/* prom_write - the textfile, atomically */
static int
prom_write(const struct prom *p, const char *text, size_t len)
{
    const char *slash = strrchr(p->file, '/');
    char   *dir = slash ? xstrndup(p->file, slash == p->file ? 1
                                   : (size_t) (slash - p->file))
        : xstrdup(".");
    int     dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int     rc = -1;

    if (dfd >= 0) {
        rc = afile_replace(dfd, slash ? slash + 1 : p->file, text, len,
                           0644);
        close(dfd);
    }
    if (rc != 0)
        msg_warn("%s: cannot write the metrics: %s", p->file,
                 strerror(errno));
    xfree(dir);
    return rc;
}

/* prom_publish - the latest text */
int
prom_publish(struct prom *p, const char *text, size_t len, int write_file)
{
    char   *copy = xmalloc(len + 1);

    memcpy(copy, text, len);
    copy[len] = 0;
    pthread_mutex_lock(&p->mu);
    xfree(p->text);
    p->text = copy;
    p->len = len;
    pthread_mutex_unlock(&p->mu);
    return write_file && p->file ? prom_write(p, text, len) : 0;
}
