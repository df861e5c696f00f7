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

/* One attempt: its contexts, and what its handshake must show to count. */
typedef struct attempt {
    const char *id, *arg;    /* "group:X25519:13", and what follows its first ':' */
    SSL_CTX *s, *c;          /* server and client */
    const char *want_cipher; /* the suite asked for; NULL: any */
    int want_group;          /* NID of the group asked for (0: any, -1: none matches) */
    int want_verify;         /* the server's chain must verify */
    int want_md;             /* NID of the hash the server must sign with; 0: any */
} attempt;

/* The negotiated group's short name into buf ("" if none, "?" if unknown). */
static void group_name(int nid, char *buf, size_t len)
{
    buf[0] = '\0';
    if (nid > 0) {
        const char *sn = OBJ_nid2sn(nid & ~TLSEXT_nid_unknown);
        snprintf(buf, len, "%s", sn && !(nid & TLSEXT_nid_unknown) ? sn : "?");
    }
}

/* Connected, but not on what was asked for: the attempt did not happen. */
static void check_wants(const attempt *a, hs_result *r, const char *gname)
{
    if (r->ok && a->want_cipher && strcmp(r->cipher, a->want_cipher) != 0) {
        snprintf(r->err, sizeof(r->err), "negotiated %s instead of %s", r->cipher, a->want_cipher);
        r->ok = 0;
    }
    if (r->ok && a->want_group && r->group_nid != a->want_group) {
        snprintf(r->err, sizeof(r->err), "negotiated group %s instead", gname);
        r->ok = 0;
    }
    if (r->ok && a->want_md && r->peer_md_nid != a->want_md) {
        snprintf(r->err, sizeof(r->err), "server signed with %s instead",
                 r->peer_md_nid != NID_undef ? OBJ_nid2sn(r->peer_md_nid) : "no hash");
        r->ok = 0;
    }
    if (a->want_verify && r->verify_result != X509_V_OK) {
        snprintf(r->err + strlen(r->err), sizeof(r->err) - strlen(r->err), "%sverify: %s",
                 r->err[0] ? "; " : "", X509_verify_cert_error_string(r->verify_result));
        r->ok = 0;
    }
}

