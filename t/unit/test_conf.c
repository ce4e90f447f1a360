/* Config validation: every option, default and error of the <Account>
 * block, written as the configuration a user would write. */
#include "core/conf.h"
#include "oconfig_builder.h"

#include "unit.h"

#include <check.h>
#include <stdint.h>
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

static conf_t conf;
static char err[1024];

static void setup(void) { conf = (conf_t)CONF_INIT; }

static void teardown(void) { conf_free(&conf); }

/* Parses text as the inside of <Plugin dcdn> into conf; returns
 * conf_add_block's status, with the error text in err. */
static int parse(const char *text) {
  oconfig_item_t *root = oconfig_from_text(text);
  warnings = 0;
  last_warning[0] = '\0';
  err[0] = '\0';
  int status =
      conf_add_block(&conf, root, err, sizeof(err), record_warning, NULL);
  oconfig_builder_free(root);
  return status;
}

/* Parses text that must be valid. */
static void parse_valid(const char *text) {
  int status = parse(text);
  ck_assert_msg(status == 0, "%s", err);
}

#define ACCOUNT_START                                                          \
  "<Account \"prod\">\n  AccessKeyId \"LTAIkey\"\n"                            \
  "  AccessKeySecret \"s3cr3t-value\"\n"

static void assert_names(const char *message, const char *expect) {
  ck_assert_msg(strstr(message, expect) != NULL, "\"%s\" lacks \"%s\"", message,
                expect);
}

/* Exactly one warning, which names expect. */
static void assert_one_warning(const char *expect) {
  ck_assert_int_eq(warnings, 1);
  assert_names(last_warning, expect);
}

static void assert_error(const char *text, const char *expect1,
                         const char *expect2) {
  ck_assert_int_eq(parse(text), -1);
  assert_names(err, expect1);
  assert_names(err, expect2);
  ck_assert_msg(strstr(err, "s3cr3t-value") == NULL, "secret in: %s", err);
  ck_assert_uint_eq(conf.count, 0);
}

/* The account's options other than its name, keys and domains. */
static void assert_options(const conf_account_t *a,
                           const conf_account_t *want) {
  ck_assert_str_eq(a->endpoint, want->endpoint);
  ck_assert_str_eq(a->endpoint_host, want->endpoint_host);
  ck_assert_int_eq(a->endpoint_tls, want->endpoint_tls);
  ck_assert_int_eq(a->signature_version, want->signature_version);
  ck_assert_double_eq(a->timeout, want->timeout);
  ck_assert_pstr_eq(a->cacert, want->cacert);
  ck_assert_double_eq(a->interval, want->interval);
  ck_assert_int_eq(a->lookback, want->lookback);
  ck_assert_double_eq(a->rate_limit, want->rate_limit);
  ck_assert_int_eq(a->query_mode, want->query_mode);
  ck_assert_int_eq(a->stuck_after, want->stuck_after);
  ck_assert_int_eq(a->notify, want->notify);
  ck_assert_int_eq(a->collect_quota, want->collect_quota);
  ck_assert_str_eq(a->state_dir, want->state_dir);
}

/* Domain "*" beside another account of its product may send a domain
 * twice: a warning; on another product, none. */
START_TEST(domain_star_beside_another_account_is_warned) {
  parse_valid(ACCOUNT_START "  Domain \"*\"\n</Account>\n");
  parse_valid("<Account \"edge\">\n  AccessKeyId \"k\"\n  AccessKeySecret \"s\"\n"
              "  Product \"cdn\"\n  Domain \"a.com\"\n</Account>\n");
  ck_assert_int_eq(warnings, 0);
  parse_valid("<Account \"stage\">\n  AccessKeyId \"k\"\n  AccessKeySecret \"s\"\n"
              "  Domain \"a.com\"\n</Account>\n");
  ck_assert_int_eq(warnings, 1);
  ck_assert_ptr_nonnull(strstr(last_warning, "Domain \"*\" in account \"prod\""));
}
END_TEST

/* collectd's parser takes no option without a value: "none" sends none. */
START_TEST(notify_and_report_none_send_none) {
  parse_valid(ACCOUNT_START "  Notify \"none\"\n  Report \"NONE\"\n"
                            "  Domain \"a.com\"\n</Account>\n");
  ck_assert_int_eq(conf.accounts[0].notify, 0);
  ck_assert_int_eq(conf.accounts[0].report, 0);
}
END_TEST

