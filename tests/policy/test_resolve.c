/*
 * test_resolve.c - merging and resolution: vendor profile < modifiers <
 * policy file < policy.d drop-ins (name order) < matching application
 * rules; provenance of every value; rule matching by base name, absolute
 * path and glob; the compiled-in DEFAULT when anything is broken.
 *
 * Each test builds its tree in a fresh mkdtemp() root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tp_test.h"

#define POLICY "etc/tlspolicy/policy.conf"
#define DROPIN(n) "etc/tlspolicy/policy.d/" n

static int setup_root(void **state)
{
    *state = tt_mkdtemp();
    return 0;
}

static int teardown_root(void **state)
{
    tt_rmrf(*state);
    return 0;
}

static tp_policy *load_root(const char *root, tp_err *err)
{
    tp_load_opts o = tt_opts(root);
    return tp_policy_load(&o, err);
}

/* Line of the first line of a file containing needle (the shipped profiles
 * may be re-wrapped; the test should not care where a value sits). */
static int line_of(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    char buf[1024];
    int line = 0;
    assert_non_null(f);
    while (fgets(buf, sizeof(buf), f)) {
        line++;
        if (strstr(buf, needle)) {
            fclose(f);
            return line;
        }
    }
    fclose(f);
    fail_msg("%s not found in %s", needle, path);
    return 0;
}

static void assert_origin(const tp_resolved *r, tp_key k, size_t i, tp_origin_kind kind,
                          const char *name, const char *file, int line, const char *text)
{
    const tp_origin *o = tp_resolved_origin(r, k, i);
    assert_non_null(o);
    assert_int_equal(o->kind, kind);
    if (name)
        assert_string_equal(o->name, name);
    else
        assert_null(o->name);
    if (file)
        assert_string_equal(o->file, file);
    else
        assert_null(o->file);
    assert_int_equal(o->line, line);
    if (text)
        assert_string_equal(o->text, text);
}

