#!/usr/bin/env python3
"""Integration tests of the tlspolicy config module with real programs.

Every case writes its own openssl.cnf (the wiring of docs/DESIGN.md's Contract:
our section last, `path` = the built tlspolicy.so) and policy into a
temporary directory, runs real programs (tp_probe, openssl, curl, python3)
against servers on 127.0.0.1 that it starts and stops by pid, and asserts
what a user sees: exit status, negotiated version, the exact error.

Syslog: the module writes to /dev/log. Each case runs in a private mount
namespace (unshare -m) with an overlay over /dev, where a socket of our own
is bound at /dev/log; the host's /dev and syslog are never touched. Cases
that need the log are skipped (77) where namespaces are not available.

    test_module.py CASE        run one case (exit 0 pass, 1 fail, 77 skip)
    test_module.py --list      the cases

Environment (set by meson): TP_SO, TP_PROBE, TP_SOURCE_DIR, TP_CLI.
"""
import ctypes
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

SO = os.environ.get("TP_SO", "")
PROBE = os.environ.get("TP_PROBE", "")
CLI = os.environ.get("TP_CLI", "")
SRC = os.environ.get("TP_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BAD = os.path.join(SRC, "tests", "data", "module-bad")
OPENSSL = shutil.which("openssl") or "openssl"
CURL = shutil.which("curl")
PYTHON = sys.executable
SKIP = 77


class Skip(Exception):
    pass


def check(cond, what, *details):
    if not cond:
        msg = "FAIL: " + what
        for d in details:
            msg += "\n----\n" + (d if isinstance(d, str) else repr(d))
        raise AssertionError(msg)


# ---- private /dev/log ----------------------------------------------------

LOG = None  # list of received lines, or None if not capturing


def enter_namespace():
    """Re-exec in a private mount namespace; there, overlay /dev and serve
    /dev/log. Returns True if the log is captured."""
    if os.environ.get("TP_IN_NS") != "1":
        if os.geteuid() == 0 and shutil.which("unshare"):
            # The directory is made and removed out here, where nothing is
            # mounted on it: inside, old/ holds a bind mount of /dev, and
            # removing the tree there would remove device nodes.
            work = tempfile.mkdtemp(prefix="tp-devns-")
            env = dict(os.environ, TP_IN_NS="1", TP_NS_DIR=work)
            try:
                rc = subprocess.call(["unshare", "-m", "--propagation", "private",
                                      PYTHON] + sys.argv, env=env)
            except OSError:
                rc = 125
            if not os.path.ismount(os.path.join(work, "old")):
                shutil.rmtree(work, ignore_errors=True)
            if rc != 125:
                sys.exit(rc)
        os.environ["TP_IN_NS"] = "0"
        return False
    work = os.environ.get("TP_NS_DIR", "")
    if not work or not os.path.isdir(work):
        return False
    up, wk, old = (os.path.join(work, d) for d in ("up", "work", "old"))
    for d in (up, wk, old):
        os.mkdir(d)
    try:
        subprocess.run(["mount", "--rbind", "/dev", old], check=True)
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        "lowerdir=/dev,upperdir=%s,workdir=%s" % (up, wk), "/dev"],
                       check=True, stderr=subprocess.DEVNULL)
        for sub in ("pts", "shm"):
            if os.path.isdir(os.path.join(old, sub)):
                subprocess.run(["mount", "--rbind", os.path.join(old, sub), "/dev/" + sub],
                               check=False, stderr=subprocess.DEVNULL)
    except (subprocess.CalledProcessError, OSError):
        return False
    if os.path.lexists("/dev/log"):
        os.unlink("/dev/log")  # in our overlay only
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    srv.bind("/dev/log")
    os.chmod("/dev/log", 0o666)
    global LOG
    LOG = []
    lock = threading.Lock()

    def serve():
        while True:
            data = srv.recv(8192)
            with lock:
                LOG.append(data.decode("utf-8", "replace"))
    threading.Thread(target=serve, daemon=True).start()
    return True