/* Product names the product; without an Endpoint, the product's. */
START_TEST(product_chooses_the_default_endpoint) {
  parse_valid(ACCOUNT_START "  Product \"CDN\"\n  Domain \"a.com\"\n"
                            "</Account>\n");
  ck_assert_int_eq(conf.accounts[0].product, PRODUCT_CDN);
  ck_assert_str_eq(conf.accounts[0].endpoint, "https://cdn.aliyuncs.com");
  ck_assert_str_eq(conf.accounts[0].endpoint_host, "cdn.aliyuncs.com");
  conf_free(&conf);
  parse_valid(ACCOUNT_START "  Endpoint \"http://sim.local\"\n"
                            "  Product \"cdn\"\n  Domain \"a.com\"\n"
                            "</Account>\n");
  ck_assert_str_eq(conf.accounts[0].endpoint, "http://sim.local");
  conf_free(&conf);
  ck_assert_int_eq(parse(ACCOUNT_START "  Product \"oss\"\n  Domain \"a.com\"\n"
                                       "</Account>\n"),
                   -1);
  ck_assert_ptr_nonnull(strstr(err, "\"Product\""));
}
END_TEST

/* ESA: the Region's endpoint, or the product's; every ESA type by
 * default; a SiteId as a number or, past 2^53, as a string; QueryMode
 * auto queries domain by domain (watch_init). */
START_TEST(esa_takes_a_region_its_types_and_site_ids) {
  parse_valid(ACCOUNT_START "  Product \"esa\"\n  Region \"ap-southeast-1\"\n"
                            "  Domain \"www.example.net\"\n"
                            "  <Domain \"shop.example.io\">\n    SiteId 1200000000002\n"
                            "    ObjectType \"file\" \"ignoreParams\"\n"
                            "  </Domain>\n"
                            "  <Domain \"big.example.io\">\n"
                            "    SiteId \"18446744073709551615\"\n  </Domain>\n"
                            "</Account>\n");
  const conf_account_t *a = &conf.accounts[0];
  ck_assert_int_eq(a->product, PRODUCT_ESA);
  ck_assert_str_eq(a->endpoint, "https://esa.ap-southeast-1.aliyuncs.com");
  ck_assert_str_eq(a->endpoint_host, "esa.ap-southeast-1.aliyuncs.com");
  /* Sorted by name: big, shop, www. */
  ck_assert_uint_eq(a->domains[0].site_id, UINT64_MAX);
  ck_assert_uint_eq(a->domains[1].site_id, 1200000000002u);
  ck_assert_uint_eq(a->domains[1].type_mask,
                    (1u << TASK_TYPE_FILE) | (1u << TASK_TYPE_IGNORE_PARAMS));
  ck_assert_uint_eq(a->domains[2].site_id, 0);
  ck_assert_uint_eq(a->domains[2].type_mask, products[PRODUCT_ESA].types);
  conf_free(&conf);
  parse_valid(ACCOUNT_START "  Product \"esa\"\n  Domain \"a.com\"\n"
                            "</Account>\n");
  ck_assert_str_eq(conf.accounts[0].endpoint,
                   "https://esa.cn-hangzhou.aliyuncs.com");
}
END_TEST

START_TEST(minimal_account_gets_the_documented_defaults) {
  parse_valid(ACCOUNT_START "  Domain \"Example.COM\"\n"
                            "</Account>\n");
  ck_assert_uint_eq(conf.count, 1);
  const conf_account_t *a = &conf.accounts[0];
  ck_assert_str_eq(a->name, "prod");
  ck_assert_str_eq(a->access_key_id, "LTAIkey");
  ck_assert_str_eq(a->access_key_secret, "s3cr3t-value");
  ck_assert_int_eq(a->product, PRODUCT_DCDN);
  assert_options(a, &(conf_account_t){.endpoint = "https://dcdn.aliyuncs.com",
                                      .endpoint_host = "dcdn.aliyuncs.com",
                                      .endpoint_tls = true,
                                      .signature_version = 3,
                                      .timeout = 10.0,
                                      .cacert = NULL,
                                      .interval = 0.0,
                                      .lookback = 3600,
                                      .rate_limit = 5.0,
                                      .query_mode = CONF_QUERY_AUTO,
                                      .stuck_after = 900,
                                      .notify = CONF_NOTIFY_ALL,
                                      .collect_quota = true,
                                      .state_dir = "/var/lib/collectd/dcdn"});
  ck_assert_int_eq(a->domains[0].stuck_after, CONF_INHERIT);
  ck_assert_int_eq(a->domains[0].notify, CONF_INHERIT);
  ck_assert_uint_eq(a->domain_count, 1);
  ck_assert_str_eq(a->domains[0].name, "example.com");
  /* No ObjectType: the product's four. */
  ck_assert_uint_eq(a->domains[0].type_mask, products[PRODUCT_DCDN].types);
  ck_assert_uint_eq(a->domains[0].type_mask, 0xf);
  ck_assert_int_eq(warnings, 0);
}
END_TEST

