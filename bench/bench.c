/*
 * bench.c - what the provider costs, as ratios against stock OpenSSL
 * measured in the same run (never a timed test).
 *
 *   tlspolicy-bench MODULE.so [seconds-per-sample]
 *
 * Each measurement runs in a fresh child process of this program, with
 * OPENSSL_CONF pointing either at an empty file (stock: the default
 * provider) or at the Contract wiring with the DEFAULT policy. Stock and
 * policy children alternate, and the median of the rounds is reported:
 *   - TLS 1.3 and TLS 1.2 full handshakes per second (in-process, BIO pair,
 *     RSA-2048 server, no resumption)
 *   - AES-256-GCM and ChaCha20-Poly1305 bulk encryption, 16 KiB records
 *   - process start: OPENSSL_init_ssl + the first SSL_CTX_new, wall time,
 *     and instructions under valgrind --tool=callgrind when available
 *   - instructions for 20 handshakes (callgrind): the deterministic twin
 *     of handshakes per second
 *   - heap in use and RSS after that start (extra memory per process)
 * Targets (issue 4): handshakes and bulk >= 0.98 / 0.99 of stock, start
 * <= 1.10 of stock, extra memory < 1 MiB.
 *
 * Start-up (issue 14), also alone with --start (a few minutes: every row is
 * a stock and a policy run under callgrind):
 *   - the libssl-init program: OPENSSL_init_ssl, a client and a server
 *     SSL_CTX, exit; instructions of the whole process (dynamic loading
 *     and exit included)
 *   - one whole `curl -k` request to a local TLS 1.3 server (a stock
 *     server forked by this program), instructions of the curl process;
 *     skipped without curl
 *   - each further SSL_CTX_new + SSL_new, instructions per pair (20 pairs
 *     after the first context)
 *   - wall time of that curl request and of `openssl version` (medians)
 * Targets: <= 1.10, <= 1.05, <= 1.05.
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tpt.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- child: one measurement, prints one number --------------------------- */

static EVP_PKEY *key;
static X509 *cert;

static void load_creds(const char *dir)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/key.pem", dir);
    f = fopen(path, "r");
    key = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f != NULL)
        fclose(f);
    snprintf(path, sizeof(path), "%s/cert.pem", dir);
    f = fopen(path, "r");
    cert = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f != NULL)
        fclose(f);
    if (key == NULL || cert == NULL) {
        ERR_print_errors_fp(stderr);
        exit(99);
    }
}

static int one_handshake(SSL_CTX *cc, SSL_CTX *sc)
{
    SSL *c = SSL_new(cc), *s = SSL_new(sc);
    BIO *bc, *bs;
    int i, rc = 0, rs = 0;

    if (c == NULL || s == NULL || !BIO_new_bio_pair(&bc, 0, &bs, 0))
        exit(99);
    SSL_set_bio(c, bc, bc);
    SSL_set_bio(s, bs, bs);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    for (i = 0; i < 32 && !(rc == 1 && rs == 1); i++) {
        rc = SSL_do_handshake(c);
        rs = SSL_do_handshake(s);
    }
    SSL_free(c);
    SSL_free(s);
    return rc == 1 && rs == 1;
}

/* A fixed number of handshakes, separate so that callgrind can count
 * only these (deterministic, unlike handshakes per second on a busy box). */
__attribute__((noinline)) void tp_bench_hs_region(SSL_CTX *cc, SSL_CTX *sc, int n);
__attribute__((noinline)) void tp_bench_hs_region(SSL_CTX *cc, SSL_CTX *sc, int n)
{
    while (n-- > 0)
        if (!one_handshake(cc, sc))
            exit(98);
}

