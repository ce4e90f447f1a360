/* Per domain and object type: completed and failed tasks for good, and the
 * interval's completion times (mean and max). */
#include "core/ledger.h"

#include "unit.h"

#include <check.h>
#include <stdbool.h>
#include <string.h>

static ledger_t ledger;

static void setup(void) { ledger = (ledger_t)LEDGER_INIT; }
static void teardown(void) { ledger_free(&ledger); }

static lifecycle_events_t completed_in(double seconds) {
  lifecycle_events_t ev;
  memset(&ev, 0, sizeof(ev));
  ev.completed = true;
  ev.has_completion = true;
  ev.completion_seconds = seconds;
  return ev;
}

static lifecycle_events_t completed_without_time(void) {
  lifecycle_events_t ev;
  memset(&ev, 0, sizeof(ev));
  ev.completed = true;
  return ev;
}

static lifecycle_events_t failed(void) {
  lifecycle_events_t ev;
  memset(&ev, 0, sizeof(ev));
  ev.failed = true;
  ev.notify_failed = true;
  return ev;
}

static void record(uint32_t domain, unsigned type,
                   const lifecycle_events_t *ev) {
  ck_assert_int_eq(ledger_record(&ledger, domain, type, ev), 0);
}

/* Zero counts and no completion time, whether or not an entry exists. */
static void assert_nothing(uint32_t domain, unsigned type) {
  const ledger_entry_t *e = ledger_get(&ledger, domain, type);
  if (e == NULL)
    return;
  ck_assert_msg(e->completed == 0 && e->failed == 0 &&
                    e->completion_count == 0 && e->completion_sum == 0 &&
                    e->completion_max == 0,
                "domain %u type %u holds something", domain, type);
}

static void assert_counts(uint32_t domain, unsigned type, uint64_t completed,
                          uint64_t failed_count) {
  const ledger_entry_t *e = ledger_get(&ledger, domain, type);
  ck_assert_ptr_nonnull(e);
  ck_assert_uint_eq(e->completed, completed);
  ck_assert_uint_eq(e->failed, failed_count);
}

START_TEST(an_empty_ledger_has_nothing_for_anyone) {
  ck_assert_ptr_null(ledger_get(&ledger, 0, TASK_TYPE_FILE));
  ck_assert_ptr_null(ledger_get(&ledger, 999, TASK_TYPE_PRELOAD));
  ledger_interval_reset(&ledger);
  ck_assert_ptr_null(ledger_get(&ledger, 0, TASK_TYPE_FILE));
}
END_TEST

START_TEST(a_completion_is_counted_with_its_time) {
  lifecycle_events_t ev = completed_in(12.5);
  record(2, TASK_TYPE_DIRECTORY, &ev);
  const ledger_entry_t *e = ledger_get(&ledger, 2, TASK_TYPE_DIRECTORY);
  ck_assert_ptr_nonnull(e);
  ck_assert_uint_eq(e->completed, 1);
  ck_assert_uint_eq(e->failed, 0);
  ck_assert_uint_eq(e->completion_count, 1);
  ck_assert_double_eq(e->completion_sum, 12.5);
  ck_assert_double_eq(e->completion_max, 12.5);
}
END_TEST

START_TEST(each_domain_and_type_has_its_own_counters) {
  lifecycle_events_t done = completed_in(3);
  lifecycle_events_t bad = failed();
  record(0, TASK_TYPE_FILE, &done);
  record(0, TASK_TYPE_FILE, &done);
  record(0, TASK_TYPE_PRELOAD, &bad);
  record(1, TASK_TYPE_FILE, &bad);
  assert_counts(0, TASK_TYPE_FILE, 2, 0);
  assert_counts(0, TASK_TYPE_PRELOAD, 0, 1);
  assert_counts(1, TASK_TYPE_FILE, 0, 1);
  assert_nothing(0, TASK_TYPE_DIRECTORY);
  assert_nothing(0, TASK_TYPE_REGEX);
  assert_nothing(1, TASK_TYPE_PRELOAD);
  ck_assert_ptr_null(ledger_get(&ledger, 5000, TASK_TYPE_FILE));
}
END_TEST

START_TEST(a_failure_counts_without_a_completion_time) {
  lifecycle_events_t ev = failed();
  record(0, TASK_TYPE_REGEX, &ev);
  const ledger_entry_t *e = ledger_get(&ledger, 0, TASK_TYPE_REGEX);
  ck_assert_ptr_nonnull(e);
  ck_assert_uint_eq(e->failed, 1);
  ck_assert_uint_eq(e->completed, 0);
  ck_assert_uint_eq(e->completion_count, 0);
  ck_assert_double_eq(e->completion_sum, 0);
}
END_TEST

