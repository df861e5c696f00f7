/*
 * test_bypass.c - the bypass matrix: every override a careless or old
 * program makes, tried under the policy, each row asserting what the
 * program sees (handshake outcome, negotiated version, alert, error
 * reason on the queue, verification result).
 *
 * The policed side uses the default library context, which openssl.cnf
 * (Contract wiring, written by tpt_setup) puts under tlspolicy. The peer is
 * a "stock" OpenSSL: a private library context with the default provider
 * loaded explicitly, i.e. an old or misconfigured remote end. Handshakes run
 * in-process over a BIO pair. Certificates and keys are made at start in the
 * stock context (the policed one refuses to sign with SHA-1, as it should).
 *
 * usage: test_bypass MODULE.so [default|strict|tls13|permissive|defaults-only|no-callback]
 * Prints one line per row; exit 0 if every row holds, 1 otherwise.
 * strict: DEFAULT:NO-CBC without RSA key exchange.
 * Rows marked "stock" run a second time with both sides stock: what the
 * policy refuses must work without it, in the same test.
 * defaults-only: the same rows with the policed side in a context that has
 * the plain default provider, so only the config module's defaults
 * (system_default) apply: neither the provider nor the security callback
 * (which is installed on SSL_CTXs of library contexts under the policy).
 * no-callback: the policed side as in default, but the program puts
 * libssl's own security callback back on each SSL_CTX and SSL: the
 * defaults and the provider, without the callback. In both, rows marked ESCAPES are held
 * by the layer left out; they fail only if a control row does not hold.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tpt.h"

/* Rows leave the fields after want_verify out unless they use them. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static OSSL_LIB_CTX *stock;

/* ---- the module's syslog lines --------------------------------------------
 * The module writes datagrams to /dev/log on its own socket. This program
 * exports connect() (meson: export_dynamic) so that, for the module, /dev/log
 * is a socket of ours in the test directory: each row can assert what the
 * administrator would read in the log. */
static char log_path[108];
static int log_fd = -1;

/* glibc's prototype (a transparent union under _GNU_SOURCE) */
__attribute__((visibility("default")))
int connect(int fd, __CONST_SOCKADDR_ARG addr, socklen_t len)
{
    static int (*real)(int, __CONST_SOCKADDR_ARG, socklen_t);
    const struct sockaddr *sa = addr.__sockaddr__;
    const struct sockaddr_un *un = addr.__sockaddr_un__;

    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "connect");
    if (log_path[0] != '\0' && sa != NULL && sa->sa_family == AF_UNIX
        && strcmp(un->sun_path, "/dev/log") == 0) {
        struct sockaddr_un mine;
        __CONST_SOCKADDR_ARG arg;

        memset(&mine, 0, sizeof(mine));
        mine.sun_family = AF_UNIX;
        memcpy(mine.sun_path, log_path, strlen(log_path) + 1);
        arg.__sockaddr_un__ = &mine;
        return real(fd, arg, sizeof(mine));
    }
    return real(fd, addr, len);
}

static void log_open(const char *dir)
{
    struct sockaddr_un a;

    snprintf(log_path, sizeof(log_path), "%s/log", dir);
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, log_path, strlen(log_path) + 1);
    log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (log_fd < 0 || bind(log_fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        perror("log socket");
        exit(99);
    }
}

/* Append the log lines received so far to buf. */
static void log_drain(char *buf, size_t size)
{
    char msg[1024];
    ssize_t n;

    while (log_fd >= 0 && (n = recv(log_fd, msg, sizeof(msg) - 1, 0)) > 0) {
        size_t have = strlen(buf);

        msg[n] = '\0';
        if (have + (size_t)n + 2 < size)
            snprintf(buf + have, size - have, "%s\n", msg);
    }
}

/* Rows whose log line is asserted (the first refusal of each kind: later
 * ones may be rate-limited), by row name. */
static const struct {
    const char *row, *log;
} want_logs[] = {
    { "client: DHE with a 1024-bit server group",
      "refused: DH key of 1024 bits is below the policy minimum of 2048" },
    { "client: 1024-bit server cert, VERIFY_NONE, TLS1.3",
      "refused: RSA key of 1024 bits is below the policy minimum of 2048" },
    { "permissive: 1024-bit server cert goes through",
      "permissive, would refuse: RSA key of 1024 bits is below the policy minimum of 2048" },
    { "permissive: SHA-1-signed chain verifies",
      "permissive, would refuse: SHA1 signatures are forbidden by policy" },
    { "permissive: DHE-1024 goes through",
      "permissive, would refuse: DH key of 1024 bits is below the policy minimum of 2048" },
    { "permissive: server chooses CAMELLIA",
      "permissive, would refuse: cipher ECDHE-RSA-CAMELLIA128-SHA256 is not allowed by policy" },
};

static const char *want_log_for(const char *row)
{
    size_t i;

    for (i = 0; i < sizeof(want_logs) / sizeof(want_logs[0]); i++)
        if (strcmp(want_logs[i].row, row) == 0)
            return want_logs[i].log;
    return NULL;
}
/* The policed side's library context: NULL (the default one, under the
 * provider) or, in "defaults-only" mode, a context with the plain default
 * provider: the config module's defaults still apply (system_default is
 * process-wide) but not the provider's floors. */
static OSSL_LIB_CTX *policed;
static int defaults_only; /* or no-callback: a column that may escape */
static int no_callback;
/* libssl's default security callback, from a stock SSL_CTX */
static int (*stock_secop)(const SSL *, const SSL_CTX *, int, int, int, void *, void *);

/* ---- certificates (made in the stock context) ---------------------------- */

enum { CA_GOOD, CA_1024, CA_P224, N_CA };
enum { L_GOOD, L_SHA1, L_BADCA, L_1024, L_P224, L_P224CA, N_LEAF };

