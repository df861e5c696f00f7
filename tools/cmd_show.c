/*
 * cmd_show.c - `show`, `explain` and `list`: what the policy says, where
 * each value comes from, and which profiles and modifiers exist.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libconfig.h>
#include <openssl/crypto.h>

#include "cli.h"
#include "esc.h"
#include "json.h"
#include "names.h"
#include "report.h"
#include "tp_config.h"

#define VALUE_MAX 16384

/* ---- loading and resolving for one program -------------------------------- */

typedef struct view {
    tp_policy *p;
    tp_resolved *r;
    const char *name, *exe;  /* program, NULL/NULL for system-wide */
    const char *app;         /* --app as given */
    tp_err load_err;
} view;

/* Load and resolve; returns TP_EXIT_OK, or TP_EXIT_LOAD if nothing could be
 * resolved at all (out of memory). */
static int view_open(cli *c, view *v, const char *app)
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

static void view_close(view *v)
{
    tp_resolved_free(v->r);
    tp_policy_free(v->p);
}

/* Programs get the compiled-in DEFAULT because the policy is broken. */
static int view_fallback(const view *v)
{
    return tp_policy_is_fallback(v->p) || tp_resolved_is_fallback(v->r);
}

/* On fallback the problems go to stderr; the exit status says 3. */
static int view_status(cli *c, const view *v)
{
    if (!view_fallback(v))
        return TP_EXIT_OK;
    rep_policy_diags_text(stderr, v->p);
    cli_error(c, "the policy could not be loaded (%s); programs get the compiled-in DEFAULT",
              tp_strerror(v->load_err != TP_OK ? v->load_err : TP_ERR_INVALID));
    return TP_EXIT_LOAD;
}

/* ---- names of floor bits ---------------------------------------------------- */

/* The names (policy/names.c: the policy language's) of the bits set in
 * mask, in bit order; name(bit) is tp_hash_bit_name or tp_cipher_bit_name. */
static int bit_names(uint32_t mask, const char *(*name)(uint32_t), const char *out[32])
{
    int n = 0;
    for (int b = 0; b < 32; b++) {
        const char *s = (mask >> b) & 1u ? name(1u << b) : NULL;
        if (s != NULL)
            out[n++] = s;
    }
    return n;
}

static const char *group_name(uint16_t id, char *buf, size_t len)
{
    for (size_t i = 0; i < tp_ngroups; i++)
        if (tp_groups[i].id == id)
            return tp_groups[i].iana;
    snprintf(buf, len, "0x%04x", id);
    return buf;
}

static const char *version_or(long v, const char *none)
{
    const char *s = v ? tp_version_name(v) : NULL;
    return s ? s : none;
}

static const char *verify_name(int v)
{
    return v == 2 ? "required" : v == 1 ? "optional" : "none";
}

/* ---- show ------------------------------------------------------------------- */

static void show_help(FILE *f)
{
    fputs("Usage: tlspolicy show [--app NAME] [--json]\n"
          "\n"
          "The effective policy for the system, or for the program NAME (a base\n"
          "name such as 'curl', or an absolute executable path): where it was\n"
          "read from, every key, the OpenSSL settings it renders to and the\n"
          "floors the provider enforces.\n"
          "\n"
          "  --app NAME   the policy for program NAME\n"
          "  --json       one JSON object (\"schema\": 1)\n"
          "  --root DIR, --policy FILE, -h/--help as for tlspolicy --help\n"
          "\n"
          "Exit status: 0, or 3 if the policy could not be loaded (the compiled-in\n"
          "DEFAULT that programs then get is shown, the problems go to stderr).\n",
          f);
}