static void test_resolve_merge_order_and_provenance(void **state)
{
    const char *root = *state;
    char *pol = tt_write(root, POLICY,
                         "# site policy\n"
                         "profile = \"DEFAULT\";\n"
                         "keys = {\n"
                         "  min_rsa_bits = 3072;\n"
                         "};\n"
                         "tls = {\n"
                         "  ciphers = [ \"-AES-128-CBC\" ];\n"
                         "};\n"
                         "applications = (\n"
                         "  {\n"
                         "    match = \"curl\";\n"
                         "    keys = { min_rsa_bits = 8192; };\n"
                         "  }\n"
                         ");\n");
    char *d10 = tt_write(root, DROPIN("10-a.conf"),
                         "keys = {\n  min_rsa_bits = 4096;\n};\ntls = { ciphers = [ \"-AES-256-CBC\" ]; };\n");
    char *d20 = tt_write(root, DROPIN("20-b.conf"), "keys = { min_dh_bits = 3072; };\n");
    /* "9-z" sorts after "20-b": name order, not numeric. */
    char *d9 = tt_write(root, DROPIN("9-z.conf"), "keys = { min_rsa_bits = 6144; };\n");
    /* Not drop-ins: no .conf suffix, hidden, and one that would break. */
    tt_write_free(root, DROPIN("README"), "garbage = ;;\n");
    tt_write_free(root, DROPIN(".hidden.conf"), "garbage = ;;\n");
    tt_write_free(root, DROPIN("30-c.conf.rpmsave"), "garbage = ;;\n");

    tp_err err;
    tp_policy *p = load_root(root, &err);
    if (err != TP_OK)
        tt_dump(p);
    assert_int_equal(err, TP_OK);
    assert_int_equal(tp_policy_ndiags(p), 0);
    assert_string_equal(tp_policy_file(p), pol);
    assert_int_equal(tp_policy_ndropins(p), 3);
    assert_string_equal(tp_policy_dropin(p, 0), d10);
    assert_string_equal(tp_policy_dropin(p, 1), d20);
    assert_string_equal(tp_policy_dropin(p, 2), d9);
    assert_null(tp_policy_dropin(p, 3));
    assert_int_equal(tp_policy_napps(p), 1);
    const char *afile = NULL;
    int aline = 0;
    assert_string_equal(tp_policy_app_match(p, 0, &afile, &aline), "curl");
    assert_string_equal(afile, pol);
    assert_int_equal(aline, 10);

    char prof[4096], buf[1024];
    snprintf(prof, sizeof(prof), "%s/packaging/profiles/DEFAULT.conf", tt_src());
    int prof_rsa = line_of(prof, "min_rsa_bits");

    tp_resolved *sys = tp_policy_resolve(p, NULL, NULL, &err);
    assert_int_equal(err, TP_OK);
    assert_false(tp_resolved_is_fallback(sys));
    assert_int_equal(tp_resolved_napps(sys), 0);
    assert_int_equal(tp_resolved_get_int(sys, TP_K_KEYS_RSA), 6144);
    assert_int_equal(tp_resolved_get_int(sys, TP_K_KEYS_DH), 3072);
    assert_string_equal(tt_fmt(sys, TP_K_TLS_CIPHERS, buf, sizeof(buf)),
                        "AES-256-GCM, AES-256-CCM, CHACHA20-POLY1305, AES-128-GCM, AES-128-CCM");
    assert_int_equal(tp_resolved_norigins(sys, TP_K_KEYS_RSA), 5);
    assert_origin(sys, TP_K_KEYS_RSA, 0, TP_O_BUILTIN, "DEFAULT", NULL, 0, "2048");
    assert_origin(sys, TP_K_KEYS_RSA, 1, TP_O_PROFILE, "DEFAULT", prof, prof_rsa, "2048");
    assert_origin(sys, TP_K_KEYS_RSA, 2, TP_O_FILE, NULL, pol, 4, "3072");
    assert_origin(sys, TP_K_KEYS_RSA, 3, TP_O_DROPIN, NULL, d10, 2, "4096");
    assert_origin(sys, TP_K_KEYS_RSA, 4, TP_O_DROPIN, NULL, d9, 1, "6144");
    assert_null(tp_resolved_origin(sys, TP_K_KEYS_RSA, 5));
    assert_int_equal(tp_resolved_norigins(sys, TP_K_TLS_CIPHERS), 4);
    assert_origin(sys, TP_K_TLS_CIPHERS, 2, TP_O_FILE, NULL, pol, 7, "[ -AES-128-CBC ]");
    assert_origin(sys, TP_K_TLS_CIPHERS, 3, TP_O_DROPIN, NULL, d10, 4, "[ -AES-256-CBC ]");
    /* profile: set only by the file */
    assert_int_equal(tp_resolved_norigins(sys, TP_K_PROFILE), 2);
    assert_origin(sys, TP_K_PROFILE, 1, TP_O_FILE, NULL, pol, 2, "DEFAULT");

    tp_resolved *app = tp_policy_resolve(p, "curl", NULL, &err);
    assert_int_equal(err, TP_OK);
    assert_int_equal(tp_resolved_napps(app), 1);
    assert_int_equal(tp_resolved_app(app, 0), 0);
    assert_int_equal(tp_resolved_app(app, 1), (size_t)-1);
    assert_int_equal(tp_resolved_get_int(app, TP_K_KEYS_RSA), 8192);
    assert_int_equal(tp_resolved_get_int(app, TP_K_KEYS_DH), 3072);
    assert_int_equal(tp_resolved_norigins(app, TP_K_KEYS_RSA), 6);
    assert_origin(app, TP_K_KEYS_RSA, 5, TP_O_APP, "curl", pol, 12, "8192");

    tp_resolved_free(app);
    tp_resolved_free(sys);
    tp_policy_free(p);
    free(pol);
    free(d10);
    free(d20);
    free(d9);
}

