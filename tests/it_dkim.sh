#!/bin/sh
# tests/it_dkim.sh - report mail signed in process verifies with two
# independent DKIM verifiers (RFC 8460 section 3, issue acceptance 5)
#
# Keys made here with openssl: RSA 2048 (rsa-sha256) and Ed25519
# (ed25519-sha256, RFC 8463). Each report goes through the SMTP sink on
# 127.0.0.1 (the bytes a receiver gets) and through a sendmail -t
# stand-in. The stored messages are checked by
#   - dkimpy (Debian python3-dkim, Ed25519 through python3-nacl) with
#     testdata/deliver/dkim_verify.py, the key record given from a file;
#   - libopendkim's opendkim-testmsg (Debian opendkim-tools), which looks
#     the key up in DNS: it runs in a network and mount namespace of its
#     own (unshare) where nsd serves a test zone with both key records on
#     127.0.0.1:53 and /etc/resolv.conf names it; nothing outside sees
#     either. Skipped (said so, not failed) when namespaces are refused.
# Negative checks: a changed header, a changed body, a record with
# another key each fail with both verifiers, so the test can fail.
set -u
. testdata/deliver/lib.sh
need_tools

mkca "$T/ca" || { bad "test CA"; echo "$pass passed, $fail failed"; exit 1; }
CA=$T/ca/ca.pem
start smtp_sink.py "$T/m" "$T/ca/srv.pem" "$T/ca/srv.key" starttls; MP=$port
check "smtp sink started" [ -n "$MP" ]
"$PY" -c 'import dkim, nacl' 2>/dev/null
check "dkimpy with nacl (python3-dkim python3-nacl)" [ $? -eq 0 ]

# keys and their published records (p= of Ed25519 is the raw 32 bytes)
K=$T/k
mkdir -p "$K"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$K/rsa.pem" 2>/dev/null &&
openssl genpkey -algorithm ED25519 -out "$K/ed.pem" 2>/dev/null &&
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
    -out "$K/other.pem" 2>/dev/null
check "keys made" [ -s "$K/rsa.pem" ] && [ -s "$K/ed.pem" ]
p=$(openssl pkey -in "$K/rsa.pem" -pubout -outform DER | base64 -w0)
echo "v=DKIM1; k=rsa; p=$p" >"$K/rsa.txt"
p=$(openssl pkey -in "$K/ed.pem" -pubout -outform DER | tail -c 32 |
    base64 -w0)
echo "v=DKIM1; k=ed25519; p=$p" >"$K/ed.txt"
p=$(openssl pkey -in "$K/other.pem" -pubout -outform DER | base64 -w0)
echo "v=DKIM1; k=rsa; p=$p" >"$K/other.txt"

# sign N SEL KEY REPORT-DOMAIN [sendmail] - signed report mail $T/msg.N
sign() {
    n=$1
    shift
    r=$(mkreport "$T/r$n" "$3")
    if [ "${4:-}" = sendmail ]; then
        MAILTLSRPT_SENDMAIL=$T/sendmail "$BIN" send --config "$CONF" \
            --state-dir "$T/st" --mail-from reports@mail.example.net \
            --rua mailto:tlsrpt@rcpt.example --dkim-key "$K/$2.pem" \
            --dkim-selector "$1" --dkim-domain example.net -q "$r" \
            2>"$T/err.$n" || return 1
        sed 's/$/\r/' "$T/sm.msg" >"$T/msg.$n"      # as an MTA stores it
    else
        before=$(accepted "$T/m")
        "$BIN" send --config "$CONF" --ca-file "$CA" --state-dir "$T/st" \
            --smtp-relay "smtp://127.0.0.1:$MP" --mail-from \
            reports@example.net --rua mailto:tlsrpt@rcpt.example \
            --dkim-key "$K/$2.pem" --dkim-selector "$1" \
            --dkim-domain example.net -q "$r" 2>"$T/err.$n" || return 1
        [ "$(accepted "$T/m")" -eq $((before + 1)) ] || return 1
        cp "$T/m/msg.$((before + 1))" "$T/msg.$n"
    fi
}
cat >"$T/sendmail" <<EOF
#!/bin/sh
cat >"$T/sm.msg"
EOF
chmod +x "$T/sendmail"