START_TEST(full_example_from_the_documentation_parses) {
  parse_valid(ACCOUNT_START
              "  Endpoint \"http://127.0.0.1:8080/\"\n"
              "  SignatureVersion 1\n  Timeout 2.5\n"
              "  CACert \"/etc/ssl/ca.pem\"\n  Interval 30\n"
              "  Lookback 259200\n  RateLimit 0.5\n"
              "  QueryMode \"Domain\"\n"
              "  StuckAfter 600\n  Notify \"failed\" \"account\"\n"
              "  CollectQuota false\n  StateDir \"/tmp/st\"\n"
              "  Domain \"www.example.com\" \"example.com\"\n"
              "  <Domain \"static.example.com\">\n"
              "    ObjectType \"file\" \"preload\"\n"
              "    StuckAfter 120\n    Notify \"stuck\"\n"
              "  </Domain>\n</Account>\n");
  const conf_account_t *a = &conf.accounts[0];
  assert_options(
      a, &(conf_account_t){.endpoint = "http://127.0.0.1:8080",
                           .endpoint_host = "127.0.0.1:8080",
                           .endpoint_tls = false,
                           .signature_version = 1,
                           .timeout = 2.5,
                           .cacert = "/etc/ssl/ca.pem",
                           .interval = 30.0,
                           .lookback = 259200,
                           .rate_limit = 0.5,
                           .query_mode = CONF_QUERY_DOMAIN,
                           .stuck_after = 600,
                           .notify = CONF_NOTIFY_FAILED | CONF_NOTIFY_ACCOUNT,
                           .collect_quota = false,
                           .state_dir = "/tmp/st"});
  ck_assert_int_eq(a->domains[1].stuck_after, 120);
  ck_assert_int_eq(a->domains[1].notify, CONF_NOTIFY_STUCK);
  ck_assert_int_eq(a->domains[0].stuck_after, CONF_INHERIT);
  ck_assert_uint_eq(a->domain_count, 3);
  /* sorted, so that lookups can bisect */
  ck_assert_str_eq(a->domains[0].name, "example.com");
  ck_assert_str_eq(a->domains[1].name, "static.example.com");
  ck_assert_uint_eq(a->domains[1].type_mask,
                    (1u << TASK_TYPE_FILE) | (1u << TASK_TYPE_PRELOAD));
  ck_assert_ptr_eq(conf_find_domain(a, "www.example.com"), &a->domains[2]);
  ck_assert_ptr_null(conf_find_domain(a, "other.example.com"));
}
END_TEST

START_TEST(option_names_are_case_insensitive) {
  parse_valid("<account \"a\">\n accesskeyid \"k\"\n"
              " ACCESSKEYSECRET \"s\"\n lookBACK 600\n"
              " <DOMAIN \"x.com\">\n  objecttype \"REGEX\"\n"
              " </DOMAIN>\n</account>\n");
  ck_assert_int_eq(conf.accounts[0].lookback, 600);
  ck_assert_uint_eq(conf.accounts[0].domains[0].type_mask,
                    1u << TASK_TYPE_REGEX);
}
END_TEST

START_TEST(plain_http_endpoint_warns_that_requests_are_unencrypted) {
  parse_valid(ACCOUNT_START "  Endpoint \"http://sim.local\"\n"
                            "  Domain \"a.com\"\n</Account>\n");
  assert_one_warning("not be encrypted");
  assert_names(last_warning, "prod");
}
END_TEST

START_TEST(assume_role_options_are_read_over_any_source) {
  parse_valid("<Account \"prod\">\n  RoleArn \"acs:ram::12:role/r\"\n"
              "  RoleSessionName \"s-1\"\n  ExternalId \"ext-1\"\n"
              "  Policy \"{}\"\n  STSEndpoint \"https://sts.example.com/\"\n"
              "  Domain \"a.com\"\n</Account>\n");
  const conf_account_t *a = &conf.accounts[0];
  ck_assert_int_eq(a->cred_source, CONF_CRED_ENVIRONMENT);
  ck_assert_str_eq(a->role.arn, "acs:ram::12:role/r");
  ck_assert_str_eq(a->role.session_name, "s-1");
  ck_assert_str_eq(a->role.external_id, "ext-1");
  ck_assert_str_eq(a->role.policy, "{}");
  /* DurationSeconds not given: 0, and STS_DEFAULT_DURATION is sent. */
  ck_assert_int_eq(a->role.duration, 0);
  ck_assert_str_eq(a->sts_endpoint, "https://sts.example.com");
  ck_assert_int_eq(warnings, 0);
}
END_TEST