START_TEST(a_completion_from_history_counts_without_a_time) {
  lifecycle_events_t ev = completed_without_time();
  record(0, TASK_TYPE_FILE, &ev);
  const ledger_entry_t *e = ledger_get(&ledger, 0, TASK_TYPE_FILE);
  ck_assert_ptr_nonnull(e);
  ck_assert_uint_eq(e->completed, 1);
  ck_assert_uint_eq(e->completion_count, 0);
  ck_assert_double_eq(e->completion_max, 0);
}
END_TEST

START_TEST(events_that_count_nothing_change_nothing) {
  lifecycle_events_t ev;
  memset(&ev, 0, sizeof(ev));
  ev.notify_stuck = true;
  record(7, TASK_TYPE_FILE, &ev);
  assert_nothing(7, TASK_TYPE_FILE);
  ev.notify_stuck = false;
  ev.notify_recovered = true;
  record(7, TASK_TYPE_FILE, &ev);
  assert_nothing(7, TASK_TYPE_FILE);
}
END_TEST

START_TEST(the_interval_keeps_the_mean_and_the_max) {
  const double times[] = {10, 40, 25, 5};
  for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
    lifecycle_events_t ev = completed_in(times[i]);
    record(3, TASK_TYPE_PRELOAD, &ev);
  }
  lifecycle_events_t untimed = completed_without_time();
  record(3, TASK_TYPE_PRELOAD, &untimed);
  const ledger_entry_t *e = ledger_get(&ledger, 3, TASK_TYPE_PRELOAD);
  ck_assert_ptr_nonnull(e);
  ck_assert_uint_eq(e->completed, 5);
  ck_assert_uint_eq(e->completion_count, 4);
  ck_assert_double_eq(e->completion_sum, 80);
  ck_assert_double_eq(e->completion_sum / e->completion_count, 20);
  ck_assert_double_eq(e->completion_max, 40);
}
END_TEST

START_TEST(a_completion_in_no_time_is_a_sample_of_zero) {
  lifecycle_events_t ev = completed_in(0);
  record(0, TASK_TYPE_FILE, &ev);
  record(0, TASK_TYPE_FILE, &ev);
  const ledger_entry_t *e = ledger_get(&ledger, 0, TASK_TYPE_FILE);
  ck_assert_uint_eq(e->completion_count, 2);
  ck_assert_double_eq(e->completion_sum, 0);
  ck_assert_double_eq(e->completion_max, 0);
}
END_TEST

START_TEST(the_interval_reset_keeps_the_cumulative_counts) {
  lifecycle_events_t done = completed_in(30);
  lifecycle_events_t bad = failed();
  record(0, TASK_TYPE_FILE, &done);
  record(0, TASK_TYPE_FILE, &bad);
  record(4, TASK_TYPE_DIRECTORY, &done);
  ledger_interval_reset(&ledger);

  const ledger_entry_t *e = ledger_get(&ledger, 0, TASK_TYPE_FILE);
  ck_assert_ptr_nonnull(e);
  ck_assert_uint_eq(e->completed, 1);
  ck_assert_uint_eq(e->failed, 1);
  ck_assert_uint_eq(e->completion_count, 0);
  ck_assert_double_eq(e->completion_sum, 0);
  ck_assert_double_eq(e->completion_max, 0);
  e = ledger_get(&ledger, 4, TASK_TYPE_DIRECTORY);
  ck_assert_uint_eq(e->completed, 1);
  ck_assert_uint_eq(e->completion_count, 0);

  /* The next interval starts from nothing: a smaller max is its max. */
  lifecycle_events_t quick = completed_in(2);
  record(0, TASK_TYPE_FILE, &quick);
  e = ledger_get(&ledger, 0, TASK_TYPE_FILE);
  ck_assert_uint_eq(e->completed, 2);
  ck_assert_uint_eq(e->completion_count, 1);
  ck_assert_double_eq(e->completion_max, 2);
  ck_assert_double_eq(e->completion_sum, 2);
}
END_TEST

START_TEST(growing_to_domain_1000_keeps_what_was_recorded) {
  lifecycle_events_t ev = completed_in(7);
  record(0, TASK_TYPE_FILE, &ev);
  record(1, TASK_TYPE_REGEX, &ev);
  record(1000, TASK_TYPE_PRELOAD, &ev);
  ck_assert_uint_ge(ledger.domains, 1001);

  assert_counts(0, TASK_TYPE_FILE, 1, 0);
  assert_counts(1, TASK_TYPE_REGEX, 1, 0);
  assert_counts(1000, TASK_TYPE_PRELOAD, 1, 0);
  ck_assert_double_eq(
      ledger_get(&ledger, 1000, TASK_TYPE_PRELOAD)->completion_max, 7);
  for (uint32_t d = 2; d < 1000; d++)
    for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
      assert_nothing(d, t);
  assert_nothing(1000, TASK_TYPE_FILE);

  /* Every domain on the way up, one at a time, then all checked. */
  for (uint32_t d = 0; d <= 1000; d++) {
    lifecycle_events_t bad = failed();
    record(d, TASK_TYPE_DIRECTORY, &bad);
  }
  for (uint32_t d = 0; d <= 1000; d++)
    assert_counts(d, TASK_TYPE_DIRECTORY, 0, 1);
  assert_counts(0, TASK_TYPE_FILE, 1, 0);
  assert_counts(1000, TASK_TYPE_PRELOAD, 1, 0);
}
END_TEST

