/*
 * rd_json_tests.h - unit tests of rd/utf8.h and rd/json.h, for
 * tests/unit/test_rd.c: #include "rd_json_tests.h" after the other
 * tests and add RD_JSON_TESTS to its test list.
 *
 * Expected bytes are written out by hand from RFC 8259 (string escapes)
 * and Unicode 15.0 3.9 table 3-7 (well-formed UTF-8 byte sequences).
 */
#ifndef TESTS_RD_JSON_TESTS_H
#define TESTS_RD_JSON_TESTS_H

#include "rd/buf.h"
#include "rd/json.h"
#include "rd/utf8.h"

/* b's contents as a string; fails the test if the buffer failed. */
static const char *
tj_str(rd_buf *b)
{
	const char *s = rd_buf_cstr(b);

	assert_non_null(s);
	return s;
}

/* One escaped string, compared with its expected JSON content. */
static void
tj_escape(const char *in, size_t n, const char *want)
{
	rd_buf b;

	rd_buf_init(&b, 4096);
	rd_json_escape(&b, in, n);
	assert_string_equal(tj_str(&b), want);
	rd_buf_free(&b);
}

/* ---------------------------------------------------------- utf8.h */

static void
test_rd__utf8_next_valid(void **state)
{
	static const struct {
		const char *s;
		int len;
		uint32_t cp;
	} ok[] = {
		{ "\x00", 1, 0x00 }, { "A", 1, 0x41 }, { "\x7f", 1, 0x7F },
		{ "\xc2\x80", 2, 0x80 }, { "\xc3\xa9", 2, 0xE9 },
		{ "\xdf\xbf", 2, 0x7FF }, { "\xe0\xa0\x80", 3, 0x800 },
		{ "\xe2\x82\xac", 3, 0x20AC }, { "\xed\x9f\xbf", 3, 0xD7FF },
		{ "\xee\x80\x80", 3, 0xE000 }, { "\xef\xbf\xbf", 3, 0xFFFF },
		{ "\xf0\x90\x80\x80", 4, 0x10000 },
		{ "\xf0\x9f\x98\x80", 4, 0x1F600 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10FFFF },
	};
	size_t i;
	uint32_t cp;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cp = 0xFFFFFFFFu;
		assert_int_equal(rd_utf8_next((const uint8_t *)ok[i].s,
		    (size_t)ok[i].len, &cp), ok[i].len);
		assert_int_equal(cp, ok[i].cp);
	}
	/* only the first sequence is read */
	assert_int_equal(rd_utf8_next((const uint8_t *)"\xc3\xa9z", 3, &cp),
	    2);
}

static void
test_rd__utf8_next_invalid(void **state)
{
	static const char *const bad[] = {
		"\x80", "\xbf",                     /* stray continuation */
		"\xc0\x80", "\xc1\xbf",             /* overlong 2-byte */
		"\xe0\x80\x80", "\xe0\x9f\xbf",     /* overlong 3-byte */
		"\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", /* overlong 4-byte */
		"\xed\xa0\x80", "\xed\xbf\xbf",     /* surrogates */
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", /* above U+10FFFF */
		"\xf8\x88\x80\x80", "\xfe", "\xff", /* never lead bytes */
		"\xc3\x41", "\xe2\x28\xac",         /* bad continuation */
	};
	size_t i;
	uint32_t cp = 0x1234;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(rd_utf8_next((const uint8_t *)bad[i],
		    strlen(bad[i]), &cp), 0);
	/* truncated: the bytes are there but n stops short */
	assert_int_equal(rd_utf8_next((const uint8_t *)"\xe2\x82\xac", 2,
	    &cp), 0);
	assert_int_equal(rd_utf8_next((const uint8_t *)"\xf0\x9f\x98\x80", 3,
	    &cp), 0);
	assert_int_equal(rd_utf8_next((const uint8_t *)"A", 0, &cp), 0);
	assert_int_equal(cp, 0x1234); /* untouched on failure */
}

static void
test_rd__utf8_valid_len(void **state)
{
	(void)state;
	assert_int_equal(rd_utf8_valid_len((const uint8_t *)"", 0), 0);
	assert_int_equal(rd_utf8_valid_len((const uint8_t *)"ok\xe2\x82\xac",
	    5), 5);
	assert_int_equal(rd_utf8_valid_len((const uint8_t *)"ok\xc0\xaf", 4),
	    2);
	assert_int_equal(rd_utf8_valid_len((const uint8_t *)"\xed\xa0\x80", 3),
	    0);
	assert_int_equal(rd_utf8_valid_len((const uint8_t *)"a\xe2\x82", 3),
	    1);
}

/* ---------------------------------------------------------- json.h */

