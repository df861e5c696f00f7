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
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gnutls_wire.h"

#define BAK_SUFFIX ".tlspolicy-bak"
#define NEW_SUFFIX ".tlspolicy-new"
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
            dprintf(pfd[1], "%s", strerr ? strerr(rc) : "refused");
            _exit(1);
        }
        _exit(0);
    }
    close(pfd[1]);
    char out[256];
    ssize_t n = read(pfd[0], out, sizeof(out) - 1);
    close(pfd[0]);
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

/* ---- files ------------------------------------------------------------------ */

static int has_root(const cli *c)
{
    return c->root && c->root[0] && strcmp(c->root, "/") != 0;
}

static char *rooted(const cli *c, const char *abs)
{
    if (!has_root(c) || abs[0] != '/')
        return cli_join(abs, "");
    size_t n = strlen(c->root);
    while (n > 1 && c->root[n - 1] == '/')
        n--;
    char *r = cli_join(c->root, abs);
    memmove(r + n, r + strlen(c->root), strlen(abs) + 1);
    return r;
}

char *gw_path(const cli *c, const char *override)
{
    return rooted(c, override ? override : GW_CONFIG);
}

/* The whole file, or NULL (errno set; ENOENT when absent). */
static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
        close(fd);
        errno = EINVAL;
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

