/*
 * test_parse.c - the policy language: every bad input names its line and
 * says what is wrong in exactly these words; good inputs give these values.
 *
 * Each row is parsed as the policy file "t.conf" over the source tree's
 * profiles (TP_SOURCE_DIR), with openssl_version 0 (newest: no "needs
 * OpenSSL 3.5" notes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tp_test.h"

typedef struct bad_case {
    const char *name;
    const char *input;
    tp_err want_error;   /* what tp_policy_load_buffer returns */
    int want_line;       /* line of the first error */
    const char *want_msg;/* message of the first error, exactly */
    int want_nerrors;    /* every error of the file is reported */
} bad_case;

#define SYNTAX_MSG "syntax error (check the end of this line or the line before for a missing ';', '=' or quote)"
#define NO_SUITE "tls.ciphers, tls.key_exchange and tls.macs leave no cipher suite for TLS 1.2 " \
                 "and below, which tls.min_version allows"

static const bad_case bad[] = {
    /* unknown keys, with suggestions */
    {"unknown top-level key", "foo = 1;\n", TP_ERR_INVALID, 1, "unknown key 'foo'", 1},
    {"misspelt top-level key", "\nprofil = \"DEFAULT\";\n", TP_ERR_INVALID, 2,
     "unknown key 'profil' (did you mean 'profile'?)", 1},
    {"misspelt key in section", "tls = {\n  min_versoin = \"TLSv1.2\";\n};\n", TP_ERR_INVALID, 2,
     "unknown key 'tls.min_versoin' (did you mean 'tls.min_version'?)", 1},
    {"unknown key in section", "keys = {\n\n  min_rsa = 2048;\n};\n", TP_ERR_INVALID, 3,
     "unknown key 'keys.min_rsa'", 1},
    {"top-level 'match'", "match = \"curl\";\n", TP_ERR_INVALID, 1,
     "'match' belongs inside an application rule: applications = ( { match = \"...\"; ... } );", 1},
    /* wrong types */
    {"string for int", "keys = {\n min_rsa_bits = \"2048\";\n};\n", TP_ERR_INVALID, 2,
     "keys.min_rsa_bits must be a number, not a string", 1},
    {"float for int", "keys = { min_ec_bits = 256.0; };\n", TP_ERR_INVALID, 1,
     "keys.min_ec_bits must be a number, not a decimal number", 1},
    {"int for string", "mode = 1;\n", TP_ERR_INVALID, 1, "mode must be a string, not a number", 1},
    {"list for string", "mode = [ \"enforce\" ];\n", TP_ERR_INVALID, 1,
     "mode must be a string, not an array [ ... ]", 1},
    {"bool for enum", "verify = {\n peer = true;\n};\n", TP_ERR_INVALID, 2,
     "verify.peer must be a string, not a boolean", 1},
    {"group for list", "tls = {\n ciphers = { a = 1; };\n};\n", TP_ERR_INVALID, 2,
     "tls.ciphers must be a list of names [ \"...\", ... ], not a group { ... }", 1},
    {"string for list", "tls = { groups = \"X25519\"; };\n", TP_ERR_INVALID, 1,
     "tls.groups must be a list of names [ \"...\", ... ], not a string", 1},
    {"number in list", "tls = {\n groups = [ 1 ];\n};\n", TP_ERR_INVALID, 2,
     "tls.groups: entry 1 must be a string, not a number", 1},
    {"scalar section", "tls = 1;\n", TP_ERR_INVALID, 1, "tls must be a group { ... }, not a number", 1},
    {"description not a string", "description = 1;\n", TP_ERR_INVALID, 1,
     "description must be a string", 1},
    /* unknown names */
    {"unknown protocol", "tls = {\n min_version = \"TLSv1.4\";\n};\n", TP_ERR_INVALID, 2,
     "unknown TLS version 'TLSv1.4' in tls.min_version (known: TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3)", 1},
    {"DTLS version in tls.min_version", "tls = { min_version = \"DTLSv1.2\"; };\n", TP_ERR_INVALID, 1,
     "DTLSv1.2 is a DTLS version; tls.min_version takes TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3", 1},
    {"TLS version in dtls.max_version", "dtls = { max_version = \"TLSv1.2\"; };\n", TP_ERR_INVALID, 1,
     "TLSv1.2 is a TLS version; dtls.max_version takes DTLSv1.0 or DTLSv1.2", 1},
    {"unknown cipher", "tls = {\n ciphers = [ \"AES-256-GCM\",\n   \"AES-256-GCX\" ];\n};\n",
     TP_ERR_INVALID, 3, "unknown cipher 'AES-256-GCX' in tls.ciphers (did you mean 'AES-256-GCM'?)", 1},
    {"unknown ciphersuite", "tls = { ciphersuites = [ \"TLS_AES_256_GCM_SHA385\" ]; };\n",
     TP_ERR_INVALID, 1,
     "unknown TLS 1.3 cipher suite 'TLS_AES_256_GCM_SHA385' in tls.ciphersuites (did you mean "
     "'TLS_AES_256_GCM_SHA384'?)", 1},
    {"unknown group", "tls = { groups = [ \"x25520\" ]; };\n", TP_ERR_INVALID, 1,
     "unknown group 'x25520' in tls.groups (did you mean 'X25519'?)", 1},
    {"unknown group, no suggestion", "tls = { groups = [ \"brainpool\" ]; };\n", TP_ERR_INVALID, 1,
     "unknown group 'brainpool' in tls.groups", 1},
    {"unknown signature algorithm", "tls = { signature_algorithms = [ \"rsa_pss_sha256\" ]; };\n",
     TP_ERR_INVALID, 1, "unknown signature algorithm 'rsa_pss_sha256' in tls.signature_algorithms", 1},
    {"unknown hash", "signatures = {\n forbidden_hashes = [ \"SHA-2\" ];\n};\n", TP_ERR_INVALID, 2,
     "unknown hash 'SHA-2' in signatures.forbidden_hashes (did you mean 'SHA1'?)", 1},
    {"unknown kex", "tls = { key_exchange = [ \"ECDH-E\" ]; };\n", TP_ERR_INVALID, 1,
     "unknown key exchange 'ECDH-E' in tls.key_exchange (did you mean 'ECDHE'?)", 1},
    {"unknown mac", "tls = { macs = [ \"HMAC-SHA3\" ]; };\n", TP_ERR_INVALID, 1,
     "unknown MAC 'HMAC-SHA3' in tls.macs (did you mean 'HMAC-SHA1'?)", 1},
    {"unknown name in a removal", "tls = { ciphers = [ \"-RC5\" ]; };\n", TP_ERR_INVALID, 1,
     "unknown cipher 'RC5' in tls.ciphers", 1},
    /* ranges and cross-key constraints */
    {"TLS min above max", "tls = {\n min_version = \"TLSv1.3\";\n max_version = \"TLSv1.2\";\n};\n",
     TP_ERR_INVALID, 2, "tls.min_version TLSv1.3 is above tls.max_version TLSv1.2", 1},
    {"DTLS min above max", "dtls = {\n min_version = \"DTLSv1.2\";\n max_version = \"DTLSv1.0\";\n};\n",
     TP_ERR_INVALID, 2, "dtls.min_version DTLSv1.2 is above dtls.max_version DTLSv1.0", 1},
    {"RSA bits below range", "keys = {\n min_rsa_bits = 511;\n};\n", TP_ERR_INVALID, 2,
     "keys.min_rsa_bits = 511 is out of range (512 to 16384)", 1},
    {"EC bits above range", "keys = {\n min_ec_bits = 572;\n};\n", TP_ERR_INVALID, 2,
     "keys.min_ec_bits = 572 is out of range (160 to 571)", 1},
    {"DH bits above range", "keys = { min_dh_bits = 16385; };\n", TP_ERR_INVALID, 1,
     "keys.min_dh_bits = 16385 is out of range (512 to 16384)", 1},
    {"DSA bits negative", "keys = { min_dsa_bits = -2048; };\n", TP_ERR_INVALID, 1,
     "keys.min_dsa_bits = -2048 is out of range (512 to 16384)", 1},
    {"security level out of range", "tls = { security_level = 6; };\n", TP_ERR_INVALID, 1,
     "tls.security_level = 6 is out of range (-1 to 5)", 1},
    {"empty cipher list", "tls = {\n ciphers = [];\n};\n", TP_ERR_INVALID, 2, NO_SUITE, 1},
    {"every cipher removed",
     "tls = {\n ciphers = [ \"-AES-256-GCM\", \"-AES-256-CCM\", \"-CHACHA20-POLY1305\", \"-AES-128-GCM\",\n"
     "   \"-AES-128-CCM\", \"-AES-256-CBC\", \"-AES-128-CBC\" ];\n};\n",
     TP_ERR_INVALID, 2, NO_SUITE, 1},
    {"empty key exchange list", "tls = {\n key_exchange = [];\n};\n", TP_ERR_INVALID, 2, NO_SUITE, 1},
    {"empty ciphersuites with TLS 1.3", "tls = {\n ciphersuites = [];\n};\n", TP_ERR_INVALID, 2,
     "tls.ciphersuites is empty but TLS 1.3 is allowed", 1},
    {"empty groups", "tls = {\n groups = [];\n};\n", TP_ERR_INVALID, 2,
     "tls.groups is empty: no key exchange would be possible", 1},
    {"all signature algorithms forbidden",
     "tls = {\n signature_algorithms = [ \"rsa_pkcs1_sha256\", \"ecdsa_secp256r1_sha256\" ];\n};\n"
     "signatures = {\n forbidden_hashes = [ \"SHA2-256+\" ];\n};\n",
     TP_ERR_INVALID, 2,
     "tls.signature_algorithms leaves no signature algorithm whose hash "
     "signatures.forbidden_hashes allows", 1},
    /* profiles */
    {"unknown profile", "profile = \"NOPE\";\n", TP_ERR_INVALID, 1,
     "unknown profile 'NOPE' (available: DEFAULT FUTURE LEGACY)", 1},
    {"unknown modifier", "\nprofile = \"DEFAULT:NO-SUCH\";\n", TP_ERR_INVALID, 2,
     "unknown modifier 'NO-SUCH' (available: NO-CBC NO-SHA1 TLS13-ONLY)", 1},
    {"profile path traversal", "profile = \"../x\";\n", TP_ERR_INVALID, 1,
     "invalid character '.' in profile \"../x\" (names use letters, digits, '-' and '_')", 1},
    {"modifier path traversal", "profile = \"DEFAULT:/etc/passwd\";\n", TP_ERR_INVALID, 1,
     "invalid character '/' in profile \"DEFAULT:/etc/passwd\" (names use letters, digits, '-' and '_')", 1},
    {"empty profile", "profile = \"\";\n", TP_ERR_INVALID, 1, "profile is empty", 1},
    {"empty modifier name", "profile = \"DEFAULT::NO-CBC\";\n", TP_ERR_INVALID, 1,
     "empty name in profile \"DEFAULT::NO-CBC\"", 1},
    {"too many modifiers", "profile = \"A:B:C:D:E:F:G:H:I:J:K:L:M:N:O:P:Q:R\";\n", TP_ERR_INVALID, 1,
     "more than 16 modifiers in profile \"A:B:C:D:E:F:G:H:I:J:K:L:M:N:O:P:Q:R\"", 1},
    /* application rules */
    {"duplicate application rules",
     "applications = (\n { match = \"curl\"; },\n { match = \"wget\"; },\n { match = \"curl\"; }\n);\n",
     TP_ERR_INVALID, 4, "duplicate application rule for \"curl\" (first at line 2)", 1},
    {"rule without match", "applications = (\n { tls = { min_version = \"TLSv1.3\"; }; }\n);\n",
     TP_ERR_INVALID, 2, "application rule 1 has no 'match'", 1},
    {"relative path in match", "applications = (\n { match = \"bin/curl\"; }\n);\n", TP_ERR_INVALID, 2,
     "match \"bin/curl\" must be a program's base name or an absolute path", 1},
    {"empty match", "applications = (\n { match = \"\"; }\n);\n", TP_ERR_INVALID, 2, "match is empty", 1},
    {"match not a string", "applications = (\n { match = 1; }\n);\n", TP_ERR_INVALID, 2,
     "match must be a string, not a number", 1},
    {"profile in application rule",
     "applications = (\n {\n  match = \"curl\";\n  profile = \"LEGACY\";\n }\n);\n", TP_ERR_INVALID, 4,
     "'profile' cannot be set in an application rule", 1},
    {"nested applications",
     "applications = (\n {\n  match = \"curl\";\n  applications = ( { match = \"x\"; } );\n }\n);\n",
     TP_ERR_INVALID, 4, "application rules cannot be nested", 1},
    {"applications a group", "applications = { match = \"x\"; };\n", TP_ERR_INVALID, 1,
     "applications must be a list of groups ( { match = \"...\"; ... }, ... ), not a group { ... }", 1},
    {"application rule a string", "applications = ( \"curl\" );\n", TP_ERR_INVALID, 1,
     "application rule 1 must be a group { match = \"...\"; ... }, not a string", 1},
    {"unknown key in application rule",
     "applications = (\n { match = \"curl\";\n   tls = { bogus = 1; }; }\n);\n", TP_ERR_INVALID, 3,
     "unknown key 'tls.bogus'", 1},
    /* lists */
    {"mixed plain and edits", "tls = {\n ciphers = [ \"AES-256-GCM\", \"-AES-128-GCM\" ];\n};\n",
     TP_ERR_INVALID, 2,
     "tls.ciphers mixes plain names with +/- edits: either replace the list or edit it", 1},
    {"duplicate list entry", "tls = {\n groups = [ \"X25519\",\n  \"x25519\" ];\n};\n", TP_ERR_INVALID, 3,
     "tls.groups: 'X25519' is listed twice", 1},
    {"duplicate via alias", "tls = { groups = [ \"secp256r1\", \"P-256\" ]; };\n", TP_ERR_INVALID, 1,
     "tls.groups: 'secp256r1' is listed twice", 1},
    /* paths and enums */
    {"relative ca_file", "verify = {\n peer = \"required\";\n ca_file = \"certs/ca.pem\";\n};\n",
     TP_ERR_INVALID, 3, "verify.ca_file must be an absolute path, not \"certs/ca.pem\"", 1},
    {"relative ca_path", "verify = {\n ca_path = \"certs\";\n};\n", TP_ERR_INVALID, 2,
     "verify.ca_path must be an absolute path, not \"certs\"", 1},
    {"bad mode", "mode = \"strict\";\n", TP_ERR_INVALID, 1,
     "mode must be one of enforce, permissive, not \"strict\"", 1},
    {"bad peer", "verify = { peer = \"optional\"; };\n", TP_ERR_INVALID, 1,
     "verify.peer must be one of program, required, not \"optional\"", 1},
    /* syntax (line numbers from libconfig) and the pre-scan */
    {"missing '='",
     "mode = \"enforce\";\ntls = {\n min_version = \"TLSv1.2\";\n max_version \"TLSv1.3\";\n};\n",
     TP_ERR_SYNTAX, 4, SYNTAX_MSG, 1},
    {"missing closing brace", "mode = \"enforce\";\ntls = {\n min_version = \"TLSv1.2\";\n\n",
     TP_ERR_SYNTAX, 5, SYNTAX_MSG, 1},
    {"double semicolon", "mode = \"enforce\";;\n", TP_ERR_SYNTAX, 1, SYNTAX_MSG, 1},
    {"unterminated string", "mode = \"enforce\";\ntls = {\n min_version = \"TLSv1.2;\n};\n",
     TP_ERR_SYNTAX, 3, "unterminated string", 1},
    {"unterminated comment", "mode = \"enforce\";\n/* open\n\n\n", TP_ERR_SYNTAX, 2,
     "unterminated /* comment", 1},
    {"@include", "mode = \"enforce\";\n@include \"/etc/passwd\"\n", TP_ERR_SYNTAX, 2,
     "directives such as @include are not allowed in policy files", 1},
    {"nesting deeper than the limit",
     "\na = { b = { c = { d = { e = { f = { g = { h = { i = { j = 1; }; }; }; }; }; }; }; }; };\n",
     TP_ERR_TOOBIG, 2, "nesting deeper than 8 levels", 1},
    {"several errors in one file",
     "tls = {\n min_version = \"TLSv1.9\";\n ciphers = [ \"AES-256-GCX\" ];\n groups = [ \"nope\" ];\n"
     " bogus = 1;\n};\nkeys = {\n min_rsa_bits = 1;\n};\nwhat = 1;\n",
     TP_ERR_INVALID, 2,
     "unknown TLS version 'TLSv1.9' in tls.min_version (known: TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3)", 6},
};

