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

/* Where to reach a listening socket, and how people read it. */
typedef struct reach {
    char host[64];  /* what to connect to */
    char shown[80]; /* 127.0.0.1:443, [::1]:443 */
    char port[8];
} reach;

/* The address to contact for a socket bound to local (hex, as the table
 * has it) into rc->host and rc->shown; rc->port is set. 0, or -1 if
 * loopback does not reach it. */
static int loopback_addr(const char *local, int v6, reach *rc)
{
    if (!v6) {
        unsigned char a[4];
        parse_v4(local, a);
        if (!(a[0] == 127 || (a[0] | a[1] | a[2] | a[3]) == 0))
            return -1;
        snprintf(rc->host, sizeof(rc->host), "%u.%u.%u.%u", a[0] ? a[0] : 127, a[1], a[2],
                 a[0] ? a[3] : 1);
        snprintf(rc->shown, sizeof(rc->shown), "%s:%s", rc->host, rc->port);
        return 0;
    }
    unsigned char a[16], any[16] = {0}, lo[16] = {0};
    lo[15] = 1;
    parse_v6(local, a);
    int mapped_lo = memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 && a[12] == 127;
    if (memcmp(a, any, 16) == 0 || memcmp(a, lo, 16) == 0)
        snprintf(rc->host, sizeof(rc->host), "::1");
    else if (mapped_lo)
        snprintf(rc->host, sizeof(rc->host), "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
    else
        return -1;
    snprintf(rc->shown, sizeof(rc->shown), strchr(rc->host, ':') ? "[%s]:%s" : "%s:%s", rc->host,
             rc->port);
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
        reach rc;
        snprintf(rc.port, sizeof(rc.port), "%u", port);
        if (loopback_addr(local, v6, &rc) != 0) {
            (*skipped)++;
            continue;
        }
        if (have(l, *n, rc.host, rc.port))
            continue;
        scan_listener *x = &l[(*n)++];
        memset(x, 0, sizeof(*x));
        snprintf(x->host, sizeof(x->host), "%s", rc.host);
        snprintf(x->shown, sizeof(x->shown), "%s", rc.shown);
        snprintf(x->port, sizeof(x->port), "%s", rc.port);
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

/* One impact report: the listeners, the system's wiring, the counts. */
typedef struct impact {
    scan_listener *l;                 /* the listening sockets loopback reaches */
    int n, skipped;                   /* how many, and how many bound elsewhere */
    scan_result *res;                 /* the scan of one listener */
    char *cnf;                        /* the openssl.cnf programs read */
    conf_scan cs;                     /* what it says */
    tp_policy_where where;            /* the policy file it makes them read */
    int other, tls, breaks, affected; /* the counts of the summary */
} impact;

/* What the scan of one listener found, for its line. */
typedef struct judged {
    char why[1536]; /* the line's text, "" if nothing changes */
    char drop[256]; /* what it negotiates today that the policy drops */
    int broke;      /* it would break */
} judged;

/* The listeners and the room for a scan. 0, or -1 with err set. */
static int impact_listeners(impact *im, char *err, size_t errlen)
{
    im->l = calloc(SCAN_MAX_LISTEN, sizeof(*im->l));
    im->res = calloc(1, sizeof(*im->res));
    if (im->l == NULL || im->res == NULL) {
        snprintf(err, errlen, "%s", tp_strerror(TP_ERR_NOMEM));
        return -1;
    }
    im->n = scan_listeners(im->l, SCAN_MAX_LISTEN, 1, &im->skipped);
    if (im->n < 0) {
        snprintf(err, errlen, "cannot read /proc/net/tcp: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Whom a change of the system policy reaches: processes that read the
 * openssl.cnf programs read (as this command finds it) and its policy. */
static void impact_wiring(impact *im)
{
    im->cnf = conf_default_file();
    conf_scan_load(&im->cs, im->cnf);
    const tp_policy_rules rules = { .key = im->cs.policy }; /* not our TLSPOLICY_CONF */
    cli_locate(&rules, &im->where);
}

/* Why the scan res of a server breaks it or changes what it negotiates
 * under r, into j. */
static void judge_listener(const scan_result *res, const tp_resolved *r, judged *j)
{
    const scan_attempt *ref = scan_find(res, "reference");
    const scan_attempt *ok = scan_find(res, "allowed");
#define WHY(...) snprintf(j->why + strlen(j->why), sizeof(j->why) - strlen(j->why), __VA_ARGS__)
    for (int k = 0; k < res->nchain; k++) {
        if (!res->chain[k].problem[0])
            continue;
        WHY("%s%s: %s", j->why[0] ? "; " : "",
            res->chain[k].leaf_key_low ? "will not start after its next restart"
                                       : "clients under the new policy will refuse its chain",
            res->chain[k].problem);
        j->broke = 1;
    }
    if (ok && !ok->accepted) {
        WHY("%sclients under the new policy cannot connect: %s", j->why[0] ? "; " : "",
            ok->error[0] ? ok->error : "?");
        j->broke = 1;
    }
    if (ref && ref->accepted)
        dropped(r, ref, j->drop, sizeof(j->drop));
    if (j->drop[0])
        WHY("%snegotiates %s today, which the new policy drops%s", j->why[0] ? "; " : "", j->drop,
            j->broke ? "" : " (clients will use something it allows)");
#undef WHY
}

/* Scan listener l with the rule of its program and print its line if p
 * changes something for it. */
static void impact_one(impact *im, const tp_policy *p, const scan_listener *l, FILE *out)
{
    scan_opts o = {.host = l->host, .port = l->port, .timeout_ms = 2000, .listener_only = 1};
    char who[400];
    if (l->pid)
        snprintf(who, sizeof(who), "%s (pid %d, %s)", l->shown, l->pid, l->prog[0] ? l->prog : "?");
    else
        snprintf(who, sizeof(who), "%s (owner not readable)", l->shown);
    tp_err e = TP_OK;
    tp_resolved *r =
        tp_policy_resolve(p, l->prog[0] ? l->prog : NULL, l->exe[0] ? l->exe : NULL, &e);
    if (r == NULL)
        return;
    if (scan_run(&o, r, im->res) != 0) {
        tp_resolved_free(r);
        return; /* not TLS, or gone */
    }
    im->tls++;
    judged j = {.why = "", .drop = "", .broke = 0};
    judge_listener(im->res, r, &j);
    if (j.why[0])
        fprintf(out, "  %s: %s\n", esc(who), esc(j.why));
    im->affected += !j.broke && j.drop[0];
    im->breaks += j.broke;
    tp_resolved_free(r);
}

/* The last line: what was found, contacted and judged. */
static void impact_summary(const impact *im, FILE *out)
{
    int n = im->n;
    fprintf(out, "%d listening socket%s reachable on loopback (%d more bound elsewhere, not"
                 " contacted; %d whose server has its own root, OPENSSL_CONF or"
                 " TLSPOLICY_CONF, not judged); %d speak%s TLS; %d would break",
            n, n == 1 ? "" : "s", im->skipped, im->other, im->tls, im->tls == 1 ? "s" : "",
            im->breaks);
    if (im->affected)
        fprintf(out, ", %d more change what they negotiate", im->affected);
    fprintf(out, ".\n");
}

int impact_report(const tp_policy *p, const char *label, FILE *out, char *err, size_t errlen)
{
    impact im;
    int rc = -1;

    memset(&im, 0, sizeof(im));
    if (impact_listeners(&im, err, errlen) != 0)
        goto out;
    impact_wiring(&im);
    fprintf(out, "Impact of %s on the TLS servers listening on this machine:\n", label);
    for (int i = 0; i < im.n; i++) {
        char whynot[300];
        if (reads_other(&im.l[i], im.cnf, im.where.path, whynot, sizeof(whynot))) {
            im.other++;
            continue;
        }
        impact_one(&im, p, &im.l[i], out);
    }
    impact_summary(&im, out);
    rc = im.breaks;
out:
    tp_policy_where_free(&im.where);
    conf_scan_free(&im.cs);
    free(im.cnf);
    free(im.l);
    free(im.res);
    return rc;
}
