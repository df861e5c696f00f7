/*
 * test_names.c - the name tables: lookups, and that every OpenSSL spelling
 * and IANA code point holds on the installed OpenSSL.
 *
 * Links libssl only (no libcrypto symbol is used), so the version checked
 * against is the one of the headers, OPENSSL_VERSION_NUMBER.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/obj_mac.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include "names.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define LIB_VERSION ((unsigned long)OPENSSL_VERSION_NUMBER)

static const tp_name_kind all_kinds[] = {
    TP_N_VERSION, TP_N_CIPHERSUITE, TP_N_CIPHER, TP_N_KEX,
    TP_N_MAC,     TP_N_GROUP,       TP_N_SIGALG, TP_N_HASH,
};

/* ---- (a) lookups ---------------------------------------------------------- */

static const struct {
    tp_name_kind kind;
    const char *in;
    const char *want; /* NULL: unknown */
} lookup_rows[] = {
    { TP_N_VERSION, "TLSv1.2", "TLSv1.2" },
    { TP_N_VERSION, "tlsv1.2", "TLSv1.2" },
    { TP_N_VERSION, "TLSv1", "TLSv1.0" },
    { TP_N_VERSION, "TLS1", "TLSv1.0" },
    { TP_N_VERSION, "tls1.0", "TLSv1.0" },
    { TP_N_VERSION, "1.0", "TLSv1.0" },
    { TP_N_VERSION, "1.3", "TLSv1.3" },
    { TP_N_VERSION, "TLS1_1", "TLSv1.1" },
    { TP_N_VERSION, "DTLSv1", "DTLSv1.0" },
    { TP_N_VERSION, "dtls1.2", "DTLSv1.2" },
    { TP_N_VERSION, "SSLv3", NULL },
    { TP_N_VERSION, "TLSv1.4", NULL },
    { TP_N_VERSION, "TLS", NULL },
    { TP_N_VERSION, "", NULL },
    { TP_N_CIPHERSUITE, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384" },
    { TP_N_CIPHERSUITE, "tls_aes_128_gcm_sha256", "TLS_AES_128_GCM_SHA256" },
    { TP_N_CIPHERSUITE, "TLS13-CHACHA20-POLY1305-SHA256", "TLS_CHACHA20_POLY1305_SHA256" },
    { TP_N_CIPHERSUITE, "TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_8_SHA256" },
    { TP_N_CIPHERSUITE, "AES256-GCM-SHA384", NULL }, /* a TLS 1.2 suite */
    { TP_N_CIPHERSUITE, "TLS_AES_256_GCM", NULL },
    { TP_N_CIPHER, "AES-256-GCM", "AES-256-GCM" },
    { TP_N_CIPHER, "aes-128-cbc", "AES-128-CBC" },
    { TP_N_CIPHER, "chacha20-poly1305", "CHACHA20-POLY1305" },
    { TP_N_CIPHER, "3DES", "3DES-CBC" },
    { TP_N_CIPHER, "RC4", "RC4-128" },
    { TP_N_CIPHER, "null", "NULL" },
    { TP_N_CIPHER, "AES-128-CCM8", "AES-128-CCM8" },
    { TP_N_CIPHER, "ECDHE-RSA-AES128-GCM-SHA256", NULL }, /* suite, not family */
    { TP_N_CIPHER, "AES", NULL },
    { TP_N_CIPHER, "AES-256", NULL },
    { TP_N_KEX, "ECDHE", "ECDHE" },
    { TP_N_KEX, "EDH", "DHE" },
    { TP_N_KEX, "kRSA", "RSA" },
    { TP_N_KEX, "ecdhe-psk", "ECDHE-PSK" },
    { TP_N_KEX, "ECDHE-RSA", NULL },
    { TP_N_MAC, "AEAD", "AEAD" },
    { TP_N_MAC, "SHA256", "HMAC-SHA2-256" },
    { TP_N_MAC, "hmac-sha1", "HMAC-SHA1" },
    { TP_N_MAC, "HMAC-SHA512", NULL },
    { TP_N_HASH, "SHA1", "SHA1" },
    { TP_N_HASH, "SHA-1", "SHA1" },
    { TP_N_HASH, "sha224", "SHA2-224" },
    { TP_N_HASH, "SHA-224", "SHA2-224" },
    { TP_N_HASH, "SHA2-256", "SHA2-256" },
    { TP_N_HASH, "sha3-512", "SHA3-512" },
    { TP_N_HASH, "MD5", "MD5" },
    { TP_N_HASH, "SHA2", NULL },
    { TP_N_HASH, "MD4", NULL },
    { TP_N_GROUP, "X25519", "X25519" },
    { TP_N_GROUP, "x25519", "X25519" },
    { TP_N_GROUP, "P-256", "secp256r1" },
    { TP_N_GROUP, "prime256v1", "secp256r1" },
    { TP_N_GROUP, "SECP384R1", "secp384r1" },
    { TP_N_GROUP, "ffdhe3072", "ffdhe3072" },
    { TP_N_GROUP, "x25519mlkem768", "X25519MLKEM768" },
    { TP_N_GROUP, "brainpoolP256r1tls13", "brainpoolP256r1tls13" },
    { TP_N_GROUP, "secp256k1", NULL },
    { TP_N_GROUP, "ffdhe1024", NULL },
    { TP_N_SIGALG, "ecdsa_secp256r1_sha256", "ecdsa_secp256r1_sha256" },
    { TP_N_SIGALG, "ECDSA+SHA256", "ecdsa_secp256r1_sha256" },
    { TP_N_SIGALG, "ECDSA+SHA1", "ecdsa_sha1" },
    { TP_N_SIGALG, "RSA-PSS+SHA256", "rsa_pss_rsae_sha256" },
    { TP_N_SIGALG, "RSA+SHA1", "rsa_pkcs1_sha1" },
    { TP_N_SIGALG, "ED25519", "ed25519" },
    { TP_N_SIGALG, "ecdsa_brainpoolP256r1_sha256", "ecdsa_brainpoolP256r1tls13_sha256" },
    { TP_N_SIGALG, "ML-DSA-65", "mldsa65" },
    { TP_N_SIGALG, "rsa_pkcs1_md5", NULL },
    { TP_N_SIGALG, "ecdsa", NULL },
};

static void test_names_lookup_rows(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(lookup_rows); i++) {
        const char *got = tp_name_canonical(lookup_rows[i].kind, lookup_rows[i].in);

        if (lookup_rows[i].want == NULL) {
            if (got != NULL)
                fail_msg("kind %d \"%s\": want unknown, got \"%s\"",
                         lookup_rows[i].kind, lookup_rows[i].in, got);
        } else {
            if (got == NULL || strcmp(got, lookup_rows[i].want) != 0)
                fail_msg("kind %d \"%s\": want \"%s\", got \"%s\"",
                         lookup_rows[i].kind, lookup_rows[i].in,
                         lookup_rows[i].want, got ? got : "(null)");
        }
    }
    for (i = 0; i < NELEM(all_kinds); i++) {
        assert_null(tp_name_canonical(all_kinds[i], NULL));
        assert_null(tp_name_canonical(all_kinds[i], ""));
        assert_null(tp_name_canonical(all_kinds[i], " "));
        assert_null(tp_name_at(all_kinds[i], tp_name_count(all_kinds[i])));
    }
    assert_null(tp_name_canonical((tp_name_kind)99, "TLSv1.2"));
    assert_int_equal(tp_name_count((tp_name_kind)99), 0);
    assert_null(tp_name_at((tp_name_kind)99, 0));
}

