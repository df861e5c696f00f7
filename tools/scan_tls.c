/*
 * scan_tls.c - the attempts of `scan` against a running server.
 *
 * The plan comes from the resolved policy and the library's name tables:
 * each version below the floor; each TLS 1.2 suite this OpenSSL can offer
 * that the rendered CipherString leaves out, one attempt per family (all
 * the family's suites offered at once); the TLS 1.3 suites the policy
 * leaves out; a TLS 1.2 handshake offering only SHA-1 signature
 * algorithms; each group outside the list. Before them a wide reference
 * handshake (does the server speak TLS at all, what does it choose, which
 * chain does it send) and a handshake with the policy's own client
 * settings (does something the policy allows work).
 *
 * Every socket is non-blocking; connect, STARTTLS and the handshake of an
 * attempt share one deadline (poll), so a server that accepts and says
 * nothing costs one timeout per attempt, and after three such attempts in
 * a row the scan gives up. Nothing loops without a bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "cli.h"
#include "scan.h"

static OSSL_LIB_CTX *libctx;
static OSSL_PROVIDER *prov_default, *prov_legacy;

/* Module of the policy mapped into this process: it would hook our
 * SSL_CTXs (ex_data callbacks), so the scan would judge the policy with
 * the policy's own hands. */
static int module_mapped(void)
{
    FILE *f = fopen("/proc/self/maps", "re");
    char line[4096];
    int found = 0;
    if (f == NULL)
        return 0;
    while (!found && fgets(line, sizeof(line), f)) {
        const char *slash = strrchr(line, '/');
        found = slash && strncmp(slash + 1, "tlspolicy", 9) == 0 && strstr(slash, ".so");
    }
    fclose(f);
    return found;
}

int scan_init(char *err, size_t errlen)
{
    /* OpenSSL reads its configuration once per process, at the first init:
     * this being the first, no openssl.cnf (and so no tlspolicy module) is
     * ever loaded here. */
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
    /* libssl writes with write(2): a server that hung up must not kill us. */
    signal(SIGPIPE, SIG_IGN);
    if (module_mapped()) {
        snprintf(err, errlen, "the tlspolicy module is loaded in this process; a scan"
                              " would be judged by the policy under test");
        return -1;
    }
    libctx = OSSL_LIB_CTX_new();
    prov_default = libctx ? OSSL_PROVIDER_load(libctx, "default") : NULL;
    if (prov_default == NULL) {
        snprintf(err, errlen, "cannot load OpenSSL's default provider");
        scan_cleanup();
        return -1;
    }
    /* RC4, SEED, IDEA, DES: offered only if the legacy provider exists. */
    ERR_set_mark();
    prov_legacy = OSSL_PROVIDER_load(libctx, "legacy");
    ERR_pop_to_mark();
    return 0;
}

void scan_cleanup(void)
{
    if (prov_legacy)
        OSSL_PROVIDER_unload(prov_legacy);
    if (prov_default)
        OSSL_PROVIDER_unload(prov_default);
    OSSL_LIB_CTX_free(libctx);
    prov_legacy = prov_default = NULL;
    libctx = NULL;
}

const scan_attempt *scan_find(const scan_result *res, const char *kind)
{
    for (int i = 0; i < res->n; i++)
        if (strcmp(res->a[i].kind, kind) == 0)
            return &res->a[i];
    return NULL;
}

/* ---- time and sockets ---------------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 ready, 0 deadline passed, -1 error */
static int wait_fd(int fd, short ev, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = ev};
        int rc = poll(&p, 1, (int)left);
        if (rc > 0)
            return 1;
        if (rc == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

typedef struct target {
    const scan_opts *o;
    struct addrinfo *ai;
    struct addrinfo *good;   /* the address that answered */
    int timeouts;            /* attempts in a row that got no answer */
    int is_ip;
} target;

static int try_connect(const struct addrinfo *a, int64_t deadline, char *err, size_t len)
{
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
        snprintf(err, len, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            snprintf(err, len, "%s", strerror(errno));
            close(fd);
            return -1;
        }
        int w = wait_fd(fd, POLLOUT, deadline), soerr = 0;
        socklen_t sl = sizeof(soerr);
        if (w == 0) {
            snprintf(err, len, "no answer (connect timed out)");
            close(fd);
            return -1;
        }
        if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr) {
            snprintf(err, len, "%s", strerror(w < 0 ? errno : soerr ? soerr : errno));
            close(fd);
            return -1;
        }
    }
    return fd;
}

