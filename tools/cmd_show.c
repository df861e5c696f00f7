/*
 * cmd_show.c - `show`: the effective settings for one program, as text or
 * JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "esc.h"
#include "json.h"
#include "report.h"
#include "view.h"

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
    const char *n = tp_name_by_id(TP_N_GROUP, id);

    if (n != NULL)
        return n;
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

/* Text: which program, and the files and rules its policy came from. */
static void show_text_sources(const view *v)
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
}

/* Text: every key, then the OpenSSL settings and what the module applies. */
static void show_text_settings(const view *v, const tp_ossl_settings *s)
{
    static char buf[VALUE_MAX];

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
}

/* Text: one line "  LABEL NAME..." of the names of the bits in mask, or
 * " none". */
static void show_text_bits(const char *label, uint32_t mask, const char *(*name)(uint32_t))
{
    const char *names[32];
    int nn = bit_names(mask, name, names);

    printf("  %-28s", label);
    for (int i = 0; i < nn; i++)
        printf(" %s", names[i]);
    printf("%s\n", nn ? "" : " none");
}

/* Text: the floors the provider enforces. */
static void show_text_floors(const tp_floors *fl)
{
    printf("\nProvider floors:\n");
    printf("  %-28s %s\n", "mode", fl->permissive ? "permissive" : "enforce");
    printf("  %-28s %s\n", "min TLS version", version_or(fl->min_tls, "none"));
    printf("  %-28s %s\n", "min DTLS version", version_or(fl->min_dtls, "none"));
    show_text_bits("forbidden signature hashes", fl->forbidden_hashes, tp_hash_bit_name);
    show_text_bits("withheld ciphers", fl->forbidden_ciphers, tp_cipher_bit_name);
    printf("  %-28s RSA %d, DH %d, DSA %d, EC %d\n", "min key bits",
           fl->min_rsa_bits, fl->min_dh_bits, fl->min_dsa_bits, fl->min_ec_bits);
    printf("  %-28s", "allowed groups");
    for (size_t i = 0; i < fl->ngroups && i < TP_MAX_GROUPS; i++) {
        char gb[16];
        printf(" %s", group_name(fl->groups[i], gb, sizeof(gb)));
    }
    printf("%s\n", fl->ngroups ? "" : " none");
}

/* The text form of show. */
static void show_text(const view *v, const tp_ossl_settings *s, const tp_floors *fl)
{
    show_text_sources(v);
    show_text_settings(v, s);
    show_text_floors(fl);
}

/* JSON: "program", "policy_file", "dropins", "applications", "fallback". */
static void show_json_sources(json_w *w, const view *v)
{
    json_key(w, "program");
    json_str(w, v->app);
    json_key(w, "policy_file");
    json_str(w, tp_policy_file(v->p));
    json_key(w, "dropins");
    json_arr_begin(w);
    for (size_t i = 0; i < tp_policy_ndropins(v->p); i++)
        json_str(w, tp_policy_dropin(v->p, i));
    json_arr_end(w);
    json_key(w, "applications");
    json_arr_begin(w);
    for (size_t i = 0; i < tp_resolved_napps(v->r); i++) {
        const char *file = NULL;
        int line = 0;
        const char *m = tp_policy_app_match(v->p, tp_resolved_app(v->r, i), &file, &line);
        json_obj_begin(w);
        json_key(w, "match");
        json_str(w, m);
        json_key(w, "file");
        json_str(w, file);
        json_key(w, "line");
        json_int(w, line);
        json_obj_end(w);
    }
    json_arr_end(w);
    json_key(w, "fallback");
    json_bool(w, view_fallback(v));
}

/* JSON: "openssl" (the ssl_conf commands) and "module" (what the config
 * module applies). */
static void show_json_settings(json_w *w, const tp_ossl_settings *s)
{
    json_key(w, "openssl");
    json_obj_begin(w);
    for (size_t i = 0; i < s->ncmds; i++) {
        json_key(w, s->cmds[i].cmd);
        json_str(w, s->cmds[i].value);
    }
    json_obj_end(w);

    json_key(w, "module");
    json_obj_begin(w);
    json_key(w, "security_level");
    json_int(w, s->security_level);
    json_key(w, "verify_peer");
    json_str(w, verify_name(s->verify_peer));
    json_key(w, "ca_file");
    json_str(w, s->ca_file);
    json_key(w, "ca_path");
    json_str(w, s->ca_path);
    json_obj_end(w);
}

/* JSON: key, then an array of the names of the bits in mask. */
static void show_json_bits(json_w *w, const char *key, uint32_t mask, const char *(*name)(uint32_t))
{
    const char *names[32];
    int nn = bit_names(mask, name, names);

    json_key(w, key);
    json_arr_begin(w);
    for (int i = 0; i < nn; i++)
        json_str(w, names[i]);
    json_arr_end(w);
}

/* JSON: "floors", the floors the provider enforces. */
static void show_json_floors(json_w *w, const tp_floors *fl)
{
    json_key(w, "floors");
    json_obj_begin(w);
    json_key(w, "permissive");
    json_bool(w, fl->permissive);
    json_key(w, "min_tls");
    json_str(w, fl->min_tls ? tp_version_name(fl->min_tls) : NULL);
    json_key(w, "min_dtls");
    json_str(w, fl->min_dtls ? tp_version_name(fl->min_dtls) : NULL);
    show_json_bits(w, "forbidden_hashes", fl->forbidden_hashes, tp_hash_bit_name);
    show_json_bits(w, "forbidden_ciphers", fl->forbidden_ciphers, tp_cipher_bit_name);
    json_key(w, "min_rsa_bits");
    json_int(w, fl->min_rsa_bits);
    json_key(w, "min_dh_bits");
    json_int(w, fl->min_dh_bits);
    json_key(w, "min_dsa_bits");
    json_int(w, fl->min_dsa_bits);
    json_key(w, "min_ec_bits");
    json_int(w, fl->min_ec_bits);
    json_key(w, "groups");
    json_arr_begin(w);
    for (size_t i = 0; i < fl->ngroups && i < TP_MAX_GROUPS; i++) {
        char gb[16];
        json_str(w, group_name(fl->groups[i], gb, sizeof(gb)));
    }
    json_arr_end(w);
    json_obj_end(w);
}

/* The JSON form of show. 0, or -1 if the document could not be completed
 * (json_finish). */
static int show_json(const view *v, const tp_ossl_settings *s, const tp_floors *fl)
{
    json_w w;
    cli_json_begin(&w);
    show_json_sources(&w, v);
    rep_keys_json(&w, v->r);
    show_json_settings(&w, s);
    show_json_floors(&w, fl);

    rep_policy_diags_json(&w, v->p);
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
