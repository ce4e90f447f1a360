/* Proxy, ProxyCredentialsFile and NoProxy: what an account accepts, what
 * it refuses with which message (never showing a password), and the
 * credentials file's one line. */
#include "core/conf.h"
#include "core/conf_proxy.h"
#include "core/cred.h"
#include "oconfig_builder.h"

#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static conf_t conf;
static char err[1024];
static char warning[1024];
static int warnings;

static void record_warning(void *ctx, const char *message) {
  (void)ctx;
  snprintf(warning, sizeof(warning), "%s", message);
  warnings++;
}

static void setup(void) {
  conf = (conf_t)CONF_INIT;
  err[0] = warning[0] = '\0';
  warnings = 0;
}

static void teardown(void) { conf_free(&conf); }

/* An account with lines (its proxy options) added. */
static int parse(const char *lines) {
  char text[2048];
  snprintf(text, sizeof(text),
           "<Account \"prod\">\n AccessKeyId \"k\"\n AccessKeySecret \"s\"\n"
           " Domain \"a.com\"\n%s\n</Account>\n",
           lines);
  oconfig_item_t *root = oconfig_from_text(text);
  int status =
      conf_add_block(&conf, root, err, sizeof(err), record_warning, NULL);
  oconfig_builder_free(root);
  return status;
}

static const conf_account_t *parse_valid(const char *lines) {
  ck_assert_msg(parse(lines) == 0, "%s", err);
  return &conf.accounts[0];
}

static void assert_refused(const char *lines, const char *expect) {
  ck_assert_int_eq(parse(lines), -1);
  ck_assert_msg(strstr(err, expect) != NULL, "\"%s\" lacks \"%s\"", err,
                expect);
  ck_assert_uint_eq(conf.count, 0);
}

START_TEST(without_proxy_options_the_environment_decides) {
  const conf_account_t *a = parse_valid("");
  ck_assert_ptr_null(a->proxy);
  ck_assert_ptr_null(a->proxy_credentials_file);
  ck_assert_ptr_null(a->no_proxy);
  ck_assert_int_eq(warnings, 0);
}
END_TEST

START_TEST(a_proxy_url_keeps_scheme_host_and_port_without_its_slash) {
  const conf_account_t *a =
      parse_valid(" Proxy \"http://Proxy.example:3128/\"");
  ck_assert_str_eq(a->proxy, "http://Proxy.example:3128");
  conf_free(&conf);
  a = parse_valid(" Proxy \"https://[::1]:8443\"");
  ck_assert_str_eq(a->proxy, "https://[::1]:8443");
  ck_assert_int_eq(warnings, 0);
}
END_TEST

START_TEST(a_proxy_url_needs_a_scheme_a_port_and_nothing_after_them) {
  assert_refused(" Proxy \"proxy.example:3128\"", "https:// or http://");
  assert_refused(" Proxy \"socks5://proxy.example:1080\"",
                 "https:// or http://");
  assert_refused(" Proxy \"http://proxy.example\"", "needs a port");
  assert_refused(" Proxy \"http://[::1]\"", "needs a port");
  assert_refused(" Proxy \"http://proxy.example:3128/path\"",
                 "not have a path");
  assert_refused(" Proxy \"http://proxy.example:0\"", "port outside");
  ck_assert_msg(strstr(err, "\"Proxy\"") != NULL, "%s", err);
}
END_TEST

/* A password belongs in a file; the error never shows the URL. */
START_TEST(a_user_or_password_in_the_proxy_url_is_refused_unshown) {
  assert_refused(" Proxy \"http://joe:pr0xy-pw@proxy.example:3128\"",
                 "ProxyCredentialsFile");
  ck_assert_msg(strstr(err, "pr0xy-pw") == NULL, "password in: %s", err);
  ck_assert_msg(strstr(err, "(hidden)") != NULL, "%s", err);
  assert_refused(" Proxy \"http://joe@proxy.example:3128\"", "user");
}
END_TEST

START_TEST(credentials_file_needs_a_proxy_and_warns_over_plain_http) {
  assert_refused(" ProxyCredentialsFile \"/etc/collectd/dcdn-proxy\"",
                 "needs option \"Proxy\"");
  const conf_account_t *a =
      parse_valid(" Proxy \"http://p.example:3128\"\n"
                  " ProxyCredentialsFile \"/etc/collectd/dcdn-proxy\"");
  ck_assert_str_eq(a->proxy_credentials_file, "/etc/collectd/dcdn-proxy");
  ck_assert_int_eq(warnings, 1);
  ck_assert_msg(strstr(warning, "unencrypted") != NULL, "%s", warning);
  conf_free(&conf);
  warnings = 0;
  parse_valid(" Proxy \"https://p.example:3128\"\n"
              " ProxyCredentialsFile \"/etc/collectd/dcdn-proxy\"");
  ck_assert_int_eq(warnings, 0);
}
END_TEST

/* Values and lines add up, joined as CURLOPT_NOPROXY reads them; valid
 * without Proxy (it then narrows the environment's proxy). */
START_TEST(no_proxy_hosts_are_comma_joined_across_lines) {
  const conf_account_t *a =
      parse_valid(" NoProxy \"127.0.0.1\" \".internal.example\"\n"
                  " NoProxy \"::1\" \"10.0.0.0/8\" \"[fe80::1]\" \"Host-1\"");
  ck_assert_str_eq(
      a->no_proxy,
      "127.0.0.1,.internal.example,::1,10.0.0.0/8,[fe80::1],Host-1");
  conf_free(&conf);
  a = parse_valid(" NoProxy \"*\"");
  ck_assert_str_eq(a->no_proxy, "*");
}
END_TEST

