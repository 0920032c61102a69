#!/bin/sh
# tests/it_progress.sh - the progress line: on a terminal, never in a pipe
#
# script(1) (util-linux) runs the command on a pseudo-terminal, as an
# operator's shell would; the same command with stderr in a pipe, or
# with --quiet on the terminal, must show no progress line.
set -u
. tests/lib.sh
LOG=testdata/demo/maillog
ARGS="summary --config /dev/null --log-tz UTC --log-year 2024"

if ! command -v script >/dev/null 2>&1; then
    bad "script(1) missing (util-linux)"
else
    script -qfec "$BIN $ARGS $LOG >/dev/null" /dev/null >"$tmp/tty" 2>&1 \
        </dev/null
    grep -q 'mailtlsrpt: file 1/1 .*maillog: .* MB, .* MB/s' "$tmp/tty" \
        && ok || { bad "no progress line on a terminal"; cat -v "$tmp/tty"; }
    tr -d '\r' <"$tmp/tty" | grep -q "$(printf '\033')\[K" && ok \
        || bad "progress line not erased"
    script -qfec "$BIN $ARGS -q $LOG >/dev/null" /dev/null >"$tmp/quiet" \
        2>&1 </dev/null
    grep -q 'MB/s' "$tmp/quiet" && bad "progress despite --quiet" || ok
    gzip -c "$LOG" >"$tmp/log.gz"
    script -qfec "$BIN $ARGS $tmp/log.gz >/dev/null" /dev/null >"$tmp/gz" \
        2>&1 </dev/null
    grep -q 'MB/s' "$tmp/gz" && ok || bad "no progress for .gz"
fi
# shellcheck disable=SC2086
"$BIN" $ARGS "$LOG" >/dev/null 2>"$tmp/pipe"
grep -q 'MB/s' "$tmp/pipe" && bad "progress line in a pipe" || ok
grep -q 'lines read' "$tmp/pipe" && ok || bad "summary line missing in a pipe"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
