/*
 * names.c - the name tables behind the policy language.
 *
 * Families (ciphers, key exchange, MACs, hashes) follow Fedora
 * crypto-policies' spelling; groups and signature schemes follow the IANA
 * TLS registries; TLS 1.2 suites carry OpenSSL's name and the IANA one.
 * Every `openssl` spelling and min_openssl below was checked against the
 * OpenSSL it claims (tests/policy/test_names.c re-checks the installed one);
 * newer ones against the OpenSSL sources (providers/common/capabilities.c,
 * ssl/t1_lib.c, include/internal/tlssigalgs.h).
 *
 * Only libc here: the config module links this without libssl.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "names.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- families ------------------------------------------------------------ */

const tp_family tp_ciphers[] = {
    { "AES-256-GCM", "AES256-GCM AESGCM256", "AES, 256-bit key, GCM (AEAD)", 0 },
    { "AES-128-GCM", "AES128-GCM AESGCM128", "AES, 128-bit key, GCM (AEAD)", 0 },
    { "CHACHA20-POLY1305", "CHACHA20 CHACHA20POLY1305", "ChaCha20 stream cipher with Poly1305 (AEAD, RFC 7905)", 0 },
    { "AES-256-CCM", "AES256-CCM", "AES, 256-bit key, CCM with 16-byte tag (AEAD, RFC 6655)", 0 },
    { "AES-128-CCM", "AES128-CCM", "AES, 128-bit key, CCM with 16-byte tag (AEAD, RFC 6655)", 0 },
    { "AES-256-CCM8", "AES256-CCM8 AES-256-CCM-8", "AES, 256-bit key, CCM with 8-byte tag (AEAD, short tag; RFC 6655)", 0 },
    { "AES-128-CCM8", "AES128-CCM8 AES-128-CCM-8", "AES, 128-bit key, CCM with 8-byte tag (AEAD, short tag; RFC 6655)", 0 },
    { "AES-256-CBC", "AES256-CBC AES256", "AES, 256-bit key, CBC with HMAC (MAC-then-encrypt)", 0 },
    { "AES-128-CBC", "AES128-CBC AES128", "AES, 128-bit key, CBC with HMAC (MAC-then-encrypt)", 0 },
    { "CAMELLIA-256-GCM", "CAMELLIA256-GCM", "Camellia, 256-bit key, GCM (AEAD; no OpenSSL suite)", 0 },
    { "CAMELLIA-128-GCM", "CAMELLIA128-GCM", "Camellia, 128-bit key, GCM (AEAD; no OpenSSL suite)", 0 },
    { "CAMELLIA-256-CBC", "CAMELLIA256-CBC CAMELLIA256", "Camellia, 256-bit key, CBC with HMAC", 0 },
    { "CAMELLIA-128-CBC", "CAMELLIA128-CBC CAMELLIA128", "Camellia, 128-bit key, CBC with HMAC", 0 },
    { "ARIA-256-GCM", "ARIA256-GCM", "ARIA, 256-bit key, GCM (AEAD, RFC 6209)", 0 },
    { "ARIA-128-GCM", "ARIA128-GCM", "ARIA, 128-bit key, GCM (AEAD, RFC 6209)", 0 },
    { "3DES-CBC", "3DES DES-EDE3-CBC DES-CBC3 3DES-EDE-CBC", "Triple DES, CBC: 64-bit block (Sweet32); not in OpenSSL 3.0 default builds", TP_C_3DES },
    { "DES-CBC", "DES", "single DES, 56-bit key: broken", TP_C_DES },
    { "RC4-128", "RC4", "RC4 stream cipher: prohibited in TLS by RFC 7465", TP_C_RC4 },
    { "RC2-CBC", "RC2", "RC2, CBC: broken, no TLS suite left", TP_C_RC2 },
    { "SEED-CBC", "SEED", "SEED, CBC (legacy provider only in OpenSSL 3)", TP_C_SEED },
    { "IDEA-CBC", "IDEA", "IDEA, CBC (legacy provider only in OpenSSL 3)", TP_C_IDEA },
    { "NULL", "eNULL NONE", "no encryption at all (integrity only)", TP_C_NULL },
};
const size_t tp_nciphers = NELEM(tp_ciphers);

const tp_family tp_kexes[] = {
    { "ECDHE", "ECDH EECDH kECDHE", "ephemeral elliptic-curve Diffie-Hellman (forward secret)", 0 },
    { "DHE", "EDH kDHE kEDH", "ephemeral finite-field Diffie-Hellman (forward secret)", 0 },
    { "RSA", "kRSA", "RSA key transport: no forward secrecy", 0 },
    { "PSK", "kPSK", "pre-shared key only", 0 },
    { "ECDHE-PSK", "ECDHEPSK kECDHEPSK", "pre-shared key with ephemeral ECDH", 0 },
    { "DHE-PSK", "DHEPSK kDHEPSK", "pre-shared key with ephemeral DH", 0 },
    { "RSA-PSK", "RSAPSK kRSAPSK", "pre-shared key with RSA key transport", 0 },
};
const size_t tp_nkexes = NELEM(tp_kexes);

const tp_family tp_macs[] = {
    { "AEAD", NULL, "integrity from the AEAD cipher itself (GCM, CCM, Poly1305)", 0 },
    { "HMAC-SHA1", "HMAC-SHA-1 SHA1", "HMAC with SHA-1 (CBC suites of TLS 1.0-1.2)", 0 },
    { "HMAC-SHA2-256", "HMAC-SHA256 SHA256", "HMAC with SHA-256 (CBC suites)", 0 },
    { "HMAC-SHA2-384", "HMAC-SHA384 SHA384", "HMAC with SHA-384 (CBC suites)", 0 },
    { "HMAC-MD5", "MD5", "HMAC with MD5 (NULL-MD5 only)", 0 },
};
const size_t tp_nmacs = NELEM(tp_macs);

const tp_family tp_hashes[] = {
    { "MD5", "MD-5", "MD5: collisions are practical", TP_H_MD5 },
    { "SHA1", "SHA-1", "SHA-1: chosen-prefix collisions (SHAmbles); RFC 9155", TP_H_SHA1 },
    { "SHA2-224", "SHA224 SHA-224", "SHA-224", TP_H_SHA224 },
    { "SHA2-256", "SHA256 SHA-256", "SHA-256", TP_H_SHA256 },
    { "SHA2-384", "SHA384 SHA-384", "SHA-384", TP_H_SHA384 },
    { "SHA2-512", "SHA512 SHA-512", "SHA-512", TP_H_SHA512 },
    { "SHA3-256", "SHA3_256", "SHA3-256", TP_H_SHA3_256 },
    { "SHA3-384", "SHA3_384", "SHA3-384", TP_H_SHA3_384 },
    { "SHA3-512", "SHA3_512", "SHA3-512", TP_H_SHA3_512 },
};
const size_t tp_nhashes = NELEM(tp_hashes);

/* ---- TLS 1.2-and-below suites ---------------------------------------------- */

/*
 * Every suite OpenSSL 3.0 compiles in with RSA, ECDSA, DSS or PSK
 * authentication (SRP, anonymous and GOST left out), in the order of
 * `openssl ciphers 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'`, plus the 3DES suites
 * of enable-weak-ssl-ciphers builds. min_version: OpenSSL's SSLv3/TLSv1
 * suites work from TLS 1.0, its TLSv1.2 ones only with TLS 1.2.
 */
