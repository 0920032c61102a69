#!/bin/sh
# tests/it_parallel.sh - the same result for any number of jobs and any
# way the input is cut into chunks or files
#
# Reference: "-j 1" (one thread, no chunks). Against it, for every log:
# 1. "-j 2", "-j 3" and "-j 8": the same "summary --json", the same
#    "sessions" output, and the same stderr with --verbose (first bad
#    lines with file and line number, the run's summary line);
# 2. chunked standard input: the log through a pipe with the chunk size
#    forced small (MAILTLSRPT_CHUNK=1, 61, 4096 bytes), so that chunks
#    end inside sessions, inside lines' neighbourhoods and, at 1 byte,
#    after every line: the same summary and sessions;
# 3. the same as .gz, chunked: the same summary;
# 4. many files: the log cut into 7 files, passed in reverse order, with
#    "-j 3" and small chunks, and in order with "-j 8": the same summary as
#    the same files at -j 1;
# 5. report files (all days) at "-j 3" with 61-byte chunks: byte-identical
#    to -j 1; and at -j 1 and 2 in 4096-byte chunks, every third parsed
#    into items and the others classified and applied in one pass
#    (MAILTLSRPT_FUSE=3), the same summary and stderr;
# 6. a log of one day with 70,000 domains (the per-domain sums and the
#    rows shown made on threads): summary by sessions, failures and
#    domain, all rows and a few, with --failures-only and --html, at
#    -j 2, 3 (and 8) as at -j 1.
# Logs: every corpus log (Postfix, Exim, Sendmail, wrappers), the demo
# log, the input-form samples (journal JSON, journalctl -x), the bad-input
# catalogue, a generated log with overlong lines (70 and 200 KB), NUL
# bytes, CRLF endings and no final newline, a damaged .gz, and logs from
# the benchmark generator: 4.5 MB of Postfix (thousands of sessions, 100
# processes; over 4 MiB, so at -j 2 and more cut where it lies and each
# chunk read by the thread that parses it, where -j 1, standard input and
# the small logs are read by read(2)), 1 MB each of
# Exim and Sendmail; for these the counted
# sessions must also be the generator's ground truth. And the other
# shapes of make bench, 1 MB each: a new smtp process per delivery, and
# the real Postfix, Exim and Sendmail logs of testdata/mta/logs and
# testdata/corpus replayed with fresh ids (benchmarks/replay.c).
# option lists ($SS, $CONF) are split on purpose
# shellcheck disable=SC2086
set -u
TEST_TMPFS=1
. tests/lib.sh
GEN=$BUILD/benchmarks/gen
REPLAY=$BUILD/benchmarks/replay
test_conf "$tmp/t.conf"
SS="--config $tmp/t.conf --log-tz UTC --log-year 2024"

# same DESC A B: files A and B are byte-identical
same() {
    if cmp -s "$2" "$3"; then ok; else no "$1"; diff "$2" "$3" | head -n 6; fi
}

# run OUT ERR ARGS...: stdout to OUT, stderr to ERR; a sanitizer report
# or a signal fails
RUNENV=
run() {
    out=$1
    err=$2
    shift 2
    $RUNENV "$BIN" "$@" >"$out" 2>"$err"
    r=$?
    if [ "$r" -ge 2 ] || grep -q -E 'Sanitizer|runtime error:' "$err"; then
        no "exit $r: $*"
        tail -n 5 "$err"
    fi
}

