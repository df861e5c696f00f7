/*
 * test_render_gnutls.c - the policy as a GnuTLS system configuration
 * (render_gnutls.c), from a list of names given as input: no GnuTLS needed.
 * tests/gnutls/test_gnutls_names.c checks the names against the installed
 * GnuTLS; tests/gnutls/test_gnutls.py the effect on real programs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tp_test.h"

typedef struct rendered {
    tp_policy *p;
    tp_resolved *r;
    tp_gnutls_conf c;
} rendered;

static void render_with(rendered *x, const char *text, const tp_gnutls_names *in)
{
    tp_err err;
    x->p = tt_load_text(text, &err);
    assert_non_null(x->p);
    assert_int_equal(tp_policy_nerrors(x->p), 0);
    x->r = tp_policy_resolve(x->p, NULL, NULL, &err);
    assert_non_null(x->r);
    assert_int_equal(tp_render_gnutls(x->r, in, &x->c), TP_OK);
}

static void render(rendered *x, const char *text)
{
    tp_gnutls_names in;
    tp_gnutls_static_names(&in);
    render_with(x, text, &in);
}

static void done(rendered *x)
{
    tp_gnutls_conf_clear(&x->c);
    tp_resolved_free(x->r);
    tp_policy_free(x->p);
}

static int has(const rendered *x, tp_gnutls_key k, const char *v)
{
    for (size_t i = 0; i < x->c.nvalues[k]; i++)
        if (strcmp(x->c.values[k][i], v) == 0)
            return 1;
    return 0;
}

typedef struct row {
    tp_gnutls_key key;
    const char *value;
    int present;
} row;

static void check_rows(const rendered *x, const row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (has(x, rows[i].key, rows[i].value) != rows[i].present)
            fail_msg("%s = %s: expected %s", tp_gnutls_key_name(rows[i].key), rows[i].value,
                     rows[i].present ? "present" : "absent");
    }
}

static void test_render_gnutls_default(void **state)
{
    (void)state;
    static const row rows[] = {
        {TP_GK_DISABLED_VERSION, "TLS1.0", 1}, {TP_GK_DISABLED_VERSION, "TLS1.1", 1},
        {TP_GK_DISABLED_VERSION, "DTLS0.9", 1}, {TP_GK_DISABLED_VERSION, "DTLS1.0", 1},
        {TP_GK_DISABLED_VERSION, "TLS1.2", 0}, {TP_GK_DISABLED_VERSION, "TLS1.3", 0},
        {TP_GK_DISABLED_VERSION, "DTLS1.2", 0},
        {TP_GK_TLS_DISABLED_CIPHER, "CAMELLIA-128-CBC", 1},
        {TP_GK_TLS_DISABLED_CIPHER, "ARCFOUR-128", 1}, {TP_GK_TLS_DISABLED_CIPHER, "3DES-CBC", 1},
        {TP_GK_TLS_DISABLED_CIPHER, "AES-128-CCM-8", 1}, {TP_GK_TLS_DISABLED_CIPHER, "NULL", 1},
        {TP_GK_TLS_DISABLED_CIPHER, "AES-192-GCM", 1},
        {TP_GK_TLS_DISABLED_CIPHER, "AES-256-GCM", 0}, {TP_GK_TLS_DISABLED_CIPHER, "AES-128-CBC", 0},
        {TP_GK_TLS_DISABLED_CIPHER, "CHACHA20-POLY1305", 0},
        {TP_GK_TLS_DISABLED_MAC, "MD5", 1}, {TP_GK_TLS_DISABLED_MAC, "UMAC-96", 1},
        {TP_GK_TLS_DISABLED_MAC, "SHA1", 0}, {TP_GK_TLS_DISABLED_MAC, "AEAD", 0},
        {TP_GK_TLS_DISABLED_KX, "PSK", 1}, {TP_GK_TLS_DISABLED_KX, "DHE-DSS", 1},
        {TP_GK_TLS_DISABLED_KX, "ANON-DH", 1}, {TP_GK_TLS_DISABLED_KX, "SRP", 1},
        {TP_GK_TLS_DISABLED_KX, "RSA", 0}, {TP_GK_TLS_DISABLED_KX, "ECDHE-RSA", 0},
        {TP_GK_TLS_DISABLED_KX, "DHE-RSA", 0},
        {TP_GK_TLS_DISABLED_GROUP, "GROUP-SECP192R1", 1},
        {TP_GK_TLS_DISABLED_GROUP, "GROUP-GC256B", 1},
        {TP_GK_TLS_DISABLED_GROUP, "GROUP-X25519", 0},
        {TP_GK_TLS_DISABLED_GROUP, "GROUP-FFDHE2048", 0},
        {TP_GK_DISABLED_CURVE, "SECP192R1", 1}, {TP_GK_DISABLED_CURVE, "CryptoPro-A", 1},
        {TP_GK_DISABLED_CURVE, "SECP256R1", 0}, {TP_GK_DISABLED_CURVE, "Ed25519", 0},
        {TP_GK_INSECURE_HASH, "SHA1", 1}, {TP_GK_INSECURE_HASH, "MD5", 1},
        {TP_GK_INSECURE_HASH, "SHA256", 0}, {TP_GK_INSECURE_HASH, "SHA224", 0},
        {TP_GK_INSECURE_SIG, "RSA-SHA1", 1}, {TP_GK_INSECURE_SIG, "ECDSA-SHA1", 1},
        {TP_GK_INSECURE_SIG, "DSA-SHA1", 1}, {TP_GK_INSECURE_SIG, "RSA-MD5", 1},
        {TP_GK_INSECURE_SIG, "RSA-SHA256", 0},
        {TP_GK_INSECURE_SIG_FOR_CERT, "RSA-SHA1", 1},
        {TP_GK_INSECURE_SIG_FOR_CERT, "ECDSA-SHA256", 0},
    };
    rendered x;
    render(&x, "profile = \"DEFAULT\";\n");
    check_rows(&x, rows, sizeof(rows) / sizeof(rows[0]));
    assert_string_equal(x.c.profile, "medium");
    /* the policy's order: TLS 1.3 first, AES-256-GCM first, X25519 first */
    assert_non_null(strstr(x.c.priority, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:"
                                         "+VERS-DTLS1.2:-CIPHER-ALL:+AES-256-GCM:"));
    assert_non_null(strstr(x.c.priority, "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:"));
    assert_null(strstr(x.c.priority, "SIGN-RSA-SHA1"));
    assert_null(strstr(x.c.priority, "CAMELLIA"));
    /* RSA-SHA1 is listed twice by GnuTLS: written once */
    size_t n = 0;
    for (size_t i = 0; i < x.c.nvalues[TP_GK_INSECURE_SIG]; i++)
        n += strcmp(x.c.values[TP_GK_INSECURE_SIG][i], "RSA-SHA1") == 0;
    assert_int_equal(n, 1);

    char *text = tp_gnutls_conf_text(&x.c, "unit test");
    assert_non_null(text);
    assert_memory_equal(text, TP_GNUTLS_MARKER "\n", strlen(TP_GNUTLS_MARKER) + 1);
    assert_non_null(strstr(text, "\n[global]\noverride-mode = blocklist\n\n[overrides]\n"));
    assert_non_null(strstr(text, "\nmin-verification-profile = medium\n"));
    assert_non_null(strstr(text, "\ndisabled-version = TLS1.0\n"));
    assert_non_null(strstr(text, "\ntls-disabled-group = GROUP-SECP192R1\n"));
    assert_non_null(strstr(text, "exact key sizes are not expressible"));
    assert_non_null(strstr(text, "# Names checked against: unit test\n"));
    free(text);
    done(&x);
}

