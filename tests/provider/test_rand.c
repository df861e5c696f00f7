/*
 * test_rand.c - random generators under the module (issue 14).
 *
 * A DRBG made through the provider fetches its cipher or digest in the
 * program's own library context (the private one would build a whole
 * cipher table just to seed it), and the private context's own generator,
 * which the default provider's code draws from, is a HASH-DRBG. What a
 * program sees must not change: its generators are the ones it asked for
 * (CTR-DRBG over AES-256-CTR by default, HASH- and HMAC-DRBG when set),
 * come from the module, produce bytes, reseed, and key generation works;
 * in the default context and in a second one that loads the module by path.
 *
 * usage: test_rand MODULE.so
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "tpt.h"

static int failures;

#define CHECK(cond, what) do { \
        if (cond) { printf("ok   %s\n", what); } \
        else { printf("FAIL %s\n", what); ERR_print_errors_fp(stdout); failures++; } \
        ERR_clear_error(); \
    } while (0)

/* The public generator of ctx: its type, provider and, for CTR-DRBG, its
 * cipher; then bytes from it, from the private one, and a reseed. */
static void check_drbg(OSSL_LIB_CTX *ctx, const char *where, const char *type,
                       const char *provname, const char *cipher)
{
    EVP_RAND_CTX *pub = RAND_get0_public(ctx);
    const EVP_RAND *r = pub != NULL ? EVP_RAND_CTX_get0_rand(pub) : NULL;
    const OSSL_PROVIDER *prov = r != NULL ? EVP_RAND_get0_provider(r) : NULL;
    unsigned char a[64] = { 0 }, b[64] = { 0 }, zero[64] = { 0 };
    char what[256], got[64] = "";
    OSSL_PARAM params[2];

    snprintf(what, sizeof(what), "%s: public generator is %s from %s "
             "(got %s from %s)", where, type, provname,
             r != NULL ? EVP_RAND_get0_name(r) : "none",
             prov != NULL ? OSSL_PROVIDER_get0_name(prov) : "none");
    CHECK(r != NULL && EVP_RAND_is_a(r, type) && prov != NULL
          && strcmp(OSSL_PROVIDER_get0_name(prov), provname) == 0, what);
    if (cipher != NULL) {
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_CIPHER,
                                                     got, sizeof(got));
        params[1] = OSSL_PARAM_construct_end();
        snprintf(what, sizeof(what), "%s: its cipher is %s", where, cipher);
        CHECK(pub != NULL && EVP_RAND_CTX_get_params(pub, params)
              && strcmp(got, cipher) == 0, what);
    }
    snprintf(what, sizeof(what), "%s: RAND_bytes and RAND_priv_bytes give "
             "two different non-zero blocks", where);
    CHECK(RAND_bytes_ex(ctx, a, sizeof(a), 0) == 1
          && RAND_priv_bytes_ex(ctx, b, sizeof(b), 0) == 1
          && memcmp(a, zero, sizeof(a)) != 0 && memcmp(a, b, sizeof(a)) != 0,
          what);
    snprintf(what, sizeof(what), "%s: the primary generator reseeds", where);
    CHECK(EVP_RAND_reseed(RAND_get0_primary(ctx), 1, NULL, 0, NULL, 0) == 1,
          what);
}

/* Key generation: the default provider's code draws from the private
 * context's generator. */
static void check_keygen(OSSL_LIB_CTX *ctx, const char *where)
{
    EVP_PKEY *x = EVP_PKEY_Q_keygen(ctx, NULL, "X25519");
    EVP_PKEY *e = EVP_PKEY_Q_keygen(ctx, NULL, "EC", "P-256");
    char what[256];

    snprintf(what, sizeof(what), "%s: X25519 and P-256 keys generated", where);
    CHECK(x != NULL && e != NULL, what);
    EVP_PKEY_free(x);
    EVP_PKEY_free(e);
}

static OSSL_LIB_CTX *second(const char *module, OSSL_PROVIDER **p,
                            const char *type, const char *digest)
{
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();

    *p = ctx != NULL ? OSSL_PROVIDER_load(ctx, module) : NULL;
    if (*p == NULL)
        return ctx;
    if (type != NULL && !RAND_set_DRBG_type(ctx, type, NULL, NULL, digest))
        printf("FAIL RAND_set_DRBG_type(%s)\n", type), failures++;
    return ctx;
}

int main(int argc, char **argv)
{
    static const struct { const char *type, *digest; } types[] = {
        { NULL, NULL }, { "HASH-DRBG", "SHA256" }, { "HMAC-DRBG", "SHA512" },
    };
    OSSL_LIB_CTX *ctx2;
    OSSL_PROVIDER *p2;
    SSL_CTX *s;
    size_t i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s MODULE.so\n", argv[0]);
        return 2;
    }
    tpt_setup(argv[1], "profile = \"DEFAULT\";\nmode = \"enforce\";\n");
    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return 99;
    }
    CHECK(OSSL_PROVIDER_available(NULL, "tlspolicy")
          && !OSSL_PROVIDER_available(NULL, "default"),
          "default context: tlspolicy active, default not");
    /* The order of a small program: the generator is first seeded inside
     * SSL_CTX_new, while libssl builds its tables. */
    s = SSL_CTX_new(TLS_method());
    CHECK(s != NULL, "default context: SSL_CTX_new");
    SSL_CTX_free(s);
    check_drbg(NULL, "default context", "CTR-DRBG", "tlspolicy", "AES-256-CTR");
    check_keygen(NULL, "default context");

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        const char *type = types[i].type != NULL ? types[i].type : "CTR-DRBG";
        char where[128];

        snprintf(where, sizeof(where), "second context, %s", type);
        ctx2 = second(argv[1], &p2, types[i].type, types[i].digest);
        CHECK(p2 != NULL, "second context: provider loaded by path");
        if (p2 != NULL) {
            /* Here the generator comes first, before any other fetch. */
            check_drbg(ctx2, where, type, argv[1], /* loaded by path */
                       types[i].type == NULL ? "AES-256-CTR" : NULL);
            check_keygen(ctx2, where);
            OSSL_PROVIDER_unload(p2);
        }
        OSSL_LIB_CTX_free(ctx2);
    }
    check_drbg(NULL, "default context after the others went", "CTR-DRBG",
               "tlspolicy", NULL);
    printf("# %d failed\n", failures);
    return failures == 0 ? 0 : 1;
}
