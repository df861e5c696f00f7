#!/bin/sh
# Set up and run every test: install dependencies, build with -Werror, run
# `meson test`. Usage: scripts/test.sh [BUILDDIR]   (default: build-test)
# TLSPOLICY_TEST_PACKAGING=1 adds the slow packaging suite (the .deb in a
# debootstrap root; see scripts/test-packaging.sh), skipped otherwise.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-build-test}
"$top/scripts/deps.sh"
# Debian's node 18 for tests/node (cached; its cases skip when unavailable)
"$top/scripts/node18.sh" >/dev/null || echo "test.sh: no Debian node 18; tests/node's node18 cases skip" >&2
cd "$top"
if [ ! -d "$b" ]; then
    meson setup "$b" -Dwerror=true
else
    meson configure "$b" -Dwerror=true >/dev/null
fi
meson compile -C "$b"
meson test -C "$b" --print-errorlogs --num-processes 2
