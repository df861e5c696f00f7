/*
 * parse.c - one policy text (policy file, drop-in, profile or modifier) into
 * layers of values, validating every value and recording file:line.
 *
 * libconfig does the syntax; a pre-scan first bounds what it is given
 * (tokens, nesting, directives), because this runs in every program's
 * start-up and libconfig 1.5 is slow on pathological input.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

typedef struct pctx {
    tp_policy *p;
    const char *file;
    tp_origin_kind kind;
    int errors;
} pctx;

#define PERR(c, line, ...)                                                     \
    do {                                                                       \
        (c)->errors++;                                                         \
        tp_diag_add((c)->p, TP_SEV_ERROR, TP_ERR_INVALID, (c)->file, (line),  \
                    __VA_ARGS__);                                              \
    } while (0)
#define PWARN(c, line, ...)                                                    \
    tp_diag_add((c)->p, TP_SEV_WARNING, TP_OK, (c)->file, (line), __VA_ARGS__)
#define PNOTE(c, line, ...)                                                    \
    tp_diag_add((c)->p, TP_SEV_NOTE, TP_OK, (c)->file, (line), __VA_ARGS__)

/* ---- pre-scan ------------------------------------------------------------ */

/*
 * libconfig 1.5 silently wraps integers beyond 32 bits (4294969344 reads as
 * 2048): refuse a number token whose value it would not keep.
 */
static int check_number(pctx *c, const char *t, size_t n, int line)
{
    char buf[40];
    size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;
    if (n <= i || !isdigit((unsigned char)t[i]))
        return 0;
    if (memchr(t, '.', n) || (!memchr(t, 'x', n) && !memchr(t, 'X', n) &&
                              (memchr(t, 'e', n) || memchr(t, 'E', n))))
        return 0; /* a float: no key takes one, the type check reports it */
    int is64 = t[n - 1] == 'L' || t[n - 1] == 'l';
    if (n >= sizeof(buf)) {
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_INVALID, c->file, line, "number out of range");
        return -1;
    }
    memcpy(buf, t, n);
    buf[n] = '\0';
    errno = 0;
    char *end;
    long long v = strtoll(buf, &end, 0);
    if (errno == ERANGE || (!is64 && (v > INT32_MAX || v < INT32_MIN))) {
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_INVALID, c->file, line,
                    "number %.*s is out of range", (int)(n > 24 ? 24 : n), t);
        return -1;
    }
    return 0;
}

/* A NUL byte: a binary file is not a policy file (returns -1). */
static int binary_data(pctx *c, int line, size_t off)
{
    tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_SYNTAX, c->file, line,
                "binary data (NUL byte at offset %zu): not a policy file", off);
    return -1;
}

/* Skip a # or // comment: *i ends on its last byte. */
static int skip_line_comment(pctx *c, const char *t, size_t len, size_t *i, int line)
{
    while (*i + 1 < len && t[*i + 1] != '\n') {
        if (t[++*i] == '\0')
            return binary_data(c, line, *i);
    }
    return 0;
}

/* Skip the block comment that starts at *i: *i ends on its closing '/',
 * *line counts the newlines inside. */
static int skip_block_comment(pctx *c, const char *t, size_t len, size_t *i, int *line)
{
    size_t j = *i + 2;
    int opened = *line; /* report where the comment starts */
    while (j + 1 < len && !(t[j] == '*' && t[j + 1] == '/')) {
        if (t[j] == '\n')
            (*line)++;
        if (t[j] == '\0')
            break;
        j++;
    }
    if (j < len && t[j] == '\0')
        return binary_data(c, *line, j);
    if (j + 1 >= len) {
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_SYNTAX, c->file, opened,
                    "unterminated /* comment");
        return -1;
    }
    *i = j + 1;
    return 0;
}

