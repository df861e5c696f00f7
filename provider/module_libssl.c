/*
 * module_libssl.c - one place that finds libssl's functions.
 *
 * From the libssl already in the process, which may be RTLD_LOCAL (Python's
 * _ssl): found by soname, nothing loaded. In a program that carries its own
 * OpenSSL (module_bind.c), libssl is wherever that copy's libcrypto is: the
 * same object (NodeSource's node exports both from the executable); a
 * libssl.so.3 that happens to be loaded too belongs to another copy.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "module_bind.h"
#include "module_libssl.h"

/* `name` from the object that holds our libcrypto, or NULL. */
static void *own_sym(const char *name)
{
    const char *obj = tpm_bind_object();
    void *h, *sym = NULL;
    Dl_info info;

    h = obj != NULL ? dlopen(obj, RTLD_NOW | RTLD_NOLOAD) : NULL;
    if (h == NULL)
        h = dlopen(NULL, RTLD_NOW); /* the executable: the global scope */
    if (h == NULL)
        return NULL;
    sym = dlsym(h, name);
    dlclose(h);
    if (sym != NULL && (dladdr(sym, &info) == 0 || info.dli_fbase != tpm_bind_base()))
        sym = NULL; /* found, but in another object: not this copy's */
    return sym;
}

void *tpm_libssl_sym(const char *name)
{
    void *ssl, *sym;

    if (tpm_bind_own())
        return own_sym(name);
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

    if (tpm_bind_own()) /* libssl is in the same object, or nowhere */
        return own_sym("SSL_CTX_new") != NULL;
    memcpy(&addr, &fn, sizeof(addr));
    if (dladdr(addr, &info) == 0 || info.dli_fname == NULL
        || (slash = strrchr(info.dli_fname, '/')) == NULL)
        return 0;
    snprintf(path, sizeof(path), "%.*s/libssl.so.3", (int)(slash - info.dli_fname),
             info.dli_fname);
    return access(path, F_OK) == 0;
}
