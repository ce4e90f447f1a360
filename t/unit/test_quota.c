/* DescribeDcdnRefreshQuota: every *Quota and *Remain member, as the API's
 * strings of digits or as numbers, becomes a kind, a remain flag and a
 * value; anything else is refused naming the field. */
#include "core/resp.h"

#include "unit.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static resp_quota_t quota;
static resp_error_t err;
static char why[256];

static void teardown(void) { resp_error_free(&err); }

static resp_status_t parse(const char *body) {
  strcpy(why, "");
  return resp_parse_quota(body, &quota, &err, why, sizeof(why));
}

/* The one item of that kind and flag; fails unless exactly one exists. */
static const resp_quota_item_t *item(const char *kind, bool remain) {
  const resp_quota_item_t *found = NULL;
  for (size_t i = 0; i < quota.count; i++)
    if (strcmp(quota.items[i].kind, kind) == 0 &&
        quota.items[i].remain == remain) {
      ck_assert_msg(found == NULL, "%s %s twice", kind,
                    remain ? "remain" : "quota");
      found = &quota.items[i];
    }
  ck_assert_msg(found != NULL, "no %s %s", kind, remain ? "remain" : "quota");
  return found;
}

static void assert_item(const char *kind, bool remain, double value) {
  const resp_quota_item_t *it = item(kind, remain);
  ck_assert_msg(it->value == value, "%s %s: %g, not %g", kind,
                remain ? "remain" : "quota", it->value, value);
}

/* The simulator's answer, every figure different so mix-ups show. */
static const char facts_body[] =
    "{\"RequestId\":\"42E0554B-80F4-4921-AED6-ACFB22CAAAD0\","
    "\"UrlQuota\":\"10000\",\"UrlRemain\":\"9990\","
    "\"DirQuota\":\"100\",\"DirRemain\":\"99\","
    "\"PreloadQuota\":\"1000\",\"PreloadRemain\":\"998\","
    "\"BlockQuota\":\"101\",\"BlockRemain\":\"97\","
    "\"RegexQuota\":\"20\",\"RegexRemain\":\"19\","
    "\"IgnoreParamsQuota\":\"10\",\"IgnoreParamsRemain\":\"0\"}";

START_TEST(the_documented_answer_gives_twelve_figures) {
  ck_assert_int_eq(parse(facts_body), RESP_OK);
  ck_assert_uint_eq(quota.count, 12);
  assert_item("url", false, 10000);
  assert_item("url", true, 9990);
  assert_item("dir", false, 100);
  assert_item("dir", true, 99);
  assert_item("preload", false, 1000);
  assert_item("preload", true, 998);
  assert_item("block", false, 101);
  assert_item("block", true, 97);
  assert_item("regex", false, 20);
  assert_item("regex", true, 19);
  assert_item("ignore_params", false, 10);
  assert_item("ignore_params", true, 0);
  ck_assert_ptr_null(err.code);
}
END_TEST

START_TEST(figures_sent_as_numbers_are_accepted) {
  ck_assert_int_eq(parse("{\"UrlQuota\":10000,\"UrlRemain\":480,"
                         "\"RegexRemain\":3,\"DirQuota\":100.0}"),
                   RESP_OK);
  ck_assert_uint_eq(quota.count, 4);
  assert_item("url", false, 10000);
  assert_item("url", true, 480);
  assert_item("regex", true, 3);
  assert_item("dir", false, 100);
}
END_TEST

START_TEST(strings_and_numbers_may_be_mixed) {
  ck_assert_int_eq(
      parse("{\"UrlQuota\":\"500\",\"UrlRemain\":\"480\",\"RegexRemain\":3}"),
      RESP_OK);
  ck_assert_uint_eq(quota.count, 3);
  assert_item("url", false, 500);
  assert_item("url", true, 480);
  assert_item("regex", true, 3);
}
END_TEST

START_TEST(a_figure_of_a_kind_not_known_yet_is_kept) {
  ck_assert_int_eq(parse("{\"UrlQuota\":\"1\",\"WafRuleQuota\":\"7\"}"),
                   RESP_OK);
  ck_assert_uint_eq(quota.count, 2);
  assert_item("waf_rule", false, 7);
}
END_TEST

START_TEST(members_that_are_not_figures_are_ignored) {
  ck_assert_int_eq(parse("{\"RequestId\":\"x\",\"Quota\":\"5\",\"Remain\":"
                         "\"5\",\"UrlQuotas\":\"abc\",\"UrlQuota\":\"1\"}"),
                   RESP_OK);
  ck_assert_uint_eq(quota.count, 1);
  assert_item("url", false, 1);
}
END_TEST

static void assert_malformed_naming(const char *body, const char *field) {
  ck_assert_int_eq(parse(body), RESP_MALFORMED);
  ck_assert_msg(strstr(why, field) != NULL, "\"%s\" does not name %s", why,
                field);
  ck_assert_ptr_null(err.code);
}

START_TEST(a_figure_that_is_not_digits_is_refused_naming_it) {
  assert_malformed_naming("{\"UrlQuota\":\"10000\",\"UrlRemain\":\"abc\"}",
                          "UrlRemain");
  assert_malformed_naming("{\"DirQuota\":\"\"}", "DirQuota");
  assert_malformed_naming("{\"PreloadRemain\":\"12abc\"}", "PreloadRemain");
  assert_malformed_naming("{\"BlockQuota\":\"nan\"}", "BlockQuota");
}
END_TEST

