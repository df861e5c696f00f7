/*
 * atomic.c - replacing a file atomically (atomic.h), for enable's
 * openssl.cnf and its backup and for the GnuTLS configuration: written
 * beside, fsync'ed, checked, renamed over, directory fsync'ed.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"

int atomic_write_new(const char *path, const char *data, size_t n, mode_t mode,
                     const struct stat *owner, char *err, size_t errlen)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, data + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            goto fail;
        off += (size_t)w;
    }
    if (owner && fchown(fd, owner->st_uid, owner->st_gid) != 0 && errno != EPERM)
        goto fail;
    if (fchmod(fd, mode & 07777) != 0 || fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    return 0;
fail:
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    unlink(path);
    return -1;
}

int atomic_fsync_dir(const char *file)
{
    char *d = cli_join(file, "");
    int fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(d);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

int atomic_replace(const char *target, const char *data, size_t n, mode_t mode,
                   const struct stat *owner, atomic_check_fn *check, void *arg, char *err,
                   size_t errlen)
{
    char *tmp = cli_join(target, ATOMIC_NEW_SUFFIX);
    int rc = -1;
    if (atomic_write_new(tmp, data, n, mode, owner, err, errlen) != 0)
        goto out;
    if (check && check(tmp, arg, err, errlen) != 0) {
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, target) != 0) {
        snprintf(err, errlen, "rename %s: %s", target, strerror(errno));
        unlink(tmp);
        goto out;
    }
    atomic_fsync_dir(target);
    rc = 0;
out:
    free(tmp);
    return rc;
}