static void to_case(char *dst, const char *src, size_t cap, int upper)
{
    size_t i;

    for (i = 0; src[i] != '\0' && i + 1 < cap; i++) {
        char c = src[i];

        if (upper && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!upper && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        dst[i] = c;
    }
    dst[i] = '\0';
}

/* Every spelling of every entry leads back to that entry and to no other
 * (so no alias is shared), in any case. */
static void check_spelling(tp_name_kind kind, const char *canon, const char *spelling)
{
    char buf[128];
    const char *got;
    int c;

    for (c = 0; c < 3; c++) {
        if (c == 0)
            snprintf(buf, sizeof(buf), "%s", spelling);
        else
            to_case(buf, spelling, sizeof(buf), c == 1);
        got = tp_name_canonical(kind, buf);
        if (got != canon)
            fail_msg("kind %d: \"%s\" gives \"%s\", want \"%s\"", kind, buf,
                     got ? got : "(null)", canon);
    }
}

static void test_names_every_alias(void **state)
{
    size_t k, i;

    (void)state;
    for (k = 0; k < NELEM(all_kinds); k++) {
        tp_name_kind kind = all_kinds[k];
        size_t n = tp_name_count(kind);

        assert_true(n > 0);
        for (i = 0; i < n; i++) {
            const char *canon = tp_name_at(kind, i);
            const char *o = tp_name_openssl(kind, canon);

            assert_non_null(canon);
            check_spelling(kind, canon, canon);
            if (o != NULL)
                check_spelling(kind, canon, o);
            assert_true(tp_name_min_openssl(kind, canon) >= TP_OSSL_3_0);
        }
    }
    /* aliases, kind by kind, straight from the tables */
#define ALIASES(kind, tbl, n, namef)                                             \
    for (i = 0; i < (n); i++) {                                                  \
        const char *a = (tbl)[i].aliases;                                        \
        while (a != NULL && *a != '\0') {                                        \
            char one[64];                                                        \
            size_t len = strcspn(a, " ");                                        \
            int used = 0;                                                        \
            assert_true(len > 0 && len < sizeof(one));                           \
            memcpy(one, a, len);                                                 \
            one[len] = '\0';                                                     \
            check_spelling((kind), (tbl)[i].namef, one);                         \
            assert_true(tp_name_matches(one, (tbl)[i].namef, (tbl)[i].aliases, &used)); \
            assert_int_equal(used, 1);                                           \
            a += len;                                                            \
            a += strspn(a, " ");                                                 \
        }                                                                        \
    }
    ALIASES(TP_N_VERSION, tp_versions, tp_nversions, name)
    ALIASES(TP_N_CIPHERSUITE, tp_suites13, tp_nsuites13, iana)
    ALIASES(TP_N_CIPHER, tp_ciphers, tp_nciphers, name)
    ALIASES(TP_N_KEX, tp_kexes, tp_nkexes, name)
    ALIASES(TP_N_MAC, tp_macs, tp_nmacs, name)
    ALIASES(TP_N_HASH, tp_hashes, tp_nhashes, name)
    ALIASES(TP_N_GROUP, tp_groups, tp_ngroups, iana)
    ALIASES(TP_N_SIGALG, tp_sigalgs, tp_nsigalgs, iana)
#undef ALIASES
}

static void test_names_matches(void **state)
{
    int used = 7;

    (void)state;
    assert_true(tp_name_matches("tlsv1.2", "TLSv1.2", "TLS1.2 1.2", &used));
    assert_int_equal(used, 0);
    assert_true(tp_name_matches("1.2", "TLSv1.2", "TLS1.2 1.2", &used));
    assert_int_equal(used, 1);
    assert_false(tp_name_matches("1", "TLSv1.2", "TLS1.2 1.2", &used));
    assert_false(tp_name_matches("TLS1.2 1.2", "TLSv1.2", "TLS1.2 1.2", NULL));
    assert_false(tp_name_matches("", "TLSv1.2", "TLS1.2  1.2 ", NULL));
    assert_true(tp_name_matches("1.2", "TLSv1.2", "TLS1.2  1.2 ", NULL));
    assert_false(tp_name_matches("x", "TLSv1.2", NULL, &used));
    assert_false(tp_name_matches(NULL, "TLSv1.2", NULL, NULL));
}

static void test_names_openssl_and_versions(void **state)
{
    const tp_vername *v;

    (void)state;
    assert_string_equal(tp_name_openssl(TP_N_VERSION, "TLSv1.0"), "TLSv1");
    assert_string_equal(tp_name_openssl(TP_N_VERSION, "TLSv1.1"), "TLSv1.1");
    assert_string_equal(tp_name_openssl(TP_N_VERSION, "TLSv1.3"), "TLSv1.3");
    assert_string_equal(tp_name_openssl(TP_N_VERSION, "DTLSv1.0"), "DTLSv1");
    assert_string_equal(tp_name_openssl(TP_N_VERSION, "DTLSv1.2"), "DTLSv1.2");
    assert_string_equal(tp_name_openssl(TP_N_GROUP, "X25519"), "x25519");
    assert_string_equal(tp_name_openssl(TP_N_GROUP, "secp256r1"), "secp256r1");
    assert_string_equal(tp_name_openssl(TP_N_SIGALG, "ecdsa_sha1"), "ECDSA+SHA1");
    assert_string_equal(tp_name_openssl(TP_N_CIPHERSUITE, "TLS_AES_128_GCM_SHA256"),
                        "TLS_AES_128_GCM_SHA256");
    assert_string_equal(tp_name_openssl(TP_N_HASH, "SHA2-256"), "SHA2-256");
    assert_null(tp_name_openssl(TP_N_CIPHER, "AES-256-GCM"));
    assert_null(tp_name_openssl(TP_N_GROUP, "nonsense"));

    assert_int_equal(tp_name_min_openssl(TP_N_GROUP, "X25519MLKEM768"), TP_OSSL_3_5);
    assert_int_equal(tp_name_min_openssl(TP_N_GROUP, "brainpoolP384r1tls13"), TP_OSSL_3_2);
    assert_int_equal(tp_name_min_openssl(TP_N_GROUP, "secp256r1"), TP_OSSL_3_0);
    assert_int_equal(tp_name_min_openssl(TP_N_SIGALG, "mldsa44"), TP_OSSL_3_5);
    assert_int_equal(tp_name_min_openssl(TP_N_VERSION, "TLSv1.3"), TP_OSSL_3_0);
    assert_int_equal(tp_name_min_openssl(TP_N_CIPHER, "AES-128-GCM"), TP_OSSL_3_0);
    assert_int_equal(tp_name_min_openssl(TP_N_GROUP, "nonsense"), 0);

    assert_string_equal(tp_version_name(0x0303), "TLSv1.2");
    assert_string_equal(tp_version_name(TP_V_TLS1_0), "TLSv1.0");
    assert_string_equal(tp_version_name(0xFEFD), "DTLSv1.2");
    assert_string_equal(tp_version_name(TP_V_DTLS1_0), "DTLSv1.0");
    assert_null(tp_version_name(0x0300));
    assert_null(tp_version_name(0));
    assert_null(tp_version_name(-1));

    v = tp_version_find("tls1");
    assert_non_null(v);
    assert_int_equal(v->version, TP_V_TLS1_0);
    assert_int_equal(v->dtls, 0);
    v = tp_version_find("DTLSv1");
    assert_non_null(v);
    assert_int_equal(v->version, TP_V_DTLS1_0);
    assert_int_equal(v->dtls, 1);
    assert_null(tp_version_find("SSLv3"));

    /* the finders take canonical names (any case) and give table rows */
    assert_ptr_equal(tp_group_find("x25519"), &tp_groups[0]);
    assert_null(tp_group_find("P-256"));
    assert_non_null(tp_sigalg_find("RSA_PSS_RSAE_SHA256"));
    assert_null(tp_sigalg_find("ECDSA+SHA256"));
    assert_non_null(tp_suite13_find("TLS_AES_128_CCM_SHA256"));
    assert_non_null(tp_family_find(TP_N_KEX, "DHE"));
    assert_null(tp_family_find(TP_N_KEX, "EDH"));
    assert_null(tp_family_find(TP_N_GROUP, "X25519"));
    assert_int_equal(tp_family_find(TP_N_HASH, "SHA1")->bits, TP_H_SHA1);
    assert_int_equal(tp_family_find(TP_N_CIPHER, "3DES-CBC")->bits, TP_C_3DES);
    assert_int_equal(tp_family_find(TP_N_CIPHER, "AES-128-CBC")->bits, 0);
}

/* Internal consistency: families referenced exist, ids unique, bits sane. */
static int is_family(tp_name_kind kind, const char *name)
{
    const tp_family *f = tp_family_find(kind, name);

    return f != NULL && strcmp(f->name, name) == 0;
}

static void test_names_tables_consistent(void **state)
{
    static const char *const auths[] = { "RSA", "ECDSA", "DSS", "PSK" };
    static const char *const keys[] = { "RSA", "RSA-PSS", "EC", "ED25519",
                                        "ED448", "DSA", "ML-DSA" };
    uint32_t seen = 0;
    size_t i, j;

    (void)state;
    for (i = 0; i < tp_nsuites12; i++) {
        const tp_suite12 *s = &tp_suites12[i];
        int ok = 0;

        if (!is_family(TP_N_KEX, s->kex) || !is_family(TP_N_CIPHER, s->cipher) ||
            !is_family(TP_N_MAC, s->mac))
            fail_msg("%s: family not in the tables", s->openssl);
        for (j = 0; j < NELEM(auths); j++)
            ok |= strcmp(s->auth, auths[j]) == 0;
        assert_true(ok);
        assert_true(s->min_version == TP_V_TLS1_0 || s->min_version == TP_V_TLS1_2);
        /* AEAD and SHA-2 MAC suites need TLS 1.2 unless OpenSSL says otherwise
         * (the PSK SHA-2 suites of RFC 5487 work from TLS 1.0) */
        if (strcmp(s->mac, "AEAD") == 0)
            assert_int_equal(s->min_version, TP_V_TLS1_2);
        assert_true(strncmp(s->iana, "TLS_", 4) == 0);
        for (j = i + 1; j < tp_nsuites12; j++) {
            if (s->id == tp_suites12[j].id || strcasecmp(s->openssl, tp_suites12[j].openssl) == 0)
                fail_msg("duplicate suite %s / %s", s->openssl, tp_suites12[j].openssl);
        }
    }
    for (i = 0; i < tp_nsuites13; i++) {
        assert_true(is_family(TP_N_CIPHER, tp_suites13[i].cipher));
        assert_int_equal(tp_suites13[i].id >> 8, 0x13);
    }
    for (i = 0; i < tp_nhashes; i++) {
        uint32_t b = tp_hashes[i].bits;

        assert_true(b != 0 && (b & (b - 1)) == 0 && (b & seen) == 0 && b != TP_H_MD5_SHA1);
        seen |= b;
    }
    for (i = 0; i < tp_nciphers; i++) {
        uint32_t b = tp_ciphers[i].bits;

        assert_true((b & (b - 1)) == 0);
        assert_non_null(tp_ciphers[i].doc);
    }
    for (i = 0; i < tp_ngroups; i++) {
        const tp_group *g = &tp_groups[i];

        assert_non_null(g->openssl);
        assert_true(g->min_openssl >= TP_OSSL_3_0);
        assert_true(g->kind == TP_G_PQ ? g->bits == 0 : g->bits >= 256);
        for (j = i + 1; j < tp_ngroups; j++)
            assert_int_not_equal(g->id, tp_groups[j].id);
    }
    for (i = 0; i < tp_nsigalgs; i++) {
        const tp_sigalg *s = &tp_sigalgs[i];
        int ok = 0;

        assert_non_null(s->openssl);
        for (j = 0; j < NELEM(keys); j++)
            ok |= strcmp(s->key, keys[j]) == 0;
        assert_true(ok);
        /* the hash is one of the table's, or intrinsic (EdDSA, ML-DSA) */
        ok = s->hash == 0;
        for (j = 0; j < tp_nhashes; j++)
            ok |= s->hash == tp_hashes[j].bits;
        assert_true(ok);
        assert_true(strcmp(s->key, "EC") == 0 || s->curve_bits == 0);
        for (j = i + 1; j < tp_nsigalgs; j++)
            assert_int_not_equal(s->id, tp_sigalgs[j].id);
    }
}

/* ---- (b) live: the installed OpenSSL ---------------------------------------- */

static SSL_CTX *new_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    assert_non_null(ctx);
    SSL_CTX_set_security_level(ctx, 0);
    assert_int_equal(SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION), 1);
    return ctx;
}

