/*
 * module_conf.c - what the config module does when openssl.cnf loads it.
 *
 * 1. Resolve the policy for this program (state.c).
 * 2. Install it as ssl_conf `system_default`. ssl_conf is all-or-nothing (a
 *    second load replaces every section), so we copy the system's own
 *    ssl_conf sections out of the CONF we are given, put the policy's
 *    commands on top of its system_default, and load that in-memory CONF
 *    with CONF_modules_load (safe inside a module init on 3.0-3.5).
 * 3. Verification (verify.peer = required) is not carried by system_default,
 *    which refuses VerifyCAFile/VerifyCAPath: see module_verify.c.
 * 4. Activate the provider "tlspolicy" in the library context the
 *    configuration is for, as a built-in (its init function lives in this
 *    very DSO), so the administrator writes no provider section.
 *
 * A bad policy never makes init fail (config_diagnostics = 1 would make the
 * openssl CLI abort): only a process left without any policy does.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <openssl/bio.h>
#include <openssl/conf.h>
#include <openssl/core.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include "cnf_read.h"
#include "module_conf.h"
#include "tp_module.h"

#define TPM_APPNAME "tlspolicy_conf" /* key naming the init section of our CONF */
#define TPM_MAX_SSL_SECTIONS 256

/* ---- text buffer for the in-memory CONF --------------------------------- */

typedef struct tpm_buf {
    char *p;
    size_t len, cap;
    int oom;
} tpm_buf;

static void buf_add(tpm_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 1024) + n;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_printf(tpm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(tpm_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        b->oom = 1; /* only used for names, which are short */
        return;
    }
    buf_add(b, tmp, (size_t)n);
}

/* `name = "value"`: inside double quotes the CONF parser expands no $var and
 * knows no comment; only the quote and the escape character need escaping. */
static int buf_kv(tpm_buf *b, const char *name, const char *value)
{
    const char *v;

    if (strpbrk(name, " \t\r\n=\"[]#$\\") != NULL || strpbrk(value, "\r\n") != NULL)
        return 0;
    buf_printf(b, "%s = \"", name);
    for (v = value; *v; v++) {
        if (*v == '"' || *v == '\\')
            buf_add(b, "\\", 1);
        buf_add(b, v, 1);
    }
    buf_add(b, "\"\n", 2);
    return 1;
}

/* ---- reading the CONF we are given ------------------------------------- */

/* SSL_CONF command name as ssl_conf stores it: after the first dot,
 * compared case-insensitively (SSL_CONF_FLAG_FILE lookups). */
static const char *cmd_base(const char *name)
{
    const char *dot = strchr(name, '.');
    return dot != NULL ? dot + 1 : name;
}

static int cmd_same(const char *a, const char *b)
{
    return strcasecmp(cmd_base(a), cmd_base(b)) == 0;
}

/* Copy one command section; returns the number of commands written. For
 * system_default, the policy's commands go last and replace the system's
 * command of the same name; Options accumulate instead. */
static size_t emit_cmds(tpm_buf *b, const CONF *cnf, const char *sect, const tpm_state *st)
{
    STACK_OF(CONF_VALUE) *cmds = sect != NULL ? cnf_section(cnf, sect) : NULL;
    const char *sys_options = NULL;
    size_t i, n = 0;
    int j;

    for (j = 0; j < sk_CONF_VALUE_num(cmds); j++) {
        const CONF_VALUE *v = sk_CONF_VALUE_value(cmds, j);
        int overridden = 0;

        for (i = 0; st != NULL && i < st->ossl.ncmds; i++)
            if (cmd_same(v->name, st->ossl.cmds[i].cmd))
                overridden = 1;
        if (st != NULL && cmd_same(v->name, "Options")) {
            sys_options = v->value;
            if (overridden)
                continue;
        }
        if (!overridden)
            n += buf_kv(b, v->name, v->value);
    }
    for (i = 0; st != NULL && i < st->ossl.ncmds; i++) {
        const tp_ossl_cmd *c = &st->ossl.cmds[i];
        if (c->value == NULL || (cmd_same(c->cmd, "VerifyMode") && tpm_verify_sets_mode()))
            continue;
        if (sys_options != NULL && cmd_same(c->cmd, "Options")) {
            char *both = malloc(strlen(sys_options) + strlen(c->value) + 2);
            if (both == NULL) {
                b->oom = 1;
                continue;
            }
            sprintf(both, "%s,%s", sys_options, c->value);
            n += buf_kv(b, c->cmd, both);
            free(both);
        } else {
            n += buf_kv(b, c->cmd, c->value);
        }
    }
    /* verify.peer = required, when libssl was not loaded at init so that
     * the SSL_CTX hook cannot set the mode: VerifyMode=Peer, which also
     * reaches servers made with TLS_method (see module_verify.c). */
    if (st != NULL && st->ossl.verify_peer == 2 && !tpm_verify_sets_mode()
        && tp_ossl_get(&st->ossl, "VerifyMode") == NULL)
        n += buf_kv(b, "VerifyMode", "Peer");
    return n;
}

