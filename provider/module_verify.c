/*
 * module_verify.c - verify.peer = required for every SSL_CTX.
 *
 * system_default refuses VerifyCAFile/VerifyCAPath (it is applied with
 * SSL_CONF_FLAG_FILE only), so the policy's verification reaches SSL_CTXs
 * through an SSL_CTX ex_data new_func: libssl calls it inside every
 * SSL_CTX_new, in any library context, after the cert store exists and
 * before system_default is applied (ssl_lib.c, SSL_CTX_new_ex, 3.0-3.5).
 * There it sets the client's verify mode and gives the store a lookup for
 * the policy's trust anchors. The module does not link libssl: the few
 * libssl functions needed are looked up in the libssl already loaded
 * (module_libssl.c).
 */
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h> /* types and constants only: libssl is not linked */
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "module_conf.h"
#include "module_libssl.h"
#include "tp_module.h"

/*
 * The policy's trust anchors (ca_file, ca_path, or the system store) live in
 * one process-wide X509_STORE, built when a chain first needs it: a CA file is
 * parsed once, directories are hashed-directory lookups, read one
 * certificate at a time when a chain needs it. Each SSL_CTX's store gets a
 * lookup of ours that copies the certificates of one subject from there
 * when chain building asks for that subject (into the SSL_CTX's store,
 * where X509_STORE_CTX_get1_certs looks).
 *
 * The lookup stands back as soon as the SSL_CTX's store holds anything it
 * did not put there: a program that loads its own CA (pinning a private CA,
 * often without a host name check) must not silently start trusting the
 * system store as well. It cannot see a program's own CApath until that
 * directory yielded a certificate; see tlspolicy(7).
 */

typedef X509_STORE *(*tpm_get_store_fn)(const SSL_CTX *ctx);
typedef void (*tpm_set_verify_fn)(SSL_CTX *ctx, int mode, SSL_verify_cb cb);
typedef const SSL_METHOD *(*tpm_get_method_fn)(const SSL_CTX *ctx);
typedef const SSL_METHOD *(*tpm_method_fn)(void);

static pthread_mutex_t vfy_lock = PTHREAD_MUTEX_INITIALIZER;
static int vfy_index = -1;
static int vfy_ready;             /* libssl and the lookup method resolved */
static int vfy_anchors_tried;     /* vfy_anchors built (or tried) */
static char *vfy_ca_file;         /* policy's ca_file, or NULL */
static char *vfy_ca_path;         /* policy's ca_path, or NULL */
static X509_STORE *vfy_anchors;   /* the policy's trust anchors */
static tpm_get_store_fn vfy_get_store;
static tpm_set_verify_fn vfy_set_verify;
static tpm_get_method_fn vfy_get_method;
static const SSL_METHOD *vfy_server_methods[2]; /* TLS_ and DTLS_server_method */
static int vfy_set_mode;          /* the hook sets the client's verify mode */
/* Never freed: every SSL_CTX's store holds a lookup that points at it, and
 * SSL_CTXs may be freed after the module finished. */
static X509_LOOKUP_METHOD *vfy_meth;

static X509_STORE *vfy_anchors_get(void);

static int vfy_by_subject(X509_LOOKUP *lu, X509_LOOKUP_TYPE type, const X509_NAME *name,
                          X509_OBJECT *ret)
{
    X509_STORE *dst = X509_LOOKUP_get_store(lu);
    uintptr_t added = (uintptr_t)X509_LOOKUP_get_method_data(lu);
    X509_STORE_CTX *sctx;
    STACK_OF(X509) *certs = NULL;
    int i, found = 0;

    if (type != X509_LU_X509 || dst == NULL)
        return 0;
    /* The program configured trust of its own: not ours to widen. */
    if ((uintptr_t)sk_X509_OBJECT_num(X509_STORE_get0_objects(dst)) > added)
        return 0;
    pthread_mutex_lock(&vfy_lock);
    if (vfy_anchors_get() != NULL && (sctx = X509_STORE_CTX_new()) != NULL) {
        if (X509_STORE_CTX_init(sctx, vfy_anchors, NULL, NULL))
            certs = X509_STORE_CTX_get1_certs(sctx, (X509_NAME *)name);
        X509_STORE_CTX_free(sctx);
    }
    pthread_mutex_unlock(&vfy_lock);
    for (i = 0; i < sk_X509_num(certs); i++) {
        int before = sk_X509_OBJECT_num(X509_STORE_get0_objects(dst));

        X509_STORE_add_cert(dst, sk_X509_value(certs, i));
        added += (uintptr_t)(sk_X509_OBJECT_num(X509_STORE_get0_objects(dst)) - before);
    }
    X509_LOOKUP_set_method_data(lu, (void *)added);
    if (sk_X509_num(certs) > 0 && X509_STORE_lock(dst)) {
        X509_OBJECT *o = X509_OBJECT_retrieve_by_subject(X509_STORE_get0_objects(dst),
                                                         X509_LU_X509, name);
        X509 *x = o != NULL ? X509_OBJECT_get0_X509(o) : NULL;

        /* Borrowed from dst, as the hashed-directory lookup returns it:
         * X509_STORE_CTX_get_by_subject takes its own reference. */
        if (x != NULL && X509_OBJECT_set1_X509(ret, x)) {
            X509_free(x);
            found = 1;
        }
        X509_STORE_unlock(dst);
    }
    sk_X509_pop_free(certs, X509_free);
    return found;
}

