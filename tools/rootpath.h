/*
 * rootpath.h - a path of the target system resolved inside --root DIR:
 * every component, with symbolic links (absolute ones taken from DIR) and
 * ".." that never leave DIR, as chroot(2) would see it.
 */
#ifndef TP_ROOTPATH_H
#define TP_ROOTPATH_H

#include <stddef.h>

/*
 * The host path of path (as the target system names it) under root: root
 * as given, then the resolved components, none of them a symbolic link
 * (the last one may be, without follow_last). A missing last component is
 * appended as named (the caller reports it missing). NULL with err set
 * when a directory on the way is missing or not a directory, or on a
 * loop. Uses openat2(RESOLVE_IN_ROOT) where the kernel has it, else
 * root_path_walk. The result is malloc'ed.
 */
char *root_path(const char *root, const char *path, int follow_last, char *err, size_t errlen);

/* The same, resolved by lstat/readlink in user space (kernels before 5.6,
 * no /proc); exposed for the tests, which compare the two. */
char *root_path_walk(const char *root, const char *path, int follow_last, char *err, size_t errlen);

#endif
