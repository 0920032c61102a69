# testdata/mta/load.sh - one MTA under load (sourced by sandbox.sh)
#
# Modes "load" and "reuse" of sandbox.sh: N messages in all, from four
# injectors at once, each to one of the test domains of $CASES (every
# eighth to three recipients at multi.test, two in sixteen to three at
# nostarttls.test or wrongname.test, every fifth of the others also to
# a recipient of the next domain: one message, two hosts); the MTA
# queues them and delivers in parallel over cached connections:
#   Postfix  connection caching (every destination), 20 deliveries
#            per destination at once; "reuse": smtp_tls_connection_reuse,
#            tlsproxy makes the handshakes
#   Exim     two queue runners at once (-qqf: routed first, then
#            delivered, so that connections are handed on to the next
#            message waiting for the host), remote_max_parallel = 4,
#            connection_max_messages = 20; daneok.test and danebad.test
#            by DNSSEC-signed DNS (nsd and unbound in this namespace)
#            with DANE (hosts_try_dane), the TLSA record of danebad
#            matching no certificate of its server
#   Sendmail three queue runners at once, each in random order, a
#            connection cache of four per process, mailertable routes
#            to mx1.DOMAIN
# TLS is required and verified for ok, multi, expired, wrongname and
# selfsigned (the failures are deferrals with their reason in the log),
# opportunistic for may and nostarttls. Waits until every recipient had
# a delivery attempt, stops the MTA and leaves its log in WORK/mail.log.
# Uses from sandbox.sh: mta mode work here certs n CASES adduser
# addgroup syslog wait_log pids.

# the domains of $CASES, in order
ldoms=""
for c in $CASES; do
    r=${c#*:}
    ldoms="$ldoms ${r%%:*}"
done
# shellcheck disable=SC2086
set -- $ldoms
nd=$#

# lplan - one line per message: its recipients (into $work/plan)
lplan() {
    awk -v n="$n" -v doms="$ldoms" 'BEGIN {
        nd = split(doms, d, " ")
        # the plain domains: all but multi.test
        k = 0
        for (i = 1; i <= nd; i++) if (d[i] != "multi.test") p[k++] = d[i]
        for (i = 0; i < n; i++) {
            if (i % 8 == 7) {
                print "a" i "@multi.test b" i "@multi.test c" i "@multi.test"
                continue
            }
            # three recipients at a server without STARTTLS, and at one
            # with a certificate for another name
            if (i % 16 == 3 || i % 16 == 11) {
                m = i % 16 == 3 ? "nostarttls.test" : "wrongname.test"
                print "a" i "@" m " b" i "@" m " c" i "@" m
                continue
            }
            line = "u" i "@" p[j % k]
            if (i % 5 == 0) line = line " v" i "@" p[(j + 1) % k]
            j++
            print line
        }
    }' >"$work/plan"
}

# lsubmit CMD... - the messages of the plan, four injectors at once
lsubmit() {
    j=0
    inj=""
    while [ $j -lt 4 ]; do
        awk -v j=$j 'NR % 4 == j' "$work/plan" | while read -r to; do
            # shellcheck disable=SC2086
            printf 'From: sender@mta.test\nTo: %s\nSubject: load\n\nhi\n' \
                "$to" | "$@" $to >>"$work/submit.out" 2>&1 ||
                echo "exit $?" >>"$work/submit.out"
        done &
        inj="$inj $!"
        j=$((j + 1))
    done
    # shellcheck disable=SC2086 # (not a bare "wait": the servers run on)
    wait $inj
}

lplan
# recipients, and (message, domain) pairs: Sendmail writes one delivery
# line per host it delivers to
lrcpts=$(awk '{ n += NF } END { print n }' "$work/plan")
lpairs=$(awk '{ delete s; for (i = 1; i <= NF; i++) {
    d = $i; sub(/.*@/, "", d); s[d] = 1 }
    for (d in s) n++ } END { print n }' "$work/plan")
lmsgs=$(wc -l <"$work/plan")

case $mta in
postfix)
    adduser postfix
    addgroup postdrop
    cp "$here/postfix/main.cf" "$here/postfix/master.cf" /etc/postfix/
    cp "$certs/ca.pem" /etc/postfix/ca.pem
    : >/etc/postfix/dynamicmaps.cf
    for d in $ldoms; do
        echo "$d smtp:mx1.$d"
    done >/etc/postfix/transport
    for d in ok.test multi.test expired.test wrongname.test \
        selfsigned.test; do
        echo "mx1.$d verify"        # the next hop of the transport
    done >/etc/postfix/tls_policy
    cache=""
    for d in $ldoms; do cache="$cache mx1.$d"; done
    postconf -e smtp_tls_security_level=may \
        transport_maps=texthash:/etc/postfix/transport \
        smtp_tls_policy_maps=texthash:/etc/postfix/tls_policy \
        smtp_connection_cache_on_demand=yes \
        "smtp_connection_cache_destinations=$cache" \
        default_destination_concurrency_limit=20 \
        default_process_limit=100 inet_interfaces=127.0.0.1
    postconf -X maillog_file
    if [ "$mode" = reuse ]; then
        postconf -e smtp_tls_connection_reuse=yes
        postconf -M "tlsproxy/unix=tlsproxy unix - - n - 0 tlsproxy"
    fi
    syslog
    mkdir -p /var/lib/postfix /var/spool/postfix
    chown postfix:postfix /var/lib/postfix
    chgrp postdrop /usr/sbin/postdrop /usr/sbin/postqueue
    chmod 2555 /usr/sbin/postdrop /usr/sbin/postqueue
    postfix start >"$work/start.out" 2>&1 || { cat "$work/start.out"; exit 1; }
    lsubmit sendmail -f sender@mta.test
    rc=0
    wait_log /var/log/mail.log ' status=(sent|deferred|bounced)' "$lrcpts" ||
        rc=1
    postfix stop >/dev/null 2>&1 || :
    sleep 1
    cp /var/log/mail.log "$work/mail.log"
    ;;