def log_lines(pattern=None, want=1, timeout=5.0):
    """Lines matching pattern, once at least `want` arrived (or timeout),
    plus a short wait for any duplicate."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [l for l in list(LOG or []) if pattern is None or re.search(pattern, l)]
        if len(lines) >= want or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    time.sleep(0.1)
    return [l for l in list(LOG or []) if pattern is None or re.search(pattern, l)]


def need_log():
    if LOG is None:
        raise Skip("no private /dev/log (needs root and unshare -m)")
    LOG.clear()


# ---- test environment ----------------------------------------------------

class Case:
    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix="tp-module-%s-" % name)
        os.chmod(self.dir, 0o755)
        self.cnf = os.path.join(self.dir, "openssl.cnf")
        self.policy = os.path.join(self.dir, "policy.conf")
        self.stock = os.path.join(self.dir, "stock.cnf")
        with open(self.stock, "w") as f:
            f.write("# no module: what OpenSSL does on its own\n")
        self.procs = []
        self.pki = None

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_policy(self, text, mode=0o644):
        with open(self.policy, "w") as f:
            f.write(text)
        os.chmod(self.policy, mode)

    def write_cnf(self, policy=True, before="", after="", sections="", diagnostics=False,
                  after_ours=""):
        """openssl.cnf: [openssl_init] holds `before`, then our module, then
        `after_ours`; our section lists `path` and, if policy, `policy`."""
        text = "openssl_conf = openssl_init\n"
        if diagnostics:
            text += "config_diagnostics = 1\n"
        text += "[openssl_init]\n" + before
        text += "tlspolicy = tlspolicy_sect\n" + after_ours
        text += "[tlspolicy_sect]\npath = %s\n" % SO
        if policy is True:
            text += "policy = %s\n" % self.policy
        elif policy:
            text += "policy = %s\n" % policy
        text += sections + after
        with open(self.cnf, "w") as f:
            f.write(text)

    def env(self, module=True, **extra):
        e = {k: v for k, v in os.environ.items()
             if k not in ("OPENSSL_CONF", "TLSPOLICY_CONF", "SSL_CERT_FILE", "SSL_CERT_DIR",
                          "OPENSSL_MODULES")}
        e["OPENSSL_CONF"] = self.cnf if module else self.stock
        e.update(extra)
        return e

    def run(self, argv, module=True, env=None, timeout=30, **kw):
        e = env if env is not None else self.env(module)
        if "input" not in kw:
            kw["stdin"] = subprocess.DEVNULL
        return subprocess.run(argv, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout, text=True, **kw)

    def probe(self, *args, module=True, env=None, argv0=None):
        exe = PROBE
        if argv0:
            exe = os.path.join(self.dir, argv0)
            if not os.path.exists(exe):
                os.symlink(PROBE, exe)
        r = self.run([exe] + list(args), module=module, env=env)
        kv = {}
        for line in r.stdout.splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                kv[k] = v
        kv["rc"] = r.returncode
        kv["out"] = r.stdout
        return kv

    # -- certificates (P-256: fast) --
    def make_pki(self):
        if self.pki:
            return self.pki
        d = os.path.join(self.dir, "pki")
        os.mkdir(d)
        env = self.env(module=False)

        def ossl(*a):
            subprocess.run([OPENSSL] + list(a), cwd=d, env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        ossl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
             "-subj", "/CN=tlspolicy test CA", "-addext", "basicConstraints=critical,CA:true",
             "-addext", "keyUsage=critical,keyCertSign")
        with open(os.path.join(d, "ext"), "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        ossl("req", *ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=localhost")
        ossl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-set_serial", "2", "-out", "srv.pem", "-days", "30", "-extfile", "ext")
        expired = ["x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                   "-set_serial", "3", "-out", "expired.pem", "-extfile", "ext"]
        try:
            ossl(*expired, "-days", "-1")  # 3.0-3.3
        except subprocess.CalledProcessError:  # 3.4+: refuses negative days
            ossl(*expired, "-not_before", "20200101000000Z", "-not_after", "20200201000000Z")
        ossl("req", "-x509", *ec, "-keyout", "other.key", "-out", "other-ca.pem", "-days", "30",
             "-subj", "/CN=another CA", "-addext", "basicConstraints=critical,CA:true")
        ossl("req", "-x509", "-key", "srv.key", "-out", "self.pem", "-days", "30",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
        self.pki = d
        return d

    def server(self, *args, cert="srv.pem", module=False, argv=None, port=None):
        """openssl s_server on 127.0.0.1 (or argv listening on port), stock
        OpenSSL unless module=True. Returns the port once it accepts."""
        d = self.make_pki()
        if port is None:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
        cmd = argv or [OPENSSL, "s_server", "-accept", "127.0.0.1:%d" % port,
                       "-cert", os.path.join(d, cert), "-key", os.path.join(d, "srv.key"),
                       "-www", "-naccept", "50"] + list(args)
        p = subprocess.Popen([c.replace("@PORT@", str(port)) for c in cmd],
                             env=self.env(module), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.procs.append(p)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return port
            except OSError:
                if p.poll() is not None:
                    raise AssertionError("server exited: " + p.stdout.read())
                time.sleep(0.05)
        raise AssertionError("server did not start")

    def s_client(self, port, *args, module=True):
        return self.run([OPENSSL, "s_client", "-connect", "127.0.0.1:%d" % port,
                         "-servername", "localhost"] + list(args), module=module)

    def curl(self, port, *args, module=True):
        if CURL is None:
            raise Skip("curl not installed")
        return self.run([CURL, "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                         "--cacert", os.path.join(self.make_pki(), "ca.pem"),
                         "https://localhost:%d/" % port] + list(args), module=module)


CASES = {}


def case(fn):
    CASES[fn.__name__[len("test_"):]] = fn
    return fn


POLICY_13 = """profile = "DEFAULT";
tls = {
    min_version = "TLSv1.3";
    groups = [ "X25519", "secp256r1" ];
};
"""

# ---- the DSO --------------------------------------------------------------


@case
def test_exports(c):
    """tlspolicy.so exports exactly the three entry points, and dlsym on it
    finds its own OPENSSL_init, not libcrypto's."""
    out = subprocess.run(["nm", "-D", "--defined-only", SO], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    syms = sorted(l.split()[-1] for l in out.splitlines() if l.split()[1:2] in (["T"], ["W"],
                                                                                 ["D"], ["B"]))
    check(syms == ["OPENSSL_finish", "OPENSSL_init", "OSSL_provider_init"],
          "exported symbols are %s" % syms, out)
    crypto = ctypes.CDLL("libcrypto.so.3", mode=ctypes.RTLD_GLOBAL)
    mod = ctypes.CDLL(SO, mode=ctypes.RTLD_LOCAL)
    for name in ("OPENSSL_init", "OPENSSL_finish", "OSSL_provider_init"):
        check(hasattr(mod, name), "dlsym(%s)" % name)
    ours = ctypes.cast(mod.OPENSSL_init, ctypes.c_void_p).value
    theirs = ctypes.cast(crypto.OPENSSL_init, ctypes.c_void_p).value
    check(ours != theirs, "dlsym(OPENSSL_init) on the module is libcrypto's")


# ---- in-process: what SSL_CTX_new gets ----------------------------------------


@case
def test_ctx_policy(c):
    """A fresh SSL_CTX reflects the policy; without the module it does not."""
    c.write_policy("""profile = "DEFAULT";
tls = {
    min_version = "TLSv1.3";
    max_version = "TLSv1.3";
    groups = [ "secp384r1", "X25519" ];
    ciphers = [ "AES-256-GCM" ];
    key_exchange = [ "ECDHE" ];
};
verify = { peer = "required"; };
""")
    c.write_cnf()
    got = c.probe("ctx")
    check(got["rc"] == 0, "probe ctx exit status", got["out"])
    check(got["min"] == "TLSv1.3" and got["max"] == "TLSv1.3", "min/max", got["out"])
    # SSL_VERIFY_CLIENT_ONCE alone: clients fail closed, servers unaffected
    check(got["verify"] == "4", "verify mode set by the module's SSL_CTX hook", got["out"])
    tls12 = [x for x in got["ciphers"].split(":") if not x.startswith("TLS_")]
    check(tls12 and all(x.startswith("ECDHE-") and "AES256-GCM" in x for x in tls12),
          "TLS 1.2 cipher list is ECDHE + AES-256-GCM only: %s" % tls12)
    check(got["providers"] == "tlspolicy", "only tlspolicy is activated", got["out"])
    hello = c.probe("hello")
    check(hello["hello_groups"] == "secp384r1:x25519", "ClientHello groups", hello["out"])
    # the same program without the module: OpenSSL's own defaults
    stock = c.probe("ctx", module=False)
    check(stock["min"] == "none" and stock["verify"] == "0" and stock["providers"] == "default",
          "without the module the defaults are OpenSSL's", stock["out"])
    check(c.probe("hello", module=False)["hello_groups"] != "secp384r1:x25519",
          "without the module the groups are OpenSSL's")


@case
def test_app_rule(c):
    """An application rule changes the policy for that program name only."""
    c.write_policy("""profile = "DEFAULT";
applications = (
    { match = "tp-probe-app"; tls = { min_version = "TLSv1.3"; }; }
);
""")
    c.write_cnf()
    plain = c.probe("ctx")
    app = c.probe("ctx", argv0="tp-probe-app")
    other = c.probe("ctx", argv0="tp-probe-other")
    check(plain["min"] == "TLSv1.2", "system-wide minimum", plain["out"])
    check(app["min"] == "TLSv1.3", "rule for tp-probe-app", app["out"])
    check(other["min"] == "TLSv1.2", "rule does not reach tp-probe-other", other["out"])


@case
def test_threads_libctx(c):
    """Threads racing OpenSSL's initialisation agree; a second library
    context that loads the same openssl.cnf gets the provider and policy."""
    c.write_policy(POLICY_13)
    c.write_cnf()
    t = c.probe("threads", "32")
    check(t["rc"] == 0 and t["agree"] == "yes" and t["min"] == "TLSv1.3", "threads", t["out"])
    lc = c.probe("libctx")
    check(lc["rc"] == 0, "libctx probe", lc["out"])
    check(lc["libctx_providers"] == "tlspolicy" and lc["libctx_min"] == "TLSv1.3",
          "second library context", lc["out"])
    check(lc["providers"] == "tlspolicy", "default context keeps only tlspolicy", lc["out"])


# ---- real programs ----------------------------------------------------------


@case
def test_version_floor_programs(c):
    """openssl s_client and curl refuse a TLS 1.2-only server when the policy
    says TLS 1.3, and work with a TLS 1.3 server."""
    c.write_policy(POLICY_13)
    c.write_cnf()
    p12 = c.server("-tls1_2")
    p13 = c.server("-tls1_3")
    r = c.s_client(p12)
    check(r.returncode != 0 and "tlsv1 alert protocol version" in r.stdout,
          "s_client vs TLS 1.2 server refused with alert protocol_version", r.stdout)
    r = c.s_client(p12, module=False)
    check(r.returncode == 0 and "New, TLSv1.2, Cipher is" in r.stdout,
          "control: without the module s_client negotiates TLS 1.2", r.stdout)
    r = c.s_client(p13)
    check(r.returncode == 0 and "New, TLSv1.3, Cipher is" in r.stdout, "s_client vs TLS 1.3",
          r.stdout)
    if CURL:
        r = c.curl(p12)
        check(r.returncode == 35 and "tlsv1 alert protocol version" in r.stdout,
              "curl vs TLS 1.2 server: exit 35, protocol version", r.stdout)
        r = c.curl(p13)
        check(r.returncode == 0 and r.stdout == "200", "curl vs TLS 1.3 server", r.stdout)


@case
def test_cipher_programs(c):
    """A TLS 1.2 cipher the policy leaves out is refused; an allowed one works."""
    c.write_policy("""profile = "DEFAULT";
tls = { ciphers = [ "AES-256-GCM", "CHACHA20-POLY1305" ]; };
""")
    c.write_cnf()
    bad = c.server("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256")
    good = c.server("-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384")
    r = c.s_client(bad)
    check(r.returncode != 0 and "alert handshake failure" in r.stdout,
          "s_client vs AES-128-GCM-only server: handshake failure", r.stdout)
    r = c.s_client(good)
    check(r.returncode == 0 and "Cipher is ECDHE-ECDSA-AES256-GCM-SHA384" in r.stdout,
          "s_client vs AES-256-GCM server", r.stdout)
    if CURL:
        r = c.curl(bad)
        check(r.returncode == 35 and "handshake failure" in r.stdout, "curl refused", r.stdout)
        r = c.curl(good)
        check(r.returncode == 0 and r.stdout == "200", "curl allowed", r.stdout)


@case
def test_nginx(c):
    """A real server under the policy: nginx (TLS_method contexts).

    nginx calls SSL_CTX_set_min_proto_version(ctx, 0) itself (its
    ssl_protocols work through SSL_OP_NO_*), so the config layer's TLS 1.3
    minimum does not reach it: the provider's backstop refuses the TLS 1.2
    client (alert 80, internal_error), depending on the provider's floors.
    With verify.peer = required nginx still sends no CertificateRequest."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx")
                                      else None)
    if nginx is None:
        raise Skip("nginx not installed")
    pki = c.make_pki()
    c.write_policy(POLICY_13 + 'verify = { peer = "required"; ca_file = "%s"; };\n'
                   % os.path.join(pki, "ca.pem"))
    c.write_cnf()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    prefix = os.path.join(c.dir, "nginx")
    os.mkdir(prefix)
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""daemon off;
master_process off;
pid %(p)s/nginx.pid;
error_log stderr notice;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %(p)s; proxy_temp_path %(p)s; fastcgi_temp_path %(p)s;
    uwsgi_temp_path %(p)s; scgi_temp_path %(p)s;
    server {
        listen 127.0.0.1:%(port)d ssl;
        # nginx 1.22's default leaves TLS 1.3 out (SSL_OP_NO_TLSv1_3)
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate %(pki)s/srv.pem;
        ssl_certificate_key %(pki)s/srv.key;
        location / { return 200 "hello\\n"; }
    }
}
""" % {"p": prefix, "port": port, "pki": pki})
    c.server(argv=[nginx, "-p", prefix, "-c", conf], module=True, port=port)
    r = c.s_client(port, "-tls1_2", module=False)
    # nginx sets its own minimum: the policy's security callback holds
    # TLS 1.3, with a clean protocol_version alert.
    check(r.returncode != 0 and "tlsv1 alert protocol version" in r.stdout,
          "nginx refuses a TLS 1.2 client under a TLS 1.3 policy (protocol_version)", r.stdout)
    r = c.s_client(port, "-msg", module=False)
    check(r.returncode == 0 and "New, TLSv1.3" in r.stdout, "TLS 1.3 client served", r.stdout)
    check("CertificateRequest" not in r.stdout, "no CertificateRequest", r.stdout)