/* no_dropins: policy.d is not read at all. */
static void test_resolve_no_dropins(void **state)
{
    const char *root = *state;
    tt_write_free(root, POLICY, "keys = { min_rsa_bits = 3072; };\n");
    tt_write_free(root, DROPIN("10-a.conf"), "keys = { min_rsa_bits = 4096; };\n");
    tt_write_free(root, DROPIN("20-broken.conf"), "keys = ;\n");
    tp_load_opts o = tt_opts(root);
    o.no_dropins = 1;
    tp_err err;
    tp_policy *p = tp_policy_load(&o, &err);
    assert_int_equal(err, TP_OK);
    assert_int_equal(tp_policy_ndropins(p), 0);
    tp_resolved *r = tp_policy_resolve(p, NULL, NULL, NULL);
    assert_int_equal(tp_resolved_get_int(r, TP_K_KEYS_RSA), 3072);
    tp_resolved_free(r);
    tp_policy_free(p);
}

/* ---- application rules --------------------------------------------------- */

static const char *const rules =
    "applications = (\n"
    "  { match = \"curl\"; keys = { min_rsa_bits = 3072; }; },\n"
    "  { match = \"/opt/*/bin/tool\"; keys = { min_rsa_bits = 4096; }; },\n"
    "  { match = \"wget*\"; keys = { min_dh_bits = 4096; }; },\n"
    "  { match = \"/usr/bin/ssh\"; keys = { min_rsa_bits = 8192; }; },\n"
    "  { match = \"py[23]\"; keys = { min_dsa_bits = 3072; }; }\n"
    ");\n";

static void test_resolve_app_matching(void **state)
{
    (void)state;
    static const struct {
        const char *name, *exe;
        size_t want_napps;
        long want_first_app;
        long want_rsa, want_dh, want_dsa;
    } rows[] = {
        {"curl", NULL, 1, 0, 3072, 2048, 2048},
        {NULL, "/usr/bin/curl", 1, 0, 3072, 2048, 2048},        /* base name of exe */
        {"other", "/usr/bin/curl", 1, 0, 3072, 2048, 2048},     /* name or exe */
        {"curly", NULL, 0, -1, 2048, 2048, 2048},                /* whole-name match */
        {"CURL", NULL, 0, -1, 2048, 2048, 2048},                 /* case matters */
        {"tool", "/opt/x/bin/tool", 1, 1, 4096, 2048, 2048},     /* absolute glob */
        {NULL, "/opt/x/y/bin/tool", 0, -1, 2048, 2048, 2048},    /* '*' does not cross '/' */
        {"tool", NULL, 0, -1, 2048, 2048, 2048},                 /* absolute needs exe */
        {"wget2", NULL, 1, 2, 2048, 4096, 2048},                 /* glob on base name */
        {"wget", "/usr/bin/wget", 1, 2, 2048, 4096, 2048},
        {"ssh", "/usr/bin/ssh", 1, 3, 8192, 2048, 2048},
        {"ssh", "/usr/local/bin/ssh", 0, -1, 2048, 2048, 2048},  /* other path */
        {"py3", NULL, 1, 4, 2048, 2048, 3072},                   /* bracket glob */
        {"py4", NULL, 0, -1, 2048, 2048, 2048},
        {"curl", "/opt/a/bin/tool", 2, 0, 4096, 2048, 2048},     /* two rules, in order */
        {NULL, NULL, 0, -1, 2048, 2048, 2048},                   /* system-wide */
    };
    tp_err err;
    tp_policy *p = tt_load_text(rules, &err);
    assert_int_equal(err, TP_OK);
    assert_int_equal(tp_policy_napps(p), 5);
    int failed = 0;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        tp_resolved *r = tp_policy_resolve(p, rows[i].name, rows[i].exe, &err);
        assert_non_null(r);
        long first = tp_resolved_napps(r) ? (long)tp_resolved_app(r, 0) : -1;
        if (tp_resolved_napps(r) != rows[i].want_napps || first != rows[i].want_first_app ||
            tp_resolved_get_int(r, TP_K_KEYS_RSA) != rows[i].want_rsa ||
            tp_resolved_get_int(r, TP_K_KEYS_DH) != rows[i].want_dh ||
            tp_resolved_get_int(r, TP_K_KEYS_DSA) != rows[i].want_dsa) {
            fprintf(stderr, "row %zu (%s, %s): %zu apps, first %ld, rsa %ld dh %ld dsa %ld\n", i,
                    rows[i].name ? rows[i].name : "NULL", rows[i].exe ? rows[i].exe : "NULL",
                    tp_resolved_napps(r), first, tp_resolved_get_int(r, TP_K_KEYS_RSA),
                    tp_resolved_get_int(r, TP_K_KEYS_DH), tp_resolved_get_int(r, TP_K_KEYS_DSA));
            failed++;
        }
        tp_resolved_free(r);
    }
    /* the two-rule case: applied in file order, both recorded */
    tp_resolved *r = tp_policy_resolve(p, "curl", "/opt/a/bin/tool", NULL);
    assert_int_equal(tp_resolved_app(r, 1), 1);
    assert_int_equal(tp_resolved_norigins(r, TP_K_KEYS_RSA), 4);
    assert_origin(r, TP_K_KEYS_RSA, 2, TP_O_APP, "curl", "t.conf", 2, "3072");
    assert_origin(r, TP_K_KEYS_RSA, 3, TP_O_APP, "/opt/*/bin/tool", "t.conf", 3, "4096");
    tp_resolved_free(r);
    tp_policy_free(p);
    assert_int_equal(failed, 0);
}