/* secs < 0: run -secs handshakes in tp_bench_hs_region after warm-up. */
static double bench_handshake(int version, double secs)
{
    SSL_CTX *cc = SSL_CTX_new(TLS_client_method());
    SSL_CTX *sc = SSL_CTX_new(TLS_server_method());
    double t0, t;
    long n = 0;

    if (cc == NULL || sc == NULL || !SSL_CTX_use_certificate(sc, cert)
        || !SSL_CTX_use_PrivateKey(sc, key))
        exit(99);
    SSL_CTX_set_min_proto_version(cc, version);
    SSL_CTX_set_max_proto_version(cc, version);
    SSL_CTX_set_verify(cc, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(cc, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_session_cache_mode(sc, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(sc, SSL_OP_NO_TICKET);
    if (version == TLS1_2_VERSION)
        SSL_CTX_set_cipher_list(cc, "ECDHE-RSA-AES128-GCM-SHA256");
    if (!one_handshake(cc, sc)) { /* warm-up, and proof it works */
        ERR_print_errors_fp(stderr);
        exit(98);
    }
    t0 = now();
    if (secs < 0) {
        tp_bench_hs_region(cc, sc, (int)-secs);
        n = (long)-secs;
        t = now() - t0;
    } else {
        do {
            if (!one_handshake(cc, sc))
                exit(98);
            n++;
            t = now() - t0;
        } while (t < secs);
    }
    SSL_CTX_free(cc);
    SSL_CTX_free(sc);
    return (double)n / t;
}

static double bench_bulk(const char *name, double secs)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    static unsigned char in[16384], out[16384 + 32];
    unsigned char k[32] = { 1 }, iv[12] = { 2 }, tag[16];
    double t0, t;
    long n = 0;
    int l;

    if (c == NULL || x == NULL)
        exit(99);
    t0 = now();
    do {
        iv[0] = (unsigned char)n;
        if (!EVP_EncryptInit_ex2(x, c, k, iv, NULL)
            || !EVP_EncryptUpdate(x, out, &l, in, sizeof(in))
            || !EVP_EncryptFinal_ex(x, out + l, &l)
            || !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, tag))
            exit(98);
        n++;
        t = now() - t0;
    } while (t < secs);
    EVP_CIPHER_CTX_free(x);
    EVP_CIPHER_free(c);
    return (double)n * sizeof(in) / t / 1e6; /* MB/s */
}

/* The start-up region, separate so callgrind can count only it. */
__attribute__((noinline)) void tp_bench_start_region(void);
__attribute__((noinline)) void tp_bench_start_region(void)
{
    SSL_CTX *ctx;

    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
        exit(99);
    ctx = SSL_CTX_new(TLS_method());
    if (ctx == NULL)
        exit(99);
    /* kept: the first SSL_CTX's fetches are what a program pays */
}

/* Further contexts: n SSL_CTX_new + SSL_new pairs after the first. */
__attribute__((noinline)) void tp_bench_ctx_region(int n);
__attribute__((noinline)) void tp_bench_ctx_region(int n)
{
    while (n-- > 0) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        SSL *ssl = ctx != NULL ? SSL_new(ctx) : NULL;

        if (ssl == NULL)
            exit(99);
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    }
}

#define TP_BENCH_CTX_N 20

static long rss_kib(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static int child(const char *what, const char *dir, double secs)
{
    double r = 0;

    if (strcmp(what, "init") == 0) {
        /* The libssl-init program: the whole process is counted. */
        SSL_CTX *c, *sv;

        if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
            return 99;
        c = SSL_CTX_new(TLS_client_method());
        sv = SSL_CTX_new(TLS_server_method());
        if (c == NULL || sv == NULL)
            return 99;
        SSL_CTX_free(c);
        SSL_CTX_free(sv);
        r = 1;
    } else if (strcmp(what, "ctx") == 0) {
        tp_bench_start_region();
        tp_bench_ctx_region(TP_BENCH_CTX_N);
        r = 1;
    } else if (strcmp(what, "start") == 0) {
        double t0 = now();

        tp_bench_start_region();
        r = (now() - t0) * 1e6; /* microseconds */
    } else if (strcmp(what, "mem") == 0) {
        struct mallinfo2 m0 = mallinfo2(), m1;
        long rss0 = rss_kib();

        tp_bench_start_region();
        m1 = mallinfo2();
        printf("%.0f %ld\n", (double)(m1.uordblks - m0.uordblks) / 1024.0,
               rss_kib() - rss0);
        return 0;
    } else {
        OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL);
        load_creds(dir);
        if (strcmp(what, "tls13") == 0)
            r = bench_handshake(TLS1_3_VERSION, secs);
        else if (strcmp(what, "tls12") == 0)
            r = bench_handshake(TLS1_2_VERSION, secs);
        else if (strcmp(what, "aesgcm") == 0)
            r = bench_bulk("AES-256-GCM", secs);
        else if (strcmp(what, "chacha") == 0)
            r = bench_bulk("ChaCha20-Poly1305", secs);
        else
            return 2;
    }
    printf("%.3f\n", r);
    return 0;
}

