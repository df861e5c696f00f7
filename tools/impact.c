/*
 * impact.c - what a proposed policy would break on this machine, for
 * `set --dry-run`, a plain `set` and `check --impact FILE`.
 *
 * The TLS servers are found among the TCP sockets in LISTEN state
 * (/proc/net/tcp, /proc/net/tcp6). Only those reachable on loopback are
 * contacted: bound to the wildcard address or to a loopback address (a
 * socket bound to another address is counted and left alone). Each is
 * scanned twice (scan_tls.c, listener_only): a wide client says whether it
 * speaks TLS, what it negotiates today and which chain it sends; a client
 * with the proposed policy's settings says whether clients under it can
 * still connect. Each is judged with the rule for its own program.
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
#include "probe.h"
#include "scan.h"
#include "tp_config.h"

/* /proc/net/tcp keeps addresses as 32-bit words in host order. */
static int parse_v4(const char *hex, unsigned char out[4])
{
    unsigned long w = strtoul(hex, NULL, 16);
    memcpy(out, &(uint32_t){(uint32_t)w}, 4);
    return 0;
}

static int parse_v6(const char *hex, unsigned char out[16])
{
    for (int i = 0; i < 4; i++) {
        char word[9];
        memcpy(word, hex + 8 * i, 8);
        word[8] = '\0';
        uint32_t w = (uint32_t)strtoul(word, NULL, 16);
        memcpy(out + 4 * i, &w, 4);
    }
    return 0;
}

static int have(const scan_listener *l, int n, const char *host, const char *port)
{
    for (int i = 0; i < n; i++)
        if (strcmp(l[i].host, host) == 0 && strcmp(l[i].port, port) == 0)
            return 1;
    return 0;
}

/* Listening sockets of one table; *skipped counts the unreachable ones. */
static void read_table(const char *file, int v6, scan_listener *l, int max, int *n, int *skipped)
{
    FILE *f = fopen(file, "re");
    char line[512];
    if (f == NULL)
        return;
    if (!fgets(line, sizeof(line), f)) { /* header */
        fclose(f);
        return;
    }
    while (*n < max && fgets(line, sizeof(line), f)) {
        char local[64], remote[64], st[8];
        unsigned long inode = 0;
        if (sscanf(line, " %*s %63s %63s %7s %*s %*s %*s %*s %*s %lu", local, remote, st, &inode) != 4
            || strcmp(st, "0A") != 0)
            continue;
        char *colon = strchr(local, ':');
        if (colon == NULL)
            continue;
        *colon = '\0';
        unsigned port = (unsigned)strtoul(colon + 1, NULL, 16);
        char host[64], shown[80], ps[8];
        snprintf(ps, sizeof(ps), "%u", port);
        if (!v6) {
            unsigned char a[4];
            parse_v4(local, a);
            if (!(a[0] == 127 || (a[0] | a[1] | a[2] | a[3]) == 0)) {
                (*skipped)++;
                continue;
            }
            snprintf(host, sizeof(host), "%u.%u.%u.%u", a[0] ? a[0] : 127, a[1], a[2],
                     a[0] ? a[3] : 1);
            snprintf(shown, sizeof(shown), "%s:%s", host, ps);
        } else {
            unsigned char a[16], any[16] = {0}, lo[16] = {0};
            lo[15] = 1;
            parse_v6(local, a);
            int mapped_lo = memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 && a[12] == 127;
            if (memcmp(a, any, 16) == 0 || memcmp(a, lo, 16) == 0)
                snprintf(host, sizeof(host), "::1");
            else if (mapped_lo)
                snprintf(host, sizeof(host), "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
            else {
                (*skipped)++;
                continue;
            }
            snprintf(shown, sizeof(shown), strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, ps);
        }
        if (have(l, *n, host, ps))
            continue;
        scan_listener *x = &l[(*n)++];
        memset(x, 0, sizeof(*x));
        snprintf(x->host, sizeof(x->host), "%s", host);
        snprintf(x->shown, sizeof(x->shown), "%s", shown);
        snprintf(x->port, sizeof(x->port), "%s", ps);
        x->inode = inode;
    }
    fclose(f);
}

int scan_listener_of(int pid, const scan_listener *l, int n)
{
    char path[64], fp[400], link[64];
    snprintf(path, sizeof(path), "/proc/%d/fd", pid);
    DIR *fd = opendir(path);
    struct dirent *f;
    int found = -1;
    while (fd && found < 0 && (f = readdir(fd))) {
        snprintf(fp, sizeof(fp), "%s/%s", path, f->d_name);
        ssize_t k = readlink(fp, link, sizeof(link) - 1);
        unsigned long ino;
        if (k <= 0)
            continue;
        link[k] = '\0';
        if (sscanf(link, "socket:[%lu]", &ino) != 1)
            continue;
        for (int i = 0; i < n && found < 0; i++)
            if (l[i].inode == ino)
                found = i;
    }
    if (fd)
        closedir(fd);
    return found;
}

/* Owners of the sockets, where /proc lets us read the fds: the first
 * process found holding each. */
static void find_owners(scan_listener *l, int n)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        int pid = atoi(e->d_name), i = scan_listener_of(pid, l, n);
        if (i < 0 || l[i].pid)
            continue;
        char fp[64];
        l[i].pid = pid;
        snprintf(fp, sizeof(fp), "/proc/%d/exe", pid);
        ssize_t k = readlink(fp, l[i].exe, sizeof(l[i].exe) - 1);
        l[i].exe[k > 0 ? k : 0] = '\0';
        const char *slash = strrchr(l[i].exe, '/');
        snprintf(l[i].prog, sizeof(l[i].prog), "%s", slash ? slash + 1 : "");
    }
    if (d)
        closedir(d);
}

