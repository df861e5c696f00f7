/*
 * test_locate.c - tp_policy_locate (policy/locate.c), the one lookup order
 * of the policy file: the module's `policy` key > --policy > TLSPOLICY_CONF
 * > ROOT/etc/tlspolicy/policy.conf, each with the reason it was chosen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tlspolicy.h"

static void expect(const tp_policy_rules *r, tp_policy_from from, const char *path,
                   const char *why)
{
    tp_policy_where w;

    assert_int_equal(tp_policy_locate(r, &w), 0);
    assert_int_equal(w.from, from);
    assert_string_equal(w.path, path);
    assert_string_equal(w.why, why);
    tp_policy_where_free(&w);
    assert_null(w.path);
}

static void test_locate_order(void **state)
{
    (void)state;
    tp_policy_rules r = { .key = "/k.conf", .key_sect = "tlspolicy_sect",
                          .key_cnf = "/x/openssl.cnf", .option = "/o.conf", .use_env = 1,
                          .root = "/r/" };

    assert_int_equal(setenv("TLSPOLICY_CONF", "/e.conf", 1), 0);
    expect(&r, TP_FROM_KEY, "/k.conf", "policy key in [tlspolicy_sect] of /x/openssl.cnf");
    r.key = ""; /* an empty key is no key, as in the module */
    expect(&r, TP_FROM_OPTION, "/o.conf", "--policy");
    r.option = NULL;
    expect(&r, TP_FROM_ENV, "/e.conf", "TLSPOLICY_CONF");
    r.use_env = 0; /* what a server reads: not this process's environment */
    expect(&r, TP_FROM_DEFAULT, "/r/etc/tlspolicy/policy.conf", "default");
    r.use_env = 1;
    assert_int_equal(setenv("TLSPOLICY_CONF", "", 1), 0);
    expect(&r, TP_FROM_DEFAULT, "/r/etc/tlspolicy/policy.conf", "default");
    r.root = NULL;
    expect(&r, TP_FROM_DEFAULT, "/etc/tlspolicy/policy.conf", "default");
    r.root = "/";
    expect(&r, TP_FROM_DEFAULT, "/etc/tlspolicy/policy.conf", "default");
    unsetenv("TLSPOLICY_CONF");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_locate_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
