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
"$top/scripts/test.sh" "$b"
"$top/scripts/test-sanitize.sh" "$b"
exec "$top/scripts/test-35.sh" "$b-35"
