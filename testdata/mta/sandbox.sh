#!/bin/sh
# testdata/mta/sandbox.sh - one Debian MTA delivering to the test servers
#
# Usage: unshare -mnup --fork --mount-proc sh sandbox.sh MTA MODE WORK TREE
#        CERTS N
# MODE: verify, may (below), or load and reuse: N messages under load,
# testdata/mta/load.sh.
# Runs in namespaces of its own: network (only loopback, where the test
# servers listen on port 25 of 192.0.2.N), host name (sender.mta.test),
# PID (whatever it starts ends with it) and mount: TREE (the MTA's
# unpacked Debian packages) and a tmpfs are overlaid on /usr, /etc,
# /var and /dev, so the MTA runs from its own paths with its own users,
# spool, log and /dev/log while the system outside sees nothing of it.
# MODE "verify": the MTA requires TLS with a certificate that verifies
# against the test CA and names the server, for every test domain (as
# an MTA-STS "enforce" policy or Postfix's "verify" level asks);
# "may": opportunistic TLS, each MTA's default, with the same CA. The
# log forms differ too, so that both of each MTA come from the real
# thing: "verify" writes Postfix's maillog_file, Exim's mainlog and
# Sendmail at LogLevel 14; "may" logs Postfix and Exim (with +pid)
# through syslog(3) and Sendmail at its default LogLevel 9. Syslog is
# testdata/mta/syslogd.py on this view's /dev/log.
# Starts servers.py, sends N messages to each test domain (one message
# to N recipients to multi.test), waits until every one had its
# delivery attempt, stops everything it started and leaves the MTA's
# log in WORK/mail.log and what the servers accepted in WORK/got/.
set -eu
mta=$1
mode=$2
work=$3
tree=$4
certs=$5
n=$6
case $mode in
verify|may|load|reuse) ;;
*) echo "sandbox: bad mode $mode" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
pids=""
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || :; done
    for p in $pids; do wait "$p" 2>/dev/null || :; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# the cases: address, domain, certificate ("-": no STARTTLS)
# (TEST-NET-1 addresses on the loopback interface, not 127.0.0.N: a
# Sendmail delivery to 127.x is its submission hop, not an MX)
CASES="192.0.2.2:valid.test:valid 192.0.2.3:nostarttls.test:-
192.0.2.4:expired.test:expired 192.0.2.5:wrongname.test:wrongname
192.0.2.6:selfsigned.test:selfsigned 192.0.2.7:multi.test:multi"
# Modes "load" and "reuse" (Postfix with smtp_tls_connection_reuse):
# N messages in all, from parallel injectors, delivered in parallel
# over cached connections, to MX hosts named mx1.DOMAIN on loopback
# addresses (a named MX on 127.x is an MX, not a submission hop:
# docs/parsers/sendmail.md). TLS is required and verified for ok,
# multi, expired, wrongname and selfsigned, opportunistic for may and
# nostarttls; Exim also delivers by DNSSEC-signed DNS to daneok and
# danebad (DANE: TLSA records, one of which matches no certificate).
# The servers' own count of connections is in WORK/got/*.conn.
LCASES="127.0.0.11:ok.test:l-ok 127.0.0.12:may.test:l-may
127.0.0.13:nostarttls.test:- 127.0.0.14:expired.test:l-expired
127.0.0.15:wrongname.test:wrongname 127.0.0.16:selfsigned.test:l-selfsigned
127.0.0.17:multi.test:l-multi"
DCASES="127.0.0.18:daneok.test:l-daneok 127.0.0.19:danebad.test:l-danebad"
load=0
case $mode in
load|reuse)
    load=1
    CASES=$LCASES
    [ "$mta" = exim ] && CASES="$CASES $DCASES"
    ;;
esac

ip link set lo up
for c in $CASES; do
    ip addr add "${c%%:*}/32" dev lo
done
hostname sender.mta.test
mount --make-rprivate /
# the upper layers on a tmpfs of this namespace: an overlay cannot have
# them on an overlay (a container's /tmp), and they vanish with it
mkdir -p "$work/ovl"
mount -t tmpfs -o size=256m,mode=755 mta "$work/ovl"
# /dev too for Sendmail, whose syslog(3) needs a /dev/log of our own
for d in usr etc var dev; do
    up=$work/ovl/up/$d
    wk=$work/ovl/wk/$d
    mkdir -p "$up" "$wk"
    lower=/$d
    [ -d "$tree/$d" ] && lower=$tree/$d:/$d
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$up,workdir=$wk" \
        "/$d"