/* A c_rehash'ed directory has names like 5ad8a5d6.0. */
static int dir_is_hashed(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int hashed = 0;

    if (d == NULL)
        return 0;
    while (!hashed && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        hashed = n >= 10 && e->d_name[8] == '.' && strspn(e->d_name, "0123456789abcdef") == 8;
    }
    closedir(d);
    return hashed;
}

static const char *env_or(const char *env, const char *dflt)
{
    const char *v = secure_getenv(env);
    return v != NULL && *v != '\0' ? v : dflt;
}

/* The libssl functions the hook needs (module_libssl.c). Under vfy_lock. */
static void vfy_libssl(void)
{
    void *get, *set, *meth, *srv, *dsrv;

    if (vfy_get_store != NULL)
        return;
    get = tpm_libssl_sym("SSL_CTX_get_cert_store");
    set = tpm_libssl_sym("SSL_CTX_set_verify");
    meth = tpm_libssl_sym("SSL_CTX_get_ssl_method");
    srv = tpm_libssl_sym("TLS_server_method");
    dsrv = tpm_libssl_sym("DTLS_server_method");
    if (get != NULL && set != NULL && meth != NULL && srv != NULL && dsrv != NULL) {
        tpm_method_fn f; /* POSIX: object and function pointers convert */

        memcpy(&vfy_set_verify, &set, sizeof(set));
        memcpy(&vfy_get_method, &meth, sizeof(meth));
        memcpy(&f, &srv, sizeof(srv));
        vfy_server_methods[0] = f();
        memcpy(&f, &dsrv, sizeof(dsrv));
        vfy_server_methods[1] = f();
        memcpy(&vfy_get_store, &get, sizeof(get));
    }
}

int tpm_verify_sets_mode(void)
{
    int r;

    pthread_mutex_lock(&vfy_lock);
    r = vfy_set_mode;
    pthread_mutex_unlock(&vfy_lock);
    return r;
}

/* The anchors, at the first chain that needs them (under vfy_lock): a
 * program that makes SSL_CTXs but never verifies a peer (most servers)
 * never parses a CA file. */
static X509_STORE *vfy_anchors_get(void)
{
    X509_LOOKUP *lu;

    if (vfy_anchors_tried || vfy_index < 0) /* vfy_index < 0: module finished */
        return vfy_anchors;
    vfy_anchors_tried = 1;
    if ((vfy_anchors = X509_STORE_new()) == NULL)
        return NULL;
    ERR_set_mark();
    if (vfy_ca_file != NULL && !X509_STORE_load_file(vfy_anchors, vfy_ca_file))
        tpm_log(LOG_ERR, "verify", "verify.ca_file %s: no certificate could be read", vfy_ca_file);
    if (vfy_ca_path != NULL && !X509_STORE_load_path(vfy_anchors, vfy_ca_path))
        tpm_log(LOG_ERR, "verify", "verify.ca_path %s: cannot be used", vfy_ca_path);
    if (vfy_ca_file == NULL && vfy_ca_path == NULL) {
        /* The system store, lazily through its hashed directory. Where the
         * directory is not hashed (Fedora's /etc/pki/tls/certs), the bundle
         * is parsed, once per process. */
        const char *dir = env_or(X509_get_default_cert_dir_env(), X509_get_default_cert_dir());
        if (dir_is_hashed(dir)) {
            lu = X509_STORE_add_lookup(vfy_anchors, X509_LOOKUP_hash_dir());
            if (lu != NULL)
                X509_LOOKUP_add_dir(lu, dir, X509_FILETYPE_PEM);
        } else {
            X509_STORE_load_file(vfy_anchors, env_or(X509_get_default_cert_file_env(),
                                                     X509_get_default_cert_file()));
        }
    }
    ERR_pop_to_mark();
    return vfy_anchors;
}

