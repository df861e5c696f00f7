/*
 * prov_wrap.c - wrappers that make the floors hold inside the API.
 *
 * A wrapped algorithm is the default provider's dispatch table with a few
 * entries replaced: the inits that take a key (key-size floors), those that
 * name a digest (signature hash floors), SET_CTX_PARAMS (a digest can be set
 * later) and, for the TLS 1.2 PRF, DERIVE (version floor backstop). Every
 * other function, including ones added by later OpenSSL versions, passes
 * through untouched and gets the default's own context.
 *
 * A replaced entry must know which original to call, but the core gives it
 * only the algorithm context. Each wrapped table therefore gets a slot, and
 * each slot its own small trampolines (generated below) that pass the slot
 * and the typed original to the real check. Every trampoline is declared
 * with OpenSSL's own OSSL_FUNC_*_fn type, as OpenSSL's providers declare
 * theirs, so a wrapper whose signature does not match the function it
 * replaces does not compile; the originals are called through OpenSSL's
 * OSSL_FUNC_*() accessors. The originals live in libcrypto and are the same for
 * every instance, so slots are process-wide; they are freed with the
 * filter cache when the last instance goes. The checks themselves are pure
 * functions in prov_checks.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/proverr.h>
#include <openssl/rsa.h>

#include "prov_local.h"

/* Functions added in 3.4, declared as 3.4's core_dispatch.h does; the IDs
 * are ABI, so a module built against 3.0 wraps them correctly when run on
 * 3.4+. */
#ifndef OSSL_FUNC_SIGNATURE_SIGN_MESSAGE_INIT
#define OSSL_FUNC_SIGNATURE_SIGN_MESSAGE_INIT 27
OSSL_CORE_MAKE_FUNC(int, signature_sign_message_init,
                    (void *ctx, void *provkey, const OSSL_PARAM params[]))
#endif
#ifndef OSSL_FUNC_SIGNATURE_VERIFY_MESSAGE_INIT
#define OSSL_FUNC_SIGNATURE_VERIFY_MESSAGE_INIT 30
OSSL_CORE_MAKE_FUNC(int, signature_verify_message_init,
                    (void *ctx, void *provkey, const OSSL_PARAM params[]))
#endif
/* 3.2+: KEM with sender authentication (DHKEM, RFC 9180). */
#ifndef OSSL_FUNC_KEM_AUTH_ENCAPSULATE_INIT
#define OSSL_FUNC_KEM_AUTH_ENCAPSULATE_INIT 12
OSSL_CORE_MAKE_FUNC(int, kem_auth_encapsulate_init,
                    (void *ctx, void *provkey, void *authprivkey, const OSSL_PARAM params[]))
#endif
#ifndef OSSL_FUNC_KEM_AUTH_DECAPSULATE_INIT
#define OSSL_FUNC_KEM_AUTH_DECAPSULATE_INIT 13
OSSL_CORE_MAKE_FUNC(int, kem_auth_decapsulate_init,
                    (void *ctx, void *provkey, void *authpubkey, const OSSL_PARAM params[]))
#endif

#define TPP_MAX_FN 64 /* function IDs kept per slot */

typedef struct tpp_slot {
    const OSSL_DISPATCH *orig;
    OSSL_DISPATCH *wrapped;
    enum tpp_key_kind kk;
    uint32_t fixed_hash;
    char alg[48];              /* first name, for messages */
    const OSSL_DISPATCH *fn[TPP_MAX_FN]; /* the originals' entries by function ID */
    int ready;                 /* set (release) once the slot is filled */
} tpp_slot;

/*
 * A slot is filled under the filter lock, and the table that uses it
 * reaches other threads through libcrypto's method store. Every wrapper
 * first loads `ready` with acquire, pairing with the release that
 * publishes the slot, so the ordering does not rest on libcrypto's locks
 * alone (which ThreadSanitizer cannot see: tests/hardening/tsan.supp).
 */
static tpp_slot *slot_get(tpp_slot *s)
{
    (void)__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE);
    return s;
}

/* The state whose floors the wrappers enforce: a reference taken with the
 * first wrapped table and dropped by tpp_wrap_reset (last provider
 * instance gone), so it outlives the config module's finish. Set before
 * any wrapper can run. */
static const tpm_state *wstate;

static const tp_floors *floors(void)
{
    return &__atomic_load_n(&wstate, __ATOMIC_ACQUIRE)->floors;
}

/* ---- key sizes through the default key management ------------------------ */

static OSSL_FUNC_keymgmt_get_params_fn *km_get_params[TPP_KK__COUNT];

