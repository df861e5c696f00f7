/*
 * gnutls_wire.c - the GnuTLS back-end of the CLI.
 *
 * GnuTLS is never linked: the CLI must build and run without it. The names
 * the installed GnuTLS knows come from dlopen(libgnutls.so.30) with its
 * system configuration switched off (gnutls_*_list() leave out what that
 * file disables, and the rendering must not depend on what it replaces).
 *
 * The file (/etc/gnutls/config on Debian, owned by no package) is written
 * like openssl.cnf: beside, fsync'ed, loaded by a strict GnuTLS in a child
 * process, renamed over, directory fsync'ed. A file tlspolicy did not write
 * (no TP_GNUTLS_MARKER first line) is kept and reported, unless enable is
 * told to replace it: then it is kept as FILE.tlspolicy-bak and `disable`
 * puts it back byte for byte. Where crypto-policies owns the GnuTLS
 * configuration (its back-end file exists), nothing is written unless told.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic.h"
#include "gnutls_wire.h"
#include "rootpath.h"

#define BAK_SUFFIX ".tlspolicy-bak"
#define MAX_FILE (1024 * 1024)

/* ---- the installed GnuTLS ------------------------------------------------- */

/* dlsym returns an object pointer; ISO C has no cast to a function pointer */
#define GW_SYM(fp, h, name)                     \
    do {                                        \
        void *s_ = dlsym((h), (name));          \
        memcpy(&(fp), &s_, sizeof(fp));         \
    } while (0)

typedef const int *(*list_fn)(void);
typedef const char *(*name_fn)(int);
typedef int (*id_fn)(const char *);

/* The configuration file looks names up with *_get_id: a listed name that
 * does not come back (3.7.9 lists "RSA-EXPORT", its parser refuses it) is
 * left out, or a strict GnuTLS would refuse the whole file. */
static const struct {
    const char *list, *name, *id;
} gw_syms[TP_GT__COUNT] = {
    [TP_GT_VERSION] = {"gnutls_protocol_list", "gnutls_protocol_get_name", "gnutls_protocol_get_id"},
    [TP_GT_CIPHER] = {"gnutls_cipher_list", "gnutls_cipher_get_name", "gnutls_cipher_get_id"},
    [TP_GT_MAC] = {"gnutls_mac_list", "gnutls_mac_get_name", "gnutls_mac_get_id"},
    [TP_GT_KX] = {"gnutls_kx_list", "gnutls_kx_get_name", "gnutls_kx_get_id"},
    [TP_GT_GROUP] = {"gnutls_group_list", "gnutls_group_get_name", "gnutls_group_get_id"},
    [TP_GT_CURVE] = {"gnutls_ecc_curve_list", "gnutls_ecc_curve_get_name", "gnutls_ecc_curve_get_id"},
    [TP_GT_SIGN] = {"gnutls_sign_list", "gnutls_sign_get_name", "gnutls_sign_get_id"},
    [TP_GT_HASH] = {"gnutls_digest_list", "gnutls_digest_get_name", "gnutls_digest_get_id"},
};

static void *gw_dlopen(void)
{
    /* The library reads its configuration when it is loaded. */
    const char *old = getenv("GNUTLS_SYSTEM_PRIORITY_FILE");
    char *saved = old ? strdup(old) : NULL;
    setenv("GNUTLS_SYSTEM_PRIORITY_FILE", "/dev/null", 1);
    void *h = dlopen(GW_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (saved) {
        setenv("GNUTLS_SYSTEM_PRIORITY_FILE", saved, 1);
        free(saved);
    } else {
        unsetenv("GNUTLS_SYSTEM_PRIORITY_FILE");
    }
    return h;
}

static int from_library(gw_lib *g, void *h)
{
    const char *(*check_version)(const char *);
    GW_SYM(check_version, h, "gnutls_check_version");
    for (int k = 0; k < TP_GT__COUNT; k++) {
        list_fn lf;
        name_fn nf;
        id_fn idf;
        GW_SYM(lf, h, gw_syms[k].list);
        GW_SYM(nf, h, gw_syms[k].name);
        GW_SYM(idf, h, gw_syms[k].id);
        if (lf == NULL || nf == NULL || idf == NULL)
            return -1;
        const int *ids = lf();
        size_t n = 0;
        while (ids && ids[n])
            n++;
        g->owned[k] = calloc(n + 1, sizeof(char *));
        if (g->owned[k] == NULL)
            return -1;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const char *s = nf(ids[i]);
            if (s == NULL || idf(s) == 0 || (g->owned[k][m] = strdup(s)) == NULL)
                continue;
            m++;
        }
        g->names.names[k] = (const char *const *)g->owned[k];
        g->names.n[k] = m;
    }
    snprintf(g->source, sizeof(g->source), "%s %s", GW_SONAME,
             check_version ? check_version(NULL) : "(version unknown)");
    return 0;
}