/* Skip the string that starts at *i: *i ends on its closing quote. */
static int skip_string(pctx *c, const char *t, size_t len, size_t *i, int line)
{
    size_t j = *i + 1, n = 0;
    while (j < len && t[j] != '"' && t[j] != '\n' && t[j] != '\0') {
        if (t[j] == '\\' && j + 1 < len && t[j + 1] != '\n' && t[j + 1] != '\0')
            j++;
        j++;
        if (++n > TP_MAX_TOKEN) {
            tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_TOOBIG, c->file, line,
                        "string longer than %d bytes", TP_MAX_TOKEN);
            return -1;
        }
    }
    if (j < len && t[j] == '\0')
        return binary_data(c, line, j);
    if (j >= len || t[j] != '"') {
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_SYNTAX, c->file, line, "unterminated string");
        return -1;
    }
    *i = j;
    return 0;
}

/* Where the pre-scan is in the text. */
typedef struct scan {
    pctx *c;
    const char *t;
    size_t len;
    size_t i; /* the byte being looked at */
    int line;
    int depth;
    size_t tok, tstart; /* length and start of the bare token being read */
    /* Settings per open group: libconfig's duplicate-name check makes a
     * group of n settings cost n^2 (40,000 settings: 14 s). */
    unsigned nset[TP_MAX_DEPTH + 2];
} scan;

/* The bare token being read has ended: check it if it is a number. */
static int end_token(scan *s)
{
    if (s->tok && check_number(s->c, s->t + s->tstart, s->tok, s->line) < 0)
        return -1;
    s->tok = 0;
    return 0;
}

/* A comment or a string at s->i: 1 when it was skipped (s->i ends on its
 * last byte), 0 when there is none, -1 after an error. */
static int scan_skip(scan *s, unsigned char ch)
{
    const char *t = s->t;
    size_t len = s->len;
    int line_comment = ch == '#' || (ch == '/' && s->i + 1 < len && t[s->i + 1] == '/');
    int block_comment = ch == '/' && s->i + 1 < len && t[s->i + 1] == '*';
    int r;
    if (!line_comment && !block_comment && ch != '"')
        return 0;
    if (end_token(s) < 0)
        return -1;
    if (line_comment)
        r = skip_line_comment(s->c, t, len, &s->i, s->line);
    else if (block_comment)
        r = skip_block_comment(s->c, t, len, &s->i, &s->line);
    else
        r = skip_string(s->c, t, len, &s->i, s->line);
    return r < 0 ? -1 : 1;
}

/* Bytes that end a bare token (outside comments and strings). */
static int ends_token(unsigned char ch)
{
    return ch == '\n' || ch == '{' || ch == '(' || ch == '[' || ch == '}' || ch == ')' ||
           ch == ']' || ch == '=' || ch == ':' || isspace(ch) || ch == ';' || ch == ',';
}

/* A byte that ends a bare token: count lines, nesting and settings. */
static int scan_delimiter(scan *s, unsigned char ch)
{
    if (end_token(s) < 0)
        return -1;
    if (ch == '\n') {
        s->line++;
    } else if (ch == '{' || ch == '(' || ch == '[') {
        if (++s->depth > TP_MAX_DEPTH) {
            tp_diag_add(s->c->p, TP_SEV_ERROR, TP_ERR_TOOBIG, s->c->file, s->line,
                        "nesting deeper than %d levels", TP_MAX_DEPTH);
            return -1;
        }
        s->nset[s->depth] = 0;
    } else if (ch == '}' || ch == ')' || ch == ']') {
        if (s->depth > 0)
            s->depth--;
    } else if (ch == '=' || ch == ':') {
        if (++s->nset[s->depth] > TP_MAX_SETTINGS) {
            tp_diag_add(s->c->p, TP_SEV_ERROR, TP_ERR_TOOBIG, s->c->file, s->line,
                        "more than %d settings in one group", TP_MAX_SETTINGS);
            return -1;
        }
    }
    return 0;
}

/* One step of the pre-scan: the byte at s->i, or the comment or string it
 * starts (s->i then ends on its last byte). */
static int scan_byte(scan *s)
{
    unsigned char ch = (unsigned char)s->t[s->i];
    if (ch == '\0')
        return binary_data(s->c, s->line, s->i);
    if (ch == '@') {
        tp_diag_add(s->c->p, TP_SEV_ERROR, TP_ERR_SYNTAX, s->c->file, s->line,
                    "directives such as @include are not allowed in policy files");
        return -1;
    }
    int r = scan_skip(s, ch);
    if (r != 0)
        return r < 0 ? -1 : 0;
    if (ends_token(ch))
        return scan_delimiter(s, ch);
    if (s->tok == 0)
        s->tstart = s->i;
    if (++s->tok > TP_MAX_TOKEN) {
        tp_diag_add(s->c->p, TP_SEV_ERROR, TP_ERR_TOOBIG, s->c->file, s->line,
                    "token longer than %d bytes", TP_MAX_TOKEN);
        return -1;
    }
    return 0;
}

