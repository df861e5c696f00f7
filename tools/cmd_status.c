/*
 * cmd_status.c - `status`: is the wiring present and effective? Reads the
 * openssl.cnf OpenSSL will read (NCONF, nothing loaded) and the policy as
 * the module will; one finding per line. `probe` proves by measurement;
 * this is the quick look that needs no handshake.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "cli.h"
#include "esc.h"
#include "gnutls_wire.h"
#include "json.h"
#include "probe.h"
#include "tp_config.h"

#define ST_MAX 32

typedef enum { ST_OK, ST_NOTE, ST_PROBLEM } st_sev;

typedef struct st_finding {
    st_sev sev;
    const char *check;
    char msg[1024];
} st_finding;

typedef struct st_report {
    st_finding f[ST_MAX];
    int n, problems;
} st_report;

static const char *sev_name(st_sev s)
{
    return s == ST_OK ? "ok" : s == ST_NOTE ? "note" : "problem";
}

static void say(st_report *r, st_sev sev, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void say(st_report *r, st_sev sev, const char *check, const char *fmt, ...)
{
    if (r->n >= ST_MAX)
        return;
    st_finding *f = &r->f[r->n++];
    f->sev = sev;
    f->check = check;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
    va_end(ap);
    if (sev == ST_PROBLEM)
        r->problems++;
}

/* Owned by root and writable by nobody else, as the module insists for the
 * policy (and as any code every program loads must be). */
static void check_trust(st_report *r, const char *check, const char *what, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        say(r, ST_PROBLEM, check, "%s %s: %s", what, path, strerror(errno));
        return;
    }
    if (!S_ISREG(st.st_mode))
        say(r, ST_PROBLEM, check, "%s %s is not a regular file", what, path);
    else if (st.st_uid != 0)
        say(r, ST_PROBLEM, check, "%s %s is owned by uid %u, not root: the module refuses it",
            what, path, (unsigned)st.st_uid);
    else if (st.st_mode & (S_IWGRP | S_IWOTH))
        say(r, ST_PROBLEM, check, "%s %s is writable by group or others (mode %03o)", what, path,
            (unsigned)(st.st_mode & 0777));
    else
        say(r, ST_OK, check, "%s %s is owned by root, mode %03o", what, path,
            (unsigned)(st.st_mode & 0777));
}

static void check_wiring(st_report *r, const conf_scan *cs)
{
    struct stat st;

    if (!cs->loaded) {
        say(r, ST_PROBLEM, "openssl_conf", "%s", cs->error);
        return;
    }
    say(r, ST_OK, "openssl_conf", "OpenSSL reads %s", cs->file);
    if (!cs->init_sect) {
        say(r, ST_PROBLEM, "wired", "%s has no openssl_conf line: it loads no module", cs->file);
        return;
    }
    if (!cs->entry) {
        say(r, ST_PROBLEM, "wired", "[%s] in %s does not load tlspolicy (wiring: see tlspolicy(7))",
            cs->init_sect, cs->file);
        return;
    }
    say(r, ST_OK, "wired", "[%s] loads tlspolicy (entry '%s', %d of %d)", cs->init_sect, cs->entry,
        cs->entry_index + 1, cs->nentries);
    if (!cs->module_path || stat(cs->module_path, &st) != 0)
        say(r, ST_PROBLEM, "module", "module %s does not exist: programs start without the policy",
            cs->module_path ? cs->module_path : "(no path)");
    else
        check_trust(r, "module", "module", cs->module_path);
    if (cs->ssl_after)
        say(r, ST_PROBLEM, "last_ssl_conf",
            "%s is listed after tlspolicy in [%s] and replaces the policy's system_default:"
            " list tlspolicy last", cs->ssl_after, cs->init_sect);
    else
        say(r, ST_OK, "last_ssl_conf", "tlspolicy is the last ssl_conf writer%s%s%s",
            cs->ssl_before ? " (the system's " : "", cs->ssl_before ? cs->ssl_before : "",
            cs->ssl_before ? " is merged under the policy)" : "");
    for (int i = 0; i < cs->nother_providers; i++)
        say(r, ST_PROBLEM, "providers",
            "openssl.cnf activates provider %s besides tlspolicy: what it offers escapes the floors",
            cs->other_providers[i]);
    if (cs->config_diagnostics)
        say(r, ST_NOTE, "config_diagnostics",
            "config_diagnostics = 1: a configuration error stops the openssl command at start-up");
}

/* FIPS: under the kernel's flag the provider keeps wrapping the default
 * provider; with FIPS properties as the default, fetches go to the FIPS
 * provider, which it does not wrap (tlspolicy(7), FIPS). */
