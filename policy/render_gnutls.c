/*
 * render_gnutls.c - the effective policy as a GnuTLS system configuration
 * (/etc/gnutls/config), in blocklist mode.
 *
 * Why blocklist: in GnuTLS 3.7 (Debian 12) the allowlist mode only marks
 * versions, ciphers, MACs, key exchanges and groups "revertible": a program
 * that sets its own priority string (libcurl-gnutls, wget) gets them back.
 * The blocklist keys are applied to every priority string. So the file
 * lists everything the installed GnuTLS knows minus what the policy allows
 * (tested facts: shared/notes/other-libraries.md).
 *
 * The name table below maps each GnuTLS name to the policy's name for the
 * same thing; GnuTLS names with no counterpart are always disabled. Names
 * the installed GnuTLS does not know are never written: a strict GnuTLS
 * (GNUTLS_SYSTEM_PRIORITY_FAIL_ON_INVALID=1) refuses the whole file for one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef struct gt_name {
    tp_gnutls_kind kind;
    const char *gnutls;   /* as gnutls_*_get_name() spells it */
    const char *ours;     /* VERSION, CIPHER, MAC, KX, GROUP: our name;
                           * CURVE: the group on it; SIGN: the TLS signature
                           * scheme; NULL: no counterpart */
    const char *sigalg;   /* CURVE: a signature scheme on this curve */
    uint32_t hash;        /* SIGN, HASH: TP_H_* */
} gt_name;

/*
 * Table order is the order within one policy name in the priority string
 * (ECDHE-ECDSA before ECDHE-RSA, as render.c puts ECDSA first; the TLS 1.3
 * ECDSA scheme before the TLS 1.2 one) and, for versions, newest first.
 */
