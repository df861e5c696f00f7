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

/* Where a walk is: res, the resolved part ("" or "/a/b" below the root);
 * rest, what is left, which grows by one symbolic link's target at a time,
 * and s, the next component in it. */
typedef struct walk_state {
    tp_walk *w;
    char *rest, *s;
    char *res;
    size_t rl;
    int links;
} walk_state;

#define WALK_ON (-1) /* not an end: the walk goes on */

/* "..": drop the last resolved component, never above the root, as
 * chroot(2) and RESOLVE_IN_ROOT. */
static void walk_up(walk_state *ws)
{
    while (ws->rl > 0 && ws->res[ws->rl - 1] != '/')
        ws->rl--;
    if (ws->rl > 0)
        ws->rl--;
    ws->res[ws->rl] = '\0';
}

/* The link the last component of res names: what is left becomes its
 * target, then what followed it (e). */
static int walk_follow(walk_state *ws, const char *e)
{
    tp_walk *w = ws->w;
    char target[PATH_MAX + 1];

    if (++ws->links > TP_MAX_SYMLINKS) {
        w->err_no = ELOOP;
        return TP_WALK_LOOP;
    }
    ssize_t tl = readlink(w->host, target, sizeof(target) - 1);
    if (tl <= 0 || (size_t)tl >= sizeof(target) - 1) {
        w->err_no = tl < 0 ? errno : ENAMETOOLONG;
        return TP_WALK_BADLINK;
    }
    target[tl] = '\0';
    ws->res[ws->rl] = '\0';
    size_t nl = (size_t)tl + strlen(e) + 2;
    char *n = malloc(nl);
    if (n == NULL)
        return TP_WALK_NOMEM;
    snprintf(n, nl, "%s/%s", target, e);
    free(ws->rest);
    ws->rest = ws->s = n;
    if (target[0] == '/') /* absolute: from the root again */
        ws->rl = 0, ws->res[0] = '\0';
    return WALK_ON;
}

/* Resolve the component from s to e: appended to res and looked at. */
static int walk_component(walk_state *ws, char *e, int last)
{
    tp_walk *w = ws->w;
    size_t cl = (size_t)(e - ws->s);
    struct stat st;

    char *nr = realloc(ws->res, ws->rl + cl + 2);
    if (nr == NULL)
        return TP_WALK_NOMEM;
    ws->res = nr;
    nr[ws->rl] = '/';
    memcpy(nr + ws->rl + 1, ws->s, cl);
    nr[ws->rl + 1 + cl] = '\0';
    free(w->host);
    if ((w->host = tp_path_rooted(w->root, nr)) == NULL)
        return TP_WALK_NOMEM;
    if (lstat(w->host, &st) != 0) {
        w->err_no = errno;
        w->last = last;
        return TP_WALK_ABSENT;
    }
    if (S_ISLNK(st.st_mode) && (!last || w->follow_last))
        return walk_follow(ws, e);
    if (!last && !S_ISDIR(st.st_mode)) {
        w->err_no = ENOTDIR;
        return TP_WALK_NOTDIR;
    }
    if (!last && w->dir_check != NULL
        && w->dir_check(w->arg, w->host, (unsigned)st.st_uid, (unsigned)st.st_mode) != 0)
        return TP_WALK_REFUSED;
    ws->rl += 1 + cl;
    ws->s = e;
    return WALK_ON;
}

/* Every component of what is left, in turn: an end, or WALK_ON when none
 * is left. */
static int walk_all(walk_state *ws)
{
    int end = WALK_ON;

    while (end == WALK_ON) {
        char *s = ws->s;
        while (*s == '/')
            s++;
        ws->s = s;
        if (*s == '\0')
            break;
        char *e = strchrnul(s, '/');
        size_t cl = (size_t)(e - s);
        const char *after = e;
        while (*after == '/')
            after++;
        if (cl == 1 && s[0] == '.') {
            ws->s = e;
        } else if (cl == 2 && s[0] == '.' && s[1] == '.') {
            walk_up(ws);
            ws->s = e;
        } else {
            end = walk_component(ws, e, *after == '\0');
        }
    }
    return end;
}

tp_walk_end tp_path_walk(tp_walk *w, const char *path)
{
    size_t cap = strlen(path) + 2;
    walk_state ws = {.w = w, .rest = malloc(cap), .res = calloc(1, 1)};
    int end = TP_WALK_NOMEM;

    w->host = NULL;
    w->last = 0;
    w->err_no = 0;
    if (ws.rest == NULL || ws.res == NULL)
        goto done;
    snprintf(ws.rest, cap, "%s", path);
    ws.s = ws.rest;
    if ((end = walk_all(&ws)) != WALK_ON)
        goto done;
    free(w->host);
    w->host = tp_path_rooted(w->root, ws.res);
    end = w->host != NULL ? TP_WALK_DONE : TP_WALK_NOMEM;
done:
    if (end == TP_WALK_NOMEM || end == TP_WALK_LOOP || end == TP_WALK_REFUSED) {
        free(w->host);
        w->host = NULL;
    }
    free(ws.rest);
    free(ws.res);
    return (tp_walk_end)end;
}
