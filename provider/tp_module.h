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

#define TP_PROVIDER_NAME "tlspolicy"

/* Where the policy for this process comes from, decided by the config
 * module from its section (`policy` key) before anything is resolved. */
void tpm_set_policy_path(const char *path); /* NULL: env / default */

/*
 * The process state, resolved on first use (thread-safe, once):
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
    int fips;                 /* 1 if FIPS properties are the default: do not wrap */
} tpm_state;

int tpm_state_init(void);          /* 0 ok, -1 nothing could be resolved */
const tpm_state *tpm_state_get(void); /* resolves if needed; NULL only on OOM */
void tpm_state_cleanup(void);

/* syslog, LOG_AUTHPRIV-free: facility LOG_USER, ident "tlspolicy",
 * message prefixed with "prog[pid]: ". Rate-limited per message kind
 * (`key`, e.g. "sha1-sig"): at most a burst then one line per interval
 * with a count of what was suppressed. */
void tpm_log(int priority, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
