/*
 * cmd_set.c - `set PROFILE[:MODIFIER...]`: switch the policy's profile.
 *
 * Only the top-level `profile = "...";` line is replaced (or one is added
 * when there is none); every other byte of the file stays as it was. The
 * new text is written to a temporary file in the same directory, flushed to
 * disk and loaded exactly as the module will load it (same directory, so
 * the same policy.d drop-ins); only if it is valid does rename(2) put it in
 * place, and the directory is synced. A program starting meanwhile reads
 * the old file or the new one, never a mix; an invalid result changes
 * nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "gnutls_wire.h"
#include "report.h"
#include "rootpath.h"
#include "tp_config.h"

#include "probe.h"
#include "scan.h"

#define SET_MAX_FILE (1024 * 1024)

/* Where the top-level profile value is: [*start, *end) is the text between
 * the quotes. Returns 0 if found. Strings, comments (#, //, slash-star) and
 * nesting are followed, so a `profile` inside an application rule or a
 * comment is not taken. */
static int find_profile(const char *t, size_t len, size_t *start, size_t *end)
{
    int depth = 0, line_start = 1;
    size_t i = 0;

    while (i < len) {
        char ch = t[i];
        if (ch == '\n') {
            line_start = 1;
            i++;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\r') {
            i++;
            continue;
        }
        if (ch == '#' || (ch == '/' && i + 1 < len && t[i + 1] == '/')) {
            while (i < len && t[i] != '\n')
                i++;
            continue;
        }
        if (ch == '/' && i + 1 < len && t[i + 1] == '*') {
            const char *e = NULL;
            for (size_t k = i + 2; k + 1 < len; k++)
                if (t[k] == '*' && t[k + 1] == '/') {
                    e = t + k;
                    break;
                }
            if (e == NULL)
                return -1;
            i = (size_t)(e - t) + 2;
            continue;
        }
        if (depth == 0 && line_start && len - i > 7 && strncmp(t + i, "profile", 7) == 0
            && strchr(" \t=:", t[i + 7])) {
            size_t k = i + 7;
            while (k < len && (t[k] == ' ' || t[k] == '\t'))
                k++;
            if (k < len && (t[k] == '=' || t[k] == ':')) {
                k++;
                while (k < len && (t[k] == ' ' || t[k] == '\t'))
                    k++;
                if (k < len && t[k] == '"') {
                    size_t s = k + 1, e = s;
                    while (e < len && t[e] != '"' && t[e] != '\n' && t[e] != '\\')
                        e++;
                    if (e < len && t[e] == '"') {
                        *start = s;
                        *end = e;
                        return 0;
                    }
                }
            }
        }
        line_start = 0;
        if (ch == '"') {
            i++;
            while (i < len && t[i] != '"') {
                if (t[i] == '\\')
                    i++;
                i++;
            }
            i++;
            continue;
        }
        if (ch == '{' || ch == '(' || ch == '[')
            depth++;
        else if ((ch == '}' || ch == ')' || ch == ']') && depth > 0)
            depth--;
        i++;
    }
    return -1;
}

/* Where to insert a new profile line: after the leading comment block. */
static size_t insert_at(const char *t, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && (t[e] == ' ' || t[e] == '\t'))
            e++;
        if (e < len && (t[e] == '#' || t[e] == '\n' || (t[e] == '/' && e + 1 < len && t[e + 1] == '/'))) {
            while (e < len && t[e] != '\n')
                e++;
            i = e < len ? e + 1 : e;
            continue;
        }
        break;
    }
    return i;
}

static int read_all(const char *path, char **out, size_t *len, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_size > SET_MAX_FILE) {
        int e = errno;
        if (S_ISREG(st->st_mode) && st->st_size > SET_MAX_FILE)
            e = EFBIG;
        else if (!S_ISREG(st->st_mode))
            e = EINVAL;
        close(fd);
        errno = e;
        return -1;
    }
    char *buf = malloc((size_t)st->st_size + 1);
    size_t n = 0;
    ssize_t r;
    while (buf && (r = read(fd, buf + n, (size_t)st->st_size - n)) > 0)
        n += (size_t)r;
    close(fd);
    if (buf == NULL)
        return -1;
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int valid_spec(const char *s)
{
    if (!s[0] || strlen(s) > 256)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
              || strchr(":-_.+", *p)))
            return 0;
    return s[0] != ':' && s[strlen(s) - 1] != ':' && !strstr(s, "::");
}

/* The file the servers of this machine read: the policy the system
 * openssl.cnf names, else the default location. A file under --root or
 * elsewhere (a test, an image) is not what the running servers use. */