static const gt_name gt_names[] = {
    {TP_GT_VERSION, "TLS1.3", "TLSv1.3", NULL, 0},
    {TP_GT_VERSION, "TLS1.2", "TLSv1.2", NULL, 0},
    {TP_GT_VERSION, "TLS1.1", "TLSv1.1", NULL, 0},
    {TP_GT_VERSION, "TLS1.0", "TLSv1.0", NULL, 0},
    {TP_GT_VERSION, "SSL3.0", NULL, NULL, 0},
    {TP_GT_VERSION, "DTLS1.2", "DTLSv1.2", NULL, 0},
    {TP_GT_VERSION, "DTLS1.0", "DTLSv1.0", NULL, 0},
    {TP_GT_VERSION, "DTLS0.9", NULL, NULL, 0},

    {TP_GT_CIPHER, "AES-256-GCM", "AES-256-GCM", NULL, 0},
    {TP_GT_CIPHER, "AES-128-GCM", "AES-128-GCM", NULL, 0},
    {TP_GT_CIPHER, "CHACHA20-POLY1305", "CHACHA20-POLY1305", NULL, 0},
    {TP_GT_CIPHER, "AES-256-CCM", "AES-256-CCM", NULL, 0},
    {TP_GT_CIPHER, "AES-128-CCM", "AES-128-CCM", NULL, 0},
    {TP_GT_CIPHER, "AES-256-CCM-8", "AES-256-CCM8", NULL, 0},
    {TP_GT_CIPHER, "AES-128-CCM-8", "AES-128-CCM8", NULL, 0},
    {TP_GT_CIPHER, "AES-256-CBC", "AES-256-CBC", NULL, 0},
    {TP_GT_CIPHER, "AES-128-CBC", "AES-128-CBC", NULL, 0},
    {TP_GT_CIPHER, "CAMELLIA-256-GCM", "CAMELLIA-256-GCM", NULL, 0},
    {TP_GT_CIPHER, "CAMELLIA-128-GCM", "CAMELLIA-128-GCM", NULL, 0},
    {TP_GT_CIPHER, "CAMELLIA-256-CBC", "CAMELLIA-256-CBC", NULL, 0},
    {TP_GT_CIPHER, "CAMELLIA-128-CBC", "CAMELLIA-128-CBC", NULL, 0},
    {TP_GT_CIPHER, "3DES-CBC", "3DES-CBC", NULL, 0},
    {TP_GT_CIPHER, "DES-CBC", "DES-CBC", NULL, 0},
    {TP_GT_CIPHER, "ARCFOUR-128", "RC4-128", NULL, 0},
    {TP_GT_CIPHER, "NULL", "NULL", NULL, 0},

    {TP_GT_MAC, "AEAD", "AEAD", NULL, 0},
    {TP_GT_MAC, "SHA1", "HMAC-SHA1", NULL, 0},
    {TP_GT_MAC, "SHA256", "HMAC-SHA2-256", NULL, 0},
    {TP_GT_MAC, "SHA384", "HMAC-SHA2-384", NULL, 0},
    {TP_GT_MAC, "MD5", "HMAC-MD5", NULL, 0},

    /* DSS, SRP, anonymous and GOST key exchanges: the OpenSSL rendering
     * never offers them either. */
    {TP_GT_KX, "ECDHE-ECDSA", "ECDHE", NULL, 0},
    {TP_GT_KX, "ECDHE-RSA", "ECDHE", NULL, 0},
    {TP_GT_KX, "DHE-RSA", "DHE", NULL, 0},
    {TP_GT_KX, "RSA", "RSA", NULL, 0},
    {TP_GT_KX, "PSK", "PSK", NULL, 0},
    {TP_GT_KX, "ECDHE-PSK", "ECDHE-PSK", NULL, 0},
    {TP_GT_KX, "DHE-PSK", "DHE-PSK", NULL, 0},
    {TP_GT_KX, "RSA-PSK", "RSA-PSK", NULL, 0},

    {TP_GT_GROUP, "X25519", "X25519", NULL, 0},
    {TP_GT_GROUP, "SECP256R1", "secp256r1", NULL, 0},
    {TP_GT_GROUP, "X448", "X448", NULL, 0},
    {TP_GT_GROUP, "SECP384R1", "secp384r1", NULL, 0},
    {TP_GT_GROUP, "SECP521R1", "secp521r1", NULL, 0},
    {TP_GT_GROUP, "FFDHE2048", "ffdhe2048", NULL, 0},
    {TP_GT_GROUP, "FFDHE3072", "ffdhe3072", NULL, 0},
    {TP_GT_GROUP, "FFDHE4096", "ffdhe4096", NULL, 0},
    {TP_GT_GROUP, "FFDHE6144", "ffdhe6144", NULL, 0},
    {TP_GT_GROUP, "FFDHE8192", "ffdhe8192", NULL, 0},
    /* GnuTLS 3.8.x spellings of the hybrid groups */
    {TP_GT_GROUP, "X25519-MLKEM768", "X25519MLKEM768", NULL, 0},
    {TP_GT_GROUP, "SECP256R1-MLKEM768", "SecP256r1MLKEM768", NULL, 0},
    {TP_GT_GROUP, "SECP384R1-MLKEM1024", "SecP384r1MLKEM1024", NULL, 0},

    {TP_GT_CURVE, "SECP256R1", "secp256r1", "ecdsa_secp256r1_sha256", 0},
    {TP_GT_CURVE, "SECP384R1", "secp384r1", "ecdsa_secp384r1_sha384", 0},
    {TP_GT_CURVE, "SECP521R1", "secp521r1", "ecdsa_secp521r1_sha512", 0},
    {TP_GT_CURVE, "X25519", "X25519", NULL, 0},
    {TP_GT_CURVE, "X448", "X448", NULL, 0},
    {TP_GT_CURVE, "Ed25519", NULL, "ed25519", 0},
    {TP_GT_CURVE, "Ed448", NULL, "ed448", 0},

    {TP_GT_SIGN, "ECDSA-SECP256R1-SHA256", "ecdsa_secp256r1_sha256", NULL, TP_H_SHA256},
    {TP_GT_SIGN, "ECDSA-SHA256", "ecdsa_secp256r1_sha256", NULL, TP_H_SHA256},
    {TP_GT_SIGN, "ECDSA-SECP384R1-SHA384", "ecdsa_secp384r1_sha384", NULL, TP_H_SHA384},
    {TP_GT_SIGN, "ECDSA-SHA384", "ecdsa_secp384r1_sha384", NULL, TP_H_SHA384},
    {TP_GT_SIGN, "ECDSA-SECP521R1-SHA512", "ecdsa_secp521r1_sha512", NULL, TP_H_SHA512},
    {TP_GT_SIGN, "ECDSA-SHA512", "ecdsa_secp521r1_sha512", NULL, TP_H_SHA512},
    {TP_GT_SIGN, "EdDSA-Ed25519", "ed25519", NULL, 0},
    {TP_GT_SIGN, "EdDSA-Ed448", "ed448", NULL, 0},
    {TP_GT_SIGN, "RSA-PSS-SHA256", "rsa_pss_pss_sha256", NULL, TP_H_SHA256},
    {TP_GT_SIGN, "RSA-PSS-SHA384", "rsa_pss_pss_sha384", NULL, TP_H_SHA384},
    {TP_GT_SIGN, "RSA-PSS-SHA512", "rsa_pss_pss_sha512", NULL, TP_H_SHA512},
    {TP_GT_SIGN, "RSA-PSS-RSAE-SHA256", "rsa_pss_rsae_sha256", NULL, TP_H_SHA256},
    {TP_GT_SIGN, "RSA-PSS-RSAE-SHA384", "rsa_pss_rsae_sha384", NULL, TP_H_SHA384},
    {TP_GT_SIGN, "RSA-PSS-RSAE-SHA512", "rsa_pss_rsae_sha512", NULL, TP_H_SHA512},
    {TP_GT_SIGN, "RSA-SHA256", "rsa_pkcs1_sha256", NULL, TP_H_SHA256},
    {TP_GT_SIGN, "RSA-SHA384", "rsa_pkcs1_sha384", NULL, TP_H_SHA384},
    {TP_GT_SIGN, "RSA-SHA512", "rsa_pkcs1_sha512", NULL, TP_H_SHA512},
    {TP_GT_SIGN, "RSA-SHA224", "rsa_pkcs1_sha224", NULL, TP_H_SHA224},
    {TP_GT_SIGN, "ECDSA-SHA224", "ecdsa_sha224", NULL, TP_H_SHA224},
    {TP_GT_SIGN, "DSA-SHA256", "dsa_sha256", NULL, TP_H_SHA256},
    {TP_GT_SIGN, "DSA-SHA384", "dsa_sha384", NULL, TP_H_SHA384},
    {TP_GT_SIGN, "DSA-SHA512", "dsa_sha512", NULL, TP_H_SHA512},
    {TP_GT_SIGN, "DSA-SHA224", "dsa_sha224", NULL, TP_H_SHA224},
    {TP_GT_SIGN, "RSA-SHA1", "rsa_pkcs1_sha1", NULL, TP_H_SHA1},
    {TP_GT_SIGN, "ECDSA-SHA1", "ecdsa_sha1", NULL, TP_H_SHA1},
    {TP_GT_SIGN, "DSA-SHA1", "dsa_sha1", NULL, TP_H_SHA1},
    {TP_GT_SIGN, "RSA-MD5", NULL, NULL, TP_H_MD5},
    {TP_GT_SIGN, "ECDSA-SHA3-256", NULL, NULL, TP_H_SHA3_256},
    {TP_GT_SIGN, "ECDSA-SHA3-384", NULL, NULL, TP_H_SHA3_384},
    {TP_GT_SIGN, "ECDSA-SHA3-512", NULL, NULL, TP_H_SHA3_512},
    {TP_GT_SIGN, "RSA-SHA3-256", NULL, NULL, TP_H_SHA3_256},
    {TP_GT_SIGN, "RSA-SHA3-384", NULL, NULL, TP_H_SHA3_384},
    {TP_GT_SIGN, "RSA-SHA3-512", NULL, NULL, TP_H_SHA3_512},
    {TP_GT_SIGN, "DSA-SHA3-256", NULL, NULL, TP_H_SHA3_256},
    {TP_GT_SIGN, "DSA-SHA3-384", NULL, NULL, TP_H_SHA3_384},
    {TP_GT_SIGN, "DSA-SHA3-512", NULL, NULL, TP_H_SHA3_512},

    {TP_GT_HASH, "MD5", "MD5", NULL, TP_H_MD5},
    {TP_GT_HASH, "SHA1", "SHA1", NULL, TP_H_SHA1},
    {TP_GT_HASH, "SHA224", "SHA2-224", NULL, TP_H_SHA224},
    {TP_GT_HASH, "SHA256", "SHA2-256", NULL, TP_H_SHA256},
    {TP_GT_HASH, "SHA384", "SHA2-384", NULL, TP_H_SHA384},
    {TP_GT_HASH, "SHA512", "SHA2-512", NULL, TP_H_SHA512},
    {TP_GT_HASH, "SHA3-256", "SHA3-256", NULL, TP_H_SHA3_256},
    {TP_GT_HASH, "SHA3-384", "SHA3-384", NULL, TP_H_SHA3_384},
    {TP_GT_HASH, "SHA3-512", "SHA3-512", NULL, TP_H_SHA3_512},
};

