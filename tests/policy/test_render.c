/*
 * test_render.c - the effective policy as OpenSSL settings and as the
 * provider's floors.
 *
 * The rendered strings are also handed to the installed OpenSSL, so a
 * spelling it does not know fails here rather than in every program.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/ssl.h>

#include "tp_test.h"

#define OSSL30 0x30000000UL
#define OSSL35 0x30500000UL

/* Resolve a policy text (system-wide). The resolved policy borrows strings
 * from its tp_policy, so the policy is kept until free_resolved(). */
static tp_policy *held;

static void free_resolved(tp_resolved *r)
{
    tp_resolved_free(r);
    tp_policy_free(held);
    held = NULL;
}

static tp_resolved *resolve_text(const char *text)
{
    tp_err err;
    tp_policy *p = tt_load_text(text, &err);
    if (err != TP_OK) {
        tt_dump(p);
        fail_msg("policy did not load: %s", text);
    }
    tp_resolved *r = tp_policy_resolve(p, NULL, NULL, &err);
    assert_non_null(r);
    assert_null(held);
    held = p;
    return r;
}

static char *render_cmd(const char *text, unsigned long ossl, const char *cmd)
{
    tp_resolved *r = resolve_text(text);
    tp_ossl_settings s;
    assert_int_equal(tp_render_ossl(r, ossl, &s), TP_OK);
    const char *v = tp_ossl_get(&s, cmd);
    char *out = v ? strdup(v) : NULL;
    tp_ossl_settings_clear(&s);
    free_resolved(r);
    return out;
}

/* The ssl_conf module strips a "prefix." from each name (conf_ssl.c), so
 * "TLS.MinProtocol" reaches SSL_CONF_cmd as "MinProtocol"; do the same. */
static int apply_cmd(SSL_CONF_CTX *cc, const char *cmd, const char *value)
{
    const char *dot = strchr(cmd, '.');
    return SSL_CONF_cmd(cc, dot ? dot + 1 : cmd, value);
}

/* ---- CipherString ------------------------------------------------------- */

static void test_render_cipherstring(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *policy;
        const char *want;
    } rows[] = {
        {"ECDHE, two AEAD ciphers",
         "tls = { key_exchange = [ \"ECDHE\" ]; ciphers = [ \"AES-256-GCM\", \"CHACHA20-POLY1305\" ];"
         " macs = [ \"AEAD\" ]; };\n",
         "@SECLEVEL=2:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
         "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"},
        {"key exchange order first, DSS never",
         "tls = { key_exchange = [ \"DHE\", \"ECDHE\" ]; ciphers = [ \"AES-128-GCM\" ]; macs = [ \"AEAD\" ]; };\n",
         "@SECLEVEL=2:DHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"},
        {"cipher order before MAC order",
         "tls = { key_exchange = [ \"RSA\" ]; ciphers = [ \"AES-128-CBC\", \"AES-256-CBC\" ];"
         " macs = [ \"HMAC-SHA1\", \"HMAC-SHA2-256\" ]; };\n",
         "@SECLEVEL=2:AES128-SHA:AES128-SHA256:AES256-SHA:AES256-SHA256"},
        {"FUTURE is level 3",
         "profile = \"FUTURE\";\ntls = { key_exchange = [ \"ECDHE\" ]; ciphers = [ \"AES-256-GCM\" ]; };\n",
         "@SECLEVEL=3:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384"},
        {"explicit level",
         "tls = { security_level = 4; key_exchange = [ \"ECDHE\" ]; ciphers = [ \"CHACHA20-POLY1305\" ]; };\n",
         "@SECLEVEL=4:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"},
        {"TLS 1.3 only: no TLS 1.2 suites",
         "tls = { min_version = \"TLSv1.3\"; ciphers = []; };\n", "@SECLEVEL=2"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char *cs = render_cmd(rows[i].policy, OSSL30, "CipherString");
        if (cs == NULL || strcmp(cs, rows[i].want) != 0)
            fprintf(stderr, "case \"%s\": got %s\n", rows[i].name, cs ? cs : "NULL");
        assert_non_null(cs);
        assert_string_equal(cs, rows[i].want);
        free(cs);
    }
}