static int fsync_dir(const char *file)
{
    char *d = cli_join(file, "");
    int fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(d);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

static int write_new(const char *path, const char *data, size_t n, mode_t mode, char *err,
                     size_t errlen)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, data + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            goto fail;
        off += (size_t)w;
    }
    if (fchmod(fd, mode & 07777) != 0 || fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    return 0;
fail:
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    unlink(path);
    return -1;
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

/* Write text beside target, check it with a strict GnuTLS, rename over. */
static int install(const char *target, const char *text, char *err, size_t errlen,
                   const char **checked)
{
    if (make_dirs(target, err, errlen) != 0)
        return -1;
    char *tmp = cli_join(target, NEW_SUFFIX);
    int rc = -1;
    if (write_new(tmp, text, strlen(text), 0644, err, errlen) != 0)
        goto out;
    char msg[512];
    int chk = gw_check_file(tmp, msg, sizeof(msg));
    if (chk > 0) {
        snprintf(err, errlen, "%s", msg);
        unlink(tmp);
        goto out;
    }
    *checked = chk == 0 ? "loaded by a strict GnuTLS" : "not checked: no GnuTLS here";
    if (rename(tmp, target) != 0) {
        snprintf(err, errlen, "rename %s: %s", target, strerror(errno));
        unlink(tmp);
        goto out;
    }
    fsync_dir(target);
    rc = 0;
out:
    free(tmp);
    return rc;
}

static int is_ours(const char *text)
{
    return text && strncmp(text, TP_GNUTLS_MARKER "\n", strlen(TP_GNUTLS_MARKER) + 1) == 0;
}

/* The text for the system-wide policy; NULL with a message printed. */
static char *render_system(cli *c, gw_lib *g)
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

static int crypto_policies(const cli *c)
{
    char *cp = rooted(c, GW_CRYPTO_POLICIES);
    struct stat st;
    int r = lstat(cp, &st) == 0;
    free(cp);
    return r;
}

int gw_enable(cli *c, const char *override, int replace_foreign)
{
    char *target = gw_path(c, override);
    char *bak = cli_join(target, BAK_SUFFIX);
    char err[1024] = "";
    size_t olen = 0;
    int rc = TP_EXIT_PROBLEMS;
    gw_lib g;
    gw_lib_load(&g);
    char *old = slurp(target, &olen);
    int absent = old == NULL && errno == ENOENT;
    char *text = NULL;
    struct stat lst;

    if (override == NULL && crypto_policies(c) && !replace_foreign) {
        printf("GnuTLS: crypto-policies owns the GnuTLS configuration here (%s); left "
               "alone (--gnutls-conf %s --gnutls-replace would replace it; "
               "`update-crypto-policies` may overwrite it again)\n", GW_CRYPTO_POLICIES,
               GW_CRYPTO_POLICIES);
        rc = TP_EXIT_OK;
        goto out;
    }
    if (!absent && old == NULL) {
        cli_error(c, "GnuTLS: %s: %s; not changed", target, strerror(errno));
        goto out;
    }
    if (lstat(target, &lst) == 0 && S_ISLNK(lst.st_mode) && !replace_foreign) {
        printf("GnuTLS: %s is a symbolic link tlspolicy did not make; kept "
               "(--gnutls-replace puts tlspolicy's file in its place)\n", target);
        rc = TP_EXIT_OK;
        goto out;
    }
    if (old && !is_ours(old) && !replace_foreign) {
        printf("GnuTLS: %s exists and was not written by tlspolicy; kept, GnuTLS programs "
               "are not held to the policy (--gnutls-replace replaces it, keeping a backup)\n",
               target);
        rc = TP_EXIT_OK;
        goto out;
    }
    if ((text = render_system(c, &g)) == NULL)
        goto out;
    if (old && strcmp(old, text) == 0) {
        printf("GnuTLS: already enabled: %s matches the policy\n", target);
        rc = TP_EXIT_OK;
        goto out;
    }
    if (old && !is_ours(old)) {
        /* Told to replace a foreign file: keep it for disable (a symbolic
         * link, as crypto-policies makes, is kept as the link itself). */
        char *bnew = cli_join(bak, NEW_SUFFIX);
        struct stat ost;
        int w = 0;
        if (lstat(target, &ost) == 0 && S_ISLNK(ost.st_mode)) {
            char lt[4096];
            ssize_t n = readlink(target, lt, sizeof(lt) - 1);
            unlink(bnew);
            if (n <= 0 || (lt[n] = '\0', symlink(lt, bnew) != 0)) {
                snprintf(err, sizeof(err), "%s: %s", bnew, strerror(errno));
                w = -1;
            }
        } else {
            w = write_new(bnew, old, olen, stat(target, &ost) == 0 ? ost.st_mode : 0644, err,
                          sizeof(err));
        }
        if (w == 0 && rename(bnew, bak) != 0) {
            snprintf(err, sizeof(err), "rename %s: %s", bak, strerror(errno));
            w = -1;
        }
        free(bnew);
        if (w != 0) {
            cli_error(c, "GnuTLS: no backup of %s (%s); not changed", target, err);
            goto out;
        }
    }
    const char *checked = "";
    if (install(target, text, err, sizeof(err), &checked) != 0) {
        cli_error(c, "GnuTLS: %s; %s not changed", err, target);
        goto out;
    }
    printf("GnuTLS: %s %s (%s; names from %s)\n", old ? "updated" : "wrote", target, checked,
           g.source);
    if (old && !is_ours(old))
        printf("GnuTLS: backup: %s\n", bak);
    rc = TP_EXIT_OK;
out:
    gw_lib_free(&g);
    free(text);
    free(old);
    free(bak);
    free(target);
    return rc;
}

int gw_disable(cli *c, const char *override)
{
    char *target = gw_path(c, override);
    char *bak = cli_join(target, BAK_SUFFIX);
    size_t olen = 0, blen = 0;
    int rc = TP_EXIT_PROBLEMS;
    char *old = slurp(target, &olen);
    char *saved = NULL;
    char err[1024] = "";

    if (old == NULL || !is_ours(old)) {
        printf("GnuTLS: not enabled: %s %s\n", target,
               old ? "was not written by tlspolicy; kept" : "does not exist");
        rc = TP_EXIT_OK;
        goto out;
    }
    struct stat bst;
    if (lstat(bak, &bst) == 0 && S_ISLNK(bst.st_mode)) {
        /* enable replaced a symbolic link: put the link itself back */
        if (rename(bak, target) != 0) {
            cli_error(c, "GnuTLS: rename %s: %s; %s not changed", bak, strerror(errno), target);
            goto out;
        }
        fsync_dir(target);
        printf("GnuTLS: disabled: %s restored from %s (a symbolic link)\n", target, bak);
        rc = TP_EXIT_OK;
        goto out;
    }
    saved = slurp(bak, &blen);
    if (saved) {
        struct stat st;
        mode_t mode = stat(bak, &st) == 0 ? st.st_mode : 0644;
        char *tmp = cli_join(target, NEW_SUFFIX);
        int w = write_new(tmp, saved, blen, mode, err, sizeof(err));
        if (w == 0 && rename(tmp, target) != 0) {
            snprintf(err, sizeof(err), "rename %s: %s", target, strerror(errno));
            unlink(tmp);
            w = -1;
        }
        free(tmp);
        if (w != 0) {
            cli_error(c, "GnuTLS: %s; %s not changed", err, target);
            goto out;
        }
        unlink(bak);
        fsync_dir(target);
        printf("GnuTLS: disabled: %s restored from %s\n", target, bak);
    } else {
        if (unlink(target) != 0) {
            cli_error(c, "GnuTLS: %s: %s", target, strerror(errno));
            goto out;
        }
        fsync_dir(target);
        printf("GnuTLS: disabled: %s removed (there was none before)\n", target);
    }
    rc = TP_EXIT_OK;
out:
    free(saved);
    free(old);
    free(bak);
    free(target);
    return rc;
}

int gw_regenerate(cli *c)
{
    char *target = gw_path(c, NULL);
    size_t olen = 0;
    char *old = slurp(target, &olen);
    int rc = TP_EXIT_OK;
    if (old && is_ours(old)) {
        gw_lib g;
        gw_lib_load(&g);
        char *text = render_system(c, &g);
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

/* ---- status --------------------------------------------------------------- */

void gw_state_get(cli *c, const char *override, gw_state *s)
{
    memset(s, 0, sizeof(*s));
    s->path = gw_path(c, override);
    s->crypto_policies = crypto_policies(c);
    size_t olen = 0;
    char *old = slurp(s->path, &olen);
    struct stat st;
    if (old && stat(s->path, &st) == 0) {
        s->present = 1;
        s->mtime = st.st_mtime;
    }
    s->ours = is_ours(old);
    gw_lib g;
    gw_lib_load(&g);
    s->have_gnutls = g.from_library;
    snprintf(s->source, sizeof(s->source), "%s", g.source);
    if (s->ours) {
        char *text = render_system(c, &g);
        s->matches = text && strcmp(text, old) == 0;
        free(text);
    }
    gw_lib_free(&g);
    free(old);
}

void gw_state_free(gw_state *s)
{
    free(s->path);
    s->path = NULL;
}

static const char *state_word(const gw_state *s)
{
    if (!s->present)
        return "absent";
    if (!s->ours)
        return "foreign";
    return s->matches ? "matches" : "stale";
}

int gw_status_line(cli *c, char *msg, size_t len)
{
    gw_state s;
    gw_state_get(c, NULL, &s);
    int sev = 1; /* absent or foreign is the administrator's choice: a note */
    const char *cp = s.crypto_policies ? "; crypto-policies' GnuTLS back-end is there ("
                                         GW_CRYPTO_POLICIES ")" : "";
    if (!s.present)
        snprintf(msg, len, "GnuTLS: %s absent: GnuTLS programs (git, wget, apt) "
                 "are not held to the policy (`tlspolicy enable` writes it)%s", s.path, cp);
    else if (!s.ours)
        snprintf(msg, len, "GnuTLS: %s was not written by tlspolicy: GnuTLS programs are "
                 "not held to the policy%s", s.path, cp);
    else if (s.matches)
        snprintf(msg, len, "GnuTLS: %s matches the policy (names from %s)%s", s.path,
                 s.source, cp), sev = 0;
    else
        snprintf(msg, len, "GnuTLS: %s is stale: it differs from what the policy renders "
                 "now (`tlspolicy enable` rewrites it)", s.path), sev = 2;
    gw_state_free(&s);
    return sev;
}

void gw_status_json(cli *c, json_w *w)
{
    gw_state s;
    gw_state_get(c, NULL, &s);
    json_obj_begin(w);
    json_key(w, "file");
    json_str(w, s.path);
    json_key(w, "state");
    json_str(w, state_word(&s));
    json_key(w, "present");
    json_bool(w, s.present);
    json_key(w, "ours");
    json_bool(w, s.ours);
    json_key(w, "matches");
    json_bool(w, s.matches);
    json_key(w, "crypto_policies");
    json_bool(w, s.crypto_policies);
    json_key(w, "gnutls_installed");
    json_bool(w, s.have_gnutls);
    json_key(w, "names");
    json_str(w, s.source);
    json_obj_end(w);
    gw_state_free(&s);
}

/* ---- coverage ------------------------------------------------------------- */

void gw_cov_init(cli *c, gw_cov *g)
{
    memset(g, 0, sizeof(*g));
    g->path = gw_path(c, NULL);
    size_t len = 0;
    char *text = slurp(g->path, &len);
    struct stat st;
    if (text && stat(g->path, &st) == 0) {
        g->mtime = (long long)st.st_mtime;
        g->ours = is_ours(text);
    }
    free(text);
}

void gw_cov_free(gw_cov *g)
{
    free(g->path);
    g->path = NULL;
}

/*
 * GnuTLS reads the file when a program sets up its priorities; a process
 * that started after the file was last written has read this one. (3.7
 * re-reads a changed file at its next priority set-up, but a program that
 * set up its priorities once keeps them: only the start time is certain.)
 */
const char *gw_cov_classify(const gw_cov *g, long long start, const char *env_file, char *why,
                            size_t len)
{
    why[0] = '\0';
    if (env_file && env_file[0]) {
        snprintf(why, len, "GnuTLS: own GNUTLS_SYSTEM_PRIORITY_FILE=%s", env_file);
        return "uncovered";
    }
    if (g->mtime == 0) {
        snprintf(why, len, "GnuTLS: no %s (`tlspolicy enable` writes it)", g->path);
        return "uncovered";
    }
    if (!g->ours) {
        snprintf(why, len, "GnuTLS: %s was not written by tlspolicy", g->path);
        return "uncovered";
    }
    if (start == 0 || start + 1 < g->mtime) { /* 1 s of rounding */
        snprintf(why, len, "GnuTLS: started before %s was last written: restart it", g->path);
        return "uncovered";
    }
    return "covered";
}
