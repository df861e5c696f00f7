/*
 * prov.c - the "tlspolicy" provider: entry point, provider dispatch,
 * per-instance state.
 *
 * Each instance loads the built-in "default" provider into a private
 * OSSL_LIB_CTX and re-exposes its algorithms, filtered and wrapped
 * (prov_filter.c, prov_wrap.c). Our provctx is the default provider's own
 * provctx so that its dispatch functions receive the context they expect;
 * provider-level calls find their instance through a registry keyed by
 * that pointer. Two library contexts that load us get two instances, each
 * with its own private context, and each frees only what it made.
 */
#include <pthread.h>
#include <syslog.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "module_bind.h"
#include "prov_local.h"
#include "tp_config.h"

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static tpp_prov *reg_head;

static void reg_add(tpp_prov *p)
{
    pthread_mutex_lock(&reg_lock);
    p->next = reg_head;
    reg_head = p;
    pthread_mutex_unlock(&reg_lock);
}

static void reg_remove(tpp_prov *p)
{
    tpp_prov **pp;

    pthread_mutex_lock(&reg_lock);
    for (pp = &reg_head; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    pthread_mutex_unlock(&reg_lock);
}

tpp_prov *tpp_prov_lookup(void *provctx)
{
    tpp_prov *p;

    pthread_mutex_lock(&reg_lock);
    for (p = reg_head; p != NULL; p = p->next) {
        if (p->deflt_ctx == provctx) {
            p->refs++;
            break;
        }
    }
    pthread_mutex_unlock(&reg_lock);
    return p;
}

/* ---- random generators: fetch in the caller's context ------------------- *
 *
 * Start-up cost (issue 14). A DRBG fetches its cipher (CTR-DRBG) or digest
 * (HASH-, HMAC-DRBG) in the library context of the provctx it was made
 * with. With the default provider's own provctx that is our private
 * context, which would then build a name map from the legacy tables and
 * its whole cipher store just to seed the generator (about 5.6M
 * instructions on 3.0, a third of a small program). Stock OpenSSL fetches
 * in the program's context, where libssl has built the store already.
 *
 * So a DRBG gets a copy of the default's provctx whose library context is
 * the one we are loaded into: its cipher comes through our filtered tables
 * there, like any other fetch of the program (nothing is reachable that
 * the program could not fetch itself). Everything else the DRBG uses from
 * the provctx (the core handle for entropy and nonces) is the default's.
 *
 * The copy relies on the start of OpenSSL's PROV_CTX (handle, libctx,
 * core BIO method: the same from 3.0 to 3.5; later fields stay NULL, which
 * the default provider treats as "not set"). It is made only when the
 * default's provctx really has our private context in that place;
 * otherwise DRBGs keep the default's provctx, as before.
 *
 * The private context keeps a generator of its own: the default
 * provider's code draws from it (key generation, nonces, blinding). It is
 * a HASH-DRBG over SHA-256 instead of the CTR-DRBG over AES-256: both SP
 * 800-90A at 256-bit strength, from the same seed source, but the hash one
 * needs only the digest table, which a handshake builds there anyway,
 * where AES would build the whole cipher table (3.1M instructions in a
 * curl request on 3.0). */
struct tpp_rand_provctx {
    const OSSL_CORE_HANDLE *handle;
    OSSL_LIB_CTX *libctx;
    void *corebiometh;
    void *spare[5];               /* fields of later versions: NULL */
};

static void rand_ctx_new(tpp_prov *p, const OSSL_DISPATCH *in)
{
    const struct tpp_rand_provctx *d = p->deflt_ctx;
    OSSL_FUNC_core_get_libctx_fn *get_libctx = NULL;
    struct tpp_rand_provctx *r;
    OSSL_LIB_CTX *ours;

    if (p->state->fips || OpenSSL_version_num() >= 0x30600000UL)
        return;
    /* Before anything draws from it: the generators are made on first use. */
    RAND_set_DRBG_type(p->libctx, "HASH-DRBG", NULL, NULL, "SHA256");
    for (; in != NULL && in->function_id != 0; in++)
        if (in->function_id == OSSL_FUNC_CORE_GET_LIBCTX)
            get_libctx = OSSL_FUNC_core_get_libctx(in);
    if (get_libctx == NULL || d->libctx != p->libctx)
        return;
    ours = (OSSL_LIB_CTX *)get_libctx(p->handle);
    if (ours == NULL || (r = calloc(1, sizeof(*r))) == NULL)
        return;
    r->handle = d->handle;
    r->libctx = ours;
    r->corebiometh = d->corebiometh;
    p->rand_provctx = r;
}

void *tpp_rand_provctx(void *provctx)
{
    tpp_prov *p = tpp_prov_lookup(provctx);
    void *r = provctx;

    if (p == NULL)
        return provctx;
    if (p->rand_provctx != NULL)
        r = p->rand_provctx;
    tpp_prov_release(p);
    return r;
}

static void prov_free(tpp_prov *p)
{
    if (p == NULL)
        return;
    free(p->rand_provctx);
    if (p->deflt != NULL)
        OSSL_PROVIDER_unload(p->deflt);
    OSSL_LIB_CTX_free(p->libctx);
    tpm_state_free(p->state);
    free(p);
}

void tpp_prov_release(tpp_prov *p)
{
    int left;

    if (p == NULL)
        return;
    pthread_mutex_lock(&reg_lock);
    left = --p->refs;
    pthread_mutex_unlock(&reg_lock);
    if (left == 0) {
        prov_free(p);
        tpp_filter_release();
    }
}

/* ---- provider dispatch ------------------------------------------------- */

static OSSL_FUNC_provider_teardown_fn tpp_teardown;
static OSSL_FUNC_provider_gettable_params_fn tpp_gettable_params;
static OSSL_FUNC_provider_get_params_fn tpp_get_params;
static OSSL_FUNC_provider_query_operation_fn tpp_query;
static OSSL_FUNC_provider_unquery_operation_fn tpp_unquery;
static OSSL_FUNC_provider_get_capabilities_fn tpp_get_capabilities;

static void tpp_teardown(void *provctx)
{
    tpp_prov *p = tpp_prov_lookup(provctx);

    if (p == NULL)
        return;
    reg_remove(p);
    tpp_prov_release(p); /* the lookup's reference */
    tpp_prov_release(p); /* the registry's reference: frees */
}

static const OSSL_PARAM tpp_param_types[] = {
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, NULL, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, NULL, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, NULL, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, NULL, 0),
    OSSL_PARAM_END
};

