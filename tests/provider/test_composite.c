/*
 * test_composite.c - the signature floors through every door OpenSSL has,
 * on 3.0 and on 3.4+ (issue 8).
 *
 * 3.0: the digest API (EVP_DigestSign/Verify with a digest name, which is
 * what X.509, CMS and libssl use) and EVP_PKEY_sign with a digest set on
 * the context. 3.4+ adds composite signature algorithms with the digest
 * fixed at init ("RSA-SHA1", "ECDSA-SHA2-256"...) reached through
 * EVP_PKEY_sign_message_init / EVP_PKEY_sign_init_ex2: forbidden digests
 * must not be fetchable under any of their names, allowed ones must work,
 * and the key-size floor must hold there too. RAND_bytes keeps working
 * (3.5 passes the DRBG's provider name, which the filter must not pass on),
 * and so do 3.5's opaque symmetric keys (EVP_SKEY, skeymgmt).
 *
 * The policed side is the default library context under the DEFAULT
 * policy (SHA-1 forbidden, RSA >= 2048). Keys too small for the policy are
 * made in a "stock" context with the default provider loaded explicitly.
 *
 * usage: test_composite MODULE.so
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "tpt.h"

static OSSL_LIB_CTX *stock;
static int failed, count;

static void check(int ok, const char *what)
{
    count++;
    if (!ok)
        failed++;
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
}

/* The error queue mentions the policy; the queue is cleared. */
static int err_cb(const char *str, size_t len, void *u)
{
    (void)len;
    if (strstr(str, "tlspolicy") != NULL)
        *(int *)u = 1;
    return 1;
}

static int refused_by_policy(void)
{
    int seen = 0;

    ERR_print_errors_cb(err_cb, &seen);
    ERR_clear_error();
    return seen;
}

static EVP_PKEY *keygen(OSSL_LIB_CTX *ctx, const char *alg, int rsa_bits)
{
    EVP_PKEY *k = NULL;

    if (rsa_bits > 0)
        k = EVP_PKEY_Q_keygen(ctx, NULL, alg, (size_t)rsa_bits);
    else
        k = EVP_PKEY_Q_keygen(ctx, NULL, alg, "P-256");
    if (k == NULL) {
        fprintf(stderr, "set-up failed: %s keygen\n", alg);
        ERR_print_errors_fp(stderr);
        exit(99);
    }
    return k;
}

static const unsigned char msg[] = "the quick brown fox";

/* EVP_DigestSign with a digest name, then EVP_DigestVerify of the result. */
static int digest_sign_verify(EVP_PKEY *key, const char *md)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned char sig[1024];
    size_t siglen = sizeof(sig);
    int ok;

    ok = m != NULL
         && EVP_DigestSignInit_ex(m, NULL, md, NULL, NULL, key, NULL) == 1
         && EVP_DigestSign(m, sig, &siglen, msg, sizeof(msg)) == 1;
    EVP_MD_CTX_free(m);
    if (!ok)
        return 0;
    m = EVP_MD_CTX_new();
    ok = m != NULL
         && EVP_DigestVerifyInit_ex(m, NULL, md, NULL, NULL, key, NULL) == 1
         && EVP_DigestVerify(m, sig, siglen, msg, sizeof(msg)) == 1;
    EVP_MD_CTX_free(m);
    return ok;
}

/* Verify only (a signature made by the stock side). */
static int digest_verify(EVP_PKEY *key, const char *md,
                         const unsigned char *sig, size_t siglen)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    int ok;

    ok = m != NULL
         && EVP_DigestVerifyInit_ex(m, NULL, md, NULL, NULL, key, NULL) == 1
         && EVP_DigestVerify(m, sig, siglen, msg, sizeof(msg)) == 1;
    EVP_MD_CTX_free(m);
    return ok;
}

static size_t stock_sign(EVP_PKEY *key, const char *md, unsigned char *sig,
                         size_t max)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    size_t siglen = max;
    int ok;

    ok = EVP_DigestSignInit_ex(m, NULL, md, stock, NULL, key, NULL) == 1
         && EVP_DigestSign(m, sig, &siglen, msg, sizeof(msg)) == 1;
    EVP_MD_CTX_free(m);
    if (!ok) {
        fprintf(stderr, "set-up failed: stock %s signature\n", md);
        ERR_print_errors_fp(stderr);
        exit(99);
    }
    return siglen;
}

/* EVP_PKEY_sign over a precomputed digest, digest named on the context. */
static int pkey_sign_md(EVP_PKEY *key, const EVP_MD *md)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    unsigned char dgst[64] = { 0 }, sig[1024];
    size_t siglen = sizeof(sig);
    int ok;

    ok = c != NULL && EVP_PKEY_sign_init(c) == 1
         && EVP_PKEY_CTX_set_signature_md(c, md) == 1
         && EVP_PKEY_sign(c, sig, &siglen, dgst, (size_t)EVP_MD_get_size(md)) == 1;
    EVP_PKEY_CTX_free(c);
    return ok;
}

