#!/bin/bash
# test_compat.sh - everything that is not a forbidden TLS feature keeps
# working with only the tlspolicy provider active: keys and certificates
# in PEM/DER, PKCS#8, PKCS#12, req/x509/verify with a good chain, SHA-1
# hashing and HMAC-SHA1, file encryption, random bytes. And the floors
# show up where a user meets them, with the policy's reason.
. "$(dirname "$0")/lib.sh"

tp_setup 'profile = "DEFAULT";
mode = "enforce";'
o() { openssl "$@"; }
# A stock OpenSSL (no configuration at all) to make what the policy refuses.
stock() { OPENSSL_CONF="$T/stock.cnf" openssl "$@"; }
: > "$T/stock.cnf"
cd "$T" || exit 99

expect_out "only tlspolicy is active" "tlspolicy" o list -providers
if o list -providers | grep -q "^  default"; then tp_fail "default provider active"; fi

# keys
expect_ok "RSA 2048 key (PEM)" o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem
expect_ok "EC P-256 key" o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem
expect_ok "Ed25519 key" o genpkey -algorithm ED25519 -out ed.pem
expect_ok "PEM -> DER" o pkey -in rsa.pem -outform DER -out rsa.der
expect_ok "DER -> PEM" o pkey -inform DER -in rsa.der -out rsa2.pem
expect_ok "PKCS#8 encrypt (AES-256-CBC, PBKDF2)" o pkcs8 -topk8 -v2 aes-256-cbc -in rsa.pem -passout pass:secret -out rsa.p8
expect_ok "PKCS#8 decrypt" o pkcs8 -in rsa.p8 -passin pass:secret -out rsa3.pem
if cmp -s rsa2.pem rsa3.pem; then tp_pass "PKCS#8 round trip"; else tp_fail "PKCS#8 round trip"; fi
expect_ok "public key" o pkey -in ec.pem -pubout -out ec.pub

# a good chain: CA -> leaf
expect_ok "req -x509 (CA)" o req -new -x509 -key rsa.pem -sha256 -days 2 -subj "/CN=test CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign -out ca.pem
expect_ok "req (CSR, EC)" o req -new -key ec.pem -sha256 -subj "/CN=localhost" -out leaf.csr
expect_ok "req -verify" o req -in leaf.csr -verify -noout
expect_ok "x509 -req (sign leaf)" o x509 -req -in leaf.csr -CA ca.pem -CAkey rsa.pem -CAcreateserial \
    -sha256 -days 2 -out leaf.pem
expect_out "verify good chain" "leaf.pem: OK" o verify -CAfile ca.pem leaf.pem
expect_ok "x509 PEM -> DER" o x509 -in leaf.pem -outform DER -out leaf.der
expect_out "x509 DER text" "localhost" o x509 -inform DER -in leaf.der -noout -subject

# PKCS#12 (the 3.0 default: AES-256-CBC, PBKDF2, HMAC-SHA256 MAC)
expect_ok "pkcs12 -export" o pkcs12 -export -inkey ec.pem -in leaf.pem -certfile ca.pem \
    -passout pass:p12pass -out leaf.p12
expect_out "pkcs12 parse" "BEGIN CERTIFICATE" o pkcs12 -in leaf.p12 -passin pass:p12pass -nodes
expect_out "pkcs12 -info" "MAC: sha256" o pkcs12 -in leaf.p12 -passin pass:p12pass -info -noout

# hashing, MACs, encryption, randomness
echo "hello" > msg
expect_out "SHA-1 digest" "f572d396fae9206628714fb2ce00f72e94f2258f" o dgst -sha1 msg
expect_out "MD5 digest" "b1946ac92492d2347c6235b4d2611184" o dgst -md5 msg
expect_out "HMAC-SHA1 (dgst)" "HMAC-SHA1(msg)=" o dgst -sha1 -hmac key msg
expect_out "HMAC-SHA1 (mac)" "$(stock mac -digest SHA1 -macopt key:key -in msg HMAC)" \
    o mac -digest SHA1 -macopt key:key -in msg HMAC
expect_ok "enc -aes-256-cbc -pbkdf2" o enc -aes-256-cbc -pbkdf2 -pass pass:x -in msg -out msg.enc
expect_out "dec -aes-256-cbc" "hello" o enc -d -aes-256-cbc -pbkdf2 -pass pass:x -in msg.enc
expect_ok "enc -chacha20" o enc -chacha20 -pbkdf2 -pass pass:x -in msg -out msg.c20
o pkey -in rsa.pem -pubout -out rsa.pub 2>/dev/null
expect_out "sign/verify SHA-256" "Verified OK" sh -c 'openssl dgst -sha256 -sign rsa.pem -out msg.sig msg && openssl dgst -sha256 -verify rsa.pub -signature msg.sig msg'
expect_out "rand" "" o rand -hex 32
if [ "$(o rand -hex 32 | tr -d '\n' | wc -c)" -eq 64 ]; then tp_pass "rand 32 bytes"; else tp_fail "rand 32 bytes"; fi

