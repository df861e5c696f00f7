/*
 * probe_pki.c - the certificates `probe` needs, made in memory with the
 * default provider in a private library context. No openssl.cnf is read
 * there, so the floors under test (which refuse SHA-1 signatures and short
 * keys) cannot stop us making the very certificates that try them.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cli.h"
#include "probe.h"

typedef struct pki {
    OSSL_LIB_CTX *lib;
    const char *dir;
    char *err;
    size_t errlen;
    int serial;
} pki;

static int fail(pki *p, const char *what)
{
    char e[256] = "";
    if (ERR_peek_error())
        ERR_error_string_n(ERR_peek_error(), e, sizeof(e));
    snprintf(p->err, p->errlen, "%s%s%s", what, e[0] ? ": " : "", e);
    ERR_clear_error();
    return -1;
}

static EVP_PKEY *keygen(pki *p, int ec_bits, int rsa_bits)
{
    if (rsa_bits)
        return EVP_PKEY_Q_keygen(p->lib, NULL, "RSA", (size_t)rsa_bits);
    return EVP_PKEY_Q_keygen(p->lib, NULL, "EC",
                             ec_bits > 384 ? "P-521" : ec_bits > 256 ? "P-384" : "P-256");
}

static int ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    int ok = e && X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok;
}

/* A certificate for key, issued by (issuer, ikey), or self-signed. */
static X509 *cert(pki *p, const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
                  const char *md, int ca)
{
    X509 *x = X509_new_ex(p->lib, NULL);
    X509_NAME *n = X509_NAME_new();
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    int ok = x && n && mctx;

    ok = ok && X509_set_version(x, X509_VERSION_3)
         && ASN1_INTEGER_set(X509_get_serialNumber(x), ++p->serial)
         && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0)
         && X509_set_subject_name(x, n)
         && X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n)
         && X509_gmtime_adj(X509_getm_notBefore(x), -3600)
         && X509_gmtime_adj(X509_getm_notAfter(x), 2 * 86400L)
         && X509_set_pubkey(x, key)
         && ext(x, issuer ? issuer : x, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE")
         && (ca || ext(x, issuer ? issuer : x, NID_subject_alt_name, "DNS:localhost"))
         && EVP_DigestSignInit_ex(mctx, NULL, md, p->lib, NULL, issuer ? ikey : key, NULL)
         && X509_sign_ctx(x, mctx) > 0;
    EVP_MD_CTX_free(mctx);
    X509_NAME_free(n);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int save(pki *p, const char *base, X509 *x, EVP_PKEY *k)
{
    char path[4096];
    FILE *f;
    int ok;

    snprintf(path, sizeof(path), "%s/%s.pem", p->dir, base);
    ok = (f = fopen(path, "we")) != NULL && PEM_write_X509(f, x);
    if (f && fclose(f) != 0)
        ok = 0;
    if (ok && k) {
        snprintf(path, sizeof(path), "%s/%s.key", p->dir, base);
        ok = (f = fopen(path, "we")) != NULL && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
        if (f && fclose(f) != 0)
            ok = 0;
    }
    return ok ? 0 : fail(p, "cannot write the test certificates");
}

int probe_pki_make(const char *dir, int ec_bits, int rsa_bits, int short_bits, char *err,
                   size_t errlen)
{
    pki p = {.dir = dir, .err = err, .errlen = errlen};
    EVP_PKEY *cak = NULL, *eck = NULL, *rsak = NULL, *s1k = NULL, *shk = NULL;
    X509 *ca = NULL, *ecc = NULL, *rsac = NULL, *s1c = NULL, *shc = NULL;
    X509 *shcac = NULL; /* the short key signed by the CA: GnuTLS's profile check */
    OSSL_PROVIDER *dflt = NULL;
    int rc = -1;

    if ((p.lib = OSSL_LIB_CTX_new()) == NULL || (dflt = OSSL_PROVIDER_load(p.lib, "default")) == NULL) {
        fail(&p, "cannot load OpenSSL's default provider");
        goto out;
    }
    if (!(cak = keygen(&p, ec_bits, 0)) || !(eck = keygen(&p, ec_bits, 0))
        || !(rsak = keygen(&p, 0, rsa_bits)) || !(s1k = keygen(&p, ec_bits, 0))
        || (short_bits && !(shk = keygen(&p, 0, short_bits)))) {
        fail(&p, "cannot generate the test keys");
        goto out;
    }
    if (!(ca = cert(&p, "tlspolicy probe CA", cak, NULL, NULL, "SHA256", 1))
        || !(ecc = cert(&p, "localhost", eck, ca, cak, "SHA256", 0))
        || !(rsac = cert(&p, "localhost", rsak, ca, cak, "SHA256", 0))
        || !(s1c = cert(&p, "localhost", s1k, ca, cak, "SHA1", 0))
        || (shk && !(shc = cert(&p, "localhost", shk, NULL, NULL, "SHA256", 0)))
        || (shk && !(shcac = cert(&p, "localhost", shk, ca, cak, "SHA256", 0)))) {
        fail(&p, "cannot make the test certificates");
        goto out;
    }
    if (save(&p, "ca", ca, NULL) || save(&p, "ec", ecc, eck) || save(&p, "rsa", rsac, rsak)
        || save(&p, "sha1", s1c, s1k) || (shc && save(&p, "short", shc, shk))
        || (shcac && save(&p, "shortca", shcac, shk)))
        goto out;
    rc = 0;
out:
    X509_free(ca);
    X509_free(ecc);
    X509_free(rsac);
    X509_free(s1c);
    X509_free(shc);
    X509_free(shcac);
    EVP_PKEY_free(cak);
    EVP_PKEY_free(eck);
    EVP_PKEY_free(rsak);
    EVP_PKEY_free(s1k);
    EVP_PKEY_free(shk);
    OSSL_PROVIDER_unload(dflt);
    OSSL_LIB_CTX_free(p.lib);
    return rc;
}
