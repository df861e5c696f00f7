/*
 * ossl_names.h - check a resolved policy against the OpenSSL that is
 * really installed: every name the policy renders must be known to libssl.
 */
#ifndef TP_OSSL_NAMES_H
#define TP_OSSL_NAMES_H

#include "tlspolicy.h"

/* One finding; subject is the name or setting concerned (may be NULL); msg
 * has no file:line prefix and no newline. */
typedef void (*ossl_report_fn)(void *arg, tp_severity sev, const char *subject,
                               const char *msg);

/*
 * Check r against the running libssl (default provider, in a private
 * library context, without openssl.cnf): each TLS 1.2 cipher of the rendered
 * CipherString, each TLS 1.3 suite, group and signature algorithm of the
 * policy, and every rendered SSL_CONF command as a whole. Names that need a
 * newer OpenSSL than the running one are reported as notes ("skipped");
 * names the running OpenSSL refuses as errors.
 * Returns the number of errors reported, or -1 if libssl could not be set
 * up (reported as an error too).
 */
int ossl_check_resolved(const tp_resolved *r, ossl_report_fn report, void *arg);

#endif