START_TEST(a_plain_http_sts_endpoint_warns) {
  parse_valid(ACCOUNT_START "  RoleArn \"acs:ram::12:role/r\"\n"
                            "  STSEndpoint \"http://127.0.0.1:1\"\n"
                            "  Endpoint \"https://dcdn.example.com\"\n"
                            "  Domain \"a.com\"\n</Account>\n");
  assert_one_warning("STSEndpoint");
  assert_names(last_warning, "not be encrypted");
  ck_assert_ptr_null(conf.accounts[0].role.session_name);
}
END_TEST

START_TEST(rate_limit_above_the_documented_five_warns) {
  parse_valid(ACCOUNT_START "  RateLimit 8\n  Domain \"a.com\"\n"
                            "</Account>\n");
  assert_one_warning("RateLimit 8");
}
END_TEST

/* The endpoint and Host header conf_parse_endpoint makes of url. */
static void assert_endpoint(const char *url, const char *endpoint_want,
                            const char *host_want) {
  char *endpoint = NULL, *host = NULL, why[128];
  bool tls = false;
  ck_assert_int_eq(
      conf_parse_endpoint(url, &endpoint, &host, &tls, why, sizeof(why)), 0);
  ck_assert_str_eq(endpoint, endpoint_want);
  ck_assert_str_eq(host, host_want);
  free(endpoint);
  free(host);
}

