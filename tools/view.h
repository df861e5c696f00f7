/*
 * view.h - the policy loaded and resolved for one program, as `show`,
 * `explain` and `list` read it.
 */
#ifndef TP_VIEW_H
#define TP_VIEW_H

#include "cli.h"
#include "tlspolicy.h"

/* Longest value `show` and `explain` print. */
#define VALUE_MAX 16384

typedef struct view {
    tp_policy *p;
    tp_resolved *r;
    const char *name, *exe;  /* program, NULL/NULL for system-wide */
    const char *app;         /* --app as given */
    tp_err load_err;
} view;

/* Load and resolve; returns TP_EXIT_OK, or TP_EXIT_LOAD if nothing could be
 * resolved at all (out of memory). */
int view_open(cli *c, view *v, const char *app);
void view_close(view *v);
/* Programs get the compiled-in DEFAULT because the policy is broken. */
int view_fallback(const view *v);
/* On fallback the problems go to stderr; the exit status says 3. */
int view_status(cli *c, const view *v);

#endif
