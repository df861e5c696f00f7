/*
 * state.c - the policy resolved for this process, once.
 *
 * Lookup order (docs/DESIGN.md, Contract; tp_policy_locate in
 * policy/locate.c, which the CLI uses too): the `policy` key of our
 * openssl.cnf section > TLSPOLICY_CONF (secure_getenv: ignored by
 * setuid/setgid programs) > /etc/tlspolicy/policy.conf > compiled-in DEFAULT. Files must
 * be owned by root and not writable by group or others (require_trusted),
 * as sudo and PAM insist. Whatever goes wrong, the process gets the
 * compiled-in DEFAULT and syslog gets one line saying why: the module runs
 * in every program and must never stop one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <syslog.h>

#include "module_conf.h"
#include "tp_config.h"
#include "tp_module.h"

/* The published state and what it owns besides. */
typedef struct tpm_state_priv {
    tpm_state pub;
    char *policy_file;
    int refs; /* under st_lock: the config module's, each provider's... */
} tpm_state_priv;

/*
 * Lifetime. The config module holds one reference between its init and
 * its last finish; each provider instance and the provider's shared
 * wrapper tables hold one each. CONF_modules_unload/CONF_modules_finish
 * run the module's finish while the provider stays active and keeps
 * reading the floors, so finish only drops the module's reference. The
 * state is freed by whoever drops the last one, and only then does st_cur
 * go back to NULL: while anything uses a state, every taker gets that same
 * state (one policy per process; a reload installs its defaults again).
 */
static pthread_mutex_t st_lock = PTHREAD_MUTEX_INITIALIZER;
static tpm_state_priv *st_cur; /* read with acquire, written under st_lock */
static tpm_state_priv *st_module; /* the config module's reference */
static char *st_policy_path;   /* from the `policy` key */

void tpm_set_policy_path(const char *path)
{
    char *copy = path != NULL ? strdup(path) : NULL;

    pthread_mutex_lock(&st_lock);
    if (__atomic_load_n(&st_cur, __ATOMIC_ACQUIRE) == NULL) {
        free(st_policy_path);
        st_policy_path = copy;
        copy = NULL;
    }
    pthread_mutex_unlock(&st_lock);
    free(copy);
}

int tpm_state_resolved(void)
{
    return __atomic_load_n(&st_cur, __ATOMIC_ACQUIRE) != NULL;
}

static void state_identify(tpm_state *st)
{
    extern char *program_invocation_short_name;
    const char *prog = program_invocation_short_name;
    ssize_t n;

    snprintf(st->prog, sizeof(st->prog), "%s", prog != NULL ? prog : "");
    n = readlink("/proc/self/exe", st->exe, sizeof(st->exe) - 1);
    st->exe[n > 0 ? n : 0] = '\0';
}

/* The first error of a policy that could not be used, as "file:line: msg". */
static void first_error(const tp_policy *p, tp_err err, char *buf, size_t len)
{
    size_t i, n = p != NULL ? tp_policy_ndiags(p) : 0;

    for (i = 0; i < n; i++) {
        const tp_diag *d = tp_policy_diag(p, i);
        if (d->severity != TP_SEV_ERROR)
            continue;
        if (d->file != NULL && d->line > 0)
            snprintf(buf, len, "%s:%d: %s", d->file, d->line, d->message);
        else if (d->file != NULL)
            snprintf(buf, len, "%s: %s", d->file, d->message);
        else
            snprintf(buf, len, "%s", d->message);
        return;
    }
    snprintf(buf, len, "%s", tp_strerror(err));
}

/* Resolve p for this program and render it into st. */
static tp_err state_render(tpm_state *st, const tp_policy *p)
{
    tp_resolved *r;
    tp_err err = TP_OK;

    /* A setuid/setgid program: the name it runs under is the caller's
     * choice (exec -a), so only its real executable picks a rule. */
    if (getauxval(AT_SECURE))
        r = tp_policy_resolve_secure(p, st->exe[0] ? st->exe : NULL, &err);
    else
        r = tp_policy_resolve(p, st->prog[0] ? st->prog : NULL, st->exe[0] ? st->exe : NULL,
                              &err);
    if (r == NULL)
        return err != TP_OK ? err : TP_ERR_NOMEM;
    tp_ossl_settings_clear(&st->ossl);
    memset(&st->ossl, 0, sizeof(st->ossl));
    memset(&st->floors, 0, sizeof(st->floors));
    err = tp_render_ossl(r, OpenSSL_version_num(), &st->ossl);
    if (err == TP_OK)
        err = tp_render_floors(r, &st->floors);
    if (err == TP_OK && tp_resolved_is_fallback(r))
        st->fallback = 1;
    tp_resolved_free(r);
    return err;
}

