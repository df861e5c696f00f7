/*
 * report.c - how the subcommands print diagnostics, values and origins,
 * as text and as JSON, so that every command says them the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "esc.h"
#include "json.h"
#include "report.h"

void rep_diag_text(FILE *f, tp_severity sev, const char *file, int line,
                   const char *message)
{
    if (file && line > 0)
        fprintf(f, "%s:%d: %s: %s\n", esc(file), line, tp_severity_name(sev), esc(message));
    else if (file)
        fprintf(f, "%s: %s: %s\n", esc(file), tp_severity_name(sev), esc(message));
    else
        fprintf(f, "%s: %s\n", tp_severity_name(sev), esc(message));
}

void rep_diag_json(json_w *w, tp_severity sev, const char *file, int line,
                   const char *message)
{
    json_obj_begin(w);
    json_key(w, "severity");
    json_str(w, tp_severity_name(sev));
    json_key(w, "file");
    json_str(w, file);
    json_key(w, "line");
    json_int(w, line);
    json_key(w, "message");
    json_str(w, message);
    json_obj_end(w);
}

void rep_policy_diags_json(json_w *w, const tp_policy *p)
{
    json_key(w, "diagnostics");
    json_arr_begin(w);
    for (size_t i = 0; i < tp_policy_ndiags(p); i++) {
        const tp_diag *d = tp_policy_diag(p, i);
        rep_diag_json(w, d->severity, d->file, d->line, d->message);
    }
    json_arr_end(w);
}

void rep_policy_diags_text(FILE *f, const tp_policy *p)
{
    for (size_t i = 0; i < tp_policy_ndiags(p); i++) {
        const tp_diag *d = tp_policy_diag(p, i);
        rep_diag_text(f, d->severity, d->file, d->line, d->message);
    }
}

const char *rep_origin_kind(tp_origin_kind k)
{
    switch (k) {
    case TP_O_BUILTIN: return "builtin";
    case TP_O_PROFILE: return "profile";
    case TP_O_MODIFIER: return "modifier";
    case TP_O_FILE: return "file";
    case TP_O_DROPIN: return "dropin";
    case TP_O_APP: return "application";
    }
    return "unknown";
}

void rep_origin_text(const tp_origin *o, char *buf, size_t len)
{
    char where[4096];

    if (o->file && o->line > 0)
        snprintf(where, sizeof(where), "%s:%d", o->file, o->line);
    else if (o->file)
        snprintf(where, sizeof(where), "%s", o->file);
    else
        snprintf(where, sizeof(where), "?");

    switch (o->kind) {
    case TP_O_BUILTIN:
        snprintf(buf, len, "built-in DEFAULT");
        break;
    case TP_O_PROFILE:
        snprintf(buf, len, "profile %s (%s)", o->name ? o->name : "?", where);
        break;
    case TP_O_MODIFIER:
        snprintf(buf, len, "modifier %s (%s)", o->name ? o->name : "?", where);
        break;
    case TP_O_FILE:
        snprintf(buf, len, "%s", where);
        break;
    case TP_O_DROPIN:
        snprintf(buf, len, "drop-in %s", where);
        break;
    case TP_O_APP:
        snprintf(buf, len, "application rule '%s' (%s)", o->name ? o->name : "?", where);
        break;
    default:
        snprintf(buf, len, "%s", where);
        break;
    }
}

void rep_app_text(const tp_policy *p, size_t app, char *buf, size_t len)
{
    const char *file = NULL;
    int line = 0;
    const char *match = tp_policy_app_match(p, app, &file, &line);
    if (file && line > 0)
        snprintf(buf, len, "'%s' (%s:%d)", match ? match : "?", file, line);
    else
        snprintf(buf, len, "'%s' (%s)", match ? match : "?", file ? file : "?");
}

int rep_format(const tp_resolved *r, tp_key k, char *buf, size_t len)
{
    buf[0] = '\0';
    if (tp_resolved_format(r, k, buf, len) < 0) {
        snprintf(buf, len, "?");
        return -1;
    }
    if (buf[0] == '\0' && tp_key_type(k) == TP_T_STRING)
        snprintf(buf, len, "(not set)");
    return 0;
}

void rep_key_json(json_w *w, const tp_resolved *r, tp_key k)
{
    switch (tp_key_type(k)) {
    case TP_T_STRING:
    case TP_T_ENUM:
        json_str(w, tp_resolved_get_str(r, k));
        break;
    case TP_T_INT:
        json_int(w, tp_resolved_get_int(r, k));
        break;
    case TP_T_VERSION: {
        long v = tp_resolved_get_int(r, k);
        json_str(w, v ? tp_version_name(v) : NULL);
        break;
    }
    case TP_T_LIST:
        json_arr_begin(w);
        for (size_t i = 0; i < tp_resolved_list_len(r, k); i++)
            json_str(w, tp_resolved_list_item(r, k, i));
        json_arr_end(w);
        break;
    }
}

/* Length of the section part of a dotted name ("tls" of "tls.min_version"),
 * 0 for a top-level key. */
static size_t section_len(const char *name)
{
    const char *dot = strchr(name, '.');
    return dot ? (size_t)(dot - name) : 0;
}

void rep_keys_json(json_w *w, const tp_resolved *r)
{
    /* Keys are in display order, which keeps each section together; the
     * nesting follows the dotted names, so a new key needs no code here. */
    const char *open = NULL;
    size_t open_len = 0;

    for (int k = 0; k < TP_K__COUNT; k++) {
        const char *name = tp_key_name((tp_key)k);
        size_t sl = section_len(name);
        if (open && (sl != open_len || strncmp(name, open, sl) != 0)) {
            json_obj_end(w);
            open = NULL;
        }
        if (sl && !open) {
            char sect[64];
            snprintf(sect, sizeof(sect), "%.*s", (int)sl, name);
            json_key(w, sect);
            json_obj_begin(w);
            open = name;
            open_len = sl;
        }
        json_key(w, sl ? name + sl + 1 : name);
        rep_key_json(w, r, (tp_key)k);
    }
    if (open)
        json_obj_end(w);
}
