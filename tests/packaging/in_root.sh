#!/bin/sh
# Runs inside the isolated root (tests/packaging/test_deb.sh): every step on
# the root's own /etc. Servers on 127.0.0.1, stopped by pid.
set -eu
cnf=/etc/ssl/openssl.cnf
so=/usr/lib/x86_64-linux-gnu/ossl-modules/tlspolicy.so
snippet=/usr/share/tlspolicy/openssl-tlspolicy.cnf
pids=""
fail() {
    echo "FAIL: $*"
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    exit 1
}
ok() { echo "ok: $*"; }
step() { echo "== $*"; }

freeport() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# A server that is not subject to the policy (its own OPENSSL_CONF).
start_server() { # VERSION-FLAG -> sets $port, adds pid
    port=$(freeport)
    OPENSSL_CONF=/dev/null openssl s_server -accept "127.0.0.1:$port" -cert /tmp/cert.pem \
        -key /tmp/key.pem "$1" -www -quiet >/dev/null 2>&1 &
    pids="$pids $!"
    i=0
    until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).close()" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 100 ] || fail "server $1 did not start"; sleep 0.1
    done
}
curl_to() { curl -sS --max-time 10 --cacert /tmp/cert.pem -o /dev/null "https://127.0.0.1:$1/" 2>/tmp/curl.err; }
py_to() {
    python3 - "$1" 2>/tmp/py.err <<'PY'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile="/tmp/cert.pem")
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10) as s:
    with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
        print(t.version())
PY
}
expect_open() { # what, then both curl and python connect to $1 (port)
    curl_to "$2" || fail "$1: curl refused: $(cat /tmp/curl.err)"
    py_to "$2" >/dev/null || fail "$1: python3 refused: $(tail -1 /tmp/py.err)"
    ok "$1: curl and python3 connect"
}
expect_refused() {
    if curl_to "$2"; then fail "$1: curl connected"; fi
    if py_to "$2" >/dev/null; then fail "$1: python3 connected"; fi
    ok "$1: curl and python3 refused ($(head -c 80 /tmp/curl.err))"
}
watch_start() { # records any moment the snippet exists but the module does not
    rm -f /tmp/watch.stop /tmp/watch.missing /tmp/watch.n
    (
        n=0
        while [ ! -e /tmp/watch.stop ]; do
            if [ -e "$snippet" ] && [ ! -e "$so" ]; then echo x >> /tmp/watch.missing; fi
            n=$((n + 1))
        done
        echo $n > /tmp/watch.n
    ) &
    watch_pid=$!
}
watch_stop() {
    touch /tmp/watch.stop
    wait "$watch_pid"
    [ ! -e /tmp/watch.missing ] ||
        fail "$1: $(wc -l < /tmp/watch.missing) checks saw the snippet naming a missing module"
    ok "$1: module present whenever the snippet was ($(cat /tmp/watch.n) checks)"
}

step "setup"
OPENSSL_CONF=/dev/null openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout /tmp/key.pem -out /tmp/cert.pem -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 2>/dev/null
cp "$cnf" /tmp/openssl.cnf.orig
start_server -tls1_2; p12=$port
start_server -tls1_3; p13=$port
expect_open "no package, TLS 1.2 server" "$p12"

step "install"
dpkg -i /tmp/old.deb </dev/null >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; fail "dpkg -i"; }
for s in preinst postinst prerm postrm; do
    [ ! -e /var/lib/dpkg/info/tlspolicy.$s ] || fail "the package has a $s script"
done
ok "no maintainer scripts"
cmp -s "$cnf" /tmp/openssl.cnf.orig || fail "installing changed openssl.cnf"
ok "installing leaves openssl.cnf alone"
[ -f "$so" ] && [ -e "$snippet" ] && [ -e /etc/tlspolicy/policy.conf ] || fail "files missing"
grep -qx /etc/tlspolicy/policy.conf /var/lib/dpkg/info/tlspolicy.conffiles || fail "policy.conf not a conffile"
! grep -q /usr/share /var/lib/dpkg/info/tlspolicy.conffiles || fail "snippet is a conffile"
expect_open "installed, not enabled" "$p12"

