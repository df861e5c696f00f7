/*
 * probe_gnutls.h - `probe`'s GnuTLS part (probe_gnutls.c).
 */
#ifndef TP_PROBE_GNUTLS_H
#define TP_PROBE_GNUTLS_H

#include <stdio.h>

#include "cli.h"
#include "json.h"

#define GP_MAX_ROWS 12

typedef struct gp_row {
    char what[96];
    const char *cert;        /* file base name in the probe directory */
    char server_prio[192];
    char client_prio[192];
    int expect_refused;
    int control_ok;          /* connected with no configuration */
    int policy_ok;           /* connected under the configuration */
    int inconclusive, problem;
    char evidence[256];
} gp_row;

typedef struct gp_result {
    int ran;
    char skip[600];          /* why not, when !ran */
    char conf[512];
    gp_row rows[GP_MAX_ROWS];
    int n, problems;
} gp_result;

/* conf_opt: --gnutls-conf (probed even if tlspolicy did not write it);
 * NULL: the installed file, probed only when tlspolicy wrote it. dir holds
 * probe_pki_make's certificates. */
void gp_run(cli *c, const tp_resolved *r, const char *dir, const char *conf_opt, int short_bits,
            gp_result *g);
void gp_print_text(const gp_result *g, FILE *f);
void gp_print_json(const gp_result *g, json_w *w);

#endif