START_TEST(a_string_that_strtod_reads_but_is_not_digits_is_refused) {
  assert_malformed_naming("{\"UrlQuota\":\"inf\"}", "UrlQuota");
  assert_malformed_naming("{\"UrlRemain\":\"Infinity\"}", "UrlRemain");
  assert_malformed_naming("{\"DirQuota\":\"0x10\"}", "DirQuota");
  assert_malformed_naming("{\"DirRemain\":\" 5\"}", "DirRemain");
  assert_malformed_naming("{\"RegexQuota\":\"+5\"}", "RegexQuota");
}
END_TEST

START_TEST(a_negative_figure_is_refused_naming_it) {
  assert_malformed_naming("{\"UrlQuota\":\"10000\",\"DirRemain\":\"-1\"}",
                          "DirRemain");
  assert_malformed_naming("{\"RegexQuota\":-1}", "RegexQuota");
}
END_TEST

START_TEST(a_figure_of_another_json_type_is_refused_naming_it) {
  assert_malformed_naming("{\"UrlQuota\":null}", "UrlQuota");
  assert_malformed_naming("{\"UrlQuota\":true}", "UrlQuota");
  assert_malformed_naming("{\"IgnoreParamsRemain\":[1]}", "IgnoreParamsRemain");
  assert_malformed_naming("{\"UrlRemain\":{\"v\":1}}", "UrlRemain");
}
END_TEST

START_TEST(an_error_body_is_an_api_error) {
  ck_assert_int_eq(parse("{\"RequestId\":\"r-1\",\"HostId\":\"dcdn.aliyuncs."
                         "com\",\"Code\":\"Forbidden.RAM\",\"Message\":\"User "
                         "not authorized to operate on the specified "
                         "resource.\"}"),
                   RESP_API_ERROR);
  ck_assert_str_eq(err.code, "Forbidden.RAM");
  ck_assert_str_eq(err.request_id, "r-1");
  ck_assert_ptr_nonnull(err.message);
  ck_assert_uint_eq(quota.count, 0);
}
END_TEST

START_TEST(an_answer_without_figures_is_malformed) {
  ck_assert_int_eq(parse("{\"RequestId\":\"r-2\"}"), RESP_MALFORMED);
  ck_assert_str_ne(why, "");
  ck_assert_uint_eq(quota.count, 0);
  ck_assert_int_eq(parse("{}"), RESP_MALFORMED);
}
END_TEST

START_TEST(a_body_that_is_not_a_json_object_is_malformed) {
  static const char *const bodies[] = {"", "[]", "\"UrlQuota\"",
                                       "{\"UrlQuota\":", "<html>503</html>"};
  for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
    ck_assert_msg(parse(bodies[i]) == RESP_MALFORMED, "%s", bodies[i]);
    ck_assert_str_ne(why, "");
  }
}
END_TEST

START_TEST(more_figures_than_room_are_not_written_past_the_end) {
  char body[4096] = "{";
  for (int i = 0; i < RESP_MAX_QUOTAS + 8; i++) {
    char member[64];
    snprintf(member, sizeof(member), "%s\"K%cQuota\":\"%d\"", i ? "," : "",
             'a' + i, i);
    strcat(body, member);
  }
  strcat(body, "}");
  ck_assert_int_eq(parse(body), RESP_OK);
  ck_assert_uint_eq(quota.count, RESP_MAX_QUOTAS);
}
END_TEST

START_TEST(the_figures_are_zeroed_before_parsing) {
  ck_assert_int_eq(parse(facts_body), RESP_OK);
  ck_assert_int_eq(parse("{\"UrlQuota\":\"5\"}"), RESP_OK);
  ck_assert_uint_eq(quota.count, 1);
  assert_item("url", false, 5);
}
END_TEST

int main(void) {
  Suite *s = suite_create("quota");
  TCase *tc = tcase_create("quota");
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_add_test(tc, the_documented_answer_gives_twelve_figures);
  tcase_add_test(tc, figures_sent_as_numbers_are_accepted);
  tcase_add_test(tc, strings_and_numbers_may_be_mixed);
  tcase_add_test(tc, a_figure_of_a_kind_not_known_yet_is_kept);
  tcase_add_test(tc, members_that_are_not_figures_are_ignored);
  tcase_add_test(tc, a_figure_that_is_not_digits_is_refused_naming_it);
  tcase_add_test(tc, a_string_that_strtod_reads_but_is_not_digits_is_refused);
  tcase_add_test(tc, a_negative_figure_is_refused_naming_it);
  tcase_add_test(tc, a_figure_of_another_json_type_is_refused_naming_it);
  tcase_add_test(tc, an_error_body_is_an_api_error);
  tcase_add_test(tc, an_answer_without_figures_is_malformed);
  tcase_add_test(tc, a_body_that_is_not_a_json_object_is_malformed);
  tcase_add_test(tc, more_figures_than_room_are_not_written_past_the_end);
  tcase_add_test(tc, the_figures_are_zeroed_before_parsing);
  suite_add_tcase(s, tc);
  return unit_run(s);
}