# raw RSA-PSS: padding set before the digest (the digest decides)
head -c 32 /dev/zero > h32; head -c 20 /dev/zero > h20
expect_ok "pkeyutl RSA-PSS, padding then digest:sha256" o pkeyutl -sign -inkey rsa.pem \
    -pkeyopt rsa_padding_mode:pss -pkeyopt digest:sha256 -in h32 -out pss.sig
expect_fail "pkeyutl RSA-PSS with no digest (SHA-1 default) refused" \
    "tlspolicy: SHA1 signatures are forbidden by policy" \
    o pkeyutl -sign -inkey rsa.pem -pkeyopt rsa_padding_mode:pss -in h20 -out pss1.sig

# the floors, as a user meets them
expect_fail "SHA-1 certificate signing refused" "tlspolicy: SHA1 signatures are forbidden by policy" \
    o req -new -x509 -key rsa.pem -sha1 -days 2 -subj "/CN=x" -out sha1.pem
expect_ok "stock: 1024-bit key" stock genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.pem
expect_fail "1024-bit RSA signing refused" "tlspolicy: RSA key of 1024 bits is below the policy minimum of 2048" \
    o req -new -x509 -key rsa1024.pem -sha256 -days 2 -subj "/CN=x" -out weak.pem
expect_ok "stock: DSA 1024 parameters" stock genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 -out dsap.pem
expect_ok "stock: DSA 1024 key" stock genpkey -paramfile dsap.pem -out dsa1024.pem
expect_fail "1024-bit DSA signing refused" "tlspolicy: DSA key of 1024 bits is below the policy minimum of 2048" \
    o dgst -sha256 -sign dsa1024.pem -out dsa.sig msg
expect_ok "stock: EC P-224 key" stock genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-224 -out p224.pem
expect_fail "P-224 ECDSA signing refused" "tlspolicy: EC key of 224 bits is below the policy minimum of 256" \
    o dgst -sha256 -sign p224.pem -out p224.sig msg
expect_ok "P-256 ECDSA signing" o dgst -sha256 -sign ec.pem -out ec.sig msg
expect_ok "stock: SHA-1-signed leaf" stock x509 -req -in leaf.csr -CA ca.pem -CAkey rsa.pem -set_serial 7 \
    -sha1 -days 2 -out leaf-sha1.pem
expect_fail "verify SHA-1-signed leaf" "certificate signature failure" o verify -CAfile ca.pem leaf-sha1.pem
expect_fail "verify SHA-1-signed leaf at auth level 0" "certificate signature failure" \
    o verify -auth_level 0 -CAfile ca.pem leaf-sha1.pem
expect_fail "MD5-SHA1 digest withheld" "unsupported" o dgst -md5-sha1 msg
expect_ok "TLS1-PRF KDF with SHA-256" o kdf -keylen 16 -kdfopt digest:SHA256 -kdfopt secret:aa -kdfopt seed:bb TLS1-PRF
expect_fail "TLS1-PRF KDF with MD5-SHA1 refused" "tlspolicy: TLS 1.0/1.1 (MD5-SHA1 PRF) are below the policy minimum of TLSv1.2" \
    o kdf -keylen 16 -kdfopt digest:MD5-SHA1 -kdfopt secret:aa -kdfopt seed:bb TLS1-PRF
expect_ok "TLS1-PRF via EVP_PKEY with SHA-256" o pkeyutl -kdf TLS1-PRF -kdflen 16 -pkeyopt md:SHA256 \
    -pkeyopt secret:abc -pkeyopt seed:def -out prf.bin
expect_fail "TLS1-PRF via EVP_PKEY with MD5-SHA1 refused" "tlspolicy: TLS 1.0/1.1 (MD5-SHA1 PRF)" \
    o pkeyutl -kdf TLS1-PRF -kdflen 16 -pkeyopt md:MD5-SHA1 -pkeyopt secret:abc -pkeyopt seed:def -out prf.bin
expect_fail "3DES withheld" "DES-EDE3-CBC" o enc -des-ede3-cbc -pbkdf2 -pass pass:x -in msg -out msg.3des

tp_done