static void test_parse_bad_inputs(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const bad_case *c = &bad[i];
        tp_err err = TP_OK;
        tp_policy *p = tt_load_text(c->input, &err);
        assert_non_null(p);
        const tp_diag *d = tt_nth(p, TP_SEV_ERROR, 0);
        int ok = err == c->want_error && d != NULL && d->line == c->want_line &&
                 strcmp(d->message, c->want_msg) == 0 && d->file && strcmp(d->file, "t.conf") == 0 &&
                 tp_policy_nerrors(p) == (size_t)c->want_nerrors &&
                 tt_count(p, TP_SEV_ERROR) == (size_t)c->want_nerrors && tp_policy_is_fallback(p);
        if (!ok) {
            fprintf(stderr, "case \"%s\": err %d (want %d), want line %d: \"%s\", %d errors; got:\n",
                    c->name, err, c->want_error, c->want_line, c->want_msg, c->want_nerrors);
            tt_dump(p);
            failed++;
        }
        tp_policy_free(p);
    }
    assert_int_equal(failed, 0);
}

/* Every problem of a file is reported, each at its own line. */
static void test_parse_all_errors_listed(void **state)
{
    (void)state;
    const bad_case *c = &bad[sizeof(bad) / sizeof(bad[0]) - 1];
    static const struct {
        int line;
        const char *msg;
    } want[] = {
        {2, "unknown TLS version 'TLSv1.9' in tls.min_version (known: TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3)"},
        {3, "unknown cipher 'AES-256-GCX' in tls.ciphers (did you mean 'AES-256-GCM'?)"},
        {4, "unknown group 'nope' in tls.groups"},
        {5, "unknown key 'tls.bogus'"},
        {8, "keys.min_rsa_bits = 1 is out of range (512 to 16384)"},
        {10, "unknown key 'what'"},
    };
    tp_err err;
    tp_policy *p = tt_load_text(c->input, &err);
    assert_int_equal(tt_count(p, TP_SEV_ERROR), 6);
    for (size_t i = 0; i < 6; i++) {
        const tp_diag *d = tt_nth(p, TP_SEV_ERROR, i);
        assert_non_null(d);
        assert_int_equal(d->line, want[i].line);
        assert_string_equal(d->message, want[i].msg);
        assert_int_equal(d->code, TP_ERR_INVALID);
    }
    tp_policy_free(p);
}

