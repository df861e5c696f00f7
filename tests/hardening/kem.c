/*
 * kem - the key floors through EVP_PKEY_encapsulate/decapsulate (issue 12).
 *
 * RSASVE (the RSA KEM, 3.0+) with a 1024-bit key must be refused as
 * EVP_PKEY_encrypt with the same key is; a 2048-bit key works. On 3.2+,
 * DHKEM over EC under a policy with min_ec_bits = 384: P-256 refused, P-384
 * works, X25519 works (no size to check). On 3.5, ML-KEM-768 works.
 *
 * usage: kem MODULE.so       one line per row; exit 0 if every row holds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "tpt.h"

static int failed;

static void check(int ok, const char *what)
{
    if (!ok)
        failed++;
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
}

static int err_cb(const char *str, size_t len, void *u)
{
    (void)len;
    if (strstr(str, "tlspolicy") != NULL && strstr(str, "below the policy minimum") != NULL)
        *(int *)u = 1;
    return 1;
}

/* The error queue says the policy refused a key; the queue is cleared. */
static int refused_by_policy(void)
{
    int seen = 0;

    ERR_print_errors_cb(err_cb, &seen);
    ERR_clear_error();
    return seen;
}

/* 1 if encapsulation to k, then decapsulation with k, works. op: the KEM
 * operation ("RSASVE", "DHKEM") or NULL. */
static int kem_roundtrip(EVP_PKEY *k, const char *op)
{
    EVP_PKEY_CTX *e = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    EVP_PKEY_CTX *d = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    unsigned char ct[2048], s1[512], s2[512];
    size_t ctlen = sizeof(ct), l1 = sizeof(s1), l2 = sizeof(s2);
    int ok = e != NULL && d != NULL && EVP_PKEY_encapsulate_init(e, NULL) == 1
             && (op == NULL || EVP_PKEY_CTX_set_kem_op(e, op) == 1)
             && EVP_PKEY_encapsulate(e, ct, &ctlen, s1, &l1) == 1
             && EVP_PKEY_decapsulate_init(d, NULL) == 1
             && (op == NULL || EVP_PKEY_CTX_set_kem_op(d, op) == 1)
             && EVP_PKEY_decapsulate(d, s2, &l2, ct, ctlen) == 1 && l1 == l2
             && memcmp(s1, s2, l1) == 0;

    EVP_PKEY_CTX_free(e);
    EVP_PKEY_CTX_free(d);
    return ok;
}

/* 1 if EVP_PKEY_decapsulate_init with k succeeds. */
static int decap_init(EVP_PKEY *k, const char *op)
{
    EVP_PKEY_CTX *d = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    int ok = d != NULL && EVP_PKEY_decapsulate_init(d, NULL) == 1
             && (op == NULL || EVP_PKEY_CTX_set_kem_op(d, op) == 1);

    EVP_PKEY_CTX_free(d);
    return ok;
}

static int encrypt_ok(EVP_PKEY *k)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    unsigned char out[512];
    size_t len = sizeof(out);
    int ok = c != NULL && EVP_PKEY_encrypt_init(c) == 1
             && EVP_PKEY_encrypt(c, out, &len, (const unsigned char *)"k", 1) == 1;

    EVP_PKEY_CTX_free(c);
    return ok;
}

static EVP_PKEY *gen(const char *alg, const char *curve, size_t bits)
{
    EVP_PKEY *k = curve != NULL ? EVP_PKEY_Q_keygen(NULL, NULL, alg, curve)
                  : bits ? EVP_PKEY_Q_keygen(NULL, NULL, alg, bits)
                         : EVP_PKEY_Q_keygen(NULL, NULL, alg);

    if (k == NULL) {
        fprintf(stderr, "set-up failed: %s key generation\n", alg);
        ERR_print_errors_fp(stderr);
        exit(99);
    }
    return k;
}

int main(int argc, char **argv)
{
    EVP_PKEY *rsa1024, *rsa2048;
    unsigned long v = OpenSSL_version_num();

    if (argc != 2) {
        fprintf(stderr, "usage: kem MODULE.so\n");
        return 2;
    }
    tpt_setup(argv[1], "profile = \"DEFAULT\";\nkeys = { min_ec_bits = 384; };\n");
    if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return 99;
    }
    printf("# %s\n", OpenSSL_version(OPENSSL_VERSION));
    check(OSSL_PROVIDER_available(NULL, "tlspolicy") && !OSSL_PROVIDER_available(NULL, "default"),
          "only tlspolicy is active");

    /* Key generation is not refused; using a small key is. */
    rsa1024 = gen("RSA", NULL, 1024);
    rsa2048 = gen("RSA", NULL, 2048);
    check(!encrypt_ok(rsa1024) && refused_by_policy(), "RSA-1024 EVP_PKEY_encrypt refused by policy");
    check(!kem_roundtrip(rsa1024, "RSASVE") && refused_by_policy(),
          "RSA-1024 EVP_PKEY_encapsulate (RSASVE) refused by policy");
    check(!decap_init(rsa1024, "RSASVE") && refused_by_policy(),
          "RSA-1024 EVP_PKEY_decapsulate_init (RSASVE) refused by policy");
    check(kem_roundtrip(rsa2048, "RSASVE"), "RSA-2048 encapsulate/decapsulate (RSASVE) works");
    ERR_clear_error();

    if (v >= 0x30200000UL) {
        EVP_PKEY *p256 = gen("EC", "P-256", 0), *p384 = gen("EC", "P-384", 0);
        EVP_PKEY *x25519 = gen("X25519", NULL, 0);

        check(!kem_roundtrip(p256, "DHKEM") && refused_by_policy(),
              "EC P-256 DHKEM refused by policy (min_ec_bits = 384)");
        check(kem_roundtrip(p384, "DHKEM"), "EC P-384 DHKEM works");
        check(kem_roundtrip(x25519, "DHKEM"), "X25519 DHKEM works (no size floor)");
        EVP_PKEY_free(p256);
        EVP_PKEY_free(p384);
        EVP_PKEY_free(x25519);
    } else {
        printf("skip DHKEM rows: OpenSSL %lx has no DHKEM\n", v);
    }
    if (v >= 0x30500000UL) {
        EVP_PKEY *mlkem = gen("ML-KEM-768", NULL, 0);

        check(kem_roundtrip(mlkem, NULL), "ML-KEM-768 works (no size floor)");
        EVP_PKEY_free(mlkem);
    } else {
        printf("skip ML-KEM row: OpenSSL %lx has no ML-KEM\n", v);
    }
    ERR_clear_error();
    EVP_PKEY_free(rsa1024);
    EVP_PKEY_free(rsa2048);
    return failed ? 1 : 0;
}
