#!/bin/sh
# Build the .deb from a commit: packaging/build-deb.sh [OUTDIR] [VERSION] [REF]
# (defaults: build-deb, the changelog's version, HEAD). Exports REF with
# `git archive` (so only committed files go in), puts packaging/debian at the
# top as debian/, and runs `dpkg-buildpackage -us -uc -b`. VERSION adds a
# changelog entry (the packaging test builds a newer version to upgrade to).
# Needs the build dependencies of packaging/debian/control:
#   apt-get install debhelper meson ninja-build pkg-config libssl-dev libconfig-dev
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$top/build-deb}")
version=${2:-}
ref=${3:-HEAD}
work=$(mktemp -d "${TMPDIR:-/tmp}/tlspolicy-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tlspolicy" "$out"
git -C "$top" archive --format=tar "$ref" | tar -x -C "$work/tlspolicy"
cp -a "$work/tlspolicy/packaging/debian" "$work/tlspolicy/debian"
if [ -n "$version" ]; then
    {
        printf 'tlspolicy (%s) unstable; urgency=medium\n\n' "$version"
        printf '  * Rebuild as %s.\n\n' "$version"
        printf ' -- tlspolicy developers <dev@tlspolicy.invalid>  %s\n\n' "$(date -R)"
        cat "$work/tlspolicy/debian/changelog"
    } > "$work/changelog"
    mv "$work/changelog" "$work/tlspolicy/debian/changelog"
fi
(cd "$work/tlspolicy" && dpkg-buildpackage -us -uc -b)
for f in "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes; do
    [ -e "$f" ] && cp "$f" "$out/"
done
ls "$out"/*.deb
