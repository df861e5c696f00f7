/*
 * cmd_coverage.c - `coverage`: which running processes the policy reaches.
 *
 * From /proc: every process that maps a TLS library, whether tlspolicy.so is
 * mapped in it, and what may explain a gap. What counts:
 *   - OpenSSL 3 is libcrypto.so.3, with or without libssl.so.3: the module
 *     is loaded through libcrypto's configuration, and the provider's floors
 *     (signatures, key sizes) matter to libcrypto-only programs such as
 *     ssh-keygen too. Such a process without the module is "uncovered".
 *   - OpenSSL 1.1, GnuTLS and NSS are listed ("other"): the policy does not
 *     reach them, which is worth knowing, but they are not OpenSSL 3
 *     processes that escaped it.
 * Programs with a TLS library of their own (static OpenSSL, exported or
 * not, BoringSSL) are recognised in cov_own.c. Unprivileged, only the
 * caller's own processes are looked at (others' maps are unreadable); as
 * root, all of them.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "esc.h"
#include "gnutls_wire.h"
#include "cov_own.h"
#include "json.h"
#include "probe.h"
#include "scan.h"
#include "tp_config.h"

enum {
    M_SSL3 = 1 << 0,
    M_CRYPTO3 = 1 << 1,
    M_OSSL11 = 1 << 2,
    M_GNUTLS = 1 << 3,
    M_NSS = 1 << 4,
    M_MODULE = 1 << 5,
    M_MODULE_DELETED = 1 << 6,
};

typedef struct proc_info {
    int pid;
    unsigned uid;
    char comm[64];
    char exe[512];
    unsigned flags;
    char *openssl_conf;   /* from environ, NULL if absent or unreadable */
    char *gnutls_conf;    /* GNUTLS_SYSTEM_PRIORITY_FILE, likewise */
    int environ_read;
    long long start;      /* seconds since the epoch, 0 if unknown */
    const char *status;   /* covered uncovered other */
    cov_own own;          /* an OpenSSL (or BoringSSL) of its own, cov_own.c */
    char reason[512];
} proc_info;

typedef struct procs {
    proc_info *v;
    size_t n, cap;
} procs;

/* One run of coverage: what the processes are judged against, the
 * processes, and how many are in each class. */
typedef struct coverage {
    char *cnf;           /* the system openssl.cnf */
    long long wired_at;  /* its mtime, 0 if unknown */
    long long policy_at; /* the policy file's mtime, 0 if unknown */
    long long btime;     /* the boot time, for the processes' start times */
    int all;             /* root: every process, else the caller's own */
    procs ps;
    int covered, uncovered, ossl11, others_stacks;
} coverage;

static unsigned map_flags(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strncmp(base, "libssl.so.3", 11) == 0)
        return M_SSL3;
    if (strncmp(base, "libcrypto.so.3", 14) == 0)
        return M_CRYPTO3;
    if (strncmp(base, "libssl.so.1.1", 13) == 0 || strncmp(base, "libcrypto.so.1.1", 16) == 0)
        return M_OSSL11;
    if (strncmp(base, "libgnutls.so", 12) == 0)
        return M_GNUTLS;
    if (strncmp(base, "libnss3.so", 10) == 0)
        return M_NSS;
    if (strncmp(base, "tlspolicy", 9) == 0 && strstr(base, ".so"))
        return strstr(base, "(deleted)") ? M_MODULE | M_MODULE_DELETED : M_MODULE;
    return 0;
}