static EVP_PKEY *ca_key[N_CA], *leaf_key[N_LEAF];
static X509 *ca_cert[N_CA], *leaf_cert[N_LEAF];
static int leaf_ca[N_LEAF] = { CA_GOOD, CA_GOOD, CA_1024, CA_GOOD, CA_GOOD, CA_P224 };
static EVP_PKEY *dh1024;

static void die(const char *what)
{
    fprintf(stderr, "set-up failed: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(99);
}

static X509 *make_cert(EVP_PKEY *key, EVP_PKEY *signer, X509 *issuer,
                       const char *cn, const char *md, int ca)
{
    X509 *x = X509_new_ex(stock, NULL);
    X509_NAME *n = X509_NAME_new();
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    static long serial = 1;

    if (x == NULL || n == NULL || mctx == NULL)
        die("cert alloc");
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn,
                               -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
                              ca ? "critical,CA:TRUE" : "CA:FALSE");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    if (!ca) {
        ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
                                  "DNS:localhost");
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    if (EVP_DigestSignInit_ex(mctx, NULL, md, stock, NULL, signer, NULL) != 1
        || X509_sign_ctx(x, mctx) <= 0)
        die("sign cert");
    EVP_MD_CTX_free(mctx);
    X509_NAME_free(n);
    return x;
}

static void make_pki(void)
{
    OSSL_PARAM p[2];
    EVP_PKEY_CTX *pc;
    int i;

    ca_key[CA_GOOD] = EVP_PKEY_Q_keygen(stock, NULL, "RSA", (size_t)2048);
    ca_key[CA_1024] = EVP_PKEY_Q_keygen(stock, NULL, "RSA", (size_t)1024);
    ca_key[CA_P224] = EVP_PKEY_Q_keygen(stock, NULL, "EC", "P-224");
    leaf_key[L_GOOD] = EVP_PKEY_Q_keygen(stock, NULL, "RSA", (size_t)2048);
    leaf_key[L_SHA1] = leaf_key[L_GOOD];
    leaf_key[L_BADCA] = leaf_key[L_GOOD];
    leaf_key[L_P224CA] = leaf_key[L_GOOD];
    EVP_PKEY_up_ref(leaf_key[L_GOOD]);
    EVP_PKEY_up_ref(leaf_key[L_GOOD]);
    EVP_PKEY_up_ref(leaf_key[L_GOOD]);
    leaf_key[L_1024] = EVP_PKEY_Q_keygen(stock, NULL, "RSA", (size_t)1024);
    leaf_key[L_P224] = EVP_PKEY_Q_keygen(stock, NULL, "EC", "P-224");
    for (i = 0; i < N_CA; i++)
        if (ca_key[i] == NULL)
            die("CA key");
    for (i = 0; i < N_LEAF; i++)
        if (leaf_key[i] == NULL)
            die("leaf key");
    ca_cert[CA_GOOD] = make_cert(ca_key[CA_GOOD], ca_key[CA_GOOD], NULL,
                                 "tlspolicy test CA", "SHA256", 1);
    ca_cert[CA_1024] = make_cert(ca_key[CA_1024], ca_key[CA_1024], NULL,
                                 "tlspolicy test CA 1024", "SHA256", 1);
    ca_cert[CA_P224] = make_cert(ca_key[CA_P224], ca_key[CA_P224], NULL,
                                 "tlspolicy test CA P-224", "SHA256", 1);
    for (i = 0; i < N_LEAF; i++)
        leaf_cert[i] = make_cert(leaf_key[i], ca_key[leaf_ca[i]],
                                 ca_cert[leaf_ca[i]], "localhost",
                                 i == L_SHA1 ? "SHA1" : "SHA256", 0);

    /* RFC 5114 1024-bit group: what an old server configures for DHE. */
    pc = EVP_PKEY_CTX_new_from_name(stock, "DH", NULL);
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                            (char *)"dh_1024_160", 0);
    p[1] = OSSL_PARAM_construct_end();
    if (pc == NULL || EVP_PKEY_paramgen_init(pc) <= 0
        || EVP_PKEY_CTX_set_params(pc, p) <= 0
        || EVP_PKEY_paramgen(pc, &dh1024) <= 0)
        die("DH 1024 params");
    EVP_PKEY_CTX_free(pc);
}

/* ---- one side of a handshake --------------------------------------------- */

typedef struct side {
    int policed;          /* 1: default library context, under the policy */
    int min_v, max_v;     /* 0: leave */
    const char *ciphers;  /* TLS <= 1.2 cipher string, NULL: leave */
    const char *sigalgs;
    const char *groups;
    int leaf;             /* server: which certificate */
    int verify_ca;        /* client: -1 SSL_VERIFY_NONE, else CA to trust */
    int dh1024;           /* server: program sets 1024-bit DHE params */
    int vnone;            /* client: SSL_VERIFY_NONE with verify_ca trusted */
} side;

typedef struct row {
    const char *name;
    side client, server;
    int want_ok;          /* handshake completes */
    int want_version;     /* if it completes; 0: don't care */
    const char *want_err; /* substring of the error queue; NULL: don't care */
    int want_alert;       /* alert sent by either side; -1: don't care */
    long want_verify;     /* client's verify result; -1: don't care */
    int stock_ok;         /* also run with both sides stock: must connect */
    int psk;              /* both sides: PSK callbacks (identity "tp") */
    const char *suites13; /* both sides: TLS 1.3 ciphersuites; NULL: leave */
    int want_clean;       /* connects with nothing left on the error queue */
    int own_cb;           /* policed side: a security callback of the program's
                           * own (allowing all) on the SSL_CTX (1) or on the SSL
                           * after SSL_new (2) */
    int srp;              /* both sides: SRP user "tp" (deprecated API) */
} row;

static int allow_all(const SSL *s, const SSL_CTX *ctx, int op, int bits, int nid,
                     void *other, void *ex)
{
    (void)s, (void)ctx, (void)op, (void)bits, (void)nid, (void)other, (void)ex;
    return 1;
}

/* The defaults a stock peer starts from: everything allowed, so that only
 * the policed side decides. system_default (the module's) applies to every
 * SSL_CTX, so a stock peer must override each setting. */
