#!/usr/bin/env python3
"""The GnuTLS back-end with real GnuTLS programs: gnutls-cli, wget, git, and
apt's https method (apt-helper download-file).

Every case exports the policy (`tlspolicy export gnutls`) into a temporary
directory and points GNUTLS_SYSTEM_PRIORITY_FILE at it; /etc is never
touched. Stock `openssl s_server` processes (empty private OPENSSL_CONF, no
module) on 127.0.0.1 play the servers; each client attempt runs twice,
against the same server: once with no GnuTLS configuration (it must
connect: the row is a real weakness the program accepts) and once under
the exported file (it must be refused, or for modern servers still work).

    test_gnutls.py TLSPOLICY DATADIR CASE   (exit 0 pass, 1 fail, 77 skip)

Cases: strict_load, json, handshakes_DEFAULT, handshakes_NO-CBC,
handshakes_FUTURE, handshakes_TLS13-ONLY, enable_roundtrip, enable_foreign,
enable_unreadable, disable_unreadable_backup.
"""
import json
import os
import stat
import shutil
import socket
import subprocess
import sys
import tempfile
import time

CLI, DATADIR, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
OPENSSL = shutil.which("openssl") or "openssl"
APT_HELPER = "/usr/lib/apt/apt-helper"
SKIP = 77


def check(cond, what, *details):
    if not cond:
        msg = "FAIL: " + what
        for d in details:
            msg += "\n----\n" + (d if isinstance(d, str) else repr(d))
        raise AssertionError(msg)


