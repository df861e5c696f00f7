/*
 * test_default.c - the compiled-in DEFAULT (policy/keys.c) and the shipped
 * packaging/profiles/DEFAULT.conf must say the same thing, key by key: a
 * program whose policy file is broken gets the former, a healthy system the
 * latter, and the two must not drift apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tp_test.h"

static void compare_all(const tp_resolved *a, const tp_resolved *b, const char *what)
{
    int diff = 0;
    for (int k = 0; k < TP_K__COUNT; k++) {
        char va[2048], vb[2048];
        assert_int_equal(tp_resolved_format(a, (tp_key)k, va, sizeof(va)), 0);
        assert_int_equal(tp_resolved_format(b, (tp_key)k, vb, sizeof(vb)), 0);
        if (strcmp(va, vb) != 0) {
            fprintf(stderr, "%s: %s: compiled-in \"%s\", DEFAULT.conf \"%s\"\n", what,
                    tp_key_name((tp_key)k), va, vb);
            diff++;
        }
    }
    assert_int_equal(diff, 0);
}

/* Loading DEFAULT.conf as the profile, with no policy file in an empty
 * root, equals tp_policy_builtin(). */
static void test_default_builtin_equals_profile(void **state)
{
    (void)state;
    char *root = tt_mkdtemp();
    tp_load_opts o = tt_opts(root);
    tp_err err;
    tp_policy *file = tp_policy_load(&o, &err);
    assert_int_equal(err, TP_OK);
    assert_int_equal(tp_policy_ndiags(file), 0);
    tp_policy *builtin = tp_policy_builtin();
    assert_non_null(builtin);
    assert_int_equal(tp_policy_ndiags(builtin), 0);

    tp_resolved *rf = tp_policy_resolve(file, NULL, NULL, &err);
    tp_resolved *rb = tp_policy_resolve(builtin, NULL, NULL, &err);
    assert_false(tp_resolved_is_fallback(rf));
    assert_false(tp_resolved_is_fallback(rb));

    /* The file really was read: each key it sets was decided by it. */
    char prof[4096];
    snprintf(prof, sizeof(prof), "%s/packaging/profiles/DEFAULT.conf", tt_src());
    size_t from_file = 0;
    for (int k = 0; k < TP_K__COUNT; k++) {
        const tp_origin *last = tp_resolved_origin(rf, (tp_key)k, tp_resolved_norigins(rf, (tp_key)k) - 1);
        if (last->kind == TP_O_PROFILE) {
            assert_string_equal(last->file, prof);
            assert_string_equal(last->name, "DEFAULT");
            assert_true(last->line > 0);
            from_file++;
        }
        /* builtin: one origin, no file */
        assert_int_equal(tp_resolved_norigins(rb, (tp_key)k), 1);
        assert_int_equal(tp_resolved_origin(rb, (tp_key)k, 0)->kind, TP_O_BUILTIN);
    }
    /* all but profile, ca_file, ca_path */
    assert_int_equal(from_file, TP_K__COUNT - 3);

    compare_all(rb, rf, "system-wide");

    /* and what they render to */
    for (unsigned long ossl = 0x30000000UL; ossl <= 0x30500000UL; ossl += 0x00500000UL) {
        tp_ossl_settings sa, sb;
        assert_int_equal(tp_render_ossl(rb, ossl, &sa), TP_OK);
        assert_int_equal(tp_render_ossl(rf, ossl, &sb), TP_OK);
        assert_int_equal(sa.ncmds, sb.ncmds);
        for (size_t i = 0; i < sa.ncmds; i++) {
            assert_string_equal(sa.cmds[i].cmd, sb.cmds[i].cmd);
            assert_string_equal(sa.cmds[i].value, sb.cmds[i].value);
        }
        assert_int_equal(sa.security_level, sb.security_level);
        tp_ossl_settings_clear(&sa);
        tp_ossl_settings_clear(&sb);
    }
    tp_floors fa, fb;
    memset(&fa, 0, sizeof(fa));
    memset(&fb, 0, sizeof(fb));
    assert_int_equal(tp_render_floors(rb, &fa), TP_OK);
    assert_int_equal(tp_render_floors(rf, &fb), TP_OK);
    assert_memory_equal(&fa, &fb, sizeof(fa));

    tp_resolved_free(rf);
    tp_resolved_free(rb);
    tp_policy_free(file);
    tp_policy_free(builtin);
    tt_rmrf(root);
}

/* The same through a policy file naming the profile, and through the
 * fallback a broken file gives. */
static void test_default_named_and_fallback(void **state)
{
    (void)state;
    tp_err err;
    tp_policy *named = tt_load_text("profile = \"DEFAULT\";\n", &err);
    assert_int_equal(err, TP_OK);
    tp_policy *broken = tt_load_text("profile = \"DEFAULT\";\nbogus = 1;\n", &err);
    assert_int_equal(err, TP_ERR_INVALID);
    tp_resolved *rn = tp_policy_resolve(named, "curl", NULL, NULL);
    tp_resolved *rx = tp_policy_resolve(broken, "curl", NULL, NULL);
    assert_false(tp_resolved_is_fallback(rn));
    assert_true(tp_resolved_is_fallback(rx));
    compare_all(rx, rn, "named");
    tp_resolved_free(rn);
    tp_resolved_free(rx);
    tp_policy_free(named);
    tp_policy_free(broken);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_builtin_equals_profile),
        cmocka_unit_test(test_default_named_and_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
