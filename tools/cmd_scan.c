/*
 * cmd_scan.c - `scan HOST:PORT`: test a running TLS server against the
 * policy from outside (the attempts: scan_tls.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "esc.h"
#include "scan.h"

static void scan_help(FILE *f)
{
    fputs("Usage: tlspolicy scan [--app NAME] [--starttls smtp|imap] [--timeout SECONDS]\n"
          "                      [--json] HOST:PORT\n"
          "\n"
          "Test a running TLS server against the policy, from outside: with stock\n"
          "OpenSSL (no openssl.cnf, so the policy does not hold the scanner), try\n"
          "what the policy forbids and a server could accept: each version below\n"
          "the floor, the TLS 1.2 suites outside the policy's list (one attempt per\n"
          "family), the TLS 1.3 suites outside it, TLS 1.2 offering only SHA-1\n"
          "signature algorithms, each group outside the list. The certificate chain\n"
          "the server sends is judged against the key and signature floors, and one\n"
          "handshake the policy allows must work. Only the host named is contacted;\n"
          "use [ADDR]:PORT for IPv6.\n"
          "\n"
          "  --app NAME         judge against the rule for program NAME\n"
          "  --starttls PROTO   smtp or imap: STARTTLS before each handshake\n"
          "  --timeout SECONDS  for connect and handshake, each attempt (default 5)\n"
          "  --json             one JSON object (\"schema\": 1), one row per attempt\n"
          "  --root DIR, --policy FILE, -h/--help as for tlspolicy --help\n"
          "\n"
          "Exit status: 0 the server accepts nothing the policy forbids, 1 it does\n"
          "(each item listed), its chain is below the floors, or no allowed handshake\n"
          "works, 2 usage error, 3 cannot connect, no TLS, or the policy could not\n"
          "be resolved.\n", f);
}

/* HOST:PORT or [V6]:PORT into host and port (in buf). */
static int split_target(const char *arg, char *buf, size_t len, const char **host,
                        const char **port)
{
    if (strlen(arg) >= len)
        return -1;
    strcpy(buf, arg);
    char *colon;
    if (buf[0] == '[') {
        char *end = strchr(buf, ']');
        if (end == NULL || end[1] != ':')
            return -1;
        *end = '\0';
        *host = buf + 1;
        colon = end + 1;
    } else {
        colon = strrchr(buf, ':');
        if (colon == NULL || strchr(buf, ':') != colon)
            return -1;
        *colon = '\0';
        *host = buf;
    }
    *port = colon + 1;
    if (!**host || !**port)
        return -1;
    for (const char *p = *port; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    long n = atol(*port);
    return n > 0 && n < 65536 ? 0 : -1;
}

static const char *verdict(const scan_attempt *a)
{
    if (!a->tried)
        return "not tried";
    if (a->accepted)
        return a->forbidden ? "ACCEPTED" : "ok";
    return a->forbidden ? "refused" : "FAILED";
}

static void negotiated(const scan_attempt *a, char *buf, size_t len)
{
    snprintf(buf, len, "%s %s%s%s%s%s", a->version, a->cipher, a->group[0] ? " " : "", a->group,
             a->sig_hash[0] ? ", signed with " : "", a->sig_hash);
}

static void print_text(const char *target, const char *app, const char *profile,
                       const char *pfile, const scan_result *res)
{
    char neg[200];
    printf("Scan of %s against the policy%s%s (profile %s, %s)\n", esc(target), app ? " for " : "",
           app ? esc(app) : "", profile ? esc(profile) : "?", pfile ? esc(pfile) : "compiled-in DEFAULT");
    for (int i = 0; i < res->n; i++) {
        const scan_attempt *a = &res->a[i];
        printf("  %-9s %s", verdict(a), a->what);
        if (a->accepted) {
            negotiated(a, neg, sizeof(neg));
            printf(": %s\n", neg);
        } else {
            printf(": %s\n", a->error[0] ? esc(a->error) : "?");
        }
    }
    printf("Certificate chain:\n");
    for (int i = 0; i < res->nchain; i++) {
        const scan_cert *c = &res->chain[i];
        printf("  %d %s: %s %d bits, %s%s\n", i, esc(c->subject), c->key, c->bits,
               c->self_signed ? "self-signed" : "signed with ",
               c->self_signed ? "" : c->sig_hash[0] ? c->sig_hash : "?");
        if (c->problem[0])
            printf("    BELOW THE FLOOR: %s: %s\n", c->problem,
                   c->leaf_key_low ? "under the policy the server will not start"
                                   : "clients under the policy refuse this chain");
    }
    if (res->nchain == 0)
        printf("  (none received)\n");
    int problems = res->accepted_forbidden + res->chain_problems + !res->allowed_ok;
    if (problems == 0) {
        printf("Result: the server accepts nothing the policy forbids.\n");
        return;
    }
    printf("Result:");
    if (res->accepted_forbidden)
        printf(" the server accepts %d thing%s the policy forbids.", res->accepted_forbidden,
               res->accepted_forbidden > 1 ? "s" : "");
    if (res->chain_problems)
        printf(" %d certificate%s below the policy's floors.", res->chain_problems,
               res->chain_problems > 1 ? "s are" : " is");
    if (!res->allowed_ok)
        printf(" No handshake the policy allows works: clients under the policy cannot"
               " connect.");
    printf("\n");
}

static void print_json(const char *target, const char *app, const char *profile,
                       const char *pfile, const scan_result *res, int ok, const char *error)
{
    json_w w;
    cli_json_begin(&w);
    json_key(&w, "target");
    json_str(&w, target);
    json_key(&w, "app");
    json_str(&w, app);
    json_key(&w, "profile");
    json_str(&w, profile);
    json_key(&w, "policy_file");
    json_str(&w, pfile);
    json_key(&w, "reachable");
    json_bool(&w, res->reachable);
    json_key(&w, "tls");
    json_bool(&w, res->tls);
    json_key(&w, "error");
    json_str(&w, error);
    json_key(&w, "compliant");
    json_bool(&w, ok);
    json_key(&w, "accepted_forbidden");
    json_int(&w, res->accepted_forbidden);
    json_key(&w, "allowed_handshake");
    json_bool(&w, res->allowed_ok);
    json_key(&w, "attempts");
    json_arr_begin(&w);
    for (int i = 0; i < res->n && res->tls; i++) {
        const scan_attempt *a = &res->a[i];
        json_obj_begin(&w);
        json_key(&w, "name");
        json_str(&w, a->name);
        json_key(&w, "kind");
        json_str(&w, a->kind);
        json_key(&w, "what");
        json_str(&w, a->what);
        json_key(&w, "forbidden");
        json_bool(&w, a->forbidden);
        json_key(&w, "offered");
        json_str(&w, a->offered[0] ? a->offered : NULL);
        json_key(&w, "result");
        json_str(&w, !a->tried ? "not_tried" : a->accepted ? "accepted" : "refused");
        json_key(&w, "negotiated");
        if (a->accepted) {
            json_obj_begin(&w);
            json_key(&w, "version");
            json_str(&w, a->version);
            json_key(&w, "cipher");
            json_str(&w, a->cipher);
            json_key(&w, "group");
            json_str(&w, a->group[0] ? a->group : NULL);
            json_key(&w, "signature_hash");
            json_str(&w, a->sig_hash[0] ? a->sig_hash : NULL);
            json_obj_end(&w);
        } else {
            json_null(&w);
        }
        json_key(&w, "error");
        json_str(&w, a->error[0] ? a->error : NULL);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    json_key(&w, "chain");
    json_arr_begin(&w);
    for (int i = 0; i < res->nchain; i++) {
        const scan_cert *c = &res->chain[i];
        json_obj_begin(&w);
        json_key(&w, "subject");
        json_str(&w, c->subject);
        json_key(&w, "key");
        json_str(&w, c->key);
        json_key(&w, "bits");
        json_int(&w, c->bits);
        json_key(&w, "signature_hash");
        json_str(&w, c->sig_hash[0] ? c->sig_hash : NULL);
        json_key(&w, "self_signed");
        json_bool(&w, c->self_signed);
        json_key(&w, "problem");
        json_str(&w, c->problem[0] ? c->problem : NULL);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    json_obj_end(&w);
    json_finish(&w);
}

int cmd_scan(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"app", required_argument, NULL, 'a'},
        {"starttls", required_argument, NULL, 's'},
        {"timeout", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    const char *app = NULL;
    int json = 0, ch, rc = TP_EXIT_LOAD;
    scan_opts o = {.timeout_ms = 5000};

    while ((ch = cli_getopt(c, argc, argv, "a:s:t:j", longopts, scan_help)) != -1) {
        switch (ch) {
        case 'a': app = optarg; break;
        case 'j': json = 1; break;
        case 's':
            if (strcmp(optarg, "smtp") == 0)
                o.starttls = SCAN_STARTTLS_SMTP;
            else if (strcmp(optarg, "imap") == 0)
                o.starttls = SCAN_STARTTLS_IMAP;
            else
                return cli_usage(c, "--starttls takes smtp or imap, not '%s'", optarg);
            break;
        case 't': {
            char *end;
            double s = strtod(optarg, &end);
            if (end == optarg || *end || !(s > 0 && s <= 600))
                return cli_usage(c, "--timeout takes seconds (up to 600), not '%s'", optarg);
            o.timeout_ms = (int)(s * 1000 + 0.5);
            break;
        }
        default: return TP_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage(c, "which server? e.g. 'tlspolicy scan 127.0.0.1:443'");
    const char *target = argv[optind++];
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if (app && !app[0])
        return cli_usage(c, "--app needs a program name");
    char tbuf[512];
    if (split_target(target, tbuf, sizeof(tbuf), &o.host, &o.port) != 0)
        return cli_usage(c, "'%s' is not HOST:PORT (or [ADDRESS]:PORT)", target);

    char err[256];
    if (scan_init(err, sizeof(err)) != 0) {
        cli_error(c, "%s", err);
        return TP_EXIT_LOAD;
    }
    if (cli_resolve_opts(c) != 0)
        goto out_init;
    tp_err e = TP_OK;
    const char *name = NULL, *exe = NULL;
    cli_program(app, &name, &exe);
    tp_policy *p = cli_load(c, &e);
    tp_resolved *r = p ? tp_policy_resolve(p, name, exe, &e) : NULL;
    if (r == NULL) {
        cli_error(c, "cannot resolve the policy: %s", tp_strerror(e != TP_OK ? e : TP_ERR_NOMEM));
        goto out_policy;
    }
    if (tp_policy_is_fallback(p))
        cli_error(c, "the policy could not be loaded (see tlspolicy check); judging against"
                     " the compiled-in DEFAULT, as programs get it");

    scan_result *res = calloc(1, sizeof(*res));
    if (res == NULL) {
        cli_error(c, "%s", tp_strerror(TP_ERR_NOMEM));
        goto out_policy;
    }
    const char *profile = tp_resolved_get_str(r, TP_K_PROFILE);
    const char *pfile = tp_policy_file(p);
    if (scan_run(&o, r, res) != 0) {
        if (json)
            print_json(target, app, profile, pfile, res, 0, res->error);
        cli_error(c, "%s: %s", target, res->error);
        rc = TP_EXIT_LOAD;
    } else {
        int ok = res->accepted_forbidden == 0 && res->chain_problems == 0 && res->allowed_ok;
        if (json)
            print_json(target, app, profile, pfile, res, ok, NULL);
        else
            print_text(target, app, profile, pfile, res);
        rc = ok ? TP_EXIT_OK : TP_EXIT_PROBLEMS;
    }
    free(res);
out_policy:
    tp_resolved_free(r);
    tp_policy_free(p);
out_init:
    scan_cleanup();
    return rc;
}
