#!/bin/sh
# tests/it_unit.sh - the night's run as installed: the systemd units'
# commands, as their user, from /, on a real log of yesterday
#
# "make install DESTDIR=ROOT PREFIX=/usr" (the build under test, its man
# page, docs and units). Then each unit's ExecStart runs as systemd would
# run it (testdata/unit/sandbox.sh: a mount namespace with ROOT/usr over
# /usr, the unit's User= and Group= and SupplementaryGroups=, its
# StateDirectory= owned by the user, UMask=, a read-only system as with
# ProtectSystem=strict, a private /tmp, from / with a clean environment)
# against real servers on 127.0.0.1: nsd and unbound (testdata/dns/
# servers.sh) serving a TLSRPT record for the domains of the log, whose
# rua are the HTTPS sinks of the tests (testdata/deliver/https_sink.py,
# certificate of a test CA given in the configuration).
#
# The log: Debian's Postfix (testdata/postfix/p-debian-mta-may, written by
# tests/it_mta.sh) restamped to yesterday, split over mail.log.1 and
# mail.log, root:adm 0640 as rsyslog leaves them.
#   1. mailtlsrpt.service: the reports of yesterday under the state
#      directory (reports/DAY/), one per domain with a TLSRPT record, each
#      spooled for its rua and posted there (the bytes of the report);
#      one sink answers 503, its job stays pending; exit status 1.
#   2. mailtlsrpt-send.service (what mailtlsrpt-send.timer starts every 5
#      minutes): nothing due yet, nothing posted, exit 0; 5 minutes later
#      (the job's next attempt moved back by 300 s) the retry is posted,
#      exit 0. mailtlsrpt.service again the same day: nothing new.
#   3. mailtlsrpt-journal.service on a host without /var/log/mail.log:
#      the log of Postfix's "verify" run as a real journal file (written
#      by systemd-journal-remote from journalctl's export format),
#      readable by group adm; journalctl reads it (MAILTLSRPT_JOURNALCTL
#      adds --file=, the one thing a unit file does not say); reports with
#      the failures of that log, posted.
#   4. An empty configuration: run exits 3, says what to add, writes and
#      sends nothing.
# Then systemd-analyze verify passes on every installed unit.
# Needs root and namespaces (unshare): skipped otherwise, except under
# CI=true where a skip fails.
set -u
. testdata/deliver/lib.sh
need_tools
. testdata/dns/servers.sh
. testdata/unit/host.sh
trap 'dns_stop; [ -n "${KEEP:-}" ] && cp -r "$T" "$KEEP"; finish' EXIT
skip() {
    if [ "${CI:-}" = true ]; then bad "cannot run: $*"; else
        echo "skipped: $*"; fi
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}
[ "$(id -u)" = 0 ] || skip "needs root (mount namespaces, setpriv)"
unshare -m true 2>/dev/null || skip "unshare (namespaces) does not work here"
JR=/lib/systemd/systemd-journal-remote
for t in setpriv systemd-analyze journalctl "$JR"; do
    command -v "$t" >/dev/null 2>&1 \
        || skip "missing $t (sh scripts/deps.sh test)"
done
BUILD=${BUILD:-build}
ROOT=$T/root
UD=$ROOT/usr/lib/systemd/system

# ------------------------------------------------------------ install
make -s install BUILD="$BUILD" DESTDIR="$ROOT" PREFIX=/usr \
    >"$T/install.out" 2>&1
check "make install" [ $? -eq 0 ]
for u in mailtlsrpt.service mailtlsrpt.timer mailtlsrpt-send.service \
    mailtlsrpt-send.timer mailtlsrpt-journal.service \
    mailtlsrpt-journal.timer; do
    check "$u installed" [ -f "$UD/$u" ]
done
check "installed binary is the build" cmp -s "$ROOT/usr/bin/mailtlsrpt" "$BIN"

# ------------------------------------------------------------ servers
# sinks a and b (503), DNS with the TLSRPT records (testdata/unit/host.sh)
host_servers || { echo "$pass passed, $fail failed"; exit 1; }

# ------------------------------------------------------------ the host
# conf WORK: /etc/mailtlsrpt.conf of a host that set who it is
conf() {
    mkdir -p "$1/etc/mailtlsrpt"
    cp "$T/ca/ca.pem" "$1/etc/mailtlsrpt/ca.pem"
    cat >"$1/etc/mailtlsrpt.conf" <<EOF
# who sends the reports
organization_name = "Example Mail Operations"
contact_info = tlsrpt@example.net
submitter = example.net
unique_id = mail01
sending_mta_ip = sender 192.0.2.1
# this test's resolver, CA and loopback rua
resolver = $RESOLVER
ca_file = /etc/mailtlsrpt/ca.pem
allow_private_targets = yes
EOF
}

