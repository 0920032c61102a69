#!/bin/sh
# tests/it_follow.sh - mailtlsrpt follow: exactly once through rotation
# and kill -9, and run from the follower's state
#
# 1. A real rsyslogd (Debian rsyslog, started here on its own
#    configuration, socket and work directory; never the system's)
#    writes a mail log in RFC 3339 form from the real Postfix, Sendmail
#    and Exim lines of testdata/corpus, sent to its socket in 24 rounds
#    by a small sender. Between rounds logrotate rotates the log, by
#    rename and create (rsyslogd reopens on SIGHUP) and by copytruncate,
#    four times each; during rounds mailtlsrpt follow is killed with
#    SIGKILL at a random moment and started again, at least 10 times. In
#    the end (SIGTERM) the day states give exactly the summary of a batch
#    run over the rotated files (every domain, the totals, lines read),
#    and the lines counted equal the lines written.
# 2. A log of one UTC day (real Postfix lines restamped, an hour of log
#    before the day and lines after it): follow closes the day, writes
#    its .done; with the log removed, run --offline writes the same
#    report files, byte for byte, as report --offline over the log did.
#    A day the follower did not see from its start gets no .done.
# 3. --journal with a stand-in journalctl (MAILTLSRPT_JOURNALCTL) that
#    prints JSON records after --after-cursor: killed with SIGKILL and
#    restarted, the follower resumes after the last cursor it saved and
#    counts what a batch summary of the records counts.
# 4. Bad invocations: no LOG, "-", a second follower on the same state
#    directory, a damaged checkpoint (refused, exit 3, nothing read).
# 5. A checkpoint of format version 1 (testdata/state/follow-v1, written
#    by the version before) is read on, its day's counts kept, and saved
#    again as version 2; a day state counts repeated lines as aggregate
#    does.
# option lists are split on purpose
# shellcheck disable=SC2086
set -u
. tests/lib.sh
TOP=$(pwd)
FPID=
RPID=
AT_EXIT='[ -n "$FPID" ] && kill -9 "$FPID" 2>/dev/null; [ -n "$RPID" ] && kill "$RPID" 2>/dev/null'
# rnd N: a number in 0..N-1
rnd() { od -An -N2 -tu2 /dev/urandom | awk -v n="$1" '{ print $1 % n }'; }
# poll TENTHS CMD...: run CMD (quiet) every 0.1 s until it succeeds, at
# most TENTHS times (an eval'd CMD sees poll's own $1..: name variables)
poll() {
    poll_n=$1
    shift
    poll_i=0
    while ! "$@" 2>/dev/null && [ "$poll_i" -lt "$poll_n" ]; do
        sleep 0.1
        poll_i=$((poll_i + 1))
    done
}
# stop_follow: SIGTERM to the follower; its exit status
stop_follow() {
    kill -TERM "$FPID"
    wait "$FPID"
    rc=$?
    FPID=
    return $rc
}

test_conf "$tmp/t.conf" "sending_mta_ip = mail1 192.0.2.1"
CONF="--config $tmp/t.conf"

# same FILE_A FILE_B: summary --json of both agree on domains, totals,
# lines (the header's period and log hosts may differ by nothing here)
same() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
bad = [k for k in ("domains", "totals", "lines") if a.get(k) != b.get(k)]
for k in bad:
    print("differs:", k, json.dumps(a.get(k))[:300], json.dumps(b.get(k))[:300])
sys.exit(1 if bad else 0)
EOF
}

# ------------------------------------------------------------ 1. rsyslog
if ! command -v rsyslogd >/dev/null || ! command -v logrotate >/dev/null; then
    no "rsyslog and logrotate are not installed (scripts/deps.sh test)"
else
    L=$tmp/log
    mkdir -p "$L" "$tmp/rs" "$tmp/sd"
    cat >"$tmp/rsyslog.conf" <<EOF
global(workDirectory="$tmp/rs")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$tmp/log.sock" RateLimit.Interval="0"
      UseSysTimeStamp="on")
*.* action(type="omfile" file="$L/mail.log" template="RSYSLOG_FileFormat")
EOF
    for how in create copytruncate; do
        cat >"$tmp/lr-$how.conf" <<EOF
