#!/bin/sh
# tests/it_sts.sh - MTA-STS policy fetch against a real HTTPS server
# (issue 7, acceptance 2)
#
# nsd + unbound (testdata/dns/servers.sh) serve t.test, where every
# mta-sts.<case>.t.test has the address 127.0.0.1 (one case 127.0.0.2);
# nginx (testdata/sts/nginx.sh) serves the policies on 127.0.0.1 and a
# port picked free, with certificates of a test CA made here. mailtlsrpt
# is told the port with MAILTLSRPT_HTTPS_PORT (a test hook: the URL, SNI
# and Host stay those of port 443) and the CA with --ca-file. No name of
# the test zone resolves through the system's resolver, so a policy that
# arrives at all was fetched from the address our resolver found
# (CURLOPT_RESOLVE). Each case goes through "check-domain --json"; the
# policy or the result type, and the reason, are checked.
set -u
. tests/lib.sh
. testdata/dns/servers.sh
. testdata/sts/nginx.sh
AT_EXIT='sts_stop; dns_stop'

if ! dns_start "$tmp/dns" || ! sts_start "$tmp/sts"; then
    echo "0 passed, 1 failed"
    exit 1
fi
export MAILTLSRPT_DNS_TIMEOUT_MS=500
# short enough for the slow server (its 600 bytes take 30 s), long enough
# for a handshake under the sanitizers
export MAILTLSRPT_HTTP_TIMEOUT_MS=3000
export MAILTLSRPT_HTTPS_PORT=$HTTPS_PORT
out=$tmp/sts.json
domains="sts-enforce sts-testing sts-none sts-wrongcert sts-selfsigned
sts-redirect sts-big sts-bad sts-html sts-slow sts-404 sts-refused sts-nohost
sts-badtxt"
args=""
for c in $domains; do args="$args $c.t.test"; done
start=$(date +%s)
# shellcheck disable=SC2086
"$BIN" check-domain --json --resolver "$RESOLVER" --ca-file "$STS_CA" $args \
    >"$out" 2>"$tmp/err"
rc=$?
end=$(date +%s)
eq "exit status with problems" "$rc" 1
eq "one line per domain" "$(wc -l <"$out")" 14
# the slow server costs one HTTP timeout; every other case runs beside it
[ $((end - start)) -le 8 ] && ok || bad "took $((end - start)) s"

