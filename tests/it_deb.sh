#!/bin/sh
# tests/it_deb.sh - the Debian package as an administrator installs,
# upgrades and purges it, on this machine
#
#   1. "make deb" (into a directory of the test; profile-guided as by
#      default) builds it; lintian finds no error or warning in the .deb
#      and the .changes.
#   2. "apt-get install ./mailtlsrpt_VERSION_ARCH.deb": the system user
#      and group mailtlsrpt, the user in group adm; every unit of docs/
#      in /lib/systemd/system naming /usr/bin/mailtlsrpt, none enabled
#      (systemd-analyze verify passes); /etc/mailtlsrpt.conf a conffile,
#      root:mailtlsrpt 0640 (the user reads it, nobody does not); the
#      state directory the user's, 0750; the man page and docs;
#      "mailtlsrpt --version" is the package's version. With the
#      configuration as shipped (every setting commented out) the daily
#      unit's command refuses: exit 3, the lines to add, nothing written.
#   3. The administrator says who sends the reports (and, for this test,
#      a resolver, a CA and loopback targets): mailtlsrpt.service's
#      ExecStart, as user mailtlsrpt with the groups /etc/group gives it,
#      from /, on Debian Postfix's real log restamped to yesterday as
#      /var/log/mail.log.1 and mail.log (root:adm 0640, in a mount
#      namespace of its own: the machine's /var/log is not touched),
#      against real DNS and HTTPS servers on 127.0.0.1: five reports
#      under /var/lib/mailtlsrpt, four posted, one (503) pending.
#   4. The next version (debian/changelog and the shipped configuration
#      changed, built from the same tree with PGO=0 to save time),
#      installed over it as unattended upgrades do (--force-confdef
#      --force-confold): the administrator's /etc/mailtlsrpt.conf kept,
#      with the owner and mode the administrator gave it with
#      dpkg-statoverride (0440 here, where the package sets 0640), the new
#      one beside it (.dpkg-dist), the reports and the spool kept byte for
#      byte; mailtlsrpt-send.service's ExecStart then delivers the pending
#      job.
#   5. "apt-get purge": nothing named mailtlsrpt left under /etc, /usr,
#      /lib, /var, /opt, /srv but the system user and group, which Debian
#      keeps; the test then removes them.
# Needs root; skipped otherwise, except under CI=true where a skip fails.
# Never touches an installation it did not make: skipped when the package
# or a user mailtlsrpt is already there. Runs one at a time on a machine
# (a lock in /run/lock), whoever starts it.
set -u
. testdata/deliver/lib.sh
need_tools
. testdata/dns/servers.sh
. testdata/unit/host.sh
P=mailtlsrpt
installed=""
made_user=""
override=""
cleanup() {
    dns_stop
    [ -n "$override" ] && dpkg-statoverride --remove "/etc/$P.conf"
    if [ -n "$installed" ]; then
        apt-get -y -q -o DPkg::Lock::Timeout=600 purge "$P" \
            >"$T/cleanup.out" 2>&1 || cat "$T/cleanup.out"
    fi
    if [ -n "$made_user" ]; then
        userdel "$P" 2>/dev/null
        groupdel "$P" 2>/dev/null
    fi
    [ -n "${KEEP:-}" ] && cp -r "$T" "$KEEP"
    finish
}
trap cleanup EXIT
stop() {    # a step the rest depends on failed
    echo "stopped: $*"
    echo "$pass passed, $fail failed"
    exit 1
}
skip() {
    if [ "${CI:-}" = true ]; then bad "cannot run: $*"; else
        echo "skipped: $*"; fi
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}
BUILD=${BUILD:-build}
# the package is built by debian/rules, whatever BUILD says: the
# sanitizer runs (make asan, make tsan) would test the same again
if [ "$BUILD" != build ]; then
    echo "not run: this test builds its own package, not $BUILD"
    echo "$pass passed, $fail failed"
    exit 0
fi
[ "$(id -u)" = 0 ] || skip "needs root (installs the package on this machine)"
for t in dpkg-buildpackage lintian apt-get setpriv unshare flock \
    systemd-analyze; do
    command -v "$t" >/dev/null 2>&1 || skip "missing $t (sh scripts/deps.sh test)"
done
exec 9>/run/lock/mailtlsrpt-it-deb.lock
flock -w 1800 9 || skip "another run of this test holds /run/lock/mailtlsrpt-it-deb.lock"
if dpkg-query -W -f='${db:Status-Status}' "$P" 2>/dev/null \
    | grep -qv '^not-installed$'; then
    skip "package $P is on this machine already (dpkg --purge $P to run this)"
