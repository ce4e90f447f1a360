/* Per domain and object type: completed and failed tasks for good, and the
 * interval's completion times (mean and max). */
#include "core/lifetime.h"

#include "unit.h"

#include <check.h>
#include <inttypes.h>
#include <stdbool.h>

static lifetime_t ledger;

static void setup(void) { ledger = (lifetime_t)LIFETIME_INIT; }
static void teardown(void) { lifetime_free(&ledger); }

static void record(uint32_t domain, unsigned type,
                   const lifecycle_events_t *ev) {
  ck_assert_int_eq(lifetime_record(&ledger, domain, type, ev), 0);
}

/* A task seen to complete, seconds after it was created. */
static void record_completed(uint32_t domain, unsigned type, double seconds) {
  record(domain, type,
         &(lifecycle_events_t){.completed = true,
                               .has_completion = true,
                               .completion_seconds = seconds});
}

/* A task found complete in the history: no completion time. */
static void record_completed_untimed(uint32_t domain, unsigned type) {
  record(domain, type, &(lifecycle_events_t){.completed = true});
}

static void record_failed(uint32_t domain, unsigned type) {
  record(domain, type,
         &(lifecycle_events_t){.failed = true, .notify_failed = true});
}

/* Zero counts and no completion time, whether or not an entry exists. */
static void assert_nothing(uint32_t domain, unsigned type) {
  const lifetime_entry_t *e = lifetime_get(&ledger, domain, type);
  if (e == NULL)
    return;
  ck_assert_msg(e->completed == 0 && e->failed == 0 &&
                    e->completion_count == 0 && e->completion_sum == 0 &&
                    e->completion_max == 0,
                "domain %u type %u holds something", domain, type);
}

static void assert_counts(uint32_t domain, unsigned type, uint64_t completed,
                          uint64_t failed_count) {
  const lifetime_entry_t *e = lifetime_get(&ledger, domain, type);
  ck_assert_ptr_nonnull(e);
  ck_assert_uint_eq(e->completed, completed);
  ck_assert_uint_eq(e->failed, failed_count);
}

/* This interval's completion times: how many, their sum and their max. */
static void assert_interval(uint32_t domain, unsigned type, uint32_t count,
                            double sum, double max) {
  const lifetime_entry_t *e = lifetime_get(&ledger, domain, type);
  ck_assert_msg(e != NULL, "domain %u type %u has no entry", domain, type);
  ck_assert_msg(e->completion_count == count && e->completion_sum == sum &&
                    e->completion_max == max,
                "domain %u type %u: %" PRIu32 " times of sum %g and max %g",
                domain, type, e->completion_count, e->completion_sum,
                e->completion_max);
}

START_TEST(an_empty_ledger_has_nothing_for_anyone) {
  ck_assert_ptr_null(lifetime_get(&ledger, 0, TASK_TYPE_FILE));
  ck_assert_ptr_null(lifetime_get(&ledger, 999, TASK_TYPE_PRELOAD));
  lifetime_interval_reset(&ledger);
  ck_assert_ptr_null(lifetime_get(&ledger, 0, TASK_TYPE_FILE));
}
END_TEST

START_TEST(a_completion_is_counted_with_its_time) {
  record_completed(2, TASK_TYPE_DIRECTORY, 12.5);
  assert_counts(2, TASK_TYPE_DIRECTORY, 1, 0);
  assert_interval(2, TASK_TYPE_DIRECTORY, 1, 12.5, 12.5);
}
END_TEST

START_TEST(each_domain_and_type_has_its_own_counters) {
  record_completed(0, TASK_TYPE_FILE, 3);
  record_completed(0, TASK_TYPE_FILE, 3);
  record_failed(0, TASK_TYPE_PRELOAD);
  record_failed(1, TASK_TYPE_FILE);
  assert_counts(0, TASK_TYPE_FILE, 2, 0);
  assert_counts(0, TASK_TYPE_PRELOAD, 0, 1);
  assert_counts(1, TASK_TYPE_FILE, 0, 1);
  assert_nothing(0, TASK_TYPE_DIRECTORY);
  assert_nothing(0, TASK_TYPE_REGEX);
  assert_nothing(1, TASK_TYPE_PRELOAD);
  ck_assert_ptr_null(lifetime_get(&ledger, 5000, TASK_TYPE_FILE));
}
END_TEST

