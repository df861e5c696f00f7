/*
 * cmd_enable.c - `tlspolicy enable` / `disable`: add or remove the one
 * `.include` of the shipped snippet at the end of the system openssl.cnf.
 *
 * This is the administrator's act (Debian Policy 10.7.4: a package's
 * maintainer scripts must not edit openssl.cnf, another package's conffile).
 * The snippet lives in DATADIR and leaves with the package; OpenSSL skips a
 * missing .include, so the line left behind after removal cannot dangle.
 *
 * Which snippet depends on the section openssl_conf names (read with NCONF,
 * nothing executed):
 *   openssl_init      .include DATADIR/openssl-tlspolicy.cnf        (joins it)
 *   another, X        [X] + .include DATADIR/openssl-tlspolicy-entry.cnf
 *                     (the entry file has no header: it joins X; a repeated
 *                     section header appends to that section)
 *   none              .include DATADIR/openssl-tlspolicy-init.cnf
 *                     (sets openssl_conf itself: nothing to override)
 * Never a second `openssl_conf =`: the last value wins, which would hijack
 * the administrator's init section and drop its providers and ssl_conf.
 *
 * The file is replaced atomically: written beside, fsync'ed, parsed by
 * OpenSSL (NCONF: no module runs) and checked to load our module last from
 * the same init section, then renamed over the original, directory
 * fsync'ed. The original is kept as FILE.tlspolicy-bak until `disable`.
 * `disable` writes that backup back (byte for byte) when the file is exactly
 * what enable left, else removes only the lines enable added.
 */
#include <ctype.h>
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
#include "enable_nodejs.h"
#include "rootpath.h"
#include "probe.h"
#include "tp_config.h"
#include "gnutls_wire.h"

#define MARKER "# Added by `tlspolicy enable`; `tlspolicy disable` removes these lines."
#define SNIPPET_MAIN TP_DATADIR "/openssl-tlspolicy.cnf"
#define SNIPPET_ENTRY TP_DATADIR "/openssl-tlspolicy-entry.cnf"
#define SNIPPET_INIT TP_DATADIR "/openssl-tlspolicy-init.cnf"
#define BAK_SUFFIX ".tlspolicy-bak"
#define CHECK_SUFFIX ".tlspolicy-check"
#define MAX_CNF (4 * 1024 * 1024)

static const char *const snippets[] = {SNIPPET_MAIN, SNIPPET_ENTRY, SNIPPET_INIT};

typedef struct buf {
    char *p;
    size_t n;
} buf;

static int has_root(const cli *c)
{
    return c->root && c->root[0] && strcmp(c->root, "/") != 0;
}

/* abs (as the target system sees it) resolved inside ROOT, every
 * component (rootpath.c); NULL with err set when that cannot be done. */
static char *rooted(const cli *c, const char *abs, char *err, size_t errlen)
{
    if (!has_root(c))
        return cli_join(abs, "");
    return root_path(c->root, abs, 1, err, errlen);
}

/*
 * Follow symbolic links of the last component (Debian's
 * OPENSSLDIR/openssl.cnf is a link to /etc/ssl/openssl.cnf: replacing the
 * link by a file would be wrong); under --root, every component inside the
 * root. Returns the host path of the real file.
 */
static char *resolve(const cli *c, const char *path, char *err, size_t errlen)
{
    if (has_root(c))
        return rooted(c, path, err, errlen);
    char *cur = cli_join(path, "");
    for (int i = 0; i < 40; i++) {
        char *full = cli_join(cur, "");
        struct stat st;
        if (lstat(full, &st) != 0 || !S_ISLNK(st.st_mode)) {
            free(cur);
            return full;
        }
        char target[4096];
        ssize_t n = readlink(full, target, sizeof(target) - 1);
        free(full);
        if (n < 0) {
            snprintf(err, errlen, "%s: %s", cur, strerror(errno));
            free(cur);
            return NULL;
        }
        target[n] = '\0';
        char *next;
        if (target[0] == '/') {
            next = cli_join(target, "");
        } else {
            char *d = cli_join(cur, "");
            char *dir = cli_join(dirname(d), "/");
            next = cli_join(dir, target);
            free(d);
            free(dir);
        }
        free(cur);
        cur = next;
    }
    snprintf(err, errlen, "%s: too many levels of symbolic links", path);
    free(cur);
    return NULL;
}

