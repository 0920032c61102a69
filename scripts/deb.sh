#!/bin/sh
# scripts/deb.sh [OUT] - the Debian package of this tree (make deb)
#
# Copies the tree as it is (scripts/copy-tree.sh: what git tracks or
# would track, with its changes) into OUT/mailtlsrpt-VERSION and runs
# "dpkg-buildpackage -us -uc -b" there, so that what dpkg-buildpackage
# writes beside the source tree (the .deb, the -dbgsym .deb of its debug
# symbols, .buildinfo, .changes) lands in OUT (default build/deb), and
# neither this tree's debian/ nor its build/ is touched. OUT is emptied
# first; the copy is removed after a successful build, unless DEB_KEEP=1
# (tests/it_deb.sh builds the next version from it). Missing
# Build-Depends (debian/control) are installed with "apt-get build-dep"
# as root, named otherwise. PGO=0 in the environment builds without
# profile-guided optimisation (the Makefile's variable, which
# debian/rules passes on).
set -eu
OUT=${1:-build/deb}
cd "$(dirname "$0")/.."
V=$(dpkg-parsechangelog -S Version)
A=$(dpkg --print-architecture)

if ! dpkg-checkbuilddeps >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        echo "deb: installing the Build-Depends of debian/control" >&2
        DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq \
            --no-install-recommends ./ >&2 \
            || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive \
                apt-get build-dep -y -qq --no-install-recommends ./ >&2; }
    else
        dpkg-checkbuilddeps || :
        echo "deb: run as root: apt-get build-dep ./" >&2
        exit 1
    fi
fi

rm -rf "$OUT"
S=$OUT/mailtlsrpt-$V
sh scripts/copy-tree.sh "$S"
[ -f "$S/debian/rules" ] || { echo "deb: copy of the tree failed" >&2; exit 1; }

# a make above this one must not hand debian/rules its variables
(cd "$S" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    dpkg-buildpackage -us -uc -b -Jauto) || {
    echo "deb: dpkg-buildpackage failed; the tree it ran in is $S" >&2
    exit 1
}
[ "${DEB_KEEP:-}" = 1 ] || rm -rf "$S"
echo "deb: $OUT/mailtlsrpt_${V}_$A.deb (and -dbgsym, .buildinfo," \
    ".changes); install: apt-get install ./$OUT/mailtlsrpt_${V}_$A.deb"