void gw_lib_load(gw_lib *g)
{
    memset(g, 0, sizeof(*g));
    void *h = gw_dlopen();
    if (h && from_library(g, h) == 0) {
        g->from_library = 1;
        /* Kept loaded: the names point into our copies, but GnuTLS's
         * destructor would run at dlclose for nothing. */
        return;
    }
    gw_lib_free(g);
    tp_gnutls_static_names(&g->names);
    snprintf(g->source, sizeof(g->source),
             "the static table of GnuTLS 3.7 (%s could not be loaded)", GW_SONAME);
}

void gw_lib_free(gw_lib *g)
{
    for (int k = 0; k < TP_GT__COUNT; k++) {
        for (size_t i = 0; g->owned[k] && g->owned[k][i]; i++)
            free(g->owned[k][i]);
        free(g->owned[k]);
        g->owned[k] = NULL;
    }
    memset(&g->names, 0, sizeof(g->names));
}

char *gw_render(const tp_resolved *r, const gw_lib *g, const char *app, size_t napp_rules,
                tp_gnutls_conf *conf_out)
{
    tp_gnutls_conf conf;
    if (tp_render_gnutls(r, &g->names, &conf) != TP_OK)
        return NULL;
    char *extra = NULL;
    if (app)
        (void)!asprintf(&extra, "rendered for program \"%s\": GnuTLS reads one file for every "
                        "program, so installed this would apply to all of them", app);
    else if (napp_rules)
        (void)!asprintf(&extra, "%zu application rule(s): GnuTLS reads one file for every "
                        "program; only the system-wide policy is rendered", napp_rules);
    if (extra && conf.nnotes < TP_GNUTLS_MAX_NOTES)
        conf.notes[conf.nnotes++] = extra;
    else
        free(extra);
    char *text = tp_gnutls_conf_text(&conf, g->source);
    if (conf_out)
        *conf_out = conf;
    else
        tp_gnutls_conf_clear(&conf);
    return text;
}

/* The child of gw_check_file: load GnuTLS strictly with file as its system
 * configuration and ask it for priorities; GnuTLS's error goes to wfd.
 * Exits 0 accepted, 1 refused, 3 no GnuTLS. */
static void check_child(const char *file, int wfd)
{
    setenv("GNUTLS_SYSTEM_PRIORITY_FILE", file, 1);
    setenv("GNUTLS_SYSTEM_PRIORITY_FAIL_ON_INVALID", "1", 1);
    void *h = dlopen(GW_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        _exit(3);
    int (*pinit)(void **, const char *, const char **);
    void (*pdeinit)(void *);
    const char *(*strerr)(int);
    GW_SYM(pinit, h, "gnutls_priority_init");
    GW_SYM(pdeinit, h, "gnutls_priority_deinit");
    GW_SYM(strerr, h, "gnutls_strerror");
    if (pinit == NULL || pdeinit == NULL)
        _exit(3);
    void *prio = NULL;
    const char *where = NULL;
    /* NULL: the file's default-priority-string; then a program's own. */
    int rc = pinit(&prio, NULL, &where);
    if (rc >= 0) {
        pdeinit(prio);
        if ((rc = pinit(&prio, "NORMAL", &where)) >= 0)
            pdeinit(prio);
    }
    if (rc < 0) {
        dprintf(wfd, "%s", strerr ? strerr(rc) : "refused");
        _exit(1);
    }
    _exit(0);
}

/* What the child of gw_check_file said, read from rfd, and how it ended:
 * gw_check_file's return value and message. */
static int check_verdict(pid_t pid, int rfd, char *msg, size_t len)
{
    char out[256];
    ssize_t n = read(rfd, out, sizeof(out) - 1);
    close(rfd);
    out[n > 0 ? n : 0] = '\0';
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
        snprintf(msg, len, "%s cannot be loaded", GW_SONAME);
        return -1;
    }
    /* A strict GnuTLS exits at load (its constructor) on an unknown name. */
    snprintf(msg, len, "GnuTLS refuses it in strict mode: %s",
             out[0] ? out : "the library exits when loading it");
    return 1;
}

