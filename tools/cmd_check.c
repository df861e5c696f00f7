/*
 * cmd_check.c - `check [FILE...]`: validate the system policy as the module
 * would load it, or each FILE as a policy file; then make sure the running
 * OpenSSL knows every name the policy renders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "ossl_names.h"
#include "report.h"
#include "scan.h"

typedef struct cdiag {
    tp_severity sev;
    char *file;
    int line;
    char *msg;
} cdiag;

/* One checked policy: the system one, or one FILE. */
typedef struct target {
    const char *label;     /* as the final line names it */
    tp_policy *p;
    tp_err err;
    int unreadable;        /* the file itself could not be read */
    cdiag *d;
    size_t n, cap;
    long errors, warnings, notes;
    /* context of the live checks in progress */
    const char *ctx_file;
    int ctx_line;
    const char *ctx_rule;  /* application rule match, or NULL */
} target;

static void add(target *t, tp_severity sev, const char *file, int line, const char *msg)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        cdiag *nd = realloc(t->d, cap * sizeof(*nd));
        if (nd == NULL)
            return;
        t->d = nd;
        t->cap = cap;
    }
    cdiag *d = &t->d[t->n++];
    d->sev = sev;
    d->file = file ? cli_join(file, "") : NULL;
    d->line = line;
    d->msg = cli_join(msg, "");
}

static void count(target *t, tp_severity sev)
{
    if (sev == TP_SEV_ERROR)
        t->errors++;
    else if (sev == TP_SEV_WARNING)
        t->warnings++;
    else
        t->notes++;
}

/* A finding of the live OpenSSL check: once per target, whichever
 * resolution (system-wide, application rule) found it first. */
static void live_report(void *arg, tp_severity sev, const char *subject, const char *msg)
{
    target *t = arg;
    char full[1200];
    char quoted[256];

    /* The library already notes names too new for this OpenSSL, with the
     * file and line that asked for them: do not say it twice. */
    if (sev == TP_SEV_NOTE && subject) {
        snprintf(quoted, sizeof(quoted), "'%s'", subject);
        for (size_t i = 0; i < t->n; i++)
            if (strstr(t->d[i].msg, quoted) && strstr(t->d[i].msg, "needs OpenSSL"))
                return;
    }

    if (t->ctx_rule)
        snprintf(full, sizeof(full), "application rule '%s': %s", t->ctx_rule, msg);
    else
        snprintf(full, sizeof(full), "%s", msg);
    for (size_t i = 0; i < t->n; i++) {
        const char *m = t->d[i].msg;
        const char *tail = strstr(m, msg);
        /* the same finding, or the library's own note about it */
        if (strcmp(m, full) == 0 || (tail && strcmp(tail, msg) == 0))
            return;
    }
    add(t, sev, t->ctx_file, t->ctx_line, full);
    count(t, sev);
}

static void live_check(target *t, const char *name, const char *exe)
{
    tp_err err = TP_OK;
    tp_resolved *r = tp_policy_resolve(t->p, name, exe, &err);
    if (r == NULL) {
        char msg[256];
        snprintf(msg, sizeof(msg), "cannot resolve the policy: %s", tp_strerror(err));
        add(t, TP_SEV_ERROR, t->ctx_file, t->ctx_line, msg);
        count(t, TP_SEV_ERROR);
        return;
    }
    ossl_check_resolved(r, live_report, t);
    tp_resolved_free(r);
}

/* The library's diagnostics of the policy, counted; an I/O error at no
 * line marks the target unreadable. */
static void take_library_diags(target *t)
{
    long lib_errors = 0;

    for (size_t i = 0; i < tp_policy_ndiags(t->p); i++) {
        const tp_diag *d = tp_policy_diag(t->p, i);
        add(t, d->severity, d->file, d->line, d->message);
        count(t, d->severity);
        if (d->severity == TP_SEV_ERROR) {
            lib_errors++;
            /* Not read at all, as opposed to read and found wanting. */
            if ((d->code == TP_ERR_IO || d->code == TP_ERR_NOTFOUND) && d->line == 0)
                t->unreadable = 1;
        }
    }
    /* The library counts errors past the ones it keeps. */
    if ((long)tp_policy_nerrors(t->p) > lib_errors)
        t->errors += (long)tp_policy_nerrors(t->p) - lib_errors;
}

/* Application rule i: the live check under its resolution, and a note if
 * it matches by base name. */
static void check_app_rule(target *t, size_t i)
{
    const char *file = NULL, *name, *exe;
    int line = 0;
    const char *match = tp_policy_app_match(t->p, i, &file, &line);
    if (match == NULL)
        return;
    cli_program(match, &name, &exe);
    t->ctx_file = file;
    t->ctx_line = line;
    t->ctx_rule = match;
    if (match[0] != '/') {
        /* state.c: in a secure-execution process the name is argv[0],
         * the caller's choice (exec -a) */
        char note[512];
        snprintf(note, sizeof(note),
                 "application rule '%s': base-name rules are not used for setuid or setgid"
                 " programs, whose name is chosen by whoever starts them; match those by"
                 " absolute path", match);
        add(t, TP_SEV_NOTE, file, line, note);
        count(t, TP_SEV_NOTE);
    }
    live_check(t, name, exe);
}

