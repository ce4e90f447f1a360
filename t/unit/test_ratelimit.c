/* The sliding-window limiter, driven by a simulated clock. */
#include "core/ratelimit.h"

#include "unit.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

/* A small deterministic generator, so that failures reproduce. */
static uint32_t rng_state;

static double rng_uniform(void) {
  rng_state = rng_state * 1664525u + 1013904223u;
  return (double)(rng_state >> 8) / (double)(1u << 24);
}

/* Books n calls, the clock moving forward by random steps (often 0, so that
 * many callers ask at the same instant, sometimes by whole seconds). */
static double *simulate(ratelimit_t *rl, size_t n, uint32_t seed) {
  double *at = calloc(n, sizeof(*at));
  ck_assert_ptr_nonnull(at);
  rng_state = seed;
  double now = 0.0;
  for (size_t i = 0; i < n; i++) {
    double r = rng_uniform();
    if (r < 0.05)
      now += 3.0 * rng_uniform();
    else if (r < 0.5)
      now += 0.3 * rng_uniform();
    at[i] = ratelimit_reserve(rl, now);
    ck_assert_msg(at[i] >= now, "call %zu booked at %f before now %f", i, at[i],
                  now);
    if (i > 0)
      ck_assert_msg(at[i] >= at[i - 1], "bookings go back in time");
  }
  return at;
}

/* The most start times in any half-open window [t, t + span). Checks every
 * pair: the bookings are sorted, as simulate() asserts. */
static size_t max_in_window(const double *at, size_t n, double span) {
  size_t most = 0;
  for (size_t i = 0; i < n; i++) {
    size_t in = 0;
    for (size_t j = i; j < n && at[j] < at[i] + span; j++)
      in++;
    if (in > most)
      most = in;
  }
  return most;
}

START_TEST(the_first_five_calls_at_rate_five_go_at_once) {
  ratelimit_t rl;
  ck_assert_int_eq(ratelimit_init(&rl, 5.0), 0);
  for (int i = 0; i < 5; i++)
    ck_assert_double_eq(ratelimit_reserve(&rl, 0.0), 0.0);
  double sixth = ratelimit_reserve(&rl, 0.0);
  ck_assert_double_ge(sixth, 1.0);
  ck_assert_double_eq_tol(sixth, 1.0 + RATELIMIT_MARGIN, 1e-9);
  ratelimit_free(&rl);
}
END_TEST

START_TEST(the_next_burst_waits_a_full_window_after_the_first) {
  ratelimit_t rl;
  ck_assert_int_eq(ratelimit_init(&rl, 5.0), 0);
  double at[15];
  for (int i = 0; i < 15; i++)
    at[i] = ratelimit_reserve(&rl, 0.0);
  for (int i = 5; i < 15; i++)
    ck_assert_double_ge(at[i] - at[i - 5], 1.0);
  ck_assert_double_eq_tol(at[14], 2.0 * (1.0 + RATELIMIT_MARGIN), 1e-9);
  ratelimit_free(&rl);
}
END_TEST

START_TEST(no_second_ever_holds_more_than_five_calls_at_rate_five) {
  ratelimit_t rl;
  ck_assert_int_eq(ratelimit_init(&rl, 5.0), 0);
  size_t n = 3000;
  double *at = simulate(&rl, n, 12345);
  ck_assert_uint_le(max_in_window(at, n, 1.0), 5);
  /* And the limiter is not idle: some second does hold five. */
  ck_assert_uint_eq(max_in_window(at, n, 1.0), 5);
  free(at);
  ratelimit_free(&rl);
}
END_TEST

START_TEST(rate_five_holds_for_several_seeds) {
  for (uint32_t seed = 1; seed <= 5; seed++) {
    ratelimit_t rl;
    ck_assert_int_eq(ratelimit_init(&rl, 5.0), 0);
    double *at = simulate(&rl, 1000, seed);
    ck_assert_uint_le(max_in_window(at, 1000, 1.0), 5);
    free(at);
    ratelimit_free(&rl);
  }
}
END_TEST

