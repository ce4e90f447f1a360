/* DescribeDcdnRefreshQuota: every documented *Quota and *Remain member, as
 * the API's strings of digits or as numbers, becomes a kind, a remain flag
 * and a value; anything else is refused naming the field. Undocumented
 * kinds are named for a warning, not reported. */
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
  return resp_parse_quota(&products[PRODUCT_DCDN], body, &quota, &err, why, sizeof(why));
}

/* The one item of that kind and flag; fails unless exactly one exists. */
static const resp_quota_item_t *item(const char *kind, bool remain) {
  const resp_quota_item_t *found = NULL;
  for (size_t i = 0; i < quota.count; i++)
    if (strcmp(quota.items[i].kind, kind) == 0 &&
        (quota.items[i].figure == RESP_QUOTA_REMAIN) == remain) {
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

/* The body parses into that many figures. */
static void assert_parses_into(const char *body, size_t count) {
  ck_assert_int_eq(parse(body), RESP_OK);
  ck_assert_uint_eq(quota.count, count);
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

/* CDN documents the prefetches to L1 nodes too; DCDN does not. */
START_TEST(cdn_reports_its_preload_edge_kind) {
  const char *body = "{\"RequestId\":\"r\",\"UrlQuota\":\"100\","
                     "\"UrlRemain\":\"99\",\"PreloadEdgeQuota\":\"20\","
                     "\"PreloadEdgeRemain\":\"18\"}";
  ck_assert_int_eq(resp_parse_quota(&products[PRODUCT_CDN], body, &quota, &err,
                                    why, sizeof(why)),
                   RESP_OK);
  assert_item("preload_edge", false, 20);
  assert_item("preload_edge", true, 18);
  ck_assert_int_eq(parse(body), RESP_OK);
  ck_assert_uint_eq(quota.count, 2); /* DCDN's kinds only */
  ck_assert_uint_eq(quota.unknown_count, 2);
}
END_TEST

START_TEST(the_documented_answer_gives_twelve_figures) {
  /* Each kind's daily quota and what remains of it. */
  static const struct {
    const char *kind;
    double quota, remain;
  } facts[] = {{"url", 10000, 9990},   {"dir", 100, 99},
               {"preload", 1000, 998}, {"block", 101, 97},
               {"regex", 20, 19},      {"ignore_params", 10, 0}};
  assert_parses_into(facts_body, 12);
  for (size_t i = 0; i < N_OF(facts); i++) {
    assert_item(facts[i].kind, false, facts[i].quota);
    assert_item(facts[i].kind, true, facts[i].remain);
  }
  ck_assert_ptr_null(err.code);
}
END_TEST

START_TEST(figures_sent_as_numbers_are_accepted) {
  assert_parses_into("{\"UrlQuota\":10000,\"UrlRemain\":480,"
                     "\"RegexRemain\":3,\"DirQuota\":100.0}",
                     4);
  assert_item("url", false, 10000);
  assert_item("url", true, 480);
  assert_item("regex", true, 3);
  assert_item("dir", false, 100);
}
END_TEST

START_TEST(strings_and_numbers_may_be_mixed) {
  assert_parses_into(
      "{\"UrlQuota\":\"500\",\"UrlRemain\":\"480\",\"RegexRemain\":3}", 3);
  assert_item("url", false, 500);
  assert_item("url", true, 480);
  assert_item("regex", true, 3);
}
END_TEST

/* Until only documented kinds were, "WafRuleQuota" became a metric. */
START_TEST(a_figure_of_an_undocumented_kind_is_named_not_reported) {
  assert_parses_into("{\"UrlQuota\":\"1\",\"WafRuleQuota\":\"7\","
                     "\"PreloadEdgeRemain\":\"not a number\"}",
                     1);
  assert_item("url", false, 1);
  ck_assert_uint_eq(quota.unknown_count, 2);
  ck_assert_str_eq(quota.unknown[0], "WafRuleQuota");
  ck_assert_str_eq(quota.unknown[1], "PreloadEdgeRemain");
}
END_TEST

START_TEST(an_undocumented_key_is_kept_printable_and_cut_between_characters) {
  /* 30 bytes, then U+4E2D (3 bytes), which would pass the 32 bytes. */
  assert_parses_into(
      "{\"UrlQuota\":\"1\",\"Evil\\u001b[2J\\nxxxxxxxxxxxxxxxxxxxxx"
      "\\u4e2dQuota\":\"7\"}",
      1);
  ck_assert_uint_eq(quota.unknown_count, 1);
  ck_assert_str_eq(quota.unknown[0], "Evil [2J xxxxxxxxxxxxxxxxxxxxx");
}
END_TEST

START_TEST(names_match_in_any_case_and_a_kind_counts_once) {
  /* The API's own example spells "blockRemain". */
  assert_parses_into("{\"blockRemain\":\"3\",\"URLQUOTA\":\"9\","
                     "\"UrlQuota\":\"8\"}",
                     2);
  assert_item("block", true, 3);
  assert_item("url", false, 9);
}
END_TEST

START_TEST(an_answer_of_undocumented_figures_only_is_malformed) {
  ck_assert_int_eq(parse("{\"WafRuleQuota\":\"7\"}"), RESP_MALFORMED);
  ck_assert_msg(strstr(why, "documented") != NULL, "\"%s\"", why);
  ck_assert_uint_eq(quota.count, 0);
}
END_TEST

START_TEST(members_that_are_not_figures_are_ignored) {
  assert_parses_into("{\"RequestId\":\"x\",\"Quota\":\"5\",\"Remain\":"
                     "\"5\",\"UrlQuotas\":\"abc\",\"UrlQuota\":\"1\"}",
                     1);
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
  for (size_t i = 0; i < N_OF(bodies); i++) {
    ck_assert_msg(parse(bodies[i]) == RESP_MALFORMED, "%s", bodies[i]);
    ck_assert_str_ne(why, "");
  }
}
END_TEST

START_TEST(more_keys_than_room_are_not_written_past_the_end) {
  char body[4096];
  strcpy(body, facts_body);
  body[strlen(body) - 1] = '\0'; /* its closing brace */
  for (int i = 0; i < RESP_MAX_QUOTAS + 8; i++) {
    char member[64];
    snprintf(member, sizeof(member), ",\"K%cQuota\":\"%d\"", 'a' + i, i);
    strcat(body, member);
  }
  strcat(body, "}");
  assert_parses_into(body, 12);
  ck_assert_uint_eq(quota.unknown_count, RESP_MAX_QUOTAS);
  ck_assert_str_eq(quota.unknown[RESP_MAX_QUOTAS - 1], "KpQuota");
}
END_TEST

START_TEST(the_figures_are_zeroed_before_parsing) {
  ck_assert_int_eq(parse(facts_body), RESP_OK);
  assert_parses_into("{\"UrlQuota\":\"5\"}", 1);
  assert_item("url", false, 5);
}
END_TEST

static const unit_case_t test_case = {.teardown = teardown};

int main(void) {
  const TTest *const tests[] = {
      cdn_reports_its_preload_edge_kind,
      the_documented_answer_gives_twelve_figures,
      figures_sent_as_numbers_are_accepted,
      strings_and_numbers_may_be_mixed,
      a_figure_of_an_undocumented_kind_is_named_not_reported,
      an_undocumented_key_is_kept_printable_and_cut_between_characters,
      names_match_in_any_case_and_a_kind_counts_once,
      an_answer_of_undocumented_figures_only_is_malformed,
      members_that_are_not_figures_are_ignored,
      a_figure_that_is_not_digits_is_refused_naming_it,
      a_string_that_strtod_reads_but_is_not_digits_is_refused,
      a_negative_figure_is_refused_naming_it,
      a_figure_of_another_json_type_is_refused_naming_it,
      an_error_body_is_an_api_error,
      an_answer_without_figures_is_malformed,
      a_body_that_is_not_a_json_object_is_malformed,
      more_keys_than_room_are_not_written_past_the_end,
      the_figures_are_zeroed_before_parsing,
  };
  return unit_main("resp_quota", tests, N_OF(tests), &test_case);
}