/* Everything `check` says about one loaded policy. */
static void check_target(target *t)
{
    take_library_diags(t);
    if (tp_policy_is_fallback(t->p))
        return; /* programs get the compiled-in DEFAULT: nothing of ours to try */

    t->ctx_file = tp_policy_file(t->p);
    t->ctx_line = 0;
    t->ctx_rule = NULL;
    live_check(t, NULL, NULL);
    for (size_t i = 0; i < tp_policy_napps(t->p); i++)
        check_app_rule(t, i);
}

static void plural(char *buf, size_t len, long n, const char *what)
{
    snprintf(buf, len, "%ld %s%s", n, what, n == 1 ? "" : "s");
}

static void print_text(const target *t)
{
    char e[64], w[64];

    for (size_t i = 0; i < t->n; i++)
        rep_diag_text(stdout, t->d[i].sev, t->d[i].file, t->d[i].line, t->d[i].msg);
    plural(e, sizeof(e), t->errors, "error");
    plural(w, sizeof(w), t->warnings, "warning");
    if (t->unreadable)
        printf("%s: could not be read\n", t->label);
    else if (t->errors && t->warnings)
        printf("%s: %s, %s\n", t->label, e, w);
    else if (t->errors)
        printf("%s: %s\n", t->label, e);
    else if (t->warnings)
        printf("%s: OK (%s)\n", t->label, w);
    else
        printf("%s: OK\n", t->label);
}

static void print_json(json_w *w, const target *t)
{
    json_obj_begin(w);
    json_key(w, "file");
    json_str(w, t->label);
    json_key(w, "policy_file");
    json_str(w, tp_policy_file(t->p));
    json_key(w, "status");
    json_str(w, t->unreadable ? "unreadable" : t->errors ? "invalid" : "ok");
    json_key(w, "errors");
    json_int(w, t->errors);
    json_key(w, "warnings");
    json_int(w, t->warnings);
    json_key(w, "notes");
    json_int(w, t->notes);
    json_key(w, "dropins");
    json_arr_begin(w);
    for (size_t i = 0; i < tp_policy_ndropins(t->p); i++)
        json_str(w, tp_policy_dropin(t->p, i));
    json_arr_end(w);
    json_key(w, "diagnostics");
    json_arr_begin(w);
    for (size_t i = 0; i < t->n; i++)
        rep_diag_json(w, t->d[i].sev, t->d[i].file, t->d[i].line, t->d[i].msg);
    json_arr_end(w);
    json_obj_end(w);
}

static void target_free(target *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->d[i].file);
        free(t->d[i].msg);
    }
    free(t->d);
    tp_policy_free(t->p);
}

static void check_help(FILE *f)
{
    fputs("Usage: tlspolicy check [--json] [FILE...]\n"
          "       tlspolicy check --impact FILE\n"
          "\n"
          "Without FILE, validate the system policy as the config module loads it:\n"
          "the policy file, its policy.d drop-ins and the profile and modifiers it\n"
          "names. With FILEs, validate each as a policy file (without drop-ins).\n"
          "Every problem is printed as FILE:LINE: SEVERITY: MESSAGE; then every name\n"
          "the policy renders (system-wide and per application rule) is tried on the\n"
          "installed OpenSSL. The last line of each file says OK or counts errors.\n"
          "\n"
          "With --impact FILE, FILE is checked, then judged as the proposed system\n"
          "policy against the TLS servers listening on this machine (reached on\n"
          "loopback, each with the rule for its program): one line per service\n"
          "that would break (its certificate below the new floors: it will not\n"
          "start after its next restart; clients under the new policy could not\n"
          "connect) or would negotiate something else; exit status 1 if one breaks.\n"
          "\n"
          "  --json       one JSON object (\"schema\": 1)\n"
          "  --impact FILE  judge FILE against the local TLS listeners\n"
          "  --root DIR, --policy FILE, -h/--help as for tlspolicy --help\n"
          "\n"
          "Exit status: 0 no errors, 1 errors found, 2 usage error,\n"
          "3 a file could not be read.\n", f);
}

/* One run of `check`: the options and the policies checked. */
typedef struct check_run {
    int json;
    const char *impact; /* --impact FILE, or NULL */
    char *const *files; /* the FILEs given */
    size_t nfiles;      /* 0: the system policy */
    target *ts;
    size_t ntargets;
} check_run;

