#!/bin/sh
# trusted-dir.sh DIR - exit 0 when DIR and every directory above it are owned
# by root and writable by nobody else: what the module asks of the
# directories above a policy file or profile (tlspolicy(7)). A checkout under
# /tmp or in a home directory is not: the tests and the demo then run from a
# trusted copy or keep their files elsewhere.
d=$(realpath -m "${1:?usage: trusted-dir.sh DIR}")
while :; do
    [ -d "$d" ] || exit 1
    set -- $(stat -L -c '%u %a' "$d")
    [ "$1" = 0 ] || exit 1
    [ $(( 0$2 & 022 )) -eq 0 ] || exit 1
    [ "$d" = / ] && exit 0
    d=$(dirname "$d")
done
