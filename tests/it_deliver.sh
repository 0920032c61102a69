#!/bin/sh
# tests/it_deliver.sh - delivery end to end against real servers on
# 127.0.0.1: an HTTPS server (Python http.server + ssl, certificate from a
# test CA made here with openssl) and SMTP servers (Debian's aiosmtpd:
# STARTTLS, AUTH, implicit TLS), plus a sendmail stand-in. Checks what
# the servers stored, the faults (500, 503, hang, close, redirects, a long
# answer, bad certificate, SMTP 451/554/550, login denied), retries,
# backoff, expiry, the private-address rule, injection refusals, size
# caps, listing, run.
set -u
. testdata/deliver/lib.sh
need_tools

mkca "$T/ca" || { bad "test CA"; echo "$pass passed, $fail failed"; exit 1; }
CA=$T/ca/ca.pem
start https_sink.py "$T/h" "$T/ca/srv.pem" "$T/ca/srv.key"; HP=$port
start https_sink.py "$T/self" "$T/ca/self.pem" "$T/ca/self.key"; SP=$port
start smtp_sink.py "$T/m" "$T/ca/srv.pem" "$T/ca/srv.key" starttls; MP=$port
start smtp_sink.py "$T/a" "$T/ca/srv.pem" "$T/ca/srv.key" auth; AP=$port
start smtp_sink.py "$T/s" "$T/ca/srv.pem" "$T/ca/srv.key" smtps; TP=$port
[ -n "$HP" ] && [ -n "$SP" ] && [ -n "$MP" ] && [ -n "$AP" ] && [ -n "$TP" ] \
    && ok || bad "servers started"
U=https://127.0.0.1:$HP
# seconds per attempt: raised by make asan/tsan (slower builds)
TO=${TEST_NET_TIMEOUT:-2}
snd() { "$BIN" send --config "$CONF" --ca-file "$CA" --timeout "$TO" -q "$@"; }

# 1. https://127.0.0.1/... refused by default; nothing reaches the server
ST=$T/st1
R1=$(mkreport "$T/r" one.example)
snd --state-dir "$ST" --rua "$U/one" "$R1" 2>"$T/err"
check "refused send exits 1" [ $? -eq 1 ]
check "refused job stays pending" [ "$(state "$ST" "$R1" "$U/one")" = pending ]
outcome "$ST" "$R1" "$U/one" | grep -q 'refused: 127.0.0.1 is a loopback' \
    && ok || bad "refusal reason: $(outcome "$ST" "$R1" "$U/one")"
check "nothing posted" [ "$(accepted "$T/h")" -eq 0 ]
snd --state-dir "$ST" --rua "https://localhost:$HP/one" "$R1" 2>/dev/null
outcome "$ST" "$R1" "https://localhost:$HP/one" | \
    grep -Eq 'localhost has address (127.0.0.1|::1), a loopback' \
    && ok || bad "name resolving to loopback refused"

