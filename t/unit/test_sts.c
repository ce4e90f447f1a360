/* STS AssumeRole without I/O: where each parameter comes from, the API's
 * rules for them, the request's parameters and endpoint, and the answers
 * (credentials, or an error that holds no secret). */
#include "core/sts.h"

#include "core/request.h"

#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARN "acs:ram::1234567890123456:role/dcdn-monitor"
#define SECRET "Zx9SecretValueForTests"
#define TOKEN "CAIStokenValueForTests"

static cred_role_t merged;
static cred_t cred;
static params_t params;
static char why[256];

static void teardown(void) {
  cred_role_free(&merged);
  cred_free(&cred);
  params_free(&params);
}

START_TEST(each_parameter_comes_from_the_first_source_that_has_it) {
  cred_role_t conf = {NULL, "from-conf", NULL, NULL, 3600};
  cred_role_t profile = {ARN, "from-profile", NULL, "{\"Version\":\"1\"}", 0};
  cred_role_t env = {"acs:ram::1:role/env", "from-env", "ext-env", NULL, 0};
  const cred_role_t *sources[] = {&conf, &profile, &env};
  ck_assert_int_eq(sts_role_merge(sources, 3, &merged), 0);
  ck_assert_str_eq(merged.arn, ARN);
  ck_assert_str_eq(merged.session_name, "from-conf");
  ck_assert_str_eq(merged.external_id, "ext-env");
  ck_assert_str_eq(merged.policy, "{\"Version\":\"1\"}");
  ck_assert_int_eq(merged.duration, 3600);
}
END_TEST

START_TEST(an_empty_value_is_no_value) {
  cred_role_t conf = {"", "", NULL, NULL, 0};
  cred_role_t env = {ARN, "s1", NULL, NULL, 900};
  const cred_role_t *sources[] = {&conf, &env};
  ck_assert_int_eq(sts_role_merge(sources, 2, &merged), 0);
  ck_assert_str_eq(merged.arn, ARN);
  ck_assert_str_eq(merged.session_name, "s1");
  ck_assert_int_eq(merged.duration, 900);
  ck_assert(sts_role_any(&merged));
  cred_role_t none = {0};
  ck_assert(!sts_role_any(&none));
}
END_TEST

START_TEST(a_role_by_the_apis_rules_passes) {
  cred_role_t r = {ARN, "collectd-dcdn.host_1@x", "abc+=,.@:/-_", "{}", 43200};
  ck_assert_int_eq(sts_check_role(&r, why, sizeof(why)), 0);
  cred_role_t only_session = {NULL, "ab", NULL, NULL, 900};
  ck_assert_int_eq(sts_check_role(&only_session, why, sizeof(why)), 0);
}
END_TEST

/* Each parameter out of its rule, and the name the reason gives. */
static const struct {
  cred_role_t role;
  const char *names;
} bad_roles[] = {
    {{"arn:acs:ram::1:role/r", NULL, NULL, NULL, 0}, "RoleArn"},
    {{"acs:ram::x:role/r", NULL, NULL, NULL, 0}, "RoleArn"},
    {{"acs:ram::1:user/r", NULL, NULL, NULL, 0}, "RoleArn"},
    {{"acs:ram::1:role/", NULL, NULL, NULL, 0}, "RoleArn"},
    {{"acs:ram::1:role/a b", NULL, NULL, NULL, 0}, "RoleArn"},
    {{ARN, "a", NULL, NULL, 0}, "RoleSessionName"},
    {{ARN, "has space", NULL, NULL, 0}, "RoleSessionName"},
    {{ARN, "x0123456789012345678901234567890123456789012345678901234567890123",
      NULL, NULL, 0},
     "RoleSessionName"},
    {{ARN, NULL, "e", NULL, 0}, "ExternalId"},
    {{ARN, NULL, "ext id", NULL, 0}, "ExternalId"},
    {{ARN, NULL, NULL, NULL, 899}, "DurationSeconds"},
    {{ARN, NULL, NULL, NULL, 43201}, "DurationSeconds"},
};

