#!/bin/sh
# tests/it_badinput.sh - hostile and damaged input never crashes, never
# loses more than it must, and never writes outside --out
#
# The catalogue is testdata/badinput/ (README.md there says what each case
# is and what is expected). Small cases are committed; big or binary ones
# are generated here, into a temporary directory, from fixed recipes
# (awk's srand(1) for the random junk), so every run sees the same bytes.
# For every run: exit status is 0, or 1 exactly where input was lost
# (unreadable file, damaged .gz), never >= 128 (a signal), and stderr
# holds no sanitizer report; the summary line's "(N bad)" and session
# counts are what the input implies.
# option lists ($SS, $CONF) are split on purpose; ls output has no spaces
# shellcheck disable=SC2086,SC2046,SC2010,SC2012
set -u
TEST_TMPFS=1          # reports are written with fsync
. tests/lib.sh
RCV=$BUILD/tests/tool_rcvcheck
DATA=testdata/badinput
case $RCV in /*) ;; *) RCV=$(pwd)/$RCV ;; esac
case $DATA in /*) ;; *) DATA=$(pwd)/$DATA ;; esac
SS="--config /dev/null --log-tz UTC --log-year 2024"
T=$tmp/in
mkdir "$T"

# run NAME ARGS...: the binary with ARGS; stdout in $tmp/NAME.out (the
# header line of "sessions" taken off), stderr in $tmp/NAME.err, status
# in $rc. A signal or a sanitizer report fails.
run() {
    name=$1
    shift
    "$BIN" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    sed -i '1{/^#day	/d}' "$tmp/$name.out"
    if [ "$rc" -ge 128 ]; then
        no "$name: killed by a signal (exit $rc)"
        tail -n 20 "$tmp/$name.err"
    else
        ok
    fi
    if grep -q -E 'Sanitizer|runtime error:|SUMMARY: ' "$tmp/$name.err"; then
        no "$name: sanitizer report"
        head -n 30 "$tmp/$name.err"
    else
        ok
    fi
}

# summary fields of run NAME
sum_line() { grep 'lines read' "$tmp/$1.err" | tail -n 1; }
f_lines() { sum_line "$1" | sed -n 's/.*: \([0-9]*\) lines read.*/\1/p'; }
f_bad() { sum_line "$1" | sed -n 's/.* lines read (\([0-9]*\) bad).*/\1/p'; }
f_counted() { sum_line "$1" | sed -n 's/.* sessions (\([0-9]*\) counted.*/\1/p'; }
f_unattr() { sum_line "$1" | sed -n 's/.* \([0-9]*\) unattributed.*/\1/p'; }
f_baddom() { sum_line "$1" | sed -n 's/.* \([0-9]*\) bad domain).*/\1/p'; }

# expect NAME RC BAD COUNTED: exit status, bad lines, counted sessions
expect() {
    check "$1: exit $rc, want $2" [ "$rc" = "$2" ]
    got=$(f_bad "$1")
    check "$1: $got bad lines, want $3" [ "$got" = "$3" ]
    got=$(f_counted "$1")
    check "$1: $got counted sessions, want $4" [ "$got" = "$4" ]
}

# has NAME LINE: the sessions output holds exactly this line
has() { grep -qxF "$2" "$tmp/$1.out"; }

# sess MINUTE PID DOMAIN N: one good TLS session, two lines
sess() {
    printf 'Apr  4 12:%02d:00 h postfix/smtp[%d]: Verified TLS connection established to mx.%s[192.0.2.%d]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n' "$1" "$2" "$3" "$4"
    printf 'Apr  4 12:%02d:01 h postfix/smtp[%d]: QID%dABC: to=<u@%s>, relay=mx.%s[192.0.2.%d]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)\n' "$1" "$2" "$2" "$3" "$3" "$4"
}
ok_line() { printf '2024-04-04\t%s\tsuccess\tmx.%s\t192.0.2.%d\t-\tcounted' "$1" "$1" "$2"; }

