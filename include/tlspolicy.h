/*
 * tlspolicy.h - the policy library: parse, merge, validate, resolve, render.
 *
 * One opaque handle per concept (libtls style):
 *   tp_policy   - a loaded policy: profile + modifiers + policy file + drop-ins
 *                 + application rules, with every problem found while loading.
 *   tp_resolved - the effective policy for one program, each value with the
 *                 chain of places that set it.
 * The library keeps no global state and never prints: problems are recorded
 * as diagnostics on the tp_policy (file, line, severity, message).
 * Only depends on libconfig and libc; knows OpenSSL only by name tables, so
 * the config module can use it without pulling in libssl.
 */
#ifndef TLSPOLICY_H
#define TLSPOLICY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TP_SCHEMA_VERSION 1

/* Error codes. Add at the end, never renumber. */
typedef enum tp_err {
    TP_OK = 0,
    TP_ERR_NOMEM,       /* out of memory */
    TP_ERR_IO,          /* file could not be opened or read */
    TP_ERR_NOTFOUND,    /* a file asked for by name does not exist */
    TP_ERR_SYNTAX,      /* libconfig could not parse the file */
    TP_ERR_INVALID,     /* parsed, but a value is invalid */
    TP_ERR_UNTRUSTED,   /* file not owned by root or writable by others */
    TP_ERR_TOOBIG,      /* file or structure beyond the built-in limits */
    TP_ERR_ARG,         /* bad argument to a library function */
} tp_err;

const char *tp_strerror(tp_err err);

/* ---- keys --------------------------------------------------------------- */

/* Every setting of the policy language. Order is the display order. */
typedef enum tp_key {
    TP_K_PROFILE = 0,         /* "profile"                      string   */
    TP_K_MODE,                /* "mode"                         enum     */
    TP_K_TLS_MIN,             /* "tls.min_version"              version  */
    TP_K_TLS_MAX,             /* "tls.max_version"              version  */
    TP_K_TLS_CIPHERSUITES,    /* "tls.ciphersuites"  (TLS 1.3)  list     */
    TP_K_TLS_CIPHERS,         /* "tls.ciphers"       families   list     */
    TP_K_TLS_KEX,             /* "tls.key_exchange"  families   list     */
    TP_K_TLS_MACS,            /* "tls.macs"          families   list     */
    TP_K_TLS_GROUPS,          /* "tls.groups"                   list     */
    TP_K_TLS_SIGALGS,         /* "tls.signature_algorithms"     list     */
    TP_K_TLS_SECLEVEL,        /* "tls.security_level"  -1=derive int     */
    TP_K_DTLS_MIN,            /* "dtls.min_version"             version  */
    TP_K_DTLS_MAX,            /* "dtls.max_version"             version  */
    TP_K_KEYS_RSA,            /* "keys.min_rsa_bits"            int      */
    TP_K_KEYS_DH,             /* "keys.min_dh_bits"             int      */
    TP_K_KEYS_DSA,            /* "keys.min_dsa_bits"            int      */
    TP_K_KEYS_EC,             /* "keys.min_ec_bits"             int      */
    TP_K_SIG_FORBIDDEN,       /* "signatures.forbidden_hashes"  list     */
    TP_K_VERIFY_PEER,         /* "verify.peer"                  enum     */
    TP_K_VERIFY_CA_FILE,      /* "verify.ca_file"               string   */
    TP_K_VERIFY_CA_PATH,      /* "verify.ca_path"               string   */
    TP_K__COUNT
} tp_key;

typedef enum tp_type {
    TP_T_STRING,
    TP_T_INT,
    TP_T_VERSION, /* stored as int: a tp_version */
    TP_T_ENUM,    /* stored as string, one of a fixed set */
    TP_T_LIST,    /* ordered list of canonical names */
} tp_type;

