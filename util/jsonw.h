/* util/jsonw.h - JSON written as it is made, byte for byte as jansson
 *
 * A writer for documents too large to build as a tree first: members go
 * out as they are given, through a buffer of JSONW_BUF bytes, to a
 * stdio stream. The bytes are those json_dumpf() writes of the same
 * document built with jansson and dumped with JSON_PRESERVE_ORDER and
 * JSON_INDENT(indent) (or none), with or without JSON_COMPACT: the same
 * line breaks and indentation, ": " or ":", "{}" and "[]" for empty
 * containers, integers as "%lld", strings escaped as jansson escapes
 * them (without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH): \" \\ \b \f \n
 * \r \t, any other byte below 0x20 as \u00XX in upper case hex, all
 * else as it is. tests/t_jsonw.c compares the two on hostile strings.
 *
 * A string that is not valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), which jansson's json_string()
 * refuses, is refused here too: jsonw_str() writes nothing, not even
 * the key, and returns -1, as json_object_set_new(o, key,
 * json_string(s)) leaves the key out.
 *
 * jsonw_open() starts an object ('{') or an array ('['), jsonw_close()
 * ends the innermost; a member of an object has a key, an element of
 * an array has none (NULL). Keys are the caller's words: escaped, but
 * neither checked as UTF-8 nor for duplicates (jansson would keep one
 * of two). At most JSONW_DEPTH_MAX
 * levels: deeper, or a close with none open, or a key where none
 * belongs, is a program error (msg_panic).
 *
 * Errors: the stream's (ferror); jsonw_flush() hands over what is
 * buffered, and the last jsonw_close() does. Nothing is allocated.
 * Thread safety: one writer per thread; the stream is the caller's.
 */
#ifndef UTIL_JSONW_H
#define UTIL_JSONW_H

#include <stddef.h>
#include <stdio.h>

#define JSONW_BUF 8192          /* bytes kept before a fwrite */
#define JSONW_DEPTH_MAX 32      /* open containers at most */

struct jsonw {
    FILE   *fp;
    int     indent;             /* spaces per level; 0: one line */
    int     compact;            /* ":" and "," alone (JSON_COMPACT) */
    int     depth;              /* containers open */
    unsigned char kind[JSONW_DEPTH_MAX];        /* '{' or '[' */
    unsigned char some[JSONW_DEPTH_MAX];        /* a member written */
    size_t  len;                /* in buf */
    char    buf[JSONW_BUF];
};

/* a writer to fp; indent 0..31 spaces per level (JSON_INDENT), 0 on
 * one line; compact as JSON_COMPACT */
void    jsonw_init(struct jsonw *w, FILE *fp, int indent, int compact);

/* start an object (kind '{') or array ('['): the document, a member
 * of an object (key), or an element of an array (key NULL) */
void    jsonw_open(struct jsonw *w, const char *key, int kind);

/* end the innermost object or array; the document's end flushes */
void    jsonw_close(struct jsonw *w);

/* a string member or element; 0, or -1 (nothing written) when s is
 * not valid UTF-8 */
int     jsonw_str(struct jsonw *w, const char *key, const char *s);

/* an integer member or element */
void    jsonw_int(struct jsonw *w, const char *key, long long v);

/* hand what is buffered to the stream; 0, or -1 when fwrite fails */
int     jsonw_flush(struct jsonw *w);

/* 1 when s[len] is valid UTF-8 (as jansson's utf8_check_string) */
int     jsonw_utf8_ok(const char *s, size_t len);

#endif