START_TEST(a_parameter_out_of_its_rule_is_refused_naming_it) {
  strcpy(why, "");
  ck_assert_int_eq(sts_check_role(&bad_roles[_i].role, why, sizeof(why)), -1);
  ck_assert_msg(strstr(why, bad_roles[_i].names) != NULL, "\"%s\"", why);
}
END_TEST

START_TEST(a_policy_longer_than_2048_is_refused) {
  char policy[2050];
  memset(policy, 'p', sizeof(policy) - 1);
  policy[sizeof(policy) - 1] = '\0';
  cred_role_t r = {ARN, NULL, NULL, policy, 0};
  ck_assert_int_eq(sts_check_role(&r, why, sizeof(why)), -1);
  ck_assert_ptr_nonnull(strstr(why, "Policy"));
  ck_assert_ptr_null(strstr(why, "ppp"));
  policy[2048] = '\0';
  ck_assert_int_eq(sts_check_role(&r, why, sizeof(why)), 0);
}
END_TEST

/* Each option that means nothing without a role, given alone. */
static const struct {
  cred_role_t configured;
  const char *sts_endpoint;
  const char *name;
} without_role[] = {
    {{NULL, "s1", NULL, NULL, 0}, NULL, "\"RoleSessionName\""},
    {{NULL, NULL, "ext-1", NULL, 0}, NULL, "\"ExternalId\""},
    {{NULL, NULL, NULL, "{}", 0}, NULL, "\"Policy\""},
    {{NULL, NULL, NULL, NULL, 900}, NULL, "\"DurationSeconds\""},
    {{NULL, NULL, NULL, NULL, 0}, "https://sts.example.com", "\"STSEndpoint\""},
};

START_TEST(a_role_option_without_a_role_is_refused_naming_it) {
  strcpy(why, "");
  ck_assert_int_eq(sts_check_needs_role(&without_role[_i].configured,
                                        without_role[_i].sts_endpoint, NULL,
                                        why, sizeof(why)),
                   -1);
  ck_assert_msg(strstr(why, without_role[_i].name) != NULL, "\"%s\"", why);
  ck_assert_ptr_nonnull(strstr(why, "needs a role"));
  /* With a role from any source, the same option is fine. */
  ck_assert_int_eq(sts_check_needs_role(&without_role[_i].configured,
                                        without_role[_i].sts_endpoint, ARN, why,
                                        sizeof(why)),
                   0);
}
END_TEST

START_TEST(no_role_option_and_no_role_is_fine) {
  cred_role_t none = {0};
  ck_assert_int_eq(sts_check_needs_role(&none, NULL, NULL, why, sizeof(why)),
                   0);
}
END_TEST

START_TEST(the_made_up_session_name_passes_the_rules) {
  char name[64];
  sts_session_name(name, sizeof(name), 1767225600);
  ck_assert_str_eq(name, "collectd-dcdn-1767225600");
  cred_role_t r = {ARN, name, NULL, NULL, 0};
  ck_assert_int_eq(sts_check_role(&r, why, sizeof(why)), 0);
}
END_TEST

START_TEST(the_request_holds_the_parameters_given_and_the_default_duration) {
  cred_role_t r = {ARN, "s1", NULL, NULL, 0};
  ck_assert_int_eq(sts_params(&r, &params), 0);
  ck_assert_int_eq(params.count, 3);
  ck_assert_str_eq(params_get(&params, "RoleArn"), ARN);
  ck_assert_str_eq(params_get(&params, "RoleSessionName"), "s1");
  ck_assert_str_eq(params_get(&params, "DurationSeconds"), "3600");
  params_free(&params);
  cred_role_t full = {ARN, "s1", "ext-1", "{}", 900};
  ck_assert_int_eq(sts_params(&full, &params), 0);
  ck_assert_int_eq(params.count, 5);
  ck_assert_str_eq(params_get(&params, "DurationSeconds"), "900");
  ck_assert_str_eq(params_get(&params, "ExternalId"), "ext-1");
  ck_assert_str_eq(params_get(&params, "Policy"), "{}");
}
END_TEST

