#!/bin/sh
# benchmarks/follow.sh - how mailtlsrpt follow keeps up with a growing log
#
# Usage: sh benchmarks/follow.sh [LINES] [SECONDS]   (make bench-follow)
#   LINES    lines for the throughput run (default 2000000)
#   SECONDS  length of the lag and CPU runs (default 60)
# Three runs, each on a log of its own in a fresh state directory:
#   1. throughput: the log of benchmarks/gen (Postfix, seed 1) appended
#      as fast as cat writes it, in 8 MiB pieces, to a file follow reads
#      from its start; lines/s = LINES / the time from the first byte
#      written until mailtlsrpt_follow_lines_total counts them all
#      (polled every 10 ms from --metrics-file, which follow rewrites
#      every checkpoint: --checkpoint-every 1). Target: 200,000 lines/s.
#   2. lag at 1,000 lines/s: a writer appends the generated lines one
#      write(2) each at 1,000 lines/s and, every 100 ms, a probe session
#      (a TLS line and its status line, domain probe-N.example) whose
#      event (--events -) the benchmark waits for; lag = the event's
#      arrival - the probe's write. Target: under 1 s (max over probes).
#   3. CPU at 100 lines/s: the same writer at 100 lines/s for SECONDS;
#      CPU = (utime + stime of the follower, from /proc) / SECONDS.
#      Target: under 1 % of a core.
# Output: "#" header lines, then one row per run. The machine may be
# shared: the load average before each run is printed with it.
set -u
BUILD=${BUILD:-build}
BIN=${MAILTLSRPT:-$BUILD/mailtlsrpt}
GEN=${GEN:-$BUILD/benchmarks/gen}
LINES=${1:-2000000}
SECS=${2:-60}
tmp=$(mktemp -d)
FPID=
trap '[ -n "$FPID" ] && kill "$FPID" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
CONF="--config /dev/null"
load() { cut -d' ' -f1 /proc/loadavg; }

[ -x "$GEN" ] || { echo "follow.sh: no $GEN (make $GEN)" >&2; exit 1; }
# the generated log, cut at LINES lines
"$GEN" -s 1 -b $((LINES * 140)) -d 5000 -D 1 2>/dev/null | head -n "$LINES" \
    >"$tmp/gen.log"
n=$(wc -l <"$tmp/gen.log")
echo "# mailtlsrpt follow benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m)"
echo "# log: benchmarks/gen -s 1 -d 5000 (Postfix), $n lines, $(($(wc -c <"$tmp/gen.log") / 1048576)) MB"
printf '# %-26s %12s %10s %8s\n' run result target load

# ------------------------------------------------------------ 1.
mkdir -p "$tmp/s1"
: >"$tmp/t1.log"
"$BIN" follow $CONF -q --state-dir "$tmp/s1" --checkpoint-every 1 \
    --metrics-file "$tmp/m1.prom" "$tmp/t1.log" >/dev/null 2>&1 &
FPID=$!
sleep 1
l=$(load)
python3 - "$tmp/gen.log" "$tmp/t1.log" "$tmp/m1.prom" "$n" >"$tmp/r1" <<'EOF'
import os, re, sys, time
src, dst, prom, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
pat = re.compile(rb"^mailtlsrpt_follow_lines_total (\d+)$", re.M)
def counted():
    try:
        m = pat.search(open(prom, "rb").read())
        return int(m.group(1)) if m else 0
    except OSError:
        return 0
t0 = time.time()
with open(src, "rb") as f, open(dst, "ab") as o:
    while True:
        b = f.read(8 << 20)
        if not b:
            break
        o.write(b)
        o.flush()
tw = time.time() - t0
while counted() < n and time.time() - t0 < 600:
    time.sleep(0.01)
t = time.time() - t0
print("%d %.3f %.3f" % (n / t, t, tw))
EOF
kill "$FPID"
wait "$FPID" 2>/dev/null
FPID=
read -r rate secs wsecs <"$tmp/r1"
printf '  %-26s %12s %10s %8s  (%s s for %s lines; cat wrote them in %s s)\n' \
    "throughput lines/s" "$rate" ">=200000" "$l" "$secs" "$n" "$wsecs"

