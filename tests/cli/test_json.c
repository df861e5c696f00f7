/*
 * test_json.c - the CLI's JSON writer: escaping, invalid UTF-8, nesting,
 * commas, and misuse detection. Table-driven, cmocka.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

/* Run fn on a compact writer over a memory stream; return the text. */
static char *capture(void (*fn)(json_w *w, const void *arg), const void *arg, int pretty,
                     int *finish_rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    json_w w;
    json_init(&w, f, pretty);
    fn(&w, arg);
    *finish_rc = json_finish(&w);
    fclose(f);
    return buf;
}

typedef struct str_case {
    const char *in;
    size_t len;        /* bytes of in (may hold NUL) */
    const char *want;  /* the JSON text, newline excluded */
} str_case;

#define S(lit, want) { lit, sizeof(lit) - 1, want }

static const str_case str_cases[] = {
    S("", "\"\""),
    S("plain", "\"plain\""),
    S("q\"b\\s/", "\"q\\\"b\\\\s/\""),
    S("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""),
    S("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""),
    S("nul\0byte", "\"nul\\u0000byte\""),
    S("caf\xc3\xa9", "\"caf\xc3\xa9\""),                        /* valid 2-byte */
    S("\xe2\x82\xac", "\"\xe2\x82\xac\""),                      /* valid 3-byte */
    S("\xf0\x9f\x94\x92", "\"\xf0\x9f\x94\x92\""),              /* valid 4-byte */
    S("\xff", "\"\\ufffd\""),                                   /* never valid */
    S("a\x80z", "\"a\\ufffdz\""),                               /* lone continuation */
    S("\xc0\xaf", "\"\\ufffd\\ufffd\""),                        /* overlong '/' */
    S("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""),             /* overlong 3-byte */
    S("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""),             /* UTF-16 surrogate */
    S("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""),  /* above U+10FFFF */
    S("\xe2\x82", "\"\\ufffd\\ufffd\""),                        /* truncated at end */
    S("\xc3(", "\"\\ufffd(\""),                                 /* bad continuation */
};

static void write_str(json_w *w, const void *arg)
{
    const str_case *c = arg;
    json_strn(w, c->in, c->len);
}

static void test_json_strings(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(str_cases) / sizeof(str_cases[0]); i++) {
        int rc;
        char *got = capture(write_str, &str_cases[i], 0, &rc);
        size_t n = strlen(got);
        assert_true(n > 0 && got[n - 1] == '\n');
        got[n - 1] = '\0';
        if (strcmp(got, str_cases[i].want) != 0)
            fail_msg("case %zu: got %s, want %s", i, got, str_cases[i].want);
        assert_int_equal(rc, 0);
        free(got);
    }
}

static void write_doc(json_w *w, const void *arg)
{
    (void)arg;
    json_obj_begin(w);
    json_key(w, "schema");
    json_int(w, 1);
    json_key(w, "empty_obj");
    json_obj_begin(w);
    json_obj_end(w);
    json_key(w, "empty_arr");
    json_arr_begin(w);
    json_arr_end(w);
    json_key(w, "list");
    json_arr_begin(w);
    json_str(w, "a");
    json_null(w);
    json_bool(w, 1);
    json_bool(w, 0);
    json_int(w, -3);
    json_arr_begin(w);
    json_arr_end(w);
    json_arr_end(w);
    json_key(w, "nested");
    json_obj_begin(w);
    json_key(w, "k\"ey");
    json_str(w, NULL);
    json_obj_end(w);
    json_obj_end(w);
}

static void test_json_compact(void **state)
{
    (void)state;
    int rc;
    char *got = capture(write_doc, NULL, 0, &rc);
    assert_string_equal(got, "{\"schema\":1,\"empty_obj\":{},\"empty_arr\":[],"
                             "\"list\":[\"a\",null,true,false,-3,[]],"
                             "\"nested\":{\"k\\\"ey\":null}}\n");
    assert_int_equal(rc, 0);
    free(got);
}

static void test_json_pretty(void **state)
{
    (void)state;
    int rc;
    char *got = capture(write_doc, NULL, 1, &rc);
    assert_string_equal(got, "{\n"
                             "  \"schema\": 1,\n"
                             "  \"empty_obj\": {},\n"
                             "  \"empty_arr\": [],\n"
                             "  \"list\": [\n"
                             "    \"a\",\n"
                             "    null,\n"
                             "    true,\n"
                             "    false,\n"
                             "    -3,\n"
                             "    []\n"
                             "  ],\n"
                             "  \"nested\": {\n"
                             "    \"k\\\"ey\": null\n"
                             "  }\n"
                             "}\n");
    assert_int_equal(rc, 0);
    free(got);
}

/* Misuse must be detected, not turned into invalid JSON silently. */
static void bad_unclosed(json_w *w, const void *a) { (void)a; json_obj_begin(w); }
static void bad_mismatch(json_w *w, const void *a) { (void)a; json_obj_begin(w); json_arr_end(w); }
static void bad_key_in_array(json_w *w, const void *a)
{
    (void)a;
    json_arr_begin(w);
    json_key(w, "k");
    json_int(w, 1);
    json_arr_end(w);
}
static void bad_value_no_key(json_w *w, const void *a)
{
    (void)a;
    json_obj_begin(w);
    json_int(w, 1);
    json_obj_end(w);
}
static void bad_dangling_key(json_w *w, const void *a)
{
    (void)a;
    json_obj_begin(w);
    json_key(w, "k");
    json_obj_end(w);
}
static void bad_two_docs(json_w *w, const void *a) { (void)a; json_int(w, 1); json_int(w, 2); }
static void bad_nothing(json_w *w, const void *a) { (void)a; (void)w; }
static void bad_too_deep(json_w *w, const void *a)
{
    (void)a;
    for (int i = 0; i < JSON_MAX_DEPTH + 5; i++)
        json_arr_begin(w);
    for (int i = 0; i < JSON_MAX_DEPTH + 5; i++)
        json_arr_end(w);
}

static void test_json_misuse(void **state)
{
    (void)state;
    void (*const cases[])(json_w *, const void *) = {
        bad_unclosed, bad_mismatch, bad_key_in_array, bad_value_no_key,
        bad_dangling_key, bad_two_docs, bad_nothing, bad_too_deep,
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc;
        char *got = capture(cases[i], NULL, 0, &rc);
        if (rc != -1)
            fail_msg("misuse case %zu not detected: %s", i, got);
        free(got);
    }
}

/* Many values at one level: the comma logic must not depend on a counter
 * that wraps. */
static void write_many(json_w *w, const void *a)
{
    (void)a;
    json_arr_begin(w);
    for (int i = 0; i < 1000; i++)
        json_int(w, i % 10);
    json_arr_end(w);
}

static void test_json_many(void **state)
{
    (void)state;
    int rc;
    char *got = capture(write_many, NULL, 0, &rc);
    assert_int_equal(rc, 0);
    size_t commas = 0;
    for (const char *p = got; *p; p++)
        commas += *p == ',';
    assert_int_equal(commas, 999);
    assert_int_equal(strlen(got), 1 + 1000 + 999 + 1 + 1);
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_strings),
        cmocka_unit_test(test_json_compact),
        cmocka_unit_test(test_json_pretty),
        cmocka_unit_test(test_json_misuse),
        cmocka_unit_test(test_json_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
