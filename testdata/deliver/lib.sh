# testdata/deliver/lib.sh - shared by tests/it_deliver.sh, it_crash.sh,
# it_dkim.sh: counters, a test CA, real servers on 127.0.0.1, reports.
#
# Sourced, not run. Sets BIN, PY, T (a fresh temporary directory removed
# at exit with every server this file started, stopped by its PID).
BUILD=${BUILD:-build}
BIN=${MAILTLSRPT:-$BUILD/mailtlsrpt}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
PY=/usr/bin/python3             # Debian's, which has aiosmtpd and dkim
TD=$PWD/testdata/deliver
CONF=$PWD/testdata/demo/mailtlsrpt.conf
pass=0
fail=0
pids=""
T=$(mktemp -d)

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() {                       # check "what" command...
    what=$1
    shift
    if "$@"; then ok; else bad "$what"; fi
}
finish() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap finish EXIT
trap 'exit 1' INT TERM

# need_tools - skip the whole test (one failure) without what it needs
need_tools() {
    for t in "$PY" openssl; do
        command -v "$t" >/dev/null 2>&1 || {
            echo "missing $t (sh scripts/deps.sh test)"; echo "0 passed, 1 failed"
            exit 1; }
    done
}

# mkca DIR - test CA, a server certificate for 127.0.0.1/::1/localhost
# signed by it, and a self-signed one (the "invalid certificate")
mkca() {
    d=$1
    mkdir -p "$d"
    ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    # shellcheck disable=SC2086
    openssl req -x509 $ec -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 \
        -subj "/CN=mailtlsrpt test CA" 2>/dev/null &&
    openssl req $ec -keyout "$d/srv.key" -out "$d/srv.csr" \
        -subj "/CN=localhost" 2>/dev/null &&
    printf '%s\n' "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" \
        "basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth" \
        >"$d/ext" &&
    openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
        -CAcreateserial -out "$d/srv.pem" -days 2 -extfile "$d/ext" \
        2>/dev/null &&
    openssl req -x509 $ec -keyout "$d/self.key" -out "$d/self.pem" \
        -days 2 -subj "/CN=localhost" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
}

# start SCRIPT DIR ARGS... - start a server; its port in $port
start() {
    script=$1
    dir=$2
    shift 2
    mkdir -p "$dir"
    rm -f "$dir/port"
    "$PY" "$TD/$script" "$dir" "$@" >"$dir/server.log" 2>&1 &
    pids="$pids $!"
    i=0
    while [ ! -s "$dir/port" ] && [ $i -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    port=$(cat "$dir/port" 2>/dev/null)
    [ -n "$port" ] || { echo "server $script did not start:"; \
        cat "$dir/server.log"; }
}

# mkreport DIR DOMAIN [DAY] - an RFC 8460 report file for DAY (default
# yesterday, UTC), named and shaped as mailtlsrpt writes them; path out
mkreport() {
    day=${3:-$(date -u -d yesterday +%Y-%m-%d)}
    b=$(date -u -d "$day" +%s)
    e=$((b + 86399))
    f="$1/example.net!$2!$b!$e!mail01.json.gz"
    mkdir -p "$1"
    printf '{"organization-name":"Example Mail Operations","date-range":'\
'{"start-datetime":"%sT00:00:00Z","end-datetime":"%sT23:59:59Z"},'\
'"contact-info":"tlsrpt@example.net","report-id":"%s.mail01.%s@example.net",'\
'"policies":[{"policy":{"policy-type":"no-policy-found","policy-domain":'\
'"%s"},"summary":{"total-successful-session-count":%d,'\
'"total-failure-session-count":0}}]}' "$day" "$day" \
        "$(echo "$day" | tr -d -)" "$2" "$2" "${#2}" | gzip -n >"$f"
    echo "$f"
}

# accepted DIR [PATH] - how many requests/messages the server accepted
accepted() {
    if [ -n "${2:-}" ]; then
        awk -F '\t' -v p="$2" '($1 ~ /^2/) && $2 == p' "$1/log" 2>/dev/null \
            | wc -l
    else
        awk -F '\t' '$1 ~ /^2/' "$1/log" 2>/dev/null | wc -l
    fi
}

# state ST REPORT DEST - the state of one job in the spool (or "none")
state() {
    "$BIN" spool --config "$CONF" --state-dir "$1" 2>/dev/null |
        awk -F '\t' -v r="$(basename "$2")" -v d="$3" \
            '$4 == r && $5 == d { print $1; f = 1 } END { if (!f) print "none" }'
}

# outcome ST REPORT DEST - the recorded outcome text of one job
outcome() {
    "$BIN" spool --config "$CONF" --state-dir "$1" 2>/dev/null |
        awk -F '\t' -v r="$(basename "$2")" -v d="$3" \
            '$4 == r && $5 == d { print $6 }'
}
