/*
 * module.c - the OpenSSL config module entry points.
 *
 * libcrypto dlopens the `path` of our openssl.cnf section and looks up
 * OPENSSL_init and OPENSSL_finish by name (conf_mod.c, DSO_mod_init_name).
 * openssl/crypto.h declares an unrelated `void OPENSSL_init(void)`, so this
 * translation unit includes no OpenSSL header, and the symbols are exported
 * explicitly: were they hidden, dlsym would find libcrypto's own
 * OPENSSL_init and call that instead.
 */
#include "module_bind.h"
#include "module_conf.h"

#define TPM_EXPORT __attribute__((visibility("default")))

/* conf_init_func: int (*)(CONF_IMODULE *md, const CONF *cnf) */
TPM_EXPORT int OPENSSL_init(void *md, const void *cnf);
/* conf_finish_func: void (*)(CONF_IMODULE *md) */
TPM_EXPORT void OPENSSL_finish(void *md);

/* The OpenSSL that calls us (the return address is in its conf_mod.c) must
 * be the one our calls reach (module_bind.c); otherwise nothing is done and
 * OpenSSL carries on without the policy: one log line, no crash. */
int OPENSSL_init(void *md, const void *cnf)
{
    if (!tpm_bind_check(__builtin_return_address(0), "the config module"))
        return 1;
    return tpm_conf_init(md, cnf);
}

void OPENSSL_finish(void *md)
{
    if (!tpm_bind_check(__builtin_return_address(0), "the config module"))
        return;
    tpm_conf_finish(md);
}
