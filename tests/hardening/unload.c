/*
 * unload - the floors and the defaults across CONF_modules_unload (issue 12).
 *
 * CONF_modules_unload and CONF_modules_finish run the config module's
 * finish while the provider stays active; a daemon's reload is
 * CONF_modules_unload(1) then CONF_modules_load_file(NULL, NULL, 0). Under
 * a policy with minimum TLS 1.3 ($OPENSSL_CONF wires the module):
 *
 *   unload reload          SHA-1 and RSA-1024 signatures refused before,
 *                          after CONF_modules_unload(1) and after the reload;
 *                          new SSL_CTXs get TLSv1.3 as minimum before and
 *                          after the reload.
 *   unload finish          the same with CONF_modules_finish().
 *   unload threads N C     N threads handshake (TLS 1.3, in memory) and try
 *                          SHA-1 signatures without pause while the main
 *                          thread reloads C times; every handshake succeeds,
 *                          every SHA-1 signature is refused.
 *   unload exit N          N threads handshake while the main thread returns
 *                          from main: OPENSSL_cleanup (atexit) runs with the
 *                          threads still in OpenSSL. Must not crash.
 *
 * The workers use SSL_CTXs made before they start: SSL_CTX_new reads
 * libssl's ssl_conf table, which CONF_modules_unload frees without a lock
 * in stock OpenSSL (conf_ssl.c), whatever module is loaded. Only the main
 * thread makes SSL_CTXs. Prints one line per step; exit 0 ok, 1 failed.
 * Built with ThreadSanitizer in scripts/test-sanitize.sh, run under
 * valgrind by test_hardening.py.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static EVP_PKEY *eckey, *rsa1024;
static X509 *cert;
static SSL_CTX *sctx, *cctx;
static int failures, stop;

static void fail(const char *what)
{
    __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);
    fprintf(stderr, "FAIL: %s\n", what);
    ERR_print_errors_fp(stderr);
}

static int make_cert(void)
{
    eckey = EVP_EC_gen("P-256");
    rsa1024 = EVP_RSA_gen(1024); /* key generation is not refused, use is */
    cert = X509_new();
    if (eckey == NULL || rsa1024 == NULL || cert == NULL)
        return -1;
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_NAME *n = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(cert, n);
    X509_set_pubkey(cert, eckey);
    return X509_sign(cert, eckey, EVP_sha256()) > 0 ? 0 : -1;
}

/* 1 if a signature with digest md and key k can be made. */
static int can_sign(EVP_PKEY *k, const char *md)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned char sig[512];
    size_t len = sizeof(sig);
    int ok = m != NULL && EVP_DigestSignInit_ex(m, NULL, md, NULL, NULL, k, NULL) == 1
             && EVP_DigestSign(m, sig, &len, (const unsigned char *)"tbs", 3) == 1;

    EVP_MD_CTX_free(m);
    ERR_clear_error();
    return ok;
}

static const char *vname(long v)
{
    return v == 0 ? "none" : v == TLS1_VERSION ? "TLSv1" : v == TLS1_1_VERSION ? "TLSv1.1"
           : v == TLS1_2_VERSION ? "TLSv1.2" : v == TLS1_3_VERSION ? "TLSv1.3" : "?";
}

/* The minimum version a new SSL_CTX gets from the defaults. */
static const char *new_ctx_min(void)
{
    SSL_CTX *c = SSL_CTX_new(TLS_method());
    const char *v = c != NULL ? vname(SSL_CTX_get_min_proto_version(c)) : "noctx";

    SSL_CTX_free(c);
    return v;
}

/* One step: print what holds; 0 if the floors and the default held. */
static int step(const char *what, int want_defaults)
{
    int sha1 = can_sign(eckey, "SHA1"), small = can_sign(rsa1024, "SHA256");
    int sha256 = can_sign(eckey, "SHA256");
    const char *min = new_ctx_min();

    printf("%s: sha1=%s rsa1024=%s sha256=%s min=%s\n", what, sha1 ? "signed" : "refused",
           small ? "signed" : "refused", sha256 ? "signed" : "refused", min);
    if (sha1 || small || !sha256 || (want_defaults && strcmp(min, "TLSv1.3") != 0)) {
        fail(what);
        return -1;
    }
    return 0;
}

