/*
 * test_rootpath.c - paths resolved inside --root DIR (tools/rootpath.c):
 * the kernel's answer (openat2 RESOLVE_IN_ROOT) and the user-space walk
 * used without it must agree, and neither may leave the root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootpath.h"

static char root[4096];

static void mk(const char *rel, int dir)
{
    char p[8192];
    snprintf(p, sizeof(p), "%s%s", root, rel);
    if (dir) {
        assert_int_equal(mkdir(p, 0755), 0);
    } else {
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fclose(f);
    }
}

static void ln(const char *target, const char *rel)
{
    char p[8192];
    snprintf(p, sizeof(p), "%s%s", root, rel);
    assert_int_equal(symlink(target, p), 0);
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static const struct {
    const char *path;
    int follow;
    const char *want; /* under the root; NULL: refused */
} rows[] = {
    {"/etc/ssl/openssl.cnf", 1, "/etc/ssl/openssl.cnf"},
    /* absolute symlink: from the root, not the host's / */
    {"/usr/lib/ssl/openssl.cnf", 1, "/etc/ssl/openssl.cnf"},
    {"/usr/lib/ssl", 1, "/etc/ssl"},
    {"/usr/lib/ssl", 0, "/usr/lib/ssl"},
    {"/usr/lib/ssl/../ssl/./openssl.cnf", 1, "/etc/ssl/openssl.cnf"},
    /* .. never climbs above the root, in the path or in a link */
    {"/../../../../etc/ssl/openssl.cnf", 1, "/etc/ssl/openssl.cnf"},
    {"/etc/../../../etc/ssl/openssl.cnf", 1, "/etc/ssl/openssl.cnf"},
    {"/climb/ssl/openssl.cnf", 1, "/etc/ssl/openssl.cnf"},
    /* the last component a link, followed or not */
    {"/etc/ssl/link.cnf", 1, "/etc/ssl/openssl.cnf"},
    {"/etc/ssl/link.cnf", 0, "/etc/ssl/link.cnf"},
    /* missing last component: named as is, in the resolved directory */
    {"/usr/lib/ssl/missing.cnf", 1, "/etc/ssl/missing.cnf"},
    {"/", 1, ""},
    {"", 1, ""},
    /* refused: missing directory, file as directory, a loop */
    {"/nodir/x.cnf", 1, NULL},
    {"/etc/ssl/openssl.cnf/x", 1, NULL},
    {"/loop/x.cnf", 1, NULL},
};

static void test_rootpath_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char want[8192], err1[1024] = "", err2[1024] = "";
        snprintf(want, sizeof(want), "%s%s", root, rows[i].want ? rows[i].want : "");
        char *k = root_path(root, rows[i].path, rows[i].follow, err1, sizeof(err1));
        char *w = root_path_walk(root, rows[i].path, rows[i].follow, err2, sizeof(err2));
        printf("# %-36s follow=%d kernel=%s walk=%s\n", rows[i].path, rows[i].follow,
               k ? k + strlen(root) : err1, w ? w + strlen(root) : err2);
        if (rows[i].want) {
            assert_non_null(k);
            assert_non_null(w);
            assert_string_equal(k, want);
            assert_string_equal(w, want);
        } else {
            assert_null(k);
            assert_null(w);
            assert_true(err1[0] && err2[0]);
        }
        free(k);
        free(w);
    }
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(root, sizeof(root), "%s/tp-rootpath-XXXXXX", t && *t ? t : "/tmp");
    if (mkdtemp(root) == NULL)
        return 2;
    mk("/etc", 1);
    mk("/etc/ssl", 1);
    mk("/etc/ssl/openssl.cnf", 0);
    ln("/etc/ssl/openssl.cnf", "/etc/ssl/link.cnf");
    mk("/usr", 1);
    mk("/usr/lib", 1);
    ln("/etc/ssl", "/usr/lib/ssl");
    ln("../../../../../../../../../../../../etc", "/climb");
    ln("loop", "/loop");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rootpath_table),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
