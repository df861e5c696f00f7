/*
 * prov_filter.c - which of the default provider's algorithms we offer.
 *
 * Driven by one table of rules: (operation, name pattern, condition on the
 * floors) -> withhold, or offer wrapped by the floor checks of prov_wrap.c.
 * Everything else is re-exposed as it is: key management, encoders,
 * decoders, store, MACs, digests and ciphers keep working for everyone.
 *
 * The default provider's tables are static and the floors are per
 * process, so a filtered table is built once per operation and shared by
 * every instance: a process pays for the filter once, not per library
 * context. Each query is balanced by an unquery passed on to the default.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "prov_local.h"

enum tpp_act { TPP_A_DROP, TPP_A_WRAP };

typedef int tpp_cond_fn(const tp_floors *f);

typedef struct tpp_rule {
    int op;
    const char *pattern;     /* "NAME" or "PREFIX*", any name, any case */
    tpp_cond_fn *when;        /* NULL: always */
    enum tpp_act act;
    enum tpp_wrap_kind wrap;
    enum tpp_key_kind kk;
    const char *why;         /* for the log line */
} tpp_rule;

/* ---- conditions (pure) --------------------------------------------------- */

/* RFC 8996: TLS 1.0/1.1 and DTLS 1.0 are deprecated. libssl needs the
 * MD5-SHA1 digest for them; without it they are "unavailable" and the peer
 * gets a clean protocol_version alert whatever the program asked for. */
static int c_no_md5sha1(const tp_floors *f) { return !tpp_floor_needs_md5sha1(f); }

/* TLS 1.3-only backstop: without the TLS 1.2 PRF no TLS <= 1.2 handshake can
 * complete, even if the program lowers MinProtocol (Python sets 1.2). */
static int c_tls13_only(const tp_floors *f) { return tpp_floor_tls13_only(f); }

/* Cipher algorithms the policy forbids outright (RFC 7465 RC4, NIST SP
 * 800-131A Rev.2 DES/3DES...): not offered at all. */
static int c_rc4(const tp_floors *f) { return (f->forbidden_ciphers & TP_C_RC4) != 0; }
static int c_des(const tp_floors *f) { return (f->forbidden_ciphers & TP_C_DES) != 0; }
static int c_3des(const tp_floors *f) { return (f->forbidden_ciphers & TP_C_3DES) != 0; }
static int c_null(const tp_floors *f) { return (f->forbidden_ciphers & TP_C_NULL) != 0; }
static int c_rc2(const tp_floors *f) { return (f->forbidden_ciphers & TP_C_RC2) != 0; }
static int c_idea(const tp_floors *f) { return (f->forbidden_ciphers & TP_C_IDEA) != 0; }
static int c_seed(const tp_floors *f) { return (f->forbidden_ciphers & TP_C_SEED) != 0; }

