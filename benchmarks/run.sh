#!/bin/sh
# benchmarks/run.sh - mailtlsrpt on logs of several shapes against
# baselines, one table (make bench)
#
# Usage: benchmarks/run.sh [SIZE_MB]   (make bench BENCH_MB=; default 250)
# Environment: BUILD (the profile-guided build, default build), BUILD0
# (the same sources with PGO=0, default build-nopgo), BENCH_DIR (where
# the run makes its own new directory for the logs and reports; default
# /var/tmp; only that new directory is removed at the end), BENCH_KEEP
# (1: keep it and print its name: removing its 200,000 or so files
# leaves ext4 slow to create files for minutes, which a following run's
# report column would pay),
# BENCH_RUNS (5), BENCH_GZ_RUNS (3), BENCH_REPORT_RUNS (3), BENCH_PF_MB
# (50), BENCH_DOC (the page whose table is replaced, docs/benchmarks.md;
# empty: print only).
#
# The logs are benchmarks/shapes.sh's (fixed seeds). For each, with the
# page cache warm, in the same run on the same file:
# - the baseline: grep -c of the delivery lines ('status=' for Postfix,
#   '=>' for Exim, 'stat=' for Sendmail), zcat FILE | wc -l for .gz;
# - mailtlsrpt summary -q at -j 1 and -j 2, profile-guided and PGO=0:
#   each row's runs alternate with runs of its baseline, and its ratio is
#   the best of its times over the best of those baseline times (a host
#   slower for a while slows both sides alike);
# - that the results of -j 1, 2 and 3 are the same (summary --json);
# - peak RSS (-j 2; for the distinct-keys log also bytes per domain:
#   peak RSS less that of the generator's log, over the domains more);
# - pflogsumm on the first BENCH_PF_MB MB of each Postfix log, by MB/s;
# - report --offline --all-days -j 2 end to end into an empty directory,
#   in turn with the parse alone (summary -j 2) and benchmarks/floor.c
#   making as many files of the same mean size in another (each after a
#   sync, best of each): the reports must take at most the parse plus
#   1.2x that floor;
# - before the first row and after the last, benchmarks/xcore.c's round
#   trip of a cache line between the first two CPUs (ns): at -j 2 the
#   main thread reads what the other wrote, and on a virtual machine
#   that cost depends on where the host put the two CPUs (it moved
#   between about 100 and 500 ns on the 2-core VM of docs/benchmarks.md,
#   and -j 2 with it), so runs of different placements are told apart.
# Prints the table (Markdown) and puts it into BENCH_DOC between the
# lines "<!-- bench table -->" and "<!-- end bench table -->".
set -eu
MB=${1:-250}
RUNS=${BENCH_RUNS:-5}
GZ_RUNS=${BENCH_GZ_RUNS:-3}
RP_RUNS=${BENCH_REPORT_RUNS:-3}
PF_MB=${BENCH_PF_MB:-50}
BUILD=${BUILD:-build}
BUILD0=${BUILD0:-build-nopgo}
BIN=$BUILD/mailtlsrpt
BIN0=$BUILD0/mailtlsrpt
FLOOR=$BUILD/benchmarks/floor
XCORE=$BUILD/benchmarks/xcore
DOC=${BENCH_DOC-docs/benchmarks.md}
CONF=testdata/demo/mailtlsrpt.conf
ARGS="--config $CONF --log-tz UTC --log-year 2024 -q"
dir=$(mktemp -d "${BENCH_DIR:-/var/tmp}/mtrbench.XXXXXX")
if [ "${BENCH_KEEP:-0}" = 1 ]; then
    trap 'echo "bench: kept $dir" >&2' EXIT
else
    trap 'rm -rf "$dir"' EXIT
fi
start=$(date +%s)

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
# pair N BASE_CMD CMD...: N rounds of the baseline (a shell command)
# then the command, back to back; prints "best-command best-baseline"
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
# r2 X: a number with two decimals
r2() { printf '%.2f' "$1"; }
div() { echo "scale=4; ($1) / ($2)" | bc; }

# report_vs_floor LOG NAME: report --offline end to end against the parse
# (summary -j 2) and the file system's floor, the three in turn, after
# a sync each; prints "report parse floor n ok", bests
report_vs_floor() {
    bt=""
    bp=""
    bf=""
    n=0
    size=0
    i=0
    # new directories every time, nothing deleted until the end: ext4
    # skips inodes deleted in the last half minute or more when it
    # allocates new ones, and creating files right after deleting many
    # costs several times as much. Whoever comes first pays, so report
    # and floor take turns at going first, and each keeps its best
    # (the floor's file count is the report's of the run before). This
    # does not remove it: soon after another make bench, or beside
    # anything creating and deleting many files on the same file
    # system, a create can take 0.6 ms instead of some 30 us, for the
    # report and for the floor alike (strace -T), whichever runs then.
    # Only a run on a quiet file system says what the report costs.
    while [ "$i" -lt "$RP_RUNS" ]; do
        i=$((i + 1))
        r=$dir/files/rpt.$2.$i
        f=$dir/files/flo.$2.$i
        mkdir -p "$r" "$f"
        sync
        bp=$(lower "$bp" "$(secs "$BIN" summary $ARGS -j 2 "$1")")
        if [ $((i % 2)) = 0 ] && [ "$n" -gt 0 ]; then
            sync
            bf=$(lower "$bf" "$("$FLOOR" "$f" "$n" "$size")")
        fi
        sync
        bt=$(lower "$bt" "$(secs "$BIN" report --offline --all-days -j 2 \
            $ARGS --out "$r" "$1")")
        n=$(ls "$r" | wc -l)
        size=$(($(du -sb "$r" | cut -f1) / (n > 0 ? n : 1)))
        if [ $((i % 2)) = 1 ]; then
            sync
            bf=$(lower "$bf" "$("$FLOOR" "$f" "$n" "$size")")
        fi
    done
    # with few files the floor is about one syncfs and the parse's own
    # spread is larger than it: no verdict below 1,000 files
    ok=no
    [ "$(echo "$bt <= $bp + 1.2 * $bf" | bc)" = 1 ] && ok=yes
    [ "$n" -lt 1000 ] && ok=-
    echo "$bt $bp $bf $n $ok"
}