static int read_maps(int pid, unsigned *flags)
{
    char path[64], line[4096];
    snprintf(path, sizeof(path), "/proc/%d/maps", pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    *flags = 0;
    while (fgets(line, sizeof(line), f)) {
        char *p = strchr(line, '/');
        if (p) {
            p[strcspn(p, "\n")] = '\0';
            *flags |= map_flags(p);
        }
    }
    fclose(f);
    return 0;
}

/* OPENSSL_CONF from the process's initial environment. */
static void read_environ(proc_info *pi)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/environ", pi->pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return;
    char *entry = NULL;
    size_t cap = 0;
    ssize_t n;
    pi->environ_read = 1;
    while ((n = getdelim(&entry, &cap, '\0', f)) > 0) {
        if (strncmp(entry, "OPENSSL_CONF=", 13) == 0) {
            free(pi->openssl_conf);
            pi->openssl_conf = cli_join(entry + 13, "");
        }
        if (strncmp(entry, "GNUTLS_SYSTEM_PRIORITY_FILE=", 28) == 0) {
            free(pi->gnutls_conf);
            pi->gnutls_conf = cli_join(entry + 28, "");
        }
    }
    free(entry);
    fclose(f);
}

static long long boot_time(void)
{
    FILE *f = fopen("/proc/stat", "re");
    char line[256];
    long long bt = 0;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "btime %lld", &bt) == 1)
            break;
    if (f)
        fclose(f);
    return bt;
}

/* Start time: field 22 of /proc/PID/stat, after the parenthesised comm. */
static long long start_time(int pid, long long btime)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (p == NULL)
        return 0;
    unsigned long long ticks = 0;
    int field = 2;
    for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " "))
        if (++field == 22) {
            ticks = strtoull(tok, NULL, 10);
            break;
        }
    long hz = sysconf(_SC_CLK_TCK);
    return btime && hz > 0 ? btime + (long long)(ticks / (unsigned long long)hz) : 0;
}

static int read_proc(int pid, proc_info *pi, long long btime)
{
    char path[64];
    struct stat st;

    memset(pi, 0, sizeof(*pi));
    pi->pid = pid;
    snprintf(path, sizeof(path), "/proc/%d", pid);
    if (stat(path, &st) != 0)
        return -1;
    pi->uid = (unsigned)st.st_uid;
    if (read_maps(pid, &pi->flags) != 0)
        return -1;
    cov_own_scan(pid, &pi->own);
    if (pi->flags == 0 && !pi->own.found)
        return -1;
    snprintf(path, sizeof(path), "/proc/%d/comm", pid);
    FILE *f = fopen(path, "re");
    if (f) {
        if (fgets(pi->comm, sizeof(pi->comm), f))
            pi->comm[strcspn(pi->comm, "\n")] = '\0';
        fclose(f);
    }
    snprintf(path, sizeof(path), "/proc/%d/exe", pid);
    ssize_t n = readlink(path, pi->exe, sizeof(pi->exe) - 1);
    pi->exe[n > 0 ? n : 0] = '\0';
    read_environ(pi);
    pi->start = start_time(pid, btime);
    return 0;
}

static gw_cov gnutls_cov; /* the GnuTLS configuration (gnutls_wire.c) */

