/*
 * fault_policy.c - allocation failure at every allocation site of policy
 * loading, resolving and rendering (run with LD_PRELOAD=faultinj.so).
 *
 * For n = 1, 2, ... the n-th allocation made by the policy library fails
 * (allocations inside libconfig are not failed: libconfig 1.5 dereferences
 * its own failed allocations, e.g. in config_init; see README, Bad input); the loop ends when a run
 * makes fewer than n allocations. Each run must end in one of two ways:
 *   - an error (NULL handle, TP_ERR_NOMEM, or a policy that reports an
 *     error and resolves to the compiled-in DEFAULT): the module then
 *     installs DEFAULT;
 *   - the complete policy, identical to a run without failure.
 * Never a crash, and never a policy with a part silently missing (a
 * drop-in skipped, a profile applied over the file instead of under it).
 *
 * The tree: a policy file with a profile and two modifiers, two drop-ins,
 * three application rules; resolved for the system and for curl, rendered
 * for OpenSSL 3.0 and as floors.
 *
 * Usage: fault_policy SOURCE_DIR   (exit 0 pass, 1 fail, 77 no shim)
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlspolicy.h"

typedef void (*arm_fn)(long, const char *);
typedef long (*disarm_fn)(int *);
static arm_fn arm;
static disarm_fn disarm;

static char root[] = "/tmp/tp-fault-XXXXXX";
static char pdir[4096], mdir[4096], policy[4096];

static void put(const char *rel, const char *text)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    for (char *s = path + strlen(root) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(path, 0755);
            *s = '/';
        }
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

/* Append printf output to a growing string; NULL stays NULL. The buffer
 * is allocated while disarmed (the caller's outcome string). */
typedef struct out {
    char buf[65536];
    size_t n;
} out;

