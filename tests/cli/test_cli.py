#!/usr/bin/env python3
"""CLI tests for tlspolicy: exit codes, exact output lines and JSON.

Usage: test_cli.py TLSPOLICY DATA_DIR PACKAGING_DIR [GROUP...]

DATA_DIR holds the fixture trees tests/data/cli-*; PACKAGING_DIR the shipped
profiles/ and modifiers/ (passed as TLSPOLICY_DATADIR). Each fixture tree is
passed with --root, never the host's /etc.
"""
import json
import os
import subprocess
import sys
import traceback

CLI, DATA, PKG = (os.path.abspath(a) for a in sys.argv[1:4])
GROUPS = sys.argv[4:]

BASIC = os.path.join(DATA, "cli-basic")
INVALID = os.path.join(DATA, "cli-invalid")
EMPTY = os.path.join(DATA, "cli-empty")
OVERRIDE = os.path.join(DATA, "cli-override")
FILES = os.path.join(DATA, "cli-files")


def etc(root, *parts):
    return os.path.join(root, "etc", "tlspolicy", *parts)


class Result:
    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.lines = proc.stdout.splitlines()

    def json(self):
        try:
            d = json.loads(self.out)
        except ValueError as e:
            raise AssertionError(f"{self.args}: stdout is not JSON ({e}):\n{self.out}")
        check(isinstance(d, dict), "JSON output is one object")
        eq(d.get("schema"), 1, "JSON .schema")
        return d


def run(*args, env=None):
    e = {k: v for k, v in os.environ.items() if k not in ("TLSPOLICY_CONF",)}
    e["TLSPOLICY_DATADIR"] = PKG
    if env:
        e.update(env)
    proc = subprocess.run([CLI, *args], capture_output=True, text=True, env=e, timeout=60)
    return Result(args, proc)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(got, want, what):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


def rc(r, want):
    if r.rc != want:
        raise AssertionError(f"tlspolicy {' '.join(r.args)}: exit {r.rc}, want {want}\n"
                             f"--- stdout\n{r.out}--- stderr\n{r.err}")


def has_line(r, line, stream="out"):
    text = r.out if stream == "out" else r.err
    if line not in text.splitlines():
        raise AssertionError(f"tlspolicy {' '.join(r.args)}: no line {line!r} on std{stream}:\n"
                             f"{text}")


# ---- usage, help, version ------------------------------------------------------


def test_usage():
    r = run()
    rc(r, 2)
    eq(r.out, "", "no command: nothing on stdout")
    check("Usage: tlspolicy" in r.err, "no command: usage on stderr")

    r = run("--help")
    rc(r, 0)
    eq(r.err, "", "--help: nothing on stderr")
    check(r.lines[0].startswith("Usage: tlspolicy"), "--help: usage on stdout")
    for verb in ("show", "explain", "check", "list", "probe", "status", "coverage", "set",
                 "enable", "disable"):
        check(any(l.startswith(f"  {verb} ") for l in r.lines), f"--help lists {verb}")
    check(any("2 usage error" in l for l in r.lines), "--help documents exit codes")
    rc(run("-h"), 0)

    r = run("--version")
    rc(r, 0)
    check(r.lines[0].startswith("tlspolicy "), "--version first line")
    check(any("OpenSSL" in l for l in r.lines), "--version names OpenSSL")
    rc(run("-V"), 0)

    for verb in ("enable", "disable"):  # tests/cli/test_enable.py tests them
        r = run(verb, "--no-such-option")
        rc(r, 2)
        eq(r.out, "", f"{verb}: nothing on stdout")

    r = run("frobnicate")
    rc(r, 2)
    has_line(r, "tlspolicy: unknown command 'frobnicate'", "err")

    for args, msg in [
        (("--bogus", "show"), "tlspolicy: unknown option '--bogus'"),
        (("-x",), "tlspolicy: unknown option '-x'"),
        (("--root",), "tlspolicy: option '--root' needs an argument"),
        (("show", "--bogus"), "tlspolicy show: unknown option '--bogus'"),
        (("show", "--app"), "tlspolicy show: option '--app' needs an argument"),
        (("show", "extra"), "tlspolicy show: unexpected argument 'extra'"),
        (("list", "extra"), "tlspolicy list: unexpected argument 'extra'"),
        (("explain", "tls.min_version", "mode"), "tlspolicy explain: unexpected argument 'mode'"),
        (("check", "--app", "x"), "tlspolicy check: unknown option '--app'"),
    ]:
        r = run(*args)
        rc(r, 2)
        has_line(r, msg, "err")
        eq(r.out, "", f"{args}: nothing on stdout")

    for verb in ("show", "explain", "check", "list"):
        r = run(verb, "--help")
        rc(r, 0)
        check(r.lines[0].startswith(f"Usage: tlspolicy {verb}"), f"{verb} --help")
        r = run("help", verb)
        rc(r, 0)
        check(r.lines[0].startswith(f"Usage: tlspolicy {verb}"), f"help {verb}")
    rc(run("help", "nope"), 2)