/* The handshake of a set-up attempt, and its record. */
static void attempt_result(const attempt *a)
{
    hs_result r;
    char detail[256], gname[64];

    handshake(a->s, a->c, &r);
    group_name(r.group_nid, gname, sizeof(gname));
    check_wants(a, &r, gname);
    if (r.ok)
        snprintf(detail, sizeof(detail), "%s %s%s%s%s%s", r.version, r.cipher, gname[0] ? " " : "",
                 gname, a->want_md ? ", server signed with " : "",
                 a->want_md ? OBJ_nid2sn(a->want_md) : "");
    else
        detail[0] = '\0';
    record("attempt", a->id, r.ok ? "ok" : "fail", detail, r.err);
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
static void refused(const char *id, const char *what)
{
    char err[256], msg[400];
    take_error(err, sizeof(err));
    snprintf(msg, sizeof(msg), "%s refused%s%s", what, err[0] ? ": " : "", err);
    record("attempt", id, "fail", "", msg);
}

/* Security level 0 on both sides: only the configuration may refuse. */
static void seclevel0(const attempt *a)
{
    SSL_CTX_set_security_level(a->s, 0);
    SSL_CTX_set_security_level(a->c, 0);
}

/* The server's EC and RSA certificates. */
static int use_ec_rsa(SSL_CTX *s)
{
    return use_cert(s, "ec.pem", "ec.key") && use_cert(s, "rsa.pem", "rsa.key");
}

/* Each setup below makes its attempt's contexts ask for what it names:
 * NULL, or what the configuration refused ("certificate", "group"...). */
typedef const char *attempt_setup(attempt *a);

/* An ordinary program: nothing but a certificate and trust. */
static const char *setup_baseline(attempt *a)
{
    SSL_CTX_set_client_hello_cb(a->s, hello_cb, NULL);
    if (!use_ec_rsa(a->s) || !trust_ca(a->c))
        return "certificate";
    a->want_verify = SSL_CTX_get_verify_mode(a->c) != SSL_VERIFY_NONE;
    return NULL;
}

/* version:V, on both sides, with every cipher. */
static const char *setup_version(attempt *a)
{
    int v = vnum(a->arg);
    seclevel0(a);
    SSL_CTX_set_verify(a->c, SSL_VERIFY_NONE, NULL);
    if (!use_cert(a->s, "rsa.pem", "rsa.key"))
        return "certificate";
    if (!SSL_CTX_set_min_proto_version(a->s, v) || !SSL_CTX_set_max_proto_version(a->s, v)
        || !SSL_CTX_set_min_proto_version(a->c, v) || !SSL_CTX_set_max_proto_version(a->c, v))
        return "protocol version";
    if (!SSL_CTX_set_cipher_list(a->s, "ALL:@SECLEVEL=0")
        || !SSL_CTX_set_cipher_list(a->c, "ALL:@SECLEVEL=0"))
        return "cipher list";
    return NULL;
}

/* cipher:NAME, a TLS 1.2 suite on both sides. */
static const char *setup_cipher(attempt *a)
{
    char list[128];
    snprintf(list, sizeof(list), "%s:@SECLEVEL=0", a->arg);
    a->want_cipher = a->arg;
    SSL_CTX_set_verify(a->c, SSL_VERIFY_NONE, NULL);
    if (!use_ec_rsa(a->s))
        return "certificate";
    SSL_CTX_set_min_proto_version(a->s, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(a->s, TLS1_2_VERSION);
    SSL_CTX_set_min_proto_version(a->c, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(a->c, TLS1_2_VERSION);
    if (!SSL_CTX_set_cipher_list(a->s, list) || !SSL_CTX_set_cipher_list(a->c, list))
        return "cipher suite";
    return NULL;
}

/* suite13:NAME, a TLS 1.3 suite on both sides. */
static const char *setup_suite13(attempt *a)
{
    a->want_cipher = a->arg;
    /* 3.5 gives CCM8's 64-bit tag 64 security bits: level 0 */
    seclevel0(a);
    SSL_CTX_set_verify(a->c, SSL_VERIFY_NONE, NULL);
    if (!use_ec_rsa(a->s))
        return "certificate";
    SSL_CTX_set_min_proto_version(a->s, TLS1_3_VERSION);
    SSL_CTX_set_min_proto_version(a->c, TLS1_3_VERSION);
    if (!SSL_CTX_set_ciphersuites(a->s, a->arg) || !SSL_CTX_set_ciphersuites(a->c, a->arg))
        return "TLS 1.3 suite";
    return NULL;
}

/* group:NAME:12|13, the only group on both sides, in TLS 1.2 or 1.3. */
static const char *setup_group(attempt *a)
{
    char name[64];
    snprintf(name, sizeof(name), "%s", a->arg);
    int tls13 = strstr(name, ":13") != NULL;
    name[strcspn(name, ":")] = '\0';
    seclevel0(a);
    SSL_CTX_set_verify(a->c, SSL_VERIFY_NONE, NULL);
    if (!use_ec_rsa(a->s))
        return "certificate";
    if (tls13) {
        SSL_CTX_set_min_proto_version(a->c, TLS1_3_VERSION);
    } else {
        SSL_CTX_set_max_proto_version(a->c, TLS1_2_VERSION);
        SSL_CTX_set_cipher_list(a->c, "ECDHE:@SECLEVEL=0");
    }
    SSL_CTX_set_cipher_list(a->s, "ALL:@SECLEVEL=0");
    if (!SSL_CTX_set1_groups_list(a->s, name) || !SSL_CTX_set1_groups_list(a->c, name))
        return "group";
    a->want_group = OBJ_sn2nid(name);
    if (a->want_group == NID_undef)
        a->want_group = OBJ_ln2nid(name);
    if (a->want_group == NID_undef)
        a->want_group = -1; /* no NID to compare: any group seen is wrong */
    return NULL;
}

/* Every cipher at security level 0 on both sides. */
static void all_ciphers(const attempt *a, const char *client_list)
{
    seclevel0(a);
    SSL_CTX_set_cipher_list(a->s, "ALL:@SECLEVEL=0");
    SSL_CTX_set_cipher_list(a->c, client_list);
}

/* sha1chain: a leaf signed with SHA-1, which the client verifies. */
static const char *setup_sha1chain(attempt *a)
{
    all_ciphers(a, "ALL:@SECLEVEL=0");
    SSL_CTX_set_verify(a->c, SSL_VERIFY_PEER, NULL);
    if (!use_cert(a->s, "sha1.pem", "sha1.key") || !trust_ca(a->c))
        return "certificate";
    a->want_verify = 1;
    return NULL;
}

/* sha1sig: TLS 1.2 with SHA-1 as the only handshake signature hash. */
static const char *setup_sha1sig(attempt *a)
{
    all_ciphers(a, "ECDHE:@SECLEVEL=0");
    SSL_CTX_set_verify(a->c, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_max_proto_version(a->c, TLS1_2_VERSION);
    if (!use_ec_rsa(a->s))
        return "certificate";
    if (!SSL_CTX_set1_sigalgs_list(a->c, "RSA+SHA1:ECDSA+SHA1")
        || !SSL_CTX_set1_sigalgs_list(a->s, "RSA+SHA1:ECDSA+SHA1"))
        return "signature algorithms";
    a->want_md = NID_sha1;
    return NULL;
}

/* rsakey, rsakey12: the server's key is the short RSA key. */
static const char *setup_rsakey(attempt *a)
{
    all_ciphers(a, "ALL:@SECLEVEL=0");
    SSL_CTX_set_verify(a->c, SSL_VERIFY_NONE, NULL);
    if (!use_cert(a->s, "short.pem", "short.key"))
        return "certificate";
    /* A 512-bit key is too short for RSA-PSS with SHA-256 (TLS 1.3):
     * TLS 1.2 with PKCS#1 v1.5 can still use it. */
    if (strcmp(a->id, "rsakey12") == 0
        && (!SSL_CTX_set_max_proto_version(a->c, TLS1_2_VERSION)
            || !SSL_CTX_set1_sigalgs_list(a->c, "RSA+SHA256")))
        return "signature algorithms";
    return NULL;
}

/* The ATTEMPTs: a name, or a prefix its argument follows. */
static const struct {
    const char *name;
    int prefix;
    attempt_setup *setup;
} attempt_kinds[] = {
    {"baseline", 0, setup_baseline}, {"version:", 1, setup_version},
    {"cipher:", 1, setup_cipher},    {"suite13:", 1, setup_suite13},
    {"group:", 1, setup_group},      {"sha1chain", 0, setup_sha1chain},
    {"sha1sig", 0, setup_sha1sig},   {"rsakey", 0, setup_rsakey},
    {"rsakey12", 0, setup_rsakey},
};

/* The setup of attempt id, or NULL if there is no such attempt. */
static attempt_setup *find_setup(const char *id)
{
    for (size_t i = 0; i < sizeof(attempt_kinds) / sizeof(attempt_kinds[0]); i++) {
        const char *n = attempt_kinds[i].name;
        if (attempt_kinds[i].prefix ? strncmp(id, n, strlen(n)) == 0 : strcmp(id, n) == 0)
            return attempt_kinds[i].setup;
    }
    return NULL;
}

/* Run one ATTEMPT and record it; 1 if its handshake ran. */
static int run_attempt(const char *id)
{
    attempt a = {.id = id};
    const char *arg = strchr(id, ':');
    int ran = 0;

    if (!make_pair(id, &a.s, &a.c))
        return 0;
    a.arg = arg ? arg + 1 : "";
    attempt_setup *setup = find_setup(id);
    if (setup == NULL) {
        record("attempt", id, "fail", "", "unknown attempt");
        goto out;
    }
    const char *what = setup(&a);
    if (what != NULL) {
        refused(id, what);
        goto out;
    }
    attempt_result(&a);
    ran = 1;
out:
    SSL_CTX_free(a.s);
    SSL_CTX_free(a.c);
    return ran;
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