PY_CLIENT = r"""
import ssl, socket, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
print("py_min=%s" % ctx.minimum_version.name)
print("py_ciphers=%s" % ":".join(c["name"] for c in ctx.get_ciphers()))
# the ClientHello Python would send (groups come from the policy)
o, i = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(i, o, server_hostname="localhost")
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = o.read()
p = 5 + 4 + 2 + 32
p += 1 + hello[p]
p += 2 + int.from_bytes(hello[p:p + 2], "big")
p += 1 + hello[p]
p += 2
while p + 4 <= len(hello):
    t, n = int.from_bytes(hello[p:p + 2], "big"), int.from_bytes(hello[p + 2:p + 4], "big")
    if t == 10:
        ids = [int.from_bytes(hello[p + 6 + 2 * k:p + 8 + 2 * k], "big") for k in range(n // 2 - 1)]
        print("py_groups=%s" % ":".join("0x%04x" % g for g in ids))
    p += 4 + n
if port:
    ctx.load_verify_locations(cafile)
    try:
        with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                             server_hostname="localhost") as s:
            print("py_handshake=ok %s" % s.version())
    except ssl.SSLError as e:
        print("py_handshake=failed %s" % e.reason)
"""


@case
def test_python(c):
    """python3's ssl under the policy: which layer holds what.

    Python sets its own TLS 1.2 cipher string and minimum (TLS 1.2) on every
    context, so the config layer's TLS 1.2 cipher list and a TLS 1.3-only
    minimum do not reach it (AES-128-GCM is not a cipher the provider
    withholds, so it stays on offer); groups and TLS 1.3 suites do. The TLS 1.3-only minimum is
    held by the provider's backstop (no TLS1-PRF below the floor): the
    TLS 1.2 handshake fails with internal_error instead of a clean
    protocol_version alert."""
    c.write_policy(POLICY_13.replace("tls = {", """tls = {
    ciphersuites = [ "TLS_CHACHA20_POLY1305_SHA256" ];
    ciphers = [ "AES-256-GCM" ];"""))
    c.write_cnf()
    pki = c.make_pki()
    p12 = c.server("-tls1_2")
    p13 = c.server("-tls1_3")
    script = os.path.join(c.dir, "client.py")
    with open(script, "w") as f:
        f.write(PY_CLIENT)
    r = c.run([PYTHON, script, str(p13), os.path.join(pki, "ca.pem")])
    check("py_handshake=ok TLSv1.3" in r.stdout, "python vs TLS 1.3 server", r.stdout)
    check("py_groups=0x001d:0x0017" in r.stdout, "config layer: ClientHello groups", r.stdout)
    check("py_min=TLSv1_2" in r.stdout, "Python sets minimum TLS 1.2 itself", r.stdout)
    ciphers = re.search(r"py_ciphers=(.*)", r.stdout).group(1).split(":")
    check([x for x in ciphers if x.startswith("TLS_")] == ["TLS_CHACHA20_POLY1305_SHA256"],
          "config layer: TLS 1.3 suites (Python does not set them)", r.stdout)
    check("ECDHE-ECDSA-AES128-GCM-SHA256" in ciphers,
          "Python's own TLS 1.2 cipher string replaces the policy's (AES-128-GCM offered)",
          r.stdout)
    # provider layer (floors from the provider issue)
    r = c.run([PYTHON, script, str(p12), os.path.join(pki, "ca.pem")])
    check("py_handshake=failed" in r.stdout,
          "provider backstop: python refused by TLS 1.2-only server under a TLS 1.3 floor",
          r.stdout)
    r = c.run([PYTHON, script, str(p12), os.path.join(pki, "ca.pem")], module=False)
    check("py_handshake=ok TLSv1.2" in r.stdout, "control: stock python does TLS 1.2", r.stdout)


