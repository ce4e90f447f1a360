/* An account's health: failing for a reason that needs a human (keys,
 * permissions, the clock, an endpoint that stays unreachable), or fine;
 * each change is announced once. */
#include "core/health.h"

#include "unit.h"

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

static health_t health;

static void setup(void) {
  health.failed = false;
  health.unreachable_polls = 0;
}

static health_change_t ok(void) {
  return health_observe(&health, true, 200, NULL);
}

static health_change_t poll_failed(long http_status, const char *code) {
  return health_observe(&health, false, http_status, code);
}

static health_change_t unreachable(void) { return poll_failed(0, NULL); }

/* Keys that do not match: a failure that needs a human. */
static health_change_t wrong_secret(void) {
  return poll_failed(400, "SignatureDoesNotMatch");
}

/* A failure that needs a human fails a healthy account at once. */
static void assert_fails_the_account(long http_status, const char *code) {
  ck_assert_msg(poll_failed(http_status, code) == HEALTH_FAILED_NOW,
                "%ld %s did not fail the account", http_status, code);
  ck_assert(health.failed);
}

/* One poll short of HEALTH_UNREACHABLE_POLLS in a row without an answer:
 * nothing changes yet. */
static void unreachable_one_poll_short(void) {
  for (int i = 1; i < HEALTH_UNREACHABLE_POLLS; i++)
    ck_assert_msg(unreachable() == HEALTH_UNCHANGED, "poll %d", i);
}

START_TEST(a_healthy_account_that_polls_fine_stays_unchanged) {
  for (int i = 0; i < 5; i++)
    ck_assert_int_eq(ok(), HEALTH_UNCHANGED);
  ck_assert(!health.failed);
}
END_TEST

START_TEST(a_wrong_secret_fails_the_account_once) {
  assert_fails_the_account(400, "SignatureDoesNotMatch");
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(wrong_secret(), HEALTH_UNCHANGED);
  ck_assert_int_eq(poll_failed(404, "InvalidAccessKeyId.NotFound"),
                   HEALTH_UNCHANGED);
  ck_assert(health.failed);
}
END_TEST

START_TEST(a_failed_account_that_polls_fine_recovers_once) {
  ck_assert_int_eq(wrong_secret(), HEALTH_FAILED_NOW);
  ck_assert_int_eq(ok(), HEALTH_RECOVERED);
  ck_assert(!health.failed);
  ck_assert_int_eq(ok(), HEALTH_UNCHANGED);
  /* And it can fail again. */
  ck_assert_int_eq(wrong_secret(), HEALTH_FAILED_NOW);
}
END_TEST

START_TEST(a_ram_policy_that_forbids_fails_the_account) {
  assert_fails_the_account(403, "Forbidden.RAM");
}
END_TEST

START_TEST(a_clock_that_is_off_fails_the_account) {
  assert_fails_the_account(400, "InvalidTimeStamp.Expired");
}
END_TEST

static const char *const other_codes_that_need_a_human[] = {
    "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive",
    "IncompleteSignature",         "InvalidSecurityToken.Expired",
    "MissingAccessKeyId",          "Forbidden"};

START_TEST(other_codes_that_need_a_human_fail_the_account) {
  assert_fails_the_account(400, other_codes_that_need_a_human[_i]);
}
END_TEST

/* A proxy refusing the plugin's credentials: reached, yet the endpoint
 * never is. */
START_TEST(a_proxy_that_wants_other_credentials_fails_the_account) {
  assert_fails_the_account(407, NULL);
  health = (health_t){0};
  assert_fails_the_account(401, "");
  health = (health_t){0};
  /* The API's own 401 with a Code is that Code's to judge. */
  ck_assert_int_eq(poll_failed(401, "SomethingTransient"), HEALTH_UNCHANGED);
}
END_TEST

START_TEST(a_busy_service_never_fails_the_account) {
  for (int i = 0; i < 3 * HEALTH_UNREACHABLE_POLLS; i++) {
    ck_assert_int_eq(poll_failed(503, "ServiceUnavailable"), HEALTH_UNCHANGED);
    ck_assert_int_eq(poll_failed(503, NULL), HEALTH_UNCHANGED);
    ck_assert_int_eq(poll_failed(400, "Throttling.User"), HEALTH_UNCHANGED);
    ck_assert_int_eq(poll_failed(500, "InternalError"), HEALTH_UNCHANGED);
    ck_assert_int_eq(poll_failed(400, ""), HEALTH_UNCHANGED);
  }
  ck_assert(!health.failed);
}
END_TEST