/* What GnuTLS 3.7.9 lists (gnutls_*_list() and *_get_name(), Debian 12),
 * minus names its *_get_id() does not take back ("RSA-EXPORT"). */
static const char *const st_versions[] = {
    "TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3", "DTLS0.9", "DTLS1.0", "DTLS1.2"};
static const char *const st_ciphers[] = {
    "AES-256-CBC", "AES-192-CBC", "AES-128-CBC", "AES-128-GCM", "AES-192-GCM",
    "AES-256-GCM", "AES-128-CCM", "AES-256-CCM", "AES-128-CCM-8", "AES-256-CCM-8",
    "ARCFOUR-128", "ESTREAM-SALSA20-256", "SALSA20-256", "CHACHA20-32", "CHACHA20-64",
    "CAMELLIA-256-CBC", "CAMELLIA-192-CBC", "CAMELLIA-128-CBC", "CHACHA20-POLY1305",
    "CAMELLIA-128-GCM", "CAMELLIA-256-GCM", "GOST28147-TC26Z-CFB", "GOST28147-CPA-CFB",
    "GOST28147-CPB-CFB", "GOST28147-CPC-CFB", "GOST28147-CPD-CFB", "AES-128-CFB8",
    "AES-192-CFB8", "AES-256-CFB8", "AES-128-XTS", "AES-256-XTS", "AES-128-SIV",
    "AES-256-SIV", "GOST28147-TC26Z-CNT", "MAGMA-CTR-ACPKM", "KUZNYECHIK-CTR-ACPKM",
    "3DES-CBC", "DES-CBC", "RC2-40", "NULL"};
