#!/usr/bin/env python3
"""Tests of the audit verbs: probe, status, coverage, set.

Usage: test_audit.py TLSPOLICY TLSPOLICY_SO PACKAGING_DIR GROUP

Every case has its own temporary directory with its own openssl.cnf (passed
with --openssl-conf or OPENSSL_CONF) and policy; nothing under /etc is read
or written. Processes started for `coverage` are stopped by pid. Exit 0
pass, 1 fail, 77 skip.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

CLI, SO, PKG = (os.path.abspath(a) for a in sys.argv[1:4])
GROUP = sys.argv[4] if len(sys.argv) > 4 else None
SKIP = 77


class Skip(Exception):
    pass


def check(cond, what, *details):
    if not cond:
        msg = "FAIL: " + what
        for d in details:
            msg += "\n----\n" + (d if isinstance(d, str) else repr(d))
        raise AssertionError(msg)


class Case:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="tp-audit-")
        os.chmod(self.dir, 0o755)
        self.procs = []

    def path(self, *p):
        return os.path.join(self.dir, *p)

    def write(self, name, text, mode=0o644):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, mode)
        return p

    def policy(self, text, name="policy.conf"):
        return self.write(name, text)

    def cnf(self, name="openssl.cnf", path=SO, policy=None, before="", after="", extra=""):
        """The wiring of docs/DESIGN.md's Contract, with optional additions."""
        text = "openssl_conf = openssl_init\n[openssl_init]\n" + before
        text += "tlspolicy = tlspolicy_sect\n" + after
        text += "[tlspolicy_sect]\npath = %s\n" % path
        if policy:
            text += "policy = %s\n" % policy
        return self.write(name, text + extra)

    def start(self, args, env=None):
        p = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def env_for(**kw):
    e = {k: v for k, v in os.environ.items() if k not in ("TLSPOLICY_CONF", "OPENSSL_CONF")}
    e["TLSPOLICY_DATADIR"] = PKG
    e["OPENSSL_CONF"] = "/dev/null"  # never the host's openssl.cnf
    e.update({k: v for k, v in kw.items() if v is not None})
    return e


def tp(*args, env=None, timeout=120):
    return subprocess.run([CLI, *args], capture_output=True, text=True,
                          env=env or env_for(), timeout=timeout)


def js(r, what):
    try:
        d = json.loads(r.stdout)
    except ValueError as e:
        raise AssertionError(f"{what}: stdout is not JSON ({e})\n{r.stdout}\n{r.stderr}")
    check(isinstance(d, dict) and d.get("schema") == 1, f"{what}: JSON object with schema 1", d)
    return d


def rc(r, want, what):
    check(r.returncode == want, f"{what}: exit {r.returncode}, want {want}",
          r.stdout, r.stderr)


def probe(cnf, *args, env=None):
    r = tp("probe", "--openssl-conf", cnf, *args, env=env)
    rj = tp("probe", "--openssl-conf", cnf, "--json", *args, env=env)
    check(r.returncode == rj.returncode, "probe: text and JSON agree on the exit status",
          r.stdout, rj.stdout)
    return r, js(rj, "probe --json")


def floors(d):
    return {f["name"]: f for f in d["floors"]}


def checks(d):
    return {c["name"]: c for c in d["checks"]}


# ---- probe -----------------------------------------------------------------------