static int read_file(const char *path, buf *b, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    memset(b, 0, sizeof(*b));
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > MAX_CNF) {
        snprintf(err, errlen, "%s: not a regular file of at most %d bytes", path, MAX_CNF);
        close(fd);
        return -1;
    }
    b->p = malloc((size_t)st.st_size + 1);
    if (b->p == NULL) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        return -1;
    }
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, b->p + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            close(fd);
            free(b->p);
            b->p = NULL;
            return -1;
        }
        if (r == 0 || got + (size_t)r == (size_t)st.st_size) {
            got += (size_t)r;
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    b->n = got;
    b->p[got] = '\0';
    if (memchr(b->p, '\0', got) != NULL) {
        snprintf(err, errlen, "%s: contains a NUL byte", path);
        free(b->p);
        b->p = NULL;
        return -1;
    }
    return 0;
}

static void append(buf *b, const char *s, size_t n)
{
    char *p = realloc(b->p, b->n + n + 1);
    if (p == NULL) {
        fputs("tlspolicy: out of memory\n", stderr);
        exit(TP_EXIT_LOAD);
    }
    memcpy(p + b->n, s, n);
    b->p = p;
    b->n += n;
    b->p[b->n] = '\0';
}

static void appends(buf *b, const char *s)
{
    append(b, s, strlen(s));
}

/* Is line [s, s+n) exactly text (a trailing '\r' or blanks ignored)? */
static int line_is(const char *s, size_t n, const char *text)
{
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n == strlen(text) && memcmp(s, text, n) == 0;
}

static int is_our_include(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(snippets) / sizeof(snippets[0]); i++) {
        char *inc = cli_join(".include ", snippets[i]);
        int r = line_is(s, n, inc);
        free(inc);
        if (r)
            return 1;
    }
    return 0;
}

typedef struct line {
    const char *s;
    size_t n; /* without '\n' */
    size_t len; /* with it */
} line;

static size_t split(const buf *b, line **out)
{
    size_t cap = 64, k = 0;
    line *v = malloc(cap * sizeof(*v));
    const char *p = b->p, *end = b->p + b->n;
    while (v && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (k == cap) {
            line *nv = realloc(v, (cap *= 2) * sizeof(*v));
            if (nv == NULL) {
                free(v);
                v = NULL;
                break;
            }
            v = nv;
        }
        v[k].s = p;
        v[k].n = n;
        v[k].len = nl ? n + 1 : n;
        k++;
        p += v[k - 1].len;
    }
    if (v == NULL) {
        fputs("tlspolicy: out of memory\n", stderr);
        exit(TP_EXIT_LOAD);
    }
    *out = v;
    return k;
}

static int enabled_in(const buf *b)
{
    line *v;
    size_t k = split(b, &v);
    int r = 0;
    for (size_t i = 0; i < k && !r; i++)
        r = is_our_include(v[i].s, v[i].n);
    free(v);
    return r;
}

static int valid_section_name(const char *s)
{
    if (!s[0] || strcmp(s, "default") == 0)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
            return 0;
    return 1;
}

/*
 * Parse candidate (the new file's content, at host path newpath) as OpenSSL
 * will, with the snippets found under the root, and check what enable
 * promises: openssl_conf still in the default section naming the same
 * section as before (or ours when there was none), our module listed last
 * in it, the module file present. Returns 0 or -1 with err set.
 */
/*
 * Read content (the file at host path file) as OpenSSL will, with our
 * snippets found under the root: under --root the includes name the target
 * system's paths, so a copy with them pointing into the root is read.
 * Returns 0, or -1 with err set when the copy cannot be written.
 */