const char *tp_key_name(tp_key k);       /* "tls.min_version" */
tp_type tp_key_type(tp_key k);
const char *tp_key_doc(tp_key k);        /* one line */
int tp_key_lookup(const char *dotted);   /* -1 if unknown */

/* Protocol versions (values are the wire versions). */
typedef enum tp_version {
    TP_V_NONE = 0,
    TP_V_TLS1_0 = 0x0301,
    TP_V_TLS1_1 = 0x0302,
    TP_V_TLS1_2 = 0x0303,
    TP_V_TLS1_3 = 0x0304,
    TP_V_DTLS1_0 = 0xFEFF,
    TP_V_DTLS1_2 = 0xFEFD,
} tp_version;

/* ---- diagnostics -------------------------------------------------------- */

typedef enum tp_severity {
    TP_SEV_NOTE = 0,    /* informational: an alias was used, a name skipped */
    TP_SEV_WARNING,     /* allowed, but worth knowing (rule weakens a floor) */
    TP_SEV_ERROR,       /* the file is invalid */
} tp_severity;

typedef struct tp_diag {
    tp_severity severity;
    tp_err code;
    const char *file;     /* may be NULL (no file involved) */
    int line;             /* 0 if unknown */
    const char *message;  /* no file:line prefix, no trailing newline */
} tp_diag;

const char *tp_severity_name(tp_severity s); /* "note" "warning" "error" */

/* ---- where the policy file is ------------------------------------------ */

/* Why a file was chosen, in the order of precedence. */
typedef enum tp_policy_from {
    TP_FROM_KEY,     /* the `policy` key of the module's openssl.cnf section */
    TP_FROM_OPTION,  /* named on the command line (--policy) */
    TP_FROM_ENV,     /* TLSPOLICY_CONF (secure_getenv: not for setuid programs) */
    TP_FROM_DEFAULT, /* ROOT/etc/tlspolicy/policy.conf, whose absence is no error */
} tp_policy_from;

/* The rules. The module passes its key; a command that predicts the module
 * (status, probe) passes the key of the openssl.cnf it reads, so the key
 * wins over --policy there as it does in every program; other commands
 * have no key. */
typedef struct tp_policy_rules {
    const char *key;      /* `policy` key value; NULL or "" = none */
    const char *key_sect; /* section the key is in (for the reason) */
    const char *key_cnf;  /* openssl.cnf the key is in (for the reason) */
    const char *option;   /* --policy; NULL = not given */
    int use_env;          /* consult TLSPOLICY_CONF */
    const char *root;     /* prefix of the default path; NULL or "/" = none */
} tp_policy_rules;

typedef struct tp_policy_where {
    tp_policy_from from;
    char *path; /* the file (malloc'ed) */
    char *why;  /* "policy key in [SECT] of FILE", "--policy", "TLSPOLICY_CONF", "default" */
} tp_policy_where;

/* Key > option > TLSPOLICY_CONF > default. 0, or -1 when out of memory
 * (out is then empty). */
int tp_policy_locate(const tp_policy_rules *r, tp_policy_where *out);
void tp_policy_where_free(tp_policy_where *w);

/* ---- walking a path ----------------------------------------------------- */

/*
 * Resolve an absolute path component by component as the kernel does
 * (".", "..", symbolic links, at most 40), inside `root` if given: ".."
 * and absolute link targets never leave it, as under chroot(2). The loader
 * checks every directory on the way with it; the CLI resolves a path of a
 * target system under --root.
 */
typedef enum tp_walk_end {
    TP_WALK_DONE = 0, /* host: the resolved path, no component a link
                       * (but the last one without follow_last) */
    TP_WALK_ABSENT,   /* lstat failed (err_no) on host; last: it was the
                       * last component */
    TP_WALK_NOTDIR,   /* host, before the last component, is no directory */
    TP_WALK_LOOP,     /* too many symbolic links (err_no ELOOP) */
    TP_WALK_BADLINK,  /* the symbolic link host could not be read (err_no) */
    TP_WALK_REFUSED,  /* dir_check refused a directory */
    TP_WALK_NOMEM,
} tp_walk_end;