def test_probe_holds():
    c = Case()
    try:
        for profile in ("DEFAULT", "FUTURE", "DEFAULT:TLS13-ONLY"):
            pol = c.policy('profile = "%s";\n' % profile)
            cnf = c.cnf(policy=pol)
            r, d = probe(cnf)
            rc(r, 0, "probe " + profile)
            check("Every promise held." in r.stdout, "text says every promise held", r.stdout)
            check(d["held"] is True, "JSON .held", d)
            check(d["module"] == SO, "JSON .module is the module loaded", d["module"])
            check(d["providers"] == ["tlspolicy"], "only tlspolicy active", d["providers"])
            check(d["policy_file"] == pol, "policy file reported", d["policy_file"])
            check(d["differences"] == [], "no differences", d["differences"])
            fl = floors(d)
            for name in ("protocol_version", "forbidden_cipher", "sha1_signed_chain",
                         "sha1_handshake_signature", "short_rsa_key", "forbidden_group",
                         "anonymous_suite", "suite_outside_policy", "tls13_suite_outside_policy"):
                check(fl[name]["status"] == "held", f"{profile}: floor {name} held", fl[name])
                check(fl[name]["result"].startswith("refused: "), "the error seen is given",
                      fl[name])
                check(fl[name]["control"].startswith("without the policy: connected"),
                      "the attempt connects without the policy", fl[name])
            eff = d["effective"]["client"]
            want = "TLSv1.3" if "TLS13" in profile else "TLSv1.2"
            check(eff["min_version"] == want, "effective minimum", eff)
            check("TLSv1.1" not in d["effective"]["client_hello"]["versions"], "no TLS 1.1 offered")
            if profile == "FUTURE":
                check("ffdhe2048" not in d["effective"]["client_hello"]["groups"],
                      "FUTURE offers no ffdhe2048", d["effective"]["client_hello"])
                check(fl["forbidden_group"]["attempt"] == "group:ffdhe2048:13",
                      "FUTURE: ffdhe2048 is the forbidden group tried", fl["forbidden_group"])
    finally:
        c.close()


def test_probe_app():
    c = Case()
    try:
        pol = c.policy('profile = "DEFAULT";\n'
                       'applications = ( { match = "curl"; tls = { min_version = "TLSv1.3"; }; },\n'
                       '                 { match = "oldtool"; mode = "permissive"; } );\n')
        cnf = c.cnf(policy=pol)
        r, d = probe(cnf, "--app", "curl")
        rc(r, 0, "probe --app curl")
        check(d["program"] == "curl", ".program", d["program"])
        check(d["effective"]["client"]["min_version"] == "TLSv1.3", "curl gets TLS 1.3",
              d["effective"])
        check(floors(d)["protocol_version"]["attempt"] == "version:TLSv1.2",
              "below curl's floor is TLS 1.2", floors(d)["protocol_version"])
        r, d = probe(cnf)
        check(d["effective"]["client"]["min_version"] == "TLSv1.2", "others get TLS 1.2")
        # permissive: the attempts connect, as the policy says, and it is not a failure
        r, d = probe(cnf, "--app", "oldtool")
        rc(r, 0, "probe --app oldtool (permissive)")
        check(floors(d)["protocol_version"]["status"] == "permissive", "permissive row",
              floors(d)["protocol_version"])
    finally:
        c.close()


