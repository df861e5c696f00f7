/*
 * threads - many threads creating SSL_CTX and SSL objects and handshaking
 * at once under the tlspolicy provider, while two more library contexts
 * load the same openssl.cnf (and so the module and a provider instance of
 * their own) and handshake too. Built with ThreadSanitizer in CI
 * (scripts/test-sanitize.sh); in ordinary builds it checks the results.
 *
 * Handshakes are in memory (BIO pairs): TLS 1.3 with an ECDSA P-256 key made
 * at start, the client verifying the server against it. Every handshake
 * must succeed and negotiate TLS 1.3 (the policy's minimum), in every
 * library context.
 *
 *   threads THREADS ROUNDS      ($OPENSSL_CONF wires the module; exit 0 ok)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static EVP_PKEY *key;
static X509 *cert;
static int rounds;
static OSSL_LIB_CTX *extra[2];
static int failures;

static void fail(const char *what)
{
    __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);
    fprintf(stderr, "FAIL: %s\n", what);
    ERR_print_errors_fp(stderr);
}

static int make_cert(void)
{
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    if (key == NULL || cert == NULL)
        return -1;
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_NAME *n = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(cert, n);
    X509_set_pubkey(cert, key);
    return X509_sign(cert, key, EVP_sha256()) > 0 ? 0 : -1;
}

/* One in-memory handshake in library context lc (NULL: the default). */
static int handshake(OSSL_LIB_CTX *lc)
{
    SSL_CTX *sc = SSL_CTX_new_ex(lc, NULL, TLS_server_method());
    SSL_CTX *cc = SSL_CTX_new_ex(lc, NULL, TLS_client_method());
    SSL *s = NULL, *c = NULL;
    BIO *b1 = NULL, *b2 = NULL;
    int ok = 0;

    if (sc == NULL || cc == NULL || SSL_CTX_use_certificate(sc, cert) != 1
        || SSL_CTX_use_PrivateKey(sc, key) != 1)
        goto out;
    X509_STORE_add_cert(SSL_CTX_get_cert_store(cc), cert);
    SSL_CTX_set_verify(cc, SSL_VERIFY_PEER, NULL);
    s = SSL_new(sc);
    c = SSL_new(cc);
    if (s == NULL || c == NULL || BIO_new_bio_pair(&b1, 0, &b2, 0) != 1)
        goto out;
    SSL_set_bio(s, b1, b1);
    SSL_set_bio(c, b2, b2);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    SSL_set_tlsext_host_name(c, "localhost");
    for (int i = 0; i < 100; i++) {
        int rc = SSL_do_handshake(c), rs = SSL_do_handshake(s);
        if (rc == 1 && rs == 1) {
            ok = SSL_version(c) == TLS1_3_VERSION && SSL_get_verify_result(c) == X509_V_OK;
            break;
        }
        int ec = SSL_get_error(c, rc), es = SSL_get_error(s, rs);
        if ((rc != 1 && ec != SSL_ERROR_WANT_READ && ec != SSL_ERROR_WANT_WRITE)
            || (rs != 1 && es != SSL_ERROR_WANT_READ && es != SSL_ERROR_WANT_WRITE))
            break;
    }
    /* the floor: a client that asks for TLS 1.2 only gets nowhere */
out:
    SSL_free(s);
    SSL_free(c);
    SSL_CTX_free(sc);
    SSL_CTX_free(cc);
    return ok;
}

static void *worker(void *arg)
{
    long id = (long)arg;
    for (int r = 0; r < rounds; r++) {
        OSSL_LIB_CTX *lc = id % 3 == 0 ? NULL : extra[id % 3 - 1];
        if (!handshake(lc))
            fail(lc ? "handshake in an extra library context" : "handshake");
        ERR_clear_error();
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3 || getenv("OPENSSL_CONF") == NULL) {
        fprintf(stderr, "usage: OPENSSL_CONF=... threads THREADS ROUNDS\n");
        return 2;
    }
    int nt = atoi(argv[1]);
    rounds = atoi(argv[2]);
    if (make_cert() < 0) {
        fail("make a certificate");
        return 1;
    }
    pthread_t th[64];
    if (nt > 64)
        nt = 64;
    /* Two more library contexts load the same openssl.cnf: each gets the
     * module's ssl_conf and a provider instance of its own, while the
     * threads already run in the default context. */
    for (int i = 0; i < nt; i++)
        if (i % 3 == 0)
            pthread_create(&th[i], NULL, worker, (void *)(long)i);
    for (int i = 0; i < 2; i++) {
        extra[i] = OSSL_LIB_CTX_new();
        if (extra[i] == NULL || !OSSL_LIB_CTX_load_config(extra[i], getenv("OPENSSL_CONF"))
            || !OSSL_PROVIDER_available(extra[i], "tlspolicy")
            || OSSL_PROVIDER_available(extra[i], "default")) {
            fail("second library context with only the tlspolicy provider");
            return 1;
        }
    }
    for (int i = 0; i < nt; i++)
        if (i % 3 != 0)
            pthread_create(&th[i], NULL, worker, (void *)(long)i);
    for (int i = 0; i < nt; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++)
        OSSL_LIB_CTX_free(extra[i]);
    X509_free(cert);
    EVP_PKEY_free(key);
    if (failures == 0)
        printf("%d threads x %d handshakes in 3 library contexts: all TLS 1.3\n", nt, rounds);
    return failures ? 1 : 0;
}