typedef struct tp_walk {
    const char *root;  /* NULL or "" = / */
    int follow_last;   /* follow a link in the last component too */
    /* Each directory passed through (every component before the last,
     * after links; not / itself), by its host path, owner and mode:
     * nonzero ends the walk with TP_WALK_REFUSED. May be NULL. */
    int (*dir_check)(void *arg, const char *host, unsigned uid, unsigned mode);
    void *arg;
    /* Set by the walk. host: root + the resolved components (malloc'ed,
     * the caller frees it; NULL after LOOP, REFUSED, NOMEM). */
    char *host;
    int last;
    int err_no;
} tp_walk;

tp_walk_end tp_path_walk(tp_walk *w, const char *path);

/* root (NULL or "/" = none, trailing slashes dropped), then path ("" or
 * "/a/b"): the host's name for a path of the system under root; "/" when
 * both are empty. malloc'ed; NULL when out of memory. */
char *tp_path_rooted(const char *root, const char *path);

/* ---- loading ------------------------------------------------------------ */

typedef struct tp_load_opts {
    /* Prefix for every absolute path the loader opens (tests, image
     * builders); NULL or "" means "/". */
    const char *root;
    /* Policy file. NULL: ROOT/etc/tlspolicy/policy.conf, whose absence is
     * not an error (compiled-in DEFAULT). Non-NULL: a file asked for by
     * name, whose absence is an error; used as given (root is not
     * prepended). The same holds for profile_dirs and modifier_dirs. */
    const char *policy_file;
    /* Directories searched for PROFILE.conf, in order; the first hit wins.
     * NULL: "/etc/tlspolicy/profiles", then the compiled-in datadir. */
    const char *const *profile_dirs;
    /* Same for modifiers (MODIFIER.conf). NULL: /etc/tlspolicy/modifiers,
     * then datadir/modifiers. */
    const char *const *modifier_dirs;
    /* Refuse files (and the policy.d directory) that are not owned by uid 0
     * or are writable by group or others, and files reached through any
     * directory (from /, symlinks followed component by component) that is
     * not owned by uid 0 or is writable by group or others, sticky or not. */
    int require_trusted;
    /* OpenSSL version number of the library in use (OPENSSL_VERSION_NUMBER
     * style, 0x30000000 for 3.0.0). Names that need a newer OpenSSL are
     * skipped with a note. 0 = assume the newest. */
    unsigned long openssl_version;
    /* Do not read policy.d drop-ins. */
    int no_dropins;
} tp_load_opts;

typedef struct tp_policy tp_policy;

/*
 * Load the policy. Always returns a handle unless out of memory (then NULL
 * and *err = TP_ERR_NOMEM). On return, *err says whether the policy is
 * usable: TP_OK (maybe with warnings/notes), or the first error's code. A
 * policy with errors still carries its diagnostics; resolving it gives the
 * compiled-in DEFAULT (tp_policy_is_fallback() == 1), as the module does.
 */
tp_policy *tp_policy_load(const tp_load_opts *opts, tp_err *err);

/* The compiled-in DEFAULT alone: no file read, no allocation beyond the
 * handle. */
tp_policy *tp_policy_builtin(void);

/* Parse one file from memory as a policy file (for `check FILE`, tests and
 * fuzzing). `name` is used in diagnostics. Profiles/modifiers named by the
 * text are looked up with opts. */
tp_policy *tp_policy_load_buffer(const tp_load_opts *opts, const char *name,
                                 const char *text, size_t len, tp_err *err);

void tp_policy_free(tp_policy *p);