def test_probe_broken():
    c = Case()
    try:
        pol = c.policy('profile = "DEFAULT";\n')
        # module path wrong: nothing loads, nothing holds, and it says why
        cnf = c.cnf("wrongpath.cnf", path=c.path("nowhere", "tlspolicy.so"), policy=pol)
        r, d = probe(cnf)
        rc(r, 1, "probe, module path wrong")
        ck = checks(d)
        check(not ck["module_loaded"]["held"], "module not loaded", ck)
        check("does not exist" in ck["module_loaded"]["message"], "says the path does not exist",
              ck["module_loaded"])
        check(floors(d)["protocol_version"]["status"] == "not held", "TLS 1.1 not held",
              floors(d))
        check("PROBLEM" in r.stdout and "NOT HELD" in r.stdout, "text shows problems", r.stdout)

        # a FIFO as openssl.cnf: refused at once, no child left waiting on it
        fifo = c.path("fifo.cnf")
        os.mkfifo(fifo)
        for extra in ((), ("--json",)):
            r = tp("probe", "--openssl-conf", fifo, *extra)
            rc(r, 1, "probe %s through a FIFO" % " ".join(extra))
            check(r.stderr == "tlspolicy probe: %s is a FIFO (a program reading it would wait "
                  "for ever): not probed\n" % fifo, "says why", r.stderr)
            check(r.stdout == "", "no report", r.stdout)
        r, d = status(fifo)
        rc(r, 1, "status through a FIFO")
        check("problem: %s is a FIFO" % fifo in r.stdout, "status says why", r.stdout)

        # provider not active: someone copied the settings into ssl_conf
        # without the module; the defaults look right, the floors are gone
        show = json.loads(tp("--policy", pol, "show", "--json").stdout)
        cmds = "".join('%s = "%s"\n' % (k, v) for k, v in show["openssl"].items()
                       if k != "VerifyMode")
        cnf = c.write("noprovider.cnf",
                      "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\n"
                      "system_default = sd\n[sd]\n" + cmds)
        r, d = probe(cnf, "--policy", pol)
        rc(r, 1, "probe, provider not active")
        ck = checks(d)
        check(not ck["provider_active"]["held"], "provider not active reported", ck)
        check("no tlspolicy section" in ck["provider_active"]["message"], "says why",
              ck["provider_active"])
        check(ck["defaults"]["held"], "the copied defaults match", ck["defaults"], d["differences"])
        check(floors(d)["sha1_signed_chain"]["status"] == "not held", "SHA-1 chain not held",
              floors(d))
        check(floors(d)["sha1_handshake_signature"]["status"] == "not held",
              "SHA-1 handshake signature not held", floors(d))

        # another provider activated besides ours
        cnf = c.cnf("default.cnf", before="providers = prov_sect\n", policy=pol,
                    extra="[prov_sect]\ndefault = default_sect\n[default_sect]\nactivate = 1\n")
        r, d = probe(cnf)
        rc(r, 1, "probe, default provider also active")
        check(checks(d)["provider_active"]["message"]
              == "provider tlspolicy active, but so is default: what it offers escapes the"
              " floors (activated by the providers section of %s)" % cnf,
              "says default, and where it is activated", checks(d))

        # a weaker ssl_conf listed after ours
        cnf = c.cnf("later.cnf", after="ssl_conf = weak_ssl\n", policy=pol,
                    extra="[weak_ssl]\nsystem_default = weak_sd\n[weak_sd]\n"
                          "MinProtocol = TLSv1\nCipherString = ALL:@SECLEVEL=0\n")
        r, d = probe(cnf)
        rc(r, 1, "probe, weaker ssl_conf after ours")
        diffs = {x["setting"]: x for x in d["differences"]}
        m = diffs.get("client minimum version")
        check(m and m["effective"] == "TLSv1" and m["policy"] == "TLSv1.2",
              "the minimum version differs", d["differences"])
        check("listed after tlspolicy" in m["why"], "says an ssl_conf is listed after ours", m)
        check("listed after tlspolicy" in r.stdout, "text says why", r.stdout)
        check(floors(d)["protocol_version"]["status"] == "held",
              "the provider still holds the version floor", floors(d))

        # "ssl_conf.a.b" is not ssl_conf: libcrypto's module_find cuts the
        # name at the LAST '.', so the module sees no later ssl_conf and the
        # policy holds; probe (which measures the real module) agrees
        cnf = c.cnf("dotted.cnf", after="ssl_conf.a.b = weak_ssl\n", policy=pol,
                    extra="[weak_ssl]\nsystem_default = weak_sd\n[weak_sd]\n"
                          "MinProtocol = TLSv1\nCipherString = ALL:@SECLEVEL=0\n")
        r, d = probe(cnf)
        rc(r, 0, "probe, ssl_conf.a.b after ours is another module")
        check(d["differences"] == [], "nothing differs from the policy", d["differences"])
        check("listed after tlspolicy" not in r.stdout, "no later ssl_conf claimed", r.stdout)
    finally:
        c.close()


