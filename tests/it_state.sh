#!/bin/sh
# tests/it_state.sh - saved states: aggregate per piece + merge = one run
#
# 1. Every log (the demo, the corpus logs of all three MTAs, and two
#    synthetic Postfix logs with status lines 500 s after their TLS line:
#    one whose processes idle for hours between uses, one whose
#    processes never idle for an hour) is cut into two pieces at many
#    lines, inside sessions too; "summary --json --from-state" of the two
#    states, given in reverse order, equals "summary --json" of the
#    whole log (domains and run statistics).
# 2. The same logs cut at random into 3..7 pieces: the states merged in a
#    shuffled tree (merge -o of shuffled pairs, then of the results) give
#    byte-identical report files and the same summary as one run.
# 3. The same piece aggregated twice (and from standard input) gives a
#    byte-identical state file, starting with the magic and a big-endian
#    version; merge A B and merge B A give the same bytes.
#    Repeated lines skipped in the pieces are counted in their states:
#    the summary line of the merged states is that of one run.
# 4. A damaged state (one byte flipped), a truncated one, one of another
#    format version (also a real one of version 1) and a file that is no
#    state are refused with their reason and exit status 3; merge writes
#    no output, report no report.
# option lists ($SS, $CONF) are split on purpose
# shellcheck disable=SC2086
set -u
TEST_TMPFS=1
. tests/lib.sh
SS="--log-tz UTC --log-year 2024 -q"
# merge and --from-state read states, whose lines carry their times
SQ="-q"
test_conf "$tmp/t.conf" "sending_mta_ip = mail1 192.0.2.1"
CONF="--config $tmp/t.conf"

# bin OUT ARGS...: run with stdout to OUT; a failure or sanitizer report
# is a test failure (every input in parts 1-3 is good)
bin() {
    out=$1
    shift
    "$BIN" "$@" >"$out" 2>"$tmp/err"
    r=$?
    if [ "$r" -ne 0 ] || grep -q -E 'Sanitizer|runtime error:' "$tmp/err"; then
        no "exit $r: $*"
        tail -n 20 "$tmp/err"
        return 1
    fi
    return 0
}

# synth N SPACING: N Postfix sessions on two hosts, 37 pids, the status
# line 500 s after the TLS line (other sessions in between)
synth() {
    awk -v n="$1" -v sp="$2" '
function stamp(t,   d, h, m, s) {
    d = 4 + int(t / 86400); t = t % 86400
    h = int(t / 3600); m = int((t % 3600) / 60); s = t % 60
    return sprintf("Apr %2d %02d:%02d:%02d", d, h, m, s)
}
function out(t, host, pid, msg) {
    printf "%d\t%d\t%s %s postfix/smtp[%d]: %s\n", t, seq++, stamp(t), host, pid, msg
}
BEGIN {
    for (i = 0; i < n; i++) {
        t = i * sp + (i * 7919) % 300
        pid = 1000 + i % 37
        host = (i % 5 == 0) ? "relay2" : "mail1"
        dom = sprintf("d%d.example", (i * 13) % 23)
        mx = "mx" (i % 3) "." dom
        ip = sprintf("198.51.100.%d", i % 250 + 1)
        peer = sprintf("%s[%s]:25", mx, ip)
        q = sprintf("%X%05d", 10 + i % 6, i)
        k = i % 11
        st = "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)"
        if (k <= 4) {
            out(t, host, pid, "Verified TLS connection established to " peer ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)")
        } else if (k == 5) {
            out(t, host, pid, "certificate verification failed for " peer ": untrusted issuer /CN=Evil CA")
            out(t, host, pid, "Untrusted TLS connection established to " peer ": TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)")
            st = "dsn=4.7.5, status=deferred (Server certificate not trusted)"
        } else if (k == 6) {
            st = sprintf("dsn=4.7.4, status=deferred (TLS is required, but was not offered by host %s[%s])", mx, ip)
        } else if (k == 7) {
            out(t, host, pid, "SSL_connect error to " peer ": -1")
            out(t, host, pid, "warning: TLS library problem: error:0A000410:SSL routines::sslv3 alert handshake failure:ssl/record/rec_layer_s3.c:1584:SSL alert number 40:")
            st = "dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)"
        } else if (k == 8) {
            # a non-final MX, then the next one in the same process
            out(t, host, pid, q ": host " mx "[" ip "] said: 421 4.3.2 try later (in reply to MAIL FROM command)")
            out(t + 1, host, pid, "Trusted TLS connection established to mx9." dom "[203.0.113.9]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)")
            peer = "mx9." dom "[203.0.113.9]:25"
        } else if (k == 9) {
            out(t, host, pid, "Anonymous TLS connection established to " peer ": TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)")
        } else {
            st = "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)"
        }
        out(t + 500, host, pid, sprintf("%s: to=<user%d@%s>, relay=%s, delay=1.2, delays=0.1/0/0.6/0.5, %s", q, i, dom, peer, st))
        if (i % 4 == 0)
            out(t + 501, host, pid, sprintf("%s: to=<second%d@%s>, relay=%s, delay=1.2, delays=0.1/0/0.6/0.5, %s", q, i, dom, peer, st))
    }
}' | sort -t "$(printf '\t')" -k1,1n -k2,2n | cut -f3-
}

