#!/bin/sh
# tests/it_mta.sh - real MTAs prove the parsers (make check-mta)
#
# Debian's Postfix, Exim (exim4-daemon-light, GnuTLS) and Sendmail are
# downloaded and unpacked, never installed (testdata/mta/fetch.sh, cached
# in build/mta, or MTA_CACHE). Each runs in its own network, mount, UTS and PID
# namespace (testdata/mta/sandbox.sh) and sends N messages to each of
# five test servers on the loopback interface: one with a certificate
# from the test CA (valid.test), one without STARTTLS (nostarttls.test),
# one with an expired certificate, one with a certificate for another
# name and a self-signed one; and one message to N recipients to a sixth
# (multi.test), which is one session. Twice: in "verify" mode the MTA requires
# TLS verified against the test CA, as an MTA-STS "enforce" or DANE
# sender would, so each failure is a deferral with its reason in the
# MTA's own log; in "may" mode it uses TLS opportunistically, its
# default, and delivers everywhere. Then mailtlsrpt reads that log, and
# its sessions, summary and reports must count exactly what was sent,
# with the result type the MTA's words allow.
# Then each MTA under load (testdata/mta/load.sh): MTA_LOAD messages (300
# by default, 2000 under make check-mta) from parallel injectors, parallel
# deliveries over cached connections (Postfix also with TLS connection
# reuse; Exim also with DANE over DNSSEC), held per domain and result
# type to the receiving servers' own count of TCP connections and
# STARTTLS; each run prints "sessions right R / T".
#
# Needs root and namespaces (unshare). Without them the test is skipped
# (0 passed, 0 failed), except under CI=true or MTA_REQUIRE=1, where a
# skip is a failure. MTA_KEEP=DIR keeps each log as DIR/MTA.MODE.log (and
# the servers' counts of a load run as DIR/MTA.MODE.got/).
set -u
BUILD=${BUILD:-build}
BIN=${MAILTLSRPT:-$BUILD/mailtlsrpt}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
CHECK=$BUILD/tests/tool_rcvcheck
CONF=testdata/demo/mailtlsrpt.conf
CACHE=${MTA_CACHE:-build/mta}         # shared by build-asan and the like
case $CACHE in /*) ;; *) CACHE=$PWD/$CACHE ;; esac
PY=/usr/bin/python3
N=3
pass=0
fail=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# eq WHAT GOT WANT
eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got [$2], want [$3]"; fi; }
skip() {
    if [ "${CI:-}" = true ] || [ "${MTA_REQUIRE:-}" = 1 ]; then
        bad "cannot run: $*"
    else
        echo "skipped: $*"
    fi
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}

[ "$(id -u)" = 0 ] || skip "needs root (namespaces, dpkg -x)"
NS="unshare -mnup --fork --mount-proc"
$NS true 2>/dev/null || skip "unshare (namespaces) does not work here"
for t in apt-get apt-cache dpkg openssl m4 ip hostname flock timeout "$PY"; do
    command -v "$t" >/dev/null 2>&1 || skip "missing $t (sh scripts/deps.sh test)"
done
"$PY" -c 'import aiosmtpd' 2>/dev/null || skip "missing python3-aiosmtpd"
sh testdata/mta/fetch.sh "$CACHE" >"$T/fetch.out" 2>&1 || {
    cat "$T/fetch.out"; skip "could not download the MTAs from Debian"; }
sh testdata/mta/certs.sh "$T/certs" || { bad "test certificates"; exit 1; }

# want MTA MODE - per domain: the sessions expected (N, one for the
# message to N recipients to multi.test), their result type and reason
# as "sessions" prints them, and the result type in summaries and
# reports (where a plaintext session is starttls-not-supported).
# In "may" mode (opportunistic TLS) every handshake is a success, as the
# sender asked for no more; a plaintext delivery counts against the MX
# because the host logs TLS. In "verify" mode Exim (Debian's build uses
# GnuTLS) says "certificate invalid" for any chain problem and nothing
# for a name mismatch (tls-gnu.c), so its expired and wrong-name servers
# cannot be told from an untrusted one.
want() {
    echo "multi.test 1 success - success"
    if [ "$2" = may ]; then
        for d in valid expired wrongname selfsigned; do
            echo "$d.test $N success - success"
        done
        echo "nostarttls.test $N plaintext - starttls-not-supported"
        return
    fi
    echo "valid.test $N success - success"
    t=starttls-not-supported
    echo "nostarttls.test $N $t - $t"
    case $1 in
    postfix|sendmail)
        t=certificate-expired
        echo "expired.test $N $t certificate-has-expired $t"
        t=certificate-not-trusted
        echo "selfsigned.test $N $t self-signed-certificate $t"
        ;;
    exim)
        t=certificate-not-trusted
        echo "expired.test $N $t certificate-invalid $t"
        echo "selfsigned.test $N $t certificate-invalid $t"
        echo "wrongname.test $N $t certificate-verification-failed $t"
        ;;
    esac
    t=certificate-host-mismatch
    case $1 in
    postfix) echo "wrongname.test $N $t hostname-mismatch $t" ;;
    sendmail) echo "wrongname.test $N $t cn-mismatch $t" ;;
    esac
}

for mode in verify may; do
for mta in postfix exim sendmail; do
    want=$(want "$mta" "$mode")
    w=$T/$mta.$mode
    start=$(date +%s)
    # a hung run is killed, and with it all it started (PID namespace)
    # shellcheck disable=SC2086 # NS is a command and its options
    timeout -k 10 300 $NS sh testdata/mta/sandbox.sh "$mta" "$mode" "$w" \
        "$CACHE/$mta" "$T/certs" "$N" >"$T/$mta.$mode.out" 2>&1
    rc=$?
    echo "$mta $mode: $(head -1 "$CACHE/$mta/VERSIONS"), ran in" \
        "$(($(date +%s) - start)) s"
    m="$mta $mode"
    eq "$m: sandbox exit" "$rc" 0
    [ "$rc" = 0 ] || { tail -20 "$T/$mta.$mode.out"; continue; }
    [ -n "${MTA_KEEP:-}" ] && mkdir -p "$MTA_KEEP" &&
        cp "$w/mail.log" "$MTA_KEEP/$mta.$mode.log"

    # the servers: N messages to each domain where the MTA may deliver,
    # over TLS unless the server has none; nothing elsewhere
    echo "$want" | while read -r dom k _ _ sum; do
        case $mode.$sum in
        may.success | verify.success) echo "$dom $k tls" ;;
        may.*) echo "$dom $k plain" ;;
        esac
    done | sort >"$w/want.got"
    for f in "$w"/got/*.log; do
        [ -f "$f" ] || continue
        d=$(basename "$f" .log)
        echo "$d $(wc -l <"$f") $(cut -f3 "$f" | sort -u | tr '\n' ' ')"
    done | sed 's/ $//' >"$w/got.got"
    if cmp -s "$w/want.got" "$w/got.got"; then ok
    else bad "$m: the servers got"; cat "$w/got.got"; fi

    # every session: N per domain, its result and reason, all counted
    "$BIN" sessions --config /dev/null "$w/mail.log" >"$w/sessions" \
        2>"$w/sessions.err"
    eq "$m: sessions exit" "$?" 0
    echo "$want" | awk '{ for (i = 0; i < $2; i++)
        print $1 "\t" $3 "\t" $4 "\tcounted" }' | sort >"$w/want"
    grep -v "^#day" "$w/sessions" | cut -f2,3,6,7 | sort >"$w/got.tsv"
    if cmp -s "$w/want" "$w/got.tsv"; then ok
    else bad "$m: sessions differ"; diff "$w/want" "$w/got.tsv" | head; fi
    sum=$(sed -n 's/.*(0 bad), \([0-9]*\) sessions (\([0-9]*\) counted.*/\1 \2/p' \
        "$w/sessions.err")
    k=$(wc -l <"$w/want")
    eq "$m: no bad line, every session counted" "$sum" "$k $k"

    # summary --json: per domain sessions, successes, failures by type
    "$BIN" summary --json --config /dev/null "$w/mail.log" >"$w/summary.json" \
        2>/dev/null
    echo "$want" | "$PY" -c 'import json, sys
