#!/bin/sh
# tests/it_forms.sh - every form a maillog arrives in gives the same
# reports; damaged input loses only what it must
#
# From testdata/demo/maillog (one day of Postfix, syslog stamps in UTC,
# golden reports in testdata/golden/demo) this test makes, at run time:
# 1. .gz .xz .zst .bz2 files, single and multi-member (pigz/pbzip2/pzstd
#    style), as files and on standard input;
# 2. journalctl renderings (tests/tool_jform): json, json-seq, export,
#    short, short -x (catalog lines), short-precise, short-iso,
#    short-iso-precise, short-unix, short-full (--utc), and RFC 5424, on
#    standard input;
# 3. the log split into 3 rotated pieces, cut inside a session, named
#    maillog.2.gz (oldest), maillog.1.xz, maillog, passed in several
#    orders.
# Each must give reports byte-identical to testdata/golden/demo. Then:
# 4. truncated .gz/.xz/.zst/.bz2 (cut at half) of a 24-day log: exit 1, a
#    warning naming the file, and the sessions before the damage reported
#    (counted > 0 and < full, each one a session of the whole log); the
#    same for the demo day as .gz, .xz and 3-member .zst/.bz2; the
#    single-block demo .zst/.bz2 cut at half: exit 1, warning, nothing;
# 5. random bytes: exit 0, "looks binary" warning; gzip magic + junk:
#    exit 1; an lz4 file: exit 1, "cannot read this format";
# 6. New Year: Dec 30-31 lines (mtime 2025-01-01) and Jan 1 lines (mtime
#    2025-01-02), no --log-year, given newest first, a session across the
#    two files: days 2024-12-30 .. 2025-01-01, the straddling session
#    counted once on 2024-12-31.
# option lists ($R, $SS) are split on purpose
# shellcheck disable=SC2086
set -u
TEST_TMPFS=1          # reports are written with fsync
. tests/lib.sh
JF=$BUILD/tests/tool_jform
case $JF in /*) ;; *) JF=$(pwd)/$JF ;; esac
LOG=$(pwd)/testdata/demo/maillog
GOLD=$(pwd)/testdata/golden/demo
CONF=$(pwd)/testdata/demo/mailtlsrpt.conf
R="--config $CONF --log-tz UTC --log-year 2024"
T=$tmp/in
mkdir "$T"

# checkx DESC EXPR: one assertion given as shell text (for && chains)
checkx() {
    if eval "$2"; then ok; else no "$1"; fi
}

# sane NAME: no signal, no sanitizer report in $tmp/NAME.err
sane() {
    if [ "$rc" -ge 128 ]; then
        no "$1: killed by a signal (exit $rc)"
        tail -n 20 "$tmp/$1.err"
    elif grep -q -E 'Sanitizer|runtime error:' "$tmp/$1.err"; then
        no "$1: sanitizer report"
        head -n 30 "$tmp/$1.err"
    else
        ok
    fi
}

# golden NAME [FILE...]: reports from FILEs (none: stdin) equal the
# golden files, exit 0
golden() {
    name=$1
    shift
    "$BIN" report --offline --no-gzip --all-days $R --out "$tmp/out-$name" \
        "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    sane "$name"
    check "$name: exit $rc, want 0" [ "$rc" = 0 ]
    if diff -r "$GOLD" "$tmp/out-$name" >"$tmp/$name.diff" 2>&1; then
        ok
    else
        no "$name: reports differ from testdata/golden/demo"
        head -n 10 "$tmp/$name.diff"
        tail -n 3 "$tmp/$name.err"
    fi
}

# summ NAME ARGS...: summary --json into $tmp/NAME.json, status in $rc
summ() {
    name=$1
    shift
    "$BIN" summary --json "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"
    rc=$?
    sane "$name"
}
counted() { sed -n 's/.*"counted": \([0-9]*\).*/\1/p' "$tmp/$1.json"; }

