/* An account's self-monitoring: calls and latency, throttling, errors by
 * code (cleaned, and capped with an "other" slot). */
#include "core/stats.h"

#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

/* The count under this code, or -1 when the code has no slot. */
static long long count_of(const stats_t *s, const char *code) {
  for (size_t i = 0; i < s->code_count; i++)
    if (strcmp(s->codes[i].code, code) == 0)
      return (long long)s->codes[i].count;
  return -1;
}

static unsigned long long total_errors(const stats_t *s) {
  unsigned long long total = 0;
  for (size_t i = 0; i < s->code_count; i++)
    total += s->codes[i].count;
  return total;
}

/* ---- calls and latency ---- */

START_TEST(a_fresh_account_has_counted_nothing) {
  stats_t s = {0};
  ck_assert_uint_eq(s.calls, 0);
  ck_assert_uint_eq(s.interval_calls, 0);
  ck_assert_uint_eq(s.throttled, 0);
  ck_assert_uint_eq(s.code_count, 0);
  ck_assert_uint_eq(s.latency_count, 0);
}
END_TEST

START_TEST(calls_are_counted_with_their_latency_mean_and_max) {
  stats_t s = {0};
  stats_call(&s, 0.1);
  stats_call(&s, 0.3);
  stats_call(&s, 0.2);
  ck_assert_uint_eq(s.calls, 3);
  ck_assert_uint_eq(s.interval_calls, 3);
  ck_assert_uint_eq(s.latency_count, 3);
  ck_assert_double_eq_tol(s.latency_sum, 0.6, 1e-12);
  ck_assert_double_eq_tol(s.latency_sum / (double)s.latency_count, 0.2, 1e-12);
  ck_assert_double_eq(s.latency_max, 0.3);
}
END_TEST

START_TEST(an_instant_answer_counts_with_zero_latency) {
  stats_t s = {0};
  stats_call(&s, 0.0);
  ck_assert_uint_eq(s.calls, 1);
  ck_assert_uint_eq(s.latency_count, 1);
  ck_assert_double_eq(s.latency_sum, 0.0);
  ck_assert_double_eq(s.latency_max, 0.0);
}
END_TEST

START_TEST(the_interval_reset_keeps_the_cumulative_counters) {
  stats_t s = {0};
  stats_call(&s, 1.5);
  stats_call(&s, 0.5);
  stats_throttled(&s);
  stats_error(&s, "Throttling.User");
  stats_interval_reset(&s);
  ck_assert_uint_eq(s.interval_calls, 0);
  ck_assert_uint_eq(s.latency_count, 0);
  ck_assert_double_eq(s.latency_sum, 0.0);
  ck_assert_double_eq(s.latency_max, 0.0);
  ck_assert_uint_eq(s.calls, 2);
  ck_assert_uint_eq(s.throttled, 1);
  ck_assert_uint_eq(s.code_count, 1);
  ck_assert_int_eq(count_of(&s, "Throttling.User"), 1);
  /* The next interval's latency is its own. */
  stats_call(&s, 0.25);
  ck_assert_uint_eq(s.calls, 3);
  ck_assert_uint_eq(s.interval_calls, 1);
  ck_assert_uint_eq(s.latency_count, 1);
  ck_assert_double_eq(s.latency_sum, 0.25);
  ck_assert_double_eq(s.latency_max, 0.25);
}
END_TEST

START_TEST(throttled_answers_are_counted) {
  stats_t s = {0};
  stats_throttled(&s);
  stats_throttled(&s);
  ck_assert_uint_eq(s.throttled, 2);
  ck_assert_uint_eq(s.calls, 0);
}
END_TEST

/* ---- errors by code ---- */

START_TEST(errors_are_counted_by_code_in_order_of_first_sight) {
  stats_t s = {0};
  stats_error(&s, "Throttling.User");
  stats_error(&s, "transport");
  stats_error(&s, "Throttling.User");
  stats_error(&s, "InvalidAccessKeyId.NotFound");
  ck_assert_uint_eq(s.code_count, 3);
  ck_assert_str_eq(s.codes[0].code, "Throttling.User");
  ck_assert_uint_eq(s.codes[0].count, 2);
  ck_assert_str_eq(s.codes[1].code, "transport");
  ck_assert_uint_eq(s.codes[1].count, 1);
  ck_assert_str_eq(s.codes[2].code, "InvalidAccessKeyId.NotFound");
  ck_assert_uint_eq(s.codes[2].count, 1);
}
END_TEST