# ---- show --------------------------------------------------------------------


def test_show():
    # No policy file: what programs get is DEFAULT.
    r = run("--root", EMPTY, "show")
    rc(r, 0)
    has_line(r, "Program: (system-wide)")
    has_line(r, "Policy file: compiled-in DEFAULT")
    has_line(r, "Drop-ins: none")
    check(any(l.split() == ["tls.min_version", "TLSv1.2"] for l in r.lines), "DEFAULT min TLSv1.2")
    check(any(l.strip().startswith("MinProtocol = TLSv1.2") or
              l.strip().startswith("TLS.MinProtocol = TLSv1.2") for l in r.lines),
          "rendered MinProtocol")

    r = run("--root", BASIC, "show", "--app", "curl")
    rc(r, 0)
    has_line(r, "Program: curl")
    has_line(r, f"Policy file: {etc(BASIC, 'policy.conf')}")
    has_line(r, f"Drop-in: {etc(BASIC, 'policy.d', '10-verify.conf')}")
    has_line(r, f"Drop-in: {etc(BASIC, 'policy.d', '20-rsa.conf')}")
    has_line(r, f"Application rule: 'curl' ({etc(BASIC, 'policy.conf')}:10)")
    check(any(l.split() == ["tls.min_version", "TLSv1.3"] for l in r.lines), "curl min TLSv1.3")

    # global options are accepted after the command too
    r2 = run("show", "--app", "curl", "--root", BASIC)
    rc(r2, 0)
    eq(r2.out, r.out, "--root after the command")

    r = run("--root", BASIC, "show", "--app", "wget")
    rc(r, 0)
    has_line(r, "Application rules: none match")


