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
/* One resolution by the kernel: the root, opened, and where the path
 * points in it. */
typedef struct kres {
    const char *root, *path;
    char *err;
    size_t errlen;
    int rfd;              /* root, O_PATH */
    char rreal[PATH_MAX]; /* root's real path; "" for / */
    ssize_t rn;           /* its length */
    char *dir;            /* path's directory, when its last component is missing */
    const char *base;     /* then that component */
} kres;

/* Open the root and read back its real path. -1 to go on; else by_kernel's
 * answer (1 with err set, 0 the kernel cannot tell). */
static int open_root(kres *k)
{
    char link[64];
    k->rfd = open(k->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (k->rfd < 0) {
        snprintf(k->err, k->errlen, "%s: %s", k->root, strerror(errno));
        return 1;
    }
    snprintf(link, sizeof(link), "/proc/self/fd/%d", k->rfd);
    k->rn = readlink(link, k->rreal, sizeof(k->rreal) - 1);
    if (k->rn <= 0) {
        close(k->rfd);
        return 0;
    }
    k->rreal[k->rn] = '\0';
    if (strcmp(k->rreal, "/") == 0)
        k->rreal[0] = '\0', k->rn = 0;
    return -1;
}

/* Where path's last component starts (*b) when it can be named after
 * its directory: not "", "." or "..". 1 if so. */
static int last_component(const char *path, size_t *b)
{
    size_t n = strlen(path);
    while (n > 0 && path[n - 1] == '/')
        n--;
    *b = n;
    while (*b > 0 && path[*b - 1] != '/')
        (*b)--;
    return !(*b == n || (n - *b == 2 && path[*b] == '.' && path[*b + 1] == '.') ||
             (n - *b == 1 && path[*b] == '.'));
}

/* Open the path O_PATH with RESOLVE_IN_ROOT: the whole path, then (missing
 * last component) its directory. *fd is the descriptor or -1 with *e the
 * errno. 0, or -1 when out of memory (err set). */
static int open_in_root(kres *k, int follow_last, int *fd, int *e)
{
    const char *rel = k->path;
    struct open_how how = {.flags = O_PATH | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW),
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    for (;;) {
        *fd = (int)syscall(SYS_openat2, k->rfd, rel[0] ? rel : ".", &how, sizeof(how));
        if (*fd >= 0 || k->dir != NULL || errno != ENOENT)
            break;
        /* a missing last component: resolve the directory, name it after */
        size_t b;
        if (!last_component(k->path, &b))
            break;
        k->dir = strndup(k->path, b);
        if (k->dir == NULL) {
            snprintf(k->err, k->errlen, "out of memory");
            return -1;
        }
        k->base = k->path + b;
        rel = k->dir;
        how.flags = O_PATH | O_CLOEXEC | O_DIRECTORY;
    }
    *e = errno;
    return 0;
}

/* The host path of fd, found under the root: the root as given, the rest
 * of the real path and the missing last component. by_kernel's answer. */
static int name_found(kres *k, int fd, char **out)
{
    char link[64], real[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, real, sizeof(real) - 1);
    close(fd);
    if (n <= 0 || n == (ssize_t)sizeof(real) - 1)
        return 0;
    real[n] = '\0';
    /* must be root itself or below it; the kernel promises so */
    if (strncmp(real, k->rreal, (size_t)k->rn) != 0
        || (real[k->rn] != '\0' && real[k->rn] != '/')) {
        snprintf(k->err, k->errlen, "%s resolves outside %s", k->path, k->root);
        return 1;
    }
    const char *suffix = real + k->rn;
    const char *base = k->base;
    size_t bl = base ? strcspn(base, "/") : 0;
    size_t ol = strlen(suffix) + bl + 2;
    char *tail = malloc(ol);
    if (tail != NULL)
        snprintf(tail, ol, "%s%s%.*s", suffix, base && strcmp(suffix, "/") ? "/" : "", (int)bl,
                 base ? base : "");
    *out = tail ? tp_path_rooted(k->root, strcmp(tail, "/") == 0 ? "" : tail) : NULL;
    free(tail);
    if (*out == NULL)
        snprintf(k->err, k->errlen, "out of memory");
    return 1;
}

/*
 * The kernel's answer: open path O_PATH under root with RESOLVE_IN_ROOT
 * and read back where it went. 1: done (*out set, or NULL with err);
 * 0: the kernel cannot tell (no openat2, no /proc): walk instead.
 */
static int by_kernel(const char *root, const char *path, int follow_last, char **out, char *err,
                     size_t errlen)
{
    kres k = {.root = root, .path = path, .err = err, .errlen = errlen};
    int fd, e = 0;

    *out = NULL;
    int done = open_root(&k);
    if (done >= 0)
        return done;
    if (open_in_root(&k, follow_last, &fd, &e) != 0) {
        close(k.rfd);
        return 1;
    }
    close(k.rfd);
    if (fd < 0) {
        free(k.dir);
        if (e == ENOSYS || e == EPERM || e == E2BIG)
            return 0; /* no openat2 here (or a seccomp filter refuses it) */
        snprintf(err, errlen, "%s (under %s): %s", path, root, strerror(e));
        return 1;
    }
    done = name_found(&k, fd, out);
    free(k.dir);
    return done;
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