static void test_render_gnutls_future(void **state)
{
    (void)state;
    static const row rows[] = {
        {TP_GK_TLS_DISABLED_CIPHER, "AES-128-GCM", 1},
        {TP_GK_TLS_DISABLED_CIPHER, "AES-256-CBC", 1},
        {TP_GK_TLS_DISABLED_CIPHER, "AES-256-GCM", 0},
        {TP_GK_TLS_DISABLED_MAC, "SHA1", 1}, {TP_GK_TLS_DISABLED_MAC, "AEAD", 0},
        {TP_GK_TLS_DISABLED_KX, "RSA", 1}, {TP_GK_TLS_DISABLED_KX, "ECDHE-ECDSA", 0},
        {TP_GK_TLS_DISABLED_GROUP, "GROUP-FFDHE2048", 1},
        {TP_GK_TLS_DISABLED_GROUP, "GROUP-FFDHE3072", 0},
        {TP_GK_INSECURE_HASH, "SHA224", 1}, {TP_GK_INSECURE_SIG, "RSA-SHA224", 1},
    };
    rendered x;
    render(&x, "profile = \"FUTURE\";\n");
    check_rows(&x, rows, sizeof(rows) / sizeof(rows[0]));
    assert_string_equal(x.c.profile, "high");
    done(&x);
}

