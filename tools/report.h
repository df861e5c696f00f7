/*
 * report.h - shared text and JSON renderings of diagnostics, values and
 * origins.
 */
#ifndef TP_REPORT_H
#define TP_REPORT_H

#include <stdio.h>

#include "json.h"
#include "tlspolicy.h"

/* "FILE:LINE: SEVERITY: MESSAGE", or "FILE: SEVERITY: MESSAGE" if line is 0 */
void rep_diag_text(FILE *f, tp_severity sev, const char *file, int line,
                   const char *message);
/* {"severity":..,"file":..,"line":..,"message":..} */
void rep_diag_json(json_w *w, tp_severity sev, const char *file, int line,
                   const char *message);
void rep_policy_diags_text(FILE *f, const tp_policy *p);
/* "diagnostics": [rep_diag_json of each of p's diagnostics] */
void rep_policy_diags_json(json_w *w, const tp_policy *p);

/* "profile DEFAULT (/usr/share/tlspolicy/profiles/DEFAULT.conf:12)" ... */
void rep_origin_text(const tp_origin *o, char *buf, size_t len);
/* "builtin" "profile" "modifier" "file" "dropin" "application" */
const char *rep_origin_kind(tp_origin_kind k);
/* "'curl' (/etc/tlspolicy/policy.conf:20)" */
void rep_app_text(const tp_policy *p, size_t app, char *buf, size_t len);

/* tp_resolved_format, with "(not set)" for an unset string. */
int rep_format(const tp_resolved *r, tp_key k, char *buf, size_t len);
/* The value of one key as a JSON value of its type. */
void rep_key_json(json_w *w, const tp_resolved *r, tp_key k);
/* Every key, nested by its dotted name: "profile":..,"tls":{..},... */
void rep_keys_json(json_w *w, const tp_resolved *r);

#endif