static void show_text(const view *v, const tp_ossl_settings *s, const tp_floors *fl)
{
    static char buf[VALUE_MAX];
    const char *file = tp_policy_file(v->p);

    printf("Program: %s\n", v->app ? esc(v->app) : "(system-wide)");
    printf("Policy file: %s\n", file ? esc(file) : "compiled-in DEFAULT");
    if (tp_policy_ndropins(v->p) == 0)
        printf("Drop-ins: none\n");
    for (size_t i = 0; i < tp_policy_ndropins(v->p); i++)
        printf("Drop-in: %s\n", esc(tp_policy_dropin(v->p, i)));
    if (v->app && tp_resolved_napps(v->r) == 0)
        printf("Application rules: none match\n");
    for (size_t i = 0; i < tp_resolved_napps(v->r); i++) {
        rep_app_text(v->p, tp_resolved_app(v->r, i), buf, sizeof(buf));
        printf("Application rule: %s\n", esc(buf));
    }
    if (view_fallback(v))
        printf("Fallback: the policy has errors; programs get the compiled-in DEFAULT\n");

    printf("\nPolicy:\n");
    for (int k = 0; k < TP_K__COUNT; k++) {
        rep_format(v->r, (tp_key)k, buf, sizeof(buf));
        printf("  %-28s %s", tp_key_name((tp_key)k), buf);
        if (k == TP_K_TLS_SECLEVEL && tp_resolved_get_int(v->r, TP_K_TLS_SECLEVEL) < 0)
            printf(" (derived: %d)", s->security_level);
        putchar('\n');
    }

    printf("\nOpenSSL settings (ssl_conf system_default):\n");
    for (size_t i = 0; i < s->ncmds; i++)
        printf("  %s = %s\n", s->cmds[i].cmd, s->cmds[i].value ? esc(s->cmds[i].value) : "");
    printf("\nApplied by the config module:\n");
    printf("  %-28s %d\n", "security level", s->security_level);
    printf("  %-28s %s\n", "verify peer",
           s->verify_peer ? verify_name(s->verify_peer) : "none (left to the program)");
    printf("  %-28s %s\n", "CA file", s->ca_file ? esc(s->ca_file) : "(system default)");
    printf("  %-28s %s\n", "CA path", s->ca_path ? esc(s->ca_path) : "(system default)");

    printf("\nProvider floors:\n");
    printf("  %-28s %s\n", "mode", fl->permissive ? "permissive" : "enforce");
    printf("  %-28s %s\n", "min TLS version", version_or(fl->min_tls, "none"));
    printf("  %-28s %s\n", "min DTLS version", version_or(fl->min_dtls, "none"));
    printf("  %-28s", "forbidden signature hashes");
    const char *names[32];
    int nn = bit_names(fl->forbidden_hashes, tp_hash_bit_name, names);
    for (int i = 0; i < nn; i++)
        printf(" %s", names[i]);
    printf("%s\n", nn ? "" : " none");
    printf("  %-28s", "withheld ciphers");
    nn = bit_names(fl->forbidden_ciphers, tp_cipher_bit_name, names);
    for (int i = 0; i < nn; i++)
        printf(" %s", names[i]);
    printf("%s\n", nn ? "" : " none");
    printf("  %-28s RSA %d, DH %d, DSA %d, EC %d\n", "min key bits",
           fl->min_rsa_bits, fl->min_dh_bits, fl->min_dsa_bits, fl->min_ec_bits);
    printf("  %-28s", "allowed groups");
    for (size_t i = 0; i < fl->ngroups && i < TP_MAX_GROUPS; i++) {
        char gb[16];
        printf(" %s", group_name(fl->groups[i], gb, sizeof(gb)));
    }
    printf("%s\n", fl->ngroups ? "" : " none");
}

