#!/bin/sh
# tests/it_online.sh - online "report": policies resolved over real DNS
# and HTTPS end up in the reports (issue 7, acceptance 4)
#
# nsd + unbound (testdata/dns/servers.sh) and nginx with a test CA
# (testdata/sts/nginx.sh) on loopback; testdata/dns/online/maillog has
# sessions to MTA-STS domains (enforce, testing, none, and three whose
# policy fails), to DANE domains (secure and bogus TLSA) and to domains
# with and without a TLSRPT record. Every report written must pass the
# receiver-side check (tool_rcvcheck) and carry the policy the domain
# publishes; then the state directory's cache is checked, and a resolver
# that does not answer must not pass for "no TLSRPT record". Last, "send"
# must accept and deliver every report "report" wrote (every policy kind).
set -u
. tests/lib.sh
CHECK=$BUILD/tests/tool_rcvcheck
LOG=testdata/dns/online/maillog
CONF=testdata/dns/online/mailtlsrpt.conf
. testdata/dns/servers.sh
. testdata/sts/nginx.sh
AT_EXIT='sts_stop; dns_stop'
# expect DOMAIN EXPR WANT - queue a check: the Python expression EXPR over
# r, the report (JSON) whose file name names DOMAIN, and p(TYPE[, PD]),
# its policy entry of that type (and policy-domain), must print as WANT
# (json.dumps form except for strings); judge DIR runs the queue
expect() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$tmp/expect"; }
judge() {
    "$PY" -c 'import gzip, json, os, sys
reps = {}
for f in os.listdir(sys.argv[1]):
    with open(os.path.join(sys.argv[1], f), "rb") as fp:
        b = fp.read()
    reps[f.split("!")[1]] = json.loads(gzip.decompress(b)
                                       if b[:2] == b"\x1f\x8b" else b)
for line in open(sys.argv[2]):
    dom, expr, want = line.rstrip("\n").split("\t")
    def p(t, pd=None, r=reps.get(dom)):
        m = [e for e in r["policies"] if e["policy"]["policy-type"] == t
             and (pd is None or e["policy"]["policy-domain"] == pd)]
        return m[0] if len(m) == 1 else "%d %s entries" % (len(m), t)
    try:
        v = eval(expr, {"p": p}, {"r": reps.get(dom)})
        got = v if isinstance(v, str) else json.dumps(v)
    except Exception as e:
        got = "exception %r" % (e,)
    print("ok" if got == want else "FAIL: %s %s: got [%s], want [%s]"
          % (dom, expr, got, want))' "$1" "$tmp/expect" >"$tmp/judged"
    pass=$((pass + $(grep -c '^ok$' "$tmp/judged")))
    fail=$((fail + $(grep -c '^FAIL' "$tmp/judged")))
    grep '^FAIL' "$tmp/judged"
    rm -f "$tmp/expect"
}
# rpt OUT ARGS... - an online report of the test log for 2026-11-23
rpt() {
    o=$1
    shift
    mkdir -p "$o"
    "$BIN" report --config "$CONF" --log-tz UTC --log-year 2026 \
        --day 2026-11-23 --out "$o" --resolver "$RESOLVER" \
        --ca-file "$STS_CA" "$@" "$LOG"
}

if ! dns_start "$tmp/dns" || ! sts_start "$tmp/sts"; then
    echo "0 passed, 1 failed"
    exit 1
fi
export MAILTLSRPT_DNS_TIMEOUT_MS=500
export MAILTLSRPT_HTTP_TIMEOUT_MS=10000
export MAILTLSRPT_HTTPS_PORT=$HTTPS_PORT

# 1. one report per domain with a TLSRPT record; nx.t.test has none
rpt "$tmp/out" --state-dir "$tmp/state" 2>"$tmp/err"
eq "exit status" "$?" 0
grep -q '10 domains (1 without TLSRPT record, skipped), 9 reports written' \
    "$tmp/err" && ok || bad "summary line: $(tail -1 "$tmp/err")"
eq "reports" "$(ls "$tmp/out" | cut -d'!' -f2 | tr '\n' ' ')" \
    "bogus.dane.test dane.test sts-bad.t.test sts-enforce.t.test sts-none.t.test sts-redirect.t.test sts-testing.t.test sts-wrongcert.t.test valid.t.test "
