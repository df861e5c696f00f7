#!/usr/bin/env python3
"""Node.js and programs that carry their own OpenSSL (issue 16).

Two nodes: the machine's `node` (NodeSource 20.x: OpenSSL linked statically,
its symbols exported from the executable) and Debian's node 18 (shared
libssl3), unpacked by scripts/node18.sh into /var/cache/tlspolicy/node18
(TP_NODE18 names another runner). And own_client, a small TLS client
linked with libcrypto.a/libssl.a in three ways: everything exported
(like node), nothing exported, only the part it uses exported.

Node reads the `nodejs_conf` section of openssl.cnf, not `openssl_conf`:
the wired openssl.cnf here sets both, as `tlspolicy enable` does.

Every case runs under the compiled-in DEFAULT policy (a policy file saying
profile = "DEFAULT"); each server is stock OpenSSL on 127.0.0.1; each
refusal is checked against the same client with no module, which connects.
Helpers (private /dev/log, servers, Case) are test_module.py's.

    test_node.py CASE | --list

Environment (set by meson): TP_SO, TP_PROBE (unused here), TP_OWN_EXPORT,
TP_OWN_HIDDEN, TP_OWN_PARTIAL, TP_CLI, TP_SOURCE_DIR.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "module"))
import test_module as tm  # noqa: E402
from test_module import Skip, check  # noqa: E402

CLI = os.environ.get("TP_CLI", "")
CACHE = os.environ.get("TP_CACHE", "/var/cache/tlspolicy")
NODE18 = os.environ.get("TP_NODE18", os.path.join(CACHE, "node18", "run-node"))

CLIENT_JS = r"""
// node client.js PORT CA|- : ask for TLS 1.0 and every suite at level 0.
const tls = require('tls'), fs = require('fs');
const [port, ca] = process.argv.slice(2);
const opt = { host: '127.0.0.1', servername: 'localhost', port: +port,
              minVersion: 'TLSv1', ciphers: 'ALL:@SECLEVEL=0' };
if (ca === '-') opt.rejectUnauthorized = false; else opt.ca = fs.readFileSync(ca);
const s = tls.connect(opt, () => {
  console.log('connected ' + s.getProtocol() + ' ' + s.getCipher().name);
  s.destroy(); process.exit(0);
});
s.on('error', e => { console.log('error ' + e.code + ': ' + e.message.split('\n')[0]);
                     process.exit(1); });
"""

POLICY = 'profile = "DEFAULT";\n'
CASES = {}


def wired_cnf(c):
    """Our Contract wiring, plus nodejs_conf pointing at the same section."""
    c.write_policy(POLICY)
    c.write_cnf()
    with open(c.cnf) as f:
        text = f.read()
    with open(c.cnf, "w") as f:
        f.write("nodejs_conf = openssl_init\n" + text)


def node_argv(which):
    if which == "20":
        node = shutil.which("node")
        if node is None:
            raise Skip("no node on PATH")
        out = subprocess.run(["nm", "-D", "--defined-only", os.path.realpath(node)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        if " OPENSSL_init_ssl" not in out:
            raise Skip("%s does not export its own OpenSSL (not a NodeSource-style build)" % node)
        return [node]
    if not os.access(NODE18, os.X_OK):
        raise Skip("no Debian node 18 at %s (run scripts/node18.sh)" % NODE18)
    return [NODE18]


def no_prefix(which="20"):
    """NodeSource's node runs its own OpenSSL 3.0: a module built for another
    OpenSSL (TP_OPENSSL_PREFIX, the 3.5 suite) is not for it. Debian's node
    uses the libssl.so.3 on LD_LIBRARY_PATH, the prefix's."""
    if which == "20" and os.environ.get("TP_OPENSSL_PREFIX"):
        raise Skip("the module is built for %s's OpenSSL, node runs its own 3.0"
                   % os.environ["TP_OPENSSL_PREFIX"])


def node(c, which, port, ca, module):
    js = os.path.join(c.dir, "client.js")
    if not os.path.exists(js):
        with open(js, "w") as f:
            f.write(CLIENT_JS)
    return c.run(node_argv(which) + [js, str(port), ca], module=module)