START_TEST(codes_are_cleaned_to_safe_characters) {
  stats_t s = {0};
  stats_error(&s, "Bad Code/With:Odd-Chars");
  stats_error(&s, "http_503");
  stats_error(&s, "caf\xc3\xa9\n\"x\"");
  ck_assert_uint_eq(s.code_count, 3);
  ck_assert_str_eq(s.codes[0].code, "Bad_Code_With_Odd_Chars");
  ck_assert_str_eq(s.codes[1].code, "http_503");
  ck_assert_str_eq(s.codes[2].code, "caf____x_");
  for (size_t i = 0; i < s.code_count; i++)
    ck_assert_msg(strspn(s.codes[i].code,
                         "abcdefghijklmnopqrstuvwxyz"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789._") == strlen(s.codes[i].code),
                  "unsafe: %s", s.codes[i].code);
}
END_TEST

START_TEST(codes_that_clean_alike_share_one_count) {
  stats_t s = {0};
  stats_error(&s, "a b");
  stats_error(&s, "a/b");
  stats_error(&s, "a_b");
  ck_assert_uint_eq(s.code_count, 1);
  ck_assert_int_eq(count_of(&s, "a_b"), 3);
}
END_TEST

START_TEST(a_long_code_is_cut_to_fit) {
  char code[200];
  memset(code, 'X', sizeof(code) - 1);
  code[sizeof(code) - 1] = '\0';
  stats_t s = {0};
  stats_error(&s, code);
  ck_assert_uint_eq(s.code_count, 1);
  ck_assert_uint_eq(strlen(s.codes[0].code), STATS_CODE_LEN - 1);
  ck_assert_uint_eq(s.codes[0].count, 1);
  stats_error(&s, code);
  ck_assert_uint_eq(s.code_count, 1);
  ck_assert_uint_eq(s.codes[0].count, 2);
}
END_TEST

START_TEST(codes_past_the_cap_are_counted_as_other) {
  stats_t s = {0};
  char code[32];
  for (int i = 0; i < 40; i++) {
    snprintf(code, sizeof(code), "Code%d", i);
    stats_error(&s, code);
  }
  ck_assert_uint_eq(s.code_count, STATS_MAX_CODES);
  for (int i = 0; i < STATS_MAX_CODES - 1; i++) {
    snprintf(code, sizeof(code), "Code%d", i);
    ck_assert_str_eq(s.codes[i].code, code);
    ck_assert_uint_eq(s.codes[i].count, 1);
  }
  ck_assert_str_eq(s.codes[STATS_MAX_CODES - 1].code, STATS_OTHER_CODE);
  ck_assert_uint_eq(s.codes[STATS_MAX_CODES - 1].count,
                    40 - (STATS_MAX_CODES - 1));
  ck_assert_int_eq(count_of(&s, "Code31"), -1);
  ck_assert_uint_eq(total_errors(&s), 40);
}
END_TEST

START_TEST(a_code_seen_before_the_cap_keeps_its_own_count) {
  stats_t s = {0};
  char code[32];
  for (int i = 0; i < 40; i++) {
    snprintf(code, sizeof(code), "Code%d", i);
    stats_error(&s, code);
  }
  stats_error(&s, "Code5");
  stats_error(&s, "Code30");
  ck_assert_int_eq(count_of(&s, "Code5"), 2);
  ck_assert_int_eq(count_of(&s, "Code30"), 2);
  ck_assert_int_eq(count_of(&s, STATS_OTHER_CODE), 9);
  stats_error(&s, "SomethingNew");
  ck_assert_int_eq(count_of(&s, STATS_OTHER_CODE), 10);
  ck_assert_uint_eq(s.code_count, STATS_MAX_CODES);
}
END_TEST

START_TEST(a_peer_inventing_codes_cannot_grow_the_table) {
  stats_t s = {0};
  char code[32];
  for (int i = 0; i < 10000; i++) {
    snprintf(code, sizeof(code), "Invented.%d", i);
    stats_error(&s, code);
  }
  ck_assert_uint_eq(s.code_count, STATS_MAX_CODES);
  ck_assert_int_eq(count_of(&s, STATS_OTHER_CODE),
                   10000 - (STATS_MAX_CODES - 1));
  ck_assert_uint_eq(total_errors(&s), 10000);
}
END_TEST

START_TEST(exactly_as_many_codes_as_slots_but_one_need_no_other) {
  stats_t s = {0};
  char code[32];
  for (int i = 0; i < STATS_MAX_CODES - 1; i++) {
    snprintf(code, sizeof(code), "Code%d", i);
    stats_error(&s, code);
  }
  ck_assert_uint_eq(s.code_count, STATS_MAX_CODES - 1);
  ck_assert_int_eq(count_of(&s, STATS_OTHER_CODE), -1);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stats");
  TCase *tc = tcase_create("stats");
  tcase_add_test(tc, a_fresh_account_has_counted_nothing);
  tcase_add_test(tc, calls_are_counted_with_their_latency_mean_and_max);
  tcase_add_test(tc, an_instant_answer_counts_with_zero_latency);
  tcase_add_test(tc, the_interval_reset_keeps_the_cumulative_counters);
  tcase_add_test(tc, throttled_answers_are_counted);
  tcase_add_test(tc, errors_are_counted_by_code_in_order_of_first_sight);
  tcase_add_test(tc, codes_are_cleaned_to_safe_characters);
  tcase_add_test(tc, codes_that_clean_alike_share_one_count);
  tcase_add_test(tc, a_long_code_is_cut_to_fit);
  tcase_add_test(tc, codes_past_the_cap_are_counted_as_other);
  tcase_add_test(tc, a_code_seen_before_the_cap_keeps_its_own_count);
  tcase_add_test(tc, a_peer_inventing_codes_cannot_grow_the_table);
  tcase_add_test(tc, exactly_as_many_codes_as_slots_but_one_need_no_other);
  suite_add_tcase(s, tc);
  return unit_run(s);
}
