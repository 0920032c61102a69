#!/bin/sh
# benchmarks/run.sh - throughput and memory of mailtlsrpt against baselines
#
# Usage: benchmarks/run.sh [SIZE_MB] [DOMAINS]   (make bench; defaults 500, 20000)
# Generates a seeded Postfix log (benchmarks/gen.c), warms the page cache,
# then times in the same run, on the same file: wc -l, grep -c 'status=',
# mailtlsrpt summary for -j 1..nproc, the .gz form against zcat | wc -l,
# and pflogsumm (what operators run today). Each time is the best of 3.
# Prints '#' header lines, then columns; ratios are against baselines
# measured in this run (machines are noisy, ratios less so). Also checks
# memory: the same 500 domains in a log 10x smaller, peak RSS compared.
set -eu
MB=${1:-500}
DOM=${2:-20000}
BUILD=${BUILD:-build}
BIN=$BUILD/mailtlsrpt
GEN=$BUILD/benchmarks/gen
dir=${BENCH_DIR:-$(mktemp -d /var/tmp/mtrbench.XXXXXX)}
trap 'rm -rf "$dir"' EXIT
log=$dir/maillog
ARGS="summary -q --config /dev/null --log-tz UTC --log-year 2024"

"$GEN" -s 1 -b $((MB * 1000000)) -d "$DOM" >"$log" 2>"$dir/truth"
# memory pair: 500 domains, so that both sizes reach every domain
"$GEN" -s 2 -b $((MB * 100000)) -d 500 >"$log.small" 2>/dev/null
"$GEN" -s 2 -b $((MB * 1000000)) -d 500 >"$log.mem" 2>/dev/null
gzip -1 -c "$log" >"$log.gz"
cat "$log" "$log.gz" "$log.small" "$log.mem" >/dev/null    # page cache

# best - best wall time of 3 runs of a command, seconds. Output goes to a
# file: GNU grep stops at the first match when stdout is /dev/null.
best() {
    b=""
    for _ in 1 2 3; do
        s=$(date +%s.%N)
        "$@" >"$dir/out" 2>&1
        e=$(date +%s.%N)
        t=$(echo "$e - $s" | bc)
        if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
    done
    echo "$b"
}
rss() { /usr/bin/time -f %M "$@" 2>&1 >"$dir/out" | tail -n 1; }
ratio() { echo "scale=2; $1 / $2" | bc; }

bytes=$(stat -c %s "$log")
lines=$(wc -l <"$log")
sessions=$(sed -n 's/^# sessions //p' "$dir/truth")
t_wc=$(best wc -l "$log")
t_grep=$(best grep -c 'status=' "$log")
t_zcat=$(best sh -c "zcat '$log.gz' | wc -l")

echo "# mailtlsrpt benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m)"
echo "# log: $((bytes / 1000000)) MB, $lines lines, $sessions sessions, $DOM domains (Zipf 1.1), seed 1"
echo "# baselines: wc -l ${t_wc}s, grep -c status= ${t_grep}s, zcat|wc -l ${t_zcat}s"
printf '%-22s %8s %9s %10s %11s %8s %9s\n' "# run" "seconds" "MB/s" "lines/s" \
    "sessions/s" "RSS MB" "x grep"
row() {
    name=$1; t=$2; r=$3; base=$4
    printf '%-22s %8.3f %9.0f %10.0f %11.0f %8.1f %9s\n' "$name" "$t" \
        "$(echo "$bytes / 1000000 / $t" | bc -l)" "$(echo "$lines / $t" | bc -l)" \
        "$(echo "$sessions / $t" | bc -l)" "$(echo "$r / 1024" | bc -l)" \
        "$(ratio "$t" "$base")"
}
for j in $(seq 1 "$(nproc)"); do
    t=$(best "$BIN" $ARGS -j "$j" "$log")
    row "mailtlsrpt -j $j" "$t" "$(rss "$BIN" $ARGS -j "$j" "$log")" "$t_grep"
done
t=$(best "$BIN" $ARGS "$log.gz")
printf '%-22s %8.3f   (x zcat|wc -l: %s)\n' "mailtlsrpt .gz" "$t" "$(ratio "$t" "$t_zcat")"
if command -v pflogsumm >/dev/null 2>&1; then
    t_pf=$(best pflogsumm "$log")
    t=$(best "$BIN" $ARGS "$log")
    printf '%-22s %8.3f   (mailtlsrpt is %sx faster)\n' "pflogsumm" "$t_pf" \
        "$(ratio "$t_pf" "$t")"
else
    echo "# pflogsumm not installed (apt-get install pflogsumm)"
fi
r_small=$(rss "$BIN" $ARGS "$log.small")
r_big=$(rss "$BIN" $ARGS "$log.mem")
echo "# memory, 500 domains: peak RSS $r_small KB for $((MB / 10)) MB of log, $r_big KB for $MB MB: x$(ratio "$r_big" "$r_small")"