static void state_free(tpm_state_priv *sp)
{
    tp_ossl_settings_clear(&sp->pub.ossl);
    free(sp->policy_file);
    free(sp);
}

/* One resolution in progress: the state being built, the last error and,
 * when the state falls back, why. */
typedef struct tpm_resolving {
    tpm_state_priv *sp;
    tp_err err;
    char why[512];
} tpm_resolving;

/* Where the loader looks for profiles and modifiers. */
typedef struct tpm_dirs {
    char pdir[4096], mdir[4096];
    const char *pdirs[3], *mdirs[3];
} tpm_dirs;

/* The load options for file (NULL: the default), with d holding the
 * profile and modifier directories they point to. */
static void load_opts_init(tp_load_opts *opts, tpm_dirs *d, const char *file)
{
    const char *datadir;

    memset(opts, 0, sizeof(*opts));
    opts->policy_file = file; /* NULL: /etc/tlspolicy/policy.conf, may be absent */
    opts->require_trusted = 1;
    opts->openssl_version = OpenSSL_version_num();
    /* Profiles and modifiers: /etc first, then the data directory, which
     * TLSPOLICY_DATADIR replaces as it does for the CLI (running from a
     * build tree); secure_getenv keeps setuid programs on the default. */
    datadir = secure_getenv("TLSPOLICY_DATADIR");
    if (datadir != NULL && *datadir != '\0') {
        snprintf(d->pdir, sizeof(d->pdir), "%s/profiles", datadir);
        snprintf(d->mdir, sizeof(d->mdir), "%s/modifiers", datadir);
        d->pdirs[0] = TP_ETCDIR "/profiles";
        d->pdirs[1] = d->pdir;
        d->pdirs[2] = NULL;
        d->mdirs[0] = TP_ETCDIR "/modifiers";
        d->mdirs[1] = d->mdir;
        d->mdirs[2] = NULL;
        opts->profile_dirs = d->pdirs;
        opts->modifier_dirs = d->mdirs;
    }
}

/* Load the policy file; a relative path gets the built-in policy and a
 * reason instead. NULL only when out of memory. */
static tp_policy *policy_open(tpm_resolving *rs, const char *file, const tp_load_opts *opts)
{
    tpm_state_priv *sp = rs->sp;
    tp_policy *p;

    if (file != NULL && file[0] != '/') {
        /* relative to each program's working directory: never what an
         * administrator meant */
        snprintf(rs->why, sizeof(rs->why), "%s: not an absolute path", file);
        sp->pub.fallback = 1;
        p = tp_policy_builtin();
    } else {
        p = tp_policy_load(opts, &rs->err);
    }
    if (p != NULL && !sp->pub.fallback && (rs->err != TP_OK || tp_policy_is_fallback(p))) {
        first_error(p, rs->err, rs->why, sizeof(rs->why));
        sp->pub.fallback = 1;
    }
    if (p != NULL && tp_policy_file(p) != NULL && !sp->pub.fallback) {
        sp->policy_file = strdup(tp_policy_file(p));
        sp->pub.policy_file = sp->policy_file;
    }
    return p;
}

/* Render p (loaded from path) into the state; when there is no p or it
 * cannot be rendered, the state falls back, and rs->why says why. */
static void policy_render(tpm_resolving *rs, const tp_policy *p, const char *path)
{
    tpm_state_priv *sp = rs->sp;

    if (p != NULL) {
        rs->err = state_render(&sp->pub, p);
        if (rs->err != TP_OK && !sp->pub.fallback) {
            snprintf(rs->why, sizeof(rs->why), "%s: cannot render the policy for this program: %s",
                     tp_policy_file(p) != NULL ? tp_policy_file(p) : "(built-in)",
                     tp_strerror(rs->err));
            sp->pub.fallback = 1;
        }
    } else {
        snprintf(rs->why, sizeof(rs->why), "%s: %s", path, tp_strerror(rs->err));
        sp->pub.fallback = 1;
        rs->err = TP_ERR_NOMEM;
    }
}

/* Put the compiled-in DEFAULT in force, logging why once. Returns 0, or -1
 * when even that cannot be rendered. */