START_TEST(default_ports_are_left_out_of_the_host_header) {
  assert_endpoint("https://H.example:443", "https://H.example:443",
                  "h.example");
  assert_endpoint("http://[::1]:9000", "http://[::1]:9000", "[::1]:9000");
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
     "\"AccessKeyId\" needs \"AccessKeySecret\" or \"AccessKeySecretFile\"",
     "Account \"prod\""},
    {ACCOUNT_START "  RamRole \"r\"\n  Domain \"a.com\"\n</Account>\n",
     "\"AccessKeySecret\" and \"RamRole\" are two credential sources",
     "configure one"},
    {"<Account \"prod\">\n  CredentialsFile \"/c\"\n  RamRole true\n"
     "  Domain \"a.com\"\n</Account>\n",
     "\"CredentialsFile\" and \"RamRole\"", "configure one"},
    {"<Account \"prod\">\n  AccessKeyId \"k\"\n"
     "  AccessKeySecretFile \"/s\"\n  Profile \"p\"\n"
     "  Domain \"a.com\"\n</Account>\n",
     "\"AccessKeySecretFile\" and \"Profile\"", "configure one"},
    {"<Account \"prod\">\n  SecurityToken \"t0k3n\"\n  Domain \"a.com\"\n"
     "</Account>\n",
     "\"SecurityToken\" goes with \"AccessKeyId\"", "Account \"prod\""},
    {"<Account \"prod\">\n  RamRole true\n  MetadataEndpoint \"ftp://x\"\n"
     "  Domain \"a.com\"\n</Account>\n",
     "\"MetadataEndpoint\" = \"ftp://x\"", "https://"},
    {ACCOUNT_START "  RoleArn \"acs:ram::1:user/u\"\n  Domain \"a.com\"\n"
                   "</Account>\n",
     "Account \"prod\"", "option \"RoleArn\" is not of the form"},
    {ACCOUNT_START "  RoleSessionName \"a b\"\n  Domain \"a.com\"\n"
                   "</Account>\n",
     "Account \"prod\"", "option \"RoleSessionName\" must be 2 to 64"},
    {ACCOUNT_START "  ExternalId \"x\"\n  Domain \"a.com\"\n</Account>\n",
     "Account \"prod\"", "option \"ExternalId\" must be 2 to 1224"},
    {ACCOUNT_START "  DurationSeconds 899\n  Domain \"a.com\"\n</Account>\n",
     "DurationSeconds", "900"},
    {ACCOUNT_START "  STSEndpoint \"ftp://x\"\n  Domain \"a.com\"\n"
                   "</Account>\n",
     "\"STSEndpoint\" = \"ftp://x\"", "https://"},
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
    {ACCOUNT_START "  Domain \"a..com\"\n</Account>\n", "\"a..com\"",
     "labels of 1 to 63"},
    {ACCOUNT_START "  Domain \"example.com.\"\n</Account>\n",
     "\"example.com.\"", "host name"},
    {ACCOUNT_START "  Domain \"a-.example.com\"\n</Account>\n",
     "\"a-.example.com\"", "ending with '-'"},
    {ACCOUNT_START "  Domain \"a b.com\"\n</Account>\n", "\"a b.com\"",
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
    {ACCOUNT_START "  StuckAfter 0\n  Domain \"a.com\"\n</Account>\n",
     "\"StuckAfter\" = 0", "between 1 and 259200"},
    {ACCOUNT_START "  Report \"none\" \"counts\"\n  Domain \"a.com\"\n</Account>\n",
     "\"Report\"", "(or \"none\" alone)"},
    {ACCOUNT_START "  Notify \"loud\"\n  Domain \"a.com\"\n</Account>\n",
     "\"Notify\" = \"loud\"", "\"failed\", \"stuck\", \"account\""},
    {ACCOUNT_START "  <Domain \"a.com\">\n    Notify \"account\"\n"
                   "  </Domain>\n</Account>\n",
     "\"Notify\" = \"account\"", "\"failed\", \"stuck\""},
    {ACCOUNT_START "  <Domain \"a.com\">\n    StuckAfter \"long\"\n"
                   "  </Domain>\n</Account>\n",
     "\"StuckAfter\" = \"long\"", "number"},
    {ACCOUNT_START "  CollectQuota 1\n  Domain \"a.com\"\n</Account>\n",
     "\"CollectQuota\" = 1", "true or false"},
    {ACCOUNT_START "  StateDir \"state\"\n  Domain \"a.com\"\n</Account>\n",
     "\"StateDir\" = \"state\"", "absolute path"},
    /* What a product does not have. */
    {ACCOUNT_START "  Region \"cn-hangzhou\"\n  Domain \"a.com\"\n</Account>\n",
     "\"Region\" is for Product \"esa\" only", "Account \"prod\""},
    {ACCOUNT_START "  Product \"esa\"\n  Region \"ap-southeast-1\"\n"
                   "  Endpoint \"https://esa.example\"\n  Domain \"a.com\"\n"
                   "</Account>\n",
     "\"Region\" and \"Endpoint\"", "give one"},
    {ACCOUNT_START "  Product \"esa\"\n  Region \"evil.example/x\"\n"
                   "  Domain \"a.com\"\n</Account>\n",
     "\"Region\" = \"evil.example/x\"", "region id"},
    {ACCOUNT_START "  Product \"esa\"\n  QueryMode \"account\"\n"
                   "  Domain \"a.com\"\n</Account>\n",
     "\"QueryMode\" = \"account\"", "ESA has no account-wide list"},
    {ACCOUNT_START "  Product \"esa\"\n  Domain \"*\"\n</Account>\n",
     "\"Domain\" = \"*\"", "site by site"},
    {ACCOUNT_START "  Product \"esa\"\n  <Domain \"a.com\">\n"
                   "    ObjectType \"file\" \"regex\"\n  </Domain>\n</Account>\n",
     "domain \"a.com\": option \"ObjectType\"",
     "ESA has the types file, directory, preload, cachetag, ignore_params, "
     "hostname, purgeall"},
    {ACCOUNT_START "  <Domain \"a.com\">\n    ObjectType \"cachetag\"\n"
                   "  </Domain>\n</Account>\n",
     "option \"ObjectType\"", "DCDN has the types file, directory, regex, preload"},
    {ACCOUNT_START "  <Domain \"a.com\">\n    SiteId 12\n  </Domain>\n"
                   "</Account>\n",
     "\"SiteId\" is for Product \"esa\" only", "domain \"a.com\""},
    {ACCOUNT_START "  Product \"esa\"\n  <Domain \"a.com\">\n    SiteId 0\n"
                   "  </Domain>\n</Account>\n",
     "\"SiteId\" = 0", "the site's id"},
    {ACCOUNT_START "  Product \"esa\"\n  <Domain \"a.com\">\n"
                   "    SiteId \"12x\"\n  </Domain>\n</Account>\n",
     "\"SiteId\" = \"12x\"", "the site's id"},
    {ACCOUNT_START "  Product \"esa\"\n  <Domain \"a.com\">\n"
                   "    SiteId 1.5\n  </Domain>\n</Account>\n",
     "\"SiteId\"", "the site's id"},
};

