/*
 * tp_probe - an ordinary OpenSSL program, as the module sees one: it never
 * configures TLS itself. It prints what an SSL_CTX gets from openssl.cnf
 * (and so from the tlspolicy module), one `key=value` per line, or connects
 * somewhere without configuring verification.
 *
 *   tp_probe ctx [client|server|any [NAME]]
 *                                      settings of a fresh SSL_CTX (after
 *                                      SSL_CTX_config(NAME) if given)
 *   tp_probe serve PORT CERT KEY N     a TLS_method server that never sets
 *                                      verification; N connections
 *   tp_probe connect HOST PORT [CAFILE]
 *                                      handshake; exit 0 if it succeeded
 *                                      (CAFILE: the program's own CA)
 *   tp_probe threads N                 N threads race OpenSSL init and
 *                                      SSL_CTX_new; exit 0 if all agree
 *   tp_probe libctx                    a second OSSL_LIB_CTX loading the
 *                                      same openssl.cnf
 *   tp_probe sha1                      plain SHA-1 hashing still works
 *   tp_probe hello                     the ClientHello a fresh client
 *                                      context sends: groups, sigalgs
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

static const char *vname(int v)
{
    switch (v) {
    case 0: return "none";
    case TLS1_VERSION: return "TLSv1";
    case TLS1_1_VERSION: return "TLSv1.1";
    case TLS1_2_VERSION: return "TLSv1.2";
    case TLS1_3_VERSION: return "TLSv1.3";
    default: return "?";
    }
}

static int print_prov(OSSL_PROVIDER *p, void *arg)
{
    int *first = arg;
    printf("%s%s", *first ? "" : ",", OSSL_PROVIDER_get0_name(p));
    *first = 0;
    return 1;
}

static void print_providers(OSSL_LIB_CTX *lc, const char *key)
{
    int first = 1;
    printf("%s=", key);
    OSSL_PROVIDER_do_all(lc, print_prov, &first);
    printf("\n");
}

static void print_ctx(SSL_CTX *ctx)
{
    STACK_OF(SSL_CIPHER) *ciphers = SSL_CTX_get_ciphers(ctx);
    int i;

    printf("min=%s\n", vname((int)SSL_CTX_get_min_proto_version(ctx)));
    printf("max=%s\n", vname((int)SSL_CTX_get_max_proto_version(ctx)));
    printf("verify=%d\n", SSL_CTX_get_verify_mode(ctx));
    printf("ciphers=");
    for (i = 0; i < sk_SSL_CIPHER_num(ciphers); i++)
        printf("%s%s", i ? ":" : "", SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
    printf("\n");
    printf("seclevel=%d\n", SSL_CTX_get_security_level(ctx));
    printf("store_objects=%d\n", sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx))));
}

static int do_ctx(const char *kind, const char *named)
{
    const SSL_METHOD *m = TLS_method();
    SSL_CTX *ctx;

    if (kind != NULL && strcmp(kind, "client") == 0)
        m = TLS_client_method();
    else if (kind != NULL && strcmp(kind, "server") == 0)
        m = TLS_server_method();
    if ((ctx = SSL_CTX_new(m)) == NULL) {
        ERR_print_errors_fp(stdout);
        return 1;
    }
    if (named != NULL)
        printf("named=%s\n", SSL_CTX_config(ctx, named) ? "ok" : "failed");
    print_ctx(ctx);
    printf("no_ticket=%d\n", (SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET) != 0);
    print_providers(NULL, "providers");
    SSL_CTX_free(ctx);
    return 0;
}

static int do_connect(const char *host, const char *port, const char *cafile)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    BIO *b;
    SSL *s;
    int rc = 1;
    char hp[300];

    if (ctx == NULL) {
        ERR_print_errors_fp(stdout);
        return 2;
    }
    if (cafile != NULL && !SSL_CTX_load_verify_locations(ctx, cafile, NULL)) {
        ERR_print_errors_fp(stdout);
        return 2;
    }
    snprintf(hp, sizeof(hp), "%s:%s", host, port);
    b = BIO_new_ssl_connect(ctx);
    BIO_get_ssl(b, &s);
    BIO_set_conn_hostname(b, hp);
    SSL_set_tlsext_host_name(s, "localhost");
    if (BIO_do_handshake(b) > 0) {
        printf("handshake=ok\nversion=%s\ncipher=%s\n", SSL_get_version(s),
               SSL_CIPHER_get_name(SSL_get_current_cipher(s)));
        rc = 0;
    } else {
        unsigned long e = ERR_peek_error();
        printf("handshake=failed\nreason=%s\n", ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "?");
    }
    printf("verify_result=%ld (%s)\n", SSL_get_verify_result(s),
           X509_verify_cert_error_string(SSL_get_verify_result(s)));
    BIO_free_all(b);
    SSL_CTX_free(ctx);
    return rc;
}

static const struct { unsigned id; const char *name; } group_names[] = {
    {0x0017, "secp256r1"}, {0x0018, "secp384r1"}, {0x0019, "secp521r1"},
    {0x001d, "x25519"}, {0x001e, "x448"}, {0x0100, "ffdhe2048"}, {0x0101, "ffdhe3072"},
    {0x0102, "ffdhe4096"}, {0x0103, "ffdhe6144"}, {0x0104, "ffdhe8192"},
};

static unsigned get16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* The extensions of the ClientHello a fresh TLS_client_method context
 * writes, as the server would see them. */