#define S(o, i, id, k, a, c, m, v) { o, i, id, k, a, c, m, v }
const tp_suite12 tp_suites12[] = {
    S("ECDHE-ECDSA-AES256-GCM-SHA384",  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",       0xC02C, "ECDHE",     "ECDSA", "AES-256-GCM",         "AEAD",           TP_V_TLS1_2),
    S("ECDHE-RSA-AES256-GCM-SHA384",    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",         0xC030, "ECDHE",     "RSA",  "AES-256-GCM",         "AEAD",           TP_V_TLS1_2),
    S("DHE-DSS-AES256-GCM-SHA384",      "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",           0x00A3, "DHE",       "DSS",  "AES-256-GCM",         "AEAD",           TP_V_TLS1_2),
    S("DHE-RSA-AES256-GCM-SHA384",      "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",           0x009F, "DHE",       "RSA",  "AES-256-GCM",         "AEAD",           TP_V_TLS1_2),
    S("ECDHE-ECDSA-CHACHA20-POLY1305",  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA9, "ECDHE",     "ECDSA", "CHACHA20-POLY1305",   "AEAD",           TP_V_TLS1_2),
    S("ECDHE-RSA-CHACHA20-POLY1305",    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",   0xCCA8, "ECDHE",     "RSA",  "CHACHA20-POLY1305",   "AEAD",           TP_V_TLS1_2),
    S("DHE-RSA-CHACHA20-POLY1305",      "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",     0xCCAA, "DHE",       "RSA",  "CHACHA20-POLY1305",   "AEAD",           TP_V_TLS1_2),
    S("ECDHE-ECDSA-AES256-CCM8",        "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8",            0xC0AF, "ECDHE",     "ECDSA", "AES-256-CCM8",        "AEAD",           TP_V_TLS1_2),
    S("ECDHE-ECDSA-AES256-CCM",         "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",              0xC0AD, "ECDHE",     "ECDSA", "AES-256-CCM",         "AEAD",           TP_V_TLS1_2),
    S("DHE-RSA-AES256-CCM8",            "TLS_DHE_RSA_WITH_AES_256_CCM_8",                0xC0A3, "DHE",       "RSA",  "AES-256-CCM8",        "AEAD",           TP_V_TLS1_2),
    S("DHE-RSA-AES256-CCM",             "TLS_DHE_RSA_WITH_AES_256_CCM",                  0xC09F, "DHE",       "RSA",  "AES-256-CCM",         "AEAD",           TP_V_TLS1_2),
    S("ECDHE-ECDSA-ARIA256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384",      0xC05D, "ECDHE",     "ECDSA", "ARIA-256-GCM",        "AEAD",           TP_V_TLS1_2),
    S("ECDHE-ARIA256-GCM-SHA384",       "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384",        0xC061, "ECDHE",     "RSA",  "ARIA-256-GCM",        "AEAD",           TP_V_TLS1_2),
    S("DHE-DSS-ARIA256-GCM-SHA384",     "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384",          0xC057, "DHE",       "DSS",  "ARIA-256-GCM",        "AEAD",           TP_V_TLS1_2),
    S("DHE-RSA-ARIA256-GCM-SHA384",     "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384",          0xC053, "DHE",       "RSA",  "ARIA-256-GCM",        "AEAD",           TP_V_TLS1_2),
    S("ECDHE-ECDSA-AES128-GCM-SHA256",  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",       0xC02B, "ECDHE",     "ECDSA", "AES-128-GCM",         "AEAD",           TP_V_TLS1_2),
    S("ECDHE-RSA-AES128-GCM-SHA256",    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",         0xC02F, "ECDHE",     "RSA",  "AES-128-GCM",         "AEAD",           TP_V_TLS1_2),
    S("DHE-DSS-AES128-GCM-SHA256",      "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",           0x00A2, "DHE",       "DSS",  "AES-128-GCM",         "AEAD",           TP_V_TLS1_2),
    S("DHE-RSA-AES128-GCM-SHA256",      "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",           0x009E, "DHE",       "RSA",  "AES-128-GCM",         "AEAD",           TP_V_TLS1_2),
    S("ECDHE-ECDSA-AES128-CCM8",        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",            0xC0AE, "ECDHE",     "ECDSA", "AES-128-CCM8",        "AEAD",           TP_V_TLS1_2),
    S("ECDHE-ECDSA-AES128-CCM",         "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",              0xC0AC, "ECDHE",     "ECDSA", "AES-128-CCM",         "AEAD",           TP_V_TLS1_2),
    S("DHE-RSA-AES128-CCM8",            "TLS_DHE_RSA_WITH_AES_128_CCM_8",                0xC0A2, "DHE",       "RSA",  "AES-128-CCM8",        "AEAD",           TP_V_TLS1_2),
    S("DHE-RSA-AES128-CCM",             "TLS_DHE_RSA_WITH_AES_128_CCM",                  0xC09E, "DHE",       "RSA",  "AES-128-CCM",         "AEAD",           TP_V_TLS1_2),
    S("ECDHE-ECDSA-ARIA128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256",      0xC05C, "ECDHE",     "ECDSA", "ARIA-128-GCM",        "AEAD",           TP_V_TLS1_2),
    S("ECDHE-ARIA128-GCM-SHA256",       "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256",        0xC060, "ECDHE",     "RSA",  "ARIA-128-GCM",        "AEAD",           TP_V_TLS1_2),
    S("DHE-DSS-ARIA128-GCM-SHA256",     "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256",          0xC056, "DHE",       "DSS",  "ARIA-128-GCM",        "AEAD",           TP_V_TLS1_2),
    S("DHE-RSA-ARIA128-GCM-SHA256",     "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256",          0xC052, "DHE",       "RSA",  "ARIA-128-GCM",        "AEAD",           TP_V_TLS1_2),
    S("ECDHE-ECDSA-AES256-SHA384",      "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",       0xC024, "ECDHE",     "ECDSA", "AES-256-CBC",         "HMAC-SHA2-384",  TP_V_TLS1_2),
    S("ECDHE-RSA-AES256-SHA384",        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",         0xC028, "ECDHE",     "RSA",  "AES-256-CBC",         "HMAC-SHA2-384",  TP_V_TLS1_2),
    S("DHE-RSA-AES256-SHA256",          "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",           0x006B, "DHE",       "RSA",  "AES-256-CBC",         "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("DHE-DSS-AES256-SHA256",          "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",           0x006A, "DHE",       "DSS",  "AES-256-CBC",         "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("ECDHE-ECDSA-CAMELLIA256-SHA384", "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384",  0xC073, "ECDHE",     "ECDSA", "CAMELLIA-256-CBC",    "HMAC-SHA2-384",  TP_V_TLS1_2),
    S("ECDHE-RSA-CAMELLIA256-SHA384",   "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384",    0xC077, "ECDHE",     "RSA",  "CAMELLIA-256-CBC",    "HMAC-SHA2-384",  TP_V_TLS1_2),
    S("DHE-RSA-CAMELLIA256-SHA256",     "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256",      0x00C4, "DHE",       "RSA",  "CAMELLIA-256-CBC",    "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("DHE-DSS-CAMELLIA256-SHA256",     "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256",      0x00C3, "DHE",       "DSS",  "CAMELLIA-256-CBC",    "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("ECDHE-ECDSA-AES128-SHA256",      "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",       0xC023, "ECDHE",     "ECDSA", "AES-128-CBC",         "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("ECDHE-RSA-AES128-SHA256",        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",         0xC027, "ECDHE",     "RSA",  "AES-128-CBC",         "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("DHE-RSA-AES128-SHA256",          "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",           0x0067, "DHE",       "RSA",  "AES-128-CBC",         "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("DHE-DSS-AES128-SHA256",          "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",           0x0040, "DHE",       "DSS",  "AES-128-CBC",         "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("ECDHE-ECDSA-CAMELLIA128-SHA256", "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256",  0xC072, "ECDHE",     "ECDSA", "CAMELLIA-128-CBC",    "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("ECDHE-RSA-CAMELLIA128-SHA256",   "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",    0xC076, "ECDHE",     "RSA",  "CAMELLIA-128-CBC",    "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("DHE-RSA-CAMELLIA128-SHA256",     "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",      0x00BE, "DHE",       "RSA",  "CAMELLIA-128-CBC",    "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("DHE-DSS-CAMELLIA128-SHA256",     "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256",      0x00BD, "DHE",       "DSS",  "CAMELLIA-128-CBC",    "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("ECDHE-ECDSA-AES256-SHA",         "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",          0xC00A, "ECDHE",     "ECDSA", "AES-256-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("ECDHE-RSA-AES256-SHA",           "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",            0xC014, "ECDHE",     "RSA",  "AES-256-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-RSA-AES256-SHA",             "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",              0x0039, "DHE",       "RSA",  "AES-256-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-DSS-AES256-SHA",             "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",              0x0038, "DHE",       "DSS",  "AES-256-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-RSA-CAMELLIA256-SHA",        "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA",         0x0088, "DHE",       "RSA",  "CAMELLIA-256-CBC",    "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-DSS-CAMELLIA256-SHA",        "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA",         0x0087, "DHE",       "DSS",  "CAMELLIA-256-CBC",    "HMAC-SHA1",      TP_V_TLS1_0),
    S("ECDHE-ECDSA-AES128-SHA",         "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",          0xC009, "ECDHE",     "ECDSA", "AES-128-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("ECDHE-RSA-AES128-SHA",           "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",            0xC013, "ECDHE",     "RSA",  "AES-128-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-RSA-AES128-SHA",             "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",              0x0033, "DHE",       "RSA",  "AES-128-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-DSS-AES128-SHA",             "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",              0x0032, "DHE",       "DSS",  "AES-128-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-RSA-CAMELLIA128-SHA",        "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA",         0x0045, "DHE",       "RSA",  "CAMELLIA-128-CBC",    "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-DSS-CAMELLIA128-SHA",        "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA",         0x0044, "DHE",       "DSS",  "CAMELLIA-128-CBC",    "HMAC-SHA1",      TP_V_TLS1_0),
    S("RSA-PSK-AES256-GCM-SHA384",      "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384",           0x00AD, "RSA-PSK",   "RSA",  "AES-256-GCM",         "AEAD",           TP_V_TLS1_2),
    S("DHE-PSK-AES256-GCM-SHA384",      "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",           0x00AB, "DHE-PSK",   "PSK",  "AES-256-GCM",         "AEAD",           TP_V_TLS1_2),
    S("RSA-PSK-CHACHA20-POLY1305",      "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256",     0xCCAE, "RSA-PSK",   "RSA",  "CHACHA20-POLY1305",   "AEAD",           TP_V_TLS1_2),
    S("DHE-PSK-CHACHA20-POLY1305",      "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256",     0xCCAD, "DHE-PSK",   "PSK",  "CHACHA20-POLY1305",   "AEAD",           TP_V_TLS1_2),
    S("ECDHE-PSK-CHACHA20-POLY1305",    "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",   0xCCAC, "ECDHE-PSK", "PSK",  "CHACHA20-POLY1305",   "AEAD",           TP_V_TLS1_2),
    S("DHE-PSK-AES256-CCM8",            "TLS_PSK_DHE_WITH_AES_256_CCM_8",                0xC0AB, "DHE-PSK",   "PSK",  "AES-256-CCM8",        "AEAD",           TP_V_TLS1_2),
    S("DHE-PSK-AES256-CCM",             "TLS_DHE_PSK_WITH_AES_256_CCM",                  0xC0A7, "DHE-PSK",   "PSK",  "AES-256-CCM",         "AEAD",           TP_V_TLS1_2),
    S("RSA-PSK-ARIA256-GCM-SHA384",     "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384",          0xC06F, "RSA-PSK",   "RSA",  "ARIA-256-GCM",        "AEAD",           TP_V_TLS1_2),
    S("DHE-PSK-ARIA256-GCM-SHA384",     "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384",          0xC06D, "DHE-PSK",   "PSK",  "ARIA-256-GCM",        "AEAD",           TP_V_TLS1_2),
    S("AES256-GCM-SHA384",              "TLS_RSA_WITH_AES_256_GCM_SHA384",               0x009D, "RSA",       "RSA",  "AES-256-GCM",         "AEAD",           TP_V_TLS1_2),
    S("AES256-CCM8",                    "TLS_RSA_WITH_AES_256_CCM_8",                    0xC0A1, "RSA",       "RSA",  "AES-256-CCM8",        "AEAD",           TP_V_TLS1_2),
    S("AES256-CCM",                     "TLS_RSA_WITH_AES_256_CCM",                      0xC09D, "RSA",       "RSA",  "AES-256-CCM",         "AEAD",           TP_V_TLS1_2),
    S("ARIA256-GCM-SHA384",             "TLS_RSA_WITH_ARIA_256_GCM_SHA384",              0xC051, "RSA",       "RSA",  "ARIA-256-GCM",        "AEAD",           TP_V_TLS1_2),
    S("PSK-AES256-GCM-SHA384",          "TLS_PSK_WITH_AES_256_GCM_SHA384",               0x00A9, "PSK",       "PSK",  "AES-256-GCM",         "AEAD",           TP_V_TLS1_2),
    S("PSK-CHACHA20-POLY1305",          "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256",         0xCCAB, "PSK",       "PSK",  "CHACHA20-POLY1305",   "AEAD",           TP_V_TLS1_2),
    S("PSK-AES256-CCM8",                "TLS_PSK_WITH_AES_256_CCM_8",                    0xC0A9, "PSK",       "PSK",  "AES-256-CCM8",        "AEAD",           TP_V_TLS1_2),
    S("PSK-AES256-CCM",                 "TLS_PSK_WITH_AES_256_CCM",                      0xC0A5, "PSK",       "PSK",  "AES-256-CCM",         "AEAD",           TP_V_TLS1_2),
    S("PSK-ARIA256-GCM-SHA384",         "TLS_PSK_WITH_ARIA_256_GCM_SHA384",              0xC06B, "PSK",       "PSK",  "ARIA-256-GCM",        "AEAD",           TP_V_TLS1_2),
    S("RSA-PSK-AES128-GCM-SHA256",      "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256",           0x00AC, "RSA-PSK",   "RSA",  "AES-128-GCM",         "AEAD",           TP_V_TLS1_2),
    S("DHE-PSK-AES128-GCM-SHA256",      "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256",           0x00AA, "DHE-PSK",   "PSK",  "AES-128-GCM",         "AEAD",           TP_V_TLS1_2),
    S("DHE-PSK-AES128-CCM8",            "TLS_PSK_DHE_WITH_AES_128_CCM_8",                0xC0AA, "DHE-PSK",   "PSK",  "AES-128-CCM8",        "AEAD",           TP_V_TLS1_2),
    S("DHE-PSK-AES128-CCM",             "TLS_DHE_PSK_WITH_AES_128_CCM",                  0xC0A6, "DHE-PSK",   "PSK",  "AES-128-CCM",         "AEAD",           TP_V_TLS1_2),
    S("RSA-PSK-ARIA128-GCM-SHA256",     "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256",          0xC06E, "RSA-PSK",   "RSA",  "ARIA-128-GCM",        "AEAD",           TP_V_TLS1_2),
    S("DHE-PSK-ARIA128-GCM-SHA256",     "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256",          0xC06C, "DHE-PSK",   "PSK",  "ARIA-128-GCM",        "AEAD",           TP_V_TLS1_2),
    S("AES128-GCM-SHA256",              "TLS_RSA_WITH_AES_128_GCM_SHA256",               0x009C, "RSA",       "RSA",  "AES-128-GCM",         "AEAD",           TP_V_TLS1_2),
    S("AES128-CCM8",                    "TLS_RSA_WITH_AES_128_CCM_8",                    0xC0A0, "RSA",       "RSA",  "AES-128-CCM8",        "AEAD",           TP_V_TLS1_2),
    S("AES128-CCM",                     "TLS_RSA_WITH_AES_128_CCM",                      0xC09C, "RSA",       "RSA",  "AES-128-CCM",         "AEAD",           TP_V_TLS1_2),
    S("ARIA128-GCM-SHA256",             "TLS_RSA_WITH_ARIA_128_GCM_SHA256",              0xC050, "RSA",       "RSA",  "ARIA-128-GCM",        "AEAD",           TP_V_TLS1_2),
    S("PSK-AES128-GCM-SHA256",          "TLS_PSK_WITH_AES_128_GCM_SHA256",               0x00A8, "PSK",       "PSK",  "AES-128-GCM",         "AEAD",           TP_V_TLS1_2),
    S("PSK-AES128-CCM8",                "TLS_PSK_WITH_AES_128_CCM_8",                    0xC0A8, "PSK",       "PSK",  "AES-128-CCM8",        "AEAD",           TP_V_TLS1_2),
    S("PSK-AES128-CCM",                 "TLS_PSK_WITH_AES_128_CCM",                      0xC0A4, "PSK",       "PSK",  "AES-128-CCM",         "AEAD",           TP_V_TLS1_2),
    S("PSK-ARIA128-GCM-SHA256",         "TLS_PSK_WITH_ARIA_128_GCM_SHA256",              0xC06A, "PSK",       "PSK",  "ARIA-128-GCM",        "AEAD",           TP_V_TLS1_2),
    S("AES256-SHA256",                  "TLS_RSA_WITH_AES_256_CBC_SHA256",               0x003D, "RSA",       "RSA",  "AES-256-CBC",         "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("CAMELLIA256-SHA256",             "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256",          0x00C0, "RSA",       "RSA",  "CAMELLIA-256-CBC",    "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("AES128-SHA256",                  "TLS_RSA_WITH_AES_128_CBC_SHA256",               0x003C, "RSA",       "RSA",  "AES-128-CBC",         "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("CAMELLIA128-SHA256",             "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256",          0x00BA, "RSA",       "RSA",  "CAMELLIA-128-CBC",    "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("ECDHE-PSK-AES256-CBC-SHA384",    "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384",         0xC038, "ECDHE-PSK", "PSK",  "AES-256-CBC",         "HMAC-SHA2-384",  TP_V_TLS1_0),
    S("ECDHE-PSK-AES256-CBC-SHA",       "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA",            0xC036, "ECDHE-PSK", "PSK",  "AES-256-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("RSA-PSK-AES256-CBC-SHA384",      "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384",           0x00B7, "RSA-PSK",   "RSA",  "AES-256-CBC",         "HMAC-SHA2-384",  TP_V_TLS1_0),
    S("DHE-PSK-AES256-CBC-SHA384",      "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384",           0x00B3, "DHE-PSK",   "PSK",  "AES-256-CBC",         "HMAC-SHA2-384",  TP_V_TLS1_0),
    S("RSA-PSK-AES256-CBC-SHA",         "TLS_RSA_PSK_WITH_AES_256_CBC_SHA",              0x0095, "RSA-PSK",   "RSA",  "AES-256-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-PSK-AES256-CBC-SHA",         "TLS_DHE_PSK_WITH_AES_256_CBC_SHA",              0x0091, "DHE-PSK",   "PSK",  "AES-256-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("ECDHE-PSK-CAMELLIA256-SHA384",   "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384",    0xC09B, "ECDHE-PSK", "PSK",  "CAMELLIA-256-CBC",    "HMAC-SHA2-384",  TP_V_TLS1_0),
    S("RSA-PSK-CAMELLIA256-SHA384",     "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384",      0xC099, "RSA-PSK",   "RSA",  "CAMELLIA-256-CBC",    "HMAC-SHA2-384",  TP_V_TLS1_0),
    S("DHE-PSK-CAMELLIA256-SHA384",     "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384",      0xC097, "DHE-PSK",   "PSK",  "CAMELLIA-256-CBC",    "HMAC-SHA2-384",  TP_V_TLS1_0),
    S("AES256-SHA",                     "TLS_RSA_WITH_AES_256_CBC_SHA",                  0x0035, "RSA",       "RSA",  "AES-256-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("CAMELLIA256-SHA",                "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA",             0x0084, "RSA",       "RSA",  "CAMELLIA-256-CBC",    "HMAC-SHA1",      TP_V_TLS1_0),
    S("PSK-AES256-CBC-SHA384",          "TLS_PSK_WITH_AES_256_CBC_SHA384",               0x00AF, "PSK",       "PSK",  "AES-256-CBC",         "HMAC-SHA2-384",  TP_V_TLS1_0),
    S("PSK-AES256-CBC-SHA",             "TLS_PSK_WITH_AES_256_CBC_SHA",                  0x008D, "PSK",       "PSK",  "AES-256-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("PSK-CAMELLIA256-SHA384",         "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384",          0xC095, "PSK",       "PSK",  "CAMELLIA-256-CBC",    "HMAC-SHA2-384",  TP_V_TLS1_0),
    S("ECDHE-PSK-AES128-CBC-SHA256",    "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",         0xC037, "ECDHE-PSK", "PSK",  "AES-128-CBC",         "HMAC-SHA2-256",  TP_V_TLS1_0),
    S("ECDHE-PSK-AES128-CBC-SHA",       "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA",            0xC035, "ECDHE-PSK", "PSK",  "AES-128-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("RSA-PSK-AES128-CBC-SHA256",      "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256",           0x00B6, "RSA-PSK",   "RSA",  "AES-128-CBC",         "HMAC-SHA2-256",  TP_V_TLS1_0),
    S("DHE-PSK-AES128-CBC-SHA256",      "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256",           0x00B2, "DHE-PSK",   "PSK",  "AES-128-CBC",         "HMAC-SHA2-256",  TP_V_TLS1_0),
    S("RSA-PSK-AES128-CBC-SHA",         "TLS_RSA_PSK_WITH_AES_128_CBC_SHA",              0x0094, "RSA-PSK",   "RSA",  "AES-128-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-PSK-AES128-CBC-SHA",         "TLS_DHE_PSK_WITH_AES_128_CBC_SHA",              0x0090, "DHE-PSK",   "PSK",  "AES-128-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("ECDHE-PSK-CAMELLIA128-SHA256",   "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256",    0xC09A, "ECDHE-PSK", "PSK",  "CAMELLIA-128-CBC",    "HMAC-SHA2-256",  TP_V_TLS1_0),
    S("RSA-PSK-CAMELLIA128-SHA256",     "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256",      0xC098, "RSA-PSK",   "RSA",  "CAMELLIA-128-CBC",    "HMAC-SHA2-256",  TP_V_TLS1_0),
    S("DHE-PSK-CAMELLIA128-SHA256",     "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256",      0xC096, "DHE-PSK",   "PSK",  "CAMELLIA-128-CBC",    "HMAC-SHA2-256",  TP_V_TLS1_0),
    S("AES128-SHA",                     "TLS_RSA_WITH_AES_128_CBC_SHA",                  0x002F, "RSA",       "RSA",  "AES-128-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("CAMELLIA128-SHA",                "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA",             0x0041, "RSA",       "RSA",  "CAMELLIA-128-CBC",    "HMAC-SHA1",      TP_V_TLS1_0),
    S("PSK-AES128-CBC-SHA256",          "TLS_PSK_WITH_AES_128_CBC_SHA256",               0x00AE, "PSK",       "PSK",  "AES-128-CBC",         "HMAC-SHA2-256",  TP_V_TLS1_0),
    S("PSK-AES128-CBC-SHA",             "TLS_PSK_WITH_AES_128_CBC_SHA",                  0x008C, "PSK",       "PSK",  "AES-128-CBC",         "HMAC-SHA1",      TP_V_TLS1_0),
    S("PSK-CAMELLIA128-SHA256",         "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256",          0xC094, "PSK",       "PSK",  "CAMELLIA-128-CBC",    "HMAC-SHA2-256",  TP_V_TLS1_0),
    /* 3DES: only in builds with enable-weak-ssl-ciphers (not the 3.0 default). */
    S("ECDHE-ECDSA-DES-CBC3-SHA",       "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",         0xC008, "ECDHE",     "ECDSA", "3DES-CBC",            "HMAC-SHA1",      TP_V_TLS1_0),
    S("ECDHE-RSA-DES-CBC3-SHA",         "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",           0xC012, "ECDHE",     "RSA",  "3DES-CBC",            "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-RSA-DES-CBC3-SHA",           "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",             0x0016, "DHE",       "RSA",  "3DES-CBC",            "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-DSS-DES-CBC3-SHA",           "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",             0x0013, "DHE",       "DSS",  "3DES-CBC",            "HMAC-SHA1",      TP_V_TLS1_0),
    S("ECDHE-PSK-3DES-EDE-CBC-SHA",     "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA",           0xC034, "ECDHE-PSK", "PSK",  "3DES-CBC",            "HMAC-SHA1",      TP_V_TLS1_0),
    S("RSA-PSK-3DES-EDE-CBC-SHA",       "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA",             0x0093, "RSA-PSK",   "RSA",  "3DES-CBC",            "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-PSK-3DES-EDE-CBC-SHA",       "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA",             0x008F, "DHE-PSK",   "PSK",  "3DES-CBC",            "HMAC-SHA1",      TP_V_TLS1_0),
    S("DES-CBC3-SHA",                   "TLS_RSA_WITH_3DES_EDE_CBC_SHA",                 0x000A, "RSA",       "RSA",  "3DES-CBC",            "HMAC-SHA1",      TP_V_TLS1_0),
    S("PSK-3DES-EDE-CBC-SHA",           "TLS_PSK_WITH_3DES_EDE_CBC_SHA",                 0x008B, "PSK",       "PSK",  "3DES-CBC",            "HMAC-SHA1",      TP_V_TLS1_0),
    /* NULL encryption: integrity only. */
    S("ECDHE-ECDSA-NULL-SHA",           "TLS_ECDHE_ECDSA_WITH_NULL_SHA",                 0xC006, "ECDHE",     "ECDSA", "NULL",                "HMAC-SHA1",      TP_V_TLS1_0),
    S("ECDHE-RSA-NULL-SHA",             "TLS_ECDHE_RSA_WITH_NULL_SHA",                   0xC010, "ECDHE",     "RSA",  "NULL",                "HMAC-SHA1",      TP_V_TLS1_0),
    S("NULL-SHA256",                    "TLS_RSA_WITH_NULL_SHA256",                      0x003B, "RSA",       "RSA",  "NULL",                "HMAC-SHA2-256",  TP_V_TLS1_2),
    S("ECDHE-PSK-NULL-SHA384",          "TLS_ECDHE_PSK_WITH_NULL_SHA384",                0xC03B, "ECDHE-PSK", "PSK",  "NULL",                "HMAC-SHA2-384",  TP_V_TLS1_0),
    S("ECDHE-PSK-NULL-SHA256",          "TLS_ECDHE_PSK_WITH_NULL_SHA256",                0xC03A, "ECDHE-PSK", "PSK",  "NULL",                "HMAC-SHA2-256",  TP_V_TLS1_0),
    S("ECDHE-PSK-NULL-SHA",             "TLS_ECDHE_PSK_WITH_NULL_SHA",                   0xC039, "ECDHE-PSK", "PSK",  "NULL",                "HMAC-SHA1",      TP_V_TLS1_0),
    S("RSA-PSK-NULL-SHA384",            "TLS_RSA_PSK_WITH_NULL_SHA384",                  0x00B9, "RSA-PSK",   "RSA",  "NULL",                "HMAC-SHA2-384",  TP_V_TLS1_0),
    S("RSA-PSK-NULL-SHA256",            "TLS_RSA_PSK_WITH_NULL_SHA256",                  0x00B8, "RSA-PSK",   "RSA",  "NULL",                "HMAC-SHA2-256",  TP_V_TLS1_0),
    S("DHE-PSK-NULL-SHA384",            "TLS_DHE_PSK_WITH_NULL_SHA384",                  0x00B5, "DHE-PSK",   "PSK",  "NULL",                "HMAC-SHA2-384",  TP_V_TLS1_0),
    S("DHE-PSK-NULL-SHA256",            "TLS_DHE_PSK_WITH_NULL_SHA256",                  0x00B4, "DHE-PSK",   "PSK",  "NULL",                "HMAC-SHA2-256",  TP_V_TLS1_0),
    S("RSA-PSK-NULL-SHA",               "TLS_RSA_PSK_WITH_NULL_SHA",                     0x002E, "RSA-PSK",   "RSA",  "NULL",                "HMAC-SHA1",      TP_V_TLS1_0),
    S("DHE-PSK-NULL-SHA",               "TLS_DHE_PSK_WITH_NULL_SHA",                     0x002D, "DHE-PSK",   "PSK",  "NULL",                "HMAC-SHA1",      TP_V_TLS1_0),
    S("NULL-SHA",                       "TLS_RSA_WITH_NULL_SHA",                         0x0002, "RSA",       "RSA",  "NULL",                "HMAC-SHA1",      TP_V_TLS1_0),
    S("NULL-MD5",                       "TLS_RSA_WITH_NULL_MD5",                         0x0001, "RSA",       "RSA",  "NULL",                "HMAC-MD5",       TP_V_TLS1_0),
    S("PSK-NULL-SHA384",                "TLS_PSK_WITH_NULL_SHA384",                      0x00B1, "PSK",       "PSK",  "NULL",                "HMAC-SHA2-384",  TP_V_TLS1_0),
    S("PSK-NULL-SHA256",                "TLS_PSK_WITH_NULL_SHA256",                      0x00B0, "PSK",       "PSK",  "NULL",                "HMAC-SHA2-256",  TP_V_TLS1_0),
    S("PSK-NULL-SHA",                   "TLS_PSK_WITH_NULL_SHA",                         0x002C, "PSK",       "PSK",  "NULL",                "HMAC-SHA1",      TP_V_TLS1_0),
};
#undef S
const size_t tp_nsuites12 = NELEM(tp_suites12);

/* ---- TLS 1.3 suites (RFC 8446 B.4); OpenSSL uses the IANA names ---------- */

const tp_suite13 tp_suites13[] = {
    { "TLS_AES_256_GCM_SHA384", "TLS13-AES-256-GCM-SHA384", 0x1302, "AES-256-GCM" },
    { "TLS_CHACHA20_POLY1305_SHA256", "TLS13-CHACHA20-POLY1305-SHA256", 0x1303, "CHACHA20-POLY1305" },
    { "TLS_AES_128_GCM_SHA256", "TLS13-AES-128-GCM-SHA256", 0x1301, "AES-128-GCM" },
    { "TLS_AES_128_CCM_SHA256", "TLS13-AES-128-CCM-SHA256", 0x1304, "AES-128-CCM" },
    { "TLS_AES_128_CCM_8_SHA256", "TLS13-AES-128-CCM-8-SHA256", 0x1305, "AES-128-CCM8" },
};
const size_t tp_nsuites13 = NELEM(tp_suites13);

/* ---- groups (IANA TLS Supported Groups) ------------------------------------ */

/*
 * `openssl` is a name the TLS-GROUP capability of the default provider
 * lists, so it is accepted by SSL_CTX_set1_groups_list on every version
 * from min_openssl on (3.0 compares group names case-sensitively).
 * bits: EC order bits (x25519 counted as 256 so that min_ec_bits = 256
 * keeps it), FFDHE modulus bits, hybrids their classical part, pure
 * ML-KEM 0 (not subject to the EC/DH floors).
 */
const tp_group tp_groups[] = {
    { "X25519", "x25519", NULL, 29, TP_G_ECX, 256, TP_OSSL_3_0 },
    { "secp256r1", "secp256r1", "P-256 prime256v1", 23, TP_G_EC, 256, TP_OSSL_3_0 },
    { "X448", "x448", NULL, 30, TP_G_ECX, 448, TP_OSSL_3_0 },
    { "secp384r1", "secp384r1", "P-384", 24, TP_G_EC, 384, TP_OSSL_3_0 },
    { "secp521r1", "secp521r1", "P-521", 25, TP_G_EC, 521, TP_OSSL_3_0 },
    { "ffdhe2048", "ffdhe2048", NULL, 256, TP_G_FFDHE, 2048, TP_OSSL_3_0 },
    { "ffdhe3072", "ffdhe3072", NULL, 257, TP_G_FFDHE, 3072, TP_OSSL_3_0 },
    { "ffdhe4096", "ffdhe4096", NULL, 258, TP_G_FFDHE, 4096, TP_OSSL_3_0 },
    { "ffdhe6144", "ffdhe6144", NULL, 259, TP_G_FFDHE, 6144, TP_OSSL_3_0 },
    { "ffdhe8192", "ffdhe8192", NULL, 260, TP_G_FFDHE, 8192, TP_OSSL_3_0 },
    /* RFC 7027: TLS 1.2 and below only */
    { "brainpoolP256r1", "brainpoolP256r1", NULL, 26, TP_G_EC, 256, TP_OSSL_3_0 },
    { "brainpoolP384r1", "brainpoolP384r1", NULL, 27, TP_G_EC, 384, TP_OSSL_3_0 },
    { "brainpoolP512r1", "brainpoolP512r1", NULL, 28, TP_G_EC, 512, TP_OSSL_3_0 },
    /* RFC 8734: TLS 1.3 only */
    { "brainpoolP256r1tls13", "brainpoolP256r1tls13", NULL, 31, TP_G_EC, 256, TP_OSSL_3_2 },
    { "brainpoolP384r1tls13", "brainpoolP384r1tls13", NULL, 32, TP_G_EC, 384, TP_OSSL_3_2 },
    { "brainpoolP512r1tls13", "brainpoolP512r1tls13", NULL, 33, TP_G_EC, 512, TP_OSSL_3_2 },
    /* draft-ietf-tls-ecdhe-mlkem, draft-ietf-tls-mlkem: TLS 1.3 only */
    { "X25519MLKEM768", "X25519MLKEM768", NULL, 0x11EC, TP_G_HYBRID, 256, TP_OSSL_3_5 },
    { "SecP256r1MLKEM768", "SecP256r1MLKEM768", NULL, 0x11EB, TP_G_HYBRID, 256, TP_OSSL_3_5 },
    { "SecP384r1MLKEM1024", "SecP384r1MLKEM1024", NULL, 0x11ED, TP_G_HYBRID, 384, TP_OSSL_3_5 },
    { "MLKEM512", "MLKEM512", "ML-KEM-512", 0x0200, TP_G_PQ, 0, TP_OSSL_3_5 },
    { "MLKEM768", "MLKEM768", "ML-KEM-768", 0x0201, TP_G_PQ, 0, TP_OSSL_3_5 },
    { "MLKEM1024", "MLKEM1024", "ML-KEM-1024", 0x0202, TP_G_PQ, 0, TP_OSSL_3_5 },
};
const size_t tp_ngroups = NELEM(tp_groups);

/* ---- signature schemes (IANA TLS SignatureScheme) -------------------------- */

/*
 * `openssl` is accepted by SSL_CTX_set1_sigalgs_list from min_openssl on.
 * 3.0 knows no name for ecdsa_sha1, ecdsa_sha224 and the dsa_* schemes: the
 * "SIG+HASH" form works there and in every later version. The brainpool
 * TLS 1.3 schemes were named ecdsa_brainpoolP256r1_sha256 in 3.2; later
 * versions keep that spelling as an alias of the IANA one.
 * The pre-TLS 1.3 code points RFC 8446 left unnamed keep OpenSSL's names.
 */
const tp_sigalg tp_sigalgs[] = {
    { "ecdsa_secp256r1_sha256", "ecdsa_secp256r1_sha256", "ECDSA+SHA256", 0x0403, TP_H_SHA256, "EC", 256, TP_OSSL_3_0 },
    { "ecdsa_secp384r1_sha384", "ecdsa_secp384r1_sha384", "ECDSA+SHA384", 0x0503, TP_H_SHA384, "EC", 384, TP_OSSL_3_0 },
    { "ecdsa_secp521r1_sha512", "ecdsa_secp521r1_sha512", "ECDSA+SHA512", 0x0603, TP_H_SHA512, "EC", 521, TP_OSSL_3_0 },
    { "ed25519", "ed25519", NULL, 0x0807, 0, "ED25519", 0, TP_OSSL_3_0 },
    { "ed448", "ed448", NULL, 0x0808, 0, "ED448", 0, TP_OSSL_3_0 },
    { "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha256", "RSA-PSS+SHA256 PSS+SHA256", 0x0804, TP_H_SHA256, "RSA", 0, TP_OSSL_3_0 },
    { "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha384", "RSA-PSS+SHA384 PSS+SHA384", 0x0805, TP_H_SHA384, "RSA", 0, TP_OSSL_3_0 },
    { "rsa_pss_rsae_sha512", "rsa_pss_rsae_sha512", "RSA-PSS+SHA512 PSS+SHA512", 0x0806, TP_H_SHA512, "RSA", 0, TP_OSSL_3_0 },
    { "rsa_pss_pss_sha256", "rsa_pss_pss_sha256", NULL, 0x0809, TP_H_SHA256, "RSA-PSS", 0, TP_OSSL_3_0 },
    { "rsa_pss_pss_sha384", "rsa_pss_pss_sha384", NULL, 0x080A, TP_H_SHA384, "RSA-PSS", 0, TP_OSSL_3_0 },
    { "rsa_pss_pss_sha512", "rsa_pss_pss_sha512", NULL, 0x080B, TP_H_SHA512, "RSA-PSS", 0, TP_OSSL_3_0 },
    { "rsa_pkcs1_sha256", "rsa_pkcs1_sha256", "RSA+SHA256", 0x0401, TP_H_SHA256, "RSA", 0, TP_OSSL_3_0 },
    { "rsa_pkcs1_sha384", "rsa_pkcs1_sha384", "RSA+SHA384", 0x0501, TP_H_SHA384, "RSA", 0, TP_OSSL_3_0 },
    { "rsa_pkcs1_sha512", "rsa_pkcs1_sha512", "RSA+SHA512", 0x0601, TP_H_SHA512, "RSA", 0, TP_OSSL_3_0 },
    { "ecdsa_brainpoolP256r1tls13_sha256", "ecdsa_brainpoolP256r1_sha256", NULL, 0x081A, TP_H_SHA256, "EC", 256, TP_OSSL_3_2 },
    { "ecdsa_brainpoolP384r1tls13_sha384", "ecdsa_brainpoolP384r1_sha384", NULL, 0x081B, TP_H_SHA384, "EC", 384, TP_OSSL_3_2 },
    { "ecdsa_brainpoolP512r1tls13_sha512", "ecdsa_brainpoolP512r1_sha512", NULL, 0x081C, TP_H_SHA512, "EC", 512, TP_OSSL_3_2 },
    { "mldsa44", "mldsa44", "ML-DSA-44", 0x0904, 0, "ML-DSA", 0, TP_OSSL_3_5 },
    { "mldsa65", "mldsa65", "ML-DSA-65", 0x0905, 0, "ML-DSA", 0, TP_OSSL_3_5 },
    { "mldsa87", "mldsa87", "ML-DSA-87", 0x0906, 0, "ML-DSA", 0, TP_OSSL_3_5 },
    /* TLS 1.2 only (RFC 8446 4.2.3 legacy, RFC 9155 for SHA-1) */
    { "rsa_pkcs1_sha224", "rsa_pkcs1_sha224", "RSA+SHA224", 0x0301, TP_H_SHA224, "RSA", 0, TP_OSSL_3_0 },
    { "ecdsa_sha224", "ECDSA+SHA224", NULL, 0x0303, TP_H_SHA224, "EC", 0, TP_OSSL_3_0 },
    { "dsa_sha256", "DSA+SHA256", NULL, 0x0402, TP_H_SHA256, "DSA", 0, TP_OSSL_3_0 },
    { "dsa_sha384", "DSA+SHA384", NULL, 0x0502, TP_H_SHA384, "DSA", 0, TP_OSSL_3_0 },
    { "dsa_sha512", "DSA+SHA512", NULL, 0x0602, TP_H_SHA512, "DSA", 0, TP_OSSL_3_0 },
    { "dsa_sha224", "DSA+SHA224", NULL, 0x0302, TP_H_SHA224, "DSA", 0, TP_OSSL_3_0 },
    { "rsa_pkcs1_sha1", "rsa_pkcs1_sha1", "RSA+SHA1", 0x0201, TP_H_SHA1, "RSA", 0, TP_OSSL_3_0 },
    { "ecdsa_sha1", "ECDSA+SHA1", NULL, 0x0203, TP_H_SHA1, "EC", 0, TP_OSSL_3_0 },
    { "dsa_sha1", "DSA+SHA1", NULL, 0x0202, TP_H_SHA1, "DSA", 0, TP_OSSL_3_0 },
};
const size_t tp_nsigalgs = NELEM(tp_sigalgs);

/* ---- protocol versions --------------------------------------------------- */

const tp_vername tp_versions[] = {
    { "TLSv1.0", "TLSv1 TLS1 TLS1.0 TLSv1_0 TLS1_0 1.0", TP_V_TLS1_0, 0 },
    { "TLSv1.1", "TLS1.1 TLSv1_1 TLS1_1 1.1", TP_V_TLS1_1, 0 },
    { "TLSv1.2", "TLS1.2 TLSv1_2 TLS1_2 1.2", TP_V_TLS1_2, 0 },
    { "TLSv1.3", "TLS1.3 TLSv1_3 TLS1_3 1.3", TP_V_TLS1_3, 0 },
    { "DTLSv1.0", "DTLSv1 DTLS1 DTLS1.0 DTLSv1_0 DTLS1_0", TP_V_DTLS1_0, 1 },
    { "DTLSv1.2", "DTLS1.2 DTLSv1_2 DTLS1_2", TP_V_DTLS1_2, 1 },
};
const size_t tp_nversions = NELEM(tp_versions);

/* MinProtocol/MaxProtocol spelling, parallel to tp_versions: OpenSSL calls
 * TLS 1.0 and DTLS 1.0 "TLSv1" and "DTLSv1". */
static const char *const version_openssl[] = {
    "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "DTLSv1", "DTLSv1.2",
};
_Static_assert(NELEM(version_openssl) == NELEM(tp_versions),
               "version_openssl must parallel tp_versions");

/* ---- lookups ------------------------------------------------------------- */

int tp_name_matches(const char *name, const char *canonical,
                    const char *aliases, int *alias_used)
{
    const char *p;
    size_t len;

    if (alias_used != NULL)
        *alias_used = 0;
    if (name == NULL || canonical == NULL)
        return 0;
    if (strcasecmp(name, canonical) == 0)
        return 1;
    if (aliases == NULL)
        return 0;
    len = strlen(name);
    for (p = aliases; *p != '\0';) {
        size_t n = strcspn(p, " ");

        if (n == len && len > 0 && strncasecmp(p, name, n) == 0) {
            if (alias_used != NULL)
                *alias_used = 1;
            return 1;
        }
        p += n;
        p += strspn(p, " ");
    }
    return 0;
}

/*
 * One row per name kind: where its table is and which fields hold the
 * canonical name, the OpenSSL spelling, the aliases and the first OpenSSL
 * version. NO_FIELD: the struct has none.
 */
#define NO_FIELD ((size_t)-1)

typedef struct kind_desc {
    const void *base;
    const size_t *count;
    size_t stride;
    size_t off_name;
    size_t off_aliases;
    size_t off_openssl;     /* NO_FIELD: see openssl_same / openssl_list */
    size_t off_min;         /* NO_FIELD: TP_OSSL_3_0 */
    int openssl_same;       /* the canonical name is OpenSSL's too */
    const char *const *openssl_list; /* parallel array of spellings */
} kind_desc;

#define DESC(tbl, n, type, name, aliases) \
    (const void *)(tbl), &(n), sizeof(type), offsetof(type, name), \
    offsetof(type, aliases)

static const kind_desc kinds[] = {
    [TP_N_VERSION] = { DESC(tp_versions, tp_nversions, tp_vername, name, aliases),
                       NO_FIELD, NO_FIELD, 0, version_openssl },
    [TP_N_CIPHERSUITE] = { DESC(tp_suites13, tp_nsuites13, tp_suite13, iana, aliases),
                           NO_FIELD, NO_FIELD, 1, NULL },
    /* Families have no single OpenSSL spelling: rendering expands them. */
    [TP_N_CIPHER] = { DESC(tp_ciphers, tp_nciphers, tp_family, name, aliases),
                      NO_FIELD, NO_FIELD, 0, NULL },
    [TP_N_KEX] = { DESC(tp_kexes, tp_nkexes, tp_family, name, aliases),
                   NO_FIELD, NO_FIELD, 0, NULL },
    [TP_N_MAC] = { DESC(tp_macs, tp_nmacs, tp_family, name, aliases),
                   NO_FIELD, NO_FIELD, 0, NULL },
    [TP_N_GROUP] = { DESC(tp_groups, tp_ngroups, tp_group, iana, aliases),
                     offsetof(tp_group, openssl), offsetof(tp_group, min_openssl), 0, NULL },
    [TP_N_SIGALG] = { DESC(tp_sigalgs, tp_nsigalgs, tp_sigalg, iana, aliases),
                      offsetof(tp_sigalg, openssl), offsetof(tp_sigalg, min_openssl), 0, NULL },
    /* OpenSSL 3 fetches digests by these names ("SHA2-256"). */
    [TP_N_HASH] = { DESC(tp_hashes, tp_nhashes, tp_family, name, aliases),
                    NO_FIELD, NO_FIELD, 1, NULL },
};

static const kind_desc *kind_get(tp_name_kind kind)
{
    if ((unsigned)kind >= NELEM(kinds))
        return NULL;
    return &kinds[kind];
}

static const char *field_str(const kind_desc *d, size_t i, size_t off)
{
    const char *row = (const char *)d->base + i * d->stride;
    const char *s;

    memcpy(&s, row + off, sizeof(s));
    return s;
}

static const char *row_name(const kind_desc *d, size_t i)
{
    return field_str(d, i, d->off_name);
}

static const char *row_openssl(const kind_desc *d, size_t i)
{
    if (d->off_openssl != NO_FIELD)
        return field_str(d, i, d->off_openssl);
    if (d->openssl_list != NULL)
        return d->openssl_list[i];
    return d->openssl_same ? row_name(d, i) : NULL;
}

static unsigned long row_min(const kind_desc *d, size_t i)
{
    unsigned long v;

    if (d->off_min == NO_FIELD)
        return TP_OSSL_3_0;
    memcpy(&v, (const char *)d->base + i * d->stride + d->off_min, sizeof(v));
    return v;
}

/* Row whose canonical name is `name` (any case), or -1. */
static long find_canonical(const kind_desc *d, const char *name)
{
    size_t i;

    if (name == NULL)
        return -1;
    for (i = 0; i < *d->count; i++)
        if (strcasecmp(row_name(d, i), name) == 0)
            return (long)i;
    return -1;
}

/* Row for any spelling: canonical first, then aliases and OpenSSL's. */
static long find_any(const kind_desc *d, const char *name)
{
    long r = find_canonical(d, name);
    size_t i;

    if (r >= 0 || name == NULL)
        return r;
    for (i = 0; i < *d->count; i++) {
        const char *o = row_openssl(d, i);

        if (tp_name_matches(name, row_name(d, i),
                            field_str(d, i, d->off_aliases), NULL) ||
            (o != NULL && strcasecmp(o, name) == 0))
            return (long)i;
    }
    return -1;
}

const char *tp_name_canonical(tp_name_kind kind, const char *name)
{
    const kind_desc *d = kind_get(kind);
    long r;

    if (d == NULL || name == NULL)
        return NULL;
    r = find_any(d, name);
    return r < 0 ? NULL : row_name(d, (size_t)r);
}

const char *tp_name_openssl(tp_name_kind kind, const char *canonical)
{
    const kind_desc *d = kind_get(kind);
    long r;

    if (d == NULL)
        return NULL;
    r = find_any(d, canonical);
    return r < 0 ? NULL : row_openssl(d, (size_t)r);
}

unsigned long tp_name_min_openssl(tp_name_kind kind, const char *canonical)
{
    const kind_desc *d = kind_get(kind);
    long r;

    if (d == NULL)
        return 0;
    r = find_any(d, canonical);
    return r < 0 ? 0 : row_min(d, (size_t)r);
}

size_t tp_name_count(tp_name_kind kind)
{
    const kind_desc *d = kind_get(kind);

    return d == NULL ? 0 : *d->count;
}

const char *tp_name_at(tp_name_kind kind, size_t i)
{
    const kind_desc *d = kind_get(kind);

    if (d == NULL || i >= *d->count)
        return NULL;
    return row_name(d, i);
}

const tp_group *tp_group_find(const char *canonical)
{
    long r = find_canonical(&kinds[TP_N_GROUP], canonical);

    return r < 0 ? NULL : &tp_groups[r];
}

const tp_sigalg *tp_sigalg_find(const char *canonical)
{
    long r = find_canonical(&kinds[TP_N_SIGALG], canonical);

    return r < 0 ? NULL : &tp_sigalgs[r];
}

const tp_suite13 *tp_suite13_find(const char *canonical)
{
    long r = find_canonical(&kinds[TP_N_CIPHERSUITE], canonical);

    return r < 0 ? NULL : &tp_suites13[r];
}

const tp_family *tp_family_find(tp_name_kind kind, const char *canonical)
{
    const kind_desc *d;
    long r;

    switch (kind) {
    case TP_N_CIPHER:
    case TP_N_KEX:
    case TP_N_MAC:
    case TP_N_HASH:
        break;
    default:
        return NULL;
    }
    d = &kinds[kind];
    r = find_canonical(d, canonical);
    return r < 0 ? NULL : (const tp_family *)d->base + r;
}

const tp_vername *tp_version_find(const char *name)
{
    long r = find_any(&kinds[TP_N_VERSION], name);

    return r < 0 ? NULL : &tp_versions[r];
}

const char *tp_version_name(long v)
{
    size_t i;

    for (i = 0; i < tp_nversions; i++)
        if (tp_versions[i].version == v)
            return tp_versions[i].name;
    return NULL;
}

/* ---- names of floor bits ------------------------------------------------------ */

const char *tp_hash_bit_name(uint32_t bit)
{
    for (size_t i = 0; i < tp_nhashes; i++)
        if (tp_hashes[i].bits == bit)
            return tp_hashes[i].name;
    return bit == TP_H_MD5_SHA1 ? "MD5-SHA1" : NULL;
}

const char *tp_cipher_bit_name(uint32_t bit)
{
    for (size_t i = 0; i < tp_nciphers; i++)
        if (bit != 0 && tp_ciphers[i].bits == bit)
            return tp_ciphers[i].name;
    return NULL;
}

/* ---- rows for callers outside the library --------------------------------- */

static unsigned row_id(tp_name_kind kind, size_t i)
{
    switch (kind) {
    case TP_N_VERSION: return (unsigned)tp_versions[i].version;
    case TP_N_CIPHERSUITE: return tp_suites13[i].id;
    case TP_N_GROUP: return tp_groups[i].id;
    case TP_N_SIGALG: return tp_sigalgs[i].id;
    default: return 0;
    }
}

static void row_info(tp_name_kind kind, size_t i, tp_name_info *out)
{
    const kind_desc *d = &kinds[kind];

    memset(out, 0, sizeof(*out));
    out->name = row_name(d, i);
    out->openssl = row_openssl(d, i);
    out->min_openssl = row_min(d, i);
    out->id = row_id(kind, i);
    if (kind == TP_N_GROUP) {
        const tp_group *g = &tp_groups[i];

        out->bits = g->bits;
        /* Of the EC code points below x25519's, TLS 1.3 keeps only the
         * three NIST curves. */
        out->tls12_only = g->kind == TP_G_EC && g->id < 29 && g->id != 23 && g->id != 24
                          && g->id != 25;
    }
}

int tp_name_info_at(tp_name_kind kind, size_t i, tp_name_info *out)
{
    const kind_desc *d = kind_get(kind);

    if (d == NULL || i >= *d->count || out == NULL)
        return -1;
    row_info(kind, i, out);
    return 0;
}

int tp_name_info_find(tp_name_kind kind, const char *name, tp_name_info *out)
{
    const kind_desc *d = kind_get(kind);
    long r;

    if (d == NULL || out == NULL || (r = find_any(d, name)) < 0)
        return -1;
    row_info(kind, (size_t)r, out);
    return 0;
}

size_t tp_name_ids(tp_name_kind kind, int by_openssl, const char *list, uint16_t *ids,
                   size_t max)
{
    const kind_desc *d = kind_get(kind);
    char tok[128];
    size_t n = 0;

    if (d == NULL)
        return 0;
    for (const char *p = list; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, ":");

        if (len < sizeof(tok)) {
            memcpy(tok, p, len);
            tok[len] = '\0';
            for (size_t i = 0; i < *d->count; i++) {
                const char *name = by_openssl ? row_openssl(d, i) : row_name(d, i);

                if (name == NULL || strcasecmp(name, tok) != 0)
                    continue;
                if (n < max)
                    ids[n] = (uint16_t)row_id(kind, i);
                n++;
            }
        }
        p += len;
        if (*p == ':')
            p++;
    }
    return n;
}

const char *tp_name_by_id(tp_name_kind kind, unsigned id)
{
    const kind_desc *d = kind_get(kind);

    if (d == NULL)
        return NULL;
    for (size_t i = 0; i < *d->count; i++)
        if (row_id(kind, i) == id && id != 0)
            return row_name(d, i);
    return NULL;
}

/* ---- TLS 1.2 suites ---------------------------------------------------------- */

int tp_suite12_by_id(unsigned id, tp_suite12_info *out)
{
    for (size_t i = 0; i < tp_nsuites12; i++) {
        const tp_suite12 *s = &tp_suites12[i];

        if (s->id != id)
            continue;
        if (out != NULL)
            *out = *s;
        return 0;
    }
    return -1;
}

/* The table by OpenSSL name: a rendered list holds dozens of the table's
 * 145 names, compared once per process by the module (at the first
 * SSL_CTX_new), through a small open-addressing hash. */
#define S12_SLOTS 512

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

/* Suite row of OpenSSL name `tok`, or -1 (slot NULL: compare all). */
static long suite12_row(const short *slot, const char *tok)
{
    if (slot == NULL) {
        for (size_t i = 0; i < tp_nsuites12; i++)
            if (strcmp(tp_suites12[i].openssl, tok) == 0)
                return (long)i;
        return -1;
    }
    for (uint32_t h = name_hash(tok) % S12_SLOTS; slot[h] >= 0; h = (h + 1) % S12_SLOTS)
        if (strcmp(tp_suites12[slot[h]].openssl, tok) == 0)
            return slot[h];
    return -1;
}

size_t tp_suite12_ids(const char *list, uint16_t *ids, size_t max)
{
    short slot[S12_SLOTS];
    const short *use = NULL; /* the table outgrew the hash: compare all */
    char tok[128];
    size_t n = 0;

    if (tp_nsuites12 <= S12_SLOTS / 2) {
        memset(slot, 0xff, sizeof(slot)); /* -1: empty */
        for (size_t i = 0; i < tp_nsuites12; i++) {
            uint32_t h = name_hash(tp_suites12[i].openssl) % S12_SLOTS;

            while (slot[h] >= 0)
                h = (h + 1) % S12_SLOTS;
            slot[h] = (short)i;
        }
        use = slot;
    }
    for (const char *p = list; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, ":");
        long r;

        if (len < sizeof(tok) && p[0] != '@') {
            memcpy(tok, p, len);
            tok[len] = '\0';
            if ((r = suite12_row(use, tok)) >= 0) {
                if (n < max)
                    ids[n] = tp_suites12[r].id;
                n++;
            }
        }
        p += len;
        if (*p == ':')
            p++;
    }
    return n;
}
