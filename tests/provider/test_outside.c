/*
 * test_outside.c - what stays outside the provider's floors, as
 * tlspolicy(7) "WHAT STAYS OUTSIDE" says. Each row shows one escape next to
 * its control (the same operation through the EVP API, refused), so that the
 * page stays true: if an escape closes, its row fails and the page must
 * change with it.
 *
 * usage: test_outside MODULE.so
 * Prints one line per row; exit 0 if every row behaves as documented.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/des.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>
#include <openssl/srp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tpt.h"

static int failures;

/* The error queue holds the policy's refusal (a reason naming tlspolicy). */
static int by_policy(void)
{
    const char *data = NULL;
    int flags = 0;
    unsigned long e;
    int found = 0;
    char buf[256];
    while ((e = ERR_peek_error_data(&data, &flags)) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        if (strstr(buf, "tlspolicy") ||
            (data && (flags & ERR_TXT_STRING) && strstr(data, "tlspolicy")))
            found = 1;
        ERR_get_error();
    }
    return found;
}

static void row(int held, const char *what)
{
    printf("%-4s %s\n", held ? "ok" : "FAIL", what);
    if (!held) {
        failures++;
        ERR_print_errors_fp(stdout);
    }
    ERR_clear_error();
}

/* One signature with md over a short message; 1 when it was made. */
static int sign(OSSL_LIB_CTX *lib, EVP_PKEY *k, const char *md)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned char sig[1024];
    size_t sl = sizeof(sig);
    int ok = m != NULL && EVP_DigestSignInit_ex(m, NULL, md, lib, NULL, k, NULL) == 1 &&
             EVP_DigestSign(m, sig, &sl, (const unsigned char *)"tlspolicy", 9) == 1;
    EVP_MD_CTX_free(m);
    return ok;
}

/* An RSA-1024 key made by the low-level API (itself outside the provider:
 * EVP key generation of 1024 bits is refused under DEFAULT). */
static RSA *rsa1024(void)
{
    RSA *r = RSA_new();
    BIGNUM *e = BN_new();
    if (r == NULL || e == NULL || !BN_set_word(e, RSA_F4) ||
        !RSA_generate_key_ex(r, 1024, e, NULL)) {
        fprintf(stderr, "RSA_generate_key_ex failed\n");
        exit(99);
    }
    BN_free(e);
    return r;
}

static EVP_PKEY *wrap(RSA *r)
{
    EVP_PKEY *k = EVP_PKEY_new();
    if (k == NULL || !RSA_up_ref(r) || !EVP_PKEY_assign_RSA(k, r))
        exit(99);
    return k;
}

/* A self-signed certificate for k, signed with k. */
static X509 *self_cert(EVP_PKEY *k)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1,
                               0);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, n);
    X509_set_pubkey(x, k);
    X509_NAME_free(n);
    if (X509_sign(x, k, EVP_sha256()) <= 0) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* A handshake over a BIO pair: the server under the policy, a careless
 * program that lowered its security level to 0 and serves cert/key; the
 * client a stock peer (its own library context, default provider).
 * Returns 1 when both ends completed it. */