def run(argv, env=None, timeout=30, stdin=subprocess.DEVNULL, cwd=None):
    return subprocess.run(argv, env=env, stdin=stdin, capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def export(tmp, spec, extra=()):
    pol = os.path.join(tmp, "policy-%s.conf" % spec.replace(":", "_"))
    with open(pol, "w") as f:
        f.write('profile = "%s";\n' % spec)
    r = run([CLI, "export", "gnutls", "--policy", pol] + list(extra),
            env=dict(os.environ, TLSPOLICY_DATADIR=DATADIR))
    check(r.returncode == 0, "export %s exits 0" % spec, r.stdout, r.stderr)
    return r.stdout


def gnutls_env(cfg):
    env = dict(os.environ)
    env.pop("GNUTLS_SYSTEM_PRIORITY_FILE", None)
    if cfg is None:
        env["GNUTLS_SYSTEM_PRIORITY_FILE"] = "/nonexistent/tlspolicy-test"
    else:
        env["GNUTLS_SYSTEM_PRIORITY_FILE"] = cfg
        env["GNUTLS_SYSTEM_PRIORITY_FAIL_ON_INVALID"] = "1"
    return env


def loads_strictly(cfg):
    env = gnutls_env(cfg)
    env["GNUTLS_DEBUG_LEVEL"] = "2"
    r = run(["gnutls-cli", "--list"], env=env)
    return r.returncode == 0 and ("cfg: loaded system config " + cfg) in r.stderr, r


# ---- strict loading -------------------------------------------------------------

def case_strict_load(tmp):
    profiles = sorted(f[:-5] for f in os.listdir(os.path.join(DATADIR, "profiles")))
    modifiers = sorted(f[:-5] for f in os.listdir(os.path.join(DATADIR, "modifiers")))
    check(len(profiles) >= 3 and len(modifiers) >= 3, "profiles and modifiers found",
          profiles, modifiers)
    specs = profiles + ["%s:%s" % (p, m) for p in profiles for m in modifiers]
    for spec in specs:
        text = export(tmp, spec)
        cfg = os.path.join(tmp, spec.replace(":", "_") + ".cfg")
        with open(cfg, "w") as f:
            f.write(text)
        ok, r = loads_strictly(cfg)
        check(ok, "%s: the exported file loads with FAIL_ON_INVALID=1" % spec, text, r.stderr[-3000:])
        check("override-mode = blocklist" in text, "%s: blocklist mode" % spec, text)
    # and a broken one is refused by the same check (the check can fail)
    bad = os.path.join(tmp, "bad.cfg")
    with open(bad, "w") as f:
        f.write(export(tmp, "DEFAULT") + "tls-disabled-cipher = NO-SUCH-CIPHER\n")
    ok, r = loads_strictly(bad)
    check(not ok, "a file with an unknown name is refused in strict mode", r.stderr[-2000:])
    print("%d profile/modifier combinations load strictly" % len(specs))


def case_json(tmp):
    text = export(tmp, "DEFAULT")
    js = json.loads(export(tmp, "DEFAULT", ["--json"]))
    check(js["schema"] == 1 and js["text"] == text, "--json carries the same text", js)
    check(js["min_verification_profile"] == "medium", "DEFAULT: profile medium", js)
    ov = js["overrides"]
    check("TLS1.0" in ov["disabled-version"] and "TLS1.2" not in ov["disabled-version"],
          "versions below 1.2 disabled, 1.2 kept", ov["disabled-version"])
    check("SHA1" in ov["insecure-hash"] and "RSA-SHA1" in ov["insecure-sig-for-cert"],
          "SHA-1 insecure", ov)
    check(any("verification" in n or "key sizes" in n for n in js["not_expressible"]),
          "what GnuTLS cannot express is listed", js["not_expressible"])
    # application rules: one file for every program, said so in the file
    pol = os.path.join(tmp, "apps.conf")
    with open(pol, "w") as f:
        f.write('profile = "DEFAULT";\napplications = ( { match = "curl"; '
                'tls = { min_version = "TLSv1.3"; }; } );\n')
    env = dict(os.environ, TLSPOLICY_DATADIR=DATADIR)
    r = run([CLI, "export", "gnutls", "--policy", pol], env=env)
    check(r.returncode == 0 and "#   - 1 application rule(s): GnuTLS reads one file" in r.stdout
          and "\ndisabled-version = TLS1.2\n" not in r.stdout,
          "system-wide rendering, the rule noted", r.stdout, r.stderr)
    r = run([CLI, "export", "gnutls", "--policy", pol, "--app", "curl"], env=env)
    check(r.returncode == 0 and "\ndisabled-version = TLS1.2\n" in r.stdout
          and 'rendered for program "curl"' in r.stdout, "--app curl: its rule applied, noted",
          r.stdout)
    r = run([CLI, "export", "nss"])
    check(r.returncode == 2 and "only gnutls" in r.stderr, "export nss is a usage error",
          r.stderr)


# ---- PKI and servers ---------------------------------------------------------------

def ossl(args, cwd):
    r = run([OPENSSL] + args, env=dict(os.environ, OPENSSL_CONF=os.path.join(cwd, "empty.cnf")),
            cwd=cwd)
    check(r.returncode == 0, "openssl " + " ".join(args), r.stderr)


def make_pki(d):
    open(os.path.join(d, "empty.cnf"), "w").close()
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName = IP:127.0.0.1\nbasicConstraints = CA:FALSE\n")
    ossl(["req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=tlspolicy test CA",
          "-days", "2", "-sha256", "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,keyCertSign"], d)
    for name, key, md in (("ec", ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "sha256"),
                          ("sha1", ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "sha1"),
                          ("rsa1024", ["rsa:1024"], "sha256")):
        ossl(["req", "-new", "-newkey"] + key + ["-nodes", "-keyout", name + ".key",
             "-out", name + ".csr", "-subj", "/CN=127.0.0.1"], d)
        ossl(["x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
              "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-" + md,
              "-extfile", "ext.cnf"], d)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    def __init__(self, d, cert, args):
        self.port = free_port()
        env = dict(os.environ, OPENSSL_CONF=os.path.join(d, "empty.cnf"))
        self.proc = subprocess.Popen(
            [OPENSSL, "s_server", "-accept", "127.0.0.1:%d" % self.port, "-www", "-quiet",
             "-cert", os.path.join(d, cert + ".pem"), "-key", os.path.join(d, cert + ".key")]
            + args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise AssertionError("FAIL: s_server %s exited: %s"
                                         % (args, self.proc.stderr.read()))
                time.sleep(0.05)
        raise AssertionError("FAIL: s_server %s does not listen" % args)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


# apt's https method wants a real HTTP server (s_server -www makes it time
# out): Python's http.server over ssl, with its own empty OPENSSL_CONF too.
PY_HTTPS = r"""
import http.server, ssl, sys, os
port, cert, key, ver = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
os.chdir(sys.argv[5])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
v = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
     "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[ver]
ctx.minimum_version = ctx.maximum_version = v
ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
ctx.load_cert_chain(cert, key)
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", port), H)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
s.serve_forever()
"""


class PyServer(object):
    def __init__(self, d, cert, ver):
        self.port = free_port()
        env = dict(os.environ, OPENSSL_CONF=os.path.join(d, "empty.cnf"))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", PY_HTTPS, str(self.port), os.path.join(d, cert + ".pem"),
             os.path.join(d, cert + ".key"), ver, os.path.join(d, "www")], env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise AssertionError("FAIL: https server exited: " + self.proc.stderr.read())
                time.sleep(0.05)
        raise AssertionError("FAIL: https server does not listen")

    def stop(self):
        self.proc.kill()
        self.proc.wait()


APT_SERVERS = {"tls1.0": ("ec", "1.0"), "tls1.1": ("ec", "1.1"), "rsa1024": ("rsa1024", "1.2"),
               "modern-1.2": ("ec", "1.2"), "modern-1.3": ("ec", "1.3")}
APT_BODY = "tlspolicy apt test\n"

LOW = ["-cipher", "DEFAULT:@SECLEVEL=0"]
SERVERS = {
    "tls1.0": ("ec", ["-tls1"] + LOW),
    "tls1.1": ("ec", ["-tls1_1"] + LOW),
    "sha1-chain": ("sha1", LOW),
    "rsa1024": ("rsa1024", LOW),
    "camellia": ("ec", ["-tls1_2", "-cipher", "ECDHE-ECDSA-CAMELLIA128-SHA256:@SECLEVEL=0"]),
    "aes-cbc": ("ec", ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"]),
    "aes128gcm-1.2": ("ec", ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"]),
    "aes128gcm-1.3": ("ec", ["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"]),
    # OpenSSL >= 3.2 counts CCM_8 as 64-bit security: refused above level 0
    "ccm8-1.3": ("ec", ["-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_8_SHA256"] + LOW),
    "modern-1.2": ("ec", ["-tls1_2"]),
    "modern-1.3": ("ec", ["-tls1_3"]),
}

# (server, client, what the client asks for itself)
ROWS = {
    "tls1.0": [("gnutls-cli", "NORMAL:+VERS-TLS1.0"), ("wget", "--secure-protocol=TLSv1"),
               ("git", "tlsv1.0")],
    "tls1.1": [("gnutls-cli", "NORMAL:+VERS-TLS1.1"), ("wget", "--secure-protocol=TLSv1_1"),
               ("git", "tlsv1.1")],
    "sha1-chain": [("gnutls-cli", "NORMAL:%VERIFY_ALLOW_SIGN_WITH_SHA1")],
    "rsa1024": [("gnutls-cli", "NORMAL:%PROFILE_VERY_WEAK"), ("wget", None), ("git", None)],
    # GnuTLS 3.7's NORMAL has neither Camellia nor HMAC-SHA256: asked for
    "camellia": [("gnutls-cli", "NORMAL:+CAMELLIA-128-CBC:+SHA256"),
                 ("wget", "--ciphers=NORMAL:+CAMELLIA-128-CBC:+SHA256")],
    "aes-cbc": [("gnutls-cli", "NORMAL"), ("wget", None), ("git", None)],
    "aes128gcm-1.2": [("gnutls-cli", "NORMAL:+AES-128-GCM"), ("wget", None), ("git", None)],
    "aes128gcm-1.3": [("gnutls-cli", "NORMAL:+AES-128-GCM"), ("wget", None), ("git", None)],
    "ccm8-1.3": [("gnutls-cli", "NORMAL:+AES-128-CCM-8")],
    "modern-1.2": [("gnutls-cli", None), ("wget", None), ("git", None)],
    "modern-1.3": [("gnutls-cli", None), ("wget", None), ("git", None)],
}

# profile -> (rows refused, rows that work)
PLANS = {
    "DEFAULT": (["tls1.0", "tls1.1", "sha1-chain", "rsa1024", "camellia"],
                ["modern-1.2", "modern-1.3"]),
    "NO-CBC": (["tls1.0", "tls1.1", "sha1-chain", "rsa1024", "aes-cbc"],
               ["modern-1.2", "modern-1.3"]),
    "FUTURE": (["tls1.0", "tls1.1", "sha1-chain", "rsa1024", "aes128gcm-1.2", "aes128gcm-1.3"],
               ["modern-1.2", "modern-1.3"]),
    "TLS13-ONLY": (["tls1.0", "tls1.1", "sha1-chain", "rsa1024", "modern-1.2", "ccm8-1.3"],
                   ["modern-1.3"]),
}
SPECS = {"DEFAULT": "DEFAULT", "NO-CBC": "DEFAULT:NO-CBC", "FUTURE": "FUTURE",
         "TLS13-ONLY": "DEFAULT:TLS13-ONLY"}


def attempt(d, client, ask, port, cfg):
    """Run one client once. Returns (connected, evidence)."""
    env = gnutls_env(cfg)
    env["HOME"] = d
    ca = os.path.join(d, "ca.pem")
    if client == "gnutls-cli":
        argv = ["gnutls-cli", "--x509cafile", ca, "-p", str(port), "127.0.0.1"]
        if ask:
            argv[1:1] = ["--priority", ask]
        r = run(argv, env=env)
        ok = r.returncode == 0 and "- Handshake was completed" in r.stdout
        return ok, "rc=%d\n%s\n%s" % (r.returncode, r.stdout[-1500:], r.stderr[-1500:])
    if client == "apt":
        # apt's https method (GnuTLS) through apt-helper, apart from the host's apt config
        open(os.path.join(d, "apt.conf"), "w").close()
        os.makedirs(os.path.join(d, "apt.conf.d"), exist_ok=True)
        env["APT_CONFIG"] = os.path.join(d, "apt.conf")
        out = os.path.join(d, "apt.out")
        if os.path.exists(out):
            os.unlink(out)
        argv = [APT_HELPER, "-o", "Dir::Etc::Parts=" + os.path.join(d, "apt.conf.d"),
                "-o", "Acquire::https::CaInfo=" + ca, "-o", "Acquire::Retries=0",
                "-o", "Acquire::https::Timeout=20", "-o", "APT::Sandbox::User=root",
                "download-file", "https://127.0.0.1:%d/x" % port, out]
        r = run(argv, env=env, timeout=60)
        got = open(out).read() if os.path.exists(out) else None
        return (r.returncode == 0 and got == APT_BODY,
                "rc=%d\n%s\n%s" % (r.returncode, r.stdout[-1500:], r.stderr[-1500:]))
    if client == "wget":
        argv = ["wget", "-O", "/dev/null", "--tries=1", "--timeout=10", "--ca-certificate",
                ca, "https://127.0.0.1:%d/" % port]
        if ask:
            argv.insert(1, ask)
        r = run(argv, env=env)
        ok = r.returncode == 0 and "200" in r.stderr
        return ok, "rc=%d\n%s" % (r.returncode, r.stderr[-2000:])
    # git: s_server answers HTTP, not git: past TLS, git reports the reply
    env.update(GIT_SSL_CAINFO=ca, GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1")
    argv = ["git"]
    if ask:
        argv += ["-c", "http.sslVersion=" + ask]
    argv += ["ls-remote", "https://127.0.0.1:%d/repo.git" % port]
    r = run(argv, env=env)
    return ("not valid: is this a git repository?" in r.stderr,
            "rc=%d\n%s" % (r.returncode, r.stderr[-2000:]))


def case_handshakes(tmp, name):
    for prog in ("gnutls-cli", "wget", "git"):
        if not shutil.which(prog):
            print("%s not installed" % prog)
            return SKIP
    spec = SPECS[name]
    refused, work = PLANS[name]
    cfg = os.path.join(tmp, "gnutls.config")
    with open(cfg, "w") as f:
        f.write(export(tmp, spec))
    make_pki(tmp)
    servers = {}
    n = 0
    try:
        for row in refused + work:
            cert, args = SERVERS[row]
            servers[row] = Server(tmp, cert, args)
        for row in refused + work:
            for client, ask in ROWS[row]:
                port = servers[row].port
                ok0, ev0 = attempt(tmp, client, ask, port, None)
                check(ok0, "%s: %s %s connects to the %s server with no GnuTLS configuration"
                      % (name, client, ask or "", row), ev0)
                ok1, ev1 = attempt(tmp, client, ask, port, cfg)
                if row in refused:
                    check(not ok1, "%s: %s %s is refused by the %s server's weakness under "
                          "the policy" % (name, client, ask or "", row), ev1)
                    if client == "git":
                        check("gnutls_handshake() failed" in ev1
                              or "server certificate verification failed" in ev1,
                              "git reports GnuTLS's refusal", ev1)
                    if client == "wget":
                        check("GnuTLS: " in ev1 or "Unable to establish SSL connection" in ev1
                              or "certificate" in ev1, "wget reports the TLS failure", ev1)
                else:
                    check(ok1, "%s: %s %s still works with the %s server under the policy"
                          % (name, client, ask or "", row), ev1)
                n += 2
        # apt (its https method links GnuTLS), against Python's https server
        if os.access(APT_HELPER, os.X_OK):
            os.makedirs(os.path.join(tmp, "www"), exist_ok=True)
            with open(os.path.join(tmp, "www", "x"), "w") as f:
                f.write(APT_BODY)
            for row in refused + work:
                if row not in APT_SERVERS:
                    continue
                cert, ver = APT_SERVERS[row]
                srv = PyServer(tmp, cert, ver)
                servers["apt-" + row] = srv
                ok0, ev0 = attempt(tmp, "apt", None, srv.port, None)
                check(ok0, "%s: apt downloads from the %s server with no GnuTLS configuration"
                      % (name, row), ev0)
                ok1, ev1 = attempt(tmp, "apt", None, srv.port, cfg)
                if row in refused:
                    check(not ok1 and ("Could not handshake" in ev1 or "certificate" in ev1),
                          "%s: apt is refused by the %s server under the policy" % (name, row),
                          ev1)
                else:
                    check(ok1, "%s: apt still downloads from the %s server under the policy"
                          % (name, row), ev1)
                n += 2
    finally:
        for s in servers.values():
            s.stop()
    print("%s: %d client runs as expected" % (name, n))


# ---- enable / disable in a private root --------------------------------------------

def tree(root):
    out = {}
    for base, _, files in os.walk(root):
        for f in files:
            p = os.path.join(base, f)
            mode = os.lstat(p).st_mode
            if stat.S_ISFIFO(mode):  # never opened: nobody writes to it
                out[os.path.relpath(p, root)] = "fifo"
                continue
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def make_root(tmp):
    root = os.path.join(tmp, "root")
    os.makedirs(os.path.join(root, "etc", "tlspolicy"))
    os.makedirs(os.path.join(root, "etc", "ssl"))
    with open(os.path.join(root, "etc", "tlspolicy", "policy.conf"), "w") as f:
        f.write('profile = "DEFAULT";\n')
    return root


def wire(root, verb, *extra):
    env = dict(os.environ, TLSPOLICY_DATADIR=DATADIR)
    env.pop("TLSPOLICY_CONF", None)
    return run([CLI, verb, "--root", root, "--gnutls-only"] + list(extra), env=env)


def case_enable_roundtrip(tmp):
    root = make_root(tmp)
    before = tree(root)
    r = wire(root, "enable")
    check(r.returncode == 0, "enable exits 0", r.stdout, r.stderr)
    cfg = os.path.join(root, "etc", "gnutls", "config")
    check(os.path.isfile(cfg), "enable wrote etc/gnutls/config under the root", r.stdout)
    with open(cfg) as f:
        text = f.read()
    check(text == export(tmp, "DEFAULT"), "the installed file is what export prints")
    ok, lr = loads_strictly(cfg)
    check(ok, "the installed file loads strictly", lr.stderr[-2000:])
    r2 = wire(root, "enable")
    check(r2.returncode == 0 and "already enabled" in r2.stdout, "enable is idempotent",
          r2.stdout)
    st = run([CLI, "status", "--root", root, "--json"], env=dict(os.environ, TLSPOLICY_DATADIR=DATADIR))
    js = json.loads(st.stdout)
    check(js["gnutls"]["state"] == "matches", "status: the GnuTLS file matches", st.stdout)
    # set regenerates it
    env = dict(os.environ, TLSPOLICY_DATADIR=DATADIR)
    rs = run([CLI, "set", "--root", root, "FUTURE"], env=env)
    check(rs.returncode == 0 and "GnuTLS" in rs.stdout, "set regenerates the GnuTLS file",
          rs.stdout, rs.stderr)
    with open(cfg) as f:
        check("min-verification-profile = high" in f.read(), "FUTURE's profile is in it")
    st = run([CLI, "status", "--root", root, "--json"], env=env)
    check(json.loads(st.stdout)["gnutls"]["state"] == "matches", "status after set: matches",
          st.stdout)
    with open(cfg, "a") as f:
        f.write("# edited\n")
    st = run([CLI, "status", "--root", root, "--json"], env=env)
    check(json.loads(st.stdout)["gnutls"]["state"] == "stale", "status: an edited file is stale",
          st.stdout)
    rs = run([CLI, "set", "--root", root, "DEFAULT"], env=env)
    check(rs.returncode == 0, "set back to DEFAULT", rs.stdout, rs.stderr)
    r3 = wire(root, "disable")
    check(r3.returncode == 0 and "removed" in r3.stdout, "disable removes it", r3.stdout, r3.stderr)
    after = tree(root)
    check(after == before, "enable/disable round trip is byte-identical",
          sorted(set(after) ^ set(before)))


def case_enable_foreign(tmp):
    root = make_root(tmp)
    os.makedirs(os.path.join(root, "etc", "gnutls"))
    cfg = os.path.join(root, "etc", "gnutls", "config")
    foreign = b"[overrides]\ntls-disabled-cipher = CAMELLIA-128-CBC\n"
    with open(cfg, "wb") as f:
        f.write(foreign)
    before = tree(root)
    r = wire(root, "enable")
    check(r.returncode == 0 and "not written by tlspolicy; kept" in r.stdout,
          "enable keeps and reports a foreign file", r.stdout, r.stderr)
    check(tree(root) == before, "nothing changed")
    r = wire(root, "disable")
    check(r.returncode == 0 and tree(root) == before, "disable leaves a foreign file alone",
          r.stdout)
    r = wire(root, "enable", "--gnutls-replace")
    check(r.returncode == 0 and "backup" in r.stdout, "--gnutls-replace replaces it", r.stdout,
          r.stderr)
    with open(cfg) as f:
        check(f.read().startswith("# Generated by tlspolicy"), "ours is in place")
    r = wire(root, "disable")
    check(r.returncode == 0 and "restored" in r.stdout, "disable restores", r.stdout, r.stderr)
    check(tree(root) == before, "the foreign file is back byte for byte")
    # a symbolic link (as crypto-policies makes): kept unless told; the link
    # itself comes back
    other = os.path.join(root, "etc", "gnutls", "other.config")
    with open(other, "wb") as f:
        f.write(foreign)
    os.unlink(cfg)
    os.symlink("other.config", cfg)
    before = tree(root)
    r = wire(root, "enable")
    check(r.returncode == 0 and "symbolic link" in r.stdout and os.path.islink(cfg),
          "a symbolic link is kept", r.stdout)
    r = wire(root, "enable", "--gnutls-replace")
    check(r.returncode == 0 and not os.path.islink(cfg), "--gnutls-replace replaces the link",
          r.stdout, r.stderr)
    r = wire(root, "disable")
    check(r.returncode == 0 and os.path.islink(cfg) and os.readlink(cfg) == "other.config"
          and tree(root) == before, "disable puts the link back", r.stdout, r.stderr)
    os.unlink(cfg)
    os.unlink(other)
    # crypto-policies owns the configuration: left alone unless told
    cp = os.path.join(root, "etc", "crypto-policies", "back-ends")
    os.makedirs(cp)
    with open(os.path.join(cp, "gnutls.config"), "w") as f:
        f.write("[global]\noverride-mode = allowlist\n")
    r = wire(root, "enable")
    check(r.returncode == 0 and "crypto-policies" in r.stdout and not os.path.exists(cfg),
          "crypto-policies' configuration is left alone", r.stdout)


def case_enable_unreadable(tmp):
    """A configuration file that cannot be read (here a directory): enable
    says why, with or without --gnutls-conf, and changes nothing."""
    root = make_root(tmp)
    cfg = os.path.join(root, "etc", "gnutls", "config")
    os.makedirs(cfg)
    before = tree(root)
    for extra in ((), ("--gnutls-conf", "/etc/gnutls/config")):
        r = wire(root, "enable", *extra)
        check(r.returncode == 1, "enable %s exits 1" % (extra or "(default path)",), r.stdout, r.stderr)
        check(r.stderr == "tlspolicy enable: GnuTLS: %s: Is a directory; not changed\n" % cfg,
              "enable %s says why the file cannot be read" % (extra or "(default path)",), r.stderr)
        check(r.stdout == "", "nothing else said", r.stdout)
        check(tree(root) == before and os.listdir(cfg) == [], "nothing changed")
    # a FIFO planted there: refused at once (it used to block in open())
    os.rmdir(cfg)
    os.mkfifo(cfg)
    before = tree(root)
    r = wire(root, "enable")
    check(r.returncode == 1, "enable on a FIFO exits 1", r.stdout, r.stderr)
    check(r.stderr == "tlspolicy enable: GnuTLS: %s: Invalid argument; not changed\n" % cfg,
          "enable on a FIFO says it cannot be read", r.stderr)
    check(tree(root) == before, "nothing changed")


def case_disable_unreadable_backup(tmp):
    """The backup of the file enable replaced cannot be read (here a
    directory): disable keeps tlspolicy's file and the backup, and says so."""
    root = make_root(tmp)
    r = wire(root, "enable")
    check(r.returncode == 0, "enable exits 0", r.stdout, r.stderr)
    cfg = os.path.join(root, "etc", "gnutls", "config")
    bak = cfg + ".tlspolicy-bak"
    os.makedirs(bak)
    before = tree(root)
    r = wire(root, "disable")
    check(r.returncode == 1, "disable exits 1", r.stdout, r.stderr)
    check(r.stderr == "tlspolicy disable: GnuTLS: %s: Is a directory; %s not changed\n"
          % (bak, cfg), "disable names the unreadable backup", r.stderr)
    check(r.stdout == "", "nothing else said", r.stdout)
    check(tree(root) == before and os.listdir(bak) == [], "nothing changed",
          sorted(set(tree(root)) ^ set(before)))


def case_coverage(tmp):
    """coverage --root: gnutls-cli processes against tlspolicy's GnuTLS file."""
    root = make_root(tmp)
    r = wire(root, "enable")
    check(r.returncode == 0, "enable", r.stdout, r.stderr)
    cfg = os.path.join(root, "etc", "gnutls", "config")
    make_pki(tmp)
    srv = Server(tmp, "ec", ["-tls1_3"])
    procs = []
    try:
        def start(env_file):
            env = gnutls_env(env_file)
            env.pop("GNUTLS_SYSTEM_PRIORITY_FAIL_ON_INVALID", None)
            if env_file is None:
                env.pop("GNUTLS_SYSTEM_PRIORITY_FILE")
            p = subprocess.Popen(["gnutls-cli", "--insecure", "-p", str(srv.port), "127.0.0.1"],
                                 env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            procs.append(p)
            for _ in range(200):
                try:
                    with open("/proc/%d/maps" % p.pid) as f:
                        if "libgnutls" in f.read():
                            return p
                except OSError:
                    pass
                time.sleep(0.05)
            raise AssertionError("FAIL: gnutls-cli does not map libgnutls")

        plain = start(None)
        own = start("/dev/null")
        env = dict(os.environ, TLSPOLICY_DATADIR=DATADIR)

        def cov():
            c = run([CLI, "coverage", "--root", root, "--json"], env=env)
            return c, {p["pid"]: p for p in json.loads(c.stdout)["processes"]}

        c, by = cov()
        check(by[plain.pid]["status"] == "covered", "a gnutls-cli started after the file is "
              "covered", by.get(plain.pid))
        check(by[own.pid]["status"] == "uncovered" and
              "own GNUTLS_SYSTEM_PRIORITY_FILE=/dev/null" in by[own.pid]["reason"],
              "its own GNUTLS_SYSTEM_PRIORITY_FILE is uncovered", by.get(own.pid))
        check(c.returncode == 1, "an uncovered GnuTLS process makes the exit status 1", c.stdout)
        # the file written after the process started (mtime in the future)
        later = time.time() + 100
        os.utime(cfg, (later, later))
        c, by = cov()
        check(by[plain.pid]["status"] == "uncovered" and
              "started before" in by[plain.pid]["reason"],
              "a process older than the file is uncovered", by.get(plain.pid))
        os.unlink(cfg)
        c, by = cov()
        check(by[plain.pid]["status"] == "uncovered" and "no " in by[plain.pid]["reason"],
              "without the file: uncovered", by.get(plain.pid))
    finally:
        for p in procs:
            p.kill()
            p.wait()
        srv.stop()


def case_probe(tmp):
    """probe --gnutls-conf: every forbidden thing refused, modern works; an
    empty configuration is reported as not enforcing."""
    if not shutil.which("gnutls-serv"):
        print("gnutls-serv not installed")
        return SKIP
    env = dict(os.environ, TLSPOLICY_DATADIR=DATADIR)
    pol = os.path.join(tmp, "policy.conf")
    with open(pol, "w") as f:
        f.write('profile = "DEFAULT";\n')
    cfg = os.path.join(tmp, "gnutls.config")
    with open(cfg, "w") as f:
        f.write(export(tmp, "DEFAULT"))

    def probe(conf):
        r = run([CLI, "probe", "--policy", pol, "--openssl-conf", "/dev/null", "--gnutls-conf",
                 conf, "--json"], env=env, timeout=120)
        return r, json.loads(r.stdout)["gnutls"]

    r, g = probe(cfg)
    check(g["probed"] and len(g["attempts"]) >= 6, "GnuTLS probed", r.stdout[-3000:])
    want = {"version TLS1.0": "refused", "version TLS1.1": "refused",
            "TLS 1.3, program defaults": "works", "TLS 1.2, program defaults": "works"}
    got = {a["what"]: a["result"] for a in g["attempts"]}
    for k, v in want.items():
        check(got.get(k) == v, "probe: %s %s" % (k, v), got)
    check(all(a["without_config"] == "connected" for a in g["attempts"]),
          "every attempt connects without the configuration", g)
    check(all(a["result"] == a["expect"] for a in g["attempts"]) and g["problems"] == 0,
          "every attempt as the policy says", g)
    check(any(a["what"].startswith("SHA-1") for a in g["attempts"]) and
          any(a["what"].startswith("RSA-1024") for a in g["attempts"]) and
          any(a["what"].startswith("cipher ") for a in g["attempts"]),
          "SHA-1 chain, short key and a cipher tried", got)
    empty = os.path.join(tmp, "empty.config")
    open(empty, "w").close()
    r, g = probe(empty)
    check(g["problems"] >= 4 and r.returncode == 1, "an empty GnuTLS configuration: not enforced",
          r.stdout[-3000:])
    check(sum(a["result"] == "NOT ENFORCED" for a in g["attempts"]) >= 4, "NOT ENFORCED rows", g)


def case_no_gnutls(tmp):
    """Without libgnutls.so.30 (hidden in a private mount namespace): the
    static table of GnuTLS 3.7, said so; on 3.7.9 the same file otherwise."""
    lib = None
    for d in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64"):
        if os.path.exists(os.path.join(d, "libgnutls.so.30")):
            lib = os.path.realpath(os.path.join(d, "libgnutls.so.30"))
            break
    if lib is None or os.geteuid() != 0 or not shutil.which("unshare"):
        print("needs root, unshare and libgnutls.so.30")
        return SKIP
    pol = os.path.join(tmp, "policy.conf")
    with open(pol, "w") as f:
        f.write('profile = "DEFAULT";\n')
    env = dict(os.environ, TLSPOLICY_DATADIR=DATADIR)
    script = 'mount --bind /dev/null "$1" && exec "$2" export gnutls --policy "$3"'
    r = run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", lib, CLI,
             pol], env=env)
    if r.returncode != 0 and "mount" in r.stderr:
        print("cannot bind-mount here: " + r.stderr)
        return SKIP
    check(r.returncode == 0, "export without GnuTLS exits 0", r.stderr)
    check("the static table of GnuTLS 3.7" in r.stdout and "static table" in r.stderr,
          "says the names come from the static table", r.stdout[:600], r.stderr)
    with_lib = export(tmp, "DEFAULT")
    check("libgnutls.so.30" in with_lib.splitlines()[2], "with the library: says so",
          with_lib[:400])
    if "3.7.9" in with_lib.splitlines()[2]:
        strip = lambda t: [l for l in t.splitlines() if not l.startswith("# Names checked")]
        check(strip(r.stdout) == strip(with_lib), "the static table renders the same file as "
              "GnuTLS 3.7.9 itself")
    cfg = os.path.join(tmp, "static.cfg")
    with open(cfg, "w") as f:
        f.write(r.stdout)
    ok, lr = loads_strictly(cfg)
    check(ok, "the static rendering loads strictly", lr.stderr[-2000:])


def main():
    tmp = tempfile.mkdtemp(prefix="tp-gnutls-")
    try:
        if not shutil.which("gnutls-cli"):
            print("gnutls-cli not installed")
            return SKIP
        if CASE.startswith("handshakes_"):
            return case_handshakes(tmp, CASE[len("handshakes_"):]) or 0
        fn = globals().get("case_" + CASE)
        if fn is None:
            print("unknown case " + CASE)
            return 2
        return fn(tmp) or 0
    except AssertionError as e:
        print(e)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
