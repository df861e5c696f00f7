/*
 * view.c - load and resolve the policy for one program, shared by `show`,
 * `explain` and `list`.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "view.h"

/* Load and resolve; returns TP_EXIT_OK, or TP_EXIT_LOAD if nothing could be
 * resolved at all (out of memory). */
int view_open(cli *c, view *v, const char *app)
{
    tp_err err = TP_OK;

    memset(v, 0, sizeof(*v));
    v->app = app;
    cli_program(app, &v->name, &v->exe);
    if (cli_resolve_opts(c) != 0)
        return TP_EXIT_LOAD;
    v->p = cli_load(c, &v->load_err);
    if (v->p == NULL)
        return TP_EXIT_LOAD;
    v->r = tp_policy_resolve(v->p, v->name, v->exe, &err);
    if (v->r == NULL) {
        cli_error(c, "cannot resolve the policy: %s", tp_strerror(err));
        return TP_EXIT_LOAD;
    }
    return TP_EXIT_OK;
}

void view_close(view *v)
{
    tp_resolved_free(v->r);
    tp_policy_free(v->p);
}

/* Programs get the compiled-in DEFAULT because the policy is broken. */
int view_fallback(const view *v)
{
    return tp_policy_is_fallback(v->p) || tp_resolved_is_fallback(v->r);
}

/* On fallback the problems go to stderr; the exit status says 3. */
int view_status(cli *c, const view *v)
{
    if (!view_fallback(v))
        return TP_EXIT_OK;
    rep_policy_diags_text(stderr, v->p);
    cli_error(c, "the policy could not be loaded (%s); programs get the compiled-in DEFAULT",
              tp_strerror(v->load_err != TP_OK ? v->load_err : TP_ERR_INVALID));
    return TP_EXIT_LOAD;
}