#define STOCK_ALL 0, TLS1_VERSION, TLS1_3_VERSION, "ALL:@SECLEVEL=0", \
    "RSA+SHA256:RSA+SHA1:RSA-PSS+SHA256:rsa_pss_rsae_sha256:ECDSA+SHA256:ECDSA+SHA1", \
    "X25519:P-256:P-224:ffdhe2048"

typedef struct outcome {
    int alert_sent;       /* last alert description sent by either side */
    int alert_by_policed;
} outcome;

static void info_cb(const SSL *s, int where, int ret)
{
    outcome *o = SSL_get_app_data(s);

    if ((where & SSL_CB_ALERT) && (where & SSL_CB_WRITE) && o != NULL) {
        o->alert_sent = ret & 0xff;
    }
}

static unsigned int psk_client(SSL *s, const char *hint, char *id, unsigned int max_id,
                               unsigned char *psk, unsigned int max_psk)
{
    (void)s, (void)hint;
    if (max_id < 3 || max_psk < 32)
        return 0;
    strcpy(id, "tp");
    memset(psk, 0x5a, 32);
    return 32;
}

static unsigned int psk_server(SSL *s, const char *id, unsigned char *psk,
                               unsigned int max_psk)
{
    (void)s;
    if (strcmp(id, "tp") != 0 || max_psk < 32)
        return 0;
    memset(psk, 0x5a, 32);
    return 32;
}

/* SRP, deprecated since 3.0 and still in libssl: a program may ask. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static int srp_server(SSL *s, int *ad, void *arg)
{
    (void)arg;
    if (SSL_get_srp_username(s) == NULL || strcmp(SSL_get_srp_username(s), "tp") != 0) {
        *ad = SSL_AD_UNKNOWN_PSK_IDENTITY;
        return SSL3_AL_FATAL;
    }
    return SSL_set_srp_server_param_pw(s, "tp", "tp-password", "2048") ? SSL_ERROR_NONE
                                                                       : SSL3_AL_FATAL;
}

static int use_srp(SSL_CTX *ctx, int server)
{
    if (server)
        return SSL_CTX_set_srp_username_callback(ctx, srp_server);
    return SSL_CTX_set_srp_username(ctx, "tp") && SSL_CTX_set_srp_password(ctx, "tp-password");
}
#pragma GCC diagnostic pop

static SSL_CTX *make_ctx(const side *sd, int server, const row *r)
{
    SSL_CTX *ctx = SSL_CTX_new_ex(sd->policed ? policed : stock, NULL,
                                  server ? TLS_server_method()
                                         : TLS_client_method());

    if (ctx == NULL)
        return NULL;
    if (sd->policed && no_callback)
        SSL_CTX_set_security_callback(ctx, stock_secop);
    if (sd->policed && r->own_cb == 1)
        SSL_CTX_set_security_callback(ctx, allow_all);
    if (r->psk) {
        SSL_CTX_set_psk_client_callback(ctx, psk_client);
        SSL_CTX_set_psk_server_callback(ctx, psk_server);
    }
    if (r->suites13 && !SSL_CTX_set_ciphersuites(ctx, r->suites13))
        goto err;
    if (r->srp && !use_srp(ctx, server))
        goto err;
    if (!sd->policed) {
        /* stock: wide open unless the row narrows it */
        SSL_CTX_set_security_level(ctx, 0);
        SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
        SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
    }
    if (sd->min_v && !SSL_CTX_set_min_proto_version(ctx, sd->min_v))
        goto err;
    if (sd->max_v && !SSL_CTX_set_max_proto_version(ctx, sd->max_v))
        goto err;
    if (sd->ciphers && !SSL_CTX_set_cipher_list(ctx, sd->ciphers))
        goto err;
    if (sd->sigalgs && !SSL_CTX_set1_sigalgs_list(ctx, sd->sigalgs))
        goto err;
    if (sd->groups && !SSL_CTX_set1_groups_list(ctx, sd->groups))
        goto err;
    if (server) {
        if (!SSL_CTX_use_certificate(ctx, leaf_cert[sd->leaf])
            || !SSL_CTX_use_PrivateKey(ctx, leaf_key[sd->leaf])
            || !SSL_CTX_add1_chain_cert(ctx, ca_cert[leaf_ca[sd->leaf]]))
            goto err;
        if (sd->dh1024) {
            EVP_PKEY_up_ref(dh1024);
            SSL_CTX_set_dh_auto(ctx, 0);
            if (!SSL_CTX_set0_tmp_dh_pkey(ctx, dh1024))
                goto err;
        }
    } else if (sd->verify_ca >= 0) {
        X509_STORE *st = SSL_CTX_get_cert_store(ctx);

        X509_STORE_add_cert(st, ca_cert[sd->verify_ca]);
        SSL_CTX_set_verify(ctx, sd->vnone ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
                           NULL);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    return ctx;
err:
    SSL_CTX_free(ctx);
    return NULL;
}

static int err_cb(const char *str, size_t len, void *u)
{
    char *buf = u;
    size_t have = strlen(buf);

    if (have + len + 1 < 8192)
        memcpy(buf + have, str, len), buf[have + len] = '\0';
    return 1;
}

static const char *vname(int v)
{
    switch (v) {
    case TLS1_VERSION: return "TLSv1";
    case TLS1_1_VERSION: return "TLSv1.1";
    case TLS1_2_VERSION: return "TLSv1.2";
    case TLS1_3_VERSION: return "TLSv1.3";
    default: return "-";
    }
}

