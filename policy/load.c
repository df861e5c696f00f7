/*
 * load.c - find and read the files of a policy: policy file, policy.d
 * drop-ins, the profile and its modifiers. Every file is opened once, checked
 * on the open descriptor (type, size, owner, mode) and read whole, bounded.
 * With require_trusted, every directory from / down to the file (and down to
 * each symlink's target) must be owned by root and writable by nobody else.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "tp_config.h"


/* A file changed less than this long ago may be in the middle of an
 * in-place rewrite; it is read again, TP_SETTLE_TRIES times at most. */
#define TP_SETTLE_MS 40
#define TP_SETTLE_TRIES 8

typedef struct lctx {
    tp_policy *p;
    const tp_load_opts *o;
    const char *root;
    char *pdirs[4];
    char *mdirs[4];
    const char *const *profile_dirs;
    const char *const *modifier_dirs;
} lctx;

static int trusted_stat(tp_policy *p, const char *path, const struct stat *st, int want)
{
    if (!want)
        return 0;
    if (st->st_uid != 0) {
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_UNTRUSTED, path, 0,
                    "owned by uid %u, not root: refusing it", (unsigned)st->st_uid);
        return -1;
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_UNTRUSTED, path, 0,
                    "writable by %s (mode %04o): refusing it",
                    (st->st_mode & S_IWOTH) ? "others" : "group", (unsigned)(st->st_mode & 07777));
        return -1;
    }
    return 0;
}

/* A directory the policy may be read through: owned by root and writable by
 * nobody else. A sticky bit does not help: in a sticky world-writable
 * directory anyone may still create the name (sudo and OpenSSH's safe_path
 * refuse it the same way). */
static int dir_refused(tp_policy *p, const char *file, const char *dir, const struct stat *st)
{
    if (st->st_uid != 0) {
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_UNTRUSTED, file, 0,
                    "directory %s is owned by uid %u, not root: refusing it", dir,
                    (unsigned)st->st_uid);
        return -1;
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_UNTRUSTED, file, 0,
                    "directory %s is writable by %s (mode %04o): refusing it", dir,
                    (st->st_mode & S_IWOTH) ? "others" : "group", (unsigned)(st->st_mode & 07777));
        return -1;
    }
    return 0;
}

typedef struct walk_arg {
    tp_policy *p;
    const char *file;
} walk_arg;

static int walk_dir_check(void *arg, const char *dir, unsigned uid, unsigned mode)
{
    const walk_arg *a = arg;
    struct stat st = {.st_uid = uid, .st_mode = mode};

    return dir_refused(a->p, a->file, dir, &st);
}

/*
 * Resolve path component by component from /, following symlinks as the
 * kernel does (tp_path_walk), and check every directory passed through
 * (those above the file, and above each symlink's target) with
 * dir_refused; the file (or directory) at the end is the caller's to
 * check, on its descriptor. On success *out is the resolved path to open:
 * nobody but root can change what it names, so the open that follows
 * opens what was checked. A component that does not exist, a file used as
 * a directory or a loop ends the walk with *out = the path as given, and
 * the open reports it. Returns 0, or -1 with a diagnostic.
 */
static int trusted_walk(tp_policy *p, const char *path, char **out)
{
    *out = NULL;
    char cwd[4096];
    if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL) {
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_IO, path, 0, "cannot find the working directory: %s",
                    strerror(errno));
        return -1;
    }
    size_t cap = strlen(path) + (path[0] != '/' ? strlen(cwd) + 1 : 0) + 2;
    char *abs = malloc(cap);
    walk_arg a = {p, path};
    tp_walk w = {.follow_last = 1, .dir_check = walk_dir_check, .arg = &a};
    struct stat st;
    int ret = -1;
    if (abs == NULL)
        goto oom;
    if (path[0] != '/')
        snprintf(abs, cap, "%s/%s", cwd, path);
    else
        snprintf(abs, cap, "%s", path);
    if (lstat("/", &st) != 0 || dir_refused(p, path, "/", &st) < 0)
        goto done;
    switch (tp_path_walk(&w, abs)) {
    case TP_WALK_DONE:
        *out = w.host;
        w.host = NULL;
        ret = 0;
        break;
    case TP_WALK_ABSENT: /* absent (or unreadable): the open reports it */
    case TP_WALK_NOTDIR: /* a file used as a directory: the open says so */
    case TP_WALK_LOOP:   /* the open fails the same way (ELOOP) */
        if ((*out = strdup(path)) == NULL)
            goto oom;
        ret = 0;
        break;
    case TP_WALK_BADLINK:
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_IO, path, 0, "cannot read symbolic link %s", w.host);
        break;
    case TP_WALK_REFUSED: /* dir_refused said why */
        break;
    case TP_WALK_NOMEM:
        goto oom;
    }
    goto done;