$L/mail.log {
    rotate 50
    $how
    nocompress
    missingok
    postrotate
        if [ "$how" = create ]; then kill -HUP \$(cat $tmp/rsyslog.pid); fi
    endscript
}
EOF
    done
    # the log is there before follow first starts, as /var/log/mail.log
    # is (a log that appears later is read from its first byte)
    : >"$L/mail.log"
    rsyslogd -n -f "$tmp/rsyslog.conf" -i "$tmp/rsyslog.pid" \
        >"$tmp/rsyslog.out" 2>&1 &
    RPID=$!
    poll 100 [ -S "$tmp/log.sock" ]
    check "rsyslogd listens on its own socket" [ -S "$tmp/log.sock" ]

    # the lines: syslog lines of Postfix and Sendmail as their programs
    # sent them, Exim main log lines as exim sends them to syslog
    python3 - "$TOP/testdata/corpus" >"$tmp/lines" <<'EOF'
import re, sys
d = sys.argv[1]
sl = re.compile(r'^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ (\S+?\[\d+\]): (.*)$')
out = []
for name in ("postfix.log", "sendmail.log"):
    for line in open(d + "/" + name, encoding="utf-8", errors="replace"):
        m = sl.match(line.rstrip("\n"))
        if m:
            out.append(m.group(1) + ": " + m.group(2))
for line in open(d + "/exim.log", encoding="utf-8", errors="replace"):
    line = line.rstrip("\n")
    if re.match(r'^\d{4}-\d\d-\d\d ', line):
        out.append("exim[4242]: " + line)
for _ in range(2):
    for l in out:
        print(l)
EOF
    cat >"$tmp/send.py" <<'EOF'
import socket, sys, time
sock, path, a, b = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lines = open(path, encoding="utf-8").read().split("\n")[a:b]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for i, l in enumerate(lines):
    msg = "<22>" + time.strftime("%b %d %H:%M:%S ") + l
    while True:
        try:
            s.sendto(msg.encode(), sock)
            break
        except (BlockingIOError, ConnectionRefusedError):
            time.sleep(0.01)
    if i % 8 == 7:
        time.sleep(0.002)
