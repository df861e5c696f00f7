/*
 * prov_local.h - what the provider's files share (private).
 *
 * prov.c        OSSL_provider_init, dispatch, per-instance state
 * prov_filter.c which of the default provider's algorithms are offered,
 *               and which are offered wrapped (data tables)
 * prov_wrap.c   the wrappers that enforce the floors
 * prov_checks.c the checks, as small pure functions, and refusals
 * prov_caps.c   TLS-GROUP / TLS-SIGALG capabilities, filtered
 *
 * Our provctx is the private default provider's provctx, so that the
 * default's dispatch functions get the context they expect. Provider-level
 * calls (query, teardown, capabilities) therefore find their instance in a
 * small registry keyed by that pointer (prov.c).
 */
#ifndef TP_PROV_LOCAL_H
#define TP_PROV_LOCAL_H

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/provider.h>

#include "tp_module.h"

/* One loaded instance of the provider (one per library context). */
typedef struct tpp_prov {
    int refs;                     /* registry + lookups in flight */
    const OSSL_CORE_HANDLE *handle;
    OSSL_LIB_CTX *libctx;         /* private: holds the real "default" */
    OSSL_PROVIDER *deflt;
    void *deflt_ctx;              /* == the provctx the core gives us */
    const tpm_state *state;       /* process state: floors, fips (a reference) */
    void *rand_provctx;           /* DRBGs' provctx: fetch in our own
                                   * context (prov.c), or NULL */
    struct tpp_prov *next;
} tpp_prov;

/* prov.c */
tpp_prov *tpp_prov_lookup(void *provctx); /* takes a reference, or NULL */
void tpp_prov_release(tpp_prov *p);
/* The provctx a DRBG made through us gets (prov.c, start-up cost). */
void *tpp_rand_provctx(void *provctx);

/* prov_filter.c: the filtered tables are the same for every instance
 * (floors are per process and the default provider's tables are static),
 * so they are built once and shared; the last instance frees them. */
const OSSL_ALGORITHM *tpp_filter_query(tpp_prov *p, int op, int *no_cache);
void tpp_filter_unquery(tpp_prov *p, int op, const OSSL_ALGORITHM *algs);
void tpp_filter_acquire(void);
void tpp_filter_release(void); /* frees the cache when the last user goes */

/* prov_wrap.c */
enum tpp_wrap_kind {
    TPP_W_NONE = 0,
    TPP_W_SIG,      /* signature: digest + key floors */
    TPP_W_ASYM,     /* asymmetric cipher: key floor */
    TPP_W_KEX,      /* key exchange: key floor of own and peer key */
    TPP_W_PRF,      /* TLS1-PRF KDF: refuse MD5-SHA1 (version floor) */
    TPP_W_KEXPRF,   /* TLS1-PRF through EVP_PKEY derive: same check */
    TPP_W_RAND,     /* DRBG: made with tpp_rand_provctx (fetches in the
                    * program's context); 3.5+: drop "provider-name" */
    TPP_W_KEM,      /* KEM: key floor of the key (and the sender's key) */
};

enum tpp_key_kind {
    TPP_KK_NONE = 0, /* no size floor (Ed25519, X25519...) */
    TPP_KK_RSA,
    TPP_KK_DSA,
    TPP_KK_DH,
    TPP_KK_EC,
    TPP_KK__COUNT
};

/* Remember the default provider's key management GET_PARAMS for each key
 * kind, so wrappers can read a key's size (OSSL_PKEY_PARAM_BITS). */
void tpp_wrap_set_keymgmt(const OSSL_ALGORITHM *keymgmt_table);

/* A dispatch table that enforces the floors around `orig`, or NULL when
 * no wrapper slot is left (the caller then withholds the algorithm: fail
 * closed). `fixed_hash` is the TP_H_* bit of a composite signature
 * algorithm (RSA-SHA256 in 3.4+), else 0. The result lives until
 * tpp_wrap_reset(). Not thread-safe: called under the filter lock. */
const OSSL_DISPATCH *tpp_wrap_dispatch(enum tpp_wrap_kind w, enum tpp_key_kind kk,
                                      uint32_t fixed_hash, const char *algname,
                                      const OSSL_DISPATCH *orig);
void tpp_wrap_reset(void);

/* prov_checks.c: pure checks, used by the filter, the wrappers and the
 * unit tests. */
int tpp_names_has(const char *names, const char *name); /* "A:B:C" has name */
uint32_t tpp_digest_bits(const char *name);          /* TP_H_* or 0 */
const char *tpp_digest_name(const char *name);       /* "SHA1" for "sha-1" */
int tpp_key_min(const tp_floors *f, enum tpp_key_kind kk); /* 0: no floor */
int tpp_key_bits_ok(int bits, int min);
const char *tpp_keykind_name(enum tpp_key_kind kk);       /* "RSA" */
const char *tpp_keykind_log_key(enum tpp_key_kind kk);    /* "rsa-size" */
uint32_t tpp_digest_forbidden(const tp_floors *f, const char *name);
int tpp_floor_needs_md5sha1(const tp_floors *f);     /* TLS/DTLS < 1.2 allowed */
int tpp_floor_tls13_only(const tp_floors *f);
int tpp_drbg_needs_fix(void); /* OpenSSL >= 3.5 at run time */

/* Report a refusal: log it (rate-limited) and, unless permissive, put
 * "tlspolicy: <msg>" on the error queue. Returns 1 if the operation may go
 * on (permissive), 0 if it must be refused. */
int tpp_refuse(const tp_floors *f, const char *key, int reason,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* prov_caps.c */
int tpp_caps_get(tpp_prov *p, const char *capability, OSSL_CALLBACK *cb,
                void *arg);
int tpp_group_allowed(const tp_floors *f, unsigned int id);

#endif