static int run_row(const row *r)
{
    SSL_CTX *cctx, *sctx;
    SSL *c = NULL, *s = NULL;
    BIO *bc, *bs;
    outcome oc = { -1, 0 }, os = { -1, 0 };
    int i, cdone = 0, sdone = 0, ok, version = 0, pass = 1;
    long vr = -1;
    char errs[8192] = "", logs[4096] = "";
    const char *want_log = want_log_for(r->name);

    ERR_clear_error();
    log_drain(logs, sizeof(logs));
    logs[0] = '\0';
    cctx = make_ctx(&r->client, 0, r);
    sctx = make_ctx(&r->server, 1, r);
    if (cctx == NULL || sctx == NULL) {
        /* The policy can refuse a setting outright (a group it forbids). */
        ERR_print_errors_cb(err_cb, errs);
        ok = 0;
        goto judge;
    }
    c = SSL_new(cctx);
    s = SSL_new(sctx);
    if (c == NULL || s == NULL || !BIO_new_bio_pair(&bc, 0, &bs, 0))
        die("SSL_new");
    SSL_set_bio(c, bc, bc);
    SSL_set_bio(s, bs, bs);
    if (r->own_cb == 2)
        SSL_set_security_callback(r->client.policed ? c : s, allow_all);
    if (no_callback) { /* and on the SSLs (3.0/3.1 put it back at SSL_new) */
        if (r->client.policed)
            SSL_set_security_callback(c, stock_secop);
        if (r->server.policed)
            SSL_set_security_callback(s, stock_secop);
    }
    SSL_set_tlsext_host_name(c, "localhost");
    SSL_set1_host(c, "localhost");
    SSL_set_app_data(c, &oc);
    SSL_set_app_data(s, &os);
    SSL_set_info_callback(c, info_cb);
    SSL_set_info_callback(s, info_cb);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);

    for (i = 0; i < 64 && !(cdone && sdone); i++) {
        int rc, rs;

        /* libssl clears the (thread's) error queue on entry: collect what
         * each side left before the other runs. */
        rc = SSL_do_handshake(c);
        ERR_print_errors_cb(err_cb, errs);
        rs = SSL_do_handshake(s);
        ERR_print_errors_cb(err_cb, errs);
        if (rc == 1)
            cdone = 1;
        else if (SSL_get_error(c, rc) != SSL_ERROR_WANT_READ
                 && SSL_get_error(c, rc) != SSL_ERROR_WANT_WRITE)
            cdone = -1;
        if (rs == 1)
            sdone = 1;
        else if (SSL_get_error(s, rs) != SSL_ERROR_WANT_READ
                 && SSL_get_error(s, rs) != SSL_ERROR_WANT_WRITE)
            sdone = -1;
        if (cdone < 0 || sdone < 0) {
            /* let the other side read the alert */
            SSL_do_handshake(cdone < 0 ? s : c);
            ERR_print_errors_cb(err_cb, errs);
            break;
        }
    }
    ok = cdone == 1 && sdone == 1;
    if (ok)
        version = SSL_version(c);
    vr = SSL_get_verify_result(c);
    ERR_print_errors_cb(err_cb, errs);

judge:
    log_drain(logs, sizeof(logs));
    {
        int alert = oc.alert_sent >= 0 ? oc.alert_sent : os.alert_sent;

        if (ok != r->want_ok)
            pass = 0;
        if (ok && r->want_version && version != r->want_version)
            pass = 0;
        if (r->want_err != NULL && strstr(errs, r->want_err) == NULL)
            pass = 0;
        if (r->want_alert >= 0 && alert != r->want_alert)
            pass = 0;
        if (r->want_verify >= 0 && vr != r->want_verify)
            pass = 0;
        if (r->want_clean && errs[0] != '\0')
            pass = 0;
        if (want_log != NULL && !defaults_only && strstr(logs, want_log) == NULL)
            pass = 0;
        printf("%-7s %-52s %-9s %-8s alert=%-3d verify=%-3ld %s\n",
               defaults_only ? (pass ? "held" : "ESCAPES") : pass ? "ok" : "FAIL",
               r->name, ok ? "connects" : "refused",
               vname(version), alert, vr,
               r->want_err != NULL ? r->want_err : "");
        if ((!pass && !defaults_only) || getenv("TPT_VERBOSE") != NULL) {
            printf("     want: %s %s alert=%d verify=%ld err=%s\n",
                   r->want_ok ? "connects" : "refused",
                   vname(r->want_version), r->want_alert, r->want_verify,
                   r->want_err != NULL ? r->want_err : "-");
            printf("     errors seen:\n%s", errs);
            printf("     log wanted: %s\n     log seen:\n%s",
                   want_log != NULL ? want_log : "-", logs);
        }
    }
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return pass;
}

/* ---- the matrix ---------------------------------------------------------- */

#define TLS1_0 TLS1_VERSION
#define TLS1_1 TLS1_1_VERSION
#define TLS1_2 TLS1_2_VERSION
#define TLS1_3 TLS1_3_VERSION
#define ALL0 "ALL:@SECLEVEL=0"
#define ALERT_HANDSHAKE_FAILURE 40
#define ALERT_PROTOCOL_VERSION 70
#define ALERT_INTERNAL_ERROR 80

/* side initialisers: policed/stock client/server */
#define PC(...) { 1, __VA_ARGS__, 0 }
#define SC(...) { 0, __VA_ARGS__, 0 }
/* policed client, SSL_VERIFY_NONE although it has a CA */
#define PCN(...) { 1, __VA_ARGS__, 1 }
/* fields after `policed`: min, max, ciphers, sigalgs, groups, leaf,
 * verify_ca, dh1024 */
#define CLIENT_DEFAULTS 0, 0, NULL, NULL, NULL, 0, CA_GOOD, 0
#define SERVER_GOOD 0, 0, NULL, NULL, NULL, L_GOOD, -1, 0

#define ERR_SHA1 "tlspolicy: SHA1 signatures are forbidden by policy"
#define ERR_RSA1024 "tlspolicy: RSA key of 1024 bits is below the policy minimum of 2048"
#define ERR_DH1024 "tlspolicy: DH key of 1024 bits is below the policy minimum of 2048"
#define ERR_P224 "tlspolicy: EC key of 224 bits is below the policy minimum of 256"
/* A server's certificate check (EVP_PKEY_digestsign_supports_digest) pops
 * our error: the program sees this, syslog gets the tlspolicy line. */
