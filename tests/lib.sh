# tests/lib.sh - what the integration tests share: the binary, the
# counters, a temporary directory, the assertions
#
# Sourced from the top of the tree (". tests/lib.sh"), after `set -u`.
# Sets BUILD, BIN (an absolute path: tests change directory), pass,
# fail, and tmp: a fresh directory, on tmpfs when TEST_TMPFS=1 is set
# before and there is one (reports are written with fsync), removed at
# exit after the commands in AT_EXIT (the servers a test started) have
# run; KEEP=1 keeps it. Defines ok, no (and bad, the same), check, eq,
# expect and judge, test_conf and free_ports. A test ends with its own
#	echo "$pass passed, $fail failed"
#	[ "$fail" -eq 0 ]
# shellcheck shell=sh
BUILD=${BUILD:-build}
BIN=${MAILTLSRPT:-$BUILD/mailtlsrpt}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
pass=0
fail=0
AT_EXIT=:
if [ "${TEST_TMPFS:-0}" = 1 ]; then
    tmp=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
else
    tmp=$(mktemp -d)
fi
lib_exit() {
    eval "$AT_EXIT"
    if [ -n "${KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap lib_exit EXIT
trap 'exit 1' INT TERM

ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL: $*"; }
bad() { no "$@"; }
# check DESC CMD...: one assertion, CMD's status
check() {
    desc=$1
    shift
    if "$@"; then ok; else no "$desc"; fi
}
# eq DESC GOT WANT
eq() { if [ "$2" = "$3" ]; then ok; else no "$1: got [$2], want [$3]"; fi; }

# expect DOMAIN EXPR WANT - queue a check: the Python expression EXPR over
# d, the domain's JSON object, must print as WANT (json.dumps form for
# lists, numbers, booleans and null); judge JSONFILE runs the queue
expect() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$tmp/expect"; }
judge() {
    python3 -c 'import json, sys
doms = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    doms[d["domain"]] = d
for line in open(sys.argv[2]):
    dom, expr, want = line.rstrip("\n").split("\t")
    try:
        v = eval(expr, {}, {"d": doms[dom]})
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

# test_conf FILE [LINE...]: a configuration naming the reports' sender
# (Test Org, sender.example, unique_id t1), then LINEs
test_conf() {
    printf 'organization_name = Test Org\ncontact_info = tlsrpt@sender.example\nsubmitter = sender.example\nunique_id = t1\n' \
        >"$1"
    conf_file=$1
    shift
    for l in "$@"; do printf '%s\n' "$l" >>"$conf_file"; done
}

# free_ports N: N loopback TCP ports free now
free_ports() {
    python3 -c '
import socket, sys
ss = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    ss.append(s)
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}
