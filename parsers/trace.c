/* parsers/trace.c - what one input line meant (see trace.h) */
#include "trace.h"
#include "../global/sess.h"

#include <stdio.h>

/* trace_format - the label of one line, as in labels.tsv */
void
trace_format(const struct trace *t, char *buf, unsigned long cap)
{
    static const char *const names[] = {
        "irrelevant", "detail", "context", "plaintext", "success",
        "success-unauth", "failure", "cond", "bad", "duplicate",
    };

    if (t->kind == TRACE_FAILURE || t->kind == TRACE_COND)
        snprintf(buf, cap, "%s:%s", names[t->kind], sess_result_name(t->result));
    else if (t->kind == TRACE_BAD)
        snprintf(buf, cap, "bad:%s", t->bad ? t->bad : "line");
    else
        snprintf(buf, cap, "%s", names[t->kind]);
}
