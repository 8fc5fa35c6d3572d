// SPDX-License-Identifier: GPL-2.0
/*
 * Conditions as JSON: what is accepted and written back, and every
 * refusal with the field it names, as the admin CLI and REST API will
 * show it.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/cond.h"
#include "../suites.h"

#define ALL_FOUR                                                             \
	"[{\"property\":\"remote_ip\",\"operator\":\"is_in_cidr\","          \
	"\"values\":[\"10.0.0.0/8\",\"2001:db8::/32\",\"192.0.2.7\"]},"      \
	"{\"property\":\"provider_id\",\"operator\":\"is_not_in\","          \
	"\"values\":[\"google\",\"0e5a2c1e-6f1b-4c57-9d3f-1f0a2b3c4d5e\"]}," \
	"{\"property\":\"client_verified\",\"operator\":\"is\","             \
	"\"values\":[\"true\"]},"                                            \
	"{\"property\":\"current_utc_datetime\","                            \
	"\"operator\":\"is_in_day_of_week_time_ranges\","                    \
	"\"values\":[\"MTWRF/09:00-17:00/Europe/Berlin\",\"S/true/UTC\"]}]"

static void teardown(void)
{
	policy_tz_flush();
}

static int parse(struct policy_conds *c, const char *text,
		 struct policy_error *err)
{
	return policy_conds_parse(c, text, strlen(text), err);
}

START_TEST(test_all_four_parsed_and_written_back)
{
	struct policy_conds c, again;
	struct policy_error err;
	char *text;

	ck_assert_int_eq(parse(&c, ALL_FOUR, &err), 0);
	ck_assert_uint_eq(c.n, 4);
	ck_assert_int_eq(c.c[0].prop, POLICY_PROP_REMOTE_IP);
	ck_assert_int_eq(c.c[0].op, POLICY_OP_IS_IN_CIDR);
	ck_assert_uint_eq(c.c[0].n, 3);
	ck_assert_uint_eq(c.c[0].cidrs[2].cidr, 32);
	ck_assert_int_eq(c.c[1].op, POLICY_OP_IS_NOT_IN);
	ck_assert_int_eq(c.c[2].prop, POLICY_PROP_CLIENT_VERIFIED);
	ck_assert_int_eq(c.c[3].prop, POLICY_PROP_DATETIME);
	ck_assert_str_eq(policy_tz_name(c.c[3].windows[0].tz), "Europe/Berlin");
	text = policy_conds_format(&c);
	ck_assert_str_eq(text, ALL_FOUR);
	ck_assert_int_eq(parse(&again, text, &err), 0);
	ck_assert_uint_eq(again.n, 4);
	free(text);
	policy_conds_free(&again);
	policy_conds_free(&c);
	ck_assert_uint_eq(c.n, 0);
}
END_TEST

START_TEST(test_empty_list_and_white_space)
{
	struct policy_conds c;
	struct policy_error err;
	char *text;

	ck_assert_int_eq(parse(&c, " [ ] \n", &err), 0);
	ck_assert_uint_eq(c.n, 0);
	text = policy_conds_format(&c);
	ck_assert_str_eq(text, "[]");
	free(text);
	policy_conds_free(&c);
}
END_TEST

START_TEST(test_from_json_object)
{
	struct json_object *arr = json_tokener_parse(ALL_FOUR);
	struct json_object *obj = json_object_new_object();
	struct policy_conds c;
	struct policy_error err;

	ck_assert_int_eq(policy_conds_from_json(&c, arr, &err), 0);
	ck_assert_uint_eq(c.n, 4);
	policy_conds_free(&c);
	ck_assert_int_eq(policy_conds_from_json(&c, obj, &err), -EINVAL);
	ck_assert_str_eq(err.field, "conditions");
	json_object_put(arr);
	json_object_put(obj);
}
END_TEST

#define COND(p, o, v) \
	"[{\"property\":\"" p "\",\"operator\":\"" o "\",\"values\":" v "}]"
#define CIDR(v) COND("remote_ip", "is_in_cidr", v)

static const struct {
	const char *text, *field, *message;
} refused[] = {
	{ "{}", "conditions", "not a JSON array" },
	{ "", "conditions", "truncated" },
	{ "[", "conditions", "truncated" },
	{ "[] x", "conditions", "text after the array" },
	{ "[nul]", "conditions", "not valid JSON" },
	{ "[[[[[[]]]]]]", "conditions", "not valid JSON" },
	{ "[1]", "conditions[0]", "not an object" },
	{ "[{\"operator\":\"is\",\"values\":[\"true\"]}]",
	  "conditions[0].property", "missing" },
	{ "[{\"property\":5,\"operator\":\"is\",\"values\":[\"true\"]}]",
	  "conditions[0].property", "not a string" },
	{ COND("region", "is_in", "[\"EU\"]"), "conditions[0].property",
	  "unknown property \"region\"" },
	{ "[{\"property\":\"client_verified\",\"values\":[\"true\"]}]",
	  "conditions[0].operator", "missing" },
	{ COND("remote_ip", "is_in", "[\"10.0.0.0/8\"]"),
	  "conditions[0].operator",
	  "\"is_in\" does not apply to remote_ip (use is_in_cidr or is_not_in_cidr)" },
	{ COND("client_verified", "is_not", "[\"true\"]"),
	  "conditions[0].operator",
	  "\"is_not\" does not apply to client_verified (use is)" },
	{ COND("current_utc_datetime", "is_in", "[\"M/true/UTC\"]"),
	  "conditions[0].operator", "use is_in_day_of_week_time_ranges" },
	{ "[{\"property\":\"client_verified\",\"operator\":\"is\","
	  "\"values\":[\"true\"],\"negate\":true}]",
	  "conditions[0].negate", "unknown key" },
	{ "[{\"property\":\"client_verified\",\"operator\":\"is\"}]",
	  "conditions[0].values", "missing" },
	{ COND("client_verified", "is", "\"true\""), "conditions[0].values",
	  "not an array" },
	{ CIDR("[]"), "conditions[0].values", "empty" },
	{ CIDR("[\"1.0.0.0/8\",\"2.0.0.0/8\",\"3.0.0.0/8\",\"4.0.0.0/8\","
	       "\"5.0.0.0/8\",\"6.0.0.0/8\",\"7.0.0.0/8\",\"8.0.0.0/8\","
	       "\"9.0.0.0/8\",\"10.0.0.0/8\",\"11.0.0.0/8\",\"12.0.0.0/8\","
	       "\"13.0.0.0/8\",\"14.0.0.0/8\",\"15.0.0.0/8\",\"16.0.0.0/8\","
	       "\"17.0.0.0/8\",\"18.0.0.0/8\",\"19.0.0.0/8\",\"20.0.0.0/8\","
	       "\"21.0.0.0/8\",\"22.0.0.0/8\",\"23.0.0.0/8\",\"24.0.0.0/8\","
	       "\"25.0.0.0/8\",\"26.0.0.0/8\",\"27.0.0.0/8\",\"28.0.0.0/8\","
	       "\"29.0.0.0/8\",\"30.0.0.0/8\",\"31.0.0.0/8\",\"32.0.0.0/8\","
	       "\"33.0.0.0/8\"]"),
	  "conditions[0].values", "more than 32 values" },
	{ CIDR("[5]"), "conditions[0].values[0]", "not a string" },
	{ CIDR("[\"10.0.0.0/8\",null]"), "conditions[0].values[1]",
	  "not a string" },
	{ CIDR("[\"\"]"), "conditions[0].values[0]", "empty" },
	{ CIDR("[\"10.0.0.0/8\\u0000\"]"), "conditions[0].values[0]",
	  "with a NUL" },
	{ CIDR("[\"banana\"]"), "conditions[0].values[0]",
	  "\"banana\": not an IP address" },
	{ CIDR("[\"10.0.0.0/33\"]"), "conditions[0].values[0]",
	  "prefix length above 32" },
	{ CIDR("[\"2001:db8::/129\"]"), "conditions[0].values[0]",
	  "prefix length above 128" },
	{ CIDR("[\"10.0.0.0/\"]"), "conditions[0].values[0]",
	  "missing prefix length" },
	{ CIDR("[\"10.0.0.1/8\"]"), "conditions[0].values[0]",
	  "host bits set past /8" },
	{ COND("remote_ip", "is_not_in_cidr", "[\"2001:db8::1/32\"]"),
	  "conditions[0].values[0]", "host bits set past /32" },
	{ COND("provider_id", "is_in", "[\"a b\"]"), "conditions[0].values[0]",
	  "a provider id is [A-Za-z0-9._:@-]" },
	{ COND("client_verified", "is", "[\"false\"]"),
	  "conditions[0].values[0]", "exactly [\"true\"]" },
	{ COND("client_verified", "is", "[\"true\",\"true\"]"),
	  "conditions[0].values[0]", "exactly [\"true\"]" },
	{ COND("current_utc_datetime", "is_in_day_of_week_time_ranges",
	       "[\"M/true/UTC\",\"M/25:00-26:00/UTC\"]"),
	  "conditions[0].values[1]", "time range 1: start \"25:00\"" },
	{ COND("current_utc_datetime", "is_in_day_of_week_time_ranges",
	       "[\"M/true/Europe/Atlantis\"]"),
	  "conditions[0].values[0]", "time zone \"Europe/Atlantis\": no such" },
	{ COND("current_utc_datetime", "is_in_day_of_week_time_ranges",
	       "[\"Q/true/UTC\"]"),
	  "conditions[0].values[0]", "day letter 'Q'" },
};

START_TEST(test_refused)
{
	struct policy_conds c;
	struct policy_error err = { "", "" };

	ck_assert_int_eq(parse(&c, refused[_i].text, &err), -EINVAL);
	ck_assert_msg(!strcmp(err.field, refused[_i].field) &&
			      strstr(err.message, refused[_i].message),
		      "%s: got %s: %s", refused[_i].text, err.field,
		      err.message);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_ptr_null(c.c);
}
END_TEST

/* The second of two conditions is named by its index. */
START_TEST(test_refused_names_index)
{
	const char *text = "[{\"property\":\"client_verified\",\"operator\":"
			   "\"is\",\"values\":[\"true\"]},"
			   "{\"property\":\"region\",\"operator\":\"is_in\","
			   "\"values\":[\"EU\"]}]";
	struct policy_conds c;
	struct policy_error err;

	ck_assert_int_eq(parse(&c, text, &err), -EINVAL);
	ck_assert_str_eq(err.field, "conditions[1].property");
}
END_TEST

