/*
 * tp_module.h - what the parts of tlspolicy.so share.
 *
 * The DSO is two things at once: an OpenSSL config module (OPENSSL_init /
 * OPENSSL_finish, in module.c, which includes no OpenSSL header) and a
 * provider (OSSL_provider_init, prov*.c). Both need the policy resolved for
 * this process; it is resolved once (state.c) and shared through here.
 */
#ifndef TP_MODULE_H
#define TP_MODULE_H

#include "tlspolicy.h"

#define TPP_PROVIDER_NAME "tlspolicy"

/* Where the policy for this process comes from, decided by the config
 * module from its section (`policy` key) before anything is resolved. */
void tpm_set_policy_path(const char *path); /* NULL: env / default */

/*
 * The process state, resolved on first use (thread-safe):
 * lookup order: `policy` key > TLSPOLICY_CONF (secure_getenv) >
 * /etc/tlspolicy/policy.conf > compiled-in DEFAULT. A broken or untrusted
 * file gives the compiled-in DEFAULT and one log line.
 * Never NULL after tpm_state_init() returned 0.
 */
typedef struct tpm_state {
    tp_floors floors;
    tp_ossl_settings ossl;
    char prog[64];            /* program base name (for logs) */
    char exe[4096];           /* /proc/self/exe, or "" */
    const char *policy_file;  /* file used, or NULL (compiled-in) */
    int fallback;             /* 1 if DEFAULT because the file was bad */
    int fips;                 /* TPM_FIPS_*: read with __atomic_load_n */
} tpm_state;

/* FIPS, as seen by the module (state.c). Neither switches the wrappers
 * off: the wrappers wrap the default provider in every mode. */
#define TPM_FIPS_KERNEL 1 /* /proc/sys/crypto/fips_enabled reads 1 */
#define TPM_FIPS_PROPS 2  /* FIPS properties are the library's default:
                           * fetches go to the FIPS provider, unwrapped */

/*
 * Lifetime (refcounted): the config module holds a reference from
 * tpm_state_init() to tpm_state_cleanup() (its last finish); each provider
 * instance holds one from tpm_state_get1() to tpm_state_free(). The state
 * outlives CONF_modules_unload while a provider uses it, and while any
 * reference is held every taker gets the same state.
 */
int tpm_state_init(void);          /* module: resolve + take its reference; -1 on OOM */
void tpm_state_cleanup(void);      /* module: drop its reference */
const tpm_state *tpm_state_get1(void); /* resolve if needed + a reference; NULL on OOM */
void tpm_state_free(const tpm_state *st); /* drop a reference (NULL ok) */
/* The current state, borrowed (NULL if none): only for a caller that
 * knows a reference is held meanwhile (the module between init and finish). */
const tpm_state *tpm_state_get(void);

/* syslog, LOG_AUTHPRIV-free: facility LOG_USER, ident "tlspolicy",
 * message prefixed with "prog[pid]: ". Rate-limited per message kind
 * (`key`, e.g. "sha1-sig"): at most a burst then one line per interval
 * with a count of what was suppressed. */
void tpm_log(int priority, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