static int scan(const cli *c, const char *file, const buf *content, conf_scan *cs, char *err,
                size_t errlen)
{
    if (!has_root(c)) {
        conf_scan_load(cs, file);
        return 0;
    }
    buf copy = {NULL, 0};
    line *v;
    size_t k = split(content, &v);
    for (size_t i = 0; i < k; i++) {
        if (is_our_include(v[i].s, v[i].n)) {
            char *snip = strndup(v[i].s + 9, v[i].n - 9);
            if (snip == NULL) {
                fputs("tlspolicy: out of memory\n", stderr);
                exit(TP_EXIT_LOAD);
            }
            snip[strcspn(snip, " \t\r")] = '\0';
            char *host = rooted(c, snip, err, errlen);
            free(snip);
            if (host == NULL) {
                free(v);
                free(copy.p);
                return -1;
            }
            appends(&copy, ".include ");
            appends(&copy, host);
            appends(&copy, "\n");
            free(host);
        } else {
            append(&copy, v[i].s, v[i].len);
        }
    }
    free(v);
    struct stat st = {.st_mode = 0600, .st_uid = getuid(), .st_gid = getgid()};
    char *checkpath = cli_join(file, CHECK_SUFFIX);
    int w = atomic_write_new(checkpath, copy.p, copy.n, st.st_mode, &st, err, errlen);
    free(copy.p);
    if (w == 0) {
        conf_scan_load(cs, checkpath);
        unlink(checkpath);
    }
    free(checkpath);
    return w;
}

/*
 * Parse candidate (the new file's content, at host path newpath) as OpenSSL
 * will, with the snippets found under the root, and check what enable
 * promises: openssl_conf still in the default section naming the same
 * section as before (or ours when there was none), our module listed last
 * in it, the module file present. Returns 0 or -1 with err set.
 */
static int verify(const cli *c, const char *newpath, const buf *candidate, const conf_scan *before,
                  int expect_ours, char *err, size_t errlen)
{
    conf_scan cs;
    int rc = -1;

    if (scan(c, newpath, candidate, &cs, err, errlen) != 0)
        return -1;
    if (!cs.loaded) {
        snprintf(err, errlen, "OpenSSL cannot parse the result: %s", cs.error);
    } else if (!expect_ours) {
        rc = 0; /* disable: the result parses; what it loads is the admin's */
    } else if (cs.init_sect == NULL) {
        snprintf(err, errlen, "the result has no openssl_conf in its default section");
    } else if (before->init_sect && strcmp(before->init_sect, cs.init_sect) != 0) {
        snprintf(err, errlen, "the result's openssl_conf names [%s], not [%s] as before",
                 cs.init_sect, before->init_sect);
    } else if (expect_ours && cs.entry == NULL) {
        snprintf(err, errlen, "the result does not load tlspolicy from [%s]", cs.init_sect);
    } else if (expect_ours && cs.entry_index != cs.nentries - 1) {
        snprintf(err, errlen, "tlspolicy is not the last entry of [%s]", cs.init_sect);
    } else if (expect_ours && cs.nentries != before->nentries + 1) {
        snprintf(err, errlen, "[%s] has %d entries, expected the %d before plus ours",
                 cs.init_sect, cs.nentries, before->nentries);
    } else if (expect_ours && cs.module_path == NULL) {
        snprintf(err, errlen, "tlspolicy's section has no module path");
    } else {
        rc = 0;
        if (expect_ours) {
            char rerr[512];
            char *mod = rooted(c, cs.module_path, rerr, sizeof(rerr));
            struct stat st;
            if (mod == NULL || stat(mod, &st) != 0 || !S_ISREG(st.st_mode)) {
                snprintf(err, errlen,
                         "the module %s is missing: an openssl.cnf naming a missing module "
                         "takes every algorithm away from OpenSSL programs",
                         mod ? mod : rerr);
                rc = -1;
            }
            free(mod);
        }
    }
    conf_scan_free(&cs);
    return rc;
}

typedef struct verify_args {
    const cli *c;
    const buf *content;
    const conf_scan *before;
    int expect_ours;
} verify_args;

static int verify_new(const char *tmp, void *arg, char *err, size_t errlen)
{
    const verify_args *v = arg;
    return verify(v->c, tmp, v->content, v->before, v->expect_ours, err, errlen);
}

