#!/bin/sh
# tests/it_fuzzrun.sh - every libFuzzer target runs briefly (make check)
#
# "make fuzz" builds each tests/fuzz/fz_*.c with clang, ASan, UBSan and
# libFuzzer and runs it for FUZZ_SMOKE_SECONDS (default 5) from its seed
# corpus, with a fixed seed so a run can be repeated. A finding (crash,
# sanitizer report, broken invariant) fails the target; long runs are
# "make fuzz FUZZ_SECONDS=600". Without clang's libFuzzer the test is
# skipped, which counts as a failure under CI=true.
set -u
BUILD=${BUILD:-build}
SECS=${FUZZ_SMOKE_SECONDS:-5}
FB=$BUILD-fuzzsmoke
pass=0
fail=0
rt=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null)
if ! command -v clang >/dev/null 2>&1 || [ ! -f "$rt" ]; then
    echo "skipped: no clang with libFuzzer (sh scripts/deps.sh test)"
    if [ "${CI:-}" = true ]; then echo "0 passed, 1 failed"; exit 1; fi
    echo "0 passed, 0 failed"
    exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
make -s fuzz FUZZ_BUILD="$FB" FUZZ_SECONDS="$SECS" \
    FUZZ_ARGS="-seed=1 -rss_limit_mb=2048" >"$out" 2>&1
for src in tests/fuzz/fz_*.c; do
    name=$(basename "$src" .c)
    if ! grep -q "^== $name:" "$out"; then
        fail=$((fail + 1)); echo "FAIL $name: did not run"
    elif grep -q "^$name: FINDING" "$out"; then
        fail=$((fail + 1)); echo "FAIL $name: finding, see $FB/$name.log"
        tail -n 30 "$FB/$name.log"
    else
        pass=$((pass + 1))
        echo "$name: $(grep -A1 "^== $name:" "$out" | tail -n 1)"
    fi
done
[ $((pass + fail)) -gt 0 ] || { fail=1; tail -n 20 "$out"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
