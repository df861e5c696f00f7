/*
 * render.c - the effective policy as OpenSSL settings (SSL_CONF commands for
 * ssl_conf's system_default) and as the provider's floors.
 *
 * Families expand into an explicit list in the policy's preference order,
 * never a subtractive string: what is not listed is not there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

uint32_t tp_forbidden_hash_bits(const tp_resolved *r)
{
    uint32_t bits = 0;
    size_t n = tp_resolved_list_len(r, TP_K_SIG_FORBIDDEN);
    for (size_t i = 0; i < n; i++) {
        const tp_family *h = tp_family_find(TP_N_HASH, tp_resolved_list_item(r, TP_K_SIG_FORBIDDEN, i));
        if (h)
            bits |= h->bits;
    }
    return bits;
}

/* Position of `name` in the list of key k, or -1. */
static int list_pos(const tp_resolved *r, tp_key k, const char *name)
{
    size_t n = tp_resolved_list_len(r, k);
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(tp_resolved_list_item(r, k, i), name) == 0)
            return (int)i;
    return -1;
}

typedef struct ranked {
    unsigned long rank;
    const tp_suite12 *suite;
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/*
 * TLS 1.2-and-below suites in preference order: key exchange first (forward
 * secrecy before RSA key transport), then cipher, then MAC, then ECDSA before
 * RSA authentication. DSS, SRP and anonymous suites are never rendered.
 * One pass over the suite table, then a sort: this runs at every program
 * start, so no loop over every combination of the lists.
 */
size_t tp_render_suites12(const tp_resolved *r, const tp_suite12 **out, size_t max)
{
    static const char *const auths[] = {"ECDSA", "RSA", "PSK"};
    ranked found[512];
    size_t n = 0;
    for (size_t s = 0; s < tp_nsuites12 && n < sizeof(found) / sizeof(found[0]); s++) {
        const tp_suite12 *su = &tp_suites12[s];
        int ia = -1;
        for (size_t a = 0; a < sizeof(auths) / sizeof(auths[0]); a++)
            if (strcmp(su->auth, auths[a]) == 0)
                ia = (int)a;
        if (ia < 0)
            continue;
        int ik = list_pos(r, TP_K_TLS_KEX, su->kex);
        int ic = ik < 0 ? -1 : list_pos(r, TP_K_TLS_CIPHERS, su->cipher);
        int im = ic < 0 ? -1 : list_pos(r, TP_K_TLS_MACS, su->mac);
        if (im < 0)
            continue;
        /* Lists hold at most TP_MAX_LIST (128) names: 8 bits each. */
        found[n].rank = ((unsigned long)ik << 24) | ((unsigned long)ic << 16) |
                        ((unsigned long)im << 8) | (unsigned long)ia;
        found[n].suite = su;
        n++;
    }
    qsort(found, n, sizeof(found[0]), ranked_cmp);
    for (size_t i = 0; i < n && i < max; i++)
        out[i] = found[i].suite;
    return n;
}

int tp_group_meets_floors(const tp_resolved *r, const tp_group *g)
{
    switch (g->kind) {
    case TP_G_FFDHE:
        return g->bits >= tp_resolved_get_int(r, TP_K_KEYS_DH);
    case TP_G_EC:
    case TP_G_ECX:
    case TP_G_HYBRID:
        return g->bits >= tp_resolved_get_int(r, TP_K_KEYS_EC);
    default:
        return 1;
    }
}

/* A group this OpenSSL knows and the key floors allow. */
static int group_allowed(const tp_resolved *r, const tp_group *g, unsigned long ossl)
{
    if (ossl && g->min_openssl > ossl)
        return 0;
    return tp_group_meets_floors(r, g);
}

int tp_sigalg_meets_floors(const tp_resolved *r, const tp_sigalg *sa, uint32_t forbidden)
{
    if (sa->hash & forbidden)
        return 0;
    if (sa->curve_bits && sa->curve_bits < tp_resolved_get_int(r, TP_K_KEYS_EC))
        return 0;
    return 1;
}

/* A signature scheme this OpenSSL knows and the floors allow. */
static int sigalg_allowed(const tp_resolved *r, const tp_sigalg *sa, uint32_t forbidden,
                          unsigned long ossl)
{
    if (ossl && sa->min_openssl > ossl)
        return 0;
    return tp_sigalg_meets_floors(r, sa, forbidden);
}

int tp_security_level(const tp_resolved *r)
{
    long lvl = tp_resolved_get_int(r, TP_K_TLS_SECLEVEL);
    if (lvl >= 0)
        return (int)lvl;
    /*
     * OpenSSL 3 allows TLS 1.0/1.1 and SHA-1 signatures only at level 0, so
     * a policy allowing them must say 0 and leave key floors to the provider.
     * Otherwise the level follows the smallest finite-field key allowed
     * (SP 800-57: 2048 bits = 112-bit security = level 2, 3072 = level 3).
     */
    if (tp_resolved_get_int(r, TP_K_TLS_MIN) < TP_V_TLS1_2 ||
        !(tp_forbidden_hash_bits(r) & TP_H_SHA1))
        return 0;
    long bits = tp_resolved_get_int(r, TP_K_KEYS_RSA);
    if (tp_resolved_get_int(r, TP_K_KEYS_DH) < bits)
        bits = tp_resolved_get_int(r, TP_K_KEYS_DH);
    if (bits >= 7680)
        return 4;
    if (bits >= 3072)
        return 3;
    if (bits >= 2048)
        return 2;
    if (bits >= 1024)
        return 1;
    return 0;
}

static int add_cmd(tp_ossl_settings *s, const char *cmd, char *value)
{
    if (value == NULL)
        return -1;
    if (s->ncmds >= sizeof(s->cmds) / sizeof(s->cmds[0])) {
        free(value);
        return -1;
    }
    s->cmds[s->ncmds].cmd = cmd;
    s->cmds[s->ncmds].value = value;
    s->ncmds++;
    return 0;
}

static const char *ossl_version(long v)
{
    const char *n = tp_version_name(v);
    const char *o = n ? tp_name_openssl(TP_N_VERSION, n) : NULL;
    return o ? o : n;
}

/* The protocol bounds as commands. Returns 0, or -1 when out of memory. */
static int add_protocols(tp_ossl_settings *out, const tp_resolved *r)
{
    int bad = 0;
    bad |= add_cmd(out, "TLS.MinProtocol", strdup(ossl_version(tp_resolved_get_int(r, TP_K_TLS_MIN))));
    bad |= add_cmd(out, "TLS.MaxProtocol", strdup(ossl_version(tp_resolved_get_int(r, TP_K_TLS_MAX))));
    bad |= add_cmd(out, "DTLS.MinProtocol", strdup(ossl_version(tp_resolved_get_int(r, TP_K_DTLS_MIN))));
    bad |= add_cmd(out, "DTLS.MaxProtocol", strdup(ossl_version(tp_resolved_get_int(r, TP_K_DTLS_MAX))));
    return bad;
}

/* CipherString: @SECLEVEL then the explicit suites (NULL when out of memory). */
static char *cipher_string(const tp_resolved *r, int security_level)
{
    tp_buf cs = {0};
    char lvl[16];
    snprintf(lvl, sizeof(lvl), "@SECLEVEL=%d", security_level);
    tp_buf_join(&cs, ":", lvl);
    const tp_suite12 *suites[256];
    size_t ns = tp_render_suites12(r, suites, 256);
    if (ns > 256)
        ns = 256;
    for (size_t i = 0; i < ns; i++)
        tp_buf_join(&cs, ":", suites[i]->openssl);
    return tp_buf_done(&cs);
}

/* Ciphersuites: the TLS 1.3 suites this OpenSSL has, by OpenSSL's names. */
static char *ciphersuites_string(const tp_resolved *r, unsigned long ossl)
{
    tp_buf ts = {0};
    for (size_t i = 0; i < tp_resolved_list_len(r, TP_K_TLS_CIPHERSUITES); i++) {
        const char *n = tp_resolved_list_item(r, TP_K_TLS_CIPHERSUITES, i);
        if (ossl && tp_name_min_openssl(TP_N_CIPHERSUITE, n) > ossl)
            continue;
        const char *o = tp_name_openssl(TP_N_CIPHERSUITE, n);
        tp_buf_join(&ts, ":", o ? o : n);
    }
    return tp_buf_done(&ts);
}

/* Groups: the listed groups the key floors and this OpenSSL allow. */
static char *groups_string(const tp_resolved *r, unsigned long ossl)
{
    tp_buf gs = {0};
    for (size_t i = 0; i < tp_resolved_list_len(r, TP_K_TLS_GROUPS); i++) {
        const tp_group *g = tp_group_find(tp_resolved_list_item(r, TP_K_TLS_GROUPS, i));
        if (g && group_allowed(r, g, ossl))
            tp_buf_join(&gs, ":", g->openssl);
    }
    return tp_buf_done(&gs);
}

/* SignatureAlgorithms: the listed ones no forbidden hash or floor excludes. */
static char *sigalgs_string(const tp_resolved *r, uint32_t forbidden, unsigned long ossl)
{
    tp_buf ss = {0};
    for (size_t i = 0; i < tp_resolved_list_len(r, TP_K_TLS_SIGALGS); i++) {
        const tp_sigalg *sa = tp_sigalg_find(tp_resolved_list_item(r, TP_K_TLS_SIGALGS, i));
        if (sa && sigalg_allowed(r, sa, forbidden, ossl))
            tp_buf_join(&ss, ":", sa->openssl);
    }
    return tp_buf_done(&ss);
}

/* Peer verification, when required: the mode and the CA locations.
 * Returns 0, or -1 when out of memory. */
static int add_verify(tp_ossl_settings *out, const tp_resolved *r)
{
    int bad = 0;
    const char *peer = tp_resolved_get_str(r, TP_K_VERIFY_PEER);
    if (peer && strcmp(peer, "required") == 0) {
        out->verify_peer = 2;
        bad |= add_cmd(out, "VerifyMode", strdup("Peer"));
        const char *f = tp_resolved_get_str(r, TP_K_VERIFY_CA_FILE);
        const char *d = tp_resolved_get_str(r, TP_K_VERIFY_CA_PATH);
        if (f && (out->ca_file = strdup(f)) == NULL)
            bad = -1;
        if (d && (out->ca_path = strdup(d)) == NULL)
            bad = -1;
    }
    return bad;
}

/* The effective policy as SSL_CONF commands, in the order they must be applied. */
tp_err tp_render_ossl(const tp_resolved *r, unsigned long ossl, tp_ossl_settings *out)
{
    if (r == NULL || out == NULL)
        return TP_ERR_ARG;
    memset(out, 0, sizeof(*out));
    out->security_level = tp_security_level(r);
    uint32_t forbidden = tp_forbidden_hash_bits(r);
    int bad = 0;

    /* The protocol bounds first: later commands are checked against them. */
    bad |= add_protocols(out, r);
    bad |= add_cmd(out, "CipherString", cipher_string(r, out->security_level));
    bad |= add_cmd(out, "Ciphersuites", ciphersuites_string(r, ossl));
    bad |= add_cmd(out, "Groups", groups_string(r, ossl));
    bad |= add_cmd(out, "SignatureAlgorithms", sigalgs_string(r, forbidden, ossl));
    bad |= add_verify(out, r);
    if (bad) {
        tp_ossl_settings_clear(out);
        return TP_ERR_NOMEM;
    }
    return TP_OK;
}

void tp_ossl_settings_clear(tp_ossl_settings *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->ncmds; i++)
        free(s->cmds[i].value);
    free(s->ca_file);
    free(s->ca_path);
    memset(s, 0, sizeof(*s));
}

