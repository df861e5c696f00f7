/*
 * esc.h - text for a terminal from data the CLI does not control (process
 * names, environment values, file names). Every text output goes through
 * esc(); JSON output has its own escaping (json.c).
 */
#ifndef TP_ESC_H
#define TP_ESC_H

/*
 * s with every byte outside printable ASCII (0x20-0x7e) written as \xNN,
 * except \t, \n and \r written as such, and a backslash doubled, so that
 * no control character or escape sequence reaches the terminal and the
 * text reads back unambiguously. Returns s itself when nothing needs
 * escaping, NULL for NULL, else a string valid until the 8th call after
 * this one (so one printf can take several); "?" when out of memory.
 */
const char *esc(const char *s);

#endif