/* The same match in the policy file and a drop-in is a refinement, not a
 * duplicate: both apply, in merge order. */
static void test_resolve_rules_across_files(void **state)
{
    const char *root = *state;
    char *pol = tt_write(root, POLICY,
                         "applications = (\n { match = \"curl\";\n   keys = { min_rsa_bits = 3072; min_dh_bits = 3072; }; }\n);\n");
    char *dr = tt_write(root, DROPIN("50-curl.conf"),
                        "\napplications = (\n { match = \"curl\";\n   keys = { min_rsa_bits = 4096; }; }\n);\n");
    tp_err err;
    tp_policy *p = load_root(root, &err);
    assert_int_equal(err, TP_OK);
    assert_int_equal(tp_policy_napps(p), 2);
    const char *f;
    int line;
    tp_policy_app_match(p, 1, &f, &line);
    assert_string_equal(f, dr);
    assert_int_equal(line, 3);
    tp_resolved *r = tp_policy_resolve(p, "curl", NULL, NULL);
    assert_int_equal(tp_resolved_napps(r), 2);
    assert_int_equal(tp_resolved_get_int(r, TP_K_KEYS_RSA), 4096);
    assert_int_equal(tp_resolved_get_int(r, TP_K_KEYS_DH), 3072);
    assert_origin(r, TP_K_KEYS_RSA, tp_resolved_norigins(r, TP_K_KEYS_RSA) - 1, TP_O_APP, "curl", dr, 4, "4096");
    assert_origin(r, TP_K_KEYS_DH, tp_resolved_norigins(r, TP_K_KEYS_DH) - 1, TP_O_APP, "curl", pol, 3, "3072");
    tp_resolved_free(r);
    tp_policy_free(p);
    free(pol);
    free(dr);
}

/* ---- profiles and modifiers ---------------------------------------------- */

