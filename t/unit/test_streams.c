/* The stream table: one cursor per (domain, object type), made zeroed when
 * first asked for, growing with the domain numbers (Domain "*" adds
 * domains while a scan runs), and keeping what earlier cursors hold. */
#include "core/streams.h"

#include "unit.h"

#include <check.h>
#include <string.h>

static streams_t s;

static void setup(void) { s = (streams_t)STREAMS_INIT; }
static void teardown(void) { streams_free(&s); }

START_TEST(a_cursor_never_made_is_not_there) {
  ck_assert_ptr_null(streams_get(&s, 0, TASK_TYPE_FILE));
  ck_assert_ptr_null(streams_get(&s, 7, TASK_TYPE_PRELOAD));
}
END_TEST

START_TEST(a_new_cursor_is_zeroed_and_found_again) {
  plan_cursor_t *c = streams_at(&s, 3, TASK_TYPE_REGEX);
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(c->covered_until, 0);
  ck_assert(!c->scanning);
  c->covered_until = 100;
  ck_assert_ptr_eq(streams_get(&s, 3, TASK_TYPE_REGEX), c);
  /* Its neighbours exist too, zeroed: a row per domain. */
  ck_assert_int_eq(streams_get(&s, 3, TASK_TYPE_FILE)->covered_until, 0);
}
END_TEST

START_TEST(growing_keeps_every_cursor_and_its_place) {
  for (uint32_t d = 0; d < 10000; d++) {
    plan_cursor_t *c = streams_at(&s, d, d % TASK_TYPE_COUNT);
    ck_assert_ptr_nonnull(c);
    c->covered_until = (time_t)d + 1;
  }
  for (uint32_t d = 0; d < 10000; d++)
    ck_assert_int_eq(streams_get(&s, d, d % TASK_TYPE_COUNT)->covered_until,
                     (time_t)d + 1);
}
END_TEST

START_TEST(a_type_out_of_range_or_no_domain_gets_nothing) {
  ck_assert_ptr_null(streams_at(&s, 0, TASK_TYPE_COUNT));
  ck_assert_ptr_null(streams_at(&s, UINT32_MAX, TASK_TYPE_FILE));
  streams_at(&s, 0, TASK_TYPE_FILE);
  ck_assert_ptr_null(streams_get(&s, 0, TASK_TYPE_UNKNOWN));
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      a_cursor_never_made_is_not_there,
      a_new_cursor_is_zeroed_and_found_again,
      growing_keeps_every_cursor_and_its_place,
      a_type_out_of_range_or_no_domain_gets_nothing,
  };
  static const unit_case_t test_case = {.setup = setup, .teardown = teardown};
  return unit_main("streams", tests, N_OF(tests), &test_case);
}
