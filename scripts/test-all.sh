#!/bin/sh
# Every test, as CI runs them on a fresh Debian 12 machine:
#   1. scripts/test.sh           deps, -Werror build, `meson test` (OpenSSL 3.0)
#   2. scripts/test-sanitize.sh  ASan+UBSan, valgrind, ThreadSanitizer, libFuzzer
#   3. scripts/test-35.sh        the same suite against OpenSSL 3.5, built once
#                                from Debian 13's source into /var/cache/tlspolicy
# The packaging test (debootstrap, ~6 minutes) is separate:
# scripts/test-packaging.sh.
# Usage: scripts/test-all.sh [BUILDDIR]   (default: build-test)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-build-test}
# The module trusts a policy or profile only below directories that are
# root's alone. A checkout under /tmp or in a home directory is not: the
# tests would read every test policy and the shipped profiles from there and
# be refused. Run from a copy of the tree in /var/cache/tlspolicy instead.
if [ -z "${TP_TRUSTED_COPY:-}" ] && ! sh "$top/scripts/trusted-dir.sh" "$top"; then
    dest=/var/cache/tlspolicy/checkout
    echo "test-all.sh: $top is below a directory that is not root's alone; running from a copy in $dest" >&2
    rm -rf "$dest"
    mkdir -p -m 0755 /var/cache/tlspolicy "$dest"
    (cd "$top" && git ls-files -z --cached --others --exclude-standard \
        | tar --null --ignore-failed-read -T - -cf -) | tar -C "$dest" --no-same-owner --no-same-permissions -xf -
    TP_TRUSTED_COPY=1 exec sh "$dest/scripts/test-all.sh" "$@"
fi
"$top/scripts/test.sh" "$b"
"$top/scripts/test-sanitize.sh" "$b"
exec "$top/scripts/test-35.sh" "$b-35"