/*
 * Start a handshake on a socketpair and capture the ClientHello record, so
 * that the code points really sent can be read. Returns its length, or 0 if
 * libssl sent nothing.
 */
static size_t client_hello(SSL_CTX *ctx, unsigned char *buf, size_t cap)
{
    int sv[2];
    SSL *ssl;
    ssize_t n;
    size_t len = 0;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
    assert_int_equal(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
    ssl = SSL_new(ctx);
    assert_non_null(ssl);
    assert_int_equal(SSL_set_fd(ssl, sv[0]), 1);
    if (SSL_connect(ssl) == -1 && SSL_get_error(ssl, -1) == SSL_ERROR_WANT_READ) {
        while (len < cap && (n = read(sv[1], buf + len, cap - len)) > 0)
            len += (size_t)n;
    }
    SSL_free(ssl);
    close(sv[0]);
    close(sv[1]);
    return len;
}

static unsigned get16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* The body of extension `type` in a ClientHello record, or NULL. */
static const unsigned char *find_ext(const unsigned char *b, size_t len,
                                     unsigned type, size_t *ext_len)
{
    size_t p = 5 + 4 + 2 + 32, end;

    if (len < p + 1 || b[0] != 22 || b[5] != 1)
        return NULL;
    p += 1 + b[p];                       /* session id */
    if (p + 2 > len)
        return NULL;
    p += 2 + get16(b + p);               /* cipher suites */
    if (p + 1 > len)
        return NULL;
    p += 1 + b[p];                       /* compression */
    if (p + 2 > len)
        return NULL;
    end = p + 2 + get16(b + p);
    if (end > len)
        return NULL;
    for (p += 2; p + 4 <= end; p += 4 + get16(b + p + 2)) {
        if (get16(b + p) == type && p + 4 + get16(b + p + 2) <= end) {
            *ext_len = get16(b + p + 2);
            return b + p + 4;
        }
    }
    return NULL;
}

/* The single code point a one-entry list extension carries (supported_groups
 * 10, signature_algorithms 13), or -1. */
static long sent_code_point(SSL_CTX *ctx, unsigned ext)
{
    unsigned char buf[16384];
    size_t len = client_hello(ctx, buf, sizeof(buf)), elen = 0;
    const unsigned char *e = find_ext(buf, len, ext, &elen);

    if (e == NULL || elen != 4 || get16(e) != 2)
        return -1;
    return (long)get16(e + 2);
}

static void test_names_live_groups(void **state)
{
    size_t i, checked = 0;

    (void)state;
    for (i = 0; i < tp_ngroups; i++) {
        const tp_group *g = &tp_groups[i];
        SSL_CTX *ctx = new_ctx();
        int ok = (int)SSL_CTX_set1_groups_list(ctx, g->openssl);
        long cp;

        if (g->min_openssl > LIB_VERSION) {
            /* if this OpenSSL knows it already, min_openssl is wrong */
            if (ok == 1)
                fail_msg("group %s (\"%s\") accepted by an OpenSSL older than its min_openssl",
                         g->iana, g->openssl);
            SSL_CTX_free(ctx);
            continue;
        }
        if (ok != 1)
            fail_msg("group %s: OpenSSL refuses \"%s\"", g->iana, g->openssl);
        /* the IANA code point on the wire; TLS 1.2-only groups (brainpool
         * of RFC 7027) give no TLS 1.3 key share, so retry capped at 1.2 */
        cp = sent_code_point(ctx, 10);
        if (cp < 0) {
            assert_int_equal(SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION), 1);
            cp = sent_code_point(ctx, 10);
        }
        if (cp != g->id)
            fail_msg("group %s: sent 0x%04lx, table says 0x%04x", g->iana,
                     (unsigned long)cp, g->id);
        checked++;
        SSL_CTX_free(ctx);
    }
    print_message("groups: %zu of %zu checked on the wire\n", checked, tp_ngroups);
}

