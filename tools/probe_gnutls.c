/*
 * probe_gnutls.c - `probe`'s GnuTLS part: live handshakes by gnutls-cli,
 * which asks for each weakness itself, against gnutls-serv on 127.0.0.1
 * (GnuTLS's own programs, package gnutls-bin; GnuTLS is never linked).
 *
 * Each attempt runs twice: under the GnuTLS configuration probed (the one
 * installed, or --gnutls-conf FILE) and with none (GNUTLS_SYSTEM_PRIORITY_FILE
 * = /dev/null), which must connect: that proves the server really offers
 * the weakness. The server always runs with no configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "gnutls_wire.h"
#include "probe_gnutls.h"

static int on_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (path == NULL)
        return 0;
    char *copy = cli_join(path, "");
    int found = 0;
    for (char *save = NULL, *d = strtok_r(copy, ":", &save); d && !found;
         d = strtok_r(NULL, ":", &save)) {
        char full[4096];
        snprintf(full, sizeof(full), "%s/%s", d, prog);
        found = access(full, X_OK) == 0;
    }
    free(copy);
    return found;
}

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof(a);
    int port = -1;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &l) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0)
        close(s);
    return port;
}

static int can_connect(int port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (s >= 0)
        close(s);
    return ok;
}

/* Run argv with GNUTLS_SYSTEM_PRIORITY_FILE = conf (NULL: as inherited,
 * minus the strict switch); stdout+stderr into out. Returns the exit status,
 * or -1. With background, returns the pid instead and discards output. */