oom:
    tp_diag_add(p, TP_SEV_ERROR, TP_ERR_NOMEM, path, 0, "out of memory");
done:
    free(w.host);
    free(abs);
    return ret;
}

/* Read from the start of fd up to want + 1 bytes (one more than expected,
 * to see a file that grew). Returns the count, or -1 with errno set. */
static ssize_t read_at_most(int fd, char *b, size_t want)
{
    size_t got = 0;
    for (;;) {
        ssize_t r = pread(fd, b + got, want + 1 - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
        if (got > want)
            break;
    }
    return (ssize_t)got;
}

/* Whether the file st described changed while got of its want bytes were
 * read, or was changed too recently to trust; *nap_ms is how long to wait
 * before trying again. */
static int read_unsettled(int fd, const struct stat *st, size_t got, size_t want, long *nap_ms)
{
    struct stat st2;
    struct timespec now;
    int changed = got != want || fstat(fd, &st2) != 0 || st2.st_size != st->st_size
                  || st2.st_mtim.tv_sec != st->st_mtim.tv_sec
                  || st2.st_mtim.tv_nsec != st->st_mtim.tv_nsec
                  || st2.st_ctim.tv_sec != st->st_ctim.tv_sec
                  || st2.st_ctim.tv_nsec != st->st_ctim.tv_nsec;
    *nap_ms = TP_SETTLE_MS / 4;
    if (!changed && clock_gettime(CLOCK_REALTIME, &now) == 0) {
        long long age_ms = ((long long)now.tv_sec - st2.st_ctim.tv_sec) * 1000
                           + (now.tv_nsec - st2.st_ctim.tv_nsec) / 1000000;
        /* a clock set backwards makes every file look new: only
         * a change inside [0, settle) counts as recent. Sleep until
         * it has settled (files written together, as drop-ins are,
         * then cost one wait, not one each). */
        changed = age_ms >= 0 && age_ms < TP_SETTLE_MS;
        if (changed)
            *nap_ms = (long)(TP_SETTLE_MS - age_ms) + 1;
    }
    return changed;
}

/* A file being read, and what has been read of it so far. */
typedef struct rfile {
    tp_policy *p;
    const char *path;
    int fd;
    struct stat st;
    char *b;
    size_t want, got;
} rfile;

/* Open path for reading (with trust: as resolved through checked
 * directories). Returns the descriptor, -2 when absent and not required,
 * -1 on error (diagnostic added). */
static int open_file(tp_policy *p, const char *path, int required, int trust)
{
    char *real = NULL;
    /* With trust: open the path as resolved through checked directories. */
    if (trust && trusted_walk(p, path, &real) < 0)
        return -1;
    /* O_NONBLOCK: a FIFO planted as a policy file must not hang start-up. */
    int fd = open(real ? real : path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    free(real);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT && !required)
            return -2;
        tp_diag_add(p, TP_SEV_ERROR, e == ENOENT ? TP_ERR_NOTFOUND : TP_ERR_IO, path, 0,
                    "cannot open: %s", strerror(e));
        return -1;
    }
    return fd;
}

/* Check that the opened file is a regular file, trusted when trust is
 * asked for, and within the size limit. Returns 0, or -1 with a diagnostic. */