step "enable"
tlspolicy enable || fail "enable"
tail -2 "$cnf"
tlspolicy enable | grep -q "already enabled" || fail "second enable not idempotent"
[ "$(grep -c '^\.include' "$cnf")" = 1 ] || fail "not exactly one .include"
cmp -s "$cnf.tlspolicy-bak" /tmp/openssl.cnf.orig || fail "backup differs"
openssl version >/dev/null || fail "openssl version after enable"
openssl list -providers | grep -q tlspolicy || fail "openssl does not load the provider"
ok "openssl loads the tlspolicy provider"
tlspolicy status > /tmp/status.out 2>&1 || { cat /tmp/status.out; fail "status"; }
ok "status: $(grep -c '^ok' /tmp/status.out) ok lines"
tlspolicy probe > /tmp/probe.out 2>&1 || { cat /tmp/probe.out; fail "probe"; }
ok "probe: exit 0"

step "policy TLS 1.3 only"
tlspolicy set DEFAULT:TLS13-ONLY >/dev/null || fail "set"
expect_refused "enabled, TLS13-ONLY, TLS 1.2 server" "$p12"
expect_open "enabled, TLS13-ONLY, TLS 1.3 server" "$p13"
v=$(py_to "$p13"); [ "$v" = TLSv1.3 ] || fail "python3 negotiated $v"
if curl -sS --max-time 10 --cacert /tmp/cert.pem --tlsv1.2 --tls-max 1.2 -o /dev/null \
    "https://127.0.0.1:$p13/" 2>/dev/null; then fail "curl --tls-max 1.2 connected"; fi
ok "curl asking for TLS 1.2 explicitly is refused"
cp /etc/tlspolicy/policy.conf /tmp/policy.edited

step "upgrade"
watch_start
dpkg -i /tmp/new.deb </dev/null >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; fail "upgrade"; }
watch_stop upgrade
echo "  $(dpkg-query -W tlspolicy)"
cmp -s /etc/tlspolicy/policy.conf /tmp/policy.edited || fail "upgrade lost the edited policy.conf"
ok "edited policy.conf kept"
grep -q "^\.include $snippet" "$cnf" || fail "upgrade changed the wiring"
expect_refused "upgraded, TLS 1.2 server" "$p12"
tlspolicy status >/dev/null 2>&1 || fail "status after upgrade"

step "remove without disable"
watch_start
dpkg -r tlspolicy </dev/null >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; fail "remove"; }
watch_stop remove
[ ! -e "$so" ] && [ ! -e "$snippet" ] || fail "files left"
openssl version >/dev/null || fail "openssl version after remove"
sed '1i config_diagnostics = 1' "$cnf" > /tmp/diag.cnf
OPENSSL_CONF=/tmp/diag.cnf openssl version >/dev/null 2>/tmp/diag.err ||
    fail "the inert .include breaks openssl with config_diagnostics = 1: $(cat /tmp/diag.err)"
ok "openssl version works, even with config_diagnostics = 1 (missing .include is no error)"
expect_open "removed, TLS 1.2 server" "$p12"
[ -e /etc/tlspolicy/policy.conf ] || fail "remove (not purge) deleted the conffile"

step "reinstall, disable, purge"
dpkg -i /tmp/new.deb </dev/null >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; fail "reinstall"; }
expect_refused "reinstalled (the .include was still there)" "$p12"
tlspolicy disable || fail "disable"
cmp -s "$cnf" /tmp/openssl.cnf.orig || fail "disable did not restore openssl.cnf byte for byte"
ok "openssl.cnf restored byte for byte"
[ ! -e "$cnf.tlspolicy-bak" ] || fail "backup left"
expect_open "disabled, TLS 1.2 server" "$p12"
dpkg -P tlspolicy </dev/null >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; fail "purge"; }
[ ! -e /etc/tlspolicy ] || fail "purge left /etc/tlspolicy"
cmp -s "$cnf" /tmp/openssl.cnf.orig || fail "openssl.cnf changed"
openssl version >/dev/null || fail "openssl version after purge"
expect_open "purged, TLS 1.2 server" "$p12"
expect_open "purged, TLS 1.3 server" "$p13"

for p in $pids; do kill "$p"; wait "$p" 2>/dev/null || true; done
echo "PASS"