/* ---- parent ------------------------------------------------------------ */

static char self[4096], stock_cnf[512], policy_cnf[512];
static const char *dir;
static double divisor = 1; /* compare() divides both medians by it */

/* Run a child with the given config; returns its first line. */
static int run_child(const char *cnf, const char *what, double secs,
                     const char *wrap, char *out, size_t outlen)
{
    char cmd[8192];
    FILE *p;

    if (strncmp(what, "cmd:", 4) == 0) /* another program, output ignored */
        snprintf(cmd, sizeof(cmd), "OPENSSL_CONF='%s' LD_LIBRARY_PATH='%s' %s %s %s",
                 cnf, TP_BENCH_LIBDIR, wrap != NULL ? wrap : "", what + 4,
                 wrap != NULL ? "2>&1 >/dev/null" : ">/dev/null 2>&1 && echo 1");
    else
        snprintf(cmd, sizeof(cmd), "OPENSSL_CONF='%s' %s '%s' --child %s '%s' %.3f %s",
                 cnf, wrap != NULL ? wrap : "", self, what, dir, secs,
                 wrap != NULL ? "2>&1" : "");
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    out[0] = '\0';
    if (wrap != NULL) {
        /* callgrind: "==pid== Collected : N" */
        char line[512];

        while (fgets(line, sizeof(line), p) != NULL) {
            char *c = strstr(line, "Collected : ");
            if (c != NULL)
                snprintf(out, outlen, "%s", c + 12);
        }
    } else if (fgets(out, (int)outlen, p) == NULL) {
        out[0] = '\0';
    }
    return pclose(p) == 0 && out[0] != '\0' ? 0 : -1;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Alternate stock/policy `rounds` times; print medians and the ratio. */
static void compare(const char *label, const char *what, int rounds,
                    double secs, const char *unit, const char *target,
                    const char *wrap)
{
    double s[64], p[64], ms, mp;
    char out[256];
    int i;

    for (i = 0; i < rounds; i++) {
        if (run_child(stock_cnf, what, secs, wrap, out, sizeof(out)) != 0) {
            printf("%-34s stock run failed\n", label);
            return;
        }
        s[i] = atof(out);
        if (run_child(policy_cnf, what, secs, wrap, out, sizeof(out)) != 0) {
            printf("%-34s policy run failed\n", label);
            return;
        }
        p[i] = atof(out);
    }
    ms = median(s, rounds) / divisor;
    mp = median(p, rounds) / divisor;
    printf("%-34s stock %12.1f  policy %12.1f %-8s ratio %.3f  (target %s)\n",
           label, ms, mp, unit, ms > 0 ? mp / ms : 0, target);
    fflush(stdout);
}

/* Whole process (exec, dynamic loading, init + SSL_CTX_new, exit), wall
 * time measured by the parent: what a short-lived program pays. */
static void compare_process(const char *label, const char *what, int rounds)
{
    double s[64], p[64], t0, ms, mp;
    char out[256];
    int i;

    for (i = 0; i < rounds; i++) {
        t0 = now();
        if (run_child(stock_cnf, what, 0, NULL, out, sizeof(out)) != 0) {
            printf("%-34s stock run failed\n", label);
            return;
        }
        s[i] = (now() - t0) * 1e6;
        t0 = now();
        if (run_child(policy_cnf, what, 0, NULL, out, sizeof(out)) != 0) {
            printf("%-34s policy run failed\n", label);
            return;
        }
        p[i] = (now() - t0) * 1e6;
    }
    ms = median(s, rounds);
    mp = median(p, rounds);
    printf("%-34s stock %12.1f  policy %12.1f %-8s ratio %.3f  (extra %.0f us)\n",
           label, ms, mp, "us", mp / ms, mp - ms);
    fflush(stdout);
}

static void make_creds(void)
{
    char path[512];
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    X509 *x = X509_new();
    FILE *f;

    X509_set_version(x, 2);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, k);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)"bench", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    if (k == NULL || X509_sign(x, k, EVP_sha256()) <= 0)
        exit(99);
    snprintf(path, sizeof(path), "%s/key.pem", dir);
    f = fopen(path, "w");
    PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    snprintf(path, sizeof(path), "%s/cert.pem", dir);
    f = fopen(path, "w");
    PEM_write_X509(f, x);
    fclose(f);
    EVP_PKEY_free(k);
    X509_free(x);
}