def test_show_json():
    d = run("--root", EMPTY, "show", "--json").json()
    eq(d["program"], None, ".program system-wide")
    eq(d["policy_file"], None, ".policy_file without a file")
    eq(d["dropins"], [], ".dropins")
    eq(d["applications"], [], ".applications")
    eq(d["fallback"], False, ".fallback")
    eq(d["profile"], "DEFAULT", ".profile")
    eq(d["mode"], "enforce", ".mode")
    eq(d["tls"]["min_version"], "TLSv1.2", ".tls.min_version")
    eq(d["tls"]["max_version"], "TLSv1.3", ".tls.max_version")
    eq(d["dtls"]["min_version"], "DTLSv1.2", ".dtls.min_version")
    eq(d["keys"]["min_rsa_bits"], 2048, ".keys.min_rsa_bits")
    eq(d["signatures"]["forbidden_hashes"], ["MD5", "SHA1"], ".signatures.forbidden_hashes")
    eq(d["verify"]["ca_file"], None, ".verify.ca_file unset is null")
    check(isinstance(d["tls"]["security_level"], int), ".tls.security_level is a number")
    for k in ("ciphersuites", "ciphers", "key_exchange", "macs", "groups",
              "signature_algorithms"):
        check(isinstance(d["tls"][k], list) and d["tls"][k], f".tls.{k} is a non-empty list")
    check("AES-128-CBC" in d["tls"]["ciphers"], "DEFAULT has CBC")
    check(isinstance(d["openssl"], dict) and d["openssl"], ".openssl commands")
    eq(d["floors"]["min_tls"], "TLSv1.2", ".floors.min_tls")
    check("SHA1" in d["floors"]["forbidden_hashes"], ".floors.forbidden_hashes")
    eq(d["floors"]["min_rsa_bits"], 2048, ".floors.min_rsa_bits")
    check(isinstance(d["diagnostics"], list), ".diagnostics")

    # policy file + drop-ins + application rule
    d = run("--root", BASIC, "show", "--app", "curl", "--json").json()
    eq(d["program"], "curl", ".program")
    eq(d["policy_file"], etc(BASIC, "policy.conf"), ".policy_file")
    eq(d["dropins"], [etc(BASIC, "policy.d", "10-verify.conf"),
                      etc(BASIC, "policy.d", "20-rsa.conf")], ".dropins in name order")
    eq(d["applications"], [{"match": "curl", "file": etc(BASIC, "policy.conf"), "line": 10}],
       ".applications")
    eq(d["profile"], "DEFAULT:NO-CBC", ".profile")
    eq(d["tls"]["min_version"], "TLSv1.3", "app rule .tls.min_version")
    eq(d["tls"]["groups"], ["X25519", "secp256r1", "secp384r1"], "file .tls.groups")
    check(not any("CBC" in c for c in d["tls"]["ciphers"]), "NO-CBC removed CBC ciphers")
    eq(d["keys"]["min_rsa_bits"], 3072, "drop-in .keys.min_rsa_bits")
    eq(d["verify"]["peer"], "required", "drop-in .verify.peer")
    eq(d["floors"]["min_rsa_bits"], 3072, ".floors.min_rsa_bits")

    # system-wide: the rule does not apply
    d = run("--root", BASIC, "show", "--json").json()
    eq(d["tls"]["min_version"], "TLSv1.2", "system-wide .tls.min_version")
    eq(d["applications"], [], "system-wide .applications")

    # a rule by absolute path matches the executable, not the base name alone
    d = run("--root", BASIC, "show", "--app", "/usr/bin/oldapp", "--json").json()
    eq(d["program"], "/usr/bin/oldapp", ".program as given")
    eq(d["tls"]["min_version"], "TLSv1.0", "path rule .tls.min_version")
    eq([a["match"] for a in d["applications"]], ["/usr/bin/oldapp"], "path rule matched")
    d = run("--root", BASIC, "show", "--app", "oldapp", "--json").json()
    eq(d["tls"]["min_version"], "TLSv1.2", "base name does not match a path rule")


def test_show_fallback():
    # An invalid policy: show prints the DEFAULT programs get, exits 3 and
    # puts the problems on stderr.
    r = run("--root", INVALID, "show")
    rc(r, 3)
    has_line(r, "Fallback: the policy has errors; programs get the compiled-in DEFAULT")
    has_line(r, f"{etc(INVALID, 'policy.conf')}:6: error: unknown key 'tls.colour'", "err")
    check(any(l.split() == ["tls.min_version", "TLSv1.2"] for l in r.lines),
          "fallback shows DEFAULT")

    r = run("--root", INVALID, "show", "--json")
    rc(r, 3)
    d = r.json()
    eq(d["fallback"], True, ".fallback")
    eq(d["tls"]["min_version"], "TLSv1.2", "fallback .tls.min_version")
    eq(d["profile"], "DEFAULT", "fallback .profile")
    errs = [x for x in d["diagnostics"] if x["severity"] == "error"]
    eq(errs, [{"severity": "error", "file": etc(INVALID, "policy.conf"), "line": 6,
               "message": "unknown key 'tls.colour'"},
              {"severity": "error", "file": etc(INVALID, "policy.conf"), "line": 4,
               "message": "tls.min_version TLSv1.3 is above tls.max_version TLSv1.2"}],
       "fallback .diagnostics errors (all of them, not only the first)")

    # an explicit policy file that does not exist: not loadable
    r = run("--root", EMPTY, "--policy", os.path.join(FILES, "missing.conf"), "show")
    rc(r, 3)