#define ERR_NOSIGALG "no suitable signature algorithm"

/* A server's choice among suites the policy leaves out: the first one
 * refused is named (tlspolicy: cipher X is not allowed by policy). */
#define ERR_NOT_ALLOWED "is not allowed by policy"

static row default_rows[] = {
    { "control: TLS 1.3, good chain verified",
      PC(CLIENT_DEFAULTS), PC(SERVER_GOOD), 1, TLS1_3, NULL, -1, 0 },
    { "control: TLS 1.2 ECDHE-RSA vs stock server",
      PC(0, TLS1_2, NULL, NULL, NULL, 0, CA_GOOD, 0),
      SC(SERVER_GOOD), 1, TLS1_2, NULL, -1, 0 },
    { "server: min TLS1 + ALL:@SECLEVEL=0, TLS1.0 client",
      SC(TLS1_0, TLS1_0, ALL0, NULL, NULL, 0, -1, 0),
      PC(TLS1_0, 0, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, NULL, ALERT_PROTOCOL_VERSION, -1 },
    { "server: min TLS1 + ALL:@SECLEVEL=0, TLS1.1 client",
      SC(TLS1_0, TLS1_1, ALL0, NULL, NULL, 0, -1, 0),
      PC(TLS1_0, 0, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, NULL, ALERT_PROTOCOL_VERSION, -1 },
    { "server: min TLS1 + ALL:@SECLEVEL=0, 1.0-1.2 client",
      SC(TLS1_0, TLS1_2, ALL0, NULL, NULL, 0, -1, 0),
      PC(TLS1_0, 0, ALL0, NULL, NULL, L_GOOD, -1, 0),
      1, TLS1_2, NULL, -1, -1 },
    { "client: TLS1.0 only + ALL:@SECLEVEL=0",
      PC(TLS1_0, TLS1_0, ALL0, NULL, NULL, 0, -1, 0),
      SC(TLS1_0, TLS1_0, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, "no protocols available", -1, -1 },
    { "client: SHA-1 sigalgs only, TLS1.2",
      PC(0, TLS1_2, ALL0, "RSA+SHA1", NULL, 0, -1, 0),
      SC(0, 0, ALL0, "RSA+SHA1", NULL, L_GOOD, -1, 0),
      0, 0, "no ciphers available", -1, -1 },
    { "server: SHA-1 sigalgs, client offers only SHA-1",
      SC(0, TLS1_2, ALL0, "RSA+SHA1", NULL, 0, -1, 0),
      PC(0, 0, ALL0, "RSA+SHA1:RSA+SHA256", NULL, L_GOOD, -1, 0),
      0, 0, "no shared signature algorithms", ALERT_HANDSHAKE_FAILURE, -1 },
    { "client: DHE with a 1024-bit server group",
      PC(0, TLS1_2, "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", NULL, NULL, L_GOOD, -1, 1),
      0, 0, ERR_DH1024, -1, -1 },
    { "server: program sets 1024-bit DHE params",
      SC(0, TLS1_2, "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      PC(0, TLS1_2, "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", NULL, NULL, L_GOOD, -1, 1),
      0, 0, ERR_DH1024, -1, -1 },
    { "client: ffdhe2048 in TLS 1.3 (allowed)",
      PC(0, 0, NULL, NULL, "ffdhe2048", 0, CA_GOOD, 0),
      SC(0, 0, NULL, NULL, "ffdhe2048", L_GOOD, -1, 0),
      1, TLS1_3, NULL, -1, 0 },
    { "client: server accepts only P-224",
      PC(0, 0, NULL, NULL, NULL, 0, CA_GOOD, 0),
      SC(0, 0, NULL, NULL, "P-224", L_GOOD, -1, 0),
      0, 0, NULL, ALERT_HANDSHAKE_FAILURE, -1 },
    /* A group the policy leaves out (X448): the name can be set (a program
     * naming it starts), the group is never offered or accepted. */
    { "client: program's only group is X448",
      PC(0, 0, NULL, NULL, "X448", 0, CA_GOOD, 0),
      SC(0, 0, NULL, NULL, "X448", L_GOOD, -1, 0),
      0, 0, "no suitable groups", -1, -1, 1 },
    { "client: program lists X448:X25519, server only X448",
      PC(0, 0, NULL, NULL, "X448:X25519", 0, CA_GOOD, 0),
      SC(0, 0, NULL, NULL, "X448", L_GOOD, -1, 0),
      0, 0, NULL, ALERT_HANDSHAKE_FAILURE, -1, 1 },
    { "server: program lists X448:X25519, client only X448",
      SC(0, 0, NULL, NULL, "X448", 0, -1, 0),
      PC(0, 0, NULL, NULL, "X448:X25519", L_GOOD, -1, 0),
      0, 0, "no suitable key share", ALERT_HANDSHAKE_FAILURE, -1, 1 },
    { "control: program lists X448:X25519, X25519 used",
      PC(0, 0, NULL, NULL, "X448:X25519", 0, CA_GOOD, 0),
      SC(0, 0, NULL, NULL, "X448:X25519", L_GOOD, -1, 0),
      1, TLS1_3, NULL, -1, 0 },
    /* TLS 1.2 suites outside the policy's list, asked for by name. */
    { "client: anonymous suites (aNULL @0)",
      PC(0, TLS1_2, "aNULL:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, "aNULL:@SECLEVEL=0", NULL, NULL, L_GOOD, -1, 0),
      0, 0, "no ciphers available", -1, -1, 1 },
    { "server: ALL @0, client offers only anonymous suites",
      SC(0, TLS1_2, "aNULL:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      PC(0, 0, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, ERR_NOT_ALLOWED, ALERT_HANDSHAKE_FAILURE, -1, 1 },
    { "client: CAMELLIA suites",
      PC(0, TLS1_2, "CAMELLIA:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, "no ciphers available", -1, -1, 1 },
    { "server: ALL @0, client offers only CAMELLIA",
      SC(0, TLS1_2, "CAMELLIA:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      PC(0, 0, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, ERR_NOT_ALLOWED, ALERT_HANDSHAKE_FAILURE, -1, 1 },
    { "client: ARIA suites",
      PC(0, TLS1_2, "ARIA:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, "no ciphers available", -1, -1, 1 },
    { "server: ALL @0, client offers only ARIA",
      SC(0, TLS1_2, "ARIA:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      PC(0, 0, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, ERR_NOT_ALLOWED, ALERT_HANDSHAKE_FAILURE, -1, 1 },
    { "client: CCM8 suites (TLS 1.2)",
      PC(0, TLS1_2, "AESCCM8:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, "no ciphers available", -1, -1, 1 },
    { "server: ALL @0, client offers only CCM8",
      SC(0, TLS1_2, "AESCCM8:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      PC(0, 0, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, ERR_NOT_ALLOWED, ALERT_HANDSHAKE_FAILURE, -1, 1 },
    { "client: TLS_AES_128_CCM_8_SHA256 (TLS 1.3)",
      PC(0, 0, NULL, NULL, NULL, 0, -1, 0),
      SC(0, 0, NULL, NULL, NULL, L_GOOD, -1, 0),
      0, 0, "no ciphers available", -1, -1, 1, 0, "TLS_AES_128_CCM_8_SHA256" },
    { "server: TLS_AES_128_CCM_8_SHA256 (TLS 1.3)",
      SC(0, 0, NULL, NULL, NULL, 0, -1, 0),
      PC(0, 0, NULL, NULL, NULL, L_GOOD, -1, 0),
      0, 0, ERR_NOT_ALLOWED, ALERT_HANDSHAKE_FAILURE, -1, 1, 0, "TLS_AES_128_CCM_8_SHA256" },
    /* Refusals on the way to a suite or group that is allowed leave
     * nothing on the program's error queue (a stale error would turn its
     * next SSL_get_error into SSL_ERROR_SSL). */
    { "control: client offers CAMELLIA first, then AES-GCM",
      SC(0, TLS1_2, "ECDHE-RSA-CAMELLIA128-SHA256:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
         NULL, NULL, 0, -1, 0),
      PC(0, 0, ALL0, NULL, NULL, L_GOOD, -1, 0),
      1, TLS1_2, NULL, -1, -1, 0, 0, NULL, 1 },
    { "control: client's key share X448, then X25519",
      SC(0, 0, NULL, NULL, "X448:X25519", 0, -1, 0),
      PC(SERVER_GOOD), 1, TLS1_3, NULL, -1, -1, 0, 0, NULL, 1 },
    { "client: SRP suites asked for (SRP user)",
      PC(0, TLS1_2, "SRP:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, "SRP:@SECLEVEL=0", NULL, NULL, L_GOOD, -1, 0),
      0, 0, "no ciphers available", -1, -1, 1, 0, NULL, 0, 0, 1 },
    { "server: SRP suites asked for (SRP user)",
      SC(0, TLS1_2, "SRP:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      PC(0, TLS1_2, "SRP:@SECLEVEL=0", NULL, NULL, L_GOOD, -1, 0),
      0, 0, ERR_NOT_ALLOWED, ALERT_HANDSHAKE_FAILURE, -1, 1, 0, NULL, 0, 0, 1 },
    /* A program's own security callback on the SSL_CTX: on 3.0/3.1 the
     * policy's is put back in front of it at SSL_new; from 3.2 libssl makes
     * the SSL's ex_data before its settings, and this escapes. */
    { "client: own security callback on the SSL_CTX, CAMELLIA",
      PC(0, TLS1_2, "CAMELLIA:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, ALL0, NULL, NULL, L_GOOD, -1, 0),
#if OPENSSL_VERSION_NUMBER < 0x30200000L
      0, 0, "no ciphers available", -1, -1, 1, 0, NULL, 0, 1 },
#else
      1, TLS1_2, NULL, -1, -1, 0, 0, NULL, 0, 1 },
#endif
    /* The escape that remains (tlspolicy(7)): a callback of the program's
     * own set on the SSL after SSL_new. */
    { "client: own security callback on the SSL, CAMELLIA (limit)",
      PC(0, TLS1_2, "CAMELLIA:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, ALL0, NULL, NULL, L_GOOD, -1, 0),
      1, TLS1_2, NULL, -1, -1, 0, 0, NULL, 0, 2 },
    { "client: PSK suites asked for (PSK callbacks)",
      PC(0, TLS1_2, "PSK:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, "PSK:@SECLEVEL=0", NULL, NULL, L_GOOD, -1, 0),
      0, 0, "no ciphers available", -1, -1, 1, 1 },
    { "server: PSK suites asked for (PSK callbacks)",
      SC(0, TLS1_2, "PSK:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      PC(0, TLS1_2, "PSK:@SECLEVEL=0", NULL, NULL, L_GOOD, -1, 0),
      0, 0, ERR_NOT_ALLOWED, ALERT_HANDSHAKE_FAILURE, -1, 1, 1 },
    { "client: 1024-bit server cert, VERIFY_NONE, TLS1.3",
      PC(0, 0, NULL, NULL, NULL, 0, -1, 0),
      SC(0, 0, NULL, NULL, NULL, L_1024, -1, 0),
      0, 0, ERR_RSA1024, -1, -1 },
    { "client: 1024-bit server cert, VERIFY_NONE, TLS1.2 @0",
      PC(0, TLS1_2, ALL0, NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", NULL, NULL, L_1024, -1, 0),
      0, 0, ERR_RSA1024, -1, -1 },
    /* The program's SSL_CTX_use_certificate fails, as under @SECLEVEL=2. */
    { "server: 1024-bit key, ALL:@SECLEVEL=0",
      SC(0, 0, ALL0, NULL, NULL, 0, -1, 0),
      PC(0, 0, ALL0, NULL, NULL, L_1024, -1, 0),
      0, 0, ERR_RSA1024, -1, -1 },
    { "client: SHA-1-signed cert, VERIFY_PEER @0",
      PC(0, 0, ALL0, NULL, NULL, 0, CA_GOOD, 0),
      SC(0, 0, NULL, NULL, NULL, L_SHA1, -1, 0),
      0, 0, ERR_SHA1, -1, X509_V_ERR_CERT_SIGNATURE_FAILURE },
    { "client: chain with a 1024-bit CA, VERIFY_PEER @0",
      PC(0, 0, ALL0, NULL, NULL, 0, CA_1024, 0),
      SC(0, 0, NULL, NULL, NULL, L_BADCA, -1, 0),
      0, 0, ERR_RSA1024, -1, X509_V_ERR_CERT_SIGNATURE_FAILURE },
    { "client: RSA key exchange, 1024-bit server key",
      PC(0, TLS1_2, "AES128-GCM-SHA256:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, "AES128-GCM-SHA256:@SECLEVEL=0", NULL, NULL, L_1024, -1, 0),
      0, 0, ERR_RSA1024, -1, -1 },
    { "server: RSA key exchange, 1024-bit key",
      SC(0, TLS1_2, "AES128-GCM-SHA256:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      PC(0, TLS1_2, "AES128-GCM-SHA256:@SECLEVEL=0", NULL, NULL, L_1024, -1, 0),
      0, 0, ERR_RSA1024, -1, -1 },
    { "control: RSA key exchange, 2048-bit key",
      PC(0, TLS1_2, "AES128-GCM-SHA256", NULL, NULL, 0, CA_GOOD, 0),
      SC(0, TLS1_2, "AES128-GCM-SHA256", NULL, NULL, L_GOOD, -1, 0),
      1, TLS1_2, NULL, -1, 0 },
    /* NULL suites are not in the policy's list: not offered. (The provider
     * also withholds the NULL cipher: without the callback this fails at
     * ChangeCipherSpec. 3DES suites are not in Debian's libssl at all: no
     * row.) */
    { "client: NULL encryption (eNULL @0)",
      PC(0, TLS1_2, "eNULL:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, "eNULL:@SECLEVEL=0", NULL, NULL, L_GOOD, -1, 0),
      0, 0, "no ciphers available", -1, -1, 1 },
    /* The group filter already holds it: the client does not list P-224,
     * so the server has no usable ECDSA certificate. */
    { "client: P-224 ECDSA cert, VERIFY_NONE, TLS1.2 @0",
      PC(0, TLS1_2, ALL0, NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, "ECDHE-ECDSA-AES128-GCM-SHA256:@SECLEVEL=0", NULL, NULL, L_P224, -1, 0),
      0, 0, NULL, ALERT_HANDSHAKE_FAILURE, -1 },
    { "client: chain with a P-224 CA, VERIFY_PEER @0",
      PC(0, 0, ALL0, NULL, NULL, 0, CA_P224, 0),
      SC(0, 0, NULL, NULL, NULL, L_P224CA, -1, 0),
      0, 0, ERR_P224, -1, X509_V_ERR_CERT_SIGNATURE_FAILURE },
    /* Known limit: the provider cannot make a program check the chain. It
     * connects, and the verify result says what is wrong for those who ask. */
    { "client: VERIFY_NONE + SHA-1-signed chain (limit)",
      PCN(0, 0, ALL0, NULL, NULL, 0, CA_GOOD, 0),
      SC(0, 0, NULL, NULL, NULL, L_SHA1, -1, 0),
      1, TLS1_3, NULL, -1, X509_V_ERR_CERT_SIGNATURE_FAILURE },
};

/* tls13: a policy that allows TLS 1.3 only; the program lowers it to 1.2
 * (as Python's ssl does on every context). */
static row tls13_rows[] = {
    { "control: TLS 1.3",
      PC(CLIENT_DEFAULTS), SC(SERVER_GOOD), 1, TLS1_3, NULL, -1, 0 },
    { "server: program sets min TLS1.2, 1.2-only client",
      SC(TLS1_2, TLS1_2, NULL, NULL, NULL, 0, -1, 0),
      PC(TLS1_2, 0, NULL, NULL, NULL, L_GOOD, -1, 0),
      0, 0, "unsupported protocol", ALERT_PROTOCOL_VERSION, -1, 1 },
    { "client: program sets max TLS1.2",
      PC(TLS1_2, TLS1_2, NULL, NULL, NULL, 0, -1, 0),
      SC(SERVER_GOOD), 0, 0, "no protocols available", -1, -1, 1 },
    { "client: program sets min TLS1.2, 1.2-only server",
      PC(TLS1_2, 0, NULL, NULL, NULL, 0, -1, 0),
      SC(TLS1_2, TLS1_2, NULL, NULL, NULL, L_GOOD, -1, 0),
      0, 0, NULL, ALERT_PROTOCOL_VERSION, -1, 1 },
};

/* strict: DEFAULT:NO-CBC, no RSA key exchange */
static row strict_rows[] = {
    { "control: TLS 1.3",
      PC(CLIENT_DEFAULTS), SC(SERVER_GOOD), 1, TLS1_3, NULL, -1, 0 },
    { "control: TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256",
      PC(0, TLS1_2, NULL, NULL, NULL, 0, CA_GOOD, 0),
      SC(0, TLS1_2, "ECDHE-RSA-AES128-GCM-SHA256", NULL, NULL, L_GOOD, -1, 0),
      1, TLS1_2, NULL, -1, 0 },
    { "client: CBC suites under NO-CBC",
      PC(0, TLS1_2, "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA:@SECLEVEL=0", NULL, NULL, 0,
         -1, 0),
      SC(0, TLS1_2, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, "no ciphers available", -1, -1, 1 },
    { "server: ALL @0 under NO-CBC, client offers only CBC",
      SC(0, TLS1_2, "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA", NULL, NULL, 0, -1, 0),
      PC(0, 0, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, "tlspolicy: cipher ECDHE-RSA-AES128-SHA256 is not allowed by policy",
      ALERT_HANDSHAKE_FAILURE, -1, 1 },
    { "client: RSA key exchange, policy without it",
      PC(0, TLS1_2, "AES128-GCM-SHA256:AES256-GCM-SHA384", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, "no ciphers available", -1, -1, 1 },
    { "server: RSA key exchange, policy without it",
      SC(0, TLS1_2, "AES128-GCM-SHA256", NULL, NULL, 0, -1, 0),
      PC(0, 0, ALL0, NULL, NULL, L_GOOD, -1, 0),
      0, 0, "tlspolicy: cipher AES128-GCM-SHA256 is not allowed by policy",
      ALERT_HANDSHAKE_FAILURE, -1, 1 },
};

/* permissive: everything the default matrix refuses gets through */
static row permissive_rows[] = {
    { "permissive: 1024-bit server cert goes through",
      PC(0, 0, ALL0, NULL, NULL, 0, -1, 0),
      SC(0, 0, NULL, NULL, NULL, L_1024, -1, 0), 1, TLS1_3, NULL, -1, -1 },
    { "permissive: SHA-1-signed chain verifies",
      PC(0, 0, ALL0, NULL, NULL, 0, CA_GOOD, 0),
      SC(0, 0, NULL, NULL, NULL, L_SHA1, -1, 0), 1, TLS1_3, NULL, -1, 0 },
    { "permissive: DHE-1024 goes through",
      PC(0, TLS1_2, "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      SC(0, TLS1_2, "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", NULL, NULL, L_GOOD, -1, 1),
      1, TLS1_2, NULL, -1, -1 },
    { "permissive: server chooses CAMELLIA",
      SC(0, TLS1_2, "ECDHE-RSA-CAMELLIA128-SHA256:@SECLEVEL=0", NULL, NULL, 0, -1, 0),
      PC(0, 0, ALL0, NULL, NULL, L_GOOD, -1, 0),
      1, TLS1_2, NULL, -1, -1 },
};

static const char *policy_for(const char *mode)
{
    static const char groups[] =
        "tls = { groups = [ \"X25519\", \"secp256r1\", \"secp384r1\", "
        "\"secp521r1\", \"ffdhe2048\", \"ffdhe3072\" ]; };\n";
    static char buf[1024];

    if (strcmp(mode, "tls13") == 0)
        return "profile = \"DEFAULT:TLS13-ONLY\";\nmode = \"enforce\";\n";
    if (strcmp(mode, "strict") == 0)
        return "profile = \"DEFAULT:NO-CBC\";\nmode = \"enforce\";\n"
               "tls = { key_exchange = [ \"ECDHE\", \"DHE\" ]; };\n";
    snprintf(buf, sizeof(buf), "profile = \"DEFAULT\";\nmode = \"%s\";\n%s",
             strcmp(mode, "permissive") == 0 ? "permissive" : "enforce",
             groups);
    return buf;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 2 ? argv[2] : "default";
    row *rows;
    size_t n, i, failed = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s MODULE.so [default|tls13|permissive|defaults-only]\n",
                argv[0]);
        return 2;
    }
    log_open(tpt_setup(argv[1], policy_for(mode)));
    if (strcmp(mode, "tls13") == 0) {
        rows = tls13_rows;
        n = sizeof(tls13_rows) / sizeof(tls13_rows[0]);
    } else if (strcmp(mode, "strict") == 0) {
        rows = strict_rows;
        n = sizeof(strict_rows) / sizeof(strict_rows[0]);
    } else if (strcmp(mode, "permissive") == 0) {
        rows = permissive_rows;
        n = sizeof(permissive_rows) / sizeof(permissive_rows[0]);
    } else {
        rows = default_rows;
        n = sizeof(default_rows) / sizeof(default_rows[0]);
    }

    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
        die("OPENSSL_init_ssl");
    if (!OSSL_PROVIDER_available(NULL, "tlspolicy"))
        die("tlspolicy provider is not active in the default context");
    if (OSSL_PROVIDER_available(NULL, "default"))
        die("the default provider is active beside tlspolicy");
    stock = OSSL_LIB_CTX_new();
    if (stock == NULL || OSSL_PROVIDER_load(stock, "default") == NULL)
        die("stock context");
    {
        SSL_CTX *sc = SSL_CTX_new_ex(stock, NULL, TLS_method());

        if (sc == NULL)
            die("stock SSL_CTX");
        stock_secop = SSL_CTX_get_security_callback(sc);
        SSL_CTX_free(sc);
    }
    if (strcmp(mode, "no-callback") == 0)
        defaults_only = no_callback = 1;
    if (strcmp(mode, "defaults-only") == 0) {
        defaults_only = 1;
        policed = OSSL_LIB_CTX_new();
        if (policed == NULL || OSSL_PROVIDER_load(policed, "default") == NULL)
            die("defaults-only context");
    }
    make_pki();

    printf("# policy (%s):\n%s", mode, policy_for(mode));
    for (i = 0; i < n; i++) {
        int pass = run_row(&rows[i]);

        if (!pass && (!defaults_only
                      || strncmp(rows[i].name, "control:", 8) == 0))
            failed++;
        if (rows[i].stock_ok && !defaults_only) {
            /* the same programs, both stock: they connect */
            row st = rows[i];
            char name[128];
            int sv = defaults_only;

            snprintf(name, sizeof(name), "stock: %s", rows[i].name);
            st.name = name;
            st.client.policed = st.server.policed = 0;
            st.want_ok = 1;
            st.want_version = 0;
            st.want_err = NULL;
            st.want_alert = -1;
            st.want_verify = -1;
            defaults_only = 0;
            if (!run_row(&st))
                failed++;
            defaults_only = sv;
        }
    }
    printf("# %zu rows, %zu failed\n", n, failed);
    return failed == 0 ? 0 : 1;
}