# ---- verification -----------------------------------------------------------


@case
def test_verify(c):
    """A client that never configures verification is refused by a
    self-signed or expired server certificate and accepted by one signed by
    the CA named in the policy."""
    pki = c.make_pki()
    c.write_policy("""profile = "DEFAULT";
verify = { peer = "required"; ca_file = "%s"; };
""" % os.path.join(pki, "ca.pem"))
    c.write_cnf()
    good = c.server(cert="srv.pem")
    selfs = c.server(cert="self.pem")
    expired = c.server(cert="expired.pem")
    r = c.probe("connect", "127.0.0.1", str(good))
    check(r["rc"] == 0 and r["handshake"] == "ok" and r["verify_result"].startswith("0 "),
          "server signed by the policy's CA accepted", r["out"])
    r = c.probe("connect", "127.0.0.1", str(selfs))
    check(r["rc"] == 1 and r["reason"] == "certificate verify failed"
          and r["verify_result"].startswith("18 "), "self-signed refused", r["out"])
    r = c.probe("connect", "127.0.0.1", str(expired))
    check(r["rc"] == 1 and r["reason"] == "certificate verify failed"
          and "certificate has expired" in r["verify_result"], "expired refused", r["out"])
    # control: the same program without the module accepts anything
    r = c.probe("connect", "127.0.0.1", str(selfs), module=False)
    check(r["rc"] == 0, "control: stock OpenSSL does not verify", r["out"])
    # python: a client context that loads no CA at all now verifies
    # against the policy's CA (Python sets CERT_REQUIRED itself)
    script = os.path.join(c.dir, "client.py")
    with open(script, "w") as f:
        f.write(PY_NOCA)
    for port, want in ((good, "py=ok"), (selfs, "py=failed CERTIFICATE_VERIFY_FAILED")):
        r = c.run([PYTHON, script, str(port)])
        check(r.stdout.strip() == want, "python without CA loading: %s" % want, r.stdout)
    r = c.run([PYTHON, script, str(good)], module=False)
    check(r.stdout.strip() == "py=failed CERTIFICATE_VERIFY_FAILED",
          "control: stock python with no CA loaded refuses the test server", r.stdout)