/* Write content beside target, verify, rename over it, fsync the directory. */
static int replace(const cli *c, const char *target, const struct stat *st, const buf *content,
                   const conf_scan *before, int expect_ours, char *err, size_t errlen)
{
    verify_args v = {c, content, before, expect_ours};
    return atomic_replace(target, content->p, content->n, st->st_mode, st, verify_new, &v, err,
                          errlen);
}

static void help_enable(FILE *f)
{
    fputs("Usage: tlspolicy enable [--openssl-conf FILE] [GNUTLS OPTIONS] [--root DIR]\n"
          "\n"
          "Wire tlspolicy into OpenSSL: add one .include of the shipped snippet\n"
          "(" SNIPPET_MAIN ")\n"
          "at the end of the openssl.cnf programs read ($OPENSSL_CONF, else\n"
          "OPENSSLDIR/openssl.cnf, symbolic links followed). If its openssl_conf\n"
          "names another section than [openssl_init], that section is reopened and\n"
          "openssl-tlspolicy-entry.cnf included; with no openssl_conf at all,\n"
          "openssl-tlspolicy-init.cnf (which sets it). Idempotent and atomic: the\n"
          "result is parsed by OpenSSL and must load the module last from the same\n"
          "section before it replaces the file. Refused when the module is missing.\n"
          "The original is kept as FILE" BAK_SUFFIX " until `disable`.\n"
          "Node.js reads the section nodejs_conf names, not openssl_conf: enable\n"
          "also sets nodejs_conf to the same section, unless it is set already\n"
          "(then it says so and leaves it).\n"
          "Programs started afterwards get the policy; running ones keep what they\n"
          "read (`tlspolicy coverage`).\n"
          "\n"
          "  --openssl-conf FILE  the openssl.cnf to change (path on the target)\n"
          "  --root DIR           change that path inside DIR (an image being built;\n"
          "                       symlinks and .. resolved inside DIR)\n"
          "\n"
          "GnuTLS (git, wget, apt): after openssl.cnf, enable writes the policy as\n"
          "GnuTLS's system configuration, " GW_CONFIG " (`tlspolicy export gnutls`),\n"
          "atomically and only after a strict GnuTLS loaded it. A file tlspolicy did\n"
          "not write is kept and reported; so is crypto-policies' configuration.\n"
          "  --gnutls-conf FILE   write FILE instead (path on the target)\n"
          "  --gnutls-replace     replace a file tlspolicy did not write, keeping it\n"
          "                       as FILE" BAK_SUFFIX " for `disable`\n"
          "  --gnutls-only        leave openssl.cnf alone\n"
          "  --no-gnutls          leave the GnuTLS configuration alone\n"
          "\n"
          "Exit status: 0 enabled (or already), 1 refused (nothing changed; when\n"
          "only the GnuTLS part is refused, openssl.cnf is already wired), 2 usage\n"
          "error.\n",
          f);
}

static void help_disable(FILE *f)
{
    fputs("Usage: tlspolicy disable [--openssl-conf FILE] [GNUTLS OPTIONS] [--root DIR]\n"
          "\n"
          "Undo `tlspolicy enable`: when the openssl.cnf is exactly what enable left,\n"
          "write back the original from FILE" BAK_SUFFIX " (byte for byte); otherwise\n"
          "remove only the lines enable added. Atomic, like enable. Programs started\n"
          "afterwards no longer load the module.\n"
          "\n"
          "  --openssl-conf FILE  the openssl.cnf to change (path on the target)\n"
          "  --root DIR           change that path inside DIR\n"
          "GnuTLS: the file enable wrote is removed, or the one it replaced put back\n"
          "byte for byte; a file tlspolicy did not write is left alone.\n"
          "  --gnutls-conf FILE, --gnutls-only, --no-gnutls  as for enable\n"
          "\n"
          "Exit status: 0 disabled (or was not enabled), 1 refused (nothing\n"
          "changed), 2 usage error.\n",
          f);
}

/* The GnuTLS back-end's options (gnutls_wire.c does the work). */
static struct {
    const char *conf;  /* --gnutls-conf */
    int replace;       /* --gnutls-replace */
    int only;          /* --gnutls-only: 1; --no-gnutls: -1 */
} gnutls_opt;

