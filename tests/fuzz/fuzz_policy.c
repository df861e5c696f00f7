/*
 * fuzz_policy.c - libFuzzer target: parse, merge and resolve a policy text
 * for the system and for a program, format every key and walk every
 * origin, as `tlspolicy show` and `explain` do.
 */
#include "fuzz_common.h"

static void walk(const tp_policy *p, const tp_resolved *r)
{
    char buf[8192];
    fz_check_fallback(p, r);
    for (int k = 0; k < TP_K__COUNT; k++) {
        FZ_CHECK(tp_key_name((tp_key)k) != NULL);
        /* -1 only when the value does not fit */
        (void)tp_resolved_format(r, (tp_key)k, buf, sizeof(buf));
        char small[8];
        (void)tp_resolved_format(r, (tp_key)k, small, sizeof(small));
        FZ_CHECK(memchr(small, '\0', sizeof(small)) != NULL);
        size_t n = tp_resolved_list_len(r, (tp_key)k);
        for (size_t i = 0; i < n; i++)
            FZ_CHECK(tp_resolved_list_item(r, (tp_key)k, i) != NULL);
        FZ_CHECK(tp_resolved_list_item(r, (tp_key)k, n) == NULL);
        size_t no = tp_resolved_norigins(r, (tp_key)k);
        FZ_CHECK(no >= 1); /* at least the built-in value */
        for (size_t i = 0; i < no; i++) {
            const tp_origin *o = tp_resolved_origin(r, (tp_key)k, i);
            FZ_CHECK(o != NULL);
            FZ_CHECK(o->kind >= TP_O_BUILTIN && o->kind <= TP_O_APP);
            FZ_CHECK(o->kind == TP_O_BUILTIN || o->file != NULL);
            FZ_CHECK(o->line >= 0);
            if (o->text)
                (void)strlen(o->text);
            if (o->name)
                (void)strlen(o->name);
        }
    }
    for (size_t i = 0; i < tp_resolved_napps(r); i++)
        FZ_CHECK(tp_resolved_app(r, i) < tp_policy_napps(p));
    if (tp_resolved_get_str(r, TP_K_MODE) != NULL) {
        const char *m = tp_resolved_get_str(r, TP_K_MODE);
        FZ_CHECK(strcmp(m, "enforce") == 0 || strcmp(m, "permissive") == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input in;
    if (fz_split(data, size, &in) < 0)
        return 0;
    tp_err err;
    tp_policy *p = fz_load(&in, 0, &err);
    tp_resolved *r = tp_policy_resolve(p, NULL, NULL, &err);
    FZ_CHECK(r != NULL);
    walk(p, r);
    tp_resolved_free(r);
    if (in.name[0]) {
        r = tp_policy_resolve(p, in.name, in.exe, &err);
        FZ_CHECK(r != NULL);
        walk(p, r);
        tp_resolved_free(r);
        /* as a path only */
        r = tp_policy_resolve(p, NULL, in.exe, &err);
        FZ_CHECK(r != NULL);
        walk(p, r);
        tp_resolved_free(r);
    }
    tp_policy_free(p);
    fz_free(&in);
    return 0;
}