START_TEST(an_unreachable_endpoint_fails_the_account_after_enough_polls) {
  unreachable_one_poll_short();
  ck_assert(!health.failed);
  ck_assert_int_eq(unreachable(), HEALTH_FAILED_NOW);
  ck_assert(health.failed);
  ck_assert_int_eq(unreachable(), HEALTH_UNCHANGED);
  ck_assert_int_eq(unreachable(), HEALTH_UNCHANGED);
  ck_assert_int_eq(ok(), HEALTH_RECOVERED);
}
END_TEST

START_TEST(a_poll_that_works_restarts_the_unreachable_count) {
  unreachable_one_poll_short();
  ck_assert_int_eq(ok(), HEALTH_UNCHANGED);
  unreachable_one_poll_short();
  ck_assert(!health.failed);
  ck_assert_int_eq(unreachable(), HEALTH_FAILED_NOW);
}
END_TEST

START_TEST(an_answer_between_unreachable_polls_restarts_the_count) {
  /* "In a row": a 503 is an answer, so the endpoint was reachable. */
  for (int round = 0; round < 3; round++) {
    unreachable_one_poll_short();
    ck_assert_int_eq(poll_failed(503, "ServiceUnavailable"), HEALTH_UNCHANGED);
  }
  ck_assert_int_eq(unreachable(), HEALTH_UNCHANGED);
  ck_assert(!health.failed);
}
END_TEST

START_TEST(after_recovering_from_unreachable_it_takes_as_many_polls_again) {
  for (int i = 0; i < HEALTH_UNREACHABLE_POLLS; i++)
    unreachable();
  ck_assert(health.failed);
  ck_assert_int_eq(ok(), HEALTH_RECOVERED);
  unreachable_one_poll_short();
  ck_assert_int_eq(unreachable(), HEALTH_FAILED_NOW);
}
END_TEST

START_TEST(a_failed_state_loaded_from_the_state_file_recovers_on_success) {
  health.failed = true;
  ck_assert_int_eq(wrong_secret(), HEALTH_UNCHANGED);
  ck_assert_int_eq(unreachable(), HEALTH_UNCHANGED);
  ck_assert_int_eq(ok(), HEALTH_RECOVERED);
}
END_TEST

static void add_loop_tests(Suite *suite, TCase *tc) {
  (void)suite;
  tcase_add_loop_test(tc, other_codes_that_need_a_human_fail_the_account, 0,
                      N_OF(other_codes_that_need_a_human));
}

static const unit_case_t test_case = {.setup = setup, .extend = add_loop_tests};

/* ---- domain mode: a poll whose pair queries all failed ---- */

START_TEST(a_poll_whose_every_pair_query_failed_is_a_failed_poll) {
  /* A key refused every list: nothing read, both pairs refused. */
  ck_assert(health_pairs_failed(&(health_pairs_t){0, 2, 0}));
  /* And what that poll tells health: Forbidden.RAM needs a human. */
  ck_assert_int_eq(poll_failed(403, "Forbidden.RAM"), HEALTH_FAILED_NOW);
}
END_TEST

START_TEST(one_pair_read_keeps_the_poll_healthy) {
  /* One refused domain beside a granted one fails only its own pair. */
  ck_assert(!health_pairs_failed(&(health_pairs_t){1, 1, 0}));
  ck_assert(!health_pairs_failed(&(health_pairs_t){1, 5, 0}));
}
END_TEST

START_TEST(a_poll_that_tried_no_pair_or_left_new_ones_is_not_failed) {
  /* Nothing due, or nothing tried (no budget): nothing failed. */
  ck_assert(!health_pairs_failed(&(health_pairs_t){0, 0, 0}));
  ck_assert(!health_pairs_failed(&(health_pairs_t){0, 0, 3}));
  /* Pairs not queried and not known to fail (not due: read up to now
   * already; or the budget ran out, as in the first polls of an account
   * with many refused pairs): one of them may be granted. */
  ck_assert(!health_pairs_failed(&(health_pairs_t){0, 2, 1}));
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      a_healthy_account_that_polls_fine_stays_unchanged,
      a_poll_whose_every_pair_query_failed_is_a_failed_poll,
      one_pair_read_keeps_the_poll_healthy,
      a_poll_that_tried_no_pair_or_left_new_ones_is_not_failed,
      a_proxy_that_wants_other_credentials_fails_the_account,
      a_wrong_secret_fails_the_account_once,
      a_failed_account_that_polls_fine_recovers_once,
      a_ram_policy_that_forbids_fails_the_account,
      a_clock_that_is_off_fails_the_account,
      a_busy_service_never_fails_the_account,
      an_unreachable_endpoint_fails_the_account_after_enough_polls,
      a_poll_that_works_restarts_the_unreachable_count,
      an_answer_between_unreachable_polls_restarts_the_count,
      after_recovering_from_unreachable_it_takes_as_many_polls_again,
      a_failed_state_loaded_from_the_state_file_recovers_on_success,
  };
  return unit_main("health", tests, N_OF(tests), &test_case);
}