/* The options of enable and disable. Returns -1 to go on, else the exit
 * status (usage error, or --gnutls-only: cmd_enable/cmd_disable do that). */
static int parse_opts(cli *c, int argc, char **argv, int enable, const char **cnf)
{
    static const struct option longopts[] = {
        {"openssl-conf", required_argument, NULL, 'c'},
        {"gnutls-conf", required_argument, NULL, 'G'},
        {"gnutls-replace", no_argument, NULL, 'R'},
        {"gnutls-only", no_argument, NULL, 'O'},
        {"no-gnutls", no_argument, NULL, 'N'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = cli_getopt(c, argc, argv, "", longopts, enable ? help_enable : help_disable))
           != -1) {
        if (ch == 'c')
            *cnf = optarg;
        else if (ch == 'G')
            gnutls_opt.conf = optarg;
        else if (ch == 'R')
            gnutls_opt.replace = 1;
        else if (ch == 'O' || ch == 'N')
            gnutls_opt.only = ch == 'O' ? 1 : -1;
        else
            return TP_EXIT_USAGE;
    }
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if (gnutls_opt.only == 1)
        return TP_EXIT_OK; /* the GnuTLS part only: cmd_enable/cmd_disable */
    return -1;
}

/* The file already includes our snippet: say whether OpenSSL would load the
 * module from it. (An .include moved before `openssl_conf =` swallows that
 * line; a later section may undo ours.) */
static int enable_again(cli *c, const char *target, const buf *orig, char *err, size_t errlen)
{
    conf_scan now;
    if (scan(c, target, orig, &now, err, errlen) != 0) {
        cli_error(c, "%s", err);
        return TP_EXIT_PROBLEMS;
    }
    int rc = TP_EXIT_PROBLEMS;
    int fine = now.loaded && now.entry && now.entry_index == now.nentries - 1;
    if (fine) {
        printf("already enabled: %s includes the tlspolicy snippet\n", target);
        nodejs_note(target, now.init_sect);
        rc = TP_EXIT_OK;
    } else {
        cli_error(c,
                  "%s includes the tlspolicy snippet, but OpenSSL would not load "
                  "the module last from it (%s); `tlspolicy disable` then `enable` "
                  "puts the line at the end",
                  target,
                  !now.loaded ? now.error
                  : now.init_sect == NULL ? "no openssl_conf"
                  : now.entry == NULL ? "not in the section openssl_conf names"
                                      : "another entry follows it");
    }
    conf_scan_free(&now);
    return rc;
}

/* Which snippet to include, and the section to reopen for it (*sect, or
 * NULL); NULL after an error message. */
static const char *pick_snippet(cli *c, const conf_scan *before, const char *target,
                                const char **sect, char *err, size_t errlen)
{
    const char *snippet;
    *sect = NULL;
    if (before->init_sect == NULL) {
        snippet = SNIPPET_INIT;
    } else if (strcmp(before->init_sect, "openssl_init") == 0) {
        snippet = SNIPPET_MAIN;
    } else if (valid_section_name(before->init_sect)) {
        snippet = SNIPPET_ENTRY;
        *sect = before->init_sect;
    } else {
        cli_error(c, "openssl_conf names [%s], which cannot be reopened; not changed",
                  before->init_sect);
        return NULL;
    }
    char *snip_host = rooted(c, snippet, err, errlen);
    struct stat sst;
    if (snip_host == NULL || stat(snip_host, &sst) != 0) {
        cli_error(c, "%s is missing (is the package installed?); %s not changed",
                  snip_host ? snip_host : err, target);
        free(snip_host);
        return NULL;
    }
    free(snip_host);
    return snippet;
}

/* orig, then our marker, the nodejs lines, [sect] and the .include. */
static void add_snippet(buf *out, const buf *orig, const char *nodejs, const char *sect,
                        const char *snippet)
{
    append(out, orig->p, orig->n);
    if (orig->n > 0 && orig->p[orig->n - 1] != '\n')
        appends(out, "\n");
    appends(out, MARKER "\n");
    if (nodejs)
        appends(out, nodejs);
    if (sect) {
        appends(out, "[");
        appends(out, sect);
        appends(out, "]\n");
    }
    appends(out, ".include ");
    appends(out, snippet);
    appends(out, "\n");
}

