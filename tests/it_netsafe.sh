#!/bin/sh
# tests/it_netsafe.sh - hostile destinations against real servers on
# 127.0.0.1: curl must connect only to addresses that were checked
#
# nsd and unbound (testdata/dns/servers.sh) serve rpt.test, where
# rua.rpt.test has the address 127.0.0.1; the HTTPS sink has a test-CA
# certificate for that name. An https rua written "RUA.rpt.test." (upper
# case, trailing dot) is checked as rua.rpt.test and must be posted to
# the address our resolver gave, not looked up again by the system (which
# does not know rpt.test): the pin is for the canonical name. Loopback in
# disguise (IPv4-mapped IPv6, NAT64 prefix, numeric forms) is refused
# without --allow-private-targets. check-domain refuses an over-long
# input line whole.
set -u
. testdata/deliver/lib.sh
need_tools
. testdata/dns/servers.sh
trap 'dns_stop; finish' EXIT

mkca "$T/ca" || { bad "test CA"; echo "$pass passed, $fail failed"; exit 1; }
CA=$T/ca/ca.pem
d=$T/ca
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$d/rua.key" -out "$d/rua.csr" -subj "/CN=rua.rpt.test" \
    2>/dev/null &&
printf '%s\n' "subjectAltName=DNS:rua.rpt.test,IP:127.0.0.1" \
    "basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth" >"$d/rua.ext" &&
openssl x509 -req -in "$d/rua.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
    -CAcreateserial -out "$d/rua.pem" -days 2 -extfile "$d/rua.ext" \
    2>/dev/null || bad "certificate for rua.rpt.test"
start https_sink.py "$T/h" "$d/rua.pem" "$d/rua.key"; HP=$port
[ -n "$HP" ] && ok || bad "sink started"

mkdir -p "$T/dns"
cat >"$T/dns/rpt.test.zone" <<EOF
\$ORIGIN rpt.test.
@            300 IN SOA ns.t.test. admin.t.test. 1 3600 600 86400 60
@            300 IN NS  ns.t.test.
rua          300 IN A   127.0.0.1
EOF
DNS_EXTRA_ZONES="rpt.test rpt.test.zone"
export MAILTLSRPT_DNS_TIMEOUT_MS=1000
if ! dns_start "$T/dns"; then
    bad "DNS servers"; echo "$pass passed, $fail failed"; exit 1
fi
snd() {
    "$BIN" send --config "$CONF" --ca-file "$CA" --resolver "$RESOLVER" \
        --timeout 3 -q "$@"
}
R=$(mkreport "$T/r" one.example)

# 1. the name from DNS resolves to loopback: refused before any connect
ST=$T/st1
U=https://rua.rpt.test:$HP/plain
snd --state-dir "$ST" --rua "$U" "$R" 2>/dev/null
outcome "$ST" "$R" "$U" | grep -q 'rua.rpt.test has address 127.0.0.1, a loopback' \
    && ok || bad "loopback by name refused: $(outcome "$ST" "$R" "$U")"
check "nothing posted" [ "$(accepted "$T/h")" -eq 0 ]

# 2. upper case and a trailing dot: posted to the checked address
ST=$T/st2
U=https://RUA.rpt.test.:$HP/dot
snd --state-dir "$ST" --allow-private-targets --rua "$U" "$R" 2>"$T/err"
check "trailing-dot host delivered ($(outcome "$ST" "$R" "$U"))" \
    [ "$(state "$ST" "$R" "$U")" = done ]
check "posted once to the pinned address" [ "$(accepted "$T/h" /dot)" -eq 1 ]

# 3. loopback in disguise, as address literals: refused, nothing posted
ST=$T/st3
for U in "https://[::ffff:127.0.0.1]:$HP/m" "https://[::127.0.0.1]:$HP/c" \
    "https://[64:ff9b::7f00:1]:$HP/n" "https://0x7f.1:$HP/x" \
    "https://2130706433:$HP/i" "https://[::]:$HP/z" "https://0.0.0.0:$HP/z"; do
    snd --state-dir "$ST" --rua "$U" "$R" 2>/dev/null
    outcome "$ST" "$R" "$U" | grep -Eq 'refused: .* is a (loopback|reserved) address' \
        && ok || bad "$U refused: $(outcome "$ST" "$R" "$U")"
done
check "nothing posted by disguised loopback" [ "$(accepted "$T/h")" -eq 1 ]

# 4. user information and header tricks in a destination: refused
ST=$T/st4
for U in "https://a@127.0.0.1:$HP/u" "https://rua.rpt.test:$HP@127.0.0.1/u" \
    "mailto:a@b.example%0d%0aBcc:c@d.example" "mailto:a@b.example%3E" \
    "mailto:a@b.example,c%3E@d.example"; do
    snd --state-dir "$ST" --allow-private-targets --rua "$U" "$R" \
        2>"$T/err4"
    [ "$(state "$ST" "$R" "$U")" != done ] && ok || bad "$U not refused"
done
check "nothing posted by userinfo tricks" [ "$(accepted "$T/h")" -eq 1 ]

# 5. check-domain reading names: an over-long line is refused whole, its
#    tail is not taken for a name of its own
{
    head -c 1023 /dev/zero | tr '\0' 'a'
    printf 'tail.rpt.test\nrua.rpt.test\n'
} | "$BIN" check-domain --resolver "$RESOLVER" - >"$T/cd.out" 2>"$T/cd.err"
grep -q 'line of more than 1022 bytes' "$T/cd.err" && ok \
    || bad "over-long line refused: $(head -c 200 "$T/cd.err")"
grep -q 'tail.rpt.test' "$T/cd.out" "$T/cd.err" \
    && bad "tail of an over-long line checked as a domain" || ok
grep -q 'rua.rpt.test' "$T/cd.out" && ok || bad "next line still checked"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
