/*
 * module_conf.h - the config module's private interface (module.c,
 * module_conf.c, state.c, log.c).
 *
 * module.c holds the exported OPENSSL_init/OPENSSL_finish and includes no
 * OpenSSL header (openssl/crypto.h declares an unrelated OPENSSL_init), so
 * the CONF_IMODULE and CONF pointers cross this interface as void *.
 */
#ifndef TP_MODULE_CONF_H
#define TP_MODULE_CONF_H

#include "tp_module.h"

/* OPENSSL_init: 1 on success (also when the policy fell back to DEFAULT),
 * 0 only when no policy at all could be installed. */
int tpm_conf_init(void *imodule, const void *conf);
/* OPENSSL_finish. Runs under libcrypto's module-list lock on 3.0-3.2:
 * must not call CONF_modules_* or anything that loads configuration. */
void tpm_conf_finish(void *imodule);

/* module_verify.c: verify.peer = required for every SSL_CTX. register
 * installs the SSL_CTX hook (once); sets_mode says whether the hook sets the
 * client's verify mode, so that system_default must not carry VerifyMode;
 * unregister removes the hook and frees the anchors (module finish). */
void tpm_verify_register(const tpm_state *st);
int tpm_verify_sets_mode(void);
void tpm_verify_unregister(void);

/* module_secop.c: the policy's security callback on every SSL_CTX (and SSL
 * on 3.0/3.1). register installs the hooks (once); active says whether
 * they are installed, so that the provider need not hide groups;
 * unregister removes them (module finish). */
void tpm_secop_register(const tpm_state *st);
int tpm_secop_active(void);
/* The provider, asked for TLS groups in SSL_CTX_new: this thread's
 * SSL_CTX being made is in a library context under the policy. */
void tpm_secop_note_policed(void);
void tpm_secop_unregister(void);

/* log.c: close the syslog socket and forget the rate-limit state. */
void tpm_log_close(void);

/* state.c: 1 once the policy has been resolved (tpm_set_policy_path then
 * no longer has an effect). */
int tpm_state_resolved(void);

#endif
