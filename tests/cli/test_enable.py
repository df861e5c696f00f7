#!/usr/bin/env python3
"""Tests of `tlspolicy enable` / `disable` on temporary roots (--root).

Usage: test_enable.py TLSPOLICY TLSPOLICY_SO SNIPPET_DIR DATADIR MODULESDIR GROUP

SNIPPET_DIR holds the snippets as built (openssl-tlspolicy*.cnf); DATADIR and
MODULESDIR are where they and the module go on the target system. Every case
builds a root with the snippets and (unless it tests their absence) the
module at those paths, and an openssl.cnf; nothing outside the temporary
directory is read or written. Exit 0 pass, 1 fail.
"""
import os
import stat
import shutil
import subprocess
import sys
import tempfile
import traceback

CLI, SO, SNIPDIR = (os.path.abspath(a) for a in sys.argv[1:4])
DATADIR, MODULESDIR = sys.argv[4:6]
GROUP = sys.argv[6] if len(sys.argv) > 6 else None
SNIPPET = DATADIR + "/openssl-tlspolicy.cnf"
ENTRY = DATADIR + "/openssl-tlspolicy-entry.cnf"
INIT = DATADIR + "/openssl-tlspolicy-init.cnf"
MARKER = "# Added by `tlspolicy enable`; `tlspolicy disable` removes these lines."

DEBIAN_LIKE = """\
# a cut-down Debian openssl.cnf
HOME = .
openssl_conf = openssl_init

[openssl_init]
providers = provider_sect
ssl_conf = ssl_sect

[provider_sect]
default = default_sect

[default_sect]
activate = 1

[ssl_sect]
system_default = system_default_sect

[system_default_sect]
CipherString = DEFAULT:@SECLEVEL=2
"""


def check(cond, what, *details):
    if not cond:
        msg = "FAIL: " + what
        for d in details:
            msg += "\n----\n" + (d if isinstance(d, str) else repr(d))
        raise AssertionError(msg)


class Root:
    def __init__(self, cnf=DEBIAN_LIKE, module=True, cnf_path="/etc/ssl/openssl.cnf"):
        self.dir = tempfile.mkdtemp(prefix="tp-enable-")
        self.cnf_path = cnf_path
        os.makedirs(self.host(DATADIR), exist_ok=True)
        for f in os.listdir(SNIPDIR):
            if f.startswith("openssl-tlspolicy") and f.endswith(".cnf"):
                shutil.copy(os.path.join(SNIPDIR, f), self.host(DATADIR + "/" + f))
        os.makedirs(self.host(MODULESDIR), exist_ok=True)
        if module:
            shutil.copy(SO, self.host(MODULESDIR + "/tlspolicy.so"))
        if cnf is not None:
            self.write(cnf_path, cnf)

    def host(self, p):
        return self.dir + p

    def write(self, p, data, mode=0o644):
        h = self.host(p)
        os.makedirs(os.path.dirname(h), exist_ok=True)
        with open(h, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.chmod(h, mode)

    def read(self, p=None):
        with open(self.host(p or self.cnf_path), "rb") as f:
            return f.read()

    def run(self, *args, env=None, cnf=True):
        cmd = [CLI, "--root", self.dir, *args]
        if cnf:
            cmd += ["--openssl-conf", self.cnf_path]
        e = dict(os.environ)
        e.pop("OPENSSL_CONF", None)
        e.update(env or {})
        return subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=60)

    def leftovers(self):
        d = os.path.dirname(self.host(self.cnf_path))
        return sorted(f for f in os.listdir(d) if ".tlspolicy-new" in f or ".tlspolicy-check" in f)

    def live_copy(self):
        """The openssl.cnf with our include pointing into the root, for a
        real OpenSSL to load."""
        text = self.read().decode()
        for s in (SNIPPET, ENTRY, INIT):
            text = text.replace(".include " + s, ".include " + self.host(s))
        p = self.host("/live.cnf")
        with open(p, "w") as f:
            f.write(text)
        # the snippets name the module's target path: point them into the root
        for s in (SNIPPET, ENTRY, INIT):
            h = self.host(s)
            with open(h) as f:
                t = f.read()
            with open(h, "w") as f:
                f.write(t.replace("path = " + MODULESDIR, "path = " + self.host(MODULESDIR)))
        return p

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def ok(r, what):
    check(r.returncode == 0, what + ": exit %d" % r.returncode, r.stdout, r.stderr)