# ------------------------------------------------------------ generated
# NUL bytes: inside a TLS line (that line is lost: its session is then
# seen as a delivery without TLS) and inside a recipient domain (that
# status line is lost: its session stays unattributed)
{
    sess 1 100 before.example 1
    printf 'Apr  4 12:02:00 h postfix/smtp[101]: Verified TLS connection established to mx.nul\000tls.example[192.0.2.2]:25: TLSv1.3 with cipher X\000Y (256/256 bits)\n'
    printf 'Apr  4 12:02:01 h postfix/smtp[101]: QID101ABC: to=<u@nultls.example>, relay=mx.nultls.example[192.0.2.2]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n'
    printf 'Apr  4 12:03:00 h postfix/smtp[102]: Verified TLS connection established to mx.nuldom.example[192.0.2.3]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n'
    printf 'Apr  4 12:03:01 h postfix/smtp[102]: QID102ABC: to=<u@nul\000dom.example>, relay=mx.nuldom.example[192.0.2.3]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n'
    sess 4 103 after.example 4
} >"$T/nul.log"

# binary junk: 200000 bytes from a fixed seed
awk 'BEGIN { srand(1); for (i = 0; i < 200000; i++) printf "%c", int(rand() * 256) }' \
    >"$T/junk.bin"

# a 10 MiB single line between two good sessions, and as the last line
# without a newline
{
    sess 1 100 before.example 1
    printf 'Apr  4 12:05:00 h postfix/smtp[105]: Verified TLS connection established to mx.'
    head -c 10485760 /dev/zero | tr '\000' 'a'
    printf '\n'
    sess 6 106 after.example 6
} >"$T/big.log"
{
    sess 1 100 before.example 1
    head -c 10485760 /dev/zero | tr '\000' 'a'
} >"$T/big-noeol.log"

# lines of exactly 65536 bytes (the limit: kept), 65537 bytes (refused),
# 65536 bytes + CR (kept), and 65537 bytes as a last line without newline
awk 'BEGIN {
    s = "x"; while (length(s) < 65536) s = s s; s = substr(s, 1, 65536)
    print s; print s "y"; printf "%s\r\n", s
}' >"$T/len.log"
sess 7 107 len.example 7 >>"$T/len.log"
awk 'BEGIN { s = "x"; while (length(s) < 65537) s = s s; printf "%s", substr(s, 1, 65537) }' \
    >>"$T/len.log"

# invalid UTF-8 (and an IDN U-label) in recipient domains, an MX name, a
# log host name and a failure reason
{
    printf 'Apr  4 12:10:00 h postfix/smtp[110]: Verified TLS connection established to mx.a.example[192.0.2.10]:25: TLSv1.3 with cipher X (256/256 bits)\n'
    printf 'Apr  4 12:10:01 h postfix/smtp[110]: UTF110AAA: to=<u@\377\376.example>, relay=mx.a.example[192.0.2.10]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n'
    printf 'Apr  4 12:11:00 h postfix/smtp[111]: Verified TLS connection established to mx.b.example[192.0.2.11]:25: TLSv1.3 with cipher X (256/256 bits)\n'
    printf 'Apr  4 12:11:01 h postfix/smtp[111]: UTF111AAA: to=<u@caf\303\251.example>, relay=mx.b.example[192.0.2.11]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n'
    printf 'Apr  4 12:12:00 h postfix/smtp[112]: Verified TLS connection established to mx.c.example[192.0.2.12]:25: TLSv1.3 with cipher X (256/256 bits)\n'
    printf 'Apr  4 12:12:01 h postfix/smtp[112]: UTF112AAA: to=<u@\303\050.example>, relay=mx.c.example[192.0.2.12]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n'
    printf 'Apr  4 12:13:00 h postfix/smtp[113]: Verified TLS connection established to mx.\342\050\241.example[192.0.2.13]:25: TLSv1.3 with cipher X (256/256 bits)\n'
    printf 'Apr  4 12:13:01 h postfix/smtp[113]: UTF113AAA: to=<u@utf8mx.example>, relay=mx.\342\050\241.example[192.0.2.13]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n'
    printf 'Apr  4 12:14:00 h postfix/smtp[114]: certificate verification failed for mx.utf8reason.example[192.0.2.14]:25: untrusted issuer \377\376 /CN=\300\200\n'
    printf 'Apr  4 12:14:00 h postfix/smtp[114]: Untrusted TLS connection established to mx.utf8reason.example[192.0.2.14]:25: TLSv1.3 with cipher X (256/256 bits)\n'
    printf 'Apr  4 12:14:01 h postfix/smtp[114]: UTF114AAA: to=<u@utf8reason.example>, relay=mx.utf8reason.example[192.0.2.14]:25, delay=1, dsn=4.7.5, status=deferred (Server certificate not trusted \377)\n'
    printf 'Apr  4 12:15:00 h\377st postfix/smtp[115]: Verified TLS connection established to mx.utf8host.example[192.0.2.15]:25: TLSv1.3 with cipher X (256/256 bits)\n'
    printf 'Apr  4 12:15:01 h\377st postfix/smtp[115]: UTF115AAA: to=<u@utf8host.example>, relay=mx.utf8host.example[192.0.2.15]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n'
} >"$T/utf8.log"

