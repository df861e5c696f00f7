/*
 * module_libssl.h - the libssl functions the module calls, found at run time.
 *
 * The module does not link libssl (that would slow the start of every
 * libcrypto-only program); the SSL_CTX/SSL hooks look up what they need in
 * the libssl the process already has. Every libssl call of the module goes
 * through here, so there is one place that knows how libssl is found.
 */
#ifndef MODULE_LIBSSL_H
#define MODULE_LIBSSL_H

/* The address of libssl's `name` in the libssl already loaded in this
 * process, or NULL (no libssl loaded, or no such symbol). Loads nothing. */
void *tpm_libssl_sym(const char *name);

/* 1 if a libssl is expected to come later (libssl.so.3 beside the
 * libcrypto we run with), for a program whose libcrypto loaded the
 * configuration before libssl was loaded. */
int tpm_libssl_expected(void);

#endif