static void classify(proc_info *pi, long long wired_at, const char *cnf, long long policy_at)
{
    unsigned f = pi->flags;
    if (pi->own.found) {
        pi->status = cov_own_classify(&pi->own, (f & M_MODULE) != 0, pi->exe,
                                      pi->openssl_conf ? pi->openssl_conf : cnf, pi->reason,
                                      sizeof(pi->reason));
    } else if (f & (M_SSL3 | M_CRYPTO3)) {
        if (f & M_MODULE) {
            pi->status = "covered";
            if (f & M_MODULE_DELETED)
                snprintf(pi->reason, sizeof(pi->reason),
                         "tlspolicy.so was replaced since it started: restart it for the new module");
            else if (pi->start && policy_at && pi->start + 1 < policy_at) /* 1 s of rounding */
                snprintf(pi->reason, sizeof(pi->reason), "%s",
                         "the policy changed since it started: it keeps the one it read then");
        } else {
            pi->status = "uncovered";
            if (cov_node_reason(pi->exe, pi->openssl_conf ? pi->openssl_conf : cnf, pi->reason,
                                sizeof(pi->reason)))
                ; /* Node.js: nodejs_conf */
            else if (pi->openssl_conf)
                snprintf(pi->reason, sizeof(pi->reason), "own OPENSSL_CONF=%s", pi->openssl_conf);
            else if (pi->start && wired_at && pi->start + 1 < wired_at)
                snprintf(pi->reason, sizeof(pi->reason),
                         "started before %s was last changed: restart it", cnf);
            else
                snprintf(pi->reason, sizeof(pi->reason), "%s",
                         "configuration skipped or another openssl.cnf, or started before the wiring");
        }
    } else if (f & M_GNUTLS) {
        pi->status = gw_cov_classify(&gnutls_cov, pi->start, pi->gnutls_conf, pi->reason,
                                     sizeof(pi->reason));
    } else {
        pi->status = "other";
    }
    if ((f & M_GNUTLS) && (f & (M_SSL3 | M_CRYPTO3))) {
        char why[256];
        const char *st = gw_cov_classify(&gnutls_cov, pi->start, pi->gnutls_conf, why, sizeof(why));
        size_t l = strlen(pi->reason);
        snprintf(pi->reason + l, sizeof(pi->reason) - l, "%s%.200s", l ? "; also " : "",
                 strcmp(st, "covered") == 0 ? "GnuTLS: covered by its configuration" : why);
    }
    char extra[256] = "";
    if (f & M_OSSL11)
        strcat(extra, "OpenSSL 1.1: not reached by the policy, ");
    if (f & M_NSS)
        strcat(extra, "NSS: no system-wide hook here, ");
    if (extra[0]) {
        extra[strlen(extra) - 2] = '\0';
        size_t l = strlen(pi->reason);
        snprintf(pi->reason + l, sizeof(pi->reason) - l, "%s%s", l ? "; also " : "", extra);
    }
}

static int proc_cmp(const void *a, const void *b)
{
    return ((const proc_info *)a)->pid - ((const proc_info *)b)->pid;
}

static void coverage_help(FILE *f)
{
    fputs("Usage: tlspolicy coverage [--json]\n"
          "\n"
          "Which running processes the policy reaches, from /proc: every process\n"
          "that maps OpenSSL 3 (libcrypto.so.3, with or without libssl.so.3) and\n"
          "whether tlspolicy.so is mapped in it. A process mapping GnuTLS is\n"
          "covered when tlspolicy's GnuTLS configuration (" GW_CONFIG ",\n"
          "under --root DIR) was written before it started and its environment\n"
          "does not name another (GNUTLS_SYSTEM_PRIORITY_FILE). Processes on\n"
          "OpenSSL 1.1 or NSS (no system-wide hook here) are listed too. For an\n"
          "uncovered process the likely reason: its own OPENSSL_CONF (when its\n"
          "environment is readable), started before openssl.cnf last changed, or\n"
          "configuration skipped; for node, nodejs_conf. Programs with their own\n"
          "OpenSSL (exported from the executable, as NodeSource's node, or found\n"
          "by its version text) or BoringSSL are listed with what that means.\n"
          "A covered process started before the policy file\n"
          "last changed keeps the policy it read then. Unprivileged: your own\n"
          "processes; as root: all.\n"
          "\n"
          "  --json       one JSON object (\"schema\": 1)\n"
          "  --root DIR, --policy FILE, -h/--help as for tlspolicy --help\n"
          "\n"
          "Exit status: 0 every OpenSSL 3 and GnuTLS process is covered, 1 one is not,\n"
          "2 usage error.\n", f);
}

/* The processes in /proc this user may see (all, as root), classified,
 * sorted by pid. -1 if /proc cannot be read (said on stderr). */