/* First matching rule wins: withholding rules come before wrapping ones. */
static const tpp_rule rules[] = {
    { OSSL_OP_DIGEST, "MD5-SHA1", c_no_md5sha1, TPP_A_DROP, 0, 0,
      "TLS 1.0/1.1 are below the policy floor (RFC 8996)" },

    { OSSL_OP_KDF, "TLS1-PRF", c_tls13_only, TPP_A_DROP, 0, 0,
      "the policy allows TLS 1.3 only (DTLS 1.2 needs it too: unavailable)" },
    { OSSL_OP_KDF, "TLS1-PRF", NULL, TPP_A_WRAP, TPP_W_PRF, 0, NULL },
    /* EVP_PKEY_derive with a TLS1-PRF key fetches the KDF in the private
     * context, past the KDF wrapper: check it there too. */
    { OSSL_OP_KEYEXCH, "TLS1-PRF", c_tls13_only, TPP_A_DROP, 0, 0,
      "the policy allows TLS 1.3 only" },
    { OSSL_OP_KEYEXCH, "TLS1-PRF", NULL, TPP_A_WRAP, TPP_W_KEXPRF, 0, NULL },

    /* DRBGs fetch their cipher in the program's context, not the private
     * one (prov.c: start-up cost). OpenSSL 3.5: the core also passes our
     * provider's name to the DRBG; the wrapper drops it (it could be
     * looked up in the private context, where it does not exist). */
    { OSSL_OP_RAND, "CTR-DRBG", NULL, TPP_A_WRAP, TPP_W_RAND, 0, NULL },
    { OSSL_OP_RAND, "HASH-DRBG", NULL, TPP_A_WRAP, TPP_W_RAND, 0, NULL },
    { OSSL_OP_RAND, "HMAC-DRBG", NULL, TPP_A_WRAP, TPP_W_RAND, 0, NULL },

    { OSSL_OP_CIPHER, "RC4*", c_rc4, TPP_A_DROP, 0, 0, "RC4 is forbidden (RFC 7465)" },
    { OSSL_OP_CIPHER, "DES-EDE*", c_3des, TPP_A_DROP, 0, 0, "3DES is forbidden" },
    { OSSL_OP_CIPHER, "DES3*", c_3des, TPP_A_DROP, 0, 0, "3DES is forbidden" },
    { OSSL_OP_CIPHER, "DES-ECB", c_des, TPP_A_DROP, 0, 0, "DES is forbidden" },
    { OSSL_OP_CIPHER, "DES-CBC", c_des, TPP_A_DROP, 0, 0, "DES is forbidden" },
    { OSSL_OP_CIPHER, "DES-OFB", c_des, TPP_A_DROP, 0, 0, "DES is forbidden" },
    { OSSL_OP_CIPHER, "DES-CFB*", c_des, TPP_A_DROP, 0, 0, "DES is forbidden" },
    { OSSL_OP_CIPHER, "DESX*", c_des, TPP_A_DROP, 0, 0, "DES is forbidden" },
    { OSSL_OP_CIPHER, "NULL", c_null, TPP_A_DROP, 0, 0, "the NULL cipher is forbidden" },
    { OSSL_OP_CIPHER, "RC2*", c_rc2, TPP_A_DROP, 0, 0, "RC2 is forbidden" },
    { OSSL_OP_CIPHER, "IDEA*", c_idea, TPP_A_DROP, 0, 0, "IDEA is forbidden" },
    { OSSL_OP_CIPHER, "SEED*", c_seed, TPP_A_DROP, 0, 0, "SEED is forbidden" },

    { OSSL_OP_SIGNATURE, "RSA", NULL, TPP_A_WRAP, TPP_W_SIG, TPP_KK_RSA, NULL },
    { OSSL_OP_SIGNATURE, "DSA", NULL, TPP_A_WRAP, TPP_W_SIG, TPP_KK_DSA, NULL },
    { OSSL_OP_SIGNATURE, "ECDSA", NULL, TPP_A_WRAP, TPP_W_SIG, TPP_KK_EC, NULL },

    { OSSL_OP_ASYM_CIPHER, "RSA", NULL, TPP_A_WRAP, TPP_W_ASYM, TPP_KK_RSA, NULL },

    { OSSL_OP_KEYEXCH, "DH", NULL, TPP_A_WRAP, TPP_W_KEX, TPP_KK_DH, NULL },
    { OSSL_OP_KEYEXCH, "ECDH", NULL, TPP_A_WRAP, TPP_W_KEX, TPP_KK_EC, NULL },

    /* RSASVE (3.0+) and DHKEM over P-256/384/521 (3.2+). X25519/X448
     * DHKEM, ML-KEM and the hybrids (3.5) have no size to check: the
     * groups a TLS handshake may use are filtered by TLS-GROUP
     * capabilities (prov_caps.c); see tlspolicy(7) for every class. */
    { OSSL_OP_KEM, "RSA", NULL, TPP_A_WRAP, TPP_W_KEM, TPP_KK_RSA, NULL },
    { OSSL_OP_KEM, "EC", NULL, TPP_A_WRAP, TPP_W_KEM, TPP_KK_EC, NULL },
};

/* Composite signature algorithms with the digest fixed at init (OpenSSL
 * 3.4+: "RSA-SHA1", "ECDSA-SHA2-256", "DSA-SHA1"...). The key part decides
 * the key floor; the digest part is checked against forbidden hashes. */
static const struct {
    const char *prefix;
    enum tpp_key_kind kk;
} composite_keys[] = {
    { "RSA-", TPP_KK_RSA },
    { "ECDSA-", TPP_KK_EC },
    { "DSA-", TPP_KK_DSA },
};

