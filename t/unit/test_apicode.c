/* The table of the API's Codes: every row reachable, and what the plugin
 * makes of each Code it knows (exact codes, prefixes, unknown ones). */
#include "core/apicode.h"

#include "unit.h"

#include <check.h>
#include <string.h>

/* A row hidden by an earlier one would never be asked: each row's code
 * finds that row. */
START_TEST(no_row_is_hidden_by_an_earlier_one) {
  size_t n = 0;
  const apicode_t *rows = apicode_rows(&n);
  ck_assert_uint_gt(n, 0);
  for (size_t i = 0; i < n; i++) {
    ck_assert_msg(rows[i].code != NULL && rows[i].code[0] != '\0', "row %zu",
                  i);
    ck_assert_msg(apicode_lookup(rows[i].code) == &rows[i],
                  "row %zu (%s) is hidden by row \"%s\"", i, rows[i].code,
                  apicode_lookup(rows[i].code)->code);
  }
}
END_TEST

/* What counts as throttling is always tried again after a backoff. */
START_TEST(throttled_rows_back_off) {
  size_t n = 0;
  const apicode_t *rows = apicode_rows(&n);
  for (size_t i = 0; i < n; i++)
    if (rows[i].flags & APICODE_THROTTLED)
      ck_assert_msg(rows[i].retry == RETRY_BACKOFF, "%s", rows[i].code);
}
END_TEST

START_TEST(an_unknown_empty_or_missing_code_means_nothing) {
  static const char *const codes[] = {NULL,
                                      "",
                                      "MissingParameter.ObjectType",
                                      "InvalidEndTime.Mismatch",
                                      "throttling",
                                      "Forbidde"};
  for (size_t i = 0; i < N_OF(codes); i++) {
    const apicode_t *row = apicode_lookup(codes[i]);
    ck_assert_ptr_nonnull(row);
    ck_assert_msg(row->retry == RETRY_NO && row->flags == 0, "%s", codes[i]);
  }
}
END_TEST

START_TEST(a_prefix_row_takes_the_codes_that_start_with_it) {
  ck_assert(apicode_is("Throttling", APICODE_THROTTLED));
  ck_assert(apicode_is("Throttling.User", APICODE_THROTTLED));
  ck_assert(apicode_is("InvalidTimeStamp.Expired", APICODE_CLOCK));
  ck_assert(apicode_is("InvalidAccessKeyId.Inactive", APICODE_NEEDS_HUMAN));
  ck_assert(apicode_is("Forbidden.Domain", APICODE_NEEDS_HUMAN));
  /* CDN not activated: every call of the account fails alike. */
  ck_assert(apicode_is("OperationDenied", APICODE_ACCOUNT));
  ck_assert(apicode_is("OperationDenied.Suspended", APICODE_NEEDS_HUMAN));
}
END_TEST

START_TEST(an_exact_row_takes_its_code_only) {
  ck_assert(apicode_is("Forbidden.RAM", APICODE_REFUSED));
  ck_assert(!apicode_is("Forbidden.RAM.Other", APICODE_REFUSED));
  ck_assert(!apicode_is("Forbidden", APICODE_REFUSED));
  ck_assert_int_eq(apicode_lookup("InvalidSecurityToken.Expired")->retry,
                   RETRY_NEW_CREDS);
  ck_assert_int_eq(apicode_lookup("InvalidSecurityToken.Malformed")->retry,
                   RETRY_NO);
  ck_assert(!apicode_is("TooManyRequests.Soon", APICODE_THROTTLED));
  ck_assert_int_eq(apicode_lookup("SignatureNonceUsed")->retry,
                   RETRY_NEW_NONCE);
  ck_assert_int_eq(apicode_lookup("SignatureNonceUsedAgain")->retry, RETRY_NO);
}
END_TEST

/* The key, the signature and the clock fail every call of the account; a
 * permission may be one domain's. */
START_TEST(the_key_and_the_clock_are_the_accounts_trouble_permissions_not) {
  static const char *const account[] = {"SignatureDoesNotMatch",
                                        "InvalidAccessKeyId.NotFound",
                                        "InvalidTimeStamp.Expired",
                                        "IncompleteSignature",
                                        "InvalidSecurityToken.Expired",
                                        "MissingAccessKeyId",
                                        "Throttling.User",
                                        "TooManyRequests"};
  static const char *const not_account[] = {
      "Forbidden.RAM",      "Forbidden",     "SignatureNonceUsed",
      "ServiceUnavailable", "InternalError", "InvalidParameter"};
  for (size_t i = 0; i < N_OF(account); i++)
    ck_assert_msg(apicode_is(account[i], APICODE_ACCOUNT), "%s", account[i]);
  for (size_t i = 0; i < N_OF(not_account); i++)
    ck_assert_msg(!apicode_is(not_account[i], APICODE_ACCOUNT), "%s",
                  not_account[i]);
}
END_TEST

START_TEST(a_window_outside_the_apis_time_is_planned_again) {
  ck_assert(apicode_is("InvalidTime", APICODE_TIME_RANGE));
  ck_assert(
      apicode_is("InvalidStartTime.ValueNotSupported", APICODE_TIME_RANGE));
  ck_assert(!apicode_is("InvalidStartTime.Malformed", APICODE_TIME_RANGE));
  ck_assert(!apicode_is("InvalidTime", APICODE_NEEDS_HUMAN));
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      a_window_outside_the_apis_time_is_planned_again,
      no_row_is_hidden_by_an_earlier_one,
      throttled_rows_back_off,
      an_unknown_empty_or_missing_code_means_nothing,
      a_prefix_row_takes_the_codes_that_start_with_it,
      an_exact_row_takes_its_code_only,
      the_key_and_the_clock_are_the_accounts_trouble_permissions_not,
  };
  return unit_main("apicode", tests, N_OF(tests), NULL);
}
