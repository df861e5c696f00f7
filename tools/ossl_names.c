/*
 * ossl_names.c - are the names the policy renders known to the OpenSSL that
 * is installed? Each is tried on a real SSL_CTX, one at a time, so a
 * problem names the culprit instead of failing a whole list.
 *
 * The SSL_CTX lives in a private library context with only the default
 * provider: the answer is about the library, not about whatever providers
 * or ssl_conf the machine's openssl.cnf (maybe our own module) adds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>

#include "cli.h"
#include "ossl_names.h"

typedef struct checker {
    OSSL_LIB_CTX *lib;
    SSL_CTX *ctx;
    ossl_report_fn report;
    void *arg;
    int errors;
    char running[32];
} checker;

static void say(checker *ck, tp_severity sev, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void say(checker *ck, tp_severity sev, const char *subject, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (sev == TP_SEV_ERROR)
        ck->errors++;
    ck->report(ck->arg, sev, subject, msg);
}

/* A fresh SSL_CTX per probe, so one refused name cannot leave state behind. */
static SSL_CTX *fresh_ctx(checker *ck)
{
    SSL_CTX_free(ck->ctx);
    ck->ctx = SSL_CTX_new_ex(ck->lib, NULL, TLS_method());
    return ck->ctx;
}

typedef int (*try_fn)(SSL_CTX *ctx, const char *name);

static int try_cipher12(SSL_CTX *ctx, const char *name)
{
    return SSL_CTX_set_cipher_list(ctx, name) == 1;
}

static int try_suite13(SSL_CTX *ctx, const char *name)
{
    /* An unknown TLS 1.3 suite alone leaves the list empty: refused. */
    return SSL_CTX_set_ciphersuites(ctx, name) == 1;
}

static int try_group(SSL_CTX *ctx, const char *name)
{
    return SSL_CTX_set1_groups_list(ctx, name) == 1;
}

static int try_sigalg(SSL_CTX *ctx, const char *name)
{
    return SSL_CTX_set1_sigalgs_list(ctx, name) == 1;
}

static int try_name(checker *ck, try_fn fn, const char *name)
{
    SSL_CTX *ctx = fresh_ctx(ck);
    int ok;
    if (ctx == NULL)
        return -1;
    ERR_set_mark();
    ok = fn(ctx, name);
    ERR_pop_to_mark();
    return ok;
}

/* Names of one policy list: newer than the running OpenSSL = note; else
 * its OpenSSL spelling must be accepted. */
static void check_list(checker *ck, const tp_resolved *r, tp_key key,
                       tp_name_kind kind, const char *what, try_fn fn)
{
    unsigned long running = OpenSSL_version_num();

    for (size_t i = 0; i < tp_resolved_list_len(r, key); i++) {
        const char *name = tp_resolved_list_item(r, key, i);
        const char *ossl = tp_name_openssl(kind, name);
        unsigned long need = tp_name_min_openssl(kind, name);

        if (need > running) {
            char v[32];
            cli_ossl_version_str(need, v, sizeof(v));
            say(ck, TP_SEV_NOTE, name, "%s %s needs OpenSSL %s; skipped on %s", what, name, v,
                ck->running);
            continue;
        }
        if (ossl == NULL)
            ossl = name;
        int ok = try_name(ck, fn, ossl);
        if (ok < 0) {
            say(ck, TP_SEV_ERROR, name, "cannot create an SSL_CTX to check %s %s", what, name);
        } else if (!ok) {
            if (strcmp(ossl, name) != 0)
                say(ck, TP_SEV_ERROR, name, "%s %s (OpenSSL name '%s') is not known to OpenSSL %s",
                    what, name, ossl, ck->running);
            else
                say(ck, TP_SEV_ERROR, name, "%s %s is not known to OpenSSL %s", what, name,
                    ck->running);
        }
    }
}

/* Each element of a rendered colon-separated list, operators left alone. */
static void check_rendered(checker *ck, const char *value, const char *what, try_fn fn)
{
    char *copy, *save = NULL;

    if (value == NULL)
        return;
    copy = cli_join(value, "");
    for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
        if (strchr("@!-+", t[0]) != NULL || t[0] == '\0')
            continue;
        int ok = try_name(ck, fn, t);
        if (ok == 0)
            say(ck, TP_SEV_ERROR, t, "%s %s is not known to OpenSSL %s", what, t, ck->running);
    }
    free(copy);
}

