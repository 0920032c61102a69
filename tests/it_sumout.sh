#!/bin/sh
# tests/it_sumout.sh - summary's output is written as its rows are made:
# memory of the domains, not of the rows; -o FILE whole or not at all
#
# benchmarks/gen writes a log of 50,000 recipient domains, each of them
# once (the distinct-keys shape of make bench, smaller). Then:
#   - every form (text, --json, --html) with --top 0, through -o FILE,
#     through -o /dev/stdout (a pipe) and on standard output, gives the
#     same bytes;
#   - the peak RSS of "summary --json --top 0", "--top 0", "--html
#     --top 0", with and without -o FILE, is that of "summary -q" on
#     the same log within 8 MB (160 bytes a domain: a row kept, as a
#     JSON tree or in an output buffer, is 1 KB and more);
#   - a write error: -o /dev/full and standard output on /dev/full say
#     "No space left on device" and exit 1; -o FILE past a file size
#     limit (ulimit -f, as a full disk) says "cannot write FILE: File
#     too large", exits 1, and leaves FILE as it was and nothing else
#     in its directory;
#   - killed (SIGKILL) while it writes -o FILE: FILE as it was, nothing
#     else in its directory.
set -u
BUILD=${BUILD:-build}
BIN=${MAILTLSRPT:-$BUILD/mailtlsrpt}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
GEN=$BUILD/benchmarks/gen
PY=/usr/bin/python3
pass=0
fail=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
ARGS="--config /dev/null -q"
LOG=$T/domains.log

"$GEN" -s 5 -b $((50000 * 1200)) -r -d 50000 >"$LOG" 2>/dev/null
check "log generated" [ -s "$LOG" ]

# ------------------------------------------------ the same bytes
for form in "" --json --html; do
    "$BIN" summary $ARGS $form --top 0 "$LOG" >"$T/std$form" 2>/dev/null
    "$BIN" summary $ARGS $form --top 0 -o "$T/file" "$LOG" 2>/dev/null
    "$BIN" summary $ARGS $form --top 0 -o /dev/stdout "$LOG" 2>/dev/null \
        | cat >"$T/pipe"
    check "summary ${form:-(text)} --top 0: -o FILE as standard output" \
        cmp -s "$T/std$form" "$T/file"
    check "summary ${form:-(text)} --top 0: -o /dev/stdout (a pipe) too" \
        cmp -s "$T/std$form" "$T/pipe"
done
check "--json --top 0: every domain" \
    [ "$(grep -c '"domain": ' "$T/std--json")" -eq 50000 ]

# ------------------------------------------------ peak RSS
"$PY" - "$BIN" "$LOG" "$T/rss.out" <<'EOF' && ok || bad "peak RSS of every form near summary -q's"
import os, subprocess, sys
binary, log, out = sys.argv[1:4]
# one thread: at -j 2 the peak also holds what the chunk pool holds, up
# to 2N+3 chunks with their items (about 8 MB) when the worker is kept
# off its core and the main thread parses ahead, which a loaded machine
# does to one run in some; the forms' own memory is the same at any -j
def peak(args):
    p = subprocess.Popen([binary, "summary", "--config", "/dev/null", "-q",
                          "-j", "1"]
                         + args + [log], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    assert os.WEXITSTATUS(status) == 0, (args, status)
    return ru.ru_maxrss          # KB
base = min(peak([]) for _ in range(2))
bad = []
for form in ([], ["--json"], ["--html"]):
    for o in ([], ["-o", out]):
        k = peak(form + ["--top", "0"] + o)
        print("summary %s --top 0 %s: %d KB (summary -q %d KB)"
              % (" ".join(form), " ".join(o), k, base), file=sys.stderr)
        if k > base + 8 * 1024:
            bad.append((form, o, k))
assert not bad, (base, bad)
EOF

# ------------------------------------------------ write errors
"$BIN" summary $ARGS --json --top 0 -o /dev/full "$LOG" 2>"$T/err"
check "-o /dev/full: exit 1" [ $? -eq 1 ]
check "-o /dev/full: says so" \
    grep -q 'cannot write /dev/full: No space left on device' "$T/err"
"$BIN" summary $ARGS --html --top 0 "$LOG" >/dev/full 2>"$T/err"
check "standard output /dev/full: exit 1" [ $? -eq 1 ]
check "standard output /dev/full: says so" \
    grep -q 'standard output: No space left on device' "$T/err"
mkdir "$T/d"
echo old >"$T/d/out.json"
(
    trap '' XFSZ
    ulimit -f 64                # 32 KB: the JSON of a few hundred rows
    exec "$BIN" summary $ARGS --json --top 0 -o "$T/d/out.json" "$LOG"
) 2>"$T/err"
check "-o FILE past the file size limit: exit 1" [ $? -eq 1 ]
check "-o FILE past the file size limit: says so" \
    grep -q "cannot write $T/d/out.json: File too large" "$T/err"
check "-o FILE past the limit: FILE as it was" \
    [ "$(cat "$T/d/out.json")" = old ]
check "-o FILE past the limit: nothing else in its directory" \
    [ "$(ls -A "$T/d")" = out.json ]

# ------------------------------------------------ killed while writing
# -j 1: a core left for the watcher; caught when the new file is open
# (its writing takes some tens of ms), else tried again
"$PY" - "$BIN" "$LOG" "$T/d" <<'EOF' && ok || bad "SIGKILL while -o FILE is written: FILE as it was, nothing else"
import os, signal, subprocess, sys
binary, log, d = sys.argv[1:4]
out = os.path.join(d, "out.json")
caught = None
for attempt in range(10):
    p = subprocess.Popen([binary, "summary", "--config", "/dev/null", "-q",
                          "-j", "1", "--json", "--top", "0", "-o", out, log])
    while p.poll() is None and caught is None:
        try:
            fds = os.listdir("/proc/%d/fd" % p.pid)
        except OSError:
            break
        for fd in fds:
            try:
                target = os.readlink("/proc/%d/fd/%s" % (p.pid, fd))
            except OSError:
                continue
            if target.startswith(d + "/"):      # the new file, open
                os.kill(p.pid, signal.SIGKILL)
                caught = target
                break
    p.wait()
    if caught is not None:
        break
    with open(out, "w") as f:               # it finished first: again
        f.write("old\n")
print("caught writing:", caught, "status", p.returncode, file=sys.stderr)
assert caught is not None and p.returncode == -signal.SIGKILL, caught
assert open(out).read() == "old\n"
assert os.listdir(d) == ["out.json"], os.listdir(d)
EOF

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