def test_policy_location():
    good = os.path.join(FILES, "good.conf")
    # TLSPOLICY_CONF, as the module honours it
    d = run("--root", EMPTY, "show", "--json", env={"TLSPOLICY_CONF": good}).json()
    eq(d["policy_file"], good, "TLSPOLICY_CONF .policy_file")
    eq(d["profile"], "FUTURE", "TLSPOLICY_CONF .profile")
    # the floors speak the policy language (policy/names.c), as the keys do
    eq(d["floors"]["forbidden_hashes"], ["MD5", "SHA1", "SHA2-224", "MD5-SHA1"],
       ".floors.forbidden_hashes in the policy's names")
    eq(d["floors"]["forbidden_ciphers"][:3], ["RC4-128", "DES-CBC", "3DES-CBC"],
       ".floors.forbidden_ciphers in the policy's names")
    r = run("--root", EMPTY, "show", env={"TLSPOLICY_CONF": good})
    check(any(l.split() == ["forbidden", "signature", "hashes", "MD5", "SHA1", "SHA2-224",
                            "MD5-SHA1"] for l in r.lines), "show: SHA2-224, not SHA224")
    # --policy wins over TLSPOLICY_CONF
    d = run("--root", BASIC, "--policy", etc(BASIC, "policy.conf"), "show", "--json",
            env={"TLSPOLICY_CONF": good}).json()
    eq(d["profile"], "DEFAULT:NO-CBC", "--policy over TLSPOLICY_CONF")
    # --policy after the command
    d = run("show", "--json", "--policy", good, "--root", EMPTY).json()
    eq(d["profile"], "FUTURE", "--policy after the command")


# ---- explain -----------------------------------------------------------------


def test_explain():
    r = run("--root", OVERRIDE, "explain", "keys.min_rsa_bits")
    rc(r, 0)
    eq(r.lines, [
        "keys.min_rsa_bits = 3072",
        "    built-in DEFAULT: 2048",
        f"    modifier LOCAL-MOD ({etc(OVERRIDE, 'modifiers', 'LOCAL-MOD.conf')}:2): 4096",
        f"  * drop-in {etc(OVERRIDE, 'policy.d', '10-rsa.conf')}:2: 3072",
    ], "explain keys.min_rsa_bits")

    r = run("--root", OVERRIDE, "explain", "--app", "curl", "tls.min_version")
    rc(r, 0)
    eq(r.lines, [
        "tls.min_version = TLSv1.3",
        "    built-in DEFAULT: TLSv1.2",
        f"    profile DEFAULT ({etc(OVERRIDE, 'profiles', 'DEFAULT.conf')}:4): TLSv1.3",
        f"  * application rule 'curl' ({etc(OVERRIDE, 'policy.conf')}:3): TLSv1.3",
    ], "explain --app curl tls.min_version")

    r = run("--root", OVERRIDE, "explain", "tls.max_version")
    rc(r, 0)
    has_line(r, f"  * {etc(OVERRIDE, 'policy.conf')}:2: TLSv1.3")

    # a section selects its keys; no argument selects all
    r = run("--root", BASIC, "explain", "verify")
    rc(r, 0)
    eq([l for l in r.lines if l and not l.startswith(" ")],
       ["verify.peer = required", "verify.ca_file = (not set)", "verify.ca_path = (not set)"],
       "explain verify")
    has_line(r, f"  * drop-in {etc(BASIC, 'policy.d', '10-verify.conf')}:3: required")
    r = run("--root", BASIC, "explain")
    rc(r, 0)
    heads = [l.split(" = ")[0] for l in r.lines if l and not l.startswith(" ")]
    check(len(heads) >= 21 and heads[0] == "profile" and "tls.min_version" in heads,
          "explain lists every key")
    check(all(sum(1 for l in block.splitlines() if l.startswith("  * ")) == 1
              for block in r.out.split("\n\n")), "exactly one decider per key")

    r = run("--root", BASIC, "explain", "nokey")
    rc(r, 2)
    has_line(r, "tlspolicy explain: unknown key 'nokey'; the keys are:", "err")
    has_line(r, "  tls.min_version", "err")
    eq(r.out, "", "unknown key: nothing on stdout")

    d = run("--root", OVERRIDE, "explain", "--app", "curl", "--json").json()
    eq(d["program"], "curl", ".program")
    o = d["keys"]["tls.min_version"]
    eq(o["value"], "TLSv1.3", ".value")
    eq([x["kind"] for x in o["origins"]], ["builtin", "profile", "application"], "origin kinds")
    eq([x["decided"] for x in o["origins"]], [False, False, True], "decided marks the last")
    eq(o["origins"][2]["file"], etc(OVERRIDE, "policy.conf"), "origin file")
    eq(o["origins"][2]["line"], 3, "origin line")
    eq(d["keys"]["keys.min_rsa_bits"]["value"], 3072, "int value")

    rc(run("--root", INVALID, "explain", "mode"), 3)