static int collect_procs(cli *c, coverage *cv)
{
    procs *ps = &cv->ps;
    DIR *d = opendir("/proc");
    if (d == NULL) {
        cli_error(c, "cannot read /proc: %s", strerror(errno));
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        int pid = atoi(e->d_name);
        if (pid == getpid())
            continue; /* this command links OpenSSL but reads no configuration */
        proc_info pi;
        if (read_proc(pid, &pi, cv->btime) != 0)
            continue;
        if (!cv->all && pi.uid != getuid()) {
            free(pi.openssl_conf);
            free(pi.gnutls_conf);
            continue;
        }
        classify(&pi, cv->wired_at, cv->cnf, cv->policy_at);
        if (ps->n == ps->cap) {
            size_t cap = ps->cap ? ps->cap * 2 : 64;
            proc_info *v = realloc(ps->v, cap * sizeof(*v));
            if (v == NULL) {
                free(pi.openssl_conf);
                free(pi.gnutls_conf);
                break;
            }
            ps->v = v;
            ps->cap = cap;
        }
        ps->v[ps->n++] = pi;
    }
    closedir(d);
    if (ps->n)
        qsort(ps->v, ps->n, sizeof(*ps->v), proc_cmp);
    return 0;
}

/* An uncovered server started before the change: scan says what it
 * accepts today. */
static void note_listeners(procs *ps, int uncovered)
{
    scan_listener *ls = uncovered ? calloc(SCAN_MAX_LISTEN, sizeof(*ls)) : NULL;
    int nls = ls ? scan_listeners(ls, SCAN_MAX_LISTEN, 0, NULL) : 0;
    for (size_t i = 0; i < ps->n && nls > 0; i++) {
        proc_info *pi = &ps->v[i];
        int k = strcmp(pi->status, "uncovered") == 0 ? scan_listener_of(pi->pid, ls, nls) : -1;
        size_t used = strlen(pi->reason);
        if (k >= 0)
            snprintf(pi->reason + used, sizeof(pi->reason) - used,
                     "; it listens on %s: see what it accepts with 'tlspolicy scan %s'",
                     ls[k].shown, ls[k].shown);
    }
    free(ls);
}

static void json_proc(json_w *w, const proc_info *pi)
{
    json_obj_begin(w);
    json_key(w, "pid");
    json_int(w, pi->pid);
    json_key(w, "uid");
    json_int(w, (long)pi->uid);
    json_key(w, "comm");
    json_str(w, pi->comm);
    json_key(w, "exe");
    json_str(w, pi->exe[0] ? pi->exe : NULL);
    json_key(w, "status");
    json_str(w, pi->status);
    json_key(w, "libraries");
    json_arr_begin(w);
    if (pi->flags & M_SSL3)
        json_str(w, "libssl.so.3");
    if (pi->flags & M_CRYPTO3)
        json_str(w, "libcrypto.so.3");
    if (pi->flags & M_OSSL11)
        json_str(w, "openssl-1.1");
    if (pi->flags & M_GNUTLS)
        json_str(w, "gnutls");
    if (pi->flags & M_NSS)
        json_str(w, "nss");
    json_arr_end(w);
    json_key(w, "module");
    json_bool(w, (pi->flags & M_MODULE) != 0);
    json_key(w, "own_tls_library");
    if (pi->own.found) {
        json_obj_begin(w);
        json_key(w, "file");
        json_str(w, pi->own.file);
        json_key(w, "library");
        json_str(w, pi->own.boringssl ? "BoringSSL" : "OpenSSL");
        json_key(w, "version");
        json_str(w, pi->own.version[0] ? pi->own.version : NULL);
        json_key(w, "exported");
        json_bool(w, pi->own.exported);
        json_obj_end(w);
    } else {
        json_null(w);
    }
    json_key(w, "openssl_conf");
    if (pi->environ_read)
        json_str(w, pi->openssl_conf);
    else
        json_null(w);
    json_key(w, "environ_readable");
    json_bool(w, pi->environ_read);
    json_key(w, "reason");
    json_str(w, pi->reason[0] ? pi->reason : NULL);
    json_obj_end(w);
}

/* What the processes are judged against: the openssl.cnf and when it
 * changed, when the policy file changed, the GnuTLS configuration, the boot
 * time, and whose processes to look at. */
