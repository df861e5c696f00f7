/*
 * rootpath.c - resolve a path inside a root directory (see rootpath.h).
 * `enable`/`disable`/`set --root DIR` used to put DIR in front of the path
 * and let the host kernel resolve the rest: a symlinked parent (an image's
 * usr/lib/ssl -> /etc/ssl) or a ".." led to the host's own files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "rootpath.h"

#define MAX_LINKS 40

/* root as given, without trailing slashes, then rel ("" or "/a/b"). */
static char *join(const char *root, const char *rel)
{
    size_t n = strlen(root);
    while (n > 0 && root[n - 1] == '/')
        n--;
    size_t rl = strlen(rel);
    char *s = malloc(n + rl + 2);
    if (s == NULL)
        return NULL;
    memcpy(s, root, n);
    if (n == 0 && rl == 0)
        memcpy(s, "/", 2);
    else
        memcpy(s + n, rel, rl + 1);
    return s;
}

char *root_path_walk(const char *root, const char *path, int follow_last, char *err, size_t errlen)
{
    /* res: the resolved part, "" or "/a/b" relative to root; rest: what is
     * left, which grows by a symlink target at a time. */
    size_t cap = strlen(path) + 2;
    char *rest = malloc(cap), *res = calloc(1, 1), *host = NULL, *out = NULL;
    size_t rl = 0;
    int links = 0;
    if (rest == NULL || res == NULL)
        goto oom;
    snprintf(rest, cap, "%s", path);
    char *s = rest;
    for (;;) {
        while (*s == '/')
            s++;
        if (*s == '\0')
            break;
        char *e = strchrnul(s, '/');
        size_t cl = (size_t)(e - s);
        const char *after = e;
        while (*after == '/')
            after++;
        int last = *after == '\0';
        if (cl == 1 && s[0] == '.') {
            s = e;
            continue;
        }
        if (cl == 2 && s[0] == '.' && s[1] == '.') {
            /* never above the root, as chroot(2) and RESOLVE_IN_ROOT */
            while (rl > 0 && res[rl - 1] != '/')
                rl--;
            if (rl > 0)
                rl--;
            res[rl] = '\0';
            s = e;
            continue;
        }
        char *nr = realloc(res, rl + cl + 2);
        if (nr == NULL)
            goto oom;
        res = nr;
        res[rl] = '/';
        memcpy(res + rl + 1, s, cl);
        res[rl + 1 + cl] = '\0';
        free(host);
        host = join(root, res);
        if (host == NULL)
            goto oom;
        struct stat st;
        if (lstat(host, &st) != 0) {
            if (errno == ENOENT && last)
                break; /* missing last component: named as is */
            snprintf(err, errlen, "%s: %s", host, strerror(errno));
            goto fail;
        }
        if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
            if (++links > MAX_LINKS) {
                snprintf(err, errlen, "%s: %s", path, strerror(ELOOP));
                goto fail;
            }
            char target[PATH_MAX];
            ssize_t tl = readlink(host, target, sizeof(target) - 1);
            if (tl < 0) {
                snprintf(err, errlen, "%s: %s", host, strerror(errno));
                goto fail;
            }
            target[tl] = '\0';
            res[rl] = '\0';
            size_t nl = (size_t)tl + strlen(e) + 2;
            char *n = malloc(nl);
            if (n == NULL)
                goto oom;
            snprintf(n, nl, "%s/%s", target, e);
            free(rest);
            rest = s = n;
            if (target[0] == '/')
                rl = 0, res[0] = '\0';
            continue;
        }
        if (!last && !S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: %s", host, strerror(ENOTDIR));
            goto fail;
        }
        rl += 1 + cl;
        s = e;
    }
    out = join(root, res);
    if (out == NULL)
        goto oom;
    goto done;
oom:
    snprintf(err, errlen, "out of memory");
fail:
    out = NULL;
done:
    free(rest);
    free(res);
    free(host);
    return out;
}

#ifdef SYS_openat2
/*
 * The kernel's answer: open path O_PATH under root with RESOLVE_IN_ROOT
 * and read back where it went. 1: done (*out set, or NULL with err);
 * 0: the kernel cannot tell (no openat2, no /proc): walk instead.
 */
static int by_kernel(const char *root, const char *path, int follow_last, char **out, char *err,
                     size_t errlen)
{
    *out = NULL;
    int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rfd < 0) {
        snprintf(err, errlen, "%s: %s", root, strerror(errno));
        return 1;
    }
    char rreal[PATH_MAX], link[64], real[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", rfd);
    ssize_t rn = readlink(link, rreal, sizeof(rreal) - 1);
    if (rn <= 0) {
        close(rfd);
        return 0;
    }
    rreal[rn] = '\0';
    if (strcmp(rreal, "/") == 0)
        rreal[0] = '\0', rn = 0;

    /* try the whole path, then (missing last component) its directory */
    const char *rel = path;
    char *dir = NULL;
    const char *base = NULL;
    struct open_how how = {.flags = O_PATH | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW),
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    int fd;
    for (;;) {
        fd = (int)syscall(SYS_openat2, rfd, rel[0] ? rel : ".", &how, sizeof(how));
        if (fd >= 0 || dir != NULL || errno != ENOENT)
            break;
        /* a missing last component: resolve the directory, name it after */
        size_t n = strlen(path);
        while (n > 0 && path[n - 1] == '/')
            n--;
        size_t b = n;
        while (b > 0 && path[b - 1] != '/')
            b--;
        if (b == n || (n - b == 2 && path[b] == '.' && path[b + 1] == '.') ||
            (n - b == 1 && path[b] == '.'))
            break;
        dir = strndup(path, b);
        if (dir == NULL) {
            close(rfd);
            snprintf(err, errlen, "out of memory");
            return 1;
        }
        base = path + b;
        rel = dir;
        how.flags = O_PATH | O_CLOEXEC | O_DIRECTORY;
    }
    int e = errno;
    close(rfd);
    if (fd < 0) {
        free(dir);
        if (e == ENOSYS || e == EPERM || e == E2BIG)
            return 0; /* no openat2 here (or a seccomp filter refuses it) */
        snprintf(err, errlen, "%s (under %s): %s", path, root, strerror(e));
        return 1;
    }
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, real, sizeof(real) - 1);
    close(fd);
    if (n <= 0 || n == (ssize_t)sizeof(real) - 1) {
        free(dir);
        return 0;
    }
    real[n] = '\0';
    /* must be root itself or below it; the kernel promises so */
    if (strncmp(real, rreal, (size_t)rn) != 0 || (real[rn] != '\0' && real[rn] != '/')) {
        free(dir);
        snprintf(err, errlen, "%s resolves outside %s", path, root);
        return 1;
    }
    const char *suffix = real + rn;
    size_t bl = base ? strcspn(base, "/") : 0;
    size_t ol = strlen(suffix) + bl + 2;
    char *tail = malloc(ol);
    if (tail != NULL)
        snprintf(tail, ol, "%s%s%.*s", suffix, base && strcmp(suffix, "/") ? "/" : "", (int)bl,
                 base ? base : "");
    free(dir);
    *out = tail ? join(root, strcmp(tail, "/") == 0 ? "" : tail) : NULL;
    free(tail);
    if (*out == NULL)
        snprintf(err, errlen, "out of memory");
    return 1;
}
#endif

char *root_path(const char *root, const char *path, int follow_last, char *err, size_t errlen)
{
#ifdef SYS_openat2
    char *out;
    if (by_kernel(root, path, follow_last, &out, err, errlen))
        return out;
#endif
    return root_path_walk(root, path, follow_last, err, errlen);
}