# ---- list --------------------------------------------------------------------


def test_list():
    r = run("--root", EMPTY, "list")
    rc(r, 0)
    eq(r.lines[0], "Profiles:", "list header")
    check("Modifiers:" in r.lines, "list has Modifiers")
    prof = r.lines[1:r.lines.index("Modifiers:")]
    names = [l[2:].split()[0] for l in prof]
    for want in ("DEFAULT", "FUTURE", "LEGACY"):
        check(want in names, f"list shows profile {want}")
    eq(names, sorted(names), "profiles sorted")
    check(any(l.startswith("* DEFAULT ") for l in prof), "DEFAULT marked in use")
    mods = r.lines[r.lines.index("Modifiers:") + 1:]
    mnames = [l[2:].split()[0] for l in mods]
    for want in ("NO-CBC", "NO-SHA1", "TLS13-ONLY"):
        check(want in mnames, f"list shows modifier {want}")
    check(all(l.startswith("  ") for l in mods), "no modifier in use")
    check(all(len(l[2:].split(None, 1)) == 2 for l in prof + mods), "each has a description")

    r = run("--root", BASIC, "list")
    rc(r, 0)
    check(any(l.startswith("* NO-CBC ") for l in r.lines), "NO-CBC marked in use")

    r = run("--root", OVERRIDE, "list")
    rc(r, 0)
    has_line(r, "* DEFAULT  local DEFAULT: TLS 1.3 only (local)")
    check(any(l.startswith("* LOCAL-MOD") and l.endswith("a local modifier (local)")
              for l in r.lines), "local modifier listed and in use")

    d = run("--root", OVERRIDE, "list", "--json").json()
    eq(d["profile"], "DEFAULT:LOCAL-MOD", ".profile")
    p = {x["name"]: x for x in d["profiles"]}
    eq(p["DEFAULT"]["local"], True, "DEFAULT overridden locally")
    eq(p["DEFAULT"]["file"], etc(OVERRIDE, "profiles", "DEFAULT.conf"), "override file wins")
    eq(p["DEFAULT"]["in_use"], True, "DEFAULT in use")
    eq(p["FUTURE"]["file"], os.path.join(PKG, "profiles", "FUTURE.conf"), "shipped file")
    eq(p["FUTURE"]["in_use"], False, "FUTURE not in use")
    m = {x["name"]: x for x in d["modifiers"]}
    eq(m["LOCAL-MOD"]["description"], "a local modifier", "modifier description")
    eq(m["LOCAL-MOD"]["in_use"], True, "LOCAL-MOD in use")
    eq([x["name"] for x in d["profiles"]], sorted(p), "JSON profiles sorted")


# ---- check -------------------------------------------------------------------


