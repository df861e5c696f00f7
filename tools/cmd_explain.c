/*
 * cmd_explain.c - `explain`: where each value of the effective policy
 * comes from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "esc.h"
#include "json.h"
#include "report.h"
#include "view.h"

/* ---- explain ---------------------------------------------------------------- */

static void explain_help(FILE *f)
{
    fputs("Usage: tlspolicy explain [--app NAME] [--json] [KEY]\n"
          "\n"
          "For each key (or only KEY, or the keys of a section such as 'tls'), the\n"
          "effective value and every place that set it, in the order they were\n"
          "applied; '*' marks the one that decided.\n"
          "\n"
          "  --app NAME   the policy for program NAME\n"
          "  --json       one JSON object (\"schema\": 1)\n"
          "  --root DIR, --policy FILE, -h/--help as for tlspolicy --help\n"
          "\n"
          "Keys:\n", f);
    for (int k = 0; k < TP_K__COUNT; k++)
        fprintf(f, "  %-28s %s\n", tp_key_name((tp_key)k), tp_key_doc((tp_key)k));
}

/* Does KEY select key k: the exact name, or its section. */
static int key_selected(const char *sel, tp_key k)
{
    const char *name = tp_key_name(k);
    size_t n;
    if (sel == NULL || strcmp(sel, name) == 0)
        return 1;
    n = strlen(sel);
    return strncmp(name, sel, n) == 0 && name[n] == '.';
}

/* The command line of `explain`. */
typedef struct explain_args {
    const char *app; /* --app NAME, or NULL */
    const char *sel; /* KEY, or NULL for every key */
    int json;
} explain_args;

/* Does KEY name a key or a section? If not, say so and list the keys. */
static int selection_known(cli *c, const char *sel)
{
    int found = 0;

    for (int k = 0; k < TP_K__COUNT && !found; k++)
        found = key_selected(sel, (tp_key)k);
    if (!found) {
        cli_error(c, "unknown key '%s'; the keys are:", sel);
        for (int k = 0; k < TP_K__COUNT; k++)
            fprintf(stderr, "  %s\n", tp_key_name((tp_key)k));
    }
    return found;
}

/* The command line into a; TP_EXIT_OK, or the exit status of a usage error. */
static int explain_options(cli *c, int argc, char **argv, explain_args *a)
{
    if (cli_opts_app_json(c, argc, argv, explain_help, &a->app, &a->json) != 0)
        return TP_EXIT_USAGE;
    if (optind < argc)
        a->sel = argv[optind++];
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if (a->app && !a->app[0])
        return cli_usage(c, "--app needs a program name");
    if (a->sel && !selection_known(c, a->sel))
        return TP_EXIT_USAGE;
    return TP_EXIT_OK;
}

/* Key k as text: its value, then every place that set it, '*' at the one
 * that decided. */
static void print_key_text(const view *v, tp_key k)
{
    static char buf[VALUE_MAX];
    size_t n = tp_resolved_norigins(v->r, k);

    rep_format(v->r, k, buf, sizeof(buf));
    printf("%s = %s\n", tp_key_name(k), buf);
    for (size_t i = 0; i < n; i++) {
        const tp_origin *o = tp_resolved_origin(v->r, k, i);
        char where[8192];
        rep_origin_text(o, where, sizeof(where));
        printf("  %c %s: %s\n", i + 1 == n ? '*' : ' ', esc(where), o->text ? esc(o->text) : "");
    }
}

/* The selected keys as text, a blank line between two. */
static void explain_text(const view *v, const char *sel)
{
    int first = 1;

    for (int k = 0; k < TP_K__COUNT; k++) {
        if (!key_selected(sel, (tp_key)k))
            continue;
        if (!first)
            putchar('\n');
        first = 0;
        print_key_text(v, (tp_key)k);
    }
}

/* Key k as a JSON member: its value and its origins. */
static void print_key_json(json_w *w, const view *v, tp_key k)
{
    size_t n = tp_resolved_norigins(v->r, k);

    json_key(w, tp_key_name(k));
    json_obj_begin(w);
    json_key(w, "value");
    rep_key_json(w, v->r, k);
    json_key(w, "origins");
    json_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        const tp_origin *o = tp_resolved_origin(v->r, k, i);
        json_obj_begin(w);
        json_key(w, "kind");
        json_str(w, rep_origin_kind(o->kind));
        json_key(w, "name");
        json_str(w, o->name);
        json_key(w, "file");
        json_str(w, o->file);
        json_key(w, "line");
        json_int(w, o->line);
        json_key(w, "text");
        json_str(w, o->text);
        json_key(w, "decided");
        json_bool(w, i + 1 == n);
        json_obj_end(w);
    }
    json_arr_end(w);
    json_obj_end(w);
}

/* The selected keys and the policy's diagnostics as one JSON object;
 * nonzero if the document could not be completed. */
static int explain_json(const view *v, const explain_args *a)
{
    json_w w;

    cli_json_begin(&w);
    json_key(&w, "program");
    json_str(&w, a->app);
    json_key(&w, "fallback");
    json_bool(&w, view_fallback(v));
    json_key(&w, "keys");
    json_obj_begin(&w);
    for (int k = 0; k < TP_K__COUNT; k++)
        if (key_selected(a->sel, (tp_key)k))
            print_key_json(&w, v, (tp_key)k);
    json_obj_end(&w);
    rep_policy_diags_json(&w, v->p);
    json_obj_end(&w);
    return json_finish(&w) != 0;
}

int cmd_explain(cli *c, int argc, char **argv)
{
    explain_args a = {NULL, NULL, 0};
    view v;
    int out_bad = 0; /* the JSON document could not be completed */

    int rc = explain_options(c, argc, argv, &a);
    if (rc != TP_EXIT_OK)
        return rc;
    rc = view_open(c, &v, a.app);
    if (rc != TP_EXIT_OK)
        goto out;

    if (a.json)
        out_bad = explain_json(&v, &a);
    else
        explain_text(&v, a.sel);
    rc = view_status(c, &v);
    if (out_bad && rc == TP_EXIT_OK)
        rc = TP_EXIT_PROBLEMS;
out:
    view_close(&v);
    return rc;
}