def providers(cnf):
    e = dict(os.environ, OPENSSL_CONF=cnf)
    r = subprocess.run(["openssl", "list", "-providers"], capture_output=True, text=True,
                       env=e, timeout=60)
    return r


# ---- cases --------------------------------------------------------------------

def case_idempotent(r):
    orig = r.read()
    ok(r.run("enable"), "enable")
    once = r.read()
    check(once.startswith(orig), "enable only appends", once.decode())
    added = once[len(orig):].decode()
    check(added == MARKER + "\n[default]\nnodejs_conf = openssl_init\n.include " + SNIPPET + "\n",
          "exactly one .include added, and nodejs_conf", added)
    res = r.run("enable")
    ok(res, "second enable")
    check("already enabled" in res.stdout, "second enable says so", res.stdout)
    check(r.read() == once, "second enable changes nothing")
    check(r.read(r.cnf_path + ".tlspolicy-bak") == orig, "backup is the original")
    check(r.leftovers() == [], "no temporary files", r.leftovers())
    # and OpenSSL really loads the module through it
    res = providers(r.live_copy())
    check(res.returncode == 0 and "tlspolicy" in res.stdout, "openssl loads the provider",
          res.stdout, res.stderr)


def case_restore(r):
    orig = r.read()
    ok(r.run("enable"), "enable")
    res = r.run("disable")
    ok(res, "disable")
    check("original restored" in res.stdout, "disable restores the backup", res.stdout)
    check(r.read() == orig, "byte for byte", r.read().decode())
    check(not os.path.exists(r.host(r.cnf_path + ".tlspolicy-bak")), "backup removed")
    res = r.run("disable")
    ok(res, "second disable")
    check("not enabled" in res.stdout and r.read() == orig, "second disable is a no-op")
    check(r.leftovers() == [], "no temporary files", r.leftovers())


def case_no_newline(r):
    r.write(r.cnf_path, DEBIAN_LIKE.rstrip("\n"))
    orig = r.read()
    ok(r.run("enable"), "enable")
    check(r.read().startswith(orig + b"\n" + MARKER.encode()), "newline added before the block")
    ok(r.run("disable"), "disable")
    check(r.read() == orig, "restored without the added newline", r.read().decode())


def case_mode_owner(r):
    os.chmod(r.host(r.cnf_path), 0o640)
    ok(r.run("enable"), "enable")
    st = os.stat(r.host(r.cnf_path))
    check(st.st_mode & 0o7777 == 0o640, "mode kept: %o" % (st.st_mode & 0o7777))


def case_edited_after(r):
    orig = r.read()
    ok(r.run("enable"), "enable")
    with open(r.host(r.cnf_path), "ab") as f:
        f.write(b"# the admin's own line\n")
    res = r.run("disable")
    ok(res, "disable")
    check(r.read() == orig + b"# the admin's own line\n", "only enable's lines removed",
          r.read().decode())
    check("kept" in res.stdout and os.path.exists(r.host(r.cnf_path + ".tlspolicy-bak")),
          "backup kept and said so", res.stdout)


def case_module_missing(r):
    orig = r.read()
    res = r.run("enable")
    check(res.returncode == 1, "refused: exit %d" % res.returncode, res.stdout, res.stderr)
    check("missing" in res.stderr, "says the module is missing", res.stderr)
    check(r.read() == orig, "file untouched")
    check(not os.path.exists(r.host(r.cnf_path + ".tlspolicy-bak")), "no backup written")
    check(r.leftovers() == [], "no temporary files", r.leftovers())


def case_snippet_missing(r):
    os.unlink(r.host(SNIPPET))
    orig = r.read()
    res = r.run("enable")
    check(res.returncode == 1 and "missing" in res.stderr, "refused", res.stdout, res.stderr)
    check(r.read() == orig, "file untouched")


def case_parse_failure(r):
    # The result would not parse: the included snippet is broken.
    r.write(SNIPPET, "[openssl_init\ntlspolicy = tlspolicy_sect\n")
    orig = r.read()
    st0 = os.stat(r.host(r.cnf_path))
    res = r.run("enable")
    check(res.returncode == 1, "refused: exit %d" % res.returncode, res.stdout, res.stderr)
    check("parse" in res.stderr, "says it does not parse", res.stderr)
    check(r.read() == orig, "file untouched")
    st1 = os.stat(r.host(r.cnf_path))
    check(st0.st_ino == st1.st_ino, "not even replaced by a copy")
    check(r.leftovers() == [], "no temporary files", r.leftovers())