static void test_names_live_sigalgs(void **state)
{
    size_t i, checked = 0;

    (void)state;
    for (i = 0; i < tp_nsigalgs; i++) {
        const tp_sigalg *s = &tp_sigalgs[i];
        SSL_CTX *ctx = new_ctx();
        int ok = (int)SSL_CTX_set1_sigalgs_list(ctx, s->openssl);
        long cp;

        if (s->min_openssl > LIB_VERSION) {
            if (ok == 1)
                fail_msg("sigalg %s (\"%s\") accepted by an OpenSSL older than its min_openssl",
                         s->iana, s->openssl);
            SSL_CTX_free(ctx);
            continue;
        }
        if (ok != 1)
            fail_msg("sigalg %s: OpenSSL refuses \"%s\"", s->iana, s->openssl);
        /* TLS 1.2-only schemes are not offered by a TLS 1.3 client alone,
         * but are by one that can fall back to 1.2 (min 1.0 here) */
        cp = sent_code_point(ctx, 13);
        if (cp < 0) {
            assert_int_equal(SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION), 1);
            cp = sent_code_point(ctx, 13);
        }
        if (cp != s->id)
            fail_msg("sigalg %s: sent 0x%04lx, table says 0x%04x", s->iana,
                     (unsigned long)cp, s->id);
        checked++;
        SSL_CTX_free(ctx);
    }
    print_message("sigalgs: %zu of %zu checked on the wire\n", checked, tp_nsigalgs);
}

