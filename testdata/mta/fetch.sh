#!/bin/sh
# testdata/mta/fetch.sh - Debian's Postfix, Exim and Sendmail, unpacked
#
# Usage: fetch.sh CACHE
# Downloads the packages with "apt-get download" (no install: the
# system's MTA slot is never touched) and unpacks each MTA with dpkg -x
# into its own tree CACHE/<mta>/, which tests/it_mta.sh overlays on /usr,
# /etc and /var inside a private mount namespace (sandbox.sh). A tree is
# kept between runs while the candidate versions stay the same
# (CACHE/<mta>/VERSIONS). The shared libraries the MTAs link with are
# ordinary packages without conflicts: missing ones are installed.
set -eu
cache=$1
mkdir -p "$cache/debs"
cd "$cache"
# one fetch at a time (make test and make asan may run side by side)
exec 9>.lock
flock 9
# one apt-cache call (each costs seconds): "package=candidate" lines
candidates() {
    apt-cache policy postfix exim4-base exim4-daemon-light sendmail-bin \
        sendmail-cf | awk '/^[^ ].*:$/ { p = substr($1, 1, length($1) - 1) }
        $1 == "Candidate:" && $2 != "(none)" { print p "=" $2 }' >candidates
}
candidates
# package lists absent or without these: read them once
[ "$(wc -l <candidates)" -eq 5 ] || { apt-get update -qq >&2; candidates; }
for mta in postfix exim sendmail; do
    case $mta in
    postfix) pkgs="postfix" ;;
    exim) pkgs="exim4-base exim4-daemon-light" ;;
    sendmail) pkgs="sendmail-bin sendmail-cf" ;;
    esac
    want=""
    for p in $pkgs; do
        v=$(grep "^$p=" candidates) || {
            echo "fetch: no candidate for $p (apt-get update?)" >&2; exit 1; }
        want="$want$v
"
    done
    if printf '%s' "$want" | cmp -s - "$mta/VERSIONS"; then
        continue
    fi
    rm -rf "$mta" "$mta.tmp" "debs/$mta"
    mkdir -p "debs/$mta" "$mta.tmp"
    # as root into a directory apt's sandbox user may not write
    # shellcheck disable=SC2086
    (cd "debs/$mta" && apt-get -q download $pkgs \
        -o APT::Sandbox::User=root >/dev/null)
    for d in "debs/$mta"/*.deb; do
        dpkg -x "$d" "$mta.tmp"
    done
    printf '%s' "$want" >"$mta.tmp/VERSIONS"
    mv "$mta.tmp" "$mta"
done

libs=$(for d in debs/*/*.deb; do dpkg-deb -f "$d" Depends; done |
    tr ',' '\n' | sed 's/|.*//; s/(.*//; s/ //g' | grep '^lib' | sort -u)
missing=""
for p in $libs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "fetch: installing libraries:$missing" >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends $missing >&2
fi