def case_fifo_cnf(r):
    # A FIFO where openssl.cnf should be: refused at once, never opened for
    # a blocking read (nobody will ever write to it).
    path = r.host(r.cnf_path)
    os.unlink(path)
    os.mkfifo(path)
    res = r.run("enable", "--no-gnutls")
    check(res.returncode == 1, "refused: exit %d" % res.returncode, res.stdout, res.stderr)
    check(res.stderr == "tlspolicy enable: %s: not a regular file of at most 4194304 bytes\n"
          % path, "says why", res.stderr)
    check(stat.S_ISFIFO(os.lstat(path).st_mode), "the FIFO is left as it is")


def case_unparseable_original(r):
    r.write(r.cnf_path, "openssl_conf = openssl_init\n[openssl_init\n")
    orig = r.read()
    res = r.run("enable")
    check(res.returncode == 1 and "not changed" in res.stderr, "refused", res.stdout,
          res.stderr)
    check(r.read() == orig, "file untouched")


def case_hijack_detected(r):
    # A snippet that would set its own openssl_conf (last value wins) must
    # be caught: the system's init section would be dropped.
    with open(r.host(SNIPPET), "a") as f:
        f.write("[default]\nopenssl_conf = tlspolicy_init\n[tlspolicy_init]\n"
                "tlspolicy = tlspolicy_sect\n")
    orig = r.read()
    res = r.run("enable")
    check(res.returncode == 1 and "not [openssl_init] as before" in res.stderr,
          "refused", res.stdout, res.stderr)
    check(r.read() == orig, "file untouched")


def case_other_section(r):
    cnf = DEBIAN_LIKE.replace("openssl_conf = openssl_init", "openssl_conf = default_conf") \
                     .replace("[openssl_init]", "[default_conf]") + \
        "\n[openssl_init]\n# an unused section of this name must not matter\n"
    r.write(r.cnf_path, cnf)
    orig = r.read()
    ok(r.run("enable"), "enable")
    added = r.read()[len(orig):].decode()
    check(added == MARKER + "\n[default]\nnodejs_conf = default_conf\n[default_conf]\n.include "
          + ENTRY + "\n",
          "reopens [default_conf] and includes the entry snippet", added)
    live = r.live_copy()
    res = providers(live)
    check(res.returncode == 0 and "tlspolicy" in res.stdout, "openssl loads the provider",
          res.stdout, res.stderr)
    st = subprocess.run([CLI, "status", "--openssl-conf", live], capture_output=True,
                        text=True, timeout=60)
    check("[default_conf] loads tlspolicy" in st.stdout and "3 of 3" in st.stdout,
          "our entry is the last of [default_conf], the others kept", st.stdout, st.stderr)
    ok(r.run("disable"), "disable")
    check(r.read() == orig, "restored byte for byte")


def case_no_openssl_conf(r):
    cnf = "# no openssl_conf\nHOME = .\n[req]\ndefault_bits = 2048\n"
    r.write(r.cnf_path, cnf)
    orig = r.read()
    ok(r.run("enable"), "enable")
    added = r.read()[len(orig):].decode()
    check(added == MARKER + "\n[default]\nnodejs_conf = tlspolicy_init\n.include " + INIT + "\n",
          "includes the init snippet", added)
    res = providers(r.live_copy())
    check(res.returncode == 0 and "tlspolicy" in res.stdout, "openssl loads the provider",
          res.stdout, res.stderr)
    ok(r.run("disable"), "disable")
    check(r.read() == orig, "restored byte for byte")


def node_loads_module(cnf):
    """Whether node (if installed) maps tlspolicy.so under OPENSSL_CONF=cnf:
    True/False, or None without node."""
    node = shutil.which("node")
    if node is None:
        return None
    e = dict(os.environ, OPENSSL_CONF=cnf)
    res = subprocess.run([node, "-e", "console.log(require('fs').readFileSync("
                          "'/proc/self/maps', 'utf8').includes('/tlspolicy.so'))"],
                         capture_output=True, text=True, env=e, timeout=60)
    return res.stdout.strip() == "true"


def case_nodejs(r):
    """Node reads nodejs_conf, not openssl_conf: enable points it at the same
    section; node then loads the module; disable restores byte for byte."""
    orig = r.read()
    check(node_loads_module(r.host(r.cnf_path)) in (None, False), "node: no module before")
    res = r.run("enable")
    ok(res, "enable")
    check("nodejs_conf = openssl_init: node reads the same section" in res.stdout,
          "enable says it set nodejs_conf", res.stdout)
    check(b"\n[default]\nnodejs_conf = openssl_init\n.include " in r.read(), "the lines",
          r.read().decode())
    check(node_loads_module(r.live_copy()) in (None, True), "node loads the module after enable")
    ok(r.run("disable"), "disable")
    check(r.read() == orig, "restored byte for byte", r.read().decode())


