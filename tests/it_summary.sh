#!/bin/sh
# tests/it_summary.sh - summary of a busy host: one screen, sorted,
# totals; the HTML page read back from headless Chromium
#
# benchmarks/gen writes a two-day Postfix log of 100 MB to 20,000
# recipient domains (Zipf: a few big ones, a long tail; some 10,000 of
# them occur). Then:
#   - on a terminal of 80 x 24 (a pty), "summary" with no options fits
#     the screen: every line at most 80 columns, at most 24 lines with
#     the run's line on standard error; a header with the period, hosts,
#     lines and sessions; rows sorted by sessions; the totals;
#   - the totals equal the generator's ground truth and the sum of all
#     domains of "summary --json --top 0";
#   - "summary --html" loaded in Chromium (Debian's, headless, a fresh
#     profile, no network): the header, 12 rows and a row saying how
#     many more, the totals; the chart's y axis has round ticks from 0 up
#     to at least the highest bar, bars adding up to the failures, a
#     legend of exactly the result types present; a screenshot is made;
#   - an empty log gives a page that says "no sessions", no chart.
set -u
BUILD=${BUILD:-build}
BIN=${MAILTLSRPT:-$BUILD/mailtlsrpt}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
GEN=$BUILD/benchmarks/gen
PY=/usr/bin/python3
pass=0
fail=0
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] && cp -r "$T" "$KEEP"; rm -rf "$T"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
ARGS="--config /dev/null --log-tz UTC --log-year 2026"

"$GEN" -s 11 -b 100000000 -d 20000 -D 2 -y 2026 >"$T/mail.log" \
    2>"$T/truth"
check "log generated" [ -s "$T/mail.log" ]
truth=$(sed -n 's/^# sessions //p' "$T/truth")