PY_NOCA = r"""
import ssl, socket, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)   # no load_verify_locations
try:
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))),
                         server_hostname="localhost"):
        print("py=ok")
except ssl.SSLError as e:
    print("py=failed %s" % e.reason)
"""


@case
def test_verify_pinned(c):
    """A program that loads a CA of its own keeps exactly that trust: the
    policy's anchors do not widen it (pinning apps often skip host name
    checks, so a widened store would accept any publicly trusted cert)."""
    pki = c.make_pki()
    c.write_policy("""profile = "DEFAULT";
verify = { peer = "required"; ca_file = "%s"; };
""" % os.path.join(pki, "ca.pem"))
    c.write_cnf()
    good = c.server(cert="srv.pem")
    r = c.probe("connect", "127.0.0.1", str(good), os.path.join(pki, "other-ca.pem"))
    check(r["rc"] == 1 and r["verify_result"].startswith("20 "),
          "client pinned to another CA refuses the server", r["out"])
    r = c.probe("connect", "127.0.0.1", str(good), os.path.join(pki, "ca.pem"))
    check(r["rc"] == 0, "client pinned to the server's CA accepts it", r["out"])
    script = os.path.join(c.dir, "pinned.py")
    with open(script, "w") as f:
        f.write(PY_NOCA.replace("# no load_verify_locations",
                                "\nctx.load_verify_locations(sys.argv[2])"))
    r = c.run([PYTHON, script, str(good), os.path.join(pki, "other-ca.pem")])
    check(r.stdout.strip() == "py=failed CERTIFICATE_VERIFY_FAILED", "python pinned", r.stdout)


@case
def test_verify_system_store(c):
    """No ca_file: the system store's hashed directory, read lazily. The
    test CA is not in the system store, so the server is refused; with
    SSL_CERT_DIR pointing at a hashed directory holding the CA, accepted."""
    pki = c.make_pki()
    c.write_policy('profile = "DEFAULT";\nverify = { peer = "required"; };\n')
    c.write_cnf()
    good = c.server(cert="srv.pem")
    r = c.probe("connect", "127.0.0.1", str(good))
    check(r["rc"] == 1 and r["verify_result"].startswith("20 "),
          "test CA not in the system store: unable to get local issuer", r["out"])
    hashed = os.path.join(c.dir, "hashed")
    os.mkdir(hashed)
    shutil.copy(os.path.join(pki, "ca.pem"), hashed)
    subprocess.run([OPENSSL, "rehash", hashed], env=c.env(module=False), check=True)
    r = c.probe("connect", "127.0.0.1", str(good), env=c.env(SSL_CERT_DIR=hashed))
    check(r["rc"] == 0 and r["verify_result"].startswith("0 "), "hashed directory", r["out"])
    ctx = c.probe("ctx")
    check(ctx["store_objects"] == "0", "nothing loaded at SSL_CTX_new (lazy)", ctx["out"])


