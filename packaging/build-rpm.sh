#!/bin/sh
# Build the .rpm from a commit: packaging/build-rpm.sh [OUTDIR] [REF]
# (defaults: build-rpm, HEAD). Makes the source tarball with `git archive`,
# then `rpmbuild -bb`. On Debian (apt-get install rpm) the BuildRequires are
# Debian packages rpm cannot see: --nodeps is passed there (and only there).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$top/build-rpm}")
ref=${2:-HEAD}
spec="$top/packaging/rpm/tlspolicy.spec"
version=$(rpmspec -q --qf '%{VERSION}\n' --srpm "$spec" 2>/dev/null | head -1)
work=$(mktemp -d "${TMPDIR:-/tmp}/tlspolicy-rpm.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/SOURCES" "$out"
git -C "$top" archive --prefix="tlspolicy-$version/" -o "$work/SOURCES/tlspolicy-$version.tar.gz" "$ref"
nodeps=""
[ -e /etc/debian_version ] && nodeps="--nodeps"
rpmbuild -bb $nodeps --define "_topdir $work" --define "_rpmdir $out" "$spec"
find "$out" -name '*.rpm'