/* A stock TLS server on 127.0.0.1 for the curl row: a forked copy of this
 * process (stock configuration), one HTTP answer per connection. Returns
 * the port, 0 on failure; *pid is the server's, stopped by stop_server. */
static int start_server(pid_t *pid)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    SSL_CTX *sc;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0
        || listen(fd, 8) != 0
        || getsockname(fd, (struct sockaddr *)&a, &al) != 0)
        return 0;
    sc = SSL_CTX_new(TLS_server_method());
    if (sc == NULL || !SSL_CTX_use_certificate(sc, cert)
        || !SSL_CTX_use_PrivateKey(sc, key))
        return 0;
    *pid = fork();
    if (*pid < 0)
        return 0;
    if (*pid == 0) {
        static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                                     "Connection: close\r\n\r\nok\n";
        char buf[4096];

        for (;;) {
            int c = accept(fd, NULL, NULL);
            SSL *s;

            if (c < 0)
                continue;
            s = SSL_new(sc);
            SSL_set_fd(s, c);
            if (SSL_accept(s) == 1 && SSL_read(s, buf, sizeof(buf)) > 0)
                SSL_write(s, answer, (int)sizeof(answer) - 1);
            SSL_shutdown(s);
            SSL_free(s);
            close(c);
        }
    }
    close(fd);
    SSL_CTX_free(sc);
    return ntohs(a.sin_port);
}

static void stop_server(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
}

/* Issue 14: what every program pays for loading the module. */
static void start_figures(void)
{
    const char *cg = "valgrind --tool=callgrind --callgrind-out-file=/dev/null";
    char wrap[512], curl[256], ossl[512];
    pid_t srv = -1;
    int port;

    printf("# start-up (issue 14): callgrind instructions, stock and policy in this run\n");
    if (cert == NULL)
        load_creds(dir);
    if (system("valgrind --version > /dev/null 2>&1") != 0) {
        printf("# valgrind not found: no instruction counts\n");
    } else {
        compare("libssl-init program (whole)", "init", 1, 0, "Ir", "<= 1.10", cg);
        snprintf(wrap, sizeof(wrap), "%s --toggle-collect=tp_bench_ctx_region", cg);
        divisor = TP_BENCH_CTX_N;
        compare("each further SSL_CTX_new+SSL_new", "ctx", 1, 0, "Ir", "<= 1.05", wrap);
        divisor = 1;
    }
    port = system("curl --version > /dev/null 2>&1") == 0 ? start_server(&srv) : 0;
    if (port == 0) {
        printf("# curl or the local server not available: no curl figures\n");
    } else {
        snprintf(curl, sizeof(curl),
                 "cmd:curl -q -sSk --tlsv1.3 -o /dev/null https://127.0.0.1:%d/", port);
        if (system("valgrind --version > /dev/null 2>&1") == 0)
            compare("one curl request (whole curl)", curl, 1, 0, "Ir", "<= 1.05", cg);
        compare_process("wall: one curl request", curl, 21);
    }
    stop_server(srv);
    snprintf(ossl, sizeof(ossl), "cmd:'%s' version", TP_BENCH_OPENSSL);
    compare_process("wall: openssl version", ossl, 21);
}