done

# adduser NAME - a system user with a group of its name, in this view
# only (the overlaid /etc); addgroup NAME - a group alone
uid=900
adduser() {
    while getent passwd $uid >/dev/null || getent group $uid >/dev/null; do
        uid=$((uid + 1))
    done
    echo "$1:x:$uid:$uid::/nonexistent:/usr/sbin/nologin" >>/etc/passwd
    echo "$1:x:$uid:" >>/etc/group
    uid=$((uid + 1))
}
addgroup() {
    while getent group $uid >/dev/null; do uid=$((uid + 1)); done
    echo "$1:x:$uid:" >>/etc/group
    uid=$((uid + 1))
}
{
    echo "127.0.0.1 localhost sender.mta.test"
    for c in $CASES; do
        a=${c%%:*}; r=${c#*:}; r=${r%%:*}
        if [ $load = 1 ]; then
            case $r in dane*) ;; *) echo "$a mx1.$r" ;; esac
        else
            echo "$a $r"
        fi
    done
} >/etc/hosts
echo "nameserver 127.0.0.1" >/etc/resolv.conf
# no DNS at all (Sendmail asks for MX records unless "dns" is absent)
sed -i 's/^hosts:.*/hosts: files/' /etc/nsswitch.conf
echo "sender.mta.test" >/etc/mailname

mkdir -p "$work/got"
rm -f "$work/got/ready"
# shellcheck disable=SC2086
"$PY" "$here/servers.py" "$work/got" "$certs" $CASES \
    >"$work/servers.out" 2>&1 &
pids="$pids $!"
i=0
while [ ! -f "$work/got/ready" ]; do
    i=$((i + 1))
    [ $i -lt 200 ] || { cat "$work/servers.out"; exit 1; }
    sleep 0.05
done