static int do_enable(cli *c, const char *target, const char *bakpath, const struct stat *st,
                     const buf *orig, char *err, size_t errlen)
{
    if (enabled_in(orig))
        return enable_again(c, target, orig, err, errlen);
    int rc = TP_EXIT_PROBLEMS;
    buf out = {NULL, 0};
    conf_scan before;
    memset(&before, 0, sizeof(before));
    conf_scan_load(&before, target);
    if (!before.loaded) {
        cli_error(c, "%s; not changed", before.error);
        goto out;
    }
    if (before.entry) {
        printf("already wired by hand: [%s] loads %s; %s not changed\n", before.init_sect,
               before.module_path ? before.module_path : "tlspolicy", target);
        rc = TP_EXIT_OK;
        goto out;
    }
    const char *sect;
    const char *snippet = pick_snippet(c, &before, target, &sect, err, errlen);
    if (snippet == NULL)
        goto out;
    const char *init = before.init_sect ? before.init_sect : "tlspolicy_init";
    char *nodejs = nodejs_lines(target, init);
    add_snippet(&out, orig, nodejs, sect, snippet);
    if (replace(c, target, st, &out, &before, 1, err, errlen) != 0) {
        cli_error(c, "%s; %s not changed", err, target);
        free(nodejs);
        goto out;
    }
    /* The backup: the file as it was, for disable and for the admin. */
    char *bnew = cli_join(bakpath, ATOMIC_NEW_SUFFIX);
    if (atomic_write_new(bnew, orig->p, orig->n, st->st_mode, st, err, errlen) != 0
        || rename(bnew, bakpath) != 0)
        cli_error(c, "warning: no backup written (%s)", err[0] ? err : strerror(errno));
    free(bnew);
    atomic_fsync_dir(target);
    printf("enabled: %s includes %s%s%s%s\n"
           "backup: %s\n"
           "Programs started from now on get the policy; running ones keep what they read.\n",
           target, snippet, sect ? " (in [" : "", sect ? sect : "", sect ? "])" : "", bakpath);
    if (nodejs)
        printf("nodejs_conf = %s: node reads the same section\n", init);
    free(nodejs);
    rc = TP_EXIT_OK;
out:
    conf_scan_free(&before);
    free(out.p);
    return rc;
}

/* orig without the lines enable added: each .include of our snippet, and
 * the marker with the lines between it and the include. */
static void strip_snippet(const buf *orig, buf *out)
{
    line *v;
    size_t k = split(orig, &v);
    char *keep = calloc(k ? k : 1, 1);
    if (keep == NULL) {
        fputs("tlspolicy: out of memory\n", stderr);
        exit(TP_EXIT_LOAD);
    }
    memset(keep, 1, k);
    for (size_t i = 0; i < k; i++) {
        if (!is_our_include(v[i].s, v[i].n))
            continue;
        keep[i] = 0;
        /* marker, [default], nodejs_conf = S, [SECT], .include: the lines
         * between the marker and the include go only with the marker */
        size_t j = i;
        while (j > 0 && i - j < 3 && nodejs_enable_line(v[j - 1].s, v[j - 1].n))
            j--;
        if (j > 0 && line_is(v[j - 1].s, v[j - 1].n, MARKER))
            memset(keep + j - 1, 0, i - j + 1);
    }
    for (size_t i = 0; i < k; i++)
        if (keep[i])
            append(out, v[i].s, v[i].len);
    free(keep);
    free(v);
}

