/*
 * tlspolicy.c - the tlspolicy command: global options, subcommand table,
 * --help and --version, and the helpers the subcommands share.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "cli.h"
#include "probe.h"
#include "tp_config.h"

typedef struct cli_cmd {
    const char *name;
    int (*run)(cli *c, int argc, char **argv);
    const char *args;
    const char *summary;
} cli_cmd;

static int cmd_help(cli *c, int argc, char **argv);

static const cli_cmd commands[] = {
    {"show", cmd_show, "[--app NAME] [--json]",
     "the effective policy for the system or a program"},
    {"explain", cmd_explain, "[--app NAME] [--json] [KEY]",
     "where each effective value comes from"},
    {"check", cmd_check, "[--json] [FILE...]",
     "validate the system policy, or policy files"},
    {"list", cmd_list, "[--json]",
     "profiles and modifiers, with a description each"},
    {"probe", cmd_probe, "[--app NAME] [--openssl-conf FILE] [--json] ...",
     "prove what OpenSSL and GnuTLS enforce, by live handshakes"},
    {"status", cmd_status, "[--openssl-conf FILE] [--json]",
     "is the wiring present and effective"},
    {"coverage", cmd_coverage, "[--json]",
     "which running processes the policy reaches"},
    {"set", cmd_set, "PROFILE[:MODIFIER...]",
     "set the policy's profile, validated and atomic"},
    {"enable", cmd_enable, "[--openssl-conf FILE] [--gnutls-conf FILE] ...",
     "wire the module into openssl.cnf, write GnuTLS's config"},
    {"disable", cmd_disable, "[--openssl-conf FILE] [--gnutls-conf FILE] ...",
     "remove that wiring, restoring the files"},
    {"export", cmd_export, "gnutls [--app NAME] [--json]",
     "the policy as GnuTLS's system configuration"},
    {"help", cmd_help, "[COMMAND]", "show this help, or a command's"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))


static void usage(FILE *f)
{
    fputs("Usage: tlspolicy [--root DIR] [--policy FILE] COMMAND [ARGS]\n"
          "\n"
          "Show, explain, check and prove the system TLS policy.\n"
          "\n"
          "Commands:\n", f);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        char left[64];
        snprintf(left, sizeof(left), "%s %s", commands[i].name, commands[i].args);
        if (strlen(left) > 36) /* too wide for the column: summary below */
            fprintf(f, "  %s\n  %-36s %s\n", left, "", commands[i].summary);
        else
            fprintf(f, "  %-36s %s\n", left, commands[i].summary);
    }
    fputs("\n"
          "Options (also accepted after COMMAND):\n"
          "  --root DIR      read /etc/tlspolicy and the profiles under DIR (an image\n"
          "                  or test tree: its files need not be owned by root)\n"
          "  --policy FILE   the policy file (default: $TLSPOLICY_CONF, then\n"
          "                  " TP_ETCDIR "/policy.conf, else the compiled-in DEFAULT)\n"
          "  -h, --help      show this help and exit\n"
          "  -V, --version   show the version and exit\n"
          "\n"
          "Environment:\n"
          "  TLSPOLICY_CONF     policy file when --policy is not given\n"
          "  TLSPOLICY_DATADIR  directory with profiles/ and modifiers/\n"
          "                     (default " TP_DATADIR ")\n"
          "\n"
          "Exit status:\n"
          "  0 fine, 1 problems found, 2 usage error, 3 policy could not be loaded\n",
          f);
}

static void version(void)
{
    printf("tlspolicy %s\n", TP_VERSION);
    printf("built with %s\n", OPENSSL_VERSION_TEXT);
    printf("running with %s\n", OpenSSL_version(OPENSSL_VERSION));
}

/* ---- helpers shared by the subcommands ------------------------------------ */

static void verror(const cli *c, const char *fmt, va_list ap)
{
    if (c && c->cmd)
        fprintf(stderr, "tlspolicy %s: ", c->cmd);
    else
        fputs("tlspolicy: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
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
 *  policy file: --policy, else TLSPOLICY_CONF (secure_getenv, as the module
 *               reads it), else the library's default, ROOT/etc/tlspolicy;
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
    const char *conf_env = secure_getenv("TLSPOLICY_CONF");
    char *datadir;

    cli_free(c);
    memset(&c->opts, 0, sizeof(c->opts));
    c->opts.root = has_root(c) ? c->root : NULL;
    c->opts.policy_file = c->policy ? c->policy
                          : (conf_env && conf_env[0]) ? conf_env : NULL;
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

/* ---- main ------------------------------------------------------------------ */

static int cmd_help(cli *c, int argc, char **argv)
{
    (void)c;
    if (argc > 2)
        return cli_usage(c, "too many arguments");
    if (argc == 2) {
        for (size_t i = 0; i < NCOMMANDS; i++) {
            if (strcmp(argv[1], commands[i].name) == 0 && commands[i].run != cmd_help) {
                char *args[] = {argv[1], (char *)"--help", NULL};
                optind = 0;
                return commands[i].run(c, 2, args);
            }
        }
        return cli_usage(c, "unknown command '%s'", argv[1]);
    }
    usage(stdout);
    return TP_EXIT_OK;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"root", required_argument, NULL, CLI_OPT_ROOT},
        {"policy", required_argument, NULL, CLI_OPT_POLICY},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    cli c;
    int ch;

    memset(&c, 0, sizeof(c));
    opterr = 0;
    /* '+': stop at the command; its options are its own */
    while ((ch = getopt_long(argc, argv, "+:hV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            usage(stdout);
            return TP_EXIT_OK;
        case 'V':
            version();
            return TP_EXIT_OK;
        case CLI_OPT_ROOT:
            c.root = optarg;
            break;
        case CLI_OPT_POLICY:
            c.policy = optarg;
            break;
        case ':':
            return cli_usage(NULL, "option '%s' needs an argument", argv[optind - 1]);
        default:
            if (optopt)
                return cli_usage(NULL, "unknown option '-%c'", optopt);
            return cli_usage(NULL, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) {
        fputs("tlspolicy: no command given\n", stderr);
        usage(stderr);
        return TP_EXIT_USAGE;
    }

    const char *name = argv[optind];
    /* probe's measuring process (cmd_probe.c): not a command for people */
    if (strcmp(name, "__probe-child") == 0)
        return probe_child_main(argc - optind, argv + optind);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(name, commands[i].name) != 0)
            continue;
        c.cmd = commands[i].name;
        int sub_argc = argc - optind;
        char **sub_argv = argv + optind;
        optind = 0; /* glibc: full re-initialisation for the subcommand */
        int rc = commands[i].run(&c, sub_argc, sub_argv);
        cli_free(&c);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "tlspolicy: write error: %s\n", strerror(errno));
            if (rc == TP_EXIT_OK)
                rc = TP_EXIT_PROBLEMS;
        }
        return rc;
    }
    return cli_usage(NULL, "unknown command '%s'", name);
}