#if OPENSSL_VERSION_NUMBER >= 0x30400000L
/* sign_message_init/update/final, then verify_message_* of the result. */
static int message_sign_verify(EVP_PKEY *key, const char *alg)
{
    EVP_SIGNATURE *s = EVP_SIGNATURE_fetch(NULL, alg, NULL);
    EVP_PKEY_CTX *c = NULL;
    unsigned char sig[1024];
    size_t siglen = sizeof(sig);
    int ok = 0;

    if (s == NULL)
        return 0;
    c = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (c == NULL || EVP_PKEY_sign_message_init(c, s, NULL) != 1
        || EVP_PKEY_sign_message_update(c, msg, sizeof(msg)) != 1
        || EVP_PKEY_sign_message_final(c, sig, &siglen) != 1)
        goto end;
    EVP_PKEY_CTX_free(c);
    c = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    ok = c != NULL && EVP_PKEY_verify_message_init(c, s, NULL) == 1
         && EVP_PKEY_CTX_set_signature(c, sig, siglen) == 1
         && EVP_PKEY_verify_message_update(c, msg, sizeof(msg)) == 1
         && EVP_PKEY_verify_message_final(c) == 1;
end:
    EVP_PKEY_CTX_free(c);
    EVP_SIGNATURE_free(s);
    return ok;
}

/* EVP_PKEY_sign_init_ex2 with a composite algorithm, over a digest. */
static int init_ex2_sign(EVP_PKEY *key, const char *alg, size_t dlen)
{
    EVP_SIGNATURE *s = EVP_SIGNATURE_fetch(NULL, alg, NULL);
    EVP_PKEY_CTX *c = NULL;
    unsigned char dgst[64] = { 0 }, sig[1024];
    size_t siglen = sizeof(sig);
    int ok;

    if (s == NULL)
        return 0;
    c = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    ok = c != NULL && EVP_PKEY_sign_init_ex2(c, s, NULL) == 1
         && EVP_PKEY_sign(c, sig, &siglen, dgst, dlen) == 1;
    EVP_PKEY_CTX_free(c);
    EVP_SIGNATURE_free(s);
    return ok;
}

static int fetchable(OSSL_LIB_CTX *ctx, const char *alg)
{
    EVP_SIGNATURE *s;

    ERR_set_mark();
    s = EVP_SIGNATURE_fetch(ctx, alg, NULL);
    ERR_pop_to_mark();
    EVP_SIGNATURE_free(s);
    return s != NULL;
}

static void composite_checks(EVP_PKEY *rsa, EVP_PKEY *rsa1024, EVP_PKEY *ec)
{
    /* Every spelling of the SHA-1 composites (names and OIDs). */
    static const char *const sha1[] = {
        "RSA-SHA1", "sha1WithRSAEncryption", "1.2.840.113549.1.1.5",
        "ECDSA-SHA1", "ecdsa-with-SHA1", "1.2.840.10045.4.1",
        "DSA-SHA1", "dsaWithSHA1", "1.2.840.10040.4.3",
    };
    char what[128];
    size_t i;

    for (i = 0; i < sizeof(sha1) / sizeof(sha1[0]); i++) {
        if (!fetchable(stock, sha1[i])) {
            printf("# %s: not in this OpenSSL's default provider\n", sha1[i]);
            continue;
        }
        snprintf(what, sizeof(what), "composite %s withheld", sha1[i]);
        check(!fetchable(NULL, sha1[i]), what);
    }

    check(message_sign_verify(rsa, "RSA-SHA256"),
          "composite RSA-SHA256 sign/verify message (2048-bit)");
    check(message_sign_verify(rsa, "sha256WithRSAEncryption"),
          "composite sha256WithRSAEncryption sign/verify message");
    check(message_sign_verify(ec, "ECDSA-SHA2-256"),
          "composite ECDSA-SHA2-256 sign/verify message (P-256)");
    check(init_ex2_sign(rsa, "RSA-SHA2-384", 48),
          "composite RSA-SHA2-384 via EVP_PKEY_sign_init_ex2");

    check(!message_sign_verify(rsa1024, "RSA-SHA256") && refused_by_policy(),
          "composite RSA-SHA256 with a 1024-bit key refused by policy");
    check(!init_ex2_sign(rsa1024, "RSA-SHA256", 32) && refused_by_policy(),
          "composite RSA-SHA256 init_ex2 with a 1024-bit key refused by policy");
}
#endif

#if OPENSSL_VERSION_NUMBER >= 0x30500000L
/* 3.5 opaque symmetric keys (OSSL_OP_SKEYMGMT) pass through the filter:
 * import a raw AES key, encrypt with it, compare with the raw-key path. */