def test_probe_usage():
    rc(tp("probe", "--bogus"), 2, "probe --bogus")
    rc(tp("probe", "extra"), 2, "probe extra")
    r = tp("probe", "--help")
    rc(r, 0, "probe --help")
    check("--openssl-conf" in r.stdout, "probe --help names --openssl-conf", r.stdout)
    # the host's configuration is the default; OPENSSL_CONF picks another
    c = Case()
    try:
        cnf = c.cnf(policy=c.policy('profile = "DEFAULT";\n'))
        r = tp("probe", "--json", env=env_for(OPENSSL_CONF=cnf))
        rc(r, 0, "probe under OPENSSL_CONF")
        check(js(r, "probe")["openssl_conf"] == cnf, "probe follows OPENSSL_CONF")
    finally:
        c.close()


# ---- status ----------------------------------------------------------------------


def status(cnf, *args, env=None):
    r = tp("status", "--openssl-conf", cnf, *args, env=env)
    rj = tp("status", "--openssl-conf", cnf, "--json", *args, env=env)
    d = js(rj, "status --json")
    check(r.returncode == rj.returncode, "status: text and JSON agree", r.stdout, rj.stdout)
    check(len(r.stdout.splitlines()) == len(d["findings"]), "one line per finding", r.stdout)
    check(d["ok"] == (r.returncode == 0), ".ok follows the exit status", d)
    return r, d


def test_status():
    c = Case()
    try:
        pol = c.policy('profile = "DEFAULT";\n')
        r, d = status(c.cnf(policy=pol))
        rc(r, 0, "status, good wiring")
        for line in ("ok: tlspolicy is the last ssl_conf writer",
                     "ok: policy %s is valid (0 drop-ins)" % pol):
            check(line in r.stdout.splitlines(), "line: " + line, r.stdout)

        r, d = status(c.cnf("wrong.cnf", path="/nonexistent/tlspolicy.so", policy=pol))
        rc(r, 1, "status, module missing")
        check("problem: module /nonexistent/tlspolicy.so does not exist: programs start without"
              " the policy" in r.stdout.splitlines(), "says the module is missing", r.stdout)

        r, d = status(c.cnf("later.cnf", policy=pol, after="ssl_conf = s\n",
                            extra="[s]\nsystem_default = sd\n[sd]\nMinProtocol = TLSv1\n"))
        rc(r, 1, "status, later ssl_conf")
        check(any(l.startswith("problem: ssl_conf = s is listed after tlspolicy")
                  for l in r.stdout.splitlines()), "says ssl_conf is listed after", r.stdout)

        # the module's rule (last '.'): ssl_conf.a.b is not ssl_conf, but
        # ssl_conf.weak is
        weak = "[s]\nsystem_default = sd\n[sd]\nMinProtocol = TLSv1\n"
        r, d = status(c.cnf("dotted.cnf", policy=pol, after="ssl_conf.a.b = s\n", extra=weak))
        rc(r, 0, "status, ssl_conf.a.b after ours is another module")
        check("ok: tlspolicy is the last ssl_conf writer" in r.stdout.splitlines(),
              "tlspolicy is the last ssl_conf writer", r.stdout)
        r, d = status(c.cnf("dotted1.cnf", policy=pol, after="ssl_conf.weak = s\n", extra=weak))
        rc(r, 1, "status, ssl_conf.weak after ours")
        check(any(l.startswith("problem: ssl_conf = s is listed after tlspolicy")
                  for l in r.stdout.splitlines()), "ssl_conf.weak is ssl_conf", r.stdout)

        r, d = status(c.write("none.cnf", "# nothing\n"), "--policy", pol)
        rc(r, 1, "status, not wired")
        r, d = status(c.path("absent.cnf"), "--policy", pol)
        rc(r, 1, "status, no openssl.cnf")

        bad = c.policy('profile = "NOPE";\n', "bad.conf")
        r, d = status(c.cnf("badpol.cnf", policy=bad))
        rc(r, 1, "status, invalid policy")
        check(any("unknown profile 'NOPE'" in l for l in r.stdout.splitlines()),
              "gives the policy's error", r.stdout)

        loose = c.policy('profile = "DEFAULT";\n', "loose.conf")
        os.chmod(loose, 0o666)
        r, d = status(c.cnf("loose.cnf", policy=loose))
        rc(r, 1, "status, policy writable by others")
        check(any("writable by group or others" in l for l in r.stdout.splitlines()),
              "says it is not trusted", r.stdout)
    finally:
        c.close()


