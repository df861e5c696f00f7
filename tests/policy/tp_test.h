/*
 * tp_test.h - helpers shared by the policy library's unit tests.
 *
 * Tests never read the host's /etc: profiles and modifiers come from the
 * source tree (TP_SOURCE_DIR, set by tests/meson.build), and file trees are
 * built in a fresh mkdtemp() directory per test and removed afterwards.
 */
#ifndef TP_TEST_H
#define TP_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlspolicy.h"

/* The source root: $TP_SOURCE_DIR, else the current directory's ../.. guess
 * is not attempted: a missing variable is a set-up error worth seeing. */
static inline const char *tt_src(void)
{
    const char *s = getenv("TP_SOURCE_DIR");
    if (s == NULL || s[0] == '\0') {
        fprintf(stderr, "TP_SOURCE_DIR is not set (run through meson test)\n");
        exit(2);
    }
    return s;
}

static char tt_pdir[4096], tt_mdir[4096];
static const char *tt_pdirs[2], *tt_mdirs[2];

/* Load options with the source tree's profiles and modifiers. */
static inline tp_load_opts tt_opts(const char *root)
{
    snprintf(tt_pdir, sizeof(tt_pdir), "%s/packaging/profiles", tt_src());
    snprintf(tt_mdir, sizeof(tt_mdir), "%s/packaging/modifiers", tt_src());
    tt_pdirs[0] = tt_pdir;
    tt_pdirs[1] = NULL;
    tt_mdirs[0] = tt_mdir;
    tt_mdirs[1] = NULL;
    tp_load_opts o;
    memset(&o, 0, sizeof(o));
    o.root = root;
    o.profile_dirs = tt_pdirs;
    o.modifier_dirs = tt_mdirs;
    return o;
}

/* Parse text as the policy file "t.conf". */
static inline tp_policy *tt_load_text(const char *text, tp_err *err)
{
    tp_load_opts o = tt_opts(NULL);
    return tp_policy_load_buffer(&o, "t.conf", text, strlen(text), err);
}

static inline size_t tt_count(const tp_policy *p, tp_severity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < tp_policy_ndiags(p); i++)
        if (tp_policy_diag(p, i)->severity == sev)
            n++;
    return n;
}

/* The i-th diagnostic of a severity, or NULL. */
static inline const tp_diag *tt_nth(const tp_policy *p, tp_severity sev, size_t nth)
{
    for (size_t i = 0; i < tp_policy_ndiags(p); i++) {
        const tp_diag *d = tp_policy_diag(p, i);
        if (d->severity == sev && nth-- == 0)
            return d;
    }
    return NULL;
}

/* Print all diagnostics: shown when an assertion is about to fail. */
static inline void tt_dump(const tp_policy *p)
{
    for (size_t i = 0; i < tp_policy_ndiags(p); i++) {
        const tp_diag *d = tp_policy_diag(p, i);
        fprintf(stderr, "  [%s] %s:%d: %s\n", tp_severity_name(d->severity),
                d->file ? d->file : "-", d->line, d->message);
    }
}

/* The value of key k, formatted (static buffer per call site is the
 * caller's: pass one). */
static inline const char *tt_fmt(const tp_resolved *r, tp_key k, char *buf, size_t len)
{
    if (tp_resolved_format(r, k, buf, len) < 0)
        snprintf(buf, len, "<format failed>");
    return buf;
}

/* ---- file trees ------------------------------------------------------ */

static inline char *tt_mkdtemp(void)
{
    /* $TMPDIR: tests/meson.build points it at a root-only directory
     * (policies read with require_trusted refuse /tmp) */
    const char *t = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof(tmpl), "%s/tp-test-XXXXXX", t && *t ? t : "/tmp");
    char *d = mkdtemp(tmpl);
    if (d == NULL) {
        perror("mkdtemp");
        exit(2);
    }
    return strdup(d);
}

static inline char *tt_path(const char *dir, const char *rel)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *s = malloc(n);
    if (s == NULL)
        exit(2);
    snprintf(s, n, "%s/%s", dir, rel);
    return s;
}

/* mkdir -p for the parents of path */
static inline void tt_mkparents(const char *path)
{
    char *c = strdup(path);
    for (char *s = c + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(c, 0755) < 0 && errno != EEXIST) {
            perror(c);
            exit(2);
        }
        *s = '/';
    }
    free(c);
}

/* Write dir/rel (parents created); returns the malloc'ed full path. */
static inline char *tt_write_len(const char *dir, const char *rel, const char *text, size_t len)
{
    char *path = tt_path(dir, rel);
    tt_mkparents(path);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
    chmod(path, 0644);
    return path;
}

static inline char *tt_write(const char *dir, const char *rel, const char *text)
{
    return tt_write_len(dir, rel, text, strlen(text));
}

static inline void tt_write_free(const char *dir, const char *rel, const char *text)
{
    free(tt_write(dir, rel, text));
}

static inline int tt_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* rm -rf dir, and free the string */
static inline void tt_rmrf(char *dir)
{
    if (dir == NULL)
        return;
    nftw(dir, tt_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

#endif