# 2. --allow-private-targets: delivered, body is the report, type gzip
snd --state-dir "$ST" --allow-private-targets --now 2>"$T/err"
check "send exits 0 when all delivered" [ $? -eq 0 ]
check "job done" [ "$(state "$ST" "$R1" "$U/one")" = done ]
check "localhost job done" \
    [ "$(state "$ST" "$R1" "https://localhost:$HP/one")" = done ]
check "one POST per destination" [ "$(accepted "$T/h" /one)" -eq 2 ]
sha=$(sha256sum <"$R1" | cut -d' ' -f1)
check "posted body is the report file" \
    [ "$(awk -F '\t' '$2 == "/one" { print $4 }' "$T/h/log" | sort -u)" = "$sha" ]
check "Content-Type application/tlsrpt+gzip" \
    [ "$(awk -F '\t' '$2 == "/one" { print $3 }' "$T/h/log" | sort -u)" \
      = "application/tlsrpt+gzip" ]
gzip -dc "$T/h/body.1" | grep -q '"report-id":"[0-9]*.mail01.one.example@' \
    && ok || bad "posted body gunzips to the report"
outcome "$ST" "$R1" "$U/one" | grep -q '^HTTP 200: accepted body' && ok \
    || bad "status and excerpt recorded: $(outcome "$ST" "$R1" "$U/one")"
# uncompressed report: application/tlsrpt+json
R1J=$T/rj/$(basename "$R1" .gz)
mkdir -p "$T/rj" && gzip -dc "$R1" >"$R1J"
snd --state-dir "$ST" --allow-private-targets --rua "$U/json" "$R1J" 2>/dev/null
check "json report type" [ "$(awk -F '\t' '$2 == "/json" { print $3 }' \
    "$T/h/log")" = "application/tlsrpt+json" ]

# 3. the same (report, destination) again: nothing new, nothing re-sent
snd --state-dir "$ST" --allow-private-targets --now --rua "$U/one" "$R1" \
    2>/dev/null
check "no duplicate after re-enqueue" [ "$(accepted "$T/h" /one)" -eq 2 ]

# 4. faults: each leaves the job pending with its reason; healed, sent once
ST=$T/st2
R2=$(mkreport "$T/r" fault.example)
for m in 500 503 hang close redirect 301 long; do
    echo "$m" >"$T/h/mode"
    t0=$(date +%s)
    snd --state-dir "$ST" --allow-private-targets --now --rua "$U/fault" \
        "$R2" 2>/dev/null
    rc=$?
    t1=$(date +%s)
    o=$(outcome "$ST" "$R2" "$U/fault")
    check "$m: exit 1" [ $rc -eq 1 ]
    check "$m: pending" [ "$(state "$ST" "$R2" "$U/fault")" = pending ]
    case $m in
    500) echo "$o" | grep -q '^HTTP 500: server busy try later$' ;;
    503) echo "$o" | grep -q '^HTTP 503' ;;
    hang) echo "$o" | grep -qi 'timed out' && [ $((t1 - t0)) -lt $((TO * 5)) ] ;;
    close) echo "$o" | grep -qiE 'empty reply|recv|send|closed|reset' ;;
    redirect) echo "$o" | \
        grep -q 'HTTP 302 redirect to https://elsewhere.invalid/x not foll' ;;
    301) echo "$o" | grep -q '^HTTP 301 redirect to .*/moved not followed' ;;
    long) echo "$o" | grep -q '^HTTP 500: xxxx' && [ ${#o} -le 200 ] ;;
    esac && ok || bad "$m: reason \"$o\""
done
check "nothing accepted while failing" [ "$(accepted "$T/h" /fault)" -eq 0 ]
echo ok >"$T/h/mode"
# not due yet (backoff): a plain send does not try it
snd --state-dir "$ST" --allow-private-targets 2>/dev/null
check "backoff: not retried before due" [ "$(accepted "$T/h" /fault)" -eq 0 ]
"$BIN" spool --config "$CONF" --state-dir "$ST" | grep -q "^pending	7	next" \
    && ok || bad "attempts counted"
snd --state-dir "$ST" --allow-private-targets --now 2>/dev/null
check "healed: delivered" [ "$(state "$ST" "$R2" "$U/fault")" = done ]
check "healed: exactly one copy" [ "$(accepted "$T/h" /fault)" -eq 1 ]
# invalid certificate (self-signed), and verification without --ca-file
"$BIN" send --config "$CONF" --state-dir "$ST" --timeout "$TO" -q \
    --allow-private-targets --rua "https://127.0.0.1:$SP/x" "$R2" 2>/dev/null
outcome "$ST" "$R2" "https://127.0.0.1:$SP/x" | grep -qi 'certificate' \
    && ok || bad "self-signed refused: $(outcome "$ST" "$R2" \
    "https://127.0.0.1:$SP/x")"
check "self-signed: nothing stored" [ "$(accepted "$T/self")" -eq 0 ]
"$BIN" send --config "$CONF" --state-dir "$ST" --timeout "$TO" -q \
    --allow-private-targets --rua "$U/noca" "$R2" 2>/dev/null
outcome "$ST" "$R2" "$U/noca" | grep -qi 'certificate' && ok \
    || bad "unknown CA refused: $(outcome "$ST" "$R2" "$U/noca")"
snd --state-dir "$ST" --allow-private-targets --now 2>/dev/null
check "with the CA: delivered" [ "$(state "$ST" "$R2" "$U/noca")" = done ]
# delivered when one destination took it; the other is still tried
"$BIN" spool --config "$CONF" --state-dir "$ST" >"$T/list"
grep -q '^reports: 1, delivered 1, not yet 0, given up 0$' "$T/list" \
    && ok || bad "report counted as delivered: $(tail -2 "$T/list")"
check "other destination still pending" \
    [ "$(state "$ST" "$R2" "https://127.0.0.1:$SP/x")" = pending ]
# expiry: --retry-for 0 gives up at the next failure
snd --state-dir "$ST" --allow-private-targets --now --retry-for 0 2>/dev/null
check "expired job failed" \
    [ "$(state "$ST" "$R2" "https://127.0.0.1:$SP/x")" = failed ]
outcome "$ST" "$R2" "https://127.0.0.1:$SP/x" | grep -q '^expired after 3 a' \
    && ok || bad "expiry reason"
"$BIN" spool --config "$CONF" --state-dir "$ST" --json | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
s = sorted(j["state"] for j in d["jobs"])
assert s == ["done", "done", "failed"], s
assert d["reports"] == {"total": 1, "delivered": 1, "failed": 0}, d
' && ok || bad "spool --json"

# 5. mail through an SMTP relay (STARTTLS offered and used)
ST=$T/st3
R3=$(mkreport "$T/r" mail.example)
M=mailto:tlsrpt@rcpt.example
snd --state-dir "$ST" --smtp-relay "smtp://127.0.0.1:$MP" \
    --mail-from reports@example.net --rua "$M" "$R3" 2>"$T/err"
check "smtp: exit 0" [ $? -eq 0 ]
check "smtp: done" [ "$(state "$ST" "$R3" "$M")" = done ]
check "smtp: one message" [ "$(accepted "$T/m")" -eq 1 ]
check "smtp: envelope and STARTTLS" [ "$(cut -f2,3,5 "$T/m/log")" = \
    "$(printf 'reports@example.net\ttlsrpt@rcpt.example\ttls')" ]
"$PY" "$TD/mime_check.py" "$T/m/msg.1" "$R3" mail.example example.net \
    tlsrpt@rcpt.example && ok || bad "MIME structure, headers, subject"
outcome "$ST" "$R3" "$M" | grep -q 'accepted: 250 2.0.0 stored as msg.1' \
    && ok || bad "smtp reply recorded: $(outcome "$ST" "$R3" "$M")"
grep -q 'without DKIM' "$T/err" && ok || bad "unsigned mail warned about"
# faults: 451, 554 at DATA, 550 at RCPT; then healed, one message
R4=$(mkreport "$T/r" mfault.example)
for m in 451 554 rcpt550; do
    echo "$m" >"$T/m/mode"
    snd --state-dir "$ST" --smtp-relay "smtp://127.0.0.1:$MP" --now \
        --mail-from reports@example.net --rua "$M" "$R4" 2>/dev/null
    check "smtp $m: exit 1" [ $? -eq 1 ]
    check "smtp $m: pending" [ "$(state "$ST" "$R4" "$M")" = pending ]
    want=${m#rcpt}
    outcome "$ST" "$R4" "$M" | grep -q "$want" && ok \
        || bad "smtp $m reason: $(outcome "$ST" "$R4" "$M")"
done
echo ok >"$T/m/mode"
snd --state-dir "$ST" --smtp-relay "smtp://127.0.0.1:$MP" --now \
    --mail-from reports@example.net 2>/dev/null
check "smtp healed: done" [ "$(state "$ST" "$R4" "$M")" = done ]
check "smtp healed: one message" [ "$(accepted "$T/m")" -eq 2 ]
# AUTH over STARTTLS; a wrong password is a failure, never logged
R5=$(mkreport "$T/r" auth.example)
snd --state-dir "$ST" --smtp-relay "smtp://rpt:wrong@127.0.0.1:$AP" \
    --mail-from reports@example.net --rua "$M" "$R5" 2>"$T/err"
check "auth wrong: pending" [ "$(state "$ST" "$R5" "$M")" = pending ]
outcome "$ST" "$R5" "$M" | grep -qi 'login denied' && ok \
    || bad "auth reason: $(outcome "$ST" "$R5" "$M")"
grep -rq wrong "$ST/spool" "$T/err" && bad "password in spool or log" || ok
snd --state-dir "$ST" --smtp-relay "smtp://rpt:secret@127.0.0.1:$AP" \
    --now --mail-from reports@example.net 2>/dev/null
check "auth: done" [ "$(state "$ST" "$R5" "$M")" = done ]
check "auth: message over TLS" [ "$(cut -f5 "$T/a/log")" = tls ]
# implicit TLS
R6=$(mkreport "$T/r" smtps.example)
snd --state-dir "$ST" --smtp-relay "smtps://127.0.0.1:$TP" \
    --mail-from reports@example.net --rua "$M" "$R6" 2>/dev/null
check "smtps: done" [ "$(state "$ST" "$R6" "$M")" = done ]
"$PY" "$TD/mime_check.py" "$T/s/msg.1" "$R6" smtps.example example.net \
    tlsrpt@rcpt.example && ok || bad "smtps message"

# 6. the local sendmail -t (a stand-in that keeps what it gets)
cat >"$T/sendmail" <<EOF
#!/bin/sh
echo "\$*" >"$T/sm.args"
cat >"$T/sm.msg"
exit \$(cat "$T/sm.rc" 2>/dev/null || echo 0)
EOF
chmod +x "$T/sendmail"
R7=$(mkreport "$T/r" local.example)
echo 75 >"$T/sm.rc"
MAILTLSRPT_SENDMAIL=$T/sendmail snd --state-dir "$ST" \
    --mail-from reports@example.net --rua "$M" "$R7" 2>/dev/null
outcome "$ST" "$R7" "$M" | grep -q 'exit status 75' && ok \
    || bad "sendmail failure: $(outcome "$ST" "$R7" "$M")"
echo 0 >"$T/sm.rc"
MAILTLSRPT_SENDMAIL=$T/sendmail snd --state-dir "$ST" --now \
    --mail-from reports@example.net 2>/dev/null
check "sendmail: done" [ "$(state "$ST" "$R7" "$M")" = done ]
check "sendmail -t -oi -f" [ "$(cat "$T/sm.args")" = \
    "-t -oi -f reports@example.net" ]
check "sendmail gets LF lines" [ "$(tr -cd '\r' <"$T/sm.msg" | wc -c)" -eq 0 ]
sed 's/$/\r/' "$T/sm.msg" >"$T/sm.crlf"
"$PY" "$TD/mime_check.py" "$T/sm.crlf" "$R7" local.example example.net \
    tlsrpt@rcpt.example && ok || bad "sendmail message"

# 7. safety: header injection, odd URIs, sizes
ST=$T/st4
R8=$(mkreport "$T/r" inject.example)
snd --state-dir "$ST" --rua 'mailto:a@b.example%0D%0ABcc:x@evil.example' \
    --rua 'mailto:a@b.example,"x"@c.example' --rua 'https://u:p@h.example/' \
    --rua 'http://h.example/' --rua 'https://h.example/a b' "$R8" \
    2>"$T/err"
check "5 destinations refused" [ "$(grep -c 'refused' "$T/err")" -eq 5 ]
check "no job made" [ "$(find "$ST/spool/pending" -type f | wc -l)" -eq 0 ]
"$BIN" send --config "$CONF" --state-dir "$ST" -q \
    --mail-from "$(printf 'a@b.example\r\nBcc: x@evil.example')" 2>/dev/null
check "--mail-from with CRLF is a usage error" [ $? -eq 2 ]
snd --state-dir "$ST" --rua "$(printf 'mailto:a@b.example\r\nBcc: x@e.example')" \
    --rua "$(printf 'mailto:a@b.example\nX: y')" "$R8" 2>"$T/err"
check "raw CR/LF in a mailto rua refused" [ "$(grep -c 'refused' "$T/err")" -eq 2 ]
check "no job for them" [ "$(find "$ST/spool/pending" -type f | wc -l)" -eq 0 ]
big=$T/r/example.net!big.example!0!86399!mail01.json.gz
head -c 10485761 /dev/zero >"$big"
snd --state-dir "$ST" --rua "$U/big" "$big" 2>"$T/err"
grep -q 'report larger than 10485760 bytes' "$T/err" && ok || bad "size cap"
printf 'x' | gzip -n >"$T/r/x.json.gz"
snd --state-dir "$ST" --rua "$U/x" "$T/r/x.json.gz" 2>"$T/err"
grep -q 'not an RFC 8460 report file name' "$T/err" && ok || bad "bad name"
old=$(mkreport "$T/r" old.example 2001-01-01)
snd --state-dir "$ST" --rua "$U/x" "$old" 2>"$T/err"
grep -q 'more than 30 days ago' "$T/err" && ok || bad "old report refused"
snd --state-dir "$ST" "$R8" 2>/dev/null
check "REPORT without --rua is a usage error" [ $? -eq 2 ]

# 8. run: report (once per day) + send, from a log of yesterday
ST=$T/st5
Y=$(date -u -d yesterday +%Y-%m-%d)
sed "s/^Nov 23 \([0-9:]*\) /${Y}T\1+00:00 /" testdata/demo/maillog >"$T/log"
n0=$(accepted "$T/h" /run)
"$BIN" run --offline --config "$CONF" --state-dir "$ST" --out "$T/out" \
    --ca-file "$CA" --allow-private-targets --rua "$U/run" --max-delay 1 \
    -q "$T/log" 2>"$T/err"
check "run exits 0" [ $? -eq 0 ]
nrep=$(ls "$T/out" | wc -l)
check "run wrote 8 reports" [ "$nrep" -eq 8 ]
check "run delivered each once" [ $(($(accepted "$T/h" /run) - n0)) -eq 8 ]
"$BIN" run --offline --config "$CONF" --state-dir "$ST" --out "$T/out" \
    --ca-file "$CA" --allow-private-targets --rua "$U/run" "$T/log" 2>"$T/err"
check "second run exits 0" [ $? -eq 0 ]
grep -q 'made already; sending only' "$T/err" && ok || bad "run once a day"
check "second run sent nothing" [ $(($(accepted "$T/h" /run) - n0)) -eq 8 ]
"$BIN" spool --config "$CONF" --state-dir "$ST" | grep -q \
    '^reports: 8, delivered 8, not yet 0, given up 0$' && ok \
    || bad "run: spool shows 8 delivered"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