exim)
    adduser Debian-exim
    mkdir -p /etc/exim4 /var/spool/exim4 /var/log/exim4
    cp "$certs/ca.pem" /etc/exim4/ca.pem
    # DNSSEC for the DANE domains: nsd serves the signed zones, unbound
    # validates them (trust anchors: their DS) and is the resolver
    dns=$work/dns
    mkdir -p "$dns"
    spki() {
        openssl x509 -in "$certs/$1.pem" -noout -pubkey |
            openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1
    }
    : >"$dns/anchors"
    for z in daneok danebad; do
        case $z in
        daneok) a=127.0.0.18; h=$(spki l-daneok) ;;
        # a TLSA record of another key: no certificate of it matches
        danebad) a=127.0.0.19; h=$(spki l-ok) ;;
        esac
        cat >"$dns/$z.test.zone" <<EOF
\$ORIGIN $z.test.
\$TTL 300
@ SOA ns.$z.test. admin.$z.test. 1 3600 600 86400 120
@ NS ns.$z.test.
ns A 127.0.0.1
@ MX 10 mx1.$z.test.
mx1 A $a
_25._tcp.mx1 TLSA 3 1 1 $h
EOF
        (
            cd "$dns" || exit 1
            ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "$z.test") || exit 1
            zsk=$(ldns-keygen -a ECDSAP256SHA256 "$z.test") || exit 1
            ldns-signzone -n "$z.test.zone" "$zsk" "$ksk" >/dev/null || exit 1
            cat "$ksk.ds" >>anchors
        ) || { echo "sandbox: signing $z.test failed"; exit 1; }
    done
    cat >"$dns/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@5353
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$dns"
    pidfile: "$dns/nsd.pid"
    logfile: "$dns/nsd.log"
    xfrdfile: "$dns/xfrd.state"
    xfrdir: "$dns"
    zonelistfile: "$dns/zone.list"
    database: ""
    server-count: 1
    reuseport: no
    rrl-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: "daneok.test"
    zonefile: "daneok.test.zone.signed"
zone:
    name: "danebad.test"
    zonefile: "danebad.test.zone.signed"
EOF
    cat >"$dns/unbound.conf" <<EOF
server:
    interface: 127.0.0.1@53
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$dns"
    pidfile: "$dns/unbound.pid"
    use-syslog: no
    logfile: "$dns/unbound.log"
    num-threads: 1
    so-reuseport: no
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    module-config: "validator iterator"
    local-zone: "test." nodefault
    trust-anchor-file: "$dns/anchors"
stub-zone:
    name: "daneok.test"
    stub-addr: 127.0.0.1@5353
stub-zone:
    name: "danebad.test"
    stub-addr: 127.0.0.1@5353
remote-control:
    control-enable: no
