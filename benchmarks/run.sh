#!/bin/sh
# benchmarks/run.sh - throughput and memory of mailtlsrpt against baselines
#
# Usage: benchmarks/run.sh [SIZE_MB] [DOMAINS] [MTA]
#        (make bench BENCH_MB= BENCH_DOMAINS= BENCH_MTA=; defaults 500,
#        20000, postfix; MTA postfix, exim or sendmail)
# Generates a seeded log of that MTA (benchmarks/gen.c), warms the page
# cache, then times in the same run, on the same file: wc -l, grep -c of
# the delivery lines ('status=' for Postfix, '=>' for Exim, 'stat=' for
# Sendmail),
# mailtlsrpt summary for -j 1..nproc on the plain log and on its .gz form,
# zcat | wc -l, and for Postfix pflogsumm (what operators run today;
# slow: it runs once, on at most the first BENCH_PF_MB MB, compared by
# MB/s). Each row's time is the best of BENCH_RUNS (default 5; .gz rows
# BENCH_GZ_RUNS, default 3), each run right after a run of its baseline
# (grep -c for plain input, zcat | wc -l for .gz): its ratio is its best
# time over the best of those baseline runs, so that a machine slower
# for a while (a shared host) slows both sides of a ratio alike. Prints
# '#' header lines, then one row per run: seconds, MB/s and lines/s of
# log, sessions/s, peak RSS and that ratio. Also checks memory: the same 500
# domains in a log 10x smaller, peak RSS compared. The log and its
# siblings live in BENCH_DIR (default: a new directory in /var/tmp),
# removed at the end.
set -eu
MB=${1:-500}
DOM=${2:-20000}
MTA=${3:-postfix}
case $MTA in
postfix) PAT='status=' ;;
exim) PAT='=>' ;;
sendmail) PAT='stat=' ;;
*) echo "usage: $0 [SIZE_MB] [DOMAINS] [postfix|exim|sendmail]" >&2; exit 2 ;;
esac
RUNS=${BENCH_RUNS:-5}
BUILD=${BUILD:-build}
BIN=$BUILD/mailtlsrpt
GEN=$BUILD/benchmarks/gen
dir=${BENCH_DIR:-$(mktemp -d /var/tmp/mtrbench.XXXXXX)}
trap 'rm -rf "$dir"' EXIT
log=$dir/maillog
ARGS="summary -q --config /dev/null --log-tz UTC --log-year 2024"

"$GEN" -m "$MTA" -s 1 -b $((MB * 1000000)) -d "$DOM" >"$log" 2>"$dir/truth"
# memory pair: 500 domains, so that both sizes reach every domain
"$GEN" -m "$MTA" -s 2 -b $((MB * 100000)) -d 500 >"$log.small" 2>/dev/null
"$GEN" -m "$MTA" -s 2 -b $((MB * 1000000)) -d 500 >"$log.mem" 2>/dev/null
gzip -1 -c "$log" >"$log.gz"
cat "$log" "$log.gz" "$log.small" "$log.mem" >/dev/null    # page cache

# secs CMD...: wall seconds of one run of CMD. Output goes to a file:
# GNU grep stops at the first match when stdout is /dev/null.
secs() {
    s=$(date +%s.%N)
    "$@" >"$dir/out" 2>&1
    e=$(date +%s.%N)
    echo "$e - $s" | bc
}
# lower A B: the smaller of two times ("" is no time yet)
lower() {
    if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc)" = 1 ]; then echo "$2"
    else echo "$1"; fi
}
# best N CMD...: best wall time of N runs of a command, seconds
best() {
    n=$1
    shift
    b=""
    i=0
    while [ "$i" -lt "$n" ]; do
        i=$((i + 1))
        b=$(lower "$b" "$(secs "$@")")
    done
    echo "$b"
}
# pair N BASE_CMD CMD...: N rounds of the baseline (a shell command)
# then the command, back to back, so that a machine that is slower for
# a while slows both; prints "best-command best-baseline" (seconds)
pair() {
    n=$1
    base=$2
    shift 2
    bcmd=""
    bt=""
    i=0
    while [ "$i" -lt "$n" ]; do
        i=$((i + 1))
        bt=$(lower "$bt" "$(secs sh -c "$base")")
        bcmd=$(lower "$bcmd" "$(secs "$@")")
    done
    echo "$bcmd $bt"
}
rss() { /usr/bin/time -f %M "$@" 2>&1 >"$dir/out" | tail -n 1; }
ratio() { echo "scale=2; $1 / $2" | bc; }

