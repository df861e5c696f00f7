/*
 * conf_scan.c - read an openssl.cnf as OpenSSL will, without loading any
 * module: which init section, whether it loads tlspolicy, with which path
 * and policy, and what else it wires that undoes the policy (an ssl_conf
 * listed after ours, providers activated besides ours). The reading itself
 * is policy/cnf_read.c, which the module uses on the CONF libcrypto gives
 * it; this file parses the file and keeps copies for the CLI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/conf.h>
#include <openssl/err.h>

#include "cli.h"
#include "cnf_read.h"
#include "probe.h"

char *conf_default_file(void)
{
    char *f = CONF_get1_default_config_file();
    char *r = cli_join(f ? f : "", "");
    OPENSSL_free(f);
    return r;
}

static char *dup_or_null(const char *s)
{
    return s ? cli_join(s, "") : NULL;
}

int conf_scan_load(conf_scan *cs, const char *file)
{
    struct stat st;
    long eline = 0;
    CONF *c;

    memset(cs, 0, sizeof(*cs));
    cs->entry_index = -1;
    cs->file = cli_join(file, "");
    if (stat(file, &st) != 0) {
        snprintf(cs->error, sizeof(cs->error), "%s does not exist", file);
        return -1;
    }
    if (S_ISFIFO(st.st_mode)) { /* the read would wait for a writer for ever */
        snprintf(cs->error, sizeof(cs->error), "%s is a FIFO", file);
        cs->fifo = 1;
        return -1;
    }
    c = NCONF_new(NULL);
    if (c == NULL || NCONF_load(c, file, &eline) <= 0) {
        char e[256];
        ERR_error_string_n(ERR_peek_last_error(), e, sizeof(e));
        if (eline > 0)
            snprintf(cs->error, sizeof(cs->error), "%s:%ld: cannot be parsed (%s)", file, eline, e);
        else
            snprintf(cs->error, sizeof(cs->error), "%s cannot be read (%s)", file, e);
        ERR_clear_error();
        NCONF_free(c);
        return -1;
    }
    cs->loaded = 1;
    cnf_init ci;
    cnf_read_init(c, NULL, &ci);
    cs->config_diagnostics = cnf_true(cnf_get(c, NULL, "config_diagnostics"));
    cs->init_sect = dup_or_null(ci.init_sect);
    cs->nentries = ci.nentries;
    if (ci.self != NULL) {
        cs->entry = cli_join(ci.self->name, "");
        cs->section = cli_join(ci.self->value, "");
        cs->entry_index = ci.self_index;
        cs->module_path = dup_or_null(cnf_get(c, ci.self->value, "path"));
        cs->policy = dup_or_null(cnf_policy_key(c, ci.self->value));
    }
    if (ci.ssl_before)
        cs->ssl_before = cli_join("ssl_conf = ", ci.ssl_before);
    if (ci.ssl_after)
        cs->ssl_after = cli_join("ssl_conf = ", ci.ssl_after);
    for (int i = 0; i < ci.nproviders; i++) {
        const char *name;
        int pos = 0;
        while ((name = cnf_next_other_provider(c, ci.providers[i], &pos)) != NULL)
            if (cs->nother_providers < CS_MAX_PROVIDERS)
                cs->other_providers[cs->nother_providers++] = cli_join(name, "");
    }
    cs->fips_props = cnf_alg_fips(c, ci.alg_sect);
    cs->nodejs_conf = dup_or_null(cnf_get(c, NULL, "nodejs_conf"));
    NCONF_free(c);
    return 0;
}

int cli_kernel_fips(void)
{
    FILE *f = fopen("/proc/sys/crypto/fips_enabled", "re");
    int on = 0;

    if (f != NULL) {
        on = fgetc(f) == '1';
        fclose(f);
    }
    return on;
}

void conf_scan_free(conf_scan *cs)
{
    free(cs->file);
    free(cs->init_sect);
    free(cs->entry);
    free(cs->section);
    free(cs->module_path);
    free(cs->policy);
    free(cs->ssl_before);
    free(cs->ssl_after);
    free(cs->nodejs_conf);
    for (int i = 0; i < cs->nother_providers; i++)
        free(cs->other_providers[i]);
    memset(cs, 0, sizeof(*cs));
}