/* Returns 0 if the text may be handed to libconfig. */
static int prescan(pctx *c, const char *t, size_t len)
{
    scan s = {.c = c, .t = t, .len = len, .line = 1};
    for (s.i = 0; s.i < len; s.i++) {
        if (scan_byte(&s) < 0)
            return -1;
    }
    return end_token(&s);
}

/* ---- helpers ------------------------------------------------------------- */

static size_t lev(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t d[41][41];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t m = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < m)
                m = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < m)
                m = d[i - 1][j - 1] + cost;
            d[i][j] = m;
        }
    return d[la][lb];
}

/* " (did you mean 'x'?)" for the candidate closest to `bad`, or "". */
static const char *suggest(const char *bad, const char *(*at)(size_t, const void *),
                           const void *arg, size_t n, char *buf, size_t len)
{
    size_t best = 3;
    const char *cand = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *name = at(i, arg);
        size_t d = lev(bad, name);
        if (d < best) {
            best = d;
            cand = name;
        }
    }
    if (cand == NULL)
        return "";
    snprintf(buf, len, " (did you mean '%s'?)", cand);
    return buf;
}

static const char *name_at(size_t i, const void *kind)
{
    return tp_name_at(*(const tp_name_kind *)kind, i);
}

static const char *key_at(size_t i, const void *unused)
{
    (void)unused;
    return tp_key_name((tp_key)i);
}

static const char *suggest_name(tp_name_kind kind, const char *bad, char *buf, size_t len)
{
    return suggest(bad, name_at, &kind, tp_name_count(kind), buf, len);
}

static const char *suggest_key(const char *bad, char *buf, size_t len)
{
    return suggest(bad, key_at, NULL, TP_K__COUNT, buf, len);
}

static const char *kind_noun(tp_name_kind k)
{
    switch (k) {
    case TP_N_VERSION: return "protocol version";
    case TP_N_CIPHERSUITE: return "TLS 1.3 cipher suite";
    case TP_N_CIPHER: return "cipher";
    case TP_N_KEX: return "key exchange";
    case TP_N_MAC: return "MAC";
    case TP_N_GROUP: return "group";
    case TP_N_SIGALG: return "signature algorithm";
    case TP_N_HASH: return "hash";
    }
    return "name";
}

static const char *type_noun(int t)
{
    switch (t) {
    case CONFIG_TYPE_GROUP: return "a group { ... }";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: return "a number";
    case CONFIG_TYPE_FLOAT: return "a decimal number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "a boolean";
    case CONFIG_TYPE_ARRAY: return "an array [ ... ]";
    case CONFIG_TYPE_LIST: return "a list ( ... )";
    }
    return "something else";
}

static int check_profile_spec(pctx *c, int line, const char *spec)
{
    /* NAME[:MODIFIER...], each [A-Za-z0-9_-]+: names become file names. */
    int parts = 0;
    const char *s = spec;
    if (*s == '\0') {
        PERR(c, line, "profile is empty");
        return -1;
    }
    for (;;) {
        const char *e = s;
        while (*e && *e != ':') {
            if (!isalnum((unsigned char)*e) && *e != '-' && *e != '_') {
                PERR(c, line, "invalid character '%c' in profile \"%s\" (names use letters, digits, '-' and '_')",
                     isprint((unsigned char)*e) ? *e : '?', spec);
                return -1;
            }
            e++;
        }
        if (e == s) {
            PERR(c, line, "empty name in profile \"%s\"", spec);
            return -1;
        }
        if (++parts > TP_MAX_MODIFIERS + 1) {
            PERR(c, line, "more than %d modifiers in profile \"%s\"", TP_MAX_MODIFIERS, spec);
            return -1;
        }
        if (*e == '\0')
            break;
        s = e + 1;
    }
    return 0;
}