size_t tp_policy_ndiags(const tp_policy *p);
const tp_diag *tp_policy_diag(const tp_policy *p, size_t i);
size_t tp_policy_nerrors(const tp_policy *p);
/* 1 when errors made the loader fall back to the compiled-in DEFAULT. */
int tp_policy_is_fallback(const tp_policy *p);
/* The policy file actually read (NULL if none: compiled-in DEFAULT). */
const char *tp_policy_file(const tp_policy *p);
size_t tp_policy_ndropins(const tp_policy *p);
const char *tp_policy_dropin(const tp_policy *p, size_t i);
size_t tp_policy_napps(const tp_policy *p);
/* match pattern and file:line of application rule i */
const char *tp_policy_app_match(const tp_policy *p, size_t i,
                                const char **file, int *line);

/* ---- resolution --------------------------------------------------------- */

typedef struct tp_resolved tp_resolved;

/* Where a value came from. */
typedef enum tp_origin_kind {
    TP_O_BUILTIN = 0,   /* compiled-in DEFAULT */
    TP_O_PROFILE,       /* profile file; name = profile name */
    TP_O_MODIFIER,      /* modifier file; name = modifier name */
    TP_O_FILE,          /* the policy file */
    TP_O_DROPIN,        /* a policy.d drop-in */
    TP_O_APP,           /* an application rule; name = its match */
} tp_origin_kind;

typedef struct tp_origin {
    tp_origin_kind kind;
    const char *name;   /* profile/modifier name or app match; may be NULL */
    const char *file;   /* NULL for built-in */
    int line;
    const char *text;   /* the value as written there, rendered as text
                         * ("TLSv1.2", "[ -AES-128-CBC ]") */
} tp_origin;

/*
 * The effective policy for a program. name: the program's base name (NULL
 * for the system-wide policy); exe: its absolute executable path (may be
 * NULL). A rule matches when its pattern (fnmatch) matches name or the base
 * name of exe, or, for a pattern starting with '/', exe.
 */
tp_resolved *tp_policy_resolve(const tp_policy *p, const char *name,
                               const char *exe, tp_err *err);
/*
 * The same for a secure-execution process (setuid/setgid, AT_SECURE): only
 * rules whose match is an absolute path are tried, against exe (the target
 * of /proc/self/exe). A base name is whatever the caller put in argv[0]
 * (exec -a), so base-name rules are never used there.
 */
tp_resolved *tp_policy_resolve_secure(const tp_policy *p, const char *exe,
                                      tp_err *err);
/* A tp_resolved borrows strings from its tp_policy: free it first. */
void tp_resolved_free(tp_resolved *r);

const char *tp_resolved_get_str(const tp_resolved *r, tp_key k); /* STRING/ENUM; NULL if unset */
long tp_resolved_get_int(const tp_resolved *r, tp_key k);       /* INT/VERSION */
size_t tp_resolved_list_len(const tp_resolved *r, tp_key k);
const char *tp_resolved_list_item(const tp_resolved *r, tp_key k, size_t i);
/* 1 if the list of key k holds name (any case), else 0. */
int tp_resolved_list_has(const tp_resolved *r, tp_key k, const char *name);
/* Provenance: origins in order of application; the last one decided. */
size_t tp_resolved_norigins(const tp_resolved *r, tp_key k);
const tp_origin *tp_resolved_origin(const tp_resolved *r, tp_key k, size_t i);
/* Application rules that matched, in order (indexes into tp_policy_app_*) */
size_t tp_resolved_napps(const tp_resolved *r);
size_t tp_resolved_app(const tp_resolved *r, size_t i);
/* 1 if the resolved policy is the compiled-in DEFAULT because of errors */
int tp_resolved_is_fallback(const tp_resolved *r);
/* The value rendered as text ("TLSv1.2", "2048", "X25519, secp256r1") */
int tp_resolved_format(const tp_resolved *r, tp_key k, char *buf, size_t len);

const char *tp_version_name(long v);       /* "TLSv1.2", "DTLSv1.2" */

