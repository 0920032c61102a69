#!/bin/sh
# tests/run.sh - run every test program and script, add up their results
#
# Each unit test binary (BUILD/tests/t_*) and each test script
# (tests/it_*.sh, tests/cases.sh) ends its output with "N passed, N failed".
# This script adds them up and ends with the same line for the whole run.
# A program that crashes or prints no such line counts as one failure.
set -u
BUILD=${BUILD:-build}
export BUILD
total_p=0
total_f=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
    name=$1
    shift
    "$@" >"$log" 2>&1
    rc=$?
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$last" ]; then
        p=0
        f=1
    else
        p=${last%% passed*}
        f=${last#*passed, }
        f=${f%% failed*}
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            f=1
        fi
    fi
    if [ "$f" -ne 0 ]; then
        echo "--- $name (exit $rc)"
        tail -n 40 "$log"
    fi
    printf '%-28s %4d passed, %d failed\n' "$name" "$p" "$f"
    total_p=$((total_p + p))
    total_f=$((total_f + f))
}

for t in "$BUILD"/tests/t_*; do
    [ -x "$t" ] || continue
    run_one "$(basename "$t")" "$t"
done
for s in tests/cases.sh tests/it_*.sh; do
    [ -f "$s" ] || continue
    run_one "$(basename "$s")" sh "$s"
done
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
