#!/bin/sh
# scripts/demo.sh - the whole pipeline on the sample log, reports in out/
#
# Called by "make demo" after the dependencies are installed and the
# program is built. Reads testdata/demo/maillog (one day of a Postfix
# host; see testdata/demo/SOURCE), prints the per-domain summary, writes
# one RFC 8460 report per domain into out/, and checks each with the
# receiver-side checker. VALGRIND, when set, is put before each run of
# the program (make valgrind: memcheck, every leak an error).
set -eu
BIN=${BIN:-./mailtlsrpt}
VALGRIND=${VALGRIND:-}
CONF=testdata/demo/mailtlsrpt.conf
LOG=testdata/demo/maillog
OUT=${OUT:-out}

echo "== mailtlsrpt summary $LOG"
$VALGRIND "$BIN" summary --config "$CONF" --log-tz UTC --log-year 2024 "$LOG"
echo
echo "== mailtlsrpt report --offline --day 2024-11-23 --out $OUT $LOG"
rm -rf "$OUT"
mkdir -p "$OUT"
$VALGRIND "$BIN" report --offline --config "$CONF" --log-tz UTC --log-year 2024 \
    --day 2024-11-23 --out "$OUT" "$LOG"
echo
ls -1 "$OUT"
echo
first=$(ls "$OUT"/*notls.example*.json.gz | head -n 1)
echo "== $first, decompressed:"
gzip -dc "$first"
echo
if [ -x build/tests/tool_rcvcheck ]; then
    echo
    echo "== receiver-side check of every report"
    build/tests/tool_rcvcheck "$OUT"/*.json.gz && echo "all reports pass"
fi
