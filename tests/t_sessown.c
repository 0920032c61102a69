/* tests/t_sessown.c - unit tests for the "no loops" tracker (sess_own)
 *
 * Which envelope senders are ours, per log host and queue id; forgetting
 * on request and after SESS_OWN_SECS of log time; at most SESS_OWN_MAX
 * ids. The correlators' use of it is in testdata/{postfix,exim,
 * sendmail}/syn-own (tests/cases.sh).
 */
#include "../parsers/parser.h"
#include "../parsers/sess_own.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#define S(x) span_make((x), strlen(x))

int
main(void)
{
    struct sess_conf conf;
    struct sess_own *o;
    char    qid[32];
    int     i, all;

    memset(&conf, 0, sizeof(conf));
    T_CHECK(sess_own_create(&conf) == NULL, "no mail_from: no tracker");
    T_CHECK(!sess_own_sender(NULL, S("a@b")), "NULL tracker: nothing ours");
    sess_own_note(NULL, S("h"), S("Q1"), 1);    /* harmless */
    T_CHECK(!sess_own_has(NULL, S("h"), S("Q1")), "NULL tracker: no ids");

    conf.own_from = "tlsrpt@example.net";
    o = sess_own_create(&conf);
    T_CHECK(o != NULL, "tracker made");
    T_CHECK(sess_own_sender(o, S("tlsrpt@example.net")), "plain address");
    T_CHECK(sess_own_sender(o, S("<TLSRPT@Example.Net>")), "<...>, case");
    T_CHECK(!sess_own_sender(o, S("tlsrpt@example.net.evil")), "longer");
    T_CHECK(!sess_own_sender(o, S("xtlsrpt@example.net")), "prefixed");
    T_CHECK(!sess_own_sender(o, S("<tlsrpt@example.net")), "half bracket");
    T_CHECK(!sess_own_sender(o, S("<>")), "null sender");
    T_CHECK(!sess_own_sender(o, S("")), "empty");

    {
        /* sess_own_sender_word() as span_word() and sess_own_sender(),
         * on words of every length about own_from's, of its bytes and
         * others, with and without "<>", spaces and the end anywhere */
        static const char alpha[] = "tlsrpt@example.netTLSRPT<> x.";
        char    line[64];
        unsigned long r = 7;
        int     k, agree = 1, ours = 0;

        for (k = 0; k < 200000; k++) {
            struct span w1, w2, s1, s2;
            size_t  len, j;
            int     a, b;

            r = r * 6364136223846793005UL + 1442695040888963407UL;
            len = (r >> 33) % 3 == 0 ? (r >> 20) % 40 : 16 + (r >> 20) % 6;
            if ((r >> 40) % 2) {
                const char *w = (r >> 41) % 2 ? "<tlsrpt@example.net> y"
                    : "tlsrpt@example.net y";

                memset(line, ' ', sizeof(line));
                memcpy(line, w, strlen(w));
            } else {
                for (j = 0; j < sizeof(line); j++)
                    line[j] = alpha[(r >> (j % 50)) % (sizeof(alpha) - 1)];
            }
            if ((r >> 45) % 3 == 0)             /* a byte changed */
                line[(r >> 50) % 22] = alpha[(r >> 55) % (sizeof(alpha) - 1)];
            s1 = s2 = span_make(line, len);
            a = span_word(&s1, &w1, 320) == 0 && sess_own_sender(o, w1);
            b = sess_own_sender_word(o, s2, &w2);
            agree &= a == b && (!a || (w1.ptr == w2.ptr && w1.len == w2.len));
            ours += a;
        }
        T_CHECK(agree && ours > 1000,
                "the first word ours, as span_word() and sess_own_sender()"
                " (%d ours)", ours);
        T_CHECK(!sess_own_sender_word(NULL, S("a@b"), NULL),
                "NULL tracker: no first word ours");
    }

    sess_own_note(o, S("mx1"), S("Q1"), 1000);
    T_CHECK(sess_own_has(o, S("mx1"), S("Q1")), "noted id");
    T_CHECK(!sess_own_has(o, S("mx2"), S("Q1")), "per log host");
    T_CHECK(!sess_own_has(o, S("mx1"), S("Q2")), "other id");
    T_CHECK(!sess_own_has(o, S("mx1"), S("")), "empty id");
    sess_own_note(o, S("mx1"), S(""), 1000);
    T_CHECK(!sess_own_has(o, S("mx1"), S("")), "empty id not noted");
    sess_own_forget(o, S("mx1"), S("Q1"));
    T_CHECK(!sess_own_has(o, S("mx1"), S("Q1")), "forgotten");

    /* expiry in log time: noted again refreshes it */
    sess_own_note(o, S("mx1"), S("Q3"), 1000);
    sess_own_note(o, S("mx1"), S("Q4"), 1000);
    sess_own_note(o, S("mx1"), S("Q4"), 1000 + SESS_OWN_SECS);
    sess_own_note(o, S("mx1"), S("Q5"), 1001 + SESS_OWN_SECS);
    T_CHECK(!sess_own_has(o, S("mx1"), S("Q3")), "expired");
    T_CHECK(sess_own_has(o, S("mx1"), S("Q4")), "refreshed");

    /* bounded: the table never holds more than SESS_OWN_MAX ids */
    for (i = 0; i < SESS_OWN_MAX + 100; i++) {
        snprintf(qid, sizeof(qid), "B%06d", i);
        sess_own_note(o, S("mx9"), S(qid), 2000 + SESS_OWN_SECS);
    }
    snprintf(qid, sizeof(qid), "B%06d", SESS_OWN_MAX + 99);
    T_CHECK(!sess_own_has(o, S("mx9"), S(qid)), "full: new id not noted");
    T_CHECK(sess_own_has(o, S("mx9"), S("B000000")), "full: old ids kept");
    /* later in log time the old ones expire and make room */
    sess_own_note(o, S("mx9"), S("LATE"), 3000 + 2 * SESS_OWN_SECS);
    T_CHECK(sess_own_has(o, S("mx9"), S("LATE")), "room after expiry");
    for (all = 1, i = 0; i < 10; i++) {
        snprintf(qid, sizeof(qid), "B%06d", i);
        all &= !sess_own_has(o, S("mx9"), S(qid));
    }
    T_CHECK(all, "expired ids gone");
    o = sess_own_free(o);
    T_CHECK(o == NULL, "free returns NULL");
    return T_DONE();
}