#define DEF_SIGALGS                                                                              \
    "ecdsa_secp256r1_sha256, ecdsa_secp384r1_sha384, ecdsa_secp521r1_sha512, ed25519, ed448, "   \
    "rsa_pss_pss_sha256, rsa_pss_pss_sha384, rsa_pss_pss_sha512, rsa_pss_rsae_sha256, "          \
    "rsa_pss_rsae_sha384, rsa_pss_rsae_sha512, rsa_pkcs1_sha256, rsa_pkcs1_sha384, rsa_pkcs1_sha512"
#define AEAD_CIPHERS "AES-256-GCM, AES-256-CCM, CHACHA20-POLY1305, AES-128-GCM, AES-128-CCM"

static void test_resolve_profiles_and_modifiers(void **state)
{
    (void)state;
    static const struct {
        const char *profile;
        tp_key key;
        const char *want;
        tp_origin_kind want_kind; /* of the deciding origin */
        const char *want_name;
    } rows[] = {
        {"DEFAULT", TP_K_TLS_MIN, "TLSv1.2", TP_O_PROFILE, "DEFAULT"},
        {"LEGACY", TP_K_TLS_MIN, "TLSv1.0", TP_O_PROFILE, "LEGACY"},
        {"LEGACY", TP_K_DTLS_MIN, "DTLSv1.0", TP_O_PROFILE, "LEGACY"},
        {"LEGACY", TP_K_KEYS_RSA, "1024", TP_O_PROFILE, "LEGACY"},
        {"LEGACY", TP_K_TLS_SIGALGS, DEF_SIGALGS ", ecdsa_sha1, rsa_pkcs1_sha1", TP_O_PROFILE, "LEGACY"},
        {"LEGACY:NO-SHA1", TP_K_TLS_SIGALGS, DEF_SIGALGS, TP_O_MODIFIER, "NO-SHA1"},
        {"LEGACY:NO-SHA1", TP_K_SIG_FORBIDDEN, "MD5, SHA1", TP_O_MODIFIER, "NO-SHA1"},
        {"LEGACY:NO-SHA1", TP_K_TLS_MIN, "TLSv1.0", TP_O_PROFILE, "LEGACY"},
        {"FUTURE", TP_K_KEYS_RSA, "3072", TP_O_PROFILE, "FUTURE"},
        {"FUTURE", TP_K_SIG_FORBIDDEN, "MD5, SHA1, SHA2-224", TP_O_PROFILE, "FUTURE"},
        {"FUTURE", TP_K_TLS_MACS, "AEAD", TP_O_PROFILE, "FUTURE"},
        {"DEFAULT:NO-CBC", TP_K_TLS_CIPHERS, AEAD_CIPHERS, TP_O_MODIFIER, "NO-CBC"},
        {"DEFAULT:NO-CBC", TP_K_TLS_MACS, "AEAD", TP_O_MODIFIER, "NO-CBC"},
        {"DEFAULT:TLS13-ONLY", TP_K_TLS_MIN, "TLSv1.3", TP_O_MODIFIER, "TLS13-ONLY"},
        {"DEFAULT:TLS13-ONLY", TP_K_DTLS_MIN, "DTLSv1.2", TP_O_PROFILE, "DEFAULT"},
        {"LEGACY:NO-CBC:TLS13-ONLY", TP_K_TLS_CIPHERS, AEAD_CIPHERS, TP_O_MODIFIER, "NO-CBC"},
        {"LEGACY:NO-CBC:TLS13-ONLY", TP_K_TLS_MIN, "TLSv1.3", TP_O_MODIFIER, "TLS13-ONLY"},
        {"LEGACY:NO-SHA1:NO-CBC", TP_K_KEYS_DH, "1024", TP_O_PROFILE, "LEGACY"},
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char text[256], buf[1024];
        snprintf(text, sizeof(text), "profile = \"%s\";\n", rows[i].profile);
        tp_err err;
        tp_policy *p = tt_load_text(text, &err);
        tp_resolved *r = tp_policy_resolve(p, NULL, NULL, NULL);
        tt_fmt(r, rows[i].key, buf, sizeof(buf));
        const tp_origin *o = tp_resolved_origin(r, rows[i].key, tp_resolved_norigins(r, rows[i].key) - 1);
        if (err != TP_OK || strcmp(buf, rows[i].want) != 0 || o == NULL || o->kind != rows[i].want_kind ||
            o->name == NULL || strcmp(o->name, rows[i].want_name) != 0) {
            fprintf(stderr, "%s: %s = \"%s\" from %d %s (err %d)\n", rows[i].profile,
                    tp_key_name(rows[i].key), buf, o ? (int)o->kind : -1, o && o->name ? o->name : "-",
                    err);
            tt_dump(p);
            failed++;
        }
        tp_resolved_free(r);
        tp_policy_free(p);
    }
    assert_int_equal(failed, 0);
}