void tpp_wrap_set_keymgmt(const OSSL_ALGORITHM *km)
{
    static const struct { const char *name; enum tpp_key_kind kk; } want[] = {
        { "RSA", TPP_KK_RSA }, { "DSA", TPP_KK_DSA },
        { "DH", TPP_KK_DH }, { "EC", TPP_KK_EC },
    };
    size_t i;

    for (; km->algorithm_names != NULL; km++) {
        for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
            const OSSL_DISPATCH *d;

            if (!tpp_names_has(km->algorithm_names, want[i].name))
                continue;
            for (d = km->implementation; d->function_id != 0; d++)
                if (d->function_id == OSSL_FUNC_KEYMGMT_GET_PARAMS)
                    km_get_params[want[i].kk] =
                        OSSL_FUNC_keymgmt_get_params(d);
        }
    }
}

/* Bits of a key of the default provider, -1 if unknown. */
static int key_bits(enum tpp_key_kind kk, void *keydata)
{
    int bits = -1;
    OSSL_PARAM p[2];

    if (keydata == NULL || km_get_params[kk] == NULL)
        return -1;
    p[0] = OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_BITS, &bits);
    p[1] = OSSL_PARAM_construct_end();
    if (!km_get_params[kk](keydata, p))
        return -1;
    return bits;
}

static int check_key(const tpp_slot *s, void *keydata, const char *role)
{
    const tp_floors *f = floors();
    int min = tpp_key_min(f, s->kk), bits;

    if (min <= 0 || keydata == NULL)
        return 1;
    bits = key_bits(s->kk, keydata);
    if (tpp_key_bits_ok(bits, min))
        return 1;
    return tpp_refuse(f, tpp_keykind_log_key(s->kk), PROV_R_KEY_SIZE_TOO_SMALL,
                     "%s%s key of %d bits is below the policy minimum of %d",
                     role, tpp_keykind_name(s->kk), bits, min);
}

/* `fmt` has one %s for the digest's name. */
static int check_digest(const char *mdname, const char *fmt)
{
    const tp_floors *f = floors();
    char msg[128];

    if (tpp_digest_forbidden(f, mdname) == 0)
        return 1;
    snprintf(msg, sizeof(msg), fmt, tpp_digest_name(mdname));
    return tpp_refuse(f, "sig-hash", PROV_R_DIGEST_NOT_ALLOWED, "%s", msg);
}

#define SIG_MSG "%s signatures are forbidden by policy"
#define MGF1_MSG "%s in RSA-PSS MGF1 is forbidden by policy"

/* ---- signature ----------------------------------------------------------- */

/* After init or set_ctx_params: what digest will actually be used? This
 * catches defaults (RSA-PSS picks SHA1 when none is named) and any way of
 * naming it (params of init, 3.4+ message inits). */
static int sig_post_check(const tpp_slot *s, void *ctx)
{
    const OSSL_DISPATCH *get = s->fn[OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS];
    char md[64] = "", mgf[64] = "";
    OSSL_PARAM p[3];

    if (s->fixed_hash != 0 && (s->fixed_hash & floors()->forbidden_hashes) != 0
        && !check_digest(s->alg + strcspn(s->alg, "-") + 1, SIG_MSG))
        return 0;
    if (get == NULL)
        return 1;
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, md,
                                            sizeof(md));
    p[1] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST,
                                            mgf, sizeof(mgf));
    p[2] = OSSL_PARAM_construct_end();
    ERR_set_mark();
    if (!OSSL_FUNC_signature_get_ctx_params(get)(ctx, p)) {
        ERR_pop_to_mark();
        return 1;
    }
    ERR_pop_to_mark();
    if (!check_digest(md, SIG_MSG))
        return 0;
    /* Without PSS the default reports the message digest here too. */
    if (strcasecmp(mgf, md) == 0)
        return 1;
    return check_digest(mgf, MGF1_MSG);
}

/* 1 if params name a digest: then refuse at once, where the program
 * named it. Digests chosen by default are checked when the operation runs
 * (sig_op_check), or at DIGEST_*_INIT, which always has one. */
static int names_digest(const OSSL_PARAM params[])
{
    return params != NULL
           && (OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST) != NULL
               || OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST) != NULL);
}

/* fn: the original sign, verify, verify_recover or (3.4+) message init;
 * they share one type. */
