#!/bin/sh
# scripts/fuzz.sh - run every fuzz target under libFuzzer (make fuzz)
#
# Objects come from "make fuzz" (clang, ASan+UBSan, fuzzer-no-link) in
# build-fuzz/. Each target tests/fuzz/fz_NAME.c is linked with
# -fsanitize=fuzzer and run for FUZZ_SECONDS with its working corpus in
# build-fuzz/corpus/NAME, seeded from testdata/ (see seeds below). A
# crash leaves crash-* files in build-fuzz/: minimise, then keep the
# input in testdata/fuzz/NAME/ as a regression (make check replays it).
# FUZZ_BUILD names the build directory, FUZZ_TARGETS (e.g. "fz_line")
# limits the run to some targets, FUZZ_ARGS adds libFuzzer options.
# fz_line runs on inputs of at most 2 KiB (its seed logs cut into pieces
# of 8 lines: a few sessions, all the state a correlator keeps) with the
# plain power schedule (-entropic=0): libFuzzer's entropic schedule
# spent four fifths of its time updating feature frequencies over the
# tens of thousands of features these parsers have, and long inputs
# cost time per byte; so it runs at over 10,000 executions/s instead of
# 1,000. The reader of long lines has its own tests (tests/t_input.c,
# testdata/badinput).
set -eu
B=${FUZZ_BUILD:-build-fuzz}
SECS=${FUZZ_SECONDS:-60}
: "${LIBS:?}"
seeds() {
    case $1 in
    fz_line) echo testdata/postfix/*/input.log testdata/exim/*/input.log \
        testdata/sendmail/*/input.log testdata/corpus/*.log testdata/fuzz/line ;;
    fz_conf) echo docs/mailtlsrpt.conf.example testdata/demo/mailtlsrpt.conf \
        testdata/fuzz/conf ;;
    *) echo "testdata/fuzz/${1#fz_}" ;;
    esac
}
# opts NAME: libFuzzer options of a target
opts() {
    case $1 in
    fz_line) echo "-max_len=2048 -entropic=0" ;;
    fz_state) echo "-max_len=65536 -entropic=0" ;;
    *) echo "-max_len=65536" ;;
    esac
}
status=0
for obj in "$B"/tests/fuzz/fz_*.o; do
    name=$(basename "$obj" .o)
    case " ${FUZZ_TARGETS:-$name} " in *" $name "*) ;; *) continue ;; esac
    # shellcheck disable=SC2086
    clang -fsanitize=fuzzer,address,undefined -o "$B/$name" "$obj" \
        "$B/cli/conf.o" "$B/libmailtlsrpt.a" $LIBS
    mkdir -p "$B/corpus/$name"
    for s in $(seeds "$name"); do
        if [ -d "$s" ]; then cp "$s"/* "$B/corpus/$name/" 2>/dev/null || true
        elif [ "$name" = fz_line ] && [ -f "$s" ]; then
            split -l 8 -a 4 "$s" "$B/corpus/$name/$(echo "$s" | tr / _)."
        elif [ -f "$s" ]; then cp "$s" "$B/corpus/$name/$(echo "$s" | tr / _)"; fi
    done
    echo "== $name: $SECS s"
    # shellcheck disable=SC2086
    (cd "$B" && ./"$name" -max_total_time="$SECS" $(opts "$name") ${FUZZ_ARGS:-} \
        -print_final_stats=1 "corpus/$name") >"$B/$name.log" 2>&1 || status=1
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|#[0-9]+.*DONE)' \
        "$B/$name.log" || true
    grep -E 'cov: [0-9]+' "$B/$name.log" | tail -n 1 || true
    if grep -q 'ERROR: ' "$B/$name.log"; then
        echo "$name: FINDING, see $B/$name.log"
        status=1
    fi
done
exit $status