static int make_ctxs(void)
{
    sctx = SSL_CTX_new(TLS_server_method());
    cctx = SSL_CTX_new(TLS_client_method());
    if (sctx == NULL || cctx == NULL || SSL_CTX_use_certificate(sctx, cert) != 1
        || SSL_CTX_use_PrivateKey(sctx, eckey) != 1)
        return -1;
    X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), cert);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    return 0;
}

/* One in-memory handshake with the SSL_CTXs made at start. */
static int handshake(void)
{
    SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
    BIO *b1 = NULL, *b2 = NULL;
    int ok = 0;

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
out:
    SSL_free(s);
    SSL_free(c);
    return ok;
}

static long done_rounds;

static void *worker(void *arg)
{
    int check_result = arg != NULL;

    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        int ok = handshake();
        int sha1 = can_sign(eckey, "SHA1");
        if (check_result && !ok)
            fail("handshake while the module is unloaded and reloaded");
        if (check_result && sha1)
            fail("SHA-1 signature while the module is unloaded and reloaded");
        ERR_clear_error();
        __atomic_add_fetch(&done_rounds, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void wait_rounds(long n)
{
    long start = __atomic_load_n(&done_rounds, __ATOMIC_RELAXED);

    while (__atomic_load_n(&done_rounds, __ATOMIC_RELAXED) - start < n
           && !__atomic_load_n(&failures, __ATOMIC_RELAXED))
        sched_yield();
}

static int reload(void)
{
    CONF_modules_unload(1);
    if (CONF_modules_load_file(NULL, NULL, 0) <= 0) {
        fail("CONF_modules_load_file after CONF_modules_unload(1)");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    pthread_t th[16];
    int nt = argc > 2 ? atoi(argv[2]) : 0;

    if (argc < 2 || getenv("OPENSSL_CONF") == NULL || nt < 0 || nt > 16) {
        fprintf(stderr, "usage: OPENSSL_CONF=... unload reload|finish|threads N C|exit N\n");
        return 2;
    }
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL) || make_cert() < 0) {
        fail("start");
        return 1;
    }
    if (strcmp(argv[1], "reload") == 0 || strcmp(argv[1], "finish") == 0) {
        int fin = argv[1][0] == 'f';
        step("loaded", 1);
        if (fin)
            CONF_modules_finish();
        else
            CONF_modules_unload(1);
        step(fin ? "finished" : "unloaded", 0);
        if (CONF_modules_load_file(NULL, NULL, 0) <= 0)
            fail("CONF_modules_load_file");
        step("reloaded", 1);
        CONF_modules_unload(1);
        if (CONF_modules_load_file(NULL, NULL, 0) <= 0)
            fail("CONF_modules_load_file, twice");
        step("reloaded twice", 1);
    } else if (strcmp(argv[1], "threads") == 0 && argc == 4) {
        int cycles = atoi(argv[3]);
        if (make_ctxs() < 0 || step("loaded", 1) < 0)
            return 1;
        for (int i = 0; i < nt; i++)
            pthread_create(&th[i], NULL, worker, (void *)1);
        for (int i = 0; i < cycles && !failures; i++) {
            wait_rounds(nt); /* some handshakes in each window */
            if (reload() < 0)
                break;
            if (strcmp(new_ctx_min(), "TLSv1.3") != 0)
                fail("defaults after a reload in a busy process");
        }
        wait_rounds(nt);
        __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
        for (int i = 0; i < nt; i++)
            pthread_join(th[i], NULL);
        step("after the reloads", 1);
        printf("%d threads, %d reloads, %ld handshakes: %s\n", nt, cycles, done_rounds,
               failures ? "FAILED" : "all TLS 1.3, no SHA-1 signature");
        SSL_CTX_free(sctx);
        SSL_CTX_free(cctx);
    } else if (strcmp(argv[1], "exit") == 0 && argc == 3) {
        if (make_ctxs() < 0)
            return 1;
        for (int i = 0; i < nt; i++)
            pthread_create(&th[i], NULL, worker, NULL);
        wait_rounds(2L * nt);
        printf("exit with %d threads handshaking\n", nt);
        fflush(stdout);
        return 0; /* atexit: OPENSSL_cleanup while they run */
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    X509_free(cert);
    EVP_PKEY_free(eckey);
    EVP_PKEY_free(rsa1024);
    return failures ? 1 : 0;
}