/* The pre-scan refuses binary data and oversize tokens before libconfig. */
static void test_parse_prescan(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *input;
        size_t len;
        tp_err want_error;
        int want_line;
        const char *want_msg;
    } rows[] = {
        {"NUL in a value", "mode = \"enforce\";\nmo\0de = 1;\n", 29, TP_ERR_SYNTAX, 2,
         "binary data (NUL byte at offset 20): not a policy file"},
        {"NUL inside a string", "mode = \"enf\0orce\";\n", 19, TP_ERR_SYNTAX, 1,
         "binary data (NUL byte at offset 11): not a policy file"},
        {"NUL after a backslash in a string", "mode = \"a\\\0\";\n", 14, TP_ERR_SYNTAX, 1,
         "binary data (NUL byte at offset 10): not a policy file"},
        {"NUL inside a /* comment */", "\n/* x \0 */\n", 11, TP_ERR_SYNTAX, 2,
         "binary data (NUL byte at offset 6): not a policy file"},
        {"NUL inside a # comment", "# x \0\nmode = 1;\n", 16, TP_ERR_SYNTAX, 1,
         "binary data (NUL byte at offset 4): not a policy file"},
        {"NUL as the last byte", "mode = \"enforce\";\0", 18, TP_ERR_SYNTAX, 1,
         "binary data (NUL byte at offset 17): not a policy file"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        tp_err err;
        tp_load_opts o = tt_opts(NULL);
        tp_policy *p = tp_policy_load_buffer(&o, "t.conf", rows[i].input, rows[i].len, &err);
        const tp_diag *d = tt_nth(p, TP_SEV_ERROR, 0);
        if (err != rows[i].want_error || d == NULL || d->line != rows[i].want_line ||
            strcmp(d->message, rows[i].want_msg) != 0) {
            fprintf(stderr, "case \"%s\":\n", rows[i].name);
            tt_dump(p);
        }
        assert_int_equal(err, rows[i].want_error);
        assert_non_null(d);
        assert_int_equal(d->line, rows[i].want_line);
        assert_string_equal(d->message, rows[i].want_msg);
        assert_int_equal(tp_policy_nerrors(p), 1);
        tp_policy_free(p);
    }

    /* A bare token and a string one byte over the 4096-byte limit; the limit
     * itself is fine. */
    char *t = malloc(5000);
    assert_non_null(t);
    snprintf(t, 5000, "mode = %0*d;\n", 4097, 0);
    tp_err err;
    tp_policy *p = tt_load_text(t, &err);
    assert_int_equal(err, TP_ERR_TOOBIG);
    assert_int_equal(tt_nth(p, TP_SEV_ERROR, 0)->line, 1);
    assert_string_equal(tt_nth(p, TP_SEV_ERROR, 0)->message, "token longer than 4096 bytes");
    tp_policy_free(p);

    memset(t, 0, 5000);
    strcpy(t, "\n\nmode = \"");
    memset(t + strlen(t), 'a', 4097);
    strcat(t, "\";\n");
    p = tt_load_text(t, &err);
    assert_int_equal(err, TP_ERR_TOOBIG);
    assert_int_equal(tt_nth(p, TP_SEV_ERROR, 0)->line, 3);
    assert_string_equal(tt_nth(p, TP_SEV_ERROR, 0)->message, "string longer than 4096 bytes");
    tp_policy_free(p);

    memset(t, 0, 5000);
    strcpy(t, "description = \"");
    memset(t + strlen(t), 'a', 4096);
    strcat(t, "\";\n");
    p = tt_load_text(t, &err);
    assert_int_equal(err, TP_OK);
    assert_int_equal(tp_policy_nerrors(p), 0);
    tp_policy_free(p);
    free(t);
}

