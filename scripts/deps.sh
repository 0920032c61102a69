#!/bin/sh
# scripts/deps.sh - make sure the Debian packages mailtlsrpt needs are here
#
# Usage: scripts/deps.sh [build|test|bench|slurm|deb]
#   build: libraries and tools to compile mailtlsrpt
#   deb:   dpkg-dev for make deb (scripts/deb.sh then installs the
#          Build-Depends of debian/control with apt-get build-dep)
#   test:  build + what the test suite starts (servers, clang for fuzzing),
#          and what the MTAs of tests/it_mta.sh need beside their own
#          packages, which the test unpacks without installing; systemd
#          for systemd-analyze and journalctl, systemd-journal-remote to
#          write the journal file of tests/it_unit.sh, groff-base to
#          read the man page in tests/it_cli.sh, dpkg-dev, debhelper and
#          lintian to build and check the package in tests/it_deb.sh
#   bench: build + what make bench times and measures with
#   slurm: build + Slurm and munge, for make check-slurm
# As root, installs whatever is missing with apt-get. Otherwise prints the
# exact command to run and exits 1 when something is missing.
set -eu

BUILD_PKGS="build-essential pkg-config libpcre2-dev libjansson-dev zlib1g-dev
libcurl4-openssl-dev libldns-dev libxxhash-dev liblzma-dev libzstd-dev
libbz2-dev libmicrohttpd-dev"
TEST_PKGS="$BUILD_PKGS gzip xz-utils zstd bzip2 tzdata chromium
unbound nsd ldnsutils nginx-light openssl opendkim-tools python3-aiosmtpd
python3 curl python3-dkim python3-nacl iproute2 valgrind clang libclang-rt-14-dev
m4 libdb5.3 libgnutls-dane0 libidn12 libnsl2 libicu72 libsasl2-2 libldap-2.5-0
liblockfile1 libwrap0 systemd systemd-journal-remote groff-base util-linux
rsyslog logrotate prometheus
dpkg-dev debhelper lintian ca-certificates"
BENCH_PKGS="$BUILD_PKGS gzip bc time pflogsumm"
# make check-slurm only: a single-node Slurm cluster on this machine
SLURM_PKGS="$BUILD_PKGS slurm-wlm munge"
DEB_PKGS="dpkg-dev"

what=${1:-build}
case $what in
build) want=$BUILD_PKGS ;;
test) want=$TEST_PKGS ;;
bench) want=$BENCH_PKGS ;;
slurm) want=$SLURM_PKGS ;;
deb) want=$DEB_PKGS ;;
*) echo "usage: $0 [build|test|bench|slurm|deb]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
    echo "deps: installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    # the package lists may be absent or stale on a fresh machine
    apt-get update -qq >&2 || apt-get update >&2
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >&2
    exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: run as root: apt-get install$missing" >&2
exit 1
