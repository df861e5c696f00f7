/*
 * cmd_probe.c - `probe`: prove what OpenSSL really enforces, from outside.
 *
 * The measuring is done by child processes (probe_child.c), each a fresh
 * `tlspolicy __probe-child` whose OPENSSL_CONF decides what OpenSSL loads
 * at its first init, as it would for any program:
 *   measured   the openssl.cnf under test;
 *   reference  a private openssl.cnf that carries the policy's rendered
 *              ssl_conf commands and nothing else (no module, no provider):
 *              what the defaults should look like, measured the same way;
 *   control    no configuration at all (/dev/null): each floor attempt must
 *              succeed there, or it proves nothing.
 * This process never loads an openssl.cnf itself (OPENSSL_INIT_NO_LOAD_CONFIG)
 * and makes the test certificates with the default provider in a private
 * library context (probe_pki.c). Running a process: probe_run.c; the
 * report: probe_report.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "gnutls_wire.h"
#include "probe_gnutls.h"
#include "cli.h"
#include "probe_int.h"
#include "tp_config.h"

/* ---- the attempts ------------------------------------------------------------------ */

static void add_cand(row *r, const char *fmt, const char *a, const char *b)
{
    char buf[128];
    if (r->ncand >= MAX_CAND)
        return;
    snprintf(buf, sizeof(buf), fmt, a, b ? b : "");
    r->cand_buf[r->ncand] = cli_join(buf, "");
    r->cand[r->ncand] = r->cand_buf[r->ncand];
    r->ncand++;
}

/* Groups a program might force, with the OpenSSL name that sets them and
 * whether TLS 1.3 can use them. */
static const struct {
    uint16_t id;
    const char *ossl;
    int tls13;
} group_cands[] = {
    {0x0100, "ffdhe2048", 1}, {0x0101, "ffdhe3072", 1}, {0x001e, "X448", 1},
    {0x0019, "secp521r1", 1}, {0x0018, "secp384r1", 1}, {0x0102, "ffdhe4096", 1},
    {0x001a, "brainpoolP256r1", 0}, {0x0016, "secp256k1", 0}, {0x001b, "brainpoolP384r1", 0},
    {0x0015, "secp224r1", 0}, {0x001d, "X25519", 1}, {0x0017, "prime256v1", 1},
};

/* Cipher suites by the family the provider can withhold. */
static const struct {
    uint32_t bit;
    const char *suite;
} cipher_cands[] = {
    {TP_C_3DES, "ECDHE-RSA-DES-CBC3-SHA"}, {TP_C_3DES, "DES-CBC3-SHA"},
    {TP_C_NULL, "ECDHE-RSA-NULL-SHA"}, {TP_C_NULL, "NULL-SHA256"},
    {TP_C_RC4, "RC4-SHA"}, {TP_C_SEED, "SEED-SHA"}, {TP_C_IDEA, "IDEA-CBC-SHA"},
    {TP_C_DES, "DES-CBC-SHA"},
};

/* TLS 1.2 suites a program may ask for by name that a policy's list often
 * leaves out; the security callback holds them. */
static const char *const anon_cands[] = { "AECDH-AES128-SHA", "ADH-AES128-GCM-SHA256" };
/* No ARIA: libcrypto's ARIA-GCM decryption reads uninitialised memory as
 * valgrind sees it (cli_audit_valgrind runs probe under valgrind). */
static const char *const suite_cands[] = {
    "ECDHE-RSA-CAMELLIA128-SHA256", "ECDHE-ECDSA-AES128-CCM8",
    "ECDHE-RSA-AES128-SHA256", "ECDHE-ECDSA-AES128-SHA", "AES128-GCM-SHA256", "AES128-SHA",
};
static const char *const suite13_cands[] = {
    "TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_GCM_SHA256",
};

/* 1 if `name` is one of the ':'-separated entries of the rendered list. */
static int in_rendered(const tp_ossl_settings *s, const char *cmd, const char *name)
{
    const char *v = tp_ossl_get(s, cmd), *p;
    size_t n = strlen(name);

    for (p = v; p != NULL && *p; p += strcspn(p, ":"), p += *p == ':') {
        if (strncmp(p, name, n) == 0 && (p[n] == ':' || p[n] == '\0'))
            return 1;
    }
    return 0;
}

static const char *below(int v)
{
    switch (v) {
    case TP_V_TLS1_3: return "TLSv1.2";
    case TP_V_TLS1_2: return "TLSv1.1";
    case TP_V_TLS1_1: return "TLSv1";
    default: return NULL;
    }
}

static int group_allowed(const tp_floors *fl, uint16_t id)
{
    for (size_t i = 0; i < fl->ngroups; i++)
        if (fl->groups[i] == id)
            return 1;
    return 0;
}

