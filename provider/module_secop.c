/*
 * module_secop.c - the whole policy binds: a security callback on every
 * SSL_CTX (and, where libssl allows, every SSL).
 *
 * libssl asks a security callback (SSL_CTX_set_security_callback, the
 * SSL_SECOP_* operations) about each protocol version, each cipher suite it
 * would offer, share or check, each group and signature algorithm, each
 * certificate key (its own and the peer's) and the temporary DH key. The
 * default callback implements @SECLEVEL. ssl_cert_new installs it before
 * CRYPTO_new_ex_data runs in SSL_CTX_new (3.0-3.5), so an SSL_CTX ex_data
 * new_func can put the policy's callback in front of it: it answers from
 * the rendered policy, and chains to the callback it replaced for what the
 * policy allows, so the program's own security level applies on top.
 *
 * SSL objects copy the context's callback at SSL_new. On OpenSSL 3.0 and
 * 3.1 the SSL's ex_data is created after that copy, so an SSL ex_data
 * new_func re-asserts the policy's callback there (a program that set a
 * callback of its own on the context is still held; its callback is
 * chained). From 3.2 on, SSL ex_data is created before the SSL has its
 * certificate settings, and the re-assertion is not possible there.
 *
 * The lookup sets (bitsets over the 16-bit IANA code points) are built at
 * the first SSL_CTX_new from the rendered settings, so that a call costs a
 * bit test, never a string comparison. libssl is not linked: its few
 * functions come from module_libssl.c.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h> /* types and constants only: libssl is not linked */
#include <openssl/x509.h>

#include "module_conf.h"
#include "module_libssl.h"
#include "prov_local.h" /* tpp_group_allowed */
#include "tp_module.h"

typedef int (*secop_cb)(const SSL *s, const SSL_CTX *ctx, int op, int bits, int nid,
                        void *other, void *ex);
typedef secop_cb (*ctx_get_cb_fn)(const SSL_CTX *ctx);
typedef void (*ctx_set_cb_fn)(SSL_CTX *ctx, secop_cb cb);
typedef secop_cb (*ssl_get_cb_fn)(const SSL *s);
typedef void (*ssl_set_cb_fn)(SSL *s, secop_cb cb);
typedef uint16_t (*cipher_id_fn)(const SSL_CIPHER *c);
typedef const char *(*cipher_name_fn)(const SSL_CIPHER *c);
typedef void *(*ssl_get_ex_fn)(const SSL *s, int idx);
typedef void *(*ctx_get_ex_fn)(const SSL_CTX *ctx, int idx);
typedef SSL_CTX *(*ssl_get_ctx_fn)(const SSL *s);
typedef int (*ssl_is_server_fn)(const SSL *s);

#define SET_BYTES (65536 / 8)

/* What the callback answers from, built once (sec_build). */
static struct {
    int tls_min, tls_max;   /* wire versions; 0: no bound */
    int dtls_min, dtls_max; /* DTLS ranks (see dtls_rank); 0: no bound */
    int suites_set, groups_set, sigalgs_set; /* 0: the policy sets no list */
    int min_rsa, min_dsa, min_dh, min_ec;
    uint32_t forbidden_hashes;
    int permissive;
    unsigned char suites[SET_BYTES];  /* TLS 1.2-and-below and TLS 1.3 */
    unsigned char groups[SET_BYTES];
    unsigned char sigalgs[SET_BYTES];
} pol, pol_build; /* pol_build: where sec_build works (under sec_lock) */