static int sig_init(tpp_slot *s, OSSL_FUNC_signature_sign_init_fn *fn, void *ctx,
                    void *key, const OSSL_PARAM params[])
{
    (void)slot_get(s);
    if (!check_key(s, key, ""))
        return 0;
    if (!fn(ctx, key, params))
        return 0;
    if (s->fixed_hash == 0 && !names_digest(params))
        return 1;
    return sig_post_check(s, ctx);
}

/* fn: the original digest sign or digest verify init (one type). */
static int sig_dinit(tpp_slot *s, OSSL_FUNC_signature_digest_sign_init_fn *fn,
                     void *ctx, const char *md, void *key, const OSSL_PARAM params[])
{
    (void)slot_get(s);
    if (!check_key(s, key, ""))
        return 0;
    if (md != NULL && !check_digest(md, SIG_MSG))
        return 0;
    if (!fn(ctx, md, key, params))
        return 0;
    return sig_post_check(s, ctx);
}

static int sig_set(tpp_slot *s, void *ctx, const OSSL_PARAM params[])
{
    (void)slot_get(s);
    if (!OSSL_FUNC_signature_set_ctx_params(s->fn[OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS])(ctx,
                                                                                      params))
        return 0;
    if (!names_digest(params))
        return 1;
    return sig_post_check(s, ctx);
}

/* When the operation runs: the digest it will really use. RSA with PSS
 * padding and no digest named uses SHA-1 (RFC 8017's default parameters;
 * OpenSSL fills it in when the padding is set), so a program may set the
 * padding first and the digest next: only here is the choice final. */
static int sig_op_check(const tpp_slot *s, void *ctx)
{
    const OSSL_DISPATCH *get = s->fn[OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS];
    char md[64] = "";
    int pad = 0;
    OSSL_PARAM p[3];

    if (get == NULL)
        return 1;
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, md,
                                            sizeof(md));
    p[1] = OSSL_PARAM_construct_end();
    if (s->kk == TPP_KK_RSA) {
        p[1] = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PAD_MODE, &pad);
        p[2] = OSSL_PARAM_construct_end();
    }
    ERR_set_mark();
    if (!OSSL_FUNC_signature_get_ctx_params(get)(ctx, p)) {
        ERR_pop_to_mark();
        return 1;
    }
    ERR_pop_to_mark();
    if (md[0] == '\0' && pad == RSA_PKCS1_PSS_PADDING)
        return check_digest("SHA1", SIG_MSG);
    return sig_post_check(s, ctx);
}

static int sig_sign(tpp_slot *s, void *ctx, unsigned char *sig, size_t *siglen,
                    size_t sigsize, const unsigned char *tbs, size_t tbslen)
{
    (void)slot_get(s);
    if (!sig_op_check(s, ctx))
        return 0;
    return OSSL_FUNC_signature_sign(s->fn[OSSL_FUNC_SIGNATURE_SIGN])(ctx, sig, siglen, sigsize,
                                                                     tbs, tbslen);
}

static int sig_verify(tpp_slot *s, void *ctx, const unsigned char *sig,
                      size_t siglen, const unsigned char *tbs, size_t tbslen)
{
    (void)slot_get(s);
    if (!sig_op_check(s, ctx))
        return 0;
    return OSSL_FUNC_signature_verify(s->fn[OSSL_FUNC_SIGNATURE_VERIFY])(ctx, sig, siglen, tbs,
                                                                         tbslen);
}

/* ---- asymmetric cipher, key exchange -------------------------------------- */

/* fn: the original key exchange init, or asymmetric cipher encrypt or
 * decrypt init; they share one type. */
static int key_init(tpp_slot *s, OSSL_FUNC_keyexch_init_fn *fn, void *ctx, void *key,
                    const OSSL_PARAM params[])
{
    (void)slot_get(s);
    if (!check_key(s, key, ""))
        return 0;
    return fn(ctx, key, params);
}

static int kex_set_peer(tpp_slot *s, void *ctx, void *peer)
{
    (void)slot_get(s);
    if (!check_key(s, peer, "peer "))
        return 0;
    return OSSL_FUNC_keyexch_set_peer(s->fn[OSSL_FUNC_KEYEXCH_SET_PEER])(ctx, peer);
}

/* ---- KEM ------------------------------------------------------------------ */

/* RSASVE (RSA KEM, SP 800-56B) and DHKEM over EC (RFC 9180, 3.2+): the
 * same key floor as encryption and key exchange with that key; with sender
 * authentication, the sender's key too. */
/* fn: the original authenticated encapsulate or decapsulate init; they
 * share one type. */
