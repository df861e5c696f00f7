/*
 * validate.c - check the constraints that only the merged result can show
 * (min above max, lists that leave nothing usable, application rules that
 * weaken the system-wide floors).  It reads the merged values through the
 * tp_resolved accessors and the renderer, so the dependencies run one way:
 * load.c -> validate.c -> render.c -> resolve.c.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* ---- constraints on the merged result ------------------------------------ */

/* Protocol order: DTLS numbers run downwards. */
static int vorder(long v)
{
    switch (v) {
    case TP_V_TLS1_0:
    case TP_V_DTLS1_0: return 10;
    case TP_V_TLS1_1: return 11;
    case TP_V_TLS1_2:
    case TP_V_DTLS1_2: return 12;
    case TP_V_TLS1_3: return 13;
    }
    return 0;
}

/* file:line of the place that decided key k */
static const tp_origin *decider(const tp_resolved *r, tp_key k)
{
    size_t n = tp_resolved_norigins(r, k);
    return n ? tp_resolved_origin(r, k, n - 1) : NULL;
}

#define AT(r, k) \
    (decider(r, k) ? decider(r, k)->file : NULL), (decider(r, k) ? decider(r, k)->line : 0)

/* Of several keys that together break a constraint, the one set last in
 * merge order is the likely mistake (an application rule that lowers a
 * maximum, a drop-in that empties a list): blame that one. */
static tp_key blame(const tp_resolved *r, const tp_key *keys, size_t n)
{
    tp_key best = keys[0];
    for (size_t i = 1; i < n; i++) {
        const tp_origin *a = decider(r, best), *b = decider(r, keys[i]);
        if (b && (!a || b->kind > a->kind))
            best = keys[i];
    }
    return best;
}

/* One resolved policy under check, and how its messages name it. */
typedef struct check {
    tp_policy *p;
    const tp_resolved *r;
    const char *who; /* "" or "for application rule \"NAME\": " */
} check;

/* The protocol bounds: min not above max, and TLS 1.3 suites when 1.3 is allowed. */
static void check_versions(const check *c)
{
    static const tp_key tls_mm[] = {TP_K_TLS_MIN, TP_K_TLS_MAX};
    static const tp_key dtls_mm[] = {TP_K_DTLS_MIN, TP_K_DTLS_MAX};
    const tp_resolved *r = c->r;
    long tls_min = tp_resolved_get_int(r, TP_K_TLS_MIN);
    long tls_max = tp_resolved_get_int(r, TP_K_TLS_MAX);
    long dtls_min = tp_resolved_get_int(r, TP_K_DTLS_MIN);
    long dtls_max = tp_resolved_get_int(r, TP_K_DTLS_MAX);
    if (vorder(tls_min) > vorder(tls_max))
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_INVALID, AT(r, blame(r, tls_mm, 2)),
                    "%stls.min_version %s is above tls.max_version %s", c->who,
                    tp_version_name(tls_min), tp_version_name(tls_max));
    if (vorder(dtls_min) > vorder(dtls_max))
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_INVALID, AT(r, blame(r, dtls_mm, 2)),
                    "%sdtls.min_version %s is above dtls.max_version %s", c->who,
                    tp_version_name(dtls_min), tp_version_name(dtls_max));
    if (tls_max >= TP_V_TLS1_3 && tp_resolved_list_len(r, TP_K_TLS_CIPHERSUITES) == 0)
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_INVALID, AT(r, TP_K_TLS_CIPHERSUITES),
                    "%stls.ciphersuites is empty but TLS 1.3 is allowed", c->who);
}

/* At least one TLS 1.2 suite when the minimum version allows TLS 1.2 or below. */
static void check_suites12(const check *c)
{
    static const tp_key suite12[] = {TP_K_TLS_CIPHERS, TP_K_TLS_KEX, TP_K_TLS_MACS};
    const tp_resolved *r = c->r;
    const tp_suite12 *s[1];
    if (vorder(tp_resolved_get_int(r, TP_K_TLS_MIN)) > 12 || tp_render_suites12(r, s, 1) != 0)
        return;
    tp_key k = tp_resolved_list_len(r, TP_K_TLS_CIPHERS) == 0 ? TP_K_TLS_CIPHERS
               : tp_resolved_list_len(r, TP_K_TLS_KEX) == 0   ? TP_K_TLS_KEX
               : tp_resolved_list_len(r, TP_K_TLS_MACS) == 0  ? TP_K_TLS_MACS
                                                              : blame(r, suite12, 3);
    tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_INVALID, AT(r, k),
                "%stls.ciphers, tls.key_exchange and tls.macs leave no cipher suite "
                "for TLS 1.2 and below, which tls.min_version allows",
                c->who);
}

/* A usable signature algorithm, and a warning when SHA2-256 is forbidden. */
static void check_signatures(const check *c)
{
    static const tp_key sigs[] = {TP_K_TLS_SIGALGS, TP_K_SIG_FORBIDDEN};
    const tp_resolved *r = c->r;
    size_t usable = 0;
    uint32_t forbidden = tp_forbidden_hash_bits(r);
    for (size_t i = 0; i < tp_resolved_list_len(r, TP_K_TLS_SIGALGS); i++) {
        const tp_sigalg *sa = tp_sigalg_find(tp_resolved_list_item(r, TP_K_TLS_SIGALGS, i));
        if (sa && (sa->hash & forbidden) == 0)
            usable++;
    }
    if (usable == 0)
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_INVALID, AT(r, blame(r, sigs, 2)),
                    "%stls.signature_algorithms leaves no signature algorithm whose hash "
                    "signatures.forbidden_hashes allows",
                    c->who);
    if (forbidden & TP_H_SHA256)
        tp_diag_add(c->p, TP_SEV_WARNING, TP_OK, AT(r, TP_K_SIG_FORBIDDEN),
                    "%ssignatures.forbidden_hashes forbids SHA2-256: most certificates in use "
                    "will fail verification",
                    c->who);
}

