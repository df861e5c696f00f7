#!/bin/sh
# scripts/apt-mirror.sh: the archive URIs scripts take from apt's own
# configuration, in the one-line and the deb822 format. Fixture trees in a
# temporary directory ($TP_APT_ETC), never the host's /etc/apt. Under a second.
# Usage: test_apt_mirror.sh SOURCE_DIR
set -eu
src=${1:?usage: test_apt_mirror.sh SOURCE_DIR}
. "$src/scripts/apt-mirror.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# check NAME KIND WANT: apt_mirror KIND over $TP_APT_ETC prints WANT ("" = none, exit 1)
check() {
    got=$(apt_mirror "$2") && rc=0 || rc=$?
    if [ -z "$3" ]; then want_rc=1; else want_rc=0; fi
    if [ "$got" = "$3" ] && [ "$rc" = "$want_rc" ]; then
        echo "ok   $1 $2: '$got'"
    else
        echo "FAIL $1 $2: got '$got' (exit $rc), want '$3' (exit $want_rc)"
        fails=$((fails + 1))
    fi
}

# fixture NAME: a fresh apt etc directory
fixture() { TP_APT_ETC=$tmp/$1; export TP_APT_ETC; mkdir -p "$TP_APT_ETC/sources.list.d"; }

fixture oneline
cat > "$TP_APT_ETC/sources.list" <<'EOF'
# deb http://commented.invalid/debian bookworm main
deb cdrom:[Debian GNU/Linux 12]/ bookworm main
deb [ arch=amd64 signed-by=/usr/share/keyrings/k.gpg ] http://mirror.invalid/debian/ bookworm main
deb-src http://mirror.invalid/debian bookworm main
deb [signed-by=/k.gpg] http://sec.invalid/debian-security bookworm-security main # trailing
EOF
check oneline main http://mirror.invalid/debian
check oneline security http://sec.invalid/debian-security

fixture deb822
cat > "$TP_APT_ETC/sources.list.d/debian.sources" <<'EOF'
Types: deb
# http://commented.invalid/debian
URIs: http://disabled.invalid/debian
Suites: bookworm bookworm-security
Enabled: no
Components: main

Types: rpm
URIs: http://other.invalid/
Suites: bookworm

types: deb deb-src
uris:
 file:/srv/mirror/debian/
Suites: bookworm-security
 bookworm bookworm-updates
Components: main

Types: deb
URIs: http://sec.invalid/debian-security
Suites: bookworm-security
EOF
check deb822 main file:/srv/mirror/debian
check deb822 security file:/srv/mirror/debian

# sources.list comes before sources.list.d; a .list before a .sources;
# other files in sources.list.d (a .list.disabled, say) are not read
fixture order
echo "deb http://disabled.invalid/debian bookworm main" > "$TP_APT_ETC/sources.list.d/a.list.disabled"
printf 'Types: deb\nURIs: http://b.invalid/debian\nSuites: bookworm\n' > "$TP_APT_ETC/sources.list.d/a.sources"
echo "deb http://c.invalid/debian bookworm main" > "$TP_APT_ETC/sources.list.d/z.list"
check order main http://c.invalid/debian
check order security ""

fixture empty
check empty main ""

[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
