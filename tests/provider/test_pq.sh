#!/bin/bash
# test_pq.sh - the hybrid post-quantum group on OpenSSL 3.5+ (issue 8).
# DEFAULT offers X25519MLKEM768 first and a stock peer picks it, whichever
# side is under the policy; a policy without the group, or without its
# classical half (X25519), withholds it and the handshake falls back to a
# classical group instead of failing. On OpenSSL < 3.5 only the fallback
# half means anything: the same DEFAULT policy loads and TLS 1.3 works.
. "$(dirname "$0")/lib.sh"

o() { openssl "$@"; }
stock() { OPENSSL_CONF="$T/stock.cnf" openssl "$@"; }
: > "$T/stock.cnf"
cd "$T" || exit 99
echo "# $(openssl version)"
have_pq=0
if stock list -kem-algorithms 2>/dev/null | grep -qi "X25519MLKEM768"; then have_pq=1; fi

stock req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem \
    -out cert.pem -days 2 -subj "/CN=localhost" 2>/dev/null || exit 99

# server WHO GROUPS: an s_server on 127.0.0.1 ($port), WHO = o (policed) or
# stock, GROUPS = -groups value or "" for the library's (or policy's) own.
server() {
    port=$(tp_port)
    "$1" s_server -accept "127.0.0.1:$port" -cert cert.pem -key key.pem \
        ${2:+-groups "$2"} -quiet > "$T/server.out" 2>&1 &
    srv=$!
    tp_started $srv
    tp_wait_port "$port"
}

# group WHO GROUPS: connect, print the negotiated TLS 1.3 group (3.0 and 3.5
# s_client say it differently).
group() {
    echo Q | "$1" s_client -connect "127.0.0.1:$port" -servername localhost \
        -tls1_3 ${2:+-groups "$2"} 2>&1 | sed -n \
        -e 's/^Negotiated TLS1.3 group: //p' \
        -e 's/^\(Server\|Peer\) Temp Key: ECDH, prime256v1,.*/secp256r1/p' \
        -e 's/^\(Server\|Peer\) Temp Key: \([^,]*\),.*/\2/p' | head -1
    tp_stop "$srv"
}

# expect_group NAME WANT GOT
expect_group() {
    if [ "$3" = "$2" ]; then tp_pass "$1: $3"; else echo "     | wanted $2, got '$3'"; tp_fail "$1"; fi
}

tp_setup 'profile = "DEFAULT";
mode = "enforce";'
if [ $have_pq = 1 ]; then
    server stock ""
    expect_group "DEFAULT client offers X25519MLKEM768 first (stock server)" X25519MLKEM768 "$(group o "")"
    server o ""
    expect_group "DEFAULT server picks X25519MLKEM768 (stock client)" X25519MLKEM768 "$(group stock "")"
    server o ""
    expect_group "DEFAULT server, client prefers X25519MLKEM768" X25519MLKEM768 \
        "$(group stock "X25519MLKEM768:X25519:secp256r1")"
else
    echo "# no ML-KEM in this OpenSSL: DEFAULT's X25519MLKEM768 is skipped"
    server stock ""
    expect_group "DEFAULT client, hybrid skipped: X25519" X25519 "$(group o "")"
fi

# The hybrid's classical half is forbidden: the hybrid goes with it.
# A stock peer on < 3.5 does not know the hybrid's name.
hyb=""
[ $have_pq = 1 ] && hyb="X25519MLKEM768:"

tp_setup 'profile = "DEFAULT";
tls = { groups = [ "X25519MLKEM768", "secp256r1" ]; };'
server stock "${hyb}secp256r1"
expect_group "no X25519: client falls back to secp256r1" secp256r1 "$(group o "")"
if [ $have_pq = 1 ]; then
    server o ""
    expect_group "no X25519: server refuses the hybrid share, HRR to secp256r1" secp256r1 \
        "$(group stock "X25519MLKEM768:secp256r1")"
    server o ""
    g=$(group stock "X25519MLKEM768")
    case $g in
    "" | "<NULL>") tp_pass "no X25519: hybrid-only client refused" ;;
    *) tp_fail "no X25519: hybrid-only client still connects ($g)" ;;
    esac
fi

# The policy removes the hybrid: skipped, never offered or accepted.
tp_setup 'profile = "DEFAULT";
tls = { groups = [ "-X25519MLKEM768" ]; };'
server stock "${hyb}X25519"
expect_group "-X25519MLKEM768: client offers X25519" X25519 "$(group o "")"
if [ $have_pq = 1 ]; then
    server o ""
    expect_group "-X25519MLKEM768: server picks X25519" X25519 "$(group stock "X25519MLKEM768:X25519")"
fi

tp_done