static const char *const st_macs[] = {
    "SHA1", "SHA256", "SHA384", "SHA512", "SHA224", "UMAC-96", "UMAC-128", "AEAD",
    "MD5", "GOSTR341194", "STREEBOG-256", "STREEBOG-512", "AES-CMAC-128",
    "AES-CMAC-256", "AES-GMAC-128", "AES-GMAC-192", "AES-GMAC-256",
    "GOST28147-TC26Z-IMIT", "OMAC-MAGMA", "OMAC-KUZNYECHIK"};
static const char *const st_kxs[] = {
    "ECDHE-RSA", "ECDHE-ECDSA", "RSA", "DHE-RSA", "DHE-DSS", "PSK", "RSA-PSK",
    "DHE-PSK", "ECDHE-PSK", "SRP-DSS", "SRP-RSA", "SRP", "ANON-DH", "ANON-ECDH",
    "VKO-GOST-12"};
static const char *const st_groups[] = {
    "SECP192R1", "SECP224R1", "SECP256R1", "SECP384R1", "SECP521R1", "X25519",
    "GC256B", "GC512A", "X448", "FFDHE2048", "FFDHE3072", "FFDHE4096", "FFDHE6144",
    "FFDHE8192"};
static const char *const st_curves[] = {
    "SECP192R1", "SECP224R1", "SECP256R1", "SECP384R1", "SECP521R1", "X25519",
    "Ed25519", "X448", "Ed448", "CryptoPro-A", "CryptoPro-XchA", "TC26-256-B",
    "TC26-512-A"};
static const char *const st_signs[] = {
    "RSA-SHA256", "RSA-SHA384", "RSA-SHA512", "RSA-PSS-SHA256", "RSA-PSS-RSAE-SHA256",
    "RSA-PSS-SHA384", "RSA-PSS-RSAE-SHA384", "RSA-PSS-SHA512", "RSA-PSS-RSAE-SHA512",
    "EdDSA-Ed25519", "EdDSA-Ed448", "ECDSA-SHA256", "ECDSA-SHA384", "ECDSA-SHA512",
    "ECDSA-SECP256R1-SHA256", "ECDSA-SECP384R1-SHA384", "ECDSA-SECP521R1-SHA512",
    "ECDSA-SHA3-224", "ECDSA-SHA3-256", "ECDSA-SHA3-384", "ECDSA-SHA3-512",
    "RSA-SHA3-224", "RSA-SHA3-256", "RSA-SHA3-384", "RSA-SHA3-512", "DSA-SHA3-224",
    "DSA-SHA3-256", "DSA-SHA3-384", "DSA-SHA3-512", "RSA-RAW", "RSA-SHA1",
    "RSA-SHA224", "RSA-RMD160", "DSA-SHA1", "DSA-SHA224", "DSA-SHA256", "RSA-MD5",
    "RSA-MD2", "ECDSA-SHA1", "ECDSA-SHA224", "GOSTR341012-512", "GOSTR341012-256",
    "GOSTR341001", "DSA-SHA384", "DSA-SHA512"};
static const char *const st_hashes[] = {
    "SHA1", "SHA256", "SHA384", "SHA512", "SHA224", "MD5", "GOSTR341194",
    "STREEBOG-256", "STREEBOG-512"};

void tp_gnutls_static_names(tp_gnutls_names *out)
{
#define SET(k, a) (out->names[k] = (a), out->n[k] = NELEM(a))
    SET(TP_GT_VERSION, st_versions);
    SET(TP_GT_CIPHER, st_ciphers);
    SET(TP_GT_MAC, st_macs);
    SET(TP_GT_KX, st_kxs);
    SET(TP_GT_GROUP, st_groups);
    SET(TP_GT_CURVE, st_curves);
    SET(TP_GT_SIGN, st_signs);
    SET(TP_GT_HASH, st_hashes);
#undef SET
}

