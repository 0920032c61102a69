#!/bin/sh
# tests/it_crash.sh - crash safety of the spool (acceptance 3)
#
# 1. Every step: "send" enqueues 2 reports for 2 destinations (HTTPS and
#    mail, real servers on 127.0.0.1) and delivers them, and is SIGKILLed
#    by itself at spool step N (MAILTLSRPT_TEST_CRASH=N; each step is a
#    point where the spool is between two writes: temporary file written,
#    renamed, old copy unlinked, destination accepted but not recorded).
#    The recovering send is killed too, at a small step, then a third
#    send runs to the end. N goes up until the first send finishes.
#    Then, counted on the servers: every (report, destination) arrived;
#    a second copy exists only for a kill between "accepted" and
#    "recorded", at most one per such kill, and is byte-identical (same
#    body, same Message-ID), so the receiver drops it by report-id.
# 2. Kills from outside with SIGKILL after random delays: same checks.
# 3. A full file system (a small tmpfs): enqueueing fails with a clear
#    message, what was spooled before is delivered, nothing is lost.
# 4. report --offline writes its reports as one batch (temporary files,
#    one flush, renames, one directory fsync). Over a folder holding
#    older reports of the same domains it is SIGKILLed by itself at
#    every step (MAILTLSRPT_TEST_REPORT_CRASH=N: a temporary file
#    written, the flush done, a file renamed), with -j 2, and from
#    outside at random moments. Every visible file must then be whole:
#    byte for byte the old report or the new one, none renamed before
#    the flush, exactly as many new ones as renames were reached; a
#    run after it leaves exactly the new reports.
# TEST_NET_TIMEOUT (seconds per attempt, default 5) is raised by make
# tsan and make asan, whose builds run many times slower.
set -u
. testdata/deliver/lib.sh
need_tools

F=$T/full
trap 'umount "$F" 2>/dev/null; finish' EXIT
mkca "$T/ca" || { bad "test CA"; echo "$pass passed, $fail failed"; exit 1; }
start https_sink.py "$T/h" "$T/ca/srv.pem" "$T/ca/srv.key"; HP=$port
start smtp_sink.py "$T/m" "$T/ca/srv.pem" "$T/ca/srv.key" starttls; MP=$port
RA=$(mkreport "$T/r" a.example)
RB=$(mkreport "$T/r" b.example)
SHA_A=$(sha256sum <"$RA" | cut -d' ' -f1)
SHA_B=$(sha256sum <"$RB" | cut -d' ' -f1)
# snd ARGS... - a send; with SND_EXEC=exec in a subshell, that subshell
# becomes the send, so the PID $! names is the send itself
snd() {
    ${SND_EXEC:-} "$BIN" send --config "$CONF" --ca-file "$T/ca/ca.pem" \
        --timeout "${TEST_NET_TIMEOUT:-5}" -q \
        --allow-private-targets --smtp-relay "smtp://127.0.0.1:$MP" \
        --mail-from reports@example.net "$@"
}

# running ST - how many processes have ST as an argument (the pattern,
# "ST/*", does not match itself: grep is not counted)
running() {
    grep -lszx -- "$1/*" /proc/[0-9]*/cmdline | wc -l
}

