/*
 * probe_int.h - what the parts of `probe` share (private to the CLI):
 * the records a measuring process reports (probe_run.c), the rows of floor
 * attempts and the findings (cmd_probe.c), and their rendering as text and
 * JSON with the table of compared settings (probe_report.c).
 */
#ifndef TP_PROBE_INT_H
#define TP_PROBE_INT_H

#include <stddef.h>

#include "probe.h"
#include "tlspolicy.h"

/* ---- what a measuring process reported (probe_run.c) ---------------------- */

#define MAX_REC 256

typedef struct rec {
    char *f[5]; /* kind and up to four fields */
} rec;

typedef struct child_out {
    rec r[MAX_REC];
    int n;
    int status;        /* wait status */
    char err[256];     /* could not run */
} child_out;

/* Run `self __probe-child DIR attempts...` as argv0 with OPENSSL_CONF=cnf
 * (and TLSPOLICY_CONF=tpconf if not NULL); its records into o. Returns 0,
 * or -1 with o->err set. */
int probe_run(const char *self, const char *argv0, const char *cnf, const char *tpconf,
              const char *dir, const char *const *attempts, int nattempts, child_out *o);
void probe_out_free(child_out *o);
/* Field i (1-based) of the first record of kind whose field 1 is a1 (NULL:
 * any) and field 2 is a2 (NULL: any); NULL if there is none. */
const char *probe_find(const child_out *o, const char *kind, const char *a1, const char *a2,
                       int i);
/* `set SIDE KEY VALUE`: the value. */
const char *probe_setting(const child_out *o, const char *side, const char *key);

/* ---- floor attempts ------------------------------------------------------- */

#define MAX_CAND 12

typedef struct row {
    const char *name;       /* JSON key */
    const char *title;      /* for people */
    char expect[160];       /* what the policy says should happen */
    const char *cand[MAX_CAND];
    char *cand_buf[MAX_CAND];
    int ncand;
    /* filled after the runs */
    const char *tried;      /* the candidate used */
    const char *status;     /* held | NOT HELD | permissive | n/a */
    int problem;
    char result[512];
    char control[512];
} row;

enum { R_VERSION, R_CIPHER, R_SHA1, R_SHA1SIG, R_RSAKEY, R_GROUP, R_ANON, R_SUITE, R_SUITE13,
       NROWS };

/* ---- promises about the process ------------------------------------------- */

#define MAX_FIND 32

typedef struct finding {
    const char *name;
    int held;
    char text[768];
} finding;

typedef struct report {
    finding f[MAX_FIND];
    int n;
    int problems;
} report;

/* A setting compared between the measured and the reference process
 * (the table is in probe_report.c). */
typedef struct cmp_item {
    const char *side, *key, *label;
} cmp_item;

extern const cmp_item probe_cmp_items[];
#define NCMP 13
const char *probe_cmp_value(const child_out *o, const cmp_item *it);

typedef struct probe_ctx {
    const char *app, *cnf;
    const char *policy_file;
    int fallback;
    const tp_policy *p;
    conf_scan cs;
    child_out m, ref, ctl;
    row rows[NROWS];
    report rp;
    int diffs[NCMP];
    int ndiffs;
    char diff_why[512];
    const struct gp_result *gnutls; /* probe_gnutls.c; NULL if not run */
} probe_ctx;

/* ---- output (probe_report.c) ------------------------------------------------ */

/* 0, or -1 if the document could not be completed (json_finish). */
int probe_print_json(const probe_ctx *pc);
void probe_print_text(const probe_ctx *pc);

#endif