START_TEST(the_request_is_signed_v1_for_sts_2015_04_01) {
  cred_role_t r = {ARN, "s1", NULL, NULL, 0};
  ck_assert_int_eq(sts_params(&r, &params), 0);
  request_spec_t spec = {.signature_version = 1,
                         .endpoint = "https://sts.aliyuncs.com",
                         .access_key_id = "id",
                         .access_key_secret = SECRET,
                         .action = STS_ACTION,
                         .version = STS_API_VERSION,
                         .api_params = &params,
                         .nonce = "n",
                         .timestamp = "2026-01-01T00:00:00Z"};
  request_t req;
  ck_assert_int_eq(request_build(&spec, &req), 0);
  ck_assert_ptr_nonnull(strstr(req.url, "https://sts.aliyuncs.com/?"));
  ck_assert_ptr_nonnull(strstr(req.url, "Action=AssumeRole&"));
  ck_assert_ptr_nonnull(strstr(req.url, "Version=2015-04-01&"));
  ck_assert_ptr_nonnull(strstr(req.url, "RoleArn=acs%3Aram%3A%3A"));
  ck_assert_ptr_nonnull(strstr(req.url, "&Signature="));
  ck_assert_ptr_null(strstr(req.url, SECRET));
  request_free(&req);
}
END_TEST

START_TEST(the_endpoint_is_the_configured_then_the_regions_then_the_public) {
  char *url = NULL;
  ck_assert_int_eq(sts_endpoint("http://127.0.0.1:9", "cn-hangzhou", true, &url,
                                why, sizeof(why)),
                   0);
  ck_assert_str_eq(url, "http://127.0.0.1:9");
  free(url);
  ck_assert_int_eq(
      sts_endpoint(NULL, "cn-hangzhou", false, &url, why, sizeof(why)), 0);
  ck_assert_str_eq(url, "https://sts.cn-hangzhou.aliyuncs.com");
  free(url);
  ck_assert_int_eq(
      sts_endpoint(NULL, "cn-hangzhou", true, &url, why, sizeof(why)), 0);
  ck_assert_str_eq(url, "https://sts-vpc.cn-hangzhou.aliyuncs.com");
  free(url);
  ck_assert_int_eq(sts_endpoint(NULL, NULL, true, &url, why, sizeof(why)), 0);
  ck_assert_str_eq(url, STS_DEFAULT_ENDPOINT);
  free(url);
  ck_assert_int_eq(
      sts_endpoint(NULL, "evil.com/x", false, &url, why, sizeof(why)), -1);
  ck_assert_ptr_nonnull(strstr(why, "ALIBABA_CLOUD_STS_REGION"));
}
END_TEST

#define ANSWER(credentials)                                                    \
  "{\"RequestId\":\"6894B13B\",\"AssumedRoleUser\":{\"Arn\":\"" ARN            \
  "/s1\",\"AssumedRoleId\":\"3445:s1\"},\"Credentials\":{" credentials "}}"
#define FULL                                                                   \
  "\"AccessKeyId\":\"STS.NTxx\",\"AccessKeySecret\":\"" SECRET                 \
  "\",\"SecurityToken\":\"" TOKEN "\",\"Expiration\":\"2026-01-01T12:00:00Z\""

START_TEST(the_documented_answer_gives_expiring_credentials) {
  ck_assert_int_eq(sts_parse_answer(ANSWER(FULL), &cred, why, sizeof(why)), 0);
  ck_assert_str_eq(cred.access_key_id, "STS.NTxx");
  ck_assert_str_eq(cred.access_key_secret, SECRET);
  ck_assert_str_eq(cred.security_token, TOKEN);
  ck_assert_int_eq(cred.expiration, 1767268800);
}
END_TEST

