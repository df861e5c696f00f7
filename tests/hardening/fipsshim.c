/*
 * fipsshim - LD_PRELOAD: /proc/sys/crypto/fips_enabled reads as the file
 * named by $TP_FIPS_FILE (a "1" simulates the kernel's FIPS mode, issue
 * 12). Every way the module, the CLI or libcrypto might open it: fopen,
 * open, openat (and their 64 variants). Any other path is untouched.
 */
#undef _FILE_OFFSET_BITS /* define fopen and fopen64 both, not one as the other */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define FIPS_PATH "/proc/sys/crypto/fips_enabled"
#define EXPORT __attribute__((visibility("default")))

typedef FILE *fopen_fn(const char *, const char *);
typedef int open_fn(const char *, int, ...);
typedef int openat_fn(int, const char *, int, ...);

static const char *redirect(const char *path)
{
    const char *to = getenv("TP_FIPS_FILE");

    return path != NULL && to != NULL && strcmp(path, FIPS_PATH) == 0 ? to : path;
}

/* dlsym gives an object pointer; POSIX lets it hold a function's. */
#define REAL(type, name) \
    __extension__({ type *f_; void *p_ = dlsym(RTLD_NEXT, name); memcpy(&f_, &p_, sizeof(p_)); f_; })

/* The mode argument, present when a file may be created. */
#define MODE_ARG(flags, m)                  \
    do {                                    \
        if ((flags) & (O_CREAT | O_TMPFILE)) { \
            va_list ap;                     \
            va_start(ap, flags);            \
            m = va_arg(ap, mode_t);         \
            va_end(ap);                     \
        }                                   \
    } while (0)

EXPORT FILE *fopen(const char *path, const char *mode)
{
    return REAL(fopen_fn, "fopen")(redirect(path), mode);
}

EXPORT FILE *fopen64(const char *path, const char *mode)
{
    return REAL(fopen_fn, "fopen64")(redirect(path), mode);
}

EXPORT int open(const char *path, int flags, ...)
{
    mode_t m = 0;
    MODE_ARG(flags, m);
    return REAL(open_fn, "open")(redirect(path), flags, m);
}

EXPORT int open64(const char *path, int flags, ...)
{
    mode_t m = 0;
    MODE_ARG(flags, m);
    return REAL(open_fn, "open64")(redirect(path), flags, m);
}

EXPORT int openat(int dir, const char *path, int flags, ...)
{
    mode_t m = 0;
    MODE_ARG(flags, m);
    return REAL(openat_fn, "openat")(dir, redirect(path), flags, m);
}

EXPORT int openat64(int dir, const char *path, int flags, ...)
{
    mode_t m = 0;
    MODE_ARG(flags, m);
    return REAL(openat_fn, "openat64")(dir, redirect(path), flags, m);
}
