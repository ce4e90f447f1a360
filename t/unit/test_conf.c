/* Config validation: every option, default and error of the <Account>
 * block, written as the configuration a user would write. */
#include "core/conf.h"
#include "oconfig_builder.h"

#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char last_warning[1024];
static int warnings;

static void record_warning(void *ctx, const char *message) {
  (void)ctx;
  snprintf(last_warning, sizeof(last_warning), "%s", message);
  warnings++;
}

/* Parses text as the inside of <Plugin dcdn>; returns conf_add_block's
 * status, with the error text in err. */
static int parse(const char *text, conf_t *conf, char *err, size_t size) {
  oconfig_item_t *root = oconfig_from_text(text);
  warnings = 0;
  last_warning[0] = '\0';
  err[0] = '\0';
  int status = conf_add_block(conf, root, err, size, record_warning, NULL);
  oconfig_builder_free(root);
  return status;
}

#define ACCOUNT_START                                                          \
  "<Account \"prod\">\n  AccessKeyId \"LTAIkey\"\n"                            \
  "  AccessKeySecret \"s3cr3t-value\"\n"

static void assert_error(const char *text, const char *expect1,
                         const char *expect2) {
  conf_t conf = CONF_INIT;
  char err[1024];
  ck_assert_int_eq(parse(text, &conf, err, sizeof(err)), -1);
  ck_assert_msg(strstr(err, expect1) != NULL, "\"%s\" lacks \"%s\"", err,
                expect1);
  ck_assert_msg(strstr(err, expect2) != NULL, "\"%s\" lacks \"%s\"", err,
                expect2);
  ck_assert_msg(strstr(err, "s3cr3t-value") == NULL, "secret in: %s", err);
  ck_assert_uint_eq(conf.count, 0);
  conf_free(&conf);
}

START_TEST(minimal_account_gets_the_documented_defaults) {
  conf_t conf = CONF_INIT;
  char err[1024];
  ck_assert_int_eq(parse(ACCOUNT_START "  Domain \"Example.COM\"\n"
                                       "</Account>\n",
                         &conf, err, sizeof(err)),
                   0);
  ck_assert_uint_eq(conf.count, 1);
  const conf_account_t *a = &conf.accounts[0];
  ck_assert_str_eq(a->name, "prod");
  ck_assert_str_eq(a->access_key_id, "LTAIkey");
  ck_assert_str_eq(a->access_key_secret, "s3cr3t-value");
  ck_assert_str_eq(a->endpoint, "https://dcdn.aliyuncs.com");
  ck_assert_str_eq(a->endpoint_host, "dcdn.aliyuncs.com");
  ck_assert(a->endpoint_tls);
  ck_assert_int_eq(a->signature_version, 3);
  ck_assert_double_eq(a->timeout, 10.0);
  ck_assert_ptr_null(a->cacert);
  ck_assert_double_eq(a->interval, 0.0);
  ck_assert_int_eq(a->lookback, 3600);
  ck_assert_double_eq(a->rate_limit, 5.0);
  ck_assert_int_eq(a->query_mode, CONF_QUERY_AUTO);
  ck_assert_uint_eq(a->domain_count, 1);
  ck_assert_str_eq(a->domains[0].name, "example.com");
  ck_assert_uint_eq(a->domains[0].type_mask, CONF_TYPES_ALL);
  ck_assert_int_eq(warnings, 0);
  conf_free(&conf);
}
END_TEST