/* TLS 1.3 suites are listed too; they are named TLS_... */
static int is_tls13(const SSL_CIPHER *c)
{
    return strncmp(SSL_CIPHER_get_name(c), "TLS_", 4) == 0;
}

/* Every entry after @SECLEVEL is one suite OpenSSL knows by that exact
 * name: an explicit list, no keywords, no '!' or '-' subtraction. */
static void check_explicit(const char *cs, size_t want_n)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    assert_non_null(ctx);
    char *copy = strdup(cs), *save = NULL;
    size_t n = 0;
    char *tok = strtok_r(copy, ":", &save);
    assert_non_null(tok);
    assert_string_equal(tok, "@SECLEVEL=2");
    SSL_CTX_set_security_level(ctx, 0);
    while ((tok = strtok_r(NULL, ":", &save)) != NULL) {
        n++;
        assert_true(tok[0] != '!' && tok[0] != '-' && tok[0] != '+' && tok[0] != '@');
        assert_int_equal(SSL_CTX_set_cipher_list(ctx, tok), 1);
        STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
        int n12 = 0;
        const char *got = NULL;
        for (int j = 0; j < sk_SSL_CIPHER_num(sk); j++) {
            const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, j);
            if (is_tls13(c))
                continue;
            n12++;
            got = SSL_CIPHER_get_name(c);
        }
        if (n12 != 1 || strcmp(got, tok) != 0)
            fail_msg("'%s' selects %d suites (last %s), not itself", tok, n12, got ? got : "-");
    }
    assert_int_equal(n, want_n);
    /* And the whole string gives exactly that many, in that order. */
    SSL_CTX_set_security_level(ctx, 2);
    assert_int_equal(SSL_CTX_set_cipher_list(ctx, cs), 1);
    STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
    size_t k = 0;
    free(copy);
    copy = strdup(cs);
    save = NULL;
    strtok_r(copy, ":", &save);
    for (int j = 0; j < sk_SSL_CIPHER_num(sk); j++) {
        const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, j);
        if (is_tls13(c))
            continue;
        tok = strtok_r(NULL, ":", &save);
        assert_non_null(tok);
        assert_string_equal(SSL_CIPHER_get_name(c), tok);
        k++;
    }
    assert_int_equal(k, want_n);
    free(copy);
    SSL_CTX_free(ctx);
}

static void test_render_default_cipherstring_is_explicit(void **state)
{
    (void)state;
    char *cs = render_cmd("", OSSL30, "CipherString");
    /* DEFAULT: 3 key exchanges x 7 ciphers x 4 MACs x ECDSA/RSA, of which
     * these 33 exist */
    assert_string_equal(
        cs, "@SECLEVEL=2:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-CCM:"
            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:"
            "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-CCM:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:"
            "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256:"
            "ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES256-GCM-SHA384:"
            "AES256-CCM:AES128-GCM-SHA256:AES128-CCM:AES256-SHA256:AES256-SHA:AES128-SHA256:AES128-SHA:"
            "DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES256-CCM:DHE-RSA-CHACHA20-POLY1305:"
            "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-CCM:DHE-RSA-AES256-SHA256:DHE-RSA-AES256-SHA:"
            "DHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA");
    check_explicit(cs, 33);
    free(cs);

    /* NO-CBC leaves only AEAD suites */
    cs = render_cmd("profile = \"DEFAULT:NO-CBC\";\n", OSSL30, "CipherString");
    assert_string_equal(
        cs, "@SECLEVEL=2:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-CCM:"
            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:"
            "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-CCM:AES256-GCM-SHA384:AES256-CCM:"
            "AES128-GCM-SHA256:AES128-CCM:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES256-CCM:"
            "DHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-CCM");
    check_explicit(cs, 17);
    free(cs);
}