long=$(printf 'l%.0s' $(seq 60)).sub.domain.with-many-labels.example
sign 1 rsa1 rsa rsa.example || bad "RSA mail sent"
sign 2 ed1 ed ed.example || bad "Ed25519 mail sent"
sign 3 ed1 ed local.example sendmail || bad "sendmail mail sent"
sign 4 rsa1 rsa "$long" || bad "long-domain mail sent"
MR=$T/msg.1 ME=$T/msg.2 MS=$T/msg.3 MX=$T/msg.4
for m in "$MR" "$ME" "$MS" "$MX"; do
    [ -s "$m" ] || bad "message $m stored"
done
grep -q 'without DKIM' "$T"/err.* && bad "signed mail warned as unsigned" \
    || ok
check "rsa-sha256 signature" grep -q '^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=rsa1;' "$MR"
check "ed25519-sha256 signature" grep -q '^DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.net; s=ed1;' "$ME"
"$PY" "$TD/mime_check.py" "$MR" "$T/r1/"*.gz rsa.example example.net \
    tlsrpt@rcpt.example && ok || bad "signed mail still an RFC 8460 mail"

# tampered copies: a signed header changed, the body changed
tamper() {
    sed 's/^TLS-Report-Domain: .*/&x/' "$1" >"$1.hdr"
    awk '/^Content-Transfer-Encoding: base64/ { b = 1 }
        b && /^[A-Za-z0-9+\/]+=*\r$/ && !done { sub(/^./, "A" == substr($0, 1, 1) ? "B" : "A"); done = 1 }
        { print }' "$1" >"$1.body"
    cmp -s "$1" "$1.hdr" && bad "header tampering changed nothing"
    cmp -s "$1" "$1.body" && bad "body tampering changed nothing"
}
for m in "$MR" "$ME" "$MX"; do tamper "$m"; done

# 1. dkimpy
dkpy() { "$PY" "$TD/dkim_verify.py" "$1" "$K/$2.txt" >"$T/dkpy.out" 2>&1; }
check "dkimpy: RSA verifies" dkpy "$MR" rsa
check "dkimpy: Ed25519 verifies" dkpy "$ME" ed
check "dkimpy: sendmail -t mail verifies" dkpy "$MS" ed
check "dkimpy: long folded subject verifies" dkpy "$MX" rsa
for m in "$MR" "$MX"; do
    dkpy "$m.hdr" rsa && bad "dkimpy: changed header verified ($m)" || ok
    dkpy "$m.body" rsa && bad "dkimpy: changed body verified ($m)" || ok
done
dkpy "$ME.hdr" ed && bad "dkimpy: changed header verified (Ed25519)" || ok
dkpy "$ME.body" ed && bad "dkimpy: changed body verified (Ed25519)" || ok
dkpy "$MR" other && bad "dkimpy: verified with another key" || ok
dkpy "$ME" rsa && bad "dkimpy: Ed25519 verified with an RSA key" || ok

# 2. opendkim-testmsg in its own namespaces, key records in DNS (nsd)
# zone_txt NAME FILE - a TXT record, in strings of at most 200 bytes
zone_txt() {
    printf '%s 300 IN TXT (' "$1"
    fold -w 200 "$2" | sed 's/.*/ "&"/' | tr -d '\n'
    printf ' )\n'
}
Z=$T/ns
mkdir -p "$Z"
{
    printf 'example.net. 300 IN SOA ns.example.net. admin.example.net. 1 3600 600 86400 60\n'
    printf 'example.net. 300 IN NS ns.example.net.\n'
    printf 'ns.example.net. 300 IN A 127.0.0.1\n'
    zone_txt rsa1._domainkey.example.net. "$K/rsa.txt"
    zone_txt ed1._domainkey.example.net. "$K/ed.txt"
} >"$Z/example.net.zone"
cat >"$Z/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1
    port: 53
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$Z"
    pidfile: "$Z/nsd.pid"
    logfile: "$Z/nsd.log"
    xfrdfile: "$Z/xfrd.state"
    xfrdir: "$Z"
    zonelistfile: "$Z/zone.list"
    database: ""
    server-count: 1
    verbosity: 1
remote-control:
    control-enable: no
zone:
    name: "example.net"
    zonefile: "example.net.zone"
