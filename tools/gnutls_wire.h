/*
 * gnutls_wire.h - the GnuTLS back-end of the CLI: the names the installed
 * GnuTLS knows (dlopen, never linked), the rendered /etc/gnutls/config, and
 * installing, removing and checking that file.
 */
#ifndef TP_GNUTLS_WIRE_H
#define TP_GNUTLS_WIRE_H

#include <time.h>

#include "cli.h"
#include "json.h"

#define GW_CONFIG "/etc/gnutls/config"          /* Debian, upstream default */
#define GW_CRYPTO_POLICIES "/etc/crypto-policies/back-ends/gnutls.config"
#define GW_SONAME "libgnutls.so.30"

typedef struct gw_lib {
    tp_gnutls_names names;
    char **owned[TP_GT__COUNT];  /* the names when read from the library */
    char source[128];            /* "libgnutls.so.30 3.7.9" or the static table */
    int from_library;            /* 1: asked the installed GnuTLS */
} gw_lib;

/* The names the installed GnuTLS knows, read with its own system
 * configuration switched off (it hides what it disables); the static table
 * of GnuTLS 3.7 when libgnutls.so.30 cannot be loaded. */
void gw_lib_load(gw_lib *g);
void gw_lib_free(gw_lib *g);

/* The file for policy r (malloc'd text); NULL when out of memory. app: the
 * program it was resolved for (a note says GnuTLS has one file for all). */
char *gw_render(const tp_resolved *r, const gw_lib *g, const char *app, size_t napp_rules,
                tp_gnutls_conf *conf_out);

/* Load `file` the way a strict GnuTLS program would
 * (GNUTLS_SYSTEM_PRIORITY_FAIL_ON_INVALID=1) in a child process.
 * 0 loads, 1 refused (msg says why), -1 no GnuTLS to ask. */
int gw_check_file(const char *file, char *msg, size_t len);

/* Shared with gnutls_audit.c. The whole file (malloc'd), or NULL with errno
 * set (ENOENT: absent). */
char *gw_slurp(const char *path, size_t *len);
int gw_is_ours(const char *text);                /* starts with the marker */
int gw_crypto_policies(const cli *c);            /* its GnuTLS back-end exists */
/* The file for the system-wide policy; NULL with a message printed. */
char *gw_render_system(cli *c, gw_lib *g);

/* Host path of the GnuTLS configuration (--root applied); malloc'd. */
char *gw_path(const cli *c, const char *override);

typedef struct gw_state {
    char *path;        /* host path */
    int present;       /* the file exists */
    int ours;          /* it starts with TP_GNUTLS_MARKER */
    int matches;       /* ours and equal to what the policy renders now */
    int crypto_policies; /* crypto-policies' GnuTLS back-end is there */
    int have_gnutls;   /* libgnutls.so.30 could be loaded */
    time_t mtime;      /* of the file, when present */
    char source[128];
} gw_state;

/* What is installed; policy_ok = 0 when the policy could not be rendered. */
void gw_state_get(cli *c, const char *override, gw_state *s);
void gw_state_free(gw_state *s);

/* enable/disable/set: each prints one line per outcome and returns an exit
 * status (TP_EXIT_OK or TP_EXIT_PROBLEMS). */
int gw_enable(cli *c, const char *override, int replace_foreign);
int gw_disable(cli *c, const char *override);
/* After `set`: rewrite the file if tlspolicy installed it. */
int gw_regenerate(cli *c);

/* For status: one line (0 ok, 1 note, 2 problem) and a JSON object. */
int gw_status_line(cli *c, char *msg, size_t len);
void gw_status_json(cli *c, json_w *w);

/* For coverage: the GnuTLS configuration as it is now, read once. */
typedef struct gw_cov {
    char *path;        /* host path */
    int ours;          /* tlspolicy wrote it */
    long long mtime;   /* 0 if absent */
} gw_cov;
void gw_cov_init(cli *c, gw_cov *g);
void gw_cov_free(gw_cov *g);
/* A process mapping GnuTLS: "covered" or "uncovered", with why (may be
 * empty). env_file: its GNUTLS_SYSTEM_PRIORITY_FILE (NULL if none or
 * environment unreadable). */
const char *gw_cov_classify(const gw_cov *g, long long start, const char *env_file, char *why,
                            size_t len);

#endif