/* ---- matching ------------------------------------------------------------ */

/* An algorithm's colon-separated names, split once: the rules are matched
 * against every algorithm of the default provider at start-up, in every
 * process, so the split is not redone for each rule. */
#define TPP_MAX_NAMES 16

typedef struct tpp_names {
    const char *s[TPP_MAX_NAMES];
    size_t len[TPP_MAX_NAMES];
    size_t n;
} tpp_names;

static void names_split(const char *names, tpp_names *out)
{
    const char *s = names, *e;

    out->n = 0;
    while (s != NULL && *s != '\0' && out->n < TPP_MAX_NAMES) {
        e = strchr(s, ':');
        out->s[out->n] = s;
        out->len[out->n++] = e != NULL ? (size_t)(e - s) : strlen(s);
        s = e != NULL ? e + 1 : NULL;
    }
}

/* The rules of one operation whose condition holds for these floors, with
 * their pattern lengths: worked out once per table, not per algorithm. */
#define TPP_NRULES (sizeof(rules) / sizeof(rules[0]))

typedef struct tpp_active {
    const tpp_rule *r[TPP_NRULES];
    size_t plen[TPP_NRULES];
    int prefix[TPP_NRULES];
    size_t n;
} tpp_active;

static void active_rules(int op, const tp_floors *f, tpp_active *a)
{
    size_t i;

    a->n = 0;
    for (i = 0; i < TPP_NRULES; i++) {
        const tpp_rule *r = &rules[i];
        size_t plen;

        if (r->op != op || (r->when != NULL && !r->when(f)))
            continue;
        plen = strlen(r->pattern);
        a->prefix[a->n] = plen > 0 && r->pattern[plen - 1] == '*';
        a->plen[a->n] = a->prefix[a->n] ? plen - 1 : plen;
        a->r[a->n++] = r;
    }
}

/* 1 if rule k's pattern matches any of the names, ignoring case. A
 * pattern is a literal name or a prefix followed by '*': enough for the
 * rule table. An algorithm with more than TPP_MAX_NAMES names (none has) is
 * matched on its first ones only; the rules name the first or second. */
static int names_match(const tpp_names *names, const tpp_active *a, size_t k)
{
    const char *pattern = a->r[k]->pattern;
    size_t plen = a->plen[k], i;
    int prefix = a->prefix[k];

    for (i = 0; i < names->n; i++) {
        const char *s = names->s[i];
        size_t n = names->len[i];

        if ((prefix ? n >= plen : n == plen)
            && (s[0] | 0x20) == (pattern[0] | 0x20) /* cheap first look */
            && strncasecmp(s, pattern, plen) == 0)
            return 1;
    }
    return 0;
}

/* The first active rule that applies, starting after `prev` (NULL: from
 * the start), in table order. Callers skip withholding rules in permissive
 * mode this way. */
static const tpp_rule *rule_for(const tpp_active *a, const tpp_names *names,
                               const tpp_rule *prev)
{
    size_t k;

    for (k = 0; k < a->n; k++) {
        if (prev != NULL && a->r[k] <= prev)
            continue;
        if (names_match(names, a, k))
            return a->r[k];
    }
    return NULL;
}

/* For a composite signature algorithm: its key kind and digest bit. */
static int composite_sig(const char *names, enum tpp_key_kind *kk,
                         uint32_t *hash)
{
    char first[64];
    const char *e = strchr(names, ':');
    size_t n = e != NULL ? (size_t)(e - names) : strlen(names), i;

    if (n >= sizeof(first))
        return 0;
    memcpy(first, names, n);
    first[n] = '\0';
    for (i = 0; i < sizeof(composite_keys) / sizeof(composite_keys[0]); i++) {
        size_t pl = strlen(composite_keys[i].prefix);

        if (strncasecmp(first, composite_keys[i].prefix, pl) == 0) {
            /* An unknown digest part still gets the key floor. */
            *kk = composite_keys[i].kk;
            *hash = tpp_digest_bits(first + pl);
            return 1;
        }
    }
    return 0;
}

/* ---- the shared cache ---------------------------------------------------- */