@case
def test_verify_server_side(c):
    """verify.peer = required changes nothing for servers. The module sets
    SSL_VERIFY_CLIENT_ONCE without SSL_VERIFY_PEER: clients test
    verify_mode != SSL_VERIFY_NONE, servers test SSL_VERIFY_PEER. (With
    VerifyMode=Peer in system_default, TLS_method servers sent a
    CertificateRequest, refused untrusted client certificates and failed
    TLS 1.3 resumption with "session id context uninitialized".)"""
    pki = c.make_pki()
    c.write_policy("""profile = "DEFAULT";
verify = { peer = "required"; ca_file = "%s"; };
""" % os.path.join(pki, "ca.pem"))
    c.write_cnf()
    script = os.path.join(c.dir, "modes.py")
    with open(script, "w") as f:
        f.write("""
import sys
if len(sys.argv) > 1:
    import hashlib  # libcrypto loads openssl.cnf before libssl is in the process
    hashlib.sha256(b"x")
import ctypes
ssl = ctypes.CDLL("libssl.so.3")
for n in ("TLS_method", "TLS_server_method", "TLS_client_method", "SSL_CTX_new"):
    getattr(ssl, n).restype = ctypes.c_void_p
ssl.SSL_CTX_new.argtypes = [ctypes.c_void_p]
ssl.SSL_CTX_get_verify_mode.argtypes = [ctypes.c_void_p]
for m in ("TLS_method", "TLS_server_method", "TLS_client_method"):
    print("%s_verify=%d" % (m, ssl.SSL_CTX_get_verify_mode(ssl.SSL_CTX_new(getattr(ssl, m)()))))
""")
    for args in ([], ["hashlib-first"]):
        r = c.run([PYTHON, script] + args)
        check("TLS_method_verify=4" in r.stdout and "TLS_client_method_verify=4" in r.stdout
              and "TLS_server_method_verify=0" in r.stdout,
              "verify mode of fresh contexts %s" % args, r.stdout)
    # the same measurement with VerifyMode=Peer in system_default, no module
    peer_cnf = os.path.join(c.dir, "peer.cnf")
    with open(peer_cnf, "w") as f:
        f.write("openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sd\n"
                "[sd]\nVerifyMode = Peer\nVerifyCAFile = %s\n" % os.path.join(pki, "ca.pem"))
    module = serve_and_connect(c, pki, c.env())
    peer = serve_and_connect(c, pki, c.env(OPENSSL_CONF=peer_cnf))
    served, outs = module
    check("conn0=ok certreq=0 peer_cert=0" in served, "no CertificateRequest", served)
    check("conn1=ok certreq=0" in served, "a client certificate is not judged", served)
    check("conn3=ok" in served and "Reused, TLSv1.3" in outs[3], "TLS 1.3 resumption works",
          served, outs[3])
    served, outs = peer
    check("conn0=ok certreq=1 peer_cert=0" in served and "conn1=failed certreq=1" in served
          and "conn3=failed" in served,
          "control: VerifyMode=Peer requests certificates, refuses untrusted ones and breaks"
          " resumption", served, outs[3])


def serve_and_connect(c, pki, env):
    """tp_probe serve (TLS_method, sets no verification) under env; four
    s_client connections (stock OpenSSL): plain, with an untrusted client
    certificate, then a session saved and resumed."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    srv = subprocess.Popen([PROBE, "serve", str(port), os.path.join(pki, "srv.pem"),
                            os.path.join(pki, "srv.key"), "4"],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    c.procs.append(srv)
    check(srv.stdout.readline().startswith("listening="), "probe server started")
    sess = os.path.join(c.dir, "sess-%d.pem" % port)
    untrusted = ["-cert", os.path.join(pki, "self.pem"), "-key", os.path.join(pki, "srv.key")]
    outs = []
    for args in ([], untrusted, ["-sess_out", sess], ["-sess_in", sess]):
        # -ign_eof: read until the server closes, so the tickets arrive
        r = c.run([OPENSSL, "s_client", "-ign_eof", "-connect", "127.0.0.1:%d" % port] + args,
                  module=False, input="x\n")
        outs.append(r.stdout)
    try:
        srv.wait(3)
    except subprocess.TimeoutExpired:  # a client never connected: fail below
        srv.terminate()
        srv.wait()
    return srv.stdout.read(), outs


@case
def test_valgrind(c):
    """No leak and no invalid access through module init, the verification
    hook (CA file and hashed CA path), a second library context and
    OPENSSL_cleanup's finish."""
    vg = shutil.which("valgrind")
    if vg is None:
        raise Skip("valgrind not installed")
    pki = c.make_pki()
    hashed = os.path.join(c.dir, "hashed")
    os.mkdir(hashed)
    shutil.copy(os.path.join(pki, "ca.pem"), hashed)
    subprocess.run([OPENSSL, "rehash", hashed], env=c.env(module=False), check=True)
    c.write_policy("""profile = "DEFAULT";
verify = { peer = "required"; ca_file = "%s"; ca_path = "%s"; };
""" % (os.path.join(pki, "other-ca.pem"), hashed))
    c.write_cnf()
    port = c.server(cert="srv.pem")
    cmd = [vg, "-q", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
           "--error-exitcode=9", PROBE]
    for args in (["connect", "127.0.0.1", str(port)], ["libctx"], ["threads", "4"]):
        r = c.run(cmd + args, timeout=120)
        check(r.returncode == 0, "valgrind %s" % " ".join(args), r.stdout)
    check("handshake=ok" in c.run(cmd + ["connect", "127.0.0.1", str(port)]).stdout,
          "CA found through ca_path")


# ---- merge ------------------------------------------------------------------


@case
def test_merge(c):
    """The system's own ssl_conf sections survive: a named section and a
    system_default command the policy does not set; the policy wins where
    both set the same command."""
    c.write_policy(POLICY_13)
    c.write_cnf(before="ssl_conf = ssl_sect\n", sections="""[ssl_sect]
system_default = sys_default
myapp = myapp_sect
[sys_default]
MinProtocol = TLSv1
Options = -SessionTicket
[myapp_sect]
MaxProtocol = TLSv1.2
""")
    got = c.probe("ctx")
    check(got["min"] == "TLSv1.3", "policy wins over the system's MinProtocol", got["out"])
    check(got["no_ticket"] == "1", "system_default Options survive", got["out"])
    named = c.probe("ctx", "any", "myapp")
    check(named["rc"] == 0 and named["named"] == "ok" and named["max"] == "TLSv1.2",
          "named ssl_conf section myapp survives", named["out"])


