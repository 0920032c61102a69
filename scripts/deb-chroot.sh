#!/bin/sh
# scripts/deb-chroot.sh [DIR] - the Debian package built where nothing
# but its Build-Depends is installed, then installed there
#
# Not part of make check: it downloads a Debian 12 system and the
# Build-Depends (some 150 MB) and takes about 1 GB of disk.
# As root:
#   1. debootstrap --variant=buildd bookworm DIR.base, copied to DIR
#      (default build-deb-chroot, not under build/, whose *.d files the
#      Makefile reads): Debian 12's required packages and
#      build-essential, from the mirror this machine's apt uses (MIRROR=
#      to choose another), with the machine's apt sources;
#   2. this tree (scripts/copy-tree.sh) in DIR/build/src;
#      "apt-get build-dep" installs debian/control's Build-Depends and
#      what they need, and nothing else: the list is printed
#      (DIR/build/packages-before, -after);
#   3. dpkg-buildpackage -us -uc -b as an unprivileged user, in a network
#      namespace of its own (loopback only: the build, the profile
#      training and the tests of the build need no network), with PGO as
#      the environment says (default: the Makefile's, profile-guided with
#      GCC);
#   4. the package installed in the chroot with apt-get (its Depends
#      come from the mirror), its user, group, conffile and --version
#      checked, then purged (lintian: tests/it_deb.sh).
# Ends with "N passed, N failed". DIR is kept for inspection; the
# debootstrapped system is kept in DIR.base and copied afresh to DIR by
# every run (rm -rf DIR.base to download it again).
set -u
DIR=${1:-build-deb-chroot}
cd "$(dirname "$0")/.." || exit 2
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac
case ${DIR%/} in "" | /*/..* | /usr | /var | /etc | /home | /root)
    echo "deb-chroot: not a chroot directory: $DIR" >&2; exit 2 ;; esac
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
done_() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }
[ "$(id -u)" = 0 ] || { echo "deb-chroot: needs root (debootstrap, chroot)"; bad root; done_; }
command -v debootstrap >/dev/null 2>&1 \
    || { echo "deb-chroot: apt-get install debootstrap"; bad debootstrap; done_; }

# the Debian mirror of this machine's apt sources
m=$(sed -n 's|^URIs:[[:space:]]*\([^[:space:]]*/debian\)/*[[:space:]]*$|\1|p' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[ -n "$m" ] || m=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' \
    /etc/apt/sources.list 2>/dev/null)
MIRROR=${MIRROR:-$m}
[ -n "$MIRROR" ] || { echo "deb-chroot: no Debian mirror found; MIRROR=URL"; bad mirror; done_; }

# in the chroot, with /proc, /dev and /sys of a mount namespace of its
# own (gone when the command ends)
inside() {
    unshare -m --fork sh -c '
        d=$1; shift
        mount --make-rprivate /
        mount -t proc proc "$d/proc"
        mount --rbind /dev "$d/dev"
        mount --rbind /sys "$d/sys"
        exec chroot "$d" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"' \
        sh "$DIR" "$@"
}

# a pristine system in DIR.base, copied afresh to DIR for every run
if [ ! -f "$DIR.base/.debootstrap-done" ]; then
    echo "deb-chroot: debootstrap bookworm from $MIRROR into $DIR.base"
    rm -rf "$DIR.base"
    mkdir -p "$DIR.base"
    log=$(mktemp)
    debootstrap --variant=buildd bookworm "$DIR.base" "$MIRROR" \
        >"$log" 2>&1 || {
        tail -n 20 "$log"; echo "(all of it: $log)"; bad debootstrap; done_; }
    mv "$log" "$DIR.base/.debootstrap.log"
    chroot "$DIR.base" apt-get clean
    touch "$DIR.base/.debootstrap-done"
fi
rm -rf "$DIR"
cp -a "$DIR.base" "$DIR"
check "a fresh copy of the Debian 12 system in $DIR" [ -x "$DIR/usr/bin/apt-get" ]
if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
    rm -f "$DIR/etc/apt/sources.list"
    for f in /etc/apt/sources.list.d/*.sources; do
        grep -q '/debian' "$f" && cp "$f" "$DIR/etc/apt/sources.list.d/"
    done
fi
cp /etc/resolv.conf "$DIR/etc/resolv.conf" 2>/dev/null
inside apt-get update -qq >/dev/null 2>&1 || inside apt-get update
check "apt-get update in the chroot" [ $? -eq 0 ]

rm -rf "$DIR/build"
sh scripts/copy-tree.sh "$DIR/build/src" || { bad "copy of the tree"; done_; }
inside dpkg-query -W -f='${Package}\n' | sort >"$DIR/build/packages-before"
inside apt-get build-dep -y -q --no-install-recommends /build/src \
    >"$DIR/build/build-dep.log" 2>&1
rc=$?
check "apt-get build-dep ($rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 20 "$DIR/build/build-dep.log"
inside dpkg-query -W -f='${Package}\n' | sort >"$DIR/build/packages-after"
echo "deb-chroot: installed for the build (Build-Depends and what they need):"
comm -13 "$DIR/build/packages-before" "$DIR/build/packages-after" | tr '\n' ' '
echo
inside sh -c 'cd /build/src && dpkg-checkbuilddeps' 2>&1
check "dpkg-checkbuilddeps in the chroot" [ $? -eq 0 ]

# the build: an unprivileged user, no network but loopback
inside sh -c 'getent passwd builder >/dev/null ||
    useradd --system --create-home builder' >/dev/null 2>&1
inside chown -R builder: /build
echo "deb-chroot: dpkg-buildpackage -us -uc -b as builder, no network"
unshare -n -m --fork sh -c '
    d=$1; p=$2
    ip link set lo up 2>/dev/null
    mount --make-rprivate /
    mount -t proc proc "$d/proc"
    mount --rbind /dev "$d/dev"
    exec chroot "$d" env -i PATH=/usr/bin:/bin HOME=/home/builder \
        LANG=C.UTF-8 ${p:+PGO=$p} setpriv --reuid=builder --regid=builder \
        --init-groups sh -c "cd /build/src && dpkg-buildpackage -us -uc -b -Jauto"
' sh "$DIR" "${PGO:-}" >"$DIR/build/build.log" 2>&1
rc=$?
check "dpkg-buildpackage without network ($rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 30 "$DIR/build/build.log"
grep -q -- '-fprofile-use' "$DIR/build/build.log" \
    && echo "deb-chroot: the build was profile-guided"
grep '^[0-9]* passed, [0-9]* failed' "$DIR/build/build.log" \
    | sed 's/^/deb-chroot: tests of the build: /'
V=$(inside dpkg-parsechangelog -l /build/src/debian/changelog -S Version)
A=$(dpkg --print-architecture)
DEB=/build/mailtlsrpt_${V}_$A.deb
check "$DEB built" [ -f "$DIR$DEB" ]
ls -l "$DIR"/build/*.deb "$DIR"/build/*.changes 2>/dev/null

# installed on that minimal system, then purged
inside apt-get install -y -q "$DEB" >"$DIR/build/install.log" 2>&1
rc=$?
check "apt-get install $DEB in the chroot ($rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 20 "$DIR/build/install.log"
sed -n '/NEW packages will be installed/,/upgraded/p' "$DIR/build/install.log"
check "user mailtlsrpt in group adm" \
    sh -c "chroot '$DIR' id -nG mailtlsrpt | tr ' ' '\n' | grep -qx adm"
check "/etc/mailtlsrpt.conf root:mailtlsrpt 0640" \
    [ "$(chroot "$DIR" stat -c '%U:%G %a' /etc/mailtlsrpt.conf)" = "root:mailtlsrpt 640" ]
check "mailtlsrpt --version" \
    [ "$(chroot "$DIR" /usr/bin/mailtlsrpt --version)" = "mailtlsrpt ${V%%-*}" ]
inside apt-get purge -y -q mailtlsrpt >"$DIR/build/purge.log" 2>&1
check "apt-get purge in the chroot" [ $? -eq 0 ]
check "purged: no /var/lib/mailtlsrpt" [ ! -e "$DIR/var/lib/mailtlsrpt" ]
check "purged: no /etc/mailtlsrpt.conf" [ ! -e "$DIR/etc/mailtlsrpt.conf" ]
done_
