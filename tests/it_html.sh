#!/bin/sh
# tests/it_html.sh - the HTML summary renders in a real browser
#
# Writes the summary page for a seven-day log, loads it in headless
# Chromium (Debian's chromium, installed by scripts/deps.sh test) and
# reads the rendered DOM: one table row per domain with the counts of
# "summary --json", and one chart bar per (day, failure type) with a
# count. Chromium is the real component users open the page with.
set -u
. tests/lib.sh
LOG=testdata/html/week.log
PY=/usr/bin/python3
ARGS="--config /dev/null --log-tz UTC --log-year 2024 -q"

# shellcheck disable=SC2086
"$BIN" summary $ARGS --html --top 0 -o "$tmp/s.html" "$LOG" && ok \
    || bad "summary --html"
# shellcheck disable=SC2086
"$BIN" summary $ARGS --json "$LOG" >"$tmp/s.json" || bad "summary --json"
# shellcheck disable=SC2086
"$BIN" summary $ARGS --top 0 "$LOG" >"$tmp/s.txt" || bad "summary"
# the text form: two header lines, the column heads, a row per domain,
# the totals
domains=$(($(wc -l <"$tmp/s.txt") - 4))
# days with counted failures, from the per-session listing
# shellcheck disable=SC2086
want_days=$("$BIN" sessions $ARGS "$LOG" | grep -v '^#day' | awk -F'\t' \
    '$7 == "counted" && $3 != "success" {print $1}' | sort -u | wc -l)
failures=$("$PY" -c 'import json, sys
print(sum(d["failed"] for d in json.load(open(sys.argv[1]))["domains"]))' \
    "$tmp/s.json")

if ! command -v chromium >/dev/null 2>&1; then
    bad "chromium not installed (scripts/deps.sh test installs it)"
else
    timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync \
        --user-data-dir="$tmp/profile" --dump-dom "file://$tmp/s.html" \
        >"$tmp/dom.html" 2>"$tmp/chromium.err"
    [ -s "$tmp/dom.html" ] && ok || { bad "no DOM from chromium"; tail -5 "$tmp/chromium.err"; }
    rows=$(grep -o '<tr class="domain">' "$tmp/dom.html" | wc -l)
    [ "$rows" -eq "$domains" ] && [ "$rows" -gt 5 ] && ok \
        || bad "table rows $rows, domains $domains"
    bars=$(grep -o '<rect class="bar"' "$tmp/dom.html" | wc -l)
    [ "$bars" -gt 0 ] && ok || bad "no chart bars"
    days=$(grep -o 'data-day="[0-9-]*"' "$tmp/dom.html" | sort -u | wc -l)
    [ "$days" -eq "$want_days" ] && [ "$days" -gt 1 ] && ok \
        || bad "chart days $days, expected $want_days"
    sum=$(grep -o 'data-count="[0-9]*"' "$tmp/dom.html" | tr -dc '0-9\n' \
        | awk '{s += $1} END {print s}')
    [ "$sum" = "$failures" ] && ok || bad "chart sum $sum, failures $failures"
    grep -q '<svg id="chart"' "$tmp/dom.html" && ok || bad "no chart"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