def case_nodejs_set(r):
    """A nodejs_conf the administrator set is left as it is, and said."""
    cnf = DEBIAN_LIKE.replace("openssl_conf = openssl_init\n",
                              "openssl_conf = openssl_init\nnodejs_conf = node_init\n") + \
        "[node_init]\n"
    r.write(r.cnf_path, cnf)
    orig = r.read()
    res = r.run("enable")
    ok(res, "enable")
    check("note: nodejs_conf = node_init is set: left as it is; node reads [node_init], not "
          "[openssl_init]" in res.stdout, "enable reports it", res.stdout)
    added = r.read()[len(orig):].decode()
    check(added == MARKER + "\n.include " + SNIPPET + "\n", "nodejs_conf not touched", added)
    check(node_loads_module(r.live_copy()) in (None, False), "node: still not wired")
    ok(r.run("disable"), "disable")
    check(r.read() == orig, "restored byte for byte", r.read().decode())


def case_nodejs_old_enable(r):
    """A file enabled before enable knew nodejs_conf (marker + include only):
    `enable` notes that node is not reached; disable still restores."""
    orig = r.read()
    r.write(r.cnf_path, orig.decode() + MARKER + "\n.include " + SNIPPET + "\n")
    res = r.run("enable")
    ok(res, "enable")
    check("already enabled" in res.stdout and "note: nodejs_conf is not set: node does not read"
          " [openssl_init]" in res.stdout, "says node is not reached", res.stdout)
    ok(r.run("disable"), "disable")
    check(r.read() == orig, "only enable's lines removed", r.read().decode())


def case_hand_wired(r):
    r.write(r.cnf_path, DEBIAN_LIKE.replace(
        "ssl_conf = ssl_sect\n", "ssl_conf = ssl_sect\ntlspolicy = tp\n") +
        "[tp]\npath = /somewhere/tlspolicy.so\n")
    orig = r.read()
    res = r.run("enable")
    ok(res, "enable")
    check("already wired" in res.stdout and r.read() == orig, "leaves a hand wiring alone",
          res.stdout)


def case_misplaced(r):
    # The notes' gotcha: an .include placed before `openssl_conf =` swallows
    # that line into the snippet's last section. Included, but not effective:
    # enable says so (exit 1) instead of "already enabled".
    r.write(r.cnf_path, MARKER + "\n.include " + SNIPPET + "\n" + DEBIAN_LIKE)
    res = r.run("enable")
    check(res.returncode == 1 and "would not load" in res.stderr and "no openssl_conf" in res.stderr,
          "enable reports the swallowed openssl_conf", res.stdout, res.stderr)
    ok(r.run("disable"), "disable removes the misplaced lines")
    check(r.read() == DEBIAN_LIKE.encode(), "only those lines", r.read().decode())
    ok(r.run("enable"), "enable")
    check(r.read().endswith((".include " + SNIPPET + "\n").encode()), "now at the end")
    res = providers(r.live_copy())
    check(res.returncode == 0 and "tlspolicy" in res.stdout, "openssl loads the provider",
          res.stdout, res.stderr)


def case_default_location(r):
    # No --openssl-conf: OPENSSLDIR/openssl.cnf, under the root, a symbolic
    # link to /etc/ssl/openssl.cnf as on Debian. The link must stay a link.
    out = subprocess.run(["openssl", "version", "-d"], capture_output=True, text=True).stdout
    ossldir = out.split('"')[1]
    link = r.host(ossldir + "/openssl.cnf")
    os.makedirs(os.path.dirname(link), exist_ok=True)
    os.symlink("/etc/ssl/openssl.cnf", link)
    orig = r.read()
    ok(r.run("enable", cnf=False), "enable")
    check(os.path.islink(link), "the link is still a link")
    check(r.read() != orig and r.read().startswith(orig), "its target was changed")
    ok(r.run("disable", cnf=False), "disable")
    check(r.read() == orig, "restored")
    # OPENSSL_CONF decides first, under the root too
    r.write("/opt/other.cnf", DEBIAN_LIKE)
    ok(r.run("enable", cnf=False, env={"OPENSSL_CONF": "/opt/other.cnf"}), "enable")
    check(r.read("/opt/other.cnf") != DEBIAN_LIKE.encode(), "OPENSSL_CONF's file changed")
    check(r.read() == orig, "the default one not")