/* 0, or -1 if the document could not be completed (json_finish). */
static int show_json(const view *v, const tp_ossl_settings *s, const tp_floors *fl)
{
    json_w w;
    json_init(&w, stdout, 1);
    json_obj_begin(&w);
    json_key(&w, "schema");
    json_int(&w, TP_SCHEMA_VERSION);
    json_key(&w, "program");
    json_str(&w, v->app);
    json_key(&w, "policy_file");
    json_str(&w, tp_policy_file(v->p));
    json_key(&w, "dropins");
    json_arr_begin(&w);
    for (size_t i = 0; i < tp_policy_ndropins(v->p); i++)
        json_str(&w, tp_policy_dropin(v->p, i));
    json_arr_end(&w);
    json_key(&w, "applications");
    json_arr_begin(&w);
    for (size_t i = 0; i < tp_resolved_napps(v->r); i++) {
        const char *file = NULL;
        int line = 0;
        const char *m = tp_policy_app_match(v->p, tp_resolved_app(v->r, i), &file, &line);
        json_obj_begin(&w);
        json_key(&w, "match");
        json_str(&w, m);
        json_key(&w, "file");
        json_str(&w, file);
        json_key(&w, "line");
        json_int(&w, line);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    json_key(&w, "fallback");
    json_bool(&w, view_fallback(v));

    rep_keys_json(&w, v->r);

    json_key(&w, "openssl");
    json_obj_begin(&w);
    for (size_t i = 0; i < s->ncmds; i++) {
        json_key(&w, s->cmds[i].cmd);
        json_str(&w, s->cmds[i].value);
    }
    json_obj_end(&w);

    json_key(&w, "module");
    json_obj_begin(&w);
    json_key(&w, "security_level");
    json_int(&w, s->security_level);
    json_key(&w, "verify_peer");
    json_str(&w, verify_name(s->verify_peer));
    json_key(&w, "ca_file");
    json_str(&w, s->ca_file);
    json_key(&w, "ca_path");
    json_str(&w, s->ca_path);
    json_obj_end(&w);

    json_key(&w, "floors");
    json_obj_begin(&w);
    json_key(&w, "permissive");
    json_bool(&w, fl->permissive);
    json_key(&w, "min_tls");
    json_str(&w, fl->min_tls ? tp_version_name(fl->min_tls) : NULL);
    json_key(&w, "min_dtls");
    json_str(&w, fl->min_dtls ? tp_version_name(fl->min_dtls) : NULL);
    json_key(&w, "forbidden_hashes");
    json_arr_begin(&w);
    const char *names[32];
    int nn = bit_names(fl->forbidden_hashes, tp_hash_bit_name, names);
    for (int i = 0; i < nn; i++)
        json_str(&w, names[i]);
    json_arr_end(&w);
    json_key(&w, "forbidden_ciphers");
    json_arr_begin(&w);
    nn = bit_names(fl->forbidden_ciphers, tp_cipher_bit_name, names);
    for (int i = 0; i < nn; i++)
        json_str(&w, names[i]);
    json_arr_end(&w);
    json_key(&w, "min_rsa_bits");
    json_int(&w, fl->min_rsa_bits);
    json_key(&w, "min_dh_bits");
    json_int(&w, fl->min_dh_bits);
    json_key(&w, "min_dsa_bits");
    json_int(&w, fl->min_dsa_bits);
    json_key(&w, "min_ec_bits");
    json_int(&w, fl->min_ec_bits);
    json_key(&w, "groups");
    json_arr_begin(&w);
    for (size_t i = 0; i < fl->ngroups && i < TP_MAX_GROUPS; i++) {
        char gb[16];
        json_str(&w, group_name(fl->groups[i], gb, sizeof(gb)));
    }
    json_arr_end(&w);
    json_obj_end(&w);

    json_key(&w, "diagnostics");
    json_arr_begin(&w);
    for (size_t i = 0; i < tp_policy_ndiags(v->p); i++) {
        const tp_diag *d = tp_policy_diag(v->p, i);
        rep_diag_json(&w, d->severity, d->file, d->line, d->message);
    }
    json_arr_end(&w);
    json_obj_end(&w);
    return json_finish(&w);
}

int cmd_show(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"app", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    const char *app = NULL;
    int json = 0, ch;

    while ((ch = cli_getopt(c, argc, argv, "a:j", longopts, show_help)) != -1) {
        switch (ch) {
        case 'a': app = optarg; break;
        case 'j': json = 1; break;
        default: return TP_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if (app && !app[0])
        return cli_usage(c, "--app needs a program name");

    view v;
    int rc = view_open(c, &v, app);
    if (rc != TP_EXIT_OK) {
        view_close(&v);
        return rc;
    }

    tp_ossl_settings s;
    tp_floors fl;
    memset(&s, 0, sizeof(s));
    memset(&fl, 0, sizeof(fl));
    tp_err e1 = tp_render_ossl(v.r, OpenSSL_version_num(), &s);
    tp_err e2 = tp_render_floors(v.r, &fl);
    if (e1 != TP_OK || e2 != TP_OK) {
        cli_error(c, "cannot render the policy: %s", tp_strerror(e1 != TP_OK ? e1 : e2));
        tp_ossl_settings_clear(&s);
        view_close(&v);
        return TP_EXIT_LOAD;
    }
    int out_bad = 0;
    if (json)
        out_bad = show_json(&v, &s, &fl) != 0;
    else
        show_text(&v, &s, &fl);
    rc = view_status(c, &v);
    if (out_bad && rc == TP_EXIT_OK)
        rc = TP_EXIT_PROBLEMS;
    tp_ossl_settings_clear(&s);
    view_close(&v);
    return rc;
}

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

int cmd_explain(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"app", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    const char *app = NULL, *sel = NULL;
    int json = 0, ch;

    while ((ch = cli_getopt(c, argc, argv, "a:j", longopts, explain_help)) != -1) {
        switch (ch) {
        case 'a': app = optarg; break;
        case 'j': json = 1; break;
        default: return TP_EXIT_USAGE;
        }
    }
    if (optind < argc)
        sel = argv[optind++];
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if (app && !app[0])
        return cli_usage(c, "--app needs a program name");
    if (sel) {
        int found = 0;
        for (int k = 0; k < TP_K__COUNT && !found; k++)
            found = key_selected(sel, (tp_key)k);
        if (!found) {
            cli_error(c, "unknown key '%s'; the keys are:", sel);
            for (int k = 0; k < TP_K__COUNT; k++)
                fprintf(stderr, "  %s\n", tp_key_name((tp_key)k));
            return TP_EXIT_USAGE;
        }
    }

    view v;
    int rc = view_open(c, &v, app);
    if (rc != TP_EXIT_OK) {
        view_close(&v);
        return rc;
    }

    static char buf[VALUE_MAX];
    json_w w;
    int out_bad = 0; /* the JSON document could not be completed */
    if (json) {
        json_init(&w, stdout, 1);
        json_obj_begin(&w);
        json_key(&w, "schema");
        json_int(&w, TP_SCHEMA_VERSION);
        json_key(&w, "program");
        json_str(&w, app);
        json_key(&w, "fallback");
        json_bool(&w, view_fallback(&v));
        json_key(&w, "keys");
        json_obj_begin(&w);
    }
    int first = 1;
    for (int k = 0; k < TP_K__COUNT; k++) {
        if (!key_selected(sel, (tp_key)k))
            continue;
        size_t n = tp_resolved_norigins(v.r, (tp_key)k);
        if (json) {
            json_key(&w, tp_key_name((tp_key)k));
            json_obj_begin(&w);
            json_key(&w, "value");
            rep_key_json(&w, v.r, (tp_key)k);
            json_key(&w, "origins");
            json_arr_begin(&w);
            for (size_t i = 0; i < n; i++) {
                const tp_origin *o = tp_resolved_origin(v.r, (tp_key)k, i);
                json_obj_begin(&w);
                json_key(&w, "kind");
                json_str(&w, rep_origin_kind(o->kind));
                json_key(&w, "name");
                json_str(&w, o->name);
                json_key(&w, "file");
                json_str(&w, o->file);
                json_key(&w, "line");
                json_int(&w, o->line);
                json_key(&w, "text");
                json_str(&w, o->text);
                json_key(&w, "decided");
                json_bool(&w, i + 1 == n);
                json_obj_end(&w);
            }
            json_arr_end(&w);
            json_obj_end(&w);
            continue;
        }
        if (!first)
            putchar('\n');
        first = 0;
        rep_format(v.r, (tp_key)k, buf, sizeof(buf));
        printf("%s = %s\n", tp_key_name((tp_key)k), buf);
        for (size_t i = 0; i < n; i++) {
            const tp_origin *o = tp_resolved_origin(v.r, (tp_key)k, i);
            char where[8192];
            rep_origin_text(o, where, sizeof(where));
            printf("  %c %s: %s\n", i + 1 == n ? '*' : ' ', esc(where),
                   o->text ? esc(o->text) : "");
        }
    }
    if (json) {
        json_obj_end(&w);
        json_key(&w, "diagnostics");
        json_arr_begin(&w);
        for (size_t i = 0; i < tp_policy_ndiags(v.p); i++) {
            const tp_diag *d = tp_policy_diag(v.p, i);
            rep_diag_json(&w, d->severity, d->file, d->line, d->message);
        }
        json_arr_end(&w);
        json_obj_end(&w);
        out_bad = json_finish(&w) != 0;
    }
    rc = view_status(c, &v);
    if (out_bad && rc == TP_EXIT_OK)
        rc = TP_EXIT_PROBLEMS;
    view_close(&v);
    return rc;
}

/* ---- list ------------------------------------------------------------------- */

typedef struct entry {
    char *name;
    char *file;
    char *description;
    int local;  /* from the /etc override directory */
    int in_use;
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
} entries;

/* Profile files are small; anything bigger is not worth parsing here. */
#define DESC_MAX_FILE (256 * 1024)

/* The one-line `description = "...";` of a profile or modifier file. */
static char *read_description(const char *path)
{
    struct stat st;
    config_t cfg;
    const char *s = NULL;
    char *out;

    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return cli_join("(unreadable)", "");
    if (st.st_size > DESC_MAX_FILE)
        return cli_join("(file too large)", "");
    config_init(&cfg);
    if (config_read_file(&cfg, path) != CONFIG_TRUE) {
        char msg[512];
        snprintf(msg, sizeof(msg), "(invalid: line %d: %s)", config_error_line(&cfg),
                 config_error_text(&cfg) ? config_error_text(&cfg) : "?");
        config_destroy(&cfg);
        return cli_join(msg, "");
    }
    if (config_lookup_string(&cfg, "description", &s) != CONFIG_TRUE || !s)
        s = "";
    out = cli_join(s, "");
    config_destroy(&cfg);
    /* one line: a description that spans lines is cut at the first */
    out[strcspn(out, "\r\n")] = '\0';
    return out;
}

static void scan_dir(entries *es, const char *dir, int local)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
            continue;
        char *name = cli_join(de->d_name, "");
        name[len - 5] = '\0';
        int dup = 0;
        for (size_t i = 0; i < es->n && !dup; i++)
            dup = strcmp(es->v[i].name, name) == 0; /* an earlier dir overrides */
        if (dup) {
            free(name);
            continue;
        }
        if (es->n == es->cap) {
            size_t cap = es->cap ? es->cap * 2 : 16;
            entry *nv = realloc(es->v, cap * sizeof(*nv));
            if (nv == NULL) {
                free(name);
                break;
            }
            es->v = nv;
            es->cap = cap;
        }
        entry *e = &es->v[es->n++];
        char *withslash = cli_join(dir, "/");
        e->name = name;
        e->file = cli_join(withslash, de->d_name);
        free(withslash);
        e->description = read_description(e->file);
        e->local = local;
        e->in_use = 0;
    }
    closedir(d);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static void entries_free(entries *es)
{
    for (size_t i = 0; i < es->n; i++) {
        free(es->v[i].name);
        free(es->v[i].file);
        free(es->v[i].description);
    }
    free(es->v);
}

/* Mark the profile (part 0 of "DEFAULT:NO-CBC") or the modifiers in use. */
static void mark_in_use(entries *es, const char *spec, int modifiers)
{
    char *copy, *save = NULL;
    int part = 0;

    if (spec == NULL)
        return;
    copy = cli_join(spec, "");
    for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save), part++) {
        if ((part == 0) == (modifiers != 0))
            continue;
        for (size_t i = 0; i < es->n; i++)
            if (strcasecmp(es->v[i].name, t) == 0)
                es->v[i].in_use = 1;
    }
    free(copy);
}