fi
if getent passwd "$P" >/dev/null || getent group "$P" >/dev/null; then
    skip "user or group $P exists already (deluser --system $P to run this)"
fi
export DEBIAN_FRONTEND=noninteractive
APT="apt-get -y -q -o DPkg::Lock::Timeout=600"
V=$(dpkg-parsechangelog -S Version)
A=$(dpkg --print-architecture)
V1=$V.1
chmod 711 "$T"

# files named *mailtlsrpt* where a package puts things
leftovers() {
    find /etc /usr /lib /var /opt /srv -xdev -path /var/tmp -prune -o \
        -name "*$P*" -print 2>/dev/null | sort
}
leftovers >"$T/files.before"

# ------------------------------------------------------------ 1. build
DEB_KEEP=1 make -s deb DEB_OUT="$T/n" >"$T/deb.out" 2>&1
rc=$?
check "make deb ($rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 30 "$T/deb.out"
DEB=$T/n/${P}_${V}_$A.deb
CHG=$T/n/${P}_${V}_$A.changes
check "make deb: $DEB" [ -f "$DEB" ]
check "make deb: $CHG" [ -f "$CHG" ]
[ -f "$DEB" ] || stop "no package built"
if ${CC:-cc} --version 2>/dev/null | grep -q 'Free Software Foundation'; then
    check "the build was profile-guided (GCC)" \
        grep -q -- '-fprofile-use' "$T/deb.out"
fi
check "the build ran the parser cases" \
    grep -q '^[1-9][0-9]* passed, 0 failed' "$T/deb.out"
lintian -I -E --pedantic "$CHG" "$DEB" 2>&1 \
    | grep -v '^running with root privileges' >"$T/lintian"
echo "lintian -I -E --pedantic on the .changes and the .deb:" \
    "$(wc -l <"$T/lintian") lines"
cat "$T/lintian"
check "lintian: no error, no warning" \
    [ -z "$(grep -E '^[EW]: ' "$T/lintian")" ]
chmod 755 "$T/n"

# ------------------------------------------------------------ 2. install
installed=1
made_user=1
$APT install "$DEB" >"$T/install.out" 2>&1
rc=$?
check "apt-get install ./${P}_${V}_$A.deb ($rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 30 "$T/install.out"
check "installed: $V" \
    [ "$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$P")" = "installed $V" ]
[ -f "/etc/$P.conf" ] && getent group "$P" >/dev/null \
    || stop "not installed"
found_bin() { leftovers | grep -qx "/usr/bin/$P"; }
check "the search for leftovers finds /usr/bin/$P" found_bin
pw=$(getent passwd "$P")
uid=$(echo "$pw" | cut -d: -f3)
check "user $P ($pw)" [ -n "$pw" ]
check "a system user (uid $uid < 1000)" [ "${uid:-1000}" -lt 1000 ]
check "home /var/lib/$P" [ "$(echo "$pw" | cut -d: -f6)" = "/var/lib/$P" ]
check "no login shell" \
    [ "$(echo "$pw" | cut -d: -f7)" = /usr/sbin/nologin ]
check "group $P, the user's own" \
    [ "$(id -gn "$P" 2>/dev/null)" = "$P" ]
check "the user is in group adm ($(id -nG "$P" 2>/dev/null))" \
    sh -c "id -nG $P | tr ' ' '\n' | grep -qx adm"
U=/lib/systemd/system
for f in docs/$P*.service docs/$P*.timer; do
    u=$(basename "$f")
    check "$u installed" [ -f "$U/$u" ]
    check "$u not enabled" \
        [ -z "$(find /etc/systemd/system -name "$u" 2>/dev/null)" ]
done
for u in "$U"/$P*.service; do
    check "$(basename "$u"): ExecStart=/usr/bin/$P" \
        grep -q "^ExecStart=/usr/bin/$P " "$u"
done
systemd-analyze verify --man=no "$U"/$P*.service "$U"/$P*.timer \
    >"$T/verify.out" 2>&1
rc=$?
check "systemd-analyze verify on the installed units ($rc)" [ $rc -eq 0 ]
check "systemd-analyze verify: no complaint" [ ! -s "$T/verify.out" ]
cat "$T/verify.out"
C=/etc/$P.conf
check "$C a conffile" sh -c "dpkg-query -W -f='\${Conffiles}' $P | grep -q ' $C '"
check "$C root:$P 0640 ($(stat -c '%U:%G %a' $C))" \
    [ "$(stat -c '%U:%G %a' $C)" = "root:$P 640" ]
