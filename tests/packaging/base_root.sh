#!/bin/sh
# The cached Debian 12 root for scripts/test-ansible.sh, in the same place
# and made the same way as tests/packaging/test_deb.sh makes its own (either
# script reuses what the other made): debootstrap --variant=minbase bookworm with
# openssl, curl, python3, ca-certificates and libconfig9, then the
# bookworm-security updates (debootstrap takes the point release; the host
# has the security updates, so should the root). Made once, reused after.
#
# Usage: base_root.sh DIR     (as root; DIR e.g. /var/cache/tlspolicy/bookworm-minbase)
# The mirrors are the ones apt on this machine uses (apt-get indextargets);
# TLSPOLICY_MIRROR and TLSPOLICY_SECURITY_MIRROR override them.
set -eu
base=${1:?usage: base_root.sh DIR}
t0=$(date +%s)
say() { echo "[$(( $(date +%s) - t0 ))s] $*"; }
# The URI apt uses for a suite, from its own configuration.
apt_uri() {
    apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null |
        awk -v s="$1" '$1 == s { print $2; exit }'
}

if [ ! -e "$base/.tlspolicy-complete" ]; then
    mirror=${TLSPOLICY_MIRROR:-$(apt_uri bookworm)}
    [ -n "$mirror" ] || { echo "no bookworm mirror in apt's configuration: set TLSPOLICY_MIRROR" >&2; exit 1; }
    say "debootstrap bookworm minbase into $base from $mirror (cached for later runs)"
    rm -rf "$base.tmp"
    mkdir -p "$(dirname "$base")"
    debootstrap --variant=minbase --include=openssl,curl,python3,ca-certificates,libconfig9 \
        bookworm "$base.tmp" "$mirror"
    chroot "$base.tmp" apt-get clean
    rm -rf "$base"
    mv "$base.tmp" "$base"
    touch "$base/.tlspolicy-complete"
    say "debootstrap done"
fi

if [ ! -e "$base/.tlspolicy-security" ]; then
    secmirror=${TLSPOLICY_SECURITY_MIRROR:-$(apt_uri bookworm-security)}
    if [ -z "$secmirror" ]; then
        say "no bookworm-security in apt's configuration: the root keeps the point release"
    else
        say "bookworm-security updates into the cached root from $secmirror"
        echo "deb $secmirror bookworm-security main" > "$base/etc/apt/sources.list.d/security.list"
        unshare --mount --propagation private sh -c '
            mount -t proc proc "$1/proc" &&
            chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
                sh -c "apt-get update -q && apt-get -y -q upgrade && apt-get clean"
        ' sh "$base"
    fi
    touch "$base/.tlspolicy-security"
fi