EOF
    nsd -d -c "$dns/nsd.conf" >"$dns/nsd.out" 2>&1 &
    pids="$pids $!"
    unbound -d -c "$dns/unbound.conf" >"$dns/unbound.out" 2>&1 &
    pids="$pids $!"
    i=0
    until drill -D mx1.danebad.test TLSA @127.0.0.1 2>/dev/null |
        grep -q 'TLSA'; do
        i=$((i + 1))
        [ $i -lt 100 ] || { echo "sandbox: DNS does not answer"
            cat "$dns"/*.out "$dns"/*.log; exit 1; }
        sleep 0.1
    done
    sed -e 's|^log_selector = |log_selector = +pid |' \
        -e 's|^log_file_path = .*|log_file_path = syslog|' \
        -e 's|^  domains = \*\.test|  domains = ! daneok.test : ! danebad.test : *.test|' \
        -e 's|^  route_list = .*|  route_list = * mx1.$domain byname|' \
        "$here/exim/exim4.conf" >/etc/exim4/exim4.conf
    req="127.0.0.11 : 127.0.0.14 : 127.0.0.15 : 127.0.0.16 : 127.0.0.17"
    cat >/etc/exim4/tls_verify.conf <<EOF
  hosts_require_tls = $req
  tls_verify_hosts = $req
  hosts_try_dane = *
  dnssec_request_domains = *
  connection_max_messages = 20
EOF
    # main options before the first "begin", the DNS router after it
    awk '/^begin routers/ && !done {
        print "remote_max_parallel = 4"
        print "dns_dnssec_ok = 1"
        print "queue_run_max = 2"
        print ""
        print
        print "dane_dns:"
        print "  driver = dnslookup"
        print "  domains = daneok.test : danebad.test"
        print "  dnssec_request_domains = *"
        print "  self = send"
        print "  transport = remote_smtp"
        done = 1; next } { print }' /etc/exim4/exim4.conf \
        >/etc/exim4/exim4.conf.new
    mv /etc/exim4/exim4.conf.new /etc/exim4/exim4.conf
    # glibc clears the AD bit of answers unless told to trust it
    printf "nameserver 127.0.0.1\noptions trust-ad\n" >/etc/resolv.conf
    # the DANE domains by DNS, the others from /etc/hosts
    sed -i 's/^hosts:.*/hosts: files dns/' /etc/nsswitch.conf
    syslog
    chown Debian-exim:Debian-exim /var/spool/exim4 /var/log/exim4
    exim4 -bV >"$work/exim-bV.out" 2>&1 || { cat "$work/exim-bV.out"; exit 1; }
    if [ -n "${LOAD_DEBUG:-}" ]; then
        drill -D mx1.danebad.test TLSA @127.0.0.1 >"$work/drill.out" 2>&1
        drill -D danebad.test MX @127.0.0.1 >>"$work/drill.out" 2>&1
        exim4 -d+dns -bt x@danebad.test >"$work/bt.out" 2>&1
    fi
    lsubmit exim4 -odq -f sender@mta.test
    rc=0
    wait_log /var/log/mail.log ' <= ' "$lmsgs" || rc=1
    # two queue runners at once, until every recipient had an attempt
    k=0
    while [ "$(grep -c -E ' (=>|->|==|\*\*) ' /var/log/mail.log)" -lt \
        "$lrcpts" ] && [ $k -lt 3 ]; do
        exim4 -qqf & q1=$!
        exim4 -qqf & q2=$!
        wait $q1 $q2
        k=$((k + 1))
    done
    wait_log /var/log/mail.log ' (=>|->|==|\*\*) ' "$lrcpts" || rc=1
    sleep 1
    cp /var/log/mail.log "$work/mail.log"
    ;;
sendmail)
    adduser smmsp
    mkdir -p /etc/mail/tls /var/spool/mqueue
    chmod 700 /var/spool/mqueue
    cp "$certs/ca.pem" /etc/mail/tls/ca.pem
    echo "hosts files" >/etc/mail/service.switch
    for d in ok.test multi.test expired.test wrongname.test \
        selfsigned.test; do
        echo "TLS_Srv:$d VERIFY+CN"
    done >/etc/mail/access
    for d in $ldoms; do
        echo "$d esmtp:mx1.$d"
    done >/etc/mail/mailertable
    sed -e 's|^FEATURE(`access_db.)dnl$|&\
FEATURE(`mailertable'"'"')dnl\
define(`confMCI_CACHE_SIZE'"'"', `4'"'"')dnl\
define(`confMCI_CACHE_TIMEOUT'"'"', `5m'"'"')dnl\
define(`confMAX_RUNNERS_PER_QUEUE'"'"', `3'"'"')dnl\
define(`confMAX_QUEUE_CHILDREN'"'"', `3'"'"')dnl\
define(`confQUEUE_SORT_ORDER'"'"', `random'"'"')dnl|' \
        "$here/sendmail/sendmail.mc" >"$work/sendmail.mc"
    grep -q mailertable "$work/sendmail.mc" ||
        { echo "sandbox: sendmail.mc not extended"; exit 1; }
    m4 -DMTA_LOG_LEVEL=9 "$work/sendmail.mc" >/etc/mail/sendmail.cf
    # shellcheck disable=SC2094 # reads a map, writes its .db
    for m in access mailertable; do
        /usr/libexec/sendmail/makemap hash /etc/mail/$m </etc/mail/$m
    done
    syslog
    lsubmit /usr/libexec/sendmail/sendmail -Am -odq -f sender@mta.test
    rc=0
    # the queue, by three runners at once, each taking the messages in
    # random order (QueueSortOrder): deliveries to the hosts of its
    # connection cache interleave
    /usr/libexec/sendmail/sendmail -Am -q >"$work/runq.out" 2>&1 & q1=$!
    /usr/libexec/sendmail/sendmail -Am -q >>"$work/runq.out" 2>&1 & q2=$!
    /usr/libexec/sendmail/sendmail -Am -q >>"$work/runq.out" 2>&1 & q3=$!
    wait $q1 $q2 $q3
    wait_log /var/log/mail.log ' stat=[^q]' "$lpairs" || rc=1
    # runners forked by -q may still be at work (this PID namespace has
    # no other sendmail)
    i=0
    while [ $i -lt 600 ] && grep -qx sendmail /proc/[0-9]*/comm 2>/dev/null
    do
        i=$((i + 1)); sleep 0.1
    done
    sleep 1
    cp /var/log/mail.log "$work/mail.log"
    ;;
esac
exit $rc
