/* An account's self-monitoring: calls and latency, throttling, errors by
 * code (cleaned, and capped with an "other" slot). */
#include "core/selfstats.h"

#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

/* The count under this code, or -1 when the code has no slot. */
static long long count_of(const selfstats_t *s, const char *code) {
  for (size_t i = 0; i < s->code_count; i++)
    if (strcmp(s->codes[i].code, code) == 0)
      return (long long)s->codes[i].count;
  return -1;
}

static unsigned long long total_errors(const selfstats_t *s) {
  unsigned long long total = 0;
  for (size_t i = 0; i < s->code_count; i++)
    total += s->codes[i].count;
  return total;
}

/* Reports an error under each code, in order. */
#define REPORT_ERRORS(s, ...)                                                  \
  report_errors((s), (const char *const[]){__VA_ARGS__, NULL})
static void report_errors(selfstats_t *s, const char *const *codes) {
  for (; *codes != NULL; codes++)
    selfstats_error(s, *codes);
}

/* Reports errors under the codes Code0, Code1, ... up to Code<n - 1>. */
static void error_numbered_codes(selfstats_t *s, int n) {
  char code[32];
  for (int i = 0; i < n; i++) {
    snprintf(code, sizeof(code), "Code%d", i);
    selfstats_error(s, code);
  }
}

/* The code and count in one slot of the error table. */
static void assert_slot(const selfstats_t *s, size_t slot, const char *code,
                        unsigned long long count) {
  ck_assert_str_eq(s->codes[slot].code, code);
  ck_assert_uint_eq(s->codes[slot].count, count);
}

/* The cumulative counters. */
static void assert_totals(const selfstats_t *s, unsigned long long calls,
                          unsigned long long throttled, size_t codes) {
  ck_assert_uint_eq(s->calls, calls);
  ck_assert_uint_eq(s->throttled, throttled);
  ck_assert_uint_eq(s->code_count, codes);
}

/* The interval's calls and their latency. */
static void assert_interval(const selfstats_t *s, unsigned long long calls,
                            double latency_sum, double latency_max) {
  ck_assert_uint_eq(s->interval_calls, calls);
  ck_assert_uint_eq(s->latency_count, calls);
  ck_assert_double_eq(s->latency_sum, latency_sum);
  ck_assert_double_eq(s->latency_max, latency_max);
}

/* ---- calls and latency ---- */

START_TEST(a_fresh_account_has_counted_nothing) {
  selfstats_t s = {0};
  assert_totals(&s, 0, 0, 0);
  assert_interval(&s, 0, 0.0, 0.0);
}
END_TEST

START_TEST(calls_are_counted_with_their_latency_mean_and_max) {
  selfstats_t s = {0};
  selfstats_call(&s, 0.1);
  selfstats_call(&s, 0.3);
  selfstats_call(&s, 0.2);
  assert_totals(&s, 3, 0, 0);
  ck_assert_uint_eq(s.interval_calls, 3);
  ck_assert_uint_eq(s.latency_count, 3);
  ck_assert_double_eq_tol(s.latency_sum, 0.6, 1e-12);
  ck_assert_double_eq_tol(s.latency_sum / (double)s.latency_count, 0.2, 1e-12);
  ck_assert_double_eq(s.latency_max, 0.3);
}
END_TEST

START_TEST(an_instant_answer_counts_with_zero_latency) {
  selfstats_t s = {0};
  selfstats_call(&s, 0.0);
  assert_totals(&s, 1, 0, 0);
  assert_interval(&s, 1, 0.0, 0.0);
}
END_TEST

START_TEST(the_interval_reset_keeps_the_cumulative_counters) {
  selfstats_t s = {0};
  selfstats_call(&s, 1.5);
  selfstats_call(&s, 0.5);
  selfstats_throttled(&s);
  selfstats_error(&s, "Throttling.User");
  selfstats_interval_reset(&s);
  assert_interval(&s, 0, 0.0, 0.0);
  assert_totals(&s, 2, 1, 1);
  ck_assert_int_eq(count_of(&s, "Throttling.User"), 1);
  /* The next interval's latency is its own. */
  selfstats_call(&s, 0.25);
  assert_totals(&s, 3, 1, 1);
  assert_interval(&s, 1, 0.25, 0.25);
}
END_TEST

START_TEST(throttled_answers_are_counted) {
  selfstats_t s = {0};
  selfstats_throttled(&s);
  selfstats_throttled(&s);
  assert_totals(&s, 0, 2, 0);
}
END_TEST

/* ---- errors by code ---- */