/* Limits on lists: 128 names, 127-byte names. */
static void test_parse_list_limits(void **state)
{
    (void)state;
    char *t = malloc(8192);
    assert_non_null(t);
    strcpy(t, "tls = {\n groups = [");
    for (int i = 0; i < 129; i++)
        strcat(t, i ? ", \"X25519\"" : " \"X25519\"");
    strcat(t, " ];\n};\n");
    tp_err err;
    tp_policy *p = tt_load_text(t, &err);
    assert_int_equal(err, TP_ERR_INVALID);
    assert_int_equal(tt_count(p, TP_SEV_ERROR), 1);
    assert_int_equal(tt_nth(p, TP_SEV_ERROR, 0)->line, 2);
    assert_string_equal(tt_nth(p, TP_SEV_ERROR, 0)->message, "tls.groups has 129 entries (limit 128)");
    tp_policy_free(p);

    snprintf(t, 8192, "tls = { groups = [ \"%0*d\" ]; };\n", 200, 0);
    p = tt_load_text(t, &err);
    assert_int_equal(err, TP_ERR_INVALID);
    assert_int_equal(tt_nth(p, TP_SEV_ERROR, 0)->line, 1);
    assert_string_equal(tt_nth(p, TP_SEV_ERROR, 0)->message, "tls.groups: name too long (200 bytes)");
    tp_policy_free(p);
    free(t);
}