def sha1_pki(c):
    """A leaf for localhost signed with ECDSA-SHA1 by the test CA."""
    d = c.make_pki()
    subprocess.run([tm.OPENSSL, "x509", "-req", "-sha1", "-in", "srv.csr", "-CA", "ca.pem",
                    "-CAkey", "ca.key", "-set_serial", "9", "-out", "sha1.pem", "-days", "30",
                    "-extfile", "ext"], cwd=d, env=c.env(module=False), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return "sha1.pem"


# server kind -> (s_server arguments, CA for the client, what the refusal says)
SERVERS = {
    "tls11": (["-tls1_1", "-cipher", "ALL:@SECLEVEL=0"], True,
              "error ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", "connected TLSv1.1"),
    # Only anonymous suites on offer: once the client may not offer them
    # (the policy security callback, issue 11), the server has nothing to
    # pick (handshake_failure), or the client nothing to offer.
    "anon": (["-nocert", "-tls1_2", "-cipher", "aNULL:@SECLEVEL=0"], False,
             ("error ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "error ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE",
              "error ERR_SSL_NO_CIPHERS_AVAILABLE"),
             "connected TLSv1.2 ADH-"),
    "sha1": (["-tls1_2", "-cipher", "ALL:@SECLEVEL=0"], True,
             "error CERT_SIGNATURE_FAILURE", "connected TLSv1.2"),
    "modern": ([], True, None, "connected TLSv1.3"),
}


def node_case(which, kind):
    def run(c):
        no_prefix(which)
        node_argv(which)
        wired_cnf(c)
        args, use_ca, refusal, stock = SERVERS[kind]
        cert = sha1_pki(c) if kind == "sha1" else "srv.pem"
        port = c.server(*args, cert=cert)
        ca = os.path.join(c.make_pki(), "ca.pem") if use_ca else "-"
        r = node(c, which, port, ca, module=False)
        check(r.returncode == 0 and r.stdout.startswith(stock),
              "node %s with no policy connects to the %s server (%s)" % (which, kind, stock),
              r.stdout)
        r = node(c, which, port, ca, module=True)
        if refusal is None:
            check(r.returncode == 0 and r.stdout.startswith(stock),
                  "node %s under DEFAULT connects to the modern server" % which, r.stdout)
        else:
            check(r.returncode == 1 and r.stdout.startswith(refusal)
                  and "connected" not in r.stdout,
                  "node %s under DEFAULT is refused by/refuses the %s server (%s)"
                  % (which, kind, refusal), r.stdout)
        print("node %s, %s server: stock: %s; DEFAULT: %s" % (which, kind, stock,
                                                              r.stdout.strip()))
    return run


for _w in ("20", "18"):
    for _k in SERVERS:
        CASES["node%s_%s" % (_w, _k)] = node_case(_w, _k)


def bindings(c, argv):
    """Where each OpenSSL function tlspolicy.so imports was bound
    (LD_DEBUG=bindings): {object: count}."""
    env = c.env(module=True, LD_DEBUG="bindings", TLSPOLICY_CONF=c.policy)
    r = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=60)
    so = os.path.realpath(tm.SO)
    where = {}
    for line in r.stderr.splitlines():
        m = re.search(r"binding file (\S+) \[\d+\] to (\S+) \[\d+\]: normal symbol `\w+' "
                      r"\[OPENSSL_[0-9.]+\]", line)
        if m and os.path.realpath(m.group(1)) == so:
            where[m.group(2)] = where.get(m.group(2), 0) + 1
    return where, r


def bind_case(which):
    def run(c):
        no_prefix(which)
        argv = node_argv(which)
        wired_cnf(c)
        where, r = bindings(c, argv + ["-e", "require('tls').createSecureContext({})"])
        print("node %s: tlspolicy.so's OpenSSL imports bound to %s" % (which, where))
        check(len(where) == 1, "every OpenSSL import of the module reaches one copy",
              repr(where), r.stderr[-2000:])
        obj = list(where)[0]
        if which == "20":
            check(os.path.basename(obj) == "node", "...node's own", repr(where))
        else:
            check(os.path.basename(obj) == "libcrypto.so.3", "...the shared libcrypto",
                  repr(where))
    return run


CASES["node20_bindings"] = bind_case("20")
CASES["node18_bindings"] = bind_case("18")


