/*
 * probe_run.c - run one measuring process of `probe` (probe_child.c) under
 * an openssl.cnf and collect its records. The process is this very
 * executable, re-run with OPENSSL_CONF in its environment, so that OpenSSL
 * reads that file at its first init as in any program; its stdout is a
 * pipe, its stderr /dev/null.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "probe_int.h"

extern char **environ;

/* ---- what a child reported ---------------------------------------------------- */

void probe_out_free(child_out *o)
{
    for (int i = 0; i < o->n; i++)
        for (int j = 0; j < 5; j++)
            free(o->r[i].f[j]);
    o->n = 0;
}

static void parse_line(child_out *o, char *line)
{
    if (o->n >= MAX_REC || !line[0])
        return;
    rec *r = &o->r[o->n++];
    memset(r, 0, sizeof(*r));
    for (int j = 0; j < 5; j++) {
        char *tab = strchr(line, '\t');
        if (tab)
            *tab = '\0';
        r->f[j] = cli_join(line, "");
        if (!tab)
            break;
        line = tab + 1;
    }
}

const char *probe_find(const child_out *o, const char *kind, const char *a1, const char *a2,
                        int i)
{
    for (int k = 0; k < o->n; k++) {
        const rec *r = &o->r[k];
        if (strcmp(r->f[0], kind) != 0)
            continue;
        if (a1 && (!r->f[1] || strcmp(r->f[1], a1) != 0))
            continue;
        if (a2 && (!r->f[2] || strcmp(r->f[2], a2) != 0))
            continue;
        return r->f[i] ? r->f[i] : "";
    }
    return NULL;
}

const char *probe_setting(const child_out *o, const char *side, const char *key)
{
    return probe_find(o, "set", side, key, 3);
}

/* ---- running a child ------------------------------------------------------------ */

/* env with OPENSSL_CONF (and TLSPOLICY_CONF if tpconf) replaced. */
static char **child_env(const char *cnf, const char *tpconf)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 3, sizeof(*env));
    size_t k = 0;
    if (env == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], "OPENSSL_CONF=", 13) == 0)
            continue;
        if (tpconf && strncmp(environ[i], "TLSPOLICY_CONF=", 15) == 0)
            continue;
        env[k++] = environ[i];
    }
    env[k++] = cli_join("OPENSSL_CONF=", cnf);
    if (tpconf)
        env[k++] = cli_join("TLSPOLICY_CONF=", tpconf);
    env[k] = NULL;
    return env;
}

static void child_env_free(char **env, int extra)
{
    size_t n = 0;
    if (!env)
        return;
    while (env[n])
        n++;
    for (int i = 0; i < extra; i++)
        free(env[n - 1 - (size_t)i]);
    free(env);
}

/* The child's argv: argv0 __probe-child DIR ATTEMPT...; NULL if out of memory. */
static const char **child_argv(const char *argv0, const char *dir, const char *const *attempts,
                               int nattempts)
{
    const char **argv = calloc((size_t)nattempts + 4, sizeof(*argv));
    if (argv == NULL)
        return NULL;
    argv[0] = argv0;
    argv[1] = "__probe-child";
    argv[2] = dir;
    for (int i = 0; i < nattempts; i++)
        argv[3 + i] = attempts[i];
    return argv;
}

/* Fork and exec self with stdout on the pipe fd, stdin and stderr on
 * /dev/null; the pid, or -1 (errno set). */
static pid_t child_start(const char *self, const char **argv, char **env, const int fd[2])
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        dup2(fd[1], 1);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 2);
        }
        execve(self, (char *const *)argv, env);
        _exit(127);
    }
    return pid;
}

/* The records the child writes on fd, into o, until it closes its end. */
static void read_records(int fd, child_out *o)
{
    FILE *f = fdopen(fd, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (f && (len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n')
            line[len - 1] = '\0';
        parse_line(o, line);
    }
    free(line);
    if (f)
        fclose(f);
    else
        close(fd);
}

/* Wait for the child; 0 if it exited 0, else -1 with why in o->err. */
static int child_wait(pid_t pid, child_out *o)
{
    while (waitpid(pid, &o->status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(o->status) || WEXITSTATUS(o->status) != 0) {
        if (WIFSIGNALED(o->status))
            snprintf(o->err, sizeof(o->err), "the probe process died of signal %d",
                     WTERMSIG(o->status));
        else
            snprintf(o->err, sizeof(o->err), "the probe process exited with status %d",
                     WEXITSTATUS(o->status));
        return -1;
    }
    return 0;
}

/* Run one child and collect its records (see probe_int.h). */
int probe_run(const char *self, const char *argv0, const char *cnf, const char *tpconf,
                     const char *dir, const char *const *attempts, int nattempts, child_out *o)
{
    int fd[2];
    char **env = child_env(cnf, tpconf);
    const char **argv = child_argv(argv0, dir, attempts, nattempts);
    pid_t pid = -1;
    int rc = -1;

    memset(o, 0, sizeof(*o));
    if (!env || !argv || pipe2(fd, O_CLOEXEC) != 0)
        goto out;
    pid = child_start(self, argv, env, fd);
    close(fd[1]);
    if (pid < 0) {
        close(fd[0]);
        goto out;
    }
    read_records(fd[0], o);
    rc = child_wait(pid, o);
out:
    if (pid < 0) /* errno is the failed call's */
        snprintf(o->err, sizeof(o->err), "cannot start the probe: %s", strerror(errno));
    child_env_free(env, tpconf ? 2 : 1);
    free(argv);
    return rc;
}