static int tcp_connect(target *t, int64_t deadline, char *err, size_t len)
{
    if (t->good)
        return try_connect(t->good, deadline, err, len);
    for (struct addrinfo *a = t->ai; a; a = a->ai_next) {
        int fd = try_connect(a, deadline, err, len);
        if (fd >= 0) {
            t->good = a;
            return fd;
        }
    }
    return -1;
}

static int send_all(int fd, const char *s, int64_t deadline)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w > 0) {
            s += w;
            n -= (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(fd, POLLOUT, deadline) <= 0)
                return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

/* One line (CRLF or LF stripped). 0, or -1 with err set. */
static int read_line(int fd, char *buf, size_t len, int64_t deadline, char *err, size_t elen)
{
    size_t n = 0;
    for (;;) {
        char ch;
        ssize_t r = recv(fd, &ch, 1, 0);
        if (r == 1) {
            if (ch == '\n')
                break;
            if (n + 1 < len)
                buf[n++] = ch;
            else if (n >= 4096) /* a line this long is not SMTP or IMAP */
                break;
            continue;
        }
        if (r == 0) {
            snprintf(err, elen, "the server closed the connection");
            return -1;
        }
        if (errno == EAGAIN || errno == EINTR) {
            int w = wait_fd(fd, POLLIN, deadline);
            if (w == 0)
                snprintf(err, elen, "no answer within the timeout");
            else if (w < 0)
                snprintf(err, elen, "%s", strerror(errno));
            if (w <= 0)
                return -1;
            continue;
        }
        snprintf(err, elen, "%s", strerror(errno));
        return -1;
    }
    if (n && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return 0;
}

/* SMTP reply lines "CODE-text" ... "CODE text": 0 if the code is want. */
static int smtp_reply(int fd, const char *want, int64_t deadline, char *err, size_t elen)
{
    char line[1024];
    for (int i = 0; i < 64; i++) {
        if (read_line(fd, line, sizeof(line), deadline, err, elen) != 0)
            return -1;
        if (strncmp(line, want, 3) != 0) {
            snprintf(err, elen, "STARTTLS (smtp): the server said \"%.200s\"", line);
            return -1;
        }
        if (line[3] != '-')
            return 0;
    }
    snprintf(err, elen, "STARTTLS (smtp): reply too long");
    return -1;
}

static int starttls(int fd, int proto, int64_t deadline, char *err, size_t elen)
{
    char line[1024];
    if (proto == SCAN_STARTTLS_SMTP) {
        if (smtp_reply(fd, "220", deadline, err, elen) != 0
            || send_all(fd, "EHLO tlspolicy-scan\r\n", deadline) != 0
            || smtp_reply(fd, "250", deadline, err, elen) != 0
            || send_all(fd, "STARTTLS\r\n", deadline) != 0
            || smtp_reply(fd, "220", deadline, err, elen) != 0) {
            if (!err[0])
                snprintf(err, elen, "STARTTLS (smtp): cannot send");
            return -1;
        }
        return 0;
    }
    if (read_line(fd, line, sizeof(line), deadline, err, elen) != 0)
        return -1;
    if (strncmp(line, "* OK", 4) != 0) {
        snprintf(err, elen, "STARTTLS (imap): the server said \"%.200s\"", line);
        return -1;
    }
    if (send_all(fd, "t1 STARTTLS\r\n", deadline) != 0) {
        snprintf(err, elen, "STARTTLS (imap): cannot send");
        return -1;
    }
    for (int i = 0; i < 64; i++) {
        if (read_line(fd, line, sizeof(line), deadline, err, elen) != 0)
            return -1;
        if (strncmp(line, "t1 ", 3) != 0)
            continue;
        if (strncmp(line, "t1 OK", 5) == 0)
            return 0;
        snprintf(err, elen, "STARTTLS (imap): the server said \"%.200s\"", line);
        return -1;
    }
    snprintf(err, elen, "STARTTLS (imap): no answer to STARTTLS");
    return -1;
}

/* ---- one handshake -------------------------------------------------------------- */

static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg)
{
    (void)version, (void)buf, (void)len, (void)ssl;
    if (!write_p && (content_type == SSL3_RT_HANDSHAKE || content_type == SSL3_RT_ALERT))
        *(int *)arg = 1;
}

static void ssl_error(char *buf, size_t len, const char *fallback)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    snprintf(buf, len, "%s", r ? r : fallback);
    ERR_clear_error();
}

static const char *hash_name(int nid)
{
    if (nid == NID_undef)
        return "";
    const char *sn = OBJ_nid2sn(nid);
    return sn ? sn : "?";
}

