/*
 * json.h - a small streaming JSON writer for the CLI's --json output.
 *
 * Callers emit values in document order; the writer inserts commas,
 * indentation and escaping, so no output can carry a trailing comma or an
 * unescaped byte. Strings that are not valid UTF-8 have each bad byte
 * replaced by U+FFFD, so the output is always valid JSON.
 */
#ifndef TP_JSON_H
#define TP_JSON_H

#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct json_w {
    FILE *f;
    int depth;
    int pretty;
    int after_key;                  /* a key was written, value pending */
    int error;                      /* misuse detected (nesting, depth) */
    unsigned char count[JSON_MAX_DEPTH + 1]; /* values at each depth (capped) */
    char kind[JSON_MAX_DEPTH + 1];  /* '{' or '[' */
} json_w;

void json_init(json_w *w, FILE *f, int pretty);
void json_obj_begin(json_w *w);
void json_obj_end(json_w *w);
void json_arr_begin(json_w *w);
void json_arr_end(json_w *w);
/* Inside an object: the key of the next value. */
void json_key(json_w *w, const char *key);
/* A string value; NULL writes null. */
void json_str(json_w *w, const char *s);
/* A string of len bytes (may contain NUL). */
void json_strn(json_w *w, const char *s, size_t len);
void json_int(json_w *w, long v);
void json_bool(json_w *w, int b);
void json_null(json_w *w);
/* Ends the document with a newline. Returns 0, or -1 if the calls were
 * unbalanced or writing failed. */
int json_finish(json_w *w);

/* Write s as a JSON string literal (with quotes) to f. */
void json_write_string(FILE *f, const char *s, size_t len);

#endif
