#!/bin/bash
# test_python.sh - a TLS 1.3-only policy holds for Python's ssl, which sets
# a minimum of TLS 1.2 on every context it creates (so the defaults layer
# alone cannot lift it): the policy's security callback refuses TLS 1.2
# with a clean protocol_version alert (the provider's backstop would end it
# in internal_error).
. "$(dirname "$0")/lib.sh"

tp_setup 'profile = "DEFAULT:TLS13-ONLY";
mode = "enforce";'
cd "$T" || exit 99
command -v python3 > /dev/null || { echo "python3 not installed: skipped"; exit 77; }

# The server is a stock OpenSSL (no configuration): an old or new peer.
: > "$T/stock.cnf"
OPENSSL_CONF="$T/stock.cnf" openssl req -new -x509 -newkey rsa:2048 -nodes \
    -keyout key.pem -out cert.pem -sha256 -days 2 -subj "/CN=localhost" > /dev/null 2>&1 \
    || exit 99

cat > client.py <<'EOF'
import socket, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
print("python minimum_version:", ctx.minimum_version.name)
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
        with ctx.wrap_socket(s) as t:
            print("negotiated:", t.version())
except (ssl.SSLError, OSError) as e:
    print("refused:", e)
    sys.exit(1)
EOF

# stock_server PORT ARGS...: an openssl s_server outside the policy.
stock_server() {
    port=$1; shift
    OPENSSL_CONF="$T/stock.cnf" openssl s_server -accept "127.0.0.1:$port" \
        -cert cert.pem -key key.pem -www -quiet "$@" > "$T/server.log" 2>&1 &
    spid=$!
    tp_started $spid
    tp_wait_port "$port"
}

port=$(tp_port)
stock_server "$port"
expect_out "python: TLS 1.3 server works, TLS 1.3 negotiated" "negotiated: TLSv1.3" \
    python3 client.py "$port"
expect_out "python still sets a TLS 1.2 minimum (the defaults layer cannot lift it)" \
    "python minimum_version: TLSv1_2" python3 client.py "$port"
tp_stop $spid

port=$(tp_port)
stock_server "$port" -tls1_2
# The client offers TLS 1.3 only, and the 1.2-only server answers with
# alert 70 (protocol_version): a clean refusal, not internal_error.
expect_fail "python: TLS 1.2-only server refused with protocol_version" \
    "refused: [SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version" \
    python3 client.py "$port"
tp_stop $spid

# Application rules bind the same way: TLS 1.3 only for python3 alone.
tp_setup 'profile = "DEFAULT";
mode = "enforce";
applications = (
    { match = "python3*"; tls = { min_version = "TLSv1.3"; }; }
);'
port=$(tp_port)
stock_server "$port" -tls1_2
expect_fail "app rule: python3 refused by a TLS 1.2-only server (protocol_version)" \
    "refused: [SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version" \
    python3 client.py "$port"
expect_out "app rule: openssl s_client, same policy, connects with TLS 1.2" \
    "Protocol  : TLSv1.2" sh -c "echo | openssl s_client -connect 127.0.0.1:$port 2>&1"
tp_stop $spid

tp_done
