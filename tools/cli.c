/*
 * cli.c - the helpers the subcommands share (cli.h): messages, options,
 * where the policy, profiles and modifiers are, loading the policy.
 * Kept apart from main() (tlspolicy.c) so that the subcommands and
 * probe's measuring process depend on these helpers, not on the command
 * table that dispatches to them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "tp_config.h"

static void verror(const cli *c, const char *fmt, va_list ap)
{
    if (c && c->cmd)
        fprintf(stderr, "tlspolicy %s: ", c->cmd);
    else
        fputs("tlspolicy: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_opts_app_json(cli *c, int argc, char **argv, void (*help)(FILE *), const char **app,
                      int *json)
{
    static const struct option longopts[] = {
        {"app", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int ch;

    while ((ch = cli_getopt(c, argc, argv, "a:j", longopts, help)) != -1) {
        switch (ch) {
        case 'a': *app = optarg; break;
        case 'j': *json = 1; break;
        default: return TP_EXIT_USAGE;
        }
    }
    return 0;
}

void cli_json_begin(json_w *w)
{
    json_init(w, stdout, 1);
    json_obj_begin(w);
    json_key(w, "schema");
    json_int(w, TP_SCHEMA_VERSION);
}

void cli_error(const cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(c, fmt, ap);
    va_end(ap);
}

int cli_usage(const cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(c, fmt, ap);
    va_end(ap);
    if (c && c->cmd)
        fprintf(stderr, "Try 'tlspolicy %s --help'.\n", c->cmd);
    else
        fputs("Try 'tlspolicy --help'.\n", stderr);
    return TP_EXIT_USAGE;
}

void cli_locate(const tp_policy_rules *r, tp_policy_where *w)
{
    if (tp_policy_locate(r, w) != 0) {
        fputs("tlspolicy: out of memory\n", stderr);
        exit(TP_EXIT_LOAD);
    }
}

char *cli_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (s == NULL) {
        fputs("tlspolicy: out of memory\n", stderr);
        exit(TP_EXIT_LOAD);
    }
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    return s;
}

void cli_ossl_version_str(unsigned long v, char *buf, size_t len)
{
    unsigned major = (unsigned)(v >> 28) & 0xF;
    unsigned minor = (unsigned)(v >> 20) & 0xFF;
    unsigned patch = (unsigned)(v >> 4) & 0xFF;
    if (patch)
        snprintf(buf, len, "%u.%u.%u", major, minor, patch);
    else
        snprintf(buf, len, "%u.%u", major, minor);
}

void cli_program(const char *app, const char **name, const char **exe)
{
    *name = app;
    *exe = NULL;
    if (app && app[0] == '/') {
        const char *slash = strrchr(app, '/');
        *exe = app;
        *name = slash[1] ? slash + 1 : app;
    }
}

int cli_getopt(cli *c, int argc, char **argv, const char *shortopts,
               const struct option *longopts, void (*help)(FILE *))
{
    char optstring[64];
    /* ':' first: report a missing argument as ':', not '?' */
    snprintf(optstring, sizeof(optstring), ":h%s", shortopts);
    opterr = 0;
    int ch = getopt_long(argc, argv, optstring, longopts, NULL);
    switch (ch) {
    case 'h':
        help(stdout);
        exit(TP_EXIT_OK);
    case CLI_OPT_ROOT:
        c->root = optarg;
        return cli_getopt(c, argc, argv, shortopts, longopts, help);
    case CLI_OPT_POLICY:
        c->policy = optarg;
        return cli_getopt(c, argc, argv, shortopts, longopts, help);
    case ':':
        cli_usage(c, "option '%s' needs an argument", argv[optind - 1]);
        return '?';
    case '?':
        if (optopt)
            cli_usage(c, "unknown option '-%c'", optopt);
        else
            cli_usage(c, "unknown option '%s'", argv[optind - 1]);
        return '?';
    default:
        return ch;
    }
}