static int do_hello(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *s = ctx != NULL ? SSL_new(ctx) : NULL;
    BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
    const unsigned char *p, *end;
    char *data;
    long len;
    size_t i, n;

    if (s == NULL || rb == NULL || wb == NULL) {
        ERR_print_errors_fp(stdout);
        return 1;
    }
    SSL_set_bio(s, rb, wb);
    SSL_set_connect_state(s);
    SSL_do_handshake(s); /* writes the ClientHello, then wants to read */
    len = BIO_get_mem_data(wb, &data);
    p = (const unsigned char *)data;
    end = p + len;
    /* record(5) handshake(4) version(2) random(32) */
    if (len < 5 + 4 + 2 + 32 + 1 || p[0] != 22 || p[5] != 1)
        return 1;
    p += 5 + 4 + 2 + 32;
    p += 1 + p[0];        /* session id */
    p += 2 + get16(p);    /* cipher suites */
    p += 1 + p[0];        /* compression methods */
    p += 2;               /* extensions length */
    while (p + 4 <= end) {
        unsigned type = get16(p), elen = get16(p + 2);
        const unsigned char *e = p + 4;
        if (e + elen > end)
            break;
        if (type == 10 || type == 13) { /* supported_groups, signature_algorithms */
            printf("%s=", type == 10 ? "hello_groups" : "hello_sigalgs");
            for (i = 0, n = get16(e) / 2; i < n; i++) {
                unsigned id = get16(e + 2 + 2 * i);
                const char *name = NULL;
                size_t k;
                for (k = 0; type == 10 && k < sizeof(group_names) / sizeof(group_names[0]); k++)
                    if (group_names[k].id == id)
                        name = group_names[k].name;
                if (name != NULL)
                    printf("%s%s", i ? ":" : "", name);
                else
                    printf("%s0x%04x", i ? ":" : "", id);
            }
            printf("\n");
        }
        p = e + elen;
    }
    SSL_free(s);
    SSL_CTX_free(ctx);
    return 0;
}

static int certreq_sent;
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg)
{
    (void)version, (void)ssl, (void)arg;
    if (write_p && content_type == SSL3_RT_HANDSHAKE && len > 0
        && ((const unsigned char *)buf)[0] == SSL3_MT_CERTIFICATE_REQUEST)
        certreq_sent = 1;
}