def case_usage(r):
    res = r.run("enable", "extra")
    check(res.returncode == 2, "extra argument: usage error", res.stderr)
    res = subprocess.run([CLI, "--help"], capture_output=True, text=True)
    check("enable" in res.stdout and "disable" in res.stdout, "--help lists them", res.stdout)
    res = subprocess.run([CLI, "enable", "--help"], capture_output=True, text=True)
    check(res.returncode == 0 and "openssl.cnf" in res.stdout, "enable --help", res.stdout)


def snapshot(path):
    st = os.stat(path)
    with open(path, "rb") as f:
        return f.read(), st.st_mtime_ns, st.st_ino


def case_root_escape(r):
    """--root resolves every component inside the root (issue 12 item 7):
    a symlinked parent with an absolute target, a relative symlink climbing
    out with .., and .. in the path itself all stay in the root. The host
    side is a decoy directory outside the root standing for the host's
    /etc/ssl; the real /etc/ssl is used only in a private mount namespace
    with a tmpfs over it, so the host's file is safe even from a regression."""
    decoy = tempfile.mkdtemp(prefix="tp-enable-host-")
    try:
        host_cnf = os.path.join(decoy, "openssl.cnf")
        with open(host_cnf, "w") as f:
            f.write(DEBIAN_LIKE)
        before = snapshot(host_cnf)
        # inside the root, the same absolute path is the image's own file
        r.write(decoy + "/openssl.cnf", DEBIAN_LIKE)
        inside = r.host(decoy + "/openssl.cnf")
        os.makedirs(r.host("/usr/lib"), exist_ok=True)
        os.symlink(decoy, r.host("/usr/lib/ssl"))                 # absolute
        os.symlink("../../../../../../../../../../.." + decoy, r.host("/etc/ssl2"))  # climbs
        for i, cnf in enumerate(["/usr/lib/ssl/openssl.cnf", "/etc/ssl2/openssl.cnf",
                                 "/etc/../../../../../../../../.." + decoy + "/openssl.cnf"]):
            res = r.run("enable", "--openssl-conf", cnf, cnf=False)
            ok(res, "enable via " + cnf)
            check(res.stdout.startswith("enabled: %s includes" % inside),
                  "the root's file is the target", res.stdout)
            check(snapshot(host_cnf) == before, "the host-side file is untouched", cnf)
            check(MARKER in r.read(decoy + "/openssl.cnf").decode(), "the root's file has it")
            ok(r.run("disable", "--openssl-conf", cnf, cnf=False), "disable via " + cnf)
            check(r.read(decoy + "/openssl.cnf") == DEBIAN_LIKE.encode(), "restored")
            check(snapshot(host_cnf) == before, "the host-side file is untouched", cnf)
        check(sorted(os.listdir(decoy)) == ["openssl.cnf"], "nothing written beside it",
              os.listdir(decoy))

        # set: etc/ a symlink to the decoy (absolute): policy.conf goes in the root
        os.makedirs(os.path.join(decoy, "tlspolicy"))
        os.makedirs(r.host(decoy + "/tlspolicy"))
        etc = r.host("/etc")
        shutil.rmtree(etc)
        os.symlink(decoy, etc)
        res = subprocess.run([CLI, "--root", r.dir, "set", "FUTURE"], capture_output=True,
                             text=True, timeout=60)
        ok(res, "set --root")
        check(os.listdir(os.path.join(decoy, "tlspolicy")) == [], "nothing in the host's",
              os.listdir(os.path.join(decoy, "tlspolicy")))
        check(os.path.exists(r.host(decoy + "/tlspolicy/policy.conf")), "policy.conf in the root",
              res.stdout, res.stderr)
    finally:
        shutil.rmtree(decoy, ignore_errors=True)

    # The Debian shape with the real path: usr/lib/ssl -> /etc/ssl, in a mount
    # namespace where /etc/ssl is a fresh tmpfs holding a sentinel.
    if os.geteuid() != 0 or not shutil.which("unshare"):
        print("# no mount namespace: the /etc/ssl variant is skipped")
        return
    root2 = tempfile.mkdtemp(prefix="tp-enable-etcssl-")
    try:
        shutil.copytree(r.host(DATADIR), root2 + DATADIR)
        shutil.copytree(r.host(MODULESDIR), root2 + MODULESDIR)
        os.makedirs(root2 + "/etc/ssl")
        with open(root2 + "/etc/ssl/openssl.cnf", "w") as f:
            f.write(DEBIAN_LIKE)
        os.makedirs(root2 + "/usr/lib", exist_ok=True)
        os.symlink("/etc/ssl", root2 + "/usr/lib/ssl")
        script = ('mount -t tmpfs tp /etc/ssl || exit 99; printf "%s" "$3" > /etc/ssl/openssl.cnf;'
                  ' "$1" --root "$2" enable --openssl-conf /usr/lib/ssl/openssl.cnf; echo "rc=$?";'
                  ' echo "---"; ls -a /etc/ssl; cat /etc/ssl/openssl.cnf')
        res = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script,
                              "sh", CLI, root2, DEBIAN_LIKE], capture_output=True, text=True,
                             timeout=60)
        if res.returncode == 99:
            print("# cannot mount in a namespace here: the /etc/ssl variant is skipped")
            return
        out, _, after = res.stdout.partition("---\n")
        check("enabled: %s/etc/ssl/openssl.cnf includes" % root2 in out and "rc=0" in out,
              "the root's etc/ssl/openssl.cnf is the target", res.stdout, res.stderr)
        check(after == ".\n..\nopenssl.cnf\n" + DEBIAN_LIKE,
              "/etc/ssl (the namespace's stand-in for the host's) untouched", after)
        with open(root2 + "/etc/ssl/openssl.cnf") as f:
            check(MARKER in f.read(), "the root's file has the include")
    finally:
        shutil.rmtree(root2, ignore_errors=True)