START_TEST(each_config_error_names_the_option_account_and_value) {
  assert_error(config_errors[_i].text, config_errors[_i].names1,
               config_errors[_i].names2);
}
END_TEST

/* Every option with a value of the wrong type, out of range or empty: the
 * line as configured, and how the message shows the value. Options that
 * hold a secret show "(hidden)". */
static const struct {
  const char *line;
  const char *shown;
} bad_values[] = {
    {"AccessKeyId 5", "= 5"},
    {"AccessKeyId \"\"", "= \"\""},
    {"AccessKeyId \"a\" \"b\"", "= \"a\" \"b\""},
    {"AccessKeySecret 5", "= (hidden)"},
    {"AccessKeySecret \"\"", "= (hidden)"},
    {"SecurityToken true", "= (hidden)"},
    {"AccessKeySecretFile 5", "= 5"},
    {"AccessKeySecretFile \"\"", "= \"\""},
    {"CredentialsFile false", "= false"},
    {"Profile \"\"", "= \"\""},
    {"RamRole 5", "= 5"},
    {"RamRole \"\"", "= \"\""},
    {"MetadataEndpoint \"x\"", "= \"x\""},
    {"MetadataEndpoint 5", "= 5"},
    {"Endpoint \"\"", "= \"\""},
    {"Endpoint 443", "= 443"},
    {"Endpoint \"https://a:0\"", "= \"https://a:0\""},
    {"Endpoint \"https://a:+443\"", "= \"https://a:+443\""},
    {"Endpoint \"https://a: 443\"", "= \"https://a: 443\""},
    {"Endpoint \"https://a:000443\"", "= \"https://a:000443\""},
    {"SignatureVersion \"3\"", "= \"3\""},
    {"SignatureVersion 1.5", "= 1.5"},
    {"SignatureVersion 0", "= 0"},
    {"Timeout \"10\"", "= \"10\""},
    {"Timeout -1", "= -1"},
    {"Timeout 301", "= 301"},
    {"Timeout 1 2", "= 1 2"},
    {"CACert 5", "= 5"},
    {"MaxResponseSize 4095", "= 4095"},
    {"MaxResponseSize \"4M\"", "= \"4M\""},
    {"Interval \"60\"", "= \"60\""},
    {"Interval 0", "= 0"},
    {"Interval 86401", "= 86401"},
    {"Lookback \"3600\"", "= \"3600\""},
    {"Lookback 100.5", "= 100.5"},
    {"RateLimit \"5\"", "= \"5\""},
    {"RateLimit 1001", "= 1001"},
    {"QueryMode 5", "= 5"},
    {"QueryMode \"\"", "= \"\""},
    {"StuckAfter \"900\"", "= \"900\""},
    {"StuckAfter 259201", "= 259201"},
    {"Notify 5", "= 5"},
    {"CollectQuota \"yes\"", "= \"yes\""},
    {"CollectQuota", "= (none)"},
    {"StateDir 5", "= 5"},
    {"StateDir \"\"", "= \"\""},
    {"Domain 5", "= 5"},
    {"Domain \"\"", "= \"\""},
    {"Domain", "= (none)"},
    {"<Domain \"a.com\">\n ObjectType 5\n </Domain>", "= 5"},
    {"<Domain \"a.com\">\n ObjectType\n </Domain>", "= (none)"},
    {"<Domain \"a.com\">\n StuckAfter 0\n </Domain>", "= 0"},
    {"<Domain \"a.com\">\n Notify \"x\"\n </Domain>", "= \"x\""},
};

START_TEST(every_option_refuses_a_bad_value_naming_option_account_value) {
  char text[512], option[64];
  snprintf(text, sizeof(text),
           "<Account \"prod\">\n AccessKeyId \"LTAIkey\"\n"
           " AccessKeySecret \"s3cr3t-value\"\n Domain \"b.com\"\n"
           " %s\n</Account>\n",
           bad_values[_i].line);
  /* The option is the line's first word (or the block's name). */
  sscanf(bad_values[_i].line[0] == '<' ? strchr(bad_values[_i].line, '\n') + 2
                                       : bad_values[_i].line,
         "%63s", option);
  char names[96];
  snprintf(names, sizeof(names), "option \"%s\" %s", option,
           bad_values[_i].shown);
  assert_error(text, "Account \"prod\"", names);
}
END_TEST