# copies TAG - "HTTP-A HTTP-B MAIL-A MAIL-B" copies received for run TAG
copies() {
    ha=$(awk -F '\t' -v p="/$1" -v s="$SHA_A" '$1 == 200 && $2 == p &&
        $4 == s' "$T/h/log" 2>/dev/null | wc -l)
    hb=$(awk -F '\t' -v p="/$1" -v s="$SHA_B" '$1 == 200 && $2 == p &&
        $4 == s' "$T/h/log" 2>/dev/null | wc -l)
    ma=0
    mb=0
    for f in $(awk -F '\t' -v r="$1@rcpt.example" '$1 == 250 && $3 == r \
            { print $4 }' "$T/m/log" 2>/dev/null); do
        if grep -q '^TLS-Report-Domain: a.example' "$T/m/$f"; then
            ma=$((ma + 1))
        else
            mb=$((mb + 1))
        fi
    done
    echo "$ha $hb $ma $mb"
}

# same_mail TAG - every copy of a mail of run TAG has its twin's bytes
# apart from Date and DKIM t=/b= (neither is used here): Message-ID equal
same_mail() {
    for d in a.example b.example; do
        nc=$(for f in $(awk -F '\t' -v r="$1@rcpt.example" '$1 == 250 &&
                $3 == r { print $4 }' "$T/m/log"); do
                grep -q "^TLS-Report-Domain: $d" "$T/m/$f" &&
                    grep -v '^Date:' "$T/m/$f" | sha256sum
            done | sort -u | wc -l)
        [ "$nc" -le 1 ] || return 1
    done
}

# judge TAG KILLS_AT_ACCEPT - the exactly-once check for run TAG
judge() {
    set -- "$1" "$2" $(copies "$1")
    extra=0
    for c in $3 $4 $5 $6; do
        [ "$c" -ge 1 ] || { echo "lost: $1 copies $3 $4 $5 $6"; return 1; }
        extra=$((extra + c - 1))
    done
    [ "$extra" -le "$2" ] || { echo "duplicated: $1 copies $3 $4 $5 $6" \
        "with $2 kills after acceptance"; return 1; }
    same_mail "$1" || { echo "different copies: $1"; return 1; }
}

# 1. a kill at every step, the recovery killed as well, then the rest
n=1
steps=0
dups=0
while [ $n -le 80 ]; do
    ST=$T/c$n
    tag=c$n
    set -- --state-dir "$ST" --rua "https://127.0.0.1:$HP/$tag" \
        --rua "mailto:$tag@rcpt.example" "$RA" "$RB"
    MAILTLSRPT_TEST_CRASH=$n snd "$@" 2>"$T/e1"
    rc=$?
    MAILTLSRPT_TEST_CRASH=$((n % 4 + 1)) snd "$@" 2>"$T/e2"
    snd "$@" 2>"$T/e3"
    rc3=$?
    acc=$(cat "$T/e1" "$T/e2" | grep -c 'deliver:accepted')
    dups=$((dups + acc))
    if judge "$tag" "$acc" && [ "$rc3" -eq 0 ] &&
        [ "$(find "$ST/spool/done" -type f | wc -l)" -eq 4 ] &&
        [ "$(find "$ST/spool/pending" "$ST/spool/active" "$ST/spool/tmp" \
            -type f | wc -l)" -eq 0 ]; then
        ok
    else
        bad "kill at step $n ($(grep -o 'step.*' "$T/e1"))"
        cat "$T/e1" "$T/e2" "$T/e3"
    fi
    if [ $rc -ne 137 ]; then
        steps=$((n - 1))
        break
    fi
    n=$((n + 1))
done
echo "crash points: $steps steps, $dups kills between acceptance and record"
check "enough crash points" [ "$steps" -ge 30 ]
check "the accepted-not-recorded window was hit" [ "$dups" -ge 1 ]

# 2. kills from outside at random moments
i=1
while [ $i -le 10 ]; do
    ST=$T/k$i
    tag=k$i
    set -- --state-dir "$ST" --rua "https://127.0.0.1:$HP/$tag" \
        --rua "mailto:$tag@rcpt.example" "$RA" "$RB"
    # exec, not "snd ... &": $! must be the send, not a shell running it
    # (killing that shell left the send running on, racing the next one,
    # which then found the spool locked and did nothing)
    (SND_EXEC="exec"; snd "$@") 2>/dev/null &
    p=$!
    sleep "0.0$(od -An -N1 -tu1 /dev/urandom | tr -d ' ' | cut -c1)"
    kill -9 $p 2>/dev/null
    wait $p 2>/dev/null
    # the kill hit the send itself: none runs on for this spool
    check "outside kill $i: no send survives it" [ "$(running "$ST")" -eq 0 ]
    snd "$@" 2>"$T/k.err"
    rc=$?
    # one attempt may have been under way when the kill came
    if [ $rc -eq 0 ] && judge "$tag" 1 &&
        [ "$(find "$ST/spool/done" -type f | wc -l)" -eq 4 ]
    then ok; else bad "outside kill $i (exit $rc)"; cat "$T/k.err"; fi
    i=$((i + 1))
done

# 3. a full disk
mkdir -p "$F"
if mount -t tmpfs -o size=512k tmpfs "$F" 2>/dev/null; then
    ST=$F/st
    RC=$(mkreport "$T/r" c.example)
    echo 503 >"$T/h/mode"       # keep it spooled
    snd --state-dir "$ST" --rua "https://127.0.0.1:$HP/full" "$RA" 2>/dev/null
    dd if=/dev/zero of="$F/fill" bs=4k 2>/dev/null
    snd --state-dir "$ST" --rua "https://127.0.0.1:$HP/full" "$RC" 2>"$T/err"
    check "full disk: send fails" [ $? -ne 0 ]
    grep -q 'not enqueued: .*No space left on device' "$T/err" && ok \
        || bad "full disk message: $(cat "$T/err")"
    check "full disk: spooled job still pending" \
        [ "$(state "$ST" "$RA" "https://127.0.0.1:$HP/full")" = pending ]
    check "full disk: nothing half-written" \
        [ "$(find "$ST/spool/tmp" -type f | wc -l)" -eq 0 ]
    echo ok >"$T/h/mode"
    snd --state-dir "$ST" --now 2>"$T/err"
    check "full disk: spooled report delivered" \
        [ "$(state "$ST" "$RA" "https://127.0.0.1:$HP/full")" = done ]
    check "full disk: delivered once" [ "$(accepted "$T/h" /full)" -eq 1 ]
    rm -f "$F/fill"
    snd --state-dir "$ST" --rua "https://127.0.0.1:$HP/full" "$RC" 2>/dev/null
    check "space again: the refused report goes" \
        [ "$(state "$ST" "$RC" "https://127.0.0.1:$HP/full")" = done ]
    check "space again: two reports, one copy each" \
        [ "$(accepted "$T/h" /full)" -eq 2 ]
    umount "$F"
else
    echo "full-disk part skipped: cannot mount a tmpfs (not root?)"
fi

# 4. report batches killed at every step and from outside
GEN=$BUILD/benchmarks/gen
RC="--config $CONF --log-tz UTC --log-year 2024 -q --offline --all-days"
"$GEN" -s 5 -b 300000 -d 20 >"$T/rl.log" 2>/dev/null
"$BIN" report $RC --out "$T/rnew" "$T/rl.log" 2>/dev/null
nf=$(ls "$T/rnew" | wc -l)
check "report: reports to crash over" [ "$nf" -ge 10 ]
# the old reports: other bytes under the same names (a second member)
mkdir "$T/rold"
for f in "$T"/rnew/*; do
    { cat "$f"; echo old | gzip; } >"$T/rold/$(basename "$f")"
done

# whole DIR - visible files each the old or the new report; prints the
# count of new ones, "bad NAME" for any other
whole() {
    for f in "$1"/*; do
        [ -e "$f" ] || continue
        b=$(basename "$f")
        if cmp -s "$f" "$T/rnew/$b"; then echo new
        elif cmp -s "$f" "$T/rold/$b"; then :
        else echo "bad $b"; fi
    done | sort | uniq -c | awk '{ $1 = $1; print }'
}
n=1
steps=0
while [ $n -le $((2 * nf + 5)) ]; do
    D=$T/rc$n
    cp -r "$T/rold" "$D"
    MAILTLSRPT_TEST_REPORT_CRASH=$n "$BIN" report $RC -j 2 --out "$D" \
        "$T/rl.log" 2>"$T/re"
    rc=$?
    [ $rc -ne 137 ] && break
    steps=$n
    w=$(whole "$D")
    # steps 1..nf: temporary files; nf + 1: the flush; then renames
    renamed=$((n - nf - 1))
    [ $renamed -lt 0 ] && renamed=0
    if [ $renamed -eq 0 ]; then want=""; else want="$renamed new"; fi
    if [ "$w" = "$want" ]; then ok
    else bad "report killed at step $n: [$w], want [$want]: $(cat "$T/re")"
    fi
    "$BIN" report $RC --out "$D" "$T/rl.log" 2>/dev/null
    if [ "$(whole "$D")" = "$nf new" ] &&
        [ "$(ls "$D" | wc -l)" -eq "$nf" ]; then ok
    else bad "report after a kill at step $n: $(whole "$D")"; fi
    n=$((n + 1))
done
echo "report crash points: $steps steps"
check "report: every step killed" [ "$steps" -eq $((2 * nf + 1)) ]
check "report: the run past the last step ends well" [ "$rc" -eq 0 ]
check "report: ... with every new report" [ "$(whole "$D")" = "$nf new" ]

"$GEN" -s 6 -b 40000000 -d 3000 >"$T/rb.log" 2>/dev/null
s0=$(date +%s%N)
"$BIN" report $RC -j 2 --out "$T/rbnew" "$T/rb.log" 2>/dev/null
ms=$((($(date +%s%N) - s0) / 1000000 + 1))
i=1
while [ $i -le 6 ]; do
    D=$T/rk$i
    mkdir "$D"
    "$BIN" report $RC -j 2 --out "$D" "$T/rb.log" 2>/dev/null &
    p=$!
    # a moment in the clean run's time: parsing, writing or renaming
    d=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % ms))
    sleep "$((d / 1000)).$(printf %03d $((d % 1000)))"
    kill -9 $p 2>/dev/null
    wait $p 2>/dev/null
    badf=0
    for f in "$D"/*; do
        [ -e "$f" ] || continue
        cmp -s "$f" "$T/rbnew/$(basename "$f")" || badf=$((badf + 1))
    done
    if [ $badf -eq 0 ]; then ok
    else bad "report killed from outside ($i): $badf partial or wrong files"
    fi
    i=$((i + 1))
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
