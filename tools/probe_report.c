/*
 * probe_report.c - `probe` for people and for programs: the text report and
 * the JSON object ("schema": 1, keys documented in tlspolicy(1)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_gnutls.h"
#include "cli.h"
#include "json.h"
#include "esc.h"
#include "probe_int.h"

/* The settings compared between the measured and the reference process:
 * cmd_probe.c counts the differences, the report prints them. */
const cmp_item probe_cmp_items[] = {
    {"client", "min_version", "client minimum version"},
    {"client", "max_version", "client maximum version"},
    {"client", "ciphers", "client TLS 1.2 cipher list"},
    {"client", "ciphersuites", "client TLS 1.3 suites"},
    {"client", "security_level", "client security level"},
    {"server", "min_version", "server minimum version"},
    {"server", "max_version", "server maximum version"},
    {"server", "ciphers", "server TLS 1.2 cipher list"},
    {"server", "ciphersuites", "server TLS 1.3 suites"},
    {"server", "security_level", "server security level"},
    {"hello", "versions", "versions offered (ClientHello)"},
    {"hello", "groups", "groups offered (ClientHello)"},
    {"hello", "sigalgs", "signature algorithms offered (ClientHello)"},
};
_Static_assert(sizeof(probe_cmp_items) / sizeof(probe_cmp_items[0]) == NCMP, "NCMP");

const char *probe_cmp_value(const child_out *o, const cmp_item *it)
{
    if (strcmp(it->side, "hello") == 0)
        return probe_find(o, "hello", it->key, NULL, 2);
    return probe_setting(o, it->side, it->key);
}

static void list_json(json_w *w, const char *v)
{
    json_arr_begin(w);
    while (v && *v) {
        size_t n = strcspn(v, ":");
        json_strn(w, v, n);
        v += n;
        if (*v == ':')
            v++;
    }
    json_arr_end(w);
}

/* One ClientHello id (hex) of list `key` as its IANA name. */
static const char *hello_name(const char *key, unsigned id, char *hex, size_t len)
{
    const char *n = NULL;

    if (strcmp(key, "groups") == 0)
        n = tp_name_by_id(TP_N_GROUP, id);
    else if (strcmp(key, "sigalgs") == 0)
        n = tp_name_by_id(TP_N_SIGALG, id);
    else
        n = tp_version_name((long)id);
    if (n != NULL)
        return n;
    snprintf(hex, len, "0x%04x", id);
    return hex;
}

/* Hex ids of the ClientHello as names: a JSON array, or text. */
static void hello_names(json_w *w, const char *key, const char *v)
{
    char hex[16];
    int first = 1;
    if (w)
        json_arr_begin(w);
    while (v && *v) {
        const char *name = hello_name(key, (unsigned)strtoul(v, NULL, 16), hex, sizeof(hex));
        if (w)
            json_str(w, name);
        else
            printf("%s%s", first ? "" : ", ", esc(name));
        first = 0;
        v += strcspn(v, ":");
        if (*v == ':')
            v++;
    }
    if (w)
        json_arr_end(w);
}

static void settings_json(json_w *w, const child_out *o)
{
    const char *sides[] = {"client", "server"};
    for (int s = 0; s < 2; s++) {
        json_key(w, sides[s]);
        if (probe_setting(o, sides[s], "min_version") == NULL) {
            json_null(w);
            continue;
        }
        json_obj_begin(w);
        json_key(w, "min_version");
        json_str(w, probe_setting(o, sides[s], "min_version"));
        json_key(w, "max_version");
        json_str(w, probe_setting(o, sides[s], "max_version"));
        json_key(w, "ciphers");
        list_json(w, probe_setting(o, sides[s], "ciphers"));
        json_key(w, "ciphersuites");
        list_json(w, probe_setting(o, sides[s], "ciphersuites"));
        const char *lv = probe_setting(o, sides[s], "security_level");
        const char *vm = probe_setting(o, sides[s], "verify_mode");
        json_key(w, "security_level");
        json_int(w, lv ? atol(lv) : -1);
        json_key(w, "verify_mode");
        json_int(w, vm ? atol(vm) : -1);
        json_obj_end(w);
    }
    json_key(w, "client_hello");
    json_obj_begin(w);
    const char *keys[] = {"versions", "groups", "sigalgs"};
    const char *jkeys[] = {"versions", "groups", "signature_algorithms"};
    for (int i = 0; i < 3; i++) {
        json_key(w, jkeys[i]);
        hello_names(w, keys[i], probe_find(o, "hello", keys[i], NULL, 2));
    }
    json_obj_end(w);
}