/* Our CONF: the system's ssl_conf sections (with_system) with the policy on
 * top of system_default. */
static void build_conf(tpm_buf *b, const CONF *cnf, const char *sys_ssl, const tpm_state *st)
{
    STACK_OF(CONF_VALUE) *names = sys_ssl != NULL ? cnf_section(cnf, sys_ssl) : NULL;
    tpm_buf body = { 0 };
    int i, have_default = 0, nsect = 0;

    buf_printf(b, "%s = tlspolicy_init\n[tlspolicy_init]\nssl_conf = tlspolicy_ssl\n"
                  "[tlspolicy_ssl]\n", TPM_APPNAME);
    for (i = 0; i < sk_CONF_VALUE_num(names) && nsect < TPM_MAX_SSL_SECTIONS; i++) {
        const CONF_VALUE *v = sk_CONF_VALUE_value(names, i);
        int is_default = strcmp(v->name, "system_default") == 0;
        size_t mark = body.len;

        buf_printf(&body, "[tlspolicy_s%d]\n", nsect);
        if (emit_cmds(&body, cnf, v->value, is_default ? st : NULL) == 0) {
            body.len = mark; /* ssl_conf rejects empty sections */
            if (body.p != NULL)
                body.p[mark] = '\0';
            continue;
        }
        buf_printf(b, "%s = tlspolicy_s%d\n", v->name, nsect);
        nsect++;
        have_default |= is_default;
    }
    if (!have_default) {
        buf_printf(&body, "[tlspolicy_s%d]\n", nsect);
        emit_cmds(&body, NULL, NULL, st);
        buf_printf(b, "system_default = tlspolicy_s%d\n", nsect);
    }
    if (body.oom)
        b->oom = 1;
    else if (body.p != NULL)
        buf_add(b, body.p, body.len);
    free(body.p);
}

/* 1 if the last error says a module name is unknown to libcrypto. */
static int unknown_module(void)
{
    unsigned long e = ERR_peek_last_error();

    return ERR_GET_LIB(e) == ERR_LIB_CONF && ERR_GET_REASON(e) == CONF_R_UNKNOWN_MODULE_NAME;
}

static int load_conf_text(OSSL_LIB_CTX *libctx, const tpm_buf *b)
{
    CONF *c;
    BIO *bio;
    long eline = 0;
    int ok = 0;

    if (b->oom || b->p == NULL)
        return 0;
    c = NCONF_new_ex(libctx, NULL);
    bio = BIO_new_mem_buf(b->p, (int)b->len);
    if (c != NULL && bio != NULL && NCONF_load_bio(c, bio, &eline) > 0) {
        ok = CONF_modules_load(c, TPM_APPNAME, 0) > 0;
        /* CONF_modules_unload(1) (a daemon's reload) removed libcrypto's
         * built-in modules, ssl_conf among them, and libcrypto adds them
         * only once per process: add them again so that the reload puts
         * the policy's defaults back. */
        if (!ok && unknown_module()) {
            OPENSSL_load_builtin_modules();
            ok = CONF_modules_load(c, TPM_APPNAME, 0) > 0;
        }
    }
    BIO_free(bio);
    NCONF_free(c);
    return ok;
}

/*
 * libssl's ssl_conf table is one per process, not per library context, and
 * loading it again frees the strings that SSL_CTX_new in other threads is
 * reading (a use-after-free ASan showed when a second library context loaded
 * openssl.cnf while threads handshook). The text we installed last is kept:
 * the same text is not loaded again, unless the configuration being loaded
 * has an ssl_conf of its own, which has just replaced ours.
 */
static pthread_mutex_t installed_lock = PTHREAD_MUTEX_INITIALIZER;
static char *installed_text;