static int check_opened(rfile *f, int trust)
{
    if (fstat(f->fd, &f->st) < 0) {
        tp_diag_add(f->p, TP_SEV_ERROR, TP_ERR_IO, f->path, 0, "cannot stat: %s", strerror(errno));
        return -1;
    }
    if (!S_ISREG(f->st.st_mode)) {
        tp_diag_add(f->p, TP_SEV_ERROR, TP_ERR_IO, f->path, 0, "not a regular file");
        return -1;
    }
    if (trusted_stat(f->p, f->path, &f->st, trust) < 0)
        return -1;
    if ((unsigned long long)f->st.st_size > TP_MAX_FILE_BYTES) {
        tp_diag_add(f->p, TP_SEV_ERROR, TP_ERR_TOOBIG, f->path, 0,
                    "file is %lld bytes; the limit is %u", (long long)f->st.st_size,
                    TP_MAX_FILE_BYTES);
        return -1;
    }
    return 0;
}

/* Read the file once, as large as f->st says it is. Returns 0, or -1 with
 * a diagnostic. */
static int read_once(rfile *f)
{
    f->want = (size_t)f->st.st_size;
    char *nb = realloc(f->b, f->want + 1);
    if (nb == NULL) {
        tp_diag_add(f->p, TP_SEV_ERROR, TP_ERR_NOMEM, f->path, 0, "out of memory");
        return -1;
    }
    f->b = nb;
    ssize_t r = read_at_most(f->fd, f->b, f->want);
    if (r < 0) {
        tp_diag_add(f->p, TP_SEV_ERROR, TP_ERR_IO, f->path, 0, "read error: %s", strerror(errno));
        return -1;
    }
    f->got = (size_t)r;
    return 0;
}

/* Sleep nap_ms, then look at the file again. Returns 0, or -1 when it can
 * no longer be stat'ed or has grown past the limit. */
static int nap_and_restat(rfile *f, long nap_ms)
{
    struct timespec nap = {0, nap_ms * 1000000L};
    nanosleep(&nap, NULL);
    if (fstat(f->fd, &f->st) < 0)
        return -1;
    if ((unsigned long long)f->st.st_size > TP_MAX_FILE_BYTES)
        return -1;
    return 0;
}

/*
 * Someone rewriting the file in place (`tlspolicy set` renames, so this
 * is another writer) leaves, for a moment, a file that is part old and
 * part new, and a read(2) racing a write(2) can return such a mix too.
 * Act only on a file that was quiet while it was read: same size and
 * times before and after, and last changed at least TP_SETTLE_MS ago
 * (a write sets the times when it starts); a file changed just now is
 * read again a little later, then refused. Only programs starting in
 * the instant after a change wait, at most ~TP_SETTLE_MS * 2.
 * Returns 0 with the settled content in f, or -1 with a diagnostic.
 */
static int read_settled(rfile *f)
{
    int changed = 1;
    long nap_ms = 0;
    for (int attempt = 0; attempt < TP_SETTLE_TRIES && changed; attempt++) {
        if (attempt > 0 && nap_and_restat(f, nap_ms) < 0)
            break;
        if (read_once(f) < 0)
            return -1;
        changed = read_unsettled(f->fd, &f->st, f->got, f->want, &nap_ms);
    }
    if (changed) {
        tp_diag_add(f->p, TP_SEV_ERROR, TP_ERR_IO, f->path, 0, "file changed while being read");
        return -1;
    }
    return 0;
}

/*
 * Read a whole file. Returns 1 and sets *buf and *len when read, 0 when absent
 * and not required, -1 on error (diagnostic added).
 */
static int read_whole(tp_policy *p, const char *path, int required, int trust, char **buf,
                      size_t *len)
{
    rfile f = {.p = p, .path = path};
    *buf = NULL;
    *len = 0;
    f.fd = open_file(p, path, required, trust);
    if (f.fd < 0)
        return f.fd == -2 ? 0 : -1;
    if (check_opened(&f, trust) < 0 || read_settled(&f) < 0)
        goto err;
    close(f.fd);
    f.b[f.got] = '\0';
    *buf = f.b;
    *len = f.got;
    return 1;
err:
    close(f.fd);
    free(f.b);
    return -1;
}

static int push_layer(tp_policy *p, tp_layer *l)
{
    tp_layer **n = realloc(p->layers, (p->nlayers + 1) * sizeof(*n));
    if (n == NULL)
        return -1;
    p->layers = n;
    p->layers[p->nlayers++] = l;
    return 0;
}