BUILD=$BUILD sh benchmarks/shapes.sh "$dir" "$MB" >"$dir/shapes"
cat "$dir"/*.log "$dir"/*.gz >/dev/null        # page cache
gen_rss=""
T=$dir/table
{
    echo "| log | MB | lines | domains | baseline s | -j 1 | -j 2 |" \
        "-j 1 PGO=0 | -j 2 PGO=0 | MB/s -j 2 | pflogsumm MB/s |" \
        "peak RSS MB | same -j 1, 2, 3 | report --offline -j 2 s" \
        "(reports) | floor s | report <= parse + 1.2 floor |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" \
        "---: | ---: | ---: | --- | ---: | ---: | --- |"
} >"$T"
xc0=$("$XCORE" 2>/dev/null || echo -)
while read -r name ndom; do
    log=$dir/$name
    case $name in
    exim*) pat='=>' ;;
    sendmail*) pat='stat=' ;;
    *) pat='status=' ;;
    esac
    case $name in
    *.gz) base="zcat '$log' | wc -l"; n=$GZ_RUNS ;;
    *) base="grep -c '$pat' '$log'"; n=$RUNS ;;
    esac
    # a .gz row: the bytes and lines of what it holds
    bytes=$(zcat -f "$log" | wc -c)
    lines=$(zcat -f "$log" | wc -l)
    cells=""
    bbest=""
    for b in "$BIN" "$BIN0"; do
        for j in 1 2; do
            # shellcheck disable=SC2086
            set -- $(pair "$n" "$base" "$b" summary $ARGS -j "$j" "$log")
            cells="$cells | $(r2 "$(div "$1" "$2")")"
            bbest=$(lower "$bbest" "$2")
            [ "$b" = "$BIN" ] && [ "$j" = 2 ] && t2=$1
        done
    done
    same=yes
    for j in 1 2 3; do
        "$BIN" summary --json $ARGS -j "$j" "$log" >"$dir/sum.$j" 2>/dev/null
    done
    cmp -s "$dir/sum.1" "$dir/sum.2" && cmp -s "$dir/sum.1" "$dir/sum.3" ||
        same=NO
    seen=$(grep -c '"domain":' "$dir/sum.1" || true)
    # shellcheck disable=SC2086
    r=$(rss "$BIN" summary $ARGS -j 2 "$log")
    rcell=$(r2 "$(div "$r" 1024)")
    case $name in
    gen.log) gen_rss=$r ;;
    domains.log)
        [ -n "$gen_rss" ] && [ "$seen" -gt 20000 ] &&
            rcell="$rcell ($(((r - gen_rss) * 1024 / (seen - 20000))) B/domain)"
        ;;
    esac
    pf="-"
    case $name in
    gen.log | corpus.log | churn.log)
        head -c $((PF_MB * 1000000)) "$log" | sed '$d' >"$dir/pf.log"
        tp=$(secs pflogsumm "$dir/pf.log")
        pf=$(printf '%.1f' "$(div "$(stat -c %s "$dir/pf.log")" "$tp * 1000000")")
        rm -f "$dir/pf.log"
        ;;
    esac
    rep="- | - | -"
    case $name in
    domains.log | *.gz) ;;
    *)
        # shellcheck disable=SC2046
        set -- $(report_vs_floor "$log" "$name")
        rep="$(r2 "$1") ($4) | $(r2 "$3") | $5 ($(r2 "$2") + 1.2 x $(r2 "$3") = $(r2 "$(echo "$2 + 1.2 * $3" | bc)"))"
        ;;
    esac
    echo "| $name | $((bytes / 1000000)) | $lines | $seen | $(r2 "$bbest")$cells |" \
        "$(printf '%.0f' "$(div "$bytes" "$t2 * 1000000")") | $pf | $rcell |" \
        "$same | $rep |" >>"$T"
done <"$dir/shapes"
el=$(($(date +%s) - start))
xc1=$("$XCORE" 2>/dev/null || echo -)
{
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m)," \
        "commit $(git rev-parse --short HEAD 2>/dev/null || echo -)," \
        "\`make bench BENCH_MB=$MB\`: $((el / 60)) min $((el % 60)) s." \
        "Ratios: best of $RUNS runs ($GZ_RUNS for .gz) over the best of the" \
        "baseline's runs taken in turn with them; baseline \`grep -c\`" \
        "of the delivery lines, for .gz \`zcat FILE | wc -l\`." \
        "A cache line's round trip between the first two CPUs" \
        "(benchmarks/xcore.c): $xc0 ns before the first row, $xc1 ns after" \
        "the last."
} >>"$T"
cat "$T"
if [ -n "$DOC" ] && grep -q '^<!-- bench table -->$' "$DOC"; then
    awk -v t="$T" '
        /^<!-- bench table -->$/ { print; while ((getline l < t) > 0) print l; skip = 1; next }
        /^<!-- end bench table -->$/ { skip = 0 }
        !skip' "$DOC" >"$dir/doc" && cat "$dir/doc" >"$DOC"
    echo "table written to $DOC"
fi
