#!/bin/sh
# The .deb in an isolated Debian 12 root: install, enable, the policy in curl
# and python3, status and probe, upgrade to a rebuilt newer version (an
# edited policy.conf kept; the module never missing while openssl.cnf names
# it), remove without disable, reinstall, disable, purge.
#
# Usage: test_deb.sh SOURCE_DIR            (as root)
# Skips (77) unless TLSPOLICY_TEST_PACKAGING=1: it takes minutes.
# The root is a copy of a debootstrap --variant=minbase bookworm cached in
# /var/cache/tlspolicy/bookworm-minbase (made on the first run, from the
# Debian archive: about 3 minutes). Everything runs in a private mount
# namespace (unshare -m) with the copy as its root: the host's /etc is never
# written. Servers listen on 127.0.0.1 only and are stopped by pid.
# Env: TLSPOLICY_DEBS="OLD.deb NEW.deb" skips the two package builds.
set -eu
src=$(cd "${1:?usage: test_deb.sh SOURCE_DIR}" && pwd)
if [ "${TLSPOLICY_TEST_PACKAGING:-0}" != 1 ]; then
    echo "skip: set TLSPOLICY_TEST_PACKAGING=1 to run (minutes; needs root and the Debian archive)"
    exit 77
fi
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
for t in debootstrap dpkg-buildpackage unshare chroot; do
    command -v $t >/dev/null || { echo "skip: $t missing"; exit 77; }
done

cache=/var/cache/tlspolicy
base=$cache/bookworm-minbase
mirror=${TLSPOLICY_MIRROR:-http://deb.debian.org/debian}
t0=$(date +%s)
say() { echo "[$(( $(date +%s) - t0 ))s] $*"; }

if [ ! -e "$base/.tlspolicy-complete" ]; then
    say "debootstrap bookworm minbase into $base (cached for later runs)"
    rm -rf "$base.tmp"
    mkdir -p "$cache"
    debootstrap --variant=minbase --include=openssl,curl,python3,ca-certificates,libconfig9 \
        bookworm "$base.tmp" "$mirror"
    chroot "$base.tmp" apt-get clean
    rm -rf "$base"
    mv "$base.tmp" "$base"
    touch "$base/.tlspolicy-complete"
    say "debootstrap done"
fi

if [ ! -e "$base/.tlspolicy-security" ]; then
    # debootstrap takes the point release; the host has the security updates
    # (OpenSSL 3.0.22 in bookworm-security): so should the test root.
    say "bookworm-security updates into the cached root"
    secmirror=${TLSPOLICY_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
    echo "deb $secmirror bookworm-security main" > "$base/etc/apt/sources.list.d/security.list"
    unshare --mount --propagation private sh -c '
        mount -t proc proc "$1/proc" &&
        chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
            sh -c "apt-get update -q && apt-get -y -q upgrade && apt-get clean"
    ' sh "$base"
    touch "$base/.tlspolicy-security"
fi

work=$(mktemp -d /var/tmp/tlspolicy-pkgtest.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

if [ -n "${TLSPOLICY_DEBS:-}" ]; then
    set -- $TLSPOLICY_DEBS
    old=$1 new=$2
else
    say "building the .deb twice (0.1.0 from HEAD, and a newer rebuild)"
    "$src/packaging/build-deb.sh" "$work/deb-old" > "$work/build-old.log" 2>&1 ||
        { tail -30 "$work/build-old.log"; exit 1; }
    ver=$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)
    "$src/packaging/build-deb.sh" "$work/deb-new" "$ver+test1" > "$work/build-new.log" 2>&1 ||
        { tail -30 "$work/build-new.log"; exit 1; }
    old=$(ls "$work"/deb-old/tlspolicy_*.deb)
    new=$(ls "$work"/deb-new/tlspolicy_*.deb)
fi

say "copying the root"
root=$work/root
cp -a "$base" "$root"
cp "$old" "$root/tmp/old.deb"
cp "$new" "$root/tmp/new.deb"
cp "$src/tests/packaging/in_root.sh" "$root/tmp/in_root.sh"

say "running the steps inside the root (private mount namespace)"
# Every rename and unlink, for check_order.py: the shell watcher in
# in_root.sh samples; the trace sees each step dpkg takes.
tracer=""
if command -v strace >/dev/null; then
    tracer="strace -f -qq -o $work/trace -e trace=rename,renameat,renameat2,unlink,unlinkat"
else
    say "strace missing: only the sampling watcher checks the order"
fi
rc=0
$tracer unshare --mount --propagation private sh -c '
    set -e
    root=$1
    mount -t proc proc "$root/proc"
    mount -t tmpfs tmpfs "$root/dev/shm"
    exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LANG=C.UTF-8 /bin/sh /tmp/in_root.sh
' sh "$root" || rc=$?
if [ $rc -eq 0 ] && [ -n "$tracer" ]; then
    python3 "$src/tests/packaging/check_order.py" "$work/trace" || rc=1
fi
say "done: exit $rc"
exit $rc