/* Once per process, at the first SSL_CTX_new (under vfy_lock). */
static void vfy_build(void)
{
    vfy_ready = 1;
    vfy_libssl(); /* libssl is loaded now: an SSL_CTX is being made */
    if (vfy_get_store == NULL)
        tpm_log(LOG_ERR, "verify", "libssl.so.3 not found in this process:"
                " verify.peer is not applied to its SSL_CTXs");
    if (vfy_meth == NULL && (vfy_meth = X509_LOOKUP_meth_new("tlspolicy anchors")) != NULL)
        X509_LOOKUP_meth_set_get_by_subject(vfy_meth, vfy_by_subject);
}

static void vfy_ctx_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                        void *argp)
{
    X509_STORE *store;
    int set_mode;

    (void)ptr, (void)ad, (void)idx, (void)argl, (void)argp;
    if (parent == NULL)
        return;
    pthread_mutex_lock(&vfy_lock);
    if (!vfy_ready)
        vfy_build();
    set_mode = vfy_set_mode;
    pthread_mutex_unlock(&vfy_lock);
    if (vfy_get_store == NULL || (store = vfy_get_store(parent)) == NULL)
        return;
    /*
     * verify.peer = required. SSL_VERIFY_CLIENT_ONCE without SSL_VERIFY_PEER
     * makes a client fail the handshake when the server's chain does not
     * verify (statem_clnt.c tests verify_mode != SSL_VERIFY_NONE), while
     * every server-side test is on SSL_VERIFY_PEER: servers send no
     * CertificateRequest, do not judge client certificates, and keep session
     * resumption, which VerifyMode=Peer breaks for TLS_method servers without
     * a session id context ("session id context uninitialized"). A program
     * that calls SSL_CTX_set_verify replaces it, as it would system_default.
     */
    if (set_mode && vfy_set_verify != NULL) {
        /* Contexts that can only serve keep SSL_VERIFY_NONE: nothing to
         * enforce there, and nothing for a server to misread. */
        const SSL_METHOD *m = vfy_get_method(parent);
        if (m != vfy_server_methods[0] && m != vfy_server_methods[1])
            vfy_set_verify(parent, SSL_VERIFY_CLIENT_ONCE, NULL);
    }
    if (vfy_meth != NULL) {
        ERR_set_mark();
        X509_STORE_add_lookup(store, vfy_meth);
        ERR_pop_to_mark();
    }
}

void tpm_verify_register(const tpm_state *st)
{
    pthread_mutex_lock(&vfy_lock);
    if (vfy_index < 0 && st->ossl.verify_peer > 0) {
        vfy_ca_file = st->ossl.ca_file != NULL ? strdup(st->ossl.ca_file) : NULL;
        vfy_ca_path = st->ossl.ca_path != NULL ? strdup(st->ossl.ca_path) : NULL;
        vfy_index = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, NULL, vfy_ctx_new, NULL,
                                            NULL);
        if (vfy_index < 0)
            tpm_log(LOG_ERR, "verify", "cannot register the SSL_CTX hook for verify.peer");
        vfy_libssl();
        /* Otherwise system_default carries VerifyMode=Peer, with its cost
         * to TLS_method servers (see vfy_ctx_new). */
        vfy_set_mode = vfy_index >= 0 && st->ossl.verify_peer == 2
                       && (vfy_get_store != NULL || tpm_libssl_expected());
    }
    pthread_mutex_unlock(&vfy_lock);
}

void tpm_verify_unregister(void)
{
    pthread_mutex_lock(&vfy_lock);
    if (vfy_index >= 0)
        CRYPTO_free_ex_index(CRYPTO_EX_INDEX_SSL_CTX, vfy_index);
    vfy_index = -1;
    X509_STORE_free(vfy_anchors);
    vfy_anchors = NULL;
    free(vfy_ca_file);
    free(vfy_ca_path);
    vfy_ca_file = vfy_ca_path = NULL;
    vfy_ready = vfy_anchors_tried = vfy_set_mode = 0;
    vfy_get_store = NULL;
    vfy_set_verify = NULL;
    vfy_get_method = NULL;
    pthread_mutex_unlock(&vfy_lock);
}
