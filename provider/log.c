/*
 * log.c - rate-limited syslog for the module and the provider.
 *
 * The module runs inside every program, so it must not touch the program's
 * own syslog state: openlog() would change the ident of sshd's or postfix's
 * messages. We therefore speak the syslog datagram protocol to /dev/log
 * ourselves (RFC 3164 framing, as glibc's syslog() does) with our own
 * socket, ident "tlspolicy" and facility LOG_USER, and never print to the
 * program's stderr.
 *
 * Rate limit per message kind (`key`): a burst of TPM_LOG_BURST lines, then
 * at most one line per TPM_LOG_INTERVAL seconds, which says how many were
 * suppressed in between.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "module_conf.h"
#include "tp_module.h"

#define TPM_LOG_PATH "/dev/log"
#define TPM_LOG_BURST 5
#define TPM_LOG_INTERVAL 60 /* seconds */
#define TPM_LOG_KEYS 32
#define TPM_LOG_KEYLEN 32

typedef struct tpm_rate {
    char key[TPM_LOG_KEYLEN];
    unsigned burst;       /* lines sent in the current burst */
    time_t last;          /* when the last line was sent */
    unsigned long missed; /* suppressed since then */
} tpm_rate;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static tpm_rate rates[TPM_LOG_KEYS];
static int log_fd = -1;

/* Program base name for the message prefix, without resolving the policy
 * (logging must work while the state is being resolved). Copied at the
 * first line: programs that rewrite argv[0] later (setproctitle, as nginx
 * does) would otherwise change it under us. Under log_lock. */
static const char *log_prog(void)
{
    extern char *program_invocation_short_name;
    static char name[64];

    if (name[0] == '\0') {
        const char *p = program_invocation_short_name;
        snprintf(name, sizeof(name), "%s", p != NULL && *p != '\0' ? p : "?");
    }
    return name;
}

/* 1: send, 0: suppress. *missed gets the count suppressed before this one. */
static int rate_admit(const char *key, time_t now, unsigned long *missed)
{
    tpm_rate *r = NULL, *oldest = &rates[0];
    size_t i;

    *missed = 0;
    if (key == NULL || *key == '\0')
        return 1;
    for (i = 0; i < TPM_LOG_KEYS; i++) {
        if (rates[i].key[0] == '\0' || strncmp(rates[i].key, key, TPM_LOG_KEYLEN - 1) == 0) {
            r = &rates[i];
            break;
        }
        if (rates[i].last < oldest->last)
            oldest = &rates[i];
    }
    if (r == NULL) { /* table full: recycle the least recently used key */
        r = oldest;
        memset(r, 0, sizeof(*r));
    }
    if (r->key[0] == '\0')
        snprintf(r->key, sizeof(r->key), "%s", key);
    if (now - r->last >= TPM_LOG_INTERVAL)
        r->burst = 0;
    if (r->burst < TPM_LOG_BURST) {
        r->burst++;
        r->last = now;
        *missed = r->missed;
        r->missed = 0;
        return 1;
    }
    r->missed++;
    return 0;
}

static int log_connect(void)
{
    struct sockaddr_un sa;
    int fd;

    if (log_fd >= 0)
        return log_fd;
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, TPM_LOG_PATH, sizeof(TPM_LOG_PATH));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    log_fd = fd;
    return fd;
}

void tpm_log(int priority, const char *key, const char *fmt, ...)
{
    char msg[1024], line[1280], stamp[32];
    unsigned long missed;
    struct tm tm;
    time_t now = time(NULL);
    va_list ap;
    int n, saved_errno = errno;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    pthread_mutex_lock(&log_lock);
    if (!rate_admit(key, now, &missed))
        goto out;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
    n = snprintf(line, sizeof(line), "<%d>%s tlspolicy[%ld]: %s[%ld]: %s",
                 LOG_MAKEPRI(LOG_USER, LOG_PRI(priority)), stamp, (long)getpid(),
                 log_prog(), (long)getpid(), msg);
    if (missed && n > 0 && (size_t)n < sizeof(line))
        snprintf(line + n, sizeof(line) - n, " (%lu similar messages suppressed)", missed);
    if (log_connect() >= 0 && send(log_fd, line, strlen(line), MSG_NOSIGNAL) < 0) {
        /* syslog daemon restarted: reconnect once */
        close(log_fd);
        log_fd = -1;
        if (log_connect() >= 0)
            (void)send(log_fd, line, strlen(line), MSG_NOSIGNAL);
    }
out:
    pthread_mutex_unlock(&log_lock);
    errno = saved_errno;
}

void tpm_log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_fd >= 0)
        close(log_fd);
    log_fd = -1;
    memset(rates, 0, sizeof(rates));
    pthread_mutex_unlock(&log_lock);
}