const char *tp_gnutls_kind_name(tp_gnutls_kind k)
{
    static const char *const n[TP_GT__COUNT] = {
        "version", "cipher", "mac", "kx", "group", "curve", "sign", "hash"};
    return (unsigned)k < TP_GT__COUNT ? n[k] : NULL;
}

const char *tp_gnutls_key_name(tp_gnutls_key k)
{
    static const char *const n[TP_GK__COUNT] = {
        "disabled-version", "tls-disabled-cipher", "tls-disabled-mac",
        "tls-disabled-kx", "tls-disabled-group", "disabled-curve",
        "insecure-hash", "insecure-sig", "insecure-sig-for-cert"};
    return (unsigned)k < TP_GK__COUNT ? n[k] : NULL;
}

static const gt_name *gt_find(tp_gnutls_kind k, const char *gnutls)
{
    for (size_t i = 0; i < NELEM(gt_names); i++)
        if (gt_names[i].kind == k && strcasecmp(gt_names[i].gnutls, gnutls) == 0)
            return &gt_names[i];
    return NULL;
}

const char *tp_gnutls_ours(tp_gnutls_kind k, const char *gnutls_name)
{
    const gt_name *e = gnutls_name ? gt_find(k, gnutls_name) : NULL;
    if (e == NULL)
        return NULL;
    return e->ours ? e->ours : e->sigalg;
}

static int installed(const tp_gnutls_names *in, tp_gnutls_kind k, const char *name)
{
    for (size_t i = 0; i < in->n[k]; i++)
        if (in->names[k][i] && strcasecmp(in->names[k][i], name) == 0)
            return 1;
    return 0;
}

static int version_allowed(const tp_resolved *r, const char *ours)
{
    const tp_vername *v = tp_version_find(ours);
    if (v == NULL)
        return 0;
    if (v->dtls) /* DTLS numbers run downwards: 1.2 = 0xFEFD < 1.0 = 0xFEFF */
        return v->version <= tp_resolved_get_int(r, TP_K_DTLS_MIN) &&
               v->version >= tp_resolved_get_int(r, TP_K_DTLS_MAX);
    return v->version >= tp_resolved_get_int(r, TP_K_TLS_MIN) &&
           v->version <= tp_resolved_get_int(r, TP_K_TLS_MAX);
}

/* A cipher is allowed for TLS 1.2 by tls.ciphers, for TLS 1.3 by a suite. */
static int cipher_allowed(const tp_resolved *r, const char *ours)
{
    if (tp_resolved_list_has(r, TP_K_TLS_CIPHERS, ours))
        return 1;
    if (tp_resolved_get_int(r, TP_K_TLS_MAX) < TP_V_TLS1_3)
        return 0;
    for (size_t i = 0; i < tp_resolved_list_len(r, TP_K_TLS_CIPHERSUITES); i++) {
        const tp_suite13 *s = tp_suite13_find(tp_resolved_list_item(r, TP_K_TLS_CIPHERSUITES, i));
        if (s && strcasecmp(s->cipher, ours) == 0)
            return 1;
    }
    return 0;
}

static int group_allowed(const tp_resolved *r, const char *ours)
{
    const tp_group *g = tp_group_find(ours);
    if (g == NULL || !tp_resolved_list_has(r, TP_K_TLS_GROUPS, g->iana))
        return 0;
    return tp_group_meets_floors(r, g);
}

static int sigalg_allowed(const tp_resolved *r, const char *ours, uint32_t forbidden)
{
    const tp_sigalg *sa = tp_sigalg_find(ours);
    if (sa == NULL || !tp_resolved_list_has(r, TP_K_TLS_SIGALGS, sa->iana))
        return 0;
    return tp_sigalg_meets_floors(r, sa, forbidden);
}

/* Whether the GnuTLS name e stands for something the policy allows. */
static int gt_allowed(const tp_resolved *r, const gt_name *e, uint32_t forbidden)
{
    switch (e->kind) {
    case TP_GT_VERSION:
        return e->ours && version_allowed(r, e->ours);
    case TP_GT_CIPHER:
        return e->ours && cipher_allowed(r, e->ours);
    case TP_GT_MAC:
        return e->ours && tp_resolved_list_has(r, TP_K_TLS_MACS, e->ours);
    case TP_GT_KX:
        return e->ours && tp_resolved_list_has(r, TP_K_TLS_KEX, e->ours);
    case TP_GT_GROUP:
        return e->ours && group_allowed(r, e->ours);
    case TP_GT_CURVE:
        return (e->ours && group_allowed(r, e->ours)) ||
               (e->sigalg && sigalg_allowed(r, e->sigalg, forbidden));
    case TP_GT_SIGN:
        return !(e->hash & forbidden);
    case TP_GT_HASH:
        return !(e->hash & forbidden);
    default:
        return 0;
    }
}