static pthread_mutex_t sec_lock = PTHREAD_MUTEX_INITIALIZER;
static int sec_ctx_index = -1, sec_ssl_index = -1;
static int sec_wanted;   /* registered: the policy is to be enforced */
static int sec_built;    /* pol and the libssl functions are ready (acquire) */
static int sec_tried;    /* sec_build ran (under sec_lock) */
static secop_cb sec_default; /* libssl's default callback (@SECLEVEL) */
static ctx_get_cb_fn ctx_get_cb;
static ctx_set_cb_fn ctx_set_cb;
static ssl_get_cb_fn ssl_get_cb;
static ssl_set_cb_fn ssl_set_cb;
static cipher_id_fn cipher_id;
static cipher_name_fn cipher_name;
static ssl_get_ex_fn ssl_get_ex;
static ctx_get_ex_fn ctx_get_ex;
static ssl_get_ctx_fn ssl_get_ctx;
static ssl_is_server_fn ssl_is_server;
/*
 * Per-thread flags, in pthread keys rather than __thread: a dlopen'ed
 * module's __thread data is allocated at a thread's first use, and glibc
 * aborts the process when that allocation fails. The first keys of a
 * process live in the thread descriptor, with nothing to allocate.
 *
 * key_policed: set by the provider when libssl asks it for its TLS groups,
 * which SSL_CTX_new does (ssl_load_groups) before the ex_data hooks run, in
 * the same thread: this SSL_CTX belongs to a library context where the
 * policy is in force. A library context of the program's own with the
 * plain default provider (a scanner's, a test's stock peer) is not
 * policed, by the provider or by the callback.
 * key_shared: see shared_settle.
 */
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;
static pthread_key_t key_policed, key_shared;
static int keys_ok;

static void keys_make(void)
{
    keys_ok = pthread_key_create(&key_policed, NULL) == 0
              && pthread_key_create(&key_shared, NULL) == 0;
}

static int flag_get(pthread_key_t k)
{
    return keys_ok && pthread_getspecific(k) != NULL;
}

static void flag_set(pthread_key_t k, int on)
{
    if (keys_ok && (pthread_getspecific(k) != NULL) != on)
        pthread_setspecific(k, on ? (void *)&keys_ok : NULL);
}

static int sec_cb(const SSL *s, const SSL_CTX *ctx, int op, int bits, int nid, void *other,
                  void *ex);
static int key_min(const EVP_PKEY *k, const char **kind);

static void set_add(unsigned char *set, unsigned int id)
{
    set[(id & 0xffff) >> 3] |= (unsigned char)(1u << (id & 7));
}

static int set_has(const unsigned char *set, unsigned int id)
{
    return (set[(id & 0xffff) >> 3] >> (id & 7)) & 1;
}

/* DTLS versions run downwards (DTLS 1.0 = 0xFEFF, 1.2 = 0xFEFD); rank
 * them upwards. DTLS1_BAD_VER (0x0100) is older than DTLS 1.0. */
static int dtls_rank(int v)
{
    if (v == DTLS1_BAD_VER)
        return 1;
    return 0x10000 - v;
}

static int is_dtls(int v)
{
    return v == DTLS1_BAD_VER || (v >> 8) == 0xFE;
}

static int wire_version(const char *name)
{
    tp_name_info v;

    return name != NULL && tp_name_info_find(TP_N_VERSION, name, &v) == 0 ? (int)v.id : 0;
}

/* The code points of a rendered list (kind's names, or OpenSSL's with
 * by_openssl) into set; with fl, only the groups the floors allow. */
static void names_add(unsigned char *set, tp_name_kind kind, int by_openssl, const char *v,
                      const tp_floors *fl)
{
    uint16_t ids[256];
    size_t n = tp_name_ids(kind, by_openssl, v, ids, sizeof(ids) / sizeof(ids[0]));

    for (size_t i = 0; i < n && i < sizeof(ids) / sizeof(ids[0]); i++)
        /* a hybrid only with its classical half (the provider's rule) */
        if (fl == NULL || tpp_group_allowed(fl, ids[i]))
            set_add(set, ids[i]);
}

/* The lookup sets, from the rendered settings: the same strings
 * system_default carries, so both layers say the same thing. */