/* The modifier's chain: builtin, profile, modifier, then the file on top. */
static void test_resolve_profile_chain(void **state)
{
    (void)state;
    char prof[4096], mod[4096];
    snprintf(prof, sizeof(prof), "%s/packaging/profiles/LEGACY.conf", tt_src());
    snprintf(mod, sizeof(mod), "%s/packaging/modifiers/NO-SHA1.conf", tt_src());
    tp_err err;
    tp_policy *p = tt_load_text("profile = \"LEGACY:NO-SHA1\";\nsignatures = {\n"
                                "  forbidden_hashes = [ \"SHA2-224+\" ];\n};\n",
                                &err);
    assert_int_equal(err, TP_OK);
    tp_resolved *r = tp_policy_resolve(p, NULL, NULL, NULL);
    char buf[256];
    assert_string_equal(tt_fmt(r, TP_K_SIG_FORBIDDEN, buf, sizeof(buf)), "MD5, SHA1, SHA2-224");
    assert_int_equal(tp_resolved_norigins(r, TP_K_SIG_FORBIDDEN), 4);
    assert_origin(r, TP_K_SIG_FORBIDDEN, 0, TP_O_BUILTIN, "DEFAULT", NULL, 0, "[ MD5, SHA1 ]");
    assert_origin(r, TP_K_SIG_FORBIDDEN, 1, TP_O_PROFILE, "LEGACY", prof, line_of(prof, "forbidden_hashes"),
                  "[ MD5 ]");
    assert_origin(r, TP_K_SIG_FORBIDDEN, 2, TP_O_MODIFIER, "NO-SHA1", mod, line_of(mod, "forbidden_hashes"),
                  "[ SHA1+ ]");
    assert_origin(r, TP_K_SIG_FORBIDDEN, 3, TP_O_FILE, NULL, "t.conf", 3, "[ SHA2-224+ ]");
    tp_resolved_free(r);
    tp_policy_free(p);
}

/* ---- fallback ------------------------------------------------------------ */

/* Every key of r equals the compiled-in DEFAULT. */
static void assert_builtin(const tp_resolved *r)
{
    tp_policy *b = tp_policy_builtin();
    tp_resolved *br = tp_policy_resolve(b, NULL, NULL, NULL);
    for (int k = 0; k < TP_K__COUNT; k++) {
        char want[2048], got[2048];
        tt_fmt(br, (tp_key)k, want, sizeof(want));
        tt_fmt(r, (tp_key)k, got, sizeof(got));
        if (strcmp(want, got) != 0)
            fail_msg("%s: \"%s\", compiled-in DEFAULT has \"%s\"", tp_key_name((tp_key)k), got, want);
        /* nothing but the builtin origin */
        assert_int_equal(tp_resolved_norigins(r, (tp_key)k), 1);
        assert_int_equal(tp_resolved_origin(r, (tp_key)k, 0)->kind, TP_O_BUILTIN);
    }
    tp_resolved_free(br);
    tp_policy_free(b);
}

