/*
 * resolve.c - merge the layers into the effective policy for one program,
 * remembering for every value each place that set or edited it.  The
 * constraints that only the merged result can show are checked in
 * validate.c, through the accessors below.
 *
 * Order (lowest first): compiled-in DEFAULT < profile < modifiers < policy
 * file < policy.d drop-ins < matching application rules.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

typedef struct rval {
    long i;
    const char *s;
    const char **items;
    size_t n, cap;
    tp_origin *orig;
    size_t norig;
} rval;

struct tp_resolved {
    rval v[TP_K__COUNT];
    size_t *apps;
    size_t napps;
    int fallback;
    int oom;
    char **strs;
    size_t nstrs;
};

static const char *r_keep(tp_resolved *r, char *s)
{
    if (s == NULL) {
        r->oom = 1;
        return NULL;
    }
    char **n = realloc(r->strs, (r->nstrs + 1) * sizeof(*n));
    if (n == NULL) {
        free(s);
        r->oom = 1;
        return NULL;
    }
    r->strs = n;
    r->strs[r->nstrs++] = s;
    return s;
}

static void add_origin(tp_resolved *r, tp_key k, tp_origin o)
{
    rval *v = &r->v[k];
    tp_origin *n = realloc(v->orig, (v->norig + 1) * sizeof(*n));
    if (n == NULL) {
        r->oom = 1;
        return;
    }
    v->orig = n;
    v->orig[v->norig++] = o;
}

static int list_reserve(tp_resolved *r, rval *v, size_t n)
{
    if (n <= v->cap)
        return 0;
    size_t cap = v->cap ? v->cap : 16;
    while (cap < n)
        cap *= 2;
    const char **ni = realloc(v->items, cap * sizeof(*ni));
    if (ni == NULL) {
        r->oom = 1;
        return -1;
    }
    v->items = ni;
    v->cap = cap;
    return 0;
}

static void apply_builtin(tp_resolved *r)
{
    for (int k = 0; k < TP_K__COUNT; k++) {
        const tp_builtin_val *b = tp_builtin_get((tp_key)k);
        rval *v = &r->v[k];
        tp_origin o = {.kind = TP_O_BUILTIN, .name = "DEFAULT"};
        char buf[32];
        switch (tp_key_type((tp_key)k)) {
        case TP_T_LIST: {
            size_t n = 0;
            while (b->items[n])
                n++;
            if (list_reserve(r, v, n + 1) < 0)
                return;
            for (size_t i = 0; i < n; i++)
                v->items[i] = b->items[i];
            v->n = n;
            tp_buf t = {0};
            for (size_t i = 0; i < n; i++)
                tp_buf_join(&t, ", ", b->items[i]);
            tp_buf w = {0};
            tp_buf_add(&w, "[ ");
            tp_buf_add(&w, t.s ? t.s : "");
            tp_buf_add(&w, " ]");
            free(tp_buf_done(&t));
            o.text = r_keep(r, tp_buf_done(&w));
            break;
        }
        case TP_T_VERSION:
            v->i = b->i;
            o.text = tp_version_name(b->i);
            break;
        case TP_T_INT:
            v->i = b->i;
            snprintf(buf, sizeof(buf), "%ld", b->i);
            o.text = r_keep(r, strdup(buf));
            break;
        default:
            v->s = b->s;
            o.text = b->s ? b->s : "(unset)";
            break;
        }
        add_origin(r, (tp_key)k, o);
    }
}

static void edit_list(tp_resolved *r, rval *v, const tp_value *lv)
{
    if (!lv->edit) {
        if (list_reserve(r, v, lv->n + 1) < 0)
            return;
        for (size_t i = 0; i < lv->n; i++)
            v->items[i] = lv->items[i];
        v->n = lv->n;
        return;
    }
    for (size_t i = 0; i < lv->n; i++) {
        const char *name = lv->items[i];
        /* Items are canonical table pointers: compare by address. */
        size_t at = v->n;
        for (size_t j = 0; j < v->n; j++)
            if (v->items[j] == name)
                at = j;
        if (at < v->n) {
            memmove(&v->items[at], &v->items[at + 1], (v->n - at - 1) * sizeof(*v->items));
            v->n--;
        }
        if (lv->ops[i] == TP_OP_REMOVE)
            continue;
        if (list_reserve(r, v, v->n + 2) < 0)
            return;
        if (lv->ops[i] == TP_OP_PREPEND) {
            /* +a, +b keeps the written order at the front */
            size_t pos = 0;
            for (size_t j = 0; j < i; j++)
                if (lv->ops[j] == TP_OP_PREPEND)
                    pos++;
            if (pos > v->n)
                pos = v->n;
            memmove(&v->items[pos + 1], &v->items[pos], (v->n - pos) * sizeof(*v->items));
            v->items[pos] = name;
        } else {
            v->items[v->n] = name;
        }
        v->n++;
    }
}

static void apply_layer(tp_resolved *r, const tp_layer *l)
{
    for (int k = 0; k < TP_K__COUNT; k++) {
        const tp_value *lv = &l->v[k];
        if (!lv->set)
            continue;
        rval *v = &r->v[k];
        switch (tp_key_type((tp_key)k)) {
        case TP_T_LIST:
            edit_list(r, v, lv);
            break;
        case TP_T_INT:
        case TP_T_VERSION:
            v->i = lv->i;
            break;
        default:
            v->s = lv->s;
            break;
        }
        tp_origin o = {.kind = l->kind, .name = l->name, .file = l->file, .line = lv->line,
                       .text = lv->text};
        add_origin(r, (tp_key)k, o);
    }
}

