#!/bin/sh
# tests/it_systemd.sh - the shipped systemd units, as files
#
# "make install-units" (part of "make install") into a DESTDIR: the seven
# units land under PREFIX/lib/systemd/system, ExecStart names
# PREFIX/bin/mailtlsrpt. systemd-analyze verify then checks them (with
# ExecStart pointed at the binary just built, which it requires to
# exist); any complaint fails, warnings included. The daily timers run
# after the UTC day, randomised and persistent; the send timer every 5
# minutes (the first retry of the spool is due 5 minutes after a
# failure); the services run "mailtlsrpt run" (from the mail log or the
# journal) and "mailtlsrpt send", as user mailtlsrpt with the state
# directory /var/lib/mailtlsrpt, hardened; the options of each ExecStart
# are taken by mailtlsrpt. systemd-analyze security rates each service
# (docs/systemd.md has the figures): at most 4.0 as shipped. What the
# commands do as installed is tests/it_unit.sh. Without systemd-analyze
# the test fails (scripts/deps.sh test installs it).
set -u
BUILD=${BUILD:-build}
BIN=${MAILTLSRPT:-$BUILD/mailtlsrpt}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
pass=0
fail=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }

make -s install-units DESTDIR="$T/root" PREFIX=/opt/mtr >"$T/make.out" 2>&1
check "make install-units" [ $? -eq 0 ]
U=$T/root/opt/mtr/lib/systemd/system
for s in mailtlsrpt mailtlsrpt-send mailtlsrpt-journal; do
    f=$U/$s.service
    check "$s.service installed" [ -f "$f" ]
    check "$s.timer installed" [ -f "$U/$s.timer" ]
    check "$s.service mode 644" [ "$(stat -c %a "$f")" = 644 ]
    grep -q '@BINDIR@' "$f" && bad "$s: @BINDIR@ left" || ok
    check "$s: oneshot" grep -q '^Type=oneshot$' "$f"
    check "$s: user mailtlsrpt" grep -q '^User=mailtlsrpt$' "$f"
    check "$s: state directory" grep -q '^StateDirectory=mailtlsrpt$' "$f"
    check "$s: read-only system" grep -q '^ProtectSystem=strict$' "$f"
    check "$s: timers.target" grep -q '^WantedBy=timers.target$' "$U/$s.timer"
    # the options of ExecStart are ones mailtlsrpt takes for the command
    set -- $(sed -n 's|^ExecStart=/opt/mtr/bin/mailtlsrpt ||p' "$f")
    cmd=$1
    shift
    "$BIN" "$cmd" --help >/dev/null 2>&1
    check "$s: command $cmd" [ $? -eq 0 ]
    # (an empty configuration: run and send stop there, exit 3)
    "$BIN" "$cmd" --config /dev/null --state-dir "$T/st" "$@" \
        >/dev/null 2>"$T/$s.err" </dev/null
    rc=$?
    check "$s: ExecStart arguments taken ($*): exit $rc" [ $rc -eq 3 ]
done
check "mailtlsrpt.service: run from the mail log" \
    grep -q '^ExecStart=/opt/mtr/bin/mailtlsrpt run .*/var/log/mail.log' \
    "$U/mailtlsrpt.service"
check "mailtlsrpt.service: group adm" grep -q '^SupplementaryGroups=adm$' \
    "$U/mailtlsrpt.service"
check "mailtlsrpt-journal.service: run --journal" \
    grep -q '^ExecStart=/opt/mtr/bin/mailtlsrpt run .*--journal' \
    "$U/mailtlsrpt-journal.service"
check "mailtlsrpt-send.service: send" \
    grep -q '^ExecStart=/opt/mtr/bin/mailtlsrpt send ' \
    "$U/mailtlsrpt-send.service"
for t in mailtlsrpt mailtlsrpt-journal; do
    check "$t.timer: daily after the UTC day" \
        grep -q '^OnCalendar=.* UTC$' "$U/$t.timer"
    check "$t.timer: randomised" grep -Eq '^RandomizedDelaySec=[1-9]' \
        "$U/$t.timer"
    check "$t.timer: persistent" grep -q '^Persistent=true$' "$U/$t.timer"