static uint32_t hash_bit(int nid)
{
    switch (nid) {
    case NID_md5: return TP_H_MD5;
    case NID_sha1: return TP_H_SHA1;
    case NID_sha224: return TP_H_SHA224;
    case NID_sha256: return TP_H_SHA256;
    case NID_sha384: return TP_H_SHA384;
    case NID_sha512: return TP_H_SHA512;
    case NID_md5_sha1: return TP_H_MD5_SHA1;
    default: return 0;
    }
}

/* The certificates the server sent, judged against the floors. */
static void judge_chain(SSL *ssl, const tp_floors *fl, scan_result *res)
{
    STACK_OF(X509) *sk = SSL_get_peer_cert_chain(ssl);
    for (int i = 0; i < sk_X509_num(sk) && res->nchain < SCAN_MAX_CHAIN; i++) {
        X509 *x = sk_X509_value(sk, i);
        scan_cert *c = &res->chain[res->nchain++];
        EVP_PKEY *k = X509_get0_pubkey(x);
        int mdnid = NID_undef, pknid = NID_undef, min = 0;

        memset(c, 0, sizeof(*c));
        X509_NAME_oneline(X509_get_subject_name(x), c->subject, sizeof(c->subject));
        c->self_signed = X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
        c->bits = k ? EVP_PKEY_get_bits(k) : 0;
        if (k && (EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_is_a(k, "RSA-PSS"))) {
            snprintf(c->key, sizeof(c->key), "RSA");
            min = fl->min_rsa_bits;
        } else if (k && EVP_PKEY_is_a(k, "EC")) {
            snprintf(c->key, sizeof(c->key), "EC");
            min = fl->min_ec_bits;
        } else if (k && EVP_PKEY_is_a(k, "DSA")) {
            snprintf(c->key, sizeof(c->key), "DSA");
            min = fl->min_dsa_bits;
        } else {
            snprintf(c->key, sizeof(c->key), "%s", k ? EVP_PKEY_get0_type_name(k) : "?");
        }
        X509_get_signature_info(x, &mdnid, &pknid, NULL, NULL);
        snprintf(c->sig_hash, sizeof(c->sig_hash), "%s", hash_name(mdnid));
        if (min && c->bits < min) {
            c->leaf_key_low = i == 0;
            snprintf(c->problem, sizeof(c->problem),
                     i == 0 ? "the server's %s key of %d bits is below the policy minimum of %d"
                              " (OpenSSL: \"ee key too small\")"
                            : "%s key of %d bits is below the policy minimum of %d",
                     c->key, c->bits, min);
        } else if (!c->self_signed && (hash_bit(mdnid) & fl->forbidden_hashes)) {
            char hash[sizeof(c->sig_hash)]; /* a copy: gcc -O0 sees an overlap */
            memcpy(hash, c->sig_hash, sizeof(hash));
            snprintf(c->problem, sizeof(c->problem), "signed with %.*s, which the policy forbids",
                     (int)sizeof(hash) - 1, hash);
        }
        if (c->problem[0])
            res->chain_problems++;
    }
}

typedef struct hs {
    SSL_CTX *ctx;
    scan_attempt *a;
    const tp_floors *fl;   /* non-NULL: judge the chain into res */
    scan_result *res;
    SSL *ssl;              /* the connection, while handshake runs */
    int fd;
    int64_t deadline;      /* for connect, STARTTLS and the handshake */
} hs;

/* STARTTLS on h->fd, as the options ask; err is the buffer connecting
 * wrote to (a failed SMTP send leaves its text). 0, or -1 with a->error set. */
static int attempt_starttls(const target *t, hs *h, char *err, size_t len)
{
    scan_attempt *a = h->a;
    const scan_opts *o = t->o;

    if (starttls(h->fd, o->starttls, h->deadline, err, len) == 0)
        return 0;
    const char *proto = o->starttls == SCAN_STARTTLS_SMTP ? "smtp" : "imap";
    if (strncmp(err, "STARTTLS", 8) == 0)
        snprintf(a->error, sizeof(a->error), "%s", err);
    else
        snprintf(a->error, sizeof(a->error), "STARTTLS (%s): %.200s", proto, err);
    return -1;
}

/* SSL_connect until it completes, fails or the deadline passes (counted
 * in t->timeouts). 0 when it completed, -1 with a->error set. */