static void build_sets(const tpm_state *st)
{
    const tp_ossl_settings *o = &st->ossl;
    const char *v;
    size_t i;

    memset(&pol_build, 0, sizeof(pol_build));
    pol_build.tls_min = wire_version(tp_ossl_get(o, "TLS.MinProtocol"));
    pol_build.tls_max = wire_version(tp_ossl_get(o, "TLS.MaxProtocol"));
    pol_build.dtls_min = wire_version(tp_ossl_get(o, "DTLS.MinProtocol"));
    pol_build.dtls_max = wire_version(tp_ossl_get(o, "DTLS.MaxProtocol"));
    pol_build.dtls_min = pol_build.dtls_min ? dtls_rank(pol_build.dtls_min) : 0;
    pol_build.dtls_max = pol_build.dtls_max ? dtls_rank(pol_build.dtls_max) : 0;
    if ((v = tp_ossl_get(o, "CipherString")) != NULL) {
        uint16_t ids[512];
        size_t n = tp_suite12_ids(v, ids, sizeof(ids) / sizeof(ids[0]));

        pol_build.suites_set = 1;
        for (i = 0; i < n && i < sizeof(ids) / sizeof(ids[0]); i++)
            set_add(pol_build.suites, ids[i]);
    }
    if ((v = tp_ossl_get(o, "Ciphersuites")) != NULL) {
        pol_build.suites_set = 1;
        names_add(pol_build.suites, TP_N_CIPHERSUITE, 0, v, NULL);
    }
    if ((v = tp_ossl_get(o, "Groups")) != NULL && *v != '\0') {
        pol_build.groups_set = 1;
        names_add(pol_build.groups, TP_N_GROUP, 1, v, &st->floors);
    }
    if ((v = tp_ossl_get(o, "SignatureAlgorithms")) != NULL && *v != '\0') {
        pol_build.sigalgs_set = 1;
        names_add(pol_build.sigalgs, TP_N_SIGALG, 1, v, NULL);
    }
    pol_build.min_rsa = st->floors.min_rsa_bits;
    pol_build.min_dsa = st->floors.min_dsa_bits;
    pol_build.min_dh = st->floors.min_dh_bits;
    pol_build.min_ec = st->floors.min_ec_bits;
    pol_build.forbidden_hashes = st->floors.forbidden_hashes;
    pol_build.permissive = st->floors.permissive;
    /* A rebuild after a reload gives the same sets (the policy is read once
     * per process): handshakes in other threads read pol meanwhile, so it
     * is written only when something really changed. */
    if (memcmp(&pol_build, &pol, sizeof(pol)) != 0)
        memcpy(&pol, &pol_build, sizeof(pol));
}

static int sym(void *fp, size_t len, const char *name)
{
    void *p = tpm_libssl_sym(name);

    if (p != NULL)
        memcpy(fp, &p, len); /* POSIX: object and function pointers convert */
    return p != NULL;
}

/* Once, at the first SSL_CTX_new (under sec_lock). */
static void sec_build(void)
{
    static int syms_found; /* under sec_lock: libssl's functions resolved */
    const tpm_state *st = tpm_state_get();
    int ok;

    if (st == NULL)
        return;
    /* Once per process: a rebuild after a reload must not rewrite the
     * pointers other threads are calling through. */
    ok = syms_found || (sym(&ctx_get_cb, sizeof(ctx_get_cb), "SSL_CTX_get_security_callback")
         & sym(&ctx_set_cb, sizeof(ctx_set_cb), "SSL_CTX_set_security_callback")
         & sym(&ssl_get_cb, sizeof(ssl_get_cb), "SSL_get_security_callback")
         & sym(&ssl_set_cb, sizeof(ssl_set_cb), "SSL_set_security_callback")
         & sym(&cipher_id, sizeof(cipher_id), "SSL_CIPHER_get_protocol_id")
         & sym(&cipher_name, sizeof(cipher_name), "SSL_CIPHER_get_name")
         & sym(&ssl_get_ex, sizeof(ssl_get_ex), "SSL_get_ex_data")
         & sym(&ctx_get_ex, sizeof(ctx_get_ex), "SSL_CTX_get_ex_data")
         & sym(&ssl_get_ctx, sizeof(ssl_get_ctx), "SSL_get_SSL_CTX")
         & sym(&ssl_is_server, sizeof(ssl_is_server), "SSL_is_server"));
    syms_found = ok;
    if (!ok) {
        tpm_log(LOG_ERR, "secop", "libssl.so.3 not found in this process:"
                " the policy's suites, groups and versions are only defaults here");
        return;
    }
    build_sets(st);
    __atomic_store_n(&sec_built, 1, __ATOMIC_RELEASE);
}

/* ---- refusals ------------------------------------------------------------ */

static const char *group_name(unsigned int id)
{
    return tp_name_by_id(TP_N_GROUP, id);
}

