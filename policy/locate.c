/*
 * locate.c - which policy file a process reads, and why: the one place the
 * lookup order is written down (docs/DESIGN.md, Contract). The module, the
 * loader's default and every CLI command ask here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tp_config.h"

#define DEFAULT_POLICY TP_ETCDIR "/policy.conf"

char *tp_path_rooted(const char *root, const char *path)
{
    size_t rl = root ? strlen(root) : 0;
    while (rl > 0 && root[rl - 1] == '/')
        rl--;
    size_t pl = strlen(path);
    char *s = malloc(rl + pl + 2);
    if (s == NULL)
        return NULL;
    if (rl)
        memcpy(s, root, rl);
    memcpy(s + rl, path, pl + 1);
    if (rl + pl == 0)
        memcpy(s, "/", 2); /* the root itself is / */
    return s;
}

static char *why_text(const tp_policy_rules *r, tp_policy_from from)
{
    const char *fixed = from == TP_FROM_OPTION ? "--policy"
                        : from == TP_FROM_ENV  ? "TLSPOLICY_CONF"
                                               : "default";
    char *s;

    if (from != TP_FROM_KEY)
        return strdup(fixed);
    if (asprintf(&s, "policy key in [%s] of %s", r->key_sect ? r->key_sect : "?",
                 r->key_cnf ? r->key_cnf : "openssl.cnf") < 0)
        return NULL;
    return s;
}

int tp_policy_locate(const tp_policy_rules *r, tp_policy_where *out)
{
    const char *env = r->use_env ? secure_getenv("TLSPOLICY_CONF") : NULL;

    memset(out, 0, sizeof(*out));
    if (r->key != NULL && r->key[0] != '\0') {
        out->from = TP_FROM_KEY;
        out->path = strdup(r->key);
    } else if (r->option != NULL) {
        out->from = TP_FROM_OPTION;
        out->path = strdup(r->option);
    } else if (env != NULL && env[0] != '\0') {
        out->from = TP_FROM_ENV;
        out->path = strdup(env);
    } else {
        out->from = TP_FROM_DEFAULT;
        out->path = tp_path_rooted(r->root, DEFAULT_POLICY);
    }
    out->why = why_text(r, out->from);
    if (out->path == NULL || out->why == NULL) {
        tp_policy_where_free(out);
        return -1;
    }
    return 0;
}

void tp_policy_where_free(tp_policy_where *w)
{
    free(w->path);
    free(w->why);
    memset(w, 0, sizeof(*w));
}