done
check "send timer: every 5 minutes" \
    grep -q '^OnUnitInactiveSec=5min$' "$U/mailtlsrpt-send.timer"

# the follower: long-running, restarted on failure, hardened like the
# others, its ExecStart taken by "mailtlsrpt follow" (run for a moment
# on a log of its own and a free port, it ends on SIGTERM with 0)
f=$U/mailtlsrpt-follow.service
check "mailtlsrpt-follow.service installed" [ -f "$f" ]
check "follow: mode 644" [ "$(stat -c %a "$f")" = 644 ]
grep -q '@BINDIR@' "$f" && bad "follow: @BINDIR@ left" || ok
check "follow: Type=simple" grep -q '^Type=simple$' "$f"
check "follow: Restart=on-failure" grep -q '^Restart=on-failure$' "$f"
check "follow: user mailtlsrpt" grep -q '^User=mailtlsrpt$' "$f"
check "follow: state directory" grep -q '^StateDirectory=mailtlsrpt$' "$f"
check "follow: group adm" grep -q '^SupplementaryGroups=adm$' "$f"
check "follow: multi-user.target" grep -q '^WantedBy=multi-user.target$' "$f"
for k in $(sed -n 's/=.*//p' "$U/mailtlsrpt.service" | grep -E \
    '^(Protect|Private|Restrict|Lock|Memory|SystemCall|RemoveIPC|ProcSubset|UMask)' \
    | sort -u); do
    check "follow: hardened as mailtlsrpt.service ($k)" grep -q "^$k=" "$f"
done
set -- $(sed -n 's|^ExecStart=/opt/mtr/bin/mailtlsrpt ||p' "$f")
check "follow: command follow" [ "$1" = follow ]
shift
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
: >"$T/mail.log"
args=$(echo "$*" | sed "s|127.0.0.1:9469|127.0.0.1:$port|; s|/var/lib/mailtlsrpt/follow/|$T/|; s|/var/log/mail.log|$T/mail.log|")
# shellcheck disable=SC2086
timeout --preserve-status -s TERM 2 "$BIN" follow --config /dev/null --state-dir "$T/stf" \
    $args >/dev/null 2>"$T/follow.err" </dev/null
rc=$?
check "follow: ExecStart arguments taken ($args): ends on SIGTERM, exit $rc" [ $rc -eq 0 ]
check "follow: its metrics file written" [ -s "$T/mailtlsrpt.prom" ]

if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir -p "$T/v"
    for u in "$U"/*; do
        sed "s|^ExecStart=/opt/mtr/bin/mailtlsrpt|ExecStart=$BIN|" "$u" \
            >"$T/v/$(basename "$u")"
    done
    (cd "$T/v" && systemd-analyze verify --man=no ./*.service ./*.timer) \
        >"$T/verify.out" 2>&1
    rc=$?
    check "systemd-analyze verify exits 0" [ $rc -eq 0 ]
    # warnings (unknown keys, bad values) do not change the exit status
    if [ -s "$T/verify.out" ]; then
        bad "systemd-analyze verify complains:"
        cat "$T/verify.out"
    else
        ok
    fi
    for t in mailtlsrpt mailtlsrpt-journal; do
        systemd-analyze calendar "$(sed -n 's/^OnCalendar=//p' \
            "$U/$t.timer")" >/dev/null 2>&1
        check "$t: calendar expression valid" [ $? -eq 0 ]
    done
    for s in mailtlsrpt mailtlsrpt-send mailtlsrpt-journal mailtlsrpt-follow; do
        e=$(cd "$T/v" && systemd-analyze security --offline=true \
            --no-pager "./$s.service" 2>/dev/null \
            | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
        echo "systemd-analyze security $s.service: ${e:-?}"
        check "$s.service exposure ${e:-?} at most 4.0" \
            awk -v e="${e:-99}" 'BEGIN { exit !(e <= 4.0) }'
    done
else
    bad "systemd-analyze not installed (sh scripts/deps.sh test)"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
