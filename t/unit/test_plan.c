/* The pages one scan needs, their parameters, and the API's time format. */
#include "core/isotime.h"
#include "core/plan.h"

#include "unit.h"

#include <check.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* 2024-05-06T07:08:09Z */
#define NOW ((time_t)1714979289)

START_TEST(a_scan_starts_lookback_seconds_ago_and_ends_now) {
  plan_scan_t scan;
  plan_scan_begin(&scan, NOW, 3600);
  ck_assert_int_eq(scan.start, NOW - 3600);
  ck_assert_int_eq(scan.end, NOW);
  ck_assert_int_eq(scan.page, 1);
  ck_assert_int_eq(scan.last_page, 0);
}
END_TEST

START_TEST(a_three_day_lookback_is_kept_clear_of_the_history_edge) {
  plan_scan_t scan;
  plan_scan_begin(&scan, NOW, 259200);
  ck_assert_int_eq(scan.start, NOW - PLAN_HISTORY + PLAN_HISTORY_MARGIN);
  ck_assert_int_eq(scan.end, NOW);
}
END_TEST

START_TEST(a_lookback_beyond_the_history_is_clamped) {
  plan_scan_t scan;
  plan_scan_begin(&scan, NOW, 30 * 86400);
  ck_assert_int_eq(scan.start, NOW - PLAN_HISTORY + PLAN_HISTORY_MARGIN);
}
END_TEST

START_TEST(a_lookback_just_inside_the_margin_is_kept) {
  plan_scan_t scan;
  plan_scan_begin(&scan, NOW, PLAN_HISTORY - PLAN_HISTORY_MARGIN - 1);
  ck_assert_int_eq(scan.start, NOW - PLAN_HISTORY + PLAN_HISTORY_MARGIN + 1);
}
END_TEST

static void assert_params(const plan_scan_t *scan, const char *start,
                          const char *end, const char *page_number) {
  params_t p = PARAMS_INIT;
  ck_assert_int_eq(plan_scan_page_params(scan, &p), 0);
  ck_assert_uint_eq(p.count, 4);
  for (size_t i = 0; i < p.count; i++)
    ck_assert_msg(p.items[i].value[0] != '\0', "%s is empty", p.items[i].name);
  ck_assert_str_eq(params_get(&p, "StartTime"), start);
  ck_assert_str_eq(params_get(&p, "EndTime"), end);
  ck_assert_str_eq(params_get(&p, "PageSize"), "50");
  ck_assert_str_eq(params_get(&p, "PageNumber"), page_number);
  params_free(&p);
}

START_TEST(page_params_use_the_api_time_format_and_the_largest_page) {
  plan_scan_t scan;
  plan_scan_begin(&scan, NOW, 3600);
  assert_params(&scan, "2024-05-06T06:08:09Z", "2024-05-06T07:08:09Z", "1");
}
END_TEST

START_TEST(a_zero_lookback_still_sends_no_empty_value) {
  plan_scan_t scan;
  plan_scan_begin(&scan, NOW, 0);
  assert_params(&scan, "2024-05-06T07:08:09Z", "2024-05-06T07:08:09Z", "1");
}
END_TEST

START_TEST(page_params_are_appended_to_what_is_there) {
  plan_scan_t scan;
  plan_scan_begin(&scan, NOW, 60);
  params_t p = PARAMS_INIT;
  params_add(&p, "DomainName", "example.com");
  ck_assert_int_eq(plan_scan_page_params(&scan, &p), 0);
  ck_assert_uint_eq(p.count, 5);
  ck_assert_str_eq(params_get(&p, "DomainName"), "example.com");
  ck_assert_str_eq(params_get(&p, "PageNumber"), "1");
  params_free(&p);
}
END_TEST

/* Walks a scan whose every answer reports total_count: the pages fetched.
 * Checks each step with plain comparisons (a check assertion per step would
 * make the 100000-page walks slow) and asserts once at the end. */
static long pages_fetched(long total_count) {
  plan_scan_t scan;
  plan_scan_begin(&scan, NOW, 3600);
  long fetched = 1;
  bool ok = true;
  while (ok && plan_scan_advance(&scan, total_count)) {
    fetched++;
    ok = scan.page == fetched && scan.page <= scan.last_page &&
         scan.page <= PLAN_MAX_PAGE && scan.start == NOW - 3600 &&
         scan.end == NOW;
  }
  ck_assert_msg(ok, "bad step to page %ld of %ld (window %ld..%ld)", scan.page,
                scan.last_page, (long)scan.start, (long)scan.end);
  return fetched;
}

START_TEST(no_tasks_needs_only_the_first_page) {
  ck_assert_int_eq(pages_fetched(0), 1);
}
END_TEST

START_TEST(one_task_needs_one_page) { ck_assert_int_eq(pages_fetched(1), 1); }
END_TEST

START_TEST(a_full_page_needs_one_page) {
  ck_assert_int_eq(pages_fetched(50), 1);
}
END_TEST

START_TEST(one_task_more_than_a_page_needs_two) {
  ck_assert_int_eq(pages_fetched(51), 2);
}
END_TEST

START_TEST(a_hundred_and_twenty_tasks_need_pages_one_to_three) {
  plan_scan_t scan;
  plan_scan_begin(&scan, NOW, 3600);
  assert_params(&scan, "2024-05-06T06:08:09Z", "2024-05-06T07:08:09Z", "1");
  ck_assert(plan_scan_advance(&scan, 120));
  ck_assert_int_eq(scan.last_page, 3);
  assert_params(&scan, "2024-05-06T06:08:09Z", "2024-05-06T07:08:09Z", "2");
  ck_assert(plan_scan_advance(&scan, 120));
  assert_params(&scan, "2024-05-06T06:08:09Z", "2024-05-06T07:08:09Z", "3");
  ck_assert(!plan_scan_advance(&scan, 120));
  ck_assert_int_eq(scan.page, 3);
}
END_TEST

