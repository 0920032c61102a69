#!/bin/sh
# tests/it_corpus.sh - every line of the real-log corpus is understood
#
# testdata/corpus/postfix.log holds real Postfix lines (provenance in
# testdata/corpus/SOURCES.md); postfix.labels.tsv says what each line
# means. "mailtlsrpt sessions --trace" labels every line; for each
# labelled line this test asserts that our label matches: exactly for
# lines with a verdict (success, success-unauth, failure:TYPE, cond:TYPE,
# plaintext); for the rest (detail, context, irrelevant, and our bad:*),
# that we too see no verdict. postfix.exceptions.tsv lists, with reasons,
# the lines where we deliberately differ; an exception that no longer
# differs is a failure too, so the list stays honest.
set -u
BUILD=${BUILD:-build}
BIN=${MAILTLSRPT:-$BUILD/mailtlsrpt}
dir=testdata/corpus
pass=0
fail=0
trace=$(mktemp)
trap 'rm -f "$trace"' EXIT

for log in "$dir"/*.log; do
    base=$(basename "$log" .log)
    labels="$dir/$base.labels.tsv"
    exc="$dir/$base.exceptions.tsv"
    [ -f "$labels" ] || continue
    "$BIN" sessions --trace --config /dev/null --log-tz UTC --log-year 2024 \
        "$log" 2>/dev/null | grep -F "$log:" | sed "s|^$log:||" >"$trace"
    res=$(awk -F'\t' -v f="$base.log" -v excfile="$exc" '
        function cls(x) {
            return (x ~ /^(detail|context|irrelevant|duplicate|bad:.*)$/) ? "none" : x
        }
        BEGIN {
            while ((getline l < excfile) > 0)
                if (l !~ /^#/) { split(l, a, "\t"); exc[a[1]] = a[2] }
        }
        FNR == NR { if ($1 == f) lab[$2] = $4; next }
        ($1 in lab) {
            n++
            if ($1 in exc) {
                if ($2 == exc[$1] && cls($2) != cls(lab[$1])) ok++
                else { bad++; print "FAIL line " $1 ": exception no longer holds (ours " $2 ", label " lab[$1] ")" > "/dev/stderr" }
            } else if (cls($2) == cls(lab[$1])) ok++
            else { bad++; print "FAIL line " $1 ": ours " $2 ", label " lab[$1] > "/dev/stderr" }
            seen[$1] = 1
        }
        END {
            for (k in lab) if (!(k in seen)) { bad++; print "FAIL line " k ": no trace" > "/dev/stderr" }
            print ok + 0, bad + 0
        }' "$labels" "$trace")
    p=${res% *}
    f=${res#* }
    echo "$log: $p lines agree, $f disagree"
    pass=$((pass + p))
    fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
