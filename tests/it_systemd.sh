#!/bin/sh
# tests/it_systemd.sh - the shipped systemd service and timer
#
# "make install-units" (part of "make install") into a DESTDIR: both
# units land under PREFIX/lib/systemd/system, ExecStart names
# PREFIX/bin/mailtlsrpt. systemd-analyze verify then checks them (with
# ExecStart pointed at the binary just built, which it requires to
# exist); any complaint fails, warnings included. The timer must be
# daily after the UTC day, randomised and persistent; the service must
# run "mailtlsrpt run". Without systemd-analyze the verify step is
# skipped and said so.
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
check "service installed" [ -f "$U/mailtlsrpt.service" ]
check "timer installed" [ -f "$U/mailtlsrpt.timer" ]
check "service mode 644" [ "$(stat -c %a "$U/mailtlsrpt.service")" = 644 ]
grep -q '^ExecStart=/opt/mtr/bin/mailtlsrpt run ' "$U/mailtlsrpt.service" \
    && ok || bad "ExecStart names PREFIX/bin: $(grep ExecStart= \
    "$U/mailtlsrpt.service")"
grep -q '@BINDIR@' "$U/mailtlsrpt.service" && bad "@BINDIR@ left" || ok
check "oneshot" grep -q '^Type=oneshot$' "$U/mailtlsrpt.service"
check "state directory" grep -q '^StateDirectory=mailtlsrpt$' \
    "$U/mailtlsrpt.service"
check "daily after the UTC day" grep -q '^OnCalendar=.* UTC$' \
    "$U/mailtlsrpt.timer"
check "randomised" grep -Eq '^RandomizedDelaySec=[1-9]' "$U/mailtlsrpt.timer"
check "persistent" grep -q '^Persistent=true$' "$U/mailtlsrpt.timer"
check "timers.target" grep -q '^WantedBy=timers.target$' \
    "$U/mailtlsrpt.timer"
# the options in ExecStart are ones mailtlsrpt takes
args=$(sed -n 's|^ExecStart=/opt/mtr/bin/mailtlsrpt run ||p' \
    "$U/mailtlsrpt.service")
opts=$(echo "$args" | tr ' ' '\n' | grep '^-' | tr '\n' ' ')
# shellcheck disable=SC2086
"$BIN" run --offline --config /dev/null --state-dir "$T/st" --out "$T/out" \
    $opts /dev/null >/dev/null 2>"$T/run.err"
check "ExecStart options accepted ($opts)" [ $? -ne 2 ]

if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir -p "$T/v"
    sed "s|^ExecStart=/opt/mtr/bin/mailtlsrpt|ExecStart=$BIN|" \
        "$U/mailtlsrpt.service" >"$T/v/mailtlsrpt.service"
    cp "$U/mailtlsrpt.timer" "$T/v/"
    (cd "$T/v" && systemd-analyze verify --man=no ./mailtlsrpt.service \
        ./mailtlsrpt.timer) >"$T/verify.out" 2>&1
    rc=$?
    check "systemd-analyze verify exits 0" [ $rc -eq 0 ]
    # warnings (unknown keys, bad values) do not change the exit status
    if [ -s "$T/verify.out" ]; then
        bad "systemd-analyze verify complains:"
        cat "$T/verify.out"
    else
        ok
    fi
    systemd-analyze calendar "$(sed -n 's/^OnCalendar=//p' \
        "$U/mailtlsrpt.timer")" >/dev/null 2>&1
    check "calendar expression valid" [ $? -eq 0 ]
else
    echo "skip: systemd-analyze not installed"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