static void list_help(FILE *f)
{
    fputs("Usage: tlspolicy list [--json]\n"
          "\n"
          "The profiles and modifiers that exist, with their description; '*' marks\n"
          "those the system-wide policy uses. A file in " TP_ETCDIR "/profiles\n"
          "(or modifiers) overrides the shipped one of the same name.\n"
          "\n"
          "  --json       one JSON object (\"schema\": 1)\n"
          "  --root DIR, --policy FILE, -h/--help as for tlspolicy --help\n", f);
}

static void list_text(const char *title, const entries *es)
{
    int width = 0;
    printf("%s:\n", title);
    for (size_t i = 0; i < es->n; i++)
        if ((int)strlen(es->v[i].name) > width)
            width = (int)strlen(es->v[i].name);
    for (size_t i = 0; i < es->n; i++) {
        const entry *e = &es->v[i];
        printf("%c %-*s  %s%s\n", e->in_use ? '*' : ' ', width, e->name, e->description,
               e->local ? " (local)" : "");
    }
    if (es->n == 0)
        printf("  (none found)\n");
}

static void list_json(json_w *w, const char *key, const entries *es)
{
    json_key(w, key);
    json_arr_begin(w);
    for (size_t i = 0; i < es->n; i++) {
        const entry *e = &es->v[i];
        json_obj_begin(w);
        json_key(w, "name");
        json_str(w, e->name);
        json_key(w, "description");
        json_str(w, e->description);
        json_key(w, "file");
        json_str(w, e->file);
        json_key(w, "local");
        json_bool(w, e->local);
        json_key(w, "in_use");
        json_bool(w, e->in_use);
        json_obj_end(w);
    }
    json_arr_end(w);
}