START_TEST(no_proxy_refuses_what_libcurl_would_misread) {
  static const char *const bad[] = {
      " NoProxy \"a.example,b.example\"",
      " NoProxy \"a example\"",
      " NoProxy \"-a.example\"",
      " NoProxy \"10.0.0.0/33\"",
      " NoProxy \"10.0.0.0/abc\"",
      " NoProxy \"::1/200\"",
      " NoProxy \"1.2.3.4/\"",
      " NoProxy \"300.1.1.1\"",
      " NoProxy \"*\" \"a.example\"",
      " NoProxy \"a.example\"\n NoProxy \"*\"",
      " NoProxy \"*\"\n NoProxy \"a.example\"",
      " NoProxy \"\"",
      " NoProxy 3",
      " NoProxy",
  };
  for (size_t i = 0; i < N_OF(bad); i++) {
    assert_refused(bad[i], "\"NoProxy\"");
    conf_free(&conf);
  }
}
END_TEST

static void assert_credentials(const char *text, const char *user,
                               const char *password) {
  char *u, *p, why[128];
  ck_assert_int_eq(conf_proxy_parse_credentials(text, &u, &p, why, sizeof(why)),
                   0);
  ck_assert_str_eq(u, user);
  ck_assert_str_eq(p, password);
  cred_wipe_free(u);
  cred_wipe_free(p);
}

START_TEST(the_credentials_file_holds_one_line_user_colon_password) {
  assert_credentials("joe:s3cret\n", "joe", "s3cret");
  assert_credentials("joe:s3:cr:et\r\n\n", "joe", "s3:cr:et");
  assert_credentials("joe: spaced pw ", "joe", " spaced pw ");
}
END_TEST

START_TEST(other_credentials_files_are_refused_without_their_text) {
  static const char *const bad[] = {"",
                                    "\n",
                                    "joe\n",
                                    ":pw\n",
                                    "joe:\n",
                                    "joe\ns3cret\n",
                                    "joe:s3cret\nmore\n"};
  for (size_t i = 0; i < N_OF(bad); i++) {
    char *u = (char *)"x", *p = (char *)"x", why[128];
    ck_assert_int_eq(
        conf_proxy_parse_credentials(bad[i], &u, &p, why, sizeof(why)), -1);
    ck_assert_ptr_null(u);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(why, "user:password") != NULL, "%s", why);
    ck_assert_msg(strstr(why, "s3cret") == NULL, "%s", why);
  }
}
END_TEST

/* What libcurl does to CURLOPT_PROXYUSERPWD (7.88: split at the first
 * ':', then each half URL-decoded; later: the same, when set). */
static char *curl_decoded(const char *s, size_t len) {
  char *out = calloc(len + 1, 1), *o = out;
  for (size_t i = 0; i < len; i++) {
    char hex[3] = {0};
    if (s[i] == '%' && i + 2 < len) {
      memcpy(hex, s + i + 1, 2);
      *o++ = (char)strtol(hex, NULL, 16);
      i += 2;
    } else {
      *o++ = s[i];
    }
  }
  return out;
}

START_TEST(proxy_credentials_reach_libcurl_encoded_to_decode_as_written) {
  static const char *const pairs[][2] = {
      {"user", "p:a@ss%41w/rd"}, {"od%41d@user", "%%25 x+y~"}, {"j", ":"}};
  for (size_t i = 0; i < N_OF(pairs); i++) {
    char *userpwd = conf_proxy_userpwd(pairs[i][0], pairs[i][1]);
    ck_assert_ptr_nonnull(userpwd);
    const char *colon = strchr(userpwd, ':');
    ck_assert_ptr_nonnull(colon);
    ck_assert_ptr_null(strchr(colon + 1, ':'));
    char *user = curl_decoded(userpwd, (size_t)(colon - userpwd));
    char *password = curl_decoded(colon + 1, strlen(colon + 1));
    ck_assert_str_eq(user, pairs[i][0]);
    ck_assert_str_eq(password, pairs[i][1]);
    free(user);
    free(password);
    cred_wipe_free(userpwd);
  }
  char *plain = conf_proxy_userpwd("joe", "s3cret-x_y.z");
  ck_assert_str_eq(plain, "joe:s3cret-x_y.z");
  cred_wipe_free(plain);
  char *odd = conf_proxy_userpwd("user", "p:a@ss%41w/rd");
  ck_assert_str_eq(odd, "user:p%3Aa%40ss%2541w%2Frd");
  cred_wipe_free(odd);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      without_proxy_options_the_environment_decides,
      a_proxy_url_keeps_scheme_host_and_port_without_its_slash,
      a_proxy_url_needs_a_scheme_a_port_and_nothing_after_them,
      a_user_or_password_in_the_proxy_url_is_refused_unshown,
      credentials_file_needs_a_proxy_and_warns_over_plain_http,
      no_proxy_hosts_are_comma_joined_across_lines,
      no_proxy_refuses_what_libcurl_would_misread,
      the_credentials_file_holds_one_line_user_colon_password,
      other_credentials_files_are_refused_without_their_text,
      proxy_credentials_reach_libcurl_encoded_to_decode_as_written,
  };
  const unit_case_t test_case = {setup, teardown, 0, NULL};
  return unit_main("conf_proxy", tests, N_OF(tests), &test_case);
}
