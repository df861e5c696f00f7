/*
 * walk.c - resolve a path component by component, as the kernel does, but
 * with a look at every directory on the way: the loader checks that each
 * is root's alone (load.c), the CLI resolves a path of a target system
 * inside --root (tools/rootpath.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlspolicy.h"

#define TP_MAX_SYMLINKS 40

tp_walk_end tp_path_walk(tp_walk *w, const char *path)
{
    /* res: the resolved part, "" or "/a/b" below the root; rest: what is
     * left, which grows by one symbolic link's target at a time. */
    size_t cap = strlen(path) + 2;
    char *rest = malloc(cap), *res = calloc(1, 1);
    size_t rl = 0;
    int links = 0;
    tp_walk_end end = TP_WALK_NOMEM;

    w->host = NULL;
    w->last = 0;
    w->err_no = 0;
    if (rest == NULL || res == NULL)
        goto done;
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
            goto done;
        res = nr;
        res[rl] = '/';
        memcpy(res + rl + 1, s, cl);
        res[rl + 1 + cl] = '\0';
        free(w->host);
        if ((w->host = tp_path_rooted(w->root, res)) == NULL)
            goto done;
        struct stat st;
        if (lstat(w->host, &st) != 0) {
            w->err_no = errno;
            w->last = last;
            end = TP_WALK_ABSENT;
            goto done;
        }
        if (S_ISLNK(st.st_mode) && (!last || w->follow_last)) {
            if (++links > TP_MAX_SYMLINKS) {
                w->err_no = ELOOP;
                end = TP_WALK_LOOP;
                goto done;
            }
            char target[PATH_MAX + 1];
            ssize_t tl = readlink(w->host, target, sizeof(target) - 1);
            if (tl <= 0 || (size_t)tl >= sizeof(target) - 1) {
                w->err_no = tl < 0 ? errno : ENAMETOOLONG;
                end = TP_WALK_BADLINK;
                goto done;
            }
            target[tl] = '\0';
            res[rl] = '\0';
            size_t nl = (size_t)tl + strlen(e) + 2;
            char *n = malloc(nl);
            if (n == NULL)
                goto done;
            snprintf(n, nl, "%s/%s", target, e);
            free(rest);
            rest = s = n;
            if (target[0] == '/') /* absolute: from the root again */
                rl = 0, res[0] = '\0';
            continue;
        }
        if (!last && !S_ISDIR(st.st_mode)) {
            w->err_no = ENOTDIR;
            end = TP_WALK_NOTDIR;
            goto done;
        }
        if (!last && w->dir_check != NULL
            && w->dir_check(w->arg, w->host, (unsigned)st.st_uid, (unsigned)st.st_mode) != 0) {
            end = TP_WALK_REFUSED;
            goto done;
        }
        rl += 1 + cl;
        s = e;
    }
    free(w->host);
    w->host = tp_path_rooted(w->root, res);
    end = w->host != NULL ? TP_WALK_DONE : TP_WALK_NOMEM;
done:
    if (end == TP_WALK_NOMEM || end == TP_WALK_LOOP || end == TP_WALK_REFUSED) {
        free(w->host);
        w->host = NULL;
    }
    free(rest);
    free(res);
    return end;
}
