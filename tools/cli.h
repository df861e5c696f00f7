/*
 * cli.h - shared state and helpers of the tlspolicy command (cli.c).
 */
#ifndef TP_CLI_H
#define TP_CLI_H

#include <stdio.h>
#include <getopt.h>

#include "json.h"
#include "tlspolicy.h"

/* Exit status, as documented in tlspolicy(1) and docs/DESIGN.md. */
enum {
    TP_EXIT_OK = 0,        /* fine */
    TP_EXIT_PROBLEMS = 1,  /* problems found (invalid policy, ...) */
    TP_EXIT_USAGE = 2,     /* usage error */
    TP_EXIT_LOAD = 3,      /* policy could not be loaded */
};

#define CLI_NDIRS 2

/* Global options and the load options derived from them. */
typedef struct cli {
    const char *root;          /* --root; NULL = "/" */
    const char *policy;        /* --policy; NULL = TLSPOLICY_CONF or default */
    const char *cmd;           /* subcommand name, for messages */
    /* The `policy` key of the openssl.cnf a command predicts the module
     * for (status, probe): set before cli_resolve_opts, it wins as it does
     * in every program. */
    const char *policy_key, *key_sect, *key_cnf;

    /* Filled by cli_resolve_opts(). */
    tp_load_opts opts;
    tp_policy_where where;     /* the policy file and why (tp_policy_locate) */
    /* Directories as they are on this machine (root applied), for `list`. */
    char *profile_dirs[CLI_NDIRS];
    char *modifier_dirs[CLI_NDIRS];
    /* The same, NULL-terminated, for tp_load_opts. */
    const char *lib_profile_dirs[CLI_NDIRS + 1];
    const char *lib_modifier_dirs[CLI_NDIRS + 1];
} cli;

/* Options every subcommand accepts besides its own. */
#define CLI_OPT_ROOT 0x100
#define CLI_OPT_POLICY 0x101
#define CLI_COMMON_LONGOPTS                                    \
    { "root", required_argument, NULL, CLI_OPT_ROOT },         \
    { "policy", required_argument, NULL, CLI_OPT_POLICY },     \
    { "help", no_argument, NULL, 'h' }

/*
 * Parse the options of a subcommand. Handles the common ones (--root,
 * --policy, --help: help(stdout) then exit 0) itself, reports unknown
 * options and missing arguments as usage errors. Returns the option
 * character for the caller's own options, -1 at the end of options, or
 * '?' after a usage error was printed (caller returns TP_EXIT_USAGE).
 */
int cli_getopt(cli *c, int argc, char **argv, const char *shortopts,
               const struct option *longopts, void (*help)(FILE *));

/* The options of a command that takes --app NAME and --json besides the
 * common ones (explain, export): 0, or TP_EXIT_USAGE after the message.
 * Operands are left at optind. */
int cli_opts_app_json(cli *c, int argc, char **argv, void (*help)(FILE *), const char **app,
                      int *json);

/* Resolve where the policy, profiles and modifiers are (one place for the
 * rules: --policy, TLSPOLICY_CONF, --root, TLSPOLICY_DATADIR). Returns 0;
 * out of memory ends the command in cli_join (message, exit status 3). */
int cli_resolve_opts(cli *c);
void cli_free(cli *c);

/* The commands that write under --root (enable, disable, set) refuse a
 * root that does not exist or is not a directory: nothing would be found
 * in it, and creating it would write an image where none was meant.
 * 1 after the message ("--root DIR: why"), else 0. */
int cli_root_missing(const cli *c);

/* Load the policy as the module would, with the diagnostics' severity
 * counts. Never NULL except out of memory (message printed). */
tp_policy *cli_load(cli *c, tp_err *err);

/* Split a --app argument: a name, or an absolute executable path (then
 * name is its base name). */
void cli_program(const char *app, const char **name, const char **exe);

/* Start the JSON document every --json command writes on stdout:
 * {"schema": TP_SCHEMA_VERSION, ... (docs/DESIGN.md, the CLI contract). */
void cli_json_begin(json_w *w);

/* "tlspolicy: CMD: message" on stderr. */
void cli_error(const cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Usage error: message plus a hint on stderr; returns TP_EXIT_USAGE. */
int cli_usage(const cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* tp_policy_locate; exits on out of memory, as cli_join. */
void cli_locate(const tp_policy_rules *r, tp_policy_where *w);

/* Malloc'ed a + b; exits on out of memory. */
char *cli_join(const char *a, const char *b);
/* "3.5" or "3.0.22" from an OPENSSL_VERSION_NUMBER-style number. */
void cli_ossl_version_str(unsigned long v, char *buf, size_t len);

/* Subcommands. argv[0] is the command name. */
int cmd_show(cli *c, int argc, char **argv);
int cmd_explain(cli *c, int argc, char **argv);
int cmd_list(cli *c, int argc, char **argv);
int cmd_check(cli *c, int argc, char **argv);
int cmd_probe(cli *c, int argc, char **argv);
int cmd_status(cli *c, int argc, char **argv);
int cmd_coverage(cli *c, int argc, char **argv);
int cmd_set(cli *c, int argc, char **argv);
int cmd_enable(cli *c, int argc, char **argv);
int cmd_disable(cli *c, int argc, char **argv);
int cmd_scan(cli *c, int argc, char **argv);
int cmd_export(cli *c, int argc, char **argv);

#endif