/* The command line into k; TP_EXIT_OK, or the exit status of a usage error. */
static int check_options(cli *c, int argc, char **argv, check_run *k)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"impact", required_argument, NULL, 'i'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int ch;

    while ((ch = cli_getopt(c, argc, argv, "ji:", longopts, check_help)) != -1) {
        switch (ch) {
        case 'j': k->json = 1; break;
        case 'i': k->impact = optarg; break;
        default: return TP_EXIT_USAGE;
        }
    }
    if (k->impact && (k->json || optind < argc))
        return cli_usage(c, "--impact FILE takes no other file and has no --json output");
    /* --impact FILE: FILE is checked as any candidate file first. */
    k->files = k->impact ? (char *const *)&k->impact : argv + optind;
    k->nfiles = k->impact ? 1 : optind < argc ? (size_t)(argc - optind) : 0;
    return TP_EXIT_OK;
}

/* The scanner for --impact, the load options, one target per policy;
 * TP_EXIT_OK, or TP_EXIT_LOAD. */
static int check_setup(cli *c, check_run *k)
{
    char ierr[256];
    /* Before any other OpenSSL call: the scanner reads no openssl.cnf. */
    if (k->impact && scan_init(ierr, sizeof(ierr)) != 0) {
        cli_error(c, "%s", ierr);
        return TP_EXIT_LOAD;
    }
    if (cli_resolve_opts(c) != 0)
        return TP_EXIT_LOAD;
    k->ntargets = k->nfiles ? k->nfiles : 1;
    k->ts = calloc(k->ntargets, sizeof(*k->ts));
    if (k->ts == NULL) {
        cli_error(c, "out of memory");
        return TP_EXIT_LOAD;
    }
    return TP_EXIT_OK;
}

/* Load target i: the system policy, or FILE i as a candidate; nonzero
 * when out of memory (said). */
static int load_target(cli *c, const check_run *k, size_t i)
{
    target *t = &k->ts[i];
    tp_load_opts o = c->opts;

    if (k->nfiles) {
        /* A candidate file: validated for what it says, wherever it is. */
        o.policy_file = k->files[i];
        o.no_dropins = 1;
        o.require_trusted = 0;
    }
    t->p = tp_policy_load(&o, &t->err);
    if (t->p == NULL) {
        cli_error(c, "out of memory");
        return -1;
    }
    return 0;
}

/* Load and check each target, in text printing each as it is done; the
 * exit status so far. */
static int check_all(cli *c, const check_run *k)
{
    int rc = TP_EXIT_OK;

    for (size_t i = 0; i < k->ntargets; i++) {
        target *t = &k->ts[i];
        if (load_target(c, k, i) != 0) {
            rc = TP_EXIT_LOAD;
            break;
        }
        check_target(t);
        if (k->nfiles)
            t->label = k->files[i];
        else
            t->label = tp_policy_file(t->p) ? tp_policy_file(t->p) : "(no policy file)";
        if (t->unreadable)
            rc = TP_EXIT_LOAD;
        else if (t->errors && rc == TP_EXIT_OK)
            rc = TP_EXIT_PROBLEMS;
        if (!k->json)
            print_text(t);
    }
    return rc;
}

/* --impact: judge the checked FILE against the local TLS listeners; the
 * exit status. */
static int judge_impact(cli *c, const check_run *k)
{
    char label[4200], ierr[256];

    snprintf(label, sizeof(label), "the policy %s", k->impact);
    int breaks = impact_report(k->ts[0].p, label, stdout, ierr, sizeof(ierr));
    if (breaks < 0)
        cli_error(c, "cannot judge the local listeners: %s", ierr);
    return breaks ? TP_EXIT_PROBLEMS : TP_EXIT_OK;
}

/* Every loaded target and the totals as one JSON object; nonzero if the
 * document could not be completed. */
static int print_check_json(const check_run *k, int rc)
{
    json_w w;
    long errors = 0, warnings = 0;

    cli_json_begin(&w);
    json_key(&w, "files");
    json_arr_begin(&w);
    for (size_t i = 0; i < k->ntargets && k->ts[i].p; i++) {
        print_json(&w, &k->ts[i]);
        errors += k->ts[i].errors;
        warnings += k->ts[i].warnings;
    }
    json_arr_end(&w);
    json_key(&w, "errors");
    json_int(&w, errors);
    json_key(&w, "warnings");
    json_int(&w, warnings);
    json_key(&w, "ok");
    json_bool(&w, rc == TP_EXIT_OK);
    json_obj_end(&w);
    return json_finish(&w);
}

int cmd_check(cli *c, int argc, char **argv)
{
    check_run k;

    memset(&k, 0, sizeof(k));
    int rc = check_options(c, argc, argv, &k);
    if (rc == TP_EXIT_OK)
        rc = check_setup(c, &k);
    if (rc != TP_EXIT_OK)
        return rc;

    rc = check_all(c, &k);
    if (k.impact && rc == TP_EXIT_OK)
        rc = judge_impact(c, &k);
    if (k.impact)
        scan_cleanup();
    if (k.json && print_check_json(&k, rc) != 0 && rc == TP_EXIT_OK)
        rc = TP_EXIT_PROBLEMS;
    for (size_t i = 0; i < k.ntargets; i++)
        target_free(&k.ts[i]);
    free(k.ts);
    return rc;
}