START_TEST(full_example_from_the_documentation_parses) {
  conf_t conf = CONF_INIT;
  char err[1024];
  int status =
      parse(ACCOUNT_START "  Endpoint \"http://127.0.0.1:8080/\"\n"
                          "  SignatureVersion 1\n  Timeout 2.5\n"
                          "  CACert \"/etc/ssl/ca.pem\"\n  Interval 30\n"
                          "  Lookback 259200\n  RateLimit 0.5\n"
                          "  QueryMode \"Domain\"\n"
                          "  Domain \"www.example.com\" \"example.com\"\n"
                          "  <Domain \"static.example.com\">\n"
                          "    ObjectType \"file\" \"preload\"\n"
                          "  </Domain>\n</Account>\n",
            &conf, err, sizeof(err));
  ck_assert_msg(status == 0, "%s", err);
  const conf_account_t *a = &conf.accounts[0];
  ck_assert_str_eq(a->endpoint, "http://127.0.0.1:8080");
  ck_assert_str_eq(a->endpoint_host, "127.0.0.1:8080");
  ck_assert(!a->endpoint_tls);
  ck_assert_int_eq(a->signature_version, 1);
  ck_assert_double_eq(a->timeout, 2.5);
  ck_assert_str_eq(a->cacert, "/etc/ssl/ca.pem");
  ck_assert_double_eq(a->interval, 30.0);
  ck_assert_int_eq(a->lookback, 259200);
  ck_assert_double_eq(a->rate_limit, 0.5);
  ck_assert_int_eq(a->query_mode, CONF_QUERY_DOMAIN);
  ck_assert_uint_eq(a->domain_count, 3);
  /* sorted, so that lookups can bisect */
  ck_assert_str_eq(a->domains[0].name, "example.com");
  ck_assert_str_eq(a->domains[1].name, "static.example.com");
  ck_assert_uint_eq(a->domains[1].type_mask,
                    (1u << TASK_TYPE_FILE) | (1u << TASK_TYPE_PRELOAD));
  ck_assert_ptr_eq(conf_find_domain(a, "www.example.com"), &a->domains[2]);
  ck_assert_ptr_null(conf_find_domain(a, "other.example.com"));
  conf_free(&conf);
}
END_TEST

START_TEST(option_names_are_case_insensitive) {
  conf_t conf = CONF_INIT;
  char err[1024];
  ck_assert_int_eq(parse("<account \"a\">\n accesskeyid \"k\"\n"
                         " ACCESSKEYSECRET \"s\"\n lookBACK 600\n"
                         " <DOMAIN \"x.com\">\n  objecttype \"REGEX\"\n"
                         " </DOMAIN>\n</account>\n",
                         &conf, err, sizeof(err)),
                   0);
  ck_assert_int_eq(conf.accounts[0].lookback, 600);
  ck_assert_uint_eq(conf.accounts[0].domains[0].type_mask,
                    1u << TASK_TYPE_REGEX);
  conf_free(&conf);
}
END_TEST

START_TEST(plain_http_endpoint_warns_that_requests_are_unencrypted) {
  conf_t conf = CONF_INIT;
  char err[1024];
  ck_assert_int_eq(parse(ACCOUNT_START "  Endpoint \"http://sim.local\"\n"
                                       "  Domain \"a.com\"\n</Account>\n",
                         &conf, err, sizeof(err)),
                   0);
  ck_assert_int_eq(warnings, 1);
  ck_assert_ptr_nonnull(strstr(last_warning, "not be encrypted"));
  ck_assert_ptr_nonnull(strstr(last_warning, "prod"));
  conf_free(&conf);
}
END_TEST

START_TEST(rate_limit_above_the_documented_five_warns) {
  conf_t conf = CONF_INIT;
  char err[1024];
  ck_assert_int_eq(parse(ACCOUNT_START "  RateLimit 8\n  Domain \"a.com\"\n"
                                       "</Account>\n",
                         &conf, err, sizeof(err)),
                   0);
  ck_assert_int_eq(warnings, 1);
  ck_assert_ptr_nonnull(strstr(last_warning, "RateLimit 8"));
  conf_free(&conf);
}
END_TEST

START_TEST(default_ports_are_left_out_of_the_host_header) {
  char *endpoint = NULL, *host = NULL, err[128];
  bool tls = false;
  ck_assert_int_eq(conf_parse_endpoint("https://H.example:443", &endpoint,
                                       &host, &tls, err, sizeof(err)),
                   0);
  ck_assert_str_eq(host, "h.example");
  ck_assert_str_eq(endpoint, "https://H.example:443");
  free(endpoint);
  free(host);
  ck_assert_int_eq(conf_parse_endpoint("http://[::1]:9000", &endpoint, &host,
                                       &tls, err, sizeof(err)),
                   0);
  ck_assert_str_eq(host, "[::1]:9000");
  free(endpoint);
  free(host);
}
END_TEST

