/* keys.c - the keys of the policy language and the compiled-in DEFAULT. */
#include <string.h>
#include <strings.h>

#include "internal.h"

static const char *const mode_values[] = {"enforce", "permissive", NULL};
/* "program": leave verification to the program; "required": clients verify
 * the server and fail on a bad certificate. */
static const char *const peer_values[] = {"program", "required", NULL};

static const tp_keyinfo keyinfo[TP_K__COUNT] = {
    [TP_K_PROFILE] = {"profile", TP_T_STRING, 0, NULL, 0, 0,
                      "base profile and modifiers, e.g. \"DEFAULT:NO-CBC\""},
    [TP_K_MODE] = {"mode", TP_T_ENUM, 0, mode_values, 0, 0,
                   "\"enforce\" refuses and logs; \"permissive\" only logs"},
    [TP_K_TLS_MIN] = {"tls.min_version", TP_T_VERSION, TP_N_VERSION, NULL, 0, 0,
                      "lowest TLS version negotiated"},
    [TP_K_TLS_MAX] = {"tls.max_version", TP_T_VERSION, TP_N_VERSION, NULL, 0, 0,
                      "highest TLS version negotiated"},
    [TP_K_TLS_CIPHERSUITES] = {"tls.ciphersuites", TP_T_LIST, TP_N_CIPHERSUITE, NULL, 0, 0,
                               "TLS 1.3 cipher suites (IANA names), in preference order"},
    [TP_K_TLS_CIPHERS] = {"tls.ciphers", TP_T_LIST, TP_N_CIPHER, NULL, 0, 0,
                          "TLS 1.2 and below: bulk cipher families, in preference order"},
    [TP_K_TLS_KEX] = {"tls.key_exchange", TP_T_LIST, TP_N_KEX, NULL, 0, 0,
                      "TLS 1.2 and below: key exchange families, in preference order"},
    [TP_K_TLS_MACS] = {"tls.macs", TP_T_LIST, TP_N_MAC, NULL, 0, 0,
                       "TLS 1.2 and below: record MACs (AEAD for GCM/CCM/ChaCha20)"},
    [TP_K_TLS_GROUPS] = {"tls.groups", TP_T_LIST, TP_N_GROUP, NULL, 0, 0,
                         "key exchange groups (IANA names), in preference order"},
    [TP_K_TLS_SIGALGS] = {"tls.signature_algorithms", TP_T_LIST, TP_N_SIGALG, NULL, 0, 0,
                          "signature schemes (IANA names), in preference order"},
    [TP_K_TLS_SECLEVEL] = {"tls.security_level", TP_T_INT, 0, NULL, -1, 5,
                           "OpenSSL security level; -1 derives it from the other keys"},
    [TP_K_DTLS_MIN] = {"dtls.min_version", TP_T_VERSION, TP_N_VERSION, NULL, 0, 0,
                       "lowest DTLS version negotiated"},
    [TP_K_DTLS_MAX] = {"dtls.max_version", TP_T_VERSION, TP_N_VERSION, NULL, 0, 0,
                       "highest DTLS version negotiated"},
    [TP_K_KEYS_RSA] = {"keys.min_rsa_bits", TP_T_INT, 0, NULL, 512, 16384,
                       "smallest RSA key accepted or used"},
    [TP_K_KEYS_DH] = {"keys.min_dh_bits", TP_T_INT, 0, NULL, 512, 16384,
                      "smallest finite-field Diffie-Hellman group"},
    [TP_K_KEYS_DSA] = {"keys.min_dsa_bits", TP_T_INT, 0, NULL, 512, 16384,
                       "smallest DSA key accepted or used"},
    [TP_K_KEYS_EC] = {"keys.min_ec_bits", TP_T_INT, 0, NULL, 160, 571,
                      "smallest elliptic curve (order bits)"},
    [TP_K_SIG_FORBIDDEN] = {"signatures.forbidden_hashes", TP_T_LIST, TP_N_HASH, NULL, 0, 0,
                            "digests refused in any signature, certificates included"},
    [TP_K_VERIFY_PEER] = {"verify.peer", TP_T_ENUM, 0, peer_values, 0, 0,
                          "\"required\": TLS clients verify the server's certificate"},
    [TP_K_VERIFY_CA_FILE] = {"verify.ca_file", TP_T_STRING, 0, NULL, 0, 0,
                             "CA bundle for verification (default: system store)"},
    [TP_K_VERIFY_CA_PATH] = {"verify.ca_path", TP_T_STRING, 0, NULL, 0, 0,
                             "hashed CA directory for verification (default: system store)"},
};

const tp_keyinfo *tp_keyinfo_get(tp_key k)
{
    return (unsigned)k < TP_K__COUNT ? &keyinfo[k] : NULL;
}