static void coverage_init(cli *c, coverage *cv)
{
    struct stat st;

    memset(cv, 0, sizeof(*cv));
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
    cv->cnf = conf_default_file();
    cv->wired_at = stat(cv->cnf, &st) == 0 ? (long long)st.st_mtime : 0;
    /* The policy file, found as the other commands find it (the module
     * reads it once, at a process's start). */
    if (cli_resolve_opts(c) == 0) {
        if (stat(c->where.path, &st) == 0)
            cv->policy_at = (long long)st.st_mtime;
    }
    gw_cov_init(c, &gnutls_cov);
    cv->btime = boot_time();
    cv->all = geteuid() == 0;
}

/* How many processes are in each class. */
static void count_procs(coverage *cv)
{
    for (size_t i = 0; i < cv->ps.n; i++) {
        const proc_info *pi = &cv->ps.v[i];
        cv->covered += strcmp(pi->status, "covered") == 0;
        cv->uncovered += strcmp(pi->status, "uncovered") == 0;
        cv->ossl11 += (pi->flags & M_OSSL11) != 0;
        cv->others_stacks += (pi->flags & (M_GNUTLS | M_NSS)) != 0;
    }
}

/* The --json document. 1 if it could not be completed, else 0. */
static int print_json(const coverage *cv)
{
    json_w w;
    cli_json_begin(&w);
    json_key(&w, "scope");
    json_str(&w, cv->all ? "all" : "own");
    json_key(&w, "openssl_conf");
    json_str(&w, cv->cnf);
    json_key(&w, "processes");
    json_arr_begin(&w);
    for (size_t i = 0; i < cv->ps.n; i++)
        json_proc(&w, &cv->ps.v[i]);
    json_arr_end(&w);
    json_key(&w, "summary");
    json_obj_begin(&w);
    json_key(&w, "covered");
    json_int(&w, cv->covered);
    json_key(&w, "uncovered");
    json_int(&w, cv->uncovered);
    json_key(&w, "openssl_1_1");
    json_int(&w, cv->ossl11);
    json_key(&w, "other_tls_stacks");
    json_int(&w, cv->others_stacks);
    json_obj_end(&w);
    json_obj_end(&w);
    return json_finish(&w) != 0;
}

/* One line per process, then the summary. */
static void print_table(const coverage *cv)
{
    printf("%-8s %-6s %-16s %-10s %s\n", "PID", "UID", "COMMAND", "STATUS", "WHY");
    for (size_t i = 0; i < cv->ps.n; i++) {
        const proc_info *pi = &cv->ps.v[i];
        printf("%-8d %-6u %-16s %-10s %s\n", pi->pid, pi->uid, esc(pi->comm), esc(pi->status),
               esc(pi->reason));
    }
    printf("\n%d covered, %d uncovered (OpenSSL 3 without tlspolicy.so, or GnuTLS without "
           "tlspolicy's configuration), %d on OpenSSL 1.1,"
           " %d using GnuTLS or NSS; scope: %s processes\n",
           cv->covered, cv->uncovered, cv->ossl11, cv->others_stacks, cv->all ? "all" : "your own");
}

/* Free what coverage_init and collect_procs took. */
static void coverage_free(coverage *cv)
{
    for (size_t i = 0; i < cv->ps.n; i++) {
        free(cv->ps.v[i].openssl_conf);
        free(cv->ps.v[i].gnutls_conf);
    }
    free(cv->ps.v);
    cov_own_free_cache();
    free(cv->cnf);
    gw_cov_free(&gnutls_cov);
}

int cmd_coverage(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int json = 0, ch;

    while ((ch = cli_getopt(c, argc, argv, "j", longopts, coverage_help)) != -1) {
        switch (ch) {
        case 'j': json = 1; break;
        default: return TP_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);

    coverage cv;
    int rc = TP_EXIT_PROBLEMS, out_bad = 0; /* the JSON document could not be completed */
    coverage_init(c, &cv);
    if (collect_procs(c, &cv) != 0)
        goto out;
    count_procs(&cv);
    note_listeners(&cv.ps, cv.uncovered);
    if (json)
        out_bad = print_json(&cv);
    else
        print_table(&cv);
    rc = cv.uncovered || out_bad ? TP_EXIT_PROBLEMS : TP_EXIT_OK;
out:
    coverage_free(&cv);
    return rc;
}
