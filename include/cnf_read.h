/*
 * cnf_read.h - reading an openssl.cnf (a CONF *) the way libcrypto's
 * conf_mod.c will, without loading any module. One reader for the config
 * module (provider/module_conf.c, on the CONF libcrypto hands it) and the CLI
 * (tools/conf_scan.c, on a CONF it parsed with NCONF): status and probe then
 * predict what the module does.
 *
 * Runs inside every program that loads the module: never prints, never
 * allocates; the strings returned point into the CONF. Errors NCONF queues
 * for absent keys or sections are popped.
 */
#ifndef TP_CNF_READ_H
#define TP_CNF_READ_H

#include <openssl/conf.h>

#define CNF_MAX_PROVIDER_SECTS 8

/* What the init section (openssl_conf) wires around our entry. */
typedef struct cnf_init {
    const char *init_sect;    /* value of openssl_conf, or NULL */
    int nentries;             /* entries in the init section */
    int self_index;           /* position of our entry, -1 if none */
    const CONF_VALUE *self;   /* our entry, or NULL */
    const char *ssl_before;   /* section of the last ssl_conf before ours: the system's */
    const char *ssl_after;    /* section of the first ssl_conf after ours: undoes us */
    const char *providers[CNF_MAX_PROVIDER_SECTS]; /* every providers section */
    int nproviders;
    const char *alg_sect;     /* section of the last alg_section, or NULL */
} cnf_init;

/* NCONF_get_string / NCONF_get_section without leaving an error queued. */
const char *cnf_get(const CONF *c, const char *sect, const char *key);
STACK_OF(CONF_VALUE) *cnf_section(const CONF *c, const char *sect);

/* 1 for "1", "yes", "true", "on" (any case). */
int cnf_true(const char *v);

/* 1 if an init-section entry named name is handled by module: conf_mod.c's
 * module_find drops what follows the LAST '.' ("ssl_conf.sys" is ssl_conf,
 * "ssl_conf.a.b" is not). */
int cnf_is_module(const char *name, const char *module);

/* 1 if path's base name is tlspolicy* (the DSO of this project). */
int cnf_is_tlspolicy_path(const char *path);

/* Read the init section. Our entry is the one named self_name (the module
 * knows its CONF_IMODULE name) or, when self_name is NULL, the first whose
 * section has a `path` for which cnf_is_tlspolicy_path holds (the CLI). */
void cnf_read_init(const CONF *c, const char *self_name, cnf_init *out);

/* The `policy` key of our entry's section sect: NULL when absent or empty. */
const char *cnf_policy_key(const CONF *c, const char *sect);

/* The next provider that providers section sect activates besides
 * tlspolicy: its identity (or entry name), or NULL at the end. *pos starts
 * at 0. */
const char *cnf_next_other_provider(const CONF *c, const char *sect, int *pos);

/* 1 if alg_section sect makes FIPS properties the default (fips_mode, or
 * default_properties containing fips=yes). */
int cnf_alg_fips(const CONF *c, const char *sect);

#endif