const char *tp_ossl_get(const tp_ossl_settings *s, const char *cmd)
{
    for (size_t i = 0; s && i < s->ncmds; i++)
        if (strcmp(s->cmds[i].cmd, cmd) == 0)
            return s->cmds[i].value;
    return NULL;
}

tp_err tp_render_floors(const tp_resolved *r, tp_floors *out)
{
    if (r == NULL || out == NULL)
        return TP_ERR_ARG;
    memset(out, 0, sizeof(*out));
    const char *mode = tp_resolved_get_str(r, TP_K_MODE);
    out->permissive = mode && strcmp(mode, "permissive") == 0;
    out->min_tls = (int)tp_resolved_get_int(r, TP_K_TLS_MIN);
    out->min_dtls = (int)tp_resolved_get_int(r, TP_K_DTLS_MIN);
    out->forbidden_hashes = tp_forbidden_hash_bits(r);
    /* TLS 1.0/1.1 need the MD5+SHA1 PRF and signatures (RFC 8996). */
    if (out->min_tls >= TP_V_TLS1_2 && out->min_dtls == TP_V_DTLS1_2)
        out->forbidden_hashes |= TP_H_MD5_SHA1;
    for (size_t i = 0; i < tp_nciphers; i++)
        if (tp_ciphers[i].bits && !tp_resolved_list_has(r, TP_K_TLS_CIPHERS, tp_ciphers[i].name))
            out->forbidden_ciphers |= tp_ciphers[i].bits;
    out->min_rsa_bits = (int)tp_resolved_get_int(r, TP_K_KEYS_RSA);
    out->min_dh_bits = (int)tp_resolved_get_int(r, TP_K_KEYS_DH);
    out->min_dsa_bits = (int)tp_resolved_get_int(r, TP_K_KEYS_DSA);
    out->min_ec_bits = (int)tp_resolved_get_int(r, TP_K_KEYS_EC);
    for (size_t i = 0; i < tp_resolved_list_len(r, TP_K_TLS_GROUPS); i++) {
        const tp_group *g = tp_group_find(tp_resolved_list_item(r, TP_K_TLS_GROUPS, i));
        if (g && group_allowed(r, g, 0) && out->ngroups < TP_MAX_GROUPS)
            out->groups[out->ngroups++] = g->id;
    }
    return TP_OK;
}