int main(int argc, char **argv)
{
    double secs;
    ssize_t n;
    char s_out[256], p_out[256];

    int start_only = 0;

    if (argc >= 5 && strcmp(argv[1], "--child") == 0)
        return child(argv[2], argv[3], atof(argv[4]));
    if (argc >= 2 && strcmp(argv[1], "--start") == 0) {
        start_only = 1;
        argv++;
        argc--;
    }
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: %s [--start] MODULE.so [seconds-per-sample]\n", argv[0]);
        return 2;
    }
    secs = argc > 2 ? atof(argv[2]) : 1.0;
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return 99;
    self[n] = '\0';

    /* The profiles as installed (read and parsed at every start), unless
     * the caller names others; without them the module would fall back to
     * its compiled-in DEFAULT and the figures would miss that cost. */
    setenv("TLSPOLICY_DATADIR", TP_BENCH_DATADIR, 0);
    dir = tpt_setup(argv[1], "profile = \"DEFAULT\";\nmode = \"enforce\";\n");
    snprintf(policy_cnf, sizeof(policy_cnf), "%s", getenv("OPENSSL_CONF"));
    snprintf(stock_cnf, sizeof(stock_cnf), "%s/stock.cnf", dir);
    if (tpt_write(stock_cnf, "# stock: no configuration\n") != 0)
        return 99;
    setenv("OPENSSL_CONF", stock_cnf, 1);
    make_creds();

    printf("# tlspolicy benchmark: %s, %s, %.1f s per sample, medians\n",
           OpenSSL_version(OPENSSL_VERSION), argv[1], secs);
    if (start_only) {
        start_figures();
        return 0;
    }
    compare("TLS 1.3 handshakes/s", "tls13", 3, secs, "hs/s", ">= 0.98", NULL);
    compare("TLS 1.2 handshakes/s", "tls12", 3, secs, "hs/s", ">= 0.98", NULL);
    compare("AES-256-GCM 16 KiB", "aesgcm", 3, secs / 2, "MB/s", ">= 0.99", NULL);
    compare("ChaCha20-Poly1305 16 KiB", "chacha", 3, secs / 2, "MB/s", ">= 0.99", NULL);
    compare("start: init_ssl + SSL_CTX_new", "start", 21, 0, "us", "<= 1.10", NULL);
    compare_process("start: whole process (sh+exec)", "start", 21);
    if (system("valgrind --version > /dev/null 2>&1") == 0) {
        compare("start: instructions (callgrind)", "start", 1, 0, "Ir", "<= 1.10",
                "valgrind --tool=callgrind --callgrind-out-file=/dev/null "
                "--toggle-collect=tp_bench_start_region");
        /* instructions for 20 handshakes: the inverse of a rate */
        compare("TLS 1.3 x20 instructions (callgrind)", "tls13", 1, -20, "Ir", "<= 1.02",
                "valgrind --tool=callgrind --callgrind-out-file=/dev/null "
                "--toggle-collect=tp_bench_hs_region");
        compare("TLS 1.2 x20 instructions (callgrind)", "tls12", 1, -20, "Ir", "<= 1.02",
                "valgrind --tool=callgrind --callgrind-out-file=/dev/null "
                "--toggle-collect=tp_bench_hs_region");
    }
    if (run_child(stock_cnf, "mem", 0, NULL, s_out, sizeof(s_out)) == 0
        && run_child(policy_cnf, "mem", 0, NULL, p_out, sizeof(p_out)) == 0) {
        double sh = 0, ph = 0, sr = 0, pr = 0;

        sscanf(s_out, "%lf %lf", &sh, &sr);
        sscanf(p_out, "%lf %lf", &ph, &pr);
        printf("%-34s stock %9.0f KiB  policy %9.0f KiB  extra %.0f KiB heap, %.0f KiB RSS (target < 1024)\n",
               "memory after start", sh, ph, ph - sh, pr - sr);
    }
    start_figures();
    return 0;
}
