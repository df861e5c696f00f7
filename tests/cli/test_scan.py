#!/usr/bin/env python3
"""Tests of `scan` and of the impact check (`set --dry-run`, `check --impact`,
a plain `set` of the system policy).

Usage: test_scan.py TLSPOLICY TLSPOLICY_SO GROUP

Real servers on 127.0.0.1 (openssl s_server, nginx, a python HTTP server, a
socket that accepts and never answers), each with its own OPENSSL_CONF; the
policy files live in a temporary directory; nothing under /etc is read or
written. Every process started is stopped by pid. Exit 0 pass, 1 fail, 77
skip.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

CLI, SO = (os.path.abspath(a) for a in sys.argv[1:3])
GROUP = sys.argv[3] if len(sys.argv) > 3 else None
SKIP = 77
STOCK = dict(os.environ, OPENSSL_CONF="/dev/null")


class Skip(Exception):
    pass


def check(cond, what, *details):
    if not cond:
        msg = "FAIL: " + what
        for d in details:
            msg += "\n----\n" + (d if isinstance(d, str) else repr(d))
        raise AssertionError(msg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, what):
    for _ in range(200):
        if proc is not None and proc.poll() is not None:
            raise AssertionError("%s exited with %s before listening" % (what, proc.returncode))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("%s does not listen on %d" % (what, port))


class Case:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="tp-scan-")
        os.chmod(self.dir, 0o755)
        self.procs = []
        self.socks = []

    def path(self, *p):
        return os.path.join(self.dir, *p)

    def write(self, name, text, mode=0o644):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, mode)
        return p

    def cnf(self, policy, name="openssl.cnf"):
        """The wiring of DESIGN.md's Contract."""
        return self.write(name, "openssl_conf = openssl_init\n[openssl_init]\n"
                          "tlspolicy = tlspolicy_sect\n[tlspolicy_sect]\npath = %s\n"
                          "policy = %s\n" % (SO, policy))

    def cert(self, bits=2048, name="srv"):
        key, crt = self.path(name + ".key"), self.path(name + ".pem")
        r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:%d" % bits, "-nodes",
                            "-keyout", key, "-out", crt, "-subj", "/CN=localhost", "-days", "2"],
                           env=STOCK, capture_output=True, text=True)
        check(r.returncode == 0, "make a certificate", r.stderr)
        return crt, key

    def start(self, args, port, env=None, what=None):
        p = subprocess.Popen(args, env=env or STOCK, stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        wait_port(port, p, what or args[0])
        return p

    def s_server(self, bits=2048, extra=(), env=None, name="srv"):
        crt, key = self.cert(bits, name)
        port = free_port()
        p = self.start(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-cert", crt,
                        "-key", key, "-www", "-quiet"] + list(extra), port, env=env,
                       what="s_server")
        return port, p

    def nginx(self, env):
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx")
                                          else None)
        if nginx is None:
            raise Skip("nginx not installed")
        crt, key = self.cert()
        port = free_port()
        prefix = self.path("nginx")
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
        # asks for everything
        ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
        ssl_ciphers ALL:@SECLEVEL=0;
        ssl_certificate %(crt)s;
        ssl_certificate_key %(key)s;
        location / { return 200 "hello\\n"; }
    }
}
""" % {"p": prefix, "port": port, "crt": crt, "key": key})
        p = self.start([nginx, "-p", prefix, "-c", conf], port, env=env, what="nginx")
        return port, p

    def hanging_server(self):
        """Accepts connections and never says a word."""
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        self.socks.append(s)
        return s.getsockname()[1]

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        for s in self.socks:
            s.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def tp(*args, env=None, policy=None):
    argv = [CLI]
    if policy:
        argv += ["--policy", policy]
    r = subprocess.run(argv + list(args), env=env or STOCK, capture_output=True, text=True,
                       timeout=300)
    return r


def scan_json(c, port, env=None, policy=None, *extra):
    r = tp("scan", "--json", *extra, "127.0.0.1:%d" % port, env=env, policy=policy)
    try:
        return r, json.loads(r.stdout)
    except ValueError:
        raise AssertionError("scan --json printed no JSON:\n%s\n%s" % (r.stdout, r.stderr))


# ---- scan: bad input --------------------------------------------------------------

def test_closed(c):
    port = free_port()
    r = tp("scan", "127.0.0.1:%d" % port)
    check(r.returncode == 3, "closed port: exit 3", r)
    check("tlspolicy scan: 127.0.0.1:%d: cannot connect: Connection refused" % port in r.stderr,
          "closed port: says so", r.stderr)
    check(r.stdout == "", "nothing on stdout", r.stdout)


def test_not_tls(c):
    port = free_port()
    c.start([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)], port,
            what="http.server")
    r = tp("scan", "127.0.0.1:%d" % port)
    check(r.returncode == 3, "HTTP server: exit 3", r)
    check("127.0.0.1:%d: no TLS: the server's answer is not TLS" % port in r.stderr,
          "HTTP server: no TLS", r.stderr)


def test_hang(c):
    port = c.hanging_server()
    r = tp("scan", "--timeout", "1", "127.0.0.1:%d" % port)
    check(r.returncode == 3, "silent server: exit 3", r)
    check("127.0.0.1:%d: no TLS: no answer to a ClientHello within 1 s" % port in r.stderr,
          "silent server: says no answer within the timeout", r.stderr)


def test_usage(c):
    for args, msg in ((["scan"], "which server?"),
                      (["scan", "localhost"], "'localhost' is not HOST:PORT"),
                      (["scan", "127.0.0.1:99999"], "'127.0.0.1:99999' is not HOST:PORT"),
                      (["scan", "--starttls", "pop3", "127.0.0.1:1"], "--starttls takes smtp or imap"),
                      (["scan", "--timeout", "0", "127.0.0.1:1"], "--timeout takes seconds"),
                      (["scan", "127.0.0.1:1", "x"], "unexpected argument 'x'")):
        r = tp(*args)
        check(r.returncode == 2, "usage error: exit 2 for %s" % args, r)
        check(msg in r.stderr, "usage error names the problem for %s" % args, r.stderr)
    r = tp("scan", "no-such-host.invalid:443")
    check(r.returncode == 3 and "cannot resolve no-such-host.invalid" in r.stderr,
          "unknown name: exit 3, says so", r)


# ---- scan: servers ------------------------------------------------------------------

POLICY = 'profile = "DEFAULT";\n'


def test_s_server_open(c):
    """s_server asking for everything, stock OpenSSL: every kind of row."""
    pol = c.write("policy.conf", POLICY)
    port, _ = c.s_server(extra=["-cipher", "ALL:@SECLEVEL=0",
                                "-groups", "secp224r1:brainpoolP256r1:X25519:P-256"])
    r, j = scan_json(c, port, policy=pol)
    check(r.returncode == 1, "exit 1: the server accepts forbidden things", r)
    check(j["schema"] == 1 and j["tls"] is True and j["compliant"] is False,
          "schema, tls, compliant", j)
    rows = {a["name"]: a for a in j["attempts"]}
    for name in ("version:TLSv1", "version:TLSv1.1", "sha1_signatures",
                 "group:secp224r1", "group:brainpoolP256r1", "cipher:CAMELLIA-256-CBC",
                 "cipher:anonymous"):
        check(name in rows and rows[name]["result"] == "accepted" and rows[name]["forbidden"],
              "row %s accepted" % name, rows.get(name), r.stdout)
    check(rows["version:TLSv1"]["negotiated"]["version"] == "TLSv1", "TLSv1 negotiated",
          rows["version:TLSv1"])
    check(rows["sha1_signatures"]["negotiated"]["signature_hash"] == "SHA1",
          "the server signed with SHA-1", rows["sha1_signatures"])
    check(rows["group:secp224r1"]["negotiated"]["group"] == "secp224r1",
          "secp224r1 negotiated", rows["group:secp224r1"])
    check(rows["allowed"]["result"] == "accepted", "an allowed handshake works", rows["allowed"])
    check(j["accepted_forbidden"] == sum(1 for a in j["attempts"]
                                         if a["forbidden"] and a["result"] == "accepted"),
          "accepted_forbidden counts the rows", j)
    # brainpoolP384r1 is not in the server's list: refused, and not counted
    check(rows["group:brainpoolP384r1"]["result"] == "refused", "group the server lacks: refused",
          rows["group:brainpoolP384r1"])
    # text output lists each item
    r = tp("scan", "127.0.0.1:%d" % port, policy=pol)
    check(r.returncode == 1, "text: exit 1", r)
    check(re.search(r"^  ACCEPTED  TLSv1 \(below the floor TLSv1.2\): TLSv1 ", r.stdout, re.M),
          "text: TLSv1 listed", r.stdout)
    check(re.search(r"^  ACCEPTED  group secp224r1 ", r.stdout, re.M), "text: group listed",
          r.stdout)
    check(re.search(r"^Result: the server accepts %d things the policy forbids\.$"
                    % j["accepted_forbidden"], r.stdout, re.M), "text: result line", r.stdout)


def test_s_server_strict(c):
    """A server that only speaks what the policy allows: exit 0."""
    pol = c.write("policy.conf", POLICY)
    port, _ = c.s_server(extra=["-tls1_3", "-groups", "X25519:P-256"])
    r, j = scan_json(c, port, policy=pol)
    check(r.returncode == 0, "exit 0: nothing forbidden accepted", r, j)
    check(j["compliant"] is True and j["accepted_forbidden"] == 0, "compliant", j)
    check(all(a["result"] != "accepted" for a in j["attempts"] if a["forbidden"]),
          "no forbidden row accepted", j)
    # under FUTURE the 2048-bit certificate is below the floor
    fut = c.write("future.conf", 'profile = "FUTURE";\n')
    r, j = scan_json(c, port, policy=fut)
    check(r.returncode == 1, "FUTURE: exit 1 for the 2048-bit key", r, j)
    check(j["chain"] and j["chain"][0]["bits"] == 2048 and
          "below the policy minimum of 3072" in (j["chain"][0]["problem"] or ""),
          "FUTURE: the chain row says why", j["chain"])


def test_app_rule(c):
    """--app judges against an application rule."""
    pol = c.write("policy.conf", POLICY + 'applications = ( { match = "oldapp";'
                  ' tls = { min_version = "TLSv1"; }; } );\n')
    port, _ = c.s_server(extra=["-cipher", "ALL:@SECLEVEL=0"])
    r, j = scan_json(c, port, None, pol)
    names = [a["name"] for a in j["attempts"]]
    check("version:TLSv1" in names, "system policy tries TLSv1", names)
    r, j = scan_json(c, port, None, pol, "--app", "oldapp")
    names = [a["name"] for a in j["attempts"]]
    check("version:TLSv1" not in names and "version:TLSv1.1" not in names,
          "oldapp allows TLSv1: not tried as forbidden", names)
    check(j["app"] == "oldapp", "app in JSON", j)


def test_wired_cli(c):
    """The scanner reads no openssl.cnf: run with the module wired for the CLI
    process itself, it measures exactly what it measures without."""
    pol = c.write("policy.conf", POLICY)
    cnf = c.cnf(pol)
    port, _ = c.s_server(extra=["-cipher", "ALL:@SECLEVEL=0", "-groups", "secp224r1:X25519"])
    r1, j1 = scan_json(c, port, STOCK, pol)
    r2, j2 = scan_json(c, port, dict(os.environ, OPENSSL_CONF=cnf), pol)
    check(r1.returncode == 1 and r2.returncode == 1, "exit 1 both ways", r1, r2)
    res1 = [(a["name"], a["result"]) for a in j1["attempts"]]
    res2 = [(a["name"], a["result"]) for a in j2["attempts"]]
    check(res1 == res2, "same results with the module wired for the CLI", res1, res2)
    # and the wiring works: a stock-configured openssl client under it is held
    r = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1"],
                       env=dict(os.environ, OPENSSL_CONF=cnf), input="", capture_output=True,
                       text=True, timeout=30)
    check(r.returncode != 0, "the wired configuration holds TLSv1 for an ordinary program",
          r.stdout, r.stderr)


def test_nginx_open(c):
    """nginx asking for everything, no policy: exit 1 listing the items."""
    pol = c.write("policy.conf", POLICY)
    port, _ = c.nginx(STOCK)
    r = tp("scan", "127.0.0.1:%d" % port, policy=pol)
    check(r.returncode == 1, "nginx without policy: exit 1", r)
    for line in (r"^  ACCEPTED  TLSv1 \(below the floor TLSv1.2\)",
                 r"^  ACCEPTED  TLSv1.1 \(below the floor TLSv1.2\)",
                 r"^  ACCEPTED  TLS 1.2 suites of family CAMELLIA-256-CBC",
                 r"^  ACCEPTED  TLS 1.2 with only SHA-1 signature algorithms"):
        check(re.search(line, r.stdout, re.M), "nginx without policy: %s" % line, r.stdout)


def test_nginx_policy(c):
    """The same nginx under the policy: exit 0. Needs the binding layer
    (policy security callback, issue 11): nginx's own ssl_ciphers ALL reaches
    CAMELLIA and anonymous suites through the defaults layer."""
    pol = c.write("policy.conf", POLICY)
    cnf = c.cnf(pol)
    port, p = c.nginx(dict(os.environ, OPENSSL_CONF=cnf))
    with open("/proc/%d/maps" % p.pid) as f:
        check(SO in f.read(), "nginx maps the module")
    r = tp("scan", "127.0.0.1:%d" % port, policy=pol)
    check(r.returncode == 0, "nginx under the policy: exit 0", r.stdout, r.stderr)
    check("Result: the server accepts nothing the policy forbids." in r.stdout, "result", r.stdout)


STARTTLS_SERVER = r"""
import socket, ssl, sys, threading
proto, port, crt, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(crt, key)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(16)

