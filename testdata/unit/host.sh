# testdata/unit/host.sh - the mail host of tests/it_unit.sh and
# tests/it_deb.sh: its receivers and its log of yesterday
#
# Sourced after testdata/deliver/lib.sh and testdata/dns/servers.sh.
# host_servers: a test CA in $T/ca; two HTTPS sinks on 127.0.0.1, $T/ha
# (port HA) and $T/hb (port HB, answering 503 until $T/hb/mode says
# ok); nsd and unbound (RESOLVER) serving a TLSRPT record for four of
# the domains of Debian Postfix's log (testdata/postfix/
# p-debian-mta-may, written by tests/it_mta.sh) with rua on sink a, one
# (nostarttls.test) on sink b, none for multi.test. Non-zero, with a
# failure counted, when something did not start.
# host_restamp LOG: its syslog lines of Dec 2 as of yesterday (local
# time); YD is yesterday's UTC date, the day of the reports.
# host_maillog DIR: that log restamped, split over DIR/mail.log.1 and
# DIR/mail.log as a rotation leaves it.

YD=$(date -u -d yesterday +%Y-%m-%d)
host_y=$(date -d yesterday '+%b %e')

host_servers() {
    mkca "$T/ca" || { bad "test CA"; return 1; }
    start https_sink.py "$T/ha" "$T/ca/srv.pem" "$T/ca/srv.key"; HA=$port
    start https_sink.py "$T/hb" "$T/ca/srv.pem" "$T/ca/srv.key"; HB=$port
    if [ -z "$HA" ] || [ -z "$HB" ]; then bad "sinks started"; return 1; fi
    ok
    echo 503 >"$T/hb/mode"
    mkdir -p "$T/dns"
    {
        echo "\$ORIGIN test."
        echo '@ 300 IN SOA ns.t.test. admin.t.test. 1 3600 600 86400 60'
        echo '@ 300 IN NS ns.t.test.'
        for d in valid expired wrongname selfsigned; do
            echo "_smtp._tls.$d 300 IN TXT \"v=TLSRPTv1; rua=https://127.0.0.1:$HA/$d\""
        done
        echo "_smtp._tls.nostarttls 300 IN TXT \"v=TLSRPTv1; rua=https://127.0.0.1:$HB/nostarttls\""
        # multi.test publishes nothing: no report
    } >"$T/dns/test.zone"
    DNS_EXTRA_ZONES="test test.zone"
    export DNS_EXTRA_ZONES
    dns_start "$T/dns" || { bad "DNS servers"; return 1; }
}

host_restamp() {
    sed -e "s/^Dec  2 /$host_y /" -e "s/^Dec 02 /$host_y /" "$1"
}

host_maillog() {
    mkdir -p "$1"
    host_restamp testdata/postfix/p-debian-mta-may/input.log >"$1/.may"
    host_n=$(wc -l <"$1/.may")
    head -n $((host_n / 2)) "$1/.may" >"$1/mail.log.1"
    tail -n +$((host_n / 2 + 1)) "$1/.may" >"$1/mail.log"
    rm -f "$1/.may"
}
