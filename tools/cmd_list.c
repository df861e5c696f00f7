/*
 * cmd_list.c - `list`: which profiles and modifiers exist, and which are
 * in use.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "cli.h"
#include "esc.h"
#include "json.h"
#include "report.h"
#include "tp_config.h"
#include "view.h"

/* ---- list ------------------------------------------------------------------- */

typedef struct entry {
    char *name;
    char *file;
    char *description;
    int local;  /* from the /etc override directory */
    int in_use;
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
} entries;

/* Profile files are small; anything bigger is not worth parsing here. */
#define DESC_MAX_FILE (256 * 1024)

/* The one-line `description = "...";` of a profile or modifier file. */
static char *read_description(const char *path)
{
    struct stat st;
    config_t cfg;
    const char *s = NULL;
    char *out;

    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return cli_join("(unreadable)", "");
    if (st.st_size > DESC_MAX_FILE)
        return cli_join("(file too large)", "");
    config_init(&cfg);
    if (config_read_file(&cfg, path) != CONFIG_TRUE) {
        char msg[512];
        snprintf(msg, sizeof(msg), "(invalid: line %d: %s)", config_error_line(&cfg),
                 config_error_text(&cfg) ? config_error_text(&cfg) : "?");
        config_destroy(&cfg);
        return cli_join(msg, "");
    }
    if (config_lookup_string(&cfg, "description", &s) != CONFIG_TRUE || !s)
        s = "";
    out = cli_join(s, "");
    config_destroy(&cfg);
    /* one line: a description that spans lines is cut at the first */
    out[strcspn(out, "\r\n")] = '\0';
    return out;
}

static void scan_dir(entries *es, const char *dir, int local)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
            continue;
        char *name = cli_join(de->d_name, "");
        name[len - 5] = '\0';
        int dup = 0;
        for (size_t i = 0; i < es->n && !dup; i++)
            dup = strcmp(es->v[i].name, name) == 0; /* an earlier dir overrides */
        if (dup) {
            free(name);
            continue;
        }
        if (es->n == es->cap) {
            size_t cap = es->cap ? es->cap * 2 : 16;
            entry *nv = realloc(es->v, cap * sizeof(*nv));
            if (nv == NULL) {
                free(name);
                break;
            }
            es->v = nv;
            es->cap = cap;
        }
        entry *e = &es->v[es->n++];
        char *withslash = cli_join(dir, "/");
        e->name = name;
        e->file = cli_join(withslash, de->d_name);
        free(withslash);
        e->description = read_description(e->file);
        e->local = local;
        e->in_use = 0;
    }
    closedir(d);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static void entries_free(entries *es)
{
    for (size_t i = 0; i < es->n; i++) {
        free(es->v[i].name);
        free(es->v[i].file);
        free(es->v[i].description);
    }
    free(es->v);
}

/* Mark the profile (part 0 of "DEFAULT:NO-CBC") or the modifiers in use. */
static void mark_in_use(entries *es, const char *spec, int modifiers)
{
    char *copy, *save = NULL;
    int part = 0;

    if (spec == NULL)
        return;
    copy = cli_join(spec, "");
    for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save), part++) {
        if ((part == 0) == (modifiers != 0))
            continue;
        for (size_t i = 0; i < es->n; i++)
            if (strcasecmp(es->v[i].name, t) == 0)
                es->v[i].in_use = 1;
    }
    free(copy);
}

static void list_help(FILE *f)
{
    fputs("Usage: tlspolicy list [--json]\n"
          "\n"
          "The profiles and modifiers that exist, with their description; '*' marks\n"
          "those the system-wide policy uses. A file in " TP_ETCDIR "/profiles\n"
          "(or modifiers) overrides the shipped one of the same name.\n"
          "\n"
          "  --json       one JSON object (\"schema\": 1)\n"
          "  --root DIR, --policy FILE, -h/--help as for tlspolicy --help\n", f);
}

static void list_text(const char *title, const entries *es)
{
    int width = 0;
    printf("%s:\n", title);
    for (size_t i = 0; i < es->n; i++)
        if ((int)strlen(es->v[i].name) > width)
            width = (int)strlen(es->v[i].name);
    for (size_t i = 0; i < es->n; i++) {
        const entry *e = &es->v[i];
        printf("%c %-*s  %s%s\n", e->in_use ? '*' : ' ', width, e->name, e->description,
               e->local ? " (local)" : "");
    }
    if (es->n == 0)
        printf("  (none found)\n");
}

static void list_json(json_w *w, const char *key, const entries *es)
{
    json_key(w, key);
    json_arr_begin(w);
    for (size_t i = 0; i < es->n; i++) {
        const entry *e = &es->v[i];
        json_obj_begin(w);
        json_key(w, "name");
        json_str(w, e->name);
        json_key(w, "description");
        json_str(w, e->description);
        json_key(w, "file");
        json_str(w, e->file);
        json_key(w, "local");
        json_bool(w, e->local);
        json_key(w, "in_use");
        json_bool(w, e->in_use);
        json_obj_end(w);
    }
    json_arr_end(w);
}

int cmd_list(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int json = 0, ch;

    while ((ch = cli_getopt(c, argc, argv, "j", longopts, list_help)) != -1) {
        switch (ch) {
        case 'j': json = 1; break;
        default: return TP_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);

    view v;
    int rc = view_open(c, &v, NULL);
    entries profiles = {0}, modifiers = {0};
    for (int i = 0; i < CLI_NDIRS; i++) {
        scan_dir(&profiles, c->profile_dirs[i], i == 0);
        scan_dir(&modifiers, c->modifier_dirs[i], i == 0);
    }
    qsort(profiles.v, profiles.n, sizeof(entry), entry_cmp);
    qsort(modifiers.v, modifiers.n, sizeof(entry), entry_cmp);
    if (rc == TP_EXIT_OK) {
        const char *spec = tp_resolved_get_str(v.r, TP_K_PROFILE);
        mark_in_use(&profiles, spec, 0);
        mark_in_use(&modifiers, spec, 1);
    }

    if (json) {
        json_w w;
        cli_json_begin(&w);
        json_key(&w, "profile");
        json_str(&w, v.r ? tp_resolved_get_str(v.r, TP_K_PROFILE) : NULL);
        list_json(&w, "profiles", &profiles);
        list_json(&w, "modifiers", &modifiers);
        json_obj_end(&w);
        if (json_finish(&w) != 0 && rc == TP_EXIT_OK)
            rc = TP_EXIT_PROBLEMS;
    } else {
        list_text("Profiles", &profiles);
        list_text("Modifiers", &modifiers);
    }
    entries_free(&profiles);
    entries_free(&modifiers);
    view_close(&v);
    /* The listing is printed whatever state the policy is in; the exit
     * status still says whether it loaded. */
    return rc;
}
