#!/bin/sh
# Build tlspolicy against OpenSSL 3.5 (Debian 13's source, built once into a
# cached private prefix by scripts/openssl35.sh) and run every test there:
# the tests then run 3.5's `openssl` and libraries (tests/meson.build).
# Usage: scripts/test-35.sh [BUILDDIR]   (default: build-35)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-build-35}
"$top/scripts/deps.sh"
prefix=$("$top/scripts/openssl35.sh" | tail -n 1)
cd "$top"
if [ ! -d "$b" ]; then
    meson setup "$b" -Dwerror=true -Dpkg_config_path="$prefix/lib/pkgconfig"
else
    meson configure "$b" -Dwerror=true -Dpkg_config_path="$prefix/lib/pkgconfig" >/dev/null
fi
meson compile -C "$b"
meson test -C "$b" --print-errorlogs --num-processes 2
