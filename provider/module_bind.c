/*
 * module_bind.c - which OpenSSL the module is bound to, and whether that is
 * the OpenSSL that called it.
 *
 * tlspolicy.so links libcrypto.so.3, but the dynamic linker binds its
 * libcrypto references to the first object in the global scope that
 * defines them. In a program that carries its own OpenSSL and exports its
 * symbols from the executable (NodeSource's node, OpenSSL linked
 * statically) that is the executable: the module, its provider and its
 * libssl hooks all act on the program's own copy, and the libcrypto.so.3
 * pulled in as our dependency is mapped but never called. A program whose
 * own copy is *not* exported (or is OpenSSL 1.1, whose symbols do not
 * satisfy our versioned references) would hand us its CONF structures while
 * our calls reach libcrypto.so.3: the state would be split between two
 * copies. That is refused here: one log line, nothing installed.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "module_bind.h"
#include "tp_module.h"

static pthread_once_t bind_once = PTHREAD_ONCE_INIT;
static Dl_info bind_info; /* the object our libcrypto references reach */
static int bind_found;
static int bind_own;      /* that object is not a libcrypto.so file */

static void bind_resolve(void)
{
    unsigned long (*fn)(void) = OpenSSL_version_num;
    const char *base;
    void *addr;

    memcpy(&addr, &fn, sizeof(addr));
    if (dladdr(addr, &bind_info) == 0 || bind_info.dli_fname == NULL)
        return;
    bind_found = 1;
    base = strrchr(bind_info.dli_fname, '/');
    base = base != NULL ? base + 1 : bind_info.dli_fname;
    bind_own = strncmp(base, "libcrypto.so", 12) != 0;
}

const char *tpm_bind_object(void)
{
    pthread_once(&bind_once, bind_resolve);
    if (!bind_found)
        return NULL;
    return *bind_info.dli_fname != '\0' ? bind_info.dli_fname : "the executable";
}

int tpm_bind_own(void)
{
    pthread_once(&bind_once, bind_resolve);
    return bind_found && bind_own;
}

const void *tpm_bind_base(void)
{
    pthread_once(&bind_once, bind_resolve);
    return bind_found ? bind_info.dli_fbase : NULL;
}

int tpm_bind_check(const void *caller, const char *what)
{
    static int warned_split, told_own; /* once per process */
    Dl_info ci;
    const char *bound = tpm_bind_object();

    if (bound == NULL || caller == NULL || dladdr(caller, &ci) == 0)
        return 1; /* nothing to compare with: behave as before */
    if (ci.dli_fbase != bind_info.dli_fbase) {
        if (!__atomic_exchange_n(&warned_split, 1, __ATOMIC_ACQ_REL))
            tpm_log(LOG_ERR, "split",
                    "%s was called by the OpenSSL inside %s, but the module's calls reach"
                    " %s: two copies of OpenSSL in one process; no TLS policy is installed"
                    " in this process (see tlspolicy(7), programs with their own OpenSSL)",
                    what, ci.dli_fname != NULL && *ci.dli_fname ? ci.dli_fname : "?", bound);
        return 0;
    }
    /* The major version is part of the soname for libcrypto.so.3; an own
     * copy that satisfied our versioned references is 3.x, say so anyway. */
    if (bind_own && (OpenSSL_version_num() >> 28) != OPENSSL_VERSION_MAJOR) {
        if (!__atomic_exchange_n(&warned_split, 1, __ATOMIC_ACQ_REL))
            tpm_log(LOG_ERR, "split", "the OpenSSL inside %s is %s, not %d.x: no TLS policy is"
                    " installed in this process", bound, OpenSSL_version(OPENSSL_VERSION),
                    OPENSSL_VERSION_MAJOR);
        return 0;
    }
    if (bind_own && !__atomic_exchange_n(&told_own, 1, __ATOMIC_ACQ_REL))
        tpm_log(LOG_INFO, "own",
                "%s is the program's own OpenSSL (%s): the config module, the provider and"
                " the libssl hooks are bound there", bound, OpenSSL_version(OPENSSL_VERSION));
    return 1;
}