static int shake(target *t, hs *h)
{
    scan_attempt *a = h->a;
    for (;;) {
        int rc = SSL_connect(h->ssl);
        if (rc == 1)
            break;
        int e = SSL_get_error(h->ssl, rc), w;
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            w = wait_fd(h->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, h->deadline);
            if (w > 0)
                continue;
            snprintf(a->error, sizeof(a->error), "%s",
                     w == 0 ? "no answer within the timeout" : strerror(errno));
            if (w == 0)
                t->timeouts++;
            return -1;
        }
        if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
            snprintf(a->error, sizeof(a->error), "the server closed the connection%s%s",
                     errno ? ": " : "", errno ? strerror(errno) : "");
        else
            ssl_error(a->error, sizeof(a->error), "handshake failed");
        t->timeouts = 0;
        return -1;
    }
    t->timeouts = 0;
    return 0;
}

/* What the completed handshake negotiated into a, the chain into res. */
static void record_accepted(hs *h)
{
    scan_attempt *a = h->a;
    SSL *ssl = h->ssl;

    a->accepted = 1;
    snprintf(a->version, sizeof(a->version), "%s", SSL_get_version(ssl));
    snprintf(a->cipher, sizeof(a->cipher), "%s", SSL_get_cipher_name(ssl));
    int g = SSL_get_negotiated_group(ssl);
    const char *gn = g > 0 ? SSL_group_to_name(ssl, g) : NULL;
    snprintf(a->group, sizeof(a->group), "%s", gn ? gn : "");
    int md = NID_undef;
    if (SSL_get_peer_signature_nid(ssl, &md))
        snprintf(a->sig_hash, sizeof(a->sig_hash), "%s", hash_name(md));
    if (h->fl && h->res->nchain == 0)
        judge_chain(ssl, h->fl, h->res);
    SSL_shutdown(ssl); /* non-blocking: sends close_notify, does not wait */
}

/* Connect and shake hands with a->ctx; fills a. */
static void handshake(target *t, hs *h)
{
    scan_attempt *a = h->a;
    const scan_opts *o = t->o;
    char err[256] = "";

    h->deadline = now_ms() + o->timeout_ms;
    h->ssl = NULL;
    h->fd = tcp_connect(t, h->deadline, err, sizeof(err));
    a->tried = 1;
    if (h->fd < 0) {
        snprintf(a->error, sizeof(a->error), "cannot connect: %.200s", err);
        return;
    }
    if (o->starttls && attempt_starttls(t, h, err, sizeof(err)) != 0)
        goto out;
    h->ssl = SSL_new(h->ctx);
    if (h->ssl == NULL || !SSL_set_fd(h->ssl, h->fd)) {
        ssl_error(a->error, sizeof(a->error), "SSL_new failed");
        goto out;
    }
    SSL_set_msg_callback(h->ssl, msg_cb);
    SSL_set_msg_callback_arg(h->ssl, &a->tls_seen);
    if (!t->is_ip)
        SSL_set_tlsext_host_name(h->ssl, o->host);
    if (shake(t, h) == 0)
        record_accepted(h);
out:
    ERR_clear_error();
    SSL_free(h->ssl);
    h->ssl = NULL;
    close(h->fd);
}

/* ---- the plan ------------------------------------------------------------------------ */

static SSL_CTX *client_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new_ex(libctx, NULL, TLS_client_method());
    if (ctx == NULL)
        return NULL;
    /* Offer what the attempt asks for, whatever OpenSSL's own level says;
     * the server's answer is what is measured. */
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_min_proto_version(ctx, 0);
    SSL_CTX_set_max_proto_version(ctx, 0);
    return ctx;
}

static scan_attempt *new_attempt(scan_result *res, const char *kind, int forbidden,
                                 const char *name, const char *what)
{
    if (res->n >= SCAN_MAX_ATTEMPTS)
        return NULL;
    scan_attempt *a = &res->a[res->n++];
    memset(a, 0, sizeof(*a));
    a->kind = kind;
    a->forbidden = forbidden;
    snprintf(a->name, sizeof(a->name), "%s", name);
    snprintf(a->what, sizeof(a->what), "%s", what);
    return a;
}

int scan_in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ':');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && strncmp(p, name, n) == 0)
            return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

/* Append s to the ':'-separated list in dst, cut at its size. */
static void list_join(char *dst, size_t size, const char *s)
{
    size_t n = strlen(dst);

    snprintf(dst + n, size - n, "%s%s", n > 0 ? ":" : "", s);
}

/* Why a TLS 1.2 suite is not in the policy, as the family the attempt is
 * named after: the library's table knows the suite's parts. */
