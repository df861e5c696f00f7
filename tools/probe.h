/*
 * probe.h - what `probe` and `status` share: reading openssl.cnf the way
 * OpenSSL will (conf_scan.c), the test certificates (probe_pki.c) and the
 * measuring child process (probe_child.c).
 */
#ifndef TP_PROBE_H
#define TP_PROBE_H

#include <stddef.h>

#define CS_MAX_PROVIDERS 16

/* What an openssl.cnf says about tlspolicy, read with NCONF (includes
 * followed) without loading any module. */
typedef struct conf_scan {
    char *file;             /* the openssl.cnf */
    int loaded;             /* parsed */
    char error[512];        /* why not */
    char *init_sect;        /* value of openssl_conf, or NULL */
    char *entry;            /* our entry's name in the init section */
    char *section;          /* its section (the entry's value) */
    char *module_path;      /* its `path` */
    char *policy;           /* its `policy`, or NULL */
    int entry_index;        /* position of our entry in the init section */
    int nentries;
    char *ssl_before;       /* "ssl_conf = SECT" listed before ours */
    char *ssl_after;        /* "ssl_conf = SECT" listed after ours: undoes us */
    char *other_providers[CS_MAX_PROVIDERS]; /* activated besides ours */
    int nother_providers;
    int config_diagnostics;
    int fips_props;         /* alg_section sets fips=yes as the default */
    int fifo;               /* the file is a FIFO: not read (a reader would wait) */
    char *nodejs_conf;      /* [default] nodejs_conf: the init section Node.js
                             * reads instead of openssl_conf, or NULL */
} conf_scan;

/* 1 if /proc/sys/crypto/fips_enabled reads 1 (the kernel's FIPS mode). */
int cli_kernel_fips(void);

/* The openssl.cnf a program started now would read: $OPENSSL_CONF, else
 * OPENSSLDIR/openssl.cnf. Malloc'ed. */
char *conf_default_file(void);
/* Read file. Returns 0 if it was parsed (see cs->loaded / cs->error). */
int conf_scan_load(conf_scan *cs, const char *file);
void conf_scan_free(conf_scan *cs);

/* Test PKI for the handshakes, made with the default provider in a private
 * library context (no openssl.cnf, so no floors): ca.pem, ec.pem/key,
 * rsa.pem/key (rsa_bits), sha1.pem/key (leaf signed with SHA-1),
 * short.pem/key (self-signed RSA of short_bits; 0: none).
 * Returns 0, or -1 with a message in err. */
int probe_pki_make(const char *dir, int ec_bits, int rsa_bits, int short_bits, char *err,
                   size_t errlen);

/* `tlspolicy __probe-child DIR ATTEMPT...` */
int probe_child_main(int argc, char **argv);

#endif
