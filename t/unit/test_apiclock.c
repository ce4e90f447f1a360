/* The API's clock from its answers' Date headers: the offset, rounded from
 * a header cut to the second; one warning when it grows past the limit,
 * again only after it came back; no Date, no change. */
#include "core/apiclock.h"

#include "unit.h"

#include <check.h>
#include <string.h>

#define LOCAL 1714979289.0 /* 2024-05-06T07:08:09Z on this host */
/* When an answer arrives: half a second into the second its Date names,
 * the middle of where the API's time was. */
#define ARRIVED (LOCAL + 0.5)

static apiclock_t c;

static void setup(void) { memset(&c, 0, sizeof(c)); }

START_TEST(a_clock_in_step_has_no_offset_and_tells_nothing) {
  /* Sent at .2 past the second, arrived at .4: Date says the second. */
  ck_assert(!apiclock_observe(&c, (time_t)LOCAL, LOCAL + 0.4));
  ck_assert_int_eq(c.offset, 0);
  ck_assert_int_eq(apiclock_now(&c, (time_t)LOCAL), (time_t)LOCAL);
}
END_TEST

START_TEST(an_api_clock_behind_gives_a_negative_offset) {
  ck_assert(apiclock_observe(&c, (time_t)LOCAL - 120, ARRIVED));
  ck_assert_int_eq(c.offset, -120);
  ck_assert_int_eq(apiclock_now(&c, (time_t)LOCAL), (time_t)LOCAL - 120);
}
END_TEST

START_TEST(an_api_clock_ahead_gives_a_positive_offset) {
  ck_assert(apiclock_observe(&c, (time_t)LOCAL + 600, ARRIVED));
  ck_assert_int_eq(c.offset, 600);
  ck_assert_int_eq(apiclock_now(&c, (time_t)LOCAL + 1), (time_t)LOCAL + 601);
}
END_TEST

START_TEST(an_offset_within_the_limit_is_followed_without_a_word) {
  ck_assert(
      !apiclock_observe(&c, (time_t)LOCAL + APICLOCK_WARN_SECONDS, ARRIVED));
  ck_assert_int_eq(c.offset, APICLOCK_WARN_SECONDS);
  ck_assert(
      !apiclock_observe(&c, (time_t)LOCAL - APICLOCK_WARN_SECONDS, ARRIVED));
  ck_assert_int_eq(c.offset, -APICLOCK_WARN_SECONDS);
}
END_TEST

START_TEST(a_large_offset_is_told_once_until_it_comes_back) {
  ck_assert(apiclock_observe(&c, (time_t)LOCAL - 60, ARRIVED));
  ck_assert(!apiclock_observe(&c, (time_t)LOCAL - 61, ARRIVED));
  ck_assert(!apiclock_observe(&c, (time_t)LOCAL + 60, ARRIVED));
  ck_assert(!apiclock_observe(&c, (time_t)LOCAL, ARRIVED)); /* NTP fixed it */
  ck_assert(apiclock_observe(&c, (time_t)LOCAL - 60, ARRIVED));
}
END_TEST

START_TEST(an_answer_without_a_date_changes_nothing) {
  apiclock_observe(&c, (time_t)LOCAL - 30, ARRIVED);
  ck_assert(!apiclock_observe(&c, 0, ARRIVED));
  ck_assert_int_eq(c.offset, -30);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      a_clock_in_step_has_no_offset_and_tells_nothing,
      an_api_clock_behind_gives_a_negative_offset,
      an_api_clock_ahead_gives_a_positive_offset,
      an_offset_within_the_limit_is_followed_without_a_word,
      a_large_offset_is_told_once_until_it_comes_back,
      an_answer_without_a_date_changes_nothing,
  };
  static const unit_case_t test_case = {.setup = setup};
  return unit_main("apiclock", tests, N_OF(tests), &test_case);
}