static void suite_family(const tp_resolved *r, const SSL_CIPHER *c, char *buf, size_t len)
{
    uint16_t id = (uint16_t)(SSL_CIPHER_get_id(c) & 0xFFFF);
    tp_suite12_info info;
    const tp_suite12_info *su = tp_suite12_by_id(id, &info) == 0 ? &info : NULL;
    if (SSL_CIPHER_get_auth_nid(c) == NID_auth_null) {
        snprintf(buf, len, "anonymous");
    } else if (su && !tp_resolved_list_has(r, TP_K_TLS_CIPHERS, su->cipher)) {
        snprintf(buf, len, "%s", su->cipher);
    } else if (su && !tp_resolved_list_has(r, TP_K_TLS_KEX, su->kex)) {
        snprintf(buf, len, "key exchange %s", su->kex);
    } else if (su && !tp_resolved_list_has(r, TP_K_TLS_MACS, su->mac)) {
        snprintf(buf, len, "%s", su->mac);
    } else if (su) {
        snprintf(buf, len, "%s authentication", su->auth);
    } else {
        int nid = SSL_CIPHER_get_cipher_nid(c);
        const char *sn = nid == NID_undef ? "NULL" : OBJ_nid2sn(nid);
        snprintf(buf, len, "%s", sn ? sn : "?");
        for (char *p = buf; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
    }
}

#define MAX_FAM 24

static void plan_ciphers(const tp_resolved *r, const tp_ossl_settings *s, scan_result *res)
{
    SSL_CTX *ctx = client_ctx();
    const char *allowed = tp_ossl_get(s, "CipherString");
    char fam[MAX_FAM][64];
    char list[MAX_FAM][sizeof(((scan_attempt *)0)->offered)];
    int nfam = 0;

    memset(list, 0, sizeof(list));
    if (ctx == NULL || !SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0")) {
        SSL_CTX_free(ctx);
        ERR_clear_error();
        return;
    }
    STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
    for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
        const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
        int kx = SSL_CIPHER_get_kx_nid(c);
        if (strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") == 0 || scan_in_list(allowed, SSL_CIPHER_get_name(c)))
            continue;
        /* A client offers PSK and SRP suites only with credentials. */
        if (kx == NID_kx_psk || kx == NID_kx_ecdhe_psk || kx == NID_kx_dhe_psk
            || kx == NID_kx_rsa_psk || kx == NID_kx_srp)
            continue;
        char f[64];
        suite_family(r, c, f, sizeof(f));
        int k = 0;
        while (k < nfam && strcmp(fam[k], f) != 0)
            k++;
        if (k == nfam) {
            if (nfam == MAX_FAM)
                continue;
            snprintf(fam[nfam++], sizeof(fam[0]), "%s", f);
        }
        list_join(list[k], sizeof(list[k]), SSL_CIPHER_get_name(c));
    }
    for (int k = 0; k < nfam; k++) {
        char name[64], what[160];
        snprintf(name, sizeof(name), "cipher:%.50s", fam[k]);
        snprintf(what, sizeof(what), "TLS 1.2 suites of family %.60s", fam[k]);
        scan_attempt *a = new_attempt(res, "cipher", 1, name, what);
        if (a)
            memcpy(a->offered, list[k], sizeof(a->offered)); /* same size, terminated */
    }
    SSL_CTX_free(ctx);
}

/* The two handshakes every scan makes first: the wide reference and the
 * policy's own settings. */
static void plan_first(scan_result *res)
{
    new_attempt(res, "reference", 0, "reference", "a wide client (any version, every suite)");
    new_attempt(res, "allowed", 0, "allowed", "a client with the policy's settings");
}

/* Each version below the floor. */
static void plan_versions(const tp_floors *fl, scan_result *res)
{
    static const struct { int v; const char *n; } vers[] = {
        {TLS1_VERSION, "TLSv1"}, {TLS1_1_VERSION, "TLSv1.1"}, {TLS1_2_VERSION, "TLSv1.2"},
    };
    char what[160], name[64];
    scan_attempt *a;

    for (size_t i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
        if (vers[i].v >= fl->min_tls)
            continue;
        snprintf(name, sizeof(name), "version:%s", vers[i].n);
        snprintf(what, sizeof(what), "%s (below the floor %s)", vers[i].n,
                 tp_version_name(fl->min_tls));
        if ((a = new_attempt(res, "version", 1, name, what)))
            snprintf(a->offered, sizeof(a->offered), "%s", vers[i].n);
    }
}

/* The TLS 1.3 suites outside the policy's list, in one attempt. */
static void plan_ciphers13(const tp_resolved *r, scan_result *res)
{
    char l13[sizeof(((scan_attempt *)0)->offered)] = "";
    tp_name_info n;
    scan_attempt *a;

    for (size_t i = 0; tp_name_info_at(TP_N_CIPHERSUITE, i, &n) == 0; i++)
        if (!tp_resolved_list_has(r, TP_K_TLS_CIPHERSUITES, n.name))
            list_join(l13, sizeof(l13), n.name);
    if (l13[0] && (a = new_attempt(res, "cipher13", 1, "ciphersuites",
                                   "TLS 1.3 suites outside the policy's list")))
        snprintf(a->offered, sizeof(a->offered), "%s", l13);
}

/* Each group outside the policy's list that this OpenSSL can offer. */
static void plan_groups(const tp_resolved *r, scan_result *res)
{
    /* Groups: the library's table, plus curves it has no name for (a policy
     * cannot allow them, the provider withholds them). */
    static const char *const extra[] = {"secp224r1", "secp256k1", "secp192r1"};
    size_t ngroups = tp_name_count(TP_N_GROUP);
    char what[160], name[64];
    scan_attempt *a;

    for (size_t i = 0; i < ngroups + sizeof(extra) / sizeof(extra[0]); i++) {
        tp_name_info g = {.name = i < ngroups ? NULL : extra[i - ngroups]};
        if (i < ngroups)
            tp_name_info_at(TP_N_GROUP, i, &g);
        const char *iana = g.name;
        const char *ossl = i < ngroups ? g.openssl : iana;
        if (i < ngroups && (tp_resolved_list_has(r, TP_K_TLS_GROUPS, iana)
                            || g.min_openssl > OpenSSL_version_num()))
            continue;
        SSL_CTX *ctx = client_ctx();
        int known = ctx && SSL_CTX_set1_groups_list(ctx, ossl);
        SSL_CTX_free(ctx);
        ERR_clear_error();
        if (!known)
            continue;
        snprintf(name, sizeof(name), "group:%s", iana);
        snprintf(what, sizeof(what), "group %s (not in the policy's list)", iana);
        if ((a = new_attempt(res, "group", 1, name, what)))
            snprintf(a->offered, sizeof(a->offered), "%s", ossl);
    }
}

/* Every attempt of a full scan, in the order they run. */
static void plan(const tp_resolved *r, const tp_ossl_settings *s, const tp_floors *fl,
                 scan_result *res)
{
    scan_attempt *a;

    plan_first(res);
    plan_versions(fl, res);
    plan_ciphers(r, s, res);
    plan_ciphers13(r, res);
    if (fl->forbidden_hashes & TP_H_SHA1)
        if ((a = new_attempt(res, "sigalgs", 1, "sha1_signatures",
                             "TLS 1.2 with only SHA-1 signature algorithms")))
            snprintf(a->offered, sizeof(a->offered), "RSA+SHA1:ECDSA+SHA1:DSA+SHA1");
    plan_groups(r, res);
}

/* The policy's own rendered commands on ctx, as the module applies them.
 * 1, or 0 (a->error says which command OpenSSL refused, if one did). */
static int ctx_allowed(SSL_CTX *ctx, scan_attempt *a, const tp_ossl_settings *s)
{
    SSL_CONF_CTX *cc = SSL_CONF_CTX_new();
    int ok = cc != NULL;
    if (ok) {
        SSL_CONF_CTX_set_flags(cc, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT);
        SSL_CONF_CTX_set_ssl_ctx(cc, ctx);
    }
    for (size_t i = 0; ok && i < s->ncmds; i++) {
        const char *cmd = s->cmds[i].cmd;
        if (!s->cmds[i].value || strncmp(cmd, "DTLS.", 5) == 0 || strcmp(cmd, "VerifyMode") == 0)
            continue;
        /* As OpenSSL's ssl_conf module reads "TLS.MinProtocol". */
        const char *dot = strchr(cmd, '.');
        if (SSL_CONF_cmd(cc, dot ? dot + 1 : cmd, s->cmds[i].value) <= 0) {
            char why[128];
            ssl_error(why, sizeof(why), "unknown");
            snprintf(a->error, sizeof(a->error), "OpenSSL refuses the policy's %s = %.80s (%s)",
                     cmd, s->cmds[i].value, why);
            ok = 0;
        }
    }
    if (ok)
        SSL_CONF_CTX_finish(cc);
    SSL_CONF_CTX_free(cc);
    return ok;
}

/* Only the version a->offered names. 1, or 0. */
static int ctx_version(SSL_CTX *ctx, const scan_attempt *a)
{
    int v = strcmp(a->offered, "TLSv1") == 0 ? TLS1_VERSION
            : strcmp(a->offered, "TLSv1.1") == 0 ? TLS1_1_VERSION : TLS1_2_VERSION;
    return SSL_CTX_set_min_proto_version(ctx, v) && SSL_CTX_set_max_proto_version(ctx, v)
           && SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
}

/* Only the TLS 1.3 suites of a->offered this OpenSSL has (a->offered is
 * cut to them). 1, or 0. */
static int ctx_ciphers13(SSL_CTX *ctx, scan_attempt *a)
{
    /* One by one: a name this OpenSSL lacks must not spoil the rest. */
    char l[sizeof(a->offered)] = "";
    char one[128];
    for (const char *p = a->offered; p && *p;) {
        const char *e = strchr(p, ':');
        snprintf(one, sizeof(one), "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
        if (SSL_CTX_set_ciphersuites(ctx, one))
            list_join(l, sizeof(l), one);
        p = e ? e + 1 : NULL;
    }
    int ok = l[0] && SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION)
             && SSL_CTX_set_ciphersuites(ctx, l);
    if (l[0])
        snprintf(a->offered, sizeof(a->offered), "%s", l);
    return ok;
}

/* Only the group a->offered names. 1, or 0. */
static int ctx_group(SSL_CTX *ctx, const scan_attempt *a)
{
    /* TLS 1.2-only curves (RFC 8446 4.2.7 leaves them out of TLS 1.3):
     * a TLS 1.3 client would refuse to offer them alone. */
    tp_name_info g;
    int tls12 = tp_name_info_find(TP_N_GROUP, a->name + 6, &g) != 0 || g.tls12_only;
    return SSL_CTX_set_cipher_list(ctx, tls12 ? "ECDHE:@SECLEVEL=0" : "ALL:@SECLEVEL=0")
           && (!tls12 || SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION))
           && SSL_CTX_set1_groups_list(ctx, a->offered);
}

