#!/bin/sh
# tests/it_dns.sh - TLSRPT discovery and DANE lookups against real DNS
# servers (issue 7, acceptance 1)
#
# nsd serves testdata/dns/t.test.zone and the signed dane.test zone;
# unbound validates (trust anchor: the DS of dane.test) and is the
# resolver mailtlsrpt asks (--resolver 127.0.0.1:PORT). Both run on
# loopback ports picked free, started and stopped here
# (testdata/dns/servers.sh). Every case of acceptance 1 is looked up
# with "check-domain --json" and its documented fields are checked.
set -u
. tests/lib.sh
. testdata/dns/servers.sh
AT_EXIT='dns_stop'

if ! dns_start "$tmp/dns"; then
    echo "0 passed, 1 failed"
    exit 1
fi
export MAILTLSRPT_DNS_TIMEOUT_MS=500
out=$tmp/all.json
domains="valid.t.test multistring.t.test two.t.test v2.t.test v1v2.t.test
ext.t.test baduri.t.test allbad.t.test syntax.t.test pct.t.test cname.t.test
nodata.t.test other.t.test nx.t.test x.servfail.test x.slow.test dane.test
bogus.dane.test unusable.dane.test insecure.t.test"
start=$(date +%s)
# shellcheck disable=SC2086
"$BIN" check-domain --json --resolver "$RESOLVER" $domains >"$out" 2>"$tmp/err"
rc=$?
end=$(date +%s)
eq "exit status with problems" "$rc" 1
eq "one line per domain" "$(wc -l <"$out")" 20
eq "output order = argument order" "$(head -1 "$out" | cut -c1-25)" \
    '{"domain":"valid.t.test",'
# the slow domain costs ~3 lookups x 2 tries x 0.5 s; the rest run beside it
[ $((end - start)) -le 8 ] && ok || bad "took $((end - start)) s"