/* Each config error: the text, then two things the message must name. */
static const struct {
  const char *text;
  const char *names1;
  const char *names2;
} config_errors[] = {
    {ACCOUNT_START "  Colour \"red\"\n  Domain \"a.com\"\n</Account>\n",
     "\"Colour\"", "unknown option"},
    {"<Account \"prod\">\n  AccessKeySecret \"s3cr3t-value\"\n"
     "  Domain \"a.com\"\n</Account>\n",
     "Account \"prod\": option \"AccessKeyId\" is required", "prod"},
    {"<Account \"prod\">\n  AccessKeyId \"k\"\n  Domain \"a.com\"\n"
     "</Account>\n",
     "\"AccessKeySecret\"", "required"},
    {ACCOUNT_START "</Account>\n", "Account \"prod\": at least one Domain",
     "required"},
    {ACCOUNT_START "  Endpoint \"ftp://x.com\"\n  Domain \"a.com\"\n"
                   "</Account>\n",
     "\"ftp://x.com\"", "https://"},
    {ACCOUNT_START "  Endpoint \"https://\"\n  Domain \"a.com\"\n"
                   "</Account>\n",
     "\"Endpoint\"", "no valid host"},
    {ACCOUNT_START "  Endpoint \"https://x.com/api\"\n  Domain \"a.com\"\n"
                   "</Account>\n",
     "\"https://x.com/api\"", "path"},
    {ACCOUNT_START "  Endpoint \"https://x.com:70000\"\n  Domain \"a.com\"\n"
                   "</Account>\n",
     "\"Endpoint\"", "port"},
    {ACCOUNT_START "  Domain \"a.com\" \"A.com\"\n</Account>\n", "\"a.com\"",
     "already listed in account \"prod\""},
    {ACCOUNT_START "  Domain \"bad/name\"\n</Account>\n", "\"bad/name\"",
     "host name"},
    {ACCOUNT_START "  <Domain \"a.com\">\n    ObjectType \"file\" \"dir\"\n"
                   "  </Domain>\n</Account>\n",
     "\"ObjectType\" = \"file\" \"dir\"", "one of file, directory"},
    {ACCOUNT_START "  <Domain \"a.com\">\n    ObjectType \"path\"\n"
                   "  </Domain>\n</Account>\n",
     "\"ObjectType\"", "one of file"},
    {ACCOUNT_START "  Lookback 59\n  Domain \"a.com\"\n</Account>\n",
     "\"Lookback\" = 59", "between 60 and 259200"},
    {ACCOUNT_START "  Lookback 259201\n  Domain \"a.com\"\n</Account>\n",
     "\"Lookback\" = 259201", "between 60 and 259200"},
    {ACCOUNT_START "  SignatureVersion 2\n  Domain \"a.com\"\n</Account>\n",
     "\"SignatureVersion\" = 2", "1 (HMAC-SHA1) or 3"},
    {ACCOUNT_START "  SignatureVersion 4\n  Domain \"a.com\"\n</Account>\n",
     "\"SignatureVersion\" = 4", "between 1 and 3"},
    {ACCOUNT_START "  Timeout 0\n  Domain \"a.com\"\n</Account>\n",
     "\"Timeout\" = 0", "between"},
    {ACCOUNT_START "  Timeout \"ten\"\n  Domain \"a.com\"\n</Account>\n",
     "\"Timeout\" = \"ten\"", "number"},
    {ACCOUNT_START "  RateLimit 0\n  Domain \"a.com\"\n</Account>\n",
     "\"RateLimit\" = 0", "between"},
    {ACCOUNT_START "  CACert \"\"\n  Domain \"a.com\"\n</Account>\n",
     "\"CACert\"", "empty"},
    {"<Account \"prod\">\n  AccessKeyId \"k\"\n  AccessKeySecret 12345\n"
     "  Domain \"a.com\"\n</Account>\n",
     "\"AccessKeySecret\" = (hidden)", "string"},
    {"<Account \"bad name\">\n</Account>\n", "\"bad name\"", "letters"},
    {"Interval 10\n", "\"Interval\"", "<Account>"},
    {ACCOUNT_START "  QueryMode \"fast\"\n  Domain \"a.com\"\n</Account>\n",
     "\"QueryMode\" = \"fast\"", "\"auto\", \"account\" or \"domain\""},
    {ACCOUNT_START "  QueryMode \"domain\"\n  Domain \"*\"\n</Account>\n",
     "Account \"prod\": Domain \"*\" needs QueryMode", "names"},
};