static void
test_rd__json_escape(void **state)
{
	(void)state;
	tj_escape("plain text", 10, "plain text");
	tj_escape("a\"b\\c/", 6, "a\\\"b\\\\c/");
	tj_escape("\n\t\r\b\f", 5, "\\n\\t\\u000d\\u0008\\u000c");
	tj_escape("\x01\x1f\x7f", 3, "\\u0001\\u001f\\u007f");
	tj_escape("nul\0x", 5, "nul\\u0000x");
	/* valid UTF-8 passes through, C1 controls included */
	tj_escape("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc2\xa0", 11,
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc2\xa0");
	/* C1 and bidirectional controls: \uXXXX (issue 14) */
	tj_escape("\xc2\x85\xc2\x9b", 4, "\\u0085\\u009b");
	tj_escape("a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xe2\x80\x8f\xd8\x9c", 14,
	    "a\\u202eb\\u2066c\\u200f\\u061c");
	tj_escape("\xe2\x80\xa9\xe2\x80\xaf", 6, "\xe2\x80\xa9\xe2\x80\xaf");
	tj_escape("", 0, "");
}

static void
test_rd__json_escape_invalid_utf8(void **state)
{
	(void)state;
	/* one U+FFFD per byte that does not start a valid sequence */
	tj_escape("a\xff" "b", 3, "a\\ufffdb");
	tj_escape("\xc0\xaf", 2, "\\ufffd\\ufffd");            /* overlong */
	tj_escape("\xe0\x80\xaf", 3, "\\ufffd\\ufffd\\ufffd"); /* overlong */
	tj_escape("\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd"); /* surrogate */
	tj_escape("\xf4\x90\x80\x80", 4,
	    "\\ufffd\\ufffd\\ufffd\\ufffd");                  /* > 10FFFF */
	tj_escape("x\xe2\x82", 3, "x\\ufffd\\ufffd");          /* truncated */
	tj_escape("\xc3\"", 2, "\\ufffd\\\"");
}

static void
test_rd__json_compact_nesting(void **state)
{
	static const uint8_t h[3] = { 0x00, 0xab, 0xff };
	rd_buf b;
	rd_json j;

	(void)state;
	rd_buf_init(&b, 4096);
	rd_json_init(&j, &b, 0);
	rd_json_obj(&j);
	rd_json_kuint(&j, "n", 18446744073709551615ULL);
	rd_json_key(&j, "a");
	rd_json_arr(&j);
	rd_json_bool(&j, 1);
	rd_json_bool(&j, 0);
	rd_json_null(&j);
	rd_json_str(&j, NULL);
	rd_json_strn(&j, "q\"x", 2);
	rd_json_obj(&j);
	rd_json_obj_end(&j);
	rd_json_arr(&j);
	rd_json_arr_end(&j);
	rd_json_arr_end(&j);
	rd_json_kstr(&j, "k\"", "v");
	rd_json_kstr(&j, "s", NULL);
	rd_json_khex(&j, "h", h, 3);
	rd_json_khex(&j, "nh", NULL, 8);
	rd_json_khex(&j, "eh", h, 0);
	rd_json_knull(&j, "z");
	rd_json_kbool(&j, "t", 1);
	rd_json_obj_end(&j);
	assert_string_equal(tj_str(&b), "{\"n\":18446744073709551615,"
	    "\"a\":[true,false,null,null,\"q\\\"\",{},[]],\"k\\\"\":\"v\","
	    "\"s\":null,\"h\":\"00abff\",\"nh\":null,\"eh\":\"\",\"z\":null,"
	    "\"t\":true}\n");
	rd_buf_free(&b);
}

static void
test_rd__json_pretty(void **state)
{
	rd_buf b;
	rd_json j;

	(void)state;
	rd_buf_init(&b, 4096);
	rd_json_init(&j, &b, 1);
	rd_json_obj(&j);
	rd_json_kstr(&j, "asmgate", "x");
	rd_json_key(&j, "files");
	rd_json_arr(&j);
	rd_json_obj(&j);
	rd_json_kuint(&j, "a", 1);
	rd_json_key(&j, "e");
	rd_json_arr(&j);
	rd_json_arr_end(&j);
	rd_json_obj_end(&j);
	rd_json_uint(&j, 2);
	rd_json_arr_end(&j);
	rd_json_key(&j, "o");
	rd_json_obj(&j);
	rd_json_obj_end(&j);
	rd_json_obj_end(&j);
	assert_string_equal(tj_str(&b),
	    "{\n"
	    "  \"asmgate\": \"x\",\n"
	    "  \"files\": [\n"
	    "    {\n"
	    "      \"a\": 1,\n"
	    "      \"e\": []\n"
	    "    },\n"
	    "    2\n"
	    "  ],\n"
	    "  \"o\": {}\n"
	    "}\n");
	rd_buf_free(&b);
}

static void
test_rd__json_hex_long(void **state)
{
	uint8_t in[130];
	char want[2 * sizeof(in) + 3];
	rd_buf b;
	rd_json j;
	size_t i;

	(void)state;
	want[0] = '"';
	for (i = 0; i < sizeof(in); i++) {
		in[i] = (uint8_t)(i * 7);
		want[1 + 2 * i] = "0123456789abcdef"[in[i] >> 4];
		want[2 + 2 * i] = "0123456789abcdef"[in[i] & 15];
	}
	want[1 + 2 * sizeof(in)] = '"';
	want[2 + 2 * sizeof(in)] = '\0';
	rd_buf_init(&b, 4096);
	rd_json_init(&j, &b, 1);
	rd_json_hex(&j, in, sizeof(in)); /* past the 64-byte chunks */
	assert_string_equal(tj_str(&b), want);
	rd_buf_free(&b);
}

static void
test_rd__json_ceiling_fails(void **state)
{
	rd_buf b;
	rd_json j;
	size_t len;

	(void)state;
	rd_buf_init(&b, 16);
	rd_json_init(&j, &b, 1);
	rd_json_obj(&j);
	rd_json_kstr(&j, "key", "a value longer than the ceiling");
	assert_true(b.failed);
	assert_true(b.len <= 16);
	len = b.len;
	rd_json_kuint(&j, "more", 1);
	rd_json_obj_end(&j);
	assert_true(b.failed); /* sticky: nothing more is written */
	assert_int_equal(b.len, len);
	assert_null(rd_buf_cstr(&b));
	rd_buf_free(&b);
}

static void
test_rd__json_misuse_fails(void **state)
{
	rd_buf b;
	rd_json j;
	int i;

	(void)state;
	/* closing what was never opened */
	rd_buf_init(&b, 4096);
	rd_json_init(&j, &b, 0);
	rd_json_obj_end(&j);
	assert_true(b.failed);
	rd_buf_free(&b);
	/* nesting past RD_JSON_MAX_DEPTH */
	rd_buf_init(&b, 4096);
	rd_json_init(&j, &b, 0);
	for (i = 0; i < RD_JSON_MAX_DEPTH; i++)
		rd_json_arr(&j);
	assert_false(b.failed);
	rd_json_arr(&j);
	assert_true(b.failed);
	rd_buf_free(&b);
	/* a fragment deeper than the writer can hold */
	rd_buf_init(&b, 4096);
	rd_json_init(&j, &b, 0);
	rd_json_fragment(&j, RD_JSON_MAX_DEPTH + 1, 0);
	assert_true(b.failed);
	rd_buf_free(&b);
}

/* A fragment written on its own and spliced in reads as if the document
 * had been written in one go. */
static void
test_rd__json_fragment_splice(void **state)
{
	rd_buf b, f;
	rd_json j, fj;
	int i;

	(void)state;
	rd_buf_init(&b, 4096);
	rd_buf_init(&f, 4096);
	for (i = 0; i < 2; i++) {
		rd_json_init(&fj, &f, 1);
		rd_json_fragment(&fj, 2, (unsigned)i);
		rd_json_obj(&fj);
		rd_json_kuint(&fj, "n", (uint64_t)i);
		rd_json_obj_end(&fj);
	}
	rd_json_init(&j, &b, 1);
	rd_json_obj(&j);
	rd_json_key(&j, "r");
	rd_json_arr(&j);
	rd_json_splice(&j, f.p, f.len, 2);
	rd_json_arr_end(&j);
	rd_json_kbool(&j, "end", 1);
	rd_json_obj_end(&j);
	assert_string_equal(tj_str(&b),
	    "{\n"
	    "  \"r\": [\n"
	    "    {\n"
	    "      \"n\": 0\n"
	    "    },\n"
	    "    {\n"
	    "      \"n\": 1\n"
	    "    }\n"
	    "  ],\n"
	    "  \"end\": true\n"
	    "}\n");
	rd_buf_free(&f);
	rd_buf_free(&b);
}

#define RD_JSON_TESTS \
	cmocka_unit_test(test_rd__utf8_next_valid), \
	cmocka_unit_test(test_rd__utf8_next_invalid), \
	cmocka_unit_test(test_rd__utf8_valid_len), \
	cmocka_unit_test(test_rd__json_escape), \
	cmocka_unit_test(test_rd__json_escape_invalid_utf8), \
	cmocka_unit_test(test_rd__json_compact_nesting), \
	cmocka_unit_test(test_rd__json_pretty), \
	cmocka_unit_test(test_rd__json_hex_long), \
	cmocka_unit_test(test_rd__json_ceiling_fails), \
	cmocka_unit_test(test_rd__json_misuse_fails), \
	cmocka_unit_test(test_rd__json_fragment_splice)

#endif /* TESTS_RD_JSON_TESTS_H */
