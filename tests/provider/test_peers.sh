#!/bin/bash
# test_peers.sh - an independent TLS stack (gnutls-cli) against servers
# under the policy that ask for everything: `openssl s_server` with
# -min_protocol TLSv1 and ALL:@SECLEVEL=0, and nginx with
# `ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; ssl_ciphers ALL:@SECLEVEL=0;`.
# TLS 1.0/1.1, 3DES and SHA-1-only signatures are refused; TLS 1.2 and 1.3
# with allowed suites work. Servers run on free 127.0.0.1 ports and are
# stopped by pid.
. "$(dirname "$0")/lib.sh"

tp_setup 'profile = "DEFAULT";
mode = "enforce";'
cd "$T" || exit 99

if ! command -v gnutls-cli >/dev/null; then
    echo "gnutls-cli not installed: skipped"; exit 77
fi

openssl req -new -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
    -sha256 -days 2 -subj "/CN=localhost" -addext subjectAltName=DNS:localhost \
    > /dev/null 2>&1 || { echo "cannot make a certificate under the policy"; exit 99; }

# gnutls_try NAME want(ok|fail) TEXT PORT PRIORITY
gnutls_try() {
    name=$1; want=$2; text=$3; port=$4; prio=$5
    # gnutls-cli reads the request from stdin; EOF ends the session.
    timeout 20 gnutls-cli --insecure --priority "$prio" -p "$port" 127.0.0.1 \
        < /dev/null > "$T/out" 2>&1
    rc=$?
    if [ "$want" = ok ] && [ $rc -ne 0 ]; then
        tp_fail "$name (gnutls-cli exit $rc, should connect)"
    elif [ "$want" = fail ] && [ $rc -eq 0 ]; then
        tp_fail "$name (connected, should be refused)"
    elif ! grep -qF -- "$text" "$T/out"; then
        tp_fail "$name (no \"$text\" in gnutls-cli output)"
    else
        tp_pass "$name"
    fi
}

# Rows for any server on $1, label $2.
peer_rows() {
    p=$1; who=$2
    gnutls_try "$who: TLS 1.0 refused (protocol_version)" fail "Error in protocol version" \
        "$p" "NORMAL:-VERS-ALL:+VERS-TLS1.0"
    gnutls_try "$who: TLS 1.1 refused (protocol_version)" fail "Error in protocol version" \
        "$p" "NORMAL:-VERS-ALL:+VERS-TLS1.1"
    gnutls_try "$who: 3DES-CBC refused" fail "Received alert [40]" \
        "$p" "NONE:+VERS-TLS1.2:+3DES-CBC:+RSA:+ECDHE-RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+GROUP-ALL"
    gnutls_try "$who: SHA-1-only signatures refused" fail "Received alert [40]" \
        "$p" "NORMAL:-VERS-ALL:+VERS-TLS1.2:-SIGN-ALL:+SIGN-RSA-SHA1"
    gnutls_try "$who: TLS 1.2 ECDHE-RSA AES-128-GCM works" ok "(TLS1.2-X.509)-(ECDHE-SECP256R1)-(RSA-SHA256)-(AES-128-GCM)" \
        "$p" "NONE:+VERS-TLS1.2:+ECDHE-RSA:+AES-128-GCM:+AEAD:+COMP-NULL:+SIGN-RSA-SHA256:+GROUP-SECP256R1"
    gnutls_try "$who: TLS 1.2 default works" ok "(TLS1.2-X.509)" \
        "$p" "NORMAL:-VERS-ALL:+VERS-TLS1.2"
    gnutls_try "$who: TLS 1.3 works" ok "(TLS1.3-X.509)" \
        "$p" "NORMAL:-VERS-ALL:+VERS-TLS1.3"
}

# --- openssl s_server ------------------------------------------------------
port=$(tp_port)
openssl s_server -accept "127.0.0.1:$port" -cert cert.pem -key key.pem \
    -min_protocol TLSv1 -cipher 'ALL:@SECLEVEL=0' -www -quiet \
    > "$T/s_server.log" 2>&1 &
spid=$!
tp_started $spid
if tp_wait_port "$port"; then
    peer_rows "$port" "s_server"
else
    tp_fail "s_server did not start"; cat "$T/s_server.log"
fi
tp_stop $spid

# --- DTLS (openssl on both ends; gnutls-cli's DTLS needs a UDP server) ------
port=$(tp_port)
openssl s_server -dtls -accept "127.0.0.1:$port" -cert cert.pem -key key.pem \
    -min_protocol DTLSv1 -cipher 'ALL:@SECLEVEL=0' -quiet > "$T/dtls.log" 2>&1 &
dpid=$!
tp_started $dpid
sleep 0.5
dtls_try() {
    name=$1; want=$2; text=$3; shift 3
    (sleep 1; echo Q) | timeout 10 openssl s_client "$@" -connect "127.0.0.1:$port" > "$T/out" 2>&1
    if grep -qF -- "$text" "$T/out"; then tp_pass "$name"; else tp_fail "$name (want $want: no \"$text\")"; fi
}
dtls_try "DTLS 1.2 works" ok ", Cipher is ECDHE-RSA-AES256-GCM-SHA384" -dtls1_2
# The policy's security callback leaves no DTLS version to offer (without
# it, 3.0 fails later: the MD5-SHA1 digest is withheld).
dtls_try "DTLS 1.0 refused (no protocols available)" fail "no protocols available" -dtls1
tp_stop $dpid

# --- nginx -----------------------------------------------------------------
if command -v nginx >/dev/null; then
    port=$(tp_port)
    mkdir -p "$T/nginx/tmp"
    # nginx reads openssl.cnf in the master (OPENSSL_init_ssl), before it
    # forks; `env` keeps the variables for workers, which it otherwise clears.
    cat > "$T/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log info;
env OPENSSL_CONF;
env TLSPOLICY_CONF;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $T/nginx/tmp/body;
    proxy_temp_path $T/nginx/tmp/proxy;
    fastcgi_temp_path $T/nginx/tmp/fastcgi;
    uwsgi_temp_path $T/nginx/tmp/uwsgi;
    scgi_temp_path $T/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $T/cert.pem;
        ssl_certificate_key $T/key.pem;
        ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
        ssl_ciphers ALL:@SECLEVEL=0;
        location / { return 200 "hello\n"; }
    }
}
EOF
    nginx -p "$T/nginx/" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" &
    npid=$!
    tp_started $npid
    if tp_wait_port "$port"; then
        peer_rows "$port" "nginx"
        if curl -sk "https://127.0.0.1:$port/" | grep -q hello; then
            tp_pass "nginx: curl over TLS under the policy"
        else
            tp_fail "nginx: curl over TLS under the policy"
        fi
    else
        tp_fail "nginx did not start"; cat "$T/nginx/error.log"
    fi
    tp_stop $npid
else
    echo "nginx not installed: nginx rows skipped"
fi

tp_done
