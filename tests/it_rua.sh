#!/bin/sh
# tests/it_rua.sh - "mailtlsrpt run" online: each report goes to the rua
# its domain publishes in DNS, the safety rules hold for it, and our own
# report mail is not counted in the next report
#
# Real servers on 127.0.0.1 only: nsd and unbound (testdata/dns/
# servers.sh) serve the zone rpt.test written here, whose TLSRPT records
# name the HTTPS sink (https://127.0.0.1:PORT/...) and a mailto: address;
# the SMTP sink is the relay. A TLSRPT record pointing at a loopback
# address must be refused unless --allow-private-targets (anyone can
# publish such a record), the mailto: one is delivered, a domain without
# a record gets no report.
set -u
. testdata/deliver/lib.sh
need_tools
. testdata/dns/servers.sh
trap 'dns_stop; finish' EXIT

mkca "$T/ca" || { bad "test CA"; echo "$pass passed, $fail failed"; exit 1; }
CA=$T/ca/ca.pem
start https_sink.py "$T/h" "$T/ca/srv.pem" "$T/ca/srv.key"; HP=$port
start smtp_sink.py "$T/m" "$T/ca/srv.pem" "$T/ca/srv.key" starttls; MP=$port
[ -n "$HP" ] && [ -n "$MP" ] && ok || bad "sinks started"

mkdir -p "$T/dns"
cat >"$T/dns/rpt.test.zone" <<EOF
\$ORIGIN rpt.test.
@            300 IN SOA ns.t.test. admin.t.test. 1 3600 600 86400 60
@            300 IN NS  ns.t.test.
_smtp._tls.a 300 IN TXT "v=TLSRPTv1; rua=https://127.0.0.1:$HP/a,mailto:tlsrpt@a.rpt.test"
_smtp._tls.b 300 IN TXT "v=TLSRPTv1; rua=https://127.0.0.1:$HP/b"
EOF
DNS_EXTRA_ZONES="rpt.test rpt.test.zone"
export MAILTLSRPT_DNS_TIMEOUT_MS=1000
if ! dns_start "$T/dns"; then
    bad "DNS servers"; echo "$pass passed, $fail failed"; exit 1
fi

# yesterday's log: one session to each of a, b, c.rpt.test, and a
# delivery of our own report mail to a.rpt.test (not to be counted)
Y=$(date -u -d yesterday +%Y-%m-%d)
est="TLS connection established to"
cipher="TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"
{
    n=10
    for d in a b c; do
        n=$((n + 1))
        echo "${Y}T10:00:$n+00:00 mail postfix/qmgr[99]: 4B1C2D3E$n: from=<alice@example.net>, size=100, nrcpt=1 (queue active)"
        echo "${Y}T10:00:$n+00:00 mail postfix/smtp[$n]: Verified $est mx.$d.rpt.test[192.0.2.$n]:25: $cipher"
        echo "${Y}T10:00:$n+00:00 mail postfix/smtp[$n]: 4B1C2D3E$n: to=<u@$d.rpt.test>, relay=mx.$d.rpt.test[192.0.2.$n]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)"
    done
    echo "${Y}T10:00:20+00:00 mail postfix/qmgr[99]: 4B1C2D3E20: from=<reports@example.net>, size=2000, nrcpt=1 (queue active)"
    echo "${Y}T10:00:21+00:00 mail postfix/smtp[20]: Verified $est mx.a.rpt.test[192.0.2.11]:25: $cipher"
    echo "${Y}T10:00:22+00:00 mail postfix/smtp[20]: 4B1C2D3E20: to=<tlsrpt@a.rpt.test>, relay=mx.a.rpt.test[192.0.2.11]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)"
} >"$T/log"

ST=$T/st
UA=https://127.0.0.1:$HP/a
UB=https://127.0.0.1:$HP/b
M=mailto:tlsrpt@a.rpt.test
"$BIN" run --config "$CONF" --resolver "$RESOLVER" --state-dir "$ST" \
    --out "$T/out" --ca-file "$CA" --smtp-relay "smtp://127.0.0.1:$MP" \
    --mail-from reports@example.net --timeout 2 "$T/log" 2>"$T/err"
check "run exits 1 (refused destinations pending)" [ $? -eq 1 ]
grep -q '1 own report mail' "$T/err" && ok \
    || bad "own report mail not counted: $(grep 'lines read' "$T/err")"
RA=$(ls "$T/out"/*'!a.rpt.test!'* 2>/dev/null)
RB=$(ls "$T/out"/*'!b.rpt.test!'* 2>/dev/null)
check "reports for a and b" [ -n "$RA" ] && [ -n "$RB" ]
check "no report for c (no TLSRPT record)" \
    [ -z "$(ls "$T/out"/*'!c.rpt.test!'* 2>/dev/null)" ]
check "three jobs, from DNS" [ "$("$BIN" spool --config "$CONF" \
    --state-dir "$ST" | grep -c '^[a-z]*	[0-9]')" -eq 3 ]
for u in "$UA" "$UB"; do
    r=$RA
    [ "$u" = "$UB" ] && r=$RB
    check "$u pending" [ "$(state "$ST" "$r" "$u")" = pending ]
    outcome "$ST" "$r" "$u" | grep -q 'refused: 127.0.0.1 is a loopback' \
        && ok || bad "$u refusal: $(outcome "$ST" "$r" "$u")"
done
check "nothing posted to a loopback rua" [ "$(accepted "$T/h")" -eq 0 ]
check "mailto rua delivered" [ "$(state "$ST" "$RA" "$M")" = done ]
check "one message" [ "$(accepted "$T/m")" -eq 1 ]
"$PY" "$TD/mime_check.py" "$T/m/msg.1" "$RA" a.rpt.test example.net \
    tlsrpt@a.rpt.test && ok || bad "mail to the published address"
gzip -dc "$RA" | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
s = r["policies"][0]["summary"]
assert s["total-successful-session-count"] == 1, s
assert r["policies"][0]["policy"]["policy-domain"] == "a.rpt.test", r
' && ok || bad "report of a counts one session, not our report mail"

# allowed for a test: the pending jobs go out, each once
"$BIN" send --config "$CONF" --state-dir "$ST" --ca-file "$CA" \
    --allow-private-targets --now --timeout 2 -q 2>/dev/null
check "send exits 0" [ $? -eq 0 ]
check "a posted once" [ "$(accepted "$T/h" /a)" -eq 1 ]
check "b posted once" [ "$(accepted "$T/h" /b)" -eq 1 ]
check "posted body is the report" [ "$(awk -F '\t' '$2 == "/a" { print $4 }' \
    "$T/h/log")" = "$(sha256sum <"$RA" | cut -d' ' -f1)" ]
# a second run the same day: nothing new made or sent
"$BIN" run --config "$CONF" --resolver "$RESOLVER" --state-dir "$ST" \
    --out "$T/out" --ca-file "$CA" --smtp-relay "smtp://127.0.0.1:$MP" \
    --mail-from reports@example.net --timeout 2 "$T/log" 2>"$T/err"
check "second run exits 0" [ $? -eq 0 ]
check "second run: no new mail" [ "$(accepted "$T/m")" -eq 1 ]
check "second run: no new POST" [ "$(accepted "$T/h")" -eq 2 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