def coverage_case(which):
    """`tlspolicy coverage` lists a node whose openssl.cnf does not set
    nodejs_conf as uncovered, with that reason, and a wired one as covered."""
    def run(c):
        no_prefix(which)
        argv = node_argv(which)
        if not CLI:
            raise Skip("TP_CLI not set")
        wired_cnf(c)
        js = "require('tls'); console.log('ready'); setTimeout(() => {}, 60000);"
        procs = {}
        for name, module in (("unwired", False), ("wired", True)):
            p = subprocess.Popen(argv + ["-e", js], env=c.env(module), stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
            c.procs.append(p)
            line = p.stdout.readline()
            check(line.strip() == "ready", "node %s started" % name, line)
            procs[name] = p.pid
        r = subprocess.run([CLI, "coverage", "--json"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        import json
        got = {p["pid"]: p for p in json.loads(r.stdout)["processes"]}
        check(r.returncode == 1, "coverage exits 1 (an uncovered process)", r.stderr)
        un, wi = got.get(procs["unwired"]), got.get(procs["wired"])
        check(un is not None and wi is not None, "both nodes listed", r.stdout)
        want = "Node.js reads nodejs_conf, which %s does not set" % c.stock
        check(un["status"] == "uncovered" and want in (un["reason"] or ""),
              "unwired node: uncovered, " + want, repr(un))
        check(wi["status"] == "covered" and wi["module"], "wired node: covered", repr(wi))
        if which == "20":
            own = un["own_tls_library"] or {}
            check(own.get("exported") is True and (own.get("version") or "").startswith(
                "OpenSSL 3."), "node 20: its own exported OpenSSL 3", repr(un))
        else:
            check(un["own_tls_library"] is None and "libcrypto.so.3" in un["libraries"],
                  "node 18: the shared libcrypto.so.3", repr(un))
        t = subprocess.run([CLI, "coverage"], stdout=subprocess.PIPE, text=True, timeout=60)
        row = [l for l in t.stdout.splitlines() if l.startswith("%-8d " % procs["unwired"])]
        check(len(row) == 1 and "uncovered" in row[0] and want in row[0],
              "the text output says the same", t.stdout)
        print(row[0])
    return run


CASES["node20_coverage"] = coverage_case("20")
CASES["node18_coverage"] = coverage_case("18")


def own_case(kind):
    """own_client (libcrypto.a linked in) against a TLS 1.1 server: with
    everything exported it is held to the policy (its own copy); otherwise
    one log line says why not, and the program carries on unharmed."""
    def run(c):
        exe = os.environ.get("TP_OWN_" + kind.upper(), "")
        if not exe:
            raise Skip("own_client not built (no libcrypto.a)")
        tm.need_log()
        c.write_policy(POLICY)
        c.write_cnf()
        port = c.server("-tls1_1", "-cipher", "ALL:@SECLEVEL=0")
        r = c.run([exe, str(port)], module=False)
        check(r.returncode == 0 and "connected TLSv1.1" in r.stdout
              and "libcrypto.so.3 mapped: no" in r.stdout, "stock: TLS 1.1, one copy", r.stdout)
        tm.LOG.clear()
        r = c.run([exe, str(port)], module=True)
        check("libcrypto.so.3 mapped: yes" in r.stdout,
              "the module brought libcrypto.so.3 in: two copies mapped", r.stdout)
        real = os.path.realpath(exe)
        if kind == "export":
            check(r.returncode == 1 and "refused:" in r.stdout and "protocol version" in r.stdout,
                  "own copy exported: held to DEFAULT (TLS 1.1 refused)", r.stdout)
            lines = tm.log_lines(r"program's own OpenSSL")
            check(len(lines) == 1 and real + " is the program's own OpenSSL" in lines[0],
                  "one log line naming the copy", "\n".join(tm.LOG))
            where, br = bindings(c, [exe, str(port)])
            check(list(where) == [exe] or [os.path.realpath(w) for w in where] == [real],
                  "every OpenSSL import of the module reaches own_client's copy", repr(where))
        else:
            check(r.returncode == 0 and "connected TLSv1.1" in r.stdout,
                  "two copies: the program carries on, unwired (no crash)", r.stdout)
            want = ("two copies of OpenSSL in one process; the module does nothing for the"
                    " copy in " + real
                    if kind == "hidden" else "exports only part of itself")
            lines = tm.log_lines(re.escape(want))
            check(len(lines) == 1 and real in lines[0], "one log line: " + want,
                  "\n".join(tm.LOG))
            if kind == "partial":
                check("X509_LOOKUP_meth_new reaches another copy" in lines[0]
                      or "reaches another copy" in lines[0], "names a function", lines[0])
        print(r.stdout.strip())
        print("\n".join(tm.LOG))
        if CLI:
            cov_own(c, exe, port, kind)
    return run


def cov_own(c, exe, port, kind):
    """coverage on own_client holding its connection under the module."""
    import json
    p = subprocess.Popen([exe, str(port), "hold"], env=c.env(True), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
    c.procs.append(p)
    for _ in range(3):
        line = p.stdout.readline()
        if line.startswith(("connected", "refused")):
            break
    r = subprocess.run([CLI, "coverage", "--json"], stdout=subprocess.PIPE, text=True,
                       timeout=60)
    got = [q for q in json.loads(r.stdout)["processes"] if q["pid"] == p.pid]
    check(len(got) == 1, "coverage lists own_client", r.stdout[-3000:])
    q = got[0]
    own = q["own_tls_library"] or {}
    check(own.get("version", "").startswith("OpenSSL 3.") if own else False,
          "coverage sees own_client's own OpenSSL 3 (%s)" % kind, repr(q))
    if kind == "export":
        check(q["status"] == "covered" and own["exported"], "exported copy + module: covered",
              repr(q))
    elif kind == "hidden":
        check(q["status"] == "uncovered" and not own["exported"]
              and "two copies" in q["reason"], "hidden copy + module: uncovered, two copies",
              repr(q))
    print("coverage: %s %s" % (q["status"], q["reason"]))


for _k in ("export", "hidden", "partial"):
    CASES["own_" + _k] = own_case(_k)


def missing_case(which):
    """Once nodejs_conf names the init section, a module named there that is
    missing stops node at its start (exit 103), where other programs carry
    on: documented in tlspolicy(7); packaging never leaves it so."""
    def run(c):
        argv = node_argv(which)
        wired_cnf(c)
        with open(c.cnf) as f:
            text = f.read()
        with open(c.cnf, "w") as f:
            f.write(text.replace("path = " + tm.SO, "path = " + c.dir + "/missing.so"))
        r = c.run(argv + ["-e", "console.log('ran')"])
        check(r.returncode == 103 and "OpenSSL configuration error" in r.stdout
              and "ran" not in r.stdout, "node %s stops: OpenSSL configuration error" % which,
              r.stdout)
        print(r.stdout.splitlines()[0])
    return run


CASES["node20_missing_module"] = missing_case("20")
CASES["node18_missing_module"] = missing_case("18")


def fake_case(kind, want_reason):
    """coverage on a program carrying only a version text: status other."""
    def run(c):
        import json
        exe = os.environ.get("TP_FAKE_" + kind.upper(), "")
        if not exe or not CLI:
            raise Skip("fake_tls or the CLI not built")
        p = subprocess.Popen([exe], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        c.procs.append(p)
        check(p.stdout.readline().startswith("ready"), "fake program started")
        r = subprocess.run([CLI, "coverage", "--json"], stdout=subprocess.PIPE, text=True,
                           timeout=60)
        got = [q for q in json.loads(r.stdout)["processes"] if q["pid"] == p.pid]
        check(len(got) == 1, "coverage lists it", r.stdout[-2000:])
        q = got[0]
        check(q["status"] == "other" and want_reason in (q["reason"] or "")
              and q["own_tls_library"]["exported"] is False, "other: " + want_reason, repr(q))
        print("coverage: %s %s" % (q["status"], q["reason"]))
    return run


CASES["fake_boringssl"] = fake_case("boringssl", "its own BoringSSL (in ")
CASES["fake_openssl11"] = fake_case("openssl11",
                                    "its own OpenSSL 1.1.1w  11 Sep 2023 (in ")


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--list":
        print("\n".join(sorted(CASES)))
        return 0
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print("usage: test_node.py CASE|--list", file=sys.stderr)
        return 2
    tm.enter_namespace()
    c = tm.Case(sys.argv[1])
    try:
        CASES[sys.argv[1]](c)
    except Skip as e:
        print("SKIP: %s" % e)
        return tm.SKIP
    except AssertionError as e:
        print(e)
        return 1
    finally:
        c.close()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