START_TEST(a_domain_in_two_accounts_is_refused) {
  parse_valid(ACCOUNT_START "  Domain \"a.com\"\n</Account>\n");
  ck_assert_int_eq(parse("<Account \"stage\">\n  AccessKeyId \"k\"\n"
                         "  AccessKeySecret \"s\"\n  Domain \"b.com\"\n"
                         "  Domain \"A.COM\"\n</Account>\n"),
                   -1);
  assert_names(err, "Account \"stage\"");
  assert_names(err, "already listed in account \"prod\"");
  ck_assert_uint_eq(conf.count, 1);
  /* On another product, the same domain is another one's: plugin cdn. */
  parse_valid("<Account \"edge\">\n  AccessKeyId \"k\"\n"
              "  AccessKeySecret \"s\"\n  Domain \"A.COM\"\n"
              "  Product \"cdn\"\n</Account>\n");
  ck_assert_uint_eq(conf.count, 2);
}
END_TEST

START_TEST(an_error_leaves_no_account_of_the_block_configured) {
  ck_assert_int_eq(parse(ACCOUNT_START "  Domain \"a.com\"\n</Account>\n"
                                       "<Account \"two\">\n  Lookback 1\n"
                                       "</Account>\n"),
                   -1);
  ck_assert_uint_eq(conf.count, 0);
  assert_names(err, "Account \"two\"");
}
END_TEST

/* Each credential source, as configured, and what the account records. */
static const struct {
  const char *options;
  conf_cred_source_t source;
} credential_sources[] = {
    {"", CONF_CRED_ENVIRONMENT},
    {"AccessKeyId \"k\"\n AccessKeySecret \"s\"\n SecurityToken \"t\"\n",
     CONF_CRED_STATIC},
    {"AccessKeyId \"k\"\n AccessKeySecretFile \"/etc/dcdn.secret\"\n",
     CONF_CRED_SECRET_FILE},
    {"CredentialsFile \"/etc/dcdn.ini\"\n Profile \"ops\"\n",
     CONF_CRED_PROFILE},
    {"Profile \"ops\"\n", CONF_CRED_PROFILE},
    {"RamRole \"collectd\"\n", CONF_CRED_RAM_ROLE},
    {"RamRole true\n MetadataEndpoint \"http://127.0.0.1:9\"\n",
     CONF_CRED_RAM_ROLE},
};

START_TEST(each_credential_source_is_recognised) {
  char text[512];
  snprintf(text, sizeof(text),
           "<Account \"prod\">\n %s Domain \"a.com\"\n</Account>\n",
           credential_sources[_i].options);
  parse_valid(text);
  const conf_account_t *a = &conf.accounts[0];
  ck_assert_int_eq(a->cred_source, credential_sources[_i].source);
  if (_i == 6) {
    ck_assert_str_eq(a->ram_role, "");
    ck_assert_str_eq(a->metadata_endpoint, "http://127.0.0.1:9");
  }
  if (_i == 0)
    ck_assert_str_eq(a->metadata_endpoint, "http://100.100.100.200");
}
END_TEST

/* The table above runs as one test per row. */
static void add_table_tests(Suite *suite, TCase *tc) {
  (void)suite;
  tcase_add_loop_test(tc, each_config_error_names_the_option_account_and_value,
                      0, N_OF(config_errors));
  tcase_add_loop_test(tc, each_credential_source_is_recognised, 0,
                      N_OF(credential_sources));
  tcase_add_loop_test(
      tc, every_option_refuses_a_bad_value_naming_option_account_value, 0,
      N_OF(bad_values));
}

static const unit_case_t test_case = {
    .setup = setup, .teardown = teardown, .extend = add_table_tests};

START_TEST(the_wildcard_domain_may_appear_in_several_accounts) {
  parse_valid(ACCOUNT_START "  Domain \"*\" \"a.com\"\n"
                            "</Account>\n<Account \"two\">\n"
                            "  AccessKeyId \"k\"\n"
                            "  AccessKeySecret \"s\"\n"
                            "  QueryMode \"account\"\n"
                            "  Domain \"*\"\n</Account>\n");
  ck_assert_uint_eq(conf.count, 2);
  ck_assert_ptr_nonnull(conf_find_domain(&conf.accounts[1], "*"));
  ck_assert_int_eq(conf.accounts[1].query_mode, CONF_QUERY_ACCOUNT);
}
END_TEST