static void test_resolve_fallback_on_errors(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *policy;  /* NULL: no policy file */
        const char *dropin;  /* NULL: none */
        const char *named;   /* policy_file asked for by name, relative to root */
        tp_err want_error;
        const char *want_file; /* relative to root, or NULL for t.conf-free cases */
        int want_line;
        const char *want_msg;
    } rows[] = {
        {"bad key in the policy file", "keys = { min_rsa_bits = 3072; };\nbogus = 1;\n", NULL, NULL,
         TP_ERR_INVALID, POLICY, 2, "unknown key 'bogus'"},
        {"bad drop-in", "keys = { min_rsa_bits = 3072; };\n", "tls = { min_version = \"SSLv3\"; };\n", NULL,
         TP_ERR_INVALID, DROPIN("10-x.conf"), 1,
         "unknown TLS version 'SSLv3' in tls.min_version (known: TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3)"},
        {"syntax error in a drop-in", NULL, "keys = {\n", NULL, TP_ERR_SYNTAX, DROPIN("10-x.conf"), 2,
         "syntax error (check the end of this line or the line before for a missing ';', '=' or quote)"},
        {"unknown profile", "profile = \"MODERN\";\nkeys = { min_rsa_bits = 3072; };\n", NULL, NULL,
         TP_ERR_INVALID, POLICY, 1, "unknown profile 'MODERN' (available: DEFAULT FUTURE LEGACY)"},
        {"broken application rule",
         "keys = { min_rsa_bits = 3072; };\napplications = (\n { match = \"curl\"; mode = \"off\"; }\n);\n",
         NULL, NULL, TP_ERR_INVALID, POLICY, 3, "mode must be one of enforce, permissive, not \"off\""},
        {"named policy file missing", NULL, NULL, "etc/site.conf", TP_ERR_NOTFOUND, "etc/site.conf", 0,
         "cannot open: No such file or directory"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char *root = tt_mkdtemp();
        if (rows[i].policy)
            tt_write_free(root, POLICY, rows[i].policy);
        if (rows[i].dropin)
            tt_write_free(root, DROPIN("10-x.conf"), rows[i].dropin);
        tp_load_opts o = tt_opts(root);
        char *named = rows[i].named ? tt_path(root, rows[i].named) : NULL;
        o.policy_file = named;
        tp_err err;
        tp_policy *p = tp_policy_load(&o, &err);
        const tp_diag *d = tt_nth(p, TP_SEV_ERROR, 0);
        char *want_file = tt_path(root, rows[i].want_file);
        if (err != rows[i].want_error || d == NULL || strcmp(d->message, rows[i].want_msg) != 0 ||
            d->line != rows[i].want_line || strcmp(d->file, want_file) != 0) {
            fprintf(stderr, "case \"%s\" (err %d):\n", rows[i].name, err);
            tt_dump(p);
        }
        assert_int_equal(err, rows[i].want_error);
        assert_non_null(d);
        assert_string_equal(d->message, rows[i].want_msg);
        assert_int_equal(d->line, rows[i].want_line);
        assert_string_equal(d->file, want_file);
        assert_true(tp_policy_is_fallback(p));
        tp_resolved *r = tp_policy_resolve(p, NULL, NULL, &err);
        assert_int_equal(err, TP_OK);
        assert_true(tp_resolved_is_fallback(r));
        assert_builtin(r);
        tp_resolved_free(r);
        /* an application gets the compiled-in DEFAULT too, rules ignored */
        r = tp_policy_resolve(p, "curl", "/usr/bin/curl", &err);
        assert_true(tp_resolved_is_fallback(r));
        assert_int_equal(tp_resolved_napps(r), 0);
        assert_builtin(r);
        tp_resolved_free(r);
        tp_policy_free(p);
        free(want_file);
        free(named);
        tt_rmrf(root);
    }
}