/* The rows, in the report's order: the JSON key and the title for people. */
static const struct {
    const char *name, *title;
} row_names[NROWS] = {
    [R_VERSION] = {"protocol_version", "protocol below the floor"},
    [R_CIPHER] = {"forbidden_cipher", "forbidden cipher"},
    [R_SHA1] = {"sha1_signed_chain", "SHA-1 signed certificate"},
    [R_SHA1SIG] = {"sha1_handshake_signature", "SHA-1 handshake signature"},
    [R_RSAKEY] = {"short_rsa_key", "short RSA key"},
    [R_GROUP] = {"forbidden_group", "forbidden group"},
    [R_ANON] = {"anonymous_suite", "anonymous suite (no server authentication)"},
    [R_SUITE] = {"suite_outside_policy", "TLS 1.2 suite outside the policy's list"},
    [R_SUITE13] = {"tls13_suite_outside_policy", "TLS 1.3 suite outside the policy's list"},
};

/* Suites outside the policy's lists, asked for by name (with
 * ALL:@SECLEVEL=0 the defaults layer alone would let them through): the
 * row, the rendered list they must be missing from, the attempt, the
 * names, and the row's expectation with and without a candidate. */
static const struct {
    int row;
    const char *list, *attempt;
    const char *const *names;
    size_t nnames;
    const char *refused, *nothing;
} suite_rows[] = {
    {R_ANON, "CipherString", "cipher:%s%s", anon_cands, sizeof(anon_cands) / sizeof(anon_cands[0]),
     "refused: not in the policy's suite list",
     "nothing to try: the policy lists anonymous suites"},
    {R_SUITE, "CipherString", "cipher:%s%s", suite_cands,
     sizeof(suite_cands) / sizeof(suite_cands[0]), "refused: not in the policy's suite list",
     "nothing to try: the policy lists every suite tried"},
    {R_SUITE13, "Ciphersuites", "suite13:%s%s", suite13_cands,
     sizeof(suite13_cands) / sizeof(suite13_cands[0]),
     "refused: not in the policy's TLS 1.3 suite list",
     "nothing to try: the policy lists every TLS 1.3 suite tried"},
};

/* What the policy says should happen: `refused` if the row has a
 * candidate, `nothing` if there is nothing to try. */
static void set_expect(row *r, const char *refused, const char *nothing)
{
    snprintf(r->expect, sizeof(r->expect), "%s", r->ncand ? refused : nothing);
}

/* A protocol below the floor, if there is one. */
static void plan_version(row *r, const tp_floors *fl)
{
    const char *v = below(fl->min_tls);
    if (v) {
        add_cand(r, "version:%s%s", v, NULL);
        snprintf(r->expect, sizeof(r->expect), "refused: the floor is %s",
                 tp_version_name(fl->min_tls));
    } else {
        snprintf(r->expect, sizeof(r->expect), "nothing to try: the policy allows every version");
    }
}

/* A suite of each cipher family the policy withholds. */
static void plan_cipher(row *r, const tp_floors *fl)
{
    for (size_t i = 0; i < sizeof(cipher_cands) / sizeof(cipher_cands[0]); i++)
        if (fl->forbidden_ciphers & cipher_cands[i].bit)
            add_cand(r, "cipher:%s%s", cipher_cands[i].suite, NULL);
    set_expect(r, "refused: the provider withholds the cipher",
               "nothing to try: the policy withholds no cipher");
}

/* SHA-1, if forbidden: a certificate chain signed with it (chain) and a
 * TLS 1.2 handshake signature made with it (sig). */
static void plan_sha1(row *chain, row *sig, const tp_floors *fl)
{
    static const char nothing[] = "nothing to try: the policy allows SHA-1 signatures";

    if (fl->forbidden_hashes & TP_H_SHA1) {
        add_cand(chain, "sha1chain%s%s", "", NULL);
        add_cand(sig, "sha1sig%s%s", "", NULL);
    }
    set_expect(chain, "refused: SHA-1 is forbidden in signatures", nothing);
    set_expect(sig, "refused: SHA-1 is forbidden in signatures (RFC 9155)", nothing);
}

/* A server key of short_bits (0: nothing to try), once as any handshake
 * uses it and once over TLS 1.2 with PKCS#1 v1.5 (rsakey12: a 512-bit key
 * is too short for RSA-PSS). */
static void plan_rsakey(row *r, const tp_floors *fl, int short_bits)
{
    if (short_bits) {
        char bits[16];
        snprintf(bits, sizeof(bits), "%d", short_bits);
        add_cand(r, "rsakey%s%s", "", NULL);
        add_cand(r, "rsakey12%s%s", "", NULL);
        snprintf(r->expect, sizeof(r->expect), "refused: a %s-bit key is below the minimum of %d",
                 bits, fl->min_rsa_bits);
    } else {
        snprintf(r->expect, sizeof(r->expect), "nothing to try: no RSA minimum above 512 bits");
    }
}

/* Each group a program might force that the policy's list leaves out,
 * over TLS 1.3 if it can use the group, else over TLS 1.2. */
