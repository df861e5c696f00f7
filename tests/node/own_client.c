/*
 * own_client - a TLS client that carries its own OpenSSL (libcrypto.a and
 * libssl.a linked in), as NodeSource's node does, to test the module in
 * such a process without node (see meson.build for the three builds).
 *
 *   own_client PORT     connect to 127.0.0.1:PORT asking for TLS 1.0 and
 *                       ALL:@SECLEVEL=0, no verification; print
 *                       "connected TLSv1.x" (exit 0) or "refused: ERR" (1)
 *   own_client PORT hold   the same, then wait (60 s) for `coverage` to look
 *
 * It also prints "libcrypto.so.3 mapped: yes|no" after OpenSSL loaded its
 * configuration (and with it our module), which shows whether a second
 * copy came into the process.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static int so_mapped(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096];
    int found = 0;

    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        found |= strstr(line, "/libcrypto.so.3") != NULL;
    if (f != NULL)
        fclose(f);
    return found;
}

int main(int argc, char **argv)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    SSL_CTX *ctx;
    SSL *ssl;
    int fd;

    if (argc != 2 && !(argc == 3 && strcmp(argv[2], "hold") == 0)) {
        fprintf(stderr, "usage: own_client PORT [hold]\n");
        return 2;
    }
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL);
    printf("own OpenSSL: %s\n", OpenSSL_version(OPENSSL_VERSION));
    printf("libcrypto.so.3 mapped: %s\n", so_mapped() ? "yes" : "no");
    ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION)
        || !SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0"))
        return 3;
    sa.sin_port = htons((unsigned short)atoi(argv[1]));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        return 3;
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) {
        char buf[256];

        ERR_error_string_n(ERR_peek_last_error(), buf, sizeof(buf));
        printf("refused: %s\n", buf);
        fflush(stdout);
        if (argc == 3)
            sleep(60);
        return 1;
    }
    printf("connected %s\n", SSL_get_version(ssl));
    fflush(stdout);
    if (argc == 3)
        sleep(60);
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return 0;
}
