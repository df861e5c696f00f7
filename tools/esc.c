/*
 * esc.c - escape untrusted text for a terminal (see esc.h). A process
 * started as anyone can put a carriage return or an OSC sequence in its
 * OPENSSL_CONF or comm; printed raw, it rewrites root's screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"

#define ESC_SLOTS 8

static int plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '\\';
}

const char *esc(const char *s)
{
    static char *slot[ESC_SLOTS];
    static size_t next;
    if (s == NULL)
        return NULL;
    size_t n = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; u[i]; i++)
        n += plain(u[i])                                                      ? 1
             : (u[i] == '\\' || u[i] == '\t' || u[i] == '\n' || u[i] == '\r') ? 2
                                                                              : 4;
    if (n == strlen(s))
        return s;
    char *o = realloc(slot[next], n + 1);
    if (o == NULL)
        return "?";
    slot[next] = o;
    next = (next + 1) % ESC_SLOTS;
    char *w = o;
    for (size_t i = 0; u[i]; i++) {
        unsigned char c = u[i];
        if (plain(c)) {
            *w++ = (char)c;
            continue;
        }
        *w++ = '\\';
        switch (c) {
        case '\\': *w++ = '\\'; break;
        case '\t': *w++ = 't'; break;
        case '\n': *w++ = 'n'; break;
        case '\r': *w++ = 'r'; break;
        default: sprintf(w, "x%02x", c); w += 3;
        }
    }
    *w = '\0';
    return o;
}