# ------------------------------------------------- 1. compressed files
gzip -n -c "$LOG" >"$T/maillog.gz"
xz -c "$LOG" >"$T/maillog.xz"
zstd -q -c "$LOG" >"$T/maillog.zst"
bzip2 -c "$LOG" >"$T/maillog.bz2"
# multi-member: three pieces compressed apart and concatenated
split -l 100 "$LOG" "$T/piece."
for z in "gzip -n" xz "zstd -q" bzip2; do
    ext=$(echo "$z" | cut -c1-2)
    for p in "$T"/piece.*; do $z -c "$p"; done >"$T/multi.$ext"
done
for f in maillog.gz maillog.xz maillog.zst maillog.bz2 multi.gz multi.xz \
    multi.zs multi.bz; do
    golden "$f" "$T/$f"
done
# names say nothing: an xz file called .gz, a gzip file called .log
cp "$T/maillog.xz" "$T/misnamed.gz"
cp "$T/maillog.gz" "$T/misnamed.log"
golden misnamed-xz "$T/misnamed.gz"
golden misnamed-gz "$T/misnamed.log"
# compressed data on standard input
golden stdin-zst <"$T/maillog.zst"
golden stdin-bz2 - <"$T/maillog.bz2"

# ------------------------------------------------- 2. journal renderings
for form in json json-seq export short short-x short-precise short-iso \
    short-iso-precise short-unix short-full rfc5424; do
    if "$JF" "$form" 2024 <"$LOG" >"$T/j.$form" 2>"$tmp/jf.err"; then
        ok
    else
        no "tool_jform $form"
        cat "$tmp/jf.err"
    fi
    golden "journal-$form" <"$T/j.$form"
done
check "json: a MESSAGE as a byte array is in the test input" \
    grep -q '"MESSAGE":\[[0-9]' "$T/j.json"
check "short -x: catalog lines are in the test input" \
    grep -q '^-- Subject' "$T/j.short-x"
# a compressed journal export on stdin
zstd -q -c "$T/j.export" >"$T/j.export.zst"
golden journal-export-zst <"$T/j.export.zst"
check "export: every record read" \
    grep -q ': 301 lines read (0 bad)' "$tmp/journal-export-zst.err"

# ------------------------------------------------- 3. rotated pieces
# cut after a TLS line of a session whose status line comes later: the
# first such line from line 100 on, and from line 200 on
cut1=$(awk 'NR >= 100 && /TLS connection established/ { print NR; exit }' "$LOG")
cut2=$(awk 'NR >= 200 && /TLS connection established/ { print NR; exit }' "$LOG")
pid1=$(sed -n "${cut1}p" "$LOG" | sed 's/.*smtp\[\([0-9]*\)\].*/\1/')
check "rotation: the cut at line $cut1 is inside session of pid $pid1" \
    sh -c "tail -n +$((cut1 + 1)) '$LOG' | head -n $((cut2 - cut1)) | grep -q 'smtp\[$pid1\]: .*status='"
