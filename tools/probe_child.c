/*
 * probe_child.c - the measuring half of `probe`, run as
 * `tlspolicy __probe-child DIR ATTEMPT...` in a process of its own whose
 * OPENSSL_CONF names the openssl.cnf being probed (OpenSSL reads its
 * configuration once per process, at the first init). It behaves like an
 * ordinary program: it lets OpenSSL load the configuration, makes client
 * and server contexts, and reports what they got; then it runs each
 * ATTEMPT as a loopback handshake over a BIO pair, with the overrides a
 * program could ask for. It links no code of the provider: whatever it
 * measures, it met through OpenSSL.
 *
 * Output (stdout): one record per line, fields separated by tabs, no tab or
 * newline inside a field:
 *   init    ok|fail  ERROR
 *   module  PATH                      a tlspolicy*.so mapped in this process
 *   provider NAME                     an active provider (default context)
 *   fips    PROPS KERNEL              FIPS properties the default (0|1), and
 *                                     /proc/sys/crypto/fips_enabled (0|1)
 *   ctx     client|server ok|fail ERROR
 *   set     client|server KEY VALUE   min_version max_version ciphers
 *                                     ciphersuites security_level verify_mode
 *   hello   KEY VALUE                 the client's ClientHello as the server
 *                                     saw it: versions groups sigalgs (hex ids)
 *   attempt ID ok|fail DETAIL ERROR
 * ATTEMPTs: baseline, version:TLSv1.1, cipher:NAME, suite13:NAME, group:NAME:12|13,
 * sha1chain, sha1sig, rsakey, rsakey12. DIR holds the PEM files the parent made (probe_pki.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "cli.h"
#include "probe.h"

static const char *pki_dir;

/* A field: tabs and newlines would break the record. */
static void field(const char *s)
{
    putchar('\t');
    for (; s && *s; s++)
        putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void record(const char *kind, const char *a, const char *b, const char *c,
                   const char *d)
{
    fputs(kind, stdout);
    const char *f[] = {a, b, c, d};
    for (int i = 0; i < 4 && f[i]; i++)
        field(f[i]);
    putchar('\n');
}

/* The first error on the queue as OpenSSL prints it; the queue is cleared. */
static void take_error(char *buf, size_t len)
{
    unsigned long e = ERR_peek_error();
    if (e == 0) {
        if (len)
            buf[0] = '\0';
    } else {
        ERR_error_string_n(e, buf, len);
    }
    ERR_clear_error();
}

static const char *vname(long v)
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

static int vnum(const char *name)
{
    static const struct { const char *n; int v; } t[] = {
        {"TLSv1", TLS1_VERSION}, {"TLSv1.0", TLS1_VERSION}, {"TLSv1.1", TLS1_1_VERSION},
        {"TLSv1.2", TLS1_2_VERSION}, {"TLSv1.3", TLS1_3_VERSION},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(name, t[i].n) == 0)
            return t[i].v;
    return 0;
}

/* ---- what the process got -------------------------------------------------- */

static void report_modules(void)
{
    FILE *f = fopen("/proc/self/maps", "re");
    char line[4096], last[4096] = "";

    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f)) {
        char *path = strchr(line, '/');
        if (path == NULL)
            continue;
        path[strcspn(path, "\n")] = '\0';
        const char *base = strrchr(path, '/') + 1;
        if (strncmp(base, "tlspolicy", 9) != 0 || strstr(base, ".so") == NULL)
            continue;
        if (strcmp(path, last) == 0)
            continue;
        snprintf(last, sizeof(last), "%s", path);
        record("module", path, NULL, NULL, NULL);
    }
    fclose(f);
}

static int report_provider(OSSL_PROVIDER *p, void *arg)
{
    (void)arg;
    record("provider", OSSL_PROVIDER_get0_name(p), NULL, NULL, NULL);
    return 1;
}

