/*
 * cov_own.h - programs that carry their own TLS library, for `coverage`
 * (cov_own.c).
 */
#ifndef COV_OWN_H
#define COV_OWN_H

#include <stddef.h>

typedef struct cov_own {
    int found;          /* an own copy was seen in the process */
    int exported;       /* it exports OpenSSL's entry points (.dynsym) */
    int partial;        /* ...but not all the module needs */
    int boringssl;      /* BoringSSL (Chromium, Electron), not OpenSSL */
    int major;          /* OpenSSL major version from its string, 0 unknown */
    char version[48];   /* "OpenSSL 3.0.19 27 Jan 2026", or "" */
    char file[512];     /* the executable or library that holds it */
} cov_own;

/* Look through the objects mapped in pid (not libcrypto/libssl.so files) for
 * an OpenSSL of their own: one exporting OPENSSL_init_crypto, or (the
 * executable, and libraries outside the system library directories)
 * carrying OpenSSL's or BoringSSL's version string. Results are cached per
 * file for the run. */
void cov_own_scan(int pid, cov_own *own);

/* Status and reason for a process with an own copy: returns the status
 * ("covered", "uncovered", "other") and writes the reason; module: whether
 * tlspolicy.so is mapped; exe: /proc/PID/exe; cnf: the openssl.cnf the
 * process reads (its OPENSSL_CONF or the system one). */
const char *cov_own_classify(const cov_own *own, int module, const char *exe, const char *cnf,
                             char *reason, size_t len);

/* Node.js reads nodejs_conf, not openssl_conf: the reason node (exe) does
 * not load the module from cnf, or NULL if exe is not node. */
const char *cov_node_reason(const char *exe, const char *cnf, char *buf, size_t len);

void cov_own_free_cache(void);

#endif