/* ---- values -------------------------------------------------------------- */

/* A list value being read: the key's names, its counts of plain names and
 * of +/- edits, and its text as written. */
typedef struct listctx {
    pctx *c;
    const tp_keyinfo *ki;
    tp_value *v;
    const char *dotted;
    int plain, edits, bad;
    tp_buf text;
} listctx;

/* Check that s is a list of at most TP_MAX_LIST entries and allocate v's
 * items for its n entries. */
static int list_alloc(pctx *c, const config_setting_t *s, tp_value *v, const char *dotted, int *n)
{
    int line = (int)config_setting_source_line(s);
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
        PERR(c, line, "%s must be a list of names [ \"...\", ... ], not %s", dotted, type_noun(t));
        return -1;
    }
    *n = config_setting_length(s);
    if (*n > TP_MAX_LIST) {
        PERR(c, line, "%s has %d entries (limit %d)", dotted, *n, TP_MAX_LIST);
        return -1;
    }
    v->items = calloc((size_t)*n + 1, sizeof(*v->items));
    v->ops = calloc((size_t)*n + 1, 1);
    if (v->items == NULL || v->ops == NULL) {
        PERR(c, line, "out of memory");
        return -1;
    }
    return 0;
}

/* The edit operation of an entry (name[rl] is its end): "-x" removes,
 * "+x" prepends, "x+" appends; the name without its mark. */
static char *list_edit_op(char *name, size_t rl, int *op)
{
    *op = TP_OP_SET;
    if (name[0] == '-') {
        *op = TP_OP_REMOVE;
        return name + 1;
    }
    if (name[0] == '+') {
        *op = TP_OP_PREPEND;
        return name + 1;
    }
    if (rl > 1 && name[rl - 1] == '+') {
        *op = TP_OP_APPEND;
        name[rl - 1] = '\0';
    }
    return name;
}

/* The canonical name of nm, with a note if it is an alias or too new for
 * this OpenSSL; NULL (reported) if unknown. */
static const char *list_canonical(listctx *lc, const char *nm, int op, int el)
{
    pctx *c = lc->c;
    tp_name_kind kind = lc->ki->names;
    const char *canon = tp_name_canonical(kind, nm);
    if (canon == NULL) {
        char sug[96];
        PERR(c, el, "unknown %s '%s' in %s%s", kind_noun(kind), nm, lc->dotted,
             suggest_name(kind, nm, sug, sizeof(sug)));
        return NULL;
    }
    if (strcmp(canon, nm) != 0 && strcasecmp(canon, nm) != 0)
        PNOTE(c, el, "%s: '%s' is read as %s '%s'", lc->dotted, nm, kind_noun(kind), canon);
    unsigned long need = tp_name_min_openssl(kind, canon);
    if (c->p->openssl_version && need > c->p->openssl_version && op != TP_OP_REMOVE)
        PNOTE(c, el, "%s: %s '%s' needs OpenSSL %lu.%lu or later; OpenSSL %lu.%lu skips it",
              lc->dotted, kind_noun(kind), canon, need >> 28, (need >> 20) & 0xff,
              c->p->openssl_version >> 28, (c->p->openssl_version >> 20) & 0xff);
    return canon;
}

/* Entry i of a list (at line el): its operation and canonical name are
 * added to the value, its text as written to the list's text. */
static void list_entry(listctx *lc, const config_setting_t *e, int i, int el)
{
    pctx *c = lc->c;
    tp_value *v = lc->v;
    if (config_setting_type(e) != CONFIG_TYPE_STRING) {
        PERR(c, el, "%s: entry %d must be a string, not %s", lc->dotted, i + 1,
             type_noun(config_setting_type(e)));
        lc->bad = 1;
        return;
    }
    const char *raw = config_setting_get_string(e);
    char name[128];
    int op;
    size_t rl = strlen(raw);
    if (rl >= sizeof(name)) {
        PERR(c, el, "%s: name too long (%zu bytes)", lc->dotted, rl);
        lc->bad = 1;
        return;
    }
    memcpy(name, raw, rl + 1);
    char *nm = list_edit_op(name, rl, &op);
    if (op == TP_OP_SET)
        lc->plain++;
    else
        lc->edits++;
    const char *canon = list_canonical(lc, nm, op, el);
    if (canon == NULL) {
        lc->bad = 1;
        return;
    }
    for (size_t j = 0; j < v->n; j++)
        if (v->items[j] == canon) {
            PERR(c, el, "%s: '%s' is listed twice", lc->dotted, canon);
            lc->bad = 1;
            break;
        }
    if (lc->text.n > 1)
        tp_buf_add(&lc->text, ",");
    tp_buf_add(&lc->text, " ");
    tp_buf_add(&lc->text, raw);
    v->ops[v->n] = (unsigned char)op;
    v->items[v->n++] = canon;
}