START_TEST(rate_half_spaces_calls_two_seconds_apart) {
  ratelimit_t rl;
  ck_assert_int_eq(ratelimit_init(&rl, 0.5), 0);
  ck_assert_double_eq(ratelimit_reserve(&rl, 0.0), 0.0);
  ck_assert_double_ge(ratelimit_reserve(&rl, 0.0), 2.0);
  ratelimit_free(&rl);

  ck_assert_int_eq(ratelimit_init(&rl, 0.5), 0);
  size_t n = 500;
  double *at = simulate(&rl, n, 777);
  for (size_t i = 1; i < n; i++)
    ck_assert_double_ge(at[i] - at[i - 1], 2.0);
  free(at);
  ratelimit_free(&rl);
}
END_TEST

START_TEST(rate_two_and_a_half_allows_two_calls_a_second) {
  ratelimit_t rl;
  ck_assert_int_eq(ratelimit_init(&rl, 2.5), 0);
  ck_assert_double_eq(ratelimit_reserve(&rl, 0.0), 0.0);
  ck_assert_double_eq(ratelimit_reserve(&rl, 0.0), 0.0);
  ck_assert_double_ge(ratelimit_reserve(&rl, 0.0), 1.0);
  ratelimit_free(&rl);
}
END_TEST

START_TEST(rate_two_and_a_half_never_exceeds_its_rate) {
  ratelimit_t rl;
  ck_assert_int_eq(ratelimit_init(&rl, 2.5), 0);
  size_t n = 2000;
  double *at = simulate(&rl, n, 4242);
  ck_assert_uint_le(max_in_window(at, n, 0.8), 2);
  /* The API counts whole seconds: 2.5/s means no second holds a third. */
  ck_assert_uint_le(max_in_window(at, n, 1.0), 2);
  /* Over any longer span, no more than the rate allows. */
  static const double spans[] = {2.0, 5.0, 10.0, 60.0};
  for (size_t i = 0; i < sizeof(spans) / sizeof(spans[0]); i++)
    ck_assert_double_le((double)max_in_window(at, n, spans[i]), 2.5 * spans[i]);
  free(at);
  ratelimit_free(&rl);
}
END_TEST

START_TEST(a_late_call_is_not_delayed) {
  ratelimit_t rl;
  ck_assert_int_eq(ratelimit_init(&rl, 5.0), 0);
  for (int i = 0; i < 12; i++)
    ratelimit_reserve(&rl, 0.0);
  /* Long after every booked call: free to go at once, a burst of five. */
  for (int i = 0; i < 5; i++)
    ck_assert_double_eq(ratelimit_reserve(&rl, 1000.0), 1000.0);
  ck_assert_double_ge(ratelimit_reserve(&rl, 1000.0), 1001.0);
  ratelimit_free(&rl);
}
END_TEST

START_TEST(calls_spread_wider_than_the_rate_are_never_delayed) {
  ratelimit_t rl;
  ck_assert_int_eq(ratelimit_init(&rl, 2.5), 0);
  for (int i = 0; i < 100; i++) {
    double now = 0.55 * i; /* never 2 calls within a window + margin */
    ck_assert_double_eq(ratelimit_reserve(&rl, now), now);
  }
  ratelimit_free(&rl);
}
END_TEST

START_TEST(free_can_be_repeated) {
  ratelimit_t rl;
  ck_assert_int_eq(ratelimit_init(&rl, 1.0), 0);
  ratelimit_free(&rl);
  ck_assert_ptr_null(rl.sent);
  ratelimit_free(&rl);
}
END_TEST

int main(void) {
  Suite *s = suite_create("ratelimit");
  TCase *tc = tcase_create("ratelimit");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, the_first_five_calls_at_rate_five_go_at_once);
  tcase_add_test(tc, the_next_burst_waits_a_full_window_after_the_first);
  tcase_add_test(tc, no_second_ever_holds_more_than_five_calls_at_rate_five);
  tcase_add_test(tc, rate_five_holds_for_several_seeds);
  tcase_add_test(tc, rate_half_spaces_calls_two_seconds_apart);
  tcase_add_test(tc, rate_two_and_a_half_allows_two_calls_a_second);
  tcase_add_test(tc, rate_two_and_a_half_never_exceeds_its_rate);
  tcase_add_test(tc, a_late_call_is_not_delayed);
  tcase_add_test(tc, calls_spread_wider_than_the_rate_are_never_delayed);
  tcase_add_test(tc, free_can_be_repeated);
  suite_add_tcase(s, tc);
  return unit_run(s);
}