# CRLF line endings: the committed text cases, converted
for f in hostile-domains truncated-lines out-of-order no-final-newline; do
    sed 's/$/\r/' "$DATA/$f.log" >"$T/$f.crlf.log"
done

# compressed: a real sample gzipped, then cut at 60%; with trailing
# garbage; with trailing zero bytes; intact (control)
gzip -n -c testdata/corpus/postfix.log >"$T/corpus.log.gz"
size=$(wc -c <"$T/corpus.log.gz")
head -c $((size * 6 / 10)) "$T/corpus.log.gz" >"$T/cut.log.gz"
{ cat "$T/corpus.log.gz"; printf 'this is not gzip data\n'; } >"$T/garbage.log.gz"

# many sessions: lines cross the reader's 1 MiB blocks
awk 'BEGIN {
    for (i = 0; i < 5000; i++) {
        printf "Apr  4 %02d:%02d:%02d h postfix/smtp[%d]: Verified TLS connection established to mx.blk%d.example[192.0.2.%d]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) padding-padding-padding\n", int(i / 3600) % 24, int(i / 60) % 60, i % 60, 2000 + i % 500, i % 97, i % 250 + 1
        printf "Apr  4 %02d:%02d:%02d h postfix/smtp[%d]: B%08dX: to=<u@blk%d.example>, relay=mx.blk%d.example[192.0.2.%d]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)\n", int(i / 3600) % 24, int(i / 60) % 60, i % 60, 2000 + i % 500, i, i % 97, i % 97, i % 250 + 1
    }
}' >"$T/blocks.log"

mkdir "$T/adir"

# ------------------------------------------------------------ the runs
# NUL bytes
run nul sessions $SS "$T/nul.log"
expect nul 0 2 3
check "nul: session before" has nul "$(ok_line before.example 1)"
check "nul: session after" has nul "$(ok_line after.example 4)"
check "nul: the NUL-domain session is not counted" \
    sh -c "! grep -q nuldom '$tmp/nul.out' || ! grep -q 'nuldom.*counted' '$tmp/nul.out'"
check "nul: the NUL-domain session is unattributed" \
    [ "$(f_unattr nul)" = 1 ]

# binary junk: lines and NUL lines as the bytes say, nothing else
run junk sessions $SS "$T/junk.bin"
nl=$(tr -dc '\n' <"$T/junk.bin" | wc -c)
last=$(tail -c 1 "$T/junk.bin" | od -An -tx1 | tr -d ' ')
[ "$last" = 0a ] || nl=$((nl + 1))
nulls=$(LC_ALL=C grep -a -c -P '\x00' "$T/junk.bin")
expect junk 0 "$nulls" 0
check "junk: $(f_lines junk) lines read, want $nl" [ "$(f_lines junk)" = "$nl" ]
check "junk: no session lines" [ ! -s "$tmp/junk.out" ]
# the same bytes on standard input
run junkstdin sessions $SS - <"$T/junk.bin"
check "junk on stdin: exit 0" [ "$rc" = 0 ]
check "junk on stdin: same summary" [ "$(sum_line junkstdin)" = "$(sum_line junk)" ]