static void parse_list(pctx *c, tp_key k, const config_setting_t *s, tp_value *v,
                       const char *dotted)
{
    listctx lc = {.c = c, .ki = tp_keyinfo_get(k), .v = v, .dotted = dotted};
    int line = (int)config_setting_source_line(s);
    int n;
    if (list_alloc(c, s, v, dotted, &n) < 0)
        return;
    tp_buf_add(&lc.text, "[");
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        int el = (int)config_setting_source_line(e);
        list_entry(&lc, e, i, el == 0 ? line : el);
    }
    tp_buf_add(&lc.text, " ]");
    if (lc.plain && lc.edits) {
        PERR(c, line, "%s mixes plain names with +/- edits: either replace the list or edit it",
             dotted);
        lc.bad = 1;
    }
    v->edit = lc.edits > 0;
    v->text = tp_buf_done(&lc.text);
    if (!lc.bad)
        v->set = 1;
}

/* A number within the key's range. */
static void parse_int(pctx *c, const tp_keyinfo *ki, const config_setting_t *s, tp_value *v,
                      const char *dotted)
{
    int t = config_setting_type(s);
    char buf[64];
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        PERR(c, v->line, "%s must be a number, not %s", dotted, type_noun(t));
        return;
    }
    long long x = config_setting_get_int64(s);
    if (t == CONFIG_TYPE_INT)
        x = config_setting_get_int(s);
    if (x < ki->min || x > ki->max) {
        PERR(c, v->line, "%s = %lld is out of range (%ld to %ld)", dotted, x, ki->min, ki->max);
        return;
    }
    v->i = (long)x;
    snprintf(buf, sizeof(buf), "%ld", v->i);
    v->text = strdup(buf);
    v->set = 1;
}

/* A TLS version (tls.*) or a DTLS version (dtls.*). */
static void parse_version(pctx *c, const char *str, tp_value *v, const char *dotted)
{
    int line = v->line;
    int want_dtls = strncmp(dotted, "dtls.", 5) == 0;
    const tp_vername *vn = tp_version_find(str);
    if (vn != NULL && vn->dtls != want_dtls) {
        PERR(c, line, "%s is a %s version; %s takes %s", vn->name, vn->dtls ? "DTLS" : "TLS",
             dotted, want_dtls ? "DTLSv1.0 or DTLSv1.2" : "TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3");
        return;
    }
    if (vn == NULL) {
        PERR(c, line, "unknown %s version '%s' in %s (known: %s)", want_dtls ? "DTLS" : "TLS", str,
             dotted, want_dtls ? "DTLSv1.0 DTLSv1.2" : "TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3");
        return;
    }
    if (strcmp(vn->name, str) != 0)
        PNOTE(c, line, "%s: '%s' is read as %s", dotted, str, vn->name);
    v->i = vn->version;
    v->text = strdup(vn->name);
    v->set = 1;
}

/* One of the key's words. */
static void parse_enum(pctx *c, const tp_keyinfo *ki, const char *str, tp_value *v,
                       const char *dotted)
{
    for (const char *const *e = ki->enums; *e; e++)
        if (strcmp(*e, str) == 0) {
            v->s = strdup(str);
            v->text = strdup(str);
            v->set = v->s != NULL;
            return;
        }
    char opts[128] = "";
    for (const char *const *e = ki->enums; *e; e++) {
        if (opts[0])
            strncat(opts, ", ", sizeof(opts) - strlen(opts) - 1);
        strncat(opts, *e, sizeof(opts) - strlen(opts) - 1);
    }
    PERR(c, v->line, "%s must be one of %s, not \"%s\"", dotted, opts, str);
}