static const char *sigalg_name(unsigned int id)
{
    return tp_name_by_id(TP_N_SIGALG, id);
}

static const char *version_name(int v)
{
    switch (v) {
    case SSL3_VERSION: return "SSLv3";
    case TLS1_VERSION: return "TLSv1";
    case TLS1_1_VERSION: return "TLSv1.1";
    case TLS1_2_VERSION: return "TLSv1.2";
    case TLS1_3_VERSION: return "TLSv1.3";
    case DTLS1_VERSION: return "DTLSv1";
    case DTLS1_2_VERSION: return "DTLSv1.2";
    case DTLS1_BAD_VER: return "DTLSv0.9";
    default: return "an unknown version";
    }
}

/* What was refused, for the error queue and the log. */
static void describe(int op, int nid, const void *other, char *buf, size_t len)
{
    const unsigned char *b = other;

    switch (op & SSL_SECOP_OTHER_TYPE) {
    case SSL_SECOP_OTHER_CIPHER:
        snprintf(buf, len, "cipher %s", cipher_name(other));
        return;
    case SSL_SECOP_OTHER_CURVE: {
        const char *n = group_name((unsigned)(b[0] << 8 | b[1]));
        if (n != NULL)
            snprintf(buf, len, "group %s", n);
        else
            snprintf(buf, len, "group 0x%02x%02x", b[0], b[1]);
        return;
    }
    case SSL_SECOP_OTHER_SIGALG: {
        const char *n = sigalg_name((unsigned)(b[0] << 8 | b[1]));
        if (n != NULL)
            snprintf(buf, len, "signature algorithm %s", n);
        else
            snprintf(buf, len, "signature algorithm 0x%02x%02x", b[0], b[1]);
        return;
    }
    case SSL_SECOP_OTHER_PKEY:
    case SSL_SECOP_OTHER_CERT: {
        /* the provider's wording, so that a log reads the same whichever
         * layer refused */
        const EVP_PKEY *k = (op & SSL_SECOP_OTHER_TYPE) == SSL_SECOP_OTHER_PKEY
                            ? other : X509_get0_pubkey(other);
        const char *kind = "";
        int min;

        if ((op & ~SSL_SECOP_PEER) == SSL_SECOP_CA_MD) {
            snprintf(buf, len, "%s signatures are forbidden by policy", OBJ_nid2sn(nid));
            return;
        }
        min = k != NULL ? key_min(k, &kind) : 0;
        snprintf(buf, len, "%s key of %d bits is below the policy minimum of %d", kind,
                 k != NULL ? EVP_PKEY_get_bits(k) : 0, min);
        return;
    }
    default:
        snprintf(buf, len, "protocol version %s", version_name(nid));
        return;
    }
}

/* Keys and digests are described as a whole sentence (describe). */
static const char *tail(int op)
{
    int t = op & SSL_SECOP_OTHER_TYPE;

    return t == SSL_SECOP_OTHER_PKEY || t == SSL_SECOP_OTHER_CERT ? "" : " is not allowed by policy";
}

static const char *log_key(int op)
{
    switch (op & SSL_SECOP_OTHER_TYPE) {
    case SSL_SECOP_OTHER_CIPHER: return "secop-cipher";
    case SSL_SECOP_OTHER_CURVE: return "secop-group";
    case SSL_SECOP_OTHER_SIGALG: return "secop-sigalg";
    case SSL_SECOP_OTHER_PKEY:
    case SSL_SECOP_OTHER_CERT: return "secop-key";
    default: return "secop-version";
    }
}

/*
 * Which refusals are the handshake's outcome. libssl asks about every suite,
 * group, version and signature algorithm while it builds its lists (what it
 * offers, what it could accept); a "no" there only leaves an entry out, and
 * the handshake goes on with the others. Those are answered silently: an
 * error left on the queue of a handshake that succeeded would make the
 * program's next SSL_get_error report SSL_ERROR_SSL. The checks of what the
 * peer chose (*_CHECK), certificate keys and the temporary DH key decide the
 * handshake: those put the reason on the error queue and in syslog. Except
 * a server's CURVE_CHECK: it goes through the client's key shares and takes
 * the first it accepts.
 */
