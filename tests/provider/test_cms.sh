#!/bin/bash
# test_cms.sh - CMS and PKCS#7 (S/MIME) signing and verification under the
# DEFAULT policy with only tlspolicy active (issue 8): SHA-256 signatures
# made and verified, CMS encryption round trip; SHA-1 signing, SHA-1
# signatures made elsewhere and signers below the key floor refused, with
# the policy's reason. Runs the `openssl` on PATH (3.5's in the 3.5 suite).
. "$(dirname "$0")/lib.sh"

tp_setup 'profile = "DEFAULT";
mode = "enforce";'
o() { openssl "$@"; }
stock() { OPENSSL_CONF="$T/stock.cnf" openssl "$@"; }
: > "$T/stock.cnf"
cd "$T" || exit 99
echo "# $(o version)"

# A CA and two signers (RSA 2048, EC P-256), made under the policy.
o req -new -x509 -newkey rsa:2048 -nodes -keyout ca.key -sha256 -days 2 \
    -subj "/CN=cms CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=keyCertSign,cRLSign -out ca.pem 2>/dev/null || exit 99
for k in rsa ec; do
    case $k in
    rsa) o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $k.key ;;
    ec) o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.key ;;
    esac 2>/dev/null || exit 99
    o req -new -key $k.key -sha256 -subj "/CN=signer $k" -out $k.csr 2>/dev/null || exit 99
    o x509 -req -in $k.csr -CA ca.pem -CAkey ca.key -set_serial 1$RANDOM -sha256 \
        -days 2 -extfile <(printf 'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\n') \
        -out $k.pem 2>/dev/null || exit 99
done
stock genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out weak.key 2>/dev/null || exit 99
stock req -new -x509 -key weak.key -sha256 -days 2 -subj "/CN=weak" -out weak.pem 2>/dev/null || exit 99
echo "a message to sign" > msg

for k in rsa ec; do
    expect_ok "cms -sign SHA-256 ($k)" o cms -sign -nodetach -binary -in msg -signer $k.pem -inkey $k.key -md sha256 \
        -out $k.cms -outform PEM
    expect_out "cms -verify SHA-256 ($k)" "Verification successful" \
        o cms -verify -binary -in $k.cms -inform PEM -CAfile ca.pem -out $k.out
    expect_fail "cms -sign SHA-1 refused ($k)" "tlspolicy: SHA1 signatures are forbidden by policy" \
        o cms -sign -in msg -signer $k.pem -inkey $k.key -md sha1 -out $k-sha1.cms
done
if cmp -s msg rsa.out && cmp -s msg ec.out; then tp_pass "cms content round trip"; else tp_fail "cms content round trip"; fi

expect_ok "stock: cms -sign SHA-1" stock cms -sign -nodetach -in msg -signer rsa.pem -inkey rsa.key -md sha1 \
    -out stock-sha1.cms -outform PEM
expect_fail "cms -verify of a SHA-1 signature refused" "tlspolicy: SHA1 signatures are forbidden by policy" \
    o cms -verify -in stock-sha1.cms -inform PEM -CAfile ca.pem -out /dev/null
expect_fail "cms -sign with a 1024-bit key refused" "tlspolicy: RSA key of 1024 bits is below the policy minimum of 2048" \
    o cms -sign -in msg -signer weak.pem -inkey weak.key -md sha256 -out weak.cms

# PKCS#7 through the older S/MIME code path (EVP_SignFinal-style signing).
expect_ok "smime -sign SHA-256" o smime -sign -in msg -signer rsa.pem -inkey rsa.key -md sha256 -out rsa.p7m
expect_out "smime -verify SHA-256" "Verification successful" \
    o smime -verify -in rsa.p7m -CAfile ca.pem -out /dev/null
expect_fail "smime -sign SHA-1 refused" "tlspolicy: SHA1 signatures are forbidden by policy" \
    o smime -sign -in msg -signer rsa.pem -inkey rsa.key -md sha1 -out rsa-sha1.p7m

# CMS encryption to an RSA recipient (asymmetric cipher through the filter).
expect_ok "cms -encrypt AES-256-CBC to RSA 2048" o cms -encrypt -aes256 -in msg -out msg.enc rsa.pem
expect_out "cms -decrypt" "a message to sign" o cms -decrypt -in msg.enc -recip rsa.pem -inkey rsa.key

tp_done