/* Set ctx up to offer what attempt a is about. 1, or 0. */
static int ctx_offer(SSL_CTX *ctx, scan_attempt *a, const tp_ossl_settings *s)
{
    const char *k = a->kind;

    if (strcmp(k, "reference") == 0)
        return SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
    if (strcmp(k, "allowed") == 0)
        return ctx_allowed(ctx, a, s);
    if (strcmp(k, "version") == 0)
        return ctx_version(ctx, a);
    if (strcmp(k, "cipher") == 0) {
        char list[1100];
        snprintf(list, sizeof(list), "%s:@SECLEVEL=0", a->offered);
        return SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION)
               && SSL_CTX_set_cipher_list(ctx, list);
    }
    if (strcmp(k, "cipher13") == 0)
        return ctx_ciphers13(ctx, a);
    if (strcmp(k, "sigalgs") == 0)
        return SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION)
               && SSL_CTX_set_cipher_list(ctx, "ALL:!kRSA:!aNULL:!PSK:!SRP:@SECLEVEL=0")
               && SSL_CTX_set1_sigalgs_list(ctx, a->offered);
    if (strcmp(k, "group") == 0)
        return ctx_group(ctx, a);
    return 1;
}

/* The client context of an attempt; NULL with a->error set. */
static SSL_CTX *attempt_ctx(scan_attempt *a, const tp_ossl_settings *s)
{
    SSL_CTX *ctx = client_ctx();
    int ok = ctx != NULL && ctx_offer(ctx, a, s);

    if (!ok) {
        if (!a->error[0])
            ssl_error(a->error, sizeof(a->error), "this OpenSSL cannot offer it");
        SSL_CTX_free(ctx);
        ERR_clear_error();
        return NULL;
    }
    return ctx;
}