/* Parse a file or buffer and append its layer. */
static int add_text(lctx *c, tp_origin_kind kind, const char *name, const char *file,
                    const char *text, size_t len, tp_layer **out)
{
    tp_layer *l = NULL;
    int r = tp_parse_text(c->p, kind, name, file, text, len, &l);
    if (out)
        *out = l;
    if (l != NULL && push_layer(c->p, l) < 0) {
        tp_layer_free(l);
        if (out)
            *out = NULL;
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_NOMEM, file, 0, "out of memory");
        return -1;
    }
    return r;
}

static int add_file(lctx *c, tp_origin_kind kind, const char *name, const char *path,
                    int required, tp_layer **out)
{
    char *buf;
    size_t len;
    if (out)
        *out = NULL;
    int r = read_whole(c->p, path, required, c->o->require_trusted, &buf, &len);
    if (r <= 0)
        return r;
    r = add_text(c, kind, name, path, buf, len, out);
    free(buf);
    return r < 0 ? -1 : 1;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_conf_suffix(const char *n)
{
    size_t l = strlen(n);
    return l > 5 && strcmp(n + l - 5, ".conf") == 0 && n[0] != '.';
}

/* The drop-in directory, policy.d beside the policy file; NULL (with a
 * diagnostic) when out of memory. */
static char *dropin_dir(tp_policy *p, const char *policy_path)
{
    const char *slash = strrchr(policy_path, '/');
    size_t dl = slash ? (size_t)(slash - policy_path) : 1;
    char *dir = malloc(dl + sizeof("/policy.d"));
    if (dir == NULL) {
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_NOMEM, policy_path, 0, "out of memory");
        return NULL;
    }
    if (slash)
        memcpy(dir, policy_path, dl);
    else
        dir[0] = '.';
    memcpy(dir + dl, "/policy.d", sizeof("/policy.d"));
    return dir;
}

/* Open the drop-in directory, checked as the policy file is; NULL when it
 * is absent (no diagnostic) or cannot be used (diagnostic added). */
static DIR *open_dropin_dir(lctx *c, const char *dir)
{
    tp_policy *p = c->p;
    char *real = NULL;
    struct stat st;
    DIR *d;
    if (c->o->require_trusted && trusted_walk(p, dir, &real) < 0)
        return NULL;
    int fd = open(real ? real : dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NONBLOCK);
    free(real);
    if (fd < 0) {
        if (errno != ENOENT)
            tp_diag_add(p, TP_SEV_ERROR, errno == ENOTDIR ? TP_ERR_INVALID : TP_ERR_IO, dir, 0,
                        "cannot read drop-in directory: %s", strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || trusted_stat(p, dir, &st, c->o->require_trusted) < 0)
        goto err;
    if ((d = fdopendir(fd)) == NULL) {
        tp_diag_add(p, TP_SEV_ERROR, errno == ENOMEM ? TP_ERR_NOMEM : TP_ERR_IO, dir, 0,
                    "cannot read drop-in directory: %s", strerror(errno));
        goto err;
    }
    return d;
err:
    close(fd);
    return NULL;
}

/* The drop-in names found in the directory. */
typedef struct name_list {
    char **v;
    size_t n, cap;
    size_t seen; /* *.conf names seen, kept or not */
    int oom;
} name_list;

/* Append a copy of name to l. Returns 0, or -1 when out of memory. */
static int name_list_add(name_list *l, const char *name)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        char **nn = realloc(l->v, nc * sizeof(*nn));
        if (nn == NULL)
            return -1;
        l->v = nn;
        l->cap = nc;
    }
    if ((l->v[l->n] = strdup(name)) == NULL)
        return -1;
    l->n++;
    return 0;
}

/* Collect the *.conf names in d, keeping at most TP_MAX_DROPINS; stops at
 * the first allocation failure (l->oom). */
static void read_dropin_names(DIR *d, name_list *l)
{
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!has_conf_suffix(de->d_name))
            continue;
        if (++l->seen > TP_MAX_DROPINS)
            continue;
        if (name_list_add(l, de->d_name) < 0) {
            l->oom = 1;
            break;
        }
    }
}

