#!/bin/sh
# trusted_tmpdir.sh BUILD_ROOT - print (and create) the directory the tests
# keep their temporary trees in. The module, and the CLI without --root,
# refuse a policy reached through a directory that is not root's alone, /tmp
# included (world-writable, even with its sticky bit). So: BUILD_ROOT/tmp
# when every directory from / down to BUILD_ROOT is owned by root and
# writable by nobody else; otherwise (a checkout under /tmp or a home
# directory) a directory of its own under /run, which is root's; failing
# that BUILD_ROOT/tmp anyway, with a warning (the trust tests then fail and
# say which directory they refused).
set -eu
b=$(realpath -m "$1")

trusted() { sh "$(dirname "$0")/../scripts/trusted-dir.sh" "$1"; }

if trusted "$b"; then
    mkdir -p -m 0755 "$b/tmp"
    echo "$b/tmp"
    exit 0
fi
t=/run/tlspolicy-tests/$(printf '%s' "$b" | md5sum | cut -c1-16)
if mkdir -p -m 0755 "$t" 2>/dev/null && chmod 0755 /run/tlspolicy-tests "$t" 2>/dev/null \
    && trusted "$t"; then
    echo "$t"
    exit 0
fi
echo "trusted_tmpdir.sh: neither $b nor /run is root's alone: tests that need a trusted policy directory will fail" >&2
mkdir -p -m 0755 "$b/tmp"
echo "$b/tmp"
