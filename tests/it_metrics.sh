#!/bin/sh
# tests/it_metrics.sh - the metrics of mailtlsrpt follow, read by a real
# Prometheus
#
# 1. follow reads a log of today (the real Postfix, Sendmail and Exim
#    lines of testdata/corpus, restamped to today's first second, UTC)
#    and serves /metrics over libmicrohttpd on a loopback port; a real
#    Prometheus (Debian prometheus, started here with its own
#    configuration and data directory on another loopback port) scrapes
#    it every second, and a query through its HTTP API gives, per
#    domain and per domain and result type, exactly the counts of
#    summary --json over the same log.
# 2. promtool check metrics accepts what /metrics serves and what the
#    --metrics-file holds (the same text); other paths are 404, other
#    methods 405.
# 3. The shipped alerting rules: promtool check rules, and promtool test
#    rules runs their unit tests (docs/mailtlsrpt-alerts.test.yml).
# 4. --metrics-domains 2: the two busiest and the two most failing
#    domains by name, every other as domain="other"; the sum is the same.
set -u
. tests/lib.sh
TOP=$(pwd)
FPID=
PPID_=
AT_EXIT='[ -n "$FPID" ] && kill "$FPID" 2>/dev/null && wait "$FPID" 2>/dev/null
[ -n "$PPID_" ] && kill "$PPID_" 2>/dev/null && wait "$PPID_" 2>/dev/null'

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
    no "prometheus is not installed (scripts/deps.sh test)"
    echo "$pass passed, $fail failed"
    exit 1
fi
test_conf "$tmp/t.conf"
CONF="--config $tmp/t.conf"

# today's log: every syslog line of the corpus at today's first second
python3 - "$TOP/testdata/corpus" >"$tmp/today.log" <<'EOF'
import re, sys, time
d = sys.argv[1]
day = time.strftime("%Y-%m-%dT00:00:00+00:00", time.gmtime())
sl = re.compile(r'^\w{3} [ \d]\d \d\d:\d\d:\d\d (\S+ \S+?\[\d+\]: .*)$')
for name in ("postfix.log", "sendmail.log"):
    for line in open(d + "/" + name, encoding="utf-8", errors="replace"):
        m = sl.match(line.rstrip("\n"))
        if m:
            print(day, m.group(1))
EOF
"$BIN" summary --json -q $CONF "$tmp/today.log" >"$tmp/sum.json"
set -- $(free_ports 2)
MPORT=$1
PPORT=$2

# ------------------------------------------------------------ 1.
"$BIN" follow $CONF -q --state-dir "$tmp/sd" --metrics-listen "127.0.0.1:$MPORT" \
    --metrics-file "$tmp/follow.prom" --metrics-domains 100 --checkpoint-every 1 \
    "$tmp/today.log" >"$tmp/follow.out" 2>&1 &
FPID=$!
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mailtlsrpt
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
    --web.listen-address="127.0.0.1:$PPORT" >"$tmp/prometheus.out" 2>&1 &
PPID_=$!
i=0
until curl -sf "http://127.0.0.1:$PPORT/-/ready" >/dev/null 2>&1 || [ $i -ge 300 ]; do
    sleep 0.1
    i=$((i + 1))
done
check "prometheus is ready" curl -sf "http://127.0.0.1:$PPORT/-/ready" -o /dev/null
python3 - "$PPORT" "$tmp/sum.json" >"$tmp/cmp.out" 2>&1 <<'EOF'
import json, sys, time, urllib.parse, urllib.request
port, sumfile = sys.argv[1], sys.argv[2]
s = json.load(open(sumfile))
want_d = {d["domain"]: d["sessions"] for d in s["domains"] if d["sessions"]}
want_r = {}
for d in s["domains"]:
    if d["successful"]:
        want_r[(d["domain"], "success")] = d["successful"]
    for t, n in d["failures"].items():
        want_r[(d["domain"], t)] = n
def q(expr):
    u = "http://127.0.0.1:%s/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": expr}))
    r = json.load(urllib.request.urlopen(u, timeout=5))
    return r["data"]["result"]
got_d = got_r = None
for _ in range(150):
    try:
        got_d = {x["metric"]["domain"]: int(float(x["value"][1]))
                 for x in q("sum by (domain) (mailtlsrpt_sessions_total)")}
        got_r = {(x["metric"]["domain"], x["metric"]["result_type"]): int(float(x["value"][1]))
                 for x in q("sum by (domain, result_type) (mailtlsrpt_sessions_total)")}
    except Exception as e:
        print("query:", e)
    if got_d == want_d and got_r == want_r:
        print("equal: %d domains, %d sessions" % (len(got_d), sum(got_d.values())))
        sys.exit(0)
    time.sleep(0.2)