EOF
echo "nameserver 127.0.0.1" >"$Z/resolv.conf"
list="$MR $ME $MS $MX $MR.hdr $MR.body $ME.hdr $ME.body $MX.hdr $MX.body"
cat >"$Z/inside.sh" <<'EOF'
# runs in the new namespaces: loopback up, resolv.conf ours, nsd, verify
Z=$1
shift
ip link set lo up || exit 1
mount --bind "$Z/resolv.conf" /etc/resolv.conf || exit 1
nsd -d -c "$Z/nsd.conf" >"$Z/nsd.out" 2>&1 &
nsd=$!
i=0
until drill -Q TXT rsa1._domainkey.example.net @127.0.0.1 >/dev/null 2>&1
do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "nsd does not answer"; kill $nsd; exit 1; }
    sleep 0.1
done
for m in "$@"; do
    opendkim-testmsg <"$m" >"$m.odk" 2>&1
    echo "$? $m"
done
kill $nsd
wait $nsd 2>/dev/null
exit 0
EOF
if ! command -v opendkim-testmsg >/dev/null 2>&1 || ! command -v nsd \
    >/dev/null 2>&1; then
    bad "opendkim-testmsg and nsd (sh scripts/deps.sh test)"
elif ! unshare -nm true 2>/dev/null; then
    echo "skip: opendkim-testmsg (no network/mount namespaces here)"
else
    # shellcheck disable=SC2086
    unshare -nm sh "$Z/inside.sh" "$Z" $list >"$Z/results" 2>&1
    check "namespace run" [ $? -eq 0 ]
    odk() { [ "$(awk -v m="$1" '$2 == m { print $1 }' "$Z/results")" = "$2" ]; }
    check "opendkim: RSA verifies" odk "$MR" 0
    check "opendkim: Ed25519 verifies" odk "$ME" 0
    check "opendkim: sendmail -t mail verifies" odk "$MS" 0
    check "opendkim: long folded subject verifies" odk "$MX" 0
    for m in "$MR.hdr" "$MR.body" "$ME.hdr" "$ME.body" "$MX.hdr" \
        "$MX.body"; do
        r=$(awk -v m="$m" '$2 == m { print $1 }' "$Z/results")
        [ -n "$r" ] && [ "$r" != 0 ] && ok \
            || bad "opendkim: $(basename "$m") verified (status [$r])"
    done
    [ "$fail" -eq 0 ] || { cat "$Z/results"; cat "$MR.odk" "$ME.odk"; }
    [ -n "${DKIM_DEBUG:-}" ] && cat "$Z/results"
fi

# 3. d= must be the From domain or a parent of it
r=$(mkreport "$T/rz" z.example)
"$BIN" send --config "$CONF" --state-dir "$T/st" --mail-from \
    reports@example.net --rua mailto:tlsrpt@rcpt.example --dkim-key \
    "$K/rsa.pem" --dkim-selector rsa1 --dkim-domain other.example -q \
    "$r" 2>"$T/err"
check "foreign d= refused (exit 3)" [ $? -eq 3 ]
grep -q 'neither the domain of the sender' "$T/err" && ok \
    || bad "foreign d= reason: $(cat "$T/err")"
"$BIN" send --config "$CONF" --state-dir "$T/st" --mail-from \
    reports@example.net --rua mailto:tlsrpt@rcpt.example --dkim-key \
    "$K/rsa.pem" --dkim-selector rsa1 -q "$r" 2>"$T/err"
check "DKIM without a domain is a usage error" [ $? -eq 2 ]
openssl genpkey -algorithm ED25519 -aes256 -pass pass:x \
    -out "$K/enc.pem" 2>/dev/null
"$BIN" send --config "$CONF" --state-dir "$T/st" --mail-from \
    reports@example.net --rua mailto:tlsrpt@rcpt.example --dkim-key \
    "$K/enc.pem" --dkim-selector rsa1 --dkim-domain example.net -q \
    "$r" 2>"$T/err"
check "encrypted key refused" [ $? -eq 3 ]
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:512 \
    -out "$K/weak.pem" 2>/dev/null
"$BIN" send --config "$CONF" --state-dir "$T/st" --mail-from \
    reports@example.net --rua mailto:tlsrpt@rcpt.example --dkim-key \
    "$K/weak.pem" --dkim-selector rsa1 --dkim-domain example.net -q \
    "$r" 2>"$T/err"
check "RSA key under 1024 bits refused" [ $? -eq 3 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
