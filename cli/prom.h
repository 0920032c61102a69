/* cli/prom.h - metrics in the Prometheus text format, served and written
 *
 * The caller renders the text (cli/fmet.h) and hands it over with
 * prom_publish(); it is then
 *   - served at http://ADDR:PORT/metrics by libmicrohttpd, in a thread
 *     of its own (--metrics-listen; every other path is 404, every other
 *     method 405), and
 *   - written to a file for node_exporter's textfile collector
 *     (--metrics-file NAME.prom), replaced atomically (temporary file,
 *     rename), never half written.
 * Thread safety: prom_publish() from one thread; the server thread takes
 * a copy of the latest text under a mutex.
 */
#ifndef CLI_PROM_H
#define CLI_PROM_H

#include <stddef.h>

#define PROM_ERR 256

struct prom;

/* listen: "ADDR:PORT" or "[ADDR6]:PORT", or NULL; file: or NULL. NULL
 * with err[PROM_ERR] when the address is bad or cannot be bound */
struct prom *prom_create(const char *listen, const char *file, char *err);
struct prom *prom_free(struct prom *p);         /* always NULL */

/* the text served from now on; with write_file, the file too: 0, or -1
 * after a warning */
int     prom_publish(struct prom *p, const char *text, size_t len,
                     int write_file);

/* parse "ADDR:PORT" or "[ADDR6]:PORT" (numeric); 0 or -1 */
struct sockaddr_storage;
int     prom_addr(const char *s, struct sockaddr_storage *ss,
                  unsigned *len);

#endif
