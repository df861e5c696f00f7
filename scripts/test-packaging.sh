#!/bin/sh
# The packaging tests, as root: build the .deb (twice: a version and a newer
# rebuild) and the .rpm, lint the .deb, then install/enable/upgrade/remove/
# purge the .deb in an isolated Debian 12 root (tests/packaging/test_deb.sh;
# the debootstrap is cached in /var/cache/tlspolicy/bookworm-minbase).
# Usage: scripts/test-packaging.sh [OUTDIR]   (default: build-packaging)
# Takes about 2 minutes with the cache, 5 without (2 cores).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$top/build-packaging}")
"$top/scripts/deps.sh"
pkgs="debhelper dpkg-dev lintian rpm debootstrap strace"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
t0=$(date +%s)
rm -rf "$out"
mkdir -p "$out"
ver=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)
"$top/packaging/build-deb.sh" "$out/deb" > "$out/build-deb.log" 2>&1 ||
    { tail -40 "$out/build-deb.log"; exit 1; }
"$top/packaging/build-deb.sh" "$out/deb-new" "$ver+test1" > "$out/build-deb-new.log" 2>&1 ||
    { tail -40 "$out/build-deb-new.log"; exit 1; }
echo "debs built in $(( $(date +%s) - t0 ))s"
# lintian: errors fail, everything else is shown
lintian --fail-on error --display-info --pedantic "$out"/deb/tlspolicy_*.changes 2>&1 |
    grep -v 'running with root privileges' || true
lintian --fail-on error "$out"/deb/tlspolicy_*.changes >/dev/null 2>&1 ||
    { echo "lintian reports errors"; exit 1; }
echo "lintian: no errors"
rpmspec -P "$top/packaging/rpm/tlspolicy.spec" >/dev/null
"$top/packaging/build-rpm.sh" "$out/rpm" > "$out/build-rpm.log" 2>&1 ||
    { tail -40 "$out/build-rpm.log"; exit 1; }
echo "rpm built: $(find "$out/rpm" -name '*.rpm' -printf '%f ')"
sh "$top/tests/packaging/test_rpm_order.sh" "$(find "$out/rpm" -name 'tlspolicy-*.rpm' | head -1)"
TLSPOLICY_TEST_PACKAGING=1 \
TLSPOLICY_DEBS="$(ls "$out"/deb/tlspolicy_*.deb) $(ls "$out"/deb-new/tlspolicy_*.deb)" \
    sh "$top/tests/packaging/test_deb.sh" "$top"
echo "packaging tests passed in $(( $(date +%s) - t0 ))s"