static void check_fips(st_report *r, const conf_scan *cs)
{
    int kernel = cli_kernel_fips(), fips_prov = 0;

    for (int i = 0; i < cs->nother_providers; i++)
        fips_prov |= strcmp(cs->other_providers[i], "fips") == 0;
    if (cs->fips_props)
        say(r, ST_PROBLEM, "fips",
            "FIPS properties are the default (alg_section of %s): algorithms come from the FIPS"
            " provider, which tlspolicy does not wrap; the policy's key and hash floors do not"
            " hold, only the FIPS provider's own checks and the ssl_conf defaults", cs->file);
    else if (kernel && fips_prov)
        say(r, ST_NOTE, "fips",
            "the kernel is in FIPS mode and %s activates the fips provider, but FIPS properties"
            " are not the default: fetches still reach tlspolicy; `tlspolicy probe` measures it",
            cs->file);
    else if (kernel)
        say(r, ST_NOTE, "fips",
            "the kernel is in FIPS mode (/proc/sys/crypto/fips_enabled = 1) but OpenSSL is not"
            " configured for FIPS here: tlspolicy keeps wrapping the default provider, the floors"
            " hold (`tlspolicy probe` measures it)");
}

static void status_help(FILE *f)
{
    fputs("Usage: tlspolicy status [--openssl-conf FILE] [--json]\n"
          "\n"
          "Is the wiring present and effective: the openssl.cnf OpenSSL will read\n"
          "($OPENSSL_CONF, else OPENSSLDIR/openssl.cnf) loads the module, the module\n"
          "file exists, tlspolicy is the last ssl_conf writer and no other provider\n"
          "is activated, FIPS mode does not take the floors away, and the policy\n"
          "file is valid and trusted (owned by root, writable by nobody else). One\n"
          "line per finding; `probe` proves it live.\n"
          "\n"
          "  --openssl-conf FILE  the openssl.cnf to look at\n"
          "  --json               one JSON object (\"schema\": 1)\n"
          "  --root DIR, --policy FILE, -h/--help as for tlspolicy --help\n"
          "\n"
          "Exit status: 0 no problem, 1 a problem found, 2 usage error.\n", f);
}

/* One run of `status`: the options, what was read, and the findings. */
typedef struct st_run {
    const char *cnf_opt; /* --openssl-conf FILE, or NULL */
    int json;
    char *cnf; /* the openssl.cnf looked at */
    conf_scan cs;
    tp_policy *p;
    char *file; /* our copy of the policy file's path, or NULL */
    st_report r;
} st_run;

