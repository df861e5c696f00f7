#!/bin/sh
# The Ansible role and the audit playbook (packaging/ansible) on a two-host
# inventory of throwaway Debian 12 roots, never the host:
#   1. the role installs the .deb built from HEAD, sets DEFAULT:NO-SHA1 and
#      enables: changes on both hosts;
#   2. the same run again: changed=0 on both;
#   3. audit.yml passes, one "compliant" line per host;
#   4. one host's wiring removed (tlspolicy disable inside it): audit.yml
#      fails that host, naming why, and only that host;
#   5. -e tlspolicy_audit_fail=false: reported, not failed;
#   6. tlspolicy_enabled: false removes the wiring, and a second run changes
#      nothing.
#
# Usage: sudo scripts/test-ansible.sh        (as root; on demand, not in CI)
# The roots are copies of the cached debootstrap root of the packaging test
# (tests/packaging/base_root.sh; /var/cache/tlspolicy/bookworm-minbase, made
# on the first run: about 4 minutes). Ansible reaches them through
# community.general.chroot; each command runs in new PID, mount and network
# namespaces (a wrapper as ansible_chroot_exe), so the roots' /proc shows
# only their own processes and no command of theirs can reach a network.
# Env: TLSPOLICY_DEB=FILE.deb skips the package build.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "needs root (chroot)" >&2; exit 77; }
missing=""
for p in ansible debootstrap debhelper dpkg-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
for t in ansible-playbook debootstrap unshare chroot dpkg-buildpackage; do
    command -v $t >/dev/null || { echo "skip: $t missing" >&2; exit 77; }
done
ansible-doc -t connection community.general.chroot >/dev/null 2>&1 ||
    { echo "skip: the community.general collection (Debian's ansible package) is missing" >&2; exit 77; }

t0=$(date +%s)
say() { echo "[$(( $(date +%s) - t0 ))s] $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

base=/var/cache/tlspolicy/bookworm-minbase
sh "$top/tests/packaging/base_root.sh" "$base"

work=$(mktemp -d /var/tmp/tlspolicy-ansible.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [ -n "${TLSPOLICY_DEB:-}" ]; then
    deb=$(realpath "$TLSPOLICY_DEB")
else
    say "building the .deb from HEAD"
    "$top/packaging/build-deb.sh" "$work/deb" > "$work/build.log" 2>&1 ||
        { tail -30 "$work/build.log"; fail "package build"; }
    deb=$(ls "$work"/deb/tlspolicy_*.deb)
fi

say "two copies of the root"
for h in host1 host2; do
    cp -a "$base" "$work/$h"
done

# ansible_chroot_exe: `WRAPPER ROOT COMMAND...`
cat > "$work/chroot-ns" <<'EOF'
#!/bin/sh
exec unshare --pid --fork --kill-child --mount --net --propagation private sh -c '
    mount -t proc proc "$1/proc" || exit 125
    mount -t tmpfs tmpfs "$1/dev/shm" 2>/dev/null || true
    exec chroot "$@"' sh "$@"
EOF
chmod 755 "$work/chroot-ns"

cat > "$work/inventory" <<EOF
[fleet]
host1 ansible_host=$work/host1
host2 ansible_host=$work/host2

[fleet:vars]
ansible_connection=community.general.chroot
ansible_chroot_exe=$work/chroot-ns
ansible_python_interpreter=/usr/bin/python3
EOF

cat > "$work/site.yml" <<EOF
- name: The TLS policy on the fleet
  hosts: all
  gather_facts: false
  roles:
    - role: tlspolicy
      vars:
        tlspolicy_profile: "DEFAULT:NO-SHA1"
        tlspolicy_package: "$deb"
EOF

printf '[defaults]\n' > "$work/ansible.cfg"   # none of the caller's settings
export ANSIBLE_ROLES_PATH="$top/packaging/ansible/roles" ANSIBLE_NOCOLOR=1 \
    ANSIBLE_LOCAL_TEMP="$work/ansible-local" ANSIBLE_HOME="$work/ansible-home" \
    ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_CONFIG="$work/ansible.cfg"
play() { # LOG PLAYBOOK ARGS...: exit status in $rc
    log=$1; shift
    rc=0
    ansible-playbook -i "$work/inventory" "$@" > "$work/$log" 2>&1 || rc=$?
}
recap() { # LOG HOST: "ok=.. changed=.. ... failed=.."
    sed -n "s/^$2 *: //p" "$work/$1" | tr -s ' '
}
in_root() { # HOST COMMAND...
    h=$1; shift
    "$work/chroot-ns" "$work/$h" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

say "1. the role: install, set, enable"
play run1.log "$work/site.yml"
[ $rc -eq 0 ] || { cat "$work/run1.log"; fail "first run: exit $rc"; }
for h in host1 host2; do
    r=$(recap run1.log $h)
    echo "   $h: $r"
    case "$r" in *" changed=0 "*|"") cat "$work/run1.log"; fail "$h: first run changed nothing";; esac
    grep -q '^profile = "DEFAULT:NO-SHA1";' "$work/$h/etc/tlspolicy/policy.conf" ||
        fail "$h: policy.conf has no profile DEFAULT:NO-SHA1"
    grep -q 'openssl-tlspolicy.cnf' "$work/$h/etc/ssl/openssl.cnf" ||
        fail "$h: openssl.cnf does not include the snippet"
    st=$(in_root $h tlspolicy status) || { echo "$st"; fail "$h: tlspolicy status after the role"; }
done

say "2. the same run again"
play run2.log "$work/site.yml"
[ $rc -eq 0 ] || { cat "$work/run2.log"; fail "second run: exit $rc"; }
for h in host1 host2; do
    r=$(recap run2.log $h)
    echo "   $h: $r"
    case "$r" in *" changed=0 "*) ;; *) cat "$work/run2.log"; fail "$h: second run changed something";; esac