# ------------------------------------------------------------ test logs
L=$tmp/logs
mkdir -p "$L"
for f in testdata/corpus/*.log testdata/demo/maillog testdata/forms/*.log \
    testdata/forms/*.json testdata/badinput/*.log; do
    [ -f "$f" ] && cp "$f" "$L/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# edge cases of the chunk reader: overlong lines between sessions, NUL
# bytes, CRLF, a last line without newline
awk 'BEGIN {
    pad = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    while (length(pad) < 70000) pad = pad pad
    big = pad pad pad
    for (i = 0; i < 60; i++) {
        t = sprintf("Apr  5 10:%02d:%02d", int(i / 60), i % 60)
        p = 2000 + i % 7
        printf "%s mx1 postfix/smtp[%d]: Verified TLS connection established to mx.d%d.example[192.0.2.%d]:25: TLSv1.3\n", t, p, i % 5, i % 200 + 1
        if (i % 9 == 0) print t " mx1 postfix/smtpd[99]: " pad
        if (i % 13 == 0) print t " mx1 postfix/smtp[" p "]: " big
        if (i % 11 == 0) printf "%s mx1 postfix/smtp[%d]: nul\0here\n", t, p
        printf "%s mx1 postfix/smtp[%d]: %X: to=<u@d%d.example>, relay=mx.d%d.example[192.0.2.%d]:25, delay=1, dsn=2.0.0, status=sent (250 ok)%s\n", t, p, 1048576 + i * 4099, i % 5, i % 5, i % 200 + 1, (i % 4 == 0) ? "\r" : ""
    }
    printf "Apr  5 11:00:00 mx1 postfix/smtp[2000]: no newline at the end"
}' >"$L/edge.log"
# a damaged .gz: the lines before the damage count
if [ -x "$GEN" ]; then
    "$GEN" -s 7 -b 4500000 -d 300 >"$L/gen.log" 2>"$tmp/gen.truth" ||
        no "generator failed"
    "$GEN" -m exim -s 7 -b 1000000 -d 300 >"$L/gen-exim.log" \
        2>"$tmp/gen-exim.truth" || no "generator -m exim failed"
    "$GEN" -m sendmail -s 7 -b 1000000 -d 300 >"$L/gen-sendmail.log" \
        2>"$tmp/gen-sendmail.truth" || no "generator -m sendmail failed"
    gzip -c "$L/gen.log" | head -c 300000 >"$tmp/damaged.gz"
    "$GEN" -s 8 -b 1000000 -d 300 -u 0 >"$L/gen-churn.log" 2>/dev/null ||
        no "generator -u 0 failed"
fi
if [ -x "$REPLAY" ]; then
    M=testdata/mta/logs
    C=testdata/corpus
    "$REPLAY" -s 7 -b 1000000 "$M"/postfix.*.log "$C"/postfix.log \
        >"$L/replay-postfix.log" 2>/dev/null || no "replay failed"
    "$REPLAY" -s 7 -b 1000000 "$M"/exim.*.log "$C"/exim.log \
        "$C"/exim-testsuite.log >"$L/replay-exim.log" 2>/dev/null ||
        no "replay failed"
    "$REPLAY" -s 7 -b 1000000 "$M"/sendmail.*.log "$C"/sendmail.log \
        >"$L/replay-sendmail.log" 2>/dev/null || no "replay failed"
else
    no "$REPLAY not built"
fi

# ------------------------------------------------------------ 1-3, 5
for log in "$L"/*; do
    name=$(basename "$log")
    ref=$tmp/ref
    run "$ref.sum" "$tmp/ref.err" summary --json -v $SS -j 1 "$log"
    run "$ref.ses" "$tmp/ref.serr" sessions $SS -j 1 "$log"
    for j in 2 3 8; do
        run "$tmp/o" "$tmp/e" summary --json -v $SS -j $j "$log"
        same "$name: summary -j $j" "$ref.sum" "$tmp/o"
        same "$name: stderr -j $j" "$tmp/ref.err" "$tmp/e"
        run "$tmp/o" "$tmp/e" sessions $SS -j $j "$log"
        same "$name: sessions -j $j" "$ref.ses" "$tmp/o"
    done
    for c in 1 61 4096; do
        size=$(wc -c <"$log")
        # one byte per chunk is slow on big logs: the small ones suffice
        [ "$c" -eq 1 ] && [ "$size" -gt 300000 ] && continue
        # workers clear what they will write (MAILTLSRPT_CLAIM=1), as
        # when the CPUs are far apart, and do not (0), as when near
        MAILTLSRPT_CLAIM=1 MAILTLSRPT_CHUNK=$c run "$tmp/o" "$tmp/e" \
            summary --json $SS -j 3 - <"$log"
        same "$name: stdin, $c-byte chunks" "$ref.sum" "$tmp/o"
        MAILTLSRPT_CLAIM=0 MAILTLSRPT_CHUNK=$c run "$tmp/o" "$tmp/e" \
            sessions $SS -j 2 - <"$log"
        same "$name: sessions stdin, $c-byte chunks" "$ref.ses" "$tmp/o"
    done
    # chunks classified and applied in one pass by the main thread next
    # to chunks parsed into items (MAILTLSRPT_FUSE=3: every third is
    # parsed into items; at -j 1 exactly those, at -j 2 some more)
    for j in 1 2; do
        MAILTLSRPT_FUSE=3 MAILTLSRPT_CHUNK=4096 run "$tmp/o" "$tmp/e" \
            summary --json -v $SS -j $j "$log"
        same "$name: summary -j $j, fused by turns" "$ref.sum" "$tmp/o"
        same "$name: stderr -j $j, fused by turns" "$tmp/ref.err" "$tmp/e"
    done
    gzip -c "$log" >"$tmp/in.gz"
    MAILTLSRPT_CHUNK=4096 run "$tmp/o" "$tmp/e" summary --json $SS -j 3 \
        "$tmp/in.gz"
    same "$name: .gz, 4096-byte chunks" "$ref.sum" "$tmp/o"
    rm -rf "$tmp/r1" "$tmp/r3"
    run "$tmp/o" "$tmp/e" report --offline $SS --all-days --out "$tmp/r1" \
        -j 1 "$log"
    MAILTLSRPT_CHUNK=61 run "$tmp/o" "$tmp/e" report --offline $SS \
        --all-days --out "$tmp/r3" -j 3 "$log"
    if diff -r "$tmp/r1" "$tmp/r3" >/dev/null 2>&1; then ok; else
        no "$name: report files -j 3, 61-byte chunks"
    fi
done

# ------------------------------------------------------------ damaged .gz
if [ -f "$tmp/damaged.gz" ]; then
    run "$tmp/ref.sum" "$tmp/ref.err" summary --json -v $SS -j 1 "$tmp/damaged.gz"
    for c in 61 4096 1048576; do
        MAILTLSRPT_CHUNK=$c run "$tmp/o" "$tmp/e" summary --json -v $SS -j 3 \
            "$tmp/damaged.gz"
        same "damaged .gz: summary, $c-byte chunks" "$tmp/ref.sum" "$tmp/o"
        same "damaged .gz: stderr, $c-byte chunks" "$tmp/ref.err" "$tmp/e"
    done
fi

# ------------------------------------------------------------ 4. many files
for log in "$L/corpus-postfix.log" "$L/gen.log"; do
    [ -f "$log" ] || continue
    name=$(basename "$log")
    rm -rf "$tmp/parts"
    mkdir "$tmp/parts"
    (cd "$tmp/parts" && split -n l/7 "$log" part.)
    # shellcheck disable=SC2046
    run "$tmp/ref.sum" "$tmp/e" summary --json $SS -j 1 $(ls "$tmp"/parts/part.*)
    # shellcheck disable=SC2046
    MAILTLSRPT_CHUNK=997 run "$tmp/o" "$tmp/e" summary --json $SS -j 3 \
        $(ls -r "$tmp"/parts/part.*)
    same "$name: 7 files in reverse order, -j 3" "$tmp/ref.sum" "$tmp/o"
    run "$tmp/o" "$tmp/e" summary --json $SS -j 8 $(ls "$tmp"/parts/part.*)
    same "$name: 7 files, -j 8" "$tmp/ref.sum" "$tmp/o"
done

# the generator's ground truth: every session it wrote is counted
for g in gen gen-exim gen-sendmail; do
    [ -f "$L/$g.log" ] || continue
    want=$(sed -n 's/^# sessions //p' "$tmp/$g.truth")
    run "$tmp/o" "$tmp/e" summary --json $SS "$L/$g.log"
    got=$(sed -n 's/^ *"counted": \([0-9]*\).*/\1/p' "$tmp/o")
    if [ -n "$want" ] && [ "$want" = "$got" ]; then ok; else
        no "$g.log: $got sessions counted, the generator wrote $want"
    fi
