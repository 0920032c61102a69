#!/bin/sh
# scripts/check-slurm.sh - the map/reduce of saved states on a real Slurm
#
# Usage: make check-slurm   (or: BUILD=build sh scripts/check-slurm.sh [MB])
# Brings up a single-node Slurm cluster on this machine (munged, slurmctld
# and slurmd from Debian's munge and slurm-wlm, configuration, keys,
# sockets and spool in a temporary directory, ports picked free), then:
#   1. benchmarks/gen writes a Postfix log of MB megabytes (default 8),
#      split(1) cuts it into 4 shards at line boundaries (inside sessions);
#   2. sbatch --array=0-3 runs "mailtlsrpt aggregate --piece N" per shard;
#   3. sbatch --dependency=afterok:ARRAY runs "mailtlsrpt merge" and
#      "report --from-state" / "summary --json --from-state";
#   4. the reports and the summary are compared with one plain run.
# Every daemon started here is stopped here, by its PID. Not part of
# make check. Ends with "N passed, N failed".
# shellcheck disable=SC2086
set -u
BUILD=${BUILD:-build}
BIN=$(cd "$(dirname "$BUILD/mailtlsrpt")" && pwd)/mailtlsrpt
GEN=$BUILD/benchmarks/gen
MB=${1:-8}
SHARDS=4
pass=0
fail=0
pids=""
d=$(mktemp -d /var/tmp/mtrslurm.XXXXXX)
chmod 700 "$d"

ok() { pass=$((pass + 1)); echo "ok: $*"; }
no() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() {
    desc=$1
    shift
    if "$@"; then ok "$desc"; else no "$desc"; fi
}

# stop what we started, newest first, then remove the directory
cleanup() {
    for p in $pids; do
        kill "$p" 2>/dev/null
    done
    for p in $pids; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$p" 2>/dev/null
    done
    [ -n "${KEEP:-}" ] || rm -rf "$d"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# free_port: a TCP port nobody listens on
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

for t in munged slurmctld slurmd sbatch squeue; do
    command -v $t >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
    command -v $t >/dev/null 2>&1 || { no "$t not installed"; echo "$pass passed, $fail failed"; exit 1; }
done

# ---------------------------------------------------------------- munge
dd if=/dev/urandom of="$d/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$d/munge.key"
mkdir -m 700 "$d/munge"
munged --foreground --force --key-file="$d/munge.key" \
    --socket="$d/munge/sock" --pid-file="$d/munge/pid" \
    --log-file="$d/munge/log" --seed-file="$d/munge/seed" \
    >"$d/munge/out" 2>&1 &
pids="$! $pids"
i=0
while [ ! -S "$d/munge/sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "munged is up" [ -S "$d/munge/sock" ]

# ---------------------------------------------------------------- slurm
ctld_port=$(free_port)
slurmd_port=$(free_port)
mkdir -p "$d/ctld" "$d/spool" "$d/work"
cat >"$d/slurm.conf" <<EOF
ClusterName=mtrcheck
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge/sock
CredType=cred/munge
StateSaveLocation=$d/ctld
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
PluginDir=/usr/lib/x86_64-linux-gnu/slurm-wlm
NodeName=mtrnode NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=2 RealMemory=500 State=UNKNOWN
PartitionName=mtr Nodes=mtrnode Default=YES MaxTime=INFINITE State=UP
EOF
[ -d /usr/lib/x86_64-linux-gnu/slurm-wlm ] ||
    sed -i '/^PluginDir=/d' "$d/slurm.conf"
export SLURM_CONF="$d/slurm.conf"
slurmctld -D -i >"$d/slurmctld.out" 2>&1 &
pids="$! $pids"
slurmd -D -N mtrnode >"$d/slurmd.out" 2>&1 &
pids="$! $pids"
up=0
i=0
while [ $i -lt 60 ]; do
    if sinfo -h -N -o '%T' 2>/dev/null | grep -q -E '^(idle|mixed|allocated)'; then
        up=1
        break
    fi
    sleep 0.5
    i=$((i + 1))
done
check "slurmctld and slurmd are up, node idle" [ "$up" = 1 ]
if [ "$up" != 1 ]; then
    tail -n 20 "$d/slurmctld.log" "$d/slurmd.log" "$d/slurmctld.out" \
        "$d/slurmd.out" 2>/dev/null
    echo "$pass passed, $fail failed"
    exit 1
fi

# ---------------------------------------------------------------- data
w=$d/work
printf 'organization_name = Test Org\ncontact_info = tlsrpt@sender.example\nsubmitter = sender.example\nunique_id = slurm1\n' \
    >"$w/t.conf"
ARGS="--config $w/t.conf --log-tz UTC --log-year 2024 -q"
# merge and --from-state read states, whose lines carry their times
SARGS="--config $w/t.conf -q"
"$GEN" -s 7 -b $((MB * 1000000)) -d 2000 >"$w/maillog" 2>/dev/null
(cd "$w" && split -n l/$SHARDS -d -a 1 maillog shard.)
check "$SHARDS shards cut" [ -s "$w/shard.$((SHARDS - 1))" ]

# ---------------------------------------------------------------- jobs
map=$(sbatch --parsable --array=0-$((SHARDS - 1)) --chdir="$w" \
    --output="$w/map.%a.out" \
    --wrap "exec '$BIN' aggregate $ARGS --piece \$SLURM_ARRAY_TASK_ID -o state.\$SLURM_ARRAY_TASK_ID shard.\$SLURM_ARRAY_TASK_ID")
check "map job array submitted ($map)" [ -n "$map" ]
reduce=$(sbatch --parsable --dependency=afterok:"$map" --chdir="$w" \
    --output="$w/reduce.out" \
    --wrap "'$BIN' merge $SARGS -o all.state state.* &&
'$BIN' report --offline --all-days --no-gzip --from-state $SARGS --out merged all.state &&
'$BIN' summary --json --from-state $SARGS all.state >merged.json &&
echo reduce-done")
check "reduce job submitted after the array ($reduce)" [ -n "$reduce" ]

i=0
while [ $i -lt 600 ]; do
    [ -z "$(squeue -h -j "$map,$reduce" 2>/dev/null)" ] && break
    sleep 0.5
    i=$((i + 1))
done
check "jobs finished within 300 s" [ $i -lt 600 ]
check "reduce job ran to its end" grep -q reduce-done "$w/reduce.out"
nstate=$(ls "$w"/state.* 2>/dev/null | wc -l)
check "one state per shard ($nstate)" [ "$nstate" = "$SHARDS" ]

# ---------------------------------------------------------------- compare
"$BIN" report --offline --all-days --no-gzip $ARGS --out "$w/plain" \
    "$w/maillog"
"$BIN" summary --json $ARGS "$w/maillog" >"$w/plain.json"
n=$(ls "$w/plain" | wc -l)
check "plain run wrote reports ($n)" [ "$n" -gt 0 ]
check "Slurm map/reduce: byte-identical reports" diff -r "$w/plain" "$w/merged"
check "Slurm map/reduce: same summary --json" cmp -s "$w/plain.json" "$w/merged.json"
[ "$fail" -eq 0 ] || tail -n 5 "$w"/*.out
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
