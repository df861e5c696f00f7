/*
 * module_libssl.c - one place that finds libssl's functions.
 *
 * From the libssl already in the process, which may be RTLD_LOCAL (Python's
 * _ssl): found by soname, nothing loaded.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "module_libssl.h"

void *tpm_libssl_sym(const char *name)
{
    void *ssl, *sym;

    if ((ssl = dlopen("libssl.so.3", RTLD_NOW | RTLD_NOLOAD)) == NULL)
        return NULL;
    sym = dlsym(ssl, name);
    dlclose(ssl); /* libssl stays: it was loaded before us */
    return sym;
}

/* libssl not loaded yet (a program whose libcrypto loaded the configuration
 * first, as Python does on `import hashlib`): the libssl that will come is
 * the libssl.so.3 beside our libcrypto, which the hooks will find then. */
int tpm_libssl_expected(void)
{
    unsigned long (*fn)(void) = OpenSSL_version_num;
    char path[4096];
    const char *slash;
    Dl_info info;
    void *addr;

    memcpy(&addr, &fn, sizeof(addr));
    if (dladdr(addr, &info) == 0 || info.dli_fname == NULL
        || (slash = strrchr(info.dli_fname, '/')) == NULL)
        return 0;
    snprintf(path, sizeof(path), "%.*s/libssl.so.3", (int)(slash - info.dli_fname),
             info.dli_fname);
    return access(path, F_OK) == 0;
}