bytes=$(stat -c %s "$log")
lines=$(wc -l <"$log")
sessions=$(sed -n 's/^# sessions //p' "$dir/truth")
t_wc=$(best "$RUNS" wc -l "$log")
t_grep=$(best "$RUNS" grep -c "$PAT" "$log")
t_zcat=$(best 1 sh -c "zcat '$log.gz' | wc -l")

echo "# mailtlsrpt benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m)"
echo "# log: $MTA, $((bytes / 1000000)) MB, $lines lines, $sessions sessions, $DOM domains (Zipf 1.1), seed 1"
echo "# baselines: wc -l ${t_wc}s, grep -c $PAT ${t_grep}s, zcat|wc -l ${t_zcat}s"
bases=""
printf '%-22s %8s %9s %10s %11s %8s %8s\n' "# run" "seconds" "MB/s" "lines/s" \
    "sessions/s" "RSS MB" "x base"
row() {
    name=$1; t=$2; r=$3; base=$4
    printf '%-22s %8.3f %9.0f %10.0f %11.0f %8.1f %8s\n' "$name" "$t" \
        "$(echo "$bytes / 1000000 / $t" | bc -l)" "$(echo "$lines / $t" | bc -l)" \
        "$(echo "$sessions / $t" | bc -l)" "$(echo "$r / 1024" | bc -l)" \
        "$(ratio "$t" "$base")"
}
for j in $(seq 1 "$(nproc)"); do
    # shellcheck disable=SC2046
    set -- $(pair "$RUNS" "grep -c '$PAT' '$log'" "$BIN" $ARGS -j "$j" "$log")
    row "mailtlsrpt -j $j" "$1" "$(rss "$BIN" $ARGS -j "$j" "$log")" "$2"
    bases="$bases grep $2"
    [ "$j" -eq "$(nproc)" ] && t_all=$1
done
for j in $(seq 1 "$(nproc)"); do
    # shellcheck disable=SC2046
    set -- $(pair "${BENCH_GZ_RUNS:-3}" "zcat '$log.gz' | wc -l" "$BIN" $ARGS \
        -j "$j" "$log.gz")
    row "mailtlsrpt .gz -j $j" "$1" "$(rss "$BIN" $ARGS -j "$j" "$log.gz")" "$2"
    bases="$bases zcat $2"
done
echo "# x base: plain rows against grep -c $PAT, .gz rows against zcat | wc -l,"
echo "# each the best of its runs, taken in turn with that row's runs (best of each:$bases)"
if [ "$MTA" != postfix ]; then
    :
elif command -v pflogsumm >/dev/null 2>&1; then
    # pflogsumm reads about 1-2 MB/s: on a big log, time it on the first
    # BENCH_PF_MB (default 200) MB and compare throughput (MB/s)
    pf_mb=${BENCH_PF_MB:-200}
    pf_log=$log
    if [ "$MB" -gt "$pf_mb" ]; then
        pf_log=$dir/maillog.pf
        head -c $((pf_mb * 1000000)) "$log" | sed '$d' >"$pf_log"
    fi
    pf_bytes=$(stat -c %s "$pf_log")
    t_pf=$(best 1 pflogsumm "$pf_log")
    printf '%-22s %8.3f %9.0f   (%s MB; mailtlsrpt -j %s has %sx its MB/s)\n' \
        "pflogsumm" "$t_pf" "$(echo "$pf_bytes / 1000000 / $t_pf" | bc -l)" \
        "$((pf_bytes / 1000000))" "$(nproc)" \
        "$(echo "scale=1; ($bytes / $t_all) / ($pf_bytes / $t_pf)" | bc -l)"
else
    echo "# pflogsumm not installed (apt-get install pflogsumm)"
fi
r_small=$(rss "$BIN" $ARGS "$log.small")
r_big=$(rss "$BIN" $ARGS "$log.mem")
echo "# memory, 500 domains: peak RSS $r_small KB for $((MB / 10)) MB of log, $r_big KB for $MB MB: x$(ratio "$r_big" "$r_small")"
