/* parsers/jrnl.h - systemd journal records as struct wrap_rec
 *
 * Two journalctl output forms carry whole journal entries instead of
 * printed lines:
 *   -o json     one JSON object per line (also json-seq: a leading
 *               0x1E; json-sse: "data: " before the object). MESSAGE is
 *               a string, or an ARRAY OF BYTE VALUES when it is not
 *               printable UTF-8; a field present more than once is an
 *               array of such values (the first is used); null stands
 *               for a field over 4096 bytes (journalctl without --all).
 *   -o export   "KEY=VALUE\n" lines, one entry per block, blocks
 *               separated by an empty line; a value that is not
 *               printable is written "KEY\n" + 64-bit little-endian
 *               length + bytes + "\n". parsers/input.c does the framing
 *               and hands the fields over one at a time.
 * Fields used, chosen as journalctl -o short chooses them (systemd
 * src/shared/logs-show.c), so that every form of one journal gives the
 * same records:
 *   time   _SOURCE_REALTIME_TIMESTAMP, else __REALTIME_TIMESTAMP
 *          (microseconds since the epoch, UTC)
 *   host   _HOSTNAME
 *   ident  SYSLOG_IDENTIFIER, else _COMM
 *   pid    _PID, else SYSLOG_PID
 *   msg    MESSAGE (an entry without one is skipped by journalctl; here
 *          it is a bad record)
 * Scratch: one struct jrnl owns a MESSAGE buffer of JRNL_MAX_MSG bytes
 * and small buffers for the other fields, allocated once; the spans of a
 * struct wrap_rec it fills point there and stay valid until the next
 * call. Nothing is allocated per record.
 * Thread safety: one struct jrnl per thread.
 */
#ifndef PARSERS_JRNL_H
#define PARSERS_JRNL_H

#include <stddef.h>

#include "../util/span.h"
#include "wrap.h"

#define JRNL_MAX_MSG (64 * 1024)        /* as INPUT_MAX_LINE */
#define JRNL_MAX_FIELD 256              /* host, ident, pid, times */

struct jrnl;                    /* opaque */

struct jrnl *jrnl_create(void);                 /* never NULL */
struct jrnl *jrnl_free(struct jrnl *j);         /* always NULL */

/* jrnl_is_json - 1 when a line is meant as a journal JSON object: it
 * starts with '{' and '"' (blanks between allowed; after an optional
 * 0x1E or "data: "), as every object journalctl writes does; a line of
 * json-pretty ("{" alone) is not one */
int     jrnl_is_json(struct span line);

/* jrnl_json - one -o json line into r; 0, or -1 with *why set (broken
 * JSON, no MESSAGE, NUL byte in MESSAGE, MESSAGE too long). Reads at
 * most line.len bytes; cost O(line.len). */
int     jrnl_json(struct jrnl *j, struct span line, struct wrap_rec *r,
                  const char **why);

/* jrnl_is_export - 1 when a stream starting with these n bytes is
 * journalctl -o export (its first line is "__CURSOR=" or another
 * "__FIELD=") */
int     jrnl_is_export(const char *p, size_t n);

/* export records: start, fields (each value complete), end */
void    jrnl_export_start(struct jrnl *j);
void    jrnl_export_field(struct jrnl *j, struct span key, struct span value);

/* a field whose value could not be read (too big, framing lost): the
 * record is bad if key is one we use, or when key is NULL */
void    jrnl_export_lost(struct jrnl *j, const struct span *key,
                         const char *why);

/* jrnl_export_end - the record into r; 0, or -1 with *why set */
int     jrnl_export_end(struct jrnl *j, struct wrap_rec *r,
                        const char **why);

/* jrnl_field_name - 1 when k is a valid journal field name: A-Z, 0-9,
 * '_', not starting with a digit, at most 64 bytes */
int     jrnl_field_name(struct span k);

#endif