START_TEST(a_failure_counts_without_a_completion_time) {
  record_failed(0, TASK_TYPE_REGEX);
  assert_counts(0, TASK_TYPE_REGEX, 0, 1);
  assert_interval(0, TASK_TYPE_REGEX, 0, 0, 0);
}
END_TEST

START_TEST(a_completion_from_history_counts_without_a_time) {
  record_completed_untimed(0, TASK_TYPE_FILE);
  assert_counts(0, TASK_TYPE_FILE, 1, 0);
  assert_interval(0, TASK_TYPE_FILE, 0, 0, 0);
}
END_TEST

START_TEST(events_that_count_nothing_change_nothing) {
  lifecycle_events_t ev = {.notify_stuck = true};
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
  for (size_t i = 0; i < N_OF(times); i++)
    record_completed(3, TASK_TYPE_PRELOAD, times[i]);
  record_completed_untimed(3, TASK_TYPE_PRELOAD);
  assert_counts(3, TASK_TYPE_PRELOAD, 5, 0);
  assert_interval(3, TASK_TYPE_PRELOAD, 4, 80, 40);
  const lifetime_entry_t *e = lifetime_get(&ledger, 3, TASK_TYPE_PRELOAD);
  ck_assert_double_eq(e->completion_sum / e->completion_count, 20);
}
END_TEST

START_TEST(a_completion_in_no_time_is_a_sample_of_zero) {
  record_completed(0, TASK_TYPE_FILE, 0);
  record_completed(0, TASK_TYPE_FILE, 0);
  assert_counts(0, TASK_TYPE_FILE, 2, 0);
  assert_interval(0, TASK_TYPE_FILE, 2, 0, 0);
}
END_TEST

START_TEST(the_interval_reset_keeps_the_cumulative_counts) {
  record_completed(0, TASK_TYPE_FILE, 30);
  record_failed(0, TASK_TYPE_FILE);
  record_completed(4, TASK_TYPE_DIRECTORY, 30);
  lifetime_interval_reset(&ledger);
  assert_counts(0, TASK_TYPE_FILE, 1, 1);
  assert_interval(0, TASK_TYPE_FILE, 0, 0, 0);
  assert_counts(4, TASK_TYPE_DIRECTORY, 1, 0);
  assert_interval(4, TASK_TYPE_DIRECTORY, 0, 0, 0);

  /* The next interval starts from nothing: a smaller max is its max. */
  record_completed(0, TASK_TYPE_FILE, 2);
  assert_counts(0, TASK_TYPE_FILE, 2, 1);
  assert_interval(0, TASK_TYPE_FILE, 1, 2, 2);
}
END_TEST

START_TEST(growing_to_domain_1000_keeps_what_was_recorded) {
  record_completed(0, TASK_TYPE_FILE, 7);
  record_completed(1, TASK_TYPE_REGEX, 7);
  record_completed(1000, TASK_TYPE_PRELOAD, 7);
  ck_assert_uint_ge(ledger.domains, 1001);

  assert_counts(0, TASK_TYPE_FILE, 1, 0);
  assert_counts(1, TASK_TYPE_REGEX, 1, 0);
  assert_counts(1000, TASK_TYPE_PRELOAD, 1, 0);
  assert_interval(1000, TASK_TYPE_PRELOAD, 1, 7, 7);
  for (uint32_t d = 2; d < 1000; d++)
    for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
      assert_nothing(d, t);
  assert_nothing(1000, TASK_TYPE_FILE);

  /* Every domain on the way up, one at a time, then all checked. */
  for (uint32_t d = 0; d <= 1000; d++)
    record_failed(d, TASK_TYPE_DIRECTORY);
  for (uint32_t d = 0; d <= 1000; d++)
    assert_counts(d, TASK_TYPE_DIRECTORY, 0, 1);
  assert_counts(0, TASK_TYPE_FILE, 1, 0);
  assert_counts(1000, TASK_TYPE_PRELOAD, 1, 0);
}
END_TEST

