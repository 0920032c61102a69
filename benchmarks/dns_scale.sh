#!/bin/sh
# benchmarks/dns_scale.sh - policy resolution for many domains over real DNS
#
# Usage: benchmarks/dns_scale.sh [DOMAINS] [WORKERS...]
#        (make bench-dns; defaults 100000 and "16 64 128")
# Generates a zone bench.test with DOMAINS domains d<N>.bench.test, each
# with a TLSRPT record, one MX host of its own and that host's address
# (no _mta-sts record, no DNSSEC), so four queries per domain: TXT
# _smtp._tls, TXT _mta-sts (NXDOMAIN), MX, A of the MX host (insecure:
# no TLSA query). Among them, SLOW domains (default 10) under slow.test,
# whose server never answers: each holds one worker for its timeouts.
# testdata/dns/servers.sh serves it with nsd and unbound on loopback;
# "mailtlsrpt check-domain --json -" resolves every domain, once per
# WORKERS value (MAILTLSRPT_WORKERS), each time against a freshly started
# unbound (cold cache), and must print one line per domain, in order,
# with a usable TLSRPT record for every domain but the slow ones, whose
# lookups must fail (timeout, or SERVFAIL from unbound).
# Prints '#' header lines, then one row per run: wall time, domains/s,
# peak RSS and CPU time (user + system) of mailtlsrpt. Not part of make
# check.
set -u
N=${1:-100000}
shift 2>/dev/null || true
WORKERS=${*:-16 64 128}
SLOW=${SLOW:-10}
BUILD=${BUILD:-build}
BIN=$(pwd)/$BUILD/mailtlsrpt
dir=${BENCH_DIR:-$(mktemp -d /var/tmp/mtrdns.XXXXXX)}
. testdata/dns/servers.sh
trap 'dns_stop; rm -rf "$dir"' EXIT

# the zone and the list of names: the slow ones spread over the list
mkdir -p "$dir/dns"
"$PY" - "$N" "$SLOW" "$dir/dns/bench.test.zone" "$dir/names" <<'EOF'
import sys
n, slow, zone, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(zone, "w") as z:
    z.write("$ORIGIN bench.test.\n$TTL 3600\n"
            "@ SOA ns.t.test. admin.t.test. 1 3600 600 86400 600\n"
            "@ NS ns.t.test.\n")
    for i in range(n):
        d = "d%06d" % i
        z.write('_smtp._tls.%s TXT "v=TLSRPTv1; rua=mailto:tlsrpt@%s.bench.test"\n'
                '%s MX 10 mx.%s\nmx.%s A 192.0.%d.%d\n'
                % (d, d, d, d, d, (i >> 8) & 255, i & 255))
step = n // slow if slow else 0
with open(names, "w") as f:
    for i in range(n):
        f.write("d%06d.bench.test\n" % i)
        if step and i % step == step // 2:
            f.write("s%06d.slow.test\n" % i)
EOF
total=$(wc -l <"$dir/names")
rr=$(grep -c . "$dir/dns/bench.test.zone")

echo "# mailtlsrpt policy resolution, $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m)"
echo "# $N domains in bench.test ($rr zone lines, nsd) + $SLOW under slow.test (no answer), via unbound, cold cache each run"
echo "# per domain: TXT _smtp._tls, TXT _mta-sts (NXDOMAIN), MX, A of the MX; DNS timeout ${MAILTLSRPT_DNS_TIMEOUT_MS:-2000} ms x 2 tries"
printf '%-10s %8s %10s %9s %8s %8s %s\n' "# workers" "domains" "seconds" \
    "domains/s" "RSS MB" "CPU s" "check"
for w in $WORKERS; do
    DNS_EXTRA_ZONES="bench.test bench.test.zone"
    export DNS_EXTRA_ZONES
    dns_start "$dir/dns" >/dev/null || { echo "dns_start failed" >&2; exit 1; }
    # nsd loads every zone before it answers; make sure of bench.test
    dns_wait "$NSD_PORT" bench.test SOA || { echo "bench.test not served" >&2; exit 1; }
    s=$(date +%s.%N)
    MAILTLSRPT_WORKERS=$w /usr/bin/time -f '%M %U %S' -o "$dir/rss" \
        "$BIN" check-domain --json --resolver "$RESOLVER" - \
        <"$dir/names" >"$dir/out.json" 2>"$dir/err" || true
    e=$(date +%s.%N)
    dns_stop
    t=$(echo "$e - $s" | bc)
    check=$("$PY" - "$dir/out.json" "$dir/names" <<'EOF'
import json, sys
names = [l.strip() for l in open(sys.argv[2])]
got = [json.loads(l) for l in open(sys.argv[1])]
bad = []
if [d["domain"] for d in got] != names:
    bad.append("order/count")
for d in got:
    # a slow name: our timeout, or unbound's SERVFAIL once it has given
    # up on the silent server
    want = ("timeout", "servfail") if d["domain"].endswith(".slow.test") \
        else ("ok",)
    if d["tlsrpt"]["status"] not in want:
        bad.append(d["domain"] + ":" + d["tlsrpt"]["status"])
print("ok" if not bad else "FAILED %d: %s" % (len(bad), " ".join(bad[:5])))
EOF
)
    set -- $(tail -n 1 "$dir/rss")
    printf '%-10s %8d %10.2f %9.0f %8.1f %8.1f %s\n' "$w" "$total" "$t" \
        "$(echo "$total / $t" | bc -l)" "$(echo "$1 / 1024" | bc -l)" \
        "$(echo "$2 + $3" | bc -l)" "$check"
done