/* What the process is and loaded: program, files, module, providers. */
static void process_json(json_w *w, const probe_ctx *pc)
{
    json_key(w, "program");
    json_str(w, pc->app);
    json_key(w, "openssl_conf");
    json_str(w, pc->cnf);
    json_key(w, "policy_file");
    json_str(w, pc->policy_file);
    json_key(w, "fallback");
    json_bool(w, pc->fallback);
    json_key(w, "module");
    json_str(w, probe_find(&pc->m, "module", NULL, NULL, 1));
    json_key(w, "providers");
    json_arr_begin(w);
    for (int i = 0; i < pc->m.n; i++)
        if (strcmp(pc->m.r[i].f[0], "provider") == 0)
            json_str(w, pc->m.r[i].f[1]);
    json_arr_end(w);
}

/* The settings of one run as the object under key. */
static void run_json(json_w *w, const char *key, const child_out *o)
{
    json_key(w, key);
    json_obj_begin(w);
    settings_json(w, o);
    json_obj_end(w);
}

/* The settings that differ from the policy's, with why. */
static void differences_json(json_w *w, const probe_ctx *pc)
{
    json_key(w, "differences");
    json_arr_begin(w);
    for (size_t i = 0; i < NCMP; i++) {
        if (!pc->diffs[i])
            continue;
        json_obj_begin(w);
        json_key(w, "setting");
        json_str(w, probe_cmp_items[i].label);
        json_key(w, "effective");
        json_str(w, probe_cmp_value(&pc->m, &probe_cmp_items[i]));
        json_key(w, "policy");
        json_str(w, probe_cmp_value(&pc->ref, &probe_cmp_items[i]));
        json_key(w, "why");
        json_str(w, pc->diff_why);
        json_obj_end(w);
    }
    json_arr_end(w);
}

/* The findings about the process. */
static void checks_json(json_w *w, const report *rp)
{
    json_key(w, "checks");
    json_arr_begin(w);
    for (int i = 0; i < rp->n; i++) {
        json_obj_begin(w);
        json_key(w, "name");
        json_str(w, rp->f[i].name);
        json_key(w, "held");
        json_bool(w, rp->f[i].held);
        json_key(w, "message");
        json_str(w, rp->f[i].text);
        json_obj_end(w);
    }
    json_arr_end(w);
}

/* The floor attempts, one object a row. */
static void floors_json(json_w *w, const row *rows)
{
    json_key(w, "floors");
    json_arr_begin(w);
    for (int i = 0; i < NROWS; i++) {
        const row *r = &rows[i];
        json_obj_begin(w);
        json_key(w, "name");
        json_str(w, r->name);
        json_key(w, "attempt");
        json_str(w, r->tried);
        json_key(w, "expect");
        json_str(w, r->expect);
        json_key(w, "status");
        json_str(w, strcmp(r->status, "NOT HELD") == 0 ? "not held" : r->status);
        json_key(w, "held");
        json_bool(w, !r->problem);
        json_key(w, "result");
        json_str(w, r->result);
        json_key(w, "control");
        json_str(w, r->control);
        json_obj_end(w);
    }
    json_arr_end(w);
}

/* The run as one JSON object on stdout. */
int probe_print_json(const probe_ctx *pc)
{
    json_w w;
    cli_json_begin(&w);
    process_json(&w, pc);
    run_json(&w, "effective", &pc->m);
    run_json(&w, "policy", &pc->ref);
    differences_json(&w, pc);
    checks_json(&w, &pc->rp);
    floors_json(&w, pc->rows);
    if (pc->gnutls) {
        json_key(&w, "gnutls");
        gp_print_json(pc->gnutls, &w);
    }
    json_key(&w, "held");
    json_bool(&w, pc->rp.problems == 0);
    json_obj_end(&w);
    return json_finish(&w);
}

/* 1 if item (n bytes) is one of the colon-separated list. */
static int in_colon_list(const char *list, const char *item, size_t n)
{
    while (*list) {
        size_t m = strcspn(list, ":");
        if (m == n && strncmp(list, item, n) == 0)
            return 1;
        list += m;
        if (*list == ':')
            list++;
    }
    return 0;
}