# submit CMD... - N messages to each domain, one each to rcptK@DOMAIN,
# but to multi.test one message to N recipients; CMD reads it from stdin
submit() {
    for c in $CASES; do
        r=${c#*:}; dom=${r%%:*}
        k=1
        to=""
        while [ $k -le "$n" ]; do
            to="$to rcpt$k@$dom"
            if [ "$dom" != multi.test ] || [ $k = "$n" ]; then
                # shellcheck disable=SC2086
                printf 'From: sender@mta.test\nTo: %s\nSubject: %s\n\nhi\n' \
                    "$to" "$dom" | "$@" $to >>"$work/submit.out" 2>&1 ||
                    echo "exit $?" >>"$work/submit.out"
                to=""
            fi
            k=$((k + 1))
        done
    done
}
# wait_log FILE PATTERN COUNT - until COUNT lines match (60 s at most)
wait_log() {
    i=0
    while [ "$(grep -c -E "$2" "$1" 2>/dev/null || :)" -lt "$3" ]; do
        i=$((i + 1))
        [ $i -lt 600 ] || { echo "sandbox: $mta: timeout waiting for" \
            "$3 x [$2] in $1"; return 1; }
        sleep 0.1
    done
}
# what to wait for: a delivery result per recipient (Postfix, Exim) or
# per message (Sendmail, whose line names all its recipients)
# shellcheck disable=SC2086
set -- $CASES
rcpts=$(($# * n))
msgs=$((($# - 1) * n + 1))

# syslog - a syslog daemon on this view's /dev/log writing
# /var/log/mail.log in rsyslog's file format
syslog() {
    : >/var/log/mail.log
    "$PY" "$here/syslogd.py" /dev/log /var/log/mail.log sender \
        >"$work/syslogd.out" 2>&1 &
    pids="$pids $!"
    i=0
    while [ ! -f /var/log/mail.log.ready ]; do
        i=$((i + 1))
        [ $i -lt 200 ] || { cat "$work/syslogd.out"; exit 1; }
        sleep 0.05
    done
}

# a queue of the MTA installed on this machine, if any, stays out of
# sight (removed in this view only)
rm -rf /var/spool/postfix /var/lib/postfix /var/spool/exim4 \
    /var/spool/mqueue /var/spool/mqueue-client

# shellcheck source=testdata/mta/load.sh
[ $load = 1 ] && { [ -n "${LOAD_DEBUG:-}" ] && set -x; . "$here/load.sh"; }

case $mta in
postfix)
    adduser postfix
    addgroup postdrop
    cp "$here/postfix/main.cf" "$here/postfix/master.cf" /etc/postfix/
    cp "$certs/ca.pem" /etc/postfix/ca.pem
    : >/etc/postfix/dynamicmaps.cf
    log=/var/log/postfix.log
    : >$log
    if [ "$mode" = may ]; then
        # and through syslog, not maillog_file
        postconf -e smtp_tls_security_level=may
        postconf -X maillog_file
        syslog
        log=/var/log/mail.log
    fi
    # what the package's maintainer script does: owners and modes
    mkdir -p /var/lib/postfix /var/spool/postfix
    chown postfix:postfix /var/lib/postfix
    chgrp postdrop /usr/sbin/postdrop /usr/sbin/postqueue
    chmod 2555 /usr/sbin/postdrop /usr/sbin/postqueue
    postfix start >"$work/start.out" 2>&1 || { cat "$work/start.out"; exit 1; }
    submit sendmail -f sender@mta.test
    rc=0
    wait_log $log ' status=(sent|deferred|bounced)' $rcpts || rc=1
    postfix stop >/dev/null 2>&1 || :
    cp $log "$work/mail.log"
    ;;
exim)
    adduser Debian-exim
    mkdir -p /etc/exim4 /var/spool/exim4 /var/log/exim4
    cp "$here/exim/exim4.conf" /etc/exim4/exim4.conf
    cp "$certs/ca.pem" /etc/exim4/ca.pem
    log=/var/log/exim4/mainlog
    if [ "$mode" = verify ]; then
        cp "$here/exim/tls_verify.conf" /etc/exim4/
    else
        # and through syslog, with the pid in every line
        sed -i 's|^log_file_path = .*|log_file_path = syslog|
            s|^log_selector = |log_selector = +pid |' /etc/exim4/exim4.conf
        syslog
        log=/var/log/mail.log
    fi
    chown Debian-exim:Debian-exim /var/spool/exim4 /var/log/exim4
    # queue all, then one forced delivery (-M: retry hints ignored) each,
    # one after another: one connection per message
    submit exim4 -odq -f sender@mta.test
    rc=0
    # syslog lines arrive a little later
    wait_log $log ' <= ' $msgs || rc=1
    # shellcheck disable=SC2013 # one message id per line
    for id in $(awk '{ for (i = 2; i <= NF; i++)
        if ($i == "<=") print $(i - 1) }' $log); do
        exim4 -M "$id" || :
    done
    wait_log $log ' (=>|->|==|\*\*) ' $rcpts || rc=1
    cp $log "$work/mail.log"
    ;;
sendmail)
    adduser smmsp
    mkdir -p /etc/mail/tls /var/spool/mqueue
    chmod 700 /var/spool/mqueue
    cp "$certs/ca.pem" /etc/mail/tls/ca.pem
    echo "hosts files" >/etc/mail/service.switch
    for c in $CASES; do
        r=${c#*:}
        [ "$mode" = may ] || echo "TLS_Srv:${r%%:*} VERIFY+CN"
    done >/etc/mail/access
    # the default LogLevel 9 in "may" mode, 14 in "verify" mode
    if [ "$mode" = may ]; then ll=9; else ll=14; fi
    m4 -DMTA_LOG_LEVEL=$ll "$here/sendmail/sendmail.mc" >/etc/mail/sendmail.cf
    # shellcheck disable=SC2094 # reads access, writes access.db
    /usr/libexec/sendmail/makemap hash /etc/mail/access </etc/mail/access
    syslog
    # each message delivered by its own process in the foreground (-odi)
    submit /usr/libexec/sendmail/sendmail -Am -odi -f sender@mta.test
    rc=0
    wait_log /var/log/mail.log ' stat=' $msgs || rc=1
    cp /var/log/mail.log "$work/mail.log"
    ;;
*)
    echo "sandbox: unknown MTA $mta" >&2
    exit 2
    ;;
esac
exit $rc
