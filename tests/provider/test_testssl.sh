#!/bin/bash
# test_testssl.sh - an independent scanner (testssl.sh) against nginx asking
# for everything (TLSv1 to TLSv1.3, ALL:@SECLEVEL=0, a group list with a
# group the policies leave out), under DEFAULT, DEFAULT:NO-CBC and FUTURE.
# The protocols, suites and groups testssl reports offered must be a subset
# of what `tlspolicy show --json` lists for nginx; nginx must start although
# its group list names brainpoolP256r1. The three scans run side by side
# (testssl mostly waits): about a minute in all.
. "$(dirname "$0")/lib.sh"

if ! command -v testssl > /dev/null; then
    # CI installs it (scripts/deps.sh): there, a missing scanner fails.
    [ -n "${CI:-}" ] && { echo "testssl not installed"; exit 1; }
    echo "testssl not installed: skipped"; exit 77
fi
command -v nginx > /dev/null || { echo "nginx not installed: skipped"; exit 77; }
: "${TLSPOLICY_CLI:?TLSPOLICY_CLI must name the built tlspolicy}"

tp_setup 'profile = "DEFAULT";'
cd "$T" || exit 99
: > "$T/stock.cnf"
# RSA-3072: FUTURE's floor; the others accept it too.
OPENSSL_CONF="$T/stock.cnf" openssl req -new -x509 -newkey rsa:3072 -nodes \
    -keyout key.pem -out cert.pem -sha256 -days 2 -subj "/CN=localhost" > /dev/null 2>&1 \
    || exit 99

# start_nginx NAME PROFILE: nginx under PROFILE, in $T/NAME; sets port_NAME.
start_nginx() {
    name=$1; d="$T/$name"; port=$(tp_port)
    mkdir -p "$d/tmp"
    printf 'profile = "%s";\n' "$2" > "$d/policy.conf"
    sed "s#^policy = .*#policy = $d/policy.conf#" "$T/openssl.cnf" > "$d/openssl.cnf"
    cat > "$d/nginx.conf" <<NGX
daemon off;
master_process on;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log info;
env OPENSSL_CONF;
env TLSPOLICY_CONF;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $T/cert.pem;
        ssl_certificate_key $T/key.pem;
        ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
        ssl_ciphers ALL:@SECLEVEL=0;
        ssl_ecdh_curve X25519:secp256r1:brainpoolP256r1;
        location / { return 200 "hello\n"; }
    }
}
NGX
    OPENSSL_CONF="$d/openssl.cnf" TLSPOLICY_CONF="$d/policy.conf" \
        nginx -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" &
    tp_started $!
    eval "port_$name=$port"
    tp_wait_port "$port" || return 1
    : > "$d/started"
    "$TLSPOLICY_CLI" show --json --policy "$d/policy.conf" --app nginx > "$d/show.json"
}

# The scanner is a stock client: no policy in its process.
scan() {
    d="$T/$1"
    OPENSSL_CONF="$T/stock.cnf" testssl --quiet --color 0 --warnings off --ip one \
        --jsonfile "$d/testssl.json" -p -e --fs "127.0.0.1:$2" > "$d/testssl.out" 2>&1
}

names="default nocbc future"
start_nginx default "DEFAULT"
start_nginx nocbc "DEFAULT:NO-CBC"
start_nginx future "FUTURE"
# nginx runs in this shell (tp_started records it); the scans side by side.
spids=""
for name in $names; do
    [ -f "$T/$name/started" ] || continue
    eval "scan $name \$port_$name" &
    spids="$spids $!"
done
[ -z "$spids" ] || wait $spids

for name in $names; do
    d="$T/$name"
    if [ -f "$d/started" ]; then
        tp_pass "$name: nginx starts with brainpoolP256r1 in ssl_ecdh_curve"
    else
        cp "$d/error.log" "$T/out"; tp_fail "$name: nginx starts with brainpoolP256r1 in ssl_ecdh_curve"
        continue
    fi
    if [ ! -s "$d/testssl.json" ] || [ ! -s "$d/show.json" ]; then
        cat "$d/testssl.out" > "$T/out" 2>/dev/null
        tp_fail "$name: nginx scanned, policy shown"
        continue
    fi
    if python3 - "$d/testssl.json" "$d/show.json" > "$T/out" 2>&1 <<'PY'
import json, sys
scan = json.load(open(sys.argv[1]))
show = json.load(open(sys.argv[2]))
ossl = show["openssl"]
bad = []

# Protocols: testssl ids -> wire order.
order = ["SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3"]
tp = {"TLSv1": "TLS1", "TLSv1.0": "TLS1", "TLSv1.1": "TLS1_1", "TLSv1.2": "TLS1_2",
      "TLSv1.3": "TLS1_3"}
lo = order.index(tp[show["tls"]["min_version"]])
hi = order.index(tp[show["tls"]["max_version"]])
offered = [e["id"] for e in scan if e["id"] in order and e["finding"].startswith("offered")]
for v in offered:
    if not lo <= order.index(v) <= hi:
        bad.append("protocol %s offered, policy allows %s..%s" % (v, order[lo], order[hi]))

# Suites: the second column of each cipher_x line is OpenSSL's name.
allowed = set(t for t in ossl["CipherString"].split(":") if not t.startswith("@"))
allowed |= set(ossl["Ciphersuites"].split(":"))
suites = [e["finding"].split()[1] for e in scan if e["id"].startswith("cipher_x")]
for s in suites:
    if s not in allowed:
        bad.append("suite %s offered, not in the policy" % s)

# Groups: OpenSSL's curve names as testssl prints them.
alias = {"prime256v1": "secp256r1"}
groups = set(g.lower() for g in ossl["Groups"].split(":"))
curves = []
for e in scan:
    if e["id"] in ("PFS_ECDHE_curves", "FS_ECDHE_curves", "DH_groups", "PFS_DH_groups"):
        curves += e["finding"].split()
for c in curves:
    if alias.get(c, c).lower() not in groups:
        bad.append("group %s offered, not in the policy" % c)

print("offered: protocols %s; %d suites; groups %s" % (" ".join(offered), len(suites),
                                                         " ".join(curves)))
# Something must have been seen, or the comparison proves nothing.
if not offered or not suites or not curves:
    bad.append("the scan saw no protocol, suite or group")
for b in bad:
    print("NOT A SUBSET:", b)
sys.exit(1 if bad else 0)
PY
    then
        tp_pass "$name: testssl's offered protocols, suites and groups are in the policy ($(head -1 "$T/out"))"
    else
        tp_fail "$name: testssl's offered protocols, suites and groups are in the policy"
    fi
done
tp_done
