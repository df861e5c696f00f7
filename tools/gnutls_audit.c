/*
 * gnutls_audit.c - the GnuTLS back-end for `status` and `coverage`: is
 * tlspolicy's GnuTLS configuration there, does it match the policy, which
 * GnuTLS processes started after it was written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gnutls_wire.h"

/* ---- status --------------------------------------------------------------- */

void gw_state_get(cli *c, const char *override, gw_state *s)
{
    memset(s, 0, sizeof(*s));
    s->path = gw_path(c, override);
    s->crypto_policies = gw_crypto_policies(c);
    size_t olen = 0;
    char *old = gw_slurp(s->path, &olen);
    struct stat st;
    if (old && stat(s->path, &st) == 0) {
        s->present = 1;
        s->mtime = st.st_mtime;
    }
    s->ours = gw_is_ours(old);
    gw_lib g;
    gw_lib_load(&g);
    s->have_gnutls = g.from_library;
    snprintf(s->source, sizeof(s->source), "%s", g.source);
    if (s->ours) {
        char *text = gw_render_system(c, &g);
        s->matches = text && strcmp(text, old) == 0;
        free(text);
    }
    gw_lib_free(&g);
    free(old);
}

void gw_state_free(gw_state *s)
{
    free(s->path);
    s->path = NULL;
}

static const char *state_word(const gw_state *s)
{
    if (!s->present)
        return "absent";
    if (!s->ours)
        return "foreign";
    return s->matches ? "matches" : "stale";
}

int gw_status_line(cli *c, char *msg, size_t len)
{
    gw_state s;
    gw_state_get(c, NULL, &s);
    int sev = 1; /* absent or foreign is the administrator's choice: a note */
    const char *cp = s.crypto_policies ? "; crypto-policies' GnuTLS back-end is there ("
                                         GW_CRYPTO_POLICIES ")" : "";
    if (!s.present)
        snprintf(msg, len, "GnuTLS: %s absent: GnuTLS programs (git, wget, apt) "
                 "are not held to the policy (`tlspolicy enable` writes it)%s", s.path, cp);
    else if (!s.ours)
        snprintf(msg, len, "GnuTLS: %s was not written by tlspolicy: GnuTLS programs are "
                 "not held to the policy%s", s.path, cp);
    else if (s.matches)
        snprintf(msg, len, "GnuTLS: %s matches the policy (names from %s)%s", s.path,
                 s.source, cp), sev = 0;
    else
        snprintf(msg, len, "GnuTLS: %s is stale: it differs from what the policy renders "
                 "now (`tlspolicy enable` rewrites it)", s.path), sev = 2;
    gw_state_free(&s);
    return sev;
}

void gw_status_json(cli *c, json_w *w)
{
    gw_state s;
    gw_state_get(c, NULL, &s);
    json_obj_begin(w);
    json_key(w, "file");
    json_str(w, s.path);
    json_key(w, "state");
    json_str(w, state_word(&s));
    json_key(w, "present");
    json_bool(w, s.present);
    json_key(w, "ours");
    json_bool(w, s.ours);
    json_key(w, "matches");
    json_bool(w, s.matches);
    json_key(w, "crypto_policies");
    json_bool(w, s.crypto_policies);
    json_key(w, "gnutls_installed");
    json_bool(w, s.have_gnutls);
    json_key(w, "names");
    json_str(w, s.source);
    json_obj_end(w);
    gw_state_free(&s);
}

/* ---- coverage ------------------------------------------------------------- */

void gw_cov_init(cli *c, gw_cov *g)
{
    memset(g, 0, sizeof(*g));
    g->path = gw_path(c, NULL);
    size_t len = 0;
    char *text = gw_slurp(g->path, &len);
    struct stat st;
    if (text && stat(g->path, &st) == 0) {
        g->mtime = (long long)st.st_mtime;
        g->ours = gw_is_ours(text);
    }
    free(text);
}

void gw_cov_free(gw_cov *g)
{
    free(g->path);
    g->path = NULL;
}

/*
 * GnuTLS reads the file when a program sets up its priorities; a process
 * that started after the file was last written has read this one. (3.7
 * re-reads a changed file at its next priority set-up, but a program that
 * set up its priorities once keeps them: only the start time is certain.)
 */
const char *gw_cov_classify(const gw_cov *g, long long start, const char *env_file, char *why,
                            size_t len)
{
    why[0] = '\0';
    if (env_file && env_file[0]) {
        snprintf(why, len, "GnuTLS: own GNUTLS_SYSTEM_PRIORITY_FILE=%s", env_file);
        return "uncovered";
    }
    if (g->mtime == 0) {
        snprintf(why, len, "GnuTLS: no %s (`tlspolicy enable` writes it)", g->path);
        return "uncovered";
    }
    if (!g->ours) {
        snprintf(why, len, "GnuTLS: %s was not written by tlspolicy", g->path);
        return "uncovered";
    }
    if (start == 0 || start + 1 < g->mtime) { /* 1 s of rounding */
        snprintf(why, len, "GnuTLS: started before %s was last written: restart it", g->path);
        return "uncovered";
    }
    return "covered";
}