static const OSSL_PARAM *tpp_gettable_params(void *provctx)
{
    (void)provctx;
    return tpp_param_types;
}

static int tpp_get_params(void *provctx, OSSL_PARAM params[])
{
    OSSL_PARAM *q;

    (void)provctx;
    q = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
    if (q != NULL && !OSSL_PARAM_set_utf8_ptr(q, "tlspolicy: OpenSSL default provider under the system TLS policy"))
        return 0;
    q = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
    if (q != NULL && !OSSL_PARAM_set_utf8_ptr(q, TP_VERSION))
        return 0;
    q = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO);
    if (q != NULL && !OSSL_PARAM_set_utf8_ptr(q, OPENSSL_VERSION_TEXT))
        return 0;
    q = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
    if (q != NULL && !OSSL_PARAM_set_int(q, 1))
        return 0;
    return 1;
}

static const OSSL_ALGORITHM *tpp_query(void *provctx, int op, int *no_cache)
{
    tpp_prov *p = tpp_prov_lookup(provctx);
    const OSSL_ALGORITHM *algs;

    *no_cache = 0;
    if (p == NULL)
        return NULL;
    algs = tpp_filter_query(p, op, no_cache);
    tpp_prov_release(p);
    return algs;
}

static void tpp_unquery(void *provctx, int op, const OSSL_ALGORITHM *algs)
{
    tpp_prov *p = tpp_prov_lookup(provctx);

    if (p == NULL)
        return;
    tpp_filter_unquery(p, op, algs);
    tpp_prov_release(p);
}

static int tpp_get_capabilities(void *provctx, const char *capability,
                               OSSL_CALLBACK *cb, void *arg)
{
    tpp_prov *p = tpp_prov_lookup(provctx);
    int ret;

    if (p == NULL)
        return 0;
    ret = tpp_caps_get(p, capability, cb, arg);
    tpp_prov_release(p);
    return ret;
}

static const OSSL_DISPATCH tpp_dispatch[] = {
    { OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))tpp_teardown },
    { OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))tpp_gettable_params },
    { OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))tpp_get_params },
    { OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))tpp_query },
    { OSSL_FUNC_PROVIDER_UNQUERY_OPERATION, (void (*)(void))tpp_unquery },
    { OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))tpp_get_capabilities },
    { 0, NULL }
};

__attribute__((visibility("default")))
OSSL_provider_init_fn OSSL_provider_init;

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                       const OSSL_DISPATCH **out, void **provctx)
{
    tpp_prov *p;

    /* Called by the OpenSSL our calls reach, or not at all (module_bind.c). */
    if (!tpm_bind_check(__builtin_return_address(0), "the provider"))
        return 0;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return 0;
    p->refs = 1;
    p->handle = handle;
    p->state = tpm_state_get1(); /* dropped in prov_free */
    if (p->state == NULL)
        goto err;
    /* The default provider lives in a private context: its algorithms are
     * reachable only through our filtered tables. Its internal fetches
     * (digests inside signatures, key generation's random numbers...)
     * stay there too; only the program's DRBGs fetch in the program's
     * context (rand_ctx_new). */
    p->libctx = OSSL_LIB_CTX_new();
    if (p->libctx == NULL)
        goto err;
    p->deflt = OSSL_PROVIDER_load(p->libctx, "default");
    if (p->deflt == NULL)
        goto err;
    p->deflt_ctx = OSSL_PROVIDER_get0_provider_ctx(p->deflt);
    if (p->deflt_ctx == NULL)
        goto err;
    rand_ctx_new(p, in);

    tpp_filter_acquire();
    reg_add(p);
    *out = tpp_dispatch;
    *provctx = p->deflt_ctx;
    return 1;

err:
    /* Fail closed: the core then offers nothing from us. */
    tpm_log(LOG_ERR, "init",
            "provider could not load the default provider: no algorithms");
    prov_free(p);
    return 0;
}