static void plan_group(row *r, const tp_floors *fl)
{
    for (size_t i = 0; i < sizeof(group_cands) / sizeof(group_cands[0]); i++)
        if (!group_allowed(fl, group_cands[i].id))
            add_cand(r, "group:%s:%s", group_cands[i].ossl, group_cands[i].tls13 ? "13" : "12");
    set_expect(r, "refused: the group is not in the policy's list",
               "nothing to try: the policy allows every group OpenSSL offers");
}

/* The suite rows: each name the rendered list leaves out. */
static void plan_suites(row *rows, const tp_ossl_settings *os)
{
    for (size_t i = 0; i < sizeof(suite_rows) / sizeof(suite_rows[0]); i++) {
        row *r = &rows[suite_rows[i].row];
        for (size_t j = 0; j < suite_rows[i].nnames; j++)
            if (!in_rendered(os, suite_rows[i].list, suite_rows[i].names[j]))
                add_cand(r, suite_rows[i].attempt, suite_rows[i].names[j], NULL);
        set_expect(r, suite_rows[i].refused, suite_rows[i].nothing);
    }
}

/* Every row: its name, the attempts that would break its floor, and what
 * the policy says should happen. */
static void plan_rows(row *rows, const tp_floors *fl, const tp_ossl_settings *os, int short_bits)
{
    memset(rows, 0, sizeof(row) * NROWS);
    for (int i = 0; i < NROWS; i++) {
        rows[i].name = row_names[i].name;
        rows[i].title = row_names[i].title;
    }
    plan_version(&rows[R_VERSION], fl);
    plan_cipher(&rows[R_CIPHER], fl);
    plan_sha1(&rows[R_SHA1], &rows[R_SHA1SIG], fl);
    plan_rsakey(&rows[R_RSAKEY], fl, short_bits);
    plan_group(&rows[R_GROUP], fl);
    plan_suites(rows, os);
}

static void plan_permissive(row *rows, const tp_floors *fl)
{
    for (int i = 0; i < NROWS && fl->permissive; i++)
        if (rows[i].ncand)
            snprintf(rows[i].expect, sizeof(rows[i].expect), "%s",
                     "allowed and logged (mode = permissive; enforce would refuse it)");
}

static void rows_free(row *rows)
{
    for (int i = 0; i < NROWS; i++)
        for (int j = 0; j < rows[i].ncand; j++)
            free(rows[i].cand_buf[j]);
}

/* Judge each row from the measured and control runs. */
static void judge_rows(row *rows, const child_out *m, const child_out *c, int permissive)
{
    for (int i = 0; i < NROWS; i++) {
        row *r = &rows[i];
        r->status = "n/a";
        if (r->ncand == 0) {
            snprintf(r->result, sizeof(r->result), "%s", r->expect);
            continue;
        }
        const char *why = NULL;
        for (int j = 0; j < r->ncand && !r->tried; j++) {
            const char *ok = probe_find(c, "attempt", r->cand[j], NULL, 2);
            if (ok && strcmp(ok, "ok") == 0) {
                r->tried = r->cand[j];
                snprintf(r->control, sizeof(r->control), "without the policy: connected, %s",
                         probe_find(c, "attempt", r->cand[j], NULL, 3));
            } else if (!why) {
                why = probe_find(c, "attempt", r->cand[j], NULL, 4);
            }
        }
        if (!r->tried) {
            snprintf(r->result, sizeof(r->result),
                     "not tried: OpenSSL refuses it even without the policy (%s)",
                     why && why[0] ? why : "no candidate");
            snprintf(r->control, sizeof(r->control), "%s", "refused without the policy too");
            continue;
        }
        const char *ok = probe_find(m, "attempt", r->tried, NULL, 2);
        const char *detail = probe_find(m, "attempt", r->tried, NULL, 3);
        const char *err = probe_find(m, "attempt", r->tried, NULL, 4);
        if (ok == NULL) {
            r->status = "NOT HELD";
            r->problem = 1;
            snprintf(r->result, sizeof(r->result), "no result from the probe process");
        } else if (strcmp(ok, "ok") != 0) {
            r->status = "held";
            snprintf(r->result, sizeof(r->result), "refused: %s", err && err[0] ? err : "?");
        } else if (permissive) {
            r->status = "permissive";
            snprintf(r->result, sizeof(r->result),
                     "connected, %s (mode = permissive: logged, not refused)", detail);
        } else {
            r->status = "NOT HELD";
            r->problem = 1;
            snprintf(r->result, sizeof(r->result), "connected, %s", detail);
        }
    }
}

/* ---- promises about the process ---------------------------------------------------- */

static finding *add(report *rp, const char *name, int held, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static finding *add(report *rp, const char *name, int held, const char *fmt, ...)
{
    if (rp->n >= MAX_FIND)
        return NULL;
    finding *f = &rp->f[rp->n++];
    f->name = name;
    f->held = held;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof(f->text), fmt, ap);
    va_end(ap);
    if (!held)
        rp->problems++;
    return f;
}