/* Did the handshake use what the attempt offered? If not, it proves
 * nothing about it. */
static void check_got(scan_attempt *a)
{
    const char *k = a->kind;
    char why[200] = "";
    if (!a->accepted)
        return;
    if (strcmp(k, "cipher") == 0 || strcmp(k, "cipher13") == 0) {
        if (!scan_in_list(a->offered, a->cipher))
            snprintf(why, sizeof(why), "negotiated %s instead", a->cipher);
    } else if (strcmp(k, "version") == 0) {
        if (strcmp(a->version, a->offered) != 0)
            snprintf(why, sizeof(why), "negotiated %s instead", a->version);
    } else if (strcmp(k, "sigalgs") == 0) {
        if (strcasecmp(a->sig_hash, "SHA1") != 0)
            snprintf(why, sizeof(why), "the server signed with %s", a->sig_hash[0] ? a->sig_hash : "no signature");
    } else if (strcmp(k, "group") == 0) {
        const char *want = tp_name_canonical(TP_N_GROUP, a->offered);
        const char *got = tp_name_canonical(TP_N_GROUP, a->group);
        if (!(want && got && strcmp(want, got) == 0) && strcasecmp(a->group, a->offered) != 0)
            snprintf(why, sizeof(why), "negotiated %s%s", a->group[0] ? "group " : "no group",
                     a->group);
    }
    if (why[0]) {
        a->accepted = 0;
        snprintf(a->error, sizeof(a->error), "%s", why);
    }
}