int gw_check_file(const char *file, char *msg, size_t len)
{
    int pfd[2];
    if (pipe(pfd) != 0) {
        snprintf(msg, len, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(msg, len, "fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        close(pfd[0]);
        check_child(file, pfd[1]);
    }
    close(pfd[1]);
    return check_verdict(pid, pfd[0], msg, len);
}

/* ---- files ------------------------------------------------------------------ */

static int has_root(const cli *c)
{
    return c->root && c->root[0] && strcmp(c->root, "/") != 0;
}

/* abs as the target system names it. Under --root every component is
 * resolved inside the root (rootpath.c), as for openssl.cnf, so a symlinked
 * etc/ or etc/gnutls in an image never sends the write to the host; the
 * last component is not followed (a symlink there is replaced or kept as a
 * link). When a directory on the way does not exist yet (etc/gnutls in a
 * fresh image), the deepest existing ancestor is resolved and the rest
 * appended: those directories are then created inside the root. */
static char *rooted(const cli *c, const char *abs)
{
    if (!has_root(c) || abs[0] != '/')
        return cli_join(abs, "");
    char err[512];
    char *r = root_path(c->root, abs, 0, err, sizeof(err));
    if (r != NULL)
        return r;
    char *dir = cli_join(abs, "");
    for (char *slash = strrchr(dir, '/'); slash != NULL && slash != dir;
         slash = strrchr(dir, '/')) {
        *slash = '\0';
        r = root_path(c->root, dir, 1, err, sizeof(err));
        if (r != NULL) {
            char *full = cli_join(r, abs + strlen(dir));
            free(r);
            free(dir);
            return full;
        }
    }
    free(dir);
    /* nothing resolves: the root itself is missing (enable and disable
     * refuse such a root first, cli_root_missing; readers find nothing) */
    size_t n = strlen(c->root);
    while (n > 1 && c->root[n - 1] == '/')
        n--;
    r = cli_join(c->root, abs);
    memmove(r + n, r + strlen(c->root), strlen(abs) + 1);
    return r;
}

char *gw_path(const cli *c, const char *override)
{
    return rooted(c, override ? override : GW_CONFIG);
}

/* The whole file, or NULL (errno set; ENOENT when absent, EISDIR for a
 * directory, EINVAL for another file that is not regular or too large). */
char *gw_slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    struct stat st;
    int e = 0;
    if (fstat(fd, &st) != 0)
        e = errno;
    else if (S_ISDIR(st.st_mode))
        e = EISDIR;
    else if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE)
        e = EINVAL;
    if (e != 0) {
        close(fd);
        errno = e;
        return NULL;
    }
    char *p = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (p && got < (size_t)st.st_size) {
        ssize_t r = read(fd, p + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (p) {
        p[got] = '\0';
        *len = got;
    }
    return p;
}

/* mkdir -p for the file's directory (under a root, /etc/gnutls may not
 * exist yet; on Debian it does not until something creates it). */
static int make_dirs(const char *file, char *err, size_t errlen)
{
    char *d = cli_join(file, "");
    char *slash = strrchr(d, '/');
    if (slash && slash != d) {
        *slash = '\0';
        for (char *p = d + 1; *p; p++) {
            if (*p != '/')
                continue;
            *p = '\0';
            mkdir(d, 0755);
            *p = '/';
        }
        if (mkdir(d, 0755) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: %s", d, strerror(errno));
            free(d);
            return -1;
        }
    }
    free(d);
    return 0;
}

/* The new file loads in a strict GnuTLS (or there is none to ask). */
static int check_new(const char *tmp, void *arg, char *err, size_t errlen)
{
    const char **checked = arg;
    char msg[512];
    int chk = gw_check_file(tmp, msg, sizeof(msg));
    if (chk > 0) {
        snprintf(err, errlen, "%s", msg);
        return -1;
    }
    *checked = chk == 0 ? "loaded by a strict GnuTLS" : "not checked: no GnuTLS here";
    return 0;
}

/* Write text beside target, check it with a strict GnuTLS, rename over. */
static int install(const char *target, const char *text, char *err, size_t errlen,
                   const char **checked)
{
    if (make_dirs(target, err, errlen) != 0)
        return -1;
    return atomic_replace(target, text, strlen(text), 0644, NULL, check_new, checked, err,
                          errlen);
}

int gw_is_ours(const char *text)
{
    return text && strncmp(text, TP_GNUTLS_MARKER "\n", strlen(TP_GNUTLS_MARKER) + 1) == 0;
}

/* The text for the system-wide policy; NULL with a message printed. */
char *gw_render_system(cli *c, gw_lib *g)
{
    tp_err lerr = TP_OK, rerr = TP_OK;
    if (cli_resolve_opts(c) != 0)
        return NULL;
    tp_policy *p = cli_load(c, &lerr);
    if (p == NULL)
        return NULL;
    tp_resolved *r = tp_policy_resolve(p, NULL, NULL, &rerr);
    char *text = NULL;
    if (r == NULL)
        cli_error(c, "cannot resolve the policy: %s", tp_strerror(rerr));
    else if (tp_resolved_is_fallback(r))
        cli_error(c, "the policy has errors (`tlspolicy check`); GnuTLS configuration "
                  "not written");
    else if ((text = gw_render(r, g, NULL, tp_policy_napps(p), NULL)) == NULL)
        cli_error(c, "%s", tp_strerror(TP_ERR_NOMEM));
    tp_resolved_free(r);
    tp_policy_free(p);
    return text;
}

int gw_crypto_policies(const cli *c)
{
    char *cp = rooted(c, GW_CRYPTO_POLICIES);
    struct stat st;
    int r = lstat(cp, &st) == 0;
    free(cp);
    return r;
}

/* What enable and disable work on: GnuTLS's configuration file, its
 * backup and their texts (gw_run_free). */
typedef struct gw_run {
    char *target;   /* the configuration file */
    char *bak;      /* target's backup (BAK_SUFFIX) */
    char *old;      /* target's text; NULL if it could not be read */
    size_t olen;    /* its length */
    int old_errno;  /* why old is NULL (ENOENT: absent), else 0 */
    char *text;     /* the new text (enable) */
    char err[1024]; /* what went wrong */
} gw_run;

/* The file for --gnutls-conf override (NULL: the default) and its backup. */
static void gw_run_init(gw_run *r, const cli *c, const char *override)
{
    memset(r, 0, sizeof(*r));
    r->target = gw_path(c, override);
    r->bak = cli_join(r->target, BAK_SUFFIX);
}

/* Free what a run holds. */
static void gw_run_free(gw_run *r)
{
    free(r->text);
    free(r->old);
    free(r->bak);
    free(r->target);
}

/* Whether enable leaves the file alone: crypto-policies owns it, it cannot
 * be read, or it is a symbolic link or a file tlspolicy did not write and
 * replacing was not asked for. -1 to go on, else the exit status. */
static int enable_kept(cli *c, const gw_run *r, const char *override, int replace_foreign)
{
    struct stat lst;

    if (override == NULL && gw_crypto_policies(c) && !replace_foreign) {
        printf("GnuTLS: crypto-policies owns the GnuTLS configuration here (%s); left "
               "alone (--gnutls-conf %s --gnutls-replace would replace it; "
               "`update-crypto-policies` may overwrite it again)\n", GW_CRYPTO_POLICIES,
               GW_CRYPTO_POLICIES);
        return TP_EXIT_OK;
    }
    if (r->old == NULL && r->old_errno != ENOENT) {
        cli_error(c, "GnuTLS: %s: %s; not changed", r->target, strerror(r->old_errno));
        return TP_EXIT_PROBLEMS;
    }
    if (lstat(r->target, &lst) == 0 && S_ISLNK(lst.st_mode) && !replace_foreign) {
        printf("GnuTLS: %s is a symbolic link tlspolicy did not make; kept "
               "(--gnutls-replace puts tlspolicy's file in its place)\n",
               r->target);
        return TP_EXIT_OK;
    }
    if (r->old && !gw_is_ours(r->old) && !replace_foreign) {
        printf("GnuTLS: %s exists and was not written by tlspolicy; kept, GnuTLS programs "
               "are not held to the policy (--gnutls-replace replaces it, keeping a backup)\n",
               r->target);
        return TP_EXIT_OK;
    }
    return -1;
}

/* Told to replace a foreign file: keep it for disable (a symbolic link, as
 * crypto-policies makes, is kept as the link itself). 0, or -1 after the
 * error. */
static int enable_backup(cli *c, gw_run *r)
{
    char *bnew = cli_join(r->bak, ATOMIC_NEW_SUFFIX);
    struct stat ost;
    int w = 0;
    if (lstat(r->target, &ost) == 0 && S_ISLNK(ost.st_mode)) {
        char lt[4096];
        ssize_t n = readlink(r->target, lt, sizeof(lt) - 1);
        unlink(bnew);
        if (n <= 0 || (lt[n] = '\0', symlink(lt, bnew) != 0)) {
            snprintf(r->err, sizeof(r->err), "%s: %s", bnew, strerror(errno));
            w = -1;
        }
    } else {
        w = atomic_write_new(bnew, r->old, r->olen, stat(r->target, &ost) == 0 ? ost.st_mode : 0644,
                             NULL, r->err, sizeof(r->err));
    }
    if (w == 0 && rename(bnew, r->bak) != 0) {
        snprintf(r->err, sizeof(r->err), "rename %s: %s", r->bak, strerror(errno));
        w = -1;
    }
    free(bnew);
    if (w != 0) {
        cli_error(c, "GnuTLS: no backup of %s (%s); not changed", r->target, r->err);
        return -1;
    }
    return 0;
}

/* Install the new text and say so. The exit status. */
static int enable_install(cli *c, gw_run *r, const gw_lib *g)
{
    const char *checked = "";
    if (install(r->target, r->text, r->err, sizeof(r->err), &checked) != 0) {
        cli_error(c, "GnuTLS: %s; %s not changed", r->err, r->target);
        return TP_EXIT_PROBLEMS;
    }
    printf("GnuTLS: %s %s (%s; names from %s)\n", r->old ? "updated" : "wrote", r->target, checked,
           g->source);
    if (r->old && !gw_is_ours(r->old))
        printf("GnuTLS: backup: %s\n", r->bak);
    return TP_EXIT_OK;
}

int gw_enable(cli *c, const char *override, int replace_foreign)
{
    gw_run r;
    gw_lib g;
    gw_run_init(&r, c, override);
    gw_lib_load(&g);
    r.old = gw_slurp(r.target, &r.olen);
    r.old_errno = r.old ? 0 : errno;

    int rc = enable_kept(c, &r, override, replace_foreign);
    if (rc != -1)
        goto out;
    rc = TP_EXIT_PROBLEMS;
    if ((r.text = gw_render_system(c, &g)) == NULL)
        goto out;
    if (r.old && strcmp(r.old, r.text) == 0) {
        printf("GnuTLS: already enabled: %s matches the policy\n", r.target);
        rc = TP_EXIT_OK;
        goto out;
    }
    if (r.old && !gw_is_ours(r.old) && enable_backup(c, &r) != 0)
        goto out;
    rc = enable_install(c, &r, &g);
out:
    gw_lib_free(&g);
    gw_run_free(&r);
    return rc;
}

/* enable replaced a symbolic link: put the link itself back. The exit
 * status. */
static int disable_relink(cli *c, const gw_run *r)
{
    if (rename(r->bak, r->target) != 0) {
        cli_error(c, "GnuTLS: rename %s: %s; %s not changed", r->bak, strerror(errno), r->target);
        return TP_EXIT_PROBLEMS;
    }
    atomic_fsync_dir(r->target);
    printf("GnuTLS: disabled: %s restored from %s (a symbolic link)\n", r->target, r->bak);
    return TP_EXIT_OK;
}

/* Put the backup's text saved (blen bytes) back in place of the file and
 * remove the backup. The exit status. */
static int disable_restore(cli *c, gw_run *r, const char *saved, size_t blen)
{
    struct stat st;
    mode_t mode = stat(r->bak, &st) == 0 ? st.st_mode : 0644;
    char *tmp = cli_join(r->target, ATOMIC_NEW_SUFFIX);
    int w = atomic_write_new(tmp, saved, blen, mode, NULL, r->err, sizeof(r->err));
    if (w == 0 && rename(tmp, r->target) != 0) {
        snprintf(r->err, sizeof(r->err), "rename %s: %s", r->target, strerror(errno));
        unlink(tmp);
        w = -1;
    }
    free(tmp);
    if (w != 0) {
        cli_error(c, "GnuTLS: %s; %s not changed", r->err, r->target);
        return TP_EXIT_PROBLEMS;
    }
    unlink(r->bak);
    atomic_fsync_dir(r->target);
    printf("GnuTLS: disabled: %s restored from %s\n", r->target, r->bak);
    return TP_EXIT_OK;
}

/* There was no file before enable: remove tlspolicy's. The exit status. */
static int disable_remove(cli *c, const gw_run *r)
{
    if (unlink(r->target) != 0) {
        cli_error(c, "GnuTLS: %s: %s", r->target, strerror(errno));
        return TP_EXIT_PROBLEMS;
    }
    atomic_fsync_dir(r->target);
    printf("GnuTLS: disabled: %s removed (there was none before)\n", r->target);
    return TP_EXIT_OK;
}

/* The backup exists but cannot be read (error): removing tlspolicy's file
 * would lose what it replaced. Nothing changed; the exit status. */
static int disable_unreadable(cli *c, const gw_run *r, int error)
{
    cli_error(c, "GnuTLS: %s: %s; %s not changed", r->bak, strerror(error), r->target);
    return TP_EXIT_PROBLEMS;
}

int gw_disable(cli *c, const char *override)
{
    gw_run r;
    size_t blen = 0;
    gw_run_init(&r, c, override);
    r.old = gw_slurp(r.target, &r.olen);

    int rc;
    if (r.old == NULL || !gw_is_ours(r.old)) {
        printf("GnuTLS: not enabled: %s %s\n", r.target,
               r.old ? "was not written by tlspolicy; kept" : "does not exist");
        rc = TP_EXIT_OK;
    } else {
        struct stat bst;
        if (lstat(r.bak, &bst) == 0 && S_ISLNK(bst.st_mode)) {
            rc = disable_relink(c, &r);
        } else {
            char *saved = gw_slurp(r.bak, &blen);
            if (saved)
                rc = disable_restore(c, &r, saved, blen);
            else if (errno == ENOENT)
                rc = disable_remove(c, &r);
            else
                rc = disable_unreadable(c, &r, errno);
            free(saved);
        }
    }
    gw_run_free(&r);
    return rc;
}

int gw_regenerate(cli *c)
{
    char *target = gw_path(c, NULL);
    size_t olen = 0;
    char *old = gw_slurp(target, &olen);
    int rc = TP_EXIT_OK;
    if (old && gw_is_ours(old)) {
        gw_lib g;
        gw_lib_load(&g);
        char *text = gw_render_system(c, &g);
        char err[1024];
        const char *checked = "";
        if (text == NULL) {
            rc = TP_EXIT_PROBLEMS;
        } else if (strcmp(text, old) == 0) {
            printf("GnuTLS: %s already matches\n", target);
        } else if (install(target, text, err, sizeof(err), &checked) != 0) {
            cli_error(c, "GnuTLS: %s; %s not changed: it is stale until `tlspolicy enable` "
                      "succeeds", err, target);
            rc = TP_EXIT_PROBLEMS;
        } else {
            printf("GnuTLS: %s regenerated (%s)\n", target, checked);
        }
        free(text);
        gw_lib_free(&g);
    }
    free(old);
    free(target);
    return rc;
}
