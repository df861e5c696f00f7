/*
 * scan.h - test a running TLS server against a resolved policy from
 * outside (scan_tls.c), as `scan` (cmd_scan.c) and the impact check of
 * `set --dry-run` / `check --impact` (impact.c) do.
 *
 * The scanning client is stock OpenSSL: the process never loads an
 * openssl.cnf (scan_init() must be its first OpenSSL call), and every
 * context is made in a private OSSL_LIB_CTX holding the default provider
 * (and legacy, when present, so that RC4, SEED, IDEA and DES suites can be
 * offered). So the policy it judges cannot hold the scanner itself.
 */
#ifndef TP_SCAN_H
#define TP_SCAN_H

#include <stdio.h>

#include "tlspolicy.h"

#define SCAN_MAX_ATTEMPTS 48
#define SCAN_MAX_CHAIN 10

enum { SCAN_STARTTLS_NONE = 0, SCAN_STARTTLS_SMTP, SCAN_STARTTLS_IMAP };

typedef struct scan_opts {
    const char *host;
    const char *port;
    int timeout_ms;    /* connect, STARTTLS and handshake, each attempt */
    int starttls;
    int listener_only;  /* only the reference and allowed handshakes (impact.c) */
} scan_opts;

typedef struct scan_attempt {
    char name[64];     /* stable id: "version:TLSv1", "cipher:CAMELLIA-256-CBC" */
    const char *kind;  /* reference allowed version cipher cipher13 sigalgs group */
    char what[160];    /* for people */
    char offered[1024];/* what the client offered */
    int forbidden;     /* 1: the policy forbids what was offered */
    int tried;         /* 0: this OpenSSL cannot offer it */
    int tls_seen;      /* the server sent a TLS handshake record or alert */
    int accepted;      /* a handshake completed on what was offered */
    char version[16], cipher[64], group[64], sig_hash[32];
    char error[256];
} scan_attempt;

typedef struct scan_cert {
    char subject[256];
    char key[16];      /* RSA EC DSA ED25519 ... */
    int bits;
    char sig_hash[32]; /* hash of the issuer's signature ("" if intrinsic) */
    int self_signed;
    char problem[320]; /* "" when within the floors */
    int leaf_key_low;  /* the server's own key is below the floor */
} scan_cert;

typedef struct scan_result {
    int reachable;     /* TCP (and STARTTLS) worked */
    int tls;           /* the server speaks TLS */
    char error[320];   /* why not reachable / not TLS */
    scan_attempt a[SCAN_MAX_ATTEMPTS];
    int n;
    scan_cert chain[SCAN_MAX_CHAIN];
    int nchain;
    int accepted_forbidden;
    int chain_problems;
    int allowed_ok;
} scan_result;

/* First OpenSSL call of the process: no openssl.cnf, private library
 * context. Returns 0, or -1 with a message in err. */
int scan_init(char *err, size_t errlen);
void scan_cleanup(void);

/* Scan o->host:o->port against r. Returns 0 when the server was reached and
 * speaks TLS (see res for the verdict), -1 otherwise (res->error says why). */
int scan_run(const scan_opts *o, const tp_resolved *r, scan_result *res);

/* The attempt of that kind (first), or NULL. */
const scan_attempt *scan_find(const scan_result *res, const char *kind);

/* 1 if name is one of the entries of the colon-separated list. */
int scan_in_list(const char *list, const char *name);

/* ---- impact of a proposed policy on this machine's listeners (impact.c) ---- */

#define SCAN_MAX_LISTEN 256

/* A TCP socket listening on this machine, reachable on loopback. */
typedef struct scan_listener {
    char host[64];        /* what to connect to */
    char shown[80];       /* as people read it: 127.0.0.1:443, [::1]:443 */
    char port[8];
    unsigned long inode;
    int pid;              /* first owner found (0: not readable) */
    char prog[256];       /* base name of its executable */
    char exe[4096];
} scan_listener;

/* The listening sockets of /proc/net/tcp and tcp6 that loopback reaches
 * (bound to a wildcard or loopback address; *skipped counts the others),
 * with their owners if owners. Returns how many, or -1 if unreadable. */
int scan_listeners(scan_listener *l, int max, int owners, int *skipped);
/* Index of a listener process pid holds, or -1. */
int scan_listener_of(int pid, const scan_listener *l, int n);

/*
 * Scan every TCP socket listening on this machine that can be reached on
 * loopback (/proc/net/tcp, tcp6) and judge the TLS servers among them
 * against p, each with the rule for its program (pid and program from
 * /proc/PID/fd where readable). One line per affected service on out.
 * Returns the number of services that would break, or -1 if the listeners
 * could not be read (message in err).
 */
int impact_report(const tp_policy *p, const char *label, FILE *out, char *err, size_t errlen);

#endif
