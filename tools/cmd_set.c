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

/* A comment at t[i] (#, // or slash-star): *i moves past it (to the '\n'
 * that ends a line comment). 1 if one was skipped, 0 if none starts at i,
 * -1 if a block comment is not closed. */
static int skip_comment(const char *t, size_t len, size_t *i)
{
    char ch = t[*i];
    if (ch == '#' || (ch == '/' && *i + 1 < len && t[*i + 1] == '/')) {
        while (*i < len && t[*i] != '\n')
            (*i)++;
        return 1;
    }
    if (ch == '/' && *i + 1 < len && t[*i + 1] == '*') {
        const char *e = NULL;
        for (size_t k = *i + 2; k + 1 < len; k++)
            if (t[k] == '*' && t[k + 1] == '/') {
                e = t + k;
                break;
            }
        if (e == NULL)
            return -1;
        *i = (size_t)(e - t) + 2;
        return 1;
    }
    return 0;
}

/* Whether t[i] starts `profile = "VALUE"` (or `:`) on one line: then
 * [*start, *end) is VALUE and 0 is returned, else -1. */
static int profile_value(const char *t, size_t len, size_t i, size_t *start, size_t *end)
{
    if (!(len - i > 7 && strncmp(t + i, "profile", 7) == 0 && strchr(" \t=:", t[i + 7])))
        return -1;
    size_t k = i + 7;
    while (k < len && (t[k] == ' ' || t[k] == '\t'))
        k++;
    if (!(k < len && (t[k] == '=' || t[k] == ':')))
        return -1;
    k++;
    while (k < len && (t[k] == ' ' || t[k] == '\t'))
        k++;
    if (!(k < len && t[k] == '"'))
        return -1;
    size_t s = k + 1, e = s;
    while (e < len && t[e] != '"' && t[e] != '\n' && t[e] != '\\')
        e++;
    if (!(e < len && t[e] == '"'))
        return -1;
    *start = s;
    *end = e;
    return 0;
}