done

say "3. audit.yml on the compliant fleet"
play audit1.log "$top/packaging/ansible/audit.yml"
grep -E '"msg": "host[12]: ' "$work/audit1.log" | sed 's/^ */   /'
[ $rc -eq 0 ] || { cat "$work/audit1.log"; fail "audit of a compliant fleet: exit $rc"; }
for h in host1 host2; do
    grep -q "\"msg\": \"$h: compliant (policy /etc/tlspolicy/policy.conf" "$work/audit1.log" ||
        { cat "$work/audit1.log"; fail "$h: no compliant line"; }
done

say "4. host2 loses its wiring"
in_root host2 tlspolicy disable
play audit2.log "$top/packaging/ansible/audit.yml"
grep -E '"msg": "host[12]: ' "$work/audit2.log" | sed 's/^ */   /'
[ $rc -eq 2 ] || { cat "$work/audit2.log"; fail "audit with a broken host: exit $rc, not 2"; }
case "$(recap audit2.log host1)" in *" failed=0 "*) ;; *) cat "$work/audit2.log"; fail "host1 failed";; esac
case "$(recap audit2.log host2)" in *" failed=1 "*) ;; *) cat "$work/audit2.log"; fail "host2 did not fail";; esac
grep -q '"msg": "host2 is not compliant: \[openssl_init\] in /usr/lib/ssl/openssl.cnf does not load tlspolicy' \
    "$work/audit2.log" || { cat "$work/audit2.log"; fail "host2's failure does not say why"; }
grep -q '"msg": "host1: compliant' "$work/audit2.log" || fail "host1 not reported compliant"

say "5. the same, tlspolicy_audit_fail=false"
play audit3.log "$top/packaging/ansible/audit.yml" -e tlspolicy_audit_fail=false
[ $rc -eq 0 ] || { cat "$work/audit3.log"; fail "audit with tlspolicy_audit_fail=false: exit $rc"; }
grep -q '"msg": "host2: NOT COMPLIANT' "$work/audit3.log" || { cat "$work/audit3.log"; fail "no NOT COMPLIANT line"; }

say "6. the role with tlspolicy_enabled: false on host1, twice"
play off1.log "$work/site.yml" --limit host1 -e tlspolicy_enabled=false
[ $rc -eq 0 ] || { cat "$work/off1.log"; fail "disable run: exit $rc"; }
r=$(recap off1.log host1); echo "   host1: $r"
case "$r" in *" changed=1 "*) ;; *) cat "$work/off1.log"; fail "disable run: not exactly one change";; esac
grep -q 'openssl-tlspolicy.cnf' "$work/host1/etc/ssl/openssl.cnf" && fail "host1 still wired"
play off2.log "$work/site.yml" --limit host1 -e tlspolicy_enabled=false
r=$(recap off2.log host1); echo "   host1: $r"
case "$r" in *" changed=0 "*) ;; *) cat "$work/off2.log"; fail "second disable run changed something";; esac

say "passed"