@case
def test_later_ssl_conf(c):
    """An ssl_conf listed after ours replaces the policy's system_default:
    the module says so in syslog."""
    need_log()
    c.write_policy(POLICY_13)
    c.write_cnf(after_ours="ssl_conf = ssl_sect\n", sections="""[ssl_sect]
system_default = sys_default
[sys_default]
MinProtocol = TLSv1.2
""")
    got = c.probe("ctx")
    check(got["min"] == "TLSv1.2", "the later ssl_conf wins (OpenSSL's rule)", got["out"])
    lines = log_lines("comes after tlspolicy")
    check(len(lines) == 1 and "tp_probe[" in lines[0], "one log line naming the program",
          "\n".join(log_lines()))


@case
def test_other_provider(c):
    """openssl.cnf that activates the default provider itself: both are
    active (floors can be bypassed through default), and syslog says so."""
    need_log()
    c.write_policy(POLICY_13)
    c.write_cnf(before="providers = prov_sect\n", diagnostics=True, sections="""[prov_sect]
default = default_sect
[default_sect]
activate = 1
""")
    got = c.probe("ctx")
    check(got["rc"] == 0 and got["min"] == "TLSv1.3", "policy installed", got["out"])
    check(got["providers"] == "default,tlspolicy", "both providers active", got["out"])
    lines = log_lines('also activates provider "default"')
    check(len(lines) == 1, "one log line", "\n".join(log_lines()))


# ---- fail-safe -----------------------------------------------------------------


def failsafe(c, policy_path, want_in_log, diagnostics=True):
    need_log()
    c.write_cnf(policy=policy_path, diagnostics=diagnostics)
    got = c.probe("ctx")
    check(got["rc"] == 0, "program keeps working", got["out"])
    check(got["min"] == "TLSv1.2" and got["providers"] == "tlspolicy",
          "DEFAULT's floor (TLS 1.2) and the provider", got["out"])
    lines = log_lines("compiled-in DEFAULT")
    check(len(lines) == 1, "exactly one log line", "\n".join(log_lines()))
    check(re.search(r"tlspolicy\[\d+\]: tp_probe\[\d+\]: ", lines[0]) is not None,
          "log line names program and pid", lines[0])
    for w in want_in_log:
        check(w in lines[0], "log line mentions %r" % w, lines[0])
    r = c.run([OPENSSL, "version"])
    check(r.returncode == 0 and r.stdout.startswith("OpenSSL 3"),
          "openssl CLI starts (config_diagnostics = 1)", r.stdout)
    # openssl's own fallback line may still be on its way: let it arrive,
    # so that a caller's LOG.clear() before the next round catches it
    log_lines(r"openssl\[\d+\]: .*compiled-in DEFAULT", want=1, timeout=2)


def bad_fixture_case(name, line):
    def fn(c):
        src = os.path.join(BAD, name + ".conf")
        dst = os.path.join(c.dir, name + ".conf")
        shutil.copy(src, dst)
        os.chmod(dst, 0o644)
        failsafe(c, dst, ["%s.conf:%d:" % (name, line)])
    fn.__doc__ = "malformed policy tests/data/module-bad/%s.conf falls back to DEFAULT" % name
    CASES["failsafe_" + name] = fn


for _n, _l in (("syntax", 3), ("badversion", 2), ("unknownkey", 2), ("minmax", 2),
               ("profile", 1), ("include", 1), ("nul", 1), ("verifypeer", 2)):
    bad_fixture_case(_n, _l)


@case
def test_failsafe_missing(c):
    """A policy file named in openssl.cnf that does not exist."""
    failsafe(c, os.path.join(c.dir, "nonexistent.conf"), ["nonexistent.conf"])


@case
def test_failsafe_libctx(c):
    """A broken policy and a second library context loading the same
    openssl.cnf: one fallback line for the process, nothing else."""
    need_log()
    shutil.copy(os.path.join(BAD, "syntax.conf"), c.policy)
    os.chmod(c.policy, 0o644)
    c.write_cnf(diagnostics=True)
    got = c.probe("libctx")
    check(got["rc"] == 0 and got["libctx_min"] == "TLSv1.2"
          and got["libctx_providers"] == "tlspolicy", "second context under DEFAULT", got["out"])
    lines = [l for l in log_lines("tp_probe") if "withholding" not in l]
    check(len(lines) == 1 and "compiled-in DEFAULT" in lines[0], "one line", "\n".join(lines))


@case
def test_failsafe_relative(c):
    """A relative policy path would depend on each program's working
    directory: refused."""
    c.write_policy(POLICY_13)
    failsafe(c, "policy.conf", ["policy.conf: not an absolute path"])


@case
def test_failsafe_insecure(c):
    """Group/other-writable or not owned by root: refused."""
    if os.geteuid() != 0:
        raise Skip("needs root to make root-owned files")
    c.write_policy(POLICY_13, mode=0o666)
    failsafe(c, c.policy, [c.policy])
    LOG.clear()
    os.chmod(c.policy, 0o644)
    os.chown(c.policy, 65534, 65534)
    failsafe(c, c.policy, [c.policy])


@case
def test_failsafe_dropin_untrusted(c):
    """A drop-in not owned by root, a group-writable drop-in or policy.d:
    refused with the whole policy (a drop-in could weaken it), DEFAULT,
    logged with the drop-in's path."""
    if os.geteuid() != 0:
        raise Skip("needs root to make root-owned files")
    c.write_policy(POLICY_13)
    d = os.path.join(c.dir, "policy.d")
    os.mkdir(d)
    os.chmod(d, 0o755)
    weak = os.path.join(d, "10-weak.conf")
    with open(weak, "w") as f:
        f.write('tls = { min_version = "TLSv1.0"; };\n')
    os.chmod(weak, 0o644)
    os.chown(weak, 65534, 65534)
    failsafe(c, c.policy, [weak, "not root"])
    LOG.clear()
    os.chown(weak, 0, 0)
    os.chmod(weak, 0o664)
    failsafe(c, c.policy, [weak, "writable by group"])
    LOG.clear()
    os.chmod(weak, 0o644)
    os.chmod(d, 0o777)
    failsafe(c, c.policy, [d, "writable by others"])
    os.chmod(d, 0o755)
    got = c.probe("ctx")
    check(got["min"] == "TLSv1", "trusted again: the drop-in applies",
          got["out"])