/* ---- the other commands ----------------------------------------------------- */

static void test_render_protocols_and_suites13(void **state)
{
    (void)state;
    tp_resolved *r = resolve_text("");
    tp_ossl_settings s;
    assert_int_equal(tp_render_ossl(r, OSSL30, &s), TP_OK);
    /* bounds first, in this order */
    assert_true(s.ncmds >= 8);
    assert_string_equal(s.cmds[0].cmd, "TLS.MinProtocol");
    assert_string_equal(s.cmds[0].value, "TLSv1.2");
    assert_string_equal(s.cmds[1].cmd, "TLS.MaxProtocol");
    assert_string_equal(s.cmds[1].value, "TLSv1.3");
    assert_string_equal(s.cmds[2].cmd, "DTLS.MinProtocol");
    assert_string_equal(s.cmds[2].value, "DTLSv1.2");
    assert_string_equal(s.cmds[3].cmd, "DTLS.MaxProtocol");
    assert_string_equal(s.cmds[3].value, "DTLSv1.2");
    assert_string_equal(tp_ossl_get(&s, "Ciphersuites"),
                        "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:"
                        "TLS_AES_128_CCM_SHA256");
    assert_int_equal(s.security_level, 2);
    assert_null(tp_ossl_get(&s, "VerifyMode"));
    assert_null(tp_ossl_get(&s, "NoSuchCommand"));
    assert_null(tp_ossl_get(NULL, "CipherString"));
    assert_int_equal(s.verify_peer, 0);
    assert_null(s.ca_file);
    assert_null(s.ca_path);

    /* The installed OpenSSL takes every command, and the bounds land on
     * the TLS and the DTLS context separately. */
    const SSL_METHOD *methods[] = {TLS_method(), DTLS_method()};
    const int want_min[] = {TLS1_2_VERSION, DTLS1_2_VERSION};
    const int want_max[] = {TLS1_3_VERSION, DTLS1_2_VERSION};
    for (int m = 0; m < 2; m++) {
        SSL_CTX *ctx = SSL_CTX_new(methods[m]);
        SSL_CONF_CTX *cc = SSL_CONF_CTX_new();
        SSL_CONF_CTX_set_flags(cc, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_SERVER);
        SSL_CONF_CTX_set_ssl_ctx(cc, ctx);
        for (size_t i = 0; i < s.ncmds; i++)
            if (apply_cmd(cc, s.cmds[i].cmd, s.cmds[i].value) != 2)
                fail_msg("OpenSSL refuses %s = %s", s.cmds[i].cmd, s.cmds[i].value);
        assert_int_equal(SSL_CONF_CTX_finish(cc), 1);
        assert_int_equal(SSL_CTX_get_min_proto_version(ctx), want_min[m]);
        assert_int_equal(SSL_CTX_get_max_proto_version(ctx), want_max[m]);
        SSL_CONF_CTX_free(cc);
        SSL_CTX_free(ctx);
    }
    tp_ossl_settings_clear(&s);
    tp_ossl_settings_clear(&s); /* idempotent */
    assert_int_equal(s.ncmds, 0);
    free_resolved(r);

    char *v = render_cmd("profile = \"LEGACY\";\n", OSSL30, "TLS.MinProtocol");
    assert_string_equal(v, "TLSv1");
    free(v);
    v = render_cmd("profile = \"LEGACY\";\n", OSSL30, "DTLS.MinProtocol");
    assert_string_equal(v, "DTLSv1");
    free(v);
    v = render_cmd("tls = { ciphersuites = [ \"TLS_CHACHA20_POLY1305_SHA256\" ]; };\n", OSSL30, "Ciphersuites");
    assert_string_equal(v, "TLS_CHACHA20_POLY1305_SHA256");
    free(v);

    assert_int_equal(tp_render_ossl(NULL, 0, &s), TP_ERR_ARG);
}

