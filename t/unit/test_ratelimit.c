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

static ratelimit_t rl;

static void teardown(void) { ratelimit_free(&rl); }

/* Each test leaves rl to teardown; the simulations take a while. */
static const unit_case_t test_case = {.teardown = teardown, .timeout = 60};

/* Sets rl up for this many calls per second. */
static void limit_to(double rate) {
  ck_assert_int_eq(ratelimit_init(&rl, rate), 0);
}

/* Books n calls at this rate, the clock moving forward by random steps
 * (often 0, so that many callers ask at the same instant, sometimes by whole
 * seconds); returns their start times, which the caller frees. */
static double *simulate(double rate, size_t n, uint32_t seed) {
  ratelimit_t sim;
  ck_assert_int_eq(ratelimit_init(&sim, rate), 0);
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
    at[i] = ratelimit_reserve(&sim, now);
    ck_assert_msg(at[i] >= now, "call %zu booked at %f before now %f", i, at[i],
                  now);
    if (i > 0)
      ck_assert_msg(at[i] >= at[i - 1], "bookings go back in time");
  }
  ratelimit_free(&sim);
  return at;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
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

/* The most of n calls booked at rate by simulate() that start within span
 * seconds of each other. */
static size_t busiest(double rate, size_t n, uint32_t seed, double span) {
  double *at = simulate(rate, n, seed);
  size_t most = max_in_window(at, n, span);
  free(at);
  return most;
}

START_TEST(the_first_five_calls_at_rate_five_go_at_once) {
  limit_to(5.0);
  for (int i = 0; i < 5; i++)
    ck_assert_double_eq(ratelimit_reserve(&rl, 0.0), 0.0);
  double sixth = ratelimit_reserve(&rl, 0.0);
  ck_assert_double_ge(sixth, 1.0);
  ck_assert_double_eq_tol(sixth, 1.0 + RATELIMIT_MARGIN, 1e-9);
}
END_TEST

START_TEST(the_next_burst_waits_a_full_window_after_the_first) {
  limit_to(5.0);
  double at[15];
  for (int i = 0; i < 15; i++)
    at[i] = ratelimit_reserve(&rl, 0.0);
  for (int i = 5; i < 15; i++)
    ck_assert_double_ge(at[i] - at[i - 5], 1.0);
  ck_assert_double_eq_tol(at[14], 2.0 * (1.0 + RATELIMIT_MARGIN), 1e-9);
}
END_TEST

START_TEST(no_second_ever_holds_more_than_five_calls_at_rate_five) {
  size_t most = busiest(5.0, 3000, 12345, 1.0);
  ck_assert_uint_le(most, 5);
  /* And the limiter is not idle: some second does hold five. */
  ck_assert_uint_eq(most, 5);
}
END_TEST

START_TEST(rate_five_holds_for_several_seeds) {
  for (uint32_t seed = 1; seed <= 5; seed++)
    ck_assert_uint_le(busiest(5.0, 1000, seed, 1.0), 5);
}
END_TEST

START_TEST(rate_half_spaces_calls_two_seconds_apart) {
  limit_to(0.5);
  ck_assert_double_eq(ratelimit_reserve(&rl, 0.0), 0.0);
  ck_assert_double_ge(ratelimit_reserve(&rl, 0.0), 2.0);

  size_t n = 500;
  double *at = simulate(0.5, n, 777);
  for (size_t i = 1; i < n; i++)
    ck_assert_double_ge(at[i] - at[i - 1], 2.0);
  free(at);
}
END_TEST

START_TEST(rate_two_and_a_half_allows_two_calls_a_second) {
  limit_to(2.5);
  ck_assert_double_eq(ratelimit_reserve(&rl, 0.0), 0.0);
  ck_assert_double_eq(ratelimit_reserve(&rl, 0.0), 0.0);
  ck_assert_double_ge(ratelimit_reserve(&rl, 0.0), 1.0);
}
END_TEST