# 10 MiB line: counted as one bad line, the session after it still read
run big sessions -v $SS "$T/big.log"
expect big 0 1 2
check "big: session after the long line" has big "$(ok_line after.example 6)"
check "big: -v names the line" grep -q "big.log:3: line too long" "$tmp/big.err"
run bignoeol sessions $SS "$T/big-noeol.log"
expect bignoeol 0 1 1
check "big-noeol: 3 lines" [ "$(f_lines bignoeol)" = 3 ]

# 65536 / 65537 bytes
run len sessions -v $SS "$T/len.log"
expect len 0 2 1
check "len: 6 lines" [ "$(f_lines len)" = 6 ]
check "len: session after the long lines" has len "$(ok_line len.example 7)"
check "len: line 2 (65537 bytes) too long" grep -q "len.log:2: line too long" "$tmp/len.err"
check "len: line 6 (65537, no newline) too long" grep -q "len.log:6: line too long" "$tmp/len.err"
check "len: line 1 (65536) kept" sh -c "! grep -q 'len.log:1:' '$tmp/len.err'"
check "len: line 3 (65536 + CR) kept" sh -c "! grep -q 'len.log:3:' '$tmp/len.err'"

# truncated lines
run trunc sessions $SS "$DATA/truncated-lines.log"
expect trunc 0 5 2
check "trunc: first session" has trunc "$(printf '2024-04-04\tfirst.example\tsuccess\tmx.first.example\t192.0.2.30\t-\tcounted')"
check "trunc: last session" has trunc "$(printf '2024-04-04\tlast.example\tsuccess\tmx.last.example\t192.0.2.40\t-\tcounted')"
check "trunc: cut sessions not counted" [ "$(grep -c counted "$tmp/trunc.out")" = 2 ]

# last line without newline
run nonl sessions $SS "$DATA/no-final-newline.log"
expect nonl 0 0 1
check "nonl: the last line's session" has nonl "$(printf '2024-04-04\tnonl.example\tsuccess\tmx.nonl.example\t192.0.2.60\t-\tcounted')"

# out of time order: each session on the day of its first line
run ooo sessions $SS "$DATA/out-of-order.log"
expect ooo 0 0 6
cut -f1,2,3,7 "$tmp/ooo.out" | sort >"$tmp/ooo.got"
printf '%s\n' \
    "2024-04-03	ooo-f.example	success	counted" \
    "2024-04-04	ooo-b.example	success	counted" \
    "2024-04-05	ooo-a.example	success	counted" \
    "2024-04-05	ooo-c.example	success	counted" \
    "2024-04-05	ooo-d.example	certificate-not-trusted	counted" \
    "2024-04-05	ooo-e.example	success	counted" >"$tmp/ooo.want"
check "ooo: sessions and days" cmp -s "$tmp/ooo.got" "$tmp/ooo.want"

# hostile recipient domains
run hostile sessions $SS "$DATA/hostile-domains.log"
expect hostile 0 0 2
check "hostile: 11 bad-domain sessions" \
    [ "$(grep -c '	bad-domain$' "$tmp/hostile.out")" = 11 ]
check "hostile: summary says 11 bad domain" [ "$(f_baddom hostile)" = 11 ]
check "hostile: bad-domain sessions carry no domain" \
    [ "$(grep '	bad-domain$' "$tmp/hostile.out" | cut -f2 | sort -u)" = "-" ]
check "hostile: upper case and trailing dot normalised" \
    has hostile "$(printf '2024-04-04\tnorm.example\tsuccess\tmx.norm.example\t192.0.2.23\t-\tcounted')"
check "hostile: hostile MX name dropped, session kept" \
    has hostile "$(printf '2024-04-04\tmxpath.example\tsuccess\t-\t192.0.2.22\t-\tcounted')"
check "hostile: no path characters in output" \
    sh -c "! cut -f2,4 '$tmp/hostile.out' | grep -q -e / -e '\\.\\.' -e '_'"

