#!/bin/sh
# scripts/pgo-train.sh BIN GEN DIR - the training run of a profile-guided
# build (Makefile, PGO=1): BIN, built with -fprofile-generate, reads logs
# that GEN (benchmarks/gen) writes, so that the counts of its branches and
# calls land in the profile directory the build names. The logs have a
# seed and sizes of their own (not the benchmark's), each MTA's own form,
# and are read with one thread and with two (the chunked pipeline), plain
# and gzip'd, through summary, sessions and aggregate + merge. PGO_LOGS:
# more log files (an operator's own) read the same way. DIR is scratch.
set -eu
BIN=$1
GEN=$2
DIR=$3
run() {
    "$BIN" "$@" --config /dev/null -q >/dev/null 2>&1 || {
        echo "pgo-train: $BIN $* failed" >&2
        exit 1
    }
}

rm -rf "$DIR"
mkdir -p "$DIR"
"$GEN" -s 7 -b 40000000 -d 5000 >"$DIR/pf.log" 2>/dev/null
"$GEN" -s 7 -b 8000000 -d 2000 -m exim >"$DIR/ex.log" 2>/dev/null
"$GEN" -s 7 -b 8000000 -d 2000 -m sendmail >"$DIR/sm.log" 2>/dev/null
head -c 4000000 "$DIR/pf.log" | gzip -1 >"$DIR/pf.log.gz"
for j in 1 2; do
    run summary -j "$j" "$DIR/pf.log"
    run summary -j "$j" "$DIR/ex.log" "$DIR/sm.log"
done
run summary -j 2 "$DIR/pf.log.gz"
run sessions -j 1 "$DIR/ex.log"
run aggregate -j 2 -o "$DIR/a.state" "$DIR/sm.log"
run aggregate -j 1 -o "$DIR/b.state" "$DIR/pf.log.gz"
run merge -o "$DIR/ab.state" "$DIR/a.state" "$DIR/b.state"
for f in ${PGO_LOGS:-}; do
    run summary -j 1 "$f"
    run summary -j 2 "$f"
done
rm -rf "$DIR"