as() {  # as USER COMMAND...: from /, the user's groups, a clean environment
    u=$1
    shift
    (cd / && umask 0027 && setpriv --reuid="$u" --regid="$(id -g "$u")" \
        --init-groups --inh-caps=-all env -i PATH=/usr/bin:/bin \
        HOME=/var/lib/$P LANG=C.UTF-8 "$@")
}
check "$P reads $C" as "$P" head -c1 "$C" >/dev/null
if as nobody head -c1 "$C" >/dev/null 2>&1; then
    bad "nobody reads $C"; else ok; fi
S=/var/lib/$P
check "$S $P:$P 0750 ($(stat -c '%U:%G %a' $S))" \
    [ "$(stat -c '%U:%G %a' $S)" = "$P:$P 750" ]
check "man page" [ -f /usr/share/man/man1/$P.1.gz ]
for d in README.Debian README.md.gz copyright changelog.gz \
    docs/systemd.md.gz; do
    check "doc $d" [ -f "/usr/share/doc/$P/$d" ]
done
check "relay drop-in" [ -f /usr/share/$P/$P-relay.conf ]
up=${V%%-*}
check "mailtlsrpt --version: $P $up" \
    [ "$(as "$P" /usr/bin/$P --version 2>&1)" = "$P $up" ]
as "$P" /usr/bin/$P config -n >"$T/config.out" 2>&1
rc=$?
check "the shipped $C is read without complaint ($rc)" [ $rc -eq 0 ]
check "the shipped $C sets nothing" [ ! -s "$T/config.out" ]
cat "$T/config.out"

# the test's log on /var/log in a mount namespace, the rest of the
# machine as it is; then the command of installed unit UNIT as the user
# unit UNIT: exit status in $rc, output in $T/UNIT.out and .err
host_maillog "$T/log"
chmod 755 "$T/log"
unit() {
    cmd=$(sed -n 's/^ExecStart=//p' "$U/$1" | tail -n 1)
    # shellcheck disable=SC2086
    timeout -k 10 300 unshare -m --fork sh -c '
        set -e
        mount --make-rprivate /
        mount -t tmpfs -o mode=755,size=64m it-deb /var/log
        for f in "$1"/*; do
            cp "$f" /var/log/
            chown root:adm "/var/log/${f##*/}"
            chmod 640 "/var/log/${f##*/}"
        done
        shift
        cd /
        umask 0027
        exec setpriv --reuid="$0" --regid="$0" --init-groups \
            --inh-caps=-all env -i PATH=/usr/bin:/bin HOME=/var/lib/$0 \
            LANG=C.UTF-8 "$@"' "$P" "$T/log" $cmd \
        >"$T/$1.out" 2>"$T/$1.err"
    rc=$?
}
unit $P.service
check "as shipped, $P.service refuses: exit 3 ($rc)" [ $rc -eq 3 ]
check "as shipped: says what to add" \
    grep -q '^    organization_name = ' "$T/$P.service.err"
check "as shipped: nothing written to $S" [ -z "$(find "$S" -type f)" ]

# ------------------------------------------------------------ 3. run
# sinks a and b (503), DNS with the TLSRPT records (testdata/unit/host.sh)
host_servers || stop "servers"
mkdir -p "$T/pub"
cp "$T/ca/ca.pem" "$T/pub/ca.pem"
chmod 755 "$T/pub"
chmod 644 "$T/pub/ca.pem"
# the administrator fills in the file (its owner and mode stay)
cat >>"$C" <<EOF

# this host
organization_name = "Example Mail Operations"
contact_info = tlsrpt@example.net
submitter = example.net
unique_id = mail01
sending_mta_ip = sender 192.0.2.1
# the test's resolver, CA and loopback rua
resolver = $RESOLVER
ca_file = $T/pub/ca.pem
allow_private_targets = yes
EOF
unit $P.service
check "$P.service: exit 1 (one delivery pending): $rc" [ $rc -eq 1 ]
[ $rc -eq 1 ] || cat "$T/$P.service.err"
R=$S/reports/$YD
check "five reports in $R" [ "$(ls "$R" 2>/dev/null | wc -l)" -eq 5 ]
check "reports the user's" [ "$(stat -c %U "$R" 2>/dev/null)" = "$P" ]
check "four posted" [ "$(accepted "$T/ha")" -eq 4 ]
check "the 503 sink was tried" grep -q '^503	/nostarttls	' "$T/hb/log"
as "$P" /usr/bin/$P spool >"$T/spool1" 2>&1
check "spool: 4 done, 1 pending" \
    grep -q '^jobs: pending 1, active 0, done 4, failed 0' "$T/spool1"