static void add(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(o->buf + o->n, sizeof(o->buf) - o->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        o->n += (size_t)k < sizeof(o->buf) - o->n ? (size_t)k : sizeof(o->buf) - o->n - 1;
}

/* One run: load, resolve for the system and for curl, render. Returns
 * 0 = complete, 1 = an error was reported; *o describes the values. */
static int run(out *o)
{
    const char *pdirs[] = {pdir, NULL}, *mdirs[] = {mdir, NULL};
    tp_load_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.policy_file = policy;
    opts.profile_dirs = pdirs;
    opts.modifier_dirs = mdirs;
    opts.openssl_version = 0x30000000UL;
    o->n = 0;
    o->buf[0] = '\0';
    tp_err err = TP_OK;
    tp_policy *p = tp_policy_load(&opts, &err);
    if (p == NULL) {
        add(o, "load: NULL err=%d\n", err);
        return err == TP_ERR_NOMEM ? 1 : -1;
    }
    int failed = err != TP_OK;
    if (failed != (tp_policy_nerrors(p) > 0) || failed != tp_policy_is_fallback(p)) {
        add(o, "load: err=%d nerrors=%zu fallback=%d: inconsistent\n", err, tp_policy_nerrors(p),
            tp_policy_is_fallback(p));
        tp_policy_free(p);
        return -1;
    }
    if (failed)
        add(o, "fallback\n");
    add(o, "dropins=%zu apps=%zu\n", failed ? 0 : tp_policy_ndropins(p),
        failed ? 0 : tp_policy_napps(p));
    const char *who[] = {NULL, "curl"};
    for (int w = 0; w < 2; w++) {
        tp_err e = TP_OK;
        tp_resolved *r = tp_policy_resolve(p, who[w], who[w] ? "/usr/bin/curl" : NULL, &e);
        if (r == NULL) {
            failed = 1;
            add(o, "resolve %s: NULL err=%d\n", who[w] ? who[w] : "system", e);
            continue;
        }
        add(o, "[%s]\n", who[w] ? who[w] : "system");
        for (int k = 0; k < TP_K__COUNT; k++) {
            char b[4096];
            if (tp_resolved_format(r, (tp_key)k, b, sizeof(b)) < 0)
                snprintf(b, sizeof(b), "<format failed>");
            add(o, "%s=%s\n", tp_key_name((tp_key)k), b);
        }
        tp_ossl_settings s;
        if (tp_render_ossl(r, 0x30000000UL, &s) == TP_OK) {
            for (size_t i = 0; i < s.ncmds; i++)
                add(o, "%s=%s\n", s.cmds[i].cmd, s.cmds[i].value);
            tp_ossl_settings_clear(&s);
        } else {
            failed = 1;
            add(o, "render: NOMEM\n");
        }
        tp_floors f;
        if (tp_render_floors(r, &f) == TP_OK)
            add(o, "floors: tls=%x rsa=%d groups=%zu\n", f.min_tls, f.min_rsa_bits, f.ngroups);
        tp_resolved_free(r);
    }
    tp_policy_free(p);
    return failed;
}

/* The first line where a and b differ. */
static void first_diff(const char *a0, const char *b0, char *line, size_t len)
{
    const char *a = a0, *b = b0;
    while (*a && *a == *b) {
        a++;
        b++;
    }
    while (a > a0 && a[-1] != '\n') {
        a--;
        b--;
    }
    snprintf(line, len, "got \"%.*s\", want \"%.*s\"", (int)strcspn(a, "\n"), a,
             (int)strcspn(b, "\n"), b);
}

static int rmrf(void)
{
    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fault_policy SOURCE_DIR\n");
        return 2;
    }
    arm = (arm_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "tpf_arm");
    disarm = (disarm_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "tpf_disarm");
    if (arm == NULL || disarm == NULL) {
        fprintf(stderr, "SKIP: faultinj.so not preloaded\n");
        return 77;
    }
    if (mkdtemp(root) == NULL)
        return 2;
    snprintf(pdir, sizeof(pdir), "%s/packaging/profiles", argv[1]);
    snprintf(mdir, sizeof(mdir), "%s/packaging/modifiers", argv[1]);
    snprintf(policy, sizeof(policy), "%s/etc/policy.conf", root);
    put("etc/policy.conf",
        "profile = \"DEFAULT:NO-CBC:NO-SHA1\";\n"
        "mode = \"enforce\";\n"
        "tls = { groups = [ \"-ffdhe2048\", \"X448+\" ]; signature_algorithms = [ \"-rsa_pkcs1_sha256\" ]; };\n"
        "keys = { min_rsa_bits = 3072; };\n"
        "verify = { peer = \"required\"; ca_file = \"/nonexistent/ca.pem\"; };\n"
        "applications = (\n"
        "  { match = \"curl\"; tls = { min_version = \"TLSv1.3\"; }; },\n"
        "  { match = \"/usr/bin/*\"; keys = { min_ec_bits = 384; }; },\n"
        "  { match = \"wget\"; mode = \"permissive\"; }\n"
        ");\n");
    put("etc/policy.d/10-dh.conf", "keys = { min_dh_bits = 3072; };\n");
    put("etc/policy.d/20-ciphers.conf", "tls = { ciphers = [ \"-AES-128-GCM\" ]; };\n");

    static out ref, got, dflt;
    if (run(&ref) != 0) {
        fprintf(stderr, "FAIL: the fixture does not load without faults:\n%s", ref.buf);
        rmrf();
        return 1;
    }
    /* what a fallback looks like: the compiled-in DEFAULT, resolved */
    int rc = 0;
    long n, total = 0, nerr = 0, nok = 0;
    for (n = 1;; n++) {
        int fired = 0;
        arm(n, "@main");
        int r = run(&got);
        long count = disarm(&fired);
        if (!fired) {
            total = count;
            if (r != 0 || strcmp(got.buf, ref.buf) != 0) {
                fprintf(stderr, "FAIL: no fault, but a different result:\n%s", got.buf);
                rc = 1;
            }
            break;
        }
        if (r < 0) {
            fprintf(stderr, "FAIL: allocation %ld failed: inconsistent result:\n%s", n, got.buf);
            rc = 1;
        } else if (r == 0) {
            nok++;
            if (strcmp(got.buf, ref.buf) != 0) {
                char d[512];
                first_diff(got.buf, ref.buf, d, sizeof(d));
                fprintf(stderr, "FAIL: allocation %ld failed silently: %s\n", n, d);
                if (getenv("FAULT_DUMP") && atol(getenv("FAULT_DUMP")) == n) {
                    FILE *f = fopen("/tmp/fault-got.txt", "w");
                    if (f) {
                        fputs(got.buf, f);
                        fclose(f);
                    }
                    f = fopen("/tmp/fault-want.txt", "w");
                    if (f) {
                        fputs(ref.buf, f);
                        fclose(f);
                    }
                }
                rc = 1;
            }
        } else {
            nerr++;
            /* every value that was resolved is DEFAULT's */
            if (strstr(got.buf, "fallback\n") != NULL && strstr(got.buf, "keys.min_rsa_bits=3072") != NULL) {
                fprintf(stderr, "FAIL: allocation %ld: fallback but policy values:\n%s", n, got.buf);
                rc = 1;
            }
        }
        if (n > 100000)
            break;
    }
    (void)dflt;
    printf("%ld allocation sites exercised: %ld gave an error (DEFAULT), %ld the full policy\n",
           total, nerr, nok);
    rmrf();
    return rc;
}