START_TEST(two_accounts_of_one_name_are_refused) {
  ck_assert_int_eq(parse(ACCOUNT_START
                         "  Domain \"a.com\"\n</Account>\n" ACCOUNT_START
                         "  Domain \"b.com\"\n</Account>\n"),
                   -1);
  assert_names(err, "already exists");
}
END_TEST

/* A <Plugin dcdn> block of one account named name with one domain. */
static int parse_names(const char *name, const char *domain) {
  char text[1024];
  snprintf(text, sizeof(text),
           "<Account \"%s\">\n AccessKeyId \"k\"\n AccessKeySecret \"s\"\n"
           " Domain \"%s\"\n</Account>\n",
           name, domain);
  return parse(text);
}

/* n characters of c, in labels of 50 so that they make a host name. */
static const char *name_of_length(char c, size_t n) {
  static char name[300];
  ck_assert_uint_lt(n, sizeof(name));
  memset(name, c, n);
  for (size_t i = 50; i < n - 1; i += 51)
    name[i] = '.';
  name[n] = '\0';
  return name;
}

/* Cut to collectd's 127 characters, two long names would collide. */
START_TEST(an_account_name_must_fit_the_read_callback_name) {
  char name[CONF_MAX_ACCOUNT_NAME_LEN + 2];
  memset(name, 'a', sizeof(name) - 1);
  name[CONF_MAX_ACCOUNT_NAME_LEN] = '\0';
  ck_assert_uint_eq(strlen(CONF_READ_CALLBACK_PREFIX) + strlen(name), 127);
  ck_assert_msg(parse_names(name, "a.com") == 0, "%s", err);
  conf_free(&conf);
  name[CONF_MAX_ACCOUNT_NAME_LEN] = 'a';
  name[CONF_MAX_ACCOUNT_NAME_LEN + 1] = '\0';
  ck_assert_int_eq(parse_names(name, "a.com"), -1);
  assert_names(err, "option \"Account\"");
  assert_names(err, "has 123 characters, at most 122 fit");
  assert_names(err, "plugin_instance and the read callback's name");
  assert_names(err, "hold 127");
  ck_assert_uint_eq(conf.count, 0);
}
END_TEST

/* 128 to 253 characters is a host name, but no plugin_instance: the
 * reason says so (it said "not a host name"). */
START_TEST(a_domain_must_fit_collectds_plugin_instance) {
  ck_assert_msg(parse_names("prod", name_of_length('a', 127)) == 0, "%s", err);
  ck_assert_uint_eq(strlen(conf.accounts[0].domains[0].name), 127);
  conf_free(&conf);
  static const size_t too_long[] = {128, 200, 253};
  for (size_t i = 0; i < N_OF(too_long); i++) {
    ck_assert_int_eq(parse_names("prod", name_of_length('b', too_long[i])), -1);
    assert_names(err, "option \"Domain\"");
    assert_names(err, "plugin_instance");
    assert_names(err, "holds 127");
    ck_assert_msg(strstr(err, "not a host name") == NULL, "%s", err);
  }
  ck_assert_int_eq(parse_names("prod", name_of_length('c', 254)), -1);
  assert_names(err, "not a host name");
}
END_TEST

START_TEST(a_punycode_domain_is_a_host_name) {
  parse_valid(ACCOUNT_START "  Domain \"XN--bcher-kva.example\" \"1.2.3.4\"\n"
                            "</Account>\n");
  ck_assert_ptr_nonnull(
      conf_find_domain(&conf.accounts[0], "xn--bcher-kva.example"));
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      domain_star_beside_another_account_is_warned,
      notify_and_report_none_send_none,
      product_chooses_the_default_endpoint,
      esa_takes_a_region_its_types_and_site_ids,
      minimal_account_gets_the_documented_defaults,
      full_example_from_the_documentation_parses,
      option_names_are_case_insensitive,
      plain_http_endpoint_warns_that_requests_are_unencrypted,
      assume_role_options_are_read_over_any_source,
      a_plain_http_sts_endpoint_warns,
      rate_limit_above_the_documented_five_warns,
      default_ports_are_left_out_of_the_host_header,
      a_domain_in_two_accounts_is_refused,
      an_error_leaves_no_account_of_the_block_configured,
      two_accounts_of_one_name_are_refused,
      the_wildcard_domain_may_appear_in_several_accounts,
      an_account_name_must_fit_the_read_callback_name,
      a_domain_must_fit_collectds_plugin_instance,
      a_punycode_domain_is_a_host_name,
  };
  return unit_main("conf", tests, N_OF(tests), &test_case);
}