# invalid UTF-8
run utf8 sessions $SS "$T/utf8.log"
expect utf8 0 0 3
check "utf8: 3 bad-domain" [ "$(grep -c '	bad-domain$' "$tmp/utf8.out")" = 3 ]
check "utf8: invalid MX name dropped" \
    has utf8 "$(printf '2024-04-04\tutf8mx.example\tsuccess\t-\t192.0.2.13\t-\tcounted')"
check "utf8: reason is clean ASCII" \
    has utf8 "$(printf '2024-04-04\tutf8reason.example\tcertificate-not-trusted\tmx.utf8reason.example\t192.0.2.14\tuntrusted-issuer\tcounted')"
check "utf8: odd log host name still counted" \
    has utf8 "$(printf '2024-04-04\tutf8host.example\tsuccess\tmx.utf8host.example\t192.0.2.15\t-\tcounted')"
check "utf8: output is ASCII" sh -c "! LC_ALL=C grep -q -P '[^\\x09\\x0a\\x20-\\x7e]' '$tmp/utf8.out'"

# CRLF: the same sessions and summary as LF
for f in hostile-domains truncated-lines out-of-order no-final-newline; do
    run "lf-$f" sessions $SS "$DATA/$f.log"
    run "crlf-$f" sessions $SS "$T/$f.crlf.log"
    check "crlf $f: exit 0" [ "$rc" = 0 ]
    check "crlf $f: same sessions as LF" cmp -s "$tmp/lf-$f.out" "$tmp/crlf-$f.out"
    check "crlf $f: same summary as LF" [ "$(sum_line "lf-$f")" = "$(sum_line "crlf-$f")" ]
done

# all noise, empty file, /dev/null
run noise sessions $SS "$DATA/all-noise.log"
expect noise 0 0 0
check "noise: no sessions at all" [ ! -s "$tmp/noise.out" ]
run empty sessions $SS "$DATA/empty.log"
expect empty 0 0 0
check "empty: 0 lines" [ "$(f_lines empty)" = 0 ]
run devnull sessions $SS /dev/null
check "/dev/null: exit 0" [ "$rc" = 0 ]

# nonexistent file and a directory: input lost, exit 1, said so; the
# other files of the run are still read
run missing sessions $SS "$T/no-such-file.log" "$DATA/no-final-newline.log"
expect missing 1 0 1
check "missing: warning names the file" grep -q "no-such-file.log: cannot open" "$tmp/missing.err"
run dir sessions $SS "$T/adir" "$DATA/no-final-newline.log"
expect dir 1 0 1
check "dir: warning says directory" grep -q "adir: is a directory" "$tmp/dir.err"

# gzip: intact, cut, trailing garbage
run gzok sessions $SS "$T/corpus.log.gz"
run plain sessions $SS testdata/corpus/postfix.log
check "gz intact: exit 0" [ "$rc" = 0 ]
check "gz intact: same sessions as plain" cmp -s "$tmp/gzok.out" "$tmp/plain.out"
run gzcut sessions $SS "$T/cut.log.gz"
check "gz cut: exit 1 (input lost), got $rc" [ "$rc" = 1 ]
check "gz cut: warning names the file and the damage" \
    grep -q -E "cut\.log\.gz: .*(truncated|damaged)" "$tmp/gzcut.err"
# every session gzip itself can recover before the damage is reported
gzip -dc "$T/cut.log.gz" >"$T/cut-prefix.log" 2>/dev/null
n=$(wc -l <"$T/cut-prefix.log")
head -n "$n" "$T/cut-prefix.log" >"$T/cut-lines.log"
run gzprefix sessions $SS "$T/cut-lines.log"
grep '	counted$' "$tmp/gzprefix.out" >"$tmp/gzprefix.counted"
check "gz cut: some sessions lie before the cut" [ -s "$tmp/gzprefix.counted" ]
missing=0
while IFS= read -r l; do
    grep -qxF "$l" "$tmp/gzcut.out" || missing=$((missing + 1))
