/* diag.c - diagnostics recorded on a tp_policy. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void tp_buf_add(tp_buf *b, const char *s)
{
    size_t l = strlen(s);
    if (b->oom)
        return;
    if (b->n + l + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + l + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (ns == NULL) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, l + 1);
    b->n += l;
}

void tp_buf_join(tp_buf *b, const char *sep, const char *s)
{
    if (b->n)
        tp_buf_add(b, sep);
    tp_buf_add(b, s);
}

char *tp_buf_done(tp_buf *b)
{
    if (b->oom) {
        free(b->s);
        b->s = NULL;
        return NULL;
    }
    return b->s ? b->s : strdup("");
}

/* Keep a string alive as long as the policy; NULL on allocation failure. */
const char *tp_pstrdup(tp_policy *p, const char *s)
{
    if (s == NULL)
        return NULL;
    if (p->nstrs == p->capstrs) {
        size_t cap = p->capstrs ? p->capstrs * 2 : 16;
        char **n = realloc(p->strs, cap * sizeof(*n));
        if (n == NULL)
            return NULL;
        p->strs = n;
        p->capstrs = cap;
    }
    char *d = strdup(s);
    if (d == NULL)
        return NULL;
    p->strs[p->nstrs++] = d;
    return d;
}

/* Diagnostics past this many are counted but not kept: a hostile file must
 * not turn into millions of messages. */
#define TP_MAX_DIAGS 200

void tp_diag_add(tp_policy *p, tp_severity sev, tp_err code, const char *file,
                 int line, const char *fmt, ...)
{
    if (sev == TP_SEV_ERROR)
        p->nerrors++;
    if (p->ndiags > TP_MAX_DIAGS)
        return;
    if (p->ndiags == p->capdiags) {
        size_t cap = p->capdiags ? p->capdiags * 2 : 8;
        tp_diag *n = realloc(p->diags, cap * sizeof(*n));
        if (n == NULL)
            return;
        p->diags = n;
        p->capdiags = cap;
    }
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    tp_diag *d = &p->diags[p->ndiags];
    d->severity = sev;
    d->code = code;
    d->file = tp_pstrdup(p, file);
    d->line = line;
    d->message = tp_pstrdup(p, buf);
    if (d->message == NULL)
        d->message = "out of memory";
    p->ndiags++;
    if (p->ndiags == TP_MAX_DIAGS)
        tp_diag_add(p, TP_SEV_NOTE, TP_OK, file, 0,
                    "too many problems; further ones are not listed");
}

size_t tp_policy_ndiags(const tp_policy *p)
{
    return p ? p->ndiags : 0;
}

const tp_diag *tp_policy_diag(const tp_policy *p, size_t i)
{
    return p && i < p->ndiags ? &p->diags[i] : NULL;
}

size_t tp_policy_nerrors(const tp_policy *p)
{
    return p ? (size_t)p->nerrors : 0;
}
