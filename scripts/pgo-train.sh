#!/bin/sh
# scripts/pgo-train.sh BIN GEN DIR REPLAY - the training run of a
# profile-guided build (Makefile, PGO=1): BIN, built with
# -fprofile-generate, reads logs of several shapes, so that the counts of
# its branches and calls land in the profile directory the build names.
# GEN (benchmarks/gen) writes Postfix logs of a pool of processes, of
# a new process per delivery (churn) and of every domain in turn (the
# distinct-keys shape), and Exim and Sendmail logs; REPLAY
# (benchmarks/replay) replays the real logs of testdata/mta/logs and
# testdata/corpus with fresh ids: real line shapes of every MTA. Seeds
# and sizes are their own (not the benchmark's), about 16 MB a shape:
# every shape of make bench has about as many bytes in the training as
# the others. Each log is read alone with one thread and with two (the
# chunked pipeline), with the benchmark's --log-tz and --log-year, the
# generator's Exim and Sendmail logs together; then gzip'd, through
# sessions, aggregate + merge and report --offline. PGO_LOGS: more log
# files (an operator's own) read the same way. DIR is scratch.
# Run from the top of the tree (the templates' paths).
set -eu
BIN=$1
GEN=$2
DIR=$3
REPLAY=$4
M=testdata/mta/logs
C=testdata/corpus
run() {
    "$BIN" "$@" --config /dev/null -q >/dev/null 2>&1 || {
        echo "pgo-train: $BIN $* failed" >&2
        exit 1
    }
}

rm -rf "$DIR"
mkdir -p "$DIR"
"$GEN" -s 7 -b 24000000 -d 5000 >"$DIR/pf.log" 2>/dev/null
"$GEN" -s 7 -b 4000000 -d 2000 -m exim >"$DIR/ex.log" 2>/dev/null
"$GEN" -s 7 -b 4000000 -d 2000 -m sendmail >"$DIR/sm.log" 2>/dev/null
"$GEN" -s 8 -b 16000000 -d 20000 -D 2 -u 0 >"$DIR/churn.log" 2>/dev/null
"$GEN" -s 9 -b 16000000 -r -d 13000 >"$DIR/dom.log" 2>/dev/null
"$REPLAY" -s 7 -b 16000000 "$M"/postfix.*.log "$C"/postfix.log \
    >"$DIR/rpf.log" 2>/dev/null
"$REPLAY" -s 7 -b 16000000 "$M"/exim.*.log "$C"/exim.log \
    "$C"/exim-testsuite.log >"$DIR/rex.log" 2>/dev/null
"$REPLAY" -s 7 -b 16000000 "$M"/sendmail.*.log "$C"/sendmail.log \
    >"$DIR/rsm.log" 2>/dev/null
head -c 4000000 "$DIR/pf.log" | gzip -1 >"$DIR/pf.log.gz"
for j in 1 2; do
    for f in pf churn dom rpf rex rsm; do
        run summary -j "$j" --log-tz UTC --log-year 2024 "$DIR/$f.log"
    done
    run summary -j "$j" "$DIR/ex.log" "$DIR/sm.log"
done
head -c 3000000 "$DIR/churn.log" >"$DIR/churn.part"
mkdir "$DIR/rpt"
run report --offline --all-days -j 2 --out "$DIR/rpt" "$DIR/churn.part"
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