static const struct {
  const char *body, *names;
} bad_answers[] = {
    {ANSWER("\"AccessKeySecret\":\"" SECRET "\",\"SecurityToken\":\"" TOKEN
            "\",\"Expiration\":\"2026-01-01T12:00:00Z\""),
     "Credentials.AccessKeyId"},
    {ANSWER("\"AccessKeyId\":\"STS.a\",\"AccessKeySecret\":\"\","
            "\"SecurityToken\":\"" TOKEN
            "\",\"Expiration\":\"2026-01-01T12:00:00Z\""),
     "Credentials.AccessKeySecret"},
    {ANSWER("\"AccessKeyId\":\"STS.a\",\"AccessKeySecret\":\"" SECRET
            "\",\"SecurityToken\":7,\"Expiration\":\"2026-01-01T12:00:00Z\""),
     "Credentials.SecurityToken"},
    {ANSWER("\"AccessKeyId\":\"STS.a\",\"AccessKeySecret\":\"" SECRET
            "\",\"SecurityToken\":\"" TOKEN "\",\"Expiration\":\"tomorrow\""),
     "Credentials.Expiration"},
    /* The same members outside Credentials are not the role's. */
    {"{\"AccessKeyId\":\"STS.a\",\"AccessKeySecret\":\"" SECRET
     "\",\"SecurityToken\":\"" TOKEN
     "\",\"Expiration\":\"2026-01-01T12:00:00Z\",\"Credentials\":{}}",
     "Credentials.AccessKeyId"},
    {"{\"Credentials\":{\"Inner\":{" FULL "}}}", "Credentials.AccessKeyId"},
    {"[{\"Credentials\":{" FULL "}}]", "not a JSON object"},
    {"{\"Credentials\":{" FULL "}", "not a JSON object"},
};

START_TEST(an_unusable_answer_is_refused_naming_the_field) {
  strcpy(why, "");
  ck_assert_int_eq(
      sts_parse_answer(bad_answers[_i].body, &cred, why, sizeof(why)), -1);
  ck_assert_msg(strstr(why, bad_answers[_i].names) != NULL, "\"%s\"", why);
  ck_assert_ptr_null(strstr(why, SECRET));
  ck_assert_ptr_null(strstr(why, TOKEN));
  ck_assert_ptr_null(cred.access_key_id);
}
END_TEST

START_TEST(an_error_answer_gives_code_request_id_and_message) {
  sts_error_t err;
  sts_parse_error("{\"RequestId\":\"R-1\",\"HostId\":\"sts.aliyuncs.com\","
                  "\"Code\":\"EntityNotExist.Role\",\"Message\":\"The "
                  "specified Role not exists .\"}",
                  &err);
  ck_assert_str_eq(err.code, "EntityNotExist.Role");
  ck_assert_str_eq(err.request_id, "R-1");
  ck_assert_str_eq(err.message, "The specified Role not exists .");
  sts_parse_error("not json", &err);
  ck_assert_str_eq(err.code, "");
  ck_assert_str_eq(err.message, "");
}
END_TEST

START_TEST(a_signature_message_loses_the_string_to_sign_and_its_token) {
  sts_error_t err;
  sts_parse_error("{\"Code\":\"SignatureDoesNotMatch\",\"Message\":\"Specified "
                  "signature is not matched with our calculation. server "
                  "string to sign is:GET&%2F&SecurityToken%3D" TOKEN "\"}",
                  &err);
  ck_assert_str_eq(err.message,
                   "Specified signature is not matched with our calculation.");
}
END_TEST

static void add_loop_tests(Suite *suite, TCase *tc) {
  (void)suite;
  tcase_add_loop_test(tc, a_parameter_out_of_its_rule_is_refused_naming_it, 0,
                      N_OF(bad_roles));
  tcase_add_loop_test(tc, an_unusable_answer_is_refused_naming_the_field, 0,
                      N_OF(bad_answers));
  tcase_add_loop_test(tc, a_role_option_without_a_role_is_refused_naming_it, 0,
                      N_OF(without_role));
}

static const unit_case_t test_case = {.teardown = teardown,
                                      .extend = add_loop_tests};

int main(void) {
  const TTest *const tests[] = {
      each_parameter_comes_from_the_first_source_that_has_it,
      an_empty_value_is_no_value,
      a_role_by_the_apis_rules_passes,
      a_policy_longer_than_2048_is_refused,
      no_role_option_and_no_role_is_fine,
      the_made_up_session_name_passes_the_rules,
      the_request_holds_the_parameters_given_and_the_default_duration,
      the_request_is_signed_v1_for_sts_2015_04_01,
      the_endpoint_is_the_configured_then_the_regions_then_the_public,
      the_documented_answer_gives_expiring_credentials,
      an_error_answer_gives_code_request_id_and_message,
      a_signature_message_loses_the_string_to_sign_and_its_token,
  };
  return unit_main("sts", tests, N_OF(tests), &test_case);
}