static const struct { const char *name; int nid; } kx_nids[] = {
    { "ECDHE", NID_kx_ecdhe }, { "DHE", NID_kx_dhe }, { "RSA", NID_kx_rsa },
    { "PSK", NID_kx_psk }, { "ECDHE-PSK", NID_kx_ecdhe_psk },
    { "DHE-PSK", NID_kx_dhe_psk }, { "RSA-PSK", NID_kx_rsa_psk },
}, auth_nids[] = {
    { "RSA", NID_auth_rsa }, { "ECDSA", NID_auth_ecdsa },
    { "DSS", NID_auth_dss }, { "PSK", NID_auth_psk },
}, cipher_nids[] = {
    { "AES-256-GCM", NID_aes_256_gcm }, { "AES-128-GCM", NID_aes_128_gcm },
    { "CHACHA20-POLY1305", NID_chacha20_poly1305 },
    { "AES-256-CCM", NID_aes_256_ccm }, { "AES-128-CCM", NID_aes_128_ccm },
    { "AES-256-CCM8", NID_aes_256_ccm }, { "AES-128-CCM8", NID_aes_128_ccm },
    { "AES-256-CBC", NID_aes_256_cbc }, { "AES-128-CBC", NID_aes_128_cbc },
    { "CAMELLIA-256-CBC", NID_camellia_256_cbc },
    { "CAMELLIA-128-CBC", NID_camellia_128_cbc },
    { "ARIA-256-GCM", NID_aria_256_gcm }, { "ARIA-128-GCM", NID_aria_128_gcm },
    { "3DES-CBC", NID_des_ede3_cbc }, { "NULL", NID_undef },
}, mac_nids[] = {
    { "AEAD", NID_undef }, { "HMAC-SHA1", NID_sha1 },
    { "HMAC-SHA2-256", NID_sha256 }, { "HMAC-SHA2-384", NID_sha384 },
    { "HMAC-MD5", NID_md5 },
}, version_names[] = {
    /* SSL_CIPHER_get_version(): the lowest protocol of the suite */
    { "SSLv3", TP_V_TLS1_0 }, { "TLSv1.0", TP_V_TLS1_0 }, { "TLSv1.2", TP_V_TLS1_2 },
};