mkdir "$T/rot"
head -n "$cut1" "$LOG" | gzip -n >"$T/rot/maillog.2.gz"
sed -n "$((cut1 + 1)),${cut2}p" "$LOG" | xz >"$T/rot/maillog.1.xz"
tail -n +$((cut2 + 1)) "$LOG" >"$T/rot/maillog"
# the same mtime for all: only the content can order them
touch -d '2024-11-24 00:00:00 UTC' "$T"/rot/*
golden rot-glob "$T/rot/maillog" "$T/rot/maillog.1.xz" "$T/rot/maillog.2.gz"
golden rot-reverse "$T/rot/maillog.2.gz" "$T/rot/maillog.1.xz" "$T/rot/maillog"
golden rot-mixed "$T/rot/maillog.1.xz" "$T/rot/maillog" "$T/rot/maillog.2.gz"
# sessions of the split log equal those of the whole, year from mtime
SS="--config $CONF --log-tz UTC"
cp "$LOG" "$T/whole.log"
touch -d '2024-11-24 00:00:00 UTC' "$T/whole.log"
"$BIN" sessions $SS "$T/whole.log" >"$tmp/whole.sess" 2>/dev/null
"$BIN" sessions $SS "$T/rot/maillog" "$T/rot/maillog.2.gz" \
    "$T/rot/maillog.1.xz" >"$tmp/rot.sess" 2>"$tmp/rot-sessions.err"
rc=$?
sane rot-sessions
check "rotation: sessions equal the whole log's (year from mtime)" \
    cmp -s "$tmp/whole.sess" "$tmp/rot.sess"
check "rotation: the session cut at line $cut1 is counted" \
    [ "$(grep -c '	counted$' "$tmp/rot.sess")" = 60 ]

# ------------------------------------------------- 4. damaged files
# 24 days: the demo day repeated as Nov 1 .. Nov 24 (1.1 MB), so that
# zstd (128 KiB blocks) and bzip2 -1 (100 kB blocks) have blocks before
# the cut
awk '{ a[NR] = $0 } END {
    for (d = 1; d <= 24; d++)
        for (i = 1; i <= NR; i++) {
            l = a[i]; sub(/^Nov 23/, sprintf("Nov %2d", d), l); print l
        }
}' "$LOG" >"$T/big.log"
summ big $R "$T/big.log"
full=$(counted big)
check "24 days: $full sessions counted, want 1440" [ "$full" = 1440 ]
"$BIN" sessions $R "$T/big.log" 2>/dev/null | grep '	counted$' >"$tmp/big.sess"
gzip -n -c "$T/big.log" >"$T/big.gz"
xz -1 -c "$T/big.log" >"$T/big.xz"
zstd -q -c "$T/big.log" >"$T/big.zst"
bzip2 -1 -c "$T/big.log" >"$T/big.bz2"
for f in big.gz big.xz big.zst big.bz2; do
    size=$(wc -c <"$T/$f")
    head -c $((size / 2)) "$T/$f" >"$T/cut-$f"
    summ "cut-$f" $R "$T/cut-$f"
    n=$(counted "cut-$f")
    check "cut $f: exit $rc, want 1" [ "$rc" = 1 ]
    check "cut $f: warning names the file and the loss" \
        grep -q "cut-$f: .* data truncated after [0-9]* lines .*the rest of this file is lost" \
        "$tmp/cut-$f.err"
    checkx "cut $f: $n sessions before the damage, want 0 < n < $full" \
        '[ "${n:-0}" -gt 0 ] && [ "${n:-0}" -lt "$full" ]'
    "$BIN" sessions $R "$T/cut-$f" 2>/dev/null | grep '	counted$' >"$tmp/cut.sess"
    check "cut $f: every session is one of the whole log" \
        sh -c "! grep -v -x -F -f '$tmp/big.sess' '$tmp/cut.sess' | grep -q ."
    sed -n 's/.*warning: \(.*\)/\1/p' "$tmp/cut-$f.err" >>"$tmp/damage.txt"
    echo "  $f: $n of $full sessions" >>"$tmp/damage.txt"
done
# the demo day itself, cut at half: gzip and xz decode as they read; the
# multi-member zstd and bzip2 files (3 members) keep their first member
for f in maillog.gz maillog.xz multi.zs multi.bz; do
    size=$(wc -c <"$T/$f")
    head -c $((size / 2)) "$T/$f" >"$T/cut-$f"
    summ "cut-$f" $R "$T/cut-$f"
    n=$(counted "cut-$f")
    checkx "cut demo $f: exit $rc, want 1; warning; $n sessions, want 0 < n < 60" \
        '[ "$rc" = 1 ] && grep -q "cut-$f: .* truncated" "$tmp/cut-$f.err" \
        && [ "${n:-0}" -gt 0 ] && [ "${n:-0}" -lt 60 ]'
    echo "  demo $f: $n of 60 sessions" >>"$tmp/damage.txt"
done
# single-block streams (the demo day, 47 kB): nothing before a cut can be
# decoded, but the loss is still reported
for f in maillog.zst maillog.bz2; do
    size=$(wc -c <"$T/$f")
    head -c $((size / 2)) "$T/$f" >"$T/cut-$f"
    summ "cut-$f" $R "$T/cut-$f"
    checkx "cut single-block $f: exit $rc, want 1, warning" \
        '[ "$rc" = 1 ] && grep -q "cut-$f: .* truncated" "$tmp/cut-$f.err"'
done
# a cut file among good ones: the others are read in full
summ cut-among $R "$T/cut-big.gz" "$T/rot/maillog"
checkx "cut among good files: exit 1, the good file read" \
    '[ "$rc" = 1 ] && [ "$(counted cut-among)" -gt "$(counted cut-big.gz)" ]'
[ -n "${FORMS_VERBOSE:-}" ] && cat "$tmp/damage.txt"

# ------------------------------------------------- 5. not a log at all
awk 'BEGIN { srand(1); for (i = 0; i < 200000; i++) printf "%c", int(rand() * 256) }' \
    >"$T/junk.bin"
summ junk $R "$T/junk.bin"
check "random bytes: exit $rc, want 0" [ "$rc" = 0 ]
check "random bytes: looks binary" \
    grep -q "junk.bin: looks binary: [0-9]* of [0-9]* lines unreadable" "$tmp/junk.err"
gzip -n -c "$T/junk.bin" >"$T/junk.gz"
summ junkgz $R - <"$T/junk.gz"
checkx "random bytes, gzipped, on stdin: exit $rc, want 0, looks binary" \
    '[ "$rc" = 0 ] && grep -q -- "-: looks binary" "$tmp/junkgz.err"'
{ printf '\037\213'; cat "$T/junk.bin"; } >"$T/fakegz"
summ fakegz $R "$T/fakegz"
checkx "gzip magic + junk: exit $rc, want 1, damaged" \
    '[ "$rc" = 1 ] && grep -q "fakegz: gzip data damaged" "$tmp/fakegz.err"'
printf '\004\042\115\030\144\100\247rest' >"$T/x.lz4"
summ lz4 $R "$T/x.lz4" "$LOG"
checkx "lz4: exit $rc, want 1, said so, the next file read" \
    '[ "$rc" = 1 ] && grep -q "x.lz4: lz4 data: cannot read" "$tmp/lz4.err" \
    && [ "$(counted lz4)" = 60 ]'

# ------------------------------------------------- 6. New Year
# sess MMM DD HH:MM PID DOMAIN: a TLS line and a status line a second on
sess() {
    printf '%s %s %s:00 mail postfix/smtp[%s]: Verified TLS connection established to mx.%s[192.0.2.9]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n' "$1" "$2" "$3" "$4" "$5"
    printf '%s %s %s:01 mail postfix/smtp[%s]: A%sB: to=<u@%s>, relay=mx.%s[192.0.2.9]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)\n' "$1" "$2" "$3" "$4" "$4" "$5" "$5"
}
{
    sess Dec 30 10:00 101 dec30.example
    sess Dec 31 12:00 102 dec31.example
    # the straddling session: TLS line here, status line in the next file
    printf 'Dec 31 23:59:59 mail postfix/smtp[103]: Verified TLS connection established to mx.eve.example[192.0.2.9]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n'
} | gzip -n >"$T/ny.log.1.gz"
{
    printf 'Jan  1 00:00:01 mail postfix/smtp[103]: A103B: to=<u@eve.example>, relay=mx.eve.example[192.0.2.9]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)\n'
    sess 'Jan' ' 1' 09:00 104 jan01.example
} >"$T/ny.log"
touch -d '2025-01-01 06:00:00 UTC' "$T/ny.log.1.gz"
touch -d '2025-01-02 06:00:00 UTC' "$T/ny.log"
"$BIN" sessions --config "$CONF" --log-tz UTC "$T/ny.log" "$T/ny.log.1.gz" \
    >"$tmp/ny.out" 2>"$tmp/newyear.err"
rc=$?
sane newyear
check "new year: exit $rc, want 0" [ "$rc" = 0 ]
grep -v "^#day" "$tmp/ny.out" | cut -f1,2,7 | sort >"$tmp/ny.got"
printf '%s\n' \
    "2024-12-30	dec30.example	counted" \
    "2024-12-31	dec31.example	counted" \
    "2024-12-31	eve.example	counted" \
    "2025-01-01	jan01.example	counted" >"$tmp/ny.want"
if cmp -s "$tmp/ny.got" "$tmp/ny.want"; then ok; else
    no "new year: sessions and days"
    diff "$tmp/ny.want" "$tmp/ny.got"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