static int decisive(const SSL *s, int op)
{
    switch (op & ~SSL_SECOP_PEER) {
    case SSL_SECOP_CURVE_CHECK:
        return s == NULL || !ssl_is_server(s);
    case SSL_SECOP_CIPHER_CHECK:
    case SSL_SECOP_SIGALG_CHECK:
    case SSL_SECOP_TMP_DH:
    case SSL_SECOP_EE_KEY:
    case SSL_SECOP_CA_KEY:
    case SSL_SECOP_CA_MD:
        return 1;
    default:
        return 0;
    }
}

/* libssl's own reason for the kind of refusal, so that the line reads as
 * libssl's next one does. */
static int reason(int op)
{
    switch (op & ~SSL_SECOP_PEER) {
    case SSL_SECOP_CIPHER_CHECK: return SSL_R_WRONG_CIPHER_RETURNED;
    case SSL_SECOP_CURVE_CHECK: return SSL_R_WRONG_CURVE;
    case SSL_SECOP_SIGALG_CHECK: return SSL_R_WRONG_SIGNATURE_TYPE;
    case SSL_SECOP_TMP_DH: return SSL_R_DH_KEY_TOO_SMALL;
    case SSL_SECOP_EE_KEY: return SSL_R_EE_KEY_TOO_SMALL;
    case SSL_SECOP_CA_KEY: return SSL_R_CA_KEY_TOO_SMALL;
    case SSL_SECOP_CA_MD: return SSL_R_CA_MD_TOO_WEAK;
    default: return SSL_R_UNSUPPORTED_PROTOCOL;
    }
}

/* The server's choice of suite (SHARED) is a loop that stops at the first
 * suite allowed: the first refusal of the loop goes on the queue, after a
 * mark, and comes off again when a later suite of the loop is allowed.
 * Nothing else touches the queue inside that loop, so "our entry is the
 * last one" tells that the loop is the same. key_shared (per thread)
 * only saves the look at the queue on every allowed suite. */

static int shared_ours_on_top(void)
{
    const char *data = NULL;
    int flags = 0;
    unsigned long e = ERR_peek_last_error_data(&data, &flags);

    return e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_NO_SHARED_CIPHER
           && data != NULL && strncmp(data, "tlspolicy: ", 11) == 0;
}

static void shared_settle(void)
{
    if (shared_ours_on_top())
        ERR_pop_to_mark();
    flag_set(key_shared, 0);
}

/* 0: refused. In permissive mode the answer is the chained one. */
static int refuse(const SSL *s, int op, int nid, void *other)
{
    char what[160];
    int shared = op == SSL_SECOP_CIPHER_SHARED;

    if (pol.permissive) {
        /* What would have been refused and was used: the peer's choice or
         * the server's. List building is silent. */
        if (decisive(s, op) || shared) {
            describe(op, nid, other, what, sizeof(what));
            tpm_log(LOG_NOTICE, log_key(op), "permissive, would refuse: %s%s", what, tail(op));
        }
        return -1;
    }
    if (shared) {
        if (!flag_get(key_shared) || !shared_ours_on_top()) {
            describe(op, nid, other, what, sizeof(what));
            ERR_set_mark();
            ERR_raise_data(ERR_LIB_SSL, SSL_R_NO_SHARED_CIPHER, "tlspolicy: %s%s", what,
                           tail(op));
            flag_set(key_shared, 1);
        }
        return 0;
    }
    if (decisive(s, op)) {
        describe(op, nid, other, what, sizeof(what));
        ERR_raise_data(ERR_LIB_SSL, reason(op), "tlspolicy: %s%s", what, tail(op));
        tpm_log(LOG_WARNING, log_key(op), "refused: %s%s", what, tail(op));
    }
    return 0;
}

/* ---- the policy's answer ------------------------------------------------- */

static int version_ok(int v)
{
    if (v == TLS_ANY_VERSION || v == DTLS_ANY_VERSION || v <= 0)
        return 1;
    if (is_dtls(v)) {
        int r = dtls_rank(v);
        return (pol.dtls_min == 0 || r >= pol.dtls_min) && (pol.dtls_max == 0 || r <= pol.dtls_max);
    }
    return (pol.tls_min == 0 || v >= pol.tls_min) && (pol.tls_max == 0 || v <= pol.tls_max);
}