/* A list of n client_verified conditions. */
static void list_of(char *text, int n)
{
	strcpy(text, "[");
	for (int i = 0; i < n; i++)
		strcat(text, i ? ",{\"property\":\"client_verified\","
				 "\"operator\":\"is\",\"values\":[\"true\"]}" :
				 "{\"property\":\"client_verified\","
				 "\"operator\":\"is\",\"values\":[\"true\"]}");
	strcat(text, "]");
}

START_TEST(test_too_many_conditions)
{
	char text[4096];
	struct policy_conds c;
	struct policy_error err;

	list_of(text, POLICY_CONDS_MAX + 1);
	ck_assert_int_eq(parse(&c, text, &err), -EINVAL);
	ck_assert_str_eq(err.field, "conditions");
	ck_assert_str_eq(err.message, "more than 16 conditions");
	list_of(text, POLICY_CONDS_MAX);
	ck_assert_int_eq(parse(&c, text, &err), 0);
	ck_assert_uint_eq(c.n, POLICY_CONDS_MAX);
	policy_conds_free(&c);
}
END_TEST

START_TEST(test_value_length_bound)
{
	char v[POLICY_VALUE_LEN_MAX + 2], text[512];
	struct policy_conds c;
	struct policy_error err;

	memset(v, 'a', sizeof(v));
	v[POLICY_VALUE_LEN_MAX] = '\0';
	snprintf(text, sizeof(text), COND("provider_id", "is_in", "[\"%s\"]"),
		 v);
	ck_assert_int_eq(parse(&c, text, &err), 0);
	policy_conds_free(&c);
	v[POLICY_VALUE_LEN_MAX] = 'a';
	v[POLICY_VALUE_LEN_MAX + 1] = '\0';
	snprintf(text, sizeof(text), COND("provider_id", "is_in", "[\"%s\"]"),
		 v);
	ck_assert_int_eq(parse(&c, text, &err), -EINVAL);
	ck_assert_str_eq(err.field, "conditions[0].values[0]");
	ck_assert_ptr_nonnull(strstr(err.message, "longer than 128 bytes"));
}
END_TEST

START_TEST(test_text_bounds)
{
	size_t len = POLICY_CONDS_TEXT_MAX + 1;
	char *big = malloc(len);
	struct policy_conds c;
	struct policy_error err;

	memset(big, ' ', len);
	big[0] = '[';
	big[len - 1] = ']';
	ck_assert_int_eq(policy_conds_parse(&c, big, len, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "longer than"));
	ck_assert_int_eq(policy_conds_parse(&c, "[]\0", 3, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "NUL"));
	free(big);
}
END_TEST

Suite *portal_policy_cond_suite(void)
{
	Suite *s = suite_create("portal_policy_cond");
	TCase *tc = tcase_create("cond");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_all_four_parsed_and_written_back);
	tcase_add_test(tc, test_empty_list_and_white_space);
	tcase_add_test(tc, test_from_json_object);
	tcase_add_loop_test(tc, test_refused, 0,
			    sizeof(refused) / sizeof(refused[0]));
	tcase_add_test(tc, test_refused_names_index);
	tcase_add_test(tc, test_too_many_conditions);
	tcase_add_test(tc, test_value_length_bound);
	tcase_add_test(tc, test_text_bounds);
	suite_add_tcase(s, tc);
	return s;
}