/* A free string: a profile specification, or an absolute path. */
static void parse_string(pctx *c, tp_key k, const char *str, tp_value *v, const char *dotted)
{
    if (k == TP_K_PROFILE) {
        if (check_profile_spec(c, v->line, str) < 0)
            return;
    } else if (k == TP_K_VERIFY_CA_FILE || k == TP_K_VERIFY_CA_PATH) {
        if (str[0] != '/') {
            PERR(c, v->line, "%s must be an absolute path, not \"%s\"", dotted, str);
            return;
        }
    }
    v->s = strdup(str);
    v->text = strdup(str);
    v->set = v->s != NULL;
}

/* The value of key k, checked against the key's type. */
static void parse_value1(pctx *c, tp_key k, const config_setting_t *s, tp_value *v,
                         const char *dotted)
{
    const tp_keyinfo *ki = tp_keyinfo_get(k);
    int t = config_setting_type(s);
    v->line = (int)config_setting_source_line(s);
    switch (ki->type) {
    case TP_T_LIST: parse_list(c, k, s, v, dotted); return;
    case TP_T_INT: parse_int(c, ki, s, v, dotted); return;
    default: break;
    }
    if (t != CONFIG_TYPE_STRING) {
        PERR(c, v->line, "%s must be a string, not %s", dotted, type_noun(t));
        return;
    }
    const char *str = config_setting_get_string(s);
    if (ki->type == TP_T_VERSION)
        parse_version(c, str, v, dotted);
    else if (ki->type == TP_T_ENUM)
        parse_enum(c, ki, str, v, dotted);
    else /* TP_T_STRING */
        parse_string(c, k, str, v, dotted);
}

/* Every path of parse_value1 either reports an error or sets the value with
 * its text; anything else is a failed allocation, which must not pass for a
 * value that was never written (a dropped profile or verify.peer). */
static void parse_value(pctx *c, tp_key k, const config_setting_t *s, tp_value *v,
                        const char *dotted)
{
    int before = c->errors;
    parse_value1(c, k, s, v, dotted);
    if (c->errors == before && (!v->set || v->text == NULL)) {
        v->set = 0;
        c->errors++;
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_NOMEM, c->file, v->line, "%s: out of memory",
                    dotted);
    }
}

/* ---- groups -------------------------------------------------------------- */

static const char *const sections[] = {"tls", "dtls", "keys", "signatures", "verify", NULL};

static int is_section(const char *n)
{
    for (const char *const *s = sections; *s; s++)
        if (strcmp(*s, n) == 0)
            return 1;
    return 0;
}

/* Settings of one group (top level of a file, or an application rule). */
static void parse_settings(pctx *c, const config_setting_t *g, tp_layer *l, int is_app)
{
    int n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(s);
        int line = (int)config_setting_source_line(s);
        char sug[96];
        if (name == NULL)
            continue;
        if (strcmp(name, "applications") == 0 || strcmp(name, "match") == 0 ||
            strcmp(name, "description") == 0)
            continue; /* handled by the caller */
        if (is_section(name)) {
            if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
                PERR(c, line, "%s must be a group { ... }, not %s", name,
                     type_noun(config_setting_type(s)));
                continue;
            }
            int m = config_setting_length(s);
            for (int j = 0; j < m; j++) {
                const config_setting_t *e = config_setting_get_elem(s, (unsigned)j);
                char dotted[160];
                snprintf(dotted, sizeof(dotted), "%s.%s", name, config_setting_name(e));
                int k = tp_key_lookup(dotted);
                if (k < 0) {
                    PERR(c, (int)config_setting_source_line(e), "unknown key '%s'%s", dotted,
                         suggest_key(dotted, sug, sizeof(sug)));
                    continue;
                }
                parse_value(c, (tp_key)k, e, &l->v[k], dotted);
            }
            continue;
        }
        int k = tp_key_lookup(name);
        if (k < 0 || strchr(name, '.') != NULL) {
            PERR(c, line, "unknown key '%s'%s", name, suggest_key(name, sug, sizeof(sug)));
            continue;
        }
        if (k == TP_K_PROFILE && (is_app || c->kind == TP_O_PROFILE || c->kind == TP_O_MODIFIER)) {
            PERR(c, line, "'profile' cannot be set in %s",
                 is_app ? "an application rule" : "a profile or modifier file");
            continue;
        }
        parse_value(c, (tp_key)k, s, &l->v[k], name);
    }
}