# ------------------------------------------------------------ writer
cat >"$tmp/writer.py" <<'EOF'
import os, sys, time, threading
src, dst, rate, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
probes = sys.argv[5] == "probes"
lines = open(src, "rb").read().split(b"\n")
fd = os.open(dst, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
sent = {}
lags = []
done = threading.Event()
def reader():
    # events of follow on stdin: probe domains
    for l in sys.stdin:
        i = l.find('"domain":"probe-')
        if i < 0:
            continue
        k = int(l[i + 16:l.index(".", i + 16)])
        if k in sent:
            lags.append(time.time() - sent.pop(k))
if probes:
    threading.Thread(target=reader, daemon=True).start()
t0 = time.time()
i = 0
k = 0
next_probe = t0
while True:
    now = time.time()
    if now - t0 >= secs:
        break
    due = int((now - t0) * rate)
    while i < due:
        os.write(fd, lines[i % len(lines)] + b"\n")
        i += 1
    if probes and now >= next_probe:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        pid = 60000 + k % 5000
        d = "probe-%d.example" % k
        sent[k] = time.time()
        os.write(fd, ("%s bench postfix/smtp[%d]: Verified TLS connection established to mx.%s[192.0.2.7]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
                      "%s bench postfix/smtp[%d]: P%05dX: to=<u@%s>, relay=mx.%s[192.0.2.7]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 ok)\n"
                      % (ts, pid, d, ts, pid, k, d, d)).encode())
        k += 1
        next_probe += 0.1
    time.sleep(0.001)
if probes:
    time.sleep(2)
    lags.sort()
    lost = len(sent)
    print("%.3f %.3f %.3f %d %d" % (lags[-1] if lags else -1,
          lags[len(lags) * 99 // 100] if lags else -1,
          lags[len(lags) // 2] if lags else -1, len(lags), lost))
else:
    print(i)
EOF

# ------------------------------------------------------------ 2.
mkdir -p "$tmp/s2"
: >"$tmp/t2.log"
l=$(load)
mkfifo "$tmp/ev"
"$BIN" follow $CONF -q --state-dir "$tmp/s2" --events - "$tmp/t2.log" \
    >"$tmp/ev" 2>/dev/null &
FPID=$!
python3 "$tmp/writer.py" "$tmp/gen.log" "$tmp/t2.log" 1000 "$SECS" probes \
    <"$tmp/ev" >"$tmp/r2"
kill "$FPID"
wait "$FPID" 2>/dev/null
FPID=
read -r lmax l99 l50 nprobe lost <"$tmp/r2"
printf '  %-26s %12s %10s %8s  (max; p99 %s s, median %s s, %s probes, %s without event)\n' \
    "lag s at 1,000 lines/s" "$lmax" "<1" "$l" "$l99" "$l50" "$nprobe" "$lost"

# ------------------------------------------------------------ 3.
mkdir -p "$tmp/s3"
: >"$tmp/t3.log"
l=$(load)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# as the systemd unit runs it: HTTP endpoint and metrics file
"$BIN" follow $CONF -q --state-dir "$tmp/s3" --metrics-file "$tmp/m3.prom" \
    --metrics-listen "127.0.0.1:$port" "$tmp/t3.log" >/dev/null 2>&1 &
FPID=$!
sleep 1
tick=$(getconf CLK_TCK)
c0=$(awk '{ print $14 + $15 }' "/proc/$FPID/stat")
python3 "$tmp/writer.py" "$tmp/gen.log" "$tmp/t3.log" 100 "$SECS" plain </dev/null >"$tmp/r3"
c1=$(awk '{ print $14 + $15 }' "/proc/$FPID/stat")
kill "$FPID"
wait "$FPID" 2>/dev/null
FPID=
cpu=$(awk -v a="$c0" -v b="$c1" -v t="$tick" -v s="$SECS" \
    'BEGIN { printf "%.2f", (b - a) / t / s * 100 }')
printf '  %-26s %12s %10s %8s  (%s ticks of 1/%s s in %s s, %s lines, metrics file every 5 s)\n' \
    "CPU % at 100 lines/s" "$cpu" "<1" "$l" "$((c1 - c0))" "$tick" "$SECS" "$(cat "$tmp/r3")"