static void test_render_groups(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *policy;
        unsigned long ossl;
        const char *want;
    } rows[] = {
        {"DEFAULT on 3.0: no ML-KEM", "", OSSL30,
         "x25519:secp256r1:x448:secp521r1:secp384r1:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"},
        {"DEFAULT on 3.5", "", OSSL35,
         "X25519MLKEM768:x25519:secp256r1:x448:secp521r1:secp384r1:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:"
         "ffdhe8192"},
        {"DEFAULT, newest", "", 0,
         "X25519MLKEM768:x25519:secp256r1:x448:secp521r1:secp384r1:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:"
         "ffdhe8192"},
        {"DH floor drops small FFDHE", "keys = { min_dh_bits = 4096; };\n", OSSL30,
         "x25519:secp256r1:x448:secp521r1:secp384r1:ffdhe4096:ffdhe6144:ffdhe8192"},
        {"EC floor drops small curves", "keys = { min_ec_bits = 384; };\n", OSSL30,
         "x448:secp521r1:secp384r1:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"},
        {"policy order kept", "tls = { groups = [ \"secp384r1\", \"X25519\" ]; };\n", OSSL30, "secp384r1:x25519"},
        {"FUTURE", "profile = \"FUTURE\";\n", OSSL30,
         "x25519:secp256r1:x448:secp521r1:secp384r1:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char *g = render_cmd(rows[i].policy, rows[i].ossl, "Groups");
        if (g == NULL || strcmp(g, rows[i].want) != 0)
            fprintf(stderr, "case \"%s\": got %s\n", rows[i].name, g ? g : "NULL");
        assert_non_null(g);
        assert_string_equal(g, rows[i].want);
        if (rows[i].ossl == OSSL30) {
            SSL_CTX *ctx = SSL_CTX_new(TLS_method());
            assert_int_equal(SSL_CTX_set1_groups_list(ctx, g), 1);
            SSL_CTX_free(ctx);
        }
        free(g);
    }
}

#define DEF_SIGALGS                                                                              \
    "ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:ecdsa_secp521r1_sha512:ed25519:ed448:"        \
    "rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:rsa_pss_rsae_sha256:"              \
    "rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pkcs1_sha256:rsa_pkcs1_sha384:rsa_pkcs1_sha512"

static void test_render_sigalgs(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *policy;
        const char *want;
    } rows[] = {
        {"DEFAULT", "", DEF_SIGALGS},
        {"LEGACY allows SHA-1", "profile = \"LEGACY\";\n", DEF_SIGALGS ":ECDSA+SHA1:rsa_pkcs1_sha1"},
        {"forbidden hash filters without touching the list",
         "profile = \"LEGACY\";\nsignatures = { forbidden_hashes = [ \"SHA1+\" ]; };\n", DEF_SIGALGS},
        {"NO-SHA1 modifier", "profile = \"LEGACY:NO-SHA1\";\n", DEF_SIGALGS},
        {"SHA2-256 forbidden",
         "signatures = { forbidden_hashes = [ \"SHA2-256+\" ]; };\n",
         "ecdsa_secp384r1_sha384:ecdsa_secp521r1_sha512:ed25519:ed448:rsa_pss_pss_sha384:rsa_pss_pss_sha512:"
         "rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pkcs1_sha384:rsa_pkcs1_sha512"},
        {"EC floor drops P-256 ECDSA", "keys = { min_ec_bits = 384; };\n",
         "ecdsa_secp384r1_sha384:ecdsa_secp521r1_sha512:ed25519:ed448:"
         "rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:rsa_pss_rsae_sha256:"
         "rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pkcs1_sha256:rsa_pkcs1_sha384:rsa_pkcs1_sha512"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char *v = render_cmd(rows[i].policy, OSSL30, "SignatureAlgorithms");
        if (v == NULL || strcmp(v, rows[i].want) != 0)
            fprintf(stderr, "case \"%s\": got %s\n", rows[i].name, v ? v : "NULL");
        assert_non_null(v);
        assert_string_equal(v, rows[i].want);
        assert_null(strstr(v, "MD5"));
        SSL_CTX *ctx = SSL_CTX_new(TLS_method());
        assert_int_equal(SSL_CTX_set1_sigalgs_list(ctx, v), 1);
        SSL_CTX_free(ctx);
        free(v);
    }
}