# ---- coverage --------------------------------------------------------------------

PY_TLS = ("import ssl, sys, time\nssl.create_default_context()\n"
          "sys.stdout.write('ready\\n'); sys.stdout.flush()\ntime.sleep(120)\n")


def start_ready(c, args, env):
    p = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    c.procs.append(p)
    check(p.stdout.readline().strip() == "ready", "helper process started", args)
    return p


def silent_server():
    """A TCP listener on 127.0.0.1 that accepts and never answers: a TLS
    client connecting to it waits in its handshake."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    conns = []

    def serve():
        while True:
            try:
                conns.append(s.accept()[0])
            except OSError:
                return
    threading.Thread(target=serve, daemon=True).start()
    return s, s.getsockname()[1]


def wait_maps(pid, lib, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/maps" % pid) as f:
                if lib in f.read():
                    return True
        except OSError:
            return False
        time.sleep(0.05)
    return False


def test_coverage():
    c = Case()
    srv = None
    try:
        cnf = c.cnf(policy=c.policy('profile = "DEFAULT";\n'))
        covered = start_ready(c, [sys.executable, "-S", "-c", PY_TLS], env_for(OPENSSL_CONF=cnf))
        uncovered = start_ready(c, [sys.executable, "-S", "-c", PY_TLS],
                                env_for(OPENSSL_CONF="/dev/null"))
        gnutls = None
        if shutil.which("gnutls-cli"):
            srv, port = silent_server()
            gnutls = c.start(["gnutls-cli", "--insecure", "-p", str(port), "127.0.0.1"],
                             env=env_for())
            check(wait_maps(gnutls.pid, "libgnutls"), "gnutls-cli maps libgnutls")
        r = tp("coverage")
        rj = tp("coverage", "--json")
        d = js(rj, "coverage --json")
        check(r.returncode == rj.returncode, "coverage: text and JSON agree")
        byp = {p["pid"]: p for p in d["processes"]}
        check(covered.pid in byp and byp[covered.pid]["status"] == "covered",
              "the process under the policy is covered", byp.get(covered.pid))
        check(byp[covered.pid]["module"] is True, "module mapped in it")
        u = byp.get(uncovered.pid)
        check(u and u["status"] == "uncovered", "OPENSSL_CONF=/dev/null is uncovered", u)
        if os.geteuid() == 0 or u["environ_readable"]:
            check(u["openssl_conf"] == "/dev/null" and "own OPENSSL_CONF=/dev/null" in u["reason"],
                  "its OPENSSL_CONF is shown", u)
        check(u["status"] == "uncovered" and r.returncode == 1,
              "an uncovered OpenSSL 3 process makes the exit status 1", r.stdout)
        check(any(l.split()[:1] == [str(uncovered.pid)] and "uncovered" in l
                  for l in r.stdout.splitlines()), "text lists it", r.stdout)
        if gnutls:
            g = byp.get(gnutls.pid)
            check(g and "gnutls" in g["libraries"], "gnutls-cli listed", g)
            if not os.path.exists("/etc/gnutls/config"):  # tests never write /etc
                check(g["status"] == "uncovered" and "GnuTLS: no /etc/gnutls/config" in g["reason"],
                      "uncovered without tlspolicy's GnuTLS configuration", g)
        check(d["summary"]["uncovered"] >= 1 and d["summary"]["covered"] >= 1, "summary", d["summary"])
        check(not byp[covered.pid]["reason"], "no remark on a fresh covered process",
              byp[covered.pid])
        # the policy changes after the process started: it keeps the old one
        pol = c.path("policy.conf")
        later = time.time() + 30
        os.utime(pol, (later, later))
        d = js(tp("--policy", pol, "coverage", "--json"), "coverage --json")
        p = {p["pid"]: p for p in d["processes"]}[covered.pid]
        check(p["status"] == "covered" and "policy changed since it started" in p["reason"],
              "a process older than the policy is marked", p)
        # With only covered processes in sight, exit 0: a private PID namespace.
        if os.geteuid() == 0 and shutil.which("unshare"):
            script = ("import subprocess, sys, os\n"
                      "p = subprocess.Popen([sys.executable, '-S', '-c', %r], stdout=subprocess.PIPE, text=True)\n"
                      "p.stdout.readline()\n"
                      "r = subprocess.run([%r, 'coverage', '--json'], capture_output=True, text=True)\n"
                      "p.kill(); p.wait()\n"
                      "sys.stdout.write(str(r.returncode) + '\\n' + r.stdout)\n") % (PY_TLS, CLI)
            res = subprocess.run(["unshare", "-pf", "--mount-proc", sys.executable, "-S", "-c",
                                  script], capture_output=True, text=True,
                                 env=env_for(OPENSSL_CONF=cnf), timeout=60)
            if res.returncode == 0:
                code, _, out = res.stdout.partition("\n")
                dd = json.loads(out)
                check(code == "0", "only covered processes: exit 0", res.stdout)
                check(dd["summary"]["covered"] >= 1 and dd["summary"]["uncovered"] == 0,
                      "namespace: covered only", dd)
    finally:
        c.close()
        if srv:
            srv.close()


# ---- set -------------------------------------------------------------------------


def test_set():
    c = Case()
    try:
        root = c.path("root")
        pol = c.write("root/etc/tlspolicy/policy.conf",
                      "# my policy\n\nprofile = \"DEFAULT\";   # the profile\n"
                      "mode = \"enforce\";\n"
                      "applications = ( { match = \"x\"; tls = { min_version = \"TLSv1.3\"; }; } );\n")
        before = open(pol).read()
        r = tp("--root", root, "set", "FUTURE:NO-SHA1")
        rc(r, 0, "set FUTURE:NO-SHA1")
        after = open(pol).read()
        check(after == before.replace('"DEFAULT"', '"FUTURE:NO-SHA1"'),
              "only the profile changed", after)
        d = js(tp("--root", root, "show", "--json"), "show")
        check(d["profile"] == "FUTURE:NO-SHA1", "show sees it", d["profile"])
        check(oct(os.stat(pol).st_mode & 0o777) == "0o644", "mode kept")

        for bad in ("NOPE", "DEFAULT:NO-SUCH"):
            r = tp("--root", root, "set", bad)
            rc(r, 1, "set " + bad)
            check("unchanged" in r.stderr, "says nothing changed", r.stderr)
            check(open(pol).read() == after, "file unchanged after refusal")
        for bad in ("", "a\"b", ":X"):
            rc(tp("--root", root, "set", bad), 2, "set %r" % bad)
        check(sorted(os.listdir(os.path.dirname(pol))) == ["policy.conf"], "no temporary left",
              os.listdir(os.path.dirname(pol)))

        # a drop-in that the new profile would make invalid is caught first
        c.write("root/etc/tlspolicy/policy.d/10-bad.conf", 'tls = { min_version = "TLSv9"; };\n')
        r = tp("--root", root, "set", "LEGACY")
        rc(r, 1, "set with an invalid drop-in")
        check(open(pol).read() == after, "file unchanged")
        os.unlink(c.path("root/etc/tlspolicy/policy.d/10-bad.conf"))

        # no profile line yet: one is added; --policy names another file
        other = c.write("other.conf", "# other\nmode = \"enforce\";\n")
        rc(tp("--policy", other, "set", "LEGACY"), 0, "set --policy")
        check(open(other).read() == '# other\nprofile = "LEGACY";\nmode = "enforce";\n',
              "profile line inserted after the comments", open(other).read())
        fresh = c.path("fresh", "policy.conf")
        os.makedirs(os.path.dirname(fresh))
        rc(tp("--policy", fresh, "set", "DEFAULT"), 0, "set creates a missing file")
        check('profile = "DEFAULT";' in open(fresh).read(), "new file has the profile")
    finally:
        c.close()


def test_set_concurrent():
    """Hundreds of program starts while the profile switches back and forth:
    each sees LEGACY or FUTURE whole, never a partial or invalid file (which
    would give the compiled-in DEFAULT)."""
    c = Case()
    try:
        root = c.path("root")
        pol = c.write("root/etc/tlspolicy/policy.conf",
                      "# switched by the test\nprofile = \"LEGACY\";\n" + "# padding\n" * 2000)
        cnf = c.cnf(policy=pol)
        stop = threading.Event()
        switches = [0]
        errors = []

        def switcher():
            profiles = ["FUTURE", "LEGACY"]
            while not stop.is_set():
                r = tp("--root", root, "set", profiles[switches[0] % 2])
                if r.returncode != 0:
                    errors.append(r.stderr)
                switches[0] += 1

        t = threading.Thread(target=switcher)
        t.start()
        seen = {"cli": set(), "module": set()}
        starts = 0
        try:
            # the CLI reading the policy
            for _ in range(150):
                r = tp("--root", root, "show", "--json")
                starts += 1
                d = json.loads(r.stdout)
                check(r.returncode == 0 and not d["fallback"], "show saw a valid policy",
                      r.stdout, r.stderr)
                seen["cli"].add(d["profile"])
            # programs starting with the module: LEGACY gives security level
            # 0, FUTURE 3; a bad file would give the compiled-in DEFAULT's 2
            env = env_for(OPENSSL_CONF=cnf)
            for _ in range(150):
                r = subprocess.run([CLI, "__probe-child", "/nonexistent"], capture_output=True,
                                   text=True, env=env, timeout=30)
                starts += 1
                lv = [l.split("\t")[3] for l in r.stdout.splitlines()
                      if l.startswith("set\tclient\tsecurity_level\t")]
                check(lv and lv[0] in ("0", "3"), "module start saw LEGACY or FUTURE", r.stdout)
                seen["module"].add(lv[0])
        finally:
            stop.set()
            t.join()
        check(not errors, "every switch succeeded", *errors[:3])
        check(switches[0] >= 10, "the profile switched many times", switches[0])
        check(seen["cli"] == {"LEGACY", "FUTURE"}, "the CLI saw both profiles", seen)
        check(len(seen["module"]) >= 1, "module starts measured", seen)
        print("%d starts during %d switches; seen %r" % (starts, switches[0], seen))
    finally:
        c.close()


# ---- valgrind --------------------------------------------------------------------


def test_valgrind():
    """The new code paths under valgrind: no invalid access, no definite leak
    (probe's measuring processes included)."""
    vg = shutil.which("valgrind")
    if not vg:
        raise Skip("valgrind not installed")
    supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "policy",
                        "libconfig.supp")
    base = [vg, "-q", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--suppressions=" + supp]
    c = Case()
    try:
        pol = c.policy('profile = "DEFAULT";\n')
        cnf = c.cnf(policy=pol)
        root = c.path("root")
        c.write("root/etc/tlspolicy/policy.conf", 'profile = "DEFAULT";\n')
        runs = [
            (["--trace-children=yes"], ["probe", "--openssl-conf", cnf, "--json"], 0),
            ([], ["status", "--openssl-conf", cnf, "--json"], 0),
            ([], ["status", "--openssl-conf", c.path("none.cnf"), "--policy", pol], 1),
            ([], ["coverage", "--json"], None),
            ([], ["--root", root, "set", "FUTURE:NO-CBC"], 0),
            ([], ["--root", root, "set", "NOPE"], 1),
        ]
        for extra, args, want in runs:
            r = subprocess.run(base + extra + [CLI] + args, capture_output=True, text=True,
                               env=env_for(), timeout=600)
            check(r.returncode != 99 and "==" not in r.stderr,
                  "valgrind clean: tlspolicy " + " ".join(args), r.stderr[-3000:])
            if want is not None:
                check(r.returncode == want, "exit %d under valgrind: %s" % (want, args),
                      r.stdout[-2000:], r.stderr[-2000:])
    finally:
        c.close()


def test_escape():
    """Data another user controls never reaches the terminal raw (issue 12):
    a process whose OPENSSL_CONF and comm hold a carriage return and escape
    sequences is listed by `coverage` with them escaped, and file names with
    control characters are escaped by `status`, `show` and `probe`."""
    c = Case()
    try:
        trap = "/dev/null\r1 0 init covered\x1b]0;owned\x07"
        script = ("import ssl, sys, time\n"
                  "open('/proc/self/comm', 'wb').write(b'tp\\x1b[2Jcomm\\r')\n"
                  "ssl.create_default_context()\n"
                  "sys.stdout.write('ready\\n'); sys.stdout.flush()\ntime.sleep(120)\n")
        p = start_ready(c, [sys.executable, "-S", "-c", script], env_for(OPENSSL_CONF=trap))
        r = tp("coverage")
        want = "%-8d %-6u %-16s %-10s %s" % (
            p.pid, os.getuid(), r"tp\x1b[2Jcomm\r", "uncovered",
            r"own OPENSSL_CONF=/dev/null\r1 0 init covered\x1b]0;owned\x07")
        lines = [l for l in r.stdout.split("\n") if l.split(" ")[:1] == [str(p.pid)]]
        check(lines == [want], "coverage: comm and WHY escaped exactly", "\n".join(lines))
        check("\x1b" not in r.stdout and "\r" not in r.stdout and "\x07" not in r.stdout,
              "coverage: no control character on the terminal", repr(r.stdout))
        d = js(tp("coverage", "--json"), "coverage --json")
        byp = {x["pid"]: x for x in d["processes"]}
        check(byp[p.pid]["openssl_conf"] == trap and byp[p.pid]["comm"] == "tp\x1b[2Jcomm\r",
              "JSON keeps the raw bytes (escaped by JSON)", byp[p.pid])

        # file names: an openssl.cnf and a policy named with control characters
        pol = c.policy('profile = "DEFAULT";\n', name="pol\x1b[31m\r.conf")
        cnf = c.cnf(name="ossl\x1b]0;x\x07.cnf", policy=pol)
        epol = c.path(r"pol\x1b[31m\r.conf")
        ecnf = c.path(r"ossl\x1b]0;x\x07.cnf")
        r = tp("status", "--openssl-conf", cnf)
        check("ok: OpenSSL reads %s\n" % ecnf in r.stdout, "status: the openssl.cnf name escaped",
              r.stdout)
        check("policy %s is valid" % epol in r.stdout, "status: the policy name escaped", r.stdout)
        check("\x1b" not in r.stdout and "\r" not in r.stdout, "status: no control character",
              repr(r.stdout))
        r = tp("--policy", pol, "show")
        check("Policy file: %s\n" % epol in r.stdout, "show: the policy name escaped", r.stdout)
        check("\x1b" not in r.stdout and "\r" not in r.stdout, "show: no control character",
              repr(r.stdout))
        r = tp("probe", "--openssl-conf", cnf)
        check("openssl.cnf: %s\n" % ecnf in r.stdout and "Policy file: %s\n" % epol in r.stdout,
              "probe: file names escaped", r.stdout + r.stderr)
        check("\x1b" not in r.stdout and "\r" not in r.stdout, "probe: no control character",
              repr(r.stdout))
    finally:
        c.close()


TESTS = {
    "probe_holds": test_probe_holds,
    "probe_app": test_probe_app,
    "probe_broken": test_probe_broken,
    "probe_usage": test_probe_usage,
    "status": test_status,
    "coverage": test_coverage,
    "set": test_set,
    "set_concurrent": test_set_concurrent,
    "valgrind": test_valgrind,
    "escape": test_escape,
}


def main():
    names = [GROUP] if GROUP else list(TESTS)
    failed = 0
    for n in names:
        try:
            TESTS[n]()
            print("ok", n)
        except Skip as e:
            print("skip", n, e)
            return SKIP
        except Exception:
            traceback.print_exc()
            print("FAIL", n)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