static int is_system_policy(const cli *c, const char *target)
{
    if (c->opts.root)
        return 0;
    char *cnf = conf_default_file();
    conf_scan cs;
    memset(&cs, 0, sizeof(cs));
    conf_scan_load(&cs, cnf);
    /* what a server reads: its own TLSPOLICY_CONF is not ours to know */
    const tp_policy_rules rules = { .key = cs.policy };
    tp_policy_where where;
    cli_locate(&rules, &where);
    const char *sys = where.path;
    char a[4096], b[4096];
    int same = realpath(target, a) && realpath(sys, b) ? strcmp(a, b) == 0
                                                       : strcmp(target, sys) == 0;
    tp_policy_where_free(&where);
    conf_scan_free(&cs);
    free(cnf);
    return same;
}

static void set_help(FILE *f)
{
    fputs("Usage: tlspolicy set [--dry-run] [--force] PROFILE[:MODIFIER...]\n"
          "\n"
          "Set the profile of the policy file (--policy, $TLSPOLICY_CONF, else\n"
          TP_ETCDIR "/policy.conf under --root), e.g. DEFAULT:NO-CBC. Only the\n"
          "`profile = \"...\";` line changes (one is added if there is none). The\n"
          "result is validated with the drop-ins first and written atomically\n"
          "(temporary file, fsync, rename, fsync of the directory); if it would be\n"
          "invalid, nothing changes.\n"
          "\n"
          "Before a change to the system's policy (the file the system openssl.cnf\n"
          "names, else " TP_ETCDIR "/policy.conf, without --root), every TLS server\n"
          "listening on this machine that reads it (not in another root, no\n"
          "OPENSSL_CONF or TLSPOLICY_CONF of its own) is scanned on loopback, judged\n"
          "against the new policy; if one would break (its certificate below the\n"
          "new floors: it will not start after its next restart; or clients under\n"
          "the new policy could not connect), set refuses and says why.\n"
          "\n"
          "  --dry-run   judge the change against the local listeners (whatever the\n"
          "              file) and print one line per affected service; change nothing\n"
          "  --force     make the change even if a listener would break\n"
          "  --root DIR, --policy FILE, -h/--help as for tlspolicy --help\n"
          "\n"
          "Exit status: 0 done (or, with --dry-run, nothing would break), 1 refused\n"
          "(the result would be invalid, or a listener would break) or not written,\n"
          "2 usage error.\n", f);
}

/* ROOT/etc/tlspolicy/policy.conf with the directory resolved inside the
 * root (a symlinked etc/ or etc/tlspolicy must not lead to the host's). */
static char *set_root_target(cli *c)
{
    char err[1024];
    char *dir = root_path(c->opts.root, TP_ETCDIR, 1, err, sizeof(err));
    if (dir == NULL) {
        cli_error(c, "%s", err);
        return NULL;
    }
    char *t = cli_join(dir, "/policy.conf");
    free(dir);
    return t;
}

/* old (len bytes, NUL-terminated) with its profile set to spec: the value
 * replaced, or a line inserted. The old value goes to was. NULL when out of
 * memory; *newlen is the new length. */
static char *with_profile(const char *old, size_t len, const char *spec, size_t *newlen,
                          char *was, size_t waslen)
{
    size_t start, end, nl = strlen(spec);
    char *text;
    if (find_profile(old, len, &start, &end) == 0) {
        snprintf(was, waslen, "%.*s", (int)(end - start), old + start);
        text = malloc(len - (end - start) + nl + 1);
        if (text == NULL)
            return NULL;
        memcpy(text, old, start);
        memcpy(text + start, spec, nl);
        memcpy(text + start + nl, old + end, len - end + 1);
        *newlen = len - (end - start) + nl;
    } else {
        size_t at = insert_at(old, len);
        char line[300];
        snprintf(line, sizeof(line), "profile = \"%s\";\n", spec);
        size_t ll = strlen(line);
        text = malloc(len + ll + 1);
        if (text == NULL)
            return NULL;
        memcpy(text, old, at);
        memcpy(text + at, line, ll);
        memcpy(text + at + ll, old + at, len - at + 1);
        *newlen = len + ll;
    }
    return text;
}

/* Validate tmp as the module will read it: this file, its profile and
 * modifiers, and the drop-ins of this directory. The loaded policy, or
 * NULL after the errors (named as target) were printed. */
static tp_policy *load_new(cli *c, const char *tmp, const char *target, const char *spec)
{
    tp_load_opts opts = c->opts;
    opts.policy_file = tmp;
    tp_err err = TP_OK;
    tp_policy *p = tp_policy_load(&opts, &err);
    if (p == NULL) {
        cli_error(c, "%s", tp_strerror(TP_ERR_NOMEM));
        return NULL;
    }
    if (err != TP_OK || tp_policy_nerrors(p) || tp_policy_is_fallback(p)) {
        for (size_t i = 0; i < tp_policy_ndiags(p); i++) {
            const tp_diag *d = tp_policy_diag(p, i);
            if (d->severity != TP_SEV_ERROR)
                continue;
            const char *f = d->file && strcmp(d->file, tmp) == 0 ? target : d->file;
            rep_diag_text(stderr, d->severity, f, d->line, d->message);
        }
        cli_error(c, "refused: with profile \"%s\" the policy would be invalid; %s is unchanged",
                  spec, target);
        tp_policy_free(p);
        return NULL;
    }
    return p;
}

