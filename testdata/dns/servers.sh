# testdata/dns/servers.sh - real DNS servers for the tests, on loopback
#
# Sourced by tests/it_dns.sh, it_sts.sh, it_online.sh and
# benchmarks/dns_scale.sh. dns_start DIR starts, on 127.0.0.1 and ports
# picked free at run time:
#   nsd      authoritative for t.test (testdata/dns/t.test.zone), dane.test
#            (signed here with ldns-keygen/ldns-signzone, one TLSA record
#            altered after signing so it is bogus) and any extra zone
#            named in DNS_EXTRA_ZONES ("name file" pairs);
#   unbound  validating recursive resolver (module-config "validator
#            iterator", the trust anchor is the DS of dane.test) with
#            stub zones to nsd and to a UDP socket that never answers
#            (slow.test); nsd has no data for servfail.test, so it and
#            then unbound answer SERVFAIL. Every other name
#            also goes to nsd (stub "."), so nothing leaves the machine.
# It sets RESOLVER=127.0.0.1:PORT (unbound) and NSD_ADDR. dns_stop stops
# what dns_start started (by PID). Nothing needs systemd; both run in the
# foreground as children of the test shell.

# Debian's python3 (scripts/deps.sh installs it): quicker to start than
# wrappers such as pyenv's earlier in PATH
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi

# dns_free_ports N - N distinct ports free for TCP and UDP on 127.0.0.1
dns_free_ports() {
    "$PY" - "$1" <<'EOF'
import socket, sys
n = int(sys.argv[1]); got = []; keep = []
while len(got) < n:
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p))
    except OSError:
        t.close(); continue
    keep += [t, u]; got.append(p)
print(" ".join(map(str, got)))
EOF
}

# dns_wait PORT NAME TYPE - until the server on PORT answers (10 s max)
dns_wait() {
    i=0
    while [ $i -lt 100 ]; do
        if drill -p "$1" -Q "$3" "$2" @127.0.0.1 >/dev/null 2>&1; then
            return 0
        fi
        i=$((i + 1))
        sleep 0.1
    done
    return 1
}

# dns_sign DIR - sign dane.test, make one TLSA record bogus, write the DS
dns_sign() {
    (
        cd "$1" || exit 1
        cp "$DNS_SRC/dane.test.zone" dane.test.zone
        ksk=$(ldns-keygen -a ECDSAP256SHA256 -k dane.test) || exit 1
        zsk=$(ldns-keygen -a ECDSAP256SHA256 dane.test) || exit 1
        ldns-signzone -n dane.test.zone "$zsk" "$ksk" >/dev/null || exit 1
        # alter the data of bogus-mx's TLSA record after signing
        sed -e 's/^\(_25\._tcp\.bogus-mx\.dane\.test\.[[:space:]].*TLSA[[:space:]]*3 1 1 \)aaaa/\1bbbb/' \
            dane.test.zone.signed >dane.test.zone.bogus || exit 1
        cmp -s dane.test.zone.signed dane.test.zone.bogus && exit 1
        mv dane.test.zone.bogus dane.test.zone.signed
        cp "$ksk.ds" dane.test.ds
    )
}