START_TEST(each_config_error_names_the_option_account_and_value) {
  assert_error(config_errors[_i].text, config_errors[_i].names1,
               config_errors[_i].names2);
}
END_TEST

START_TEST(a_domain_in_two_accounts_is_refused) {
  conf_t conf = CONF_INIT;
  char err[1024];
  ck_assert_int_eq(parse(ACCOUNT_START "  Domain \"a.com\"\n</Account>\n",
                         &conf, err, sizeof(err)),
                   0);
  ck_assert_int_eq(parse("<Account \"stage\">\n  AccessKeyId \"k\"\n"
                         "  AccessKeySecret \"s\"\n  Domain \"b.com\"\n"
                         "  Domain \"A.COM\"\n</Account>\n",
                         &conf, err, sizeof(err)),
                   -1);
  ck_assert_ptr_nonnull(strstr(err, "Account \"stage\""));
  ck_assert_ptr_nonnull(strstr(err, "already listed in account \"prod\""));
  ck_assert_uint_eq(conf.count, 1);
  conf_free(&conf);
}
END_TEST

START_TEST(an_error_leaves_no_account_of_the_block_configured) {
  conf_t conf = CONF_INIT;
  char err[1024];
  ck_assert_int_eq(parse(ACCOUNT_START "  Domain \"a.com\"\n</Account>\n"
                                       "<Account \"two\">\n  Lookback 1\n"
                                       "</Account>\n",
                         &conf, err, sizeof(err)),
                   -1);
  ck_assert_uint_eq(conf.count, 0);
  ck_assert_ptr_nonnull(strstr(err, "Account \"two\""));
  conf_free(&conf);
}
END_TEST

START_TEST(the_wildcard_domain_may_appear_in_several_accounts) {
  conf_t conf = CONF_INIT;
  char err[1024];
  ck_assert_int_eq(parse(ACCOUNT_START "  Domain \"*\" \"a.com\"\n"
                                       "</Account>\n<Account \"two\">\n"
                                       "  AccessKeyId \"k\"\n"
                                       "  AccessKeySecret \"s\"\n"
                                       "  QueryMode \"account\"\n"
                                       "  Domain \"*\"\n</Account>\n",
                         &conf, err, sizeof(err)),
                   0);
  ck_assert_uint_eq(conf.count, 2);
  ck_assert_ptr_nonnull(conf_find_domain(&conf.accounts[1], "*"));
  ck_assert_int_eq(conf.accounts[1].query_mode, CONF_QUERY_ACCOUNT);
  conf_free(&conf);
}
END_TEST

START_TEST(two_accounts_of_one_name_are_refused) {
  conf_t conf = CONF_INIT;
  char err[1024];
  ck_assert_int_eq(parse(ACCOUNT_START
                         "  Domain \"a.com\"\n</Account>\n" ACCOUNT_START
                         "  Domain \"b.com\"\n</Account>\n",
                         &conf, err, sizeof(err)),
                   -1);
  ck_assert_ptr_nonnull(strstr(err, "already exists"));
  conf_free(&conf);
}
END_TEST

int main(void) {
  Suite *s = suite_create("conf");
  TCase *tc = tcase_create("conf");
  tcase_add_test(tc, minimal_account_gets_the_documented_defaults);
  tcase_add_test(tc, full_example_from_the_documentation_parses);
  tcase_add_test(tc, option_names_are_case_insensitive);
  tcase_add_test(tc, plain_http_endpoint_warns_that_requests_are_unencrypted);
  tcase_add_test(tc, rate_limit_above_the_documented_five_warns);
  tcase_add_test(tc, default_ports_are_left_out_of_the_host_header);
  tcase_add_loop_test(tc, each_config_error_names_the_option_account_and_value,
                      0, sizeof(config_errors) / sizeof(config_errors[0]));
  tcase_add_test(tc, a_domain_in_two_accounts_is_refused);
  tcase_add_test(tc, an_error_leaves_no_account_of_the_block_configured);
  tcase_add_test(tc, two_accounts_of_one_name_are_refused);
  tcase_add_test(tc, the_wildcard_domain_may_appear_in_several_accounts);
  suite_add_tcase(s, tc);
  return unit_run(s);
}
