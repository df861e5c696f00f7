/* internal.h - private structures of the policy library. */
#ifndef TP_INTERNAL_H
#define TP_INTERNAL_H

#include <stddef.h>
#include "tlspolicy.h"
#include "names.h"

/* Limits that keep a hostile file from costing every program start. */
#define TP_MAX_FILE_BYTES   (2u * 1024u * 1024u) /* one policy file */
#define TP_MAX_TOKEN        4096  /* one string or bare token */
#define TP_MAX_DEPTH        8     /* nesting of groups/lists */
#define TP_MAX_DROPINS      512   /* files in policy.d */
#define TP_MAX_LIST         128   /* names in one list */
#define TP_MAX_MODIFIERS    16    /* modifiers after a profile */
#define TP_MAX_SETTINGS     1000  /* settings in one group */

/* Edit operations of a list item. */
enum { TP_OP_SET = 0, TP_OP_PREPEND, TP_OP_APPEND, TP_OP_REMOVE };

typedef struct tp_value {
    int set;
    int line;
    long i;               /* INT, VERSION */
    char *s;              /* STRING, ENUM (owned) */
    const char **items;   /* LIST: canonical names (static table strings) */
    unsigned char *ops;   /* LIST: TP_OP_* per item */
    size_t n;
    int edit;             /* LIST: 1 if items are +/- edits */
    char *text;           /* as written, for explain (owned) */
} tp_value;

typedef struct tp_layer {
    tp_origin_kind kind;
    char *name;           /* profile/modifier name, app match */
    char *file;           /* path as opened (owned) */
    int line;             /* app rule: line of its group */
    tp_value v[TP_K__COUNT];
} tp_layer;

struct tp_policy {
    tp_diag *diags;
    size_t ndiags, capdiags;
    char **strs;          /* strings owned for diags */
    size_t nstrs, capstrs;
    char *policy_file;
    char **dropins;
    size_t ndropins;
    tp_layer **layers;    /* system-wide, bottom to top (no builtin) */
    size_t nlayers;
    tp_layer **apps;      /* application rules, in order */
    size_t napps;
    int fallback;
    int nerrors;
    unsigned long openssl_version;
};

/* keys.c */
typedef struct tp_keyinfo {
    const char *name;     /* dotted */
    tp_type type;
    tp_name_kind names;   /* LIST: kind of names; VERSION: unused */
    const char *const *enums; /* ENUM: NULL-terminated */
    long min, max;        /* INT range */
    const char *doc;
} tp_keyinfo;
const tp_keyinfo *tp_keyinfo_get(tp_key k);
/* compiled-in DEFAULT */
typedef struct tp_builtin_val {
    long i;
    const char *s;
    const char *const *items; /* NULL-terminated */
} tp_builtin_val;
const tp_builtin_val *tp_builtin_get(tp_key k);
const char *tp_builtin_text(tp_key k);

/* diag.c: a growing string; after a failed allocation it stays failed and
 * tp_buf_done() returns NULL. */
typedef struct tp_buf {
    char *s;
    size_t n, cap;
    int oom;
} tp_buf;
void tp_buf_add(tp_buf *b, const char *s);
/* Add `s`, preceded by `sep` unless the buffer is empty. */
void tp_buf_join(tp_buf *b, const char *sep, const char *s);
char *tp_buf_done(tp_buf *b); /* "" for an empty buffer */

/* diag.c */
const char *tp_pstrdup(tp_policy *p, const char *s);
void tp_diag_add(tp_policy *p, tp_severity sev, tp_err code, const char *file,
                 int line, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* parse.c: parse one file's text into layers. kind = FILE/DROPIN/PROFILE/MODIFIER.
 * Returns 0 on success (maybe with diags), -1 if the file had errors. */
int tp_parse_text(tp_policy *p, tp_origin_kind kind, const char *name,
                  const char *file, const char *text, size_t len,
                  tp_layer **layer_out);
void tp_layer_free(tp_layer *l);

/* resolve.c: only_app >= 0 applies that one application rule; system_only
 * applies none.  NULL when out of memory. */
tp_resolved *tp_resolve_rules(const tp_policy *p, long only_app, int system_only);

/* validate.c */
void tp_validate_resolved(tp_policy *p);

/* render.c */
size_t tp_render_suites12(const tp_resolved *r, const tp_suite12 **out, size_t max);
int tp_security_level(const tp_resolved *r);
/* The TP_H_* bits of signatures.forbidden_hashes. */
uint32_t tp_forbidden_hash_bits(const tp_resolved *r);
/* 1 if the key floors (keys.min_dh_bits, keys.min_ec_bits) allow group g. */
int tp_group_meets_floors(const tp_resolved *r, const tp_group *g);
/* 1 if signature scheme sa's hash is not in forbidden (TP_H_* bits) and
 * its curve meets keys.min_ec_bits. */
int tp_sigalg_meets_floors(const tp_resolved *r, const tp_sigalg *sa, uint32_t forbidden);


#endif