# dns_start DIR - start nsd and unbound; 0 when both answer
dns_start() {
    DNS_DIR=$1
    DNS_SRC=$(cd "${DNS_SRC:-testdata/dns}" && pwd)
    mkdir -p "$DNS_DIR"
    set -- $(dns_free_ports 3)
    NSD_PORT=$1 UNBOUND_PORT=$2 SILENT_PORT=$3
    RESOLVER=127.0.0.1:$UNBOUND_PORT
    NSD_ADDR=127.0.0.1:$NSD_PORT
    cp "$DNS_SRC/t.test.zone" "$DNS_DIR/" || return 1
    # an empty root: any other name is a quick NXDOMAIN, never the Internet
    printf '. 300 IN SOA ns.t.test. admin.t.test. 1 3600 600 86400 60\n. 300 IN NS ns.t.test.\n' \
        >"$DNS_DIR/root.zone"
    dns_sign "$DNS_DIR" || { echo "dns_start: signing failed" >&2; return 1; }
    cat >"$DNS_DIR/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$NSD_PORT
    port: $NSD_PORT
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$DNS_DIR"
    pidfile: "$DNS_DIR/nsd.pid"
    logfile: "$DNS_DIR/nsd.log"
    xfrdfile: "$DNS_DIR/xfrd.state"
    xfrdir: "$DNS_DIR"
    zonelistfile: "$DNS_DIR/zone.list"
    database: ""
    server-count: 1
    reuseport: no
    verbosity: 1
    # response rate limiting (on by default, 200 answers/s per kind)
    # would drop most of a benchmark's NXDOMAIN answers
    rrl-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: "."
    zonefile: "root.zone"
zone:
    name: "t.test"
    zonefile: "t.test.zone"
zone:
    name: "dane.test"
    zonefile: "dane.test.zone.signed"
# no zone file: nsd answers SERVFAIL for every name in it
zone:
    name: "servfail.test"
    zonefile: "servfail.test.zone.missing"
EOF
    stubs=""
    # shellcheck disable=SC2086
    set -- ${DNS_EXTRA_ZONES:-}
    while [ $# -ge 2 ]; do
        printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' "$1" "$2" \
            >>"$DNS_DIR/nsd.conf"
        stubs="$stubs $1"
        shift 2
    done
    cat >"$DNS_DIR/unbound.conf" <<EOF
server:
    interface: 127.0.0.1@$UNBOUND_PORT
    port: $UNBOUND_PORT
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$DNS_DIR"
    pidfile: "$DNS_DIR/unbound.pid"
    use-syslog: no
    logfile: "$DNS_DIR/unbound.log"
    verbosity: 1
    num-threads: ${UNBOUND_THREADS:-1}
    so-reuseport: no
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    qname-minimisation: no
    minimal-responses: yes
    module-config: "validator iterator"
    # unbound answers "test." itself (RFC 6761) unless told not to
    local-zone: "test." nodefault
    trust-anchor-file: "$DNS_DIR/dane.test.ds"
    val-log-level: 1
    msg-cache-size: 64m
    rrset-cache-size: 128m
    outgoing-range: 1024
    num-queries-per-thread: 1024
stub-zone:
    name: "."
    stub-addr: 127.0.0.1@$NSD_PORT
stub-zone:
    name: "t.test"
    stub-addr: 127.0.0.1@$NSD_PORT
stub-zone:
    name: "dane.test"
    stub-addr: 127.0.0.1@$NSD_PORT
stub-zone:
    name: "servfail.test"
    stub-addr: 127.0.0.1@$NSD_PORT
stub-zone:
    name: "slow.test"
    stub-addr: 127.0.0.1@$SILENT_PORT
remote-control:
    control-enable: no
EOF
    for z in $stubs; do
        printf 'stub-zone:\n    name: "%s"\n    stub-addr: 127.0.0.1@%s\n' \
            "$z" "$NSD_PORT" >>"$DNS_DIR/unbound.conf"
    done
    nsd -d -c "$DNS_DIR/nsd.conf" >"$DNS_DIR/nsd.out" 2>&1 &
    NSD_PID=$!
    # a UDP socket that reads nothing and answers nothing (slow.test)
    "$PY" -c 'import socket,sys,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
s.bind(("127.0.0.1",int(sys.argv[1])));time.sleep(300)' "$SILENT_PORT" &
    SILENT_PID=$!
    unbound -d -c "$DNS_DIR/unbound.conf" >"$DNS_DIR/unbound.out" 2>&1 &
    UNBOUND_PID=$!
    if ! dns_wait "$NSD_PORT" t.test SOA; then
        echo "dns_start: nsd does not answer" >&2
        cat "$DNS_DIR/nsd.log" "$DNS_DIR/nsd.out" >&2 2>/dev/null
        return 1
    fi
    if ! dns_wait "$UNBOUND_PORT" t.test SOA; then
        echo "dns_start: unbound does not answer" >&2
        cat "$DNS_DIR/unbound.log" "$DNS_DIR/unbound.out" >&2 2>/dev/null
        return 1
    fi
    return 0
}

# dns_stop - stop the servers dns_start started
dns_stop() {
    for p in ${UNBOUND_PID:-} ${NSD_PID:-} ${SILENT_PID:-}; do
        kill "$p" 2>/dev/null
    done
    for p in ${UNBOUND_PID:-} ${NSD_PID:-} ${SILENT_PID:-}; do
        wait "$p" 2>/dev/null
    done
    UNBOUND_PID= NSD_PID= SILENT_PID=
}