static int spawn(char *const argv[], const char *conf, char *out, size_t outlen, int background)
{
    int pfd[2] = {-1, -1};
    if (!background && pipe(pfd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
        dup2(nul, 0);
        if (background) {
            dup2(nul, 1);
            dup2(nul, 2);
        } else {
            dup2(pfd[1], 1);
            dup2(pfd[1], 2);
        }
        if (conf)
            setenv("GNUTLS_SYSTEM_PRIORITY_FILE", conf, 1);
        unsetenv("GNUTLS_SYSTEM_PRIORITY_FAIL_ON_INVALID");
        execvp(argv[0], argv);
        _exit(127);
    }
    if (background)
        return pid;
    close(pfd[1]);
    size_t got = 0;
    char tmp[4096];
    ssize_t n;
    while ((n = read(pfd[0], tmp, sizeof(tmp))) > 0 || (n < 0 && errno == EINTR)) {
        if (n <= 0)
            continue;
        size_t take = (size_t)n;
        if (got + take >= outlen)
            take = outlen - got - 1;
        memcpy(out + got, tmp, take);
        got += take;
    }
    out[got] = '\0';
    close(pfd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

typedef struct server {
    pid_t pid;
    int port;
} server;

static int server_start(server *s, const char *dir, const char *cert, const char *prio)
{
    char certf[512], keyf[512], port[16], prioarg[600];
    snprintf(certf, sizeof(certf), "--x509certfile=%s/%s.pem", dir, cert);
    snprintf(keyf, sizeof(keyf), "--x509keyfile=%s/%s.key", dir, cert);
    snprintf(prioarg, sizeof(prioarg), "--priority=%s", prio);
    for (int tries = 0; tries < 3; tries++) {
        s->port = free_port();
        snprintf(port, sizeof(port), "%d", s->port);
        char *argv[] = {(char *)"gnutls-serv", (char *)"-q", (char *)"--echo", (char *)"-p", port,
                        certf, keyf, prioarg, NULL};
        s->pid = spawn(argv, "/dev/null", NULL, 0, 1);
        if (s->pid <= 0)
            return -1;
        for (int i = 0; i < 200; i++) {
            if (can_connect(s->port))
                return 0;
            int st;
            if (waitpid(s->pid, &st, WNOHANG) == s->pid)
                break;
            struct timespec ts = {0, 25 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
    }
    return -1;
}

static void server_stop(server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    s->pid = 0;
}

static int client(const char *dir, int port, const char *prio, const char *conf, char *evidence,
                  size_t len)
{
    char ca[512], p[16], prioarg[600], out[8192];
    snprintf(ca, sizeof(ca), "--x509cafile=%s/ca.pem", dir);
    snprintf(p, sizeof(p), "%d", port);
    snprintf(prioarg, sizeof(prioarg), "--priority=%s", prio);
    char *argv[] = {(char *)"gnutls-cli", ca, (char *)"--verify-hostname=localhost",
                    prioarg, (char *)"-p", p, (char *)"127.0.0.1", NULL};
    int rc = spawn(argv, conf, out, sizeof(out), 0);
    int ok = rc == 0 && strstr(out, "- Handshake was completed") != NULL;
    evidence[0] = '\0';
    if (!ok) {
        /* the line that says why: "*** Fatal error: ..." or the alert */
        const char *e = strstr(out, "*** ");
        if (e)
            snprintf(evidence, len, "%.*s", (int)strcspn(e, "\n"), e);
        else
            snprintf(evidence, len, "gnutls-cli exit status %d", rc);
    } else {
        const char *d = strstr(out, "- Description: ");
        if (d)
            snprintf(evidence, len, "%.*s", (int)strcspn(d + 15, "\n"), d + 15);
    }
    return ok;
}

static int disabled(const tp_gnutls_conf *c, tp_gnutls_key k, const char *v)
{
    for (size_t i = 0; i < c->nvalues[k]; i++)
        if (strcmp(c->values[k][i], v) == 0)
            return 1;
    return 0;
}

static void add(gp_result *g, const char *what, const char *cert, const char *sprio,
                const char *cprio, int refuse)
{
    if (g->n >= GP_MAX_ROWS)
        return;
    gp_row *r = &g->rows[g->n++];
    memset(r, 0, sizeof(*r));
    snprintf(r->what, sizeof(r->what), "%s", what);
    r->cert = cert;
    snprintf(r->server_prio, sizeof(r->server_prio), "%s", sprio);
    snprintf(r->client_prio, sizeof(r->client_prio), "%s", cprio);
    r->expect_refused = refuse;
}

/* The rows: what the policy forbids that GnuTLS programs may ask for. */
static void plan(gp_result *g, const tp_gnutls_conf *c, int short_bits)
{
    static const char *const vers[] = {"TLS1.0", "TLS1.1", "TLS1.2"};
    for (size_t i = 0; i < 3; i++)
        if (disabled(c, TP_GK_DISABLED_VERSION, vers[i])) {
            char what[64], sp[128], cp[128];
            snprintf(what, sizeof(what), "version %s", vers[i]);
            snprintf(sp, sizeof(sp), "NORMAL:-VERS-ALL:+VERS-%s:+SHA256", vers[i]);
            snprintf(cp, sizeof(cp), "NORMAL:+VERS-%s", vers[i]);
            add(g, what, "ec", sp, cp, 1);
        }
    /* cipher families, TLS 1.2 (first two the policy leaves out) */
    static const char *const ciphers[] = {"3DES-CBC", "CAMELLIA-128-CBC", "AES-128-CBC",
                                          "AES-256-CBC", "AES-128-GCM", "AES-128-CCM-8"};
    int nc = 0;
    int tls12 = !disabled(c, TP_GK_DISABLED_VERSION, "TLS1.2");
    for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]) && nc < 2 && tls12; i++)
        if (disabled(c, TP_GK_TLS_DISABLED_CIPHER, ciphers[i])) {
            char what[64], sp[160], cp[160];
            snprintf(what, sizeof(what), "cipher %s (TLS 1.2)", ciphers[i]);
            snprintf(sp, sizeof(sp), "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+%s:+SHA1:+SHA256",
                     ciphers[i]);
            snprintf(cp, sizeof(cp), "NORMAL:+%s:+SHA1:+SHA256", ciphers[i]);
            add(g, what, "ec", sp, cp, 1);
            nc++;
        }
    if (disabled(c, TP_GK_INSECURE_SIG_FOR_CERT, "ECDSA-SHA1"))
        add(g, "SHA-1 signed certificate (%VERIFY_ALLOW_SIGN_WITH_SHA1)", "sha1", "NORMAL",
            "NORMAL:%VERIFY_ALLOW_SIGN_WITH_SHA1", 1);
    if (short_bits && c->profile) {
        char what[96];
        snprintf(what, sizeof(what), "RSA-%d certificate (%%PROFILE_VERY_WEAK)", short_bits);
        add(g, what, "shortca", "NORMAL", "NORMAL:%PROFILE_VERY_WEAK", 1);
    }
    if (!disabled(c, TP_GK_DISABLED_VERSION, "TLS1.3"))
        add(g, "TLS 1.3, program defaults", "ec", "NORMAL:-VERS-ALL:+VERS-TLS1.3", "NORMAL", 0);
    if (tls12)
        add(g, "TLS 1.2, program defaults", "ec", "NORMAL:-VERS-ALL:+VERS-TLS1.2", "NORMAL", 0);
}

/* Whether the configuration conf is probed: the installed one only if
 * tlspolicy wrote it, a --gnutls-conf one (forced) if it can be read; if
 * not, why in g->skip. */
static int conf_probed(gp_result *g, const char *conf, int forced)
{
    size_t len = 0;
    FILE *f = fopen(conf, "re");
    int opened = f != NULL;
    char head[128] = "";
    if (f) {
        len = fread(head, 1, sizeof(head) - 1, f);
        head[len] = '\0';
        fclose(f);
    }
    if (!forced && (!opened || strncmp(head, TP_GNUTLS_MARKER, strlen(TP_GNUTLS_MARKER)) != 0)) {
        snprintf(g->skip, sizeof(g->skip), "%s %s: GnuTLS programs are not held to the policy "
                 "(`tlspolicy enable` installs it); not probed", conf,
                 opened ? "was not written by tlspolicy" : "is absent");
        return 0;
    }
    if (forced && !opened) {
        snprintf(g->skip, sizeof(g->skip), "%s: %s", conf, strerror(errno));
        g->problems++;
        return 0;
    }
    return 1;
}

/* The rows for the policy r, in GnuTLS's names; 0, or -1 with why in g->skip. */
static int plan_policy(gp_result *g, const tp_resolved *r, int short_bits)
{
    gw_lib lib;
    gw_lib_load(&lib);
    tp_gnutls_conf want;
    int rc = -1;
    if (tp_render_gnutls(r, &lib.names, &want) != TP_OK) {
        snprintf(g->skip, sizeof(g->skip), "out of memory");
        g->problems++;
        goto out;
    }
    plan(g, &want, short_bits);
    tp_gnutls_conf_clear(&want);
    rc = 0;
out:
    gw_lib_free(&lib);
    return rc;
}

/* One row: gnutls-serv offering what it asks for, gnutls-cli with no
 * configuration (the control) and under conf; its verdict. */
static void run_row(gp_result *g, gp_row *row, const char *dir, const char *conf)
{
    server s;
    if (server_start(&s, dir, row->cert, row->server_prio) != 0) {
        snprintf(row->evidence, sizeof(row->evidence), "gnutls-serv did not start");
        row->problem = 1;
        g->problems++;
        return;
    }
    char ev[256];
    row->control_ok = client(dir, s.port, row->client_prio, "/dev/null", ev, sizeof(ev));
    row->policy_ok = client(dir, s.port, row->client_prio, conf,
                            row->evidence, sizeof(row->evidence));
    server_stop(&s);
    if (!row->control_ok) {
        row->inconclusive = 1;
        snprintf(row->evidence, sizeof(row->evidence), "no connection even without the "
                 "configuration (%.180s)", ev);
    } else if (row->expect_refused == row->policy_ok) {
        row->problem = 1;
        g->problems++;
    }
}

/* Probe the GnuTLS configuration, if there is one to probe: plan the rows, run each. */
void gp_run(cli *c, const tp_resolved *r, const char *dir, const char *conf_opt, int short_bits,
            gp_result *g)
{
    memset(g, 0, sizeof(*g));
    char *conf = conf_opt ? cli_join(conf_opt, "") : gw_path(c, NULL);
    snprintf(g->conf, sizeof(g->conf), "%s", conf);
    if (!on_path("gnutls-cli") || !on_path("gnutls-serv")) {
        snprintf(g->skip, sizeof(g->skip), "gnutls-cli/gnutls-serv not installed: not probed");
        goto out;
    }
    if (!conf_probed(g, conf, conf_opt != NULL) || plan_policy(g, r, short_bits) != 0)
        goto out;
    g->ran = 1;
    for (int i = 0; i < g->n; i++)
        run_row(g, &g->rows[i], dir, conf);
out:
    free(conf);
}

static const char *verdict(const gp_row *r)
{
    if (r->inconclusive)
        return "inconclusive";
    if (r->expect_refused)
        return r->policy_ok ? "NOT ENFORCED" : "refused";
    return r->policy_ok ? "works" : "BROKEN";
}

void gp_print_text(const gp_result *g, FILE *f)
{
    fprintf(f, "\nGnuTLS (%s):\n", g->conf);
    if (!g->ran) {
        fprintf(f, "  %s\n", g->skip);
        return;
    }
    for (int i = 0; i < g->n; i++) {
        const gp_row *r = &g->rows[i];
        fprintf(f, "  %-60s %-13s %s\n", r->what, verdict(r), r->evidence);
    }
    fprintf(f, "  (each attempt by gnutls-cli --priority '<what it asks>'; without the "
            "configuration every one connects)\n");
}

void gp_print_json(const gp_result *g, json_w *w)
{
    json_obj_begin(w);
    json_key(w, "config");
    json_str(w, g->conf);
    json_key(w, "probed");
    json_bool(w, g->ran);
    json_key(w, "note");
    json_str(w, g->ran ? NULL : g->skip);
    json_key(w, "attempts");
    json_arr_begin(w);
    for (int i = 0; i < g->n; i++) {
        const gp_row *r = &g->rows[i];
        json_obj_begin(w);
        json_key(w, "what");
        json_str(w, r->what);
        json_key(w, "client_priority");
        json_str(w, r->client_prio);
        json_key(w, "expect");
        json_str(w, r->expect_refused ? "refused" : "works");
        json_key(w, "without_config");
        json_str(w, r->control_ok ? "connected" : "failed");
        json_key(w, "result");
        json_str(w, verdict(r));
        json_key(w, "evidence");
        json_str(w, r->evidence);
        json_obj_end(w);
    }
    json_arr_end(w);
    json_key(w, "problems");
    json_int(w, g->problems);
    json_obj_end(w);
}
