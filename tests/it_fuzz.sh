#!/bin/sh
# tests/it_fuzz.sh - replay every fuzz target's corpus (no libFuzzer needed)
#
# The seeds of "make fuzz" and every kept finding (testdata/fuzz/NAME/)
# go through the fuzz targets built with tests/fuzz/replay.c; a crash or
# a broken invariant (the targets abort) fails the test.
set -u
BUILD=${BUILD:-build}
pass=0
fail=0
run() {
    name=$1
    shift
    out=$("$BUILD/fuzz/$name-replay" "$@" 2>&1)
    rc=$?
    n=$(echo "$out" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
    if [ $rc -eq 0 ] && [ -n "$n" ] && [ "$n" -gt 0 ]; then
        pass=$((pass + n))
        echo "$name: $n inputs replayed"
    else
        fail=$((fail + 1))
        echo "FAIL $name (exit $rc)"
        echo "$out" | tail -n 20
    fi
}
# shellcheck disable=SC2046
run fz_line $(ls -d testdata/*/*/input.log testdata/corpus/*.log \
    testdata/fuzz/line 2>/dev/null)
# shellcheck disable=SC2046
run fz_conf docs/mailtlsrpt.conf.example testdata/demo/mailtlsrpt.conf \
    $(ls testdata/*/*/conf 2>/dev/null) testdata/fuzz/conf
# TLSRPT record and MTA-STS parsers (emit/resolution/trec.c, emit/resolution/sts.c)
run fz_trec testdata/fuzz/trec
run fz_stspol testdata/fuzz/stspol
# policy cache files under --state-dir (emit/resolution/pol_cache.c)
run fz_polcache testdata/fuzz/polcache
# DNS answers in wire form (emit/resolution/dns.c)
run fz_dnsans testdata/fuzz/dnsans
# saved states: decoder, merge, finish (aggregate/agg_state.c)
run fz_state testdata/fuzz/state
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