static void test_render_verify(void **state)
{
    (void)state;
    tp_resolved *r = resolve_text("verify = {\n peer = \"required\";\n ca_file = \"/etc/ssl/ca.pem\";\n"
                                  " ca_path = \"/etc/ssl/certs\";\n};\n");
    tp_ossl_settings s;
    assert_int_equal(tp_render_ossl(r, OSSL30, &s), TP_OK);
    assert_string_equal(tp_ossl_get(&s, "VerifyMode"), "Peer");
    assert_int_equal(s.verify_peer, 2);
    assert_string_equal(s.ca_file, "/etc/ssl/ca.pem");
    assert_string_equal(s.ca_path, "/etc/ssl/certs");
    /* system_default refuses VerifyCAFile/VerifyCAPath: not rendered */
    assert_null(tp_ossl_get(&s, "VerifyCAFile"));
    assert_null(tp_ossl_get(&s, "VerifyCAPath"));
    tp_ossl_settings_clear(&s);
    assert_null(s.ca_file);
    free_resolved(r);

    r = resolve_text("verify = { peer = \"required\"; };\n");
    assert_int_equal(tp_render_ossl(r, OSSL30, &s), TP_OK);
    assert_string_equal(tp_ossl_get(&s, "VerifyMode"), "Peer");
    assert_null(s.ca_file);
    assert_null(s.ca_path);
    tp_ossl_settings_clear(&s);
    free_resolved(r);
}

static void test_render_security_level(void **state)
{
    (void)state;
    static const struct {
        const char *policy;
        int want;
    } rows[] = {
        {"", 2},
        {"profile = \"FUTURE\";\n", 3},
        {"profile = \"LEGACY\";\n", 0},
        {"profile = \"LEGACY:NO-SHA1\";\n", 0},                 /* TLS 1.0 still allowed */
        {"profile = \"LEGACY:NO-SHA1:TLS13-ONLY\";\nkeys = { min_rsa_bits = 2048; min_dh_bits = 2048; };\n", 2},
        {"keys = { min_rsa_bits = 8192; min_dh_bits = 7680; };\n", 4},
        {"keys = { min_dh_bits = 1024; };\n", 1},
        {"keys = { min_rsa_bits = 512; };\n", 0},
        {"signatures = { forbidden_hashes = [ \"-SHA1\" ]; };\n", 0},
        {"tls = { security_level = 1; };\n", 1},
        {"tls = { security_level = 5; };\n", 5},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        tp_resolved *r = resolve_text(rows[i].policy);
        tp_ossl_settings s;
        assert_int_equal(tp_render_ossl(r, OSSL30, &s), TP_OK);
        if (s.security_level != rows[i].want)
            fprintf(stderr, "policy \"%s\": level %d\n", rows[i].policy, s.security_level);
        assert_int_equal(s.security_level, rows[i].want);
        char want[32];
        snprintf(want, sizeof(want), "@SECLEVEL=%d", rows[i].want);
        assert_memory_equal(tp_ossl_get(&s, "CipherString"), want, strlen(want));
        tp_ossl_settings_clear(&s);
        free_resolved(r);
    }
}

/* ---- floors -------------------------------------------------------------- */

#define ALL_WITHHELD (TP_C_RC4 | TP_C_DES | TP_C_3DES | TP_C_NULL | TP_C_RC2 | TP_C_IDEA | TP_C_SEED)

