/* Which failed calls are tried again, how long to wait first, and which
 * errors need a human (as the Code table says). */
#include "core/retry.h"

#include "core/apicode.h"

#include "unit.h"

#include <check.h>
#include <limits.h>
#include <stddef.h>

/* What health.c asks of a Code. */
static bool retry_needs_human(const char *code) {
  return apicode_is(code, APICODE_NEEDS_HUMAN);
}

typedef struct {
  long http_status;
  const char *code;
} answer_t;

/* Each answer is classified as want, and counts as throttling or not. */
static void assert_classified(const answer_t *answers, size_t n,
                              retry_kind_t want, bool throttled) {
  for (size_t i = 0; i < n; i++) {
    const answer_t *a = &answers[i];
    ck_assert_msg(retry_classify(a->http_status, a->code) == want,
                  "%ld %s not classified %d", a->http_status, a->code, want);
    ck_assert_msg(retry_is_throttled(a->http_status, a->code) == throttled,
                  "%ld %s %sthrottled", a->http_status, a->code,
                  throttled ? "not " : "");
  }
}

/* None of the answers' codes needs a human. */
static void assert_no_human_needed(const answer_t *answers, size_t n) {
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(!retry_needs_human(answers[i].code), "%s", answers[i].code);
}

/* ---- classification ---- */

START_TEST(a_transport_error_is_retried_after_a_backoff) {
  ck_assert_int_eq(retry_classify(0, NULL), RETRY_BACKOFF);
  ck_assert(!retry_is_throttled(0, NULL));
  ck_assert(!retry_needs_human(NULL));
}
END_TEST

START_TEST(throttling_is_retried_after_a_backoff) {
  static const answer_t answers[] = {
      {429, NULL},
      {429, "TooManyRequests"},
      {400, "Throttling.User"},
      {400, "Throttling.Api"},
      {400, "Throttling"},
      {503, "Throttling.User"},
      {200, "Throttling.User"}, /* an error body with HTTP 200 */
  };
  assert_classified(answers, N_OF(answers), RETRY_BACKOFF, true);
  assert_no_human_needed(answers, N_OF(answers));
}
END_TEST

START_TEST(server_errors_are_retried_after_a_backoff_unthrottled) {
  static const answer_t answers[] = {
      {500, NULL},
      {502, NULL},
      {503, NULL},
      {504, NULL},
      {500, "InternalError"},
      {503, "ServiceUnavailable"},
      {400, "ServiceUnavailable"}, /* the Code alone says so */
      {200, "InternalError"},
      {200, NULL}, /* an unusable body: cut short or garbled on its way */
  };
  assert_classified(answers, N_OF(answers), RETRY_BACKOFF, false);
  assert_no_human_needed(answers, N_OF(answers));
}
END_TEST

START_TEST(a_used_nonce_is_signed_again_without_waiting) {
  ck_assert_int_eq(retry_classify(400, "SignatureNonceUsed"), RETRY_NEW_NONCE);
  ck_assert(!retry_is_throttled(400, "SignatureNonceUsed"));
  ck_assert(!retry_needs_human("SignatureNonceUsed"));
}
END_TEST

START_TEST(an_expired_token_is_signed_again_with_new_credentials_at_once) {
  /* Whatever the status the service answers it with. */
  ck_assert_int_eq(retry_classify(400, "InvalidSecurityToken.Expired"),
                   RETRY_NEW_CREDS);
  ck_assert_int_eq(retry_classify(403, "InvalidSecurityToken.Expired"),
                   RETRY_NEW_CREDS);
  ck_assert_int_eq(retry_classify(500, "InvalidSecurityToken.Expired"),
                   RETRY_NEW_CREDS);
  ck_assert(!retry_is_throttled(400, "InvalidSecurityToken.Expired"));
  /* Another token trouble is a human's. */
  ck_assert_int_eq(retry_classify(400, "InvalidSecurityToken.Mismatch"),
                   RETRY_NO);
}
END_TEST