static void report_ctx(const char *side, SSL_CTX *ctx)
{
    STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
    char num[32];
    char *l12 = calloc(1, 1), *l13 = calloc(1, 1);

    record("set", side, "min_version", vname(SSL_CTX_get_min_proto_version(ctx)), NULL);
    record("set", side, "max_version", vname(SSL_CTX_get_max_proto_version(ctx)), NULL);
    for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
        const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
        char **l = strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") == 0 ? &l13 : &l12;
        char *n = cli_join(*l, **l ? ":" : "");
        free(*l);
        *l = cli_join(n, SSL_CIPHER_get_name(c));
        free(n);
    }
    record("set", side, "ciphers", l12, NULL);
    record("set", side, "ciphersuites", l13, NULL);
    free(l12);
    free(l13);
    snprintf(num, sizeof(num), "%d", SSL_CTX_get_security_level(ctx));
    record("set", side, "security_level", num, NULL);
    snprintf(num, sizeof(num), "%d", SSL_CTX_get_verify_mode(ctx));
    record("set", side, "verify_mode", num, NULL);
}

/* ---- loopback handshakes ------------------------------------------------------ */

typedef struct hs_result {
    int ok;
    char err[256];        /* first error of the side that failed first */
    char version[16], cipher[64];
    int group_nid;
    int peer_md_nid;      /* hash of the server's handshake signature */
    long verify_result;
} hs_result;

static char *pki(const char *file)
{
    char *d = cli_join(pki_dir, "/");
    char *p = cli_join(d, file);
    free(d);
    return p;
}

static int use_cert(SSL_CTX *ctx, const char *cert, const char *key)
{
    char *c = pki(cert), *k = pki(key);
    int ok = SSL_CTX_use_certificate_chain_file(ctx, c) == 1
             && SSL_CTX_use_PrivateKey_file(ctx, k, SSL_FILETYPE_PEM) == 1;
    free(c);
    free(k);
    return ok;
}

static int trust_ca(SSL_CTX *ctx)
{
    char *ca = pki("ca.pem");
    int ok = SSL_CTX_load_verify_locations(ctx, ca, NULL) == 1;
    free(ca);
    return ok;
}

static int step(SSL *s, int *done, hs_result *r)
{
    if (*done)
        return 1;
    int rc = SSL_do_handshake(s);
    if (rc == 1) {
        *done = 1;
        return 1;
    }
    int e = SSL_get_error(s, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return 1;
    if (r->err[0] == '\0')
        take_error(r->err, sizeof(r->err));
    if (r->err[0] == '\0')
        snprintf(r->err, sizeof(r->err), "%s handshake failed (SSL_get_error %d)",
                 SSL_is_server(s) ? "server" : "client", e);
    ERR_clear_error();
    return 0;
}

static void handshake(SSL_CTX *sctx, SSL_CTX *cctx, hs_result *r)
{
    SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
    BIO *bs = NULL, *bc = NULL;
    int sdone = 0, cdone = 0;

    memset(r, 0, sizeof(*r));
    if (s == NULL || c == NULL || !BIO_new_bio_pair(&bs, 0, &bc, 0)) {
        take_error(r->err, sizeof(r->err));
        goto out;
    }
    SSL_set_bio(s, bs, bs);
    SSL_set_bio(c, bc, bc);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    SSL_set_tlsext_host_name(c, "localhost");
    for (int i = 0; i < 64 && !(sdone && cdone); i++) {
        if (!step(c, &cdone, r) || !step(s, &sdone, r))
            break;
    }
    r->ok = sdone && cdone;
    snprintf(r->version, sizeof(r->version), "%s", r->ok ? SSL_get_version(c) : "");
    if (r->ok && SSL_get_current_cipher(c))
        snprintf(r->cipher, sizeof(r->cipher), "%s", SSL_CIPHER_get_name(SSL_get_current_cipher(c)));
    r->group_nid = r->ok ? SSL_get_negotiated_group(c) : 0;
    if (!r->ok || !SSL_get_peer_signature_nid(c, &r->peer_md_nid))
        r->peer_md_nid = NID_undef;
    r->verify_result = SSL_get_verify_result(c);
out:
    SSL_free(s);
    SSL_free(c);
    ERR_clear_error();
}

/* ---- the ClientHello, as the server sees it -------------------------------- */

static int hello_seen;

static void hello_ext(SSL *s, unsigned type, const char *key, size_t skip)
{
    const unsigned char *d;
    size_t len;
    char buf[2048] = "";

    if (!SSL_client_hello_get0_ext(s, type, &d, &len) || len < skip)
        return;
    for (size_t i = skip; i + 1 < len && strlen(buf) + 8 < sizeof(buf); i += 2)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%04x",
                 i > skip ? ":" : "", (unsigned)d[i] << 8 | d[i + 1]);
    record("hello", key, buf, NULL, NULL);
}