/* The policy's minimum for a key of k's kind (SP 800-57 sizes, as the
 * provider's floors), and the kind's name; 0: no floor (Ed25519, Ed448,
 * ML-DSA: fixed sizes). */
static int key_min(const EVP_PKEY *k, const char **kind)
{
    int id = EVP_PKEY_get_base_id(k);

    if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS || EVP_PKEY_is_a(k, "RSA")
        || EVP_PKEY_is_a(k, "RSA-PSS"))
        return *kind = "RSA", pol.min_rsa;
    if (id == EVP_PKEY_DSA)
        return *kind = "DSA", pol.min_dsa;
    if (id == EVP_PKEY_DH || id == EVP_PKEY_DHX)
        return *kind = "DH", pol.min_dh;
    if (id == EVP_PKEY_EC || EVP_PKEY_is_a(k, "EC"))
        return *kind = "EC", pol.min_ec;
    return *kind = "", 0;
}

static int key_ok(const EVP_PKEY *k)
{
    const char *kind;
    int bits, min;

    if (k == NULL)
        return 1;
    min = key_min(k, &kind);
    bits = EVP_PKEY_get_bits(k);
    return min <= 0 || bits <= 0 || bits >= min;
}

static uint32_t hash_bit(int nid)
{
    switch (nid) {
    case NID_md5: return TP_H_MD5;
    case NID_sha1: return TP_H_SHA1;
    case NID_md5_sha1: return TP_H_MD5_SHA1 | TP_H_MD5 | TP_H_SHA1;
    case NID_sha224: return TP_H_SHA224;
    default: return 0;
    }
}

/* 1 allowed, 0 refused by the policy. */
static int policy_allows(int op, int nid, void *other)
{
    const unsigned char *b;

    switch (op & SSL_SECOP_OTHER_TYPE) {
    case SSL_SECOP_OTHER_CIPHER:
        return !pol.suites_set || set_has(pol.suites, cipher_id(other));
    case SSL_SECOP_OTHER_CURVE:
        b = other;
        return !pol.groups_set || set_has(pol.groups, (unsigned)(b[0] << 8 | b[1]));
    case SSL_SECOP_OTHER_SIGALG:
        b = other;
        /* 0x0000: TLS 1.0/1.1's MD5+SHA1, held by the versions */
        return !pol.sigalgs_set || (b[0] == 0 && b[1] == 0)
               || set_has(pol.sigalgs, (unsigned)(b[0] << 8 | b[1]));
    case SSL_SECOP_OTHER_PKEY:
        return op != SSL_SECOP_TMP_DH || key_ok(other);
    case SSL_SECOP_OTHER_CERT:
        if ((op & ~SSL_SECOP_PEER) == SSL_SECOP_CA_MD)
            return (hash_bit(nid) & pol.forbidden_hashes) == 0;
        return key_ok(X509_get0_pubkey(other));
    default:
        return op != SSL_SECOP_VERSION || version_ok(nid);
    }
}

static int sec_cb(const SSL *s, const SSL_CTX *ctx, int op, int bits, int nid, void *other,
                  void *ex)
{
    secop_cb next = __atomic_load_n(&sec_default, __ATOMIC_ACQUIRE);
    int ssl_index = __atomic_load_n(&sec_ssl_index, __ATOMIC_ACQUIRE);
    int r;

    if (!policy_allows(op, nid, other) && (r = refuse(s, op, nid, other)) >= 0)
        return r;
    if (op == SSL_SECOP_CIPHER_SHARED && flag_get(key_shared))
        shared_settle(); /* a suite of the loop is taken: no refusal to report */
    if (s != NULL && ssl_index >= 0) {
        void *p = ssl_get_ex(s, ssl_index);
        if (p != NULL)
            memcpy(&next, &p, sizeof(next));
    }
    return next != NULL ? next(s, ctx, op, bits, nid, other, ex) : 1;
}

/* ---- the hooks ----------------------------------------------------------- */

