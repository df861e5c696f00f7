/*
 * enable_nodejs.h - `nodejs_conf` for `tlspolicy enable`/`disable`
 * (enable_nodejs.c).
 */
#ifndef ENABLE_NODEJS_H
#define ENABLE_NODEJS_H

#include <stddef.h>

/* The lines enable adds before its .include so that node reads init_sect
 * ("[default]\nnodejs_conf = SECT\n", malloc'd), or NULL when file (a host
 * path) already sets nodejs_conf: then a line saying so is printed, and the
 * value is left as it is. */
char *nodejs_lines(const char *file, const char *init_sect);

/* 1 if the line (without its newline) is one enable writes between its
 * marker and its .include: a section header or `nodejs_conf = ...`. */
int nodejs_enable_line(const char *s, size_t n);

/* For an openssl.cnf that is already enabled: a note when nodejs_conf does
 * not name init_sect (node then reads another section, or none). */
void nodejs_note(const char *file, const char *init_sect);

/* nodejs_conf in the default section of file (malloc'd), or NULL. */
char *nodejs_conf_value(const char *file);

#endif
