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

/* One run of scan: what was asked, and the policy it is judged against. */
typedef struct scan_cmd {
    const char *app;     /* --app, or NULL */
    int json;            /* --json */
    scan_opts o;         /* host, port, --starttls, --timeout */
    const char *target;  /* HOST:PORT as given */
    char tbuf[512];      /* host and port, split from target */
    tp_policy *p;        /* the policy */
    tp_resolved *r;      /* resolved for the program */
    const char *profile; /* its profile */
    const char *pfile;   /* its file, NULL for the compiled-in DEFAULT */
    scan_result *res;    /* the attempts and the chain */
} scan_cmd;

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

/* The text report's line per attempt and its certificate chain. */
static void print_rows(const scan_result *res)
{
    char neg[200];
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
}

/* The scan as text: the header, the rows and the result. */
static void print_text(const scan_cmd *sc)
{
    const scan_result *res = sc->res;
    printf("Scan of %s against the policy%s%s (profile %s, %s)\n", esc(sc->target),
           sc->app ? " for " : "", sc->app ? esc(sc->app) : "",
           sc->profile ? esc(sc->profile) : "?",
           sc->pfile ? esc(sc->pfile) : "compiled-in DEFAULT");
    print_rows(res);
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

/* What an attempt negotiated, as a JSON object (null if it was refused). */
static void json_negotiated(json_w *w, const scan_attempt *a)
{
    if (!a->accepted) {
        json_null(w);
        return;
    }
    json_obj_begin(w);
    json_key(w, "version");
    json_str(w, a->version);
    json_key(w, "cipher");
    json_str(w, a->cipher);
    json_key(w, "group");
    json_str(w, a->group[0] ? a->group : NULL);
    json_key(w, "signature_hash");
    json_str(w, a->sig_hash[0] ? a->sig_hash : NULL);
    json_obj_end(w);
}

/* One attempt as a JSON object. */
static void json_attempt(json_w *w, const scan_attempt *a)
{
    json_obj_begin(w);
    json_key(w, "name");
    json_str(w, a->name);
    json_key(w, "kind");
    json_str(w, a->kind);
    json_key(w, "what");
    json_str(w, a->what);
    json_key(w, "forbidden");
    json_bool(w, a->forbidden);
    json_key(w, "offered");
    json_str(w, a->offered[0] ? a->offered : NULL);
    json_key(w, "result");
    json_str(w, !a->tried ? "not_tried" : a->accepted ? "accepted" : "refused");
    json_key(w, "negotiated");
    json_negotiated(w, a);
    json_key(w, "error");
    json_str(w, a->error[0] ? a->error : NULL);
    json_obj_end(w);
}

/* One certificate of the chain as a JSON object. */
static void json_cert(json_w *w, const scan_cert *c)
{
    json_obj_begin(w);
    json_key(w, "subject");
    json_str(w, c->subject);
    json_key(w, "key");
    json_str(w, c->key);
    json_key(w, "bits");
    json_int(w, c->bits);
    json_key(w, "signature_hash");
    json_str(w, c->sig_hash[0] ? c->sig_hash : NULL);
    json_key(w, "self_signed");
    json_bool(w, c->self_signed);
    json_key(w, "problem");
    json_str(w, c->problem[0] ? c->problem : NULL);
    json_obj_end(w);
}

/* The scan as one JSON object; ok and error are the verdict. */
static void print_json(const scan_cmd *sc, int ok, const char *error)
{
    const scan_result *res = sc->res;
    json_w w;
    cli_json_begin(&w);
    json_key(&w, "target");
    json_str(&w, sc->target);
    json_key(&w, "app");
    json_str(&w, sc->app);
    json_key(&w, "profile");
    json_str(&w, sc->profile);
    json_key(&w, "policy_file");
    json_str(&w, sc->pfile);
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
    for (int i = 0; i < res->n && res->tls; i++)
        json_attempt(&w, &res->a[i]);
    json_arr_end(&w);
    json_key(&w, "chain");
    json_arr_begin(&w);
    for (int i = 0; i < res->nchain; i++)
        json_cert(&w, &res->chain[i]);
    json_arr_end(&w);
    json_obj_end(&w);
    json_finish(&w);
}

/* The value of --starttls or --timeout into sc->o. -1 to go on, else the
 * exit status. */
static int scan_optarg(cli *c, int ch, const char *arg, scan_cmd *sc)
{
    if (ch == 's') {
        if (strcmp(arg, "smtp") == 0)
            sc->o.starttls = SCAN_STARTTLS_SMTP;
        else if (strcmp(arg, "imap") == 0)
            sc->o.starttls = SCAN_STARTTLS_IMAP;
        else
            return cli_usage(c, "--starttls takes smtp or imap, not '%s'", arg);
        return -1;
    }
    char *end;
    double s = strtod(arg, &end);
    if (end == arg || *end || !(s > 0 && s <= 600))
        return cli_usage(c, "--timeout takes seconds (up to 600), not '%s'", arg);
    sc->o.timeout_ms = (int)(s * 1000 + 0.5);
    return -1;
}

/* The options and the target. -1 to go on, else the exit status. */
static int scan_args(cli *c, int argc, char **argv, scan_cmd *sc)
{
    static const struct option longopts[] = {
        {"app", required_argument, NULL, 'a'},
        {"starttls", required_argument, NULL, 's'},
        {"timeout", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int ch, rc;

    while ((ch = cli_getopt(c, argc, argv, "a:s:t:j", longopts, scan_help)) != -1) {
        switch (ch) {
        case 'a': sc->app = optarg; break;
        case 'j': sc->json = 1; break;
        case 's':
        case 't':
            if ((rc = scan_optarg(c, ch, optarg, sc)) != -1)
                return rc;
            break;
        default: return TP_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage(c, "which server? e.g. 'tlspolicy scan 127.0.0.1:443'");
    sc->target = argv[optind++];
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if (sc->app && !sc->app[0])
        return cli_usage(c, "--app needs a program name");
    if (split_target(sc->target, sc->tbuf, sizeof(sc->tbuf), &sc->o.host, &sc->o.port) != 0)
        return cli_usage(c, "'%s' is not HOST:PORT (or [ADDRESS]:PORT)", sc->target);
    return -1;
}

/* The policy resolved for --app (or this program) and the room for the
 * result. 0, or -1 after the error. */
static int scan_policy(cli *c, scan_cmd *sc)
{
    if (cli_resolve_opts(c) != 0)
        return -1;
    tp_err e = TP_OK;
    const char *name = NULL, *exe = NULL;
    cli_program(sc->app, &name, &exe);
    sc->p = cli_load(c, &e);
    sc->r = sc->p ? tp_policy_resolve(sc->p, name, exe, &e) : NULL;
    if (sc->r == NULL) {
        cli_error(c, "cannot resolve the policy: %s", tp_strerror(e != TP_OK ? e : TP_ERR_NOMEM));
        return -1;
    }
    if (tp_policy_is_fallback(sc->p))
        cli_error(c, "the policy could not be loaded (see tlspolicy check); judging against"
                     " the compiled-in DEFAULT, as programs get it");

    sc->res = calloc(1, sizeof(*sc->res));
    if (sc->res == NULL) {
        cli_error(c, "%s", tp_strerror(TP_ERR_NOMEM));
        return -1;
    }
    sc->profile = tp_resolved_get_str(sc->r, TP_K_PROFILE);
    sc->pfile = tp_policy_file(sc->p);
    return 0;
}

/* Run the scan and report it. Returns the exit status. */
static int scan_report(cli *c, scan_cmd *sc)
{
    if (scan_run(&sc->o, sc->r, sc->res) != 0) {
        if (sc->json)
            print_json(sc, 0, sc->res->error);
        cli_error(c, "%s: %s", sc->target, sc->res->error);
        return TP_EXIT_LOAD;
    }
    const scan_result *res = sc->res;
    int ok = res->accepted_forbidden == 0 && res->chain_problems == 0 && res->allowed_ok;
    if (sc->json)
        print_json(sc, ok, NULL);
    else
        print_text(sc);
    return ok ? TP_EXIT_OK : TP_EXIT_PROBLEMS;
}

int cmd_scan(cli *c, int argc, char **argv)
{
    scan_cmd sc;
    memset(&sc, 0, sizeof(sc));
    sc.o.timeout_ms = 5000;
    int rc = scan_args(c, argc, argv, &sc);
    if (rc != -1)
        return rc;

    char err[256];
    if (scan_init(err, sizeof(err)) != 0) {
        cli_error(c, "%s", err);
        return TP_EXIT_LOAD;
    }
    rc = TP_EXIT_LOAD;
    if (scan_policy(c, &sc) == 0)
        rc = scan_report(c, &sc);
    free(sc.res);
    tp_resolved_free(sc.r);
    tp_policy_free(sc.p);
    scan_cleanup();
    return rc;
}
