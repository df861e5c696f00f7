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
#include "tlspolicy.h"

char *root_path_walk(const char *root, const char *path, int follow_last, char *err, size_t errlen)
{
    tp_walk w = {.root = root, .follow_last = follow_last};

    switch (tp_path_walk(&w, path)) {
    case TP_WALK_DONE:
        return w.host;
    case TP_WALK_ABSENT:
        if (w.err_no == ENOENT && w.last)
            return w.host; /* missing last component: named as is */
        /* fall through */
    case TP_WALK_NOTDIR:
    case TP_WALK_BADLINK:
        snprintf(err, errlen, "%s: %s", w.host, strerror(w.err_no));
        break;
    case TP_WALK_LOOP:
        snprintf(err, errlen, "%s: %s", path, strerror(ELOOP));
        break;
    case TP_WALK_REFUSED: /* no check asked for */
    case TP_WALK_NOMEM:
        snprintf(err, errlen, "out of memory");
        break;
    }
    free(w.host);
    return NULL;
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
    *out = tail ? tp_path_rooted(root, strcmp(tail, "/") == 0 ? "" : tail) : NULL;
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