if "$CHECK" "$tmp"/out/* >"$tmp/chk" 2>&1; then ok
else bad "receiver check"; cat "$tmp/chk"; fi

# 2. an STS domain: the policy lines as policy-string, the mx patterns as
#    mx-host; a session to an MX the policy does not list, whose log shows
#    only a name mismatch, is validation-failure; a success whose name
#    was not verified (Trusted) fails as the policy asks
d=sts-enforce.t.test
expect $d 'len(r["policies"])' 1
expect $d 'p("sts")["policy"]["policy-domain"]' $d
expect $d 'p("sts")["policy"]["policy-string"]' '["version: STSv1", "mode: enforce", "mx: mx1.sts-enforce.t.test", "mx: *.mx.sts-enforce.t.test", "max_age: 86400"]'
expect $d 'p("sts")["policy"]["mx-host"]' '["mx1.sts-enforce.t.test", "*.mx.sts-enforce.t.test"]'
expect $d 'p("sts")["summary"]' '{"total-successful-session-count": 3, "total-failure-session-count": 2}'
expect $d '[(f["result-type"], f["receiving-mx-hostname"], f["failure-reason-code"]) for f in p("sts")["failure-details"] if f["receiving-mx-hostname"] == "rogue.t.test"]' '[["validation-failure", "rogue.t.test", "mx-not-in-sts-policy"]]'
expect $d '[(f["result-type"], f["failure-reason-code"]) for f in p("sts")["failure-details"] if f["receiving-mx-hostname"] == "mx1.sts-enforce.t.test"]' '[["certificate-host-mismatch", "certificate-name-not-verified"]]'
d=sts-testing.t.test
expect $d 'p("sts")["policy"]["policy-string"]' '["version: STSv1", "mode: testing", "mx: mx.sts-testing.t.test", "max_age: 3600"]'
expect $d 'p("sts")["policy"]["mx-host"]' '["mx.sts-testing.t.test"]'
expect $d 'p("sts")["summary"]["total-successful-session-count"]' 1
# mode none: no policy applies (RFC 8461 5)
expect sts-none.t.test '[e["policy"]["policy-type"] for e in r["policies"]]' '["no-policy-found"]'

# 3. STS domains whose policy cannot be had: every session is that failure
for c in "sts-redirect sts-policy-fetch-error http-status-301" \
    "sts-wrongcert sts-webpki-invalid hostname-mismatch" \
    "sts-bad sts-policy-invalid policy-syntax"; do
    set -- $c
    expect "$1.t.test" 'p("sts")["summary"]' '{"total-successful-session-count": 0, "total-failure-session-count": 1}'
    expect "$1.t.test" '[(f["result-type"], f["failure-reason-code"]) for f in p("sts")["failure-details"]]' "[[\"$2\", \"$3\"]]"
    expect "$1.t.test" '"policy-string" in p("sts")["policy"]' false
done

# 4. a DANE domain: one tlsa entry per TLSA base domain (the MX host),
#    the TLSA records as policy-string; the MX without TLSA has none
d=dane.test
expect $d 'p("tlsa")["policy"]["policy-domain"]' mx.dane.test
expect $d 'p("tlsa")["policy"]["policy-string"]' '["2 0 1 E8B54E0B4BAA815B06D3462D65FBC7C0CF556ECCF9F5303EBFBB77D022F834C0", "3 1 1 8CB0FC6C527506A053F4F14C8464BEBBD6DEDE2738D11468DD953D7D6A3021F1"]'
expect $d '"mx-host" in p("tlsa")["policy"]' false
expect $d 'p("tlsa")["summary"]' '{"total-successful-session-count": 2, "total-failure-session-count": 1}'
expect $d '[f["result-type"] for f in p("tlsa")["failure-details"]]' '["tlsa-invalid"]'
expect $d 'p("no-policy-found")["summary"]["total-successful-session-count"]' 1
# a bogus TLSA RRset: dnssec-invalid, whatever the log says
expect bogus.dane.test '[(f["result-type"], f["failure-reason-code"]) for f in p("tlsa", "bogus-mx.dane.test")["failure-details"]]' '[["dnssec-invalid", "tlsa-dnssec-bogus"]]'
expect bogus.dane.test '"policy-string" in p("tlsa")["policy"]' false
# TLSRPT but neither policy
expect valid.t.test '[e["policy"]["policy-type"] for e in r["policies"]]' '["no-policy-found"]'
judge "$tmp/out"

# 5. --keep-all also writes the domain without a TLSRPT record
rpt "$tmp/all" --keep-all --state-dir "$tmp/state-all" 2>"$tmp/err"
eq "keep-all exit status" "$?" 0
grep -q '10 domains (1 without TLSRPT record, kept), 10 reports' "$tmp/err" \
    && ok || bad "keep-all summary: $(tail -1 "$tmp/err")"
expect nx.t.test '[e["policy"]["policy-type"] for e in r["policies"]]' '["no-policy-found"]'
judge "$tmp/all"
if "$CHECK" "$tmp"/all/* >"$tmp/chk" 2>&1; then ok
else bad "receiver check (keep-all)"; cat "$tmp/chk"; fi

# 6. the state directory: with the HTTPS server gone, the cached policy
#    still applies (RFC 8461 5.1) and the report is the same
sts_stop
rpt "$tmp/cached" --state-dir "$tmp/state" 2>"$tmp/err"
eq "cached exit status" "$?" 0
f=$(cd "$tmp/out" && ls | grep '!sts-enforce\.t\.test!')
gzip -dc "$tmp/out/$f" >"$tmp/a.json"
gzip -dc "$tmp/cached/$f" >"$tmp/b.json" 2>/dev/null
if [ -s "$tmp/a.json" ] && cmp -s "$tmp/a.json" "$tmp/b.json"; then ok
else bad "report from the cached policy differs"; fi

# 7. a resolver that does not answer: every TLSRPT lookup fails; that is
#    not "no TLSRPT record": counted apart, warned about, exit status 1
MAILTLSRPT_DNS_TIMEOUT_MS=200 rpt "$tmp/dead" --state-dir "$tmp/state-dead" \
    --resolver "127.0.0.1:$SILENT_PORT" 2>"$tmp/err"
eq "dead resolver exit status" "$?" 1
grep -q '10 domains (0 without TLSRPT record, skipped; 10 TLSRPT LOOKUPS FAILED, skipped), 0 reports written' \
    "$tmp/err" && ok || bad "dead resolver summary: $(tail -1 "$tmp/err")"
eq "dead resolver warnings" \
    "$(grep -c 'TLSRPT lookup failed (timeout): no report' "$tmp/err")" 10
eq "dead resolver reports" "$(ls "$tmp/dead" | wc -l)" 0
# with --keep-all the reports are written, and the exit status still says
MAILTLSRPT_DNS_TIMEOUT_MS=200 rpt "$tmp/deadall" --state-dir "$tmp/state-dead" --keep-all \
    --resolver "127.0.0.1:$SILENT_PORT" 2>"$tmp/err"
eq "dead resolver --keep-all exit status" "$?" 1
eq "dead resolver --keep-all reports" "$(ls "$tmp/deadall" | wc -l)" 10

# 8. SERVFAIL for one domain's TLSRPT record, and for another's _mta-sts
#    record (its policy is unknown: the report is written, with a warning)
sed -e 's/sts-none\.t\.test/x.servfail.test/g' \
    -e 's/sts-testing\.t\.test/sts-lookupfail.t.test/g' "$LOG" >"$tmp/sf.log"
mkdir -p "$tmp/sf"
"$BIN" report --config "$CONF" --log-tz UTC --log-year 2026 \
    --day 2026-11-23 --out "$tmp/sf" --resolver "$RESOLVER" \
    --ca-file "$STS_CA" --state-dir "$tmp/state-sf" "$tmp/sf.log" 2>"$tmp/err"
eq "servfail exit status" "$?" 1
grep -q '10 domains (1 without TLSRPT record, skipped; 1 TLSRPT LOOKUPS FAILED, skipped; 1 with a POLICY LOOKUP FAILED), 8 reports written' \
    "$tmp/err" && ok || bad "servfail summary: $(tail -1 "$tmp/err")"
grep -q 'x.servfail.test: TLSRPT lookup failed (servfail)' "$tmp/err" && ok \
    || bad "servfail warning"
grep -q 'sts-lookupfail.t.test: policy lookup failed' "$tmp/err" && ok \
    || bad "policy lookup warning"
ls "$tmp/sf" | grep -q '!sts-lookupfail\.t\.test!' && ok \
    || bad "report of the domain whose policy is unknown"

# 9. what "report" writes, "send" accepts and delivers, for every policy
#    kind: sts (sts-enforce), tlsa only (bogus.dane.test: its policy-domain
#    is the MX host), tlsa and no-policy-found (dane.test), no-policy-found
#    (valid.t.test). An HTTPS sink on 127.0.0.1 with a certificate for that
#    address from the test CA takes the POSTs.
k=$tmp/sink
mkdir -p "$k"
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$k/ext"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$k/srv.key" -subj "/CN=127.0.0.1" -out "$k/srv.csr" 2>/dev/null &&
openssl x509 -req -in "$k/srv.csr" -CA "$STS_DIR/ca.pem" \
    -CAkey "$STS_DIR/ca.key" -CAcreateserial -days 2 -extfile "$k/ext" \
    -out "$k/srv.pem" 2>/dev/null
"$PY" testdata/deliver/https_sink.py "$k" "$k/srv.pem" "$k/srv.key" \
    >"$k/server.log" 2>&1 &
sink=$!
i=0
while [ ! -s "$k/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
n=$(ls "$tmp/out" | wc -l)
"$BIN" send --config "$CONF" --state-dir "$tmp/send" --ca-file "$STS_CA" \
    --allow-private-targets --max-delay 0 --timeout 10 \
    --rua "https://127.0.0.1:$(cat "$k/port")/tlsrpt" "$tmp"/out/* \
    2>"$tmp/err"
eq "send of every report: exit status" "$?" 0
grep -q 'not enqueued' "$tmp/err" && bad "send refused: $(grep 'not enqueued' "$tmp/err")"
eq "send: every report posted" "$(grep -c '^200' "$k/log" 2>/dev/null)" "$n"
for d in sts-enforce.t.test bogus.dane.test dane.test valid.t.test; do
    f=$(ls "$tmp/out" | grep "!$d!")
    h=$(sha256sum <"$tmp/out/$f" | cut -d' ' -f1)
    if grep -q "	$h	" "$k/log"; then ok; else bad "$d: report not delivered"; fi
done
kill "$sink" 2>/dev/null
wait "$sink" 2>/dev/null

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
