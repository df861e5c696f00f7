/*
 * fuzz_render.c - libFuzzer target: load and resolve as fuzz_policy does,
 * then render to OpenSSL settings (as 3.0 and as 3.5 would get them) and to
 * the provider's floors, and check what the module relies on: the
 * CipherString starts with @SECLEVEL=, no list has an empty name, no value
 * could break out of the CONF text the module builds, the floors fit.
 */
#include <ctype.h>

#include "fuzz_common.h"

static const char *const known_versions[] = {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3",
                                             "DTLSv1", "DTLSv1.2", NULL};

static int is_version(const char *v)
{
    for (size_t i = 0; known_versions[i]; i++)
        if (strcmp(v, known_versions[i]) == 0)
            return 1;
    return 0;
}

/* "a:b:c": no empty name, no leading/trailing/double colon, printable. */
static void check_list(const char *v)
{
    FZ_CHECK(v != NULL);
    if (v[0] == '\0')
        return;
    FZ_CHECK(v[0] != ':');
    FZ_CHECK(v[strlen(v) - 1] != ':');
    FZ_CHECK(strstr(v, "::") == NULL);
    for (const char *c = v; *c; c++)
        FZ_CHECK(isprint((unsigned char)*c) && *c != '"' && *c != '\\' && *c != ' ');
}

static void check_ossl(const tp_resolved *r, const tp_ossl_settings *s, unsigned long ossl)
{
    (void)ossl;
    FZ_CHECK(s->ncmds > 0 && s->ncmds <= sizeof(s->cmds) / sizeof(s->cmds[0]));
    FZ_CHECK(s->security_level >= 0 && s->security_level <= 5);
    for (size_t i = 0; i < s->ncmds; i++) {
        FZ_CHECK(s->cmds[i].cmd != NULL && s->cmds[i].value != NULL);
        for (size_t j = 0; j < i; j++)
            FZ_CHECK(strcmp(s->cmds[i].cmd, s->cmds[j].cmd) != 0);
        for (const char *c = s->cmds[i].value; *c; c++)
            FZ_CHECK(*c != '\n' && *c != '\r');
    }
    const char *cs = tp_ossl_get(s, "CipherString");
    FZ_CHECK(cs != NULL);
    FZ_CHECK(strncmp(cs, "@SECLEVEL=", 10) == 0);
    FZ_CHECK(cs[10] - '0' == s->security_level);
    FZ_CHECK(cs[11] == '\0' || cs[11] == ':');
    check_list(cs);
    FZ_CHECK(strchr(cs + 1, '@') == NULL && strchr(cs, '!') == NULL);
    /* explicit lists, never subtractive */
    for (const char *c = cs; (c = strchr(c, ':')) != NULL; c++)
        FZ_CHECK(c[1] != '!' && c[1] != '-' && c[1] != '+' && c[1] != '@');
    const char *names[] = {"Ciphersuites", "Groups", "SignatureAlgorithms"};
    for (size_t i = 0; i < 3; i++)
        check_list(tp_ossl_get(s, names[i]));
    const char *vers[] = {"TLS.MinProtocol", "TLS.MaxProtocol", "DTLS.MinProtocol", "DTLS.MaxProtocol"};
    for (size_t i = 0; i < 4; i++) {
        const char *v = tp_ossl_get(s, vers[i]);
        FZ_CHECK(v != NULL && is_version(v));
    }
    FZ_CHECK(s->verify_peer == 0 || s->verify_peer == 2);
    FZ_CHECK(s->verify_peer == 2 || (s->ca_file == NULL && s->ca_path == NULL));
    const char *peer = tp_resolved_get_str(r, TP_K_VERIFY_PEER);
    FZ_CHECK((s->verify_peer == 2) == (peer != NULL && strcmp(peer, "required") == 0));
}

static void check_floors(const tp_resolved *r, const tp_floors *f)
{
    FZ_CHECK(f->ngroups <= TP_MAX_GROUPS);
    for (size_t i = 0; i < f->ngroups; i++)
        FZ_CHECK(f->groups[i] != 0);
    FZ_CHECK(f->min_tls >= TP_V_TLS1_0 && f->min_tls <= TP_V_TLS1_3);
    FZ_CHECK(f->min_dtls == TP_V_DTLS1_0 || f->min_dtls == TP_V_DTLS1_2);
    FZ_CHECK(f->min_rsa_bits >= 0 && f->min_dh_bits >= 0 && f->min_dsa_bits >= 0
             && f->min_ec_bits >= 0);
    FZ_CHECK(f->min_tls == tp_resolved_get_int(r, TP_K_TLS_MIN));
    /* TLS 1.2 floor: the MD5+SHA1 PRF is withheld only if DTLS 1.0 is too */
    if (f->min_tls < TP_V_TLS1_2)
        FZ_CHECK(!(f->forbidden_hashes & TP_H_MD5_SHA1));
    FZ_CHECK(f->permissive == 0 || f->permissive == 1);
}

static void render(const tp_policy *p, const tp_resolved *r)
{
    static const unsigned long versions[] = {0x30000000UL, 0x30500000UL};
    fz_check_fallback(p, r);
    for (size_t i = 0; i < 2; i++) {
        tp_ossl_settings s;
        tp_err e = tp_render_ossl(r, versions[i], &s);
        FZ_CHECK(e == TP_OK); /* NOMEM only */
        check_ossl(r, &s, versions[i]);
        tp_ossl_settings_clear(&s);
        FZ_CHECK(s.ncmds == 0);
    }
    tp_floors f;
    FZ_CHECK(tp_render_floors(r, &f) == TP_OK);
    check_floors(r, &f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input in;
    if (fz_split(data, size, &in) < 0)
        return 0;
    /* Loaded as on 3.0 (names of later versions skipped with a note). */
    tp_err err;
    tp_policy *p = fz_load(&in, 0x30000000UL, &err);
    tp_resolved *r = tp_policy_resolve(p, NULL, NULL, &err);
    FZ_CHECK(r != NULL);
    render(p, r);
    tp_resolved_free(r);
    if (in.name[0]) {
        r = tp_policy_resolve(p, in.name, in.exe, &err);
        FZ_CHECK(r != NULL);
        render(p, r);
        tp_resolved_free(r);
    }
    tp_policy_free(p);
    fz_free(&in);
    return 0;
}