/* The rendered settings must be accepted as the config module applies
 * them: as a file section, one command at a time. */
static void check_commands(checker *ck, const tp_ossl_settings *s)
{
    for (size_t i = 0; i < s->ncmds; i++) {
        SSL_CTX *ctx = fresh_ctx(ck);
        SSL_CONF_CTX *cctx = SSL_CONF_CTX_new();
        if (ctx == NULL || cctx == NULL) {
            SSL_CONF_CTX_free(cctx);
            say(ck, TP_SEV_ERROR, NULL, "cannot create an SSL_CTX to check the settings");
            return;
        }
        SSL_CONF_CTX_set_flags(cctx, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT |
                                         SSL_CONF_FLAG_SERVER);
        SSL_CONF_CTX_set_ssl_ctx(cctx, ctx);
        /* As the ssl_conf module does (conf_ssl.c): "TLS.MinProtocol" is
         * applied as "MinProtocol"; a DTLS version on a TLS context is
         * ignored, not refused. */
        const char *cmd = strchr(s->cmds[i].cmd, '.');
        cmd = cmd ? cmd + 1 : s->cmds[i].cmd;
        ERR_set_mark();
        int rc = SSL_CONF_cmd(cctx, cmd, s->cmds[i].value ? s->cmds[i].value : "");
        if (rc > 0 && !SSL_CONF_CTX_finish(cctx))
            rc = 0;
        ERR_pop_to_mark();
        SSL_CONF_CTX_free(cctx);
        if (rc == -2)
            say(ck, TP_SEV_ERROR, s->cmds[i].cmd, "OpenSSL %s does not know the setting %s", ck->running,
                s->cmds[i].cmd);
        else if (rc <= 0)
            say(ck, TP_SEV_ERROR, s->cmds[i].cmd, "OpenSSL %s refuses %s = %s", ck->running,
                s->cmds[i].cmd, s->cmds[i].value ? s->cmds[i].value : "");
    }
}

int ossl_check_resolved(const tp_resolved *r, ossl_report_fn report, void *arg)
{
    checker ck;
    tp_ossl_settings s;
    tp_err err;

    memset(&ck, 0, sizeof(ck));
    ck.report = report;
    ck.arg = arg;
    snprintf(ck.running, sizeof(ck.running), "%s", OpenSSL_version(OPENSSL_VERSION_STRING));

    ck.lib = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *prov = ck.lib ? OSSL_PROVIDER_load(ck.lib, "default") : NULL;
    if (prov == NULL || fresh_ctx(&ck) == NULL) {
        say(&ck, TP_SEV_ERROR, NULL, "cannot set up OpenSSL %s to check names", ck.running);
        OSSL_PROVIDER_unload(prov);
        OSSL_LIB_CTX_free(ck.lib);
        ERR_clear_error();
        return -1;
    }

    check_list(&ck, r, TP_K_TLS_CIPHERSUITES, TP_N_CIPHERSUITE, "TLS 1.3 suite", try_suite13);
    check_list(&ck, r, TP_K_TLS_GROUPS, TP_N_GROUP, "group", try_group);
    check_list(&ck, r, TP_K_TLS_SIGALGS, TP_N_SIGALG, "signature algorithm", try_sigalg);

    memset(&s, 0, sizeof(s));
    err = tp_render_ossl(r, OpenSSL_version_num(), &s);
    if (err != TP_OK) {
        say(&ck, TP_SEV_ERROR, NULL, "cannot render the policy: %s", tp_strerror(err));
    } else {
        /* TLS 1.2 ciphers exist only in rendered form: families expand to
         * suites there. */
        check_rendered(&ck, tp_ossl_get(&s, "CipherString"), "TLS 1.2 cipher", try_cipher12);
        check_commands(&ck, &s);
    }
    tp_ossl_settings_clear(&s);

    SSL_CTX_free(ck.ctx);
    OSSL_PROVIDER_unload(prov);
    OSSL_LIB_CTX_free(ck.lib);
    ERR_clear_error();
    return ck.errors;
}