START_TEST(counters_set_from_a_state_file_are_counted_on_from) {
  ck_assert_int_eq(lifetime_set(&ledger, 12, TASK_TYPE_FILE, 1000, 7), 0);
  assert_counts(12, TASK_TYPE_FILE, 1000, 7);
  assert_interval(12, TASK_TYPE_FILE, 0, 0, 0);

  record_completed(12, TASK_TYPE_FILE, 4);
  record_failed(12, TASK_TYPE_FILE);
  assert_counts(12, TASK_TYPE_FILE, 1001, 8);
  assert_interval(12, TASK_TYPE_FILE, 1, 4, 4);
}
END_TEST

START_TEST(setting_counters_replaces_them_and_keeps_the_interval) {
  record_completed(0, TASK_TYPE_FILE, 9);
  ck_assert_int_eq(lifetime_set(&ledger, 0, TASK_TYPE_FILE, 50, 3), 0);
  assert_counts(0, TASK_TYPE_FILE, 50, 3);
  assert_interval(0, TASK_TYPE_FILE, 1, 9, 9);
}
END_TEST

START_TEST(counters_near_the_top_of_64_bits_are_kept_exactly) {
  const uint64_t big = UINT64_MAX - 1;
  ck_assert_int_eq(lifetime_set(&ledger, 0, TASK_TYPE_PRELOAD, big, big), 0);
  record_completed(0, TASK_TYPE_PRELOAD, 1);
  assert_counts(0, TASK_TYPE_PRELOAD, UINT64_MAX, big);
}
END_TEST

START_TEST(an_unknown_object_type_has_no_entry) {
  ck_assert_int_eq(lifetime_set(&ledger, 0, TASK_TYPE_FILE, 1, 1), 0);
  ck_assert_ptr_null(lifetime_get(&ledger, 0, TASK_TYPE_UNKNOWN));
  ck_assert_int_eq(lifetime_set(&ledger, 0, TASK_TYPE_UNKNOWN, 1, 1), -1);
  assert_counts(0, TASK_TYPE_FILE, 1, 1);
}
END_TEST

START_TEST(a_freed_ledger_is_empty_and_usable_again) {
  record_completed(10, TASK_TYPE_FILE, 1);
  lifetime_free(&ledger);
  ck_assert_ptr_null(ledger.entries);
  ck_assert_uint_eq(ledger.domains, 0);
  ck_assert_ptr_null(lifetime_get(&ledger, 10, TASK_TYPE_FILE));
  record_completed(1, TASK_TYPE_FILE, 1);
  assert_counts(1, TASK_TYPE_FILE, 1, 0);
}
END_TEST

static const unit_case_t test_case = {.setup = setup, .teardown = teardown};

int main(void) {
  const TTest *const tests[] = {
      an_empty_ledger_has_nothing_for_anyone,
      a_completion_is_counted_with_its_time,
      each_domain_and_type_has_its_own_counters,
      a_failure_counts_without_a_completion_time,
      a_completion_from_history_counts_without_a_time,
      events_that_count_nothing_change_nothing,
      the_interval_keeps_the_mean_and_the_max,
      a_completion_in_no_time_is_a_sample_of_zero,
      the_interval_reset_keeps_the_cumulative_counts,
      growing_to_domain_1000_keeps_what_was_recorded,
      counters_set_from_a_state_file_are_counted_on_from,
      setting_counters_replaces_them_and_keeps_the_interval,
      counters_near_the_top_of_64_bits_are_kept_exactly,
      an_unknown_object_type_has_no_entry,
      a_freed_ledger_is_empty_and_usable_again,
  };
  return unit_main("lifetime", tests, N_OF(tests), &test_case);
}
