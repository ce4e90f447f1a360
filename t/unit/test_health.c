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

START_TEST(a_healthy_account_that_polls_fine_stays_unchanged) {
  for (int i = 0; i < 5; i++)
    ck_assert_int_eq(ok(), HEALTH_UNCHANGED);
  ck_assert(!health.failed);
}
END_TEST

START_TEST(a_wrong_secret_fails_the_account_once) {
  ck_assert_int_eq(poll_failed(400, "SignatureDoesNotMatch"),
                   HEALTH_FAILED_NOW);
  ck_assert(health.failed);
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(poll_failed(400, "SignatureDoesNotMatch"),
                     HEALTH_UNCHANGED);
  ck_assert_int_eq(poll_failed(404, "InvalidAccessKeyId.NotFound"),
                   HEALTH_UNCHANGED);
  ck_assert(health.failed);
}
END_TEST

START_TEST(a_failed_account_that_polls_fine_recovers_once) {
  ck_assert_int_eq(poll_failed(400, "SignatureDoesNotMatch"),
                   HEALTH_FAILED_NOW);
  ck_assert_int_eq(ok(), HEALTH_RECOVERED);
  ck_assert(!health.failed);
  ck_assert_int_eq(ok(), HEALTH_UNCHANGED);
  /* And it can fail again. */
  ck_assert_int_eq(poll_failed(400, "SignatureDoesNotMatch"),
                   HEALTH_FAILED_NOW);
}
END_TEST

START_TEST(a_ram_policy_that_forbids_fails_the_account) {
  ck_assert_int_eq(poll_failed(403, "Forbidden.RAM"), HEALTH_FAILED_NOW);
  ck_assert(health.failed);
}
END_TEST

START_TEST(a_clock_that_is_off_fails_the_account) {
  ck_assert_int_eq(poll_failed(400, "InvalidTimeStamp.Expired"),
                   HEALTH_FAILED_NOW);
  ck_assert(health.failed);
}
END_TEST

START_TEST(other_codes_that_need_a_human_fail_the_account) {
  static const char *const codes[] = {
      "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive",
      "IncompleteSignature",         "InvalidSecurityToken.Expired",
      "MissingAccessKeyId",          "Forbidden"};
  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
    setup();
    ck_assert_msg(poll_failed(400, codes[i]) == HEALTH_FAILED_NOW, "%s",
                  codes[i]);
  }
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
  for (int i = 1; i < HEALTH_UNREACHABLE_POLLS; i++)
    ck_assert_msg(unreachable() == HEALTH_UNCHANGED, "poll %d", i);
  ck_assert(!health.failed);
  ck_assert_int_eq(unreachable(), HEALTH_FAILED_NOW);
  ck_assert(health.failed);
  ck_assert_int_eq(unreachable(), HEALTH_UNCHANGED);
  ck_assert_int_eq(unreachable(), HEALTH_UNCHANGED);
  ck_assert_int_eq(ok(), HEALTH_RECOVERED);
}
END_TEST

START_TEST(a_poll_that_works_restarts_the_unreachable_count) {
  for (int i = 1; i < HEALTH_UNREACHABLE_POLLS; i++)
    ck_assert_int_eq(unreachable(), HEALTH_UNCHANGED);
  ck_assert_int_eq(ok(), HEALTH_UNCHANGED);
  for (int i = 1; i < HEALTH_UNREACHABLE_POLLS; i++)
    ck_assert_int_eq(unreachable(), HEALTH_UNCHANGED);
  ck_assert(!health.failed);
  ck_assert_int_eq(unreachable(), HEALTH_FAILED_NOW);
}
END_TEST

START_TEST(an_answer_between_unreachable_polls_restarts_the_count) {
  /* "In a row": a 503 is an answer, so the endpoint was reachable. */
  for (int round = 0; round < 3; round++) {
    for (int i = 1; i < HEALTH_UNREACHABLE_POLLS; i++)
      ck_assert_int_eq(unreachable(), HEALTH_UNCHANGED);
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
  for (int i = 1; i < HEALTH_UNREACHABLE_POLLS; i++)
    ck_assert_int_eq(unreachable(), HEALTH_UNCHANGED);
  ck_assert_int_eq(unreachable(), HEALTH_FAILED_NOW);
}
END_TEST

START_TEST(a_failed_state_loaded_from_the_state_file_recovers_on_success) {
  health.failed = true;
  ck_assert_int_eq(poll_failed(400, "SignatureDoesNotMatch"), HEALTH_UNCHANGED);
  ck_assert_int_eq(unreachable(), HEALTH_UNCHANGED);
  ck_assert_int_eq(ok(), HEALTH_RECOVERED);
}
END_TEST

int main(void) {
  Suite *s = suite_create("health");
  TCase *tc = tcase_create("health");
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_add_test(tc, a_healthy_account_that_polls_fine_stays_unchanged);
  tcase_add_test(tc, a_wrong_secret_fails_the_account_once);
  tcase_add_test(tc, a_failed_account_that_polls_fine_recovers_once);
  tcase_add_test(tc, a_ram_policy_that_forbids_fails_the_account);
  tcase_add_test(tc, a_clock_that_is_off_fails_the_account);
  tcase_add_test(tc, other_codes_that_need_a_human_fail_the_account);
  tcase_add_test(tc, a_busy_service_never_fails_the_account);
  tcase_add_test(tc,
                 an_unreachable_endpoint_fails_the_account_after_enough_polls);
  tcase_add_test(tc, a_poll_that_works_restarts_the_unreachable_count);
  tcase_add_test(tc, an_answer_between_unreachable_polls_restarts_the_count);
  tcase_add_test(
      tc, after_recovering_from_unreachable_it_takes_as_many_polls_again);
  tcase_add_test(tc,
                 a_failed_state_loaded_from_the_state_file_recovers_on_success);
  suite_add_tcase(s, tc);
  return unit_run(s);
}