def test_check():
    pol = etc(BASIC, "policy.conf")
    r = run("--root", BASIC, "check")
    rc(r, 0)
    has_line(r, f"{pol}:16: warning: application rule \"/usr/bin/oldapp\" weakens "
                "tls.min_version from TLSv1.2 to TLSv1.0")
    eq(r.lines[-1], f"{pol}: OK (1 warning)", "check final line")
    eq(r.err, "", "check: nothing on stderr")

    r = run("--root", INVALID, "check")
    rc(r, 1)
    has_line(r, f"{etc(INVALID, 'policy.conf')}:6: error: unknown key 'tls.colour'")
    has_line(r, f"{etc(INVALID, 'policy.conf')}:4: error: tls.min_version TLSv1.3 is above tls.max_version TLSv1.2")
    eq(r.lines[-1], f"{etc(INVALID, 'policy.conf')}: 2 errors", "check final line")

    r = run("--root", EMPTY, "check")
    rc(r, 0)
    eq(r.lines[-1], "(no policy file): OK", "check without a policy file")

    bad = os.path.join(FILES, "bad.conf")
    r = run("--root", EMPTY, "check", bad)
    rc(r, 1)
    for line in [
        f"{bad}:3: error: unknown TLS version 'TLSv9' in tls.min_version "
        "(known: TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3)",
        f"{bad}:4: error: unknown group 'nosuchgroup' in tls.groups",
        f"{bad}:6: error: keys.min_rsa_bits = 1 is out of range (512 to 16384)",
    ]:
        has_line(r, line)
    eq(r.lines[-1], f"{bad}: 3 errors", "bad.conf final line")

    nomod = os.path.join(FILES, "nomodifier.conf")
    r = run("--root", EMPTY, "check", nomod)
    rc(r, 1)
    check(any(l.startswith(f"{nomod}:1: error: unknown modifier 'NO-SUCH'") for l in r.lines),
          "unknown modifier reported at its line")

    syntax = os.path.join(FILES, "syntax.conf")
    r = run("--root", EMPTY, "check", syntax)
    rc(r, 1)
    check(any(l.startswith(f"{syntax}:2: error: ") for l in r.lines), "syntax error line")

    good = os.path.join(FILES, "good.conf")
    r = run("--root", EMPTY, "check", good)
    rc(r, 0)
    eq(r.lines[-1], f"{good}: OK", "good.conf final line")

    # several files: every one is reported; the worst decides the status
    missing = os.path.join(FILES, "missing.conf")
    r = run("--root", EMPTY, "check", good, bad)
    rc(r, 1)
    check(f"{good}: OK" in r.lines and f"{bad}: 3 errors" in r.lines, "both files reported")
    r = run("--root", EMPTY, "check", good, missing, bad)
    rc(r, 3)
    has_line(r, f"{missing}: error: cannot open: No such file or directory")
    has_line(r, f"{missing}: could not be read")
    has_line(r, f"{bad}: 3 errors")

    # a check FILE ignores drop-ins beside it
    r = run("--root", EMPTY, "check", pol)
    rc(r, 0)
    d = run("--root", EMPTY, "check", "--json", pol).json()
    eq(d["files"][0]["dropins"], [], "check FILE reads no drop-ins")


def test_check_live_openssl():
    # The compiled-in DEFAULT groups name X25519MLKEM768, which OpenSSL < 3.5
    # lacks: the live check says so as a note (once), not an error.
    r = run("--root", OVERRIDE, "check")
    rc(r, 0)
    notes = [l for l in r.lines if "X25519MLKEM768" in l]
    ver = run("--version").lines[2].split()[3]  # "running with OpenSSL X.Y.Z ..."
    if tuple(int(x) for x in ver.split(".")[:2]) < (3, 5):
        eq(notes, [f"{etc(OVERRIDE, 'policy.conf')}: note: group X25519MLKEM768 needs "
                   f"OpenSSL 3.5; skipped on {ver}"], "live-check note")
    else:
        eq(notes, [], "no note on OpenSSL 3.5+")
    check(not any(": error: " in l for l in r.lines), "no live-check errors on shipped names")


