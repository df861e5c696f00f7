#!/bin/sh
# Install what tlspolicy needs to build and test on Debian 12 (or newer).
# Needs root (apt-get); does nothing else to the system.
set -eu
pkgs="meson ninja-build pkg-config gcc libc6-dev libssl-dev openssl libconfig-dev
      libcmocka-dev python3 curl gnutls-bin nginx-light valgrind mandoc wget git
      make perl clang libclang-rt-14-dev strace testssl.sh"
# make, perl: scripts/openssl35.sh builds OpenSSL 3.5; clang,
# libclang-rt-14-dev: libFuzzer (scripts/test-sanitize.sh)
# strace: tests/hardening fips_props reads the module's syslog datagram
# testssl.sh: an independent scanner (tests/provider/test_testssl.sh)
# wget, git: GnuTLS programs (tests/gnutls)
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing packages:$missing (run as root, or install them)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# nginx-light's postinst would start a system nginx on port 80: tests run
# their own, so keep services from starting while we install.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -q --no-install-recommends $missing
