#!/bin/sh
# The main job, live: build tlspolicy, wire the module into a private
# openssl.cnf with the shipped DEFAULT policy, show the effective policy, and
# prove it with real handshakes on 127.0.0.1. Touches nothing under /etc.
# Usage: scripts/demo.sh [BUILDDIR]   (default: build)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-build}
"$top/scripts/deps.sh"
cd "$top"
[ -d "$b" ] || meson setup "$b"
meson compile -C "$b" >/dev/null
case "$b" in /*) bdir=$b ;; *) bdir=$top/$b ;; esac

# The module trusts a policy only if every directory above it is root's alone
# (not /tmp, which anyone can write to): the demo's private tree lives in /run.
work=$(mktemp -d /run/tlspolicy-demo.XXXXXX)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
tp() { "$bdir/tools/tlspolicy" --root "$root" "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    for _ in $(seq 1 100); do
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "server on port $1 did not start" >&2
    return 1
}

# A private root with the shipped default policy.
root=$work/root
mkdir -p "$root/etc/tlspolicy"
cp packaging/policy.conf "$root/etc/tlspolicy/policy.conf"
# The shipped profiles, from a copy in the private tree: a checkout in a
# home directory or under /tmp is not a place the module trusts them from.
mkdir -p "$work/data"
cp -r packaging/profiles packaging/modifiers "$work/data/"
export TLSPOLICY_DATADIR="$work/data"

# The one section from docs/DESIGN.md (Contract: Wiring), in a private openssl.cnf.
cnf=$work/openssl.cnf
cat > "$cnf" <<EOF
openssl_conf = openssl_init
[openssl_init]
tlspolicy = tlspolicy_sect
[tlspolicy_sect]
path = $bdir/provider/tlspolicy.so
policy = $root/etc/tlspolicy/policy.conf
EOF

say "The policy file (shipped default)"
grep -v '^#' "$root/etc/tlspolicy/policy.conf" | grep -v '^$'

say "tlspolicy check"
tp check

say "tlspolicy show (what every program gets)"
tp show

say "Wiring: $cnf"
cat "$cnf"

# Test PKI, made without the policy (stock OpenSSL, no config).
pki=$work/pki
mkdir -p "$pki"
(
    cd "$pki"
    export OPENSSL_CONF=/dev/null
    openssl req -x509 -newkey rsa:2048 -sha256 -days 2 -nodes -subj /CN=demo-ca \
        -keyout ca.key -out ca.pem -addext basicConstraints=critical,CA:true 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout srv.key -out srv.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' > ext
    openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 2 \
        -extfile ext -out srv.pem 2>/dev/null
)

# Two servers without the policy: one stuck on TLS 1.1, one modern.
old_port=$(free_port)
OPENSSL_CONF=/dev/null openssl s_server -quiet -accept "127.0.0.1:$old_port" -tls1_1 \
    -cipher 'ALL:@SECLEVEL=0' -cert "$pki/srv.pem" -key "$pki/srv.key" -www >/dev/null 2>&1 &
pids="$pids $!"
new_port=$(free_port)
OPENSSL_CONF=/dev/null openssl s_server -quiet -accept "127.0.0.1:$new_port" \
    -cert "$pki/srv.pem" -key "$pki/srv.key" -www >/dev/null 2>&1 &
pids="$pids $!"
wait_port "$old_port"
wait_port "$new_port"

say "curl WITHOUT the policy -> TLS 1.1 server (the program asks for TLS 1.1 and SECLEVEL 0)"
OPENSSL_CONF=/dev/null curl -sS -o /dev/null --cacert "$pki/ca.pem" --tlsv1.1 \
    --ciphers 'DEFAULT:@SECLEVEL=0' -w 'connected: HTTP %{http_code}\n' \
    "https://127.0.0.1:$old_port/" || echo "curl exit $?"

say "curl WITH the policy -> same TLS 1.1 server, same flags: refused"
if OPENSSL_CONF=$cnf curl -sS -o /dev/null --cacert "$pki/ca.pem" --tlsv1.1 \
    --ciphers 'DEFAULT:@SECLEVEL=0' "https://127.0.0.1:$old_port/"; then
    echo "NOT REFUSED: the policy did not hold" >&2
    exit 1
else
    echo "refused (curl exit $?), as the policy says: TLS below 1.2 is forbidden"
fi

say "curl WITH the policy -> modern server: allowed"
OPENSSL_CONF=$cnf curl -sS -o /dev/null --cacert "$pki/ca.pem" \
    -w 'connected: HTTP %{http_code}\n' "https://127.0.0.1:$new_port/"

say "openssl s_client WITH the policy -> modern server"
echo | OPENSSL_CONF=$cnf openssl s_client -brief -CAfile "$pki/ca.pem" \
    -connect "127.0.0.1:$new_port" 2>&1 | grep -E 'Protocol version|Ciphersuite|Verification'

say "python3 ssl WITH the policy -> TLS 1.1 server, then modern server"
OPENSSL_CONF=$cnf python3 -W ignore::DeprecationWarning - "$pki/ca.pem" "$old_port" "$new_port" <<'EOF'
import socket, ssl, sys
ca, old, new = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for port in (old, new):
    ctx = ssl.create_default_context(cafile=ca)
    try:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1   # the program asks for less
    except ValueError:
        pass
    try:
        with socket.create_connection(("127.0.0.1", port)) as s:
            with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                print(f"port {port}: connected with {t.version()} {t.cipher()[0]}")
    except (ssl.SSLError, OSError) as e:
        print(f"port {port}: refused: {e}")
EOF

say "GnuTLS: the same policy, as GnuTLS's system configuration (tlspolicy export gnutls)"
mkdir -p "$root/etc/gnutls"
tp export gnutls > "$root/etc/gnutls/config"
grep -E '^(override-mode|disabled-version|min-verification-profile)' "$root/etc/gnutls/config"
if command -v gnutls-cli >/dev/null; then
    say "gnutls-cli WITHOUT it -> TLS 1.1 server (asks for TLS 1.1 itself)"
    GNUTLS_SYSTEM_PRIORITY_FILE=/dev/null gnutls-cli --priority 'NORMAL:+VERS-TLS1.1' \
        --x509cafile "$pki/ca.pem" -p "$old_port" 127.0.0.1 </dev/null 2>&1 \
        | grep -E '^- (Description|Handshake was completed)|^\*\*\*' | head -3 || true
    say "gnutls-cli WITH it -> same server, same priority string: refused"
    if GNUTLS_SYSTEM_PRIORITY_FILE="$root/etc/gnutls/config" gnutls-cli \
        --priority 'NORMAL:+VERS-TLS1.1' --x509cafile "$pki/ca.pem" -p "$old_port" 127.0.0.1 \
        </dev/null >"$work/gnutls.out" 2>&1; then
        echo "NOT REFUSED: the GnuTLS configuration did not hold" >&2
        exit 1
    fi
    grep -E '^\*\*\*' "$work/gnutls.out" | head -2
fi

if "$bdir/tools/tlspolicy" --help | grep -q '^  probe'; then
    say "tlspolicy probe (every floor, tried by live handshakes)"
    tp probe --openssl-conf "$cnf"
fi
say "Done: the policy held."