static int do_disable(cli *c, const char *target, const char *bakpath, const struct stat *st,
                      const buf *orig, char *err, size_t errlen)
{
    if (!enabled_in(orig)) {
        printf("not enabled: %s does not include the tlspolicy snippet\n", target);
        return TP_EXIT_OK;
    }
    int rc = TP_EXIT_PROBLEMS;
    buf out = {NULL, 0}, bak = {NULL, 0};
    conf_scan before;
    memset(&before, 0, sizeof(before));
    strip_snippet(orig, &out);
    /* Nothing else changed since enable: the backup is the original, with
     * the newline enable may have added to a last line that had none. */
    char berr[256];
    int exact = 0;
    if (read_file(bakpath, &bak, berr, sizeof(berr)) == 0 && bak.n <= out.n
        && memcmp(bak.p, out.p, bak.n) == 0
        && (out.n == bak.n || (out.n == bak.n + 1 && out.p[bak.n] == '\n'))) {
        free(out.p);
        out.p = NULL;
        out.n = 0;
        append(&out, bak.p, bak.n);
        exact = 1;
    }
    if (replace(c, target, st, &out, &before, 0, err, errlen) != 0) {
        cli_error(c, "%s; %s not changed", err, target);
        goto out;
    }
    if (exact || bak.p == NULL)
        unlink(bakpath);
    atomic_fsync_dir(target);
    printf("disabled: %s no longer includes the tlspolicy snippet%s\n", target,
           exact ? " (original restored)" : "");
    if (!exact && bak.p)
        printf("note: %s changed since enable; only enable's lines were removed, %s kept\n",
               target, bakpath);
    rc = TP_EXIT_OK;
out:
    conf_scan_free(&before);
    free(out.p);
    free(bak.p);
    return rc;
}

/* The openssl.cnf part of enable (or disable), on cnf (NULL: the default). */
static int run(cli *c, const char *cnf, int enable)
{
    int rc;
    char err[1024] = "";
    char *deflt = NULL;
    if (cnf == NULL)
        cnf = deflt = conf_default_file();
    char *target = resolve(c, cnf, err, sizeof(err));
    free(deflt);
    if (target == NULL) {
        cli_error(c, "%s", err);
        return TP_EXIT_PROBLEMS;
    }

    buf orig = {NULL, 0};
    struct stat st;
    char *bakpath = cli_join(target, BAK_SUFFIX);
    if (stat(target, &st) != 0 || read_file(target, &orig, err, sizeof(err)) != 0) {
        if (!err[0])
            snprintf(err, sizeof(err), "%s: %s", target, strerror(errno));
        cli_error(c, "%s", err);
        rc = TP_EXIT_PROBLEMS;
    } else if (enable) {
        rc = do_enable(c, target, bakpath, &st, &orig, err, sizeof(err));
    } else {
        rc = do_disable(c, target, bakpath, &st, &orig, err, sizeof(err));
    }
    free(orig.p);
    free(bakpath);
    free(target);
    return rc;
}

/* The options, then the root (cli_root_missing): -1 to go on with
 * openssl.cnf (*cnf), TP_EXIT_OK for the GnuTLS part only, else the exit
 * status, with nothing to do. */
static int start(cli *c, int argc, char **argv, int enable, const char **cnf)
{
    *cnf = NULL;
    int rc = parse_opts(c, argc, argv, enable, cnf);
    if (rc != TP_EXIT_USAGE && cli_root_missing(c))
        return TP_EXIT_PROBLEMS;
    return rc;
}

/* OpenSSL first; GnuTLS after a successful enable, and on every disable. */
int cmd_enable(cli *c, int argc, char **argv)
{
    const char *cnf;
    int rc = start(c, argc, argv, 1, &cnf);
    if (rc == -1)
        rc = run(c, cnf, 1);
    if (rc == TP_EXIT_OK && gnutls_opt.only != -1)
        rc = gw_enable(c, gnutls_opt.conf, gnutls_opt.replace);
    return rc;
}

int cmd_disable(cli *c, int argc, char **argv)
{
    const char *cnf;
    int rc = start(c, argc, argv, 0, &cnf);
    if (rc != -1 && rc != TP_EXIT_OK)
        return rc;
    if (rc == -1)
        rc = run(c, cnf, 0);
    if (gnutls_opt.only != -1) {
        int g = gw_disable(c, gnutls_opt.conf);
        if (rc == TP_EXIT_OK)
            rc = g;
    }
    return rc;
}
