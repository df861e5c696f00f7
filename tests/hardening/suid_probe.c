/*
 * suid_probe - a tiny program that makes an SSL_CTX under the openssl.cnf
 * named on its command line and prints its minimum protocol version. The
 * test copies it, makes the copy setuid (or setgid) root and runs it as
 * nobody: TLSPOLICY_CONF must then be ignored (secure_getenv), as it is not
 * for the same program without the bit. (libcrypto ignores OPENSSL_CONF in
 * setuid programs too, hence the file name as an argument, as a setuid
 * program with a compiled-in configuration would pass it.)
 *
 * It also tries a SHA-1 signature with a 1024-bit RSA key, which DEFAULT
 * refuses and an application rule may allow (issue 12: such a rule must not
 * be chosen by the name a setuid program is started under).
 *
 *   suid_probe OPENSSL_CNF   prints "euid=N uid=N min=TLSv1.x sha1rsa1024=signed|refused"
 */
#include <stdio.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>

/* In an ASan build: LeakSanitizer stops the world with ptrace, which a
 * setgid process run by nobody does not allow (fatal error at exit). */
int __lsan_is_turned_off(void);
__attribute__((visibility("default"))) int __lsan_is_turned_off(void)
{
    return 1;
}

static const char *sha1_rsa1024(void)
{
    EVP_PKEY *k = EVP_RSA_gen(1024);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned char sig[256];
    size_t len = sizeof(sig);
    int ok = k != NULL && m != NULL && EVP_DigestSignInit_ex(m, NULL, "SHA1", NULL, NULL, k, NULL) == 1
             && EVP_DigestSign(m, sig, &len, (const unsigned char *)"tbs", 3) == 1;

    EVP_MD_CTX_free(m);
    EVP_PKEY_free(k);
    ERR_clear_error();
    return k == NULL ? "nokey" : ok ? "signed" : "refused";
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    OPENSSL_INIT_SETTINGS *s = OPENSSL_INIT_new();
    if (s == NULL || !OPENSSL_INIT_set_config_filename(s, argv[1]))
        return 3;
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, s))
        return 4;
    OPENSSL_INIT_free(s);
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    if (ctx == NULL)
        return 5;
    long v = SSL_CTX_get_min_proto_version(ctx);
    printf("euid=%u uid=%u min=%s sha1rsa1024=%s\n", (unsigned)geteuid(), (unsigned)getuid(),
           v == TLS1_VERSION ? "TLSv1" : v == TLS1_1_VERSION ? "TLSv1.1"
           : v == TLS1_2_VERSION ? "TLSv1.2" : v == TLS1_3_VERSION ? "TLSv1.3" : "none",
           sha1_rsa1024());
    SSL_CTX_free(ctx);
    return 0;
}