static int already_installed(const tpm_buf *b)
{
    int same;

    pthread_mutex_lock(&installed_lock);
    same = installed_text != NULL && b->p != NULL && !b->oom &&
           strlen(installed_text) == b->len && memcmp(installed_text, b->p, b->len) == 0;
    pthread_mutex_unlock(&installed_lock);
    return same;
}

static void remember_installed(const tpm_buf *b)
{
    char *copy = b->oom || b->p == NULL ? NULL : strndup(b->p, b->len);

    pthread_mutex_lock(&installed_lock);
    free(installed_text);
    installed_text = copy;
    pthread_mutex_unlock(&installed_lock);
}

/* 1 if system_default now carries the policy. */
static int install_ssl_conf(const CONF *cnf, const cnf_init *sc, const tpm_state *st)
{
    OSSL_LIB_CTX *libctx = NCONF_get0_libctx(cnf);
    tpm_buf b = { 0 };
    int ok;

    ERR_set_mark();
    build_conf(&b, cnf, sc->ssl_before, st);
    /* With an ssl_conf of its own in this configuration, libcrypto has just
     * loaded the system's sections over ours: install again. */
    if (sc->ssl_before == NULL && already_installed(&b)) {
        ERR_pop_to_mark();
        free(b.p);
        return 1;
    }
    ok = load_conf_text(libctx, &b);
    if (!ok) {
        /* Once more: a failed allocation inside libcrypto's CONF or
         * ssl_conf code is not the system's sections' fault. */
        free(b.p);
        memset(&b, 0, sizeof(b));
        build_conf(&b, cnf, sc->ssl_before, st);
        ok = load_conf_text(libctx, &b);
    }
    if (!ok && sc->ssl_before != NULL) {
        /* The system's sections did not load with ours (a command section
         * libcrypto rejects): the policy alone is better than nothing. */
        tpm_log(LOG_ERR, "sslconf",
                "could not merge ssl_conf section [%s] of openssl.cnf with the policy;"
                " its named sections are lost", sc->ssl_before);
        free(b.p);
        memset(&b, 0, sizeof(b));
        build_conf(&b, cnf, NULL, st);
        ok = load_conf_text(libctx, &b);
    }
    ERR_pop_to_mark();
    remember_installed(ok ? &b : &(tpm_buf){ 0 });
    free(b.p);
    if (!ok)
        tpm_log(LOG_ERR, "sslconf", "could not install the policy as ssl_conf system_default");
    return ok;
}

/* ---- the provider ------------------------------------------------------ */

/* libcrypto dlcloses the module's DSO in CONF_modules_unload, which
 * OPENSSL_cleanup runs before it tears down the library contexts (and with
 * them our built-in provider) and the ex_data callbacks. Keep the code
 * mapped until the process ends. */
static void pin_self(void)
{
    static int pinned;
    Dl_info info;
    void *h;

    if (__atomic_exchange_n(&pinned, 1, __ATOMIC_ACQ_REL))
        return;
    if (dladdr(&pinned, &info) == 0 || info.dli_fname == NULL)
        return;
    h = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    if (h != NULL)
        dlclose(h); /* RTLD_NODELETE sticks to the object */
}

static int activate_provider1(OSSL_LIB_CTX *libctx)
{
    OSSL_PROVIDER *prov;

    ERR_set_mark();
    /* A second init for the same library context (a program that loads the
     * configuration twice) adds a duplicate entry, which the context frees
     * with itself; the provider is found and activated once more. */
    if (!OSSL_PROVIDER_add_builtin(libctx, TPP_PROVIDER_NAME, OSSL_provider_init)) {
        ERR_pop_to_mark();
        return 0;
    }
    prov = OSSL_PROVIDER_load(libctx, TPP_PROVIDER_NAME);
    ERR_pop_to_mark();
    return prov != NULL;
}

/* Without our provider activated, the first fetch would load the default
 * provider and the floors would be gone: a failed allocation gets a second
 * try. */
static int activate_provider(OSSL_LIB_CTX *libctx)
{
    return activate_provider1(libctx) || activate_provider1(libctx);
}

/* Providers that openssl.cnf activates besides ours escape the floors. */
static void check_other_providers(const CONF *cnf, const cnf_init *ci)
{
    const char *name;
    int i, pos;

    for (i = 0; i < ci->nproviders; i++)
        for (pos = 0; (name = cnf_next_other_provider(cnf, ci->providers[i], &pos)) != NULL;)
            tpm_log(LOG_NOTICE, "provider",
                    "openssl.cnf also activates provider \"%s\": what it offers is outside the"
                    " policy's floors", name);
}