static int app_matches(const char *pat, const char *name, const char *exe, int paths_only)
{
    if (pat[0] == '/')
        return exe != NULL && fnmatch(pat, exe, FNM_PATHNAME) == 0;
    if (paths_only)
        return 0;
    if (name != NULL && fnmatch(pat, name, 0) == 0)
        return 1;
    if (exe != NULL) {
        const char *b = strrchr(exe, '/');
        b = b ? b + 1 : exe;
        if (fnmatch(pat, b, 0) == 0)
            return 1;
    }
    return 0;
}

/* Resolve with an explicit choice of application rules (-1: by name). */
static tp_resolved *resolve(const tp_policy *p, const char *name, const char *exe,
                            long only_app, int system_only, int paths_only, tp_err *err)
{
    tp_resolved *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        if (err)
            *err = TP_ERR_NOMEM;
        return NULL;
    }
    apply_builtin(r);
    r->fallback = p == NULL || p->fallback;
    if (!r->fallback) {
        for (size_t i = 0; i < p->nlayers; i++)
            apply_layer(r, p->layers[i]);
        if (!system_only && p->napps) {
            r->apps = calloc(p->napps, sizeof(*r->apps));
            if (r->apps == NULL)
                r->oom = 1;
            for (size_t i = 0; i < p->napps && r->apps; i++) {
                int hit = only_app >= 0 ? (size_t)only_app == i
                                        : app_matches(p->apps[i]->name, name, exe, paths_only);
                if (!hit)
                    continue;
                apply_layer(r, p->apps[i]);
                r->apps[r->napps++] = i;
            }
        }
    }
    if (r->oom) {
        tp_resolved_free(r);
        if (err)
            *err = TP_ERR_NOMEM;
        return NULL;
    }
    if (err)
        *err = TP_OK;
    return r;
}

tp_resolved *tp_resolve_rules(const tp_policy *p, long only_app, int system_only)
{
    return resolve(p, NULL, NULL, only_app, system_only, 0, NULL);
}

tp_resolved *tp_policy_resolve(const tp_policy *p, const char *name, const char *exe,
                               tp_err *err)
{
    if (name == NULL && exe == NULL)
        return resolve(p, NULL, NULL, -1, 1, 0, err);
    return resolve(p, name, exe, -1, 0, 0, err);
}

tp_resolved *tp_policy_resolve_secure(const tp_policy *p, const char *exe, tp_err *err)
{
    if (exe == NULL || exe[0] != '/')
        return resolve(p, NULL, NULL, -1, 1, 0, err);
    return resolve(p, NULL, exe, -1, 0, 1, err);
}

void tp_resolved_free(tp_resolved *r)
{
    if (r == NULL)
        return;
    for (int k = 0; k < TP_K__COUNT; k++) {
        free(r->v[k].items);
        free(r->v[k].orig);
    }
    for (size_t i = 0; i < r->nstrs; i++)
        free(r->strs[i]);
    free(r->strs);
    free(r->apps);
    free(r);
}

const char *tp_resolved_get_str(const tp_resolved *r, tp_key k)
{
    return r && (unsigned)k < TP_K__COUNT ? r->v[k].s : NULL;
}

long tp_resolved_get_int(const tp_resolved *r, tp_key k)
{
    return r && (unsigned)k < TP_K__COUNT ? r->v[k].i : 0;
}

size_t tp_resolved_list_len(const tp_resolved *r, tp_key k)
{
    return r && (unsigned)k < TP_K__COUNT ? r->v[k].n : 0;
}

const char *tp_resolved_list_item(const tp_resolved *r, tp_key k, size_t i)
{
    return r && (unsigned)k < TP_K__COUNT && i < r->v[k].n ? r->v[k].items[i] : NULL;
}

int tp_resolved_list_has(const tp_resolved *r, tp_key k, const char *name)
{
    size_t n = tp_resolved_list_len(r, k);

    for (size_t i = 0; i < n; i++)
        if (strcasecmp(tp_resolved_list_item(r, k, i), name) == 0)
            return 1;
    return 0;
}

size_t tp_resolved_norigins(const tp_resolved *r, tp_key k)
{
    return r && (unsigned)k < TP_K__COUNT ? r->v[k].norig : 0;
}

const tp_origin *tp_resolved_origin(const tp_resolved *r, tp_key k, size_t i)
{
    return r && (unsigned)k < TP_K__COUNT && i < r->v[k].norig ? &r->v[k].orig[i] : NULL;
}

size_t tp_resolved_napps(const tp_resolved *r)
{
    return r ? r->napps : 0;
}

size_t tp_resolved_app(const tp_resolved *r, size_t i)
{
    return r && i < r->napps ? r->apps[i] : (size_t)-1;
}

int tp_resolved_is_fallback(const tp_resolved *r)
{
    return r ? r->fallback : 1;
}

int tp_resolved_format(const tp_resolved *r, tp_key k, char *buf, size_t len)
{
    if (r == NULL || (unsigned)k >= TP_K__COUNT || buf == NULL || len == 0)
        return -1;
    const rval *v = &r->v[k];
    int n;
    switch (tp_key_type(k)) {
    case TP_T_LIST: {
        size_t used = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < v->n; i++) {
            n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", v->items[i]);
            if (n < 0 || (size_t)n >= len - used)
                return -1;
            used += (size_t)n;
        }
        return 0;
    }
    case TP_T_VERSION:
        n = snprintf(buf, len, "%s", tp_version_name(v->i) ? tp_version_name(v->i) : "?");
        break;
    case TP_T_INT:
        n = snprintf(buf, len, "%ld", v->i);
        break;
    default:
        n = snprintf(buf, len, "%s", v->s ? v->s : "");
        break;
    }
    return n < 0 || (size_t)n >= len ? -1 : 0;
}