typedef struct tpp_cached {
    int op;
    const OSSL_ALGORITHM *src;   /* the default provider's table */
    OSSL_ALGORITHM *out;         /* ours (NULL: src offered unchanged) */
    struct tpp_cached *next;
} tpp_cached;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static tpp_cached *cache;
static int cache_users;
static int keymgmt_known;

void tpp_filter_acquire(void)
{
    pthread_mutex_lock(&cache_lock);
    cache_users++;
    pthread_mutex_unlock(&cache_lock);
}

void tpp_filter_release(void)
{
    tpp_cached *c, *next;

    pthread_mutex_lock(&cache_lock);
    if (--cache_users == 0) {
        for (c = cache; c != NULL; c = next) {
            next = c->next;
            free(c->out);
            free(c);
        }
        cache = NULL;
        keymgmt_known = 0;
        tpp_wrap_reset();
    }
    pthread_mutex_unlock(&cache_lock);
}

/* The wrappers read key sizes through the default key management. */
static void need_keymgmt(tpp_prov *p)
{
    const OSSL_ALGORITHM *km;
    int nc = 0;

    if (keymgmt_known)
        return;
    km = OSSL_PROVIDER_query_operation(p->deflt, OSSL_OP_KEYMGMT, &nc);
    if (km != NULL) {
        tpp_wrap_set_keymgmt(km);
        OSSL_PROVIDER_unquery_operation(p->deflt, OSSL_OP_KEYMGMT, km);
    }
    keymgmt_known = 1;
}

/* Withholding is configuration, not an event: in enforce mode it is not
 * logged (every process would log it at start; `tlspolicy show` lists it).
 * In permissive mode it is what would have been refused, once per process. */
static void log_withheld(const tp_floors *f, const char *names, const char *why)
{
    if (f->permissive)
        tpm_log(LOG_INFO, "withhold", "permissive, would withhold %.*s: %s",
                (int)strcspn(names, ":"), names, why);
}

/* 1 if the rule table (or composite detection) can touch operation op:
 * the others (key management, encoders, decoders, store...) are offered
 * as the default provider has them, without a copy. */
static int op_filtered(int op)
{
    size_t i;

    if (op == OSSL_OP_SIGNATURE)
        return 1;
    for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (rules[i].op == op)
            return 1;
    return 0;
}

/* What the filter does with one algorithm it offers: wrap it (w) or not. */
typedef struct tpp_choice {
    enum tpp_wrap_kind w;
    enum tpp_key_kind kk;
    uint32_t hash;
} tpp_choice;

/* Decide for one algorithm of operation op: 0 to offer it (wrapped when
 * ch->w is set), -1 to withhold it. Logs what it withholds. */
static int choose(const tpp_active *active, const tp_floors *f, int op, const char *algnames,
                  tpp_choice *ch)
{
    const tpp_rule *r;
    tpp_names names;

    ch->w = TPP_W_NONE;
    ch->kk = TPP_KK_NONE;
    ch->hash = 0;
    names_split(algnames, &names);
    r = rule_for(active, &names, NULL);
    while (r != NULL && r->act == TPP_A_DROP && f->permissive) {
        log_withheld(f, algnames, r->why);
        r = rule_for(active, &names, r);
    }
    if (r != NULL && r->act == TPP_A_DROP) {
        log_withheld(f, algnames, r->why);
        return -1;
    } else if (r != NULL && r->act == TPP_A_WRAP) {
        ch->w = r->wrap;
        ch->kk = r->kk;
    } else if (op == OSSL_OP_SIGNATURE && composite_sig(algnames, &ch->kk, &ch->hash)) {
        if ((f->forbidden_hashes & ch->hash) != 0) {
            log_withheld(f, algnames, "its digest is forbidden in signatures (RFC 9155)");
            if (!f->permissive)
                return -1;
        }
        ch->w = TPP_W_SIG;
    }
    return 0;
}

/* Point the entry a at the wrapper ch asks for: 0, or -1 when no wrapper
 * slot is left. */
