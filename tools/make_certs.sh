#!/usr/bin/env bash
# Makes a throwaway CA and certificates for the local stack and the tests: tools/make_certs.sh DIR
#
# DIR/ca.pem, ca-key.pem          the CA (EC P-256) every client trusts
# DIR/server.pem, server-key.pem  server certificate for 127.0.0.1, ::1 and localhost (serverAuth)
# DIR/client.pem, client-key.pem  client certificate CN=recovery-client for mTLS (clientAuth)
# All valid for 30 days. Keys are written 0600. Existing files in DIR are replaced.
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 DIR" >&2
  exit 2
fi
DIR=$1
DAYS=30
mkdir -p "$DIR"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
umask 077

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# The CA.
newkey "$WORK/ca-key.pem"
openssl req -x509 -new -key "$WORK/ca-key.pem" -sha256 -days "$DAYS" -subj "/CN=recovery local CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" \
  -out "$WORK/ca.pem"

# sign NAME CN EXTENSIONS: a key and a certificate signed by the CA.
sign() {
  local name=$1 cn=$2 ext=$3
  newkey "$WORK/$name-key.pem"
  openssl req -new -key "$WORK/$name-key.pem" -subj "/CN=$cn" -out "$WORK/$name.csr"
  printf '%s' "$ext" >"$WORK/$name.ext"
  openssl x509 -req -in "$WORK/$name.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca-key.pem" -CAcreateserial \
    -CAserial "$WORK/ca.srl" -sha256 -days "$DAYS" -extfile "$WORK/$name.ext" -out "$WORK/$name.pem" 2>/dev/null
}

# Subject and authority key identifiers: strict verifiers (Python 3.13 with VERIFY_X509_STRICT) require them.
LEAF='basicConstraints=critical,CA:FALSE
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer
keyUsage=critical,digitalSignature
'
sign server 127.0.0.1 "${LEAF}extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost
"
sign client recovery-client "${LEAF}extendedKeyUsage=clientAuth
"

openssl verify -CAfile "$WORK/ca.pem" "$WORK/server.pem" "$WORK/client.pem" >/dev/null

for f in ca.pem server.pem client.pem; do install -m 0644 "$WORK/$f" "$DIR/$f"; done
for f in ca-key.pem server-key.pem client-key.pem; do install -m 0600 "$WORK/$f" "$DIR/$f"; done
echo "make_certs: CA and certificates in $DIR (valid $DAYS days)"