print("want", want_d, want_r)
print("got", got_d, got_r)
sys.exit(1)
EOF
rc=$?
check "prometheus query = summary per domain and result type ($(tail -n 1 "$tmp/cmp.out"))" [ "$rc" = 0 ]
nd=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['domains']))" "$tmp/sum.json")
check "the log has domains to compare ($nd)" [ "$nd" -ge 5 ]

# ------------------------------------------------------------ 2.
curl -sf "http://127.0.0.1:$MPORT/metrics" >"$tmp/served.prom"
check "/metrics answers" [ -s "$tmp/served.prom" ]
check "promtool check metrics accepts /metrics" sh -c "promtool check metrics <'$tmp/served.prom' >'$tmp/pc1.out' 2>&1"
i=0
until [ -s "$tmp/follow.prom" ] || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
check "promtool check metrics accepts the metrics file" sh -c "promtool check metrics <'$tmp/follow.prom' >'$tmp/pc2.out' 2>&1"
check "the content type is the text format" sh -c "curl -sI 'http://127.0.0.1:$MPORT/metrics' | grep -qi 'content-type: text/plain; version=0.0.4'"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/other")
check "another path: 404 ($code)" [ "$code" = 404 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "http://127.0.0.1:$MPORT/metrics")
check "POST: 405 ($code)" [ "$code" = 405 ]
"$BIN" follow $CONF -q --state-dir "$tmp/sd2" --metrics-listen "127.0.0.1:$MPORT" \
    "$tmp/today.log" >/dev/null 2>"$tmp/busy.err"
rc=$?
check "a port in use: exit 3 ($rc)" [ "$rc" = 3 ]
check "... saying so" grep -q "cannot listen" "$tmp/busy.err"
"$BIN" follow $CONF -q --state-dir "$tmp/sd2" --metrics-listen "localhost:x" \
    "$tmp/today.log" >/dev/null 2>"$tmp/bad.err"
check "a bad address: exit 3" [ $? = 3 ]
kill "$FPID"
wait "$FPID"
FPID=
kill "$PPID_"
wait "$PPID_" 2>/dev/null
PPID_=

# ------------------------------------------------------------ 3.
check "promtool check rules docs/mailtlsrpt-alerts.yml" sh -c "promtool check rules '$TOP/docs/mailtlsrpt-alerts.yml' >'$tmp/cr.out' 2>&1"
check "promtool test rules docs/mailtlsrpt-alerts.test.yml" sh -c "cd '$TOP/docs' && promtool test rules mailtlsrpt-alerts.test.yml >'$tmp/tr.out' 2>&1"
n=$(grep -c -- '- alert:' "$TOP/docs/mailtlsrpt-alerts.yml")
t=$(grep -c 'alertname:' "$TOP/docs/mailtlsrpt-alerts.test.yml")
for a in $(sed -n 's/.*- alert: //p' "$TOP/docs/mailtlsrpt-alerts.yml"); do
    check "rule $a is tested firing" sh -c "grep -A3 'alertname: $a\$' '$TOP/docs/mailtlsrpt-alerts.test.yml' | grep -q exp_labels"
done
check "rules ($n) and tests ($t)" [ "$n" -ge 5 ] && [ "$t" -ge "$n" ]

# ------------------------------------------------------------ 4.
"$BIN" follow $CONF -q --state-dir "$tmp/sd3" --metrics-file "$tmp/few.prom" \
    --metrics-domains 2 "$tmp/today.log" >/dev/null 2>&1 &
FPID=$!
i=0
until [ -s "$tmp/few.prom" ] || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
kill "$FPID"
wait "$FPID"
FPID=
python3 - "$tmp/few.prom" "$tmp/sum.json" >"$tmp/few.out" 2>&1 <<'EOF'
import json, re, sys
s = json.load(open(sys.argv[2]))
by_s = sorted([d for d in s["domains"] if d["sessions"]], key=lambda d: (-d["sessions"], d["domain"]))[:2]
by_f = sorted([d for d in s["domains"] if d["failed"]], key=lambda d: (-d["failed"], d["domain"]))[:2]
want = {d["domain"] for d in by_s + by_f}
names, total = set(), 0
for l in open(sys.argv[1]):
    m = re.match(r'mailtlsrpt_sessions_total\{domain="([^"]*)".*\} (\d+)$', l)
    if m:
        names.add(m.group(1))
        total += int(m.group(2))
ok = names == want | {"other"} and total == s["totals"]["sessions"]
print(sorted(names), sorted(want), total, s["totals"]["sessions"])
sys.exit(0 if ok else 1)
EOF
check "--metrics-domains 2: the busiest and failing by name, the rest other ($(cat "$tmp/few.out"))" [ $? = 0 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