/*
 * Where to look, in one place:
 *  policy file: tp_policy_locate (policy/locate.c), as the module finds it:
 *               the openssl.cnf key (status, probe), --policy,
 *               TLSPOLICY_CONF, else the library's default, ROOT/etc/tlspolicy;
 *  profiles:    ROOT/etc/tlspolicy/profiles, then DATADIR/profiles;
 *  modifiers:   ROOT/etc/tlspolicy/modifiers, then DATADIR/modifiers;
 *  DATADIR:     TLSPOLICY_DATADIR (running from the build tree), else
 *               ROOT + the compiled-in datadir.
 * The library takes explicit directories and an explicit policy file as
 * paths on this machine (it applies opts.root only to its own defaults), so
 * the directories are handed over with the root already applied.
 */
static int has_root(const cli *c)
{
    return c->root && c->root[0] && strcmp(c->root, "/") != 0;
}

/* A directory path as this machine sees it, root applied. */
static char *host_path(const cli *c, const char *abs)
{
    if (!has_root(c))
        return cli_join(abs, "");
    size_t n = strlen(c->root);
    while (n > 1 && c->root[n - 1] == '/')
        n--;
    char *r = cli_join(c->root, abs);
    memmove(r + n, r + strlen(c->root), strlen(abs) + 1);
    return r;
}

int cli_resolve_opts(cli *c)
{
    const char *datadir_env = secure_getenv("TLSPOLICY_DATADIR");
    const tp_policy_rules rules = { .key = c->policy_key, .key_sect = c->key_sect,
                                    .key_cnf = c->key_cnf, .option = c->policy,
                                    .use_env = 1, .root = has_root(c) ? c->root : NULL };
    char *datadir;

    cli_free(c);
    memset(&c->opts, 0, sizeof(c->opts));
    c->opts.root = has_root(c) ? c->root : NULL;
    cli_locate(&rules, &c->where);
    /* the default is the library's own, whose absence is no error */
    c->opts.policy_file = c->where.from == TP_FROM_DEFAULT ? NULL : c->where.path;
    /* On the real system, refuse what the module refuses; a tree given with
     * --root is a test fixture or an image being built, owned by anyone. */
    c->opts.require_trusted = !has_root(c);
    c->opts.openssl_version = OpenSSL_version_num();

    if (datadir_env && datadir_env[0])
        datadir = cli_join(datadir_env, "");
    else
        datadir = host_path(c, TP_DATADIR);
    c->profile_dirs[0] = host_path(c, TP_ETCDIR "/profiles");
    c->profile_dirs[1] = cli_join(datadir, "/profiles");
    c->modifier_dirs[0] = host_path(c, TP_ETCDIR "/modifiers");
    c->modifier_dirs[1] = cli_join(datadir, "/modifiers");
    free(datadir);

    for (int i = 0; i < CLI_NDIRS; i++) {
        c->lib_profile_dirs[i] = c->profile_dirs[i];
        c->lib_modifier_dirs[i] = c->modifier_dirs[i];
    }
    c->lib_profile_dirs[CLI_NDIRS] = NULL;
    c->lib_modifier_dirs[CLI_NDIRS] = NULL;
    c->opts.profile_dirs = c->lib_profile_dirs;
    c->opts.modifier_dirs = c->lib_modifier_dirs;
    return 0;
}

void cli_free(cli *c)
{
    tp_policy_where_free(&c->where);
    for (int i = 0; i < CLI_NDIRS; i++) {
        free(c->profile_dirs[i]);
        free(c->modifier_dirs[i]);
        c->profile_dirs[i] = c->modifier_dirs[i] = NULL;
    }
}

tp_policy *cli_load(cli *c, tp_err *err)
{
    tp_policy *p = tp_policy_load(&c->opts, err);
    if (p == NULL)
        cli_error(c, "%s", tp_strerror(TP_ERR_NOMEM));
    return p;
}

int cli_root_missing(const cli *c)
{
    struct stat st;
    if (!has_root(c))
        return 0;
    if (stat(c->root, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        errno = ENOTDIR;
    }
    cli_error(c, "--root %s: %s", c->root, strerror(errno));
    return 1;
}
