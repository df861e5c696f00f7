/*
 * names.h - the name tables behind the policy language (private).
 *
 * The policy speaks in algorithm families (ciphers, key exchange, MACs, as
 * crypto-policies does) and IANA names (groups, signature schemes, TLS 1.3
 * suites). These tables map them to OpenSSL, with the first OpenSSL version
 * that knows each one so that rendering can skip what the library lacks.
 * Lookups are case-insensitive and accept aliases (OpenSSL's spellings).
 */
#ifndef TP_NAMES_H
#define TP_NAMES_H

#include <stddef.h>
#include <stdint.h>
#include "tlspolicy.h"

#define TP_OSSL_3_0 0x30000000UL
#define TP_OSSL_3_2 0x30200000UL
#define TP_OSSL_3_5 0x30500000UL

/* A family name: cipher, key exchange, MAC, hash. */
typedef struct tp_family {
    const char *name;     /* canonical: "AES-256-GCM", "ECDHE", "HMAC-SHA1" */
    const char *aliases;  /* space-separated, may be NULL */
    const char *doc;      /* one line */
    uint32_t bits;        /* for hashes: TP_H_*; for ciphers: TP_C_* if the
                           * provider can withhold it outright, else 0 */
} tp_family;

/* A TLS 1.2-and-below cipher suite, as OpenSSL names it: the public
 * record (tlspolicy.h) is the table's row. */
typedef tp_suite12_info tp_suite12;

/* A TLS 1.3 cipher suite. */
typedef struct tp_suite13 {
    const char *iana;     /* "TLS_AES_256_GCM_SHA384" (OpenSSL uses the same) */
    const char *aliases;
    uint16_t id;
    const char *cipher;   /* family */
} tp_suite13;

typedef enum tp_group_kind { TP_G_EC, TP_G_ECX, TP_G_FFDHE, TP_G_PQ, TP_G_HYBRID } tp_group_kind;

typedef struct tp_group {
    const char *iana;     /* "secp256r1", "x25519", "ffdhe2048", "X25519MLKEM768" */
    const char *openssl;  /* spelling for the Groups command: "P-256", "X25519" */
    const char *aliases;  /* "prime256v1 P-256" */
    uint16_t id;
    tp_group_kind kind;
    int bits;             /* EC: order bits (for min_ec_bits); FFDHE: modulus */
    unsigned long min_openssl;
} tp_group;

typedef struct tp_sigalg {
    const char *iana;     /* "ecdsa_secp256r1_sha256" */
    const char *openssl;  /* spelling for SignatureAlgorithms */
    const char *aliases;  /* "ECDSA+SHA256" */
    uint16_t id;
    uint32_t hash;        /* TP_H_* (0 for ed25519/ed448, intrinsic) */
    const char *key;      /* "RSA" "RSA-PSS" "EC" "ED25519" "ED448" "DSA" "ML-DSA" */
    int curve_bits;       /* for ecdsa_secpXXX: the curve's order bits; else 0 */
    unsigned long min_openssl;
} tp_sigalg;

typedef struct tp_vername {
    const char *name;     /* canonical "TLSv1.2" */
    const char *aliases;  /* "TLS1.2 TLSv1_2 tls1_2 1.2" */
    int version;          /* tp_version */
    int dtls;
} tp_vername;

extern const tp_family tp_ciphers[];   extern const size_t tp_nciphers;
extern const tp_family tp_kexes[];     extern const size_t tp_nkexes;
extern const tp_family tp_macs[];      extern const size_t tp_nmacs;
extern const tp_family tp_hashes[];    extern const size_t tp_nhashes;
extern const tp_suite12 tp_suites12[]; extern const size_t tp_nsuites12;
extern const tp_suite13 tp_suites13[]; extern const size_t tp_nsuites13;
extern const tp_group tp_groups[];     extern const size_t tp_ngroups;
extern const tp_sigalg tp_sigalgs[];   extern const size_t tp_nsigalgs;
extern const tp_vername tp_versions[]; extern const size_t tp_nversions;

const tp_group *tp_group_find(const char *canonical);
const tp_sigalg *tp_sigalg_find(const char *canonical);
const tp_suite13 *tp_suite13_find(const char *canonical);
const tp_family *tp_family_find(tp_name_kind kind, const char *canonical);
const tp_vername *tp_version_find(const char *name); /* any alias */

/* 1 if `name` equals (case-insensitive) canonical or one of the
 * space-separated aliases; *alias_used set to 1 if it matched an alias. */
int tp_name_matches(const char *name, const char *canonical,
                    const char *aliases, int *alias_used);

#endif