/* Record each drop-in's path on the policy and load it, in name order. */
static void add_dropin_files(lctx *c, const char *dir, name_list *l)
{
    tp_policy *p = c->p;
    qsort(l->v, l->n, sizeof(*l->v), str_cmp);
    p->dropins = calloc(l->n ? l->n : 1, sizeof(*p->dropins));
    if (p->dropins == NULL)
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_NOMEM, dir, 0, "out of memory");
    for (size_t i = 0; i < l->n && p->dropins; i++) {
        char *path = malloc(strlen(dir) + strlen(l->v[i]) + 2);
        if (path == NULL) {
            tp_diag_add(p, TP_SEV_ERROR, TP_ERR_NOMEM, dir, 0, "out of memory");
            break;
        }
        sprintf(path, "%s/%s", dir, l->v[i]);
        p->dropins[p->ndropins++] = path;
        add_file(c, TP_O_DROPIN, NULL, path, 1, NULL);
    }
}

/* Drop-ins: policy.d/NAME.conf beside the policy file, in name order. */
static void add_dropins(lctx *c, const char *policy_path)
{
    tp_policy *p = c->p;
    name_list l = {0};
    char *dir = dropin_dir(p, policy_path);
    DIR *d = dir ? open_dropin_dir(c, dir) : NULL;
    if (d == NULL)
        goto end;
    read_dropin_names(d, &l);
    closedir(d);
    /* Every drop-in or none: a policy with some of them silently missing
     * would look valid. */
    if (l.oom) {
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_NOMEM, dir, 0, "out of memory");
    } else if (l.seen > TP_MAX_DROPINS) {
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_TOOBIG, dir, 0, "%zu drop-in files; the limit is %d",
                    l.seen, TP_MAX_DROPINS);
    } else {
        add_dropin_files(c, dir, &l);
    }
end:
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i]);
    free(l.v);
    free(dir);
}

/* The names of *.conf files in dirs, for "available: ..." messages. */
static void list_available(const char *const *dirs, char *out, size_t len)
{
    char *names[64];
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; dirs[i]; i++) {
        DIR *d = opendir(dirs[i]);
        if (d == NULL)
            continue;
        struct dirent *de;
        while ((de = readdir(d)) != NULL && n < 64) {
            if (!has_conf_suffix(de->d_name))
                continue;
            size_t l = strlen(de->d_name) - 5;
            int dup = 0;
            for (size_t j = 0; j < n; j++)
                if (strlen(names[j]) == l && strncmp(names[j], de->d_name, l) == 0)
                    dup = 1;
            if (!dup && (names[n] = strndup(de->d_name, l)) != NULL)
                n++;
        }
        closedir(d);
    }
    qsort(names, n, sizeof(*names), str_cmp);
    for (size_t j = 0; j < n; j++) {
        if (out[0])
            strncat(out, " ", len - strlen(out) - 1);
        strncat(out, names[j], len - strlen(out) - 1);
        free(names[j]);
    }
    if (out[0] == '\0')
        snprintf(out, len, "none installed");
}

/* Find NAME.conf in dirs; returns malloc'ed path or NULL (*oom set when
 * that is for want of memory, not of a file). */
static char *find_in(const char *const *dirs, const char *name, int *oom)
{
    *oom = 0;
    for (size_t i = 0; dirs[i]; i++) {
        char *path = malloc(strlen(dirs[i]) + strlen(name) + 7);
        if (path == NULL) {
            *oom = 1;
            return NULL;
        }
        sprintf(path, "%s/%s.conf", dirs[i], name);
        if (access(path, F_OK) == 0)
            return path;
        free(path);
    }
    return NULL;
}

/* The profile string in force and where it was set. */
static const char *profile_spec(const tp_policy *p, const char **file, int *line)
{
    const char *spec = NULL;
    for (size_t i = 0; i < p->nlayers; i++) {
        const tp_value *v = &p->layers[i]->v[TP_K_PROFILE];
        if (v->set) {
            spec = v->s;
            *file = p->layers[i]->file;
            *line = v->line;
        }
    }
    return spec;
}

