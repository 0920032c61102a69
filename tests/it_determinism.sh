#!/bin/sh
# tests/it_determinism.sh - the same input gives the same bytes, however
# it is split into files
#
# 1. The same input twice gives byte-identical "sessions" output and
#    byte-identical report files, both .json (--no-gzip) and .json.gz
#    (the gzip header carries no time stamp).
# 2. A log split into two files at a line boundary -- at the start, the
#    end, the middle, and between a process's TLS line and its status line
#    (inside a session) -- and passed as two files (and as three, and
#    through stdin) gives the same "summary --json" (its "domains" part
#    and the whole), the same "sessions" output and the same report
#    files as the whole log.
# 3. The warning that names the log hosts left without sending-mta-ip
#    is the same at every -j, and counts each host past the list once.
# Logs: testdata/corpus/postfix.log (real lines) and a synthetic 3-day log
# of 400 sessions generated here (interleaved processes on two log hosts,
# 23 domains, successes and four kinds of failure, a few on port 587).
# option lists ($SS, $CONF) are split on purpose; ls output has no spaces
# shellcheck disable=SC2086,SC2046,SC2010,SC2012
set -u
TEST_TMPFS=1          # reports are written with fsync
. tests/lib.sh
SS="--log-tz UTC --log-year 2024"
test_conf "$tmp/t.conf"
CONF="--config $tmp/t.conf"

# bin OUT ARGS...: run, stdout to OUT; any exit but 0 or a sanitizer
# report fails (every input here is good)
bin() {
    out=$1
    shift
    "$BIN" "$@" >"$out" 2>"$tmp/err"
    r=$?
    if [ "$r" -ne 0 ] || grep -q -E 'Sanitizer|runtime error:' "$tmp/err"; then
        no "exit $r: $*"
        tail -n 20 "$tmp/err"
    fi
    return 0
}

# report DIR FILES...: all-days reports of FILES into DIR (gzip)
report() {
    dir=$1
    shift
    rm -rf "$dir"
    bin "$tmp/rpt.out" report --offline $CONF $SS --all-days --out "$dir" "$@"
}

# domains JSON: the "domains" member of summary --json
domains() { awk '/^  "domains"/ { p = 1 } /^  "sessions"/ { p = 0 } p' "$1"; }

# ------------------------------------------------------------ synthetic
awk -v n=400 '
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
        t = i * 450 + (i * 7919) % 300
        pid = 1000 + i % 37
        host = (i % 5 == 0) ? "relay2" : "mail1"
        dom = sprintf("d%d.example", (i * 13) % 23)
        mx = "mx" (i % 3) "." dom
        ip = sprintf("198.51.100.%d", i % 250 + 1)
        port = (i % 41 == 40) ? 587 : 25
        peer = sprintf("%s[%s]:%d", mx, ip, port)
        q = sprintf("%X%05d", 10 + i % 6, i)
        k = i % 10
        st = "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)"
        if (k <= 5) {
            out(t, host, pid, "Verified TLS connection established to " peer ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)")
        } else if (k == 6) {
            out(t, host, pid, "certificate verification failed for " peer ": untrusted issuer /CN=Evil CA")
            out(t, host, pid, "Untrusted TLS connection established to " peer ": TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)")
            st = "dsn=4.7.5, status=deferred (Server certificate not trusted)"
        } else if (k == 7) {
            st = sprintf("dsn=4.7.4, status=deferred (TLS is required, but was not offered by host %s[%s])", mx, ip)
        } else if (k == 8) {
            out(t, host, pid, "SSL_connect error to " peer ": -1")
            out(t, host, pid, "warning: TLS library problem: error:0A000410:SSL routines::sslv3 alert handshake failure:ssl/record/rec_layer_s3.c:1584:SSL alert number 40:")
            st = "dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)"
        } else {
            out(t, host, pid, "Anonymous TLS connection established to " peer ": TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)")
        }
        # the status line comes 500 s later: other sessions in between
        out(t + 500, host, pid, sprintf("%s: to=<user%d@%s>, relay=%s, delay=1.2, delays=0.1/0/0.6/0.5, %s", q, i, dom, peer, st))
    }
}' | sort -t "$(printf '\t')" -k1,1n -k2,2n | cut -f3- >"$tmp/synthetic.log"

