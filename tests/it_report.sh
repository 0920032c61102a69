#!/bin/sh
# tests/it_report.sh - reports end to end: golden files, receiver checks,
# day selection, options and exit codes
set -u
. tests/lib.sh
CHECK=$BUILD/tests/tool_rcvcheck
CONF=testdata/demo/mailtlsrpt.conf
LOG=testdata/demo/maillog

run() { "$BIN" "$@" --config "$CONF" --log-tz UTC --log-year 2024 -q; }

# 1. golden: plain JSON reports are byte-identical to testdata/golden/demo
run report --offline --no-gzip --all-days --out "$tmp/plain" "$LOG"
[ $? -eq 0 ] && ok || bad "report exit status"
if diff -r testdata/golden/demo "$tmp/plain" >"$tmp/diff"; then ok
else bad "reports differ from golden files"; head -20 "$tmp/diff"; fi

# 2. gzip output decompresses to exactly the same bytes, names end .json.gz
run report --offline --all-days --out "$tmp/gz" "$LOG"
n=0
for f in testdata/golden/demo/*.json; do
    g="$tmp/gz/$(basename "$f").gz"
    n=$((n + 1))
    if [ -f "$g" ] && gzip -dc "$g" | cmp -s - "$f"; then ok
    else bad "gzip report $g does not match $f"; fi
done
[ "$n" -eq 8 ] && ok || bad "expected 8 golden reports, found $n"

# 3. every report passes the receiver-side check (union of 7 receivers)
if "$CHECK" "$tmp"/gz/*.json.gz "$tmp"/plain/*.json >"$tmp/chk" 2>&1; then ok
else bad "receiver check"; cat "$tmp/chk"; fi

# 4. the counts in the JSON are those of the log
f="$tmp/plain/example.net!notls.example!1732320000!1732406399!mail01.json"
grep -q '"total-failure-session-count":11' "$f" && ok || bad "notls count"
grep -q '"sending-mta-ip":"192.0.2.1"' "$f" && ok || bad "sending-mta-ip"
f="$tmp/plain/example.net!gmail.com!1732320000!1732406399!mail01.json"
grep -q '"total-successful-session-count":24,"total-failure-session-count":0' \
    "$f" && ok || bad "gmail counts"
grep -q 'failure-details' "$f" && bad "empty failure-details written" || ok

# 5. --day selects one day; a day without sessions writes nothing
run report --offline --day 2024-11-23 --out "$tmp/day" "$LOG"
[ "$(ls "$tmp/day" | wc -l)" -eq 8 ] && ok || bad "--day 2024-11-23"
run report --offline --day 2024-11-22 --out "$tmp/none" "$LOG"
[ $? -eq 0 ] && [ -z "$(ls "$tmp/none")" ] && ok || bad "--day without sessions"
# default day is yesterday (UTC): the 2024 log has nothing for it
run report --offline --out "$tmp/yday" "$LOG"
[ -z "$(ls "$tmp/yday")" ] && ok || bad "default day"

# 6. the same report built again keeps its bytes and report-id
run report --offline --no-gzip --all-days --out "$tmp/plain2" "$LOG"
diff -r "$tmp/plain" "$tmp/plain2" >/dev/null && ok || bad "rebuild differs"

# 7. stdin works like a file
run report --offline --no-gzip --all-days --out "$tmp/stdin" - <"$LOG"
diff -r testdata/golden/demo "$tmp/stdin" >/dev/null && ok || bad "stdin"

# 8. exit codes: 2 usage, 1 input lost, 3 fatal configuration error
"$BIN" report --bogus >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "usage exit"
"$BIN" report --day 2024-13-01 --offline >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "bad --day exit"
"$BIN" nosuchcommand >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "command exit"
run report --offline --all-days --out "$tmp/miss" "$tmp/does-not-exist" \
    2>/dev/null
[ $? -eq 1 ] && ok || bad "missing log exit"
printf 'contact_info = not an address\n' >"$tmp/bad.conf"
"$BIN" report --offline --config "$tmp/bad.conf" "$LOG" >/dev/null 2>"$tmp/err"
[ $? -eq 3 ] && grep -q 'bad.conf:1: contact_info' "$tmp/err" && ok \
    || bad "bad config exit/message"
"$BIN" --version | grep -q '^mailtlsrpt [0-9]' && ok || bad "--version"
"$BIN" --help | grep -q 'report' && ok || bad "--help"

# 9. summary line on stderr, silent with -q
"$BIN" summary --config "$CONF" --log-tz UTC --log-year 2024 "$LOG" \
    >"$tmp/sum" 2>"$tmp/err"
grep -q '301 lines read (0 bad), 60 sessions (60 counted' "$tmp/err" && ok \
    || bad "summary line"
grep -q '^notls.example  *11  *0  *11  starttls-not-supported=11$' "$tmp/sum" \
    && ok || bad "summary table"
"$BIN" summary --json --config "$CONF" --log-tz UTC --log-year 2024 "$LOG" \
    2>/dev/null | grep -q '"starttls-not-supported": 11' && ok || bad "json"

# 10. a report never replaces an input: a log named like a report in the
# output folder is left alone (warned, exit 1), the other reports are
# written; an input named elsewhere, with a hard link in the folder
# under a report's name, is unchanged (the link is replaced, not the
# file)
mkdir "$tmp/g" "$tmp/g2" "$tmp/g3"
run report --offline --no-gzip --all-days --out "$tmp/g" "$LOG" 2>/dev/null
n=$(ls "$tmp/g" | head -1)
cp "$LOG" "$tmp/g2/$n"
run report --offline --no-gzip --all-days --out "$tmp/g2" "$tmp/g2/$n" \
    2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "report over its input: exit 1"
cmp -s "$LOG" "$tmp/g2/$n" && ok || bad "report over its input: replaced"
grep -q "not written: it is $tmp/g2/$n, an input" "$tmp/err" && ok ||
    bad "report over its input: message: $(cat "$tmp/err")"
[ "$(ls "$tmp/g2" | wc -l)" -eq "$(ls "$tmp/g" | wc -l)" ] && ok ||
    bad "report over its input: the other reports"
cp "$LOG" "$tmp/in.log"
ln "$tmp/in.log" "$tmp/g3/$n"
run report --offline --no-gzip --all-days --out "$tmp/g3" "$tmp/in.log" \
    2>/dev/null
cmp -s "$LOG" "$tmp/in.log" && ok || bad "hard link of an input: input changed"
cmp -s "$tmp/g/$n" "$tmp/g3/$n" && ok || bad "hard link: report not written"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