/* ---- good inputs --------------------------------------------------------- */

typedef struct good_case {
    const char *name;
    const char *input;
    tp_key key;
    const char *want_value;  /* tp_resolved_format of the system-wide policy */
} good_case;

#define DEF_CIPHERS "AES-256-GCM, AES-256-CCM, CHACHA20-POLY1305, AES-128-GCM, AES-128-CCM, AES-256-CBC, AES-128-CBC"

static const good_case good[] = {
    {"empty file is DEFAULT", "", TP_K_TLS_MIN, "TLSv1.2"},
    {"comments only", "# nothing\n// nothing\n/* nothing */\n", TP_K_KEYS_RSA, "2048"},
    {"min version", "tls = { min_version = \"TLSv1.3\"; };\n", TP_K_TLS_MIN, "TLSv1.3"},
    {"version alias", "tls = { min_version = \"TLS1.2\"; };\n", TP_K_TLS_MIN, "TLSv1.2"},
    {"DTLS version", "dtls = { min_version = \"DTLSv1.0\"; };\n", TP_K_DTLS_MIN, "DTLSv1.0"},
    {"missing semicolons are fine in libconfig", "mode = \"permissive\"\nkeys = { min_rsa_bits = 3072 }\n",
     TP_K_MODE, "permissive"},
    {"RSA bits", "keys = { min_rsa_bits = 3072; };\n", TP_K_KEYS_RSA, "3072"},
    {"64-bit integer literal", "keys = { min_rsa_bits = 4096L; };\n", TP_K_KEYS_RSA, "4096"},
    {"hex literal", "keys = { min_dh_bits = 0x1000; };\n", TP_K_KEYS_DH, "4096"},
    {"lowest RSA bits", "keys = { min_rsa_bits = 512; };\n", TP_K_KEYS_RSA, "512"},
    {"highest EC bits", "keys = { min_ec_bits = 571; };\n", TP_K_KEYS_EC, "571"},
    {"security level", "tls = { security_level = 3; };\n", TP_K_TLS_SECLEVEL, "3"},
    {"security level derived", "tls = { security_level = -1; };\n", TP_K_TLS_SECLEVEL, "-1"},
    {"permissive", "mode = \"permissive\";\n", TP_K_MODE, "permissive"},
    {"peer required", "verify = { peer = \"required\"; };\n", TP_K_VERIFY_PEER, "required"},
    {"ca_file", "verify = { peer = \"required\"; ca_file = \"/etc/ssl/ca.pem\"; };\n", TP_K_VERIFY_CA_FILE,
     "/etc/ssl/ca.pem"},
    {"ca_path", "verify = { peer = \"required\"; ca_path = \"/etc/ssl/certs\"; };\n", TP_K_VERIFY_CA_PATH,
     "/etc/ssl/certs"},
    {"replace list", "tls = { groups = [ \"X25519\", \"secp384r1\" ]; };\n", TP_K_TLS_GROUPS,
     "X25519, secp384r1"},
    {"alias in list", "tls = { groups = [ \"prime256v1\", \"X25519\" ]; };\n", TP_K_TLS_GROUPS,
     "secp256r1, X25519"},
    {"case-insensitive names", "tls = { groups = [ \"x25519\", \"SECP384R1\" ]; };\n", TP_K_TLS_GROUPS,
     "X25519, secp384r1"},
    {"list as ( ) works too", "tls = { groups = ( \"X25519\" ); };\n", TP_K_TLS_GROUPS, "X25519"},
    {"remove", "tls = { ciphers = [ \"-AES-128-CBC\", \"-AES-256-CBC\" ]; };\n", TP_K_TLS_CIPHERS,
     "AES-256-GCM, AES-256-CCM, CHACHA20-POLY1305, AES-128-GCM, AES-128-CCM"},
    {"remove an absent name is a no-op", "tls = { ciphers = [ \"-3DES-CBC\" ]; };\n", TP_K_TLS_CIPHERS,
     DEF_CIPHERS},
    {"prepend moves to the front", "tls = { ciphers = [ \"+AES-128-CBC\" ]; };\n", TP_K_TLS_CIPHERS,
     "AES-128-CBC, AES-256-GCM, AES-256-CCM, CHACHA20-POLY1305, AES-128-GCM, AES-128-CCM, AES-256-CBC"},
    {"two prepends keep written order", "tls = { ciphers = [ \"+AES-128-CBC\", \"+AES-256-CBC\" ]; };\n",
     TP_K_TLS_CIPHERS,
     "AES-128-CBC, AES-256-CBC, AES-256-GCM, AES-256-CCM, CHACHA20-POLY1305, AES-128-GCM, AES-128-CCM"},
    {"append", "tls = { ciphers = [ \"3DES-CBC+\" ]; };\n", TP_K_TLS_CIPHERS, DEF_CIPHERS ", 3DES-CBC"},
    {"append moves an existing name to the end", "tls = { ciphers = [ \"AES-256-GCM+\" ]; };\n",
     TP_K_TLS_CIPHERS,
     "AES-256-CCM, CHACHA20-POLY1305, AES-128-GCM, AES-128-CCM, AES-256-CBC, AES-128-CBC, AES-256-GCM"},
    {"remove and append in one list", "tls = { key_exchange = [ \"-RSA\", \"PSK+\" ]; };\n", TP_K_TLS_KEX,
     "ECDHE, DHE, PSK"},
    {"hash alias", "signatures = { forbidden_hashes = [ \"SHA-1\", \"md5\" ]; };\n", TP_K_SIG_FORBIDDEN,
     "SHA1, MD5"},
    {"sigalg alias", "tls = { signature_algorithms = [ \"ECDSA+SHA384\", \"ed25519\" ]; };\n",
     TP_K_TLS_SIGALGS, "ecdsa_secp384r1_sha384, ed25519"},
    {"profile", "profile = \"FUTURE\";\n", TP_K_KEYS_RSA, "3072"},
    {"profile and modifier", "profile = \"DEFAULT:TLS13-ONLY\";\n", TP_K_TLS_MIN, "TLSv1.3"},
    {"profile value", "profile = \"LEGACY:NO-SHA1\";\n", TP_K_PROFILE, "LEGACY:NO-SHA1"},
    {"description is accepted", "description = \"site policy\";\n", TP_K_MODE, "enforce"},
    {"TLS 1.3 only with no TLS 1.2 ciphers", "tls = { min_version = \"TLSv1.3\"; ciphers = []; };\n",
     TP_K_TLS_CIPHERS, ""},
};