START_TEST(a_shrinking_total_count_ends_the_scan) {
  plan_scan_t scan;
  plan_scan_begin(&scan, NOW, 3600);
  ck_assert(plan_scan_advance(&scan, 120));
  ck_assert(!plan_scan_advance(&scan, 40));
  ck_assert_int_eq(scan.page, 2);
}
END_TEST

START_TEST(an_absurd_total_count_never_passes_the_last_page) {
  ck_assert_int_eq(pages_fetched(LONG_MAX), PLAN_MAX_PAGE);
}
END_TEST

START_TEST(a_total_count_just_past_the_limit_stops_at_the_last_page) {
  ck_assert_int_eq(pages_fetched((long)PLAN_MAX_PAGE * PLAN_PAGE_SIZE + 1),
                   PLAN_MAX_PAGE);
}
END_TEST

START_TEST(the_last_page_param_is_the_api_maximum) {
  plan_scan_t scan;
  plan_scan_begin(&scan, NOW, 3600);
  while (plan_scan_advance(&scan, LONG_MAX))
    ;
  assert_params(&scan, "2024-05-06T06:08:09Z", "2024-05-06T07:08:09Z",
                "100000");
}
END_TEST

START_TEST(isotime_formats_utc) {
  char buf[ISOTIME_LEN];
  isotime_format(0, buf);
  ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
  isotime_format(NOW, buf);
  ck_assert_str_eq(buf, "2024-05-06T07:08:09Z");
}
END_TEST

START_TEST(isotime_parses_the_api_example) {
  time_t t = 0;
  ck_assert_int_eq(isotime_parse("2017-01-01T12:12:20Z", &t), 0);
  ck_assert_int_eq(t, 1483272740);
}
END_TEST

START_TEST(isotime_round_trips) {
  static const time_t times[] = {0,          951782400 /* 2000-02-29 */,
                                 1483272740, 1709251199,
                                 NOW,        4102444799 /* 2099-12-31 */};
  for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
    char buf[ISOTIME_LEN];
    time_t back = -1;
    isotime_format(times[i], buf);
    ck_assert_int_eq(isotime_parse(buf, &back), 0);
    ck_assert_int_eq(back, times[i]);
  }
}
END_TEST

START_TEST(isotime_rejects_anything_but_the_api_format) {
  static const char *const bad[] = {
      "2017-01-01 12:12:20Z",  /* space for T */
      "2017-13-01T00:00:00Z",  /* month 13 */
      "2017-00-01T00:00:00Z",  /* month 0 */
      "2017-01-00T00:00:00Z",  /* day 0 */
      "2017-01-32T00:00:00Z",  /* day 32 */
      "2017-01-01T24:00:00Z",  /* hour 24 */
      "2017-01-01T00:60:00Z",  /* minute 60 */
      "2017-02-31T00:00:00Z",  /* a day February does not have */
      "2017-01-01T00:00:60Z",  /* second 60 */
      "2017-01-01T12:12:20Zx", /* trailing junk */
      "2017-01-01T12:12:20Z ", /* trailing space */
      "2017-01-01T12:12:20",   /* no Z */
      "2017-01-01T12:12:20+08:00",
      "2017-01-01T12:12:20.000Z",
      "2017-1-01T12:12:20Z",
      "2017-01-01T12:12:2aZ",
      "+017-01-01T12:12:20Z",
      "1969-12-31T23:59:59Z",
      "",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    time_t t = 42;
    ck_assert_msg(isotime_parse(bad[i], &t) == -1, "accepted \"%s\"", bad[i]);
    ck_assert_int_eq(t, 42);
  }
  ck_assert_int_eq(isotime_parse(NULL, &(time_t){0}), -1);
}
END_TEST

int main(void) {
  Suite *s = suite_create("plan");
  TCase *tc = tcase_create("plan");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, a_scan_starts_lookback_seconds_ago_and_ends_now);
  tcase_add_test(tc, a_three_day_lookback_is_kept_clear_of_the_history_edge);
  tcase_add_test(tc, a_lookback_beyond_the_history_is_clamped);
  tcase_add_test(tc, a_lookback_just_inside_the_margin_is_kept);
  tcase_add_test(tc, page_params_use_the_api_time_format_and_the_largest_page);
  tcase_add_test(tc, a_zero_lookback_still_sends_no_empty_value);
  tcase_add_test(tc, page_params_are_appended_to_what_is_there);
  tcase_add_test(tc, no_tasks_needs_only_the_first_page);
  tcase_add_test(tc, one_task_needs_one_page);
  tcase_add_test(tc, a_full_page_needs_one_page);
  tcase_add_test(tc, one_task_more_than_a_page_needs_two);
  tcase_add_test(tc, a_hundred_and_twenty_tasks_need_pages_one_to_three);
  tcase_add_test(tc, a_shrinking_total_count_ends_the_scan);
  tcase_add_test(tc, an_absurd_total_count_never_passes_the_last_page);
  tcase_add_test(tc, a_total_count_just_past_the_limit_stops_at_the_last_page);
  tcase_add_test(tc, the_last_page_param_is_the_api_maximum);
  tcase_add_test(tc, isotime_formats_utc);
  tcase_add_test(tc, isotime_parses_the_api_example);
  tcase_add_test(tc, isotime_round_trips);
  tcase_add_test(tc, isotime_rejects_anything_but_the_api_format);
  suite_add_tcase(s, tc);
  return unit_run(s);
}