START_TEST(new_credentials_are_tried_once_a_call) {
  ck_assert(retry_again(RETRY_NEW_CREDS, 1, false));
  ck_assert(retry_again(RETRY_NEW_CREDS, 2, false)); /* after a 5xx, say */
  /* Renewed already in this call: the new ones expired too. */
  ck_assert(!retry_again(RETRY_NEW_CREDS, 2, true));
  ck_assert(!retry_again(RETRY_NEW_CREDS, RETRY_MAX_ATTEMPTS, false));
  /* Other retries are not held back by a renewal before them. */
  ck_assert(retry_again(RETRY_BACKOFF, 2, true));
  ck_assert(retry_again(RETRY_NEW_NONCE, 1, true));
}
END_TEST

START_TEST(no_retry_past_the_last_attempt_nor_for_a_humans_turn) {
  for (int attempt = 1; attempt < RETRY_MAX_ATTEMPTS; attempt++) {
    ck_assert(retry_again(RETRY_BACKOFF, attempt, false));
    ck_assert(!retry_again(RETRY_NO, attempt, false));
  }
  ck_assert(!retry_again(RETRY_BACKOFF, RETRY_MAX_ATTEMPTS, false));
  ck_assert(!retry_again(RETRY_NEW_NONCE, RETRY_MAX_ATTEMPTS, false));
}
END_TEST

START_TEST(auth_and_validation_errors_are_not_retried) {
  static const answer_t answers[] = {
      {400, "SignatureDoesNotMatch"},
      {404, "InvalidAccessKeyId.NotFound"},
      {403, "Forbidden.RAM"},
      {400, "InvalidTimeStamp.Expired"},
      {400, "MissingParameter.ObjectType"},
      {400, "InvalidTime"},
      {400, "InvalidObjectType.ValueNotSupported"},
      {400, NULL},
      {404, NULL},
  };
  assert_classified(answers, N_OF(answers), RETRY_NO, false);
}
END_TEST

START_TEST(auth_permission_and_clock_errors_need_a_human) {
  static const char *const codes[] = {
      "SignatureDoesNotMatch",
      "InvalidAccessKeyId.NotFound",
      "InvalidAccessKeyId",
      "InvalidAccessKeyId.Inactive",
      "Forbidden.RAM",
      "Forbidden",
      "InvalidTimeStamp.Expired",
      "IncompleteSignature",
      "InvalidSecurityToken",
      "InvalidSecurityToken.Expired",
      "MissingAccessKeyId",
  };
  for (size_t i = 0; i < N_OF(codes); i++)
    ck_assert_msg(retry_needs_human(codes[i]), "%s", codes[i]);
}
END_TEST

START_TEST(passing_errors_and_our_own_mistakes_need_no_human) {
  static const char *const codes[] = {
      "Throttling.User",
      "TooManyRequests",
      "SignatureNonceUsed",
      "InternalError",
      "InvalidTime",
      "MissingParameter.ObjectType",
      "transport",
      "",
      NULL,
  };
  for (size_t i = 0; i < N_OF(codes); i++)
    ck_assert_msg(!retry_needs_human(codes[i]), "%s", codes[i]);
}
END_TEST

/* ---- backoff ---- */

/* The delay without jitter's shortening: base x 2^(attempt-1), capped. */
static double full_delay(int attempt) {
  double d = RETRY_BASE_DELAY;
  for (int i = 1; i < attempt && d < RETRY_MAX_DELAY; i++)
    d *= 2;
  return d < RETRY_MAX_DELAY ? d : RETRY_MAX_DELAY;
}

START_TEST(the_first_retry_waits_about_the_base_delay) {
  ck_assert_double_eq(retry_delay(1, 0.0), RETRY_BASE_DELAY / 2);
  ck_assert_double_eq_tol(retry_delay(1, 0.999999), RETRY_BASE_DELAY, 1e-6);
  ck_assert_double_lt(retry_delay(1, 0.999999), RETRY_BASE_DELAY);
}
END_TEST