static tp_layer *layer_new(tp_origin_kind kind, const char *name, const char *file, int line)
{
    tp_layer *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    l->kind = kind;
    l->line = line;
    l->name = name ? strdup(name) : NULL;
    l->file = file ? strdup(file) : NULL;
    if ((name && !l->name) || (file && !l->file)) {
        tp_layer_free(l);
        return NULL;
    }
    return l;
}

void tp_layer_free(tp_layer *l)
{
    if (l == NULL)
        return;
    for (int k = 0; k < TP_K__COUNT; k++) {
        free(l->v[k].s);
        free(l->v[k].items);
        free(l->v[k].ops);
        free(l->v[k].text);
    }
    free(l->name);
    free(l->file);
    free(l);
}

static int push_app(tp_policy *p, tp_layer *l)
{
    tp_layer **n = realloc(p->apps, (p->napps + 1) * sizeof(*n));
    if (n == NULL)
        return -1;
    p->apps = n;
    p->apps[p->napps++] = l;
    return 0;
}

typedef struct appref {
    const char *match;
    int line;
} appref;

static int appref_cmp(const void *a, const void *b)
{
    const appref *x = a, *y = b;
    int r = strcmp(x->match, y->match);
    return r ? r : x->line - y->line;
}

/* The 'match' of application rule i (group g at line gl); NULL after an
 * error. */
static const char *app_match(pctx *c, const config_setting_t *g, int i, int gl)
{
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        PERR(c, gl, "application rule %d must be a group { match = \"...\"; ... }, not %s", i + 1,
             type_noun(config_setting_type(g)));
        return NULL;
    }
    const config_setting_t *m = config_setting_get_member(g, "match");
    if (m == NULL) {
        PERR(c, gl, "application rule %d has no 'match'", i + 1);
        return NULL;
    }
    int ml = (int)config_setting_source_line(m);
    if (config_setting_type(m) != CONFIG_TYPE_STRING) {
        PERR(c, ml, "match must be a string, not %s", type_noun(config_setting_type(m)));
        return NULL;
    }
    const char *match = config_setting_get_string(m);
    if (match[0] == '\0') {
        PERR(c, ml, "match is empty");
        return NULL;
    }
    if (match[0] != '/' && strchr(match, '/') != NULL) {
        PERR(c, ml, "match \"%s\" must be a program's base name or an absolute path", match);
        return NULL;
    }
    return match;
}

/* Application rule i (group g at line gl) as a layer added to the policy's
 * rules; NULL if it had errors (reported), and then it is dropped. */
static const tp_layer *parse_app(pctx *c, const config_setting_t *g, int i, int gl)
{
    const char *match = app_match(c, g, i, gl);
    if (match == NULL)
        return NULL;
    /* parse_settings() reports a 'profile' here; the rule is dropped. */
    const config_setting_t *pf = config_setting_get_member(g, "profile");
    const config_setting_t *nested = config_setting_get_member(g, "applications");
    if (nested != NULL) {
        PERR(c, (int)config_setting_source_line(nested), "application rules cannot be nested");
        return NULL;
    }
    tp_layer *l = layer_new(TP_O_APP, match, c->file, gl);
    if (l == NULL) {
        PERR(c, gl, "out of memory");
        return NULL;
    }
    int before = c->errors;
    parse_settings(c, g, l, 1);
    if (pf != NULL || c->errors != before)
        goto err;
    if (push_app(c->p, l) < 0) {
        c->errors++;
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_NOMEM, c->file, gl, "out of memory");
        goto err;
    }
    return l;
err:
    tp_layer_free(l);
    return NULL;
}

/* Duplicates within one file are mistakes; across files (drop-ins) a
 * later rule refines an earlier one, in merge order. */
