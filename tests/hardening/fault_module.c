/*
 * fault_module - one program start under tlspolicy.so with the n-th
 * allocation made on the module's behalf failing (LD_PRELOAD=faultinj.so,
 * driven by test_faults.py for n = 1, 2, ...).
 *
 * It loads the configuration ($OPENSSL_CONF wires the module), creates an
 * SSL_CTX as any program does, stops failing allocations and, if the first
 * SSL_CTX_new failed, tries once more. It prints
 *   count=C fired=0|1 init=0|1 min=TLSv1.x|none providers=a,b
 * and exits 0: the driver judges. A crash is a crash.
 *
 *   fault_module N SPEC   SPEC as for tpf_arm: "stack:tlspolicy.so!libconfig"
 *                         counts every allocation with a frame of the module
 *                         on its stack (OpenSSL's on the module's behalf
 *                         too), none of libconfig's own.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>

typedef void (*arm_fn)(long, const char *);
typedef long (*disarm_fn)(int *);

static const char *vname(long v)
{
    switch (v) {
    case 0: return "none";
    case TLS1_VERSION: return "TLSv1";
    case TLS1_1_VERSION: return "TLSv1.1";
    case TLS1_2_VERSION: return "TLSv1.2";
    case TLS1_3_VERSION: return "TLSv1.3";
    default: return "?";
    }
}

static int print_prov(OSSL_PROVIDER *p, void *arg)
{
    int *first = arg;
    printf("%s%s", *first ? "" : ",", OSSL_PROVIDER_get0_name(p));
    *first = 0;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fault_module N SPEC\n");
        return 2;
    }
    arm_fn arm = (arm_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "tpf_arm");
    disarm_fn disarm = (disarm_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "tpf_disarm");
    long n = atol(argv[1]);
    if (n > 0 && (arm == NULL || disarm == NULL)) {
        fprintf(stderr, "faultinj.so not preloaded\n");
        return 77;
    }
    if (n > 0)
        arm(n, argv[2]);
    int init = OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL);
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    int fired = 0;
    long count = n > 0 ? disarm(&fired) : 0;
    int retried = 0;
    if (ctx == NULL) {
        ERR_clear_error();
        ctx = SSL_CTX_new(TLS_method());
        retried = 1;
        if (ctx == NULL && getenv("TPF_TRACE") != NULL)
            ERR_print_errors_fp(stderr);
    }
    printf("count=%ld fired=%d init=%d retried=%d min=%s providers=", count, fired, init, retried,
           ctx ? vname(SSL_CTX_get_min_proto_version(ctx)) : "noctx");
    int first = 1;
    OSSL_PROVIDER_do_all(NULL, print_prov, &first);
    printf("\n");
    SSL_CTX_free(ctx);
    return 0;
}
