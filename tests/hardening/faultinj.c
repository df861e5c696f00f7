/*
 * faultinj.c - an LD_PRELOAD shim for fault injection, built by the tests.
 *
 * Allocation failure: after tpf_arm(n, only), the n-th call (1-based) of
 * malloc, calloc, realloc, strdup or strndup fails with ENOMEM; with `only`
 * (comma-separated substrings of object file names, e.g.
 * "tlspolicy.so" or "@main" for the program itself), only calls made
 * from those objects count.
 * tpf_disarm() stops and returns how many calls were counted, so a driver
 * knows when n has gone past the last allocation site. Programs find these
 * with dlsym(RTLD_DEFAULT, ...), so they run (unfaulted) without the shim.
 *
 * I/O failure, from the environment (for the CLI): TPF_WRITE_ERRNO=ENOSPC or
 * EIO makes write(2) to regular files fail, TPF_FSYNC_ERRNO=EIO fsync(2).
 *
 * The real allocator is glibc's __libc_* (no dlsym bootstrap problem). Not
 * for ASan or valgrind runs, which replace the allocator themselves.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

#define EXPORT __attribute__((visibility("default")))

static long fail_at;        /* 0: not armed */
static long counted;
static int fired;
static struct { uintptr_t lo, hi; } ranges[32];
static int nranges;          /* 0 with `only` unset: count every call */
static int filtered;
/* Stack mode ("stack:tlspolicy.so!libconfig"): a call counts when any frame
 * of its stack is in the first object (so OpenSSL's allocations made on the
 * module's behalf count too) and none is in the second. */
static int stack_mode;
static struct { uintptr_t lo, hi; } xranges[8];
static int nxranges;
static __thread int in_hook;

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    const char *only = arg;
    (void)size;
    /* the main program has an empty name: "@main" */
    const char *name = info->dlpi_name == NULL || info->dlpi_name[0] == '\0' ? "@main" : info->dlpi_name;
    char buf[256];
    const char *s = only;
    while (*s) {
        const char *e = strchr(s, ',');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        if (l > 0 && l < sizeof(buf)) {
            memcpy(buf, s, l);
            buf[l] = '\0';
            if (strstr(name, buf) != NULL) {
                for (int i = 0; i < info->dlpi_phnum && nranges < 32; i++) {
                    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                    if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
                        ranges[nranges].lo = info->dlpi_addr + ph->p_vaddr;
                        ranges[nranges].hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
                        nranges++;
                    }
                }
                break;
            }
        }
        s += l;
        if (*s == ',')
            s++;
    }
    return 0;
}

static const char *only_spec;
static char inc_spec[128], exc_spec[128];

static int phdr_exc_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    (void)arg;
    if (exc_spec[0] == '\0' || info->dlpi_name == NULL || strstr(info->dlpi_name, exc_spec) == NULL)
        return 0;
    for (int i = 0; i < info->dlpi_phnum && nxranges < 8; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            xranges[nxranges].lo = info->dlpi_addr + ph->p_vaddr;
            xranges[nxranges].hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
            nxranges++;
        }
    }
    return 0;
}

EXPORT void tpf_rescan(void)
{
    nranges = 0;
    nxranges = 0;
    if (only_spec) {
        dl_iterate_phdr(phdr_cb, (void *)(stack_mode ? inc_spec : only_spec));
        if (stack_mode)
            dl_iterate_phdr(phdr_exc_cb, NULL);
    }
}

EXPORT void tpf_arm(long n, const char *only)
{
    __atomic_store_n(&fail_at, 0, __ATOMIC_SEQ_CST);
    counted = 0;
    fired = 0;
    only_spec = only;
    filtered = only != NULL && only[0] != '\0';
    stack_mode = filtered && strncmp(only, "stack:", 6) == 0;
    if (stack_mode) {
        const char *bang = strchr(only + 6, '!');
        size_t il = bang ? (size_t)(bang - only - 6) : strlen(only + 6);
        snprintf(inc_spec, sizeof(inc_spec), "%.*s", (int)il, only + 6);
        snprintf(exc_spec, sizeof(exc_spec), "%s", bang ? bang + 1 : "");
        void *warm[4];
        in_hook = 1;
        backtrace(warm, 4); /* loads the unwinder now, not inside malloc */
        in_hook = 0;
    }
    tpf_rescan();
    __atomic_store_n(&fail_at, n, __ATOMIC_SEQ_CST);
}