/* Why the module would not be in a process started with this openssl.cnf. */
static void wiring_why(const conf_scan *cs, char *buf, size_t len)
{
    struct stat st;
    if (!cs->loaded)
        snprintf(buf, len, "%s", cs->error);
    else if (!cs->init_sect)
        snprintf(buf, len, "%s has no openssl_conf line: it loads no module", cs->file);
    else if (!cs->entry)
        snprintf(buf, len, "[%s] in %s has no tlspolicy section", cs->init_sect, cs->file);
    else if (!cs->module_path || stat(cs->module_path, &st) != 0)
        snprintf(buf, len, "module %s (path in [%s]) does not exist",
                 cs->module_path ? cs->module_path : "(no path)", cs->entry);
    else
        snprintf(buf, len, "%s loads %s, yet the module did not load (see the syslog)", cs->file,
                 cs->module_path);
}

/* ---- the command ------------------------------------------------------------------------ */

static void probe_help(FILE *f)
{
    fputs("Usage: tlspolicy probe [--app NAME] [--openssl-conf FILE] [--gnutls-conf FILE]\n"
          "                      [--json]\n"
          "\n"
          "Prove what OpenSSL really applies under an openssl.cnf (default: the one\n"
          "programs read, $OPENSSL_CONF or OPENSSLDIR/openssl.cnf): a fresh process\n"
          "makes client and server contexts as an ordinary program does and reports\n"
          "what they got, compared with the policy; then loopback handshakes try\n"
          "each floor with an application-level override (a protocol below the\n"
          "floor, a forbidden cipher, a SHA-1 signed certificate, a short RSA key,\n"
          "a forbidden group, anonymous, TLS 1.2 and TLS 1.3 suites outside the\n"
          "policy's lists) and report each as held or not, with the error seen.\n"
          "GnuTLS (when gnutls-cli and gnutls-serv are installed and tlspolicy's\n"
          "GnuTLS configuration is, or with --gnutls-conf): gnutls-cli asks for each\n"
          "forbidden version, cipher, a SHA-1 signed chain and a short RSA key, once\n"
          "under the configuration (refused) and once without (must connect).\n"
          "\n"
          "  --app NAME           probe as program NAME (its base name) is treated\n"
          "  --openssl-conf FILE  the openssl.cnf to probe\n"
          "  --gnutls-conf FILE   the GnuTLS configuration to probe (default: the\n"
          "                       installed " GW_CONFIG ", when tlspolicy wrote it)\n"
          "  --json               one JSON object (\"schema\": 1)\n"
          "  --root DIR, --policy FILE, -h/--help as for tlspolicy --help\n"
          "\n"
          "Exit status: 0 every promise held, 1 one did not (an unusable policy file\n"
          "included) or the probe could not run, 2 usage error, 3 the policy could\n"
          "not be resolved at all.\n", f);
}

