/*
 * test_instances.c - per-instance state: two library contexts that each
 * load the provider both enforce the floors, work from several threads at
 * once, and free cleanly (the second context goes away, the first keeps
 * working; run under valgrind for the "cleanly" part).
 *
 * usage: test_instances MODULE.so
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tpt.h"

static int failures;

#define CHECK(cond, what) do { \
        if (cond) { printf("ok   %s\n", what); } \
        else { printf("FAIL %s\n", what); ERR_print_errors_fp(stdout); failures++; } \
        ERR_clear_error(); \
    } while (0)

/* Sign with `md` using a key of `bits`, in `ctx`: 1 if it worked. */
static int sign_with(OSSL_LIB_CTX *ctx, EVP_PKEY *key, const char *md)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned char sig[512];
    size_t len = sizeof(sig);
    int ok;

    ok = EVP_DigestSignInit_ex(m, NULL, md, ctx, NULL, key, NULL) == 1
         && EVP_DigestSign(m, sig, &len, (const unsigned char *)"x", 1) == 1;
    EVP_MD_CTX_free(m);
    return ok;
}

/* EVP_PKEY_sign (a precomputed hash) with RSA-PSS; md NULL: none named. */
static int pss_sign(EVP_PKEY *key, const char *md)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    EVP_MD *m = md != NULL ? EVP_MD_fetch(NULL, md, NULL) : NULL;
    unsigned char tbs[32] = { 1 }, sig[512];
    size_t len = sizeof(sig);
    int ok;

    /* padding first, digest next: the order many programs use */
    ok = c != NULL && EVP_PKEY_sign_init(c) == 1
         && EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) == 1
         && (md == NULL || EVP_PKEY_CTX_set_signature_md(c, m) == 1)
         && EVP_PKEY_sign(c, sig, &len, tbs, md == NULL ? 20 : 32) == 1;
    EVP_MD_free(m);
    EVP_PKEY_CTX_free(c);
    return ok;
}

static int has_error_text(const char *text)
{
    char buf[512];
    unsigned long e;
    const char *data;
    int flags, found = 0;

    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        if ((flags & ERR_TXT_STRING) && strstr(data, text) != NULL)
            found = 1;
    }
    return found;
}

/* One in-memory TLS 1.3 handshake in library context ctx. */
static EVP_PKEY *srv_key;
static X509 *srv_cert;

static int handshake(OSSL_LIB_CTX *ctx)
{
    SSL_CTX *cc = SSL_CTX_new_ex(ctx, NULL, TLS_client_method());
    SSL_CTX *sc = SSL_CTX_new_ex(ctx, NULL, TLS_server_method());
    SSL *c = NULL, *s = NULL;
    BIO *bc, *bs;
    int i, rc = 0, rs = 0;

    if (cc == NULL || sc == NULL || !SSL_CTX_use_certificate(sc, srv_cert)
        || !SSL_CTX_use_PrivateKey(sc, srv_key))
        goto done;
    SSL_CTX_set_verify(cc, SSL_VERIFY_NONE, NULL);
    c = SSL_new(cc);
    s = SSL_new(sc);
    if (c == NULL || s == NULL || !BIO_new_bio_pair(&bc, 0, &bs, 0))
        goto done;
    SSL_set_bio(c, bc, bc);
    SSL_set_bio(s, bs, bs);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    for (i = 0; i < 32 && !(rc == 1 && rs == 1); i++) {
        rc = SSL_do_handshake(c);
        rs = SSL_do_handshake(s);
    }
done:
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cc);
    SSL_CTX_free(sc);
    return rc == 1 && rs == 1;
}

struct job {
    OSSL_LIB_CTX *ctx;
    int ok;
};