static int kem_auth_init(tpp_slot *s, OSSL_FUNC_kem_auth_encapsulate_init_fn *fn, void *ctx,
                         void *key, void *authkey, const OSSL_PARAM params[])
{
    (void)slot_get(s);
    if (!check_key(s, key, "") || !check_key(s, authkey, "sender's "))
        return 0;
    return fn(ctx, key, authkey, params);
}

/* ---- TLS1-PRF ------------------------------------------------------------ */

/* RFC 8996: the MD5-SHA1 PRF is TLS 1.0/1.1's. libssl passes the digest in
 * the derive params as well as through set_ctx_params. */
static int prf_params_ok(const OSSL_PARAM params[])
{
    const OSSL_PARAM *p;
    const char *md = NULL;
    const tp_floors *f = floors();

    if (params == NULL || tpp_floor_needs_md5sha1(f))
        return 1;
    p = OSSL_PARAM_locate_const(params, OSSL_KDF_PARAM_DIGEST);
    if (p == NULL || !OSSL_PARAM_get_utf8_string_ptr(p, &md))
        return 1;
    if ((tpp_digest_bits(md) & TP_H_MD5_SHA1) == 0)
        return 1;
    return tpp_refuse(f, "tls-version", PROV_R_DIGEST_NOT_ALLOWED,
                     "TLS 1.0/1.1 (MD5-SHA1 PRF) are below the policy minimum of %s",
                     f->min_tls >= TP_V_TLS1_3 ? "TLSv1.3" : "TLSv1.2");
}

static int prf_set(tpp_slot *s, void *ctx, const OSSL_PARAM params[])
{
    (void)slot_get(s);
    if (!prf_params_ok(params))
        return 0;
    return OSSL_FUNC_kdf_set_ctx_params(s->fn[OSSL_FUNC_KDF_SET_CTX_PARAMS])(ctx, params);
}

static int prf_derive(tpp_slot *s, void *ctx, unsigned char *key, size_t keylen,
                      const OSSL_PARAM params[])
{
    (void)slot_get(s);
    if (!prf_params_ok(params))
        return 0;
    return OSSL_FUNC_kdf_derive(s->fn[OSSL_FUNC_KDF_DERIVE])(ctx, key, keylen, params);
}

static int kexprf_set(tpp_slot *s, void *ctx, const OSSL_PARAM params[])
{
    (void)slot_get(s);
    if (!prf_params_ok(params))
        return 0;
    return OSSL_FUNC_keyexch_set_ctx_params(s->fn[OSSL_FUNC_KEYEXCH_SET_CTX_PARAMS])(ctx, params);
}

/* ---- DRBG (OpenSSL 3.5+) ------------------------------------------------- */

#define TPP_DRBG_PROVIDER_NAME "provider-name"

int tpp_drbg_needs_fix(void)
{
    return OpenSSL_version_num() >= 0x30500000UL;
}

/* params without "provider-name" in out[n]; returns params itself when
 * there is nothing to drop or too much to copy. */
static const OSSL_PARAM *drbg_params(const OSSL_PARAM params[], OSSL_PARAM *out,
                                     size_t n)
{
    size_t i, j = 0;

    if (params == NULL || !tpp_drbg_needs_fix()
        || OSSL_PARAM_locate_const(params, TPP_DRBG_PROVIDER_NAME) == NULL)
        return params;
    for (i = 0; params[i].key != NULL; i++) {
        if (j + 1 >= n)
            return params;
        if (strcmp(params[i].key, TPP_DRBG_PROVIDER_NAME) != 0)
            out[j++] = params[i];
    }
    out[j] = OSSL_PARAM_construct_end();
    return out;
}

static int rand_instantiate(tpp_slot *s, void *ctx, unsigned int strength,
                            int pr, const unsigned char *pstr, size_t len,
                            const OSSL_PARAM params[])
{
    (void)slot_get(s);
    OSSL_PARAM copy[32];

    return OSSL_FUNC_rand_instantiate(s->fn[OSSL_FUNC_RAND_INSTANTIATE])(
        ctx, strength, pr, pstr, len, drbg_params(params, copy, 32));
}

static int rand_set(tpp_slot *s, void *ctx, const OSSL_PARAM params[])
{
    (void)slot_get(s);
    OSSL_PARAM copy[32];

    return OSSL_FUNC_rand_set_ctx_params(s->fn[OSSL_FUNC_RAND_SET_CTX_PARAMS])(
        ctx, drbg_params(params, copy, 32));
}

/* Every DRBG made through us fetches in our own context (prov.c). */
static void *rand_new(tpp_slot *s, void *provctx, void *parent,
                      const OSSL_DISPATCH *parent_calls)
{
    (void)slot_get(s);
    return OSSL_FUNC_rand_newctx(s->fn[OSSL_FUNC_RAND_NEWCTX])(tpp_rand_provctx(provctx), parent,
                                                             parent_calls);
}