static int self_exe(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

static int rmtree_pki(const char *dir)
{
    const char *files[] = {"ca.pem", "ec.pem", "ec.key", "rsa.pem", "rsa.key", "sha1.pem",
                           "sha1.key", "short.pem", "short.key", "shortca.pem",
                           "shortca.key", "reference.cnf"};
    char path[4096];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    return rmdir(dir);
}

/* The rendered commands as a private openssl.cnf: the reference. VerifyMode
 * is left out: the module sets the verify mode by its own hook. */
static int write_reference(const char *path, const tp_ossl_settings *s)
{
    FILE *f = fopen(path, "we");
    if (f == NULL)
        return -1;
    fputs("openssl_conf = ref_init\n[ref_init]\nssl_conf = ref_ssl\n[ref_ssl]\n"
          "system_default = ref_default\n[ref_default]\n", f);
    for (size_t i = 0; i < s->ncmds; i++) {
        if (!s->cmds[i].value || strcmp(s->cmds[i].cmd, "VerifyMode") == 0)
            continue;
        fprintf(f, "%s = \"", s->cmds[i].cmd);
        for (const char *v = s->cmds[i].value; *v; v++) {
            if (*v == '"' || *v == '\\')
                fputc('\\', f);
            fputc(*v, f);
        }
        fputs("\"\n", f);
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* OpenSSL's initialisation, the openssl.cnf and the module in the
 * measured process; the module's record, NULL if it did not load. */
static const char *judge_loading(probe_ctx *pc)
{
    report *rp = &pc->rp;
    char why[600];
    const child_out *m = &pc->m;

    const char *init = probe_find(m, "init", NULL, NULL, 1);
    if (init && strcmp(init, "ok") != 0)
        add(rp, "openssl_init", 0, "OpenSSL initialisation failed: %s",
            probe_find(m, "init", NULL, NULL, 2));
    if (pc->cs.config_diagnostics && !pc->cs.loaded)
        add(rp, "openssl_conf", 0, "%s", pc->cs.error);

    const char *mod = probe_find(m, "module", NULL, NULL, 1);
    if (mod) {
        add(rp, "module_loaded", 1, "module loaded: %s", mod);
    } else {
        wiring_why(&pc->cs, why, sizeof(why));
        add(rp, "module_loaded", 0, "module not loaded: %s", why);
    }
    return mod;
}

/* Provider tlspolicy active, and no provider but base beside it; 1 if it
 * is active. */
static int judge_providers(probe_ctx *pc, const char *mod)
{
    report *rp = &pc->rp;
    char why[600];
    const child_out *m = &pc->m;
    int ours = 0;
    char others[256] = "";

    for (int i = 0; i < m->n; i++) {
        if (strcmp(m->r[i].f[0], "provider") != 0)
            continue;
        if (strcmp(m->r[i].f[1], "tlspolicy") == 0)
            ours = 1;
        else if (strcmp(m->r[i].f[1], "base") != 0)
            snprintf(others + strlen(others), sizeof(others) - strlen(others), "%s%s",
                     others[0] ? ", " : "", m->r[i].f[1]);
    }
    if (!ours) {
        if (!mod)
            wiring_why(&pc->cs, why, sizeof(why));
        else
            snprintf(why, sizeof(why), "the module could not activate it (see the syslog)");
        add(rp, "provider_active", 0, "provider tlspolicy not active: %s", why);
    } else if (others[0]) {
        add(rp, "provider_active", 0,
            "provider tlspolicy active, but so is %s: what %s offers escapes the floors%s%s%s",
            others, strchr(others, ',') ? "they" : "it",
            pc->cs.nother_providers ? " (activated by the providers section of " : "",
            pc->cs.nother_providers ? pc->cs.file : "", pc->cs.nother_providers ? ")" : "");
    } else {
        add(rp, "provider_active", 1, "provider tlspolicy active, and the only one");
    }
    return ours;
}

/* FIPS (tlspolicy(7)): the kernel's flag leaves the floors to the
 * provider, measured below; FIPS properties as the default send every
 * fetch past it, to the FIPS provider. */
static void judge_fips(probe_ctx *pc)
{
    const char *fprops = probe_find(&pc->m, "fips", NULL, NULL, 1);
    const char *fkernel = probe_find(&pc->m, "fips", NULL, NULL, 2);
    if (fprops && strcmp(fprops, "1") == 0)
        add(&pc->rp, "fips", 0,
            "FIPS properties are the default: algorithms come from the FIPS provider, which"
            " tlspolicy does not wrap; the policy's key and hash floors do not hold, only the"
            " FIPS provider's own checks and the ssl_conf defaults");
    else if (fkernel && strcmp(fkernel, "1") == 0)
        add(&pc->rp, "fips", 1,
            "the kernel is in FIPS mode, OpenSSL is not (no fips=yes default): tlspolicy wraps"
            " the default provider as always; the floors are measured below");
}

/* A policy that cannot be used is a problem: its first error says why. */
static void judge_policy(probe_ctx *pc)
{
    char first[512] = "see tlspolicy check";
    for (size_t i = 0; i < tp_policy_ndiags(pc->p); i++) {
        const tp_diag *d = tp_policy_diag(pc->p, i);
        if (d->severity != TP_SEV_ERROR)
            continue;
        if (d->file && d->line > 0)
            snprintf(first, sizeof(first), "%s:%d: %s", d->file, d->line, d->message);
        else if (d->file)
            snprintf(first, sizeof(first), "%s: %s", d->file, d->message);
        else
            snprintf(first, sizeof(first), "%s", d->message);
        break;
    }
    add(&pc->rp, "policy_valid", 0,
        "the policy %s cannot be used (%s): programs get the compiled-in DEFAULT",
        pc->policy_file ? pc->policy_file : "?", first);
}

/* Settings: measured against the reference. SSL_CTX_new must work on both
 * sides; each compared setting that differs is marked in pc->diffs. */
static void judge_settings(probe_ctx *pc)
{
    const child_out *m = &pc->m;

    for (int k = 0; k < 2; k++) {
        const char *side = k ? "server" : "client";
        const char *ok = probe_find(m, "ctx", side, NULL, 2);
        if (ok && strcmp(ok, "ok") != 0)
            add(&pc->rp, "ssl_ctx", 0, "SSL_CTX_new (%s) failed: %s", side,
                probe_find(m, "ctx", side, NULL, 3));
    }
    for (size_t i = 0; i < NCMP; i++) {
        const char *a = probe_cmp_value(m, &probe_cmp_items[i]);
        const char *b = probe_cmp_value(&pc->ref, &probe_cmp_items[i]);
        if (!a || !b || strcmp(a, b) != 0) {
            pc->diffs[i] = 1;
            pc->ndiffs++;
        }
    }
}

/* Verification: the module's own hook, not an ssl_conf command. */
static void judge_verify(probe_ctx *pc, const tp_ossl_settings *s)
{
    const char *vm = probe_setting(&pc->m, "client", "verify_mode");
    int want_verify = s->verify_peer == 2;
    if (vm && want_verify && atoi(vm) == 0) {
        add(&pc->rp, "verify_mode", 0,
            "verify.peer = required, but a new client SSL_CTX does not verify");
    } else if (vm && want_verify) {
        add(&pc->rp, "verify_mode", 1, "clients verify the peer (verify mode %s)", vm);
    }
}

/* The defaults of new SSL_CTXs: the policy's, or how many settings differ
 * and why (pc->diff_why). */
static void judge_defaults(probe_ctx *pc, const char *mod, int ours)
{
    if (pc->ndiffs == 0) {
        add(&pc->rp, "defaults", 1, "defaults of new SSL_CTXs are the policy's");
        return;
    }
    if (!mod || !ours)
        wiring_why(&pc->cs, pc->diff_why, sizeof(pc->diff_why));
    else if (pc->cs.ssl_after)
        snprintf(pc->diff_why, sizeof(pc->diff_why),
                 "%s is listed after tlspolicy in [%s] of %s and replaces the policy's"
                 " system_default: list tlspolicy last",
                 pc->cs.ssl_after, pc->cs.init_sect, pc->cs.file);
    else if (pc->cs.ssl_before)
        snprintf(pc->diff_why, sizeof(pc->diff_why),
                 "the system's own %s is merged under the policy", pc->cs.ssl_before);
    else
        snprintf(pc->diff_why, sizeof(pc->diff_why), "unknown: compare tlspolicy show");
    add(&pc->rp, "defaults", 0, "%d setting%s differ%s from the policy: %s", pc->ndiffs,
        pc->ndiffs > 1 ? "s" : "", pc->ndiffs > 1 ? "" : "s", pc->diff_why);
}

/* An ordinary handshake (the baseline attempt) must work. */
static void judge_handshake(probe_ctx *pc)
{
    const child_out *m = &pc->m;
    const char *b = probe_find(m, "attempt", "baseline", NULL, 2);
    if (b && strcmp(b, "ok") == 0)
        add(&pc->rp, "handshake", 1, "an ordinary handshake works: %s",
            probe_find(m, "attempt", "baseline", NULL, 3));
    else
        add(&pc->rp, "handshake", 0, "an ordinary handshake fails: %s",
            b ? probe_find(m, "attempt", "baseline", NULL, 4) : "no result");
}

/* Compare measured with reference; checks about the process, in the
 * report's order. */
static void judge_process(probe_ctx *pc, const tp_ossl_settings *s)
{
    const char *mod = judge_loading(pc);
    int ours = judge_providers(pc, mod);
    judge_fips(pc);
    if (pc->fallback)
        judge_policy(pc);
    judge_settings(pc);
    judge_verify(pc, s);
    judge_defaults(pc, mod, ours);
    judge_handshake(pc);
}

/* One run of the command: its options, and what it holds until the end
 * (probe_cmd_free). */
typedef struct probe_cmd {
    const char *app, *cnf_opt, *gnutls_conf; /* --app, --openssl-conf, --gnutls-conf */
    int json;                                /* --json */
    char *cnf;                               /* the openssl.cnf probed */
    char self[4096];                         /* this executable */
    const char *name;                        /* the program name the children run as */
    char *tpconf;                            /* TLSPOLICY_CONF for the child, or NULL */
    tp_policy *p;                            /* the policy */
    tp_resolved *r;                          /* resolved for the program */
    tp_ossl_settings s;                      /* the policy's rendered settings */
    tp_floors fl;                            /* and its floors */
    char *dir, *refcnf;                      /* the private directory, its reference.cnf */
    int short_bits;                          /* the short RSA key's size, 0: none */
    gp_result gres;                          /* the GnuTLS part */
    probe_ctx pc;                            /* the runs, the rows, the findings */
} probe_cmd;

/* TLSPOLICY_CONF for the child, if the option or --root decides it (NULL:
 * the child finds the policy as the module does); the CLI then loads it,
 * trusted only as the module trusts it. */
static char *child_policy_file(cli *c)
{
    char *tpconf = NULL;
    if (c->where.from == TP_FROM_OPTION
        || (c->where.from == TP_FROM_DEFAULT && c->opts.root && access(c->where.path, F_OK) == 0))
        tpconf = cli_join(c->where.path, "");
    if (tpconf)
        c->opts.policy_file = tpconf;
    c->opts.require_trusted = 1; /* the module always insists */
    return tpconf;
}

/* The options into pr; TP_EXIT_OK, or the exit status of a usage error. */
static int parse_opts(cli *c, int argc, char **argv, probe_cmd *pr)
{
    static const struct option longopts[] = {
        {"app", required_argument, NULL, 'a'},
        {"openssl-conf", required_argument, NULL, 'o'},
        {"gnutls-conf", required_argument, NULL, 'G'},
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int ch;

    while ((ch = cli_getopt(c, argc, argv, "a:o:j", longopts, probe_help)) != -1) {
        switch (ch) {
        case 'a': pr->app = optarg; break;
        case 'o': pr->cnf_opt = optarg; break;
        case 'G': pr->gnutls_conf = optarg; break;
        case 'j': pr->json = 1; break;
        default: return TP_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if (pr->app && !pr->app[0])
        return cli_usage(c, "--app needs a program name");
    if (pr->cnf_opt && !pr->cnf_opt[0])
        return cli_usage(c, "--openssl-conf needs a file");
    return TP_EXIT_OK;
}

/* This executable, which the measuring processes run, and the name they
 * run as: --app (its base name if a path), else this executable's. */
static int find_self(cli *c, probe_cmd *pr)
{
    if (self_exe(pr->self, sizeof(pr->self)) != 0) {
        cli_error(c, "cannot find my own executable: %s", strerror(errno));
        return -1;
    }
    const char *exe_unused = NULL;
    cli_program(pr->app, &pr->name, &exe_unused);
    if (pr->name == NULL) {
        const char *slash = strrchr(pr->self, '/');
        pr->name = slash ? slash + 1 : pr->self;
    }
    return 0;
}

/* The policy as the module in the probed process finds it, resolved for
 * the program and rendered (pr->s, pr->fl); TP_EXIT_OK or TP_EXIT_LOAD. */
static int load_policy(cli *c, probe_cmd *pr)
{
    probe_ctx *pc = &pr->pc;

    c->policy_key = pc->cs.policy;
    c->key_sect = pc->cs.section;
    c->key_cnf = pr->cnf;
    if (cli_resolve_opts(c) != 0)
        return TP_EXIT_LOAD;
    pr->tpconf = child_policy_file(c);

    tp_err err = TP_OK;
    pr->p = cli_load(c, &err);
    pr->r = pr->p ? tp_policy_resolve(pr->p, pr->name, pr->self, &err) : NULL;
    if (pr->r == NULL || tp_render_ossl(pr->r, OpenSSL_version_num(), &pr->s) != TP_OK
        || tp_render_floors(pr->r, &pr->fl) != TP_OK) {
        cli_error(c, "cannot resolve the policy: %s",
                  tp_strerror(err != TP_OK ? err : TP_ERR_NOMEM));
        return TP_EXIT_LOAD;
    }
    pc->p = pr->p;
    pc->fallback = tp_policy_is_fallback(pr->p) || tp_resolved_is_fallback(pr->r);
    pc->policy_file = c->opts.policy_file ? c->opts.policy_file : tp_policy_file(pr->p);
    if (!pc->fallback && tp_policy_file(pr->p))
        pc->policy_file = tp_policy_file(pr->p);
    return TP_EXIT_OK;
}

/* Certificates and the reference configuration, in a private directory
 * under TMPDIR (else /tmp): pr->dir, set only once it exists. */
static int make_dir(cli *c, probe_cmd *pr)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = cli_join(tmp && tmp[0] ? tmp : "/tmp", "/tlspolicy-probe.XXXXXX");
    if (mkdtemp(dir) == NULL) {
        cli_error(c, "cannot make a temporary directory: %s", strerror(errno));
        free(dir);
        return -1;
    }
    pr->dir = dir;
    pr->refcnf = cli_join(dir, "/reference.cnf");
    return 0;
}

/* Certificates sized by the floors, and the reference configuration (the
 * settings written as plain openssl.cnf), in pr->dir. */
static int make_pki(cli *c, probe_cmd *pr)
{
    const tp_floors *fl = &pr->fl;
    int ec_bits = fl->min_ec_bits > 256 ? fl->min_ec_bits : 256;
    int rsa_bits = fl->min_rsa_bits > 2048 ? fl->min_rsa_bits : 2048;
    if (rsa_bits > 4096)
        rsa_bits = 4096;
    pr->short_bits = fl->min_rsa_bits > 1024 ? 1024 : fl->min_rsa_bits > 512 ? 512 : 0;
    char perr[512];
    if (probe_pki_make(pr->dir, ec_bits, rsa_bits, pr->short_bits, perr, sizeof(perr)) != 0) {
        cli_error(c, "%s", perr);
        return -1;
    }
    if (write_reference(pr->refcnf, &pr->s) != 0) {
        cli_error(c, "cannot write %s: %s", pr->refcnf, strerror(errno));
        return -1;
    }
    return 0;
}

/* Plan the rows, then run the attempts three times: under the module,
 * under the reference configuration (baseline only) and with no
 * configuration (the control). */
static int run_attempts(cli *c, probe_cmd *pr)
{
    probe_ctx *pc = &pr->pc;
    plan_rows(pc->rows, &pr->fl, &pr->s, pr->short_bits);
    plan_permissive(pc->rows, &pr->fl);
    const char *attempts[1 + NROWS * MAX_CAND];
    int na = 0;
    attempts[na++] = "baseline";
    for (int i = 0; i < NROWS; i++)
        for (int j = 0; j < pc->rows[i].ncand; j++)
            attempts[na++] = pc->rows[i].cand[j];

    if (probe_run(pr->self, pr->name, pc->cnf, pr->tpconf, pr->dir, attempts, na, &pc->m) != 0) {
        cli_error(c, "%s", pc->m.err);
        return -1;
    }
    if (probe_run(pr->self, pr->name, pr->refcnf, NULL, pr->dir, attempts, 1, &pc->ref) != 0) {
        cli_error(c, "reference run: %s", pc->ref.err);
        return -1;
    }
    if (probe_run(pr->self, pr->name, "/dev/null", NULL, pr->dir, attempts + 1, na - 1,
                  &pc->ctl) != 0) {
        cli_error(c, "control run: %s", pc->ctl.err);
        return -1;
    }
    return 0;
}

/* Judge the runs (the process, then the rows), note what --app cannot
 * reproduce, and run the GnuTLS part: every problem in pc.rp.problems. */
static void judge(cli *c, probe_cmd *pr)
{
    probe_ctx *pc = &pr->pc;

    judge_process(pc, &pr->s);
    judge_rows(pc->rows, &pc->m, &pc->ctl, pr->fl.permissive);
    for (int i = 0; i < NROWS; i++)
        if (pc->rows[i].problem)
            pc->rp.problems++;
    if (pr->app && pr->app[0] == '/')
        add(&pc->rp, "app_path", 1,
            "note: probed as '%s'; rules that match the executable path %s cannot be"
            " reproduced (the probe runs as %s)",
            pr->name, pr->app, pr->self);

    /* GnuTLS: gnutls-cli against gnutls-serv (probe_gnutls.c) */
    gp_run(c, pr->r, pr->dir, pr->gnutls_conf, pr->short_bits, &pr->gres);
    pc->rp.problems += pr->gres.problems;
    pc->gnutls = &pr->gres;
}

/* The report on stdout, as JSON or text; the exit status. */
static int print_report(const probe_cmd *pr)
{
    int out_bad = 0;
    if (pr->json) {
        out_bad = probe_print_json(&pr->pc) != 0;
    } else {
        probe_print_text(&pr->pc);
        gp_print_text(&pr->gres, stdout);
    }
    /* a fallback is a problem */
    return pr->pc.rp.problems || out_bad ? TP_EXIT_PROBLEMS : TP_EXIT_OK;
}

/* All a run holds, the latest first: the runs' records and the rows, the
 * private directory and its files, the policy, the openssl.cnf. */
static void probe_cmd_free(probe_cmd *pr)
{
    probe_out_free(&pr->pc.m);
    probe_out_free(&pr->pc.ref);
    probe_out_free(&pr->pc.ctl);
    rows_free(pr->pc.rows);
    if (pr->dir)
        rmtree_pki(pr->dir);
    free(pr->refcnf);
    free(pr->dir);
    tp_ossl_settings_clear(&pr->s);
    tp_resolved_free(pr->r);
    tp_policy_free(pr->p);
    free(pr->tpconf);
    conf_scan_free(&pr->pc.cs);
    free(pr->cnf);
}

int cmd_probe(cli *c, int argc, char **argv)
{
    probe_cmd pr;
    memset(&pr, 0, sizeof(pr));
    int rc = parse_opts(c, argc, argv, &pr);
    if (rc != TP_EXIT_OK)
        return rc;

    /* This process reads no openssl.cnf: what it measures is in children. */
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);

    pr.pc.app = pr.app;
    pr.cnf = pr.cnf_opt ? cli_join(pr.cnf_opt, "") : conf_default_file();
    pr.pc.cnf = pr.cnf;
    conf_scan_load(&pr.pc.cs, pr.cnf);

    rc = TP_EXIT_PROBLEMS;
    if (pr.pc.cs.fifo) {
        /* every child would block reading it (/dev/null, empty, is fine) */
        cli_error(c, "%s is a FIFO (a program reading it would wait for ever): not probed",
                  pr.cnf);
        goto out;
    }
    if (find_self(c, &pr) != 0)
        goto out;
    rc = load_policy(c, &pr);
    if (rc != TP_EXIT_OK)
        goto out;
    rc = TP_EXIT_PROBLEMS;
    if (make_dir(c, &pr) != 0 || make_pki(c, &pr) != 0 || run_attempts(c, &pr) != 0)
        goto out;
    judge(c, &pr);
    rc = print_report(&pr);
out:
    probe_cmd_free(&pr);
    return rc;
}
