#!/bin/sh
# scripts/copy-tree.sh DIR - this source tree as it is, into DIR
#
# The files git tracks or would track, with their uncommitted changes
# (deleted ones skipped); build directories and other ignored files are
# left out. Outside a git checkout: everything but the build
# directories, out/ and the program. For scripts/deb.sh and
# scripts/deb-chroot.sh, which build the Debian package from a copy.
set -eu
DIR=$1
cd "$(dirname "$0")/.."
mkdir -p "$DIR"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z -co --exclude-standard \
        | tar --null --ignore-failed-read -T - -cf - 2>/dev/null \
        | tar -xf - -C "$DIR"
else
    tar --exclude=./build --exclude='./build-*' --exclude=./out \
        --exclude=./mailtlsrpt --exclude='*.o' --exclude='*.d' -cf - . \
        | tar -xf - -C "$DIR"
fi
[ -f "$DIR/Makefile" ] || { echo "copy-tree: copy into $DIR failed" >&2; exit 1; }