/* ---- trampolines ---------------------------------------------------------- */

#define TPP_SLOTS_8(M, o) M(o##0) M(o##1) M(o##2) M(o##3) M(o##4) M(o##5) M(o##6) M(o##7)
#define TPP_SLOTS_48(M) \
    M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) \
    TPP_SLOTS_8(M, 1) M(18) M(19) TPP_SLOTS_8(M, 2) M(28) M(29) \
    TPP_SLOTS_8(M, 3) M(38) M(39) TPP_SLOTS_8(M, 4)

#define N_SIG 48 /* 3.0: 3 wrapped; 3.4+: ~30 composites */
#define N_ASYM 8
#define N_KEX 8
#define N_PRF 8
#define N_KEXPRF 8
#define N_RAND 8
#define N_KEM 8

static tpp_slot sig_slots[N_SIG], asym_slots[N_ASYM], kex_slots[N_KEX],
    prf_slots[N_PRF], kexprf_slots[N_KEXPRF], rand_slots[N_RAND],
    kem_slots[N_KEM];

/* Slot i's original for function ID id, typed by OpenSSL's accessor
 * OSSL_FUNC_<name>(). */
#define ORIG(slots, i, name, id) OSSL_FUNC_##name(slot_get(&(slots)[i])->fn[id])

/* Each trampoline is declared with OpenSSL's type for the function it
 * replaces; the dispatch rows cast it to the core's generic function type,
 * the one cast OpenSSL's own tables make. */
#define SIG_TRAMP(i) \
    static OSSL_FUNC_signature_sign_init_fn sig_si_##i; \
    static OSSL_FUNC_signature_verify_init_fn sig_vi_##i; \
    static OSSL_FUNC_signature_verify_recover_init_fn sig_vri_##i; \
    static OSSL_FUNC_signature_sign_message_init_fn sig_smi_##i; \
    static OSSL_FUNC_signature_verify_message_init_fn sig_vmi_##i; \
    static OSSL_FUNC_signature_digest_sign_init_fn sig_dsi_##i; \
    static OSSL_FUNC_signature_digest_verify_init_fn sig_dvi_##i; \
    static OSSL_FUNC_signature_set_ctx_params_fn sig_set_##i; \
    static OSSL_FUNC_signature_sign_fn sig_s_##i; \
    static OSSL_FUNC_signature_verify_fn sig_v_##i; \
    static int sig_si_##i(void *c, void *k, const OSSL_PARAM p[]) \
    { return sig_init(&sig_slots[i], \
          ORIG(sig_slots, i, signature_sign_init, OSSL_FUNC_SIGNATURE_SIGN_INIT), c, k, p); } \
    static int sig_vi_##i(void *c, void *k, const OSSL_PARAM p[]) \
    { return sig_init(&sig_slots[i], \
          ORIG(sig_slots, i, signature_verify_init, OSSL_FUNC_SIGNATURE_VERIFY_INIT), c, k, p); } \
    static int sig_vri_##i(void *c, void *k, const OSSL_PARAM p[]) \
    { return sig_init(&sig_slots[i], ORIG(sig_slots, i, signature_verify_recover_init, \
                                          OSSL_FUNC_SIGNATURE_VERIFY_RECOVER_INIT), c, k, p); } \
    static int sig_smi_##i(void *c, void *k, const OSSL_PARAM p[]) \
    { return sig_init(&sig_slots[i], ORIG(sig_slots, i, signature_sign_message_init, \
                                          OSSL_FUNC_SIGNATURE_SIGN_MESSAGE_INIT), c, k, p); } \
    static int sig_vmi_##i(void *c, void *k, const OSSL_PARAM p[]) \
    { return sig_init(&sig_slots[i], ORIG(sig_slots, i, signature_verify_message_init, \
                                          OSSL_FUNC_SIGNATURE_VERIFY_MESSAGE_INIT), c, k, p); } \
    static int sig_dsi_##i(void *c, const char *m, void *k, const OSSL_PARAM p[]) \
    { return sig_dinit(&sig_slots[i], ORIG(sig_slots, i, signature_digest_sign_init, \
                                           OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT), c, m, k, p); } \
    static int sig_dvi_##i(void *c, const char *m, void *k, const OSSL_PARAM p[]) \
    { return sig_dinit(&sig_slots[i], ORIG(sig_slots, i, signature_digest_verify_init, \
                                           OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT), c, m, k, p); } \
    static int sig_set_##i(void *c, const OSSL_PARAM p[]) \
    { return sig_set(&sig_slots[i], c, p); } \
    static int sig_s_##i(void *c, unsigned char *sg, size_t *sl, size_t ss, \
                         const unsigned char *t, size_t tl) \
    { return sig_sign(&sig_slots[i], c, sg, sl, ss, t, tl); } \
    static int sig_v_##i(void *c, const unsigned char *sg, size_t sl, \
                         const unsigned char *t, size_t tl) \
    { return sig_verify(&sig_slots[i], c, sg, sl, t, tl); }