# 1. one valid record
expect valid.t.test 'd["tlsrpt"]["status"]' ok
expect valid.t.test 'd["tlsrpt"]["rua"]' '["mailto:tlsrpt@valid.t.test"]'
expect valid.t.test 'd["tlsrpt"]["error"]' null
# 2. several strings joined with nothing between them
expect multistring.t.test 'd["tlsrpt"]["rua"]' '["mailto:tlsrpt@multistring.t.test", "https://rpt.multistring.t.test/v1/tlsrpt"]'
# 3. two TLSRPT records: none applies
expect two.t.test 'd["tlsrpt"]["status"]' multiple-records
expect two.t.test 'd["tlsrpt"]["rua"]' '[]'
expect two.t.test '"2 records" in d["tlsrpt"]["error"]' true
# 4. another version
expect v2.t.test 'd["tlsrpt"]["status"]' no-record
expect v1v2.t.test 'd["tlsrpt"]["rua"]' '["mailto:old@v1v2.t.test"]'
# 5. extension fields and odd spacing (tabs, spaces around ; and ,)
expect ext.t.test 'd["tlsrpt"]["rua"]' '["mailto:a@ext.t.test", "https://r.ext.t.test:8443/x?y=1"]'
expect ext.t.test 'd["tlsrpt"]["warnings"]' '[]'
# 6. bad URIs: dropped with a warning each; none usable: no TLSRPT
expect baduri.t.test 'd["tlsrpt"]["rua"]' '["mailto:ok@baduri.t.test"]'
expect baduri.t.test 'len(d["tlsrpt"]["warnings"])' 3
expect baduri.t.test '"ftp" in d["tlsrpt"]["warnings"][0]' true
expect allbad.t.test 'd["tlsrpt"]["status"]' no-rua
expect syntax.t.test 'd["tlsrpt"]["status"]' invalid
expect pct.t.test 'd["tlsrpt"]["rua"]' '["mailto:a@pct.t.test", "mailto:b@pct.t.test"]'
# 7. a CNAME is followed
expect cname.t.test 'd["tlsrpt"]["rua"]' '["mailto:via-cname@t.test"]'
# 8. NXDOMAIN, NODATA, SERVFAIL and timeout are told apart
expect nx.t.test 'd["tlsrpt"]["status"]' nxdomain
expect nodata.t.test 'd["tlsrpt"]["status"]' nodata
expect other.t.test 'd["tlsrpt"]["status"]' no-record
expect x.servfail.test 'd["tlsrpt"]["status"]' servfail
expect x.slow.test 'd["tlsrpt"]["status"]' timeout
expect nx.t.test 'd["tlsrpt"]["error"].startswith("nxdomain")' true
# 9. DNSSEC: a secure TLSA RRset (sorted, upper-case hex), a secure denial,
#    a bogus RRset, only unusable records, and TLSA in an unsigned zone
expect dane.test '[m["host"] for m in d["mx"]]' '["mx.dane.test", "nodane.dane.test"]'
expect dane.test 'd["mx"][0]["tlsa"]["status"]' secure
expect dane.test 'd["mx"][0]["address_dnssec"]' true
expect dane.test 'd["mx"][0]["tlsa"]["records"]' '["2 0 1 E8B54E0B4BAA815B06D3462D65FBC7C0CF556ECCF9F5303EBFBB77D022F834C0", "3 1 1 8CB0FC6C527506A053F4F14C8464BEBBD6DEDE2738D11468DD953D7D6A3021F1"]'
expect dane.test 'd["mx"][0]["tlsa"]["usable"]' true
expect dane.test 'd["mx"][1]["tlsa"]["status"]+"/"+d["mx"][1]["tlsa"]["dns"]' none/nxdomain
expect bogus.dane.test 'd["mx"][0]["tlsa"]["status"]' bogus
expect bogus.dane.test 'd["mx"][0]["tlsa"]["dns"]' bogus
expect unusable.dane.test 'd["mx"][0]["tlsa"]["status"]+"/"+str(d["mx"][0]["tlsa"]["usable"])' secure/False
expect insecure.t.test 'd["mx"][0]["tlsa"]["status"]+"/"+str(d["mx"][0]["address_dnssec"])' none/False
expect insecure.t.test 'd["mx"][0]["tlsa"]["dns"]' null
judge "$out"

# 10. text output, exit status 0, domains from standard input
printf 'valid.t.test\nDANE.test.\n' | "$BIN" check-domain --resolver "$RESOLVER" - \
    >"$tmp/text" 2>&1
eq "stdin exit" "$?" 0
grep -q '^  TLSRPT   v=TLSRPTv1; rua=mailto:tlsrpt@valid.t.test$' "$tmp/text" \
    && ok || bad "text: TLSRPT line"
grep -q '^dane.test$' "$tmp/text" && ok || bad "text: domain canonical"
grep -q 'TLSA 3 1 1 8CB0FC' "$tmp/text" && ok || bad "text: TLSA record"
"$BIN" check-domain --resolver "$RESOLVER" nx.t.test >"$tmp/text" 2>&1
eq "nx exit" "$?" 1
grep -q 'no report can be sent: nxdomain' "$tmp/text" && ok \
    || bad "text: nxdomain explained"

# 11. usage errors; a resolver that never answers is a timeout
"$BIN" check-domain --resolver "$RESOLVER" 'bad_domain!' >/dev/null 2>&1
eq "bad domain exit" "$?" 2
"$BIN" check-domain --resolver 'not-an-address' valid.t.test >/dev/null 2>&1
eq "bad resolver exit" "$?" 2
"$BIN" check-domain --json --resolver "127.0.0.1:$SILENT_PORT" valid.t.test \
    >"$tmp/silent" 2>&1
expect valid.t.test 'd["tlsrpt"]["status"]' timeout
judge "$tmp/silent"

# 12. no query left the machine: nsd saw the queries unbound forwarded
#     (every name of the run is under a zone nsd serves or the empty root)
grep -qi 'error' "$tmp/err" && bad "stderr: $(head -3 "$tmp/err")" || ok
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