def case_root_missing(r):
    """A --root that does not exist, or is not a directory: enable, disable
    and set refuse it by name (exit 1) and create nothing."""
    missing = r.host("/missing/image")
    notdir = r.host("/a-file")
    r.write("/a-file", "not a directory\n")
    before = sorted(os.walk(r.dir))
    e = dict(os.environ)
    e.pop("OPENSSL_CONF", None)
    for root, why in ((missing, "No such file or directory"), (notdir, "Not a directory")):
        for args in (["enable"], ["enable", "--gnutls-only"], ["enable", "--no-gnutls"],
                     ["disable"], ["disable", "--gnutls-only"], ["set", "FUTURE"]):
            for argv in ([CLI, "--root", root] + args, [CLI] + args + ["--root", root]):
                res = subprocess.run(argv, capture_output=True, text=True, env=e, timeout=60)
                what = " ".join(argv[1:])
                check(res.returncode == 1, what + ": exit 1", res.returncode, res.stdout,
                      res.stderr)
                check(res.stderr == "tlspolicy %s: --root %s: %s\n" % (args[0], root, why),
                      what + ": names the root", res.stderr)
                check(res.stdout == "", what + ": nothing else said", res.stdout)
                check(sorted(os.walk(r.dir)) == before, what + ": nothing created",
                      os.path.exists(r.host("/missing")))


CASES = {
    "idempotent": (case_idempotent, {}),
    "restore": (case_restore, {}),
    "no_newline": (case_no_newline, {}),
    "mode_owner": (case_mode_owner, {}),
    "edited_after": (case_edited_after, {}),
    "module_missing": (case_module_missing, {"module": False}),
    "snippet_missing": (case_snippet_missing, {}),
    "parse_failure": (case_parse_failure, {}),
    "unparseable_original": (case_unparseable_original, {}),
    "fifo_cnf": (case_fifo_cnf, {}),
    "hijack_detected": (case_hijack_detected, {}),
    "other_section": (case_other_section, {}),
    "no_openssl_conf": (case_no_openssl_conf, {}),
    "hand_wired": (case_hand_wired, {}),
    "misplaced": (case_misplaced, {}),
    "default_location": (case_default_location, {}),
    "usage": (case_usage, {}),
    "root_escape": (case_root_escape, {}),
    "root_missing": (case_root_missing, {}),
    "nodejs": (case_nodejs, {}),
    "nodejs_set": (case_nodejs_set, {}),
    "nodejs_old_enable": (case_nodejs_old_enable, {}),
}


def main():
    names = [GROUP] if GROUP else list(CASES)
    failed = 0
    for n in names:
        fn, kw = CASES[n]
        r = Root(**kw)
        try:
            fn(r)
            print("ok", n)
        except Exception:
            failed += 1
            print("not ok", n)
            traceback.print_exc()
        finally:
            r.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