static int push(tp_gnutls_conf *c, tp_gnutls_key k, const char *value)
{
    for (size_t i = 0; i < c->nvalues[k]; i++)
        if (strcasecmp(c->values[k][i], value) == 0)
            return 0; /* GnuTLS lists RSA-SHA1 twice (two OIDs) */
    char **nv = realloc(c->values[k], (c->nvalues[k] + 1) * sizeof(*nv));
    if (nv == NULL)
        return -1;
    c->values[k] = nv;
    if ((nv[c->nvalues[k]] = strdup(value)) == NULL)
        return -1;
    c->nvalues[k]++;
    return 0;
}

static int note(tp_gnutls_conf *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(tp_gnutls_conf *c, const char *fmt, ...)
{
    if (c->nnotes >= TP_GNUTLS_MAX_NOTES)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    int rc = vasprintf(&c->notes[c->nnotes], fmt, ap);
    va_end(ap);
    if (rc < 0) {
        c->notes[c->nnotes] = NULL;
        return -1;
    }
    c->nnotes++;
    return 0;
}

/* Priority-string tokens for one policy name: every installed, allowed
 * GnuTLS name that stands for it, in table order. */
static void prio_add(tp_buf *b, const tp_resolved *r, const tp_gnutls_names *in,
                     tp_gnutls_kind k, const char *ours, const char *prefix,
                     uint32_t forbidden)
{
    for (size_t i = 0; i < NELEM(gt_names); i++) {
        const gt_name *e = &gt_names[i];
        if (e->kind != k || e->ours == NULL || strcasecmp(e->ours, ours) != 0)
            continue;
        if (!installed(in, k, e->gnutls) || !gt_allowed(r, e, forbidden))
            continue;
        char tok[96];
        snprintf(tok, sizeof(tok), "+%s%s", prefix, e->gnutls);
        if (b->s && strstr(b->s, tok)) {
            /* already there (a cipher in both lists): check it is a whole token */
            size_t tl = strlen(tok);
            const char *p = b->s;
            int dup = 0;
            while ((p = strstr(p, tok)) != NULL) {
                if (p[tl] == ':' || p[tl] == '\0') {
                    dup = 1;
                    break;
                }
                p += tl;
            }
            if (dup)
                continue;
        }
        tp_buf_join(b, ":", tok);
    }
}

static void prio_list(tp_buf *b, const tp_resolved *r, const tp_gnutls_names *in,
                      tp_gnutls_kind k, tp_key key, const char *all, const char *prefix,
                      uint32_t forbidden)
{
    tp_buf_join(b, ":", all);
    for (size_t i = 0; i < tp_resolved_list_len(r, key); i++)
        prio_add(b, r, in, k, tp_resolved_list_item(r, key, i), prefix, forbidden);
}

static char *priority_string(const tp_resolved *r, const tp_gnutls_names *in, uint32_t forbidden)
{
    tp_buf b = {0};
    tp_buf_add(&b, "NORMAL");
    tp_buf_join(&b, ":", "-VERS-ALL");
    for (size_t i = 0; i < NELEM(gt_names); i++) {
        const gt_name *e = &gt_names[i];
        if (e->kind == TP_GT_VERSION && installed(in, e->kind, e->gnutls) &&
            gt_allowed(r, e, forbidden)) {
            char tok[64];
            snprintf(tok, sizeof(tok), "+VERS-%s", e->gnutls);
            tp_buf_join(&b, ":", tok);
        }
    }
    prio_list(&b, r, in, TP_GT_CIPHER, TP_K_TLS_CIPHERS, "-CIPHER-ALL", "", forbidden);
    /* TLS 1.3 suites whose cipher tls.ciphers leaves out */
    for (size_t i = 0; i < tp_resolved_list_len(r, TP_K_TLS_CIPHERSUITES); i++) {
        const tp_suite13 *s = tp_suite13_find(tp_resolved_list_item(r, TP_K_TLS_CIPHERSUITES, i));
        if (s)
            prio_add(&b, r, in, TP_GT_CIPHER, s->cipher, "", forbidden);
    }
    prio_list(&b, r, in, TP_GT_MAC, TP_K_TLS_MACS, "-MAC-ALL", "", forbidden);
    prio_list(&b, r, in, TP_GT_KX, TP_K_TLS_KEX, "-KX-ALL", "", forbidden);
    prio_list(&b, r, in, TP_GT_GROUP, TP_K_TLS_GROUPS, "-GROUP-ALL", "GROUP-", forbidden);
    /* The TLS signature schemes the policy lists, minus forbidden hashes. */
    tp_buf_join(&b, ":", "-SIGN-ALL");
    for (size_t i = 0; i < tp_resolved_list_len(r, TP_K_TLS_SIGALGS); i++) {
        const char *sa = tp_resolved_list_item(r, TP_K_TLS_SIGALGS, i);
        if (sigalg_allowed(r, sa, forbidden))
            prio_add(&b, r, in, TP_GT_SIGN, sa, "SIGN-", forbidden);
    }
    return tp_buf_done(&b);
}

/*
 * GnuTLS's certificate verification profiles (lib/algorithms/secparams.c):
 * the RSA/DH bits each one demands. The highest profile whose demand does
 * not exceed the policy's smallest finite-field floor: never stricter than
 * the policy (crypto-policies rounds the other way).
 */
static const struct { const char *name; int bits; } gt_profiles[] = {
    {"future", 15360}, {"ultra", 8192}, {"high", 3072}, {"medium", 2048},
    {"legacy", 1776}, {"low", 1024}, {"very_weak", 768},
};

static const char *verification_profile(long floor, int *bits)
{
    for (size_t i = 0; i < NELEM(gt_profiles); i++)
        if (floor >= gt_profiles[i].bits) {
            *bits = gt_profiles[i].bits;
            return gt_profiles[i].name;
        }
    *bits = 0;
    return NULL;
}

static const tp_gnutls_key disabled_key[TP_GT__COUNT] = {
    [TP_GT_VERSION] = TP_GK_DISABLED_VERSION,
    [TP_GT_CIPHER] = TP_GK_TLS_DISABLED_CIPHER,
    [TP_GT_MAC] = TP_GK_TLS_DISABLED_MAC,
    [TP_GT_KX] = TP_GK_TLS_DISABLED_KX,
    [TP_GT_GROUP] = TP_GK_TLS_DISABLED_GROUP,
    [TP_GT_CURVE] = TP_GK_DISABLED_CURVE,
};

/* Block one installed name unless the policy allows it. Returns 0, or -1
 * when out of memory. */
static int block_name(tp_gnutls_conf *out, const tp_resolved *r, int k, const char *name,
                      uint32_t forbidden)
{
    int bad = 0;
    const gt_name *e = gt_find((tp_gnutls_kind)k, name);
    if (k == TP_GT_SIGN || k == TP_GT_HASH) {
        if (e == NULL || gt_allowed(r, e, forbidden))
            return 0;
        if (k == TP_GT_HASH) {
            bad |= push(out, TP_GK_INSECURE_HASH, name);
        } else {
            bad |= push(out, TP_GK_INSECURE_SIG, name);
            bad |= push(out, TP_GK_INSECURE_SIG_FOR_CERT, name);
        }
        return bad;
    }
    if (e && gt_allowed(r, e, forbidden))
        return 0;
    char val[96];
    /* tls-disabled-group takes the priority-string spelling */
    snprintf(val, sizeof(val), "%s%s", k == TP_GT_GROUP ? "GROUP-" : "", name);
    return push(out, disabled_key[k], val);
}

/* Blocklist: every installed name the policy does not allow. Names we
 * have no entry for are disabled too, except signatures and hashes,
 * where only forbidden digests are marked (GnuTLS marks the rest).
 * Returns 0, or -1 when out of memory. */
static int add_blocklist(tp_gnutls_conf *out, const tp_resolved *r, const tp_gnutls_names *in,
                         uint32_t forbidden)
{
    int bad = 0;
    for (int k = 0; k < TP_GT__COUNT; k++) {
        for (size_t i = 0; i < in->n[k]; i++) {
            const char *name = in->names[k][i];
            if (name == NULL || !name[0])
                continue;
            bad |= block_name(out, r, k, name, forbidden);
        }
    }
    return bad;
}

/* The verification profile for the smallest finite-field floor, and the
 * note saying what of the key floors it holds. Returns 0, or -1 when out
 * of memory. */
static int add_profile(tp_gnutls_conf *out, const tp_resolved *r)
{
    long floor = tp_resolved_get_int(r, TP_K_KEYS_RSA);
    if (tp_resolved_get_int(r, TP_K_KEYS_DH) < floor)
        floor = tp_resolved_get_int(r, TP_K_KEYS_DH);
    if (tp_resolved_get_int(r, TP_K_KEYS_DSA) < floor)
        floor = tp_resolved_get_int(r, TP_K_KEYS_DSA);
    int pbits = 0;
    out->profile = verification_profile(floor, &pbits);
    if (out->profile == NULL)
        return note(out,
                    "keys: floors of %ld bits are below GnuTLS's weakest "
                    "verification profile; GnuTLS's own defaults apply",
                    floor);
    return note(out,
                "keys: min_rsa_bits = %ld, min_dh_bits = %ld, min_dsa_bits = %ld, "
                "min_ec_bits = %ld are held only as GnuTLS profile \"%s\" "
                "(RSA/DH/DSA >= %d bits and GnuTLS's EC size for it); exact key sizes "
                "are not expressible",
                tp_resolved_get_int(r, TP_K_KEYS_RSA), tp_resolved_get_int(r, TP_K_KEYS_DH),
                tp_resolved_get_int(r, TP_K_KEYS_DSA), tp_resolved_get_int(r, TP_K_KEYS_EC),
                out->profile, pbits);
}

/* Notes on the rest of the policy GnuTLS's file cannot hold. Returns 0, or
 * -1 when out of memory. */
static int add_unexpressible(tp_gnutls_conf *out, const tp_resolved *r)
{
    int bad = 0;
    bad |= note(out, "tls.signature_algorithms: held only for programs that keep the default "
                "priority string; GnuTLS has no blocklist key for TLS signature schemes alone "
                "(forbidden hashes are refused for every program)");
    const char *peer = tp_resolved_get_str(r, TP_K_VERIFY_PEER);
    if (peer && strcmp(peer, "required") == 0)
        bad |= note(out, "verify.peer = required: GnuTLS has no system-wide switch for peer "
                    "verification or CA files; each program decides");
    const char *mode = tp_resolved_get_str(r, TP_K_MODE);
    if (mode && strcmp(mode, "permissive") == 0)
        bad |= note(out, "mode = permissive: GnuTLS has no log-only mode; this file refuses "
                    "what it disables");
    return bad;
}

/* The effective policy as GnuTLS's system configuration, for the names in. */
tp_err tp_render_gnutls(const tp_resolved *r, const tp_gnutls_names *in, tp_gnutls_conf *out)
{
    if (r == NULL || in == NULL || out == NULL)
        return TP_ERR_ARG;
    memset(out, 0, sizeof(*out));
    uint32_t forbidden = tp_forbidden_hash_bits(r);
    int bad = 0;

    bad |= add_blocklist(out, r, in, forbidden);
    out->priority = priority_string(r, in, forbidden);
    if (out->priority == NULL)
        bad = -1;
    bad |= add_profile(out, r);
    bad |= add_unexpressible(out, r);
    if (bad) {
        tp_gnutls_conf_clear(out);
        return TP_ERR_NOMEM;
    }
    return TP_OK;
}

char *tp_gnutls_conf_text(const tp_gnutls_conf *c, const char *source)
{
    tp_buf b = {0};
    tp_buf_add(&b, TP_GNUTLS_MARKER "\n"
               "# Do not edit: `tlspolicy set` rewrites it, `tlspolicy disable` removes it.\n");
    if (source) {
        tp_buf_add(&b, "# Names checked against: ");
        tp_buf_add(&b, source);
        tp_buf_add(&b, "\n");
    }
    tp_buf_add(&b, "#\n"
               "# Blocklist mode: everything this GnuTLS knows minus what the policy allows.\n"
               "# (GnuTLS's allowlist mode lets programs re-enable versions and ciphers.)\n"
               "# Not expressible in GnuTLS, so not enforced through this file:\n");
    for (size_t i = 0; i < c->nnotes; i++) {
        tp_buf_add(&b, "#   - ");
        tp_buf_add(&b, c->notes[i]);
        tp_buf_add(&b, "\n");
    }
    tp_buf_add(&b, "\n[global]\noverride-mode = blocklist\n\n[overrides]\n");
    if (c->priority) {
        tp_buf_add(&b, "default-priority-string = ");
        tp_buf_add(&b, c->priority);
        tp_buf_add(&b, "\n");
    }
    if (c->profile) {
        tp_buf_add(&b, "min-verification-profile = ");
        tp_buf_add(&b, c->profile);
        tp_buf_add(&b, "\n");
    }
    for (int k = 0; k < TP_GK__COUNT; k++)
        for (size_t i = 0; i < c->nvalues[k]; i++) {
            tp_buf_add(&b, tp_gnutls_key_name((tp_gnutls_key)k));
            tp_buf_add(&b, " = ");
            tp_buf_add(&b, c->values[k][i]);
            tp_buf_add(&b, "\n");
        }
    return tp_buf_done(&b);
}

void tp_gnutls_conf_clear(tp_gnutls_conf *c)
{
    if (c == NULL)
        return;
    for (int k = 0; k < TP_GK__COUNT; k++) {
        for (size_t i = 0; i < c->nvalues[k]; i++)
            free(c->values[k][i]);
        free(c->values[k]);
    }
    free(c->priority);
    for (size_t i = 0; i < c->nnotes; i++)
        free(c->notes[i]);
    memset(c, 0, sizeof(*c));
}