START_TEST(each_further_retry_waits_twice_as_long) {
  ck_assert_double_eq(retry_delay(1, 0.5), 0.1875);
  ck_assert_double_eq(retry_delay(2, 0.5), 0.375);
  ck_assert_double_eq(retry_delay(3, 0.5), 0.75);
  ck_assert_double_eq(retry_delay(4, 0.5), 1.5);
  ck_assert_double_eq(retry_delay(5, 0.5), 3.0);
}
END_TEST

START_TEST(the_delay_is_capped) {
  ck_assert_double_eq(retry_delay(6, 0.0), RETRY_MAX_DELAY / 2);
  ck_assert_double_eq(retry_delay(6, 0.5), RETRY_MAX_DELAY * 0.75);
  ck_assert_double_eq(retry_delay(7, 0.5), RETRY_MAX_DELAY * 0.75);
  ck_assert_double_eq(retry_delay(100, 0.5), RETRY_MAX_DELAY * 0.75);
  ck_assert_double_eq(retry_delay(INT_MAX, 0.5), RETRY_MAX_DELAY * 0.75);
  ck_assert_double_lt(retry_delay(INT_MAX, 0.999999), RETRY_MAX_DELAY);
}
END_TEST

START_TEST(attempts_before_the_first_count_as_the_first) {
  ck_assert_double_eq(retry_delay(0, 0.5), retry_delay(1, 0.5));
  ck_assert_double_eq(retry_delay(-5, 0.5), retry_delay(1, 0.5));
}
END_TEST

START_TEST(jitter_keeps_the_delay_between_half_and_all_of_it) {
  static const double jitters[] = {0.0, 0.001, 0.25, 0.5, 0.75, 0.999, 0.9999};
  for (int attempt = 1; attempt <= 12; attempt++) {
    double full = full_delay(attempt);
    double last = 0;
    for (size_t j = 0; j < N_OF(jitters); j++) {
      double d = retry_delay(attempt, jitters[j]);
      ck_assert_msg(d >= full / 2 && d < full,
                    "attempt %d jitter %g: %g outside [%g, %g)", attempt,
                    jitters[j], d, full / 2, full);
      ck_assert_msg(d > last, "attempt %d: jitter %g gives no longer delay",
                    attempt, jitters[j]);
      ck_assert_double_le(d, RETRY_MAX_DELAY);
      last = d;
    }
  }
}
END_TEST

START_TEST(delays_never_shrink_from_one_attempt_to_the_next) {
  for (int attempt = 1; attempt < 40; attempt++)
    ck_assert_msg(retry_delay(attempt + 1, 0.3) >= retry_delay(attempt, 0.3),
                  "attempt %d", attempt);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      a_transport_error_is_retried_after_a_backoff,
      throttling_is_retried_after_a_backoff,
      server_errors_are_retried_after_a_backoff_unthrottled,
      a_used_nonce_is_signed_again_without_waiting,
      an_expired_token_is_signed_again_with_new_credentials_at_once,
      new_credentials_are_tried_once_a_call,
      no_retry_past_the_last_attempt_nor_for_a_humans_turn,
      auth_and_validation_errors_are_not_retried,
      auth_permission_and_clock_errors_need_a_human,
      passing_errors_and_our_own_mistakes_need_no_human,
      the_first_retry_waits_about_the_base_delay,
      each_further_retry_waits_twice_as_long,
      the_delay_is_capped,
      attempts_before_the_first_count_as_the_first,
      jitter_keeps_the_delay_between_half_and_all_of_it,
      delays_never_shrink_from_one_attempt_to_the_next,
  };
  return unit_main("retry", tests, N_OF(tests), NULL);
}
