#!/bin/sh
# The .rpm never lets a file name a missing module: installed into a scratch
# rpm --root (not the host's), the module must be renamed into place before
# the snippet the drop-in includes, and on erase the snippet unlinked before
# the module. Order read from strace. Usage: test_rpm_order.sh RPM  (as root)
set -eu
rpmfile=$(realpath "$1")
for t in rpm strace; do command -v $t >/dev/null || { echo "skip: $t missing"; exit 77; }; done
work=$(mktemp -d /var/tmp/tlspolicy-rpmtest.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"
rpm --root "$root" --initdb
strace -f -o "$work/i.trace" -e trace=renameat,renameat2,rename \
    rpm --root "$root" --nodeps -i "$rpmfile" 2>/dev/null
strace -f -o "$work/e.trace" -e trace=unlinkat,unlink \
    rpm --root "$root" --nodeps -e tlspolicy 2>/dev/null
line() { grep -n "$2" "$1" | head -1 | cut -d: -f1; }
so_i=$(line "$work/i.trace" '"tlspolicy.so")')
sn_i=$(line "$work/i.trace" '"openssl-tlspolicy.cnf")')
sn_e=$(line "$work/e.trace" '"openssl-tlspolicy.cnf"')
so_e=$(line "$work/e.trace" '"tlspolicy.so"')
di_e=$(line "$work/e.trace" '"tlspolicy.conf"')
echo "install: module at trace line $so_i, snippet at $sn_i; erase: snippet $sn_e, module $so_e, drop-in $di_e"
[ -n "$so_i" ] && [ -n "$sn_i" ] && [ "$so_i" -lt "$sn_i" ] || { echo "FAIL: install order"; exit 1; }
[ -n "$sn_e" ] && [ -n "$so_e" ] && [ "$sn_e" -lt "$so_e" ] || { echo "FAIL: erase order"; exit 1; }
grep -qx '\.include /usr/share/tlspolicy/openssl-tlspolicy.cnf' \
    "$(rpm2archive -n < "$rpmfile" | tar -x -C "$work" ./etc/pki/tls/openssl.d/tlspolicy.conf && echo "$work/etc/pki/tls/openssl.d/tlspolicy.conf")" ||
    { echo "FAIL: the drop-in does not include the snippet"; exit 1; }
grep -A1 -x '\[default\]' "$work/etc/pki/tls/openssl.d/tlspolicy.conf" | grep -qx 'nodejs_conf = openssl_init' ||
    { echo "FAIL: the drop-in does not point nodejs_conf at [openssl_init]"; exit 1; }
echo "PASS"
