/*
 * tlspolicy.c - the tlspolicy command: global options, subcommand table,
 * --help and --version. The helpers the subcommands share are in cli.c.
 */
#include <errno.h>
#include <getopt.h>
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
    {"check", cmd_check, "[--json] [FILE...] | --impact FILE",
     "validate the system policy, or policy files"},
    {"list", cmd_list, "[--json]",
     "profiles and modifiers, with a description each"},
    {"probe", cmd_probe, "[--app NAME] [--openssl-conf FILE] [--json] ...",
     "prove what OpenSSL and GnuTLS enforce, by live handshakes"},
    {"status", cmd_status, "[--openssl-conf FILE] [--json]",
     "is the wiring present and effective"},
    {"coverage", cmd_coverage, "[--json]",
     "which running processes the policy reaches"},
    {"set", cmd_set, "[--dry-run] [--force] PROFILE[:MODIFIER...]",
     "set the policy's profile, validated and atomic"},
    {"enable", cmd_enable, "[--openssl-conf FILE] [--gnutls-conf FILE] ...",
     "wire the module into openssl.cnf, write GnuTLS's config"},
    {"disable", cmd_disable, "[--openssl-conf FILE] [--gnutls-conf FILE] ...",
     "remove that wiring, restoring the files"},
    {"export", cmd_export, "gnutls [--app NAME] [--json]",
     "the policy as GnuTLS's system configuration"},
    {"scan", cmd_scan, "[--app NAME] [--json] HOST:PORT",
     "test a running TLS server against the policy"},
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
          "  0 fine, 1 problems found, 2 usage error, 3 policy could not be loaded\n"
          "  (scan: 3 the server cannot be reached or speaks no TLS)\n",
          f);
}

static void version(void)
{
    printf("tlspolicy %s\n", TP_VERSION);
    printf("built with %s\n", OPENSSL_VERSION_TEXT);
    printf("running with %s\n", OpenSSL_version(OPENSSL_VERSION));
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

/* The global options before the command. -1 to go on, else the exit
 * status (--help, --version or a usage error). */
static int global_opts(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"root", required_argument, NULL, CLI_OPT_ROOT},
        {"policy", required_argument, NULL, CLI_OPT_POLICY},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int ch;

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
            c->root = optarg;
            break;
        case CLI_OPT_POLICY:
            c->policy = optarg;
            break;
        case ':':
            return cli_usage(NULL, "option '%s' needs an argument", argv[optind - 1]);
        default:
            if (optopt)
                return cli_usage(NULL, "unknown option '-%c'", optopt);
            return cli_usage(NULL, "unknown option '%s'", argv[optind - 1]);
        }
    }
    return -1;
}

/* Run the command cmd with its arguments; a failed write of stdout is a
 * problem found. The exit status. */
static int run_command(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    c->cmd = cmd->name;
    optind = 0; /* glibc: full re-initialisation for the subcommand */
    int rc = cmd->run(c, argc, argv);
    cli_free(c);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "tlspolicy: write error: %s\n", strerror(errno));
        if (rc == TP_EXIT_OK)
            rc = TP_EXIT_PROBLEMS;
    }
    return rc;
}

int main(int argc, char **argv)
{
    cli c;

    memset(&c, 0, sizeof(c));
    int rc = global_opts(&c, argc, argv);
    if (rc != -1)
        return rc;
    if (optind >= argc) {
        fputs("tlspolicy: no command given\n", stderr);
        usage(stderr);
        return TP_EXIT_USAGE;
    }

    const char *name = argv[optind];
    /* probe's measuring process (cmd_probe.c): not a command for people */
    if (strcmp(name, "__probe-child") == 0)
        return probe_child_main(argc - optind, argv + optind);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            return run_command(&c, &commands[i], argc - optind, argv + optind);
    return cli_usage(NULL, "unknown command '%s'", name);
}
