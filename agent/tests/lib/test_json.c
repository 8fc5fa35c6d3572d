// SPDX-License-Identifier: GPL-2.0
/*
 * json.c: separators and escaping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "../suites.h"

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void capture_open(struct capture *c, struct fz_json *j)
{
	c->buf = NULL;
	c->f = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->f);
	fz_json_init(j, c->f);
}

static void capture_check(struct capture *c, const char *want)
{
	fclose(c->f);
	ck_assert_str_eq(c->buf, want);
	free(c->buf);
}

START_TEST(test_nested_separators)
{
	struct capture c;
	struct fz_json j;

	capture_open(&c, &j);
	fz_json_object_begin(&j);
	fz_json_kv_string(&j, "a", "x");
	fz_json_kv_u64(&j, "b", 18446744073709551615ULL);
	fz_json_key(&j, "c");
	fz_json_array_begin(&j);
	fz_json_u64(&j, 1);
	fz_json_null(&j);
	fz_json_object_begin(&j);
	fz_json_object_end(&j);
	fz_json_array_begin(&j);
	fz_json_array_end(&j);
	fz_json_array_end(&j);
	fz_json_key(&j, "d");
	fz_json_null(&j);
	fz_json_object_end(&j);
	capture_check(&c, "{\"a\":\"x\",\"b\":18446744073709551615,"
			  "\"c\":[1,null,{},[]],\"d\":null}");
}
END_TEST

START_TEST(test_top_level_stream)
{
	struct capture c;
	struct fz_json j;

	capture_open(&c, &j);
	fz_json_object_begin(&j);
	fz_json_object_end(&j);
	fputc('\n', c.f);
	fz_json_object_begin(&j);
	fz_json_kv_u64(&j, "n", 0);
	fz_json_object_end(&j);
	capture_check(&c, "{}\n{\"n\":0}");
}
END_TEST

START_TEST(test_escaping)
{
	struct capture c;
	struct fz_json j;

	capture_open(&c, &j);
	fz_json_string(&j, "q\"b\\n\nt\tc\x01\x1f\x7f-\xc3\xa9");
	capture_check(&c, "\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f\x7f-\xc3\xa9\"");
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");

	tcase_add_test(tc, test_nested_separators);
	tcase_add_test(tc, test_top_level_stream);
	tcase_add_test(tc, test_escaping);
	suite_add_tcase(s, tc);
	return s;
}