# ------------------------------------------------------------ 4. upgrade
N1=$T/n/$P-$V
check "the tree of the first build kept (DEB_KEEP)" [ -d "$N1/debian" ]
mkdir -p "$T/src1"
(cd "$N1" && tar --exclude=./build-deb -cf - .) | (cd "$T/src1" && tar -xf -)
{
    printf '%s (%s) unstable; urgency=medium\n\n' "$P" "$V1"
    printf '  * Test upgrade: the shipped configuration changed.\n\n'
    printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -S Maintainer)" "$(date -R)"
    cat debian/changelog
} >"$T/src1/debian/changelog"
echo "# (a line of version $V1)" >>"$T/src1/docs/$P.conf.example"
(cd "$T/src1" && PGO=0 sh scripts/deb.sh "$T/n1") >"$T/deb1.out" 2>&1
rc=$?
check "the next version ($V1) built ($rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 30 "$T/deb1.out"
DEB1=$T/n1/${P}_${V1}_$A.deb
[ -f "$DEB1" ] || stop "no package of the next version built"
chmod 755 "$T/n1" 2>/dev/null
sha() { sha256sum <"$1" | cut -d' ' -f1; }
conf_sha=$(sha "$C")
# the administrator's owner and mode for it, said to dpkg
dpkg-statoverride --update --add root "$P" 0440 "$C" && override=1
spool_before=$(cd "$S" && find spool reports -type f | sort | xargs sha256sum)
$APT -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    install "$DEB1" >"$T/upgrade.out" 2>&1
rc=$?
check "apt-get install ./${P}_${V1}_$A.deb (upgrade, $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 30 "$T/upgrade.out"
check "installed: $V1" \
    [ "$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$P")" = "installed $V1" ]
check "the changed $C kept" [ "$(sha "$C")" = "$conf_sha" ]
check "$C: the administrator's statoverride kept (root:$P 0440)" \
    [ "$(stat -c '%U:%G %a' $C)" = "root:$P 440" ]
dpkg-statoverride --remove "$C" && override=""
check "the new one beside it ($C.dpkg-dist)" \
    grep -q "a line of version $V1" "$C.dpkg-dist"
spool_after=$(cd "$S" && find spool reports -type f | sort | xargs sha256sum)
check "a spool and reports to keep" [ -n "$spool_before" ]
check "the spool and the reports kept, byte for byte" \
    [ "$spool_after" = "$spool_before" ]
check "the user still in adm" sh -c "id -nG $P | tr ' ' '\n' | grep -qx adm"
check "no timer enabled by the upgrade" \
    [ -z "$(find /etc/systemd/system -name "$P*" 2>/dev/null)" ]
# the pending job, due five minutes later, delivered by the new version
echo ok >"$T/hb/mode"
for j in "$S"/spool/pending/*; do
    awk '$1 == "next" { $2 = $2 - 300 } { print }' "$j" >"$T/job" \
        && cat "$T/job" >"$j"
done
unit $P-send.service
check "$P-send.service after the upgrade: exit 0 ($rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$T/$P-send.service.err"
check "the kept job posted" [ "$(accepted "$T/hb" /nostarttls)" -eq 1 ]

# ------------------------------------------------------------ 5. purge
$APT purge "$P" >"$T/purge.out" 2>&1
rc=$?
check "apt-get purge $P ($rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 30 "$T/purge.out"
st=$(dpkg-query -W -f='${db:Status-Status}' "$P" 2>/dev/null)
check "purged (dpkg: ${st:-no record})" [ "${st:-not-installed}" = not-installed ]
installed=""
leftovers >"$T/files.after"
check "nothing left under /etc /usr /lib /var /opt /srv" \
    cmp -s "$T/files.before" "$T/files.after"
diff "$T/files.before" "$T/files.after"
check "the system user kept (Debian keeps it)" getent passwd "$P" >/dev/null
userdel "$P"
getent group "$P" >/dev/null && groupdel "$P"
check "the test removed the user and group" \
    [ -z "$(getent passwd "$P")$(getent group "$P")" ]
check "no $P left in /etc/group" [ -z "$(grep -w "$P" /etc/group)" ]
made_user=""

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