static int hello_cb(SSL *s, int *al, void *arg)
{
    (void)al, (void)arg;
    if (hello_seen++)
        return SSL_CLIENT_HELLO_SUCCESS;
    hello_ext(s, 43, "versions", 1);  /* supported_versions: 1-byte length */
    hello_ext(s, 10, "groups", 2);    /* supported_groups */
    hello_ext(s, 13, "sigalgs", 2);   /* signature_algorithms */
    return SSL_CLIENT_HELLO_SUCCESS;
}

/* ---- attempts ---------------------------------------------------------------- */

static void attempt_result(const char *id, SSL_CTX *sctx, SSL_CTX *cctx, const char *want_cipher,
                           int want_group, int want_verify, int want_md)
{
    hs_result r;
    char detail[256], gname[64] = "";

    handshake(sctx, cctx, &r);
    if (r.group_nid > 0) {
        const char *sn = OBJ_nid2sn(r.group_nid & ~TLSEXT_nid_unknown);
        snprintf(gname, sizeof(gname), "%s", sn && !(r.group_nid & TLSEXT_nid_unknown) ? sn : "?");
    }
    /* Connected, but not on what was asked for: the attempt did not happen. */
    if (r.ok && want_cipher && strcmp(r.cipher, want_cipher) != 0) {
        snprintf(r.err, sizeof(r.err), "negotiated %s instead of %s", r.cipher, want_cipher);
        r.ok = 0;
    }
    if (r.ok && want_group && r.group_nid != want_group) {
        snprintf(r.err, sizeof(r.err), "negotiated group %s instead", gname);
        r.ok = 0;
    }
    if (r.ok && want_md && r.peer_md_nid != want_md) {
        snprintf(r.err, sizeof(r.err), "server signed with %s instead",
                 r.peer_md_nid != NID_undef ? OBJ_nid2sn(r.peer_md_nid) : "no hash");
        r.ok = 0;
    }
    if (want_verify && r.verify_result != X509_V_OK) {
        snprintf(r.err + strlen(r.err), sizeof(r.err) - strlen(r.err), "%sverify: %s",
                 r.err[0] ? "; " : "", X509_verify_cert_error_string(r.verify_result));
        r.ok = 0;
    }
    if (r.ok)
        snprintf(detail, sizeof(detail), "%s %s%s%s%s%s", r.version, r.cipher, gname[0] ? " " : "",
                 gname, want_md ? ", server signed with " : "", want_md ? OBJ_nid2sn(want_md) : "");
    else
        detail[0] = '\0';
    record("attempt", id, r.ok ? "ok" : "fail", detail, r.err);
}

/* The contexts of an attempt; NULL (with the error recorded) if they could
 * not be made the way the attempt needs. */
static int make_pair(const char *id, SSL_CTX **s, SSL_CTX **c)
{
    char err[256];
    *s = SSL_CTX_new(TLS_server_method());
    *c = SSL_CTX_new(TLS_client_method());
    if (*s && *c)
        return 1;
    take_error(err, sizeof(err));
    record("attempt", id, "fail", "", err[0] ? err : "SSL_CTX_new failed");
    SSL_CTX_free(*s);
    SSL_CTX_free(*c);
    return 0;
}

/* Configuration refused the override: that too is the floor holding. */
static int refused(const char *id, const char *what, SSL_CTX *s, SSL_CTX *c)
{
    char err[256], msg[400];
    take_error(err, sizeof(err));
    snprintf(msg, sizeof(msg), "%s refused%s%s", what, err[0] ? ": " : "", err);
    record("attempt", id, "fail", "", msg);
    SSL_CTX_free(s);
    SSL_CTX_free(c);
    return 0;
}