@case
def test_failsafe_untrusted_dir(c):
    """The policy path in a world-writable sticky directory, where anyone
    can plant policy.conf as a symlink to the root-owned LEGACY profile:
    refused (DEFAULT, logged naming the directory) and `tlspolicy status`
    says why; likewise a symlinked parent directory pointing there. A
    symlink to LEGACY in a root-only directory is root's choice and applies."""
    if os.geteuid() != 0:
        raise Skip("needs root to make root-owned files")
    legacy = os.path.join(SRC, "packaging", "profiles", "LEGACY.conf")
    safe = os.path.join(c.dir, "safe")
    os.mkdir(safe, 0o755)
    os.symlink(legacy, os.path.join(safe, "policy.conf"))
    c.write_cnf(policy=os.path.join(safe, "policy.conf"))
    got = c.probe("ctx")
    check(got["min"] == "TLSv1", "control: LEGACY through a root-only directory applies", got["out"])

    shared = os.path.join(c.dir, "shared")
    os.mkdir(shared)
    os.chmod(shared, 0o1777)
    planted = os.path.join(shared, "policy.conf")
    os.symlink(legacy, planted)
    why = "directory %s is writable by others (mode 1777): refusing it" % shared
    failsafe(c, planted, [why])
    r = subprocess.run([CLI, "status", "--openssl-conf", c.cnf], env=c.env(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    check(r.returncode == 1, "status exits 1", r.stdout)
    check("problem: %s: %s\n" % (planted, why) in r.stdout, "status names the directory", r.stdout)
    check("ok: policy file" not in r.stdout, "and does not call the policy file ok", r.stdout)
    rj = subprocess.run([CLI, "status", "--json", "--openssl-conf", c.cnf], env=c.env(),
                        stdout=subprocess.PIPE, text=True, timeout=30)
    d = json.loads(rj.stdout)
    check(d["ok"] is False and {"severity": "problem", "check": "policy_trusted",
                                "message": "%s: %s" % (planted, why)} in d["findings"],
          "status --json: a policy_trusted problem", rj.stdout)
    check("policy %s cannot be used" % planted in r.stdout, "status: policy not used", r.stdout)

    LOG.clear()
    via = os.path.join(safe, "etc")
    os.symlink(shared, via)
    failsafe(c, os.path.join(via, "policy.conf"), [why])


@case
def test_failsafe_huge(c):
    """A 3 MiB file and 20,000 nested groups are refused before libconfig
    spends seconds or memory on them (docs/DESIGN.md: libconfig 1.5)."""
    big = os.path.join(c.dir, "big.conf")
    with open(big, "w") as f:
        f.write("x" * (3 << 20))
    os.chmod(big, 0o644)
    t0 = time.monotonic()
    failsafe(c, big, ["big.conf"])
    deep = os.path.join(c.dir, "deep.conf")
    with open(deep, "w") as f:
        f.write("a = " + "{ b = " * 20000 + "1;" + " };" * 20000 + "\n")
    os.chmod(deep, 0o644)
    LOG.clear()
    failsafe(c, deep, ["deep.conf"])
    check(time.monotonic() - t0 < 20, "refused quickly")


@case
def test_failsafe_env(c):
    """TLSPOLICY_CONF is honoured (no `policy` key); a broken one falls back;
    and the DEFAULT floor keeps curl off a TLS 1.1 server."""
    need_log()
    c.write_policy(POLICY_13)
    c.write_cnf(policy=False)
    got = c.probe("ctx", env=c.env(TLSPOLICY_CONF=c.policy))
    check(got["min"] == "TLSv1.3", "TLSPOLICY_CONF read", got["out"])
    if not os.path.exists("/etc/tlspolicy/policy.conf"):
        got = c.probe("ctx")
        check(got["min"] == "TLSv1.2" and got["providers"] == "tlspolicy",
              "no policy anywhere: compiled-in DEFAULT", got["out"])
        check(log_lines("compiled-in DEFAULT", timeout=0.3) == [], "and no fallback logged",
              "\n".join(log_lines()))
    shutil.copy(os.path.join(BAD, "syntax.conf"), c.policy)
    got = c.probe("ctx", env=c.env(TLSPOLICY_CONF=c.policy))
    check(got["min"] == "TLSv1.2", "broken TLSPOLICY_CONF: DEFAULT", got["out"])
    check(len(log_lines("compiled-in DEFAULT.*policy.conf:3:")) == 1, "log line",
          "\n".join(log_lines()))
    if CURL:
        p11 = c.server("-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0")
        r = c.run([CURL, "-sS", "-o", "/dev/null", "--cacert",
                   os.path.join(c.make_pki(), "ca.pem"), "https://localhost:%d/" % p11],
                  env=c.env(TLSPOLICY_CONF=c.policy))
        check(r.returncode == 35, "curl refused by a TLS 1.1 server under DEFAULT", r.stdout)


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--list":
        print("\n".join(sorted(CASES)))
        return 0
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print("usage: test_module.py CASE|--list", file=sys.stderr)
        return 2
    if not SO or not PROBE:
        print("TP_SO and TP_PROBE must be set", file=sys.stderr)
        return 2
    enter_namespace()
    c = Case(sys.argv[1])
    try:
        CASES[sys.argv[1]](c)
    except Skip as e:
        print("SKIP: %s" % e)
        return SKIP
    except AssertionError as e:
        print(e)
        return 1
    finally:
        c.close()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
