#!/bin/sh
# testdata/mta/certs.sh - a test CA and one server certificate per case
#
# Usage: certs.sh DIR
#   ca.pem             the CA every MTA is told to trust
#   valid.pem/.key     valid.test, signed by the CA, valid now
#   multi.pem/.key     multi.test, the same
#   expired.pem/.key   expired.test, signed by the CA, expired in 2020
#   wrongname.pem/.key signed by the CA for other.invalid (not wrongname.test)
#   selfsigned.pem/.key selfsigned.test, signed by itself
# and for the load test (sandbox.sh "load"), whose MX hosts are named
# mx1.DOMAIN: l-ok, l-may, l-multi, l-daneok, l-danebad (signed by the
# CA, valid now), l-expired (expired in 2020), l-selfsigned (by itself)
set -eu
d=$1
mkdir -p "$d"
cd "$d"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
# shellcheck disable=SC2086
openssl req -x509 $ec -keyout ca.key -out ca.pem -days 3650 \
    -subj "/CN=mailtlsrpt MTA test CA" 2>/dev/null
: >index.txt
echo 01 >serial
cat >ca.cnf <<CNF
[ca]
default_ca = tca
[tca]
database = index.txt
serial = serial
new_certs_dir = .
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
CNF
# sign NAME CN SAN START END
sign() {
    # shellcheck disable=SC2086
    openssl req $ec -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" \
        -addext "subjectAltName=DNS:$3" \
        -addext "basicConstraints=CA:FALSE" \
        -addext "extendedKeyUsage=serverAuth" 2>/dev/null
    openssl ca -batch -notext -config ca.cnf -in "$1.csr" -out "$1.pem" \
        -startdate "$4" -enddate "$5" 2>/dev/null
}
sign valid valid.test valid.test 20200101000000Z 20991231000000Z
sign multi multi.test multi.test 20200101000000Z 20991231000000Z
sign expired expired.test expired.test 20190101000000Z 20200101000000Z
sign wrongname other.invalid other.invalid 20200101000000Z 20991231000000Z
for n in ok may multi daneok danebad; do
    sign "l-$n" "mx1.$n.test" "mx1.$n.test" 20200101000000Z 20991231000000Z
done
sign l-expired mx1.expired.test mx1.expired.test 20190101000000Z \
    20200101000000Z
# shellcheck disable=SC2086
openssl req -x509 $ec -keyout l-selfsigned.key -out l-selfsigned.pem \
    -days 3650 -subj "/CN=mx1.selfsigned.test" \
    -addext "subjectAltName=DNS:mx1.selfsigned.test" 2>/dev/null
# shellcheck disable=SC2086
openssl req -x509 $ec -keyout selfsigned.key -out selfsigned.pem \
    -days 3650 -subj "/CN=selfsigned.test" \
    -addext "subjectAltName=DNS:selfsigned.test" 2>/dev/null
# the server without STARTTLS needs no certificate
for n in valid multi expired wrongname; do
    openssl verify -CAfile ca.pem "$n.pem" >/dev/null 2>&1 || \
        [ "$n" = expired ] || { echo "certs: $n does not verify" >&2; exit 1; }
done