synth 300 450 >"$tmp/sparse.log"
synth 300 40 >"$tmp/dense.log"
# KEEP=DIR: leave the synthetic logs there, for debugging
[ -n "${KEEP:-}" ] && cp "$tmp/sparse.log" "$tmp/dense.log" "$KEEP"

# cut LOG OUTDIR N1 N2 ...: pieces after lines N1 < N2 < ... (p1, p2, ...)
cut_log() {
    log=$1
    dir=$2
    shift 2
    rm -rf "$dir"
    mkdir -p "$dir"
    awk -v cuts="$*" -v dir="$dir" '
BEGIN { n = split(cuts, c, " "); p = 1; c[n + 1] = -1 }
{ f = sprintf("%s/p%02d.log", dir, p); print > f
  if (NR == c[p]) { close(f); p++ } }
END { for (; p <= n + 1; p++) printf "" > sprintf("%s/p%02d.log", dir, p) }' "$log"
}

# aggregate every piece in DIR into DIR/*.st, with --piece N (their
# order in the log) unless the log has no two lines of one host in the
# same second ($NOPIECE set): then the times alone order the pieces
agg_dir() {
    i=0
    for f in "$1"/p*.log; do
        po="--piece $i"
        [ -n "$NOPIECE" ] && po=
        bin "$tmp/agg.out" aggregate $CONF $SS $po -o "${f%.log}.st" "$f" ||
            return 1
        i=$((i + 1))
    done
}

# shuffle LIST...: the words in a random order (awk's rand, seeded)
shuffle() {
    printf '%s\n' "$@" | awk -v s="$seed" 'BEGIN { srand(s) }
        { print rand() "\t" $0 }' | sort | cut -f2
}

