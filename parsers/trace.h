/* parsers/trace.h - what one input line meant
 *
 * Every parser says of each line it is offered what it meant (struct
 * trace): for "sessions --trace", for counting bad lines, and for the
 * corpus tests, whose testdata/corpus/labels.tsv speaks this
 * vocabulary.
 * Thread safety: plain data; trace_format() is pure.
 */
#ifndef PARSERS_TRACE_H
#define PARSERS_TRACE_H

enum trace_kind {
    TRACE_IRRELEVANT = 0,       /* not about outbound TLS */
    TRACE_DETAIL,               /* TLS detail, no verdict */
    TRACE_CONTEXT,              /* ties a session to domain/relay/queue */
    TRACE_PLAINTEXT,            /* a session without TLS */
    TRACE_SUCCESS,              /* TLS, server authenticated */
    TRACE_SUCCESS_UNAUTH,       /* TLS, server not authenticated */
    TRACE_FAILURE,              /* failure of type result */
    TRACE_COND,                 /* failure of type result if required */
    TRACE_BAD,                  /* broken line, counted and skipped */
    TRACE_DUPLICATE,            /* the line before it again: skipped */
};

struct trace {
    enum trace_kind kind;
    int     result;             /* enum sess_result: TRACE_FAILURE,
                                 * TRACE_COND */
    const char *bad;            /* TRACE_BAD: why */
};

/* "failure:certificate-expired" etc. into buf[cap] */
void    trace_format(const struct trace *t, char *buf, unsigned long cap);

#endif