/* Report which local TLS servers the new policy p (freed here) would
 * break. Returns -1 to go on and install it, else the exit status. */
static int judge_impact(cli *c, tp_policy *p, const char *spec, const char *target, int dry_run,
                        int force)
{
    char label[400], ierr[256];
    snprintf(label, sizeof(label), "profile \"%s\" in %s", spec, target);
    int breaks = scan_init(ierr, sizeof(ierr)) == 0
                     ? impact_report(p, label, dry_run ? stdout : stderr, ierr, sizeof(ierr))
                     : -1;
    scan_cleanup();
    tp_policy_free(p);
    if (breaks < 0) {
        cli_error(c, "cannot judge the local listeners: %s", ierr);
        if (dry_run || !force)
            return TP_EXIT_PROBLEMS;
    } else if (dry_run) {
        return breaks ? TP_EXIT_PROBLEMS : TP_EXIT_OK;
    } else if (breaks) {
        cli_error(c, "refused: with profile \"%s\" %d local TLS server%s would break (above);"
                     " %s is unchanged. Fix them first, or use --force",
                  spec, breaks, breaks > 1 ? "s" : "", target);
        return TP_EXIT_PROBLEMS;
    }
    return -1;
}

int cmd_set(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"dry-run", no_argument, NULL, 'n'},
        {"force", no_argument, NULL, 'f'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int ch, dry_run = 0, force = 0;

    while ((ch = cli_getopt(c, argc, argv, "nf", longopts, set_help)) != -1) {
        switch (ch) {
        case 'n': dry_run = 1; break;
        case 'f': force = 1; break;
        default: return TP_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage(c, "which profile? e.g. 'tlspolicy set DEFAULT:NO-CBC'");
    const char *spec = argv[optind++];
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if (!valid_spec(spec))
        return cli_usage(c, "'%s' is not PROFILE[:MODIFIER...]", spec);
    if (cli_resolve_opts(c) != 0)
        return TP_EXIT_LOAD;

    char *target = c->where.from == TP_FROM_DEFAULT && c->opts.root ? set_root_target(c)
                                                                     : cli_join(c->where.path, "");
    if (target == NULL)
        return TP_EXIT_PROBLEMS;
    char *old = NULL, *text = NULL, *tmp = NULL, *dircopy = cli_join(target, "");
    const char *dir = dirname(dircopy);
    size_t len = 0;
    struct stat st;
    int rc = TP_EXIT_PROBLEMS, fd = -1, exists;

    memset(&st, 0, sizeof(st));
    errno = 0;
    exists = read_all(target, &old, &len, &st) == 0;
    if (!exists && errno != ENOENT) {
        cli_error(c, "cannot read %s: %s", target, strerror(errno));
        goto out;
    }
    if (!exists) {
        old = cli_join("# The system-wide TLS policy; see tlspolicy.conf(5).\n", "");
        len = strlen(old);
        st.st_mode = S_IFREG | 0644;
    }
    char was[300] = "";
    text = with_profile(old, len, spec, &len, was, sizeof(was));
    if (text == NULL)
        goto oom;

    /* The new file beside the old one, complete on disk before anyone can
     * see it under the real name. */
    tmp = cli_join(target, ".tlspolicy-set.XXXXXX");
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        cli_error(c, "cannot create a file in %s: %s", dir, strerror(errno));
        free(tmp);
        tmp = NULL;
        goto out;
    }
    if (fchmod(fd, st.st_mode & 07777) != 0
        || (exists && geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) != 0)
        || write_all(fd, text, len) != 0 || fsync(fd) != 0) {
        cli_error(c, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }

    tp_policy *p = load_new(c, tmp, target, spec);
    if (p == NULL)
        goto out;
    if (dry_run || (!force && is_system_policy(c, target))) {
        int judged = judge_impact(c, p, spec, target, dry_run, force);
        if (judged != -1) {
            rc = judged;
            goto out;
        }
    } else {
        tp_policy_free(p);
    }

    if (rename(tmp, target) != 0) {
        cli_error(c, "cannot replace %s: %s", target, strerror(errno));
        goto out;
    }
    free(tmp);
    tmp = NULL;
    if (atomic_fsync_dir(target) != 0) {
        cli_error(c, "%s is replaced, but syncing %s failed: %s", target, dir, strerror(errno));
        goto out;
    }
    if (was[0])
        printf("%s: profile \"%s\" (was \"%s\")\n", target, spec, was);
    else
        printf("%s: profile \"%s\"\n", target, spec);
    rc = gw_regenerate(c); /* the GnuTLS back-end, if enable installed it */
    goto out;
oom:
    cli_error(c, "%s", tp_strerror(TP_ERR_NOMEM));
out:
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    free(text);
    free(old);
    free(dircopy);
    free(target);
    return rc;
}