done

# the local zone (no --log-tz): each parsing thread asks the C library
# for the zone's offset of every new hour, concurrently
if [ -f "$L/gen.log" ]; then
    LZ="--config $tmp/t.conf --log-year 2024"
    for tz in unset Europe/Berlin; do
        if [ "$tz" = unset ]; then RUNENV="env -u TZ"; else RUNENV="env TZ=$tz"; fi
        run "$tmp/o1" "$tmp/e" summary --json $LZ -j 1 "$L/gen.log"
        run "$tmp/o3" "$tmp/e" summary --json $LZ -j 3 "$L/gen.log"
        RUNENV=
        same "gen.log, local zone (TZ $tz): -j 3 as -j 1" "$tmp/o1" "$tmp/o3"
    done
fi

# a log of one day with more domains than summary sums on one thread
# (65,536 groups): with -j the per-domain sums are made by several
# threads, each over a run of whole domains; the same summary as -j 1
if [ -x "$GEN" ]; then
    "$GEN" -s 5 -b 84000000 -r -d 70000 >"$tmp/dom.log" 2>/dev/null
    for sort in sessions failures; do
        for top in 12 0; do
            run "$tmp/o1" "$tmp/e" summary --json --sort $sort --top $top \
                $SS -j 1 "$tmp/dom.log"
            for j in 2 3; do
                run "$tmp/o" "$tmp/e" summary --json --sort $sort \
                    --top $top $SS -j $j "$tmp/dom.log"
                same "70,000 domains, --sort $sort --top $top: -j $j" \
                    "$tmp/o1" "$tmp/o"
            done
        done
    done
    run "$tmp/o1" "$tmp/e" summary $SS -j 1 "$tmp/dom.log"
    run "$tmp/o" "$tmp/e" summary $SS -j 2 "$tmp/dom.log"
    same "70,000 domains, text: -j 2" "$tmp/o1" "$tmp/o"
    # a few rows (--top up to 64): each thread keeps its best rows, no
    # sums of every domain; the same rows, order and totals as -j 1
    for args in "--top 1" "--top 64" "--top 65" "--sort domain --top 7" \
        "--failures-only" "--sort failures --failures-only --top 3" \
        "--html --top 20"; do
        run "$tmp/o1" "$tmp/e" summary $args $SS -j 1 "$tmp/dom.log"
        for j in 2 3 8; do
            run "$tmp/o" "$tmp/e" summary $args $SS -j $j "$tmp/dom.log"
            same "70,000 domains, $args: -j $j" "$tmp/o1" "$tmp/o"
        done
    done
    run "$tmp/o1" "$tmp/e" summary --json --top 0 $SS -j 1 "$tmp/dom.log"
    n=$(grep -c '"domain":' "$tmp/o1")
    if [ "$n" -eq 70000 ]; then ok; else no "70,000 domains: $n rows"; fi
    rm -f "$tmp/dom.log"
fi

# the generated log must exercise the pipeline: many chunks of sessions
if [ -f "$L/gen.log" ]; then
    n=$(grep -c 'status=' "$L/gen.log")
    if [ "$n" -gt 3000 ]; then ok; else no "gen.log: only $n status lines"; fi
else
    no "benchmark generator $GEN not built"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