/* ---- rendering ---------------------------------------------------------- */

/* OpenSSL SSL_CONF commands for the ssl_conf system_default section, in the
 * order they must be applied. Only commands valid with SSL_CONF_FLAG_FILE.
 * Names unknown to the OpenSSL version in tp_load_opts are left out. */
typedef struct tp_ossl_cmd {
    const char *cmd;    /* "MinProtocol", "CipherString", ... */
    char *value;
} tp_ossl_cmd;

typedef struct tp_ossl_settings {
    tp_ossl_cmd cmds[16];
    size_t ncmds;
    int security_level;
    /* Verification the SSL_CONF layer cannot carry (system_default refuses
     * VerifyCAFile/VerifyCAPath): the module applies these by other means. */
    int verify_peer;      /* 0: the program decides; 2: required (1 reserved) */
    char *ca_file;        /* NULL = system default store */
    char *ca_path;
} tp_ossl_settings;

tp_err tp_render_ossl(const tp_resolved *r, unsigned long openssl_version,
                      tp_ossl_settings *out);
void tp_ossl_settings_clear(tp_ossl_settings *s);
const char *tp_ossl_get(const tp_ossl_settings *s, const char *cmd);

/* Digest bits for tp_floors.forbidden_hashes */
enum {
    TP_H_MD5 = 1u << 0,
    TP_H_SHA1 = 1u << 1,
    TP_H_SHA224 = 1u << 2,
    TP_H_SHA256 = 1u << 3,
    TP_H_SHA384 = 1u << 4,
    TP_H_SHA512 = 1u << 5,
    TP_H_SHA3_256 = 1u << 6,
    TP_H_SHA3_384 = 1u << 7,
    TP_H_SHA3_512 = 1u << 8,
    TP_H_MD5_SHA1 = 1u << 9, /* never forbidden by name; implied by a TLS floor >= 1.2 */
};

/* Cipher algorithms the provider withholds outright (not offered at all). */
enum {
    TP_C_RC4 = 1u << 0,
    TP_C_DES = 1u << 1,
    TP_C_3DES = 1u << 2,
    TP_C_NULL = 1u << 3,
    TP_C_RC2 = 1u << 4,
    TP_C_IDEA = 1u << 5,
    TP_C_SEED = 1u << 6,
};

/* The policy language's name of one TP_H_* bit ("SHA2-256"; "MD5-SHA1",
 * which no policy names) or TP_C_* bit ("RC4-128"), from the library's
 * name tables; NULL for a bit that is not one. */
const char *tp_hash_bit_name(uint32_t bit);
const char *tp_cipher_bit_name(uint32_t bit);

#define TP_MAX_GROUPS 64

/* What the provider enforces whatever the program asks for. */
typedef struct tp_floors {
    int permissive;            /* log instead of refusing */
    int min_tls;               /* wire version, e.g. 0x0303 */
    int min_dtls;              /* wire version (DTLS numbers run downwards) */
    uint32_t forbidden_hashes; /* TP_H_* in signatures */
    uint32_t forbidden_ciphers;/* TP_C_* */
    int min_rsa_bits, min_dh_bits, min_dsa_bits, min_ec_bits;
    uint16_t groups[TP_MAX_GROUPS]; /* allowed TLS group IDs (IANA) */
    size_t ngroups;
} tp_floors;

tp_err tp_render_floors(const tp_resolved *r, tp_floors *out);

/* ---- names (for the CLI and tests) -------------------------------------- */

typedef enum tp_name_kind {
    TP_N_VERSION = 0,
    TP_N_CIPHERSUITE,   /* TLS 1.3 suites, IANA names */
    TP_N_CIPHER,        /* cipher families */
    TP_N_KEX,           /* key exchange families */
    TP_N_MAC,           /* MAC families */
    TP_N_GROUP,         /* IANA group names */
    TP_N_SIGALG,        /* IANA signature scheme names */
    TP_N_HASH,          /* digest names */
} tp_name_kind;