static int skey_works(void)
{
    unsigned char k[32] = { 1 }, iv[16] = { 2 }, a[64], b[64];
    int la = 0, lb = 0, t = 0, ok;
    EVP_SKEY *sk = EVP_SKEY_import_raw_key(NULL, "AES", k, sizeof(k), NULL);
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new(), *y = EVP_CIPHER_CTX_new();

    ok = sk != NULL && c != NULL && x != NULL && y != NULL
         && EVP_CipherInit_SKEY(x, c, sk, iv, sizeof(iv), 1, NULL) == 1
         && EVP_EncryptUpdate(x, a, &la, msg, sizeof(msg)) == 1
         && EVP_EncryptFinal_ex(x, a + la, &t) == 1 && (la += t, 1)
         && EVP_EncryptInit_ex2(y, c, k, iv, NULL) == 1
         && EVP_EncryptUpdate(y, b, &lb, msg, sizeof(msg)) == 1
         && EVP_EncryptFinal_ex(y, b + lb, &t) == 1 && (lb += t, 1)
         && la == lb && memcmp(a, b, (size_t)la) == 0;
    EVP_CIPHER_CTX_free(x);
    EVP_CIPHER_CTX_free(y);
    EVP_CIPHER_free(c);
    EVP_SKEY_free(sk);
    return ok;
}
#endif

int main(int argc, char **argv)
{
    unsigned char buf[64], sig[1024];
    size_t siglen;
    EVP_PKEY *rsa, *rsa1024, *ec, *stock_rsa;
    EVP_MD *sha1;

    if (argc != 2) {
        fprintf(stderr, "usage: test_composite MODULE.so\n");
        return 2;
    }
    tpt_setup(argv[1], "profile = \"DEFAULT\";\nmode = \"enforce\";\n");
    if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return 99;
    }
    stock = OSSL_LIB_CTX_new();
    if (stock == NULL || OSSL_PROVIDER_load(stock, "default") == NULL)
        return 99;
    printf("# %s\n", OpenSSL_version(OPENSSL_VERSION));
    check(OSSL_PROVIDER_available(NULL, "tlspolicy")
          && !OSSL_PROVIDER_available(NULL, "default"),
          "only tlspolicy is active");

    /* RAND through the filter (3.5: DRBG provider-name). */
    check(RAND_bytes(buf, sizeof(buf)) == 1, "RAND_bytes");
    check(RAND_priv_bytes(buf, sizeof(buf)) == 1, "RAND_priv_bytes");
    ERR_clear_error();

    rsa = keygen(NULL, "RSA", 2048);
    ec = keygen(NULL, "EC", 0);
    rsa1024 = keygen(stock, "RSA", 1024);
    stock_rsa = keygen(stock, "RSA", 2048);

    /* The digest API: what X.509, CMS and libssl use on every version. */
    check(digest_sign_verify(rsa, "SHA256"), "DigestSign/Verify RSA SHA-256");
    check(digest_sign_verify(ec, "SHA256"), "DigestSign/Verify ECDSA SHA-256");
    check(!digest_sign_verify(rsa, "SHA1") && refused_by_policy(),
          "DigestSign RSA SHA-1 refused by policy");
    check(!digest_sign_verify(rsa, "1.3.14.3.2.26") && refused_by_policy(),
          "DigestSign RSA SHA-1 by OID refused by policy");
    check(!digest_sign_verify(ec, "SHA1") && refused_by_policy(),
          "DigestSign ECDSA SHA-1 refused by policy");
    siglen = stock_sign(stock_rsa, "SHA1", sig, sizeof(sig));
    check(!digest_verify(stock_rsa, "SHA1", sig, siglen) && refused_by_policy(),
          "DigestVerify of a stock SHA-1 signature refused by policy");
    siglen = stock_sign(stock_rsa, "SHA256", sig, sizeof(sig));
    check(digest_verify(stock_rsa, "SHA256", sig, siglen),
          "DigestVerify of a stock SHA-256 signature");
    check(!digest_sign_verify(rsa1024, "SHA256") && refused_by_policy(),
          "DigestSign with a 1024-bit RSA key refused by policy");

    /* EVP_PKEY_sign with the digest set on the context. */
    sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
    check(sha1 != NULL, "SHA-1 digest itself still available");
    if (sha1 != NULL) {
        EVP_MD *sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);

        check(!pkey_sign_md(rsa, sha1) && refused_by_policy(),
              "EVP_PKEY_sign with SHA-1 set on the context refused by policy");
        check(sha256 != NULL && pkey_sign_md(rsa, sha256),
              "EVP_PKEY_sign with SHA-256 set on the context");
        EVP_MD_free(sha256);
    }
    EVP_MD_free(sha1);

    if (OpenSSL_version_num() < 0x30400000L) {
        printf("# composite signature algorithms: OpenSSL < 3.4, nothing to test\n");
    } else {
#if OPENSSL_VERSION_NUMBER >= 0x30400000L
        composite_checks(rsa, rsa1024, ec);
#if OPENSSL_VERSION_NUMBER >= 0x30500000L
        if (OpenSSL_version_num() >= 0x30500000L)
            check(skey_works(), "EVP_SKEY (3.5 skeymgmt): AES key import and encryption");
#endif
#else
        printf("# composite signature algorithms: built against OpenSSL < 3.4 headers, not tested\n");
#endif
    }

    EVP_PKEY_free(rsa);
    EVP_PKEY_free(rsa1024);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(stock_rsa);
    OSSL_LIB_CTX_free(stock);
    printf("# %d checks, %d failed\n", count, failed);
    return failed == 0 ? 0 : 1;
}