nsyn=$(grep -c 'status=' "$tmp/synthetic.log")
check "synthetic log has 400 sessions ($nsyn)" [ "$nsyn" = 400 ]

# ------------------------------------------------------------ 1: twice
for log in testdata/corpus/postfix.log "$tmp/synthetic.log"; do
    b=$(basename "$log")
    bin "$tmp/s1" sessions $CONF $SS "$log"
    bin "$tmp/s2" sessions $CONF $SS "$log"
    check "$b: sessions output not empty" [ -s "$tmp/s1" ]
    check "$b: sessions output identical twice" cmp -s "$tmp/s1" "$tmp/s2"
    bin "$tmp/t1" sessions --trace $CONF $SS "$log"
    bin "$tmp/t2" sessions --trace $CONF $SS "$log"
    check "$b: --trace output identical twice" cmp -s "$tmp/t1" "$tmp/t2"
    for gz in no-gzip gzip; do
        opt=""
        [ "$gz" = no-gzip ] && opt=--no-gzip
        rm -rf "$tmp/r1" "$tmp/r2"
        bin "$tmp/rpt.out" report --offline $opt $CONF $SS --all-days \
            --out "$tmp/r1" "$log"
        # once, a second later: a time stamp would now differ
        [ "$gz" = gzip ] && [ "$b" = postfix.log ] && sleep 1
        bin "$tmp/rpt.out" report --offline $opt $CONF $SS --all-days \
            --out "$tmp/r2" "$log"
        n=$(find "$tmp/r1" -type f | wc -l)
        check "$b $gz: reports written ($n)" [ "$n" -gt 0 ]
        check "$b $gz: report files byte-identical twice" \
            diff -r "$tmp/r1" "$tmp/r2"
    done
    # the gzip header's MTIME field (bytes 4..7) is zero (first 8 files)
    nz=0
    for f in $(ls "$tmp"/r1/*.gz | head -n 8); do
        [ "$(od -An -tx1 -j4 -N4 "$f" | tr -d ' \n')" = 00000000 ] ||
            nz=$((nz + 1))
    done
    check "$b: gzip MTIME zero in every report ($nz not)" [ "$nz" = 0 ]
done

# ------------------------------------------------------------ 2: splits
# cutpoints LOG: line numbers to cut after: 0 (empty first file), the
# middle, the last line (empty second file), and after the first, middle
# and last "TLS connection established to" lines whose process logs its
# status line within the next 20 lines (cuts inside a session)
cutpoints() {
    n=$(wc -l <"$1")
    tls=$(awk '
        { line[NR] = $0 }
        END {
            for (i = 1; i <= NR; i++) {
                if (line[i] !~ /TLS connection established to/) continue
                if (!match(line[i], /\[[0-9]+\]: /)) continue
                pid = substr(line[i], RSTART, RLENGTH)
                for (j = i + 1; j <= NR && j <= i + 20; j++)
                    if (index(line[j], pid) && line[j] ~ /status=/) {
                        print i; break
                    }
            }
        }' "$1")
    ntls=$(echo "$tls" | wc -l)
    t1=$(echo "$tls" | sed -n 1p)
    t2=$(echo "$tls" | sed -n "$(((ntls + 1) / 2))p")
    t3=$(echo "$tls" | sed -n "${ntls}p")
    echo 0 $((n / 2)) "$n" "$t1" "$t2" "$t3" | tr ' ' '\n' |
        sort -n -u
}

for log in testdata/corpus/postfix.log "$tmp/synthetic.log"; do
    b=$(basename "$log")
    bin "$tmp/whole.json" summary --json $CONF $SS "$log"
    bin "$tmp/whole.sess" sessions $CONF $SS "$log"
    report "$tmp/whole.rpt" "$log"
    domains "$tmp/whole.json" >"$tmp/whole.dom"
    check "$b: summary has domains" grep -q '"domain"' "$tmp/whole.dom"
    inside=0
    for k in $(cutpoints "$log"); do
        head -n "$k" "$log" >"$tmp/a.log"
        tail -n +"$((k + 1))" "$log" >"$tmp/b.log"
        # is this cut inside a session: a TLS line at k, its process's
        # next line after k?
        if [ "$k" -gt 0 ] && sed -n "${k}p" "$log" |
            grep -q 'TLS connection established to'; then
            pid=$(sed -n "${k}p" "$log" | sed -n 's/.*\[\([0-9]*\)\]: .*/\1/p')
            if grep -q "\[$pid\]: .*status=" "$tmp/b.log"; then
                inside=$((inside + 1))
            fi
        fi
        bin "$tmp/split.json" summary --json $CONF $SS "$tmp/a.log" "$tmp/b.log"
        domains "$tmp/split.json" >"$tmp/split.dom"
        check "$b cut $k: summary domains same as whole" \
            cmp -s "$tmp/whole.dom" "$tmp/split.dom"
        check "$b cut $k: whole summary JSON same" \
            cmp -s "$tmp/whole.json" "$tmp/split.json"
        bin "$tmp/split.sess" sessions $CONF $SS "$tmp/a.log" "$tmp/b.log"
        check "$b cut $k: sessions output same" \
            cmp -s "$tmp/whole.sess" "$tmp/split.sess"
        report "$tmp/split.rpt" "$tmp/a.log" "$tmp/b.log"
        check "$b cut $k: report files same" \
            diff -r "$tmp/whole.rpt" "$tmp/split.rpt"
    done
    check "$b: at least 3 cuts fall inside a session ($inside)" [ "$inside" -ge 3 ]
    # three files: cut at the 2nd and the 5th cut point
    set -- $(cutpoints "$log")
    k1=$2
    k2=$5
    head -n "$k1" "$log" >"$tmp/a.log"
    sed -n "$((k1 + 1)),${k2}p" "$log" >"$tmp/b.log"
    tail -n +"$((k2 + 1))" "$log" >"$tmp/c.log"
    bin "$tmp/split.json" summary --json $CONF $SS "$tmp/a.log" "$tmp/b.log" "$tmp/c.log"
    check "$b three files ($k1, $k2): summary same" \
        cmp -s "$tmp/whole.json" "$tmp/split.json"
    report "$tmp/split.rpt" "$tmp/a.log" "$tmp/b.log" "$tmp/c.log"
    check "$b three files: report files same" \
        diff -r "$tmp/whole.rpt" "$tmp/split.rpt"
    # standard input and a gzip file mixed with a plain one
    cat "$tmp/a.log" "$tmp/b.log" "$tmp/c.log" >"$tmp/all.log"
    bin "$tmp/split.json" summary --json $CONF $SS - <"$tmp/all.log"
    check "$b via stdin: summary same" cmp -s "$tmp/whole.json" "$tmp/split.json"
    gzip -n -c "$tmp/a.log" >"$tmp/a.log.gz"
    bin "$tmp/split.json" summary --json $CONF $SS "$tmp/a.log.gz" "$tmp/b.log" "$tmp/c.log"
    check "$b gzip + plain: summary same" cmp -s "$tmp/whole.json" "$tmp/split.json"
done

# ------------------------------------------------------------ 3: warnings
# 40 log hosts, none with a sending_mta_ip, each with failures to its
# own domains: report threads meet the hosts in no fixed order, and the
# warning that names those left without must not depend on it (the first
# 32 names in byte order, then "and 8 more", counted once each)
awk 'BEGIN {
    for (i = 0; i < 400; i++) {
        h = sprintf("h%02d", (i * 7) % 40)
        printf "Apr  4 10:%02d:%02d %s postfix/smtp[%d]: %X%05d: to=<u@f%d.example>, relay=mx.f%d.example[198.51.100.%d]:25, delay=1, delays=0/0/1/0, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host mx.f%d.example[198.51.100.%d])\n", int(i / 60), i % 60, h, 100 + i, 10, i, i % 50, i % 50, i % 50 + 1, i % 50, i % 50 + 1
    }
}' >"$tmp/hosts.log"
for j in 1 2 3 8; do
    rm -rf "$tmp/h.rpt"
    "$BIN" report --offline $CONF $SS --all-days -j "$j" --out "$tmp/h.rpt" \
        "$tmp/hosts.log" 2>&1 >/dev/null | grep 'sending-mta-ip left out' \
        >"$tmp/warn.$j"
done
check "40 hosts: the warning names the first 32 in order and 8 more" \
    grep -q 'of log host h00, log host h01, .*log host h31 and 8 more:' \
    "$tmp/warn.1"
for j in 2 3 8; do
    check "40 hosts: the warning is the same at -j 1 and -j $j" \
        cmp -s "$tmp/warn.1" "$tmp/warn.$j"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