/* Canonical name for `name` (case-insensitive, aliases and OpenSSL spellings
 * accepted), or NULL if unknown. */
const char *tp_name_canonical(tp_name_kind kind, const char *name);
/* The OpenSSL spelling of a canonical name, or NULL. */
const char *tp_name_openssl(tp_name_kind kind, const char *canonical);
/* Lowest OpenSSL version that knows it (0x30000000 for 3.0) */
unsigned long tp_name_min_openssl(tp_name_kind kind, const char *canonical);
size_t tp_name_count(tp_name_kind kind);
const char *tp_name_at(tp_name_kind kind, size_t i);

/* One row of a name table, for callers that walk a table or map the
 * wire's code points back to names (the CLI, the module). */
typedef struct tp_name_info {
    const char *name;          /* canonical */
    const char *openssl;       /* OpenSSL's spelling; NULL for families */
    unsigned long min_openssl; /* lowest OpenSSL version that knows it */
    unsigned id;               /* code point: the wire version, the IANA
                                * group, signature scheme or TLS 1.3 suite;
                                * 0 for families */
    int bits;                  /* TP_N_GROUP: EC order or FFDHE modulus bits */
    int tls12_only;            /* TP_N_GROUP: an EC curve TLS 1.3 leaves out
                                * (RFC 8446 4.2.7: brainpool, RFC 7027) */
} tp_name_info;

/* Row i of kind's table (0 <= i < tp_name_count(kind)): 0, or -1. */
int tp_name_info_at(tp_name_kind kind, size_t i, tp_name_info *out);
/* The row of any spelling of a name (as tp_name_canonical): 0, or -1. */
int tp_name_info_find(tp_name_kind kind, const char *name, tp_name_info *out);
/* The code points of the rows whose name (canonical, or OpenSSL's with
 * by_openssl) is an item of the ':'-separated list, any case, in the
 * list's order (the module reads its rendered Groups, SignatureAlgorithms
 * and Ciphersuites so). Writes at most max, returns how many matched. */
size_t tp_name_ids(tp_name_kind kind, int by_openssl, const char *list, uint16_t *ids,
                   size_t max);
/* Canonical name of code point `id` (versions, TLS 1.3 suites, groups,
 * signature schemes), or NULL. */
const char *tp_name_by_id(tp_name_kind kind, unsigned id);

/* A TLS 1.2-and-below cipher suite of the library's table, in its parts
 * (the policy names the parts: tls.ciphers, tls.key_exchange, tls.macs). */
typedef struct tp_suite12_info {
    const char *openssl;  /* "ECDHE-ECDSA-AES256-GCM-SHA384" */
    const char *iana;     /* "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" */
    unsigned id;
    const char *kex;      /* family: ECDHE DHE RSA PSK ECDHE-PSK DHE-PSK RSA-PSK */
    const char *auth;     /* RSA ECDSA DSS PSK */
    const char *cipher;   /* family: AES-256-GCM ... */
    const char *mac;      /* family: AEAD HMAC-SHA1 HMAC-SHA2-256 ... */
    int min_version;      /* tp_version: lowest protocol it can be used with */
} tp_suite12_info;

/* The suite with IANA code point `id`: 0, or -1 if the table has none. */
int tp_suite12_by_id(unsigned id, tp_suite12_info *out);
/* The code points of the suites a ':'-separated OpenSSL cipher list names
 * one by one (OpenSSL's names, case-sensitive as OpenSSL's; other items
 * such as "@SECLEVEL=1" or "!aNULL" are skipped, not expanded). Writes at
 * most `max`, returns how many were found. */
size_t tp_suite12_ids(const char *list, uint16_t *ids, size_t max);


/* ---- GnuTLS system configuration (render_gnutls.c) ----------------------- */