static int run_attempt(const char *id)
{
    SSL_CTX *s, *c;
    const char *arg = strchr(id, ':');
    int want_group = 0, want_verify = 0, want_md = 0;
    const char *want_cipher = NULL;

    if (!make_pair(id, &s, &c))
        return 0;
    arg = arg ? arg + 1 : "";
    if (strcmp(id, "baseline") == 0) {
        /* An ordinary program: nothing but a certificate and trust. */
        SSL_CTX_set_client_hello_cb(s, hello_cb, NULL);
        if (!use_cert(s, "ec.pem", "ec.key") || !use_cert(s, "rsa.pem", "rsa.key") || !trust_ca(c))
            return refused(id, "certificate", s, c);
        want_verify = SSL_CTX_get_verify_mode(c) != SSL_VERIFY_NONE;
    } else if (strncmp(id, "version:", 8) == 0) {
        int v = vnum(arg);
        SSL_CTX_set_security_level(s, 0);
        SSL_CTX_set_security_level(c, 0);
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
        if (!use_cert(s, "rsa.pem", "rsa.key"))
            return refused(id, "certificate", s, c);
        if (!SSL_CTX_set_min_proto_version(s, v) || !SSL_CTX_set_max_proto_version(s, v)
            || !SSL_CTX_set_min_proto_version(c, v) || !SSL_CTX_set_max_proto_version(c, v))
            return refused(id, "protocol version", s, c);
        if (!SSL_CTX_set_cipher_list(s, "ALL:@SECLEVEL=0") || !SSL_CTX_set_cipher_list(c, "ALL:@SECLEVEL=0"))
            return refused(id, "cipher list", s, c);
    } else if (strncmp(id, "cipher:", 7) == 0) {
        char list[128];
        snprintf(list, sizeof(list), "%s:@SECLEVEL=0", arg);
        want_cipher = arg;
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
        if (!use_cert(s, "ec.pem", "ec.key") || !use_cert(s, "rsa.pem", "rsa.key"))
            return refused(id, "certificate", s, c);
        SSL_CTX_set_min_proto_version(s, TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(s, TLS1_2_VERSION);
        SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
        if (!SSL_CTX_set_cipher_list(s, list) || !SSL_CTX_set_cipher_list(c, list))
            return refused(id, "cipher suite", s, c);
    } else if (strncmp(id, "suite13:", 8) == 0) {
        want_cipher = arg;
        /* 3.5 gives CCM8's 64-bit tag 64 security bits: level 0 */
        SSL_CTX_set_security_level(s, 0);
        SSL_CTX_set_security_level(c, 0);
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
        if (!use_cert(s, "ec.pem", "ec.key") || !use_cert(s, "rsa.pem", "rsa.key"))
            return refused(id, "certificate", s, c);
        SSL_CTX_set_min_proto_version(s, TLS1_3_VERSION);
        SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
        if (!SSL_CTX_set_ciphersuites(s, arg) || !SSL_CTX_set_ciphersuites(c, arg))
            return refused(id, "TLS 1.3 suite", s, c);
    } else if (strncmp(id, "group:", 6) == 0) {
        char name[64];
        snprintf(name, sizeof(name), "%s", arg);
        int tls13 = strstr(name, ":13") != NULL;
        name[strcspn(name, ":")] = '\0';
        SSL_CTX_set_security_level(s, 0);
        SSL_CTX_set_security_level(c, 0);
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
        if (!use_cert(s, "ec.pem", "ec.key") || !use_cert(s, "rsa.pem", "rsa.key"))
            return refused(id, "certificate", s, c);
        if (tls13) {
            SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
        } else {
            SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
            SSL_CTX_set_cipher_list(c, "ECDHE:@SECLEVEL=0");
        }
        SSL_CTX_set_cipher_list(s, "ALL:@SECLEVEL=0");
        if (!SSL_CTX_set1_groups_list(s, name) || !SSL_CTX_set1_groups_list(c, name))
            return refused(id, "group", s, c);
        want_group = OBJ_sn2nid(name);
        if (want_group == NID_undef)
            want_group = OBJ_ln2nid(name);
        if (want_group == NID_undef)
            want_group = -1; /* no NID to compare: any group seen is wrong */
    } else if (strcmp(id, "sha1chain") == 0) {
        SSL_CTX_set_security_level(s, 0);
        SSL_CTX_set_security_level(c, 0);
        SSL_CTX_set_cipher_list(s, "ALL:@SECLEVEL=0");
        SSL_CTX_set_cipher_list(c, "ALL:@SECLEVEL=0");
        SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
        if (!use_cert(s, "sha1.pem", "sha1.key") || !trust_ca(c))
            return refused(id, "certificate", s, c);
        want_verify = 1;
    } else if (strcmp(id, "sha1sig") == 0) {
        /* TLS 1.2 with SHA-1 as the only handshake signature hash. */
        SSL_CTX_set_security_level(s, 0);
        SSL_CTX_set_security_level(c, 0);
        SSL_CTX_set_cipher_list(s, "ALL:@SECLEVEL=0");
        SSL_CTX_set_cipher_list(c, "ECDHE:@SECLEVEL=0");
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
        SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
        if (!use_cert(s, "ec.pem", "ec.key") || !use_cert(s, "rsa.pem", "rsa.key"))
            return refused(id, "certificate", s, c);
        if (!SSL_CTX_set1_sigalgs_list(c, "RSA+SHA1:ECDSA+SHA1")
            || !SSL_CTX_set1_sigalgs_list(s, "RSA+SHA1:ECDSA+SHA1"))
            return refused(id, "signature algorithms", s, c);
        want_md = NID_sha1;
    } else if (strcmp(id, "rsakey") == 0 || strcmp(id, "rsakey12") == 0) {
        SSL_CTX_set_security_level(s, 0);
        SSL_CTX_set_security_level(c, 0);
        SSL_CTX_set_cipher_list(s, "ALL:@SECLEVEL=0");
        SSL_CTX_set_cipher_list(c, "ALL:@SECLEVEL=0");
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
        if (!use_cert(s, "short.pem", "short.key"))
            return refused(id, "certificate", s, c);
        /* A 512-bit key is too short for RSA-PSS with SHA-256 (TLS 1.3):
         * TLS 1.2 with PKCS#1 v1.5 can still use it. */
        if (strcmp(id, "rsakey12") == 0
            && (!SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION)
                || !SSL_CTX_set1_sigalgs_list(c, "RSA+SHA256")))
            return refused(id, "signature algorithms", s, c);
    } else {
        record("attempt", id, "fail", "", "unknown attempt");
        SSL_CTX_free(s);
        SSL_CTX_free(c);
        return 0;
    }
    attempt_result(id, s, c, want_cipher, want_group, want_verify, want_md);
    SSL_CTX_free(s);
    SSL_CTX_free(c);
    return 1;
}