static void *worker(void *arg)
{
    struct job *j = arg;
    int i;

    j->ok = 1;
    for (i = 0; i < 20; i++) {
        if (!handshake(j->ctx))
            j->ok = 0;
        if (sign_with(j->ctx, srv_key, "SHA1"))
            j->ok = 0; /* must stay refused */
        ERR_clear_error();
    }
    return NULL;
}

int main(int argc, char **argv)
{
    OSSL_LIB_CTX *ctx2;
    OSSL_PROVIDER *p2;
    EVP_PKEY *k2;
    pthread_t th[4];
    struct job jobs[4];
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s MODULE.so\n", argv[0]);
        return 2;
    }
    tpt_setup(argv[1], "profile = \"DEFAULT\";\nmode = \"enforce\";\n");
    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return 99;
    }
    CHECK(OSSL_PROVIDER_available(NULL, "tlspolicy"), "default context: tlspolicy active");

    srv_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    srv_cert = X509_new();
    X509_set_version(srv_cert, 2);
    X509_gmtime_adj(X509_getm_notBefore(srv_cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(srv_cert), 3600);
    X509_set_pubkey(srv_cert, srv_key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(srv_cert), "CN", MBSTRING_ASC,
                               (const unsigned char *)"x", -1, -1, 0);
    X509_set_issuer_name(srv_cert, X509_get_subject_name(srv_cert));
    CHECK(srv_key != NULL && X509_sign(srv_cert, srv_key, EVP_sha256()) > 0,
          "default context: key and certificate");

    /* A second library context loads the same module by path. */
    ctx2 = OSSL_LIB_CTX_new();
    p2 = OSSL_PROVIDER_load(ctx2, argv[1]);
    CHECK(p2 != NULL, "second context: provider loaded by path");
    k2 = EVP_PKEY_Q_keygen(ctx2, NULL, "RSA", (size_t)2048);
    CHECK(k2 != NULL, "second context: RSA key generation");
    CHECK(sign_with(ctx2, k2, "SHA256"), "second context: SHA-256 signature");
    CHECK(!sign_with(ctx2, k2, "SHA1")
          && has_error_text("tlspolicy: SHA1 signatures are forbidden by policy"),
          "second context: SHA-1 signature refused with the policy's reason");
    CHECK(!sign_with(NULL, srv_key, "SHA1"), "default context: SHA-1 signature refused");
    CHECK(pss_sign(srv_key, "SHA256"), "RSA-PSS over a SHA-256 hash");
    CHECK(!pss_sign(srv_key, NULL), "RSA-PSS with no digest named (SHA-1 default) refused");
    CHECK(handshake(NULL), "default context: TLS handshake");
    CHECK(handshake(ctx2), "second context: TLS handshake");

    for (i = 0; i < 4; i++) {
        jobs[i].ctx = i % 2 ? ctx2 : NULL;
        pthread_create(&th[i], NULL, worker, &jobs[i]);
    }
    for (i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    CHECK(jobs[0].ok && jobs[1].ok && jobs[2].ok && jobs[3].ok,
          "4 threads, two contexts: handshakes work, SHA-1 stays refused");

    /* The second instance goes; the first must not notice. */
    EVP_PKEY_free(k2);
    OSSL_PROVIDER_unload(p2);
    OSSL_LIB_CTX_free(ctx2);
    CHECK(handshake(NULL), "after freeing the second context: handshake");
    CHECK(!sign_with(NULL, srv_key, "SHA1"), "after freeing: SHA-1 still refused");

    /* And a third comes and goes again (tables rebuilt or shared). */
    ctx2 = OSSL_LIB_CTX_new();
    p2 = OSSL_PROVIDER_load(ctx2, argv[1]);
    CHECK(p2 != NULL && handshake(ctx2), "third context: loads and handshakes");
    OSSL_PROVIDER_unload(p2);
    OSSL_LIB_CTX_free(ctx2);

    EVP_PKEY_free(srv_key);
    X509_free(srv_cert);
    printf("# %d failed\n", failures);
    return failures == 0 ? 0 : 1;
}