/*
 * GnuTLS reads one file for every program (/etc/gnutls/config). Only its
 * blocklist mode binds programs that set their own priority string (GnuTLS
 * 3.7), so the policy is rendered as "everything the installed GnuTLS knows
 * minus what the policy allows". The caller passes the names the installed
 * GnuTLS knows (tp_gnutls_static_names() for GnuTLS 3.7 when no library can
 * be asked): names it does not know are never written.
 */
typedef enum tp_gnutls_kind {
    TP_GT_VERSION = 0,  /* gnutls_protocol_get_name: "TLS1.2" */
    TP_GT_CIPHER,       /* gnutls_cipher_get_name: "AES-256-GCM" */
    TP_GT_MAC,          /* gnutls_mac_get_name: "SHA256", "AEAD" */
    TP_GT_KX,           /* gnutls_kx_get_name: "ECDHE-RSA" */
    TP_GT_GROUP,        /* gnutls_group_get_name: "SECP256R1" */
    TP_GT_CURVE,        /* gnutls_ecc_curve_get_name: "Ed25519" */
    TP_GT_SIGN,         /* gnutls_sign_get_name: "RSA-PSS-RSAE-SHA256" */
    TP_GT_HASH,         /* gnutls_digest_get_name: "SHA1" */
    TP_GT__COUNT
} tp_gnutls_kind;

typedef struct tp_gnutls_names {
    const char *const *names[TP_GT__COUNT];
    size_t n[TP_GT__COUNT];
} tp_gnutls_names;

/* The names GnuTLS 3.7.9 (Debian 12) knows. */
void tp_gnutls_static_names(tp_gnutls_names *out);
const char *tp_gnutls_kind_name(tp_gnutls_kind k);  /* "version", "cipher"... */
/* Our canonical name for a GnuTLS name of kind k, or NULL if the policy
 * language has no counterpart (always disabled) or the name is unknown. */
const char *tp_gnutls_ours(tp_gnutls_kind k, const char *gnutls_name);

/* Keys of the [overrides] section, in the order they are written. */
typedef enum tp_gnutls_key {
    TP_GK_DISABLED_VERSION = 0,
    TP_GK_TLS_DISABLED_CIPHER,
    TP_GK_TLS_DISABLED_MAC,
    TP_GK_TLS_DISABLED_KX,
    TP_GK_TLS_DISABLED_GROUP,
    TP_GK_DISABLED_CURVE,
    TP_GK_INSECURE_HASH,
    TP_GK_INSECURE_SIG,
    TP_GK_INSECURE_SIG_FOR_CERT,
    TP_GK__COUNT
} tp_gnutls_key;

const char *tp_gnutls_key_name(tp_gnutls_key k); /* "disabled-version" */

#define TP_GNUTLS_MAX_NOTES 8

typedef struct tp_gnutls_conf {
    char **values[TP_GK__COUNT];  /* as written after "key = " */
    size_t nvalues[TP_GK__COUNT];
    char *priority;               /* default-priority-string */
    const char *profile;          /* min-verification-profile, NULL = none */
    /* What GnuTLS cannot express for this policy, one line each. */
    char *notes[TP_GNUTLS_MAX_NOTES];
    size_t nnotes;
} tp_gnutls_conf;

/* First line of every file tlspolicy writes: how `enable` knows its own. */
#define TP_GNUTLS_MARKER "# Generated by tlspolicy: the GnuTLS system configuration."

tp_err tp_render_gnutls(const tp_resolved *r, const tp_gnutls_names *installed,
                        tp_gnutls_conf *out);
/* The file's text (malloc'd). `source` says where the names came from, for
 * a comment ("libgnutls.so.30 3.7.9"); may be NULL. */
char *tp_gnutls_conf_text(const tp_gnutls_conf *c, const char *source);
void tp_gnutls_conf_clear(tp_gnutls_conf *c);

#ifdef __cplusplus
}
#endif
#endif