static void test_render_floors(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *policy;
        int permissive, min_tls, min_dtls;
        uint32_t hashes, ciphers;
        int rsa, dh, dsa, ec;
        size_t ngroups;
        uint16_t groups[12];
    } rows[] = {
        {"DEFAULT", "", 0, 0x0303, 0xFEFD, TP_H_MD5 | TP_H_SHA1 | TP_H_MD5_SHA1, ALL_WITHHELD, 2048, 2048, 2048,
         256, 11, {0x11EC, 0x001D, 0x0017, 0x001E, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104}},
        {"LEGACY", "profile = \"LEGACY\";\n", 0, 0x0301, 0xFEFF, TP_H_MD5, ALL_WITHHELD & ~TP_C_3DES, 1024, 1024,
         1024, 256, 11, {0x11EC, 0x001D, 0x0017, 0x001E, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104}},
        {"FUTURE", "profile = \"FUTURE\";\n", 0, 0x0303, 0xFEFD,
         TP_H_MD5 | TP_H_SHA1 | TP_H_SHA224 | TP_H_MD5_SHA1, ALL_WITHHELD, 3072, 3072, 3072, 256, 10,
         {0x11EC, 0x001D, 0x0017, 0x001E, 0x0019, 0x0018, 0x0101, 0x0102, 0x0103, 0x0104}},
        {"permissive, TLS 1.3, DTLS 1.0",
         "mode = \"permissive\";\ntls = { min_version = \"TLSv1.3\"; };\n"
         "dtls = { min_version = \"DTLSv1.0\"; };\n", 1, 0x0304, 0xFEFF, TP_H_MD5 | TP_H_SHA1, ALL_WITHHELD,
         2048, 2048, 2048, 256, 11,
         {0x11EC, 0x001D, 0x0017, 0x001E, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104}},
        {"key floors filter groups",
         "keys = { min_ec_bits = 384; min_dh_bits = 8192; min_rsa_bits = 4096; min_dsa_bits = 3072; };\n", 0,
         0x0303, 0xFEFD, TP_H_MD5 | TP_H_SHA1 | TP_H_MD5_SHA1, ALL_WITHHELD, 4096, 8192, 3072, 384, 4,
         {0x001E, 0x0019, 0x0018, 0x0104}},
        {"listing a withheld cipher releases it",
         "tls = { ciphers = [ \"NULL+\", \"RC4-128+\" ]; };\n", 0, 0x0303, 0xFEFD,
         TP_H_MD5 | TP_H_SHA1 | TP_H_MD5_SHA1, ALL_WITHHELD & ~(TP_C_NULL | TP_C_RC4), 2048, 2048, 2048, 256,
         11, {0x11EC, 0x001D, 0x0017, 0x001E, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104}},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        tp_resolved *r = resolve_text(rows[i].policy);
        tp_floors f;
        memset(&f, 0xA5, sizeof(f));
        assert_int_equal(tp_render_floors(r, &f), TP_OK);
        assert_int_equal(f.permissive, rows[i].permissive);
        assert_int_equal(f.min_tls, rows[i].min_tls);
        assert_int_equal(f.min_dtls, rows[i].min_dtls);
        assert_int_equal(f.forbidden_hashes, rows[i].hashes);
        assert_int_equal(f.forbidden_ciphers, rows[i].ciphers);
        assert_int_equal(f.min_rsa_bits, rows[i].rsa);
        assert_int_equal(f.min_dh_bits, rows[i].dh);
        assert_int_equal(f.min_dsa_bits, rows[i].dsa);
        assert_int_equal(f.min_ec_bits, rows[i].ec);
        assert_int_equal(f.ngroups, rows[i].ngroups);
        for (size_t g = 0; g < f.ngroups; g++)
            assert_int_equal(f.groups[g], rows[i].groups[g]);
        free_resolved(r);
    }
    tp_floors f;
    assert_int_equal(tp_render_floors(NULL, &f), TP_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_cipherstring),
        cmocka_unit_test(test_render_default_cipherstring_is_explicit),
        cmocka_unit_test(test_render_protocols_and_suites13),
        cmocka_unit_test(test_render_groups),
        cmocka_unit_test(test_render_sigalgs),
        cmocka_unit_test(test_render_verify),
        cmocka_unit_test(test_render_security_level),
        cmocka_unit_test(test_render_floors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