/* ---- entry points -------------------------------------------------------- */

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int init_count;         /* live CONF_IMODULEs of ours */
static char *first_policy_key; /* the `policy` key the process resolved with */
static int warned_later_ssl, warned_providers, warned_fips; /* once per process */

int tpm_conf_init(void *imodule, const void *conf)
{
    CONF_IMODULE *md = imodule;
    const CONF *cnf = conf;
    const char *sect = CONF_imodule_get_value(md);
    const char *policy = cnf_policy_key(cnf, sect);
    const tpm_state *st;
    cnf_init sc;
    int ssl_ok, prov_ok;

    pthread_mutex_lock(&init_lock);
    init_count++;
    pthread_mutex_unlock(&init_lock);
    pin_self();

    if (policy != NULL) {
        pthread_mutex_lock(&init_lock);
        if (!tpm_state_resolved() && first_policy_key == NULL)
            first_policy_key = strdup(policy);
        else if (first_policy_key == NULL || strcmp(first_policy_key, policy) != 0)
            tpm_log(LOG_NOTICE, "policykey",
                    "policy = %s in a later configuration is ignored: the policy of this"
                    " process was already resolved", policy);
        pthread_mutex_unlock(&init_lock);
        tpm_set_policy_path(policy); /* no effect once resolved */
    }
    if (tpm_state_init() != 0 || (st = tpm_state_get()) == NULL) {
        tpm_log(LOG_CRIT, "nostate", "out of memory: no TLS policy could be installed");
        return 0;
    }

    cnf_read_init(cnf, CONF_imodule_get_name(md), &sc);
    if (sc.ssl_after != NULL && !__atomic_exchange_n(&warned_later_ssl, 1, __ATOMIC_ACQ_REL))
        tpm_log(LOG_WARNING, "laterssl",
                "ssl_conf = %s comes after tlspolicy in [%s] of openssl.cnf and replaces the"
                " policy's system_default: list tlspolicy last", sc.ssl_after,
                sc.init_sect != NULL ? sc.init_sect : "?");
    if (sc.nproviders > 0 && !__atomic_exchange_n(&warned_providers, 1, __ATOMIC_ACQ_REL))
        check_other_providers(cnf, &sc);
    /* FIPS properties as the default (alg_section, or a distribution's
     * FIPS mode): fetches skip our provider, whose algorithms are the
     * default provider's, and go to the FIPS provider, which we do not
     * wrap. The floors are then not ours: never silently. */
    if ((__atomic_load_n(&st->fips, __ATOMIC_RELAXED) & TPM_FIPS_PROPS)
        && !__atomic_exchange_n(&warned_fips, 1, __ATOMIC_ACQ_REL))
        tpm_log(LOG_WARNING, "fips",
                "FIPS properties are the default (fips=yes): algorithms come from the FIPS"
                " provider, which tlspolicy does not wrap; the policy's key and hash floors do"
                " not hold in this process, only the FIPS provider's own checks and the"
                " ssl_conf defaults");

    prov_ok = activate_provider(NCONF_get0_libctx(cnf));
    if (!prov_ok)
        tpm_log(LOG_ERR, "provider", "could not activate the %s provider", TPP_PROVIDER_NAME);
    tpm_verify_register(st); /* first: decides whether system_default carries VerifyMode */
    tpm_secop_register(st);
    ssl_ok = install_ssl_conf(cnf, &sc, st);
    return ssl_ok || prov_ok;
}

void tpm_conf_finish(void *imodule)
{
    int last;

    (void)imodule;
    pthread_mutex_lock(&init_lock);
    last = init_count > 0 && --init_count == 0;
    pthread_mutex_unlock(&init_lock);
    if (!last)
        return;
    /* No CONF_modules_* here: on 3.0-3.2 finish runs under the module-list
     * write lock. */
    tpm_verify_unregister();
    tpm_secop_unregister();
    tpm_state_cleanup();
    tpm_log_close();
    remember_installed(&(tpm_buf){ 0 });
    pthread_mutex_lock(&init_lock);
    free(first_policy_key);
    first_policy_key = NULL;
    warned_later_ssl = warned_providers = warned_fips = 0;
    pthread_mutex_unlock(&init_lock);
}