doms = {d["domain"]: d for d in json.load(open(sys.argv[1]))["domains"]}
bad = []
want = [l.split() for l in sys.stdin if l.strip()]
for dom, n, _, _, result in want:
    n = int(n)
    d = doms.get(dom, {})
    got = (d.get("sessions"), d.get("successful"), d.get("failed"),
           d.get("failures"))
    exp = (n, n if result == "success" else 0, 0 if result == "success" else n,
           {} if result == "success" else {result: n})
    if got != exp:
        bad.append("%s: got %r, want %r" % (dom, got, exp))
if sorted(doms) != sorted(w[0] for w in want):
    bad.append("domains %r" % sorted(doms))
print("\n".join(bad) if bad else "ok")' "$w/summary.json" >"$w/judged"
    eq "$m: summary --json" "$(cat "$w/judged")" ok

    # report --offline: one valid report per domain with those counts
    "$BIN" report --offline --no-gzip --all-days --config "$CONF" -q \
        --out "$w/rpt" "$w/mail.log"
    eq "$m: report exit" "$?" 0
    if "$CHECK" "$w"/rpt/*.json >"$w/chk" 2>&1; then ok
    else bad "$m: receiver check"; cat "$w/chk"; fi
    echo "$want" | "$PY" -c 'import glob, json, sys
tot = {}
for f in glob.glob(sys.argv[1] + "/*.json"):
    for p in json.load(open(f))["policies"]:
        t = tot.setdefault(p["policy"]["policy-domain"], [0, 0, {}])
        t[0] += p["summary"]["total-successful-session-count"]
        t[1] += p["summary"]["total-failure-session-count"]
        for fd in p.get("failure-details", []):
            k = (fd["result-type"], fd.get("receiving-mx-hostname"))
            t[2][k] = t[2].get(k, 0) + fd["failed-session-count"]
bad = []
want = [l.split() for l in sys.stdin if l.strip()]
for dom, n, _, _, result in want:
    n = int(n)
    exp = ([n, 0, {}] if result == "success"
           else [0, n, {(result, dom): n}])
    if tot.get(dom) != exp:
        bad.append("%s: got %r, want %r" % (dom, tot.get(dom), exp))
if sorted(tot) != sorted(w[0] for w in want):
    bad.append("policy domains %r" % sorted(tot))
print("\n".join(bad) if bad else "ok")' "$w/rpt" >"$w/judged"
    eq "$m: report counts" "$(cat "$w/judged")" ok
done
done
# Under load (testdata/mta/load.sh): LOAD messages (MTA_LOAD, 300 by
# default; make check-mta takes 2000) from parallel injectors, parallel
# deliveries, cached connections, Postfix also with TLS connection reuse
# (tlsproxy). The truth is the receiving servers' own count: one session
# per TCP connection (got/DOMAIN.conn), of the domain's designed result
# when STARTTLS was sent (or the server offers none), "plaintext" when a
# client went without it to a server that offers it. The parser must
# find exactly these sessions, per domain and result type, all counted.
LOAD=${MTA_LOAD:-300}
# Sendmail's connection cache as testdata/mta/load.sh sets it
# (confMCI_CACHE_SIZE 4, confMCI_CACHE_TIMEOUT 5m): it decides when a
# runner closes a cached connection and opens it again, which the log
# shows only for a TLS one
printf 'sendmail_cache_size = 4\nsendmail_cache_timeout = 300\n' \
    >"$T/load.conf"

# lwant MTA DOMAIN - the result type of a TLS attempt at DOMAIN's server
lwant() {
    case $2 in
    ok.test|may.test|multi.test|daneok.test) echo success ;;
    nostarttls.test) echo plaintext ;;
    selfsigned.test) echo certificate-not-trusted ;;
    danebad.test) echo tlsa-invalid ;;
    expired.test)
        case $1 in
        postfix) echo certificate-expired ;;
        *) echo certificate-not-trusted ;;
        esac ;;
    wrongname.test)
        case $1 in
        exim) echo certificate-not-trusted ;;
        *) echo certificate-host-mismatch ;;
        esac ;;
    esac
}
for run in "postfix load" "postfix reuse" "exim load" "sendmail load"; do
    # shellcheck disable=SC2086 # two words
    set -- $run
    mta=$1 mode=$2
    w=$T/$mta.$mode
    start=$(date +%s)
    # shellcheck disable=SC2086 # NS is a command and its options
    timeout -k 10 600 $NS sh testdata/mta/sandbox.sh "$mta" "$mode" "$w" \
        "$CACHE/$mta" "$T/certs" "$LOAD" >"$T/$mta.$mode.out" 2>&1
    rc=$?
    m="$mta $mode $LOAD"
    eq "$m: sandbox exit" "$rc" 0
    [ "$rc" = 0 ] || { tail -20 "$T/$mta.$mode.out"; continue; }
    [ -n "${MTA_KEEP:-}" ] && mkdir -p "$MTA_KEEP" &&
        cp "$w/mail.log" "$MTA_KEEP/$mta.$mode.log" &&
        cp -r "$w/got" "$MTA_KEEP/$mta.$mode.got"
    # the receivers' sessions: domain, result, "counted"
    for f in "$w"/got/*.conn; do
        d=$(basename "$f" .conn)
        awk -v d="$d" -v r="$(lwant "$mta" "$d")" '
            $2 == "connect" { c[$1] = 1 }
            $2 == "starttls" { s[$1] = 1 }
            END { for (i in c) print d "\t" ((i in s) || r == "plaintext" \
                ? r : "plaintext") "\tcounted" }' "$f"
    done | sort | uniq -c | awk '{ print $2, $3, $4, $1 }' >"$w/want"
    "$BIN" sessions --config "$T/load.conf" "$w/mail.log" >"$w/sessions" \
        2>"$w/sessions.err"
    eq "$m: sessions exit" "$?" 0
    grep -v "^#day" "$w/sessions" | cut -f2,3,7 | sort | uniq -c |
        awk '{ print $2, $3, $4, $1 }' >"$w/got.tsv"
    # sessions right: per domain and result, as many as the receivers saw
    awk '{ print $1 "/" $2 "/" $3, $4 }' "$w/want" | sort >"$w/want.k"
    awk '{ print $1 "/" $2 "/" $3, $4 }' "$w/got.tsv" | sort >"$w/got.k"
    right=$(join -o 1.2,2.2 "$w/want.k" "$w/got.k" |
        awk '{ n += $1 < $2 ? $1 : $2 } END { print n + 0 }')
    total=$(awk '{ n += $4 } END { print n + 0 }' "$w/want")
    echo "$m: $(head -1 "$CACHE/$mta/VERSIONS"), ran in" \
        "$(($(date +%s) - start)) s; sessions right $right / $total"
    if cmp -s "$w/want" "$w/got.tsv"; then ok
    else bad "$m: sessions differ from the receivers' count"
        diff "$w/want" "$w/got.tsv" | head -20; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
