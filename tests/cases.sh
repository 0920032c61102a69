#!/bin/sh
# tests/cases.sh - data-driven parser cases: no C code per case
#
# Every directory testdata/<mta>/<case>/ with an input file is one case:
#   input.log      the log (or input.log.gz, ...: any form the reader takes)
#   args           optional extra options for "mailtlsrpt sessions"
#   expect.tsv     the sessions expected, one per line:
#                  day, domain, result, mx, ip, reason, disposition
#                  (the output's "#day..." header line is not compared)
#   expect.err     the run's summary line (lines, bad lines, sessions)
#   SOURCE         where the lines come from
# Every case runs with --log-tz UTC --log-year 2024 --config /dev/null so
# that no machine setting changes the outcome. UPDATE_REF=1 rewrites the
# expected files (make update-ref) -- review the diff before committing.
set -u
BUILD=${BUILD:-build}
BIN=${MAILTLSRPT:-$BUILD/mailtlsrpt}
pass=0
fail=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

for dir in testdata/*/*/; do
    dir=${dir%/}
    input=""
    for f in "$dir"/input.log "$dir"/input.log.*; do
        [ -f "$f" ] && input=$f && break
    done
    [ -n "$input" ] || continue
    extra=""
    [ -f "$dir/args" ] && extra=$(cat "$dir/args")
    # shellcheck disable=SC2086
    "$BIN" sessions --config /dev/null --log-tz UTC --log-year 2024 \
        $extra "$input" >"$out.raw" 2>"$err"
    rc=$?
    sed '1{/^#day	/d}' "$out.raw" >"$out"
    rm -f "$out.raw"
    grep 'lines read' "$err" | sed 's/^mailtlsrpt: //' >"$err.sum"
    if [ "${UPDATE_REF:-}" = 1 ]; then
        cp "$out" "$dir/expect.tsv"
        cp "$err.sum" "$dir/expect.err"
    fi
    if [ "$rc" -gt 1 ]; then
        echo "FAIL $dir: exit $rc"; cat "$err"; fail=$((fail + 1))
    elif ! diff -u "$dir/expect.tsv" "$out" >/dev/null 2>&1; then
        echo "FAIL $dir: sessions differ"; diff -u "$dir/expect.tsv" "$out"
        fail=$((fail + 1))
    elif ! diff -u "$dir/expect.err" "$err.sum" >/dev/null 2>&1; then
        echo "FAIL $dir: summary differs"; diff -u "$dir/expect.err" "$err.sum"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
    rm -f "$err.sum"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