EOF
    total=$(wc -l <"$tmp/lines")
    check "the corpus gives lines to send ($total)" [ "$total" -gt 500 ]

    start_follow() {
        rm -f "$tmp/m.prom"     # what this follower counts, not the last
        "$BIN" follow $CONF -v --state-dir "$tmp/sd" --checkpoint-every 1 \
            --metrics-file "$tmp/m.prom" --events "$tmp/events" \
            "$L/mail.log" >>"$tmp/follow.out" 2>&1 &
        FPID=$!
    }
    # written N: rsyslogd has written N lines (all files)
    written() {
        want_lines=$1
        poll 200 eval '[ "$(cat "$L"/mail.log* | wc -l)" -ge "$want_lines" ]'
    }
    start_follow
    kills=0
    rot_c=0
    rot_t=0
    sent=0
    step=$((total / 24 + 1))
    round=1
    while [ $round -le 24 ]; do
        to=$((sent + step))
        [ $to -gt "$total" ] && to=$total
        python3 "$tmp/send.py" "$tmp/log.sock" "$tmp/lines" $sent $to &
        spid=$!
        if [ $((round % 2)) = 0 ] || [ "$(rnd 3)" = 0 ]; then
            sleep "$(rnd 2).$(rnd 10)$(rnd 10)"
            kill -9 "$FPID"
            wait "$FPID" 2>/dev/null
            kills=$((kills + 1))
            start_follow
        fi
        wait $spid
        sent=$to
        written $sent
        case $((round % 6)) in
        2)
            logrotate -f -s "$tmp/lr.state" "$tmp/lr-create.conf" &&
                rot_c=$((rot_c + 1))
            ;;
        5)
            logrotate -f -s "$tmp/lr.state" "$tmp/lr-copytruncate.conf" &&
                rot_t=$((rot_t + 1))
            ;;
        esac
        round=$((round + 1))
    done
    written "$total"
    nlog=$(cat "$L"/mail.log* | wc -l)
    check "rsyslogd wrote every line sent ($nlog of $total)" [ "$nlog" = "$total" ]
    check "at least 10 kills ($kills)" [ "$kills" -ge 10 ]
    check "rotated 4 times each way ($rot_c, $rot_t)" [ "$rot_c" = 4 ] && [ "$rot_t" = 4 ]
    # caught up: the metrics file counts every line
    poll 300 grep -q "^mailtlsrpt_follow_lines_total $nlog\$" "$tmp/m.prom"
    if grep -q "^mailtlsrpt_follow_lines_total $nlog\$" "$tmp/m.prom"; then
        ok
    else
        no "the follower read every line once ($(grep '^mailtlsrpt_follow_lines_total' "$tmp/m.prom"))"
        # where each follower read, and the files as they are
        grep -E 'reading|not read' "$tmp/follow.out" | tail -n 60
        ls -li --time-style=+%T.%N "$L"
    fi
    stop_follow
    check "follow ends on SIGTERM with status 0 ($rc)" [ "$rc" = 0 ]
    check "follow said nothing was lost" sh -c "! grep -q -E 'not read|Sanitizer|runtime error' '$tmp/follow.out'"
    # shellcheck disable=SC2012
    files=$(ls -tr "$L"/mail.log*)
    "$BIN" summary --json -q $CONF $files >"$tmp/batch.json"
    "$BIN" summary --json -q $CONF --from-state "$tmp"/sd/follow/*.state \
        >"$tmp/follow.json"
    check "day states = batch summary over the rotated files" \
        same "$tmp/batch.json" "$tmp/follow.json"
    n=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['totals']['sessions'])" "$tmp/batch.json")
    check "the log made sessions ($n)" [ "$n" -gt 20 ]
    kill "$RPID"
    wait "$RPID" 2>/dev/null
    RPID=
fi

# ------------------------------------------------------------ 2. run
# one UTC day, 2024-03-05, restamped from real Postfix lines (RFC 3339)
python3 - "$TOP/testdata/corpus/postfix.log" >"$tmp/day.log" <<'EOF'
import re, sys
sl = re.compile(r'^\w{3} [ \d]\d \d\d:\d\d:\d\d (\S+ \S+?\[\d+\]: .*)$')
lines = [m.group(1) for m in (sl.match(l.rstrip("\n")) for l in
         open(sys.argv[1], encoding="utf-8", errors="replace")) if m]
print("2024-03-04T22:30:00+00:00 mail1 postfix/qmgr[9]: 0: removed")
for i, l in enumerate(lines):
    t = 3600 + i * 240
    print("2024-03-05T%02d:%02d:%02d+00:00 %s" % (t // 3600, t // 60 % 60, t % 60, l))
print("2024-03-06T00:40:00+00:00 mail1 postfix/qmgr[9]: 0: removed")
EOF
mkdir -p "$tmp/sd2" "$tmp/rb" "$tmp/rf"
"$BIN" report --offline -q $CONF --day 2024-03-05 --out "$tmp/rb" "$tmp/day.log"
"$BIN" follow $CONF -q --state-dir "$tmp/sd2" --grace 600 "$tmp/day.log" \
    >"$tmp/f2.out" 2>&1 &
FPID=$!
poll 100 [ -f "$tmp/sd2/follow/2024-03-05.done" ]
stop_follow
check "follow closed 2024-03-05 whole (.done)" [ -f "$tmp/sd2/follow/2024-03-05.done" ]
check "2024-03-04 (seen from 22:30 only) has no .done" [ ! -f "$tmp/sd2/follow/2024-03-04.done" ]
mv "$tmp/day.log" "$tmp/day.log.gone"
"$BIN" run --offline $CONF --day 2024-03-05 --state-dir "$tmp/sd2" \
    --out "$tmp/rf" /nonexistent/mail.log >"$tmp/run.out" 2>&1
rc=$?
check "run from the follower's state: status 0 ($rc)" [ "$rc" = 0 ]
check "run says it used the state" grep -q "from mailtlsrpt follow" "$tmp/run.out"
nb=$(ls "$tmp/rb" | wc -l)
check "batch reports written ($nb)" [ "$nb" -gt 3 ]
check "the same report files, byte for byte" diff -r "$tmp/rb" "$tmp/rf"
"$BIN" summary --json -q $CONF --from-state "$tmp/sd2/follow/2024-03-05.state" \
    >"$tmp/s2f.json"
"$BIN" summary --json -q $CONF --day 2024-03-05 "$tmp/day.log.gone" >"$tmp/s2b.json"
check "summary of the closed day's state = batch summary of the day" \
    python3 -c "import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); sys.exit(a['domains']!=b['domains'] or a['totals']!=b['totals'])" \
    "$tmp/s2f.json" "$tmp/s2b.json"

# ------------------------------------------------------------ 3. journal
python3 - "$TOP/testdata/corpus/postfix.log" >"$tmp/j.json" <<'EOF'
import json, re, sys
sl = re.compile(r'^\w{3} [ \d]\d \d\d:\d\d:\d\d (\S+) (\S+?)\[(\d+)\]: (.*)$')
n = 0
for l in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = sl.match(l.rstrip("\n"))
    if not m:
        continue
    n += 1
    t = 1709596800 + n * 7
    print(json.dumps({"__CURSOR": "s=1;i=%x;t=%x" % (n, t),
                      "__REALTIME_TIMESTAMP": str(t * 1000000),
                      "_HOSTNAME": m.group(1), "SYSLOG_IDENTIFIER": m.group(2),
                      "_PID": m.group(3), "MESSAGE": m.group(4)}))
EOF
cat >"$tmp/journalctl" <<EOF
#!/bin/sh
# a stand-in for journalctl -f -o json: records after --after-cursor, a
# few at a time, then waits (follows) until killed, or until follow is
# gone (killed with SIGKILL, it cannot stop its journalctl: the pipe
# tells)
after=
for a in "\$@"; do
    case \$a in --after-cursor=*) after=\${a#--after-cursor=} ;; esac
done
echo "\$*" >>"$tmp/jargs"
exec python3 - "$tmp/j.json" "\$after" <<'PY'
import json, select, sys, time
after = sys.argv[2]
go = after == ""
for l in open(sys.argv[1]):
    if go:
        sys.stdout.write(l)
        sys.stdout.flush()
        time.sleep(0.004)
    elif json.loads(l)["__CURSOR"] == after:
        go = True
# the pipe's reader gone (POLLERR): follow has ended
p = select.poll()
p.register(sys.stdout.fileno(), 0)
while not p.poll(100):
    pass
PY
EOF
chmod +x "$tmp/journalctl"
mkdir -p "$tmp/sd3"
nj=$(wc -l <"$tmp/j.json")
k=0
while [ $k -lt 4 ]; do
    MAILTLSRPT_JOURNALCTL=$tmp/journalctl "$BIN" follow $CONF -q \
        --state-dir "$tmp/sd3" --checkpoint-every 1 --journal \
        >>"$tmp/f3.out" 2>&1 &
    FPID=$!
    # the first after a checkpoint with a cursor (every second), the
    # others at random
    if [ $k = 0 ]; then sleep 1.5; else sleep "$(rnd 2).$(rnd 10)$(rnd 10)"; fi
    kill -9 "$FPID"
    wait "$FPID" 2>/dev/null
    k=$((k + 1))
done
MAILTLSRPT_JOURNALCTL=$tmp/journalctl "$BIN" follow $CONF -q \
    --state-dir "$tmp/sd3" --checkpoint-every 1 --journal \
    --metrics-file "$tmp/m3.prom" >>"$tmp/f3.out" 2>&1 &
FPID=$!
poll 200 grep -q "^mailtlsrpt_follow_lines_total $nj\$" "$tmp/m3.prom"
stop_follow
check "journal: every record read once after 4 kills ($nj)" \
    grep -q "^mailtlsrpt_follow_lines_total $nj\$" "$tmp/m3.prom"
check "journal: restarts resumed after a saved cursor" \
    grep -q -- "--after-cursor=s=1;i=" "$tmp/jargs"
check "journal: the default match is the mail facility" \
    grep -q "SYSLOG_FACILITY=2" "$tmp/jargs"
"$BIN" summary --json -q $CONF "$tmp/j.json" >"$tmp/s3b.json"
"$BIN" summary --json -q $CONF --from-state "$tmp"/sd3/follow/*.state >"$tmp/s3f.json"
check "journal: day states = batch summary of the records" \
    same "$tmp/s3b.json" "$tmp/s3f.json"

# ------------------------------------------------------------ 4. refusals
"$BIN" follow $CONF --state-dir "$tmp/sd4" >/dev/null 2>"$tmp/e1"
check "no LOG: usage error" [ $? = 2 ]
"$BIN" follow $CONF --state-dir "$tmp/sd4" - >/dev/null 2>"$tmp/e2"
check "standard input: usage error" [ $? = 2 ]
"$BIN" follow $CONF --state-dir "$tmp/sd4" --checkpoint-evry 5 x >/dev/null 2>"$tmp/e3"
check "typo: did you mean" grep -q "did you mean --checkpoint-every" "$tmp/e3"
mkdir -p "$tmp/sd5"
: >"$tmp/empty.log"
"$BIN" follow $CONF -q --state-dir "$tmp/sd5" "$tmp/empty.log" >/dev/null 2>&1 &
FPID=$!
sleep 0.5
"$BIN" follow $CONF -q --state-dir "$tmp/sd5" "$tmp/empty.log" >/dev/null 2>"$tmp/e4"
rc=$?
check "a second follower on one state directory: exit 3 ($rc)" [ "$rc" = 3 ]
check "... saying why" grep -q "another mailtlsrpt follow" "$tmp/e4"
stop_follow
cp "$tmp/sd2/follow/checkpoint" "$tmp/sd5/follow/checkpoint"
python3 -c "import sys; p=sys.argv[1]; d=bytearray(open(p,'rb').read()); d[30]^=1; open(p,'wb').write(d)" \
    "$tmp/sd5/follow/checkpoint"
"$BIN" follow $CONF -q --state-dir "$tmp/sd5" "$tmp/empty.log" >/dev/null 2>"$tmp/e5"
rc=$?
check "a damaged checkpoint: exit 3 ($rc)" [ "$rc" = 3 ]
check "... with its reason" grep -q "checksum mismatch" "$tmp/e5"

# ---------------------------- 5. an earlier checkpoint; repeated lines
# sumline STATE: the summary line of a saved state
sumline() { "$BIN" summary $CONF --from-state "$@" 2>&1 >/dev/null | tail -1; }
# follow_until DIR LOG WANT: follow DIR/LOG (state in DIR/sd) until its
# day state's summary line has WANT, then SIGTERM; the exit status
follow_until() {
    (cd "$1" && exec "$BIN" follow $CONF -v --state-dir sd \
        --checkpoint-every 1 "$2" >/dev/null 2>>"$tmp/e6") &
    FPID=$!
    fu_dir=$1
    fu_want=$3
    poll 100 eval 'sumline "$fu_dir"/sd/follow/*.state | grep -q "$fu_want"'
    stop_follow
}
V1=$TOP/testdata/state/follow-v1
mkdir -p "$tmp/v1/sd/follow"
cp "$V1/mail.log" "$tmp/v1/mail.log"
cp "$V1/checkpoint" "$tmp/v1/sd/follow/checkpoint"
follow_until "$tmp/v1" mail.log "198 lines read"
check "checkpoint version 1: read, the follower ends 0 ($?)" [ $? = 0 ]
check "... its day's 99 lines kept, the log (a new file) read again" \
    eval 'sumline "$tmp"/v1/sd/follow/*.state | grep -q "198 lines read (0 bad), 32 sessions"'
check "... saved again as version 2" \
    [ "$(od -An -j8 -N4 -tx1 "$tmp/v1/sd/follow/checkpoint" | tr -d ' ')" = 00000002 ]
mkdir -p "$tmp/rep"
awk 'NR >= 40 && NR <= 45 { print } { print }' "$V1/mail.log" >"$tmp/rep/dup.log"
"$BIN" aggregate -q $CONF -o "$tmp/rep.state" "$tmp/rep/dup.log"
follow_until "$tmp/rep" dup.log "105 lines read"
check "repeated lines: the follower ends 0 ($?)" [ $? = 0 ]
sumline "$tmp/rep.state" >"$tmp/rep.a"
sumline "$tmp"/rep/sd/follow/*.state >"$tmp/rep.f"
check "... the day state counts them as aggregate does: $(cat "$tmp/rep.f")" \
    eval 'grep -q "3 repeated lines skipped" "$tmp/rep.f" && cmp -s "$tmp/rep.a" "$tmp/rep.f"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
