# lib.sh - shared by the provider's shell tests (sourced, not run).
#
# tp_setup POLICY_TEXT: a private directory $T with policy.conf and an
# openssl.cnf wired as docs/DESIGN.md's Contract says; exports OPENSSL_CONF.
# Every process a test starts is recorded with tp_started PID and stopped
# by pid on exit. The host's openssl.cnf and /etc are never touched.

set -u

: "${TLSPOLICY_SO:?TLSPOLICY_SO must name the built tlspolicy.so}"

T=$(mktemp -d "${TMPDIR:-/tmp}/tpt.XXXXXX")
TP_PIDS=""
TP_FAILED=0
TP_COUNT=0

# Stop a recorded process and its children, by pid: `f args &` for a shell
# function f records the subshell, whose child is the real server.
tp_kill() {
    pkill -P "$1" 2>/dev/null
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

tp_cleanup() {
    for pid in $TP_PIDS; do
        tp_kill "$pid"
    done
    [ -n "${TPT_KEEP:-}" ] || rm -rf "$T"
}
trap tp_cleanup EXIT

tp_started() { TP_PIDS="$TP_PIDS $1"; }

tp_stop() {
    tp_kill "$1"
    TP_PIDS=$(echo " $TP_PIDS " | sed "s/ $1 / /")
}

tp_setup() {
    printf '%s\n' "$1" > "$T/policy.conf"
    {
        echo "openssl_conf = openssl_init"
        echo "[openssl_init]"
        case "${TPT_WIRING:-contract}" in
        provider|both) echo "providers = provider_sect" ;;
        esac
        case "${TPT_WIRING:-contract}" in
        contract|both) echo "tlspolicy = tlspolicy_sect" ;;
        esac
        echo "[provider_sect]"
        echo "tlspolicy = tp_prov_sect"
        echo "[tp_prov_sect]"
        echo "module = $TLSPOLICY_SO"
        echo "activate = 1"
        echo "[tlspolicy_sect]"
        echo "path = $TLSPOLICY_SO"
        echo "policy = $T/policy.conf"
    } > "$T/openssl.cnf"
    export OPENSSL_CONF="$T/openssl.cnf"
    export TLSPOLICY_CONF="$T/policy.conf"
}

# A free TCP port on 127.0.0.1.
tp_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Wait until something listens on 127.0.0.1:$1 (at most ~10 s).
tp_wait_port() {
    for _ in $(seq 100); do
        if python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    return 1
}

tp_pass() {
    TP_COUNT=$((TP_COUNT + 1)); echo "ok   $1"
    if [ -n "${TPT_VERBOSE:-}" ] && [ -f "$T/out" ]; then grep -E "Fatal|alert|Description|error" "$T/out" | sed "s/^/     | /" | head -5; fi
}
tp_fail() {
    TP_COUNT=$((TP_COUNT + 1)); TP_FAILED=$((TP_FAILED + 1))
    echo "FAIL $1"
    [ -f "$T/out" ] && sed 's/^/     | /' "$T/out" | head -20
}

# expect_ok NAME CMD...: the command succeeds.
expect_ok() {
    name=$1; shift
    if "$@" > "$T/out" 2>&1; then tp_pass "$name"; else tp_fail "$name (exit $?)"; fi
}

# expect_fail NAME TEXT CMD...: the command fails and its output has TEXT.
expect_fail() {
    name=$1; text=$2; shift 2
    if "$@" > "$T/out" 2>&1; then
        tp_fail "$name (succeeded, should fail)"
    elif grep -qF -- "$text" "$T/out"; then
        tp_pass "$name"
    else
        tp_fail "$name (no \"$text\" in output)"
    fi
}

# expect_out NAME TEXT CMD...: the command succeeds and prints TEXT.
expect_out() {
    name=$1; text=$2; shift 2
    if ! "$@" > "$T/out" 2>&1; then
        tp_fail "$name (exit $?)"
    elif grep -qF -- "$text" "$T/out"; then
        tp_pass "$name"
    else
        tp_fail "$name (no \"$text\" in output)"
    fi
}

tp_done() {
    echo "# $TP_COUNT checks, $TP_FAILED failed"
    [ "$TP_FAILED" -eq 0 ]
}