seed=${SEED:-1}
for log in testdata/demo/maillog testdata/corpus/postfix.log \
    testdata/corpus/exim.log testdata/corpus/sendmail.log \
    testdata/corpus/exim-testsuite.log testdata/corpus/wrappers.log \
    "$tmp/sparse.log" "$tmp/dense.log"; do
    b=$(basename "$log")
    n=$(wc -l <"$log")
    NOPIECE=
    [ "$b" = sparse.log ] && NOPIECE=1
    bin "$tmp/ref.json" summary --json $CONF $SS "$log" || continue
    rm -rf "$tmp/ref.rpt"
    bin "$tmp/rpt.out" report --offline --no-gzip --all-days $CONF $SS \
        --out "$tmp/ref.rpt" "$log"
    nref=$(find "$tmp/ref.rpt" -type f | wc -l)
    check "$b: one run writes reports ($nref)" [ "$nref" -gt 0 ] ||
        [ "$b" = wrappers.log ]

    # ---------------------------------------------------------- 1: two
    step=$((n / 24 + 1))
    bad=0
    tried=0
    k=0
    while [ "$k" -le "$n" ]; do
        cut_log "$log" "$tmp/two" "$k"
        agg_dir "$tmp/two" || { bad=$((bad + 1)); break; }
        bin "$tmp/m.json" summary --json --from-state $CONF $SQ \
            "$tmp/two/p02.st" "$tmp/two/p01.st" || { bad=$((bad + 1)); break; }
        if ! cmp -s "$tmp/ref.json" "$tmp/m.json"; then
            bad=$((bad + 1))
            echo "$b: cut after line $k:"
            diff "$tmp/ref.json" "$tmp/m.json" | head -n 10
        fi
        tried=$((tried + 1))
        k=$((k + step))
        # a few cuts one line apart: inside one session
        [ $((tried % 6)) -eq 3 ] && k=$((k - step + 1))
    done
    check "$b: two pieces, $tried cuts, summary equals one run ($bad not)" \
        [ "$bad" -eq 0 ]

    # ---------------------------------------------------------- 2: many
    for round in 1 2 3; do
        seed=$((seed + 1))
        np=$((round + 2 + seed % 3))
        cuts=$(awk -v n="$n" -v k="$np" -v s="$seed" 'BEGIN { srand(s)
            for (i = 1; i < k; i++) c[i] = int(rand() * (n + 1))
            for (i = 1; i < k; i++) print c[i] }' | sort -n | tr '\n' ' ')
        cut_log "$log" "$tmp/many" $cuts
        agg_dir "$tmp/many" || continue
        # pairs in a shuffled order, then the results in another
        set -- $(shuffle "$tmp"/many/p*.st)
        level=0
        while [ $# -gt 1 ]; do
            next=
            i=0
            while [ $# -gt 0 ]; do
                i=$((i + 1))
                if [ $# -ge 2 ]; then
                    bin "$tmp/merge.out" merge $CONF $SQ \
                        -o "$tmp/many/m$level.$i.st" "$1" "$2"
                    next="$next $tmp/many/m$level.$i.st"
                    shift 2
                else
                    next="$next $1"
                    shift
                fi
            done
            level=$((level + 1))
            seed=$((seed + 1))
            set -- $(shuffle $next)
            # the last level: report from the two (or one) left
            [ $# -le 2 ] && break
        done
        rm -rf "$tmp/m.rpt"
        bin "$tmp/rpt.out" report --offline --no-gzip --all-days \
            --from-state $CONF $SQ --out "$tmp/m.rpt" "$@"
        check "$b: $np pieces (cuts $cuts) merged as a tree: same report files" \
            diff -r "$tmp/ref.rpt" "$tmp/m.rpt"
        bin "$tmp/m.json" summary --json --from-state $CONF $SQ "$@"
        check "$b: $np pieces merged: same summary" \
            cmp -s "$tmp/ref.json" "$tmp/m.json"
    done
done

# -------------------------------------------------------------- 3: bytes
NOPIECE=
cut_log "$tmp/dense.log" "$tmp/d1" 333
cut_log "$tmp/dense.log" "$tmp/d2" 333
agg_dir "$tmp/d1"
agg_dir "$tmp/d2"
check "the same piece twice: byte-identical state" \
    cmp -s "$tmp/d1/p01.st" "$tmp/d2/p01.st"
bin "$tmp/merge.out" merge $CONF $SQ -o "$tmp/ab.st" "$tmp/d1/p01.st" \
    "$tmp/d1/p02.st"
bin "$tmp/merge.out" merge $CONF $SQ -o "$tmp/ba.st" "$tmp/d1/p02.st" \
    "$tmp/d1/p01.st"
check "merge A B and merge B A: byte-identical state" \
    cmp -s "$tmp/ab.st" "$tmp/ba.st"
size=$(wc -c <"$tmp/d1/p01.st")
# fixed byte order: magic, then the version as a big-endian u32
check "state starts with MTRSTATE and version 2, big-endian" \
    [ "$(od -An -tx1 -N12 "$tmp/d1/p01.st" | tr -d ' \n')" = 4d5452535441544500000002 ]
# standard input (Hadoop Streaming, Spark pipe) gives the same state
"$BIN" aggregate $CONF $SS --piece 0 -o "$tmp/stdin.st" - <"$tmp/d1/p01.log" \
    2>"$tmp/err"
check "aggregate from standard input: the same state as from the file" \
    cmp -s "$tmp/stdin.st" "$tmp/d1/p01.st"

# two hosts' logs, each cut in three and numbered 0..2 on its own: piece
# numbers occur twice, so a partial merge must not stitch across a gap
grep ' mail1 ' "$tmp/sparse.log" >"$tmp/h1.log"
grep ' relay2 ' "$tmp/sparse.log" >"$tmp/h2.log"
cut_log "$tmp/h1.log" "$tmp/h1" 100 200
cut_log "$tmp/h2.log" "$tmp/h2" 40 80
agg_dir "$tmp/h1"
agg_dir "$tmp/h2"
bin "$tmp/merge.out" merge $CONF $SQ -o "$tmp/part.st" "$tmp/h1/p01.st" \
    "$tmp/h1/p03.st" "$tmp/h2/p02.st"
bin "$tmp/merge.out" merge $CONF $SQ -o "$tmp/rest.st" "$tmp/h1/p02.st" \
    "$tmp/h2/p03.st" "$tmp/part.st"
bin "$tmp/ref.json" summary --json $CONF $SS "$tmp/sparse.log"
bin "$tmp/m.json" summary --json --from-state $CONF $SQ "$tmp/rest.st" \
    "$tmp/h2/p01.st"
check "per-host piece numbers, merged out of order: same summary" \
    cmp -s "$tmp/ref.json" "$tmp/m.json"

# repeated lines (a log written twice) are skipped and counted: pieces
# and their states count them as one run does
awk '{ print } NR % 7 == 0 { print }' testdata/demo/maillog >"$tmp/twice.log"
cut_log "$tmp/twice.log" "$tmp/tw" 120
agg_dir "$tmp/tw"
# (no -q: the summary line says it)
"$BIN" summary $CONF --log-tz UTC --log-year 2024 "$tmp/twice.log" \
    >/dev/null 2>"$tmp/one.err"
"$BIN" summary --from-state $CONF "$tmp/tw/p01.st" "$tmp/tw/p02.st" \
    >/dev/null 2>"$tmp/two.err"
check "repeated lines: the run counts them" \
    grep -q "repeated lines skipped" "$tmp/one.err"
check "repeated lines: saved in the states, the same summary line" \
    [ "$(grep 'lines read' "$tmp/one.err")" = "$(grep 'lines read' "$tmp/two.err")" ]

# ------------------------------------------------------------- 4: damage
# refused STATE WORD: merge and report refuse STATE, say WORD, write nothing
refused() {
    st=$1
    word=$2
    rm -rf "$tmp/out.st" "$tmp/bad.rpt"
    "$BIN" merge $CONF $SQ -o "$tmp/out.st" "$tmp/d1/p02.st" "$st" \
        >/dev/null 2>"$tmp/err"
    r=$?
    check "$word: merge exits 3 ($r)" [ "$r" -eq 3 ]
    check "$word: merge says so" grep -q -i -- "$word" "$tmp/err"
    check "$word: merge wrote nothing" [ ! -e "$tmp/out.st" ]
    "$BIN" report --offline --all-days --from-state $CONF $SQ \
        --out "$tmp/bad.rpt" "$st" >/dev/null 2>"$tmp/err"
    r=$?
    check "$word: report exits 3 ($r)" [ "$r" -eq 3 ]
    check "$word: report wrote nothing" \
        [ "$(find "$tmp/bad.rpt" -type f 2>/dev/null | wc -l)" -eq 0 ]
    "$BIN" summary --json --from-state $CONF $SQ "$st" >/dev/null \
        2>"$tmp/err"
    r=$?
    check "$word: summary exits 3 ($r)" [ "$r" -eq 3 ]
    ls -a "$tmp" | grep -q '\.tmp\.' && no "$word: a temporary file was left"
}

# one byte in the middle flipped
cp "$tmp/d1/p01.st" "$tmp/flip.st"
off=$((size / 2))
orig=$(od -An -tu1 -j "$off" -N1 "$tmp/flip.st" | tr -d ' ')
printf "$(printf '\\%03o' $(((orig + 1) % 256)))" |
    dd of="$tmp/flip.st" bs=1 seek="$off" conv=notrunc 2>/dev/null
refused "$tmp/flip.st" checksum
head -c $((size - 100)) "$tmp/d1/p01.st" >"$tmp/trunc.st"
refused "$tmp/trunc.st" truncated
cp "$tmp/d1/p01.st" "$tmp/ver.st"
printf '\000\000\000\007' | dd of="$tmp/ver.st" bs=1 seek=8 conv=notrunc \
    2>/dev/null
refused "$tmp/ver.st" version
refused testdata/demo/maillog "not a mailtlsrpt state"
# a state of format version 1 (before the run's repeated lines were
# saved): refused, with the version and what to do
refused testdata/state/v1-demo-piece0.state "state format version 1"
check "version 1: says to aggregate again" \
    grep -q "reads version 2 only: aggregate the logs again" "$tmp/err"
# two pieces of one process without a time stamp (testdata/postfix/
# p-w001: lines written without one): nothing orders them; refused,
# with what is missing and --piece (the message once read a date from
# an uninitialised struct tm)
sed -n 13,26p testdata/postfix/p-w001/input.log >"$tmp/u1.log"
sed -n 27,33p testdata/postfix/p-w001/input.log >"$tmp/u2.log"
"$BIN" aggregate $CONF $SS -o "$tmp/u1.st" "$tmp/u1.log" 2>/dev/null
"$BIN" aggregate $CONF $SS -o "$tmp/u2.st" "$tmp/u2.log" 2>/dev/null
"$BIN" merge $CONF $SQ -o "$tmp/u.st" "$tmp/u1.st" "$tmp/u2.st" \
    >/dev/null 2>"$tmp/err"
r=$?
check "undated pieces: merge exits 3 ($r)" [ "$r" -eq 3 ]
check "undated pieces: says they have no time stamp, and --piece" \
    grep -q "both have no time stamp: their order is not known; aggregate them with --piece N" "$tmp/err"
"$BIN" aggregate $CONF $SS --piece 0 -o "$tmp/u1.st" "$tmp/u1.log" 2>/dev/null
"$BIN" aggregate $CONF $SS --piece 1 -o "$tmp/u2.st" "$tmp/u2.log" 2>/dev/null
check "undated pieces with --piece: merged" \
    "$BIN" merge $CONF $SQ -o "$tmp/u.st" "$tmp/u1.st" "$tmp/u2.st"
"$BIN" merge $CONF $SQ "$tmp/d1/p01.st" >/dev/null 2>&1
r=$?
check "merge without -o: usage error ($r)" [ "$r" -eq 2 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
