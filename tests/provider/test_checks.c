/*
 * test_checks.c - the provider's pure checks, table-driven (cmocka):
 * digest names and aliases against forbidden hashes, the version floor
 * behind MD5-SHA1, the TLS 1.3-only backstop, groups by IANA ID with
 * hybrids tied to their classical half, and what a refusal does in enforce
 * and permissive mode (error queue, return value).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/err.h>

#include "prov_local.h"

/* The module half is not linked here. */
static tpm_state state;
const tpm_state *tpm_state_get(void) { return &state; }
int tpm_secop_active(void) { return 0; } /* the provider alone */
void tpm_secop_note_policed(void) {}
static char last_log[512];
void tpm_log(int priority, const char *key, const char *fmt, ...)
{
    va_list ap;

    (void)priority;
    (void)key;
    va_start(ap, fmt);
    vsnprintf(last_log, sizeof(last_log), fmt, ap);
    va_end(ap);
}

static tp_floors default_floors(void)
{
    static const uint16_t g[] = { 29, 23, 24, 25, 256, 257, 258 };
    tp_floors f;

    memset(&f, 0, sizeof(f));
    f.min_tls = TP_V_TLS1_2;
    f.min_dtls = TP_V_DTLS1_2;
    f.forbidden_hashes = TP_H_MD5 | TP_H_SHA1;
    f.min_rsa_bits = f.min_dh_bits = f.min_dsa_bits = 2048;
    f.min_ec_bits = 256;
    memcpy(f.groups, g, sizeof(g));
    f.ngroups = sizeof(g) / sizeof(g[0]);
    return f;
}

static void test_checks_digest(void **unused)
{
    static const struct {
        const char *name;
        uint32_t want;      /* forbidden bits under MD5+SHA1 forbidden */
    } rows[] = {
        { "SHA1", TP_H_SHA1 },
        { "sha1", TP_H_SHA1 },
        { "SHA-1", TP_H_SHA1 },
        { "ssl3-sha1", TP_H_SHA1 },
        { "1.3.14.3.2.26", TP_H_SHA1 },
        { "MD5", TP_H_MD5 },
        { "1.2.840.113549.2.5", TP_H_MD5 },
        { "MD5-SHA1", TP_H_MD5 | TP_H_SHA1 },  /* TLS 1.0/1.1 signatures */
        { "SHA256", 0 },
        { "SHA2-256", 0 },
        { "sha384", 0 },
        { "SHA3-256", 0 },
        { "SHA1X", 0 },                        /* not an alias */
        { "", 0 },
    };
    tp_floors f = default_floors();
    size_t i;

    (void)unused;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        uint32_t got = tpp_digest_forbidden(&f, rows[i].name);

        if (got != rows[i].want)
            fail_msg("digest %s: forbidden %#x, want %#x", rows[i].name,
                     (unsigned)got, (unsigned)rows[i].want);
    }
    assert_int_equal(tpp_digest_forbidden(&f, NULL), 0);
    f.forbidden_hashes = 0;
    assert_int_equal(tpp_digest_forbidden(&f, "SHA1"), 0);
}

static void test_checks_versions(void **unused)
{
    static const struct {
        int min_tls, min_dtls;
        int needs_md5sha1, tls13_only;
    } rows[] = {
        { TP_V_TLS1_2, TP_V_DTLS1_2, 0, 0 },
        { TP_V_TLS1_2, 0, 0, 0 },               /* no DTLS floor of its own */
        { TP_V_TLS1_0, TP_V_DTLS1_2, 1, 0 },    /* LEGACY */
        { TP_V_TLS1_1, TP_V_DTLS1_2, 1, 0 },
        { TP_V_TLS1_2, TP_V_DTLS1_0, 1, 0 },    /* DTLS 1.0 needs it too */
        { TP_V_TLS1_3, TP_V_DTLS1_2, 0, 1 },
    };
    size_t i;

    (void)unused;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        tp_floors f = default_floors();

        f.min_tls = rows[i].min_tls;
        f.min_dtls = rows[i].min_dtls;
        assert_int_equal(tpp_floor_needs_md5sha1(&f), rows[i].needs_md5sha1);
        assert_int_equal(tpp_floor_tls13_only(&f), rows[i].tls13_only);
    }
}

static void test_checks_groups(void **unused)
{
    static const struct {
        unsigned int id;
        int allowed;
    } rows[] = {
        { 29, 1 },       /* x25519 */
        { 23, 1 },       /* secp256r1 */
        { 21, 0 },       /* secp224r1 */
        { 30, 0 },       /* x448: not listed */
        { 256, 1 },      /* ffdhe2048 */
        { 259, 0 },      /* ffdhe6144: not listed */
        { 0x11EC, 0 },   /* X25519MLKEM768: not listed */
    };
    tp_floors f = default_floors();
    size_t i;

    (void)unused;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (tpp_group_allowed(&f, rows[i].id) != rows[i].allowed)
            fail_msg("group %#x: allowed %d", rows[i].id, !rows[i].allowed);
    /* a hybrid is allowed only with its classical half */
    f.groups[f.ngroups++] = 0x11EC;
    assert_true(tpp_group_allowed(&f, 0x11EC));
    f.groups[0] = 23; /* drop x25519 */
    assert_false(tpp_group_allowed(&f, 0x11EC));
    /* no list: no group floor */
    f.ngroups = 0;
    assert_true(tpp_group_allowed(&f, 21));
}

static void test_checks_refuse(void **unused)
{
    tp_floors f = default_floors();
    unsigned long e;
    const char *data = NULL;
    int flags = 0;

    (void)unused;
    ERR_clear_error();
    assert_int_equal(tpp_refuse(&f, "t", 171, "RSA key of %d bits", 1024), 0);
    e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);
    assert_int_equal(ERR_GET_LIB(e), ERR_LIB_PROV);
    assert_true(flags & ERR_TXT_STRING);
    assert_string_equal(data, "tlspolicy: RSA key of 1024 bits");
    assert_string_equal(last_log, "refused: RSA key of 1024 bits");

    f.permissive = 1;
    assert_int_equal(tpp_refuse(&f, "t", 171, "SHA1 signatures"), 1);
    assert_int_equal(ERR_peek_error(), 0);   /* nothing refused */
    assert_string_equal(last_log, "permissive, would refuse: SHA1 signatures");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checks_digest),
        cmocka_unit_test(test_checks_versions),
        cmocka_unit_test(test_checks_groups),
        cmocka_unit_test(test_checks_refuse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