# the text form on an 80 x 24 terminal, standard error on it too
"$PY" - "$BIN" "$T/mail.log" $ARGS >"$T/tty" <<'EOF'
import fcntl, os, pty, re, struct, sys, termios
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "summary"] + sys.argv[2:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
os.waitpid(pid, 0)
text = out.decode()
# the progress line is drawn and erased with CR and erase-line
text = re.sub(r"[^\n]*\x1b\[K", "", text.replace("\r\n", "\n"))
sys.stdout.write(text)
EOF
"$PY" - "$T/tty" <<'EOF' && ok || bad "summary on 80 x 24: one screen"
import sys
lines = open(sys.argv[1]).read().rstrip("\n").split("\n")
rows = sum(max(1, -(-len(l) // 80)) for l in lines)
assert rows <= 24, "%d screen lines:\n%s" % (rows, "\n".join(lines))
data = [l for l in lines if not l.startswith("mailtlsrpt:")]
assert all(len(l) <= 80 for l in data), [l for l in data if len(l) > 80]
EOF
"$BIN" summary $ARGS "$T/mail.log" >"$T/text" 2>/dev/null
"$BIN" summary --json --top 0 $ARGS "$T/mail.log" >"$T/all.json" 2>/dev/null
"$PY" - "$T/text" "$T/all.json" "$truth" <<'EOF' && ok || bad "text: header, sorted rows, totals = JSON = ground truth"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
j = json.load(open(sys.argv[2]))
truth = int(sys.argv[3])
assert lines[0] == "period %s .. %s (UTC), 1 log host" % (
    j["period"]["first-day"], j["period"]["last-day"]), lines[0]
assert lines[1].startswith("read %d lines, " % j["lines"]), lines[1]
rows = [l.split() for l in lines[3:15]]
assert len(rows) == 12, lines
s = [int(r[1]) for r in rows]
assert s == sorted(s, reverse=True), s
assert lines[15].startswith("(%d more domains by sessions" % (j["domains-total"] - 12)), lines[15]
tot = lines[16].split()
assert tot[0] == "TOTAL" and int(tot[1]) == truth, (tot, truth)
assert sum(d["sessions"] for d in j["domains"]) == truth
assert sum(d["failed"] for d in j["domains"]) == j["totals"]["failed"] == int(tot[3])
assert j["domains-total"] == len(j["domains"]) > 5000, j["domains-total"]
print("domains", j["domains-total"], "sessions", truth, file=sys.stderr)
EOF

# the page in Chromium
"$BIN" summary --html $ARGS -o "$T/page.html" "$T/mail.log" 2>/dev/null
check "summary --html -o" [ -s "$T/page.html" ]
: >"$T/empty.log"
"$BIN" summary --html $ARGS -o "$T/empty.html" "$T/empty.log" 2>/dev/null
chrome() {
    n=$1
    shift
    timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync \
        --user-data-dir="$T/profile.$n" "$@" 2>"$T/chromium.err"
}
if ! command -v chromium >/dev/null 2>&1; then
    bad "chromium not installed (scripts/deps.sh test installs it)"
else
    chrome 1 --dump-dom "file://$T/page.html" >"$T/dom.html"
    check "chromium: a DOM" [ -s "$T/dom.html" ]
    "$PY" - "$T/dom.html" "$T/all.json" <<'EOF' && ok || bad "the rendered page"
import json, re, sys
dom = open(sys.argv[1]).read()
j = json.load(open(sys.argv[2]))
get = lambda i: re.search(r'<span id="%s">([^<]*)</span>' % i, dom).group(1)
assert int(get("sessions")) == sum(d["sessions"] for d in j["domains"])
assert int(get("lines")) == j["lines"] and get("hosts") == "1"
assert " .. " in get("period")
assert len(re.findall(r'<tr class="domain">', dom)) == 12
more = re.search(r'<tr class="more"><td colspan="5">(\d+) more domains', dom)
assert more and int(more.group(1)) == j["domains-total"] - 12
tot = re.search(r'<tr class="total"><td>total \((\d+) domains\)</td><td>(\d+)</td>'
                r'<td>(\d+)</td><td[^>]*>(\d+)</td>', dom)
assert tot and int(tot.group(1)) == j["domains-total"]
assert int(tot.group(4)) == j["totals"]["failed"]
ticks = [int(v) for v in re.findall(r'<text class="tick" data-value="(\d+)"', dom)]
assert len(ticks) >= 3 and ticks[0] == 0, ticks
step = ticks[1]
assert all(b - a == step for a, b in zip(ticks, ticks[1:])), ticks
assert str(step)[0] in "125" and set(str(step)[1:]) <= {"0"}, step
bars = re.findall(r'<rect class="bar" data-day="([\d-]+)" data-type="([a-z-]+)" '
                  r'data-count="(\d+)"', dom)
per_day = {}
for d, t, c in bars:
    per_day[d] = per_day.get(d, 0) + int(c)
assert sum(per_day.values()) == j["totals"]["failed"]
assert ticks[-1] >= max(per_day.values()), (ticks, per_day)
assert ticks[-2] < max(per_day.values()), (ticks, per_day)
legend = re.findall(r'<span class="type" data-type="([a-z-]+)">', dom)
assert sorted(legend) == sorted(j["totals"]["failures"]), (legend, j["totals"])
assert len(legend) < 11
EOF
    chrome 2 --dump-dom "file://$T/empty.html" >"$T/empty.dom"
    check "empty log: the page says no sessions" \
        grep -q '<p id="chart" class="empty">no sessions</p>' "$T/empty.dom"
    check "empty log: no chart" sh -c "! grep -q '<svg' '$T/empty.dom'"
    chrome 3 --screenshot="$T/page.png" --window-size=1000,1250 \
        --hide-scrollbars "file://$T/page.html" >/dev/null
    check "chromium: a screenshot" [ "$(stat -c %s "$T/page.png" 2>/dev/null || echo 0)" -gt 20000 ]
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