/* Names of list a that b lacks, at most a few. */
static void list_minus(const char *a, const char *b, char *out, size_t len)
{
    int shown = 0, more = 0;
    out[0] = '\0';
    while (*a) {
        size_t n = strcspn(a, ":");
        if (!in_colon_list(b, a, n)) {
            if (shown < 6)
                snprintf(out + strlen(out), len - strlen(out), "%s%.*s", shown ? ", " : "",
                         (int)n, a);
            else
                more++;
            shown++;
        }
        a += n;
        if (*a == ':')
            a++;
    }
    if (more)
        snprintf(out + strlen(out), len - strlen(out), " and %d more", more);
}

/* Short values in full; long lists as what is extra and what is missing. */
static void print_diff(const char *label, const char *a, const char *b)
{
    if (strlen(a) <= 60 && strlen(b) <= 60) {
        printf("  %s: %s (policy: %s)\n", label, a[0] ? esc(a) : "(none)", b[0] ? esc(b) : "(none)");
        return;
    }
    char extra[512], missing[512];
    list_minus(a, b, extra, sizeof(extra));
    list_minus(b, a, missing, sizeof(missing));
    printf("  %s:", label);
    if (extra[0])
        printf(" not in the policy: %s;", esc(extra));
    if (missing[0])
        printf(" missing: %s;", esc(missing));
    if (!extra[0] && !missing[0])
        printf(" same names, another order;");
    printf(" (tlspolicy probe --json has both lists)\n");
}

/* What the process is and loaded, for people. */
static void process_text(const probe_ctx *pc)
{
    printf("Program: %s\n", pc->app ? esc(pc->app) : "(any program)");
    printf("openssl.cnf: %s\n", esc(pc->cnf));
    printf("Policy file: %s%s\n", pc->policy_file ? esc(pc->policy_file) : "compiled-in DEFAULT",
           pc->fallback ? " (cannot be used: the compiled-in DEFAULT is in force)" : "");
    const char *mod = probe_find(&pc->m, "module", NULL, NULL, 1);
    printf("Module: %s\n", mod ? esc(mod) : "not loaded");
    printf("Providers:");
    int any = 0;
    for (int i = 0; i < pc->m.n; i++)
        if (strcmp(pc->m.r[i].f[0], "provider") == 0) {
            printf(" %s", esc(pc->m.r[i].f[1]));
            any = 1;
        }
    printf("%s\n", any ? "" : " none");
}

/* The client's settings and ClientHello, then what differs from the policy. */
static void settings_text(const probe_ctx *pc)
{
    printf("\nWhat a new SSL_CTX gets (client):\n");
    const char *keys[] = {"min_version", "max_version", "security_level", "verify_mode",
                          "ciphersuites", "ciphers"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = probe_setting(&pc->m, "client", keys[i]);
        printf("  %-16s %s\n", keys[i], v ? esc(v) : "?");
    }
    printf("What the client offers (its ClientHello):\n");
    const char *hk[] = {"versions", "groups", "sigalgs"};
    for (int i = 0; i < 3; i++) {
        printf("  %-16s ", hk[i]);
        hello_names(NULL, hk[i], probe_find(&pc->m, "hello", hk[i], NULL, 2));
        putchar('\n');
    }
    if (pc->ndiffs) {
        printf("\nDifferences from the policy (%s):\n", pc->diff_why);
        for (size_t i = 0; i < NCMP; i++)
            if (pc->diffs[i]) {
                const char *a = probe_cmp_value(&pc->m, &probe_cmp_items[i]);
                const char *b = probe_cmp_value(&pc->ref, &probe_cmp_items[i]);
                print_diff(probe_cmp_items[i].label, a ? a : "?", b ? b : "?");
            }
    }
}

/* The run as text on stdout (the GnuTLS part is gp_print_text's). */
void probe_print_text(const probe_ctx *pc)
{
    process_text(pc);
    settings_text(pc);
    printf("\nChecks:\n");
    for (int i = 0; i < pc->rp.n; i++)
        printf("  %-9s %s\n", pc->rp.f[i].held ? "ok" : "PROBLEM", esc(pc->rp.f[i].text));
    printf("\nFloors (live handshakes, application overrides):\n");
    for (int i = 0; i < NROWS; i++) {
        const row *r = &pc->rows[i];
        printf("  %-9s %s%s%s%s\n", r->status, r->title, r->tried ? " [" : "",
               r->tried ? esc(r->tried) : "", r->tried ? "]" : "");
        printf("            policy: %s\n", esc(r->expect));
        printf("            seen:   %s\n", esc(r->result));
        if (r->tried)
            printf("            %s\n", esc(r->control));
    }
    printf("\n%s\n", pc->rp.problems == 0 ? "Every promise held."
                                          : "Some promises did NOT hold (see above).");
}