int scan_listeners(scan_listener *l, int max, int owners, int *skipped)
{
    int n = 0, skip = 0;
    read_table("/proc/net/tcp", 0, l, max, &n, &skip);
    read_table("/proc/net/tcp6", 1, l, max, &n, &skip);
    if (n == 0 && access("/proc/net/tcp", R_OK) != 0)
        return -1;
    if (owners)
        find_owners(l, n);
    if (skipped)
        *skipped = skip;
    return n;
}

/* The value of NAME in /proc/PID/environ (malloc'ed), or NULL. */
static char *proc_env(int pid, const char *name)
{
    char path[64], *entry = NULL, *val = NULL;
    size_t cap = 0, nl = strlen(name);
    snprintf(path, sizeof(path), "/proc/%d/environ", pid);
    FILE *f = fopen(path, "re");
    while (f && getdelim(&entry, &cap, '\0', f) > 0)
        if (strncmp(entry, name, nl) == 0 && entry[nl] == '=') {
            free(val);
            val = cli_join(entry + nl + 1, "");
        }
    free(entry);
    if (f)
        fclose(f);
    return val;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return strcmp(a, b) == 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * Why the server of l does not read the system policy (so a change of it
 * does not reach the server), or NULL: another root directory (a chroot or
 * a container: its own /etc), its own OPENSSL_CONF, or its own
 * TLSPOLICY_CONF. cnf and policy: the system's openssl.cnf and policy file.
 */
static const char *reads_other(const scan_listener *l, const char *cnf, const char *policy,
                               char *buf, size_t len)
{
    struct stat mine, theirs;
    char path[64];
    if (l->pid == 0)
        return NULL;
    snprintf(path, sizeof(path), "/proc/%d/root", l->pid);
    if (stat("/proc/self/root", &mine) == 0 && stat(path, &theirs) == 0
        && (mine.st_dev != theirs.st_dev || mine.st_ino != theirs.st_ino)) {
        snprintf(buf, len, "another root directory");
        return buf;
    }
    char *oc = proc_env(l->pid, "OPENSSL_CONF"), *tc = proc_env(l->pid, "TLSPOLICY_CONF");
    buf[0] = '\0';
    if (oc && !same_file(oc, cnf))
        snprintf(buf, len, "own OPENSSL_CONF=%.200s", oc);
    else if (tc && tc[0] && !same_file(tc, policy))
        snprintf(buf, len, "own TLSPOLICY_CONF=%.200s", tc);
    free(oc);
    free(tc);
    return buf[0] ? buf : NULL;
}

/* What the reference handshake negotiated that r drops. */
static void dropped(const tp_resolved *r, const scan_attempt *ref, char *buf, size_t len)
{
    tp_ossl_settings s;
    buf[0] = '\0';
    if (tp_render_ossl(r, OpenSSL_version_num(), &s) != TP_OK)
        return;
    long min = tp_resolved_get_int(r, TP_K_TLS_MIN);
    const char *v = ref->version;
    int vnum = strcmp(v, "TLSv1") == 0 ? TP_V_TLS1_0 : strcmp(v, "TLSv1.1") == 0 ? TP_V_TLS1_1
               : strcmp(v, "TLSv1.2") == 0 ? TP_V_TLS1_2 : TP_V_TLS1_3;
    if (vnum < min)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? ", " : "", v);
    const char *list = tp_ossl_get(&s, vnum == TP_V_TLS1_3 ? "Ciphersuites" : "CipherString");
    if (ref->cipher[0] && !scan_in_list(list, ref->cipher))
        snprintf(buf + strlen(buf), len - strlen(buf), "%ssuite %s", buf[0] ? ", " : "",
                 ref->cipher);
    const char *g = ref->group[0] ? tp_name_canonical(TP_N_GROUP, ref->group) : NULL;
    int found = g == NULL;
    for (size_t i = 0; g && i < tp_resolved_list_len(r, TP_K_TLS_GROUPS); i++)
        found |= strcmp(tp_resolved_list_item(r, TP_K_TLS_GROUPS, i), g) == 0;
    if (!found || (ref->group[0] && g == NULL))
        snprintf(buf + strlen(buf), len - strlen(buf), "%sgroup %s", buf[0] ? ", " : "",
                 ref->group);
    tp_ossl_settings_clear(&s);
}

