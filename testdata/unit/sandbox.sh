#!/bin/sh
# testdata/unit/sandbox.sh - run an installed systemd unit's command as
# systemd would, in a mount namespace of its own
#
# Usage: unshare -m --fork sh sandbox.sh ROOT UNIT WORK
#   ROOT  a "make install DESTDIR=ROOT PREFIX=/usr" tree
#   UNIT  the unit's file name (ROOT/usr/lib/systemd/system/UNIT)
#   WORK  the test's files: etc/ (copied into /etc), log/ (into /var/log,
#         root:adm 0640 as Debian's rsyslog writes them), state/ (the
#         state directory, kept between units), journal/ (into
#         /var/log/journal-test, root:adm 0640), env (extra environment
#         lines, NAME=VALUE; the one thing a unit does not say)
# What systemd would do for the unit, done here without systemd:
#   - ROOT/usr over /usr, tmpfs-backed overlays on /etc and /var, so the
#     ExecStart binary is the installed one and nothing of the machine
#     changes; the unit's User= and Group= as a system user and group of
#     this view only, with SupplementaryGroups= (adm: the mail log's
#     group);
#   - StateDirectory=: WORK/state on /var/lib/NAME, owned by the user,
#     StateDirectoryMode=, $STATE_DIRECTORY; UMask=;
#   - ProtectSystem=strict: /, /usr, /etc and /var read-only, only the
#     state directory writable; PrivateTmp=: a new /tmp and /var/tmp;
#   - the command: ExecStart= split on blanks (the units use no quotes),
#     run from / with a clean environment (PATH, HOME, USER, LOGNAME,
#     SHELL, LANG), as the user, with no capabilities left.
# The exit status is the command's. Needs root (mount, setpriv).
set -eu
root=$1
unit=$2
work=$3
ufile=$root/usr/lib/systemd/system/$unit
[ -f "$ufile" ] || { echo "sandbox: no $ufile" >&2; exit 2; }
key() { sed -n "s/^$1=//p" "$ufile" | tail -n 1; }
user=$(key User)
group=$(key Group)
supp=$(key SupplementaryGroups)
sdir=$(key StateDirectory)
smode=$(key StateDirectoryMode)
umask_=$(key UMask)
cmd=$(key ExecStart)
[ -n "$user" ] && [ -n "$sdir" ] && [ -n "$cmd" ] || {
    echo "sandbox: $unit lacks User=, StateDirectory= or ExecStart=" >&2
    exit 2
}

mount --make-rprivate /
mkdir -p "$work/ovl"
mount -t tmpfs -o size=64m,mode=755 unit "$work/ovl"
for d in usr etc var; do
    up=$work/ovl/up/$d
    wk=$work/ovl/wk/$d
    mkdir -p "$up" "$wk"
    lower=/$d
    [ "$d" = usr ] && lower=$root/usr:/usr
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$up,workdir=$wk" \
        "/$d"
done

# the unit's user and group, system ids free in this view
id=900
while getent passwd $id >/dev/null || getent group $id >/dev/null; do
    id=$((id + 1))
done
getent group "$group" >/dev/null \
    || echo "$group:x:$id:" >>/etc/group
getent passwd "$user" >/dev/null \
    || echo "$user:x:$id:$(getent group "$group" | cut -d: -f3)::/var/lib/$sdir:/usr/sbin/nologin" >>/etc/passwd

# the test's configuration and logs, as a package and rsyslog leave them
if [ -d "$work/etc" ]; then
    cp -R "$work/etc/." /etc/
    chown -R root:"$group" /etc/mailtlsrpt.conf /etc/mailtlsrpt 2>/dev/null || :
    chmod 640 /etc/mailtlsrpt.conf 2>/dev/null || :
fi
rm -f /var/log/mail.log /var/log/mail.log.1
if [ -d "$work/log" ]; then
    for f in "$work"/log/*; do
        [ -f "$f" ] || continue
        cp -p "$f" "/var/log/$(basename "$f")"
        chown root:adm "/var/log/$(basename "$f")"
        chmod 640 "/var/log/$(basename "$f")"
    done
fi
if [ -d "$work/journal" ]; then
    mkdir -p /var/log/journal-test
    cp "$work"/journal/* /var/log/journal-test/
    chown -R root:adm /var/log/journal-test
    chmod 750 /var/log/journal-test
    chmod 640 /var/log/journal-test/*
fi

# StateDirectory=, StateDirectoryMode=
mkdir -p "$work/state" "/var/lib/$sdir"
chown -R "$user:$group" "$work/state"
chmod "${smode:-0755}" "$work/state"
mount --bind "$work/state" "/var/lib/$sdir"

extra=""
[ -f "$work/env" ] && extra=$(cat "$work/env")

# ProtectSystem=strict: everything read-only but the state directory
mount -o remount,bind,ro /
for d in usr etc var; do
    mount -o remount,ro "/$d"
done
# PrivateTmp= (WORK, under /tmp, is out of sight from here on)
mount -t tmpfs -o mode=1777 tmp /tmp
mount -t tmpfs -o mode=1777 vartmp /var/tmp

gopt=--clear-groups
[ -n "$supp" ] && gopt=--groups=$(echo "$supp" | tr ' ' ',')
cd /
umask "${umask_:-0022}"
# shellcheck disable=SC2086 # ExecStart and the environment are word lists
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME="/var/lib/$sdir" USER="$user" LOGNAME="$user" \
    SHELL=/usr/sbin/nologin LANG=C.UTF-8 STATE_DIRECTORY="/var/lib/$sdir" \
    $extra \
    setpriv --reuid="$user" --regid="$group" "$gopt" --inh-caps=-all -- \
    $cmd
