/*
 * prov_checks.c - the floors' checks as small pure functions, and how a
 * refusal is reported. No OpenSSL state is read here: the wrappers
 * (prov_wrap.c) pass in what they found, and the unit test calls these
 * directly (tests/provider/test_checks.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <openssl/err.h>

#include "prov_local.h"

/* ---- refusals ------------------------------------------------------------ */

int tpp_refuse(const tp_floors *f, const char *key, int reason,
              const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (f->permissive) {
        tpm_log(LOG_NOTICE, key, "permissive, would refuse: %s", msg);
        return 1;
    }
    tpm_log(LOG_WARNING, key, "refused: %s", msg);
    ERR_raise_data(ERR_LIB_PROV, reason, "tlspolicy: %s", msg);
    return 0;
}

/* ---- pure checks --------------------------------------------------------- */

/* Every spelling the default provider accepts for a digest (its names,
 * the legacy short/long names, the OID), so no alias slips through. */
static const struct {
    uint32_t bits;
    const char *name;  /* for messages */
    const char *names;
} digests[] = {
    { TP_H_MD5, "MD5", "MD5:SSL3-MD5:1.2.840.113549.2.5" },
    { TP_H_SHA1, "SHA1", "SHA1:SHA-1:SSL3-SHA1:1.3.14.3.2.26" },
    /* TLS 1.0/1.1 signatures: both halves count */
    { TP_H_MD5_SHA1 | TP_H_MD5 | TP_H_SHA1, "MD5-SHA1", "MD5-SHA1" },
    { TP_H_SHA224, "SHA224", "SHA2-224:SHA-224:SHA224:2.16.840.1.101.3.4.2.4" },
    { TP_H_SHA256, "SHA256", "SHA2-256:SHA-256:SHA256:2.16.840.1.101.3.4.2.1" },
    { TP_H_SHA384, "SHA384", "SHA2-384:SHA-384:SHA384:2.16.840.1.101.3.4.2.2" },
    { TP_H_SHA512, "SHA512", "SHA2-512:SHA-512:SHA512:2.16.840.1.101.3.4.2.3" },
    { TP_H_SHA3_256, "SHA3-256", "SHA3-256:2.16.840.1.101.3.4.2.8" },
    { TP_H_SHA3_384, "SHA3-384", "SHA3-384:2.16.840.1.101.3.4.2.9" },
    { TP_H_SHA3_512, "SHA3-512", "SHA3-512:2.16.840.1.101.3.4.2.10" },
};

int tpp_names_has(const char *names, const char *name)
{
    size_t n = strlen(name);
    const char *s = names;

    while (s != NULL) {
        const char *e = strchr(s, ':');
        size_t l = e != NULL ? (size_t)(e - s) : strlen(s);

        if (l == n && strncasecmp(s, name, n) == 0)
            return 1;
        s = e != NULL ? e + 1 : NULL;
    }
    return 0;
}

static int digest_index(const char *name)
{
    size_t i;

    if (name == NULL || *name == '\0')
        return -1;
    for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
        if (tpp_names_has(digests[i].names, name))
            return (int)i;
    return -1;
}

const char *tpp_digest_name(const char *name)
{
    int i = digest_index(name);

    return i < 0 ? name : digests[i].name;
}

uint32_t tpp_digest_bits(const char *name)
{
    int i = digest_index(name);

    return i < 0 ? 0 : digests[i].bits;
}

/* RFC 9155 (SHA-1 and MD5 in TLS 1.2 signatures), NIST SP 800-131A Rev.2
 * (SHA-1 for digital signature generation disallowed): the forbidden bits
 * a digest used in a signature hits, 0 if it is allowed. */
uint32_t tpp_digest_forbidden(const tp_floors *f, const char *name)
{
    return tpp_digest_bits(name) & f->forbidden_hashes
           & ~(uint32_t)TP_H_MD5_SHA1;
}

/* RFC 8996: TLS 1.0/1.1 and DTLS 1.0 are deprecated. 1 if the floors still
 * allow one of them (so the MD5-SHA1 hash libssl needs must stay).
 * DTLS versions run downwards (1.0 = 0xFEFF, 1.2 = 0xFEFD); 0 = no DTLS
 * floor of its own. */
int tpp_floor_needs_md5sha1(const tp_floors *f)
{
    if (f->min_tls < TP_V_TLS1_2)
        return 1;
    return f->min_dtls != 0 && f->min_dtls > TP_V_DTLS1_2;
}

/* The policy allows TLS 1.3 only (Python's ssl sets a 1.2 minimum on every
 * context, so the defaults layer alone cannot hold this). */
int tpp_floor_tls13_only(const tp_floors *f)
{
    return f->min_tls >= TP_V_TLS1_3;
}

/* NIST SP 800-131A Rev.2: RSA, DSA and finite-field DH below 2048 bits,
 * and EC below 224 bits of order, give less than 112 bits of security.
 * The policy sets the minimums; 0 means no floor. */
int tpp_key_bits_ok(int bits, int min)
{
    return min <= 0 || bits < 0 || bits >= min;
}

int tpp_key_min(const tp_floors *f, enum tpp_key_kind kk)
{
    switch (kk) {
    case TPP_KK_RSA: return f->min_rsa_bits;
    case TPP_KK_DSA: return f->min_dsa_bits;
    case TPP_KK_DH: return f->min_dh_bits;
    case TPP_KK_EC: return f->min_ec_bits;
    default: return 0;
    }
}

static const char *const key_names[TPP_KK__COUNT] = {
    "", "RSA", "DSA", "DH", "EC"
};
/* rate-limit keys of the log lines, one per kind, so that one kind
 * cannot mute another */
static const char *const key_log_keys[TPP_KK__COUNT] = {
    "", "rsa-size", "dsa-size", "dh-size", "ec-size"
};

const char *tpp_keykind_name(enum tpp_key_kind kk)
{
    return kk < TPP_KK__COUNT ? key_names[kk] : "";
}

const char *tpp_keykind_log_key(enum tpp_key_kind kk)
{
    return kk < TPP_KK__COUNT ? key_log_keys[kk] : "key-size";
}