static int wrap_entry(OSSL_ALGORITHM *a, const tpp_choice *ch)
{
    const OSSL_DISPATCH *d =
        tpp_wrap_dispatch(ch->w, ch->kk, ch->hash, a->algorithm_names, a->implementation);

    if (d == NULL) {
        /* No wrapper slot left: fail closed. */
        tpm_log(LOG_ERR, "wrap", "cannot wrap %s: withheld", a->algorithm_names);
        return -1;
    }
    a->implementation = d;
    return 0;
}

/* Build our table for one operation. Called under cache_lock.
 * Returns NULL with *same = 1 when nothing changes. */
static OSSL_ALGORITHM *build(tpp_prov *p, int op, const OSSL_ALGORITHM *src,
                             int *same)
{
    const tp_floors *f = &p->state->floors;
    /* Under the kernel's FIPS flag too: what we re-expose is the default
     * provider, and it is wrapped whatever mode the system is in. FIPS
     * properties as the default send fetches to the FIPS provider instead,
     * which is not ours to wrap: the module says so (tlspolicy(7), FIPS). */
    const int wrap_ok = 1;
    OSSL_ALGORITHM *out;
    tpp_active active;
    tpp_choice ch;
    size_t n, i, j = 0;
    int changed = 0;

    if (!op_filtered(op))
        goto same;
    for (n = 0; src[n].algorithm_names != NULL; n++)
        ;
    out = calloc(n + 1, sizeof(*out));
    if (out == NULL)
        return NULL;
    if (wrap_ok && (op == OSSL_OP_SIGNATURE || op == OSSL_OP_ASYM_CIPHER
                    || op == OSSL_OP_KEYEXCH || op == OSSL_OP_KEM))
        need_keymgmt(p);
    active_rules(op, f, &active);

    for (i = 0; i < n; i++) {
        out[j] = src[i];
        if (choose(&active, f, op, src[i].algorithm_names, &ch) < 0) {
            changed = 1;
            continue;
        }
        if (ch.w != TPP_W_NONE && wrap_ok) {
            changed = 1;
            if (wrap_entry(&out[j], &ch) < 0)
                continue;
        }
        j++;
    }
    /* out[j] still holds the last entry left out, when it was the table's
     * last: the terminator goes there, or that algorithm would be offered
     * unwrapped. */
    memset(&out[j], 0, sizeof(out[j]));
    if (changed)
        return out;
    free(out);
same:
    *same = 1;
    return NULL;
}

const OSSL_ALGORITHM *tpp_filter_query(tpp_prov *p, int op, int *no_cache)
{
    const OSSL_ALGORITHM *src, *ret = NULL;
    tpp_cached *c;
    int nc = 0, same = 0;

    src = OSSL_PROVIDER_query_operation(p->deflt, op, &nc);
    *no_cache = nc;
    if (src == NULL)
        return NULL;

    pthread_mutex_lock(&cache_lock);
    for (c = cache; c != NULL; c = c->next) {
        if (c->op == op && c->src == src)
            break;
    }
    if (c == NULL) {
        OSSL_ALGORITHM *out = build(p, op, src, &same);

        if (out != NULL || same) {
            c = calloc(1, sizeof(*c));
            if (c == NULL) {
                free(out);
            } else {
                c->op = op;
                c->src = src;
                c->out = out;
                c->next = cache;
                cache = c;
            }
        }
    }
    if (c != NULL)
        ret = c->out != NULL ? c->out : c->src;
    pthread_mutex_unlock(&cache_lock);

    if (ret == NULL) {
        /* Out of memory: offer nothing for this operation this time, and
         * say so uncached, or libcrypto (core_fetch.c) marks the operation
         * as queried and never asks again: one failed allocation would
         * leave the process without ciphers for good. */
        OSSL_PROVIDER_unquery_operation(p->deflt, op, src);
        *no_cache = 1;
    }
    return ret;
}

void tpp_filter_unquery(tpp_prov *p, int op, const OSSL_ALGORITHM *algs)
{
    const OSSL_ALGORITHM *src = algs;
    tpp_cached *c;

    if (algs == NULL)
        return;
    pthread_mutex_lock(&cache_lock);
    for (c = cache; c != NULL; c = c->next) {
        if (c->op == op && c->out == algs) {
            src = c->src;
            break;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    OSSL_PROVIDER_unquery_operation(p->deflt, op, src);
}