static int fall_back(tpm_resolving *rs)
{
    tpm_state_priv *sp = rs->sp;
    tp_policy *p;

    /* One line per process (rate-limit key "fallback"): program and
     * pid come from tpm_log's prefix. */
    tpm_log(LOG_WARNING, "fallback", "policy not used, compiled-in DEFAULT in force: %s", rs->why);
    free(sp->policy_file);
    sp->policy_file = NULL;
    sp->pub.policy_file = NULL;
    if (rs->err == TP_OK && sp->pub.ossl.ncmds)
        return 0;
    p = tp_policy_builtin();
    rs->err = p != NULL ? state_render(&sp->pub, p) : TP_ERR_NOMEM;
    tp_policy_free(p);
    sp->pub.fallback = 1;
    return rs->err == TP_OK ? 0 : -1;
}

/* FIPS mode of the kernel (RHEL); the config module adds the library's
 * default properties, which it can query safely. */
static void kernel_fips(tpm_state *st)
{
    FILE *f = fopen("/proc/sys/crypto/fips_enabled", "re");

    if (f != NULL) {
        st->fips = fgetc(f) == '1' ? TPM_FIPS_KERNEL : 0;
        fclose(f);
    }
}

/* The state for this process: the policy file's, or the compiled-in
 * DEFAULT with one log line saying why. NULL only when out of memory. */
static tpm_state_priv *state_resolve(void)
{
    const tp_policy_rules rules = {.key = st_policy_path, .use_env = 1};
    tpm_resolving rs = {.err = TP_OK};
    tp_policy_where where;
    tp_load_opts opts;
    tpm_dirs dirs;
    tp_policy *p;
    const char *file;

    if ((rs.sp = calloc(1, sizeof(*rs.sp))) == NULL)
        return NULL;
    state_identify(&rs.sp->pub);
    if (tp_policy_locate(&rules, &where) != 0)
        goto err;
    /* NULL: the default, whose absence is not an error */
    file = where.from == TP_FROM_DEFAULT ? NULL : where.path;
    load_opts_init(&opts, &dirs, file);
    p = policy_open(&rs, file, &opts);
    policy_render(&rs, p, where.path);
    tp_policy_free(p);
    tp_policy_where_free(&where); /* file is gone with it */
    if (rs.sp->pub.fallback && fall_back(&rs) < 0)
        goto err;
    kernel_fips(&rs.sp->pub);
    return rs.sp;
err:
    state_free(rs.sp);
    return NULL;
}

const tpm_state *tpm_state_get(void)
{
    tpm_state_priv *sp = __atomic_load_n(&st_cur, __ATOMIC_ACQUIRE);

    return sp != NULL ? &sp->pub : NULL;
}

/* Under st_lock: the current state, resolved if there is none. */
static tpm_state_priv *state_current(void)
{
    tpm_state_priv *sp = st_cur;

    if (sp == NULL) {
        sp = state_resolve();
        /* NULL only when an allocation failed: a passing shortage must not
         * leave the process without any policy (the fault-injection test
         * fails each allocation in turn). */
        if (sp == NULL)
            sp = state_resolve();
        __atomic_store_n(&st_cur, sp, __ATOMIC_RELEASE);
    }
    return sp;
}

const tpm_state *tpm_state_get1(void)
{
    tpm_state_priv *sp;

    pthread_mutex_lock(&st_lock);
    sp = state_current();
    if (sp != NULL)
        sp->refs++;
    pthread_mutex_unlock(&st_lock);
    return sp != NULL ? &sp->pub : NULL;
}

void tpm_state_free(const tpm_state *st)
{
    tpm_state_priv *sp = (tpm_state_priv *)st; /* pub is the first member */
    int last;

    if (sp == NULL)
        return;
    pthread_mutex_lock(&st_lock);
    last = --sp->refs == 0;
    if (last && st_cur == sp)
        __atomic_store_n(&st_cur, NULL, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&st_lock);
    if (last)
        state_free(sp);
}

int tpm_state_init(void)
{
    tpm_state_priv *sp;

    pthread_mutex_lock(&st_lock);
    sp = state_current();
    if (sp != NULL && st_module == NULL) {
        sp->refs++;
        st_module = sp;
    }
    pthread_mutex_unlock(&st_lock);
    if (sp == NULL)
        return -1;
    /* Called from the config module, outside any provider callback: safe
     * to ask libcrypto whether FIPS properties are the default. */
    if (EVP_default_properties_is_fips_enabled(NULL))
        __atomic_or_fetch(&sp->pub.fips, TPM_FIPS_PROPS, __ATOMIC_RELAXED);
    return 0;
}

void tpm_state_cleanup(void)
{
    tpm_state_priv *sp;

    pthread_mutex_lock(&st_lock);
    sp = st_module;
    st_module = NULL;
    free(st_policy_path);
    st_policy_path = NULL;
    pthread_mutex_unlock(&st_lock);
    tpm_state_free(sp != NULL ? &sp->pub : NULL);
}
