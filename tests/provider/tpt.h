/*
 * tpt.h - helpers shared by the provider tests and the benchmark.
 *
 * tpt_setup() writes a private directory with a policy file and an
 * openssl.cnf wired as docs/DESIGN.md's Contract says (our section last), and
 * points OPENSSL_CONF at it before OpenSSL reads any configuration. The
 * host's openssl.cnf is never read or touched.
 *
 * Wiring (env TPT_WIRING): "contract" (default) = only the Contract
 * section, the module activates the provider; "provider" = only a
 * [provider_sect] activating the .so (for a DSO without the module half);
 * "both".
 */
#ifndef TPT_H
#define TPT_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tpt_dir[256];

static int tpt_rm_cb(const char *path, const struct stat *sb, int flag,
                     struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static void tpt_cleanup(void)
{
    if (tpt_dir[0] != '\0' && getenv("TPT_KEEP") == NULL)
        nftw(tpt_dir, tpt_rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

static int tpt_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* Writes DIR/policy.conf (policy_text) and DIR/openssl.cnf; sets
 * OPENSSL_CONF. module: path of tlspolicy.so. Returns the directory. */
static const char *tpt_setup(const char *module, const char *policy_text)
{
    char path[512], cnf[4096];
    const char *wiring = getenv("TPT_WIRING");
    int contract, provider;

    if (wiring == NULL)
        wiring = "contract";
    contract = strcmp(wiring, "provider") != 0;
    provider = strcmp(wiring, "contract") != 0;
    snprintf(tpt_dir, sizeof(tpt_dir), "%s/tpt.XXXXXX",
             getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(tpt_dir) == NULL) {
        perror("mkdtemp");
        exit(99);
    }
    atexit(tpt_cleanup);
    snprintf(path, sizeof(path), "%s/policy.conf", tpt_dir);
    if (tpt_write(path, policy_text) != 0) {
        perror(path);
        exit(99);
    }
    snprintf(cnf, sizeof(cnf),
             "openssl_conf = openssl_init\n"
             "[openssl_init]\n"
             "%s"
             "%s"
             "[provider_sect]\n"
             "tlspolicy = tp_prov_sect\n"
             "[tp_prov_sect]\n"
             "module = %s\n"
             "activate = 1\n"
             "[tlspolicy_sect]\n"
             "path = %s\n"
             "policy = %s\n",
             provider ? "providers = provider_sect\n" : "",
             contract ? "tlspolicy = tlspolicy_sect\n" : "",
             module, module, path);
    snprintf(path, sizeof(path), "%s/openssl.cnf", tpt_dir);
    if (tpt_write(path, cnf) != 0) {
        perror(path);
        exit(99);
    }
    setenv("OPENSSL_CONF", path, 1);
    /* The policy library may also look here (the module's `policy` key
     * wins); keep the test independent of /etc. */
    snprintf(path, sizeof(path), "%s/policy.conf", tpt_dir);
    setenv("TLSPOLICY_CONF", path, 1);
    return tpt_dir;
}

#endif