# 1. valid policies: enforce (LF), testing (CRLF), none
expect sts-enforce.t.test 'd["sts"]["status"]' ok
expect sts-enforce.t.test 'd["sts"]["mode"]' enforce
expect sts-enforce.t.test 'd["sts"]["id"]' enforce1
expect sts-enforce.t.test 'd["sts"]["mx"]' '["mx1.sts-enforce.t.test", "*.mx.sts-enforce.t.test"]'
expect sts-enforce.t.test 'd["sts"]["max_age"]' 86400
expect sts-enforce.t.test 'd["sts"]["policy"]' '["version: STSv1", "mode: enforce", "mx: mx1.sts-enforce.t.test", "mx: *.mx.sts-enforce.t.test", "max_age: 86400"]'
expect sts-enforce.t.test 'd["sts"]["error"]' null
expect sts-enforce.t.test 'd["sts"]["result_type"]' null
expect sts-testing.t.test 'd["sts"]["mode"]' testing
expect sts-testing.t.test 'd["sts"]["mx"]' '["mx.sts-testing.t.test"]'
expect sts-testing.t.test 'd["sts"]["policy"][1]' 'mode: testing'
expect sts-testing.t.test 'd["sts"]["max_age"]' 3600
expect sts-none.t.test 'd["sts"]["mode"]' none
expect sts-none.t.test 'd["sts"]["mx"]' '[]'
expect sts-none.t.test 'd["sts"]["error"]' null
# 2. certificate problems: sts-webpki-invalid with the reason
expect sts-wrongcert.t.test 'd["sts"]["status"]' failed
expect sts-wrongcert.t.test 'd["sts"]["result_type"]' sts-webpki-invalid
expect sts-wrongcert.t.test 'd["sts"]["reason"]' hostname-mismatch
expect sts-wrongcert.t.test 'd["sts"]["mode"]' null
expect sts-wrongcert.t.test 'd["sts"]["error"].startswith("sts-webpki-invalid")' true
expect sts-selfsigned.t.test 'd["sts"]["result_type"]' sts-webpki-invalid
expect sts-selfsigned.t.test 'd["sts"]["reason"]' self-signed-certificate
# 3. a redirect is not followed: sts-policy-fetch-error
expect sts-redirect.t.test 'd["sts"]["result_type"]' sts-policy-fetch-error
expect sts-redirect.t.test 'd["sts"]["reason"]' http-status-301
expect sts-redirect.t.test '"redirects are not followed" in d["sts"]["error"]' true
# 4. larger than 64 KiB
expect sts-big.t.test 'd["sts"]["result_type"]' sts-policy-fetch-error
expect sts-big.t.test 'd["sts"]["reason"]' policy-too-large
# 5. bad syntax, wrong media type: sts-policy-invalid
expect sts-bad.t.test 'd["sts"]["result_type"]' sts-policy-invalid
expect sts-bad.t.test 'd["sts"]["reason"]' policy-syntax
expect sts-html.t.test 'd["sts"]["result_type"]' sts-policy-invalid
expect sts-html.t.test 'd["sts"]["reason"]' media-type-not-text-plain
# 6. a slow answer runs out of time
expect sts-slow.t.test 'd["sts"]["result_type"]' sts-policy-fetch-error
expect sts-slow.t.test 'd["sts"]["reason"]' timeout
# 7. no policy file, nothing listening, no address
expect sts-404.t.test 'd["sts"]["reason"]' http-status-404
expect sts-refused.t.test 'd["sts"]["result_type"]' sts-policy-fetch-error
expect sts-refused.t.test 'd["sts"]["reason"]' connect-failed
expect sts-nohost.t.test 'd["sts"]["result_type"]' sts-policy-fetch-error
expect sts-nohost.t.test 'd["sts"]["reason"]' policy-host-nxdomain
# 8. a broken _mta-sts record: no MTA-STS, the problem said, no fetch
expect sts-badtxt.t.test 'd["sts"]["status"]' none
expect sts-badtxt.t.test 'd["sts"]["error"] is not None' true
expect sts-badtxt.t.test 'd["sts"]["mode"]' null
judge "$out"

# 9. without the test CA the good server is untrusted (the system's whole
#    CA bundle is loaded: slow under the sanitizers)
export MAILTLSRPT_HTTP_TIMEOUT_MS=20000
"$BIN" check-domain --json --resolver "$RESOLVER" sts-enforce.t.test \
    >"$tmp/noca.json" 2>&1
expect sts-enforce.t.test 'd["sts"]["result_type"]' sts-webpki-invalid
expect sts-enforce.t.test 'd["sts"]["reason"]' unable-to-get-local-issuer-certificate
judge "$tmp/noca.json"

# 10. the address connected to is the one our resolver gave: with the
#     port hook pointing at a port where nothing listens, the good case
#     fails to connect (no fallback to port 443 or to another address)
MAILTLSRPT_HTTPS_PORT=$(dns_free_ports 1) "$BIN" check-domain --json \
    --resolver "$RESOLVER" --ca-file "$STS_CA" sts-enforce.t.test \
    >"$tmp/port.json" 2>&1
expect sts-enforce.t.test 'd["sts"]["reason"]' connect-failed
judge "$tmp/port.json"

# 11. text output explains the failure
"$BIN" check-domain --resolver "$RESOLVER" --ca-file "$STS_CA" \
    sts-wrongcert.t.test sts-enforce.t.test >"$tmp/text" 2>&1
grep -q 'failure: sts-webpki-invalid (hostname-mismatch)' "$tmp/text" && ok \
    || bad "text: webpki failure explained"
grep -q '^  MTA-STS  mode enforce, max_age 86400, id enforce1$' "$tmp/text" \
    && ok || bad "text: enforce policy line"

grep -qi 'error' "$tmp/err" && bad "stderr: $(head -3 "$tmp/err")" || ok
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