def serve(c):
    f = c.makefile("rwb", buffering=0)
    try:
        if proto == "smtp":
            f.write(b"220-mail.test ESMTP\r\n220 ready\r\n")
            f.readline()
            f.write(b"250-mail.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
            if f.readline().strip().upper() != b"STARTTLS":
                return
            f.write(b"220 go ahead\r\n")
        else:
            f.write(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
            tag = f.readline().split(b" ")[0]
            f.write(b"* note\r\n" + tag + b" OK begin TLS\r\n")
        t = ctx.wrap_socket(c, server_side=True)
        t.recv(1)
    except Exception:
        pass
    finally:
        c.close()

while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"""


def test_starttls(c):
    """--starttls smtp and imap against a server that speaks them (python's
    ssl, stock OpenSSL defaults: TLS 1.2 and 1.3, no legacy suites)."""
    pol = c.write("policy.conf", POLICY)
    crt, key = c.cert()
    srv = c.write("starttls.py", STARTTLS_SERVER)
    for proto in ("smtp", "imap"):
        port = free_port()
        c.start([sys.executable, srv, proto, str(port), crt, key], port, what=proto)
        r, j = scan_json(c, port, None, pol, "--starttls", proto)
        check(r.returncode == 0, "%s: exit 0" % proto, r, j)
        rows = {a["name"]: a for a in j["attempts"]}
        check(rows["reference"]["result"] == "accepted" and
              rows["reference"]["negotiated"]["version"] == "TLSv1.3",
              "%s: TLS after STARTTLS" % proto, rows["reference"])
        check(rows["version:TLSv1"]["result"] == "refused", "%s: TLSv1 refused" % proto, rows)
        # without --starttls the greeting is not TLS
        r = tp("scan", "127.0.0.1:%d" % port, policy=pol)
        check(r.returncode == 3 and "no TLS" in r.stderr, "%s without --starttls: no TLS" % proto,
              r)
    # a server that does not greet
    port = c.hanging_server()
    r = tp("scan", "--starttls", "smtp", "--timeout", "1", "127.0.0.1:%d" % port)
    check(r.returncode == 3 and
          "127.0.0.1:%d: STARTTLS (smtp): no answer within the timeout" % port in r.stderr,
          "silent SMTP server: exit 3, says so", r)


def test_valgrind(c):
    """scan, set --dry-run and check --impact under valgrind: no invalid
    access, no definite leak. AES-NI is turned off (OPENSSL_ia32cap): its
    assembly trips valgrind's uninitialised-value check on 3.0.x, in
    OpenSSL's code, with or without tlspolicy."""
    vg = shutil.which("valgrind")
    if vg is None:
        raise Skip("valgrind not installed")
    pol = c.write("policy.conf", POLICY)
    fut = c.write("future.conf", 'profile = "FUTURE";\n')
    port, _ = c.s_server(extra=["-cipher", "ALL:@SECLEVEL=0"])
    env = dict(STOCK, OPENSSL_ia32cap="~0x200000200000000")
    vgargs = [vg, "-q", "--error-exitcode=99", "--leak-check=full",
              "--errors-for-leak-kinds=definite"]
    for args, want in ((["--policy", pol, "scan", "--json", "127.0.0.1:%d" % port], 1),
                       (["--policy", pol, "scan", "127.0.0.1:%d" % free_port()], 3),
                       (["--policy", pol, "set", "--dry-run", "FUTURE"], 1),
                       (["check", "--impact", fut], 1)):
        r = subprocess.run(vgargs + [CLI] + args, env=env, capture_output=True, text=True,
                           timeout=600)
        check(r.returncode == want, "exit %d under valgrind: %s" % (want, args), r.stderr[-3000:])


# ---- impact ---------------------------------------------------------------------------

def impact_line(port):
    return re.compile(r"^  127\.0\.0\.1:%d \(pid \d+, openssl\): will not start after its next"
                      r" restart: the server's RSA key of 2048 bits is below the policy minimum"
                      r" of 3072" % port, re.M)


def test_dry_run(c):
    pol = c.write("policy.conf", POLICY)
    port, _ = c.s_server()
    r = tp("set", "--dry-run", "FUTURE", policy=pol)
    check(r.returncode == 1, "set FUTURE --dry-run: exit 1", r)
    check(impact_line(port).search(r.stdout), "names the 2048-bit server", r.stdout)
    check(open(pol).read() == POLICY, "--dry-run changes nothing")
    r = tp("set", "--dry-run", "DEFAULT", policy=pol)
    check(":%d " % port not in r.stdout, "DEFAULT: the server is not affected", r.stdout)
    check(re.search(r"^\d+ listening sockets? reachable on loopback", r.stdout, re.M),
          "summary line", r.stdout)


def test_dry_run_suites(c):
    """A server whose only suite the new policy drops: its clients under the
    new policy cannot connect. One line for the service, with both reasons."""
    pol = c.write("policy.conf", POLICY)
    port, _ = c.s_server(extra=["-cipher", "ECDHE-RSA-AES128-SHA256", "-no_tls1_3"])
    r = tp("set", "--dry-run", "DEFAULT:NO-CBC", policy=pol)
    check(r.returncode == 1, "set DEFAULT:NO-CBC --dry-run: exit 1", r)
    lines = [l for l in r.stdout.splitlines() if l.startswith("  127.0.0.1:%d " % port)]
    check(len(lines) == 1, "one line for the service", r.stdout)
    check(re.match(r"  127\.0\.0\.1:%d \(pid \d+, openssl\): clients under the new policy cannot"
                   r" connect: .*; negotiates suite ECDHE-RSA-AES128-SHA256 today, which the new"
                   r" policy drops$" % port, lines[0]), "says why", lines[0])
    r = tp("set", "--dry-run", "DEFAULT", policy=pol)
    check(":%d " % port not in r.stdout, "DEFAULT keeps the suite: not affected", r.stdout)


def test_check_impact(c):
    port, _ = c.s_server()
    fut = c.write("future.conf", 'profile = "FUTURE";\n')
    r = tp("check", "--impact", fut)
    check(r.returncode == 1, "check --impact FUTURE: exit 1", r)
    check(impact_line(port).search(r.stdout), "names the 2048-bit server", r.stdout)
    bad = c.write("bad.conf", 'profile = "NOPE";\n')
    r = tp("check", "--impact", bad)
    check(r.returncode == 1 and "bad.conf:1: error: unknown profile 'NOPE'" in r.stdout
          and "Impact of" not in r.stdout, "an invalid file is not judged", r)
    r = tp("check", "--impact", fut, "--json")
    check(r.returncode == 2, "--impact with --json: usage error", r)


def test_set_refuses(c):
    """A plain set of the system policy (the file the openssl.cnf programs read
    names) that would break a listener refuses; --force goes ahead."""
    pol = c.write("policy.conf", POLICY)
    cnf = c.cnf(pol)
    env = dict(os.environ, OPENSSL_CONF=cnf)
    port, _ = c.s_server(env=env)
    # a server with an openssl.cnf of its own does not read this policy
    own, _ = c.s_server(name="own")
    r = tp("set", "FUTURE", policy=pol, env=env)
    check(r.returncode == 1, "set FUTURE: refused", r)
    check(impact_line(port).search(r.stderr), "names the server", r.stderr)
    check(":%d " % own not in r.stderr, "not the server with its own OPENSSL_CONF", r.stderr)
    check(re.search(r'refused: with profile "FUTURE" \d+ local TLS servers? would break \(above\);'
                    r" .*policy\.conf is unchanged\. Fix them first, or use --force", r.stderr),
          "says why and how", r.stderr)
    check(open(pol).read() == POLICY, "unchanged")
    r = tp("set", "--force", "FUTURE", policy=pol, env=env)
    check(r.returncode == 0 and 'profile = "FUTURE";' in open(pol).read(), "--force sets it", r)
    # A policy file the system does not read is not judged (tests, images)
    other = c.write("other.conf", POLICY)
    r = tp("set", "FUTURE", policy=other, env=env)
    check(r.returncode == 0 and "Impact" not in r.stdout + r.stderr,
          "another file: set without scanning", r)


TESTS = {
    "closed": test_closed, "not_tls": test_not_tls, "hang": test_hang, "usage": test_usage,
    "s_server_open": test_s_server_open, "s_server_strict": test_s_server_strict,
    "app_rule": test_app_rule, "wired_cli": test_wired_cli, "nginx_open": test_nginx_open,
    "nginx_policy": test_nginx_policy, "dry_run": test_dry_run, "check_impact": test_check_impact,
    "set_refuses": test_set_refuses, "dry_run_suites": test_dry_run_suites, "starttls": test_starttls, "valgrind": test_valgrind,
}


def main():
    names = [GROUP] if GROUP else list(TESTS)
    rc = 0
    for name in names:
        c = Case()
        try:
            TESTS[name](c)
            print("ok   %s" % name)
        except Skip as e:
            print("skip %s: %s" % (name, e))
            if GROUP:
                rc = SKIP
        except Exception:
            print("FAIL %s" % name)
            traceback.print_exc()
            rc = 1
        finally:
            c.close()
    return rc


if __name__ == "__main__":
    sys.exit(main())