/* One scan: the policy rendered for the client, the server, the result. */
typedef struct scan_state {
    tp_ossl_settings s; /* the policy's rendered settings */
    tp_floors fl;       /* and its floors */
    target t;           /* the server */
    scan_result *res;
} scan_state;

/* The server's addresses into st->t. 0, or -1 with res->error set. */
static int find_target(const scan_opts *o, scan_state *st)
{
    struct addrinfo hints;
    unsigned char buf[16];

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(o->host, o->port, &hints, &st->t.ai);
    if (gai != 0) {
        snprintf(st->res->error, sizeof(st->res->error), "cannot resolve %s port %s: %s", o->host,
                 o->port, gai_strerror(gai));
        return -1;
    }
    st->t.o = o;
    st->t.is_ip = inet_pton(AF_INET, o->host, buf) == 1 || inet_pton(AF_INET6, o->host, buf) == 1;
    return 0;
}

/* After the reference handshake a: whether there is a TLS server at all.
 * 0 if there is, -1 with res->error set. */
static int judge_reference(const scan_state *st, const scan_attempt *a)
{
    scan_result *res = st->res;

    if (!st->t.good) {
        snprintf(res->error, sizeof(res->error), "%s", a->error);
        return -1;
    }
    res->reachable = 1;
    if (!a->tls_seen && !a->accepted && strncmp(a->error, "STARTTLS", 8) == 0) {
        snprintf(res->error, sizeof(res->error), "%s", a->error);
        return -1;
    }
    if (!a->tls_seen && !a->accepted) {
        if (strcmp(a->error, "no answer within the timeout") == 0)
            snprintf(res->error, sizeof(res->error),
                     "no TLS: no answer to a ClientHello within %g s",
                     st->t.o->timeout_ms / 1000.0);
        else
            snprintf(res->error, sizeof(res->error), "no TLS: the server's answer is not TLS (%s)",
                     a->error[0] ? a->error : "?");
        return -1;
    }
    res->tls = 1;
    return 0;
}

/* Run the planned attempts in order and count the verdicts. 0, or -1 if
 * the reference found no TLS server (res->error says why). */
static int run_attempts(scan_state *st)
{
    scan_result *res = st->res;

    for (int i = 0; i < res->n; i++) {
        scan_attempt *a = &res->a[i];
        if (st->t.timeouts >= 3) {
            snprintf(a->error, sizeof(a->error), "not tried: the server stopped answering");
            continue;
        }
        SSL_CTX *ctx = attempt_ctx(a, &st->s);
        if (ctx == NULL)
            continue;
        hs h = {.ctx = ctx, .a = a, .fl = &st->fl, .res = res};
        handshake(&st->t, &h);
        SSL_CTX_free(ctx);
        check_got(a);
        /* The reference decides whether there is a TLS server at all. */
        if (i == 0 && judge_reference(st, a) != 0)
            return -1;
        if (a->forbidden && a->accepted)
            res->accepted_forbidden++;
        if (strcmp(a->kind, "allowed") == 0)
            res->allowed_ok = a->accepted;
    }
    return 0;
}

int scan_run(const scan_opts *o, const tp_resolved *r, scan_result *res)
{
    scan_state st;
    int rc = -1;

    memset(res, 0, sizeof(*res));
    memset(&st, 0, sizeof(st));
    st.res = res;
    if (tp_render_ossl(r, OpenSSL_version_num(), &st.s) != TP_OK
        || tp_render_floors(r, &st.fl) != TP_OK) {
        snprintf(res->error, sizeof(res->error), "cannot render the policy");
        goto out;
    }
    if (find_target(o, &st) != 0)
        goto out;
    if (o->listener_only)
        plan_first(res);
    else
        plan(r, &st.s, &st.fl, res);
    rc = run_attempts(&st);
out:
    if (st.t.ai)
        freeaddrinfo(st.t.ai);
    tp_ossl_settings_clear(&st.s);
    return rc;
}
