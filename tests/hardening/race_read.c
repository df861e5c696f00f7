/*
 * race_read - a policy file rewritten in place (same size, one pwrite(2) at
 * offset 0, no rename: an editor or a careless script) while this process
 * loads it again and again (busy spells of rewriting, then quiet ones).
 * Every load must give the whole old file, the
 * whole new file, or the error "file changed while being read"; never a
 * mix of the two (which could parse: both texts are valid).
 *
 *   race_read SOURCE_DIR LOADS   exit 0 pass, 1 a mix or another error
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tlspolicy.h"

/* Same length; the values sit at both ends of a 12 KiB file (three
 * pages), so a read that tears between pages shows as a mix. */
static char *make(const char *bits, const char *level, size_t len)
{
    char *t = malloc(len + 1), head[128], tail[128];
    int hl = snprintf(head, sizeof(head), "keys = {\n  min_rsa_bits = %s;\n", bits);
    int tl = snprintf(tail, sizeof(tail), "  min_dh_bits = %s;\n};\ntls = { security_level = %s; };\n",
                      bits, level);
    memcpy(t, head, (size_t)hl);
    for (size_t i = (size_t)hl; i < len - (size_t)tl; i++)
        t[i] = (i - (size_t)hl) % 64 == 0 ? '#' : (i - (size_t)hl) % 64 == 63 ? '\n' : '.';
    t[len - (size_t)tl - 1] = '\n';
    memcpy(t + len - tl, tail, (size_t)tl);
    t[len] = '\0';
    return t;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    char dir[] = "/tmp/tp-race-XXXXXX", path[4096], pdir[4096], mdir[4096];
    if (mkdtemp(dir) == NULL)
        return 2;
    snprintf(path, sizeof(path), "%s/policy.conf", dir);
    snprintf(pdir, sizeof(pdir), "%s/packaging/profiles", argv[1]);
    snprintf(mdir, sizeof(mdir), "%s/packaging/modifiers", argv[1]);
    size_t len = 3 * 4096;
    char *a = make("2048", "2", len), *b = make("3072", "3", len);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, a, len) != (ssize_t)len)
        return 2;
    close(fd);

    /* The writer: busy spells of ~30 ms rewriting without a pause, then
     * ~60 ms of quiet (an editor saving, a script looping); it says when
     * it has begun. */
    int sync[2];
    if (pipe(sync) != 0)
        return 2;
    pid_t w = fork();
    if (w == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the test */
        if (getppid() == 1)
            _exit(5);
        int wfd = open(path, O_WRONLY);
        struct timespec t0, t;
        int told = 0;
        for (unsigned long i = 0;;) {
            clock_gettime(CLOCK_MONOTONIC, &t0);
            do {
                if (pwrite(wfd, (i++ & 1) ? b : a, len, 0) != (ssize_t)len)
                    _exit(3);
                clock_gettime(CLOCK_MONOTONIC, &t);
            } while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 30);
            if (!told++ && write(sync[1], "x", 1) != 1)
                _exit(4);
            usleep(60000);
        }
    }
    char x;
    if (read(sync[0], &x, 1) != 1)
        return 2;
    const char *pdirs[] = {pdir, NULL}, *mdirs[] = {mdir, NULL};
    long n = atol(argv[2]), nold = 0, nnew = 0, nchanged = 0, bad = 0;
    for (long i = 0; i < n; i++) {
        tp_load_opts o;
        memset(&o, 0, sizeof(o));
        o.policy_file = path;
        o.profile_dirs = pdirs;
        o.modifier_dirs = mdirs;
        o.no_dropins = 1;
        tp_err err;
        tp_policy *p = tp_policy_load(&o, &err);
        if (p == NULL)
            return 2;
        if (err != TP_OK) {
            const tp_diag *d = tp_policy_diag(p, 0);
            if (d && strcmp(d->message, "file changed while being read") == 0) {
                nchanged++;
            } else {
                bad++;
                fprintf(stderr, "load %ld: unexpected error: %s:%d: %s\n", i,
                        d && d->file ? d->file : "-", d ? d->line : 0, d ? d->message : "?");
            }
        } else {
            tp_resolved *r = tp_policy_resolve(p, NULL, NULL, NULL);
            long rsa = tp_resolved_get_int(r, TP_K_KEYS_RSA), dh = tp_resolved_get_int(r, TP_K_KEYS_DH),
                 lvl = tp_resolved_get_int(r, TP_K_TLS_SECLEVEL);
            if (rsa == 2048 && dh == 2048 && lvl == 2)
                nold++;
            else if (rsa == 3072 && dh == 3072 && lvl == 3)
                nnew++;
            else {
                bad++;
                fprintf(stderr, "load %ld: a MIX: rsa=%ld dh=%ld security_level=%ld\n", i, rsa, dh, lvl);
            }
            tp_resolved_free(r);
        }
        tp_policy_free(p);
    }
    int ws = 0;
    if (waitpid(w, &ws, WNOHANG) == w) {
        fprintf(stderr, "the writer stopped early (status %d)\n", ws);
        bad++;
    }
    kill(w, SIGKILL);
    waitpid(w, NULL, 0);
    unlink(path);
    rmdir(dir);
    free(a);
    free(b);
    printf("%ld loads during in-place rewrites: %ld old, %ld new, %ld \"changed while being read\", %ld bad\n",
           n, nold, nnew, nchanged, bad);
    return bad ? 1 : 0;
}
