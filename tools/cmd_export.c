/*
 * cmd_export.c - `export gnutls`: the effective policy as another TLS
 * library's system configuration. GnuTLS only, for now (NSS and Java have
 * no system-wide hook on Debian: see tlspolicy(7)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gnutls_wire.h"
#include "json.h"
#include "report.h"

static void export_help(FILE *f)
{
    fputs("Usage: tlspolicy export gnutls [--app NAME] [--json]\n"
          "\n"
          "Print the GnuTLS system configuration (" GW_CONFIG ") for the effective\n"
          "policy, in blocklist mode: every version, cipher, MAC, key exchange, group\n"
          "and curve the installed GnuTLS knows minus what the policy allows, hashes\n"
          "the policy forbids as insecure, a default priority string in the policy's\n"
          "order, and a certificate verification profile from the key floors. Names\n"
          "come from " GW_SONAME " when it can be loaded, else from a table of\n"
          "GnuTLS 3.7 (the file's comments say which). What GnuTLS cannot express\n"
          "(peer verification, per-program rules, exact key sizes) is listed in the\n"
          "file's comments. `tlspolicy enable` installs it.\n"
          "\n"
          "  --app NAME  render the policy as program NAME gets it (GnuTLS itself has\n"
          "              one file for every program)\n"
          "  --json      the same as a JSON object (schema 1)\n"
          "\n"
          "Exit status: 0 printed, 1 the policy has errors (the built-in DEFAULT is\n"
          "rendered), 2 usage error, 3 the policy could not be loaded.\n",
          f);
}

static void json_conf(json_w *w, const tp_gnutls_conf *conf, const gw_lib *g, const char *app,
                      const char *text, int fallback)
{
    json_obj_begin(w);
    json_key(w, "schema");
    json_int(w, 1);
    json_key(w, "library");
    json_str(w, "gnutls");
    json_key(w, "app");
    if (app)
        json_str(w, app);
    else
        json_null(w);
    json_key(w, "file");
    json_str(w, GW_CONFIG);
    json_key(w, "names_from");
    json_str(w, g->source);
    json_key(w, "names_from_library");
    json_bool(w, g->from_library);
    json_key(w, "fallback");
    json_bool(w, fallback);
    json_key(w, "mode");
    json_str(w, "blocklist");
    json_key(w, "default_priority_string");
    json_str(w, conf->priority);
    json_key(w, "min_verification_profile");
    if (conf->profile)
        json_str(w, conf->profile);
    else
        json_null(w);
    json_key(w, "overrides");
    json_obj_begin(w);
    for (int k = 0; k < TP_GK__COUNT; k++) {
        json_key(w, tp_gnutls_key_name((tp_gnutls_key)k));
        json_arr_begin(w);
        for (size_t i = 0; i < conf->nvalues[k]; i++)
            json_str(w, conf->values[k][i]);
        json_arr_end(w);
    }
    json_obj_end(w);
    json_key(w, "not_expressible");
    json_arr_begin(w);
    for (size_t i = 0; i < conf->nnotes; i++)
        json_str(w, conf->notes[i]);
    json_arr_end(w);
    json_key(w, "text");
    json_str(w, text);
    json_obj_end(w);
}

/* One run of export: what was asked, the policy and the rendered file
 * (export_run_free). */
typedef struct export_run {
    const char *app; /* --app NAME, or NULL */
    int json;        /* --json */
    tp_policy *p;
    tp_resolved *r; /* the policy as app gets it */
    int fallback;   /* the policy has errors: the built-in DEFAULT */
    gw_lib g;       /* the names GnuTLS knows */
    char *text;     /* the file, or NULL */
} export_run;

/* The options and the library. -1 to go on, else the exit status. */
static int export_args(cli *c, int argc, char **argv, export_run *x)
{
    if (cli_opts_app_json(c, argc, argv, export_help, &x->app, &x->json) != 0)
        return TP_EXIT_USAGE;
    if (optind >= argc)
        return cli_usage(c, "which library? (gnutls)");
    if (strcmp(argv[optind], "gnutls") != 0)
        return cli_usage(c, "cannot export for '%s': only gnutls (NSS and Java have no "
                         "system-wide hook here)", argv[optind]);
    if (optind + 1 < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind + 1]);
    if (x->app && !x->app[0])
        return cli_usage(c, "--app needs a program name");
    return -1;
}

/* Load the policy and resolve it for the program, saying so when it is
 * the built-in DEFAULT. 0, or -1 after the error. */
static int export_resolve(cli *c, export_run *x)
{
    tp_err lerr = TP_OK, rerr = TP_OK;
    if (cli_resolve_opts(c) != 0)
        return -1;
    x->p = cli_load(c, &lerr);
    if (x->p == NULL)
        return -1;
    const char *name, *exe;
    cli_program(x->app, &name, &exe);
    x->r = tp_policy_resolve(x->p, name, exe, &rerr);
    if (x->r == NULL) {
        cli_error(c, "cannot resolve the policy: %s", tp_strerror(rerr));
        return -1;
    }
    x->fallback = tp_resolved_is_fallback(x->r);
    if (x->fallback) {
        rep_policy_diags_text(stderr, x->p);
        cli_error(c, "the policy has errors: rendering the built-in DEFAULT, as programs get");
    }
    return 0;
}

/* Render the file with the names GnuTLS knows and print it, as text or
 * JSON. The exit status. */
static int export_print(cli *c, export_run *x)
{
    gw_lib_load(&x->g);
    if (!x->g.from_library)
        fprintf(stderr, "tlspolicy export: note: %s cannot be loaded; names from the static "
                "table of GnuTLS 3.7\n", GW_SONAME);
    tp_gnutls_conf conf;
    x->text = gw_render(x->r, &x->g, x->app, x->app ? 0 : tp_policy_napps(x->p), &conf);
    int rc = x->fallback ? TP_EXIT_PROBLEMS : TP_EXIT_OK;
    if (x->text == NULL) {
        cli_error(c, "%s", tp_strerror(TP_ERR_NOMEM));
        rc = TP_EXIT_LOAD;
    } else if (x->json) {
        json_w w;
        json_init(&w, stdout, 1);
        json_conf(&w, &conf, &x->g, x->app, x->text, x->fallback);
        if (json_finish(&w) != 0)
            rc = TP_EXIT_PROBLEMS;
        tp_gnutls_conf_clear(&conf);
    } else {
        fputs(x->text, stdout);
        tp_gnutls_conf_clear(&conf);
    }
    return rc;
}

/* Free what a run holds. */
static void export_run_free(export_run *x)
{
    free(x->text);
    gw_lib_free(&x->g);
    tp_resolved_free(x->r);
    tp_policy_free(x->p);
}

int cmd_export(cli *c, int argc, char **argv)
{
    export_run x;
    memset(&x, 0, sizeof(x));
    int rc = export_args(c, argc, argv, &x);
    if (rc != -1)
        return rc;
    rc = TP_EXIT_LOAD;
    if (export_resolve(c, &x) != 0)
        goto out;
    rc = export_print(c, &x);
out:
    export_run_free(&x);
    return rc;
}
