/*
 * fuzz_common.h - what both libFuzzer targets share: split the input into a
 * program name and a policy text, load it as the module would (profiles and
 * modifiers from the source tree, never the host's /etc) and resolve it for
 * the system and for that program.
 *
 * Input: first line = program name (may be empty: system only), the rest =
 * the policy file's text.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlspolicy.h"
#include "tp_config.h"

#define FZ_CHECK(cond)                                                                  \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "invariant violated: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            abort();                                                                    \
        }                                                                               \
    } while (0)

static const char *const fz_pdirs[] = {TP_SOURCE_DIR "/packaging/profiles", NULL};
static const char *const fz_mdirs[] = {TP_SOURCE_DIR "/packaging/modifiers", NULL};

typedef struct fz_input {
    char *name;       /* program name, NUL-terminated ("" = none) */
    char *exe;        /* "/usr/bin/" + name */
    const char *text; /* policy text (not NUL-terminated) */
    size_t len;
} fz_input;

static inline int fz_split(const uint8_t *data, size_t size, fz_input *in)
{
    const uint8_t *nl = memchr(data, '\n', size < 256 ? size : 256);
    size_t nlen = nl ? (size_t)(nl - data) : 0;
    in->name = strndup((const char *)data, nlen);
    in->text = (const char *)data + (nl ? nlen + 1 : 0);
    in->len = size - (size_t)(in->text - (const char *)data);
    in->exe = malloc(nlen + sizeof("/usr/bin/"));
    if (in->name == NULL || in->exe == NULL) {
        free(in->name);
        free(in->exe);
        return -1;
    }
    sprintf(in->exe, "/usr/bin/%s", in->name);
    return 0;
}

static inline void fz_free(fz_input *in)
{
    free(in->name);
    free(in->exe);
}

static inline tp_policy *fz_load(const fz_input *in, unsigned long ossl, tp_err *err)
{
    tp_load_opts o;
    memset(&o, 0, sizeof(o));
    o.profile_dirs = fz_pdirs;
    o.modifier_dirs = fz_mdirs;
    o.openssl_version = ossl;
    o.no_dropins = 1;
    tp_policy *p = tp_policy_load_buffer(&o, "fuzz.conf", in->text, in->len, err);
    FZ_CHECK(p != NULL); /* only NULL when out of memory */
    /* Every diagnostic is complete and printable. */
    size_t nerr = 0;
    for (size_t i = 0; i < tp_policy_ndiags(p); i++) {
        const tp_diag *d = tp_policy_diag(p, i);
        FZ_CHECK(d != NULL && d->message != NULL);
        FZ_CHECK(strlen(d->message) > 0 && strchr(d->message, '\n') == NULL);
        FZ_CHECK(d->line >= 0);
        FZ_CHECK(tp_severity_name(d->severity) != NULL);
        FZ_CHECK(tp_strerror(d->code) != NULL);
        nerr += d->severity == TP_SEV_ERROR;
    }
    FZ_CHECK((*err == TP_OK) == (tp_policy_nerrors(p) == 0));
    FZ_CHECK(nerr <= tp_policy_nerrors(p));
    FZ_CHECK(tp_policy_is_fallback(p) == (*err != TP_OK));
    for (size_t i = 0; i < tp_policy_napps(p); i++) {
        const char *file = NULL;
        int line = -1;
        FZ_CHECK(tp_policy_app_match(p, i, &file, &line) != NULL);
        FZ_CHECK(line >= 0);
    }
    return p;
}

/* A fallback policy resolves to the compiled-in DEFAULT. */
static inline void fz_check_fallback(const tp_policy *p, const tp_resolved *r)
{
    if (!tp_policy_is_fallback(p))
        return;
    FZ_CHECK(tp_resolved_is_fallback(r));
    FZ_CHECK(tp_resolved_get_int(r, TP_K_TLS_MIN) == TP_V_TLS1_2);
    FZ_CHECK(tp_resolved_get_int(r, TP_K_KEYS_RSA) == 2048);
    FZ_CHECK(tp_resolved_napps(r) == 0);
}

#endif