/* Past the string that opens at t[i] (a backslash escapes one byte). */
static size_t skip_string(const char *t, size_t len, size_t i)
{
    i++;
    while (i < len && t[i] != '"') {
        if (t[i] == '\\')
            i++;
        i++;
    }
    return i + 1;
}

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
        int comment = skip_comment(t, len, &i);
        if (comment < 0)
            return -1;
        if (comment)
            continue;
        if (depth == 0 && line_start && profile_value(t, len, i, start, end) == 0)
            return 0;
        line_start = 0;
        if (ch == '"') {
            i = skip_string(t, len, i);
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

/* One run of set: what was asked, and the files and texts it works on. */
typedef struct set_run {
    const char *spec; /* PROFILE[:MODIFIER...] */
    int dry_run, force;
    char *target;    /* the policy file to change */
    char *dircopy;   /* a copy of target for dirname(3) */
    const char *dir; /* target's directory, inside dircopy */
    char *old;       /* its text, or a new file's first line */
    char *text;      /* the text with the new profile */
    size_t len;      /* the length of old, then of text */
    struct stat st;  /* target's mode and owner */
    int exists;      /* target exists */
    char *tmp;       /* the new file until renamed; NULL if none to remove */
    int fd;          /* tmp, open for writing; -1 if not */
    char was[300];   /* the old profile, "" if there was none */
} set_run;

/* The options and the profile. -1 to go on, else the exit status. */
static int set_args(cli *c, int argc, char **argv, set_run *r)
{
    static const struct option longopts[] = {
        {"dry-run", no_argument, NULL, 'n'},
        {"force", no_argument, NULL, 'f'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int ch;

    while ((ch = cli_getopt(c, argc, argv, "nf", longopts, set_help)) != -1) {
        switch (ch) {
        case 'n': r->dry_run = 1; break;
        case 'f': r->force = 1; break;
        default: return TP_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage(c, "which profile? e.g. 'tlspolicy set DEFAULT:NO-CBC'");
    r->spec = argv[optind++];
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if (!valid_spec(r->spec))
        return cli_usage(c, "'%s' is not PROFILE[:MODIFIER...]", r->spec);
    if (cli_root_missing(c))
        return TP_EXIT_PROBLEMS;
    if (cli_resolve_opts(c) != 0)
        return TP_EXIT_LOAD;
    return -1;
}

/* The current text of the target (a new file's first line if there is
 * none) and the text with the new profile. 0, or -1 after the error. */
static int set_new_text(cli *c, set_run *r)
{
    errno = 0;
    r->exists = read_all(r->target, &r->old, &r->len, &r->st) == 0;
    if (!r->exists && errno != ENOENT) {
        cli_error(c, "cannot read %s: %s", r->target, strerror(errno));
        return -1;
    }
    if (!r->exists) {
        r->old = cli_join("# The system-wide TLS policy; see tlspolicy.conf(5).\n", "");
        r->len = strlen(r->old);
        r->st.st_mode = S_IFREG | 0644;
    }
    r->text = with_profile(r->old, r->len, r->spec, &r->len, r->was, sizeof(r->was));
    if (r->text == NULL) {
        cli_error(c, "%s", tp_strerror(TP_ERR_NOMEM));
        return -1;
    }
    return 0;
}

/* The new file beside the old one, complete on disk before anyone can
 * see it under the real name. 0, or -1 after the error. */
static int set_write_tmp(cli *c, set_run *r)
{
    r->tmp = cli_join(r->target, ".tlspolicy-set.XXXXXX");
    r->fd = mkostemp(r->tmp, O_CLOEXEC);
    if (r->fd < 0) {
        cli_error(c, "cannot create a file in %s: %s", r->dir, strerror(errno));
        free(r->tmp);
        r->tmp = NULL;
        return -1;
    }
    if (fchmod(r->fd, r->st.st_mode & 07777) != 0
        || (r->exists && geteuid() == 0 && fchown(r->fd, r->st.st_uid, r->st.st_gid) != 0)
        || write_all(r->fd, r->text, r->len) != 0 || fsync(r->fd) != 0) {
        cli_error(c, "cannot write %s: %s", r->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

/* Load the new file as the module will and, for a dry run or the
 * system's policy without --force, judge the local listeners against it.
 * -1 to go on and install it, else the exit status. */
static int set_check(cli *c, const set_run *r)
{
    tp_policy *p = load_new(c, r->tmp, r->target, r->spec);
    if (p == NULL)
        return TP_EXIT_PROBLEMS;
    if (r->dry_run || (!r->force && is_system_policy(c, r->target)))
        return judge_impact(c, p, r->spec, r->target, r->dry_run, r->force);
    tp_policy_free(p);
    return -1;
}

/* Put the new file in place, sync the directory, say what changed and
 * regenerate the GnuTLS back-end. The exit status. */
static int set_install(cli *c, set_run *r)
{
    if (rename(r->tmp, r->target) != 0) {
        cli_error(c, "cannot replace %s: %s", r->target, strerror(errno));
        return TP_EXIT_PROBLEMS;
    }
    free(r->tmp);
    r->tmp = NULL;
    if (atomic_fsync_dir(r->target) != 0) {
        cli_error(c, "%s is replaced, but syncing %s failed: %s", r->target, r->dir,
                  strerror(errno));
        return TP_EXIT_PROBLEMS;
    }
    if (r->was[0])
        printf("%s: profile \"%s\" (was \"%s\")\n", r->target, r->spec, r->was);
    else
        printf("%s: profile \"%s\"\n", r->target, r->spec);
    return gw_regenerate(c); /* the GnuTLS back-end, if enable installed it */
}

/* Close and remove what is left of the new file; free the rest. */
static void set_run_free(set_run *r)
{
    if (r->fd >= 0)
        close(r->fd);
    if (r->tmp) {
        unlink(r->tmp);
        free(r->tmp);
    }
    free(r->text);
    free(r->old);
    free(r->dircopy);
    free(r->target);
}

int cmd_set(cli *c, int argc, char **argv)
{
    set_run r;
    memset(&r, 0, sizeof(r));
    r.fd = -1;
    int rc = set_args(c, argc, argv, &r);
    if (rc != -1)
        return rc;

    r.target = c->where.from == TP_FROM_DEFAULT && c->opts.root ? set_root_target(c)
                                                                : cli_join(c->where.path, "");
    if (r.target == NULL)
        return TP_EXIT_PROBLEMS;
    r.dircopy = cli_join(r.target, "");
    r.dir = dirname(r.dircopy);

    rc = TP_EXIT_PROBLEMS;
    if (set_new_text(c, &r) != 0 || set_write_tmp(c, &r) != 0)
        goto out;
    rc = set_check(c, &r);
    if (rc == -1)
        rc = set_install(c, &r);
out:
    set_run_free(&r);
    return rc;
}