static void test_parse_good_values(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        const good_case *c = &good[i];
        tp_err err = TP_ERR_ARG;
        tp_policy *p = tt_load_text(c->input, &err);
        assert_non_null(p);
        tp_resolved *r = tp_policy_resolve(p, NULL, NULL, NULL);
        assert_non_null(r);
        char buf[1024];
        tt_fmt(r, c->key, buf, sizeof(buf));
        if (err != TP_OK || tp_policy_nerrors(p) != 0 || tp_resolved_is_fallback(r) ||
            strcmp(buf, c->want_value) != 0) {
            fprintf(stderr, "case \"%s\": %s = \"%s\", want \"%s\" (err %d)\n", c->name,
                    tp_key_name(c->key), buf, c->want_value, err);
            tt_dump(p);
            failed++;
        }
        tp_resolved_free(r);
        tp_policy_free(p);
    }
    assert_int_equal(failed, 0);
}

/* Notes and warnings: allowed, but reported with their line. */
static void test_parse_notes_and_warnings(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *input;
        tp_severity sev;
        int want_line;
        const char *want_msg;
    } rows[] = {
        {"group alias", "tls = {\n groups = [ \"prime256v1\", \"X25519\" ];\n};\n", TP_SEV_NOTE, 2,
         "tls.groups: 'prime256v1' is read as group 'secp256r1'"},
        {"version alias", "tls = {\n\n min_version = \"TLS1.2\";\n};\n", TP_SEV_NOTE, 3,
         "tls.min_version: 'TLS1.2' is read as TLSv1.2"},
        {"hash alias", "signatures = {\n forbidden_hashes = [ \"MD5\",\n \"SHA-1\" ];\n};\n", TP_SEV_NOTE, 3,
         "signatures.forbidden_hashes: 'SHA-1' is read as hash 'SHA1'"},
        {"ca_file without peer = required", "verify = {\n ca_file = \"/etc/ssl/ca.pem\";\n};\n",
         TP_SEV_WARNING, 2, "verify.ca_file/ca_path have no effect unless verify.peer = \"required\""},
        {"forbidding SHA2-256", "signatures = {\n forbidden_hashes = [ \"SHA2-256+\" ];\n};\n",
         TP_SEV_WARNING, 2,
         "signatures.forbidden_hashes forbids SHA2-256: most certificates in use will fail verification"},
        {"rule weakens a floor",
         "applications = (\n {\n  match = \"curl\";\n  tls = {\n   min_version = \"TLSv1.0\";\n  };\n }\n);\n",
         TP_SEV_WARNING, 5, "application rule \"curl\" weakens tls.min_version from TLSv1.2 to TLSv1.0"},
        {"rule weakens key size",
         "applications = (\n { match = \"old-*\";\n   keys = { min_rsa_bits = 1024; }; }\n);\n",
         TP_SEV_WARNING, 3, "application rule \"old-*\" weakens keys.min_rsa_bits from 2048 to 1024"},
        {"rule weakens forbidden hashes",
         "applications = (\n { match = \"x\";\n   signatures = { forbidden_hashes = [ \"-SHA1\" ]; }; }\n);\n",
         TP_SEV_WARNING, 3,
         "application rule \"x\" weakens signatures.forbidden_hashes from MD5, SHA1 to MD5"},
        {"rule switches to permissive",
         "applications = (\n { match = \"x\";\n   mode = \"permissive\"; }\n);\n", TP_SEV_WARNING, 3,
         "application rule \"x\" weakens mode from enforce to permissive"},
        {"rule stops verifying",
         "verify = { peer = \"required\"; };\napplications = (\n { match = \"x\";\n"
         "   verify = { peer = \"program\"; }; }\n);\n",
         TP_SEV_WARNING, 4, "application rule \"x\" weakens verify.peer from required to program"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        tp_err err;
        tp_policy *p = tt_load_text(rows[i].input, &err);
        const tp_diag *d = tt_nth(p, rows[i].sev, 0);
        if (err != TP_OK || d == NULL || d->line != rows[i].want_line ||
            strcmp(d->message, rows[i].want_msg) != 0 || tt_count(p, rows[i].sev) != 1) {
            fprintf(stderr, "case \"%s\":\n", rows[i].name);
            tt_dump(p);
        }
        assert_int_equal(err, TP_OK);
        assert_int_equal(tp_policy_nerrors(p), 0);
        assert_false(tp_policy_is_fallback(p));
        assert_non_null(d);
        assert_int_equal(tt_count(p, rows[i].sev), 1);
        assert_int_equal(d->line, rows[i].want_line);
        assert_string_equal(d->message, rows[i].want_msg);
        assert_string_equal(d->file, "t.conf");
        tp_policy_free(p);
    }
}

