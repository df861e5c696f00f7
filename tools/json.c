/*
 * json.c - streaming JSON writer (see json.h).
 */
#include "json.h"

#include <string.h>

void json_init(json_w *w, FILE *f, int pretty)
{
    memset(w, 0, sizeof(*w));
    w->f = f;
    w->pretty = pretty;
}

static void indent(json_w *w)
{
    if (!w->pretty)
        return;
    fputc('\n', w->f);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->f);
}

/* Called before every value and every key. */
static void before(json_w *w, int is_key)
{
    if (w->after_key) {
        /* the value of a key: no separator */
        if (is_key)
            w->error = 1;
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (is_key != (w->kind[w->depth] == '{'))
            w->error = 1; /* key in an array, or bare value in an object */
        if (w->count[w->depth])
            fputc(',', w->f);
        indent(w);
        if (w->count[w->depth] < 255)
            w->count[w->depth]++;
    } else {
        if (w->count[0])
            w->error = 1; /* two top-level values */
        w->count[0] = 1;
    }
}

static void open_(json_w *w, char kind)
{
    before(w, 0);
    fputc(kind, w->f);
    if (w->depth >= JSON_MAX_DEPTH) {
        w->error = 1;
        return;
    }
    w->depth++;
    w->kind[w->depth] = kind;
    w->count[w->depth] = 0;
}

static void close_(json_w *w, char kind)
{
    char open_kind = kind == '}' ? '{' : '[';
    if (w->depth == 0 || w->kind[w->depth] != open_kind || w->after_key) {
        w->error = 1;
        return;
    }
    int had = w->count[w->depth];
    w->depth--;
    if (had)
        indent(w);
    fputc(kind, w->f);
}

void json_obj_begin(json_w *w) { open_(w, '{'); }
void json_obj_end(json_w *w) { close_(w, '}'); }
void json_arr_begin(json_w *w) { open_(w, '['); }
void json_arr_end(json_w *w) { close_(w, ']'); }

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

void json_write_string(FILE *f, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    fputc('"', f);
    while (i < len) {
        unsigned char c = s[i];
        switch (c) {
        case '"':  fputs("\\\"", f); i++; continue;
        case '\\': fputs("\\\\", f); i++; continue;
        case '\b': fputs("\\b", f); i++; continue;
        case '\f': fputs("\\f", f); i++; continue;
        case '\n': fputs("\\n", f); i++; continue;
        case '\r': fputs("\\r", f); i++; continue;
        case '\t': fputs("\\t", f); i++; continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7F) {
            fprintf(f, "\\u%04x", c);
            i++;
            continue;
        }
        size_t n = utf8_len(s + i, len - i);
        if (n == 0) {
            fputs("\\ufffd", f); /* not UTF-8: replacement character */
            i++;
            continue;
        }
        fwrite(s + i, 1, n, f);
        i += n;
    }
    fputc('"', f);
}

void json_key(json_w *w, const char *key)
{
    before(w, 1);
    json_write_string(w->f, key, strlen(key));
    fputs(w->pretty ? ": " : ":", w->f);
    w->after_key = 1;
}

void json_strn(json_w *w, const char *s, size_t len)
{
    before(w, 0);
    json_write_string(w->f, s, len);
}

void json_str(json_w *w, const char *s)
{
    if (!s) {
        json_null(w);
        return;
    }
    json_strn(w, s, strlen(s));
}

void json_int(json_w *w, long v)
{
    before(w, 0);
    fprintf(w->f, "%ld", v);
}

void json_bool(json_w *w, int b)
{
    before(w, 0);
    fputs(b ? "true" : "false", w->f);
}

void json_null(json_w *w)
{
    before(w, 0);
    fputs("null", w->f);
}

int json_finish(json_w *w)
{
    fputc('\n', w->f);
    if (w->depth != 0 || w->after_key || w->count[0] != 1)
        w->error = 1;
    if (fflush(w->f) != 0 || ferror(w->f))
        return -1;
    return w->error ? -1 : 0;
}
