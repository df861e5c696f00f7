/*
 * test_gnutls_names.c - every name the GnuTLS rendering writes exists in the
 * installed GnuTLS (as test_names.c checks the OpenSSL spellings), and the
 * static table of GnuTLS 3.7 (used when the CLI cannot load libgnutls) is
 * what a 3.7 library lists. GnuTLS is loaded with dlopen, as the CLI does;
 * skipped (77) where libgnutls.so.30 is not installed.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "tp_test.h"

#define SYM(fp, name)                          \
    do {                                       \
        void *s_ = dlsym(lib, (name));         \
        assert_non_null(s_);                   \
        memcpy(&(fp), &s_, sizeof(fp));        \
    } while (0)

static void *lib;
static const char *const list_sym[TP_GT__COUNT] = {
    "gnutls_protocol_list", "gnutls_cipher_list", "gnutls_mac_list", "gnutls_kx_list",
    "gnutls_group_list", "gnutls_ecc_curve_list", "gnutls_sign_list", "gnutls_digest_list"};
static const char *const name_sym[TP_GT__COUNT] = {
    "gnutls_protocol_get_name", "gnutls_cipher_get_name", "gnutls_mac_get_name",
    "gnutls_kx_get_name", "gnutls_group_get_name", "gnutls_ecc_curve_get_name",
    "gnutls_sign_get_name", "gnutls_digest_get_name"};
static const char *const id_sym[TP_GT__COUNT] = {
    "gnutls_protocol_get_id", "gnutls_cipher_get_id", "gnutls_mac_get_id", "gnutls_kx_get_id",
    "gnutls_group_get_id", "gnutls_ecc_curve_get_id", "gnutls_sign_get_id",
    "gnutls_digest_get_id"};

static const char *names_buf[TP_GT__COUNT][128];
static tp_gnutls_names installed;

static int known(tp_gnutls_kind k, const char *name)
{
    int (*get_id)(const char *);
    SYM(get_id, id_sym[k]);
    return get_id(name) != 0;
}

static int setup(void **state)
{
    (void)state;
    for (int k = 0; k < TP_GT__COUNT; k++) {
        const int *(*list)(void);
        const char *(*name)(int);
        SYM(list, list_sym[k]);
        SYM(name, name_sym[k]);
        size_t n = 0;
        for (const int *p = list(); p && *p && n < 128; p++) {
            const char *s = name(*p);
            if (s && known((tp_gnutls_kind)k, s))
                names_buf[k][n++] = s;
        }
        installed.names[k] = names_buf[k];
        installed.n[k] = n;
    }
    return 0;
}

static const tp_gnutls_kind key_kind[TP_GK__COUNT] = {
    TP_GT_VERSION, TP_GT_CIPHER, TP_GT_MAC, TP_GT_KX, TP_GT_GROUP, TP_GT_CURVE,
    TP_GT_HASH, TP_GT_SIGN, TP_GT_SIGN};

static void check_spec(const char *spec)
{
    char text[128];
    snprintf(text, sizeof(text), "profile = \"%s\";\n", spec);
    tp_err err;
    tp_policy *p = tt_load_text(text, &err);
    assert_non_null(p);
    tp_resolved *r = tp_policy_resolve(p, NULL, NULL, &err);
    assert_non_null(r);
    tp_gnutls_conf c;
    assert_int_equal(tp_render_gnutls(r, &installed, &c), TP_OK);
    for (int k = 0; k < TP_GK__COUNT; k++)
        for (size_t i = 0; i < c.nvalues[k]; i++) {
            const char *v = c.values[k][i];
            if (k == TP_GK_TLS_DISABLED_GROUP) {
                assert_int_equal(strncmp(v, "GROUP-", 6), 0);
                v += 6;
            }
            if (!known(key_kind[k], v))
                fail_msg("%s: %s = %s is unknown to the installed GnuTLS", spec,
                         tp_gnutls_key_name((tp_gnutls_key)k), c.values[k][i]);
        }
    /* the default priority string, token by token, through GnuTLS itself */
    int (*pinit)(void **, const char *, const char **);
    void (*pdeinit)(void *);
    SYM(pinit, "gnutls_priority_init");
    SYM(pdeinit, "gnutls_priority_deinit");
    void *prio = NULL;
    const char *where = NULL;
    int rc = pinit(&prio, c.priority, &where);
    if (rc < 0)
        fail_msg("%s: GnuTLS refuses the priority string at '%s'", spec, where ? where : "?");
    pdeinit(prio);
    tp_gnutls_conf_clear(&c);
    tp_resolved_free(r);
    tp_policy_free(p);
}

static void test_gnutls_names_rendered(void **state)
{
    (void)state;
    static const char *const specs[] = {
        "DEFAULT", "FUTURE", "LEGACY", "DEFAULT:NO-CBC", "DEFAULT:NO-SHA1",
        "DEFAULT:TLS13-ONLY", "FUTURE:NO-CBC", "FUTURE:TLS13-ONLY", "LEGACY:NO-CBC",
        "LEGACY:NO-SHA1", "LEGACY:TLS13-ONLY", "FUTURE:NO-SHA1"};
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
        check_spec(specs[i]);
}

/* On GnuTLS 3.7, the static table is exactly what the library lists. */
static void test_gnutls_names_static_table(void **state)
{
    (void)state;
    const char *(*check_version)(const char *);
    SYM(check_version, "gnutls_check_version");
    const char *v = check_version(NULL);
    if (strncmp(v, "3.7.", 4) != 0) {
        print_message("GnuTLS %s: the static table is for 3.7, not compared\n", v);
        skip();
    }
    tp_gnutls_names st;
    tp_gnutls_static_names(&st);
    for (int k = 0; k < TP_GT__COUNT; k++) {
        for (size_t i = 0; i < st.n[k]; i++)
            if (!known((tp_gnutls_kind)k, st.names[k][i]))
                fail_msg("static %s %s unknown to GnuTLS %s",
                         tp_gnutls_kind_name((tp_gnutls_kind)k), st.names[k][i], v);
        for (size_t i = 0; i < installed.n[k]; i++) {
            int found = 0;
            for (size_t j = 0; j < st.n[k] && !found; j++)
                found = strcasecmp(st.names[k][j], installed.names[k][i]) == 0;
            if (!found)
                fail_msg("GnuTLS %s lists %s %s, missing from the static table", v,
                         tp_gnutls_kind_name((tp_gnutls_kind)k), installed.names[k][i]);
        }
    }
}

int main(void)
{
    /* Its own system configuration would hide what it disables. */
    setenv("GNUTLS_SYSTEM_PRIORITY_FILE", "/dev/null", 1);
    lib = dlopen("libgnutls.so.30", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        printf("libgnutls.so.30 not installed: %s\n", dlerror());
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gnutls_names_rendered),
        cmocka_unit_test(test_gnutls_names_static_table),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