#define SIG_ROW(i) { \
    { OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))sig_si_##i }, \
    { OSSL_FUNC_SIGNATURE_VERIFY_INIT, (void (*)(void))sig_vi_##i }, \
    { OSSL_FUNC_SIGNATURE_VERIFY_RECOVER_INIT, (void (*)(void))sig_vri_##i }, \
    { OSSL_FUNC_SIGNATURE_SIGN_MESSAGE_INIT, (void (*)(void))sig_smi_##i }, \
    { OSSL_FUNC_SIGNATURE_VERIFY_MESSAGE_INIT, (void (*)(void))sig_vmi_##i }, \
    { OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, (void (*)(void))sig_dsi_##i }, \
    { OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, (void (*)(void))sig_dvi_##i }, \
    { OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, (void (*)(void))sig_set_##i }, \
    { OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))sig_s_##i }, \
    { OSSL_FUNC_SIGNATURE_VERIFY, (void (*)(void))sig_v_##i }, \
    { 0, NULL } },

#define ASYM_TRAMP(i) \
    static OSSL_FUNC_asym_cipher_encrypt_init_fn asym_ei_##i; \
    static OSSL_FUNC_asym_cipher_decrypt_init_fn asym_di_##i; \
    static int asym_ei_##i(void *c, void *k, const OSSL_PARAM p[]) \
    { return key_init(&asym_slots[i], ORIG(asym_slots, i, asym_cipher_encrypt_init, \
                                           OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT), c, k, p); } \
    static int asym_di_##i(void *c, void *k, const OSSL_PARAM p[]) \
    { return key_init(&asym_slots[i], ORIG(asym_slots, i, asym_cipher_decrypt_init, \
                                           OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT), c, k, p); }
#define ASYM_ROW(i) { \
    { OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT, (void (*)(void))asym_ei_##i }, \
    { OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, (void (*)(void))asym_di_##i }, \
    { 0, NULL } },

#define KEX_TRAMP(i) \
    static OSSL_FUNC_keyexch_init_fn kex_i_##i; \
    static OSSL_FUNC_keyexch_set_peer_fn kex_p_##i; \
    static int kex_i_##i(void *c, void *k, const OSSL_PARAM p[]) \
    { return key_init(&kex_slots[i], ORIG(kex_slots, i, keyexch_init, OSSL_FUNC_KEYEXCH_INIT), \
                      c, k, p); } \
    static int kex_p_##i(void *c, void *k) \
    { return kex_set_peer(&kex_slots[i], c, k); }
#define KEX_ROW(i) { \
    { OSSL_FUNC_KEYEXCH_INIT, (void (*)(void))kex_i_##i }, \
    { OSSL_FUNC_KEYEXCH_SET_PEER, (void (*)(void))kex_p_##i }, \
    { 0, NULL } },

#define PRF_TRAMP(i) \
    static OSSL_FUNC_kdf_set_ctx_params_fn prf_s_##i; \
    static OSSL_FUNC_kdf_derive_fn prf_d_##i; \
    static int prf_s_##i(void *c, const OSSL_PARAM p[]) \
    { return prf_set(&prf_slots[i], c, p); } \
    static int prf_d_##i(void *c, unsigned char *k, size_t l, const OSSL_PARAM p[]) \
    { return prf_derive(&prf_slots[i], c, k, l, p); }
#define PRF_ROW(i) { \
    { OSSL_FUNC_KDF_SET_CTX_PARAMS, (void (*)(void))prf_s_##i }, \
    { OSSL_FUNC_KDF_DERIVE, (void (*)(void))prf_d_##i }, \
    { 0, NULL } },

#define KEXPRF_TRAMP(i) \
    static OSSL_FUNC_keyexch_set_ctx_params_fn kexprf_s_##i; \
    static int kexprf_s_##i(void *c, const OSSL_PARAM p[]) \
    { return kexprf_set(&kexprf_slots[i], c, p); }
#define KEXPRF_ROW(i) { \
    { OSSL_FUNC_KEYEXCH_SET_CTX_PARAMS, (void (*)(void))kexprf_s_##i }, \
    { 0, NULL }, { 0, NULL } },

#define RAND_TRAMP(i) \
    static OSSL_FUNC_rand_instantiate_fn rand_i_##i; \
    static OSSL_FUNC_rand_set_ctx_params_fn rand_s_##i; \
    static OSSL_FUNC_rand_newctx_fn rand_n_##i; \
    static int rand_i_##i(void *c, unsigned int st, int pr, \
                          const unsigned char *ps, size_t pl, const OSSL_PARAM p[]) \
    { return rand_instantiate(&rand_slots[i], c, st, pr, ps, pl, p); } \
    static int rand_s_##i(void *c, const OSSL_PARAM p[]) \
    { return rand_set(&rand_slots[i], c, p); } \
    static void *rand_n_##i(void *pc, void *pa, const OSSL_DISPATCH *pd) \
    { return rand_new(&rand_slots[i], pc, pa, pd); }
#define RAND_ROW(i) { \
    { OSSL_FUNC_RAND_NEWCTX, (void (*)(void))rand_n_##i }, \
    { OSSL_FUNC_RAND_INSTANTIATE, (void (*)(void))rand_i_##i }, \
    { OSSL_FUNC_RAND_SET_CTX_PARAMS, (void (*)(void))rand_s_##i }, \
    { 0, NULL } },

TPP_SLOTS_48(SIG_TRAMP)
TPP_SLOTS_8(ASYM_TRAMP, )
#define KEM_TRAMP(i) \
    static OSSL_FUNC_kem_encapsulate_init_fn kem_ei_##i; \
    static OSSL_FUNC_kem_decapsulate_init_fn kem_di_##i; \
    static OSSL_FUNC_kem_auth_encapsulate_init_fn kem_aei_##i; \
    static OSSL_FUNC_kem_auth_decapsulate_init_fn kem_adi_##i; \
    static int kem_ei_##i(void *c, void *k, const OSSL_PARAM p[]) \
    { return key_init(&kem_slots[i], ORIG(kem_slots, i, kem_encapsulate_init, \
                                          OSSL_FUNC_KEM_ENCAPSULATE_INIT), c, k, p); } \
    static int kem_di_##i(void *c, void *k, const OSSL_PARAM p[]) \
    { return key_init(&kem_slots[i], ORIG(kem_slots, i, kem_decapsulate_init, \
                                          OSSL_FUNC_KEM_DECAPSULATE_INIT), c, k, p); } \
    static int kem_aei_##i(void *c, void *k, void *a, const OSSL_PARAM p[]) \
    { return kem_auth_init(&kem_slots[i], ORIG(kem_slots, i, kem_auth_encapsulate_init, \
                                               OSSL_FUNC_KEM_AUTH_ENCAPSULATE_INIT), c, k, a, p); } \
    static int kem_adi_##i(void *c, void *k, void *a, const OSSL_PARAM p[]) \
    { return kem_auth_init(&kem_slots[i], ORIG(kem_slots, i, kem_auth_decapsulate_init, \
                                               OSSL_FUNC_KEM_AUTH_DECAPSULATE_INIT), c, k, a, p); }
#define KEM_ROW(i) { \
    { OSSL_FUNC_KEM_ENCAPSULATE_INIT, (void (*)(void))kem_ei_##i }, \
    { OSSL_FUNC_KEM_DECAPSULATE_INIT, (void (*)(void))kem_di_##i }, \
    { OSSL_FUNC_KEM_AUTH_ENCAPSULATE_INIT, (void (*)(void))kem_aei_##i }, \
    { OSSL_FUNC_KEM_AUTH_DECAPSULATE_INIT, (void (*)(void))kem_adi_##i }, \
    { 0, NULL } },

TPP_SLOTS_8(KEX_TRAMP, )
TPP_SLOTS_8(KEM_TRAMP, )
TPP_SLOTS_8(PRF_TRAMP, )
TPP_SLOTS_8(KEXPRF_TRAMP, )
TPP_SLOTS_8(RAND_TRAMP, )

static const OSSL_DISPATCH sig_rows[N_SIG][11] = {
    TPP_SLOTS_48(SIG_ROW)
};
static const OSSL_DISPATCH asym_rows[N_ASYM][3] = {
    TPP_SLOTS_8(ASYM_ROW, )
};
static const OSSL_DISPATCH kex_rows[N_KEX][3] = {
    TPP_SLOTS_8(KEX_ROW, )
};
static const OSSL_DISPATCH prf_rows[N_PRF][3] = {
    TPP_SLOTS_8(PRF_ROW, )
};
static const OSSL_DISPATCH kexprf_rows[N_KEXPRF][3] = {
    TPP_SLOTS_8(KEXPRF_ROW, )
};
static const OSSL_DISPATCH rand_rows[N_RAND][4] = {
    TPP_SLOTS_8(RAND_ROW, )
};
static const OSSL_DISPATCH kem_rows[N_KEM][5] = {
    TPP_SLOTS_8(KEM_ROW, )
};

/* ---- building wrapped tables --------------------------------------------- */

struct pool {
    tpp_slot *slots;
    size_t n;
    const OSSL_DISPATCH *rows; /* rows[n][width] of replacement entries */
    size_t width;
};

static struct pool pool_for(enum tpp_wrap_kind w)
{
    struct pool p = { NULL, 0, NULL, 0 };

    switch (w) {
    case TPP_W_SIG: p = (struct pool){ sig_slots, N_SIG, sig_rows[0], 11 }; break;
    case TPP_W_ASYM: p = (struct pool){ asym_slots, N_ASYM, asym_rows[0], 3 }; break;
    case TPP_W_KEX: p = (struct pool){ kex_slots, N_KEX, kex_rows[0], 3 }; break;
    case TPP_W_PRF: p = (struct pool){ prf_slots, N_PRF, prf_rows[0], 3 }; break;
    case TPP_W_KEXPRF: p = (struct pool){ kexprf_slots, N_KEXPRF, kexprf_rows[0], 3 }; break;
    case TPP_W_RAND: p = (struct pool){ rand_slots, N_RAND, rand_rows[0], 4 }; break;
    case TPP_W_KEM: p = (struct pool){ kem_slots, N_KEM, kem_rows[0], 5 }; break;
    default: break;
    }
    return p;
}

const OSSL_DISPATCH *tpp_wrap_dispatch(enum tpp_wrap_kind w, enum tpp_key_kind kk,
                                      uint32_t fixed_hash, const char *algname,
                                      const OSSL_DISPATCH *orig)
{
    struct pool pl = pool_for(w);
    const OSSL_DISPATCH *row;
    const OSSL_DISPATCH *d;
    tpp_slot *s = NULL;
    size_t i, n, k;

    if (wstate == NULL)
        __atomic_store_n(&wstate, tpm_state_get1(), __ATOMIC_RELEASE);
    if (wstate == NULL || pl.slots == NULL)
        return NULL;
    for (i = 0; i < pl.n; i++) {
        tpp_slot *c = &pl.slots[i];

        if (c->orig == orig && c->kk == kk && c->fixed_hash == fixed_hash)
            return c->wrapped;
        if (c->orig == NULL) {
            s = c;
            break;
        }
    }
    if (s == NULL)
        return NULL;
    for (n = 0; orig[n].function_id != 0; n++)
        ;
    s->wrapped = calloc(n + 1, sizeof(*s->wrapped));
    if (s->wrapped == NULL)
        return NULL;
    row = pl.rows + (size_t)(s - pl.slots) * pl.width;
    for (d = orig, i = 0; d->function_id != 0; d++, i++) {
        s->wrapped[i] = *d;
        if (d->function_id <= 0 || d->function_id >= TPP_MAX_FN)
            continue;
        s->fn[d->function_id] = d;
        for (k = 0; row[k].function_id != 0; k++)
            if (row[k].function_id == d->function_id)
                s->wrapped[i].function = row[k].function;
    }
    s->orig = orig;
    s->kk = kk;
    s->fixed_hash = fixed_hash;
    snprintf(s->alg, sizeof(s->alg), "%.*s", (int)strcspn(algname, ":"),
             algname);
    __atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
    return s->wrapped;
}

void tpp_wrap_reset(void)
{
    tpp_slot *all[] = { sig_slots, asym_slots, kex_slots, prf_slots,
                       kexprf_slots, rand_slots, kem_slots };
    size_t cnt[] = { N_SIG, N_ASYM, N_KEX, N_PRF, N_KEXPRF, N_RAND, N_KEM }, i, j;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        for (j = 0; j < cnt[i]; j++) {
            free(all[i][j].wrapped);
            memset(&all[i][j], 0, sizeof(all[i][j]));
        }
    }
    memset(km_get_params, 0, sizeof(km_get_params));
    tpm_state_free(wstate);
    __atomic_store_n(&wstate, NULL, __ATOMIC_RELEASE);
}