static void test_render_gnutls_modifiers(void **state)
{
    (void)state;
    static const row nocbc[] = {
        {TP_GK_TLS_DISABLED_CIPHER, "AES-128-CBC", 1}, {TP_GK_TLS_DISABLED_CIPHER, "AES-256-CBC", 1},
        {TP_GK_TLS_DISABLED_MAC, "SHA1", 1}, {TP_GK_TLS_DISABLED_MAC, "SHA256", 1},
        {TP_GK_TLS_DISABLED_MAC, "AEAD", 0},
    };
    rendered x;
    render(&x, "profile = \"DEFAULT:NO-CBC\";\n");
    check_rows(&x, nocbc, sizeof(nocbc) / sizeof(nocbc[0]));
    done(&x);

    static const row tls13[] = {
        {TP_GK_DISABLED_VERSION, "TLS1.2", 1}, {TP_GK_DISABLED_VERSION, "TLS1.3", 0},
    };
    render(&x, "profile = \"DEFAULT:TLS13-ONLY\";\n");
    check_rows(&x, tls13, sizeof(tls13) / sizeof(tls13[0]));
    assert_non_null(strstr(x.c.priority, "-VERS-ALL:+VERS-TLS1.3:+VERS-DTLS1.2:"));
    done(&x);
}

/* Key floors map to the highest profile not stricter than the policy. */
static void test_render_gnutls_profile(void **state)
{
    (void)state;
    static const struct {
        int bits;
        const char *want; /* NULL: none written */
    } rows[] = {
        {512, NULL}, {1024, "low"}, {1536, "low"}, {2048, "medium"}, {2560, "medium"},
        {3072, "high"}, {4096, "high"}, {8192, "ultra"}, {16384, "future"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text),
                 "profile = \"DEFAULT\";\nkeys = { min_rsa_bits = %d; min_dh_bits = %d; "
                 "min_dsa_bits = %d; };\n", rows[i].bits, rows[i].bits, rows[i].bits);
        rendered x;
        render(&x, text);
        if (rows[i].want == NULL)
            assert_null(x.c.profile);
        else if (x.c.profile == NULL || strcmp(x.c.profile, rows[i].want) != 0)
            fail_msg("%d bits: profile %s, want %s", rows[i].bits,
                     x.c.profile ? x.c.profile : "(none)", rows[i].want);
        done(&x);
    }
}

/* Only installed names are written; installed names we do not know are
 * disabled (versions, ciphers...) or left alone (signatures, hashes). */