const char *tp_key_name(tp_key k)
{
    return (unsigned)k < TP_K__COUNT ? keyinfo[k].name : NULL;
}

tp_type tp_key_type(tp_key k)
{
    return (unsigned)k < TP_K__COUNT ? keyinfo[k].type : TP_T_STRING;
}

const char *tp_key_doc(tp_key k)
{
    return (unsigned)k < TP_K__COUNT ? keyinfo[k].doc : NULL;
}

int tp_key_lookup(const char *dotted)
{
    if (dotted == NULL)
        return -1;
    for (int k = 0; k < TP_K__COUNT; k++)
        if (strcmp(keyinfo[k].name, dotted) == 0)
            return k;
    return -1;
}

/*
 * The compiled-in DEFAULT: what a program gets when no policy file exists or
 * the one that exists is broken. It must equal packaging/profiles/DEFAULT.conf
 * (a unit test compares them). Values follow Fedora crypto-policies DEFAULT.
 */
static const char *const def_suites13[] = {
    "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_SHA256", NULL};
static const char *const def_ciphers[] = {
    "AES-256-GCM", "AES-256-CCM", "CHACHA20-POLY1305", "AES-128-GCM",
    "AES-128-CCM", "AES-256-CBC", "AES-128-CBC", NULL};
static const char *const def_kex[] = {"ECDHE", "RSA", "DHE", NULL};
static const char *const def_macs[] = {"AEAD", "HMAC-SHA2-256", "HMAC-SHA1",
                                       "HMAC-SHA2-384", NULL};
static const char *const def_groups[] = {
    "X25519MLKEM768", "X25519", "secp256r1", "X448", "secp521r1", "secp384r1",
    "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192", NULL};
static const char *const def_sigalgs[] = {
    "ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512",
    "ed25519", "ed448",
    "rsa_pss_pss_sha256", "rsa_pss_pss_sha384", "rsa_pss_pss_sha512",
    "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512",
    "rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512", NULL};
static const char *const def_forbidden[] = {"MD5", "SHA1", NULL};

static const tp_builtin_val builtin[TP_K__COUNT] = {
    [TP_K_PROFILE] = {.s = "DEFAULT"},
    [TP_K_MODE] = {.s = "enforce"},
    [TP_K_TLS_MIN] = {.i = TP_V_TLS1_2},
    [TP_K_TLS_MAX] = {.i = TP_V_TLS1_3},
    [TP_K_TLS_CIPHERSUITES] = {.items = def_suites13},
    [TP_K_TLS_CIPHERS] = {.items = def_ciphers},
    [TP_K_TLS_KEX] = {.items = def_kex},
    [TP_K_TLS_MACS] = {.items = def_macs},
    [TP_K_TLS_GROUPS] = {.items = def_groups},
    [TP_K_TLS_SIGALGS] = {.items = def_sigalgs},
    [TP_K_TLS_SECLEVEL] = {.i = -1},
    [TP_K_DTLS_MIN] = {.i = TP_V_DTLS1_2},
    [TP_K_DTLS_MAX] = {.i = TP_V_DTLS1_2},
    [TP_K_KEYS_RSA] = {.i = 2048},
    [TP_K_KEYS_DH] = {.i = 2048},
    [TP_K_KEYS_DSA] = {.i = 2048},
    [TP_K_KEYS_EC] = {.i = 256},
    [TP_K_SIG_FORBIDDEN] = {.items = def_forbidden},
    [TP_K_VERIFY_PEER] = {.s = "program"},
    [TP_K_VERIFY_CA_FILE] = {.s = NULL},
    [TP_K_VERIFY_CA_PATH] = {.s = NULL},
};

const tp_builtin_val *tp_builtin_get(tp_key k)
{
    return (unsigned)k < TP_K__COUNT ? &builtin[k] : NULL;
}

const char *tp_strerror(tp_err err)
{
    static const char *const msgs[] = {
        [TP_OK] = "no error",
        [TP_ERR_NOMEM] = "out of memory",
        [TP_ERR_IO] = "file could not be read",
        [TP_ERR_NOTFOUND] = "file not found",
        [TP_ERR_SYNTAX] = "syntax error",
        [TP_ERR_INVALID] = "invalid value",
        [TP_ERR_UNTRUSTED] = "file not trusted (owner or permissions)",
        [TP_ERR_TOOBIG] = "input exceeds a limit",
        [TP_ERR_ARG] = "invalid argument",
    };
    if ((unsigned)err < sizeof(msgs) / sizeof(msgs[0]) && msgs[err])
        return msgs[err];
    return "unknown error";
}

const char *tp_severity_name(tp_severity s)
{
    switch (s) {
    case TP_SEV_NOTE: return "note";
    case TP_SEV_WARNING: return "warning";
    case TP_SEV_ERROR: return "error";
    }
    return "?";
}