done <"$tmp/gzprefix.counted"
check "gz cut: $missing sessions before the damage missing" [ "$missing" = 0 ]
check "gz cut: every counted session is a real one" \
    sh -c "grep '	counted\$' '$tmp/gzcut.out' | grep -vxFf '$tmp/plain.out' | grep -q . && exit 1 || exit 0"
run gzgarbage sessions $SS "$T/garbage.log.gz"
check "gz garbage: exit 0 or 1, got $rc" [ "$rc" -le 1 ]
check "gz garbage: warning names the file" grep -q "garbage.log.gz: " "$tmp/gzgarbage.err"
check "gz garbage: no session lost" cmp -s "$tmp/gzgarbage.out" "$tmp/plain.out"

# many lines across read blocks
run blocks sessions $SS "$T/blocks.log"
expect blocks 0 0 5000
check "blocks: 10000 lines" [ "$(f_lines blocks)" = 10000 ]

# ------------------------------------------------------------ reports
# Everything hostile in one report run, from an empty scratch directory:
# files appear only under out/, each passes the receiver-side checker.
test_conf "$tmp/t.conf"
scratch=$tmp/scratch
mkdir "$scratch"
find "$tmp" | sort >"$tmp/tree.before"
all="$DATA/hostile-domains.log $DATA/truncated-lines.log $DATA/out-of-order.log
     $DATA/no-final-newline.log $DATA/all-noise.log $DATA/empty.log
     $T/nul.log $T/utf8.log $T/big.log $T/len.log $T/junk.bin
     $T/hostile-domains.crlf.log $T/cut.log.gz $T/garbage.log.gz
     $T/no-such-file.log $T/adir"
(cd "$scratch" && "$BIN" report --offline --config "$tmp/t.conf" \
    --log-tz UTC --log-year 2024 --all-days --out out $all \
    >"$tmp/rpt.out" 2>"$tmp/rpt.err")
rc=$?
check "report: exit 1 (input lost), got $rc" [ "$rc" = 1 ]
check "report: no sanitizer report" sh -c "! grep -q -E 'Sanitizer|runtime error:' '$tmp/rpt.err'"
check "report: nothing on stdout" [ ! -s "$tmp/rpt.out" ]
outside=$(cd "$scratch" && find . -mindepth 1 ! -path ./out ! -path './out/*')
check "report: files outside --out: $outside" [ -z "$outside" ]
find "$tmp" | sort | grep -v "^$scratch/out" | grep -v "^$tmp/rpt\." >"$tmp/tree.after"
check "report: nothing else created in the scratch tree" \
    sh -c "diff '$tmp/tree.before' '$tmp/tree.after' | grep '^>' | grep -v -e '/tree\\.' && exit 1 || exit 0"
check "report: out/ has no subdirectories" \
    [ -z "$(find "$scratch/out" -mindepth 1 ! -type f)" ]
nfiles=$(find "$scratch/out" -type f | wc -l)
check "report: some reports written ($nfiles)" [ "$nfiles" -gt 10 ]
badname=$(cd "$scratch/out" && ls -A | grep -v -E '^sender\.example![a-z0-9.-]+![0-9]+![0-9]+!t1\.json\.gz$')
check "report: unexpected file names: $badname" [ -z "$badname" ]
check "report: normalised domain has a report" \
    sh -c "ls '$scratch/out' | grep -q '^sender.example!norm.example!'"
check "report: no report for a bad domain" \
    sh -c "! ls '$scratch/out' | grep -q -e 'x\\.\\.y' -e '!a!' -e 'evil'"