/* No policy file in an empty root: not an error; the DEFAULT profile. */
static void test_resolve_empty_root(void **state)
{
    const char *root = *state;
    tp_err err;
    tp_policy *p = load_root(root, &err);
    assert_int_equal(err, TP_OK);
    assert_int_equal(tp_policy_ndiags(p), 0);
    assert_false(tp_policy_is_fallback(p));
    assert_null(tp_policy_file(p));
    assert_int_equal(tp_policy_ndropins(p), 0);
    tp_resolved *r = tp_policy_resolve(p, "curl", NULL, NULL);
    assert_false(tp_resolved_is_fallback(r));
    const tp_origin *o = tp_resolved_origin(r, TP_K_TLS_MIN, 1);
    assert_non_null(o);
    assert_int_equal(o->kind, TP_O_PROFILE);
    assert_string_equal(o->name, "DEFAULT");
    tp_resolved_free(r);
    tp_policy_free(p);

    /* No profiles installed either: the compiled-in DEFAULT, quietly. */
    const char *none[] = {root, NULL};
    tp_load_opts op = tt_opts(root);
    op.profile_dirs = none;
    op.modifier_dirs = none;
    p = tp_policy_load(&op, &err);
    assert_int_equal(err, TP_OK);
    assert_int_equal(tp_policy_ndiags(p), 0);
    r = tp_policy_resolve(p, NULL, NULL, NULL);
    assert_false(tp_resolved_is_fallback(r));
    assert_builtin(r);
    tp_resolved_free(r);
    tp_policy_free(p);

    /* ... but naming the DEFAULT profile then says so, with its line. */
    tt_write_free(root, POLICY, "\nprofile = \"DEFAULT\";\n");
    p = tp_policy_load(&op, &err);
    assert_int_equal(err, TP_OK);
    assert_int_equal(tp_policy_ndiags(p), 1);
    assert_int_equal(tp_policy_diag(p, 0)->severity, TP_SEV_NOTE);
    assert_int_equal(tp_policy_diag(p, 0)->line, 2);
    assert_string_equal(tp_policy_diag(p, 0)->message,
                        "profile DEFAULT.conf not found; using the compiled-in DEFAULT");
    tp_policy_free(p);
}

/* resolve on NULL (no policy at all) is the compiled-in DEFAULT. */
static void test_resolve_null_policy(void **state)
{
    (void)state;
    tp_err err = TP_ERR_ARG;
    tp_resolved *r = tp_policy_resolve(NULL, "curl", NULL, &err);
    assert_int_equal(err, TP_OK);
    assert_true(tp_resolved_is_fallback(r));
    assert_builtin(r);
    assert_null(tp_resolved_get_str(r, TP_K_VERIFY_CA_FILE));
    assert_string_equal(tp_resolved_get_str(r, TP_K_MODE), "enforce");
    assert_int_equal(tp_resolved_list_len(r, TP_K_TLS_KEX), 3);
    assert_string_equal(tp_resolved_list_item(r, TP_K_TLS_KEX, 0), "ECDHE");
    assert_null(tp_resolved_list_item(r, TP_K_TLS_KEX, 3));
    char small[4];
    assert_int_equal(tp_resolved_format(r, TP_K_TLS_GROUPS, small, sizeof(small)), -1);
    assert_int_equal(tp_resolved_format(r, TP_K__COUNT, small, sizeof(small)), -1);
    tp_resolved_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_resolve_merge_order_and_provenance, setup_root, teardown_root),
        cmocka_unit_test_setup_teardown(test_resolve_no_dropins, setup_root, teardown_root),
        cmocka_unit_test(test_resolve_app_matching),
        cmocka_unit_test_setup_teardown(test_resolve_rules_across_files, setup_root, teardown_root),
        cmocka_unit_test(test_resolve_profiles_and_modifiers),
        cmocka_unit_test(test_resolve_profile_chain),
        cmocka_unit_test(test_resolve_fallback_on_errors),
        cmocka_unit_test_setup_teardown(test_resolve_empty_root, setup_root, teardown_root),
        cmocka_unit_test(test_resolve_null_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
