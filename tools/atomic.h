/*
 * atomic.h - replacing a file the way enable writes openssl.cnf and the
 * GnuTLS configuration (atomic.c): the new content written to a fresh file
 * beside the target and fsync'ed, renamed over the target by the caller,
 * then the directory fsync'ed.
 */
#ifndef TP_ATOMIC_H
#define TP_ATOMIC_H

#include <stddef.h>
#include <sys/stat.h>

/* The new file beside the target, TARGET.tlspolicy-new. */
#define ATOMIC_NEW_SUFFIX ".tlspolicy-new"

/*
 * Write n bytes of data to path as a new file: whatever path names is
 * removed first, the file is created exclusively without following a link,
 * given owner's uid and gid when owner is not NULL (EPERM ignored: not
 * root), then mode & 07777, and fsync'ed. Returns 0, or -1 with
 * "PATH: reason" in err and path removed.
 */
int atomic_write_new(const char *path, const char *data, size_t n, mode_t mode,
                     const struct stat *owner, char *err, size_t errlen);

/* A check of the new file at tmp before it replaces the target: 0, or -1
 * with err set. */
typedef int atomic_check_fn(const char *tmp, void *arg, char *err, size_t errlen);

/*
 * Replace target with n bytes of data: written to TARGET.tlspolicy-new by
 * atomic_write_new (mode, owner), checked by check(tmp, arg) when check is
 * not NULL, renamed over target, the directory fsync'ed. Returns 0, or -1
 * with err set ("rename TARGET: reason" when the rename fails), target
 * unchanged and the new file removed.
 */
int atomic_replace(const char *target, const char *data, size_t n, mode_t mode,
                   const struct stat *owner, atomic_check_fn *check, void *arg, char *err,
                   size_t errlen);

/* fsync the directory holding file (a rename or unlink in it). 0, or -1
 * with errno set. */
int atomic_fsync_dir(const char *file);

#endif
