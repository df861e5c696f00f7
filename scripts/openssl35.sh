#!/bin/sh
# Build OpenSSL 3.5 from Debian 13 (trixie)'s source package into a private
# prefix, for testing tlspolicy against the other end of its version range.
#
#   scripts/openssl35.sh            prints the prefix on stdout (last line)
#
# Nothing is added to the machine's apt sources: a private sources list,
# lists and cache directories live under $TP_CACHE. apt verifies the
# downloaded files against the signed Sources index (trixie keys ship in
# Debian 12's debian-archive-keyring). The index may list a version the
# archive no longer serves: every listed 3.5 version is tried, newest first.
#
# The install is cached: if $PREFIX/.tlspolicy-stamp exists (and names the
# same ./Configure options) and $PREFIX/bin/openssl reports 3.5, nothing is
# downloaded or built. The binaries have no rpath: run them with
# LD_LIBRARY_PATH=$PREFIX/lib (the tests do).
#
# Environment:
#   TP_CACHE             cache directory      (default /var/cache/tlspolicy)
#   TP_OPENSSL35_PREFIX  install prefix       (default $TP_CACHE/openssl-3.5)
#   TP_OPENSSL35_CONFIG  extra ./Configure options (default: no-tests:
#                        OpenSSL's own test programs are not needed here)
#   TP_DEBIAN_MIRROR     Debian mirror: its /debian and /debian-security
#                        (default: the archives this machine's apt uses,
#                        scripts/apt-mirror.sh; the security one is optional)
#   JOBS                 make -j              (default: number of CPUs)
set -eu
cache=${TP_CACHE:-/var/cache/tlspolicy}
prefix=${TP_OPENSSL35_PREFIX:-$cache/openssl-3.5}
extra=${TP_OPENSSL35_CONFIG-no-tests}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
stamp=$prefix/.tlspolicy-stamp
log() { echo "openssl35.sh: $*" >&2; }

installed_ok() {
    [ -f "$stamp" ] && [ -x "$prefix/bin/openssl" ] || return 1
    # built with the same ./Configure options (TP_OPENSSL35_CONFIG)?
    grep -qF "configure \"shared no-docs $extra\" " "$stamp" || return 1
    v=$(LD_LIBRARY_PATH="$prefix/lib" "$prefix/bin/openssl" version 2>/dev/null) || return 1
    case $v in "OpenSSL 3.5."*) return 0 ;; esac
    return 1
}

if installed_ok; then
    log "cached: $(LD_LIBRARY_PATH="$prefix/lib" "$prefix/bin/openssl" version) in $prefix ($(cat "$stamp"))"
    echo "$prefix"
    exit 0
fi

for t in apt-get apt-cache make perl gcc tar; do
    command -v $t >/dev/null || { log "needs $t"; exit 1; }
done

if [ -n "${TP_DEBIAN_MIRROR:-}" ]; then
    mirror=$TP_DEBIAN_MIRROR/debian
    secmirror=$TP_DEBIAN_MIRROR/debian-security
else
    . "$(dirname "$0")/apt-mirror.sh"
    mirror=$(apt_mirror) ||
        { log "no Debian archive in this machine's apt sources: set TP_DEBIAN_MIRROR"; exit 1; }
    secmirror=$(apt_mirror security) || secmirror=""
fi

aptdir=$cache/apt
srcdir=$cache/src
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$srcdir"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
{
    echo "deb-src [signed-by=$keyring] $mirror trixie main"
    echo "deb-src [signed-by=$keyring] $mirror trixie-updates main"
    [ -z "$secmirror" ] ||
        echo "deb-src [signed-by=$keyring] $secmirror trixie-security main"
} > "$aptdir/sources.list"
# Private configuration only: our list, no sources.list.d, our own state and
# cache, no preferences; runs as the calling user (no _apt sandbox needed).
set -- -o Dir::Etc::SourceList="$aptdir/sources.list" \
       -o Dir::Etc::SourceParts=/dev/null \
       -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
       -o Dir::State::Lists="$aptdir/lists" \
       -o Dir::Cache="$aptdir/cache" \
       -o Dir::State::status=/dev/null \
       -o APT::Sandbox::User="$(id -un)" \
       -o Debug::NoLocking=1 -q

log "updating private apt lists for trixie ($mirror${secmirror:+ and $secmirror})"
apt-get "$@" update >&2

versions=$(apt-cache "$@" showsrc openssl 2>/dev/null |
           sed -n 's/^Version: //p' | grep '^3\.5\.' | sort -Vr -u)
[ -n "$versions" ] || { log "no openssl 3.5 source listed for trixie"; exit 1; }
log "listed: $(echo $versions)"

got=""
for v in $versions; do
    up=${v%-*}
    if [ -f "$srcdir/openssl_$up.orig.tar.gz" ] && [ -f "$srcdir/openssl_$v.dsc" ]; then
        got=$v; break
    fi
    log "trying openssl $v"
    tmp=$srcdir/tmp.$$
    rm -rf "$tmp"; mkdir -p "$tmp"
    if (cd "$tmp" && apt-get "$@" source --download-only "openssl=$v" >&2); then
        mv "$tmp"/* "$srcdir"/
        rm -rf "$tmp"
        got=$v; break
    fi
    rm -rf "$tmp"
    log "openssl $v not served; next"
done
[ -n "$got" ] || { log "no listed openssl 3.5 version could be downloaded"; exit 1; }
up=${got%-*}
log "using Debian openssl $got (upstream $up, Debian patches not applied)"

# Build from the upstream tarball Debian ships (checksums verified by apt).
bdir=$cache/build-openssl-$up
rm -rf "$bdir"; mkdir -p "$bdir"
tar -xzf "$srcdir/openssl_$up.orig.tar.gz" -C "$bdir" --strip-components=1
cd "$bdir"
rm -rf "$prefix"
t0=$(date +%s)
# shellcheck disable=SC2086
./Configure --prefix="$prefix" --openssldir="$prefix/ssl" --libdir=lib shared no-docs $extra >&2
make -j"$jobs" build_sw >&2
make install_sw install_ssldirs >&2
t1=$(date +%s)
printf 'debian %s upstream %s configure "%s" built in %ss with -j%s\n' \
    "$got" "$up" "shared no-docs $extra" "$((t1 - t0))" "$jobs" > "$stamp"
cd /
rm -rf "$bdir"
installed_ok || { log "installed, but $prefix/bin/openssl does not run as 3.5"; exit 1; }
log "built in $((t1 - t0)) s: $(LD_LIBRARY_PATH="$prefix/lib" "$prefix/bin/openssl" version) in $prefix"
echo "$prefix"