static int do_serve(const char *port, const char *cert, const char *key, int n)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    char hp[64];
    BIO *acc;
    int i;

    snprintf(hp, sizeof(hp), "127.0.0.1:%s", port);
    if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1
        || (acc = BIO_new_accept(hp)) == NULL || BIO_do_accept(acc) <= 0) {
        ERR_print_errors_fp(stdout);
        return 2;
    }
    SSL_CTX_set_msg_callback(ctx, msg_cb);
    printf("listening=%s\n", port);
    fflush(stdout);
    for (i = 0; i < n; i++) {
        BIO *cl;
        SSL *s;
        X509 *peer;
        char buf[64];

        if (BIO_do_accept(acc) <= 0)
            break;
        cl = BIO_pop(acc);
        s = SSL_new(ctx);
        SSL_set_bio(s, cl, cl);
        certreq_sent = 0;
        if (SSL_accept(s) == 1) {
            (void)SSL_read(s, buf, sizeof(buf)); /* TLS 1.3: client cert is checked by now */
            peer = SSL_get1_peer_certificate(s);
            printf("conn%d=ok certreq=%d peer_cert=%d\n", i, certreq_sent, peer != NULL);
            X509_free(peer);
            SSL_write(s, "hello\n", 6);
            SSL_shutdown(s);
        } else {
            unsigned long e = ERR_peek_error();
            printf("conn%d=failed certreq=%d reason=%s\n", i, certreq_sent,
                   ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "?");
            ERR_clear_error();
        }
        fflush(stdout);
        SSL_free(s);
    }
    BIO_free_all(acc);
    SSL_CTX_free(ctx);
    return 0;
}

static long thread_min[64];
static void *thread_main(void *arg)
{
    long i = (long)arg;
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());

    thread_min[i] = ctx != NULL ? SSL_CTX_get_min_proto_version(ctx) : -1;
    SSL_CTX_free(ctx);
    return NULL;
}

static int do_threads(int n)
{
    pthread_t t[64];
    long i;
    int rc = 0;

    if (n > 64)
        n = 64;
    for (i = 0; i < n; i++)
        pthread_create(&t[i], NULL, thread_main, (void *)i);
    for (i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    for (i = 0; i < n; i++)
        if (thread_min[i] != thread_min[0])
            rc = 1;
    printf("min=%s\nagree=%s\n", vname((int)thread_min[0]), rc ? "no" : "yes");
    return rc;
}

static int do_libctx(void)
{
    OSSL_LIB_CTX *lc = OSSL_LIB_CTX_new();
    const char *cnf = getenv("OPENSSL_CONF");
    SSL_CTX *ctx;

    if (lc == NULL || cnf == NULL || !OSSL_LIB_CTX_load_config(lc, cnf)) {
        ERR_print_errors_fp(stdout);
        return 1;
    }
    print_providers(lc, "libctx_providers");
    ctx = SSL_CTX_new_ex(lc, NULL, TLS_method());
    if (ctx == NULL) {
        ERR_print_errors_fp(stdout);
        return 1;
    }
    printf("libctx_min=%s\n", vname((int)SSL_CTX_get_min_proto_version(ctx)));
    SSL_CTX_free(ctx);
    print_providers(NULL, "providers");
    OSSL_LIB_CTX_free(lc);
    return 0;
}

static int do_sha1(void)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    if (!EVP_Digest("abc", 3, md, &len, EVP_sha1(), NULL)) {
        ERR_print_errors_fp(stdout);
        return 1;
    }
    printf("sha1_len=%u\n", len);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 2;

    if (argc >= 2 && strcmp(argv[1], "ctx") == 0)
        rc = do_ctx(argc >= 3 ? argv[2] : NULL, argc >= 4 ? argv[3] : NULL);
    else if (argc >= 4 && strcmp(argv[1], "connect") == 0)
        rc = do_connect(argv[2], argv[3], argc >= 5 ? argv[4] : NULL);
    else if (argc >= 3 && strcmp(argv[1], "threads") == 0)
        rc = do_threads(atoi(argv[2]));
    else if (argc >= 2 && strcmp(argv[1], "libctx") == 0)
        rc = do_libctx();
    else if (argc >= 2 && strcmp(argv[1], "sha1") == 0)
        rc = do_sha1();
    else if (argc >= 6 && strcmp(argv[1], "serve") == 0)
        rc = do_serve(argv[2], argv[3], argv[4], atoi(argv[5]));
    else if (argc >= 2 && strcmp(argv[1], "hello") == 0)
        rc = do_hello();
    else
        fprintf(stderr, "usage: %s ctx [client|server|any [NAME]]|connect HOST PORT [CAFILE]|serve PORT CERT KEY N|threads N|libctx|sha1|hello\n",
                argv[0]);
    fflush(stdout);
    return rc;
}