#define NID_OF(tbl, family) nid_of((tbl), NELEM(tbl), (family))
static int nid_of(const void *tbl, size_t n, const char *family)
{
    const struct { const char *name; int nid; } *t = tbl;
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(t[i].name, family) == 0)
            return t[i].nid;
    fail_msg("no NID for family %s in the test", family);
    return -1;
}

static const tp_suite12 *suite12_by_id(unsigned id)
{
    size_t i;

    for (i = 0; i < tp_nsuites12; i++)
        if (tp_suites12[i].id == id)
            return &tp_suites12[i];
    return NULL;
}

static void test_names_live_suites12(void **state)
{
    size_t i, checked = 0, skipped = 0;

    (void)state;
    for (i = 0; i < tp_nsuites12; i++) {
        const tp_suite12 *s = &tp_suites12[i];
        SSL_CTX *ctx = new_ctx();
        char list[128];
        unsigned char idb[2] = { (unsigned char)(s->id >> 8), (unsigned char)s->id };
        const SSL_CIPHER *c;
        const char *v;
        SSL *ssl;

        assert_int_equal(SSL_CTX_set_ciphersuites(ctx, ""), 1);
        snprintf(list, sizeof(list), "%s:@SECLEVEL=0", s->openssl);
        if (SSL_CTX_set_cipher_list(ctx, list) != 1) {
            /* withheld families (3DES) are absent from default builds */
            if (tp_family_find(TP_N_CIPHER, s->cipher)->bits == 0)
                fail_msg("suite %s refused by OpenSSL", s->openssl);
            skipped++;
            SSL_CTX_free(ctx);
            continue;
        }
        ssl = SSL_new(ctx);
        assert_non_null(ssl);
        assert_non_null(SSL_get_cipher_list(ssl, 0));
        assert_string_equal(SSL_get_cipher_list(ssl, 0), s->openssl);
        assert_null(SSL_get_cipher_list(ssl, 1));
        c = SSL_CIPHER_find(ssl, idb);
        if (c == NULL)
            fail_msg("suite %s: no cipher with id 0x%04x", s->openssl, s->id);
        assert_int_equal(SSL_CIPHER_get_protocol_id(c), s->id);
        assert_string_equal(SSL_CIPHER_get_name(c), s->openssl);
        assert_string_equal(SSL_CIPHER_standard_name(c), s->iana);
        if (SSL_CIPHER_get_kx_nid(c) != NID_OF(kx_nids, s->kex) ||
            SSL_CIPHER_get_auth_nid(c) != NID_OF(auth_nids, s->auth) ||
            SSL_CIPHER_get_cipher_nid(c) != NID_OF(cipher_nids, s->cipher) ||
            SSL_CIPHER_get_digest_nid(c) != NID_OF(mac_nids, s->mac))
            fail_msg("suite %s: kex/auth/cipher/mac differ from OpenSSL's", s->openssl);
        /* CCM8 and CCM share a NID: the IANA name tells them apart */
        assert_int_equal(strstr(s->iana, "CCM_8") != NULL,
                         strstr(s->cipher, "CCM8") != NULL);
        assert_int_equal(SSL_CIPHER_is_aead(c), strcmp(s->mac, "AEAD") == 0);
        v = SSL_CIPHER_get_version(c);
        if (NID_OF(version_names, v) != s->min_version)
            fail_msg("suite %s: OpenSSL says %s", s->openssl, v);
        SSL_free(ssl);
        SSL_CTX_free(ctx);
        checked++;
    }
    print_message("TLS 1.2 suites: %zu checked, %zu absent from this build (3DES)\n",
                  checked, skipped);
    assert_true(checked > 100);
}

/* Left out of tp_suites12 on purpose. */
static int out_of_scope(const SSL_CIPHER *c)
{
    int kx = SSL_CIPHER_get_kx_nid(c), au = SSL_CIPHER_get_auth_nid(c);
    int ci = SSL_CIPHER_get_cipher_nid(c);

    return kx == NID_kx_srp || kx == NID_kx_gost || kx == NID_kx_gost18 ||
           au == NID_auth_null || au == NID_auth_srp || au == NID_auth_gost01 ||
           au == NID_auth_gost12 ||
           /* weak-cipher builds: families the table names but carries no
            * suites for (withheld by the provider anyway) */
           ci == NID_rc4 || ci == NID_des_cbc || ci == NID_idea_cbc ||
           ci == NID_seed_cbc || ci == NID_rc2_cbc;
}