int probe_child_main(int argc, char **argv)
{
    char err[256];

    if (argc < 2)
        return TP_EXIT_USAGE;
    alarm(120); /* memory BIOs cannot block, but a bug must not hang `probe` */
    pki_dir = argv[1];
    /* As an ordinary program: OpenSSL reads OPENSSL_CONF now. */
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL)) {
        take_error(err, sizeof(err));
        record("init", "fail", err, NULL, NULL);
    } else {
        take_error(err, sizeof(err));
        record("init", "ok", err, NULL, NULL);
    }
    report_modules();
    OSSL_PROVIDER_do_all(NULL, report_provider, NULL);
    record("fips", EVP_default_properties_is_fips_enabled(NULL) ? "1" : "0",
           cli_kernel_fips() ? "1" : "0", NULL, NULL);

    const char *sides[] = {"client", "server"};
    for (int i = 0; i < 2; i++) {
        SSL_CTX *ctx = SSL_CTX_new(i == 0 ? TLS_client_method() : TLS_server_method());
        take_error(err, sizeof(err));
        record("ctx", sides[i], ctx ? "ok" : "fail", err, NULL);
        if (ctx)
            report_ctx(sides[i], ctx);
        SSL_CTX_free(ctx);
    }
    for (int i = 2; i < argc; i++)
        run_attempt(argv[i]);
    fflush(stdout);
    return TP_EXIT_OK;
}