static void sec_ctx_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                        void *argp)
{
    secop_cb cur;

    (void)ptr, (void)argl, (void)argp;
    if (parent == NULL || !flag_get(key_policed))
        return;
    flag_set(key_policed, 0);
    if (!__atomic_load_n(&sec_built, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&sec_lock);
        if (!sec_built && sec_wanted && !sec_tried) {
            sec_tried = 1; /* once: without libssl, every SSL_CTX_new would retry */
            sec_build();
        }
        pthread_mutex_unlock(&sec_lock);
        if (!__atomic_load_n(&sec_built, __ATOMIC_ACQUIRE))
            return;
    }
    cur = ctx_get_cb(parent);
    if (cur == sec_cb)
        return;
    secop_cb dflt = NULL;
    /* the first context tells which callback is libssl's default */
    __atomic_compare_exchange_n(&sec_default, &dflt, cur, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    if (cur != __atomic_load_n(&sec_default, __ATOMIC_ACQUIRE))
        return; /* not libssl's default: nothing of ours to chain it from */
    CRYPTO_set_ex_data(ad, idx, (void *)1); /* policed: for SSL_new */
    ctx_set_cb(parent, sec_cb);
}

void tpm_secop_note_policed(void)
{
    if (__atomic_load_n(&sec_wanted, __ATOMIC_ACQUIRE))
        flag_set(key_policed, 1);
}

/* OpenSSL 3.0/3.1 only: the SSL has its copy of the context's callback. */
static void sec_ssl_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                        void *argp)
{
    secop_cb cur;
    void *p;

    (void)ptr, (void)argl, (void)argp;
    if (parent == NULL || !__atomic_load_n(&sec_built, __ATOMIC_ACQUIRE)
        || ctx_get_ex(ssl_get_ctx(parent), __atomic_load_n(&sec_ctx_index, __ATOMIC_ACQUIRE))
               == NULL)
        return;
    cur = ssl_get_cb(parent);
    if (cur == sec_cb || cur == NULL)
        return;
    if (cur != __atomic_load_n(&sec_default, __ATOMIC_ACQUIRE)) { /* the program's own: chained */
        memcpy(&p, &cur, sizeof(p));
        if (!CRYPTO_set_ex_data(ad, idx, p))
            return;
    }
    ssl_set_cb(parent, sec_cb);
}

int tpm_secop_active(void)
{
    return __atomic_load_n(&sec_wanted, __ATOMIC_ACQUIRE);
}

void tpm_secop_register(const tpm_state *st)
{
    (void)st;
    pthread_once(&keys_once, keys_make);
    pthread_mutex_lock(&sec_lock);
    if (sec_ctx_index < 0) {
        /* The indexes are read without the lock (the hooks, the callback):
         * written atomically. */
        int ci = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, NULL, sec_ctx_new, NULL, NULL);
        int si = -1;
        if (ci < 0)
            tpm_log(LOG_ERR, "secop", "cannot register the SSL_CTX hook for the policy");
        else if (OpenSSL_version_num() < 0x30200000UL)
            si = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, NULL, sec_ssl_new, NULL, NULL);
        __atomic_store_n(&sec_ssl_index, si, __ATOMIC_RELEASE);
        __atomic_store_n(&sec_ctx_index, ci, __ATOMIC_RELEASE);
        __atomic_store_n(&sec_wanted, ci >= 0, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&sec_lock);
}

/* Module finish. SSL_CTXs made before keep sec_cb, which stays valid: the
 * module pins itself in memory (module_conf.c), and pol keeps its sets. */
void tpm_secop_unregister(void)
{
    pthread_mutex_lock(&sec_lock);
    if (sec_ssl_index >= 0)
        CRYPTO_free_ex_index(CRYPTO_EX_INDEX_SSL, sec_ssl_index);
    if (sec_ctx_index >= 0)
        CRYPTO_free_ex_index(CRYPTO_EX_INDEX_SSL_CTX, sec_ctx_index);
    __atomic_store_n(&sec_ssl_index, -1, __ATOMIC_RELEASE);
    __atomic_store_n(&sec_ctx_index, -1, __ATOMIC_RELEASE);
    __atomic_store_n(&sec_wanted, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&sec_built, 0, __ATOMIC_RELEASE); /* a later init rebuilds */
    sec_tried = 0;
    pthread_mutex_unlock(&sec_lock);
}
