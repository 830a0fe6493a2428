#!/bin/sh
# Regenerate the independently signed CAP 1.2 test documents of this folder with xmlsec1
# (Debian package xmlsec1 1.2.37, OpenSSL 3.0) -- run once, offline, by hand; the tests only
# read the results and never need xmlsec1 or openssl. See README.md.
#   sh innolink/weather/tests/data/xmlsec/make.sh
# The private keys are made in a temporary folder and deleted: only the certificates and the
# signed documents are kept, so running it again replaces all of them together.
set -eu
cd "$(dirname "$0")"
keys=$(mktemp -d)
trap 'rm -rf "$keys"' EXIT
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/rsa-key.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/ec-key.pem"
openssl req -x509 -new -key "$keys/rsa-key.pem" -sha256 -days 3650 \
    -subj "/CN=jjqxt xmlsec1 interop test RSA" -out rsa-cert.pem
openssl req -x509 -new -key "$keys/ec-key.pem" -sha256 -days 3650 \
    -subj "/CN=jjqxt xmlsec1 interop test ECDSA" -out ec-cert.pem
# RSA-SHA256, exclusive C14N, indented, ds: prefix, the certificate in KeyInfo/X509Data
xmlsec1 --sign --privkey-pem "$keys/rsa-key.pem,rsa-cert.pem" \
    --output rsa-exc-c14n.xml rsa-exc-c14n.template.xml
# ECDSA-SHA256 (P-256), exclusive C14N, cap: prefix, Signature in the default namespace, tabs
xmlsec1 --sign --privkey-pem "$keys/ec-key.pem,ec-cert.pem" \
    --output ecdsa-exc-c14n.xml ecdsa-exc-c14n.template.xml
# RSA-SHA256, inclusive C14N 1.0, namespaces (default, xsi, ds) declared on the root, no KeyInfo
xmlsec1 --sign --privkey-pem "$keys/rsa-key.pem" --output rsa-c14n.xml rsa-c14n.template.xml
# xmlsec1's own check of what it made
xmlsec1 --verify --trusted-pem rsa-cert.pem rsa-exc-c14n.xml
xmlsec1 --verify --trusted-pem ec-cert.pem ecdsa-exc-c14n.xml
xmlsec1 --verify --pubkey-cert-pem rsa-cert.pem rsa-c14n.xml
