/*
 * conf_scan.c - read an openssl.cnf as OpenSSL will, without loading any
 * module: which init section, whether it loads tlspolicy, with which path
 * and policy, and what else it wires that undoes the policy (an ssl_conf
 * listed after ours, providers activated besides ours).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/conf.h>
#include <openssl/err.h>

#include "cli.h"
#include "probe.h"

char *conf_default_file(void)
{
    char *f = CONF_get1_default_config_file();
    char *r = cli_join(f ? f : "", "");
    OPENSSL_free(f);
    return r;
}

/* NCONF_get_string queues an error for an absent key. */
static const char *get(const CONF *c, const char *sect, const char *key)
{
    ERR_set_mark();
    const char *v = NCONF_get_string(c, sect, key);
    ERR_pop_to_mark();
    return v;
}

static STACK_OF(CONF_VALUE) *section(const CONF *c, const char *sect)
{
    ERR_set_mark();
    STACK_OF(CONF_VALUE) *s = NCONF_get_section(c, sect);
    ERR_pop_to_mark();
    return s;
}

/* "ssl_conf" and "ssl_conf.anything" are the ssl_conf module. */
static int is_module(const char *name, const char *module)
{
    size_t n = strlen(module);
    return strncmp(name, module, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

static int conf_true(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0
                 || strcasecmp(v, "on") == 0);
}

static char *dup_or_null(const char *s)
{
    return s ? cli_join(s, "") : NULL;
}

/* Our entry: its section has a `path` whose base name is tlspolicy*.so. */
static int is_ours(const CONF *c, const CONF_VALUE *v)
{
    const char *path = get(c, v->value, "path");
    if (path == NULL)
        return 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strncmp(base, "tlspolicy", 9) == 0;
}

static void scan_providers(conf_scan *cs, const CONF *c, const char *sect)
{
    STACK_OF(CONF_VALUE) *vals = section(c, sect);
    for (int i = 0; i < sk_CONF_VALUE_num(vals); i++) {
        const CONF_VALUE *v = sk_CONF_VALUE_value(vals, i);
        const char *name = get(c, v->value, "identity");
        if (name == NULL)
            name = v->name;
        if (strcmp(name, "tlspolicy") == 0 || !conf_true(get(c, v->value, "activate")))
            continue;
        if (cs->nother_providers < CS_MAX_PROVIDERS)
            cs->other_providers[cs->nother_providers++] = cli_join(name, "");
    }
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
    cs->config_diagnostics = conf_true(get(c, NULL, "config_diagnostics"));
    cs->init_sect = dup_or_null(get(c, NULL, "openssl_conf"));
    STACK_OF(CONF_VALUE) *vals = cs->init_sect ? section(c, cs->init_sect) : NULL;
    cs->nentries = sk_CONF_VALUE_num(vals) > 0 ? sk_CONF_VALUE_num(vals) : 0;
    for (int i = 0; i < sk_CONF_VALUE_num(vals); i++) {
        const CONF_VALUE *v = sk_CONF_VALUE_value(vals, i);
        if (cs->entry == NULL && is_ours(c, v)) {
            cs->entry = cli_join(v->name, "");
            cs->entry_index = i;
            cs->module_path = dup_or_null(get(c, v->value, "path"));
            cs->policy = dup_or_null(get(c, v->value, "policy"));
            if (cs->policy && !cs->policy[0]) {
                free(cs->policy);
                cs->policy = NULL;
            }
        } else if (is_module(v->name, "ssl_conf")) {
            char *both = cli_join("ssl_conf = ", v->value);
            char **slot = cs->entry ? &cs->ssl_after : &cs->ssl_before;
            if (cs->entry == NULL || *slot == NULL) {
                free(*slot);
                *slot = both;
            } else {
                free(both);
            }
        } else if (is_module(v->name, "providers")) {
            scan_providers(cs, c, v->value);
        } else if (is_module(v->name, "alg_section")) {
            const char *dp = get(c, v->value, "default_properties");
            cs->fips_props = conf_true(get(c, v->value, "fips_mode"))
                             || (dp != NULL && strstr(dp, "fips=yes") != NULL);
        }
    }
    NCONF_free(c);
    return 0;
}

int tp_kernel_fips(void)
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
    free(cs->module_path);
    free(cs->policy);
    free(cs->ssl_before);
    free(cs->ssl_after);
    for (int i = 0; i < cs->nother_providers; i++)
        free(cs->other_providers[i]);
    memset(cs, 0, sizeof(*cs));
}