def test_check_json():
    bad = os.path.join(FILES, "bad.conf")
    good = os.path.join(FILES, "good.conf")
    r = run("--root", EMPTY, "check", "--json", good, bad)
    rc(r, 1)
    d = r.json()
    eq([f["file"] for f in d["files"]], [good, bad], ".files")
    eq([f["status"] for f in d["files"]], ["ok", "invalid"], ".files[].status")
    eq(d["files"][1]["errors"], 3, ".files[1].errors")
    eq(d["errors"], 3, ".errors")
    eq(d["ok"], False, ".ok")
    errs = [x for x in d["files"][1]["diagnostics"] if x["severity"] == "error"]
    eq([(x["file"], x["line"]) for x in errs], [(bad, 3), (bad, 4), (bad, 6)], "error lines")
    eq(errs[1]["message"], "unknown group 'nosuchgroup' in tls.groups", "error message")

    d = run("--root", BASIC, "check", "--json").json()
    eq(d["ok"], True, ".ok")
    eq(d["warnings"], 1, ".warnings")
    eq(d["files"][0]["policy_file"], etc(BASIC, "policy.conf"), ".policy_file")

    r = run("--root", EMPTY, "check", "--json", os.path.join(FILES, "missing.conf"))
    rc(r, 3)
    eq(r.json()["files"][0]["status"], "unreadable", "missing file status")


def test_hostile():
    # Odd inputs must give a diagnosis and an exit code, never a crash, and
    # the JSON must stay valid whatever bytes a file name holds.
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        garbage = os.path.join(tmp, "garbage.conf")
        with open(garbage, "wb") as f:
            f.write(bytes(range(256)) * 64)
        r = run("--root", EMPTY, "check", garbage)
        rc(r, 1)
        check(r.lines[-1].startswith(f"{garbage}: ") and "error" in r.lines[-1],
              "garbage: final line counts errors")

        r = run("--root", EMPTY, "check", tmp)  # a directory
        rc(r, 3)
        has_line(r, f"{tmp}: could not be read")

        odd = os.path.join(tmp, 'we"ird\\name\n\x01.conf')
        with open(odd, "w") as f:
            f.write('profile = "DEFAULT";\ntls = { min_version = "TLSv0"; };\n')
        oddb = os.fsencode(tmp) + b"/bad-\xff\xfe.conf"
        with open(oddb, "wb") as f:
            f.write(b'profile = "DEFAULT";\n')
        r = subprocess.run([CLI, "--root", EMPTY, "check", "--json", odd, oddb],
                           capture_output=True, env={**os.environ, "TLSPOLICY_DATADIR": PKG})
        eq(r.returncode, 1, "odd names: exit status")
        d = json.loads(r.stdout.decode("utf-8"))  # strict: must be valid UTF-8 JSON
        eq(d["files"][0]["file"], odd, "quotes, backslashes, control chars round-trip")
        eq(d["files"][1]["file"], os.fsdecode(tmp) + "/bad-\ufffd\ufffd.conf",
           "bytes that are not UTF-8 become U+FFFD")
        check(any(x["file"] == odd and x["severity"] == "error"
                  for x in d["files"][0]["diagnostics"]), "diagnostic file name escaped")

        r = run("--root", EMPTY, "explain", "--app", "", "mode")
        rc(r, 2)


TESTS = {name[5:]: fn for name, fn in sorted(globals().items()) if name.startswith("test_")}


def main():
    if not os.access(CLI, os.X_OK):
        print(f"not executable: {CLI}", file=sys.stderr)
        return 1
    names = GROUPS or list(TESTS)
    failed = 0
    for name in names:
        try:
            TESTS[name]()
            print(f"ok - {name}")
        except Exception:  # noqa: BLE001 - report every failure, then exit 1
            failed += 1
            print(f"not ok - {name}")
            traceback.print_exc(file=sys.stdout)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