static void test_names_live_suites_complete(void **state)
{
    SSL_CTX *ctx = new_ctx();
    const char *skipped_names[256];
    size_t nskipped = 0, intable = 0;
    unsigned id;
    SSL *ssl;
    int i;

    (void)state;
    ssl = SSL_new(ctx);
    assert_non_null(ssl);
    /* every cipher this libssl has, by code point */
    for (id = 0; id <= 0xFFFF; id++) {
        unsigned char b[2] = { (unsigned char)(id >> 8), (unsigned char)id };
        const SSL_CIPHER *c = SSL_CIPHER_find(ssl, b);
        const tp_suite12 *s;
        int kx;

        if (c == NULL)
            continue;
        kx = SSL_CIPHER_get_kx_nid(c);
        if (kx == NID_undef || (kx == NID_kx_any && id >> 8 != 0x13))
            continue;                   /* signalling values (SCSV) */
        if (kx == NID_kx_any) {         /* TLS 1.3 */
            if (tp_suite13_find(SSL_CIPHER_get_name(c)) == NULL)
                fail_msg("TLS 1.3 suite %s missing from tp_suites13", SSL_CIPHER_get_name(c));
            continue;
        }
        if (out_of_scope(c)) {
            assert_true(nskipped < NELEM(skipped_names));
            skipped_names[nskipped++] = SSL_CIPHER_get_name(c);
            continue;
        }
        s = suite12_by_id(id);
        if (s == NULL || strcmp(s->openssl, SSL_CIPHER_get_name(c)) != 0)
            fail_msg("suite %s (0x%04x) missing from tp_suites12", SSL_CIPHER_get_name(c), id);
        intable++;
    }
    SSL_free(ssl);

    /* and everything ALL:COMPLEMENTOFALL gives */
    assert_int_equal(SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0"), 1);
    ssl = SSL_new(ctx);
    assert_non_null(ssl);
    for (i = 0; SSL_get_cipher_list(ssl, i) != NULL; i++) {
        const char *name = SSL_get_cipher_list(ssl, i);
        size_t j;
        int found = tp_suite13_find(name) != NULL;

        for (j = 0; !found && j < tp_nsuites12; j++)
            found = strcmp(tp_suites12[j].openssl, name) == 0;
        for (j = 0; !found && j < nskipped; j++)
            found = strcmp(skipped_names[j], name) == 0;
        if (!found)
            fail_msg("%s (from ALL:COMPLEMENTOFALL) is in no table", name);
    }
    print_message("libssl: %zu TLS 1.2 suites in the table, %zu out of scope, %d in ALL:COMPLEMENTOFALL\n",
                  intable, nskipped, i);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void test_names_live_suites13(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < tp_nsuites13; i++) {
        const tp_suite13 *s = &tp_suites13[i];
        unsigned char idb[2] = { (unsigned char)(s->id >> 8), (unsigned char)s->id };
        SSL_CTX *ctx = new_ctx();
        const SSL_CIPHER *c;
        SSL *ssl;

        if (SSL_CTX_set_ciphersuites(ctx, s->iana) != 1)
            fail_msg("TLS 1.3 suite %s refused", s->iana);
        assert_string_equal(tp_name_openssl(TP_N_CIPHERSUITE, s->iana), s->iana);
        ssl = SSL_new(ctx);
        assert_non_null(ssl);
        assert_string_equal(SSL_get_cipher_list(ssl, 0), s->iana);
        c = SSL_CIPHER_find(ssl, idb);
        assert_non_null(c);
        assert_string_equal(SSL_CIPHER_get_name(c), s->iana);
        assert_int_equal(SSL_CIPHER_get_protocol_id(c), s->id);
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    }
}

/* The names show prints for floor bits are the policy's own: each hash and
 * withheld cipher bit names its family, which parses back to that bit. */
static void test_names_bit_names(void **state)
{
    (void)state;
    assert_string_equal(tp_hash_bit_name(TP_H_SHA256), "SHA2-256");
    assert_string_equal(tp_hash_bit_name(TP_H_MD5_SHA1), "MD5-SHA1");
    assert_string_equal(tp_cipher_bit_name(TP_C_3DES), "3DES-CBC");
    assert_null(tp_hash_bit_name(1u << 31));
    assert_null(tp_cipher_bit_name(0));
    for (size_t i = 0; i < tp_nhashes; i++)
        assert_string_equal(tp_hash_bit_name(tp_hashes[i].bits), tp_hashes[i].name);
    for (uint32_t b = 1; b != 0 && b <= TP_C_SEED; b <<= 1) {
        const char *n = tp_cipher_bit_name(b);
        assert_non_null(n);
        int found = 0;
        for (size_t i = 0; i < tp_nciphers; i++)
            if (strcmp(tp_ciphers[i].name, n) == 0 && tp_ciphers[i].bits == b)
                found = 1;
        assert_true(found);
    }
}

/* ---- (e) the public row interface (tlspolicy.h), as the CLI and the module
 * use it: the same rows as the tables ---------------------------------------- */

static void test_names_public_rows(void **state)
{
    (void)state;
    tp_name_info n;

    for (size_t i = 0; i < tp_ngroups; i++) {
        assert_int_equal(tp_name_info_at(TP_N_GROUP, i, &n), 0);
        assert_string_equal(n.name, tp_groups[i].iana);
        assert_string_equal(n.openssl, tp_groups[i].openssl);
        assert_int_equal(n.id, tp_groups[i].id);
        assert_int_equal(n.bits, tp_groups[i].bits);
        assert_int_equal(n.min_openssl, tp_groups[i].min_openssl);
        assert_string_equal(tp_name_by_id(TP_N_GROUP, n.id), tp_groups[i].iana);
        /* RFC 8446 4.2.7: of the old EC code points TLS 1.3 keeps the NIST three */
        int bp12 = strncmp(n.name, "brainpoolP", 10) == 0 && strstr(n.name, "tls13") == NULL;
        assert_int_equal(n.tls12_only, bp12);
    }
    assert_int_equal(tp_name_info_at(TP_N_GROUP, tp_ngroups, &n), -1);
    for (size_t i = 0; i < tp_nsigalgs; i++) {
        assert_int_equal(tp_name_info_at(TP_N_SIGALG, i, &n), 0);
        assert_string_equal(n.openssl, tp_sigalgs[i].openssl);
        assert_string_equal(tp_name_by_id(TP_N_SIGALG, tp_sigalgs[i].id), tp_sigalgs[i].iana);
    }
    for (size_t i = 0; i < tp_nsuites13; i++)
        assert_string_equal(tp_name_by_id(TP_N_CIPHERSUITE, tp_suites13[i].id), tp_suites13[i].iana);
    assert_string_equal(tp_name_by_id(TP_N_VERSION, 0x0303), "TLSv1.2");
    assert_string_equal(tp_name_by_id(TP_N_SIGALG, 0x0804), "rsa_pss_rsae_sha256");
    assert_null(tp_name_by_id(TP_N_GROUP, 0x0017 + 0x1000));
    assert_null(tp_name_by_id(TP_N_CIPHER, 0));
    assert_null(tp_name_by_id((tp_name_kind)99, 29));

    /* any spelling, as tp_name_canonical; "TLSv1" is OpenSSL's for 1.0 */
    assert_int_equal(tp_name_info_find(TP_N_VERSION, "TLSv1", &n), 0);
    assert_int_equal(n.id, 0x0301);
    assert_int_equal(tp_name_info_find(TP_N_GROUP, "P-256", &n), 0);
    assert_string_equal(n.name, "secp256r1");
    assert_int_equal(n.tls12_only, 0);
    assert_int_equal(tp_name_info_find(TP_N_GROUP, "secp224r1", &n), -1);
    /* lists as the module reads them: OpenSSL's spellings, any case, in order */
    uint16_t ids[4] = {0};
    assert_int_equal(tp_name_ids(TP_N_GROUP, 1, "X25519:P-256:SECP384R1:nope:ffdhe2048", ids, 3),
                     3);
    assert_int_equal(ids[0], 29);
    assert_int_equal(ids[1], 24); /* "P-256" skipped: an alias, not OpenSSL's spelling */
    assert_int_equal(ids[2], 256);
    assert_int_equal(tp_name_ids(TP_N_SIGALG, 1, "ECDSA+SHA224:rsa_pss_rsae_sha256", ids, 4), 2);
    assert_int_equal(ids[0], 0x0303);
    assert_int_equal(ids[1], 0x0804);
    assert_int_equal(tp_name_ids(TP_N_CIPHERSUITE, 0, "tls_aes_128_gcm_sha256", ids, 4), 1);
    assert_int_equal(ids[0], 0x1301);
    assert_int_equal(tp_name_ids(TP_N_GROUP, 0, "", ids, 4), 0);
    assert_int_equal(tp_name_ids((tp_name_kind)99, 0, "X25519", ids, 4), 0);
    assert_int_equal(tp_name_info_find(TP_N_CIPHER, "AES-128-GCM", &n), 0);
    assert_null(n.openssl);
    assert_int_equal(n.id, 0);
}

static void test_names_public_suites12(void **state)
{
    (void)state;
    tp_suite12_info s;
    char all[8192] = "";
    uint16_t ids[256];

    assert_int_equal(tp_suite12_by_id(0xC02F, &s), 0);
    assert_string_equal(s.openssl, "ECDHE-RSA-AES128-GCM-SHA256");
    assert_string_equal(s.kex, "ECDHE");
    assert_string_equal(s.auth, "RSA");
    assert_string_equal(s.cipher, "AES-128-GCM");
    assert_string_equal(s.mac, "AEAD");
    assert_int_equal(s.min_version, TP_V_TLS1_2);
    assert_int_equal(tp_suite12_by_id(0x1301, &s), -1); /* a TLS 1.3 suite */

    /* every name of the table, through the hash; order kept */
    for (size_t i = 0; i < tp_nsuites12; i++) {
        assert_int_equal(tp_suite12_by_id(tp_suites12[i].id, &s), 0);
        assert_string_equal(s.iana, tp_suites12[i].iana);
        strcat(all, i ? ":" : "");
        strcat(all, tp_suites12[i].openssl);
    }
    assert_true(tp_nsuites12 <= NELEM(ids));
    assert_int_equal(tp_suite12_ids(all, ids, NELEM(ids)), tp_nsuites12);
    for (size_t i = 0; i < tp_nsuites12; i++)
        assert_int_equal(ids[i], tp_suites12[i].id);

    /* other items skipped, case as OpenSSL's, at most max written */
    const char *l = "@SECLEVEL=2:ECDHE-RSA-AES128-GCM-SHA256:!aNULL:ecdhe-rsa-aes256-gcm-sha384"
                    "::bogus:AES256-SHA";
    memset(ids, 0, sizeof(ids));
    assert_int_equal(tp_suite12_ids(l, ids, 1), 2);
    assert_int_equal(ids[0], 0xC02F);
    assert_int_equal(ids[1], 0);
    assert_int_equal(tp_suite12_ids(l, ids, NELEM(ids)), 2);
    assert_int_equal(ids[1], 0x0035);
    assert_int_equal(tp_suite12_ids("", ids, NELEM(ids)), 0);
    assert_int_equal(tp_suite12_ids(NULL, ids, NELEM(ids)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_lookup_rows),
        cmocka_unit_test(test_names_every_alias),
        cmocka_unit_test(test_names_matches),
        cmocka_unit_test(test_names_openssl_and_versions),
        cmocka_unit_test(test_names_tables_consistent),
        cmocka_unit_test(test_names_bit_names),
        cmocka_unit_test(test_names_live_groups),
        cmocka_unit_test(test_names_live_sigalgs),
        cmocka_unit_test(test_names_live_suites12),
        cmocka_unit_test(test_names_live_suites_complete),
        cmocka_unit_test(test_names_live_suites13),
        cmocka_unit_test(test_names_public_rows),
        cmocka_unit_test(test_names_public_suites12),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