START_TEST(counters_set_from_a_state_file_are_counted_on_from) {
  ck_assert_int_eq(ledger_set(&ledger, 12, TASK_TYPE_FILE, 1000, 7), 0);
  assert_counts(12, TASK_TYPE_FILE, 1000, 7);
  const ledger_entry_t *e = ledger_get(&ledger, 12, TASK_TYPE_FILE);
  ck_assert_uint_eq(e->completion_count, 0);

  lifecycle_events_t done = completed_in(4);
  lifecycle_events_t bad = failed();
  record(12, TASK_TYPE_FILE, &done);
  record(12, TASK_TYPE_FILE, &bad);
  assert_counts(12, TASK_TYPE_FILE, 1001, 8);
  ck_assert_uint_eq(ledger_get(&ledger, 12, TASK_TYPE_FILE)->completion_count,
                    1);
}
END_TEST

START_TEST(setting_counters_replaces_them_and_keeps_the_interval) {
  lifecycle_events_t done = completed_in(9);
  record(0, TASK_TYPE_FILE, &done);
  ck_assert_int_eq(ledger_set(&ledger, 0, TASK_TYPE_FILE, 50, 3), 0);
  const ledger_entry_t *e = ledger_get(&ledger, 0, TASK_TYPE_FILE);
  ck_assert_uint_eq(e->completed, 50);
  ck_assert_uint_eq(e->failed, 3);
  ck_assert_uint_eq(e->completion_count, 1);
  ck_assert_double_eq(e->completion_max, 9);
}
END_TEST

START_TEST(counters_near_the_top_of_64_bits_are_kept_exactly) {
  const uint64_t big = UINT64_MAX - 1;
  ck_assert_int_eq(ledger_set(&ledger, 0, TASK_TYPE_PRELOAD, big, big), 0);
  lifecycle_events_t done = completed_in(1);
  record(0, TASK_TYPE_PRELOAD, &done);
  assert_counts(0, TASK_TYPE_PRELOAD, UINT64_MAX, big);
}
END_TEST

START_TEST(an_unknown_object_type_has_no_entry) {
  ck_assert_int_eq(ledger_set(&ledger, 0, TASK_TYPE_FILE, 1, 1), 0);
  ck_assert_ptr_null(ledger_get(&ledger, 0, TASK_TYPE_UNKNOWN));
  ck_assert_int_eq(ledger_set(&ledger, 0, TASK_TYPE_UNKNOWN, 1, 1), -1);
  assert_counts(0, TASK_TYPE_FILE, 1, 1);
}
END_TEST

START_TEST(a_freed_ledger_is_empty_and_usable_again) {
  lifecycle_events_t done = completed_in(1);
  record(10, TASK_TYPE_FILE, &done);
  ledger_free(&ledger);
  ck_assert_ptr_null(ledger.entries);
  ck_assert_uint_eq(ledger.domains, 0);
  ck_assert_ptr_null(ledger_get(&ledger, 10, TASK_TYPE_FILE));
  record(1, TASK_TYPE_FILE, &done);
  assert_counts(1, TASK_TYPE_FILE, 1, 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("ledger");
  TCase *tc = tcase_create("ledger");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, an_empty_ledger_has_nothing_for_anyone);
  tcase_add_test(tc, a_completion_is_counted_with_its_time);
  tcase_add_test(tc, each_domain_and_type_has_its_own_counters);
  tcase_add_test(tc, a_failure_counts_without_a_completion_time);
  tcase_add_test(tc, a_completion_from_history_counts_without_a_time);
  tcase_add_test(tc, events_that_count_nothing_change_nothing);
  tcase_add_test(tc, the_interval_keeps_the_mean_and_the_max);
  tcase_add_test(tc, a_completion_in_no_time_is_a_sample_of_zero);
  tcase_add_test(tc, the_interval_reset_keeps_the_cumulative_counts);
  tcase_add_test(tc, growing_to_domain_1000_keeps_what_was_recorded);
  tcase_add_test(tc, counters_set_from_a_state_file_are_counted_on_from);
  tcase_add_test(tc, setting_counters_replaces_them_and_keeps_the_interval);
  tcase_add_test(tc, counters_near_the_top_of_64_bits_are_kept_exactly);
  tcase_add_test(tc, an_unknown_object_type_has_no_entry);
  tcase_add_test(tc, a_freed_ledger_is_empty_and_usable_again);
  suite_add_tcase(s, tc);
  return unit_run(s);
}