int impact_report(const tp_policy *p, const char *label, FILE *out, char *err, size_t errlen)
{
    scan_listener *l = calloc(SCAN_MAX_LISTEN, sizeof(*l));
    scan_result *res = calloc(1, sizeof(*res));
    int n = 0, skipped = 0, tls = 0, breaks = 0, affected = 0;

    if (l == NULL || res == NULL) {
        snprintf(err, errlen, "%s", tp_strerror(TP_ERR_NOMEM));
        free(l);
        free(res);
        return -1;
    }
    n = scan_listeners(l, SCAN_MAX_LISTEN, 1, &skipped);
    if (n < 0) {
        snprintf(err, errlen, "cannot read /proc/net/tcp: %s", strerror(errno));
        free(l);
        free(res);
        return -1;
    }

    /* Whom a change of the system policy reaches: processes that read the
     * openssl.cnf programs read (as this command finds it) and its policy. */
    char *cnf = conf_default_file();
    conf_scan cs;
    memset(&cs, 0, sizeof(cs));
    conf_scan_load(&cs, cnf);
    const tp_policy_rules rules = { .key = cs.policy }; /* not our TLSPOLICY_CONF */
    tp_policy_where where;
    cli_locate(&rules, &where);
    const char *policy = where.path;
    int other = 0;

    fprintf(out, "Impact of %s on the TLS servers listening on this machine:\n", label);
    for (int i = 0; i < n; i++) {
        char whynot[300];
        if (reads_other(&l[i], cnf, policy, whynot, sizeof(whynot))) {
            other++;
            continue;
        }
        scan_opts o = {.host = l[i].host, .port = l[i].port, .timeout_ms = 2000,
                       .listener_only = 1};
        char who[400];
        if (l[i].pid)
            snprintf(who, sizeof(who), "%s (pid %d, %s)", l[i].shown, l[i].pid,
                     l[i].prog[0] ? l[i].prog : "?");
        else
            snprintf(who, sizeof(who), "%s (owner not readable)", l[i].shown);
        tp_err e = TP_OK;
        tp_resolved *r = tp_policy_resolve(p, l[i].prog[0] ? l[i].prog : NULL,
                                           l[i].exe[0] ? l[i].exe : NULL, &e);
        if (r == NULL)
            continue;
        if (scan_run(&o, r, res) != 0) {
            tp_resolved_free(r);
            continue; /* not TLS, or gone */
        }
        tls++;
        const scan_attempt *ref = scan_find(res, "reference");
        const scan_attempt *ok = scan_find(res, "allowed");
        int broke = 0;
        char why[1536] = "";
#define WHY(...) snprintf(why + strlen(why), sizeof(why) - strlen(why), __VA_ARGS__)
        for (int k = 0; k < res->nchain; k++) {
            if (!res->chain[k].problem[0])
                continue;
            WHY("%s%s: %s", why[0] ? "; " : "",
                res->chain[k].leaf_key_low ? "will not start after its next restart"
                                           : "clients under the new policy will refuse its chain",
                res->chain[k].problem);
            broke = 1;
        }
        if (ok && !ok->accepted) {
            WHY("%sclients under the new policy cannot connect: %s", why[0] ? "; " : "",
                ok->error[0] ? ok->error : "?");
            broke = 1;
        }
        char drop[256] = "";
        if (ref && ref->accepted)
            dropped(r, ref, drop, sizeof(drop));
        if (drop[0])
            WHY("%snegotiates %s today, which the new policy drops%s", why[0] ? "; " : "", drop,
                broke ? "" : " (clients will use something it allows)");
#undef WHY
        if (why[0])
            fprintf(out, "  %s: %s\n", esc(who), esc(why));
        affected += !broke && drop[0];
        breaks += broke;
        tp_resolved_free(r);
    }
    fprintf(out, "%d listening socket%s reachable on loopback (%d more bound elsewhere, not"
                 " contacted; %d whose server has its own root, OPENSSL_CONF or"
                 " TLSPOLICY_CONF, not judged); %d speak%s TLS; %d would break",
            n, n == 1 ? "" : "s", skipped, other, tls, tls == 1 ? "s" : "", breaks);
    if (affected)
        fprintf(out, ", %d more change what they negotiate", affected);
    fprintf(out, ".\n");
    tp_policy_where_free(&where);
    conf_scan_free(&cs);
    free(cnf);
    free(l);
    free(res);
    return breaks;
}