/* Load the profile and modifiers; they go below the file layers. */
static void add_profile(lctx *c)
{
    tp_policy *p = c->p;
    const char *pfile = NULL;
    int pline = 0;
    const char *spec = profile_spec(p, &pfile, &pline);
    size_t nfile_layers = p->nlayers;
    char *copy = strdup(spec ? spec : "DEFAULT");
    if (copy == NULL) {
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_NOMEM, NULL, 0, "out of memory");
        return;
    }
    char *save = NULL;
    int first = 1;
    for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
        const char *const *dirs = first ? c->profile_dirs : c->modifier_dirs;
        int oom = 0;
        char *path = find_in(dirs, tok, &oom);
        if (path == NULL && oom) {
            tp_diag_add(p, TP_SEV_ERROR, TP_ERR_NOMEM, pfile, pline, "out of memory");
        } else if (path == NULL) {
            if (first && strcmp(tok, "DEFAULT") == 0) {
                /* No profile files installed: the compiled-in DEFAULT is it. */
                if (spec)
                    tp_diag_add(p, TP_SEV_NOTE, TP_OK, pfile, pline,
                                "profile DEFAULT.conf not found; using the compiled-in DEFAULT");
            } else {
                char avail[512];
                list_available(dirs, avail, sizeof(avail));
                tp_diag_add(p, TP_SEV_ERROR, TP_ERR_INVALID, pfile, pline,
                            "unknown %s '%s' (available: %s)", first ? "profile" : "modifier",
                            tok, avail);
            }
        } else {
            add_file(c, first ? TP_O_PROFILE : TP_O_MODIFIER, tok, path, 1, NULL);
            free(path);
        }
        first = 0;
    }
    free(copy);
    /* Move the profile layers (appended last) below the file layers. */
    size_t nprof = p->nlayers - nfile_layers;
    if (nprof > 0 && nfile_layers > 0) {
        tp_layer **tmp = malloc(p->nlayers * sizeof(*tmp));
        if (tmp == NULL) {
            /* the profile would sit above the file: refuse the whole */
            tp_diag_add(p, TP_SEV_ERROR, TP_ERR_NOMEM, pfile, pline, "out of memory");
            return;
        }
        memcpy(tmp, p->layers + nfile_layers, nprof * sizeof(*tmp));
        memcpy(tmp + nprof, p->layers, nfile_layers * sizeof(*tmp));
        memcpy(p->layers, tmp, p->nlayers * sizeof(*tmp));
        free(tmp);
    }
}

static int setup_dirs(lctx *c, const tp_load_opts *o)
{
    c->o = o;
    c->root = (o->root && o->root[0]) ? o->root : NULL;
    if (o->profile_dirs) {
        c->profile_dirs = o->profile_dirs;
    } else {
        c->pdirs[0] = tp_path_rooted(c->root, TP_ETCDIR "/profiles");
        c->pdirs[1] = tp_path_rooted(c->root, TP_DATADIR "/profiles");
        if (!c->pdirs[0] || !c->pdirs[1])
            return -1;
        c->profile_dirs = (const char *const *)c->pdirs;
    }
    if (o->modifier_dirs) {
        c->modifier_dirs = o->modifier_dirs;
    } else {
        c->mdirs[0] = tp_path_rooted(c->root, TP_ETCDIR "/modifiers");
        c->mdirs[1] = tp_path_rooted(c->root, TP_DATADIR "/modifiers");
        if (!c->mdirs[0] || !c->mdirs[1])
            return -1;
        c->modifier_dirs = (const char *const *)c->mdirs;
    }
    return 0;
}

static void lctx_free(lctx *c)
{
    for (int i = 0; i < 4; i++) {
        free(c->pdirs[i]);
        free(c->mdirs[i]);
    }
}

static tp_err first_error(const tp_policy *p)
{
    for (size_t i = 0; i < p->ndiags; i++)
        if (p->diags[i].severity == TP_SEV_ERROR)
            return p->diags[i].code == TP_OK ? TP_ERR_INVALID : p->diags[i].code;
    return p->nerrors ? TP_ERR_INVALID : TP_OK;
}