static void check_duplicate_apps(pctx *c, appref *refs, size_t nrefs)
{
    qsort(refs, nrefs, sizeof(*refs), appref_cmp);
    for (size_t i = 1; i < nrefs; i++)
        if (strcmp(refs[i].match, refs[i - 1].match) == 0)
            PERR(c, refs[i].line, "duplicate application rule for \"%s\" (first at line %d)",
                 refs[i].match, refs[i - 1].line);
}

/* The application rules of a policy file or drop-in. */
static void parse_apps(pctx *c, const config_setting_t *apps)
{
    int line = (int)config_setting_source_line(apps);
    int t = config_setting_type(apps);
    if (t != CONFIG_TYPE_LIST) {
        PERR(c, line, "applications must be a list of groups ( { match = \"...\"; ... }, ... ), not %s",
             type_noun(t));
        return;
    }
    int n = config_setting_length(apps);
    appref *refs = calloc((size_t)n + 1, sizeof(*refs));
    size_t nrefs = 0;
    if (refs == NULL) {
        PERR(c, line, "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(apps, (unsigned)i);
        int gl = (int)config_setting_source_line(g);
        if (gl == 0)
            gl = line;
        const tp_layer *l = parse_app(c, g, i, gl);
        if (l == NULL)
            continue;
        refs[nrefs].match = l->name;
        refs[nrefs].line = gl;
        nrefs++;
    }
    check_duplicate_apps(c, refs, nrefs);
    free(refs);
}

/* libconfig's reading of the text into cfg; on failure (reported) cfg is
 * left destroyed. */
static int read_config(pctx *c, config_t *cfg, const char *text, size_t len)
{
    /* libconfig wants a NUL-terminated string; the pre-scan refused NULs. */
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_NOMEM, c->file, 0, "out of memory");
        return -1;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    config_init(cfg);
    int ok = config_read_string(cfg, copy);
    free(copy);
    if (ok == CONFIG_TRUE)
        return 0;
    const char *et = config_error_text(cfg);
    /* libconfig says "syntax error" or something more precise. */
    if (et == NULL || strcmp(et, "syntax error") == 0)
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_SYNTAX, c->file, config_error_line(cfg),
                    "syntax error (check the end of this line or the line before "
                    "for a missing ';', '=' or quote)");
    else
        tp_diag_add(c->p, TP_SEV_ERROR, TP_ERR_SYNTAX, c->file, config_error_line(cfg),
                    "syntax error: %s", et);
    config_destroy(cfg);
    return -1;
}

/* The top level of a file: its settings, description and application
 * rules, and a misplaced 'match'. */
static void parse_root(pctx *c, const config_setting_t *root, tp_layer *l)
{
    parse_settings(c, root, l, 0);
    const config_setting_t *d = config_setting_get_member(root, "description");
    if (d && config_setting_type(d) != CONFIG_TYPE_STRING)
        PERR(c, (int)config_setting_source_line(d), "description must be a string");
    const config_setting_t *apps = config_setting_get_member(root, "applications");
    if (apps != NULL) {
        if (c->kind == TP_O_FILE || c->kind == TP_O_DROPIN)
            parse_apps(c, apps);
        else
            PERR(c, (int)config_setting_source_line(apps),
                 "application rules belong in the policy file or a drop-in, not in a profile or modifier");
    }
    const config_setting_t *m = config_setting_get_member(root, "match");
    if (m != NULL)
        PERR(c, (int)config_setting_source_line(m),
             "'match' belongs inside an application rule: applications = ( { match = \"...\"; ... } );");
}

int tp_parse_text(tp_policy *p, tp_origin_kind kind, const char *name, const char *file,
                  const char *text, size_t len, tp_layer **layer_out)
{
    pctx c = {.p = p, .file = file, .kind = kind};
    config_t cfg;
    *layer_out = NULL;
    if (prescan(&c, text, len) < 0 || read_config(&c, &cfg, text, len) < 0)
        return -1;
    tp_layer *l = layer_new(kind, name, file, 0);
    if (l == NULL) {
        tp_diag_add(p, TP_SEV_ERROR, TP_ERR_NOMEM, file, 0, "out of memory");
        config_destroy(&cfg);
        return -1;
    }
    parse_root(&c, config_root_setting(&cfg), l);
    config_destroy(&cfg);
    *layer_out = l;
    return c.errors ? -1 : 0;
}
