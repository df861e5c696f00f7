/*
 * prov_caps.c - capabilities: the TLS groups libssl may offer or accept.
 *
 * libssl builds its group list from the providers' "TLS-GROUP"
 * capabilities. We pass on the default provider's entries whose group ID
 * the policy allows; the others never reach libssl, so they can be neither
 * offered nor accepted, whatever the program puts in its Groups string.
 * Filtering is by IANA ID, not by name: aliases (P-256, prime256v1) are
 * separate entries with the same ID. "TLS-SIGALG" (3.2+, ML-DSA in 3.5)
 * passes through.
 *
 * Where the config module put the policy's security callback on every
 * SSL_CTX (module_secop.c), the groups the policy leaves out pass too: the
 * callback keeps them from being offered or accepted, and a program that
 * names one in its own list (nginx's ssl_ecdh_curve) still starts, where
 * SSL_CTX_set1_groups_list would fail on a hidden name. Except the binary
 * curves and the prime curves below 224 bits (IDs 1-19, deprecated by
 * RFC 8422, TLS 1.2 only): 29 of the default provider's 50 entries, each of
 * which would cost every SSL_CTX_new a key management fetch. The filter
 * stays whole for the provider loaded without the config module.
 */
#include <string.h>
#include <syslog.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "module_conf.h"
#include "prov_local.h"

/* Hybrid groups do their classical half in the private library context:
 * they are allowed only if that half is (OpenSSL 3.5 ML-KEM hybrids). */
static const struct {
    unsigned int hybrid, classical;
} hybrids[] = {
    { 0x11EB, 23 }, /* SecP256r1MLKEM768 -> secp256r1 */
    { 0x11EC, 29 }, /* X25519MLKEM768 -> x25519 */
    { 0x11ED, 24 }, /* SecP384r1MLKEM1024 -> secp384r1 */
};

static int in_groups(const tp_floors *f, unsigned int id)
{
    size_t i;

    for (i = 0; i < f->ngroups && i < TP_MAX_GROUPS; i++)
        if (f->groups[i] == id)
            return 1;
    return 0;
}

/* Only groups the policy lists may be negotiated (an empty list means the
 * policy sets no group floor). */
int tpp_group_allowed(const tp_floors *f, unsigned int id)
{
    size_t i;

    if (f->ngroups == 0)
        return 1;
    if (!in_groups(f, id))
        return 0;
    for (i = 0; i < sizeof(hybrids) / sizeof(hybrids[0]); i++)
        if (hybrids[i].hybrid == id)
            return in_groups(f, hybrids[i].classical);
    return 1;
}

struct group_filter {
    OSSL_CALLBACK *cb;
    void *arg;
    const tp_floors *f;
    int secop; /* the security callback holds groups: names stay settable */
};

static int logged;

static int group_cb(const OSSL_PARAM params[], void *arg)
{
    struct group_filter *gf = arg;
    const OSSL_PARAM *p;
    const char *name = "?";
    unsigned int id;

    p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_ID);
    if (p == NULL || !OSSL_PARAM_get_uint(p, &id))
        return 1; /* cannot tell which group: not offered */
    if (tpp_group_allowed(gf->f, id) || (gf->secop && id > 19))
        return gf->cb(params, gf->arg);

    p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_NAME);
    if (p != NULL)
        (void)OSSL_PARAM_get_utf8_string_ptr(p, &name);
    /* Once per process and group list: the filter is static, and libssl
     * asks on every SSL_CTX_new. */
    if (gf->f->permissive) {
        if (!__atomic_exchange_n(&logged, 1, __ATOMIC_RELAXED))
            tpm_log(LOG_INFO, "group", "permissive, would withhold TLS group %s (%u): not in the policy",
                    name, id);
        return gf->cb(params, gf->arg);
    }
    return 1; /* skipped: returning 0 would abort libssl's whole list */
}

int tpp_caps_get(tpp_prov *p, const char *capability, OSSL_CALLBACK *cb,
                void *arg)
{
    struct group_filter gf;

    if (strcmp(capability, "TLS-GROUP") == 0)
        tpm_secop_note_policed(); /* SSL_CTX_new is asking: see module_secop.c */
    if (strcmp(capability, "TLS-GROUP") != 0 || p->state->floors.ngroups == 0)
        return OSSL_PROVIDER_get_capabilities(p->deflt, capability, cb, arg);
    gf.cb = cb;
    gf.arg = arg;
    gf.f = &p->state->floors;
    gf.secop = tpm_secop_active();
    return OSSL_PROVIDER_get_capabilities(p->deflt, capability, group_cb, &gf);
}
