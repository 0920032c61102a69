# testdata/sts/nginx.sh - a real HTTPS server for the MTA-STS tests
#
# Sourced by tests/it_sts.sh and tests/it_online.sh (after
# testdata/dns/servers.sh, whose zone points every mta-sts.<case>.t.test
# at 127.0.0.1). sts_start DIR makes a test CA with openssl, a
# certificate for every good policy host signed by it, one for another
# name (sts-wrongcert) and a self-signed one (sts-selfsigned), and runs
# nginx (Debian nginx-light) on 127.0.0.1:HTTPS_PORT, a port picked free,
# in the foreground as a child of the test. One server block per case:
#   sts-enforce, sts-testing, sts-none   valid policies (testing: CRLF)
#   sts-wrongcert, sts-selfsigned        certificate problems
#   sts-redirect                         return 301
#   sts-big                              a 100 KiB policy file
#   sts-bad                              a policy that does not parse
#   sts-html                             a valid policy as text/html
#   sts-slow                             limit_rate 20 bytes/s
#   sts-404                              no policy file
# It sets HTTPS_PORT and STS_CA (the CA file for --ca-file). sts_stop
# stops nginx by its PID.

# sts_cert NAME SAN... - key and certificate signed by the test CA
sts_cert() {
    name=$1
    shift
    san=""
    for h in "$@"; do san="$san${san:+,}DNS:$h"; done
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$STS_DIR/$name.key" -subj "/CN=$1" \
        -out "$STS_DIR/$name.csr" 2>/dev/null || return 1
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
        "$san" >"$STS_DIR/$name.ext"
    openssl x509 -req -in "$STS_DIR/$name.csr" -CA "$STS_DIR/ca.pem" \
        -CAkey "$STS_DIR/ca.key" -CAcreateserial -days 2 \
        -extfile "$STS_DIR/$name.ext" -out "$STS_DIR/$name.pem" 2>/dev/null
}

# sts_server NAME CERT EXTRA - one server block for mta-sts.NAME.t.test
sts_server() {
    cat <<EOF2
    server {
        listen 127.0.0.1:$HTTPS_PORT ssl;
        server_name mta-sts.$1.t.test;
        ssl_certificate $STS_DIR/$2.pem;
        ssl_certificate_key $STS_DIR/$2.key;
        root $STS_DIR/www/$1;
        $3
    }
EOF2
}

# sts_start DIR - certificates, policies, nginx; 0 when it answers
sts_start() {
    STS_DIR=$1
    STS_SRC=$(cd "${STS_SRC:-testdata/sts}" && pwd)
    mkdir -p "$STS_DIR/tmp" || return 1
    HTTPS_PORT=$(dns_free_ports 1)
    STS_CA=$STS_DIR/ca.pem
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$STS_DIR/ca.key" -out "$STS_DIR/ca.pem" -days 2 \
        -subj "/CN=mailtlsrpt test CA" 2>/dev/null || return 1
    good=""
    for c in sts-enforce sts-testing sts-none sts-redirect sts-big sts-bad \
        sts-html sts-slow sts-404 sts-badtxt; do
        good="$good mta-sts.$c.t.test"
        mkdir -p "$STS_DIR/www/$c/.well-known"
    done
    mkdir -p "$STS_DIR/www/sts-wrongcert/.well-known" \
        "$STS_DIR/www/sts-selfsigned/.well-known"
    # shellcheck disable=SC2086
    sts_cert good $good || return 1
    sts_cert wrong wrong.t.test || return 1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$STS_DIR/self.key" -out "$STS_DIR/self.pem" -days 2 \
        -subj "/CN=mta-sts.sts-selfsigned.t.test" \
        -addext "subjectAltName=DNS:mta-sts.sts-selfsigned.t.test" \
        2>/dev/null || return 1
    w=$STS_DIR/www
    for c in sts-enforce sts-testing sts-none sts-bad; do
        cp "$STS_SRC/$c.txt" "$w/$c/.well-known/mta-sts.txt"
    done
    for c in sts-wrongcert sts-selfsigned sts-html sts-badtxt; do
        cp "$STS_SRC/sts-enforce.txt" "$w/$c/.well-known/mta-sts.txt"
    done
    # 100 KiB: a valid policy padded with an extension line per 100 bytes
    { cat "$STS_SRC/sts-enforce.txt"
      i=0
      while [ $i -lt 1024 ]; do
          printf 'x-pad-%04d: %088d\n' $i 0
          i=$((i + 1))
      done; } >"$w/sts-big/.well-known/mta-sts.txt"
    { cat "$STS_SRC/sts-enforce.txt"
      printf 'x-pad: %0500d\n' 0; } >"$w/sts-slow/.well-known/mta-sts.txt"
    {
        cat <<EOF2
daemon off;
master_process off;
worker_processes 1;
error_log $STS_DIR/error.log warn;
pid $STS_DIR/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $STS_DIR/tmp;
    proxy_temp_path $STS_DIR/tmp;
    fastcgi_temp_path $STS_DIR/tmp;
    uwsgi_temp_path $STS_DIR/tmp;
    scgi_temp_path $STS_DIR/tmp;
    types { text/plain txt; }
    default_type application/octet-stream;
    ssl_protocols TLSv1.2 TLSv1.3;
    server {
        listen 127.0.0.1:$HTTPS_PORT ssl default_server;
        server_name _;
        ssl_certificate $STS_DIR/good.pem;
        ssl_certificate_key $STS_DIR/good.key;
        return 404;
    }
EOF2
        for c in sts-enforce sts-testing sts-none sts-big sts-bad sts-404 \
            sts-badtxt; do
            sts_server $c good ""
        done
        sts_server sts-wrongcert wrong ""
        sts_server sts-selfsigned self ""
        sts_server sts-redirect good \
            "return 301 https://mta-sts.sts-enforce.t.test/.well-known/mta-sts.txt;"
        sts_server sts-html good "types { text/html txt; }"
        sts_server sts-slow good "limit_rate 20;"
        echo "}"
    } >"$STS_DIR/nginx.conf"
    nginx -e "$STS_DIR/error.log" -p "$STS_DIR" -c "$STS_DIR/nginx.conf" \
        >"$STS_DIR/nginx.out" 2>&1 &
    NGINX_PID=$!
    i=0
    while [ $i -lt 100 ]; do
        if curl -s -o /dev/null --cacert "$STS_CA" \
            --resolve "mta-sts.sts-enforce.t.test:$HTTPS_PORT:127.0.0.1" \
            "https://mta-sts.sts-enforce.t.test:$HTTPS_PORT/.well-known/mta-sts.txt"; then
            return 0
        fi
        i=$((i + 1))
        sleep 0.1
    done
    echo "sts_start: nginx does not answer" >&2
    cat "$STS_DIR/error.log" "$STS_DIR/nginx.out" >&2 2>/dev/null
    return 1
}

# sts_stop - stop nginx
sts_stop() {
    if [ -n "${NGINX_PID:-}" ]; then
        kill "$NGINX_PID" 2>/dev/null
        wait "$NGINX_PID" 2>/dev/null
    fi
    NGINX_PID=
}
