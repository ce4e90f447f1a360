/* Task counts per domain, object type and status, as the dispatch reports
 * them: finished tasks of the Lookback, tasks in flight of the API's three
 * days, the oldest in flight and their progress, nothing outside the
 * domain table. */
#include "core/gauges.h"

#include "unit.h"

#include <check.h>
#include <stdbool.h>
#include <string.h>

/* 2024-05-06T07:08:09Z */
#define NOW ((time_t)1714979289)
#define LOOKBACK_OLDEST (NOW - 3600)
#define IN_FLIGHT_OLDEST (NOW - 259200)

static domtab_t tab;
static tasktable_t tr;
static gauges_t counts[3];

static void setup(void) {
  static conf_domain_t domains[] = {
      {.name = (char *)"a.example.com", .type_mask = CONF_TYPES_ALL},
      {.name = (char *)"b.example.com", .type_mask = CONF_TYPES_ALL},
  };
  conf_account_t a;
  memset(&a, 0, sizeof(a));
  a.name = (char *)"prod";
  a.domains = domains;
  a.domain_count = 2;
  ck_assert_int_eq(domtab_init(&tab, &a), 0);
  tr = (tasktable_t)TASKTABLE_INIT;
  memset(counts, 0xa5, sizeof(counts)); /* garbage to be overwritten */
}

static void teardown(void) {
  tasktable_free(&tr);
  domtab_free(&tab);
}

static void put(uint64_t id, time_t created, uint32_t domain, unsigned type,
                unsigned status, unsigned progress) {
  tracked_task_t t = {id,
                      (int64_t)created,
                      domain,
                      (uint8_t)type,
                      (uint8_t)status,
                      (uint8_t)progress,
                      0};
  bool is_new;
  ck_assert_int_eq(tasktable_put(&tr, &t, &is_new), 0);
}

static void count(void) {
  gauges_count(&tab, &tr, LOOKBACK_OLDEST, IN_FLIGHT_OLDEST, counts);
}

START_TEST(tasks_are_counted_by_domain_type_and_status) {
  put(1, NOW - 60, 0, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100);
  put(2, NOW - 60, 0, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100);
  put(3, NOW - 60, 0, TASK_TYPE_FILE, TASK_STATUS_FAILED, 0);
  put(4, NOW - 60, 1, TASK_TYPE_PRELOAD, TASK_STATUS_PENDING, 0);
  count();
  ck_assert_uint_eq(counts[0].count[TASK_TYPE_FILE][TASK_STATUS_COMPLETE], 2);
  ck_assert_uint_eq(counts[0].count[TASK_TYPE_FILE][TASK_STATUS_FAILED], 1);
  ck_assert_uint_eq(counts[0].count[TASK_TYPE_PRELOAD][TASK_STATUS_PENDING], 0);
  ck_assert_uint_eq(counts[1].count[TASK_TYPE_PRELOAD][TASK_STATUS_PENDING], 1);
  ck_assert_uint_eq(counts[1].count[TASK_TYPE_FILE][TASK_STATUS_COMPLETE], 0);
}
END_TEST

START_TEST(finished_tasks_count_over_the_lookback_those_in_flight_longer) {
  put(1, LOOKBACK_OLDEST, 0, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100);
  put(2, LOOKBACK_OLDEST - 1, 0, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100);
  put(3, LOOKBACK_OLDEST - 1, 0, TASK_TYPE_FILE, TASK_STATUS_REFRESHING, 50);
  put(4, IN_FLIGHT_OLDEST, 0, TASK_TYPE_FILE, TASK_STATUS_PENDING, 0);
  put(5, IN_FLIGHT_OLDEST - 1, 0, TASK_TYPE_FILE, TASK_STATUS_PENDING, 0);
  count();
  ck_assert_uint_eq(counts[0].count[TASK_TYPE_FILE][TASK_STATUS_COMPLETE], 1);
  ck_assert_uint_eq(counts[0].count[TASK_TYPE_FILE][TASK_STATUS_REFRESHING], 1);
  ck_assert_uint_eq(counts[0].count[TASK_TYPE_FILE][TASK_STATUS_PENDING], 1);
}
END_TEST

START_TEST(the_oldest_task_in_flight_and_its_progress_are_kept_per_type) {
  put(1, NOW - 600, 0, TASK_TYPE_DIRECTORY, TASK_STATUS_REFRESHING, 30);
  put(2, NOW - 900, 0, TASK_TYPE_DIRECTORY, TASK_STATUS_PENDING, 10);
  put(3, NOW - 5000, 0, TASK_TYPE_DIRECTORY, TASK_STATUS_COMPLETE, 100);
  count();
  ck_assert_int_eq(counts[0].oldest_in_flight[TASK_TYPE_DIRECTORY], NOW - 900);
  ck_assert_double_eq(counts[0].progress_sum[TASK_TYPE_DIRECTORY], 40.0);
  ck_assert_int_eq(counts[0].oldest_in_flight[TASK_TYPE_FILE], 0);
  ck_assert_int_eq(counts[1].oldest_in_flight[TASK_TYPE_DIRECTORY], 0);
}
END_TEST

START_TEST(tasks_outside_the_table_are_not_counted) {
  put(1, NOW - 60, 2, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100);
  put(2, NOW - 60, DOMTAB_NONE, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100);
  put(3, NOW - 60, 0, TASK_TYPE_COUNT, TASK_STATUS_COMPLETE, 100);
  put(4, NOW - 60, 0, TASK_TYPE_FILE, TASK_STATUS_COUNT, 100);
  counts[2].count[0][0] = 12345; /* past the table: left alone */
  count();
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
    for (unsigned s = 0; s < TASK_STATUS_COUNT; s++)
      ck_assert_uint_eq(counts[0].count[t][s] + counts[1].count[t][s], 0);
  ck_assert_uint_eq(counts[2].count[0][0], 12345);
}
END_TEST

static const unit_case_t test_case = {.setup = setup, .teardown = teardown};

int main(void) {
  const TTest *const tests[] = {
      tasks_are_counted_by_domain_type_and_status,
      finished_tasks_count_over_the_lookback_those_in_flight_longer,
      the_oldest_task_in_flight_and_its_progress_are_kept_per_type,
      tasks_outside_the_table_are_not_counted,
  };
  return unit_main("gauges", tests, N_OF(tests), &test_case);
}