/* A rule that strengthens a floor is not reported. */
static void test_parse_strengthening_is_quiet(void **state)
{
    (void)state;
    tp_err err;
    tp_policy *p = tt_load_text("applications = (\n { match = \"x\";\n   tls = { min_version = \"TLSv1.3\"; };\n"
                                "   keys = { min_rsa_bits = 4096; }; }\n);\n",
                                &err);
    assert_int_equal(err, TP_OK);
    assert_int_equal(tp_policy_ndiags(p), 0);
    assert_int_equal(tp_policy_napps(p), 1);
    tp_policy_free(p);
}

/* A newer name than the OpenSSL in use is a note, not an error. */
static void test_parse_openssl_version_note(void **state)
{
    (void)state;
    tp_load_opts o = tt_opts(NULL);
    o.openssl_version = 0x30000000UL;
    const char *t = "tls = {\n groups = [ \"X25519MLKEM768\", \"X25519\" ];\n};\n";
    tp_err err;
    tp_policy *p = tp_policy_load_buffer(&o, "t.conf", t, strlen(t), &err);
    assert_int_equal(err, TP_OK);
    const tp_diag *d = NULL;
    for (size_t i = 0; i < tp_policy_ndiags(p); i++)
        if (strcmp(tp_policy_diag(p, i)->file, "t.conf") == 0)
            d = tp_policy_diag(p, i);
    assert_non_null(d);
    assert_int_equal(d->severity, TP_SEV_NOTE);
    assert_int_equal(d->line, 2);
    assert_string_equal(d->message,
                        "tls.groups: group 'X25519MLKEM768' needs OpenSSL 3.5 or later; OpenSSL 3.0 skips it");
    tp_policy_free(p);
}

