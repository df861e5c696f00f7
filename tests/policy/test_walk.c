/*
 * test_walk.c - tp_path_walk (policy/walk.c): the one component-by-component
 * resolution behind the loader's trust checks and the CLI's --root. Each
 * case walks a tree built in a fresh directory, inside it as a root (links
 * and ".." stay in it) and from / (the loader's way).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tp_test.h"

/* The directories the walk showed its check, joined by ' '. */
typedef struct seen {
    char dirs[4096];
    const char *refuse; /* refuse the directory whose host path ends so */
} seen;

static int record(void *arg, const char *host, unsigned uid, unsigned mode)
{
    seen *s = arg;
    size_t n = strlen(s->dirs);
    (void)uid;
    assert_true(S_ISDIR(mode));
    snprintf(s->dirs + n, sizeof(s->dirs) - n, "%s%s", n ? " " : "", host);
    size_t hl = strlen(host), rl = s->refuse ? strlen(s->refuse) : 0;
    return s->refuse && hl >= rl && strcmp(host + hl - rl, s->refuse) == 0;
}

static void mklink(const char *r, const char *target, const char *rel)
{
    char *p = tt_path(r, rel);
    assert_int_equal(symlink(target, p), 0);
    free(p);
}

static int setup(void **state)
{
    char *r = tt_mkdtemp();
    tt_write_free(r, "etc/ssl/openssl.cnf", "x\n");
    mklink(r, "/etc/ssl", "usr-ssl");               /* absolute */
    mklink(r, "../etc/ssl/openssl.cnf", "etc/cnf"); /* relative */
    mklink(r, "/etc/ssl/openssl.cnf", "etc/abs");  /* absolute, below the top */
    mklink(r, "loop2", "loop1");
    mklink(r, "loop1", "loop2");
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    tt_rmrf(*state);
    return 0;
}

static char *joined(const char *a, const char *b)
{
    char *s = malloc(strlen(a) + strlen(b) + 1);
    assert_non_null(s);
    strcpy(s, a);
    strcat(s, b);
    return s;
}

/* Inside the root: an absolute link is taken from the root, ".." stops at it. */
static void test_walk_in_root(void **state)
{
    const char *r = *state;
    seen s = {.refuse = NULL};
    tp_walk w = {.root = r, .follow_last = 1, .dir_check = record, .arg = &s};

    assert_int_equal(tp_path_walk(&w, "/usr-ssl/../../../etc/cnf"), TP_WALK_DONE);
    char *want = joined(r, "/etc/ssl/openssl.cnf");
    assert_string_equal(w.host, want);
    free(want);
    free(w.host);
    /* usr-ssl -> /etc/ssl: etc and etc/ssl checked, then ".." x3 back to
     * the root, etc again, then cnf -> ../etc/ssl/openssl.cnf */
    char expect[4096];
    snprintf(expect, sizeof(expect), "%s/etc %s/etc/ssl %s/etc %s/etc %s/etc/ssl", r, r, r, r, r);
    assert_string_equal(s.dirs, expect);

    /* an absolute target below the top starts again at the root */
    assert_int_equal(tp_path_walk(&w, "/etc/abs"), TP_WALK_DONE);
    want = joined(r, "/etc/ssl/openssl.cnf");
    assert_string_equal(w.host, want);
    free(want);
    free(w.host);

    /* without follow_last the last link is named, not followed */
    w.follow_last = 0;
    assert_int_equal(tp_path_walk(&w, "/etc/cnf"), TP_WALK_DONE);
    want = joined(r, "/etc/cnf");
    assert_string_equal(w.host, want);
    free(want);
    free(w.host);

    assert_int_equal(tp_path_walk(&w, "/"), TP_WALK_DONE);
    assert_string_equal(w.host, r);
    free(w.host);
}

static void test_walk_ends(void **state)
{
    const char *r = *state;
    seen s = {.refuse = NULL};
    tp_walk w = {.root = r, .follow_last = 1, .dir_check = record, .arg = &s};

    /* a missing last component: named, with last set */
    assert_int_equal(tp_path_walk(&w, "/etc/ssl/new.cnf"), TP_WALK_ABSENT);
    assert_int_equal(w.err_no, ENOENT);
    assert_int_equal(w.last, 1);
    char *want = joined(r, "/etc/ssl/new.cnf");
    assert_string_equal(w.host, want);
    free(want);
    free(w.host);
    /* a missing directory */
    assert_int_equal(tp_path_walk(&w, "/nodir/x"), TP_WALK_ABSENT);
    assert_int_equal(w.last, 0);
    free(w.host);
    /* a file used as a directory */
    assert_int_equal(tp_path_walk(&w, "/etc/ssl/openssl.cnf/x"), TP_WALK_NOTDIR);
    assert_int_equal(w.err_no, ENOTDIR);
    want = joined(r, "/etc/ssl/openssl.cnf");
    assert_string_equal(w.host, want);
    free(want);
    free(w.host);
    /* a loop */
    assert_int_equal(tp_path_walk(&w, "/loop1"), TP_WALK_LOOP);
    assert_int_equal(w.err_no, ELOOP);
    assert_null(w.host);
    /* the check refuses: the walk ends there, nothing below is looked at */
    s.dirs[0] = '\0';
    s.refuse = "/etc";
    assert_int_equal(tp_path_walk(&w, "/etc/ssl/openssl.cnf"), TP_WALK_REFUSED);
    assert_null(w.host);
    want = joined(r, "/etc");
    assert_string_equal(s.dirs, want);
    free(want);
}

/* From / (the loader's way): every directory down from / is checked. */
static void test_walk_from_slash(void **state)
{
    const char *r = *state;
    seen s = {.refuse = NULL};
    tp_walk w = {.follow_last = 1, .dir_check = record, .arg = &s};
    char *path = joined(r, "/etc/cnf");

    assert_int_equal(tp_path_walk(&w, path), TP_WALK_DONE);
    char *want = joined(r, "/etc/ssl/openssl.cnf");
    assert_string_equal(w.host, want);
    free(want);
    free(w.host);
    free(path);
    /* the last directory checked is the target's */
    want = joined(r, "/etc/ssl");
    size_t dl = strlen(s.dirs), wl = strlen(want);
    assert_true(dl >= wl && strcmp(s.dirs + dl - wl, want) == 0);
    free(want);
    assert_int_equal(strncmp(s.dirs, "/", 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_walk_in_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_from_slash, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