START_TEST(errors_are_counted_by_code_in_order_of_first_sight) {
  selfstats_t s = {0};
  REPORT_ERRORS(&s, "Throttling.User", "transport", "Throttling.User",
                "InvalidAccessKeyId.NotFound");
  ck_assert_uint_eq(s.code_count, 3);
  assert_slot(&s, 0, "Throttling.User", 2);
  assert_slot(&s, 1, "transport", 1);
  assert_slot(&s, 2, "InvalidAccessKeyId.NotFound", 1);
}
END_TEST

START_TEST(codes_are_cleaned_to_safe_characters) {
  selfstats_t s = {0};
  REPORT_ERRORS(&s, "Bad Code/With:Odd-Chars", "http_503",
                "caf\xc3\xa9\n\"x\"");
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
  selfstats_t s = {0};
  REPORT_ERRORS(&s, "a b", "a/b", "a_b");
  ck_assert_uint_eq(s.code_count, 1);
  ck_assert_int_eq(count_of(&s, "a_b"), 3);
}
END_TEST

START_TEST(a_long_code_is_cut_to_fit) {
  char code[200];
  memset(code, 'X', sizeof(code) - 1);
  code[sizeof(code) - 1] = '\0';
  selfstats_t s = {0};
  selfstats_error(&s, code);
  ck_assert_uint_eq(s.code_count, 1);
  ck_assert_uint_eq(strlen(s.codes[0].code), SELFSTATS_CODE_LEN - 1);
  ck_assert_uint_eq(s.codes[0].count, 1);
  selfstats_error(&s, code);
  ck_assert_uint_eq(s.code_count, 1);
  ck_assert_uint_eq(s.codes[0].count, 2);
}
END_TEST

START_TEST(codes_past_the_cap_are_counted_as_other) {
  selfstats_t s = {0};
  error_numbered_codes(&s, 40);
  ck_assert_uint_eq(s.code_count, SELFSTATS_MAX_CODES);
  char code[32];
  for (int i = 0; i < SELFSTATS_MAX_CODES - 1; i++) {
    snprintf(code, sizeof(code), "Code%d", i);
    assert_slot(&s, (size_t)i, code, 1);
  }
  assert_slot(&s, SELFSTATS_MAX_CODES - 1, SELFSTATS_OTHER_CODE,
              40 - (SELFSTATS_MAX_CODES - 1));
  ck_assert_int_eq(count_of(&s, "Code31"), -1);
  ck_assert_uint_eq(total_errors(&s), 40);
}
END_TEST

START_TEST(a_code_seen_before_the_cap_keeps_its_own_count) {
  selfstats_t s = {0};
  error_numbered_codes(&s, 40);
  REPORT_ERRORS(&s, "Code5", "Code30");
  ck_assert_int_eq(count_of(&s, "Code5"), 2);
  ck_assert_int_eq(count_of(&s, "Code30"), 2);
  ck_assert_int_eq(count_of(&s, SELFSTATS_OTHER_CODE), 9);
  selfstats_error(&s, "SomethingNew");
  ck_assert_int_eq(count_of(&s, SELFSTATS_OTHER_CODE), 10);
  ck_assert_uint_eq(s.code_count, SELFSTATS_MAX_CODES);
}
END_TEST

START_TEST(a_peer_inventing_codes_cannot_grow_the_table) {
  selfstats_t s = {0};
  char code[32];
  for (int i = 0; i < 10000; i++) {
    snprintf(code, sizeof(code), "Invented.%d", i);
    selfstats_error(&s, code);
  }
  ck_assert_uint_eq(s.code_count, SELFSTATS_MAX_CODES);
  ck_assert_int_eq(count_of(&s, SELFSTATS_OTHER_CODE),
                   10000 - (SELFSTATS_MAX_CODES - 1));
  ck_assert_uint_eq(total_errors(&s), 10000);
}
END_TEST

START_TEST(exactly_as_many_codes_as_slots_but_one_need_no_other) {
  selfstats_t s = {0};
  error_numbered_codes(&s, SELFSTATS_MAX_CODES - 1);
  ck_assert_uint_eq(s.code_count, SELFSTATS_MAX_CODES - 1);
  ck_assert_int_eq(count_of(&s, SELFSTATS_OTHER_CODE), -1);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      a_fresh_account_has_counted_nothing,
      calls_are_counted_with_their_latency_mean_and_max,
      an_instant_answer_counts_with_zero_latency,
      the_interval_reset_keeps_the_cumulative_counters,
      throttled_answers_are_counted,
      errors_are_counted_by_code_in_order_of_first_sight,
      codes_are_cleaned_to_safe_characters,
      codes_that_clean_alike_share_one_count,
      a_long_code_is_cut_to_fit,
      codes_past_the_cap_are_counted_as_other,
      a_code_seen_before_the_cap_keeps_its_own_count,
      a_peer_inventing_codes_cannot_grow_the_table,
      exactly_as_many_codes_as_slots_but_one_need_no_other,
  };
  return unit_main("selfstats", tests, N_OF(tests), NULL);
}