# unit WORK UNIT: run the installed unit's command; status in $rc
unit() {
    timeout -k 10 300 unshare -m --fork sh testdata/unit/sandbox.sh \
        "$ROOT" "$2" "$1" >"$1/$2.out" 2>"$1/$2.err"
    rc=$?
}
# sha FILE
sha() { sha256sum <"$1" | cut -d' ' -f1; }
# posted SINK PATH: how many bodies were accepted there
posted() { accepted "$1" "$2"; }

# ------------------------------------------------------------ 1. run
W=$T/w1
conf "$W"
host_maillog "$W/log"
unit "$W" mailtlsrpt.service
check "mailtlsrpt.service: exit 1 (one delivery pending): $rc" [ $rc -eq 1 ]
R=$W/state/reports/$YD
check "reports under the state directory ($R)" [ -d "$R" ]
for d in valid expired wrongname selfsigned nostarttls; do
    f=$(ls "$R"/*"!$d.test!"*.json.gz 2>/dev/null)
    check "report for $d.test" [ -n "$f" ]
done
check "no report for multi.test (no TLSRPT record)" \
    [ -z "$(ls "$R"/*'!multi.test!'* 2>/dev/null)" ]
check "five reports" [ "$(ls "$R" | wc -l)" -eq 5 ]
check "nothing in the working directory /: reports only under the state" \
    [ "$(find "$W/state" -name '*.json.gz' | wc -l)" -eq 5 ]
owner=$(stat -c %U "$R" 2>/dev/null)
check "state owned by the unit's user ($owner)" [ "$(stat -c %u "$R")" != 0 ]
for d in valid expired wrongname selfsigned; do
    f=$(ls "$R"/*"!$d.test!"*.json.gz 2>/dev/null)
    check "$d.test posted once to its rua" [ "$(posted "$T/ha" "/$d")" -eq 1 ]
    check "$d.test: the posted bytes are the report" \
        grep -q "	/$d	application/tlsrpt+gzip	$(sha "$f")	" "$T/ha/log"
done
check "the 503 sink was tried" grep -q '^503	/nostarttls	' "$T/hb/log"
ST=$W/state
"$BIN" spool --config /dev/null --state-dir "$ST" >"$T/spool1" 2>&1
check "spool: 4 done, 1 pending" \
    grep -q '^jobs: pending 1, active 0, done 4, failed 0' "$T/spool1"
gzip -dc "$(ls "$R"/*'!expired.test!'*)" | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
assert r["organization-name"] == "Example Mail Operations", r
p = r["policies"][0]
assert p["summary"]["total-successful-session-count"] == 3, p
' && ok || bad "report content (unquoted organization name, 3 sessions)"
"$BUILD/tests/tool_rcvcheck" "$R"/*.json.gz >"$T/rcv" 2>&1 && ok \
    || { bad "receivers accept the reports"; cat "$T/rcv"; }

# ------------------------------------------------------------ 2. retries
echo ok >"$T/hb/mode"
unit "$W" mailtlsrpt-send.service
check "mailtlsrpt-send.service, nothing due: exit 0 ($rc)" [ $rc -eq 0 ]
check "nothing due: nothing posted" [ "$(posted "$T/hb" /nostarttls)" -eq 0 ]
# five minutes later: the job's next attempt is due
for j in "$ST"/spool/pending/*; do
    awk '$1 == "next" { $2 = $2 - 300 } { print }' "$j" >"$T/job" \
        && cat "$T/job" >"$j"
done
unit "$W" mailtlsrpt-send.service
check "mailtlsrpt-send.service, retry due: exit 0 ($rc)" [ $rc -eq 0 ]
check "the retry posted" [ "$(posted "$T/hb" /nostarttls)" -eq 1 ]
"$BIN" spool --config /dev/null --state-dir "$ST" >"$T/spool2" 2>&1
check "spool: 5 done" grep -q '^jobs: pending 0, active 0, done 5' "$T/spool2"
unit "$W" mailtlsrpt.service
check "mailtlsrpt.service again the same day: exit 0 ($rc)" [ $rc -eq 0 ]
check "again: nothing new posted" [ "$(accepted "$T/ha")" -eq 4 ]

# ------------------------------------------------------------ 3. journal
W=$T/w3
conf "$W"
mkdir -p "$W/journal"
host_restamp testdata/postfix/p-debian-mta-verify/input.log >"$T/verify.log"
# journalctl -o export records of those syslog lines, then a journal file
"$PY" - "$T/verify.log" "$(date -d yesterday +%Y)" >"$T/verify.export" <<'EOF'
import sys, time, re
year = sys.argv[2]
pat = re.compile(r"^(\w{3}\s+\d+ \d\d:\d\d:\d\d) (\S+) ([^\[:]+)\[(\d+)\]: (.*)$")
for n, line in enumerate(open(sys.argv[1]), 1):
    m = pat.match(line.rstrip("\n"))
    if not m:
        continue
    t = time.mktime(time.strptime(year + " " + m.group(1), "%Y %b %d %H:%M:%S"))
    us = int(t) * 1000000 + n
    print("__CURSOR=s=1;i=%d" % n)
    print("__REALTIME_TIMESTAMP=%d" % us)
    print("__MONOTONIC_TIMESTAMP=%d" % (n * 1000))
    print("_BOOT_ID=0123456789abcdef0123456789abcdef")
    print("_HOSTNAME=" + m.group(2))
    print("_TRANSPORT=syslog")
    print("PRIORITY=6")
    print("SYSLOG_FACILITY=2")
    print("SYSLOG_IDENTIFIER=" + m.group(3))
    print("_PID=" + m.group(4))
    print("MESSAGE=" + m.group(5))
    print()
EOF
"$JR" --output="$W/journal/mail.journal" - <"$T/verify.export" \
    >"$T/jr.out" 2>&1
check "journal file written" [ -s "$W/journal/mail.journal" ]
cat >"$W/jctl" <<'EOF'
#!/bin/sh
exec journalctl --file=/var/log/journal-test/mail.journal "$@"
EOF
mkdir -p "$W/etc/mailtlsrpt"
cp "$W/jctl" "$W/etc/mailtlsrpt/journalctl-test"
chmod 755 "$W/etc/mailtlsrpt/journalctl-test"
echo "MAILTLSRPT_JOURNALCTL=/etc/mailtlsrpt/journalctl-test" >"$W/env"
: >"$T/ha/log.before"
cp "$T/ha/log" "$T/ha/log.before"
unit "$W" mailtlsrpt-journal.service
check "mailtlsrpt-journal.service: exit 0 ($rc)" [ $rc -eq 0 ] \
    || cat "$W/mailtlsrpt-journal.service.err"
R=$W/state/reports/$YD
check "journal: five reports" [ "$(ls "$R" 2>/dev/null | wc -l)" -eq 5 ]
f=$(ls "$R"/*'!expired.test!'* 2>/dev/null)
gzip -dc "$f" | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
p = r["policies"][0]["summary"]
assert p["total-failure-session-count"] == 3, p
' && ok || bad "journal: expired.test has the 3 failures of the log"
check "journal: posted 4 more to sink a" [ "$(accepted "$T/ha")" -eq 8 ]
check "journal: posted to sink b" [ "$(posted "$T/hb" /nostarttls)" -eq 2 ]

# ------------------------------------------------------------ 4. no conf
W=$T/w4
mkdir -p "$W/etc" "$W/log"
: >"$W/etc/mailtlsrpt.conf"
cp "$T/w1/log/"* "$W/log/"
before=$(accepted "$T/ha")
unit "$W" mailtlsrpt.service
check "empty configuration: exit 3 ($rc)" [ $rc -eq 3 ]
grep -q '^    organization_name = ' "$W/mailtlsrpt.service.err" && ok \
    || bad "empty configuration: the lines to add: $(cat "$W/mailtlsrpt.service.err")"
check "empty configuration: nothing written" \
    [ -z "$(find "$W/state" -type f)" ]
check "empty configuration: nothing sent" [ "$(accepted "$T/ha")" -eq "$before" ]

# ------------------------------------------------------------ verify
mkdir -p "$T/v"
for u in "$UD"/*; do
    sed "s|^ExecStart=/usr/bin/mailtlsrpt|ExecStart=$BIN|" "$u" \
        >"$T/v/$(basename "$u")"
done
(cd "$T/v" && systemd-analyze verify --man=no ./*.service ./*.timer) \
    >"$T/verify.out" 2>&1
check "systemd-analyze verify exits 0" [ $? -eq 0 ]
if [ -s "$T/verify.out" ]; then
    bad "systemd-analyze verify complains:"; cat "$T/verify.out"
else
    ok
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