int cmd_list(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int json = 0, ch;

    while ((ch = cli_getopt(c, argc, argv, "j", longopts, list_help)) != -1) {
        switch (ch) {
        case 'j': json = 1; break;
        default: return TP_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);

    view v;
    int rc = view_open(c, &v, NULL);
    entries profiles = {0}, modifiers = {0};
    for (int i = 0; i < CLI_NDIRS; i++) {
        scan_dir(&profiles, c->profile_dirs[i], i == 0);
        scan_dir(&modifiers, c->modifier_dirs[i], i == 0);
    }
    qsort(profiles.v, profiles.n, sizeof(entry), entry_cmp);
    qsort(modifiers.v, modifiers.n, sizeof(entry), entry_cmp);
    if (rc == TP_EXIT_OK) {
        const char *spec = tp_resolved_get_str(v.r, TP_K_PROFILE);
        mark_in_use(&profiles, spec, 0);
        mark_in_use(&modifiers, spec, 1);
    }

    if (json) {
        json_w w;
        json_init(&w, stdout, 1);
        json_obj_begin(&w);
        json_key(&w, "schema");
        json_int(&w, TP_SCHEMA_VERSION);
        json_key(&w, "profile");
        json_str(&w, v.r ? tp_resolved_get_str(v.r, TP_K_PROFILE) : NULL);
        list_json(&w, "profiles", &profiles);
        list_json(&w, "modifiers", &modifiers);
        json_obj_end(&w);
        if (json_finish(&w) != 0 && rc == TP_EXIT_OK)
            rc = TP_EXIT_PROBLEMS;
    } else {
        list_text("Profiles", &profiles);
        list_text("Modifiers", &modifiers);
    }
    entries_free(&profiles);
    entries_free(&modifiers);
    view_close(&v);
    /* The listing is printed whatever state the policy is in; the exit
     * status still says whether it loaded. */
    return rc;
}
