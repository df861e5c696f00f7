/*
 * enable_nodejs.c - point Node.js at the init section `enable` wires.
 *
 * Node.js (18 and later, Debian's and NodeSource's builds) initialises
 * OpenSSL with the application name `nodejs_conf`: it reads the section that
 * key names in openssl.cnf's default section, and nothing when the key is
 * absent (no fallback to openssl_conf) unless it runs with
 * --openssl-shared-config. So `enable` also writes
 *     [default]
 *     nodejs_conf = SECT
 * between its marker and its .include, SECT being the section openssl_conf
 * names (or the init snippet's tlspolicy_init). Node then reads what every
 * other program reads (the administrator's providers and ssl_conf too), as
 * with --openssl-shared-config. A nodejs_conf the administrator set is left
 * as it is and reported. `disable` removes the lines with the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "enable_nodejs.h"
#include "probe.h" /* conf_scan: the one openssl.cnf reader */

char *nodejs_conf_value(const char *file)
{
    conf_scan cs;
    char *v = NULL;

    if (conf_scan_load(&cs, file) == 0 && cs.nodejs_conf != NULL)
        v = cli_join(cs.nodejs_conf, "");
    conf_scan_free(&cs);
    return v;
}

char *nodejs_lines(const char *file, const char *init_sect)
{
    char *v = nodejs_conf_value(file);
    char *a, *b;

    if (v != NULL) {
        if (strcmp(v, init_sect) == 0)
            printf("nodejs_conf = %s already: node reads the same section\n", v);
        else
            printf("note: nodejs_conf = %s is set: left as it is; node reads [%s], not [%s]"
                   " (see tlspolicy(7), Node.js)\n", v, v, init_sect);
        free(v);
        return NULL;
    }
    a = cli_join("[default]\nnodejs_conf = ", init_sect);
    b = cli_join(a, "\n");
    free(a);
    return b;
}

int nodejs_enable_line(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']')
        return 1;
    return n > 11 && strncmp(s, "nodejs_conf", 11) == 0
           && strspn(s + 11, " \t") < n - 11 && s[11 + strspn(s + 11, " \t")] == '=';
}

void nodejs_note(const char *file, const char *init_sect)
{
    char *v = nodejs_conf_value(file);

    if (v == NULL)
        printf("note: nodejs_conf is not set: node does not read [%s]; `tlspolicy disable`"
               " then `tlspolicy enable` sets it\n", init_sect);
    else if (strcmp(v, init_sect) != 0)
        printf("note: nodejs_conf = %s: node reads [%s], not [%s]\n", v, v, init_sect);
    free(v);
}
