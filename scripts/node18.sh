#!/bin/sh
# Debian 12's Node.js 18 (nodejs + libnode108, OpenSSL from the shared
# libssl3) unpacked into a private directory, for testing tlspolicy with a
# node that uses the system's libssl.so.3 beside whatever node the machine
# has installed (NodeSource's 20.x links OpenSSL statically). Nothing is
# installed: `apt-get download` (the machine's apt sources and mirrors) and
# `dpkg -x`.
#
#   scripts/node18.sh        prints the path of a runner on stdout (last line)
#
# The runner, $DIR/run-node ARGS..., runs that node. Debian's node loads
# some of its built-in modules from /usr/share/nodejs (acorn,
# cjs-module-lexer, undici: compiled-in absolute paths), so the runner
# starts it in a private mount namespace (unshare -m, root) where an
# overlay adds the unpacked /usr/share/nodejs to /usr/share; the host's
# /usr/share is not touched. LD_LIBRARY_PATH names the unpacked libnode.
#
# Cached: if $DIR/.tlspolicy-stamp exists and the runner prints v18, nothing
# is downloaded.
#
# Environment:
#   TP_CACHE       cache directory        (default /var/cache/tlspolicy)
#   TP_NODE18_DIR  where node 18 goes     (default $TP_CACHE/node18)
set -eu
cache=${TP_CACHE:-/var/cache/tlspolicy}
dir=${TP_NODE18_DIR:-$cache/node18}
stamp=$dir/.tlspolicy-stamp
log() { echo "node18.sh: $*" >&2; }

if [ -f "$stamp" ] && v=$("$dir/run-node" --version 2>/dev/null) && case $v in v18.*) true ;; *) false ;; esac; then
    log "cached: node $v in $dir ($(cat "$stamp"))"
    echo "$dir/run-node"
    exit 0
fi
for t in apt-get apt-cache dpkg unshare mount; do
    command -v $t >/dev/null || { log "needs $t"; exit 1; }
done

# The libnode108 the archive offers; nodejs of the same version (NodeSource's
# nodejs package may be the installed candidate, so name the version).
ver=$(apt-cache policy libnode108 | sed -n 's/^ *Candidate: //p')
case $ver in 18.*) ;; *) log "no libnode108 18.x in the apt lists (apt-get update?)"; exit 1 ;; esac

rm -rf "$dir"
mkdir -p "$dir/debs"
cd "$dir/debs"
# As the calling user's files in a directory _apt may not read: download
# unsandboxed, as apt itself falls back to (and says so).
apt-get -q -o APT::Sandbox::User=root download "nodejs=$ver" "libnode108=$ver" \
    node-acorn node-cjs-module-lexer node-undici >&2
for deb in ./*.deb; do
    dpkg -x "$deb" "$dir/root"
done
cat > "$dir/run-node" <<EOF
#!/bin/sh
# Debian's node $ver unpacked by scripts/node18.sh (see there).
exec unshare -m --propagation private sh -c 'mount -t overlay tp-node18 -o lowerdir=$dir/root/usr/share:/usr/share /usr/share && LD_LIBRARY_PATH=$dir/root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH} exec $dir/root/usr/bin/node "\$@"' node "\$@"
EOF
chmod 755 "$dir/run-node"
v=$("$dir/run-node" --version)
case $v in v18.*) ;; *) log "the unpacked node does not run (got '$v')"; exit 1 ;; esac
echo "nodejs $ver $(ls "$dir/debs" | tr '\n' ' ')" > "$stamp"
log "node $v in $dir"
echo "$dir/run-node"