/* CA locations set where peer verification is off. */
static void check_verify(const check *c)
{
    const tp_resolved *r = c->r;
    const char *ca_file = tp_resolved_get_str(r, TP_K_VERIFY_CA_FILE);
    const char *ca_path = tp_resolved_get_str(r, TP_K_VERIFY_CA_PATH);
    if (strcmp(tp_resolved_get_str(r, TP_K_VERIFY_PEER), "required") != 0 && (ca_file || ca_path))
        tp_diag_add(
            c->p, TP_SEV_WARNING, TP_OK, AT(r, ca_file ? TP_K_VERIFY_CA_FILE : TP_K_VERIFY_CA_PATH),
            "%sverify.ca_file/ca_path have no effect unless verify.peer = \"required\"", c->who);
}

/* Check one resolved policy (the system-wide one or an application's). */
static void check_one(tp_policy *p, const tp_resolved *r, const char *who)
{
    const check c = {p, r, who};
    check_versions(&c);
    check_suites12(&c);
    if (tp_resolved_list_len(r, TP_K_TLS_GROUPS) == 0)
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_INVALID, AT(r, TP_K_TLS_GROUPS),
                    "%stls.groups is empty: no key exchange would be possible", who);
    check_signatures(&c);
    check_verify(&c);
}

/* Warn when an application rule lowers a floor of the system-wide policy. */
static void check_weakening(tp_policy *p, const tp_resolved *sys, const tp_resolved *app,
                            const tp_layer *rule)
{
    struct {
        tp_key k;
        int weaker;
    } t[] = {
        {TP_K_TLS_MIN, vorder(tp_resolved_get_int(app, TP_K_TLS_MIN)) <
                           vorder(tp_resolved_get_int(sys, TP_K_TLS_MIN))},
        {TP_K_DTLS_MIN, vorder(tp_resolved_get_int(app, TP_K_DTLS_MIN)) <
                            vorder(tp_resolved_get_int(sys, TP_K_DTLS_MIN))},
        {TP_K_KEYS_RSA,
         tp_resolved_get_int(app, TP_K_KEYS_RSA) < tp_resolved_get_int(sys, TP_K_KEYS_RSA)},
        {TP_K_KEYS_DH,
         tp_resolved_get_int(app, TP_K_KEYS_DH) < tp_resolved_get_int(sys, TP_K_KEYS_DH)},
        {TP_K_KEYS_DSA,
         tp_resolved_get_int(app, TP_K_KEYS_DSA) < tp_resolved_get_int(sys, TP_K_KEYS_DSA)},
        {TP_K_KEYS_EC,
         tp_resolved_get_int(app, TP_K_KEYS_EC) < tp_resolved_get_int(sys, TP_K_KEYS_EC)},
        {TP_K_SIG_FORBIDDEN, (int)tp_resolved_list_len(app, TP_K_SIG_FORBIDDEN) <
                                 (int)tp_resolved_list_len(sys, TP_K_SIG_FORBIDDEN)},
        {TP_K_MODE, strcmp(tp_resolved_get_str(app, TP_K_MODE), "permissive") == 0 &&
                        strcmp(tp_resolved_get_str(sys, TP_K_MODE), "permissive") != 0},
        {TP_K_VERIFY_PEER, strcmp(tp_resolved_get_str(app, TP_K_VERIFY_PEER), "required") != 0 &&
                               strcmp(tp_resolved_get_str(sys, TP_K_VERIFY_PEER), "required") == 0},
        {TP_K_TLS_SECLEVEL, tp_resolved_get_int(app, TP_K_TLS_SECLEVEL) >= 0 &&
                                tp_resolved_get_int(sys, TP_K_TLS_SECLEVEL) >= 0 &&
                                tp_resolved_get_int(app, TP_K_TLS_SECLEVEL) <
                                    tp_resolved_get_int(sys, TP_K_TLS_SECLEVEL)},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (!t[i].weaker)
            continue;
        char was[256], now[256];
        if (tp_resolved_format(sys, t[i].k, was, sizeof(was)) < 0)
            snprintf(was, sizeof(was), "...");
        if (tp_resolved_format(app, t[i].k, now, sizeof(now)) < 0)
            snprintf(now, sizeof(now), "...");
        const tp_origin *o = decider(app, t[i].k);
        tp_diag_add(p, TP_SEV_WARNING, TP_OK, o ? o->file : rule->file, o ? o->line : rule->line,
                    "application rule \"%s\" weakens %s from %s to %s", rule->name,
                    tp_key_name(t[i].k), was, now);
    }
}

void tp_validate_resolved(tp_policy *p)
{
    tp_resolved *sys = tp_resolve_rules(p, -1, 1);
    if (sys == NULL) {
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_NOMEM, NULL, 0, "out of memory");
        return;
    }
    int before = p->nerrors;
    check_one(p, sys, "");
    /* Application checks would only repeat the system-wide errors. */
    for (size_t i = 0; i < p->napps && p->nerrors == before; i++) {
        tp_resolved *app = tp_resolve_rules(p, (long)i, 0);
        if (app == NULL) {
            tp_diag_add(p, TP_SEV_ERROR, TP_ERR_NOMEM, NULL, 0, "out of memory");
            break;
        }
        char who[160];
        snprintf(who, sizeof(who), "for application rule \"%.100s\": ", p->apps[i]->name);
        int app_before = p->nerrors;
        check_one(p, app, who);
        before += p->nerrors - app_before;
        check_weakening(p, sys, app, p->apps[i]);
        tp_resolved_free(app);
    }
    tp_resolved_free(sys);
}