static int handshake(OSSL_LIB_CTX *stock, X509 *cert, EVP_PKEY *key)
{
    SSL_CTX *sc = SSL_CTX_new(TLS_server_method());
    SSL_CTX *cc = SSL_CTX_new_ex(stock, NULL, TLS_client_method());
    int done = 0;
    if (sc == NULL || cc == NULL)
        goto out;
    SSL_CTX_set_security_level(sc, 0);
    SSL_CTX_set_security_level(cc, 0);
    if (SSL_CTX_use_certificate(sc, cert) != 1 || SSL_CTX_use_PrivateKey(sc, key) != 1)
        goto out;
    SSL *s = SSL_new(sc), *c = SSL_new(cc);
    BIO *bs, *bc;
    BIO_new_bio_pair(&bs, 0, &bc, 0);
    SSL_set_bio(s, bs, bs);
    SSL_set_bio(c, bc, bc);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    int sd = 0, cd = 0;
    for (int i = 0; i < 50 && !(sd && cd); i++) {
        if (!cd) {
            int r = SSL_do_handshake(c);
            cd = r == 1;
            if (r <= 0 && SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
                break;
        }
        if (!sd) {
            int r = SSL_do_handshake(s);
            sd = r == 1;
            if (r <= 0 && SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
                break;
        }
    }
    done = sd && cd;
    SSL_free(s);
    SSL_free(c);
out:
    SSL_CTX_free(sc);
    SSL_CTX_free(cc);
    return done;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_outside MODULE.so\n");
        return 2;
    }
    tpt_setup(argv[1], "profile = \"DEFAULT\";\n");
    atexit(tpt_cleanup);
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL);
    row(OSSL_PROVIDER_available(NULL, "tlspolicy") && !OSSL_PROVIDER_available(NULL, "default"),
        "control: the default context is under tlspolicy alone");
    OSSL_LIB_CTX *stock = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *stock_default = stock ? OSSL_PROVIDER_load(stock, "default") : NULL;
    if (stock_default == NULL)
        return 99;

    RSA *r = rsa1024();
    row(1, "low-level RSA_generate_key_ex makes an RSA-1024 key (EVP keygen would refuse it)");

    /* 1. a key with its own RSA_METHOD (the shape of ENGINE, PKCS#11, TPM keys) */
    EVP_PKEY *plain = wrap(r);
    row(!sign(NULL, plain, "SHA256") && by_policy(),
        "control: EVP signature with an RSA-1024 key refused");
    row(!sign(NULL, plain, "SHA1") && by_policy(), "control: EVP SHA-1 signature refused");
    RSA *r2 = RSAPrivateKey_dup(r);
    RSA_METHOD *meth = RSA_meth_dup(RSA_PKCS1_OpenSSL());
    if (r2 == NULL || meth == NULL || !RSA_set_method(r2, meth))
        return 99;
    EVP_PKEY *foreign = wrap(r2);
    RSA_free(r2);
    row(sign(NULL, foreign, "SHA256"), "OUTSIDE: the same key through its own RSA_METHOD signs");
    row(sign(NULL, foreign, "SHA1"), "OUTSIDE: ... and signs with SHA-1");
    X509 *fcert = self_cert(foreign);
    row(fcert != NULL, "OUTSIDE: ... and signs a certificate with it");
    row(self_cert(plain) == NULL, "control: the plain key cannot sign a certificate");
    {
        SSL_CTX *sc = SSL_CTX_new(TLS_server_method());
        row(sc != NULL && SSL_CTX_get_security_level(sc) >= 2 &&
                SSL_CTX_use_certificate(sc, fcert) != 1,
            "control: at the policy's security level the 1024-bit certificate is refused when "
            "loaded");
        SSL_CTX_free(sc);
    }
    row(!handshake(stock, fcert, plain),
        "control: TLS server with the plain RSA-1024 key (security level 0): handshake fails");
    /* In TLS the policy's security callback judges the certificate's key
     * when the program loads it, whatever the key's method: held. */
    row(!handshake(stock, fcert, foreign),
        "held by the security callback: TLS server with the RSA_METHOD key (security level 0): "
        "handshake fails");

    /* 2. deprecated low-level calls */
    unsigned char md[20] = {1}, sig[256], ct[256];
    unsigned int sl = 0;
    row(RSA_sign(NID_sha1, md, sizeof(md), sig, &sl, r) == 1 && sl == 128,
        "OUTSIDE: RSA_sign(NID_sha1) with RSA-1024");
    row(RSA_public_encrypt(16, md, ct, r, RSA_PKCS1_PADDING) == 128,
        "OUTSIDE: RSA_public_encrypt with RSA-1024");
    {
        EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(plain, NULL);
        size_t cl = sizeof(ct);
        int ok = pc && EVP_PKEY_encrypt_init(pc) == 1 && EVP_PKEY_encrypt(pc, ct, &cl, md, 16) == 1;
        EVP_PKEY_CTX_free(pc);
        row(!ok && by_policy(), "control: EVP_PKEY_encrypt with RSA-1024 refused");
    }
    EVP_CIPHER *des3 = EVP_CIPHER_fetch(NULL, "DES-EDE3-CBC", NULL);
    row(des3 == NULL, "control: EVP cannot fetch DES-EDE3-CBC (withheld under DEFAULT)");
    EVP_CIPHER_free(des3);
    {
        DES_cblock k1 = {1, 2, 3, 4, 5, 6, 7, 8}, k2 = {9, 10, 11, 12, 13, 14, 15, 16},
                   k3 = {17, 18, 19, 20, 21, 22, 23, 24}, iv = {0};
        DES_key_schedule s1, s2, s3;
        DES_set_key_unchecked(&k1, &s1);
        DES_set_key_unchecked(&k2, &s2);
        DES_set_key_unchecked(&k3, &s3);
        unsigned char in[16] = "tlspolicy 3des!", out[16], back[16];
        DES_ede3_cbc_encrypt(in, out, 16, &s1, &s2, &s3, &iv, DES_ENCRYPT);
        memset(iv, 0, sizeof(iv));
        DES_ede3_cbc_encrypt(out, back, 16, &s1, &s2, &s3, &iv, DES_DECRYPT);
        row(memcmp(in, out, 16) != 0 && memcmp(in, back, 16) == 0,
            "OUTSIDE: DES_ede3_cbc_encrypt encrypts and decrypts");
    }
    {
        DH *a = DH_get_1024_160(), *b = DH_get_1024_160();
        unsigned char k[256];
        int kl = a && b && DH_generate_key(a) && DH_generate_key(b)
                     ? DH_compute_key(k, DH_get0_pub_key(b), a)
                     : -1;
        row(kl > 0 && DH_bits(a) == 1024, "OUTSIDE: DH_compute_key over a 1024-bit group");
        EVP_PKEY *pa = EVP_PKEY_new(), *pb = EVP_PKEY_new();
        EVP_PKEY_assign_DH(pa, a);
        EVP_PKEY_assign_DH(pb, b);
        EVP_PKEY_CTX *dc = EVP_PKEY_CTX_new(pa, NULL);
        size_t dl = sizeof(k);
        int ok = dc && EVP_PKEY_derive_init(dc) == 1 && EVP_PKEY_derive_set_peer(dc, pb) == 1 &&
                 EVP_PKEY_derive(dc, k, &dl) == 1;
        row(!ok && by_policy(), "control: EVP_PKEY_derive over the same group refused");
        EVP_PKEY_CTX_free(dc);
        EVP_PKEY_free(pa);
        EVP_PKEY_free(pb);
    }

    /* 3. a library context made with no configuration at all */
    {
        OSSL_LIB_CTX *fresh = OSSL_LIB_CTX_new();
        EVP_PKEY *k = NULL;
        EVP_PKEY_CTX *g = EVP_PKEY_CTX_new_from_name(fresh, "RSA", NULL);
        int gen = g && EVP_PKEY_keygen_init(g) == 1 &&
                  EVP_PKEY_CTX_set_rsa_keygen_bits(g, 1024) == 1 && EVP_PKEY_keygen(g, &k) == 1;
        row(gen, "OUTSIDE: OSSL_LIB_CTX_new() with no configuration makes an RSA-1024 key");
        row(gen && sign(fresh, k, "SHA1"), "OUTSIDE: ... and signs with SHA-1");
        row(!OSSL_PROVIDER_available(fresh, "tlspolicy"),
            "OUTSIDE: ... its provider is the default one, loaded on first use");
        EVP_PKEY_CTX_free(g);
        EVP_PKEY_free(k);
        OSSL_LIB_CTX_free(fresh);
    }

    /* 4. SRP: the arithmetic of TLS-SRP is plain BIGNUM code */
    {
        SRP_gN *gN = SRP_get_default_gN("1024");
        BIGNUM *salt = NULL, *v = NULL, *bpriv = BN_new();
        int ok = gN && SRP_create_verifier_BN("user", "password", &salt, &v, gN->N, gN->g) &&
                 BN_rand(bpriv, 256, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
        BIGNUM *B = ok ? SRP_Calc_B(bpriv, gN->N, gN->g, v) : NULL;
        row(B != NULL && BN_num_bits(gN->N) == 1024,
            "OUTSIDE: SRP verifier and server value over the 1024-bit SRP group");
        BN_free(B);
        BN_free(salt);
        BN_free(v);
        BN_free(bpriv);
    }

    X509_free(fcert);
    EVP_PKEY_free(plain);
    EVP_PKEY_free(foreign);
    RSA_meth_free(meth);
    RSA_free(r);
    OSSL_PROVIDER_unload(stock_default);
    OSSL_LIB_CTX_free(stock);
    printf("%s\n",
           failures ? "some rows did not behave as tlspolicy(7) says" : "all rows as documented");
    return failures ? 1 : 0;
}