static void test_render_gnutls_installed(void **state)
{
    (void)state;
    static const char *const versions[] = {"TLS1.2", "TLS1.3", "TLS9.9"};
    static const char *const ciphers[] = {"AES-256-GCM", "NEW-CIPHER-1"};
    static const char *const signs[] = {"RSA-SHA256", "NEW-SIG-SHA1"};
    static const char *const hashes[] = {"SHA256"};
    tp_gnutls_names in;
    memset(&in, 0, sizeof(in));
    in.names[TP_GT_VERSION] = versions, in.n[TP_GT_VERSION] = 3;
    in.names[TP_GT_CIPHER] = ciphers, in.n[TP_GT_CIPHER] = 2;
    in.names[TP_GT_SIGN] = signs, in.n[TP_GT_SIGN] = 2;
    in.names[TP_GT_HASH] = hashes, in.n[TP_GT_HASH] = 1;
    rendered x;
    render_with(&x, "profile = \"DEFAULT\";\n", &in);
    assert_int_equal(x.c.nvalues[TP_GK_DISABLED_VERSION], 1);
    assert_string_equal(x.c.values[TP_GK_DISABLED_VERSION][0], "TLS9.9");
    assert_int_equal(x.c.nvalues[TP_GK_TLS_DISABLED_CIPHER], 1);
    assert_string_equal(x.c.values[TP_GK_TLS_DISABLED_CIPHER][0], "NEW-CIPHER-1");
    assert_int_equal(x.c.nvalues[TP_GK_INSECURE_SIG], 0);  /* SHA1 sigs not installed */
    assert_int_equal(x.c.nvalues[TP_GK_INSECURE_HASH], 0); /* SHA1/MD5 not installed */
    assert_int_equal(x.c.nvalues[TP_GK_TLS_DISABLED_MAC], 0);
    assert_string_equal(x.c.priority, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:"
                                      "-CIPHER-ALL:+AES-256-GCM:-MAC-ALL:-KX-ALL:-GROUP-ALL:"
                                      "-SIGN-ALL:+SIGN-RSA-SHA256");
    done(&x);
}

static void test_render_gnutls_notes(void **state)
{
    (void)state;
    rendered x;
    render(&x, "profile = \"DEFAULT\";\nverify = { peer = \"required\"; };\n"
               "mode = \"permissive\";\n");
    int peer = 0, perm = 0;
    for (size_t i = 0; i < x.c.nnotes; i++) {
        peer |= strstr(x.c.notes[i], "verify.peer = required") != NULL;
        perm |= strstr(x.c.notes[i], "mode = permissive") != NULL;
    }
    assert_true(peer && perm);
    done(&x);
}

/* Every GnuTLS name we map stands for a name of the policy language. */
static void test_render_gnutls_ours(void **state)
{
    (void)state;
    static const tp_name_kind kinds[TP_GT__COUNT] = {
        TP_N_VERSION, TP_N_CIPHER, TP_N_MAC, TP_N_KEX, TP_N_GROUP, TP_N_GROUP, TP_N_SIGALG,
        TP_N_HASH};
    tp_gnutls_names in;
    tp_gnutls_static_names(&in);
    size_t mapped = 0;
    for (int k = 0; k < TP_GT__COUNT; k++)
        for (size_t i = 0; i < in.n[k]; i++) {
            const char *ours = tp_gnutls_ours((tp_gnutls_kind)k, in.names[k][i]);
            if (ours == NULL)
                continue;
            mapped++;
            tp_name_kind nk = kinds[k];
            if (k == TP_GT_CURVE && strncmp(in.names[k][i], "Ed", 2) == 0)
                nk = TP_N_SIGALG;
            if (tp_name_canonical(nk, ours) == NULL)
                fail_msg("%s %s maps to %s, unknown to the policy language",
                         tp_gnutls_kind_name((tp_gnutls_kind)k), in.names[k][i], ours);
        }
    assert_true(mapped > 60);
    assert_string_equal(tp_gnutls_ours(TP_GT_CIPHER, "ARCFOUR-128"), "RC4-128");
    assert_null(tp_gnutls_ours(TP_GT_KX, "DHE-DSS"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_gnutls_default),
        cmocka_unit_test(test_render_gnutls_future),
        cmocka_unit_test(test_render_gnutls_modifiers),
        cmocka_unit_test(test_render_gnutls_profile),
        cmocka_unit_test(test_render_gnutls_installed),
        cmocka_unit_test(test_render_gnutls_notes),
        cmocka_unit_test(test_render_gnutls_ours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