EXPORT long tpf_disarm(int *did_fire)
{
    __atomic_store_n(&fail_at, 0, __ATOMIC_SEQ_CST);
    if (did_fire)
        *did_fire = fired;
    return counted;
}


/* The module is dlopened after tpf_arm: when it has no range yet, look
 * again (dl_iterate_phdr allocates nothing). */
static int in_ranges(uintptr_t a)
{
    for (int i = 0; i < nranges; i++)
        if (a >= ranges[i].lo && a < ranges[i].hi)
            return 1;
    return 0;
}

static int in_x(uintptr_t a)
{
    for (int i = 0; i < nxranges; i++)
        if (a >= xranges[i].lo && a < xranges[i].hi)
            return 1;
    return 0;
}

static int stack_counts(void)
{
    void *frames[96];
    if (in_hook)
        return 0;
    in_hook = 1;
    int n = backtrace(frames, 96);
    in_hook = 0;
    int hit = 0;
    for (int pass = 0; pass < 2 && !hit; pass++) {
        for (int i = 0; i < n; i++) {
            if (in_x((uintptr_t)frames[i]))
                return 0;
            if (in_ranges((uintptr_t)frames[i]))
                hit = 1;
        }
        if (!hit && pass == 0) {
            int before = nranges;
            tpf_rescan(); /* the module may have been dlopened since */
            if (nranges == before)
                break;
        }
    }
    return hit;
}

static int should_fail(uintptr_t caller)
{
    long n = __atomic_load_n(&fail_at, __ATOMIC_SEQ_CST);
    if (n == 0)
        return 0;
    if (stack_mode) {
        if (!stack_counts())
            return 0;
    } else if (filtered) {
        if (!in_ranges(caller)) {
            int before = nranges;
            tpf_rescan();
            if (nranges == before || !in_ranges(caller))
                return 0;
        }
    }
    long c = __atomic_add_fetch(&counted, 1, __ATOMIC_SEQ_CST);
    if (c == n) {
        fired = 1;
        if (getenv("TPF_TRACE") != NULL) { /* where it failed, for a person */
            void *frames[32];
            in_hook = 1;
            backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
            in_hook = 0;
        }
        return 1;
    }
    return 0;
}

#define CALLER ((uintptr_t)__builtin_return_address(0))

EXPORT void *malloc(size_t n)
{
    if (should_fail(CALLER)) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_malloc(n);
}

EXPORT void *calloc(size_t a, size_t b)
{
    if (should_fail(CALLER)) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_calloc(a, b);
}

EXPORT void *realloc(void *p, size_t n)
{
    if (should_fail(CALLER)) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_realloc(p, n);
}

EXPORT char *strdup(const char *s)
{
    if (should_fail(CALLER)) {
        errno = ENOMEM;
        return NULL;
    }
    size_t l = strlen(s) + 1;
    char *d = __libc_malloc(l);
    if (d)
        memcpy(d, s, l);
    return d;
}

EXPORT char *strndup(const char *s, size_t n)
{
    if (should_fail(CALLER)) {
        errno = ENOMEM;
        return NULL;
    }
    size_t l = strnlen(s, n);
    char *d = __libc_malloc(l + 1);
    if (d) {
        memcpy(d, s, l);
        d[l] = '\0';
    }
    return d;
}

/* ---- I/O errors ----------------------------------------------------------- */

static int env_errno(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL)
        return 0;
    if (strcmp(v, "ENOSPC") == 0)
        return ENOSPC;
    if (strcmp(v, "EIO") == 0)
        return EIO;
    if (strcmp(v, "EDQUOT") == 0)
        return EDQUOT;
    return 0;
}

EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
    int e = env_errno("TPF_WRITE_ERRNO");
    struct stat st;
    if (e && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        errno = e;
        return -1;
    }
    return syscall(SYS_write, fd, buf, n);
}

EXPORT int fsync(int fd)
{
    int e = env_errno("TPF_FSYNC_ERRNO");
    if (e) {
        errno = e;
        return -1;
    }
    return (int)syscall(SYS_fsync, fd);
}
