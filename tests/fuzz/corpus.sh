#!/bin/sh
# Assemble the seed corpus of the fuzz targets into DIR (created; files
# already there are kept): every shipped profile, modifier and policy file
# and every test fixture, each once for the system (empty first line) and
# once for a program ("curl", which the shipped files and fixtures name in
# their application rules). Usage: corpus.sh SOURCE_DIR DIR
set -eu
src=$1
out=$2
mkdir -p "$out"
i=0
for f in "$src"/packaging/profiles/*.conf "$src"/packaging/modifiers/*.conf \
         "$src"/packaging/policy.conf $(find "$src/tests/data" -name '*.conf' | sort); do
    [ -f "$f" ] || continue
    i=$((i + 1))
    { printf '\n'; cat "$f"; } > "$out/seed-$i-sys"
    { printf 'curl\n'; cat "$f"; } > "$out/seed-$i-curl"
done
# Shapes the fixtures lack: application rules by name and by path,
# modifiers, list edits, every section at once.
printf 'curl\nprofile = "LEGACY:NO-CBC:NO-SHA1";\napplications = ( { match = "cur*"; tls = { min_version = "TLSv1.3"; groups = [ "-X25519", "+secp384r1", "ffdhe2048+" ]; }; },\n { match = "/usr/bin/curl"; keys = { min_rsa_bits = 4096; }; } );\n' > "$out/seed-apps"
printf 'nginx\nprofile = "FUTURE:TLS13-ONLY";\nmode = "permissive";\ntls = { min_version = "TLSv1.2"; max_version = "TLSv1.3"; ciphersuites = [ "TLS_AES_256_GCM_SHA384" ]; ciphers = [ "AES-256-GCM", "CHACHA20-POLY1305" ]; key_exchange = [ "ECDHE" ]; macs = [ "AEAD" ]; groups = [ "X25519MLKEM768", "X25519" ]; signature_algorithms = [ "ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256" ]; security_level = 3; };\ndtls = { min_version = "DTLSv1.2"; };\nkeys = { min_rsa_bits = 3072; min_dh_bits = 3072; min_dsa_bits = 3072; min_ec_bits = 384; };\nsignatures = { forbidden_hashes = [ "MD5", "SHA1", "SHA224" ]; };\nverify = { peer = "required"; ca_file = "/etc/ssl/certs/ca-certificates.crt"; ca_path = "/etc/ssl/certs"; };\napplications = ( { match = "nginx"; mode = "enforce"; } );\n' > "$out/seed-all"
echo "corpus: $(ls "$out" | wc -l) seeds in $out"