static void test_parse_api_edges(void **state)
{
    (void)state;
    tp_err err = TP_OK;
    tp_load_opts o = tt_opts(NULL);
    assert_null(tp_policy_load_buffer(&o, "t.conf", NULL, 0, &err));
    assert_int_equal(err, TP_ERR_ARG);
    tp_policy_free(NULL);
    tp_resolved_free(NULL);
    assert_int_equal(tp_policy_ndiags(NULL), 0);
    assert_int_equal(tp_key_lookup("tls.min_version"), TP_K_TLS_MIN);
    assert_int_equal(tp_key_lookup("tls"), -1);
    assert_int_equal(tp_key_lookup(NULL), -1);
    assert_string_equal(tp_strerror(TP_ERR_TOOBIG), "input exceeds a limit");
    assert_string_equal(tp_strerror((tp_err)99), "unknown error");
    assert_string_equal(tp_severity_name(TP_SEV_WARNING), "warning");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_bad_inputs),
        cmocka_unit_test(test_parse_all_errors_listed),
        cmocka_unit_test(test_parse_prescan),
        cmocka_unit_test(test_parse_list_limits),
        cmocka_unit_test(test_parse_good_values),
        cmocka_unit_test(test_parse_notes_and_warnings),
        cmocka_unit_test(test_parse_strengthening_is_quiet),
        cmocka_unit_test(test_parse_openssl_version_note),
        cmocka_unit_test(test_parse_api_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