static tp_policy *finish(lctx *c, tp_err *err)
{
    tp_policy *p = c->p;
    add_profile(c);
    /* Check the merged result even when single values were refused, so
     * that one run reports every problem (refused values are simply
     * absent from the merge). */
    tp_validate_resolved(p);
    p->fallback = p->nerrors > 0;
    lctx_free(c);
    if (err)
        *err = first_error(p);
    return p;
}

static tp_policy *policy_new(const tp_load_opts *o)
{
    tp_policy *p = calloc(1, sizeof(*p));
    if (p)
        p->openssl_version = o ? o->openssl_version : 0;
    return p;
}

tp_policy *tp_policy_load(const tp_load_opts *opts, tp_err *err)
{
    static const tp_load_opts none;
    const tp_load_opts *o = opts ? opts : &none;
    lctx c = {0};
    tp_policy *p = policy_new(o);
    if (p == NULL || setup_dirs(&c, o) < 0) {
        lctx_free(&c);
        tp_policy_free(p);
        if (err)
            *err = TP_ERR_NOMEM;
        return NULL;
    }
    c.p = p;
    tp_policy_where where;
    const tp_policy_rules rules = { .option = o->policy_file, .root = c.root };
    char *path = NULL;
    if (tp_policy_locate(&rules, &where) == 0) {
        path = where.path;
        where.path = NULL;
        tp_policy_where_free(&where);
    }
    if (path == NULL) {
        lctx_free(&c);
        tp_policy_free(p);
        if (err)
            *err = TP_ERR_NOMEM;
        return NULL;
    }
    int r = add_file(&c, TP_O_FILE, NULL, path, o->policy_file != NULL, NULL);
    if (r != 0)
        p->policy_file = path;
    if (!o->no_dropins)
        add_dropins(&c, path);
    if (r == 0)
        free(path);
    return finish(&c, err);
}

tp_policy *tp_policy_load_buffer(const tp_load_opts *opts, const char *name, const char *text,
                                 size_t len, tp_err *err)
{
    static const tp_load_opts none;
    const tp_load_opts *o = opts ? opts : &none;
    lctx c = {0};
    tp_policy *p = policy_new(o);
    if (p == NULL || setup_dirs(&c, o) < 0 || text == NULL) {
        lctx_free(&c);
        tp_policy_free(p);
        if (err)
            *err = text == NULL ? TP_ERR_ARG : TP_ERR_NOMEM;
        return NULL;
    }
    c.p = p;
    p->policy_file = strdup(name ? name : "<buffer>");
    if (len > TP_MAX_FILE_BYTES)
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_TOOBIG, p->policy_file, 0,
                    "text is %zu bytes; the limit is %u", len, TP_MAX_FILE_BYTES);
    else
        add_text(&c, TP_O_FILE, NULL, p->policy_file, text, len, NULL);
    return finish(&c, err);
}

tp_policy *tp_policy_builtin(void)
{
    return policy_new(NULL);
}

void tp_policy_free(tp_policy *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nlayers; i++)
        tp_layer_free(p->layers[i]);
    for (size_t i = 0; i < p->napps; i++)
        tp_layer_free(p->apps[i]);
    for (size_t i = 0; i < p->ndropins; i++)
        free(p->dropins[i]);
    for (size_t i = 0; i < p->nstrs; i++)
        free(p->strs[i]);
    free(p->layers);
    free(p->apps);
    free(p->dropins);
    free(p->strs);
    free(p->diags);
    free(p->policy_file);
    free(p);
}

int tp_policy_is_fallback(const tp_policy *p)
{
    return p ? p->fallback : 1;
}

const char *tp_policy_file(const tp_policy *p)
{
    return p ? p->policy_file : NULL;
}

size_t tp_policy_ndropins(const tp_policy *p)
{
    return p ? p->ndropins : 0;
}

const char *tp_policy_dropin(const tp_policy *p, size_t i)
{
    return p && i < p->ndropins ? p->dropins[i] : NULL;
}

size_t tp_policy_napps(const tp_policy *p)
{
    return p ? p->napps : 0;
}

const char *tp_policy_app_match(const tp_policy *p, size_t i, const char **file, int *line)
{
    if (p == NULL || i >= p->napps)
        return NULL;
    if (file)
        *file = p->apps[i]->file;
    if (line)
        *line = p->apps[i]->line;
    return p->apps[i]->name;
}
