/*
 * cnf_read.c - the one openssl.cnf reader of the module and the CLI (see
 * cnf_read.h). No printing, no allocation: it runs inside every program.
 */
#include <string.h>
#include <strings.h>

#include <openssl/conf.h>
#include <openssl/err.h>

#include "cnf_read.h"

#define CNF_PROVIDER_NAME "tlspolicy"

const char *cnf_get(const CONF *c, const char *sect, const char *key)
{
    const char *v;

    ERR_set_mark();
    v = NCONF_get_string(c, sect, key);
    ERR_pop_to_mark();
    return v;
}

STACK_OF(CONF_VALUE) *cnf_section(const CONF *c, const char *sect)
{
    STACK_OF(CONF_VALUE) *s;

    if (sect == NULL)
        return NULL;
    ERR_set_mark();
    s = NCONF_get_section(c, sect);
    ERR_pop_to_mark();
    return s;
}

int cnf_true(const char *v)
{
    return v != NULL && (strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0
                         || strcasecmp(v, "true") == 0 || strcasecmp(v, "on") == 0);
}

int cnf_is_module(const char *name, const char *module)
{
    size_t n = strlen(module);
    const char *dot = strrchr(name, '.');
    size_t len = dot != NULL ? (size_t)(dot - name) : strlen(name);

    return len == n && strncmp(name, module, n) == 0;
}

int cnf_is_tlspolicy_path(const char *path)
{
    const char *base;

    if (path == NULL)
        return 0;
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    return strncmp(base, "tlspolicy", 9) == 0;
}

static int is_self(const CONF *c, const CONF_VALUE *v, const char *self_name)
{
    if (self_name != NULL)
        return strcmp(v->name, self_name) == 0;
    return cnf_is_tlspolicy_path(cnf_get(c, v->value, "path"));
}

void cnf_read_init(const CONF *c, const char *self_name, cnf_init *out)
{
    STACK_OF(CONF_VALUE) *vals;
    int i;

    memset(out, 0, sizeof(*out));
    out->self_index = -1;
    out->init_sect = cnf_get(c, NULL, "openssl_conf");
    vals = cnf_section(c, out->init_sect);
    out->nentries = sk_CONF_VALUE_num(vals) > 0 ? sk_CONF_VALUE_num(vals) : 0;
    for (i = 0; i < out->nentries; i++) {
        const CONF_VALUE *v = sk_CONF_VALUE_value(vals, i);

        if (out->self == NULL && is_self(c, v, self_name)) {
            out->self = v;
            out->self_index = i;
        } else if (cnf_is_module(v->name, "ssl_conf")) {
            if (out->self == NULL)
                out->ssl_before = v->value;
            else if (out->ssl_after == NULL)
                out->ssl_after = v->value;
        } else if (cnf_is_module(v->name, "providers")) {
            if (out->nproviders < CNF_MAX_PROVIDER_SECTS)
                out->providers[out->nproviders++] = v->value;
        } else if (cnf_is_module(v->name, "alg_section")) {
            out->alg_sect = v->value;
        }
    }
}

const char *cnf_policy_key(const CONF *c, const char *sect)
{
    const char *v = sect != NULL ? cnf_get(c, sect, "policy") : NULL;

    return v != NULL && *v != '\0' ? v : NULL;
}

const char *cnf_next_other_provider(const CONF *c, const char *sect, int *pos)
{
    STACK_OF(CONF_VALUE) *vals = cnf_section(c, sect);

    while (*pos < sk_CONF_VALUE_num(vals)) {
        const CONF_VALUE *v = sk_CONF_VALUE_value(vals, (*pos)++);
        const char *name = cnf_get(c, v->value, "identity");

        if (name == NULL)
            name = v->name;
        if (strcmp(name, CNF_PROVIDER_NAME) != 0 && cnf_true(cnf_get(c, v->value, "activate")))
            return name;
    }
    return NULL;
}

int cnf_alg_fips(const CONF *c, const char *sect)
{
    const char *dp;

    if (sect == NULL)
        return 0;
    dp = cnf_get(c, sect, "default_properties");
    return cnf_true(cnf_get(c, sect, "fips_mode")) || (dp != NULL && strstr(dp, "fips=yes") != NULL);
}