"$RCV" "$scratch"/out/* >"$tmp/rcv.out" 2>&1
check "report: every report passes tool_rcvcheck" [ $? = 0 ]
[ -s "$tmp/rcv.out" ] && head -n 20 "$tmp/rcv.out"
# and as plain JSON
(cd "$scratch" && "$BIN" report --offline --no-gzip --config "$tmp/t.conf" \
    --log-tz UTC --log-year 2024 --all-days --out out2 $all \
    >/dev/null 2>"$tmp/rpt2.err")
rc=$?
check "report --no-gzip: exit 1, got $rc" [ "$rc" = 1 ]
n2=$(find "$scratch/out2" -type f -name '*.json' | wc -l)
check "report --no-gzip: same number of reports ($n2)" [ "$n2" = "$nfiles" ]
"$RCV" "$scratch"/out2/* >"$tmp/rcv2.out" 2>&1
check "report --no-gzip: every report passes tool_rcvcheck" [ $? = 0 ]
check "report --no-gzip: JSON is ASCII" \
    sh -c "! cat '$scratch'/out2/* | LC_ALL=C grep -q -P '[^\\x20-\\x7e]'"
# a log with no session writes nothing
mkdir "$scratch/none"
(cd "$scratch/none" && "$BIN" report --offline --config "$tmp/t.conf" \
    --log-tz UTC --log-year 2024 --all-days --out out \
    "$DATA/all-noise.log" "$DATA/empty.log" >/dev/null 2>&1)
rc=$?
check "report of noise: exit 0, got $rc" [ "$rc" = 0 ]
check "report of noise: no report file" \
    [ -z "$(find "$scratch/none" -type f)" ]

# Exim, Sendmail and journal json: punycode and upper case, trailing
# dots, IPv6 relays, NUL bytes, invalid UTF-8, overlong fields, clocks
# going backwards, broken records; sessions and summary line as expected
for f in exim-hostile.log sendmail-hostile.log journal-hostile.json; do
    { "$BIN" sessions --config /dev/null --log-tz UTC --log-year 2024 \
        "$DATA/$f" 2>"$tmp/mta.err" | sed '1{/^#day	/d}'
        cat "$tmp/mta.err"; } >"$tmp/mta.out"
    if cmp -s "$tmp/mta.out" "$DATA/$f.expect"; then ok
    else no "$f: sessions differ"; diff "$DATA/$f.expect" "$tmp/mta.out"; fi
    # the same records on standard input
    "$BIN" sessions --config /dev/null --log-tz UTC --log-year 2024 \
        <"$DATA/$f" 2>/dev/null | sed '1{/^#day	/d}' >"$tmp/mta.in"
    check "$f on stdin: same sessions" \
        sh -c "grep -v '^mailtlsrpt:' '$DATA/$f.expect' | cmp -s - '$tmp/mta.in'"
done

# duplicate lines: every line written twice (two syslog rules for one
# file) gives the sessions of the log written once, and says how many
# it skipped; the same file named twice (or through a link) is read once
for f in "$DATA/../demo/maillog" "$DATA/exim-hostile.log" \
    "$DATA/sendmail-hostile.log" "$DATA/journal-hostile.json"; do
    b=$(basename "$f")
    awk '{ print; print }' "$f" >"$T/twice-$b"
    "$BIN" sessions --config /dev/null --log-tz UTC --log-year 2024 "$f" \
        >"$tmp/once.out" 2>/dev/null
    "$BIN" sessions --config /dev/null --log-tz UTC --log-year 2024 \
        "$T/twice-$b" >"$tmp/twice.out" 2>"$tmp/twice.err"
    check "$b written twice: same sessions" cmp -s "$tmp/once.out" "$tmp/twice.out"
    check "$b written twice: repeats counted" \
        grep -q 'repeated lines skipped' "$tmp/twice.err"
done
ln -s "$(readlink -f "$DATA/../demo/maillog")" "$T/link.log"
"$BIN" summary --json --config /dev/null --log-tz UTC --log-year 2024 \
    "$DATA/../demo/maillog" >"$tmp/one.json" 2>/dev/null
"$BIN" summary --json --config /dev/null --log-tz UTC --log-year 2024 \
    "$DATA/../demo/maillog" "$T/link.log" "$DATA/../demo/maillog" \
    >"$tmp/three.json" 2>"$tmp/three.err"
check "same file three times: read once" cmp -s "$tmp/one.json" "$tmp/three.json"
check "same file: warned twice" [ "$(grep -c "the same file as" "$tmp/three.err")" = 2 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