/* The command line into s; TP_EXIT_OK, or the exit status of a usage error. */
static int status_options(cli *c, int argc, char **argv, st_run *s)
{
    static const struct option longopts[] = {
        {"openssl-conf", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int ch;

    while ((ch = cli_getopt(c, argc, argv, "o:j", longopts, status_help)) != -1) {
        switch (ch) {
        case 'o': s->cnf_opt = optarg; break;
        case 'j': s->json = 1; break;
        default: return TP_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if (s->cnf_opt && !s->cnf_opt[0])
        return cli_usage(c, "--openssl-conf needs a file");
    return TP_EXIT_OK;
}

/* Did the library refuse the policy as untrusted (for the file or a
 * directory above it)? */
static int policy_untrusted(const tp_policy *p)
{
    int bad = 0;

    for (size_t i = 0; i < tp_policy_ndiags(p); i++) {
        const tp_diag *d = tp_policy_diag(p, i);
        bad |= d->severity == TP_SEV_ERROR && d->code == TP_ERR_UNTRUSTED;
    }
    return bad;
}

/* One problem per error the library found in the policy, then the verdict;
 * with dir_trust, the trust errors are policy_trusted findings. */
static void say_policy_errors(st_report *r, const tp_policy *p, const char *file, int dir_trust)
{
    for (size_t i = 0; i < tp_policy_ndiags(p); i++) {
        const tp_diag *d = tp_policy_diag(p, i);
        if (d->severity != TP_SEV_ERROR)
            continue;
        int trust = dir_trust && d->code == TP_ERR_UNTRUSTED;
        const char *check = trust ? "policy_trusted" : "policy_valid";
        if (d->line > 0)
            say(r, ST_PROBLEM, check, "%s:%d: %s", d->file ? d->file : file, d->line, d->message);
        else
            say(r, ST_PROBLEM, check, "%s: %s", d->file ? d->file : file, d->message);
    }
    say(r, ST_PROBLEM, "policy_valid",
        "policy %s cannot be used: programs get the compiled-in DEFAULT", file);
}

/* The policy file's findings: is it trusted, is it valid. */
static void check_policy(st_report *r, const tp_policy *p, const char *file)
{
    /* The file itself may be fine and a directory above it (or above
     * a symlink's target) not: then that is the trust finding. */
    int nb = r->n;
    check_trust(r, "policy_trusted", "policy file", file);
    int file_ok = r->n > nb && r->f[nb].sev == ST_OK;
    int dir_bad = policy_untrusted(p);
    if (file_ok && dir_bad)
        r->n = nb;
    if (tp_policy_nerrors(p) || tp_policy_is_fallback(p))
        say_policy_errors(r, p, file, file_ok && dir_bad);
    else
        say(r, ST_OK, "policy_valid", "policy %s is valid (%zu drop-in%s)", file,
            tp_policy_ndropins(p), tp_policy_ndropins(p) == 1 ? "" : "s");
}

/* The policy, found as the module finds it: loaded into s->p, its path
 * copied to s->file, its findings added. TP_EXIT_OK, or TP_EXIT_LOAD. */
static int status_policy(cli *c, st_run *s)
{
    c->policy_key = s->cs.policy;
    c->key_sect = s->cs.section;
    c->key_cnf = s->cnf;
    if (cli_resolve_opts(c) != 0)
        return TP_EXIT_LOAD;
    c->opts.require_trusted = 1;
    const char *file = c->opts.policy_file;
    const char *dflt = NULL;
    if (!file) {
        dflt = c->where.path;
        if (access(dflt, F_OK) == 0)
            file = c->opts.policy_file = dflt;
    }
    tp_err err = TP_OK;
    s->p = cli_load(c, &err);
    if (s->p == NULL)
        return TP_EXIT_LOAD;
    /* Our own copy: the GnuTLS finding below resolves the options again,
     * which frees what c->where held. */
    if (file != NULL && (s->file = strdup(file)) == NULL)
        return TP_EXIT_LOAD;
    if (!s->file)
        say(&s->r, ST_NOTE, "policy",
            "no policy file (%s absent): programs get the compiled-in DEFAULT", dflt);
    else
        check_policy(&s->r, s->p, s->file);
    return TP_EXIT_OK;
}

/* The GnuTLS back-end (gnutls_wire.c): one finding. */
static void check_gnutls(cli *c, st_report *r)
{
    char gmsg[1024];
    int gsev = gw_status_line(c, gmsg, sizeof(gmsg));
    say(r, gsev == 2 ? ST_PROBLEM : gsev == 1 ? ST_NOTE : ST_OK, "gnutls", "%s", gmsg);
}

/* The report as one JSON object; nonzero if the document could not be
 * completed. */
static int print_status_json(cli *c, const st_run *s)
{
    json_w w;
    cli_json_begin(&w);
    json_key(&w, "openssl_conf");
    json_str(&w, s->cnf);
    json_key(&w, "module");
    json_str(&w, s->cs.module_path);
    json_key(&w, "policy_file");
    json_str(&w, s->file);
    json_key(&w, "findings");
    json_arr_begin(&w);
    for (int i = 0; i < s->r.n; i++) {
        json_obj_begin(&w);
        json_key(&w, "severity");
        json_str(&w, sev_name(s->r.f[i].sev));
        json_key(&w, "check");
        json_str(&w, s->r.f[i].check);
        json_key(&w, "message");
        json_str(&w, s->r.f[i].msg);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    json_key(&w, "gnutls");
    gw_status_json(c, &w);
    json_key(&w, "ok");
    json_bool(&w, s->r.problems == 0);
    json_obj_end(&w);
    return json_finish(&w) != 0;
}

/* The report as text: one line per finding. */
static void print_status_text(const st_report *r)
{
    for (int i = 0; i < r->n; i++)
        printf("%s: %s\n", sev_name(r->f[i].sev), esc(r->f[i].msg));
}

int cmd_status(cli *c, int argc, char **argv)
{
    st_run s;
    int rc, out_bad = 0; /* out_bad: the JSON document could not be completed */

    memset(&s, 0, sizeof(s));
    rc = status_options(c, argc, argv, &s);
    if (rc != TP_EXIT_OK)
        return rc;

    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
    s.cnf = s.cnf_opt ? cli_join(s.cnf_opt, "") : conf_default_file();
    conf_scan_load(&s.cs, s.cnf);
    check_wiring(&s.r, &s.cs);
    check_fips(&s.r, &s.cs);
    rc = status_policy(c, &s);
    if (rc != TP_EXIT_OK)
        goto out;
    check_gnutls(c, &s.r);

    if (s.json)
        out_bad = print_status_json(c, &s);
    else
        print_status_text(&s.r);
    rc = s.r.problems || out_bad ? TP_EXIT_PROBLEMS : TP_EXIT_OK;
out:
    tp_policy_free(s.p);
    conf_scan_free(&s.cs);
    free(s.cnf);
    free(s.file);
    return rc;
}