START_TEST(rate_two_and_a_half_never_exceeds_its_rate) {
  ck_assert_uint_le(busiest(2.5, 2000, 4242, 0.8), 2);
  /* The API counts whole seconds: 2.5/s means no second holds a third. */
  ck_assert_uint_le(busiest(2.5, 2000, 4242, 1.0), 2);
  /* Over any longer span, no more than the rate allows. */
  static const double spans[] = {2.0, 5.0, 10.0, 60.0};
  for (size_t i = 0; i < N_OF(spans); i++)
    ck_assert_double_le((double)busiest(2.5, 2000, 4242, spans[i]),
                        2.5 * spans[i]);
}
END_TEST

START_TEST(a_late_call_is_not_delayed) {
  limit_to(5.0);
  for (int i = 0; i < 12; i++)
    ratelimit_reserve(&rl, 0.0);
  /* Long after every booked call: free to go at once, a burst of five. */
  for (int i = 0; i < 5; i++)
    ck_assert_double_eq(ratelimit_reserve(&rl, 1000.0), 1000.0);
  ck_assert_double_ge(ratelimit_reserve(&rl, 1000.0), 1001.0);
}
END_TEST

START_TEST(calls_spread_wider_than_the_rate_are_never_delayed) {
  limit_to(2.5);
  for (int i = 0; i < 100; i++) {
    double now = 0.55 * i; /* never 2 calls within a window + margin */
    ck_assert_double_eq(ratelimit_reserve(&rl, now), now);
  }
}
END_TEST

/* Calls that take a while (up to half a second) and reach the server at
 * any moment while they last: with each window counted from the call's
 * end, no second at the server holds more than five arrivals. Counted from
 * the start, a slow first call and a quick sixth land in one second. */
START_TEST(slow_calls_never_crowd_a_second_at_the_server) {
  size_t n = 2000;
  double *arrived = calloc(n, sizeof(*arrived));
  ck_assert_ptr_nonnull(arrived);
  limit_to(5.0);
  rng_state = 99;
  double now = 0.0;
  for (size_t i = 0; i < n; i++) {
    double start = ratelimit_reserve(&rl, now);
    double took = rng_uniform() < 0.2 ? 0.5 * rng_uniform() : 0.01;
    arrived[i] = start + took * rng_uniform();
    now = start + took;
    ratelimit_settle(&rl, now);
  }
  qsort(arrived, n, sizeof(*arrived), compare_doubles);
  ck_assert_uint_le(max_in_window(arrived, n, 1.0), 5);
  free(arrived);
}
END_TEST

START_TEST(settling_moves_only_the_last_call_and_only_later) {
  limit_to(1.0);
  ck_assert_double_eq(ratelimit_reserve(&rl, 0.0), 0.0);
  ratelimit_settle(&rl, 0.4);
  ratelimit_settle(&rl, 0.2); /* no going back */
  ck_assert_double_eq_tol(ratelimit_reserve(&rl, 0.5), 1.4 + RATELIMIT_MARGIN,
                          1e-9);
}
END_TEST

START_TEST(free_can_be_repeated) {
  limit_to(1.0);
  ratelimit_free(&rl);
  ck_assert_ptr_null(rl.sent);
  ratelimit_free(&rl);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      the_first_five_calls_at_rate_five_go_at_once,
      the_next_burst_waits_a_full_window_after_the_first,
      no_second_ever_holds_more_than_five_calls_at_rate_five,
      rate_five_holds_for_several_seeds,
      rate_half_spaces_calls_two_seconds_apart,
      rate_two_and_a_half_allows_two_calls_a_second,
      rate_two_and_a_half_never_exceeds_its_rate,
      a_late_call_is_not_delayed,
      calls_spread_wider_than_the_rate_are_never_delayed,
      slow_calls_never_crowd_a_second_at_the_server,
      settling_moves_only_the_last_call_and_only_later,
      free_can_be_repeated,
  };
  return unit_main("ratelimit", tests, N_OF(tests), &test_case);
}
